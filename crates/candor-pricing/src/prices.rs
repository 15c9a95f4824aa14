//! The price table.

use std::collections::BTreeMap;

use candor_domain::{Date, Money, TokenCount, Usage};
use serde::Deserialize;
use serde_json::value::RawValue;

pub const TOKENS_PER_MTOK: i128 = 1_000_000;

const SNAPSHOT: &str = include_str!("../data/prices.json");

/// Prices of one model, per 1M tokens, exact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelPrice {
    pub model: String,
    /// `openai`, `anthropic`, `gemini`, `local`, ... (LiteLLM's `litellm_provider`).
    pub provider: String,
    pub input_per_mtok: Money,
    /// Price of a prompt token served from the provider's cache.
    pub cached_input_per_mtok: Money,
    /// Price of a prompt token written to the cache (Anthropic's 1.25×; OpenAI: same as input).
    pub cache_write_per_mtok: Money,
    pub output_per_mtok: Money,
    /// Batch-API prices, when the provider has a batch API.
    pub batch_input_per_mtok: Option<Money>,
    pub batch_output_per_mtok: Option<Money>,
    pub max_output_tokens: Option<u64>,
    pub effective: Date,
}

impl ModelPrice {
    pub fn is_free(&self) -> bool {
        self.input_per_mtok.is_zero()
            && self.cached_input_per_mtok.is_zero()
            && self.cache_write_per_mtok.is_zero()
            && self.output_per_mtok.is_zero()
    }

    pub fn supports_batch(&self) -> bool {
        self.batch_input_per_mtok.is_some() && self.batch_output_per_mtok.is_some()
    }

    /// Prices per 1M tokens that apply: (input, cached, cache write, output).
    /// In a batch, input and output take the batch prices; cached and cache-write keep their
    /// own (whether batch and cache discounts stack is not documented for every provider, so
    /// candor assumes they do not: the conservative choice).
    fn rates(&self, batch: bool) -> (Money, Money, Money, Money) {
        let (i, o) = match (batch, self.batch_input_per_mtok, self.batch_output_per_mtok) {
            (true, Some(i), Some(o)) => (i, o),
            _ => (self.input_per_mtok, self.output_per_mtok),
        };
        (i, self.cached_input_per_mtok, self.cache_write_per_mtok, o)
    }

    /// Exact cost of a call's usage. Sums picodollars × tokens first and divides by 10^6 once,
    /// rounding up only when a user-supplied price is finer than a picodollar per token.
    pub fn cost(&self, usage: &Usage, batch: bool) -> Money {
        let (i, c, w, o) = self.rates(batch);
        let total = i.picos() * usage.input_tokens.0 as i128
            + c.picos() * usage.cached_input_tokens.0 as i128
            + w.picos() * usage.cache_write_tokens.0 as i128
            + o.picos() * usage.output_tokens.0 as i128;
        Money::from_picos(total)
            .mul_div_ceil(1, TOKENS_PER_MTOK)
            .unwrap_or(Money::from_picos(i128::MAX))
    }

