//! The top line: product, workspace, who is signed in, loaded/total count.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::State;
use sctui_app::sanitize::{CleanLine, truncate, width};

/// Draws the header.
pub fn render(state: &State, area: Rect, frame: &mut Frame) {
    let loaded = state.list().len();
    let age = |t| crate::timefmt::relative(t, state.now(), &state.settings().tz);
    // how many sessions are known, and when a listing last reached its end
    let count = match state.paging().total {
        _ if loaded == 0 && !state.list_incomplete() => "0 sessions".to_string(),
        _ if !state.list_incomplete() && state.paging().complete.is_some() => {
            format!("{loaded} known")
        }
        Some(total) if total as usize > loaded => format!("{loaded}/{total} known"),
        // a refresh's walk: the list holds sessions Graph may no longer count
        Some(_) if state.revalidating() => format!("{loaded} known"),
        Some(0) => "0 sessions".to_string(),
        Some(total) => format!("{total}/{total} known"),
        None if state.list_incomplete() => format!("{loaded}+ known"),
        None => format!("{loaded} sessions"),
    };
    let count = match state.paging().complete {
        Some(t) if loaded > 0 => format!("{count} · complete {}", age(t)),
        _ => count,
    };
    // the list from the local store, until Graph has confirmed it: "stored 2 h ago · refreshing"
    let count = match state.stored() {
        Some(stored) => {
            let age = stored.updated.map(age).unwrap_or_else(|| "earlier".into());
            let doing = if state.settings().offline {
                " · changes refused".to_string()
            } else if state.reconnect().unreachable(state) {
                retrying(state)
            } else if state.paging().failed || !state.page_loading() {
                " · not refreshed".to_string()
            } else {
                " · refreshing".to_string()
            };
            format!("{loaded} known · stored {age}{doing}")
        }
        // Graph never reached, nothing stored: the tries go on in the background
        None if state.reconnect().unreachable(state) => {
            format!("{count}{}", retrying(state))
        }
        None => count,
    };
    let workspace = match state.workspace_name() {
        Some(name) => format!("{name} ({})", state.workspace_shown()),
        None => state.workspace_shown().to_string(),
    };
    // who and which profile, each when there is one (offline no account is used)
    let account: Vec<String> = [
        Some(state.who().to_string()).filter(|who| !who.is_empty()),
        state
            .settings()
            .profile
            .as_ref()
            .map(|name| format!("profile {}", CleanLine::new(name.as_str()))),
    ]
    .into_iter()
    .flatten()
    .collect();
    let account = match account.join(" · ") {
        joined if joined.is_empty() => joined,
        joined => format!(" {joined} │"),
    };
    let text = format!(" workspace {workspace} │{account} {count}");
    // the banner comes first, so a narrow terminal still shows it
    let (banner, rest) = match banner(state) {
        Some(banner) => (format!(" {banner} "), format!("│{text}")),
        None => (String::new(), format!(" sctui │{text}")),
    };
    let columns = usize::from(area.width);
    let banner = truncate(&banner, columns).into_owned();
    let rest = truncate(&rest, columns.saturating_sub(width(&banner))).into_owned();
    let banner_style = state
        .settings()
        .theme
        .warning
        .add_modifier(Modifier::REVERSED | Modifier::BOLD);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(banner, banner_style),
            Span::raw(rest),
        ]))
        .style(state.settings().theme.header),
        area,
    );
}

/// ` · retrying (try 3)`: Graph is asked for the list again in the background (waiting for the
/// next try, or trying).
fn retrying(state: &State) -> String {
    match state.reconnect().failures {
        0 | 1 => " · retrying".to_string(),
        n => format!(" · retrying (try {n})"),
    }
}

/// What the header says first, in the warning colours, when Graph is not being used: `--offline`,
/// or a start where Graph could not be reached and the stored list is shown. A refusal (a missing
/// workspace, no permission) is no such thing: Graph answered, and its message says what to do.
fn banner(state: &State) -> Option<&'static str> {
    if state.settings().offline {
        return Some("OFFLINE");
    }
    if state.reconnect().unreachable(state) {
        return Some("GRAPH UNREACHABLE");
    }
    None
}
