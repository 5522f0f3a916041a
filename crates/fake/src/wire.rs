//! Graph beta's wire shapes for the Security Copilot resources, as the fake writes them.
//!
//! Written from the API reference (`graph-api.md`: the docs' pages and the metadata's enums), not
//! from any client's models, so the thing tested and the thing testing it do not share their JSON
//! shapes: a client that misreads Graph cannot be "right" against a fake that misreads it the same
//! way. Every type serialises to exactly what Graph sends, including `null` names and the
//! `0001-01-01T00:00:00Z` "not yet" sentinel.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::clock::to_ticks;

/// Graph's "not yet" timestamp for evaluation times that have not happened.
pub const UNSET_TIME: &str = "0001-01-01T00:00:00Z";

/// The OData namespace of every type here.
pub const NAMESPACE: &str = "microsoft.graph.security.securityCopilot";

/// An instant as Graph writes it: UTC, at most 7 fractional digits with trailing zeros dropped,
/// and no fraction at all on a whole second (`…:14.07343Z`, `…:13.759634Z`, `…:13Z`), as the
/// docs' examples show.
pub fn time_text(t: Timestamp) -> String {
    let t = to_ticks(t);
    let base = t.strftime("%Y-%m-%dT%H:%M:%S");
    let ticks = t.subsec_nanosecond().rem_euclid(1_000_000_000) / 100;
    if ticks == 0 {
        format!("{base}Z")
    } else {
        let digits = format!("{ticks:07}");
        format!("{base}.{}Z", digits.trim_end_matches('0'))
    }
}

/// Serde helpers for Graph's timestamps (`#[serde(with = "graph_time")]`).
pub mod graph_time {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes [`super::time_text`].
    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::time_text(*t))
    }

    /// Reads any RFC 3339 instant.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Serde helpers for evaluation times that may not have happened yet: `None` is Graph's
/// [`UNSET_TIME`] sentinel, never `null`.
pub mod graph_time_or_unset {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the time, or the sentinel for `None`.
    pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::time_text(*t)),
            None => s.serialize_str(super::UNSET_TIME),
        }
    }

    /// Reads the sentinel (or `null`) as `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s == super::UNSET_TIME => Ok(None),
            Some(s) => s.parse().map(Some).map_err(serde::de::Error::custom),
        }
    }
}

/// Declares a closed wire enum with its Graph spelling, `as_str` and `FromStr` (the seed file
/// names values the same way Graph does).
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in the metadata's order.
            pub const ALL: &[$name] = &[$($name::$variant,)+];

            /// Graph's spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, String> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s))
                    .ok_or_else(|| {
                        let names: Vec<_> = Self::ALL.iter().map(|v| v.as_str()).collect();
                        format!("unknown {} '{s}' (one of {})", stringify!($name), names.join(", "))
                    })
            }
        }
    };
}

wire_enum!(
    /// `evaluationState`: where a run stands.
    EvaluationState {
        Unknown => "unknown",
        Created => "created",
        Running => "running",
        Completed => "completed",
        Cancelled => "cancelled",
        Pending => "pending",
        Deferred => "deferred",
        WaitingForInput => "waitingForInput",
        UnknownFutureValue => "unknownFutureValue",
    }
);

wire_enum!(
    /// `evaluationResultType`: how a run ended.
    EvaluationResultType {
        Unknown => "unknown",
        Success => "success",
        Error => "error",
        NeedAdditionalClaims => "needAdditionalClaims",
        Rejected => "rejected",
        TimedOut => "timedOut",
        CapacityExceeded => "capacityExceeded",
        UnknownFutureValue => "unknownFutureValue",
    }
);

wire_enum!(
    /// `previewState` of results and plugins.
    PreviewState {
        Ga => "ga",
        Public => "public",
        Private => "private",
        UnknownFutureValue => "unknownFutureValue",
    }
);

wire_enum!(
    /// `promptType`; only `prompt` can be created.
    PromptType {
        Unknown => "unknown",
        Context => "context",
        Prompt => "prompt",
        Skill => "skill",
        Feedback => "feedback",
        UnknownFutureValue => "unknownFutureValue",
    }
);

wire_enum!(
    /// `pluginCategory`.
    PluginCategory {
        Hidden => "hidden",
        Microsoft => "microsoft",
        MicrosoftConnectors => "microsoftConnectors",
        Other => "other",
        Web => "web",
        Testing => "testing",
        Plugin => "plugin",
        UnknownFutureValue => "unknownFutureValue",
    }
);

