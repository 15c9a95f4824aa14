//! Retry delays: exponential backoff with jitter, and `Retry-After` honoured.
//!
//! Invariants: the delay before retry `n` (n ≥ 1) is drawn from `[d/2, d]` with
//! `d = min(max, base × 2^(n-1))` ("equal jitter": never zero, so retries cannot stampede, and
//! spread so they do not synchronise); when the provider asked for a wait, the delay is at least
//! that wait plus up to 10% (at most 1 s) of jitter.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A splitmix64 stream shared by all callers: jitter needs spread, not cryptographic quality.
static SEED: AtomicU64 = AtomicU64::new(0);

fn next_u64() -> u64 {
    if SEED.load(Ordering::Relaxed) == 0 {
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        let _ = SEED.compare_exchange(0, t | 1, Ordering::Relaxed, Ordering::Relaxed);
    }
    let mut z = SEED
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Uniform in `[0, max]`.
fn uniform(max: Duration) -> Duration {
    let nanos = max.as_nanos().min(u128::from(u64::MAX)) as u64;
    if nanos == 0 {
        return Duration::ZERO;
    }
    Duration::from_nanos(next_u64() % (nanos + 1))
}

pub(crate) fn delay(
    attempt: u32,
    base: Duration,
    max: Duration,
    retry_after: Option<Duration>,
) -> Duration {
    match retry_after {
        Some(wait) => wait + uniform((wait / 10).min(Duration::from_secs(1))),
        None => {
            let exp = attempt.saturating_sub(1).min(30);
            let d = base.saturating_mul(1u32 << exp).min(max);
            d / 2 + uniform(d / 2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_is_capped_and_jittered() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(2);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let d1 = delay(1, base, max, None);
            assert!(d1 >= Duration::from_millis(50) && d1 <= base);
            let d3 = delay(3, base, max, None);
            assert!(d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400));
            let d20 = delay(20, base, max, None);
            assert!(d20 >= Duration::from_secs(1) && d20 <= max);
            seen.insert(d1);
        }
        assert!(seen.len() > 10, "jitter spreads delays");
    }

    #[test]
    fn retry_after_is_a_floor() {
        for _ in 0..100 {
            let d = delay(
                1,
                Duration::from_millis(100),
                Duration::from_secs(2),
                Some(Duration::from_secs(7)),
            );
            assert!(d >= Duration::from_secs(7) && d <= Duration::from_millis(7_700));
        }
    }
}
