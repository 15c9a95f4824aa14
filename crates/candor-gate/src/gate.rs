//! The gate: rules compiled once, then one pure check per email.

use std::sync::OnceLock;

use candor_domain::Recipient;

use crate::checks::{Checker, PartTally};
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
        let campaign = self.campaign(recipient, p);
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

    /// Judge copy that many emails share (a segment's body, the offer, the footer) once.
    ///
    /// It is checked against `probe`, a record with no facts: copy that goes to a whole segment
    /// cannot be grounded in any one person's facts, so it must not claim anything about the
    /// reader at all. Each email then needs only [`Gate::check_with_shared`] on its own part.
    /// If the shared part does not pass on its own, check each whole email instead.
    pub fn prepare_shared(&self, text: &str, probe: &Recipient, p: &Prepared) -> SharedPart {
        let campaign = self.campaign(probe, p);
        let doc = format!("\n\n{text}");
        let mut c = Checker::new(&self.rules, &doc, 0, probe, &p.ctx, Some(campaign));
        c.run();
        let tally = std::mem::take(&mut c.tally);
        SharedPart {
            text: text.to_string(),
            report: c.finish(),
            tally,
        }
    }

    /// Check an email whose body is `personal`, a blank line, then `shared`'s text.
    ///
    /// Only `personal` (and the subject) is read for claims; the whole-email lint (length,
    /// shouting, language, the unsubscribe line) counts the shared part too. The email passes
    /// when this report passes and `shared` passed. Spans are relative to the subject and to
    /// `personal`, which is where the body starts, so they are the whole email's spans too.
    pub fn check_with_shared(
        &self,
        subject: &str,
        personal: &str,
        shared: &SharedPart,
        recipient: &Recipient,
        p: &Prepared,
    ) -> Report {
        let campaign = self.campaign(recipient, p);
        let mut text = String::with_capacity(subject.len() + personal.len() + 2);
        text.push_str(subject);
        text.push_str("\n\n");
        text.push_str(personal);
        let mut c = Checker::new(
            &self.rules,
            &text,
            subject.len(),
            recipient,
            &p.ctx,
            Some(campaign),
        );
        c.tail = Some(&shared.tally);
        c.run();
        c.finish()
    }

    fn campaign<'p>(&self, recipient: &Recipient, p: &'p Prepared) -> &'p CampaignFacts {
        p.campaign
            .get_or_init(|| CampaignFacts::build(&self.rules, recipient, &p.ctx))
    }

    /// Check an opener fragment (one to three sentences) before it is composed into an email.
    /// Spans in the report are relative to `opener`.
    pub fn check_opener(&self, opener: &str, recipient: &Recipient, ctx: &Context) -> Report {
        self.check(&Email::new("", opener), recipient, ctx)
    }
}

/// Copy shared by many emails, judged once by [`Gate::prepare_shared`].
#[derive(Clone, Debug)]
pub struct SharedPart {
    text: String,
    report: Report,
    tally: PartTally,
}

impl SharedPart {
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The shared part's own report, against a record with no facts.
    pub fn report(&self) -> &Report {
        &self.report
    }

    pub fn passed(&self) -> bool {
        self.report.passed()
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
