//! The item cache: what loading and triage made of each file, so that a check that has seen a
//! file before does not parse it again. Entries are keyed by the file's content (its git blob
//! id), its path and its role (the same bytes elsewhere can mean other items), and stored in
//! one file under the git directory (`.git/backlint/items.bin`), whose header names the cache
//! format, backlint's version and a fingerprint of the configuration and model in force: a
//! file from another version or configuration, or a damaged one, is ignored and rebuilt.
//!
//! Writing is atomic (a temporary file renamed into place), so two hooks running at once each
//! leave a whole file and the last one wins; a reader never sees half a file. It is not synced
//! to disk (a hook would wait for that on every commit): the header holds a checksum of the
//! rest, so a file that a crash left torn or zeroed, or that was damaged since, is noticed and
//! rebuilt. Each write keeps what the run used or made, and what it did not use but one of the
//! last [`KEEP_WRITES`] writes did (another folder's files, a file's earlier content): checks of
//! one folder and of the whole repository, or a hook and a working-tree check, do not undo
//! each other's work, and what no run uses any more leaves. A run that only adds entries (a
//! hook that parsed the staged items) adds them to a small journal beside the file
//! (`items.add`, same format, read with it) instead of writing the whole file; the next whole
//! write takes them in. It is not written past [`MAX_BYTES`]. The cache never changes a result: an entry is the
//! exact output of loading and triaging the same bytes at the same path in the same role under
//! the same configuration, and every byte of it is checked when read.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::FileRole;
use crate::model::load::LoadedFile;
use crate::source::{SourceId, with_span_source};
use crate::triage::ItemTriage;
use crate::util::bulk::{self, BulkBytes};

mod made;
pub use made::MadeEntries;

const MAGIC: &[u8; 8] = b"BLCACHE\0";
/// Bumped whenever what is cached, or how, changes.
const FORMAT: u32 = 9;
/// An entry or stamp no run used is dropped after this many writes.
pub const KEEP_WRITES: u32 = 4;
/// Magic, format, fingerprint and the checksum of what follows.
const HEADER_BYTES: usize = 8 + 4 + 16 + 16;
/// A cache file is never written larger than this.
pub const MAX_BYTES: usize = 512 << 20;

/// Identifies an entry: SHA-256 of the blob id, path and role, truncated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey([u8; 16]);

/// The key of a file with content `blob` (a git blob id) at `path`, read in `role`.
pub fn key(blob: &[u8; 20], path: &str, role: &FileRole) -> CacheKey {
    // Blob id, path and role, length-prefixed where variable, hashed as one input.
    let mut input = Vec::with_capacity(64 + path.len());
    input.extend_from_slice(blob);
    input.extend_from_slice(&(path.len() as u64).to_le_bytes());
    input.extend_from_slice(path.as_bytes());
    let place = |input: &mut Vec<u8>, tag: u8, place: &crate::model::ItemPlace| {
        input.extend_from_slice(&[tag, u8::from(place.archived)]);
        let root = place.backlog_md_root.as_deref().unwrap_or("\0");
        input.extend_from_slice(&(root.len() as u64).to_le_bytes());
        input.extend_from_slice(root.as_bytes());
        input.extend_from_slice(
            place
                .folder_kind
                .as_ref()
                .map_or("\0", |k| k.name())
                .as_bytes(),
        );
    };
    match role {
        FileRole::MarkdownItem(p) => place(&mut input, 1, p),
        FileRole::YamlItems(p) => place(&mut input, 2, p),
        FileRole::BacklogMdConfig { root } => {
            input.push(3);
            input.extend_from_slice(root.as_bytes());
        }
        FileRole::DefinitionOfDone => input.push(4),
        FileRole::MarkdownSections { level } => input.extend_from_slice(&[5, *level]),
        FileRole::Skip => input.push(6),
    }
    let digest = Sha256::digest(&input);
    CacheKey(first_16(&digest))
}

/// A fingerprint of everything besides a file's bytes that decides what loading and triage
/// make of it: backlint's version and the effective configuration (fields, statuses, packs,
/// model, thresholds…), given as its debug rendering.
pub fn fingerprint(configuration: &str) -> [u8; 16] {
    let mut hasher = Sha256::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update([0]);
    hasher.update(FORMAT.to_le_bytes());
    hasher.update(configuration.as_bytes());
    first_16(&hasher.finalize())
}

/// The checksum of a cache file's body: CRC-32 (what gzip and PNG use against damage: a
/// fraction of a millisecond for a 10,000-item backlog's cache, where SHA-256 took 3 ms on
/// the hook's path) and the body's length.
fn checksum(body: &[u8]) -> [u8; 16] {
    checksum_of(crc32fast::hash(body), body.len() as u64)
}

/// [`checksum`] of a body whose CRC-32 and length are known.
fn checksum_of(crc: u32, len: u64) -> [u8; 16] {
    let crc = crc.to_le_bytes();
    let len = len.to_le_bytes();
    let mut out = [0u8; 16];
    for (o, b) in out.iter_mut().zip(crc.iter().chain(&len)) {
        *o = *b;
    }
    out
}

/// The first 16 bytes of a digest (zero-padded if shorter, which SHA-256 never is).
fn first_16(digest: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (o, d) in out.iter_mut().zip(digest) {
        *o = *d;
    }
    out
}

/// What a file's metadata said when its blob id was recorded: when it says the same again,
/// the content is the same (as `git status` decides), and the file need not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    pub size: u64,
    pub mtime: (i64, u32),
    pub ctime: (i64, u32),
    pub inode: u64,
}

/// The stamp of the file at `path` (not following a symlink).
pub fn stamp(path: &Path) -> Option<FileStamp> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(FileStamp {
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec() as u32),
            ctime: (meta.ctime(), meta.ctime_nsec() as u32),
            inode: meta.ino(),
        })
    }
    #[cfg(not(unix))]
    {
        let modified = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(FileStamp {
            size: meta.len(),
            mtime: (modified.as_secs() as i64, modified.subsec_nanos()),
            ctime: (0, 0),
            inode: 0,
        })
    }
}

/// Stamps newer than this (relative to the time the cache is written) are not recorded: a
/// file changed again within the same clock tick would keep its stamp (racily clean).
const RACY_SECONDS: i64 = 2;

