//! Makes server text safe and tidy for a terminal: no escape sequences, no control characters, no
//! bidi tricks, and width-aware cutting with `…` that never splits a wide character.
//!
//! Server text becomes a [`CleanLine`] here, once, when `update` takes it into the state: the
//! state keeps server text only as that type and the views draw only that type, so a raw name
//! cannot reach the screen by accident and nothing is sanitised per frame. The CLI cleans what it
//! prints at its one output gate (`src/output.rs`) with [`sanitize_multiline`].

use std::borrow::Cow;
use std::fmt;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// One line of server text, safe to draw: no escape sequences, controls, line breaks, bidi
/// controls or invisible characters (see [`sanitize_line`]). Its only public constructor
/// sanitises, so holding one proves the text was cleaned, and a view that takes one cannot be
/// handed raw text:
///
/// ```compile_fail
/// fn draw(name: &sctui_app::sanitize::CleanLine) {}
/// draw("evil\x1b[2Jname"); // a &str is not clean text
/// ```
///
/// The boundary is the core's state, not the worker's protocol: Graph's models stay raw (an id
/// goes back into a URL, a name into a PATCH, both into the local store as Graph sent them), and
/// `update` cleans each piece of server text once as it keeps it to be shown. It borrows text
/// that needed no cleaning (most names), so the session list holds no second copy of a name.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CleanLine<'a>(Cow<'a, str>);

impl<'a> CleanLine<'a> {
    /// Cleans `raw` (see [`sanitize_line`]); plain text is kept as it is, borrowed or owned.
    pub fn new(raw: impl Into<Cow<'a, str>>) -> Self {
        match raw.into() {
            Cow::Borrowed(raw) => Self(sanitize_line(raw)),
            Cow::Owned(raw) => match sanitize_line(&raw) {
                Cow::Borrowed(_) => Self(Cow::Owned(raw)),
                Cow::Owned(clean) => Self(Cow::Owned(clean)),
            },
        }
    }

    /// Text this module's own rules already proved clean (the part of a clean text, or a name
    /// [`CleanLine::new`] left unchanged and which is kept beside its raw form): not checked
    /// again.
    pub(crate) fn already_clean(text: &'a str) -> Self {
        debug_assert_eq!(sanitize_line(text), text, "not clean");
        Self(Cow::Borrowed(text))
    }

    /// The clean text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same text without leading and trailing whitespace (borrowed from this one).
    pub fn trim(&self) -> CleanLine<'_> {
        CleanLine(Cow::Borrowed(self.0.trim()))
    }

    /// Cut to at most `max` columns with `…` (see [`truncate`]); still clean.
    pub fn truncate(&self, max: usize) -> CleanLine<'_> {
        CleanLine(truncate(&self.0, max))
    }

    /// How many columns it takes.
    pub fn width(&self) -> usize {
        width(&self.0)
    }

    /// An owned copy, free of what it borrowed from.
    pub fn into_owned(self) -> CleanLine<'static> {
        CleanLine(Cow::Owned(self.0.into_owned()))
    }

    /// The clean text as a `String` (for a ratatui `Span` that owns its text).
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }

    /// A borrowed copy (cheap: no text is copied).
    pub fn borrowed(&self) -> CleanLine<'_> {
        CleanLine(Cow::Borrowed(&self.0))
    }
}

impl std::ops::Deref for CleanLine<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for CleanLine<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CleanLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CleanLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl PartialEq<str> for CleanLine<'_> {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for CleanLine<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl<'a> From<CleanLine<'a>> for Cow<'a, str> {
    fn from(clean: CleanLine<'a>) -> Self {
        clean.0
    }
}

/// Visible stand-in for a removed control character, so tampering is noticeable.
const REPLACEMENT: char = '\u{FFFD}';

/// Cleans one line of server text: escape sequences (CSI, OSC, DCS, SOS, PM, APC and two-byte ESC
/// forms) are dropped, other C0/C1 controls become `�`, tabs and line breaks become spaces, and
/// bidi overrides/isolates are removed. Ordinary text is returned borrowed (no allocation).
pub fn sanitize_line(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_plain) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(clean(text, false))
}

/// Like [`sanitize_line`] but keeps `\n` (for multi-line text such as answers).
pub fn sanitize_multiline(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| c == '\n' || is_plain(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(clean(text, true))
}

/// Whether a character is one the sanitiser removes or replaces (a control, bidi or invisible
/// character): JSON output spells these as `\uXXXX` escapes.
pub fn is_hazard(c: char) -> bool {
    !is_plain(c)
}

fn is_plain(c: char) -> bool {
    !(c.is_control() || is_bidi_control(c) || is_invisible(c))
}

/// Characters that take no room and show nothing: zero-width spaces and joiners, word joiners,
/// the byte-order mark, invisible operators and Unicode tag characters. In a name they make two
/// sessions look identical (`admin` and `ad\u{200B}min`), so they are shown as `�` instead.
/// A zero-width joiner between two pictographs (👩‍💻) is kept: it is how emoji are built.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{E0000}'..='\u{E007F}')
}

