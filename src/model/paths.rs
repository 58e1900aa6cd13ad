//! Repository-relative paths for links: lexical resolution only (nothing is read), and never
//! outside the repository.

use super::item::LinkTarget;

/// A link value that names a file rather than an id.
pub fn looks_like_path(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let path = lower.split('#').next().unwrap_or(&lower);
    value.contains('/')
        || path.ends_with(".md")
        || path.ends_with(".markdown")
        || path.ends_with(".yaml")
        || path.ends_with(".yml")
}

/// Resolves `link` against the directory of `from` (both repository-relative, `/`-separated).
/// A leading `/` means the repository root. Climbing above the root yields
/// [`LinkTarget::OutsideRepository`].
pub fn resolve(from: &str, link: &str) -> LinkTarget {
    let (file, fragment) = match link.split_once('#') {
        Some((file, frag)) => (
            file,
            Some(frag.trim().to_string()).filter(|f| !f.is_empty()),
        ),
        None => (link, None),
    };
    let file = file.trim().replace('\\', "/");
    let mut parts: Vec<&str> = Vec::new();
    if !file.starts_with('/') {
        if let Some((dir, _)) = from.rsplit_once('/') {
            parts.extend(dir.split('/').filter(|p| !p.is_empty()));
        }
    }
    for segment in file.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return LinkTarget::OutsideRepository(link.to_string());
                }
            }
            other => parts.push(other),
        }
    }
    LinkTarget::Path {
        path: parts.join("/"),
        fragment,
    }
}

/// Decodes `%20`-style escapes (Markdown links to files with spaces in their names).
pub fn percent_decode(value: &str) -> String {
    if !value.contains('%') {
        return value.to_string();
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let hex = |at: usize| bytes.get(at).copied().and_then(hex_value);
            if let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) {
                out.push(hi * 16 + lo);
                i += 3;
                continue;
            }
        }
        out.push(byte);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> LinkTarget {
        LinkTarget::Path {
            path: p.to_string(),
            fragment: None,
        }
    }

    #[test]
    fn resolves_relative_and_root_paths() {
        assert_eq!(
            resolve("backlog/stories/S.md", "../spikes/X.md"),
            path("backlog/spikes/X.md")
        );
        assert_eq!(resolve("backlog/S.md", "./X.md"), path("backlog/X.md"));
        assert_eq!(resolve("backlog/S.md", "/docs/X.md"), path("docs/X.md"));
        assert_eq!(resolve("S.md", "X.md"), path("X.md"));
        assert_eq!(
            resolve("backlog.yaml", "backlog.yaml#T-2"),
            LinkTarget::Path {
                path: "backlog.yaml".into(),
                fragment: Some("T-2".into())
            }
        );
    }

    #[test]
    fn never_leaves_the_repository() {
        assert_eq!(
            resolve("backlog/S.md", "../../etc/passwd"),
            LinkTarget::OutsideRepository("../../etc/passwd".into())
        );
        assert!(matches!(
            resolve("S.md", "../x.md"),
            LinkTarget::OutsideRepository(_)
        ));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("task-1%20-%20A.md"), "task-1 - A.md");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%é1"), "%é1");
    }

    #[test]
    fn path_detection() {
        assert!(looks_like_path("spikes/SPIKE-1.md"));
        assert!(looks_like_path("SPIKE-1.md"));
        assert!(!looks_like_path("SPIKE-1"));
        assert!(!looks_like_path("task-1.2"));
    }
}
