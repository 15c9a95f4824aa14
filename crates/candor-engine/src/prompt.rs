//! Prompts in the cache-friendly layout, and the recipient facts they carry.
//!
//! Layout (DESIGN.md): `[static prefix]` (brand voice, rules, brief, campaign facts, output
//! scaffold — byte-identical for every recipient of a tier's stage, so provider prefix caches
//! and the local KV cache reuse it) → `[segment block]` (identical within a segment) →
//! `[recipient block]` (this person's facts as data, plus the instruction).
//!
//! Facts: [`gather_facts`] lists everything candor may say about a person, each with a stable
//! key and a relevance score for this campaign (recency, match with the campaign's products and
//! categories); [`select_facts`] keeps the most relevant within a tier's context budget. Extra
//! context is paid on every call, so the budget is a hard cap, not a hint. Without profiling
//! consent only the name is offered.

use std::fmt::Write as _;

use candor_domain::campaign::{ContextBudget, Part, Stage, Tier};
use candor_domain::recipient::{fmt_num, FieldValue};
use candor_domain::{Campaign, Date, PromptParts, Recipient, Segment};
use serde::Serialize;
use serde_json::Value;

/// One thing candor may say about a recipient.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fact {
    /// Stable key: `first_name`, `attributes.city`, `events[2]` (index in the newest-first list).
    pub key: String,
    /// What kind of fact: `name`, `purchase`, `view`, `cart`, `signup`, `attribute`, ...
    pub kind: String,
    /// The line given to the model.
    pub text: String,
    /// The same fact said to the person ("You bought the Ridge 45L Backpack in August"), for
    /// small models, which copy a fact's wording and perspective. Empty until
    /// [`address_facts`] fills it ([`gather_facts`] does; [`gather_facts_with`] does not).
    #[serde(skip)]
    pub you: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Higher = more relevant to this campaign (thousandths; integer so ordering is total).
    pub score: i64,
}

const NAME_SCORE: i64 = 1_000_000;

/// Attributes that are not facts to mention (identifiers, flags for targeting, consent).
fn private_attribute(key: &str) -> bool {
    // Every attribute and event field of every recipient passes here, twice: one pass over
    // the key, comparing (ignoring ASCII case) only where a word could start.
    const WORDS: [&[u8]; 7] = [
        b"password",
        b"token",
        b"consent",
        b"unsubscribed",
        b"email",
        b"phone",
        b"ssn",
    ];
    let k = key.as_bytes();
    let ends =
        |tail: &[u8]| k.len() >= tail.len() && k[k.len() - tail.len()..].eq_ignore_ascii_case(tail);
    if ends(b"_id") || k.eq_ignore_ascii_case(b"id") {
        return true;
    }
    for i in 0..k.len() {
        let rest = &k[i..];
        let found = match rest[0] | 0x20 {
            b'p' => [WORDS[0], WORDS[5]].iter().any(|w| starts_with_ci(rest, w)),
            b't' => starts_with_ci(rest, WORDS[1]),
            b'c' => starts_with_ci(rest, WORDS[2]),
            b'u' => starts_with_ci(rest, WORDS[3]),
            b'e' => starts_with_ci(rest, WORDS[4]),
            b's' => starts_with_ci(rest, WORDS[6]),
            _ => false,
        };
        if found {
            return true;
        }
    }
    false
}

/// Whether `hay` starts with `word` (lowercase ASCII), ignoring ASCII case.
fn starts_with_ci(hay: &[u8], word: &[u8]) -> bool {
    hay.len() >= word.len() && hay[..word.len()].eq_ignore_ascii_case(word)
}

/// Letters and digits, as [`u8::is_ascii_alphanumeric`], by table: the term search below
/// tests every byte of every fact.
static ALNUM: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).is_ascii_alphanumeric();
        i += 1;
    }
    t
};

/// The campaign's product, category and offer words (lowercase, four letters or more): a
/// fact that mentions one is relevant to this campaign. Build once per campaign.
#[derive(Clone, Debug, Default)]
pub struct CampaignTerms {
    terms: Vec<String>,
    /// One bit per (length, first byte, last byte) of a term: most words of a fact are no
    /// term, and this tells so without a search.
    sieve: [u64; 8],
}

/// The sieve bit of a lowercase ASCII word (at least one byte long).
fn sieve_bit(len: usize, first: u8, last: u8) -> usize {
    (len.wrapping_mul(31) ^ usize::from(first).wrapping_mul(7) ^ usize::from(last)) & 511
}

impl CampaignTerms {
    pub fn new(c: &Campaign) -> CampaignTerms {
        let terms = campaign_terms(c);
        let mut sieve = [0u64; 8];
        for t in &terms {
            let b = t.as_bytes();
            if let (Some(&first), Some(&last)) = (b.first(), b.last()) {
                let bit = sieve_bit(b.len(), first, last);
                sieve[bit / 64] |= 1 << (bit % 64);
            }
        }
        CampaignTerms { terms, sieve }
    }

