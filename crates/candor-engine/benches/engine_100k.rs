//! 100,000 recipients through the engine with an instant upstream.
//!
//! Run: `cargo bench -p candor-engine --bench engine_100k` (env `ENGINE_BENCH_N` to change the
//! list size, `ENGINE_BENCH_ROUNDS` to repeat each configuration and report the median and the
//! minimum: on a noisy machine one run can be 20–30% off). Measures, in one process, the CPU time per email (user + system, from
//! /proc/self/stat; the fake upstream answers at once, so this is the engine's own cost:
//! ingest, planning, prompts, governor, SQLite ledger, gate, MIME, outbox) and the peak RSS
//! (VmHWM). Two configurations run on the same list: the `template` floor alone (no calls) as
//! the peer, and the planned ladder (standard → local → template) with every call going
//! through the governor and the store.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::error::Error;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use candor_domain::recipient::{Limits, Recipient};
use candor_domain::{Campaign, ChatRequest, Completion, FinishReason, TokenCount, Usage};
use candor_engine::assets::EXAMPLE_CAMPAIGN;
use candor_engine::demo_data::{self, OutFormat};
use candor_engine::outbox::{Outbox, Record, BATCH_MESSAGES, RECORDS_FILE};
use candor_engine::run::{run_blocking, ModelRoute, Router, RunInputs, RunOptions};
use candor_governor::{Governor, GovernorConfig, Pricer};
use candor_pricing::PriceTable;
use candor_providers::{BoxFuture, Provider, ProviderError};
use candor_store::{SqliteOptions, SqliteStore};

/// The `candor` binary's allocator, so the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Instant0;

impl Provider for Instant0 {
    fn name(&self) -> &str {
        "instant"
    }
    fn complete<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
        Box::pin(async move {
            let text = if request.model.starts_with("gpt") {
                "Subject: Ready for winter trails\n\nOur warmest gear just landed, and we thought of you first."
            } else {
                "Our warmest gear just landed, and we thought of you first."
            };
            Ok(Completion {
                compute_ms: None,
                text: text.to_string(),
                usage: Usage {
                    input_tokens: TokenCount(600),
                    output_tokens: TokenCount(30),
                    ..Usage::default()
                },
                usage_reported: true,
                finish_reason: FinishReason::Stop,
                model: request.model.clone(),
            })
        })
    }
}

struct Routes(PriceTable);

impl Router for Routes {
    fn route(&self, model: &str) -> Option<ModelRoute> {
        let price = self.0.get(model).ok()?.clone();
        Some(ModelRoute {
            provider: Arc::new(Instant0),
            pricer: Arc::new(price) as Arc<dyn Pricer>,
            compact: false,
        })
    }
}

/// (user, system) CPU seconds of this process.
fn cpu_split() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 (1-based) of the whole line: 11 and 12 here.
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

