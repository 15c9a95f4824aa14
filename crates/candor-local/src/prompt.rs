//! The prompt shape that gets a usable opener out of a small local model.
//!
//! Small models copy whatever specifics they see, so the prompt holds no example with concrete
//! products, names or places that could leak onto a recipient; it states the rules as short
//! imperatives, and puts the recipient's facts last as a clearly fenced data block, followed by
//! the one instruction, so the answer starts right after it. The static part (system message)
//! is identical for every recipient of a brand, so its KV cache is computed once.

use candor_domain::PromptParts;

use crate::SampleParams;

/// Output cap for an opener: two sentences fit comfortably.
pub const OPENER_MAX_TOKENS: u32 = 72;

/// Greedy decoding, capped, stopping if the model starts echoing the prompt. (Not at a blank
/// line: small models often put "Hi Li," on a line of its own; [`tidy_opener`] joins lines.)
pub fn opener_params() -> SampleParams {
    SampleParams {
        max_tokens: OPENER_MAX_TOKENS as usize,
        stop: vec![
            "FACTS:".into(),
            "END OF FACTS".into(),
            "ABOUT THIS EMAIL".into(),
        ],
        ..SampleParams::default()
    }
}

/// Keep the first one or two sentences of a model's opener, trimmed, without wrapping quotes.
/// Says nothing new: only cuts.
pub fn tidy_opener(text: &str) -> String {
    let t = text
        .trim()
        .trim_matches(|c| c == '"' || c == '\u{201c}' || c == '\u{201d}');
    let mut end = t.len();
    let mut sentences = 0;
    let bytes = t.as_bytes();
    for (i, c) in t.char_indices() {
        if matches!(c, '.' | '!' | '?') {
            let next = bytes.get(i + 1).copied();
            if next.is_none() || next == Some(b' ') || next == Some(b'\n') {
                sentences += 1;
                if sentences == 2 {
                    end = i + 1;
                    break;
                }
            }
        }
    }
    t[..end].trim().to_string()
}

/// Build the prompt for a 1–2 sentence opener.
///
/// - `brand`: the sender's name as it should appear (may be empty).
/// - `voice`: a short description of the brand voice, e.g. "warm, plain, no hype" (may be empty).
/// - `segment_block`: what this segment's email is about (the campaign's offer in one or two
///   lines); identical within a segment.
/// - `facts_block`: this recipient's facts, one `key: value` per line, only facts that exist.
pub fn opener_prompt(
    brand: &str,
    voice: &str,
    segment_block: &str,
    facts_block: &str,
) -> PromptParts {
    let mut sys = String::from(
        "You write the first lines of marketing emails. You write exactly one or two short \
         sentences addressed to one customer, then stop.\n\
         Rules:\n\
         - Use only the facts listed under FACTS. Never invent a product, place, date, number, \
         event or past activity that is not listed.\n\
         - If there are few facts, write less: a friendly, specific line about the offer is \
         better than a guess.\n\
         - Address the customer by first name if a name is listed; otherwise use no name.\n\
         - No greeting line such as \"Dear Customer\" or \"Hello there\", no placeholders in \
         brackets, no subject line, no sign-off, no quotation marks, no emojis.\n\
         - Do not say \"we noticed\", \"as a loyal customer\" or similar unless a listed fact \
         shows it.\n\
         - Write plain text only, in the customer's language if one is listed, else English.",
    );
    if !brand.trim().is_empty() {
        sys.push_str("\nYou write for ");
        sys.push_str(brand.trim());
        sys.push('.');
    }
    if !voice.trim().is_empty() {
        sys.push_str(" Voice: ");
        sys.push_str(voice.trim());
        sys.push('.');
    }
    let segment = if segment_block.trim().is_empty() {
        String::new()
    } else {
        format!("ABOUT THIS EMAIL:\n{}", segment_block.trim())
    };
    let facts = facts_block.trim();
    let facts = if facts.is_empty() {
        "(no facts about this customer)"
    } else {
        facts
    };
    let recipient = format!(
        "FACTS:\n{facts}\nEND OF FACTS\n\nWrite the opener now: one or two sentences, using only the facts above."
    );
    PromptParts {
        static_prefix: sys,
        segment_block: segment,
        recipient_block: recipient,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_opener_keeps_two_sentences() {
        assert_eq!(
            tidy_opener(" \"Hi Ana! Rain jackets are 20% off. Come by.\" "),
            "Hi Ana! Rain jackets are 20% off."
        );
        assert_eq!(
            tidy_opener("Only one, 2.5 km away"),
            "Only one, 2.5 km away"
        );
    }

    #[test]
    fn static_prefix_does_not_depend_on_the_recipient() {
        let a = opener_prompt("Acme", "warm", "Spring sale", "first_name: Ana");
        let b = opener_prompt("Acme", "warm", "Spring sale", "");
        assert_eq!(a.static_prefix, b.static_prefix);
        assert!(b.recipient_block.contains("no facts"));
        assert!(a.recipient_block.contains("first_name: Ana"));
    }
}
