//! The first-parent history of the backlog paths: for each commit on HEAD's first-parent line
//! that changed a file under the given prefixes, who, when, and which blobs the files became.
//! Only backlog paths are diffed and each blob is named once; contents are read on demand.

use std::collections::HashSet;

use std::collections::HashMap;
use std::rc::Rc;

use git2::{ObjectType, Oid, Repository, Sort};

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

/// The abbreviated form of a full commit id, as git shows it (7 characters).
pub fn short_id(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
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
    /// The oldest commits not read (beyond [`MAX_COMMITS`]).
    pub commits_left_out: usize,
}

/// At most this many commits are read (the newest); the rest is reported as left out.
pub const MAX_COMMITS: usize = 200_000;

impl GitRepo {
    /// The commits of HEAD's first-parent line that changed a file under `prefixes` (empty:
    /// anywhere), oldest first. A repository without commits has an empty history.
    pub fn backlog_history(&self, prefixes: &[String]) -> Result<BacklogHistory, GitError> {
        self.backlog_history_limited(prefixes, MAX_COMMITS)
    }

    /// Like [`GitRepo::backlog_history`], reading at most `max_commits` (the newest).
    pub fn backlog_history_limited(
        &self,
        prefixes: &[String],
        max_commits: usize,
    ) -> Result<BacklogHistory, GitError> {
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
        let prefixes: Vec<&str> = prefixes
            .iter()
            .map(|p| p.trim_end_matches('/'))
            .filter(|p| !p.is_empty())
            .collect();
        let mut trees = TreeCache::default();
        let mut commits = Vec::new();
        let mut seen = HashSet::new();
        let mut oids = Vec::new();
        for oid in walk {
            let oid = oid?;
            if !seen.insert(oid) {
                break;
            }
            oids.push(oid);
        }
        // A history longer than MAX_COMMITS keeps its newest commits; the first one kept is
        // read whole (against no parent), so the backlog's state there is known.
        let skip = oids.len().saturating_sub(max_commits);
        for (n, oid) in oids.into_iter().enumerate().skip(skip) {
            let commit = repo.find_commit(oid)?;
            let tree = commit.tree_id();
            let parent_tree = if n == skip && skip > 0 {
                None
            } else {
                commit
                    .parent_ids()
                    .next()
                    .and_then(|p| repo.find_commit(p).ok().map(|c| c.tree_id()))
            };
            let mut changes = Vec::new();
            diff_trees(
                repo,
                &mut trees,
                parent_tree,
                Some(tree),
                "",
                &prefixes,
                &mut changes,
            )?;
            trees.next_generation();
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
            commits_left_out: skip,
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

/// One entry of a tree: its name, object and whether it is a folder or a regular file.
struct Entry {
    name: Vec<u8>,
    id: Oid,
    kind: EntryKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    Tree,
    File,
    /// Symbolic links and submodules: never backlog files.
    Other,
}

/// Trees read for the current and the previous commit: the new tree of one commit is the old
/// tree of the next, so each tree is read once.
#[derive(Default)]
struct TreeCache {
    current: HashMap<Oid, Rc<Vec<Entry>>>,
    previous: HashMap<Oid, Rc<Vec<Entry>>>,
}

impl TreeCache {
    fn get(&mut self, repo: &Repository, id: Oid) -> Result<Rc<Vec<Entry>>, git2::Error> {
        if let Some(found) = self.current.get(&id) {
            return Ok(found.clone());
        }
        let entries = match self.previous.remove(&id) {
            Some(found) => found,
            None => {
                let tree = repo.find_tree(id)?;
                let entries: Vec<Entry> = tree
                    .iter()
                    .map(|e| Entry {
                        name: e.name_bytes().to_vec(),
                        id: e.id(),
                        kind: match (e.kind(), e.filemode()) {
                            (Some(ObjectType::Tree), _) => EntryKind::Tree,
                            (Some(ObjectType::Blob), 0o100644 | 0o100755) => EntryKind::File,
                            _ => EntryKind::Other,
                        },
                    })
                    .collect();
                Rc::new(entries)
            }
        };
        self.current.insert(id, entries.clone());
        Ok(entries)
    }

    fn next_generation(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }
}

/// Whether `path` (a folder when `folder`) may hold or be a file under one of `prefixes`.
fn wanted(path: &str, folder: bool, prefixes: &[&str]) -> bool {
    prefixes.is_empty()
        || prefixes.iter().any(|p| {
            let under =
                path == *p || (path.starts_with(p) && path.as_bytes().get(p.len()) == Some(&b'/'));
            let leads_to =
                folder && p.starts_with(path) && p.as_bytes().get(path.len()) == Some(&b'/');
            under || leads_to
        })
}

/// The files that differ between two trees (either may be absent), under `prefixes`: only
/// subtrees whose ids differ are read.
fn diff_trees(
    repo: &Repository,
    trees: &mut TreeCache,
    old: Option<Oid>,
    new: Option<Oid>,
    base: &str,
    prefixes: &[&str],
    out: &mut Vec<FileChange>,
) -> Result<(), git2::Error> {
    if old == new {
        return Ok(());
    }
    let old_entries = match old {
        Some(id) => trees.get(repo, id)?,
        None => Rc::new(Vec::new()),
    };
    let new_entries = match new {
        Some(id) => trees.get(repo, id)?,
        None => Rc::new(Vec::new()),
    };
    let join = |name: &[u8]| {
        let name = String::from_utf8_lossy(name);
        if base.is_empty() {
            name.into_owned()
        } else {
            format!("{base}/{name}")
        }
    };
    // Both trees are in git's order: a merge join pairs entries of the same name.
    let (mut i, mut j) = (0, 0);
    loop {
        let (before, after) = match (old_entries.get(i), new_entries.get(j)) {
            (None, None) => break,
            (Some(o), None) => {
                i += 1;
                (Some(o), None)
            }
            (None, Some(n)) => {
                j += 1;
                (None, Some(n))
            }
            (Some(o), Some(n)) => match git_order(o, n) {
                std::cmp::Ordering::Less => {
                    i += 1;
                    (Some(o), None)
                }
                std::cmp::Ordering::Greater => {
                    j += 1;
                    (None, Some(n))
                }
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                    if o.id == n.id && o.kind == n.kind {
                        continue;
                    }
                    (Some(o), Some(n))
                }
            },
        };
        // Entries of the same name but different kinds sort apart (`a` vs `a/`); each side is
        // then a deletion or an addition of its own.
        let Some(name) = after.or(before).map(|e| e.name.as_slice()) else {
            continue;
        };
        let folder = after.or(before).is_some_and(|e| e.kind == EntryKind::Tree);
        let path = join(name);
        if !wanted(&path, folder, prefixes) {
            continue;
        }
        let old_tree = before.filter(|b| b.kind == EntryKind::Tree).map(|b| b.id);
        let new_tree = after.filter(|a| a.kind == EntryKind::Tree).map(|a| a.id);
        if old_tree.is_some() || new_tree.is_some() {
            diff_trees(repo, trees, old_tree, new_tree, &path, prefixes, out)?;
        } else {
            out.push(FileChange {
                path,
                blob: after
                    .filter(|a| a.kind == EntryKind::File)
                    .map(|a| oid_bytes(a.id)),
            });
        }
    }
    Ok(())
}

/// Git's order of tree entries: by name, as if folders ended with `/`.
fn git_order(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    let common = a.name.len().min(b.name.len());
    let (x, y) = (a.name.get(..common), b.name.get(..common));
    x.cmp(&y).then_with(|| {
        let end = |e: &Entry| {
            e.name
                .get(common)
                .copied()
                .unwrap_or(if e.kind == EntryKind::Tree { b'/' } else { 0 })
        };
        end(a).cmp(&end(b))
    })
}
