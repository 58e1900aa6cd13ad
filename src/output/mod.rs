//! Output formats. Each is a function of the check's outcome (findings, items, summary and the
//! source map); none of them knows how findings were produced.

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod wrap;

use std::fmt;
use std::io::{self, Write};
use std::path::Path;
use std::str::FromStr;

use crate::engine::CheckOutcome;
use crate::source::SourceReader;

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Junit,
    Gitlab,
    Markdown,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &[
        "human", "json", "sarif", "github", "junit", "gitlab", "markdown",
    ];
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "github" => Ok(Format::Github),
            "junit" => Ok(Format::Junit),
            "gitlab" => Ok(Format::Gitlab),
            "markdown" | "md" => Ok(Format::Markdown),
            other => Err(format!(
                "unknown format `{other}` (expected one of: {})",
                Format::NAMES.join(", ")
            )),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Junit => "junit",
            Format::Gitlab => "gitlab",
            Format::Markdown => "markdown",
        })
    }
}

/// `1 item`, `2 items`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Writes `outcome` in `format`.
pub fn write(
    format: Format,
    out: &mut dyn Write,
    outcome: &CheckOutcome,
    reader: &dyn SourceReader,
    style: human::HumanStyle,
) -> io::Result<()> {
    match format {
        Format::Human => human::write(out, outcome, reader, style),
        Format::Json => json::write(out, outcome),
        Format::Sarif => sarif::write(out, outcome),
        Format::Github => github::write(out, outcome),
        Format::Junit => junit::write(out, outcome),
        Format::Gitlab => gitlab::write(out, outcome),
        Format::Markdown => markdown::write(out, outcome),
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, renamed into
/// place, so a reader never sees half a report. A replaced file keeps its permissions; a new
/// one gets the usual `rw-r--r--`.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let file = staged_file(path, bytes)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Creates `path` atomically with `bytes`; fails with `AlreadyExists` instead of replacing a
/// file that exists (even one created meanwhile).
pub fn create_file_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let file = staged_file(path, bytes)?;
    file.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// A synced temporary file next to `path` holding `bytes`.
fn staged_file(path: &Path, bytes: &[u8]) -> io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    let permissions = match std::fs::metadata(path) {
        Ok(existing) => Some(existing.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(permissions) = permissions {
        file.as_file().set_permissions(permissions)?;
    }
    file.as_file().sync_all()?;
    Ok(file)
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}
