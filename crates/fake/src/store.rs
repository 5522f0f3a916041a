//! The fake's Graph state behind one lock, and [`FakeStore`], the handle the routes and tests use.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use jiff::Timestamp;

use crate::clock::Clock;
use crate::records::{
    Answers, EvalRec, PromptRec, SessionRec, WorkspaceRec, bump, new_id, outcome_message, triggers,
};
use crate::wire::{self, EvaluationResultType};

/// The order the sessions list comes in when the client asks for none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SessionOrder {
    /// Newest first, as the docs' list example shows (the default).
    #[default]
    NewestFirst,
    /// Creation order, oldest first (what the fake served before).
    OldestFirst,
}

/// Everything the fake knows about Graph's data.
#[derive(Debug)]
pub(crate) struct State {
    pub workspaces: Vec<WorkspaceRec>,
    pub answers: Answers,
    /// How long a new evaluation takes from `created` to its end.
    pub evaluation_delay: Duration,
    /// `None` = any non-empty bearer token is accepted (besides those the identity provider
    /// issued, which are checked by expiry).
    pub accepted_tokens: Option<Vec<String>>,
    /// The default order of the sessions list.
    pub session_order: SessionOrder,
    /// Query options the docs do not list for a resource are answered with 400.
    pub strict: bool,
    /// The next row sequence number (rows are keyed on it across pages).
    pub next_seq: u64,
}

impl State {
    /// An empty state with these settings.
    pub fn new(answers: Answers, evaluation_delay: Duration) -> Self {
        Self {
            workspaces: Vec::new(),
            answers,
            evaluation_delay,
            accepted_tokens: None,
            session_order: SessionOrder::default(),
            strict: true,
            next_seq: 1,
        }
    }

    /// A fresh row sequence number.
    pub fn seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    /// One workspace by id (case-insensitive).
    pub fn workspace(&self, id: &str) -> Option<&WorkspaceRec> {
        self.workspaces
            .iter()
            .find(|w| w.id.eq_ignore_ascii_case(id))
    }

    /// One workspace by id, to change it.
    pub fn workspace_mut(&mut self, id: &str) -> Option<&mut WorkspaceRec> {
        self.workspaces
            .iter_mut()
            .find(|w| w.id.eq_ignore_ascii_case(id))
    }

    fn workspace_or_create(&mut self, id: &str) -> &mut WorkspaceRec {
        let pos = match self
            .workspaces
            .iter()
            .position(|w| w.id.eq_ignore_ascii_case(id))
        {
            Some(p) => p,
            None => {
                let seq = self.seq();
                self.workspaces
                    .push(WorkspaceRec::new(seq, id, None, Vec::new()));
                self.workspaces.len() - 1
            }
        };
        &mut self.workspaces[pos]
    }

    /// Appends a new session (creation order) and returns a copy.
    pub fn create_session(&mut self, ws: &str, name: Option<&str>, now: Timestamp) -> SessionRec {
        let rec = SessionRec {
            seq: self.seq(),
            id: new_id(),
            name: name.map(str::to_string),
            created: now,
            modified: now,
            prompts: Vec::new(),
        };
        self.workspace_or_create(ws).push(rec.clone());
        rec
    }

    /// Renames a session, bumping `lastModifiedDateTime` (the one change that does).
    pub fn rename_session(
        &mut self,
        ws: &str,
        sid: &str,
        name: Option<&str>,
        now: Timestamp,
    ) -> Option<SessionRec> {
        let s = self.workspace_mut(ws)?.session_mut(sid)?;
        s.name = name.map(str::to_string);
        s.modified = bump(s.modified, now);
        Some(s.clone())
    }

