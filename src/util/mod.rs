//! Small helpers with no knowledge of backlogs, shared by every layer above: did-you-mean
//! suggestions, large buffers given back when dropped, atomic file writes, calendar dates, cutting text to a width and the process's
//! peak memory.

pub mod bulk;
pub mod date;
pub mod fs;
pub mod memory;
pub mod suggest;
pub mod text;

pub use suggest::suggest;
