//! The Graph client: one `reqwest::Client`, the Security Copilot operations, and the one place where
//! requests are sent, retried and logged.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use super::error::{ApiError, GraphError, NetworkKind};
use super::models::Identified;
use super::models::{
    Evaluation, NewPrompt, Page, Plugin, Prompt, Session, SessionPatch, Workspace,
};
use super::odata::{
    ListQuery, SESSION_SELECT, check_same_origin, display_url, is_loopback, parse_base_url,
};
use super::paging::{PageGuard, PagingProblem};
use super::retry::{RetryPolicy, is_retryable_status, parse_retry_after};
use super::transport::{BodyError, read_body};
use crate::auth::TokenSource;

/// The `User-Agent` Graph sees, so Microsoft can tell our traffic apart.
pub use super::endpoint::USER_AGENT;

pub use super::endpoint::DEFAULT_GRAPH_URL;
pub use super::odata::{DEFAULT_BULK_PAGE_SIZE, MAX_PAGE_SIZE};

/// How a client is set up; every field has a sane default.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub graph_url: String,
    pub workspace: String,
    /// `$top` of a first page someone looks at (small, so it arrives fast).
    pub page_size: u32,
    /// `$top` of bulk reads that want every session (big, so there are few round trips).
    pub bulk_page_size: u32,
    pub retry: RetryPolicy,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// The most bytes one answer may have; a longer one is an error (read as a stream, so a
    /// hostile server cannot make the client hold more).
    pub max_body_bytes: usize,
    /// Hosts besides Microsoft Graph's and loopback that may receive the token (`--allow-host`).
    pub allow_hosts: Vec<String>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            graph_url: DEFAULT_GRAPH_URL.to_string(),
            workspace: "default".to_string(),
            page_size: 100,
            bulk_page_size: DEFAULT_BULK_PAGE_SIZE,
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: crate::transport::DEFAULT_MAX_BODY,
            allow_hosts: Vec::new(),
        }
    }
}

pub use super::retry::{RetryNotice, RetryObserver};

/// A Security Copilot client for one workspace. Cheap to clone (shares the connection pool).
#[derive(Clone)]
pub struct GraphClient {
    /// Built on the first request, not here: loading the system's CA store costs milliseconds of
    /// disk and CPU that the TUI's first frame must not wait for. Shared by clones.
    http: Arc<LazyHttp>,
    base: Url,
    workspace: String,
    page_size: u32,
    bulk_page_size: u32,
    retry: RetryPolicy,
    tokens: Arc<dyn TokenSource>,
    observer: Option<RetryObserver>,
    max_body: usize,
}

/// A successful HTTP exchange, body read in full.
struct Answer {
    status: StatusCode,
    url: Url,
    method: Method,
    body: bytes::Bytes,
}

impl GraphClient {
    /// Builds the client; fails on a bad or non-loopback `http://` URL. No connection is made
    /// and no CA store is loaded until the first request.
    pub fn new(options: ClientOptions, tokens: Arc<dyn TokenSource>) -> Result<Self, GraphError> {
        let base = parse_base_url(&options.graph_url)?;
        crate::hosts::check_graph_host(&base, &options.allow_hosts)
            .map_err(|host| GraphError::HostNotAllowed { host })?;
        Ok(Self {
            http: Arc::new(LazyHttp {
                client: std::sync::OnceLock::new(),
                connect_timeout: options.connect_timeout,
                request_timeout: options.request_timeout,
                base: base.clone(),
            }),
            base,
            workspace: options.workspace,
            page_size: options.page_size.clamp(1, MAX_PAGE_SIZE),
            bulk_page_size: options.bulk_page_size.clamp(1, MAX_PAGE_SIZE),
            retry: options.retry,
            tokens,
            observer: None,
            max_body: options.max_body_bytes.max(1024),
        })
    }

    /// Whether the HTTP client (with its CA store) has been built yet: only a request does that.
    pub fn http_is_built(&self) -> bool {
        self.http.client.get().is_some()
    }

