//! OData system query options as the fake understands them: parsing (`$top`, `$select`, `$filter`,
//! `$orderby`, `$count`, `$skiptoken`) and applying them to a collection.
//!
//! Everything here is pure so that the grammar, the error messages and the paging arithmetic can be
//! unit-tested without a server. Errors are plain messages; the routes turn them into Graph's 400.

use std::cmp::Ordering;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use serde_json::{Map, Value};

/// Page size when the client sends no `$top` (Graph's usual service default).
pub const DEFAULT_TOP: usize = 100;
/// Largest page the fake hands out; larger `$top` values are clamped, as Graph does.
pub const MAX_TOP: usize = 1000;

/// What the query options may refer to for one entity type; keeps validation data-driven.
#[derive(Debug)]
pub struct EntitySchema {
    /// Graph's qualified type name, used in error messages.
    pub type_name: &'static str,
    /// Every property `$select` may name (`id` first).
    pub properties: &'static [&'static str],
    /// String properties `$filter` may test.
    pub filterable: &'static [&'static str],
    /// Boolean properties `$filter` may test with `eq true|false`.
    pub flags: &'static [&'static str],
    /// Properties `$orderby` may sort on (lenient mode only: `$orderby` is never documented).
    pub sortable: &'static [&'static str],
    /// The query options the docs list for this collection; strict mode refuses the others.
    pub documented: &'static [&'static str],
}

/// What the docs list for most collections here.
const LIST_OPTIONS: &[&str] = &["$count", "$filter", "$select", "$top"];

/// Sessions: the collection the whole product is about.
pub const SESSION: EntitySchema = EntitySchema {
    type_name: "microsoft.graph.security.securityCopilot.session",
    properties: &[
        "id",
        "displayName",
        "createdDateTime",
        "lastModifiedDateTime",
    ],
    filterable: &["displayName"],
    flags: &[],
    sortable: &["displayName", "createdDateTime", "lastModifiedDateTime"],
    documented: LIST_OPTIONS,
};

/// Workspaces: listed once at start-up by clients.
pub const WORKSPACE: EntitySchema = EntitySchema {
    type_name: "microsoft.graph.security.securityCopilot.workspace",
    properties: &["id", "displayName"],
    filterable: &["displayName"],
    flags: &[],
    sortable: &["displayName"],
    // The list-workspaces page names no `$top` (and no `$orderby`).
    documented: &["$count", "$filter", "$select"],
};

/// Prompts of a session.
pub const PROMPT: EntitySchema = EntitySchema {
    type_name: "microsoft.graph.security.securityCopilot.prompt",
    properties: &[
        "id",
        "type",
        "content",
        "skillName",
        "inputs",
        "skillInputDescriptors",
        "createdDateTime",
        "lastModifiedDateTime",
    ],
    filterable: &["content"],
    flags: &[],
    sortable: &["createdDateTime", "lastModifiedDateTime"],
    documented: LIST_OPTIONS,
};

/// Evaluations (runs) of a prompt.
pub const EVALUATION: EntitySchema = EntitySchema {
    type_name: "microsoft.graph.security.securityCopilot.evaluation",
    properties: &[
        "id",
        "state",
        "result",
        "executionCount",
        "isCancelled",
        "createdDateTime",
        "runStartDateTime",
        "completedDateTime",
        "lastModifiedDateTime",
    ],
    filterable: &[],
    flags: &[],
    sortable: &["createdDateTime", "lastModifiedDateTime"],
    documented: LIST_OPTIONS,
};

/// Plugins of a workspace: `$filter` on `name` (eq, contains), `displayName` (eq) and
/// `isEnabled` (eq), as documented.
pub const PLUGIN: EntitySchema = EntitySchema {
    type_name: "microsoft.graph.security.securityCopilot.plugin",
    properties: &[
        "name",
        "displayName",
        "description",
        "isEnabled",
        "category",
        "catalogScope",
        "previewState",
        "authorization",
        "supportedAuthTypes",
        "settings",
    ],
    filterable: &["name", "displayName"],
    flags: &["isEnabled"],
    sortable: &["name", "displayName"],
    documented: LIST_OPTIONS,
};

/// The system query options the fake knows; anything else starting with `$` is refused.
const KNOWN_OPTIONS: &[&str] = &[
    "$top",
    "$skiptoken",
    "$select",
    "$filter",
    "$count",
    "$orderby",
];

