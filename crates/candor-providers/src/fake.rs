//! A provider that makes no network call, chosen by model name, for unit tests (in the spirit of
//! TensorZero's dummy provider).
//!
//! Job: let tests of the governor and the engine drive every outcome without a server.
//!
//! Model names (anything else behaves like `fake-ok`):
//! - `fake-ok`: answers with the configured text; usage = ⌈chars/4⌉ per message as input,
//!   ⌈text chars/4⌉ as output (capped at `max_output_tokens`).
//! - `fake-no-usage`: answers without usage (`usage_reported = false`).
//! - `fake-rate-limited`: HTTP 429 with a 1 s `Retry-After`.
//! - `fake-server-error`: HTTP 500.
//! - `fake-bad-response`: an unparseable response.
//! - `fake-refused`: HTTP 400 (not retryable).
//! - `fake-hang`: never answers (the governor's timeout or a cancellation must end it).
//! - `fake-flaky`: fails with HTTP 503 on every odd-numbered call of this provider, then answers.
//!
//! A test can also queue exact replies with [`FakeProvider::push`]; queued replies are used first,
//! in order, whatever the model name.
//!
//! Invariants: deterministic for a given request, script and call count; counts every call.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use candor_domain::{ChatRequest, Completion, FinishReason, TokenCount, Usage};

use crate::{BoxFuture, Provider, ProviderError};

/// One scripted reply.
#[derive(Debug)]
pub enum FakeReply {
    /// Answer with this text; `usage: None` answers without usage.
    Ok {
        text: String,
        usage: Option<Usage>,
    },
    Fail(ProviderError),
    /// Never answer.
    Hang,
    /// Wait, then behave as the inner reply.
    After(Duration, Box<FakeReply>),
}

#[derive(Debug)]
pub struct FakeProvider {
    name: String,
    text: String,
    calls: AtomicU64,
    script: Mutex<VecDeque<FakeReply>>,
}

impl Default for FakeProvider {
    fn default() -> Self {
        FakeProvider::new("fake")
    }
}

fn approx_tokens(s: &str) -> u64 {
    (s.chars().count() as u64).div_ceil(4)
}

impl FakeProvider {
    pub fn new(name: impl Into<String>) -> Self {
        FakeProvider {
            name: name.into(),
            text: "Hi there, thanks for being with us.".to_string(),
            calls: AtomicU64::new(0),
            script: Mutex::new(VecDeque::new()),
        }
    }

    /// Queue a reply for the next call.
    pub fn push(&self, reply: FakeReply) {
        self.script
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back(reply);
    }

    /// The text every successful call answers with.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = text.into();
        self
    }

    /// Calls made so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }

    /// The usage a successful call on `request` reports.
    pub fn usage_for(&self, request: &ChatRequest) -> Usage {
        let input: u64 = request
            .messages
            .iter()
            .map(|m| approx_tokens(&m.content))
            .sum();
        let output = approx_tokens(&self.text).min(u64::from(request.max_output_tokens));
        Usage {
            input_tokens: TokenCount(input),
            output_tokens: TokenCount(output),
            ..Usage::default()
        }
    }

    async fn call(&self, request: &ChatRequest) -> Result<Completion, ProviderError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let scripted = self
            .script
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front();
        if let Some(reply) = scripted {
            return play(reply, request).await;
        }
        let ok = |usage_reported: bool| Completion {
            compute_ms: None,
            text: self.text.clone(),
            usage: if usage_reported {
                self.usage_for(request)
            } else {
                Usage::default()
            },
            usage_reported,
            finish_reason: FinishReason::Stop,
            model: request.model.clone(),
        };
        match request.model.as_str() {
            "fake-no-usage" => Ok(ok(false)),
            "fake-rate-limited" => Err(ProviderError::RateLimited {
                retry_after: Some(Duration::from_secs(1)),
            }),
            "fake-server-error" => Err(ProviderError::Server {
                status: 500,
                retry_after: None,
            }),
            "fake-bad-response" => Err(ProviderError::BadResponse(
                "malformed JSON (fake)".to_string(),
            )),
            "fake-refused" => Err(ProviderError::Refused {
                status: 400,
                message: "fake refusal".to_string(),
            }),
            "fake-hang" => std::future::pending().await,
            "fake-flaky" if n % 2 == 1 => Err(ProviderError::Server {
                status: 503,
                retry_after: None,
            }),
            _ => Ok(ok(true)),
        }
    }
}

async fn play(mut reply: FakeReply, request: &ChatRequest) -> Result<Completion, ProviderError> {
    loop {
        match reply {
            FakeReply::After(d, inner) => {
                tokio::time::sleep(d).await;
                reply = *inner;
            }
            FakeReply::Hang => return std::future::pending().await,
            FakeReply::Fail(e) => return Err(e),
            FakeReply::Ok { text, usage } => {
                return Ok(Completion {
                    compute_ms: None,
                    text,
                    usage_reported: usage.is_some(),
                    usage: usage.unwrap_or_default(),
                    finish_reason: FinishReason::Stop,
                    model: request.model.clone(),
                })
            }
        }
    }
}

impl Provider for FakeProvider {
    fn name(&self) -> &str {
        &self.name
    }

    fn complete<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
        Box::pin(self.call(request))
    }
}
