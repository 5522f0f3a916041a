//! What the fake stores: workspaces, sessions, prompts, evaluations and plugins, and how each
//! becomes its wire shape ([`crate::wire`]).
//!
//! Evaluations have no background task: each holds its planned timeline (a list of state changes)
//! and its visible state is computed from the clock whenever it is read, so a test that advances
//! the [`crate::Clock`] sees it progress at once.

use std::collections::HashMap;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::odata::Row;
use crate::wire::{
    self, EvaluationResultType, EvaluationState, PreviewState, PromptInputs, PromptType,
};

/// A session as stored; `seq` orders it among all rows ever created (pages key on it).
#[derive(Debug, Clone)]
pub(crate) struct SessionRec {
    pub seq: u64,
    pub id: String,
    pub name: Option<String>,
    pub created: Timestamp,
    pub modified: Timestamp,
    pub prompts: Vec<PromptRec>,
}

/// A prompt as stored.
#[derive(Debug, Clone)]
pub(crate) struct PromptRec {
    pub seq: u64,
    pub id: String,
    pub content: String,
    pub created: Timestamp,
    pub evaluations: Vec<EvalRec>,
}

/// How a run unfolds after it is created; the demo and the trigger words pick one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// created → running → completed (with the result type asked for).
    Normal,
    /// created → pending (queued for capacity) → running → completed.
    Queued,
    /// created → deferred, and stays there.
    Deferred,
    /// created → running → waitingForInput, and stays there.
    WaitingForInput,
    /// created → running → cancelled (`isCancelled`), no answer.
    Cancelled,
}

impl Lifecycle {
    /// The state a seed file or trigger word names, as a lifecycle that ends (or rests) there.
    pub fn from_state(state: EvaluationState) -> Option<Self> {
        match state {
            EvaluationState::Completed | EvaluationState::Running => Some(Self::Normal),
            EvaluationState::Pending => Some(Self::Queued),
            EvaluationState::Deferred => Some(Self::Deferred),
            EvaluationState::WaitingForInput => Some(Self::WaitingForInput),
            EvaluationState::Cancelled => Some(Self::Cancelled),
            _ => None,
        }
    }
}

/// An evaluation's planned timeline and outcome; its visible state follows the clock.
#[derive(Debug, Clone)]
pub(crate) struct EvalRec {
    pub seq: u64,
    pub id: String,
    pub created: Timestamp,
    /// State changes after `created`, in time order.
    pub steps: Vec<(Timestamp, EvaluationState)>,
    /// The result type once completed.
    pub outcome: EvaluationResultType,
    pub preview: PreviewState,
    /// The answer (or failure text) once completed; the question asked back while waiting.
    pub content: String,
}

fn after(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.saturating_add(d).unwrap_or(t)
}

impl EvalRec {
    /// A run created at `start` whose work takes `run_time`; `lifecycle` says which states it
    /// passes through. Running starts after a tenth of the run time (a third of it is spent
    /// pending when queued).
    pub fn planned(
        seq: u64,
        start: Timestamp,
        run_time: Duration,
        lifecycle: Lifecycle,
        outcome: EvaluationResultType,
        content: String,
    ) -> Self {
        let total = SignedDuration::try_from(run_time).unwrap_or(SignedDuration::from_secs(2));
        let tenth = total / 10;
        use EvaluationState as S;
        let steps = match lifecycle {
            Lifecycle::Normal => vec![
                (after(start, tenth), S::Running),
                (after(start, total), S::Completed),
            ],
            Lifecycle::Queued => vec![
                (after(start, tenth), S::Pending),
                (after(start, total / 3), S::Running),
                (after(start, total), S::Completed),
            ],
            Lifecycle::Deferred => vec![(after(start, tenth), S::Deferred)],
            Lifecycle::WaitingForInput => vec![
                (after(start, tenth), S::Running),
                (after(start, total / 2), S::WaitingForInput),
            ],
            Lifecycle::Cancelled => vec![
                (after(start, tenth), S::Running),
                (after(start, total / 2), S::Cancelled),
            ],
        };
        Self {
            seq,
            id: new_id(),
            created: start,
            steps,
            outcome,
            preview: PreviewState::Ga,
            content,
        }
    }

