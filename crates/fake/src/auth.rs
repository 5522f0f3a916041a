//! The bearer-token check, as a middleware so no route can forget it.
//!
//! Like Graph it runs before routing: an unauthenticated request learns nothing about which paths
//! exist. A token the fake identity provider issued passes until it expires on the fake's clock;
//! any other passes per the store's accepted list, so tests can expire or rotate tokens while the
//! server runs.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::idp::FakeIdp;
use crate::store::FakeStore;

/// Who decides whether a bearer token passes.
#[derive(Clone, Debug)]
pub(crate) struct Gate {
    pub store: FakeStore,
    pub idp: FakeIdp,
}

impl Gate {
    /// Whether a bearer token is accepted right now: a token the identity provider issued while
    /// it is unexpired, else per the store's accepted list.
    pub fn accepts(&self, token: &str) -> bool {
        if token.is_empty() {
            return false;
        }
        match self.idp.token_valid(token) {
            Some(valid) => valid,
            None => self.store.accepts_static_token(token),
        }
    }
}

/// What is wrong with a request's credentials, if anything.
pub(crate) fn check(authorization: Option<&str>, gate: &Gate) -> Result<(), ApiError> {
    let Some(value) = authorization.map(str::trim).filter(|v| !v.is_empty()) else {
        return Err(ApiError::unauthorized("Access token is empty."));
    };
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::unauthorized(
            "Access token validation failure. The authorization scheme must be Bearer.",
        ));
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(ApiError::unauthorized("Access token is empty."));
    }
    if !gate.accepts(token) {
        return Err(ApiError::unauthorized(
            "Access token validation failure. Invalid audience.",
        ));
    }
    Ok(())
}

/// Rejects requests without an accepted `Authorization: Bearer` token with Graph's 401.
pub(crate) async fn require_bearer(State(gate): State<Gate>, req: Request, next: Next) -> Response {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match check(header, &gate) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::records::Answers;
    use crate::store::State as FakeState;

    fn store(tokens: Option<Vec<String>>) -> Gate {
        let clock = Clock::system();
        let mut state = FakeState::new(Answers::default(), std::time::Duration::from_secs(1));
        state.accepted_tokens = tokens;
        Gate {
            store: FakeStore::new(state, clock.clone()),
            idp: FakeIdp::new(clock),
        }
    }

    #[test]
    fn bearer_rules() {
        let any = store(None);
        assert!(check(Some("Bearer abc"), &any).is_ok());
        assert!(check(Some("bearer abc"), &any).is_ok());
        let e = check(None, &any).unwrap_err();
        assert_eq!(e.message, "Access token is empty.");
        assert_eq!(e.code, "InvalidAuthenticationToken");
        assert!(check(Some("Bearer "), &any).is_err());
        assert!(check(Some("Basic abc"), &any).is_err());
        let one = store(Some(vec!["t".into()]));
        assert!(check(Some("Bearer t"), &one).is_ok());
        let e = check(Some("Bearer u"), &one).unwrap_err();
        assert!(e.message.starts_with("Access token validation failure"));
    }
}
