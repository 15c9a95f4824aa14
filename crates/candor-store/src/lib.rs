//! candor's store: the ledger, budgets and reservations, and the exact response cache.
//!
//! Job: hold every fact about spend so that a crash loses none of it, behind a [`Store`] trait
//! that the embedded SQLite implementation ([`SqliteStore`]) satisfies today and a Postgres one
//! (many workers) can satisfy later without callers changing.
//!
//! Invariants (every implementation must keep them):
//! - **Atomic reservation.** [`Store::reserve`] checks and books an amount against *every*
//!   budget that applies to a call (global, campaign, segment, send, batch) in one step; either
//!   all of them hold it or none does. For every scope, `spent + reserved ≤ limit` whenever a
//!   reservation is granted.
//! - **Settle replaces, never adds.** [`Store::settle`] removes the reservation and adds the
//!   actual cost in the same step as the ledger row is written; [`Store::release`] removes it and
//!   adds nothing. A reservation is closed at most once.
//! - **Spent is the ledger.** A scope's spent amount is the sum of the costs of its ledger rows;
//!   implementations may cache it but never diverge from it.
//! - **Owners and expiry.** A reservation carries its owner (one per opened store) and an expiry;
//!   reservations whose owner is gone are reconciled by charging their reserved worst case to the
//!   ledger as an `abandoned` row (a crashed call may have been billed; the budget must not
//!   pretend otherwise).
//! - **No raw addresses.** The ledger keys recipients by [`RecipientKey`], a salted hash.
//!
//! ## How a Postgres implementation satisfies the same trait (many workers)
//! - Tables as in [`SqliteStore`], plus `spent` and `reserved` columns on `budgets` (a cache of
//!   the ledger and the open reservations, updated in the same transactions).
//! - `reserve`: one transaction that locks the call's budget rows in a fixed order
//!   (`SELECT … WHERE scope = ANY($1) ORDER BY scope FOR UPDATE`, so two workers cannot
//!   deadlock), checks `spent + reserved + amount ≤ limit` on each, adds `amount` to `reserved`
//!   and inserts the reservation with its owner and `expires_at`. Committed = durable, so N
//!   workers never overspend.
//! - `settle` / `release`: one transaction that deletes the reservation (none deleted = already
//!   closed, [`StoreError::UnknownReservation`]), moves its amount off `reserved`, adds the cost
//!   to `spent` and inserts the ledger row.
//! - `release_now` (called from `Drop`): hand the release to a background task through a
//!   channel; if the process dies first, expiry catches it.
//! - `reconcile_expired`: any worker, periodically: `DELETE FROM reservations WHERE expires_at <
//!   now() RETURNING …`, charging each at its amount as an `abandoned` row.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use candor_domain::{Completion, Money, Usage};
use serde::{Deserialize, Serialize};

mod book;
mod doorbell;
mod keys;
mod memory;
mod sqlite;

pub use keys::{CacheKey, RecipientKey};
pub use memory::MemoryStore;
pub use sqlite::{LedgerSpend, SqliteOptions, SqliteStore};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Which budgets a call counts against. Every call counts against the global budget, its
/// campaign and its segment; `send_id` and `batch_id` bring in the per-send and per-batch caps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attribution {
    pub campaign: String,
    pub segment: String,
    /// One email being produced (all the calls of one recipient in one run).
    pub send_id: Option<String>,
    /// A group of sends submitted together (e.g. one provider batch job).
    pub batch_id: Option<String>,
}

impl Attribution {
    pub fn new(campaign: impl Into<String>, segment: impl Into<String>) -> Self {
        Attribution {
            campaign: campaign.into(),
            segment: segment.into(),
            send_id: None,
            batch_id: None,
        }
    }
}

/// What an attempt is, kept with its reservation so that one abandoned by a crash is recorded
/// with the provider, model, tier and stage it was for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttemptLabel {
    pub tier: String,
    pub stage: String,
    pub provider: String,
    pub model: String,
    pub attempt: u32,
    pub recipient: Option<RecipientKey>,
}

