//! Small helpers with no knowledge of backlogs, shared by every layer above: did-you-mean
//! suggestions, atomic file writes and calendar dates.

pub mod date;
pub mod fs;
pub mod suggest;

pub use suggest::suggest;