/// A working-tree file's stamp and blob id, and the last write that used them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Recorded {
    stamp: FileStamp,
    blob: [u8; 20],
    used: u32,
}

/// Where a record is in the bytes of the cache file read (with its journal).
pub type RecordAt = u32;

/// What a record of the cache file is found by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum RecordKey {
    /// An entry, by its key (its first 16 bytes).
    #[default]
    Entry,
    /// A working-tree file's stamp, by its path (after the path's length).
    Stamp,
}

impl RecordKey {
    /// The key of the record at `at` of `data` (empty when it does not fit, which a table
    /// built by [`parse_index`] never holds).
    fn of(self, data: &[u8], at: RecordAt) -> &[u8] {
        let at = at as usize;
        let range = match self {
            RecordKey::Entry => at..at + 16,
            RecordKey::Stamp => {
                let len = u32_at(data, at).unwrap_or(0) as usize;
                at + 4..at + 4 + len
            }
        };
        data.get(range).unwrap_or_default()
    }
}

/// The records of the cache file's bytes (entries, or working-tree files' stamps) by the key
/// written in each. The table holds where each record is, not a copy of what it says: at
/// 50,000 files, maps of keys to what was read took 8 MB, this takes 0.6 MB.
#[derive(Debug, Default)]
struct Records {
    table: hashbrown::HashTable<RecordAt>,
    hasher: foldhash::fast::RandomState,
    key: RecordKey,
}

impl Records {
    fn with_capacity(key: RecordKey, capacity: usize) -> Self {
        Records {
            table: hashbrown::HashTable::with_capacity(capacity),
            hasher: foldhash::fast::RandomState::default(),
            key,
        }
    }

    /// Adds the record at `at` (a later record with the same key replaces the earlier).
    fn insert(&mut self, data: &[u8], at: RecordAt) {
        use std::hash::BuildHasher;
        let (hasher, kind) = (&self.hasher, self.key);
        let key = kind.of(data, at);
        let entry = self.table.entry(
            hasher.hash_one(key),
            |other| kind.of(data, *other) == key,
            |other| hasher.hash_one(kind.of(data, *other)),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(mut entry) => *entry.get_mut() = at,
            hashbrown::hash_table::Entry::Vacant(entry) => {
                entry.insert(at);
            }
        }
    }

    /// Where the record with `key` is.
    fn find(&self, data: &[u8], key: &[u8]) -> Option<RecordAt> {
        use std::hash::BuildHasher;
        let hash = self.hasher.hash_one(key);
        self.table
            .find(hash, |at| self.key.of(data, *at) == key)
            .copied()
    }

    fn iter(&self) -> impl Iterator<Item = RecordAt> + '_ {
        self.table.iter().copied()
    }

    fn len(&self) -> usize {
        self.table.len()
    }
}

/// The little-endian `u32` at `at` of `data`.
fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(bytes.try_into().ok()?))
}

/// The little-endian `u64` at `at` of `data`.
fn u64_at(data: &[u8], at: usize) -> Option<u64> {
    let bytes = data.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(bytes.try_into().ok()?))
}

/// The entry at `at` of `data`: its key, the last write that used it, where its bytes are,
/// and where the next record starts.
fn entry_at(data: &[u8], at: usize) -> Option<(CacheKey, u32, Range<usize>, usize)> {
    let key: [u8; 16] = data.get(at..at.checked_add(16)?)?.try_into().ok()?;
    let last = u32_at(data, at + 16)?;
    let len = u32_at(data, at + 20)? as usize;
    let start = at + 24;
    let end = start.checked_add(len)?;
    data.get(start..end)?;
    Some((CacheKey(key), last, start..end, end))
}

/// The stamp record at `at` of `data`: where its path is (not checked to be UTF-8), what it
/// records, and where the next record starts.
fn stamp_at(data: &[u8], at: usize) -> Option<(Range<usize>, Recorded, usize)> {
    let len = u32_at(data, at)? as usize;
    let path = at + 4..(at + 4).checked_add(len)?;
    let at = path.end;
    data.get(at..at.checked_add(64)?)?;
    let stamp = FileStamp {
        size: u64_at(data, at)?,
        mtime: (u64_at(data, at + 8)? as i64, u32_at(data, at + 16)?),
        ctime: (u64_at(data, at + 20)? as i64, u32_at(data, at + 28)?),
        inode: u64_at(data, at + 32)?,
    };
    let blob: [u8; 20] = data.get(at + 40..at + 60)?.try_into().ok()?;
    let used = u32_at(data, at + 60)?;
    Some((path, Recorded { stamp, blob, used }, at + 64))
}

/// The stamp record at `at` of `data` with its path read as UTF-8 (checked by [`parse_index`]).
fn stamp_with_path_at(data: &[u8], at: RecordAt) -> Option<(&str, Recorded)> {
    let (path, recorded, _) = stamp_at(data, at as usize)?;
    Some((std::str::from_utf8(data.get(path)?).ok()?, recorded))
}

/// A working-tree file's recorded stamp: where the record is, and what it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StampRecord {
    pub at: RecordAt,
    pub stamp: FileStamp,
    pub blob: [u8; 20],
}

/// What a run found of a working-tree file's stamp, for the next run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StampUse {
    /// The one recorded (it is written again from the file read, not copied per file).
    Unchanged(RecordAt),
    /// A new or changed one: the path, stamp and blob id.
    New(Arc<str>, FileStamp, [u8; 20]),
}

impl StampUse {
    /// The use of `stamp` and `blob` for the file at `path`, whose recorded stamp is `record`.
    pub fn of(
        record: Option<StampRecord>,
        path: &Arc<str>,
        stamp: FileStamp,
        blob: [u8; 20],
    ) -> Self {
        match record {
            Some(r) if (r.stamp, r.blob) == (stamp, blob) => StampUse::Unchanged(r.at),
            _ => StampUse::New(Arc::clone(path), stamp, blob),
        }
    }
}

/// What is cached of one file: its loaded items, and their triage, decoded or (for a run that
/// may need few of them) as the bytes stored, to decode when asked for.
#[derive(Debug)]
pub struct CachedFile<'a> {
    pub loaded: LoadedFile,
    pub triage: CachedTriage<'a>,
    /// How many bytes the content had: a working-tree file of another size is not this
    /// content, whatever blob id its path was given (a checkout that converts line ends
    /// writes other bytes than the blob's).
    pub bytes: u64,
}

