//! The token cache file: one JSON file holding the refresh token, the access token and its expiry,
//! and the account. Written atomically (temp file in the same folder, then rename) with mode 0600
//! in a 0700 folder; a file others can read is refused, as ssh refuses a readable private key.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::token_set::{Account, TokenSet};
use super::{AccessToken, AuthError, Authority};

/// The file's format version; a file with another one is ignored (sign in again).
const VERSION: u32 = 1;
/// The file name inside the cache folder.
pub const FILE_NAME: &str = "tokens.json";

/// The default cache file: `$XDG_STATE_HOME/sctui/auth/tokens.json` (falling back to the cache
/// dir on platforms without a state dir).
pub fn default_path() -> Option<PathBuf> {
    let dirs = project_dirs()?;
    let base = dirs
        .state_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dirs.cache_dir().to_path_buf());
    Some(base.join("auth").join(FILE_NAME))
}

/// sctui's platform folders (config, state, cache, data). The one definition: the app's config and
/// the token cache must agree on where sctui lives.
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "sctui")
}

/// The file as written. Plain strings live only while (de)serialising.
#[derive(Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    authority_host: String,
    tenant: String,
    client_id: String,
    #[serde(default)]
    account: Option<Account>,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_at: Option<Timestamp>,
    #[serde(default)]
    received_at: Option<Timestamp>,
    #[serde(default)]
    refresh_token: Option<String>,
    saved_at: Timestamp,
}

impl fmt::Debug for CacheFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheFile")
            .field("authority_host", &self.authority_host)
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("account", &self.account)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The cache's lock, held while a refresh runs; released when dropped.
#[derive(Debug)]
pub struct CacheLock {
    _file: std::fs::File,
}

/// One token cache file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCache {
    path: PathBuf,
}

impl TokenCache {
    /// The cache at `path` (tests, or a custom location).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The cache at [`default_path`].
    pub fn default_location() -> Result<Self, AuthError> {
        default_path().map(Self::at).ok_or_else(|| {
            AuthError::Other(
                "no state or cache directory on this system for the token cache".into(),
            )
        })
    }

