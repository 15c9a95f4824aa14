//! The facts an email may state: the recipient's and the campaign's, indexed for matching.
//!
//! Invariant: every fact carries the path it came from (`attributes.city`, `events[0].product`,
//! `context.offer.code`), so a finding or a "used facts" entry can name it; events are indexed in
//! the recipient's order (newest first).

use std::borrow::Cow;
use std::cell::RefCell;
use std::hash::{BuildHasher, BuildHasherDefault};
use std::sync::Arc;

use compact_str::CompactString;

use crate::text::{FastMap as HashMap, FastSet as HashSet, FxHasher};

use candor_domain::{AttrValue, Date, FieldValue, Recipient};
use serde_json::Value;

use crate::context::Context;
use crate::rules::Compiled;
use crate::text::{fold, parse_num, stem, tokenize, Tok, TokKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FKind {
    Name,
    Place,
    Tier,
    Product,
    Category,
    Amount,
    Count,
    Date,
    Percent,
    Text,
}

#[derive(Clone, Debug)]
pub(crate) struct Fact {
    /// Short paths ("events[0].product") are held inline: no allocation per fact.
    pub path: CompactString,
    /// From the recipient record (as opposed to the campaign).
    pub personal: bool,
    /// A behavioural fact: anything about the person beyond their name.
    pub behavioural: bool,
    pub kind: FKind,
    /// Shared: the same value (a product, a city) has the same stems in every record.
    pub stems: Arc<[String]>,
    pub num: Option<f64>,
    pub date: Option<Date>,
    /// Index of the event this fact belongs to.
    pub event: Option<usize>,
    /// Attribute key or event field name, folded.
    pub key: CompactString,
}

/// The facts of one check: the recipient's own (and, unprepared, the campaign's), then a
/// prepared campaign's, borrowed. Indexed as one list.
pub(crate) struct FactList<'a> {
    own: Vec<Fact>,
    shared: &'a [Fact],
}

impl<'a> FactList<'a> {
    pub fn len(&self) -> usize {
        self.own.len() + self.shared.len()
    }

    /// The facts before the prepared campaign's: every recipient fact is among them.
    pub fn own(&self) -> &[Fact] {
        &self.own
    }

    pub fn iter(&self) -> std::iter::Chain<std::slice::Iter<'_, Fact>, std::slice::Iter<'_, Fact>> {
        self.own.iter().chain(self.shared.iter())
    }

    fn push(&mut self, f: Fact) {
        debug_assert!(self.shared.is_empty(), "own facts come before shared ones");
        self.own.push(f);
    }
}

impl FactList<'_> {
    pub fn get_checked(&self, i: usize) -> Option<&Fact> {
        (i < self.len()).then(|| &self[i])
    }
}

impl std::ops::Index<usize> for FactList<'_> {
    type Output = Fact;
    fn index(&self, i: usize) -> &Fact {
        match i.checked_sub(self.own.len()) {
            None => &self.own[i],
            Some(j) => &self.shared[j],
        }
    }
}

/// Figures worked out from a record's and a campaign's numbers.
#[derive(Debug, Default)]
struct Derived {
    numbers: Vec<(f64, usize)>,
    percents: Vec<f64>,
}

pub(crate) struct Facts<'a> {
    pub list: FactList<'a>,
    /// (hash of a stem, index of a fact with that stem) for `list.own`, in push order: a
    /// record has a few dozen stems, so a scan beats building a map per check.
    own_stems: Vec<(u64, usize)>,
    /// A prepared campaign's stem index, and where its facts start in `list`.
    shared_by_stem: Option<(&'a HashMap<String, Vec<usize>>, usize)>,
    /// The prepared campaign whose facts `list` shares, if any.
    pub campaign: Option<&'a CampaignFacts>,
    pub recipient: &'a Recipient,
    pub now: Date,
    pub first_name: Vec<String>,
    pub last_name: Vec<String>,
    /// Numbers an email may state (facts, and prices after a campaign discount).
    pub numbers: Vec<(f64, usize)>,
    pub campaign_numbers: Vec<f64>,
    /// Amounts the campaign takes off a price ("$10 off", `{"type": "amount_off", "value": 25}`).
    money_offs: Vec<f64>,
    /// Numbers worked out from `numbers` (prices after a discount, savings, per-unit prices),
    /// found on first need: most emails state no figure the facts do not already hold.
    derived: std::cell::OnceCell<Derived>,
    pub codes: HashSet<String>,
    pub has_personal_product: bool,
    pub has_personal_place: bool,
    pub has_personal_tier: bool,
    pub has_personal_amount: bool,
    /// Letters the campaign's currency is written with before an amount ("Q977.50").
    pub letters: Vec<&'static str>,
}

fn text_stems(s: &str) -> Vec<String> {
    tokenize(s)
        .iter()
        .filter(|t| t.kind != TokKind::Punct)
        .map(|t| stem(&t.norm))
        .collect()
}

/// The words a hyphen joins in one of the campaign's values, found on their own too: "Goa"
/// (or "Pune–Goa" with a dash) for a route priced as "Pune-Goa 4D/3N". Only words of three
/// letters or more; a value's own stems stay whole, so its phrases still match as written.
fn joined_parts(st: &str) -> impl Iterator<Item = &str> {
    let joined = st.contains('-')
        && st
            .split('-')
            .all(|p| p.len() >= 3 && p.chars().all(char::is_alphabetic));
    st.split('-').filter(move |_| joined)
}

/// Values seen per thread, most recent first out when full.
const STEM_MEMO_MAX: usize = 4096;

/// A value's stems and the numbers inside it ("$75", "2 for 1").
type Analyzed = (Arc<[String]>, Arc<[f64]>);

thread_local! {
    /// [`text_stems`] and [`embedded_numbers`] of recent values: product names, cities and
    /// tiers repeat across a list.
    static STEM_MEMO: RefCell<HashMap<String, Analyzed>> = RefCell::new(HashMap::default());
}

/// [`text_stems`] and [`embedded_numbers`], shared and remembered.
fn analyze_shared(s: &str) -> Analyzed {
    STEM_MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if let Some((st, nums)) = m.get(s) {
            return (Arc::clone(st), Arc::clone(nums));
        }
        let v: Analyzed = (text_stems(s).into(), embedded_numbers(s).into());
        if m.len() >= STEM_MEMO_MAX {
            m.clear();
        }
        m.insert(s.to_string(), (Arc::clone(&v.0), Arc::clone(&v.1)));
        v
    })
}

fn text_stems_shared(s: &str) -> Arc<[String]> {
    analyze_shared(s).0
}

fn stem_hash(s: &str) -> u64 {
    BuildHasherDefault::<FxHasher>::default().hash_one(s)
}

/// Whether number token `i` is the hour of a clock time ("6:00") or the month or day of an
/// ISO date ("2027-04-23"): pieces of a time, not figures.
fn clock_or_date_piece(toks: &[Tok], i: usize) -> bool {
    let adjacent = |a: usize, b: usize| toks[a].end == toks[b].start;
    let is = |j: usize, s: &str| toks.get(j).is_some_and(|t| t.norm == s);
    let num = |j: usize| toks.get(j).is_some_and(|t| t.kind == TokKind::Num);
    // "6:00", "11:00am": an hour, then a colon, then minutes.
    let hour = is(i + 1, ":")
        && adjacent(i, i + 1)
        && toks
            .get(i + 2)
            .is_some_and(|t| t.norm.starts_with(|c: char| c.is_ascii_digit()))
        && adjacent(i + 1, i + 2);
    // "2027-04-23": the parts after a four-digit year.
    let year_at = |j: usize| num(j) && toks[j].norm.len() == 4;
    let date = i >= 2
        && is(i - 1, "-")
        && adjacent(i - 1, i)
        && adjacent(i - 2, i - 1)
        && (year_at(i - 2)
            || (i >= 4 && is(i - 3, "-") && adjacent(i - 4, i - 3) && year_at(i - 4)));
    hour || date
}

