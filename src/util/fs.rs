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
