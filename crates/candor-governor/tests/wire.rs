//! The governor end to end over a real socket: both wire formats, every fault, the SQLite
//! ledger, the real price table. The ledger must equal a recomputation from its token counts and
//! the price table, exactly, and no API key may reach it.

use std::sync::Arc;
use std::time::Duration;

use candor_domain::{ChatRequest, Money, PromptParts, TokenCount};
use candor_governor::{CallContext, Governor, GovernorConfig, GovernorError};
use candor_pricing::PriceTable;
use candor_providers::{AnthropicProvider, ApiKey, OpenAiProvider, Provider, ProviderError};
use candor_store::{Attribution, LedgerFilter, Outcome, Scope, SqliteOptions, SqliteStore, Store};
use candor_testserver::{OkReply, Reply, TestServer, UsageSpec};

const KEY: &str = "sk-governor-wire-SECRET-0123456789";

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is the test failing"
)]
fn store(name: &str) -> (Arc<SqliteStore>, TempDir) {
    let dir = std::env::temp_dir().join(format!("candor-gov-wire-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store =
        Arc::new(SqliteStore::open(dir.join("ledger.db"), SqliteOptions::default()).unwrap());
    (store, TempDir(dir))
}

/// The store's scratch directory, removed when the test ends.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn config() -> GovernorConfig {
    GovernorConfig {
        call_timeout: Duration::from_millis(500),
        max_attempts: 3,
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
        use_cache: false,
        ..GovernorConfig::default()
    }
}

fn request(model: &str, who: &str) -> ChatRequest {
    ChatRequest::from_parts(
        model,
        &PromptParts {
            static_prefix: "You write for Acme. Never invent facts. ".repeat(250),
            segment_block: "Segment: lapsed.".into(),
            recipient_block: format!("Facts: name={who}"),
        },
        200,
    )
}

fn ctx(send: &str) -> CallContext {
    CallContext {
        attribution: Attribution {
            send_id: Some(send.into()),
            ..Attribution::new("spring", "lapsed")
        },
        tier: "standard".into(),
        stage: "opener".into(),
        ..CallContext::default()
    }
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is the test failing"
)]
fn providers(server: &TestServer) -> Vec<(Box<dyn Provider>, &'static str)> {
    let base = format!("{}/v1", server.base_url());
    vec![
        (
            Box::new(
                OpenAiProvider::new("openai", &base, Some(ApiKey::new(KEY).unwrap())).unwrap(),
            ),
            "gpt-4.1-mini",
        ),
        (
            Box::new(
                AnthropicProvider::new("anthropic", &base, ApiKey::new(KEY).unwrap()).unwrap(),
            ),
            "claude-haiku-4-5",
        ),
    ]
}

/// Every row's cost equals the price table's cost of its token counts; the global spent equals
/// the sum of the rows.
#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is the test failing"
)]
async fn assert_ledger_recomputes(store: &SqliteStore, prices: &PriceTable) {
    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    let mut total = Money::ZERO;
    for e in &rows {
        let price = prices.get(&e.row.model).unwrap();
        assert_eq!(
            e.row.cost,
            price.cost(&e.row.usage, false),
            "row {:?} ({:?})",
            e.id,
            e.row.outcome
        );
        total += e.row.cost;
    }
    let st = store.status(Scope::Global).await.unwrap();
    assert_eq!(st.spent, total);
    assert_eq!(st.reserved, Money::ZERO);
    assert_eq!(store.open_reservations(), 0);
}