    /// The last state change at or before `now`, if any.
    fn reached(&self, now: Timestamp) -> Option<(Timestamp, EvaluationState)> {
        self.steps.iter().rev().find(|(at, _)| *at <= now).copied()
    }

    /// When the run ends (completed or cancelled), if it ever does.
    #[cfg(test)]
    pub fn ends_at(&self) -> Option<Timestamp> {
        self.steps
            .iter()
            .find(|(_, s)| matches!(s, EvaluationState::Completed | EvaluationState::Cancelled))
            .map(|(at, _)| *at)
    }

    /// The wire shape as a client would see it at `now`.
    pub fn to_wire(&self, now: Timestamp) -> wire::Evaluation {
        let (modified, state) = self
            .reached(now)
            .unwrap_or((self.created, EvaluationState::Created));
        let run_start = self
            .steps
            .iter()
            .find(|(at, s)| *s == EvaluationState::Running && *at <= now)
            .map(|(at, _)| *at);
        let ended = matches!(
            state,
            EvaluationState::Completed | EvaluationState::Cancelled
        );
        let result = |content: Option<&str>, result_type| {
            Some(wire::EvaluationResult {
                content: content.map(str::to_string),
                result_type,
                preview_state: self.preview,
            })
        };
        let result = match state {
            EvaluationState::Created => None,
            EvaluationState::Completed => result(Some(&self.content), self.outcome),
            EvaluationState::WaitingForInput => {
                result(Some(&self.content), EvaluationResultType::Unknown)
            }
            _ => result(None, EvaluationResultType::Unknown),
        };
        wire::Evaluation {
            id: self.id.clone(),
            state,
            result,
            execution_count: i64::from(run_start.is_some()),
            is_cancelled: state == EvaluationState::Cancelled,
            created_date_time: self.created,
            run_start_date_time: run_start,
            completed_date_time: ended.then_some(modified),
            last_modified_date_time: modified,
        }
    }
}

impl SessionRec {
    /// The wire shape.
    pub fn to_wire(&self) -> wire::Session {
        wire::Session {
            id: self.id.clone(),
            created_date_time: self.created,
            last_modified_date_time: self.modified,
            display_name: self.name.clone(),
        }
    }

    /// One prompt by id (case-insensitive, as Graph's keys are).
    pub fn prompt(&self, pid: &str) -> Option<&PromptRec> {
        self.prompts.iter().find(|p| p.id.eq_ignore_ascii_case(pid))
    }
}

impl PromptRec {
    /// The wire shape, including the not-implemented `inputs` and `skillInputDescriptors`.
    pub fn to_wire(&self) -> wire::Prompt {
        wire::Prompt {
            id: self.id.clone(),
            prompt_type: PromptType::Prompt,
            content: Some(self.content.clone()),
            skill_name: None,
            inputs: PromptInputs::default(),
            skill_input_descriptors: Vec::new(),
            created_date_time: self.created,
            last_modified_date_time: self.created,
        }
    }

    /// One evaluation by id.
    pub fn evaluation(&self, eid: &str) -> Option<&EvalRec> {
        self.evaluations
            .iter()
            .find(|e| e.id.eq_ignore_ascii_case(eid))
    }
}

/// A plugin with its position among the workspace's plugins.
#[derive(Debug, Clone)]
pub(crate) struct PluginRec {
    pub seq: u64,
    pub plugin: wire::Plugin,
}

/// A workspace, its sessions in creation order (with an id index) and its plugins.
#[derive(Debug, Clone)]
pub(crate) struct WorkspaceRec {
    pub seq: u64,
    pub id: String,
    pub name: Option<String>,
    pub sessions: Vec<SessionRec>,
    pub plugins: Vec<PluginRec>,
    index: HashMap<String, usize>,
}

impl WorkspaceRec {
    /// A workspace holding `sessions` (creation order) and no plugins.
    pub fn new(seq: u64, id: &str, name: Option<&str>, sessions: Vec<SessionRec>) -> Self {
        let mut ws = Self {
            seq,
            id: id.to_string(),
            name: name.map(str::to_string),
            sessions,
            plugins: Vec::new(),
            index: HashMap::new(),
        };
        ws.reindex();
        ws
    }