    /// The most a call with this prompt and output cap can cost: every prompt token at the
    /// dearest input rate (a cache write can cost more than plain input), plus the full output
    /// cap. This is what the governor reserves.
    pub fn worst_case(
        &self,
        prompt_tokens: TokenCount,
        max_output_tokens: TokenCount,
        batch: bool,
    ) -> Money {
        let (i, c, w, o) = self.rates(batch);
        let dearest = i.max(c).max(w);
        let total =
            dearest.picos() * prompt_tokens.0 as i128 + o.picos() * max_output_tokens.0 as i128;
        Money::from_picos(total)
            .mul_div_ceil(1, TOKENS_PER_MTOK)
            .unwrap_or(Money::from_picos(i128::MAX))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PricingError {
    #[error("no price for model `{model}` in the price table (effective {effective}){}", suggest(.close))]
    UnknownModel {
        model: String,
        effective: Date,
        close: Vec<String>,
    },
    #[error("price file: {0}")]
    Syntax(String),
    #[error("price file: model `{model}`, key `{key}`: {why}")]
    BadPrice {
        model: String,
        key: String,
        why: String,
    },
    #[error("price override for `{model}`: {why}")]
    BadOverride { model: String, why: String },
}

fn suggest(close: &[String]) -> String {
    if close.is_empty() {
        " — add it under [prices] in candor.toml or load a current LiteLLM price file".into()
    } else {
        format!(
            " — did you mean {}? Or add it under [prices] in candor.toml",
            close
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// A user's price for one model in `candor.toml`, in dollars per 1M tokens (the unit is in the
/// key's name on purpose: per-token vs per-million mix-ups are a known source of 10^6 errors).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceOverride {
    pub provider: Option<String>,
    pub input_usd_per_mtok: Option<String>,
    pub cached_input_usd_per_mtok: Option<String>,
    pub cache_write_usd_per_mtok: Option<String>,
    pub output_usd_per_mtok: Option<String>,
    pub batch_input_usd_per_mtok: Option<String>,
    pub batch_output_usd_per_mtok: Option<String>,
    /// YYYY-MM-DD the override's prices are effective from.
    pub effective: Option<String>,
}

/// Prices per model, with the date they are effective from.
#[derive(Clone, Debug)]
pub struct PriceTable {
    models: BTreeMap<String, ModelPrice>,
    effective: Date,
    source: String,
}

impl PriceTable {
    /// The snapshot shipped with candor.
    pub fn snapshot() -> PriceTable {
        // The snapshot is part of the build and covered by tests; an empty table can only come
        // from a broken build, and then every lookup fails loudly anyway.
        PriceTable::from_litellm_json(SNAPSHOT, None).unwrap_or_else(|_| PriceTable {
            models: BTreeMap::new(),
            effective: Date::UNIX_EPOCH,
            source: "empty".into(),
        })
    }

    /// Read LiteLLM's `model_prices_and_context_window.json` format. Numbers are read from their
    /// decimal text (`1.5e-07`), never through `f64`. `effective` defaults to the file's
    /// `_candor.effective_date`, else today is unknown so it must be given.
    pub fn from_litellm_json(
        text: &str,
        effective: Option<Date>,
    ) -> Result<PriceTable, PricingError> {
        let raw: BTreeMap<String, Box<RawValue>> =
            serde_json::from_str(text).map_err(|e| PricingError::Syntax(e.to_string()))?;
        let mut effective = effective;
        let mut source = "LiteLLM price file".to_string();
        if let Some(meta) = raw.get("_candor") {
            #[derive(Deserialize)]
            struct Meta {
                effective_date: Option<String>,
                source: Option<String>,
            }
            if let Ok(m) = serde_json::from_str::<Meta>(meta.get()) {
                if effective.is_none() {
                    effective = m
                        .effective_date
                        .as_deref()
                        .and_then(|d| Date::parse(d).ok());
                }
                if let Some(s) = m.source {
                    source = s;
                }
            }
        }
        let effective = effective.ok_or_else(|| {
            PricingError::Syntax("the price file has no effective date: pass one (prices change; candor shows the table's date)".into())
        })?;
        let mut models = BTreeMap::new();
        for (name, value) in &raw {
            if name == "sample_spec" || name.starts_with('_') {
                continue;
            }
            let fields: BTreeMap<String, Box<RawValue>> = match serde_json::from_str(value.get()) {
                Ok(f) => f,
                Err(_) => continue, // not an object: not a model entry
            };
            // Only chat/completion models are priced for candor; skip embeddings, images, audio.
            if let Some(mode) = fields.get("mode") {
                let mode: String = serde_json::from_str(mode.get()).unwrap_or_default();
                if !mode.is_empty() && mode != "chat" && mode != "completion" && mode != "responses"
                {
                    continue;
                }
            }
            let per_token = |key: &str| -> Result<Option<Money>, PricingError> {
                match fields.get(key) {
                    None => Ok(None),
                    Some(v) if v.get() == "null" => Ok(None),
                    Some(v) => {
                        let t = v.get().trim_matches('"');
                        Money::parse_dollars(t)
                            .map(Some)
                            .map_err(|e| PricingError::BadPrice {
                                model: name.clone(),
                                key: key.into(),
                                why: e.to_string(),
                            })
                    }
                }
            };
            let mtok = |m: Money| {
                m.checked_mul(TOKENS_PER_MTOK)
                    .unwrap_or(Money::from_picos(i128::MAX))
            };
            let Some(input) = per_token("input_cost_per_token")? else {
                continue;
            };
            let Some(output) = per_token("output_cost_per_token")? else {
                continue;
            };
            let provider = fields
                .get("litellm_provider")
                .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
                .unwrap_or_default();
            let cached = per_token("cache_read_input_token_cost")?.unwrap_or(input);
            let write = per_token("cache_creation_input_token_cost")?.unwrap_or(input);
            let max_output_tokens = fields
                .get("max_output_tokens")
                .and_then(|v| serde_json::from_str::<u64>(v.get()).ok());
            models.insert(
                name.clone(),
                ModelPrice {
                    model: name.clone(),
                    provider,
                    input_per_mtok: mtok(input),
                    cached_input_per_mtok: mtok(cached),
                    cache_write_per_mtok: mtok(write),
                    output_per_mtok: mtok(output),
                    batch_input_per_mtok: per_token("input_cost_per_token_batches")?.map(mtok),
                    batch_output_per_mtok: per_token("output_cost_per_token_batches")?.map(mtok),
                    max_output_tokens,
                    effective,
                },
            );
        }
        Ok(PriceTable {
            models,
            effective,
            source,
        })
    }

    /// Add or replace one model's prices (e.g. from `candor.toml`). Missing fields keep the
    /// table's value; a model new to the table needs at least input and output.
    pub fn apply_override(&mut self, model: &str, o: &PriceOverride) -> Result<(), PricingError> {
        let bad = |why: String| PricingError::BadOverride {
            model: model.into(),
            why,
        };
        let parse = |v: &Option<String>, key: &str| -> Result<Option<Money>, PricingError> {
            v.as_deref()
                .map(|s| Money::parse_dollars(s).map_err(|e| bad(format!("`{key}`: {e}"))))
                .transpose()
        };
        let effective = match &o.effective {
            Some(d) => Date::parse(d).map_err(|e| bad(format!("`effective`: {e}")))?,
            None => self.effective,
        };
        let input = parse(&o.input_usd_per_mtok, "input_usd_per_mtok")?;
        let output = parse(&o.output_usd_per_mtok, "output_usd_per_mtok")?;
        let entry = match self.models.get(model) {
            Some(p) => p.clone(),
            None => {
                let (Some(i), Some(out)) = (input, output) else {
                    return Err(bad("a model not in the price table needs `input_usd_per_mtok` and `output_usd_per_mtok`".into()));
                };
                ModelPrice {
                    model: model.into(),
                    provider: o.provider.clone().unwrap_or_default(),
                    input_per_mtok: i,
                    cached_input_per_mtok: i,
                    cache_write_per_mtok: i,
                    output_per_mtok: out,
                    batch_input_per_mtok: None,
                    batch_output_per_mtok: None,
                    max_output_tokens: None,
                    effective,
                }
            }
        };
        let mut p = entry;
        if let Some(v) = &o.provider {
            p.provider = v.clone();
        }
        if let Some(v) = input {
            p.input_per_mtok = v;
        }
        if let Some(v) = output {
            p.output_per_mtok = v;
        }
        if let Some(v) = parse(&o.cached_input_usd_per_mtok, "cached_input_usd_per_mtok")? {
            p.cached_input_per_mtok = v;
        }
        if let Some(v) = parse(&o.cache_write_usd_per_mtok, "cache_write_usd_per_mtok")? {
            p.cache_write_per_mtok = v;
        }
        if let Some(v) = parse(&o.batch_input_usd_per_mtok, "batch_input_usd_per_mtok")? {
            p.batch_input_per_mtok = Some(v);
        }
        if let Some(v) = parse(&o.batch_output_usd_per_mtok, "batch_output_usd_per_mtok")? {
            p.batch_output_per_mtok = Some(v);
        }
        for (k, m) in [("input", p.input_per_mtok), ("output", p.output_per_mtok)] {
            if m.is_negative() {
                return Err(bad(format!("negative {k} price")));
            }
        }
        p.effective = effective;
        self.models.insert(model.into(), p);
        Ok(())
    }

    /// The price of `model`. Accepts LiteLLM's `provider/model` spelling. Unknown = error.
    pub fn get(&self, model: &str) -> Result<&ModelPrice, PricingError> {
        if let Some(p) = self.models.get(model) {
            return Ok(p);
        }
        if let Some((_, bare)) = model.split_once('/') {
            if let Some(p) = self.models.get(bare) {
                return Ok(p);
            }
        }
        let needle = model.rsplit('/').next().unwrap_or(model);
        let close = self
            .models
            .keys()
            .filter(|k| k.contains(needle) || needle.contains(k.as_str()))
            .take(3)
            .cloned()
            .collect();
        Err(PricingError::UnknownModel {
            model: model.into(),
            effective: self.effective,
            close,
        })
    }

    pub fn effective(&self) -> Date {
        self.effective
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn models(&self) -> impl Iterator<Item = &ModelPrice> {
        self.models.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(i: u64, c: u64, w: u64, o: u64) -> Usage {
        Usage {
            input_tokens: TokenCount(i),
            cached_input_tokens: TokenCount(c),
            cache_write_tokens: TokenCount(w),
            output_tokens: TokenCount(o),
            reasoning_tokens: TokenCount(0),
        }
    }

    #[test]
    fn snapshot_has_every_required_model() {
        let t = PriceTable::snapshot();
        for m in [
            "gpt-4o-mini",
            "gpt-4.1",
            "gpt-4.1-mini",
            "gpt-4.1-nano",
            "gpt-5",
            "gpt-5-mini",
            "gpt-5-nano",
            "claude-haiku-4-5",
            "claude-sonnet-4-5",
            "gemini-2.5-flash",
            "gemini-2.5-flash-lite",
            "qwen2.5-coder-0.5b-instruct-q4_k_m",
            "smollm2-135m-instruct-q4_1",
        ] {
            assert!(t.get(m).is_ok(), "{m}");
        }
        assert_eq!(t.effective().to_string(), "2026-07-01");
        assert!(t
            .get("qwen2.5-coder-0.5b-instruct-q4_k_m")
            .unwrap()
            .is_free());
        let sonnet = t.get("claude-sonnet-4-5").unwrap();
        assert_eq!(sonnet.input_per_mtok, Money::from_dollars(3));
        assert_eq!(
            sonnet.cached_input_per_mtok,
            Money::parse_dollars("0.30").unwrap()
        );
        assert_eq!(
            sonnet.cache_write_per_mtok,
            Money::parse_dollars("3.75").unwrap()
        );
        assert_eq!(
            sonnet.batch_output_per_mtok,
            Some(Money::parse_dollars("7.5").unwrap())
        );
    }

    #[test]
    fn unknown_model_is_an_error_naming_it() {
        let t = PriceTable::snapshot();
        let e = t.get("gpt-9-ultra").unwrap_err().to_string();
        assert!(e.contains("gpt-9-ultra"), "{e}");
        assert!(e.contains("2026-07-01"), "{e}");
        assert!(t.get("openai/gpt-4o-mini").is_ok());
    }

    #[test]
    fn cost_is_exact() {
        let t = PriceTable::snapshot();
        let p = t.get("gpt-4o-mini").unwrap();
        // 1,000 input at $0.15/M + 500 output at $0.60/M = 0.00015 + 0.0003
        assert_eq!(
            p.cost(&usage(1000, 0, 0, 500), false),
            Money::parse_dollars("0.00045").unwrap()
        );
        // batch halves both
        assert_eq!(
            p.cost(&usage(1000, 0, 0, 500), true),
            Money::parse_dollars("0.000225").unwrap()
        );
        let n = t.get("gpt-5-nano").unwrap();
        assert_eq!(
            n.cost(&usage(0, 1, 0, 0), false).picos(),
            5_000,
            "$0.005/M = 5000 pico/token"
        );
        let s = t.get("claude-sonnet-4-5").unwrap();
        // 100 input + 2000 cache read + 1500 cache write + 250 out
        let expect = Money::parse_dollars("0.0003").unwrap()
            + Money::parse_dollars("0.0006").unwrap()
            + Money::parse_dollars("0.005625").unwrap()
            + Money::parse_dollars("0.00375").unwrap();
        assert_eq!(s.cost(&usage(100, 2000, 1500, 250), false), expect);
    }

    #[test]
    fn worst_case_bounds_every_split_of_the_prompt() {
        let t = PriceTable::snapshot();
        for p in t.models() {
            let wc = p.worst_case(TokenCount(3000), TokenCount(300), false);
            for (i, c, w) in [(3000, 0, 0), (0, 3000, 0), (0, 0, 3000), (1000, 1000, 1000)] {
                assert!(p.cost(&usage(i, c, w, 300), false) <= wc, "{}", p.model);
                assert!(p.cost(&usage(i, c, w, 10), false) <= wc, "{}", p.model);
            }
        }
    }

    #[test]
    fn reads_a_real_litellm_sample() {
        // Shape as in LiteLLM's model_prices_and_context_window.json, incl. non-chat entries.
        let text = r#"{
          "sample_spec": {"input_cost_per_token": 0.0, "litellm_provider": "one of https://docs.litellm.ai/docs/providers", "mode": "one of: chat, embedding"},
          "gpt-4o": {"cache_read_input_token_cost": 1.25e-06, "input_cost_per_token": 2.5e-06,
                     "input_cost_per_token_batches": 1.25e-06, "litellm_provider": "openai",
                     "max_input_tokens": 128000, "max_output_tokens": 16384, "max_tokens": 16384,
                     "mode": "chat", "output_cost_per_token": 1e-05, "output_cost_per_token_batches": 5e-06,
                     "supports_prompt_caching": true},
          "claude-3-5-haiku-20241022": {"cache_creation_input_token_cost": 1e-06, "cache_read_input_token_cost": 8e-08,
                     "input_cost_per_token": 8e-07, "litellm_provider": "anthropic", "max_output_tokens": 8192,
                     "mode": "chat", "output_cost_per_token": 4e-06},
          "text-embedding-3-small": {"input_cost_per_token": 2e-08, "litellm_provider": "openai", "mode": "embedding", "output_cost_per_token": 0.0},
          "dall-e-3": {"litellm_provider": "openai", "mode": "image_generation", "output_cost_per_pixel": 0.0}
        }"#;
        let t = PriceTable::from_litellm_json(text, Date::from_ymd(2026, 11, 1)).unwrap();
        let g = t.get("gpt-4o").unwrap();
        assert_eq!(g.input_per_mtok, Money::parse_dollars("2.5").unwrap());
        assert_eq!(
            g.cached_input_per_mtok,
            Money::parse_dollars("1.25").unwrap()
        );
        assert_eq!(
            g.cache_write_per_mtok, g.input_per_mtok,
            "OpenAI: writes cost plain input"
        );
        assert_eq!(
            g.batch_input_per_mtok,
            Some(Money::parse_dollars("1.25").unwrap())
        );
        assert_eq!(g.max_output_tokens, Some(16384));
        let h = t.get("claude-3-5-haiku-20241022").unwrap();
        assert_eq!(h.cache_write_per_mtok, Money::from_dollars(1));
        assert!(!h.supports_batch());
        assert!(t.get("text-embedding-3-small").is_err());
        assert!(t.get("dall-e-3").is_err());
        assert!(
            PriceTable::from_litellm_json(text, None).is_err(),
            "a date is required"
        );
    }

    #[test]
    fn overrides() {
        let mut t = PriceTable::snapshot();
        t.apply_override(
            "my-vllm-llama",
            &PriceOverride {
                input_usd_per_mtok: Some("0.02".into()),
                output_usd_per_mtok: Some("0.04".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            t.get("my-vllm-llama").unwrap().output_per_mtok,
            Money::parse_dollars("0.04").unwrap()
        );
        t.apply_override(
            "gpt-4o-mini",
            &PriceOverride {
                output_usd_per_mtok: Some("0.5".into()),
                ..Default::default()
            },
        )
        .unwrap();
        let p = t.get("gpt-4o-mini").unwrap();
        assert_eq!(p.output_per_mtok, Money::parse_dollars("0.5").unwrap());
        assert_eq!(p.input_per_mtok, Money::parse_dollars("0.15").unwrap());
        let e = t.apply_override(
            "new",
            &PriceOverride {
                input_usd_per_mtok: Some("1".into()),
                ..Default::default()
            },
        );
        assert!(e.unwrap_err().to_string().contains("output_usd_per_mtok"));
        let e = t.apply_override(
            "gpt-4.1",
            &PriceOverride {
                input_usd_per_mtok: Some("1.0.0".into()),
                ..Default::default()
            },
        );
        assert!(e.unwrap_err().to_string().contains("input_usd_per_mtok"));
    }
}
