//! `sctui_rank(search, k, weights…)`: FTS5's bm25, computed exactly for the rows that can still be
//! among the best `k`, and skipped for the rest.
//!
//! Why: FTS5's own `bm25()` looks up every matching row's length (one B-tree search per row) and
//! walks every match of every row. A word found in nearly every answer matches tens of thousands
//! of rows, and ranking them all took most of a search's time (286 ms over 10,000
//! conversations when recency was also read per row, still ~25 ms with bm25 alone). Here each
//! row's phrase frequencies are counted from its position lists (cheap, no lookup); the row's
//! length is at least where its last match ends, which gives the best score the row could reach.
//! When that is still worse than the `k`-th best score seen so far, the row cannot make the top
//! `k` (nor tie with it), so its length is never looked up and it scores `+∞`. Rows that can make
//! it get the exact bm25: the same formula, constants and order of operations as FTS5's
//! `bm25()`, so the scores are bit-for-bit equal (a test checks it).
//!
//! The first argument `k` is how many best rows the caller keeps (`ORDER BY score LIMIT k`); the
//! others weigh the columns like `bm25()`'s (1.0 when left out). The state (the `k` best scores
//! so far, the IDF of each phrase) lives in FTS5's per-query aux data, so every query starts
//! afresh.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::ffi::{c_int, c_void};
use std::ptr;

use rusqlite::Connection;
use rusqlite::ffi;

/// bm25's constants, as FTS5 has them.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Registers `sctui_rank` on `conn` (once per connection, when the store is opened).
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let api = fts5_api(conn)?;
    // SAFETY: `api` is the live FTS5 API of this connection (checked non-null); the name is a
    // NUL-terminated literal, `rank` has the signature FTS5 calls, and no user data is passed.
    let rc = unsafe {
        match (*api).xCreateFunction {
            Some(create) => create(
                api,
                c"sctui_rank".as_ptr(),
                ptr::null_mut(),
                Some(rank),
                None,
            ),
            None => ffi::SQLITE_MISUSE,
        }
    };
    check(rc, "could not register sctui_rank")
}

/// The connection's `fts5_api`, the documented way: `SELECT fts5(?1)` with a pointer bound.
pub(crate) fn fts5_api(conn: &Connection) -> rusqlite::Result<*mut ffi::fts5_api> {
    let mut api: *mut ffi::fts5_api = ptr::null_mut();
    // SAFETY: the handle is valid while `conn` is borrowed; the statement is finalized before
    // returning; `api` outlives the statement, and FTS5 writes one pointer into it.
    let rc = unsafe {
        let db = conn.handle();
        let mut stmt: *mut ffi::sqlite3_stmt = ptr::null_mut();
        let mut rc = ffi::sqlite3_prepare_v2(
            db,
            c"SELECT fts5(?1)".as_ptr(),
            -1,
            &mut stmt,
            ptr::null_mut(),
        );
        if rc == ffi::SQLITE_OK {
            rc = ffi::sqlite3_bind_pointer(
                stmt,
                1,
                (&mut api as *mut *mut ffi::fts5_api).cast::<c_void>(),
                c"fts5_api_ptr".as_ptr(),
                None,
            );
        }
        if rc == ffi::SQLITE_OK {
            rc = ffi::sqlite3_step(stmt);
            if rc == ffi::SQLITE_ROW || rc == ffi::SQLITE_DONE {
                rc = ffi::SQLITE_OK;
            }
        }
        ffi::sqlite3_finalize(stmt);
        rc
    };
    check(rc, "FTS5 is not available")?;
    if api.is_null() {
        return Err(failure(ffi::SQLITE_ERROR, "FTS5 is not available"));
    }
    Ok(api)
}

pub(crate) fn check(rc: c_int, what: &str) -> rusqlite::Result<()> {
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(failure(rc, what))
    }
}

fn failure(rc: c_int, what: &str) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), Some(what.to_string()))
}

/// A score in the heap of the best ones: ordered so the worst (highest) is on top.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Score(f64);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// One query's state, kept as FTS5 aux data (freed by FTS5 when the query ends).
struct Query {
    /// How many best rows to keep.
    k: usize,
    /// The best `k` scores so far; the top is the worst of them.
    best: BinaryHeap<Score>,
    /// Column weights (`bm25()`'s trailing arguments).
    weights: Vec<f64>,
    idf: Vec<f64>,
    avgdl: f64,
    phrase_sizes: Vec<c_int>,
    /// Per row, reused: weighted frequency of each phrase, and where each column's last match ends.
    freq: Vec<f64>,
    ends: Vec<i64>,
    /// The last row scored, and its score: a second call for the same row (the planner may
    /// evaluate the expression twice) must not count it twice.
    last: Option<(i64, Option<f64>)>,
}

