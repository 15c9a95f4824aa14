//! Token counts before a call, with the model's real tokenizer where one is available offline.
//!
//! - OpenAI models: tiktoken, `o200k_base` for the gpt-4o / gpt-4.1 / gpt-5 / o-series families,
//!   `cl100k_base` for gpt-4 / gpt-3.5. Exact.
//! - Anthropic and Gemini publish no offline tokenizer. candor counts with `o200k_base` and adds a
//!   stated margin of [`NO_TOKENIZER_MARGIN_PCT`]% (+[`NO_TOKENIZER_MARGIN_FLAT`] tokens):
//!   Claude's and Gemini's tokenizers produce roughly 5–25% more tokens than o200k on English
//!   prose, so the estimate errs high, as a budget reservation must. Flagged `exact: false`.
//! - Local models: counted exactly by the local tier from the GGUF's own vocabulary; here the
//!   same conservative estimate is used until a local tokenizer is supplied.

use std::sync::OnceLock;

use candor_domain::{ChatMessage, PromptParts, TokenCount};
use tiktoken_rs::CoreBPE;

/// Margin, in percent, added to estimates for models without an offline tokenizer.
pub const NO_TOKENIZER_MARGIN_PCT: u64 = 25;
/// Flat margin added on top, per count.
pub const NO_TOKENIZER_MARGIN_FLAT: u64 = 4;
/// Chat framing per message (role markers and separators) in OpenAI's chat format.
pub const TOKENS_PER_MESSAGE: u64 = 3;
/// Tokens that prime the assistant's reply.
pub const TOKENS_REPLY_PRIMING: u64 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenEstimate {
    pub tokens: TokenCount,
    /// True when counted with the model's own tokenizer.
    pub exact: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    O200k,
    Cl100k,
}

fn bpe(enc: Encoding) -> Option<&'static CoreBPE> {
    static O200K: OnceLock<Option<CoreBPE>> = OnceLock::new();
    static CL100K: OnceLock<Option<CoreBPE>> = OnceLock::new();
    match enc {
        Encoding::O200k => O200K
            .get_or_init(|| tiktoken_rs::o200k_base().ok())
            .as_ref(),
        Encoding::Cl100k => CL100K
            .get_or_init(|| tiktoken_rs::cl100k_base().ok())
            .as_ref(),
    }
}

/// Which exact encoding a model uses, if it is an OpenAI model.
pub fn openai_encoding(model: &str) -> Option<Encoding> {
    let m = model.rsplit('/').next().unwrap_or(model);
    if m.starts_with("gpt-4o")
        || m.starts_with("gpt-4.1")
        || m.starts_with("gpt-4.5")
        || m.starts_with("gpt-5")
        || m.starts_with("o1")
        || m.starts_with("o3")
        || m.starts_with("o4")
        || m.starts_with("chatgpt-4o")
    {
        Some(Encoding::O200k)
    } else if m.starts_with("gpt-4") || m.starts_with("gpt-3.5") {
        Some(Encoding::Cl100k)
    } else {
        None
    }
}

/// Count raw text with an encoding (ordinary text: special-token strings are not special).
pub fn count_with(enc: Encoding, text: &str) -> u64 {
    match bpe(enc) {
        Some(b) if enc == Encoding::O200k => crate::o200k_ascii::count_any(b, text),
        Some(b) => b.encode_ordinary(text).len() as u64,
        // The BPE tables are compiled in; if they could not load, fall back to a bound that
        // is never below the true count for byte-level BPE (one token per byte at most).
        None => text.len() as u64,
    }
}

/// Count the tokens of `text` for `model`.
pub fn count(model: &str, text: &str) -> TokenEstimate {
    let enc = openai_encoding(model);
    estimate(enc, count_with(enc.unwrap_or(Encoding::O200k), text))
}

/// A count made with `enc`'s tokenizer (o200k where the model has none of its own) as the
/// model's estimate: exact, or with the stated margin.
fn estimate(enc: Option<Encoding>, base: u64) -> TokenEstimate {
    match enc {
        Some(_) => TokenEstimate {
            tokens: TokenCount(base),
            exact: true,
        },
        None => TokenEstimate {
            tokens: TokenCount(
                base + (base * NO_TOKENIZER_MARGIN_PCT).div_ceil(100) + NO_TOKENIZER_MARGIN_FLAT,
            ),
            exact: false,
        },
    }
}

