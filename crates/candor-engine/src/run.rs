//! `candor run`: every recipient ends with one checked email in the outbox or a recorded skip.
//!
//! Flow: a first streaming pass estimates and plans (tier quotas per segment under the
//! budget); a second streaming pass hands each recipient its planned tier (the plan cursor
//! keeps the mix proportional at every point), gathers the most relevant facts within the
//! tier's context budget, runs the tier's stages through the governor with bounded
//! concurrency, and gates the composed email. On findings it retries with the findings fed back,
//! up to the tier's limit, then falls one tier down; `template` is the floor. A single sink task
//! writes the outbox, so records are appended in one place.
//!
//! Invariants:
//! - No email reaches the outbox without passing the gate; if even the floor fails, the
//!   recipient is skipped with the findings as the reason.
//! - Resume: recipients with a record in `records.jsonl` are not processed again; the plan is
//!   recomputed from the same input, and the cursor is advanced over finished recipients too, so
//!   the rest get the tiers they would have had. A recipient whose message was written but whose
//!   record was not is processed again and its message replaced (same file name); its calls
//!   are answered from the store's response cache, so they are not paid twice.
//! - Spend running hot (settled spend of finished recipients above their planned spend by the
//!   threshold, and, when a budget is set, on course to overrun it) moves the remaining
//!   recipients of the lowest-value segments one tier down, one segment more at each check
//!   while it stays hot; every move is in the recipient's record.
//! - Shared body copy is generated at most once per segment per run (and answered from the
//!   response cache on a rerun).

use std::collections::BTreeMap;

use foldhash::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use candor_audit::{Audit, GateCheck, SendRow};
use candor_domain::campaign::{Part, Segment, Tier, REST_SEGMENT};
use candor_domain::{Campaign, ChatRequest, EmailAddress, Limits, Money, Recipient};
use candor_gate::{Context, Email, Gate, Prepared, RuleTable, SharedPart};
use candor_governor::{CallContext, CallOutcome, Governor, GovernorError, Hold, Pricer};
use candor_pricing::PriceTable;
use candor_providers::Provider;
use candor_store::{Attribution, CacheKey, Caps, GateVerdict, LedgerId, RecipientKey, Scope};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, OnceCell, Semaphore};

use crate::batch;
use crate::compose::{self, Parsed};
use crate::estimate::{Estimate, Estimator};
use crate::ingest::RecipientReader;
use crate::outbox::{self, Composed, MessageSpec, Outbox, Record, RecordFinding, Sender, Status};
use crate::plan::PlanCursor;
use crate::progress::{Progress, Snapshot};
use crate::prompt::{self, CallInput, Fact};
use crate::template::{CampaignFacts, FactUse, TemplateSet};

/// Version of the `--json` summary.
pub const SUMMARY_VERSION: u32 = 1;

/// How many gate catches the summary keeps as examples.
const EXAMPLES: usize = 3;
/// How many moves the summary lists (all are in the records).
const MOVES_LISTED: usize = 50;
/// Check the spend heat every this many finished recipients.
const HEAT_CHECK_EVERY: u64 = 20;

/// Where a model's calls go and what they cost.
#[derive(Clone)]
pub struct ModelRoute {
    pub provider: Arc<dyn Provider>,
    pub pricer: Arc<dyn Pricer>,
    /// A small on-device model: openers use the short prompt ([`prompt::build_compact`]) and
    /// are cut to two sentences.
    pub compact: bool,
}

