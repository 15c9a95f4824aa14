//! `candor demo`: the main job with no API key and no config. Writes the example campaign and
//! synthetic recipients into a directory, pulls the default local model if it is missing, runs
//! the campaign on the `local` and `template` tiers with the SQLite store, and reports what
//! happened and what the same list would cost on the priced remote tiers.
//!
//! Sized for a 2-core machine: 24 recipients by default (`--recipients N` for more); each local
//! opener is one or two generations of the default 0.5B model, eight recipients batched together.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use candor_domain::{Campaign, Money};
use candor_engine::assets::EXAMPLE_CAMPAIGN;
use candor_engine::demo_data::{self, OutFormat};
use candor_engine::estimate::{Estimate, Estimator};
use candor_engine::ingest::RecipientReader;
use candor_engine::run::RunSummary;
use candor_engine::settings::Settings;
use serde::Serialize;

use crate::cli::DemoArgs;
use crate::exit::UserError;

/// The demo's tiers: no spend, no key.
const TIERS: [&str; 2] = ["local", "template"];
/// Recipients are generated for a fixed seed, so two demos read the same list.
const SEED: u64 = 7;

#[derive(Serialize)]
struct DemoSummary<'a> {
    run: &'a RunSummary,
    elapsed_ms: u64,
    /// The same list on the full ladder, planned under the campaign's budget.
    planned_remote: Money,
    /// Every recipient on each priced tier alone.
    per_tier: Vec<(String, Money)>,
    /// The naive baseline: the richest tier for everyone, all context, no cache, no batch.
    naive: Money,
}

pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let dir = &args.dir;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the demo directory `{}`", dir.display()))?;
    let campaign_path = dir.join("campaign.toml");
    if !campaign_path.exists() {
        std::fs::write(&campaign_path, EXAMPLE_CAMPAIGN)
            .with_context(|| format!("cannot write `{}`", campaign_path.display()))?;
    }
    let campaign = super::estimate::load_campaign(&campaign_path)?;
    let recipients = dir.join("recipients.jsonl");
    write_recipients(&recipients, args.recipients as u64, &campaign)?;
    let settings = Settings::default_for(dir);
    let note = |s: &str| {
        if !args.json {
            let _ = writeln!(std::io::stderr(), "{s}");
        }
    };
    note(&format!(
        "candor demo: {} recipients, campaign `{}`, tiers local + template, store `{}`",
        args.recipients,
        campaign.name,
        settings.store.display()
    ));
    let estimate = estimate_full(&campaign, &settings, &recipients)?;
    let summary = super::run::execute(super::run::Job {
        campaign,
        settings: &settings,
        recipients: &recipients,
        out: &dir.join("outbox"),
        quarantine: &dir.join("quarantine.jsonl"),
        tiers: Some(TIERS.iter().map(|s| s.to_string()).collect()),
        // As many recipients in flight as the local provider batches: it generates their
        // openers together (one forward pass per step for all of them), which is what makes
        // the local tier fast on a few cores. Generation itself is still one batch at a time.
        concurrency: Some(candor_local::DEFAULT_MAX_BATCH),
        commit_every: candor_engine::outbox::BATCH_AGE,
        batch_poll: None,
    })?;
    let per_tier = per_tier_costs(&estimate);
    let demo = DemoSummary {
        run: &summary,
        elapsed_ms: started.elapsed().as_millis() as u64,
        planned_remote: estimate.plan.cost,
        per_tier,
        naive: estimate.naive.cost,
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &demo)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", render(&demo))?;
    }
    if summary.interrupted {
        return Err(crate::exit::Interrupted(super::run::interrupted_note(&summary)).into());
    }
    Ok(())
}

fn write_recipients(path: &Path, n: u64, c: &Campaign) -> anyhow::Result<()> {
    let f = std::fs::File::create(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    let mut w = BufWriter::new(f);
    demo_data::write(&mut w, n, SEED, c.send_date, OutFormat::Jsonl)?;
    w.flush()?;
    Ok(())
}

fn estimate_full(c: &Campaign, settings: &Settings, recipients: &Path) -> anyhow::Result<Estimate> {
    let mut est = Estimator::new(c, &settings.prices).map_err(|e| UserError::new(e.to_string()))?;
    let mut reader =
        RecipientReader::open(recipients, None).map_err(|e| UserError::new(e.to_string()))?;
    for r in reader.by_ref() {
        est.add(&r);
    }
    let stats = reader.finish().map_err(|e| UserError::new(e.to_string()))?;
    Ok(est
        .finish(stats, &settings.prices)
        .map_err(|e| UserError::new(e.to_string()))?)
}

/// Cost of sending everyone each tier, from the estimate's per-segment options.
fn per_tier_costs(e: &Estimate) -> Vec<(String, Money)> {
    let mut by: Vec<(String, Money)> = Vec::new();
    for row in &e.options {
        match by.iter_mut().find(|(t, _)| *t == row.tier) {
            Some((_, m)) => *m += row.totals.cost,
            None => by.push((row.tier.clone(), row.totals.cost)),
        }
    }
    by
}

fn money(m: Money) -> String {
    format!("${}", m.format_dollars(4))
}

fn render(d: &DemoSummary<'_>) -> String {
    let s = d.run;
    let mut o = super::run::render(s);
    let _ = writeln!(o, "\nwhat the gate caught (real examples from this run):");
    if s.examples.is_empty() {
        let _ = writeln!(o, "  nothing: every email passed on its first check");
    }
    for e in &s.examples {
        let _ = writeln!(
            o,
            "  [{} tier, {}] {}",
            e.tier,
            e.recipient,
            e.text.replace('\n', " ")
        );
        for f in e.findings.iter().take(2) {
            let _ = writeln!(o, "      -> {f}");
        }
    }
    let _ = writeln!(
        o,
        "\nthe same {} recipients on priced tiers (estimate, no call made):",
        s.recipients
    );
    for (tier, cost) in &d.per_tier {
        if TIERS.contains(&tier.as_str()) {
            continue;
        }
        let _ = writeln!(o, "  everyone on `{tier}`: {}", money(*cost));
    }
    let _ = writeln!(
        o,
        "  planned mix under the budget: {}",
        money(d.planned_remote)
    );
    let _ = writeln!(
        o,
        "  naive baseline (richest model, all context, no cache): {}",
        money(d.naive)
    );
    let _ = writeln!(
        o,
        "\ntook {:.0}s. Emails: {}; audit: candor audit --store {}",
        d.elapsed_ms as f64 / 1000.0,
        s.outbox,
        Path::new(&s.outbox)
            .parent()
            .map(|p| p.join("candor.sqlite").display().to_string())
            .unwrap_or_default()
    );
    o
}
