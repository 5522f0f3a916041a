//! Full-text search over session names, questions and answers: FTS5, ranked by bm25 (a name
//! match weighs most, then a question, then an answer), equal ranks newest first, each hit with a
//! snippet whose matches are marked.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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

    /// The snippet back in its marked form (what [`Snippet::from_marked`] reads), so a caller can
    /// clean the whole text and cut it again.
    pub fn marked(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 2 * self.highlights.len() * 3);
        for (piece, matched) in self.pieces() {
            if matched {
                out.push(HIGHLIGHT_START);
                out.push_str(piece);
                out.push(HIGHLIGHT_END);
            } else {
                out.push_str(piece);
            }
        }
        out
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

/// How long a search may run, and a way to stop it sooner: SQLite checks both every few
/// thousand steps, so a search never holds its caller past the budget (plus one step).
#[derive(Debug, Clone)]
pub struct SearchBudget {
    /// The most time the search may take.
    pub time: Duration,
    /// Stops it at once from another thread (a newer keystroke, Ctrl-C, quitting).
    pub cancel: CancelSearch,
}

impl SearchBudget {
    /// A budget of `time`, with a fresh [`CancelSearch`].
    pub fn new(time: Duration) -> Self {
        Self {
            time,
            cancel: CancelSearch::default(),
        }
    }
}

/// Stops a running search from another thread; cheap to clone (all clones stop the same one).
#[derive(Debug, Clone, Default)]
pub struct CancelSearch(Arc<AtomicBool>);

impl CancelSearch {
    /// Stops the search: it ends with [`StoreError::SearchCancelled`] within a few steps.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`CancelSearch::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The budget of a search that does not say: the CLI's default.
pub const DEFAULT_SEARCH_TIME: Duration = Duration::from_secs(5);

/// How many SQLite steps run between two looks at the budget (a few microseconds' work).
const STEPS_BETWEEN_CHECKS: i32 = 1000;

impl Store {
    /// The best `limit` matches for what the user typed (see [`crate::to_fts`] for the syntax),
    /// within [`DEFAULT_SEARCH_TIME`].
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, StoreError> {
        self.search_within(query, limit, &SearchBudget::new(DEFAULT_SEARCH_TIME))
    }

    /// [`Store::search`] within `budget`: ranking and finding the hits must end within it (else
    /// [`StoreError::SearchTimedOut`]); snippets are made while time is left, and a hit found
    /// after that has an empty one. A cancelled search ends with [`StoreError::SearchCancelled`].
    ///
    /// Searches run on their own read-only connection, so they never wait behind a write (nor
    /// hold one up) and stopping one can never touch a write.
    pub fn search_within(
        &self,
        query: &str,
        limit: usize,
        budget: &SearchBudget,
    ) -> Result<Vec<Hit>, StoreError> {
        let Some(fts) = to_fts(query).map_err(|reason| StoreError::Query {
            query: query.to_string(),
            reason: reason.to_string(),
        })?
        else {
            return Ok(Vec::new());
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        // SQLite looks at the budget every few thousand steps: a small search may never look
        if budget.cancel.is_cancelled() {
            return Err(StoreError::SearchCancelled);
        }
        let deadline = Instant::now() + budget.time;
        let cancel = budget.cancel.clone();
        let found = self.with_searcher(|conn| {
            conn.progress_handler(
                STEPS_BETWEEN_CHECKS,
                Some(move || cancel.is_cancelled() || Instant::now() >= deadline),
            )?;
            let found = find(conn, &fts, limit, &budget.cancel);
            conn.progress_handler(0, None::<fn() -> bool>)?;
            found
        });
        found.map_err(|e| match e {
            StoreError::Sqlite { source, .. } if interrupted(&source) => {
                if budget.cancel.is_cancelled() {
                    StoreError::SearchCancelled
                } else {
                    StoreError::SearchTimedOut {
                        budget: budget.time,
                    }
                }
            }
            StoreError::Sqlite { source, .. } if source.to_string().contains("fts5") => {
                StoreError::Query {
                    query: query.to_string(),
                    reason: crate::query::worded(&source.to_string()),
                }
            }
            other => other,
        })
    }
}

fn interrupted(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted)
}

/// Ranks, places and snippets the best `limit` rows for `fts`; snippets stop (empty from then
/// on) when the budget runs out, everything else fails with the interruption.
fn find(
    conn: &Connection,
    fts: &str,
    limit: usize,
    cancel: &CancelSearch,
) -> rusqlite::Result<Vec<Hit>> {
    // rank first (no stored text read), then places and snippets for the few kept rows only
    let ranked = best(conn, fts, limit)?;
    let mut name_hit =
        conn.prepare_cached("SELECT id, display_name, modified FROM sessions WHERE key = ?1")?;
    let mut turn_hit = conn.prepare_cached(
        "SELECT s.id, s.display_name, s.modified, t.position, t.prompt_id
         FROM turns t JOIN sessions s ON s.key = t.session_key WHERE t.id = ?1",
    )?;
    let mut placed = Vec::with_capacity(ranked.len());
    for (rowid, score) in ranked {
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
        if let Some(place) = place {
            placed.push((rowid, score, place));
        }
    }
    let mut snippet = conn.prepare_cached(
        "SELECT sctui_snippet(search) FROM search WHERE search MATCH ?1 AND rowid = ?2",
    )?;
    let mut out_of_time = false;
    let mut hits = Vec::with_capacity(placed.len());
    for (rowid, score, (session_id, session_name, session_modified, kind)) in placed {
        let marked: String = if out_of_time {
            String::new()
        } else {
            match snippet.query_row(params![fts, rowid], |r| r.get(0)) {
                Ok(marked) => marked,
                // out of time: the hits are still worth showing; cancelled: no one wants them
                Err(e) if interrupted(&e) && !cancel.is_cancelled() => {
                    out_of_time = true;
                    String::new()
                }
                Err(e) => return Err(e),
            }
        };
        hits.push(Hit {
            session_id,
            session_name,
            session_modified,
            kind,
            snippet: Snippet::from_marked(&marked),
            score,
        });
    }
    Ok(hits)
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
            let fts = to_fts(query).unwrap().unwrap();
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
