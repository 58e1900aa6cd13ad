//! Property: for arbitrary generated items, `--fix` then re-parse keeps every original field
//! and value byte-for-byte outside the inserted link, and the item is no longer missing its
//! spike.

use std::path::Path;

use backlint::app::Workspace;
use backlint::app::check::check_tree;
use backlint::fix::{self, FixContext};
use backlint::parse::frontmatter::{self, Split};
use backlint::parse::yaml::{self, YamlNode, YamlValue};
use proptest::prelude::*;

/// How the item names its spikes before the fix.
#[derive(Clone, Debug)]
enum LinkStyle {
    Absent,
    EmptyFlow,
    Flow(Vec<String>),
    Block(Vec<String>, usize),
    Scalar(String),
    EmptyWithComment,
}

#[derive(Clone, Debug)]
struct Generated {
    fields: Vec<(String, String)>,
    link: LinkStyle,
    crlf: bool,
    bom: bool,
    body: String,
}

fn quoted(value: &str, style: u8) -> String {
    match style % 3 {
        0 => value.to_string(),
        1 => format!("'{}'", value.replace('\'', "''")),
        _ => format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

fn word() -> impl Strategy<Value = String> {
    "[a-z]{1,8}".prop_map(|s| s)
}

fn id() -> impl Strategy<Value = String> {
    "[A-Z]{1,4}-[0-9]{1,3}"
}

fn extra_field() -> impl Strategy<Value = (String, String)> {
    let key = prop_oneof![
        Just("priority"),
        Just("owner"),
        Just("estimate"),
        Just("notes"),
        Just("sprint"),
        Just("component"),
    ];
    let value = prop_oneof![
        (word(), any::<u8>()).prop_map(|(w, q)| quoted(&w, q)),
        (1u32..400).prop_map(|n| n.to_string()),
        (word(), word()).prop_map(|(a, b)| format!("\"{a}: [{b}] # not a comment\"")),
        (word(), word()).prop_map(|(a, b)| format!("{a} {b} # a comment")),
        proptest::collection::vec(word(), 0..3).prop_map(|ws| format!("[{}]", ws.join(", "))),
    ];
    (key, value).prop_map(|(k, v)| (k.to_string(), v))
}

fn link_style() -> impl Strategy<Value = LinkStyle> {
    prop_oneof![
        Just(LinkStyle::Absent),
        Just(LinkStyle::EmptyFlow),
        proptest::collection::vec(id(), 1..3).prop_map(LinkStyle::Flow),
        (proptest::collection::vec(id(), 1..3), 0usize..4)
            .prop_map(|(ids, n)| LinkStyle::Block(ids, n)),
        id().prop_map(LinkStyle::Scalar),
        Just(LinkStyle::EmptyWithComment),
    ]
}

fn generated() -> impl Strategy<Value = Generated> {
    (
        proptest::collection::vec(extra_field(), 0..5),
        link_style(),
        any::<bool>(),
        any::<bool>(),
        any::<u8>(),
        "[a-zA-Z ,.]{0,40}",
    )
        .prop_map(|(extra, link, crlf, bom, title_quote, body)| {
            let mut fields = vec![
                ("id".to_string(), "ITEM-1".to_string()),
                (
                    "title".to_string(),
                    quoted("Accept payment webhooks from the bank", title_quote),
                ),
                ("type".to_string(), "story".to_string()),
                ("status".to_string(), "todo".to_string()),
            ];
            for (k, v) in extra {
                if !fields.iter().any(|(have, _)| *have == k) {
                    fields.push((k, v));
                }
            }
            Generated {
                fields,
                link,
                crlf,
                bom,
                body,
            }
        })
}

impl Generated {
    fn text(&self) -> String {
        let mut lines = vec!["---".to_string(), "# written by hand".to_string()];
        for (n, (k, v)) in self.fields.iter().enumerate() {
            lines.push(format!("{k}: {v}"));
            if n == 1 {
                match &self.link {
                    LinkStyle::Absent => {}
                    LinkStyle::EmptyFlow => lines.push("spikes: []".to_string()),
                    LinkStyle::Flow(ids) => lines.push(format!("spikes: [ {} ]", ids.join(" , "))),
                    LinkStyle::Block(ids, indent) => {
                        lines.push("spikes:".to_string());
                        for id in ids {
                            lines.push(format!("{}- {id}", " ".repeat(*indent)));
                        }
                    }
                    LinkStyle::Scalar(id) => lines.push(format!("spikes: {id}")),
                    LinkStyle::EmptyWithComment => lines.push("spikes:   # none yet".to_string()),
                }
            }
        }
        lines.push("---".to_string());
        lines.push(String::new());
        lines.push(self.body.clone());
        let eol = if self.crlf { "\r\n" } else { "\n" };
        let mut text = lines.join(eol);
        text.push_str(eol);
        if self.bom {
            text.insert(0, '\u{feff}');
        }
        text
    }
}

fn front_matter(text: &str) -> YamlNode {
    let Split::Found(fm) = frontmatter::split(text) else {
        panic!("no front matter in {text:?}");
    };
    yaml::parse(&text[fm.yaml.clone()], fm.yaml.start).unwrap_or_else(|e| panic!("{e:?}: {text:?}"))
}

fn entries(node: &YamlNode) -> Vec<(String, YamlNode)> {
    node.as_map()
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), v.clone()))
        .collect()
}

