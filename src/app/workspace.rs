//! Where a command runs: the working directory, the repository root that paths are reported
//! relative to, and the validated configuration (from `--config`, or found upward).

use std::path::{Path, PathBuf};

use super::AppError;
use crate::config::Config;
use crate::config::load::{self, DiskPackReader};
use crate::discover::{self, walk};

/// The working directory, root and configuration of one run.
#[derive(Debug)]
pub struct Workspace {
    pub cwd: PathBuf,
    pub root: PathBuf,
    pub config: Config,
    /// The configuration file that was read, if any.
    pub config_file: Option<PathBuf>,
}

impl Workspace {
    /// Opens the workspace of `paths` (the first one decides the root; none means the working
    /// directory). `config` is `--config`.
    pub fn open(paths: &[PathBuf], config: Option<&Path>) -> Result<Workspace, AppError> {
        let mut ws = Self::open_without_config(paths)?;
        let start = paths
            .first()
            .map_or(ws.cwd.as_path(), PathBuf::as_path)
            .to_path_buf();
        let (cwd, root) = (&ws.cwd, &ws.root);
        let config_file = match config {
            Some(path) => {
                if !path.is_file() {
                    return Err(AppError::MissingPath(path.display().to_string()));
                }
                Some(path.to_path_buf())
            }
            None => {
                let start_abs = if start.is_absolute() {
                    start.clone()
                } else {
                    cwd.join(&start)
                };
                load::find(&start_abs, root)
            }
        };
        ws.config = match &config_file {
            Some(path) => Self::read_config(path, root)?,
            None => Config::default(),
        };
        ws.config_file = config_file;
        Ok(ws)
    }

    /// The working directory and root of `paths`, with the default configuration.
    pub fn open_without_config(paths: &[PathBuf]) -> Result<Workspace, AppError> {
        let cwd = std::env::current_dir().map_err(AppError::Cwd)?;
        for path in paths {
            if std::fs::symlink_metadata(path).is_err() {
                return Err(AppError::MissingPath(path.display().to_string()));
            }
        }
        let start = paths.first().map_or(cwd.as_path(), PathBuf::as_path);
        let root = discover::find_root(start, &cwd);
        Ok(Workspace {
            cwd,
            root,
            config: Config::default(),
            config_file: None,
        })
    }

    fn read_config(path: &Path, root: &Path) -> Result<Config, AppError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| AppError::ConfigUnreadable(path.display().to_string(), e))?;
        let display = walk::relative(root, path);
        let dir = display.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        // A configuration outside the repository (`--config /elsewhere.yaml`) names paths
        // relative to the repository root.
        let dir = if display.starts_with('/') || display.starts_with("..") {
            String::new()
        } else {
            dir
        };
        load::parse(&text, &display, &dir, &DiskPackReader { root }).map_err(AppError::Config)
    }
}
