//! Genericness across a batch: near-duplicate openers mean personalization is not happening.
//!
//! Openers are masked (the recipient's own values replaced by slot names), cut into word
//! 3-shingles and summarized by a 64-value MinHash; locality-sensitive banding (16 bands of 4)
//! finds candidate pairs without comparing every pair, and candidates are confirmed on the
//! estimated Jaccard similarity. Invariant: the result depends only on the input, never on order
//! of hashing or threads.

use std::collections::HashMap;

use candor_domain::{AttrValue, FieldValue, Recipient};
use serde::Serialize;

use crate::text::{fold, tokenize, TokKind};

const HASHES: usize = 64;
const BANDS: usize = 16;
const ROWS: usize = HASHES / BANDS;
/// Estimated Jaccard similarity at or above which two openers are near-duplicates.
pub const DEFAULT_THRESHOLD: f64 = 0.7;

/// One opener's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GenericEntry {
    pub id: String,
    /// Highest estimated similarity to any other opener in the batch (0 when alone).
    pub max_similarity: f64,
    /// The most similar other opener, when it is a near-duplicate.
    pub near_duplicate_of: Option<String>,
    pub generic: bool,
}

/// The batch result: `rate` is the share of openers with a near-duplicate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GenericReport {
    pub rate: f64,
    pub per_email: Vec<GenericEntry>,
}

/// Replace the recipient's own values (names, products, cities...) with slot names, so two
/// openers that differ only in filled-in values compare as equal.
pub fn mask(text: &str, recipient: &Recipient) -> String {
    let mut values: Vec<(String, String)> = Vec::new();
    if let Some(n) = &recipient.first_name {
        values.push((n.clone(), "{first_name}".into()));
    }
    if let Some(n) = &recipient.last_name {
        values.push((n.clone(), "{last_name}".into()));
    }
    for (k, v) in &recipient.attributes {
        if let AttrValue::Str(s) = v {
            values.push((s.clone(), format!("{{{k}}}")));
        }
    }
    for e in &recipient.events {
        for (k, v) in &e.fields {
            if let FieldValue::Str(s) = v {
                values.push((s.clone(), format!("{{{k}}}")));
            }
        }
    }
    // Longest values first so "Trailblazer 2 Hiking Boot" wins over "Trailblazer".
    values.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
    let mut out = fold(text);
    for (v, slot) in values {
        let v = fold(v.trim());
        if v.chars().count() < 2 {
            continue;
        }
        out = out.replace(&v, &slot);
        // Single words of a multiword value too ("your Trailblazers").
        for w in v.split_whitespace().filter(|w| w.chars().count() >= 4) {
            out = replace_word(&out, w, &slot);
        }
    }
    out
}

fn replace_word(text: &str, word: &str, slot: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(word) {
        let before_ok = rest[..pos]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = &rest[pos + word.len()..];
        let after_ok = after
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric() || c == 's');
        out.push_str(&rest[..pos]);
        if before_ok && after_ok {
            out.push_str(slot);
        } else {
            out.push_str(word);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn mix(mut x: u64) -> u64 {
    // splitmix64 finalizer: cheap, well-distributed, deterministic.
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn fnv(s: &str) -> u64 {
    fnv_words(&[s])
}

/// FNV-1a of the words joined by single spaces (without building the joined string).
fn fnv_words(words: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, w) in words.iter().enumerate() {
        let sep: &[u8] = if i > 0 { b" " } else { b"" };
        for &b in sep.iter().chain(w.as_bytes()) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100_0000_01b3);
        }
    }
    h
}

/// MinHash signature over word 3-shingles (or the words themselves for very short texts).
pub fn signature(masked: &str) -> [u64; HASHES] {
    let toks = tokenize(masked);
    let words: Vec<&str> = toks
        .iter()
        .filter(|t| t.kind != TokKind::Punct || t.norm == "{" || t.norm == "}")
        .map(|t| t.norm.as_str())
        .collect();
    let mut shingles: Vec<u64> = Vec::new();
    if words.len() < 3 {
        shingles.extend(words.iter().map(|w| fnv(w)));
    } else {
        for w in words.windows(3) {
            shingles.push(fnv_words(w));
        }
    }
    let mut sig = [u64::MAX; HASHES];
    for sh in shingles {
        for (i, slot) in sig.iter_mut().enumerate() {
            let h = mix(sh ^ mix(i as u64 + 1));
            if h < *slot {
                *slot = h;
            }
        }
    }
    sig
}

