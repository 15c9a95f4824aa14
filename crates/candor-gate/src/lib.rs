//! candor's authenticity gate: deterministic checks that every claim an email makes about a
//! person is supported by that person's facts or the campaign's, before anything is sent.
//!
//! The gate does no I/O and calls no model: it is pure functions over strings and
//! [`candor_domain`] types, with rule tables compiled once in [`Gate::new`].
//!
//! # API
//!
//! ```
//! use candor_domain::{Date, Limits, Recipient};
//! use candor_gate::{Context, Email, Gate, Verdict};
//!
//! let gate = Gate::new(); // parses and compiles the built-in rules once
//! let r = Recipient::from_json(
//!     r#"{"id":"1","email":"zoe@example.com","first_name":"Zoë",
//!         "events":[{"type":"purchase","at":"2026-10-20","product":"Trailblazer 2 Hiking Boot"}]}"#,
//!     &Limits::default(),
//! ).unwrap();
//! let ctx = Context::from_json(serde_json::json!({"now": "2026-11-20", "brand": "Northpeak"})).unwrap();
//! let email = Email::parse_text("Subject: For the trail\n\nHi Zoë, how are the Trailblazers holding up since last month?").unwrap();
//! let report = gate.check(&email, &r, &ctx);
//! assert_eq!(report.verdict, Verdict::Pass);
//! assert!(report.used_facts.contains(&"events[0].product".to_string()));
//!
//! let bad = Email::parse_text("Subject: Hi\n\nHi Zoë, how are the Trailblazers you bought yesterday?").unwrap();
//! assert_eq!(gate.check(&bad, &r, &ctx).verdict, Verdict::Fail);
//! ```
//!
//! - [`Context`]: the send date `now` and free-form campaign facts (`Context::from_json` reads
//!   CONTEXT.json).
//! - [`Email`]: `subject` + `body`; [`Email::parse_text`] (`Subject: …`, blank line, body),
//!   [`Email::parse_eml`] (RFC 5322: text/plain part, multipart, quoted-printable, base64).
//! - [`Gate::check`] → [`Report`] `{verdict, findings}` (serde JSON exactly
//!   `{"verdict":"pass"|"fail","findings":[{"kind","text","reason","rule"}]}`), plus
//!   `used_facts` (paths like `first_name`, `attributes.city`, `events[0].product`) and each
//!   finding's byte `span` within its `part`. [`Gate::check_opener`] checks a 1–3 sentence
//!   opener alone.
//! - [`RuleTable`]: the rules are data (`rules.toml`, embedded); a campaign extends them with
//!   [`RuleTable::extend`] and builds a gate with [`Gate::with_rules`] / [`Gate::with_extension`].
//!   `candor check` reads an extension from the `gate` key of CONTEXT.json.
//! - [`genericness`]: near-duplicate openers in a batch (MinHash over word shingles after
//!   [`mask`]ing the recipient's values) → [`GenericReport`] `{rate, per_email}`.
//!
//! Finding kinds: `fabricated_fact`, `wrong_fact`, `implied_context`, `wrong_time`,
//! `wrong_offer`, `template_leak`, `consent_violation`, `generic`, and the lint kinds
//! `banned_phrase`, `brand_voice`, `compliance`.
//!
//! # What is judged, and what is not
//!
//! - Specifics about the person (names, products, places, tiers, counts, amounts, tenure,
//!   dates, relative times) must match a recipient or campaign fact; paraphrase is accepted
//!   through stems, synonyms, dropped words, rounded tenure and relative-time ranges.
//! - A capitalized name that matches nothing is a specific; a lone capitalized word at a
//!   sentence start, a Title Case subject line and ALL-CAPS words are not (shouting is lint).
//! - Relative times are judged only in a clause about the person ("you...", "your order...",
//!   or a phrase like "thanks for coming"), against the events that clause names.
//! - "If ..." clauses and invitations ("start your free trial") claim nothing.
//! - Perks ("free shipping", "free returns", "a free gift", "double points") must be offered
//!   by a campaign fact (`[[perks]]` in the rules), and "on every order" must not drop the
//!   minimum that fact states.
//! - An offer's limits (`[offer_scope]`: a minimum, what it applies to, who it is for) hold:
//!   "$10 off any order" against a $50 minimum, "25% off monthly billing" for an annual-billing
//!   offer, "everyone saves" for a members' discount are wrong offers.
//! - The footer (the paragraph with "unsubscribe", "privacy policy", a `--` line...) is not
//!   judged for grounding: it holds the sender's address. Leak and lint checks still read it.
//! - Language: a sentence in another language than the email's (or than the campaign's
//!   `language` fact) is a leak.
//!
//! # Measured (fixtures in `fixtures/cases.toml`)
//!
//! `cargo run --release -p candor-gate --example gate_bench` prints recall on defects, the
//! false-alarm rate on faithful emails and µs per email; `cargo test -p candor-gate` enforces
//! recall ≥ 0.95 and false alarms ≤ 0.05 on the same set.

mod checks;
mod context;
mod email;
mod facts;
mod gate;
mod generic;
mod mime;
mod report;
mod rules;
mod text;

pub use context::{Context, ContextError};
pub use email::{Email, EmailError, MAX_EMAIL_BYTES};
pub use gate::{Gate, Prepared, SharedPart};
pub use generic::{
    genericness, genericness_with, mask, GenericEntry, GenericReport, DEFAULT_THRESHOLD,
};
pub use report::{Finding, Kind, Part, Report, Verdict};
pub use rules::{
    ClaimRule, CountRule, GroundingRules, ImpliedOptions, ImpliedRule, KindRule, LeakRules,
    LintRules, OfferScopeRules, PerkRule, RuleError, RuleTable, ScopeLimit, TimeRule,
};
