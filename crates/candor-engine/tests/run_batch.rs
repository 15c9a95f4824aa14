//! `batch_api = true` end to end: the OpenAI client's Batch API against the test server on a
//! real socket, with the SQLite store. The run sends the `standard` tier's calls as provider
//! batches at batch prices, collects them, and writes every email from the answers; stopped
//! while a batch is still running, the same command collects that batch instead of sending
//! its requests again.

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use candor_domain::{Campaign, Money};
    use candor_engine::outbox::{Record, Status, RECORDS_FILE};
    use candor_engine::run::{run, ModelRoute, Router, RunInputs, RunOptions, RunSummary};
    use candor_governor::{Governor, GovernorConfig, Pricer};
    use candor_pricing::PriceTable;
    use candor_providers::{AnthropicProvider, ApiKey, OpenAiProvider, Provider};
    use candor_store::{LedgerFilter, Outcome, Scope, SqliteOptions, SqliteStore, Store};
    use candor_testserver::{Reply, TestServer, UsageSpec};

    const CAMPAIGN: &str = r#"
ladder = ["standard", "template"]

[campaign]
name = "batched"
type = "promotion"
send_date = "2026-12-01"
brief = "Our winter trail range is in: warm, waterproof, built for long days outside."
concurrency = 3
batch_api = true

[brand]
name = "Northwind Outfitters"
sender = "Northwind <hello@northwind.example>"
postal_address = "12 Harbour Rd, Portland, ME 04101, USA"
unsubscribe_url = "https://northwind.example/u/{recipient}"

[facts]
offer = "20% off hiking boots"
code = "TRAIL20"

[[segments]]
name = "buyers"
value_per_send = "0.50"
when = [{ event = "purchase", within_days = 365 }]
body = "Our winter range is in, and it is built for long days outside."

[[segments]]
name = "everyone"
value_per_send = "0.30"
body = "Our winter range is in: warm, waterproof, ready for the trail."

