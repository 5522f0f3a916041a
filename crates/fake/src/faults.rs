//! Fault injection for the fake, as one middleware layer: throttling, outages, slow answers, dropped
//! connections and broken bodies, so `--demo`, `sctui fake-graph --faults` and the tests meet the
//! failures real Graph produces without a single `if` in a route handler.
//!
//! A [`FaultSpec`] says how often each fault happens (`429=0.2,503=0.05,latency=200ms,reset=0.01`);
//! a [`FaultInjector`] draws from a seedable RNG per request, so a seeded run is reproducible, and
//! tests can also script exact sequences and read back which requests arrived with which headers.
//!
//! Where a fault strikes matters to clients deciding whether to repeat a request, so it is fixed:
//! `429`, `500`, `503` and other statuses answer *before* the route runs (nothing happened), while
//! `504`, `reset`, `malformed` and `truncate` strike *after* it ran (a create did happen).

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::{Notify, oneshot};

use crate::error::{ApiError, GRAPH_JSON};

/// One injected failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A Graph error answer with this status (429 and 503 carry `Retry-After`). 504 is sent after
    /// the route ran, every other status before.
    Status(u16),
    /// The connection is dropped after the route ran: the client never sees an answer.
    Reset,
    /// A success answer whose body is not JSON.
    Malformed,
    /// A success answer whose JSON body is cut short (with a matching `Content-Length`).
    Truncate,
}

impl Fault {
    fn key(&self) -> String {
        match self {
            Self::Status(code) => code.to_string(),
            Self::Reset => "reset".into(),
            Self::Malformed => "malformed".into(),
            Self::Truncate => "truncate".into(),
        }
    }

    /// Whether the route runs before the fault strikes (so side effects happen).
    fn after_route(&self) -> bool {
        !matches!(self, Self::Status(code) if *code != 504)
    }
}

/// How often each fault strikes, plus delays; parsed from the `--faults` SPEC.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec {
    /// Each fault with its probability per request, in SPEC order; together at most 1.
    pub rates: Vec<(Fault, f64)>,
    /// Added to every Graph request before it is served.
    pub latency: Duration,
    /// The `Retry-After` sent with 429 and 503 (short, so demos and tests stay quick).
    pub retry_after: Duration,
    /// Seeds the RNG so a run is reproducible; `None` seeds from the OS.
    pub seed: Option<u64>,
}

/// The `Retry-After` used when the SPEC gives none: long enough to see, short enough not to bore.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_millis(500);

impl Default for FaultSpec {
    fn default() -> Self {
        Self {
            rates: Vec::new(),
            latency: Duration::ZERO,
            retry_after: DEFAULT_RETRY_AFTER,
            seed: None,
        }
    }
}

impl FaultSpec {
    /// No faults and no latency: what a fake without `--faults` behaves like.
    pub fn none() -> Self {
        Self::default()
    }

    /// The chance that a request meets some fault.
    pub fn total_rate(&self) -> f64 {
        self.rates.iter().map(|(_, p)| p).sum()
    }
}

/// Why a `--faults` SPEC was refused, naming the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid fault spec: {0} (expected e.g. 429=0.2,503=0.05,latency=200ms,reset=0.01,malformed=0.01,truncate=0.01,retry-after=0.5,seed=7)"
)]
pub struct FaultSpecError(String);

