//! `--config-from-ref REF`: the configuration (and the rule packs it extends) as REF's tree
//! holds them, so that a pull request cannot weaken its own gate; and which settings the
//! working tree's configuration would change.

use std::path::Path;

use super::{AppError, Workspace};
use crate::config::Config;
use crate::config::load::{self, CONFIG_FILE_NAMES, PackReader};
use crate::discover::git::{GitError, GitRepo};
use crate::discover::walk;
use crate::parse::yaml::{self, YamlNode};

/// Reads pack files from a revision.
struct GitPackReader<'a> {
    repo: &'a GitRepo,
    rev: &'a str,
}

impl PackReader for GitPackReader<'_> {
    fn read(&self, path: &str) -> std::io::Result<String> {
        self.read_bytes(path)
            .map(|bytes| crate::source::decode(bytes).0)
    }

    fn read_bytes(&self, path: &str) -> std::io::Result<Vec<u8>> {
        match self.repo.file_at(self.rev, path) {
            Ok(Some(bytes)) => Ok(bytes),
            Ok(None) => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("not in {}", self.rev),
            )),
            Err(e) => Err(std::io::Error::other(e.to_string())),
        }
    }
}

/// The configuration at `rev`, and the top-level keys in which the working tree's differs.
pub fn config_at(
    repo: &GitRepo,
    rev: &str,
    working: Option<&Path>,
) -> Result<(Config, Option<String>, Vec<String>), AppError> {
    let root = repo.root();
    let mut candidates: Vec<String> = Vec::new();
    if let Some(path) = working {
        candidates.push(walk::relative(root, path));
    }
    candidates.extend(CONFIG_FILE_NAMES.iter().map(|n| n.to_string()));
    let mut found: Option<(String, String)> = None;
    for candidate in &candidates {
        if let Some(bytes) = repo.file_at(rev, candidate).map_err(AppError::Git)? {
            found = Some((candidate.clone(), crate::source::decode(bytes).0));
            break;
        }
    }
    let working_text = working.and_then(|p| std::fs::read_to_string(p).ok());
    let (config, display, ref_text) = match &found {
        Some((path, text)) => {
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
            let display = format!("{path} (at {rev})");
            let config = load::parse(text, &display, &dir, &GitPackReader { repo, rev })
                .map_err(AppError::Config)?;
            (config, Some(path.clone()), Some(text.as_str()))
        }
        None => (Config::default(), None, None),
    };
    let changed = changed_keys(ref_text, working_text.as_deref());
    Ok((config, display, changed))
}

/// Top-level keys whose values differ between two configuration texts.
fn changed_keys(at_ref: Option<&str>, working: Option<&str>) -> Vec<String> {
    let parse = |t: Option<&str>| t.and_then(|t| yaml::parse(t, 0).ok());
    let (a, b) = (parse(at_ref), parse(working));
    if at_ref.is_none() && working.is_none() {
        return Vec::new();
    }
    let entries = |n: &Option<YamlNode>| -> Vec<(String, YamlNode)> {
        n.as_ref()
            .and_then(|n| n.as_map())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.clone())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (ea, eb) = (entries(&a), entries(&b));
    let mut keys: Vec<String> = ea.iter().chain(eb.iter()).map(|(k, _)| k.clone()).collect();
    keys.sort();
    keys.dedup();
    let mut changed: Vec<String> = keys
        .into_iter()
        .filter(|k| {
            let va = ea.iter().find(|(x, _)| x == k).map(|(_, v)| v);
            let vb = eb.iter().find(|(x, _)| x == k).map(|(_, v)| v);
            match (va, vb) {
                (Some(x), Some(y)) => !yaml::same_value(x, y),
                _ => true,
            }
        })
        .collect();
    // A file that does not parse differs as a whole.
    if changed.is_empty() && at_ref != working && (a.is_none() || b.is_none()) {
        changed.push("(the whole file)".to_string());
    }
    changed
}

impl Workspace {
    /// The workspace of `paths` with the configuration read from `rev`.
    pub fn open_at_ref(
        paths: &[std::path::PathBuf],
        repo: &GitRepo,
        rev: &str,
    ) -> Result<(Workspace, Vec<String>), AppError> {
        let mut ws = Workspace::open_without_config(paths)?;
        let start = paths.first().map_or(ws.cwd.clone(), |p| {
            if p.is_absolute() {
                p.clone()
            } else {
                ws.cwd.join(p)
            }
        });
        let working = load::find(&start, &ws.root);
        let (config, display, changed) = config_at(repo, rev, working.as_deref())?;
        ws.config = config;
        ws.config_file = display.map(|d| ws.root.join(d));
        Ok((ws, changed))
    }
}

impl From<GitError> for AppError {
    fn from(err: GitError) -> AppError {
        AppError::Git(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_keys_by_value() {
        let a = "rules:\n  nfr/unmeasurable: off\nroots: [backlog]\n";
        let b = "roots: [backlog]   # same\nrules:\n  nfr/unmeasurable: error\nexclude: [x]\n";
        assert_eq!(changed_keys(Some(a), Some(b)), ["exclude", "rules"]);
        assert!(changed_keys(Some(a), Some(a)).is_empty());
        assert_eq!(changed_keys(None, Some("rules: {}\n")), ["rules"]);
    }
}
