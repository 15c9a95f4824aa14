//! The `template` tier: a fact-driven opener and subject line with no model.
//!
//! This is the floor of the degradation ladder: every recipient can always get a checked email
//! from it, so a campaign never stalls. Its job is to say fewer true things, never a vague or
//! false one.
//!
//! Invariants:
//! - A variant is used only when every fact it `needs` exists for the recipient; the templates
//!   are MiniJinja with [`UndefinedBehavior::Strict`], and at load time every variable a text
//!   references must be one of its variant's `needs`. So a template opener states only facts the
//!   recipient has (plus campaign facts such as the brand).
//! - Without consent to profiling, only the first name and campaign facts exist.
//! - The choice among a variant's texts is a stable hash of the recipient id: the same recipient
//!   gets the same email on a rerun.
//! - Every fact a rendered text used is reported in [`TemplateOutput::facts_used`], with the
//!   recipient field it came from, for the outbox record and the gate.

use std::collections::{BTreeMap, BTreeSet};

use candor_domain::{Date, Recipient};
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::{Deserialize, Serialize};

/// The embedded default templates.
pub const DEFAULT_TEMPLATES: &str = include_str!("../templates/template_tier.toml");

/// Purchases older than this are not mentioned by month: "in March" for a purchase 14 months ago
/// reads as a mistake.
const MONTH_MENTION_MAX_DAYS: i64 = 330;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template file is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("template `{variant}` text {index}: {source}")]
    Syntax {
        variant: String,
        index: usize,
        #[source]
        source: minijinja::Error,
    },
    #[error("template `{variant}` needs unknown fact `{fact}` (known: {known})")]
    UnknownFact {
        variant: String,
        fact: String,
        known: String,
    },
    #[error("template `{variant}` text {index} uses `{fact}`, which is not in its `needs`")]
    Undeclared {
        variant: String,
        index: usize,
        fact: String,
    },
    #[error("template `{0}` has no texts")]
    NoTexts(String),
    #[error("no {0} variant applies (add one with `needs = []` as the last variant)")]
    NoVariant(&'static str),
    #[error("rendering template `{variant}`: {source}")]
    Render {
        variant: String,
        #[source]
        source: minijinja::Error,
    },
}

/// Every fact name a template may use; see the header of `templates/template_tier.toml`.
pub const KNOWN_FACTS: &[&str] = &[
    "first_name",
    "last_purchase_product",
    "last_purchase_month",
    "member_since_year",
    "tenure_years",
    "city",
    "loyalty_tier",
    "brand",
    "offer_headline",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    opener: Vec<RawVariant>,
    #[serde(default)]
    subject: Vec<RawVariant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    name: String,
    needs: Vec<String>,
    texts: Vec<String>,
}

#[derive(Debug)]
struct Variant {
    name: String,
    needs: Vec<String>,
    /// Template names in the environment, one per text.
    templates: Vec<String>,
    /// The facts each text refers to (found once at load, not per render).
    uses: Vec<BTreeSet<String>>,
    /// Each text as literal pieces and facts, when it is nothing but text and `{{ fact }}`
    /// (the usual case): rendered by joining the pieces, which gives what MiniJinja gives
    /// (tested) at a tenth of the cost. `None` renders through MiniJinja.
    plain: Vec<Option<Vec<Piece>>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Fact(String),
}

/// `text` as pieces, if it uses no template syntax but `{{ name }}` with `name` one of
/// `needs`; otherwise `None` (filters, tags, comments, whitespace control, stray delimiters).
fn plain_pieces(text: &str, needs: &[String]) -> Option<Vec<Piece>> {
    fn literal(s: &str) -> Option<Piece> {
        let syntax = ["{{", "{%", "{#", "}}", "%}", "#}"];
        (!syntax.iter().any(|d| s.contains(d))).then(|| Piece::Text(s.to_string()))
    }
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            pieces.push(literal(&rest[..open])?);
        }
        let after = &rest[open + 2..];
        let close = after.find("}}")?;
        let name = after[..close].trim_matches(|c: char| c == ' ' || c == '\t');
        if !needs.iter().any(|n| n == name) {
            return None;
        }
        pieces.push(Piece::Fact(name.to_string()));
        rest = &after[close + 2..];
    }
    if !rest.is_empty() {
        pieces.push(literal(rest)?);
    }
    Some(pieces)
}

