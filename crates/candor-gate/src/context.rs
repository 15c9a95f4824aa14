//! The campaign's own facts: what an email may state besides the recipient's facts.
//!
//! Invariant: `now` is always set; `facts` never contains the `now` key.

use candor_domain::Date;
use serde_json::{Map, Value};

/// Campaign context: the send date and free-form campaign facts (brand, offer, products...).
#[derive(Clone, Debug, PartialEq)]
pub struct Context {
    pub now: Date,
    pub facts: Map<String, Value>,
}

/// Why a CONTEXT.json could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ContextError {
    #[error("context must be a JSON object")]
    NotAnObject,
    #[error("context key `now` is missing (expected the send date, YYYY-MM-DD)")]
    MissingNow,
    #[error("context key `now` must be a date YYYY-MM-DD, got {0}")]
    BadNow(String),
}

impl Context {
    pub fn new(now: Date, facts: Map<String, Value>) -> Context {
        let mut facts = facts;
        facts.remove("now");
        Context { now, facts }
    }

    /// From CONTEXT.json: an object whose `now` is the send date and whose other keys are facts.
    pub fn from_json(value: Value) -> Result<Context, ContextError> {
        let Value::Object(mut m) = value else {
            return Err(ContextError::NotAnObject);
        };
        let now = match m.remove("now") {
            Some(Value::String(s)) => {
                Date::parse(&s).map_err(|_| ContextError::BadNow(format!("`{s}`")))?
            }
            Some(other) => return Err(ContextError::BadNow(other.to_string())),
            None => return Err(ContextError::MissingNow),
        };
        Ok(Context { now, facts: m })
    }

    /// A context with only a send date.
    pub fn at(now: Date) -> Context {
        Context {
            now,
            facts: Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn now_is_required_and_removed() {
        let c = Context::from_json(json!({"now": "2026-11-20", "brand": "Northpeak"})).unwrap();
        assert_eq!(c.now, Date::from_ymd(2026, 11, 20).unwrap());
        assert!(!c.facts.contains_key("now"));
        assert_eq!(
            Context::from_json(json!({"brand": "x"})),
            Err(ContextError::MissingNow)
        );
        assert!(matches!(
            Context::from_json(json!({"now": "soon"})),
            Err(ContextError::BadNow(_))
        ));
        assert_eq!(
            Context::from_json(json!([1])),
            Err(ContextError::NotAnObject)
        );
    }
}
