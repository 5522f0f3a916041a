//! The CLI's side of [`sctui_app::hints`]: an empty or path-like id is a usage error (exit 2) before
//! any request.

pub use sctui_app::hints::*;

use super::RunError;

/// Refuses an id that would turn the request into another one: empty (`sessions get ''` would
/// fetch the list), `.`/`..` (a PATCH on the collection), or holding `/`, `?`, `#`, `\` or a
/// control character ([`sctui_graph::ids::check`]). A usage error (exit 2), before any request.
pub fn check_id(what: &str, id: &str) -> Result<(), RunError> {
    // The client's own rule (it refuses such ids too): checked here first so the message names
    // the argument.
    sctui_graph::ids::check(id).map_err(|problem| {
        RunError::Usage(format!(
            "{what} {problem} (got {:?})",
            sctui_app::sanitize::sanitize_line(id)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_like_and_empty_ids_are_usage_errors() {
        for bad in [
            "",
            "  ",
            ".",
            "..",
            "a/b",
            "x?y",
            "x#y",
            "a\\b",
            "a\nb",
            "a\u{1b}[2J",
        ] {
            let err = check_id("session id", bad).unwrap_err();
            assert_eq!(err.exit_code(), crate::cli::exit::USAGE, "{bad:?}");
            assert!(err.to_string().starts_with("session id cannot"), "{err}");
            assert!(!err.to_string().contains('\u{1b}'), "{err}");
        }
        for good in [
            "5f0c1a2b-0000-4000-8000-000000000006",
            "default",
            "a.b",
            "...x",
        ] {
            assert!(check_id("session id", good).is_ok(), "{good:?}");
        }
    }
}
