//! The SQLite store on a real file: durability across reopen, crash reconciliation, gate
//! verdicts, the response cache.

use std::path::PathBuf;
use std::time::Duration;

use candor_domain::{Completion, EmailAddress, FinishReason, Money, TokenCount, Usage};
use candor_store::{
    AttemptLabel, Attribution, CacheKey, Caps, GateVerdict, LedgerFilter, LedgerRow, Outcome,
    RecipientKey, Refusal, ReserveError, Scope, SqliteOptions, SqliteStore, Store,
};

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is the test failing"
)]
fn temp_db(name: &str) -> TempDb {
    let dir = std::env::temp_dir().join(format!("candor-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDb(dir.join("candor.db"))
}

/// A database file in its own scratch directory, removed when the test ends.
struct TempDb(PathBuf);

impl std::ops::Deref for TempDb {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl AsRef<std::path::Path> for TempDb {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is the test failing"
)]
fn row(a: &Attribution, cost: i128, outcome: Outcome) -> LedgerRow {
    LedgerRow {
        compute_ms: None,
        at_ms: 1,
        attribution: a.clone(),
        tier: "standard".into(),
        stage: "draft".into(),
        recipient: Some(RecipientKey::derive(
            b"salt",
            &EmailAddress::parse("ada@example.com").unwrap(),
        )),
        provider: "openai".into(),
        model: "gpt-4.1-mini".into(),
        usage: Usage {
            input_tokens: TokenCount(10),
            cached_input_tokens: TokenCount(20),
            cache_write_tokens: TokenCount(0),
            output_tokens: TokenCount(30),
            reasoning_tokens: TokenCount(5),
        },
        usage_reported: true,
        cost: Money::from_picos(cost),
        reserved: Money::from_picos(cost * 2),
        latency_ms: 12,
        attempt: 1,
        outcome,
        gate: None,
        detail: None,
    }
}

const TTL: Duration = Duration::from_secs(60);

#[tokio::test]
async fn spend_limits_and_ledger_survive_a_reopen() {
    let path = temp_db("reopen");
    let a = Attribution {
        send_id: Some("s1".into()),
        ..Attribution::new("spring", "lapsed")
    };
    let ledger_id;
    {
        let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
        store
            .set_limit(
                Scope::Campaign("spring".into()),
                Some(Money::from_picos(1_000)),
            )
            .await
            .unwrap();
        store
            .set_caps(Caps {
                per_send: Some(Money::from_picos(700)),
                per_batch: None,
            })
            .await
            .unwrap();
        let id = store
            .reserve(&a, Money::from_picos(600), TTL, &AttemptLabel::default())
            .await
            .unwrap();
        ledger_id = store.settle(id, row(&a, 400, Outcome::Ok)).await.unwrap();
        store
            .set_gate_verdict(ledger_id, GateVerdict::Pass)
            .await
            .unwrap();
        let id = store
            .reserve(&a, Money::from_picos(300), TTL, &AttemptLabel::default())
            .await
            .unwrap();
        store
            .release(id, Some(row(&a, 0, Outcome::Timeout)))
            .await
            .unwrap();
        // Dropping the store flushes its writer.
    }
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let st = store
        .status(Scope::Campaign("spring".into()))
        .await
        .unwrap();
    assert_eq!(st.limit, Some(Money::from_picos(1_000)));
    assert_eq!(st.spent, Money::from_picos(400));
    assert_eq!(st.reserved, Money::ZERO);
    // The per-send cap came back too: 400 spent + 301 > 700.
    match store
        .reserve(&a, Money::from_picos(301), TTL, &AttemptLabel::default())
        .await
    {
        Err(ReserveError::Refused(Refusal::PerSendCap(s))) => {
            assert_eq!(s.committed, Money::from_picos(400))
        }
        other => panic!("{other:?}"),
    }
    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].id, ledger_id);
    assert_eq!(rows[0].row.gate, Some(GateVerdict::Pass));
    assert_eq!(rows[0].row.usage.cached_input_tokens, TokenCount(20));
    assert_eq!(rows[0].row.cost, Money::from_picos(400));
    assert_eq!(rows[1].row.outcome, Outcome::Timeout);
    let mut expect = row(&a, 400, Outcome::Ok);
    expect.gate = Some(GateVerdict::Pass);
    assert_eq!(rows[0].row, expect);
}

