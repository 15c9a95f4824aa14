//! `candor audit` on a 10,000,000-row ledger.
//!
//! Run: `cargo bench -p candor-audit --bench audit_10m` (env `AUDIT_BENCH_ROWS` to change the
//! size, `AUDIT_BENCH_DB` to keep the generated store between runs).
//!
//! Measures, on the same file in one run:
//! - peer: the report's spend groups and p50s computed by plain SQL over the ledger
//!   (`GROUP BY` per dimension, `ORDER BY .. LIMIT 1 OFFSET` per percentile);
//! - cold: the first [`Audit::refresh`], folding every row into the rollup;
//! - audit: what `candor audit` costs once the rollup is current (refresh finding nothing new +
//!   report), and after a run appended 100,000 rows (incremental refresh + report);
//!
//! and prints the ratios against the peer.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

use candor_audit::Audit;
use rusqlite::{params, Connection};

/// The ledger as candor-store creates it (columns the audit reads by name).
const LEDGER: &str = "CREATE TABLE IF NOT EXISTS ledger (
    id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, campaign TEXT NOT NULL, segment TEXT NOT NULL,
    send_id TEXT, batch_id TEXT, tier TEXT NOT NULL, stage TEXT NOT NULL, recipient_key TEXT,
    provider TEXT NOT NULL, model TEXT NOT NULL, input_tokens INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
    usage_reported INTEGER NOT NULL, cost_picos INTEGER NOT NULL, reserved_picos INTEGER NOT NULL,
    latency_ms INTEGER NOT NULL, attempt INTEGER NOT NULL, outcome TEXT NOT NULL,
    gate_verdict TEXT, detail TEXT);
