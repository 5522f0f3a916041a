//! The bottom line: spinner with what it waits for, retry notice, the current message (errors in
//! red with Graph's request-id), and key hints for the current mode and focus beside it. Hints
//! are generated from the keymap in force: an unbound key is never shown, a rebound one shows as
//! rebound.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::SPINNER;
use crate::tui::app::Pending;
use crate::tui::app::State;
use crate::tui::app::state::{Focus, Mode, Severity};
use sctui_app::keys::Action;
use sctui_app::sanitize::{truncate, width};

/// Draws the status bar.
pub fn render(state: &State, area: Rect, frame: &mut Frame) {
    frame.render_widget(Paragraph::new(line(state, area.width)), area);
}

/// The status line at `columns` wide (for drawing and tests).
pub fn line(state: &State, columns: u16) -> Line<'static> {
    let theme = &state.settings().theme;
    let total = usize::from(columns);
    if let Mode::Confirming(confirm) = state.mode() {
        return confirm_line(state, confirm, total);
    }
    let mut spans = Vec::new();
    let hints = hints(state);
    if state.busy() {
        // what the spinner waits for, unless a message already says what is going on, or the
        // hints that always stay would not fit beside it
        let label = match busy_label(state) {
            Some(label)
                if state.status().is_none() && width(label) + 4 + kept_width(&hints) <= total =>
            {
                format!(" {label} ")
            }
            _ => String::new(),
        };
        spans.push(Span::styled(
            format!("{}{label} ", SPINNER[state.spinner_frame() % SPINNER.len()]),
            theme.key,
        ));
    }
    if let Some(gauge) = state.sync() {
        spans.extend(sync_gauge(state, gauge));
    }
    if let Some(fork) = fork_gauge(state) {
        spans.push(Span::styled(fork, theme.info));
    }
    if let Some(notice) = state.retry_notice() {
        spans.push(Span::styled(format!("{notice} · "), theme.warning));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let room = total.saturating_sub(used);
    let Some(status) = state.status() else {
        spans.extend(hint_spans(state, &hints, room));
        return Line::from(spans);
    };
    let style = match status.severity {
        Severity::Error => theme.error,
        Severity::Warning => theme.warning,
        Severity::Info => theme.info,
    };
    let prefix = match status.severity {
        Severity::Error => "✗ ",
        Severity::Warning => "! ",
        Severity::Info => "",
    };
    let text = format!("{prefix}{}", status.text);
    // the request-id is what support needs: it survives truncation
    let suffix = match &status.request_id {
        Some(id) if !text.contains(id.as_str()) => format!(" (request-id {id})"),
        _ => String::new(),
    };
    let message_width = width(&text) + width(&suffix);
    // hints stay beside the message: the first three (which say how to read it in full and
    // dismiss it) and those that always stay, in up to two fifths of the line when the message
    // is long, more when the ones that stay need it
    let beside: Vec<Hint> = hints
        .iter()
        .enumerate()
        .filter(|(i, hint)| *i < 3 || hint.kept)
        .map(|(_, hint)| hint.clone())
        .collect();
    let hint_room = room
        .saturating_sub(message_width + 2)
        .max(room * 2 / 5)
        .max(kept_width(&beside))
        .min(room);
    let hint_spans = hint_spans(state, &beside, hint_room);
    let hints_width: usize = hint_spans.iter().map(|s| s.width()).sum();
    let message_room = room.saturating_sub(hints_width + usize::from(hints_width > 0) * 2);
    let message = format!(
        "{}{suffix}",
        truncate(&text, message_room.saturating_sub(width(&suffix)))
    );
    let message = truncate(&message, message_room).into_owned();
    let gap = room.saturating_sub(width(&message) + hints_width);
    spans.push(Span::styled(message, style));
    spans.push(Span::raw(" ".repeat(gap)));
    spans.extend(hint_spans);
    Line::from(spans)
}

/// The confirm line: what would be sent, and the keys that send it (any other key does not).
fn confirm_line(
    state: &State,
    confirm: &crate::tui::app::state::Confirm,
    total: usize,
) -> Line<'static> {
    let theme = &state.settings().theme;
    let yes: Vec<String> = state
        .settings()
        .keymap
        .keys(Action::ConfirmYes)
        .map(|k| k.label())
        .collect();
    let keys = format!(" {}: yes · other: no", yes.join("/"));
    let room = total.saturating_sub(width(&keys));
    let question = truncate(&format!("? {}", confirm.question()), room).into_owned();
    let gap = room.saturating_sub(width(&question));
    Line::from(vec![
        Span::styled(question, theme.warning),
        Span::raw(" ".repeat(gap)),
        Span::styled(keys, theme.key),
    ])
}

