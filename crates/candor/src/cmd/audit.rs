//! `candor audit`: where the money went, from the store's ledger.

use std::io::Write;
use std::path::PathBuf;

use candor_audit::{Audit, AuditError};

use crate::cli::AuditArgs;
use crate::exit::UserError;

/// The store file when neither `--store` nor a config names one: the default `candor run`
/// uses beside a campaign in the current directory.
const DEFAULT_STORE: &str = "candor.sqlite";
const DEFAULT_CONFIG: &str = "candor.toml";

pub fn run(args: AuditArgs) -> anyhow::Result<()> {
    let store = store_path(&args)?;
    if !store.exists() {
        return Err(UserError::new(format!("no store at `{}`", store.display()))
            .hint("pass the store with `--store FILE` (the SQLite file `candor run` wrote), or run a campaign first")
            .into());
    }
    let mut audit = Audit::open(&store).map_err(|e| match e {
        AuditError::NoLedger(_) | AuditError::Open { .. } => {
            anyhow::Error::new(UserError::new(e.to_string()))
        }
        other => anyhow::Error::new(other),
    })?;
    // Fold in whatever the ledger gained since the last run finished (usually nothing).
    audit.refresh()?;
    let report = audit.report(args.campaign.as_deref())?;
    if let Some(c) = &args.campaign {
        if report.by_campaign.is_empty() && report.plan.is_empty() {
            return Err(UserError::new(format!(
                "campaign `{c}` has no ledger rows in `{}`",
                store.display()
            ))
            .hint("`candor audit` without --campaign lists every campaign in the store")
            .into());
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", report.render_text())?;
    }
    Ok(())
}

fn store_path(args: &AuditArgs) -> anyhow::Result<PathBuf> {
    if let Some(s) = &args.store {
        return Ok(s.clone());
    }
    // An explicit config, else `candor.toml` here: the one `candor run` finds beside a
    // campaign in the current directory.
    let here = PathBuf::from(DEFAULT_CONFIG);
    let config = args.config.as_ref().or(here.is_file().then_some(&here));
    if let Some(cfg) = config {
        // The store `candor run` used with this config: its `store` key, else the default
        // beside the config file.
        let dir = cfg.parent().unwrap_or(std::path::Path::new("."));
        let text = std::fs::read_to_string(cfg)
            .map_err(|e| UserError::new(format!("cannot read `{}`: {e}", cfg.display())))?;
        let settings = candor_engine::settings::Settings::from_toml(&text, dir)
            .map_err(|e| UserError::new(format!("`{}`: {e}", cfg.display())))?;
        return Ok(settings.store);
    }
    Ok(PathBuf::from(DEFAULT_STORE))
}