/// A budget.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scope {
    Global,
    Campaign(String),
    Segment { campaign: String, segment: String },
    Send(String),
    Batch(String),
}

impl Scope {
    /// A stable text form, used as the key in storage.
    pub fn key(&self) -> String {
        match self {
            Scope::Global => "global".to_string(),
            Scope::Campaign(c) => format!("campaign:{c}"),
            Scope::Segment { campaign, segment } => format!("segment:{campaign}\u{1f}{segment}"),
            Scope::Send(s) => format!("send:{s}"),
            Scope::Batch(b) => format!("batch:{b}"),
        }
    }

    pub fn from_key(key: &str) -> Option<Scope> {
        if key == "global" {
            return Some(Scope::Global);
        }
        let (kind, rest) = key.split_once(':')?;
        Some(match kind {
            "campaign" => Scope::Campaign(rest.to_string()),
            "segment" => {
                let (c, s) = rest.split_once('\u{1f}')?;
                Scope::Segment {
                    campaign: c.to_string(),
                    segment: s.to_string(),
                }
            }
            "send" => Scope::Send(rest.to_string()),
            "batch" => Scope::Batch(rest.to_string()),
            _ => return None,
        })
    }
}

/// The caps that apply to every send and every batch without a limit of their own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caps {
    pub per_send: Option<Money>,
    pub per_batch: Option<Money>,
}

/// How far a refused call was from fitting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shortfall {
    pub scope: Scope,
    pub limit: Money,
    /// Spent plus currently reserved.
    pub committed: Money,
    pub requested: Money,
}

/// Why a call was refused before it was made. The engine answers by falling to a cheaper tier.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("global budget exhausted: {} of {} committed, call needs up to {}", .0.committed, .0.limit, .0.requested)]
    GlobalBudget(Shortfall),
    #[error("campaign budget exhausted: {} of {} committed, call needs up to {}", .0.committed, .0.limit, .0.requested)]
    CampaignBudget(Shortfall),
    #[error("segment budget exhausted: {} of {} committed, call needs up to {}", .0.committed, .0.limit, .0.requested)]
    SegmentBudget(Shortfall),
    #[error("per-send cap reached: {} of {} committed, call needs up to {}", .0.committed, .0.limit, .0.requested)]
    PerSendCap(Shortfall),
    #[error("per-batch cap reached: {} of {} committed, call needs up to {}", .0.committed, .0.limit, .0.requested)]
    PerBatchCap(Shortfall),
}

impl Refusal {
    pub fn shortfall(&self) -> &Shortfall {
        match self {
            Refusal::GlobalBudget(s)
            | Refusal::CampaignBudget(s)
            | Refusal::SegmentBudget(s)
            | Refusal::PerSendCap(s)
            | Refusal::PerBatchCap(s) => s,
        }
    }

    pub(crate) fn for_scope(s: Shortfall) -> Refusal {
        match s.scope {
            Scope::Global => Refusal::GlobalBudget(s),
            Scope::Campaign(_) => Refusal::CampaignBudget(s),
            Scope::Segment { .. } => Refusal::SegmentBudget(s),
            Scope::Send(_) => Refusal::PerSendCap(s),
            Scope::Batch(_) => Refusal::PerBatchCap(s),
        }
    }
}

/// A budget's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BudgetStatus {
    pub limit: Option<Money>,
    pub spent: Money,
    pub reserved: Money,
}

impl BudgetStatus {
    /// What a new reservation could still take (`None` = unlimited).
    pub fn available(&self) -> Option<Money> {
        self.limit
            .map(|l| (l - self.spent - self.reserved).max(Money::ZERO))
    }
}

/// An open reservation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReservationId(pub i64);

/// A ledger row's id, to attach the gate verdict later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LedgerId(pub i64);

