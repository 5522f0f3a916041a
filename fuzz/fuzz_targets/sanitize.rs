//! Any text from the server: sanitising leaves no control, escape or bidi character, and cutting
//! to a width never exceeds it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sctui::sanitize::{sanitize_line, sanitize_multiline, truncate, width};

fuzz_target!(|data: &[u8]| {
    let Some((&max, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let line = sanitize_line(&text);
    assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
    assert!(
        !line
            .chars()
            .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    );
    let multi = sanitize_multiline(&text);
    assert!(
        !multi.chars().any(|c| c.is_control() && c != '\n'),
        "{multi:?}"
    );
    let cut = truncate(&line, usize::from(max));
    assert!(width(&cut) <= usize::from(max), "{cut:?} wider than {max}");
});
