//! The planner: which recipients get which tier, maximizing expected value × lift under the
//! budget and caps.
//!
//! Algorithm: a multiple-choice knapsack (each recipient picks exactly one tier), solved with
//! the classic greedy on incremental efficiencies, at segment granularity. Recipients of a
//! segment share one expected value per send, so the problem per segment is: how many of its
//! `n` recipients to lift from each tier to the next. For each segment the feasible tiers
//! (those under the per-send cap) are reduced to their upper convex hull in the (cost, value)
//! plane — a tier that costs more but adds less per dollar than a richer one is dominated —
//! and the hull's steps are taken globally in order of value added per dollar, each for as
//! many recipients as the remaining campaign and segment budgets allow.
//!
//! Why: this is the LP-relaxation optimum of the multiple-choice knapsack (Sinha & Zoltners),
//! within one partially-upgraded group of the integer optimum; it runs in O(S·T log S·T) for
//! S segments and T tiers, independent of list size, so a million-recipient plan is instant
//! and needs no per-recipient state. Exact DP would be pseudo-polynomial in the budget for no
//! practical gain here, because recipients in a segment are interchangeable.
//!
//! Money stays exact: values and costs are picodollars; value × lift uses the integer lift in
//! thousandths.

use std::collections::BTreeMap;

use candor_domain::Money;
use serde::Serialize;

/// What one tier costs for one segment (the estimate's aggregate).
#[derive(Clone, Debug)]
pub struct TierOption {
    pub tier: String,
    /// Lift in thousandths (template = 1000).
    pub lift_milli: u32,
    /// Total expected cost if all of the segment's recipients used this tier.
    pub total_cost: Money,
    /// Highest expected cost of one send on this tier (checked against the per-send cap).
    pub max_send_cost: Money,
}

