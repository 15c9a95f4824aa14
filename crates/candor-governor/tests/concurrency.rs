//! The concurrency property: many tasks, random prices and token counts, random faults and
//! cancellations, nested caps. Whatever happens, settled spend never exceeds any cap, every
//! reservation returns to zero, and the ledger equals a recomputation from token counts and
//! prices, exactly.
//!
//! A "case" is one governed call with its own random prompt size, output cap, attribution,
//! fault script and cancellation. Runs (override the count with `CANDOR_PROP_SCENARIOS`):
//! - in-memory store, current-thread runtime with paused time (backoff, `Retry-After` and
//!   timeouts cost no wall time): 160 scenarios × 64 calls = 10,240 cases;
//! - in-memory store, 2 worker threads, real time: true parallelism on the budget book;
//! - SQLite store (durable reservations, batched writer), real time, then reopened: spend
//!   recomputed from the file equals spend in memory.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use candor_domain::{ChatRequest, Completion, FinishReason, Money, PromptParts, TokenCount, Usage};
use candor_governor::{CallContext, Governor, GovernorConfig, GovernorError, Pricer};
use candor_providers::{BoxFuture, Provider, ProviderError};
use candor_store::{
    AttemptLabel, Attribution, BudgetStatus, CacheKey, Caps, GateVerdict, LedgerEntry,
    LedgerFilter, LedgerId, LedgerRow, MemoryStore, Outcome, ReconcileReport, ReservationId,
    ReserveError, Scope, SqliteOptions, SqliteStore, Store, StoreError,
};

/// splitmix64: reproducible from a seed printed on failure.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

/// Random per-token prices in picodollars.
#[derive(Clone, Copy, Debug)]
struct RandomPrice {
    input: i128,
    cached: i128,
    write: i128,
    output: i128,
}

impl RandomPrice {
    fn draw(rng: &mut Rng) -> Self {
        let input = 1 + rng.below(5_000) as i128;
        RandomPrice {
            input,
            cached: rng.below(input as u64 + 1) as i128,
            write: input + rng.below(input as u64 + 1) as i128,
            output: rng.below(20_000) as i128,
        }
    }
}

impl Pricer for RandomPrice {
    fn cost(&self, u: &Usage, _batch: bool) -> Money {
        Money::from_picos(
            self.input * u.input_tokens.0 as i128
                + self.cached * u.cached_input_tokens.0 as i128
                + self.write * u.cache_write_tokens.0 as i128
                + self.output * u.output_tokens.0 as i128,
        )
    }
    fn worst_case(&self, p: TokenCount, o: TokenCount, _batch: bool) -> Money {
        let dearest = self.input.max(self.cached).max(self.write);
        Money::from_picos(dearest * p.0 as i128 + self.output * o.0 as i128)
    }
}

/// A provider whose every answer is drawn at random: latency, fault kind, usage within the
/// prompt (carried in `seed`) and output cap.
struct RandomProvider {
    rng: Mutex<Rng>,
    unit: Duration,
    calls: AtomicU64,
}

enum Draw {
    Ok(Usage),
    NoUsage,
    Fail(ProviderError),
    Hang,
}

impl RandomProvider {
    fn draw(&self, req: &ChatRequest) -> (Duration, Draw) {
        let mut r = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        let prompt = req.seed.unwrap_or(0);
        let max_out = u64::from(req.max_output_tokens);
        let latency = self.unit * r.below(20) as u32;
        let kind = r.below(100);
        let d = match kind {
            0..=54 => {
                let input = r.below(prompt + 1);
                let cached = r.below(prompt - input + 1);
                let write = r.below(prompt - input - cached + 1);
                let output = r.below(max_out + 1);
                Draw::Ok(Usage {
                    input_tokens: TokenCount(input),
                    cached_input_tokens: TokenCount(cached),
                    cache_write_tokens: TokenCount(write),
                    output_tokens: TokenCount(output),
                    reasoning_tokens: TokenCount(r.below(output + 1)),
                })
            }
            55..=59 => Draw::NoUsage,
            60..=71 => Draw::Fail(ProviderError::RateLimited {
                retry_after: r.chance(70).then(|| self.unit * r.below(30) as u32),
            }),
            72..=81 => Draw::Fail(ProviderError::Server {
                status: 503,
                retry_after: None,
            }),
            82..=87 => Draw::Fail(ProviderError::BadResponse("truncated".into())),
            88..=91 => Draw::Fail(ProviderError::Refused {
                status: 400,
                message: "no".into(),
            }),
            92..=94 => Draw::Fail(ProviderError::Transport("reset".into())),
            _ => Draw::Hang,
        };
        (latency, d)
    }
}

