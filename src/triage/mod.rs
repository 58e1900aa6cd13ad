//! The security triage checklist: categories and their detectors come from rule packs
//! (`rules/*.yaml`, compiled in), are compiled into one [`Checklist`], and judge each item,
//! keeping the evidence span of every match.

pub mod classify;
pub mod compile;
pub mod matcher;
pub mod pack;

pub use classify::{CategoryMatch, Evidence, ItemTriage};
pub use compile::{Category, Checklist, PackError, Signal, compile};
pub use pack::{BUILTIN_PACKS, RulePack, builtin, parse_pack};

/// The checklist of the built-in `default` pack alone.
pub fn default_checklist() -> Result<Checklist, Vec<PackError>> {
    let text = builtin("default").unwrap_or_default();
    let pack = parse_pack(text).map_err(|err| {
        vec![PackError {
            pack: "builtin:default".to_string(),
            message: err.to_string(),
        }]
    })?;
    compile(&[("builtin:default".to_string(), pack)])
}
