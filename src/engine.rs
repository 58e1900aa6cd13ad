//! Runs a whole check as one ordered pass: load the files in parallel (each file's text lives
//! only while it is parsed and triaged) → write the item cache for the next run and let it go →
//! build the backlog → run the rules that are not off, with the items' suppressions (under a
//! change, the checks of one item skip the items it does not touch) → apply the baseline →
//! keep what the change touches → apply severities → order the findings → count the summary.
//! The app only gathers the inputs (configuration, files, git, the clock) and renders the
//! outcome.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::baseline::Baseline;
use crate::cache::{self, CacheKey, CacheWrites, CachedTriage, ItemCache, StampUse};
use crate::config::{Config, DodSetting, RuleLevel, SeverityTable};
use crate::diagnostic::{Finding, Severity, Summary};
use crate::discover::git::Change;
use crate::filter::{ReportFilter, StatusClass};
use crate::model::load::{self, LoadContext, LoadedFile, ParseFailure};
use crate::model::{Backlog, FileRole, LayoutIndex, dod};
use crate::outcome::{CheckOutcome, Timings, finding_path_str};
use crate::rules::{self, Context};
use crate::scope::ChangeScope;
use crate::source::{InputFile, LineIndex, SourceId, SourceMap, SourceReader, decode};
use crate::triage::{Checklist, ItemTriage, TriageTable};

/// A baseline to apply, with the path its findings name.
#[derive(Debug)]
pub struct BaselineInput {
    pub baseline: Baseline,
    pub path: String,
}

/// The working tree's configuration differs from the one in force (`--config-from-ref`).
#[derive(Debug)]
pub struct ConfigChange {
    /// The revision whose configuration is in force.
    pub rev: String,
    /// The top-level keys that differ.
    pub keys: Vec<String>,
    /// The configuration file, relative to the root.
    pub file: String,
}

/// What a check needs.
pub struct CheckInput<'a> {
    pub files: Vec<InputFile>,
    pub reader: &'a dyn SourceReader,
    pub config: &'a Config,
    pub checklist: &'a Checklist,
    pub severities: &'a SeverityTable,
    pub today: jiff::civil::Date,
    pub baseline: Option<BaselineInput>,
    /// Report only what these changes touch (`--staged`, `--changed-since`); `None` reports
    /// every item.
    pub changes: Option<Vec<Change>>,
    pub config_change: Option<ConfigChange>,
    /// Parsed and triaged files of earlier runs, by content; updated for the next run as soon
    /// as the files are loaded, then dropped.
    pub cache: Option<ItemCache>,
    /// Which findings are reported (`--status`, `--rule`, `--category`).
    pub filter: ReportFilter,
    /// With `changes`: whether checks of one item skip the items the change does not touch
    /// (whose findings the scope drops anyway). The result is the same either way; tests
    /// compare the two.
    pub skip_untouched: bool,
    /// The layout of `files` when the caller has worked it out already (a staged run, to
    /// learn whether it will triage); else the check works it out.
    pub layout: Option<LayoutIndex>,
}

/// What the cache did for one file.
#[derive(Default)]
enum CacheUse {
    #[default]
    None,
    Hit(CacheKey),
    Made(CacheKey, Vec<u8>),
}

/// One file's contribution, produced in parallel.
#[derive(Default)]
struct FileResult<'c> {
    loaded: LoadedFile,
    /// Its items' triage: made or decoded, or (a cache hit of a change's check) as stored.
    triage: CachedTriage<'c>,
    read: bool,
    cache: CacheUse,
    /// A cache hit found by reading the file (its stamp or blob id was not known).
    read_to_identify: bool,
    /// What was found of a working-tree file's stamp, to record for the next run.
    stamp: Option<StampUse>,
    /// Time spent reading, parsing and triaging it.
    read_time: Duration,
    parse_time: Duration,
    triage_time: Duration,
}

/// How many files are loaded (in parallel) before their results are gathered.
const LOAD_CHUNK: usize = 1024;

/// The layout of a run: which file plays which role.
pub fn layout_for(files: &[InputFile], config: &Config) -> LayoutIndex {
    layout_for_paths(files.iter().map(|f| &*f.path), config)
}

