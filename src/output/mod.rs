//! Output formats. Each is a function of the check's outcome (findings, items, summary and the
//! source map); none of them knows how findings were produced.

pub mod concise;
pub mod excerpt;
pub mod github;
pub mod gitlab;
pub mod graphical;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod statistics;
pub mod wrap;

use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

use crate::outcome::CheckOutcome;
use crate::source::SourceReader;

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
    Junit,
    Gitlab,
    Markdown,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &[
        "human", "concise", "json", "sarif", "github", "junit", "gitlab", "markdown",
    ];
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "human" => Ok(Format::Human),
            "concise" => Ok(Format::Concise),
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
            Format::Concise => "concise",
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

/// How to render, beyond the format: the terminal's style, and where file links point.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    pub style: human::HumanStyle,
    /// A URL prefix that makes file links absolute (a commit's blob on GitHub), if any.
    pub link_base: Option<String>,
}

/// Writes `outcome` in `format`.
pub fn write(
    format: Format,
    out: &mut dyn Write,
    outcome: &CheckOutcome,
    reader: &dyn SourceReader,
    options: &RenderOptions,
) -> io::Result<()> {
    match format {
        Format::Human => human::write(out, outcome, reader, options.style),
        Format::Concise => concise::write(out, outcome, options.style.color),
        Format::Json => json::write(out, outcome),
        Format::Sarif => sarif::write(out, outcome),
        Format::Github => github::write(out, outcome),
        Format::Junit => junit::write(out, outcome),
        Format::Gitlab => gitlab::write(out, outcome),
        Format::Markdown => markdown::write(out, outcome, options.link_base.as_deref()),
    }
}
