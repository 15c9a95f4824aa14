//! Recipients: the canonical record, validated once into [`Recipient`].
//!
//! Canonical JSON shape (other formats map onto it):
//! `{"id": str, "email": str, "first_name"?: str, "last_name"?: str, "locale"?: str,
//!   "attributes"?: {str: str|number|bool},
//!   "events"?: [{"type": str, "at": "YYYY-MM-DD" | RFC 3339, ...other fields str|number}],
//!   "consent"?: {"profiling": bool}}`

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::date::Date;
use crate::email::{EmailAddress, EmailError};

mod fast;

/// Size limits on one record. A field over a limit quarantines the row.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub id_chars: usize,
    pub name_chars: usize,
    pub locale_chars: usize,
    pub attributes: usize,
    pub key_chars: usize,
    pub value_chars: usize,
    pub events: usize,
    pub event_fields: usize,
    /// Whole raw line/row, in bytes.
    pub record_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            id_chars: 200,
            name_chars: 100,
            locale_chars: 35,
            attributes: 100,
            key_chars: 64,
            value_chars: 1_000,
            events: 1_000,
            event_fields: 32,
            record_bytes: 256 * 1024,
        }
    }
}

/// Why a record was refused. Each variant is a quarantine reason with a stable code.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecipientError {
    #[error("bad JSON: {0}")]
    BadJson(String),
    #[error("invalid UTF-8")]
    InvalidUtf8,
    #[error("missing required field `{0}`")]
    MissingField(&'static str),
    #[error("field `{field}` must be {expected}")]
    WrongType {
        field: String,
        expected: &'static str,
    },
    #[error("unknown field `{0}` (allowed: id, email, first_name, last_name, locale, attributes, events, consent)")]
    UnknownField(String),
    #[error("{0}")]
    InvalidEmail(#[from] EmailError),
    #[error("duplicate id `{0}` (first seen on line {1})")]
    DuplicateId(String, u64),
    #[error("bad date in `{field}`: `{value}` (expected YYYY-MM-DD or RFC 3339)")]
    BadDate { field: String, value: String },
    #[error("field `{field}` is over the size limit ({limit})")]
    TooLarge { field: String, limit: usize },
    #[error("unknown event shape at `{field}`: {why}")]
    UnknownEventShape { field: String, why: String },
    #[error("empty field `{0}`")]
    Empty(&'static str),
}

impl RecipientError {
    /// A short stable code for reports and the quarantine file.
    pub fn code(&self) -> &'static str {
        match self {
            RecipientError::BadJson(_) => "bad_json",
            RecipientError::InvalidUtf8 => "invalid_utf8",
            RecipientError::MissingField(_) => "missing_field",
            RecipientError::WrongType { .. } => "wrong_type",
            RecipientError::UnknownField(_) => "unknown_field",
            RecipientError::InvalidEmail(_) => "invalid_email",
            RecipientError::DuplicateId(..) => "duplicate_id",
            RecipientError::BadDate { .. } => "bad_date",
            RecipientError::TooLarge { .. } => "too_large",
            RecipientError::UnknownEventShape { .. } => "unknown_event_shape",
            RecipientError::Empty(_) => "empty_field",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RecipientId(String);

impl RecipientId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl fmt::Display for RecipientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An attribute value.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AttrValue {
    Str(String),
    Num(f64),
    Bool(bool),
}

impl AttrValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttrValue::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            AttrValue::Num(n) => Some(*n),
            AttrValue::Str(s) => s.trim().parse().ok(),
            AttrValue::Bool(_) => None,
        }
    }
    /// Text form used for matching and prompts: `149.99`, `true`, `Gold`.
    pub fn to_text(&self) -> String {
        match self {
            AttrValue::Str(s) => s.clone(),
            AttrValue::Num(n) => fmt_num(*n),
            AttrValue::Bool(b) => b.to_string(),
        }
    }
}

/// A value of an event's extra field.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FieldValue {
    Str(String),
    Num(f64),
}

impl FieldValue {
    pub fn to_text(&self) -> String {
        match self {
            FieldValue::Str(s) => s.clone(),
            FieldValue::Num(n) => fmt_num(*n),
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            FieldValue::Num(n) => Some(*n),
            FieldValue::Str(s) => s.trim().parse().ok(),
        }
    }
}

/// Shortest text for a number: `3`, `149.99`.
pub fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Something the recipient did, on a date: a purchase, a view, a cart, a signup, a ticket...
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: String,
    pub at: Date,
    #[serde(flatten)]
    pub fields: BTreeMap<String, FieldValue>,
}