/// The triage of a cached file's items.
#[derive(Debug)]
pub enum CachedTriage<'a> {
    /// Parallel to the file's items.
    Decoded(Vec<ItemTriage>),
    /// As stored: `encoded` decodes with [`decode_triage`]; `triggered` holds, per item,
    /// whether it triggered a category (1) or not (0).
    Deferred {
        encoded: &'a [u8],
        triggered: &'a [u8],
    },
}

impl Default for CachedTriage<'_> {
    fn default() -> Self {
        CachedTriage::Decoded(Vec::new())
    }
}

/// An entry as stored: the triage, encoded on its own, follows the items, so that it can be
/// taken as it is and decoded only if needed; whether each item triggered a category is kept
/// beside it, for the count of triggered items.
#[derive(Deserialize)]
struct Stored<'a> {
    bytes: u64,
    loaded: LoadedFile,
    #[serde(borrow)]
    triggered: &'a [u8],
    #[serde(borrow)]
    triage: &'a [u8],
}

/// A byte string, written as one (postcard: its length, then its bytes).
struct RawBytes<'a>(&'a [u8]);

impl Serialize for RawBytes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// Encodes an entry for content of `bytes` bytes.
pub fn encode(loaded: &LoadedFile, triage: &[ItemTriage], bytes: u64) -> Option<Vec<u8>> {
    #[derive(Serialize)]
    struct Borrowed<'a> {
        bytes: u64,
        loaded: &'a LoadedFile,
        triggered: RawBytes<'a>,
        triage: RawBytes<'a>,
    }
    let triggered: Vec<u8> = triage
        .iter()
        .map(|t| u8::from(!t.categories.is_empty()))
        .collect();
    let encoded = postcard::to_allocvec(triage).ok()?;
    postcard::to_allocvec(&Borrowed {
        bytes,
        loaded,
        triggered: RawBytes(&triggered),
        triage: RawBytes(&encoded),
    })
    .ok()
}

/// Another way to learn a working-tree file's blob id from its stamp, asked when the cache
/// recorded none for it: git's index, which vouches for files whose size and time it
/// recorded (see `discover::git::IndexedBlobs`).
pub struct BlobOracle(pub Box<BlobOf>);

/// The blob id of the working-tree file at a path with a stamp, if known.
pub type BlobOf = dyn Fn(&str, &FileStamp) -> Option<[u8; 20]> + Send + Sync;

impl std::fmt::Debug for BlobOracle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlobOracle")
    }
}

/// Decodes an entry of the file at `path`, its spans belonging to `source`; `None` when it
/// does not decode whole. With `defer_triage`, the items' triage is left as stored.
pub fn decode<'a>(
    bytes: &'a [u8],
    source: SourceId,
    path: &Arc<str>,
    defer_triage: bool,
) -> Option<CachedFile<'a>> {
    let stored = with_span_source(source, || {
        match postcard::take_from_bytes::<Stored>(bytes) {
            Ok((stored, [])) => Some(stored),
            _ => None,
        }
    })?;
    let items = stored.loaded.items.len();
    if stored.triggered.len() != items {
        return None;
    }
    let triage = if defer_triage {
        CachedTriage::Deferred {
            encoded: stored.triage,
            triggered: stored.triggered,
        }
    } else {
        let triage = decode_triage(stored.triage, source).filter(|t| t.len() == items)?;
        CachedTriage::Decoded(triage)
    };
    let mut loaded = stored.loaded;
    for item in &mut loaded.items {
        item.path = Arc::clone(path);
    }
    Some(CachedFile {
        loaded,
        triage,
        bytes: stored.bytes,
    })
}

/// Decodes the triage of an entry's items, as [`CachedTriage::Deferred`] holds it, its spans
/// belonging to `source`.
pub fn decode_triage(encoded: &[u8], source: SourceId) -> Option<Vec<ItemTriage>> {
    with_span_source(source, || {
        match postcard::take_from_bytes::<Vec<ItemTriage>>(encoded) {
            Ok((triage, [])) => Some(triage),
            _ => None,
        }
    })
}

/// What a run used of the cache and made for it: the entries to write for the next run.
#[derive(Debug, Default)]
pub struct CacheWrites {
    /// Entries of the cache file this run used.
    pub kept: Vec<CacheKey>,
    /// Entries this run made (files it parsed).
    pub made: MadeEntries,
    /// Working-tree files whose recorded stamp this run found again.
    pub stamps_unchanged: Vec<RecordAt>,
    /// Working-tree files whose stamp is new or changed: path, stamp and blob id.
    pub stamps: Vec<(Arc<str>, FileStamp, [u8; 20])>,
}

impl CacheWrites {
    /// What a run over `files` files with `cache` writes: entries it makes wait beside the
    /// cache file once many, and its list of stamps is sized once (grown by doubling, it was
    /// copied at 50,000 files when it was 2-4 MB, at the run's peak).
    pub fn for_cache(cache: Option<&ItemCache>, files: usize) -> Self {
        let Some(cache) = cache else {
            return CacheWrites::default();
        };
        let made = match cache.file.parent() {
            Some(dir) => MadeEntries::spilling_into(dir),
            None => MadeEntries::default(),
        };
        CacheWrites {
            made,
            stamps: Vec::with_capacity(files),
            ..CacheWrites::default()
        }
    }

    /// Adds what the run found of a working-tree file's stamp.
    pub fn add_stamp(&mut self, stamp: StampUse) {
        match stamp {
            StampUse::Unchanged(at) => self.stamps_unchanged.push(at),
            StampUse::New(path, stamp, blob) => self.stamps.push((path, stamp, blob)),
        }
    }
}