#[tokio::test]
async fn a_crashed_processs_reservation_is_charged_on_next_open() {
    let path = temp_db("crash");
    let a = Attribution::new("c", "s");
    {
        let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
        store
            .set_limit(Scope::Global, Some(Money::from_picos(10_000)))
            .await
            .unwrap();
        let _id = store
            .reserve(
                &a,
                Money::from_picos(2_500),
                TTL,
                &AttemptLabel {
                    tier: "deep".into(),
                    stage: "draft".into(),
                    provider: "anthropic".into(),
                    model: "claude-sonnet-4-5".into(),
                    attempt: 2,
                    recipient: None,
                },
            )
            .await
            .unwrap();
        // Simulate a crash: no settle, no release, no orderly shutdown.
        std::mem::forget(store);
    }
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let st = store.status(Scope::Global).await.unwrap();
    assert_eq!(st.reserved, Money::ZERO, "nothing stays reserved");
    assert_eq!(
        st.spent,
        Money::from_picos(2_500),
        "the worst case is charged, not forgotten"
    );
    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row.outcome, Outcome::Abandoned);
    // The row says what was in flight when the process died.
    assert_eq!(
        (
            rows[0].row.provider.as_str(),
            rows[0].row.model.as_str(),
            rows[0].row.stage.as_str(),
            rows[0].row.attempt
        ),
        ("anthropic", "claude-sonnet-4-5", "draft", 2)
    );
    drop(store);
    // And it is charged once, not again on every open.
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    assert_eq!(
        store.status(Scope::Global).await.unwrap().spent,
        Money::from_picos(2_500)
    );
    assert_eq!(
        store.ledger(LedgerFilter::default()).await.unwrap().len(),
        1
    );
}

/// A forecast reads what was spent without touching the store: the same figures the store's
/// own budget book holds, while the store is open and with a reservation left open.
#[tokio::test]
async fn read_spend_matches_the_book_and_changes_nothing() {
    let path = temp_db("read-spend");
    assert_eq!(SqliteStore::read_spend(&path, "spring").unwrap(), None);
    assert!(!path.exists(), "reading does not create a store");
    let lapsed = Attribution::new("spring", "lapsed");
    let loyal = Attribution::new("spring", "loyal");
    let other = Attribution::new("autumn", "lapsed");
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    for (a, cost) in [(&lapsed, 400), (&lapsed, 250), (&loyal, 1_000), (&other, 7)] {
        let id = store
            .reserve(a, Money::from_picos(2_000), TTL, &AttemptLabel::default())
            .await
            .unwrap();
        store.settle(id, row(a, cost, Outcome::Ok)).await.unwrap();
    }
    // In flight: not spent yet.
    let _open = store
        .reserve(
            &loyal,
            Money::from_picos(900),
            TTL,
            &AttemptLabel::default(),
        )
        .await
        .unwrap();
    store.flush().await.unwrap();
    let spend = SqliteStore::read_spend(&path, "spring").unwrap().unwrap();
    assert_eq!(spend.global, Money::from_picos(1_657));
    assert_eq!(spend.campaign, Money::from_picos(1_650));
    assert_eq!(
        spend.segments.into_iter().collect::<Vec<_>>(),
        vec![
            ("lapsed".to_string(), Money::from_picos(650)),
            ("loyal".to_string(), Money::from_picos(1_000)),
        ]
    );
    for (scope, expect) in [
        (Scope::Global, 1_657),
        (Scope::Campaign("spring".into()), 1_650),
        (
            Scope::Segment {
                campaign: "spring".into(),
                segment: "lapsed".into(),
            },
            650,
        ),
    ] {
        assert_eq!(
            store.status(scope).await.unwrap().spent,
            Money::from_picos(expect)
        );
    }
    // The open reservation is still the live store's to settle.
    assert_eq!(
        store.status(Scope::Global).await.unwrap().reserved,
        Money::from_picos(900)
    );
    let other_campaign = SqliteStore::read_spend(&path, "winter").unwrap().unwrap();
    assert_eq!(other_campaign.campaign, Money::ZERO);
    assert!(other_campaign.segments.is_empty());
    // Not a store: the error names the file.
    let junk = path.with_file_name("junk.db");
    std::fs::write(
        &junk,
        b"not a database at all, just text that is long enough",
    )
    .unwrap();
    let e = SqliteStore::read_spend(&junk, "spring")
        .unwrap_err()
        .to_string();
    assert!(e.contains("junk.db"), "{e}");
}

