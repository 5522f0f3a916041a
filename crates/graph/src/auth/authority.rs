//! Where and as whom we sign in: the authority host, tenant and client id, checked once and turned
//! into endpoint URLs. Plain `http://` is allowed only on loopback, like Graph URLs, so a typo can
//! never send a refresh token over the network in clear text.

use url::Url;

use super::AuthError;

/// Microsoft's public "Microsoft Graph Command Line Tools" app, as Graph PowerShell and the Graph
/// CLI use: it needs no app registration of your own.
pub const DEFAULT_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";
/// Any work or school account's tenant.
pub const DEFAULT_TENANT: &str = "organizations";
/// The global cloud's sign-in host (Security Copilot is global-cloud only).
pub const DEFAULT_AUTHORITY_HOST: &str = "https://login.microsoftonline.com";

/// The delegated scopes asked for by the device-code flow.
pub const DELEGATED_SCOPES: &str = "https://graph.microsoft.com/SecurityCopilotWorkspaces.ReadWrite.All offline_access openid profile";
/// The app-only scope (client credentials, Azure CLI).
pub const APP_SCOPE: &str = "https://graph.microsoft.com/.default";

/// A validated authority: host, tenant and client id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    host: Url,
    tenant: String,
    client_id: String,
}

impl Authority {
    /// Checks the three settings; refuses `consumers` (personal accounts cannot use Security
    /// Copilot) and `http://` off loopback.
    pub fn new(host: &str, tenant: &str, client_id: &str) -> Result<Self, AuthError> {
        // The same rule as Graph URLs: https anywhere, plain http only on loopback.
        let url = crate::endpoint::parse_base_url(host)
            .map_err(|why| AuthError::Settings(format!("authority host {why}")))?;
        let tenant = tenant.trim();
        if tenant.is_empty()
            || !tenant
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        {
            return Err(AuthError::Settings(format!(
                "tenant {tenant:?} must be a tenant id, a domain such as contoso.onmicrosoft.com, or \"organizations\""
            )));
        }
        if tenant.eq_ignore_ascii_case("consumers")
            || tenant.eq_ignore_ascii_case(super::error::MSA_TENANT_ID)
        {
            return Err(AuthError::PersonalAccount);
        }
        let client_id = client_id.trim();
        if client_id.is_empty() || client_id.contains(|c: char| c.is_whitespace() || c == '/') {
            return Err(AuthError::Settings(format!(
                "client id {client_id:?} must be an application (client) id"
            )));
        }
        let mut host = url;
        host.set_path("");
        host.set_query(None);
        host.set_fragment(None);
        Ok(Self {
            host,
            tenant: tenant.to_string(),
            client_id: client_id.to_string(),
        })
    }

    /// `https://login.microsoftonline.com` (origin only, no trailing slash).
    pub fn host(&self) -> String {
        self.host.as_str().trim_end_matches('/').to_string()
    }

    /// The host as a URL (origin only), e.g. to build an HTTP client fit for it.
    pub fn host_url(&self) -> &Url {
        &self.host
    }

    /// The tenant as configured (`organizations`, a GUID or a domain).
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The application (client) id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    fn endpoint(&self, last: &str) -> Url {
        let mut url = self.host.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.clear()
                .extend([self.tenant.as_str(), "oauth2", "v2.0", last]);
        }
        url
    }

    /// `{host}/{tenant}/oauth2/v2.0/devicecode`.
    pub fn device_code_url(&self) -> Url {
        self.endpoint("devicecode")
    }

    /// `{host}/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self) -> Url {
        self.endpoint("token")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_endpoints() {
        let a = Authority::new(DEFAULT_AUTHORITY_HOST, DEFAULT_TENANT, DEFAULT_CLIENT_ID).unwrap();
        assert_eq!(
            a.token_url().as_str(),
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"
        );
        let a = Authority::new("http://127.0.0.1:8080/", "contoso.onmicrosoft.com", "c").unwrap();
        assert_eq!(
            a.device_code_url().as_str(),
            "http://127.0.0.1:8080/contoso.onmicrosoft.com/oauth2/v2.0/devicecode"
        );
        assert_eq!(a.host(), "http://127.0.0.1:8080");
    }

    #[test]
    fn refuses_bad_settings() {
        assert!(Authority::new("http://login.example.com", "organizations", "c").is_err());
        assert!(Authority::new("ftp://127.0.0.1", "organizations", "c").is_err());
        assert!(Authority::new("https://x", "a/b", "c").is_err());
        assert_eq!(
            Authority::new("https://x", "consumers", "c").unwrap_err(),
            AuthError::PersonalAccount
        );
        assert!(Authority::new("https://x", "organizations", " ").is_err());
    }
}
