//! The incremental fold of new ledger and send rows into the `audit_*` rollup tables.
//!
//! One sequential pass over the rows past the watermark, with the text columns interned to small
//! integers so the hot loop allocates nothing per row; then one transaction that adds the
//! partial sums to the stored ones and moves the watermarks.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use foldhash::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use crate::hist::FlatHistogram;
use crate::{now_ms, AuditError, GAP_GRACE_MS};

/// What one refresh folded in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RefreshStats {
    pub ledger_rows: u64,
    pub send_rows: u64,
    /// Ledger watermark after the refresh (highest id folded in).
    pub ledger_watermark: i64,
    /// True when a young gap in ledger ids stopped the fold early (a live run is writing).
    pub stopped_at_gap: bool,
}

/// The costliest sends kept per campaign (the report shows the first few).
pub(crate) const TOP_SENDS_KEPT: usize = 10;

/// Histogram metrics, in storage order.
pub(crate) const METRICS: [&str; 3] = ["input_tokens", "output_tokens", "latency_ms"];

#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    #[inline]
    fn get(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), i);
        i
    }
}

/// [`crate::GateCheck`] borrowed from its JSON text (escaped strings are unescaped owned).
#[derive(serde::Deserialize)]
struct GateCheckRef<'a> {
    #[serde(borrow)]
    tier: std::borrow::Cow<'a, str>,
    pass: bool,
    #[serde(default, borrow)]
    kinds: Vec<std::borrow::Cow<'a, str>>,
}

#[derive(Default, Clone, Copy)]
struct CallSums {
    calls: i64,
    retries: i64,
    cost: i128,
    reserved: i128,
    input: i64,
    cached: i64,
    cache_write: i64,
    output: i64,
    reasoning: i64,
    latency: i64,
    compute: i64,
}

/// One minute of one campaign's calls.
#[derive(Default, Clone, Copy)]
struct MinuteSums {
    calls: i64,
    cost: i128,
    retries: i64,
    failed: i64,
}

fn add_minute(to: &mut MinuteSums, from: &MinuteSums) {
    to.calls += from.calls;
    to.cost += from.cost;
    to.retries += from.retries;
    to.failed += from.failed;
}

/// A send that may be among its campaign's costliest: ordered by cost, then recipient.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct CostlyCandidate {
    cost: i64,
    recipient: String,
    segment: u32,
    tier: u32,
    calls: i64,
    fallbacks: i64,
}

#[derive(Default, Clone, Copy)]
struct SendSums {
    sends: i64,
    cost: i128,
    calls: i64,
    fallbacks: i64,
    degraded: i64,
    retried: i64,
}

