//! The shape of one model call, independent of any provider's wire format.

use serde::{Deserialize, Serialize};

use crate::money::TokenCount;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
}

/// A prompt in candor's cache-friendly layout. The parts are concatenated in this order, so the
/// static prefix (identical for every recipient of a campaign) is a byte-exact shared prefix that
/// provider prompt caches (and the local tier's KV cache) can reuse.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptParts {
    /// Brand voice, rules, brief, output scaffold: identical for all recipients.
    pub static_prefix: String,
    /// Segment block: identical within a segment.
    pub segment_block: String,
    /// This recipient's facts as a data block, plus the instruction for this call.
    pub recipient_block: String,
}

impl PromptParts {
    /// The two-message form every provider receives: system = static prefix; user = segment
    /// block followed by recipient block.
    pub fn to_messages(&self) -> Vec<ChatMessage> {
        let mut user =
            String::with_capacity(self.segment_block.len() + self.recipient_block.len() + 2);
        user.push_str(&self.segment_block);
        if !self.segment_block.is_empty() && !self.recipient_block.is_empty() {
            user.push_str("\n\n");
        }
        user.push_str(&self.recipient_block);
        vec![
            ChatMessage {
                role: Role::System,
                content: self.static_prefix.clone(),
            },
            ChatMessage {
                role: Role::User,
                content: user,
            },
        ]
    }
}

/// One model call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<ChatMessage>,
    /// Hard cap on generated tokens; the governor reserves against it.
    pub max_output_tokens: u32,
    /// Sampling temperature; `None` = provider default. (Not money: a float is fine here.)
    pub temperature: Option<f32>,
    pub seed: Option<u64>,
    pub stop: Vec<String>,
    /// How many leading messages form the static prefix (marked for provider caching where the
    /// provider needs it marked, e.g. Anthropic `cache_control`).
    pub cacheable_prefix_messages: usize,
}

impl ChatRequest {
    pub fn from_parts(
        model: impl Into<String>,
        parts: &PromptParts,
        max_output_tokens: u32,
    ) -> Self {
        ChatRequest {
            model: model.into(),
            messages: parts.to_messages(),
            max_output_tokens,
            temperature: Some(0.0),
            seed: None,
            stop: Vec::new(),
            cacheable_prefix_messages: 1,
        }
    }
}

/// Token usage of one call, normalised across providers.
///
/// `input_tokens` counts only uncached, non-cache-write input: the three input fields are
/// disjoint and add up to the whole prompt. (OpenAI reports cached tokens *inside*
/// `prompt_tokens`; Anthropic reports cache reads and writes *apart* from `input_tokens`; the
/// providers normalise into this shape, which is what the price table charges.)
/// `reasoning_tokens` is a part of `output_tokens` (billed as output), kept for audit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: TokenCount,
    pub cached_input_tokens: TokenCount,
    pub cache_write_tokens: TokenCount,
    pub output_tokens: TokenCount,
    pub reasoning_tokens: TokenCount,
}

impl Usage {
    pub fn prompt_total(&self) -> TokenCount {
        self.input_tokens + self.cached_input_tokens + self.cache_write_tokens
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    Stop,
    Length,
    Other,
}

/// A model's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    pub text: String,
    pub usage: Usage,
    /// False when the provider sent no usage and candor priced the call from its own counts.
    pub usage_reported: bool,
    pub finish_reason: FinishReason,
    /// Model name the provider says answered (may differ from the requested alias).
    pub model: String,
    /// In-process inference time spent on this call, in milliseconds (the local tier; a
    /// batch's compute is divided among its members). `None` for remote providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute_ms: Option<u64>,
}