#[tokio::test]
async fn every_fault_on_both_wire_formats_then_an_exact_ledger() {
    let server = TestServer::start().await.unwrap();
    let (store, _dir) = store("faults");
    let gov = Governor::new(
        store.clone(),
        GovernorConfig {
            max_attempts: 4,
            breaker_threshold: 10,
            ..config()
        },
    );
    let prices = PriceTable::snapshot();
    let usage = UsageSpec {
        input: 300,
        cached: 1_536,
        cache_write: 64,
        output: 180,
        reasoning: 20,
    };

    for (p, model) in providers(&server) {
        let price = prices.get(model).unwrap();
        // 429 with Retry-After (seconds), then a 503, then a truncated body, then success.
        server.push_many([
            Reply::rate_limited("1"),
            Reply::status(503),
            Reply::Truncated(OkReply::default()),
        ]);
        let t0 = std::time::Instant::now();
        let mut c = gov_call_ok(
            &gov,
            p.as_ref(),
            &request(model, "ada"),
            price,
            &server,
            usage,
        )
        .await;
        assert!(
            t0.elapsed() >= Duration::from_secs(1),
            "Retry-After honoured"
        );
        assert_eq!(c.attempts, 4);
        // A malformed body and a missing-usage answer: priced from own counts and flagged.
        server.push_many([Reply::Malformed, Reply::missing_usage("Hi Bea")]);
        c = gov
            .call(&ctx("bea"), p.as_ref(), &request(model, "bea"), price)
            .await
            .unwrap();
        assert!(c.usage_estimated && !c.completion.usage_reported);
        assert!(c.completion.usage.input_tokens > TokenCount(0));
        // A hang and a slow body end in timeouts; the retry limit ends the call.
        server.push_many([
            Reply::Hang,
            Reply::SlowBody {
                reply: OkReply::default(),
                byte_delay: Duration::from_millis(20),
            },
            Reply::Hang,
            Reply::Hang,
        ]);
        let e = gov
            .call(&ctx("cy"), p.as_ref(), &request(model, "cy"), price)
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                GovernorError::Provider {
                    attempts: 4,
                    source: ProviderError::Timeout(_),
                    ..
                }
            ),
            "{e:?}"
        );
        // A 500 then success.
        server.push(Reply::status(500));
        gov.call(&ctx("di"), p.as_ref(), &request(model, "di"), price)
            .await
            .unwrap();
    }

    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    let outcomes: Vec<Outcome> = rows.iter().map(|r| r.row.outcome).collect();
    let per_provider = [
        Outcome::RateLimited,
        Outcome::ServerError,
        Outcome::BadResponse,
        Outcome::Ok,
        Outcome::BadResponse,
        Outcome::Ok,
        Outcome::Timeout,
        Outcome::Timeout,
        Outcome::Timeout,
        Outcome::Timeout,
        Outcome::ServerError,
        Outcome::Ok,
    ];
    assert_eq!(outcomes, [per_provider, per_provider].concat());
    assert!(rows
        .iter()
        .filter(|r| r.row.outcome == Outcome::Ok)
        .all(|r| !r.row.cost.is_zero()));
    assert_ledger_recomputes(&store, &prices).await;
}

