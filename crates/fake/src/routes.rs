//! The Graph routes: request validation, store calls, and Graph-shaped JSON responses.
//!
//! Handlers return `Result<Response, ApiError>` and never unwrap anything from the request; the
//! envelope middleware adds ids and renders errors.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, GRAPH_JSON};
use crate::odata::{self, EntitySchema, ListQuery, Row};
use crate::records::{PluginRec, SessionRec};
use crate::store::{FakeStore, SessionOrder, State as FakeState};
use crate::wire;

/// Shared by all handlers.
#[derive(Clone)]
pub(crate) struct AppState {
    pub store: FakeStore,
    pub addr: SocketAddr,
}

/// Where the copilot resources live under the version segment.
const ROOT: &str = "/beta/security/securityCopilot";

/// The routes, without middleware (see `FakeGraph::start` for the layers).
pub(crate) fn router(state: AppState) -> Router {
    let ws = format!("{ROOT}/workspaces/{{ws}}");
    let session = format!("{ws}/sessions/{{sid}}");
    let prompt = format!("{session}/prompts/{{pid}}");
    Router::new()
        .route(&format!("{ROOT}/workspaces"), get(list_workspaces))
        .route(&format!("{ROOT}/workspaces/$count"), get(count_workspaces))
        .route(&format!("{ws}/plugins"), get(list_plugins))
        .route(
            &format!("{ws}/sessions"),
            get(list_sessions).post(create_session),
        )
        .route(&session, get(get_session).patch(patch_session))
        .route(
            &format!("{session}/prompts"),
            get(list_prompts).post(create_prompt),
        )
        .route(&prompt, get(get_prompt))
        .route(
            &format!("{prompt}/evaluations"),
            get(list_evaluations).post(create_evaluation),
        )
        .route(
            &format!("{prompt}/evaluations/{{eid}}"),
            get(get_evaluation),
        )
        .fallback(unknown_path)
        .with_state(state)
}

/// What every handler needs to know about the request besides its path parameters.
pub(crate) struct Ctx {
    /// `http://host:port`, from the Host header (so links work through any name for the fake).
    origin: String,
    /// The request path, for `@odata.nextLink` and `Location`.
    path: String,
    /// Decoded query pairs.
    query: Vec<(String, String)>,
    /// Strict mode was on when the request arrived.
    strict: bool,
    /// A GET (the only requests that get `@microsoft.graph.tips`).
    is_get: bool,
}

fn host_is_sane(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .filter(|h| host_is_sane(h))
            .map_or_else(|| state.addr.to_string(), str::to_string);
        let query = parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        Ok(Ctx {
            origin: format!("http://{host}"),
            path: parts.uri.path().trim_end_matches('/').to_string(),
            query,
            strict: state.store.lock().strict,
            is_get: parts.method == axum::http::Method::GET,
        })
    }
}

impl Ctx {
    fn context(&self, fragment: &str) -> String {
        format!("{}/beta/$metadata#{fragment}", self.origin)
    }

    fn list_query(&self, schema: &EntitySchema) -> Result<ListQuery, ApiError> {
        odata::parse_list_query(&self.query, schema, self.strict).map_err(ApiError::bad_request)
    }

    fn entity_select(&self, schema: &EntitySchema) -> Result<Option<Vec<&'static str>>, ApiError> {
        odata::parse_entity_query(&self.query, schema).map_err(ApiError::bad_request)
    }

    /// Graph's hint on a GET that asked for every property, as the docs' examples show; clients
    /// must ignore it.
    fn tips(&self, fragment: &str, select: Option<&[&'static str]>) -> Option<Value> {
        (self.is_get && select.is_none()).then(|| {
            let example = fragment
                .replace("workspaces('default')", "workspaces('<key>')")
                .split("/sessions('")
                .next()
                .map(str::to_string)
                .unwrap_or_default();
            json!(format!(
                "Use $select to choose only the properties your app needs, as this can lead to performance improvements. For example: GET {example}?$select=createdDateTime,displayName"
            ))
        })
    }
}

fn graph_json(status: StatusCode, value: &Value) -> Response {
    let mut resp = (status, value.to_string()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(GRAPH_JSON));
    resp
}