/// The layout of these paths (a backlog's history names paths that no longer exist).
pub fn layout_for_paths<'a>(
    paths: impl IntoIterator<Item = &'a str>,
    config: &Config,
) -> LayoutIndex {
    let mut layout = LayoutIndex::new(paths);
    if let Some(sections) = &config.markdown_sections {
        layout = layout.with_sections(sections.files.clone(), sections.level);
    }
    if let Some(DodSetting::Path(path)) = &config.definition_of_done {
        layout = layout.with_dod_path(path.clone());
    }
    layout
}

/// Whether a run over `files` (laid out as `layout`) with `cache` will triage some file of
/// `changes`: there is no cache, or it holds nothing, or it does not hold that file's content
/// (a file whose blob id is not known before it is read counts as not held). A hook run again over the same staged
/// change, whose every item comes from the cache, needs no phrase automaton: building it
/// would take a core from decoding the cached items.
pub fn change_needs_triage(
    files: &[InputFile],
    layout: &LayoutIndex,
    cache: Option<&ItemCache>,
    changes: &[Change],
) -> bool {
    let Some(cache) = cache.filter(|c| !c.is_empty()) else {
        return !changes.is_empty();
    };
    let changed: std::collections::HashSet<&str> =
        changes.iter().map(|c| c.path.as_str()).collect();
    files
        .iter()
        .filter(|f| changed.contains(&*f.path))
        .any(|file| {
            let role = layout.classify(&file.path);
            role != FileRole::Skip
                && file
                    .blob
                    .is_none_or(|blob| cache.get(&cache::key(&blob, &file.path, &role)).is_none())
        })
}

/// How files are read under `config`, keeping the fields `detector_fields` names.
pub fn load_context<'a>(config: &'a Config, detector_fields: &'a [String]) -> LoadContext<'a> {
    LoadContext {
        fields: &config.fields,
        statuses: &config.statuses,
        max_item_file_bytes: config.max_file_size,
        detector_fields,
    }
}

/// The items of the file that holds item `idx` of a checked backlog, loaded again from that
/// file's `index`, with what only triage reads (which the check drops once an item is
/// classified). Find one among them with [`same_item`].
pub fn reload_for_triage(
    outcome: &CheckOutcome,
    idx: usize,
    index: &LineIndex<'_>,
    config: &Config,
    checklist: &Checklist,
) -> Vec<crate::model::Item> {
    let (Some(item), Some(role)) = (outcome.backlog.items.get(idx), outcome.role_of(idx)) else {
        return Vec::new();
    };
    let detector_fields = checklist.detectors.detector_fields();
    let cx = load_context(config, &detector_fields);
    load::load_file(role, index, &item.path, cx).items
}

/// Whether `reloaded` is `item` read again (same place, same id).
pub fn same_item(reloaded: &crate::model::Item, item: &crate::model::Item) -> bool {
    reloaded.start == item.start && reloaded.id == item.id
}

