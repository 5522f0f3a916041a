//! The session list: every known session in the chosen order, the rows that pass the filter, and
//! the selection. Its fields are private and every change goes through a method, so its rules
//! hold after each one:
//!
//! - `index` maps each entry's id to its position in `entries` (ids are unique);
//! - `entries` are in `sort` order (under the name order, a rename in flight may break it until
//!   the rename lands: the row does not jump while the user waits);
//! - `visible` holds, ascending, the positions of the entries whose name matches the filter;
//! - `selected` is a row of `visible` (0 when none), and `offset <= selected < offset + rows`.
//!
//! `update` decides what happens (requests, status, paging); this type only keeps the list true.

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;
use tui_input::Input;

use super::names::{self, FoldedNames};
use crate::requests::RequestId;
use crate::sanitize::CleanLine;
use sctui_graph::models::Session;

/// One session row with the derived text drawing needs, computed once per change, not per frame.
///
/// Kept small (the TUI holds every known session): what few sessions have (a drawn name that
/// differs from the name itself, a rename in flight) is boxed, and absent for the rest.
#[derive(Debug, Clone)]
pub struct SessionEntry {
    pub session: Session,
    rare: Option<Box<Rare>>,
}

/// The part of a [`SessionEntry`] most sessions do without.
#[derive(Debug, Clone)]
struct Rare {
    /// The name as drawn when it is not the raw name ([`SessionEntry::current_name`]) itself:
    /// `None` when that name needs no sanitising or trimming, an empty text for a blank name
    /// (drawn as a dim "(untitled)"), else the sanitised, trimmed name.
    shown: Option<Box<str>>,
    /// An optimistic rename in flight: the name the user typed and which rename it is.
    pending: Option<PendingRename>,
}

/// A rename sent to Graph whose answer has not come back yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRename {
    pub name: String,
    /// The rename request, so an older rename's answer does not clear a newer one.
    pub req: RequestId,
}

impl SessionEntry {
    /// Wraps a session from the server, deriving its display text.
    pub fn new(session: Session) -> Self {
        let mut entry = Self {
            session,
            rare: None,
        };
        entry.derive(None);
        entry
    }

    /// The name as drawn: sanitised and trimmed, or `None` for a null/blank name (drawn as a dim
    /// "(untitled)"). Cleaned once, when the name arrived; borrowed here, never copied.
    pub fn shown_name(&self) -> Option<CleanLine<'_>> {
        self.shown_str().map(CleanLine::already_clean)
    }

    /// [`SessionEntry::shown_name`]'s text, for the list's own filtering and sorting.
    fn shown_str(&self) -> Option<&str> {
        match self.rare.as_ref().and_then(|r| r.shown.as_deref()) {
            Some("") => None,
            Some(shown) => Some(shown),
            // `derive` found the name clean as it is
            None => self.raw_name(),
        }
    }

    /// The rename in flight, if any.
    pub fn pending(&self) -> Option<&PendingRename> {
        self.rare.as_ref().and_then(|r| r.pending.as_ref())
    }

    /// Replaces the server's version, keeping any pending rename.
    ///
    /// Text that did not change stays the known copy: a revalidation that sees every session
    /// with new times would otherwise swap 100,000 ids and names for copies made on the thread
    /// that read the page, stranding the old ones' memory in the arena of the thread that read
    /// them first.
    fn replace_session(&mut self, session: Session) {
        let Session {
            id,
            display_name,
            created_date_time,
            last_modified_date_time,
        } = session;
        if self.session.id != id {
            self.session.id = id;
        }
        if self.session.display_name != display_name {
            self.session.display_name = display_name;
        }
        self.session.created_date_time = created_date_time;
        self.session.last_modified_date_time = last_modified_date_time;
        let pending = self.take_pending();
        self.derive(pending);
    }

    /// Sets (or clears) the rename in flight and the name drawn with it.
    fn set_pending(&mut self, pending: Option<PendingRename>) {
        self.derive(pending);
    }

    /// Takes the rename in flight out (the drawn name is stale until [`SessionEntry::derive`]).
    fn take_pending(&mut self) -> Option<PendingRename> {
        self.rare.as_mut().and_then(|r| r.pending.take())
    }

    /// Sets the rename in flight and recomputes the drawn name from it or the server's name.
    fn derive(&mut self, pending: Option<PendingRename>) {
        let raw = pending
            .as_ref()
            .map(|p| p.name.as_str())
            .or(self.session.display_name.as_deref());
        let shown = raw.and_then(|raw| {
            let clean = CleanLine::new(raw);
            match clean.trim().as_str() {
                // most names are drawn as they are: no second copy of them
                shown if shown == raw => None,
                shown => Some(Box::from(shown)),
            }
        });
        self.rare =
            (shown.is_some() || pending.is_some()).then(|| Box::new(Rare { shown, pending }));
    }

    /// The name drawn when it needs no sanitising: the pending one or the server's.
    fn raw_name(&self) -> Option<&str> {
        self.pending()
            .map(|p| p.name.as_str())
            .or(self.session.display_name.as_deref())
            .filter(|name| !name.is_empty())
    }

    /// Orders by shown name, ignoring case (no stored lowercase copy: it would cost memory per
    /// session for a rarely used order).
    pub fn cmp_name(&self, other: &Self) -> std::cmp::Ordering {
        let a = self.shown_str().unwrap_or("");
        let b = other.shown_str().unwrap_or("");
        if a.is_ascii() && b.is_ascii() {
            a.bytes()
                .map(|c| c.to_ascii_lowercase())
                .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
        } else {
            a.to_lowercase().cmp(&b.to_lowercase())
        }
    }

    /// The name the user sees, raw (for prefilling the rename editor).
    pub fn current_name(&self) -> &str {
        self.pending()
            .map(|p| p.name.as_str())
            .or(self.session.display_name.as_deref())
            .unwrap_or("")
    }
}

