//! Initial contents of the fake: the demo data from `assets/demo/` (embedded, so the binary runs
//! from any directory) or a fast synthetic generator for scale checks.
//!
//! Demo times are relative to start-up so the list always looks fresh, and come in every form
//! Graph writes (7 fractional digits, fewer, none).

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;

use crate::records::{
    Answers, EvalRec, Lifecycle, PluginRec, PromptRec, SessionRec, WorkspaceRec, outcome_message,
};
use crate::store::State;
use crate::wire::{
    self, EvaluationResultType, EvaluationState, PluginAuth, PluginAuthType, PluginCatalogScope,
    PluginCategory, PluginSetting, PluginSettingDisplayType, PluginSettingType, PreviewState,
};

const DEMO_SESSIONS: &str = include_str!("../assets/demo/sessions.toml");
const DEMO_ANSWERS: &str = include_str!("../assets/demo/answers.toml");

/// What the fake starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seed {
    /// The hand-written demo sessions, prompts and answers from `assets/demo/`.
    Demo,
    /// `n` generated sessions in the default workspace (plus a few in the second), for scale checks.
    Synthetic(usize),
    /// Both workspaces, no sessions.
    Empty,
}

/// The workspace every tenant has.
pub const DEFAULT_WORKSPACE: &str = "default";
/// The second workspace served when the demo file does not name its own.
pub const SECOND_WORKSPACE: &str = "5b0c9d2e-6f3a-4e1b-9c7d-2a8e4f6b1c3d";

#[derive(Debug, Deserialize)]
struct DemoFile {
    #[serde(default)]
    workspace: Vec<DemoWorkspace>,
    #[serde(default)]
    session: Vec<DemoSession>,
}