/// Normalises raw query pairs the way Graph beta reads them: option names are case-insensitive and
/// the `$` prefix is optional; an option given twice or an unknown `$option` is an error.
pub fn normalize_pairs(raw: &[(String, String)]) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(raw.len());
    for (key, value) in raw {
        let lower = key.trim().to_ascii_lowercase();
        let name = if lower.starts_with('$') {
            if !KNOWN_OPTIONS.contains(&lower.as_str()) {
                return Err(format!(
                    "Query option '{key}' is not supported. Supported options: $top, $select, $filter, $count, $orderby, $skiptoken."
                ));
            }
            lower
        } else {
            let dollared = format!("${lower}");
            if KNOWN_OPTIONS.contains(&dollared.as_str()) {
                dollared
            } else {
                // Not a system query option: Graph ignores custom parameters.
                continue;
            }
        };
        if out.iter().any(|(k, _)| *k == name) {
            return Err(format!(
                "Query option '{name}' was specified more than once, but it must be specified at most once."
            ));
        }
        out.push((name, value.clone()));
    }
    Ok(out)
}

fn option<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Parses `$top`: absent means [`DEFAULT_TOP`], above [`MAX_TOP`] is clamped, 0 or junk is an error.
pub fn parse_top(raw: Option<&str>) -> Result<usize, String> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_TOP);
    };
    let bad =
        || format!("Invalid value '{raw}' for query option '$top'. It must be a positive integer.");
    let trimmed = raw.trim();
    if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    // Digits only: an overflow simply means "very large", which clamps.
    let n = trimmed.parse::<u64>().unwrap_or(u64::MAX);
    if n == 0 {
        return Err(bad());
    }
    Ok(usize::try_from(n).unwrap_or(usize::MAX).min(MAX_TOP))
}

/// Parses `$count`: `true` or `false`, case-insensitively.
pub fn parse_count(raw: Option<&str>) -> Result<bool, String> {
    match raw.map(|s| s.trim().to_ascii_lowercase()) {
        None => Ok(false),
        Some(s) if s == "true" => Ok(true),
        Some(s) if s == "false" => Ok(false),
        Some(_) => Err(format!(
            "Invalid value '{}' for query option '$count'. Expected 'true' or 'false'.",
            raw.unwrap_or_default()
        )),
    }
}

fn find_property(allowed: &'static [&'static str], name: &str) -> Option<&'static str> {
    allowed
        .iter()
        .copied()
        .find(|p| p.eq_ignore_ascii_case(name.trim()))
}

/// Parses `$select` into canonical property names (always including `id`); unknown names are errors.
pub fn parse_select(
    raw: Option<&str>,
    schema: &EntitySchema,
) -> Result<Option<Vec<&'static str>>, String> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    if raw.trim().is_empty() {
        return Err("Query option '$select' must name at least one property.".to_string());
    }
    let mut out: Vec<&'static str> = Vec::new();
    for item in raw.split(',') {
        let item = item.trim();
        if item == "*" {
            return Ok(None);
        }
        let prop = find_property(schema.properties, item).ok_or_else(|| {
            format!(
                "Could not find a property named '{item}' on type '{}'.",
                schema.type_name
            )
        })?;
        if !out.contains(&prop) {
            out.push(prop);
        }
    }
    // The key (`id`, or `name` for plugins) always comes back.
    if let Some(key) = schema.properties.first()
        && !out.contains(key)
    {
        out.push(key);
    }
    Ok(Some(out))
}

/// How a `$filter` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    /// `prop eq 'x'` (exact) or `prop eq null`.
    Eq,
    /// `startswith(prop,'x')`, case-insensitive.
    StartsWith,
    /// `contains(prop,'x')`, case-insensitive.
    Contains,
}

/// A parsed `$filter`: one comparison of one string property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// The canonical property name.
    pub property: &'static str,
    /// The comparison.
    pub op: FilterOp,
    /// The literal; `None` for `eq null`.
    pub value: Option<String>,
    lowered: Option<String>,
    /// For a boolean property: the `true`/`false` it must equal.
    flag: Option<bool>,
}

impl Filter {
    /// Whether a row passes.
    pub fn matches_row<T: Row>(&self, row: &T) -> bool {
        match self.flag {
            Some(want) => row.flag(self.property) == Some(want),
            None => self.matches(row.text(self.property)),
        }
    }

