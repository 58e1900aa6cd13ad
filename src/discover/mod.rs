//! Where item files come from: a walk of the working tree (this module's `walk`), or git's
//! index and trees (`git`). Discovery yields paths and bytes only; it knows nothing of items.

pub mod git;
pub mod git_index;
pub mod history;
pub mod walk;

use std::path::{Path, PathBuf};

/// Whether a repository-relative path is selected by the `include` globs (all paths when
/// there are none) and not by the `exclude` globs: the one rule for the walk, the index and
/// history.
pub fn selected(
    path: &str,
    include: Option<&globset::GlobSet>,
    exclude: Option<&globset::GlobSet>,
) -> bool {
    include.is_none_or(|set| set.is_match(path)) && !exclude.is_some_and(|set| set.is_match(path))
}

/// Why discovery could not run.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("cannot read `{path}`: {1}", path = .0.display())]
    Path(PathBuf, String),
    #[error("invalid glob `{0}`: {1}")]
    Glob(String, String),
}

/// The directory that paths are reported relative to: the enclosing git work tree of `start`,
/// else `cwd` when `start` lies inside it, else `start` itself (its directory for a file).
pub fn find_root(start: &Path, cwd: &Path) -> PathBuf {
    let start_abs = if start.is_absolute() {
        start.to_path_buf()
    } else {
        cwd.join(start)
    };
    let start_dir = if start_abs.is_file() {
        start_abs
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| start_abs.clone())
    } else {
        start_abs.clone()
    };
    let canonical = start_dir.canonicalize().unwrap_or(start_dir.clone());
    for dir in canonical.ancestors() {
        if dir.join(".git").exists() {
            return dir.to_path_buf();
        }
    }
    let cwd_canonical = cwd.canonicalize().unwrap_or(cwd.to_path_buf());
    if canonical.starts_with(&cwd_canonical) {
        cwd_canonical
    } else {
        canonical
    }
}
