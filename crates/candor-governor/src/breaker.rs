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
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err(remaining)` while the circuit is open.
    pub fn admit(&self) -> Result<(), Duration> {
        let now = Instant::now();
        match self.lock().open_until {
            Some(u) if u > now => Err(u - now),
            _ => Ok(()),
        }
    }

    pub fn success(&self) {
        let mut st = self.lock();
        st.failures = 0;
        st.open_until = None;
    }

    pub fn failure(&self) {
        let mut st = self.lock();
        st.failures = st.failures.saturating_add(1);
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
        b.failure();
        b.failure();
        assert!(b.admit().is_ok());
        b.failure();
        assert!(b.admit().is_err());
        tokio::time::advance(Duration::from_secs(31)).await;
        assert!(b.admit().is_ok(), "half-open after the cooldown");
        b.failure();
        assert!(b.admit().is_err(), "one failure while half-open reopens");
        tokio::time::advance(Duration::from_secs(31)).await;
        b.success();
        b.failure();
        assert!(b.admit().is_ok(), "closed again after a success");
    }
}
