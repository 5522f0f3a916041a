//! The listing of sessions under way, from its first page to its last: which sessions Graph has
//! listed since it began (so a listing that reaches its end knows which known sessions are gone),
//! and which pages and next links it has read (so a server that loops is not followed forever).

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};

/// A set of hashes: each is its own hash in the set (hashing a SipHash output again would only
/// cost time; a walk adds one per session).
type Hashes = HashSet<u64, BuildHasherDefault<Prehashed>>;

/// The hasher of [`Hashes`]: a `u64` written is the hash.
#[derive(Debug, Default, Clone, Copy)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // not used by `Hashes` (it only writes u64s), but any input must still hash
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// One listing of the workspace's sessions, started by a first page (at start, after `R`, after
/// a sign-in or a workspace switch) and continued by next links or by a walk from the top.
///
/// Sessions are remembered by a 64-bit hash of their id, not the id: a walk of 100,000 sessions
/// costs about 1.2 MB while it runs, in one allocation freed when it ends. Two ids sharing a hash
/// can only keep a session that is gone until the next complete listing, never drop one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// The sessions listed since the first page (or made here meanwhile), hashed.
    seen: Hashes,
    /// The next links followed and the pages read since the listing's top, hashed (a repeat
    /// means the server loops).
    read: Hashes,
    /// The list held sessions the first page did not list: the listing walks to the end to
    /// check them (its last page drops those it never listed).
    revalidating: bool,
}

/// The same hash for the same text within a run (`kind` keeps ids and links apart).
fn hash(kind: u8, text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    (kind, text).hash(&mut hasher);
    hasher.finish()
}

const ID: u8 = 0;
const LINK: u8 = 1;
const PAGE: u8 = 2;

impl Listing {
    /// A session made here, or confirmed by Graph outside the listing (a rename): not gone for
    /// a listing that may have passed its place already.
    pub fn keep(&mut self, id: &str) {
        self.seen.insert(hash(ID, id));
    }

    /// Whether the listing has listed (or kept) session `id`.
    pub fn saw(&self, id: &str) -> bool {
        self.seen.contains(&hash(ID, id))
    }

    /// How many sessions it has listed (or kept) so far: the walk's progress.
    pub fn listed(&self) -> usize {
        self.seen.len()
    }

    /// The listing starts again from its top (a walk in big pages): pages and links read before
    /// may come again; what was listed stays listed.
    pub fn restart(&mut self) {
        self.read = Hashes::default();
    }

    /// Notes a page read: its sessions as listed, and the page itself (read through
    /// `followed`, when it came from a next link). Tells whether the server loops: the page is
    /// one read already in this listing, or it links on to a page already followed.
    pub fn read_page<'a>(
        &mut self,
        followed: Option<&str>,
        ids: impl IntoIterator<Item = &'a str>,
        next: Option<&str>,
    ) -> bool {
        if let Some(link) = followed {
            self.read.insert(hash(LINK, link));
        }
        // each id is hashed once, for the set of sessions and for the page's own hash
        let mut page = DefaultHasher::new();
        PAGE.hash(&mut page);
        for id in ids {
            let id = hash(ID, id);
            id.hash(&mut page);
            self.seen.insert(id);
        }
        let repeated_page = !self.read.insert(page.finish());
        let repeated_link = next.is_some_and(|next| self.read.contains(&hash(LINK, next)));
        next.is_some() && (repeated_page || repeated_link)
    }

    /// Whether the listing walks to the end to check sessions known before it began.
    pub fn revalidating(&self) -> bool {
        self.revalidating
    }

    /// The listing walks to the end to check the sessions known before it.
    pub fn revalidate(&mut self) {
        self.revalidating = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_and_kept_sessions_are_seen() {
        let mut listing = Listing::default();
        assert!(!listing.read_page(None, ["a", "b"], None));
        listing.keep("made-here");
        assert!(listing.saw("a") && listing.saw("b") && listing.saw("made-here"));
        assert!(!listing.saw("c"));
        assert_eq!(listing.listed(), 3);
    }

    #[test]
    fn a_repeated_page_or_link_is_a_loop_but_the_last_page_never_is() {
        let mut listing = Listing::default();
        assert!(!listing.read_page(None, ["a", "b"], Some("l2")));
        assert!(!listing.read_page(Some("l2"), ["c"], Some("l3")));
        // the same sessions again under a new link
        assert!(listing.read_page(Some("l3"), ["a", "b"], Some("l4")));
        // a link back to a page followed already
        let mut listing = Listing::default();
        assert!(!listing.read_page(None, ["a"], Some("l2")));
        assert!(listing.read_page(Some("l2"), ["b"], Some("l2")));
        // a last page that repeats one is no loop: there is nothing more to follow
        let mut listing = Listing::default();
        assert!(!listing.read_page(None, ["a"], Some("l2")));
        assert!(!listing.read_page(Some("l2"), ["a"], None));
    }

    #[test]
    fn a_restart_from_the_top_reads_the_first_page_again_without_a_loop() {
        let mut listing = Listing::default();
        assert!(!listing.read_page(None, ["a", "b"], Some("small-2")));
        listing.restart();
        // a server that caps the page size gives the same first page to the big walk
        assert!(!listing.read_page(None, ["a", "b"], Some("big-2")));
    }
}
