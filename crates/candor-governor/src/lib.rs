//! The governor: every paid call is priced, reserved, made, settled and recorded here.
//!
//! Job: one entry point, [`Governor::call`], that
//! 1. answers from the exact response cache when it can (a `cache_hit` row, zero cost);
//! 2. counts the prompt, waits for the provider's rate limits (requests and tokens per minute,
//!    and any `Retry-After` pause), then reserves the call's worst case (prompt tokens at the
//!    dearest input rate + the full output cap) against every budget that applies, atomically —
//!    or refuses the call with a typed [`Refusal`] the engine acts on by falling to a cheaper
//!    tier;
//! 3. makes the call under a timeout and settles the reservation to the actual cost (or releases
//!    it on failure);
//! 4. retries retryable failures with exponential backoff and jitter, honouring `Retry-After`,
//!    up to a limit, behind a circuit breaker per provider;
//! 5. writes one ledger row per attempt.
//!
//! Invariants:
//! - No provider call is made without an open reservation covering its worst case. With exact
//!   prompt counts and a provider that respects the output cap, settled spend can therefore never
//!   pass any cap, whatever the concurrency, retries or cancellations.
//! - A reservation is closed exactly once: settled after success, released after failure, and
//!   released by the [`guard`]'s `Drop` if the caller's future is cancelled mid-call (recorded as
//!   `cancelled`), so a dropped future cannot leak budget.
//! - A response without usage is priced from candor's own counts (prompt as uncached input, the
//!   text's tokens as output) and flagged (`usage_reported = false` in the row and the outcome).
//! - Failed attempts are recorded with zero usage and zero cost, so the ledger's total always
//!   equals the sum over rows of the price of their usage.
//!
//! Use:
//! ```ignore
//! let store: Arc<dyn Store> = Arc::new(SqliteStore::open("candor.db", SqliteOptions::default())?);
//! store.set_limit(Scope::Campaign("spring".into()), Some(Money::from_dollars(50))).await?;
//! store.set_caps(Caps { per_send: Some(Money::from_cents(2)), per_batch: None }).await?;
//! let governor = Governor::new(store.clone(), GovernorConfig::default());
//! let ctx = CallContext {
//!     attribution: Attribution { send_id: Some(send_id), ..Attribution::new("spring", "lapsed") },
//!     tier: "standard".into(),
//!     stage: "opener".into(),
//!     recipient: Some(RecipientKey::derive(&salt, &recipient.email)),
//!     ..CallContext::default()
//! };
//! match governor.call(&ctx, provider.as_ref(), &request, prices.get(&request.model)?).await {
//!     Ok(out) => { /* gate the text, then store.set_gate_verdict(out.ledger_id, verdict) */ }
//!     Err(e) if e.should_fall_back() => { /* next tier down */ }
//!     Err(e) => return Err(e.into()), // the store failed: stop the run
//! }
//! store.forget_scope(Scope::Send(send_id)); // when the send is finished
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use candor_domain::{ChatRequest, Completion, Money, TokenCount, Usage};
use candor_providers::{Provider, ProviderError};
use candor_store::{
    AttemptLabel, Attribution, CacheKey, LedgerId, LedgerRow, Outcome, RecipientKey, Refusal,
    ReservationId, ReserveError, Store, StoreError,
};
use tokio::time::Instant;
use tracing::Instrument;

mod backoff;
mod breaker;
pub mod guard;
mod limiter;

pub use limiter::RateLimit;

use breaker::Breaker;
use guard::ReservationGuard;
use limiter::Limiter;

/// What a call costs, from a model's prices. Implemented for the price table's
/// [`candor_pricing::ModelPrice`]; tests supply their own.
pub trait Pricer: Send + Sync {
    /// Exact cost of a usage.
    fn cost(&self, usage: &Usage, batch: bool) -> Money;
    /// An upper bound on the cost of a call with this prompt and output cap.
    fn worst_case(
        &self,
        prompt_tokens: TokenCount,
        max_output_tokens: TokenCount,
        batch: bool,
    ) -> Money;
}