    /// Registers who hears about retries (the TUI status bar).
    pub fn with_retry_observer(mut self, observer: RetryObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    /// A copy of this client that works on another workspace.
    pub fn for_workspace(&self, workspace: impl Into<String>) -> Self {
        Self {
            workspace: workspace.into(),
            ..self.clone()
        }
    }

    /// The workspace this client talks to.
    pub fn workspace(&self) -> &str {
        &self.workspace
    }

    /// The Graph base URL (for `Y`, which copies a session's Graph URL).
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// The page size this client asks for.
    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// The page size of bulk reads ([`Self::all_sessions`], sync, the TUI loading everything).
    pub fn bulk_page_size(&self) -> u32 {
        self.bulk_page_size
    }

    /// The token source's name, for headers and `whoami`.
    pub fn token_source_name(&self) -> &'static str {
        self.tokens.name()
    }

    /// `{base}/security/securityCopilot/` and `segments`: fixed words as they are, ids checked
    /// (see [`crate::ids`]) and percent-encoded, each exactly one path segment.
    fn url(&self, segments: &[Segment<'_>]) -> Result<Url, GraphError> {
        let mut path = self.base.path().trim_end_matches('/').to_string();
        path.push_str("/security/securityCopilot");
        for segment in segments {
            path.push('/');
            match *segment {
                Segment::Word(word) => path.push_str(word),
                Segment::Id(what, id) => {
                    crate::ids::check(id).map_err(|problem| GraphError::InvalidId {
                        what,
                        id: id.to_string(),
                        problem,
                    })?;
                    path.push_str(&crate::ids::encode(id));
                }
            }
        }
        let mut url = self.base.clone();
        url.set_path(&path);
        Ok(url)
    }

    fn session_segments<'a>(&'a self, id: &'a str) -> [Segment<'a>; 4] {
        [
            Segment::Word("workspaces"),
            Segment::Id("workspace", &self.workspace),
            Segment::Word("sessions"),
            Segment::Id("session", id),
        ]
    }

    /// The absolute Graph URL of one session; an error for an id that is not one.
    pub fn session_url(&self, id: &str) -> Result<Url, GraphError> {
        self.url(&self.session_segments(id))
    }

    fn sessions_url(&self) -> Result<Url, GraphError> {
        self.url(&self.session_segments("")[..3])
    }

    fn prompts_url(&self, session: &str) -> Result<Url, GraphError> {
        let [a, b, c, d] = self.session_segments(session);
        self.url(&[a, b, c, d, Segment::Word("prompts")])
    }

    fn evaluations_url(&self, session: &str, prompt: &str) -> Result<Url, GraphError> {
        let [a, b, c, d] = self.session_segments(session);
        self.url(&[
            a,
            b,
            c,
            d,
            Segment::Word("prompts"),
            Segment::Id("prompt", prompt),
            Segment::Word("evaluations"),
        ])
    }

    /// The first page of sessions for `filter`, with our page size and `$select`.
    pub async fn list_sessions(&self, query: &ListQuery) -> Result<Page<Session>, GraphError> {
        let mut url = self.sessions_url()?;
        let query = ListQuery {
            top: query.top.or(Some(self.page_size)),
            select: query.select.clone().or_else(|| Some(SESSION_SELECT.into())),
            ..query.clone()
        };
        let qs = query.to_query_string();
        url.set_query((!qs.is_empty()).then_some(qs.as_str()));
        self.get_json(url).await
    }

    /// A later page: the `@odata.nextLink` used whole, as Graph asks, but only on our origin.
    /// A page that links to itself is an error (it would be asked for forever).
    pub async fn next_page<T: DeserializeOwned>(&self, link: &str) -> Result<Page<T>, GraphError> {
        let url = check_same_origin(&self.base, link)?;
        let page: Page<T> = self.get_json(url.clone()).await?;
        if page.next_link.as_deref() == Some(link) {
            return Err(GraphError::Paging {
                url: display_url(&url),
                problem: PagingProblem::RepeatedLink,
            });
        }
        Ok(page)
    }

    /// A lazy walk over all pages of sessions: one request per `next` call.
    pub fn sessions_pager(&self, query: ListQuery) -> SessionPager {
        SessionPager {
            client: self.clone(),
            state: PagerState::Start(query),
            guard: PageGuard::default(),
        }
    }