    /// Whether a property value passes; null values only match `eq null`.
    pub fn matches(&self, value: Option<&str>) -> bool {
        match (self.op, value, &self.value, &self.lowered) {
            (FilterOp::Eq, v, want, _) => v == want.as_deref(),
            (_, None, _, _) | (_, _, _, None) => false,
            (FilterOp::StartsWith, Some(v), _, Some(l)) => v.to_lowercase().starts_with(l),
            (FilterOp::Contains, Some(v), _, Some(l)) => v.to_lowercase().contains(l),
        }
    }
}

/// Reads OData's grammar one token at a time; only as much as the fake supports.
struct Lexer<'a> {
    rest: &'a str,
}

impl<'a> Lexer<'a> {
    fn skip_ws(&mut self) {
        self.rest = self.rest.trim_start();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_ws();
        match self.rest.get(..token.len()) {
            Some(head) if head.eq_ignore_ascii_case(token) => {
                self.rest = &self.rest[token.len()..];
                true
            }
            _ => false,
        }
    }

    fn ident(&mut self) -> Option<&'a str> {
        self.skip_ws();
        let end = self
            .rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(self.rest.len());
        if end == 0 {
            return None;
        }
        let (id, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(id)
    }

    /// A single-quoted string literal, `''` standing for one quote.
    fn string(&mut self) -> Result<Option<String>, String> {
        self.skip_ws();
        let Some(body) = self.rest.strip_prefix('\'') else {
            return Ok(None);
        };
        let mut out = String::new();
        let mut chars = body.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if matches!(chars.peek(), Some((_, '\''))) {
                    chars.next();
                    out.push('\'');
                } else {
                    self.rest = &body[i + 1..];
                    return Ok(Some(out));
                }
            } else {
                out.push(c);
            }
        }
        Err("Unterminated string literal in $filter (quotes inside a literal are written as two single quotes).".to_string())
    }

    fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.rest.is_empty()
    }
}

/// Parses the supported `$filter` forms on the schema's filterable properties.
pub fn parse_filter(raw: &str, schema: &EntitySchema) -> Result<Filter, String> {
    let unsupported = || {
        let prop = schema.filterable.first().copied().unwrap_or("property");
        format!(
            "Unsupported $filter expression '{raw}'. Supported forms: {prop} eq 'text', {prop} eq null, startswith({prop},'text'), contains({prop},'text')."
        )
    };
    if schema.filterable.is_empty() && schema.flags.is_empty() {
        return Err(format!(
            "$filter is not supported on collections of '{}'.",
            schema.type_name
        ));
    }
    let property = |name: &str| {
        find_property(schema.filterable, name).ok_or_else(|| {
            let all: Vec<&str> = schema
                .filterable
                .iter()
                .chain(schema.flags)
                .copied()
                .collect();
            format!(
                "Property '{name}' cannot be used in $filter on type '{}'. Filterable: {}.",
                schema.type_name,
                all.join(", ")
            )
        })
    };
    let mut cur = Lexer { rest: raw };
    let first = cur.ident().ok_or_else(unsupported)?;
    let filter =
        if first.eq_ignore_ascii_case("startswith") || first.eq_ignore_ascii_case("contains") {
            let op = if first.eq_ignore_ascii_case("startswith") {
                FilterOp::StartsWith
            } else {
                FilterOp::Contains
            };
            if !cur.eat("(") {
                return Err(unsupported());
            }
            let prop = property(cur.ident().ok_or_else(unsupported)?)?;
            if !cur.eat(",") {
                return Err(unsupported());
            }
            let value = cur.string()?.ok_or_else(unsupported)?;
            if !cur.eat(")") {
                return Err(unsupported());
            }
            Filter {
                property: prop,
                op,
                lowered: Some(value.to_lowercase()),
                value: Some(value),
                flag: None,
            }
        } else if let Some(prop) = find_property(schema.flags, first) {
            if !cur.eat("eq ") && !cur.eat("eq\t") {
                return Err(unsupported());
            }
            let flag = if cur.eat("true") {
                true
            } else if cur.eat("false") {
                false
            } else {
                return Err(format!(
                    "Property '{prop}' is a Boolean: compare it with eq true or eq false."
                ));
            };
            Filter {
                property: prop,
                op: FilterOp::Eq,
                value: Some(flag.to_string()),
                lowered: None,
                flag: Some(flag),
            }
        } else {
            let prop = property(first)?;
            if !cur.eat("eq ") && !cur.eat("eq\t") {
                return Err(unsupported());
            }
            let value = match cur.string()? {
                Some(v) => Some(v),
                None if cur.eat("null") => None,
                None => return Err(unsupported()),
            };
            Filter {
                property: prop,
                op: FilterOp::Eq,
                lowered: value.as_ref().map(|v| v.to_lowercase()),
                value,
                flag: None,
            }
        };
    if !cur.at_end() {
        return Err(unsupported());
    }
    Ok(filter)
}