impl Query {
    /// Reads `k`, the weights and the collection statistics (rows, average length, each phrase's
    /// document count, as FTS5's `bm25()` does).
    ///
    /// # Safety
    /// `api` and `fts` are the pointers FTS5 passed to the function; `vals` holds `n` values.
    unsafe fn new(
        api: &ffi::Fts5ExtensionApi,
        fts: *mut ffi::Fts5Context,
        n: c_int,
        vals: *mut *mut ffi::sqlite3_value,
    ) -> Result<Self, c_int> {
        // SAFETY: per the function's contract.
        unsafe {
            let args: Vec<*mut ffi::sqlite3_value> = if n > 0 && !vals.is_null() {
                std::slice::from_raw_parts(vals, n as usize).to_vec()
            } else {
                Vec::new()
            };
            let k = args
                .first()
                .map(|v| ffi::sqlite3_value_int64(*v))
                .unwrap_or(0)
                .max(0);
            let weights = args[args.len().min(1)..]
                .iter()
                .map(|v| ffi::sqlite3_value_double(*v))
                .collect();
            let mut rows: i64 = 0;
            ok(call(api.xRowCount)?(fts, &mut rows))?;
            let mut tokens: i64 = 0;
            ok(call(api.xColumnTotalSize)?(fts, -1, &mut tokens))?;
            let avgdl = tokens as f64 / rows as f64;
            let phrases = call(api.xPhraseCount)?(fts).max(0);
            let mut idf = Vec::with_capacity(phrases as usize);
            let mut phrase_sizes = Vec::with_capacity(phrases as usize);
            for phrase in 0..phrases {
                let mut hits: i64 = 0;
                ok(call(api.xQueryPhrase)?(
                    fts,
                    phrase,
                    (&mut hits as *mut i64).cast::<c_void>(),
                    Some(count_row),
                ))?;
                let value = (((rows - hits) as f64 + 0.5) / (hits as f64 + 0.5)).ln();
                idf.push(if value <= 0.0 { 1e-6 } else { value });
                phrase_sizes.push(call(api.xPhraseSize)?(fts, phrase));
            }
            let columns = call(api.xColumnCount)?(fts).max(0) as usize;
            Ok(Self {
                k: usize::try_from(k).unwrap_or(usize::MAX),
                best: BinaryHeap::new(),
                weights,
                idf,
                avgdl,
                freq: vec![0.0; phrase_sizes.len()],
                phrase_sizes,
                ends: vec![0; columns],
                last: None,
            })
        }
    }

    /// FTS5's bm25 for a row of `length` tokens with the frequencies in `self.freq`.
    fn bm25(&self, length: f64) -> f64 {
        let mut score = 0.0;
        for (idf, freq) in self.idf.iter().zip(&self.freq) {
            score +=
                idf * ((freq * (K1 + 1.0)) / (freq + K1 * (1.0 - B + B * length / self.avgdl)));
        }
        -score
    }

    /// The worst score still among the best `k`, once there are `k`.
    fn bar(&self) -> Option<f64> {
        (self.best.len() >= self.k).then(|| self.best.peek().map_or(f64::NEG_INFINITY, |s| s.0))
    }

    fn keep(&mut self, score: f64) {
        if self.k == 0 {
            return;
        }
        if self.best.len() < self.k {
            self.best.push(Score(score));
        } else if self.best.peek().is_some_and(|worst| score < worst.0) {
            self.best.pop();
            self.best.push(Score(score));
        }
    }