const MEMO_MIN_BYTES: usize = 256;
/// Long texts remembered per thread: a campaign's static prefixes and segment blocks, a few
/// dozen at most.
const MEMO_MAX_ENTRIES: usize = 32;

thread_local! {
    /// Counts of long texts seen before on this thread (a campaign's static prompt prefix is
    /// sent with every call), with the texts themselves: a lookup compares lengths, then bytes,
    /// so a count is never taken for a different text. Oldest out first when full.
    static LONG: std::cell::RefCell<std::collections::VecDeque<(Encoding, String, u64)>> =
        const { std::cell::RefCell::new(std::collections::VecDeque::new()) };
}

/// [`count_with`], remembered for long texts.
fn count_with_memo(enc: Encoding, text: &str) -> u64 {
    if text.len() < MEMO_MIN_BYTES {
        return count_with(enc, text);
    }
    let hit = LONG.with(|m| {
        m.borrow()
            .iter()
            .find(|(e, t, _)| *e == enc && t.len() == text.len() && t == text)
            .map(|(_, _, c)| *c)
    });
    if let Some(c) = hit {
        return c;
    }
    let c = count_with(enc, text);
    LONG.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= MEMO_MAX_ENTRIES {
            m.pop_front();
        }
        m.push_back((enc, text.to_string(), c));
    });
    c
}

/// [`count`], remembered for long texts: for prompt parts that repeat across calls.
pub fn count_memo(model: &str, text: &str) -> TokenEstimate {
    let enc = openai_encoding(model);
    estimate(enc, count_with_memo(enc.unwrap_or(Encoding::O200k), text))
}

/// The same count as [`count_messages`] over `parts.to_messages()`, without building them and
/// without tokenizing the shared parts again: the static prefix and the segment block repeat
/// for every recipient of a segment, and only the recipient block is new.
///
/// The user message is the segment block, a blank line, the recipient block. When the
/// recipient block starts with an ASCII letter or digit, no pre-token of the BPE's split
/// pattern crosses the point after the blank line (a run of newlines, or punctuation with its
/// newlines, ends there), so the message's count is the sum of the two sides' counts.
/// Otherwise it is counted whole.
pub fn count_parts(model: &str, parts: &PromptParts) -> TokenEstimate {
    let enc = openai_encoding(model);
    let e = enc.unwrap_or(Encoding::O200k);
    let system = estimate(enc, count_with_memo(e, &parts.static_prefix));
    let (seg, rec) = (&parts.segment_block, &parts.recipient_block);
    let user_base = if seg.is_empty() {
        count_pieces(e, rec)
    } else if rec.is_empty() {
        count_with_memo(e, seg)
    } else if rec.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        let mut head = String::with_capacity(seg.len() + 2);
        head.push_str(seg);
        head.push_str("\n\n");
        count_with_memo(e, &head) + count_pieces(e, rec)
    } else {
        count_with(e, &format!("{seg}\n\n{rec}"))
    };
    let user = estimate(enc, user_base);
    TokenEstimate {
        tokens: TokenCount(
            TOKENS_REPLY_PRIMING + system.tokens.0 + user.tokens.0 + 2 * TOKENS_PER_MESSAGE,
        ),
        exact: system.exact && user.exact,
    }
}

/// Short texts counted before on this thread, per encoding (`None`: no offline tokenizer).
type LineMemo = foldhash::HashMap<Option<Encoding>, foldhash::HashMap<String, u64>>;

const LINE_MEMO_MAX_BYTES: usize = 512;
const LINE_MEMO_MAX_ENTRIES: usize = 16_384;

/// [`count`], remembered per thread for short texts that recur across recipients: fact lines
/// ("city: Porto", "loyalty tier: Gold", a purchase of a catalogue product on a given day).
/// A lookup is a hash of the text, a count is a BPE pass; the memo is bounded and cleared
/// when full.
pub fn count_line(model: &str, text: &str) -> TokenEstimate {
    let enc = openai_encoding(model);
    estimate(enc, line_base(enc, text))
}

thread_local! {
    static LINES: std::cell::RefCell<LineMemo> = std::cell::RefCell::default();
}

