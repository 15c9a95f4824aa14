//! `candor init`, `demo-data`, `estimate` and `run`'s options as a user runs them: the JSON
//! estimate deserializes into the documented format; bad input exits 2 naming the file and key.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output};

    use serde_json::Value;

    fn candor(args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_candor"))
            .args(args)
            .output()
            .expect("run candor")
    }

    /// A scratch directory, removed when the test ends (pass or fail).
    struct TempDir(PathBuf);

    impl std::ops::Deref for TempDir {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn tempdir(name: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!("candor-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }

    fn s(p: &Path) -> &str {
        p.to_str().unwrap()
    }

    #[test]
    fn init_then_estimate_json_is_the_documented_format() {
        let d = tempdir("est");
        let out = candor(&["init", s(&d)]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // init refuses to overwrite
        assert_eq!(candor(&["init", s(&d)]).status.code(), Some(2));

        let camp = d.join("campaign.toml");
        let recips = d.join("recipients.jsonl");
        // Add bad rows: they are quarantined, the estimate goes on.
        let mut text = std::fs::read_to_string(&recips).unwrap();
        text.push_str("{\"id\":\"bad1\",\"email\":\"nope\"}\n{not json\n");
        std::fs::write(&recips, text).unwrap();

        let out = candor(&["estimate", s(&camp), "--recipients", s(&recips), "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["format"], "candor.estimate/1");
        assert_eq!(v["input"]["accepted"], 200);
        assert_eq!(v["input"]["quarantined"], 2);
        let q = std::fs::read_to_string(d.join("recipients.jsonl.quarantine.jsonl")).unwrap();
        assert!(
            q.contains("\"line\":201") && q.contains("invalid_email") && q.contains("bad_json"),
            "{q}"
        );

        // Money is exact decimal text; the plan fits its budget; parts sum to the total.
        let money = |v: &Value| candor_domain::Money::parse_dollars(v.as_str().unwrap()).unwrap();
        let cost = money(&v["plan"]["cost"]);
        let budget = money(&v["plan"]["budget"]);
        assert!(cost <= budget, "{cost} > {budget}");
        let by_seg: candor_domain::Money = v["plan"]["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| money(&s["cost"]))
            .sum();
        assert_eq!(by_seg, cost);
        assert!(money(&v["naive"]["cost"]) > cost);
        assert!(v["options"].as_array().unwrap().len() >= 4 * 4);

        // Human output mentions the naive baseline and the price table's date.
        let out = candor(&["estimate", s(&camp), "-r", s(&recips)]);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("Naive baseline") && text.contains("prices effective 2026-07-01"),
            "{text}"
        );
    }

    #[test]
    fn campaign_errors_name_the_file_and_key_path() {
        let d = tempdir("bad");
        assert!(candor(&["init", s(&d)]).status.success());
        let camp = d.join("campaign.toml");
        let text = std::fs::read_to_string(&camp)
            .unwrap()
            .replace("model = \"gpt-4.1-mini\"", "model = \"gpt-9-imaginary\"");
        std::fs::write(&camp, text).unwrap();
        let out = candor(&["estimate", s(&camp), "-r", s(&d.join("recipients.jsonl"))]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("gpt-9-imaginary") && err.contains("no price"),
            "{err}"
        );

        let out = candor(&["estimate", s(&camp), "-r", "/nonexistent/list.csv"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/list.csv"));

        let text = std::fs::read_to_string(&camp)
            .unwrap()
            .replace("[budget]\n", "[budget]\nttotal = \"1\"\n");
        std::fs::write(&camp, text).unwrap();
        let out = candor(&["estimate", s(&camp), "-r", s(&d.join("recipients.jsonl"))]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("campaign.toml") && err.contains("budget.ttotal"),
            "{err}"
        );
    }

    /// Settle a paid call of `cost` dollars for `segment` of the example campaign in the store.
    async fn spend(store: &candor_store::SqliteStore, campaign: &str, segment: &str, cost: &str) {
        use candor_store::{AttemptLabel, Attribution, LedgerRow, Outcome, Store};
        let a = Attribution::new(campaign, segment);
        let cost = candor_domain::Money::parse_dollars(cost).unwrap();
        let id = store
            .reserve(
                &a,
                cost,
                std::time::Duration::from_secs(60),
                &AttemptLabel::default(),
            )
            .await
            .unwrap();
        let row = LedgerRow {
            at_ms: 1,
            attribution: a,
            tier: "deep".into(),
            stage: "draft".into(),
            recipient: None,
            provider: "openai".into(),
            model: "gpt-4.1".into(),
            usage: candor_domain::Usage::default(),
            usage_reported: true,
            cost,
            reserved: cost,
            latency_ms: 1,
            compute_ms: None,
            attempt: 1,
            outcome: Outcome::Ok,
            gate: None,
            detail: None,
        };
        store.settle(id, row).await.unwrap();
    }

    /// The estimate plans as `candor run` does: within what earlier runs left of the budgets
    /// (read from the store named in candor.toml, which is left as it was), unless asked not to.
    #[test]
    fn estimate_plans_within_what_earlier_runs_left() {
        let d = tempdir("est-left");
        assert!(candor(&["init", s(&d)]).status.success());
        let camp = d.join("campaign.toml");
        let recips = d.join("recipients.jsonl");
        // Without the cost-per-1,000 target, the sample list's plan budget is the campaign's.
        let text = std::fs::read_to_string(&camp).unwrap();
        std::fs::write(&camp, text.replace("cost_per_1000 = \"4.00\"", "")).unwrap();
        let plan_budget = |extra: &[&str]| -> (String, Vec<String>) {
            let mut args = vec!["estimate", s(&camp), "-r", s(&recips), "--json"];
            args.extend_from_slice(extra);
            let out = candor(&args);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            let notes = v["plan"]["notes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap().to_string())
                .collect();
            (v["plan"]["budget"].as_str().unwrap().to_string(), notes)
        };
        let (fresh, notes) = plan_budget(&[]);
        assert_eq!(fresh, "40.00");
        assert!(
            !notes.iter().any(|n| n.contains("earlier runs")),
            "{notes:?}"
        );
        assert!(
            !d.join("candor.sqlite").exists(),
            "an estimate creates no store"
        );

        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = candor_store::SqliteStore::open(
                d.join("candor.sqlite"),
                candor_store::SqliteOptions::default(),
            )
            .unwrap();
            spend(&store, "winter-trail-2026", "loyal-buyers", "20.00").await;
            spend(&store, "winter-trail-2026", "browsers", "16.50").await;
            // Another campaign's spend is its own.
            spend(&store, "spring-2027", "browsers", "9.00").await;
        });
        let ledger = std::fs::metadata(d.join("candor.sqlite")).unwrap().len();
        let (left, notes) = plan_budget(&[]);
        assert_eq!(left, "3.50");
        let note = notes
            .iter()
            .find(|n| n.contains("earlier runs spent"))
            .unwrap_or_else(|| panic!("{notes:?}"));
        assert!(
            note.contains("$36.5000 of campaign")
                && note.contains("$20.0000 of segment `loyal-buyers`"),
            "{note}"
        );
        let (full, _) = plan_budget(&["--full-budgets"]);
        assert_eq!(full, "40.00");
        assert_eq!(
            std::fs::metadata(d.join("candor.sqlite")).unwrap().len(),
            ledger
        );

        // A global budget in candor.toml holds the plan too: $50 less every campaign's $45.50.
        let settings = d.join("candor.toml");
        let text = std::fs::read_to_string(&settings).unwrap();
        std::fs::write(&settings, format!("global_budget = \"50.00\"\n{text}")).unwrap();
        let (global, notes) = plan_budget(&["--full-budgets"]);
        assert_eq!(
            global, "40.00",
            "nothing spent as far as --full-budgets goes"
        );
        assert!(
            notes.iter().all(|n| !n.contains("earlier runs")),
            "{notes:?}"
        );
        let (global, notes) = plan_budget(&[]);
        assert_eq!(global, "3.50", "campaign left < global left: {notes:?}");
        std::fs::write(&settings, format!("global_budget = \"46.00\"\n{text}")).unwrap();
        let (global, notes) = plan_budget(&[]);
        assert_eq!(global, "0.50", "{notes:?}");
        assert!(
            notes
                .iter()
                .any(|n| n.contains("$45.5000 of the $46.0000 global budget")),
            "{notes:?}"
        );

        // A file that is not a store is named, with the way around it.
        std::fs::write(d.join("candor.sqlite"), vec![b'x'; 4096]).unwrap();
        let _ = std::fs::remove_file(d.join("candor.sqlite-wal"));
        let _ = std::fs::remove_file(d.join("candor.sqlite-shm"));
        let out = candor(&["estimate", s(&camp), "-r", s(&recips)]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("candor.sqlite") && err.contains("--full-budgets"),
            "{err}"
        );
    }

    /// `--tiers` restricts the ladder: the template floor alone needs no provider and no key;
    /// a tier that is not in the ladder, or a list without the floor, is refused before anything
    /// is written.
    #[test]
    fn run_tiers_restricts_the_ladder() {
        let d = tempdir("run-tiers");
        assert!(candor(&["init", s(&d)]).status.success());
        let camp = d.join("campaign.toml");
        let recips = d.join("recipients.jsonl");
        let out = d.join("outbox");
        let run = |extra: &[&str]| {
            let mut args = vec!["run", s(&camp), "-r", s(&recips), "--out", s(&out)];
            args.extend_from_slice(extra);
            Command::new(env!("CARGO_BIN_EXE_candor"))
                .args(&args)
                .env_remove("OPENAI_API_KEY")
                .env_remove("ANTHROPIC_API_KEY")
                .output()
                .expect("run candor")
        };
        for (tiers, says) in [
            ("standard,tmpl", "`tmpl` is not a tier of this campaign"),
            (
                "deep,standard",
                "the floor `template` must be one of the tiers",
            ),
        ] {
            let o = run(&["--tiers", tiers]);
            assert_eq!(o.status.code(), Some(2), "{tiers}");
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                err.contains(says) && err.contains("deep, standard, local, template"),
                "{err}"
            );
            assert!(!out.exists(), "nothing is written for a refused run");
        }
        // The whole ladder needs the providers' keys...
        let o = run(&[]);
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("_API_KEY` is not set"));
        // ...the template floor alone needs none.
        let o = run(&["--tiers", "template", "--concurrency", "3", "--json"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["sent"], 200, "{v}");
        assert_eq!(v["tier_mix"]["template"], 200, "{v}");
        assert_eq!(v["calls"], 0, "{v}");
    }

    #[test]
    fn demo_data_is_deterministic_per_seed() {
        let a = candor(&["demo-data", "--recipients", "300", "--seed", "5"]);
        let b = candor(&["demo-data", "--recipients", "300", "--seed", "5"]);
        let c = candor(&[
            "demo-data",
            "--recipients",
            "300",
            "--seed",
            "6",
            "--format",
            "csv",
        ]);
        assert!(a.status.success() && c.status.success());
        assert_eq!(a.stdout, b.stdout);
        assert_eq!(String::from_utf8(a.stdout).unwrap().lines().count(), 300);
        assert_eq!(
            String::from_utf8(c.stdout).unwrap().lines().count(),
            301,
            "header + rows"
        );
    }
}