impl Pricer for candor_pricing::ModelPrice {
    fn cost(&self, usage: &Usage, batch: bool) -> Money {
        candor_pricing::ModelPrice::cost(self, usage, batch)
    }
    fn worst_case(
        &self,
        prompt_tokens: TokenCount,
        max_output_tokens: TokenCount,
        batch: bool,
    ) -> Money {
        candor_pricing::ModelPrice::worst_case(self, prompt_tokens, max_output_tokens, batch)
    }
}

/// Timeouts, retries, breaker and rate limits.
#[derive(Clone, Debug)]
pub struct GovernorConfig {
    /// Whole-call limit: connect, wait, and read the full body.
    pub call_timeout: Duration,
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// A provider asking to wait longer than this is not waited for: the call fails so the
    /// engine can fall to another tier.
    pub max_retry_after: Duration,
    /// Consecutive unhealthy failures that open a provider's circuit.
    pub breaker_threshold: u32,
    pub breaker_cooldown: Duration,
    /// Per provider name.
    pub rate_limits: HashMap<String, RateLimit>,
    /// Check and fill the exact response cache.
    pub use_cache: bool,
}

impl Default for GovernorConfig {
    fn default() -> Self {
        GovernorConfig {
            call_timeout: Duration::from_secs(60),
            max_attempts: 3,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(30),
            rate_limits: HashMap::new(),
            use_cache: true,
        }
    }
}

/// Who a call is for and where its spend goes.
#[derive(Clone, Debug, Default)]
pub struct CallContext {
    /// Campaign, segment, send and batch: the budgets the call counts against.
    pub attribution: Attribution,
    pub tier: String,
    pub stage: String,
    pub recipient: Option<RecipientKey>,
    /// Priced at batch-API rates.
    pub batch_pricing: bool,
    /// The prompt's token count if the caller already has it (e.g. the static prefix counted
    /// once per campaign); otherwise the governor counts with the model's tokenizer.
    pub prompt_tokens: Option<TokenCount>,
}

/// A successful call.
#[derive(Clone, Debug)]
pub struct CallOutcome {
    pub completion: Completion,
    /// What the budgets were charged (zero for a cache hit).
    pub cost: Money,
    /// What was reserved for the successful attempt.
    pub reserved: Money,
    pub cache_hit: bool,
    pub attempts: u32,
    /// The successful attempt's ledger row (for the gate verdict).
    pub ledger_id: LedgerId,
    /// True when the provider sent no usage and the cost is from candor's own counts.
    pub usage_estimated: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum GovernorError {
    /// The call does not fit a budget: fall to a cheaper tier.
    #[error("call refused: {0}")]
    Refused(Refusal),
    /// The provider's circuit is open: use another provider or tier.
    #[error(
        "provider `{provider}` is unavailable: {failures} failures in a row, the last: {last} \
         (no calls to it for another {:.0} s)",
        remaining.as_secs_f64().ceil()
    )]
    CircuitOpen {
        provider: String,
        remaining: Duration,
        /// Consecutive failures counted when the circuit opened or was last refused.
        failures: u32,
        /// The last of them.
        last: String,
    },
    /// The provider failed (after retries, if retryable).
    #[error("provider `{provider}` failed after {attempts} attempt(s): {source}")]
    Provider {
        provider: String,
        attempts: u32,
        #[source]
        source: ProviderError,
    },
    #[error("store error: {0}")]
    Store(#[from] StoreError),
}

impl GovernorError {
    /// Whether the engine should try a cheaper tier (true for everything but store failures,
    /// which mean the run itself cannot be recorded and must stop).
    pub fn should_fall_back(&self) -> bool {
        !matches!(self, GovernorError::Store(_))
    }
}

