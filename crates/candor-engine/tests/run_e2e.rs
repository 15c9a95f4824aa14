//! A small campaign end to end: the `standard` tier against the fault-injecting test server
//! (rate limits, server errors, a fabricated claim), the `local` tier on the real SmolLM2, the
//! `template` floor, and the SQLite store. Checks: every recipient has exactly one message or a
//! skip reason; every message passes the gate; settled spend is within every cap; every message
//! parses as RFC 5322 with both parts and the unsubscribe headers.

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;
    use std::sync::Arc;
    use std::time::Duration;

    use candor_domain::{Campaign, Limits, Money, Recipient};
    use candor_engine::outbox::{Record, Status, RECORDS_FILE};
    use candor_engine::run::{run, ModelRoute, Router, RunInputs, RunOptions};
    use candor_gate::{Context, Email, Gate};
    use candor_governor::{Governor, GovernorConfig, Pricer};
    use candor_pricing::PriceTable;
    use candor_providers::{OpenAiProvider, Provider};
    use candor_store::{LedgerFilter, Scope, SqliteOptions, SqliteStore, Store};
    use candor_testserver::{Reply, TestServer, UsageSpec};
    use mail_parser::MessageParser;

    const CAMPAIGN: &str = r#"
ladder = ["standard", "local", "template"]

[campaign]
name = "e2e"
type = "promotion"
send_date = "2026-12-01"
brief = "Our winter trail range is in: warm, waterproof, built for long days outside."
concurrency = 3

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
value_per_send = "0.02"

[tiers.local]
max_output_tokens = 40
stages = [{ name = "write", model = "smollm2-135m-instruct-q4_1" }]

