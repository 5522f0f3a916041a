//! `sctui login`, `logout` and `whoami`, and signing in before the TUI opens. Prompts go to
//! stderr, results to stdout; no token, refresh token, device code or secret is ever printed.

use jiff::Timestamp;

use super::{RunError, load_config};
use crate::cli::args::{GlobalArgs, LoginArgs, OutputArg, OutputFormat};
use crate::config::Config;
use sctui_graph::auth::authority::DEFAULT_AUTHORITY_HOST;
use sctui_graph::auth::cache::TokenCache;
use sctui_graph::auth::device_code::{self, DeviceCodePrompt};
use sctui_graph::auth::setup::{self, Chosen};
use sctui_graph::auth::{
    Account, AuthError, AuthMethod, Authority, TokenSet, az, client_secret, oauth,
};

/// The reminder that scopes are not enough (Graph answers 403 without a role).
const ROLE_NOTE: &str = "Security Copilot also needs a role on your account (Security Copilot Contributor or Owner); a 403 from Graph means it is missing.";

/// Builds the token source for a run from config and flags. With no authority host given
/// (flag, `SCTUI_AUTHORITY_HOST`, `[auth] authority_host`), the one the token cache was signed in
/// with is used, so `login --authority-host X` is followed by a plain `whoami` that finds it.
pub fn choose(config: &Config, global: &GlobalArgs) -> Result<Chosen, AuthError> {
    if let Some(path) = global.token_file.as_deref() {
        warn_if_readable_by_others(path);
    }
    let mut auth = config.auth.clone();
    if auth.authority_host == DEFAULT_AUTHORITY_HOST
        && let Ok(cache) = TokenCache::default_location()
        && let Some(host) = cache.authority_host()
    {
        auth.authority_host = host;
    }
    setup::choose(
        &auth,
        global.token_file.as_deref(),
        &|k| std::env::var(k).ok(),
        None,
    )
}

/// Shows the device-code prompt on stderr.
fn show_prompt(prompt: &DeviceCodePrompt) {
    let mut err = crate::output::stderr();
    let _ = writeln!(err, "{}", prompt.message);
    let _ = writeln!(err, "  Open:  {}", prompt.verification_uri);
    let _ = writeln!(err, "  Code:  {}", prompt.user_code);
    let _ = writeln!(
        err,
        "Waiting for you to sign in (the code is valid for {} min; Ctrl-C cancels)…",
        prompt.expires_in.as_secs().div_ceil(60)
    );
    let _ = err.flush();
}

/// The whole device-code flow in the terminal.
async fn device_code_in_terminal(
    http: &reqwest::Client,
    authority: &Authority,
) -> Result<TokenSet, AuthError> {
    let prompt = device_code::start(http, authority).await?;
    show_prompt(&prompt);
    device_code::poll(http, authority, &prompt, &device_code::tokio_sleeper()).await
}

