//! `candor init`, `demo-data` and `estimate` as a user runs them: the JSON estimate
//! deserializes into the documented format; bad input exits 2 naming the file and key.

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