/// Join `pieces` with the facts' values; `None` if a fact is missing.
fn render_plain(pieces: &[Piece], facts: &Facts) -> Option<String> {
    let mut out = String::with_capacity(128);
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Fact(f) => out.push_str(facts.get(f)?),
        }
    }
    Some(out)
}

/// One fact a rendered text used, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactUse {
    /// The template fact name, e.g. `last_purchase_product`.
    pub fact: String,
    /// Where in the recipient or campaign it came from, e.g. `events[0].product`,
    /// `attributes.city`, `campaign.brand`.
    pub source: String,
    pub value: String,
}

/// A rendered opener or subject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TemplateOutput {
    pub text: String,
    /// Which variant produced it (e.g. `purchase_city`).
    pub variant: String,
    pub facts_used: Vec<FactUse>,
}

/// Campaign facts the templates may use.
#[derive(Clone, Debug, Default)]
pub struct CampaignFacts {
    pub brand: String,
    /// The segment's subject line; `None` leaves only variants that do not need it.
    pub offer_headline: Option<String>,
}

/// The facts available for one recipient: name → (value, source).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    map: BTreeMap<&'static str, (String, String)>,
}

impl Facts {
    /// Collect the template facts for `r` as of the send date `now`, honouring consent.
    pub fn collect(r: &Recipient, now: Date, campaign: &CampaignFacts) -> Facts {
        let mut f = Facts::default();
        if let Some(n) = r.first_name.as_deref().map(str::trim) {
            if !n.is_empty() {
                f.put("first_name", n.to_string(), "first_name".into());
            }
        }
        if !campaign.brand.trim().is_empty() {
            f.put(
                "brand",
                campaign.brand.trim().to_string(),
                "campaign.brand".into(),
            );
        }
        if let Some(h) = campaign.offer_headline.as_deref().map(str::trim) {
            if !h.is_empty() {
                f.put("offer_headline", h.to_string(), "campaign.subject".into());
            }
        }
        if !r.profiling_allowed() {
            return f;
        }
        // Events are newest first; ignore any dated after the send date (a data error, and
        // "we hope you are enjoying" something not yet bought would be false).
        let purchase =
            r.events.iter().enumerate().find(|(_, e)| {
                e.kind == "purchase" && e.at <= now && purchase_product(e).is_some()
            });
        if let Some((i, e)) = purchase {
            if let Some((key, product)) = purchase_product(e) {
                f.put(
                    "last_purchase_product",
                    product,
                    format!("events[{i}].{key}"),
                );
                let age = now.days_since(e.at);
                if (0..=MONTH_MENTION_MAX_DAYS).contains(&age) {
                    f.put(
                        "last_purchase_month",
                        e.at.month_name().to_string(),
                        format!("events[{i}].at"),
                    );
                }
            }
        }
        if let Some((since, source)) = member_since(r, now) {
            f.put(
                "member_since_year",
                since.year().to_string(),
                source.clone(),
            );
            let years = since.whole_years_until(now);
            if years >= 1 {
                f.put("tenure_years", years.to_string(), source);
            }
        }
        for (fact, key) in [("city", "city"), ("loyalty_tier", "loyalty_tier")] {
            if let Some(v) = r.attr(key).and_then(|v| v.as_str()).map(str::trim) {
                if !v.is_empty() {
                    f.put(fact, v.to_string(), format!("attributes.{key}"));
                }
            }
        }
        f
    }

