//! The fast path of [`Recipient::from_json`]: a well-formed record parsed straight into its
//! parts, without building a `serde_json::Value` tree first and taking it apart again.
//!
//! It only has to be right when it succeeds. On any surprise (a wrong type, an unknown field,
//! a value over a limit, a bad date) it gives up and `from_json` parses the record again
//! through [`Recipient::from_value`], which finds and names the exact problem. So the checks
//! here may be stricter than `from_value`'s, never looser; a property test holds the two paths
//! to the same result.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::{
    plain_event_type, plain_locale, AttrValue, Consent, Event, FieldValue, Limits, Recipient,
    RecipientId,
};
use crate::date::Date;
use crate::email::EmailAddress;

/// Parse `text`, or `None` when the record needs `from_value` to judge it.
pub(super) fn parse(text: &str, limits: &Limits) -> Option<Recipient> {
    let raw: Raw<'_> = serde_json::from_str(text).ok()?;
    raw.validate(limits)
}

/// A JSON scalar; an array or an object fails the parse.
enum Scalar<'a> {
    Str(Cow<'a, str>),
    Num(f64),
    /// An integer, kept exact for ids.
    Int(i128),
    Bool(bool),
    Null,
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor(std::marker::PhantomData))
    }
}

struct ScalarVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ScalarVisitor<'a> {
    type Value = Scalar<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number, boolean or null")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(i128::from(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(i128::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(v))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
}

impl Scalar<'_> {
    /// A finite number as `from_value` reads it (`serde_json::Number::as_f64`).
    fn number(&self) -> Option<f64> {
        match *self {
            Scalar::Num(f) => Some(f),
            Scalar::Int(i) => Some(i as f64),
            _ => None,
        }
        .filter(|f| f.is_finite())
    }
}

/// The record's top level. `null` and a missing field are both `None`, as in `from_value`
/// for every optional field; a required one that is `None` sends the record to `from_value`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw<'a> {
    #[serde(borrow)]
    id: Option<Scalar<'a>>,
    #[serde(borrow)]
    email: Option<Scalar<'a>>,
    #[serde(borrow)]
    first_name: Option<Scalar<'a>>,
    #[serde(borrow)]
    last_name: Option<Scalar<'a>>,
    #[serde(borrow)]
    locale: Option<Scalar<'a>>,
    attributes: Option<Attributes>,
    #[serde(borrow)]
    events: Option<Vec<RawEvent<'a>>>,
    consent: Option<RawConsent>,
}

/// What was read of a JSON object. Objects are read the way `from_value` sees them (the last
/// of duplicate keys wins, `null` means absent), but these count every entry read, duplicates
/// and nulls included, so a limit that holds for them holds for `from_value`'s object too.
#[derive(Default)]
struct Counts {
    entries: usize,
    longest_key: usize,
}

impl Counts {
    fn key(&mut self, k: &str) {
        self.entries += 1;
        self.longest_key = self.longest_key.max(k.chars().count());
    }
}

/// A finite number as `from_value` reads it (`serde_json::Number::as_f64`), or an error.
fn number<E: de::Error>(v: &Scalar<'_>) -> Result<f64, E> {
    v.number().ok_or_else(|| E::custom("not a finite number"))
}

struct Attributes {
    map: BTreeMap<String, AttrValue>,
    counts: Counts,
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Attributes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Attributes, A::Error> {
                let mut map = BTreeMap::new();
                let mut counts = Counts::default();
                while let Some(k) = access.next_key::<String>()? {
                    counts.key(&k);
                    let v = match access.next_value::<Scalar<'de>>()? {
                        Scalar::Null => {
                            map.remove(&k);
                            continue;
                        }
                        Scalar::Str(s) => AttrValue::Str(s.into_owned()),
                        Scalar::Bool(b) => AttrValue::Bool(b),
                        n => AttrValue::Num(number(&n)?),
                    };
                    map.insert(k, v);
                }
                Ok(Attributes { map, counts })
            }
        }
        d.deserialize_map(V)
    }
}

/// One event object. `type` and `at` must be strings whenever they appear (`from_value`
/// refuses any other type for them, `null` included); other fields are strings or numbers.
struct RawEvent<'a> {
    // Borrowed from the line when unescaped: `type` is trimmed and `at` parsed right away.
    kind: Option<Cow<'a, str>>,
    at: Option<Cow<'a, str>>,
    fields: BTreeMap<String, FieldValue>,
    counts: Counts,
}

