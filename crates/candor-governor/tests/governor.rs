//! The governor's sequence with the fake provider and the in-memory store: reserve, settle,
//! release, refuse, cache, retry, time out, break the circuit, survive cancellation.

use std::sync::Arc;
use std::time::Duration;

use candor_domain::{ChatRequest, Money, PromptParts, TokenCount, Usage};
use candor_governor::{CallContext, Governor, GovernorConfig, GovernorError, Pricer, RateLimit};
use candor_providers::{FakeProvider, FakeReply, ProviderError};
use candor_store::{Attribution, Caps, LedgerFilter, MemoryStore, Outcome, Refusal, Scope, Store};

/// Per-token prices in picodollars.
struct Flat {
    input: i128,
    cached: i128,
    write: i128,
    output: i128,
}

impl Pricer for Flat {
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

const PRICE: Flat = Flat {
    input: 100,
    cached: 10,
    write: 125,
    output: 400,
};

fn request(model: &str, recipient: &str) -> ChatRequest {
    ChatRequest::from_parts(
        model,
        &PromptParts {
            static_prefix: "rules".into(),
            segment_block: "segment".into(),
            recipient_block: format!("facts for {recipient}"),
        },
        100,
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
        prompt_tokens: Some(TokenCount(1_000)),
        ..CallContext::default()
    }
}

fn config() -> GovernorConfig {
    GovernorConfig {
        call_timeout: Duration::from_secs(5),
        backoff_base: Duration::from_millis(200),
        ..GovernorConfig::default()
    }
}

fn usage(i: u64, c: u64, o: u64) -> Usage {
    Usage {
        input_tokens: TokenCount(i),
        cached_input_tokens: TokenCount(c),
        output_tokens: TokenCount(o),
        ..Usage::default()
    }
}

fn ok(i: u64, c: u64, o: u64) -> FakeReply {
    FakeReply::Ok {
        text: "Hi Ada".into(),
        usage: Some(usage(i, c, o)),
    }
}

async fn setup(cfg: GovernorConfig) -> (Arc<MemoryStore>, Governor, FakeProvider) {
    let store = Arc::new(MemoryStore::new());
    let gov = Governor::new(store.clone(), cfg);
    (store, gov, FakeProvider::new("fake"))
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is the test failing"
)]
async fn reserved_everywhere_is_zero(store: &MemoryStore) {
    for s in [Scope::Global, Scope::Campaign("spring".into())] {
        assert_eq!(store.status(s).await.unwrap().reserved, Money::ZERO);
    }
    assert_eq!(store.open_reservations(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_call_reserves_the_worst_case_and_settles_to_the_actual() {
    let (store, gov, fake) = setup(config()).await;
    fake.push(ok(200, 800, 50));
    let out = gov
        .call(&ctx("r1"), &fake, &request("m", "r1"), &PRICE)
        .await
        .unwrap();
    assert_eq!(out.reserved, Money::from_picos(125 * 1_000 + 400 * 100));
    assert_eq!(out.cost, Money::from_picos(100 * 200 + 10 * 800 + 400 * 50));
    assert!(!out.cache_hit && !out.usage_estimated);
    let st = store
        .status(Scope::Segment {
            campaign: "spring".into(),
            segment: "lapsed".into(),
        })
        .await
        .unwrap();
    assert_eq!((st.spent, st.reserved), (out.cost, Money::ZERO));
    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row.outcome, Outcome::Ok);
    assert_eq!(rows[0].row.cost, out.cost);
    assert_eq!(rows[0].row.reserved, out.reserved);
    assert_eq!(rows[0].id, out.ledger_id);
}

#[tokio::test(start_paused = true)]
async fn the_same_request_twice_is_a_cache_hit_at_zero_cost() {
    let (store, gov, fake) = setup(config()).await;
    let req = request("m", "r1");
    let first = gov.call(&ctx("r1"), &fake, &req, &PRICE).await.unwrap();
    let second = gov.call(&ctx("r1"), &fake, &req, &PRICE).await.unwrap();
    assert!(second.cache_hit);
    assert_eq!(second.cost, Money::ZERO);
    assert_eq!(second.completion.text, first.completion.text);
    assert_eq!(fake.calls(), 1);
    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    assert_eq!(
        rows.iter().map(|r| r.row.outcome).collect::<Vec<_>>(),
        vec![Outcome::Ok, Outcome::CacheHit]
    );
    assert_eq!(rows[1].row.cost, Money::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_call_that_cannot_fit_is_refused_with_the_budget_that_refused_it() {
    let (store, gov, fake) = setup(config()).await;
    let worst = Money::from_picos(125 * 1_000 + 400 * 100);
    store
        .set_limit(
            Scope::Segment {
                campaign: "spring".into(),
                segment: "lapsed".into(),
            },
            Some(worst - Money::from_picos(1)),
        )
        .await
        .unwrap();
    match gov
        .call(&ctx("r1"), &fake, &request("m", "r1"), &PRICE)
        .await
    {
        Err(GovernorError::Refused(Refusal::SegmentBudget(s))) => assert_eq!(s.requested, worst),
        other => panic!("{other:?}"),
    }
    store
        .set_limit(
            Scope::Segment {
                campaign: "spring".into(),
                segment: "lapsed".into(),
            },
            None,
        )
        .await
        .unwrap();
    store
        .set_caps(Caps {
            per_send: Some(worst - Money::from_picos(1)),
            per_batch: None,
        })
        .await
        .unwrap();
    let e = gov
        .call(&ctx("r1"), &fake, &request("m", "r1"), &PRICE)
        .await
        .unwrap_err();
    assert!(
        matches!(e, GovernorError::Refused(Refusal::PerSendCap(_))),
        "{e:?}"
    );
    assert!(e.should_fall_back());
    assert_eq!(fake.calls(), 0, "a refused call never reaches the provider");
    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    assert!(rows
        .iter()
        .all(|r| r.row.outcome == Outcome::RefusedByBudget && r.row.cost.is_zero()));
    reserved_everywhere_is_zero(&store).await;
}

#[tokio::test(start_paused = true)]
async fn retries_wait_for_retry_after_and_record_every_attempt() {
    let (store, gov, fake) = setup(config()).await;
    fake.push(FakeReply::Fail(ProviderError::RateLimited {
        retry_after: Some(Duration::from_secs(3)),
    }));
    fake.push(FakeReply::Fail(ProviderError::Server {
        status: 503,
        retry_after: None,
    }));
    fake.push(ok(10, 0, 10));
    let t0 = tokio::time::Instant::now();
    let out = gov
        .call(&ctx("r1"), &fake, &request("m", "r1"), &PRICE)
        .await
        .unwrap();
    assert!(
        t0.elapsed() >= Duration::from_secs(3),
        "Retry-After honoured: {:?}",
        t0.elapsed()
    );
    assert_eq!(out.attempts, 3);
    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    let outcomes: Vec<_> = rows
        .iter()
        .map(|r| (r.row.outcome, r.row.attempt))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (Outcome::RateLimited, 1),
            (Outcome::ServerError, 2),
            (Outcome::Ok, 3)
        ]
    );
    let spent = store.status(Scope::Global).await.unwrap().spent;
    assert_eq!(spent, out.cost, "failed attempts cost nothing");
    reserved_everywhere_is_zero(&store).await;
}

#[tokio::test(start_paused = true)]
async fn the_retry_limit_ends_a_failing_call() {
    let (store, gov, fake) = setup(config()).await;
    let e = gov
        .call(
            &ctx("r1"),
            &fake,
            &request("fake-server-error", "r1"),
            &PRICE,
        )
        .await
        .unwrap_err();
    match e {
        GovernorError::Provider {
            attempts,
            source: ProviderError::Server { status: 500, .. },
            ..
        } => assert_eq!(attempts, 3),
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.calls(), 3);
    assert_eq!(
        store.ledger(LedgerFilter::default()).await.unwrap().len(),
        3
    );
    reserved_everywhere_is_zero(&store).await;
}

#[tokio::test(start_paused = true)]
async fn non_retryable_errors_and_long_retry_after_are_not_retried() {
    let (store, gov, fake) = setup(config()).await;
    let e = gov
        .call(&ctx("r1"), &fake, &request("fake-refused", "r1"), &PRICE)
        .await
        .unwrap_err();
    assert!(
        matches!(e, GovernorError::Provider { attempts: 1, .. }),
        "{e:?}"
    );
    fake.push(FakeReply::Fail(ProviderError::RateLimited {
        retry_after: Some(Duration::from_secs(3_600)),
    }));
    let e = gov
        .call(&ctx("r2"), &fake, &request("m", "r2"), &PRICE)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            GovernorError::Provider {
                attempts: 1,
                source: ProviderError::RateLimited { .. },
                ..
            }
        ),
        "{e:?}"
    );
    reserved_everywhere_is_zero(&store).await;
}