    /// Every session, page by page (for scripts), asking for [`Self::bulk_page_size`] per page
    /// unless `query.top` says otherwise; a server that sends smaller pages is followed to the end.
    pub async fn all_sessions(&self, query: ListQuery) -> Result<Vec<Session>, GraphError> {
        let query = ListQuery {
            top: query.top.or(Some(self.bulk_page_size)),
            ..query
        };
        let mut pager = self.sessions_pager(query);
        let mut all = Vec::new();
        while let Some(page) = pager.next().await? {
            all.extend(page.value);
        }
        Ok(all)
    }

    /// One session.
    pub async fn get_session(&self, id: &str) -> Result<Session, GraphError> {
        self.get_json(self.session_url(id)?).await
    }

    /// Creates a session; Graph answers `201 Created` with it.
    pub async fn create_session(&self, display_name: &str) -> Result<Session, GraphError> {
        let body = SessionPatch {
            display_name: display_name.to_string(),
        };
        self.send_json(Method::POST, self.sessions_url()?, &body)
            .await?
            .decode()
    }

    /// Renames a session. Graph answers `200` with the session; on `204 No Content` we read it back
    /// so callers always get the server's version to reconcile with.
    pub async fn rename_session(
        &self,
        id: &str,
        display_name: &str,
    ) -> Result<Session, GraphError> {
        let body = SessionPatch {
            display_name: display_name.to_string(),
        };
        let answer = self
            .send_json(Method::PATCH, self.session_url(id)?, &body)
            .await?;
        if answer.status == StatusCode::NO_CONTENT || answer.body.is_empty() {
            return self.get_session(id).await;
        }
        match answer.decode() {
            Ok(session) => Ok(session),
            // A success with an unreadable body: the rename happened, so read the session back
            // rather than tell the user it failed (the decode error stands if that fails too).
            Err(unreadable) => self.get_session(id).await.map_err(|_| unreadable),
        }
    }

    /// The workspaces this account can see.
    pub async fn list_workspaces(&self) -> Result<Vec<Workspace>, GraphError> {
        let first = self
            .get_json(self.url(&[Segment::Word("workspaces")])?)
            .await?;
        self.rest_of_pages(first).await
    }

    /// The workspace's plugins (what Security Copilot can reach), following every page.
    pub async fn list_plugins(&self) -> Result<Vec<Plugin>, GraphError> {
        let url = self.url(&[
            Segment::Word("workspaces"),
            Segment::Id("workspace", &self.workspace),
            Segment::Word("plugins"),
        ])?;
        let first = self.get_json(url).await?;
        self.rest_of_pages(first).await
    }

    /// All prompts of a session, in the order Graph gives them, following every page. Asks for
    /// the bulk page size, so a conversation of any usual length is one round trip.
    pub async fn list_prompts(&self, session: &str) -> Result<Vec<Prompt>, GraphError> {
        let mut url = self.prompts_url(session)?;
        url.set_query(Some(&format!("$top={}", self.bulk_page_size)));
        let first = self.get_json(url).await?;
        self.rest_of_pages(first).await
    }

    /// The items of `first` and of every page after it (small collections only).
    async fn rest_of_pages<T: DeserializeOwned + Identified>(
        &self,
        first: Page<T>,
    ) -> Result<Vec<T>, GraphError> {
        let mut guard = PageGuard::default();
        let mut all = first.value;
        let mut next = first.next_link;
        let _ = guard.page(all.iter().map(Identified::id), false);
        while let Some(link) = next {
            let problem = |problem| GraphError::Paging {
                url: link.split('?').next().unwrap_or_default().to_string(),
                problem,
            };
            guard.follow(&link).map_err(problem)?;
            let page: Page<T> = self.next_page(&link).await?;
            guard
                .page(
                    page.value.iter().map(Identified::id),
                    page.next_link.is_some(),
                )
                .map_err(problem)?;
            all.extend(page.value);
            next = page.next_link;
        }
        Ok(all)
    }

