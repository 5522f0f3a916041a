//! Test controls for a fake running in another process (`sctui fake-graph`), outside Graph's
//! paths: `POST /_sctui-fake/clock/advance?seconds=N` moves the fake's [`Clock`] forward, so a
//! test can expire tokens or finish evaluations without sleeping; `GET /_sctui-fake/requests`
//! lists the Graph requests served so far (`[{"method","path"}]`, oldest first), so a test can
//! count what a command sent.

use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::clock::Clock;
use crate::faults::FaultInjector;
use crate::wire::time_text;

/// Where the clock control lives; never under `/beta` or `/v1.0`.
pub const ADVANCE_PATH: &str = "/_sctui-fake/clock/advance";

/// Where the list of served Graph requests lives.
pub const REQUESTS_PATH: &str = "/_sctui-fake/requests";

#[derive(Deserialize)]
struct Advance {
    seconds: f64,
}

/// The control routes.
pub(crate) fn router(clock: Clock, faults: FaultInjector) -> Router {
    Router::new()
        .route(ADVANCE_PATH, post(advance))
        .with_state(clock)
        .merge(
            Router::new()
                .route(REQUESTS_PATH, get(requests))
                .with_state(faults),
        )
}

async fn requests(State(faults): State<FaultInjector>) -> Response {
    let seen: Vec<serde_json::Value> = faults
        .seen()
        .into_iter()
        .map(|r| serde_json::json!({ "method": r.method, "path": r.path }))
        .collect();
    axum::Json(seen).into_response()
}

async fn advance(State(clock): State<Clock>, Query(q): Query<Advance>) -> Response {
    if !q.seconds.is_finite() || !(0.0..=86_400.0 * 366.0).contains(&q.seconds) {
        return (
            StatusCode::BAD_REQUEST,
            "seconds must be between 0 and one year",
        )
            .into_response();
    }
    clock.advance(Duration::from_secs_f64(q.seconds));
    let now = time_text(clock.now());
    (
        StatusCode::OK,
        axum::Json(serde_json::json!({ "now": now })),
    )
        .into_response()
}