    /// Whether `text` has one of the terms as a word.
    fn matches(&self, text: &str) -> bool {
        if !text.is_ascii() {
            return self.matches_any_script(text);
        }
        // Word by word in one pass, each word looked up in place (lowercased into a stack
        // buffer only when the sieve lets it through): no copy of the text per fact.
        let b = text.as_bytes();
        let n = b.len();
        let mut i = 0;
        while i < n {
            while i < n && !ALNUM[usize::from(b[i])] {
                i += 1;
            }
            let start = i;
            while i < n && ALNUM[usize::from(b[i])] {
                i += 1;
            }
            let w = &b[start..i];
            if w.len() < 4 {
                continue;
            }
            let bit = sieve_bit(
                w.len(),
                w[0].to_ascii_lowercase(),
                w[w.len() - 1].to_ascii_lowercase(),
            );
            if self.sieve[bit / 64] & (1 << (bit % 64)) == 0 {
                continue;
            }
            let mut buf = [0u8; 48];
            let found = match buf.get_mut(..w.len()) {
                Some(low) => {
                    low.copy_from_slice(w);
                    low.make_ascii_lowercase();
                    self.terms
                        .binary_search_by(|t| t.as_bytes().cmp(low))
                        .is_ok()
                }
                None => {
                    let low = w.to_ascii_lowercase();
                    self.terms
                        .binary_search_by(|t| t.as_bytes().cmp(&low))
                        .is_ok()
                }
            };
            if found {
                return true;
            }
        }
        false
    }

    /// [`CampaignTerms::matches`] for any text (lowercasing can change a non-ASCII text's
    /// length and where its words end, so it is done on the whole text first).
    fn matches_any_script(&self, text: &str) -> bool {
        let low = text.to_lowercase();
        low.split(|ch: char| !ch.is_alphanumeric()).any(|w| {
            w.chars().count() >= 4 && self.terms.binary_search_by(|t| t.as_str().cmp(w)).is_ok()
        })
    }
}

