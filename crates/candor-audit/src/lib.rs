//! candor-audit: where the money went, from the ledger.
//!
//! Job: answer `candor audit` fast on a large ledger (goal: 10,000,000 rows in ≤ 2 s) and keep
//! the per-send facts the ledger does not hold (tier moves, gate findings, plans).
//!
//! How it stays fast: the report never scans the ledger. It reads small pre-aggregated tables
//! (`audit_*`, in the store's own SQLite file) that [`Audit::refresh`] brings up to date by
//! folding in only the ledger rows added since the last refresh (a watermark on the ledger's
//! integer id). `candor run` refreshes at the end of each run, so a report costs time in
//! proportion to the number of groups (campaign × segment × tier × stage × model × outcome),
//! not rows. Percentiles come from log-linear histograms stored as `(bucket, count)` rows, which
//! merge by addition.
//!
//! Invariants:
//! - The rollup and its watermark change in one transaction: a crash mid-refresh leaves the
//!   previous consistent state, and no row is counted twice.
//! - The watermark only passes a ledger id once every smaller id is present, or the gap is older
//!   than [`GAP_GRACE_MS`] (a row being written by a live run is not skipped).
//! - Per-send rows are keyed by (campaign, recipient) and inserted with `OR IGNORE`: a resumed
//!   run that logs a send again does not count it twice.
//! - Money is summed as exact integer picodollars.
//!
//! The ledger's table is owned by candor-store; this crate reads its columns by name
//! (`id, at_ms, campaign, segment, tier, stage, provider, model, input_tokens, ...`).

pub mod hist;
mod report;
mod rollup;

use std::path::{Path, PathBuf};
use std::time::Duration;

use candor_domain::Money;
use rusqlite::{params, Connection, OpenFlags};
use serde::{Deserialize, Serialize};

pub use report::{
    CostlySend, GateByTier, Group, MinuteSpend, Percentiles, PlanVsActual, Rates, Report, Spikes,
    Totals, REPORT_VERSION, SPIKES_SHOWN,
};
pub use rollup::RefreshStats;

