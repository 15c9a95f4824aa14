//! Command-line interface. Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// candor writes personalized marketing email with LLMs inside an inference budget, and checks
/// every email for fake-looking personalization before it reaches the outbox.
#[derive(Debug, Parser)]
#[command(
    name = "candor",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the main job on an embedded example: no API key, no config needed.
    Demo(DemoArgs),
    /// Forecast a campaign's cost before any call: per segment and tier, against a naive baseline.
    Estimate(EstimateArgs),
    /// Check one email with the authenticity gate.
    Check(CheckArgs),
    /// Write a complete, commented example campaign, candor.toml and sample recipients into DIR.
    Init(InitArgs),
    /// Generate realistic synthetic recipients (deterministic for a seed).
    DemoData(DemoDataArgs),
    /// Run a campaign end to end: generate, check and write one email per recipient.
    Run(RunArgs),
    /// Report where the money went, from the ledger.
    Audit(AuditArgs),
    /// Manage local (on-device) models.
    Models(ModelsArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Working directory for the demo's campaign, recipients, store and outbox.
    #[arg(long, default_value = "candor-demo")]
    pub dir: PathBuf,
    /// Number of demo recipients (each costs one or two local-model generations).
    #[arg(long, default_value_t = 24)]
    pub recipients: usize,
    /// Print a machine-readable summary instead of the report.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EstimateArgs {
    /// Campaign file (TOML).
    pub campaign: PathBuf,
    /// Recipients file: .jsonl / .ndjson (canonical records) or .csv.
    #[arg(long, short = 'r')]
    pub recipients: PathBuf,
    /// Provider and price settings; defaults to `candor.toml` beside the campaign, if present.
    #[arg(long, env = "CANDOR_CONFIG")]
    pub config: Option<PathBuf>,
    /// Where bad rows go; defaults to `<recipients>.quarantine.jsonl`.
    #[arg(long)]
    pub quarantine: Option<PathBuf>,
    /// Plan against the campaign's full budgets. By default the plan, as `candor run`'s, is
    /// within what earlier runs left of them, read from the store's ledger.
    #[arg(long)]
    pub full_budgets: bool,
    /// Print the estimate as JSON (format documented in docs/estimate-json.md).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// One recipient record in the canonical JSON shape.
    #[arg(long)]
    pub recipient: PathBuf,
    /// The campaign's own facts as JSON; key `now` (YYYY-MM-DD) is the send date.
    #[arg(long)]
    pub context: Option<PathBuf>,
    /// Print `{"verdict", "findings"}` as JSON.
    #[arg(long)]
    pub json: bool,
    /// The email: `Subject: ...`, a blank line, then the plain-text body; or an .eml file.
    pub email: PathBuf,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to write into (created if missing; existing files are not overwritten).
    pub dir: PathBuf,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DataFormat {
    Jsonl,
    Csv,
}

#[derive(Debug, Args)]
pub struct DemoDataArgs {
    /// How many recipients to generate.
    #[arg(long, default_value_t = 1000)]
    pub recipients: u64,
    /// Random seed; the same seed gives the same file.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t = DataFormat::Jsonl)]
    pub format: DataFormat,
    /// Send date the synthetic histories lead up to (YYYY-MM-DD).
    #[arg(long, default_value = "2026-12-01")]
    pub now: String,
    /// Write here instead of stdout.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Campaign file (TOML).
    pub campaign: PathBuf,
    /// Recipients file (.jsonl or .csv).
    #[arg(long, short = 'r')]
    pub recipients: PathBuf,
    /// Outbox directory.
    #[arg(long, default_value = "outbox")]
    pub out: PathBuf,
    /// Provider, store and price settings; defaults to `candor.toml` beside the campaign.
    #[arg(long, env = "CANDOR_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print a machine summary at the end.
    #[arg(long)]
    pub json: bool,
    /// Make finished emails visible in the outbox at least this often (a batch directory and
    /// its records are written when 1,000 are done or this much time has passed). A crash
    /// loses at most this much finished work; the same command redoes it, answers to paid
    /// calls coming from the response cache.
    #[arg(long, env = "CANDOR_COMMIT_SECS", default_value_t = 5.0, value_name = "SECONDS",
          value_parser = parse_commit_secs)]
    pub commit_secs: f64,
    /// Use only these tiers of the campaign's ladder, comma-separated; `template` (the floor)
    /// must be one. `--tiers template` writes every email from the templates, with no model call.
    #[arg(long, value_delimiter = ',', value_name = "TIER,...")]
    pub tiers: Option<Vec<String>>,
    /// Recipients in flight at once; defaults to the campaign's `concurrency`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub concurrency: Option<u32>,
    /// With `batch_api = true`: ask a running provider batch how far it is at most this often
    /// (the first asks come after 1 s, then twice as long each time).
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS", value_parser = parse_poll_secs)]
    pub batch_poll: f64,
}

fn parse_poll_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (1.0..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}`: give seconds between 1 and 3600")),
    }
}

fn parse_commit_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.01..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}`: give seconds between 0.01 and 3600")),
    }
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this campaign.
    #[arg(long)]
    pub campaign: Option<String>,
    /// The store (SQLite file) `candor run` wrote; defaults to the `store` key of the config,
    /// else `candor.sqlite` beside it.
    #[arg(long, env = "CANDOR_STORE")]
    pub store: Option<PathBuf>,
    /// The settings file naming the store; defaults to `candor.toml` in the current directory,
    /// if present.
    #[arg(long, env = "CANDOR_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print the report as JSON (versioned; fields are only ever added).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    #[command(subcommand)]
    pub command: ModelsCommand,
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// List known local models and whether each is present in the cache.
    List,
    /// Download a model into the cache and verify its sha256.
    Pull {
        /// Model name, e.g. `qwen2.5-coder-0.5b-instruct-q4_k_m`.
        name: String,
    },
}
