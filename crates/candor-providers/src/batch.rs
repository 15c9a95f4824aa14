//! Provider batch APIs: many requests submitted as one job, answered within hours at half
//! price (OpenAI Batch; Anthropic Message Batches follow the same shape).
//!
//! Job: submit a set of chat requests under caller-chosen ids, report progress, and hand back
//! each request's completion or error by id once the job has ended.
//!
//! Invariants: nothing here retries or prices; the engine reserves every request's worst case
//! before [`BatchApi::submit`] and settles each from [`BatchApi::results`]. An id from `submit`
//! is the provider's: it is all a later process needs to collect the results.

use candor_domain::{ChatRequest, Completion};

use crate::{BoxFuture, ProviderError};

/// One request of a batch, under the caller's id (unique within the batch).
#[derive(Clone, Debug)]
pub struct BatchItem {
    pub custom_id: String,
    pub request: ChatRequest,
}

/// Where a submitted batch stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchState {
    /// Accepted and being worked on: `done` of `total` requests answered so far.
    Running { done: u64, total: u64 },
    /// Finished (completed, or expired/cancelled with some requests answered): results are
    /// ready, each request's own outcome in [`BatchApi::results`].
    Ended,
    /// The batch as a whole failed (validation, for instance): no request was answered.
    Failed(String),
}

/// One request's outcome, by its id.
pub type BatchResult = (String, Result<Completion, ProviderError>);

/// The outcomes `found` in the provider's answer, in the order of `ids`; an id the answer
/// lacks is an error, never dropped.
pub(crate) fn in_order(
    mut found: std::collections::HashMap<String, Result<Completion, ProviderError>>,
    ids: &[String],
) -> Vec<BatchResult> {
    ids.iter()
        .map(|id| {
            let r = found.remove(id).unwrap_or_else(|| {
                Err(ProviderError::BadResponse(format!(
                    "request `{id}` is missing from the batch's results"
                )))
            });
            (id.clone(), r)
        })
        .collect()
}

/// How much one batch may hold: a larger one is refused whole by the provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchLimits {
    pub max_requests: usize,
    /// The request file (or body) size, in bytes.
    pub max_bytes: usize,
}

/// A provider's batch endpoint.
pub trait BatchApi: Send + Sync {
    /// The provider's per-batch limits (with some headroom under the documented ones).
    fn limits(&self) -> BatchLimits;
    /// Submit `items` as one batch; `label` is attached where the provider keeps metadata.
    /// Returns the provider's batch id.
    fn submit<'a>(
        &'a self,
        items: &'a [BatchItem],
        label: &'a str,
    ) -> BoxFuture<'a, Result<String, ProviderError>>;
    fn state<'a>(&'a self, batch_id: &'a str) -> BoxFuture<'a, Result<BatchState, ProviderError>>;
    /// The id of a recent batch submitted under `label`, where the provider keeps it (to find
    /// a batch whose submission was cut off before its id was known); `None` when the provider
    /// has none, or cannot tell.
    fn find<'a>(&'a self, _label: &'a str) -> BoxFuture<'a, Result<Option<String>, ProviderError>> {
        Box::pin(async { Ok(None) })
    }
    /// Every request's outcome, once [`BatchState::Ended`]; a request missing from the
    /// provider's answer is reported as an error, never dropped.
    fn results<'a>(
        &'a self,
        batch_id: &'a str,
        ids: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<BatchResult>, ProviderError>>;
}