/// What became of one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Timeout,
    RateLimited,
    ServerError,
    BadResponse,
    RefusedByBudget,
    CacheHit,
    /// The provider refused the request (HTTP 4xx other than 408/429): not retried.
    ClientError,
    /// The connection failed before a response.
    TransportError,
    /// The caller dropped the call while it was in flight; its reservation was released.
    Cancelled,
    /// Left open by a process that died; charged at its reserved worst case on reconciliation.
    Abandoned,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Timeout => "timeout",
            Outcome::RateLimited => "rate_limited",
            Outcome::ServerError => "server_error",
            Outcome::BadResponse => "bad_response",
            Outcome::RefusedByBudget => "refused_by_budget",
            Outcome::CacheHit => "cache_hit",
            Outcome::ClientError => "client_error",
            Outcome::TransportError => "transport_error",
            Outcome::Cancelled => "cancelled",
            Outcome::Abandoned => "abandoned",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Some(match s {
            "ok" => Outcome::Ok,
            "timeout" => Outcome::Timeout,
            "rate_limited" => Outcome::RateLimited,
            "server_error" => Outcome::ServerError,
            "bad_response" => Outcome::BadResponse,
            "refused_by_budget" => Outcome::RefusedByBudget,
            "cache_hit" => Outcome::CacheHit,
            "client_error" => Outcome::ClientError,
            "transport_error" => Outcome::TransportError,
            "cancelled" => Outcome::Cancelled,
            "abandoned" => Outcome::Abandoned,
            _ => return None,
        })
    }
}

/// The authenticity gate's verdict on the email a call contributed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateVerdict {
    Pass,
    Fail,
}

impl GateVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            GateVerdict::Pass => "pass",
            GateVerdict::Fail => "fail",
        }
    }
}

/// One attempt, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerRow {
    /// Unix time in milliseconds.
    pub at_ms: i64,
    pub attribution: Attribution,
    pub tier: String,
    pub stage: String,
    pub recipient: Option<RecipientKey>,
    pub provider: String,
    pub model: String,
    pub usage: Usage,
    /// False when the provider sent no usage and `usage` is candor's own count.
    pub usage_reported: bool,
    /// The exact cost charged to the budgets (zero for failed, refused and cached attempts).
    pub cost: Money,
    /// What was reserved for the attempt (zero when nothing was).
    pub reserved: Money,
    pub latency_ms: u64,
    /// In-process inference time of the call (the local tier), in milliseconds.
    pub compute_ms: Option<u64>,
    /// 1 for the first attempt of a call, 2 for its first retry, ...
    pub attempt: u32,
    pub outcome: Outcome,
    pub gate: Option<GateVerdict>,
    /// A short, already-redacted note (the error, a refusal reason).
    pub detail: Option<String>,
}

/// A stored ledger row with its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: LedgerId,
    pub row: LedgerRow,
}

/// Which ledger rows to read.
#[derive(Clone, Debug, Default)]
pub struct LedgerFilter {
    pub campaign: Option<String>,
}

impl LedgerFilter {
    pub(crate) fn matches(&self, row: &LedgerRow) -> bool {
        self.campaign
            .as_ref()
            .is_none_or(|c| *c == row.attribution.campaign)
    }
}

/// What reconciliation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    pub abandoned: usize,
    pub charged: Money,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("cannot open the store at `{path}`: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("the store's background writer failed: {0}")]
    Writer(String),
    #[error("amount {0} does not fit the store's 64-bit picodollar column")]
    Overflow(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("unknown reservation {0:?} (already settled or released)")]
    UnknownReservation(ReservationId),
}

