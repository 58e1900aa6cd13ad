//! `backlint hook install [--force]` and `backlint hook uninstall`.

use std::io::Write;
use std::path::Path;

use super::{AppError, Verdict};
use crate::discover::git::GitRepo;
use crate::hook::{self, BACKUP_NAME, Installed, Removed};

fn hooks_dir(start: &Path) -> Result<std::path::PathBuf, AppError> {
    let repo = GitRepo::open(start)?;
    Ok(repo.hooks_dir()?)
}

/// Installs the pre-commit hook of the repository containing the working directory.
pub fn install(force: bool, out: &mut dyn Write) -> Result<Verdict, AppError> {
    let dir = hooks_dir(Path::new("."))?;
    let exe = std::env::current_exe().map_err(AppError::Io)?;
    let exe = exe.canonicalize().unwrap_or(exe);
    let result = hook::install(&dir, &exe, force).map_err(AppError::Hook)?;
    let path = hook::hook_path(&dir);
    match result {
        Installed::Fresh => writeln!(
            out,
            "installed the backlint pre-commit hook: {}",
            path.display()
        )?,
        Installed::Updated => writeln!(
            out,
            "the backlint pre-commit hook is up to date: {}",
            path.display()
        )?,
        Installed::Chained { forced: false } => writeln!(
            out,
            "installed the backlint pre-commit hook: {}\nyour existing pre-commit hook was kept as {BACKUP_NAME} and runs first",
            path.display()
        )?,
        Installed::Chained { forced: true } => writeln!(
            out,
            "installed the backlint pre-commit hook: {}\nyour existing hook was moved to {BACKUP_NAME} and no longer runs (--force); `backlint hook uninstall` puts it back",
            path.display()
        )?,
    }
    writeln!(
        out,
        "every commit now checks the staged backlog change; skip once with `git commit --no-verify`"
    )?;
    Ok(Verdict::Clean)
}

/// Removes the hook, restoring what was there before.
pub fn uninstall(out: &mut dyn Write) -> Result<Verdict, AppError> {
    let dir = hooks_dir(Path::new("."))?;
    match hook::uninstall(&dir).map_err(AppError::Hook)? {
        Removed::Removed { restored: true } => writeln!(
            out,
            "removed the backlint pre-commit hook and restored your earlier hook"
        )?,
        Removed::Removed { restored: false } => {
            writeln!(out, "removed the backlint pre-commit hook")?
        }
        Removed::NothingThere => writeln!(out, "no pre-commit hook is installed; nothing to do")?,
    }
    Ok(Verdict::Clean)
}
