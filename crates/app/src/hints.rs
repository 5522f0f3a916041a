//! Errors that point the way out, shared by the CLI and the TUI: which ids would change a URL's
//! meaning, and the hint for a failure whose likely cause is known (a workspace that does not
//! exist, a Graph URL without its version path).

use url::Url;

use sctui_graph::GraphError;

/// What is wrong with `id` as one segment of a Graph URL, if anything (the CLI and the
/// workspace picker refuse the same ids).
pub fn id_problem(id: &str) -> Option<&'static str> {
    if id.trim().is_empty() {
        Some("cannot be empty")
    } else if id == "." || id == ".." {
        Some("cannot be `.` or `..`")
    } else if id.contains(['/', '?', '#', '\\']) {
        Some("cannot contain `/`, `?`, `#` or `\\`")
    } else if id.chars().any(char::is_control) {
        Some("cannot contain control characters")
    } else {
        None
    }
}

/// Whether the last segment of a Graph URL's path names an API version (`beta`, `v1.0`).
fn has_version_path(url: &Url) -> bool {
    url.path_segments()
        .and_then(|mut segments| segments.rfind(|s| !s.is_empty()))
        .is_some_and(|last| {
            last.eq_ignore_ascii_case("beta")
                || (last.starts_with(['v', 'V'])
                    && last[1..].starts_with(|c: char| c.is_ascii_digit()))
        })
}

/// "the Graph URL … has no version path; Security Copilot is under /beta: try …/beta", when the
/// URL parses and its path does not end in a version.
pub fn version_hint(graph_url: &str) -> Option<String> {
    let url = Url::parse(graph_url).ok()?;
    if has_version_path(&url) {
        return None;
    }
    let suggestion = format!("{}/beta", graph_url.trim_end_matches('/'));
    Some(format!(
        "the Graph URL {graph_url} has no version in its path; Security Copilot's API is under \
         /beta: try --graph-url {suggestion}"
    ))
}

/// What to try after `error`, if anything: a 404 with a Graph URL that lacks a version path
/// points at the URL; a 404 on a workspace (or on a listing, which only names the workspace)
/// points at the workspace and `w`.
pub fn after_error(
    error: &GraphError,
    graph_url: &str,
    workspace: &str,
    listing: bool,
) -> Option<String> {
    let GraphError::Api(api) = error else {
        return None;
    };
    if api.status != 404 {
        return None;
    }
    if let Some(hint) = version_hint(graph_url) {
        return Some(hint);
    }
    let about_workspace = listing || api.message.to_ascii_lowercase().contains("workspace");
    about_workspace.then(|| workspace_hint(workspace))
}

/// The way out of a workspace that does not exist.
pub fn workspace_hint(workspace: &str) -> String {
    format!(
        "is the workspace {:?} right? Pick one with `w` in the TUI, or pass --workspace ID",
        crate::sanitize::sanitize_line(workspace)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sctui_graph::error::ApiError;

    #[test]
    fn a_graph_url_without_a_version_gets_a_hint() {
        assert_eq!(version_hint("https://graph.microsoft.com/beta"), None);
        assert_eq!(version_hint("https://graph.microsoft.com/beta/"), None);
        assert_eq!(version_hint("https://graph.microsoft.com/v1.0"), None);
        assert_eq!(version_hint("http://127.0.0.1:8080/proxy/beta"), None);
        let hint = version_hint("http://127.0.0.1:8080").unwrap();
        assert!(
            hint.contains("try --graph-url http://127.0.0.1:8080/beta"),
            "{hint}"
        );
        assert!(version_hint("https://graph.microsoft.com/").is_some());
        assert_eq!(version_hint("not a url"), None);
    }

    fn not_found(message: &str) -> GraphError {
        let body = serde_json::json!({"error": {"code": "itemNotFound", "message": message}});
        ApiError::from_response(404, body.to_string().as_bytes(), None).into()
    }

    #[test]
    fn a_404_points_at_the_workspace_or_the_url() {
        let beta = "http://127.0.0.1:1/beta";
        let hint = after_error(
            &not_found("Workspace 'nope' was not found."),
            beta,
            "nope",
            false,
        )
        .unwrap();
        assert!(hint.contains("\"nope\"") && hint.contains("`w`"), "{hint}");
        assert!(after_error(&not_found("gone"), beta, "nope", true).is_some());
        assert_eq!(
            after_error(
                &not_found("Session 'x' was not found."),
                beta,
                "default",
                false
            ),
            None
        );
        let hint = after_error(&not_found("x"), "http://127.0.0.1:1", "default", false).unwrap();
        assert!(hint.contains("/beta"), "{hint}");
        let throttled = ApiError::from_response(429, b"", None).into();
        assert_eq!(
            after_error(&throttled, "http://127.0.0.1:1", "d", true),
            None
        );
    }
}