fn campaign_terms(c: &Campaign) -> Vec<String> {
    let mut terms = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => {
                for w in s
                    .split(|ch: char| !ch.is_alphanumeric())
                    .filter(|w| w.chars().count() >= 4)
                {
                    out.push(w.to_lowercase());
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(m) => m.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    for key in ["products", "categories", "product", "category", "offer"] {
        if let Some(v) = c.facts.get(key) {
            walk(v, &mut terms);
        }
    }
    terms.sort();
    terms.dedup();
    terms
}

/// How long before the send date, appended to `out`.
fn push_age(out: &mut String, days: i64) {
    let _ = match days {
        d if d < 0 => write!(out, "after the send date"),
        0 => write!(out, "on the send date"),
        1 => write!(out, "1 day before the send date"),
        d if d < 14 => write!(out, "{d} days before the send date"),
        d if d < 60 => write!(out, "{} weeks before the send date", d / 7),
        d if d < 730 => write!(out, "{} months before the send date", d / 30),
        d => write!(out, "{} years before the send date", d / 365),
    };
}

/// A key as words (`loyalty_tier` → `loyalty tier`), appended to `out`.
fn push_key(out: &mut String, key: &str) {
    // Whole runs between underscores, not char by char.
    let mut parts = key.split('_');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for p in parts {
        out.push(' ');
        out.push_str(p);
    }
}

/// An event field's value as text, appended to `out`.
fn push_field(out: &mut String, v: &FieldValue) {
    match v {
        FieldValue::Str(s) => out.push_str(s),
        FieldValue::Num(n) => out.push_str(&fmt_num(*n)),
    }
}

/// Every fact candor may use for `r` in campaign `c`, most relevant first.
pub fn gather_facts(r: &Recipient, c: &Campaign) -> Vec<Fact> {
    let mut facts = gather_facts_with(r, c, &CampaignTerms::new(c));
    address_facts(&mut facts, r, c.send_date);
    facts
}

/// An attribute whose date is when the person became a customer.
fn tenure_key(k: &str) -> bool {
    let lk = k.to_ascii_lowercase();
    lk.contains("signup") || lk.contains("since") || lk.contains("joined") || lk.contains("created")
}

/// Fill in each fact's [`Fact::you`] line (what compact prompts for small models list).
///
/// [`gather_facts_with`] leaves them empty: most facts are only scored and counted, and a
/// run needs the line only for the few facts it selects.
pub fn address_facts(facts: &mut [Fact], r: &Recipient, now: Date) {
    for f in facts.iter_mut().filter(|f| f.you.is_empty()) {
        f.you = you_line(&f.key, r, now).unwrap_or_else(|| f.text.clone());
    }
}

/// The fact at `key` said to the person ("You bought the Ridge 45L Backpack in August").
fn you_line(key: &str, r: &Recipient, now: Date) -> Option<String> {
    match key {
        "first_name" => {
            return r
                .first_name
                .as_ref()
                .map(|f| format!("Your first name: {f}"))
        }
        "last_name" => return r.last_name.as_ref().map(|l| format!("Your last name: {l}")),
        _ => {}
    }
    if let Some(k) = key.strip_prefix("attributes.") {
        let v = r.attributes.get(k)?;
        if let Some(d) = v.as_str().and_then(|s| Date::parse(s).ok()) {
            if tenure_key(k) {
                let years = d.whole_years_until(now);
                let plural = if years == 1 { "" } else { "s" };
                return Some(format!(
                    "You have been a customer since {d} ({years} full year{plural})"
                ));
            }
        }
        return Some(format!("Your {}: {}", k.replace('_', " "), v.to_text()));
    }
    let i: usize = key
        .strip_prefix("events[")?
        .strip_suffix(']')?
        .parse()
        .ok()?;
    let e = r.events.get(i)?;
    let age = now.days_since(e.at);
    let what = e
        .fields
        .iter()
        .find(|(k, _)| matches!(k.as_str(), "product" | "item" | "title" | "name"))
        .map(|(_, v)| v);
    let push_what = |out: &mut String| {
        if let Some(v) = what {
            out.push_str(" the ");
            push_field(out, v);
        }
    };
    let mut you = String::with_capacity(64);
    match e.kind.as_str() {
        "purchase" | "order" => {
            you.push_str("You bought");
            push_what(&mut you);
        }
        "view" | "browse" | "page_view" => {
            you.push_str("You looked at");
            push_what(&mut you);
        }
        "cart" | "add_to_cart" | "cart_add" => {
            you.push_str("You put");
            if what.is_some() {
                push_what(&mut you);
            } else {
                you.push_str(" something");
            }
            you.push_str(" in your cart");
        }
        "signup" | "register" => you.push_str("You signed up"),
        "review" => {
            you.push_str("You reviewed");
            push_what(&mut you);
        }
        "ticket" | "support_ticket" => you.push_str("You opened a support ticket"),
        "open" | "email_open" => you.push_str("You opened one of our emails"),
        "click" | "email_click" => you.push_str("You clicked a link in one of our emails"),
        other => {
            you.push_str("Your ");
            push_key(&mut you, other);
            push_what(&mut you);
        }
    }
    // "in October" within the send date's year, "in May 2025" before it; no day and no
    // "N days ago" arithmetic for a small model to garble.
    let _ = if e.at.year() == now.year() && age < 300 {
        write!(you, " in {}", e.at.month_name())
    } else {
        write!(you, " in {} {}", e.at.month_name(), e.at.year())
    };
    Some(you)
}

/// [`gather_facts`] with the campaign's terms built once.
pub fn gather_facts_with(r: &Recipient, c: &Campaign, terms: &CampaignTerms) -> Vec<Fact> {
    let now = c.send_date;
    let mut facts = Vec::with_capacity(2 + r.events.len() + r.attributes.len());
    if let Some(f) = &r.first_name {
        facts.push(Fact {
            key: "first_name".into(),
            kind: "name".into(),
            text: format!("first name: {f}"),
            you: String::new(),
            date: None,
            score: NAME_SCORE,
        });
    }
    if let Some(l) = &r.last_name {
        facts.push(Fact {
            key: "last_name".into(),
            kind: "name".into(),
            text: format!("last name: {l}"),
            you: String::new(),
            date: None,
            score: NAME_SCORE - 1,
        });
    }
    if !r.profiling_allowed() {
        return facts;
    }
    let matches_campaign = |text: &str| terms.matches(text);
    for (i, e) in r.events.iter().enumerate() {
        let age = now.days_since(e.at);
        if age < 0 {
            continue; // a future-dated event is not something that happened
        }
        let mut details: Vec<String> = e
            .fields
            .iter()
            .filter(|(k, _)| !private_attribute(k))
            .map(|(k, v)| {
                let mut d = String::with_capacity(k.len() + 24);
                push_key(&mut d, k);
                d.push_str(": ");
                push_field(&mut d, v);
                d
            })
            .collect();
        details.sort();
        let verb = match e.kind.as_str() {
            "purchase" | "order" => "purchased",
            "view" | "browse" | "page_view" => "viewed",
            "cart" | "add_to_cart" | "cart_add" => "added to cart",
            "signup" | "register" => "signed up",
            "review" => "wrote a review",
            "ticket" | "support_ticket" => "opened a support ticket",
            "open" | "email_open" => "opened an email",
            "click" | "email_click" => "clicked an email",
            other => other,
        };
        let mut text = String::with_capacity(96);
        let _ = write!(text, "{verb} on {} (", e.at);
        push_age(&mut text, age);
        text.push(')');
        for (i, d) in details.iter().enumerate() {
            text.push_str(if i == 0 { ": " } else { ", " });
            text.push_str(d);
        }
        // Recency: full weight for the last 30 days, fading over ~2 years.
        let recency = (730 - age.min(730)) * 1000 / 730;
        let kind_weight = match e.kind.as_str() {
            "purchase" | "order" => 600,
            "cart" | "add_to_cart" | "cart_add" => 500,
            "view" | "browse" | "page_view" => 300,
            "signup" | "register" => 250,
            _ => 150,
        };
        let relevance = if matches_campaign(&text) { 800 } else { 0 };
        facts.push(Fact {
            key: format!("events[{i}]"),
            kind: e.kind.clone(),
            text,
            you: String::new(),
            date: Some(e.at),
            score: recency + kind_weight + relevance,
        });
    }
    for (k, v) in &r.attributes {
        if private_attribute(k) {
            continue;
        }
        let mut text = String::with_capacity(k.len() + 32);
        push_key(&mut text, k);
        text.push_str(": ");
        text.push_str(&v.to_text());
        let mut date = None;
        // Dates in attributes (signup, birthday) are more useful with what they imply.
        if let Some(d) = v.as_str().and_then(|s| Date::parse(s).ok()) {
            date = Some(d);
            if tenure_key(k) {
                let years = d.whole_years_until(now);
                let plural = if years == 1 { "" } else { "s" };
                text = format!("{text} (customer for {years} full year{plural})");
            }
        }
        let is = |names: &[&str]| names.iter().any(|n| k.eq_ignore_ascii_case(n));
        let base = if is(&["loyalty_tier", "tier"]) {
            700
        } else if is(&["city"]) {
            450
        } else if is(&["signup_date", "customer_since"]) {
            400
        } else if is(&["favorite_category", "favourite_category"]) {
            650
        } else if is(&["birthday"]) {
            200
        } else {
            300
        };
        let relevance = if matches_campaign(&text) { 500 } else { 0 };
        facts.push(Fact {
            key: format!("attributes.{k}"),
            kind: "attribute".into(),
            text,
            you: String::new(),
            date,
            score: base + relevance,
        });
    }
    facts.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.key.cmp(&b.key)));
    facts
}

