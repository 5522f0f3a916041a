//! `sctui_snippet(search)`: the text around a row's first match, with every match inside it
//! marked, found in time that grows with where the first match is, never with how many there are.
//!
//! Why not FTS5's `snippet()`: it scores every window of the row against every match to pick the
//! best one, so its cost grows with the square of the row's matches (an 8 MiB answer that repeats
//! one word a million times kept a search busy for minutes). Here the first match is found from
//! each phrase's first instance (FTS5 keeps them in column and position order), the column is
//! tokenized with the table's own tokenizer only up to the end of the window (so token positions
//! and byte offsets agree with the index exactly), and only the instances inside the window are
//! walked. Whitespace runs become one space (a snippet is one line); the window is also cut to a
//! bounded number of bytes, so one enormous token (a base64 blob) cannot make it long.

use std::ffi::{c_char, c_int, c_void};
use std::ptr;

use rusqlite::Connection;
use rusqlite::ffi;

use crate::rank::{call, check, fts5_api, ok};
use crate::search::{HIGHLIGHT_END, HIGHLIGHT_START};

/// Tokens shown before the first match.
const TOKENS_BEFORE: i64 = 5;
/// Tokens in the whole window (at least the first match's own).
const WINDOW_TOKENS: i64 = 16;
/// The most bytes kept before the first match, and after its end.
const MAX_BYTES_BEFORE: usize = 100;
const MAX_BYTES_AFTER: usize = 200;
/// The most bytes of one match kept (a single token can be a megabyte of base64).
const MAX_MATCH_BYTES: usize = 120;

/// Registers `sctui_snippet` on `conn` (once per connection that searches).
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let api = fts5_api(conn)?;
    // SAFETY: as in `rank::register`: the live FTS5 API, a NUL-terminated name, a function with
    // the signature FTS5 calls, no user data.
    let rc = unsafe {
        match (*api).xCreateFunction {
            Some(create) => create(
                api,
                c"sctui_snippet".as_ptr(),
                ptr::null_mut(),
                Some(snippet),
                None,
            ),
            None => ffi::SQLITE_MISUSE,
        }
    };
    check(rc, "could not register sctui_snippet")
}

/// The function FTS5 calls for each row.
unsafe extern "C" fn snippet(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    ctx: *mut ffi::sqlite3_context,
    _n: c_int,
    _vals: *mut *mut ffi::sqlite3_value,
) {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: FTS5 passes a valid API and context for this row.
        unsafe { snippet_of_row(api, fts) }
    }));
    // SAFETY: `ctx` is this call's result context; the text is copied (SQLITE_TRANSIENT).
    unsafe {
        match result {
            Ok(Ok(text)) => ffi::sqlite3_result_text(
                ctx,
                text.as_ptr().cast::<c_char>(),
                c_int::try_from(text.len()).unwrap_or(0),
                ffi::SQLITE_TRANSIENT(),
            ),
            Ok(Err(rc)) => ffi::sqlite3_result_error_code(ctx, rc),
            Err(_) => ffi::sqlite3_result_error(ctx, c"sctui_snippet failed".as_ptr(), -1),
        }
    }
}

/// A match: its column, first token and number of tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Instance {
    column: c_int,
    offset: i64,
    size: i64,
}

