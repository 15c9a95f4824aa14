//! `candor audit` as a user runs it: JSON output deserializes into the documented report;
//! a missing store is a user error (exit 2) with a hint.

#[cfg(test)]
mod tests {
    use std::process::Command;

    use candor_audit::{Audit, GateCheck, Report, SendRow};
    use candor_domain::Money;

    fn candor() -> Command {
        Command::new(env!("CARGO_BIN_EXE_candor"))
    }

    #[test]
    fn audit_json_deserializes_and_missing_store_is_a_user_error() {
        // No tempfile crate here: a directory unique to this process.
        let dir = std::env::temp_dir().join(format!("candor-audit-cli-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("candor.sqlite");
        {
            let conn = rusqlite_free_store(&db);
            drop(conn);
        }
        let mut a = Audit::open(&db).unwrap();
        a.log_sends(&[SendRow {
            campaign: "winter".into(),
            recipient: "k1".into(),
            segment: "all".into(),
            planned_tier: "local".into(),
            tier: "local".into(),
            sent: true,
            reason: String::new(),
            cost: Money::ZERO,
            calls: 1,
            fallbacks: 0,
            degraded: false,
            gate: vec![GateCheck {
                tier: "local".into(),
                pass: true,
                kinds: vec![],
            }],
        }])
        .unwrap();
        a.record_plan("winter", Money::ZERO, 1).unwrap();
        drop(a);
        let out = candor()
            .args(["audit", "--json", "--store"])
            .arg(&db)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r: Report = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r.version, candor_audit::REPORT_VERSION);
        assert_eq!(r.totals.sends, 1);
        assert_eq!(r.tier_mix["local"], 1);

        let text = candor()
            .args(["audit", "--store"])
            .arg(&db)
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&text.stdout).contains("gate by tier"));

        let missing = candor()
            .args(["audit", "--store"])
            .arg(dir.join("nope.sqlite"))
            .output()
            .unwrap();
        assert_eq!(missing.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&missing.stderr).contains("hint:"));

        // `--config` finds the store the config names, relative to the config's directory.
        let sub = dir.join("conf");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("candor.toml"), "store = \"../candor.sqlite\"\n").unwrap();
        let via_config = candor()
            .args(["audit", "--json", "--config"])
            .arg(sub.join("candor.toml"))
            .output()
            .unwrap();
        assert!(
            via_config.status.success(),
            "{}",
            String::from_utf8_lossy(&via_config.stderr)
        );
        let r: Report = serde_json::from_slice(&via_config.stdout).unwrap();
        assert_eq!(r.totals.sends, 1);
        // Without flags, `candor.toml` in the current directory names the store, as it does
        // for `candor run` on a campaign beside it.
        let here = candor()
            .args(["audit", "--json"])
            .current_dir(&sub)
            .env_remove("CANDOR_STORE")
            .env_remove("CANDOR_CONFIG")
            .output()
            .unwrap();
        assert!(
            here.status.success(),
            "{}",
            String::from_utf8_lossy(&here.stderr)
        );
        let r: Report = serde_json::from_slice(&here.stdout).unwrap();
        assert_eq!(r.totals.sends, 1);
        // A config that does not parse is a user error naming the file.
        std::fs::write(sub.join("bad.toml"), "stor = 1\n").unwrap();
        let bad = candor()
            .args(["audit", "--config"])
            .arg(sub.join("bad.toml"))
            .output()
            .unwrap();
        assert_eq!(bad.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&bad.stderr).contains("bad.toml"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A store with its ledger table, made the way `candor run` makes it.
    fn rusqlite_free_store(path: &std::path::Path) -> candor_store::SqliteStore {
        candor_store::SqliteStore::open(path, candor_store::SqliteOptions::default()).unwrap()
    }
}
