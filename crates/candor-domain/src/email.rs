//! A syntactically valid email address (RFC 5321 limits, pragmatic RFC 5322 syntax).

use std::fmt;

use serde::{Serialize, Serializer};

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid email address `{value}`: {why}")]
pub struct EmailError {
    pub value: String,
    pub why: &'static str,
}

impl EmailAddress {
    pub fn parse(s: &str) -> Result<EmailAddress, EmailError> {
        let err = |why| EmailError {
            value: s.chars().take(100).collect(),
            why,
        };
        let s = s.trim();
        if s.is_empty() {
            return Err(err("empty"));
        }
        if s.len() > 254 {
            return Err(err("longer than 254 characters"));
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(|| err("no `@`"))?;
        if local.is_empty() || local.len() > 64 {
            return Err(err("the part before `@` must be 1 to 64 characters"));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(err("misplaced `.` before `@`"));
        }
        if !local.chars().all(local_char_ok) {
            return Err(err("character not allowed before `@`"));
        }
        if !domain.contains('.') {
            return Err(err("domain has no `.`"));
        }
        for label in domain.split('.') {
            if label.is_empty() || label.len() > 63 {
                return Err(err("empty or over-long domain label"));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(err("domain label starts or ends with `-`"));
            }
            if !label.chars().all(domain_char_ok) {
                return Err(err("character not allowed in domain"));
            }
        }
        Ok(EmailAddress(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

/// Characters allowed before the `@`: letters and digits of any script, and
/// ``!#$%&'*+-/=?^_`{|}~.``; ASCII (nearly every address) is answered by a `match`.
fn local_char_ok(c: char) -> bool {
    if c.is_ascii() {
        matches!(c, 'a'..='z' | 'A'..='Z' | '0'..='9' | '!' | '#' | '$' | '%' | '&' | '\''
            | '*' | '+' | '-' | '/' | '=' | '?' | '^' | '_' | '`' | '{' | '|' | '}' | '~' | '.')
    } else {
        c.is_alphanumeric()
    }
}

/// Letters and digits of any script, and `-`.
fn domain_char_ok(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '-'
    } else {
        c.is_alphanumeric()
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for EmailAddress {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LOCAL_OK: &str = "!#$%&'*+-/=?^_`{|}~.";

    /// The ASCII shortcuts allow exactly the characters the general rule does.
    #[test]
    fn ascii_shortcuts_match_the_general_rule() {
        for b in 0u8..=127 {
            let c = char::from(b);
            assert_eq!(
                local_char_ok(c),
                c.is_alphanumeric() || LOCAL_OK.contains(c),
                "{c:?}"
            );
            assert_eq!(domain_char_ok(c), c.is_alphanumeric() || c == '-', "{c:?}");
        }
        for c in ['é', 'ß', '中', '٣', '·', '—'] {
            assert_eq!(local_char_ok(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(domain_char_ok(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn accepts_and_rejects() {
        for ok in [
            "a@b.co",
            "jörg.müller@example.de",
            "x+tag@mail.example.com",
            "o'neil@x.io",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "plain", "a@b", "@b.co", "a@.co", "a b@c.co", "a@b..co", ".a@b.co", "a@-b.co",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in ".{0,300}") {
            let _ = EmailAddress::parse(&s);
        }
    }
}