/// Resolves a model name to its provider and price.
pub trait Router: Send + Sync {
    fn route(&self, model: &str) -> Option<ModelRoute>;
    /// Tokens of `text` for `model`, for the context budget.
    fn count_tokens(&self, model: &str, text: &str) -> u64 {
        // Fact lines recur across recipients: remembered per thread.
        candor_pricing::tokens::count_line(model, text).tokens.0
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("reading recipients: {0}")]
    Ingest(#[from] crate::ingest::IngestError),
    #[error("estimating the campaign: {0}")]
    Estimate(#[from] crate::estimate::EstimateError),
    #[error("outbox: {0}")]
    Outbox(#[from] outbox::OutboxError),
    #[error("templates: {0}")]
    Template(#[from] crate::template::TemplateError),
    #[error("audit log: {0}")]
    Audit(#[from] candor_audit::AuditError),
    #[error("the store failed, so spend can no longer be recorded: {0}")]
    Store(String),
    #[error("campaign: {0}")]
    Campaign(String),
    #[error("gate rules: {0}")]
    Gate(String),
}

/// How to run.
pub struct RunOptions {
    pub out_dir: PathBuf,
    /// Tasks in flight; `None` = the campaign's `concurrency`.
    pub concurrency: Option<usize>,
    /// Only these tiers (in ladder order); `None` = the campaign's whole ladder.
    pub tiers: Option<Vec<String>>,
    /// Salt for recipient keys in the ledger and unsubscribe links.
    pub salt: Vec<u8>,
    /// The messages' Date header.
    pub date: time::OffsetDateTime,
    /// The store's SQLite file, for the audit's per-send log; `None` = no audit log.
    pub audit_db: Option<PathBuf>,
    /// Where bad input rows go.
    pub quarantine: Option<PathBuf>,
    /// Progress line writer (stderr when it is a terminal), or `None` for quiet.
    pub progress: Option<Box<dyn Write + Send>>,
    /// Spend is "hot" when finished recipients cost more than this many thousandths of plan.
    pub hot_threshold_milli: u32,
    /// The global budget across campaigns (from `candor.toml`), if any.
    pub global_budget: Option<Money>,
    /// fsync every outbox write (default on; off still survives SIGKILL, not power loss).
    pub durable: bool,
    /// How long an outbox batch stays open at most (default [`outbox::BATCH_AGE`]).
    pub batch_age: std::time::Duration,
    /// How often a running provider batch is asked how far it is, at most (default 30 s; the
    /// first asks come sooner: after 1 s, then twice as long each time).
    pub batch_poll: std::time::Duration,
    /// Set it to stop the run gently: no new recipient starts, the ones in flight finish
    /// (their calls answered, settled and cached) and are written, and `run` returns with
    /// `interrupted`. [`run_blocking`] also sets it on Ctrl-C; a second Ctrl-C exits at once.
    pub stop: Option<Arc<std::sync::atomic::AtomicBool>>,
}

impl RunOptions {
    pub fn new(out_dir: impl Into<PathBuf>) -> RunOptions {
        RunOptions {
            out_dir: out_dir.into(),
            concurrency: None,
            tiers: None,
            salt: Vec::new(),
            date: time::OffsetDateTime::now_utc(),
            audit_db: None,
            quarantine: None,
            progress: None,
            hot_threshold_milli: 1_100,
            global_budget: None,
            durable: true,
            batch_age: outbox::BATCH_AGE,
            batch_poll: std::time::Duration::from_secs(30),
            stop: None,
        }
    }
}

/// Everything the run needs that is built outside it.
pub struct RunInputs {
    pub campaign: Campaign,
    pub recipients: PathBuf,
    pub prices: PriceTable,
    pub governor: Arc<Governor>,
    pub router: Arc<dyn Router>,
}

/// One tier move.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Move {
    pub recipient: String,
    pub from: String,
    pub to: String,
    /// `gate` (findings after retries), `error` (a provider failed), `budget` (a reservation was
    /// refused), `no_route` (no provider for the model), `spend_hot` (spend ran above plan).
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// A gate catch, for the summary's examples.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catch {
    pub recipient: String,
    pub tier: String,
    /// The text that was caught (the opener, or the whole body for deep tiers).
    pub text: String,
    /// `kind: "span" — reason` per finding.
    pub findings: Vec<String>,
}

/// The machine summary (`candor run --json`). Fields are only ever added.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub version: u32,
    pub campaign: String,
    pub outbox: String,
    /// Valid recipients read.
    pub recipients: u64,
    /// Rows refused at input (see the quarantine file).
    pub quarantined: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine_file: Option<String>,
    /// Recipients finished by an earlier, interrupted run of the same command.
    pub resumed: u64,
    /// Emails written by this run.
    pub sent: u64,
    /// Skips by reason (this run).
    pub skipped: BTreeMap<String, u64>,
    /// Emails by the tier that produced them (this run).
    pub tier_mix: BTreeMap<String, u64>,
    /// The planner's tier mix for the whole list.
    pub planned_mix: BTreeMap<String, u64>,
    pub moves_by_reason: BTreeMap<String, u64>,
    /// The first moves (every move is in its recipient's record).
    pub moves: Vec<Move>,
    pub gate_checks: u64,
    pub gate_passes: u64,
    pub findings_by_kind: BTreeMap<String, u64>,
    pub examples: Vec<Catch>,
    /// Ledger rows written for this run's calls (attempts, including cache hits).
    pub calls: u64,
    pub cache_hits: u64,
    /// Settled spend of this run.
    pub spend: Money,
    /// What the plan expected for the whole list.
    pub planned: Money,
    pub budget: Option<Money>,
    pub elapsed_ms: u64,
    /// The run was stopped before every recipient was done (see [`RunOptions::stop`]); the
    /// same command continues it.
    #[serde(default)]
    pub interrupted: bool,
    /// What the user should know about how the run was planned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Provider batches this run submitted or collected (`batch_api = true`).
    #[serde(default)]
    pub batches: u64,
    /// Requests those batches answered (each priced at batch rates).
    #[serde(default)]
    pub batched_calls: u64,
}

/// What one recipient came to.
struct Outcome {
    id: candor_domain::RecipientId,
    record: Record,
    message: Option<String>,
    planned_cost: Money,
    calls: u64,
    cache_hits: u64,
    catches: Vec<Catch>,
    moves: Vec<Move>,
    findings: Vec<String>,
    fatal: Option<String>,
}

/// Shared, read-only state of a run.
struct Shared {
    campaign: Campaign,
    gate: Gate,
    /// The campaign's gate context, indexed once for every check of the run.
    ctx: Prepared,
    templates: TemplateSet,
    campaign_facts: CampaignFacts,
    governor: Arc<Governor>,
    router: Arc<dyn Router>,
    sender: Sender,
    unsubscribe: String,
    salt: Vec<u8>,
    date: time::OffsetDateTime,
    offer: String,
    fallback_body: String,
    /// Per segment name: its body copy, written at most once.
    bodies: HashMap<String, OnceCell<BodyCopy>>,
    /// Spend on shared body copy (charged to no single recipient).
    copy_spend: Mutex<Money>,
    copy_probe: Recipient,
    /// The unsubscribe URL of `copy_probe`: shared copy is checked with it, so the check of
    /// the part every recipient shares is the same for all of them.
    probe_unsubscribe: String,
    /// Shared parts (body copy, offer, footer), each judged once: by a hash of what they are
    /// made from (see [`shared_part`]).
    shared_parts: Mutex<HashMap<u64, Vec<SharedEntry>>>,
    shared_parts_hasher: foldhash::fast::RandomState,
    /// Encoded shared copy (body, offer, footer) by body text, made once each.
    mime_parts: Mutex<HashMap<String, Arc<outbox::SharedMime>>>,
    terms: prompt::CampaignTerms,
    prefixes: prompt::StaticPrefixes,
    /// While a collect round runs (`batch_api`): where calls a batch can carry are held.
    collect: Mutex<Option<Arc<batch::Collector>>>,
    /// Batched answers, by request, until a recipient's call takes one up (with its cost, into
    /// its record).
    batch_paid: Mutex<HashMap<CacheKey, Paid>>,
}

/// A batched answer not yet taken up by a recipient.
#[derive(Clone, Copy, Debug)]
struct Paid {
    cost: Money,
    /// The ledger row that settled it, when known.
    ledger: Option<LedgerId>,
    /// Settled by this process (so part of this run's spend).
    this_run: bool,
}

#[derive(Clone, Debug)]
struct BodyCopy {
    text: String,
}

fn parse_sender(c: &Campaign) -> Result<Sender, RunError> {
    let raw = c.brand.sender.trim();
    let (name, addr) = match (raw.find('<'), raw.rfind('>')) {
        (Some(l), Some(r)) if l < r => (
            raw[..l].trim().trim_matches('"').trim().to_string(),
            &raw[l + 1..r],
        ),
        _ => (String::new(), raw),
    };
    let address = EmailAddress::parse(addr)
        .map_err(|e| RunError::Campaign(format!("`brand.sender`: {e}")))?;
    Ok(Sender {
        name: if name.is_empty() {
            c.brand.name.clone()
        } else {
            name
        },
        address,
        postal_address: c.brand.postal_address.clone(),
    })
}

/// Whether the record says the person does not want marketing email.
fn email_consent_refused(r: &Recipient) -> bool {
    let is = |k: &str, want: bool| {
        r.attr(k).is_some_and(|v| match v {
            candor_domain::AttrValue::Bool(b) => *b == want,
            candor_domain::AttrValue::Str(s) => {
                let s = s.trim().to_ascii_lowercase();
                if want {
                    matches!(s.as_str(), "true" | "yes" | "1")
                } else {
                    matches!(s.as_str(), "false" | "no" | "0")
                }
            }
            candor_domain::AttrValue::Num(n) => (*n != 0.0) == want,
        })
    };
    is("unsubscribed", true)
        || is("email_opt_out", true)
        || is("email_opt_in", false)
        || is("email_consent", false)
        || is("marketing_consent", false)
        || is("subscribed", false)
}

/// Run a campaign end to end.
pub async fn run(inputs: RunInputs, mut opts: RunOptions) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let mut campaign = inputs.campaign;
    if let Some(allowed) = &opts.tiers {
        campaign.ladder.retain(|t| allowed.contains(&t.name));
        if campaign.ladder.is_empty() {
            return Err(RunError::Campaign(format!(
                "none of the tiers {allowed:?} is in the campaign's ladder"
            )));
        }
    }
    if !campaign.ladder.last().is_some_and(Tier::is_template) {
        return Err(RunError::Campaign(
            "the ladder must end with the `template` tier (the floor every email can fall to)"
                .into(),
        ));
    }
    let unsubscribe = campaign.brand.unsubscribe_url.clone().ok_or_else(|| {
        RunError::Campaign(
            "`brand.unsubscribe_url` is required: every email carries a one-click unsubscribe link"
                .into(),
        )
    })?;
    let sender = parse_sender(&campaign)?;
    set_budgets(&inputs.governor, &campaign, opts.global_budget).await?;
    // Batches go to providers that take them (the remote OpenAI and Anthropic clients); the
    // rest of a `batch_api` campaign's calls are sent synchronously and planned at synchronous
    // prices (a plan at batch prices would expect half the spend, and the spend-hot check
    // would then move recipients down the ladder for nothing).
    let mut notes = Vec::new();
    let router = Arc::clone(&inputs.router);
    let batched = move |model: &str| {
        router
            .route(model)
            .is_some_and(|r| r.provider.batch().is_some())
    };
    let batching = campaign.batch_api
        && (campaign
            .ladder
            .iter()
            .flat_map(|t| &t.stages)
            .any(|s| batched(&s.model))
            || campaign.copy.as_ref().is_some_and(|c| batched(&c.model)));
    if campaign.batch_api && !batching {
        campaign.batch_api = false;
        notes.push(
            "`batch_api = true`, but no provider of this campaign's models takes batches (only \
             the remote OpenAI and Anthropic clients do): every call is sent synchronously, \
             planned at synchronous prices"
                .to_string(),
        );
    }

    // A recipients file that cannot be read is reported before the outbox is made.
    drop(RecipientReader::open(&inputs.recipients, None)?);
    outbox::check_campaign(&opts.out_dir, &campaign.name)?;
    let (mut ob, done) = Outbox::open(&opts.out_dir)?;
    outbox::mark_campaign(&opts.out_dir, &campaign.name)?;
    // Earlier runs of this campaign (other lists, other outboxes) spent from the same budgets,
    // and the governor holds every call to what is left of them: so does the plan.
    let configured_budgets = campaign.budgets.clone();
    let base = baseline(&inputs.governor, &campaign, &opts.out_dir, &done).await?;
    let left = budgets_left(&campaign, opts.global_budget, &base);
    if let Some(note) = &left.note {
        notes.push(note.clone());
    }
    campaign.budgets.total = left.total;
    campaign.budgets.per_segment = left.per_segment.clone();

    // Pass 1: estimate and plan.
    let estimate = {
        let mut est = Estimator::new(&campaign, &inputs.prices)?;
        if batching {
            est.batch_only(&batched);
        }
        let mut reader = RecipientReader::open(&inputs.recipients, None)?;
        for r in reader.by_ref() {
            est.add(&r);
        }
        if let Some(e) = reader.take_error() {
            return Err(e.into());
        }
        let stats = reader.stats();
        est.finish(stats, &inputs.prices)?
    };
    campaign.budgets = configured_budgets;
    // Nothing to write is worth saying, not just a zero in the summary.
    if estimate.input.accepted == 0 {
        let file = inputs.recipients.display();
        notes.push(if estimate.input.quarantined > 0 {
            format!(
                "every record in `{file}` ({}) was quarantined: no email was written; the \
                 quarantine file names each row's problem",
                estimate.input.quarantined
            )
        } else {
            format!("`{file}` holds no recipient records: no email was written")
        });
    }
    let ladder_names: Vec<String> = campaign.ladder.iter().map(|t| t.name.clone()).collect();
    let mut cursor = PlanCursor::new(&estimate.plan, &ladder_names);
    let per_send = per_send_costs(&estimate);
    let mut planned_mix = BTreeMap::new();
    for s in &estimate.plan.segments {
        for (t, n) in &s.tiers {
            *planned_mix.entry(t.clone()).or_insert(0) += n;
        }
    }
    // Segments from lowest to highest value: the order spend-hot moves take.
    let mut by_value: Vec<(Money, String)> = campaign
        .segments
        .iter()
        .map(|s| (s.value_per_send, s.name.clone()))
        .collect();
    by_value.push((Money::ZERO, REST_SEGMENT.to_string()));
    by_value.sort();

    let gate = match &campaign.gate_rules {
        None => Gate::new(),
        Some(v) => {
            let ext: RuleTable = serde_json::from_value(v.clone())
                .map_err(|e| RunError::Gate(format!("`gate` table: {e}")))?;
            Gate::with_extension(ext).map_err(|e| RunError::Gate(e.to_string()))?
        }
    };
    let mut ctx_json = campaign.gate_context_json();
    if let serde_json::Value::Object(m) = &mut ctx_json {
        // The footer states these; they are the sender's own facts.
        m.entry("postal_address")
            .or_insert_with(|| campaign.brand.postal_address.clone().into());
        m.entry("sender")
            .or_insert_with(|| sender.name.clone().into());
    }
    let ctx = Context::from_json(ctx_json).map_err(|e| RunError::Gate(e.to_string()))?;
    let mut bodies = HashMap::default();
    for s in campaign.segments.iter().map(|s| s.name.clone()) {
        bodies.insert(s, OnceCell::new());
    }
    bodies.insert(REST_SEGMENT.to_string(), OnceCell::new());
    let copy_probe = Recipient::from_json(
        r#"{"id":"candor-copy-probe","email":"probe@candor.invalid"}"#,
        &Limits::default(),
    )
    .map_err(|e| RunError::Campaign(e.to_string()))?;
    let probe_unsubscribe = unsubscribe.replace(
        "{recipient}",
        RecipientKey::derive(&opts.salt, &copy_probe.email).as_str(),
    );
    let shared = Arc::new(Shared {
        templates: TemplateSet::embedded()?,
        campaign_facts: CampaignFacts {
            brand: campaign.brand.name.clone(),
            offer_headline: compose::campaign_subject(&campaign),
        },
        offer: compose::offer_block(&campaign),
        fallback_body: compose::fallback_body(&campaign),
        ctx: gate.prepare(ctx),
        gate,
        governor: inputs.governor,
        router: inputs.router,
        sender,
        unsubscribe,
        salt: std::mem::take(&mut opts.salt),
        date: opts.date,
        bodies,
        copy_spend: Mutex::new(Money::ZERO),
        probe_unsubscribe,
        shared_parts: Mutex::new(HashMap::default()),
        shared_parts_hasher: foldhash::fast::RandomState::default(),
        mime_parts: Mutex::new(HashMap::default()),
        terms: prompt::CampaignTerms::new(&campaign),
        prefixes: prompt::StaticPrefixes::new(&campaign),
        collect: Mutex::new(None),
        batch_paid: Mutex::new(HashMap::default()),
        copy_probe,
        campaign,
    });

    ob.set_sync(opts.durable);
    ob.set_batch_age(opts.batch_age);
    let mut audit = match &opts.audit_db {
        Some(p) => Some(Audit::open(p)?),
        None => None,
    };
    if let Some(a) = audit.as_mut() {
        a.record_plan(
            &shared.campaign.name,
            estimate.plan.cost,
            estimate.input.accepted,
        )?;
        // Records are the truth; the audit's send log is rebuilt from them on resume.
        let rows: Vec<SendRow> = done
            .values()
            .map(|r| send_row(&shared.campaign.name, r))
            .collect();
        a.log_sends(&rows)?;
    }

    let concurrency = opts
        .concurrency
        .unwrap_or(shared.campaign.concurrency as usize)
        .max(1);
    let counts = if batching {
        batch_rounds(
            &shared,
            Rounds {
                recipients: &inputs.recipients,
                done: &done,
                plan: &estimate.plan,
                ladder_names: &ladder_names,
                per_send: &per_send,
                concurrency,
                poll: opts.batch_poll,
                out_dir: &opts.out_dir,
                durable: opts.durable,
                stop: opts.stop.as_ref(),
            },
            &mut opts.progress,
        )
        .await?
    } else {
        BatchCounts::default()
    };

    let summary = RunSummary {
        version: SUMMARY_VERSION,
        campaign: shared.campaign.name.clone(),
        outbox: opts.out_dir.display().to_string(),
        planned_mix,
        planned: estimate.plan.cost,
        budget: shared.campaign.budgets.total,
        quarantine_file: opts.quarantine.as_ref().map(|p| p.display().to_string()),
        notes,
        batches: counts.batches,
        batched_calls: counts.answered,
        ..RunSummary::default()
    };
    let sem = Arc::new(Semaphore::new(concurrency));
    let (tx, mut rx) = mpsc::channel::<Outcome>(concurrency * 2);
    let plan_sends: Money = estimate
        .plan
        .segments
        .iter()
        .flat_map(|s| {
            s.tiers.iter().map(|(t, n)| {
                per_send
                    .get(&(s.segment.clone(), t.clone()))
                    .and_then(|p| p.checked_mul(i128::from(*n)))
                    .unwrap_or(Money::ZERO)
            })
        })
        .sum();
    let heat = Arc::new(Mutex::new(Heat::new(
        plan_sends,
        estimate.plan.cost,
        left.total,
    )));
    // Finished-in-an-earlier-run recipients count toward the heat as they were.
    let mut reader = RecipientReader::open(&inputs.recipients, opts.quarantine.as_deref())?;
    let total = estimate.input.accepted;

    let resumed = Arc::new(AtomicU64::new(0));
    let sink = {
        let shared = Arc::clone(&shared);
        let resumed = Arc::clone(&resumed);
        let heat = Arc::clone(&heat);
        let mut progress = Progress::new(opts.progress.take());
        let mut summary = summary.clone();
        tokio::spawn(async move {
            let mut snap = Snapshot {
                total,
                budget: shared.campaign.budgets.total,
                ..Snapshot::default()
            };
            // Send-log rows of the open outbox batch: logged once the batch is committed.
            let mut pending_rows: Vec<SendRow> = Vec::new();
            let mut fatal: Option<RunError> = None;
            // After an outbox write fails nothing more is written: what is on disk stays a
            // committed prefix plus, at most, one unfinished newest batch that reopening
            // removes.
            let mut outbox_failed = false;
            loop {
                let next = match ob.deadline() {
                    Some(at) => {
                        match tokio::time::timeout_at(at.into(), rx.recv()).await {
                            Ok(next) => next,
                            Err(_) => {
                                // The batch is old enough: make it visible.
                                outbox_failed |=
                                    !commit(&mut ob, audit.as_mut(), &mut pending_rows, &mut fatal);
                                continue;
                            }
                        }
                    }
                    None => rx.recv().await,
                };
                let Some(mut o) = next else { break };
                if let Some(f) = o.fatal {
                    fatal.get_or_insert(RunError::Store(f));
                    continue;
                }
                if outbox_failed {
                    continue;
                }
                if let Err(e) = sink_one(&mut ob, &mut summary, &mut o) {
                    fatal.get_or_insert(e);
                    outbox_failed = true;
                    continue;
                }
                {
                    let mut h = heat.lock().unwrap_or_else(|p| p.into_inner());
                    h.actual += o.record.cost;
                    h.planned += o.planned_cost;
                    h.finished += 1;
                }
                pending_rows.push(send_row(&shared.campaign.name, &o.record));
                // Full, or old enough (outcomes that keep arriving never let the timeout
                // above fire).
                if ob.pending() >= outbox::BATCH_MESSAGES
                    || ob.deadline().is_some_and(|at| Instant::now() >= at)
                {
                    outbox_failed |=
                        !commit(&mut ob, audit.as_mut(), &mut pending_rows, &mut fatal);
                }
                snap.done = resumed.load(Ordering::Relaxed)
                    + summary.sent
                    + summary.skipped.values().sum::<u64>();
                snap.spend = summary.spend;
                snap.tier_mix = summary.tier_mix.clone();
                snap.gate_catches = summary.gate_checks - summary.gate_passes;
                snap.skipped = summary.skipped.values().sum();
                progress.update(&snap, false);
            }
            if !outbox_failed {
                commit(&mut ob, audit.as_mut(), &mut pending_rows, &mut fatal);
            }
            progress.finish(&snap);
            (summary, audit, fatal)
        })
    };

    let stop = opts.stop.take();
    let mut interrupted = false;
    for r in reader.by_ref() {
        let segment = shared.campaign.segment_name_of(&r).to_string();
        let planned = cursor
            .next(&segment)
            .unwrap_or_else(|| ladder_names.last().cloned().unwrap_or_default());
        let planned_cost = per_send
            .get(&(segment.clone(), planned.clone()))
            .copied()
            .unwrap_or(Money::ZERO);
        if let Some(rec) = done.get(r.id.as_str()) {
            let mut h = heat.lock().unwrap_or_else(|p| p.into_inner());
            h.actual += rec.cost;
            h.planned += planned_cost;
            h.finished += 1;
            drop(h);
            resumed.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        // Heat: move the lowest-value segments one tier down while spend runs hot.
        let degrade = {
            let mut h = heat.lock().unwrap_or_else(|p| p.into_inner());
            h.check(opts.hot_threshold_milli, by_value.len());
            let rank = by_value
                .iter()
                .position(|(_, s)| *s == segment)
                .unwrap_or(0);
            rank < h.level
        };
        let mut start_tier = planned.clone();
        let mut moves = Vec::new();
        if degrade {
            if let Some(i) = ladder_names.iter().position(|t| *t == planned) {
                if i + 1 < ladder_names.len() {
                    start_tier = ladder_names[i + 1].clone();
                    let h = heat.lock().unwrap_or_else(|p| p.into_inner());
                    moves.push(Move {
                        recipient: r.id.as_str().to_string(),
                        from: planned.clone(),
                        to: start_tier.clone(),
                        reason: "spend_hot".into(),
                        detail: h.reason(),
                    });
                }
            }
        }
        let permit = match Arc::clone(&sem).acquire_owned().await {
            Ok(p) => p,
            Err(_) => break,
        };
        if tx.is_closed() {
            break; // the sink stopped on a fatal error
        }
        if stop.as_ref().is_some_and(|s| s.load(Ordering::SeqCst)) {
            interrupted = true;
            break;
        }
        let shared = Arc::clone(&shared);
        let tx = tx.clone();
        tokio::spawn(async move {
            let o = process(
                &shared,
                r,
                segment,
                planned,
                start_tier,
                planned_cost,
                moves,
            )
            .await;
            let _ = tx.send(o).await;
            drop(permit);
        });
    }
    let reader_error = reader.take_error();
    let stats = reader.finish();
    drop(tx);
    let (mut summary, mut audit, fatal) = sink
        .await
        .map_err(|e| RunError::Store(format!("the outbox writer stopped: {e}")))?;
    if let Some(e) = fatal {
        return Err(e);
    }
    if let Some(e) = reader_error {
        return Err(e.into());
    }
    let stats = stats?;
    summary.resumed = resumed.load(Ordering::Relaxed);
    summary.spend += *shared.copy_spend.lock().unwrap_or_else(|p| p.into_inner());
    // Batched answers this run paid for that no recipient's call took up (a recipient moved
    // down the ladder meanwhile, for instance) are still its spend.
    summary.spend += shared
        .batch_paid
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .values()
        .filter(|p| p.this_run)
        .map(|p| p.cost)
        .sum::<Money>();
    // Stopped early, the reader saw only part of the list; the plan pass counted all of it.
    summary.recipients = if interrupted {
        estimate.input.accepted
    } else {
        stats.accepted
    };
    summary.quarantined = if interrupted {
        estimate.input.quarantined
    } else {
        stats.quarantined
    };
    summary.interrupted = interrupted;
    shared
        .governor
        .store()
        .flush()
        .await
        .map_err(|e| RunError::Store(e.to_string()))?;
    if let Some(a) = audit.as_mut() {
        a.refresh()?;
    }
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

/// What this run may spend: the campaign's budgets less what earlier runs spent from them.
struct BudgetsLeft {
    /// The campaign total (or the global budget, if it leaves less) less earlier spend.
    total: Option<Money>,
    per_segment: BTreeMap<String, Money>,
    /// Says what earlier runs took, when they took anything.
    note: Option<String>,
}

/// What earlier runs spent from the budgets a campaign's run plans within.
///
/// `candor run` reads it from the store when an outbox's first run starts and keeps it in the
/// outbox, so a resumed run plans against the same figures (its own spend is not "earlier").
/// `candor estimate` reads it from the store's ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierSpend {
    /// This campaign's spend.
    pub campaign: Money,
    /// Every campaign's spend (the global budget's).
    pub global: Money,
    /// This campaign's spend by segment.
    #[serde(default)]
    pub segments: BTreeMap<String, Money>,
}

/// Lower `c`'s budgets to what is left of them after `earlier` (the campaign total also to
/// what is left of the `global` budget, if that is less), as a run plans. Returns a note that
/// says what earlier runs took, when they took anything.
pub fn plan_within_what_is_left(
    c: &mut Campaign,
    global: Option<Money>,
    earlier: &EarlierSpend,
) -> Option<String> {
    let left = budgets_left(c, global, earlier);
    c.budgets.total = left.total;
    c.budgets.per_segment = left.per_segment;
    left.note
}

const BASELINE_FILE: &str = ".budget-baseline.json";

async fn baseline(
    governor: &Governor,
    c: &Campaign,
    dir: &Path,
    done: &std::collections::HashMap<String, Record>,
) -> Result<EarlierSpend, RunError> {
    let path = dir.join(BASELINE_FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        if let Ok(b) = serde_json::from_str::<EarlierSpend>(&text) {
            return Ok(b);
        }
    }
    let store = governor.store();
    let err = |e: candor_store::StoreError| RunError::Store(e.to_string());
    // An outbox without the file (written by an older candor): its finished recipients' costs
    // are this run's own.
    let mut own = Money::ZERO;
    let mut own_by_segment: BTreeMap<&str, Money> = BTreeMap::new();
    for r in done.values() {
        own += r.cost;
        if let Some(s) = &r.segment {
            *own_by_segment.entry(s.as_str()).or_default() += r.cost;
        }
    }
    let earlier = |spent: Money, own: Money| (spent - own).max(Money::ZERO);
    let mut b = EarlierSpend {
        campaign: earlier(
            store
                .status(Scope::Campaign(c.name.clone()))
                .await
                .map_err(err)?
                .spent,
            own,
        ),
        global: earlier(store.status(Scope::Global).await.map_err(err)?.spent, own),
        segments: BTreeMap::new(),
    };
    for segment in c.budgets.per_segment.keys() {
        let spent = store
            .status(Scope::Segment {
                campaign: c.name.clone(),
                segment: segment.clone(),
            })
            .await
            .map_err(err)?
            .spent;
        let own = own_by_segment
            .get(segment.as_str())
            .copied()
            .unwrap_or_default();
        b.segments.insert(segment.clone(), earlier(spent, own));
    }
    let part = dir.join(format!("{BASELINE_FILE}.part"));
    let json = serde_json::to_vec(&b).map_err(|e| RunError::Store(e.to_string()))?;
    std::fs::write(&part, json)
        .and_then(|()| std::fs::rename(&part, &path))
        .map_err(|e| RunError::Store(format!("cannot write `{}`: {e}", path.display())))?;
    Ok(b)
}

fn budgets_left(c: &Campaign, global: Option<Money>, b: &EarlierSpend) -> BudgetsLeft {
    let mut total = c.budgets.total.map(|t| (t - b.campaign).max(Money::ZERO));
    let mut parts = Vec::new();
    if let Some(t) = c.budgets.total.filter(|_| !b.campaign.is_zero()) {
        parts.push(format!(
            "{} of campaign `{}`'s {} budget",
            usd(b.campaign),
            c.name,
            usd(t)
        ));
    }
    if let Some(g) = global {
        let g_left = (g - b.global).max(Money::ZERO);
        if total.is_none_or(|t| g_left < t) {
            total = Some(g_left);
            if !b.global.is_zero() {
                parts.push(format!("{} of the {} global budget", usd(b.global), usd(g)));
            }
        }
    }
    let mut per_segment = BTreeMap::new();
    for (segment, limit) in &c.budgets.per_segment {
        let e = b.segments.get(segment).copied().unwrap_or_default();
        if !e.is_zero() {
            parts.push(format!(
                "{} of segment `{segment}`'s {}",
                usd(e),
                usd(*limit)
            ));
        }
        per_segment.insert(segment.clone(), (*limit - e).max(Money::ZERO));
    }
    let note = (!parts.is_empty()).then(|| {
        format!(
            "earlier runs spent {}: this run plans within what is left ({})",
            parts.join(", "),
            total.map_or_else(|| "no overall limit".to_string(), usd)
        )
    });
    BudgetsLeft {
        total,
        per_segment,
        note,
    }
}

/// The campaign's budgets and caps, in the store: every reservation is checked against them.
async fn set_budgets(
    governor: &Governor,
    c: &Campaign,
    global: Option<Money>,
) -> Result<(), RunError> {
    let store = governor.store();
    let err = |e: candor_store::StoreError| RunError::Store(e.to_string());
    store.set_limit(Scope::Global, global).await.map_err(err)?;
    store
        .set_limit(Scope::Campaign(c.name.clone()), c.budgets.total)
        .await
        .map_err(err)?;
    for (segment, limit) in &c.budgets.per_segment {
        store
            .set_limit(
                Scope::Segment {
                    campaign: c.name.clone(),
                    segment: segment.clone(),
                },
                Some(*limit),
            )
            .await
            .map_err(err)?;
    }
    store
        .set_caps(Caps {
            per_send: c.budgets.per_send,
            per_batch: c.budgets.per_batch,
        })
        .await
        .map_err(err)?;
    Ok(())
}

/// [`run`] on its own multi-threaded runtime, for callers that have none (the CLI).
pub fn run_blocking(
    inputs: RunInputs,
    opts: RunOptions,
    threads: usize,
) -> Result<RunSummary, RunError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_all()
        .build()
        .map_err(|e| RunError::Store(format!("cannot start the runtime: {e}")))?;
    // The run itself is a task on the workers, not on this thread: waking it (a finished
    // recipient frees a slot) is then a queue push on a busy worker, not a cross-thread
    // futex wake of a parked thread per recipient.
    rt.block_on(async move {
        if let Some(stop) = opts.stop.clone() {
            tokio::spawn(async move {
                while tokio::signal::ctrl_c().await.is_ok() {
                    if stop.swap(true, Ordering::SeqCst) {
                        // A second Ctrl-C: the user does not want to wait.
                        std::process::exit(130);
                    }
                }
            });
        }
        tokio::spawn(run(inputs, opts))
            .await
            .map_err(|e| RunError::Store(format!("the run stopped: {e}")))?
    })
}

/// Dollars to 4 places, as the run summary shows them.
fn usd(m: Money) -> String {
    format!("${}", m.format_dollars(4))
}

/// Spend of finished recipients against their plan, and the moves it has caused.
#[derive(Default)]
struct Heat {
    /// Settled spend of finished recipients.
    actual: Money,
    /// What the plan priced them at.
    planned: Money,
    finished: u64,
    last_check: u64,
    /// How many of the lowest-value segments are moved down.
    level: usize,
    /// The plan's per-recipient spend over the whole list.
    plan_sends: Money,
    /// The plan's spend that is not per recipient (segment copy).
    plan_shared: Money,
    /// What the run may spend (the campaign budget, or the global one if smaller); `None` when
    /// neither is set.
    allowance: Option<Money>,
}

impl Heat {
    fn new(plan_sends: Money, plan_total: Money, allowance: Option<Money>) -> Heat {
        Heat {
            plan_sends,
            plan_shared: (plan_total - plan_sends).max(Money::ZERO),
            allowance,
            ..Heat::default()
        }
    }

    /// The whole run's spend if the rest of the list costs what finished recipients did,
    /// relative to plan.
    fn projected(&self) -> Money {
        let sends = if self.planned > Money::ZERO {
            self.plan_sends
                .mul_div_round(self.actual.picos(), self.planned.picos())
                .map_or(i128::MAX, Money::picos)
        } else {
            self.plan_sends.picos().saturating_add(self.actual.picos())
        };
        Money::from_picos(self.plan_shared.picos().saturating_add(sends))
    }

    /// Hot: finished recipients cost more than `threshold_milli` thousandths of their plan
    /// and, with a budget, the list would overrun it at that rate. Spend above plan that the
    /// budget still covers (gate retries, which the plan does not price, are typical) moves no
    /// one: degrading emails then would save money nobody asked to save.
    fn is_hot(&self, threshold_milli: u32) -> bool {
        let above_plan = self.actual.picos().saturating_mul(1000)
            > self
                .planned
                .picos()
                .saturating_mul(i128::from(threshold_milli))
            && self.actual > Money::ZERO;
        above_plan && self.allowance.is_none_or(|b| self.projected() > b)
    }

    fn check(&mut self, threshold_milli: u32, segments: usize) {
        if self.finished < self.last_check + HEAT_CHECK_EVERY {
            return;
        }
        self.last_check = self.finished;
        if self.is_hot(threshold_milli) && self.level < segments {
            self.level += 1;
        }
    }

    /// Why a recipient was moved, for its record.
    fn reason(&self) -> String {
        let mut s = format!(
            "finished recipients cost {} against {} planned",
            usd(self.actual),
            usd(self.planned)
        );
        if let Some(b) = self.allowance {
            s.push_str(&format!(
                "; at that rate the run comes to {} against the {} budget",
                usd(self.projected()),
                usd(b)
            ));
        }
        s
    }
}

fn per_send_costs(e: &Estimate) -> HashMap<(String, String), Money> {
    let mut m = HashMap::default();
    for row in &e.options {
        if row.totals.recipients > 0 {
            let per = row
                .totals
                .cost
                .mul_div_round(1, i128::from(row.totals.recipients))
                .unwrap_or(Money::ZERO);
            m.insert((row.segment.clone(), row.tier.clone()), per);
        }
    }
    m
}

fn send_row(campaign: &str, r: &Record) -> SendRow {
    let fallbacks = r
        .moves
        .iter()
        .filter(|m| !m.starts_with("spend_hot"))
        .count() as u32;
    SendRow {
        campaign: campaign.to_string(),
        recipient: r.recipient_id.clone(),
        segment: r.segment.clone().unwrap_or_default(),
        planned_tier: r.planned_tier.clone().unwrap_or_default(),
        tier: r.tier.clone().unwrap_or_default(),
        sent: r.status == Status::Sent,
        reason: r.skip_reason.clone().unwrap_or_default(),
        cost: r.cost,
        calls: r.attempts,
        fallbacks,
        degraded: r.moves.iter().any(|m| m.starts_with("spend_hot")),
        gate: r.gate.clone(),
    }
}

/// Commit the outbox's open batch, then log its sends to the audit store. False when the
/// outbox could not be written (the error is in `fatal`).
fn commit(
    ob: &mut Outbox,
    audit: Option<&mut Audit>,
    rows: &mut Vec<SendRow>,
    fatal: &mut Option<RunError>,
) -> bool {
    if let Err(e) = ob.commit() {
        fatal.get_or_insert(e.into());
        return false;
    }
    if let Some(a) = audit {
        if let Err(e) = a.log_sends(rows) {
            fatal.get_or_insert(e.into());
        }
    }
    rows.clear();
    true
}

fn sink_one(ob: &mut Outbox, summary: &mut RunSummary, o: &mut Outcome) -> Result<(), RunError> {
    ob.add(&o.id, &mut o.record, o.message.as_deref())?;
    let record = &o.record;
    match record.status {
        Status::Sent => {
            summary.sent += 1;
            if let Some(t) = &record.tier {
                *summary.tier_mix.entry(t.clone()).or_insert(0) += 1;
            }
        }
        Status::Skipped => {
            *summary
                .skipped
                .entry(record.skip_reason.clone().unwrap_or_default())
                .or_insert(0) += 1;
        }
    }
    summary.spend += record.cost;
    summary.calls += o.calls;
    summary.cache_hits += o.cache_hits;
    for m in &o.moves {
        *summary.moves_by_reason.entry(m.reason.clone()).or_insert(0) += 1;
        if summary.moves.len() < MOVES_LISTED {
            summary.moves.push(m.clone());
        }
    }
    for g in &record.gate {
        summary.gate_checks += 1;
        summary.gate_passes += u64::from(g.pass);
    }
    for k in &o.findings {
        *summary.findings_by_kind.entry(k.clone()).or_insert(0) += 1;
    }
    for c in &o.catches {
        if summary.examples.len() < EXAMPLES
            && !summary
                .examples
                .iter()
                .any(|e| e.findings.first() == c.findings.first())
        {
            summary.examples.push(c.clone());
        }
    }
    Ok(())
}

struct Work<'a> {
    shared: &'a Shared,
    r: &'a Recipient,
    key: RecipientKey,
    segment: Option<&'a Segment>,
    segment_name: String,
    record: Record,
    calls: u64,
    cache_hits: u64,
    catches: Vec<Catch>,
    moves: Vec<Move>,
    findings: Vec<String>,
}

enum TierResult {
    Sent {
        email: Composed,
        facts_used: Vec<FactUse>,
    },
    Fall {
        reason: &'static str,
        detail: String,
    },
    /// A collect round held one of the tier's calls for a provider batch: the recipient goes
    /// no further this round.
    Held,
}

async fn process(
    shared: &Shared,
    r: Recipient,
    segment_name: String,
    planned: String,
    start_tier: String,
    planned_cost: Money,
    moves: Vec<Move>,
) -> Outcome {
    let mut record = Record::skipped(&r.id, "");
    record.skip_reason = None;
    record.segment = Some(segment_name.clone());
    record.planned_tier = Some(planned.clone());
    record.moves = moves
        .iter()
        .map(|m| format!("{}: {} -> {}", m.reason, m.from, m.to))
        .collect();
    let mut w = Work {
        shared,
        r: &r,
        key: RecipientKey::derive(&shared.salt, &r.email),
        segment: shared.campaign.segment_of(&r),
        segment_name,
        record,
        calls: 0,
        cache_hits: 0,
        catches: Vec::new(),
        moves,
        findings: Vec::new(),
    };
    let id = r.id.clone();
    let finish = |w: Work<'_>, message: Option<String>, fatal: Option<String>| Outcome {
        id: id.clone(),
        record: w.record,
        message,
        planned_cost,
        calls: w.calls,
        cache_hits: w.cache_hits,
        catches: w.catches,
        moves: w.moves,
        findings: w.findings,
        fatal,
    };
    if email_consent_refused(&r) {
        w.record.status = Status::Skipped;
        w.record.skip_reason = Some("no_consent".into());
        return finish(w, None, None);
    }
    let ladder = &shared.campaign.ladder;
    let start = ladder
        .iter()
        .position(|t| t.name == start_tier)
        .unwrap_or(ladder.len().saturating_sub(1));
    for (i, tier) in ladder.iter().enumerate().skip(start) {
        let result = if tier.is_template() {
            template_tier(&mut w, tier)
        } else {
            match model_tier(&mut w, tier).await {
                Ok(r) => r,
                Err(fatal) => return finish(w, None, Some(fatal)),
            }
        };
        match result {
            TierResult::Sent { email, facts_used } => {
                let full = r.full_name();
                let unsubscribe = unsubscribe_for(shared, &w.key);
                let spec = MessageSpec {
                    from: &shared.sender,
                    to: &r.email,
                    to_name: full.as_deref(),
                    email: &email,
                    unsubscribe_url: &unsubscribe,
                    date: shared.date,
                    campaign: &shared.campaign.name,
                    recipient: &r.id,
                };
                let mime = (!tier.per_recipient.contains(&Part::Body))
                    .then(|| shared_mime(shared, &email));
                match outbox::render_message_with(&spec, mime.as_deref()) {
                    Ok(m) => {
                        w.record.status = Status::Sent;
                        w.record.tier = Some(tier.name.clone());
                        w.record.facts_used = facts_used;
                        w.record.message_id = Some(outbox::message_id(
                            &shared.campaign.name,
                            &r.id,
                            &shared.sender.address,
                        ));
                        return finish(w, Some(m), None);
                    }
                    Err(e) => {
                        w.record.status = Status::Skipped;
                        w.record.skip_reason = Some(format!("unrenderable: {e}"));
                        return finish(w, None, None);
                    }
                }
            }
            TierResult::Held => return finish(w, None, None),
            TierResult::Fall { reason, detail } => {
                if let Some(next) = ladder.get(i + 1) {
                    w.moves.push(Move {
                        recipient: r.id.as_str().to_string(),
                        from: tier.name.clone(),
                        to: next.name.clone(),
                        reason: reason.to_string(),
                        detail: detail.clone(),
                    });
                    w.record
                        .moves
                        .push(format!("{reason}: {} -> {}", tier.name, next.name));
                } else {
                    w.record.status = Status::Skipped;
                    w.record.skip_reason = Some(format!("gate_failed_at_floor: {detail}"));
                    return finish(w, None, None);
                }
            }
        }
    }
    w.record.status = Status::Skipped;
    w.record.skip_reason = Some("no_tier".into());
    finish(w, None, None)
}

