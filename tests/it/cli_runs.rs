//! `sctui prompts rerun`, `prompts list -o json`'s evaluations, `plugins list` and `stats`
//! against a standalone `sctui fake-graph`, counting the requests the fake served.

use serde_json::Value;

use crate::cli::{Fake, stderr};
use crate::common::describe;

/// The fake's origin (`http://127.0.0.1:PORT`), where its test controls live.
fn origin(fake: &Fake) -> String {
    fake.url.trim_end_matches("/beta").to_string()
}

/// Every Graph request the fake served so far, as (method, path).
fn served(fake: &Fake) -> Vec<(String, String)> {
    let url = format!("{}{}", origin(fake), sctui_fake::control::REQUESTS_PATH);
    let seen: Value = tokio::runtime::Runtime::new().unwrap().block_on(async {
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(&url)
            .send()
            .await
            .expect("the fake answers")
            .json()
            .await
            .expect("JSON")
    });
    seen.as_array()
        .expect("a list")
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap().to_string(),
                r["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The POSTs among the requests served after the first `before`.
fn posts_since(fake: &Fake, before: usize) -> Vec<String> {
    served(fake)
        .into_iter()
        .skip(before)
        .filter(|(method, _)| method == "POST")
        .map(|(_, path)| path)
        .collect()
}

/// Moves the standalone fake's clock forward.
fn advance(fake: &Fake, seconds: u64) {
    let url = format!(
        "{}{}?seconds={seconds}",
        origin(fake),
        sctui_fake::control::ADVANCE_PATH
    );
    let status = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async { reqwest::Client::new().post(&url).send().await })
        .unwrap()
        .status();
    assert!(status.is_success(), "{status}");
}

/// The demo session with this name.
fn session_named(fake: &Fake, name: &str) -> String {
    let sessions = fake.json(&["sessions", "list", "--all", "-o", "json"]);
    sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["displayName"] == name)
        .and_then(|s| s["id"].as_str())
        .unwrap_or_else(|| panic!("no session {name}"))
        .to_string()
}

fn fast_fake() -> Fake {
    Fake::start_with(None, &["--eval-seconds", "0.2"])
}

#[test]
fn a_rerun_posts_one_evaluation_and_no_prompt_and_the_list_shows_it_first() {
    let fake = fast_fake();
    let session = session_named(&fake, "Phishing triage: invoice lure to finance");
    let prompts = fake.json(&["prompts", "list", &session, "-o", "json"]);
    let first = &prompts[0];
    let prompt = first["id"].as_str().unwrap().to_string();
    // the demo answered this question twice, differently, latest first
    let runs = first["evaluations"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "{first}");
    assert_eq!(first["latestEvaluation"], runs[0]);
    assert!(runs[0]["createdDateTime"].as_str() > runs[1]["createdDateTime"].as_str());
    assert_ne!(
        runs[0]["result"]["content"], runs[1]["result"]["content"],
        "two different answers"
    );
    let prompt_count = prompts.as_array().unwrap().len();

    let before = served(&fake).len();
    let out = fake.run_ok(&[
        "prompts", "rerun", &session, &prompt, "--wait", "-o", "json",
    ]);
    let posts = posts_since(&fake, before);
    assert_eq!(
        posts,
        [format!(
            "/beta/security/securityCopilot/workspaces/default/sessions/{session}/prompts/{prompt}/evaluations"
        )],
        "exactly one evaluation and no prompt"
    );
    let rerun: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rerun["evaluation"]["state"], "completed");
    assert_eq!(rerun["evaluation"]["result"]["type"], "success");
    assert_eq!(rerun["prompt"]["id"], prompt.as_str());

    let after = fake.json(&["prompts", "list", &session, "-o", "json"]);
    assert_eq!(
        after.as_array().unwrap().len(),
        prompt_count,
        "no new question"
    );
    let runs = after[0]["evaluations"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[0]["id"], rerun["evaluation"]["id"]);

    // table output without --wait names what was started
    let out = fake.run_ok(&["prompts", "rerun", &session, &prompt]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("evaluation  ") && text.contains("state       created"),
        "{text}"
    );
}