/// `sctui login`.
pub async fn login(global: &GlobalArgs, args: LoginArgs) -> Result<(), RunError> {
    if global.demo {
        let who = demo_identity()?;
        crate::output::println!(
            "Signed in to the demo as {} (the built-in fake's identity: no sign-in service was contacted and no token was cached).",
            account_line(who.account.as_ref())
        );
        return Ok(());
    }
    let config = load_config(global)?;
    let mut auth = config.auth.clone();
    auth.method = if args.az {
        AuthMethod::Az
    } else if args.client_secret {
        AuthMethod::ClientSecret
    } else if args.device_code || matches!(auth.method, AuthMethod::Env) {
        AuthMethod::DeviceCode
    } else {
        auth.method
    };
    if let Some(t) = args.tenant {
        auth.tenant = t;
    }
    if let Some(c) = args.client_id {
        auth.client_id = c;
    }
    let mut out = crate::output::stdout();
    match auth.method {
        AuthMethod::DeviceCode | AuthMethod::Env => {
            let authority = Authority::new(&auth.authority_host, &auth.tenant, &auth.client_id)?;
            let cache = TokenCache::default_location()?;
            let http = oauth::http_client()?;
            let set = device_code_in_terminal(&http, &authority).await?;
            cache.save(&authority, &set)?;
            tracing::info!("signed in with a device code");
            writeln!(out, "Signed in as {}.", account_line(set.account.as_ref()))?;
            writeln!(out, "Tokens are cached in {}.", cache.path().display())?;
            if auth.authority_host != DEFAULT_AUTHORITY_HOST {
                writeln!(
                    out,
                    "The sign-in service {} is remembered with them: later commands use it unless told otherwise.",
                    authority.host()
                )?;
            }
            warn_scope(&set);
            if auth.tenant != config.auth.tenant || auth.client_id != config.auth.client_id {
                writeln!(
                    out,
                    "Note: other commands use [auth] tenant/client_id from the config file; set them to {} / {} to use this sign-in.",
                    auth.tenant, auth.client_id
                )?;
            }
        }
        AuthMethod::Az => {
            let set = az::AzureCli::new(&auth.tenant).fetch().await?;
            writeln!(
                out,
                "The Azure CLI is signed in as {}.",
                account_line(set.account.as_ref())
            )?;
            warn_scope(&set);
            if config.auth.method != AuthMethod::Az {
                writeln!(
                    out,
                    "To use it, set method = \"az\" under [auth] in the config file."
                )?;
            }
        }
        AuthMethod::ClientSecret => {
            let authority = Authority::new(&auth.authority_host, &auth.tenant, &auth.client_id)?;
            let http = oauth::http_client()?;
            let renewer = client_secret::ClientSecretRenewer::from_env(
                http.clone(),
                authority.clone(),
                &|k| std::env::var(k).ok(),
            )?;
            let set = sctui_graph::auth::cached::Renewer::renew(&renewer, None).await?;
            writeln!(
                out,
                "The client secret works: signed in as app {} (app-only, experimental).",
                authority.client_id()
            )?;
            warn_scope(&set);
            if config.auth.method != AuthMethod::ClientSecret {
                writeln!(
                    out,
                    "To use it, set method = \"client-secret\", tenant and client_id under [auth] in the config file and keep {} set.",
                    client_secret::SECRET_ENV
                )?;
            }
        }
    }
    writeln!(out, "{ROLE_NOTE}")?;
    Ok(())
}

/// `sctui logout`; with `--demo` the real token cache is left alone.
pub fn logout(global: &GlobalArgs) -> Result<(), AuthError> {
    if global.demo {
        crate::output::println!(
            "The demo keeps no sign-in: nothing to sign out of (the token cache was not touched)."
        );
        return Ok(());
    }
    let cache = TokenCache::default_location()?;
    let account = cache.account();
    if cache.delete()? {
        let who = account
            .map(|a| format!(" {}", a.display()))
            .unwrap_or_default();
        crate::output::println!("Signed out{who}: deleted {}.", cache.path().display());
    } else {
        crate::output::println!(
            "Not signed in (no token cache at {}).",
            cache.path().display()
        );
    }
    if std::env::var_os(setup::TOKEN_ENV).is_some() {
        crate::output::println!(
            "SCTUI_ACCESS_TOKEN is still set in this environment and is used while it is."
        );
    }
    Ok(())
}

/// What `whoami` shows: never a token.
struct Identity {
    account: Option<Account>,
    source: String,
    scopes: Vec<String>,
    expires_at: Option<Timestamp>,
    cache: Option<String>,
}

/// `sctui whoami`.
pub async fn whoami(global: &GlobalArgs, output: &OutputArg) -> Result<(), RunError> {
    if global.demo {
        return print_identity(&demo_identity()?, output);
    }
    let config = load_config(global)?;
    let chosen = choose(&config, global)?;
    let (account, expires_at, scopes) = match &chosen.cached {
        Some(cached) => {
            // Renews if needed, so the expiry shown is that of a token that works; offline
            // nothing is sent, and the cache says what it holds.
            if !global.offline {
                drop(chosen.source.token(false).await?);
            }
            match cached.info().await {
                Some(info) => (info.account, Some(info.expires_at), info.scopes),
                None => return Err(AuthError::NotSignedIn.into()),
            }
        }
        None => {
            // a token given outright (environment, file): reading it sends nothing
            let token = chosen.source.token(false).await?;
            let claims = sctui_graph::auth::jwt::Claims::decode(token.expose());
            let expires = claims
                .as_ref()
                .and_then(|c| c.exp)
                .and_then(|e| Timestamp::from_second(e).ok());
            (
                claims.as_ref().map(Account::from_claims),
                expires,
                claims.map(|c| c.granted()).unwrap_or_default(),
            )
        }
    };
    print_identity(
        &Identity {
            account,
            source: chosen.source.name().to_string(),
            scopes,
            expires_at,
            cache: chosen
                .cache
                .as_ref()
                .map(|c| c.path().display().to_string()),
        },
        output,
    )
}