/// A stable sampling seed for one recipient's attempt (FNV-1a of the key, then the attempt).
fn seed_for(key: &str, attempt: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes().chain(attempt.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn unsubscribe_for(shared: &Shared, key: &RecipientKey) -> String {
    shared.unsubscribe.replace("{recipient}", key.as_str())
}

fn greeting(r: &Recipient) -> String {
    match r.first_name.as_deref() {
        Some(n) if !n.trim().is_empty() => format!("Hi {},", n.trim()),
        _ => "Hello,".to_string(),
    }
}

/// Most distinct shared copies kept per run (each is judged and encoded once).
const SHARED_CACHE_MAX: usize = 256;

/// The encoded shared copy for this email's body and the run's offer.
fn shared_mime(shared: &Shared, email: &Composed) -> Arc<outbox::SharedMime> {
    let mut parts = shared.mime_parts.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(m) = parts.get(&email.body) {
        return Arc::clone(m);
    }
    let m = Arc::new(outbox::SharedMime::new(
        &shared.sender,
        &email.body,
        &email.offer,
    ));
    // A handful of copies per run (one per segment, and the brief); a bound all the same.
    if parts.len() < SHARED_CACHE_MAX {
        parts.insert(email.body.clone(), Arc::clone(&m));
    }
    m
}

/// The gate's judgement of a shared part, made once per distinct text.
///
/// The shared text follows from the body, the offer and whether there is an opener (the
/// footer is the run's, with the stand-in unsubscribe URL): those are the key, so an email
/// that finds its part builds no text.
fn shared_part(shared: &Shared, spec: &MessageSpec<'_>) -> Arc<SharedPart> {
    use std::hash::BuildHasher;
    let email = spec.email;
    let no_opener = email.opener.trim().is_empty();
    let key = shared
        .shared_parts_hasher
        .hash_one((&email.body, &email.offer, no_opener));
    let mut parts = shared
        .shared_parts
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if !parts.contains_key(&key) && parts.len() >= SHARED_CACHE_MAX {
        let (_, text) = outbox::plain_text_parts(spec);
        return Arc::new(
            shared
                .gate
                .prepare_shared(&text, &shared.copy_probe, &shared.ctx),
        );
    }
    let bucket = parts.entry(key).or_default();
    if let Some(e) = bucket
        .iter()
        .find(|e| e.body == email.body && e.offer == email.offer && e.no_opener == no_opener)
    {
        return Arc::clone(&e.part);
    }
    let (_, text) = outbox::plain_text_parts(spec);
    let part = Arc::new(
        shared
            .gate
            .prepare_shared(&text, &shared.copy_probe, &shared.ctx),
    );
    if bucket.len() < SHARED_CACHE_MAX {
        bucket.push(SharedEntry {
            body: email.body.clone(),
            offer: email.offer.clone(),
            no_opener,
            part: Arc::clone(&part),
        });
    }
    part
}

/// One judged shared part and what it was made from.
struct SharedEntry {
    body: String,
    offer: String,
    no_opener: bool,
    part: Arc<SharedPart>,
}

/// Gate a composed email as it will be sent (the plain-text part, footer included).
///
/// With `body_shared` (segment copy, not written for this recipient), the part after the
/// opener is the same for everyone in the segment: it is judged once, against a record with
/// no facts, and each email only by its subject and opener. Copy that does not pass on those
/// terms (it says something about the reader) is checked whole, per recipient.
fn check(
    w: &mut Work<'_>,
    tier: &str,
    attempt: u32,
    email: &Composed,
    body_shared: bool,
) -> Vec<String> {
    let shared = w.shared;
    let unsubscribe = unsubscribe_for(shared, &w.key);
    let mut spec = MessageSpec {
        from: &shared.sender,
        to: &w.r.email,
        to_name: None,
        email,
        unsubscribe_url: &unsubscribe,
        date: shared.date,
        campaign: &shared.campaign.name,
        recipient: &w.r.id,
    };
    let part = body_shared.then(|| {
        spec.unsubscribe_url = &shared.probe_unsubscribe;
        shared_part(shared, &spec)
    });
    let report = match part {
        Some(part) if part.passed() => shared.gate.check_with_shared(
            &email.subject,
            email.opener.trim(),
            &part,
            w.r,
            &shared.ctx,
        ),
        _ => {
            spec.unsubscribe_url = &unsubscribe;
            let text = outbox::plain_text(&spec);
            shared
                .gate
                .check_prepared(&Email::new(email.subject.clone(), text), w.r, &shared.ctx)
        }
    };
    let kinds: Vec<String> = report
        .findings
        .iter()
        .map(|f| f.kind.as_str().to_string())
        .collect();
    w.record.gate.push(GateCheck {
        tier: tier.to_string(),
        pass: report.passed(),
        kinds: kinds.clone(),
    });
    let mut feedback = Vec::new();
    for f in &report.findings {
        w.findings.push(f.kind.as_str().to_string());
        w.record.findings.push(RecordFinding {
            tier: tier.to_string(),
            attempt,
            kind: f.kind.as_str().to_string(),
            detail: format!("\"{}\": {}", f.text, f.reason),
        });
        feedback.push(format!("{}: \"{}\" — {}", f.kind, f.text, f.reason));
    }
    if !report.passed() {
        w.catches.push(Catch {
            recipient: w.r.id.as_str().to_string(),
            tier: tier.to_string(),
            text: if email.opener.is_empty() {
                email.body.clone()
            } else {
                email.opener.clone()
            },
            findings: feedback.clone(),
        });
    } else {
        // Used facts for the record: the gate's paths, with the value each names.
        w.record.facts_used = report
            .used_facts
            .iter()
            .map(|p| FactUse {
                fact: p.clone(),
                source: p.clone(),
                value: w.r.value_at(p).unwrap_or_default(),
            })
            .collect();
    }
    feedback
}

fn template_tier(w: &mut Work<'_>, tier: &Tier) -> TierResult {
    let shared = w.shared;
    let t =
        match shared
            .templates
            .render_for(w.r, shared.campaign.send_date, &shared.campaign_facts)
        {
            Ok(t) => t,
            Err(e) => {
                return TierResult::Fall {
                    reason: "gate",
                    detail: e.to_string(),
                }
            }
        };
    let body = shared
        .bodies
        .get(&w.segment_name)
        .and_then(|c| c.get())
        .map(|b| b.text.clone())
        .or_else(|| w.segment.and_then(|s| s.body.clone()))
        .unwrap_or_else(|| shared.fallback_body.clone());
    w.record.facts_offered = t
        .opener
        .facts_used
        .iter()
        .map(|f| f.source.clone())
        .collect();
    let mut facts_used = t.subject.facts_used.clone();
    for f in &t.opener.facts_used {
        if !facts_used.contains(f) {
            facts_used.push(f.clone());
        }
    }
    let mut email = Composed {
        subject: t.subject.text,
        opener: t.opener.text,
        body,
        offer: shared.offer.clone(),
    };
    if check(w, &tier.name, 1, &email, true).is_empty() {
        return TierResult::Sent { email, facts_used };
    }
    // The shared copy may be what failed: the floor retries with the marketer's own text.
    if email.body != shared.fallback_body {
        email.body = shared.fallback_body.clone();
        if check(w, &tier.name, 2, &email, true).is_empty() {
            return TierResult::Sent { email, facts_used };
        }
    }
    let detail = w
        .record
        .findings
        .last()
        .map(|f| format!("{} {}", f.kind, f.detail))
        .unwrap_or_default();
    TierResult::Fall {
        reason: "gate",
        detail,
    }
}

/// Why the segment copy is not there.
enum CopyError {
    /// The store failed: the run must stop.
    Fatal(String),
    /// Held for a provider batch (a collect round).
    Held,
}

/// The segment's body copy: the marketer's, else written once by the copy model (kept only if
/// it passes the gate against a recipient with no facts), else the campaign's brief. `None`:
/// a collect round held the copy call for a batch.
async fn body_copy(w: &Work<'_>) -> Result<Option<BodyCopy>, String> {
    let shared = w.shared;
    if let Some(b) = w.segment.and_then(|s| s.body.clone()) {
        return Ok(Some(BodyCopy { text: b }));
    }
    let Some(cell) = shared.bodies.get(&w.segment_name) else {
        return Ok(Some(BodyCopy {
            text: shared.fallback_body.clone(),
        }));
    };
    let fallback = BodyCopy {
        text: shared.fallback_body.clone(),
    };
    let segment = w.segment;
    let segment_name = w.segment_name.clone();
    let copy = cell
        .get_or_try_init(|| async move {
            let Some(cw) = &shared.campaign.copy else {
                return Ok(fallback);
            };
            let Some(route) = shared.router.route(&cw.model) else {
                return Ok(fallback);
            };
            let parts = prompt::body_copy_prompt(&shared.campaign, segment);
            let req = ChatRequest::from_parts(cw.model.clone(), &parts, cw.max_output_tokens);
            let ctx = CallContext {
                attribution: Attribution::new(shared.campaign.name.clone(), segment_name),
                tier: "shared".into(),
                stage: "copy".into(),
                recipient: None,
                batch_pricing: false,
                prompt_tokens: None,
            };
            match stage_call(shared, &ctx, &route, &req).await {
                Ok(out) => {
                    *shared.copy_spend.lock().unwrap_or_else(|p| p.into_inner()) += out.cost;
                    let text = out.completion.text.trim().to_string();
                    let report = shared.gate.check_prepared(
                        &Email::new("", text.clone()),
                        &shared.copy_probe,
                        &shared.ctx,
                    );
                    let ok = report.passed() && !text.is_empty();
                    Ok(BodyCopy {
                        text: if ok { text } else { fallback.text },
                    })
                }
                Err(StageError::Held) => Err(CopyError::Held),
                Err(StageError::Governor(GovernorError::Store(e))) => {
                    Err(CopyError::Fatal(e.to_string()))
                }
                Err(StageError::Governor(_)) => Ok(fallback),
            }
        })
        .await;
    match copy {
        Ok(c) => Ok(Some(c.clone())),
        Err(CopyError::Held) => Ok(None),
        Err(CopyError::Fatal(e)) => Err(e),
    }
}

/// Why a stage call gave no answer.
enum StageError {
    /// A collect round held the call for a provider batch, or left it for the main pass (its
    /// provider takes no batches).
    Held,
    Governor(GovernorError),
}

/// One stage's call. In a collect round: held for a provider batch if its provider takes
/// batches (answered from the response cache when it can be), else left for the main pass. In
/// the main pass: made through the governor; an answer a batch paid for carries its cost.
async fn stage_call(
    shared: &Shared,
    ctx: &CallContext,
    route: &ModelRoute,
    req: &ChatRequest,
) -> Result<CallOutcome, StageError> {
    let collector = shared
        .collect
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    if let Some(c) = collector {
        return hold_call(shared, &c, ctx, route, req).await;
    }
    // A batch answered this request: the answer is in the cache and its call in the ledger
    // already (not a cache hit: nothing was saved), so the record takes the batch's cost and
    // the gate's verdict goes on the batch's row.
    let claimed = {
        let mut paid = shared.batch_paid.lock().unwrap_or_else(|p| p.into_inner());
        if paid.is_empty() {
            None
        } else {
            let key = CacheKey::for_request(route.provider.name(), req);
            paid.remove(&key).map(|p| (key, p))
        }
    };
    if let Some((key, p)) = claimed {
        let cached = shared
            .governor
            .store()
            .cache_get(key)
            .await
            .map_err(|e| StageError::Governor(e.into()))?;
        if let Some(completion) = cached {
            return Ok(CallOutcome {
                usage_estimated: !completion.usage_reported,
                completion,
                cost: p.cost,
                reserved: Money::ZERO,
                cache_hit: false,
                attempts: 1,
                ledger_id: p.ledger.unwrap_or(LedgerId(0)),
            });
        }
    }
    shared
        .governor
        .call(ctx, route.provider.as_ref(), req, route.pricer.as_ref())
        .await
        .map_err(StageError::Governor)
}

async fn hold_call(
    shared: &Shared,
    c: &batch::Collector,
    ctx: &CallContext,
    route: &ModelRoute,
    req: &ChatRequest,
) -> Result<CallOutcome, StageError> {
    let Some(api) = route.provider.batch() else {
        return Err(StageError::Held);
    };
    let mut limits = api.limits();
    limits.max_requests = limits.max_requests.min(batch::MAX_PART_REQUESTS);
    let bytes = batch::request_bytes(req);
    let provider = route.provider.name();
    let key = CacheKey::for_request(provider, req);
    if c.holds(&key) {
        return Err(StageError::Held);
    }
    let mut ctx = ctx.clone();
    let mut tries = 0;
    loop {
        tries += 1;
        let batch_key = c.batch_key(provider, bytes, limits);
        ctx.attribution.batch_id = Some(batch_key.clone());
        match shared
            .governor
            .hold(&ctx, provider, req, route.pricer.as_ref(), batch::HOLD_TTL)
            .await
        {
            Ok(Hold::Cached(completion)) => {
                return Ok(CallOutcome {
                    completion,
                    cost: Money::ZERO,
                    reserved: Money::ZERO,
                    cache_hit: true,
                    attempts: 0,
                    ledger_id: LedgerId(0),
                    usage_estimated: false,
                })
            }
            Ok(Hold::Held(h)) => {
                let reservation = h.reservation;
                if !c.push(h, req.clone()) {
                    // Another recipient held the same request meanwhile: one is enough.
                    shared
                        .governor
                        .store()
                        .release(reservation, None)
                        .await
                        .map_err(|e| StageError::Governor(e.into()))?;
                }
                return Err(StageError::Held);
            }
            // This batch is full under the per-batch cap: the request opens the next one (a few
            // times: requests held side by side may fill a fresh part first).
            Err(GovernorError::Refused(candor_store::Refusal::PerBatchCap(_))) if tries < 8 => {
                c.next_part(provider, &batch_key);
            }
            Err(e) => return Err(StageError::Governor(e)),
        }
    }
}

async fn model_tier(w: &mut Work<'_>, tier: &Tier) -> Result<TierResult, String> {
    let shared = w.shared;
    let wants_body = tier.per_recipient.contains(&Part::Body);
    let wants_subject = tier.per_recipient.contains(&Part::Subject);
    let collecting = shared
        .collect
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_some();
    let copy = if wants_body {
        None
    } else {
        match body_copy(w).await? {
            Some(c) => Some(c),
            None => return Ok(TierResult::Held),
        }
    };
    let facts_all = prompt::gather_facts_with(w.r, &shared.campaign, &shared.terms);
    let model = tier
        .stages
        .first()
        .map(|s| s.model.clone())
        .unwrap_or_default();
    let router = Arc::clone(&shared.router);
    let mut selected: Vec<Fact> =
        prompt::select_facts(&facts_all, tier.context, |t| router.count_tokens(&model, t));
    prompt::address_facts(&mut selected, w.r, shared.campaign.send_date);
    w.record.facts_offered = selected.iter().map(|f| f.key.clone()).collect();
    // The template's subject, for tiers that do not write their own (rendered on first use).
    let mut template_subject: Option<String> = None;
    let mut feedback: Vec<String> = Vec::new();
    for attempt in 0..=tier.retries {
        let mut previous: Option<String> = None;
        let mut last_ledger = None;
        let mut compact_answer = false;
        for stage in &tier.stages {
            let Some(route) = shared.router.route(&stage.model) else {
                return Ok(TierResult::Fall {
                    reason: "no_route",
                    detail: format!("no provider serves model `{}`", stage.model),
                });
            };
            let input = CallInput {
                segment: w.segment,
                body_copy: copy.as_ref().map(|c| c.text.as_str()),
                facts: &selected,
                previous: previous.as_deref(),
                feedback: &feedback,
            };
            let compact = route.compact && !wants_body && !wants_subject;
            compact_answer |= compact;
            let parts = if compact {
                prompt::build_compact(&shared.campaign, &input)
            } else {
                shared.prefixes.build(&shared.campaign, tier, stage, &input)
            };
            let mut req =
                ChatRequest::from_parts(stage.model.clone(), &parts, stage.max_output_tokens);
            if compact {
                req.stop = prompt::compact_stops();
                // Greedy decoding makes a small model copy the fact line back; mild sampling,
                // seeded by recipient and attempt, so a rerun is reproducible and a retry
                // is a real second try.
                req.temperature = Some(0.7);
                req.seed = Some(seed_for(w.key.as_str(), attempt));
            }
            let ctx = CallContext {
                attribution: Attribution {
                    campaign: shared.campaign.name.clone(),
                    segment: w.segment_name.clone(),
                    send_id: Some(format!("{}:{}", shared.campaign.name, w.r.id)),
                    batch_id: None,
                },
                tier: tier.name.clone(),
                stage: stage.name.clone(),
                recipient: Some(w.key.clone()),
                batch_pricing: false,
                // The same count the governor would make from the messages, with the shared
                // prefix and segment block tokenized once rather than per call.
                prompt_tokens: Some(
                    candor_pricing::tokens::count_parts(&stage.model, &parts).tokens,
                ),
            };
            match stage_call(shared, &ctx, &route, &req).await {
                Ok(out) => {
                    w.calls += u64::from(out.attempts);
                    w.record.attempts += out.attempts;
                    w.record.cost += out.cost;
                    w.cache_hits += u64::from(out.cache_hit);
                    // No row to judge in a collect round (nothing was recorded), nor for a
                    // batched answer whose row an earlier process wrote and did not note.
                    last_ledger = (!collecting && out.ledger_id.0 > 0).then_some(out.ledger_id);
                    previous = Some(out.completion.text);
                }
                Err(StageError::Held) => return Ok(TierResult::Held),
                Err(StageError::Governor(GovernorError::Store(e))) => return Err(e.to_string()),
                Err(StageError::Governor(GovernorError::Refused(r))) => {
                    return Ok(TierResult::Fall {
                        reason: "budget",
                        detail: r.to_string(),
                    })
                }
                Err(StageError::Governor(e)) => {
                    if let GovernorError::Provider { attempts, .. } = &e {
                        w.calls += u64::from(*attempts);
                        w.record.attempts += attempts;
                    }
                    return Ok(TierResult::Fall {
                        reason: "error",
                        detail: e.to_string(),
                    });
                }
            }
        }
        let answer = previous.unwrap_or_default();
        let mut parsed: Parsed = compose::parse_answer(&answer, wants_subject, wants_body);
        if compact_answer {
            parsed.opener = compose::first_sentences(&parsed.opener, 2);
        }
        if parsed.opener.trim().is_empty() {
            feedback = vec!["The answer was empty: write the opener.".into()];
            w.record.findings.push(RecordFinding {
                tier: tier.name.clone(),
                attempt: attempt + 1,
                kind: "empty_answer".into(),
                detail: String::new(),
            });
            continue;
        }
        let opener = if wants_body {
            parsed.opener.clone()
        } else {
            format!("{}\n\n{}", greeting(w.r), parsed.opener)
        };
        let email = Composed {
            subject: match parsed.subject.clone().filter(|_| wants_subject) {
                Some(s) => s,
                None => template_subject
                    .get_or_insert_with(|| {
                        shared
                            .templates
                            .render_for(w.r, shared.campaign.send_date, &shared.campaign_facts)
                            .map(|t| t.subject.text)
                            .unwrap_or_default()
                    })
                    .clone(),
            },
            opener,
            body: match (&parsed.body, &copy) {
                (Some(b), _) if wants_body => b.clone(),
                (_, Some(c)) => c.text.clone(),
                _ => shared.fallback_body.clone(),
            },
            offer: shared.offer.clone(),
        };
        feedback = check(w, &tier.name, attempt + 1, &email, !wants_body);
        if let Some(id) = last_ledger {
            let verdict = if feedback.is_empty() {
                GateVerdict::Pass
            } else {
                GateVerdict::Fail
            };
            if let Err(e) = shared.governor.store().set_gate_verdict(id, verdict).await {
                return Err(e.to_string());
            }
        }
        if feedback.is_empty() {
            return Ok(TierResult::Sent {
                email,
                facts_used: w.record.facts_used.clone(),
            });
        }
    }
    Ok(TierResult::Fall {
        reason: "gate",
        detail: feedback.first().cloned().unwrap_or_default(),
    })
}

/// Most collect rounds a run makes: each gets every recipient one call further (a stage, a
/// retry, a tier down), so this bounds tiers × stages × attempts with room to spare.
const MAX_ROUNDS: u32 = 24;

/// What the collect rounds need from `run`.
struct Rounds<'a> {
    recipients: &'a Path,
    done: &'a std::collections::HashMap<String, Record>,
    plan: &'a crate::plan::Plan,
    ladder_names: &'a [String],
    per_send: &'a HashMap<(String, String), Money>,
    concurrency: usize,
    poll: std::time::Duration,
    out_dir: &'a Path,
    durable: bool,
    stop: Option<&'a Arc<std::sync::atomic::AtomicBool>>,
}

/// Batches sent or collected, and the requests they answered.
#[derive(Default)]
struct BatchCounts {
    batches: u64,
    answered: u64,
}

fn say(progress: &mut Option<Box<dyn Write + Send>>, line: &str) {
    if let Some(p) = progress.as_mut() {
        let _ = writeln!(p, "{line}");
        let _ = p.flush();
    }
}

/// The collect rounds of a `batch_api` run (see [`crate::batch`]): first the batches an
/// earlier run left (collected if submitted, charged if the submission was never confirmed),
/// then rounds until one holds nothing.
async fn batch_rounds(
    shared: &Arc<Shared>,
    r: Rounds<'_>,
    progress: &mut Option<Box<dyn Write + Send>>,
) -> Result<BatchCounts, RunError> {
    let mut counts = BatchCounts::default();
    let (mut journal, entries) = batch::Journal::open(r.out_dir, r.durable).map_err(|e| {
        RunError::Store(format!(
            "{}: {e}",
            r.out_dir.join(batch::BATCHES_FILE).display()
        ))
    })?;
    let stopped = || r.stop.is_some_and(|s| s.load(Ordering::SeqCst));
    // Reservations held for this outbox's batches that no batch record claims: held by a run
    // that died before it recorded (or submitted) them. Nothing was sent: release them.
    let own: std::collections::HashSet<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
    let store = shared.governor.store();
    for (id, a) in store
        .batch_reservations()
        .await
        .map_err(|e| RunError::Store(e.to_string()))?
    {
        let Some(b) = a.batch_id.as_deref() else {
            continue;
        };
        if batch::is_own(b, &shared.campaign.name, journal.tag()) && !own.contains(b) {
            store
                .release(id, None)
                .await
                .map_err(|e| RunError::Store(e.to_string()))?;
        }
    }
    drop(own);
    for (key, entry) in entries {
        if let Some(costs) = &entry.costs {
            let mut paid = shared.batch_paid.lock().unwrap_or_else(|p| p.into_inner());
            for (id, cost) in costs {
                if let Some(k) = CacheKey::from_hex(id) {
                    let ledger = entry.ledger.get(id).map(|l| LedgerId(*l));
                    paid.insert(
                        k,
                        Paid {
                            cost: *cost,
                            ledger,
                            this_run: false,
                        },
                    );
                }
            }
            continue;
        }
        if entry.abandoned {
            continue;
        }
        let held: Vec<candor_governor::Held> = entry
            .items
            .iter()
            .filter_map(batch::ItemState::held)
            .collect();
        // Submitted, but the run died before it noted the id: a provider that keeps candor's
        // batch key (OpenAI, in the batch's metadata) can still name the batch.
        let mut batch_id = entry.batch_id.clone();
        if batch_id.is_none() {
            let found = match held
                .first()
                .and_then(|h| shared.router.route(&h.model))
                .as_ref()
                .and_then(|r| r.provider.batch().map(|api| api.find(&key)))
            {
                Some(lookup) => lookup.await.unwrap_or_else(|e| {
                    tracing::warn!(batch = key, error = %e, "cannot look the batch up at its provider");
                    None
                }),
                None => None,
            };
            if let Some(id) = found {
                journal_write(
                    &mut journal,
                    &batch::Event::Submitted {
                        key: key.clone(),
                        batch_id: id.clone(),
                    },
                )?;
                batch_id = Some(id);
            }
        }
        match &batch_id {
            Some(id) => {
                say(
                    progress,
                    &format!("batch {key}: collecting {id}, submitted by an earlier run"),
                );
                match collect_batch(
                    shared,
                    &mut journal,
                    &key,
                    id,
                    &held,
                    r.poll,
                    progress,
                    &stopped,
                )
                .await?
                {
                    Some(n) => {
                        counts.batches += 1;
                        counts.answered += n;
                    }
                    None => return Ok(counts),
                }
            }
            None => {
                for h in &held {
                    shared
                        .governor
                        .abandon_held(
                            h,
                            "the run stopped while submitting this request's batch: it may have \
                             reached the provider, so it is charged at its worst case",
                        )
                        .await
                        .map_err(|e| RunError::Store(e.to_string()))?;
                }
                journal_write(&mut journal, &batch::Event::Abandoned { key: key.clone() })?;
            }
        }
    }
    // Which tiers, from a ladder position down, have a call a batch can carry.
    let batchable = |t: &Tier| {
        t.stages.iter().any(|st| {
            shared
                .router
                .route(&st.model)
                .is_some_and(|rt| rt.provider.batch().is_some())
        })
    };
    let ladder = &shared.campaign.ladder;
    let copy_batchable = shared.campaign.copy.as_ref().is_some_and(|c| {
        shared
            .router
            .route(&c.model)
            .is_some_and(|rt| rt.provider.batch().is_some())
    });
    let from: Vec<bool> = (0..ladder.len())
        .map(|i| copy_batchable || ladder[i..].iter().any(batchable))
        .collect();
    // Unique to this run: two runs of one outbox can start within the same second (a kill
    // and an immediate resume), and a batch key one run abandoned must not name the next
    // run's batch.
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
        ^ (u128::from(std::process::id()) << 96);
    for round in 1..=MAX_ROUNDS {
        if stopped() {
            break;
        }
        let collector = Arc::new(batch::Collector::new(
            &shared.campaign.name,
            &format!("{}.{nonce:x}.{round}", journal.tag()),
        ));
        *shared.collect.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(&collector));
        let mut cursor = PlanCursor::new(r.plan, r.ladder_names);
        let mut reader = RecipientReader::open(r.recipients, None)?;
        let sem = Arc::new(Semaphore::new(r.concurrency));
        let mut tasks = tokio::task::JoinSet::new();
        let mut fatal: Option<String> = None;
        for rec in reader.by_ref() {
            if stopped() {
                break;
            }
            let segment = shared.campaign.segment_name_of(&rec).to_string();
            let planned = cursor
                .next(&segment)
                .unwrap_or_else(|| r.ladder_names.last().cloned().unwrap_or_default());
            if r.done.contains_key(rec.id.as_str()) {
                continue;
            }
            let at = ladder.iter().position(|t| t.name == planned).unwrap_or(0);
            if !from.get(at).copied().unwrap_or(false) {
                continue;
            }
            let Ok(permit) = Arc::clone(&sem).acquire_owned().await else {
                break;
            };
            let shared = Arc::clone(shared);
            let cost = r
                .per_send
                .get(&(segment.clone(), planned.clone()))
                .copied()
                .unwrap_or(Money::ZERO);
            tasks.spawn(async move {
                let o = process(
                    &shared,
                    rec,
                    segment,
                    planned.clone(),
                    planned,
                    cost,
                    Vec::new(),
                )
                .await;
                drop(permit);
                o.fatal
            });
            while let Some(Ok(f)) = tasks.try_join_next() {
                fatal = fatal.or(f);
            }
        }
        while let Some(res) = tasks.join_next().await {
            if let Ok(f) = res {
                fatal = fatal.or(f);
            }
        }
        *shared.collect.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if let Some(e) = reader.take_error() {
            return Err(e.into());
        }
        if let Some(f) = fatal {
            return Err(RunError::Store(f));
        }
        let groups = collector.take();
        if stopped() {
            // Asked to stop before these were submitted: nothing was sent, nothing is owed.
            for (h, _) in groups.values().flatten() {
                store
                    .release(h.reservation, None)
                    .await
                    .map_err(|e| RunError::Store(e.to_string()))?;
            }
            break;
        }
        if groups.is_empty() {
            break;
        }
        // Every batch of the round is submitted before any is waited for: they run side by side.
        let mut submitted = Vec::new();
        for (key, items) in groups {
            if let Some((id, held)) =
                submit_batch(shared, &mut journal, &key, items, progress).await?
            {
                counts.batches += 1;
                submitted.push((key, id, held));
            }
        }
        for (key, id, held) in submitted {
            match collect_batch(
                shared,
                &mut journal,
                &key,
                &id,
                &held,
                r.poll,
                progress,
                &stopped,
            )
            .await?
            {
                Some(n) => counts.answered += n,
                None => return Ok(counts),
            }
        }
    }
    Ok(counts)
}