/// The base count of `text` (`enc`'s tokenizer, o200k without one), remembered per thread when
/// short.
fn line_base(enc: Option<Encoding>, text: &str) -> u64 {
    let e = enc.unwrap_or(Encoding::O200k);
    if text.len() > LINE_MEMO_MAX_BYTES {
        return count_with(e, text);
    }
    LINES.with(|m| {
        let mut m = m.borrow_mut();
        let lines = m.entry(enc).or_default();
        if let Some(&n) = lines.get(text) {
            return n;
        }
        let n = count_with(e, text);
        if lines.len() >= LINE_MEMO_MAX_ENTRIES {
            lines.clear();
        }
        lines.insert(text.to_string(), n);
        n
    })
}

/// [`count_with`] as the sum of the counts of `text`'s pieces, each remembered per thread (a
/// recipient block is fact lines that recur across recipients, and a BPE pass costs far more
/// than a lookup).
///
/// `text` is cut only right after a line break followed by an ASCII character that is neither
/// white space nor "/". No o200k or cl100k pre-token can continue past such a break: the ones
/// that hold a line break continue only with more white space, line breaks or (o200k) "/", and
/// none looks behind. Pre-tokens are counted apart, so the sum equals counting the whole text
/// (tested over both encodings).
pub fn count_pieces(e: Encoding, text: &str) -> u64 {
    let b = text.as_bytes();
    let mut total = 0;
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        let p = i + 1;
        let cut = b.get(p).is_some_and(|&c| {
            c.is_ascii() && !c.is_ascii_whitespace() && c != b'\x0B' && c != b'/'
        });
        if cut {
            total += line_base(Some(e), &text[start..p]);
            start = p;
        }
    }
    total + line_base(Some(e), &text[start..])
}

