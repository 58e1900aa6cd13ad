//! git through git2 (libgit2, no network or SSH features): the files of the index (`--staged`),
//! what changed since a merge base (`--changed-since`), and files at a revision
//! (`--config-from-ref`). Never writes the index, the working tree or a ref.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Repository, Tree};
use globset::GlobSet;

use super::git_index::{CacheTree, IndexEntry, IndexFile, MODE_GITLINK, MODE_SYMLINK};
use crate::source::{InputFile, Origin};

/// A git problem that stops the run (exit 2), with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("not a git repository (or any parent up to /): {0}")]
    NotARepository(String),
    #[error("the repository has no working tree (bare repository)")]
    Bare,
    #[error("unknown revision `{rev}`: {hint}")]
    UnknownRevision { rev: String, hint: String },
    #[error("no common ancestor between `{0}` and HEAD: {1}")]
    NoMergeBase(String, String),
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// How a file changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    /// Renamed (possibly also modified) from `old_path`.
    Renamed,
}

/// One changed file. `old_path` and `old_content` describe it before the change.
#[derive(Clone, Debug)]
pub struct Change {
    pub kind: ChangeKind,
    pub path: String,
    pub old_path: Option<String>,
    pub old_content: Option<Arc<[u8]>>,
    /// For a rename: whether the content changed too (a pure move is not a new item).
    pub content_changed: bool,
}

/// An opened repository with a working tree.
pub struct GitRepo {
    repo: Repository,
    root: PathBuf,
    /// The index, read on first need and shared by the staged change and the staged files.
    index: std::cell::OnceCell<Arc<IndexFile>>,
}

impl std::fmt::Debug for GitRepo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GitRepo({})", self.root.display())
    }
}

/// A blob id as bytes.
pub(crate) fn oid_bytes(oid: Oid) -> [u8; 20] {
    let mut out = [0u8; 20];
    for (o, b) in out.iter_mut().zip(oid.as_bytes()) {
        *o = *b;
    }
    out
}

/// Whether the file at `disk` is as the index entry records it (see [`IndexStat::vouches_for`]).
fn stat_clean(entry: &IndexStat, disk: &Path, index_mtime: Option<std::time::Duration>) -> bool {
    std::fs::symlink_metadata(disk).ok().is_some_and(|meta| {
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok());
        meta.is_file()
            && mtime.is_some_and(|mtime| entry.vouches_for(meta.len(), mtime, index_mtime))
    })
}

/// When the index file at `git_dir` was last written.
fn index_mtime(git_dir: &Path) -> Option<std::time::Duration> {
    std::fs::metadata(git_dir.join("index"))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
}

/// The index at `git_dir`: read directly when [`IndexFile`] handles it, else by libgit2.
fn read_index(git_dir: &Path) -> Result<IndexFile, git2::Error> {
    let file = git_dir.join("index");
    match IndexFile::read(&file) {
        Some(index) => Ok(index),
        None => Ok(IndexFile::from_git2(&git2::Index::open(&file)?)),
    }
}

/// Blob ids that git's index vouches for, as `git status` trusts them: a working-tree file
/// whose size and modification time are what the index recorded (and that was not changed
/// within the index's own timestamp) has the staged blob's content. The index is read on the
/// first question, so a run whose files the item cache knows by their own stat data never
/// reads it; a fresh checkout (a CI runner's, a branch switch) is known by it instead of
/// reading and hashing every file.
#[derive(Debug)]
pub struct IndexedBlobs {
    git_dir: PathBuf,
    /// The checked root relative to the repository's top, with a trailing `/` (or empty).
    prefix: String,
    snapshot: std::sync::OnceLock<Option<IndexSnapshot>>,
}

#[derive(Debug)]
struct IndexSnapshot {
    index: IndexFile,
    mtime: Option<std::time::Duration>,
}

impl IndexedBlobs {
    /// For files listed relative to `root` (a folder of `repo`'s working tree).
    pub fn new(repo: &GitRepo, root: &Path) -> Option<IndexedBlobs> {
        let root = root.canonicalize().ok()?;
        let relative = root.strip_prefix(&repo.root).ok()?;
        let mut prefix = relative
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect::<Option<Vec<_>>>()?
            .join("/");
        if !prefix.is_empty() {
            prefix.push('/');
        }
        Some(IndexedBlobs {
            git_dir: repo.git_dir().to_path_buf(),
            prefix,
            snapshot: std::sync::OnceLock::new(),
        })
    }

