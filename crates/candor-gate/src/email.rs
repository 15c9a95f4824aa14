//! The email under check, parsed from the text form or from an RFC 5322 `.eml` message.
//!
//! Invariant: an [`Email`] has a non-empty body in valid UTF-8 with `\n` line ends and is at most
//! [`MAX_EMAIL_BYTES`] long; the parsers never panic on any input (proptest-checked).

use crate::mime;

/// Longest email the gate reads. Marketing emails are a few KB; 1 MB leaves room for HTML parts.
pub const MAX_EMAIL_BYTES: usize = 1024 * 1024;

/// An email: subject and plain-text body.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Email {
    pub subject: String,
    pub body: String,
}

/// Why an email could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("the email is empty")]
    Empty,
    #[error("the email is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    #[error("the email is not valid UTF-8 (first bad byte at offset {0})")]
    NotUtf8(usize),
    #[error("the first line must be `Subject: ...` followed by a blank line and the body")]
    NoSubjectLine,
    #[error("the email has a subject but no body")]
    EmptyBody,
    #[error("the message has no text/plain or text/html part")]
    NoTextPart,
    #[error("unsupported charset `{0}` (supported: utf-8, us-ascii, iso-8859-1, windows-1252)")]
    Charset(String),
    #[error("malformed {0} content")]
    BadEncoding(&'static str),
}

impl Email {
    pub fn new(subject: impl Into<String>, body: impl Into<String>) -> Email {
        Email {
            subject: subject.into(),
            body: body.into(),
        }
    }

    /// Text form: first line `Subject: ...`, a blank line, then the body.
    pub fn parse_text(text: &str) -> Result<Email, EmailError> {
        if text.len() > MAX_EMAIL_BYTES {
            return Err(EmailError::TooLarge {
                size: text.len(),
                limit: MAX_EMAIL_BYTES,
            });
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Err(EmailError::Empty);
        }
        let text = text.replace("\r\n", "\n");
        let (first, rest) = text.split_once('\n').unwrap_or((text.as_str(), ""));
        let Some(subject) = strip_prefix_ci(first.trim_start(), "subject:") else {
            return Err(EmailError::NoSubjectLine);
        };
        let body = rest.trim_start_matches('\n').trim_end().to_string();
        if body.trim().is_empty() {
            return Err(EmailError::EmptyBody);
        }
        Ok(Email {
            subject: subject.trim().to_string(),
            body,
        })
    }

    /// Raw bytes in the text form (UTF-8 checked).
    pub fn parse_text_bytes(bytes: &[u8]) -> Result<Email, EmailError> {
        check_size(bytes)?;
        let text = std::str::from_utf8(bytes).map_err(|e| EmailError::NotUtf8(e.valid_up_to()))?;
        Email::parse_text(text)
    }

    /// An RFC 5322 message: its text/plain part (multipart, quoted-printable and base64 handled;
    /// text/html is used, tags stripped, only when there is no text/plain part).
    pub fn parse_eml(bytes: &[u8]) -> Result<Email, EmailError> {
        check_size(bytes)?;
        let (subject, body) = mime::parse_message(bytes)?;
        let body = body.replace("\r\n", "\n").trim().to_string();
        if body.is_empty() {
            return Err(EmailError::EmptyBody);
        }
        Ok(Email {
            subject: subject.trim().to_string(),
            body,
        })
    }

    /// Either form: an `.eml` when the header block carries MIME or address headers.
    pub fn parse_auto(bytes: &[u8]) -> Result<Email, EmailError> {
        check_size(bytes)?;
        if mime::looks_like_message(bytes) {
            Email::parse_eml(bytes)
        } else {
            Email::parse_text_bytes(bytes)
        }
    }
}

fn check_size(bytes: &[u8]) -> Result<(), EmailError> {
    if bytes.len() > MAX_EMAIL_BYTES {
        return Err(EmailError::TooLarge {
            size: bytes.len(),
            limit: MAX_EMAIL_BYTES,
        });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(EmailError::Empty);
    }
    Ok(())
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_form() {
        let e = Email::parse_text("Subject: Hello Zoë\r\n\r\nHi Zoë,\r\nBody.\r\n").unwrap();
        assert_eq!(e.subject, "Hello Zoë");
        assert_eq!(e.body, "Hi Zoë,\nBody.");
        assert_eq!(Email::parse_text("   \n"), Err(EmailError::Empty));
        assert_eq!(
            Email::parse_text("Hello\n\nBody"),
            Err(EmailError::NoSubjectLine)
        );
        assert_eq!(
            Email::parse_text("Subject: x\n\n  \n"),
            Err(EmailError::EmptyBody)
        );
        assert!(matches!(
            Email::parse_text_bytes(b"Subject: x\n\n\xff\xfe"),
            Err(EmailError::NotUtf8(_))
        ));
        let big = vec![b'a'; MAX_EMAIL_BYTES + 1];
        assert!(matches!(
            Email::parse_auto(&big),
            Err(EmailError::TooLarge { .. })
        ));
    }

    #[test]
    fn auto_detects_eml() {
        let eml = b"From: a@b.co\r\nSubject: =?UTF-8?B?SGkgWm/Dqw==?=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHi Zo=C3=AB, soft=\r\n break.\r\n";
        let e = Email::parse_auto(eml).unwrap();
        assert_eq!(e.subject, "Hi Zoë");
        assert_eq!(e.body, "Hi Zoë, soft break.");
    }

    proptest! {
        #[test]
        fn text_parser_never_panics(s in "\\PC{0,400}") {
            let _ = Email::parse_text(&s);
        }

        #[test]
        fn eml_parser_never_panics(b in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = Email::parse_eml(&b);
            let _ = Email::parse_auto(&b);
        }

        #[test]
        fn eml_parser_never_panics_on_structured_input(
            boundary in "[a-zA-Z0-9]{1,12}",
            enc in prop_oneof!["base64", "quoted-printable", "7bit", "x-unknown"],
            body in "[ -~\\n=]{0,200}",
        ) {
            let msg = format!(
                "Subject: s\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"{boundary}\"\n\n--{boundary}\nContent-Type: text/plain\nContent-Transfer-Encoding: {enc}\n\n{body}\n--{boundary}--\n"
            );
            let _ = Email::parse_eml(msg.as_bytes());
        }

        #[test]
        fn text_roundtrip(subject in "[A-Za-z0-9 ,!]{1,60}", body in "[A-Za-z0-9 ,.!\\n]{0,200}[A-Za-z]") {
            let e = Email::parse_text(&format!("Subject: {subject}\n\n{body}")).unwrap();
            prop_assert_eq!(e.subject, subject.trim());
            prop_assert_eq!(e.body, body.trim_start_matches('\n').trim_end());
        }
    }
}