    /// One prompt of a session (what a re-run runs again).
    pub async fn get_prompt(&self, session: &str, prompt: &str) -> Result<Prompt, GraphError> {
        let [a, b, c, d] = self.session_segments(session);
        let url = self.url(&[
            a,
            b,
            c,
            d,
            Segment::Word("prompts"),
            Segment::Id("prompt", prompt),
        ])?;
        self.get_json(url).await
    }

    /// Adds a question to a session (it does not run until an evaluation is created).
    pub async fn create_prompt(&self, session: &str, content: &str) -> Result<Prompt, GraphError> {
        self.send_json(
            Method::POST,
            self.prompts_url(session)?,
            &NewPrompt::question(content),
        )
        .await?
        .decode()
    }

    /// Starts a run of a prompt; Graph answers `201` with `state: created`.
    pub async fn create_evaluation(
        &self,
        session: &str,
        prompt: &str,
    ) -> Result<Evaluation, GraphError> {
        self.send_json(
            Method::POST,
            self.evaluations_url(session, prompt)?,
            &serde_json::json!({}),
        )
        .await?
        .decode()
    }

    /// One evaluation: poll this until its state is terminal.
    pub async fn get_evaluation(
        &self,
        session: &str,
        prompt: &str,
        evaluation: &str,
    ) -> Result<Evaluation, GraphError> {
        let [a, b, c, d] = self.session_segments(session);
        let url = self.url(&[
            a,
            b,
            c,
            d,
            Segment::Word("prompts"),
            Segment::Id("prompt", prompt),
            Segment::Word("evaluations"),
            Segment::Id("evaluation", evaluation),
        ])?;
        self.get_json(url).await
    }

    /// The evaluations of a prompt. The docs' example shows a single object instead of a
    /// collection, so both shapes are accepted.
    pub async fn list_evaluations(
        &self,
        session: &str,
        prompt: &str,
    ) -> Result<Vec<Evaluation>, GraphError> {
        let answer = self
            .execute(Method::GET, self.evaluations_url(session, prompt)?, None)
            .await?;
        let value: serde_json::Value = answer.decode()?;
        let mut all: Vec<Evaluation> = if value.get("value").is_some() {
            let first: Page<Evaluation> = answer.decode_value(value)?;
            self.rest_of_pages(first).await?
        } else {
            vec![answer.decode_value(value)?]
        };
        all.retain(|e| !e.id.is_empty());
        Ok(all)
    }

    async fn get_json<T: DeserializeOwned>(&self, url: Url) -> Result<T, GraphError> {
        self.execute(Method::GET, url, None).await?.decode()
    }

    async fn send_json<B: Serialize>(
        &self,
        method: Method,
        url: Url,
        body: &B,
    ) -> Result<Answer, GraphError> {
        let bytes = serde_json::to_vec(body).map_err(|e| GraphError::Decode {
            method: method.to_string(),
            url: display_url(&url),
            detail: format!("cannot encode the request body: {e}"),
        })?;
        self.execute(method, url, Some(bytes)).await
    }