/// A ledger gap younger than this is assumed to be a row still being written.
pub const GAP_GRACE_MS: i64 = 10 * 60 * 1000;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot open the store `{path}`: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("`{0}` has no ledger table: is it a candor store?")]
    NoLedger(PathBuf),
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("unexpected value in the ledger: {0}")]
    Value(#[from] rusqlite::types::FromSqlError),
    #[error("amount does not fit 64-bit picodollars: {0}")]
    Overflow(String),
    #[error("encoding a send row: {0}")]
    Json(#[from] serde_json::Error),
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit_calls (
    campaign TEXT NOT NULL, segment TEXT NOT NULL, tier TEXT NOT NULL, stage TEXT NOT NULL,
    provider TEXT NOT NULL, model TEXT NOT NULL, outcome TEXT NOT NULL,
    calls INTEGER NOT NULL, retries INTEGER NOT NULL,
    cost_picos INTEGER NOT NULL, reserved_picos INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL, latency_ms INTEGER NOT NULL,
    compute_ms INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign, segment, tier, stage, provider, model, outcome)
);
CREATE TABLE IF NOT EXISTS audit_hist (
    campaign TEXT NOT NULL, metric TEXT NOT NULL, bucket INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (campaign, metric, bucket)
);
CREATE TABLE IF NOT EXISTS audit_sends (
    id INTEGER PRIMARY KEY,
    campaign TEXT NOT NULL, recipient TEXT NOT NULL, segment TEXT NOT NULL,
    planned_tier TEXT NOT NULL, tier TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL,
    cost_picos INTEGER NOT NULL, calls INTEGER NOT NULL, fallbacks INTEGER NOT NULL,
    degraded INTEGER NOT NULL, gate TEXT NOT NULL,
    UNIQUE (campaign, recipient)
);
CREATE TABLE IF NOT EXISTS audit_send_rollup (
    campaign TEXT NOT NULL, segment TEXT NOT NULL, planned_tier TEXT NOT NULL, tier TEXT NOT NULL,
    status TEXT NOT NULL, reason TEXT NOT NULL,
    sends INTEGER NOT NULL, cost_picos INTEGER NOT NULL, calls INTEGER NOT NULL,
    fallbacks INTEGER NOT NULL, degraded INTEGER NOT NULL, retried INTEGER NOT NULL,
    PRIMARY KEY (campaign, segment, planned_tier, tier, status, reason)
);
CREATE TABLE IF NOT EXISTS audit_gate (
    campaign TEXT NOT NULL, tier TEXT NOT NULL, checks INTEGER NOT NULL, passes INTEGER NOT NULL,
    PRIMARY KEY (campaign, tier)
);
CREATE TABLE IF NOT EXISTS audit_findings (
    campaign TEXT NOT NULL, tier TEXT NOT NULL, kind TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (campaign, tier, kind)
);
CREATE TABLE IF NOT EXISTS audit_plans (
    campaign TEXT PRIMARY KEY, planned_picos INTEGER NOT NULL, recipients INTEGER NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_timeline (
    campaign TEXT NOT NULL, minute INTEGER NOT NULL, calls INTEGER NOT NULL,
    cost_picos INTEGER NOT NULL, retries INTEGER NOT NULL, failed INTEGER NOT NULL,
    PRIMARY KEY (campaign, minute)
);
CREATE TABLE IF NOT EXISTS audit_top_sends (
    campaign TEXT NOT NULL, recipient TEXT NOT NULL, segment TEXT NOT NULL, tier TEXT NOT NULL,
    cost_picos INTEGER NOT NULL, calls INTEGER NOT NULL, fallbacks INTEGER NOT NULL,
    PRIMARY KEY (campaign, recipient)
);
";

/// The rollup tables: derived from the ledger and `audit_sends`, so they can be emptied and
/// folded again (with both watermarks reset) whenever their shape changes.
const ROLLUPS: &str = "DELETE FROM audit_calls; DELETE FROM audit_hist; \
    DELETE FROM audit_send_rollup; DELETE FROM audit_gate; DELETE FROM audit_findings; \
    DELETE FROM audit_timeline; DELETE FROM audit_top_sends; \
    DELETE FROM audit_meta WHERE key IN ('ledger_watermark', 'sends_watermark');";

fn has_table(conn: &Connection, name: &str) -> Result<bool, AuditError> {
    Ok(conn
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")?
        .exists([name])?)
}

/// Add `column` to `table` unless it is there; whether it was added.
fn add_column(
    conn: &Connection,
    table: &str,
    column: &str,
    decl: &str,
) -> Result<bool, AuditError> {
    let present = conn
        .prepare(&format!(
            "SELECT 1 FROM pragma_table_info('{table}') WHERE name = ?1"
        ))?
        .exists([column])?;
    if !present {
        conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {decl}"))?;
    }
    Ok(!present)
}

/// One gate check of one attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateCheck {
    pub tier: String,
    pub pass: bool,
    /// Finding kinds raised (`grounding`, `implied_context`, `leak`, ...), one entry per finding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
}

/// What happened to one recipient, for the audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendRow {
    pub campaign: String,
    /// A stable key for the recipient (the engine passes a salted hash, never an address).
    pub recipient: String,
    pub segment: String,
    pub planned_tier: String,
    /// The tier whose email went out; empty for a skip.
    pub tier: String,
    pub sent: bool,
    /// Skip reason, empty when sent.
    pub reason: String,
    pub cost: Money,
    /// Model calls made (all attempts and tiers).
    pub calls: u32,
    /// Tier moves caused by the gate or errors (fallbacks).
    pub fallbacks: u32,
    /// Whether spend running hot moved this recipient down before its first attempt.
    pub degraded: bool,
    pub gate: Vec<GateCheck>,
}

/// An open audit database (the store's SQLite file).
pub struct Audit {
    conn: Connection,
    path: PathBuf,
}

