//! Full-text search over session names, questions and answers: FTS5, ranked by bm25 (a name
//! match weighs most, then a question, then an answer), equal ranks newest first, each hit with a
//! snippet whose matches are marked.

use rusqlite::{Connection, OptionalExtension, params};
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

/// The column weights of the ranking: a name match weighs most, then a question, then an answer.
const RANK: &str = "sctui_rank(search, ?2, 4.0, 2.0, 1.0)";

/// The best `limit` rows for `fts` as (rowid, bm25), ranked by bm25 then recency (`at`, newest
/// first; then the newest row).
///
/// Only the best `k` rows are asked for (`sctui_rank` skips rows that cannot make them, and no
/// row's stored text is read). When rows beyond the `limit`-th tie with it, `k` grows until the
/// whole tie is in; recency is read only for rows that tie, so a search reads no more than a few
/// rows of text whatever the query matches.
fn best(conn: &Connection, fts: &str, limit: usize) -> rusqlite::Result<Vec<(i64, f64)>> {
    let limit = limit.min(i64::MAX as usize / 2);
    if limit == 0 {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT rowid, {RANK} AS score FROM search WHERE search MATCH ?1
         ORDER BY score LIMIT ?2"
    ))?;
    let mut k = limit + 1;
    let rows = loop {
        let rows: Vec<(i64, f64)> = stmt
            .query_map(params![fts, k as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
            .filter(|row| {
                row.as_ref()
                    .map_or(true, |(_, score)| f64::is_finite(*score))
            })
            .collect::<rusqlite::Result<_>>()?;
        let tie_goes_on = rows.len() == k && rows[limit - 1].1 == rows[k - 1].1;
        if !tie_goes_on || k >= i64::MAX as usize / 2 {
            break rows;
        }
        k = k.saturating_mul(2).min(i64::MAX as usize / 2);
    };
    let Some(&(_, bar)) = rows.get(limit - 1).or(rows.last()) else {
        return Ok(rows);
    };
    let mut rows: Vec<(i64, f64, Option<i64>)> = rows
        .into_iter()
        .filter(|(_, score)| *score <= bar)
        .map(|(rowid, score)| (rowid, score, None))
        .collect();
    let tied: Vec<bool> = (0..rows.len())
        .map(|i| {
            (i > 0 && rows[i - 1].1 == rows[i].1)
                || rows.get(i + 1).is_some_and(|n| n.1 == rows[i].1)
        })
        .collect();
    if tied.contains(&true) {
        let mut at = conn.prepare_cached("SELECT at FROM search WHERE rowid = ?1")?;
        for (row, tied) in rows.iter_mut().zip(tied) {
            if tied {
                row.2 = at.query_row([row.0], |r| r.get(0)).optional()?.flatten();
            }
        }
    }
    // bm25, then newest first (unknown times last), then the newest row
    rows.sort_by(|a, b| {
        a.1.total_cmp(&b.1)
            .then_with(|| b.2.is_some().cmp(&a.2.is_some()))
            .then_with(|| b.2.cmp(&a.2))
            .then_with(|| b.0.cmp(&a.0))
    });
    rows.truncate(limit);
    Ok(rows
        .into_iter()
        .map(|(rowid, score, _)| (rowid, score))
        .collect())
}

impl Store {
    /// The best `limit` matches for what the user typed (see [`crate::to_fts`] for the syntax).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, StoreError> {
        let Some(fts) = to_fts(query) else {
            return Ok(Vec::new());
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        let found = self.with(|conn| {
            // rank first (no stored text read), then snippets for the few kept rows only
            let ranked = best(conn, &fts, limit)?;
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

    /// A store with few words, so common words, equal texts (equal bm25) and unknown times abound.
    fn crowded() -> (tempfile::TempDir, Store) {
        use crate::{SessionRecord, TurnRecord};
        const WORDS: &[&str] = &[
            "phishing",
            "alert",
            "mailbox",
            "token",
            "the",
            "a",
            "of",
            "kql",
            "T1059.001",
            "user",
        ];
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).unwrap().store;
        let mut state = 7u64;
        let mut text = |words: usize| {
            (0..words)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    WORDS[(state >> 33) as usize % WORDS.len()]
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let now = jiff::Timestamp::now();
        for i in 0..150 {
            let id = format!("s{i}");
            // a few names repeat exactly: equal scores
            let name = if i % 5 == 0 {
                "phishing alert".into()
            } else {
                text(3)
            };
            let session = SessionRecord {
                id: id.clone(),
                display_name: Some(name),
                created: None,
                modified: (i % 3 != 0).then(|| format!("2026-01-{:02}T00:00:00Z", 1 + i % 28)),
            };
            store.put_sessions(&[session], now).unwrap();
            let turns: Vec<TurnRecord> = (0..3)
                .map(|t| TurnRecord {
                    prompt_id: format!("p{t}"),
                    prompt_json: "{}".into(),
                    evaluation_json: None,
                    // the same question in many sessions: equal scores
                    question: Some(if t == 0 {
                        "summarize the phishing alert".into()
                    } else {
                        text(4)
                    }),
                    answer: Some(text(20 + (i * 7 + t * 13) % 60)),
                    asked: (t != 1).then(|| {
                        jiff::Timestamp::from_second(1_700_000_000 + (i as i64 % 17) * 3600)
                            .unwrap()
                    }),
                })
                .collect();
            store
                .put_conversation(&id, None, &turns, true, now)
                .unwrap();
        }
        (dir, store)
    }

    /// `best` gives exactly what ranking every match with FTS5's `bm25()` gives: same rows, same
    /// order (bm25, then newest, then newest row) and bit-for-bit the same scores.
    #[test]
    fn best_rows_equal_ranking_every_match_with_bm25() {
        let (_dir, store) = crowded();
        let queries = [
            "phishing",
            "the",
            "a",
            "T1059.001",
            "\"phishing alert\"",
            "summarize",
            "kql* OR mailbox",
            "the NOT token",
            "user token",
            "nothing-here",
        ];
        for query in queries {
            let fts = to_fts(query).unwrap();
            for limit in [1, 2, 3, 7, 20, 64, 1000] {
                store
                    .with(|conn| {
                        let reference: Vec<(i64, f64)> = conn
                            .prepare(
                                "SELECT rowid, bm25(search, 4.0, 2.0, 1.0) AS score FROM search
                                 WHERE search MATCH ?1
                                 ORDER BY score, at DESC NULLS LAST, rowid DESC LIMIT ?2",
                            )?
                            .query_map(params![fts, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
                            .collect::<rusqlite::Result<_>>()?;
                        let got = best(conn, &fts, limit)?;
                        assert_eq!(got.len(), reference.len(), "{query} limit {limit}");
                        for (g, r) in got.iter().zip(&reference) {
                            assert_eq!(g.0, r.0, "{query} limit {limit}: {got:?}\n{reference:?}");
                            assert_eq!(g.1.to_bits(), r.1.to_bits(), "{query} limit {limit}");
                        }
                        Ok(())
                    })
                    .unwrap();
            }
        }
    }
}