    fn put(&mut self, name: &'static str, value: String, source: String) {
        self.map.insert(name, (value, source));
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(|(v, _)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// Names of the facts present.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.map.keys().copied()
    }
}

fn purchase_product(e: &candor_domain::Event) -> Option<(&'static str, String)> {
    ["product", "item", "product_name"]
        .into_iter()
        .find_map(|k| {
            e.field_text(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .map(|v| (k, v))
        })
}

/// The date the recipient joined: the earliest `signup` event, or a `signup_date` /
/// `member_since` attribute that parses as a date. Dates after `now` are ignored. When the
/// sources disagree on the year, there is no tenure fact: a template says nothing rather than
/// pick one and be wrong.
fn member_since(r: &Recipient, now: Date) -> Option<(Date, String)> {
    let mut candidates: Vec<(Date, String)> = Vec::new();
    // Events are newest first, so the earliest signup is the last one.
    if let Some((i, e)) = r
        .events
        .iter()
        .enumerate()
        .rev()
        .find(|(_, e)| e.kind == "signup" && e.at <= now)
    {
        candidates.push((e.at, format!("events[{i}].at")));
    }
    for k in ["signup_date", "member_since"] {
        if let Some(d) = r
            .attr(k)
            .and_then(|v| v.as_str())
            .and_then(|s| Date::parse(s).ok())
        {
            if d <= now {
                candidates.push((d, format!("attributes.{k}")));
            }
        }
    }
    let first = candidates.first()?.0.year();
    if candidates.iter().any(|(d, _)| d.year() != first) {
        return None;
    }
    candidates.into_iter().next()
}

/// The loaded, checked template set.
#[derive(Debug)]
pub struct TemplateSet {
    env: Environment<'static>,
    openers: Vec<Variant>,
    subjects: Vec<Variant>,
}

impl TemplateSet {
    /// The embedded defaults. They are tested, so this only fails if the file is broken.
    pub fn embedded() -> Result<TemplateSet, TemplateError> {
        TemplateSet::parse(DEFAULT_TEMPLATES)
    }

    /// Parse and check a template file (the embedded one, or a campaign's override).
    pub fn parse(toml_text: &str) -> Result<TemplateSet, TemplateError> {
        let raw: RawFile = toml::from_str(toml_text)?;
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Plain text out; the outbox escapes for HTML.
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.set_keep_trailing_newline(false);
        let openers = load_variants(&mut env, "opener", raw.opener)?;
        let subjects = load_variants(&mut env, "subject", raw.subject)?;
        Ok(TemplateSet {
            env,
            openers,
            subjects,
        })
    }

    /// The opener for a recipient, from the first variant whose facts all exist.
    pub fn opener(&self, facts: &Facts, seed: &str) -> Result<TemplateOutput, TemplateError> {
        self.render(&self.openers, "opener", facts, seed)
    }

    /// The subject line for a recipient.
    pub fn subject(&self, facts: &Facts, seed: &str) -> Result<TemplateOutput, TemplateError> {
        self.render(&self.subjects, "subject", facts, seed)
    }

    fn render(
        &self,
        variants: &[Variant],
        what: &'static str,
        facts: &Facts,
        seed: &str,
    ) -> Result<TemplateOutput, TemplateError> {
        let v = variants
            .iter()
            .find(|v| v.needs.iter().all(|n| facts.has(n)))
            .ok_or(TemplateError::NoVariant(what))?;
        let pick = (stable_hash(seed) % v.templates.len() as u64) as usize;
        let name = &v.templates[pick];
        let used = &v.uses[pick];
        // Only the needed facts go into the context, so strict undefined also catches a text
        // that slipped past the load-time check.
        let plain = v.plain[pick]
            .as_deref()
            .and_then(|pieces| render_plain(pieces, facts));
        let text = match plain {
            Some(text) => text,
            None => self.render_jinja(v, name, facts)?,
        };
        let text = collapse_ws(&text);
        let facts_used = v
            .needs
            .iter()
            .filter(|n| used.contains(n.as_str()))
            .filter_map(|n| {
                facts.map.get(n.as_str()).map(|(value, source)| FactUse {
                    fact: n.clone(),
                    source: source.clone(),
                    value: value.clone(),
                })
            })
            .collect();
        Ok(TemplateOutput {
            text,
            variant: v.name.clone(),
            facts_used,
        })
    }

    fn render_jinja(
        &self,
        v: &Variant,
        name: &str,
        facts: &Facts,
    ) -> Result<String, TemplateError> {
        let ctx: BTreeMap<&str, Value> = v
            .needs
            .iter()
            .filter_map(|n| facts.get(n).map(|val| (n.as_str(), Value::from(val))))
            .collect();
        let render_err = |source| TemplateError::Render {
            variant: v.name.clone(),
            source,
        };
        let tmpl = self.env.get_template(name).map_err(render_err)?;
        tmpl.render(&ctx).map_err(render_err)
    }
}

fn referenced(t: &minijinja::Template<'_, '_>) -> BTreeSet<String> {
    t.undeclared_variables(false).into_iter().collect()
}

fn load_variants(
    env: &mut Environment<'static>,
    kind: &str,
    raw: Vec<RawVariant>,
) -> Result<Vec<Variant>, TemplateError> {
    let mut out = Vec::with_capacity(raw.len());
    for rv in raw {
        for n in &rv.needs {
            if !KNOWN_FACTS.contains(&n.as_str()) {
                return Err(TemplateError::UnknownFact {
                    variant: rv.name.clone(),
                    fact: n.clone(),
                    known: KNOWN_FACTS.join(", "),
                });
            }
        }
        if rv.texts.is_empty() {
            return Err(TemplateError::NoTexts(rv.name));
        }
        let mut templates = Vec::with_capacity(rv.texts.len());
        let mut uses = Vec::with_capacity(rv.texts.len());
        let mut plain = Vec::with_capacity(rv.texts.len());
        for (index, text) in rv.texts.into_iter().enumerate() {
            plain.push(plain_pieces(&text, &rv.needs));
            let name = format!("{kind}/{}/{index}", rv.name);
            env.add_template_owned(name.clone(), text)
                .map_err(|source| TemplateError::Syntax {
                    variant: rv.name.clone(),
                    index,
                    source,
                })?;
            let tmpl = env
                .get_template(&name)
                .map_err(|source| TemplateError::Syntax {
                    variant: rv.name.clone(),
                    index,
                    source,
                })?;
            let used = referenced(&tmpl);
            if let Some(fact) = used.iter().find(|f| !rv.needs.contains(f)) {
                return Err(TemplateError::Undeclared {
                    variant: rv.name.clone(),
                    index,
                    fact: fact.clone(),
                });
            }
            templates.push(name);
            uses.push(used);
        }
        out.push(Variant {
            name: rv.name,
            needs: rv.needs,
            templates,
            uses,
            plain,
        });
    }
    Ok(out)
}

/// FNV-1a: stable across runs and platforms (std's hasher is randomly seeded).
pub fn stable_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The template tier's whole output for one recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TemplateEmail {
    pub subject: TemplateOutput,
    pub opener: TemplateOutput,
}

impl TemplateSet {
    /// Subject and opener for one recipient.
    pub fn render_for(
        &self,
        r: &Recipient,
        now: Date,
        campaign: &CampaignFacts,
    ) -> Result<TemplateEmail, TemplateError> {
        let facts = Facts::collect(r, now, campaign);
        Ok(TemplateEmail {
            subject: self.subject(&facts, r.id.as_str())?,
            opener: self.opener(&facts, r.id.as_str())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candor_domain::Limits;

    fn rec(json: &str) -> Recipient {
        Recipient::from_json(json, &Limits::default()).unwrap()
    }

    fn now() -> Date {
        Date::from_ymd(2026, 12, 1).unwrap()
    }

    fn campaign() -> CampaignFacts {
        CampaignFacts {
            brand: "Northwind Outfitters".into(),
            offer_headline: Some("20% off winter boots this week".into()),
        }
    }

    fn render(json: &str) -> TemplateEmail {
        TemplateSet::embedded()
            .unwrap()
            .render_for(&rec(json), now(), &campaign())
            .unwrap()
    }

    #[test]
    fn embedded_templates_load() {
        let t = TemplateSet::embedded().unwrap();
        assert!(t.openers.len() >= 5);
        assert!(
            t.openers.last().unwrap().needs.is_empty(),
            "floor variant last"
        );
    }

    #[test]
    fn purchase_and_city() {
        let e = render(
            r#"{"id":"r1","email":"ana@example.com","first_name":"Ana",
            "attributes":{"city":"Porto"},
            "events":[{"type":"purchase","at":"2026-10-02","product":"Trailblazer 2 Hiking Boot"}]}"#,
        );
        assert_eq!(e.opener.variant, "purchase_city");
        assert!(e.opener.text.contains("Ana"));
        assert!(e.opener.text.contains("Trailblazer 2 Hiking Boot"));
        assert!(e.opener.text.contains("Porto"));
        let facts: Vec<_> = e.opener.facts_used.iter().map(|f| &f.source[..]).collect();
        assert!(facts.contains(&"events[0].product"), "{facts:?}");
        assert!(facts.contains(&"attributes.city"));
        assert_eq!(e.subject.text, "Ana, 20% off winter boots this week");
    }

    #[test]
    fn tenure_from_signup_event() {
        let e = render(
            r#"{"id":"r2","email":"b@example.com","first_name":"Bo",
            "events":[{"type":"signup","at":"2021-05-02"}]}"#,
        );
        assert_eq!(e.opener.variant, "tenure");
        assert!(e.opener.text.contains("since 2021"), "{}", e.opener.text);
        assert!(e.opener.text.contains("Northwind Outfitters"));
    }

    #[test]
    fn loyalty_and_signup_attribute() {
        let e = render(
            r#"{"id":"r3","email":"c@example.com","first_name":"Cy",
            "attributes":{"loyalty_tier":"Gold","signup_date":"2020-01-15"}}"#,
        );
        assert_eq!(e.opener.variant, "loyalty_tenure");
        assert!(e.opener.text.contains("Gold member with us since 2020"));
    }