fn journal_write(j: &mut batch::Journal, ev: &batch::Event) -> Result<(), RunError> {
    j.write(ev)
        .map_err(|e| RunError::Store(format!("{}: {e}", j.path().display())))
}

/// Submit one batch: its provider id and its requests, or `None` when it could not be
/// submitted (its reservations then released, or charged if it may have reached the provider).
async fn submit_batch(
    shared: &Shared,
    journal: &mut batch::Journal,
    key: &str,
    items: Vec<(candor_governor::Held, batch::Compact)>,
    progress: &mut Option<Box<dyn Write + Send>>,
) -> Result<Option<(String, Vec<candor_governor::Held>)>, RunError> {
    let Some((first, _)) = items.first() else {
        return Ok(None);
    };
    let Some(route) = shared.router.route(&first.model) else {
        return Ok(None);
    };
    let Some(api) = route.provider.batch() else {
        return Ok(None);
    };
    let provider = first.provider.clone();
    journal_write(
        journal,
        &batch::Event::Prepared {
            key: key.to_string(),
            provider: provider.clone(),
            items: items.iter().map(|(h, _)| batch::ItemState::of(h)).collect(),
        },
    )?;
    let held: Vec<candor_governor::Held> = items.iter().map(|(h, _)| h.clone()).collect();
    let batch_items: Vec<candor_providers::BatchItem> = items
        .into_iter()
        .map(|(h, compact)| candor_providers::BatchItem {
            custom_id: h.key.to_hex(),
            request: compact.request(),
        })
        .collect();
    say(
        progress,
        &format!(
            "batch {key}: submitting {} requests to {provider}",
            batch_items.len()
        ),
    );
    match api.submit(&batch_items, key).await {
        Ok(id) => {
            journal_write(
                journal,
                &batch::Event::Submitted {
                    key: key.to_string(),
                    batch_id: id.clone(),
                },
            )?;
            Ok(Some((id, held)))
        }
        Err(e) => {
            // Refused outright, the batch does not exist; any other failure may have created
            // it: found by its key, it is collected; else its requests are charged as calls
            // lost in flight.
            let refused = matches!(
                e,
                candor_providers::ProviderError::Refused { .. }
                    | candor_providers::ProviderError::Config(_)
                    | candor_providers::ProviderError::RateLimited { .. }
            );
            if !refused {
                if let Ok(Some(id)) = api.find(key).await {
                    journal_write(
                        journal,
                        &batch::Event::Submitted {
                            key: key.to_string(),
                            batch_id: id.clone(),
                        },
                    )?;
                    return Ok(Some((id, held)));
                }
            }
            let why = format!("submitting the batch failed: {e}");
            say(progress, &format!("batch {key}: {why}"));
            tracing::warn!(batch = key, error = %e, "batch submission failed; its requests go synchronously");
            for h in &held {
                if refused {
                    shared
                        .governor
                        .settle_held(
                            h,
                            Err(candor_providers::ProviderError::Refused {
                                status: 0,
                                message: why.clone(),
                            }),
                            route.pricer.as_ref(),
                            key,
                        )
                        .await
                        .map_err(|e| RunError::Store(e.to_string()))?;
                } else {
                    shared
                        .governor
                        .abandon_held(h, &why)
                        .await
                        .map_err(|e| RunError::Store(e.to_string()))?;
                }
            }
            let ev = if refused {
                batch::Event::Settled {
                    key: key.to_string(),
                    costs: BTreeMap::new(),
                    ledger: BTreeMap::new(),
                }
            } else {
                batch::Event::Abandoned {
                    key: key.to_string(),
                }
            };
            journal_write(journal, &ev)?;
            Ok(None)
        }
    }
}