impl Event {
    pub fn field(&self, name: &str) -> Option<&FieldValue> {
        self.fields.get(name)
    }
    pub fn field_text(&self, name: &str) -> Option<String> {
        self.fields.get(name).map(FieldValue::to_text)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Consent {
    /// `None` when the record says nothing: profiling is then allowed. `Some(false)` forbids
    /// using behavioural facts (events, attributes beyond the name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profiling: Option<bool>,
}

/// A validated recipient. Constructed only through [`Recipient::from_json`] /
/// [`Recipient::from_value`], so every value is within limits and well-typed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recipient {
    pub id: RecipientId,
    pub email: EmailAddress,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, AttrValue>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    pub consent: Consent,
}

/// The unvalidated record as parsed from JSON (kept for error reporting and re-serialisation).
pub type RawRecipient = Map<String, Value>;

impl Recipient {
    /// Parse one canonical JSON record.
    pub fn from_json(text: &str, limits: &Limits) -> Result<Recipient, RecipientError> {
        if text.len() > limits.record_bytes {
            return Err(RecipientError::TooLarge {
                field: "record".into(),
                limit: limits.record_bytes,
            });
        }
        // Most records are well formed: parse them straight into their parts. Anything the
        // fast path does not accept is parsed again through `from_value`, which names the
        // problem.
        if let Some(r) = fast::parse(text, limits) {
            return Ok(r);
        }
        let v: Value =
            serde_json::from_str(text).map_err(|e| RecipientError::BadJson(e.to_string()))?;
        Recipient::from_value(v, limits)
    }

    pub fn from_value(v: Value, limits: &Limits) -> Result<Recipient, RecipientError> {
        let Value::Object(mut m) = v else {
            return Err(RecipientError::WrongType {
                field: "record".into(),
                expected: "a JSON object",
            });
        };
        for k in m.keys() {
            if !matches!(
                k.as_str(),
                "id" | "email"
                    | "first_name"
                    | "last_name"
                    | "locale"
                    | "attributes"
                    | "events"
                    | "consent"
            ) {
                return Err(RecipientError::UnknownField(k.clone()));
            }
        }
        let id = match m.remove("id") {
            Some(Value::String(s)) => s,
            // Numeric ids are common in exports; accept integers as text.
            Some(Value::Number(n)) if n.is_u64() || n.is_i64() => n.to_string(),
            Some(_) => {
                return Err(RecipientError::WrongType {
                    field: "id".into(),
                    expected: "a string",
                })
            }
            None => return Err(RecipientError::MissingField("id")),
        };
        let id = id.trim().to_string();
        if id.is_empty() {
            return Err(RecipientError::Empty("id"));
        }
        check_len("id", &id, limits.id_chars)?;
        let email = match m.remove("email") {
            Some(Value::String(s)) => EmailAddress::parse(&s)?,
            Some(_) => {
                return Err(RecipientError::WrongType {
                    field: "email".into(),
                    expected: "a string",
                })
            }
            None => return Err(RecipientError::MissingField("email")),
        };
        let first_name = opt_str(&mut m, "first_name", limits.name_chars)?;
        let last_name = opt_str(&mut m, "last_name", limits.name_chars)?;
        let locale = opt_str(&mut m, "locale", limits.locale_chars)?;
        if let Some(l) = &locale {
            if !plain_locale(l) {
                return Err(RecipientError::WrongType {
                    field: "locale".into(),
                    expected: "a language tag like `en-US`",
                });
            }
        }

        let mut attributes = BTreeMap::new();
        match m.remove("attributes") {
            None | Some(Value::Null) => {}
            Some(Value::Object(a)) => {
                let a = flatten_nested(a, None)?;
                if a.len() > limits.attributes {
                    return Err(RecipientError::TooLarge {
                        field: "attributes".into(),
                        limit: limits.attributes,
                    });
                }
                for (k, v) in a {
                    let field = FieldPath {
                        event: None,
                        key: &k,
                    };
                    check_len(&field, &k, limits.key_chars)?;
                    let val = match v {
                        Value::String(s) => {
                            check_len(&field, &s, limits.value_chars)?;
                            AttrValue::Str(s)
                        }
                        Value::Number(n) => AttrValue::Num(num(&n, &field)?),
                        Value::Bool(b) => AttrValue::Bool(b),
                        Value::Null => continue,
                        _ => {
                            return Err(RecipientError::WrongType {
                                field: field.to_string(),
                                expected: "a string, number or boolean",
                            })
                        }
                    };
                    // A key written plainly wins over the same key made by flattening.
                    attributes.entry(k).or_insert(val);
                }
            }
            Some(_) => {
                return Err(RecipientError::WrongType {
                    field: "attributes".into(),
                    expected: "an object",
                })
            }
        }

        let mut events = Vec::new();
        match m.remove("events") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                if list.len() > limits.events {
                    return Err(RecipientError::TooLarge {
                        field: "events".into(),
                        limit: limits.events,
                    });
                }
                for (i, e) in list.into_iter().enumerate() {
                    events.push(parse_event(i, e, limits)?);
                }
            }
            Some(_) => {
                return Err(RecipientError::WrongType {
                    field: "events".into(),
                    expected: "an array",
                })
            }
        }
        // Newest first: the order every consumer wants.
        events.sort_by_key(|e| std::cmp::Reverse(e.at));

