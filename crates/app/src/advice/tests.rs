use super::*;

fn api(status: u16, body: &str) -> ApiError {
    ApiError::from_response(status, body.as_bytes(), None)
}

/// Each failure a person can meet, with what its words must tell them to do.
fn auth_cases() -> Vec<(AuthError, &'static [&'static str])> {
    vec![
        (
            AuthError::Missing,
            &[
                "set SCTUI_ACCESS_TOKEN",
                "SecurityCopilotWorkspaces.Read.All",
                "--demo",
            ],
        ),
        (
            AuthError::NotSignedIn,
            &[
                "not signed in: run `sctui login`",
                "SCTUI_ACCESS_TOKEN",
                "--demo",
            ],
        ),
        (
            AuthError::SignInAgain {
                reason: "AADSTS70008: expired".into(),
            },
            &["AADSTS70008: expired", "run `sctui login` again"],
        ),
        (
            AuthError::CannotRefresh {
                source_name: TOKEN_ENV,
            },
            &["replace SCTUI_ACCESS_TOKEN with a new token"],
        ),
        (
            AuthError::CannotRefresh {
                source_name: TOKEN_FILE,
            },
            &["put a new token in the file, or use `sctui login`"],
        ),
        (
            AuthError::CannotRefresh {
                source_name: "demo",
            },
            &["a fixed token cannot be renewed; use `sctui login`"],
        ),
        (AuthError::PersonalAccount, &["work or school account"]),
        (
            AuthError::PublicClientFlowsOff,
            &["AADSTS7000218", "\"Allow public client flows\" to Yes"],
        ),
        (
            AuthError::ConsentRequired,
            &[
                "AADSTS65001",
                "admin consent",
                "then run `sctui login` again",
            ],
        ),
        (AuthError::BadClientSecret, &["check SCTUI_CLIENT_SECRET"]),
        (
            AuthError::NoClientSecret,
            &["the secret in SCTUI_CLIENT_SECRET (it is never read from the config file)"],
        ),
        (AuthError::NoTenant, &["set [auth] tenant or pass --tenant"]),
        (
            AuthError::MissingScope {
                granted: "User.Read".into(),
            },
            &["granted: User.Read", "use `sctui login --device-code`"],
        ),
        (AuthError::Declined, &["run `sctui login` to try again"]),
        (
            AuthError::CodeExpired,
            &["run `sctui login` to get a new one"],
        ),
        (
            AuthError::CacheUnreadable {
                path: "/h/tokens.json".into(),
                detail: "EOF".into(),
            },
            &[
                "/h/tokens.json is not a token cache",
                "run `sctui login` to replace it",
            ],
        ),
        (
            AuthError::CacheExposed {
                path: "/h/s/tokens.json".into(),
                folder: None,
                mode: 0o644,
            },
            &[
                "0644",
                "too open",
                "run `chmod 600 /h/s/tokens.json` or `sctui logout`",
            ],
        ),
        (
            AuthError::CacheExposed {
                path: "/h/s/tokens.json".into(),
                folder: Some("/h/s".into()),
                mode: 0o755,
            },
            &["0755", "run `chmod 700 /h/s` or `sctui logout`"],
        ),
        (
            AuthError::TokenFile {
                path: "/t".into(),
                problem: TokenFileProblem::NotOneToken,
            },
            &["--token-file /t must hold one access token"],
        ),
        (
            AuthError::TokenFile {
                path: "/t".into(),
                problem: TokenFileProblem::Unreadable("No such file".into()),
            },
            &["cannot read --token-file /t: No such file"],
        ),
        (
            AuthError::AzureCliMissing,
            &["not installed", "use `sctui login --device-code`"],
        ),
        (AuthError::AzureCliSignedOut, &["run `az login`"]),
    ]
}

#[test]
fn auth_words_carry_the_fact_and_the_way_out() {
    for (error, expected) in auth_cases() {
        let words = auth(&error);
        let fact = error.to_string();
        // the fact stays in the words, except where the words say it with sctui's own names
        if !matches!(
            error,
            AuthError::TokenFile { .. } | AuthError::NoClientSecret
        ) {
            assert!(words.contains(&fact), "{words:?} lost the fact {fact:?}");
        }
        for want in expected {
            assert!(words.contains(want), "{error:?}: {words:?} lacks {want:?}");
        }
    }
}