/// A call held for a provider batch: its worst case reserved at batch prices, its ledger row
/// written when the batch's result for it is settled ([`Governor::settle_held`]).
#[derive(Clone, Debug)]
pub struct Held {
    pub key: CacheKey,
    pub reservation: ReservationId,
    pub worst: Money,
    pub prompt_tokens: TokenCount,
    /// Who the call is for; `attribution.batch_id` names the batch.
    pub ctx: CallContext,
    pub provider: String,
    pub model: String,
}

/// What [`Governor::hold`] did.
#[derive(Debug)]
pub enum Hold {
    /// The exact request was answered before: nothing to send, nothing reserved or recorded.
    Cached(Completion),
    Held(Held),
}

struct ProviderState {
    limiter: Limiter,
    breaker: Breaker,
}

/// The one gate every paid call passes.
pub struct Governor {
    store: Arc<dyn Store>,
    config: GovernorConfig,
    providers: Mutex<HashMap<String, Arc<ProviderState>>>,
}

fn outcome_of(e: &ProviderError) -> Outcome {
    match e {
        ProviderError::RateLimited { .. } => Outcome::RateLimited,
        ProviderError::Server { .. } => Outcome::ServerError,
        ProviderError::Timeout(_) => Outcome::Timeout,
        ProviderError::BadResponse(_) => Outcome::BadResponse,
        ProviderError::Refused { .. } | ProviderError::Config(_) => Outcome::ClientError,
        ProviderError::Transport(_) => Outcome::TransportError,
    }
}

fn retry_after(e: &ProviderError) -> Option<Duration> {
    match e {
        ProviderError::RateLimited { retry_after } | ProviderError::Server { retry_after, .. } => {
            *retry_after
        }
        _ => None,
    }
}