/// One entity with its `@odata.context`, honouring `$select`.
fn entity_response(
    status: StatusCode,
    ctx: &Ctx,
    fragment: &str,
    select: Option<&[&'static str]>,
    map: Map<String, Value>,
) -> Response {
    let context = ctx.context(&format!(
        "{fragment}{}/$entity",
        odata::context_select_suffix(select)
    ));
    let mut out = Map::new();
    out.insert("@odata.context".into(), json!(context));
    if let Some(tips) = ctx.tips(fragment, select) {
        out.insert("@microsoft.graph.tips".into(), tips);
    }
    if let Value::Object(fields) = odata::select_fields(map, select) {
        out.extend(fields);
    }
    graph_json(status, &Value::Object(out))
}

/// A created entity: 201, its body, and a `Location` pointing at it.
fn created_response(ctx: &Ctx, fragment: &str, map: Map<String, Value>) -> Response {
    let id = map.get("id").and_then(Value::as_str).unwrap_or_default();
    let location = format!("{}{}/{}", ctx.origin, ctx.path, id);
    let mut resp = entity_response(StatusCode::CREATED, ctx, fragment, None, map);
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// Filters, orders, pages and renders a collection (`rows` in the collection's own order).
fn collection_response<'a, T: Row + 'a>(
    ctx: &Ctx,
    fragment: &str,
    q: &ListQuery,
    rows: impl IntoIterator<Item = &'a T>,
    to_json: impl Fn(&T) -> Map<String, Value>,
) -> Response {
    let page = odata::apply(rows, q);
    let select = q.select.as_deref();
    let value: Vec<Value> = page
        .items
        .iter()
        .map(|r| odata::select_fields(to_json(r), select))
        .collect();
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        json!(ctx.context(&format!(
            "{fragment}{}",
            odata::context_select_suffix(select)
        ))),
    );
    if let Some(tips) = ctx.tips(fragment, select) {
        out.insert("@microsoft.graph.tips".into(), tips);
    }
    if q.count {
        out.insert("@odata.count".into(), json!(page.total));
    }
    if let Some(next) = page.next {
        out.insert(
            "@odata.nextLink".into(),
            json!(odata::next_link(&ctx.origin, &ctx.path, q, next)),
        );
    }
    out.insert("value".into(), Value::Array(value));
    graph_json(StatusCode::OK, &Value::Object(out))
}

/// Reads a JSON object body; `allow_empty` treats no body as `{}`.
fn json_body(
    headers: &HeaderMap,
    body: &Bytes,
    allow_empty: bool,
) -> Result<Map<String, Value>, ApiError> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or_default().to_ascii_lowercase();
        if !ct.contains("json") {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                format!("Content type '{ct}' is not supported; send application/json."),
            ));
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return if allow_empty {
            Ok(Map::new())
        } else {
            Err(ApiError::bad_request(
                "The request body is empty; a JSON object is required.",
            ))
        };
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request(
            "The request body must be a JSON object.",
        )),
        Err(e) => Err(ApiError::bad_request(format!(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format. ({e})"
        ))),
    }
}

/// Refuses properties the type does not have, as Graph does; `@` annotations are allowed.
fn reject_unknown_properties(
    body: &Map<String, Value>,
    schema: &EntitySchema,
) -> Result<(), ApiError> {
    match body
        .keys()
        .find(|k| !k.starts_with('@') && !schema.properties.contains(&k.as_str()))
    {
        Some(k) => Err(ApiError::bad_request(format!(
            "The property '{k}' does not exist on type '{}'. Make sure to only use property names that are defined by the type.",
            schema.type_name
        ))),
        None => Ok(()),
    }
}

/// A non-empty string property, or a 400 that says which rule was broken.
fn required_text<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a str, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Err(ApiError::bad_request(format!(
            "The '{name}' property is required."
        ))),
        Some(Value::String(s)) if s.trim().is_empty() => Err(ApiError::bad_request(format!(
            "The '{name}' property must not be empty."
        ))),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(ApiError::bad_request(format!(
            "The '{name}' property must be a string."
        ))),
    }
}

fn no_workspace(ws: &str) -> ApiError {
    ApiError::not_found(format!("Workspace '{ws}' was not found."))
}

fn no_session(sid: &str) -> ApiError {
    ApiError::not_found(format!("Session '{sid}' was not found."))
}

