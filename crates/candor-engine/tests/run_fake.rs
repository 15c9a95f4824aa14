//! `run` end to end with a fake provider chosen by model name and the in-memory store: every
//! recipient ends with one gated message or a skip; gate findings are retried with feedback and
//! fall a tier; a second run resumes without writing or paying anything again.

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    use candor_domain::{Campaign, ChatRequest, Completion, FinishReason, TokenCount, Usage};
    use candor_engine::outbox::{Record, Status, RECORDS_FILE};
    use candor_engine::run::{run, ModelRoute, Router, RunInputs, RunOptions};
    use candor_gate::{Context, Email, Gate};
    use candor_governor::{Governor, GovernorConfig, Pricer};
    use candor_pricing::PriceTable;
    use candor_providers::{BoxFuture, Provider, ProviderError};
    use candor_store::{MemoryStore, Store};
    use mail_parser::MessageParser;

    const CAMPAIGN: &str = r#"
[campaign]
name = "winter-trail"
type = "promotion"
send_date = "2026-12-01"
brief = "Our winter trail range is in: warm, waterproof, built for long days outside."
concurrency = 4

[brand]
name = "Northwind Outfitters"
sender = "Northwind <hello@northwind.example>"
postal_address = "12 Harbour Rd, Portland, ME 04101, USA"
unsubscribe_url = "https://northwind.example/u/{recipient}"

[facts]
offer = "20% off hiking boots"
code = "TRAIL20"
end_date = 2026-12-14

[[segments]]
name = "recent-buyers"
value_per_send = "0.40"
when = [{ event = "purchase", within_days = 120 }]
body = "Our winter range is in, and it is built for long days outside."

[[segments]]
name = "everyone"
value_per_send = "0.05"

