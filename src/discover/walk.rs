//! Walks the given paths for candidate files: honours `.gitignore` (inside or outside git),
//! skips `.git`, `target` and `node_modules`, applies include/exclude globs, never follows
//! symbolic links (so nothing outside the repository is read), and returns paths relative to
//! the root with `/` separators, sorted.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::DiscoverError;
use crate::source::{InputFile, Origin};

/// Directories never descended into.
const SKIPPED_DIRS: &[&str] = &[".git", "target", "node_modules", ".hg", ".svn"];

/// What to walk.
#[derive(Debug)]
pub struct WalkOptions<'a> {
    /// Paths reported relative to this directory.
    pub root: &'a Path,
    /// Files or directories to walk (absolute, or relative to the working directory).
    pub paths: &'a [PathBuf],
    pub include: &'a [String],
    pub exclude: &'a [String],
}

fn glob_set(globs: &[String]) -> Result<Option<GlobSet>, DiscoverError> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let glob = Glob::new(glob).map_err(|e| DiscoverError::Glob(glob.clone(), e.to_string()))?;
        builder.add(glob);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| DiscoverError::Glob(globs.join(", "), e.to_string()))
}

/// Lists the candidate files under `options.paths`.
pub fn walk(options: &WalkOptions<'_>) -> Result<Vec<InputFile>, DiscoverError> {
    let include = glob_set(options.include)?;
    let exclude = glob_set(options.exclude)?;
    let root = options.root;
    let shared_root: std::sync::Arc<Path> = root.into();
    let mut files = Vec::new();
    for path in options.paths {
        let meta = std::fs::symlink_metadata(path)
            .map_err(|e| DiscoverError::Path(path.clone(), e.to_string()))?;
        if meta.file_type().is_symlink() {
            return Err(DiscoverError::Path(
                path.clone(),
                "is a symbolic link; give the path it points to".to_string(),
            ));
        }
        let mut builder = ignore::WalkBuilder::new(path);
        builder
            .hidden(false)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .ignore(true)
            .parents(true)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|entry| {
                let skipped = entry.depth() > 0
                    && entry.file_type().is_some_and(|t| t.is_dir())
                    && entry
                        .file_name()
                        .to_str()
                        .is_some_and(|name| SKIPPED_DIRS.contains(&name));
                !skipped
            });
        for entry in builder.build() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    // An unreadable directory or file: report it, keep walking.
                    files.push(InputFile::new(
                        error_path(&err, root),
                        Origin::Unreadable(err.to_string()),
                    ));
                    continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            // A file that the root and its relative path name character for character shares
            // the root (reading `root.join(rel)` reads it).
            let (rel, shares_root) = match plain_relative(root, entry.path()) {
                Some(rest) => (rest.to_string(), true),
                None => (relative(root, entry.path()), false),
            };
            if !super::selected(&rel, include.as_ref(), exclude.as_ref()) {
                continue;
            }
            let origin = if shares_root {
                Origin::UnderRoot(shared_root.clone())
            } else {
                Origin::Disk(entry.into_path())
            };
            files.push(InputFile::new(rel, origin));
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    Ok(files)
}

fn error_path(err: &ignore::Error, root: &Path) -> String {
    match err {
        ignore::Error::WithPath { path, .. } => relative(root, path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err, root)
        }
        other => other.to_string(),
    }
}

/// The common case of [`relative`], without walking path components: `path` is the UTF-8
/// text of `root`, `/` and the rest, which has no backslash, empty or `.` segment. The rest
/// is then `path` relative to `root`, and `root` joined with it is `path` character for
/// character.
fn plain_relative<'a>(root: &Path, path: &'a Path) -> Option<&'a str> {
    let rest = path
        .to_str()?
        .strip_prefix(root.to_str()?.trim_end_matches('/'))?;
    let rest = rest.strip_prefix('/').or(rest.is_empty().then_some(rest))?;
    let plain = !rest.contains('\\')
        && !rest.contains("//")
        && !rest.starts_with('/')
        && !rest.contains("/./")
        && !rest.starts_with("./");
    plain.then_some(rest)
}

/// `path` relative to `root`, with `/` separators.
pub fn relative(root: &Path, path: &Path) -> String {
    if let Some(rest) = plain_relative(root, path) {
        return rest.to_string();
    }
    let rel = match path.strip_prefix(root) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => match (root.canonicalize(), path.canonicalize()) {
            (Ok(root), Ok(path)) => path
                .strip_prefix(&root)
                .map(Path::to_path_buf)
                .unwrap_or(path),
            _ => path.to_path_buf(),
        },
    };
    let text = rel.to_string_lossy().replace('\\', "/");
    text.trim_start_matches("./").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_use_slashes_and_no_dot_segments() {
        let rel = |root: &str, path: &str| relative(Path::new(root), Path::new(path));
        assert_eq!(rel("/r", "/r/backlog/a.md"), "backlog/a.md");
        assert_eq!(rel("/r/", "/r/backlog/a.md"), "backlog/a.md");
        assert_eq!(rel("/", "/backlog/a.md"), "backlog/a.md");
        assert_eq!(rel("/r", "/r"), "");
        assert_eq!(rel("/r", "/r/./a.md"), "a.md");
        assert_eq!(rel("/r", "/r//a.md"), "a.md");
        // A sibling that merely shares the prefix is not inside the root.
        assert_eq!(rel("/r", "/rx/a.md"), "/rx/a.md");
    }

    #[test]
    fn a_file_shares_its_root_only_when_they_name_it_exactly() {
        fn plain<'a>(root: &str, path: &'a str) -> Option<&'a str> {
            plain_relative(Path::new(root), Path::new(path))
        }
        assert_eq!(plain("/r", "/r/backlog/a.md"), Some("backlog/a.md"));
        assert_eq!(plain("/r/", "/r/a.md"), Some("a.md"));
        assert_eq!(plain("/", "/a.md"), Some("a.md"));
        assert_eq!(plain("/r", "/r/./a.md"), None);
        assert_eq!(plain("/r", "/r//a.md"), None);
        assert_eq!(plain("/r", "/rx/a.md"), None);
        assert_eq!(
            plain("/r", "/r/a\\b.md"),
            None,
            "a backslash is a `/` in `relative`"
        );
        // Whenever it names the file, the root joined with it is the file's path.
        for (root, path) in [
            ("/r", "/r/backlog/a.md"),
            ("/r/", "/r/a.md"),
            ("/", "/a.md"),
        ] {
            let rest = plain(root, path).unwrap_or_default();
            assert_eq!(Path::new(root).join(rest).to_str(), Some(path));
        }
    }
}
