//! The local model behind candor's [`Provider`] trait.
//!
//! A call runs on its own OS thread (the model is CPU-bound and must not block an async
//! executor); the returned future completes when that thread hands back its result. Calls are
//! serialised inside [`LocalModel`], so concurrent calls queue rather than fight for cores.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use candor_domain::{ChatRequest, Completion, TokenCount, Usage};
use candor_providers::{BoxFuture, Provider, ProviderError};

use crate::{LocalError, LocalModel, SampleParams};

/// The `local` provider.
pub struct LocalProvider {
    model: Arc<LocalModel>,
    /// Nucleus cut-off used when a request samples (temperature > 0).
    pub top_p: f32,
}

impl LocalProvider {
    pub fn new(model: Arc<LocalModel>) -> Self {
        LocalProvider { model, top_p: 0.95 }
    }

    pub fn model(&self) -> &Arc<LocalModel> {
        &self.model
    }

    /// The call, synchronously (what the provider's future runs on its thread).
    pub fn complete_blocking(&self, request: &ChatRequest) -> Result<Completion, ProviderError> {
        complete_sync(&self.model, request, self.top_p)
    }
}

fn to_provider_error(e: LocalError) -> ProviderError {
    match e {
        LocalError::ContextFull { .. } | LocalError::Template(_) => ProviderError::Refused {
            status: 400,
            message: e.to_string(),
        },
        other => ProviderError::Config(other.to_string()),
    }
}

fn complete_sync(
    model: &LocalModel,
    request: &ChatRequest,
    top_p: f32,
) -> Result<Completion, ProviderError> {
    let params = SampleParams {
        max_tokens: request.max_output_tokens as usize,
        temperature: request.temperature.unwrap_or(0.0),
        top_p,
        seed: request.seed.unwrap_or(0),
        stop: request.stop.clone(),
    };
    let req = model
        .chat_request(&request.messages, request.cacheable_prefix_messages, params)
        .map_err(to_provider_error)?;
    let g = model.generate(&req).map_err(to_provider_error)?;
    let tc = |n: usize| TokenCount(n as u64);
    Ok(Completion {
        text: g.text,
        usage: Usage {
            input_tokens: tc(g.prompt_tokens),
            cached_input_tokens: tc(g.cached_prompt_tokens),
            cache_write_tokens: tc(0),
            output_tokens: tc(g.output_tokens),
            reasoning_tokens: tc(0),
        },
        usage_reported: true,
        finish_reason: g.finish,
        model: model.name().to_string(),
    })
}

impl Provider for LocalProvider {
    fn name(&self) -> &str {
        "local"
    }

    fn complete<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
        let slot = Arc::new(Mutex::new(Slot::default()));
        let model = self.model.clone();
        let request = request.clone();
        let top_p = self.top_p;
        let thread_slot = slot.clone();
        let spawned = std::thread::Builder::new()
            .name("candor-local".into())
            .spawn(move || {
                let result = complete_sync(&model, &request, top_p);
                if let Ok(mut s) = thread_slot.lock() {
                    s.result = Some(result);
                    if let Some(w) = s.waker.take() {
                        w.wake();
                    }
                }
            });
        if let Err(e) = spawned {
            return Box::pin(std::future::ready(Err(ProviderError::Config(format!(
                "could not start the local model thread: {e}"
            )))));
        }
        Box::pin(SlotFuture { slot })
    }
}

#[derive(Default)]
struct Slot {
    result: Option<Result<Completion, ProviderError>>,
    waker: Option<Waker>,
}

struct SlotFuture {
    slot: Arc<Mutex<Slot>>,
}

impl Future for SlotFuture {
    type Output = Result<Completion, ProviderError>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Ok(mut s) = self.slot.lock() else {
            return Poll::Ready(Err(ProviderError::Config(
                "local model thread panicked".into(),
            )));
        };
        match s.result.take() {
            Some(r) => Poll::Ready(r),
            None => {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
