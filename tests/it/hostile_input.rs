//! The fuzz targets' checks (`fuzz/`), run as property tests on stable so CI covers them without
//! nightly: any bytes decode to a model or an error, cut-short JSON is an error, any server text
//! sanitises to something safe to draw, and header/flag parsers never panic.

use proptest::prelude::*;
use sctui_app::sanitize::{sanitize_line, sanitize_multiline, truncate, width};
use sctui_fake::FaultSpec;
use sctui_graph::ApiError;
use sctui_graph::models::{Evaluation, Page, Prompt, Session, Workspace};
use sctui_graph::retry::parse_retry_after;

/// Text a hostile server might send: escapes, C1 controls, bidi overrides, wide and combining
/// characters, mixed with ordinary letters.
fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        "[a-zA-Z0-9 .:-]{0,6}",
        Just("\u{1b}[31m".to_string()),
        Just("\u{1b}]52;c;ZXZpbA==\u{7}".to_string()),
        Just("\u{1b}P1$r\u{1b}\\".to_string()),
        Just("\u{9b}2J".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{2066}".to_string()),
        Just("漢字".to_string()),
        Just("e\u{301}".to_string()),
        Just("🛡️".to_string()),
        Just("\r\n\t\u{0}\u{7f}\u{85}".to_string()),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn decode_everything(bytes: &[u8]) {
    let _ = serde_json::from_slice::<Page<Session>>(bytes);
    let _ = serde_json::from_slice::<Session>(bytes);
    let _ = serde_json::from_slice::<Page<Prompt>>(bytes);
    let _ = serde_json::from_slice::<Evaluation>(bytes);
    let _ = serde_json::from_slice::<Page<Evaluation>>(bytes);
    let _ = serde_json::from_slice::<Page<Workspace>>(bytes);
    for status in [400, 401, 403, 404, 429, 500, 503, 504] {
        assert!(
            !ApiError::from_response(status, bytes, None)
                .to_string()
                .is_empty()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_decode_or_fail_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_everything(&bytes);
    }

    #[test]
    fn hostile_names_decode_and_sanitise_to_safe_text(name in hostile_text(), max in 0usize..40) {
        let body = serde_json::json!({
            "value": [{ "id": "s1", "displayName": name, "lastModifiedDateTime": "2025-10-22T20:10:54.1234567Z" }],
            "@odata.nextLink": "http://127.0.0.1/beta/next"
        })
        .to_string();
        let page: Page<Session> = serde_json::from_str(&body).expect("valid JSON decodes");
        let shown = page.value[0].display_name.clone().unwrap_or_default();
        prop_assert_eq!(&shown, &name, "decoding is exact");
        let line = sanitize_line(&shown);
        prop_assert!(!line.chars().any(char::is_control), "{:?}", line);
        prop_assert!(!line.chars().any(is_bidi_control), "{:?}", line);
        let multi = sanitize_multiline(&shown);
        prop_assert!(!multi.chars().any(|c| c.is_control() && c != '\n'), "{:?}", multi);
        let cut = truncate(&line, max);
        prop_assert!(width(&cut) <= max, "{:?} wider than {}", cut, max);
        if width(&line) > max && max > 0 {
            prop_assert!(cut.ends_with('…'), "{:?}", cut);
        }
    }

    #[test]
    fn cut_short_json_is_an_error_never_a_panic(name in hostile_text(), cut in 0usize..200) {
        let body = serde_json::json!({
            "value": [{ "id": "s1", "displayName": name }, { "id": "s2", "displayName": null }]
        })
        .to_string();
        let cut = cut.min(body.len().saturating_sub(1));
        let short = &body.as_bytes()[..cut];
        prop_assert!(serde_json::from_slice::<Page<Session>>(short).is_err());
        decode_everything(short);
    }

    #[test]
    fn header_and_flag_parsers_never_panic(text in "\\PC{0,40}") {
        let now = jiff::Timestamp::from_second(1_750_000_000).unwrap();
        let _ = parse_retry_after(&text, now);
        if let Ok(spec) = text.parse::<FaultSpec>() {
            prop_assert!(spec.total_rate() <= 1.0 + 1e-9);
            prop_assert_eq!(spec.to_string().parse::<FaultSpec>().ok(), Some(spec));
        }
    }
}
