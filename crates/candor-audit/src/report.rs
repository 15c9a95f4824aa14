//! The audit report: built from the rollup tables only, so its cost does not grow with the
//! ledger. Its JSON form is versioned ([`REPORT_VERSION`]); fields are only ever added.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use candor_domain::Money;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use crate::hist::Histogram;
use crate::rollup::METRICS;
use crate::AuditError;

/// Version of the JSON report format.
pub const REPORT_VERSION: u32 = 1;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub version: u32,
    /// The campaign filter, if any.
    pub campaign: Option<String>,
    pub totals: Totals,
    pub by_campaign: Vec<Group>,
    pub by_segment: Vec<Group>,
    pub by_tier: Vec<Group>,
    pub by_stage: Vec<Group>,
    pub by_model: Vec<Group>,
    /// Ledger rows by outcome (`ok`, `timeout`, `cache_hit`, ...).
    pub outcomes: BTreeMap<String, u64>,
    /// Prompt tokens per answered call (input + cached input + cache writes).
    pub tokens_in: Percentiles,
    /// Output tokens per answered call.
    pub tokens_out: Percentiles,
    /// Latency of calls that reached a provider.
    pub latency_ms: Percentiles,
    pub rates: Rates,
    /// Sends by the tier that produced the email (`skipped` for skips).
    pub tier_mix: BTreeMap<String, u64>,
    /// Skips by reason.
    pub skips: BTreeMap<String, u64>,
    pub gate: Vec<GateByTier>,
    pub plan: Vec<PlanVsActual>,
    pub cache: Cache,
    /// Where the spend concentrated: the busiest minutes and the costliest emails.
    #[serde(default)]
    pub spikes: Spikes,
}

/// Where the money spiked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Spikes {
    /// Minutes (UTC) with any ledger row.
    pub minutes: u64,
    /// Median spend of the minutes that spent anything.
    pub median_minute_spend: Option<Money>,
    /// The costliest minutes, costliest first (at most [`SPIKES_SHOWN`]).
    pub peak_minutes: Vec<MinuteSpend>,
    /// The costliest emails (sent or skipped), costliest first (at most [`SPIKES_SHOWN`]).
    pub costliest_sends: Vec<CostlySend>,
}

/// How many peak minutes and costly sends a report lists.
pub const SPIKES_SHOWN: usize = 5;

/// One minute's calls, all campaigns in the report's scope together.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MinuteSpend {
    /// Start of the minute, `YYYY-MM-DDTHH:MMZ`.
    pub minute: String,
    pub spend: Money,
    /// Ledger rows in the minute (attempts, failures and cache hits included).
    pub calls: u64,
    /// Rows that were a retry of an earlier attempt.
    pub retries: u64,
    /// Provider calls that got no answer (timeouts, errors).
    pub failed: u64,
    /// spend / median minute's spend.
    pub times_median: Option<f64>,
}

/// One costly email.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostlySend {
    pub campaign: String,
    /// The recipient's id, as in the outbox's records.
    pub recipient: String,
    pub segment: String,
    /// The tier whose email went out; empty for a skip.
    pub tier: String,
    pub cost: Money,
    pub calls: u64,
    pub fallbacks: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Ledger rows (attempts, including failures, refusals and cache hits).
    pub calls: u64,
    pub spend: Money,
    pub input_tokens: u64,
    pub cached_input_tokens: u64,
    pub output_tokens: u64,
    /// In-process inference time of local calls, milliseconds.
    #[serde(default)]
    pub compute_ms: u64,
    /// Emails written.
    pub sends: u64,
    pub skipped: u64,
    /// Spend per 1,000 emails written; `None` before any.
    pub cost_per_1000_sends: Option<Money>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub key: String,
    /// The campaign, for segment groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    pub calls: u64,
    pub spend: Money,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// In-process inference time (the local tier), milliseconds.
    #[serde(default)]
    pub compute_ms: u64,
}

/// Nearest-rank percentiles, each an upper bound within about 3% (see [`crate::hist`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub n: u64,
    pub p50: Option<u64>,
    pub p90: Option<u64>,
    pub p95: Option<u64>,
    pub p99: Option<u64>,
}

