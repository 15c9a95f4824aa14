//! The in-memory budget book both embedded stores keep: limits, spent and reserved per scope,
//! and the open reservations.
//!
//! Invariants: a reservation is granted only if, for every scope it touches, `spent + reserved +
//! amount ≤ limit`; it then holds the amount on all of them at once (the caller holds one lock
//! around the whole check-and-book, which is what makes it atomic). Closing a reservation takes
//! exactly its amount off every scope it was booked on, whatever happened to the scopes' limits
//! in between. Send and batch scopes are only tracked while a cap or a limit applies to them, so
//! memory does not grow with the recipient list when they are uncapped.

use foldhash::HashMap;

use candor_domain::Money;

use crate::{
    AttemptLabel, Attribution, BudgetStatus, Caps, Refusal, ReservationId, Scope, Shortfall,
};

#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    limit: Option<Money>,
    spent: Money,
    reserved: Money,
}

#[derive(Clone, Debug)]
pub(crate) struct Open {
    pub attribution: Attribution,
    pub label: AttemptLabel,
    pub scopes: Vec<Scope>,
    pub amount: Money,
    pub expires_ms: i64,
}

#[derive(Debug, Default)]
pub(crate) struct Book {
    entries: HashMap<Scope, Entry>,
    caps: Caps,
    open: HashMap<i64, Open>,
    next_id: i64,
}

impl Book {
    pub fn new(next_id: i64) -> Book {
        Book {
            next_id,
            ..Book::default()
        }
    }

    pub fn set_limit(&mut self, scope: Scope, limit: Option<Money>) {
        self.entries.entry(scope).or_default().limit = limit;
    }

    pub fn set_caps(&mut self, caps: Caps) {
        self.caps = caps;
    }

    fn effective_limit(&self, scope: &Scope, entry: Option<&Entry>) -> Option<Money> {
        let own = entry.and_then(|e| e.limit);
        match scope {
            Scope::Send(_) => own.or(self.caps.per_send),
            Scope::Batch(_) => own.or(self.caps.per_batch),
            _ => own,
        }
    }

    /// The scopes a call with this attribution counts against, outermost first.
    pub fn scopes_for(&self, a: &Attribution) -> Vec<Scope> {
        let mut v = Vec::with_capacity(5);
        v.push(Scope::Global);
        v.push(Scope::Campaign(a.campaign.clone()));
        v.push(Scope::Segment {
            campaign: a.campaign.clone(),
            segment: a.segment.clone(),
        });
        if let Some(b) = &a.batch_id {
            let s = Scope::Batch(b.clone());
            if self.caps.per_batch.is_some() || self.entries.contains_key(&s) {
                v.push(s);
            }
        }
        if let Some(x) = &a.send_id {
            let s = Scope::Send(x.clone());
            if self.caps.per_send.is_some() || self.entries.contains_key(&s) {
                v.push(s);
            }
        }
        v
    }