fn no_prompt(pid: &str) -> ApiError {
    ApiError::not_found(format!("Prompt '{pid}' was not found."))
}

fn sessions_fragment(ws: &str) -> String {
    format!("security/securityCopilot/workspaces('{ws}')/sessions")
}

fn prompts_fragment(ws: &str, sid: &str) -> String {
    format!("security/securityCopilot/workspaces('{ws}')/sessions('{sid}')/prompts")
}

fn evaluations_fragment(ws: &str, sid: &str, pid: &str) -> String {
    format!(
        "security/securityCopilot/workspaces('{ws}')/sessions('{sid}')/prompts('{pid}')/evaluations"
    )
}

/// `GET …/$count`: the number as plain text, as Graph answers it.
fn count_response(n: usize) -> Response {
    let mut resp = (StatusCode::OK, n.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=utf-8"),
    );
    resp
}

/// How many rows of a collection pass the request's `$filter`.
fn count_rows<'a, T: Row + 'a>(
    ctx: &Ctx,
    schema: &EntitySchema,
    rows: impl IntoIterator<Item = &'a T>,
) -> Result<Response, ApiError> {
    let q = ctx.list_query(schema)?;
    Ok(count_response(odata::apply(rows, &q).total))
}

async fn list_workspaces(State(app): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    let q = ctx.list_query(&odata::WORKSPACE)?;
    let state = app.store.lock();
    Ok(collection_response(
        &ctx,
        "security/securityCopilot/workspaces",
        &q,
        &state.workspaces,
        |w| wire::to_object(&w.to_wire()),
    ))
}

async fn count_workspaces(State(app): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    let state = app.store.lock();
    count_rows(&ctx, &odata::WORKSPACE, &state.workspaces)
}

async fn list_plugins(
    State(app): State<AppState>,
    Path(ws): Path<String>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let q = ctx.list_query(&odata::PLUGIN)?;
    let state = app.store.lock();
    let w = state.workspace(&ws).ok_or_else(|| no_workspace(&ws))?;
    Ok(collection_response(
        &ctx,
        &format!("security/securityCopilot/workspaces('{}')/plugins", w.id),
        &q,
        &w.plugins,
        |p: &PluginRec| wire::to_object(&p.plugin),
    ))
}

/// A workspace's sessions in the order the list serves them.
fn sessions_in_order(sessions: &[SessionRec], order: SessionOrder) -> Vec<&SessionRec> {
    match order {
        SessionOrder::NewestFirst => sessions.iter().rev().collect(),
        SessionOrder::OldestFirst => sessions.iter().collect(),
    }
}

async fn list_sessions(
    State(app): State<AppState>,
    Path(ws): Path<String>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let q = ctx.list_query(&odata::SESSION)?;
    let state = app.store.lock();
    let w = state.workspace(&ws).ok_or_else(|| no_workspace(&ws))?;
    Ok(collection_response(
        &ctx,
        &sessions_fragment(&w.id),
        &q,
        sessions_in_order(&w.sessions, state.session_order),
        |s| wire::to_object(&s.to_wire()),
    ))
}

/// The `displayName` of a create or rename body (POST and PATCH take the same shape).
fn session_name(ctx: &Ctx, headers: &HeaderMap, body: &Bytes) -> Result<String, ApiError> {
    ctx.entity_select(&odata::SESSION)?;
    let body = json_body(headers, body, false)?;
    reject_unknown_properties(&body, &odata::SESSION)?;
    Ok(required_text(&body, "displayName")?.to_string())
}

/// A workspace's canonical id (the path may spell it in another case).
fn workspace_id(state: &FakeState, ws: &str) -> Result<String, ApiError> {
    Ok(state
        .workspace(ws)
        .ok_or_else(|| no_workspace(ws))?
        .id
        .clone())
}

async fn create_session(
    State(app): State<AppState>,
    Path(ws): Path<String>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let name = session_name(&ctx, &headers, &body)?;
    let now = app.store.clock().now();
    let mut state = app.store.lock();
    let ws_id = workspace_id(&state, &ws)?;
    let rec = state.create_session(&ws_id, Some(&name), now);
    Ok(created_response(
        &ctx,
        &sessions_fragment(&ws_id),
        wire::to_object(&rec.to_wire()),
    ))
}

