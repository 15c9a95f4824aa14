//! Exact money. No floating point anywhere in accounting.
//!
//! The unit is the picodollar (10^-12 USD) held in an `i128`. Provider prices are quoted per
//! million tokens with at most six decimals, which makes every per-token price an integer number
//! of picodollars, so the cost of any call is exact and a total is always the sum of its parts.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Picodollars in one US dollar.
pub const PICOS_PER_DOLLAR: i128 = 1_000_000_000_000;

/// An exact amount of US dollars, in picodollars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i128);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("`{0}` is not a decimal amount (expected digits with an optional `.` and exponent, e.g. `12.50` or `1.5e-07`)")]
    Syntax(String),
    #[error("`{0}` has more precision than a picodollar (10^-12 USD)")]
    TooPrecise(String),
    #[error("`{0}` is out of range")]
    Overflow(String),
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_picos(picos: i128) -> Self {
        Money(picos)
    }

    pub const fn picos(self) -> i128 {
        self.0
    }

    pub const fn from_dollars(dollars: i64) -> Self {
        Money(dollars as i128 * PICOS_PER_DOLLAR)
    }

    pub const fn from_cents(cents: i64) -> Self {
        Money(cents as i128 * (PICOS_PER_DOLLAR / 100))
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// `self × n`, exact.
    pub fn checked_mul(self, n: i128) -> Option<Money> {
        self.0.checked_mul(n).map(Money)
    }

    /// `self × num / den`, rounded up (away from zero for positive amounts). Used where a derived
    /// amount (a discount, a per-1,000 figure) must never understate spend.
    pub fn mul_div_ceil(self, num: i128, den: i128) -> Option<Money> {
        if den == 0 {
            return None;
        }
        let p = self.0.checked_mul(num)?;
        let q = p / den;
        let r = p % den;
        let up = r != 0 && ((r > 0) == (den > 0));
        Some(Money(if up { q + 1 } else { q }))
    }

    /// `self × num / den`, rounded to nearest (half away from zero). For display-only figures.
    pub fn mul_div_round(self, num: i128, den: i128) -> Option<Money> {
        if den == 0 {
            return None;
        }
        let p = self.0.checked_mul(num)?;
        let twice = p.checked_mul(2)?;
        let q = (twice + if (twice >= 0) == (den > 0) { den } else { -den }) / (2 * den);
        Some(Money(q))
    }

    pub fn min(self, other: Money) -> Money {
        if self <= other {
            self
        } else {
            other
        }
    }

    pub fn max(self, other: Money) -> Money {
        if self >= other {
            self
        } else {
            other
        }
    }

    /// Parse an exact decimal in dollars: `12`, `0.15`, `-3.5`, `1.5e-07`, `2E-6`.
    /// The text is read as decimal digits, never through a binary float.
    pub fn parse_dollars(s: &str) -> Result<Money, MoneyError> {
        parse_scaled(s, 12).map(Money)
    }

    /// Format as dollars with exactly `decimals` places (rounded half away from zero).
    pub fn format_dollars(self, decimals: u32) -> String {
        let decimals = decimals.min(12);
        let scale = 10i128.pow(12 - decimals);
        let rounded = Money(self.0)
            .mul_div_round(1, scale)
            .map(|m| m.0)
            .unwrap_or(0);
        let neg = rounded < 0;
        let abs = rounded.unsigned_abs();
        let unit = 10u128.pow(decimals);
        let whole = abs / unit;
        let frac = abs % unit;
        let sign = if neg { "-" } else { "" };
        if decimals == 0 {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}.{frac:0width$}", width = decimals as usize)
        }
    }

    /// Exact decimal text in dollars with trailing zeros trimmed (at least two decimals):
    /// the form used in JSON and the ledger so that nothing is lost.
    pub fn to_exact_string(self) -> String {
        // Written digit by digit: every record line and ledger row carries amounts, and the
        // formatting machinery cost several times the digits.
        let mut out = String::with_capacity(24);
        if self.0 < 0 {
            out.push('-');
        }
        let abs = self.0.unsigned_abs();
        let unit = PICOS_PER_DOLLAR as u128;
        let (whole, frac) = (abs / unit, (abs % unit) as u64);
        let mut buf = [0u8; 40];
        let mut i = buf.len();
        let mut w = whole;
        loop {
            i -= 1;
            buf[i] = b'0' + (w % 10) as u8;
            w /= 10;
            if w == 0 {
                break;
            }
        }
        out.extend(buf[i..].iter().map(|&d| char::from(d)));
        out.push('.');
        // Twelve fraction digits, trailing zeros trimmed to at least two.
        let mut digits = [b'0'; 12];
        let mut f = frac;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (f % 10) as u8;
            f /= 10;
        }
        let mut end = digits.len();
        while end > 2 && digits[end - 1] == b'0' {
            end -= 1;
        }
        out.extend(digits[..end].iter().map(|&d| char::from(d)));
        out
    }
}

