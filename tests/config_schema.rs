//! The published JSON Schema of backlint.yaml (`backlint.schema.json`) is generated from the
//! configuration types and names exactly the keys the loader accepts.

mod common;

use backlint::config::load::{FIELD_MEANINGS, TOP_LEVEL_KEYS};
use backlint::config::schema::json_schema;

#[test]
fn the_committed_schema_is_up_to_date() {
    let path = common::manifest_dir().join("backlint.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = json_schema();
    if committed != generated {
        if std::env::var_os("BACKLINT_WRITE_SCHEMA").is_some() {
            std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("{e}"));
        }
        panic!("backlint.schema.json is stale: run `cargo run -- schema > backlint.schema.json`");
    }
}

#[test]
fn the_schema_names_the_keys_the_loader_accepts() {
    let schema: serde_json::Value =
        serde_json::from_str(&json_schema()).unwrap_or_else(|e| panic!("{e}"));
    let mut top: Vec<&str> = schema["properties"]
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    top.sort_unstable();
    let mut accepted = TOP_LEVEL_KEYS.to_vec();
    accepted.sort_unstable();
    assert_eq!(top, accepted);

    let fields = &schema["$defs"]["FieldsSetting"]["properties"];
    let mut meanings: Vec<&str> = fields
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    meanings.sort_unstable();
    let mut accepted = FIELD_MEANINGS.to_vec();
    accepted.sort_unstable();
    assert_eq!(meanings, accepted);
}