[budget]
total = "0.50"
per_send = "0.01"
"#;

    struct Routes {
        openai: Arc<dyn Provider>,
        local: Arc<dyn Provider>,
        prices: PriceTable,
    }

    impl Router for Routes {
        fn route(&self, model: &str) -> Option<ModelRoute> {
            let price = self.prices.get(model).ok()?.clone();
            let provider = if model.starts_with("smollm2") {
                Arc::clone(&self.local)
            } else {
                Arc::clone(&self.openai)
            };
            Some(ModelRoute {
                compact: model.starts_with("smollm2"),
                provider,
                pricer: Arc::new(price) as Arc<dyn Pricer>,
            })
        }
    }

    fn recipients(path: &Path) -> Vec<Recipient> {
        let mut out = Vec::new();
        let mut lines = Vec::new();
        let names = ["Ana", "Bo", "Cy", "Dee"];
        for i in 0..12 {
            let name = names[i % 4];
            let mut v = serde_json::json!({"id": format!("e{i}"), "email": format!("e{i}@example.com"),
                "first_name": name});
            if i % 3 == 0 {
                v["events"] = serde_json::json!([{"type":"purchase","at":"2026-10-02","product":"Trailblazer 2 Hiking Boot"}]);
            }
            lines.push(v.to_string());
            out.push(Recipient::from_value(v, &Limits::default()).unwrap());
        }
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn campaign_over_faulty_remote_and_real_local_model() {
        let dir = tempfile::tempdir().unwrap();
        let people = recipients(&dir.path().join("r.jsonl"));
        let server = TestServer::start().await.unwrap();
        let usage = UsageSpec {
            input: 500,
            output: 30,
            ..UsageSpec::default()
        };
        server.set_default(Reply::ok_text(
            "Subject: Ready for winter trails\n\nOur warmest gear just landed, and we thought of you first.",
            usage,
        ));
        // Faults first: a rate limit, a server error, then a claim the gate must catch.
        server.push_many([
            Reply::rate_limited("0"),
            Reply::status(500),
            Reply::ok_text(
                "Subject: Your cart\n\nYou left the Summit Parka in your cart last week.",
                usage,
            ),
        ]);
        let openai: Arc<dyn Provider> =
            Arc::new(OpenAiProvider::new("openai", server.base_url(), None).unwrap());
        let models = candor_local::registry::default_models_dir().unwrap();
        let local = candor_local::LocalModel::load_named(
            candor_local::TEST_MODEL,
            &models,
            &candor_local::LoadOptions::default(),
            &mut candor_local::registry::NoProgress,
        )
        .unwrap();
        let local: Arc<dyn Provider> = Arc::new(candor_local::LocalProvider::new(Arc::new(local)));
        let store = Arc::new(
            SqliteStore::open(dir.path().join("candor.sqlite"), SqliteOptions::default()).unwrap(),
        );
        let config = GovernorConfig {
            backoff_base: Duration::from_millis(10),
            backoff_max: Duration::from_millis(50),
            call_timeout: Duration::from_secs(120),
            ..GovernorConfig::default()
        };
        let prices = PriceTable::snapshot();
        let campaign = Campaign::from_toml(CAMPAIGN).unwrap();
        let inputs = RunInputs {
            campaign: campaign.clone(),
            recipients: dir.path().join("r.jsonl"),
            prices: prices.clone(),
            governor: Arc::new(Governor::new(store.clone(), config)),
            router: Arc::new(Routes {
                openai,
                local,
                prices,
            }),
        };
        let mut opts = RunOptions::new(dir.path().join("outbox"));
        opts.salt = b"e2e".to_vec();
        opts.audit_db = Some(dir.path().join("candor.sqlite"));
        let s = run(inputs, opts).await.unwrap();
        assert_eq!(s.recipients, 12);
        assert_eq!(s.sent + s.skipped.values().sum::<u64>(), 12);
        assert!(s.gate_checks > s.gate_passes, "the cart claim was caught");

        // Exactly one record per recipient.
        let recs: Vec<Record> =
            std::fs::read_to_string(dir.path().join("outbox").join(RECORDS_FILE))
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
        let mut seen: HashMap<&str, u32> = HashMap::new();
        for r in &recs {
            *seen.entry(&r.recipient_id).or_default() += 1;
        }
        assert_eq!(seen.len(), 12);
        assert!(seen.values().all(|n| *n == 1));

        // Every message parses, has both parts and the unsubscribe headers, and passes the gate.
        let gate = Gate::new();
        let mut ctx = campaign.gate_context_json();
        ctx["postal_address"] = campaign.brand.postal_address.clone().into();
        ctx["sender"] = "Northwind".into();
        let ctx = Context::from_json(ctx).unwrap();
        for r in recs.iter().filter(|r| r.status == Status::Sent) {
            let raw = std::fs::read(
                dir.path()
                    .join("outbox")
                    .join(r.message_file.as_ref().unwrap()),
            )
            .unwrap();
            let m = MessageParser::default().parse(&raw).unwrap();
            assert_eq!(m.text_body_count(), 1);
            assert_eq!(m.html_body_count(), 1);
            assert!(m
                .header_raw("List-Unsubscribe")
                .unwrap()
                .contains("<https://"));
            assert_eq!(
                m.header_raw("List-Unsubscribe-Post").unwrap().trim(),
                "List-Unsubscribe=One-Click"
            );
            let person = people
                .iter()
                .find(|p| p.id.as_str() == r.recipient_id)
                .unwrap();
            let report = gate.check(&Email::parse_eml(&raw).unwrap(), person, &ctx);
            assert!(report.passed(), "{}: {:?}", r.recipient_id, report.findings);
        }

        // Settled spend within every cap.
        store.flush().await.unwrap();
        let campaign_status = store.status(Scope::Campaign("e2e".into())).await.unwrap();
        assert!(campaign_status.spent <= Money::from_cents(50));
        let rows = store.ledger(LedgerFilter::default()).await.unwrap();
        let mut per_send: HashMap<String, Money> = HashMap::new();
        for e in &rows {
            if let Some(sid) = &e.row.attribution.send_id {
                *per_send.entry(sid.clone()).or_insert(Money::ZERO) += e.row.cost;
            }
        }
        assert!(per_send.values().all(|m| *m <= Money::from_cents(1)));
        let total: Money = rows.iter().map(|e| e.row.cost).sum();
        assert_eq!(total, campaign_status.spent);
        assert!(server.request_count() > 0);
    }
}
