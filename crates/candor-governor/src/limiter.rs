//! Per-provider rate limits: requests per minute and tokens per minute, plus the provider-wide
//! pause a `Retry-After` asks for.
//!
//! Invariants: a caller takes its tokens *before* waiting (the bucket may go into debt), so
//! waiters are served in arrival order and the long-run rate never exceeds the limit; a request
//! larger than a whole minute's allowance is charged one full minute rather than refused forever.
//! Time is tokio's clock, so tests with paused time run instantly.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A provider's limits (`None` = unlimited).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RateLimit {
    pub requests_per_minute: Option<u32>,
    pub tokens_per_minute: Option<u64>,
}

#[derive(Debug)]
struct Bucket {
    per_minute: f64,
    level: f64,
    last: Instant,
}

impl Bucket {
    fn new(per_minute: f64, now: Instant) -> Bucket {
        Bucket {
            per_minute,
            level: per_minute,
            last: now,
        }
    }

    /// Take `n` and return how long the caller must wait for them.
    fn take(&mut self, n: f64, now: Instant) -> Duration {
        let rate = self.per_minute / 60.0;
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.level = (self.level + elapsed * rate).min(self.per_minute);
        self.level -= n.min(self.per_minute);
        if self.level >= 0.0 || rate <= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.level / rate)
        }
    }
}

#[derive(Debug)]
struct State {
    requests: Option<Bucket>,
    tokens: Option<Bucket>,
    paused_until: Option<Instant>,
}

#[derive(Debug)]
pub(crate) struct Limiter {
    state: Mutex<State>,
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Limiter {
        let now = Instant::now();
        Limiter {
            state: Mutex::new(State {
                requests: limit
                    .requests_per_minute
                    .filter(|r| *r > 0)
                    .map(|r| Bucket::new(f64::from(r), now)),
                tokens: limit
                    .tokens_per_minute
                    .filter(|t| *t > 0)
                    .map(|t| Bucket::new(t as f64, now)),
                paused_until: None,
            }),
        }
    }

    /// Take one request and `tokens` tokens; returns how long to wait before sending.
    pub fn take(&self, tokens: u64) -> Duration {
        let now = Instant::now();
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = st
            .paused_until
            .map(|u| u.saturating_duration_since(now))
            .unwrap_or_default();
        if let Some(b) = st.requests.as_mut() {
            wait = wait.max(b.take(1.0, now));
        }
        if let Some(b) = st.tokens.as_mut() {
            wait = wait.max(b.take(tokens as f64, now));
        }
        wait
    }

    /// The provider said "not before `wait` from now": hold every caller, not just this one.
    pub fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.paused_until = Some(st.paused_until.map_or(until, |u| u.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_per_minute_spaces_calls() {
        let l = Limiter::new(RateLimit {
            requests_per_minute: Some(60),
            tokens_per_minute: None,
        });
        // A full bucket lets a minute's worth through at once, then one per second.
        for _ in 0..60 {
            assert_eq!(l.take(0), Duration::ZERO);
        }
        let w = l.take(0);
        assert!((w.as_secs_f64() - 1.0).abs() < 0.01, "{w:?}");
        let w = l.take(0);
        assert!((w.as_secs_f64() - 2.0).abs() < 0.01, "{w:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn tokens_per_minute_and_pause() {
        let l = Limiter::new(RateLimit {
            requests_per_minute: None,
            tokens_per_minute: Some(6_000),
        });
        assert_eq!(l.take(6_000), Duration::ZERO);
        let w = l.take(100);
        assert!((w.as_secs_f64() - 1.0).abs() < 0.01, "{w:?}");
        tokio::time::advance(Duration::from_secs(10)).await;
        l.pause_for(Duration::from_secs(5));
        let w = l.take(1);
        assert!((w.as_secs_f64() - 5.0).abs() < 0.01, "{w:?}");
    }
}