        let consent = match m.remove("consent") {
            None | Some(Value::Null) => Consent::default(),
            Some(Value::Object(c)) => {
                let mut consent = Consent::default();
                for (k, v) in c {
                    match (k.as_str(), v) {
                        ("profiling", Value::Bool(b)) => consent.profiling = Some(b),
                        ("profiling", _) => {
                            return Err(RecipientError::WrongType {
                                field: "consent.profiling".into(),
                                expected: "a boolean",
                            })
                        }
                        (other, _) => {
                            return Err(RecipientError::UnknownField(format!("consent.{other}")))
                        }
                    }
                }
                consent
            }
            Some(_) => {
                return Err(RecipientError::WrongType {
                    field: "consent".into(),
                    expected: "an object",
                })
            }
        };

        Ok(Recipient {
            id: RecipientId(id),
            email,
            first_name,
            last_name,
            locale,
            attributes,
            events,
            consent,
        })
    }

    /// Whether behavioural facts (events, attributes) may be used for this person.
    pub fn profiling_allowed(&self) -> bool {
        self.consent.profiling != Some(false)
    }

    pub fn attr(&self, key: &str) -> Option<&AttrValue> {
        self.attributes.get(key)
    }

    /// Events of one type, newest first.
    pub fn events_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
        self.events.iter().filter(move |e| e.kind == kind)
    }

    /// The value at a fact path as the gate and the records name it: `first_name`,
    /// `attributes.city`, `events[2].product`, `events[0].at`. `None` for a path the record
    /// does not have.
    pub fn value_at(&self, path: &str) -> Option<String> {
        match path {
            "id" => return Some(self.id.as_str().to_string()),
            "email" => return Some(self.email.as_str().to_string()),
            "first_name" => return self.first_name.clone(),
            "last_name" => return self.last_name.clone(),
            "locale" => return self.locale.clone(),
            _ => {}
        }
        if let Some(key) = path.strip_prefix("attributes.") {
            return self.attributes.get(key).map(AttrValue::to_text);
        }
        let rest = path.strip_prefix("events[")?;
        let (index, field) = rest.split_once("].")?;
        let event = self.events.get(index.parse::<usize>().ok()?)?;
        match field {
            "at" => Some(event.at.to_string()),
            "type" => Some(event.kind.clone()),
            _ => event.field_text(field),
        }
    }

    /// Full name if any part is known.
    pub fn full_name(&self) -> Option<String> {
        match (&self.first_name, &self.last_name) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (Some(f), None) => Some(f.clone()),
            (None, Some(l)) => Some(l.clone()),
            (None, None) => None,
        }
    }
}

/// A field's path for error messages (`attributes.city`, `events[2].product`), formatted only
/// when an error names it: a valid record allocates none.
struct FieldPath<'a> {
    event: Option<usize>,
    key: &'a str,
}

impl std::fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.event {
            None => write!(f, "attributes.{}", self.key),
            Some(i) if self.key.is_empty() => write!(f, "events[{i}]"),
            Some(i) => write!(f, "events[{i}].{}", self.key),
        }
    }
}