    /// Rebuilds the id index after sessions were removed.
    pub fn reindex(&mut self) {
        self.index = self
            .sessions
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.to_ascii_lowercase(), i))
            .collect();
    }

    /// One session by id (case-insensitive).
    pub fn session(&self, id: &str) -> Option<&SessionRec> {
        self.index
            .get(&id.to_ascii_lowercase())
            .and_then(|&i| self.sessions.get(i))
    }

    /// One session by id, to change it.
    pub fn session_mut(&mut self, id: &str) -> Option<&mut SessionRec> {
        let i = *self.index.get(&id.to_ascii_lowercase())?;
        self.sessions.get_mut(i)
    }

    /// Appends a session (the newest).
    pub fn push(&mut self, s: SessionRec) {
        self.index
            .insert(s.id.to_ascii_lowercase(), self.sessions.len());
        self.sessions.push(s);
    }

    /// The wire shape.
    pub fn to_wire(&self) -> wire::Workspace {
        wire::Workspace::new(&self.id, self.name.as_deref())
    }

    /// One prompt of one session.
    pub fn prompt(&self, sid: &str, pid: &str) -> Option<&PromptRec> {
        self.session(sid)?.prompt(pid)
    }
}

/// Markdown answers picked by keywords in the question.
#[derive(Debug, Clone, Default)]
pub(crate) struct Answers {
    pub entries: Vec<(Vec<String>, String)>,
}

impl Answers {
    /// The answer with the most keyword hits (first wins a tie), else a generic one.
    pub fn pick(&self, question: &str) -> String {
        let q = question.to_lowercase();
        let best = self
            .entries
            .iter()
            .map(|(kws, content)| {
                let hits = kws
                    .iter()
                    .filter(|k| !k.is_empty() && q.contains(k.as_str()))
                    .count();
                (hits, content)
            })
            .fold(None::<(usize, &String)>, |best, (hits, c)| match best {
                Some((b, _)) if b >= hits => best,
                _ if hits > 0 => Some((hits, c)),
                _ => best,
            });
        match best {
            Some((_, content)) => content.clone(),
            None => generic_answer(question),
        }
    }
}

fn generic_answer(question: &str) -> String {
    let topic: String = question
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(120)
        .collect();
    format!(
        "## Summary\n\nHere is what I found about **{topic}**.\n\n\
         - No matching incidents were raised in the last 7 days.\n\
         - Sign-in activity for the related accounts looks consistent with their usual locations.\n\
         - No alerts from Microsoft Defender for Endpoint reference these entities.\n\n\
         ### Suggested next steps\n\n\
         1. Review the related alerts in the Microsoft Defender portal.\n\
         2. Run a focused KQL hunt if you have specific indicators.\n\n\
         _This answer was generated by the sctui demo fake; it is not real Security Copilot output._\n"
    )
}

/// What a question asks of the fake through its trigger words: `[fail:timedOut]` (any result
/// type), `[fail-once:capacityExceeded]` (that result for the prompt's `first` evaluation only,
/// so a retry succeeds) and `[state:deferred]` (pending, deferred, waitingForInput, cancelled).
pub(crate) fn triggers(content: &str, first: bool) -> (Lifecycle, EvaluationResultType) {
    let lower = content.to_ascii_lowercase();
    let word = |prefix: &str| {
        let start = lower.find(prefix)? + prefix.len();
        let end = lower[start..].find(']')? + start;
        Some(lower[start..end].trim().to_string())
    };
    let once = if first { word("[fail-once:") } else { None };
    let outcome = word("[fail:")
        .or(once)
        .and_then(|w| w.parse::<EvaluationResultType>().ok())
        .filter(|t| *t != EvaluationResultType::Success)
        .unwrap_or(EvaluationResultType::Success);
    let lifecycle = word("[state:")
        .and_then(|w| w.parse::<EvaluationState>().ok())
        .and_then(Lifecycle::from_state)
        .unwrap_or(Lifecycle::Normal);
    (lifecycle, outcome)
}

