//! An in-memory [`Store`]: the same budget book as SQLite, nothing persisted. For tests and for
//! runs that need no record (`estimate`).
//!
//! Invariants: the same as every [`Store`]; all state sits behind one mutex, so a reservation is
//! checked and booked against all its scopes atomically.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use candor_domain::{Completion, Money};

use crate::book::Book;
use crate::{
    now_ms, AttemptLabel, Attribution, BoxFuture, BudgetStatus, CacheKey, Caps, GateVerdict,
    LedgerEntry, LedgerFilter, LedgerId, LedgerRow, Outcome, ReconcileReport, ReservationId,
    ReserveError, Scope, Store, StoreError,
};

#[derive(Default)]
struct Inner {
    book: Book,
    ledger: Vec<LedgerEntry>,
    cache: HashMap<CacheKey, Completion>,
}

#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore {
            inner: Mutex::new(Inner {
                book: Book::new(1),
                ..Inner::default()
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the book half-updated in a way that
        // matters more than losing the whole store, so keep serving.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Open reservations right now (tests assert it returns to zero).
    pub fn open_reservations(&self) -> usize {
        self.lock().book.open_count()
    }
}

impl Inner {
    fn push(&mut self, row: LedgerRow) -> LedgerId {
        let id = LedgerId(self.ledger.len() as i64 + 1);
        self.ledger.push(LedgerEntry { id, row });
        id
    }
}

fn ready<'a, T: Send + 'a>(v: T) -> BoxFuture<'a, T> {
    Box::pin(std::future::ready(v))
}

impl Store for MemoryStore {
    fn set_limit(
        &self,
        scope: Scope,
        limit: Option<Money>,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.lock().book.set_limit(scope, limit);
        ready(Ok(()))
    }

    fn set_caps(&self, caps: Caps) -> BoxFuture<'_, Result<(), StoreError>> {
        self.lock().book.set_caps(caps);
        ready(Ok(()))
    }

    fn status(&self, scope: Scope) -> BoxFuture<'_, Result<BudgetStatus, StoreError>> {
        ready(Ok(self.lock().book.status(&scope)))
    }

    fn reserve(
        &self,
        attribution: &Attribution,
        amount: Money,
        ttl: Duration,
        label: &AttemptLabel,
    ) -> BoxFuture<'_, Result<ReservationId, ReserveError>> {
        let expires = now_ms().saturating_add(ttl.as_millis() as i64);
        let r = self
            .lock()
            .book
            .reserve(attribution, amount, expires, label.clone());
        ready(r.map_err(ReserveError::Refused))
    }

    fn settle(
        &self,
        id: ReservationId,
        row: LedgerRow,
    ) -> BoxFuture<'_, Result<LedgerId, StoreError>> {
        let mut g = self.lock();
        let r = match g.book.close(id, row.cost) {
            Some(_) => Ok(g.push(row)),
            None => Err(StoreError::UnknownReservation(id)),
        };
        ready(r)
    }

    fn release(
        &self,
        id: ReservationId,
        row: Option<LedgerRow>,
    ) -> BoxFuture<'_, Result<Option<LedgerId>, StoreError>> {
        let mut g = self.lock();
        let r = match g.book.close(id, Money::ZERO) {
            Some(_) => Ok(row.map(|r| g.push(r))),
            None => Err(StoreError::UnknownReservation(id)),
        };
        ready(r)
    }

    fn release_now(&self, id: ReservationId, row: Option<LedgerRow>) {
        let mut g = self.lock();
        if g.book.close(id, Money::ZERO).is_some() {
            if let Some(r) = row {
                g.push(r);
            }
        }
    }

    fn record(&self, row: LedgerRow) -> BoxFuture<'_, Result<LedgerId, StoreError>> {
        let mut g = self.lock();
        g.book.charge(&row.attribution, row.cost);
        ready(Ok(g.push(row)))
    }

    fn set_gate_verdict(
        &self,
        id: LedgerId,
        verdict: GateVerdict,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        let mut g = self.lock();
        if let Some(e) = g.ledger.iter_mut().find(|e| e.id == id) {
            e.row.gate = Some(verdict);
        }
        ready(Ok(()))
    }

    fn cache_get(&self, key: CacheKey) -> BoxFuture<'_, Result<Option<Completion>, StoreError>> {
        ready(Ok(self.lock().cache.get(&key).cloned()))
    }

    fn cache_put(
        &self,
        key: CacheKey,
        completion: &Completion,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.lock().cache.insert(key, completion.clone());
        ready(Ok(()))
    }

    fn ledger(&self, filter: LedgerFilter) -> BoxFuture<'_, Result<Vec<LedgerEntry>, StoreError>> {
        let rows = self
            .lock()
            .ledger
            .iter()
            .filter(|e| filter.matches(&e.row))
            .cloned()
            .collect();
        ready(Ok(rows))
    }

    fn reconcile_expired(&self) -> BoxFuture<'_, Result<ReconcileReport, StoreError>> {
        let mut g = self.lock();
        let expired = g.book.take_expired(now_ms());
        let mut report = ReconcileReport::default();
        for (_, open) in expired {
            report.abandoned += 1;
            report.charged += open.amount;
            g.push(abandoned_row(&open.attribution, open.amount, &open.label));
        }
        ready(Ok(report))
    }

    fn batch_reservations(
        &self,
    ) -> BoxFuture<'_, Result<Vec<(ReservationId, Attribution)>, StoreError>> {
        ready(Ok(self.lock().book.open_batch()))
    }

    fn forget_scope(&self, scope: Scope) {
        self.lock().book.forget(&scope);
    }

    fn flush(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        ready(Ok(()))
    }
}

/// The ledger row charged for a reservation nobody settled.
pub(crate) fn abandoned_row(a: &Attribution, amount: Money, label: &AttemptLabel) -> LedgerRow {
    LedgerRow {
        compute_ms: None,
        at_ms: now_ms(),
        attribution: a.clone(),
        tier: label.tier.clone(),
        stage: label.stage.clone(),
        recipient: label.recipient.clone(),
        provider: label.provider.clone(),
        model: label.model.clone(),
        usage: Default::default(),
        usage_reported: false,
        cost: amount,
        reserved: amount,
        latency_ms: 0,
        attempt: label.attempt,
        outcome: Outcome::Abandoned,
        gate: None,
        detail: Some(
            "reservation left open by a process that stopped; charged at its reserved worst case"
                .to_string(),
        ),
    }
}
