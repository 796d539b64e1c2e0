//! The profile directory. Every file the engine writes lives under it, and one override selects
//! it: an explicit path (`--home`), else `CROKODIAL_HOME`, else the OS data directory.

use std::path::{Path, PathBuf};

pub const HOME_ENV: &str = "CROKODIAL_HOME";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home(PathBuf);

impl Home {
    /// Resolves the profile directory; `explicit` wins over the environment.
    pub fn resolve(explicit: Option<PathBuf>) -> Self {
        let dir = explicit
            .or_else(|| std::env::var_os(HOME_ENV).filter(|v| !v.is_empty()).map(PathBuf::from))
            .unwrap_or_else(|| dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("crokodial"));
        Home(dir)
    }

    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Home(dir.into())
    }

    pub fn dir(&self) -> &Path {
        &self.0
    }

    /// The last session's server, user and email (no secret: the token is in the keychain).
    pub fn profile_file(&self) -> PathBuf {
        self.0.join("profile.json")
    }

    /// This machine's settings (alerts), never a secret.
    pub fn settings_file(&self) -> PathBuf {
        self.0.join("settings.json")
    }

    /// Files an import leaves for the user: the rows that could not be imported.
    pub fn imports_dir(&self) -> PathBuf {
        self.0.join("imports")
    }

    /// The app's log files, one a day.
    pub fn logs_dir(&self) -> PathBuf {
        self.0.join("logs")
    }

    /// The import mappings the user saved.
    pub fn mappings_file(&self) -> PathBuf {
        self.0.join("mappings.json")
    }
}

/// Writes a file whole or not at all (a temp file, synced, then renamed over it), so a crash
/// mid-write leaves the old file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_wins() {
        let h = Home::resolve(Some("/x/y".into()));
        assert_eq!(h.dir(), Path::new("/x/y"));
        assert_eq!(h.profile_file(), Path::new("/x/y/profile.json"));
    }
}