/// Parse a decimal (optionally with exponent) into an integer scaled by 10^scale, exactly.
pub(crate) fn parse_scaled(s: &str, scale: i32) -> Result<i128, MoneyError> {
    let syntax = || MoneyError::Syntax(s.to_string());
    let t = s.trim();
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => {
            let e: i32 = t[i + 1..].parse().map_err(|_| syntax())?;
            (&t[..i], e)
        }
        None => (t, 0),
    };
    let (neg, digits) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((a, b)) => (a, b),
        None => (digits, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(syntax());
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(syntax());
    }
    let all: String = format!("{int_part}{frac_part}");
    let all = all.trim_start_matches('0');
    // value = all × 10^(exp - frac_len); scaled = all × 10^(exp - frac_len + scale)
    let shift = exp
        .checked_sub(frac_part.len() as i32)
        .and_then(|v| v.checked_add(scale))
        .ok_or_else(|| MoneyError::Overflow(s.to_string()))?;
    let mut digits_str = all.to_string();
    if shift < 0 {
        let cut = (-shift) as usize;
        if cut >= digits_str.len() {
            if digits_str.bytes().any(|b| b != b'0') {
                return Err(MoneyError::TooPrecise(s.to_string()));
            }
            digits_str.clear();
        } else {
            let (keep, drop) = digits_str.split_at(digits_str.len() - cut);
            if drop.bytes().any(|b| b != b'0') {
                return Err(MoneyError::TooPrecise(s.to_string()));
            }
            digits_str = keep.to_string();
        }
    } else {
        if shift > 40 {
            return Err(MoneyError::Overflow(s.to_string()));
        }
        digits_str.push_str(&"0".repeat(shift as usize));
    }
    let v: i128 = if digits_str.is_empty() {
        0
    } else {
        digits_str
            .parse()
            .map_err(|_| MoneyError::Overflow(s.to_string()))?
    };
    Ok(if neg { -v } else { v })
}

impl fmt::Display for Money {
    /// `$12.34` — rounded to cents for people; use [`Money::to_exact_string`] for records.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.format_dollars(2);
        match s.strip_prefix('-') {
            Some(rest) => write!(f, "-${rest}"),
            None => write!(f, "${s}"),
        }
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse_dollars(s.trim().trim_start_matches('$'))
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}
impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}
impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}
impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}
impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}
impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}
impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + *b)
    }
}

/// Serialized as an exact decimal string of dollars (`"0.000150"`), never a JSON float.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_exact_string())
    }
}

/// Accepts a decimal string (`"12.50"`) or a JSON integer of dollars. JSON floats are refused:
/// they may already have lost the exact value.
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            S(String),
            I(i64),
            F(f64),
        }
        match Repr::deserialize(d)? {
            Repr::S(s) => s.parse().map_err(serde::de::Error::custom),
            Repr::I(i) => Ok(Money::from_dollars(i)),
            Repr::F(f) => Err(serde::de::Error::custom(format!(
                "money must be written as a quoted decimal string (\"{f}\"), not a float"
            ))),
        }
    }
}

/// A number of tokens.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct TokenCount(pub u64);

impl TokenCount {
    pub const ZERO: TokenCount = TokenCount(0);
    pub fn get(self) -> u64 {
        self.0
    }
}

impl Add for TokenCount {
    type Output = TokenCount;
    fn add(self, rhs: TokenCount) -> TokenCount {
        TokenCount(self.0.saturating_add(rhs.0))
    }
}
impl AddAssign for TokenCount {
    fn add_assign(&mut self, rhs: TokenCount) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}
