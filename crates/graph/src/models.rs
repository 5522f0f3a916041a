//! Serde types with Graph's own property names, tolerant of what the service may add later.
//!
//! Timestamps keep the server's exact text ([`GraphTime`]) so JSON output round-trips byte for byte,
//! while still offering a parsed instant for display. Enums keep unknown values instead of failing.

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Graph `DateTimeOffset`: the server's text plus its parsed value.
///
/// Kept as text because Graph writes up to 7 fractional digits and we must echo it unchanged; parsed
/// leniently because `…01.07343Z` occurs too. The `0001-01-01T00:00:00Z` sentinel means "not yet".
///
/// Small on purpose (16 bytes, no heap for Graph's own spellings): every known session holds two,
/// and the TUI keeps 100,000 sessions in memory. The text is kept only when the instant spelled
/// in UTC with the same number of fractional digits does not give it back.
#[derive(Clone, PartialEq, Eq)]
pub struct GraphTime(Repr);

#[derive(Clone, PartialEq, Eq)]
enum Repr {
    /// The instant (as [`Timestamp::as_second`] and [`Timestamp::subsec_nanosecond`] split it),
    /// whose text is its UTC spelling with `digits` fractional digits and a `Z`, as Graph spells
    /// it (`…:41.1506601Z`, `…:14.07343Z`, `…:13Z`).
    Spelled {
        second: i64,
        nanosecond: i32,
        digits: Digits,
    },
    /// Any other text (an offset, say, or no instant at all), kept as sent; rare, so boxed.
    Kept(Box<Kept>),
}

/// A time's text kept as sent, and its instant when it parsed.
#[derive(Clone, PartialEq, Eq)]
struct Kept {
    parsed: Option<Timestamp>,
    text: Box<str>,
}

/// A number of fractional digits, 0 to 9 (an enum, so a [`GraphTime`] has room to tell its two
/// forms apart without growing).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Digits {
    D0,
    D1,
    D2,
    D3,
    D4,
    D5,
    D6,
    D7,
    D8,
    D9,
}

impl Digits {
    const ALL: [Self; 10] = [
        Self::D0,
        Self::D1,
        Self::D2,
        Self::D3,
        Self::D4,
        Self::D5,
        Self::D6,
        Self::D7,
        Self::D8,
        Self::D9,
    ];

    fn new(n: usize) -> Option<Self> {
        Self::ALL.get(n).copied()
    }

    fn get(self) -> usize {
        self as usize
    }
}

impl GraphTime {
    /// Wraps a server string, parsing it when it is a valid RFC 3339 instant.
    pub fn new(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let parsed = raw.parse::<Timestamp>().ok();
        if let Some(ts) = parsed
            && let Some(digits) = fraction_digits(&raw)
            && utc_text(ts, digits) == raw
        {
            return Self::spelled(ts, digits);
        }
        Self(Repr::Kept(Box::new(Kept {
            parsed,
            text: raw.into_boxed_str(),
        })))
    }

    /// Formats an instant the way Graph does: UTC, 7 fractional digits, `Z`.
    pub fn from_timestamp(ts: Timestamp) -> Self {
        Self::spelled(ts, Digits::D7)
    }

    fn spelled(ts: Timestamp, digits: Digits) -> Self {
        Self(Repr::Spelled {
            second: ts.as_second(),
            nanosecond: ts.subsec_nanosecond(),
            digits,
        })
    }