    /// Adds a prompt to a session. The session's `lastModifiedDateTime` does not move: the
    /// metadata says it follows `displayName`, so clients must not watch it for new prompts.
    pub fn create_prompt(
        &mut self,
        ws: &str,
        sid: &str,
        content: &str,
        now: Timestamp,
    ) -> Option<PromptRec> {
        let seq = self.seq();
        let session = self.workspace_mut(ws)?.session_mut(sid)?;
        let rec = PromptRec {
            seq,
            id: new_id(),
            content: content.to_string(),
            created: now,
            evaluations: Vec::new(),
        };
        session.prompts.push(rec.clone());
        Some(rec)
    }

    /// Starts a run of a prompt: its course and outcome are decided now (from the question's
    /// trigger words), revealed by the clock. `[fail:capacityExceeded]` holds only for the
    /// clock hour of the prompt's first run: capacity renews at the next full hour, so a run
    /// started after that succeeds.
    pub fn create_evaluation(
        &mut self,
        ws: &str,
        sid: &str,
        pid: &str,
        now: Timestamp,
    ) -> Option<EvalRec> {
        let seq = self.seq();
        let delay = self.evaluation_delay;
        let answers = &self.answers;
        let ws = self
            .workspaces
            .iter_mut()
            .find(|w| w.id.eq_ignore_ascii_case(ws))?;
        let prompt = ws
            .session_mut(sid)?
            .prompts
            .iter_mut()
            .find(|p| p.id.eq_ignore_ascii_case(pid))?;
        let (lifecycle, mut outcome) = triggers(&prompt.content, prompt.evaluations.is_empty());
        if outcome == EvaluationResultType::CapacityExceeded && capacity_renewed(prompt, now) {
            outcome = EvaluationResultType::Success;
        }
        let content =
            outcome_message(lifecycle, outcome).unwrap_or_else(|| answers.pick(&prompt.content));
        let rec = EvalRec::planned(seq, now, delay, lifecycle, outcome, content);
        prompt.evaluations.push(rec.clone());
        Some(rec)
    }
}

/// Whether the hour in which `prompt` first ran out of capacity has ended by `now` (Security
/// Compute Units are provisioned by the hour).
fn capacity_renewed(prompt: &PromptRec, now: Timestamp) -> bool {
    const HOUR: i64 = 3600;
    prompt.evaluations.first().is_some_and(|first| {
        now.as_second().div_euclid(HOUR) > first.created.as_second().div_euclid(HOUR)
    })
}

/// A cloneable handle on the fake's Graph state, for the server and for tests that inspect or
/// alter it behind the client's back.
#[derive(Clone, Debug)]
pub struct FakeStore {
    inner: Arc<Mutex<State>>,
    clock: Clock,
}

impl FakeStore {
    pub(crate) fn new(state: State, clock: Clock) -> Self {
        Self {
            inner: Arc::new(Mutex::new(state)),
            clock,
        }
    }

    /// Locks the state; a panic elsewhere must not wedge the fake, so poisoning is ignored.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The clock every time in the store comes from.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The workspaces, in listing order.
    pub fn workspaces(&self) -> Vec<wire::Workspace> {
        self.lock()
            .workspaces
            .iter()
            .map(WorkspaceRec::to_wire)
            .collect()
    }

    /// All sessions of a workspace in creation order, oldest first (empty for an unknown
    /// workspace), whatever order the list route serves.
    pub fn sessions(&self, workspace: &str) -> Vec<wire::Session> {
        self.lock()
            .workspace(workspace)
            .map(|w| w.sessions.iter().map(SessionRec::to_wire).collect())
            .unwrap_or_default()
    }

    /// How many sessions a workspace holds, without copying them.
    pub fn session_count(&self, workspace: &str) -> usize {
        self.lock()
            .workspace(workspace)
            .map_or(0, |w| w.sessions.len())
    }

    /// One session, if it exists.
    pub fn session(&self, workspace: &str, id: &str) -> Option<wire::Session> {
        self.lock()
            .workspace(workspace)?
            .session(id)
            .map(SessionRec::to_wire)
    }

    /// Adds a session as if POSTed (the workspace is created when unknown).
    pub fn insert_session(&self, workspace: &str, name: Option<&str>) -> wire::Session {
        let now = self.clock.now();
        self.lock().create_session(workspace, name, now).to_wire()
    }