async fn get_session(
    State(app): State<AppState>,
    Path((ws, sid)): Path<(String, String)>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    if sid == "$count" {
        let state = app.store.lock();
        let w = state.workspace(&ws).ok_or_else(|| no_workspace(&ws))?;
        return count_rows(&ctx, &odata::SESSION, &w.sessions);
    }
    let select = ctx.entity_select(&odata::SESSION)?;
    let state = app.store.lock();
    let w = state.workspace(&ws).ok_or_else(|| no_workspace(&ws))?;
    let s = w.session(&sid).ok_or_else(|| no_session(&sid))?;
    Ok(entity_response(
        StatusCode::OK,
        &ctx,
        &sessions_fragment(&w.id),
        select.as_deref(),
        wire::to_object(&s.to_wire()),
    ))
}

async fn patch_session(
    State(app): State<AppState>,
    Path((ws, sid)): Path<(String, String)>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let name = session_name(&ctx, &headers, &body)?;
    let now = app.store.clock().now();
    let mut state = app.store.lock();
    let ws_id = workspace_id(&state, &ws)?;
    let s = state
        .rename_session(&ws_id, &sid, Some(&name), now)
        .ok_or_else(|| no_session(&sid))?;
    Ok(entity_response(
        StatusCode::OK,
        &ctx,
        &sessions_fragment(&ws_id),
        None,
        wire::to_object(&s.to_wire()),
    ))
}

async fn list_prompts(
    State(app): State<AppState>,
    Path((ws, sid)): Path<(String, String)>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let q = ctx.list_query(&odata::PROMPT)?;
    let state = app.store.lock();
    let w = state.workspace(&ws).ok_or_else(|| no_workspace(&ws))?;
    let s = w.session(&sid).ok_or_else(|| no_session(&sid))?;
    Ok(collection_response(
        &ctx,
        &prompts_fragment(&w.id, &s.id),
        &q,
        &s.prompts,
        |p| wire::to_object(&p.to_wire()),
    ))
}

async fn create_prompt(
    State(app): State<AppState>,
    Path((ws, sid)): Path<(String, String)>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    ctx.entity_select(&odata::PROMPT)?;
    let body = json_body(&headers, &body, false)?;
    reject_unknown_properties(&body, &odata::PROMPT)?;
    match body.get("type") {
        None | Some(Value::Null) => {}
        Some(Value::String(t)) if t == "prompt" => {}
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Only prompts of type 'prompt' can be created (got {other})."
            )));
        }
    }
    let content = required_text(&body, "content")?;
    let now = app.store.clock().now();
    let mut state = app.store.lock();
    let ws_id = workspace_id(&state, &ws)?;
    let rec = state
        .create_prompt(&ws_id, &sid, content, now)
        .ok_or_else(|| no_session(&sid))?;
    let sid = sid.to_ascii_lowercase();
    Ok(created_response(
        &ctx,
        &prompts_fragment(&ws_id, &sid),
        wire::to_object(&rec.to_wire()),
    ))
}

async fn get_prompt(
    State(app): State<AppState>,
    Path((ws, sid, pid)): Path<(String, String, String)>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let state = app.store.lock();
    let w = state.workspace(&ws).ok_or_else(|| no_workspace(&ws))?;
    let s = w.session(&sid).ok_or_else(|| no_session(&sid))?;
    if pid == "$count" {
        return count_rows(&ctx, &odata::PROMPT, &s.prompts);
    }
    let select = ctx.entity_select(&odata::PROMPT)?;
    let p = s.prompt(&pid).ok_or_else(|| no_prompt(&pid))?;
    Ok(entity_response(
        StatusCode::OK,
        &ctx,
        &prompts_fragment(&w.id, &s.id),
        select.as_deref(),
        wire::to_object(&p.to_wire()),
    ))
}

async fn list_evaluations(
    State(app): State<AppState>,
    Path((ws, sid, pid)): Path<(String, String, String)>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let q = ctx.list_query(&odata::EVALUATION)?;
    let now = app.store.clock().now();
    let state = app.store.lock();
    let w = state.workspace(&ws).ok_or_else(|| no_workspace(&ws))?;
    let s = w.session(&sid).ok_or_else(|| no_session(&sid))?;
    let p = s.prompt(&pid).ok_or_else(|| no_prompt(&pid))?;
    Ok(collection_response(
        &ctx,
        &evaluations_fragment(&w.id, &s.id, &p.id),
        &q,
        &p.evaluations,
        |e| wire::to_object(&e.to_wire(now)),
    ))
}

