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
        Some(f) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.extend(f.to_uppercase());
            out.push_str(c.as_str());
            out
        }
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

const SALUTATIONS: &[&str] = &[
    "dear",
    "hi",
    "hello",
    "hey",
    "greetings",
    "howdy",
    "good morning",
    "good afternoon",
    "good evening",
];

/// Remove leading salutations ("Hi Ana,", "Dear subscribers!", "Hello,\n") from a model's
/// opener, however many there are, and capitalise what follows. Only cuts: a salutation is a
/// greeting word plus at most four words up to a comma, `!`, colon, dash or line end; longer
/// sentences that merely start with "Hello" are kept.
pub fn strip_salutations(text: &str) -> String {
    let mut t = text.trim_start();
    while let Some(word) = SALUTATIONS.iter().find(|w| {
        t.get(..w.len()).is_some_and(|p| p.eq_ignore_ascii_case(w))
            && !t[w.len()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
    }) {
        let after = &t[word.len()..];
        let Some(end) = after.find([',', '!', ':', '\n', '\u{2014}', '.']) else {
            break;
        };
        if after[..end].split_whitespace().count() > 4 {
            break;
        }
        let cut = word.len() + end + after[end..].chars().next().map_or(0, char::len_utf8);
        t = t[cut..].trim_start();
    }
    capitalize(t)
}

/// Remove a leading pleasantry sentence ("I hope this email finds you well.", "Hope you're
/// doing well!") from a model's opener: it says nothing about the reader or the offer, and
/// small models open with it despite the prompt. Only a whole first sentence of at most ten
/// words is cut; "I hope you enjoy the boots" is a sentence with content and stays.
pub fn strip_pleasantry(text: &str) -> String {
    let t = text.trim_start();
    let end = t
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '.' | '!') && t[i + 1..].chars().next().is_none_or(char::is_whitespace)
        })
        .map(|(i, _)| i);
    let Some(end) = end else {
        return t.to_string();
    };
    let first = t[..end].to_lowercase().replace('\u{2019}', "'");
    let opens = [
        "i hope ",
        "hope ",
        "we hope ",
        "i trust ",
        "i am writing ",
        "i'm writing ",
    ];
    let fillers = [
        "finds you well",
        "find you well",
        "you're doing well",
        "you are doing well",
        "you're well",
        "you are well",
        "you're having a great",
        "you are having a great",
        "you're having a good",
        "you are having a good",
        "to express",
        "to inform you",
        "to reach out",
    ];
    let is_filler = opens.iter().any(|o| first.starts_with(o))
        && fillers.iter().any(|f| first.contains(f))
        && first.split_whitespace().count() <= 10
        && !first.contains(" that ");
    if !is_filler {
        return t.to_string();
    }
    capitalize(t[end + 1..].trim_start())
}

/// The first `n` sentences of `text` (a sentence ends at `.`, `!` or `?` followed by a space
/// or the end). Only cuts.
pub fn first_sentences(text: &str, n: usize) -> String {
    let t = text.trim();
    let mut seen = 0;
    for (i, c) in t.char_indices() {
        if matches!(c, '.' | '!' | '?') {
            let next = t[i + 1..].chars().next();
            if next.is_none_or(char::is_whitespace) {
                seen += 1;
                if seen == n {
                    return t[..=i].to_string();
                }
            }
        }
    }
    t.to_string()
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
    // The engine writes the greeting line itself; a model's own ("Hi Ana," or "Dear
    // subscribers,") would double it. Then an opener is one paragraph: anything after a blank
    // line is the model rambling on.
    let rest = strip_pleasantry(&strip_salutations(&rest));
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
        assert_eq!(p.opener, "The Trailblazer is back.");
        let p = parse_answer("\"Opener: Hello there. Boots are back.\"", false, false);
        assert_eq!(p.opener, "Boots are back.");
        let p = parse_answer(
            "Subject: S\n\nFirst para.\n\nBody one.\n\nBody two.",
            true,
            true,
        );
        assert_eq!(p.opener, "First para.");
        assert_eq!(p.body.as_deref(), Some("Body one.\n\nBody two."));
    }

    #[test]
    fn salutations_are_cut_once_or_twice_and_nothing_else() {
        assert_eq!(
            strip_salutations("Hi Sofia, Dear Sofia, your boots are ready."),
            "Your boots are ready."
        );
        assert_eq!(
            strip_salutations("Dear subscribers,\n\nWinter is here."),
            "Winter is here."
        );
        assert_eq!(
            strip_salutations("Hello! Boots are 20% off."),
            "Boots are 20% off."
        );
        // Not a salutation: a sentence that starts with the word, or a word that merely
        // begins with the same letters.
        assert_eq!(
            strip_salutations("Hello and welcome to the trail season in the hills."),
            "Hello and welcome to the trail season in the hills."
        );
        assert_eq!(
            strip_salutations("Hiking season is here."),
            "Hiking season is here."
        );
        assert_eq!(strip_salutations("Dear"), "Dear");
        assert_eq!(
            first_sentences("One is 2.5 km. Two! Three? Four.", 2),
            "One is 2.5 km. Two!"
        );
        assert_eq!(first_sentences("No end", 2), "No end");
        assert_eq!(strip_salutations("H\u{130}, x"), "H\u{130}, x");
        let p = parse_answer("Hi Ana,\n\nThe Trailblazer is back.", false, false);
        assert_eq!(p.opener, "The Trailblazer is back.");
    }

    #[test]
    fn a_leading_pleasantry_is_cut_and_content_is_not() {
        for (model, opener) in [
            (
                "I hope this email finds you well. Our winter boots are 20% off.",
                "Our winter boots are 20% off.",
            ),
            (
                "Hi Ana, I hope you\u{2019}re doing well! The sale ends Sunday.",
                "The sale ends Sunday.",
            ),
            (
                "Hope this message finds you well.\nWinter is here.",
                "Winter is here.",
            ),
            // Content, or a pleasantry that goes on to say something: kept.
            (
                "I hope you enjoy the Trailblazer boots.",
                "I hope you enjoy the Trailblazer boots.",
            ),
            (
                "I hope this finds you well and that the boots are treating you right on every trail.",
                "I hope this finds you well and that the boots are treating you right on every trail.",
            ),
            ("Winter is here. I hope you're well.", "Winter is here. I hope you're well."),
        ] {
            assert_eq!(parse_answer(model, false, false).opener, opener, "{model}");
        }
        assert_eq!(strip_pleasantry("I hope you're well."), "");
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
