//! `candor estimate`: forecast a campaign's cost before any call.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use candor_domain::Campaign;
use candor_engine::estimate::{self, Estimator};
use candor_engine::ingest::{default_quarantine_path, RecipientReader};
use candor_engine::run::{plan_within_what_is_left, EarlierSpend};
use candor_engine::settings::Settings;
use candor_store::SqliteStore;

use crate::cli::EstimateArgs;
use crate::exit::UserError;

pub fn run(args: EstimateArgs) -> anyhow::Result<()> {
    let mut campaign = load_campaign(&args.campaign)?;
    let settings = load_settings(args.config.as_deref(), &args.campaign)?;
    // Plan as `candor run` would: within what earlier runs left of the budgets (the governor
    // holds every call to that), and within the global budget.
    let earlier = if args.full_budgets {
        EarlierSpend::default()
    } else {
        SqliteStore::read_spend(&settings.store, &campaign.name)
            .map_err(|e| {
                UserError::new(e.to_string())
                    .hint("`--full-budgets` plans against the campaign's budgets without it")
            })?
            .map(|s| EarlierSpend {
                campaign: s.campaign,
                global: s.global,
                segments: s.segments,
            })
            .unwrap_or_default()
    };
    let budget_note = plan_within_what_is_left(&mut campaign, settings.global_budget, &earlier);
    let quarantine = args
        .quarantine
        .clone()
        .unwrap_or_else(|| default_quarantine_path(&args.recipients));
    // An ingest error keeps its I/O cause, so the message says why (and exits 2).
    let reader = RecipientReader::open(&args.recipients, Some(&quarantine))?;
    let mut est = Estimator::new(&campaign, &settings.prices)
        .map_err(|e| UserError::new(format!("campaign `{}`: {e}", args.campaign.display())))?;
    if let Some(n) = budget_note {
        est.note(n);
    }
    let tty = std::io::stderr().is_terminal();
    let started = Instant::now();
    // Parsing and validation run on a second thread, pricing on this one: the two halves of
    // the work take about the same time, and batches through a bounded channel keep memory flat.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<candor_domain::Recipient>>(4);
    let parser = std::thread::spawn(move || {
        let mut reader = reader;
        let mut batch = Vec::with_capacity(1024);
        for r in reader.by_ref() {
            batch.push(r);
            if batch.len() == 1024
                && tx
                    .send(std::mem::replace(&mut batch, Vec::with_capacity(1024)))
                    .is_err()
            {
                break;
            }
        }
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
        reader.finish()
    });
    let mut n = 0u64;
    for batch in rx {
        for r in &batch {
            est.add(r);
            n += 1;
            if tty && n.is_multiple_of(100_000) {
                eprint!(
                    "\rread {n} recipients ({:.0}s)",
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
    if tty && n >= 100_000 {
        eprintln!();
    }
    let stats = parser
        .join()
        .map_err(|_| anyhow::anyhow!("the recipient reader thread panicked"))??;
    if stats.quarantined > 0 {
        eprintln!(
            "warning: {} of {} rows quarantined (see `{}`)",
            stats.quarantined,
            stats.rows,
            quarantine.display()
        );
    } else {
        // An empty quarantine file is noise: remove it.
        let _ = std::fs::remove_file(&quarantine);
    }
    let e = est
        .finish(stats, &settings.prices)
        .map_err(|e| UserError::new(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &e)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", estimate::render(&e))?;
    }
    Ok(())
}

/// Read and validate a campaign file; errors name the file and the key path.
pub fn load_campaign(path: &Path) -> anyhow::Result<Campaign> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read campaign file `{}`", path.display()))?;
    Campaign::from_toml(&text).map_err(|e| {
        UserError::new(format!("campaign file `{}`: {e}", path.display()))
            .hint("see the commented example written by `candor init DIR`")
            .into()
    })
}

/// `--config`, else `candor.toml` beside the campaign, else defaults (snapshot prices).
pub fn load_settings(explicit: Option<&Path>, campaign: &Path) -> anyhow::Result<Settings> {
    let dir = campaign
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => Some(dir.join("candor.toml")).filter(|p| p.exists()),
    };
    match path {
        None => Ok(Settings::default_for(&dir)),
        Some(p) => {
            let text = std::fs::read_to_string(&p)
                .with_context(|| format!("cannot read settings file `{}`", p.display()))?;
            let base = p
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."));
            Settings::from_toml(&text, &base)
                .map_err(|e| UserError::new(format!("settings file `{}`: {e}", p.display())).into())
        }
    }
}