/// The cache file of a run: its entries (read once, decoded on demand), and what happened.
#[derive(Debug, Default)]
pub struct ItemCache {
    file: PathBuf,
    fingerprint: [u8; 16],
    /// The file's bytes (with its journal's). They are let go when the files are loaded; a
    /// large file's are held by the system's allocator, which gives them back at once (at
    /// 50,000 files their 17 MB counted in the run's peak when the program's kept them).
    data: BulkBytes,
    /// How many times the file was written (wrapping): entries and stamps record the last
    /// write that used them.
    generation: u32,
    /// Entries by key.
    entries: Records,
    /// Working-tree files' stamps and blob ids when last read, and the last write that used
    /// them, by path.
    stamps: Records,
    /// Where the journal's bytes start in `data` (they follow the file's), when there is one
    /// (see [`ItemCache::add_to_journal`]).
    journal: Option<usize>,
    /// Why the file on disk was not used, if it was not (for `--verbose`).
    pub note: Option<String>,
    /// Asked for the blob id of a file whose stamp the cache does not know.
    oracle: Option<BlobOracle>,
}

impl ItemCache {
    /// Opens the cache file `file` for configuration `fingerprint`: a missing, damaged or
    /// foreign file gives an empty cache (with a note saying why).
    pub fn open(file: &Path, fingerprint: [u8; 16]) -> ItemCache {
        let mut cache = ItemCache {
            file: file.to_path_buf(),
            fingerprint,
            ..ItemCache::default()
        };
        let data = match bulk::read(file, MAX_BYTES as u64) {
            Ok(data) => data,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                cache.note =
                    Some("no cache yet: every file is parsed and the cache is built".into());
                return cache;
            }
            Err(e) => {
                cache.note = Some(format!("the cache cannot be read ({e}); it is rebuilt"));
                return cache;
            }
        };
        match parse_index(&data, &fingerprint) {
            Ok(parsed) => {
                cache.generation = parsed.generation;
                cache.entries = parsed.entries;
                cache.stamps = parsed.stamps;
                cache.data = data;
                cache.read_journal();
            }
            Err(why) => cache.note = Some(format!("the cache is {why}; it is rebuilt")),
        }
        cache
    }

    /// Adds the journal's entries (a missing, damaged or foreign journal adds nothing; the next
    /// whole write replaces it).
    fn read_journal(&mut self) {
        let Ok(journal) = std::fs::read(journal_file(&self.file)) else {
            return;
        };
        let start = self.data.len();
        let Ok(parsed) = parse_index(&journal, &self.fingerprint) else {
            return;
        };
        // Records are found by where they are in the file and its journal together.
        if start
            .checked_add(journal.len())
            .is_none_or(|end| RecordAt::try_from(end).is_err())
        {
            return;
        }
        self.journal = Some(start);
        self.data.extend_from_slice(&journal);
        for at in parsed.entries.iter() {
            self.entries.insert(&self.data, at + start as RecordAt);
        }
    }

    /// The encoded entry of `key`, if the cache has one.
    pub fn get(&self, key: &CacheKey) -> Option<&[u8]> {
        let at = self.entries.find(&self.data, &key.0)?;
        let (_, _, bytes, _) = entry_at(&self.data, at as usize)?;
        self.data.get(bytes)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Writes the cache for the next run when `writes` differ from what the file holds (and
    /// consumes it: its bytes are not needed after loading). Returns a note when the file
    /// could not be written (the cache only saves work: that is not an error).
    pub fn update(self, writes: &CacheWrites) -> Option<String> {
        let stamps_changed = !writes.stamps.is_empty();
        if writes.made.is_empty() && !stamps_changed {
            return None;
        }
        let journal = (!stamps_changed)
            .then(|| self.add_to_journal(&writes.made))
            .flatten();
        journal
            .unwrap_or_else(|| self.save(writes))
            .err()
            .map(|e| format!("the item cache was not written: {e}"))
    }

    /// The stamp recorded for the working-tree file at `path`, if any.
    pub fn stamp_record(&self, path: &str) -> Option<StampRecord> {
        let at = self.stamps.find(&self.data, path.as_bytes())?;
        let (_, recorded, _) = stamp_at(&self.data, at as usize)?;
        Some(StampRecord {
            at,
            stamp: recorded.stamp,
            blob: recorded.blob,
        })
    }

    /// The blob id of the working-tree file at `path` when its stamp is the recorded one, or
    /// else when the oracle knows it.
    pub fn known_blob(&self, path: &str, stamp: &FileStamp) -> Option<[u8; 20]> {
        self.blob_for(self.stamp_record(path), path, stamp)
    }

    /// [`ItemCache::known_blob`] with the recorded stamp already looked up.
    pub fn blob_for(
        &self,
        record: Option<StampRecord>,
        path: &str,
        stamp: &FileStamp,
    ) -> Option<[u8; 20]> {
        record
            .filter(|r| r.stamp == *stamp)
            .map(|r| r.blob)
            .or_else(|| (self.oracle.as_ref()?.0)(path, stamp))
    }

    /// What this run found of the working-tree file at `path`, with `stamp` and `blob`.
    pub fn stamp_use(&self, path: &Arc<str>, stamp: FileStamp, blob: [u8; 20]) -> StampUse {
        StampUse::of(self.stamp_record(path), path, stamp, blob)
    }

    /// Asks `oracle` for the blob ids of files whose stamps the cache does not know.
    pub fn with_oracle(mut self, oracle: BlobOracle) -> ItemCache {
        self.oracle = Some(oracle);
        self
    }

    /// Whether write `generation` still keeps what write `used` last used: it survives
    /// [`KEEP_WRITES`] writes that do not use it.
    fn still_kept(generation: u32, used: u32) -> bool {
        generation.wrapping_sub(used) <= KEEP_WRITES
    }

    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    /// Writes the cache for the next run: the entries this run used (`kept`, from this cache)
    /// and the ones it made (`made`), and the working-tree files' stamps it found — with
    /// those of this cache (not of its journal) it did not use that one of the last
    /// [`KEEP_WRITES`] writes used. Atomic; skipped when larger than [`MAX_BYTES`].
    pub fn save(&self, writes: &CacheWrites) -> std::io::Result<bool> {
        let CacheWrites {
            kept,
            made,
            stamps_unchanged,
            stamps,
        } = writes;
        let data = &*self.data;
        let generation = self.generation.wrapping_add(1);
        // Sets of what this run used, built only when the file holds something to test
        // against them (a first run's file holds nothing: at 50,000 files they were megabytes
        // at the run's peak).
        let used: std::collections::HashSet<CacheKey> = if self.entries.len() == 0 {
            Default::default()
        } else {
            kept.iter().copied().chain(made.keys()).collect()
        };
        // The journal's entries this run did not use are mostly earlier contents of staged
        // files (a hook adds one per commit): they go now, not after KEEP_WRITES writes.
        let in_file = |at: usize| self.journal.is_none_or(|start| at < start);
        let earlier = self.entries.iter().filter_map(|at| {
            let (key, last, bytes, _) = entry_at(data, at as usize)?;
            let unused = !used.contains(&key) && in_file(at as usize);
            (unused && Self::still_kept(generation, last)).then(|| (key, data.get(bytes), last))
        });
        // Keys are unique: a key is kept (found in this cache), made (not found), or earlier
        // (neither), never two of these. The order only makes the file the same for the same
        // run; the entries made follow these.
        let mut entries: Vec<(CacheKey, &[u8], u32)> = kept
            .iter()
            .filter_map(|k| self.get(k).map(|bytes| (*k, bytes, generation)))
            .chain(earlier.filter_map(|(key, bytes, last)| Some((key, bytes?, last))))
            .collect();
        entries.sort_unstable_by_key(|(k, _, _)| *k);
        entries.dedup_by_key(|(k, _, _)| *k);
        let made = (made, generation);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(i64::MAX, |d| d.as_secs() as i64);
        let settled =
            |s: &FileStamp| s.mtime.0 < now - RACY_SECONDS && s.ctime.0 < now - RACY_SECONDS;
        let new_paths: std::collections::HashSet<&str> = if self.stamps.len() == 0 {
            Default::default()
        } else {
            stamps.iter().map(|(path, _, _)| &**path).collect()
        };
        let unchanged: std::collections::HashSet<RecordAt> =
            stamps_unchanged.iter().copied().collect();
        let this_run =
            |at: RecordAt, path: &str| unchanged.contains(&at) || new_paths.contains(path);
        // The stamps to write, as where each is (this run's list, or the file read) and the
        // write that last used it, not as copies: at 50,000 files the copies were 4 MB.
        let rows: Vec<StampRow> = (0..stamps.len())
            .filter(|n| stamps.get(*n).is_some_and(|(_, s, _)| settled(s)))
            .map(StampRow::Found)
            .chain(stamps_unchanged.iter().filter_map(|at| {
                let (path, r) = stamp_with_path_at(data, *at)?;
                (!new_paths.contains(path) && settled(&r.stamp))
                    .then_some(StampRow::Recorded(*at, generation))
            }))
            .chain(self.stamps.iter().filter_map(|at| {
                let (path, r) = stamp_with_path_at(data, at)?;
                (!this_run(at, path) && Self::still_kept(generation, r.used))
                    .then_some(StampRow::Recorded(at, r.used))
            }))
            .collect();
        let recorded = rows.iter().filter_map(|row| match *row {
            StampRow::Found(n) => {
                let (path, s, blob) = stamps.get(n)?;
                Some((&**path, *s, *blob, generation))
            }
            StampRow::Recorded(at, used) => {
                let (path, r) = stamp_with_path_at(data, at)?;
                Some((path, r.stamp, r.blob, used))
            }
        });
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if !self.write_file(&self.file, generation, &entries, made, recorded)? {
            return Ok(false);
        }
        // The journal's entries are in the file now (a hook that adds to it meanwhile only
        // loses time); a journal that could not be read goes too.
        let _ = std::fs::remove_file(journal_file(&self.file));
        Ok(true)
    }

    /// Adds `made` to the journal next to the cache file instead of writing the file whole,
    /// when the stamps are unchanged and the journal stays small (an eighth of the file, or
    /// 256 KiB): a hook that parsed the one staged item writes that entry, not the backlog's.
    /// `None` when the journal is not the place (write the file whole).
    fn add_to_journal(&self, made: &MadeEntries) -> Option<std::io::Result<bool>> {
        let base_bytes = self.journal.unwrap_or(self.data.len());
        let journal_bytes = self.data.len() - base_bytes;
        let adding: u64 = made.sizes().map(|len| 24 + len).sum();
        let limit = (base_bytes / 8).max(256 << 10) as u64;
        if self.data.is_empty() || (journal_bytes as u64).saturating_add(adding) > limit {
            return None;
        }
        // The journal's entries are not made again (they would have been found in it).
        let mut entries: Vec<(CacheKey, &[u8], u32)> = Vec::new();
        if let Some(start) = self.journal {
            entries.extend(self.entries.iter().filter_map(|at| {
                let (key, last, bytes, _) = entry_at(&self.data, at as usize)?;
                (at as usize >= start).then_some((key, self.data.get(bytes)?, last))
            }));
        }
        entries.sort_unstable_by_key(|(k, _, _)| *k);
        let (none, made) = (std::iter::empty(), (made, self.generation));
        Some(self.write_file(
            &journal_file(&self.file),
            self.generation,
            &entries,
            made,
            none,
        ))
    }

    /// Writes the cache file `path` atomically: header, checksum, write `generation`, entries
    /// and stamps, a piece at a time (the file is not held whole: at 50,000 files it is 17 MB).
    /// `false`, and nothing written, past [`MAX_BYTES`].
    fn write_file<'a>(
        &self,
        path: &Path,
        generation: u32,
        entries: &[(CacheKey, &[u8], u32)],
        made: (&MadeEntries, u32),
        recorded: impl Iterator<Item = StampToWrite<'a>> + Clone,
    ) -> std::io::Result<bool> {
        // The stamps are gone over once here for their count and size, not again per pass.
        let (stamp_count, stamp_bytes) = recorded
            .clone()
            .fold((0usize, 0u64), |(n, bytes), (p, ..)| {
                (n + 1, bytes + 68 + p.len() as u64)
            });
        let size: u64 = (HEADER_BYTES + 12) as u64
            + entries
                .iter()
                .map(|(_, b, _)| 24 + b.len() as u64)
                .sum::<u64>()
            + made.0.sizes().map(|len| 24 + len).sum::<u64>()
            + stamp_bytes;
        if size > MAX_BYTES as u64 {
            return Ok(false);
        }
        // The header holds the body's checksum: the body is gone over twice, once for that.
        let (mut crc, mut len) = (crc32fast::Hasher::new(), 0u64);
        write_body(
            generation,
            entries,
            made,
            (recorded.clone(), stamp_count),
            &mut |piece| {
                crc.update(piece);
                len += piece.len() as u64;
                Ok(())
            },
        )?;
        let sum = checksum_of(crc.finalize(), len);
        crate::util::fs::write_atomically_unsynced_with(path, |out| {
            out.write_all(MAGIC)?;
            out.write_all(&FORMAT.to_le_bytes())?;
            out.write_all(&self.fingerprint)?;
            out.write_all(&sum)?;
            write_body(
                generation,
                entries,
                made,
                (recorded, stamp_count),
                &mut |piece| out.write_all(piece),
            )
        })?;
        Ok(true)
    }
}