/// Estimated Jaccard similarity of two signatures.
pub fn similarity(a: &[u64; HASHES], b: &[u64; HASHES]) -> f64 {
    let same = a.iter().zip(b.iter()).filter(|(x, y)| x == y).count();
    same as f64 / HASHES as f64
}

/// Genericness of a batch of `(id, masked opener)` with the default threshold.
pub fn genericness(openers: &[(String, String)]) -> GenericReport {
    genericness_with(openers, DEFAULT_THRESHOLD)
}

pub fn genericness_with(openers: &[(String, String)], threshold: f64) -> GenericReport {
    let sigs: Vec<[u64; HASHES]> = openers.iter().map(|(_, t)| signature(t)).collect();
    let mut best: Vec<(f64, Option<usize>)> = vec![(0.0, None); openers.len()];
    let mut buckets: HashMap<(usize, u64), Vec<usize>> = HashMap::new();
    for (i, s) in sigs.iter().enumerate() {
        for b in 0..BANDS {
            let mut h: u64 = b as u64;
            for r in 0..ROWS {
                h = mix(h ^ s[b * ROWS + r]);
            }
            buckets.entry((b, h)).or_default().push(i);
        }
    }
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for members in buckets.values() {
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                pairs.push((i.min(j), i.max(j)));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    for (i, j) in pairs {
        let sim = similarity(&sigs[i], &sigs[j]);
        if sim > best[i].0 || (sim == best[i].0 && best[i].1.is_none()) {
            best[i] = (sim, Some(j));
        }
        if sim > best[j].0 || (sim == best[j].0 && best[j].1.is_none()) {
            best[j] = (sim, Some(i));
        }
    }
    let per_email: Vec<GenericEntry> = openers
        .iter()
        .zip(best)
        .map(|((id, _), (sim, other))| {
            let generic = sim >= threshold;
            GenericEntry {
                id: id.clone(),
                max_similarity: sim,
                near_duplicate_of: if generic {
                    other.map(|o| openers[o].0.clone())
                } else {
                    None
                },
                generic,
            }
        })
        .collect();
    let n = per_email.len();
    let rate = if n == 0 {
        0.0
    } else {
        per_email.iter().filter(|e| e.generic).count() as f64 / n as f64
    };
    GenericReport { rate, per_email }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingle_hash_equals_the_hash_of_the_joined_words() {
        let w = ["winter", "trail", "sale"];
        assert_eq!(fnv_words(&w), fnv(&w.join(" ")));
        assert_eq!(fnv_words(&["one"]), fnv("one"));
    }
    use candor_domain::Limits;

    fn r(json: &str) -> Recipient {
        Recipient::from_json(json, &Limits::default()).unwrap()
    }

    #[test]
    fn masked_template_openers_are_generic() {
        let a =
            r(r#"{"id":"1","email":"a@b.co","first_name":"Zoë","attributes":{"city":"Porto"}}"#);
        let b =
            r(r#"{"id":"2","email":"c@b.co","first_name":"José","attributes":{"city":"Lisbon"}}"#);
        let c = r(r#"{"id":"3","email":"d@b.co","first_name":"Łukasz"}"#);
        let openers = vec![
            ("1".to_string(), mask("Hi Zoë, winter in Porto calls for a warm layer and a good pair of boots.", &a)),
            ("2".to_string(), mask("Hi José, winter in Lisbon calls for a warm layer and a good pair of boots.", &b)),
            ("3".to_string(), mask("Łukasz, those trail runners you picked up in spring must have seen some miles by now.", &c)),
        ];
        let rep = genericness(&openers);
        assert!(rep.per_email[0].generic && rep.per_email[1].generic);
        assert!(!rep.per_email[2].generic);
        assert!((rep.rate - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(rep.per_email[0].near_duplicate_of.as_deref(), Some("2"));
    }

    #[test]
    fn empty_and_single() {
        assert_eq!(genericness(&[]).rate, 0.0);
        let one = genericness(&[("x".into(), "hello".into())]);
        assert!(!one.per_email[0].generic);
    }
}
