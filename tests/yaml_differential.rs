//! The direct front-matter parser must give exactly serde-saphyr's tree (values and spans)
//! whenever it answers: over every real file of the corpus, and over random documents.

use std::path::Path;

use backlint::parse::frontmatter::{self, Split};
use backlint::parse::{simple_yaml, yaml};
use proptest::prelude::*;

fn check(text: &str, base: usize) -> bool {
    match simple_yaml::parse(text, base) {
        Some(fast) => {
            let general = yaml::parse_general(text, base);
            assert_eq!(
                Some(&fast),
                general.as_ref().ok(),
                "disagreement on {text:?}"
            );
            true
        }
        None => false,
    }
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn agrees_with_serde_saphyr_on_the_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: {} is absent", corpus.display());
        return;
    }
    let mut files = Vec::new();
    walk(&corpus, &mut files);
    let (mut seen, mut fast) = (0, 0);
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = path.to_string_lossy();
        let yaml_text = if name.ends_with(".md") {
            match frontmatter::split(&text) {
                Split::Found(fm) => text[fm.yaml.clone()].to_string(),
                _ => continue,
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            text.clone()
        } else {
            continue;
        };
        seen += 1;
        if check(&yaml_text, 4) {
            fast += 1;
        }
    }
    assert!(
        seen > 1000,
        "expected the corpus to hold front matter, saw {seen}"
    );
    // Most real front matter takes the direct path (the rest is still parsed, more slowly).
    eprintln!("direct path: {fast} of {seen} documents");
    assert!(
        fast * 10 >= seen * 8,
        "direct path took only {fast} of {seen} documents"
    );
}

fn word() -> impl Strategy<Value = String> {
    prop::string::string_regex("[A-Za-z0-9 _.:#'\"@/,\\-]{0,12}").unwrap_or_else(|e| panic!("{e}"))
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        word().prop_map(|w| format!(" {w}")),
        word().prop_map(|w| format!(" '{}'", w.replace('\'', "''"))),
        word().prop_map(|w| format!(" \"{}\"", w.replace('\\', "\\\\").replace('"', "\\\""))),
        prop::collection::vec(word(), 0..4).prop_map(|ws| format!(" [{}]", ws.join(", "))),
        (prop::collection::vec(word(), 1..4), 0usize..3).prop_map(|(ws, indent)| {
            let pad = " ".repeat(indent);
            ws.iter()
                .map(|w| format!("\n{pad}- {w}"))
                .collect::<String>()
        }),
        (
            prop::collection::vec(word(), 1..4),
            prop::sample::select(vec![">", ">-", "|", "|-"]),
            1usize..4
        )
            .prop_map(|(ws, header, indent)| {
                let pad = " ".repeat(indent);
                let lines: String = ws.iter().map(|w| format!("\n{pad}{}", w.trim())).collect();
                format!(" {header}{lines}")
            }),
        Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn agrees_with_serde_saphyr_on_random_front_matter(
        entries in prop::collection::vec(("[a-z][a-z_]{0,6}", value()), 1..6),
        crlf in any::<bool>(),
    ) {
        let mut text = String::new();
        for (key, value) in &entries {
            text.push_str(key);
            text.push(':');
            text.push_str(value);
            text.push('\n');
        }
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        check(&text, 0);
    }
}