/// One `$orderby` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderKey {
    /// The canonical property name.
    pub property: &'static str,
    /// `desc` was given.
    pub descending: bool,
}

/// Parses `$orderby`: a comma list of `property [asc|desc]`.
pub fn parse_orderby(raw: &str, schema: &EntitySchema) -> Result<Vec<OrderKey>, String> {
    let mut keys = Vec::new();
    for item in raw.split(',') {
        let mut words = item.split_whitespace();
        let name = words
            .next()
            .ok_or_else(|| format!("Invalid $orderby expression '{raw}'."))?;
        let property = find_property(schema.sortable, name).ok_or_else(|| {
            format!(
                "Property '{name}' cannot be used in $orderby on type '{}'. Sortable: {}.",
                schema.type_name,
                schema.sortable.join(", ")
            )
        })?;
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(format!(
                    "Invalid sort direction '{other}' in $orderby; use 'asc' or 'desc'."
                ));
            }
        };
        if words.next().is_some() {
            return Err(format!("Invalid $orderby expression '{raw}'."));
        }
        keys.push(OrderKey {
            property,
            descending,
        });
    }
    Ok(keys)
}

/// Where the next page starts: just after the row keyed `seq` (so rows inserted or removed
/// before it do not shift the page), or at `offset` when that row is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// Position of the next page's first row when the page was cut.
    pub offset: usize,
    /// The last row served.
    pub seq: Option<u64>,
}

/// Makes the opaque `$skiptoken` for a cursor.
pub fn encode_skiptoken(cursor: Cursor) -> String {
    let text = match cursor.seq {
        Some(seq) => format!("sctui-fake:{}:{seq}", cursor.offset),
        None => format!("sctui-fake:{}", cursor.offset),
    };
    URL_SAFE_NO_PAD.encode(text)
}

/// Reads a `$skiptoken` made by [`encode_skiptoken`]; anything else is an error, like an expired one.
pub fn decode_skiptoken(token: &str) -> Result<Cursor, String> {
    let bad = || "The $skiptoken is invalid or has expired.".to_string();
    let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let rest = text.strip_prefix("sctui-fake:").ok_or_else(bad)?;
    let (offset, seq) = match rest.split_once(':') {
        Some((o, s)) => (o, Some(s.parse::<u64>().map_err(|_| bad())?)),
        None => (rest, None),
    };
    let offset = offset.parse::<usize>().map_err(|_| bad())?;
    Ok(Cursor { offset, seq })
}

/// Everything a list request asked for, validated.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Page size.
    pub top: usize,
    /// Where this page starts (`None` = the first page).
    pub after: Option<Cursor>,
    /// `$select`, canonical names; `None` = all properties.
    pub select: Option<Vec<&'static str>>,
    /// `$count=true`.
    pub count: bool,
    /// `$filter`.
    pub filter: Option<Filter>,
    /// `$orderby`; empty = creation order.
    pub order: Vec<OrderKey>,
    /// The normalised options except `$skiptoken`, carried into `@odata.nextLink`.
    pub carry: Vec<(String, String)>,
}

/// Strict mode: a query option the docs do not list for this resource is refused the way Graph's
/// OData layer refuses options it does not allow (`$skiptoken` is ours, from `@odata.nextLink`).
fn refuse_undocumented(pairs: &[(String, String)], documented: &[&str]) -> Result<(), String> {
    match pairs
        .iter()
        .find(|(k, _)| k != "$skiptoken" && !documented.contains(&k.as_str()))
    {
        Some((name, _)) => Err(format!(
            "The query specified in the URI is not valid. Query option '{name}' is not allowed on this resource; the documented options are {}.",
            documented.join(", ")
        )),
        None => Ok(()),
    }
}