/// The text a run carries as its content when it does not end with an answer.
pub(crate) fn outcome_message(lifecycle: Lifecycle, kind: EvaluationResultType) -> Option<String> {
    if lifecycle == Lifecycle::WaitingForInput {
        return Some(
            "I need more detail to continue: which time range and which tenant should I search?"
                .to_string(),
        );
    }
    let text = match kind {
        EvaluationResultType::Success => return None,
        EvaluationResultType::TimedOut => {
            "The request timed out before Security Copilot could finish. Try again, or narrow the question."
        }
        EvaluationResultType::CapacityExceeded => {
            "Your organization has used all of its provisioned Security Compute Units (SCUs). Try again later or ask an owner to add capacity."
        }
        EvaluationResultType::Rejected => {
            "This prompt was rejected because it doesn't comply with the responsible AI policy."
        }
        EvaluationResultType::NeedAdditionalClaims => {
            "Additional claims are needed to run this prompt: sign in again to satisfy your organization's Conditional Access policy."
        }
        _ => "Something went wrong while processing your prompt. Try again later.",
    };
    Some(text.to_string())
}

/// A fresh lowercase GUID, as Graph hands out.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A new modified time that is strictly later than the old one, even within one clock tick.
pub(crate) fn bump(old: Timestamp, now: Timestamp) -> Timestamp {
    if now > old {
        now
    } else {
        after(old, SignedDuration::from_nanos(100))
    }
}

impl Row for SessionRec {
    fn seq(&self) -> u64 {
        self.seq
    }
    fn text(&self, property: &str) -> Option<&str> {
        match property {
            "displayName" => self.name.as_deref(),
            "id" => Some(&self.id),
            _ => None,
        }
    }
    fn time(&self, property: &str) -> Option<Timestamp> {
        match property {
            "createdDateTime" => Some(self.created),
            "lastModifiedDateTime" => Some(self.modified),
            _ => None,
        }
    }
}

impl Row for PromptRec {
    fn seq(&self) -> u64 {
        self.seq
    }
    fn text(&self, property: &str) -> Option<&str> {
        (property == "content").then_some(self.content.as_str())
    }
    fn time(&self, property: &str) -> Option<Timestamp> {
        match property {
            "createdDateTime" | "lastModifiedDateTime" => Some(self.created),
            _ => None,
        }
    }
}

impl Row for EvalRec {
    fn seq(&self) -> u64 {
        self.seq
    }
    fn text(&self, _property: &str) -> Option<&str> {
        None
    }
    fn time(&self, property: &str) -> Option<Timestamp> {
        // Sorting on the planned time is fine: it is the same instant once visible.
        match property {
            "createdDateTime" | "lastModifiedDateTime" => Some(self.created),
            _ => None,
        }
    }
}

impl Row for WorkspaceRec {
    fn seq(&self) -> u64 {
        self.seq
    }
    fn text(&self, property: &str) -> Option<&str> {
        (property == "displayName")
            .then_some(self.name.as_deref())
            .flatten()
    }
    fn time(&self, _property: &str) -> Option<Timestamp> {
        None
    }
}

