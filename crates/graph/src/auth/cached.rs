//! The one in-memory token cache every renewable source sits behind: hands out the current access
//! token, renews it shortly before it expires, lets only one renewal run at a time, and renews on
//! demand after a 401.

use std::sync::atomic::{AtomicU64, Ordering};

use futures::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};

use super::token_set::{Account, TokenSet};
use super::{AccessToken, AuthError, TokenSource};

/// How long before expiry a token is renewed. Tokens that live under ten minutes from receipt
/// (e.g. the fake's) are renewed halfway through their life instead, so they are not stale on
/// arrival.
pub const REFRESH_MARGIN: SignedDuration = SignedDuration::from_secs(5 * 60);

/// Gets a new token: from a refresh token, a client secret, the Azure CLI…
pub trait Renewer: Send + Sync {
    /// A fresh token set; `current` is what we hold (its refresh token, if any).
    fn renew(&self, current: Option<TokenSet>) -> BoxFuture<'_, Result<TokenSet, AuthError>>;

    /// A short name for messages and `whoami`.
    fn name(&self) -> &'static str;

    /// Whether renewing needs a stored refresh token (so an empty cache means "not signed in").
    /// Sources that renew from nothing (client secret, Azure CLI) keep the default.
    fn needs_refresh_token(&self) -> bool {
        false
    }

    /// Whether `renew` writes the token cache itself (under the cache's lock, so a save can never
    /// overwrite a newer token another process wrote); then the cache does not save again.
    fn saves_itself(&self) -> bool {
        false
    }
}

/// When a token set is due for renewal: [`REFRESH_MARGIN`] before it expires, or halfway through
/// the life of a short-lived one.
pub fn renew_time(set: &TokenSet, now: Timestamp) -> Timestamp {
    let life = set.expires_at.duration_since(set.received_at.min(now));
    let margin = if life < REFRESH_MARGIN * 2 {
        life / 2
    } else {
        REFRESH_MARGIN
    };
    set.expires_at.checked_sub(margin).unwrap_or(now)
}

/// Called with every new token set, e.g. to write the token cache file. Failing to save is
/// logged, not fatal: the token still works for this run.
pub type Persist = Box<dyn Fn(&TokenSet) -> Result<(), AuthError> + Send + Sync>;

/// The clock, injectable for tests.
pub type Clock = Box<dyn Fn() -> Timestamp + Send + Sync>;

struct Entry {
    set: TokenSet,
    renew_at: Timestamp,
}

impl Entry {
    fn new(set: TokenSet, now: Timestamp) -> Self {
        let renew_at = renew_time(&set, now);
        Self { set, renew_at }
    }
}

/// What `whoami` shows: everything but the tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    pub account: Option<Account>,
    pub expires_at: Timestamp,
    pub scopes: Vec<String>,
    pub has_refresh_token: bool,
}

/// A caching, self-renewing [`TokenSource`].
pub struct CachedTokenSource {
    renewer: Box<dyn Renewer>,
    state: tokio::sync::Mutex<Option<Entry>>,
    generation: AtomicU64,
    renewals: AtomicU64,
    persist: Option<Persist>,
    clock: Clock,
}

impl CachedTokenSource {
    /// Starts from `initial` (e.g. the token cache file) or empty.
    pub fn new(renewer: Box<dyn Renewer>, initial: Option<TokenSet>) -> Self {
        let now = Timestamp::now();
        Self {
            renewer,
            state: tokio::sync::Mutex::new(initial.map(|s| Entry::new(s, now))),
            generation: AtomicU64::new(0),
            renewals: AtomicU64::new(0),
            persist: None,
            clock: Box::new(Timestamp::now),
        }
    }

    /// Saves each new token set with `persist`.
    pub fn with_persist(mut self, persist: Persist) -> Self {
        self.persist = Some(persist);
        self
    }

    /// Uses another clock (tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Replaces what we hold, e.g. after an interactive sign-in completed (the TUI popup).
    pub async fn install(&self, set: TokenSet) {
        self.save(&set);
        let now = (self.clock)();
        *self.state.lock().await = Some(Entry::new(set, now));
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Whether there is anything to work with: an unexpired access token or a refresh token.
    /// Sources that renew without state (client secret, Azure CLI) are always usable.
    pub async fn is_usable(&self) -> bool {
        if !self.renewer.needs_refresh_token() {
            return true;
        }
        let now = (self.clock)();
        match &*self.state.lock().await {
            Some(e) => e.set.refresh.is_some() || e.set.expires_at > now,
            None => false,
        }
    }

    /// The account, expiry and scopes of the current token, if any.
    pub async fn info(&self) -> Option<TokenInfo> {
        self.state.lock().await.as_ref().map(|e| TokenInfo {
            account: e.set.account.clone(),
            expires_at: e.set.expires_at,
            scopes: e.set.scopes(),
            has_refresh_token: e.set.refresh.is_some(),
        })
    }

    /// How many renewals have completed (tests, logs).
    pub fn renewals(&self) -> u64 {
        self.renewals.load(Ordering::SeqCst)
    }

    fn save(&self, set: &TokenSet) {
        if let Some(persist) = &self.persist
            && let Err(error) = persist(set)
        {
            tracing::warn!(%error, "could not save the token cache");
        }
    }

    async fn get(&self, force: bool) -> Result<AccessToken, AuthError> {
        let seen = self.generation.load(Ordering::SeqCst);
        // Holding the lock across the renewal is the single flight: others wait, then reuse it.
        let mut guard = self.state.lock().await;
        let now = (self.clock)();
        if let Some(entry) = guard.as_ref() {
            if force && self.generation.load(Ordering::SeqCst) != seen {
                return Ok(entry.set.access.clone());
            }
            if !force && now < entry.renew_at {
                return Ok(entry.set.access.clone());
            }
        }
        let current = guard.as_ref().map(|e| e.set.clone());
        tracing::debug!(
            source = self.renewer.name(),
            force,
            "renewing the access token"
        );
        match self.renewer.renew(current.clone()).await {
            Ok(mut set) => {
                if set.account.is_none() {
                    set.account = current.and_then(|c| c.account);
                }
                if !self.renewer.saves_itself() {
                    self.save(&set);
                }
                let token = set.access.clone();
                *guard = Some(Entry::new(set, (self.clock)()));
                self.generation.fetch_add(1, Ordering::SeqCst);
                self.renewals.fetch_add(1, Ordering::SeqCst);
                tracing::info!(source = self.renewer.name(), "access token renewed");
                Ok(token)
            }
            Err(error) => {
                // A hiccup at the identity provider should not stop a still-valid token.
                if let Some(entry) = guard.as_ref()
                    && !force
                    && !error.needs_sign_in()
                    && now < entry.set.expires_at
                {
                    tracing::warn!(%error, "token renewal failed; using the current token until it expires");
                    return Ok(entry.set.access.clone());
                }
                Err(error)
            }
        }
    }
}

impl TokenSource for CachedTokenSource {
    fn token(&self, force_refresh: bool) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(self.get(force_refresh))
    }