[budget]
total = "5.00"
"#;

    /// Answers like a model would, by model name: the mini model writes a clean
    /// subject + opener, except that its first try for ids ending in 7 claims a cart the person
    /// never had (the gate must catch it and the retry must carry the findings back).
    struct Fake {
        calls: AtomicU64,
        /// How long each answer takes.
        delay: std::time::Duration,
        /// Every first try makes the cart claim (so every email costs a retry the plan does
        /// not price).
        bad_first: bool,
    }

    impl Provider for Fake {
        fn name(&self) -> &str {
            "fake"
        }
        fn complete<'a>(
            &'a self,
            request: &'a ChatRequest,
        ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
            Box::pin(async move {
                self.calls.fetch_add(1, Ordering::SeqCst);
                if !self.delay.is_zero() {
                    tokio::time::sleep(self.delay).await;
                }
                let user = &request.messages[1].content;
                let retry = user.contains("A CHECK REJECTED");
                let name = user
                    .lines()
                    .find_map(|l| l.strip_prefix("- first name: "))
                    .unwrap_or("")
                    .to_string();
                let bad = self.bad_first || user.contains("id7") || name == "Gus";
                let text = if bad && !retry {
                    "Subject: Your cart misses you\n\nYou left the Summit Parka in your cart last week."
                        .to_string()
                } else if request.model.starts_with("gpt") {
                    "Subject: Ready for winter trails\n\nOur warmest gear just landed, and we thought of you first."
                        .to_string()
                } else {
                    "Our warmest gear just landed, and we thought of you first.".to_string()
                };
                Ok(Completion {
                    compute_ms: None,
                    usage: Usage {
                        input_tokens: TokenCount(400),
                        output_tokens: TokenCount(30),
                        ..Usage::default()
                    },
                    text,
                    usage_reported: true,
                    finish_reason: FinishReason::Stop,
                    model: request.model.clone(),
                })
            })
        }
    }

    struct Routes {
        fake: Arc<Fake>,
        prices: PriceTable,
    }

    impl Router for Routes {
        fn route(&self, model: &str) -> Option<ModelRoute> {
            let price = self.prices.get(model).ok()?.clone();
            Some(ModelRoute {
                provider: self.fake.clone(),
                pricer: Arc::new(price) as Arc<dyn Pricer>,
                compact: false,
            })
        }
    }

    fn write_recipients(path: &Path) {
        let names = [
            "Ana", "Bo", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jo",
        ];
        let mut lines = Vec::new();
        for i in 0..40 {
            let name = names[i % names.len()];
            let mut v = serde_json::json!({"id": format!("id{i}"), "email": format!("p{i}@example.com"),
                "first_name": name});
            if i % 2 == 0 {
                v["events"] = serde_json::json!([{"type":"purchase","at":"2026-10-02","product":"Trailblazer 2 Hiking Boot"}]);
                v["attributes"] = serde_json::json!({"city": "Porto"});
            }
            if i == 13 {
                v["attributes"] = serde_json::json!({"unsubscribed": true});
            }
            lines.push(v.to_string());
        }
        lines.push(r#"{"id":"bad","email":"not-an-address"}"#.to_string());
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }

    fn inputs(dir: &Path, store: Arc<dyn Store>, fake: Arc<Fake>) -> RunInputs {
        let prices = PriceTable::snapshot();
        RunInputs {
            campaign: Campaign::from_toml(CAMPAIGN).unwrap(),
            recipients: dir.join("recipients.jsonl"),
            prices: prices.clone(),
            governor: Arc::new(Governor::new(store, GovernorConfig::default())),
            router: Arc::new(Routes { fake, prices }),
        }
    }

    fn options(dir: &Path) -> RunOptions {
        let mut o = RunOptions::new(dir.join("outbox"));
        o.tiers = Some(vec!["standard".into(), "local".into(), "template".into()]);
        o.salt = b"test".to_vec();
        o.quarantine = Some(dir.join("quarantine.jsonl"));
        o
    }

    fn records(dir: &Path) -> Vec<Record> {
        std::fs::read_to_string(dir.join("outbox").join(RECORDS_FILE))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// A list with nothing to write says so in the summary's notes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_empty_or_wholly_quarantined_list_says_so() {
        for (text, says) in [
            ("", "holds no recipient records"),
            ("{\"id\":\"1\",\"email\":\"nope\"}\n", "was quarantined"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("recipients.jsonl"), text).unwrap();
            let fake = Arc::new(Fake {
                calls: AtomicU64::new(0),
                delay: std::time::Duration::ZERO,
                bad_first: false,
            });
            let i = inputs(dir.path(), Arc::new(MemoryStore::new()), fake);
            let s = run(i, options(dir.path())).await.unwrap();
            assert_eq!(s.sent, 0);
            assert!(s.notes.iter().any(|n| n.contains(says)), "{:?}", s.notes);
        }
    }

    /// `batch_api = true` asks for provider batch APIs, which this provider does not offer: the
    /// run must plan at the synchronous prices it will pay (a half-price plan would make the spend-hot check
    /// move recipients down the ladder for nothing) and say so.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_api_campaign_is_planned_at_the_prices_the_run_pays() {
        let batch_toml =
            CAMPAIGN.replace("concurrency = 4\n", "concurrency = 4\nbatch_api = true\n");
        assert_ne!(batch_toml, CAMPAIGN);
        let mut summaries = Vec::new();
        for toml in [CAMPAIGN.to_string(), batch_toml.clone()] {
            let dir = tempfile::tempdir().unwrap();
            write_recipients(&dir.path().join("recipients.jsonl"));
            let fake = Arc::new(Fake {
                calls: AtomicU64::new(0),
                delay: std::time::Duration::ZERO,
                bad_first: false,
            });
            let mut i = inputs(dir.path(), Arc::new(MemoryStore::new()), fake);
            i.campaign = Campaign::from_toml(&toml).unwrap();
            summaries.push(run(i, options(dir.path())).await.unwrap());
        }
        let (plain, batch) = (&summaries[0], &summaries[1]);
        assert!(plain.planned > candor_domain::Money::ZERO);
        assert_eq!(batch.planned, plain.planned);
        assert!(plain.notes.is_empty(), "{:?}", plain.notes);
        assert!(
            batch
                .notes
                .iter()
                .any(|n| n.contains("batch_api") && n.contains("synchronous")),
            "{:?}",
            batch.notes
        );
        // The estimate itself still shows what batch prices would come to, and says a run
        // does not get them.
        let dir = tempfile::tempdir().unwrap();
        write_recipients(&dir.path().join("recipients.jsonl"));
        let text = std::fs::read_to_string(dir.path().join("recipients.jsonl")).unwrap();
        let list: Vec<candor_domain::Recipient> = text
            .lines()
            .filter_map(|l| candor_domain::Recipient::from_json(l, &Default::default()).ok())
            .collect();
        let mut c = Campaign::from_toml(&batch_toml).unwrap();
        c.ladder
            .retain(|t| ["standard", "local", "template"].contains(&t.name.as_str()));
        let e = candor_engine::estimate::estimate(
            &c,
            &PriceTable::snapshot(),
            list.into_iter(),
            Default::default,
        )
        .unwrap();
        assert!(
            e.plan.cost < plain.planned,
            "{} vs {}",
            e.plan.cost,
            plain.planned
        );
        assert!(
            e.plan
                .notes
                .iter()
                .any(|n| n.contains("the rest synchronously")),
            "{:?}",
            e.plan.notes
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_recipient_gets_one_gated_message_or_a_skip_and_resume_pays_nothing() {
        let dir = tempfile::tempdir().unwrap();
        write_recipients(&dir.path().join("recipients.jsonl"));
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let fake = Arc::new(Fake {
            calls: AtomicU64::new(0),
            delay: std::time::Duration::ZERO,
            bad_first: false,
        });
        let s = run(
            inputs(dir.path(), store.clone(), fake.clone()),
            options(dir.path()),
        )
        .await
        .unwrap();
        assert_eq!(s.recipients, 40);
        assert_eq!(s.quarantined, 1);
        assert_eq!(s.sent + s.skipped.values().sum::<u64>(), 40);
        assert_eq!(s.skipped.get("no_consent"), Some(&1));
        assert!(s.gate_checks > s.gate_passes, "the cart claim was caught");
        assert!(
            s.findings_by_kind.contains_key("implied_context")
                || s.findings_by_kind.contains_key("fabricated_fact"),
            "{:?}",
            s.findings_by_kind
        );
        assert!(!s.examples.is_empty());
        assert!(s.spend > candor_domain::Money::ZERO);
        assert!(s.spend <= s.budget.unwrap());

        let recs = records(dir.path());
        assert_eq!(recs.len(), 40);
        let mut ids: Vec<_> = recs.iter().map(|r| r.recipient_id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 40, "one record per recipient");
        let gate = Gate::new();
        let campaign = Campaign::from_toml(CAMPAIGN).unwrap();
        let mut ctx_json = campaign.gate_context_json();
        ctx_json["postal_address"] = campaign.brand.postal_address.clone().into();
        ctx_json["sender"] = "Northwind".into();
        let ctx = Context::from_json(ctx_json).unwrap();
        let mut emls = 0;
        for r in &recs {
            if r.status != Status::Sent {
                continue;
            }
            let path = dir
                .path()
                .join("outbox")
                .join(r.message_file.as_ref().unwrap());
            let raw = std::fs::read(&path).unwrap();
            let m = MessageParser::default().parse(&raw).unwrap();
            assert_eq!(m.text_body_count(), 1);
            assert_eq!(m.html_body_count(), 1);
            assert!(m
                .header_raw("List-Unsubscribe")
                .unwrap()
                .contains("https://northwind.example/u/"));
            assert!(m.header_raw("List-Unsubscribe-Post").is_some());
            assert!(m.body_text(0).unwrap().contains("12 Harbour Rd"));
            // The message as written passes the gate again.
            let email = Email::parse_eml(&raw).unwrap();
            let rec_json = std::fs::read_to_string(dir.path().join("recipients.jsonl")).unwrap();
            let line = rec_json
                .lines()
                .find(|l| l.contains(&format!("\"id\":\"{}\"", r.recipient_id)))
                .unwrap();
            let person =
                candor_domain::Recipient::from_json(line, &candor_domain::Limits::default())
                    .unwrap();
            let report = gate.check(&email, &person, &ctx);
            assert!(report.passed(), "{}: {:?}", r.recipient_id, report.findings);
            emls += 1;
        }
        assert_eq!(emls as u64, s.sent);
        let files = message_files(&dir.path().join("outbox")).len();
        assert_eq!(files as u64, s.sent);

        // Resume: all done, nothing called, nothing written.
        let calls_before = fake.calls.load(Ordering::SeqCst);
        let s2 = run(
            inputs(dir.path(), store.clone(), fake.clone()),
            options(dir.path()),
        )
        .await
        .unwrap();
        assert_eq!(s2.resumed, 40);
        assert_eq!(s2.sent, 0);
        assert_eq!(fake.calls.load(Ordering::SeqCst), calls_before);
        assert_eq!(records(dir.path()).len(), 40);
    }

    /// Spend above plan moves the lowest-value segment down the ladder only when the list
    /// would overrun the budget at that rate: every email here costs a gate retry the plan does
    /// not price (twice its planned spend), which a roomy budget absorbs and a tight one does not.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn spend_running_hot_moves_the_lowest_value_segment_only_when_the_budget_needs_it() {
        let run_with = |budget: String| async move {
            let dir = tempfile::tempdir().unwrap();
            let mut lines = Vec::new();
            for i in 0..160 {
                let mut v = serde_json::json!({"id": format!("h{i}"),
                    "email": format!("h{i}@example.com"), "first_name": "Ana"});
                if i % 2 == 0 {
                    v["events"] = serde_json::json!([{"type":"purchase","at":"2026-10-02",
                        "product":"Trailblazer 2 Hiking Boot"}]);
                }
                lines.push(v.to_string());
            }
            std::fs::write(dir.path().join("recipients.jsonl"), lines.join("\n") + "\n").unwrap();
            let fake = Arc::new(Fake {
                calls: AtomicU64::new(0),
                delay: std::time::Duration::ZERO,
                bad_first: true,
            });
            let mut i = inputs(dir.path(), Arc::new(MemoryStore::new()), fake);
            // The recipients' prompts repeat; each must be a paid call here.
            i.governor = Arc::new(Governor::new(
                Arc::new(MemoryStore::new()),
                GovernorConfig {
                    use_cache: false,
                    ..GovernorConfig::default()
                },
            ));
            i.campaign = Campaign::from_toml(
                &CAMPAIGN.replace("total = \"5.00\"", &format!("total = \"{budget}\"")),
            )
            .unwrap();
            let mut o = options(dir.path());
            o.concurrency = Some(1);
            o.tiers = Some(vec!["standard".into(), "template".into()]);
            let s = run(i, o).await.unwrap();
            (s, records(dir.path()))
        };

        let (roomy, recs) = run_with("500.00".into()).await;
        assert_eq!(roomy.planned_mix.get("standard"), Some(&160));
        assert!(
            roomy.spend.picos() > roomy.planned.picos() * 6 / 5,
            "every email paid a retry, well above the 1.1x threshold: {} spent against {} planned",
            roomy.spend,
            roomy.planned
        );
        assert_eq!(
            roomy.moves_by_reason.get("spend_hot"),
            None,
            "{:?}",
            roomy.moves
        );
        assert!(recs.iter().all(|r| r.tier.as_deref() == Some("standard")));

        // A budget the plan fits but the retries do not.
        let tight = roomy.planned.mul_div_round(13, 10).unwrap();
        let (hot, recs) = run_with(tight.format_dollars(6)).await;
        assert_eq!(hot.planned, roomy.planned, "the same plan fits");
        let moved = hot.moves_by_reason.get("spend_hot").copied().unwrap_or(0);
        assert!(moved > 0, "{:?}", hot.moves_by_reason);
        for r in &recs {
            let hot_move = r.moves.iter().any(|m| m.starts_with("spend_hot"));
            if hot_move {
                assert_eq!(r.segment.as_deref(), Some("everyone"), "lowest value first");
                assert_eq!(r.tier.as_deref(), Some("template"));
            }
        }
        let m = hot.moves.iter().find(|m| m.reason == "spend_hot").unwrap();
        assert!(m.detail.contains("budget"), "{}", m.detail);
        assert!(hot.spend <= tight);
    }

    /// Earlier runs' spend comes out of the campaign budget the plan fits: a second outbox of
    /// the same campaign plans within what is left and says so, while resuming an outbox plans
    /// as its first run did (its own spend is not "earlier").
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_second_run_of_a_campaign_plans_within_the_budget_left() {
        let dir = tempfile::tempdir().unwrap();
        write_recipients(&dir.path().join("recipients.jsonl"));
        let fake = || {
            Arc::new(Fake {
                calls: AtomicU64::new(0),
                delay: std::time::Duration::ZERO,
                bad_first: false,
            })
        };
        // Segment copy is spent by a run but is in no recipient's record: only the outbox's
        // baseline keeps a resumed run from counting it as earlier spend.
        let toml_with = |budget: candor_domain::Money| {
            CAMPAIGN
                .replace(
                    "total = \"5.00\"",
                    &format!("total = \"{}\"", budget.to_exact_string()),
                )
                .replace("[budget]", "[copy]\nmodel = \"gpt-4.1\"\n\n[budget]")
        };
        // What the list costs with room to spare.
        let mut i = inputs(dir.path(), Arc::new(MemoryStore::new()), fake());
        i.campaign =
            Campaign::from_toml(&toml_with(candor_domain::Money::from_dollars(500))).unwrap();
        let free = run(i, options(&dir.path().join("probe"))).await.unwrap();
        // A budget 10% above that: the first run gets its full plan, a second one cannot.
        let budget = free.planned.mul_div_round(11, 10).unwrap();
        let toml = toml_with(budget);
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let with = |out: &str| {
            let mut i = inputs(dir.path(), store.clone(), fake());
            i.campaign = Campaign::from_toml(&toml).unwrap();
            (i, options(&dir.path().join(out)))
        };
        let (i, o) = with("first");
        let first = run(i, o).await.unwrap();
        assert_eq!(first.planned, free.planned);
        assert!(first.notes.is_empty(), "{:?}", first.notes);
        let spent = store
            .status(candor_store::Scope::Campaign("winter-trail".into()))
            .await
            .unwrap()
            .spent;
        assert!(
            spent.picos() > first.planned.picos() / 10,
            "{spent} of {}",
            first.planned
        );

        // Resumed: nothing to do, same plan, no note.
        let (i, o) = with("first");
        let again = run(i, o).await.unwrap();
        assert_eq!(again.resumed, 40);
        assert_eq!(again.planned, first.planned);
        assert!(again.notes.is_empty(), "{:?}", again.notes);

        // A new outbox: the plan fits what the first run left.
        let (i, o) = with("second");
        let second = run(i, o).await.unwrap();
        assert!(
            second.planned <= budget - spent,
            "{} > {budget} - {spent}",
            second.planned
        );
        assert!(second.planned < first.planned);
        assert!(
            second
                .notes
                .iter()
                .any(|n| n.contains(&format!("earlier runs spent ${}", spent.format_dollars(4)))),
            "{:?}",
            second.notes
        );
    }

    /// An outbox is one campaign's: a run resumes by recipient id, so another campaign run into
    /// it would skip everyone the first one wrote to, write nothing and say all was done. It is
    /// refused before anything in the outbox changes; the same campaign still resumes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn another_campaigns_outbox_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        write_recipients(&dir.path().join("recipients.jsonl"));
        let fake = || {
            Arc::new(Fake {
                calls: AtomicU64::new(0),
                delay: std::time::Duration::ZERO,
                bad_first: false,
            })
        };
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let first = run(
            inputs(dir.path(), store.clone(), fake()),
            options(dir.path()),
        )
        .await
        .unwrap();
        assert!(first.sent > 30, "{}", first.sent);
        let outbox = dir.path().join("outbox");
        let listing = || {
            let mut v: Vec<_> = std::fs::read_dir(&outbox)
                .unwrap()
                .map(|e| {
                    let e = e.unwrap();
                    (e.file_name(), e.metadata().unwrap().len())
                })
                .collect();
            v.sort();
            v
        };
        let before = listing();

        let mut other = inputs(dir.path(), store.clone(), fake());
        other.campaign =
            Campaign::from_toml(&CAMPAIGN.replace("name = \"winter-trail\"", "name = \"spring\""))
                .unwrap();
        assert_eq!(other.campaign.name, "spring");
        let e = run(other, options(dir.path()))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("holds campaign `winter-trail`'s emails, not `spring`'s")
                && e.contains("--out"),
            "{e}"
        );
        assert_eq!(listing(), before, "the refused run changed the outbox");

        let again = run(inputs(dir.path(), store, fake()), options(dir.path()))
            .await
            .unwrap();
        assert_eq!(again.resumed, 40);
        assert_eq!(again.sent, 0);
    }

    /// On a slow run a batch commits when it is old enough, not only when it is full: records
    /// appear while the run goes on, each pointing at a whole message.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_slow_run_commits_its_batches_by_age() {
        let dir = tempfile::tempdir().unwrap();
        write_recipients(&dir.path().join("recipients.jsonl"));
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let fake = Arc::new(Fake {
            calls: AtomicU64::new(0),
            delay: std::time::Duration::from_millis(150),
            bad_first: false,
        });
        let mut opts = options(dir.path());
        opts.concurrency = Some(2);
        opts.batch_age = std::time::Duration::from_millis(100);
        let s = run(inputs(dir.path(), store, fake), opts).await.unwrap();
        assert_eq!(s.sent + s.skipped.values().sum::<u64>(), 40);
        let recs = records(dir.path());
        let mut batches: Vec<&str> = recs
            .iter()
            .filter_map(|r| r.message_file.as_deref()?.split('/').next())
            .collect();
        batches.dedup();
        assert!(
            batches.len() >= 3,
            "a dozen 150 ms calls two at a time, in 100 ms batches: {batches:?}"
        );
        let mut sorted = batches.clone();
        sorted.sort();
        assert_eq!(sorted, batches, "records follow the batches in order");
        assert_eq!(
            message_files(&dir.path().join("outbox")).len() as u64,
            s.sent
        );
        for r in recs.iter().filter(|r| r.status == Status::Sent) {
            let raw = std::fs::read(
                dir.path()
                    .join("outbox")
                    .join(r.message_file.as_ref().unwrap()),
            )
            .unwrap();
            assert!(MessageParser::default().parse(&raw).is_some());
        }
    }

    /// Every `.eml` file in the outbox's batch directories (and any at its top level).
    fn message_files(outbox: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(outbox).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                for f in std::fs::read_dir(&p).unwrap() {
                    out.push(f.unwrap().path());
                }
            } else if p.extension().is_some_and(|x| x == "eml") {
                out.push(p);
            }
        }
        out.retain(|p| p.extension().is_some_and(|x| x == "eml"));
        out
    }
}