impl Provider for RandomProvider {
    fn name(&self) -> &str {
        "random"
    }
    fn complete<'a>(
        &'a self,
        req: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::Relaxed);
            let (latency, d) = self.draw(req);
            tokio::time::sleep(latency).await;
            let done = |usage: Option<Usage>| Completion {
                compute_ms: None,
                text: "ok".into(),
                usage_reported: usage.is_some(),
                usage: usage.unwrap_or_default(),
                finish_reason: FinishReason::Stop,
                model: req.model.clone(),
            };
            match d {
                Draw::Ok(u) => Ok(done(Some(u))),
                Draw::NoUsage => Ok(done(None)),
                Draw::Fail(e) => Err(e),
                Draw::Hang => std::future::pending().await,
            }
        })
    }
}

/// Wraps a store and checks, after every change, that no budget the change touched is over its
/// limit, counting what is reserved: the invariant must hold at every instant, not only at the
/// end.
struct Checked<S> {
    inner: Arc<S>,
    violations: Mutex<Vec<String>>,
}

fn scopes(a: &Attribution) -> Vec<Scope> {
    let mut v = vec![
        Scope::Global,
        Scope::Campaign(a.campaign.clone()),
        Scope::Segment {
            campaign: a.campaign.clone(),
            segment: a.segment.clone(),
        },
    ];
    if let Some(s) = &a.send_id {
        v.push(Scope::Send(s.clone()));
    }
    if let Some(b) = &a.batch_id {
        v.push(Scope::Batch(b.clone()));
    }
    v
}

impl<S: Store> Checked<S> {
    async fn check(&self, a: &Attribution) {
        for s in scopes(a) {
            if let Ok(st) = self.inner.status(s.clone()).await {
                if let Some(l) = st.limit {
                    if st.spent + st.reserved > l {
                        self.violations
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(format!("{s:?}: {st:?}"));
                    }
                }
            }
        }
    }
}

impl<S: Store> Store for Checked<S> {
    fn set_limit(
        &self,
        scope: Scope,
        limit: Option<Money>,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.inner.set_limit(scope, limit)
    }
    fn set_caps(&self, caps: Caps) -> BoxFuture<'_, Result<(), StoreError>> {
        self.inner.set_caps(caps)
    }
    fn status(&self, scope: Scope) -> BoxFuture<'_, Result<BudgetStatus, StoreError>> {
        self.inner.status(scope)
    }
    fn reserve(
        &self,
        a: &Attribution,
        amount: Money,
        ttl: Duration,
        label: &AttemptLabel,
    ) -> BoxFuture<'_, Result<ReservationId, ReserveError>> {
        let a = a.clone();
        let label = label.clone();
        Box::pin(async move {
            let r = self.inner.reserve(&a, amount, ttl, &label).await;
            self.check(&a).await;
            r
        })
    }
    fn settle(
        &self,
        id: ReservationId,
        row: LedgerRow,
    ) -> BoxFuture<'_, Result<LedgerId, StoreError>> {
        Box::pin(async move {
            let a = row.attribution.clone();
            let r = self.inner.settle(id, row).await;
            self.check(&a).await;
            r
        })
    }
    fn release(
        &self,
        id: ReservationId,
        row: Option<LedgerRow>,
    ) -> BoxFuture<'_, Result<Option<LedgerId>, StoreError>> {
        self.inner.release(id, row)
    }
    fn release_now(&self, id: ReservationId, row: Option<LedgerRow>) {
        self.inner.release_now(id, row)
    }
    fn record(&self, row: LedgerRow) -> BoxFuture<'_, Result<LedgerId, StoreError>> {
        self.inner.record(row)
    }
    fn set_gate_verdict(
        &self,
        id: LedgerId,
        v: GateVerdict,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.inner.set_gate_verdict(id, v)
    }
    fn cache_get(&self, key: CacheKey) -> BoxFuture<'_, Result<Option<Completion>, StoreError>> {
        self.inner.cache_get(key)
    }
    fn cache_put(&self, key: CacheKey, c: &Completion) -> BoxFuture<'_, Result<(), StoreError>> {
        self.inner.cache_put(key, c)
    }
    fn ledger(&self, f: LedgerFilter) -> BoxFuture<'_, Result<Vec<LedgerEntry>, StoreError>> {
        self.inner.ledger(f)
    }
    fn reconcile_expired(&self) -> BoxFuture<'_, Result<ReconcileReport, StoreError>> {
        self.inner.reconcile_expired()
    }
    fn batch_reservations(
        &self,
    ) -> BoxFuture<'_, Result<Vec<(candor_store::ReservationId, Attribution)>, StoreError>> {
        self.inner.batch_reservations()
    }
    fn forget_scope(&self, scope: Scope) {
        self.inner.forget_scope(scope)
    }
    fn flush(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        self.inner.flush()
    }
}