impl FromStr for FaultSpec {
    type Err = FaultSpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut spec = FaultSpec::default();
        let mut seen_keys: Vec<String> = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((key, value)) = part.split_once('=') else {
                return Err(FaultSpecError(format!("`{part}` is not KEY=VALUE")));
            };
            let key = key.trim().to_ascii_lowercase().replace('_', "-");
            let value = value.trim();
            if seen_keys.contains(&key) {
                return Err(FaultSpecError(format!("`{key}` is given twice")));
            }
            seen_keys.push(key.clone());
            match key.as_str() {
                "latency" => spec.latency = parse_duration(&key, value, None)?,
                "retry-after" => {
                    spec.retry_after = parse_duration(&key, value, Some(Duration::from_secs(1)))?;
                    if spec.retry_after > Duration::from_secs(180) {
                        return Err(FaultSpecError(format!(
                            "`retry-after={value}` is over 180 s, which clients give up on"
                        )));
                    }
                }
                "seed" => {
                    spec.seed = Some(value.parse().map_err(|_| {
                        FaultSpecError(format!("`seed={value}`: not a whole number"))
                    })?)
                }
                "reset" => spec.rates.push((Fault::Reset, parse_rate(&key, value)?)),
                "malformed" => spec
                    .rates
                    .push((Fault::Malformed, parse_rate(&key, value)?)),
                "truncate" => spec.rates.push((Fault::Truncate, parse_rate(&key, value)?)),
                status => match status.parse::<u16>() {
                    Ok(code) if (400..=599).contains(&code) => {
                        spec.rates
                            .push((Fault::Status(code), parse_rate(&key, value)?));
                    }
                    _ => {
                        return Err(FaultSpecError(format!(
                            "unknown key `{key}`: use an HTTP error status (429, 500, 503, 504…), \
                             reset, malformed, truncate, latency, retry-after or seed"
                        )));
                    }
                },
            }
        }
        let total = spec.total_rate();
        if total > 1.0 + 1e-9 {
            return Err(FaultSpecError(format!(
                "the probabilities add up to {total:.3}, more than 1"
            )));
        }
        Ok(spec)
    }
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = self
            .rates
            .iter()
            .map(|(fault, p)| format!("{}={p}", fault.key()))
            .collect();
        if !self.latency.is_zero() {
            parts.push(format!("latency={}ms", self.latency.as_millis()));
        }
        parts.push(format!("retry-after={}", seconds(self.retry_after)));
        if let Some(seed) = self.seed {
            parts.push(format!("seed={seed}"));
        }
        f.write_str(&parts.join(","))
    }
}

/// A probability: `0.25` or `25%`.
fn parse_rate(key: &str, value: &str) -> Result<f64, FaultSpecError> {
    let rate = match value.strip_suffix('%') {
        Some(pct) => pct.trim().parse::<f64>().map(|p| p / 100.0),
        None => value.parse::<f64>(),
    };
    match rate {
        Ok(p) if p.is_finite() && (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(FaultSpecError(format!(
            "`{key}={value}`: not a probability between 0 and 1 (or 0% to 100%)"
        ))),
    }
}

/// A duration: `200ms`, `1.5s`; a bare number means `bare_unit` (or is refused when `None`).
fn parse_duration(
    key: &str,
    value: &str,
    bare_unit: Option<Duration>,
) -> Result<Duration, FaultSpecError> {
    let bad = || {
        FaultSpecError(format!(
            "`{key}={value}`: not a duration such as 200ms or 1.5s"
        ))
    };
    let (number, unit) = if let Some(n) = value.strip_suffix("ms") {
        (n, Duration::from_millis(1))
    } else if let Some(n) = value.strip_suffix('s') {
        (n, Duration::from_secs(1))
    } else {
        (value, bare_unit.ok_or_else(bad)?)
    };
    let n: f64 = number.trim().parse().map_err(|_| bad())?;
    if !n.is_finite() || !(0.0..=3600.0).contains(&n) {
        return Err(bad());
    }
    Ok(unit.mul_f64(n))
}

/// `Retry-After` text: whole seconds when exact, else up to three decimals (`0.5`, `2.128`).
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        return d.as_secs().to_string();
    }
    let text = format!("{:.3}", d.as_secs_f64());
    text.trim_end_matches('0').to_string()
}

/// One request the layer saw, for tests that check what clients send on retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenRequest {
    pub method: String,
    /// Path and query.
    pub path: String,
    /// The `Retry-Attempt` header, if the client sent one.
    pub retry_attempt: Option<String>,
    /// What was done to it.
    pub fault: Option<Fault>,
}

/// How many [`SeenRequest`]s are kept (oldest dropped), so a long demo does not grow without end.
const SEEN_CAP: usize = 20_000;

struct Inner {
    spec: FaultSpec,
    rng: StdRng,
    script: VecDeque<Option<Fault>>,
    seen: VecDeque<SeenRequest>,
    /// Requests to hold back: the first Graph request whose path holds the text waits for the
    /// receiver (see [`FaultInjector::hold`]).
    holds: Vec<(String, HoldGate)>,
}

/// The fake's side of a [`Held`] request.
struct HoldGate {
    released: oneshot::Receiver<()>,
    arrived: Arc<Notify>,
}

