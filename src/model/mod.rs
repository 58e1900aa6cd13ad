//! The backlog model: items with spans (SPEC §2.2), how files become items, and the index that
//! resolves links.

pub mod backlog;
pub mod dod;
pub mod index;
pub mod item;
pub mod layout;
pub mod load;
pub mod paths;
pub mod suppress;
pub mod vocab;

pub use backlog::{Backlog, Resolution, SpikeVia, id_key, is_threat_analysis_spike, same_id_key};
pub use dod::{DodOrigin, TeamDod};
pub use item::{
    DodEntry, Item, Link, LinkKind, LinkTarget, RiskAcceptance, Spanned, Sprint, Suppression,
    TextRegion, TextRole, TriageOverride, Veto,
};
pub use layout::{FileRole, ItemPlace, LayoutIndex};
pub use load::{BacklogMdConfig, LoadContext, LoadedFile, ParseFailure};
pub use vocab::{FieldNames, Kind, Level, Status, StatusTable};