impl Audit {
    /// Open a store file for auditing; creates the `audit_*` tables if missing. The ledger table
    /// must exist (the store creates it).
    pub fn open(path: &Path) -> Result<Audit, AuditError> {
        let open_err = |source| AuditError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(open_err)?;
        let has_ledger: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'ledger'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map_err(open_err)?
            > 0;
        if !has_ledger {
            return Err(AuditError::NoLedger(path.to_path_buf()));
        }
        // The store runs in WAL mode already; setting it again is a no-op, and it keeps a
        // report from blocking a live run's writer.
        let _ = conn.pragma_update(None, "journal_mode", "WAL");
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // A rollup made before the spike tables has folded rows they never saw: fold again.
        let had_rollup = has_table(&conn, "audit_meta")?;
        let had_spikes = has_table(&conn, "audit_top_sends")?;
        conn.execute_batch(SCHEMA)?;
        if had_rollup && !had_spikes {
            conn.execute_batch(ROLLUPS)?;
        }
        // Columns added since the first format: a ledger or rollup from an earlier candor.
        add_column(&conn, "ledger", "compute_ms", "INTEGER")?;
        if add_column(
            &conn,
            "audit_calls",
            "compute_ms",
            "INTEGER NOT NULL DEFAULT 0",
        )? {
            // Rollups made before the column have no compute in them: fold the ledger again.
            conn.execute_batch(
                "DELETE FROM audit_calls; DELETE FROM audit_hist; DELETE FROM audit_timeline; \
                 DELETE FROM audit_meta WHERE key = 'ledger_watermark';",
            )?;
        }
        Ok(Audit {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Fold ledger rows and send rows added since the last refresh into the rollup.
    pub fn refresh(&mut self) -> Result<RefreshStats, AuditError> {
        rollup::refresh(&mut self.conn)
    }

    /// The report, from the rollup (call [`Audit::refresh`] first for up-to-the-row figures).
    pub fn report(&self, campaign: Option<&str>) -> Result<Report, AuditError> {
        report::build(&self.conn, campaign)
    }

    /// Record the planned spend of a campaign (replaces an earlier plan for it).
    pub fn record_plan(
        &self,
        campaign: &str,
        planned: Money,
        recipients: u64,
    ) -> Result<(), AuditError> {
        let planned = to_i64(planned)?;
        self.conn.execute(
            "INSERT OR REPLACE INTO audit_plans (campaign, planned_picos, recipients, at_ms) \
             VALUES (?1, ?2, ?3, ?4)",
            params![
                campaign,
                planned,
                i64::try_from(recipients).unwrap_or(i64::MAX),
                now_ms()
            ],
        )?;
        Ok(())
    }

    /// Log sends in one transaction; a send already logged for the same campaign and recipient
    /// is ignored. Returns how many were new.
    pub fn log_sends(&mut self, rows: &[SendRow]) -> Result<usize, AuditError> {
        let tx = self.conn.transaction()?;
        let mut n = 0;
        {
            let mut st = tx.prepare_cached(
                "INSERT OR IGNORE INTO audit_sends (campaign, recipient, segment, planned_tier, \
                 tier, status, reason, cost_picos, calls, fallbacks, degraded, gate) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            for r in rows {
                let gate = serde_json::to_string(&r.gate)?;
                n += st.execute(params![
                    r.campaign,
                    r.recipient,
                    r.segment,
                    r.planned_tier,
                    r.tier,
                    if r.sent { "sent" } else { "skipped" },
                    r.reason,
                    to_i64(r.cost)?,
                    r.calls,
                    r.fallbacks,
                    r.degraded,
                    gate
                ])?;
            }
        }
        tx.commit()?;
        Ok(n)
    }
}

pub(crate) fn to_i64(m: Money) -> Result<i64, AuditError> {
    i64::try_from(m.picos()).map_err(|_| AuditError::Overflow(m.to_exact_string()))
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
