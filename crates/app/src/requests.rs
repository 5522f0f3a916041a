//! The one ledger of requests sent to the worker and not answered yet. Every request gets a
//! [`RequestId`] that names the workspace epoch it was sent in; an answer whose id is not in the
//! ledger (superseded, stopped, or from an older workspace) is dropped. Busy indicators are
//! derived from it, so nothing can drift.

use std::collections::HashMap;

pub use crate::protocol::RequestId;

/// What a request in flight is about, so its answer can be applied (or given back on failure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// A page of the session list (`first` for a load's page 1).
    Page { first: bool },
    /// A rename of `session_id` to `name`.
    Rename { session_id: String, name: String },
    /// A conversation load.
    Conversation { session_id: String },
    /// An ask from the prompt box, then the follow of its answer. `text` is what was typed (given
    /// back if it fails); `session_id` is known at once for a follow-up, after `Created` for a new
    /// session; `prompt_id` once the question is posted.
    Ask {
        text: String,
        session_id: Option<String>,
        prompt_id: Option<String>,
    },
    /// Following an answer that was already running when its conversation loaded.
    Follow {
        session_id: String,
        prompt_id: String,
    },
    /// A Markdown export.
    Export,
    /// The workspace list for the picker.
    Workspaces,
    /// The device-code sign-in.
    SignIn,
    /// A full-text search of the local store (the search view).
    Search,
    /// A sync of every conversation into the local store (the sync key).
    Sync,
    /// Opening a workspace (at start, or picked with the workspace key): its stored list.
    StoredList,
    /// A fork's run: a new session asking a session's questions again; `progress` as last
    /// reported.
    Fork {
        name: String,
        progress: Option<crate::protocol::ForkProgress>,
    },
}

impl Pending {
    /// Whether the user waits on it (the spinner turns): not for the stored list, which is
    /// read at once and shows nothing until it lands.
    pub fn awaited_by_user(&self) -> bool {
        !matches!(self, Self::StoredList)
    }

    /// The session whose answer this request follows, if it follows one.
    pub fn followed_session(&self) -> Option<&str> {
        match self {
            Self::Ask { session_id, .. } => session_id.as_deref(),
            Self::Follow { session_id, .. } => Some(session_id),
            _ => None,
        }
    }
}

/// The pending-request map with its epoch and id counter.
#[derive(Debug, Clone)]
pub struct Requests {
    epoch: u32,
    next_seq: u64,
    pending: HashMap<RequestId, Pending>,
}

impl Default for Requests {
    fn default() -> Self {
        Self {
            epoch: 0,
            next_seq: 1,
            pending: HashMap::new(),
        }
    }
}

impl Requests {
    /// Records a new request and returns its id.
    pub fn start(&mut self, pending: Pending) -> RequestId {
        let id = RequestId {
            epoch: self.epoch,
            seq: self.next_seq,
        };
        self.next_seq += 1;
        self.pending.insert(id, pending);
        id
    }

    /// The request `id` when it is still awaited (same epoch, not finished or dropped).
    pub fn get(&self, id: RequestId) -> Option<&Pending> {
        if id.epoch != self.epoch {
            return None;
        }
        self.pending.get(&id)
    }

    /// Mutable access to an awaited request (to note what its answers revealed).
    pub fn get_mut(&mut self, id: RequestId) -> Option<&mut Pending> {
        if id.epoch != self.epoch {
            return None;
        }
        self.pending.get_mut(&id)
    }

    /// Ends request `id`, returning what it was about (`None` if it was not awaited).
    pub fn finish(&mut self, id: RequestId) -> Option<Pending> {
        if id.epoch != self.epoch {
            return None;
        }
        self.pending.remove(&id)
    }