/// How the list is ordered; sorted on the client (Graph's `$orderby` is not documented here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Newest change first (the default).
    #[default]
    LastModified,
    /// Newest first by creation time.
    Created,
    /// By name, A to Z (untitled last).
    Name,
}

impl SortOrder {
    /// The next order for `s`.
    pub fn next(self) -> Self {
        match self {
            Self::LastModified => Self::Created,
            Self::Created => Self::Name,
            Self::Name => Self::LastModified,
        }
    }

    /// Shown in the list's title.
    pub fn label(self) -> &'static str {
        match self {
            Self::LastModified => "last modified",
            Self::Created => "created",
            Self::Name => "name",
        }
    }

    /// Orders two entries; ties fall back to the id so the order is total and stable.
    pub fn compare(self, a: &SessionEntry, b: &SessionEntry) -> std::cmp::Ordering {
        let instant =
            |t: &Option<sctui_graph::models::GraphTime>| t.as_ref().and_then(|t| t.instant());
        let primary = match self {
            Self::LastModified => instant(&b.session.last_modified_date_time)
                .cmp(&instant(&a.session.last_modified_date_time)),
            Self::Created => {
                instant(&b.session.created_date_time).cmp(&instant(&a.session.created_date_time))
            }
            Self::Name => match (a.shown_str().is_some(), b.shown_str().is_some()) {
                (true, false) => std::cmp::Ordering::Less,
                (false, true) => std::cmp::Ordering::Greater,
                _ => a.cmp_name(b),
            },
        };
        primary.then_with(|| a.session.id.cmp(&b.session.id))
    }
}

/// Every known session, ordered, filtered and with one selected (see the module's rules).
#[derive(Debug, Clone, Default)]
pub struct SessionList {
    /// Sessions, in `sort` order.
    entries: Vec<SessionEntry>,
    /// Session id → position in `entries`.
    index: IdIndex,
    /// Positions in `entries` that pass the filter, ascending.
    visible: Vec<usize>,
    /// Row of `visible` selected.
    selected: usize,
    /// First row of `visible` in the viewport.
    offset: usize,
    sort: SortOrder,
    /// The `/` filter as typed (kept while browsing after Enter).
    filter: Input,
    /// The names folded for the filter, while a filter is in use and the list has not changed.
    folded: Option<FoldedNames>,
    /// The folded filter `visible` was computed for, while the list has not changed since (a
    /// longer filter containing it only needs to look at the rows it matched).
    matched: Option<Vec<u8>>,
}

/// Session id → position in the entries, without a second copy of any id: the table holds
/// positions only, hashed by the id found at that position (100,000 ids copied into a map's keys
/// cost about 9 MB; this costs 5 bytes a session).
///
/// Every method takes the entries the positions point into; a position must hold the id it was
/// inserted with until it is moved with [`IdIndex::positions_mut`] or removed.
#[derive(Debug, Clone, Default)]
struct IdIndex {
    table: HashTable<u32>,
    hasher: RandomState,
}