/// A Graph request held back at the fake by [`FaultInjector::hold`]: it is answered only once
/// this is released (or dropped), so a test can make one answer land after others, exactly.
#[derive(Debug)]
pub struct Held {
    release: Option<oneshot::Sender<()>>,
    arrived: Arc<Notify>,
}

impl Held {
    /// Waits until the held request has reached the fake.
    pub async fn arrived(&self) {
        self.arrived.notified().await;
    }

    /// Lets the held request go on (it is then served like any other).
    pub fn release(mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.send(());
        }
    }
}

/// Decides and records faults; cheap to clone, shared by the layer and whoever drives a test.
#[derive(Clone)]
pub struct FaultInjector {
    inner: Arc<Mutex<Inner>>,
}

impl fmt::Debug for FaultInjector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultInjector")
            .field("spec", &self.lock().spec)
            .finish_non_exhaustive()
    }
}

fn rng_for(spec: &FaultSpec) -> StdRng {
    match spec.seed {
        Some(seed) => StdRng::seed_from_u64(seed),
        None => StdRng::from_os_rng(),
    }
}

impl FaultInjector {
    /// An injector following `spec`.
    pub fn new(spec: FaultSpec) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                rng: rng_for(&spec),
                spec,
                script: VecDeque::new(),
                seen: VecDeque::new(),
                holds: Vec::new(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The rules in force.
    pub fn spec(&self) -> FaultSpec {
        self.lock().spec.clone()
    }

    /// Changes the rules while the fake runs (and reseeds when the new spec has a seed), e.g. to
    /// end a chaotic test with a clean read of the state.
    pub fn set_spec(&self, spec: FaultSpec) {
        let mut inner = self.lock();
        if spec.seed.is_some() {
            inner.rng = rng_for(&spec);
        }
        inner.spec = spec;
    }

    /// Queues exact outcomes for the next Graph requests (`None` = serve normally); they are used
    /// before any random draw, so a test can say "429, then success".
    pub fn script(&self, outcomes: impl IntoIterator<Item = Option<Fault>>) {
        self.lock().script.extend(outcomes);
    }

    /// Holds back the next Graph request whose path and query contain `path_contains` until the
    /// returned [`Held`] is released; other requests are served meanwhile. For tests that need an
    /// answer to land after others (a page of one workspace after a switch to another, say).
    pub fn hold(&self, path_contains: &str) -> Held {
        let (release, released) = oneshot::channel();
        let arrived = Arc::new(Notify::new());
        self.lock().holds.push((
            path_contains.to_string(),
            HoldGate {
                released,
                arrived: arrived.clone(),
            },
        ));
        Held {
            release: Some(release),
            arrived,
        }
    }

    /// Every Graph request seen so far (up to the last 20,000), oldest first.
    pub fn seen(&self) -> Vec<SeenRequest> {
        self.lock().seen.iter().cloned().collect()
    }

    /// Forgets the requests seen so far.
    pub fn clear_seen(&self) {
        self.lock().seen.clear();
    }

    /// Picks this request's fault (script first, then a draw) and records the request.
    fn decide(&self, req: &Request) -> Plan {
        let mut inner = self.lock();
        let fault = match inner.script.pop_front() {
            Some(scripted) => scripted,
            None => {
                let draw: f64 = inner.rng.random();
                let mut acc = 0.0;
                inner.spec.rates.iter().find_map(|&(fault, p)| {
                    acc += p;
                    (draw < acc).then_some(fault)
                })
            }
        };
        let path = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        let hold = inner
            .holds
            .iter()
            .position(|(text, _)| path.contains(text.as_str()))
            .map(|at| inner.holds.remove(at).1);
        let seen = SeenRequest {
            method: req.method().to_string(),
            path,
            retry_attempt: req
                .headers()
                .get("retry-attempt")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            fault,
        };
        if inner.seen.len() >= SEEN_CAP {
            inner.seen.pop_front();
        }
        inner.seen.push_back(seen);
        Plan {
            fault,
            latency: inner.spec.latency,
            retry_after: inner.spec.retry_after,
            hold,
        }
    }
}

struct Plan {
    fault: Option<Fault>,
    latency: Duration,
    retry_after: Duration,
    hold: Option<HoldGate>,
}

/// Graph's routes get faults; anything else (a fake identity provider under
/// `/{tenant}/oauth2/…`, say) is served untouched.
fn is_graph_path(path: &str) -> bool {
    let graph = ["/beta", "/v1.0"]
        .iter()
        .any(|root| path == *root || path.starts_with(&format!("{root}/")));
    graph && !path.contains("/oauth2/")
}

/// The middleware: delays, then serves, fails, or spoils the answer as the injector decides.
pub(crate) async fn inject(
    State(injector): State<FaultInjector>,
    req: Request,
    next: Next,
) -> Response {
    if !is_graph_path(req.uri().path()) {
        return next.run(req).await;
    }
    let mut plan = injector.decide(&req);
    if let Some(hold) = plan.hold.take() {
        hold.arrived.notify_one();
        // released or dropped: either way the request goes on
        let _ = hold.released.await;
    }
    if !plan.latency.is_zero() {
        tokio::time::sleep(plan.latency).await;
    }
    let Some(fault) = plan.fault else {
        return next.run(req).await;
    };
    tracing::debug!(fault = %fault.key(), path = req.uri().path(), "injecting fault");
    let served = if fault.after_route() {
        Some(next.run(req).await)
    } else {
        None
    };
    match (fault, served) {
        (Fault::Status(code), _) => status_answer(code, plan.retry_after),
        (Fault::Reset, _) => reset_answer(),
        (Fault::Malformed, Some(resp)) if resp.status().is_success() => malformed_answer(resp),
        (Fault::Truncate, Some(resp)) if resp.status().is_success() => truncated_answer(resp).await,
        (_, Some(resp)) => resp,
        (_, None) => reset_answer(),
    }
}

/// A Graph error for `code`, rendered with ids by the envelope layer outside this one.
fn status_answer(code: u16, retry_after: Duration) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let error = match code {
        429 => ApiError::new(
            status,
            "TooManyRequests",
            "Too many requests; retry after the time given in the Retry-After header.",
        ),
        503 => ApiError::new(
            status,
            "ServiceNotAvailable",
            "The service is temporarily unavailable; retry after the time given in the Retry-After header.",
        ),
        504 => ApiError::new(
            status,
            "GatewayTimeout",
            "The gateway timed out waiting for the service.",
        ),
        500 => ApiError::new(
            status,
            "InternalServerError",
            "An internal server error occurred.",
        ),
        _ => ApiError::from_status(status, &axum::http::Method::GET),
    };
    let mut resp = error.into_response();
    if matches!(code, 429 | 503)
        && let Ok(value) = HeaderValue::from_str(&seconds(retry_after))
    {
        resp.headers_mut().insert(header::RETRY_AFTER, value);
    }
    resp
}