/// Keep the most relevant facts within the budget: at most `max_facts`, and at most
/// `max_tokens` of fact lines as counted by `count` (the tier's model's tokenizer).
/// Names always come first; a fact that does not fit is skipped, a smaller one may still fit.
pub fn select_facts(
    facts: &[Fact],
    budget: ContextBudget,
    count: impl Fn(&str) -> u64,
) -> Vec<Fact> {
    let mut out = Vec::new();
    let mut tokens = 0u64;
    for f in facts {
        if out.len() as u32 >= budget.max_facts {
            break;
        }
        let t = count(&f.text) + 2; // "- " and newline
        if budget.max_tokens > 0 && tokens + t > budget.max_tokens as u64 {
            continue;
        }
        tokens += t;
        out.push(f.clone());
    }
    out
}

fn render_campaign_facts(c: &Campaign) -> String {
    let mut out = String::new();
    for (k, v) in &c.facts {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Array(a) => a
                .iter()
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        };
        out.push_str(&format!("- {}: {}\n", k.replace('_', " "), text));
    }
    out
}

fn output_scaffold(parts: &[Part], stage: &str) -> &'static str {
    match stage {
        "plan" => "Output: a short plan (at most 5 lines): which recipient facts to use, the angle, and the one call to action. No email text yet.",
        "refine" => "Output: the final email, revised for the brand voice and for grounding (remove any claim not supported by the facts). Exactly this format:\nSubject: <subject line>\n\n<opening paragraph>\n\n<body paragraphs>",
        "validate" => "Output: PASS, or FAIL followed by each unsupported claim on its own line.",
        _ => {
            if parts.contains(&Part::Body) {
                "Output: the whole email. Exactly this format:\nSubject: <subject line>\n\n<opening paragraph>\n\n<body paragraphs>"
            } else if parts.contains(&Part::Subject) {
                "Output exactly this format and nothing else:\nSubject: <subject line, at most 60 characters>\n\n<opener: 1-2 sentences>"
            } else {
                "Output only the opener: 1-2 sentences, plain text, no subject, no greeting line, no sign-off."
            }
        }
    }
}

/// The static prefix for one stage of a tier: identical for every recipient.
pub fn static_prefix(c: &Campaign, tier: &Tier, stage: &Stage) -> String {
    let mut s = String::with_capacity(2048);
    s.push_str(&format!(
        "You write personalized marketing email for {brand}. You are precise and never invent anything.\n",
        brand = c.brand.name
    ));
    if let Some(v) = &c.brand.voice {
        s.push_str(&format!("Brand voice: {v}\n"));
    }
    s.push_str(&format!(
        "Campaign: {} ({}), sent on {}.\n",
        c.name, c.kind, c.send_date
    ));
    if let Some(b) = &c.brief {
        s.push_str(&format!("Brief: {b}\n"));
    }
    s.push_str("\nCAMPAIGN FACTS (you may state these exactly as given):\n");
    s.push_str(&render_campaign_facts(c));
    s.push_str(
        "\nRULES:\n\
         1. Say nothing about the recipient except what RECIPIENT FACTS lists. Never invent products, places, dates, amounts, counts or behaviour.\n\
         2. Do not imply knowledge you were not given: no \"we noticed\", \"since your last order\", \"welcome back\", \"as a loyal member\", birthdays or carts unless a listed fact says so.\n\
         3. Time words must match the dates given (\"last month\" only for 3-5 weeks before the send date; otherwise name the month or say nothing).\n\
         4. Offers, codes, prices and dates only exactly as in CAMPAIGN FACTS.\n\
         5. No placeholders or brackets, no \"Dear Customer\" or \"Valued Customer\", no preamble like \"Sure, here is\", no notes about these instructions.\n\
         6. If few facts are listed, write less: a short, warm, specific line beats a vague one.\n",
    );
    if !c.brand.banned_phrases.is_empty() {
        s.push_str(&format!(
            "7. Never use these phrases: {}.\n",
            c.brand.banned_phrases.join("; ")
        ));
    }
    s.push('\n');
    s.push_str(output_scaffold(&tier.per_recipient, &stage.name));
    s.push('\n');
    s
}

/// The segment block: identical for every recipient of a segment.
pub fn segment_block(segment: Option<&Segment>, body_copy: Option<&str>) -> String {
    let mut s = String::new();
    match segment {
        Some(seg) => {
            s.push_str(&format!("SEGMENT: {}", seg.name));
            if let Some(d) = &seg.description {
                s.push_str(&format!(" — {d}"));
            }
            s.push('\n');
        }
        None => s.push_str("SEGMENT: rest\n"),
    }
    if let Some(b) = body_copy {
        s.push_str("SHARED BODY COPY (already written; do not repeat it, lead into it):\n");
        s.push_str(b.trim());
        s.push('\n');
    }
    s
}

/// The line a recipient block carries when no fact is offered.
pub const NO_FACTS_LINE: &str =
    "none: write a short line about the campaign itself and nothing about the person";

