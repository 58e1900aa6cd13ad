//! Small helpers with no knowledge of backlogs, shared by every layer above: did-you-mean
//! suggestions, atomic file writes, calendar dates and cutting text to a width.

pub mod date;
pub mod fs;
pub mod suggest;
pub mod text;

pub use suggest::suggest;
