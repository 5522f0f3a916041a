//! `[profiles.NAME]`: named sets of tenant, app, workspace and Graph URL, so one person can
//! switch between tenants with `--profile NAME` (or `SCTUI_PROFILE`).

use std::collections::BTreeMap;

use serde::Deserialize;

/// One `[profiles.NAME]` section; every key optional, unknown keys refused.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Overrides `[auth] tenant`.
    pub tenant: Option<String>,
    /// Overrides `[auth] client_id`.
    pub client_id: Option<String>,
    /// Overrides the top-level `workspace` (flags and environment still win).
    pub workspace: Option<String>,
    /// Overrides the top-level `graph_url` (flags and environment still win).
    pub graph_url: Option<String>,
}

/// The profile called `name`, or an error that lists the ones the file defines.
pub(super) fn select(
    profiles: Option<&BTreeMap<String, Profile>>,
    name: &str,
) -> Result<Profile, String> {
    if let Some(profile) = profiles.and_then(|p| p.get(name)) {
        return Ok(profile.clone());
    }
    let known: Vec<&str> = profiles
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    Err(if known.is_empty() {
        format!("`{name}` is not defined: the config has no [profiles.NAME] sections")
    } else {
        format!(
            "`{name}` is not defined; known profiles: {}",
            known.join(", ")
        )
    })
}

/// The profile's tenant and app on top of `[auth]` (a chosen profile beats the file's defaults;
/// `sctui login --tenant/--client-id` still win later).
pub(super) fn apply_auth(
    mut auth: sctui_graph::auth::AuthConfig,
    tenant: Option<String>,
    client_id: Option<String>,
) -> sctui_graph::auth::AuthConfig {
    let nonempty = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
    if let Some(tenant) = nonempty(tenant) {
        auth.tenant = tenant;
    }
    if let Some(client_id) = nonempty(client_id) {
        auth.client_id = client_id;
    }
    auth
}
