//! What a question asks of the workspace's plugins: a question that names a plugin that is turned
//! off is about to get an answer without it, so the user hears so before it is sent.

use sctui_graph::models::Plugin;

use sctui_app::sanitize::sanitize_line;

/// Whether `needle` occurs in `haystack` (both lower-case) with no letter or digit on either side.
fn names(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    haystack.match_indices(needle).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + needle.len()..].chars().next();
        !word(before) && !word(after)
    })
}

/// The disabled plugins `question` names, by key (`ServiceNowITSM`, `/ServiceNowITSM`) or by
/// display name (`ServiceNow ITSM`), ignoring case.
pub fn disabled_named<'a>(question: &str, plugins: &'a [Plugin]) -> Vec<&'a Plugin> {
    let question = question.to_lowercase();
    plugins
        .iter()
        .filter(|p| p.is_enabled == Some(false))
        .filter(|p| {
            names(&question, &p.name.to_lowercase())
                || p.display_name
                    .as_deref()
                    .is_some_and(|d| names(&question, &d.trim().to_lowercase()))
        })
        .collect()
}

/// The warning to show before `question` is sent, when it names disabled plugins.
pub fn disabled_warning(question: &str, plugins: &[Plugin]) -> Option<String> {
    let named = disabled_named(question, plugins);
    if named.is_empty() {
        return None;
    }
    let list: Vec<String> = named
        .iter()
        .map(|p| sanitize_line(p.shown_name()).into_owned())
        .collect();
    let (what, verb) = match list.len() {
        1 => ("plugin", "is"),
        _ => ("plugins", "are"),
    };
    Some(format!(
        "the question names the {what} {}, which {verb} turned off in this workspace: Security Copilot answers without it",
        list.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plugin(name: &str, display: &str, enabled: bool) -> Plugin {
        serde_json::from_value(serde_json::json!({
            "name": name, "displayName": display, "isEnabled": enabled
        }))
        .unwrap()
    }

    #[test]
    fn only_disabled_plugins_named_as_words_are_reported() {
        let plugins = [
            plugin("ServiceNowITSM", "ServiceNow ITSM", false),
            plugin("MicrosoftSentinel", "Microsoft Sentinel", true),
            plugin(
                "DefenderEASM",
                "Microsoft Defender External Attack Surface Management",
                false,
            ),
        ];
        let shown = |q: &str| -> Vec<&str> {
            disabled_named(q, &plugins)
                .iter()
                .map(|p| p.name.as_str())
                .collect()
        };
        assert_eq!(
            shown("Open a ticket with /ServiceNowITSM"),
            ["ServiceNowITSM"]
        );
        assert_eq!(
            shown("use servicenow itsm, then Microsoft Sentinel"),
            ["ServiceNowITSM"]
        );
        assert!(shown("Query Microsoft Sentinel").is_empty());
        // part of a longer word is not a mention
        assert!(shown("ServiceNowITSMX is something else").is_empty());
        let warning = disabled_warning("ask defendereasm and ServiceNowITSM", &plugins).unwrap();
        assert!(
            warning.contains("plugins ServiceNow ITSM, Microsoft Defender External"),
            "{warning}"
        );
        assert!(warning.contains("are turned off"), "{warning}");
        assert_eq!(disabled_warning("nothing here", &plugins), None);
    }
}
