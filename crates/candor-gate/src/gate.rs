//! The gate: rules compiled once, then one pure check per email.

use std::sync::OnceLock;

use candor_domain::Recipient;

use crate::checks::Checker;
use crate::context::Context;
use crate::email::Email;
use crate::facts::CampaignFacts;
use crate::report::Report;
use crate::rules::{Compiled, RuleError, RuleTable};

/// The authenticity gate. Build once (rules are parsed and compiled here), check many emails;
/// `check` is pure and safe to call from many threads.
#[derive(Clone, Debug)]
pub struct Gate {
    rules: Compiled,
}

impl Default for Gate {
    fn default() -> Self {
        Gate::new()
    }
}

impl Gate {
    /// A gate with the built-in rules.
    pub fn new() -> Gate {
        // The built-in table is tested to parse and compile; an empty table is only a fallback
        // so construction can never panic.
        match RuleTable::builtin().and_then(Gate::with_rules) {
            Ok(g) => g,
            Err(_) => Gate {
                rules: Compiled::new(RuleTable::default()).unwrap_or_else(|_| unreachable_rules()),
            },
        }
    }

    /// A gate with exactly this table (start from [`RuleTable::builtin`] and
    /// [`RuleTable::extend`] it with a campaign's rules).
    pub fn with_rules(table: RuleTable) -> Result<Gate, RuleError> {
        Ok(Gate {
            rules: Compiled::new(table)?,
        })
    }

    /// The built-in rules extended by a campaign's table.
    pub fn with_extension(extension: RuleTable) -> Result<Gate, RuleError> {
        let mut t = RuleTable::builtin()?;
        t.extend(extension);
        Gate::with_rules(t)
    }

    /// Check a whole email.
    pub fn check(&self, email: &Email, recipient: &Recipient, ctx: &Context) -> Report {
        let mut text = String::with_capacity(email.subject.len() + email.body.len() + 2);
        text.push_str(&email.subject);
        text.push_str("\n\n");
        text.push_str(&email.body);
        let mut c = Checker::new(
            &self.rules,
            &text,
            email.subject.len(),
            recipient,
            ctx,
            None,
        );
        c.run();
        c.finish()
    }

    /// Index a campaign's context once, for [`Gate::check_prepared`]: a run checks every
    /// email against the same campaign facts, so they are tokenized and stemmed only once.
    pub fn prepare(&self, ctx: Context) -> Prepared {
        Prepared {
            ctx,
            campaign: OnceLock::new(),
        }
    }

    /// [`Gate::check`] against a prepared context: the same report, less work per email.
    pub fn check_prepared(&self, email: &Email, recipient: &Recipient, p: &Prepared) -> Report {
        let campaign = p
            .campaign
            .get_or_init(|| CampaignFacts::build(&self.rules, recipient, &p.ctx));
        let mut text = String::with_capacity(email.subject.len() + email.body.len() + 2);
        text.push_str(&email.subject);
        text.push_str("\n\n");
        text.push_str(&email.body);
        let mut c = Checker::new(
            &self.rules,
            &text,
            email.subject.len(),
            recipient,
            &p.ctx,
            Some(campaign),
        );
        c.run();
        c.finish()
    }

    /// Check an opener fragment (one to three sentences) before it is composed into an email.
    /// Spans in the report are relative to `opener`.
    pub fn check_opener(&self, opener: &str, recipient: &Recipient, ctx: &Context) -> Report {
        self.check(&Email::new("", opener), recipient, ctx)
    }
}

/// A campaign context prepared by [`Gate::prepare`] (for the gate that prepared it).
#[derive(Debug)]
pub struct Prepared {
    ctx: Context,
    campaign: OnceLock<CampaignFacts>,
}

impl Prepared {
    pub fn context(&self) -> &Context {
        &self.ctx
    }
}

/// An empty table always compiles; this exists only to satisfy the type without a panic path.
fn unreachable_rules() -> Compiled {
    Compiled::empty()
}
