//! Runs a check: reads the candidate files in parallel (each file's text lives only while it is
//! parsed and triaged), builds the backlog, runs every rule, applies configured severities, and
//! returns findings in a stable order.

use rayon::prelude::*;

use crate::config::{Config, DodSetting, RuleLevel};
use crate::diagnostic::{Finding, Summary};
use crate::model::load::{self, LoadContext, LoadedFile, ParseFailure};
use crate::model::{Backlog, FileRole, ItemPlace, LayoutIndex, dod};
use crate::rules::{self, Context};
use crate::source::{InputFile, LineIndex, SourceId, SourceMap, SourceReader, decode};
use crate::triage::{Checklist, ItemTriage};

/// Stack size of the parsing threads (address space only; pages are touched on use).
const WORKER_STACK_BYTES: usize = 16 << 20;

/// Configures rayon's global pool once: parsing recurses (bounded by the YAML depth budget),
/// so the workers get roomy stacks. A pool that already exists is kept.
pub fn init_thread_pool() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        let _ = rayon::ThreadPoolBuilder::new()
            .stack_size(WORKER_STACK_BYTES)
            .build_global();
    });
}

/// What a check needs.
pub struct CheckInput<'a> {
    pub files: Vec<InputFile>,
    pub reader: &'a dyn SourceReader,
    pub config: &'a Config,
    pub checklist: &'a Checklist,
    pub today: jiff::civil::Date,
}

/// What a check found.
#[derive(Debug)]
pub struct CheckOutcome {
    pub sources: SourceMap,
    pub backlog: Backlog,
    /// Parallel to `backlog.items`.
    pub triage: Vec<ItemTriage>,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Category ids of the checklist, indexed like `CategoryMatch::category`.
    pub category_ids: Vec<String>,
}

impl CheckOutcome {
    /// Keeps only the findings `keep` accepts and recounts the summary.
    pub fn retain_findings(&mut self, keep: impl FnMut(&Finding) -> bool) {
        self.findings.retain(keep);
        self.summary.count(&self.findings);
    }
}

/// One file's contribution, produced in parallel.
#[derive(Default)]
struct FileResult {
    loaded: LoadedFile,
    triage: Vec<ItemTriage>,
    read: bool,
}

pub fn check(input: CheckInput<'_>) -> CheckOutcome {
    let CheckInput {
        files,
        reader,
        config,
        checklist,
        today,
    } = input;
    let mut layout = LayoutIndex::new(files.iter().map(|f| f.path.as_str()));
    if let Some(sections) = &config.markdown_sections {
        layout = layout.with_sections(sections.files.clone(), sections.level);
    }
    if let Some(DodSetting::Path(path)) = &config.definition_of_done {
        layout = layout.with_dod_path(path.clone());
    }
    let roles: Vec<FileRole> = files.iter().map(|f| layout.classify(&f.path)).collect();
    let detector_fields = checklist.detector_fields();
    let cx = LoadContext {
        fields: &config.fields,
        statuses: &config.statuses,
        max_item_file_bytes: config.max_file_size,
        detector_fields: &detector_fields,
    };
    let load = || -> Vec<FileResult> {
        files
            .par_iter()
            .zip(roles.par_iter())
            .enumerate()
            .map(|(n, (file, role))| {
                load_one(SourceId(n as u32), file, role, cx, checklist, reader)
            })
            .collect()
    };
    init_thread_pool();
    let results = load();

    let mut summary = Summary::default();
    let mut items = Vec::new();
    let mut triage = Vec::new();
    let mut failures = Vec::new();
    let mut configs = Vec::new();
    let mut team_dod = Vec::new();
    for result in results {
        summary.files += usize::from(result.read);
        items.extend(result.loaded.items);
        triage.extend(result.triage);
        failures.extend(result.loaded.failures);
        configs.extend(result.loaded.backlog_md_config);
        team_dod.extend(result.loaded.team_dod);
    }
    if let Some(DodSetting::Inline(entries)) = &config.definition_of_done {
        team_dod.push(dod::inline(entries, &config.source_path));
    }
    for dod in &mut team_dod {
        dod.risk_entry = dod
            .entries
            .iter()
            .position(|e| checklist.is_risk_acceptance_entry(&e.text));
    }
    let mut backlog = Backlog::new(items, failures, configs, &config.legacy_prefixes);
    backlog.team_dod = team_dod;
    let sources = SourceMap::new(files);

    let context = Context {
        backlog: &backlog,
        triage: &triage,
        checklist,
        today,
    };
    let mut findings = rules::run_all(&context);
    apply_severities(&mut findings, config, checklist, &sources);
    findings.par_iter_mut().for_each(|finding| {
        let path = finding_path(finding, &sources);
        finding.seal(&path);
    });
    sort_findings(&mut findings, &sources);

    summary.items = backlog.items.len();
    summary.triggered = backlog
        .items
        .iter()
        .zip(&triage)
        .filter(|(item, t)| !item.archived && !t.categories.is_empty())
        .count();
    summary.count(&findings);
    CheckOutcome {
        sources,
        backlog,
        triage,
        findings,
        summary,
        category_ids: checklist.categories.iter().map(|c| c.id.clone()).collect(),
    }
}

