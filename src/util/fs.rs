//! Atomic file writes: a temporary file in the target's folder, synced (unless the file only
//! saves work and checks itself), then renamed into place, so that a reader never sees half a
//! file.

use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, renamed into
/// place, so a reader never sees half a report. A replaced file keeps its permissions; a new
/// one gets the usual `rw-r--r--`.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let file = stage_file(path, bytes)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Like [`write_file_atomically`], without waiting for the disk: for a file whose loss costs
/// only time and whose reader notices damage (the item cache, which holds a checksum), where
/// a sync would be felt on every run (a pre-commit hook's).
pub fn write_file_atomically_unsynced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let file = unsynced_file(path, bytes)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Like [`write_file_atomically_unsynced`], with the bytes written by `write` a piece at a time
/// (a file of megabytes need not be held whole first). Nothing is renamed into place when
/// `write` fails.
pub fn write_atomically_unsynced_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let file = unsynced_file_with(path, write)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Creates `path` atomically with `bytes`; fails with `AlreadyExists` instead of replacing a
/// file that exists (even one created meanwhile).
pub fn create_file_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let file = stage_file(path, bytes)?;
    file.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// A synced temporary file next to `path` holding `bytes`, to be renamed into place.
pub fn stage_file(path: &Path, bytes: &[u8]) -> io::Result<tempfile::NamedTempFile> {
    let file = unsynced_file(path, bytes)?;
    file.as_file().sync_all()?;
    Ok(file)
}

/// A temporary file next to `path` holding `bytes`, with `path`'s permissions if it exists.
fn unsynced_file(path: &Path, bytes: &[u8]) -> io::Result<tempfile::NamedTempFile> {
    unsynced_file_with(path, |out| out.write_all(bytes))
}

/// A temporary file next to `path` holding what `write` writes (through a buffer), with
/// `path`'s permissions if it exists.
fn unsynced_file_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut out = io::BufWriter::with_capacity(64 << 10, file.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    let permissions = match std::fs::metadata(path) {
        Ok(existing) => Some(existing.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(permissions) = permissions {
        file.as_file().set_permissions(permissions)?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_written_in_pieces_is_whole_or_not_there() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("items.bin");
        write_atomically_unsynced_with(&path, |out| {
            for piece in [b"one ".as_slice(), b"two ", &[b'x'; 100_000]] {
                out.write_all(piece)?;
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let written = std::fs::read(&path).unwrap_or_default();
        assert_eq!(written.len(), 8 + 100_000);
        assert!(written.starts_with(b"one two x"));
        // A writer that fails part way leaves the file as it was, and no temporary file.
        let failed = write_atomically_unsynced_with(&path, |out| {
            out.write_all(&[b'y'; 200_000])?;
            Err(io::Error::other("the disk is full"))
        });
        assert_eq!(
            failed.map_err(|e| e.to_string()),
            Err("the disk is full".to_string())
        );
        assert_eq!(std::fs::read(&path).unwrap_or_default(), written);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(names, vec![std::ffi::OsString::from("items.bin")]);
    }
}