/// Failures that say the provider is unhealthy (rate limits and refusals do not).
fn counts_against_breaker(e: &ProviderError) -> bool {
    matches!(
        e,
        ProviderError::Server { .. }
            | ProviderError::Timeout(_)
            | ProviderError::Transport(_)
            | ProviderError::BadResponse(_)
    )
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Governor {
    pub fn new(store: Arc<dyn Store>, config: GovernorConfig) -> Governor {
        Governor {
            store,
            config,
            providers: Mutex::new(HashMap::new()),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn config(&self) -> &GovernorConfig {
        &self.config
    }

    fn provider_state(&self, name: &str) -> Arc<ProviderState> {
        let mut map = self.providers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = map.get(name) {
            return Arc::clone(s);
        }
        let s = Arc::new(ProviderState {
            limiter: Limiter::new(
                self.config
                    .rate_limits
                    .get(name)
                    .copied()
                    .unwrap_or_default(),
            ),
            breaker: Breaker::new(self.config.breaker_threshold, self.config.breaker_cooldown),
        });
        map.insert(name.to_string(), Arc::clone(&s));
        s
    }

    /// The prompt's token count: the caller's, or the model's tokenizer's (which includes a
    /// stated margin where no exact tokenizer exists).
    pub fn prompt_tokens(ctx: &CallContext, request: &ChatRequest) -> TokenCount {
        ctx.prompt_tokens.unwrap_or_else(|| {
            candor_pricing::tokens::count_messages(&request.model, &request.messages).tokens
        })
    }

    /// What [`Governor::call`] would reserve for this request (for planning).
    pub fn worst_case(
        &self,
        ctx: &CallContext,
        request: &ChatRequest,
        price: &dyn Pricer,
    ) -> Money {
        price.worst_case(
            Self::prompt_tokens(ctx, request),
            TokenCount(u64::from(request.max_output_tokens)),
            ctx.batch_pricing,
        )
    }

    fn row(
        &self,
        ctx: &CallContext,
        provider: &str,
        model: &str,
        attempt: u32,
        outcome: Outcome,
        reserved: Money,
    ) -> LedgerRow {
        LedgerRow {
            compute_ms: None,
            at_ms: now_ms(),
            attribution: ctx.attribution.clone(),
            tier: ctx.tier.clone(),
            stage: ctx.stage.clone(),
            recipient: ctx.recipient.clone(),
            provider: provider.to_string(),
            model: model.to_string(),
            usage: Usage::default(),
            usage_reported: true,
            cost: Money::ZERO,
            reserved,
            latency_ms: 0,
            attempt,
            outcome,
            gate: None,
            detail: None,
        }
    }

    /// Prepare a call for a provider batch: answer it from the response cache if the exact
    /// request was answered before, else reserve its worst case at batch prices against every
    /// budget of `ctx.attribution` (whose `batch_id` names the batch, so the per-batch cap
    /// applies) for `ttl`, long enough for the batch to end. Nothing is sent and nothing is
    /// recorded: the ledger row is written by [`Governor::settle_held`]. A refusal is returned
    /// unrecorded too; the synchronous call that follows records it if it is refused again.
    pub async fn hold(
        &self,
        ctx: &CallContext,
        provider: &str,
        request: &ChatRequest,
        price: &dyn Pricer,
        ttl: Duration,
    ) -> Result<Hold, GovernorError> {
        let key = CacheKey::for_request(provider, request);
        if self.config.use_cache {
            if let Some(completion) = self.store.cache_get(key).await? {
                return Ok(Hold::Cached(completion));
            }
        }
        let prompt_tokens = Self::prompt_tokens(ctx, request);
        let max_out = TokenCount(u64::from(request.max_output_tokens));
        let worst = price.worst_case(prompt_tokens, max_out, true);
        let label = AttemptLabel {
            tier: ctx.tier.clone(),
            stage: ctx.stage.clone(),
            provider: provider.to_string(),
            model: request.model.clone(),
            attempt: 1,
            recipient: ctx.recipient.clone(),
        };
        let reservation = match self
            .store
            .reserve(&ctx.attribution, worst, ttl, &label)
            .await
        {
            Ok(id) => id,
            Err(ReserveError::Refused(r)) => return Err(GovernorError::Refused(r)),
            Err(ReserveError::Store(e)) => return Err(e.into()),
        };
        let mut ctx = ctx.clone();
        ctx.batch_pricing = true;
        Ok(Hold::Held(Held {
            key,
            reservation,
            worst,
            prompt_tokens,
            ctx,
            provider: provider.to_string(),
            model: request.model.clone(),
        }))
    }

    /// Settle a held call with its batch result: an answer is priced at batch rates, recorded
    /// and cached in one step; an error releases the reservation and records why. Returns what
    /// the answer cost and its ledger row (`None` for an error, or when it was settled
    /// before). Settling twice (a run that stopped part-way through a batch's results
    /// and is settling them again) records nothing new.
    pub async fn settle_held(
        &self,
        h: &Held,
        result: Result<Completion, ProviderError>,
        price: &dyn Pricer,
        batch: &str,
    ) -> Result<(Money, Option<LedgerId>), GovernorError> {
        let mut row = self.row(&h.ctx, &h.provider, &h.model, 1, Outcome::Ok, h.worst);
        match result {
            Ok(mut completion) => {
                let usage_estimated = !completion.usage_reported;
                if usage_estimated {
                    let out = candor_pricing::tokens::count(&h.model, &completion.text).tokens;
                    completion.usage = Usage {
                        input_tokens: h.prompt_tokens,
                        output_tokens: out,
                        ..Usage::default()
                    };
                }
                let cost = price.cost(&completion.usage, true);
                row.usage = completion.usage;
                row.usage_reported = !usage_estimated;
                row.cost = cost;
                row.detail = Some(format!("provider batch {batch}"));
                match self
                    .store
                    .settle_cached(h.reservation, row, h.key, &completion)
                    .await
                {
                    Ok(id) => Ok((cost, Some(id))),
                    // Settled before (this batch's results are being settled again), or
                    // expired and charged at its worst case: either way the answer is paid
                    // for, so it must answer the call from the cache.
                    Err(StoreError::UnknownReservation(_)) => {
                        self.store.cache_put(h.key, &completion).await?;
                        Ok((cost, None))
                    }
                    Err(e) => Err(e.into()),
                }
            }
            Err(error) => {
                row.outcome = outcome_of(&error);
                row.detail = Some(format!("provider batch {batch}: {error}"));
                match self.store.release(h.reservation, Some(row)).await {
                    Ok(_) | Err(StoreError::UnknownReservation(_)) => Ok((Money::ZERO, None)),
                    Err(e) => Err(e.into()),
                }
            }
        }
    }

    /// Charge a held call at its worst case: its batch may have reached the provider, but the
    /// submission was never confirmed (the process died during it), as for any call lost in
    /// flight.
    pub async fn abandon_held(&self, h: &Held, why: &str) -> Result<(), GovernorError> {
        let mut row = self.row(
            &h.ctx,
            &h.provider,
            &h.model,
            1,
            Outcome::Abandoned,
            h.worst,
        );
        row.cost = h.worst;
        row.detail = Some(why.to_string());
        match self.store.settle(h.reservation, row).await {
            Ok(_) | Err(StoreError::UnknownReservation(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Make one governed call. See the module doc for the sequence and guarantees.
    pub async fn call(
        &self,
        ctx: &CallContext,
        provider: &dyn Provider,
        request: &ChatRequest,
        price: &dyn Pricer,
    ) -> Result<CallOutcome, GovernorError> {
        let pname = provider.name().to_string();
        let key = CacheKey::for_request(&pname, request);
        if self.config.use_cache {
            if let Some(completion) = self.store.cache_get(key).await? {
                let row = self.row(
                    ctx,
                    &pname,
                    &request.model,
                    1,
                    Outcome::CacheHit,
                    Money::ZERO,
                );
                let ledger_id = self.store.record(row).await?;
                return Ok(CallOutcome {
                    usage_estimated: !completion.usage_reported,
                    completion,
                    cost: Money::ZERO,
                    reserved: Money::ZERO,
                    cache_hit: true,
                    attempts: 0,
                    ledger_id,
                });
            }
        }

        let prompt_tokens = Self::prompt_tokens(ctx, request);
        let max_out = TokenCount(u64::from(request.max_output_tokens));
        let worst = price.worst_case(prompt_tokens, max_out, ctx.batch_pricing);
        let state = self.provider_state(&pname);
        // A reservation outlives its call by the longest it can legitimately stay open.
        let ttl = self.config.call_timeout + self.config.max_retry_after + Duration::from_secs(60);

        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            if let Err(open) = state.breaker.admit() {
                return Err(GovernorError::CircuitOpen {
                    provider: pname,
                    remaining: open.remaining,
                    failures: open.failures,
                    last: open.last,
                });
            }
            // Queue for the rate limit before reserving: a reservation held while queued would
            // make the budget look spent and refuse other calls for nothing.
            let wait = state
                .limiter
                .take(prompt_tokens.0.saturating_add(max_out.0));
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            let label = AttemptLabel {
                tier: ctx.tier.clone(),
                stage: ctx.stage.clone(),
                provider: pname.clone(),
                model: request.model.clone(),
                attempt,
                recipient: ctx.recipient.clone(),
            };
            let id = match self
                .store
                .reserve(&ctx.attribution, worst, ttl, &label)
                .await
            {
                Ok(id) => id,
                Err(ReserveError::Refused(refusal)) => {
                    let mut row = self.row(
                        ctx,
                        &pname,
                        &request.model,
                        attempt,
                        Outcome::RefusedByBudget,
                        Money::ZERO,
                    );
                    row.detail = Some(refusal.to_string());
                    self.store.record(row).await?;
                    return Err(GovernorError::Refused(refusal));
                }
                Err(ReserveError::Store(e)) => return Err(e.into()),
            };
            let mut cancelled = self.row(
                ctx,
                &pname,
                &request.model,
                attempt,
                Outcome::Cancelled,
                worst,
            );
            cancelled.detail = Some("the caller dropped the call in flight".to_string());
            let guard = ReservationGuard::new(self.store.as_ref(), id, cancelled);

            let started = Instant::now();
            // OpenTelemetry GenAI semantic conventions, so traces line up with other tools.
            let span = tracing::info_span!(
                "chat",
                gen_ai.operation.name = "chat",
                gen_ai.system = %pname,
                gen_ai.request.model = %request.model,
                gen_ai.request.max_tokens = request.max_output_tokens,
                candor.attempt = attempt,
                candor.tier = %ctx.tier,
                candor.stage = %ctx.stage,
            );
            let call = provider.complete(request).instrument(span);
            let result = match tokio::time::timeout(self.config.call_timeout, call).await {
                Ok(r) => r,
                Err(_) => Err(ProviderError::Timeout(self.config.call_timeout)),
            };
            let latency_ms = started.elapsed().as_millis() as u64;

            match result {
                Ok(mut completion) => {
                    state.breaker.success();
                    let usage_estimated = !completion.usage_reported;
                    if usage_estimated {
                        // Priced from our own counts: the prompt as uncached input (never below
                        // what a cached prompt costs) and the text as output.
                        let out =
                            candor_pricing::tokens::count(&request.model, &completion.text).tokens;
                        completion.usage = Usage {
                            input_tokens: prompt_tokens,
                            output_tokens: out,
                            ..Usage::default()
                        };
                        tracing::warn!(provider = %pname, model = %request.model, "provider sent no usage; priced from candor's own token counts");
                    }
                    let cost = price.cost(&completion.usage, ctx.batch_pricing);
                    if cost > worst {
                        tracing::warn!(provider = %pname, model = %request.model, cost = %cost.to_exact_string(), reserved = %worst.to_exact_string(), "actual cost exceeded the reservation");
                    }
                    let mut row =
                        self.row(ctx, &pname, &request.model, attempt, Outcome::Ok, worst);
                    row.usage = completion.usage;
                    row.usage_reported = !usage_estimated;
                    row.cost = cost;
                    row.latency_ms = latency_ms;
                    row.compute_ms = completion.compute_ms;
                    if completion.model != request.model {
                        row.detail = Some(format!("answered by `{}`", completion.model));
                    }
                    // The ledger row and the cached answer land together: a crash between them
                    // would leave a paid call that a rerun pays for again.
                    let ledger_id = if self.config.use_cache {
                        guard.settle_cached(row, key, &completion).await?
                    } else {
                        guard.settle(row).await?
                    };
                    return Ok(CallOutcome {
                        completion,
                        cost,
                        reserved: worst,
                        cache_hit: false,
                        attempts: attempt,
                        ledger_id,
                        usage_estimated,
                    });
                }
                Err(error) => {
                    let mut row = self.row(
                        ctx,
                        &pname,
                        &request.model,
                        attempt,
                        outcome_of(&error),
                        worst,
                    );
                    row.latency_ms = latency_ms;
                    let detail = error.to_string();
                    if counts_against_breaker(&error) {
                        state.breaker.failure(&detail);
                    }
                    row.detail = Some(detail);
                    guard.release(row).await?;
                    let asked = retry_after(&error);
                    if let Some(wait) = asked {
                        if matches!(error, ProviderError::RateLimited { .. }) {
                            state
                                .limiter
                                .pause_for(wait.min(self.config.max_retry_after));
                        }
                    }
                    let give_up = !error.is_retryable()
                        || attempt >= self.config.max_attempts
                        || asked.is_some_and(|w| w > self.config.max_retry_after);
                    if give_up {
                        return Err(GovernorError::Provider {
                            provider: pname,
                            attempts: attempt,
                            source: error,
                        });
                    }
                    let delay = backoff::delay(
                        attempt,
                        self.config.backoff_base,
                        self.config.backoff_max,
                        asked,
                    );
                    tracing::debug!(provider = %pname, attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }
}
