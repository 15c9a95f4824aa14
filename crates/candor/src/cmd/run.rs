//! `candor run`: the main job, end to end. This module only wires settings to the engine:
//! which provider serves which model, the store, the progress line and the summary.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use candor_domain::Campaign;
use candor_engine::ingest::default_quarantine_path;
use candor_engine::run::{self, ModelRoute, Router, RunInputs, RunOptions, RunSummary};
use candor_engine::settings::{KeySource, ProviderKind, Settings};
use candor_governor::{Governor, GovernorConfig, Pricer, RateLimit};
use candor_providers::{Provider, ProviderSpec};
use candor_store::{SqliteOptions, SqliteStore};

use crate::cli::RunArgs;
use crate::exit::{Interrupted, UserError};

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let campaign = super::estimate::load_campaign(&args.campaign)?;
    let settings = super::estimate::load_settings(args.config.as_deref(), &args.campaign)?;
    let quarantine = default_quarantine_path(&args.recipients);
    if let Some(tiers) = &args.tiers {
        check_tiers(&campaign, tiers)?;
    }
    let summary = execute(Job {
        campaign,
        settings: &settings,
        recipients: &args.recipients,
        out: &args.out,
        quarantine: &quarantine,
        tiers: args.tiers,
        concurrency: args.concurrency.map(|n| n as usize),
        commit_every: std::time::Duration::from_secs_f64(args.commit_secs),
        batch_poll: Some(std::time::Duration::from_secs_f64(args.batch_poll)),
    })?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", render(&summary))?;
    }
    if summary.interrupted {
        return Err(Interrupted(interrupted_note(&summary)).into());
    }
    Ok(())
}

/// `--tiers` names tiers of the campaign's ladder, the floor among them.
fn check_tiers(c: &Campaign, tiers: &[String]) -> anyhow::Result<()> {
    let ladder: Vec<&str> = c.ladder.iter().map(|t| t.name.as_str()).collect();
    let hint = || format!("the campaign's ladder is {}", ladder.join(", "));
    if let Some(t) = tiers.iter().find(|t| !ladder.contains(&t.as_str())) {
        return Err(
            UserError::new(format!("--tiers: `{t}` is not a tier of this campaign"))
                .hint(hint())
                .into(),
        );
    }
    if let Some(floor) = c.ladder.last().filter(|f| !tiers.contains(&f.name)) {
        return Err(UserError::new(format!(
            "--tiers: the floor `{}` must be one of the tiers (every email can fall to it)",
            floor.name
        ))
        .hint(hint())
        .into());
    }
    Ok(())
}

/// One run as the CLI starts it.
pub struct Job<'a> {
    pub campaign: Campaign,
    pub settings: &'a Settings,
    pub recipients: &'a Path,
    pub out: &'a Path,
    pub quarantine: &'a Path,
    pub tiers: Option<Vec<String>>,
    pub concurrency: Option<usize>,
    /// The outbox's longest batch age.
    pub commit_every: std::time::Duration,
    /// The longest wait between asks about a running provider batch; `None` = the default.
    pub batch_poll: Option<std::time::Duration>,
}

pub fn execute(job: Job<'_>) -> anyhow::Result<RunSummary> {
    let needed = models_needed(&job.campaign, job.tiers.as_deref());
    let router = CliRouter::build(job.settings, &needed)?;
    let store = SqliteStore::open(&job.settings.store, SqliteOptions::default()).map_err(|e| {
        UserError::new(format!(
            "cannot open the store `{}`: {e}",
            job.settings.store.display()
        ))
    })?;
    let mut config = GovernorConfig::default();
    // One timeout and retry limit for the run: the most generous of the providers it uses
    // (a local model on a busy CPU needs minutes where a remote API needs seconds).
    let used: Vec<_> = job
        .settings
        .providers
        .iter()
        .filter(|p| p.models.iter().any(|m| needed.contains(m)))
        .collect();
    if let Some(t) = used.iter().map(|p| p.timeout_secs).max() {
        config.call_timeout = std::time::Duration::from_secs(t.max(1));
    }
    if let Some(r) = used.iter().map(|p| p.max_retries).max() {
        config.max_attempts = r + 1;
    }
    for p in &job.settings.providers {
        if p.requests_per_minute.is_some() || p.tokens_per_minute.is_some() {
            config.rate_limits.insert(
                p.name.clone(),
                RateLimit {
                    requests_per_minute: p.requests_per_minute,
                    tokens_per_minute: p.tokens_per_minute,
                },
            );
        }
    }
    let governor = Arc::new(Governor::new(Arc::new(store), config));
    let mut opts = RunOptions::new(job.out);
    opts.batch_age = job.commit_every;
    // Ctrl-C stops the run gently (in-flight calls finish and are written); a second one exits.
    opts.stop = Some(Arc::new(std::sync::atomic::AtomicBool::new(false)));
    opts.tiers = job.tiers;
    opts.concurrency = job.concurrency;
    if let Some(p) = job.batch_poll {
        opts.batch_poll = p;
    }
    // Stable per campaign, so resume derives the same recipient keys and unsubscribe links.
    opts.salt = format!("candor:{}", job.campaign.name).into_bytes();
    opts.audit_db = Some(job.settings.store.clone());
    opts.quarantine = Some(job.quarantine.to_path_buf());
    opts.global_budget = job.settings.global_budget;
    if std::io::stderr().is_terminal() {
        opts.progress = Some(Box::new(std::io::stderr()));
    }
    let inputs = RunInputs {
        campaign: job.campaign,
        recipients: job.recipients.to_path_buf(),
        prices: job.settings.prices.clone(),
        governor,
        router: Arc::new(router),
    };
    let summary = run::run_blocking(inputs, opts, 2).map_err(|e| match e {
        run::RunError::Ingest(_)
        | run::RunError::Campaign(_)
        | run::RunError::Estimate(_)
        | run::RunError::Outbox(
            candor_engine::outbox::OutboxError::Orphaned(..)
            | candor_engine::outbox::OutboxError::NotADirectory(_)
            | candor_engine::outbox::OutboxError::OtherCampaign { .. },
        ) => anyhow::Error::new(UserError::new(e.to_string())),
        other => anyhow::Error::new(other),
    })?;
    if summary.quarantined == 0 {
        // An empty quarantine file is noise.
        let _ = std::fs::remove_file(job.quarantine);
    }
    Ok(summary)
}

