//! Reading a JWT's claims without verifying it. We are the token's holder, not its audience: the
//! claims only feed `whoami`, the cache's account and the missing-scope warning. Graph verifies.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

/// The claims sctui looks at; every one is optional (app-only tokens have no `upn`, v1 and v2
/// tokens name things differently).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Claims {
    /// Delegated scopes, space separated.
    #[serde(default)]
    pub scp: Option<String>,
    /// Application roles (app-only tokens).
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub upn: Option<String>,
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default)]
    pub unique_name: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub tid: Option<String>,
    #[serde(default)]
    pub oid: Option<String>,
    #[serde(default)]
    pub appid: Option<String>,
    #[serde(default)]
    pub azp: Option<String>,
    /// Expiry, seconds since the epoch (informational only; we trust `expires_in`).
    #[serde(default)]
    pub exp: Option<i64>,
}

impl Claims {
    /// Decodes the payload of `header.payload.signature`; `None` for anything else (opaque
    /// tokens are legal).
    pub fn decode(token: &str) -> Option<Self> {
        let mut parts = token.split('.');
        let (_header, payload) = (parts.next()?, parts.next()?);
        parts.next()?;
        let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The best name for the signed-in principal.
    pub fn username(&self) -> Option<&str> {
        self.preferred_username
            .as_deref()
            .or(self.upn.as_deref())
            .or(self.unique_name.as_deref())
            .filter(|s| !s.is_empty())
    }

    /// Granted permissions: delegated scopes, or app roles for app-only tokens.
    pub fn granted(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .scp
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        out.extend(self.roles.iter().cloned());
        out
    }

    /// Whether the token carries any Security Copilot workspace permission.
    pub fn has_security_copilot_scope(&self) -> bool {
        self.granted()
            .iter()
            .any(|s| s.starts_with("SecurityCopilotWorkspaces."))
    }
}

#[cfg(test)]
pub(crate) fn encode_for_tests(payload: &serde_json::Value) -> String {
    let enc = |v: &[u8]| URL_SAFE_NO_PAD.encode(v);
    format!(
        "{}.{}.sig",
        enc(br#"{"alg":"none","typ":"JWT"}"#),
        enc(payload.to_string().as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_scopes_and_names() {
        let t = encode_for_tests(&serde_json::json!({
            "scp": "SecurityCopilotWorkspaces.ReadWrite.All User.Read",
            "upn": "a@contoso.com", "tid": "t1", "oid": "o1", "exp": 5
        }));
        let c = Claims::decode(&t).unwrap();
        assert_eq!(c.username(), Some("a@contoso.com"));
        assert_eq!(c.tid.as_deref(), Some("t1"));
        assert!(c.has_security_copilot_scope());
        assert_eq!(c.granted().len(), 2);
    }

    #[test]
    fn missing_scope_and_garbage() {
        let t = encode_for_tests(&serde_json::json!({"scp": "User.Read"}));
        assert!(!Claims::decode(&t).unwrap().has_security_copilot_scope());
        assert!(Claims::decode("opaque").is_none());
        assert!(Claims::decode("a.!!!.c").is_none());
        assert!(Claims::decode("a.b").is_none());
    }
}