#[derive(Clone, Debug)]
pub struct SegmentInput {
    pub segment: String,
    pub recipients: u64,
    pub value_per_send: Money,
    /// Tiers in ladder order, richest first; the last is the floor (template).
    pub options: Vec<TierOption>,
    /// Fixed cost paid once if the segment is sent at all (shared body copy).
    pub fixed_cost: Money,
    pub budget: Option<Money>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SegmentPlan {
    pub segment: String,
    pub recipients: u64,
    /// Recipients per tier, ladder order.
    pub tiers: BTreeMap<String, u64>,
    pub cost: Money,
    pub expected_value: Money,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Plan {
    pub budget: Option<Money>,
    pub cost: Money,
    pub expected_value: Money,
    pub segments: Vec<SegmentPlan>,
    /// Why recipients could not be lifted further (budget, caps), in plain words.
    pub notes: Vec<String>,
}

impl Plan {
    /// Planned recipients on `tier` in `segment`.
    pub fn quota(&self, segment: &str, tier: &str) -> u64 {
        self.segments
            .iter()
            .find(|s| s.segment == segment)
            .and_then(|s| s.tiers.get(tier).copied())
            .unwrap_or(0)
    }
}

fn per_recipient(total: Money, n: u64) -> Money {
    if n == 0 {
        Money::ZERO
    } else {
        total.mul_div_ceil(1, n as i128).unwrap_or(total)
    }
}

/// value × lift, exact in picodollars.
fn lifted(value: Money, lift_milli: u32) -> i128 {
    value.picos() * lift_milli as i128 / 1000
}

/// Make the plan. `budget` is the campaign total (or `None` for unbounded); `per_send` the cap.
pub fn plan(segments: &[SegmentInput], budget: Option<Money>, per_send: Option<Money>) -> Plan {
    let mut notes = Vec::new();
    let mut remaining = budget.map(|b| b.picos());
    let mut out: Vec<SegmentPlan> = Vec::new();
    // (efficiency numerator, denominator, segment index, from option idx, to option idx)
    struct Step {
        seg: usize,
        from: usize,
        to: usize,
        d_cost: i128,  // per recipient
        d_value: i128, // per recipient
    }
    let mut hulls: Vec<Vec<usize>> = Vec::new();
    let mut seg_remaining: Vec<Option<i128>> = Vec::new();
    let mut assigned: Vec<Vec<u64>> = Vec::new();

    for s in segments {
        let floor = s.options.len().saturating_sub(1);
        // Fixed cost first: it is paid whatever tier the recipients get.
        let mut seg_left = s.budget.map(|b| b.picos());
        if s.recipients > 0 && !s.fixed_cost.is_zero() {
            let f = s.fixed_cost.picos();
            if let Some(r) = remaining.as_mut() {
                *r -= f;
            }
            if let Some(r) = seg_left.as_mut() {
                *r -= f;
            }
        }
        // Feasible tiers by cost, then upper convex hull from the floor up.
        let mut pts: Vec<(usize, i128, i128)> = s
            .options
            .iter()
            .enumerate()
            .filter(|(i, o)| {
                let ok = *i == floor || per_send.is_none_or(|cap| o.max_send_cost <= cap);
                if !ok && s.recipients > 0 {
                    notes.push(format!(
                        "segment `{}`: tier `{}` excluded, one send costs up to {} over the per-send cap",
                        s.segment, o.tier, o.max_send_cost
                    ));
                }
                ok
            })
            .map(|(i, o)| (i, per_recipient(o.total_cost, s.recipients).picos(), lifted(s.value_per_send, o.lift_milli)))
            .collect();
        pts.sort_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)));
        let mut hull: Vec<(usize, i128, i128)> = Vec::new();
        for p in pts {
            // Only points that add value over the current top of the hull.
            if let Some(last) = hull.last() {
                if p.2 <= last.2 {
                    continue;
                }
            }
            while hull.len() >= 2 {
                let a = hull[hull.len() - 2];
                let b = hull[hull.len() - 1];
                // Remove b if slope(a,p) >= slope(a,b): b is under the hull.
                let lhs = (p.2 - a.2) * (b.1 - a.1);
                let rhs = (b.2 - a.2) * (p.1 - a.1);
                if lhs >= rhs {
                    hull.pop();
                } else {
                    break;
                }
            }
            hull.push(p);
        }
        // Everyone starts on the hull's first point: the cheapest tier, and among equally cheap
        // ones the most valuable (a free local model beats a free template).
        let start = hull.first().map(|h| h.0).unwrap_or(floor);
        let mut counts = vec![0u64; s.options.len()];
        if let Some(c) = counts.get_mut(start) {
            *c = s.recipients;
        }
        let start_cost = s
            .options
            .get(start)
            .map(|o| o.total_cost.picos())
            .unwrap_or(0);
        if let Some(r) = remaining.as_mut() {
            *r -= start_cost;
        }
        if let Some(r) = seg_left.as_mut() {
            *r -= start_cost;
        }
        hulls.push(hull.iter().map(|h| h.0).collect());
        seg_remaining.push(seg_left);
        assigned.push(counts);
        out.push(SegmentPlan {
            segment: s.segment.clone(),
            recipients: s.recipients,
            tiers: BTreeMap::new(),
            cost: Money::ZERO,
            expected_value: Money::ZERO,
        });
    }

    let mut steps: Vec<Step> = Vec::new();
    for (si, hull) in hulls.iter().enumerate() {
        let s = &segments[si];
        for w in hull.windows(2) {
            let (a, b) = (w[0], w[1]);
            let ca = per_recipient(s.options[a].total_cost, s.recipients).picos();
            let cb = per_recipient(s.options[b].total_cost, s.recipients).picos();
            let va = lifted(s.value_per_send, s.options[a].lift_milli);
            let vb = lifted(s.value_per_send, s.options[b].lift_milli);
            steps.push(Step {
                seg: si,
                from: a,
                to: b,
                d_cost: cb - ca,
                d_value: vb - va,
            });
        }
    }
    // Most value per dollar first; free upgrades (d_cost 0) first of all.
    steps.sort_by(|x, y| {
        let lx = x.d_value * y.d_cost.max(0);
        let ly = y.d_value * x.d_cost.max(0);
        match (x.d_cost <= 0, y.d_cost <= 0) {
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            _ => ly.cmp(&lx),
        }
    });
    // A step can only lift recipients that reached its `from` tier.
    let mut blocked = vec![false; segments.len()];
    for st in &steps {
        if blocked[st.seg] {
            continue;
        }
        let avail = assigned[st.seg][st.from];
        if avail == 0 {
            continue;
        }
        let mut k = avail as i128;
        if st.d_cost > 0 {
            if let Some(r) = remaining {
                k = k.min((r.max(0)) / st.d_cost);
            }
            if let Some(r) = seg_remaining[st.seg] {
                k = k.min((r.max(0)) / st.d_cost);
            }
        }
        let k = k.max(0) as u64;
        if k < avail {
            blocked[st.seg] = true;
        }
        if k < avail && k > 0 {
            notes.push(format!(
                "segment `{}`: {} of {} recipients lifted from `{}` to `{}` before the budget ran out",
                segments[st.seg].segment, k, avail, segments[st.seg].options[st.from].tier, segments[st.seg].options[st.to].tier
            ));
        }
        if k == 0 {
            continue;
        }
        assigned[st.seg][st.from] -= k;
        assigned[st.seg][st.to] += k;
        let spent = st.d_cost * k as i128;
        if let Some(r) = remaining.as_mut() {
            *r -= spent;
        }
        if let Some(r) = seg_remaining[st.seg].as_mut() {
            *r -= spent;
        }
    }

    let mut total_cost = Money::ZERO;
    let mut total_value = Money::ZERO;
    for (si, s) in segments.iter().enumerate() {
        let mut cost = if s.recipients > 0 {
            s.fixed_cost
        } else {
            Money::ZERO
        };
        let mut value = Money::ZERO;
        for (ti, o) in s.options.iter().enumerate() {
            let k = assigned[si][ti];
            out[si].tiers.insert(o.tier.clone(), k);
            if k > 0 {
                // Proportional share of the option's total, rounded up: never understates.
                cost += o
                    .total_cost
                    .mul_div_ceil(k as i128, s.recipients.max(1) as i128)
                    .unwrap_or(o.total_cost);
                value += Money::from_picos(lifted(s.value_per_send, o.lift_milli) * k as i128);
            }
        }
        out[si].cost = cost;
        out[si].expected_value = value;
        total_cost += cost;
        total_value += value;
    }
    if let Some(b) = budget {
        if total_cost > b {
            notes.push(format!(
                "even the floor tier for everyone ({}) exceeds the budget ({}): raise the budget or send to fewer recipients",
                total_cost, b
            ));
        }
    }
    Plan {
        budget,
        cost: total_cost,
        expected_value: total_value,
        segments: out,
        notes,
    }
}

