//! The filter's view of the names: every shown name case-folded once, side by side in one buffer
//! in list order, so a keystroke scans contiguous memory (no pointer per session to follow, no
//! lowercasing per name) and narrows from the previous matches when the query grows.
//!
//! Built when a filter is first typed and again after the list changes; dropped when the filter
//! is cleared, so a list nobody filters costs no memory for it.

use memchr::memmem::Finder;

/// Between two names: never in a filter (filters are one line), so no match spans two names.
const SEPARATOR: u8 = b'\n';

/// Case-folded names in list order.
#[derive(Debug, Clone, Default)]
pub(super) struct FoldedNames {
    /// The names, folded, each followed by [`SEPARATOR`].
    text: Vec<u8>,
    /// Where name `i` ends in `text` (it starts after the separator of name `i - 1`).
    ends: Vec<u32>,
}

impl FoldedNames {
    /// Folds `names` (in list order; `None` is an untitled session, which only the empty filter
    /// shows).
    pub(super) fn build<'a>(names: impl ExactSizeIterator<Item = Option<&'a str>>) -> Self {
        let mut folded = Self {
            text: Vec::new(),
            ends: Vec::with_capacity(names.len()),
        };
        for name in names {
            if let Some(name) = name {
                fold_into(&mut folded.text, name);
            }
            folded.ends.push(folded.text.len() as u32);
            folded.text.push(SEPARATOR);
        }
        folded
    }

    /// How many names it holds.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    fn name(&self, i: usize) -> &[u8] {
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] as usize + 1,
        };
        &self.text[start..self.ends[i] as usize]
    }

    /// Appends the positions of the names containing `needle` (folded, not empty), ascending:
    /// one pass over the whole buffer.
    pub(super) fn matches_into(&self, needle: &[u8], out: &mut Vec<usize>) {
        let finder = Finder::new(needle);
        let mut i = 0;
        let mut from = 0;
        while let Some(hit) = finder.find(&self.text[from..]) {
            let at = from + hit;
            // the name holding the hit: names end in order, and hits come in order
            while (self.ends[i] as usize) < at {
                i += 1;
            }
            out.push(i);
            from = self.ends[i] as usize + 1;
            i += 1;
            if i == self.ends.len() {
                break;
            }
        }
    }

    /// Keeps the positions in `candidates` whose name contains `needle` (folded, not empty).
    pub(super) fn retain_matching(&self, needle: &[u8], candidates: &mut Vec<usize>) {
        let finder = Finder::new(needle);
        candidates.retain(|&i| finder.find(self.name(i)).is_some());
    }
}

/// Appends `s` case-folded: ASCII letters lowered byte by byte (no allocation), other letters by
/// their Unicode lowercase.
pub(super) fn fold_into(out: &mut Vec<u8>, s: &str) {
    if s.is_ascii() {
        out.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
        return;
    }
    let mut buf = [0u8; 4];
    for c in s.chars() {
        for lower in c.to_lowercase() {
            out.extend_from_slice(lower.encode_utf8(&mut buf).as_bytes());
        }
    }
}

/// Whether `name` contains `needle` (folded), ignoring case; allocates (for checks, not keys).
pub(super) fn name_contains(name: Option<&str>, needle: &[u8]) -> bool {
    needle.is_empty()
        || name.is_some_and(|name| memchr::memmem::find(&fold(name), needle).is_some())
}

/// `s` case-folded.
pub(super) fn fold(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    fold_into(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[Option<&str>]) -> FoldedNames {
        FoldedNames::build(list.iter().copied())
    }

    fn matching(folded: &FoldedNames, needle: &str) -> Vec<usize> {
        let mut out = Vec::new();
        folded.matches_into(&fold(needle), &mut out);
        let mut narrowed: Vec<usize> = (0..folded.len()).collect();
        folded.retain_matching(&fold(needle), &mut narrowed);
        assert_eq!(
            out, narrowed,
            "the scan and the narrowing agree on {needle:?}"
        );
        out
    }

    #[test]
    fn finds_names_ignoring_case_and_never_across_two_names() {
        let folded = names(&[
            Some("Phishing triage"),
            None,
            Some("ab"),
            Some("cd"),
            Some("ÉCOLE Straße"),
            Some("pp pp"),
            Some(""),
            Some("P"),
        ]);
        assert_eq!(matching(&folded, "PHISH"), [0]);
        assert_eq!(matching(&folded, "p"), [0, 5, 7]);
        assert_eq!(
            matching(&folded, "bc"),
            Vec::<usize>::new(),
            "ab|cd is two names"
        );
        assert_eq!(matching(&folded, "école"), [4]);
        assert_eq!(matching(&folded, "STRASSE"), Vec::<usize>::new());
        assert_eq!(matching(&folded, "straße"), [4]);
        assert_eq!(matching(&folded, "e"), [0, 4]);
        assert_eq!(matching(&folded, "zz"), Vec::<usize>::new());
    }

    #[test]
    fn an_empty_list_matches_nothing() {
        let folded = names(&[]);
        assert_eq!(matching(&folded, "a"), Vec::<usize>::new());
    }
}