/// The recipient block: facts as data, earlier stage output, gate feedback, instruction.
pub fn recipient_block(
    facts: &[Fact],
    stage: &Stage,
    previous: Option<&str>,
    feedback: &[String],
) -> String {
    let mut s = String::with_capacity(512);
    s.push_str("RECIPIENT FACTS:\n");
    if facts.is_empty() {
        s.push_str(
            "- (none: write a short line about the campaign itself, nothing about the person)\n",
        );
    }
    for f in facts {
        s.push_str("- ");
        s.push_str(&f.text);
        s.push('\n');
    }
    if let Some(p) = previous {
        s.push_str(match stage.name.as_str() {
            "draft" => "\nPLAN:\n",
            _ => "\nDRAFT:\n",
        });
        s.push_str(p.trim());
        s.push('\n');
    }
    if !feedback.is_empty() {
        s.push_str("\nA CHECK REJECTED THE LAST ATTEMPT. Fix these problems:\n");
        for f in feedback {
            s.push_str("- ");
            s.push_str(f);
            s.push('\n');
        }
    }
    s.push_str(match stage.name.as_str() {
        "plan" => "\nWrite the plan.",
        "refine" => "\nWrite the final email.",
        _ => "\nWrite it now.",
    });
    s
}

/// What varies per call, beside the campaign, tier and stage.
#[derive(Clone, Copy, Debug, Default)]
pub struct CallInput<'a> {
    pub segment: Option<&'a Segment>,
    /// The segment's shared body copy, once written.
    pub body_copy: Option<&'a str>,
    /// The recipient's selected facts.
    pub facts: &'a [Fact],
    /// The previous stage's output (plan for draft, draft for refine).
    pub previous: Option<&'a str>,
    /// Gate findings from the last attempt, fed back on a retry.
    pub feedback: &'a [String],
}

/// The full prompt for one stage call.
pub fn build(c: &Campaign, tier: &Tier, stage: &Stage, input: &CallInput<'_>) -> PromptParts {
    build_on(static_prefix(c, tier, stage), stage, input)
}

fn build_on(static_prefix: String, stage: &Stage, input: &CallInput<'_>) -> PromptParts {
    PromptParts {
        static_prefix,
        segment_block: segment_block(input.segment, input.body_copy),
        recipient_block: recipient_block(input.facts, stage, input.previous, input.feedback),
    }
}

/// Every (tier, stage)'s static prefix, written once for a run: it is the same for every
/// recipient, so a call copies it instead of formatting the campaign again.
#[derive(Debug, Default)]
pub struct StaticPrefixes(Vec<(String, String, String)>);

impl StaticPrefixes {
    pub fn new(c: &Campaign) -> StaticPrefixes {
        let mut all = Vec::new();
        for tier in &c.ladder {
            for stage in &tier.stages {
                all.push((
                    tier.name.clone(),
                    stage.name.clone(),
                    static_prefix(c, tier, stage),
                ));
            }
        }
        StaticPrefixes(all)
    }

    /// [`build`], with the prefix made once (a tier or stage not in the campaign's ladder
    /// gets its prefix written on the spot).
    pub fn build(
        &self,
        c: &Campaign,
        tier: &Tier,
        stage: &Stage,
        input: &CallInput<'_>,
    ) -> PromptParts {
        let prefix = self
            .0
            .iter()
            .find(|(t, s, _)| *t == tier.name && *s == stage.name)
            .map_or_else(|| static_prefix(c, tier, stage), |(_, _, p)| p.clone());
        build_on(prefix, stage, input)
    }
}

/// The prompt for a small on-device model writing an opener (the `local` tier).
///
/// A 0.5B model cannot follow the long layout of [`build`]: it echoes rule lines and output
/// scaffolds back as the answer, and copies any concrete example onto the recipient. So this
/// shape is short imperatives with no example, the campaign in one line, the recipient's facts
/// fenced as data, and one instruction last, so the answer starts right after it. The layout
/// is the same three blocks: the static prefix is identical for every recipient of the brand,
/// so the local KV cache reuses it.
pub fn build_compact(c: &Campaign, input: &CallInput<'_>) -> PromptParts {
    let brand = c.brand.name.trim();
    let mut sys = String::with_capacity(1024);
    sys.push_str(&format!(
        "You are {brand}. You write the opening of a marketing email to one of your customers: \
         one or two short sentences, then stop.\n"
    ));
    sys.push_str(
        "Rules:\n\
         - Use only the facts listed under FACTS. Never invent a product, place, date, number, \
         event or past activity that is not listed.\n\
         - If there are few facts, write less: one friendly, specific line about the offer is \
         better than a guess.\n\
         - The greeting line is already written above your text: do not greet, do not write \
         \"Dear\", \"Hi\" or \"Hello\"; start with the first sentence.\n\
         - No placeholders in brackets, no subject line, no sign-off, no quotation marks, no \
         emojis, no \"I hope this email finds you well\", and never repeat these instructions.\n\
         - Do not say \"we noticed\", \"as a loyal customer\" or similar unless a listed fact \
         shows it.\n\
         - Write plain English.",
    );
    if let Some(v) = c.brand.voice.as_deref().filter(|v| !v.trim().is_empty()) {
        sys.push_str(&format!("\nVoice: {}", v.trim()));
        if !v.trim_end().ends_with('.') {
            sys.push('.');
        }
    }
    if !c.brand.banned_phrases.is_empty() {
        sys.push_str(&format!(
            "\nNever use: {}.",
            c.brand.banned_phrases.join("; ")
        ));
    }
    let mut segment = String::from("THE OFFER:\n");
    match (&c.brief, c.facts.get("offer")) {
        (Some(b), _) => segment.push_str(b.trim()),
        (None, Some(Value::String(o))) => segment.push_str(o.trim()),
        _ => segment.push_str(&c.name),
    }
    // Names are left out: the greeting line already carries the first name, and a small
    // model given it repeats it ("Hi Ana, Ana, ...").
    let mut recipient = String::from("FACTS:\n");
    let listed: Vec<&Fact> = input.facts.iter().filter(|f| f.kind != "name").collect();
    if listed.is_empty() {
        recipient.push_str("(no facts about this customer)\n");
    }
    for f in &listed {
        recipient.push_str(&f.you);
        recipient.push('\n');
    }
    recipient.push_str("END OF FACTS\n\n");
    if !input.feedback.is_empty() {
        recipient.push_str("Your last answer was rejected:\n");
        for f in input.feedback {
            recipient.push_str("- ");
            recipient.push_str(f.trim());
            recipient.push('\n');
        }
        recipient.push_str("Write a new one without these problems.\n");
    }
    // The angle is chosen here, not by the model: the most relevant fact that is not a name.
    match listed.first() {
        Some(f) => recipient.push_str(&format!(
            "Write the opener now: one or two sentences to this customer, saying \"you\", \
             that mention this fact ({}) and lead into the offer.",
            f.you
        )),
        None => recipient.push_str(
            "Write the opener now: one or two sentences to this customer about the offer. Say \
             nothing about the customer's past.",
        ),
    }
    PromptParts {
        static_prefix: sys,
        segment_block: segment,
        recipient_block: recipient,
    }
}