impl Percentiles {
    fn of(h: &Histogram) -> Percentiles {
        Percentiles {
            n: h.total(),
            p50: h.quantile(0.50),
            p90: h.quantile(0.90),
            p95: h.quantile(0.95),
            p99: h.quantile(0.99),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    /// Ledger rows that were retries (attempt > 1) / ledger rows.
    pub call_retry_rate: Option<f64>,
    /// Sends whose email needed more than one gate check on one tier / sends.
    pub send_retry_rate: Option<f64>,
    /// Sends that fell at least one tier after gate findings or errors / sends.
    pub fallback_rate: Option<f64>,
    /// Sends moved down before their first attempt because spend ran hot / sends.
    pub degradation_rate: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GateByTier {
    pub tier: String,
    pub checks: u64,
    pub passes: u64,
    pub pass_rate: Option<f64>,
    pub findings: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanVsActual {
    pub campaign: String,
    pub planned: Money,
    pub actual: Money,
    pub recipients: u64,
    /// actual / planned.
    pub ratio: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cache {
    /// Calls answered from the exact response cache.
    pub response_hits: u64,
    /// What those hits would have cost: hits × the mean paid cost of the same campaign, stage
    /// and model.
    pub response_savings: Money,
    /// Share of prompt tokens served from provider prompt caches.
    pub prompt_cached_share: Option<f64>,
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

fn u(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

pub(crate) fn build(conn: &Connection, campaign: Option<&str>) -> Result<Report, AuditError> {
    let mut r = Report {
        version: REPORT_VERSION,
        campaign: campaign.map(str::to_string),
        ..Report::default()
    };
    let filter = "WHERE (?1 IS NULL OR campaign = ?1)";

    let group = |dim: &str| -> Result<Vec<Group>, AuditError> {
        let sql = format!(
            "SELECT {dim}, sum(calls), sum(cost_picos), \
             sum(input_tokens + cached_input_tokens + cache_write_tokens), sum(output_tokens), \
             sum(compute_ms) \
             FROM audit_calls {filter} GROUP BY {dim} ORDER BY sum(cost_picos) DESC, {dim}"
        );
        let mut st = conn.prepare(&sql)?;
        let rows = st.query_map(params![campaign], |row| {
            Ok(Group {
                key: row.get(0)?,
                campaign: None,
                calls: u(row.get(1)?),
                spend: Money::from_picos(i128::from(row.get::<_, i64>(2)?)),
                input_tokens: u(row.get(3)?),
                output_tokens: u(row.get(4)?),
                compute_ms: u(row.get(5)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    r.by_campaign = group("campaign")?;
    r.by_tier = group("tier")?;
    r.by_stage = group("stage")?;
    r.by_model = group("model")?;
    {
        let mut st = conn.prepare(&format!(
            "SELECT campaign, segment, sum(calls), sum(cost_picos), \
             sum(input_tokens + cached_input_tokens + cache_write_tokens), sum(output_tokens), \
             sum(compute_ms) \
             FROM audit_calls {filter} GROUP BY campaign, segment \
             ORDER BY sum(cost_picos) DESC, campaign, segment"
        ))?;
        let rows = st.query_map(params![campaign], |row| {
            Ok(Group {
                campaign: Some(row.get(0)?),
                key: row.get(1)?,
                calls: u(row.get(2)?),
                spend: Money::from_picos(i128::from(row.get::<_, i64>(3)?)),
                input_tokens: u(row.get(4)?),
                output_tokens: u(row.get(5)?),
                compute_ms: u(row.get(6)?),
            })
        })?;
        r.by_segment = rows.collect::<Result<_, _>>()?;
    }

    let mut retries = 0u64;
    let mut prompt_total = 0u64;
    // Paid cost and hits per (campaign, stage, model), for the cache savings estimate.
    let mut paid: BTreeMap<(String, String, String), (i128, u64, u64)> = BTreeMap::new();
    {
        let mut st = conn.prepare(&format!(
            "SELECT campaign, stage, model, outcome, sum(calls), sum(retries), sum(cost_picos), \
             sum(input_tokens), sum(cached_input_tokens), sum(cache_write_tokens), \
             sum(output_tokens), sum(compute_ms) FROM audit_calls {filter} \
             GROUP BY campaign, stage, model, outcome"
        ))?;
        let mut rows = st.query(params![campaign])?;
        while let Some(row) = rows.next()? {
            let outcome: String = row.get(3)?;
            let calls = u(row.get(4)?);
            let cost = i128::from(row.get::<_, i64>(6)?);
            let input = u(row.get(7)?);
            let cached = u(row.get(8)?);
            let write = u(row.get(9)?);
            r.totals.calls += calls;
            r.totals.spend += Money::from_picos(cost);
            r.totals.input_tokens += input + write;
            r.totals.cached_input_tokens += cached;
            r.totals.output_tokens += u(row.get(10)?);
            r.totals.compute_ms += u(row.get(11)?);
            retries += u(row.get(5)?);
            prompt_total += input + cached + write;
            *r.outcomes.entry(outcome.clone()).or_default() += calls;
            let e = paid
                .entry((row.get(0)?, row.get(1)?, row.get(2)?))
                .or_default();
            match outcome.as_str() {
                "ok" => {
                    e.0 += cost;
                    e.1 += calls;
                }
                "cache_hit" => e.2 += calls,
                _ => {}
            }
        }
    }
    r.rates.call_retry_rate = ratio(retries, r.totals.calls);
    r.cache.prompt_cached_share = ratio(r.totals.cached_input_tokens, prompt_total);
    for (cost, ok_calls, hits) in paid.values() {
        r.cache.response_hits += hits;
        if *ok_calls > 0 && *hits > 0 {
            let per = cost / i128::from(*ok_calls);
            r.cache.response_savings += Money::from_picos(per * i128::from(*hits));
        }
    }

    let mut hists: Vec<Histogram> = vec![Histogram::default(); METRICS.len()];
    {
        let mut st = conn.prepare(&format!(
            "SELECT metric, bucket, sum(n) FROM audit_hist {filter} GROUP BY metric, bucket"
        ))?;
        let mut rows = st.query(params![campaign])?;
        while let Some(row) = rows.next()? {
            let metric: String = row.get(0)?;
            if let Some(i) = METRICS.iter().position(|m| *m == metric) {
                hists[i].add_bucket(row.get(1)?, u(row.get(2)?));
            }
        }
    }
    r.tokens_in = Percentiles::of(&hists[0]);
    r.tokens_out = Percentiles::of(&hists[1]);
    r.latency_ms = Percentiles::of(&hists[2]);

    let (mut sends, mut fallbacks, mut degraded, mut retried) = (0u64, 0u64, 0u64, 0u64);
    {
        let mut st = conn.prepare(&format!(
            "SELECT tier, status, reason, sum(sends), sum(fallbacks), sum(degraded), \
             sum(retried) FROM audit_send_rollup {filter} GROUP BY tier, status, reason"
        ))?;
        let mut rows = st.query(params![campaign])?;
        while let Some(row) = rows.next()? {
            let tier: String = row.get(0)?;
            let status: String = row.get(1)?;
            let reason: String = row.get(2)?;
            let n = u(row.get(3)?);
            if status == "sent" {
                sends += n;
                fallbacks += u(row.get(4)?);
                degraded += u(row.get(5)?);
                retried += u(row.get(6)?);
                *r.tier_mix.entry(tier).or_default() += n;
            } else {
                r.totals.skipped += n;
                *r.skips.entry(reason).or_default() += n;
            }
        }
    }
    r.totals.sends = sends;
    r.totals.cost_per_1000_sends = (sends > 0)
        .then(|| r.totals.spend.mul_div_round(1000, i128::from(sends)))
        .flatten();
    r.rates.fallback_rate = ratio(fallbacks, sends);
    r.rates.degradation_rate = ratio(degraded, sends);
    r.rates.send_retry_rate = ratio(retried, sends);

    let mut gate: BTreeMap<String, GateByTier> = BTreeMap::new();
    {
        let mut st = conn.prepare(&format!(
            "SELECT tier, sum(checks), sum(passes) FROM audit_gate {filter} GROUP BY tier"
        ))?;
        let mut rows = st.query(params![campaign])?;
        while let Some(row) = rows.next()? {
            let tier: String = row.get(0)?;
            let g = gate.entry(tier.clone()).or_default();
            g.tier = tier;
            g.checks = u(row.get(1)?);
            g.passes = u(row.get(2)?);
            g.pass_rate = ratio(g.passes, g.checks);
        }
        let mut st = conn.prepare(&format!(
            "SELECT tier, kind, sum(n) FROM audit_findings {filter} GROUP BY tier, kind"
        ))?;
        let mut rows = st.query(params![campaign])?;
        while let Some(row) = rows.next()? {
            let tier: String = row.get(0)?;
            let g = gate.entry(tier.clone()).or_default();
            g.tier = tier;
            g.findings.insert(row.get(1)?, u(row.get(2)?));
        }
    }
    r.gate = gate.into_values().collect();

    {
        let mut st = conn.prepare(&format!(
            "SELECT campaign, planned_picos, recipients FROM audit_plans {filter} ORDER BY campaign"
        ))?;
        let mut rows = st.query(params![campaign])?;
        while let Some(row) = rows.next()? {
            let c: String = row.get(0)?;
            let planned = Money::from_picos(i128::from(row.get::<_, i64>(1)?));
            let actual = r
                .by_campaign
                .iter()
                .find(|g| g.key == c)
                .map(|g| g.spend)
                .unwrap_or(Money::ZERO);
            let ratio =
                (!planned.is_zero()).then(|| actual.picos() as f64 / planned.picos() as f64);
            r.plan.push(PlanVsActual {
                campaign: c,
                planned,
                actual,
                recipients: u(row.get(2)?),
                ratio,
            });
        }
    }
    r.spikes = spikes(conn, campaign)?;
    Ok(r)
}

fn spikes(conn: &Connection, campaign: Option<&str>) -> Result<Spikes, AuditError> {
    let filter = "WHERE (?1 IS NULL OR campaign = ?1)";
    let mut minutes: Vec<(i64, i128, u64, u64, u64)> = Vec::new();
    {
        let mut st = conn.prepare(&format!(
            "SELECT minute, sum(cost_picos), sum(calls), sum(retries), sum(failed) \
             FROM audit_timeline {filter} GROUP BY minute"
        ))?;
        let mut rows = st.query(params![campaign])?;
        while let Some(row) = rows.next()? {
            minutes.push((
                row.get(0)?,
                i128::from(row.get::<_, i64>(1)?),
                u(row.get(2)?),
                u(row.get(3)?),
                u(row.get(4)?),
            ));
        }
    }
    let mut spent: Vec<i128> = minutes.iter().map(|m| m.1).filter(|c| *c > 0).collect();
    spent.sort_unstable();
    // The lower median: a spike is judged against a typical minute, not pulled up by it.
    let median = spent.get(spent.len().saturating_sub(1) / 2).copied();
    minutes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let peak_minutes = minutes
        .iter()
        .filter(|m| m.1 > 0)
        .take(SPIKES_SHOWN)
        .map(|&(minute, cost, calls, retries, failed)| MinuteSpend {
            minute: utc_minute(minute),
            spend: Money::from_picos(cost),
            calls,
            retries,
            failed,
            times_median: median.filter(|m| *m > 0).map(|m| cost as f64 / m as f64),
        })
        .collect();
    let mut st = conn.prepare(&format!(
        "SELECT campaign, recipient, segment, tier, cost_picos, calls, fallbacks \
         FROM audit_top_sends {filter} ORDER BY cost_picos DESC, campaign, recipient LIMIT ?2"
    ))?;
    let costliest_sends = st
        .query_map(params![campaign, SPIKES_SHOWN as i64], |row| {
            Ok(CostlySend {
                campaign: row.get(0)?,
                recipient: row.get(1)?,
                segment: row.get(2)?,
                tier: row.get(3)?,
                cost: Money::from_picos(i128::from(row.get::<_, i64>(4)?)),
                calls: u(row.get(5)?),
                fallbacks: u(row.get(6)?),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Spikes {
        minutes: minutes.len() as u64,
        median_minute_spend: median.map(Money::from_picos),
        peak_minutes,
        costliest_sends,
    })
}

/// `YYYY-MM-DDTHH:MMZ` for minutes since the Unix epoch.
fn utc_minute(minute: i64) -> String {
    let days = minute.div_euclid(1440);
    let in_day = minute.rem_euclid(1440);
    // Civil date from days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}Z",
        in_day / 60,
        in_day % 60
    )
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "-".into())
}

fn opt(v: Option<u64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "-".into())
}

fn money(m: Money) -> String {
    // Six decimals: per-call costs are fractions of a cent.
    format!("${}", m.format_dollars(6))
}

impl Report {
    /// The human-readable report.
    pub fn render_text(&self) -> String {
        let mut o = String::new();
        let scope = self
            .campaign
            .as_deref()
            .map(|c| format!("campaign `{c}`"))
            .unwrap_or_else(|| "all campaigns".into());
        let _ = writeln!(o, "candor audit: {scope}");
        let t = &self.totals;
        let _ = writeln!(
            o,
            "  spend {}  over {} ledger rows; {} emails written, {} skipped; cost per 1,000 emails {}",
            money(t.spend),
            t.calls,
            t.sends,
            t.skipped,
            t.cost_per_1000_sends.map(money).unwrap_or_else(|| "-".into())
        );
        let _ = writeln!(
            o,
            "  tokens: {} input, {} cached input, {} output",
            t.input_tokens, t.cached_input_tokens, t.output_tokens
        );
        if t.compute_ms > 0 {
            let _ = writeln!(
                o,
                "  in-process compute: {:.1} s",
                t.compute_ms as f64 / 1000.0
            );
        }
        for (title, groups) in [
            ("campaign", &self.by_campaign),
            ("segment", &self.by_segment),
            ("tier", &self.by_tier),
            ("stage", &self.by_stage),
            ("model", &self.by_model),
        ] {
            let _ = writeln!(o, "\nspend by {title}");
            let key_of = |g: &Group| match &g.campaign {
                Some(c) if self.campaign.is_none() => format!("{c} / {}", g.key),
                _ => g.key.clone(),
            };
            // Long names (a campaign / segment pair, a local model's file name) widen the
            // column instead of pushing their row's figures out of line.
            let width = groups
                .iter()
                .map(|g| key_of(g).chars().count())
                .max()
                .unwrap_or(0)
                .max(32);
            for g in groups {
                let key = key_of(g);
                let compute = if g.compute_ms > 0 {
                    format!("  {:.1} s compute", g.compute_ms as f64 / 1000.0)
                } else {
                    String::new()
                };
                let _ = writeln!(
                    o,
                    "  {key:<width$} {:>16}  {:>9} calls  {:>12} in  {:>10} out{compute}",
                    money(g.spend),
                    g.calls,
                    g.input_tokens,
                    g.output_tokens
                );
            }
        }
        let _ = writeln!(
            o,
            "\nper call           p50      p90      p95      p99        n   (percentiles: upper bounds, within 3%)"
        );
        for (name, p) in [
            ("tokens in", &self.tokens_in),
            ("tokens out", &self.tokens_out),
            ("latency ms", &self.latency_ms),
        ] {
            let _ = writeln!(
                o,
                "  {name:<12} {:>8} {:>8} {:>8} {:>8} {:>8}",
                opt(p.p50),
                opt(p.p90),
                opt(p.p95),
                opt(p.p99),
                p.n
            );
        }
        let rt = &self.rates;
        let _ = writeln!(
            o,
            "\nrates: call retries {}, email retries {}, fallbacks {}, degradations {}",
            pct(rt.call_retry_rate),
            pct(rt.send_retry_rate),
            pct(rt.fallback_rate),
            pct(rt.degradation_rate)
        );
        if !self.outcomes.is_empty() {
            let list: Vec<String> = self
                .outcomes
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            let _ = writeln!(o, "outcomes: {}", list.join(", "));
        }
        if !self.tier_mix.is_empty() {
            let list: Vec<String> = self
                .tier_mix
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            let _ = writeln!(o, "tier mix: {}", list.join(", "));
        }
        if !self.skips.is_empty() {
            let list: Vec<String> = self.skips.iter().map(|(k, v)| format!("{k} {v}")).collect();
            let _ = writeln!(o, "skips: {}", list.join(", "));
        }
        if !self.gate.is_empty() {
            let _ = writeln!(o, "\ngate by tier");
            for g in &self.gate {
                let f: Vec<String> = g.findings.iter().map(|(k, v)| format!("{k} {v}")).collect();
                let _ = writeln!(
                    o,
                    "  {:<10} {} checks, {} passed ({}){}",
                    g.tier,
                    g.checks,
                    g.passes,
                    pct(g.pass_rate),
                    if f.is_empty() {
                        String::new()
                    } else {
                        format!("; findings: {}", f.join(", "))
                    }
                );
            }
        }
        if !self.plan.is_empty() {
            let _ = writeln!(o, "\nspend vs plan");
            for p in &self.plan {
                let _ = writeln!(
                    o,
                    "  {:<24} planned {}  actual {}  ({})",
                    p.campaign,
                    money(p.planned),
                    money(p.actual),
                    pct(p.ratio)
                );
            }
        }
        self.render_spikes(&mut o);
        let _ = writeln!(
            o,
            "\ncache: {} response-cache hits saved about {}; {} of prompt tokens from provider prompt caches",
            self.cache.response_hits,
            money(self.cache.response_savings),
            pct(self.cache.prompt_cached_share)
        );
        o
    }
}

impl Report {
    fn render_spikes(&self, o: &mut String) {
        let sp = &self.spikes;
        if sp.peak_minutes.is_empty() && sp.costliest_sends.is_empty() {
            return;
        }
        let _ = writeln!(o, "\nwhere it spiked");
        if let Some(median) = sp.median_minute_spend {
            let _ = writeln!(
                o,
                "  costliest minutes (UTC; the median minute that spent anything spent {}, over {} minutes)",
                money(median),
                sp.minutes
            );
            for m in &sp.peak_minutes {
                let times = m
                    .times_median
                    .map(|x| format!("{x:.1}x median"))
                    .unwrap_or_default();
                let _ = writeln!(
                    o,
                    "    {} {:>16} {:>14}  {} calls, {} retries, {} failed",
                    m.minute.replace('T', " ").trim_end_matches('Z'),
                    money(m.spend),
                    times,
                    m.calls,
                    m.retries,
                    m.failed
                );
            }
        }
        if !sp.costliest_sends.is_empty() {
            let _ = writeln!(o, "  costliest emails");
            let name = |c: &CostlySend| {
                let who = match &self.campaign {
                    Some(_) => format!("{} / {}", c.segment, c.recipient),
                    None => format!("{} / {} / {}", c.campaign, c.segment, c.recipient),
                };
                let tier = if c.tier.is_empty() {
                    "skipped"
                } else {
                    &c.tier
                };
                format!("{who} ({tier})")
            };
            let width = sp
                .costliest_sends
                .iter()
                .map(|c| name(c).chars().count())
                .max()
                .unwrap_or(0);
            for c in &sp.costliest_sends {
                let _ = writeln!(
                    o,
                    "    {:<width$} {:>16}  {} calls, {} tier moves",
                    name(c),
                    money(c.cost),
                    c.calls,
                    c.fallbacks
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(key: &str, campaign: Option<&str>) -> Group {
        Group {
            key: key.into(),
            campaign: campaign.map(Into::into),
            calls: 3,
            spend: Money::from_picos(1_500_000),
            ..Group::default()
        }
    }

    /// Every row of a spend table has its figures in the same columns, however long its name.
    #[test]
    fn utc_minutes_read_as_calendar_time() {
        assert_eq!(utc_minute(0), "1970-01-01T00:00Z");
        assert_eq!(utc_minute(-1), "1969-12-31T23:59Z");
        // 2000-02-29 12:34 UTC = 951,827,640 s; 2026-12-05 21:14 UTC = 1,796,505,240 s.
        assert_eq!(utc_minute(951_827_640 / 60), "2000-02-29T12:34Z");
        assert_eq!(utc_minute(1_796_505_240 / 60), "2026-12-05T21:14Z");
        assert_eq!(utc_minute(4_107_542_400 / 60), "2100-03-01T00:00Z");
    }

    #[test]
    fn spend_tables_stay_aligned_with_long_names() {
        let r = Report {
            by_segment: vec![
                group("loyal-buyers", Some("winter-trail-2026")),
                group("recent-buyers", Some("winter-trail-2026")),
            ],
            by_model: vec![
                group("gpt-4.1", None),
                group("qwen2.5-coder-0.5b-instruct-q4_k_m-and-then-some", None),
            ],
            ..Report::default()
        };
        let text = r.render_text();
        for title in ["spend by segment", "spend by model"] {
            let rows: Vec<&str> = text
                .split(title)
                .nth(1)
                .unwrap_or_default()
                .lines()
                .skip(1)
                .take(2)
                .collect();
            assert_eq!(rows.len(), 2, "{text}");
            let col = |row: &str, pat: &str| row.find(pat);
            assert_eq!(col(rows[0], "$"), col(rows[1], "$"), "{title}:\n{text}");
            assert_eq!(
                col(rows[0], " calls"),
                col(rows[1], " calls"),
                "{title}:\n{text}"
            );
        }
    }
}