impl Row for PluginRec {
    fn seq(&self) -> u64 {
        self.seq
    }
    fn text(&self, property: &str) -> Option<&str> {
        match property {
            "name" => Some(&self.plugin.name),
            "displayName" => Some(&self.plugin.display_name),
            _ => None,
        }
    }
    fn flag(&self, property: &str) -> Option<bool> {
        (property == "isEnabled").then_some(self.plugin.is_enabled)
    }
    fn time(&self, _property: &str) -> Option<Timestamp> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: Timestamp, secs: i64) -> Timestamp {
        after(start, SignedDuration::from_secs(secs))
    }

    #[test]
    fn answers_pick_by_keyword_hits() {
        let a = Answers {
            entries: vec![
                (vec!["phish".into(), "email".into()], "PHISH".into()),
                (vec!["kql".into()], "KQL".into()),
            ],
        };
        assert_eq!(a.pick("Triage this PHISHING email"), "PHISH");
        assert_eq!(a.pick("write a kql query"), "KQL");
        assert!(a.pick("hello").contains("hello"));
    }

    #[test]
    fn trigger_words_pick_outcome_and_lifecycle() {
        use EvaluationResultType as R;
        assert_eq!(
            triggers("x [fail:timedOut]", true),
            (Lifecycle::Normal, R::TimedOut)
        );
        assert_eq!(
            triggers("[FAIL:capacityexceeded]", true),
            (Lifecycle::Normal, R::CapacityExceeded)
        );
        assert_eq!(triggers("[fail:error]", true).1, R::Error);
        assert_eq!(triggers("[fail:rejected]", true).1, R::Rejected);
        assert_eq!(
            triggers("[fail:needAdditionalClaims]", true).1,
            R::NeedAdditionalClaims
        );
        assert_eq!(triggers("fine", true), (Lifecycle::Normal, R::Success));
        assert_eq!(
            triggers("[fail-once:capacityExceeded]", true).1,
            R::CapacityExceeded
        );
        assert_eq!(
            triggers("[fail-once:capacityExceeded]", false).1,
            R::Success,
            "only the first evaluation fails"
        );
        assert_eq!(triggers("[state:deferred]", true).0, Lifecycle::Deferred);
        assert_eq!(triggers("[state:Pending]", true).0, Lifecycle::Queued);
        assert_eq!(
            triggers("[state:waitingForInput]", true).0,
            Lifecycle::WaitingForInput
        );
        assert_eq!(
            triggers("[state:cancelled] [fail:bogus]", true),
            (Lifecycle::Cancelled, R::Success)
        );
    }

    #[test]
    fn evaluation_progresses_with_the_clock() {
        let start: Timestamp = "2025-01-01T00:00:00Z".parse().unwrap();
        let e = EvalRec::planned(
            1,
            start,
            Duration::from_secs(10),
            Lifecycle::Normal,
            EvaluationResultType::Success,
            "answer".into(),
        );
        let created = e.to_wire(start);
        assert_eq!(created.state, EvaluationState::Created);
        assert_eq!(created.result, None);
        assert_eq!(created.execution_count, 0);
        assert_eq!(created.run_start_date_time, None);
        assert_eq!(created.completed_date_time, None);
        let running = e.to_wire(at(start, 5));
        assert_eq!(running.state, EvaluationState::Running);
        let r = running.result.unwrap();
        assert_eq!(r.result_type, EvaluationResultType::Unknown);
        assert_eq!(r.content, None);
        assert_eq!(running.completed_date_time, None);
        let done = e.to_wire(at(start, 10));
        assert_eq!(done.state, EvaluationState::Completed);
        let r = done.result.unwrap();
        assert_eq!(r.content.as_deref(), Some("answer"));
        assert_eq!(r.result_type, EvaluationResultType::Success);
        assert_eq!(done.completed_date_time, Some(at(start, 10)));
        assert_eq!(done.run_start_date_time, Some(at(start, 1)));
        assert_eq!(done.execution_count, 1);
        assert!(!done.is_cancelled);
    }

    #[test]
    fn every_lifecycle_shows_its_states() {
        let start: Timestamp = "2025-01-01T00:00:00Z".parse().unwrap();
        let states = |l| {
            let e = EvalRec::planned(
                1,
                start,
                Duration::from_secs(30),
                l,
                EvaluationResultType::Success,
                "a".into(),
            );
            (0..=40)
                .map(|s| e.to_wire(at(start, s)).state)
                .fold(Vec::new(), |mut v, s| {
                    if v.last() != Some(&s) {
                        v.push(s);
                    }
                    v
                })
        };
        use EvaluationState as S;
        assert_eq!(
            states(Lifecycle::Normal),
            vec![S::Created, S::Running, S::Completed]
        );
        assert_eq!(
            states(Lifecycle::Queued),
            vec![S::Created, S::Pending, S::Running, S::Completed]
        );
        assert_eq!(states(Lifecycle::Deferred), vec![S::Created, S::Deferred]);
        assert_eq!(
            states(Lifecycle::WaitingForInput),
            vec![S::Created, S::Running, S::WaitingForInput]
        );
        assert_eq!(
            states(Lifecycle::Cancelled),
            vec![S::Created, S::Running, S::Cancelled]
        );
        let e = EvalRec::planned(
            1,
            start,
            Duration::from_secs(30),
            Lifecycle::Cancelled,
            EvaluationResultType::Success,
            "a".into(),
        );
        let w = e.to_wire(at(start, 30));
        assert!(w.is_cancelled);
        assert_eq!(w.completed_date_time, Some(at(start, 15)));
        assert_eq!(w.result.unwrap().content, None);
    }
}
