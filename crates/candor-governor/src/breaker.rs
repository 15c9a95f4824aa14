//! A circuit breaker per provider.
//!
//! Invariants: after `threshold` consecutive failures the circuit opens for `cooldown`, during
//! which calls are refused without touching the provider or the budget. When the cooldown ends
//! calls are let through again (half-open): the failure count is still at the threshold, so the
//! next failure reopens the circuit at once and a success closes it. Only failures that say the
//! provider is unhealthy count (5xx, timeouts, transport errors, garbled responses), not rate
//! limits or refused requests.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug)]
struct State {
    failures: u32,
    open_until: Option<Instant>,
    /// What the last counted failure was, for the refusal's message.
    last: String,
}

/// The circuit is open: how long for yet, and the failure that opened it.
#[derive(Debug, Clone)]
pub(crate) struct Open {
    pub remaining: Duration,
    pub failures: u32,
    pub last: String,
}

#[derive(Debug)]
pub(crate) struct Breaker {
    threshold: u32,
    cooldown: Duration,
    state: Mutex<State>,
}

impl Breaker {
    pub fn new(threshold: u32, cooldown: Duration) -> Breaker {
        Breaker {
            threshold: threshold.max(1),
            cooldown,
            state: Mutex::new(State {
                failures: 0,
                open_until: None,
                last: String::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err` while the circuit is open.
    pub fn admit(&self) -> Result<(), Open> {
        let now = Instant::now();
        let st = self.lock();
        match st.open_until {
            Some(u) if u > now => Err(Open {
                remaining: u - now,
                failures: st.failures,
                last: st.last.clone(),
            }),
            _ => Ok(()),
        }
    }

    pub fn success(&self) {
        let mut st = self.lock();
        st.failures = 0;
        st.open_until = None;
    }

    /// A failure that says the provider is unhealthy; `what` is kept for the message the
    /// open circuit refuses calls with.
    pub fn failure(&self, what: &str) {
        let mut st = self.lock();
        st.failures = st.failures.saturating_add(1);
        st.last.clear();
        st.last.push_str(what);
        if st.failures >= self.threshold {
            st.open_until = Some(Instant::now() + self.cooldown);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn opens_cools_down_and_closes() {
        let b = Breaker::new(3, Duration::from_secs(30));
        b.failure("boom");
        b.failure("boom");
        assert!(b.admit().is_ok());
        b.failure("boom");
        let open = b.admit().unwrap_err();
        assert_eq!((open.failures, open.last.as_str()), (3, "boom"));
        tokio::time::advance(Duration::from_secs(31)).await;
        assert!(b.admit().is_ok(), "half-open after the cooldown");
        b.failure("boom");
        assert!(b.admit().is_err(), "one failure while half-open reopens");
        tokio::time::advance(Duration::from_secs(31)).await;
        b.success();
        b.failure("boom");
        assert!(b.admit().is_ok(), "closed again after a success");
    }
}