#[test]
fn a_graph_error_is_worded_with_its_request_id_apart() {
    let body = r#"{"error":{"code":"accessDenied","message":"No role.",
        "innerError":{"request-id":"94fb3b52","date":"2025-10-22T20:10:54"}}}"#;
    let error = GraphError::from(api(403, body).with_request("PATCH", None));
    let worded = graph(&error);
    assert_eq!(
        worded.text,
        "access denied: creating and renaming need the SecurityCopilotWorkspaces.ReadWrite.All \
         permission and a Security Copilot role of Contributor or Owner (check the workspace's \
         capacity too) (403 accessDenied: No role.)"
    );
    assert_eq!(worded.request_id.as_deref(), Some("94fb3b52"));
    assert_eq!(worded.date.as_deref(), Some("2025-10-22T20:10:54"));
    assert!(
        worded
            .to_string()
            .ends_with("(403 accessDenied: No role.) request-id 94fb3b52 at 2025-10-22T20:10:54")
    );
    let read = graph(&GraphError::from(api(403, "{}")));
    assert!(
        read.text.starts_with("access denied: reading needs"),
        "{}",
        read.text
    );
}

#[test]
fn a_refused_fixed_token_says_how_to_replace_it() {
    let refused = |source| {
        graph(&GraphError::from(
            api(401, "").with_fixed_token(Some(source)),
        ))
        .text
    };
    let text = refused(TOKEN_ENV);
    assert!(
        text.contains("replace SCTUI_ACCESS_TOKEN with a new token") && !text.contains("sign in"),
        "{text}"
    );
    assert!(refused(TOKEN_FILE).contains("put a new token in the file"));
    assert!(refused("demo").contains("sign in again"));
    assert!(
        graph(&GraphError::from(api(401, "")))
            .text
            .contains("sign in again")
    );
}

#[test]
fn flags_and_config_keys_are_named_by_the_words_only() {
    let host = GraphError::HostNotAllowed {
        host: "graph.evil.example".into(),
    };
    let text = graph(&host).text;
    assert!(text.starts_with(&host.to_string()), "{text}");
    assert!(
        text.contains("pass --allow-host graph.evil.example or add it to allow_hosts"),
        "{text}"
    );
    let large = GraphError::TooLarge {
        method: "GET".into(),
        url: "https://graph.microsoft.com/beta/x".into(),
        limit: 8 * 1024 * 1024,
    };
    let text = graph(&large).text;
    assert!(text.contains("larger than 8 MiB"), "{text}");
    assert!(text.contains("max_body_mb"), "{text}");
    let auth = GraphError::Auth(AuthError::NotSignedIn);
    assert!(graph(&auth).text.contains("run `sctui login`"));
    assert_eq!(graph(&auth).request_id, None);
}

#[test]
fn a_problem_keeps_the_error_and_words_it_once() {
    let body = r#"{"error":{"code":"x","message":"evil\u001b[2J","innerError":{"request-id":"r-9","date":"d"}}}"#;
    let error = GraphError::from(api(500, body));
    let problem = Problem::graph("Create failed", error.clone());
    assert_eq!(problem.cause(), &Cause::Graph(error));
    assert_eq!(problem.request_id(), Some("r-9"));
    assert_eq!(
        problem.words(),
        "Create failed: the Security Copilot service is failing (500 x: evil) at d"
    );
    let signed_out = Problem::sign_in(AuthError::CodeExpired);
    assert_eq!(signed_out.cause(), &Cause::SignIn(AuthError::CodeExpired));
    assert!(signed_out.words().starts_with(
        "Sign-in failed: the sign-in code expired before it was used: run `sctui login`"
    ));
    assert_eq!(signed_out.request_id(), None);
    assert_eq!(Problem::other("a\nb").words(), "a b");
}
