//! Provider prompt-caching rules: how many tokens of a shared prompt prefix a provider's cache
//! can serve. Below a provider's minimum nothing is cached and no error is raised, so an
//! estimator must never assume a hit there.

use crate::ModelPrice;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CachePolicy {
    /// Automatic exact-prefix caching (OpenAI): from `min` tokens, growing in `step`-token steps.
    /// Writes cost plain input.
    Automatic { min: u64, step: u64 },
    /// Explicit breakpoints (Anthropic `cache_control`): the marked prefix is cached whole if it
    /// reaches `min` tokens; the first call writes at the cache-write price.
    Explicit { min: u64 },
    /// No provider cache (local models reuse their own KV cache at no price).
    None,
}

impl CachePolicy {
    /// The policy for a model, from its provider and name (REFERENCE.md, mid-2026).
    pub fn for_model(price: &ModelPrice) -> CachePolicy {
        let m = price.model.as_str();
        match price.provider.as_str() {
            "openai" | "azure" => CachePolicy::Automatic {
                min: 1024,
                step: 128,
            },
            "anthropic" => {
                let min = if m.contains("haiku-4")
                    || m.contains("opus-4-5")
                    || m.contains("opus-4-6")
                {
                    4096
                } else if m.contains("haiku-3") || m.contains("3-haiku") || m.contains("3-5-haiku")
                {
                    2048
                } else {
                    1024
                };
                CachePolicy::Explicit { min }
            }
            // Gemini 2.5+ implicit caching; minimums vary 1,024–4,096 by model and doc version:
            // take the high end so an estimate never counts a hit that may not happen.
            "gemini" | "vertex_ai" => CachePolicy::Automatic { min: 4096, step: 1 },
            _ => CachePolicy::None,
        }
    }

    /// Tokens of a `prefix_tokens`-long shared prefix served from cache on a warm call.
    pub fn cached_tokens(self, prefix_tokens: u64) -> u64 {
        match self {
            CachePolicy::Automatic { min, step } => {
                if prefix_tokens < min {
                    0
                } else {
                    min + (prefix_tokens - min) / step.max(1) * step.max(1)
                }
            }
            CachePolicy::Explicit { min } => {
                if prefix_tokens < min {
                    0
                } else {
                    prefix_tokens
                }
            }
            CachePolicy::None => 0,
        }
    }

    /// Whether the first (cold) call pays a cache-write premium on the cached part.
    pub fn has_write_premium(self) -> bool {
        matches!(self, CachePolicy::Explicit { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PriceTable;

    #[test]
    fn openai_steps_and_minimum() {
        let p = CachePolicy::Automatic {
            min: 1024,
            step: 128,
        };
        assert_eq!(p.cached_tokens(1023), 0);
        assert_eq!(p.cached_tokens(1024), 1024);
        assert_eq!(p.cached_tokens(1151), 1024);
        assert_eq!(p.cached_tokens(1152), 1152);
        assert_eq!(p.cached_tokens(1500), 1408);
    }

    #[test]
    fn anthropic_minimum_per_model() {
        let t = PriceTable::snapshot();
        let haiku = CachePolicy::for_model(t.get("claude-haiku-4-5").unwrap());
        let sonnet = CachePolicy::for_model(t.get("claude-sonnet-4-5").unwrap());
        assert_eq!(haiku, CachePolicy::Explicit { min: 4096 });
        assert_eq!(
            haiku.cached_tokens(1500),
            0,
            "below Haiku 4.5's 4,096 nothing is cached"
        );
        assert_eq!(sonnet.cached_tokens(1500), 1500);
        assert!(sonnet.has_write_premium());
        assert_eq!(
            CachePolicy::for_model(t.get("smollm2-135m-instruct-q4_1").unwrap()),
            CachePolicy::None
        );
    }
}