    /// The exact text the server sent.
    pub fn raw(&self) -> Cow<'_, str> {
        match &self.0 {
            Repr::Kept(kept) => Cow::Borrowed(&kept.text),
            Repr::Spelled { digits, .. } => match self.parsed() {
                Some(ts) => Cow::Owned(utc_text(ts, *digits)),
                None => Cow::Borrowed(""),
            },
        }
    }

    /// The instant, unless the text was unparsable or is Graph's "not set" sentinel (year 1).
    pub fn instant(&self) -> Option<Timestamp> {
        self.parsed().filter(|ts| !is_sentinel(*ts))
    }

    /// True for Graph's `0001-01-01T00:00:00Z` placeholder.
    pub fn is_unset(&self) -> bool {
        self.parsed().is_some_and(is_sentinel)
    }

    /// The instant, when the text parsed.
    fn parsed(&self) -> Option<Timestamp> {
        match &self.0 {
            Repr::Spelled {
                second, nanosecond, ..
            } => Timestamp::new(*second, *nanosecond).ok(),
            Repr::Kept(kept) => kept.parsed,
        }
    }

    /// Whether the text is kept as sent (for tests: Graph's spellings keep none).
    #[cfg(test)]
    fn keeps_text(&self) -> bool {
        matches!(self.0, Repr::Kept(_))
    }
}

/// How many fractional digits `raw` has, if it could be Graph's UTC spelling (ends in `Z`, at
/// most 9 digits); `None` otherwise.
fn fraction_digits(raw: &str) -> Option<Digits> {
    let body = raw.strip_suffix('Z')?;
    let digits = body.bytes().rev().take_while(u8::is_ascii_digit).count();
    match body.as_bytes().get(body.len().checked_sub(digits + 1)?) {
        Some(b'.') if digits > 0 => Digits::new(digits),
        Some(b'.') => None,
        // no fraction: the digits are the seconds'
        Some(_) => Some(Digits::D0),
        None => None,
    }
}

/// An instant spelled the way Graph does, with `digits` fractional digits (cut, never rounded):
/// `2025-09-17T19:23:41.1506601Z` with 7.
fn utc_text(ts: Timestamp, digits: Digits) -> String {
    // whole seconds rounded down, so the fraction is never negative
    let (mut second, mut nanos) = (ts.as_second(), ts.subsec_nanosecond());
    if nanos < 0 {
        second -= 1;
        nanos += 1_000_000_000;
    }
    let whole = Timestamp::from_second(second).unwrap_or(ts);
    let base = whole.strftime("%Y-%m-%dT%H:%M:%S");
    if digits == Digits::D0 {
        return format!("{base}Z");
    }
    let fraction = format!("{nanos:09}");
    format!("{base}.{}Z", &fraction[..digits.get()])
}

fn is_sentinel(ts: Timestamp) -> bool {
    ts.as_second() < -62_000_000_000 // anything in year 1
}

impl fmt::Debug for GraphTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.raw())
    }
}

impl fmt::Display for GraphTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw())
    }
}

impl Serialize for GraphTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw())
    }
}

impl<'de> Deserialize<'de> for GraphTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::new(String::deserialize(d)?))
    }
}

/// A Security Copilot workspace; `default` is the one made at onboarding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
}

/// A Security Copilot session: the unit the list shows. `displayName` may be null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<GraphTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<GraphTime>,
}

/// Body of a create or rename request; Graph requires `displayName` on create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionPatch {
    pub display_name: String,
}

/// Declares an enum that reads Graph's documented strings and keeps any other value as `Other`.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value this build does not know yet; kept verbatim.
            Other(String),
        }

        impl $name {
            /// Graph's spelling of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($text => Self::$variant,)+
                    other => Self::Other(other.to_string()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok(Self::from(s.as_str()))
            }
        }
    };
}

open_enum!(
    /// What a prompt is; only `prompt` can be created.
    PromptType {
        Unknown => "unknown",
        Context => "context",
        Prompt => "prompt",
        Skill => "skill",
        Feedback => "feedback",
        UnknownFutureValue => "unknownFutureValue",
    }
);

