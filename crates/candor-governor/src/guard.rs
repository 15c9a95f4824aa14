//! The reservation guard: whatever happens to the future holding it, a reservation is closed.
//!
//! Invariants: `settle` and `release` consume the guard and disarm it before touching the store;
//! if the guard is dropped armed (the caller's future was cancelled while the call was in
//! flight), `Drop` releases the reservation through [`Store::release_now`], which frees the budget
//! before it returns, and records the attempt as `cancelled`.

use candor_domain::Completion;
use candor_store::{CacheKey, LedgerId, LedgerRow, ReservationId, Store, StoreError};

pub struct ReservationGuard<'a> {
    store: &'a dyn Store,
    id: Option<ReservationId>,
    on_drop: Option<LedgerRow>,
}

impl<'a> ReservationGuard<'a> {
    pub fn new(store: &'a dyn Store, id: ReservationId, on_drop: LedgerRow) -> Self {
        ReservationGuard {
            store,
            id: Some(id),
            on_drop: Some(on_drop),
        }
    }

    pub fn id(&self) -> Option<ReservationId> {
        self.id
    }

    /// Close with the actual cost in `row.cost`.
    pub async fn settle(mut self, row: LedgerRow) -> Result<LedgerId, StoreError> {
        match self.id.take() {
            Some(id) => self.store.settle(id, row).await,
            None => Err(StoreError::Writer("reservation already closed".to_string())),
        }
    }

    /// Close with the actual cost and store the answer in the response cache, durably together.
    pub async fn settle_cached(
        mut self,
        row: LedgerRow,
        key: CacheKey,
        completion: &Completion,
    ) -> Result<LedgerId, StoreError> {
        match self.id.take() {
            Some(id) => self.store.settle_cached(id, row, key, completion).await,
            None => Err(StoreError::Writer("reservation already closed".to_string())),
        }
    }

    /// Close without spend.
    pub async fn release(mut self, row: LedgerRow) -> Result<Option<LedgerId>, StoreError> {
        match self.id.take() {
            Some(id) => self.store.release(id, Some(row)).await,
            None => Ok(None),
        }
    }
}

impl Drop for ReservationGuard<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            self.store.release_now(id, self.on_drop.take());
        }
    }
}