/// A fork's progress: `fork 1/3 answered · `, or its wait for capacity.
fn fork_gauge(state: &State) -> Option<String> {
    let progress = state.requests().iter().find_map(|(_, p)| match p {
        Pending::Fork { progress, .. } => Some(*progress),
        _ => None,
    })?;
    let Some(progress) = progress else {
        return Some("fork starting · ".into());
    };
    Some(match progress.waiting_secs {
        Some(secs) => format!(
            "fork waits for capacity, {} left · ",
            crate::timefmt::elapsed(i64::try_from(secs).unwrap_or(i64::MAX))
        ),
        None => format!(
            "fork {}/{} answered ({} asked) · ",
            progress.answered, progress.total, progress.asked
        ),
    })
}

/// What the spinner waits for, in a word or two (`None`: nothing worth naming).
pub fn busy_label(state: &State) -> Option<&'static str> {
    if matches!(state.mode(), Mode::SigningIn(_)) {
        return Some("signing in…");
    }
    if let Mode::Creating(create) = state.mode()
        && create.in_flight.is_some()
    {
        return Some("asking…");
    }
    let pending = || state.requests().iter().map(|(_, p)| p);
    if state.page_loading() && !state.paging().loaded_once {
        return Some("loading sessions…");
    }
    if state.page_loading() && state.reconnect().unreachable(state) {
        // a try after Graph could not be reached: the header's banner says it is unreachable
        return Some("trying Graph again…");
    }
    if state.page_loading() && state.revalidating() {
        // a refresh (or the start from the store) walking the list to check what it knows
        return Some("refreshing the list…");
    }
    if state.page_loading() {
        return Some("loading more sessions…");
    }
    if pending().any(|p| matches!(p, Pending::Conversation { .. })) {
        return Some("loading the conversation…");
    }
    if pending().any(|p| p.followed_session().is_some()) {
        return Some("following the answer…");
    }
    if pending().any(|p| matches!(p, Pending::Fork { .. })) {
        return Some("forking…");
    }
    if pending().any(|p| matches!(p, Pending::Search)) {
        return Some("searching the store…");
    }
    None
}

/// Columns of the sync gauge's bar.
const GAUGE_COLUMNS: usize = 10;

/// The sync gauge: `sync ███████░░░ 70/100 conversations · `, or the sessions listed so far
/// while the list is read.
fn sync_gauge(
    state: &State,
    gauge: &crate::tui::app::state::store::SyncGauge,
) -> Vec<Span<'static>> {
    use crate::store::sync::Progress;
    let theme = &state.settings().theme;
    let filled = (gauge.ratio() * GAUGE_COLUMNS as f64).round() as usize;
    let bar = format!(
        "{}{}",
        "█".repeat(filled.min(GAUGE_COLUMNS)),
        "░".repeat(GAUGE_COLUMNS - filled.min(GAUGE_COLUMNS))
    );
    let what = match gauge.progress {
        Progress::Listing { sessions } => format!("listing sessions: {sessions}"),
        Progress::Conversations { done, total, .. } => format!("{done}/{total} conversations"),
    };
    vec![
        Span::styled("sync ", theme.key),
        Span::styled(bar, theme.info),
        Span::styled(format!(" {what} · "), theme.dim),
    ]
}

/// One key hint: the key in force and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub key: String,
    pub what: &'static str,
    /// The way back, help or quit: shown at every width, others giving way to it.
    pub kept: bool,
}

/// The hint's columns: key, a space, what it does.
fn hint_width(hint: &Hint) -> usize {
    width(&hint.key) + 1 + width(hint.what)
}

/// The columns the hints that always stay take, with the gaps between them.
fn kept_width(hints: &[Hint]) -> usize {
    let kept: Vec<usize> = hints.iter().filter(|h| h.kept).map(hint_width).collect();
    kept.iter().sum::<usize>() + kept.len().saturating_sub(1) * HINT_GAP.len()
}

/// Between two hints.
const HINT_GAP: &str = "  ";

/// The hints that fit in `room` columns, in their order, each as key + what it does: those that
/// always stay first claim their room, the others fill what is left, most useful first.
fn hint_spans(state: &State, hints: &[Hint], room: usize) -> Vec<Span<'static>> {
    let theme = &state.settings().theme;
    let item = |shown: bool, hint: &Hint| hint_width(hint) + usize::from(shown) * HINT_GAP.len();
    // the kept ones that fit, from the first
    let mut chosen = vec![false; hints.len()];
    let mut used = 0;
    for (i, hint) in hints.iter().enumerate() {
        if hint.kept && used + item(used > 0, hint) <= room {
            used += item(used > 0, hint);
            chosen[i] = true;
        }
    }
    // then the others, in order, while they fit
    for (i, hint) in hints.iter().enumerate() {
        if chosen[i] {
            continue;
        }
        if used + item(used > 0, hint) > room {
            break;
        }
        used += item(used > 0, hint);
        chosen[i] = true;
    }
    let mut spans = Vec::new();
    for (hint, _) in hints.iter().zip(chosen).filter(|(_, chosen)| *chosen) {
        if !spans.is_empty() {
            spans.push(Span::raw(HINT_GAP));
        }
        spans.push(Span::styled(hint.key.clone(), theme.key));
        spans.push(Span::styled(format!(" {}", hint.what), theme.dim));
    }
    spans
}

