//! The `backlint` binary: parses arguments with clap, calls the library, maps the result to an
//! exit code (0 clean, 1 error findings, 2 the run could not be completed).

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use backlint::app::{self, AppError, CheckOptions, Verdict};
use backlint::output::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Keeps security in the backlog: every item that touches network input, authentication,
/// private data, storage or logging must be preceded by a threat-analysis spike.
#[derive(Parser, Debug)]
#[command(name = "backlint", version, about, long_about = None)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    check: CheckArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Lint the backlog (the default command).
    Check(CheckArgs),
    /// List rules and checklist categories.
    Rules,
    /// Explain a rule or a checklist category: what it checks, why, how to fix it.
    Explain {
        /// A rule id (`triage/missing-spike`) or a category (`network-input`).
        #[arg(required_unless_present = "all")]
        rule: Option<String>,
        /// Every rule's documentation, as Markdown (docs/rules.md).
        #[arg(long)]
        all: bool,
    },
    /// Write a commented backlint.yaml for the backlog that is here (and a definition-of-done
    /// template if the team has none); never overwrites a file.
    Init {
        /// The repository (default: the one of the working directory).
        #[arg(value_name = "PATH")]
        path: Option<PathBuf>,
    },
    /// Record the current findings as accepted debt (a baseline for `check`).
    Baseline {
        /// Files or folders to check (default: the repository root).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The baseline file to write (default: `baseline:` from backlint.yaml, else
        /// .backlint-baseline.json in the repository root).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Configuration file.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Print the JSON Schema of backlint.yaml (for editors).
    Schema,
    /// For one item: each category's confidence, the thresholds, and the features and
    /// evidence that decided.
    Why {
        /// The item's id.
        item: String,
        /// Files or folders to check (default: the repository root).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Configuration file.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Output format: human or json.
        #[arg(long, value_name = "FORMAT", default_value = "human", value_parser = ["human", "json"])]
        format: String,
    },
    /// The product owner's and auditor's report: headline figures, who must act, epics,
    /// the weekly trend and (with --evidence) provenance from git history.
    Report {
        /// Files or folders to report on (default: the repository root).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// html (one self-contained file), markdown or json.
        #[arg(long, value_name = "FORMAT", default_value = "html", value_parser = ["html", "markdown", "json"])]
        format: String,
        /// Write the report here (written atomically) instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Add audit evidence: the commit, author and date at which each spike was linked and
        /// done and each risk acceptance recorded, with disagreements between record and history.
        #[arg(long)]
        evidence: bool,
        /// The trend starts here: a date (YYYY-MM-DD) or a git revision.
        #[arg(long, value_name = "DATE|REF")]
        since: Option<String>,
        /// Do not read git history (no trend, no evidence).
        #[arg(long, conflicts_with = "evidence")]
        no_history: bool,
        /// Configuration file.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Value-stream figures from the backlog's git history: per status stage, the wait before
    /// it, the time in it, how often items were sent back and how much of that was security.
    Flow {
        /// Files or folders to follow (default: the repository root).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Only status changes from here on: a date (YYYY-MM-DD) or a git revision.
        #[arg(long, value_name = "DATE|REF")]
        since: Option<String>,
        /// human, json or markdown.
        #[arg(long, value_name = "FORMAT", default_value = "human", value_parser = ["human", "json", "markdown"])]
        format: String,
        /// Write the figures here (written atomically) instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Configuration file.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Train and inspect the triage model.
    #[command(subcommand)]
    Triage(TriageCommand),
    /// Install or remove the git pre-commit hook.
    #[command(subcommand)]
    Hook(HookCommand),
}

#[derive(Args, Debug)]
struct TrainArgs {
    /// Labelled items (JSON Lines: file, id, must, allowed); several files are joined.
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    labels: Vec<PathBuf>,
    /// The folder each label's `file` is relative to.
    #[arg(long, value_name = "DIR")]
    corpus: PathBuf,
    /// Recall the possible tier keeps, out of fold.
    #[arg(long, default_value_t = 0.9, value_name = "R")]
    target_recall: f64,
    /// Precision the strong tier reaches, out of fold.
    #[arg(long, default_value_t = 0.8, value_name = "P")]
    target_precision: f64,
    /// …as long as the strong tier keeps at least this recall, out of fold.
    #[arg(long, default_value_t = 0.0, value_name = "R")]
    min_strong_recall: f64,
}

impl TrainArgs {
    fn options(&self) -> app::triage_train::TrainOptions {
        app::triage_train::TrainOptions {
            labels: self.labels.clone(),
            corpus: self.corpus.clone(),
            target_recall: self.target_recall,
            target_precision: self.target_precision,
            min_strong_recall: self.min_strong_recall,
            ..app::triage_train::TrainOptions::default()
        }
    }
}

#[derive(Subcommand, Debug)]
enum TriageCommand {
    /// Train a triage model from labelled items (deterministic: same inputs, same bytes).
    Train {
        #[command(flatten)]
        args: TrainArgs,
        /// The model file to write.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: PathBuf,
    },
    /// Leave-one-backlog-out cross-validation of the model beside the phrase rules (Markdown).
    Cv {
        #[command(flatten)]
        args: TrainArgs,
    },
    /// Labelled items with their regions and phrase hits, as JSON Lines (for research).
    #[command(hide = true)]
    Dump {
        #[arg(long, required = true, num_args = 1..)]
        labels: Vec<PathBuf>,
        #[arg(long)]
        corpus: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum HookCommand {
    /// Install the pre-commit hook (an existing hook is kept and run first).
    Install {
        /// Replace an existing hook instead of running it first (it is kept for `uninstall`).
        #[arg(long)]
        force: bool,
    },
    /// Remove the pre-commit hook and restore the one that was there before.
    Uninstall,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// Files or folders to check (default: the repository root, or `.` outside git).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format: human, concise (one line per finding), json, sarif, github, junit,
    /// gitlab, markdown.
    #[arg(long, value_name = "FORMAT", default_value = "human", value_parser = parse_format)]
    format: Format,
    /// Write the report to FILE (atomically); the summary line still prints.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write the same run's report in FORMAT to FILE (repeatable), e.g.
    /// `--also json:backlint.json --also markdown:summary.md`: one check, several formats.
    #[arg(long, value_name = "FORMAT:FILE", value_parser = parse_also)]
    also: Vec<(Format, PathBuf)>,
    /// Lint the git index (what is staged), and report only what the staged change touches.
    #[arg(long, conflicts_with = "changed_since")]
    staged: bool,
    /// Lint the working tree, and report only what changed since merge-base(REF, HEAD)
    /// touches.
    #[arg(long, value_name = "REF")]
    changed_since: Option<String>,
    /// With --staged or --changed-since: report every item.
    #[arg(long)]
    all: bool,
    /// Read the configuration from REF's tree (in CI: a pull request cannot weaken its gate).
    #[arg(long, value_name = "REF", conflicts_with = "config")]
    config_from_ref: Option<String>,
    /// Configuration file (default: backlint.yaml or .backlint.yaml found upward from PATH).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Hide the findings recorded in this baseline (default: `baseline:` in backlint.yaml).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Create the missing threat-analysis spikes from the templates and link them.
    #[arg(long, conflicts_with = "staged")]
    fix: bool,
    /// With --fix: print the unified diff and write nothing.
    #[arg(long, requires = "fix")]
    dry_run: bool,
    /// With --fix: give done items spikes too (by default only open items get them).
    #[arg(long, requires = "fix")]
    include_done: bool,
    /// With --fix: create more than 20 spikes at once.
    #[arg(long, requires = "fix")]
    yes: bool,
    /// Which findings fail the run (exit 1): `error` (default), or `warning` for warnings
    /// too (default: `fail_on:` in backlint.yaml).
    #[arg(long, value_name = "SEVERITY", value_parser = ["error", "warning"])]
    fail_on: Option<String>,
    /// Parse every file instead of reusing the item cache (`.git/backlint/`), and leave the
    /// cache as it is.
    #[arg(long)]
    no_cache: bool,
    /// Print the time of each phase and what the item cache did (to stderr).
    #[arg(long)]
    timings: bool,
    /// Say what the item cache did, and why it was rebuilt (to stderr).
    #[arg(long, short = 'v')]
    verbose: bool,
    /// When to use colour (NO_COLOR is honoured).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
    /// Report only findings about items in this state: open (to do, in progress), done
    /// (done, cancelled, archived) or all. Findings about the whole backlog always show.
    #[arg(long, value_name = "STATUS", default_value = "all", value_parser = ["open", "done", "all"])]
    status: String,
    /// Report only this rule's findings (repeatable), e.g. `--rule triage/missing-spike`.
    #[arg(long = "rule", value_name = "ID")]
    rules: Vec<String>,
    /// Report only findings about this checklist category (repeatable), e.g.
    /// `--category authentication`.
    #[arg(long = "category", value_name = "NAME")]
    categories: Vec<String>,
    /// After the report, print the number of findings per rule and per category (to stderr
    /// when the report is machine-readable).
    #[arg(long)]
    statistics: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

fn parse_also(s: &str) -> Result<(Format, PathBuf), String> {
    let (format, file) = s
        .split_once(':')
        .ok_or_else(|| format!("expected FORMAT:FILE, e.g. json:backlint.json (got `{s}`)"))?;
    if file.is_empty() {
        return Err(format!("no file after `{format}:`"));
    }
    Ok((format.parse()?, PathBuf::from(file)))
}

fn use_color(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
        }
    }
}

/// The width of the human report: `COLUMNS`, else the terminal's, else 120 (a file, a pipe,
/// a CI log).
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or_else(|| {
            io::stdout()
                .is_terminal()
                .then(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
                .flatten()
        })
        .filter(|w: &usize| *w >= 40)
        .unwrap_or(120)
}

/// `backlint chek`: a first argument that is neither a command nor an existing path but
/// close to a command's name is a typo, not a path to check.
fn mistyped_command() -> Option<String> {
    use clap::CommandFactory;
    let first = std::env::args_os().nth(1)?.into_string().ok()?;
    if first.starts_with('-') || first.contains(['/', '\\', '.']) || Path::new(&first).exists() {
        return None;
    }
    let commands: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    if commands.contains(&first) {
        return None;
    }
    let guess = backlint::util::suggest::suggest(&first, &commands)?;
    Some(format!(
        "backlint: error: unknown command `{first}`; did you mean `{guess}`? (`backlint --help` \
         lists the commands; a path to check must exist)"
    ))
}

fn main() -> ExitCode {
    if let Some(message) = mistyped_command() {
        let _ = writeln!(io::stderr(), "{message}");
        return ExitCode::from(2);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    // After the arguments: `--help`, `--version` and a mistyped command do not wait for the
    // workers to start.
    init_thread_pool();
    let checks_a_change = match &cli.command {
        None => cli.check.staged || cli.check.changed_since.is_some(),
        Some(Command::Check(args)) => args.staged || args.changed_since.is_some(),
        Some(_) => false,
    };
    if !checks_a_change {
        backlint::util::memory::prefer_small_pages();
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let result = match cli.command {
        None => run_check(cli.check, &mut out),
        Some(Command::Check(args)) => run_check(args, &mut out),
        Some(Command::Rules) => workspace(&[]).and_then(|ws| app::list_rules(&ws.config, &mut out)),
        Some(Command::Hook(HookCommand::Install { force })) => app::hook::install(force, &mut out),
        Some(Command::Hook(HookCommand::Uninstall)) => app::hook::uninstall(&mut out),
        Some(Command::Init { path }) => app::init::init(path.as_deref(), &mut out),
        Some(Command::Baseline {
            paths,
            output,
            config,
        }) => app::baseline::record(
            &app::baseline::BaselineOptions {
                paths,
                config,
                output,
            },
            &mut out,
        ),
        Some(Command::Triage(TriageCommand::Train { args, output })) => {
            app::triage_train::train(&args.options(), &output, &mut out)
        }
        Some(Command::Triage(TriageCommand::Cv { args })) => {
            app::triage_train::cross_validate(&args.options(), &mut out)
        }
        Some(Command::Triage(TriageCommand::Dump { labels, corpus })) => {
            app::triage_dump::dump(&labels, &corpus, &mut out)
        }
        Some(Command::Why {
            item,
            paths,
            config,
            format,
        }) => app::why::why(
            &app::why::WhyOptions {
                item,
                paths,
                config,
                json: format == "json",
            },
            &mut out,
        ),
        Some(Command::Report {
            paths,
            format,
            output,
            evidence,
            since,
            no_history,
            config,
        }) => format
            .parse::<backlint::report::ReportFormat>()
            .map_err(|e| AppError::Io(io::Error::new(io::ErrorKind::InvalidInput, e)))
            .and_then(|format| {
                app::report::report(
                    &app::report::ReportOptions {
                        paths,
                        config,
                        format,
                        output,
                        evidence,
                        since,
                        no_history,
                        link_base: github_link_base(),
                    },
                    &mut out,
                    &mut io::stderr(),
                )
            }),
        Some(Command::Flow {
            paths,
            since,
            format,
            output,
            config,
        }) => app::flow::flow(
            &app::flow::FlowOptions {
                paths,
                config,
                since,
                format: match format.as_str() {
                    "json" => app::flow::FlowFormat::Json,
                    "markdown" => app::flow::FlowFormat::Markdown,
                    _ => app::flow::FlowFormat::Human,
                },
                output,
            },
            &mut out,
            &mut io::stderr(),
        ),
        Some(Command::Schema) => out
            .write_all(backlint::config::schema::json_schema().as_bytes())
            .map(|()| Verdict::Clean)
            .map_err(AppError::Io),
        Some(Command::Explain { all: true, .. }) => out
            .write_all(app::explain::rules_markdown().as_bytes())
            .map(|()| Verdict::Clean)
            .map_err(AppError::Io),
        Some(Command::Explain { rule, .. }) => workspace(&[])
            .and_then(|ws| app::explain(&ws.config, rule.as_deref().unwrap_or_default(), &mut out)),
    };
    let flushed = out.flush();
    let color = use_color_stderr();
    match result {
        Ok(verdict) => ExitCode::from(verdict.exit_code() as u8),
        // A closed stdout (`| head`) is not a failure of the check.
        Err(AppError::Io(err)) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(0),
        Err(AppError::Config(errors)) => {
            drop(flushed);
            let mut err = io::stderr().lock();
            let _ = backlint::output::human::write_config_errors(
                &mut err,
                &errors,
                color,
                terminal_width(),
            );
            ExitCode::from(2)
        }
        Err(err) => {
            drop(flushed);
            let _ = writeln!(io::stderr(), "backlint: error: {err}");
            ExitCode::from(2)
        }
    }
}

/// The workspace of the working directory (for commands without paths).
fn workspace(paths: &[PathBuf]) -> Result<app::Workspace, AppError> {
    app::Workspace::open(paths, None)
}

fn use_color_stderr() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stderr().is_terminal()
}

fn run_check(args: CheckArgs, out: &mut dyn Write) -> Result<Verdict, AppError> {
    let options = CheckOptions {
        config: args.config,
        staged: args.staged,
        changed_since: args.changed_since,
        all: args.all,
        config_from_ref: args.config_from_ref,
        output: args.output,
        baseline: args.baseline,
        fix: args.fix,
        dry_run: args.dry_run,
        paths: args.paths,
        format: args.format,
        color: use_color(args.color),
        width: terminal_width(),
        link_base: github_link_base(),
        fail_on_warning: args.fail_on.as_deref().map(|s| s == "warning"),
        no_cache: args.no_cache,
        timings: args.timings,
        verbose: args.verbose,
        rules: args.rules,
        categories: args.categories,
        status: args.status.parse().unwrap_or_default(),
        statistics: args.statistics,
        include_done: args.include_done,
        yes: args.yes,
        also: args.also,
    };
    // Not a held lock: a worker thread that writes to stderr while the check runs (the panic
    // hook's message, if a worker ever panics) would wait for it forever.
    let run = app::check(&options, out, &mut io::stderr())?;
    let verdict = run.verdict;
    // The process ends next: leave the backlog's memory to the OS instead of freeing it
    // piece by piece.
    std::mem::forget(run);
    Ok(verdict)
}

/// On GitHub Actions, file links in reports point at the commit's blobs.
fn github_link_base() -> Option<String> {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    backlint::output::markdown::github_link_base(
        &var("GITHUB_SERVER_URL"),
        &var("GITHUB_REPOSITORY"),
        &var("GITHUB_SHA"),
    )
}

/// Stack size of the worker threads (address space only; pages are touched on use): parsing
/// recurses, bounded by the YAML depth budget.
const WORKER_STACK_BYTES: usize = 16 << 20;

/// Configures rayon's global pool: roomy stacks for the parsing workers.
fn init_thread_pool() {
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK_BYTES)
        .build_global();
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