#[test]
fn prompts_list_offline_shows_every_stored_run_the_latest_with_its_answer() {
    let fake = fast_fake();
    let session = session_named(&fake, "Phishing triage: invoice lure to finance");
    fake.run_ok(&["sync", "--conversations"]);
    let online = fake.json(&["prompts", "list", &session, "-o", "json"]);
    let offline = fake.json(&["--offline", "prompts", "list", &session, "-o", "json"]);
    let ids = |prompts: &Value| -> Vec<Vec<String>> {
        prompts
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                p["evaluations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["id"].as_str().unwrap().to_string())
                    .collect()
            })
            .collect()
    };
    assert_eq!(
        ids(&offline),
        ids(&online),
        "every run, newest first: {offline}"
    );
    let (stored, seen) = (&offline[0]["evaluations"], &online[0]["evaluations"]);
    assert_eq!(stored.as_array().unwrap().len(), 2);
    assert_eq!(stored[0]["result"]["content"], seen[0]["result"]["content"]);
    assert_eq!(offline[0]["latestEvaluation"], stored[0]);
    // an earlier run: how it ended and when, without the answer the store does not keep
    assert_eq!(stored[1]["result"]["type"], seen[1]["result"]["type"]);
    assert_eq!(stored[1]["state"], seen[1]["state"]);
    assert!(stored[1]["result"]["content"].is_null(), "{}", stored[1]);
}