/// A 200 whose body fails on the first read, so hyper drops the connection mid-answer.
fn reset_answer() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected connection reset",
        ))
    });
    let mut resp = Response::new(Body::from_stream(failing));
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(GRAPH_JSON));
    resp
}

/// The route's status and headers with a body that is not JSON at all.
fn malformed_answer(resp: Response) -> Response {
    const GARBAGE: &str =
        "{\"@odata.context\": \"$metadata\", \"value\": [ <html>upstream error</html> ]}";
    let (mut parts, _) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(GARBAGE))
}

/// The route's answer with its body cut to half its length (`Content-Length` says so too, so
/// the client reads a complete but short body).
async fn truncated_answer(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return reset_answer();
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    let cut = bytes.len() / 2;
    Response::from_parts(parts, Body::from(bytes.slice(..cut)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let spec: FaultSpec =
            "429=0.2,503=0.05,latency=200ms,reset=0.01,malformed=0.01,truncate=0.01"
                .parse()
                .unwrap();
        assert_eq!(
            spec.rates,
            vec![
                (Fault::Status(429), 0.2),
                (Fault::Status(503), 0.05),
                (Fault::Reset, 0.01),
                (Fault::Malformed, 0.01),
                (Fault::Truncate, 0.01),
            ]
        );
        assert_eq!(spec.latency, Duration::from_millis(200));
        assert_eq!(spec.retry_after, DEFAULT_RETRY_AFTER);
        assert!((spec.total_rate() - 0.28).abs() < 1e-9);
    }

    #[test]
    fn accepts_other_statuses_percentages_seed_and_retry_after() {
        let spec: FaultSpec = " 504=10% , 500=0.1,retry-after=0.25,seed=42,latency=1.5s"
            .parse()
            .unwrap();
        assert_eq!(
            spec.rates,
            vec![(Fault::Status(504), 0.1), (Fault::Status(500), 0.1)]
        );
        assert_eq!(spec.retry_after, Duration::from_millis(250));
        assert_eq!(spec.seed, Some(42));
        assert_eq!(spec.latency, Duration::from_millis(1500));
        assert_eq!(
            "retry_after=2s".parse::<FaultSpec>().unwrap().retry_after,
            Duration::from_secs(2)
        );
        assert_eq!("".parse::<FaultSpec>().unwrap(), FaultSpec::none());
    }

    #[test]
    fn errors_name_the_bad_part() {
        let err = |s: &str| s.parse::<FaultSpec>().unwrap_err().to_string();
        assert!(
            err("429").contains("`429` is not KEY=VALUE"),
            "{}",
            err("429")
        );
        assert!(err("429=2").contains("`429=2`: not a probability"));
        assert!(err("429=x").contains("not a probability"));
        assert!(err("200=0.1").contains("unknown key `200`"));
        assert!(err("bogus=0.1").contains("unknown key `bogus`"));
        assert!(err("latency=200").contains("`latency=200`: not a duration"));
        assert!(err("latency=-1s").contains("not a duration"));
        assert!(err("429=0.6,503=0.6").contains("more than 1"));
        assert!(err("429=0.1,429=0.2").contains("given twice"));
        assert!(err("seed=abc").contains("`seed=abc`"));
        assert!(err("retry-after=500").contains("over 180 s"));
    }

    #[test]
    fn display_round_trips() {
        let spec: FaultSpec = "429=0.3,503=0.1,latency=300ms,retry-after=0.5,seed=9"
            .parse()
            .unwrap();
        assert_eq!(spec.to_string().parse::<FaultSpec>().unwrap(), spec);
        assert_eq!(seconds(Duration::from_millis(2128)), "2.128");
        assert_eq!(seconds(Duration::from_secs(3)), "3");
        assert_eq!(seconds(Duration::from_millis(500)), "0.5");
    }

    fn request(path: &str) -> Request {
        Request::builder().uri(path).body(Body::empty()).unwrap()
    }

    #[test]
    fn seeded_draws_repeat_and_follow_the_rates() {
        let spec: FaultSpec = "429=0.2,reset=0.1,seed=7".parse().unwrap();
        let run = || {
            let inj = FaultInjector::new(spec.clone());
            (0..2000)
                .map(|_| inj.decide(&request("/beta/x")).fault)
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run(), "same seed, same faults");
        let throttled = a.iter().filter(|f| **f == Some(Fault::Status(429))).count();
        let resets = a.iter().filter(|f| **f == Some(Fault::Reset)).count();
        assert!((300..500).contains(&throttled), "{throttled}");
        assert!((120..280).contains(&resets), "{resets}");
    }

    #[test]
    fn script_comes_first_and_requests_are_recorded() {
        let inj = FaultInjector::new(FaultSpec::none());
        inj.script([Some(Fault::Status(429)), None]);
        let mut req = request("/beta/a?x=1");
        req.headers_mut()
            .insert("Retry-Attempt", HeaderValue::from_static("1"));
        assert_eq!(inj.decide(&req).fault, Some(Fault::Status(429)));
        assert_eq!(inj.decide(&request("/beta/b")).fault, None);
        assert_eq!(inj.decide(&request("/beta/c")).fault, None);
        let seen = inj.seen();
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0].path, "/beta/a?x=1");
        assert_eq!(seen[0].retry_attempt.as_deref(), Some("1"));
        assert_eq!(seen[1].retry_attempt, None);
    }

    #[test]
    fn only_graph_paths_get_faults() {
        assert!(is_graph_path("/beta/security/securityCopilot/workspaces"));
        assert!(is_graph_path("/v1.0/me"));
        assert!(!is_graph_path("/tenant/oauth2/v2.0/token"));
        assert!(!is_graph_path("/beta/tenant/oauth2/v2.0/token"));
        assert!(!is_graph_path("/betamax"));
    }
}