/// Stop strings for [`build_compact`]: a small model that starts echoing the prompt is cut.
pub fn compact_stops() -> Vec<String> {
    ["FACTS:", "END OF FACTS", "THE OFFER:", "Rules:"]
        .into_iter()
        .map(String::from)
        .collect()
}

/// The prompt that writes a segment's shared body copy, once per segment.
pub fn body_copy_prompt(c: &Campaign, segment: Option<&Segment>) -> PromptParts {
    let mut prefix = format!(
        "You write marketing email body copy for {}.\n",
        c.brand.name
    );
    if let Some(v) = &c.brand.voice {
        prefix.push_str(&format!("Brand voice: {v}\n"));
    }
    prefix.push_str(&format!(
        "Campaign: {} ({}), sent on {}.\n",
        c.name, c.kind, c.send_date
    ));
    if let Some(b) = &c.brief {
        prefix.push_str(&format!("Brief: {b}\n"));
    }
    prefix.push_str("\nCAMPAIGN FACTS (state only these, exactly):\n");
    prefix.push_str(&render_campaign_facts(c));
    prefix.push_str(
        "\nWrite 2 short paragraphs of body copy shared by everyone in the segment below. It must not \
         address or describe any individual (no names, no personal history), must not use placeholders, \
         and must state offers exactly as given. Output only the paragraphs.\n",
    );
    if !c.brand.banned_phrases.is_empty() {
        prefix.push_str(&format!(
            "Never use: {}.\n",
            c.brand.banned_phrases.join("; ")
        ));
    }
    PromptParts {
        static_prefix: prefix,
        segment_block: segment_block(segment, None),
        recipient_block: "Write the body copy.".into(),
    }
}

/// The stages a tier runs, for the estimate and the engine.
pub fn stages(tier: &Tier) -> &[Stage] {
    &tier.stages
}

