//! Bytes to structure, with byte offsets kept: front matter, YAML, Markdown. No rule logic.

pub mod frontmatter;
pub mod markdown;
pub mod simple_yaml;
pub mod yaml;