    #[test]
    fn no_facts_claims_nothing() {
        let e = render(r#"{"id":"r4","email":"d@example.com"}"#);
        assert_eq!(e.opener.variant, "none");
        assert_eq!(e.opener.text, "Hello,");
        assert!(e.opener.facts_used.is_empty());
        assert_eq!(e.subject.text, "20% off winter boots this week");
    }

    #[test]
    fn no_profiling_consent_means_name_only() {
        let e = render(
            r#"{"id":"r5","email":"e@example.com","first_name":"Eve",
            "attributes":{"city":"Lyon","loyalty_tier":"Gold"},
            "events":[{"type":"purchase","at":"2026-10-02","product":"Rain Jacket"}],
            "consent":{"profiling":false}}"#,
        );
        assert_eq!(e.opener.variant, "name_only");
        assert_eq!(e.opener.text, "Hi Eve,");
        assert!(!e.opener.text.contains("Lyon"));
    }

    #[test]
    fn conflicting_signup_dates_mean_no_tenure() {
        let e = render(
            r#"{"id":"r8","email":"h@example.com","first_name":"Hal",
            "attributes":{"signup_date":"2022-04-09"},
            "events":[{"type":"signup","at":"2019-03-03"}]}"#,
        );
        assert_eq!(e.opener.variant, "name_only");
    }