/// Hands out planned tiers to a segment's recipients as they stream by, interleaved so that
/// the mix stays proportional at every point of the run (a run cut short is still on plan).
#[derive(Clone, Debug, Default)]
pub struct PlanCursor {
    /// segment → (recipients seen, [(tier, quota, given)])
    state: BTreeMap<String, SegmentCursor>,
}

type SegmentCursor = (u64, Vec<(String, u64, u64)>);

impl PlanCursor {
    pub fn new(plan: &Plan, ladder: &[String]) -> PlanCursor {
        let mut state = BTreeMap::new();
        for s in &plan.segments {
            let quotas = ladder
                .iter()
                .map(|t| (t.clone(), s.tiers.get(t).copied().unwrap_or(0), 0u64))
                .collect();
            state.insert(s.segment.clone(), (0u64, quotas));
        }
        PlanCursor { state }
    }

    /// The planned tier for the next recipient of `segment`; `None` for an unplanned segment.
    pub fn next(&mut self, segment: &str) -> Option<String> {
        let (seen, quotas) = self.state.get_mut(segment)?;
        let total: u64 = quotas.iter().map(|q| q.1).sum();
        *seen += 1;
        if total == 0 {
            return quotas.last().map(|q| q.0.clone());
        }
        // Largest deficit: quota × seen / total − given.
        let mut best: Option<(usize, i128)> = None;
        for (i, (_, quota, given)) in quotas.iter().enumerate() {
            if *given >= *quota {
                continue;
            }
            let deficit = (*quota as i128 * *seen as i128) - (*given as i128 * total as i128);
            if best.is_none_or(|b| deficit > b.1) {
                best = Some((i, deficit));
            }
        }
        let i = best.map(|b| b.0).unwrap_or(quotas.len().saturating_sub(1));
        let q = quotas.get_mut(i)?;
        q.2 += 1;
        Some(q.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(tier: &str, lift: u32, per: i64, n: u64) -> TierOption {
        let per = Money::from_picos(per as i128);
        TierOption {
            tier: tier.into(),
            lift_milli: lift,
            total_cost: per.checked_mul(n as i128).unwrap(),
            max_send_cost: per,
        }
    }

    fn seg(name: &str, n: u64, value_cents: i64) -> SegmentInput {
        SegmentInput {
            segment: name.into(),
            recipients: n,
            value_per_send: Money::from_cents(value_cents),
            options: vec![
                opt("deep", 1350, 20_000_000_000, n),    // 2 cents
                opt("standard", 1200, 1_000_000_000, n), // 0.1 cent
                opt("local", 1080, 0, n),
                opt("template", 1000, 0, n),
            ],
            fixed_cost: Money::ZERO,
            budget: None,
        }
    }

    #[test]
    fn free_local_beats_template_and_budget_goes_to_highest_value() {
        let segs = vec![seg("vip", 100, 100), seg("tail", 10_000, 2)];
        let p = plan(&segs, Some(Money::from_dollars(3)), None);
        assert!(p.cost <= Money::from_dollars(3), "{:?}", p.cost);
        assert_eq!(
            p.quota("tail", "template"),
            0,
            "local is free and lifts value"
        );
        assert_eq!(p.quota("vip", "deep"), 100, "vip gets deep first: {:?}", p);
        // $3 - vip deep ($2) leaves $1 → 1,000 tail recipients on standard at 0.1 cent.
        assert_eq!(p.quota("tail", "standard"), 1000);
        assert_eq!(p.quota("tail", "local"), 9000);
    }

    #[test]
    fn caps_exclude_tiers_and_zero_budget_means_floor() {
        let segs = vec![seg("vip", 10, 100)];
        let p = plan(&segs, None, Some(Money::from_cents(1)));
        assert_eq!(p.quota("vip", "deep"), 0);
        assert_eq!(p.quota("vip", "standard"), 10);
        assert!(p.notes.iter().any(|n| n.contains("per-send cap")));
        let p = plan(&segs, Some(Money::ZERO), None);
        assert_eq!(p.quota("vip", "local"), 10, "free tiers fit a zero budget");
        assert_eq!(p.cost, Money::ZERO);
    }

    #[test]
    fn segment_budget_is_respected() {
        let mut s = seg("vip", 100, 100);
        s.budget = Some(Money::from_cents(50));
        let p = plan(&[s], Some(Money::from_dollars(100)), None);
        assert!(p.segments[0].cost <= Money::from_cents(50));
        assert_eq!(
            p.quota("vip", "deep") + p.quota("vip", "standard") + p.quota("vip", "local"),
            100
        );
    }

    #[test]
    fn cursor_interleaves_in_proportion() {
        let p = plan(
            &[seg("vip", 100, 100), seg("tail", 10_000, 2)],
            Some(Money::from_dollars(3)),
            None,
        );
        let ladder: Vec<String> = ["deep", "standard", "local", "template"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut c = PlanCursor::new(&p, &ladder);
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for i in 0..10_000 {
            let t = c.next("tail").unwrap();
            *counts.entry(t).or_default() += 1;
            if i == 999 {
                assert_eq!(
                    counts.get("standard"),
                    Some(&100),
                    "10% of the way, 10% of standard"
                );
            }
        }
        assert_eq!(counts.get("standard"), Some(&1000));
        assert_eq!(counts.get("local"), Some(&9000));
        assert_eq!(c.next("nobody"), None);
    }
}