    /// Ends every request matching `which`, returning their ids (sorted, oldest first).
    pub fn finish_where(&mut self, which: impl Fn(&Pending) -> bool) -> Vec<RequestId> {
        let mut ids: Vec<RequestId> = self
            .pending
            .iter()
            .filter(|(_, p)| which(p))
            .map(|(&id, _)| id)
            .collect();
        ids.sort_unstable();
        for id in &ids {
            self.pending.remove(id);
        }
        ids
    }

    /// Starts a new epoch (another workspace): everything awaited is forgotten, so any answer
    /// still on its way is dropped. Returns the requests that were awaited.
    pub fn new_epoch(&mut self) -> Vec<(RequestId, Pending)> {
        self.epoch += 1;
        let mut old: Vec<_> = self.pending.drain().collect();
        old.sort_unstable_by_key(|(id, _)| *id);
        old
    }

    /// The current workspace epoch.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Whether anything is awaited (drives the spinner).
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// How many requests are awaited.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Every awaited request (in no particular order).
    pub fn iter(&self) -> impl Iterator<Item = (RequestId, &Pending)> {
        self.pending.iter().map(|(&id, p)| (id, p))
    }

    /// The page request in flight, if any (at most one at a time).
    pub fn page(&self) -> Option<RequestId> {
        self.iter()
            .find(|(_, p)| matches!(p, Pending::Page { .. }))
            .map(|(id, _)| id)
    }

    /// The workspace being opened, if its stored list is still awaited.
    pub fn stored_list(&self) -> Option<RequestId> {
        self.iter()
            .find(|(_, p)| matches!(p, Pending::StoredList))
            .map(|(id, _)| id)
    }

    /// Whether the conversation of `session_id` is loading.
    pub fn loading_conversation(&self, session_id: &str) -> bool {
        self.pending
            .values()
            .any(|p| matches!(p, Pending::Conversation { session_id: s } if s == session_id))
    }

    /// Whether an answer in `session_id` is being followed.
    pub fn following(&self, session_id: &str) -> bool {
        self.pending
            .values()
            .any(|p| p.followed_session() == Some(session_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_finish_once() {
        let mut r = Requests::default();
        let a = r.start(Pending::Export);
        let b = r.start(Pending::Workspaces);
        assert_ne!(a, b);
        assert_eq!(r.len(), 2);
        assert_eq!(r.finish(a), Some(Pending::Export));
        assert_eq!(r.finish(a), None);
        assert!(!r.is_empty());
        assert_eq!(r.finish(b), Some(Pending::Workspaces));
        assert!(r.is_empty());
    }

    #[test]
    fn a_new_epoch_forgets_everything_and_old_ids_stay_unknown() {
        let mut r = Requests::default();
        let old = r.start(Pending::Page { first: true });
        assert_eq!(r.new_epoch().len(), 1);
        assert!(r.is_empty());
        assert_eq!(r.get(old), None);
        let new = r.start(Pending::Page { first: true });
        assert_eq!(new.epoch, old.epoch + 1);
        assert_ne!(new.seq, old.seq);
        // an id from the old epoch never matches, even forged with the new seq
        let forged = RequestId {
            epoch: old.epoch,
            seq: new.seq,
        };
        assert_eq!(r.finish(forged), None);
        assert_eq!(r.page(), Some(new));
    }

    #[test]
    fn follows_and_conversations_are_derived() {
        let mut r = Requests::default();
        r.start(Pending::Conversation {
            session_id: "s1".into(),
        });
        let ask = r.start(Pending::Ask {
            text: "q".into(),
            session_id: None,
            prompt_id: None,
        });
        assert!(r.loading_conversation("s1"));
        assert!(!r.following("s2"));
        if let Some(Pending::Ask { session_id, .. }) = r.get_mut(ask) {
            *session_id = Some("s2".into());
        }
        assert!(r.following("s2"));
        let stopped = r.finish_where(|p| p.followed_session() == Some("s2"));
        assert_eq!(stopped, vec![ask]);
        assert!(!r.following("s2"));
    }
}