impl IdIndex {
    fn hash(&self, id: &str) -> u64 {
        self.hasher.hash_one(id)
    }

    /// How many ids it holds.
    fn len(&self) -> usize {
        self.table.len()
    }

    /// Where session `id` is in `entries`.
    fn get(&self, entries: &[SessionEntry], id: &str) -> Option<usize> {
        self.table
            .find(self.hash(id), |&i| entries[i as usize].session.id == id)
            .map(|&i| i as usize)
    }

    /// Indexes `entries[i]` (whose id must not be indexed yet).
    fn insert(&mut self, entries: &[SessionEntry], i: usize) {
        let hasher = &self.hasher;
        let hash = hasher.hash_one(entries[i].session.id.as_str());
        // positions fit: a list of 4 billion sessions would not fit in memory first
        self.table.insert_unique(hash, i as u32, |&j| {
            hasher.hash_one(entries[j as usize].session.id.as_str())
        });
    }

    /// Forgets position `i` (its entry still there, holding the id it was indexed with).
    fn remove(&mut self, entries: &[SessionEntry], i: usize) {
        let hash = self.hash(&entries[i].session.id);
        if let Ok(slot) = self.table.find_entry(hash, |&j| j as usize == i) {
            slot.remove();
        }
    }

    /// Indexes `entries` afresh (after a sort), reusing the table's memory.
    fn rebuild(&mut self, entries: &[SessionEntry]) {
        self.table.clear();
        let hasher = &self.hasher;
        self.table.reserve(entries.len(), |&j| {
            hasher.hash_one(entries[j as usize].session.id.as_str())
        });
        for i in 0..entries.len() {
            self.insert(entries, i);
        }
    }

    /// Every position, to shift in place (the ids stay where they were hashed).
    fn positions_mut(&mut self) -> impl Iterator<Item = &mut u32> {
        self.table.iter_mut()
    }
}

impl SessionList {
    /// How many sessions are known.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no session is known.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every known session, in the list's order.
    pub fn entries(&self) -> &[SessionEntry] {
        &self.entries
    }

    /// The session `id`, if known.
    pub fn get(&self, id: &str) -> Option<&SessionEntry> {
        self.position(id).map(|i| &self.entries[i])
    }

    /// Whether session `id` is known.
    pub fn contains(&self, id: &str) -> bool {
        self.position(id).is_some()
    }