/// A provider batch outlives the process that submitted it: its reservations stay held across
/// a crash (not charged as abandoned) and the next process settles them by id.
#[tokio::test]
async fn a_batch_reservation_survives_a_crash_and_is_settled_after_it() {
    let path = temp_db("batch-crash");
    let mut a = Attribution::new("c", "s");
    a.batch_id = Some("c:openai:r1".into());
    let label = AttemptLabel {
        tier: "standard".into(),
        stage: "write".into(),
        provider: "openai".into(),
        model: "gpt-4.1-mini".into(),
        attempt: 1,
        recipient: None,
    };
    let id = {
        let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
        store
            .set_limit(Scope::Campaign("c".into()), Some(Money::from_picos(10_000)))
            .await
            .unwrap();
        let id = store
            .reserve(&a, Money::from_picos(2_500), TTL, &label)
            .await
            .unwrap();
        std::mem::forget(store);
        id
    };
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let st = store.status(Scope::Campaign("c".into())).await.unwrap();
    assert_eq!(st.reserved, Money::from_picos(2_500), "still held");
    assert_eq!(st.spent, Money::ZERO);
    assert!(store
        .ledger(LedgerFilter::default())
        .await
        .unwrap()
        .is_empty());
    store.settle(id, row(&a, 900, Outcome::Ok)).await.unwrap();
    let st = store.status(Scope::Campaign("c".into())).await.unwrap();
    assert_eq!(
        (st.reserved, st.spent),
        (Money::ZERO, Money::from_picos(900))
    );
    drop(store);
    // Settled once: a reopen finds nothing left to reconcile.
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let st = store.status(Scope::Campaign("c".into())).await.unwrap();
    assert_eq!(
        (st.reserved, st.spent),
        (Money::ZERO, Money::from_picos(900))
    );
}

#[tokio::test]
async fn expired_reservations_are_reconciled_while_running() {
    let path = temp_db("expiry");
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let a = Attribution::new("c", "s");
    let _leaked = store
        .reserve(
            &a,
            Money::from_picos(77),
            Duration::ZERO,
            &AttemptLabel::default(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let r = store.reconcile_expired().await.unwrap();
    assert_eq!((r.abandoned, r.charged), (1, Money::from_picos(77)));
    let st = store.status(Scope::Campaign("c".into())).await.unwrap();
    assert_eq!(
        (st.spent, st.reserved),
        (Money::from_picos(77), Money::ZERO)
    );
    assert_eq!(store.open_reservations(), 0);
}

#[tokio::test]
async fn response_cache_round_trips() {
    let path = temp_db("cache");
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let key = CacheKey::for_request(
        "p",
        &candor_domain::ChatRequest::from_parts("m", &Default::default(), 5),
    );
    assert!(store.cache_get(key).await.unwrap().is_none());
    let c = Completion {
        compute_ms: None,
        text: "hello".into(),
        usage: Usage::default(),
        usage_reported: true,
        finish_reason: FinishReason::Stop,
        model: "m".into(),
    };
    store.cache_put(key, &c).await.unwrap();
    store.flush().await.unwrap();
    assert_eq!(store.cache_get(key).await.unwrap(), Some(c));
}

/// A paid call's ledger row and its cached answer are written by one operation: after a
/// reopen both are there (and a crash can only lose both, so a rerun never pays twice).
#[tokio::test]
async fn settle_cached_persists_the_row_and_the_answer_together() {
    let path = temp_db("settle-cached");
    let a = Attribution::new("c", "s");
    let key = CacheKey::for_request(
        "p",
        &candor_domain::ChatRequest::from_parts("m", &Default::default(), 9),
    );
    let c = Completion {
        compute_ms: None,
        text: "paid once".into(),
        usage: Usage::default(),
        usage_reported: true,
        finish_reason: FinishReason::Stop,
        model: "m".into(),
    };
    {
        let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
        let id = store
            .reserve(&a, Money::from_picos(600), TTL, &AttemptLabel::default())
            .await
            .unwrap();
        let mut paid = row(&a, 400, Outcome::Ok);
        paid.compute_ms = Some(12);
        store.settle_cached(id, paid, key, &c).await.unwrap();
        assert_eq!(store.open_reservations(), 0);
    }
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    assert_eq!(store.cache_get(key).await.unwrap(), Some(c));
    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row.cost, Money::from_picos(400));
    assert_eq!(rows[0].row.compute_ms, Some(12));
    assert_eq!(store.open_reservations(), 0);
}

/// A ledger written before the `compute_ms` column existed opens, keeps its rows, and takes
/// new rows with the column.
#[tokio::test]
async fn a_ledger_from_before_compute_ms_is_migrated() {
    let path = temp_db("migrate");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE ledger (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, campaign TEXT NOT NULL, \
             segment TEXT NOT NULL, send_id TEXT, batch_id TEXT, tier TEXT NOT NULL, stage TEXT NOT NULL, \
             recipient_key TEXT, provider TEXT NOT NULL, model TEXT NOT NULL, input_tokens INTEGER NOT NULL, \
             cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, \
             output_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, usage_reported INTEGER NOT NULL, \
             cost_picos INTEGER NOT NULL, reserved_picos INTEGER NOT NULL, latency_ms INTEGER NOT NULL, \
             attempt INTEGER NOT NULL, outcome TEXT NOT NULL, gate_verdict TEXT, detail TEXT); \
             INSERT INTO ledger VALUES (1, 0, 'c', 's', NULL, NULL, 'local', 'write', NULL, 'local', 'm', \
             10, 0, 0, 5, 0, 1, 0, 0, 7, 1, 'ok', NULL, NULL);",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let a = Attribution::new("c", "s");
    let mut r = row(&a, 0, Outcome::Ok);
    r.compute_ms = Some(3);
    store.record(r).await.unwrap();
    let rows = store.ledger(LedgerFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].row.compute_ms, None);
    assert_eq!(rows[0].row.latency_ms, 7);
    assert_eq!(rows[1].row.compute_ms, Some(3));
}