/// Whether a character is a pictograph an emoji zero-width-joiner sequence can continue from.
fn is_pictograph(c: char) -> bool {
    matches!(c, '\u{2600}'..='\u{27BF}' | '\u{1F000}'..='\u{1FAFF}' | '\u{FE0F}')
}

/// Whether a character is a letter of the Arabic script (Arabic, Persian, Urdu).
fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{06D3}' | '\u{06FA}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFC}')
}

/// Bidi embedding/override/isolate controls (U+202A–U+202E, U+2066–U+2069) and marks that can
/// reorder what the user sees (Trojan Source).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn clean(text: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 introducers of strings and CSI.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{9d}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' if keep_newlines => out.push('\n'),
            '\r' if keep_newlines => {}
            '\t' | '\n' | '\r' => out.push(' '),
            c if is_bidi_control(c) => {}
            '\u{200D}'
                if out.chars().next_back().is_some_and(is_pictograph)
                    && chars.peek().copied().is_some_and(is_pictograph) =>
            {
                out.push(c)
            }
            // Persian and Urdu spell words with a zero-width non-joiner between two letters
            // (می‌شود): kept there, it only stops the letters joining
            '\u{200C}'
                if out.chars().next_back().is_some_and(is_arabic_letter)
                    && chars.peek().copied().is_some_and(is_arabic_letter) =>
            {
                out.push(c)
            }
            c if c.is_control() || is_invisible(c) => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    out
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // ESC followed by intermediates then a final byte (e.g. ESC ( B).
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while let Some(&n) = chars.peek() {
                chars.next();
                if !('\u{20}'..='\u{2f}').contains(&n) {
                    break;
                }
            }
        }
        _ => {}
    }
}

/// CSI: parameters and intermediates, ended by a final byte in `@`..`~`.
fn skip_csi(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
        if !('\u{20}'..='\u{3f}').contains(&c) {
            break;
        }
    }
}

/// OSC/DCS/SOS/PM/APC: everything up to BEL, ST (`ESC \`) or C1 ST.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// The display width of already-sanitised text.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Cuts text to at most `max` columns, ending with `…` when cut; never splits a wide character
/// (a 2-column glyph that does not fit is dropped whole).
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    if text.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        // printable ASCII (most names): one column per byte, no neighbour changes a width
        return Cow::Owned(format!("{}…", &text[..max - 1]));
    }
    truncate_measured(text, max)
}

/// [`truncate`] for text beyond printable ASCII (at least `max + 1` columns wide, `max > 0`).
/// The characters' own widths give a first cut in one pass; a character's width can depend on
/// its neighbours (an emoji with VS16 is 2 columns, its parts 1 + 0; a joined emoji sequence is
/// narrower than its parts), so the cut then settles on the measured width of the kept text.
fn truncate_measured(text: &str, max: usize) -> Cow<'_, str> {
    let budget = max - 1; // room for the ellipsis
    let mut used = 0;
    let mut end = 0;
    for (at, c) in text.char_indices() {
        used += UnicodeWidthChar::width(c).unwrap_or(0);
        if used > budget {
            break;
        }
        end = at + c.len_utf8();
    }
    let previous = |end: usize| {
        text[..end]
            .char_indices()
            .next_back()
            .map_or(0, |(at, _)| at)
    };
    while end > 0 && width(&text[..end]) > budget {
        end = previous(end);
    }
    while let Some(c) = text[end..].chars().next()
        && width(&text[..end + c.len_utf8()]) <= budget
    {
        end += c.len_utf8();
    }
    let mut out = String::with_capacity(end + '…'.len_utf8());
    out.push_str(&text[..end]);
    out.push('…');
    Cow::Owned(out)
}