fn load_one(
    source: SourceId,
    file: &InputFile,
    role: &FileRole,
    cx: LoadContext<'_>,
    checklist: &Checklist,
    reader: &dyn SourceReader,
) -> FileResult {
    if *role == FileRole::Skip {
        return FileResult::default();
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
                triage: Vec::new(),
                read: true,
            };
        }
    };
    let (text, _lossy) = decode(bytes);
    let index = LineIndex::new(source, &text);
    let loaded = match role {
        FileRole::MarkdownItem(place) => load::load_markdown(&index, &file.path, place, cx),
        FileRole::YamlItems(place) => load::load_yaml(&index, &file.path, place, cx),
        FileRole::BacklogMdConfig { root } => load::load_backlog_md_config(&index, root),
        FileRole::MarkdownSections { level } => {
            load::load_markdown_sections(&index, &file.path, *level, &ItemPlace::default(), cx)
        }
        FileRole::DefinitionOfDone => load_team_dod(&index, &file.path),
        FileRole::Skip => LoadedFile::default(),
    };
    let triage = loaded
        .items
        .iter()
        .map(|item| checklist.classify(item, &index))
        .collect();
    FileResult {
        loaded,
        triage,
        read: true,
    }
}

fn load_team_dod(index: &LineIndex<'_>, path: &str) -> LoadedFile {
    let lower = path.to_ascii_lowercase();
    let mut loaded = LoadedFile::default();
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        match dod::load_yaml(index, path) {
            Ok(found) => loaded.team_dod = Some(found),
            Err(failure) => loaded.failures.push(failure),
        }
    } else {
        loaded.team_dod = Some(dod::load_markdown(index, path));
    }
    loaded
}

/// Configured severities win over rule packs, which win over the rules' defaults; `off` drops
/// the finding.
pub fn apply_severities(
    findings: &mut Vec<Finding>,
    config: &Config,
    checklist: &Checklist,
    sources: &SourceMap,
) {
    findings.retain_mut(|finding| {
        let path = finding_path(finding, sources);
        let level = config.level_of(finding.rule, &path).or_else(|| {
            checklist
                .severities
                .get(finding.rule)
                .and_then(|s| RuleLevel::parse(s))
        });
        match level.map(RuleLevel::severity) {
            None => true,
            Some(Some(severity)) => {
                finding.severity = severity;
                true
            }
            Some(None) => false,
        }
    });
}

/// The file a finding is about.
pub fn finding_path(finding: &Finding, sources: &SourceMap) -> String {
    match (&finding.span, &finding.file) {
        (Some(span), _) => sources.path(span.source).to_string(),
        (None, Some(file)) => file.clone(),
        (None, None) => String::new(),
    }
}

fn sort_findings(findings: &mut [Finding], sources: &SourceMap) {
    fn path<'a>(f: &'a Finding, sources: &'a SourceMap) -> &'a str {
        match (&f.span, &f.file) {
            (Some(span), _) => sources.path(span.source),
            (None, Some(file)) => file.as_str(),
            (None, None) => "",
        }
    }
    findings.par_sort_by(|a, b| {
        let key = |f: &Finding| (f.span.map(|s| (s.begin.line, s.begin.column)), f.rule);
        path(a, sources)
            .cmp(path(b, sources))
            .then_with(|| key(a).cmp(&key(b)))
            .then_with(|| a.message.cmp(&b.message))
    });
}