/// Validates the options of a collection request (`strict`: only the documented ones).
pub fn parse_list_query(
    raw: &[(String, String)],
    schema: &EntitySchema,
    strict: bool,
) -> Result<ListQuery, String> {
    let pairs = normalize_pairs(raw)?;
    if strict {
        refuse_undocumented(&pairs, schema.documented)?;
    }
    let top = parse_top(option(&pairs, "$top"))?;
    let after = match option(&pairs, "$skiptoken") {
        Some(t) => Some(decode_skiptoken(t)?),
        None => None,
    };
    let select = parse_select(option(&pairs, "$select"), schema)?;
    let count = parse_count(option(&pairs, "$count"))?;
    let filter = match option(&pairs, "$filter") {
        Some(f) => Some(parse_filter(f, schema)?),
        None => None,
    };
    let order = match option(&pairs, "$orderby") {
        Some(o) => parse_orderby(o, schema)?,
        None => Vec::new(),
    };
    let carry = pairs
        .into_iter()
        .filter(|(k, _)| k != "$skiptoken")
        .collect();
    Ok(ListQuery {
        top,
        after,
        select,
        count,
        filter,
        order,
        carry,
    })
}

/// Validates the options of a single-entity request: only `$select` means something there.
pub fn parse_entity_query(
    raw: &[(String, String)],
    schema: &EntitySchema,
) -> Result<Option<Vec<&'static str>>, String> {
    let pairs = normalize_pairs(raw)?;
    if let Some((name, _)) = pairs.iter().find(|(k, _)| k != "$select") {
        return Err(format!(
            "Query option '{name}' is not allowed on a single entity; only $select is."
        ));
    }
    parse_select(option(&pairs, "$select"), schema)
}

/// What a row exposes to `$filter` and `$orderby`.
pub trait Row {
    /// A key that never changes and grows with creation: pages continue after it.
    fn seq(&self) -> u64;
    /// A Boolean property's value (None for unknown).
    fn flag(&self, _property: &str) -> Option<bool> {
        None
    }
    /// A string property's value (None for null or unknown).
    fn text(&self, property: &str) -> Option<&str>;
    /// A timestamp property's value.
    fn time(&self, property: &str) -> Option<Timestamp>;
}

/// One page cut from a collection.
#[derive(Debug)]
pub struct PageSlice<'a, T> {
    /// The rows of this page.
    pub items: Vec<&'a T>,
    /// Rows after filtering, for `@odata.count`.
    pub total: usize,
    /// Where the next page starts, when there is one.
    pub next: Option<Cursor>,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum SortValue {
    Null,
    Text(String, String),
    Time(Timestamp),
}

fn sort_value<T: Row>(row: &T, property: &'static str) -> SortValue {
    if let Some(t) = row.time(property) {
        return SortValue::Time(t);
    }
    match row.text(property) {
        Some(s) => SortValue::Text(s.to_lowercase(), s.to_string()),
        None => SortValue::Null,
    }
}