struct Plan {
    price: RandomPrice,
    limits: Vec<(Scope, Money)>,
    caps: Caps,
    config: GovernorConfig,
    calls: Vec<(CallContext, ChatRequest, Option<Duration>)>,
}

const CAMPAIGNS: u64 = 2;
const SEGMENTS: u64 = 3;

fn plan(seed: u64, calls: usize, unit: Duration) -> Plan {
    let mut r = Rng(seed);
    let price = RandomPrice::draw(&mut r);
    // Size limits against a typical call so that some calls fit and some are refused.
    let typical = price
        .worst_case(TokenCount(2_000), TokenCount(400), false)
        .picos()
        .max(1);
    let limit = |r: &mut Rng, lo: i128, hi: i128| -> Option<Money> {
        (!r.chance(20)).then(|| {
            Money::from_picos(typical * lo + (r.next() as i128).rem_euclid(typical * (hi - lo) + 1))
        })
    };
    let mut limits = Vec::new();
    if let Some(l) = limit(&mut r, 10, 80) {
        limits.push((Scope::Global, l));
    }
    for c in 0..CAMPAIGNS {
        if let Some(l) = limit(&mut r, 5, 50) {
            limits.push((Scope::Campaign(format!("c{c}")), l));
        }
        for s in 0..SEGMENTS {
            if let Some(l) = limit(&mut r, 3, 25) {
                limits.push((
                    Scope::Segment {
                        campaign: format!("c{c}"),
                        segment: format!("s{s}"),
                    },
                    l,
                ));
            }
        }
    }
    let caps = Caps {
        per_send: limit(&mut r, 1, 6),
        per_batch: limit(&mut r, 4, 20),
    };
    let config = GovernorConfig {
        call_timeout: unit * 25,
        max_attempts: 1 + r.below(4) as u32,
        backoff_base: unit,
        backoff_max: unit * 10,
        max_retry_after: unit * 20,
        breaker_threshold: 3 + r.below(20) as u32,
        breaker_cooldown: unit * 15,
        use_cache: r.chance(50),
        ..GovernorConfig::default()
    };
    let mut planned: Vec<(CallContext, ChatRequest, Option<Duration>)> = Vec::with_capacity(calls);
    for i in 0..calls {
        let cancel = r.chance(15).then(|| unit * r.below(60) as u32);
        // Some calls repeat an earlier request exactly: a cache hit if it already succeeded.
        if i > 0 && r.chance(15) {
            let (ctx, req, _) = planned[r.below(i as u64) as usize].clone();
            planned.push((ctx, req, cancel));
            continue;
        }
        let prompt = 1 + r.below(4_000);
        let attribution = Attribution {
            campaign: format!("c{}", r.below(CAMPAIGNS)),
            segment: format!("s{}", r.below(SEGMENTS)),
            send_id: r.chance(90).then(|| format!("x{}", r.below(16))),
            batch_id: r.chance(70).then(|| format!("b{}", r.below(4))),
        };
        let ctx = CallContext {
            attribution,
            tier: "standard".into(),
            stage: "opener".into(),
            prompt_tokens: Some(TokenCount(prompt)),
            ..CallContext::default()
        };
        let mut req = ChatRequest::from_parts(
            "model-under-test",
            &PromptParts {
                static_prefix: "p".into(),
                segment_block: String::new(),
                recipient_block: format!("call {i}"),
            },
            1 + r.below(800) as u32,
        );
        // The random provider reads the prompt size from here to keep usage within it.
        req.seed = Some(prompt);
        planned.push((ctx, req, cancel));
    }
    let calls = planned;
    Plan {
        price,
        limits,
        caps,
        config,
        calls,
    }
}