/// # Safety
/// As [`snippet`].
unsafe fn snippet_of_row(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
) -> Result<String, c_int> {
    // SAFETY: per the function's contract; phrase iterators are FTS5's own, for this row only;
    // the column text lives until the next call on this row, and is copied out before that.
    unsafe {
        let api = api.as_ref().ok_or(ffi::SQLITE_MISUSE)?;
        let phrases = call(api.xPhraseCount)?(fts).max(0);
        let first = call(api.xPhraseFirst)?;
        let next = call(api.xPhraseNext)?;
        let sizes: Vec<i64> = (0..phrases)
            .map(|p| call(api.xPhraseSize).map(|size| i64::from(size(fts, p).max(1))))
            .collect::<Result<_, _>>()?;
        // the earliest instance of any phrase: each phrase's first is its earliest
        let mut earliest: Option<Instance> = None;
        for phrase in 0..phrases {
            let mut iter = ffi::Fts5PhraseIter {
                a: ptr::null(),
                b: ptr::null(),
            };
            let (mut column, mut offset): (c_int, c_int) = (0, 0);
            ok(first(fts, phrase, &mut iter, &mut column, &mut offset))?;
            if column >= 0 {
                let found = Instance {
                    column,
                    offset: i64::from(offset),
                    size: sizes[phrase as usize],
                };
                earliest = Some(earliest.map_or(found, |e| e.min(found)));
            }
        }
        let Some(anchor) = earliest else {
            return Ok(String::new());
        };
        let window_start = (anchor.offset - TOKENS_BEFORE).max(0);
        let window_end = (window_start + WINDOW_TOKENS).max(anchor.offset + anchor.size);
        // every instance in the window (instances before it: none, the anchor is the first)
        let mut marks: Vec<(i64, i64)> = Vec::new();
        for phrase in 0..phrases {
            let mut iter = ffi::Fts5PhraseIter {
                a: ptr::null(),
                b: ptr::null(),
            };
            let (mut column, mut offset): (c_int, c_int) = (0, 0);
            ok(first(fts, phrase, &mut iter, &mut column, &mut offset))?;
            while column >= 0 && column <= anchor.column {
                let at = i64::from(offset);
                if column == anchor.column {
                    if at >= window_end {
                        break;
                    }
                    let end = (at + sizes[phrase as usize]).min(window_end);
                    if at >= window_start {
                        marks.push((at, end));
                    }
                }
                next(fts, &mut iter, &mut column, &mut offset);
            }
        }
        let mut text: *const c_char = ptr::null();
        let mut length: c_int = 0;
        ok(call(api.xColumnText)?(
            fts,
            anchor.column,
            &mut text,
            &mut length,
        ))?;
        if text.is_null() || length <= 0 {
            return Ok(String::new());
        }
        let bytes = std::slice::from_raw_parts(text.cast::<u8>(), length as usize);
        let mut tokens = Tokens {
            from: window_start,
            to: window_end,
            seen: 0,
            spans: Vec::with_capacity(WINDOW_TOKENS as usize + 4),
            last: true,
        };
        let rc = call(api.xTokenize)?(
            fts,
            text,
            length,
            (&mut tokens as *mut Tokens).cast::<c_void>(),
            Some(on_token),
        );
        // the tokenizer may pass our `SQLITE_DONE` on or turn it into `SQLITE_OK`
        if rc != ffi::SQLITE_OK && rc != ffi::SQLITE_DONE {
            return Err(rc);
        }
        Ok(window_text(bytes, &tokens, anchor, &marks))
    }
}

/// Byte spans of the window's tokens, gathered while tokenizing.
struct Tokens {
    from: i64,
    to: i64,
    /// Tokens seen so far (the next one's position).
    seen: i64,
    /// `(start, end)` bytes of tokens `from..to`, in order.
    spans: Vec<(usize, usize)>,
    /// Whether the window reaches the column's end (no token after it was seen).
    last: bool,
}

/// The tokenizer's callback: records the window's tokens, stops after it (`SQLITE_DONE`).
unsafe extern "C" fn on_token(
    ctx: *mut c_void,
    flags: c_int,
    _token: *const c_char,
    _length: c_int,
    start: c_int,
    end: c_int,
) -> c_int {
    // SAFETY: `ctx` is the `Tokens` `snippet_of_row` passed, alive for the whole tokenize call.
    let tokens = unsafe { &mut *ctx.cast::<Tokens>() };
    // a colocated token (a synonym) shares the position of the one before it
    if flags & ffi::FTS5_TOKEN_COLOCATED != 0 {
        return ffi::SQLITE_OK;
    }
    let position = tokens.seen;
    tokens.seen += 1;
    if position >= tokens.to {
        tokens.last = false;
        return ffi::SQLITE_DONE;
    }
    if position >= tokens.from {
        tokens
            .spans
            .push((start.max(0) as usize, end.max(start).max(0) as usize));
    }
    ffi::SQLITE_OK
}