    /// Adds a session exactly as given (id and times too), e.g. to serve a timestamp in one of
    /// the forms Graph writes. It counts as the newest session.
    pub fn insert_session_as(&self, workspace: &str, session: wire::Session) {
        let mut state = self.lock();
        let seq = state.seq();
        state.workspace_or_create(workspace).push(SessionRec {
            seq,
            id: session.id.to_ascii_lowercase(),
            name: session.display_name,
            created: session.created_date_time,
            modified: session.last_modified_date_time,
            prompts: Vec::new(),
        });
    }

    /// Renames a session behind the client's back, bumping `lastModifiedDateTime`.
    pub fn rename_session(
        &self,
        workspace: &str,
        id: &str,
        name: Option<&str>,
    ) -> Option<wire::Session> {
        let now = self.clock.now();
        self.lock()
            .rename_session(workspace, id, name, now)
            .map(|s| s.to_wire())
    }

    /// Deletes a session behind the client's back (there is no DELETE route, as in Graph).
    pub fn remove_session(&self, workspace: &str, id: &str) -> bool {
        let mut state = self.lock();
        let Some(ws) = state.workspace_mut(workspace) else {
            return false;
        };
        let before = ws.sessions.len();
        ws.sessions.retain(|s| !s.id.eq_ignore_ascii_case(id));
        let removed = ws.sessions.len() != before;
        if removed {
            ws.reindex();
        }
        removed
    }

    /// Adds a prompt as if POSTed (without running it), e.g. from another device.
    pub fn insert_prompt(
        &self,
        workspace: &str,
        session: &str,
        content: &str,
    ) -> Option<wire::Prompt> {
        let now = self.clock.now();
        self.lock()
            .create_prompt(workspace, session, content, now)
            .map(|p| p.to_wire())
    }

    /// The prompts of a session, in creation order.
    pub fn prompts(&self, workspace: &str, session: &str) -> Vec<wire::Prompt> {
        let state = self.lock();
        state
            .workspace(workspace)
            .and_then(|w| w.session(session))
            .map(|s| s.prompts.iter().map(PromptRec::to_wire).collect())
            .unwrap_or_default()
    }

    /// The evaluations of a prompt as a client would see them right now.
    pub fn evaluations(
        &self,
        workspace: &str,
        session: &str,
        prompt: &str,
    ) -> Vec<wire::Evaluation> {
        let now = self.clock.now();
        let state = self.lock();
        state
            .workspace(workspace)
            .and_then(|w| w.prompt(session, prompt))
            .map(|p| p.evaluations.iter().map(|e| e.to_wire(now)).collect())
            .unwrap_or_default()
    }

    /// The plugins of a workspace, in listing order.
    pub fn plugins(&self, workspace: &str) -> Vec<wire::Plugin> {
        self.lock()
            .workspace(workspace)
            .map(|w| w.plugins.iter().map(|p| p.plugin.clone()).collect())
            .unwrap_or_default()
    }

    /// Changes how long new evaluations take.
    pub fn set_evaluation_delay(&self, delay: Duration) {
        self.lock().evaluation_delay = delay;
    }

    /// Changes the default order of the sessions list.
    pub fn set_session_order(&self, order: SessionOrder) {
        self.lock().session_order = order;
    }

    /// Turns strict mode (400 for query options the docs don't list) on or off.
    pub fn set_strict(&self, strict: bool) {
        self.lock().strict = strict;
    }

    /// Changes which bearer tokens are accepted (`None` = any non-empty one), e.g. to expire a
    /// token mid-test.
    pub fn set_accepted_tokens(&self, tokens: Option<Vec<String>>) {
        self.lock().accepted_tokens = tokens;
    }

