//! An exact, allocation-light `o200k_base` token count for ASCII text.
//!
//! tiktoken splits text into pre-tokens with a regular expression (run by `fancy_regex`),
//! then byte-pair-encodes each pre-token on its own. The regex was most of the cost of
//! counting a prompt. For ASCII text this module splits with a hand-written matcher that
//! follows the same pattern alternative by alternative (see [`next_piece`]), and remembers
//! each pre-token's token count, since the same pieces (" the", " on", "202", "\n") recur in
//! every prompt. Non-ASCII text goes to tiktoken unchanged. A property test checks the count
//! against tiktoken's on random ASCII text.
//!
//! The pattern, for reference (o200k_base):
//! ```text
//! [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//! |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//! |\p{N}{1,3}
//! | ?[^\s\p{L}\p{N}]+[\r\n/]*
//! |\s*[\r\n]+
//! |\s+(?!\S)
//! |\s+
//! ```

use foldhash::{HashMap, HashMapExt};
use std::cell::RefCell;

use tiktoken_rs::CoreBPE;

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}
fn is_letter(b: u8) -> bool {
    b.is_ascii_alphabetic()
}
fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}
fn is_crlf(b: u8) -> bool {
    b == b'\r' || b == b'\n'
}
/// `[^\s\p{L}\p{N}]`
fn is_other(b: u8) -> bool {
    !is_ws(b) && !is_letter(b) && !is_digit(b)
}

