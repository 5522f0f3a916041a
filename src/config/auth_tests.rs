//! The `[auth]` table as the config loader reads it (precedence flag > env > file).

use super::{Config, Overrides};
use sctui_graph::auth::{AuthConfig, AuthMethod};

fn load(text: &str, flag: Option<&str>, env: Option<&str>) -> Result<Config, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    let env_host = env.map(str::to_string);
    Config::load(
        &Overrides {
            config_path: Some(path),
            authority_host: flag.map(str::to_string),
            ..Default::default()
        },
        &move |k| {
            (k == "SCTUI_AUTHORITY_HOST")
                .then(|| env_host.clone())
                .flatten()
        },
    )
    .map_err(|e| e.to_string())
}

#[test]
fn auth_table_defaults_and_precedence() {
    let c = load("", None, None).unwrap();
    assert_eq!(c.auth, AuthConfig::default());
    assert_eq!(c.auth.method, AuthMethod::DeviceCode);
    let text = "[auth]\nmethod = \"az\"\ntenant = \"contoso.onmicrosoft.com\"\nclient_id = \"c1\"\nauthority_host = \"https://file.example\"\n";
    let c = load(text, None, None).unwrap();
    assert_eq!(c.auth.method, AuthMethod::Az);
    assert_eq!(c.auth.tenant, "contoso.onmicrosoft.com");
    assert_eq!(c.auth.client_id, "c1");
    assert_eq!(c.auth.authority_host, "https://file.example");
    let c = load(text, None, Some("https://env.example")).unwrap();
    assert_eq!(c.auth.authority_host, "https://env.example");
    let c = load(
        text,
        Some("https://flag.example"),
        Some("https://env.example"),
    )
    .unwrap();
    assert_eq!(c.auth.authority_host, "https://flag.example");
}

#[test]
fn auth_table_refuses_unknown_keys_and_methods() {
    let e = load("[auth]\nmethod = \"password\"\n", None, None).unwrap_err();
    assert!(e.contains("line 2"), "{e}");
    let e = load("[auth]\nclient_secret = \"x\"\n", None, None).unwrap_err();
    assert!(e.contains("client_secret"), "{e}");
}