pub fn check(input: CheckInput<'_>) -> CheckOutcome {
    let CheckInput {
        files,
        reader,
        config,
        checklist,
        severities,
        today,
        baseline,
        changes,
        config_change,
        cache,
        filter,
        skip_untouched,
        layout,
    } = input;
    let mut timings = Timings::default();
    let started = Instant::now();
    let layout = layout.unwrap_or_else(|| layout_for(&files, config));
    let roles: Vec<FileRole> = files.iter().map(|f| layout.classify(&f.path)).collect();
    let detector_fields = checklist.detectors.detector_fields();
    let cx = load_context(config, &detector_fields);

    // Load, a chunk of files at a time: each chunk's results are moved into the run's lists
    // before the next is loaded, so the per-file results and the lists that gather them
    // never both hold the whole backlog.
    let mut summary = Summary::default();
    // Sized by the first chunk, for the whole backlog estimated from it (see
    // `reserve_estimated`): sizing them before would move them once the chunk shows more
    // items than files.
    let holds_items = |roles: &[FileRole]| roles.iter().filter(|r| **r != FileRole::Skip).count();
    let all_item_files = holds_items(&roles);
    let mut item_files_done = 0;
    let mut items = Vec::new();
    let mut triage = TriageTable::default();
    // A change's check judges the items it touches and looks at a few others: the triage of
    // the rest, if cached, is left as stored, and decoded only if asked for.
    let defer_triage = changes.is_some();
    let mut failures = Vec::new();
    let mut configs = Vec::new();
    let mut team_dod = Vec::new();
    let mut writes = CacheWrites::for_cache(cache.as_ref(), files.len());
    let (mut read_time, mut parse_time, mut triage_time) = Default::default();
    let chunks = files.chunks(LOAD_CHUNK).zip(roles.chunks(LOAD_CHUNK));
    for (first, (chunk_files, chunk_roles)) in (0..).step_by(LOAD_CHUNK).zip(chunks) {
        let results: Vec<FileResult> = chunk_files
            .par_iter()
            .zip(chunk_roles.par_iter())
            .enumerate()
            .map(|(n, (file, role))| {
                load_one(
                    SourceId((first + n) as u32),
                    file,
                    role,
                    cx,
                    checklist,
                    reader,
                    cache.as_ref(),
                    defer_triage,
                )
            })
            .collect();
        let incoming: usize = results.iter().map(|r| r.loaded.items.len()).sum();
        item_files_done += holds_items(chunk_roles);
        reserve_estimated(&mut items, incoming, item_files_done, all_item_files);
        if !defer_triage {
            triage.reserve_to(items.capacity());
        }
        for (n, result) in results.into_iter().enumerate() {
            summary.files += usize::from(result.read);
            timings.cache_hits_read += usize::from(result.read_to_identify);
            read_time += result.read_time;
            parse_time += result.parse_time;
            triage_time += result.triage_time;
            match result.cache {
                CacheUse::None => {}
                CacheUse::Hit(key) => writes.kept.push(key),
                CacheUse::Made(key, bytes) => writes.made.push(key, &bytes),
            }
            if let Some(stamp) = result.stamp {
                writes.add_stamp(stamp);
            }
            match result.triage {
                CachedTriage::Decoded(decoded) => triage.push_decoded(decoded),
                CachedTriage::Deferred { encoded, triggered } => triage.push_deferred(
                    SourceId((first + n) as u32),
                    encoded,
                    triggered,
                    cache::decode_triage,
                ),
            }
            items.extend(result.loaded.items);
            failures.extend(result.loaded.failures);
            configs.extend(result.loaded.backlog_md_config.map(|c| *c));
            team_dod.extend(result.loaded.team_dod.map(|d| *d));
        }
    }
    if let Some(DodSetting::Inline(entries)) = &config.definition_of_done {
        team_dod.push(dod::inline(entries, &config.source_path));
    }
    for dod in &mut team_dod {
        dod.risk_entry = dod
            .entries
            .iter()
            .position(|e| checklist.detectors.is_risk_acceptance_entry(&e.text));
    }

    // Every item is triaged: the phrase automaton's caches (megabytes) are not needed again.
    checklist.detectors.phrases.release_caches();
    timings.add("load (read, parse, triage; wall)", started.elapsed());
    timings.add("  read (all threads)", read_time);
    timings.add("  parse (all threads)", parse_time);
    timings.add("  triage (all threads)", triage_time);
    timings.cache_hits = writes.kept.len();
    timings.cache_misses = writes.made.len();
    // The cache is written now, not after the rules: its bytes are not held any longer.
    if let Some(cache) = cache {
        let started = Instant::now();
        timings.notes.extend(cache.note.clone());
        timings.notes.extend(cache.update(&writes));
        timings.add("write the item cache", started.elapsed());
    }
    drop(writes);
    let started = Instant::now();

    // Backlog.
    let mut backlog = Backlog::new(items, failures, configs, &config.legacy_prefixes);
    backlog.team_dod = team_dod;
    let sources = SourceMap::new(files);
    // A threat-analysis spike is the answer to the checklist, not a subject of it: the words
    // of its own questions ("personal data", "credentials") trigger nothing.
    for idx in 0..backlog.items.len() {
        if backlog.is_threat_spike(idx) {
            triage.clear_categories(idx);
        }
    }

    // What the change touches.
    let scope = changes
        .as_ref()
        .map(|changes| ChangeScope::new(changes, &layout, cx));
    let touched = scope.as_ref().map(|scope| scope.touched_items(&backlog));

    // Rules, with the items' suppressions.
    let context = Context {
        backlog: &backlog,
        triage: &triage,
        checklist,
        today,
        scope: touched.as_deref().filter(|_| skip_untouched),
    };
    timings.add("backlog (index, links)", started.elapsed());
    let started = Instant::now();
    let mut findings = rules::run(&context, |rule| !severities.off_everywhere(rule));
    findings.par_iter_mut().for_each(|finding| {
        let path = finding_path_str(finding, &sources).to_string();
        finding.seal(&path);
    });

    timings.add("rules", started.elapsed());
    let started = Instant::now();

    // Baseline.
    let mut run_level = Vec::new();
    if let Some(BaselineInput { baseline, path }) = &baseline {
        run_level.extend(baseline.apply(&mut findings, path, today));
    }
    let mut notes: Vec<Finding> = Vec::new();
    if let Some(change) = &config_change {
        let mut note = rules::config_changed(&change.rev, &change.keys, &change.file);
        note.seal("");
        notes.push(note);
    }

    // Keep what the change touches.
    if let (Some(scope), Some(touched)) = (&scope, &touched) {
        findings.retain(|f| scope.admits(f, touched, finding_path_str(f, &sources)));
        run_level.retain(|f| scope.admits(f, touched, finding_path_str(f, &sources)));
    }
    if !filter.is_empty() {
        findings.retain(|f| filter.admits(f, &backlog));
        run_level.retain(|f| filter.admits(f, &backlog));
    }

    // Severities.
    for list in [&mut notes, &mut findings, &mut run_level] {
        apply_severities(list, severities, &sources);
    }

    // Order: notes about the run first, then findings by place, then the baseline's own.
    // (Gathered in the findings' own list: appending them to the notes would copy them all.)
    sort_findings(&mut findings, &sources, &backlog);
    findings.splice(0..0, notes);
    findings.append(&mut run_level);

    summary.items = backlog.items.len();
    summary.triggered = backlog
        .items
        .iter()
        .enumerate()
        .filter(|(idx, item)| !item.archived && triage.triggered(*idx))
        .count();
    summary.count(&findings);
    timings.add("baseline, scope, severities, order", started.elapsed());
    CheckOutcome {
        sources,
        roles,
        backlog,
        triage,
        findings,
        summary,
        category_ids: checklist.catalogue.ids(),
        timings,
    }
}