    /// Sends one logical request: token, headers, retries on 429/503/504 and safe network errors,
    /// one token refresh after a 401, logging. The only place that talks HTTP.
    async fn execute(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<Answer, GraphError> {
        // The token goes only to https, or plain http on this machine: checked on every request,
        // not only when the base URL was configured.
        if url.scheme() != "https" && !(url.scheme() == "http" && is_loopback(&url)) {
            return Err(GraphError::InvalidUrl(format!(
                "{}: a token is sent only over https:// (or http:// on loopback)",
                display_url(&url)
            )));
        }
        let mut retries = 0u32;
        let mut waited = Duration::ZERO;
        let mut force_refresh = false;
        let mut refreshed = false;
        loop {
            let token = self.tokens.token(force_refresh).await?;
            force_refresh = false;
            let client_request_id = uuid::Uuid::new_v4().to_string();
            let mut request = self
                .http
                .get()?
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose())
                .header(header::ACCEPT, "application/json")
                .header("client-request-id", &client_request_id);
            if retries > 0 {
                request = request.header("Retry-Attempt", retries.to_string());
            }
            if let Some(body) = &body {
                request = request
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let started = Instant::now();
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let request_id = response
                        .headers()
                        .get("request-id")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let date = response
                        .headers()
                        .get(header::DATE)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let retry_after = response
                        .headers()
                        .get(header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()));
                    match read_body(response, self.max_body).await {
                        Ok(bytes) => Ok((status, request_id, date, retry_after, bytes)),
                        Err(BodyError::TooLarge { limit }) => {
                            return Err(GraphError::TooLarge {
                                method: method.to_string(),
                                url: display_url(&url),
                                limit,
                            });
                        }
                        Err(BodyError::Transport(e)) => Err(network_error(&method, &url, &e)),
                    }
                }
                Err(e) => Err(network_error(&method, &url, &e)),
            };
            let elapsed = started.elapsed();
            match outcome {
                Ok((status, request_id, date, retry_after, bytes)) => {
                    tracing::info!(
                        method = %method,
                        path = url.path(),
                        status = status.as_u16(),
                        duration_ms = elapsed.as_millis() as u64,
                        request_id = request_id.as_deref().unwrap_or("-"),
                        client_request_id = %client_request_id,
                        retry = retries,
                        "graph request"
                    );
                    if status.is_success() {
                        return Ok(Answer {
                            status,
                            url,
                            method,
                            body: bytes,
                        });
                    }
                    let code = status.as_u16();
                    if code == 401 && !refreshed && self.tokens.can_refresh() {
                        refreshed = true;
                        force_refresh = true;
                        continue;
                    }
                    // A POST that met 504 may have been carried out: never repeat it blindly.
                    let safe = method != Method::POST || code != 504;
                    if is_retryable_status(code)
                        && safe
                        && let Some(wait) = self.next_wait(retries + 1, retry_after, waited)
                    {
                        retries += 1;
                        waited += wait;
                        self.notify(retries, wait, Some(code));
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    let fixed_token = if code == 401 {
                        self.tokens.fixed_name()
                    } else {
                        None
                    };
                    return Err(GraphError::from(
                        ApiError::from_response(code, &bytes, request_id.as_deref())
                            .with_request(method.as_str(), date.as_deref())
                            .with_fixed_token(fixed_token),
                    ));
                }
                Err(error) => {
                    tracing::warn!(method = %method, path = url.path(), duration_ms = elapsed.as_millis() as u64, %error, "graph request failed");
                    // Only a connection that broke or timed out is worth another try here: a
                    // certificate that is not trusted or a redirect elsewhere will not change,
                    // and a connection never made (refused, unreachable, no such host) is told
                    // at once, so the CLI gives up in seconds and the TUI shows its banner and
                    // reconnects on its own schedule rather than wait out silent retries.
                    let retryable = matches!(
                        &error,
                        GraphError::Network { kind, .. }
                            if matches!(kind, NetworkKind::Timeout | NetworkKind::Broken)
                    );
                    // A POST that may have reached the server is never repeated blindly.
                    let safe = method != Method::POST;
                    if retryable
                        && safe
                        && let Some(wait) = self.next_wait(retries + 1, None, waited)
                    {
                        retries += 1;
                        waited += wait;
                        self.notify(retries, wait, None);
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(error);
                }
            }
        }
    }

    fn next_wait(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        waited: Duration,
    ) -> Option<Duration> {
        self.retry
            .delay(attempt, retry_after, waited, rand::random::<f64>())
    }

    fn notify(&self, attempt: u32, wait: Duration, status: Option<u16>) {
        if let Some(observer) = &self.observer {
            observer(RetryNotice {
                attempt,
                wait,
                status,
            });
        }
    }
}

/// The `reqwest::Client`, built once on first use with the options it was given.
struct LazyHttp {
    client: std::sync::OnceLock<reqwest::Client>,
    connect_timeout: Duration,
    request_timeout: Duration,
    base: Url,
}