    fn can_refresh(&self) -> bool {
        true
    }

    fn name(&self) -> &'static str {
        self.renewer.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// Hands out "t1", "t2", … living `life` seconds, slowly, counting calls.
    struct Counter {
        calls: Arc<Mutex<u32>>,
        life: i64,
        fail: Option<AuthError>,
    }

    impl Renewer for Counter {
        fn renew(&self, _c: Option<TokenSet>) -> BoxFuture<'_, Result<TokenSet, AuthError>> {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                if let Some(e) = &self.fail {
                    return Err(e.clone());
                }
                let n = {
                    let mut c = self.calls.lock().unwrap();
                    *c += 1;
                    *c
                };
                Ok(set(&format!("t{n}"), self.life))
            })
        }
        fn name(&self) -> &'static str {
            "counter"
        }
    }

    fn set(token: &str, life: i64) -> TokenSet {
        TokenSet {
            access: AccessToken::new(token),
            expires_at: Timestamp::now() + SignedDuration::from_secs(life),
            received_at: Timestamp::now() - SignedDuration::from_secs(3600 - life.min(3600)),
            refresh: None,
            account: None,
        }
    }

    fn source(life: i64, initial: Option<TokenSet>) -> (Arc<CachedTokenSource>, Arc<Mutex<u32>>) {
        let calls = Arc::new(Mutex::new(0));
        let r = Counter {
            calls: calls.clone(),
            life,
            fail: None,
        };
        (
            Arc::new(CachedTokenSource::new(Box::new(r), initial)),
            calls,
        )
    }

    #[tokio::test]
    async fn caches_until_five_minutes_before_expiry() {
        let (s, calls) = source(3600, Some(set("t0", 3600)));
        assert_eq!(s.token(false).await.unwrap().expose(), "t0");
        assert_eq!(*calls.lock().unwrap(), 0);
        // 4 minutes left: inside the margin, so it is renewed.
        let (s, calls) = source(3600, Some(set("t0", 240)));
        assert_eq!(s.token(false).await.unwrap().expose(), "t1");
        assert_eq!(*calls.lock().unwrap(), 1);
        assert_eq!(s.token(false).await.unwrap().expose(), "t1");
        assert_eq!(*calls.lock().unwrap(), 1);
    }

    #[tokio::test]
    async fn clock_past_renew_time_renews() {
        let (s, _) = source(3600, Some(set("t0", 3600)));
        let later = Timestamp::now() + SignedDuration::from_secs(3400);
        let s = Arc::try_unwrap(s)
            .ok()
            .unwrap()
            .with_clock(Box::new(move || later));
        assert_eq!(s.token(false).await.unwrap().expose(), "t1");
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_renewal() {
        let (s, calls) = source(3600, None);
        let all = futures::future::join_all((0..8).map(|_| s.token(false))).await;
        assert!(all.iter().all(|t| t.as_ref().unwrap().expose() == "t1"));
        assert_eq!(*calls.lock().unwrap(), 1);
        // Two 401s at once: one forced renewal, the second caller reuses it.
        let seen_before = s.renewals();
        let (a, b) = tokio::join!(s.token(true), s.token(true));
        assert_eq!(a.unwrap().expose(), b.unwrap().expose());
        assert_eq!(s.renewals(), seen_before + 1);
    }

    #[tokio::test]
    async fn renewal_failure_keeps_a_valid_token_but_not_on_force() {
        let r = Counter {
            calls: Arc::new(Mutex::new(0)),
            life: 3600,
            fail: Some(AuthError::Network {
                url: "u".into(),
                detail: "down".into(),
            }),
        };
        let s = CachedTokenSource::new(Box::new(r), Some(set("t0", 200)));
        assert_eq!(s.token(false).await.unwrap().expose(), "t0");
        assert!(s.token(true).await.is_err());
    }

    #[tokio::test]
    async fn short_lived_tokens_renew_halfway() {
        let mut short = set("t0", 4);
        short.received_at = Timestamp::now();
        let (s, calls) = source(4, Some(short));
        assert_eq!(s.token(false).await.unwrap().expose(), "t0");
        assert_eq!(*calls.lock().unwrap(), 0);
    }
}