    /// The current row's score, or `None` when it cannot be among the best `k`.
    ///
    /// # Safety
    /// `api` and `fts` are the pointers FTS5 passed to the function.
    unsafe fn score(
        &mut self,
        api: &ffi::Fts5ExtensionApi,
        fts: *mut ffi::Fts5Context,
    ) -> Result<Option<f64>, c_int> {
        // SAFETY: per the function's contract; the iterator is FTS5's own, used on this row only.
        unsafe {
            let rowid = call(api.xRowid)?(fts);
            if let Some((last, score)) = self.last
                && last == rowid
            {
                return Ok(score);
            }
            self.ends.iter_mut().for_each(|end| *end = 0);
            let first = call(api.xPhraseFirst)?;
            let next = call(api.xPhraseNext)?;
            for phrase in 0..self.freq.len() {
                let size = i64::from(self.phrase_sizes[phrase]);
                let mut freq = 0.0;
                let mut iter = ffi::Fts5PhraseIter {
                    a: ptr::null(),
                    b: ptr::null(),
                };
                let (mut column, mut offset): (c_int, c_int) = (0, 0);
                ok(first(
                    fts,
                    phrase as c_int,
                    &mut iter,
                    &mut column,
                    &mut offset,
                ))?;
                while column >= 0 {
                    let index = column as usize;
                    freq += self.weights.get(index).copied().unwrap_or(1.0);
                    if let Some(end) = self.ends.get_mut(index) {
                        *end = (*end).max(i64::from(offset) + size);
                    }
                    next(fts, &mut iter, &mut column, &mut offset);
                }
                self.freq[phrase] = freq;
            }
            let score = match self.bar() {
                // the row is at least as long as where its last match ends: its best case
                Some(bar) if self.bm25(self.ends.iter().sum::<i64>() as f64) > bar => None,
                _ => {
                    let mut length: c_int = 0;
                    ok(call(api.xColumnSize)?(fts, -1, &mut length))?;
                    let score = self.bm25(f64::from(length));
                    self.keep(score);
                    Some(score)
                }
            };
            self.last = Some((rowid, score));
            Ok(score)
        }
    }
}

pub(crate) fn call<T>(f: Option<T>) -> Result<T, c_int> {
    f.ok_or(ffi::SQLITE_MISUSE)
}

pub(crate) fn ok(rc: c_int) -> Result<(), c_int> {
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rc)
    }
}

/// Counts rows for `xQueryPhrase` (a phrase's document count, for its IDF).
unsafe extern "C" fn count_row(
    _api: *const ffi::Fts5ExtensionApi,
    _fts: *mut ffi::Fts5Context,
    user: *mut c_void,
) -> c_int {
    // SAFETY: `user` is the `i64` counter `Query::new` passed, alive for the call.
    unsafe { *user.cast::<i64>() += 1 };
    ffi::SQLITE_OK
}

/// Frees a [`Query`] (FTS5 calls it when the query's cursor ends).
unsafe extern "C" fn drop_query(query: *mut c_void) {
    if !query.is_null() {
        // SAFETY: made by `Box::into_raw` in `rank`, and freed only here, once.
        drop(unsafe { Box::from_raw(query.cast::<Query>()) });
    }
}

/// The function FTS5 calls for each row.
unsafe extern "C" fn rank(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    ctx: *mut ffi::sqlite3_context,
    n: c_int,
    vals: *mut *mut ffi::sqlite3_value,
) {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: FTS5 passes a valid API, context and `n` values for this row.
        unsafe { score_row(api, fts, n, vals) }
    }));
    // SAFETY: `ctx` is this call's result context.
    unsafe {
        match result {
            Ok(Ok(Some(score))) => ffi::sqlite3_result_double(ctx, score),
            Ok(Ok(None)) => ffi::sqlite3_result_double(ctx, f64::INFINITY),
            Ok(Err(rc)) => ffi::sqlite3_result_error_code(ctx, rc),
            Err(_) => ffi::sqlite3_result_error(ctx, c"sctui_rank failed".as_ptr(), -1),
        }
    }
}

/// # Safety
/// As [`rank`].
unsafe fn score_row(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    n: c_int,
    vals: *mut *mut ffi::sqlite3_value,
) -> Result<Option<f64>, c_int> {
    // SAFETY: per the function's contract; the aux data is only ever a `Query` set here.
    unsafe {
        let api = api.as_ref().ok_or(ffi::SQLITE_MISUSE)?;
        let mut query = call(api.xGetAuxdata)?(fts, 0).cast::<Query>();
        if query.is_null() {
            let set = call(api.xSetAuxdata)?;
            let fresh = Box::into_raw(Box::new(Query::new(api, fts, n, vals)?));
            // on failure FTS5 has already freed it with `drop_query`
            ok(set(fts, fresh.cast::<c_void>(), Some(drop_query)))?;
            query = fresh;
        }
        (*query).score(api, fts)
    }
}