wire_enum!(
    /// `pluginCatalogScope`.
    PluginCatalogScope {
        None => "none",
        User => "user",
        Workspace => "workspace",
        Tenant => "tenant",
        Global => "global",
        GeoGlobal => "geoGlobal",
        UserWorkspace => "userWorkspace",
        UnknownFutureValue => "unknownFutureValue",
    }
);

wire_enum!(
    /// `pluginAuthTypes`.
    PluginAuthType {
        None => "none",
        Basic => "basic",
        ApiKey => "aPIKey",
        OAuthAuthorizationCodeFlow => "oAuthAuthorizationCodeFlow",
        OAuthClientCredentialsFlow => "oAuthClientCredentialsFlow",
        Aad => "aad",
        ServiceHttp => "serviceHttp",
        AadDelegated => "aadDelegated",
        OAuthPasswordGrantFlow => "oAuthPasswordGrantFlow",
        UnknownFutureValue => "unknownFutureValue",
    }
);

wire_enum!(
    /// `pluginSettingType`: what kind of value a setting takes.
    PluginSettingType {
        String => "string",
        Bool => "bool",
        Array => "array",
        Enum => "enum",
        SecretString => "secretString",
        UnknownFutureValue => "unknownFutureValue",
    }
);

wire_enum!(
    /// `pluginSettingDisplayType`.
    PluginSettingDisplayType {
        None => "none",
        Textbox => "textbox",
        Checkbox => "checkbox",
        Dropdown => "dropdown",
        UnknownFutureValue => "unknownFutureValue",
    }
);

/// `workspace`: listed with its `@odata.type`, as the docs' example shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    /// `#microsoft.graph.security.securityCopilot.workspace`.
    #[serde(rename = "@odata.type")]
    pub odata_type: String,
    /// A GUID, or `default`.
    pub id: String,
    /// May be null.
    pub display_name: Option<String>,
}

impl Workspace {
    /// A workspace with its type annotation filled in.
    pub fn new(id: &str, display_name: Option<&str>) -> Self {
        Self {
            odata_type: format!("#{NAMESPACE}.workspace"),
            id: id.to_string(),
            display_name: display_name.map(str::to_string),
        }
    }
}

/// `session`: a conversation. `displayName` stays in the body when null, as Graph sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// A lowercase GUID.
    pub id: String,
    /// Graph writes this one whenever the session was created.
    #[serde(with = "graph_time")]
    pub created_date_time: Timestamp,
    /// Bumped when `displayName` changes (and only then).
    #[serde(with = "graph_time")]
    pub last_modified_date_time: Timestamp,
    /// May be null (sessions started from the portal without a title).
    pub display_name: Option<String>,
}

/// `promptInputs`: not implemented by the service, always empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptInputs {
    /// Always `[]`.
    pub key_value_pairs: Vec<serde_json::Value>,
}

/// `prompt`: one question in a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prompt {
    /// A lowercase GUID.
    pub id: String,
    /// `prompt` for questions.
    #[serde(rename = "type")]
    pub prompt_type: PromptType,
    /// The question.
    pub content: Option<String>,
    /// Null for prompts.
    pub skill_name: Option<String>,
    /// Not implemented: `{"keyValuePairs":[]}`.
    pub inputs: PromptInputs,
    /// Unsupported: `[]`.
    pub skill_input_descriptors: Vec<serde_json::Value>,
    /// When it was posted.
    #[serde(with = "graph_time")]
    pub created_date_time: Timestamp,
    /// Same as created: prompts are never edited.
    #[serde(with = "graph_time")]
    pub last_modified_date_time: Timestamp,
}

/// `evaluationResult`: the answer (Markdown) and how the run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationResult {
    /// Null while running.
    pub content: Option<String>,
    /// `unknown` while running.
    #[serde(rename = "type")]
    pub result_type: EvaluationResultType,
    /// Release stage of what produced it.
    pub preview_state: PreviewState,
}

/// `evaluation`: one run of a prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    /// A lowercase GUID.
    pub id: String,
    /// Where it stands.
    pub state: EvaluationState,
    /// Null right after create.
    pub result: Option<EvaluationResult>,
    /// Runs so far.
    pub execution_count: i64,
    /// True once cancelled.
    pub is_cancelled: bool,
    /// When it was posted.
    #[serde(with = "graph_time")]
    pub created_date_time: Timestamp,
    /// The sentinel until it starts.
    #[serde(with = "graph_time_or_unset")]
    pub run_start_date_time: Option<Timestamp>,
    /// The sentinel until it ends.
    #[serde(with = "graph_time_or_unset")]
    pub completed_date_time: Option<Timestamp>,
    /// The last change of state.
    #[serde(with = "graph_time")]
    pub last_modified_date_time: Timestamp,
}