/// Models the run may call: every stage of the allowed tiers, and the copy writer if one of
/// them is a model tier that takes the segment's body copy (does not write the body itself).
fn models_needed(c: &Campaign, tiers: Option<&[String]>) -> Vec<String> {
    let allowed: Vec<_> = c
        .ladder
        .iter()
        .filter(|t| tiers.is_none_or(|allowed| allowed.contains(&t.name)))
        .collect();
    let mut m: Vec<String> = allowed
        .iter()
        .flat_map(|t| t.stages.iter().map(|s| s.model.clone()))
        .collect();
    let copy_used = allowed.iter().any(|t| {
        !t.stages.is_empty()
            && !t
                .per_recipient
                .contains(&candor_domain::campaign::Part::Body)
    });
    if let Some(cw) = c.copy.as_ref().filter(|_| copy_used) {
        m.push(cw.model.clone());
    }
    m.sort();
    m.dedup();
    m
}

/// Model → provider and price, built once from `candor.toml`.
struct CliRouter {
    routes: HashMap<String, ModelRoute>,
}

impl Router for CliRouter {
    fn route(&self, model: &str) -> Option<ModelRoute> {
        self.routes.get(model).cloned()
    }
}

impl CliRouter {
    fn build(settings: &Settings, models: &[String]) -> anyhow::Result<CliRouter> {
        let mut routes = HashMap::new();
        let mut built: HashMap<String, Arc<dyn Provider>> = HashMap::new();
        for model in models {
            // A model no provider lists is simply unroutable: its tier falls to the next.
            let Some(p) = settings.providers.iter().find(|p| p.models.contains(model)) else {
                continue;
            };
            let price = settings.prices.get(model).map_err(|e| {
                UserError::new(format!("model `{model}` has no price: {e}"))
                    .hint("add it under [prices] in candor.toml; a model without a price is never treated as free")
            })?;
            let provider: Arc<dyn Provider> = match p.kind {
                ProviderKind::Local => {
                    let key = format!("local:{model}");
                    match built.get(&key) {
                        Some(p) => Arc::clone(p),
                        None => {
                            let p = load_local(model)?;
                            built.insert(key, Arc::clone(&p));
                            p
                        }
                    }
                }
                kind => match built.get(&p.name) {
                    Some(b) => Arc::clone(b),
                    None => {
                        let spec = ProviderSpec {
                            name: p.name.clone(),
                            kind: if kind == ProviderKind::Anthropic {
                                candor_providers::ProviderKind::Anthropic
                            } else {
                                candor_providers::ProviderKind::Openai
                            },
                            base_url: p.base_url.clone(),
                            api_key_env: match &p.key {
                                KeySource::Env(v) => Some(v.clone()),
                                _ => None,
                            },
                            api_key_file: match &p.key {
                                KeySource::File(f) => Some(f.clone()),
                                _ => None,
                            },
                            max_completion_tokens: None,
                        };
                        let b = spec
                            .build()
                            .map_err(|e| UserError::new(format!("provider `{}`: {e}", p.name)))?;
                        built.insert(p.name.clone(), Arc::clone(&b));
                        b
                    }
                },
            };
            routes.insert(
                model.clone(),
                ModelRoute {
                    compact: p.kind == ProviderKind::Local,
                    provider,
                    pricer: Arc::new(price.clone()) as Arc<dyn Pricer>,
                },
            );
        }
        Ok(CliRouter { routes })
    }
}