#[tokio::test(start_paused = true)]
async fn a_hanging_provider_times_out() {
    let cfg = GovernorConfig {
        max_attempts: 2,
        ..config()
    };
    let (store, gov, fake) = setup(cfg).await;
    let t0 = tokio::time::Instant::now();
    let e = gov
        .call(&ctx("r1"), &fake, &request("fake-hang", "r1"), &PRICE)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            GovernorError::Provider {
                attempts: 2,
                source: ProviderError::Timeout(_),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(t0.elapsed() >= Duration::from_secs(10));
    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    assert!(rows.iter().all(|r| r.row.outcome == Outcome::Timeout));
    reserved_everywhere_is_zero(&store).await;
}

#[tokio::test(start_paused = true)]
async fn the_circuit_opens_after_consecutive_failures() {
    let cfg = GovernorConfig {
        max_attempts: 1,
        breaker_threshold: 2,
        breaker_cooldown: Duration::from_secs(30),
        ..config()
    };
    let (_store, gov, fake) = setup(cfg).await;
    let mut last_failure = None;
    for i in 0..2 {
        let e = gov
            .call(
                &ctx("r"),
                &fake,
                &request("fake-server-error", &i.to_string()),
                &PRICE,
            )
            .await
            .unwrap_err();
        assert!(matches!(e, GovernorError::Provider { .. }));
        last_failure = Some(e);
    }
    let e = gov
        .call(&ctx("r"), &fake, &request("m", "x"), &PRICE)
        .await
        .unwrap_err();
    assert!(matches!(e, GovernorError::CircuitOpen { .. }), "{e:?}");
    // The refusal says why: what the failures that opened the circuit were.
    let (
        GovernorError::CircuitOpen { failures, last, .. },
        Some(GovernorError::Provider { source, .. }),
    ) = (&e, last_failure.as_ref())
    else {
        panic!("{e:?}");
    };
    assert_eq!(*failures, 2);
    assert_eq!(*last, source.to_string());
    assert!(e.to_string().contains(last.as_str()), "{e}");
    assert_eq!(fake.calls(), 2);
    tokio::time::advance(Duration::from_secs(31)).await;
    gov.call(&ctx("r"), &fake, &request("m", "x"), &PRICE)
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn cancelling_a_call_in_flight_releases_its_reservation() {
    let (store, gov, fake) = setup(config()).await;
    let (c, req) = (ctx("r1"), request("fake-hang", "r1"));
    let call = gov.call(&c, &fake, &req, &PRICE);
    let r = tokio::time::timeout(Duration::from_millis(100), call).await;
    assert!(r.is_err());
    reserved_everywhere_is_zero(&store).await;
    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row.outcome, Outcome::Cancelled);
    assert_eq!(rows[0].row.cost, Money::ZERO);
}

#[tokio::test(start_paused = true)]
async fn missing_usage_is_priced_from_own_counts_and_flagged() {
    let (store, gov, fake) = setup(config()).await;
    let out = gov
        .call(&ctx("r1"), &fake, &request("fake-no-usage", "r1"), &PRICE)
        .await
        .unwrap();
    assert!(out.usage_estimated);
    assert_eq!(out.completion.usage.input_tokens, TokenCount(1_000));
    assert!(out.completion.usage.output_tokens.0 > 0);
    assert_eq!(out.cost, PRICE.cost(&out.completion.usage, false));
    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    assert!(!rows[0].row.usage_reported);
    assert_eq!(rows[0].row.cost, out.cost);
}

#[tokio::test(start_paused = true)]
async fn requests_per_minute_are_respected() {
    let mut cfg = config();
    cfg.rate_limits.insert(
        "fake".into(),
        RateLimit {
            requests_per_minute: Some(60),
            tokens_per_minute: None,
        },
    );
    cfg.use_cache = false;
    let (_store, gov, fake) = setup(cfg).await;
    let t0 = tokio::time::Instant::now();
    for i in 0..70 {
        gov.call(&ctx("r"), &fake, &request("m", &i.to_string()), &PRICE)
            .await
            .unwrap();
    }
    // 60 from the full bucket, then one per second.
    let e = t0.elapsed();
    assert!(
        e >= Duration::from_secs(10) && e < Duration::from_secs(11),
        "{e:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_rate_limit_pauses_the_whole_provider() {
    let (_store, gov, fake) = setup(GovernorConfig {
        use_cache: false,
        ..config()
    })
    .await;
    let gov = Arc::new(gov);
    let fake = Arc::new(fake);
    fake.push(FakeReply::Fail(ProviderError::RateLimited {
        retry_after: Some(Duration::from_secs(5)),
    }));
    gov.call(&ctx("a"), fake.as_ref(), &request("m", "a"), &PRICE)
        .await
        .unwrap();
    // The first call waited the 5 s; a fresh call right after is not delayed again.
    let t0 = tokio::time::Instant::now();
    gov.call(&ctx("b"), fake.as_ref(), &request("m", "b"), &PRICE)
        .await
        .unwrap();
    assert!(t0.elapsed() < Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn calls_queued_on_a_rate_limit_do_not_hold_budget() {
    let mut cfg = GovernorConfig {
        use_cache: false,
        ..config()
    };
    cfg.rate_limits.insert(
        "fake".into(),
        RateLimit {
            requests_per_minute: Some(1),
            tokens_per_minute: None,
        },
    );
    let (store, gov, fake) = setup(cfg).await;
    let worst = Money::from_picos(125 * 1_000 + 400 * 100);
    // Room for two worst cases at once; the actual calls cost far less.
    store
        .set_limit(Scope::Campaign("spring".into()), Some(worst + worst))
        .await
        .unwrap();
    let (gov, fake) = (Arc::new(gov), Arc::new(fake));
    let calls: Vec<_> = (0..3)
        .map(|i| {
            let (gov, fake) = (Arc::clone(&gov), Arc::clone(&fake));
            tokio::spawn(async move {
                let req = request("m", &i.to_string());
                gov.call(&ctx(&i.to_string()), fake.as_ref(), &req, &PRICE)
                    .await
                    .map(|o| o.cost)
            })
        })
        .collect();
    for c in calls {
        let cost = c.await.unwrap().unwrap();
        assert!(cost.picos() * 2 < worst.picos());
    }
    reserved_everywhere_is_zero(&store).await;
}