/// The hints for the current mode and focus, most useful first, from the keymap in force; the
/// way back, help and quit are marked to stay at every width.
pub fn hints(state: &State) -> Vec<Hint> {
    let keys = &state.settings().keymap;
    let mut out: Vec<Hint> = Vec::new();
    let add = |out: &mut Vec<Hint>, action: Action, what: &'static str, kept: bool| {
        if let Some(key) = keys.hint_key(action) {
            out.push(Hint { key, what, kept });
        }
    };
    let one = |out: &mut Vec<Hint>, action: Action, what: &'static str| {
        add(out, action, what, false);
    };
    // the way back (or out), help and quit
    let keep = |out: &mut Vec<Hint>, action: Action, what: &'static str| {
        add(out, action, what, true);
    };
    let pair = |out: &mut Vec<Hint>, down: Action, up: Action, what| {
        out.extend(pair_hint(state, down, up, what).map(|(key, what)| Hint {
            key,
            what,
            kept: false,
        }));
    };
    match state.mode() {
        Mode::Renaming(_) => {
            one(&mut out, Action::Submit, "save");
            keep(&mut out, Action::Cancel, "cancel");
            one(&mut out, Action::DeleteToStart, "clear");
        }
        Mode::Creating(create) => {
            one(&mut out, Action::Submit, "send");
            if create.draft {
                one(&mut out, Action::DeleteToStart, "clear draft");
            }
            one(&mut out, Action::NewLine, "newline");
            one(&mut out, Action::ExternalEditor, "editor");
            keep(&mut out, Action::Cancel, "close (draft kept)");
        }
        Mode::Filtering => {
            one(&mut out, Action::Submit, "keep filter");
            keep(&mut out, Action::Cancel, "clear");
            pair(&mut out, Action::CursorDown, Action::CursorUp, "move");
        }
        Mode::Finding => {
            one(&mut out, Action::Submit, "keep");
            keep(&mut out, Action::Cancel, "cancel");
        }
        Mode::Searching => {
            one(&mut out, Action::SearchOpen, "open");
            pair(&mut out, Action::SearchDown, Action::SearchUp, "move");
            keep(&mut out, Action::SearchClose, "back");
            one(&mut out, Action::DeleteToStart, "clear");
        }
        Mode::Confirming(_) => one(&mut out, Action::ConfirmYes, "yes"),
        Mode::Help(_) => {
            pair(&mut out, Action::HelpDown, Action::HelpUp, "scroll");
            keep(&mut out, Action::HelpClose, "close help");
        }
        Mode::PickingWorkspace(picker) if picker.typed.is_some() => {
            one(&mut out, Action::Submit, "switch");
            keep(&mut out, Action::Cancel, "cancel");
            one(&mut out, Action::DeleteToStart, "clear");
        }
        Mode::PickingWorkspace(_) => {
            pair(&mut out, Action::PickDown, Action::PickUp, "move");
            one(&mut out, Action::Choose, "switch");
            one(&mut out, Action::TypeId, "type an id");
            one(&mut out, Action::PickCopy, "copy id");
            keep(&mut out, Action::PickClose, "cancel");
        }
        Mode::PickingExport(_) => {
            pair(&mut out, Action::PickDown, Action::PickUp, "move");
            one(&mut out, Action::Choose, "export");
            keep(&mut out, Action::PickClose, "cancel");
        }
        Mode::Messages(_) => {
            pair(&mut out, Action::PickDown, Action::PickUp, "move");
            one(&mut out, Action::PickCopy, "copy");
            keep(&mut out, Action::PickClose, "close");
        }
        Mode::SigningIn(popup) => {
            if popup.user_code.is_some() && popup.error.is_none() {
                one(&mut out, Action::CopyCode, "copy code");
            }
            if popup.error.is_some() {
                one(&mut out, Action::SignInRetry, "retry");
            }
            keep(&mut out, Action::SignInCancel, "cancel");
            keep(&mut out, Action::SignInQuit, "quit");
        }
        Mode::Browsing => {
            let lasting = state
                .status()
                .as_ref()
                .is_some_and(|s| s.severity != Severity::Info);
            if lasting {
                one(&mut out, Action::Messages, "messages");
            }
            if state.focus() == Focus::Detail {
                // a kept find: stepping through its matches comes first
                if !state.reader().find.matches.is_empty() {
                    pair(&mut out, Action::FindNext, Action::FindPrev, "match");
                }
                pair(&mut out, Action::ScrollDown, Action::ScrollUp, "scroll");
                pair(
                    &mut out,
                    Action::NextQuestion,
                    Action::PrevQuestion,
                    "question",
                );
                pair(
                    &mut out,
                    Action::ScrollRight,
                    Action::ScrollLeft,
                    "sideways",
                );
                one(&mut out, Action::Find, "find");
                one(&mut out, Action::CopyAnswer, "copy answer");
                one(&mut out, Action::CopyCodeBlock, "copy code");
                let zoom = if state.reader().zoom {
                    "unzoom"
                } else {
                    "zoom"
                };
                one(&mut out, Action::Zoom, zoom);
                one(&mut out, Action::ScrollPageDown, "page");
                keep(&mut out, Action::Back, "list");
                if online_here(state) {
                    one(&mut out, Action::Rerun, "rerun");
                }
                if in_view_has_earlier(state) {
                    one(&mut out, Action::Earlier, "earlier runs");
                    let compare = if state.reader().compare.is_some() {
                        "answer"
                    } else {
                        "compare"
                    };
                    one(&mut out, Action::Compare, compare);
                }
                if online_here(state) {
                    one(&mut out, Action::Fork, "fork here");
                }
            } else {
                if lasting {
                    keep(&mut out, Action::FocusList, "dismiss");
                } else if !state.filter_text().is_empty() {
                    keep(&mut out, Action::FocusList, "clear filter");
                }
                pair(&mut out, Action::MoveDown, Action::MoveUp, "move");
                one(&mut out, Action::FocusDetail, "detail");
            }
            // offline, what would be refused (asking, renaming, running again) is not offered
            let online = !state.settings().offline;
            if online && state.selected_can_retry() {
                one(&mut out, Action::Retry, "run again");
            }
            if online {
                one(&mut out, Action::Create, "ask new");
                one(&mut out, Action::Ask, "ask");
            }
            if state.focus() == Focus::List {
                if online {
                    one(&mut out, Action::Rename, "rename");
                }
                one(&mut out, Action::Filter, "filter");
            }
            keep(&mut out, Action::Help, "help");
            keep(&mut out, Action::Quit, "quit");
            if !lasting {
                one(&mut out, Action::Messages, "messages");
            }
            if online {
                one(&mut out, Action::Refresh, "refresh");
            }
            one(&mut out, Action::Export, "export");
            one(&mut out, Action::Search, "search");
            if state.sync().is_some() {
                one(&mut out, Action::Sync, "stop sync");
            } else if !state.settings().offline {
                one(&mut out, Action::Sync, "sync");
            }
        }
    }
    out
}