    /// Whether a token not issued by the fake identity provider is accepted.
    pub(crate) fn accepts_static_token(&self, token: &str) -> bool {
        match &self.lock().accepted_tokens {
            None => !token.is_empty(),
            Some(list) => list.iter().any(|t| t == token),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{EvaluationResultType, EvaluationState};

    fn store() -> FakeStore {
        let mut state = State::new(Answers::default(), Duration::from_secs(1));
        let seq = state.seq();
        state.workspaces.push(WorkspaceRec::new(
            seq,
            "default",
            Some("Contoso SOC"),
            vec![],
        ));
        FakeStore::new(
            state,
            Clock::frozen("2025-01-01T00:00:00Z".parse().unwrap()),
        )
    }

    #[test]
    fn store_crud_and_index() {
        let store = store();
        let a = store.insert_session("default", Some("a"));
        let b = store.insert_session("default", None);
        assert_eq!(store.session_count("default"), 2);
        assert_eq!(
            store.session("default", &a.id.to_uppercase()).unwrap().id,
            a.id
        );
        let renamed = store.rename_session("default", &a.id, Some("a2")).unwrap();
        assert!(renamed.last_modified_date_time > a.last_modified_date_time);
        assert!(store.remove_session("default", &a.id));
        assert!(!store.remove_session("default", &a.id));
        assert_eq!(store.session("default", &b.id).unwrap().display_name, None);
        assert!(store.session("default", &a.id).is_none());
        store.insert_session("new-ws", Some("x"));
        assert_eq!(store.workspaces().len(), 2);
    }

    #[test]
    fn a_prompt_does_not_touch_the_session_and_runs_follow_the_clock() {
        let store = store();
        let s = store.insert_session("default", Some("s"));
        store.clock().advance(Duration::from_secs(60));
        let p = store
            .insert_prompt("default", &s.id, "check this phish [fail:error]")
            .unwrap();
        assert_eq!(store.session("default", &s.id).unwrap(), s);
        let now = store.clock().now();
        let e = store
            .lock()
            .create_evaluation("default", &s.id, &p.id, now)
            .unwrap();
        assert_eq!(e.outcome, EvaluationResultType::Error);
        assert_eq!(store.prompts("default", &s.id).len(), 1);
        let evals = store.evaluations("default", &s.id, &p.id);
        assert_eq!(evals[0].state, EvaluationState::Created);
        store.clock().advance(Duration::from_secs(1));
        let evals = store.evaluations("default", &s.id, &p.id);
        assert_eq!(evals[0].state, EvaluationState::Completed);
        assert_eq!(
            evals[0].result.as_ref().unwrap().result_type,
            EvaluationResultType::Error
        );
        assert!(
            store
                .lock()
                .create_evaluation("default", &s.id, "nope", now)
                .is_none()
        );
    }

    #[test]
    fn capacity_runs_out_for_the_hour_of_the_first_run_then_renews() {
        let store = store();
        let s = store.insert_session("default", Some("s"));
        let p = store
            .insert_prompt(
                "default",
                &s.id,
                "all sign-ins for 90 days [fail:capacityExceeded]",
            )
            .unwrap();
        let run = |store: &FakeStore| {
            let now = store.clock().now();
            store
                .lock()
                .create_evaluation("default", &s.id, &p.id, now)
                .unwrap()
                .outcome
        };
        use EvaluationResultType as R;
        assert_eq!(run(&store), R::CapacityExceeded);
        // later in the same hour: still out of capacity
        store.clock().advance(Duration::from_secs(59 * 60));
        assert_eq!(run(&store), R::CapacityExceeded);
        // the next hour: renewed
        store.clock().advance(Duration::from_secs(60));
        assert_eq!(run(&store), R::Success);
        assert_eq!(store.evaluations("default", &s.id, &p.id).len(), 3);
    }

    #[test]
    fn tokens() {
        let store = store();
        assert!(store.accepts_static_token("anything"));
        assert!(!store.accepts_static_token(""));
        store.set_accepted_tokens(Some(vec!["t1".into()]));
        assert!(store.accepts_static_token("t1"));
        assert!(!store.accepts_static_token("t2"));
    }
}