    pub fn reserve(
        &mut self,
        a: &Attribution,
        amount: Money,
        expires_ms: i64,
        label: AttemptLabel,
    ) -> Result<ReservationId, Refusal> {
        let amount = amount.max(Money::ZERO);
        let scopes = self.scopes_for(a);
        for s in &scopes {
            let e = self.entries.get(s);
            if let Some(limit) = self.effective_limit(s, e) {
                let committed = e.map(|e| e.spent + e.reserved).unwrap_or(Money::ZERO);
                let fits = committed
                    .checked_add(amount)
                    .is_some_and(|total| total <= limit);
                if !fits {
                    return Err(Refusal::for_scope(Shortfall {
                        scope: s.clone(),
                        limit,
                        committed,
                        requested: amount,
                    }));
                }
            }
        }
        for s in &scopes {
            self.entries.entry(s.clone()).or_default().reserved += amount;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.open.insert(
            id,
            Open {
                attribution: a.clone(),
                label,
                scopes,
                amount,
                expires_ms,
            },
        );
        Ok(ReservationId(id))
    }

    /// Book a reservation that already exists in storage (kept across a restart).
    pub fn adopt(
        &mut self,
        id: i64,
        a: &Attribution,
        amount: Money,
        expires_ms: i64,
        label: AttemptLabel,
    ) {
        let scopes = self.scopes_for(a);
        for s in &scopes {
            self.entries.entry(s.clone()).or_default().reserved += amount;
        }
        self.next_id = self.next_id.max(id + 1);
        self.open.insert(
            id,
            Open {
                attribution: a.clone(),
                label,
                scopes,
                amount,
                expires_ms,
            },
        );
    }

    /// Close a reservation, charging `cost` (zero for a release). `None` if it is not open.
    pub fn close(&mut self, id: ReservationId, cost: Money) -> Option<Open> {
        let open = self.open.remove(&id.0)?;
        for s in &open.scopes {
            let e = self.entries.entry(s.clone()).or_default();
            e.reserved -= open.amount;
            e.spent += cost;
        }
        Some(open)
    }

    /// Charge spend that held no reservation (replaying the ledger, a priced cache miss).
    pub fn charge(&mut self, a: &Attribution, cost: Money) {
        if cost.is_zero() {
            return;
        }
        for s in self.scopes_for(a) {
            self.entries.entry(s).or_default().spent += cost;
        }
    }

    /// [`Book::charge`] on every scope but the send's: used when replaying a ledger on open,
    /// where loading every send ever made would make memory grow with the list (a send's past
    /// spend is loaded when the send is next touched, see [`Book::needs_send_seed`]).
    pub fn charge_except_send(&mut self, a: &Attribution, cost: Money) {
        if cost.is_zero() {
            return;
        }
        for s in self.scopes_for(a) {
            if !matches!(s, Scope::Send(_)) {
                self.entries.entry(s).or_default().spent += cost;
            }
        }
    }

    /// Whether a call for this send counts against a per-send cap whose entry is not loaded.
    pub fn needs_send_seed(&self, send_id: &str) -> bool {
        let s = Scope::Send(send_id.to_string());
        self.caps.per_send.is_some() && !self.entries.contains_key(&s)
    }

    /// Load a send's spend from before this process.
    pub fn seed_send(&mut self, send_id: &str, spent: Money) {
        self.entries
            .entry(Scope::Send(send_id.to_string()))
            .or_default()
            .spent += spent;
    }

    /// Remove and return reservations past their expiry, charging each its reserved amount.
    pub fn take_expired(&mut self, now_ms: i64) -> Vec<(ReservationId, Open)> {
        let ids: Vec<i64> = self
            .open
            .iter()
            .filter(|(_, o)| o.expires_ms < now_ms)
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter()
            .filter_map(|id| {
                let amount = self.open.get(&id)?.amount;
                self.close(ReservationId(id), amount)
                    .map(|o| (ReservationId(id), o))
            })
            .collect()
    }

    pub fn status(&self, scope: &Scope) -> BudgetStatus {
        let e = self.entries.get(scope);
        BudgetStatus {
            limit: self.effective_limit(scope, e),
            spent: e.map(|e| e.spent).unwrap_or_default(),
            reserved: e.map(|e| e.reserved).unwrap_or_default(),
        }
    }

    pub fn forget(&mut self, scope: &Scope) {
        if matches!(scope, Scope::Send(_) | Scope::Batch(_))
            && self
                .entries
                .get(scope)
                .is_some_and(|e| e.reserved.is_zero() && e.limit.is_none())
        {
            self.entries.remove(scope);
        }
    }

    /// Never hand out an id at or below one already used in storage.
    pub fn bump_next_id(&mut self, at_least: i64) {
        self.next_id = self.next_id.max(at_least);
    }

    pub fn open_count(&self) -> usize {
        self.open.len()
    }

    /// Open reservations made for a provider batch (with a `batch_id`).
    pub fn open_batch(&self) -> Vec<(ReservationId, Attribution)> {
        let mut v: Vec<(ReservationId, Attribution)> = self
            .open
            .iter()
            .filter(|(_, o)| o.attribution.batch_id.is_some())
            .map(|(id, o)| (ReservationId(*id), o.attribution.clone()))
            .collect();
        v.sort_by_key(|(id, _)| *id);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn att(c: &str, s: &str, send: Option<&str>) -> Attribution {
        Attribution {
            campaign: c.into(),
            segment: s.into(),
            send_id: send.map(str::to_string),
            batch_id: None,
        }
    }

    #[test]
    fn refuses_the_outermost_budget_that_would_overrun() {
        let mut b = Book::new(1);
        b.set_limit(Scope::Campaign("c".into()), Some(Money::from_picos(100)));
        b.set_limit(
            Scope::Segment {
                campaign: "c".into(),
                segment: "s".into(),
            },
            Some(Money::from_picos(60)),
        );
        b.set_caps(Caps {
            per_send: Some(Money::from_picos(40)),
            per_batch: None,
        });
        let r = b.reserve(
            &att("c", "s", Some("x")),
            Money::from_picos(50),
            0,
            AttemptLabel::default(),
        );
        assert!(matches!(r, Err(Refusal::PerSendCap(_))));
        let id = b
            .reserve(
                &att("c", "s", Some("x")),
                Money::from_picos(40),
                0,
                AttemptLabel::default(),
            )
            .unwrap();
        let r = b.reserve(
            &att("c", "s", Some("y")),
            Money::from_picos(30),
            0,
            AttemptLabel::default(),
        );
        assert!(matches!(r, Err(Refusal::SegmentBudget(_))), "{r:?}");
        b.close(id, Money::from_picos(10)).unwrap();
        assert!(b.close(id, Money::from_picos(10)).is_none(), "closed twice");
        let st = b.status(&Scope::Campaign("c".into()));
        assert_eq!(
            (st.spent, st.reserved),
            (Money::from_picos(10), Money::ZERO)
        );
        b.reserve(
            &att("c", "s", Some("y")),
            Money::from_picos(30),
            0,
            AttemptLabel::default(),
        )
        .unwrap();
        let r = b.reserve(
            &att("c", "t", None),
            Money::from_picos(61),
            0,
            AttemptLabel::default(),
        );
        assert!(matches!(r, Err(Refusal::CampaignBudget(_))), "{r:?}");
    }

    #[test]
    fn uncapped_sends_are_not_tracked() {
        let mut b = Book::new(1);
        let id = b
            .reserve(
                &att("c", "s", Some("x")),
                Money::from_picos(5),
                0,
                AttemptLabel::default(),
            )
            .unwrap();
        b.close(id, Money::from_picos(5));
        assert_eq!(b.entries.len(), 3);
    }

    proptest! {
        // Any sequence of reserves and closes (settle at most the reserved amount) keeps every
        // capped scope within its limit, and closing everything returns reserved to zero.
        #[test]
        fn never_over_limit(ops in proptest::collection::vec((0u8..3, 0u8..3, 1i128..50, 0u8..3, 0i128..100), 1..200)) {
            let mut b = Book::new(1);
            b.set_limit(Scope::Global, Some(Money::from_picos(500)));
            for c in 0..3 { b.set_limit(Scope::Campaign(format!("c{c}")), Some(Money::from_picos(200))); }
            b.set_caps(Caps { per_send: Some(Money::from_picos(60)), per_batch: None });
            let mut open: Vec<(ReservationId, Money)> = Vec::new();
            for (c, s, amt, act, pct) in ops {
                let a = att(&format!("c{c}"), &format!("s{s}"), Some(&format!("x{}", amt % 4)));
                match act {
                    0 | 1 => if let Ok(id) = b.reserve(&a, Money::from_picos(amt), 0, AttemptLabel::default()) { open.push((id, Money::from_picos(amt))) },
                    _ => if let Some((id, m)) = open.pop() {
                        let cost = Money::from_picos(m.picos() * pct / 100);
                        b.close(id, cost);
                    }
                }
                for (scope, e) in &b.entries {
                    if let Some(l) = b.effective_limit(scope, Some(e)) {
                        prop_assert!(e.spent + e.reserved <= l, "{scope:?} {e:?}");
                    }
                }
            }
            for (id, _) in open { b.close(id, Money::ZERO); }
            for e in b.entries.values() { prop_assert!(e.reserved.is_zero()); }
        }
    }
}