/// Currencies written with a letter before the amount, by the code or name a campaign gives
/// them in ("Q977.50" in quetzales, "K250" in kina or kwacha, "L1,200" in lempiras).
const CURRENCY_LETTERS: [(&str, &str); 14] = [
    ("gtq", "Q"),
    ("quetzal", "Q"),
    ("pgk", "K"),
    ("kina", "K"),
    ("zmw", "K"),
    ("mwk", "K"),
    ("kwacha", "K"),
    ("hnl", "L"),
    ("lempira", "L"),
    ("bwp", "P"),
    ("pula", "P"),
    ("php", "P"),
    // "N5,500" for naira, where the sign is not to hand.
    ("ngn", "N"),
    ("naira", "N"),
];

/// The letters of [`CURRENCY_LETTERS`] a campaign's currency is written with: found in its
/// keys and text values (once per campaign).
fn currency_letters(ctx: &Context) -> Vec<&'static str> {
    fn walk(v: &Value, key: &str, out: &mut Vec<&'static str>) {
        let mut look = |s: &str| {
            for w in s.split(|c: char| !c.is_ascii_alphabetic()) {
                if !(3..=10).contains(&w.len()) {
                    continue;
                }
                for (name, l) in CURRENCY_LETTERS {
                    // The name, or its plural ("quetzales", "kinas").
                    let hit = w.len() >= name.len()
                        && w[..name.len()].eq_ignore_ascii_case(name)
                        && matches!(&w[name.len()..], "" | "s" | "es");
                    if hit && !out.contains(&l) {
                        out.push(l);
                    }
                }
            }
        };
        look(key);
        match v {
            Value::String(s) => look(s),
            Value::Array(a) => a.iter().for_each(|x| walk(x, "", out)),
            Value::Object(o) => o.iter().for_each(|(k, x)| walk(x, k, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (k, v) in &ctx.facts {
        walk(v, k, &mut out);
    }
    out
}

/// The state capital whose metropolitan postcodes an Australian address gives ("212 Smith
/// Street, Collingwood VIC 3066": Melbourne).
fn australian_capital(s: &str) -> Option<&'static str> {
    if !s.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).find_map(|w| {
        let code: u32 = w[1].parse().ok().filter(|_| w[1].len() == 4)?;
        let city = match w[0] {
            "NSW" if (2000..=2234).contains(&code) => "Sydney",
            "VIC" | "Vic" if (3000..=3207).contains(&code) => "Melbourne",
            "QLD" | "Qld" if (4000..=4207).contains(&code) => "Brisbane",
            "SA" if (5000..=5199).contains(&code) => "Adelaide",
            "WA" if (6000..=6199).contains(&code) => "Perth",
            "TAS" | "Tas" if (7000..=7099).contains(&code) => "Hobart",
            "ACT" if (2600..=2620).contains(&code) || (2900..=2920).contains(&code) => "Canberra",
            _ => return None,
        };
        Some(city)
    })
}

/// Numbers inside a free-text value: "$75", "20% off", "2 for 1".
fn embedded_numbers(s: &str) -> Vec<f64> {
    tokenize(s)
        .iter()
        .filter(|t| t.kind == TokKind::Num)
        .filter_map(|t| parse_num(&t.norm))
        .collect()
}

/// A date value as CRM exports and campaign files write them: `2026-12-06`, RFC 3339, or a
/// local date-time without a zone (`2026-12-06T23:59`, `2026-12-06 23:59`).
///
/// A date-time keeps the date as written: "ends 2026-12-06T23:59:00-08:00" ends on December 6
/// where the campaign is, though it is already the 7th in UTC.
fn lenient_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if let Some(head) = s.get(..10) {
        let rest = &s[10..];
        if rest.starts_with(['T', ' ']) && rest[1..].starts_with(|c: char| c.is_ascii_digit()) {
            if let Ok(d) = Date::parse(head) {
                return Some(d);
            }
        }
    }
    Date::parse(s).ok()
}