/// Filters, orders (stable, so ties keep the order `rows` come in) and slices a collection. A
/// page continues just after the last row the previous one served, wherever that row now is, so
/// rows created while a client pages never make it skip or repeat one.
pub fn apply<'a, T: Row + 'a>(
    rows: impl IntoIterator<Item = &'a T>,
    q: &ListQuery,
) -> PageSlice<'a, T> {
    let mut matched: Vec<&T> = match &q.filter {
        Some(f) => rows.into_iter().filter(|r| f.matches_row(*r)).collect(),
        None => rows.into_iter().collect(),
    };
    if !q.order.is_empty() {
        let order = &q.order;
        let mut keyed: Vec<(Vec<SortValue>, &T)> = matched
            .into_iter()
            .map(|r| {
                let key = order.iter().map(|k| sort_value(r, k.property)).collect();
                (key, r)
            })
            .collect();
        // `sort_by` is stable: rows that tie keep creation order, so pages never shuffle.
        keyed.sort_by(|(a, _), (b, _)| {
            for ((x, y), k) in a.iter().zip(b).zip(order) {
                let o = x.cmp(y);
                let o = if k.descending { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        });
        matched = keyed.into_iter().map(|(_, r)| r).collect();
    }
    let total = matched.len();
    let start = match q.after {
        None => 0,
        Some(cursor) => cursor
            .seq
            .and_then(|seq| matched.iter().position(|r| r.seq() == seq))
            .map_or(cursor.offset, |p| p + 1),
    }
    .min(total);
    let end = start.saturating_add(q.top).min(total);
    let items = matched
        .get(start..end)
        .map(<[_]>::to_vec)
        .unwrap_or_default();
    let next = (end < total).then(|| Cursor {
        offset: end,
        seq: items.last().map(|r| r.seq()),
    });
    PageSlice { items, total, next }
}

fn encode_component(s: &str, out: &mut String) {
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.' | b'_' | b'~' | b'$' | b',' | b'(' | b')' | b'\'' | b'*' | b':' | b'/'
            );
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Builds the absolute `@odata.nextLink`: same path, same options, plus the next `$skiptoken`.
pub fn next_link(origin: &str, path: &str, q: &ListQuery, next: Cursor) -> String {
    let mut link = format!("{origin}{path}?");
    for (k, v) in &q.carry {
        encode_component(k, &mut link);
        link.push('=');
        encode_component(v, &mut link);
        link.push('&');
    }
    link.push_str("$skiptoken=");
    link.push_str(&encode_skiptoken(next));
    link
}

/// Keeps only the selected properties of an entity's JSON (all of them without `$select`).
pub fn select_fields(mut map: Map<String, Value>, select: Option<&[&'static str]>) -> Value {
    if let Some(select) = select {
        map.retain(|k, _| k.starts_with('@') || select.contains(&k.as_str()));
    }
    Value::Object(map)
}

/// The `(a,b)` suffix Graph adds to `@odata.context` when `$select` was used.
pub fn context_select_suffix(select: Option<&[&'static str]>) -> String {
    match select {
        Some(s) => format!("({})", s.join(",")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    struct R {
        name: Option<&'static str>,
        t: i64,
    }

    impl Row for R {
        fn seq(&self) -> u64 {
            self.t as u64
        }
        fn text(&self, p: &str) -> Option<&str> {
            (p == "displayName").then_some(self.name).flatten()
        }
        fn time(&self, p: &str) -> Option<Timestamp> {
            (p == "createdDateTime").then(|| Timestamp::from_second(self.t).unwrap())
        }
    }

    #[test]
    fn top_defaults_clamps_and_rejects() {
        assert_eq!(parse_top(None), Ok(DEFAULT_TOP));
        assert_eq!(parse_top(Some("5")), Ok(5));
        assert_eq!(parse_top(Some("5000")), Ok(MAX_TOP));
        assert_eq!(parse_top(Some("99999999999999999999999")), Ok(MAX_TOP));
        for bad in ["0", "-1", "abc", "", " ", "1.5"] {
            assert!(parse_top(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn count_parses() {
        assert_eq!(parse_count(None), Ok(false));
        assert_eq!(parse_count(Some("TRUE")), Ok(true));
        assert_eq!(parse_count(Some("false")), Ok(false));
        assert!(parse_count(Some("yes")).is_err());
    }

    #[test]
    fn select_canonicalises_and_adds_id() {
        let s = parse_select(Some("displayname, createdDateTime"), &SESSION).unwrap();
        assert_eq!(s, Some(vec!["displayName", "createdDateTime", "id"]));
        assert_eq!(parse_select(None, &SESSION), Ok(None));
        let err = parse_select(Some("displayName,bogus"), &SESSION).unwrap_err();
        assert!(err.contains("'bogus'"), "{err}");
        assert!(parse_select(Some(""), &SESSION).is_err());
    }

    #[test]
    fn filter_forms() {
        let f = parse_filter("displayName eq 'KQL hunt'", &SESSION).unwrap();
        assert_eq!(f.op, FilterOp::Eq);
        assert_eq!(f.value.as_deref(), Some("KQL hunt"));
        assert!(f.matches(Some("KQL hunt")));
        assert!(!f.matches(Some("kql hunt")));
        assert!(!f.matches(None));

        let f = parse_filter("startswith(displayName,'phish')", &SESSION).unwrap();
        assert!(f.matches(Some("Phishing triage")));
        assert!(!f.matches(Some("A phish")));
        assert!(!f.matches(None));

        let f = parse_filter(" contains( DisplayName , 'O''Brien' ) ", &SESSION).unwrap();
        assert_eq!(f.value.as_deref(), Some("O'Brien"));
        assert!(f.matches(Some("mail from o'brien")));

        let f = parse_filter("displayName eq null", &SESSION).unwrap();
        assert!(f.matches(None));
        assert!(!f.matches(Some("x")));

        let f = parse_filter("displayName eq ''''", &SESSION).unwrap();
        assert_eq!(f.value.as_deref(), Some("'"));
    }

    #[test]
    fn filter_rejects_what_it_does_not_know() {
        for bad in [
            "displayName ne 'x'",
            "endswith(displayName,'x')",
            "displayName eq 'x' and displayName eq 'y'",
            "contains(displayName,'x'",
            "contains(displayName,x)",
            "displayName eq 'unterminated",
            "displayNameeq 'x'",
            "",
            "id eq 'x'",
            "'x' eq displayName",
        ] {
            assert!(parse_filter(bad, &SESSION).is_err(), "{bad}");
        }
        let msg = parse_filter("displayName gt 'x'", &SESSION).unwrap_err();
        assert!(msg.contains("Supported forms"), "{msg}");
        assert!(parse_filter("state eq 'x'", &EVALUATION).is_err());
    }

    #[test]
    fn orderby_parses() {
        assert_eq!(
            parse_orderby("displayName", &SESSION).unwrap(),
            vec![OrderKey {
                property: "displayName",
                descending: false
            }]
        );
        let keys = parse_orderby("lastModifiedDateTime desc, displayName asc", &SESSION).unwrap();
        assert!(keys[0].descending);
        assert_eq!(keys[1].property, "displayName");
        assert!(parse_orderby("id", &SESSION).is_err());
        assert!(parse_orderby("displayName up", &SESSION).is_err());
        assert!(parse_orderby("displayName desc extra", &SESSION).is_err());
        assert!(parse_orderby("", &SESSION).is_err());
    }

    #[test]
    fn skiptoken_round_trips_and_rejects_garbage() {
        for offset in [0, 1, 100, 123_456] {
            for seq in [None, Some(7)] {
                let c = Cursor { offset, seq };
                assert_eq!(decode_skiptoken(&encode_skiptoken(c)), Ok(c));
            }
        }
        assert!(decode_skiptoken(&URL_SAFE_NO_PAD.encode("sctui-fake:1:x")).is_err());
        assert!(decode_skiptoken("!!").is_err());
        assert!(decode_skiptoken(&URL_SAFE_NO_PAD.encode("other:5")).is_err());
    }

    #[test]
    fn options_are_normalised() {
        let q = parse_list_query(
            &pairs(&[("top", "2"), ("$COUNT", "true"), ("api-version", "x")]),
            &SESSION,
            true,
        )
        .unwrap();
        assert_eq!(q.top, 2);
        assert!(q.count);
        assert_eq!(q.carry.len(), 2);
        assert!(parse_list_query(&pairs(&[("$skip", "2")]), &SESSION, false).is_err());
        assert!(parse_list_query(&pairs(&[("$top", "2"), ("top", "3")]), &SESSION, false).is_err());
        assert!(parse_entity_query(&pairs(&[("$top", "2")]), &SESSION).is_err());
        assert_eq!(
            parse_entity_query(&pairs(&[("$select", "displayName")]), &SESSION).unwrap(),
            Some(vec!["displayName", "id"])
        );
    }

    #[test]
    fn apply_filters_orders_and_pages() {
        let rows = vec![
            R {
                name: Some("beta"),
                t: 30,
            },
            R { name: None, t: 10 },
            R {
                name: Some("Alpha"),
                t: 20,
            },
            R {
                name: Some("alpha two"),
                t: 5,
            },
        ];
        let mut q = parse_list_query(&pairs(&[("$top", "2")]), &SESSION, false).unwrap();
        let p = apply(&rows, &q);
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.items[0].t, 30);
        assert_eq!(
            p.next,
            Some(Cursor {
                offset: 2,
                seq: Some(10)
            })
        );
        q.after = p.next;
        let p = apply(&rows, &q);
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.next, None);

        let q = parse_list_query(&pairs(&[("$orderby", "displayName")]), &SESSION, false).unwrap();
        let names: Vec<_> = apply(&rows, &q).items.iter().map(|r| r.name).collect();
        assert_eq!(
            names,
            vec![None, Some("Alpha"), Some("alpha two"), Some("beta")]
        );

        let q = parse_list_query(
            &pairs(&[("$orderby", "createdDateTime desc")]),
            &SESSION,
            false,
        )
        .unwrap();
        let ts: Vec<_> = apply(&rows, &q).items.iter().map(|r| r.t).collect();
        assert_eq!(ts, vec![30, 20, 10, 5]);

        let q = parse_list_query(
            &pairs(&[
                ("$filter", "startswith(displayName,'al')"),
                ("$orderby", "createdDateTime"),
                ("$top", "1"),
            ]),
            &SESSION,
            false,
        )
        .unwrap();
        let p = apply(&rows, &q);
        assert_eq!(p.total, 2);
        assert_eq!(p.items[0].t, 5);
        assert_eq!(p.next.map(|c| c.offset), Some(1));

        let mut q = parse_list_query(&[], &SESSION, false).unwrap();
        q.after = Some(Cursor {
            offset: 99,
            seq: None,
        });
        let p = apply(&rows, &q);
        assert!(p.items.is_empty());
        assert_eq!(p.next, None);
    }

    #[test]
    fn next_link_carries_options() {
        let q = parse_list_query(
            &pairs(&[
                ("$top", "2"),
                ("$filter", "contains(displayName,'a b&c')"),
                (
                    "$skiptoken",
                    &encode_skiptoken(Cursor {
                        offset: 2,
                        seq: None,
                    }),
                ),
            ]),
            &SESSION,
            false,
        )
        .unwrap();
        let next = Cursor {
            offset: 4,
            seq: Some(3),
        };
        let link = next_link("http://127.0.0.1:9", "/beta/x", &q, next);
        assert!(link.starts_with("http://127.0.0.1:9/beta/x?$top=2&$filter=contains(displayName,'a%20b%26c')&$skiptoken="), "{link}");
        let parsed = url::Url::parse(&link).unwrap();
        let back: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        let q2 = parse_list_query(&back, &SESSION, false).unwrap();
        assert_eq!(q2.after, Some(next));
        assert_eq!(q2.filter, q.filter);
    }

    #[test]
    fn select_fields_keeps_annotations_and_selected() {
        let map: Map<String, Value> = serde_json::from_str(
            r#"{"id":"1","displayName":"x","createdDateTime":"t","@odata.etag":"e"}"#,
        )
        .unwrap();
        let v = select_fields(map, Some(&["displayName", "id"]));
        assert_eq!(
            v,
            serde_json::json!({"id":"1","displayName":"x","@odata.etag":"e"})
        );
    }

    #[test]
    fn pages_continue_after_the_last_row_served_whatever_was_inserted() {
        // Newest first: rows arrive in descending seq order.
        let mut rows: Vec<R> = (1..=5).map(|t| R { name: Some("x"), t }).collect();
        let q = parse_list_query(&pairs(&[("$top", "2")]), &SESSION, true).unwrap();
        fn newest_first(rows: &[R]) -> Vec<&R> {
            rows.iter().rev().collect()
        }
        let p = apply(newest_first(&rows), &q);
        let first: Vec<i64> = p.items.iter().map(|r| r.t).collect();
        assert_eq!(first, vec![5, 4]);
        let mut q2 = q.clone();
        q2.after = p.next;
        // Two sessions are created between the two requests.
        rows.push(R {
            name: Some("new"),
            t: 6,
        });
        rows.push(R {
            name: Some("new"),
            t: 7,
        });
        let p = apply(newest_first(&rows), &q2);
        let second: Vec<i64> = p.items.iter().map(|r| r.t).collect();
        assert_eq!(second, vec![3, 2], "no repeat, no skip");
    }

    #[test]
    fn strict_mode_refuses_what_the_docs_do_not_list() {
        let ok = pairs(&[
            ("$top", "5"),
            ("$count", "true"),
            ("$select", "id"),
            ("$filter", "displayName eq 'x'"),
        ]);
        assert!(parse_list_query(&ok, &SESSION, true).is_ok());
        let err =
            parse_list_query(&pairs(&[("$orderby", "displayName")]), &SESSION, true).unwrap_err();
        assert!(err.contains("'$orderby' is not allowed"), "{err}");
        assert!(parse_list_query(&pairs(&[("$orderby", "displayName")]), &SESSION, false).is_ok());
        assert!(parse_list_query(&pairs(&[("$top", "5")]), &WORKSPACE, true).is_err());
        assert!(parse_list_query(&pairs(&[("$top", "5")]), &WORKSPACE, false).is_ok());
        assert!(parse_list_query(&pairs(&[("$count", "true")]), &WORKSPACE, true).is_ok());
        let token = encode_skiptoken(Cursor {
            offset: 1,
            seq: None,
        });
        assert!(parse_list_query(&pairs(&[("$skiptoken", &token)]), &WORKSPACE, true).is_ok());
    }

    #[test]
    fn plugin_filters_on_names_and_is_enabled() {
        let f = parse_filter("isEnabled eq true", &PLUGIN).unwrap();
        assert_eq!(f.flag, Some(true));
        assert!(parse_filter("isEnabled eq 'yes'", &PLUGIN).is_err());
        let f = parse_filter("contains(name,'defender')", &PLUGIN).unwrap();
        assert!(f.matches(Some("MicrosoftDefender")));
        assert!(parse_filter("description eq 'x'", &PLUGIN).is_err());
        assert_eq!(
            parse_select(Some("displayName"), &PLUGIN).unwrap(),
            Some(vec!["displayName", "name"])
        );
    }
}
