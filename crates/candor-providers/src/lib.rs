//! Model providers behind one trait.
//!
//! A provider turns a [`ChatRequest`] into a [`Completion`] with exact, normalised [`Usage`].
//! It knows nothing of budgets: the governor wraps every call.
//!
//! Modules: [`openai`] (any OpenAI-compatible Chat Completions endpoint, and its Batch API),
//! [`batch`] (batch APIs: many requests as one half-price job), [`anthropic`]
//! (Messages API with `cache_control` on the static prefix), [`fake`] (chosen by model name, for
//! unit tests), [`secret`] (API keys that cannot be printed), [`spec`] (a provider from
//! configuration) and [`retry_after`].
//!
//! Invariants: usage is normalised so that input, cached-input and cache-write tokens are
//! disjoint; a response without usage is returned with `usage_reported = false` (never guessed
//! here); an API key never appears in a `Debug`/`Display` output or an error message.

pub mod anthropic;
pub mod batch;
pub mod fake;
mod http;
pub mod openai;
pub mod retry_after;
pub mod secret;
pub mod spec;

pub use anthropic::AnthropicProvider;
pub use batch::{BatchApi, BatchItem, BatchLimits, BatchResult, BatchState};
pub use fake::{FakeProvider, FakeReply};
pub use openai::OpenAiProvider;
pub use secret::{ApiKey, KeySource};
pub use spec::{ProviderKind, ProviderSpec};

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub use candor_domain::{ChatRequest, Completion, Usage};

/// Why a provider call failed, sorted so the governor can decide to retry, wait or give up.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("rate limited by provider{}", .retry_after.map(|d| format!(" (retry after {:.1}s)", d.as_secs_f64())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    #[error("provider server error (HTTP {status})")]
    Server {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("bad response: {0}")]
    BadResponse(String),
    #[error("request refused by provider (HTTP {status}): {message}")]
    Refused { status: u16, message: String },
    #[error("transport error: {0}")]
    Transport(String),
    #[error("provider misconfigured: {0}")]
    Config(String),
}

impl ProviderError {
    /// Whether a retry may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ProviderError::RateLimited { .. }
                | ProviderError::Server { .. }
                | ProviderError::Timeout(_)
                | ProviderError::Transport(_)
                | ProviderError::BadResponse(_)
        )
    }
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A model provider. Object-safe so the engine can hold `Arc<dyn Provider>` per configured name.
pub trait Provider: Send + Sync {
    /// Stable name used in the ledger (`openai`, `anthropic`, `local`, ...).
    fn name(&self) -> &str;
    /// Make one call. No retries here: the governor owns retry, backoff and budgets.
    fn complete<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>>;
    /// The provider's batch API, if it has one.
    fn batch(&self) -> Option<&dyn BatchApi> {
        None
    }
}