/// A working-tree file's stamp as written: its path, stamp, blob id and the last write that
/// used it.
type StampToWrite<'a> = (&'a str, FileStamp, [u8; 20], u32);

/// Where a stamp to write is: this run's list of new stamps (at an index), or the file read
/// (at a record, with the last write that used it).
#[derive(Clone, Copy, Debug)]
enum StampRow {
    Found(usize),
    Recorded(RecordAt, u32),
}

/// Gives `sink` a cache file's body a piece at a time: write `generation`, the count of entries
/// and each entry (key, last use, length, bytes: `entries`, then those `made`, last used by
/// write `made_last`), the count of stamps (`recorded_count`, how many `recorded` gives) and
/// each stamp (path's length and path, size, times, inode, blob id, last use).
fn write_body<'a>(
    generation: u32,
    entries: &[(CacheKey, &[u8], u32)],
    (made, made_last): (&MadeEntries, u32),
    (recorded, recorded_count): (impl Iterator<Item = StampToWrite<'a>>, usize),
    sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    sink(&generation.to_le_bytes())?;
    sink(&((entries.len() + made.len()) as u32).to_le_bytes())?;
    let mut entry = |key: CacheKey, bytes: &[u8], last: u32| -> std::io::Result<()> {
        sink(&key.0)?;
        sink(&last.to_le_bytes())?;
        sink(&(bytes.len() as u32).to_le_bytes())?;
        sink(bytes)
    };
    for (key, bytes, last) in entries {
        entry(*key, bytes, *last)?;
    }
    made.for_each(&mut |key, bytes| entry(key, bytes, made_last))?;
    sink(&(recorded_count as u32).to_le_bytes())?;
    for (path, s, blob, last) in recorded {
        sink(&(path.len() as u32).to_le_bytes())?;
        sink(path.as_bytes())?;
        sink(&s.size.to_le_bytes())?;
        sink(&s.mtime.0.to_le_bytes())?;
        sink(&s.mtime.1.to_le_bytes())?;
        sink(&s.ctime.0.to_le_bytes())?;
        sink(&s.ctime.1.to_le_bytes())?;
        sink(&s.inode.to_le_bytes())?;
        sink(&blob)?;
        sink(&last.to_le_bytes())?;
    }
    Ok(())
}

