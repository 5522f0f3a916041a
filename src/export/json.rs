//! Sessions as JSON with Graph's property names and exact values: each session's own properties,
//! then `prompts`, each prompt's own properties and its `evaluations` (Graph's navigation
//! property names). Scripts read it as they would read Graph.

use serde::Serialize;

use super::Conversation;
use sctui_graph::models::{Evaluation, Prompt, Session};

/// One session as JSON: Graph's session object with its `prompts`.
#[derive(Debug, Serialize)]
pub struct SessionJson<'a> {
    #[serde(flatten)]
    session: &'a Session,
    prompts: Vec<PromptJson<'a>>,
}

/// One prompt as JSON: Graph's prompt object with its `evaluations` (the latest run, the one
/// the reader shows; none when it was never run).
#[derive(Debug, Serialize)]
struct PromptJson<'a> {
    #[serde(flatten)]
    prompt: &'a Prompt,
    evaluations: Vec<&'a Evaluation>,
}

/// The JSON shape of one conversation.
pub fn session_json(conversation: &Conversation) -> SessionJson<'_> {
    SessionJson {
        session: &conversation.session,
        prompts: conversation
            .turns
            .iter()
            .map(|turn| PromptJson {
                prompt: &turn.prompt,
                evaluations: turn.evaluation.iter().collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sctui_graph::conversation::Turn;

    #[test]
    fn keeps_graphs_names_and_exact_values() {
        let session: Session = serde_json::from_value(serde_json::json!({
            "id": "s1", "displayName": null,
            "createdDateTime": "2025-09-17T19:23:41.1506601Z",
            "lastModifiedDateTime": "2025-09-17T19:28:21.07343Z"
        }))
        .unwrap();
        let prompt: Prompt = serde_json::from_value(serde_json::json!({
            "id": "p1", "type": "prompt", "content": "who?\n\u{1b}[2Jsecond",
            "skillName": null, "createdDateTime": "2025-09-17T19:23:42Z"
        }))
        .unwrap();
        let evaluation: Evaluation = serde_json::from_value(serde_json::json!({
            "id": "e1", "state": "completed", "executionCount": 1, "isCancelled": false,
            "result": {"content": "**Jordan**", "type": "success", "previewState": "ga"},
            "createdDateTime": "2025-09-17T19:23:42.5Z",
            "completedDateTime": "2025-09-17T19:23:58.25Z"
        }))
        .unwrap();
        let conversation = Conversation {
            session,
            turns: vec![
                Turn {
                    prompt: prompt.clone(),
                    evaluation: Some(evaluation),
                },
                Turn {
                    prompt,
                    evaluation: None,
                },
            ],
        };
        let value = serde_json::to_value(session_json(&conversation)).unwrap();
        assert_eq!(value["id"], "s1");
        assert_eq!(value["displayName"], serde_json::Value::Null);
        assert_eq!(value["createdDateTime"], "2025-09-17T19:23:41.1506601Z");
        assert_eq!(value["prompts"][0]["type"], "prompt");
        assert_eq!(value["prompts"][0]["content"], "who?\n\u{1b}[2Jsecond");
        let evaluation = &value["prompts"][0]["evaluations"][0];
        assert_eq!(evaluation["result"]["type"], "success");
        assert_eq!(evaluation["completedDateTime"], "2025-09-17T19:23:58.25Z");
        assert_eq!(evaluation["executionCount"], 1);
        assert_eq!(value["prompts"][1]["evaluations"], serde_json::json!([]));
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(keys.contains(&"prompts") && keys.contains(&"lastModifiedDateTime"));
    }
}