#[expect(clippy::panic, reason = "test helper: a failure is the test failing")]
async fn gov_call_ok(
    gov: &Governor,
    p: &dyn Provider,
    req: &ChatRequest,
    price: &candor_pricing::ModelPrice,
    server: &TestServer,
    usage: UsageSpec,
) -> candor_governor::CallOutcome {
    server.push(Reply::ok_text("Hi Ada", usage));
    match gov.call(&ctx("ada"), p, req, price).await {
        Ok(c) => {
            assert!(c.completion.usage_reported);
            // OpenAI has no cache-write field: such tokens come back as plain input there.
            assert_eq!(
                c.completion.usage.prompt_total(),
                TokenCount(usage.input + usage.cached + usage.cache_write)
            );
            assert_eq!(
                c.completion.usage.cached_input_tokens,
                TokenCount(usage.cached)
            );
            assert_eq!(c.cost, price.cost(&c.completion.usage, false));
            assert!(c.cost <= c.reserved, "worst case covers the actual");
            c
        }
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn api_keys_never_reach_the_ledger_or_errors() {
    let server = TestServer::start().await.unwrap();
    let (store, _dir) = store("keys");
    let gov = Governor::new(
        store.clone(),
        GovernorConfig {
            max_attempts: 2,
            ..config()
        },
    );
    let prices = PriceTable::snapshot();
    for (p, model) in providers(&server) {
        server.push_many([
            Reply::EchoCredentials { status: 500 },
            Reply::EchoCredentials { status: 401 },
        ]);
        let e = gov
            .call(
                &ctx("ada"),
                p.as_ref(),
                &request(model, "ada"),
                prices.get(model).unwrap(),
            )
            .await
            .unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(
            !shown.contains(KEY) && !shown.contains("SECRET-0123"),
            "{shown}"
        );
    }
    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 4);
    for r in rows {
        let text = format!("{:?}", r.row);
        assert!(!text.contains("SECRET-0123"), "{text}");
    }
    // And not in the file at all.
    drop(gov);
    let path = store.path().to_path_buf();
    drop(store);
    let bytes = std::fs::read(&path).unwrap();
    let wal = std::fs::read(format!("{}-wal", path.display())).unwrap_or_default();
    for b in [bytes, wal] {
        assert!(
            !b.windows(11).any(|w| w == b"SECRET-0123"),
            "key bytes found in the store file"
        );
    }
}

#[tokio::test]
async fn budget_refusal_over_the_wire_sends_nothing() {
    let server = TestServer::start().await.unwrap();
    let (store, _dir) = store("refusal");
    let gov = Governor::new(store.clone(), config());
    let prices = PriceTable::snapshot();
    store
        .set_limit(Scope::Campaign("spring".into()), Some(Money::from_picos(1)))
        .await
        .unwrap();
    for (p, model) in providers(&server) {
        let e = gov
            .call(
                &ctx("ada"),
                p.as_ref(),
                &request(model, "ada"),
                prices.get(model).unwrap(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                GovernorError::Refused(candor_store::Refusal::CampaignBudget(_))
            ),
            "{e:?}"
        );
    }
    assert_eq!(server.request_count(), 0);
    assert_ledger_recomputes(&store, &prices).await;
}

/// Records every span field and event field, at every level (the HTTP stack's TRACE output
/// included), as text, to check what logs could ever contain.
struct Capture(std::sync::Mutex<String>, std::sync::atomic::AtomicU64);

struct Visit<'a>(&'a mut String);

impl tracing::field::Visit for Visit<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl Capture {
    fn text(&self) -> String {
        self.0.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        if let Ok(mut s) = self.0.lock() {
            s.push_str(&format!("\nspan {}", span.metadata().name()));
            span.record(&mut Visit(&mut s));
        }
        tracing::span::Id::from_u64(1 + self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        if let Ok(mut s) = self.0.lock() {
            values.record(&mut Visit(&mut s));
        }
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if let Ok(mut s) = self.0.lock() {
            s.push_str(&format!("\nevent {}", event.metadata().level()));
            event.record(&mut Visit(&mut s));
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn api_keys_never_reach_the_logs() {
    let capture = Arc::new(Capture(
        std::sync::Mutex::new(String::new()),
        std::sync::atomic::AtomicU64::new(0),
    ));
    let dispatch = tracing::Dispatch::from(Arc::clone(&capture));
    let _default = tracing::dispatcher::set_default(&dispatch);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let server = TestServer::start().await.unwrap();
        let (store, _dir) = store("logs");
        let gov = Governor::new(
            store.clone(),
            GovernorConfig {
                max_attempts: 3,
                ..config()
            },
        );
        let prices = PriceTable::snapshot();
        for (p, model) in providers(&server) {
            server.push_many([
                Reply::EchoCredentials { status: 500 },
                Reply::missing_usage("Hi Ada"),
            ]);
            gov.call(
                &ctx("ada"),
                p.as_ref(),
                &request(model, "ada"),
                prices.get(model).unwrap(),
            )
            .await
            .unwrap();
        }
    });
    let logs = capture.text();
    // tracing caches each callsite's interest process-wide; with other tests of this binary
    // running concurrently, a callsite first hit on another thread can be cached as
    // uninterested, so which governor events reach this thread-local subscriber varies (seen
    // in CI). What must hold is that logging happened and no key is in it.
    assert!(logs.contains("\nevent "), "no logging captured: {logs}");
    assert!(!logs.contains("SECRET-0123"), "{logs}");
}