/// The identity `--demo` runs as: the built-in fake's user, no sign-in service, no cache.
fn demo_identity() -> Result<Identity, RunError> {
    Ok(Identity {
        account: Some(super::fake_graph::demo_account()?),
        source: "demo (the built-in Graph fake; no sign-in service)".into(),
        scopes: vec!["SecurityCopilotWorkspaces.ReadWrite.All".into()],
        expires_at: None,
        cache: None,
    })
}

fn print_identity(identity: &Identity, output: &OutputArg) -> Result<(), RunError> {
    let Identity {
        account,
        source,
        scopes,
        expires_at,
        cache,
    } = identity;
    let lacks_scope = !scopes.is_empty()
        && !scopes
            .iter()
            .any(|s| s.starts_with("SecurityCopilotWorkspaces."));
    let mut out = crate::output::stdout();
    match output.output {
        OutputFormat::Json => {
            let a = account.clone().unwrap_or_default();
            let v = serde_json::json!({
                "username": a.username,
                "name": a.name,
                "tenantId": a.tenant_id,
                "objectId": a.object_id,
                "source": source,
                "scopes": scopes,
                "expiresAt": expires_at.map(|t| t.to_string()),
                "tokenCache": cache,
            });
            super::output::write_json(&mut out, &output.jq, &v)?;
        }
        OutputFormat::Table => {
            let a = account.clone().unwrap_or_default();
            let dash = || "—".to_string();
            writeln!(out, "Account:   {}", account_line(account.as_ref()))?;
            writeln!(
                out,
                "Tenant:    {}",
                a.tenant_id.clone().unwrap_or_else(dash)
            )?;
            writeln!(
                out,
                "Object id: {}",
                a.object_id.clone().unwrap_or_else(dash)
            )?;
            let via = match cache {
                Some(c) => format!("{source} (cache: {c})"),
                None => source.to_string(),
            };
            writeln!(out, "Source:    {via}")?;
            writeln!(
                out,
                "Scopes:    {}",
                if scopes.is_empty() {
                    "— (opaque token)".to_string()
                } else {
                    scopes.join(" ")
                }
            )?;
            writeln!(
                out,
                "Expires:   {}",
                expires_at
                    .map(|t| expiry_line(t, Timestamp::now()))
                    .unwrap_or_else(dash)
            )?;
            writeln!(out, "{ROLE_NOTE}")?;
        }
    }
    if lacks_scope {
        crate::output::eprintln!(
            "sctui: warning: {}",
            AuthError::MissingScope {
                granted: scopes.join(" ")
            }
        );
    }
    Ok(())
}

fn account_line(account: Option<&Account>) -> String {
    account
        .map(Account::display)
        .unwrap_or_else(|| "(unknown account)".into())
}

fn warn_scope(set: &TokenSet) {
    if set.lacks_security_copilot_scope() {
        crate::output::eprintln!(
            "sctui: warning: {}",
            AuthError::MissingScope {
                granted: set.scopes().join(" ")
            }
        );
    }
}

/// "2025-10-22T20:10:54Z (in 59 min)" or "(expired)".
fn expiry_line(at: Timestamp, now: Timestamp) -> String {
    let secs = at.as_second() - now.as_second();
    if secs <= 0 {
        format!("{at} (expired; renewed at next use)")
    } else if secs < 120 {
        format!("{at} (in {secs} s)")
    } else {
        format!("{at} (in {} min)", secs / 60)
    }
}

/// A token file others can read gives them the token: said on stderr (the token still works).
fn warn_if_readable_by_others(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                crate::output::eprintln!(
                    "sctui: warning: --token-file {} is readable by others (permissions {mode:04o}); \
                     run `chmod 600 {}`",
                    path.display(),
                    path.display()
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}