#[test]
fn an_unknown_prompt_exits_4_before_anything_is_sent() {
    let fake = fast_fake();
    let session = session_named(&fake, "Phishing triage: invoice lure to finance");
    let before = served(&fake).len();
    let out = fake.run(&[
        "prompts",
        "rerun",
        &session,
        "00000000-0000-0000-0000-000000000000",
        "--wait",
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(posts_since(&fake, before).is_empty());
    let out = fake.run(&["--offline", "prompts", "rerun", &session, "x"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}

#[test]
fn capacity_runs_out_for_the_hour_and_a_rerun_after_it_answers() {
    let fake = fast_fake();
    let out = fake.run(&[
        "ask",
        "--wait",
        "-o",
        "json",
        "Every sign-in for 90 days [fail:capacityExceeded]",
    ]);
    assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("result capacityExceeded"), "{err}");
    assert!(err.contains("capacity renews at"), "{err}");
    let asked: Value = serde_json::from_slice(&out.stdout).unwrap();
    let session = asked["session"]["id"].as_str().unwrap().to_string();
    let prompt = asked["prompt"]["id"].as_str().unwrap().to_string();

    // still the same hour: out of capacity again
    let out = fake.run(&["prompts", "rerun", &session, &prompt, "--wait"]);
    assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    advance(&fake, 3600);
    let out = fake.run_ok(&["prompts", "rerun", &session, &prompt, "--wait"]);
    assert!(!out.stdout.is_empty(), "{}", describe(&out));

    // the store recorded all three runs: stats needs no network
    let stats = fake.json(&["--offline", "stats", "--since", "3d", "-o", "json"]);
    assert_eq!(stats["byResult"]["capacityExceeded"], 2, "{stats}");
    assert_eq!(stats["byResult"]["success"], 1, "{stats}");
    let share = stats["capacityShare"].as_f64().unwrap();
    assert!((share - 2.0 / 3.0).abs() < 1e-9, "{stats}");
    assert!(stats["medianSecondsToAnswer"].as_f64().is_some(), "{stats}");
    assert!(stats["perHour"].as_array().unwrap().len() >= 72);
    let hours: u64 = stats["perHour"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["capacityExceeded"].as_u64().unwrap())
        .sum();
    assert_eq!(hours, 2);
    let table = fake.run_ok(&["stats"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("Hit capacity: 66.7 %"), "{text}");
    assert!(text.contains("capacityExceeded 2"), "{text}");
}

#[test]
fn plugins_list_online_then_offline_and_a_disabled_one_is_named_before_asking() {
    let fake = fast_fake();
    let out = fake.run(&["--offline", "plugins", "list"]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(
        stderr(&out).contains("sctui plugins list"),
        "{}",
        describe(&out)
    );

    let online = fake.json(&["plugins", "list", "-o", "json"]);
    let list = online.as_array().unwrap();
    let servicenow = list
        .iter()
        .find(|p| p["name"] == "ServiceNowITSM")
        .expect("the demo's ServiceNow plugin");
    assert_eq!(servicenow["isEnabled"], false);
    assert!(list.iter().any(|p| p["isEnabled"] == true));
    let settings = servicenow["settings"].as_array().unwrap();
    assert_eq!(settings[0]["name"], "InstanceUrl");
    // setting values are never read, so never printed or stored
    assert!(list.iter().all(|p| {
        p["settings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s.get("value").is_none())
    }));

    let offline = fake.json(&["--offline", "plugins", "list", "-o", "json"]);
    assert_eq!(offline, online);
    let table = fake.run_ok(&["--offline", "plugins", "list"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("NAME"), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("ServiceNow ITSM")
            && l.contains(" no ")
            && l.contains("InstanceUrl")),
        "{text}"
    );

    let out = fake.run_ok(&["ask", "Open an incident in ServiceNow ITSM for this"]);
    let err = stderr(&out);
    assert!(
        err.contains("names the plugin ServiceNow ITSM, which is turned off"),
        "{err}"
    );
    let out = fake.run_ok(&["ask", "Query Microsoft Sentinel for this"]);
    assert!(!stderr(&out).contains("turned off"), "{}", describe(&out));

    // a promptbook step that names one is warned about before the run starts
    let book = fake.home.path().join("book.json");
    std::fs::write(
        &book,
        r#"{"name":"Ticket","prompts":[{"content":"Summarise the incident"},
            {"content":"File it with /ServiceNowITSM"}]}"#,
    )
    .unwrap();
    let out = fake.run(&["promptbook", "run", book.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(
        err.contains("names the plugin ServiceNow ITSM, which is turned off"),
        "{}",
        describe(&out)
    );
}

#[test]
fn a_fork_at_2_posts_two_prompts_in_order_in_one_new_session_and_resumes_without_asking_again() {
    let fake = fast_fake();
    let original = session_named(&fake, "Phishing triage: invoice lure to finance");
    let prompts = fake.json(&["prompts", "list", &original, "-o", "json"]);
    let questions: Vec<&str> = prompts
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["content"].as_str().unwrap())
        .collect();
    assert!(questions.len() >= 3);

    // without --wait: returns once question 2 is asked, before its answer
    let before = served(&fake).len();
    let out = fake.run_ok(&["sessions", "fork", &original, "--at", "2", "-o", "json"]);
    let fork: Value = serde_json::from_slice(&out.stdout).unwrap();
    let session = fork["session"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        fork["session"]["displayName"],
        "Phishing triage: invoice lure to finance (fork)"
    );
    let posts = posts_since(&fake, before);
    let base = "/beta/security/securityCopilot/workspaces/default/sessions";
    let prompts_path = format!("{base}/{session}/prompts");
    assert_eq!(posts.len(), 5, "{posts:?}");
    assert_eq!(posts[0], base, "one new session");
    assert_eq!(posts[1], prompts_path);
    assert!(
        posts[2].starts_with(&format!("{prompts_path}/")) && posts[2].ends_with("/evaluations")
    );
    assert_eq!(posts[3], prompts_path);
    assert!(posts[4].ends_with("/evaluations"));
    let asked = fake.json(&["prompts", "list", &session, "-o", "json"]);
    let asked: Vec<&str> = asked
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["content"].as_str().unwrap())
        .collect();
    assert_eq!(asked, questions[..2], "questions 1 and 2, in order");

    // the fork is a stored run: resuming it follows the last answer and asks nothing again
    let id = fork["id"].as_i64().unwrap().to_string();
    let before = served(&fake).len();
    let out = fake.run_ok(&["promptbook", "resume", &id, "-o", "json"]);
    assert!(
        posts_since(&fake, before).is_empty(),
        "nothing posted twice"
    );
    let resumed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(resumed["status"], "succeeded", "{resumed}");

    // --wait and --name: every question, answered
    let out = fake.run_ok(&["sessions", "fork", &original, "--name", "again", "--wait"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("succeeded"),
        "{}",
        describe(&out)
    );
    // --jq filters the run's JSON, as on every command that prints JSON
    let out = fake.run_ok(&[
        "sessions",
        "fork",
        &original,
        "--at",
        "1",
        "--name",
        "filtered",
        "--wait",
        "--jq",
        ".session.displayName",
        "--raw",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "filtered\n",
        "{}",
        describe(&out)
    );
    let out = fake.run(&["sessions", "fork", &original, "--at", "9"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}
