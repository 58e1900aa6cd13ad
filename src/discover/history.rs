//! The first-parent history of the backlog paths: for each commit on HEAD's first-parent line
//! that changed a file under the given prefixes, who, when, and which blobs the files became.
//! Only backlog paths are diffed and each blob is named once; contents are read on demand.

use std::collections::HashSet;

use git2::{Delta, DiffOptions, Oid, Sort};

use super::git::{GitError, GitRepo, oid_bytes};

/// A commit on the first-parent line that changed backlog files.
#[derive(Clone, Debug)]
pub struct HistoryCommit {
    /// Full hex id.
    pub id: String,
    pub author: String,
    pub email: String,
    /// Author time (seconds since the epoch) and its offset from UTC in minutes.
    pub author_time: i64,
    pub author_offset: i32,
    /// Committer time: when the change reached this line of history.
    pub time: i64,
    pub summary: String,
    /// The files this commit changed, in path order.
    pub changes: Vec<FileChange>,
}

/// One file a commit changed: its blob after the commit (`None` when deleted).
#[derive(Clone, Debug)]
pub struct FileChange {
    pub path: String,
    pub blob: Option<[u8; 20]>,
}

/// The history read, oldest first, and the paths that ever held a backlog file.
#[derive(Debug, Default)]
pub struct BacklogHistory {
    pub commits: Vec<HistoryCommit>,
    /// Whether the first-parent line ends at a shallow-clone boundary.
    pub shallow: bool,
}

/// Reading stops here: a history this long is reported as truncated rather than read forever.
pub const MAX_COMMITS: usize = 200_000;

impl GitRepo {
    /// The commits of HEAD's first-parent line that changed a file under `prefixes` (empty:
    /// anywhere), oldest first. A repository without commits has an empty history.
    pub fn backlog_history(&self, prefixes: &[String]) -> Result<BacklogHistory, GitError> {
        let repo = self.repository();
        let head = match repo.head() {
            Ok(head) => head.peel_to_commit()?.id(),
            Err(e)
                if e.code() == git2::ErrorCode::UnbornBranch
                    || e.code() == git2::ErrorCode::NotFound =>
            {
                return Ok(BacklogHistory::default());
            }
            Err(e) => return Err(e.into()),
        };
        let mut walk = repo.revwalk()?;
        walk.push(head)?;
        walk.simplify_first_parent()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
        let mut opts = DiffOptions::new();
        opts.include_typechange(true).ignore_submodules(true);
        for prefix in prefixes.iter().filter(|p| !p.is_empty()) {
            opts.pathspec(prefix.trim_end_matches('/'));
        }
        let mut commits = Vec::new();
        let mut seen = HashSet::new();
        for oid in walk {
            let oid = oid?;
            if commits.len() >= MAX_COMMITS || !seen.insert(oid) {
                break;
            }
            let commit = repo.find_commit(oid)?;
            let tree = commit.tree()?;
            let parent_tree = match commit.parent(0) {
                Ok(parent) => Some(parent.tree()?),
                Err(_) => None,
            };
            let diff =
                repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))?;
            let mut changes = Vec::new();
            for delta in diff.deltas() {
                let (path, blob) = match delta.status() {
                    Delta::Deleted => (delta.old_file().path(), None),
                    Delta::Added | Delta::Modified | Delta::Typechange | Delta::Renamed => {
                        let file = delta.new_file();
                        let mode = u32::from(file.mode());
                        // Symbolic links and submodules are never backlog files.
                        let regular = mode & 0o170000 == 0o100000;
                        (file.path(), regular.then(|| oid_bytes(file.id())))
                    }
                    _ => continue,
                };
                let Some(path) = path else { continue };
                changes.push(FileChange {
                    path: path.to_string_lossy().replace('\\', "/"),
                    blob,
                });
            }
            if changes.is_empty() {
                continue;
            }
            changes.sort_by(|a, b| a.path.cmp(&b.path));
            let author = commit.author();
            let committer = commit.committer();
            commits.push(HistoryCommit {
                id: oid.to_string(),
                author: author.name().unwrap_or("").to_string(),
                email: author.email().unwrap_or("").to_string(),
                author_time: author.when().seconds(),
                author_offset: author.when().offset_minutes(),
                time: committer.when().seconds(),
                summary: commit.summary().ok().flatten().unwrap_or("").to_string(),
                changes,
            });
        }
        Ok(BacklogHistory {
            commits,
            shallow: repo.is_shallow(),
        })
    }

    /// The bytes of blob `id`, if the repository has it.
    pub fn blob_content(&self, id: [u8; 20]) -> Option<Vec<u8>> {
        let oid = Oid::from_bytes(&id).ok()?;
        self.repository()
            .find_blob(oid)
            .ok()
            .map(|b| b.content().to_vec())
    }

    /// The committer time of the commit `rev` names.
    pub fn commit_time(&self, rev: &str) -> Result<i64, GitError> {
        let oid = self.commit_id(rev)?;
        Ok(self
            .repository()
            .find_commit(oid)?
            .committer()
            .when()
            .seconds())
    }
}
