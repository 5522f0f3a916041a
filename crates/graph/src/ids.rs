//! Ids in URLs: every id (workspace, session, prompt, evaluation) becomes exactly one path
//! segment. An id that would change what the URL means (empty, `.`, `..`, holding `/`, `?`, `#`
//! or a control character) is refused before any request; every other id is percent-encoded.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but the unreserved characters of RFC 3986 is encoded in a segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Why an id cannot be used in a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdProblem {
    Empty,
    Dots,
    PathCharacter(char),
    Control,
}

impl std::fmt::Display for IdProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("cannot be empty"),
            Self::Dots => f.write_str("cannot be `.` or `..`"),
            Self::PathCharacter(c) => write!(f, "cannot contain {c:?}"),
            Self::Control => f.write_str("cannot contain control characters"),
        }
    }
}

/// Checks that `id` can stand as one path segment meaning just itself.
pub fn check(id: &str) -> Result<(), IdProblem> {
    if id.trim().is_empty() {
        return Err(IdProblem::Empty);
    }
    if id == "." || id == ".." {
        return Err(IdProblem::Dots);
    }
    if let Some(c) = id.chars().find(|c| matches!(c, '/' | '?' | '#' | '\\')) {
        return Err(IdProblem::PathCharacter(c));
    }
    if id.chars().any(char::is_control) {
        return Err(IdProblem::Control);
    }
    Ok(())
}

/// `id` percent-encoded as a path segment (call [`check`] first).
pub fn encode(id: &str) -> String {
    utf8_percent_encode(id, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_like_ids_are_refused() {
        assert_eq!(check(""), Err(IdProblem::Empty));
        assert_eq!(check("  "), Err(IdProblem::Empty));
        assert_eq!(check("."), Err(IdProblem::Dots));
        assert_eq!(check(".."), Err(IdProblem::Dots));
        assert_eq!(check("a/b"), Err(IdProblem::PathCharacter('/')));
        assert_eq!(check("a?b"), Err(IdProblem::PathCharacter('?')));
        assert_eq!(check("a#b"), Err(IdProblem::PathCharacter('#')));
        assert_eq!(check("a\nrm -rf ~"), Err(IdProblem::Control));
        assert_eq!(check("a\u{9b}b"), Err(IdProblem::Control));
        assert!(check("8e95c36e-c9bd-4d2a-9a4b-0f1e2d3c4b5a").is_ok());
        assert!(check("...").is_ok());
    }

    #[test]
    fn ids_are_encoded_as_one_segment() {
        assert_eq!(encode("a b%2Fc:d@e+f"), "a%20b%252Fc%3Ad%40e%2Bf");
        assert_eq!(encode("8e95c36e-c9bd_x.y~z"), "8e95c36e-c9bd_x.y~z");
        assert_eq!(encode("東"), "%E6%9D%B1");
    }
}