/// Load a local model, pulling it into the cache first if it is missing.
pub fn load_local(model: &str) -> anyhow::Result<Arc<dyn Provider>> {
    let dir = candor_local::registry::default_models_dir()?;
    let mut progress = candor_local::registry::StderrProgress::default();
    let m = candor_local::LocalModel::load_named(
        model,
        &dir,
        &candor_local::LoadOptions::default(),
        &mut progress,
    )
    .map_err(|e| UserError::new(format!("local model `{model}`: {e}")))?;
    Ok(Arc::new(candor_local::LocalProvider::new(Arc::new(m))))
}

fn money(m: candor_domain::Money) -> String {
    format!("${}", m.format_dollars(4))
}

/// What to tell a user who stopped the run.
pub fn interrupted_note(s: &RunSummary) -> String {
    let done = s.resumed + s.sent + s.skipped.values().sum::<u64>();
    format!(
        "interrupted: {done} of {} recipients are done and written (the calls in flight were \
         finished first); run the same command to continue",
        s.recipients
    )
}

/// The human summary.
pub fn render(s: &RunSummary) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let skipped: u64 = s.skipped.values().sum();
    let _ = writeln!(
        o,
        "campaign `{}`: {} emails written to `{}`, {} skipped{}{}",
        s.campaign,
        s.sent,
        s.outbox,
        skipped,
        if s.resumed > 0 {
            format!(", {} already done by an earlier run", s.resumed)
        } else {
            String::new()
        },
        if s.quarantined > 0 {
            format!(
                ", {} input rows quarantined ({})",
                s.quarantined,
                s.quarantine_file.as_deref().unwrap_or("")
            )
        } else {
            String::new()
        }
    );
    let mix: Vec<String> = s.tier_mix.iter().map(|(t, n)| format!("{t} {n}")).collect();
    let planned: Vec<String> = s
        .planned_mix
        .iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    let or_none = |v: Vec<String>| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(
        o,
        "  tier mix: {} (planned: {})",
        or_none(mix),
        or_none(planned)
    );
    if !s.skipped.is_empty() {
        let sk: Vec<String> = s.skipped.iter().map(|(r, n)| format!("{r} {n}")).collect();
        let _ = writeln!(o, "  skips: {}", sk.join(", "));
    }
    let _ = writeln!(
        o,
        "  spend {} (plan {}{}), {} calls, {} from cache",
        money(s.spend),
        money(s.planned),
        s.budget
            .map(|b| format!(", budget {}", money(b)))
            .unwrap_or_default(),
        s.calls,
        s.cache_hits
    );
    if s.batches > 0 {
        let _ = writeln!(
            o,
            "  provider batches: {} ({} answers at batch prices)",
            s.batches, s.batched_calls
        );
    }
    let _ = writeln!(
        o,
        "  gate: {} checks, {} caught{}",
        s.gate_checks,
        s.gate_checks - s.gate_passes,
        if s.findings_by_kind.is_empty() {
            String::new()
        } else {
            let k: Vec<String> = s
                .findings_by_kind
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            format!(" ({})", k.join(", "))
        }
    );
    if !s.moves_by_reason.is_empty() {
        let m: Vec<String> = s
            .moves_by_reason
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let _ = writeln!(o, "  tier moves: {}", m.join(", "));
        // Why calls failed (a wrong key, a closed network, a provider down) is the first
        // thing to know when emails fell off their tier for errors.
        if let Some(e) = s.moves.iter().find(|m| m.reason == "error") {
            let _ = writeln!(
                o,
                "  first error move: {} -> {}: {}",
                e.from, e.to, e.detail
            );
        }
    }
    for n in &s.notes {
        let _ = writeln!(o, "  note: {n}");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use candor_engine::run::Move;

    fn mv(reason: &str, detail: &str) -> Move {
        Move {
            recipient: "r1".into(),
            from: "standard".into(),
            to: "local".into(),
            reason: reason.into(),
            detail: detail.into(),
        }
    }

    /// Emails that fell a tier for provider errors: the summary says what the error was.
    #[test]
    fn the_summary_names_the_first_error_behind_error_moves() {
        let mut s = RunSummary {
            moves: vec![
                mv("gate", "implied_context"),
                mv("error", "provider `openai` is unavailable: dns error"),
            ],
            ..RunSummary::default()
        };
        s.moves_by_reason.insert("gate".into(), 1);
        s.moves_by_reason.insert("error".into(), 1);
        let text = render(&s);
        assert!(text.contains("tier moves: error 1, gate 1"), "{text}");
        assert!(
            text.contains(
                "first error move: standard -> local: provider `openai` is unavailable: dns error"
            ),
            "{text}"
        );
        s.moves.retain(|m| m.reason != "error");
        s.moves_by_reason.remove("error");
        assert!(!render(&s).contains("first error move"));
        assert!(
            render(&s).contains("tier mix: none (planned: none)"),
            "{}",
            render(&s)
        );
    }
}
