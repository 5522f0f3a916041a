//! Which file a store lives in: one per Graph host, tenant and workspace, so two tenants (or the
//! demo and real Graph) never see each other's sessions.

use std::path::PathBuf;

use crate::StoreError;

/// What a store belongs to. All three parts come from config or the user: the file name keeps
/// only safe characters of each and adds a hash of the exact triple, so no id can reach outside
/// the store folder and two ids that read alike still get two files.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StoreKey {
    /// The Graph host, with its port when one is given (`graph.microsoft.com`, `demo`).
    pub host: String,
    /// The tenant id or domain (`organizations` when sign-in has not pinned one).
    pub tenant: String,
    /// The Security Copilot workspace id (`default`).
    pub workspace: String,
}

impl StoreKey {
    /// A key from its three parts.
    pub fn new(
        host: impl Into<String>,
        tenant: impl Into<String>,
        workspace: impl Into<String>,
    ) -> Self {
        Self {
            host: host.into(),
            tenant: tenant.into(),
            workspace: workspace.into(),
        }
    }

    /// The database file's name inside the store folder, e.g.
    /// `graph.microsoft.com_contoso.com_default-1f2e3d4c5b6a7980.sqlite3`.
    pub fn file_name(&self) -> String {
        let readable = [&self.host, &self.tenant, &self.workspace]
            .iter()
            .map(|part| slug(part))
            .collect::<Vec<_>>()
            .join("_");
        let exact = format!("{}\0{}\0{}", self.host, self.tenant, self.workspace);
        format!("{readable}-{:016x}.sqlite3", fnv1a(exact.as_bytes()))
    }
}

/// The readable parts of a store file's name (host, tenant, workspace, each as [`slug`] made it
/// safe: `127.0.0.1:4321` reads `127.0.0.1-4321`), for telling the user which stores exist;
/// `None` for a file that is not a store.
pub fn readable_parts(file_name: &str) -> Option<[String; 3]> {
    let stem = file_name.strip_suffix(".sqlite3")?;
    let (readable, hash) = stem.rsplit_once('-')?;
    if hash.len() != 16 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut parts = readable.split('_');
    let found = [parts.next()?, parts.next()?, parts.next()?].map(str::to_string);
    parts.next().is_none().then_some(found)
}

/// The platform data folder's `store` directory (`~/.local/share/sctui/store` on Linux).
pub fn default_dir() -> Result<PathBuf, StoreError> {
    directories::ProjectDirs::from("", "", "sctui")
        .map(|dirs| dirs.data_dir().join("store"))
        .ok_or(StoreError::NoDataDir)
}

/// Up to 40 characters of `[A-Za-z0-9.-]`, anything else as `-`; never empty, never `.`/`..`.
fn slug(part: &str) -> String {
    let slug: String = part
        .chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_start_matches('.').to_string();
    if slug.is_empty() { "-".into() } else { slug }
}

/// FNV-1a, 64 bits: stable across builds and platforms, which `std`'s hasher does not promise.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_distinct() {
        let plain = StoreKey::new("graph.microsoft.com", "contoso.com", "default");
        let name = plain.file_name();
        assert!(
            name.starts_with("graph.microsoft.com_contoso.com_default-"),
            "{name}"
        );
        assert!(name.ends_with(".sqlite3"));
        let hostile = StoreKey::new("h", "t", "../../etc/passwd");
        let name = hostile.file_name();
        assert!(!name.contains('/') && !name.starts_with('.'), "{name}");
        // alike once made safe, still two files
        let a = StoreKey::new("h", "t", "a/b").file_name();
        let b = StoreKey::new("h", "t", "a_b").file_name();
        assert_ne!(a, b);
        assert_eq!(a, StoreKey::new("h", "t", "a/b").file_name());
    }

    #[test]
    fn a_file_name_reads_back_as_its_safe_parts() {
        let name = StoreKey::new("127.0.0.1:4321", "contoso.com", "my_ws").file_name();
        assert_eq!(
            readable_parts(&name),
            Some(["127.0.0.1-4321", "contoso.com", "my-ws"].map(str::to_string))
        );
        assert_eq!(readable_parts("notes.txt"), None);
        assert_eq!(readable_parts("a_b_c-zz.sqlite3"), None);
        assert_eq!(readable_parts(&format!("{name}-wal")), None);
    }
}
