//! The bearer-token check, as a middleware so no route can forget it.
//!
//! Like Graph it runs before routing: an unauthenticated request learns nothing about which paths
//! exist. Which tokens pass lives in the store, so tests (and later a fake identity provider) can
//! expire or rotate tokens while the server runs.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::store::FakeStore;

/// What is wrong with a request's credentials, if anything.
pub(crate) fn check(authorization: Option<&str>, store: &FakeStore) -> Result<(), ApiError> {
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
    if !store.accepts_token(token) {
        return Err(ApiError::unauthorized(
            "Access token validation failure. Invalid audience.",
        ));
    }
    Ok(())
}

/// Rejects requests without an accepted `Authorization: Bearer` token with Graph's 401.
pub(crate) async fn require_bearer(
    State(store): State<FakeStore>,
    req: Request,
    next: Next,
) -> Response {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match check(header, &store) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::store::{Answers, State as FakeState};

    fn store(tokens: Option<Vec<String>>) -> FakeStore {
        FakeStore::new(FakeState {
            workspaces: Vec::new(),
            answers: Answers::default(),
            evaluation_delay: std::time::Duration::from_secs(1),
            accepted_tokens: tokens,
        })
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
