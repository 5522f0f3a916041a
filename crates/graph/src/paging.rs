//! Guards against pages without end: a `@odata.nextLink` seen before (a page pointing at itself,
//! or a longer cycle) or a page that brings no session not already seen ends the walk with an
//! error instead of asking forever.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};

/// Why paging was stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PagingProblem {
    /// The `@odata.nextLink` was followed before.
    RepeatedLink,
    /// A page with a next link brought nothing new.
    NoNewItems,
}

impl std::fmt::Display for PagingProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::RepeatedLink => {
                "the server's @odata.nextLink points at a page already read; stopped paging"
            }
            Self::NoNewItems => {
                "a page brought no new items but links to another (no new ids); stopped paging"
            }
        })
    }
}

/// Remembers the links followed and (as 64-bit hashes, to stay small) the ids seen.
#[derive(Debug, Default)]
pub struct PageGuard {
    links: HashSet<u64>,
    ids: HashSet<u64>,
}

fn hash(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

impl PageGuard {
    /// Records that `link` is about to be followed; an error if it was followed before.
    pub fn follow(&mut self, link: &str) -> Result<(), PagingProblem> {
        if self.links.insert(hash(link)) {
            Ok(())
        } else {
            Err(PagingProblem::RepeatedLink)
        }
    }

    /// Records a page's ids; an error when the page links on but brought no new id.
    pub fn page<'a>(
        &mut self,
        ids: impl IntoIterator<Item = &'a str>,
        has_next: bool,
    ) -> Result<(), PagingProblem> {
        let mut new = 0usize;
        for id in ids {
            if self.ids.insert(hash(id)) {
                new += 1;
            }
        }
        if has_next && new == 0 {
            return Err(PagingProblem::NoNewItems);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_links_and_stale_pages_stop() {
        let mut g = PageGuard::default();
        assert!(g.follow("a").is_ok());
        assert!(g.page(["1", "2"], true).is_ok());
        assert!(g.follow("b").is_ok());
        assert_eq!(g.follow("a"), Err(PagingProblem::RepeatedLink));
        assert_eq!(g.page(["1", "2"], true), Err(PagingProblem::NoNewItems));
        // the last page may repeat or be empty: it ends the walk anyway
        assert!(g.page(["1"], false).is_ok());
        assert!(g.page([], false).is_ok());
    }
}