/// Makes room for `incoming` more entries in a list gathered a chunk of files at a time. When
/// the list is full it grows to the whole backlog's size estimated from the files so far
/// (`files_done` of `all_files`), with half as much again to spare, rather than by doubling:
/// growing moves the list, and a move copies it into fresh pages while the old ones wait to be
/// given back (at 50,000 items, 24 MB more at the end of loading, measured, when the first
/// chunk's files held fewer items than the rest and an eighth to spare was too little). Room
/// that is never written costs address space, not memory. The estimate is capped at twice
/// what is needed or four entries per file, whichever is more: a first chunk whose one file
/// holds thousands of items says little of the rest.
fn reserve_estimated<T>(list: &mut Vec<T>, incoming: usize, files_done: usize, all_files: usize) {
    let needed = list.len().saturating_add(incoming);
    if needed <= list.capacity() {
        return;
    }
    let estimate = needed.saturating_mul(all_files) / files_done.max(1);
    let cap = needed.saturating_mul(2).max(all_files.saturating_mul(4));
    let target = estimate.saturating_add(estimate / 2).clamp(needed, cap);
    list.reserve_exact(target - list.len());
}

/// Loads one file, from the cache if it holds its content (with its triage left as stored
/// when `defer_triage`), else by reading, parsing and triaging it.
#[allow(
    clippy::too_many_arguments,
    reason = "one file's load: each argument is a different part of the run"
)]
fn load_one<'c>(
    source: SourceId,
    file: &InputFile,
    role: &FileRole,
    cx: LoadContext<'_>,
    checklist: &Checklist,
    reader: &dyn SourceReader,
    cache: Option<&'c ItemCache>,
    defer_triage: bool,
) -> FileResult<'c> {
    if *role == FileRole::Skip {
        return FileResult::default();
    }
    let started = Instant::now();
    // A file whose content is known by its blob id (from git's index, or from the stamp the
    // cache recorded for it) may be in the cache.
    let stamp = match (cache, file.blob) {
        (Some(_), None) => file.disk_path().and_then(|disk| cache::stamp(&disk)),
        _ => None,
    };
    // What the cache recorded of the file's stamp, when this run has a use for it: to know a
    // working-tree file's blob id, or to keep it for a file this run did not stat.
    let record = match cache {
        Some(cache) if file.blob.is_none() || !file.is_on_disk() => cache.stamp_record(&file.path),
        _ => None,
    };
    let blob = file.blob.or_else(|| {
        let (cache, stamp) = (cache?, stamp.as_ref()?);
        cache.blob_for(record, &file.path, stamp)
    });
    // A file this run did not stat (read by its blob id from git's index: a hook's run) keeps
    // the stamp an earlier working-tree check recorded for its path, so that the next one
    // does not read and hash every file again. A stale stamp only fails to match.
    let carried = record
        .filter(|_| !file.is_on_disk())
        .map(|r| (r.stamp, r.blob));
    let recorded = |blob: Option<[u8; 20]>| {
        let (stamp, blob) = stamp.zip(blob).or(carried)?;
        Some(StampUse::of(record, &file.path, stamp, blob))
    };
    let known = blob.map(|blob| cache::key(&blob, &file.path, role));
    let from_cache = |key: Option<CacheKey>, blob: Option<[u8; 20]>, started: Instant| {
        let (cache, key) = (cache?, key?);
        let found = cache::decode(cache.get(&key)?, source, &file.path, defer_triage)?;
        // A working-tree file is that content only if it has that many bytes.
        if stamp.is_some_and(|stamp| stamp.size != found.bytes) {
            return None;
        }
        Some(FileResult {
            loaded: found.loaded,
            triage: found.triage,
            read: true,
            cache: CacheUse::Hit(key),
            stamp: recorded(blob),
            read_time: started.elapsed(),
            ..FileResult::default()
        })
    };
    if let Some(hit) = from_cache(known, blob, started) {
        return hit;
    }
    let bytes = match reader.read(file) {
        Ok(bytes) => bytes,
        Err(err) => {
            let text = String::new();
            let index = LineIndex::new(source, &text);
            return FileResult {
                loaded: LoadedFile {
                    failures: vec![ParseFailure {
                        span: index.span(0..0),
                        message: format!("cannot read the file: {err}"),
                    }],
                    ..LoadedFile::default()
                },
                read: true,
                ..FileResult::default()
            };
        }
    };
    // A file read from disk is keyed by its content, so that the next run finds it.
    let blob = match (cache, blob) {
        (Some(_), None) => crate::discover::git::blob_id(&bytes),
        _ => blob,
    };
    let key = blob.map(|blob| cache::key(&blob, &file.path, role));
    // Read because its stamp was not known (new, touched, or racily recent), but its content
    // may still be cached.
    if known.is_none() {
        if let Some(hit) = from_cache(key, blob, started) {
            return FileResult {
                read_to_identify: true,
                ..hit
            };
        }
    }
    let read_time = started.elapsed();
    let started = Instant::now();
    let content_bytes = bytes.len() as u64;
    let (text, _lossy) = decode(bytes);
    let index = LineIndex::new(source, &text);
    let mut loaded = load::load_file(role, &index, &file.path, cx);
    let parse_time = started.elapsed();
    let started = Instant::now();
    let triage: Vec<ItemTriage> = loaded
        .items
        .iter()
        .map(|item| checklist.classify(item, &index))
        .collect();
    for item in &mut loaded.items {
        item.drop_triage_inputs();
    }
    let triage_time = started.elapsed();
    let cache = match (cache, key) {
        (Some(_), Some(key)) => cache::encode(&loaded, &triage, content_bytes)
            .map_or(CacheUse::None, |bytes| CacheUse::Made(key, bytes)),
        _ => CacheUse::None,
    };
    FileResult {
        loaded,
        triage: CachedTriage::Decoded(triage),
        read: true,
        cache,
        stamp: recorded(blob),
        read_time,
        parse_time,
        triage_time,
        ..FileResult::default()
    }
}