/// (user + system CPU seconds) of this process.
fn cpu_seconds() -> f64 {
    let (user, system) = cpu_split();
    user + system
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn one(
    dir: &Path,
    recipients: &Path,
    name: &str,
    tiers: &[&str],
    n: u64,
) -> Result<f64, Box<dyn Error>> {
    let campaign = Campaign::from_toml(EXAMPLE_CAMPAIGN)?;
    let prices = PriceTable::snapshot();
    let store = SqliteStore::open(dir.join(format!("{name}.sqlite")), SqliteOptions::default())?;
    let inputs = RunInputs {
        campaign,
        recipients: recipients.to_path_buf(),
        prices: prices.clone(),
        governor: Arc::new(Governor::new(Arc::new(store), GovernorConfig::default())),
        router: Arc::new(Routes(prices)),
    };
    let mut opts = RunOptions::new(dir.join(format!("{name}-outbox")));
    opts.tiers = Some(tiers.iter().map(|s| s.to_string()).collect());
    opts.concurrency = Some(64);
    opts.salt = b"bench".to_vec();
    opts.audit_db = Some(dir.join(format!("{name}.sqlite")));
    // fsync per message is I/O wait, not CPU; this VM's disk makes it dominate wall time.
    // `ENGINE_BENCH_DURABLE=1` turns it back on.
    opts.durable = std::env::var("ENGINE_BENCH_DURABLE").is_ok_and(|v| v == "1");
    let (user0, sys0) = cpu_split();
    let t = Instant::now();
    let threads = std::env::var("ENGINE_BENCH_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let s = run_blocking(inputs, opts, threads)?;
    let wall = t.elapsed().as_secs_f64();
    let (user1, sys1) = cpu_split();
    let (user, system) = (user1 - user0, sys1 - sys0);
    let cpu = user + system;
    let per = cpu * 1e6 / n as f64;
    println!(
        "{name:<10} {} sent, {} skipped, mix {:?}, {} calls: wall {wall:.1}s, CPU {cpu:.1}s = {per:.1} µs/email \
         (user {:.1}, system {:.1})",
        s.sent,
        s.skipped.values().sum::<u64>(),
        s.tier_mix,
        s.calls,
        user * 1e6 / n as f64,
        system * 1e6 / n as f64,
    );
    Ok(per)
}

/// The outbox alone: one message file and one record line per recipient, written the way a
/// run writes them (in batch directories renamed into place whole, so a reader never sees half
/// a message), with no other engine work. This is the kernel's part of the floor, for reading
/// the figures above.
fn outbox_floor(dir: &Path, n: u64) -> Result<(), Box<dyn Error>> {
    let out = dir.join("template-outbox");
    // The first sent record's message (reading line by line: the whole file would add its
    // size to the peak RSS reported below).
    let sample = BufReader::new(std::fs::File::open(out.join(RECORDS_FILE))?)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<Record>(&l).ok())
        .find_map(|r| r.message_file)
        .map(|f| std::fs::read_to_string(out.join(f)))
        .transpose()?
        .unwrap_or_else(|| "x".repeat(3000));
    let ids: Vec<_> = (0..n)
        .map(|i| {
            let rec = format!(r#"{{"id":"f{i:07}","email":"f{i}@example.com"}}"#);
            Recipient::from_json(&rec, &Limits::default()).map(|r| r.id)
        })
        .collect::<Result<_, _>>()?;
    let (outbox, _) = Outbox::open(&dir.join("floor-outbox"))?;
    let mut outbox = outbox;
    outbox.set_sync(false);
    let cpu0 = cpu_seconds();
    for id in &ids {
        let mut record = Record::skipped(id, "");
        outbox.add(id, &mut record, Some(&sample))?;
        if outbox.pending() >= BATCH_MESSAGES {
            outbox.commit()?;
        }
    }
    outbox.commit()?;
    let per = (cpu_seconds() - cpu0) * 1e6 / n as f64;
    println!(
        "outbox     {n} message files of {} bytes alone (no engine work): CPU {per:.1} µs/message",
        sample.len()
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let n: u64 = std::env::var("ENGINE_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let recipients = dir.path().join("recipients.jsonl");
    {
        let c = Campaign::from_toml(EXAMPLE_CAMPAIGN)?;
        let mut w = BufWriter::new(std::fs::File::create(&recipients)?);
        demo_data::write(&mut w, n, 1, c.send_date, OutFormat::Jsonl)?;
        w.flush()?;
    }
    println!("{n} recipients; CPU time includes both passes (plan, then run)");
    // `ENGINE_BENCH_ONLY=template|ladder` runs one configuration (for profiling).
    let only = std::env::var("ENGINE_BENCH_ONLY").unwrap_or_default();
    let rounds: usize = std::env::var("ENGINE_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    // Each round writes a fresh store and outbox; later rounds' are removed once measured (the
    // first round's outbox gives the floor's sample message).
    let repeat = |name: &str, tiers: &[&str]| -> Result<f64, Box<dyn Error>> {
        let mut runs = Vec::with_capacity(rounds);
        for r in 0..rounds {
            let label = if r == 0 {
                name.to_string()
            } else {
                format!("{name}{r}")
            };
            runs.push(one(dir.path(), &recipients, &label, tiers, n)?);
            if r > 0 {
                std::fs::remove_dir_all(dir.path().join(format!("{label}-outbox")))?;
            }
        }
        runs.sort_by(f64::total_cmp);
        let median = runs[runs.len() / 2];
        if rounds > 1 {
            println!(
                "{name:<10} {rounds} rounds: median {median:.1} µs/email, min {:.1}",
                runs[0]
            );
        }
        Ok(median)
    };
    let floor = if only.is_empty() || only == "template" {
        repeat("template", &["template"])?
    } else {
        0.0
    };
    if only.is_empty() || only == "template" {
        outbox_floor(dir.path(), n)?;
    }
    if only == "template" {
        println!("peak RSS {:.0} MB", peak_rss_mb());
        return Ok(());
    }
    let ladder = repeat("ladder", &["standard", "local", "template"])?;
    println!(
        "ladder / template-only CPU per email: {:.2}x; peak RSS {:.0} MB",
        ladder / floor.max(f64::MIN_POSITIVE),
        peak_rss_mb()
    );
    Ok(())
}