impl<'de: 'a, 'a> Deserialize<'de> for RawEvent<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = RawEvent<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an event object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<RawEvent<'a>, A::Error> {
                let mut e = RawEvent {
                    kind: None,
                    at: None,
                    fields: BTreeMap::new(),
                    counts: Counts::default(),
                };
                while let Some(k) = access.next_key::<Cow<'de, str>>()? {
                    e.counts.key(&k);
                    let v = access.next_value::<Scalar<'de>>()?;
                    match (&*k, v) {
                        ("type", Scalar::Str(s)) => e.kind = Some(s),
                        ("at", Scalar::Str(s)) => e.at = Some(s),
                        ("type" | "at", _) => return Err(de::Error::custom("not a string")),
                        (_, Scalar::Null) => {
                            e.fields.remove(&*k);
                        }
                        (_, Scalar::Str(s)) => {
                            e.fields
                                .insert(k.into_owned(), FieldValue::Str(s.into_owned()));
                        }
                        (_, Scalar::Bool(_)) => return Err(de::Error::custom("a boolean")),
                        (_, n) => {
                            e.fields
                                .insert(k.into_owned(), FieldValue::Num(number(&n)?));
                        }
                    }
                }
                Ok(e)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// `{"profiling": bool}`; any other key or type goes to `from_value`.
struct RawConsent(Option<bool>);

impl<'de> Deserialize<'de> for RawConsent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawConsent;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a consent object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<RawConsent, A::Error> {
                let mut profiling = None;
                while let Some(k) = access.next_key::<Cow<'de, str>>()? {
                    if k != "profiling" {
                        return Err(de::Error::custom("unknown consent field"));
                    }
                    profiling = Some(access.next_value::<bool>()?);
                }
                Ok(RawConsent(profiling))
            }
        }
        d.deserialize_map(V)
    }
}

fn within(s: &str, limit: usize) -> bool {
    // `check_len` counts chars; a string of at most `limit` bytes has at most that many.
    s.len() <= limit || s.chars().count() <= limit
}

/// An optional text field: trimmed, within its limit, empty as absent.
fn opt_text(v: Option<Scalar<'_>>, limit: usize) -> Option<Option<String>> {
    match v {
        None => Some(None),
        Some(Scalar::Str(s)) => {
            let s = s.trim();
            within(s, limit).then(|| (!s.is_empty()).then(|| s.to_string()))
        }
        Some(_) => None,
    }
}