/// Number formatting shared with fact lines.
pub fn number_text(n: f64) -> String {
    fmt_num(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candor_domain::recipient::Limits;

    pub(crate) const CAMPAIGN: &str = r#"
[campaign]
name = "winter-trail"
type = "promotion"
send_date = "2026-12-01"
[brand]
name = "Northwind Outfitters"
sender = "Northwind <hello@northwind.example>"
postal_address = "12 Harbour Rd, Portland, ME 04101, USA"
voice = "warm, plain"
[facts]
offer = "20% off hiking boots"
code = "TRAIL20"
products = ["Trailblazer 2 Hiking Boot", "Summit Wool Sock"]
[[segments]]
name = "buyers"
value_per_send = "0.40"
when = [{ event = "purchase", within_days = 365 }]
"#;

    fn recipient(json: &str) -> Recipient {
        Recipient::from_json(json, &Limits::default()).unwrap()
    }

    #[test]
    fn private_attributes_are_matched_without_regard_to_case() {
        for key in [
            "password_hash",
            "API_Token",
            "customer_id",
            "Customer_ID",
            "ID",
            "id",
            "marketing_consent",
            "Unsubscribed",
            "work_email",
            "Phone",
            "ssn_last4",
        ] {
            assert!(private_attribute(key), "{key}");
        }
        for key in [
            "city",
            "loyalty_tier",
            "idea",
            "paid",
            "tokyo_store",
            "zoë_größe",
            "",
            "_i",
        ] {
            assert!(!private_attribute(key), "{key}");
        }
    }

    #[test]
    fn second_person_lines_are_written_only_for_the_facts_kept() {
        let c = Campaign::from_toml(CAMPAIGN).unwrap();
        let r = recipient(
            r#"{"id":"1","email":"a@b.co","first_name":"Ana","attributes":{"city":"Porto","signup_date":"2021-03-04"},
                "events":[{"type":"purchase","at":"2026-10-02","product":"Trailblazer 2 Hiking Boot"},
                          {"type":"cart_add","at":"2026-11-01"}]}"#,
        );
        let mut facts = gather_facts_with(&r, &c, &CampaignTerms::new(&c));
        assert!(facts.iter().all(|f| f.you.is_empty()));
        address_facts(&mut facts, &r, c.send_date);
        let you = |key: &str| {
            facts
                .iter()
                .find(|f| f.key == key)
                .map(|f| f.you.clone())
                .unwrap()
        };
        assert_eq!(you("first_name"), "Your first name: Ana");
        assert_eq!(you("attributes.city"), "Your city: Porto");
        assert!(you("attributes.signup_date")
            .starts_with("You have been a customer since 2021-03-04 ("));
        // Newest first: the cart event is events[0].
        assert_eq!(
            you("events[0]"),
            "You put something in your cart in November"
        );
        assert_eq!(
            you("events[1]"),
            "You bought the Trailblazer 2 Hiking Boot in October"
        );
    }

    #[test]
    fn relevant_recent_facts_first_and_budget_is_a_cap() {
        let c = Campaign::from_toml(CAMPAIGN).unwrap();
        let r = recipient(
            r#"{"id":"1","email":"a@b.co","first_name":"Ana","attributes":{"city":"Porto","customer_id":"X1","signup_date":"2021-03-04"},
            "events":[{"type":"purchase","at":"2026-10-20","product":"Trailblazer 2 Hiking Boot"},
                      {"type":"view","at":"2024-01-01","product":"Tent"},
                      {"type":"purchase","at":"2025-02-01","product":"Camp Mug"}]}"#,
        );
        let facts = gather_facts(&r, &c);
        assert_eq!(facts[0].key, "first_name");
        assert!(facts[1].text.contains("Trailblazer"), "{:?}", facts[1]);
        assert!(
            !facts.iter().any(|f| f.key.contains("customer_id")),
            "identifiers are not facts"
        );
        assert!(facts
            .iter()
            .any(|f| f.text.contains("customer for 5 full years")));
        let words = |s: &str| s.split_whitespace().count() as u64;
        let sel = select_facts(
            &facts,
            ContextBudget {
                max_facts: 3,
                max_tokens: 1000,
            },
            words,
        );
        assert_eq!(sel.len(), 3);
        let sel = select_facts(
            &facts,
            ContextBudget {
                max_facts: 10,
                max_tokens: 20,
            },
            words,
        );
        assert!(sel.iter().map(|f| words(&f.text) + 2).sum::<u64>() <= 20);
    }

    #[test]
    fn compact_prompt_speaks_to_the_person_and_leaves_out_names() {
        let c = Campaign::from_toml(CAMPAIGN).unwrap();
        let rich = gather_facts(
            &recipient(
                r#"{"id":"1","email":"a@b.co","first_name":"Ana","attributes":{"city":"Porto"},
                "events":[{"type":"purchase","at":"2026-10-20","product":"Trailblazer 2 Hiking Boot"},
                          {"type":"view","at":"2024-01-01","product":"Tent"}]}"#,
            ),
            &c,
        );
        let bare = gather_facts(
            &recipient(r#"{"id":"2","email":"b@b.co","first_name":"Bo"}"#),
            &c,
        );
        let a = build_compact(
            &c,
            &CallInput {
                facts: &rich,
                ..Default::default()
            },
        );
        let feedback = vec!["generic: \"Dear friend\"".to_string()];
        let b = build_compact(
            &c,
            &CallInput {
                facts: &bare,
                feedback: &feedback,
                ..Default::default()
            },
        );
        // One static prefix for everyone, so the local KV cache reuses it.
        assert_eq!(a.static_prefix, b.static_prefix);
        assert!(a.static_prefix.contains("Northwind Outfitters"));
        // Facts in the second person, dated by month; the name is the greeting's job.
        assert!(a
            .recipient_block
            .contains("You bought the Trailblazer 2 Hiking Boot in October\n"));
        assert!(a
            .recipient_block
            .contains("You looked at the Tent in January 2024"));
        assert!(!a.recipient_block.contains("Ana"));
        assert!(a.recipient_block.ends_with("and lead into the offer."));
        // No facts: said so, the instruction forbids talk about the past, feedback comes
        // before the instruction.
        assert!(b.recipient_block.contains("(no facts about this customer)"));
        assert!(!b.recipient_block.contains("Bo"));
        let fb = b.recipient_block.find("Dear friend").unwrap();
        let ins = b.recipient_block.find("Write the opener now").unwrap();
        assert!(fb < ins);
        assert!(b
            .recipient_block
            .contains("Say nothing about the customer's past"));
    }

    #[test]
    fn no_profiling_consent_means_name_only() {
        let c = Campaign::from_toml(CAMPAIGN).unwrap();
        let r = recipient(
            r#"{"id":"1","email":"a@b.co","first_name":"Zoë","attributes":{"city":"Lyon"},
            "events":[{"type":"purchase","at":"2026-10-20","product":"Boot"}],"consent":{"profiling":false}}"#,
        );
        let facts = gather_facts(&r, &c);
        assert_eq!(
            facts.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(),
            ["first_name"]
        );
    }

    #[test]
    fn static_prefix_is_identical_across_recipients() {
        let c = Campaign::from_toml(CAMPAIGN).unwrap();
        let tier = c.tier("standard").unwrap();
        let st = &tier.stages[0];
        let seg = c.segments.first();
        let fa = gather_facts(
            &recipient(r#"{"id":"1","email":"a@b.co","first_name":"A"}"#),
            &c,
        );
        let fb = gather_facts(
            &recipient(r#"{"id":"2","email":"b@b.co","first_name":"B"}"#),
            &c,
        );
        let a = build(
            &c,
            tier,
            st,
            &CallInput {
                segment: seg,
                facts: &fa,
                ..Default::default()
            },
        );
        let b = build(
            &c,
            tier,
            st,
            &CallInput {
                segment: seg,
                facts: &fb,
                ..Default::default()
            },
        );
        assert_eq!(a.static_prefix, b.static_prefix);
        assert_eq!(a.segment_block, b.segment_block);
        assert_ne!(a.recipient_block, b.recipient_block);
        assert!(a.static_prefix.contains("TRAIL20"));
    }

    /// The rule before it was written as one pass: the oracle for the one-pass version.
    fn private_attribute_by_search(key: &str) -> bool {
        let k = key.to_ascii_lowercase();
        [
            "password",
            "token",
            "consent",
            "unsubscribed",
            "email",
            "phone",
            "ssn",
        ]
        .iter()
        .any(|w| k.contains(w))
            || k.ends_with("_id")
            || k == "id"
    }

    /// A small deterministic generator of keys and texts: pieces of the words that matter,
    /// in mixed case, with separators, digits and a non-ASCII letter now and then.
    fn generated(seed: u64, pieces: &[&str]) -> Vec<String> {
        let mut x = seed;
        let mut next = move || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) as usize
        };
        (0..4_000)
            .map(|_| {
                let mut s = String::new();
                for _ in 0..next() % 6 {
                    let p = pieces[next() % pieces.len()];
                    let p = match next() % 4 {
                        0 => p.to_uppercase(),
                        1 => p[..p.len().min(1 + next() % 6)].to_string(),
                        _ => p.to_string(),
                    };
                    s.push_str(&p);
                    s.push_str(["", "_", " ", "-", ", ", "9", "é"][next() % 7]);
                }
                s
            })
            .collect()
    }

    #[test]
    fn private_attribute_in_one_pass_equals_the_search() {
        let pieces = [
            "password",
            "token",
            "consent",
            "unsubscribed",
            "email",
            "phone",
            "ssn",
            "id",
            "ID",
            "city",
            "paid",
            "tier",
            "pass",
            "sn",
            "e",
            "p",
            "customer",
            "tok",
        ];
        let mut private = 0;
        for k in generated(7, &pieces) {
            assert_eq!(
                private_attribute(&k),
                private_attribute_by_search(&k),
                "{k:?}"
            );
            private += usize::from(private_attribute(&k));
        }
        assert!(private > 500, "{private}");
    }

    #[test]
    fn ascii_term_matching_equals_the_general_one_on_generated_texts() {
        let c = Campaign::from_toml(CAMPAIGN).unwrap();
        let terms = CampaignTerms::new(&c);
        let long = "x".repeat(50);
        let mut pieces: Vec<&str> = terms.terms.iter().map(String::as_str).collect();
        pieces.extend(["on", "2026-10-02", "(", "):", "product:", &long]);
        let mut hits = 0;
        for t in generated(11, &pieces) {
            assert_eq!(terms.matches(&t), terms.matches_any_script(&t), "{t:?}");
            hits += usize::from(terms.matches(&t));
        }
        assert!(hits > 500, "{hits}");
    }

    #[test]
    fn ascii_term_matching_equals_the_general_one() {
        let c = Campaign::from_toml(CAMPAIGN).unwrap();
        let terms = CampaignTerms::new(&c);
        let long = "x".repeat(60);
        let mut texts = vec![
            String::new(),
            "purchased on 2026-10-02: product: Ridge 45L Backpack".into(),
            "VIEWED the TRAIL shoes".into(),
            "trail".into(),
            "a-b_c trail,shoe;jacket".into(),
            format!("{long} trail"),
            format!("{long}"),
        ];
        for t in terms.terms.iter().take(20) {
            texts.push(format!("bought the {} today", t.to_uppercase()));
            texts.push(format!("{t}s"));
        }
        let mut hits = 0;
        for t in &texts {
            assert_eq!(terms.matches(t), terms.matches_any_script(t), "{t:?}");
            hits += usize::from(terms.matches(t));
        }
        // Each term, upper-cased in a sentence, matches.
        assert!(
            hits >= terms.terms.len().min(20) && hits > 2,
            "{hits} matches"
        );
        assert!(texts.iter().any(|t| !terms.matches(t)));
    }

    #[test]
    fn remembered_prefixes_build_the_same_prompts() {
        let c = Campaign::from_toml(CAMPAIGN).unwrap();
        let prefixes = StaticPrefixes::new(&c);
        let facts = gather_facts(
            &recipient(r#"{"id":"1","email":"a@b.co","first_name":"A"}"#),
            &c,
        );
        let input = CallInput {
            segment: c.segments.first(),
            facts: &facts,
            previous: Some("a plan"),
            ..Default::default()
        };
        let mut stages = 0;
        for tier in &c.ladder {
            for stage in &tier.stages {
                stages += 1;
                let plain = build(&c, tier, stage, &input);
                let kept = prefixes.build(&c, tier, stage, &input);
                assert_eq!(
                    plain.static_prefix, kept.static_prefix,
                    "{}/{}",
                    tier.name, stage.name
                );
                assert_eq!(plain.segment_block, kept.segment_block);
                assert_eq!(plain.recipient_block, kept.recipient_block);
            }
        }
        assert!(stages > 2, "the example campaign has multi-stage tiers");
        // Prefixes differ between stages (each names its output), so a lookup that returned
        // another stage's prefix would fail above.
        let deep = c.tier("deep").unwrap();
        assert_ne!(
            prefixes
                .build(&c, deep, &deep.stages[0], &input)
                .static_prefix,
            prefixes
                .build(&c, deep, &deep.stages[1], &input)
                .static_prefix
        );
    }
}