/// The window's text with its matches marked: whitespace runs as one space, `…` where the
/// column goes on, and at most a bounded number of bytes around the first match.
fn window_text(bytes: &[u8], tokens: &Tokens, anchor: Instance, marks: &[(i64, i64)]) -> String {
    let span = |position: i64| -> Option<(usize, usize)> {
        let index = usize::try_from(position - tokens.from).ok()?;
        tokens.spans.get(index).copied()
    };
    let Some(&(first_start, _)) = tokens.spans.first() else {
        return String::new();
    };
    let last_end = tokens.spans.last().map_or(first_start, |s| s.1);
    let anchor_start = span(anchor.offset).map_or(first_start, |s| s.0);
    let anchor_end = span(anchor.offset + anchor.size - 1)
        .map_or(last_end, |s| s.1)
        .min(anchor_start + MAX_MATCH_BYTES);
    // what comes before the first token is shown only at the column's start
    let mut start = if tokens.from == 0 { 0 } else { first_start };
    let mut end = if tokens.last { bytes.len() } else { last_end };
    start = start.max(anchor_start.saturating_sub(MAX_BYTES_BEFORE));
    end = end.min(anchor_end + MAX_BYTES_AFTER).min(bytes.len());
    let start = char_start(bytes, start);
    let end = char_start(bytes, end).max(start);
    // marks as byte ranges, clipped to the window and the bound on one match
    let mut ranges: Vec<(usize, usize)> = marks
        .iter()
        .filter_map(|&(from, to)| {
            let (s, _) = span(from)?;
            let (_, e) = span(to - 1)?;
            let e = char_start(bytes, e.min(s + MAX_MATCH_BYTES).min(end));
            let s = char_start(bytes, s.max(start));
            (s < e).then_some((s, e))
        })
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut out = String::with_capacity(end - start + 16);
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    let push = |out: &mut String, from: usize, to: usize| {
        let piece = String::from_utf8_lossy(&bytes[from..to]);
        let mut space = out.ends_with(' ');
        for c in piece.chars() {
            if c.is_whitespace() {
                if !space {
                    out.push(' ');
                }
                space = true;
            } else {
                out.push(c);
                space = false;
            }
        }
    };
    for (s, e) in merged {
        push(&mut out, at, s);
        out.push(HIGHLIGHT_START);
        push(&mut out, s, e);
        out.push(HIGHLIGHT_END);
        at = e;
    }
    push(&mut out, at, end);
    if end < bytes.len() {
        out.push('…');
    }
    out
}

/// `at`, moved back to the start of the UTF-8 character it falls in.
fn char_start(bytes: &[u8], mut at: usize) -> usize {
    at = at.min(bytes.len());
    while at > 0 && at < bytes.len() && (bytes[at] & 0b1100_0000) == 0b1000_0000 {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str, from: i64, to: i64) -> Tokens {
        let mut spans = Vec::new();
        let mut seen = 0;
        let mut last = true;
        for (start, word) in text.match_indices(|c: char| c.is_alphanumeric()).fold(
            Vec::<(usize, String)>::new(),
            |mut words, (i, c)| {
                match words.last_mut() {
                    Some((s, w)) if *s + w.len() == i => w.push_str(c),
                    _ => words.push((i, c.to_string())),
                }
                words
            },
        ) {
            if seen >= to {
                last = false;
                break;
            }
            if seen >= from {
                spans.push((start, start + word.len()));
            }
            seen += 1;
        }
        Tokens {
            from,
            to,
            seen,
            spans,
            last,
        }
    }

    #[test]
    fn the_window_is_one_line_marked_and_ellipsed_where_the_text_goes_on() {
        let text = "zero one two three four five\n\n  six seven eight nine ten eleven twelve";
        let t = tokens(text, 2, 8);
        let anchor = Instance {
            column: 0,
            offset: 6,
            size: 1,
        };
        let out = window_text(text.as_bytes(), &t, anchor, &[(6, 7), (7, 8)]);
        assert_eq!(
            out,
            "…two three four five \u{E000}six\u{E001} \u{E000}seven\u{E001}…"
        );
    }

    #[test]
    fn a_huge_token_and_long_text_around_it_are_cut_at_character_boundaries() {
        let blob = "é".repeat(10_000);
        let text = format!("start {blob} end");
        let t = tokens(&text, 0, 16);
        let anchor = Instance {
            column: 0,
            offset: 1,
            size: 1,
        };
        let out = window_text(text.as_bytes(), &t, anchor, &[(1, 2)]);
        assert!(out.len() < MAX_BYTES_BEFORE + MAX_MATCH_BYTES + MAX_BYTES_AFTER + 16);
        assert!(out.starts_with("start \u{E000}é"), "{out}");
        assert!(out.ends_with('…'), "{out}");
    }
}