#[tokio::test]
async fn write_behind_mode_also_persists_everything_on_drop() {
    let path = temp_db("behind");
    let opts = SqliteOptions {
        durable_reservations: false,
        batch_rows: 64,
        ..SqliteOptions::default()
    };
    let a = Attribution::new("c", "s");
    {
        let store = SqliteStore::open(&path, opts.clone()).unwrap();
        for i in 0..1_000 {
            let id = store
                .reserve(&a, Money::from_picos(10), TTL, &AttemptLabel::default())
                .await
                .unwrap();
            store
                .settle(id, row(&a, i % 10, Outcome::Ok))
                .await
                .unwrap();
        }
    }
    let store = SqliteStore::open(&path, opts).unwrap();
    let rows = store
        .ledger(LedgerFilter {
            campaign: Some("c".into()),
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 1_000);
    let total: Money = rows.iter().map(|r| r.row.cost).sum();
    assert_eq!(total, Money::from_picos(4_500));
    assert_eq!(store.status(Scope::Global).await.unwrap().spent, total);
}

/// Lookups for keys the store has never seen answer without a query: the keys are read at
/// open and added on every put. A key another process stores later is found after a reopen.
#[tokio::test]
async fn response_cache_keys_are_known_from_open_and_puts() {
    let path = temp_db("cache-keys");
    let c = Completion {
        compute_ms: None,
        text: "hi".into(),
        usage: Usage::default(),
        usage_reported: true,
        finish_reason: FinishReason::Stop,
        model: "m".into(),
    };
    let key = |n: u32| {
        CacheKey::for_request(
            "p",
            &candor_domain::ChatRequest::from_parts("m", &Default::default(), n),
        )
    };
    let a = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    a.cache_put(key(1), &c).await.unwrap();
    a.flush().await.unwrap();
    {
        let b = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
        assert_eq!(
            b.cache_get(key(1)).await.unwrap(),
            Some(c.clone()),
            "read at open"
        );
        b.cache_put(key(2), &c).await.unwrap();
        b.flush().await.unwrap();
        assert_eq!(
            b.cache_get(key(2)).await.unwrap(),
            Some(c.clone()),
            "its own put"
        );
    }
    assert_eq!(a.cache_get(key(3)).await.unwrap(), None);
    drop(a);
    let again = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    assert_eq!(again.cache_get(key(2)).await.unwrap(), Some(c));
}

/// Answers are also kept in memory for repeated hits, within a bound: past it, every answer
/// is still found (read back from the table), and each key keeps its own answer.
#[tokio::test]
async fn response_cache_answers_past_the_memory_bound() {
    let path = temp_db("cache-many");
    let store = SqliteStore::open(&path, SqliteOptions::default()).unwrap();
    let key = |n: u32| {
        CacheKey::for_request(
            "p",
            &candor_domain::ChatRequest::from_parts("m", &Default::default(), n),
        )
    };
    let answer = |n: u32| Completion {
        compute_ms: None,
        text: format!("answer {n}"),
        usage: Usage::default(),
        usage_reported: true,
        finish_reason: FinishReason::Stop,
        model: "m".into(),
    };
    const N: u32 = 5_000; // more than the in-memory bound (4,096)
    for n in 0..N {
        store.cache_put(key(n), &answer(n)).await.unwrap();
    }
    store.flush().await.unwrap();
    for round in 0..2 {
        for n in (0..N).step_by(7) {
            assert_eq!(
                store.cache_get(key(n)).await.unwrap(),
                Some(answer(n)),
                "key {n}, round {round}"
            );
        }
    }
    assert_eq!(store.cache_get(key(N)).await.unwrap(), None);
}
