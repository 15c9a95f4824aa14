//! Findings and the verdict.
//!
//! Invariant: `verdict` is `Fail` exactly when `findings` is non-empty; every finding quotes the
//! exact span of the email it is about and names the rule that fired.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

/// What kind of problem a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A specific about the person that matches no fact.
    FabricatedFact,
    /// A specific that contradicts a fact (wrong product, city, tier, count, amount, name).
    WrongFact,
    /// A phrase claiming knowledge of the person without a fact of the matching kind.
    ImpliedContext,
    /// A relative or absolute time the dates do not support.
    WrongTime,
    /// A discount, code, price or end date that differs from the campaign facts.
    WrongOffer,
    /// Unfilled placeholder, stand-in name, assistant chatter, echoed instructions, wrong language.
    TemplateLeak,
    /// Behavioural facts used for someone who did not consent to profiling.
    ConsentViolation,
    /// Personalization that is not happening: a generic greeting despite a known name, or a
    /// near-duplicate opener in a batch.
    Generic,
    /// A phrase the brand or compliance rules ban.
    BannedPhrase,
    /// Shouting and other off-voice style.
    BrandVoice,
    /// Compliance: length limits, a required unsubscribe line.
    Compliance,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::FabricatedFact => "fabricated_fact",
            Kind::WrongFact => "wrong_fact",
            Kind::ImpliedContext => "implied_context",
            Kind::WrongTime => "wrong_time",
            Kind::WrongOffer => "wrong_offer",
            Kind::TemplateLeak => "template_leak",
            Kind::ConsentViolation => "consent_violation",
            Kind::Generic => "generic",
            Kind::BannedPhrase => "banned_phrase",
            Kind::BrandVoice => "brand_voice",
            Kind::Compliance => "compliance",
        }
    }

    /// Every kind, for documentation and tests.
    pub const ALL: [Kind; 11] = [
        Kind::FabricatedFact,
        Kind::WrongFact,
        Kind::ImpliedContext,
        Kind::WrongTime,
        Kind::WrongOffer,
        Kind::TemplateLeak,
        Kind::ConsentViolation,
        Kind::Generic,
        Kind::BannedPhrase,
        Kind::BrandVoice,
        Kind::Compliance,
    ];

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which part of the email a span is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Part {
    Subject,
    #[default]
    Body,
}

/// One problem, at one span.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: Kind,
    /// The exact text of the span.
    pub text: String,
    pub reason: String,
    /// The rule that fired, e.g. `implied.cart` or `grounding.capitalized`.
    pub rule: String,
    /// Byte range of `text` within `part` (the subject or the body).
    #[serde(skip)]
    pub span: Range<usize>,
    #[serde(skip)]
    pub part: Part,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
}

/// The gate's answer for one email. Serializes exactly as `{"verdict", "findings"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    /// Recipient facts the email used, as paths: `first_name`, `attributes.city`,
    /// `events[0].product` (events indexed newest first, as in [`candor_domain::Recipient`]).
    #[serde(skip)]
    pub used_facts: Vec<String>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    /// Kinds found, deduplicated, in order.
    pub fn kinds(&self) -> Vec<Kind> {
        let mut k: Vec<Kind> = self.findings.iter().map(|f| f.kind).collect();
        k.sort();
        k.dedup();
        k
    }
}