open_enum!(
    /// Where an evaluation (one run of a prompt) stands.
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

impl EvaluationState {
    /// Still moving on the service: keep polling.
    pub fn is_in_progress(&self) -> bool {
        matches!(
            self,
            Self::Created | Self::Running | Self::Pending | Self::Deferred
        )
    }
}

open_enum!(
    /// How an evaluation ended.
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

open_enum!(
    /// Release stage of the feature that produced a result.
    PreviewState {
        Ga => "ga",
        Public => "public",
        Private => "private",
        UnknownFutureValue => "unknownFutureValue",
    }
);

/// A question asked in a session. Creating one does not run it: an evaluation does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prompt {
    pub id: String,
    #[serde(rename = "type", default = "default_prompt_type")]
    pub prompt_type: PromptType,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub skill_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<GraphTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<GraphTime>,
}

fn default_prompt_type() -> PromptType {
    PromptType::Prompt
}

/// Body of a create-prompt request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPrompt {
    #[serde(rename = "type")]
    pub prompt_type: PromptType,
    pub content: String,
}

impl NewPrompt {
    /// A plain question, the only kind Graph accepts today.
    pub fn question(content: impl Into<String>) -> Self {
        Self {
            prompt_type: PromptType::Prompt,
            content: content.into(),
        }
    }
}

/// What Copilot answered: Markdown `content` (null while running) and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationResult {
    #[serde(default)]
    pub content: Option<String>,
    #[serde(rename = "type", default = "default_result_type")]
    pub result_type: EvaluationResultType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_state: Option<PreviewState>,
}

fn default_result_type() -> EvaluationResultType {
    EvaluationResultType::Unknown
}

/// One run of a prompt; poll it until `state` is terminal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub id: String,
    #[serde(default = "default_state")]
    pub state: EvaluationState,
    #[serde(default)]
    pub result: Option<EvaluationResult>,
    #[serde(default)]
    pub execution_count: Option<i64>,
    #[serde(default)]
    pub is_cancelled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<GraphTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_start_date_time: Option<GraphTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_date_time: Option<GraphTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_date_time: Option<GraphTime>,
}

fn default_state() -> EvaluationState {
    EvaluationState::Unknown
}

open_enum!(
    /// Where a plugin comes from.
    PluginCategory {
        Hidden => "hidden",
        Microsoft => "microsoft",
        MicrosoftConnectors => "microsoftConnectors",
        OtherCategory => "other",
        Web => "web",
        Testing => "testing",
        Plugin => "plugin",
        UnknownFutureValue => "unknownFutureValue",
    }
);

open_enum!(
    /// Who can use a plugin.
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

/// How a plugin authorises (`authorization`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginAuthorization {
    #[serde(default)]
    pub auth_type: Option<String>,
}

/// One setting of a plugin: what it is called and what it takes. Its configured `value` is
/// deliberately not read, so it is never shown, stored or printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginSetting {
    pub name: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// The kind of value (`string`, `bool`, `secretString`, …).
    #[serde(default)]
    pub setting_value: Option<String>,
    #[serde(default)]
    pub is_required: Option<bool>,
}

/// A plugin of the workspace (keyed by `name`): what Security Copilot can reach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plugin {
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub is_enabled: Option<bool>,
    #[serde(default)]
    pub category: Option<PluginCategory>,
    #[serde(default)]
    pub catalog_scope: Option<PluginCatalogScope>,
    #[serde(default)]
    pub preview_state: Option<PreviewState>,
    #[serde(default)]
    pub authorization: Option<PluginAuthorization>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub settings: Vec<PluginSetting>,
}

impl Plugin {
    /// The name to show: `displayName`, else the key.
    pub fn shown_name(&self) -> &str {
        self.display_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(&self.name)
    }
}

