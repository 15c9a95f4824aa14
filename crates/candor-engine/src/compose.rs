//! Composing an email from its parts, and reading a model's answer back into parts.
//!
//! Invariants: the offer block states only campaign facts, verbatim; the fallback body copy
//! states only the campaign's own text; parsing a model answer never invents a part (a missing
//! subject stays missing, and the caller falls back to the template subject).

use candor_domain::{Campaign, Date};
use serde_json::Value;

/// The offer block: the campaign's offer, code and end date, as given.
pub fn offer_block(c: &Campaign) -> String {
    let text = |k: &str| match c.facts.get(k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let mut lines = Vec::new();
    if let Some(o) = text("offer") {
        lines.push(sentence(&capitalize(&o)));
    }
    if let Some(code) = text("code") {
        lines.push(format!("Use code {code} at checkout."));
    }
    if let Some(end) = text("end_date") {
        let shown = Date::parse(&end)
            .map(long_date)
            .unwrap_or_else(|_| end.clone());
        lines.push(format!("The offer ends {shown}."));
    }
    lines.join(" ")
}

/// `December 14, 2026`.
pub fn long_date(d: Date) -> String {
    format!("{} {}, {}", d.month_name(), d.day(), d.year())
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn sentence(s: &str) -> String {
    let t = s.trim_end();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// Body copy used when a segment has none and none could be generated (or what was generated
/// did not pass the gate): the campaign's brief, which the marketer wrote, or nothing.
pub fn fallback_body(c: &Campaign) -> String {
    c.brief.as_deref().map(str::trim).unwrap_or("").to_string()
}

/// The subject line the template tier would use: the `subject` campaign fact, else the offer.
pub fn campaign_subject(c: &Campaign) -> Option<String> {
    ["subject", "offer"]
        .into_iter()
        .find_map(|k| match c.facts.get(k) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(capitalize(s.trim())),
            _ => None,
        })
}

/// A model's answer, split into parts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub subject: Option<String>,
    pub opener: String,
    /// Set when the model wrote the whole body (deep tiers).
    pub body: Option<String>,
}

/// Remove chatter small models wrap answers in: quotes, "Opener:" labels, code fences.
fn clean(s: &str) -> String {
    let quotes = |c: char| c == '"' || c == '“' || c == '”';
    let mut t = s.trim();
    for fence in ["```text", "```"] {
        t = t.trim_start_matches(fence).trim_end_matches("```").trim();
    }
    t = t.trim_matches(quotes).trim();
    for label in ["Opener:", "opener:", "OPENER:", "Opening:", "Email:"] {
        if let Some(rest) = t.strip_prefix(label) {
            t = rest.trim();
        }
    }
    t.trim_matches(quotes).trim().to_string()
}

/// Parse an answer that should be `Subject: ...` + blank line + text, or text alone.
pub fn parse_answer(text: &str, want_subject: bool, want_body: bool) -> Parsed {
    let text = text.replace("\r\n", "\n");
    let mut subject = None;
    let mut rest = text.trim();
    if let Some(first) = rest.lines().next() {
        let f = first.trim();
        let stripped = f
            .strip_prefix("Subject:")
            .or_else(|| f.strip_prefix("subject:"))
            .or_else(|| f.strip_prefix("SUBJECT:"));
        if let Some(s) = stripped {
            if want_subject {
                subject = Some(clean(s)).filter(|s| !s.is_empty());
            }
            rest = rest[first.len()..].trim_start();
        }
    }
    let rest = clean(rest);
    if want_body {
        let mut paras = rest.splitn(2, "\n\n");
        let opener = paras.next().unwrap_or("").trim().to_string();
        let body = paras.next().map(|b| b.trim().to_string());
        return Parsed {
            subject,
            opener,
            body,
        };
    }
    // An opener is one paragraph: anything after a blank line is the model rambling on.
    let opener = rest.split("\n\n").next().unwrap_or("").trim();
    Parsed {
        subject,
        opener: opener.split_whitespace().collect::<Vec<_>>().join(" "),
        body: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_subject_and_opener() {
        let p = parse_answer(
            "Subject: Boots for Porto\n\nHi Ana, the Trailblazer is back.\n\nExtra.",
            true,
            false,
        );
        assert_eq!(p.subject.as_deref(), Some("Boots for Porto"));
        assert_eq!(p.opener, "Hi Ana, the Trailblazer is back.");
        let p = parse_answer("\"Opener: Hello there.\"", false, false);
        assert_eq!(p.opener, "Hello there.");
        let p = parse_answer(
            "Subject: S\n\nFirst para.\n\nBody one.\n\nBody two.",
            true,
            true,
        );
        assert_eq!(p.opener, "First para.");
        assert_eq!(p.body.as_deref(), Some("Body one.\n\nBody two."));
    }

    #[test]
    fn offer_block_uses_campaign_facts() {
        let c = Campaign::from_toml(
            r#"
[campaign]
name = "w"
type = "promotion"
send_date = "2026-12-01"
brief = "Winter gear."
[brand]
name = "Northwind"
sender = "Northwind <hello@northwind.example>"
postal_address = "12 Harbour Rd"
[facts]
offer = "20% off hiking boots"
code = "TRAIL20"
end_date = 2026-12-14
"#,
        )
        .unwrap();
        assert_eq!(
            offer_block(&c),
            "20% off hiking boots. Use code TRAIL20 at checkout. The offer ends December 14, 2026."
        );
        assert_eq!(
            campaign_subject(&c).as_deref(),
            Some("20% off hiking boots")
        );
        assert_eq!(fallback_body(&c), "Winter gear.");
    }
}
