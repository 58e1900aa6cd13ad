//! Large, short-lived byte buffers (the item cache file with its journal, read whole): from
//! 8 MiB on they are held by the system's allocator rather than the program's. The system's
//! gives a buffer of megabytes back to the operating system the moment it is dropped, where the
//! program's (mimalloc) keeps freed memory a while to reuse it, so a buffer dropped before the
//! next phase would still count in the run's peak. Below that the program's is used: in a hook,
//! which keeps huge pages, it takes fewer page faults, and a hook reading a 3 MB cache file took
//! 3 ms longer to open it with the system's (page faults and a copy).

use std::alloc::System;
use std::io::{self, Read};
use std::path::Path;

/// From this size on, a buffer is held by the system's allocator.
const SYSTEM_FROM: usize = 8 << 20;

/// Bytes, held by the program's allocator while small and by the system's once large.
#[derive(Debug)]
pub struct BulkBytes(Store);

#[derive(Debug)]
enum Store {
    Program(Vec<u8>),
    System(allocator_api2::vec::Vec<u8, System>),
}

impl Default for BulkBytes {
    fn default() -> Self {
        BulkBytes(Store::Program(Vec::new()))
    }
}

impl std::ops::Deref for BulkBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.0 {
            Store::Program(bytes) => bytes,
            Store::System(bytes) => bytes,
        }
    }
}

impl BulkBytes {
    /// Appends `bytes` (a journal to its cache file's bytes) where the buffer is held.
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        match &mut self.0 {
            Store::Program(held) => held.extend_from_slice(bytes),
            Store::System(held) => held.extend_from_slice(bytes),
        }
    }

    /// Whether the system's allocator holds the bytes.
    #[cfg(test)]
    fn held_by_the_system(&self) -> bool {
        matches!(self.0, Store::System(_))
    }
}

/// The bytes of the file at `path`, when it holds at most `limit` bytes; a larger file is an
/// error of kind `FileTooLarge` (nothing past the limit is read).
pub fn read(path: &Path, limit: u64) -> io::Result<BulkBytes> {
    let file = std::fs::File::open(path)?;
    let expected = file.metadata()?.len();
    if expected > limit {
        return Err(io::Error::from(io::ErrorKind::FileTooLarge));
    }
    let expected = usize::try_from(expected).unwrap_or(usize::MAX);
    // One byte more than the limit is read, to tell a file that grew past it.
    let mut reader = file.take(limit.saturating_add(1));
    let out = if expected < SYSTEM_FROM {
        let mut out = Vec::with_capacity(expected);
        reader.read_to_end(&mut out)?;
        BulkBytes(Store::Program(out))
    } else {
        let mut out = allocator_api2::vec::Vec::with_capacity_in(expected, System);
        let mut chunk = vec![0u8; 256 << 10];
        loop {
            match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => out.extend_from_slice(chunk.get(..n).unwrap_or_default()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        BulkBytes(Store::System(out))
    };
    if out.len() as u64 > limit {
        return Err(io::Error::from(io::ErrorKind::FileTooLarge));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_whole_within_the_limit_and_refused_past_it() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("cache.bin");
        let bytes: Vec<u8> = (0..600_000u32).map(|n| (n % 251) as u8).collect();
        std::fs::write(&path, &bytes).expect("write");
        let read = read(&path, bytes.len() as u64).expect("read");
        assert_eq!(&*read, bytes.as_slice());
        assert!(!read.held_by_the_system(), "a small file");
        let large: Vec<u8> = (0..SYSTEM_FROM as u32 + 3)
            .map(|n| (n % 253) as u8)
            .collect();
        let large_file = dir.path().join("large.bin");
        std::fs::write(&large_file, &large).expect("write");
        let read = super::read(&large_file, u64::MAX).expect("read");
        assert_eq!(&*read, large.as_slice());
        assert!(read.held_by_the_system(), "a large file");
        let refused = super::read(&path, bytes.len() as u64 - 1).expect_err("too large");
        assert_eq!(refused.kind(), io::ErrorKind::FileTooLarge);
        let empty_file = dir.path().join("empty.bin");
        std::fs::write(&empty_file, b"").expect("write");
        assert!(super::read(&empty_file, 10).expect("read").is_empty());
        let missing = super::read(&dir.path().join("missing"), 10).expect_err("missing");
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }
}