/// Run one scenario on `store`; returns the ledger's outcome counts.
#[expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "the scenario's checks: a failure is the test failing"
)]
async fn run_scenario<S: Store + 'static>(
    seed: u64,
    calls: usize,
    unit: Duration,
    store: Arc<S>,
) -> BTreeMap<&'static str, usize> {
    let p = plan(seed, calls, unit);
    for (s, l) in &p.limits {
        store.set_limit(s.clone(), Some(*l)).await.unwrap();
    }
    store.set_caps(p.caps).await.unwrap();
    let checked = Arc::new(Checked {
        inner: Arc::clone(&store),
        violations: Mutex::new(Vec::new()),
    });
    let gov = Arc::new(Governor::new(checked.clone(), p.config.clone()));
    let provider = Arc::new(RandomProvider {
        rng: Mutex::new(Rng(seed ^ 0xDEAD_BEEF)),
        unit,
        calls: AtomicU64::new(0),
    });
    let price = p.price;
    let mut tasks = Vec::new();
    for (ctx, req, cancel) in p.calls {
        let gov = Arc::clone(&gov);
        let provider = Arc::clone(&provider);
        tasks.push(tokio::spawn(async move {
            let call = gov.call(&ctx, provider.as_ref(), &req, &price);
            let r = match cancel {
                Some(after) => tokio::time::timeout(after, call).await.ok(),
                None => Some(call.await),
            };
            if let Some(Err(GovernorError::Store(e))) = &r {
                panic!("store error: {e}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }

    let v = checked.violations.lock().unwrap().clone();
    assert!(
        v.is_empty(),
        "seed {seed}: over a cap at some instant: {v:?}"
    );
    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    // Spent per scope, recomputed from the ledger alone; each row's cost recomputed from its
    // token counts and the price.
    let mut spent: BTreeMap<Scope, Money> = BTreeMap::new();
    for e in &rows {
        let r = &e.row;
        match r.outcome {
            Outcome::Ok => assert_eq!(
                r.cost,
                price.cost(&r.usage, false),
                "seed {seed}: row {:?}",
                e.id
            ),
            _ => {
                assert_eq!(
                    r.cost,
                    Money::ZERO,
                    "seed {seed}: {:?} row charged",
                    r.outcome
                );
                assert_eq!(r.usage, Usage::default());
            }
        }
        assert!(
            r.cost <= r.reserved || r.outcome == Outcome::CacheHit,
            "seed {seed}: cost above reservation"
        );
        for s in scopes(&r.attribution) {
            *spent.entry(s).or_default() += r.cost;
        }
    }
    let mut all: Vec<Scope> = p.limits.iter().map(|(s, _)| s.clone()).collect();
    all.push(Scope::Global);
    for x in 0..16 {
        all.push(Scope::Send(format!("x{x}")));
    }
    for b in 0..4 {
        all.push(Scope::Batch(format!("b{b}")));
    }
    for c in 0..CAMPAIGNS {
        all.push(Scope::Campaign(format!("c{c}")));
        for s in 0..SEGMENTS {
            all.push(Scope::Segment {
                campaign: format!("c{c}"),
                segment: format!("s{s}"),
            });
        }
    }
    for s in all {
        let st = store.status(s.clone()).await.unwrap();
        assert_eq!(
            st.reserved,
            Money::ZERO,
            "seed {seed}: {s:?} still reserved"
        );
        if let Some(l) = st.limit {
            assert!(
                st.spent <= l,
                "seed {seed}: {s:?} spent {} over limit {}",
                st.spent,
                l
            );
        }
        let tracked = !matches!(s, Scope::Send(_) | Scope::Batch(_))
            || (matches!(s, Scope::Send(_)) && p.caps.per_send.is_some())
            || (matches!(s, Scope::Batch(_)) && p.caps.per_batch.is_some());
        if tracked {
            assert_eq!(
                st.spent,
                spent.get(&s).copied().unwrap_or_default(),
                "seed {seed}: {s:?} spent differs from its ledger rows"
            );
        }
    }
    let mut outcomes = BTreeMap::new();
    for e in &rows {
        *outcomes.entry(e.row.outcome.as_str()).or_insert(0) += 1;
    }
    *outcomes.entry("provider_attempts").or_insert(0) +=
        provider.calls.load(Ordering::Relaxed) as usize;
    outcomes
}

fn scenarios(default: u64) -> u64 {
    std::env::var("CANDOR_PROP_SCENARIOS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn paused_time_in_memory_10k_cases() {
    let n = scenarios(160);
    let started = std::time::Instant::now();
    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    for seed in 0..n {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        let store = Arc::new(MemoryStore::new());
        let counts = rt.block_on(run_scenario(
            seed,
            64,
            Duration::from_millis(10),
            store.clone(),
        ));
        for (k, v) in counts {
            *totals.entry(k).or_insert(0) += v;
        }
        assert_eq!(store.open_reservations(), 0, "seed {seed}");
    }
    eprintln!(
        "{} governed calls in {:.2?}; ledger rows by outcome: {totals:?}",
        n * 64,
        started.elapsed()
    );
    // The mix must exercise every path, or the property proves little.
    if n >= 160 {
        for k in [
            "ok",
            "refused_by_budget",
            "cancelled",
            "timeout",
            "rate_limited",
            "server_error",
            "bad_response",
            "client_error",
            "transport_error",
            "cache_hit",
        ] {
            assert!(
                totals.get(k).copied().unwrap_or(0) > 0,
                "no `{k}` case in {totals:?}"
            );
        }
    }
    assert!(n < 160 || n * 64 >= 10_000);
}

#[test]
fn parallel_real_time_in_memory() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    for seed in 0..scenarios(160).min(6) {
        let store = Arc::new(MemoryStore::new());
        rt.block_on(run_scenario(
            10_000 + seed,
            128,
            Duration::from_micros(200),
            store.clone(),
        ));
        assert_eq!(store.open_reservations(), 0, "seed {seed}");
    }
}

#[test]
fn sqlite_store_and_reopen() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("candor-gov-prop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for seed in 0..scenarios(160).min(6) {
        let path = dir.join(format!("s{seed}.db"));
        let (global, rows) = {
            let store = Arc::new(SqliteStore::open(&path, SqliteOptions::default()).unwrap());
            rt.block_on(run_scenario(
                20_000 + seed,
                64,
                Duration::from_micros(300),
                store.clone(),
            ));
            assert_eq!(store.open_reservations(), 0);
            let st = rt.block_on(store.status(Scope::Global)).unwrap();
            let rows = rt.block_on(store.ledger(LedgerFilter::default())).unwrap();
            (st.spent, rows.len())
        };
        let again = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
        let st = rt.block_on(again.status(Scope::Global)).unwrap();
        assert_eq!(
            st.spent, global,
            "seed {seed}: spent recomputed from the file"
        );
        assert_eq!(st.reserved, Money::ZERO);
        let back = rt.block_on(again.ledger(LedgerFilter::default())).unwrap();
        assert_eq!(back.len(), rows, "no reservation was left to reconcile");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
