use std::path::PathBuf;

use super::lint::{Place, Severity, is_runnable, lint};
use super::*;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/promptbooks")
}

/// Microsoft's published books (see the fixtures' SOURCE.md).
fn published() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(fixtures().join("microsoft"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 8, "the published fixtures are all there");
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn inputs(pairs: &[(&str, &str)]) -> Inputs {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn book(json: &str) -> Book {
    Book::from_bytes(json.as_bytes()).unwrap()
}

#[test]
fn every_published_book_reads_and_is_runnable() {
    for (name, bytes) in published() {
        let book = Book::from_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!book.prompts.is_empty(), "{name}");
        let problems = lint(&book);
        assert!(is_runnable(&problems), "{name}: {problems:?}");
        // every declared input is used and every use is declared
        for input in book.inputs() {
            assert!(
                book.prompts
                    .iter()
                    .any(|p| references(p.text()).contains(&input.name.as_str())),
                "{name}: <{}> unused",
                input.name
            );
        }
    }
}

#[test]
fn utf16_files_from_powershell_read_like_their_utf8_twins() {
    let (_, bytes) = published()
        .into_iter()
        .find(|(n, _)| n == "Tanium_-_CVE_Search_with_Report.json")
        .unwrap();
    assert_eq!(
        &bytes[..2],
        b"\xFF\xFE",
        "the fixture is UTF-16 LE with a BOM"
    );
    assert!(bytes.windows(4).any(|w| w == b"\r\0\n\0"), "and CRLF");
    let book = Book::from_bytes(&bytes).unwrap();
    assert_eq!(book.name, "Tanium - CVE Search with Report");
    assert_eq!(book.prompts[0].text(), "Give me more information on <CVE>");
    assert_eq!(
        book.inputs()
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>(),
        ["hostname", "CVE"]
    );
    assert_eq!(book.other.get("plugins"), Some(&Value::Array(Vec::new())));

    // the same book, written as UTF-8 (with and without a BOM) and read back, is equal
    let utf8 = serde_json::to_vec_pretty(&book.to_json()).unwrap();
    assert_eq!(Book::from_bytes(&utf8).unwrap(), book);
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(&utf8);
    assert_eq!(Book::from_bytes(&with_bom).unwrap(), book);
    // and UTF-16 BE, and UTF-16 LE without a BOM
    let text = std::str::from_utf8(&utf8).unwrap();
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    assert_eq!(Book::from_bytes(&be).unwrap(), book);
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert_eq!(Book::from_bytes(&le).unwrap(), book);
}

#[test]
fn our_own_utf16_book_keeps_its_accents_escapes_and_directive() {
    let bytes = std::fs::read(fixtures().join("sctui-utf16-powershell.json")).unwrap();
    assert_eq!(&bytes[..2], b"\xFF\xFE");
    let book = Book::from_bytes(&bytes).unwrap();
    assert_eq!(book.name, "sctui – Gerät prüfen (UTF-16)");
    assert!(book.description().unwrap().contains("端末の確認"));
    assert!(lint(&book).is_empty(), "{:?}", lint(&book));
    let questions = book.questions(&inputs(&[("hostname", "WS-0042"), ("days", "7")]));
    assert_eq!(
        questions,
        [
            "Which alerts involve the device WS-0042 in the last 7 days? Answer in a table.",
            "/AskGPT Summarise the findings about WS-0042 für das Team (日本語でも).",
        ]
    );
}

#[test]
fn writing_a_book_keeps_every_field_and_null_apart_from_missing() {
    let (_, bytes) = published()
        .into_iter()
        .find(|(n, _)| n == "Email_Header_Analysis.json")
        .unwrap();
    let original: Value = serde_json::from_slice(&bytes).unwrap();
    let email = Book::from_bytes(&bytes).unwrap();
    assert_eq!(email.to_json(), original, "the same JSON value");
    let sample = book(
        r#"{"name":"n","prompts":[{"content":"x","skillName":null,"promptbookPromptId":"42"}],
            "tags":null,"promptbookId":"abc","ownerName":"Jordan"}"#,
    );
    let json = sample.to_json();
    assert_eq!(json["prompts"][0]["skillName"], Value::Null);
    assert!(
        json["prompts"][0].get("inputs").is_none(),
        "missing stays missing"
    );
    assert_eq!(json["prompts"][0]["promptbookPromptId"], "42");
    assert_eq!(json["ownerName"], "Jordan");
    assert!(json.get("tags").is_some() && json["tags"].is_null());
    // tags as a plain string, as one of Microsoft's samples writes them
    let tagged = book(r#"{"name":"n","prompts":[{"content":"x"}],"tags":"MDTI"}"#);
    assert_eq!(tagged.to_json()["tags"], "MDTI");
}

#[test]
fn substitution_is_one_pass_case_sensitive_and_leaves_undeclared_names() {
    let declared: Vec<BookInput> = ["user", "User", "ip"]
        .into_iter()
        .map(|n| BookInput {
            name: n.into(),
            description: None,
            other: Map::new(),
        })
        .collect();
    let values = inputs(&[("user", "<ip>"), ("User", "Jordan"), ("ip", "10.0.0.1")]);
    assert_eq!(
        substitute(
            "<user> and <User> from <ip>; <other> <a b> < ip> <>",
            &declared,
            &values
        ),
        "<ip> and Jordan from 10.0.0.1; <other> <a b> < ip> <>"
    );
    assert_eq!(references("a <x> <y><x> <a b> <<z>> <>"), ["x", "y", "z"]);
    assert_eq!(substitute("no inputs", &declared, &values), "no inputs");
    assert_eq!(
        substitute("ünïcödé <ip>!", &declared, &values),
        "ünïcödé 10.0.0.1!"
    );
}

#[test]
fn steps_run_by_sequence_number_when_every_step_has_one() {
    let numbered = book(
        r#"{"name":"n","prompts":[
            {"content":"third","sequenceNumber":2},
            {"content":"first","sequenceNumber":0},
            {"content":"second","sequenceNumber":1}]}"#,
    );
    assert_eq!(
        numbered.questions(&Inputs::new()),
        ["first", "second", "third"]
    );
    let mixed =
        book(r#"{"name":"n","prompts":[{"content":"a","sequenceNumber":5},{"content":"b"}]}"#);
    assert_eq!(mixed.questions(&Inputs::new()), ["a", "b"]);
    assert!(
        lint(&mixed)
            .iter()
            .any(|p| p.severity == Severity::Warning && p.message.contains("sequenceNumber"))
    );
}

