//! `candor run` on a `batch_api = true` campaign, killed with SIGKILL at random points (while
//! it holds requests, submits a batch, waits for one, writes the outbox) and resumed, ten times,
//! against the test server's OpenAI Batch API on a real socket. Every recipient ends with one
//! message; no answer is settled twice; and the provider received each request in at most one
//! batch, apart from a batch whose submission a kill cut off (which the journal records and the
//! ledger charges as abandoned).

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use candor_engine::batch::{Event, BATCHES_FILE};
    use candor_engine::outbox::{Record, Status, RECORDS_FILE};
    use candor_store::{LedgerFilter, Outcome, SqliteOptions, SqliteStore, Store};
    use candor_testserver::{Reply, TestServer, UsageSpec};

    const CAMPAIGN: &str = r#"
ladder = ["careful", "template"]

[campaign]
name = "batch-crash"
type = "promotion"
send_date = "2026-12-01"
brief = "Our winter trail range is in: warm, waterproof, built for long days outside."
concurrency = 2
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
name = "everyone"
value_per_send = "0.30"
body = "Our winter range is in: warm, waterproof, ready for the trail."

# Three stages: three batch rounds, so the kills below land in every phase of each.
[tiers.careful]
per_recipient = ["subject", "opener"]
stages = [
  { name = "plan", model = "gpt-4.1-mini", max_output_tokens = 100 },
  { name = "draft", model = "gpt-4.1-mini", max_output_tokens = 100 },
  { name = "refine", model = "gpt-4.1-mini", max_output_tokens = 100 },
]
retries = 1
lift = "1.3"
context = { max_facts = 6, max_tokens = 200 }

