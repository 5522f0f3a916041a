//! The workspace's plugins as last listed, for `--offline`.

use jiff::Timestamp;
use rusqlite::params;

use crate::StoreError;
use crate::store::{Store, get_meta, set_meta};

/// One plugin as Graph listed it (JSON, settings' values already dropped by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginRecord {
    pub name: String,
    pub json: String,
}

/// The plugins as last listed, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlugins {
    /// In the order Graph listed them.
    pub plugins: Vec<PluginRecord>,
    pub listed: Timestamp,
}

const META_PLUGINS_LISTED: &str = "plugins_listed_ms";

impl Store {
    /// Replaces the stored plugins with a complete listing made `now`.
    pub fn put_plugins(&self, plugins: &[PluginRecord], now: Timestamp) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM plugins", [])?;
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO plugins (name, position, plugin_json) VALUES (?1, ?2, ?3)",
            )?;
            for (position, plugin) in plugins.iter().enumerate() {
                insert.execute(params![plugin.name, position as i64, plugin.json])?;
            }
            set_meta(tx, META_PLUGINS_LISTED, now.as_millisecond())
        })
    }

    /// The plugins as last listed; `None` when they never were.
    pub fn plugins(&self) -> Result<Option<StoredPlugins>, StoreError> {
        self.with(|conn| {
            let Some(listed) = get_meta(conn, META_PLUGINS_LISTED)? else {
                return Ok(None);
            };
            let mut stmt =
                conn.prepare_cached("SELECT name, plugin_json FROM plugins ORDER BY position")?;
            let plugins = stmt
                .query_map([], |r| {
                    Ok(PluginRecord {
                        name: r.get(0)?,
                        json: r.get(1)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Some(StoredPlugins { plugins, listed }))
        })
    }
}
