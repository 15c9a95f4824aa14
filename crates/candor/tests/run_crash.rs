//! `candor run` killed with SIGKILL at random points, then resumed, at least ten times: no
//! recipient gets two messages, none is lost, and no model call is paid twice.
//!
//! The local tier runs the real SmolLM2 model (fetched into the cache on first use), so every
//! kill can land mid-generation; the ledger must show at most one answered (`ok`) call per
//! answer the final record used — a repeat after a crash must come from the response cache.

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use candor_domain::{EmailAddress, Limits, Recipient};
    use candor_engine::outbox::{Record, Status, RECORDS_FILE};
    use candor_store::RecipientKey;

    const CAMPAIGN: &str = r#"
ladder = ["local", "template"]

[campaign]
name = "crash-test"
type = "promotion"
send_date = "2026-12-01"
brief = "Our winter trail range is in: warm, waterproof, built for long days outside."
concurrency = 1

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
value_per_send = "0.10"

[tiers.local]
max_output_tokens = 40
stages = [{ name = "write", model = "smollm2-135m-instruct-q4_1" }]
"#;

    const N: usize = 16;

    fn candor() -> Command {
        Command::new(env!("CARGO_BIN_EXE_candor"))
    }

    fn setup(dir: &Path) {
        std::fs::write(dir.join("campaign.toml"), CAMPAIGN).unwrap();
        let out = candor()
            .args([
                "demo-data",
                "--recipients",
                &N.to_string(),
                "--seed",
                "3",
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
            // Batches every 0.2 s, so the kills below land between commits as well as
            // mid-generation.
            .env("CANDOR_COMMIT_SECS", "0.2")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    }

    fn records_in(dir: &Path) -> Vec<Record> {
        std::fs::read_to_string(dir.join("outbox").join(RECORDS_FILE))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Every record once, every sent one pointing at a whole message, no other message.
    fn assert_outbox_consistent(dir: &Path) -> Vec<Record> {
        let records = records_in(dir);
        let mut ids: Vec<&str> = records.iter().map(|r| r.recipient_id.as_str()).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "no recipient twice");
        let sent: Vec<&Record> = records
            .iter()
            .filter(|r| r.status == Status::Sent)
            .collect();
        for r in &sent {
            let text =
                std::fs::read_to_string(dir.join("outbox").join(r.message_file.as_ref().unwrap()))
                    .unwrap();
            assert!(text.contains("List-Unsubscribe-Post"), "whole message");
        }
        assert_eq!(message_files(&dir.join("outbox")).len(), sent.len());
        records
    }

    #[test]
    fn ctrl_c_finishes_the_calls_in_flight_writes_them_and_resume_completes() {
        let dir = std::env::temp_dir().join(format!("candor-sigint-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        setup(&dir);
        let mut child = run_cmd(&dir).stderr(Stdio::piped()).spawn().unwrap();
        // Wait for the first committed batch: the run is under way.
        let start = Instant::now();
        while records_in(&dir).is_empty() && child.try_wait().unwrap().is_none() {
            assert!(start.elapsed() < Duration::from_secs(300), "no progress");
            std::thread::sleep(Duration::from_millis(20));
        }
        let finished = child.try_wait().unwrap().is_some();
        if !finished {
            let kill = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(kill.success());
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = assert_outbox_consistent(&dir);
        if !finished && first.len() < N {
            assert_eq!(out.status.code(), Some(130), "{stderr}");
            assert!(stderr.contains("interrupted:"), "{stderr}");
            assert!(
                stderr.contains("run the same command to continue"),
                "{stderr}"
            );
        }
        // The same command finishes the list; what the first run wrote stays as it was.
        let status = run_cmd(&dir).status().unwrap();
        assert!(status.success());
        let all = assert_outbox_consistent(&dir);
        assert_eq!(all.len(), N);
        for r in &first {
            let again = all
                .iter()
                .find(|a| a.recipient_id == r.recipient_id)
                .unwrap();
            assert_eq!(again, r);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A cheap pseudo-random delay, different on every kill.
    fn delay(i: u64) -> Duration {
        let seed = std::process::id() as u64 ^ (i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        Duration::from_millis(300 + (seed.wrapping_mul(2_862_933_555_777_941_757) >> 33) % 4_000)
    }

    #[test]
    fn sigkill_and_resume_ten_times_no_duplicate_no_loss_no_double_pay() {
        let dir = std::env::temp_dir().join(format!("candor-crash-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        setup(&dir);

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
                std::thread::sleep(Duration::from_millis(20));
            }
            if exited {
                finished_early = true;
                break;
            }
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
            kills += 1;
        }
        assert!(kills >= 10 || finished_early, "killed {kills} times");
        let status = run_cmd(&dir).status().unwrap();
        assert!(status.success());

        // Every recipient: exactly one record; every sent one: exactly one message file.
        let text = std::fs::read_to_string(dir.join("outbox").join(RECORDS_FILE)).unwrap();
        let records: Vec<Record> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for r in &records {
            *by_id.entry(r.recipient_id.clone()).or_default() += 1;
        }
        assert_eq!(by_id.len(), N, "no recipient lost");
        assert!(
            by_id.values().all(|n| *n == 1),
            "no recipient twice: {by_id:?}"
        );
        let sent = records.iter().filter(|r| r.status == Status::Sent).count();
        let emls = message_files(&dir.join("outbox")).len();
        assert_eq!(emls, sent, "one message per sent recipient, no leftovers");
        for r in records.iter().filter(|r| r.status == Status::Sent) {
            let file = dir.join("outbox").join(r.message_file.as_ref().unwrap());
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(
                text.contains("List-Unsubscribe-Post"),
                "{} is whole",
                file.display()
            );
        }

        // No call paid twice: answered calls per recipient ≤ the answers its email used.
        let people: HashMap<String, EmailAddress> =
            std::fs::read_to_string(dir.join("recipients.jsonl"))
                .unwrap()
                .lines()
                .map(|l| {
                    let r = Recipient::from_json(l, &Limits::default()).unwrap();
                    (r.id.as_str().to_string(), r.email)
                })
                .collect();
        let conn = rusqlite_free::open(&dir.join("candor.sqlite"));
        let salt = b"candor:crash-test";
        for r in &records {
            let key = RecipientKey::derive(salt, &people[&r.recipient_id]);
            let ok = conn(key.as_str());
            // Every answer the final run used was either gated or found empty (and retried);
            // a call paid again after a crash would be an answered call beyond those.
            let gated = r.gate.iter().filter(|g| g.tier == "local").count();
            let empty = r
                .findings
                .iter()
                .filter(|f| f.tier == "local" && f.kind == "empty_answer")
                .count();
            let used = (gated + empty) as i64;
            assert!(
                ok <= used,
                "{}: {ok} answered calls for {used} answers used ({gated} gated, {empty} empty)",
                r.recipient_id
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Counting answered calls through the store's public API (no SQL crate in this package).
    mod rusqlite_free {
        use std::path::Path;

        use candor_store::{LedgerFilter, Outcome, SqliteOptions, SqliteStore, Store};

        pub fn open(path: &Path) -> impl Fn(&str) -> i64 {
            let store = SqliteStore::open(path, SqliteOptions::default()).unwrap();
            let rows = futures_lite_block_on(store.ledger(LedgerFilter::default())).unwrap();
            move |key: &str| {
                rows.iter()
                    .filter(|e| e.row.outcome == Outcome::Ok)
                    .filter(|e| e.row.recipient.as_ref().is_some_and(|k| k.as_str() == key))
                    .count() as i64
            }
        }

        /// The store's `ledger` waits only on its own writer thread: poll it to completion.
        fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
            use std::task::{Context, Poll, Waker};
            let mut cx = Context::from_waker(Waker::noop());
            let mut f = std::pin::pin!(f);
            loop {
                if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                    return v;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
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