/// Count a chat prompt: content plus per-message framing and reply priming. Every message but
/// the last (the static prefix, in candor's layout) is remembered, so a campaign's shared
/// prefix is tokenized once rather than once per call.
pub fn count_messages(model: &str, messages: &[ChatMessage]) -> TokenEstimate {
    let mut exact = true;
    let mut total = TOKENS_REPLY_PRIMING;
    let last = messages.len().saturating_sub(1);
    for (i, m) in messages.iter().enumerate() {
        let c = if i < last {
            count_memo(model, &m.content)
        } else {
            count(model, &m.content)
        };
        exact &= c.exact;
        total += c.tokens.0 + TOKENS_PER_MESSAGE;
    }
    TokenEstimate {
        tokens: TokenCount(total),
        exact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_counts_equal_fresh_ones() {
        let long = "Northwind Outfitters writes warm, plain email. ".repeat(20);
        for model in ["gpt-4.1-mini", "gpt-4", "claude-sonnet-4-5"] {
            let fresh = count(model, &long);
            assert_eq!(count_memo(model, &long), fresh);
            assert_eq!(count_memo(model, &long), fresh, "second, remembered");
        }
        // Same length, different text: not confused.
        let other = long.replace('N', "M");
        assert_eq!(
            count_memo("gpt-4.1-mini", &other),
            count("gpt-4.1-mini", &other)
        );
        // More texts than the memo holds, twice over: evicted ones are counted again.
        let texts: Vec<String> = (0..MEMO_MAX_ENTRIES + 5)
            .map(|i| format!("{long}{}", "x ".repeat(i)))
            .collect();
        for _ in 0..2 {
            for t in &texts {
                assert_eq!(count_memo("gpt-4", t), count("gpt-4", t));
            }
        }
    }

    #[test]
    fn remembered_line_counts_equal_fresh_ones() {
        let lines = [
            "city: Porto",
            "purchased on 2026-10-02 (8 weeks before the send date): product: Trailblazer 2",
            "loyalty tier: Gold",
            "",
        ];
        for model in ["gpt-4.1-mini", "gpt-4", "claude-sonnet-4-5", "smollm2-360m"] {
            for _ in 0..2 {
                for l in lines {
                    assert_eq!(count_line(model, l), count(model, l), "{model}: {l:?}");
                }
            }
        }
        // One text under two encodings is two entries, not one.
        let text = "Zoë's Trailblazer boots: größer, leichter, wasserdicht";
        assert_ne!(count("gpt-4.1", text), count("gpt-4", text));
        assert_eq!(count_line("gpt-4.1", text), count("gpt-4.1", text));
        assert_eq!(count_line("gpt-4", text), count("gpt-4", text));
    }

    #[test]
    fn counting_prompt_parts_equals_counting_the_messages() {
        let prefix =
            "You write personalized marketing email for Northwind. Rules follow.\n".repeat(8);
        let segments = [
            String::new(),
            "THE OFFER:\n20% off boots until Sunday.".to_string(),
            format!(
                "THE OFFER:\n{}",
                "Trail season is here; our boots are ready/".repeat(12)
            ),
            "Segment copy that ends in a space ".to_string(),
            "Segment copy that ends in a newline\n".to_string(),
            "Zoë's größer Auswahl:".to_string(),
        ];
        let recipients = [
            String::new(),
            "FACTS:\nYou bought the Trailblazer 2 in October\nEND OF FACTS".to_string(),
            "2 orders this year".to_string(),
            "- city: Porto".to_string(),
            " leading space".to_string(),
            "\nleading newline".to_string(),
            "/slash first".to_string(),
            "Über die Stiefel".to_string(),
        ];
        for model in ["gpt-4.1-mini", "gpt-4", "claude-sonnet-4-5"] {
            for seg in &segments {
                for rec in &recipients {
                    let parts = PromptParts {
                        static_prefix: prefix.clone(),
                        segment_block: seg.clone(),
                        recipient_block: rec.clone(),
                    };
                    let whole = count_messages(model, &parts.to_messages());
                    // Twice: the second time the shared parts are remembered.
                    assert_eq!(
                        count_parts(model, &parts),
                        whole,
                        "{model}: {seg:?} + {rec:?}"
                    );
                    assert_eq!(
                        count_parts(model, &parts),
                        whole,
                        "{model}: {seg:?} + {rec:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn counting_by_pieces_equals_counting_the_whole() {
        // Line breaks followed by every kind of character that could join them to a
        // neighbouring pre-token, and by the ones that cut.
        let pieces = [
            "RECIPIENT FACTS:\n",
            "- city: Porto\n",
            "- bought Ridge 45L on 2025-04-14.\n",
            "\n",
            "\r\n",
            " \n",
            "\t",
            "/",
            "//x\n",
            "- (none)\n",
            "Write it now.",
            "!?\n",
            "Zoë's\n",
            "über\n",
            "\u{85}",
            "\u{2028}",
            "12\n",
            "345",
            "\x0B",
            "\x0C",
            "'s\n",
            "...\n",
            " ",
            "a",
            "-",
            "\n\n\n",
            ":\n/",
            "é",
            "😀\n",
        ];
        let mut seed: u64 = 11;
        for _ in 0..4000 {
            let mut text = String::new();
            for _ in 0..(seed % 9 + 1) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            for e in [Encoding::O200k, Encoding::Cl100k] {
                // Twice: the second time every piece is remembered.
                assert_eq!(
                    count_pieces(e, &text),
                    count_with(e, &text),
                    "{e:?} {text:?}"
                );
                assert_eq!(
                    count_pieces(e, &text),
                    count_with(e, &text),
                    "{e:?} {text:?}"
                );
            }
        }
    }

    // Reference values from OpenAI's tiktoken (Python) for fixed strings.
    #[test]
    fn matches_tiktoken_reference() {
        let ids = |enc, s| bpe(enc).unwrap().encode_ordinary(s);
        assert_eq!(ids(Encoding::Cl100k, "hello world"), vec![15339, 1917]);
        assert_eq!(
            ids(Encoding::Cl100k, "tiktoken is great!"),
            vec![83, 1609, 5963, 374, 2294, 0]
        );
        assert_eq!(ids(Encoding::O200k, "hello world"), vec![24912, 2375]);
        assert_eq!(
            ids(Encoding::O200k, "tiktoken is great!"),
            vec![83, 8251, 2488, 382, 2212, 0]
        );
        assert_eq!(count_with(Encoding::Cl100k, ""), 0);
    }

    #[test]
    fn exact_for_openai_conservative_for_others() {
        let t = "Your Trailblazer boots have covered some miles since March.";
        let o = count("gpt-4.1-mini", t);
        assert!(o.exact);
        let c = count("claude-sonnet-4-5", t);
        assert!(!c.exact);
        assert!(c.tokens.0 >= o.tokens.0 * 125 / 100);
        assert_eq!(openai_encoding("gpt-3.5-turbo"), Some(Encoding::Cl100k));
        assert_eq!(openai_encoding("openai/gpt-5-nano"), Some(Encoding::O200k));
    }
}