/// Gives each finding its resolved severity; `off` drops it.
fn apply_severities(findings: &mut Vec<Finding>, severities: &SeverityTable, sources: &SourceMap) {
    findings.retain_mut(|finding| {
        let path = finding_path_str(finding, sources);
        match severities.level(finding.rule, path) {
            RuleLevel::Error => {
                finding.severity = Severity::Error;
                true
            }
            RuleLevel::Warning => {
                finding.severity = Severity::Warning;
                true
            }
            RuleLevel::Off => false,
        }
    });
}

/// Findings about the backlog as a whole first, then those about open items, then done and
/// archived ones (what a team can act on first); within each, by file and place.
///
/// The order is found for the findings' positions (a word each), then the findings are
/// moved into it where they are: a stable sort of the findings themselves would need room for
/// half of them again (hundreds of bytes each, tens of thousands at 50,000 items).
fn sort_findings(findings: &mut [Finding], sources: &SourceMap, backlog: &Backlog) {
    let key = |f: &Finding| {
        (
            f.span.map(|s| (s.begin.line, s.begin.column)),
            f.rule.as_str(),
        )
    };
    let compare = |a: &Finding, b: &Finding| {
        StatusClass::of(a, backlog)
            .cmp(&StatusClass::of(b, backlog))
            .then_with(|| finding_path_str(a, sources).cmp(finding_path_str(b, sources)))
            .then_with(|| key(a).cmp(&key(b)))
            .then_with(|| a.message.cmp(&b.message))
    };
    let mut order: Vec<usize> = (0..findings.len()).collect();
    {
        let findings = &*findings;
        order.par_sort_by(|a, b| match (findings.get(*a), findings.get(*b)) {
            (Some(a), Some(b)) => compare(a, b),
            _ => a.cmp(b),
        });
    }
    permute(findings, &mut order);
}

