//! Dependencies point down: no module of `src/` imports from a layer above its own (the layers
//! are stated in `src/lib.rs`). Reads the sources and checks every `crate::…` path outside
//! `#[cfg(test)]` code.

use std::collections::HashMap;
use std::path::Path;

/// Bottom to top; a module may use its own layer's module and any lower layer.
const LAYERS: &[&[&str]] = &[
    &["util", "source"],
    &["parse"],
    &["discover"],
    &["model"],
    &["triage"],
    &["cache"],
    &["diagnostic"],
    &["config"],
    &["rules"],
    &["outcome"],
    &["baseline", "scope", "filter"],
    &["engine"],
    &["history"],
    &["output", "fix", "hook"],
    &["report", "flow"],
    &["app"],
    &["harness"],
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The `crate::NAME` module names used in `text`.
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        out.push(name);
    }
    out
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let layer: HashMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(n, mods)| mods.iter().map(move |m| (*m, n)))
        .collect();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap_or(&file);
        let first = rel
            .components()
            .next()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_string()
            })
            .unwrap_or_default();
        if first == "main" || first == "lib" {
            continue;
        }
        let Some(&own) = layer.get(first.as_str()) else {
            problems.push(format!("{}: module `{first}` has no layer", rel.display()));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for used in crate_paths(code) {
            match layer.get(used.as_str()) {
                None => problems.push(format!("{}: `crate::{used}` has no layer", rel.display())),
                Some(&l) if used != first && l >= own => problems.push(format!(
                    "{}: `{first}` (layer {own}) uses `crate::{used}` (layer {l})",
                    rel.display()
                )),
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_layers_match_lib_rs() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .unwrap_or_default();
    for mods in LAYERS {
        for m in *mods {
            assert!(
                lib.contains(&format!("pub mod {m};")),
                "src/lib.rs lacks `pub mod {m};`"
            );
            assert!(
                lib.contains(&format!("`{m}`")),
                "src/lib.rs does not place `{m}` in a layer"
            );
        }
    }
}

#[test]
fn the_scanner_sees_paths() {
    assert_eq!(
        crate_paths("use crate::model::Item; let x = crate::util::suggest(a);"),
        ["model", "util"]
    );
}
