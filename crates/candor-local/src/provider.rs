//! The local model behind candor's [`Provider`] trait.
//!
//! Calls are batched continuously: each call's request goes to one worker thread (the model is
//! CPU-bound and must not block an async executor), which keeps up to
//! [`LocalProvider::max_batch`] calls in flight in a [`crate::Session`]: every forward pass
//! advances all of them, admits calls that arrived meanwhile (their prompts prefilled in the
//! same pass) and hands back those that finished. Each result is identical to a generation
//! alone. With several recipients in flight this is the local tier's main throughput lever;
//! with one in flight it is a plain call. The returned future completes when the worker hands
//! back that call's result.

use std::collections::HashMap;
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

/// Default number of calls generated together. Sixteen: decoding reads every weight once per
/// step whatever the batch, so a step of 16 rows costs well under twice a step of 8 (about 78
/// against 45 ms for Qwen2.5-0.5B on two cores), and with the cache in half precision 16
/// sequences fit within the memory goal (`bench/local`).
pub const DEFAULT_MAX_BATCH: usize = 16;
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

    /// (calls taken, batches started from idle) by the worker so far: calls that joined a
    /// batch already running count in the first figure only.
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

/// Continuous batching, until every sender is gone: while calls are in flight, each forward
/// pass admits whatever is waiting (up to `max` in flight) and hands back every call that
/// finished, so a call never waits for a whole batch to end.
fn worker(model: &LocalModel, rx: &Receiver<Job>, max: usize, stats: &(AtomicU64, AtomicU64)) {
    while let Ok(first) = rx.recv() {
        let mut session = match model.session() {
            Ok(s) => s,
            Err(e) => {
                deliver(&first.slot, Err(to_provider_error(e)));
                continue;
            }
        };
        stats.1.fetch_add(1, Ordering::Relaxed);
        let mut jobs: HashMap<u64, Job> = HashMap::new();
        let admit = |session: &mut crate::Session<'_>, jobs: &mut HashMap<u64, Job>, j: Job| {
            stats.0.fetch_add(1, Ordering::Relaxed);
            // A request that cannot run (say, a prompt over the context) fails alone.
            match session.add(j.req.clone()) {
                Ok(id) => {
                    jobs.insert(id, j);
                }
                Err(e) => deliver(&j.slot, Err(to_provider_error(e))),
            }
        };
        admit(&mut session, &mut jobs, first);
        // Calls sent together (a burst of recipients) start together.
        while session.len() < max {
            match rx.recv_timeout(LINGER) {
                Ok(j) => admit(&mut session, &mut jobs, j),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
            }
        }
        while !session.is_empty() {
            match session.step() {
                Ok(done) => {
                    for (id, g) in done {
                        if let Some(j) = jobs.remove(&id) {
                            deliver(&j.slot, Ok(completion(model, g)));
                        }
                    }
                }
                Err(e) => {
                    let msg = e.to_string();
                    for (_, j) in jobs.drain() {
                        deliver(&j.slot, Err(ProviderError::Config(msg.clone())));
                    }
                    break;
                }
            }
            while session.len() < max {
                match rx.try_recv() {
                    Ok(j) => admit(&mut session, &mut jobs, j),
                    Err(_) => break,
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