[budget]
total = "5.00"
"#;

    const N: usize = 12;

    struct Routes {
        openai: Arc<dyn Provider>,
        anthropic: Arc<dyn Provider>,
        prices: PriceTable,
    }

    impl Router for Routes {
        fn route(&self, model: &str) -> Option<ModelRoute> {
            let price = self.prices.get(model).ok()?.clone();
            let provider = if model.starts_with("claude") {
                &self.anthropic
            } else {
                &self.openai
            };
            Some(ModelRoute {
                provider: Arc::clone(provider),
                pricer: Arc::new(price) as Arc<dyn Pricer>,
                compact: false,
            })
        }
    }

    fn write_recipients(path: &Path) {
        let names = ["Ana", "Bo", "Cy", "Dee", "Eli", "Fay"];
        let mut lines = Vec::new();
        for i in 0..N {
            let mut v = serde_json::json!({"id": format!("b{i}"),
                "email": format!("b{i}@example.com"), "first_name": names[i % names.len()],
                "attributes": {"city": format!("Town {i}")}});
            if i % 2 == 0 {
                v["events"] = serde_json::json!([{"type": "purchase", "at": "2026-10-02",
                    "product": "Trailblazer 2 Hiking Boot"}]);
            }
            lines.push(v.to_string());
        }
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }

    fn inputs(dir: &Path, server: &TestServer) -> RunInputs {
        let prices = PriceTable::snapshot();
        let store: Arc<dyn Store> = Arc::new(
            SqliteStore::open(dir.join("candor.sqlite"), SqliteOptions::default()).unwrap(),
        );
        let openai: Arc<dyn Provider> =
            Arc::new(OpenAiProvider::new("openai", server.base_url(), None).unwrap());
        let anthropic: Arc<dyn Provider> = Arc::new(
            AnthropicProvider::new(
                "anthropic",
                server.base_url(),
                ApiKey::new("sk-ant-test-0123456789").unwrap(),
            )
            .unwrap(),
        );
        RunInputs {
            campaign: Campaign::from_toml(CAMPAIGN).unwrap(),
            recipients: dir.join("recipients.jsonl"),
            prices: prices.clone(),
            governor: Arc::new(Governor::new(store, GovernorConfig::default())),
            router: Arc::new(Routes {
                openai,
                anthropic,
                prices,
            }),
        }
    }

    fn options(dir: &Path) -> RunOptions {
        let mut o = RunOptions::new(dir.join("outbox"));
        o.salt = b"test".to_vec();
        o.batch_poll = Duration::from_millis(10);
        o
    }

    fn records(dir: &Path) -> Vec<Record> {
        std::fs::read_to_string(dir.join("outbox").join(RECORDS_FILE))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn answer() -> Reply {
        Reply::ok_text(
            "Subject: Ready for winter trails\n\nOur warmest gear just landed, and we thought of you first.",
            UsageSpec {
                input: 400,
                output: 30,
                ..UsageSpec::default()
            },
        )
    }

    /// The calls of the ledger that settled a batched answer, and their spend; and that the gate's
    /// verdict on each email is on the row of the answer it was written from.
    async fn batch_rows(dir: &Path) -> (usize, Money, Money) {
        let store = SqliteStore::open(dir.join("candor.sqlite"), SqliteOptions::default()).unwrap();
        let rows = store.ledger(LedgerFilter::default()).await.unwrap();
        let batched: Vec<_> = rows
            .iter()
            .filter(|r| {
                r.row.outcome == Outcome::Ok
                    && r.row
                        .detail
                        .as_deref()
                        .is_some_and(|d| d.starts_with("provider batch"))
            })
            .collect();
        let spent = store
            .status(Scope::Campaign("batched".into()))
            .await
            .unwrap();
        assert_eq!(spent.reserved, Money::ZERO, "no reservation left open");
        assert!(
            !rows.iter().any(|r| r.row.outcome == Outcome::CacheHit),
            "a batched answer taken up is not a cache hit (nothing was saved)"
        );
        let judged = batched.iter().filter(|r| r.row.gate.is_some()).count();
        assert!(judged > 0, "gate verdicts are on the batch rows");
        (
            batched.len(),
            batched.iter().map(|r| r.row.cost).sum(),
            spent.spent,
        )
    }

    /// What a run killed during a batch's submission leaves: a reservation under the batch's
    /// key and a journal entry for it (request `id`, `worst` reserved) with no provider id.
    async fn crafted_prepared(dir: &Path, key: &str, id: &str, worst: Money) {
        use candor_engine::batch::{Event, ItemState, Journal};
        use candor_store::{AttemptLabel, Attribution};
        let store = SqliteStore::open(dir.join("candor.sqlite"), SqliteOptions::default()).unwrap();
        let mut a = Attribution::new("batched", "buyers");
        a.batch_id = Some(key.into());
        let label = AttemptLabel {
            tier: "standard".into(),
            stage: "write".into(),
            provider: "openai".into(),
            model: "gpt-4.1-mini".into(),
            attempt: 1,
            recipient: None,
        };
        let res = store
            .reserve(&a, worst, Duration::from_secs(3600), &label)
            .await
            .unwrap();
        std::fs::create_dir_all(dir.join("outbox")).unwrap();
        let (mut j, _) = Journal::open(&dir.join("outbox"), true).unwrap();
        j.write(&Event::Prepared {
            key: key.into(),
            provider: "openai".into(),
            items: vec![ItemState {
                id: id.into(),
                reservation: res.0,
                worst,
                prompt_tokens: 100,
                attribution: a,
                tier: "standard".into(),
                stage: "write".into(),
                recipient: None,
                provider: "openai".into(),
                model: "gpt-4.1-mini".into(),
            }],
        })
        .unwrap();
        // The process dies here.
        std::mem::forget(store);
    }

    fn check_done(dir: &Path, s: &RunSummary) {
        check_tier(dir, s, "standard");
    }

    fn check_tier(dir: &Path, s: &RunSummary, tier: &str) {
        let recs = records(dir);
        assert_eq!(recs.len(), N, "one record per recipient");
        for r in &recs {
            assert_eq!(r.status, Status::Sent, "{r:?}");
            assert_eq!(r.tier.as_deref(), Some(tier), "{r:?}");
            assert!(
                r.cost > Money::ZERO,
                "the batch's cost is in the record: {r:?}"
            );
        }
        assert!(s.spend <= s.budget.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_api_run_sends_its_calls_as_provider_batches_at_batch_prices() {
        let dir = tempfile::tempdir().unwrap();
        write_recipients(&dir.path().join("recipients.jsonl"));
        let server = TestServer::start().await.unwrap();
        server.set_default(answer());
        server.set_batch_polls(2);
        let s = run(inputs(dir.path(), &server), options(dir.path()))
            .await
            .unwrap();
        assert_eq!(s.sent, N as u64, "{s:?}");
        assert_eq!(s.batches, 1);
        assert_eq!(s.batched_calls, N as u64);
        assert!(s.notes.is_empty(), "{:?}", s.notes);
        let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
        assert!(
            !paths.iter().any(|p| p.ends_with("/chat/completions")),
            "no call went synchronously: {paths:?}"
        );
        check_done(dir.path(), &s);

        // Every answer is priced at batch rates: half of what the same usage costs synchronously.
        let price = PriceTable::snapshot().get("gpt-4.1-mini").unwrap().clone();
        let usage = candor_domain::Usage {
            input_tokens: candor_domain::TokenCount(400),
            output_tokens: candor_domain::TokenCount(30),
            ..Default::default()
        };
        let each = price.cost(&usage, true);
        assert!(each < price.cost(&usage, false));
        let (n, cost, spent) = batch_rows(dir.path()).await;
        assert_eq!(n, N);
        assert_eq!(cost, each.checked_mul(N as i128).unwrap());
        assert_eq!(spent, cost, "the budget holds exactly what the batch cost");
        assert_eq!(s.spend, cost);
        for r in records(dir.path()) {
            assert_eq!(r.cost, each);
        }

        // The plan was made at batch prices too: below the same campaign's synchronous plan.
        let sync_dir = tempfile::tempdir().unwrap();
        write_recipients(&sync_dir.path().join("recipients.jsonl"));
        let mut i = inputs(sync_dir.path(), &server);
        i.campaign = Campaign::from_toml(&CAMPAIGN.replace("batch_api = true\n", "")).unwrap();
        let sync = run(i, options(sync_dir.path())).await.unwrap();
        assert_eq!(sync.batches, 0);
        assert!(
            s.planned < sync.planned,
            "{} vs {}",
            s.planned,
            sync.planned
        );
    }

    /// Stopped while its batch runs, the run leaves it to the next one, which collects it: the
    /// requests are sent once, paid once, and every recipient gets one email.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_run_stopped_during_a_batch_collects_it_when_resumed() {
        let dir = tempfile::tempdir().unwrap();
        write_recipients(&dir.path().join("recipients.jsonl"));
        let server = TestServer::start().await.unwrap();
        server.set_default(answer());
        server.set_batch_polls(1_000_000);
        let stop = Arc::new(AtomicBool::new(false));
        let mut o = options(dir.path());
        o.stop = Some(Arc::clone(&stop));
        // Stop once the batch is submitted (and still running).
        let running = tokio::spawn(run(inputs(dir.path(), &server), o));
        while server.batch_count() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        stop.store(true, Ordering::SeqCst);
        let first = running.await.unwrap().unwrap();
        assert!(first.interrupted, "{first:?}");
        assert_eq!(first.sent, 0);
        assert_eq!(server.batch_count(), 1);
        assert!(records(dir.path()).is_empty());

        // The batch finishes while no run is watching; the same command collects it.
        server.set_batch_polls(0);
        let second = run(inputs(dir.path(), &server), options(dir.path()))
            .await
            .unwrap();
        assert_eq!(server.batch_count(), 1, "the requests were not sent again");
        assert_eq!(second.sent, N as u64, "{second:?}");
        check_done(dir.path(), &second);
        let (n, cost, spent) = batch_rows(dir.path()).await;
        assert_eq!(n, N, "each answer settled once");
        assert_eq!(spent, cost);
        let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
        assert!(
            !paths.iter().any(|p| p.ends_with("/chat/completions")),
            "{paths:?}"
        );
    }

    /// A three-stage tier on Anthropic's Message Batches: one round per stage, each stage's
    /// batch built from the previous stage's answers, every email from the last.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_multi_stage_tier_takes_one_batch_round_per_stage() {
        let dir = tempfile::tempdir().unwrap();
        write_recipients(&dir.path().join("recipients.jsonl"));
        let server = TestServer::start().await.unwrap();
        server.set_default(Reply::ok_text(
            "Subject: Ready for winter trails\n\nOur warmest gear just landed, and we thought of \
             you first.\n\nOur winter range is in: warm, waterproof, ready for the trail.",
            UsageSpec {
                input: 900,
                output: 120,
                ..UsageSpec::default()
            },
        ));
        let mut i = inputs(dir.path(), &server);
        i.campaign = Campaign::from_toml(&CAMPAIGN.replace(
            r#"ladder = ["standard", "template"]"#,
            r#"ladder = ["deep", "template"]"#,
        ))
        .unwrap();
        let s = run(i, options(dir.path())).await.unwrap();
        assert_eq!(s.sent, N as u64, "{s:?}");
        assert_eq!(s.batches, 3, "plan, draft, refine");
        assert_eq!(s.batched_calls, 3 * N as u64);
        check_tier(dir.path(), &s, "deep");
        let reqs = server.requests();
        let creates: Vec<_> = reqs
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/messages/batches"))
            .collect();
        assert_eq!(creates.len(), 3);
        assert!(
            !reqs.iter().any(|r| r.path.ends_with("/messages")),
            "no call went synchronously"
        );
        // The draft batch carries each recipient's plan: the previous round's answer.
        let draft = creates[1].json();
        assert!(draft["requests"][0]["params"]["messages"]
            .to_string()
            .contains("Our warmest gear"));
        let (n, cost, spent) = batch_rows(dir.path()).await;
        assert_eq!(n, 3 * N);
        assert_eq!(spent, cost);
        assert_eq!(s.spend, cost);
    }

    /// A run killed while submitting a batch left it in the journal as prepared only: the
    /// provider may or may not have it. The next run charges those requests at their reserved
    /// worst case (as any call lost in flight) and holds them again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_whose_submission_was_cut_off_is_charged_at_its_worst_case() {
        let dir = tempfile::tempdir().unwrap();
        write_recipients(&dir.path().join("recipients.jsonl"));
        let worst = Money::from_cents(1);
        crafted_prepared(dir.path(), "batched:openai:r1.1", &"ab".repeat(32), worst).await;
        let server = TestServer::start().await.unwrap();
        server.set_default(answer());
        let s = run(inputs(dir.path(), &server), options(dir.path()))
            .await
            .unwrap();
        assert_eq!(s.sent, N as u64);
        check_done(dir.path(), &s);
        let store =
            SqliteStore::open(dir.path().join("candor.sqlite"), SqliteOptions::default()).unwrap();
        let rows = store.ledger(LedgerFilter::default()).await.unwrap();
        let lost: Vec<_> = rows
            .iter()
            .filter(|r| r.row.outcome == Outcome::Abandoned)
            .collect();
        assert_eq!(lost.len(), 1, "charged once");
        assert_eq!(lost[0].row.cost, worst);
        assert!(lost[0]
            .row
            .detail
            .as_deref()
            .unwrap()
            .contains("stopped while submitting"));
        drop(store);
        let (n, cost, spent) = batch_rows(dir.path()).await;
        assert_eq!(n, N);
        assert_eq!(
            spent,
            cost + worst,
            "the lost submission and the batch, nothing else"
        );
        // The next run finds nothing left to charge or collect.
        let again = run(inputs(dir.path(), &server), options(dir.path()))
            .await
            .unwrap();
        assert_eq!(again.resumed, N as u64);
        assert_eq!(batch_rows(dir.path()).await.2, cost + worst);
    }

    /// The per-batch cap (`budget.per_batch`) splits a round into several batches, each within
    /// the cap: a full batch is not a reason to move anyone down the ladder.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_per_batch_cap_splits_a_round_into_batches_within_it() {
        let dir = tempfile::tempdir().unwrap();
        write_recipients(&dir.path().join("recipients.jsonl"));
        let server = TestServer::start().await.unwrap();
        server.set_default(answer());
        let cap = Money::from_picos(1_000_000_000); // $0.001: a few requests' worst cases
        let mut i = inputs(dir.path(), &server);
        i.campaign = Campaign::from_toml(&CAMPAIGN.replace(
            "total = \"5.00\"",
            "total = \"5.00\"\nper_batch = \"0.001\"",
        ))
        .unwrap();
        let s = run(i, options(dir.path())).await.unwrap();
        assert_eq!(s.sent, N as u64);
        check_done(dir.path(), &s);
        assert!(s.batches >= 3, "{} batches", s.batches);
        assert_eq!(s.batched_calls, N as u64);
        // A round's batches run side by side: all submitted before any result is fetched.
        let reqs = server.requests();
        let last_create = reqs
            .iter()
            .rposition(|r| r.method == "POST" && r.path.ends_with("/batches"))
            .unwrap();
        let first_fetch = reqs
            .iter()
            .position(|r| r.path.ends_with("/content"))
            .unwrap();
        assert!(last_create < first_fetch);
        let store =
            SqliteStore::open(dir.path().join("candor.sqlite"), SqliteOptions::default()).unwrap();
        let mut by_batch: std::collections::BTreeMap<String, Money> = Default::default();
        for r in store.ledger(LedgerFilter::default()).await.unwrap() {
            if let Some(b) = r.row.attribution.batch_id.clone() {
                *by_batch.entry(b).or_default() += r.row.reserved;
            }
        }
        assert_eq!(by_batch.len() as u64, s.batches);
        // All parts of the first round: a full batch opens the next one at once.
        let rounds: std::collections::BTreeSet<&str> = by_batch
            .keys()
            .map(|k| k.rsplit_once('.').unwrap().0)
            .collect();
        assert_eq!(rounds.len(), 1, "{:?}", by_batch.keys());
        for (b, reserved) in &by_batch {
            assert!(
                *reserved <= cap,
                "{b}: {reserved} reserved under a {cap} cap"
            );
        }
    }

    /// A run killed after holding requests but before recording their batch left reservations
    /// no batch record claims. Nothing was sent, so the next run releases them: no charge, and
    /// no budget held for the 30 hours they would otherwise stay open.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reservations_held_for_an_unrecorded_batch_are_released() {
        use candor_engine::batch::Journal;
        use candor_store::{AttemptLabel, Attribution};
        let dir = tempfile::tempdir().unwrap();
        write_recipients(&dir.path().join("recipients.jsonl"));
        std::fs::create_dir_all(dir.path().join("outbox")).unwrap();
        let (j, _) = Journal::open(&dir.path().join("outbox"), true).unwrap();
        let own = format!("batched:openai:r{}.1.1.1", j.tag());
        drop(j);
        {
            let store =
                SqliteStore::open(dir.path().join("candor.sqlite"), SqliteOptions::default())
                    .unwrap();
            for batch in [own.as_str(), "batched:openai:rsomeone-else.1.1.1"] {
                let mut a = Attribution::new("batched", "buyers");
                a.batch_id = Some(batch.into());
                store
                    .reserve(
                        &a,
                        Money::from_cents(1),
                        Duration::from_secs(3600),
                        &AttemptLabel::default(),
                    )
                    .await
                    .unwrap();
            }
            std::mem::forget(store);
        }
        let server = TestServer::start().await.unwrap();
        server.set_default(answer());
        let s = run(inputs(dir.path(), &server), options(dir.path()))
            .await
            .unwrap();
        check_done(dir.path(), &s);
        let store =
            SqliteStore::open(dir.path().join("candor.sqlite"), SqliteOptions::default()).unwrap();
        let st = store
            .status(Scope::Campaign("batched".into()))
            .await
            .unwrap();
        assert_eq!(
            st.reserved,
            Money::from_cents(1),
            "another outbox's reservation is left to it"
        );
        assert_eq!(st.spent, s.spend, "the released one cost nothing");
        assert!(!store
            .ledger(LedgerFilter::default())
            .await
            .unwrap()
            .iter()
            .any(|r| r.row.outcome == Outcome::Abandoned));
    }

    /// Cut off after the provider made the batch but before the run noted its id: OpenAI keeps
    /// candor's batch key in the batch's metadata, so the next run finds the batch and collects
    /// it instead of charging its requests as lost and sending them again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_cut_off_batch_the_provider_made_is_found_and_collected() {
        use candor_providers::BatchItem;
        let dir = tempfile::tempdir().unwrap();
        write_recipients(&dir.path().join("recipients.jsonl"));
        let server = TestServer::start().await.unwrap();
        server.set_default(answer());
        let key = "batched:openai:r1.1";
        let id = "cd".repeat(32);
        crafted_prepared(dir.path(), key, &id, Money::from_cents(1)).await;
        // The submission reached the provider before the process died.
        let p = OpenAiProvider::new("openai", server.base_url(), None).unwrap();
        let item = BatchItem {
            custom_id: id.clone(),
            request: candor_domain::ChatRequest::from_parts(
                "gpt-4.1-mini",
                &candor_domain::PromptParts {
                    static_prefix: "s".into(),
                    segment_block: "b".into(),
                    recipient_block: "r".into(),
                },
                50,
            ),
        };
        p.batch().unwrap().submit(&[item], key).await.unwrap();
        let s = run(inputs(dir.path(), &server), options(dir.path()))
            .await
            .unwrap();
        check_done(dir.path(), &s);
        let journal = std::fs::read_to_string(
            dir.path()
                .join("outbox")
                .join(candor_engine::batch::BATCHES_FILE),
        )
        .unwrap();
        assert!(
            journal.contains(r#""event":"submitted","key":"batched:openai:r1.1""#),
            "{journal}"
        );
        let store =
            SqliteStore::open(dir.path().join("candor.sqlite"), SqliteOptions::default()).unwrap();
        let rows = store.ledger(LedgerFilter::default()).await.unwrap();
        assert!(
            !rows.iter().any(|r| r.row.outcome == Outcome::Abandoned),
            "found, not charged as lost"
        );
        let found: Vec<_> = rows
            .iter()
            .filter(|r| r.row.attribution.batch_id.as_deref() == Some(key))
            .collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].row.outcome, Outcome::Ok, "its answer settled");
        let st = store
            .status(Scope::Campaign("batched".into()))
            .await
            .unwrap();
        assert_eq!(st.reserved, Money::ZERO);
    }

    /// The provider made the batch but its answer to the submission was lost (a 502 from a
    /// gateway): the run finds the batch by its key and collects it, paying once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_whose_submission_answer_was_lost_is_found_and_collected() {
        let dir = tempfile::tempdir().unwrap();
        write_recipients(&dir.path().join("recipients.jsonl"));
        let server = TestServer::start().await.unwrap();
        server.set_default(answer());
        server.lose_batch_creates(1);
        let s = run(inputs(dir.path(), &server), options(dir.path()))
            .await
            .unwrap();
        check_done(dir.path(), &s);
        assert_eq!(server.batch_count(), 1, "not submitted again");
        assert_eq!(s.batches, 1);
        let (n, cost, spent) = batch_rows(dir.path()).await;
        assert_eq!(n, N);
        assert_eq!(spent, cost, "nothing charged as lost");
    }
}
