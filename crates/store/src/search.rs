//! Full-text search over session names, questions and answers: FTS5, ranked by bm25 (a name
//! match weighs most, then a question, then an answer), equal ranks newest first, each hit with a
//! snippet whose matches are marked.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::query::to_fts;
use crate::{Store, StoreError};

/// Starts a highlighted match inside [`Snippet::text`]'s raw form (a private-use character, removed
/// from indexed text so only the index puts it there).
pub const HIGHLIGHT_START: char = '\u{E000}';
/// Ends a highlighted match.
pub const HIGHLIGHT_END: char = '\u{E001}';

/// Where a hit is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "in", rename_all = "camelCase")]
pub enum HitKind {
    /// The session's name.
    Name,
    /// A question or its answer: the turn's position (0-based) and prompt id.
    #[serde(rename_all = "camelCase")]
    Turn { position: usize, prompt_id: String },
}

/// Text around the match, and where the matched words are in it (byte ranges).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// Splits FTS5's marked snippet into text and highlight ranges.
    pub fn from_marked(marked: &str) -> Self {
        let mut text = String::with_capacity(marked.len());
        let mut highlights = Vec::new();
        let mut open = None;
        for c in marked.chars() {
            match c {
                HIGHLIGHT_START => open = Some(text.len()),
                HIGHLIGHT_END => {
                    if let Some(start) = open.take() {
                        highlights.push((start, text.len()));
                    }
                }
                c => text.push(c),
            }
        }
        Self { text, highlights }
    }

    /// The pieces of the text in order, each with whether it is a match.
    pub fn pieces(&self) -> Vec<(&str, bool)> {
        let mut out = Vec::new();
        let mut at = 0;
        for &(start, end) in &self.highlights {
            if start > at {
                out.push((&self.text[at..start], false));
            }
            out.push((&self.text[start..end], true));
            at = end;
        }
        if at < self.text.len() {
            out.push((&self.text[at..], false));
        }
        out
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Hit {
    pub session_id: String,
    pub session_name: Option<String>,
    /// The session's `lastModifiedDateTime`, as Graph wrote it.
    pub session_modified: Option<String>,
    #[serde(flatten)]
    pub kind: HitKind,
    pub snippet: Snippet,
    /// bm25 score: lower is better.
    pub score: f64,
}

/// Words of context around a match in a snippet.
const SNIPPET_TOKENS: i64 = 16;

impl Store {
    /// The best `limit` matches for what the user typed (see [`crate::to_fts`] for the syntax).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, StoreError> {
        let Some(fts) = to_fts(query) else {
            return Ok(Vec::new());
        };
        let limit = limit.min(i64::MAX as usize) as i64;
        let found = self.with(|conn| {
            // rank first (bm25 needs no stored text), then snippets for the few kept rows only
            let ranked: Vec<(i64, f64)> = {
                let mut stmt = conn.prepare_cached(
                    "SELECT rowid, bm25(search, 4.0, 2.0, 1.0) AS score FROM search
                     WHERE search MATCH ?1 ORDER BY score, at DESC LIMIT ?2",
                )?;
                stmt.query_map(params![fts, limit], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?
            };
            let mut snippet = conn.prepare_cached(
                "SELECT snippet(search, -1, ?3, ?4, '…', ?5) FROM search
                 WHERE search MATCH ?1 AND rowid = ?2",
            )?;
            let mut name_hit = conn
                .prepare_cached("SELECT id, display_name, modified FROM sessions WHERE key = ?1")?;
            let mut turn_hit = conn.prepare_cached(
                "SELECT s.id, s.display_name, s.modified, t.position, t.prompt_id
                 FROM turns t JOIN sessions s ON s.key = t.session_key WHERE t.id = ?1",
            )?;
            let mut hits = Vec::with_capacity(ranked.len());
            for (rowid, score) in ranked {
                let marked: String = snippet.query_row(
                    params![
                        fts,
                        rowid,
                        HIGHLIGHT_START.to_string(),
                        HIGHLIGHT_END.to_string(),
                        SNIPPET_TOKENS
                    ],
                    |r| r.get(0),
                )?;
                let place = if rowid < 0 {
                    name_hit
                        .query_row([-rowid], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?, HitKind::Name))
                        })
                        .optional()?
                } else {
                    turn_hit
                        .query_row([rowid], |r| {
                            Ok((
                                r.get(0)?,
                                r.get(1)?,
                                r.get(2)?,
                                HitKind::Turn {
                                    position: r.get::<_, i64>(3)? as usize,
                                    prompt_id: r.get(4)?,
                                },
                            ))
                        })
                        .optional()?
                };
                if let Some((session_id, session_name, session_modified, kind)) = place {
                    hits.push(Hit {
                        session_id,
                        session_name,
                        session_modified,
                        kind,
                        snippet: Snippet::from_marked(&marked),
                        score,
                    });
                }
            }
            Ok(hits)
        });
        found.map_err(|e| match e {
            StoreError::Sqlite { source, .. } if source.to_string().contains("fts5") => {
                StoreError::Query {
                    query: query.to_string(),
                    reason: source.to_string(),
                }
            }
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_snippets_split_into_text_and_ranges() {
        let s = Snippet::from_marked("run \u{E000}T1059\u{E001}.\u{E000}001\u{E001} now");
        assert_eq!(s.text, "run T1059.001 now");
        assert_eq!(s.highlights, vec![(4, 9), (10, 13)]);
        assert_eq!(
            s.pieces(),
            vec![
                ("run ", false),
                ("T1059", true),
                (".", false),
                ("001", true),
                (" now", false)
            ]
        );
    }
}