/// ISO dates inside free text ("ships between 2026-11-23 and 2026-12-04").
fn embedded_dates(s: &str) -> Vec<Date> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 10 <= b.len() {
        let w = &b[i..i + 10];
        let shape = w.iter().enumerate().all(|(j, c)| {
            if j == 4 || j == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
        let bounded = (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 10).is_none_or(|c| !c.is_ascii_digit());
        if shape && bounded {
            if let Some(d) = s.get(i..i + 10).and_then(|x| Date::parse(x).ok()) {
                out.push(d);
                i += 10;
                // "2054-02-07/08": a weekend, the second day in the same month.
                if b.get(i) == Some(&b'/') {
                    let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                    let day = s
                        .get(i + 1..i + 1 + digits)
                        .and_then(|x| x.parse::<u8>().ok());
                    let then = day
                        .filter(|_| matches!(digits, 1 | 2))
                        .and_then(|dd| Date::parse(&format!("{}-{dd:02}", &s[i - 10..i - 3])).ok());
                    if let Some(d2) = then.filter(|d2| *d2 > d) {
                        out.push(d2);
                        i += 1 + digits;
                    }
                }
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Dates written out in campaign text: "1 April - 31 October 2028", "until March 31st",
/// "Oct 31, 2028". A date written without its year takes the year written after it in the
/// same text ("1 April - 31 October 2028"), else the one that puts it nearest `now`.
fn written_dates(s: &str, now: Date) -> Vec<Date> {
    // Most texts name no month: nothing to find (and nothing to allocate) then.
    let month = |w: &str| -> Option<u8> {
        if !(3..=9).contains(&w.len()) || !w.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        // "may" is a month only when capitalized.
        if w.eq_ignore_ascii_case("may") && !w.starts_with('M') {
            return None;
        }
        crate::text::MONTHS
            .iter()
            .position(|m| m.eq_ignore_ascii_case(w))
            .or_else(|| {
                (w.len() == 3 && !w.eq_ignore_ascii_case("may"))
                    .then(|| {
                        crate::text::MONTHS
                            .iter()
                            .position(|m| m[..3].eq_ignore_ascii_case(w))
                    })
                    .flatten()
            })
            .map(|i| i as u8 + 1)
    };
    let split = || {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
    };
    if !split().any(|w| month(w).is_some()) {
        return Vec::new();
    }
    let words: Vec<&str> = split().collect();
    let day = |w: &str| -> Option<u8> {
        let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let suffix = &w[digits.len()..];
        let d: u8 = digits.parse().ok()?;
        (matches!(suffix, "" | "st" | "nd" | "rd" | "th") && (1..=31).contains(&d)).then_some(d)
    };
    let year = |w: Option<&&str>| -> Option<i32> {
        let w = w?;
        let y: i32 = (w.len() == 4).then(|| w.parse().ok()).flatten()?;
        (1900..=2200).contains(&y).then_some(y)
    };
    // (day, month, year if written)
    let mut found: Vec<(u8, u8, Option<i32>)> = Vec::new();
    let mut i = 0;
    while i + 1 < words.len() {
        let (w, next) = (words[i], words[i + 1]);
        let hit = match (day(w), month(next), month(w), day(next)) {
            (Some(d), Some(m), _, _) | (_, _, Some(m), Some(d)) => Some((d, m)),
            _ => None,
        };
        if let Some((d, m)) = hit {
            let y = year(words.get(i + 2));
            found.push((d, m, y));
            i += if y.is_some() { 3 } else { 2 };
        } else if let (Some(m), Some(y)) = (month(w), year(Some(&next))) {
            // "September 2028": the month, from its first day.
            found.push((1, m, Some(y)));
            i += 2;
        } else {
            i += 1;
        }
    }
    let mut out = Vec::new();
    // "Saturdays in May 2029": every such weekday of that month.
    let plural_days: Vec<usize> = words
        .iter()
        .filter_map(|w| {
            let w = w.strip_suffix(['s', 'S'])?;
            crate::text::WEEKDAYS
                .iter()
                .position(|d| d.eq_ignore_ascii_case(w))
        })
        .collect();
    if !plural_days.is_empty() {
        for &(_, m, y) in found.iter().filter(|(d, _, y)| *d == 1 && y.is_some()) {
            let Some(y) = y else { continue };
            for day in 1..=31u8 {
                if let Some(date) = Date::from_ymd(y, m, day) {
                    // Julian day 0 was a Monday.
                    let wd = (date.julian_day() as i64).rem_euclid(7) as usize;
                    if plural_days.contains(&wd) {
                        out.push(date);
                    }
                }
            }
        }
    }
    for (k, &(d, m, y)) in found.iter().enumerate() {
        let y = y.or_else(|| found[k + 1..].iter().find_map(|x| x.2));
        let date = match y {
            Some(y) => Date::from_ymd(y, m, d),
            None => [now.year() - 1, now.year(), now.year() + 1]
                .into_iter()
                .filter_map(|y| Date::from_ymd(y, m, d))
                .min_by_key(|c| now.days_since(*c).abs()),
        };
        out.extend(date);
    }
    out
}

/// Currency codes a key may end in (`total_gbp`, `fee_omr`): its numbers are money. The ISO
/// 4217 codes, lowercase and sorted, less the ones that are also words (see [`WORDLIKE_CODES`]).
pub(crate) const CURRENCY_CODES: &[&str] = &[
    "aed", "afn", "ang", "aoa", "ars", "aud", "awg", "azn", "bbd", "bdt", "bgn", "bhd", "bif",
    "bmd", "bnd", "brl", "bsd", "bwp", "byn", "bzd", "cad", "cdf", "chf", "clp", "cny", "crc",
    "cuc", "cve", "czk", "djf", "dkk", "dop", "dzd", "egp", "ern", "etb", "eur", "fjd", "fkp",
    "gbp", "ggp", "ghs", "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl", "htg", "huf", "idr",
    "ils", "imp", "inr", "iqd", "irr", "isk", "jep", "jmd", "jod", "jpy", "kes", "kgs", "khr",
    "kmf", "kpw", "krw", "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "lyd", "mdl",
    "mga", "mkd", "mmk", "mnt", "mro", "mru", "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad",
    "ngn", "nio", "nok", "npr", "nzd", "omr", "pab", "pgk", "php", "pkr", "pln", "pyg", "qar",
    "rsd", "rwf", "sar", "sbd", "scr", "sdg", "sek", "sgd", "shp", "sle", "sll", "srd", "ssp",
    "stn", "svc", "syp", "szl", "thb", "tjs", "tmt", "tnd", "ttd", "twd", "tzs", "uah", "ugx",
    "usd", "uyu", "uzs", "vef", "vnd", "vuv", "wst", "xaf", "xcd", "xof", "xpf", "yer", "zar",
    "zmw", "zwl",
];

/// ISO 4217 codes that are also words or common abbreviations ("ALL", "TOP", "TRY", "PEN"):
/// in an email a currency only when written in capitals, and never read from a key.
pub(crate) const WORDLIKE_CODES: &[&str] = &[
    "all", "amd", "bam", "bob", "btn", "cop", "cup", "gel", "mad", "mop", "pen", "ron", "rub",
    "sos", "std", "top", "try", "ves",
];

/// Currencies written to three decimals ("OMR 12.000" is twelve rials, not twelve thousand).
pub(crate) const THREE_DECIMAL_CODES: &[&str] = &["bhd", "iqd", "jod", "kwd", "lyd", "omr", "tnd"];

/// Whether a part of a key is a currency's code (`omr` in `price_omr`).
pub(crate) fn is_code(w: &str) -> bool {
    CURRENCY_CODES.binary_search(&w).is_ok()
}

/// Whether a word of an email is a currency's code: "NZD", "omr", but "TRY" only in capitals.
pub(crate) fn is_currency_code(t: &crate::text::Tok) -> bool {
    let w = t.norm.as_str();
    w.len() == 3
        && (CURRENCY_CODES.binary_search(&w).is_ok() || (t.all_caps && WORDLIKE_CODES.contains(&w)))
}

fn key_kind(rules: &Compiled, key: &str) -> Option<FKind> {
    let k = fold(key);
    if rules.place_keys.contains(&k) {
        Some(FKind::Place)
    } else if rules.tier_keys.contains(&k) {
        Some(FKind::Tier)
    } else if rules.product_keys.contains(&k) {
        Some(FKind::Product)
    } else if rules.category_keys.contains(&k) {
        Some(FKind::Category)
    } else if rules.amount_keys.contains(&k) {
        Some(FKind::Amount)
    } else if rules.count_keys.contains(&k) {
        Some(FKind::Count)
    } else {
        key_kind_by_shape(&k)
    }
}

/// A key's kind from its shape, for the names CRM exports make up: `circle_tier`,
/// `home_city`, `total_gbp`, `classes_remaining`.
fn key_kind_by_shape(k: &str) -> Option<FKind> {
    let parts: Vec<&str> = k.split('_').collect();
    let last = *parts.last()?;
    let has = |w: &[&str]| parts.iter().any(|p| w.contains(p));
    if parts.len() < 2 {
        // `"tickets": 4`, `"nights": 2`: a plural of a thing counted.
        return matches!(
            k,
            "tickets"
                | "nights"
                | "classes"
                | "seats"
                | "sessions"
                | "bottles"
                | "boxes"
                | "bags"
                | "passes"
                | "visits"
                | "lessons"
                | "meals"
                | "issues"
                | "rounds"
                | "guests"
        )
        .then_some(FKind::Count);
    }
    if has(&["tier", "level", "status"]) && !has(&["date", "until", "since", "points"]) {
        Some(FKind::Tier)
    } else if matches!(
        last,
        "city"
            | "town"
            | "country"
            | "region"
            | "branch"
            | "store"
            | "showroom"
            | "airport"
            | "venue"
            // `home_area`, `home_district`: where the person lives.
            | "area"
            | "district"
            | "suburb"
            | "neighbourhood"
            | "neighborhood"
            | "ward"
            | "province"
            | "prefecture"
            | "borough"
    ) {
        Some(FKind::Place)
    } else if is_code(last)
        // "amount_eur_ex_vat", "price_gbp_inc_vat": a currency code, then what tax it holds.
        || (parts.iter().any(|p| is_code(p))
            && matches!(last, "vat" | "gst" | "hst" | "tax" | "net" | "gross"))
        // `"remaining_debt_usd": {"car loan": 8640}` flattened: a currency code, then a
        // label of the thing the money is for.
        || (parts[..parts.len() - 1].iter().any(|p| is_code(p))
            && last.bytes().any(|b| !(b.is_ascii_alphanumeric() || b >= 0x80)))
        || matches!(
            last,
            "refund"
                | "fee"
                | "total"
                | "amount"
                | "price"
                | "value"
                | "spent"
                | "spend"
                | "cost"
                | "paid"
        )
    {
        Some(FKind::Amount)
    } else if last == "count"
        || parts[0] == "num"
        || has(&["remaining", "balance"])
        || matches!(
            last,
            "days"
                | "weeks"
                | "months"
                | "years"
                | "nights"
                | "classes"
                | "seats"
                | "tickets"
                | "miles"
                | "points"
                | "bottles"
                | "boxes"
                | "items"
                | "users"
                | "sessions"
        )
    {
        Some(FKind::Count)
    } else if matches!(
        last,
        "product" | "item" | "items" | "model" | "vehicle" | "plan" | "title"
    ) {
        Some(FKind::Product)
    } else if matches!(last, "category" | "genre" | "type" | "style") {
        Some(FKind::Category)
    } else {
        None
    }
}

/// The campaign's facts, indexed once per campaign ([`crate::Gate::prepare`]): they are the
/// same for every email, and building them (tokenizing, stemming every offer and product
/// line) was most of a check's set-up cost.
#[derive(Clone, Debug, Default)]
pub(crate) struct CampaignFacts {
    list: Vec<Fact>,
    by_stem: HashMap<String, Vec<usize>>,
    /// (value, index into `list`).
    numbers: Vec<(f64, usize)>,
    campaign_numbers: Vec<f64>,
    money_offs: Vec<f64>,
    codes: HashSet<String>,
    /// What the offer excludes and the offer's minimums of a unit, found once per campaign
    /// rather than per email (see [`offer_exclusions`], [`offer_unit_minimums`]).
    pub exclusions: Vec<Exclusion>,
    pub unit_minimums: Vec<UnitMinimum>,
    /// The deals the offer does not combine with ([`stacking_deals`]), found once too.
    pub deals: Vec<StackingDeal>,
    letters: Vec<&'static str>,
}

/// A value the offer excludes: its stems and the fact's path.
pub(crate) type Exclusion = (Vec<String>, String);
/// A minimum of a unit the offer needs: the unit's stem, the number, the fact's path.
pub(crate) type UnitMinimum = (String, f64, String);

/// The campaign facts (`personal == false`) among `facts` that name something the offer
/// excludes (`[offer_scope] exclusion_keys`).
pub(crate) fn offer_exclusions<'f>(
    rules: &Compiled,
    facts: impl Iterator<Item = &'f Fact>,
) -> Vec<Exclusion> {
    let keys = &rules.table.offer_scope.exclusion_keys;
    let facts: Vec<&Fact> = facts.filter(|f| !f.personal).collect();
    // "excludes: lenses" while the same offer is for "frames bought with prescription
    // lenses": a thing the offer's own terms also name is not one the email can be faulted
    // for offering.
    let parent = |p: &str| p.rfind('.').map_or(String::new(), |i| p[..i].to_string());
    let others: Vec<(String, &[String])> = facts
        .iter()
        .filter(|f| !keys.iter().any(|k| k.as_str() == f.key.as_str()))
        .map(|f| (parent(&f.path), &f.stems[..]))
        .collect();
    let named_elsewhere = |stems: &[String], path: &str| {
        let home = parent(path);
        others
            .iter()
            .any(|(h, o)| *h == home && o.windows(stems.len()).any(|w| w == stems))
    };
    facts
        .into_iter()
        .filter(|f| !f.stems.is_empty())
        // `key` is the folded last key (an array's items carry the array's key).
        .filter(|f| keys.iter().any(|k| k.as_str() == f.key.as_str()))
        // "Shipping is excluded" from a discount while free shipping is its own perk.
        .filter(|f| {
            !f.stems.iter().all(|w| {
                matches!(
                    w.as_str(),
                    "shipping" | "delivery" | "tax" | "taxes" | "fee" | "fees"
                )
            })
        })
        .flat_map(|f| {
            // "Cosmic Bowl sessions" is excluded as "the Cosmic Bowl" too: the last word is
            // only what kind of thing it is.
            let n = f.stems.len();
            let generic = n >= 3
                && matches!(
                    f.stems[n - 1].as_str(),
                    "session"
                        | "package"
                        | "item"
                        | "product"
                        | "order"
                        | "purchase"
                        | "ticket"
                        | "booking"
                        | "class"
                        | "service"
                        | "event"
                        | "night"
                        | "day"
                );
            let short = generic.then(|| (f.stems[..n - 1].to_vec(), f.path.to_string()));
            // "gift memberships bought for someone else" is excluded as "a gift membership":
            // the thing, before what qualifies it (two words at least).
            let head = f
                .stems
                .iter()
                .position(|w| {
                    matches!(
                        w.as_str(),
                        "bought"
                            | "booked"
                            | "purchas"
                            | "purchased"
                            | "made"
                            | "sold"
                            | "for"
                            | "that"
                            | "which"
                            | "through"
                            | "from"
                            | "with"
                    )
                })
                .filter(|&i| i >= 2 && i < n)
                .map(|i| (f.stems[..i].to_vec(), f.path.to_string()));
            std::iter::once((f.stems.to_vec(), f.path.to_string()))
                .chain(short)
                .chain(head)
        })
        .filter(|(stems, path)| !named_elsewhere(stems, path))
        .collect()
}

/// `s` without its bracketed asides: "kit (AUD 65, sold separately)" is "kit".
fn without_brackets(s: &str) -> Cow<'_, str> {
    if !s.contains('(') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The campaign facts among `facts` that set a minimum of a unit (`min_nights: 2`), by the
/// rules' `[offer_scope] minimum_prefixes`; spend minimums are left to the money checks.
pub(crate) fn offer_unit_minimums<'f>(
    rules: &Compiled,
    facts: impl Iterator<Item = &'f Fact>,
) -> Vec<UnitMinimum> {
    let prefixes = &rules.table.offer_scope.minimum_prefixes;
    facts
        .filter(|f| !f.personal && f.num.is_some())
        .filter_map(|f| {
            let last = f.key.as_str();
            let unit = prefixes
                .iter()
                .find_map(|p| last.strip_prefix(p.as_str()))?;
            let num = f.num?;
            (!unit.is_empty() && !matches!(unit, "spend" | "order" | "purchase" | "amount"))
                .then(|| (stem(unit), num, f.path.to_string()))
        })
        .collect()
}

/// A deal the offer does not combine with: the fact's path and the telling words of it.
pub(crate) type StackingDeal = (String, Vec<String>);

/// The deals the campaign's offer does not combine with, among the campaign facts
/// (`personal == false`) of `facts`: the telling words of each (after the combination word in
/// a value, or the whole value of a `not_combinable_with` key).
pub(crate) fn stacking_deals<'f>(
    rules: &Compiled,
    facts: impl Iterator<Item = &'f Fact>,
) -> Vec<StackingDeal> {
    let combo = |w: &str| {
        w.starts_with("combin")
            || w.starts_with("stack")
            || w.starts_with("cumul")
            || w.starts_with("kombin")
    };
    const NEG: [&str; 12] = [
        "not", "cannot", "can't", "no", "non", "niet", "nicht", "kein", "pas", "nie", "never",
        "won't",
    ];
    // The deals the offer does not combine with: the telling words of each (after the
    // combination word in a value, or the whole value of a `not_combinable_with` key).
    facts
        .filter(|f| !f.personal && !f.stems.is_empty())
        .filter_map(|f| {
            let k = f.key.as_str();
            let keyed = (k.contains("combin") || k.contains("stack"))
                && (k.contains("not") || k.contains("non") || k.starts_with("no_"));
            let words: &[String] = if keyed && !f.stems.iter().any(|w| combo(w)) {
                &f.stems
            } else {
                let at = f.stems.iter().position(|w| combo(w))?;
                let negated = f.stems[at.saturating_sub(4)..at]
                    .iter()
                    .any(|w| NEG.contains(&w.as_str()))
                    || (keyed && !f.stems[at..].iter().take(1).any(|w| w == "with"));
                if !negated {
                    return None;
                }
                &f.stems[at + 1..(at + 10).min(f.stems.len())]
            };
            let words: Vec<String> = words
                .iter()
                .map(String::as_str)
                .filter(|w| {
                    w.len() >= 3
                        && !w.bytes().all(|b| b.is_ascii_digit())
                        && !rules.common.contains(*w)
                        && !rules.ignore_caps.contains(*w)
                        // ("JMD 2,500 off": the currency names no deal.)
                        && CURRENCY_CODES.binary_search(w).is_err()
                        && !NEG.contains(w)
                        && !matches!(
                            *w,
                            "discount"
                                | "offer"
                                | "code"
                                | "codes"
                                | "rate"
                                | "other"
                                | "any"
                                | "promotion"
                                | "promo"
                                | "voucher"
                                | "deal"
                                | "with"
                                | "the"
                                | "met"
                                | "mit"
                                | "avec"
                                | "con"
                                | "der"
                                | "den"
                                | "die"
                                | "het"
                                | "les"
                                | "del"
                                | "della"
                                | "better"
                                | "two"
                                | "appli"
                                | "applies"
                                | "same"
                                | "order"
                        )
                })
                .map(str::to_string)
                .collect();
            (!words.is_empty()).then(|| (f.path.to_string(), words))
        })
        .collect()
}

impl CampaignFacts {
    pub fn build(rules: &Compiled, r: &Recipient, ctx: &Context) -> CampaignFacts {
        // `r` only fills the struct; campaign facts never read it.
        let mut f = Facts::empty(r, ctx);
        f.letters = currency_letters(ctx);
        for (k, v) in &ctx.facts {
            f.push_campaign(rules, &format!("context.{k}"), k, v, 0);
        }
        let mut by_stem: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, fact) in f.list.own.iter().enumerate() {
            for st in fact.stems.iter() {
                by_stem.entry(st.clone()).or_default().push(i);
                for part in joined_parts(st) {
                    by_stem.entry(part.to_string()).or_default().push(i);
                }
            }
        }
        let exclusions = offer_exclusions(rules, f.list.own.iter());
        let unit_minimums = offer_unit_minimums(rules, f.list.own.iter());
        let deals = stacking_deals(rules, f.list.own.iter());
        CampaignFacts {
            list: f.list.own,
            by_stem,
            numbers: f.numbers,
            campaign_numbers: f.campaign_numbers,
            money_offs: f.money_offs,
            codes: f.codes,
            exclusions,
            unit_minimums,
            deals,
            letters: f.letters,
        }
    }
}

impl<'a> Facts<'a> {
    /// What the campaign's offer excludes: found once by a prepared campaign, or in `list` now
    /// for a lone check (every fact that is not the person's is the campaign's).
    pub fn offer_exclusions(&self, rules: &Compiled) -> Cow<'a, [Exclusion]> {
        match self.campaign {
            Some(c) => Cow::Borrowed(&c.exclusions),
            None => Cow::Owned(offer_exclusions(rules, self.list.iter())),
        }
    }

    /// The offer's minimums of a unit, found the same way.
    pub fn offer_unit_minimums(&self, rules: &Compiled) -> Cow<'a, [UnitMinimum]> {
        match self.campaign {
            Some(c) => Cow::Borrowed(&c.unit_minimums),
            None => Cow::Owned(offer_unit_minimums(rules, self.list.iter())),
        }
    }

    /// The deals the offer does not combine with, found the same way.
    pub fn stacking_deals(&self, rules: &Compiled) -> Cow<'a, [StackingDeal]> {
        match self.campaign {
            Some(c) => Cow::Borrowed(&c.deals),
            None => Cow::Owned(stacking_deals(rules, self.list.iter())),
        }
    }

    fn empty(r: &'a Recipient, ctx: &Context) -> Facts<'a> {
        Facts {
            list: FactList {
                own: Vec::new(),
                shared: &[],
            },
            own_stems: Vec::new(),
            shared_by_stem: None,
            campaign: None,
            recipient: r,
            now: ctx.now,
            first_name: Vec::new(),
            last_name: Vec::new(),
            numbers: Vec::new(),
            campaign_numbers: Vec::new(),
            money_offs: Vec::new(),
            derived: std::cell::OnceCell::new(),
            codes: HashSet::default(),
            has_personal_product: false,
            has_personal_place: false,
            has_personal_tier: false,
            has_personal_amount: false,
            letters: Vec::new(),
        }
    }

    pub fn build(rules: &Compiled, r: &'a Recipient, ctx: &Context) -> Facts<'a> {
        let mut f = Facts::personal(rules, r, ctx);
        f.letters = currency_letters(ctx);
        for (k, v) in &ctx.facts {
            f.push_campaign(rules, &format!("context.{k}"), k, v, 0);
        }
        f.numbers.push((ctx.now.year() as f64, usize::MAX));
        f
    }

    /// [`Facts::build`] with the campaign's part already indexed: the same facts, in the same
    /// order, with the same indices.
    pub fn build_with(
        rules: &Compiled,
        r: &'a Recipient,
        ctx: &Context,
        campaign: &'a CampaignFacts,
    ) -> Facts<'a> {
        let mut f = Facts::personal(rules, r, ctx);
        let base = f.list.len();
        f.list.shared = &campaign.list;
        f.shared_by_stem = Some((&campaign.by_stem, base));
        f.campaign = Some(campaign);
        f.numbers
            .extend(campaign.numbers.iter().map(|(n, i)| (*n, base + i)));
        f.campaign_numbers.extend(&campaign.campaign_numbers);
        f.money_offs.extend(&campaign.money_offs);
        f.codes.extend(campaign.codes.iter().cloned());
        f.letters.clone_from(&campaign.letters);
        f.numbers.push((ctx.now.year() as f64, usize::MAX));
        f
    }

    /// The recipient's own facts.
    fn personal(rules: &Compiled, r: &'a Recipient, ctx: &Context) -> Facts<'a> {
        // About one fact per name, attribute, event and event field.
        let room =
            2 + r.attributes.len() + r.events.iter().map(|e| 1 + e.fields.len()).sum::<usize>();
        let mut f = Facts {
            list: FactList {
                own: Vec::with_capacity(room),
                shared: &[],
            },
            own_stems: Vec::new(),
            shared_by_stem: None,
            campaign: None,
            recipient: r,
            now: ctx.now,
            // The name the person goes by counts as theirs: "Dear Peggy" for Margaret.
            first_name: r
                .first_name
                .iter()
                .map(String::as_str)
                .chain(
                    [
                        "preferred_name",
                        "nickname",
                        "goes_by",
                        "known_as",
                        "preferred_first_name",
                    ]
                    .iter()
                    .filter_map(|k| r.attributes.get(*k).and_then(|v| v.as_str())),
                )
                .flat_map(text_stems)
                .collect(),
            last_name: r.last_name.as_deref().map(text_stems).unwrap_or_default(),
            numbers: Vec::new(),
            campaign_numbers: Vec::new(),
            money_offs: Vec::new(),
            derived: std::cell::OnceCell::new(),
            codes: HashSet::default(),
            has_personal_product: false,
            has_personal_place: false,
            has_personal_tier: false,
            has_personal_amount: false,
            letters: Vec::new(),
        };
        if let Some(n) = &r.first_name {
            f.push_text(
                "first_name",
                true,
                false,
                FKind::Name,
                n,
                None,
                "first_name",
            );
        }
        if let Some(n) = &r.last_name {
            f.push_text("last_name", true, false, FKind::Name, n, None, "last_name");
        }
        for (k, v) in &r.attributes {
            let path = fact_path(None, k);
            let kind = key_kind(rules, k);
            match v {
                AttrValue::Str(s) => {
                    if let Some(d) = lenient_date(s) {
                        f.push_date(&path, true, d, None, k);
                    } else {
                        let kind = kind.unwrap_or(FKind::Text);
                        if s.len() > 10 && s.bytes().any(|b| b == b'-') {
                            for d in embedded_dates(s) {
                                f.push_date(&path, true, d, None, k);
                            }
                        }
                        f.push_text(&path, true, true, kind, s, None, k);
                        if let Some(n) = parse_num(s.trim().trim_start_matches(['$', '€', '£']))
                        {
                            f.push_num(&path, true, kind, n, None, k);
                        }
                    }
                }
                AttrValue::Num(n) => {
                    f.push_num(&path, true, kind.unwrap_or(FKind::Count), *n, None, k);
                }
                AttrValue::Bool(_) => {}
            }
        }
        for (i, e) in r.events.iter().enumerate() {
            f.push_date(&fact_path(Some(i), "at"), true, e.at, Some(i), "at");
            for (k, v) in &e.fields {
                let path = fact_path(Some(i), k);
                let kind = key_kind(rules, k);
                match v {
                    FieldValue::Str(s) => {
                        if let Some(d) = lenient_date(s) {
                            f.push_date(&path, true, d, Some(i), k);
                        } else {
                            // "period": "September 2028", "valid until 30 June 2029".
                            // ("preferred_week": "w/c 2045-01-23": an ISO date inside.)
                            if s.bytes().any(|b| b.is_ascii_digit()) {
                                for d in
                                    written_dates(s, f.now).into_iter().chain(embedded_dates(s))
                                {
                                    f.push_date(&path, true, d, Some(i), k);
                                }
                            }
                            f.push_text(
                                &path,
                                true,
                                true,
                                kind.unwrap_or(FKind::Text),
                                s,
                                Some(i),
                                k,
                            );
                            for &n in analyze_shared(s).1.iter() {
                                f.push_num(&path, true, FKind::Text, n, Some(i), k);
                            }
                        }
                    }
                    FieldValue::Num(n) => {
                        f.push_num(&path, true, kind.unwrap_or(FKind::Count), *n, Some(i), k);
                        // "a 30-day supply picked up on February 10 runs out on March 11":
                        // what lasts a number of days from the event (`days_supply`,
                        // `valid_days`) ends on a date of the person's too. (A rental's
                        // `days` is how long it was, not what is left.)
                        let lasts = k.contains("days")
                            && ["supply", "valid", "trial", "expir", "lasts"]
                                .iter()
                                .any(|w| k.contains(w));
                        if lasts && n.fract() == 0.0 && (1.0..=400.0).contains(n) {
                            if let Some(end) = e.at.add_days(*n as i64) {
                                f.push_date(&path, true, end, Some(i), k);
                            }
                        }
                    }
                }
            }
        }
        f
    }

    /// Derived numbers an email may work out from the facts: prices after a campaign
    /// discount and the saving itself, a price less an amount off, two prices together (a
    /// bundle, two orders "all told"), a unit price times the person's own count ("10 seats at
    /// $8 is $80"), and this year.
    fn compute_derived(&self) -> Derived {
        let f = self;
        let mut out = Derived::default();
        let percents: Vec<f64> = f
            .list
            .iter()
            .filter(|x| x.kind == FKind::Percent)
            .filter_map(|x| x.num)
            .collect();
        let base: Vec<(f64, usize)> = f.numbers.clone();
        let is_amount =
            |f: &Facts<'_>, i: usize| i < f.list.len() && f.list[i].kind == FKind::Amount;
        let amounts: Vec<(f64, usize)> = base
            .iter()
            .copied()
            .filter(|(_, i)| is_amount(f, *i))
            .collect();
        for &p in &percents {
            for (a, idx) in &base {
                let cut = a * p / 100.0;
                out.numbers.push(((a - cut * 1.0).max(0.0), *idx));
                out.numbers.push((cut, *idx));
            }
        }
        // "the third month is half price": half a price, and whole ones with a half.
        let half = f
            .list
            .iter()
            .any(|x| !x.personal && x.stems.iter().any(|s| s == "half"));
        if half {
            for (a, idx) in amounts.iter().filter(|(_, i)| !f.list[*i].personal) {
                for k in [0.5, 1.5, 2.5] {
                    out.numbers.push((a * k, *idx));
                }
            }
        }
        // A gift matched dollar for dollar counts twice.
        let matched = f
            .list
            .iter()
            .any(|x| !x.personal && x.stems.iter().any(|s| s.starts_with("match")));
        if matched {
            for (a, idx) in &amounts {
                out.numbers.push((a * 2.0, *idx));
            }
        }
        for off in f.money_offs.clone() {
            for (a, idx) in &amounts {
                if *a > off {
                    out.numbers.push((a - off, *idx));
                }
            }
        }
        if amounts.len() <= 16 {
            for (i, (a, ai)) in amounts.iter().enumerate() {
                for (b, _) in &amounts[i + 1..] {
                    out.numbers.push((a + b, *ai));
                    // A saving: the usual price less the sale price.
                    out.numbers.push(((a - b).abs(), *ai));
                    // The percentage that saving is, when it is a round one.
                    let (hi, lo) = if a > b { (*a, *b) } else { (*b, *a) };
                    if hi > 0.0 && lo > 0.0 {
                        let p = (1.0 - lo / hi) * 100.0;
                        if (p * 2.0 - (p * 2.0).round()).abs() < 1e-6 && p > 0.0 {
                            out.percents.push(p);
                        }
                    }
                }
            }
        } else {
            // Too many to pair every two: pair the amounts of one object ("reduced by
            // €26,000" for a listing's `previous_price_eur` less its `price_eur`).
            let parent = |i: usize| crate::checks::parent_path(&f.list[i].path);
            for (i, (a, ai)) in amounts.iter().enumerate() {
                for (b, bi) in &amounts[i + 1..] {
                    if parent(*ai) == parent(*bi) {
                        out.numbers.push(((a - b).abs(), *ai));
                    }
                }
            }
        }
        // A price per unit of a pack, or times a count the campaign states ("10 classes for
        // $135" is $13.50 a class; "$9 less a month for 3 months" is $27).
        let units: Vec<f64> = f
            .list
            .iter()
            .filter(|x| !x.personal && x.kind == FKind::Count)
            .filter_map(|x| x.num)
            .filter(|n| n.fract() == 0.0 && (2.0..=100.0).contains(n))
            .collect();
        if !units.is_empty() && amounts.len() <= 24 {
            let campaign: Vec<(f64, usize)> = amounts
                .iter()
                .copied()
                .filter(|(_, i)| !f.list[*i].personal)
                .collect();
            let savings: Vec<(f64, usize)> = campaign
                .iter()
                .enumerate()
                .flat_map(|(i, (a, ai))| {
                    campaign[i + 1..]
                        .iter()
                        .map(move |(b, _)| ((a - b).abs(), *ai))
                })
                .collect();
            for u in &units {
                for (a, idx) in &campaign {
                    out.numbers.push((a / u, *idx));
                }
                for (a, idx) in &savings {
                    out.numbers.push((a * u, *idx));
                }
            }
        }
        let counts: Vec<f64> = f
            .list
            .iter()
            .filter(|x| x.personal && x.kind == FKind::Count)
            .filter_map(|x| x.num)
            // Whole counts, and measures ("loa_m": 9.5 at a price per metre).
            .filter(|n| {
                (n.fract() == 0.0 && (2.0..=1000.0).contains(n))
                    || (n.fract() != 0.0 && (0.5..=1000.0).contains(n))
            })
            .collect();
        if !counts.is_empty() {
            let priced: Vec<(f64, usize)> = f
                .numbers
                .iter()
                .chain(&out.numbers)
                .copied()
                .filter(|(_, i)| is_amount(f, *i))
                .collect();
            for c in counts {
                for (a, idx) in &priced {
                    out.numbers.push((a * c, *idx));
                }
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn push_text(
        &mut self,
        path: &str,
        personal: bool,
        behavioural: bool,
        kind: FKind,
        s: &str,
        event: Option<usize>,
        key: &str,
    ) {
        let stems = text_stems_shared(s);
        let idx = self.list.len();
        for st in stems.iter() {
            self.own_stems.push((stem_hash(st), idx));
            if !personal {
                for part in joined_parts(st) {
                    self.own_stems.push((stem_hash(part), idx));
                }
            }
        }
        if personal && behavioural {
            match kind {
                FKind::Product => self.has_personal_product = true,
                FKind::Place => self.has_personal_place = true,
                FKind::Tier => self.has_personal_tier = true,
                _ => {}
            }
        }
        self.list.push(Fact {
            path: CompactString::from(path),
            personal,
            behavioural,
            kind,
            stems,
            num: None,
            date: None,
            event,
            key: CompactString::from(fold(key)),
        });
    }

    fn push_num(
        &mut self,
        path: &str,
        personal: bool,
        kind: FKind,
        n: f64,
        event: Option<usize>,
        key: &str,
    ) {
        let idx = self.list.len();
        self.numbers.push((n, idx));
        if !personal {
            self.campaign_numbers.push(n);
        }
        if personal && kind == FKind::Amount {
            self.has_personal_amount = true;
        }
        self.list.push(Fact {
            path: CompactString::from(path),
            personal,
            behavioural: personal,
            kind,
            stems: Arc::from(Vec::new()),
            num: Some(n),
            date: None,
            event,
            key: CompactString::from(fold(key)),
        });
    }

    fn push_date(&mut self, path: &str, personal: bool, d: Date, event: Option<usize>, key: &str) {
        self.list.push(Fact {
            path: CompactString::from(path),
            personal,
            behavioural: personal,
            kind: FKind::Date,
            stems: Arc::from(Vec::new()),
            num: None,
            date: Some(d),
            event,
            key: CompactString::from(fold(key)),
        });
    }

    fn push_campaign(&mut self, rules: &Compiled, path: &str, key: &str, v: &Value, depth: usize) {
        if depth > 6 {
            return;
        }
        let k = fold(key);
        match v {
            Value::Object(m) => {
                // `"puppy_preschool": {...}`: a section named in words joined by underscores
                // names the thing it describes ("our Puppy Preschool").
                if key.contains('_') {
                    let words = key.replace('_', " ");
                    self.push_text(path, false, false, FKind::Text, &words, None, key);
                }
                // A typed offer: `{"type": "percent_off", "value": 15}`.
                let kind_of = ["type", "kind"]
                    .iter()
                    .find_map(|k| m.get(*k).and_then(Value::as_str))
                    .map(fold)
                    .unwrap_or_default();
                let percent_offer = kind_of.contains("percent");
                let money_offer = ["amount", "fixed", "dollar", "money", "flat"]
                    .iter()
                    .any(|w| kind_of.contains(w));
                // `"regular_prices_usd": {"3_months": 60, ...}`: the object's key says its
                // numbers are money, whatever their own keys say.
                let prices = !k.contains("percent")
                    && (k.contains("price")
                        || k.contains("fee")
                        || key_kind(rules, key) == Some(FKind::Amount));
                for (ck, cv) in m {
                    let cpath = format!("{path}.{ck}");
                    // `"sizes_usd": {"Petite": 42, "Grand": 96}`: a key written as a label
                    // (capitals or spaces, not a field name) names something too.
                    if ck.contains(' ') || ck.chars().next().is_some_and(char::is_uppercase) {
                        self.push_text(&cpath, false, false, FKind::Product, ck, None, ck);
                        // "Plus membership: 2 artworks up to EUR 2,500 combined value": a
                        // label's own figures are the campaign's too.
                        if ck.bytes().any(|b| b.is_ascii_digit()) {
                            self.push_text_numbers(&cpath, ck, ck, true);
                            // "Buttercream Flowers (Saturday, 2071-07-18)": a label's date
                            // is the campaign's too.
                            for d in embedded_dates(ck) {
                                self.push_date(&cpath, false, d, None, ck);
                            }
                        }
                    }
                    let valued = matches!(ck.as_str(), "value" | "amount" | "off");
                    match cv.as_f64() {
                        Some(x) if valued && percent_offer => {
                            self.push_num(&cpath, false, FKind::Percent, x, None, ck);
                        }
                        Some(x) if valued && money_offer => {
                            self.money_offs.push(x);
                            self.push_num(&cpath, false, FKind::Amount, x, None, ck);
                        }
                        Some(x) if prices && !fold(ck).contains("percent") => {
                            self.push_num(&cpath, false, FKind::Amount, x, None, ck);
                        }
                        _ => self.push_campaign(rules, &cpath, ck, cv, depth + 1),
                    }
                }
            }
            Value::Array(a) => {
                for (i, cv) in a.iter().enumerate() {
                    self.push_campaign(rules, &format!("{path}[{i}]"), key, cv, depth + 1);
                }
            }
            Value::String(s) => {
                if let Some(d) = lenient_date(s) {
                    self.push_date(path, false, d, None, key);
                    return;
                }
                for d in embedded_dates(s) {
                    self.push_date(path, false, d, None, key);
                }
                if s.bytes().any(|b| b.is_ascii_digit()) {
                    for d in written_dates(s, self.now) {
                        self.push_date(path, false, d, None, key);
                    }
                }
                if k.contains("code") || k.contains("coupon") || k.contains("promo") {
                    self.codes.insert(fold(s.trim()));
                }
                let kind = if s.contains('%') || k.contains("percent") {
                    FKind::Percent
                } else {
                    key_kind(rules, key).unwrap_or(FKind::Text)
                };
                self.push_text(path, false, false, kind, s, None, key);
                // "Collingwood VIC 3066": an Australian address in a capital's metropolitan
                // postcodes is in that city ("Spring has arrived in Melbourne").
                if let Some(city) = australian_capital(s) {
                    self.push_text(path, false, false, FKind::Text, city, None, key);
                }
                // "Cosmic Bowl sessions, league play and birthday party packages": each thing
                // an offer excludes is matched on its own.
                // ("club swimwear kit (AUD 65, sold separately) and tournament travel": what
                // a bracket says of an item is not part of its name.)
                let bare = without_brackets(s);
                if rules
                    .table
                    .offer_scope
                    .exclusion_keys
                    .iter()
                    .any(|x| x.as_str() == k.as_str())
                    && (bare.contains([',', ';']) || bare.len() < s.len())
                {
                    for item in bare
                        .split([',', ';'])
                        .flat_map(|p| p.split(" and "))
                        .flat_map(|p| p.split(" or "))
                        .map(str::trim)
                        .filter(|p| !p.is_empty() && p.len() < s.len() && *p != s)
                    {
                        self.push_text(path, false, false, FKind::Text, item, None, key);
                    }
                }
                self.push_text_numbers(path, key, s, false);
            }
            Value::Number(n) => {
                if let Some(x) = n.as_f64() {
                    // `discount_percent` is a percentage; `discount_gbp` an amount.
                    let money_key = k
                        .split('_')
                        .any(|p| is_code(p) || matches!(p, "amount" | "dollars" | "value"));
                    let kind = if k.contains("percent")
                        || k.ends_with("_pct")
                        || ((k.contains("discount") || k == "off") && !money_key)
                    {
                        FKind::Percent
                    } else if key_kind(rules, key) == Some(FKind::Count) {
                        FKind::Count
                    } else {
                        FKind::Amount
                    };
                    // `discount_usd`, `discount_gbp_per_tyre`: a discount in money is an
                    // amount off, as `amount_off` is.
                    if ["amount_off", "dollars_off", "money_off", "off_amount"]
                        .iter()
                        .any(|w| k.contains(w))
                        || (k.contains("discount") && money_key && !k.contains("max"))
                    {
                        self.money_offs.push(x);
                    }
                    self.push_num(path, false, kind, x, None, key);
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }

    /// Each number of a campaign text by what follows it: "10% off parts, maximum discount
    /// £50" holds a percentage and an amount.
    /// A `label` (a key written as words) gives only its amounts written with a currency:
    /// "(serves 8)" or "(2 hours)" in a price list's label are no prices.
    fn push_text_numbers(&mut self, path: &str, key: &str, s: &str, label: bool) {
        let currency_path = !label && path.split(['.', '_']).any(|p| is_code(&fold(p)));
        let toks = crate::text::tokenize_with(s, &self.letters);
        // ("GBP 20 off the five-day ticket": a code is money too.)
        let money_off = !s.contains('%')
            && (s.contains(['$', '€', '£']) || toks.iter().any(is_currency_code))
            && fold(s).split_whitespace().any(|w| w == "off");
        for (i, t) in toks.iter().enumerate() {
            if t.kind != TokKind::Num {
                continue;
            }
            let Some(n) = parse_num(&t.norm) else {
                continue;
            };
            let next = toks.get(i + 1);
            // "$12,000", "CAD 12,000 of cabinetry": money, whatever word follows.
            // `"addons_aud": {"gutter_clear": "139 single-storey / 189
            // double-storey"}`: under a key that names a currency, a figure is money
            // unless it counts something ("minimum 8 panels").
            let counts_next = next.is_some_and(|x| {
                x.kind == TokKind::Word && x.norm.len() > 3 && x.norm.ends_with('s')
            });
            let currency = (i > 0
                && (matches!(toks[i - 1].norm.as_str(), "$" | "€" | "£" | "¥" | "r")
                    || is_currency_code(&toks[i - 1])))
                // "1,290 SEK fitted": the code after the amount.
                || next.is_some_and(is_currency_code)
                || (currency_path && !counts_next);
            // ("per litre of finished 50% vol pálinka": a label's percentage too.)
            if label && !currency && next.is_none_or(|x| x.norm != "%") {
                continue;
            }
            // "ARS 150.000": thousands grouped by points, read as the email's money
            // is (three decimals only for the currencies written so).
            let three_decimals = toks[i.saturating_sub(1)..(i + 2).min(toks.len())]
                .iter()
                .any(|c| THREE_DECIMAL_CODES.contains(&c.norm.as_str()));
            let n = if currency && !three_decimals {
                crate::text::points_grouped(&t.norm).unwrap_or(n)
            } else {
                n
            };
            let nk = if next.is_some_and(|x| x.norm == "%" || x.norm == "percent") {
                FKind::Percent
            } else if !currency && clock_or_date_piece(&toks, i) {
                // "6:00-9:00pm", "Fri 2027-04-23": the hour and the day are neither
                // prices nor counts (as amounts they were summed with the prices).
                FKind::Text
            } else if !currency
                && next.is_some_and(|x| {
                    x.norm == "-"
                        || (x.kind == TokKind::Word
                            && !matches!(
                                x.norm.as_str(),
                                "off"
                                    | "usd"
                                    | "eur"
                                    | "gbp"
                                    | "dollars"
                                    | "euros"
                                    // ("free on orders of 15,000 yen or more".)
                                    | "yen"
                                    | "won"
                                    | "yuan"
                                    | "rupees"
                                    | "pesos"
                                    | "reais"
                                    | "baht"
                                    | "dong"
                                    | "kronor"
                                    | "kroner"
                                    | "francs"
                                    | "pounds"
                                    | "or"
                                    | "and"
                                    | "to"
                                    | "per"
                                    | "a"
                            ))
                })
            {
                // "10-Class Pack", "3 months": a count or a label, not money.
                FKind::Count
            } else {
                FKind::Amount
            };
            if money_off && nk == FKind::Amount {
                self.money_offs.push(n);
            }
            self.push_num(path, false, nk, n, None, key);
        }
    }

    /// Facts containing this stem.
    pub fn with_stem(&self, s: &str) -> Vec<usize> {
        let h = stem_hash(s);
        let mut v: Vec<usize> = self
            .own_stems
            .iter()
            .filter(|(sh, i)| {
                *sh == h
                    && self.list[*i].stems.iter().any(|x| {
                        x == s || (!self.list[*i].personal && joined_parts(x).any(|p| p == s))
                    })
            })
            .map(|(_, i)| *i)
            .collect();
        if let Some((m, base)) = self.shared_by_stem {
            if let Some(x) = m.get(s) {
                v.extend(x.iter().map(|j| j + base));
            }
        }
        v
    }

    /// Whether a written number equals a fact's number; returns the fact index.
    pub fn number_fact(&self, n: f64) -> Option<usize> {
        self.first_match(n, |_| true)
    }

    /// The first fact whose number (stated or worked out) matches, a campaign fact before a
    /// personal one: "£180" for a jacket the campaign prices at £240 less 25% uses the
    /// campaign's price, not the person's purchase of the same £240 jacket.
    fn first_match(&self, n: f64, allowed: impl Fn(Option<&Fact>) -> bool) -> Option<usize> {
        let scan = |list: &[(f64, usize)], stated: bool, personal: &mut Option<usize>| {
            for (x, i) in list {
                let fact = (*i != usize::MAX)
                    .then(|| self.list.get_checked(*i))
                    .flatten();
                // A stated figure may be written rounded; a worked-out one only to the cent.
                let hit = if stated {
                    crate::text::num_matches(n, *x)
                } else {
                    (n - x).abs() < 0.005
                };
                if !allowed(fact) || !hit {
                    continue;
                }
                if fact.is_some_and(|f| f.personal) {
                    personal.get_or_insert(*i);
                } else {
                    return Some(*i);
                }
            }
            None
        };
        let mut personal = None;
        if let Some(i) = scan(&self.numbers, true, &mut personal) {
            return Some(i);
        }
        if let Some(i) = personal {
            return Some(i);
        }
        scan(&self.derived().numbers, false, &mut personal).or(personal)
    }

    fn derived(&self) -> &Derived {
        self.derived.get_or_init(|| self.compute_derived())
    }

    /// The campaign's percentages, stated or worked out (a sale price that is 25% off).
    pub fn campaign_percent(&self, v: f64) -> bool {
        // The worked-out figures only when no stated one matches: they are built on first use.
        let hit = |c: &f64| crate::text::num_matches(v, *c);
        self.campaign_numbers.iter().any(hit) || self.derived().percents.iter().any(hit)
    }

    /// Whether a written amount of money equals a fact's number or one worked out from them:
    /// not a count ("$10" is not "10 classes"), a date or a percentage ("$15 off" is not "15%").
    pub fn money_fact(&self, n: f64) -> Option<usize> {
        self.first_match(n, |f| {
            f.is_none_or(|f| !matches!(f.kind, FKind::Count | FKind::Date | FKind::Percent))
        })
    }

    /// [`Facts::money_fact`] to the cent, for a figure converted from the written one.
    pub fn money_fact_exact(&self, n: f64) -> Option<usize> {
        let hit = |(x, i): &&(f64, usize)| {
            (n - x).abs() < 0.005
                && (*i == usize::MAX
                    || self.list.get_checked(*i).is_none_or(|f| {
                        !matches!(f.kind, FKind::Count | FKind::Date | FKind::Percent)
                    }))
        };
        // As in `campaign_percent`: the worked-out figures only when no stated one matches.
        self.numbers
            .iter()
            .find(hit)
            .or_else(|| self.derived().numbers.iter().find(hit))
            .map(|(_, i)| *i)
    }

    /// [`Facts::money_fact_exact`] for the campaign's figures only.
    pub fn campaign_money_exact(&self, n: f64) -> Option<usize> {
        let hit = |(x, i): &&(f64, usize)| {
            (n - x).abs() < 0.005
                && self.list.get_checked(*i).is_some_and(|f| {
                    !f.personal && !matches!(f.kind, FKind::Count | FKind::Date | FKind::Percent)
                })
        };
        self.numbers
            .iter()
            .find(hit)
            .or_else(|| self.derived().numbers.iter().find(hit))
            .map(|(_, i)| *i)
    }

    /// Whole counts the campaign states (9 home matches, 10 classes): what a price may be
    /// per, or times.
    pub fn campaign_units(&self) -> Vec<f64> {
        // A count, or a number under a plural key (`home_matches`: 9) that is not money.
        let plural = |k: &str| {
            k.rsplit('_')
                .next()
                .is_some_and(|last| last.len() > 3 && last.ends_with('s') && !is_code(last))
        };
        self.list
            .iter()
            .filter(|x| {
                !x.personal
                    && (x.kind == FKind::Count || (x.kind == FKind::Amount && plural(&x.key)))
            })
            .filter_map(|x| x.num)
            .filter(|n| n.fract() == 0.0 && (2.0..=100.0).contains(n))
            .collect()
    }

    /// Amounts the campaign takes off a price.
    pub fn money_offs(&self) -> &[f64] {
        &self.money_offs
    }

    /// Campaign dates (offer ends, store events).
    pub fn campaign_dates(&self) -> impl Iterator<Item = Date> + '_ {
        self.list
            .iter()
            .filter(|f| !f.personal)
            .filter_map(|f| f.date)
    }

    /// Personal dates with their fact index.
    pub fn personal_dates(&self) -> impl Iterator<Item = (Date, usize)> + '_ {
        self.list
            .iter()
            .enumerate()
            .filter(|(_, f)| f.personal)
            .filter_map(|(i, f)| f.date.map(|d| (d, i)))
    }
}

/// `attributes.{key}`, or `events[{i}].{key}` for event `i`: written directly, not through
/// the formatting machinery (a check builds a dozen of these).
fn fact_path(event: Option<usize>, key: &str) -> CompactString {
    let mut p = CompactString::default();
    match event {
        None => p.push_str("attributes."),
        Some(i) => {
            p.push_str("events[");
            let mut digits = [0u8; 20];
            let mut at = digits.len();
            let mut n = i;
            loop {
                at -= 1;
                digits[at] = b'0' + (n % 10) as u8;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
            p.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
            p.push_str("].");
        }
    }
    p.push_str(key);
    p
}

#[cfg(test)]
mod tests {
    use super::fact_path;

    #[test]
    fn fact_paths_read_as_formatted() {
        for key in ["at", "product", "loyalty_tier", "", "ümlaut_key"] {
            assert_eq!(fact_path(None, key), format!("attributes.{key}"));
            for i in [0, 1, 9, 10, 99, 100, 12_345, usize::MAX] {
                assert_eq!(fact_path(Some(i), key), format!("events[{i}].{key}"));
            }
        }
    }
}