/// Puts `list[order[n]]` at place `n`, for every `n`, by following each cycle of the
/// permutation (no second list). `order` must hold each index of `list` once; it is used up.
fn permute<T>(list: &mut [T], order: &mut [usize]) {
    for start in 0..order.len() {
        let mut place = start;
        while let Some(slot) = order.get_mut(place) {
            let from = std::mem::replace(slot, place);
            if from == place || from == start || from >= list.len() {
                break;
            }
            list.swap(place, from);
            place = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{change_needs_triage, layout_for, permute, reserve_estimated};
    use crate::cache::{self, CacheWrites, ItemCache};
    use crate::config::Config;
    use crate::discover::git::{Change, ChangeKind};
    use crate::source::{InputFile, Origin};

    /// A hook run again over a staged change its cache holds builds no phrase automaton; one
    /// with anything of the change not held (other content, no cache, an empty one) does.
    #[test]
    fn a_change_needs_triage_unless_the_cache_holds_all_of_it() {
        let staged = |path: &str, blob: u8| InputFile {
            blob: Some([blob; 20]),
            ..InputFile::new(
                path.to_string(),
                Origin::Memory(b"---\nid: X\n---\n".to_vec().into()),
            )
        };
        let files = vec![
            staged("backlog/tasks/task-1 - a.md", 1),
            staged("backlog/tasks/task-2 - b.md", 2),
        ];
        let layout = layout_for(&files, &Config::default());
        let held = |file: &InputFile| {
            let role = layout.classify(&file.path);
            (cache::key(&[1; 20], &file.path, &role), vec![0u8])
        };
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("items.bin");
        let print = [7; 16];
        let writes = CacheWrites {
            made: vec![held(&files[0])].into(),
            ..CacheWrites::default()
        };
        assert_eq!(ItemCache::open(&path, print).update(&writes), None);
        let cache = ItemCache::open(&path, print);
        let change = |path: &str| Change {
            kind: ChangeKind::Modified,
            path: path.to_string(),
            old_path: None,
            old_content: None,
            content_changed: true,
        };
        let first = [change(&files[0].path)];
        let second = [change(&files[1].path)];
        assert!(!change_needs_triage(&files, &layout, Some(&cache), &first));
        assert!(change_needs_triage(&files, &layout, Some(&cache), &second));
        assert!(change_needs_triage(&files, &layout, None, &first));
        let empty = ItemCache::open(&dir.path().join("none.bin"), print);
        assert!(change_needs_triage(&files, &layout, Some(&empty), &first));
        // Other content at the held path; a path not in the run; no change at all.
        let edited = vec![staged(&files[0].path, 3)];
        assert!(change_needs_triage(&edited, &layout, Some(&cache), &first));
        assert!(!change_needs_triage(
            &files,
            &layout,
            Some(&cache),
            &[change("README.md")]
        ));
        assert!(!change_needs_triage(&files, &layout, Some(&cache), &[]));
    }

    #[test]
    fn a_permutation_is_applied_in_place() {
        // Cycles of every length, fixed points, and the identity.
        for order in [
            vec![2, 0, 1, 3, 5, 4],
            vec![0, 1, 2],
            vec![4, 3, 2, 1, 0],
            vec![1, 2, 3, 4, 5, 0],
            vec![],
        ] {
            let list: Vec<char> = ('a'..).take(order.len()).collect();
            let expected: Vec<char> = order.iter().map(|n| list[*n]).collect();
            let mut permuted = list.clone();
            permute(&mut permuted, &mut order.clone());
            assert_eq!(permuted, expected, "{order:?}");
        }
    }

    #[test]
    fn lists_grow_to_the_estimated_backlog_not_by_doubling() {
        // 900 of 1,000 files hold 1,100 items: room for about 1,222 and half as much more.
        let mut list: Vec<u32> = Vec::with_capacity(1_000);
        list.extend(0..1_000);
        reserve_estimated(&mut list, 100, 900, 1_000);
        assert!(
            (1_830..1_840).contains(&list.capacity()),
            "{}",
            list.capacity()
        );
        // The first chunk sizes the list once for the whole backlog: 1,240 items in each
        // 1,024 of 8,270 files never move it again.
        let mut list: Vec<u32> = Vec::new();
        let mut files_done = 0;
        let mut moves = 0;
        for chunk_files in [1_024, 1_024, 1_024, 1_024, 1_024, 1_024, 1_024, 1_102] {
            files_done += chunk_files;
            let incoming = 1_240 * chunk_files / 1_024;
            let before = list.capacity();
            reserve_estimated(&mut list, incoming, files_done, 8_270);
            moves += usize::from(list.capacity() != before);
            list.extend(std::iter::repeat_n(0, incoming));
        }
        assert_eq!(moves, 1, "{}", list.capacity());
        // A first chunk of one item per file, then 1.24 per file (the generated 10,000-item
        // backlog: 8,270 files): the room the first chunk makes still holds them all.
        let mut list: Vec<u32> = Vec::new();
        let (mut files_done, mut moves) = (0, 0);
        for (n, chunk_files) in [1_024, 1_024, 1_024, 1_024, 1_024, 1_024, 1_024, 1_102]
            .into_iter()
            .enumerate()
        {
            files_done += chunk_files;
            let incoming = if n == 0 {
                chunk_files
            } else {
                1_240 * chunk_files / 1_000
            };
            let before = list.capacity();
            reserve_estimated(&mut list, incoming, files_done, 8_270);
            moves += usize::from(list.capacity() != before);
            list.extend(std::iter::repeat_n(0, incoming));
        }
        assert_eq!(moves, 1, "{} for {}", list.capacity(), list.len());
        // Enough room: nothing changes.
        let before = list.capacity();
        reserve_estimated(&mut list, 10, 910, 1_000);
        assert_eq!(list.capacity(), before);
        // One file of 5,000 items first of 10,000 files: four per file, not 50 million.
        let mut list: Vec<u32> = Vec::new();
        reserve_estimated(&mut list, 5_000, 1, 10_000);
        assert!(
            (10_000..=40_000).contains(&list.capacity()),
            "{}",
            list.capacity()
        );
        // Never less than what is needed, even when the estimate is off.
        let mut list: Vec<u32> = Vec::new();
        reserve_estimated(&mut list, 70, 1_000, 10);
        assert!(list.capacity() >= 70);
        reserve_estimated(&mut list, 5, 0, 0);
        assert!(list.capacity() >= 5);
    }
}