CREATE INDEX IF NOT EXISTS ledger_by_campaign ON ledger (campaign, segment);";

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn generate(conn: &mut Connection, from: i64, rows: i64) -> Result<(), Box<dyn Error>> {
    const CAMPAIGNS: [&str; 4] = ["winter-sale", "spring-launch", "win-back", "newsletter-12"];
    const SEGMENTS: [&str; 3] = ["loyal", "lapsed", "new"];
    const OUTCOMES: [&str; 6] = [
        "timeout",
        "rate_limited",
        "server_error",
        "refused_by_budget",
        "cache_hit",
        "cache_hit",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ from as u64);
    let tx = conn.transaction()?;
    {
        let mut st = tx.prepare(
            "INSERT INTO ledger (id, at_ms, campaign, segment, send_id, tier, stage, \
             recipient_key, provider, model, input_tokens, cached_input_tokens, \
             cache_write_tokens, output_tokens, reasoning_tokens, usage_reported, cost_picos, \
             reserved_picos, latency_ms, attempt, outcome) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,0,?13,0,1,?14,?15,?16,?17,?18)",
        )?;
        for id in from..from + rows {
            let c = rng.below(4) as usize;
            let s = rng.below(3) as usize;
            let t = rng.below(100);
            let (tier, stage, provider, model) = match t {
                0..=9 => (
                    "deep",
                    ["plan", "draft", "refine"][rng.below(3) as usize],
                    "openai",
                    "gpt-4.1",
                ),
                10..=49 => ("standard", "opener", "openai", "gpt-4.1-mini"),
                _ => (
                    "local",
                    "opener",
                    "local",
                    "qwen2.5-coder-0.5b-instruct-q4_k_m",
                ),
            };
            let r = rng.below(100);
            let outcome = if r < 94 {
                "ok"
            } else {
                OUTCOMES[(r - 94) as usize]
            };
            let input = 300 + rng.below(2500) as i64;
            let cached = if rng.below(2) == 0 { 1024 } else { 0 };
            let output = 20 + rng.below(600) as i64;
            let cost = if provider == "local" || outcome != "ok" {
                0
            } else {
                input * 400_000 + cached * 100_000 + output * 1_600_000
            };
            let latency = 40 + rng.below(4000) as i64;
            let attempt = 1 + i64::from(rng.below(20) == 0);
            let recipient = format!("{:016x}{:016x}", rng.next(), rng.next());
            st.execute(params![
                id,
                1_700_000_000_000i64 + id,
                CAMPAIGNS[c],
                SEGMENTS[s],
                format!("{}:{}", CAMPAIGNS[c], id / 2),
                tier,
                stage,
                recipient,
                provider,
                model,
                input,
                cached,
                output,
                cost,
                cost + output * 1_000_000,
                latency,
                attempt,
                outcome
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn peer(conn: &Connection) -> Result<(), Box<dyn Error>> {
    for dim in ["campaign", "segment", "tier", "stage", "model"] {
        let mut st = conn.prepare(&format!(
            "SELECT {dim}, count(*), sum(cost_picos), sum(input_tokens), sum(output_tokens) \
             FROM ledger GROUP BY {dim}"
        ))?;
        let mut rows = st.query([])?;
        while rows.next()?.is_some() {}
    }
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM ledger WHERE outcome = 'ok'",
        [],
        |r| r.get(0),
    )?;
    for col in ["input_tokens", "output_tokens", "latency_ms"] {
        let _: i64 = conn.query_row(
            &format!(
                "SELECT {col} FROM ledger WHERE outcome = 'ok' ORDER BY {col} LIMIT 1 OFFSET ?1"
            ),
            params![n / 2],
            |r| r.get(0),
        )?;
    }
    Ok(())
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn main() -> Result<(), Box<dyn Error>> {
    let rows: i64 = std::env::var("AUDIT_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let tmp;
    let path = match std::env::var_os("AUDIT_BENCH_DB") {
        Some(p) => PathBuf::from(p),
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().join("bench-store.db")
        }
    };
    let mut conn = Connection::open(&path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.execute_batch(LEDGER)?;
    let have: i64 = conn.query_row("SELECT count(*) FROM ledger", [], |r| r.get(0))?;
    if have < rows {
        conn.execute_batch(
            "DELETE FROM ledger; DROP TABLE IF EXISTS audit_meta; DROP TABLE IF EXISTS audit_calls; \
             DROP TABLE IF EXISTS audit_hist; DROP TABLE IF EXISTS audit_timeline; \
             DROP TABLE IF EXISTS audit_top_sends;",
        )?;
        let t = Instant::now();
        let chunk = 1_000_000;
        let mut id = 1;
        while id <= rows {
            let n = chunk.min(rows - id + 1);
            generate(&mut conn, id, n)?;
            id += n;
        }
        println!("generated {rows} ledger rows in {:.1}s", secs(t));
    }
    // A kept store has the rows an earlier run of this bench appended: drop them.
    conn.execute("DELETE FROM ledger WHERE id > ?1", params![rows])?;
    conn.execute_batch(
        "DROP TABLE IF EXISTS audit_meta; DROP TABLE IF EXISTS audit_calls; \
         DROP TABLE IF EXISTS audit_hist; DROP TABLE IF EXISTS audit_timeline; \
         DROP TABLE IF EXISTS audit_top_sends;",
    )?;
    let size = std::fs::metadata(&path)?.len();
    println!(
        "ledger: {rows} rows, {:.2} GB at {}",
        size as f64 / 1e9,
        path.display()
    );

    let mut audit = Audit::open(&path)?;
    let t = Instant::now();
    let st = audit.refresh()?;
    let cold_s = secs(t);
    println!(
        "cold   first refresh, folding {} rows into the rollup:        {cold_s:>7.2}s  ({:.0} ns/row)",
        st.ledger_rows,
        cold_s * 1e9 / st.ledger_rows.max(1) as f64
    );

    let t = Instant::now();
    audit.refresh()?;
    let report = audit.report(None)?;
    let _ = report.render_text();
    let _ = serde_json::to_string(&report)?;
    let warm_s = secs(t);
    println!("audit  `candor audit` with the rollup current:                 {warm_s:>7.3}s");

    generate(&mut conn, rows + 1, 100_000)?;
    let t = Instant::now();
    let st = audit.refresh()?;
    let _ = audit.report(None)?.render_text();
    let inc_s = secs(t);
    println!(
        "audit  after a run appended {} rows (refresh + report):     {inc_s:>7.3}s",
        st.ledger_rows
    );
    let _ = audit.report(Some("win-back"))?;
    // The peer last: it is the slowest by far, and the figures above do not wait for it.
    let t = Instant::now();
    peer(&conn)?;
    let peer_s = secs(t);
    println!("peer   plain SQL over the ledger (5 GROUP BYs + 3 sorted p50s): {peer_s:>7.2}s");
    println!(
        "ratios vs peer: cold {:.2}x, audit {:.0}x, audit after run {:.0}x faster",
        peer_s / cold_s,
        peer_s / warm_s,
        peer_s / inc_s
    );
    println!(
        "totals: spend ${} over {} rows; p50 in {:?}, p99 latency {:?} ms",
        report.totals.spend.format_dollars(2),
        report.totals.calls,
        report.tokens_in.p50,
        report.latency_ms.p99
    );
    Ok(())
}