fn ids_of(node: Option<&YamlNode>) -> Vec<String> {
    match node.map(|n| &n.value) {
        None | Some(YamlValue::Null) => Vec::new(),
        Some(YamlValue::Seq(items)) => items.iter().filter_map(|i| i.as_scalar_string()).collect(),
        Some(_) => node
            .and_then(|n| n.as_scalar_string())
            .into_iter()
            .collect(),
    }
}

fn check_and_fix(dir: &Path) -> fix::FixPlan {
    let ws = Workspace::open(&[dir.to_path_buf()], None).unwrap_or_else(|e| panic!("{e}"));
    let (outcome, checklist) = check_tree(&ws, &[]).unwrap_or_else(|e| panic!("{e}"));
    let plan = fix::plan(&FixContext {
        outcome: &outcome,
        checklist: &checklist,
        fields: &ws.config.fields,
        root: &ws.root,
        created: "2026-01-01 00:00".to_string(),
        include_done: true,
    });
    fix::apply(&plan, &ws.root).unwrap_or_else(|e| panic!("{e}"));
    plan
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn fix_only_inserts_the_link(item in generated()) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.path().join(".git")).unwrap_or_else(|e| panic!("{e}"));
        let original = item.text();
        let path = dir.path().join("stories/ITEM-1.md");
        std::fs::create_dir_all(dir.path().join("stories")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&path, &original).unwrap_or_else(|e| panic!("{e}"));

        let plan = check_and_fix(dir.path());
        prop_assert_eq!(plan.fixed.len(), 1, "skipped: {:?}\n{}", plan.skipped, original);
        let spike = plan.fixed[0].spike.clone();
        let edited = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));

        // Byte for byte: the edit only inserts.
        let diff = similar::TextDiff::from_chars(original.as_str(), edited.as_str());
        for op in diff.ops() {
            prop_assert!(
                !matches!(op.tag(), similar::DiffTag::Delete | similar::DiffTag::Replace),
                "the fix removed or replaced bytes:\n{original:?}\n{edited:?}"
            );
        }
        let inserted: String = diff
            .iter_all_changes()
            .filter(|c| c.tag() == similar::ChangeTag::Insert)
            .map(|c| c.value())
            .collect();
        prop_assert!(inserted.contains(&spike), "{inserted:?}");

        // Every original field reads back the same; the link gained exactly the spike.
        let before = entries(&front_matter(&original));
        let after = front_matter(&edited);
        for (key, value) in &before {
            if key == "spikes" {
                continue;
            }
            let now = after.get(key).unwrap_or_else(|| panic!("{key} is gone"));
            prop_assert!(yaml::same_value(value, now), "{key} changed: {edited:?}");
        }
        let mut expected = ids_of(before.iter().find(|(k, _)| k == "spikes").map(|(_, v)| v));
        expected.push(spike.clone());
        prop_assert_eq!(ids_of(after.get("spikes")), expected);
        prop_assert_eq!(entries(&after).len(), before.len() + usize::from(!before.iter().any(|(k, _)| k == "spikes")));

        // And the check agrees: the item has its spike now.
        let again = check_and_fix(dir.path());
        prop_assert!(again.fixed.is_empty(), "still missing a spike: {:?}", again.fixed);
    }
}