    #[test]
    fn future_purchase_is_ignored() {
        let e = render(
            r#"{"id":"r6","email":"f@example.com","first_name":"Fay",
            "events":[{"type":"purchase","at":"2027-01-02","product":"Rain Jacket"}]}"#,
        );
        assert_eq!(e.opener.variant, "name_only");
    }

    #[test]
    fn purchase_without_product_is_not_a_purchase_fact() {
        let e = render(
            r#"{"id":"r7","email":"g@example.com","first_name":"Gus",
            "events":[{"type":"purchase","at":"2026-10-02","amount":12}]}"#,
        );
        assert_eq!(e.opener.variant, "name_only");
    }

    #[test]
    fn undeclared_fact_is_refused_at_load() {
        let err = TemplateSet::parse(
            r#"[[opener]]
            name = "x"
            needs = ["first_name"]
            texts = ["Hi {{ first_name }} from {{ city }}"]"#,
        )
        .unwrap_err();
        assert!(matches!(err, TemplateError::Undeclared { ref fact, .. } if fact == "city"));
    }

    #[test]
    fn unknown_fact_is_refused_at_load() {
        let err = TemplateSet::parse(
            r#"[[opener]]
            name = "x"
            needs = ["shoe_size"]
            texts = ["{{ shoe_size }}"]"#,
        )
        .unwrap_err();
        assert!(matches!(err, TemplateError::UnknownFact { .. }));
    }

    #[test]
    fn no_floor_variant_is_an_error_not_a_guess() {
        let t = TemplateSet::parse(
            r#"[[opener]]
            name = "x"
            needs = ["first_name"]
            texts = ["Hi {{ first_name }}"]"#,
        )
        .unwrap();
        let facts = Facts::collect(&rec(r#"{"id":"1","email":"a@b.co"}"#), now(), &campaign());
        assert!(matches!(
            t.opener(&facts, "1"),
            Err(TemplateError::NoVariant("opener"))
        ));
    }

    #[test]
    fn choice_is_stable_per_recipient() {
        let j = r#"{"id":"same","email":"a@b.co","first_name":"Al","attributes":{"city":"Oslo"}}"#;
        assert_eq!(render(j), render(j));
    }

    #[test]
    fn every_opener_only_mentions_present_values() {
        // Property-style sweep over fact combinations: every value in the text is a fact value.
        let names = ["Ana", "Bo"];
        for mask in 0u32..32 {
            let mut attrs = serde_json::Map::new();
            if mask & 1 != 0 {
                attrs.insert("city".into(), "Porto".into());
            }
            if mask & 2 != 0 {
                attrs.insert("loyalty_tier".into(), "Silver".into());
            }
            let mut events = vec![];
            if mask & 4 != 0 {
                events.push(
                    serde_json::json!({"type":"purchase","at":"2026-09-01","product":"Tent X"}),
                );
            }
            if mask & 8 != 0 {
                events.push(serde_json::json!({"type":"signup","at":"2019-03-03"}));
            }
            let mut v = serde_json::json!({"id": format!("m{mask}"), "email":"a@b.co",
                "attributes": attrs, "events": events});
            if mask & 16 != 0 {
                v["first_name"] = names[(mask % 2) as usize].into();
            }
            let r = Recipient::from_value(v, &Limits::default()).unwrap();
            let e = TemplateSet::embedded()
                .unwrap()
                .render_for(&r, now(), &campaign())
                .unwrap();
            for (present, word) in [
                (mask & 1 != 0, "Porto"),
                (mask & 2 != 0, "Silver"),
                (mask & 4 != 0, "Tent X"),
                (mask & 8 != 0, "2019"),
            ] {
                if !present {
                    assert!(!e.opener.text.contains(word), "{mask}: {}", e.opener.text);
                }
            }
            for f in &e.opener.facts_used {
                assert!(
                    e.opener.text.contains(&f.value),
                    "{f:?} in {}",
                    e.opener.text
                );
            }
        }
    }

    fn jinja(text: &str, facts: &Facts) -> Option<String> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.set_keep_trailing_newline(false);
        env.add_template_owned("t".to_string(), text.to_string())
            .ok()?;
        let ctx: BTreeMap<&str, Value> = facts
            .map
            .iter()
            .map(|(k, (v, _))| (*k, Value::from(v.as_str())))
            .collect();
        env.get_template("t").ok()?.render(&ctx).ok()
    }

    #[test]
    fn every_embedded_text_is_plain_and_renders_as_minijinja_does() {
        let t = TemplateSet::embedded().unwrap();
        let mut facts = Facts::default();
        for (i, name) in KNOWN_FACTS.iter().enumerate() {
            facts.put(name, format!("v{i} {{x}} & <b>"), String::new());
        }
        for v in t.openers.iter().chain(&t.subjects) {
            for (i, pieces) in v.plain.iter().enumerate() {
                let pieces = pieces.as_ref().unwrap_or_else(|| panic!("{} {i}", v.name));
                let fast = render_plain(pieces, &facts).unwrap();
                let slow = t.render_jinja(v, &v.templates[i], &facts).unwrap();
                assert_eq!(fast, slow, "{} {i}", v.name);
            }
        }
    }

    #[test]
    fn plain_pieces_render_exactly_as_minijinja_or_are_refused() {
        // Texts built from fragments with and without template syntax; whenever the plain
        // path takes one, its output must equal MiniJinja's, byte for byte.
        let fragments = [
            "Hi ",
            "{{ first_name }}",
            "{{city}}",
            "{{  city\t}}",
            ", ",
            "{",
            "}",
            "{ city }",
            "%",
            "#",
            "{{ city | upper }}",
            "{% if city %}x{% endif %}",
            "{# note #}",
            "{{- city }}",
            "{{ city -}}",
            "}}",
            "{{ brand }}",
            "{{ true }}",
            "{{ unknown }}",
            "\n",
            "  ",
            "é ☃",
            "{{ city }}{{ city }}",
            "{{",
            "{{ city",
            "%}",
            "#}",
            "{%",
            "{#",
            "\\",
            "\"",
            "'",
            "{{ 'x' }}",
            "{{ city ~ 'x' }}",
            "\r\n",
        ];
        let needs: Vec<String> = ["first_name", "city"].map(String::from).to_vec();
        let mut facts = Facts::default();
        facts.put("first_name", "Ana".into(), String::new());
        facts.put("city", "Porto {{ x }} %}".into(), String::new());
        facts.put("brand", "Northwind".into(), String::new());
        let mut taken = 0;
        let mut seed: u64 = 7;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(seed % 6 + 1) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                text.push_str(fragments[(seed >> 33) as usize % fragments.len()]);
            }
            if let Some(pieces) = plain_pieces(&text, &needs) {
                taken += 1;
                let fast = render_plain(&pieces, &facts);
                let slow = jinja(&text, &facts);
                assert_eq!(
                    fast.as_deref().map(collapse_ws),
                    slow.as_deref().map(collapse_ws),
                    "{text:?}"
                );
            }
        }
        assert!(taken > 1000, "the plain path took only {taken} texts");
        assert!(
            plain_pieces("{{ brand }}", &needs).is_none(),
            "not in needs"
        );
        assert!(plain_pieces("{{ city | upper }}", &needs).is_none());
    }
}