    /// The blob id the index holds for the plain file at `path` (relative to the root),
    /// whatever the working tree's file is like.
    pub fn staged_blob(&self, path: &str) -> Option<[u8; 20]> {
        self.plain_entry(path).map(|(entry, _)| entry.id)
    }

    /// The blob id of the file at `path` (relative to the root) whose size is `size` and
    /// modification time `mtime` (seconds, nanoseconds), when the index vouches for it.
    pub fn blob_of(&self, path: &str, size: u64, mtime: (i64, u32)) -> Option<[u8; 20]> {
        let (entry, index_mtime) = self.plain_entry(path)?;
        let modified = std::time::Duration::new(u64::try_from(mtime.0).ok()?, mtime.1);
        IndexStat::of(entry)
            .vouches_for(size, modified, index_mtime)
            .then_some(entry.id)
    }

    /// The index entry of the plain file at `path` (relative to the root), and when the index
    /// was written; the index is read on the first question.
    fn plain_entry(&self, path: &str) -> Option<(&IndexEntry, Option<std::time::Duration>)> {
        let snapshot = self
            .snapshot
            .get_or_init(|| IndexSnapshot::read(&self.git_dir))
            .as_ref()?;
        let entry = snapshot
            .index
            .find(format!("{}{path}", self.prefix).as_bytes())
            .filter(|entry| entry.is_plain_file())?;
        Some((entry, snapshot.mtime))
    }
}

impl IndexSnapshot {
    /// The index and when it was written, or `None` when it cannot be read.
    fn read(git_dir: &Path) -> Option<IndexSnapshot> {
        let mtime = index_mtime(git_dir);
        let index = read_index(git_dir).ok()?;
        Some(IndexSnapshot { index, mtime })
    }
}

/// What the index recorded of a file's metadata when it was staged.
#[derive(Clone, Copy, Debug)]
struct IndexStat {
    size: u32,
    seconds: i32,
    nanoseconds: u32,
}

impl IndexStat {
    /// Whether a file of `size` bytes modified at `mtime` is as this entry records it, and was
    /// not changed within the index's own timestamp `index_mtime` (racily clean): then its
    /// content is the entry's blob, as `git status` decides.
    fn vouches_for(
        &self,
        size: u64,
        mtime: std::time::Duration,
        index_mtime: Option<std::time::Duration>,
    ) -> bool {
        let same = size == u64::from(self.size)
            && u64::try_from(self.seconds).is_ok_and(|s| s == mtime.as_secs())
            && (self.nanoseconds == 0 || mtime.subsec_nanos() == self.nanoseconds);
        let racy = index_mtime.is_none_or(|index| mtime >= index);
        same && !racy
    }

    fn of(entry: &IndexEntry) -> IndexStat {
        IndexStat {
            size: entry.size,
            seconds: entry.mtime_seconds,
            nanoseconds: entry.mtime_nanoseconds,
        }
    }
}

/// A staged file's content: the working-tree file when its stat data matches the index entry
/// (and is not racily clean), else the staged blob, so that a fix that is not staged does not
/// count.
struct StagedContent {
    disk: PathBuf,
    stat: IndexStat,
    id: Oid,
    index_mtime: Option<std::time::Duration>,
    blobs: Arc<StagedBlobs>,
}

/// The object database the staged files of one listing read their blobs from: opened once,
/// on the first file that is not clean on disk (racily clean files after a checkout can be
/// all of them), and shared by the threads that load them.
struct StagedBlobs {
    git_dir: PathBuf,
    repo: std::sync::Mutex<Option<Repository>>,
}

impl StagedBlobs {
    fn content(&self, id: Oid) -> Result<Vec<u8>, git2::Error> {
        let mut repo = self
            .repo
            .lock()
            .map_err(|_| git2::Error::from_str("the repository lock was poisoned"))?;
        if repo.is_none() {
            *repo = Some(Repository::open(&self.git_dir)?);
        }
        match repo.as_ref() {
            Some(repo) => Ok(repo.find_blob(id)?.content().to_vec()),
            None => Err(git2::Error::from_str("the repository could not be opened")),
        }
    }
}