/// The journal next to cache file `file`: entries added since it was last written whole.
fn journal_file(file: &Path) -> PathBuf {
    file.with_extension("add")
}

/// The entries and stamps of a cache file's bytes.
struct Parsed {
    generation: u32,
    entries: Records,
    stamps: Records,
}

fn parse_index(data: &[u8], fingerprint: &[u8; 16]) -> Result<Parsed, &'static str> {
    if data.get(0..8) != Some(MAGIC.as_slice()) {
        return Err("not a backlint cache");
    }
    if u32_at(data, 8) != Some(FORMAT) {
        return Err("from another version of backlint");
    }
    if data.get(12..28) != Some(fingerprint.as_slice()) {
        return Err("from another version of backlint or another configuration");
    }
    const DAMAGED: &str = "damaged (truncated)";
    match (
        data.get(HEADER_BYTES - 16..HEADER_BYTES),
        data.get(HEADER_BYTES..),
    ) {
        (Some(recorded), Some(body)) if recorded == checksum(body).as_slice() => {}
        (Some(_), Some(_)) => return Err("damaged (its checksum does not match)"),
        _ => return Err(DAMAGED),
    }
    // Records are found by where they are, as a `RecordAt`.
    if RecordAt::try_from(data.len()).is_err() {
        return Err("too large");
    }
    let generation = u32_at(data, HEADER_BYTES).ok_or(DAMAGED)?;
    let count = u32_at(data, HEADER_BYTES + 4).ok_or(DAMAGED)? as usize;
    let mut entries = Records::with_capacity(RecordKey::Entry, count.min(1 << 20));
    let mut at = HEADER_BYTES + 8;
    for _ in 0..count {
        let (_, _, _, next) = entry_at(data, at).ok_or(DAMAGED)?;
        entries.insert(data, at as RecordAt);
        at = next;
    }
    let count = u32_at(data, at).ok_or(DAMAGED)? as usize;
    at += 4;
    let mut stamps = Records::with_capacity(RecordKey::Stamp, count.min(1 << 20));
    for _ in 0..count {
        let (path, _, next) = stamp_at(data, at).ok_or(DAMAGED)?;
        std::str::from_utf8(data.get(path).ok_or(DAMAGED)?)
            .map_err(|_| "damaged (a path is not UTF-8)")?;
        stamps.insert(data, at as RecordAt);
        at = next;
    }
    if at != data.len() {
        return Err("damaged (trailing bytes)");
    }
    Ok(Parsed {
        generation,
        entries,
        stamps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ItemPlace;

    /// With the cache at `file` holding `a.md`'s stamp and one entry: entries a run adds with
    /// the stamps unchanged go to the journal (the file itself is not written), are read back
    /// with it, and move into the file at its next whole write; a damaged journal is ignored.
    fn journal_takes_what_a_hook_adds(file: &Path, print: [u8; 16]) {
        let cache = ItemCache::open(file, print);
        let recorded: Vec<(Arc<str>, FileStamp, [u8; 20])> = cache
            .stamps
            .iter()
            .filter_map(|at| {
                let (path, r) = stamp_with_path_at(&cache.data, at)?;
                Some((Arc::from(path), r.stamp, r.blob))
            })
            .collect();
        assert_eq!(recorded.len(), 1);
        let base = std::fs::read(file).unwrap_or_default();
        // A run's writes: what it made, and the stamps it found (the recorded ones, unless
        // said otherwise).
        let writes = |cache: &ItemCache,
                      made: Vec<(CacheKey, Vec<u8>)>,
                      stamps: &[(Arc<str>, FileStamp, [u8; 20])]| {
            let mut writes = CacheWrites {
                kept: vec![CacheKey([1; 16])],
                made: made.into(),
                ..CacheWrites::default()
            };
            for (path, stamp, blob) in stamps {
                writes.add_stamp(cache.stamp_use(path, *stamp, *blob));
            }
            writes
        };
        let (k4, k5) = (CacheKey([4; 16]), CacheKey([5; 16]));
        let four = writes(&cache, vec![(k4, vec![4])], &recorded);
        assert_eq!(four.stamps_unchanged.len(), 1);
        assert_eq!(cache.update(&four), None);
        let cache = ItemCache::open(file, print);
        let five = writes(&cache, vec![(k5, vec![5])], &recorded);
        assert_eq!(cache.update(&five), None);
        assert_eq!(
            std::fs::read(file).unwrap_or_default(),
            base,
            "the file was written"
        );
        let journal = journal_file(file);
        let cache = ItemCache::open(file, print);
        assert_eq!(
            (
                cache.get(&k4),
                cache.get(&k5),
                cache.get(&CacheKey([1; 16]))
            ),
            (
                Some([4u8].as_slice()),
                Some([5u8].as_slice()),
                Some([1u8, 2, 3].as_slice())
            )
        );
        // A damaged journal adds nothing and spoils nothing.
        let good = std::fs::read(&journal).unwrap_or_default();
        let mut bad = good.clone();
        if let Some(byte) = bad.last_mut() {
            *byte ^= 1;
        }
        std::fs::write(&journal, &bad).unwrap_or_else(|e| panic!("{e}"));
        let cache = ItemCache::open(file, print);
        assert_eq!((cache.get(&k4), cache.note.clone()), (None, None));
        assert!(cache.get(&CacheKey([1; 16])).is_some());
        std::fs::write(&journal, &good).unwrap_or_else(|e| panic!("{e}"));
        // Too much for the journal (more than 256 KiB here): the file is written whole, with
        // the journal's entries the run used (not the others: earlier contents of staged
        // files, mostly), and the journal goes.
        let cache = ItemCache::open(file, print);
        let k6 = CacheKey([6; 16]);
        let mut whole = writes(&cache, vec![(k6, vec![6; 300 << 10])], &recorded);
        whole.kept.push(k4);
        assert_eq!(cache.update(&whole), None);
        assert!(!journal.exists(), "the journal outlived a whole write");
        let cache = ItemCache::open(file, print);
        assert_eq!(
            [k4, k5, k6].map(|k| cache.get(&k).is_some()),
            [true, false, true]
        );
        assert_eq!(
            cache.known_blob("a.md", &recorded[0].1),
            Some(recorded[0].2)
        );
        // Changed stamps are written whole too; a journal that cannot be read goes with it.
        std::fs::write(&journal, b"garbage").unwrap_or_else(|e| panic!("{e}"));
        let cache = ItemCache::open(file, print);
        let moved = FileStamp {
            inode: 99,
            ..recorded[0].1
        };
        let stamps = [(Arc::from("a.md"), moved, recorded[0].2)];
        let changed = writes(&cache, vec![], &stamps);
        assert_eq!(changed.stamps.len(), 1);
        assert_eq!(cache.update(&changed), None);
        assert!(!journal.exists());
        let cache = ItemCache::open(file, print);
        assert_eq!(cache.known_blob("a.md", &moved), Some(recorded[0].2));
    }

    #[test]
    fn entries_made_and_moved_to_a_temporary_file_are_written_whole() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("backlint/items.bin");
        let print = fingerprint("config A");
        let empty = ItemCache::open(&file, print);
        let mut writes = CacheWrites::for_cache(Some(&empty), 0);
        let entries: Vec<(CacheKey, Vec<u8>)> = (0..20u8)
            .map(|n| (CacheKey([n; 16]), vec![n; 700_000 + usize::from(n)]))
            .collect();
        for (key, bytes) in &entries {
            writes.made.push(*key, bytes);
        }
        assert!(writes.made.spilled(), "nothing was moved to a file");
        assert_eq!(empty.save(&writes).ok(), Some(true));
        let cache = ItemCache::open(&file, print);
        assert_eq!(cache.note, None);
        assert_eq!(cache.len(), entries.len());
        for (key, bytes) in &entries {
            assert_eq!(cache.get(key), Some(bytes.as_slice()));
        }
        // The temporary file had no name: the folder holds the cache file alone.
        drop(writes);
        let names: Vec<_> = std::fs::read_dir(dir.path().join("backlint"))
            .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(names, vec![std::ffi::OsString::from("items.bin")]);
    }

    #[test]
    fn keys_depend_on_content_path_and_role() {
        let md = FileRole::MarkdownItem(ItemPlace::default());
        let a = key(&[1; 20], "a.md", &md);
        assert_eq!(a, key(&[1; 20], "a.md", &md));
        assert_ne!(a, key(&[2; 20], "a.md", &md));
        assert_ne!(a, key(&[1; 20], "b.md", &md));
        assert_ne!(
            a,
            key(&[1; 20], "a.md", &FileRole::MarkdownSections { level: 2 })
        );
    }

    #[test]
    fn an_entry_gives_its_triage_decoded_or_as_stored_alike() {
        use crate::model::{FieldNames, ItemPlace, LoadContext, StatusTable};
        use crate::source::LineIndex;
        let Some(checklist) = crate::harness::checklist() else {
            panic!("the default checklist compiles");
        };
        let text = "items:\n  - id: STORY-1\n    title: Password reset by email\n    \
                    status: todo\n  - id: STORY-2\n    title: Rename a button\n";
        let source = SourceId(7);
        let index = LineIndex::new(source, text);
        let (fields, statuses) = (FieldNames::default(), StatusTable::default());
        let cx = LoadContext {
            fields: &fields,
            statuses: &statuses,
            max_item_file_bytes: 1 << 20,
            detector_fields: &[],
        };
        let path: Arc<str> = Arc::from("items.yaml");
        let role = FileRole::YamlItems(ItemPlace::default());
        let loaded = crate::model::load::load_file(&role, &index, &path, cx);
        let triage: Vec<ItemTriage> = loaded
            .items
            .iter()
            .map(|item| checklist.classify(item, &index))
            .collect();
        assert_eq!(triage.len(), 2);
        assert!(!triage[0].categories.is_empty() && triage[1].categories.is_empty());
        let entry = encode(&loaded, &triage, text.len() as u64)
            .unwrap_or_else(|| panic!("the entry encodes"));
        let Some(now) = decode(&entry, source, &path, false) else {
            panic!("the entry decodes");
        };
        let Some(later) = decode(&entry, source, &path, true) else {
            panic!("the entry decodes, its triage left as stored");
        };
        assert_eq!(now.bytes, text.len() as u64);
        assert_eq!(later.loaded.items.len(), 2);
        let CachedTriage::Decoded(decoded) = now.triage else {
            panic!("decoded now");
        };
        let CachedTriage::Deferred { encoded, triggered } = later.triage else {
            panic!("left as stored");
        };
        assert_eq!(decoded, triage);
        assert_eq!(triggered, [1, 0]);
        assert_eq!(decode_triage(encoded, source), Some(triage));
        // A stored triage cut short does not decode, and neither does the entry.
        assert_eq!(decode_triage(&encoded[..encoded.len() - 1], source), None);
        assert!(decode(&entry[..entry.len() - 1], source, &path, true).is_none());
    }

    #[test]
    fn round_trip_and_damage() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("backlint/items.bin");
        let print = fingerprint("config A");
        let empty = ItemCache::open(&file, print);
        assert!(empty.is_empty() && empty.note.is_some());
        let k1 = CacheKey([1; 16]);
        let k2 = CacheKey([2; 16]);
        let old = FileStamp {
            size: 3,
            mtime: (1_000, 5),
            ctime: (1_000, 6),
            inode: 9,
        };
        let fresh = FileStamp {
            mtime: (i64::MAX / 2, 0),
            ..old
        };
        let stamps = vec![
            (Arc::from("a.md"), old, [7u8; 20]),
            (Arc::from("new.md"), fresh, [8u8; 20]),
        ];
        let first = CacheWrites {
            made: vec![(k1, vec![1, 2, 3]), (k2, vec![])].into(),
            stamps: stamps.clone(),
            ..CacheWrites::default()
        };
        assert_eq!(empty.save(&first).ok(), Some(true));
        let cache = ItemCache::open(&file, print);
        assert_eq!(cache.note, None);
        assert_eq!(cache.get(&k1), Some([1u8, 2, 3].as_slice()));
        assert_eq!(cache.get(&k2), Some([].as_slice()));
        assert_eq!(cache.known_blob("a.md", &old), Some([7u8; 20]));
        let touched = FileStamp {
            mtime: (1_001, 5),
            ..old
        };
        assert_eq!(cache.known_blob("a.md", &touched), None);
        // A file changed too recently to trust its stamp is not recorded.
        assert_eq!(cache.known_blob("new.md", &fresh), None);
        // What a run does not use survives the next writes (another folder's files, a file's
        // earlier content), and leaves once KEEP_WRITES writes in a row did not use it: an
        // entry and a stamp alike.
        let mut cache = cache;
        for write in 1..=KEEP_WRITES + 1 {
            let k3 = CacheKey([write as u8 + 10; 16]);
            let writes = CacheWrites {
                kept: vec![k2],
                made: vec![(k3, vec![])].into(),
                ..CacheWrites::default()
            };
            assert_eq!(cache.save(&writes).ok(), Some(true));
            cache = ItemCache::open(&file, print);
            assert_eq!(cache.get(&k2), Some([].as_slice()), "write {write}");
            let kept = write <= KEEP_WRITES;
            assert_eq!(cache.get(&k1).is_some(), kept, "write {write}");
            assert_eq!(
                cache.known_blob("a.md", &old).is_some(),
                kept,
                "write {write}"
            );
        }
        // Each write's own entry is still there (none is older than KEEP_WRITES writes).
        assert_eq!(cache.len(), 1 + KEEP_WRITES as usize + 1);
        // Another configuration, a damaged or foreign file: ignored, with a note.
        assert!(ItemCache::open(&file, fingerprint("config B")).is_empty());
        let bytes = std::fs::read(&file).unwrap_or_default();
        for cut in [0, 7, 12, 31, 43, 47, bytes.len() - 1, bytes.len() - 30] {
            std::fs::write(&file, &bytes[..cut]).unwrap_or_else(|e| panic!("{e}"));
            let c = ItemCache::open(&file, print);
            assert!(c.is_empty() && c.note.is_some(), "cut at {cut}");
        }
        // Any changed byte (a torn write, a zeroed block, a flipped bit) is noticed: the count
        // of entries, an entry's bytes, its length, a stamp's blob id.
        let empty = ItemCache::open(&file, print);
        let one = CacheWrites {
            made: vec![(k1, vec![1, 2, 3])].into(),
            stamps: stamps[..1].to_vec(),
            ..CacheWrites::default()
        };
        assert_eq!(empty.save(&one).ok(), Some(true));
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert_eq!(
            ItemCache::open(&file, print).get(&k1),
            Some([1u8, 2, 3].as_slice())
        );
        // Body: generation, count, then each entry's key, last use, length and bytes; the
        // stamps end with the blob id and the last use.
        let entry = HEADER_BYTES + 8;
        let (last_use, length, content) = (entry + 16, entry + 20, entry + 24);
        for at in [
            HEADER_BYTES + 1,
            HEADER_BYTES + 5,
            last_use,
            length + 1,
            content + 2,
            bytes.len() - 10,
            bytes.len() - 3,
        ] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x10;
            std::fs::write(&file, &damaged).unwrap_or_else(|e| panic!("{e}"));
            let c = ItemCache::open(&file, print);
            assert!(
                c.is_empty() && c.note.as_deref().is_some_and(|n| n.contains("checksum")),
                "byte {at} changed: {:?}",
                c.note
            );
        }
        std::fs::write(&file, &bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ItemCache::open(&file, print).known_blob("a.md", &old),
            Some([7u8; 20])
        );
        journal_takes_what_a_hook_adds(&file, print);
        std::fs::write(&file, b"garbage").unwrap_or_else(|e| panic!("{e}"));
        assert!(
            ItemCache::open(&file, print)
                .note
                .is_some_and(|n| n.contains("not a backlint cache"))
        );
    }
}
