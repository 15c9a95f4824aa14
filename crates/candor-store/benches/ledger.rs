//! Micro-benchmark: reserve + settle + ledger write, per call.
//!
//! `cargo bench -p candor-store --bench ledger` (set `CANDOR_BENCH_CALLS` to change the count).
//! Prints µs/call for each configuration and the ratio against a peer measured in the same run:
//! the same work done the obvious way, one SQLite transaction per reserve and per settle.

#![expect(
    clippy::print_stdout,
    clippy::panic,
    reason = "a benchmark reports on stdout and stops at the first broken invariant"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use candor_domain::{Money, TokenCount, Usage};
use candor_store::{
    AttemptLabel, Attribution, CacheKey, Caps, LedgerFilter, LedgerRow, MemoryStore, Outcome,
    Scope, SqliteOptions, SqliteStore, Store,
};

const TTL: Duration = Duration::from_secs(120);

fn row(a: &Attribution, i: u64) -> LedgerRow {
    LedgerRow {
        compute_ms: None,
        at_ms: 1_764_000_000_000,
        attribution: a.clone(),
        tier: "standard".into(),
        stage: "opener".into(),
        recipient: None,
        provider: "openai".into(),
        model: "gpt-4.1-mini".into(),
        usage: Usage {
            input_tokens: TokenCount(300),
            cached_input_tokens: TokenCount(1_536),
            cache_write_tokens: TokenCount(0),
            output_tokens: TokenCount(200 + i % 50),
            reasoning_tokens: TokenCount(0),
        },
        usage_reported: true,
        cost: Money::from_picos(1_000 + i as i128),
        reserved: Money::from_picos(5_000),
        latency_ms: 420,
        attempt: 1,
        outcome: Outcome::Ok,
        gate: None,
        detail: None,
    }
}

fn label() -> AttemptLabel {
    AttemptLabel {
        tier: "standard".into(),
        stage: "opener".into(),
        provider: "openai".into(),
        model: "gpt-4.1-mini".into(),
        attempt: 1,
        recipient: None,
    }
}

fn attribution(i: u64) -> Attribution {
    Attribution {
        campaign: "spring".into(),
        segment: format!("s{}", i % 4),
        send_id: Some(format!("send-{i}")),
        batch_id: None,
    }
}

async fn limits(store: &dyn Store) {
    let _ = store
        .set_limit(Scope::Global, Some(Money::from_dollars(1_000_000)))
        .await;
    let _ = store
        .set_limit(
            Scope::Campaign("spring".into()),
            Some(Money::from_dollars(100_000)),
        )
        .await;
    let _ = store
        .set_caps(Caps {
            per_send: Some(Money::from_dollars(1)),
            per_batch: None,
        })
        .await;
}

/// Sequential: one call after another, as one engine task sees it.
async fn sequential(store: Arc<dyn Store>, calls: u64) -> Duration {
    limits(store.as_ref()).await;
    let t = Instant::now();
    for i in 0..calls {
        let a = attribution(i);
        let id = match store
            .reserve(&a, Money::from_picos(5_000), TTL, &label())
            .await
        {
            Ok(id) => id,
            Err(e) => panic!("reserve: {e}"),
        };
        if let Err(e) = store.settle(id, row(&a, i)).await {
            panic!("settle: {e}");
        }
        store.forget_scope(Scope::Send(format!("send-{i}")));
    }
    if let Err(e) = store.flush().await {
        panic!("flush: {e}");
    }
    t.elapsed()
}

/// `tasks` concurrent tasks sharing the calls.
async fn concurrent(store: Arc<dyn Store>, calls: u64, tasks: u64) -> Duration {
    limits(store.as_ref()).await;
    let t = Instant::now();
    let mut handles = Vec::new();
    for k in 0..tasks {
        let store = Arc::clone(&store);
        handles.push(tokio::spawn(async move {
            let mut i = k;
            while i < calls {
                let a = attribution(i);
                let Ok(id) = store
                    .reserve(&a, Money::from_picos(5_000), TTL, &label())
                    .await
                else {
                    panic!("reserve")
                };
                if store.settle(id, row(&a, i)).await.is_err() {
                    panic!("settle");
                }
                store.forget_scope(Scope::Send(format!("send-{i}")));
                i += tasks;
            }
        }));
    }
    for h in handles {
        if h.await.is_err() {
            panic!("task");
        }
    }
    if store.flush().await.is_err() {
        panic!("flush");
    }
    t.elapsed()
}