impl Raw<'_> {
    /// The same checks as `from_value`, as yes or no.
    fn validate(self, limits: &Limits) -> Option<Recipient> {
        let id = match self.id? {
            Scalar::Str(s) => s.trim().to_string(),
            Scalar::Int(n) => n.to_string(),
            _ => return None,
        };
        if id.is_empty() || !within(&id, limits.id_chars) {
            return None;
        }
        let email = match self.email? {
            Scalar::Str(s) => EmailAddress::parse(&s).ok()?,
            _ => return None,
        };
        let first_name = opt_text(self.first_name, limits.name_chars)?;
        let last_name = opt_text(self.last_name, limits.name_chars)?;
        let locale = opt_text(self.locale, limits.locale_chars)?;
        if locale.as_deref().is_some_and(|l| !plain_locale(l)) {
            return None;
        }

        let mut attributes = BTreeMap::new();
        if let Some(a) = self.attributes {
            if a.counts.entries > limits.attributes || a.counts.longest_key > limits.key_chars {
                return None;
            }
            let long =
                |v: &AttrValue| matches!(v, AttrValue::Str(s) if !within(s, limits.value_chars));
            if a.map.values().any(long) {
                return None;
            }
            attributes = a.map;
        }

        let mut events = Vec::new();
        if let Some(list) = self.events {
            if list.len() > limits.events {
                return None;
            }
            for e in list {
                // `counts` took in `type` and `at` too, as `from_value`'s object length does.
                if e.counts.entries > limits.event_fields + 2 {
                    return None;
                }
                let kind = e.kind?.trim().to_string();
                if !plain_event_type(&kind) || !within(&kind, limits.key_chars) {
                    return None;
                }
                let at = Date::parse(&e.at?).ok()?;
                // `from_value` checks the key and the value of string fields only.
                let long = |(k, v): (&String, &FieldValue)| {
                    matches!(v, FieldValue::Str(s)
                        if !within(k, limits.key_chars) || !within(s, limits.value_chars))
                };
                if e.fields.iter().any(long) {
                    return None;
                }
                let fields = e.fields;
                events.push(Event { kind, at, fields });
            }
        }
        // Newest first, as `from_value` orders them (a stable sort on the same key).
        events.sort_by_key(|e| std::cmp::Reverse(e.at));

        let consent = Consent {
            profiling: self.consent.and_then(|c| c.0),
        };
        Some(Recipient {
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
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::recipient::RecipientError;

    /// `from_json` without its fast path.
    fn slow(text: &str, limits: &Limits) -> Result<Recipient, RecipientError> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| RecipientError::BadJson(e.to_string()))?;
        Recipient::from_value(v, limits)
    }

    /// Small limits, so records cross them often.
    const LIMITS: Limits = Limits {
        id_chars: 8,
        name_chars: 12,
        locale_chars: 5,
        attributes: 2,
        key_chars: 8,
        value_chars: 12,
        events: 2,
        event_fields: 2,
        record_bytes: 1 << 16,
    };

    const SCALARS: &[&str] = &[
        r#""r1""#,
        r#""  padded  ""#,
        r#""""#,
        r#""ana@example.com""#,
        r#""not an email""#,
        "null",
        "7",
        "-3",
        "2.5",
        "1e3",
        "18446744073709551615",
        "99999999999999999999",
        "true",
        "false",
        r#""2026-10-01""#,
        r#""2026-02-10T10:00:00Z""#,
        r#""2026-13-01""#,
        r#""Zoë Ñúñez""#,
        r#""en-US""#,
        r#""e n""#,
        r#""purchase""#,
        r#"" view ""#,
        r#""bad type!""#,
        r#""a much longer value than the limit""#,
        r#""\u00e9\n""#,
        "[]",
        "{}",
    ];
    const TOP: &[&str] = &[
        "id",
        "email",
        "first_name",
        "last_name",
        "locale",
        "attributes",
        "events",
        "consent",
        "extra",
    ];
    const KEYS: &[&str] = &["type", "at", "product", "city", "k", "a_very_long_key"];
    const CONSENTS: &[&str] = &[
        r#"{"profiling":true}"#,
        r#"{"profiling":false}"#,
        r#"{"profiling":true,"profiling":false}"#,
        r#"{"profiling":null}"#,
        r#"{"profiling":1}"#,
        r#"{"other":true}"#,
        "{}",
        "null",
        "true",
    ];

    fn object() -> impl Strategy<Value = String> {
        prop::collection::vec(
            (prop::sample::select(KEYS), prop::sample::select(SCALARS)),
            0..6,
        )
        .prop_map(|kv| {
            let body: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", body.join(","))
        })
    }

    fn entry() -> impl Strategy<Value = String> {
        (
            prop::sample::select(TOP),
            prop::sample::select(SCALARS),
            object(),
            prop::collection::vec(object(), 0..4),
            prop::sample::select(CONSENTS),
            any::<bool>(),
        )
            .prop_map(|(key, scalar, obj, events, consent, plain)| {
                let value = match key {
                    _ if plain => scalar.to_string(),
                    "attributes" => obj,
                    "events" => format!("[{}]", events.join(",")),
                    "consent" => consent.to_string(),
                    _ => scalar.to_string(),
                };
                format!("\"{key}\":{value}")
            })
    }

    fn record() -> impl Strategy<Value = String> {
        (prop::collection::vec(entry(), 0..7), any::<bool>()).prop_map(|(entries, base)| {
            let mut all = Vec::new();
            if base {
                all.push(r#""id":"r1","email":"ana@example.com""#.to_string());
            }
            all.extend(entries);
            format!("{{{}}}", all.join(","))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Whatever the fast path accepts, `from_value` accepts with the same result.
        #[test]
        fn fast_path_agrees_with_from_value(text in record()) {
            if let Some(r) = parse(&text, &LIMITS) {
                prop_assert_eq!(Ok(r), slow(&text, &LIMITS), "{}", text);
            }
        }
    }

    #[test]
    fn well_formed_records_take_the_fast_path() {
        for text in [
            r#"{"id":"r1","email":"ana@example.com","first_name":" Ána ","locale":"pt-BR",
                "attributes":{"city":"Porto","loyalty_tier":"Gold","vip":true,"orders":3,"gone":null},
                "events":[{"type":"purchase","at":"2026-01-02","product":"Trailblazer 2","amount":149.0},
                          {"type":"view","at":"2026-02-10T10:00:00Z","product":"Rain Jacket","note":null}],
                "consent":{"profiling":false}}"#,
            r#"{"id":1234,"email":"b@example.com","first_name":"","last_name":null}"#,
        ] {
            let fast = parse(text, &Limits::default());
            assert!(fast.is_some(), "{text}");
            assert_eq!(fast.map(Ok), Some(slow(text, &Limits::default())));
        }
        // Anything else goes to `from_value` for its error.
        for text in [
            r#"{"id":"r1","email":"ana@example.com","extra":1}"#,
            r#"{"id":"r1","email":"ana@example.com","attributes":{"tags":["a"]}}"#,
            r#"{"id":"r1","email":"ana@example.com","events":[{"type":"view"}]}"#,
            r#"{"id":"r1","id":"r2","email":"ana@example.com"}"#,
        ] {
            assert!(parse(text, &Limits::default()).is_none(), "{text}");
        }
    }
}