/// The text after its first `columns` display columns (for horizontally scrolled editors).
pub fn skip_columns(text: &str, columns: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        if used >= columns {
            return &text[i..];
        }
        used += c.width().unwrap_or(0);
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_joiner_between_persian_letters_is_kept_elsewhere_shown() {
        assert_eq!(sanitize_multiline("می\u{200c}شود"), "می\u{200c}شود");
        assert_eq!(sanitize_multiline("ad\u{200c}min"), "ad\u{FFFD}min");
        assert_eq!(sanitize_line("\u{200c}شود"), "\u{FFFD}شود");
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(
            sanitize_line("KQL hunt: über 東京"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn strips_csi_osc_dcs_and_controls() {
        assert_eq!(sanitize_line("a\x1b[31mred\x1b[0m b"), "ared b");
        assert_eq!(
            sanitize_line("x\x1b]52;c;ZXZpbA==\x07y"),
            "xy",
            "OSC 52 clipboard write removed"
        );
        assert_eq!(
            sanitize_line("x\x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\"),
            "xlink"
        );
        assert_eq!(sanitize_line("a\x1bP1$r\x1b\\b"), "ab");
        assert_eq!(sanitize_line("a\u{9b}2Jb"), "ab");
        assert_eq!(sanitize_line("bell\x07 nul\0"), "bell� nul�");
        assert_eq!(sanitize_line("two\nlines\tx"), "two lines x");
        assert_eq!(sanitize_line("esc at end\x1b"), "esc at end");
        assert_eq!(sanitize_line("charset\x1b(Bok"), "charsetok");
    }

    #[test]
    fn removes_bidi_overrides() {
        assert_eq!(sanitize_line("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(sanitize_line("a\u{2066}b\u{2069}"), "ab");
    }

    #[test]
    fn invisible_characters_are_shown_so_names_cannot_look_alike() {
        assert_eq!(sanitize_line("ad\u{200B}min"), "ad\u{FFFD}min");
        assert_ne!(sanitize_line("ad\u{200B}min"), sanitize_line("admin"));
        assert_eq!(sanitize_line("a\u{FEFF}b\u{2060}c"), "a\u{FFFD}b\u{FFFD}c");
        assert_eq!(
            sanitize_line("tag\u{E0041}\u{E007F}"),
            "tag\u{FFFD}\u{FFFD}"
        );
        assert_eq!(sanitize_line("a\u{200D}b"), "a\u{FFFD}b");
        // an emoji sequence keeps its joiner
        assert_eq!(
            sanitize_line("\u{1F469}\u{200D}\u{1F4BB}"),
            "\u{1F469}\u{200D}\u{1F4BB}"
        );
    }

    #[test]
    fn multiline_keeps_newlines_only() {
        assert_eq!(sanitize_multiline("a\r\nb\x1b[2Jc"), "a\nbc");
    }

    #[test]
    fn skip_columns_counts_wide_chars_as_two() {
        assert_eq!(skip_columns("東京都", 2), "京都");
        assert_eq!(skip_columns("abc", 1), "bc");
        assert_eq!(skip_columns("abc", 5), "");
        assert_eq!(skip_columns("abc", 0), "abc");
    }

    #[test]
    fn truncate_respects_wide_chars() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        // each CJK glyph is 2 columns; 5 columns fit two glyphs (4) + ellipsis (1)
        assert_eq!(truncate("東京都庁舎", 5), "東京…");
        assert_eq!(truncate("東京都庁舎", 6), "東京…");
        assert_eq!(width(&truncate("東京都庁舎", 6)), 5);
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("abc", 1), "…");
    }

    proptest::proptest! {
        /// The printable-ASCII shortcut cuts exactly where measuring every character would.
        #[test]
        fn truncate_of_ascii_matches_the_measured_cut(text in "[ -~]{0,40}", max in 1usize..45) {
            let measured = if width(&text) <= max {
                Cow::Borrowed(text.as_str())
            } else {
                truncate_measured(&text, max)
            };
            proptest::prop_assert_eq!(truncate(&text, max), measured);
        }

        /// Any cut text fits, ends with `…`, is the start of the text it was cut from, and is
        /// the longest such start.
        #[test]
        fn a_cut_fits_and_keeps_the_start(
            text in "[a-z 東京👩\u{200D}💻🛡\u{FE0F}\u{0301}é]{0,30}",
            max in 1usize..20,
        ) {
            let cut = truncate(&text, max);
            proptest::prop_assert!(width(&cut) <= max, "{:?} cut to {} is {:?}", text, max, cut);
            if cut != text.as_str() {
                let kept = cut.strip_suffix('…').expect("a cut ends with …");
                proptest::prop_assert!(text.starts_with(kept));
                proptest::prop_assert!(width(kept) < max);
                // and nothing more would have fitted: the next character pushes it over
                let next = text[kept.len()..].chars().next().expect("a cut leaves some text");
                let longer = &text[..kept.len() + next.len_utf8()];
                proptest::prop_assert!(width(longer) + 1 > max, "{:?} fits in {}", longer, max);
            }
        }
    }

    #[test]
    fn truncate_measures_emoji_sequences_whole() {
        // 🛡 is 1 column alone but 2 with VS16; found by tests/it/hostile_input.rs
        let cut = truncate("🛡\u{fe0f}aa -a--", 2);
        assert!(width(&cut) <= 2, "{cut:?}");
        assert_eq!(truncate("🛡\u{fe0f}🛡\u{fe0f}abc", 5), "🛡\u{fe0f}🛡\u{fe0f}…");
    }
}