/// Why a reservation was not granted.
#[derive(Debug, thiserror::Error)]
pub enum ReserveError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where budgets, reservations, the ledger and the response cache live.
///
/// Methods return boxed futures so a networked implementation (Postgres) fits the same
/// signatures; the embedded implementations answer without blocking on I/O (writes are
/// committed by a background writer in batches), except where a method says it waits.
pub trait Store: Send + Sync {
    /// Set or clear (`None`) the limit of one budget.
    fn set_limit(
        &self,
        scope: Scope,
        limit: Option<Money>,
    ) -> BoxFuture<'_, Result<(), StoreError>>;
    /// Set the caps that apply to every send and batch.
    fn set_caps(&self, caps: Caps) -> BoxFuture<'_, Result<(), StoreError>>;
    fn status(&self, scope: Scope) -> BoxFuture<'_, Result<BudgetStatus, StoreError>>;
    /// Atomically reserve `amount` against every budget `attribution` falls under; refused with
    /// the first budget (outermost first) it would overrun. The reservation expires after `ttl`
    /// if its owner disappears without settling it.
    fn reserve(
        &self,
        attribution: &Attribution,
        amount: Money,
        ttl: Duration,
        label: &AttemptLabel,
    ) -> BoxFuture<'_, Result<ReservationId, ReserveError>>;
    /// Close a reservation with the attempt's actual cost (`row.cost`) and record the row.
    fn settle(
        &self,
        id: ReservationId,
        row: LedgerRow,
    ) -> BoxFuture<'_, Result<LedgerId, StoreError>>;
    /// [`Store::settle`] and [`Store::cache_put`] as one durable step, so that a crash never
    /// leaves a paid call in the ledger without its answer in the cache (a rerun would pay for
    /// it again). The default runs the two in order, for stores that keep nothing across runs.
    fn settle_cached<'a>(
        &'a self,
        id: ReservationId,
        row: LedgerRow,
        key: CacheKey,
        completion: &'a Completion,
    ) -> BoxFuture<'a, Result<LedgerId, StoreError>> {
        Box::pin(async move {
            let lid = self.settle(id, row).await?;
            self.cache_put(key, completion).await?;
            Ok(lid)
        })
    }
    /// Close a reservation without spend, recording the attempt's row if given.
    fn release(
        &self,
        id: ReservationId,
        row: Option<LedgerRow>,
    ) -> BoxFuture<'_, Result<Option<LedgerId>, StoreError>>;
    /// [`Store::release`] from a place that cannot wait (a `Drop`): must not block; the release
    /// takes effect on the budgets before it returns, its persistence may follow.
    fn release_now(&self, id: ReservationId, row: Option<LedgerRow>);
    /// Record an attempt that held no reservation (a cache hit, a refusal).
    fn record(&self, row: LedgerRow) -> BoxFuture<'_, Result<LedgerId, StoreError>>;
    fn set_gate_verdict(
        &self,
        id: LedgerId,
        verdict: GateVerdict,
    ) -> BoxFuture<'_, Result<(), StoreError>>;
    fn cache_get(&self, key: CacheKey) -> BoxFuture<'_, Result<Option<Completion>, StoreError>>;
    fn cache_put(
        &self,
        key: CacheKey,
        completion: &Completion,
    ) -> BoxFuture<'_, Result<(), StoreError>>;
    /// Ledger rows in id order (waits for pending writes).
    fn ledger(&self, filter: LedgerFilter) -> BoxFuture<'_, Result<Vec<LedgerEntry>, StoreError>>;
    /// Charge reservations whose expiry has passed (their owner is presumed dead).
    fn reconcile_expired(&self) -> BoxFuture<'_, Result<ReconcileReport, StoreError>>;
    /// Open reservations made for provider batches (attribution with a `batch_id`), which
    /// outlive the process that made them: a run releases those no batch record of its own
    /// claims (held by a process that died before recording or submitting them).
    fn batch_reservations(
        &self,
    ) -> BoxFuture<'_, Result<Vec<(ReservationId, Attribution)>, StoreError>>;
    /// Forget a finished send's or batch's budget entry (memory stays flat over a long list).
    /// Ignored while the scope still holds a reservation.
    fn forget_scope(&self, scope: Scope);
    /// Wait until everything written so far is durable.
    fn flush(&self) -> BoxFuture<'_, Result<(), StoreError>>;
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
