//! The audit against a real ledger table: totals equal the sum of rows, incremental refreshes
//! equal one full refresh, young gaps wait, sends are counted once.

// Helpers unwrap freely: a test module, so the workspace lints allow it.
#[cfg(test)]
mod tests {
    use candor_audit::{Audit, GateCheck, SendRow};
    use candor_domain::Money;
    use rusqlite::{params, Connection};

    /// The ledger columns the audit reads, as candor-store creates them.
    const LEDGER: &str = "CREATE TABLE IF NOT EXISTS ledger (
        id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, campaign TEXT NOT NULL, segment TEXT NOT NULL,
        send_id TEXT, batch_id TEXT, tier TEXT NOT NULL, stage TEXT NOT NULL, recipient_key TEXT,
        provider TEXT NOT NULL, model TEXT NOT NULL, input_tokens INTEGER NOT NULL,
        cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
        usage_reported INTEGER NOT NULL, cost_picos INTEGER NOT NULL, reserved_picos INTEGER NOT NULL,
        latency_ms INTEGER NOT NULL, attempt INTEGER NOT NULL, outcome TEXT NOT NULL,
        gate_verdict TEXT, detail TEXT);";

    struct Row {
        id: i64,
        at_ms: i64,
        campaign: &'static str,
        segment: &'static str,
        tier: &'static str,
        stage: &'static str,
        model: &'static str,
        input: i64,
        cached: i64,
        output: i64,
        cost: i64,
        latency: i64,
        attempt: i64,
        outcome: &'static str,
    }

    fn insert(conn: &Connection, r: &Row) {
        conn.execute(
            "INSERT INTO ledger (id, at_ms, campaign, segment, tier, stage, provider, model, \
             input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, \
             usage_reported, cost_picos, reserved_picos, latency_ms, attempt, outcome) \
             VALUES (?1,?2,?3,?4,?5,?6,'p',?7,?8,?9,0,?10,0,1,?11,?11,?12,?13,?14)",
            params![
                r.id, r.at_ms, r.campaign, r.segment, r.tier, r.stage, r.model, r.input, r.cached,
                r.output, r.cost, r.latency, r.attempt, r.outcome
            ],
        )
        .unwrap();
    }

    fn row(id: i64) -> Row {
        Row {
            id,
            at_ms: 1_000,
            campaign: if id % 3 == 0 { "spring" } else { "winter" },
            segment: if id % 2 == 0 { "loyal" } else { "new" },
            tier: ["deep", "standard", "local", "template"][(id % 4) as usize],
            stage: if id % 4 == 0 { "plan" } else { "draft" },
            model: if id % 4 == 2 {
                "local-qwen"
            } else {
                "gpt-4o-mini"
            },
            input: 100 + id,
            cached: if id % 5 == 0 { 50 } else { 0 },
            output: 20 + id % 7,
            cost: 1_000 * id,
            latency: 10 * id,
            attempt: if id % 10 == 0 { 2 } else { 1 },
            outcome: match id % 20 {
                0 => "timeout",
                1 => "cache_hit",
                _ => "ok",
            },
        }
    }

    fn setup() -> (tempfile::TempDir, std::path::PathBuf, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(LEDGER).unwrap();
        // Test data needs no durability; without this every insert waits for the disk.
        conn.pragma_update(None, "synchronous", "OFF").unwrap();
        (dir, path, conn)
    }

    #[test]
    fn totals_equal_the_sum_of_rows_and_increments_equal_one_pass() {
        let (_d, path, conn) = setup();
        for id in 1..=200 {
            insert(&conn, &row(id));
        }
        let mut a = Audit::open(&path).unwrap();
        let s = a.refresh().unwrap();
        assert_eq!(s.ledger_rows, 200);
        let once = a.report(None).unwrap();
        let expected: i64 = (1..=200).map(|i| 1_000 * i).sum();
        assert_eq!(once.totals.spend, Money::from_picos(expected.into()));
        assert_eq!(once.totals.calls, 200);
        let by_tier: Money = once.by_tier.iter().map(|g| g.spend).sum();
        assert_eq!(by_tier, once.totals.spend);
        assert_eq!(once.outcomes["timeout"], 10);
        assert_eq!(once.cache.response_hits, 10);
        assert!(once.cache.response_savings > Money::ZERO);
        assert_eq!(once.rates.call_retry_rate, Some(20.0 / 200.0));

        // Same rows folded in three refreshes.
        let (_d2, path2, conn2) = setup();
        let mut b = Audit::open(&path2).unwrap();
        for chunk in [1..=50, 51..=51, 52..=200] {
            for id in chunk {
                insert(&conn2, &row(id));
            }
            b.refresh().unwrap();
        }
        assert_eq!(b.refresh().unwrap().ledger_rows, 0, "nothing twice");
        let inc = b.report(None).unwrap();
        assert_eq!(inc, once);

        let spring = a.report(Some("spring")).unwrap();
        let expected: i64 = (1..=200).filter(|i| i % 3 == 0).map(|i| 1_000 * i).sum();
        assert_eq!(spring.totals.spend, Money::from_picos(expected.into()));
        assert_eq!(spring.by_campaign.len(), 1);
    }

    /// Local calls' compute time is summed per tier and in the totals; a ledger written before
    /// the column existed is given it on open.
    #[test]
    fn compute_time_is_rolled_up_by_tier() {
        let (_d, path, conn) = setup();
        for id in 1..=40 {
            insert(&conn, &row(id));
        }
        let mut a = Audit::open(&path).unwrap();
        conn.execute(
            "UPDATE ledger SET compute_ms = id * 5 WHERE tier = 'local'",
            [],
        )
        .unwrap();
        a.refresh().unwrap();
        let r = a.report(None).unwrap();
        let want: u64 = (1..=40u64).filter(|i| i % 4 == 2).map(|i| i * 5).sum();
        let local = r.by_tier.iter().find(|g| g.key == "local").unwrap();
        assert_eq!(local.compute_ms, want);
        assert_eq!(r.totals.compute_ms, want);
        let deep = r.by_tier.iter().find(|g| g.key == "deep").unwrap();
        assert_eq!(deep.compute_ms, 0);
        assert!(
            r.render_text().contains("in-process compute"),
            "{}",
            r.render_text()
        );
        drop(a);

        // A rollup made by an earlier candor (no compute column) is folded again, once.
        conn.execute_batch("ALTER TABLE audit_calls DROP COLUMN compute_ms")
            .unwrap();
        let mut again = Audit::open(&path).unwrap();
        again.refresh().unwrap();
        let r2 = again.report(None).unwrap();
        assert_eq!(r2.totals.compute_ms, want);
        assert_eq!(r2.totals.calls, 40, "rows are not counted twice");
        assert_eq!(r2, r);
    }

    #[test]
    fn percentiles_are_upper_bounds_close_to_exact() {
        let (_d, path, conn) = setup();
        for id in 1..=1000 {
            let mut r = row(id);
            r.outcome = "ok";
            r.cached = 0;
            insert(&conn, &r);
        }
        let mut a = Audit::open(&path).unwrap();
        a.refresh().unwrap();
        let rep = a.report(None).unwrap();
        // input = 100 + id: exact p50 is 600.
        let p50 = rep.tokens_in.p50.unwrap();
        assert!((600..=600 + 600 / 32).contains(&p50), "{p50}");
        let p99 = rep.latency_ms.p99.unwrap();
        assert!((9_900..=9_900 + 9_900 / 32).contains(&p99), "{p99}");
        assert_eq!(rep.tokens_out.n, 1000);
    }

    #[test]
    fn a_young_gap_waits_an_old_gap_is_skipped() {
        let (_d, path, conn) = setup();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        insert(&conn, &row(1));
        let mut r3 = row(3);
        r3.at_ms = now;
        insert(&conn, &r3);
        let mut a = Audit::open(&path).unwrap();
        let s = a.refresh().unwrap();
        assert_eq!(
            (s.ledger_rows, s.ledger_watermark, s.stopped_at_gap),
            (1, 1, true)
        );
        insert(&conn, &row(2));
        let s = a.refresh().unwrap();
        assert_eq!((s.ledger_rows, s.ledger_watermark), (2, 3));
        // An old gap (id 4 missing, row 5 old) does not block.
        insert(&conn, &row(5));
        let s = a.refresh().unwrap();
        assert_eq!((s.ledger_rows, s.ledger_watermark), (1, 5));
    }

    #[test]
    fn sends_are_counted_once_and_feed_gate_and_rates() {
        let (_d, path, _conn) = setup();
        let mut a = Audit::open(&path).unwrap();
        let send = |id: &str, tier: &str, gate: Vec<GateCheck>, fallbacks: u32| SendRow {
            campaign: "winter".into(),
            recipient: id.into(),
            segment: "loyal".into(),
            planned_tier: "local".into(),
            tier: tier.into(),
            sent: true,
            reason: String::new(),
            cost: Money::ZERO,
            calls: 1,
            fallbacks,
            degraded: false,
            gate,
        };
        let fail = |t: &str, k: &str| GateCheck {
            tier: t.into(),
            pass: false,
            kinds: vec![k.into()],
        };
        let pass = |t: &str| GateCheck {
            tier: t.into(),
            pass: true,
            kinds: vec![],
        };
        let rows = vec![
            send("a", "local", vec![pass("local")], 0),
            send(
                "b",
                "template",
                vec![
                    fail("local", "grounding"),
                    fail("local", "grounding"),
                    pass("template"),
                ],
                1,
            ),
            SendRow {
                sent: false,
                reason: "no_consent".into(),
                tier: String::new(),
                ..send("c", "", vec![], 0)
            },
        ];
        assert_eq!(a.log_sends(&rows).unwrap(), 3);
        assert_eq!(
            a.log_sends(&rows).unwrap(),
            0,
            "a resumed run logs again: ignored"
        );
        a.record_plan("winter", Money::from_cents(10), 3).unwrap();
        a.refresh().unwrap();
        let r = a.report(None).unwrap();
        assert_eq!(r.totals.sends, 2);
        assert_eq!(r.totals.skipped, 1);
        assert_eq!(r.skips["no_consent"], 1);
        assert_eq!(r.tier_mix["template"], 1);
        assert_eq!(r.rates.fallback_rate, Some(0.5));
        assert_eq!(r.rates.send_retry_rate, Some(0.5));
        let local = r.gate.iter().find(|g| g.tier == "local").unwrap();
        assert_eq!((local.checks, local.passes), (3, 1));
        assert_eq!(local.findings["grounding"], 2);
        assert_eq!(r.plan[0].planned, Money::from_cents(10));
        let json = serde_json::to_string(&r).unwrap();
        let back: candor_audit::Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        assert!(r.render_text().contains("gate by tier"));
    }

    #[test]
    fn a_file_without_a_ledger_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        Connection::open(&path).unwrap();
        assert!(matches!(
            Audit::open(&path),
            Err(candor_audit::AuditError::NoLedger(_))
        ));
    }
}