/// Whether sending works here (not `--offline`).
fn online_here(state: &State) -> bool {
    !state.settings().offline
}

/// Whether the question in view has earlier runs (to unfold or compare).
fn in_view_has_earlier(state: &State) -> bool {
    let Some(entry) = state.selected_entry() else {
        return false;
    };
    crate::tui::app::reader::current_turn(state)
        .and_then(|i| state.conversations().get(&entry.session.id)?.turns.get(i))
        .is_some_and(|t| !t.earlier.is_empty())
}

/// One hint for two opposite actions: `j/k move`; one key when only one is bound; `None` when
/// neither is.
pub fn pair_hint(
    state: &State,
    down: Action,
    up: Action,
    what: &'static str,
) -> Option<(String, &'static str)> {
    match (
        state.settings().keymap.hint_key(down),
        state.settings().keymap.hint_key(up),
    ) {
        (Some(d), Some(u)) => Some((format!("{d}/{u}"), what)),
        (Some(k), None) | (None, Some(k)) => Some((k, what)),
        (None, None) => None,
    }
}

/// Key hints for a popup's border or footer: `Enter send · Esc cancel`, unbound actions left out.
pub fn keys_text(state: &State, items: &[(Action, &str)]) -> String {
    state.settings().keymap.footer(items)
}

/// The same hints as styled spans (keys highlighted).
pub fn key_spans(state: &State, items: &[(Action, &str)]) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for (action, what) in items {
        if let Some(key) = state.settings().keymap.hint_key(*action) {
            if !spans.is_empty() {
                spans.push(Span::raw("  "));
            }
            spans.push(Span::styled(key, state.settings().theme.key));
            spans.push(Span::styled(format!(" {what}"), state.settings().theme.dim));
        }
    }
    spans
}

/// `": press KEY to WHAT"` when the action has a key, else nothing (for sentences in panes).
pub fn press(state: &State, action: Action, what: &str) -> String {
    state.settings().keymap.press(action, what)
}