[budget]
total = "5.00"
"#;

    const N: usize = 24;

    fn candor() -> Command {
        Command::new(env!("CARGO_BIN_EXE_candor"))
    }

    fn setup(dir: &Path, url: &str) {
        std::fs::write(dir.join("campaign.toml"), CAMPAIGN).unwrap();
        std::fs::write(
            dir.join("candor.toml"),
            format!(
                "store = \"candor.sqlite\"\n\n[providers.openai]\nkind = \"openai\"\n\
                 base_url = \"{url}/v1\"\napi_key_env = \"CANDOR_TEST_OPENAI_KEY\"\n\
                 models = [\"gpt-4.1-mini\"]\n"
            ),
        )
        .unwrap();
        let out = candor()
            .args([
                "demo-data",
                "--recipients",
                &N.to_string(),
                "--seed",
                "5",
                "-o",
            ])
            .arg(dir.join("recipients.jsonl"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn run_cmd(dir: &Path) -> Command {
        let mut c = candor();
        c.arg("run")
            .arg(dir.join("campaign.toml"))
            .arg("--recipients")
            .arg(dir.join("recipients.jsonl"))
            .arg("--out")
            .arg(dir.join("outbox"))
            .env("CANDOR_TEST_OPENAI_KEY", "sk-test-0123456789")
            .env("CANDOR_COMMIT_SECS", "0.2")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    }

    fn delay(i: u64) -> Duration {
        let seed = std::process::id() as u64 ^ (i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        Duration::from_millis(50 + (seed.wrapping_mul(2_862_933_555_777_941_757) >> 33) % 1_500)
    }

    #[test]
    fn sigkill_during_batches_and_resume_ten_times_no_loss_no_double_pay() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let server = rt.block_on(TestServer::start()).unwrap();
        server.set_default(Reply::ok_text(
            "Subject: Ready for winter trails\n\nOur warmest gear just landed, and we thought of you first.",
            UsageSpec {
                input: 400,
                output: 30,
                ..UsageSpec::default()
            },
        ));
        // Each batch runs 3 s: kills land while one runs as well as around it.
        server.set_batch_duration(Duration::from_secs(3));
        let dir = std::env::temp_dir().join(format!("candor-batch-crash-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        setup(&dir, &server.base_url());

        let mut kills = 0;
        let mut finished_early = false;
        for i in 0..10u64 {
            let mut child = run_cmd(&dir).spawn().unwrap();
            let d = delay(i);
            let start = Instant::now();
            let mut exited = false;
            while start.elapsed() < d {
                if child.try_wait().unwrap().is_some() {
                    exited = true;
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            if exited {
                finished_early = true;
                break;
            }
            child.kill().unwrap();
            child.wait().unwrap();
            kills += 1;
        }
        assert!(kills >= 10 || finished_early, "killed {kills} times");
        let status = run_cmd(&dir).status().unwrap();
        assert!(status.success());

        // One record per recipient, all sent from a batched answer, one message each.
        let records: Vec<Record> = std::fs::read_to_string(dir.join("outbox").join(RECORDS_FILE))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let mut by_id: HashMap<&str, usize> = HashMap::new();
        for r in &records {
            *by_id.entry(r.recipient_id.as_str()).or_default() += 1;
            assert_eq!(r.status, Status::Sent, "{r:?}");
            assert_eq!(r.tier.as_deref(), Some("careful"), "{r:?}");
        }
        assert_eq!(by_id.len(), N, "no recipient lost");
        assert!(by_id.values().all(|n| *n == 1), "no recipient twice");

        // What the journal says was cut off mid-submission (and so may be sent again).
        let mut cut_off: HashMap<String, usize> = HashMap::new();
        let mut items_of: HashMap<String, Vec<String>> = HashMap::new();
        for line in std::fs::read_to_string(dir.join("outbox").join(BATCHES_FILE))
            .unwrap()
            .lines()
        {
            match serde_json::from_str::<Event>(line) {
                Ok(Event::Prepared { key, items, .. }) => {
                    items_of.insert(key, items.into_iter().map(|i| i.id).collect());
                }
                Ok(Event::Abandoned { key }) => {
                    for id in items_of.get(&key).into_iter().flatten() {
                        *cut_off.entry(id.clone()).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
        // The provider's side: in how many created batches each request succeeded (what is
        // billed). A request that errored in one batch is retried in a later one, and a run
        // killed after uploading a batch's input file and before creating the batch uploads
        // it again on resume: neither is paid, so neither is counted.
        let mut sent: HashMap<String, usize> = HashMap::new();
        for ids in server.batched_ids() {
            for id in ids {
                *sent.entry(id).or_default() += 1;
            }
        }
        assert!(!sent.is_empty(), "the run used batches");
        for (id, n) in &sent {
            let allowed = 1 + cut_off.get(id).copied().unwrap_or(0);
            assert!(*n <= allowed, "{id} sent in {n} batches, {allowed} allowed");
        }
        let synchronous = server
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/chat/completions"))
            .count();
        assert_eq!(synchronous, 0, "every call went through a batch");

        // The ledger: each answer settled once; nothing left reserved; spend is the rows' sum.
        let store = SqliteStore::open(dir.join("candor.sqlite"), SqliteOptions::default()).unwrap();
        let rows = block_on(store.ledger(LedgerFilter::default())).unwrap();
        let ok = rows.iter().filter(|r| r.row.outcome == Outcome::Ok).count();
        assert_eq!(ok, sent.len(), "one settled answer per request sent");
        let st =
            block_on(store.status(candor_store::Scope::Campaign("batch-crash".into()))).unwrap();
        assert_eq!(
            st.reserved,
            candor_domain::Money::ZERO,
            "no reservation left open"
        );
        let total: candor_domain::Money = rows.iter().map(|r| r.row.cost).sum();
        assert_eq!(st.spent, total);
        drop(server);
        drop(rt);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The store's futures wait only on its own writer thread: poll to completion.
    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        use std::task::{Context, Poll, Waker};
        let mut cx = Context::from_waker(Waker::noop());
        let mut f = std::pin::pin!(f);
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}