#[derive(Debug, Deserialize)]
struct DemoWorkspace {
    id: String,
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DemoSession {
    #[serde(default = "default_workspace")]
    workspace: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    created_minutes_ago: i64,
    #[serde(default)]
    modified_minutes_ago: Option<i64>,
    #[serde(default)]
    prompt: Vec<DemoPrompt>,
}

#[derive(Debug, Deserialize)]
struct DemoPrompt {
    content: String,
    /// The latest run of the question.
    #[serde(flatten)]
    run: DemoRun,
    /// Runs before the latest one, oldest first (the question was asked again after them).
    #[serde(default)]
    earlier: Vec<DemoRun>,
}

/// One evaluation of a demo question.
#[derive(Debug, Default, Deserialize)]
struct DemoRun {
    /// How a completed run ended (`success` when absent); `running` is kept as an alias for
    /// `state = "running"`.
    #[serde(default)]
    result: Option<String>,
    /// A state the evaluation rests in (`running` starts a live run at start-up).
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    preview_state: Option<String>,
    #[serde(default)]
    answer: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AnswersFile {
    #[serde(default)]
    answer: Vec<AnswerEntry>,
}

#[derive(Debug, Deserialize)]
struct AnswerEntry {
    #[serde(default)]
    keywords: Vec<String>,
    content: String,
}

fn default_workspace() -> String {
    DEFAULT_WORKSPACE.to_string()
}

fn minutes_before(now: Timestamp, minutes: i64) -> Timestamp {
    now.saturating_sub(SignedDuration::from_mins(minutes.max(0)))
        .unwrap_or(now)
}

fn secs_after(t: Timestamp, secs: i64) -> Timestamp {
    t.saturating_add(SignedDuration::from_secs(secs))
        .unwrap_or(t)
}

/// `t` moved back by a random amount below `max_secs` seconds, in Graph's 100 ns ticks, then
/// cut to a random precision so the demo shows every form Graph writes: mostly 7 digits, some
/// with trailing zeros dropped, a few whole seconds.
fn jitter(rng: &mut impl Rng, t: Timestamp, max_secs: i64) -> Timestamp {
    let back = rng.random_range(0..max_secs.max(1) * 10_000_000);
    let t = t
        .saturating_sub(SignedDuration::from_nanos(back * 100))
        .unwrap_or(t);
    let digits_dropped: u32 = match rng.random_range(0..20) {
        0..=11 => 0,
        12 => 1,
        13 => 2,
        14 => 3,
        15 => 4,
        16 => 5,
        17 => 6,
        _ => 7,
    };
    truncate_ticks(t, 10i64.pow(digits_dropped))
}

/// `t` cut down to a multiple of `ticks` 100 ns ticks within its second.
fn truncate_ticks(t: Timestamp, ticks: i64) -> Timestamp {
    let ns = i64::from(t.subsec_nanosecond());
    let keep = ns / (ticks * 100) * (ticks * 100);
    t.saturating_sub(SignedDuration::from_nanos(ns - keep))
        .unwrap_or(t)
}

/// Parses the embedded answers file.
pub(crate) fn demo_answers() -> Result<Answers, String> {
    parse_answers(DEMO_ANSWERS)
}

fn parse_answers(text: &str) -> Result<Answers, String> {
    let file: AnswersFile =
        toml::from_str(text).map_err(|e| format!("assets/demo/answers.toml: {e}"))?;
    // the real documents first: a question naming one gets it, whatever else it mentions
    let documents = crate::documents::DOCUMENTS
        .iter()
        .map(|d| (vec![crate::documents::keyword(d)], d.markdown.to_string()));
    Ok(Answers {
        entries: documents
            .chain(file.answer.into_iter().map(|a| {
                let kws = a.keywords.iter().map(|k| k.to_lowercase()).collect();
                (kws, a.content)
            }))
            .collect(),
    })
}

/// The two standard workspaces, empty (sequence numbers are given out by [`build_state`]).
pub(crate) fn standard_workspaces() -> Vec<WorkspaceRec> {
    vec![
        WorkspaceRec::new(0, DEFAULT_WORKSPACE, Some("Contoso SOC"), Vec::new()),
        WorkspaceRec::new(0, SECOND_WORKSPACE, Some("Fabrikam MSSP"), Vec::new()),
    ]
}

/// Builds the demo workspaces from the embedded `sessions.toml`.
pub(crate) fn demo_workspaces(
    now: Timestamp,
    delay: Duration,
    answers: &Answers,
) -> Result<Vec<WorkspaceRec>, String> {
    parse_demo(DEMO_SESSIONS, now, delay, answers)
}

/// How long after one run of a demo question the next one was started.
const RERUN_GAP_SECS: i64 = 25 * 60;

fn secs(s: i64) -> SignedDuration {
    SignedDuration::from_secs(s)
}

/// One seeded evaluation: finished in the past, resting in a state, or (state `running`) a live
/// run that starts now.
fn demo_evaluation(
    question: &str,
    p: &DemoRun,
    at: Timestamp,
    j: usize,
    now: Timestamp,
    delay: Duration,
    answers: &Answers,
) -> Result<EvalRec, String> {
    let (state, result) = match (p.state.as_deref(), p.result.as_deref()) {
        (None, Some("running")) => (Some(EvaluationState::Running), None),
        (state, result) => (
            state.map(str::parse::<EvaluationState>).transpose()?,
            result.map(str::parse::<EvaluationResultType>).transpose()?,
        ),
    };
    let outcome = result.unwrap_or(EvaluationResultType::Success);
    let preview = p
        .preview_state
        .as_deref()
        .map(str::parse::<PreviewState>)
        .transpose()?
        .unwrap_or(PreviewState::Ga);
    let lifecycle = match state {
        None | Some(EvaluationState::Completed) | Some(EvaluationState::Running) => {
            Lifecycle::Normal
        }
        Some(s) => Lifecycle::from_state(s)
            .ok_or_else(|| format!("state '{s}' cannot be seeded (use running, pending, deferred, waitingForInput, cancelled or completed)"))?,
    };
    let content = match &p.answer {
        Some(a) => a.clone(),
        None => outcome_message(lifecycle, outcome).unwrap_or_else(|| answers.pick(question)),
    };
    if state == Some(EvaluationState::Running) {
        let mut live = EvalRec::planned(0, now, delay, Lifecycle::Normal, outcome, content);
        live.preview = preview;
        return Ok(live);
    }
    let created = (at + secs(1)).min(now);
    let step = |s: i64| (created + secs(s)).min(now);
    use EvaluationState as S;
    let steps = match state {
        Some(S::Pending) => vec![(step(1), S::Pending)],
        Some(S::Deferred) => vec![(step(1), S::Deferred)],
        Some(S::WaitingForInput) => vec![(step(2), S::Running), (step(6), S::WaitingForInput)],
        Some(S::Cancelled) => vec![(step(2), S::Running), (step(5), S::Cancelled)],
        _ => vec![
            (step(2), S::Running),
            (step(9 + (j as i64 * 7) % 13), S::Completed),
        ],
    };
    Ok(EvalRec {
        seq: 0,
        id: String::new(),
        created,
        steps,
        outcome,
        preview,
        content,
    })
}

fn parse_demo(
    text: &str,
    now: Timestamp,
    delay: Duration,
    answers: &Answers,
) -> Result<Vec<WorkspaceRec>, String> {
    let file: DemoFile =
        toml::from_str(text).map_err(|e| format!("assets/demo/sessions.toml: {e}"))?;
    let mut rng = rand::rng();
    let mut workspaces: Vec<(String, Option<String>, Vec<SessionRec>)> = file
        .workspace
        .into_iter()
        .map(|w| (w.id, w.display_name, Vec::new()))
        .collect();
    if !workspaces
        .iter()
        .any(|(id, _, _)| id.eq_ignore_ascii_case(DEFAULT_WORKSPACE))
    {
        workspaces.insert(
            0,
            (
                DEFAULT_WORKSPACE.to_string(),
                Some("Contoso SOC".to_string()),
                Vec::new(),
            ),
        );
    }
    for (i, s) in file.session.into_iter().enumerate() {
        // Sub-minute jitter so the timestamps look like real ones, not all ending alike.
        let created = jitter(&mut rng, minutes_before(now, s.created_minutes_ago), 30);
        let modified = jitter(
            &mut rng,
            minutes_before(
                now,
                s.modified_minutes_ago
                    .unwrap_or(s.created_minutes_ago)
                    .min(s.created_minutes_ago),
            ),
            20,
        )
        .max(created);
        let mut prompts = Vec::with_capacity(s.prompt.len());
        for (j, p) in s.prompt.iter().enumerate() {
            let at = jitter(&mut rng, secs_after(created, 8 + 40 * j as i64), 3)
                .max(created)
                .min(now);
            let context = |e: String| {
                format!(
                    "assets/demo/sessions.toml: session {} prompt {}: {e}",
                    i + 1,
                    j + 1
                )
            };
            let mut evaluations = Vec::with_capacity(p.earlier.len() + 1);
            for (k, run) in p.earlier.iter().enumerate() {
                let ran = secs_after(at, RERUN_GAP_SECS * k as i64).min(now);
                let mut eval = demo_evaluation(&p.content, run, ran, j, now, delay, answers)
                    .map_err(context)?;
                eval.id = stable_id(&[i as u64, j as u64, 3 + k as u64]);
                evaluations.push(eval);
            }
            // asked again a while after the earlier runs, never in the future
            let latest = secs_after(at, RERUN_GAP_SECS * p.earlier.len() as i64).min(now);
            let mut eval = demo_evaluation(&p.content, &p.run, latest, j, now, delay, answers)
                .map_err(context)?;
            eval.id = stable_id(&[i as u64, j as u64, 2]);
            evaluations.push(eval);
            prompts.push(PromptRec {
                seq: 0,
                id: stable_id(&[i as u64, j as u64, 1]),
                content: p.content.clone(),
                created: at,
                evaluations,
            });
        }
        let rec = SessionRec {
            seq: 0,
            id: stable_id(&[i as u64, 0, 0]),
            name: s.display_name,
            created,
            modified,
            prompts,
        };
        match workspaces
            .iter_mut()
            .find(|(id, _, _)| id.eq_ignore_ascii_case(&s.workspace))
        {
            Some((_, _, sessions)) => sessions.push(rec),
            None => {
                return Err(format!(
                    "assets/demo/sessions.toml: session {} names workspace '{}', which is not declared",
                    i + 1,
                    s.workspace
                ));
            }
        }
    }
    Ok(workspaces
        .into_iter()
        .map(|(id, name, mut sessions)| {
            // Stored in creation order, oldest first.
            sessions.sort_by_key(|s| s.created);
            WorkspaceRec::new(0, &id, name.as_deref(), sessions)
        })
        .collect())
}

/// A plugin setting, briefly.
fn setting(
    name: &str,
    label: &str,
    kind: PluginSettingType,
    value: Option<&str>,
    required: bool,
) -> PluginSetting {
    PluginSetting {
        name: name.into(),
        label: label.into(),
        description: format!("{label} used by the plugin."),
        hint_text: None,
        setting_value: kind,
        display_type: match kind {
            PluginSettingType::Bool => PluginSettingDisplayType::Checkbox,
            PluginSettingType::Enum => PluginSettingDisplayType::Dropdown,
            _ => PluginSettingDisplayType::Textbox,
        },
        default_value: None,
        value: value.map(str::to_string),
        is_required: required,
        acceptable_values: Vec::new(),
    }
}

/// A realistic plugin catalogue: Microsoft's own, a connector, a custom one, disabled ones.
pub(crate) fn demo_plugins() -> Vec<wire::Plugin> {
    use PluginAuthType as A;
    use PluginCatalogScope as Scope;
    use PluginCategory as C;
    let plugin = |name: &str,
                  display: &str,
                  description: &str,
                  enabled: bool,
                  category: C,
                  scope: Scope,
                  preview: PreviewState,
                  auth: A,
                  settings: Vec<PluginSetting>| wire::Plugin {
        name: name.into(),
        display_name: display.into(),
        description: description.into(),
        is_enabled: enabled,
        category,
        catalog_scope: scope,
        preview_state: preview,
        authorization: PluginAuth { auth_type: auth },
        supported_auth_types: vec![auth],
        settings,
    };
    vec![
        plugin(
            "MicrosoftDefenderXDR",
            "Microsoft Defender XDR",
            "Investigate incidents, alerts and devices, and run advanced hunting in Microsoft Defender XDR.",
            true,
            C::Microsoft,
            Scope::Global,
            PreviewState::Ga,
            A::AadDelegated,
            vec![],
        ),
        plugin(
            "MicrosoftSentinel",
            "Microsoft Sentinel",
            "Query incidents and logs in your Microsoft Sentinel workspaces.",
            true,
            C::Microsoft,
            Scope::Tenant,
            PreviewState::Ga,
            A::AadDelegated,
            vec![
                setting(
                    "SubscriptionId",
                    "Default subscription",
                    PluginSettingType::String,
                    Some("1f4c6a2e-0b3d-4e5f-8a9b-7c6d5e4f3a2b"),
                    true,
                ),
                setting(
                    "WorkspaceName",
                    "Default workspace name",
                    PluginSettingType::String,
                    Some("law-contoso-prod"),
                    true,
                ),
            ],
        ),
        plugin(
            "MicrosoftEntra",
            "Microsoft Entra",
            "Look up users, sign-ins, risky users and audit logs in Microsoft Entra ID.",
            true,
            C::Microsoft,
            Scope::Global,
            PreviewState::Ga,
            A::AadDelegated,
            vec![],
        ),
        plugin(
            "MicrosoftIntune",
            "Microsoft Intune",
            "Get device compliance, configuration and app details from Microsoft Intune.",
            true,
            C::Microsoft,
            Scope::Global,
            PreviewState::Ga,
            A::AadDelegated,
            vec![],
        ),
        plugin(
            "MicrosoftPurview",
            "Microsoft Purview",
            "Summarize data loss prevention and insider risk alerts.",
            true,
            C::Microsoft,
            Scope::Global,
            PreviewState::Public,
            A::AadDelegated,
            vec![],
        ),
        plugin(
            "DefenderThreatIntelligence",
            "Microsoft Defender Threat Intelligence",
            "Threat actor profiles, indicators and intel articles.",
            true,
            C::Microsoft,
            Scope::Global,
            PreviewState::Ga,
            A::Aad,
            vec![],
        ),
        plugin(
            "NL2KQLDefender",
            "Natural language to KQL for Microsoft Defender XDR",
            "Turns questions into advanced hunting queries and runs them.",
            true,
            C::Microsoft,
            Scope::Global,
            PreviewState::Ga,
            A::AadDelegated,
            vec![],
        ),
        plugin(
            "DefenderEASM",
            "Microsoft Defender External Attack Surface Management",
            "Internet-facing assets and their exposures.",
            false,
            C::Microsoft,
            Scope::Tenant,
            PreviewState::Public,
            A::AadDelegated,
            vec![setting(
                "ResourceId",
                "EASM resource id",
                PluginSettingType::String,
                None,
                true,
            )],
        ),
        plugin(
            "ServiceNowITSM",
            "ServiceNow ITSM",
            "Read and create ServiceNow incidents from Security Copilot.",
            false,
            C::MicrosoftConnectors,
            Scope::Tenant,
            PreviewState::Ga,
            A::OAuthAuthorizationCodeFlow,
            vec![setting(
                "InstanceUrl",
                "Instance URL",
                PluginSettingType::String,
                Some("https://contoso.service-now.example"),
                true,
            )],
        ),
        plugin(
            "ContosoThreatFeed",
            "Contoso threat feed",
            "Contoso's in-house indicator feed (custom plugin).",
            true,
            C::Plugin,
            Scope::Workspace,
            PreviewState::Private,
            A::ApiKey,
            vec![
                setting(
                    "ApiKey",
                    "API key",
                    PluginSettingType::SecretString,
                    None,
                    true,
                ),
                setting(
                    "Region",
                    "Region",
                    PluginSettingType::Enum,
                    Some("eu"),
                    false,
                ),
            ],
        ),
        plugin(
            "Website",
            "Website",
            "Answers from a public website you name (web category).",
            false,
            C::Web,
            Scope::User,
            PreviewState::Ga,
            A::None,
            vec![],
        ),
    ]
}

const LURES: &[&str] = &[
    "invoice lure",
    "DocuSign impersonation",
    "fake MFA reset",
    "payroll update",
    "shared OneDrive file",
    "voicemail notification",
    "parcel delivery notice",
    "QR code sign-in",
    "gift card request",
    "password expiry warning",
];
const DEPTS: &[&str] = &[
    "finance",
    "HR",
    "legal",
    "the executive team",
    "sales",
    "engineering",
    "IT helpdesk",
    "procurement",
];
const TECHNIQUES: &[&str] = &[
    "T1059.001 PowerShell",
    "T1003 credential dumping",
    "T1021.001 RDP lateral movement",
    "T1053 scheduled tasks",
    "T1547 run keys",
    "T1071 C2 over HTTPS",
    "T1486 encryption for impact",
    "T1566 spearphishing",
    "T1078 valid accounts",
    "T1105 ingress tool transfer",
];
const HOSTS: &[&str] = &[
    "WS-FIN-0231",
    "SRV-DC-01",
    "LAPTOP-7QK2M",
    "SQL-PROD-04",
    "WEB-EDGE-02",
    "VDI-POOL-117",
    "BUILD-AGENT-09",
    "EXCH-HYB-01",
];
const SEVERITIES: &[&str] = &["High", "Medium", "Low", "Informational"];
const ACTORS: &[&str] = &[
    "Storm-0558",
    "Midnight Blizzard",
    "Scattered Spider",
    "Octo Tempest",
    "Mint Sandstorm",
    "Peach Sandstorm",
];
const USERS: &[&str] = &[
    "adele.vance",
    "megan.bowen",
    "lee.gu",
    "nestor.wilke",
    "pradeep.gupta",
    "alex.wilber",
    "diego.siciliani",
];
const CVES: &[&str] = &[
    "CVE-2024-21412",
    "CVE-2023-23397",
    "CVE-2024-3400",
    "CVE-2023-4966",
    "CVE-2024-1709",
];

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn synthetic_name(rng: &mut StdRng) -> Option<String> {
    if rng.random_range(0..100) < 3 {
        return None;
    }
    let n = rng.random_range(0..8);
    Some(match n {
        0 => format!(
            "Phishing triage: {} to {}",
            pick(rng, LURES),
            pick(rng, DEPTS)
        ),
        1 => format!(
            "KQL hunt: {} on {}",
            pick(rng, TECHNIQUES),
            pick(rng, HOSTS)
        ),
        2 => format!(
            "Incident {} summary ({})",
            rng.random_range(1000..99999),
            pick(rng, SEVERITIES)
        ),
        3 => format!("Threat intel: {} activity brief", pick(rng, ACTORS)),
        4 => format!("Risky sign-ins for {}@contoso.com", pick(rng, USERS)),
        5 => format!(
            "Exposure check: {} on {}",
            pick(rng, CVES),
            pick(rng, HOSTS)
        ),
        6 => format!(
            "Script analysis: obfuscated PowerShell from {}",
            pick(rng, HOSTS)
        ),
        _ => format!(
            "Entra ID audit: {} role changes in {}",
            pick(rng, USERS),
            pick(rng, DEPTS)
        ),
    })
}

/// `n` varied sessions over the last 90 days, oldest first; deterministic for a given `seed`.
pub(crate) fn synthetic_sessions(n: usize, now: Timestamp, seed: u64) -> Vec<SessionRec> {
    const SPAN_MICROS: i64 = 90 * 24 * 3600 * 1_000_000;
    const THREE_DAYS_MICROS: i64 = 3 * 24 * 3600 * 1_000_000;
    let mut rng = StdRng::seed_from_u64(seed);
    // Ages in microseconds, oldest first, so list order (creation order) matches created times.
    let mut ages: Vec<i64> = (0..n)
        .map(|_| rng.random_range(60_000_000..SPAN_MICROS))
        .collect();
    ages.sort_unstable_by(|a, b| b.cmp(a));
    ages.into_iter()
        .map(|age| {
            let created = now
                .saturating_sub(SignedDuration::from_micros(age))
                .unwrap_or(now);
            // A quarter never edited; the rest touched up to three days later (never in the future).
            let edit = if rng.random_range(0..4) == 0 {
                0
            } else {
                rng.random_range(0..age.min(THREE_DAYS_MICROS))
            };
            let modified = created
                .saturating_add(SignedDuration::from_micros(edit))
                .unwrap_or(created)
                .min(now);
            let id = uuid::Builder::from_random_bytes(rng.random()).into_uuid();
            SessionRec {
                seq: 0,
                id: id.to_string(),
                name: synthetic_name(&mut rng),
                created,
                modified: modified.max(created),
                prompts: Vec::new(),
            }
        })
        .collect()
}

/// Gives every row its sequence number in listing order (workspaces, then each workspace's
/// sessions oldest first, their prompts and evaluations, then plugins).
fn number(state: &mut State) {
    let mut workspaces = std::mem::take(&mut state.workspaces);
    for w in &mut workspaces {
        w.seq = state.seq();
        for s in &mut w.sessions {
            s.seq = state.seq();
            for p in &mut s.prompts {
                p.seq = state.seq();
                for e in &mut p.evaluations {
                    e.seq = state.seq();
                }
            }
        }
        for p in &mut w.plugins {
            p.seq = state.seq();
        }
    }
    state.workspaces = workspaces;
}

/// The complete initial state for a seed, with times relative to `now`.
pub(crate) fn build_state(
    seed: &Seed,
    now: Timestamp,
    delay: Duration,
    token: Option<&str>,
) -> Result<State, String> {
    let answers = demo_answers()?;
    let mut workspaces = match seed {
        Seed::Demo => demo_workspaces(now, delay, &answers)?,
        Seed::Empty => standard_workspaces(),
        Seed::Synthetic(n) => {
            let mut ws = standard_workspaces();
            ws[0] = WorkspaceRec::new(
                0,
                DEFAULT_WORKSPACE,
                Some("Contoso SOC"),
                synthetic_sessions(*n, now, 0x5C7_0001),
            );
            // A few in the second workspace so switching workspaces shows something different.
            ws[1] = WorkspaceRec::new(
                0,
                SECOND_WORKSPACE,
                Some("Fabrikam MSSP"),
                synthetic_sessions((*n).min(5), now, 0x5C7_0002),
            );
            ws
        }
    };
    for w in &mut workspaces {
        w.plugins = demo_plugins()
            .into_iter()
            .map(|plugin| PluginRec { seq: 0, plugin })
            .collect();
    }
    let mut state = State::new(answers, delay);
    state.workspaces = workspaces;
    state.accepted_tokens = token.map(|t| vec![t.to_string()]);
    number(&mut state);
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_demo_assets_parse() {
        let answers = demo_answers().unwrap();
        let ws = demo_workspaces(Timestamp::now(), Duration::from_secs(2), &answers).unwrap();
        assert!(ws.iter().any(|w| w.id == DEFAULT_WORKSPACE));
        for w in &ws {
            for pair in w.sessions.windows(2) {
                assert!(pair[0].created <= pair[1].created);
            }
            for s in &w.sessions {
                assert!(s.modified >= s.created, "{:?}", s.name);
                for p in &s.prompts {
                    assert!(!p.evaluations.is_empty());
                    for pair in p.evaluations.windows(2) {
                        assert!(pair[0].created < pair[1].created, "{:?}", p.content);
                    }
                }
            }
        }
        // one question was answered twice, differently; one ran out of capacity, then succeeded
        let runs: Vec<&Vec<EvalRec>> = ws
            .iter()
            .flat_map(|w| &w.sessions)
            .flat_map(|s| &s.prompts)
            .map(|p| &p.evaluations)
            .filter(|e| e.len() > 1)
            .collect();
        assert!(runs.iter().any(|e| {
            e.iter().all(|r| r.outcome == EvaluationResultType::Success)
                && e[0].content != e[1].content
        }));
        assert!(runs.iter().any(|e| {
            e[0].outcome == EvaluationResultType::CapacityExceeded
                && e[1].outcome == EvaluationResultType::Success
        }));
    }

    #[test]
    fn the_demo_shows_every_state_result_type_preview_and_time_form() {
        let clock = crate::Clock::system();
        let state = build_state(&Seed::Demo, clock.now(), Duration::from_secs(2), None).unwrap();
        // Long after start-up, once the live runs are done.
        let later = clock.now() + SignedDuration::from_secs(60);
        let mut states = std::collections::HashSet::new();
        let mut results = std::collections::HashSet::new();
        let mut previews = std::collections::HashSet::new();
        let mut forms = std::collections::HashSet::new();
        for w in &state.workspaces {
            for s in &w.sessions {
                for t in [s.created, s.modified] {
                    let text = wire::time_text(t);
                    forms.insert(text.split_once('.').map_or(0, |(_, f)| f.len() - 1));
                }
                for p in &s.prompts {
                    for e in &p.evaluations {
                        let at_start = e.to_wire(e.created);
                        states.insert(at_start.state);
                        let w = e.to_wire(later);
                        states.insert(w.state);
                        if let Some(r) = w.result {
                            previews.insert(r.preview_state);
                            if w.state == EvaluationState::Completed {
                                results.insert(r.result_type);
                            }
                        }
                    }
                }
            }
        }
        use EvaluationResultType as R;
        use EvaluationState as S;
        for s in [
            S::Created,
            S::Completed,
            S::Cancelled,
            S::Pending,
            S::Deferred,
            S::WaitingForInput,
        ] {
            assert!(states.contains(&s), "{s} missing from the demo");
        }
        for r in [
            R::Success,
            R::Error,
            R::NeedAdditionalClaims,
            R::Rejected,
            R::TimedOut,
            R::CapacityExceeded,
        ] {
            assert!(results.contains(&r), "{r} missing from the demo");
        }
        for p in [
            PreviewState::Ga,
            PreviewState::Public,
            PreviewState::Private,
        ] {
            assert!(previews.contains(&p), "{p} missing from the demo");
        }
        assert!(
            forms.contains(&0) && forms.contains(&7) && forms.len() >= 4,
            "{forms:?}"
        );
        // Running is seen while the live runs work.
        let running = state
            .workspaces
            .iter()
            .flat_map(|w| &w.sessions)
            .flat_map(|s| &s.prompts)
            .flat_map(|p| &p.evaluations)
            .any(|e| {
                e.to_wire(e.created + SignedDuration::from_millis(1500))
                    .state
                    == S::Running
            });
        assert!(running);
        assert!(state.workspaces.iter().all(|w| !w.plugins.is_empty()));
        let mut seqs: Vec<u64> = state
            .workspaces
            .iter()
            .flat_map(|w| &w.sessions)
            .map(|s| s.seq)
            .collect();
        let n = seqs.len();
        seqs.dedup();
        assert_eq!(seqs.len(), n, "sequence numbers are unique");
    }

    #[test]
    fn demo_loader_reads_the_documented_format() {
        let text = r##"
[[workspace]]
id = "default"
display_name = "Contoso SOC"
[[workspace]]
id = "5b0c9d2e-6f3a-4e1b-9c7d-2a8e4f6b1c3d"
display_name = "Fabrikam MSSP"

[[session]]
display_name = "Phishing triage"
created_minutes_ago = 100
modified_minutes_ago = 90
  [[session.prompt]]
  content = "Summarize the email"
  result = "success"
  answer = "# Answer"
  [[session.prompt]]
  content = "and now?"
  result = "timedOut"
  [[session.prompt]]
  content = "phishing again"
  result = "running"
  [[session.prompt]]
  content = "queued"
  state = "pending"
  preview_state = "private"

[[session]]
workspace = "5b0c9d2e-6f3a-4e1b-9c7d-2a8e4f6b1c3d"
created_minutes_ago = 5
"##;
        let now = Timestamp::now();
        let answers = Answers {
            entries: vec![(vec!["phish".into()], "PHISH".into())],
        };
        let ws = parse_demo(text, now, Duration::from_secs(2), &answers).unwrap();
        assert_eq!(ws.len(), 2);
        let s = &ws[0].sessions[0];
        assert_eq!(s.name.as_deref(), Some("Phishing triage"));
        assert_eq!(s.prompts.len(), 4);
        assert_eq!(s.prompts[0].evaluations[0].content, "# Answer");
        let timed_out = s.prompts[1].evaluations[0].to_wire(now);
        assert_eq!(timed_out.state, EvaluationState::Completed);
        let r = timed_out.result.unwrap();
        assert_eq!(r.result_type, EvaluationResultType::TimedOut);
        assert!(r.content.unwrap().contains("timed out"));
        let running = &s.prompts[2].evaluations[0];
        assert_eq!(running.content, "PHISH");
        assert!(running.ends_at().unwrap() > now);
        let queued = s.prompts[3].evaluations[0].to_wire(now);
        assert_eq!(queued.state, EvaluationState::Pending);
        assert_eq!(queued.result.unwrap().preview_state, PreviewState::Private);
        assert_eq!(ws[1].sessions[0].name, None);

        let bad = "[[session]]\nworkspace = \"nope\"\n";
        assert!(parse_demo(bad, now, Duration::from_secs(2), &answers).is_err());
        let bad = "[[session]]\n[[session.prompt]]\ncontent = \"x\"\nresult = \"weird\"\n";
        let err = parse_demo(bad, now, Duration::from_secs(2), &answers).unwrap_err();
        assert!(err.contains("session 1 prompt 1"), "{err}");
        let bad = "[[session]]\n[[session.prompt]]\ncontent = \"x\"\nstate = \"unknown\"\n";
        assert!(parse_demo(bad, now, Duration::from_secs(2), &answers).is_err());
    }

    #[test]
    fn synthetic_is_large_varied_and_ordered() {
        let now = Timestamp::now();
        let sessions = synthetic_sessions(100_000, now, 7);
        assert_eq!(sessions.len(), 100_000);
        let nulls = sessions.iter().filter(|s| s.name.is_none()).count();
        assert!((1_500..5_000).contains(&nulls), "{nulls}");
        let oldest = now
            .saturating_sub(SignedDuration::from_hours(24 * 90))
            .unwrap();
        for pair in sessions.windows(2) {
            assert!(pair[0].created <= pair[1].created);
        }
        for s in &sessions {
            assert!(s.created >= oldest && s.created <= now);
            assert!(s.modified >= s.created && s.modified <= now);
        }
        let distinct: std::collections::HashSet<_> =
            sessions.iter().filter_map(|s| s.name.as_deref()).collect();
        assert!(distinct.len() > 1_000, "{}", distinct.len());
        let ids: std::collections::HashSet<_> = sessions.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), sessions.len());
        assert!(
            uuid::Uuid::parse_str(&sessions[0].id)
                .unwrap()
                .get_version_num()
                == 4
        );
        // Deterministic for a seed.
        let again = synthetic_sessions(10, now, 7);
        assert_eq!(again[0].id, synthetic_sessions(10, now, 7)[0].id);
    }
}

/// A GUID that is the same on every start for the same demo item, so ids seen in one
/// `sctui --demo` run work in the next (splitmix64 chained over the item's position).
fn stable_id(parts: &[u64]) -> String {
    fn mix(x: u64) -> u64 {
        let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    let high = parts.iter().fold(0x5c7u64, |state, p| mix(state ^ mix(*p)));
    let low = mix(high);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&high.to_le_bytes());
    bytes[8..].copy_from_slice(&low.to_le_bytes());
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

#[cfg(test)]
mod stable_id_tests {
    use super::stable_id;

    #[test]
    fn stable_ids_are_repeatable_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..60u64 {
            for j in 0..6u64 {
                for k in 0..3u64 {
                    assert!(
                        seen.insert(stable_id(&[i, j, k])),
                        "collision at {i} {j} {k}"
                    );
                }
            }
        }
        assert_eq!(stable_id(&[1, 2, 3]), stable_id(&[1, 2, 3]));
    }
}