    /// Where session `id` is in [`SessionList::entries`].
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(&self.entries, id)
    }

    /// Positions in [`SessionList::entries`] of the rows that pass the filter, ascending.
    pub fn visible(&self) -> &[usize] {
        &self.visible
    }

    /// The entry drawn at `row` of the filtered list.
    pub fn row(&self, row: usize) -> Option<&SessionEntry> {
        self.visible.get(row).map(|&i| &self.entries[i])
    }

    /// The selected row of the filtered list (0 when it is empty).
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The first row in view.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The selected session, if any row is visible.
    pub fn selected_entry(&self) -> Option<&SessionEntry> {
        self.row(self.selected)
    }

    /// The selected session's id (owned, so the list can change meanwhile).
    pub fn selected_id(&self) -> Option<String> {
        self.selected_entry().map(|e| e.session.id.clone())
    }

    /// The list's order.
    pub fn sort(&self) -> SortOrder {
        self.sort
    }

    /// The filter editor (its text and cursor).
    pub fn filter(&self) -> &Input {
        &self.filter
    }

    /// The filter text, trimmed; empty means no filter.
    pub fn filter_text(&self) -> &str {
        self.filter.value().trim()
    }

    /// Checks the rules in the module's doc, for a view of `rows` rows; the first one broken,
    /// in words. Property, soak and unit tests call it after every step.
    pub fn check(&self, rows: usize) -> Result<(), String> {
        if self.index.len() != self.entries.len() {
            return Err(format!(
                "{} ids indexed for {} entries",
                self.index.len(),
                self.entries.len()
            ));
        }
        for (i, entry) in self.entries.iter().enumerate() {
            if self.position(&entry.session.id) != Some(i) {
                return Err(format!("{} is not indexed at {i}", entry.session.id));
            }
        }
        let pending = self.entries.iter().any(|e| e.pending().is_some());
        let sorted = || {
            self.entries
                .is_sorted_by(|a, b| self.sort.compare(a, b).is_lt())
        };
        if (!pending || self.sort != SortOrder::Name) && !sorted() {
            return Err(format!("entries are not in {} order", self.sort.label()));
        }
        if !self.visible.is_sorted_by(|a, b| a < b)
            || self
                .visible
                .last()
                .is_some_and(|&i| i >= self.entries.len())
        {
            return Err("visible rows are not ascending positions".into());
        }
        let needle = names::fold(self.filter_text());
        let matching = self
            .entries
            .iter()
            .filter(|e| pending || names::name_contains(e.shown_str(), &needle))
            .count();
        if !pending && matching != self.visible.len() {
            return Err(format!(
                "{} rows visible, {matching} match the filter",
                self.visible.len()
            ));
        }
        if self.visible.is_empty() {
            if (self.selected, self.offset) != (0, 0) {
                return Err("an empty list has a selection".into());
            }
        } else if self.selected >= self.visible.len() {
            return Err(format!(
                "row {} selected of {}",
                self.selected,
                self.visible.len()
            ));
        }
        if rows > 0 && !(self.offset <= self.selected && self.selected < self.offset + rows) {
            return Err(format!(
                "row {} selected out of view (rows {}..{})",
                self.selected,
                self.offset,
                self.offset + rows
            ));
        }
        Ok(())
    }

    /// Selects `row` (clamped to the rows there are) and scrolls it into a view of `rows` rows.
    pub fn select(&mut self, row: usize, rows: usize) {
        self.selected = row.min(self.visible.len().saturating_sub(1));
        self.keep_in_view(rows);
    }

    /// Selects session `id`, clearing the filter when it hides it. `false` when it is not known.
    pub fn select_id(&mut self, id: &str, rows: usize) -> bool {
        match self.reveal(id, rows) {
            Some(row) => {
                self.select(row, rows);
                true
            }
            None => false,
        }
    }

    /// The row of session `id`, clearing the filter when it hides it (the selection stays on
    /// its session, or where it was); `None` when the session is not known.
    pub fn reveal(&mut self, id: &str, rows: usize) -> Option<usize> {
        let i = self.position(id)?;
        if self.visible.binary_search(&i).is_err() {
            self.filter = Input::default();
            self.refilter(rows);
        }
        self.visible.binary_search(&i).ok()
    }

    /// Adds `session` if the list does not know it yet (the selection stays). Returns whether it
    /// was added.
    pub fn add(&mut self, session: Session, rows: usize) -> bool {
        if self.contains(&session.id) {
            return false;
        }
        let keep = self.selected_id();
        self.entries.push(SessionEntry::new(session));
        self.resort(keep.as_deref(), rows);
        true
    }

    /// Scrolls so the selection is in a view of `rows` rows (after a resize, say).
    pub fn keep_in_view(&mut self, rows: usize) {
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        let max_offset = self.visible.len().saturating_sub(rows);
        self.offset = self.offset.min(max_offset);
    }

    /// Edits the filter with `edit` (which says whether the text changed) and filters again,
    /// keeping the selected session when it still matches. Returns what `edit` said.
    pub fn edit_filter(&mut self, rows: usize, edit: impl FnOnce(&mut Input) -> bool) -> bool {
        let changed = edit(&mut self.filter);
        if changed {
            self.refilter(rows);
        }
        changed
    }

    /// Clears the filter, keeping the selected session selected.
    pub fn clear_filter(&mut self, rows: usize) {
        self.filter = Input::default();
        self.refilter(rows);
        // no filter: the folded names are not worth their memory until one is typed again
        self.folded = None;
    }

    /// Orders the list by `order`, keeping the selected session selected.
    pub fn set_sort(&mut self, order: SortOrder, rows: usize) {
        self.sort = order;
        let keep = self.selected_id();
        self.resort(keep.as_deref(), rows);
    }

    /// Forgets every session and the filter (another workspace).
    pub fn clear(&mut self) {
        *self = Self {
            sort: self.sort,
            ..Self::default()
        };
    }

    /// Replaces the list with `sessions` (the stored list at start; Graph's pages merge instead),
    /// keeping the selected session selected if it is still there. A session with a rename in
    /// flight keeps its pending name, and stays even when `sessions` does not hold it.
    pub fn replace_all(&mut self, sessions: Vec<Session>, rows: usize) {
        let selected_id = self.selected_id();
        // the old list goes before the new one is built (never both in memory), but for the
        // sessions with a rename in flight (few)
        let mut kept: Vec<SessionEntry> = std::mem::take(&mut self.entries)
            .into_iter()
            .filter(|e| e.pending().is_some())
            .collect();
        let mut fresh: Vec<SessionEntry> = Vec::with_capacity(sessions.len() + kept.len());
        for session in sessions {
            let mut entry = SessionEntry::new(session);
            if let Some(k) = kept.iter().position(|k| k.session.id == entry.session.id) {
                // never let a refresh overwrite a name the user is waiting on
                entry.set_pending(kept.swap_remove(k).take_pending());
            }
            fresh.push(entry);
        }
        // sessions with a rename in flight stay, even if this page does not hold them
        fresh.append(&mut kept);
        self.entries = fresh;
        self.resort(selected_id.as_deref(), rows);
    }

    /// Merges a later page: known sessions take the server's version (keeping a pending name),
    /// new ones are added in order. Returns how many were new.
    pub fn merge(&mut self, sessions: Vec<Session>, rows: usize) -> usize {
        let selected_id = self.selected_id();
        let loaded = self.entries.len();
        // the loaded entries the page updated
        let mut updated: Vec<usize> = Vec::new();
        for session in sessions {
            match self.position(&session.id) {
                // unchanged (a revalidation's usual case): the known copy stays where it is in
                // memory, and the page's is freed for the next page to reuse (replacing every
                // session of 100,000 would strand the old copies' memory in the arena of the
                // thread that read them)
                Some(i) if self.entries[i].session == session => {}
                Some(i) => {
                    self.entries[i].replace_session(session);
                    if i < loaded {
                        updated.push(i);
                    }
                }
                None => {
                    self.entries.push(SessionEntry::new(session));
                    self.index.insert(&self.entries, self.entries.len() - 1);
                }
            }
        }
        let added = self.entries.len() - loaded;
        if added == 0 && updated.is_empty() {
            // nothing changed: the filter's folded names and the rows stay as they are
            return 0;
        }
        self.touch();
        if !self.merge_sorted(loaded, &updated, selected_id.as_deref(), rows) {
            self.resort(selected_id.as_deref(), rows);
        }
        added
    }

    /// Adds a session made here (or takes the server's version of it), and selects it; a filter
    /// that would hide it is cleared. Returns whether it is new to the list.
    pub fn insert_created(&mut self, session: Session, rows: usize) -> bool {
        let id = session.id.clone();
        let new = match self.position(&id) {
            Some(i) => {
                self.entries[i].replace_session(session);
                false
            }
            None => {
                self.entries.insert(0, SessionEntry::new(session));
                true
            }
        };
        let needle = self.filter_text().to_lowercase();
        if !needle.is_empty() {
            let label = self
                .entries
                .iter()
                .find(|e| e.session.id == id)
                .and_then(|e| e.shown_str())
                .unwrap_or("(untitled)");
            if !label.to_lowercase().contains(&needle) {
                self.filter = Input::default();
            }
        }
        self.resort(Some(&id), rows);
        new
    }

    /// Shows `pending` as the name of session `id` at once, until its rename lands (the row does
    /// not move or leave the filter meanwhile). `false` when the session is not known.
    pub fn set_pending(&mut self, id: &str, pending: PendingRename) -> bool {
        let Some(i) = self.position(id) else {
            return false;
        };
        self.entries[i].set_pending(Some(pending));
        self.touch();
        true
    }

    /// A rename failed: the pending name goes if it is rename `req`'s (a newer one stays), and
    /// the filter looks at the name shown again.
    pub fn drop_pending(&mut self, id: &str, req: RequestId, rows: usize) {
        if let Some(i) = self.position(id) {
            let entry = &mut self.entries[i];
            if entry.pending().is_some_and(|p| p.req == req) {
                entry.set_pending(None);
                self.touch();
                self.refilter(rows);
            }
        }
    }

    /// Rename `req` landed: the row takes the server's version and its pending name goes (a newer
    /// rename's stays), and the list is ordered again. Returns the entry, `None` when the session
    /// is not known.
    pub fn renamed(
        &mut self,
        req: RequestId,
        session: Session,
        rows: usize,
    ) -> Option<&SessionEntry> {
        let id = session.id.clone();
        let i = self.position(&id)?;
        let entry = &mut self.entries[i];
        let pending = entry.take_pending().filter(|p| p.req != req);
        entry.session = session;
        entry.derive(pending);
        let keep = self.selected_id();
        self.resort(keep.as_deref(), rows);
        self.get(&id)
    }

    /// Forgets session `id` (the selection stays on the selected session, or moves to the row
    /// that takes its place). Returns whether it was known.
    pub fn remove(&mut self, id: &str, rows: usize) -> bool {
        let selected_id = self.selected_id();
        let known = match self.position(id) {
            Some(i) => {
                self.entries.remove(i);
                true
            }
            None => false,
        };
        self.resort(selected_id.as_deref().filter(|s| *s != id), rows);
        known
    }

    /// Keeps only the sessions for which `keep` is true. Returns how many went.
    pub fn retain(&mut self, mut keep: impl FnMut(&SessionEntry) -> bool, rows: usize) -> usize {
        let selected_id = self.selected_id();
        let before = self.entries.len();
        self.entries.retain(|e| keep(e));
        let gone = before - self.entries.len();
        if gone > 0 {
            self.resort(selected_id.as_deref(), rows);
        }
        gone
    }

    /// Sorts by the chosen order (stable; ties by id), then rebuilds the index and filter,
    /// selecting `keep_id` if it is still visible.
    fn resort(&mut self, keep_id: Option<&str>, rows: usize) {
        self.touch();
        let order = self.sort;
        // the order is total (ties fall back to the unique id), so an unstable sort gives the
        // stable one's result, without its scratch copy of the list (8.8 MB for 100,000 entries,
        // memory the allocator then keeps)
        self.entries.sort_unstable_by(|a, b| order.compare(a, b));
        self.index.rebuild(&self.entries);
        self.refilter_keeping(keep_id, rows);
    }

    /// The entries or their names changed: what the filter derived from them is out of date.
    fn touch(&mut self) {
        self.folded = None;
        self.matched = None;
    }

    /// Filters again, keeping the selected session selected when it still matches.
    fn refilter(&mut self, rows: usize) {
        let selected_id = self.selected_id();
        self.refilter_keeping(selected_id.as_deref(), rows);
    }

    fn refilter_keeping(&mut self, id: Option<&str>, rows: usize) {
        self.fill_visible();
        self.restore_selection(id, rows);
    }

    fn restore_selection(&mut self, id: Option<&str>, rows: usize) {
        // `visible` holds ascending positions, so a binary search finds the row.
        let row = id
            .and_then(|id| self.position(id))
            .and_then(|i| self.visible.binary_search(&i).ok());
        self.selected = match row {
            Some(r) => r,
            None => self.selected.min(self.visible.len().saturating_sub(1)),
        };
        self.keep_in_view(rows);
    }

    /// Recomputes `visible`: ascending positions of the sessions whose name contains the filter,
    /// ignoring case. The names are folded once into one buffer (see [`FoldedNames`]), so a key
    /// scans contiguous memory without allocating; a filter that grows from the last one only
    /// looks at the rows that one matched.
    fn fill_visible(&mut self) {
        let needle = names::fold(self.filter_text());
        if needle.is_empty() {
            self.visible.clear();
            self.visible.extend(0..self.entries.len());
        } else {
            let entries = &self.entries;
            let folded = self.folded.get_or_insert_with(|| {
                FoldedNames::build(entries.iter().map(SessionEntry::shown_str))
            });
            debug_assert_eq!(folded.len(), entries.len());
            let narrowing = self
                .matched
                .as_deref()
                .is_some_and(|old| !old.is_empty() && memchr::memmem::find(&needle, old).is_some());
            if narrowing {
                folded.retain_matching(&needle, &mut self.visible);
            } else {
                self.visible.clear();
                folded.matches_into(&needle, &mut self.visible);
            }
        }
        self.matched = Some(needle);
    }

    /// Merges a next page into the sorted list without re-sorting, re-hashing or re-filtering
    /// what was already there: `entries[..loaded]` is the sorted list before the page,
    /// `entries[loaded..]` the page's new sessions (already in the index), `updated` the loaded
    /// entries it replaced.
    ///
    /// Sorts the new run and merges it in with one pass; the index of the entries that moved is
    /// shifted in place (a scan of its values, no hashing) and only the new ids are looked up.
    /// Returns `false` (nothing changed) when the fast path does not apply: an update moved an
    /// entry, or, under the name order, an optimistic rename left the list out of order; the
    /// caller then re-sorts everything.
    fn merge_sorted(
        &mut self,
        loaded: usize,
        updated: &[usize],
        keep_id: Option<&str>,
        rows: usize,
    ) -> bool {
        let order = self.sort;
        let entries = &self.entries;
        let in_order = |i: usize| order.compare(&entries[i], &entries[i + 1]).is_lt();
        if updated
            .iter()
            .any(|&i| (i > 0 && !in_order(i - 1)) || (i + 1 < loaded && !in_order(i)))
        {
            return false;
        }
        // Times and ids change only with a re-sort; a pending name (shown at once) can break the
        // name order until the rename lands.
        let sorted = || entries[..loaded].is_sorted_by(|a, b| order.compare(a, b).is_lt());
        if order == SortOrder::Name && !sorted() {
            return false;
        }
        debug_assert!(sorted(), "the loaded sessions are kept sorted");
        // the new entries are indexed again where they land (the index finds an id through the
        // entry at its position, so it must not point at a moved one meanwhile)
        for i in loaded..self.entries.len() {
            self.index.remove(&self.entries, i);
        }
        let mut fresh = self.entries.split_off(loaded);
        fresh.sort_unstable_by(|a, b| order.compare(a, b));
        // Where each new entry goes among the loaded ones (non-decreasing).
        let slots: Vec<usize> = fresh
            .iter()
            .map(|f| {
                self.entries
                    .partition_point(|e| order.compare(e, f).is_lt())
            })
            .collect();
        let start = slots.first().copied().unwrap_or(loaded);
        // In place, from the back: the range from a new entry's slot to the end of what is still
        // unplaced holds old entries followed by the new ones not yet placed; rotating the latter
        // to the front puts the last of them where it belongs and shifts the old entries once.
        self.entries.append(&mut fresh);
        let mut end = self.entries.len();
        for (j, &slot) in slots.iter().enumerate().rev() {
            self.entries[slot..end].rotate_right(j + 1);
            end = slot + j;
        }
        if start < loaded {
            // A loaded entry moves down by the number of new ones placed before it.
            for position in self.index.positions_mut() {
                let at = *position as usize;
                if (start..loaded).contains(&at) {
                    *position += slots.partition_point(|&s| s <= at) as u32;
                }
            }
        }
        for (j, &slot) in slots.iter().enumerate() {
            self.index.insert(&self.entries, slot + j);
        }
        self.fill_visible();
        self.restore_selection(keep_id, rows);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: Option<&str>) -> SessionEntry {
        SessionEntry::new(Session {
            id: "8e95c36e-c9bd-4e14-8317-3cd4332e1e3b".into(),
            display_name: name.map(str::to_string),
            created_date_time: None,
            last_modified_date_time: None,
        })
    }

    #[test]
    fn the_drawn_name_is_stored_only_when_it_differs() {
        let plain = entry(Some("Phishing triage"));
        assert_eq!(plain.shown_name().as_deref(), Some("Phishing triage"));
        assert!(plain.rare.is_none(), "no second copy of a plain name");
        let padded = entry(Some("  Phishing triage \t"));
        assert_eq!(padded.shown_name().as_deref(), Some("Phishing triage"));
        let hostile = entry(Some("evil\u{1b}[2Jname"));
        assert_eq!(
            hostile.shown_name().map(CleanLine::into_string),
            Some(
                crate::sanitize::sanitize_line("evil\u{1b}[2Jname")
                    .trim()
                    .to_string()
            )
        );
        assert_ne!(
            hostile.shown_name().as_deref(),
            hostile.session.display_name.as_deref()
        );
        for untitled in [None, Some(""), Some("   ")] {
            assert_eq!(
                entry(untitled).shown_name().as_deref(),
                None,
                "{untitled:?}"
            );
        }
    }

    #[test]
    fn a_pending_name_is_drawn_until_it_goes() {
        let mut e = entry(Some("Old"));
        e.set_pending(Some(PendingRename {
            name: " New ".into(),
            req: RequestId { epoch: 0, seq: 1 },
        }));
        assert_eq!(e.shown_name().as_deref(), Some("New"));
        assert_eq!(e.current_name(), " New ");
        e.set_pending(None);
        assert_eq!(e.shown_name().as_deref(), Some("Old"));
        assert!(e.pending().is_none());
    }
}
