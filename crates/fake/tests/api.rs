//! The built-in Graph fake, spoken to over raw HTTP as any Graph client would (127.0.0.1 only).

use std::collections::HashSet;
use std::time::Duration;

use reqwest::{Client, StatusCode};
use sctui_fake::{DEMO_TOKEN, FakeGraph, FakeOptions, SECOND_WORKSPACE, Seed, SessionOrder};
use serde_json::{Value, json};

const TOKEN: &str = "test-token";

async fn start(seed: Seed) -> FakeGraph {
    start_with(seed, Duration::from_millis(200)).await
}

async fn start_with(seed: Seed, delay: Duration) -> FakeGraph {
    FakeGraph::start(FakeOptions {
        seed,
        port: 0,
        token: Some(TOKEN.to_string()),
        evaluation_delay: delay,
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts")
}

fn sessions_url(fake: &FakeGraph) -> String {
    format!(
        "{}/security/securityCopilot/workspaces/default/sessions",
        fake.base_url()
    )
}

struct Reply {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn send(req: reqwest::RequestBuilder) -> Reply {
    let resp = req.send().await.expect("request reaches the fake");
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(url: &str, query: &[(&str, &str)]) -> Reply {
    send(Client::new().get(url).query(query).bearer_auth(TOKEN)).await
}

async fn post(url: &str, body: &Value) -> Reply {
    send(Client::new().post(url).json(body).bearer_auth(TOKEN)).await
}

async fn patch(url: &str, body: &Value) -> Reply {
    send(Client::new().patch(url).json(body).bearer_auth(TOKEN)).await
}

fn assert_graph_error(r: &Reply, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.body["error"]["code"], code, "{}", r.body);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    let rid = r.body["error"]["innerError"]["request-id"]
        .as_str()
        .expect("innerError.request-id");
    assert_eq!(
        r.headers.get("request-id").and_then(|v| v.to_str().ok()),
        Some(rid)
    );
    assert!(r.body["error"]["innerError"]["date"].is_string());
}

fn names(body: &Value) -> Vec<Option<String>> {
    body["value"]
        .as_array()
        .expect("value array")
        .iter()
        .map(|s| s["displayName"].as_str().map(str::to_string))
        .collect()
}

/// An empty fake with sessions of known names, created in this order.
async fn named_fake() -> FakeGraph {
    let fake = start(Seed::Empty).await;
    let store = fake.store();
    for name in [
        Some("Phishing triage: invoice"),
        Some("phishing follow-up"),
        Some("KQL hunt: O'Brien laptop"),
        None,
        Some("Beta incident"),
        Some("Another PHISHING wave"),
    ] {
        store.insert_session("default", name);
    }
    fake
}

#[tokio::test]
async fn requests_without_an_accepted_token_get_401() {
    let fake = start(Seed::Demo).await;
    let url = sessions_url(&fake);

    let r = send(
        Client::new()
            .get(&url)
            .header("client-request-id", "abc-123"),
    )
    .await;
    assert_graph_error(&r, StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken");
    assert_eq!(r.body["error"]["message"], "Access token is empty.");
    assert_eq!(
        r.body["error"]["innerError"]["client-request-id"],
        "abc-123"
    );
    assert_eq!(
        r.headers
            .get("client-request-id")
            .unwrap()
            .to_str()
            .unwrap(),
        "abc-123"
    );
    assert!(r.headers.contains_key("www-authenticate"));

    let r = send(Client::new().get(&url).bearer_auth("wrong")).await;
    assert_graph_error(&r, StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Access token validation failure")
    );

    let r = send(Client::new().get(&url).basic_auth("u", Some("p"))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // Unknown paths and methods are not revealed without a token either.
    let r = send(Client::new().delete(&url)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // Tokens can be rotated at runtime.
    fake.store().set_accepted_tokens(Some(vec!["new".into()]));
    let r = send(Client::new().get(&url).bearer_auth(TOKEN)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = send(Client::new().get(&url).bearer_auth("new")).await;
    assert_eq!(r.status, StatusCode::OK);
    fake.shutdown().await;
}

#[tokio::test]
async fn demo_options_accept_the_demo_token_and_serve_demo_data() {
    let fake = FakeGraph::start(FakeOptions::demo()).await.unwrap();
    assert_eq!(
        fake.base_url(),
        format!("http://127.0.0.1:{}/beta", fake.addr().port())
    );
    let r = send(
        Client::new()
            .get(format!(
                "{}/security/securityCopilot/workspaces",
                fake.base_url()
            ))
            .bearer_auth(DEMO_TOKEN),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let ws = r.body["value"].as_array().unwrap();
    assert_eq!(ws.len(), 2);
    assert_eq!(ws[0]["id"], "default");
    assert_eq!(ws[0]["displayName"], "Contoso SOC");
    assert_eq!(ws[1]["displayName"], "Fabrikam MSSP");
    assert!(
        r.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#security/securityCopilot/workspaces")
    );

    let store = fake.store();
    let sessions = store.sessions("default");
    assert!(sessions.len() >= 10, "{}", sessions.len());
    assert!(!store.sessions(SECOND_WORKSPACE).is_empty());
    // Demo sessions come with their conversations.
    let with_prompts = sessions
        .iter()
        .find(|s| !store.prompts("default", &s.id).is_empty())
        .expect("a demo session with prompts");
    let prompts = store.prompts("default", &with_prompts.id);
    let evals = store.evaluations("default", &with_prompts.id, &prompts[0].id);
    assert_eq!(evals.len(), 1);
    fake.shutdown().await;
}

#[tokio::test]
async fn success_responses_carry_graph_headers_and_context() {
    let fake = named_fake().await;
    let r = send(
        Client::new()
            .get(sessions_url(&fake))
            .header("client-request-id", "cid-1")
            .bearer_auth(TOKEN),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let ct = r.headers["content-type"].to_str().unwrap();
    assert!(ct.starts_with("application/json"), "{ct}");
    assert!(
        uuid::Uuid::parse_str(r.headers["request-id"].to_str().unwrap()).is_ok(),
        "request-id is a GUID"
    );
    assert_eq!(r.headers["client-request-id"], "cid-1");
    assert!(
        r.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#security/securityCopilot/workspaces('default')/sessions")
    );
    assert_eq!(r.body["value"].as_array().unwrap().len(), 6);
    assert!(r.body.get("@odata.nextLink").is_none());
    assert!(r.body.get("@odata.count").is_none());
    // A null displayName is sent as null, and ids are GUIDs (newest first: the untitled one is
    // third).
    let first = &r.body["value"][2];
    assert!(first["displayName"].is_null());
    assert!(uuid::Uuid::parse_str(first["id"].as_str().unwrap()).is_ok());
    let t = first["createdDateTime"].as_str().unwrap();
    assert!(t.len() <= "2025-09-17T19:23:41.1506601Z".len(), "{t}");
    assert!(
        t.ends_with('Z') && t.parse::<jiff::Timestamp>().is_ok(),
        "{t}"
    );
    // Graph's hint to use $select comes on GETs that did not; clients ignore it.
    assert!(
        r.body["@microsoft.graph.tips"]
            .as_str()
            .is_some_and(|t| t.starts_with("Use $select"))
    );
    let r = get(&sessions_url(&fake), &[("$select", "displayName")]).await;
    assert!(r.body.get("@microsoft.graph.tips").is_none());
    fake.shutdown().await;
}

#[tokio::test]
async fn three_pages_followed_via_next_link() {
    let fake = start(Seed::Synthetic(250)).await;
    let mut url = sessions_url(&fake);
    let mut query = vec![("$top", "100"), ("$count", "true")];
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let r = get(&url, &query).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["@odata.count"], 250);
        pages += 1;
        for s in r.body["value"].as_array().unwrap() {
            seen.push(s["id"].as_str().unwrap().to_string());
        }
        match r.body["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(next.starts_with(fake.base_url()), "{next}");
                assert!(next.contains("$skiptoken="), "{next}");
                url = next.to_string();
                query = Vec::new();
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 250);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 250);
    // Default order is newest first, as the docs' example.
    let expected: Vec<String> = fake
        .store()
        .sessions("default")
        .into_iter()
        .rev()
        .map(|s| s.id)
        .collect();
    assert_eq!(seen, expected);
    fake.shutdown().await;
}

#[tokio::test]
async fn top_is_validated_defaulted_and_clamped() {
    let fake = start(Seed::Synthetic(1_500)).await;
    let url = sessions_url(&fake);
    let r = get(&url, &[]).await;
    assert_eq!(r.body["value"].as_array().unwrap().len(), 100);
    assert!(r.body["@odata.nextLink"].is_string());
    let r = get(&url, &[("$top", "5000")]).await;
    assert_eq!(r.body["value"].as_array().unwrap().len(), 1000);
    for bad in ["0", "abc", "-3"] {
        let r = get(&url, &[("$top", bad)]).await;
        assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
    }
    let r = get(&url, &[("$skiptoken", "garbage!")]).await;
    assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
    let r = get(&url, &[("$expand", "prompts")]).await;
    assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
    fake.shutdown().await;
}

#[tokio::test]
async fn select_returns_only_the_named_properties_plus_id() {
    let fake = named_fake().await;
    let url = sessions_url(&fake);
    let r = get(&url, &[("$select", "displayName")]).await;
    assert_eq!(r.status, StatusCode::OK);
    for s in r.body["value"].as_array().unwrap() {
        let keys: HashSet<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, HashSet::from(["id", "displayName"]));
    }
    assert!(
        r.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/sessions(displayName,id)")
    );
    let r = get(
        &url,
        &[(
            "$select",
            "id,displayName,createdDateTime,lastModifiedDateTime",
        )],
    )
    .await;
    assert_eq!(r.body["value"][0].as_object().unwrap().len(), 4);

    let r = get(&url, &[("$select", "displayName,color")]).await;
    assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("color")
    );

    // $select on a single entity too.
    let id = fake.store().sessions("default")[0].id.clone();
    let r = get(&format!("{url}/{id}"), &[("$select", "createdDateTime")]).await;
    let keys: HashSet<&str> = r
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        HashSet::from(["@odata.context", "id", "createdDateTime"])
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn filter_forms() {
    let fake = named_fake().await;
    let url = sessions_url(&fake);

    let r = get(&url, &[("$filter", "displayName eq 'Beta incident'")]).await;
    assert_eq!(names(&r.body), vec![Some("Beta incident".to_string())]);

    let r = get(
        &url,
        &[
            ("$filter", "startswith(displayName,'phishing')"),
            ("$count", "true"),
        ],
    )
    .await;
    assert_eq!(
        names(&r.body),
        vec![
            Some("phishing follow-up".to_string()),
            Some("Phishing triage: invoice".to_string()),
        ]
    );
    assert_eq!(r.body["@odata.count"], 2);

    let r = get(&url, &[("$filter", "contains(displayName,'PHISH')")]).await;
    assert_eq!(names(&r.body).len(), 3);

    let r = get(&url, &[("$filter", "contains(displayName,'o''brien')")]).await;
    assert_eq!(
        names(&r.body),
        vec![Some("KQL hunt: O'Brien laptop".to_string())]
    );

    let r = get(&url, &[("$filter", "displayName eq null")]).await;
    assert_eq!(names(&r.body), vec![None]);

    let r = get(
        &url,
        &[("$filter", "contains(displayName,'nothing like it')")],
    )
    .await;
    assert!(names(&r.body).is_empty());

    for bad in [
        "displayName ne 'x'",
        "endswith(displayName,'x')",
        "contains(displayName,'x') or displayName eq 'y'",
        "id eq 'x'",
        "contains(displayName,'unterminated)",
    ] {
        let r = get(&url, &[("$filter", bad)]).await;
        assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
    }
    let r = get(&url, &[("$filter", "displayName gt 'a'")]).await;
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Supported forms")
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn orderby_sorts_and_rejects_unknown() {
    let fake = named_fake().await;
    let url = sessions_url(&fake);
    // Strict (the default): `$orderby` is not documented for sessions.
    let r = get(&url, &[("$orderby", "displayName")]).await;
    assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
    fake.store().set_strict(false);
    let r = get(&url, &[("$orderby", "displayName")]).await;
    assert_eq!(
        names(&r.body),
        vec![
            None,
            Some("Another PHISHING wave".into()),
            Some("Beta incident".into()),
            Some("KQL hunt: O'Brien laptop".into()),
            Some("phishing follow-up".into()),
            Some("Phishing triage: invoice".into()),
        ]
    );
    let r = get(&url, &[("$orderby", "createdDateTime desc")]).await;
    let got = names(&r.body);
    assert_eq!(got[0].as_deref(), Some("Another PHISHING wave"));
    assert_eq!(got[5].as_deref(), Some("Phishing triage: invoice"));

    // A rename moves a session to the end of lastModifiedDateTime asc.
    let first = fake.store().sessions("default")[0].id.clone();
    patch(&format!("{url}/{first}"), &json!({"displayName": "Zulu"})).await;
    let r = get(&url, &[("$orderby", "lastModifiedDateTime asc")]).await;
    assert_eq!(names(&r.body)[5].as_deref(), Some("Zulu"));

    for bad in ["id", "displayName sideways", "color desc"] {
        let r = get(&url, &[("$orderby", bad)]).await;
        assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn paging_combines_with_filter_orderby_select_and_count() {
    let fake = named_fake().await;
    fake.store().set_strict(false);
    let r = get(
        &sessions_url(&fake),
        &[
            ("$filter", "contains(displayName,'i')"),
            ("$orderby", "displayName desc"),
            ("$select", "displayName"),
            ("$count", "true"),
            ("$top", "2"),
        ],
    )
    .await;
    let mut all = names(&r.body);
    assert_eq!(r.body["@odata.count"], 5);
    let mut next = r.body["@odata.nextLink"].as_str().map(str::to_string);
    while let Some(link) = next {
        let r = get(&link, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["@odata.count"], 5);
        assert_eq!(r.body["value"][0].as_object().unwrap().len(), 2);
        all.extend(names(&r.body));
        next = r.body["@odata.nextLink"].as_str().map(str::to_string);
    }
    assert_eq!(
        all,
        vec![
            Some("Phishing triage: invoice".into()),
            Some("phishing follow-up".into()),
            Some("KQL hunt: O'Brien laptop".into()),
            Some("Beta incident".into()),
            Some("Another PHISHING wave".into()),
        ]
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn create_session_201_and_400s() {
    let fake = start(Seed::Empty).await;
    let url = sessions_url(&fake);
    let r = post(
        &url,
        &json!({"@odata.type": "#microsoft.graph.security.securityCopilot.session", "displayName": "New hunt"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok());
    assert_eq!(r.body["displayName"], "New hunt");
    assert_eq!(r.body["createdDateTime"], r.body["lastModifiedDateTime"]);
    assert!(
        r.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("workspaces('default')/sessions/$entity")
    );
    assert_eq!(
        r.headers["location"].to_str().unwrap(),
        format!("{url}/{id}")
    );
    assert_eq!(fake.store().sessions("default").len(), 1);

    for bad in [
        json!({}),
        json!({"displayName": ""}),
        json!({"displayName": "   "}),
        json!({"displayName": 42}),
        json!({"displayName": null}),
        json!({"displayName": "x", "colour": "red"}),
        json!(["displayName"]),
    ] {
        let r = post(&url, &bad).await;
        assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
    }
    let r = send(
        Client::new()
            .post(&url)
            .bearer_auth(TOKEN)
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
    let r = send(
        Client::new()
            .post(&url)
            .bearer_auth(TOKEN)
            .header("content-type", "application/json"),
    )
    .await;
    assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
    assert_eq!(fake.store().sessions("default").len(), 1);

    // The second workspace has its own sessions.
    let other = format!(
        "{}/security/securityCopilot/workspaces/{SECOND_WORKSPACE}/sessions",
        fake.base_url()
    );
    let r = post(&other, &json!({"displayName": "MSSP"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(fake.store().sessions(SECOND_WORKSPACE).len(), 1);
    assert_eq!(fake.store().sessions("default").len(), 1);
    fake.shutdown().await;
}

#[tokio::test]
async fn rename_200_bumps_last_modified() {
    let fake = named_fake().await;
    let before = fake.store().sessions("default")[0].clone();
    let url = format!("{}/{}", sessions_url(&fake), before.id);
    let r = patch(&url, &json!({"displayName": "Renamed"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["displayName"], "Renamed");
    assert_eq!(r.body["id"], before.id.as_str());
    assert!(
        r.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/sessions/$entity")
    );
    let created = sctui_fake::wire::time_text(before.created_date_time);
    assert_eq!(r.body["createdDateTime"], created.as_str());
    let old = before.last_modified_date_time;
    let new: jiff::Timestamp = r.body["lastModifiedDateTime"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(new > old);

    let r = get(&url, &[]).await;
    assert_eq!(r.body["displayName"], "Renamed");
    // Ids are case-insensitive, like Graph's GUID keys.
    let upper = format!("{}/{}", sessions_url(&fake), before.id.to_uppercase());
    let r = get(&upper, &[]).await;
    assert_eq!(r.status, StatusCode::OK);

    for bad in [
        json!({}),
        json!({"displayName": ""}),
        json!({"displayName": 1}),
    ] {
        let r = patch(&url, &bad).await;
        assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
    }
    assert_eq!(
        fake.store()
            .session("default", &before.id)
            .unwrap()
            .display_name
            .as_deref(),
        Some("Renamed")
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn unknown_things_are_404_in_graph_format() {
    let fake = named_fake().await;
    let base = format!("{}/security/securityCopilot/workspaces", fake.base_url());
    let sid = fake.store().sessions("default")[0].id.clone();
    let missing = uuid::Uuid::new_v4().to_string();
    for url in [
        format!("{base}/default/sessions/{missing}"),
        format!("{base}/nope/sessions"),
        format!("{base}/default/sessions/{missing}/prompts"),
        format!("{base}/default/sessions/{sid}/prompts/{missing}"),
        format!("{base}/default/sessions/{sid}/prompts/{missing}/evaluations"),
    ] {
        let r = get(&url, &[]).await;
        assert_graph_error(&r, StatusCode::NOT_FOUND, "ResourceNotFound");
    }
    let r = patch(
        &format!("{base}/default/sessions/{missing}"),
        &json!({"displayName": "x"}),
    )
    .await;
    assert_graph_error(&r, StatusCode::NOT_FOUND, "ResourceNotFound");
    let r = post(
        &format!("{base}/default/sessions/{missing}/prompts"),
        &json!({"type": "prompt", "content": "hi"}),
    )
    .await;
    assert_graph_error(&r, StatusCode::NOT_FOUND, "ResourceNotFound");

    // A session removed behind the client's back.
    assert!(fake.store().remove_session("default", &sid));
    let r = get(&format!("{base}/default/sessions/{sid}"), &[]).await;
    assert_graph_error(&r, StatusCode::NOT_FOUND, "ResourceNotFound");
    fake.shutdown().await;
}

#[tokio::test]
async fn unsupported_methods_are_405() {
    let fake = named_fake().await;
    let sid = fake.store().sessions("default")[0].id.clone();
    let url = format!("{}/{sid}", sessions_url(&fake));
    let r = send(Client::new().delete(&url).bearer_auth(TOKEN)).await;
    assert_graph_error(&r, StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed");
    assert!(r.headers.contains_key("allow"));
    let r = send(Client::new().put(sessions_url(&fake)).bearer_auth(TOKEN)).await;
    assert_graph_error(&r, StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed");
    // The session is still there.
    assert!(fake.store().session("default", &sid).is_some());

    // Unknown paths get Graph's 400 naming the segment.
    let r = get(
        &format!("{}/security/securityCopilot/bogus", fake.base_url()),
        &[],
    )
    .await;
    assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
    fake.shutdown().await;
}

/// Polls an evaluation until it is no longer in progress; returns every state seen.
async fn follow(url: &str) -> (Vec<String>, Value) {
    let mut states = Vec::new();
    for _ in 0..500 {
        let r = get(url, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let state = r.body["state"].as_str().unwrap().to_string();
        if states.last() != Some(&state) {
            states.push(state.clone());
        }
        if state == "completed" {
            return (states, r.body);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("evaluation never completed: {states:?}");
}

async fn ask(fake: &FakeGraph, sid: &str, content: &str) -> (String, Value) {
    let prompts = format!("{}/{sid}/prompts", sessions_url(fake));
    let r = post(&prompts, &json!({"type": "prompt", "content": content})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let pid = r.body["id"].as_str().unwrap().to_string();
    let evals = format!("{prompts}/{pid}/evaluations");
    let r = post(&evals, &json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    (
        format!("{evals}/{}", r.body["id"].as_str().unwrap()),
        r.body,
    )
}

#[tokio::test]
async fn prompt_and_evaluation_progress_to_completed() {
    let fake = named_fake().await;
    let sid = fake.store().sessions("default")[0].id.clone();
    let prompts = format!("{}/{sid}/prompts", sessions_url(&fake));

    let r = post(
        &prompts,
        &json!({"type": "prompt", "content": "Triage this phishing email"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["type"], "prompt");
    assert_eq!(r.body["content"], "Triage this phishing email");
    assert!(r.body["skillName"].is_null());
    assert_eq!(r.body["inputs"], json!({"keyValuePairs": []}));
    assert_eq!(r.body["skillInputDescriptors"], json!([]));
    assert!(r.body["createdDateTime"].is_string());
    assert!(r.body["lastModifiedDateTime"].is_string());
    let pid = r.body["id"].as_str().unwrap().to_string();

    let r = get(&prompts, &[]).await;
    assert_eq!(r.body["value"].as_array().unwrap().len(), 1);
    let r = get(&format!("{prompts}/{pid}"), &[]).await;
    assert_eq!(r.body["id"], pid.as_str());

    let evals = format!("{prompts}/{pid}/evaluations");
    let r = post(&evals, &json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["state"], "created");
    assert!(r.body["result"].is_null());
    assert_eq!(r.body["executionCount"], 0);
    assert_eq!(r.body["isCancelled"], false);
    assert_eq!(r.body["runStartDateTime"], "0001-01-01T00:00:00Z");
    assert_eq!(r.body["completedDateTime"], "0001-01-01T00:00:00Z");
    let eid = r.body["id"].as_str().unwrap().to_string();

    let (states, done) = follow(&format!("{evals}/{eid}")).await;
    let allowed = ["created", "running", "completed"];
    assert!(
        states.iter().all(|s| allowed.contains(&s.as_str())),
        "{states:?}"
    );
    assert_eq!(states.last().map(String::as_str), Some("completed"));
    assert_eq!(done["result"]["type"], "success");
    assert_eq!(done["result"]["previewState"], "ga");
    assert!(
        done["result"]["content"]
            .as_str()
            .is_some_and(|c| c.len() > 20)
    );
    assert_ne!(done["completedDateTime"], "0001-01-01T00:00:00Z");
    assert_ne!(done["runStartDateTime"], "0001-01-01T00:00:00Z");
    assert_eq!(done["executionCount"], 1);

    let r = get(&evals, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    let list = r.body["value"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["state"], "completed");

    // Bad prompts.
    for bad in [
        json!({"type": "prompt", "content": ""}),
        json!({"type": "prompt"}),
        json!({"type": "skill", "content": "x"}),
        json!({"type": "prompt", "content": 5}),
    ] {
        let r = post(&prompts, &bad).await;
        assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn evaluation_is_observed_running_with_a_longer_delay() {
    let fake = start_with(Seed::Empty, Duration::from_secs(30)).await;
    let s = fake.store().insert_session("default", Some("s"));
    let (url, created) = ask(&fake, &s.id, "who am i").await;
    assert_eq!(created["state"], "created");
    // Running starts after a tenth of the run time (3 s): move the fake's clock, don't wait.
    fake.clock().advance(Duration::from_secs(4));
    let body = get(&url, &[]).await.body;
    assert_eq!(body["state"], "running");
    assert_eq!(
        body["result"],
        json!({"content": null, "type": "unknown", "previewState": "ga"})
    );
    assert_ne!(body["runStartDateTime"], "0001-01-01T00:00:00Z");
    assert_eq!(body["completedDateTime"], "0001-01-01T00:00:00Z");
    fake.shutdown().await;
}

#[tokio::test]
async fn fail_triggers_end_in_their_result_type() {
    let fake = start(Seed::Empty).await;
    let s = fake.store().insert_session("default", Some("failures"));
    for (trigger, kind) in [
        ("[fail:error]", "error"),
        ("[fail:timedOut]", "timedOut"),
        ("[fail:capacityExceeded]", "capacityExceeded"),
    ] {
        let (url, _) = ask(&fake, &s.id, &format!("Summarize incident 42 {trigger}")).await;
        let (_, done) = follow(&url).await;
        assert_eq!(done["state"], "completed");
        assert_eq!(done["result"]["type"], kind);
        assert!(
            done["result"]["content"]
                .as_str()
                .is_some_and(|c| !c.is_empty())
        );
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let fake = start(Seed::Empty).await;
    let url = sessions_url(&fake);
    assert_eq!(get(&url, &[]).await.status, StatusCode::OK);
    fake.shutdown().await;
    let err = Client::new()
        .get(&url)
        .bearer_auth(TOKEN)
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(err.is_err());
}

fn workspace_url(fake: &FakeGraph) -> String {
    format!(
        "{}/security/securityCopilot/workspaces/default",
        fake.base_url()
    )
}

#[tokio::test]
async fn sessions_come_newest_first_unless_asked_oldest_first() {
    let fake = named_fake().await;
    let url = sessions_url(&fake);
    let newest = names(&get(&url, &[]).await.body);
    assert_eq!(newest[0].as_deref(), Some("Another PHISHING wave"));
    assert_eq!(newest[5].as_deref(), Some("Phishing triage: invoice"));
    fake.store().set_session_order(SessionOrder::OldestFirst);
    let oldest = names(&get(&url, &[]).await.body);
    assert_eq!(oldest, newest.into_iter().rev().collect::<Vec<_>>());
    fake.shutdown().await;
}

#[tokio::test]
async fn pages_neither_skip_nor_repeat_when_sessions_are_created_meanwhile() {
    let fake = start(Seed::Synthetic(25)).await;
    let before: HashSet<String> = fake
        .store()
        .sessions("default")
        .into_iter()
        .map(|s| s.id)
        .collect();
    let mut seen = Vec::new();
    let r = get(&sessions_url(&fake), &[("$top", "4")]).await;
    let mut body = r.body;
    loop {
        for s in body["value"].as_array().unwrap() {
            seen.push(s["id"].as_str().unwrap().to_string());
        }
        // Someone creates two sessions between every two page requests.
        fake.store().insert_session("default", Some("meanwhile"));
        fake.store().insert_session("default", None);
        match body["@odata.nextLink"].as_str() {
            Some(next) => body = get(next, &[]).await.body,
            None => break,
        }
    }
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no session twice");
    assert_eq!(unique, before, "every session that was there, exactly once");
    fake.shutdown().await;
}

#[tokio::test]
async fn count_segments_answer_a_number() {
    let fake = named_fake().await;
    let url = format!("{}/$count", sessions_url(&fake));
    let resp = Client::new()
        .get(&url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(resp.text().await.unwrap(), "6");
    let resp = Client::new()
        .get(&url)
        .query(&[("$filter", "startswith(displayName,'phishing')")])
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.text().await.unwrap(), "2");
    let ws = format!(
        "{}/security/securityCopilot/workspaces/$count",
        fake.base_url()
    );
    let resp = Client::new()
        .get(&ws)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.text().await.unwrap(), "2");
    fake.shutdown().await;
}

#[tokio::test]
async fn odata_key_syntax_and_trailing_slashes_reach_the_same_resource() {
    let fake = named_fake().await;
    let id = fake.store().sessions("default")[0].id.clone();
    let base = format!(
        "{}/security/securityCopilot/workspaces('default')/sessions",
        fake.base_url()
    );
    let r = get(&format!("{base}('{id}')"), &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["id"], id.as_str());
    let r = get(&format!("{base}/{id}/"), &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = get(&format!("{base}('{id}')/prompts/"), &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["value"], json!([]));
    let r = get(&format!("{}/", sessions_url(&fake)), &[("$top", "1")]).await;
    assert_eq!(r.body["value"].as_array().unwrap().len(), 1);
    // The next link is written in the canonical form.
    assert!(
        r.body["@odata.nextLink"]
            .as_str()
            .unwrap()
            .contains("/workspaces/default/sessions?")
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn plugins_are_listed_and_filtered_as_documented() {
    let fake = start(Seed::Empty).await;
    let url = format!("{}/plugins", workspace_url(&fake));
    let r = get(&url, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let all = r.body["value"].as_array().unwrap().clone();
    assert!(all.len() >= 8);
    let sentinel = all
        .iter()
        .find(|p| p["name"] == "MicrosoftSentinel")
        .unwrap();
    for key in [
        "displayName",
        "description",
        "isEnabled",
        "category",
        "catalogScope",
        "previewState",
        "authorization",
        "settings",
    ] {
        assert!(sentinel.get(key).is_some(), "{key} missing: {sentinel}");
    }
    assert_eq!(sentinel["authorization"]["authType"], "aadDelegated");
    assert!(
        r.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("workspaces('default')/plugins")
    );

    let r = get(&url, &[("$filter", "isEnabled eq false")]).await;
    let disabled = r.body["value"].as_array().unwrap();
    assert!(!disabled.is_empty() && disabled.len() < all.len());
    assert!(disabled.iter().all(|p| p["isEnabled"] == false));
    let r = get(&url, &[("$filter", "contains(name,'Defender')")]).await;
    assert!(
        r.body["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["name"].as_str().unwrap().contains("Defender"))
    );
    let r = get(&url, &[("$filter", "displayName eq 'Microsoft Sentinel'")]).await;
    assert_eq!(r.body["value"].as_array().unwrap().len(), 1);
    let r = get(&url, &[("$select", "displayName")]).await;
    let keys: HashSet<&str> = r.body["value"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, HashSet::from(["name", "displayName"]));
    let r = get(&url, &[("$filter", "description eq 'x'")]).await;
    assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
    fake.shutdown().await;
}

#[tokio::test]
async fn strict_mode_refuses_query_options_the_docs_do_not_list() {
    let fake = start(Seed::Empty).await;
    let ws = format!("{}/security/securityCopilot/workspaces", fake.base_url());
    for (url, option, value) in [
        (ws.clone(), "$top", "1"),
        (ws.clone(), "$orderby", "displayName"),
        (sessions_url(&fake), "$orderby", "createdDateTime desc"),
    ] {
        let r = get(&url, &[(option, value)]).await;
        assert_graph_error(&r, StatusCode::BAD_REQUEST, "BadRequest");
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(option),
            "{}",
            r.body
        );
    }
    assert_eq!(get(&ws, &[("$count", "true")]).await.status, StatusCode::OK);
    fake.store().set_strict(false);
    assert_eq!(get(&ws, &[("$top", "1")]).await.status, StatusCode::OK);
    fake.shutdown().await;
}

#[tokio::test]
async fn workspaces_carry_their_odata_type_and_every_answer_a_client_request_id() {
    let fake = start(Seed::Empty).await;
    let r = get(
        &format!("{}/security/securityCopilot/workspaces", fake.base_url()),
        &[],
    )
    .await;
    assert_eq!(
        r.body["value"][0]["@odata.type"],
        "#microsoft.graph.security.securityCopilot.workspace"
    );
    // No client-request-id sent: Graph makes one up and still returns it.
    let cid = r.headers["client-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(cid).is_ok(), "{cid}");
    let r = get(&format!("{}/nope", sessions_url(&fake)), &[]).await;
    let cid = r.headers["client-request-id"].to_str().unwrap();
    assert_eq!(r.body["error"]["innerError"]["client-request-id"], cid);
    fake.shutdown().await;
}

#[tokio::test]
async fn every_evaluation_state_and_result_type_can_be_asked_for() {
    let fake = start_with(Seed::Empty, Duration::from_secs(20)).await;
    let s = fake.store().insert_session("default", Some("lifecycles"));
    let clock = fake.clock();
    clock.freeze();
    let mut asked = Vec::new();
    for (trigger, states, result) in [
        ("", vec!["created", "running", "completed"], "success"),
        (
            "[fail:rejected]",
            vec!["created", "running", "completed"],
            "rejected",
        ),
        (
            "[fail:needAdditionalClaims]",
            vec!["created", "running", "completed"],
            "needAdditionalClaims",
        ),
        (
            "[state:pending]",
            vec!["created", "pending", "running", "completed"],
            "success",
        ),
        ("[state:deferred]", vec!["created", "deferred"], "unknown"),
        (
            "[state:waitingForInput]",
            vec!["created", "running", "waitingForInput"],
            "unknown",
        ),
        (
            "[state:cancelled]",
            vec!["created", "running", "cancelled"],
            "unknown",
        ),
    ] {
        let (url, created) = ask(&fake, &s.id, &format!("Summarize incident 7 {trigger}")).await;
        assert_eq!(created["state"], "created");
        asked.push((url, trigger, states, result, Vec::<String>::new()));
    }
    // 25 one-second steps of the fake's clock: every run passes through its states.
    for _ in 0..25 {
        clock.advance(Duration::from_secs(1));
        for (url, _, _, _, seen) in &mut asked {
            let body = get(url, &[]).await.body;
            let state = body["state"].as_str().unwrap().to_string();
            if seen.last() != Some(&state) {
                seen.push(state);
            }
        }
    }
    for (url, trigger, states, result, seen) in asked {
        assert_eq!(seen, states, "{trigger}");
        let done = get(&url, &[]).await.body;
        let r = &done["result"];
        assert_eq!(r["type"], result, "{trigger}: {done}");
        assert_eq!(
            done["isCancelled"],
            trigger == "[state:cancelled]",
            "{trigger}"
        );
        if trigger == "[state:waitingForInput]" {
            assert!(r["content"].as_str().is_some_and(|c| c.contains("?")));
        }
        if trigger == "[state:deferred]" {
            assert_eq!(done["runStartDateTime"], "0001-01-01T00:00:00Z");
        }
    }
    fake.shutdown().await;
}