impl LazyHttp {
    fn get(&self) -> Result<&reqwest::Client, GraphError> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        // redirects only within the origin, loopback never through a proxy, no CA roots for
        // plain-http loopback (see `crate::transport`)
        let built = crate::transport::build(
            crate::transport::Peer::Graph,
            &self.base,
            self.connect_timeout,
            self.request_timeout,
        )
        .map_err(|detail| GraphError::Network {
            url: display_url(&self.base),
            kind: NetworkKind::Certificate,
            detail,
        })?;
        // two first requests at once may both build; one client wins and is kept
        Ok(self.client.get_or_init(|| built))
    }
}

fn network_error(method: &Method, url: &Url, e: &reqwest::Error) -> GraphError {
    if let Some(location) = crate::transport::foreign_redirect(e) {
        return GraphError::Redirect {
            method: method.to_string(),
            url: display_url(url),
            location,
        };
    }
    if crate::transport::is_certificate_error(e) {
        return GraphError::Network {
            url: display_url(url),
            kind: NetworkKind::Certificate,
            detail: crate::transport::certificate_advice(url, e),
        };
    }
    let kind = if e.is_connect() {
        NetworkKind::Connect
    } else if e.is_timeout() {
        NetworkKind::Timeout
    } else {
        NetworkKind::Broken
    };
    // reqwest's Display may include the URL; we report our own query-less URL instead.
    let mut detail = if kind == NetworkKind::Connect && e.is_timeout() {
        // the innermost cause is the timer's "deadline has elapsed"
        "the host did not answer within connect_timeout".to_string()
    } else {
        crate::transport::innermost(e)
    };
    if let Some(u) = e.url() {
        detail = detail.replace(u.as_str(), "<url>");
    }
    GraphError::Network {
        url: display_url(url),
        kind,
        detail,
    }
}

impl Answer {
    fn decode<T: DeserializeOwned>(&self) -> Result<T, GraphError> {
        serde_json::from_slice(&self.body).map_err(|e| self.decode_error(&e))
    }

    fn decode_value<T: DeserializeOwned>(&self, value: serde_json::Value) -> Result<T, GraphError> {
        serde_json::from_value(value).map_err(|e| self.decode_error(&e))
    }

    fn decode_error(&self, e: &serde_json::Error) -> GraphError {
        let what = if e.is_eof() {
            "the body was cut short"
        } else if e.is_syntax() {
            "the body is not valid JSON"
        } else {
            "the JSON has an unexpected shape"
        };
        GraphError::Decode {
            method: self.method.to_string(),
            url: display_url(&self.url),
            detail: format!(
                "{what} ({e}; {} bytes, status {})",
                self.body.len(),
                self.status.as_u16()
            ),
        }
    }
}

/// One path segment of a Graph URL: a fixed word, or an id (named for messages).
#[derive(Clone, Copy)]
enum Segment<'a> {
    Word(&'static str),
    Id(&'static str, &'a str),
}

enum PagerState {
    Start(ListQuery),
    Next(String),
    Done,
}

/// Walks the pages of a session list lazily, following `@odata.nextLink`; a link seen before or
/// a page without a new session ends the walk with [`GraphError::Paging`].
pub struct SessionPager {
    client: GraphClient,
    state: PagerState,
    guard: PageGuard,
}

impl SessionPager {
    /// The next page, or `None` after the last one.
    pub async fn next(&mut self) -> Result<Option<Page<Session>>, GraphError> {
        let (page, at) = match std::mem::replace(&mut self.state, PagerState::Done) {
            PagerState::Start(query) => (self.client.list_sessions(&query).await?, None),
            PagerState::Next(link) => {
                let problem = |problem| GraphError::Paging {
                    url: link.split('?').next().unwrap_or_default().to_string(),
                    problem,
                };
                self.guard.follow(&link).map_err(problem)?;
                (self.client.next_page(&link).await?, Some(link))
            }
            PagerState::Done => return Ok(None),
        };
        self.guard
            .page(
                page.value.iter().map(|s| s.id.as_str()),
                page.next_link.is_some(),
            )
            .map_err(|problem| GraphError::Paging {
                url: at
                    .as_deref()
                    .and_then(|l| l.split('?').next())
                    .unwrap_or("the first page")
                    .to_string(),
                problem,
            })?;
        if let Some(link) = &page.next_link {
            self.state = PagerState::Next(link.clone());
        }
        Ok(Some(page))
    }
}