/// `pluginAuth`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginAuth {
    /// How the plugin authorises.
    pub auth_type: PluginAuthType,
}

/// `pluginSetting`: one configurable value of a plugin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginSetting {
    /// Key.
    pub name: String,
    /// Shown label.
    pub label: String,
    /// What it is for.
    pub description: String,
    /// Input hint.
    pub hint_text: Option<String>,
    /// Kind of value.
    pub setting_value: PluginSettingType,
    /// How a UI shows it.
    pub display_type: PluginSettingDisplayType,
    /// Used when not configured.
    pub default_value: Option<String>,
    /// The configured value (never a secret's text).
    pub value: Option<String>,
    /// Must be set before use.
    pub is_required: bool,
    /// For `enum` settings.
    pub acceptable_values: Vec<String>,
}

/// `plugin`: keyed by `name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plugin {
    /// The key.
    pub name: String,
    /// Shown name.
    pub display_name: String,
    /// What it does.
    pub description: String,
    /// Usable within its catalog scope.
    pub is_enabled: bool,
    /// Where it comes from.
    pub category: PluginCategory,
    /// Who can use it.
    pub catalog_scope: PluginCatalogScope,
    /// Release stage.
    pub preview_state: PreviewState,
    /// How it authorises.
    pub authorization: PluginAuth,
    /// Auth types it could use.
    pub supported_auth_types: Vec<PluginAuthType>,
    /// Its settings.
    pub settings: Vec<PluginSetting>,
}

/// Serialises a wire value into a JSON object (every type here is one).
pub fn to_object<T: Serialize>(value: &T) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn times_are_written_as_graph_writes_them() {
        assert_eq!(
            time_text(ts("2025-09-17T19:23:41.1506601Z")),
            "2025-09-17T19:23:41.1506601Z"
        );
        assert_eq!(
            time_text(ts("2025-10-22T20:10:14.07343Z")),
            "2025-10-22T20:10:14.07343Z"
        );
        assert_eq!(
            time_text(ts("2025-10-22T20:10:13.759634Z")),
            "2025-10-22T20:10:13.759634Z"
        );
        assert_eq!(
            time_text(ts("2025-10-22T20:10:13Z")),
            "2025-10-22T20:10:13Z"
        );
        // Finer than Graph's 100 ns ticks is cut, never rounded up.
        assert_eq!(
            time_text(ts("2025-10-22T20:10:13.123456789Z")),
            "2025-10-22T20:10:13.1234567Z"
        );
    }

    #[test]
    fn evaluation_writes_the_unset_sentinel_and_round_trips() {
        let e = Evaluation {
            id: "e".into(),
            state: EvaluationState::Created,
            result: None,
            execution_count: 0,
            is_cancelled: false,
            created_date_time: ts("2025-01-01T00:00:00.5Z"),
            run_start_date_time: None,
            completed_date_time: None,
            last_modified_date_time: ts("2025-01-01T00:00:00.5Z"),
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            json!({"id":"e","state":"created","result":null,"executionCount":0,"isCancelled":false,
                "createdDateTime":"2025-01-01T00:00:00.5Z","runStartDateTime":UNSET_TIME,
                "completedDateTime":UNSET_TIME,"lastModifiedDateTime":"2025-01-01T00:00:00.5Z"})
        );
        assert_eq!(serde_json::from_value::<Evaluation>(v).unwrap(), e);
    }

    #[test]
    fn enums_use_graph_spelling() {
        assert_eq!(
            serde_json::to_value(PluginAuthType::ApiKey).unwrap(),
            "aPIKey"
        );
        assert_eq!(
            "waitingforinput".parse::<EvaluationState>(),
            Ok(EvaluationState::WaitingForInput)
        );
        assert!("nope".parse::<EvaluationResultType>().is_err());
        let w = to_object(&Workspace::new("default", None));
        assert_eq!(
            w["@odata.type"],
            "#microsoft.graph.security.securityCopilot.workspace"
        );
        assert_eq!(w["displayName"], serde_json::Value::Null);
    }
}