/// A collection Graph may send as `null`, read as empty.
fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// One page of a Graph collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(
        rename = "@odata.nextLink",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub next_link: Option<String>,
    #[serde(
        rename = "@odata.count",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_reads_the_fakes_shape_and_drops_setting_values() {
        let json = r#"{"name":"Contoso.IOC","displayName":null,"description":"feed","isEnabled":false,
            "category":"plugin","catalogScope":"tenant","previewState":"private",
            "authorization":{"authType":"aPIKey"},"supportedAuthTypes":["aPIKey"],
            "settings":[{"name":"ApiKey","label":"API key","description":"d","hintText":null,
              "settingValue":"secretString","displayType":"textbox","defaultValue":null,
              "value":"s3cr3t","isRequired":true,"acceptableValues":[]}]}"#;
        let p: Plugin = serde_json::from_str(json).unwrap();
        assert_eq!(p.shown_name(), "Contoso.IOC");
        assert_eq!(p.is_enabled, Some(false));
        assert_eq!(p.category, Some(PluginCategory::Plugin));
        assert_eq!(p.catalog_scope, Some(PluginCatalogScope::Tenant));
        assert_eq!(p.settings[0].name, "ApiKey");
        let back = serde_json::to_string(&p).unwrap();
        assert!(!back.contains("s3cr3t"), "{back}");
        let odd: Plugin =
            serde_json::from_str(r#"{"name":"x","category":"brandNew","settings":null}"#).unwrap();
        assert_eq!(odd.category, Some(PluginCategory::Other("brandNew".into())));
        assert!(odd.settings.is_empty());
    }

    #[test]
    fn session_reads_graph_json_with_null_name_and_unknown_fields() {
        let json = r#"{"id":"8e95c36e-c9bd-4e14-8317-3cd4332e1e3b","createdDateTime":"2025-09-17T19:23:41.1506601Z",
            "lastModifiedDateTime":"2025-09-17T19:28:21.07343Z","displayName":null,"@odata.etag":"x","future":1}"#;
        let s: Session = serde_json::from_str(json).unwrap();
        assert_eq!(s.display_name, None);
        let created = s.created_date_time.unwrap();
        assert_eq!(created.raw(), "2025-09-17T19:23:41.1506601Z");
        assert_eq!(created.instant().unwrap().subsec_nanosecond(), 150_660_100);
        assert!(s.last_modified_date_time.unwrap().instant().is_some());
    }

    #[test]
    fn session_round_trips_exact_timestamp_text() {
        let json = r#"{"id":"a","displayName":"x","createdDateTime":"2025-09-17T19:23:41.1506601Z","lastModifiedDateTime":"2025-09-17T19:23:41.15Z"}"#;
        let s: Session = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), json);
    }

    #[test]
    fn canonical_times_store_no_text_and_others_keep_theirs() {
        // Graph's spellings: 7 digits, trailing zeros dropped, none on a whole second
        for text in [
            "2025-09-17T19:23:41.1506601Z",
            "2025-09-17T19:23:41.07343Z",
            "2025-10-22T20:10:13.759634Z",
            "2025-10-22T20:10:13Z",
            "2025-10-22T20:10:13.0Z",
            "2025-10-22T20:10:13.123456789Z",
            "0001-01-01T00:00:00Z",
        ] {
            let t = GraphTime::new(text);
            assert!(!t.keeps_text(), "{text} keeps no text");
            assert_eq!(t.raw(), text);
            assert_eq!(t.instant(), text.parse().ok().filter(|_| !t.is_unset()));
        }
        // anything else is kept as sent
        for text in [
            "2025-09-17T19:23:41.1506601+00:00",
            "2025-09-17T19:23:41.15066010000Z",
            "2025-09-17t19:23:41Z",
            "soon",
            "",
        ] {
            let t = GraphTime::new(text);
            assert!(t.keeps_text(), "{text} is kept");
            assert_eq!(t.raw(), text);
            assert_eq!(t.instant(), text.parse().ok());
        }
        // every digit count of a range of instants, before and after 1970
        for second in [-86_400_001_i64, -1, 0, 1_758_136_021, 253_402_200_000] {
            for nanos in [0, 1, 100, 150_660_100, 999_999_999] {
                let ts = Timestamp::new(second, nanos).unwrap();
                let utc = ts.strftime("%Y-%m-%dT%H:%M:%S%.9f").to_string();
                for digits in 0..=9 {
                    let text = match digits {
                        0 => format!("{}Z", &utc[..19]),
                        d => format!("{}Z", &utc[..20 + d]),
                    };
                    let t = GraphTime::new(text.as_str());
                    assert_eq!(t.raw(), text);
                    assert_eq!(t.instant(), text.parse().ok());
                    assert!(!t.keeps_text(), "{text} keeps no text");
                }
            }
        }
        let before_1970 = GraphTime::new("1969-12-31T23:59:59.25Z");
        assert!(!before_1970.keeps_text());
        assert_eq!(before_1970.raw(), "1969-12-31T23:59:59.25Z");
        assert_eq!(
            before_1970.instant(),
            Some("1969-12-31T23:59:59.25Z".parse().unwrap())
        );
    }

    #[test]
    fn sentinel_time_reads_as_not_yet() {
        let t = GraphTime::new("0001-01-01T00:00:00Z");
        assert!(t.is_unset());
        assert_eq!(t.instant(), None);
        let garbage = GraphTime::new("yesterday");
        assert!(!garbage.is_unset());
        assert_eq!(garbage.instant(), None);
    }

    #[test]
    fn graph_time_formats_seven_digits() {
        let ts: Timestamp = "2025-09-17T19:23:41.15066012Z".parse().unwrap();
        assert_eq!(
            GraphTime::from_timestamp(ts).raw(),
            "2025-09-17T19:23:41.1506601Z"
        );
        let whole: Timestamp = "2025-09-17T19:23:41Z".parse().unwrap();
        assert_eq!(
            GraphTime::from_timestamp(whole).raw(),
            "2025-09-17T19:23:41.0000000Z"
        );
    }

    #[test]
    fn enums_keep_unknown_values() {
        let e: EvaluationState = serde_json::from_str(r#""quantumEntangled""#).unwrap();
        assert_eq!(e, EvaluationState::Other("quantumEntangled".into()));
        assert_eq!(serde_json::to_string(&e).unwrap(), r#""quantumEntangled""#);
        let w: EvaluationState = serde_json::from_str(r#""waitingForInput""#).unwrap();
        assert_eq!(w, EvaluationState::WaitingForInput);
        assert!(!w.is_in_progress());
        let r: EvaluationResultType = serde_json::from_str(r#""capacityExceeded""#).unwrap();
        assert_eq!(r, EvaluationResultType::CapacityExceeded);
    }

    #[test]
    fn evaluation_while_running_parses() {
        let json = r#"{"id":"e1","state":"running","result":{"content":null,"type":"unknown","previewState":"ga"},
            "executionCount":0,"isCancelled":false,"completedDateTime":"0001-01-01T00:00:00Z"}"#;
        let e: Evaluation = serde_json::from_str(json).unwrap();
        assert!(e.state.is_in_progress());
        assert!(e.completed_date_time.unwrap().is_unset());
        assert_eq!(e.result.unwrap().content, None);
    }

    #[test]
    fn page_reads_next_link_and_count() {
        let json = r#"{"@odata.context":"x","@odata.count":3,"value":[{"id":"a"}],"@odata.nextLink":"http://h/next?$skiptoken=1"}"#;
        let p: Page<Session> = serde_json::from_str(json).unwrap();
        assert_eq!(p.value.len(), 1);
        assert_eq!(p.count, Some(3));
        assert_eq!(p.next_link.as_deref(), Some("http://h/next?$skiptoken=1"));
    }
}

/// Items with a Graph id, so paging can tell whether a page brought anything new.
pub trait Identified {
    /// The item's id.
    fn id(&self) -> &str;
}

macro_rules! identified {
    ($($t:ty),*) => {
        $(impl Identified for $t {
            fn id(&self) -> &str {
                &self.id
            }
        })*
    };
}

identified!(Workspace, Session, Prompt, Evaluation);

impl Identified for Plugin {
    fn id(&self) -> &str {
        &self.name
    }
}

impl Identified for serde_json::Value {
    fn id(&self) -> &str {
        self.get("id").and_then(|v| v.as_str()).unwrap_or("")
    }
}