impl Sum for TokenCount {
    fn sum<I: Iterator<Item = TokenCount>>(iter: I) -> TokenCount {
        iter.fold(TokenCount::ZERO, Add::add)
    }
}
impl fmt::Display for TokenCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_litellm_float_text_exactly() {
        assert_eq!(Money::parse_dollars("1.5e-07").unwrap().picos(), 150_000);
        assert_eq!(Money::parse_dollars("2.5E-06").unwrap().picos(), 2_500_000);
        assert_eq!(
            Money::parse_dollars("0.15").unwrap().picos(),
            150_000_000_000
        );
        assert_eq!(Money::parse_dollars("12").unwrap(), Money::from_dollars(12));
        assert_eq!(
            Money::parse_dollars("-0.5").unwrap(),
            -Money::from_cents(50)
        );
        assert_eq!(Money::parse_dollars("1e-12").unwrap().picos(), 1);
    }

    #[test]
    fn refuses_sub_picodollar_and_junk() {
        assert!(matches!(
            Money::parse_dollars("1e-13"),
            Err(MoneyError::TooPrecise(_))
        ));
        assert!(matches!(
            Money::parse_dollars("abc"),
            Err(MoneyError::Syntax(_))
        ));
        assert!(matches!(
            Money::parse_dollars(""),
            Err(MoneyError::Syntax(_))
        ));
        assert!(matches!(
            Money::parse_dollars("1.2.3"),
            Err(MoneyError::Syntax(_))
        ));
        assert!(Money::parse_dollars("1.000000000000000").is_ok());
    }

    #[test]
    fn formats() {
        assert_eq!(Money::from_picos(1_234_567_890_123).to_string(), "$1.23");
        assert_eq!(Money::from_picos(5_000_000_000).to_string(), "$0.01");
        assert_eq!(Money::from_picos(-5_000_000_000).to_string(), "-$0.01");
        assert_eq!(Money::from_picos(150_000).to_exact_string(), "0.00000015");
        assert_eq!(Money::from_dollars(3).to_exact_string(), "3.00");
        assert_eq!(Money::from_picos(1).format_dollars(12), "0.000000000001");
    }

    #[test]
    fn float_json_is_refused() {
        assert!(serde_json::from_str::<Money>("0.1").is_err());
        assert_eq!(
            serde_json::from_str::<Money>("\"0.1\"").unwrap(),
            Money::from_cents(10)
        );
        let m = Money::from_picos(123_456_789);
        let back: Money = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn no_drift_over_a_million_additions() {
        // A float accumulating 0.1 drifts; exact money must not.
        let tenth = Money::parse_dollars("0.1").unwrap();
        let mut total = Money::ZERO;
        for _ in 0..1_000_000 {
            total += tenth;
        }
        assert_eq!(total, Money::from_dollars(100_000));
        let price = Money::parse_dollars("1.5e-07").unwrap();
        let total: Money = std::iter::repeat_n(price, 1_000_000).sum();
        assert_eq!(total, Money::parse_dollars("0.15").unwrap());
    }

    proptest! {
        #[test]
        fn sum_of_parts_equals_total(parts in proptest::collection::vec(-1_000_000_000_000i64..1_000_000_000_000, 0..200)) {
            let ms: Vec<Money> = parts.iter().map(|p| Money::from_picos(*p as i128)).collect();
            let total: Money = ms.iter().sum();
            let expect: i128 = parts.iter().map(|p| *p as i128).sum();
            prop_assert_eq!(total.picos(), expect);
            // split anywhere: sum(left) + sum(right) == total
            let mid = ms.len() / 2;
            let l: Money = ms[..mid].iter().sum();
            let r: Money = ms[mid..].iter().sum();
            prop_assert_eq!(l + r, total);
        }

        /// The digit-by-digit writer gives the text the plain formatting did, for every
        /// magnitude (i128 amounts beyond i64 included).
        #[test]
        fn exact_string_matches_plain_formatting(p in any::<i128>()) {
            let m = Money::from_picos(p);
            let abs = p.unsigned_abs();
            let mut frac = format!("{:012}", abs % PICOS_PER_DOLLAR as u128);
            while frac.len() > 2 && frac.ends_with('0') {
                frac.pop();
            }
            let expect = format!(
                "{}{}.{frac}",
                if p < 0 { "-" } else { "" },
                abs / PICOS_PER_DOLLAR as u128
            );
            prop_assert_eq!(m.to_exact_string(), expect);
        }

        #[test]
        fn exact_string_round_trips(p in any::<i64>()) {
            let m = Money::from_picos(p as i128);
            prop_assert_eq!(Money::parse_dollars(&m.to_exact_string()).unwrap(), m);
        }

        #[test]
        fn parse_never_panics(s in ".{0,40}") {
            let _ = Money::parse_dollars(&s);
        }

        #[test]
        fn ceil_is_never_below_exact(p in 0i64..1_000_000_000_000, num in 1i128..1000, den in 1i128..1000) {
            let m = Money::from_picos(p as i128);
            let c = m.mul_div_ceil(num, den).unwrap();
            prop_assert!(c.picos() * den >= m.picos() * num);
            prop_assert!((c.picos() - 1) * den < m.picos() * num);
        }
    }
}