fn watermark(conn: &Connection, key: &str) -> Result<i64, AuditError> {
    Ok(conn
        .query_row(
            "SELECT value FROM audit_meta WHERE key = ?1",
            params![key],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Whether an outcome is a real provider call with usage worth a token percentile.
fn is_answered(outcome: &str) -> bool {
    outcome == "ok"
}

/// Whether an outcome went to a provider (so its latency means something).
fn is_provider_call(outcome: &str) -> bool {
    !matches!(
        outcome,
        "cache_hit" | "refused_by_budget" | "abandoned" | "cancelled"
    )
}

pub(crate) fn refresh(conn: &mut Connection) -> Result<RefreshStats, AuditError> {
    let ledger_w = watermark(conn, "ledger_watermark")?;
    let sends_w = watermark(conn, "sends_watermark")?;
    let now = now_ms();

    // Interned columns: 0 campaign, 1 segment, 2 tier, 3 stage, 4 provider, 5 model, 6 outcome.
    let mut strings = Interner::default();
    let mut groups: HashMap<[u32; 7], CallSums> = HashMap::default();
    let mut hists: HashMap<u32, [FlatHistogram; 3]> = HashMap::default();
    let mut minutes: HashMap<(u32, i64), MinuteSums> = HashMap::default();
    let mut current: Vec<Option<(i64, MinuteSums)>> = Vec::new();
    let mut stats = RefreshStats {
        ledger_watermark: ledger_w,
        ..RefreshStats::default()
    };
    {
        let mut st = conn.prepare(
            "SELECT id, at_ms, campaign, segment, tier, stage, provider, model, outcome, \
             input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, \
             reasoning_tokens, cost_picos, reserved_picos, latency_ms, attempt, \
             coalesce(compute_ms, 0) \
             FROM ledger WHERE id > ?1 ORDER BY id",
        )?;
        let mut rows = st.query(params![ledger_w])?;
        let mut expected = ledger_w + 1;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if id != expected {
                let at_ms: i64 = r.get(1)?;
                if now - at_ms < GAP_GRACE_MS {
                    stats.stopped_at_gap = true;
                    break;
                }
            }
            expected = id + 1;
            let mut key = [0u32; 7];
            for (k, col) in key.iter_mut().zip(2..9) {
                *k = strings.get(r.get_ref(col)?.as_str()?);
            }
            let outcome = &strings.names[key[6] as usize];
            let answered = is_answered(outcome);
            let provider_call = is_provider_call(outcome);
            let input: i64 = r.get(9)?;
            let cached: i64 = r.get(10)?;
            let cache_write: i64 = r.get(11)?;
            let output: i64 = r.get(12)?;
            let latency: i64 = r.get(16)?;
            let retry = i64::from(r.get::<_, i64>(17)? > 1);
            let cost = i128::from(r.get::<_, i64>(14)?);
            let at_ms: i64 = r.get(1)?;
            // Rows come in time order: each campaign's current minute is summed in place (by
            // its interned id, no hashing) and goes to the map when the campaign's next minute
            // starts.
            let at_minute = at_ms.div_euclid(60_000);
            let c = key[0] as usize;
            if current.len() <= c {
                current.resize(c + 1, None);
            }
            let slot = &mut current[c];
            if slot.is_some_and(|(m, _)| m != at_minute) {
                if let Some((m, sums)) = slot.take() {
                    add_minute(minutes.entry((key[0], m)).or_default(), &sums);
                }
            }
            let m = &mut slot.get_or_insert((at_minute, MinuteSums::default())).1;
            m.calls += 1;
            m.cost += cost;
            m.retries += retry;
            m.failed += i64::from(provider_call && !answered);
            let g = groups.entry(key).or_default();
            g.calls += 1;
            g.retries += retry;
            g.cost += cost;
            g.reserved += i128::from(r.get::<_, i64>(15)?);
            g.input += input;
            g.cached += cached;
            g.cache_write += cache_write;
            g.output += output;
            g.reasoning += r.get::<_, i64>(13)?;
            g.latency += latency;
            g.compute += r.get::<_, i64>(18)?;
            if answered || provider_call {
                let h = hists.entry(key[0]).or_default();
                if answered {
                    h[0].record((input + cached + cache_write).max(0) as u64);
                    h[1].record(output.max(0) as u64);
                }
                if provider_call {
                    h[2].record(latency.max(0) as u64);
                }
            }
            stats.ledger_rows += 1;
            stats.ledger_watermark = id;
        }
        for (c, slot) in current.iter().enumerate() {
            if let Some((m, sums)) = slot {
                add_minute(minutes.entry((c as u32, *m)).or_default(), sums);
            }
        }
    }

    // Interned like the ledger's columns: 0 campaign, 1 segment, 2 planned tier, 3 tier,
    // 4 status, 5 reason; gate rows by (campaign, tier), findings by (campaign, tier, kind).
    let mut send_groups: HashMap<[u32; 6], SendSums> = HashMap::default();
    let mut gate: HashMap<(u32, u32), (i64, i64)> = HashMap::default();
    let mut findings: HashMap<(u32, u32, u32), i64> = HashMap::default();
    // Per campaign, the costliest new sends: a min-heap of at most TOP_SENDS_KEPT.
    let mut costly: HashMap<u32, BinaryHeap<Reverse<CostlyCandidate>>> = HashMap::default();
    let mut sends_new_w = sends_w;
    {
        let mut st = conn.prepare(
            "SELECT id, campaign, segment, planned_tier, tier, status, reason, cost_picos, calls, \
             fallbacks, degraded, gate, recipient FROM audit_sends WHERE id > ?1 ORDER BY id",
        )?;
        let mut rows = st.query(params![sends_w])?;
        while let Some(r) = rows.next()? {
            let mut key = [0u32; 6];
            for (k, col) in key.iter_mut().zip(1..7) {
                *k = strings.get(r.get_ref(col)?.as_str()?);
            }
            let campaign = key[0];
            let calls: i64 = r.get(8)?;
            let cost: i64 = r.get(7)?;
            let fallbacks: i64 = r.get(9)?;
            if cost > 0 {
                // Push, then drop the least: ties on cost are settled by recipient, as the
                // stored table's pruning settles them.
                let heap = costly.entry(campaign).or_default();
                heap.push(Reverse(CostlyCandidate {
                    cost,
                    recipient: r.get(12)?,
                    segment: key[1],
                    tier: key[3],
                    calls,
                    fallbacks,
                }));
                if heap.len() > TOP_SENDS_KEPT {
                    heap.pop();
                }
            }
            let g = send_groups.entry(key).or_default();
            g.sends += 1;
            g.cost += i128::from(cost);
            g.calls += calls;
            g.fallbacks += i64::from(fallbacks > 0);
            g.degraded += i64::from(r.get::<_, i64>(10)? != 0);
            let checks: Vec<GateCheckRef<'_>> =
                serde_json::from_str(r.get_ref(11)?.as_str()?).unwrap_or_default();
            // A send is "retried" when a tier was checked more than once.
            let mut tiers_seen: Vec<&str> = Vec::new();
            let mut retried = false;
            for c in &checks {
                if tiers_seen.contains(&c.tier.as_ref()) {
                    retried = true;
                } else {
                    tiers_seen.push(&c.tier);
                }
                let tier = strings.get(&c.tier);
                let e = gate.entry((campaign, tier)).or_default();
                e.0 += 1;
                e.1 += i64::from(c.pass);
                for k in &c.kinds {
                    *findings
                        .entry((campaign, tier, strings.get(k)))
                        .or_default() += 1;
                }
            }
            g.retried += i64::from(retried);
            sends_new_w = r.get(0)?;
            stats.send_rows += 1;
        }
    }

    if stats.ledger_rows == 0 && stats.send_rows == 0 {
        return Ok(stats);
    }
    let tx = conn.transaction()?;
    {
        let mut up = tx.prepare_cached(
            "INSERT INTO audit_calls (campaign, segment, tier, stage, provider, model, outcome, \
             calls, retries, cost_picos, reserved_picos, input_tokens, cached_input_tokens, \
             cache_write_tokens, output_tokens, reasoning_tokens, latency_ms, compute_ms) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18) \
             ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, \
             retries = retries + excluded.retries, cost_picos = cost_picos + excluded.cost_picos, \
             reserved_picos = reserved_picos + excluded.reserved_picos, \
             input_tokens = input_tokens + excluded.input_tokens, \
             cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens, \
             cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens, \
             output_tokens = output_tokens + excluded.output_tokens, \
             reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, \
             latency_ms = latency_ms + excluded.latency_ms, \
             compute_ms = compute_ms + excluded.compute_ms",
        )?;
        let name = |i: u32| strings.names[i as usize].as_str();
        for (k, s) in &groups {
            up.execute(params![
                name(k[0]),
                name(k[1]),
                name(k[2]),
                name(k[3]),
                name(k[4]),
                name(k[5]),
                name(k[6]),
                s.calls,
                s.retries,
                fit(s.cost)?,
                fit(s.reserved)?,
                s.input,
                s.cached,
                s.cache_write,
                s.output,
                s.reasoning,
                s.latency,
                s.compute
            ])?;
        }
        let mut uh = tx.prepare_cached(
            "INSERT INTO audit_hist (campaign, metric, bucket, n) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT DO UPDATE SET n = n + excluded.n",
        )?;
        for (c, hs) in &hists {
            for (metric, h) in METRICS.iter().zip(hs.iter()) {
                for (b, n) in h.to_histogram().buckets() {
                    uh.execute(params![name(*c), metric, b, n as i64])?;
                }
            }
        }
        let mut us = tx.prepare_cached(
            "INSERT INTO audit_send_rollup (campaign, segment, planned_tier, tier, status, \
             reason, sends, cost_picos, calls, fallbacks, degraded, retried) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12) \
             ON CONFLICT DO UPDATE SET sends = sends + excluded.sends, \
             cost_picos = cost_picos + excluded.cost_picos, calls = calls + excluded.calls, \
             fallbacks = fallbacks + excluded.fallbacks, degraded = degraded + excluded.degraded, \
             retried = retried + excluded.retried",
        )?;
        for (k, s) in &send_groups {
            us.execute(params![
                name(k[0]),
                name(k[1]),
                name(k[2]),
                name(k[3]),
                name(k[4]),
                name(k[5]),
                s.sends,
                fit(s.cost)?,
                s.calls,
                s.fallbacks,
                s.degraded,
                s.retried
            ])?;
        }
        let mut ug = tx.prepare_cached(
            "INSERT INTO audit_gate (campaign, tier, checks, passes) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT DO UPDATE SET checks = checks + excluded.checks, \
             passes = passes + excluded.passes",
        )?;
        for ((c, t), (checks, passes)) in &gate {
            ug.execute(params![name(*c), name(*t), checks, passes])?;
        }
        let mut uf = tx.prepare_cached(
            "INSERT INTO audit_findings (campaign, tier, kind, n) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT DO UPDATE SET n = n + excluded.n",
        )?;
        for ((c, t, k), n) in &findings {
            uf.execute(params![name(*c), name(*t), name(*k), n])?;
        }
        let mut ut = tx.prepare_cached(
            "INSERT INTO audit_timeline (campaign, minute, calls, cost_picos, retries, failed) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT DO UPDATE SET calls = calls + excluded.calls, \
             cost_picos = cost_picos + excluded.cost_picos, retries = retries + excluded.retries, \
             failed = failed + excluded.failed",
        )?;
        for ((c, minute), m) in &minutes {
            ut.execute(params![
                name(*c),
                minute,
                m.calls,
                fit(m.cost)?,
                m.retries,
                m.failed
            ])?;
        }
        let mut ux = tx.prepare_cached(
            "INSERT OR REPLACE INTO audit_top_sends (campaign, recipient, segment, tier, \
             cost_picos, calls, fallbacks) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut prune = tx.prepare_cached(
            "DELETE FROM audit_top_sends WHERE campaign = ?1 AND recipient NOT IN \
             (SELECT recipient FROM audit_top_sends WHERE campaign = ?1 \
              ORDER BY cost_picos DESC, recipient DESC LIMIT ?2)",
        )?;
        for (c, heap) in &costly {
            for Reverse(s) in heap {
                ux.execute(params![
                    name(*c),
                    s.recipient,
                    name(s.segment),
                    name(s.tier),
                    s.cost,
                    s.calls,
                    s.fallbacks
                ])?;
            }
            prune.execute(params![name(*c), TOP_SENDS_KEPT as i64])?;
        }
        let mut um = tx.prepare_cached(
            "INSERT INTO audit_meta (key, value) VALUES (?1, ?2) \
             ON CONFLICT DO UPDATE SET value = excluded.value",
        )?;
        um.execute(params!["ledger_watermark", stats.ledger_watermark])?;
        um.execute(params!["sends_watermark", sends_new_w])?;
    }
    tx.commit()?;
    Ok(stats)
}

fn fit(v: i128) -> Result<i64, AuditError> {
    i64::try_from(v).map_err(|_| AuditError::Overflow(v.to_string()))
}