/// Wait for a submitted batch to end, then settle each of its requests from the results: how
/// many were answered, or `None` when the run was asked to stop while waiting (the batch stays
/// in the journal; the next run collects it).
#[allow(clippy::too_many_arguments)]
async fn collect_batch(
    shared: &Shared,
    journal: &mut batch::Journal,
    key: &str,
    batch_id: &str,
    held: &[candor_governor::Held],
    poll: std::time::Duration,
    progress: &mut Option<Box<dyn Write + Send>>,
    stopped: &(dyn Fn() -> bool + Sync),
) -> Result<Option<u64>, RunError> {
    let Some(first) = held.first() else {
        return Ok(Some(0));
    };
    let Some(route) = shared.router.route(&first.model) else {
        return Err(RunError::Campaign(format!(
            "batch {key} ({batch_id}) is for model `{}`, which no configured provider serves now: \
             restore its provider to collect the answers already paid for",
            first.model
        )));
    };
    let Some(api) = route.provider.batch() else {
        return Err(RunError::Campaign(format!(
            "batch {key} ({batch_id}): provider `{}` no longer takes batches",
            route.provider.name()
        )));
    };
    let mut last = None;
    // Small batches often end within seconds: ask soon, then less often, up to `poll`.
    let mut wait = poll.min(std::time::Duration::from_secs(1));
    let failure = loop {
        match api.state(batch_id).await {
            Ok(candor_providers::BatchState::Ended) => break None,
            Ok(candor_providers::BatchState::Failed(why)) => break Some(why),
            Ok(candor_providers::BatchState::Running { done, total }) => {
                if last != Some(done) {
                    say(
                        progress,
                        &format!("batch {key} ({batch_id}): {done} of {total} answered"),
                    );
                    last = Some(done);
                }
            }
            Err(e) if e.is_retryable() => {
                tracing::warn!(batch = batch_id, error = %e, "asking for the batch's state failed; asking again");
            }
            Err(e) => break Some(e.to_string()),
        }
        if stopped() {
            say(
                progress,
                &format!("batch {key} ({batch_id}) is still running: the same command collects it"),
            );
            return Ok(None);
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(poll);
    };
    let ids: Vec<String> = held.iter().map(|h| h.key.to_hex()).collect();
    let results: Vec<candor_providers::BatchResult> = match failure {
        None => {
            let mut tries = 0;
            loop {
                tries += 1;
                match api.results(batch_id, &ids).await {
                    Ok(r) => break r,
                    Err(e) if e.is_retryable() && tries < 5 => {
                        tracing::warn!(batch = batch_id, error = %e, "fetching the batch's results failed; trying again");
                        tokio::time::sleep(poll).await;
                    }
                    Err(e) => {
                        return Err(RunError::Store(format!(
                            "batch {key} ({batch_id}): cannot fetch its results ({e}); \
                             the same command tries again"
                        )))
                    }
                }
            }
        }
        Some(why) => ids
            .iter()
            .map(|id| {
                (
                    id.clone(),
                    Err(candor_providers::ProviderError::Refused {
                        status: 0,
                        message: format!("the batch failed: {why}"),
                    }),
                )
            })
            .collect(),
    };
    let mut costs = BTreeMap::new();
    let mut ledger = BTreeMap::new();
    let mut failed = 0u64;
    for (id, result) in results {
        let Some(h) = held.iter().find(|h| h.key.to_hex() == id) else {
            continue;
        };
        let ok = result.is_ok();
        let (cost, row) = shared
            .governor
            .settle_held(h, result, route.pricer.as_ref(), batch_id)
            .await
            .map_err(|e| RunError::Store(e.to_string()))?;
        if ok {
            if let Some(r) = row {
                ledger.insert(id.clone(), r.0);
            }
            costs.insert(id, cost);
            shared
                .batch_paid
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(
                    h.key,
                    Paid {
                        cost,
                        ledger: row,
                        this_run: true,
                    },
                );
        } else {
            failed += 1;
        }
    }
    let answered = costs.len() as u64;
    let retry = if failed > 0 {
        format!(", {failed} failed (sent again one by one)")
    } else {
        String::new()
    };
    say(
        progress,
        &format!("batch {key} ({batch_id}): {} answered{retry}", costs.len()),
    );
    journal_write(
        journal,
        &batch::Event::Settled {
            key: key.to_string(),
            costs,
            ledger,
        },
    )?;
    Ok(Some(answered))
}

/// Whether a path looks like an outbox directory of an earlier run (has a records file).
pub fn has_records(dir: &Path) -> bool {
    dir.join(outbox::RECORDS_FILE).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heat(allowance: Option<Money>, actual: i64, planned: i64) -> Heat {
        // A $10.00 plan: $9.00 of sends and $1.00 of segment copy.
        let mut h = Heat::new(Money::from_dollars(9), Money::from_dollars(10), allowance);
        h.actual = Money::from_cents(actual);
        h.planned = Money::from_cents(planned);
        h
    }

    #[test]
    fn projection_scales_the_rest_of_the_list_by_the_overrun() {
        // Finished recipients cost 1.5x their plan: sends come to $13.50, plus the copy.
        assert_eq!(heat(None, 150, 100).projected(), Money::from_cents(1450));
        assert_eq!(heat(None, 0, 0).projected(), Money::from_dollars(10));
    }

    #[test]
    fn hot_needs_spend_above_plan_and_a_budget_it_would_overrun() {
        // No budget: above the threshold is hot, as the plan is all there is to go by.
        assert!(heat(None, 150, 100).is_hot(1_100));
        assert!(!heat(None, 105, 100).is_hot(1_100));
        // Projected $14.50: a $20 budget absorbs it, a $12 one does not.
        assert!(!heat(Some(Money::from_dollars(20)), 150, 100).is_hot(1_100));
        assert!(heat(Some(Money::from_dollars(12)), 150, 100).is_hot(1_100));
        // Under plan is never hot, whatever the budget.
        assert!(!heat(Some(Money::from_dollars(1)), 90, 100).is_hot(1_100));
        let r = heat(Some(Money::from_dollars(12)), 150, 100).reason();
        assert!(r.contains("$14.5000") && r.contains("$12.0000"), "{r}");
    }
}
