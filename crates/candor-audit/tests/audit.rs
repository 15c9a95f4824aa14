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

    /// The costliest minute stands out against the median one, with its retries and failures;
    /// folding in several refreshes gives the same minutes as one pass.
    #[test]
    fn the_costliest_minutes_are_found_against_the_median() {
        const MIN: i64 = 60_000;
        let t0 = 29_941_754 * MIN; // 2026-12-05 21:14 UTC
        let (_d, path, conn) = setup();
        let mut a = Audit::open(&path).unwrap();
        let mut id = 0;
        let mut add = |minute: i64, cost: i64, attempt: i64, outcome: &'static str| {
            id += 1;
            let mut r = row(id);
            r.campaign = "winter";
            r.at_ms = t0 + minute * MIN + id % 50_000;
            r.cost = cost;
            r.attempt = attempt;
            r.outcome = outcome;
            insert(&conn, &r);
        };
        // Ten quiet minutes of 4 calls at 1,000 picodollars each...
        for m in 0..10 {
            for _ in 0..4 {
                add(m, 1_000, 1, "ok");
            }
        }
        // ...and minute 7 also pays for a retry storm: 20 retries, 5 timeouts.
        for _ in 0..20 {
            add(7, 2_000, 2, "ok");
        }
        for _ in 0..5 {
            add(7, 0, 2, "timeout");
        }
        a.refresh().unwrap();
        // A late row in an earlier minute, folded by a second refresh.
        add(3, 500, 1, "ok");
        a.refresh().unwrap();

        let r = a.report(Some("winter")).unwrap();
        let sp = &r.spikes;
        assert_eq!(sp.minutes, 10);
        assert_eq!(sp.median_minute_spend, Some(Money::from_picos(4_000)));
        let peak = &sp.peak_minutes[0];
        assert_eq!(peak.minute, "2026-12-05T21:21Z");
        assert_eq!(peak.spend, Money::from_picos(44_000));
        assert_eq!((peak.calls, peak.retries, peak.failed), (29, 25, 5));
        assert_eq!(peak.times_median, Some(11.0));
        assert_eq!(sp.peak_minutes[1].spend, Money::from_picos(4_500));
        assert_eq!(sp.peak_minutes.len(), candor_audit::SPIKES_SHOWN);
        let text = r.render_text();
        assert!(
            text.contains("2026-12-05 21:21") && text.contains("11.0x median"),
            "{text}"
        );

        // The same rows in one pass.
        let (_d2, path2, conn2) = setup();
        drop(conn2);
        // Opened first, so both ledgers have the columns the audit adds.
        let mut b = Audit::open(&path2).unwrap();
        conn.execute("ATTACH DATABASE ?1 AS other", [path2.to_str().unwrap()])
            .unwrap();
        conn.execute("INSERT INTO other.ledger SELECT * FROM main.ledger", [])
            .unwrap();
        b.refresh().unwrap();
        assert_eq!(b.report(Some("winter")).unwrap().spikes, r.spikes);
    }

    /// The costliest emails are kept across refreshes and campaigns, each once, costliest first.
    #[test]
    fn the_costliest_sends_are_listed_once_each() {
        let (_d, path, _conn) = setup();
        let mut a = Audit::open(&path).unwrap();
        let send = |campaign: &str, i: u32, cost: i64| {
            let skipped = i.is_multiple_of(7);
            SendRow {
                campaign: campaign.into(),
                recipient: format!("r{i:03}"),
                segment: "loyal".into(),
                planned_tier: "deep".into(),
                tier: if skipped {
                    String::new()
                } else {
                    "deep".into()
                },
                sent: !skipped,
                reason: if skipped {
                    "gate".into()
                } else {
                    String::new()
                },
                cost: Money::from_picos(cost.into()),
                calls: i % 5,
                fallbacks: i % 3,
                degraded: false,
                gate: vec![],
            }
        };
        // Costs are a scrambled permutation, logged in batches of 10 with a refresh after each.
        let cost = |i: u32| i64::from((i * 37) % 101) * 1_000;
        let rows: Vec<SendRow> = (0..100).map(|i| send("winter", i, cost(i))).collect();
        for chunk in rows.chunks(10) {
            a.log_sends(chunk).unwrap();
            a.refresh().unwrap();
        }
        // A resumed run logs the costliest again: still listed once.
        a.log_sends(&rows[..30]).unwrap();
        a.log_sends(&[send("spring", 1, 1_000)]).unwrap();
        a.refresh().unwrap();

        let r = a.report(Some("winter")).unwrap();
        let mut want: Vec<(i64, String)> =
            (0..100).map(|i| (cost(i), format!("r{i:03}"))).collect();
        want.sort_by(|x, y| y.cmp(x));
        let got: Vec<(i64, String)> = r
            .spikes
            .costliest_sends
            .iter()
            .map(|c| (c.cost.picos() as i64, c.recipient.clone()))
            .collect();
        assert_eq!(got, want[..candor_audit::SPIKES_SHOWN].to_vec());
        let top = &r.spikes.costliest_sends[0];
        let i: u32 = top.recipient[1..].parse().unwrap();
        assert_eq!(
            (top.calls, top.fallbacks),
            (u64::from(i % 5), u64::from(i % 3))
        );
        assert!(r
            .spikes
            .costliest_sends
            .iter()
            .all(|c| c.campaign == "winter"));
        assert!(
            r.render_text().contains("costliest emails"),
            "{}",
            r.render_text()
        );
        let spring = a.report(Some("spring")).unwrap();
        assert_eq!(spring.spikes.costliest_sends.len(), 1);
    }

    /// A rollup made before the spike tables existed is folded again on open: the spikes are
    /// filled in and nothing is counted twice.
    #[test]
    fn a_rollup_from_before_spikes_is_folded_again() {
        let (_d, path, conn) = setup();
        for id in 1..=60 {
            let mut r = row(id);
            r.at_ms = 1_000 + id * 20_000;
            insert(&conn, &r);
        }
        let mut a = Audit::open(&path).unwrap();
        a.log_sends(&[SendRow {
            campaign: "winter".into(),
            recipient: "r1".into(),
            segment: "loyal".into(),
            planned_tier: "deep".into(),
            tier: "deep".into(),
            sent: true,
            reason: String::new(),
            cost: Money::from_picos(9_000),
            calls: 2,
            fallbacks: 0,
            degraded: false,
            gate: vec![],
        }])
        .unwrap();
        a.refresh().unwrap();
        let fresh = a.report(None).unwrap();
        assert_eq!(fresh.spikes.minutes, 21);
        assert_eq!(fresh.spikes.costliest_sends.len(), 1);
        drop(a);

        conn.execute_batch("DROP TABLE audit_timeline; DROP TABLE audit_top_sends")
            .unwrap();
        let mut again = Audit::open(&path).unwrap();
        again.refresh().unwrap();
        assert_eq!(again.report(None).unwrap(), fresh);
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