impl std::fmt::Debug for StagedContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StagedContent({})", self.disk.display())
    }
}

impl crate::source::DeferredRead for StagedContent {
    fn read(&self) -> std::io::Result<Vec<u8>> {
        if stat_clean(&self.stat, &self.disk, self.index_mtime) {
            return std::fs::read(&self.disk);
        }
        self.blobs
            .content(self.id)
            .map_err(|e| std::io::Error::other(format!("cannot read the staged blob: {e}")))
    }
}

/// The git blob id of `content` (what `git hash-object` prints).
pub fn blob_id(content: &[u8]) -> Option<[u8; 20]> {
    Oid::hash_object(git2::ObjectType::Blob, content)
        .ok()
        .map(oid_bytes)
}

impl GitRepo {
    /// Opens the repository containing `start` (any subdirectory; linked worktrees too).
    pub fn open(start: &Path) -> Result<GitRepo, GitError> {
        // Objects read are not re-hashed to check their ids (git does not either, outside
        // `fsck`): backlint reads the repository, it does not vouch for it, and libgit2's
        // collision-detecting SHA-1 over every tree and blob costs more than the diffs
        // (history walks, the staged change).
        git2::opts::strict_hash_verification(false);
        let repo = Repository::discover(start)
            .map_err(|_| GitError::NotARepository(start.display().to_string()))?;
        let root = repo.workdir().ok_or(GitError::Bare)?.to_path_buf();
        let root = root.canonicalize().unwrap_or(root);
        Ok(GitRepo {
            repo,
            root,
            index: std::cell::OnceCell::new(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The libgit2 repository, for readers of history (`discover::history`).
    pub(crate) fn repository(&self) -> &Repository {
        &self.repo
    }

    /// The commit `rev` names.
    pub(crate) fn commit_id(&self, rev: &str) -> Result<Oid, GitError> {
        self.resolve(rev)
    }

    fn head_tree(&self) -> Result<Option<Tree<'_>>, GitError> {
        match self.repo.head() {
            Ok(head) => Ok(Some(head.peel_to_tree()?)),
            // A repository with no commit yet: everything staged is new.
            Err(e)
                if e.code() == git2::ErrorCode::UnbornBranch
                    || e.code() == git2::ErrorCode::NotFound =>
            {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The files of the index under `prefixes` (repository-relative folders or files; empty
    /// means all), filtered by the include/exclude globs. An entry whose stat data matches
    /// the working tree (and is not racily clean) is read from disk; any other is read from
    /// its blob, so a fix that is not staged does not count.
    pub fn staged_files(
        &self,
        prefixes: &[String],
        include: Option<&GlobSet>,
        exclude: Option<&GlobSet>,
    ) -> Result<Vec<InputFile>, GitError> {
        let index = self.index()?;
        let index_mtime = index_mtime(self.repo.path());
        let blobs = Arc::new(StagedBlobs {
            git_dir: self.repo.path().to_path_buf(),
            repo: std::sync::Mutex::new(None),
        });
        let mut files = Vec::new();
        for entry in index.entries() {
            if !entry.is_plain_file() {
                continue;
            }
            // A path that is not UTF-8 is shown with replacement characters and read from its
            // blob (the shown name is not a file on disk).
            let (path, utf8) = match std::str::from_utf8(index.path(entry)) {
                Ok(path) => (path.to_string(), true),
                Err(_) => (
                    String::from_utf8_lossy(index.path(entry)).into_owned(),
                    false,
                ),
            };
            if !under(&path, prefixes)
                || !super::selected(&path, include, exclude)
                || path
                    .split('/')
                    .any(|s| matches!(s, "node_modules" | "target" | ".git"))
            {
                continue;
            }
            let origin = if utf8 {
                // Where the bytes come from is decided when they are read: most files of a
                // hook's run come from the item cache by their blob id, unread and unstatted.
                Origin::Deferred(Arc::new(StagedContent {
                    disk: self.root.join(&path),
                    stat: IndexStat::of(entry),
                    id: Oid::from_bytes(&entry.id)?,
                    index_mtime,
                    blobs: blobs.clone(),
                }))
            } else {
                match self.repo.find_blob(Oid::from_bytes(&entry.id)?) {
                    Ok(blob) => Origin::Memory(Arc::from(blob.content())),
                    Err(e) => Origin::Unreadable(format!("cannot read the staged blob: {e}")),
                }
            };
            files.push(InputFile {
                path: path.into(),
                origin,
                blob: Some(entry.id),
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// The git directory (`.git`, or a worktree's own).
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// Paths whose working-tree content is not what is staged: modified, deleted or new
    /// (untracked, not ignored) files, relative to the repository root.
    pub fn unstaged_paths(&self) -> Result<Vec<String>, GitError> {
        let mut opts = git2::StatusOptions::new();
        // The working tree against the index only: what is staged is not asked about.
        opts.show(git2::StatusShow::Workdir)
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false)
            .exclude_submodules(true);
        let statuses = self.repo.statuses(Some(&mut opts))?;
        let unstaged = git2::Status::WT_NEW
            | git2::Status::WT_MODIFIED
            | git2::Status::WT_DELETED
            | git2::Status::WT_RENAMED
            | git2::Status::WT_TYPECHANGE;
        let mut paths: Vec<String> = statuses
            .iter()
            .filter(|entry| entry.status().intersects(unstaged))
            .filter_map(|entry| entry.path().ok().map(str::to_string))
            .collect();
        paths.sort();
        Ok(paths)
    }

    /// The index, read once.
    fn index(&self) -> Result<Arc<IndexFile>, GitError> {
        if let Some(index) = self.index.get() {
            return Ok(index.clone());
        }
        let index = Arc::new(read_index(self.repo.path())?);
        Ok(self.index.get_or_init(|| index).clone())
    }

    /// What the staged change changes: HEAD against the index, renames followed.
    pub fn staged_changes(&self) -> Result<Vec<Change>, GitError> {
        let head = self.head_tree()?;
        if let Some(head) = &head {
            if let Some(changes) = self.staged_changes_by_cache_tree(head)? {
                return Ok(changes);
            }
        }
        self.staged_changes_by_libgit2(head.as_ref())
    }

    /// [`GitRepo::staged_changes`] by libgit2's diff of HEAD's tree against the index.
    fn staged_changes_by_libgit2(&self, head: Option<&Tree<'_>>) -> Result<Vec<Change>, GitError> {
        let index = self.repo.index()?;
        let mut opts = DiffOptions::new();
        opts.include_typechange(true);
        let mut diff = self
            .repo
            .diff_tree_to_index(head, Some(&index), Some(&mut opts))?;
        self.changes(&mut diff, false)
    }

    /// [`GitRepo::staged_changes`] as `git diff --cached` works it out: a folder whose tree
    /// id the index's cache tree records as HEAD's is not opened, so a commit's usual change
    /// reads a few trees, not all of them. `None` where libgit2 must decide: a change that
    /// may be a rename (files both added and deleted), conflicts, `git add -N` entries,
    /// symlinks or submodules among the changes, a case-insensitive repository.
    fn staged_changes_by_cache_tree(
        &self,
        head: &Tree<'_>,
    ) -> Result<Option<Vec<Change>>, GitError> {
        let index = self.index()?;
        if index
            .entries()
            .iter()
            .any(|e| e.stage != 0 || e.intent_to_add)
            || self
                .repo
                .config()
                .and_then(|c| c.get_bool("core.ignorecase"))
                .unwrap_or(false)
        {
            return Ok(None);
        }
        let cache_tree = index.cache_tree.as_ref();
        if cache_tree.and_then(|t| t.id) == Some(oid_bytes(head.id())) {
            return Ok(Some(Vec::new()));
        }
        let mut committed = Vec::new();
        let mut skipped = Vec::new();
        if !self.committed_files(
            head,
            &mut Vec::new(),
            cache_tree,
            &index,
            &mut committed,
            &mut skipped,
        )? {
            return Ok(None);
        }
        committed.sort_by(|a, b| a.0.cmp(&b.0));
        skipped.sort_by_key(|r: &std::ops::Range<usize>| r.start);
        let mut skipped = skipped.into_iter().peekable();
        let mut staged = Vec::with_capacity(committed.len());
        let mut n = 0;
        while let Some(entry) = index.entries().get(n) {
            if let Some(range) = skipped.next_if(|r| r.start <= n) {
                n = n.max(range.end);
                continue;
            }
            staged.push((index.path(entry), canonical_mode(entry.mode), entry.id));
            n += 1;
        }
        let committed: Vec<ListedFile<'_>> = committed
            .iter()
            .map(|(path, mode, id)| (path.as_slice(), *mode, *id))
            .collect();
        let (added, deleted, modified) = differences(&committed, &staged);
        let special = |mode: u32| mode == MODE_GITLINK || mode == MODE_SYMLINK;
        if (!added.is_empty() && !deleted.is_empty())
            || added.iter().any(|a| special(a.1))
            || deleted.iter().any(|d| special(d.1))
            || modified
                .iter()
                .any(|(m, new_mode)| special(m.1) || special(*new_mode))
        {
            return Ok(None);
        }
        let shown = |path: &[u8]| String::from_utf8_lossy(path).replace('\\', "/");
        let old_content = |id: [u8; 20]| -> Option<Arc<[u8]>> {
            let blob = self.repo.find_blob(Oid::from_bytes(&id).ok()?).ok()?;
            Some(Arc::from(blob.content()))
        };
        let mut changes = Vec::with_capacity(added.len() + deleted.len() + modified.len());
        for ((path, _, id), _) in modified {
            changes.push(Change {
                kind: ChangeKind::Modified,
                path: shown(path),
                old_path: Some(shown(path)),
                old_content: old_content(id),
                content_changed: true,
            });
        }
        for (path, _, id) in deleted {
            changes.push(Change {
                kind: ChangeKind::Deleted,
                path: shown(path),
                old_path: Some(shown(path)),
                old_content: old_content(id),
                content_changed: true,
            });
        }
        for (path, _, _) in added {
            changes.push(Change {
                kind: ChangeKind::Added,
                path: shown(path),
                old_path: None,
                old_content: None,
                content_changed: true,
            });
        }
        // In path order, as libgit2 gives them.
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Some(changes))
    }

    /// The files of `tree` (under `prefix`) as `(path, mode, id)`, except those of folders
    /// the cache tree records unchanged, whose index entries go to `skipped` instead.
    /// `false` when the tree is deeper than any path git writes.
    fn committed_files(
        &self,
        tree: &Tree<'_>,
        prefix: &mut Vec<u8>,
        cache_tree: Option<&CacheTree>,
        index: &IndexFile,
        committed: &mut Vec<(Vec<u8>, u32, [u8; 20])>,
        skipped: &mut Vec<std::ops::Range<usize>>,
    ) -> Result<bool, GitError> {
        if prefix.len() > 4096 {
            return Ok(false);
        }
        for entry in tree.iter() {
            let name = entry.name_bytes();
            let length = prefix.len();
            prefix.extend_from_slice(name);
            let mode = canonical_mode(u32::try_from(entry.filemode()).unwrap_or(0));
            if entry.kind() == Some(git2::ObjectType::Tree) {
                prefix.push(b'/');
                let child = cache_tree.and_then(|t| t.child(name));
                if child.and_then(|c| c.id) == Some(oid_bytes(entry.id())) {
                    skipped.push(index.range_under(prefix));
                } else {
                    let subtree = self.repo.find_tree(entry.id())?;
                    if !self.committed_files(&subtree, prefix, child, index, committed, skipped)? {
                        return Ok(false);
                    }
                }
            } else {
                committed.push((prefix.clone(), mode, oid_bytes(entry.id())));
            }
            prefix.truncate(length);
        }
        Ok(true)
    }

    /// The commit `rev` names, with a message that says what to do when it is unknown.
    fn resolve(&self, rev: &str) -> Result<Oid, GitError> {
        self.repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|_| GitError::UnknownRevision {
                rev: rev.to_string(),
                hint: if self.repo.is_shallow() {
                    format!(
                        "this is a shallow clone; fetch the base branch with enough history \
                         (`git fetch --deepen=200 origin {rev}`, or `fetch-depth: 0` in \
                         actions/checkout)"
                    )
                } else {
                    format!("fetch it first (`git fetch origin {rev}`), or name a branch, tag or commit that exists")
                },
            })
    }

    /// What changed between merge-base(`rev`, HEAD) and the working tree (staged or not,
    /// untracked files included), renames followed.
    pub fn changes_since(&self, rev: &str) -> Result<Vec<Change>, GitError> {
        let base = self.resolve(rev)?;
        let head = self.resolve("HEAD")?;
        let merge_base = self.repo.merge_base(base, head).map_err(|_| {
            GitError::NoMergeBase(
                rev.to_string(),
                "in a shallow clone, fetch more history (`git fetch --deepen=200`)".to_string(),
            )
        })?;
        let tree = self.repo.find_commit(merge_base)?.tree()?;
        let mut opts = DiffOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_typechange(true);
        let mut diff = self
            .repo
            .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts))?;
        self.changes(&mut diff, true)
    }

    /// The deltas of `diff`; `workdir` says whether new contents are on disk (else in blobs).
    fn changes(&self, diff: &mut git2::Diff<'_>, workdir: bool) -> Result<Vec<Change>, GitError> {
        let mut find = DiffFindOptions::new();
        find.renames(true).for_untracked(true);
        diff.find_similar(Some(&mut find))?;
        let mut out = Vec::new();
        for delta in diff.deltas() {
            let new_path = delta
                .new_file()
                .path()
                .map(|p| p.to_string_lossy().replace('\\', "/"));
            let old_path = delta
                .old_file()
                .path()
                .map(|p| p.to_string_lossy().replace('\\', "/"));
            let old_content = || -> Option<Arc<[u8]>> {
                let id = delta.old_file().id();
                if id.is_zero() {
                    return None;
                }
                self.repo.find_blob(id).ok().map(|b| Arc::from(b.content()))
            };
            let new_content = |path: &str| -> Option<Vec<u8>> {
                if workdir {
                    std::fs::read(self.root.join(path)).ok()
                } else {
                    self.repo
                        .find_blob(delta.new_file().id())
                        .ok()
                        .map(|b| b.content().to_vec())
                }
            };
            let change = match delta.status() {
                Delta::Added | Delta::Untracked | Delta::Copied => Change {
                    kind: ChangeKind::Added,
                    path: new_path.unwrap_or_default(),
                    old_path: None,
                    old_content: None,
                    content_changed: true,
                },
                Delta::Modified | Delta::Typechange => Change {
                    kind: ChangeKind::Modified,
                    path: new_path.unwrap_or_default(),
                    old_path: old_path.clone(),
                    old_content: old_content(),
                    content_changed: true,
                },
                Delta::Deleted => Change {
                    kind: ChangeKind::Deleted,
                    path: old_path.clone().unwrap_or_default(),
                    old_path,
                    old_content: old_content(),
                    content_changed: true,
                },
                Delta::Renamed => {
                    let path = new_path.unwrap_or_default();
                    let old = old_content();
                    let content_changed = match (&old, new_content(&path)) {
                        (Some(old), Some(new)) => old.as_ref() != new.as_slice(),
                        _ => true,
                    };
                    Change {
                        kind: ChangeKind::Renamed,
                        path,
                        old_path,
                        old_content: old,
                        content_changed,
                    }
                }
                _ => continue,
            };
            out.push(change);
        }
        Ok(out)
    }

    /// The content of `path` (repository-relative) at `rev`, if the file exists there.
    pub fn file_at(&self, rev: &str, path: &str) -> Result<Option<Vec<u8>>, GitError> {
        let commit = self.resolve(rev)?;
        let tree = self.repo.find_commit(commit)?.tree()?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(entry) => entry,
            Err(_) => return Ok(None),
        };
        let Ok(blob) = entry.to_object(&self.repo).and_then(|o| o.peel_to_blob()) else {
            return Ok(None);
        };
        Ok(Some(blob.content().to_vec()))
    }

    /// The folder git runs hooks from: `core.hooksPath` (relative to the working tree) or the
    /// repository's `hooks/`.
    pub fn hooks_dir(&self) -> Result<PathBuf, GitError> {
        let config = self.repo.config()?;
        match config.get_path("core.hooksPath") {
            Ok(path) if path.is_absolute() => Ok(path),
            Ok(path) => Ok(self.root.join(path)),
            Err(_) => Ok(self.repo.commondir().join("hooks")),
        }
    }
}

/// A file as the staged change compares it: path, mode (as git compares modes), blob id.
type ListedFile<'a> = (&'a [u8], u32, [u8; 20]);

/// What differs between two lists of files sorted by path: the files only in `new` (added),
/// only in `old` (deleted), and in both with another mode or blob (the old file, the new mode).
#[allow(
    clippy::type_complexity,
    reason = "three lists of one small tuple type"
)]
fn differences<'a>(
    old: &[ListedFile<'a>],
    new: &[ListedFile<'a>],
) -> (
    Vec<ListedFile<'a>>,
    Vec<ListedFile<'a>>,
    Vec<(ListedFile<'a>, u32)>,
) {
    let (mut added, mut deleted, mut modified) = (Vec::new(), Vec::new(), Vec::new());
    let (mut old, mut new) = (old.iter().peekable(), new.iter().peekable());
    loop {
        match (old.peek(), new.peek()) {
            (Some(o), Some(n)) if o.0 == n.0 => {
                if (o.1, o.2) != (n.1, n.2) {
                    modified.push((**o, n.1));
                }
                old.next();
                new.next();
            }
            (Some(o), Some(n)) if o.0 < n.0 => {
                deleted.push(**o);
                old.next();
            }
            (Some(o), None) => {
                deleted.push(**o);
                old.next();
            }
            (_, Some(n)) => {
                added.push(**n);
                new.next();
            }
            (None, None) => break,
        }
    }
    (added, deleted, modified)
}

/// A file mode as git compares modes: a regular file is 100644 or 100755, whatever other
/// permission bits an old tree recorded (git's `canon_mode`).
fn canonical_mode(mode: u32) -> u32 {
    const TYPE_BITS: u32 = 0o170000;
    const REGULAR: u32 = 0o100000;
    match (mode & TYPE_BITS == REGULAR, mode & 0o100 != 0) {
        (true, true) => 0o100755,
        (true, false) => 0o100644,
        (false, _) => mode,
    }
}

/// Whether `path` lies under one of `prefixes` (all when empty).
fn under(path: &str, prefixes: &[String]) -> bool {
    prefixes.is_empty()
        || prefixes.iter().any(|p| {
            p.is_empty()
                || path == p
                || (path.starts_with(p.as_str()) && path[p.len()..].starts_with('/'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let status = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
            .args(args)
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    }

    fn write(dir: &Path, path: &str, text: &str) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    type Shown = (String, String, Option<String>, Option<Vec<u8>>, bool);

    fn shown(changes: Vec<Change>) -> Vec<Shown> {
        changes
            .into_iter()
            .map(|c| {
                let kind = format!("{:?}", c.kind);
                (
                    kind,
                    c.path,
                    c.old_path,
                    c.old_content.map(|b| b.to_vec()),
                    c.content_changed,
                )
            })
            .collect()
    }

    /// The staged change as worked out by the cache tree (`None` when it declined) and by
    /// libgit2's diff.
    fn both_ways(dir: &Path) -> (Option<Vec<Shown>>, Vec<Shown>) {
        let repo = GitRepo::open(dir).expect("a repository");
        let head = repo.head_tree().expect("HEAD").expect("a commit");
        let fast = repo
            .staged_changes_by_cache_tree(&head)
            .expect("no git error")
            .map(shown);
        let slow = shown(repo.staged_changes_by_libgit2(Some(&head)).expect("diffed"));
        assert_eq!(shown(repo.staged_changes().expect("diffed")), slow);
        (fast, slow)
    }

    fn committed_repository() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path();
        git(root, &["init", "-q"]);
        for path in [
            "a/x.md", "a/y.md", "a.b/q.md", "a-c.md", "b/c/z.md", "top.md",
        ] {
            write(root, path, &format!("# {path}\n"));
        }
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "one"]);
        dir
    }

    #[test]
    fn the_cache_tree_gives_libgit2s_staged_change() {
        // (what is done, whether the cache tree decides it)
        type Step = fn(&Path);
        let cases: [(&str, Step, bool); 10] = [
            ("nothing staged", |_| {}, true),
            (
                "an edit",
                |d| {
                    write(d, "a/x.md", "# changed\n");
                    git(d, &["add", "a/x.md"]);
                },
                true,
            ),
            (
                "new files, one in a new folder",
                |d| {
                    write(d, "a/new.md", "new\n");
                    write(d, "b/c/d/new.md", "new\n");
                    git(d, &["add", "-A"]);
                },
                true,
            ),
            ("a deletion", |d| git(d, &["rm", "-q", "b/c/z.md"]), true),
            (
                "an executable bit",
                |d| {
                    git(d, &["update-index", "--chmod=+x", "a/y.md"]);
                },
                true,
            ),
            (
                "an edit in index version 4",
                |d| {
                    git(d, &["update-index", "--index-version", "4"]);
                    write(d, "a.b/q.md", "# changed\n");
                    git(d, &["add", "a.b/q.md"]);
                },
                true,
            ),
            (
                "an edit two folders down, a folder deleted",
                |d| {
                    write(d, "b/c/z.md", "# changed\n");
                    git(d, &["add", "b/c/z.md"]);
                    git(d, &["rm", "-q", "a.b/q.md"]);
                },
                true,
            ),
            ("a rename", |d| git(d, &["mv", "top.md", "moved.md"]), false),
            (
                "a file that becomes a folder",
                |d| {
                    git(d, &["rm", "-q", "top.md"]);
                    write(d, "top.md/inner.md", "inner\n");
                    git(d, &["add", "-A"]);
                },
                false,
            ),
            (
                "an intent to add",
                |d| {
                    write(d, "later.md", "later\n");
                    git(d, &["add", "-N", "later.md"]);
                },
                false,
            ),
        ];
        for (name, step, decided) in cases {
            let dir = committed_repository();
            step(dir.path());
            let (fast, slow) = both_ways(dir.path());
            assert_eq!(fast.is_some(), decided, "{name}: decided by the cache tree");
            if let Some(fast) = fast {
                assert_eq!(fast, slow, "{name}");
            }
            if name != "nothing staged" {
                assert!(!slow.is_empty(), "{name}: a change");
            }
        }
    }

    #[test]
    fn a_split_index_is_refused_as_libgit2_refuses_it() {
        let dir = committed_repository();
        git(dir.path(), &["update-index", "--split-index"]);
        write(dir.path(), "a-c.md", "# changed\n");
        git(dir.path(), &["add", "a-c.md"]);
        let repo = GitRepo::open(dir.path()).expect("a repository");
        let error = repo.staged_changes().expect_err("not read").to_string();
        assert!(error.contains("'link'"), "{error}");
    }

    #[test]
    fn the_index_reads_as_libgit2_reads_it() {
        let dir = committed_repository();
        let root = dir.path();
        // Extended flags (index version 3), then version 4's compressed paths.
        write(root, "later.md", "later\n");
        git(root, &["add", "-N", "later.md"]);
        for version in ["3", "4", "2"] {
            if version == "2" {
                git(root, &["reset", "-q", "later.md"]);
            }
            git(root, &["update-index", "--index-version", version]);
            let git_dir = root.join(".git");
            let ours = IndexFile::read(&git_dir.join("index")).expect("read here");
            let theirs =
                IndexFile::from_git2(&git2::Index::open(&git_dir.join("index")).expect("opened"));
            let listed = |index: &IndexFile| -> Vec<(Vec<u8>, IndexEntry)> {
                // Where a path sits in each list's own buffer is not part of the entry.
                index
                    .entries()
                    .iter()
                    .map(|e| (index.path(e).to_vec(), e.clone().without_path()))
                    .collect()
            };
            assert_eq!(listed(&ours), listed(&theirs), "version {version}");
            assert_eq!(ours.entries().len(), if version == "2" { 6 } else { 7 });
            assert!(ours.cache_tree.is_some(), "version {version}");
        }
    }

    #[test]
    fn modes_compare_as_git_compares_them() {
        assert_eq!(canonical_mode(0o100664), 0o100644);
        assert_eq!(canonical_mode(0o100775), 0o100755);
        assert_eq!(canonical_mode(0o100644), 0o100644);
        assert_eq!(canonical_mode(MODE_SYMLINK), MODE_SYMLINK);
        assert_eq!(canonical_mode(MODE_GITLINK), MODE_GITLINK);
        assert_eq!(canonical_mode(0o040000), 0o040000);
    }

    #[test]
    fn prefixes() {
        assert!(under("backlog/a.md", &[]));
        assert!(under("backlog/a.md", &["backlog".into()]));
        assert!(!under("backlog2/a.md", &["backlog".into()]));
        assert!(under("a.md", &["a.md".into()]));
        assert!(under("x/a.md", &[String::new()]));
    }
}
