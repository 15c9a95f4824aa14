//! The campaign file (TOML): raw serde form with `deny_unknown_fields`, resolved once into a
//! validated [`Campaign`]. Errors name the key path (`tiers.deep.stages[1].model`).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::date::Date;
use crate::money::Money;
use crate::recipient::Recipient;

// ---------------------------------------------------------------------------------------------
// Raw form: exactly what the file says.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCampaign {
    campaign: RawMeta,
    brand: RawBrand,
    #[serde(default)]
    facts: toml::Table,
    #[serde(default)]
    segments: Vec<RawSegment>,
    #[serde(default)]
    copy: Option<RawCopy>,
    #[serde(default)]
    tiers: BTreeMap<String, RawTier>,
    #[serde(default)]
    ladder: Option<Vec<String>>,
    #[serde(default)]
    budget: RawBudget,
    #[serde(default)]
    targets: RawTargets,
    #[serde(default)]
    gate: Option<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    send_date: String,
    #[serde(default)]
    batch_api: bool,
    #[serde(default)]
    brief: Option<String>,
    #[serde(default)]
    concurrency: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBrand {
    name: String,
    sender: String,
    postal_address: String,
    #[serde(default)]
    voice: Option<String>,
    #[serde(default)]
    banned_phrases: Vec<String>,
    #[serde(default)]
    unsubscribe_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSegment {
    name: String,
    #[serde(default)]
    description: Option<String>,
    /// All conditions must hold. Empty = everyone.
    #[serde(default)]
    when: Vec<RawCondition>,
    value_per_send: String,
    /// Marketer-written body copy; when absent it is generated once for the segment.
    #[serde(default)]
    body: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    attribute: Option<String>,
    #[serde(default)]
    within_days: Option<u32>,
    #[serde(default)]
    min_count: Option<u32>,
    #[serde(default)]
    max_count: Option<u32>,
    #[serde(default)]
    equals: Option<toml::Value>,
    #[serde(default)]
    one_of: Option<Vec<toml::Value>>,
    #[serde(default)]
    at_least: Option<toml::Value>,
    #[serde(default)]
    at_most: Option<toml::Value>,
    #[serde(default)]
    exists: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCopy {
    model: String,
    #[serde(default)]
    max_output_tokens: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    #[serde(default)]
    per_recipient: Option<Vec<String>>,
    #[serde(default)]
    stages: Option<Vec<RawStage>>,
    #[serde(default)]
    max_output_tokens: Option<u32>,
    #[serde(default)]
    expected_output_tokens: Option<u32>,
    #[serde(default)]
    retries: Option<u32>,
    #[serde(default)]
    lift: Option<String>,
    #[serde(default)]
    context: Option<RawContext>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    name: String,
    model: String,
    #[serde(default)]
    max_output_tokens: Option<u32>,
    #[serde(default)]
    expected_output_tokens: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContext {
    #[serde(default)]
    max_facts: Option<u32>,
    #[serde(default)]
    max_tokens: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBudget {
    #[serde(default)]
    total: Option<String>,
    #[serde(default)]
    per_segment: BTreeMap<String, String>,
    #[serde(default)]
    per_send: Option<String>,
    #[serde(default)]
    per_batch: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTargets {
    #[serde(default)]
    cost_per_1000: Option<String>,
    #[serde(default)]
    min_gate_pass_rate: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Resolved form.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error("{path}: {message}")]
    Syntax { path: String, message: String },
    #[error("`{path}`: {message}")]
    Invalid { path: String, message: String },
}

impl CampaignError {
    fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        CampaignError::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
    /// The key path the error is about.
    pub fn path(&self) -> &str {
        match self {
            CampaignError::Syntax { path, .. } | CampaignError::Invalid { path, .. } => path,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CampaignType {
    Welcome,
    Retention,
    ReEngagement,
    Promotion,
    Announcement,
    Winback,
    Other(String),
}

impl CampaignType {
    fn parse(s: &str) -> CampaignType {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "welcome" => CampaignType::Welcome,
            "retention" => CampaignType::Retention,
            "re-engagement" | "reengagement" => CampaignType::ReEngagement,
            "promotion" | "promo" => CampaignType::Promotion,
            "announcement" => CampaignType::Announcement,
            "winback" | "win-back" => CampaignType::Winback,
            other => CampaignType::Other(other.to_string()),
        }
    }
    pub fn as_str(&self) -> &str {
        match self {
            CampaignType::Welcome => "welcome",
            CampaignType::Retention => "retention",
            CampaignType::ReEngagement => "re-engagement",
            CampaignType::Promotion => "promotion",
            CampaignType::Announcement => "announcement",
            CampaignType::Winback => "winback",
            CampaignType::Other(s) => s,
        }
    }
}

impl fmt::Display for CampaignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Brand {
    pub name: String,
    /// `Name <address>` or a bare address.
    pub sender: String,
    pub postal_address: String,
    pub voice: Option<String>,
    pub banned_phrases: Vec<String>,
    /// https URL; `{recipient}` is replaced by the recipient's opaque key.
    pub unsubscribe_url: Option<String>,
}

/// A comparison value in a segment rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RuleValue {
    Text(String),
    Number(f64),
    Bool(bool),
}

impl RuleValue {
    fn from_toml(v: &toml::Value, path: &str) -> Result<RuleValue, CampaignError> {
        match v {
            toml::Value::String(s) => Ok(RuleValue::Text(s.clone())),
            toml::Value::Integer(i) => Ok(RuleValue::Number(*i as f64)),
            toml::Value::Float(f) => Ok(RuleValue::Number(*f)),
            toml::Value::Boolean(b) => Ok(RuleValue::Bool(*b)),
            _ => Err(CampaignError::invalid(
                path,
                "expected a string, number or boolean",
            )),
        }
    }
    fn matches(&self, v: &crate::AttrValue) -> bool {
        match (self, v) {
            (RuleValue::Text(a), crate::AttrValue::Str(b)) => a.eq_ignore_ascii_case(b.trim()),
            (RuleValue::Number(a), other) => other.as_f64() == Some(*a),
            (RuleValue::Bool(a), crate::AttrValue::Bool(b)) => a == b,
            (RuleValue::Text(a), crate::AttrValue::Num(_)) => a.parse::<f64>().ok() == v.as_f64(),
            _ => false,
        }
    }
    fn as_f64(&self) -> Option<f64> {
        match self {
            RuleValue::Number(n) => Some(*n),
            RuleValue::Text(t) => t.parse().ok(),
            RuleValue::Bool(_) => None,
        }
    }
}

/// One condition of a segment rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Condition {
    /// Count of events of `event` type (within `within_days` of the send date, if given) is in
    /// `min_count..=max_count`.
    Event {
        event: String,
        within_days: Option<u32>,
        min_count: u32,
        max_count: Option<u32>,
    },
    /// An attribute compared with a value.
    Attribute { attribute: String, test: AttrTest },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttrTest {
    Exists(bool),
    Equals(RuleValue),
    OneOf(Vec<RuleValue>),
    Range {
        at_least: Option<f64>,
        at_most: Option<f64>,
    },
}

impl Condition {
    pub fn matches(&self, r: &Recipient, send_date: Date) -> bool {
        match self {
            Condition::Event {
                event,
                within_days,
                min_count,
                max_count,
            } => {
                let n = r
                    .events
                    .iter()
                    .filter(|e| &e.kind == event)
                    .filter(|e| match within_days {
                        Some(d) => {
                            let age = send_date.days_since(e.at);
                            (0..=*d as i64).contains(&age)
                        }
                        None => true,
                    })
                    .count() as u32;
                n >= *min_count && max_count.is_none_or(|m| n <= m)
            }
            Condition::Attribute { attribute, test } => {
                let v = r.attributes.get(attribute);
                match test {
                    AttrTest::Exists(want) => v.is_some() == *want,
                    AttrTest::Equals(x) => v.is_some_and(|v| x.matches(v)),
                    AttrTest::OneOf(xs) => v.is_some_and(|v| xs.iter().any(|x| x.matches(v))),
                    AttrTest::Range { at_least, at_most } => {
                        v.and_then(|v| v.as_f64()).is_some_and(|n| {
                            at_least.is_none_or(|lo| n >= lo) && at_most.is_none_or(|hi| n <= hi)
                        })
                    }
                }
            }
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Segment {
    pub name: String,
    pub description: Option<String>,
    pub when: Vec<Condition>,
    /// Expected value of one send to this segment (revenue, margin: the marketer's figure).
    pub value_per_send: Money,
    pub body: Option<String>,
}

impl Segment {
    pub fn matches(&self, r: &Recipient, send_date: Date) -> bool {
        // Behavioural rules need profiling consent; without it only attribute-free rules apply.
        if !r.profiling_allowed() && !self.when.is_empty() {
            return false;
        }
        self.when.iter().all(|c| c.matches(r, send_date))
    }
}

/// Parts of an email a tier generates per recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    Subject,
    Opener,
    Body,
}

impl Part {
    fn parse(s: &str) -> Option<Part> {
        match s {
            "subject" => Some(Part::Subject),
            "opener" => Some(Part::Opener),
            "body" => Some(Part::Body),
            _ => None,
        }
    }
}

/// One paid (or local) call of a tier.
#[derive(Clone, Debug, Serialize)]
pub struct Stage {
    /// `plan`, `draft`, `refine`, `validate`, `write`, ...
    pub name: String,
    pub model: String,
    pub max_output_tokens: u32,
    /// What the estimate assumes a call writes; `max_output_tokens` bounds the reservation.
    pub expected_output_tokens: u32,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct ContextBudget {
    /// Most recipient facts the recipient block may carry.
    pub max_facts: u32,
    /// Most tokens the recipient block may carry.
    pub max_tokens: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct Tier {
    pub name: String,
    pub per_recipient: Vec<Part>,
    /// Calls per recipient, in order. Empty for `template`.
    pub stages: Vec<Stage>,
    pub retries: u32,
    /// Relative lift of this tier's email over a plain one (template = 1.0), in thousandths
    /// (`1.35` → 1350) so the planner's arithmetic stays integer.
    pub lift_milli: u32,
    pub context: ContextBudget,
}

impl Tier {
    pub fn is_template(&self) -> bool {
        self.stages.is_empty()
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Budgets {
    pub total: Option<Money>,
    pub per_segment: BTreeMap<String, Money>,
    pub per_send: Option<Money>,
    pub per_batch: Option<Money>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Targets {
    pub cost_per_1000: Option<Money>,
    /// In thousandths: 0.95 → 950.
    pub min_gate_pass_rate_milli: Option<u32>,
}

/// Model that writes a segment's shared body copy, once per segment.
#[derive(Clone, Debug, Serialize)]
pub struct CopyWriter {
    pub model: String,
    pub max_output_tokens: u32,
}

/// A validated campaign.
#[derive(Clone, Debug, Serialize)]
pub struct Campaign {
    pub name: String,
    pub kind: CampaignType,
    pub send_date: Date,
    pub batch_api: bool,
    pub brief: Option<String>,
    pub concurrency: u32,
    pub brand: Brand,
    /// Things the email may state (offer, discount, code, end date, products...), as JSON.
    pub facts: Map<String, Value>,
    pub segments: Vec<Segment>,
    pub copy: Option<CopyWriter>,
    /// Tiers from richest to cheapest: the degradation ladder. The last is the floor.
    pub ladder: Vec<Tier>,
    pub budgets: Budgets,
    pub targets: Targets,
    /// Campaign extensions to the gate's rule tables (passed through to the gate).
    pub gate_rules: Option<Value>,
}

/// Name of the implicit segment for recipients no rule matches.
pub const REST_SEGMENT: &str = "rest";

impl Campaign {
    /// Parse and validate a campaign file's text.
    pub fn from_toml(text: &str) -> Result<Campaign, CampaignError> {
        let de = toml::Deserializer::new(text);
        let raw: RawCampaign = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            CampaignError::Syntax {
                path: if path == "." {
                    "campaign file".into()
                } else {
                    path
                },
                message: inner.message().trim().to_string(),
            }
        })?;
        resolve(raw)
    }

    /// Segment for a recipient: the first whose rule matches, else [`REST_SEGMENT`].
    pub fn segment_of(&self, r: &Recipient) -> Option<&Segment> {
        self.segments.iter().find(|s| s.matches(r, self.send_date))
    }

    pub fn segment_name_of<'a>(&'a self, r: &Recipient) -> &'a str {
        self.segment_of(r)
            .map(|s| s.name.as_str())
            .unwrap_or(REST_SEGMENT)
    }

    pub fn tier(&self, name: &str) -> Option<&Tier> {
        self.ladder.iter().find(|t| t.name == name)
    }

    /// The gate's context: campaign facts plus brand name and `now`.
    pub fn gate_context_json(&self) -> Value {
        let mut m = self.facts.clone();
        m.insert("now".into(), Value::String(self.send_date.to_string()));
        m.entry("brand")
            .or_insert_with(|| Value::String(self.brand.name.clone()));
        Value::Object(m)
    }
}

fn money(path: &str, s: &str) -> Result<Money, CampaignError> {
    let m: Money = s.parse().map_err(|e| {
        CampaignError::invalid(
            path,
            format!("{e} (write dollars as a quoted decimal, e.g. \"12.50\")"),
        )
    })?;
    if m.is_negative() {
        return Err(CampaignError::invalid(path, "must not be negative"));
    }
    Ok(m)
}

/// Parse a decimal like `1.35` into thousandths.
fn milli(path: &str, s: &str) -> Result<u32, CampaignError> {
    let m = Money::parse_dollars(s)
        .map_err(|_| CampaignError::invalid(path, format!("`{s}` is not a decimal number")))?;
    let per_milli = crate::money::PICOS_PER_DOLLAR / 1000;
    if m.picos() % per_milli != 0 || m.is_negative() {
        return Err(CampaignError::invalid(
            path,
            format!("`{s}`: use a non-negative number with at most 3 decimals"),
        ));
    }
    u32::try_from(m.picos() / per_milli).map_err(|_| CampaignError::invalid(path, "too large"))
}

fn toml_to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

/// Default tiers (DESIGN.md's ladder). A campaign's `[tiers.NAME]` overrides fields of these.
/// (parts, stages, retries, lift in thousandths, context budget)
type TierDefaults = (Vec<Part>, Vec<Stage>, u32, u32, ContextBudget);

fn default_tier(name: &str) -> Option<TierDefaults> {
    let st = |name: &str, model: &str, max: u32, exp: u32| Stage {
        name: name.into(),
        model: model.into(),
        max_output_tokens: max,
        expected_output_tokens: exp,
    };
    match name {
        "deep" => Some((
            vec![Part::Subject, Part::Opener, Part::Body],
            vec![
                st("plan", "claude-sonnet-4-5", 300, 150),
                st("draft", "claude-sonnet-4-5", 700, 450),
                st("refine", "claude-sonnet-4-5", 700, 450),
            ],
            1,
            1350,
            ContextBudget {
                max_facts: 16,
                max_tokens: 600,
            },
        )),
        "standard" => Some((
            vec![Part::Subject, Part::Opener],
            vec![st("write", "gpt-4.1-mini", 160, 90)],
            2,
            1200,
            ContextBudget {
                max_facts: 8,
                max_tokens: 300,
            },
        )),
        "local" => Some((
            vec![Part::Opener],
            vec![st("write", "qwen2.5-coder-0.5b-instruct-q4_k_m", 80, 50)],
            1,
            1080,
            ContextBudget {
                max_facts: 4,
                max_tokens: 120,
            },
        )),
        "template" => Some((
            vec![Part::Opener],
            vec![],
            0,
            1000,
            ContextBudget {
                max_facts: 3,
                max_tokens: 0,
            },
        )),
        _ => None,
    }
}

pub const DEFAULT_LADDER: [&str; 4] = ["deep", "standard", "local", "template"];

fn resolve(raw: RawCampaign) -> Result<Campaign, CampaignError> {
    let RawCampaign {
        campaign,
        brand,
        facts,
        segments,
        copy,
        mut tiers,
        ladder,
        budget,
        targets,
        gate,
    } = raw;
    if campaign.name.trim().is_empty() {
        return Err(CampaignError::invalid("campaign.name", "must not be empty"));
    }
    let send_date = Date::parse(&campaign.send_date)
        .map_err(|e| CampaignError::invalid("campaign.send_date", e.to_string()))?;
    if brand.postal_address.trim().is_empty() {
        return Err(CampaignError::invalid(
            "brand.postal_address",
            "required: commercial email must carry the sender's postal address",
        ));
    }
    if !brand.sender.contains('@') {
        return Err(CampaignError::invalid(
            "brand.sender",
            "expected `Name <address>` or an address",
        ));
    }
    if let Some(u) = &brand.unsubscribe_url {
        if !u.starts_with("https://") {
            return Err(CampaignError::invalid(
                "brand.unsubscribe_url",
                "must be an https:// URL (List-Unsubscribe one-click needs https)",
            ));
        }
    }

    // Segments.
    let mut segs = Vec::new();
    for (i, s) in segments.into_iter().enumerate() {
        let base = format!("segments[{i}]");
        if s.name.trim().is_empty() || s.name == REST_SEGMENT {
            return Err(CampaignError::invalid(format!("{base}.name"), format!("must be non-empty and not `{REST_SEGMENT}` (reserved for unmatched recipients)")));
        }
        if segs.iter().any(|x: &Segment| x.name == s.name) {
            return Err(CampaignError::invalid(
                format!("{base}.name"),
                format!("duplicate segment `{}`", s.name),
            ));
        }
        let mut when = Vec::new();
        for (j, c) in s.when.into_iter().enumerate() {
            when.push(resolve_condition(&format!("{base}.when[{j}]"), c)?);
        }
        segs.push(Segment {
            name: s.name,
            description: s.description,
            when,
            value_per_send: money(&format!("{base}.value_per_send"), &s.value_per_send)?,
            body: s.body,
        });
    }

    // Tiers: defaults overridden by the file; the ladder orders them.
    let ladder_names: Vec<String> = match ladder {
        Some(l) => l,
        None => {
            let mut names: Vec<String> = DEFAULT_LADDER.iter().map(|s| s.to_string()).collect();
            for k in tiers.keys() {
                if !names.contains(k) {
                    names.insert(names.len().saturating_sub(1), k.clone());
                }
            }
            names
        }
    };
    if ladder_names.is_empty() {
        return Err(CampaignError::invalid("ladder", "needs at least one tier"));
    }
    let mut ladder_tiers = Vec::new();
    for (i, name) in ladder_names.iter().enumerate() {
        let path = format!("tiers.{name}");
        let raw_t = tiers.remove(name);
        let (mut parts, mut stages, mut retries, mut lift, mut ctx) =
            match (default_tier(name), &raw_t) {
                (Some(d), _) => d,
                (None, Some(_)) => (
                    vec![Part::Opener],
                    vec![],
                    1,
                    1000,
                    ContextBudget {
                        max_facts: 8,
                        max_tokens: 300,
                    },
                ),
                (None, None) => {
                    return Err(CampaignError::invalid(
                        format!("ladder[{i}]"),
                        format!("unknown tier `{name}`: define [tiers.{name}]"),
                    ))
                }
            };
        if let Some(t) = raw_t {
            if let Some(p) = t.per_recipient {
                parts = p
                    .iter()
                    .enumerate()
                    .map(|(j, s)| {
                        Part::parse(s).ok_or_else(|| {
                            CampaignError::invalid(
                                format!("{path}.per_recipient[{j}]"),
                                format!("`{s}` is not one of subject, opener, body"),
                            )
                        })
                    })
                    .collect::<Result<_, _>>()?;
            }
            if let Some(raw_stages) = t.stages {
                stages = Vec::new();
                for (j, s) in raw_stages.into_iter().enumerate() {
                    let sp = format!("{path}.stages[{j}]");
                    if s.model.trim().is_empty() {
                        return Err(CampaignError::invalid(
                            format!("{sp}.model"),
                            "must name a model",
                        ));
                    }
                    let max = s.max_output_tokens.or(t.max_output_tokens).unwrap_or(400);
                    let exp = s
                        .expected_output_tokens
                        .or(t.expected_output_tokens)
                        .unwrap_or(max)
                        .min(max);
                    stages.push(Stage {
                        name: s.name,
                        model: s.model,
                        max_output_tokens: max,
                        expected_output_tokens: exp,
                    });
                }
            } else {
                for s in &mut stages {
                    if let Some(m) = t.max_output_tokens {
                        s.max_output_tokens = m;
                    }
                    if let Some(e) = t.expected_output_tokens {
                        s.expected_output_tokens = e;
                    }
                    s.expected_output_tokens = s.expected_output_tokens.min(s.max_output_tokens);
                }
            }
            for (j, s) in stages.iter().enumerate() {
                if s.max_output_tokens == 0 {
                    return Err(CampaignError::invalid(
                        format!("{path}.stages[{j}].max_output_tokens"),
                        "must be at least 1",
                    ));
                }
            }
            if let Some(r) = t.retries {
                retries = r;
            }
            if let Some(l) = &t.lift {
                lift = milli(&format!("{path}.lift"), l)?;
            }
            if let Some(c) = t.context {
                if let Some(f) = c.max_facts {
                    ctx.max_facts = f;
                }
                if let Some(m) = c.max_tokens {
                    ctx.max_tokens = m;
                }
            }
        }
        ladder_tiers.push(Tier {
            name: name.clone(),
            per_recipient: parts,
            stages,
            retries,
            lift_milli: lift,
            context: ctx,
        });
    }
    if let Some(extra) = tiers.keys().next() {
        return Err(CampaignError::invalid(
            format!("tiers.{extra}"),
            format!(
                "tier `{extra}` is not in `ladder`: add it there, or remove (or comment out) \
                 its `[tiers.{extra}]` table"
            ),
        ));
    }
    if ladder_tiers.last().is_some_and(|t| !t.is_template()) {
        return Err(CampaignError::invalid("ladder", "the last tier must be a template tier (no stages): it is the floor every recipient can fall to"));
    }

    // Budgets.
    let mut per_segment = BTreeMap::new();
    for (k, v) in &budget.per_segment {
        if k != REST_SEGMENT && !segs.iter().any(|s| &s.name == k) {
            return Err(CampaignError::invalid(
                format!("budget.per_segment.{k}"),
                "no segment by that name",
            ));
        }
        per_segment.insert(k.clone(), money(&format!("budget.per_segment.{k}"), v)?);
    }
    let budgets = Budgets {
        total: budget
            .total
            .as_deref()
            .map(|s| money("budget.total", s))
            .transpose()?,
        per_segment,
        per_send: budget
            .per_send
            .as_deref()
            .map(|s| money("budget.per_send", s))
            .transpose()?,
        per_batch: budget
            .per_batch
            .as_deref()
            .map(|s| money("budget.per_batch", s))
            .transpose()?,
    };
    let targets = Targets {
        cost_per_1000: targets
            .cost_per_1000
            .as_deref()
            .map(|s| money("targets.cost_per_1000", s))
            .transpose()?,
        min_gate_pass_rate_milli: targets
            .min_gate_pass_rate
            .as_deref()
            .map(|s| {
                let m = milli("targets.min_gate_pass_rate", s)?;
                if m > 1000 {
                    Err(CampaignError::invalid(
                        "targets.min_gate_pass_rate",
                        "a rate between 0 and 1",
                    ))
                } else {
                    Ok(m)
                }
            })
            .transpose()?,
    };
    let concurrency = campaign.concurrency.unwrap_or(4);
    if concurrency == 0 || concurrency > 256 {
        return Err(CampaignError::invalid(
            "campaign.concurrency",
            "between 1 and 256",
        ));
    }

    Ok(Campaign {
        name: campaign.name,
        kind: CampaignType::parse(&campaign.kind),
        send_date,
        batch_api: campaign.batch_api,
        brief: campaign.brief,
        concurrency,
        brand: Brand {
            name: brand.name,
            sender: brand.sender,
            postal_address: brand.postal_address,
            voice: brand.voice,
            banned_phrases: brand.banned_phrases,
            unsubscribe_url: brand.unsubscribe_url,
        },
        facts: facts
            .iter()
            .map(|(k, v)| (k.clone(), toml_to_json(v)))
            .collect(),
        segments: segs,
        copy: copy.map(|c| CopyWriter {
            model: c.model,
            max_output_tokens: c.max_output_tokens.unwrap_or(500),
        }),
        ladder: ladder_tiers,
        budgets,
        targets,
        gate_rules: gate.map(|g| toml_to_json(&toml::Value::Table(g))),
    })
}

fn resolve_condition(path: &str, c: RawCondition) -> Result<Condition, CampaignError> {
    match (c.event, c.attribute) {
        (Some(_), Some(_)) => Err(CampaignError::invalid(
            path,
            "a condition tests either `event` or `attribute`, not both",
        )),
        (None, None) => Err(CampaignError::invalid(
            path,
            "a condition needs `event` or `attribute`",
        )),
        (Some(event), None) => {
            if c.equals.is_some()
                || c.one_of.is_some()
                || c.at_least.is_some()
                || c.at_most.is_some()
                || c.exists.is_some()
            {
                return Err(CampaignError::invalid(
                    path,
                    "event conditions take `within_days`, `min_count`, `max_count`",
                ));
            }
            let min_count = c
                .min_count
                .unwrap_or(if c.max_count == Some(0) { 0 } else { 1 });
            if let Some(m) = c.max_count {
                if m < min_count {
                    return Err(CampaignError::invalid(
                        format!("{path}.max_count"),
                        "is below min_count",
                    ));
                }
            }
            Ok(Condition::Event {
                event,
                within_days: c.within_days,
                min_count,
                max_count: c.max_count,
            })
        }
        (None, Some(attribute)) => {
            if c.within_days.is_some() || c.min_count.is_some() || c.max_count.is_some() {
                return Err(CampaignError::invalid(path, "attribute conditions take `equals`, `one_of`, `at_least`, `at_most` or `exists`"));
            }
            let test = if let Some(v) = c.equals {
                AttrTest::Equals(RuleValue::from_toml(&v, &format!("{path}.equals"))?)
            } else if let Some(vs) = c.one_of {
                AttrTest::OneOf(
                    vs.iter()
                        .enumerate()
                        .map(|(k, v)| RuleValue::from_toml(v, &format!("{path}.one_of[{k}]")))
                        .collect::<Result<_, _>>()?,
                )
            } else if c.at_least.is_some() || c.at_most.is_some() {
                let num = |v: Option<toml::Value>,
                           key: &str|
                 -> Result<Option<f64>, CampaignError> {
                    v.map(|v| {
                        RuleValue::from_toml(&v, &format!("{path}.{key}"))?
                            .as_f64()
                            .ok_or_else(|| {
                                CampaignError::invalid(format!("{path}.{key}"), "expected a number")
                            })
                    })
                    .transpose()
                };
                AttrTest::Range {
                    at_least: num(c.at_least, "at_least")?,
                    at_most: num(c.at_most, "at_most")?,
                }
            } else {
                AttrTest::Exists(c.exists.unwrap_or(true))
            };
            Ok(Condition::Attribute { attribute, test })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recipient::Limits;

    pub const EXAMPLE: &str = r#"
[campaign]
name = "winter-trail"
type = "promotion"
send_date = "2026-12-01"

[brand]
name = "Northwind Outfitters"
sender = "Northwind <hello@northwind.example>"
postal_address = "12 Harbour Rd, Portland, ME 04101, USA"
banned_phrases = ["act now"]
unsubscribe_url = "https://northwind.example/u/{recipient}"

[facts]
offer = "20% off hiking boots"
code = "TRAIL20"
end_date = 2026-12-14

[[segments]]
name = "recent-buyers"
value_per_send = "0.40"
when = [{ event = "purchase", within_days = 90 }]

[[segments]]
name = "gold"
value_per_send = "0.25"
when = [{ attribute = "loyalty_tier", one_of = ["Gold", "Platinum"] }]

[tiers.standard]
lift = "1.25"
max_output_tokens = 120

[budget]
total = "25.00"
per_segment = { recent-buyers = "10" }
per_send = "0.02"
"#;

    #[test]
    fn a_tier_table_outside_the_ladder_says_how_to_fix_it() {
        let toml = format!("ladder = [\"local\", \"template\"]\n{EXAMPLE}");
        let e = Campaign::from_toml(&toml).unwrap_err().to_string();
        assert!(e.contains("tiers.standard"), "{e}");
        assert!(e.contains("add it there, or remove"), "{e}");
    }

    #[test]
    fn parses_example() {
        let c = Campaign::from_toml(EXAMPLE).unwrap();
        assert_eq!(
            c.ladder.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            DEFAULT_LADDER
        );
        let std = c.tier("standard").unwrap();
        assert_eq!(std.lift_milli, 1250);
        assert_eq!(std.stages[0].max_output_tokens, 120);
        assert_eq!(c.budgets.total, Some(Money::from_dollars(25)));
        assert_eq!(c.facts["end_date"], Value::String("2026-12-14".into()));
        let r = Recipient::from_json(
            r#"{"id":"1","email":"a@b.co","events":[{"type":"purchase","at":"2026-10-01"}]}"#,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(c.segment_name_of(&r), "recent-buyers");
        let r2 = Recipient::from_json(
            r#"{"id":"2","email":"a@b.co","attributes":{"loyalty_tier":"gold"}}"#,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(c.segment_name_of(&r2), "gold");
        let r3 =
            Recipient::from_json(r#"{"id":"3","email":"a@b.co"}"#, &Limits::default()).unwrap();
        assert_eq!(c.segment_name_of(&r3), REST_SEGMENT);
    }

    fn err_path(text: &str) -> String {
        Campaign::from_toml(text).unwrap_err().path().to_string()
    }

    #[test]
    fn errors_name_the_key_path() {
        let unknown = EXAMPLE.replace("banned_phrases", "banned_phrase");
        assert_eq!(err_path(&unknown), "brand.banned_phrase");
        let e = Campaign::from_toml(&unknown).unwrap_err().to_string();
        assert!(e.contains("banned_phrase"), "{e}");
        assert_eq!(
            err_path(&EXAMPLE.replace("lift = \"1.25\"", "lift = \"lots\"")),
            "tiers.standard.lift"
        );
        assert_eq!(
            err_path(&EXAMPLE.replace("value_per_send = \"0.40\"", "value_per_send = 0.4")),
            "segments[0].value_per_send"
        );
        assert_eq!(
            err_path(&EXAMPLE.replace("within_days = 90", "within_days = 90, equals = 1")),
            "segments[0].when[0]"
        );
        assert_eq!(
            err_path(&EXAMPLE.replace("recent-buyers = \"10\"", "nobody = \"10\"")),
            "budget.per_segment.nobody"
        );
        assert_eq!(
            err_path(&EXAMPLE.replace("2026-12-01", "December")),
            "campaign.send_date"
        );
        assert_eq!(
            err_path(&EXAMPLE.replace("https://northwind", "http://northwind")),
            "brand.unsubscribe_url"
        );
        assert_eq!(
            err_path(&format!(
                "{EXAMPLE}\n[tiers.fancy]\nstages = [{{ name = \"x\", modl = \"gpt-5\" }}]\n"
            )),
            "tiers.fancy.stages[0].modl"
        );
    }

    #[test]
    fn segment_rules() {
        let c = Campaign::from_toml(&EXAMPLE.replace(
            "when = [{ event = \"purchase\", within_days = 90 }]",
            "when = [{ event = \"purchase\", min_count = 2 }, { attribute = \"ltv\", at_least = 100 }]",
        ))
        .unwrap();
        let mk = |ev: usize, ltv: u32| {
            let events: Vec<String> = (0..ev)
                .map(|i| format!(r#"{{"type":"purchase","at":"2025-0{}-01"}}"#, i + 1))
                .collect();
            Recipient::from_json(
                &format!(
                    r#"{{"id":"1","email":"a@b.co","attributes":{{"ltv":{ltv}}},"events":[{}]}}"#,
                    events.join(",")
                ),
                &Limits::default(),
            )
            .unwrap()
        };
        assert_eq!(c.segment_name_of(&mk(2, 150)), "recent-buyers");
        assert_eq!(c.segment_name_of(&mk(1, 150)), REST_SEGMENT);
        assert_eq!(c.segment_name_of(&mk(3, 50)), REST_SEGMENT);
    }
}