    /// Where the file lives (for `whoami` and messages).
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, detail: impl Into<String>) -> AuthError {
        AuthError::Cache {
            path: self.path.display().to_string(),
            detail: detail.into(),
        }
    }

    /// The cached tokens for `authority`; `None` when there is no file, or it is for another
    /// tenant, client or authority host, or from another version. Refuses a file others can read.
    pub fn load(&self, authority: &Authority) -> Result<Option<TokenSet>, AuthError> {
        let text = match std::fs::read(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.err(format!("cannot read it: {e}"))),
        };
        self.check_mode()?;
        let file: CacheFile = match serde_json::from_slice(&text) {
            Ok(f) => f,
            Err(e) => {
                return Err(AuthError::CacheUnreadable {
                    path: self.path.display().to_string(),
                    detail: e.to_string(),
                });
            }
        };
        if file.version != VERSION
            || file.authority_host != authority.host()
            || !file.tenant.eq_ignore_ascii_case(authority.tenant())
            || file.client_id != authority.client_id()
        {
            tracing::info!(cached = ?file, "token cache is for another tenant, client or authority; ignoring it");
            return Ok(None);
        }
        let access = file.access_token.filter(|t| !t.is_empty());
        let refresh = file.refresh_token.filter(|t| !t.is_empty());
        if access.is_none() && refresh.is_none() {
            return Ok(None);
        }
        // No access token means "expired": the refresh token gets a new one at first use.
        let expires_at = file.expires_at.unwrap_or(Timestamp::UNIX_EPOCH);
        Ok(Some(TokenSet {
            access: AccessToken::new(access.unwrap_or_default()),
            expires_at,
            received_at: file
                .received_at
                .unwrap_or_else(|| expires_at - SignedDuration::from_hours(1)),
            refresh: refresh.map(SecretString::from),
            account: file.account,
        }))
    }

    /// Writes `set` for `authority`, replacing the file atomically.
    pub fn save(&self, authority: &Authority, set: &TokenSet) -> Result<(), AuthError> {
        let file = CacheFile {
            version: VERSION,
            authority_host: authority.host(),
            tenant: authority.tenant().to_string(),
            client_id: authority.client_id().to_string(),
            account: set.account.clone(),
            access_token: Some(set.access.expose().to_string()),
            expires_at: Some(set.expires_at),
            received_at: Some(set.received_at),
            refresh_token: set.refresh.as_ref().map(|r| r.expose_secret().to_string()),
            saved_at: Timestamp::now(),
        };
        let bytes = serde_json::to_vec_pretty(&file)
            .map_err(|e| self.err(format!("cannot encode it: {e}")))?;
        self.write_atomically(&bytes)
    }

    /// Removes the file; `Ok(false)` when there was none.
    pub fn delete(&self) -> Result<bool, AuthError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(self.err(format!("cannot delete it: {e}"))),
        }
    }

    /// The account recorded in the file, whatever tenant it is for (for `logout`'s message).
    pub fn account(&self) -> Option<Account> {
        let text = std::fs::read(&self.path).ok()?;
        serde_json::from_slice::<CacheFile>(&text).ok()?.account
    }

    /// The sign-in service the file was written for, whatever tenant it is for: with none
    /// configured, later commands follow the one `login --authority-host` used.
    pub fn authority_host(&self) -> Option<String> {
        let text = std::fs::read(&self.path).ok()?;
        Some(
            serde_json::from_slice::<CacheFile>(&text)
                .ok()?
                .authority_host,
        )
        .filter(|h| !h.is_empty())
    }

    fn write_atomically(&self, bytes: &[u8]) -> Result<(), AuthError> {
        let dir = self
            .path
            .parent()
            .ok_or_else(|| self.err("has no parent folder"))?;
        create_private_dir(dir).map_err(|e| self.err(format!("cannot create its folder: {e}")))?;
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| FILE_NAME.into());
        let tmp = dir.join(format!(
            ".{name}.{}.{}.tmp",
            std::process::id(),
            rand::random::<u32>()
        ));
        let result = (|| -> std::io::Result<()> {
            let mut f = private_file(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.path)
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(self.err(format!("cannot write it: {e}")));
        }
        Ok(())
    }

    /// Holds the cache's lock file (`tokens.json.lock`, beside it) until dropped: a process that
    /// refreshes takes it, so two processes never trade the same rotating refresh token. Blocks
    /// while another process holds it (call it off the async threads).
    pub fn lock(&self) -> Result<CacheLock, AuthError> {
        let dir = self
            .path
            .parent()
            .ok_or_else(|| self.err("has no parent folder"))?;
        create_private_dir(dir).map_err(|e| self.err(format!("cannot create its folder: {e}")))?;
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        let mut options = std::fs::OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(dir.join(name))
            .map_err(|e| self.err(format!("cannot open its lock file: {e}")))?;
        file.lock()
            .map_err(|e| self.err(format!("cannot lock it: {e}")))?;
        Ok(CacheLock { _file: file })
    }

    /// The folder must be ours and closed to others (0700), or the file could be swapped.
    #[cfg(unix)]
    fn check_folder(&self) -> Result<(), AuthError> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let Some(dir) = self.path.parent() else {
            return Ok(());
        };
        let meta = std::fs::metadata(dir).map_err(|e| self.err(e.to_string()))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(AuthError::CacheExposed {
                path: self.path.display().to_string(),
                folder: Some(dir.display().to_string()),
                mode,
            });
        }
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return Err(self.err(format!(
                "its folder {} belongs to user {}, not to you ({me}); it is ignored",
                dir.display(),
                meta.uid()
            )));
        }
        Ok(())
    }

    #[cfg(not(unix))]
    fn check_folder(&self) -> Result<(), AuthError> {
        Ok(())
    }

    #[cfg(unix)]
    fn check_mode(&self) -> Result<(), AuthError> {
        use std::os::unix::fs::PermissionsExt;
        self.check_folder()?;
        let meta = std::fs::metadata(&self.path).map_err(|e| self.err(e.to_string()))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(AuthError::CacheExposed {
                path: self.path.display().to_string(),
                folder: None,
                mode,
            });
        }
        Ok(())
    }

    #[cfg(not(unix))]
    fn check_mode(&self) -> Result<(), AuthError> {
        Ok(())
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    // An existing folder may be wider (made by hand, or by an older version): it is ours, tighten it.
    let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
    if mode != 0o700 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}