#[test]
fn lint_finds_each_problem_at_its_place() {
    let bad = book(
        r#"{"name":"Same","description":"Same","prompts":[
            {"promptType":"Prompt","content":"look at <Host> and <user>"},
            {"promptType":"Skill","content":"x","skillName":"GetIncidents"},
            {"promptType":"Prompt","content":"  "}],
           "promptbookinputs":[
            {"name":"host","description":"a host"},
            {"name":"user","description":"user"},
            {"name":"incident id","description":"the incident"}]}"#,
    );
    let problems = lint(&bad);
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let has = |needle: &str| {
        assert!(
            text.iter().any(|t| t.contains(needle)),
            "{needle:?} not in {text:#?}"
        )
    };
    has(
        "step 1: error: input <Host> is used but not declared (names are case-sensitive: <host> is declared)",
    );
    has("step 2: error: a Skill step cannot run through Graph");
    has("step 3: error: the prompt is empty");
    has("input <incident id>: error: the name has spaces");
    has("input <host>: warning: declared but not used");
    has("input <user>: warning: the description equals the name");
    has("book: warning: the description equals the name");
    assert!(!is_runnable(&problems));
    assert_eq!(problems[0].severity, Severity::Error, "errors first");
    assert!(matches!(problems[0].place, Place::Step(1)));
    assert!(lint(&book(r#"{"name":"","prompts":[]}"#)).len() >= 2);
    let json = serde_json::to_value(&problems[0]).unwrap();
    assert_eq!(json["severity"], "error");
    assert_eq!(json["step"], 1);
}

#[test]
fn missing_inputs_are_named_in_declaration_order() {
    let b = book(
        r#"{"name":"n","prompts":[{"content":"<b> <a>"}],
            "promptbookinputs":[{"name":"b"},{"name":"a"}]}"#,
    );
    let missing: Vec<_> = b
        .missing_inputs(&inputs(&[("x", "1")]))
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(missing, ["b", "a"]);
    assert!(
        b.missing_inputs(&inputs(&[("a", ""), ("b", "2")]))
            .is_empty()
    );
}

#[test]
fn a_book_from_questions_names_the_values_it_finds() {
    let questions = vec![
        "Who is lena.fischer@contoso.com?".to_string(),
        "Sign-ins of lena.fischer@contoso.com from 203.0.113.58".to_string(),
        "Summarise".to_string(),
    ];
    let values = inputs(&[("upn", "lena.fischer@contoso.com"), ("ip", "203.0.113.58")]);
    let made = Book::from_questions("Triage", "From a session", &questions, &values);
    assert_eq!(made.prompts[1].text(), "Sign-ins of <upn> from <ip>");
    assert_eq!(
        made.questions(&values),
        questions,
        "running it asks the same"
    );
    assert!(lint(&made).is_empty(), "{:?}", lint(&made));
    assert_eq!(made.prompts[2].sequence(), Some(2));
}

#[test]
fn what_is_not_a_book_says_why() {
    assert_eq!(
        Book::from_bytes(b"\xFF\xFE\x00"),
        Err(FormatError::Encoding)
    );
    assert_eq!(Book::from_bytes(b"\xC3\x28{}"), Err(FormatError::Encoding));
    let missing = Book::from_bytes(br#"{"name":"n"}"#).unwrap_err();
    assert!(
        missing.to_string().contains("missing field `prompts`"),
        "{missing}"
    );
}
