//! A log-linear histogram of non-negative integers (token counts, milliseconds).
//!
//! Values below [`LINEAR`] get a bucket each (exact); above, each power of two is split into
//! [`SUB`] buckets, so a reported percentile is within 1/[`SUB`] (about 3%) of the true value
//! and always an upper bound of it. Buckets are small integers, so histograms merge by adding
//! counts and can be stored as rows `(bucket, count)`.

use std::collections::BTreeMap;

/// Values below this are counted exactly.
pub const LINEAR: u64 = 256;
/// Buckets per power of two above [`LINEAR`].
pub const SUB: u64 = 32;
const SUB_BITS: u32 = SUB.trailing_zeros();
const LINEAR_BITS: u32 = LINEAR.trailing_zeros();

/// The bucket of a value.
pub fn bucket(v: u64) -> u32 {
    if v < LINEAR {
        return v as u32;
    }
    let msb = 63 - v.leading_zeros(); // ≥ LINEAR_BITS
    let shift = msb - SUB_BITS;
    let sub = (v >> shift) & (SUB - 1);
    LINEAR as u32 + (msb - LINEAR_BITS) * SUB as u32 + sub as u32
}

/// The largest value in a bucket (what a percentile reports: an upper bound).
pub fn bucket_high(b: u32) -> u64 {
    if u64::from(b) < LINEAR {
        return u64::from(b);
    }
    let k = b - LINEAR as u32;
    let msb = k / SUB as u32 + LINEAR_BITS;
    let sub = u64::from(k % SUB as u32);
    let shift = msb - SUB_BITS;
    let low = (1u64 << msb) | (sub << shift);
    low.saturating_add((1u64 << shift) - 1)
}

/// Counts per bucket.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    counts: BTreeMap<u32, u64>,
    total: u64,
}

impl Histogram {
    pub fn record(&mut self, v: u64) {
        self.add_bucket(bucket(v), 1);
    }

    pub fn add_bucket(&mut self, b: u32, n: u64) {
        if n > 0 {
            *self.counts.entry(b).or_insert(0) += n;
            self.total += n;
        }
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (&b, &n) in &other.counts {
            self.add_bucket(b, n);
        }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn buckets(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        self.counts.iter().map(|(&b, &n)| (b, n))
    }

    /// The `q`-quantile (0 < q ≤ 1) as the upper bound of its bucket (nearest-rank); `None`
    /// when empty.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        // Nearest rank: the smallest value with at least ceil(q·n) values at or below it.
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (&b, &n) in &self.counts {
            seen += n;
            if seen >= rank {
                return Some(bucket_high(b));
            }
        }
        self.counts.keys().next_back().map(|&b| bucket_high(b))
    }
}

/// A fixed-size histogram for the hot loop: a flat array indexed by bucket.
#[derive(Clone, Debug)]
pub struct FlatHistogram {
    counts: Vec<u64>,
}

impl Default for FlatHistogram {
    fn default() -> Self {
        FlatHistogram {
            counts: vec![0; bucket(u64::MAX) as usize + 1],
        }
    }
}

impl FlatHistogram {
    #[inline]
    pub fn record(&mut self, v: u64) {
        let b = bucket(v) as usize;
        if let Some(c) = self.counts.get_mut(b) {
            *c += 1;
        }
    }

    pub fn to_histogram(&self) -> Histogram {
        let mut h = Histogram::default();
        for (b, &n) in self.counts.iter().enumerate() {
            h.add_bucket(b as u32, n);
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exact_below_linear() {
        let mut h = Histogram::default();
        for v in 1..=100 {
            h.record(v);
        }
        assert_eq!(h.quantile(0.5), Some(50));
        assert_eq!(h.quantile(0.9), Some(90));
        assert_eq!(h.quantile(0.99), Some(99));
        assert_eq!(h.quantile(1.0), Some(100));
        assert_eq!(Histogram::default().quantile(0.5), None);
    }

    proptest! {
        #[test]
        fn bucket_bounds_hold(v in any::<u64>()) {
            let b = bucket(v);
            prop_assert!(bucket_high(b) >= v);
            if v >= LINEAR {
                // Upper bound within one sub-bucket: ≤ 1/SUB relative error.
                let hi = bucket_high(b);
                prop_assert!((hi - v) as f64 <= v as f64 / SUB as f64 + 1.0);
            } else {
                prop_assert_eq!(bucket_high(b), v);
            }
            if b > 0 { prop_assert!(bucket_high(b - 1) < v); }
        }
    }

    #[test]
    fn flat_matches_sparse() {
        let mut f = FlatHistogram::default();
        let mut s = Histogram::default();
        for v in [0, 1, 255, 256, 1000, 123_456, u64::MAX] {
            f.record(v);
            s.record(v);
        }
        assert_eq!(f.to_histogram(), s);
    }
}
