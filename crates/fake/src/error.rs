//! Graph's error envelope and the per-request ids every response carries.
//!
//! Handlers and middleware only say *what* went wrong ([`ApiError`]); the outer [`envelope`]
//! middleware renders it with the request's ids, so the body shape lives in exactly one place and
//! even axum's own rejections (405, 413, bad path encoding) come out in Graph's format.

use std::borrow::Cow;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::json;

/// The content type Graph answers with; clients must accept its parameters.
pub const GRAPH_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// A failed request, as Graph would describe it: HTTP status, machine `code`, human `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Graph's `error.code`.
    pub code: Cow<'static, str>,
    /// Graph's `error.message`.
    pub message: String,
}

impl ApiError {
    /// Any status, code and message.
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    /// 400 `BadRequest`: a bad body or query option.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 404 `ResourceNotFound`: an unknown workspace, session, prompt or evaluation.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "ResourceNotFound", message)
    }

    /// 401 `InvalidAuthenticationToken`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    }

    /// A generic error for a status that carries no Graph body of its own.
    pub fn from_status(status: StatusCode, method: &Method) -> Self {
        let (code, message): (&'static str, String) = match status {
            StatusCode::METHOD_NOT_ALLOWED => (
                "MethodNotAllowed",
                format!("The HTTP method '{method}' is not supported for this resource."),
            ),
            StatusCode::NOT_FOUND => ("ResourceNotFound", "Resource not found.".to_string()),
            StatusCode::PAYLOAD_TOO_LARGE => (
                "RequestEntityTooLarge",
                "The request body is too large.".to_string(),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "UnsupportedMediaType",
                "The request content type is not supported; send application/json.".to_string(),
            ),
            s if s.is_client_error() => (
                "BadRequest",
                s.canonical_reason().unwrap_or("Bad request").to_string(),
            ),
            s => (
                "UnknownError",
                s.canonical_reason().unwrap_or("Service error").to_string(),
            ),
        };
        Self::new(status, code, message)
    }

    /// The full response with Graph's body, for a request with these ids.
    pub fn render(&self, request_id: &str, client_request_id: &str) -> Response {
        let date = Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S").to_string();
        let inner = json!({
            "date": date,
            "request-id": request_id,
            "client-request-id": client_request_id,
        });
        let body = json!({
            "error": { "code": self.code, "message": self.message, "innerError": inner }
        });
        let mut resp = (self.status, body.to_string()).into_response();
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(GRAPH_JSON));
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(
                    "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
                ),
            );
        }
        resp.extensions_mut().insert(Rendered);
        resp
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

/// Marks a response whose body already is a finished Graph error.
#[derive(Clone, Copy)]
struct Rendered;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Rendered again by `envelope` with the request's real ids; this body is only a fallback
        // for a router used without the middleware.
        let id = uuid::Uuid::new_v4().to_string();
        let mut resp = self.render(&id, &id);
        resp.extensions_mut().remove::<Rendered>();
        resp.extensions_mut().insert(self);
        resp
    }
}

/// This request's ids, for handlers that want to log or echo them.
#[derive(Debug, Clone)]
pub struct RequestIds {
    /// Our `request-id`, fresh per request.
    pub request_id: String,
    /// The caller's `client-request-id`, or one made up when it sent none (Graph always
    /// answers with one).
    pub client_request_id: String,
}

const REQUEST_ID: &str = "request-id";
const CLIENT_REQUEST_ID: &str = "client-request-id";

fn client_request_id(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(CLIENT_REQUEST_ID)?.to_str().ok()?.trim();
    // Echo only something header-safe and of sane length.
    (!raw.is_empty() && raw.len() <= 128).then(|| raw.to_string())
}

/// Outermost middleware: assigns ids, echoes `client-request-id` (generating one when the caller
/// sent none), and turns every error response (ours or axum's) into Graph's error body.
pub async fn envelope(mut req: Request, next: Next) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let ids = RequestIds {
        client_request_id: client_request_id(req.headers()).unwrap_or_else(|| request_id.clone()),
        request_id,
    };
    let method = req.method().clone();
    req.extensions_mut().insert(ids.clone());
    let resp = next.run(req).await;
    let status = resp.status();
    let mut resp = if let Some(err) = resp.extensions().get::<ApiError>().cloned() {
        rebuild(resp, &err, &ids)
    } else if (status.is_client_error() || status.is_server_error())
        && resp.extensions().get::<Rendered>().is_none()
    {
        let err = ApiError::from_status(status, &method);
        rebuild(resp, &err, &ids)
    } else {
        resp
    };
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&ids.request_id) {
        headers.insert(REQUEST_ID, v);
    }
    if let Ok(cid) = HeaderValue::from_str(&ids.client_request_id) {
        headers.insert(CLIENT_REQUEST_ID, cid);
    }
    headers.insert("odata-version", HeaderValue::from_static("4.0"));
    resp
}

/// Replaces the body, keeping headers such as `Allow` that axum set.
fn rebuild(old: Response, err: &ApiError, ids: &RequestIds) -> Response {
    let (mut parts, _) = old.into_parts();
    let fresh = err.render(&ids.request_id, &ids.client_request_id);
    let (fresh_parts, body) = fresh.into_parts();
    parts.status = fresh_parts.status;
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &fresh_parts.headers {
        parts.headers.insert(name.clone(), value.clone());
    }
    parts.extensions.insert(Rendered);
    Response::from_parts(parts, Body::new(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn render_has_graph_shape() {
        let resp = ApiError::bad_request("nope").render("rid", "cid");
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["error"]["code"], "BadRequest");
        assert_eq!(v["error"]["message"], "nope");
        assert_eq!(v["error"]["innerError"]["request-id"], "rid");
        assert_eq!(v["error"]["innerError"]["client-request-id"], "cid");
        let date = v["error"]["innerError"]["date"].as_str().unwrap();
        assert_eq!(date.len(), 19, "{date}");
    }
}