async fn create_evaluation(
    State(app): State<AppState>,
    Path((ws, sid, pid)): Path<(String, String, String)>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    ctx.entity_select(&odata::EVALUATION)?;
    // The documented body is `{}`; nothing in it matters, but it must be JSON if present.
    json_body(&headers, &body, true)?;
    let now = app.store.clock().now();
    let mut state = app.store.lock();
    let w = state.workspace(&ws).ok_or_else(|| no_workspace(&ws))?;
    let ws_id = w.id.clone();
    let s = w.session(&sid).ok_or_else(|| no_session(&sid))?;
    let sid = s.id.clone();
    let pid = s.prompt(&pid).ok_or_else(|| no_prompt(&pid))?.id.clone();
    let rec = state
        .create_evaluation(&ws_id, &sid, &pid, now)
        .ok_or_else(|| no_prompt(&pid))?;
    Ok(created_response(
        &ctx,
        &evaluations_fragment(&ws_id, &sid, &pid),
        wire::to_object(&rec.to_wire(now)),
    ))
}

async fn get_evaluation(
    State(app): State<AppState>,
    Path((ws, sid, pid, eid)): Path<(String, String, String, String)>,
    ctx: Ctx,
) -> Result<Response, ApiError> {
    let now = app.store.clock().now();
    let state = app.store.lock();
    let w = state.workspace(&ws).ok_or_else(|| no_workspace(&ws))?;
    let s = w.session(&sid).ok_or_else(|| no_session(&sid))?;
    let p = s.prompt(&pid).ok_or_else(|| no_prompt(&pid))?;
    if eid == "$count" {
        return count_rows(&ctx, &odata::EVALUATION, &p.evaluations);
    }
    let select = ctx.entity_select(&odata::EVALUATION)?;
    let e = p
        .evaluation(&eid)
        .ok_or_else(|| ApiError::not_found(format!("Evaluation '{eid}' was not found.")))?;
    Ok(entity_response(
        StatusCode::OK,
        &ctx,
        &evaluations_fragment(&w.id, &s.id, &p.id),
        select.as_deref(),
        wire::to_object(&e.to_wire(now)),
    ))
}

/// Rewrites OData key syntax to path segments (`sessions('id')` → `sessions/id`) and drops a
/// trailing slash, so both reach the same route, as they do on Graph.
pub(crate) fn canonical_path(path: &str) -> Option<String> {
    let mut out = String::with_capacity(path.len());
    let mut changed = false;
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        match keyed_segment(segment) {
            Some((name, key)) => {
                out.push_str(name);
                out.push('/');
                out.push_str(key);
                changed = true;
            }
            None => out.push_str(segment),
        }
    }
    if out.len() > 1 && out.ends_with('/') {
        while out.len() > 1 && out.ends_with('/') {
            out.pop();
        }
        changed = true;
    }
    changed.then_some(out)
}

/// `name('key')` (quotes possibly percent-encoded) → `(name, key)`.
fn keyed_segment(segment: &str) -> Option<(&str, &str)> {
    let open = segment.find('(')?;
    let inner = segment.get(open + 1..)?.strip_suffix(')')?;
    let key = ["'", "%27"].iter().find_map(|q| {
        inner
            .strip_prefix(q)
            .and_then(|rest| ["'", "%27"].iter().find_map(|e| rest.strip_suffix(e)))
    })?;
    let name = &segment[..open];
    (!name.is_empty() && !key.is_empty() && !key.contains(['/', '\'']) && !key.contains("%27"))
        .then_some((name, key))
}

/// Graph answers an unknown path under a version with 400 naming the segment it could not resolve.
async fn unknown_path(uri: axum::http::Uri) -> ApiError {
    let path = uri.path();
    match path.strip_prefix("/beta/") {
        Some(rest) => {
            let segment = rest.split('/').rfind(|s| !s.is_empty()).unwrap_or("beta");
            ApiError::bad_request(format!("Resource not found for the segment '{segment}'."))
        }
        None => ApiError::not_found(format!(
            "Resource not found. This fake serves Microsoft Graph under /beta, not '{path}'."
        )),
    }
}