/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)?` at `i`: the end after it.
fn contraction(s: &[u8], i: usize) -> usize {
    if s.get(i) != Some(&b'\'') {
        return i;
    }
    let lower = |k: usize| s.get(i + k).map(u8::to_ascii_lowercase);
    match (lower(1), lower(2)) {
        (Some(b's' | b't' | b'm' | b'd'), _) => i + 2,
        (Some(b'r'), Some(b'e')) | (Some(b'v'), Some(b'e')) | (Some(b'l'), Some(b'l')) => i + 3,
        _ => i,
    }
}

/// The end of the pre-token starting at `i` (`i < s.len()`), alternative by alternative.
fn next_piece(s: &[u8], i: usize) -> usize {
    let n = s.len();
    let run = |from: usize, f: fn(u8) -> bool| -> usize {
        let mut k = from;
        while k < n && f(s[k]) {
            k += 1;
        }
        k
    };
    // 1 and 2: an optional prefix that is not CR/LF, letter or digit, then letters.
    let p = if !is_crlf(s[i]) && !is_letter(s[i]) && !is_digit(s[i]) {
        i + 1
    } else {
        i
    };
    let upper_end = run(p, |b| b.is_ascii_uppercase());
    let lower_end = run(upper_end, |b| b.is_ascii_lowercase());
    if lower_end > upper_end {
        // 1: [upper]*[lower]+
        return contraction(s, lower_end);
    }
    if upper_end > p {
        // 2: [upper]+[lower]* (no lowercase followed)
        return contraction(s, upper_end);
    }
    // 3: one to three digits.
    if is_digit(s[i]) {
        let mut k = i;
        while k < n && k < i + 3 && is_digit(s[k]) {
            k += 1;
        }
        return k;
    }
    // 4: an optional space, then symbols, then any CR/LF or '/'.
    let q = if s[i] == b' ' { i + 1 } else { i };
    if q < n && is_other(s[q]) {
        let k = run(q, is_other);
        return run(k, |b| is_crlf(b) || b == b'/');
    }
    // 5: whitespace ending in CR/LF: up to the last CR/LF of the whitespace run.
    let ws_end = run(i, is_ws);
    if let Some(last) = (i..ws_end).rev().find(|&k| is_crlf(s[k])) {
        return last + 1;
    }
    // 6: whitespace not followed by a non-space: all of it at the end of the text, else all
    // but its last character (which goes with the next word).
    if ws_end == n || ws_end - i >= 2 {
        return if ws_end == n { n } else { ws_end - 1 };
    }
    // 7: whitespace (always matches here: every other case returned above).
    ws_end.max(i + 1)
}

/// Split `text` after a newline that a pre-token cannot run past: the next character is
/// neither whitespace nor '/', so the piece holding the newline ends there (a letter piece
/// never starts with CR/LF; a symbol piece takes only CR/LF and '/' after it; a whitespace
/// piece ending in a newline stops at the last newline of its run). Counting the parts alone
/// is therefore exact.
pub(crate) fn segments(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            let at = i;
            i += 1;
            if b[at] == b'\n' {
                if let Some(&next) = b.get(at + 1) {
                    if !is_ws(next) && next != b'/' && next.is_ascii() {
                        let seg = &text[start..at + 1];
                        start = at + 1;
                        return Some(seg);
                    }
                }
            }
        }
        if start < b.len() {
            let seg = &text[start..];
            start = b.len();
            return Some(seg);
        }
        None
    })
}

const CACHE_MAX: usize = 200_000;

thread_local! {
    static LINES: RefCell<HashMap<Box<str>, u32>> = RefCell::new(HashMap::new());
}

/// Tokens of any `text` under `bpe` (o200k_base): ASCII segments through the fast splitter,
/// others through tiktoken, remembered (they are mostly template lines that recur).
pub(crate) fn count_any(bpe: &CoreBPE, text: &str) -> u64 {
    segments(text)
        .map(|seg| {
            if seg.is_ascii() {
                count(bpe, seg)
            } else {
                LINES.with(|cache| {
                    let mut cache = cache.borrow_mut();
                    if let Some(c) = cache.get(seg) {
                        return u64::from(*c);
                    }
                    if cache.len() > CACHE_MAX {
                        cache.clear();
                    }
                    let c = bpe.encode_ordinary(seg).len() as u32;
                    cache.insert(seg.into(), c);
                    u64::from(c)
                })
            }
        })
        .sum()
}

thread_local! {
    static PIECES: RefCell<HashMap<Box<[u8]>, u32>> = RefCell::new(HashMap::new());
}

/// Tokens of ASCII `text` under `bpe` (which must be o200k_base).
pub(crate) fn count(bpe: &CoreBPE, text: &str) -> u64 {
    let s = text.as_bytes();
    debug_assert!(s.is_ascii());
    PIECES.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() > CACHE_MAX {
            cache.clear();
        }
        let mut total = 0u64;
        let mut i = 0;
        while i < s.len() {
            let end = next_piece(s, i);
            let piece = &s[i..end];
            let c = match cache.get(piece) {
                Some(c) => *c,
                None => {
                    // ASCII slices are valid UTF-8; the piece alone splits as one pre-token.
                    let c = std::str::from_utf8(piece)
                        .map(|p| bpe.encode_ordinary(p).len() as u32)
                        .unwrap_or(piece.len() as u32);
                    cache.insert(piece.into(), c);
                    c
                }
            };
            total += u64::from(c);
            i = end;
        }
        total
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bpe() -> &'static CoreBPE {
        static BPE: std::sync::OnceLock<CoreBPE> = std::sync::OnceLock::new();
        BPE.get_or_init(|| tiktoken_rs::o200k_base().unwrap())
    }

    fn pieces(s: &str) -> Vec<&str> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let e = next_piece(b, i);
            out.push(&s[i..e]);
            i = e;
        }
        out
    }

    #[test]
    fn splits_like_the_pattern() {
        assert_eq!(pieces("Hello world"), ["Hello", " world"]);
        assert_eq!(pieces("HELLOworld it's"), ["HELLOworld", " it's"]);
        assert_eq!(pieces("12345 x"), ["123", "45", " x"]);
        assert_eq!(pieces("a  b"), ["a", " ", " b"]);
        assert_eq!(pieces("end  "), ["end", "  "]);
        assert_eq!(pieces("x \n\n  y"), ["x", " \n\n", " ", " y"]);
        assert_eq!(pieces("(send) date."), ["(send", ")", " date", "."]);
        assert_eq!(pieces("a/b //\n"), ["a", "/b", " //\n"]);
        assert_eq!(pieces("WE'LL go"), ["WE'LL", " go"]);
    }

    #[test]
    fn counts_equal_tiktoken_on_prompt_text() {
        let b = bpe();
        for t in [
            "purchased on 2026-10-02 (2 months before the send date): product: Ridge 45L Backpack",
            "RULES:\n1. Say nothing about the recipient except what RECIPIENT FACTS lists.\n\n",
            "  leading spaces and\ttabs\nnewlines\n\n done  ",
            "We're sure you'll love it; it's what they'd've wanted. I'M HERE.",
            "",
        ] {
            assert_eq!(count(b, t), b.encode_ordinary(t).len() as u64, "{t:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn counts_equal_tiktoken_on_random_ascii(
            parts in proptest::collection::vec(
                prop_oneof![
                    "[a-z]{1,8}", "[A-Z][a-z]{0,6}", "[A-Z]{1,5}", "[0-9]{1,6}", " {1,3}",
                    "[\\r\\n]{1,3}", "[ \\t\\r\\n\\x0b\\x0c]{1,4}", "'(s|t|re|ve|m|ll|d|S|LL|x)",
                    "[!-/:-@\\[-`{-~]{1,3}", "[\\x00-\\x08\\x0e-\\x1f\\x7f]",
                ],
                0..40,
            )
        ) {
            let text: String = parts.concat();
            let b = bpe();
            prop_assert_eq!(count(b, &text), b.encode_ordinary(&text).len() as u64, "{:?}", text);
        }

        #[test]
        fn counts_equal_tiktoken_on_mixed_text(
            parts in proptest::collection::vec(
                prop_oneof![
                    "[a-z]{1,8}", "[A-Z][a-z]{0,6}", "[0-9]{1,4}", " {1,3}", "\n{1,2}",
                    "[ \t\r\n]{1,3}", "[!-/:-@]{1,2}", "/", "(é|ø|—|日本|Ж|ß|🙂|’)",
                ],
                0..40,
            )
        ) {
            let text: String = parts.concat();
            let b = bpe();
            prop_assert_eq!(count_any(b, &text), b.encode_ordinary(&text).len() as u64, "{:?}", text);
        }
    }
}