/// The peer: one transaction per reserve and one per settle + ledger row, the way a
/// check-then-write store without batching does it.
fn naive(path: &Path, calls: u64) -> Duration {
    let Ok(conn) = rusqlite::Connection::open(path) else {
        panic!("open")
    };
    let setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
        CREATE TABLE reservations (id INTEGER PRIMARY KEY, campaign TEXT, segment TEXT, send_id TEXT, amount INTEGER);
        CREATE TABLE ledger (id INTEGER PRIMARY KEY, campaign TEXT, segment TEXT, send_id TEXT, tier TEXT, stage TEXT,
          provider TEXT, model TEXT, input INTEGER, cached INTEGER, output INTEGER, cost INTEGER, outcome TEXT);";
    if conn.execute_batch(setup).is_err() {
        panic!("schema");
    }
    let t = Instant::now();
    for i in 0..calls {
        let a = attribution(i);
        let r = (|| -> rusqlite::Result<()> {
            conn.prepare_cached("INSERT INTO reservations (id, campaign, segment, send_id, amount) VALUES (?1, ?2, ?3, ?4, ?5)")?
                .execute(rusqlite::params![i as i64, a.campaign, a.segment, a.send_id, 5_000])?;
            conn.execute_batch("BEGIN")?;
            conn.prepare_cached("DELETE FROM reservations WHERE id = ?1")?
                .execute([i as i64])?;
            conn.prepare_cached("INSERT INTO ledger (campaign, segment, send_id, tier, stage, provider, model, input, cached, output, cost, outcome) VALUES (?1, ?2, ?3, 'standard', 'opener', 'openai', 'gpt-4.1-mini', 300, 1536, 200, ?4, 'ok')")?
                .execute(rusqlite::params![a.campaign, a.segment, a.send_id, 1_000 + i as i64])?;
            conn.execute_batch("COMMIT")
        })();
        if r.is_err() {
            panic!("naive write");
        }
    }
    t.elapsed()
}

fn fresh(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", p.display()));
    }
    p
}

fn per_call(d: Duration, calls: u64) -> f64 {
    d.as_secs_f64() * 1e6 / calls as f64
}

fn main() {
    let calls: u64 = std::env::var("CANDOR_BENCH_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("candor-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    else {
        panic!("runtime")
    };

    let peer = per_call(naive(&fresh(&dir, "naive.db"), calls), calls);
    let mut results: Vec<(String, f64)> = Vec::new();
    let mem: Arc<dyn Store> = Arc::new(MemoryStore::new());
    results.push((
        "memory store, sequential".into(),
        per_call(rt.block_on(sequential(mem, calls)), calls),
    ));
    for (label, durable, tasks) in [
        ("sqlite write-behind, sequential", false, 1),
        ("sqlite durable reservations, sequential", true, 1),
        ("sqlite durable reservations, 64 tasks", true, 64),
        ("sqlite write-behind, 64 tasks", false, 64),
    ] {
        let path = fresh(&dir, "bench.db");
        let opts = SqliteOptions {
            durable_reservations: durable,
            ..SqliteOptions::default()
        };
        let Ok(store) = SqliteStore::open(&path, opts) else {
            panic!("open")
        };
        let store: Arc<dyn Store> = Arc::new(store);
        let d = if tasks == 1 {
            rt.block_on(sequential(Arc::clone(&store), calls))
        } else {
            rt.block_on(concurrent(Arc::clone(&store), calls, tasks))
        };
        let n = rt
            .block_on(store.ledger(LedgerFilter::default()))
            .map(|r| r.len())
            .unwrap_or(0);
        if n as u64 != calls {
            panic!("{label}: {n} ledger rows for {calls} calls");
        }
        results.push((label.into(), per_call(d, calls)));
    }
    // The response cache's lookup, on a store that is also writing.
    let (get_us, put_us) = {
        let path = fresh(&dir, "cache.db");
        let Ok(store) = SqliteStore::open(&path, SqliteOptions::default()) else {
            panic!("open")
        };
        let completion = candor_domain::Completion {
            compute_ms: None,
            text: "Hi Ada, thanks for being with us since 2021.".into(),
            usage: Usage::default(),
            usage_reported: true,
            finish_reason: candor_domain::FinishReason::Stop,
            model: "gpt-4.1-mini".into(),
        };
        let n = calls.min(20_000);
        let keys: Vec<CacheKey> = (0..n)
            .map(|i| {
                let req =
                    candor_domain::ChatRequest::from_parts("m", &Default::default(), i as u32);
                CacheKey::for_request("p", &req)
            })
            .collect();
        let t = Instant::now();
        for k in &keys {
            if rt.block_on(store.cache_get(*k)).is_err() {
                panic!("get");
            }
        }
        let get = per_call(t.elapsed(), n);
        let t = Instant::now();
        for k in &keys {
            if rt.block_on(store.cache_put(*k, &completion)).is_err() {
                panic!("put");
            }
        }
        if rt.block_on(store.flush()).is_err() {
            panic!("flush");
        }
        (get, per_call(t.elapsed(), n))
    };
    println!("response cache: lookup (miss) {get_us:.2} µs, fill {put_us:.2} µs");
    println!("reserve + settle + ledger write, {calls} calls each");
    println!(
        "{:<44} {:>10} {:>14}",
        "configuration", "µs/call", "vs peer"
    );
    println!(
        "{:<44} {:>10.2} {:>14}",
        "peer: sqlite, a transaction per step", peer, "1.00×"
    );
    for (label, us) in results {
        println!("{label:<44} {us:>10.2} {:>13.1}× faster", peer / us);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