/// A locale as a language tag's characters: `en-US`, `pt_BR`.
fn plain_locale(l: &str) -> bool {
    l.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// An event type that is a plain name: `purchase`, `cart_add`, `page.view`.
fn plain_event_type(t: &str) -> bool {
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
}

fn check_len(
    field: &(impl std::fmt::Display + ?Sized),
    s: &str,
    limit: usize,
) -> Result<(), RecipientError> {
    if s.chars().count() > limit {
        return Err(RecipientError::TooLarge {
            field: field.to_string(),
            limit,
        });
    }
    Ok(())
}

fn num(
    n: &serde_json::Number,
    field: &(impl std::fmt::Display + ?Sized),
) -> Result<f64, RecipientError> {
    n.as_f64()
        .filter(|f| f.is_finite())
        .ok_or_else(|| RecipientError::WrongType {
            field: field.to_string(),
            expected: "a finite number",
        })
}

fn opt_str(
    m: &mut Map<String, Value>,
    key: &'static str,
    limit: usize,
) -> Result<Option<String>, RecipientError> {
    match m.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let s = s.trim().to_string();
            check_len(key, &s, limit)?;
            Ok(if s.is_empty() { None } else { Some(s) })
        }
        Some(_) => Err(RecipientError::WrongType {
            field: key.into(),
            expected: "a string",
        }),
    }
}

/// How deep nested values are flattened; deeper ones are an error that names the key.
const FLATTEN_DEPTH: usize = 3;

/// Nested values as CRM exports write them, made scalar: an object's fields become
/// `key_field` (`"address": {"city": "Leeds"}` → `address_city`), a list of objects numbers
/// them from 1 (`"pets": [{"name": "Biscuit"}]` → `pets_1_name`), and a list of plain values
/// becomes one text (`"interests": ["hiking", "climbing"]` → `"hiking, climbing"`). Scalars
/// keep their place; keys written plainly come first, so they win over a flattened twin.
fn flatten_nested(
    m: Map<String, Value>,
    event: Option<usize>,
) -> Result<Vec<(String, Value)>, RecipientError> {
    if !m.values().any(|v| v.is_object() || v.is_array()) {
        return Ok(m.into_iter().collect());
    }
    let mut plain = Vec::with_capacity(m.len());
    let mut nested = Vec::new();
    for (k, v) in m {
        if v.is_object() || v.is_array() {
            flatten_into(&k, v, 1, event, &mut nested)?;
        } else {
            plain.push((k, v));
        }
    }
    plain.extend(nested);
    Ok(plain)
}

fn flatten_into(
    key: &str,
    v: Value,
    depth: usize,
    event: Option<usize>,
    out: &mut Vec<(String, Value)>,
) -> Result<(), RecipientError> {
    let too_deep = || RecipientError::WrongType {
        field: FieldPath { event, key }.to_string(),
        expected: "values nested at most 3 deep",
    };
    match v {
        Value::Object(m) => {
            if depth > FLATTEN_DEPTH {
                return Err(too_deep());
            }
            for (k, x) in m {
                flatten_into(&format!("{key}_{k}"), x, depth + 1, event, out)?;
            }
        }
        Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            let parts: Vec<String> = a
                .into_iter()
                .filter_map(|x| match x {
                    Value::String(s) => Some(s),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                })
                .collect();
            if !parts.is_empty() {
                out.push((key.to_string(), Value::String(parts.join(", "))));
            }
        }
        Value::Array(a) => {
            if depth > FLATTEN_DEPTH {
                return Err(too_deep());
            }
            for (i, x) in a.into_iter().enumerate() {
                flatten_into(&format!("{key}_{}", i + 1), x, depth + 1, event, out)?;
            }
        }
        scalar => out.push((key.to_string(), scalar)),
    }
    Ok(())
}

