//! Choosing the token source for a run: a token given outright (`--token-file`,
//! `SCTUI_ACCESS_TOKEN`) wins; otherwise `[auth] method` decides.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cache::TokenCache;
use super::cached::CachedTokenSource;
use super::error::TokenFileProblem;
use super::settings::{AuthConfig, AuthMethod};
use super::{AuthError, Authority, StaticToken, TokenSource, az, client_secret, oauth, refresh};

pub use super::{TOKEN_ENV, TOKEN_FILE};

/// What a run signs in with.
pub struct Chosen {
    /// What the Graph client asks for tokens.
    pub source: Arc<dyn TokenSource>,
    /// The same source when it is a renewing cache: `whoami` reads it, and an interactive sign-in
    /// (the TUI's device-code popup) installs its result into it with `install`.
    pub cached: Option<Arc<CachedTokenSource>>,
    /// The method in effect (`env` when a token was given outright).
    pub method: AuthMethod,
    /// Where delegated sign-in goes (device-code only).
    pub authority: Option<Authority>,
    /// The token cache file (device-code only).
    pub cache: Option<TokenCache>,
    /// The identity provider's HTTP client, for an interactive sign-in (built on first use).
    pub http: Option<oauth::LazyClient>,
}

impl Chosen {
    /// Whether a front end must run the device-code flow before Graph calls can succeed: the
    /// device-code method with nothing usable cached. The TUI's sign-in popup keys off this.
    pub async fn needs_device_code_sign_in(&self) -> bool {
        match (&self.cached, self.method) {
            (Some(cached), AuthMethod::DeviceCode) => !cached.is_usable().await,
            _ => false,
        }
    }

    /// Installs the result of [`super::device_code::poll`] (saving it to the cache file), so the
    /// Graph client's next request uses it.
    pub async fn complete_sign_in(&self, set: super::TokenSet) {
        if let Some(cached) = &self.cached {
            cached.install(set).await;
        }
    }
}

/// Picks and builds the token source. `cache` overrides the default cache file location.
pub fn choose(
    config: &AuthConfig,
    token_file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
    cache: Option<TokenCache>,
) -> Result<Chosen, AuthError> {
    let given = |source: Arc<dyn TokenSource>| Chosen {
        source,
        cached: None,
        method: AuthMethod::Env,
        authority: None,
        cache: None,
        http: None,
    };
    if let Some(path) = token_file {
        return Ok(given(StaticToken::shared(
            read_token_file(path)?,
            TOKEN_FILE,
        )));
    }
    if let Some(token) = env(TOKEN_ENV)
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
    {
        return Ok(given(StaticToken::shared(token, TOKEN_ENV)));
    }
    let authority = || Authority::new(&config.authority_host, &config.tenant, &config.client_id);
    let wrap = |cached: CachedTokenSource,
                authority: Option<Authority>,
                cache: Option<TokenCache>,
                http: Option<oauth::LazyClient>| {
        let cached = Arc::new(cached);
        Chosen {
            source: cached.clone(),
            cached: Some(cached),
            method: config.method,
            authority,
            cache,
            http,
        }
    };
    match config.method {
        AuthMethod::Env => Err(AuthError::Missing),
        AuthMethod::Az => Ok(wrap(
            CachedTokenSource::new(Box::new(az::AzureCli::new(&config.tenant)), None),
            None,
            None,
            None,
        )),
        AuthMethod::ClientSecret => {
            let authority = authority()?;
            let http = oauth::http_client_for(authority.host_url())?;
            let renewer =
                client_secret::ClientSecretRenewer::from_env(http.clone(), authority, env)?;
            Ok(wrap(
                CachedTokenSource::new(Box::new(renewer), None),
                None,
                None,
                Some(oauth::LazyClient::ready(http)),
            ))
        }
        AuthMethod::DeviceCode => {
            let authority = authority()?;
            let cache = match cache {
                Some(c) => c,
                None => TokenCache::default_location()?,
            };
            let initial = cache.load(&authority)?;
            // built by the first refresh or sign-in, not before the TUI's first frame
            let http = oauth::LazyClient::default();
            let renewer = refresh::RefreshTokenRenewer::lazy(http.clone(), authority.clone())
                .with_cache(cache.clone());
            let (persist_cache, persist_authority) = (cache.clone(), authority.clone());
            let source = CachedTokenSource::new(Box::new(renewer), initial).with_persist(Box::new(
                move |set| persist_cache.save(&persist_authority, set),
            ));
            Ok(wrap(source, Some(authority), Some(cache), Some(http)))
        }
    }
}

fn read_token_file(path: &Path) -> Result<String, AuthError> {
    let text = std::fs::read_to_string(path).map_err(|e| AuthError::TokenFile {
        path: path.display().to_string(),
        problem: TokenFileProblem::Unreadable(e.to_string()),
    })?;
    let token = text.trim();
    if token.is_empty() || token.contains(char::is_whitespace) {
        return Err(AuthError::TokenFile {
            path: path.display().to_string(),
            problem: TokenFileProblem::NotOneToken,
        });
    }
    Ok(token.to_string())
}

/// The cache file path used when no override is given (for messages).
pub fn default_cache_path() -> Option<PathBuf> {
    super::cache::default_path()
}
