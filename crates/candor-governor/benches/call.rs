//! Governor overhead per call, with a provider that answers at once: cache lookup, prompt
//! count (supplied, as the engine does), reservation, rate-limit and breaker checks, settle,
//! ledger row, cache fill. `cargo bench -p candor-governor --bench call`.
//!
//! The peer is the same calls made on the provider directly, with no governor.

#![expect(
    clippy::print_stdout,
    clippy::panic,
    reason = "a benchmark reports on stdout and stops at the first broken invariant"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use candor_domain::{ChatRequest, Money, PromptParts, TokenCount, Usage};
use candor_governor::{CallContext, Governor, GovernorConfig, Pricer};
use candor_providers::{FakeProvider, Provider};
use candor_store::{Attribution, Scope, SqliteOptions, SqliteStore};

struct Flat;

impl Pricer for Flat {
    fn cost(&self, u: &Usage, _batch: bool) -> Money {
        Money::from_picos(100 * u.input_tokens.0 as i128 + 400 * u.output_tokens.0 as i128)
    }
    fn worst_case(&self, p: TokenCount, o: TokenCount, _batch: bool) -> Money {
        Money::from_picos(125 * p.0 as i128 + 400 * o.0 as i128)
    }
}

fn request(i: u64) -> ChatRequest {
    ChatRequest::from_parts(
        "fake-ok",
        &PromptParts {
            static_prefix: "You write for Acme. Never invent facts.".into(),
            segment_block: "Segment: lapsed customers.".into(),
            recipient_block: format!("Facts: recipient {i}"),
        },
        200,
    )
}

fn ctx(i: u64) -> CallContext {
    CallContext {
        attribution: Attribution {
            send_id: Some(format!("send-{i}")),
            ..Attribution::new("spring", format!("s{}", i % 4))
        },
        tier: "standard".into(),
        stage: "opener".into(),
        prompt_tokens: Some(TokenCount(1_800)),
        ..CallContext::default()
    }
}

async fn governed(
    gov: Arc<Governor>,
    provider: Arc<FakeProvider>,
    calls: u64,
    tasks: u64,
) -> Duration {
    let t = Instant::now();
    let mut hs = Vec::new();
    for k in 0..tasks {
        let gov = Arc::clone(&gov);
        let provider = Arc::clone(&provider);
        hs.push(tokio::spawn(async move {
            let mut i = k;
            while i < calls {
                if let Err(e) = gov
                    .call(&ctx(i), provider.as_ref(), &request(i), &Flat)
                    .await
                {
                    panic!("{e}");
                }
                gov.store().forget_scope(Scope::Send(format!("send-{i}")));
                i += tasks;
            }
        }));
    }
    for h in hs {
        if h.await.is_err() {
            panic!("task");
        }
    }
    if gov.store().flush().await.is_err() {
        panic!("flush");
    }
    t.elapsed()
}

async fn direct(provider: Arc<FakeProvider>, calls: u64) -> Duration {
    let t = Instant::now();
    for i in 0..calls {
        if provider.complete(&request(i)).await.is_err() {
            panic!("direct");
        }
    }
    t.elapsed()
}

fn main() {
    let calls: u64 = std::env::var("CANDOR_BENCH_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    else {
        panic!("runtime")
    };
    let dir = std::env::temp_dir().join(format!("candor-gov-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::create_dir_all(&dir);
    let us = |d: Duration| d.as_secs_f64() * 1e6 / calls as f64;
    let peer = us(rt.block_on(direct(Arc::new(FakeProvider::new("fake")), calls)));
    println!("governor.call with an instant provider, SQLite store, {calls} calls");
    println!("{:<40} {:>10}", "configuration", "µs/call");
    println!("{:<40} {:>10.2}", "peer: provider called directly", peer);
    for (tasks, use_cache, durable) in [
        (1u64, true, true),
        (64, true, true),
        (64, false, true),
        (64, false, false),
    ] {
        let opts = SqliteOptions {
            durable_reservations: durable,
            ..SqliteOptions::default()
        };
        let Ok(store) =
            SqliteStore::open(dir.join(format!("t{tasks}-{use_cache}-{durable}.db")), opts)
        else {
            panic!("open")
        };
        let config = GovernorConfig {
            use_cache,
            ..GovernorConfig::default()
        };
        let gov = Arc::new(Governor::new(Arc::new(store), config));
        let d = rt.block_on(governed(
            gov,
            Arc::new(FakeProvider::new("fake")),
            calls,
            tasks,
        ));
        let label = format!(
            "{tasks} task(s), cache {}, {}",
            if use_cache { "on" } else { "off" },
            if durable { "durable" } else { "write-behind" }
        );
        println!(
            "{label:<40} {:>10.2}   (+{:.2} µs over the peer)",
            us(d),
            us(d) - peer
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