fn parse_event(i: usize, e: Value, limits: &Limits) -> Result<Event, RecipientError> {
    let base = || {
        FieldPath {
            event: Some(i),
            key: "",
        }
        .to_string()
    };
    let Value::Object(obj) = e else {
        return Err(RecipientError::UnknownEventShape {
            field: base(),
            why: "not an object".into(),
        });
    };
    let obj = flatten_nested(obj, Some(i))?;
    if obj.len() > limits.event_fields + 2 {
        return Err(RecipientError::TooLarge {
            field: base(),
            limit: limits.event_fields,
        });
    }
    let mut kind = None;
    let mut at = None;
    let mut fields = BTreeMap::new();
    for (k, v) in obj {
        let field = FieldPath {
            event: Some(i),
            key: &k,
        };
        match (k.as_str(), v) {
            ("type", Value::String(s)) => {
                let s = s.trim().to_string();
                if !plain_event_type(&s) {
                    return Err(RecipientError::UnknownEventShape {
                        field: field.to_string(),
                        why: format!("type `{s}` is not a plain name"),
                    });
                }
                check_len(&field, &s, limits.key_chars)?;
                kind = Some(s);
            }
            ("type", _) => {
                return Err(RecipientError::UnknownEventShape {
                    field: field.to_string(),
                    why: "type must be a string".into(),
                })
            }
            ("at", Value::String(s)) => {
                at = Some(Date::parse(&s).map_err(|_| RecipientError::BadDate {
                    field: field.to_string(),
                    value: s.clone(),
                })?);
            }
            ("at", other) => {
                return Err(RecipientError::BadDate {
                    field: field.to_string(),
                    value: other.to_string(),
                })
            }
            (_, Value::String(s)) => {
                check_len(&field, &k, limits.key_chars)?;
                check_len(&field, &s, limits.value_chars)?;
                fields.entry(k).or_insert(FieldValue::Str(s));
            }
            (_, Value::Number(n)) => {
                let f = num(&n, &field)?;
                check_len(&field, &k, limits.key_chars)?;
                fields.entry(k).or_insert(FieldValue::Num(f));
            }
            (_, Value::Null) => {}
            // `"gift": true`: kept as its text, as an attribute's boolean reads.
            (_, Value::Bool(b)) => {
                check_len(&field, &k, limits.key_chars)?;
                fields
                    .entry(k)
                    .or_insert(FieldValue::Str(if b { "true" } else { "false" }.into()));
            }
            (_, other) => {
                // Flattening leaves only scalars; this is a guard, not a path.
                let what = match other {
                    Value::Array(_) => "an array",
                    _ => "an object",
                };
                return Err(RecipientError::UnknownEventShape {
                    field: field.to_string(),
                    why: format!("{what} where a string or number is expected"),
                });
            }
        }
    }
    let kind = kind.ok_or_else(|| RecipientError::UnknownEventShape {
        field: base(),
        why: "no `type`".into(),
    })?;
    let at = at.ok_or_else(|| RecipientError::UnknownEventShape {
        field: base(),
        why: "no `at` date".into(),
    })?;
    Ok(Event { kind, at, fields })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Recipient, RecipientError> {
        Recipient::from_json(s, &Limits::default())
    }

    #[test]
    fn full_record() {
        let r = parse(r#"{"id":"r1","email":"ana@example.com","first_name":"Ána","locale":"pt-BR",
            "attributes":{"city":"Porto","loyalty_tier":"Gold","vip":true,"orders":3},
            "events":[{"type":"purchase","at":"2026-01-02","product":"Trailblazer 2 Hiking Boot","amount":149.0},
                      {"type":"view","at":"2026-02-10T10:00:00Z","product":"Rain Jacket"}],
            "consent":{"profiling":true}}"#).unwrap();
        assert_eq!(r.first_name.as_deref(), Some("Ána"));
        assert_eq!(r.events[0].kind, "view", "newest first");
        assert_eq!(r.events[1].field_text("amount").as_deref(), Some("149"));
        assert!(r.profiling_allowed());
        // Fact paths as the gate and the outbox records name them (events newest first).
        assert_eq!(r.value_at("first_name").as_deref(), Some("Ána"));
        assert_eq!(r.value_at("attributes.orders").as_deref(), Some("3"));
        assert_eq!(
            r.value_at("events[1].product").as_deref(),
            Some("Trailblazer 2 Hiking Boot")
        );
        assert_eq!(r.value_at("events[0].at").as_deref(), Some("2026-02-10"));
        assert_eq!(r.value_at("events[0].type").as_deref(), Some("view"));
        for missing in [
            "last_name",
            "attributes.pet",
            "events[2].at",
            "events[x].at",
            "events[0]",
        ] {
            assert_eq!(r.value_at(missing), None, "{missing}");
        }
    }

    #[test]
    fn errors_name_the_field() {
        for (text, field) in [
            (
                r#"{"id":"1","email":"a@b.co","events":[{"type":"purchase","at":"2026-13-01"}]}"#,
                "events[0].at",
            ),
            (
                r#"{"id":"1","email":"a@b.co","events":[{"type":"purchase"}]}"#,
                "events[0]",
            ),
            (
                r#"{"id":"1","email":"a@b.co","events":[{"type":"x","at":"2026-01-01","items":{"a":{"b":{"c":{"d":1}}}}}]}"#,
                "events[0].items_a_b_c",
            ),
            (
                r#"{"id":"1","email":"a@b.co","attributes":{"tier":{"a":{"b":{"c":{"d":1}}}}}}"#,
                "attributes.tier_a_b_c",
            ),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(field), "{text}: {e}");
        }
        let long = format!(
            r#"{{"id":"1","email":"a@b.co","attributes":{{"note":"{}"}}}}"#,
            "x".repeat(Limits::default().value_chars + 1)
        );
        let e = parse(&long).unwrap_err().to_string();
        assert!(e.contains("attributes.note"), "{e}");
    }

    #[test]
    fn every_reason() {
        let cases: &[(&str, &str)] = &[
            ("{not json", "bad_json"),
            (r#"{"email":"a@b.co"}"#, "missing_field"),
            (r#"{"id":"1","email":"nope"}"#, "invalid_email"),
            (
                r#"{"id":"1","email":"a@b.co","events":[{"type":"purchase","at":"2026-13-01"}]}"#,
                "bad_date",
            ),
            (
                r#"{"id":"1","email":"a@b.co","events":[{"type":"purchase"}]}"#,
                "unknown_event_shape",
            ),
            (
                r#"{"id":"1","email":"a@b.co","events":[{"type":"x y","at":"2026-01-01"}]}"#,
                "unknown_event_shape",
            ),
            (
                r#"{"id":"1","email":"a@b.co","events":["purchase"]}"#,
                "unknown_event_shape",
            ),
            (
                r#"{"id":"1","email":"a@b.co","nickname":"x"}"#,
                "unknown_field",
            ),
            (
                r#"{"id":"1","email":"a@b.co","attributes":{"a":[[[[{"b":1}]]]]}}"#,
                "wrong_type",
            ),
            (r#"{"id":"","email":"a@b.co"}"#, "empty_field"),
        ];
        for (text, code) in cases {
            assert_eq!(parse(text).unwrap_err().code(), *code, "{text}");
        }
        let long = format!(
            r#"{{"id":"1","email":"a@b.co","first_name":"{}"}}"#,
            "x".repeat(101)
        );
        assert_eq!(parse(&long).unwrap_err().code(), "too_large");
    }

    #[test]
    fn nested_values_from_crm_exports_are_flattened() {
        let r = parse(
            r#"{"id":"1","email":"a@b.co",
            "attributes":{"address":{"city":"Leeds","postcode":"LS5"},"interests":["hiking","climbing"],
                "pets":[{"name":"Biscuit","age":8},{"name":"Miso"}],"pets_1_name":"Biscuit (plain)"},
            "events":[{"type":"order","at":"2026-01-01","items":[{"name":"Merino DK","qty":2}],"total":{"eur":48}}]}"#,
        )
        .unwrap();
        let attr = |k: &str| r.attributes.get(k).map(AttrValue::to_text);
        assert_eq!(attr("address_city").as_deref(), Some("Leeds"));
        assert_eq!(attr("interests").as_deref(), Some("hiking, climbing"));
        assert_eq!(attr("pets_1_age").as_deref(), Some("8"));
        assert_eq!(attr("pets_2_name").as_deref(), Some("Miso"));
        // A key written plainly wins over its flattened twin.
        assert_eq!(attr("pets_1_name").as_deref(), Some("Biscuit (plain)"));
        assert_eq!(
            r.value_at("events[0].items_1_name").as_deref(),
            Some("Merino DK")
        );
        assert_eq!(r.value_at("events[0].total_eur").as_deref(), Some("48"));
        // An event's boolean is kept as its text rather than refusing the record.
        let r = parse(
            r#"{"id":"1","email":"a@b.co","events":[{"type":"order","at":"2026-01-01","gift":true}]}"#,
        )
        .unwrap();
        assert_eq!(r.value_at("events[0].gift").as_deref(), Some("true"));
        // Too many values once flattened is still over the limit, named.
        let many: Vec<String> = (0..60).map(|i| format!(r#"{{"n":{i},"m":{i}}}"#)).collect();
        let text = format!(
            r#"{{"id":"1","email":"a@b.co","attributes":{{"rows":[{}]}}}}"#,
            many.join(",")
        );
        assert_eq!(parse(&text).unwrap_err().code(), "too_large");
    }

    #[test]
    fn consent_false_forbids_profiling() {
        let r = parse(r#"{"id":"1","email":"a@b.co","consent":{"profiling":false}}"#).unwrap();
        assert!(!r.profiling_allowed());
    }
}
