//! The local model behind candor's [`Provider`] trait.
//!
//! Calls are batched: each call's request goes to one worker thread (the model is CPU-bound
//! and must not block an async executor), which takes every request waiting at that moment,
//! up to [`LocalProvider::max_batch`], and runs them through the model together
//! ([`LocalModel::generate_batch`]: one forward pass per step for the whole batch, each
//! result identical to a generation alone). With several recipients in flight this is the
//! local tier's main throughput lever; with one in flight it is a plain call. The returned
//! future completes when the worker hands back that call's result.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use candor_domain::{ChatRequest, Completion, TokenCount, Usage};
use candor_providers::{BoxFuture, Provider, ProviderError};

use crate::{GenRequest, Generation, LocalError, LocalModel, SampleParams};

/// Default number of calls generated together.
pub const DEFAULT_MAX_BATCH: usize = 8;
/// How long the worker waits for more calls to join a batch once one is waiting.
const LINGER: Duration = Duration::from_millis(3);

/// The `local` provider.
pub struct LocalProvider {
    model: Arc<LocalModel>,
    /// Nucleus cut-off used when a request samples (temperature > 0).
    pub top_p: f32,
    queue: Mutex<Option<Sender<Job>>>,
    max_batch: usize,
    /// Generations run so far (calls, batches).
    stats: Arc<(AtomicU64, AtomicU64)>,
}

struct Job {
    req: GenRequest,
    slot: Arc<Mutex<Slot>>,
}

impl Drop for Job {
    /// A job dropped unanswered (the worker died mid-batch) still completes its call.
    fn drop(&mut self) {
        let unanswered = self
            .slot
            .lock()
            .map(|s| s.result.is_none())
            .unwrap_or(false);
        if unanswered {
            deliver(
                &self.slot,
                Err(ProviderError::Config(
                    "the local model thread stopped before answering".into(),
                )),
            );
        }
    }
}

impl LocalProvider {
    pub fn new(model: Arc<LocalModel>) -> Self {
        Self::with_max_batch(model, DEFAULT_MAX_BATCH)
    }

    /// A provider generating up to `max_batch` calls together (1 = one at a time).
    pub fn with_max_batch(model: Arc<LocalModel>, max_batch: usize) -> Self {
        LocalProvider {
            model,
            top_p: 0.95,
            queue: Mutex::new(None),
            max_batch: max_batch.max(1),
            stats: Arc::default(),
        }
    }

    pub fn model(&self) -> &Arc<LocalModel> {
        &self.model
    }

    pub fn max_batch(&self) -> usize {
        self.max_batch
    }

    /// (calls generated, batches run) by the worker so far.
    pub fn batch_stats(&self) -> (u64, u64) {
        (
            self.stats.0.load(Ordering::Relaxed),
            self.stats.1.load(Ordering::Relaxed),
        )
    }

    /// The call, synchronously, alone (no batching).
    pub fn complete_blocking(&self, request: &ChatRequest) -> Result<Completion, ProviderError> {
        let req = gen_request(&self.model, request, self.top_p)?;
        let g = self.model.generate(&req).map_err(to_provider_error)?;
        Ok(completion(&self.model, g))
    }

    /// The worker's queue, starting the worker on first use.
    fn sender(&self) -> Result<Sender<Job>, ProviderError> {
        let mut q = self
            .queue
            .lock()
            .map_err(|_| ProviderError::Config("local queue lock poisoned".into()))?;
        if let Some(tx) = q.as_ref() {
            return Ok(tx.clone());
        }
        let (tx, rx) = mpsc::channel::<Job>();
        let model = Arc::clone(&self.model);
        let max = self.max_batch;
        let stats = Arc::clone(&self.stats);
        std::thread::Builder::new()
            .name("candor-local".into())
            .spawn(move || worker(&model, &rx, max, &stats))
            .map_err(|e| {
                ProviderError::Config(format!("could not start the local model thread: {e}"))
            })?;
        *q = Some(tx.clone());
        Ok(tx)
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

fn gen_request(
    model: &LocalModel,
    request: &ChatRequest,
    top_p: f32,
) -> Result<GenRequest, ProviderError> {
    let params = SampleParams {
        max_tokens: request.max_output_tokens as usize,
        temperature: request.temperature.unwrap_or(0.0),
        top_p,
        seed: request.seed.unwrap_or(0),
        stop: request.stop.clone(),
    };
    model
        .chat_request(&request.messages, request.cacheable_prefix_messages, params)
        .map_err(to_provider_error)
}

fn completion(model: &LocalModel, g: Generation) -> Completion {
    let tc = |n: usize| TokenCount(n as u64);
    Completion {
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
        compute_ms: Some(g.compute.as_millis().try_into().unwrap_or(u64::MAX)),
    }
}

fn deliver(slot: &Arc<Mutex<Slot>>, result: Result<Completion, ProviderError>) {
    if let Ok(mut s) = slot.lock() {
        s.result = Some(result);
        if let Some(w) = s.waker.take() {
            w.wake();
        }
    }
}

/// Take what is waiting (up to `max`), generate it as one batch, hand back each result; until
/// every sender is gone.
fn worker(model: &LocalModel, rx: &Receiver<Job>, max: usize, stats: &(AtomicU64, AtomicU64)) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < max {
            match rx.recv_timeout(LINGER) {
                Ok(j) => jobs.push(j),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
            }
        }
        stats.0.fetch_add(jobs.len() as u64, Ordering::Relaxed);
        stats.1.fetch_add(1, Ordering::Relaxed);
        let reqs: Vec<GenRequest> = jobs.iter().map(|j| j.req.clone()).collect();
        match model.generate_batch(&reqs) {
            Ok(gens) if gens.len() == jobs.len() => {
                for (j, g) in jobs.iter().zip(gens) {
                    deliver(&j.slot, Ok(completion(model, g)));
                }
            }
            // One bad request (say, a prompt over the context) must not fail the others:
            // run them one by one so each gets its own result.
            _ => {
                for j in &jobs {
                    let r = model
                        .generate(&j.req)
                        .map(|g| completion(model, g))
                        .map_err(to_provider_error);
                    deliver(&j.slot, r);
                }
            }
        }
    }
}

impl Provider for LocalProvider {
    fn name(&self) -> &str {
        "local"
    }

    fn complete<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
        let req = match gen_request(&self.model, request, self.top_p) {
            Ok(r) => r,
            Err(e) => return Box::pin(std::future::ready(Err(e))),
        };
        let slot = Arc::new(Mutex::new(Slot::default()));
        let job = Job {
            req,
            slot: Arc::clone(&slot),
        };
        let sent = self.sender().and_then(|tx| {
            tx.send(job)
                .map_err(|_| ProviderError::Config("the local model thread has stopped".into()))
        });
        if let Err(e) = sent {
            return Box::pin(std::future::ready(Err(e)));
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
