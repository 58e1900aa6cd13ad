//! Installs and removes the pre-commit hook: written from the template in `hooks/`, into the
//! folder git uses (`core.hooksPath` honoured). A hook that was already there is kept (as
//! `pre-commit.pre-backlint`) and run first; uninstalling puts it back. Installing twice
//! changes nothing.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The hook template; `@INSTALLED_FROM@` and `@CHAIN@` are filled in at install time.
pub const TEMPLATE: &str = include_str!("../hooks/pre-commit");

/// The line that marks a hook as backlint's.
pub const MARKER: &str = "marker: backlint-hook v1";

/// Where a hook that was there before is kept.
pub const BACKUP_NAME: &str = "pre-commit.pre-backlint";

/// What `hook install` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    /// No hook was there.
    Fresh,
    /// backlint's hook was there already; it was brought up to date.
    Updated,
    /// Another hook was there: kept as `pre-commit.pre-backlint`, and run first (unless
    /// `--force`, which keeps it only for `uninstall`).
    Chained { forced: bool },
}

/// What `hook uninstall` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Removed {
    /// backlint's hook was removed; `restored` says whether an earlier hook was put back.
    Removed { restored: bool },
    /// No hook was installed.
    NothingThere,
}

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error("{0}: {1}")]
    Io(String, io::Error),
    #[error(
        "{0} is not backlint's hook; it was left alone (backlint only removes the hook it installed)"
    )]
    NotOurs(String),
    #[error(
        "{0} already exists: an earlier install kept a hook there; move it away before installing again"
    )]
    BackupExists(String),
}

/// Quotes a path for `sh` (single quotes; embedded ones closed and escaped).
fn shell_quote(path: &str) -> String {
    format!("'{}'", path.replace('\'', "'\\''"))
}

/// The hook's text.
pub fn render(installed_from: &Path, chain: bool) -> String {
    TEMPLATE
        .replace(
            "@INSTALLED_FROM@",
            &shell_quote(&installed_from.to_string_lossy()),
        )
        .replace("@CHAIN@", if chain { "yes" } else { "no" })
}

fn is_ours(text: &str) -> bool {
    text.contains(MARKER)
}

fn io_err(path: &Path) -> impl Fn(io::Error) -> HookError + '_ {
    move |e| HookError::Io(path.display().to_string(), e)
}

/// Writes the hook executable, atomically.
fn write_hook(path: &Path, text: &str) -> Result<(), HookError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err(dir))?;
    io::Write::write_all(&mut tmp, text.as_bytes()).map_err(io_err(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).map_err(io_err(path))?;
    }
    tmp.persist(path)
        .map_err(|e| HookError::Io(path.display().to_string(), e.error))?;
    Ok(())
}

/// Installs the hook into `hooks_dir`. `installed_from` is this binary (the hook's fallback
/// when backlint is not on PATH).
pub fn install(
    hooks_dir: &Path,
    installed_from: &Path,
    force: bool,
) -> Result<Installed, HookError> {
    fs::create_dir_all(hooks_dir).map_err(io_err(hooks_dir))?;
    let hook = hooks_dir.join("pre-commit");
    let backup = hooks_dir.join(BACKUP_NAME);
    let existing = match fs::read(&hook) {
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(HookError::Io(hook.display().to_string(), e)),
    };
    match existing {
        None => {
            write_hook(&hook, &render(installed_from, false))?;
            Ok(Installed::Fresh)
        }
        Some(text) if is_ours(&text) => {
            // Keep whether it chained: a backup means an earlier hook is run first, unless
            // the earlier install was forced.
            let chained = backup.exists() && text.contains("[ \"yes\" = yes ]");
            write_hook(&hook, &render(installed_from, chained))?;
            Ok(Installed::Updated)
        }
        Some(_) => {
            if backup.exists() {
                return Err(HookError::BackupExists(backup.display().to_string()));
            }
            fs::rename(&hook, &backup).map_err(io_err(&hook))?;
            write_hook(&hook, &render(installed_from, !force))?;
            Ok(Installed::Chained { forced: force })
        }
    }
}

/// Removes backlint's hook from `hooks_dir`, restoring the hook that was there before.
pub fn uninstall(hooks_dir: &Path) -> Result<Removed, HookError> {
    let hook = hooks_dir.join("pre-commit");
    let backup = hooks_dir.join(BACKUP_NAME);
    let text = match fs::read(&hook) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Removed::NothingThere),
        Err(e) => return Err(HookError::Io(hook.display().to_string(), e)),
    };
    if !is_ours(&text) {
        return Err(HookError::NotOurs(hook.display().to_string()));
    }
    if backup.exists() {
        fs::rename(&backup, &hook).map_err(io_err(&backup))?;
        Ok(Removed::Removed { restored: true })
    } else {
        fs::remove_file(&hook).map_err(io_err(&hook))?;
        Ok(Removed::Removed { restored: false })
    }
}

/// The hook file in `hooks_dir`.
pub fn hook_path(hooks_dir: &Path) -> PathBuf {
    hooks_dir.join("pre-commit")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_rendering() {
        assert_eq!(
            shell_quote("/opt/it's here/backlint"),
            r"'/opt/it'\''s here/backlint'"
        );
        let text = render(Path::new("/usr/local/bin/backlint"), true);
        assert!(text.contains("'/usr/local/bin/backlint'"));
        assert!(text.contains("[ \"yes\" = yes ]"));
        assert!(text.contains(MARKER));
        assert!(!text.contains("@INSTALLED_FROM@") && !text.contains("@CHAIN@"));
    }

    #[test]
    fn install_chain_idempotent_uninstall() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let hooks = dir.path().join("hooks");
        let bin = Path::new("/x/backlint");
        assert_eq!(install(&hooks, bin, false).ok(), Some(Installed::Fresh));
        let first = fs::read_to_string(hook_path(&hooks)).unwrap_or_default();
        assert_eq!(install(&hooks, bin, false).ok(), Some(Installed::Updated));
        assert_eq!(
            fs::read_to_string(hook_path(&hooks)).unwrap_or_default(),
            first
        );
        assert_eq!(
            uninstall(&hooks).ok(),
            Some(Removed::Removed { restored: false })
        );
        assert!(!hook_path(&hooks).exists());
        assert_eq!(uninstall(&hooks).ok(), Some(Removed::NothingThere));

        fs::write(hook_path(&hooks), "#!/bin/sh\necho mine\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            install(&hooks, bin, false).ok(),
            Some(Installed::Chained { forced: false })
        );
        assert_eq!(install(&hooks, bin, false).ok(), Some(Installed::Updated));
        let chained = fs::read_to_string(hook_path(&hooks)).unwrap_or_default();
        assert!(
            chained.contains("[ \"yes\" = yes ]"),
            "still chains after an update"
        );
        assert_eq!(
            uninstall(&hooks).ok(),
            Some(Removed::Removed { restored: true })
        );
        assert_eq!(
            fs::read_to_string(hook_path(&hooks)).unwrap_or_default(),
            "#!/bin/sh\necho mine\n"
        );

        assert!(matches!(uninstall(&hooks), Err(HookError::NotOurs(_))));
    }
}
