//! Building a provider from configuration.
//!
//! Job: turn a `[providers.NAME]` table of `campaign.toml` / the CLI's config (raw serde form,
//! unknown keys refused) into a ready `Arc<dyn Provider>`.
//!
//! Invariants: the key is named by where it lives (`api_key_env` or `api_key_file`), never
//! written in the config itself; at most one of the two may be given; Anthropic requires one.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;

use crate::openai::MaxTokensField;
use crate::secret::{ApiKey, KeySource};
use crate::{AnthropicProvider, FakeProvider, OpenAiProvider, Provider, ProviderError};

/// Which wire format a provider speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// OpenAI Chat Completions, or any compatible server (vLLM, llama.cpp, Ollama).
    Openai,
    Anthropic,
    /// The model-name-driven fake, for tests and dry runs.
    Fake,
}

/// One configured provider, as written in configuration.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    /// The name used in the ledger and for rate limits (`openai`, `vllm-local`, ...).
    pub name: String,
    pub kind: ProviderKind,
    /// Including the version segment; defaults to the vendor's public endpoint.
    pub base_url: Option<String>,
    /// Environment variable holding the key.
    pub api_key_env: Option<String>,
    /// File holding the key (e.g. a mounted secret).
    pub api_key_file: Option<PathBuf>,
    /// OpenAI only: send `max_completion_tokens` instead of `max_tokens` (default: only for
    /// api.openai.com).
    pub max_completion_tokens: Option<bool>,
}

impl ProviderSpec {
    fn key_source(&self) -> Result<Option<KeySource>, ProviderError> {
        match (&self.api_key_env, &self.api_key_file) {
            (Some(_), Some(_)) => Err(ProviderError::Config(format!(
                "provider `{}`: give `api_key_env` or `api_key_file`, not both",
                self.name
            ))),
            (Some(v), None) => Ok(Some(KeySource::Env(v.clone()))),
            (None, Some(p)) => Ok(Some(KeySource::File(p.clone()))),
            (None, None) => Ok(None),
        }
    }

    /// Load the key and build the client.
    pub fn build(&self) -> Result<Arc<dyn Provider>, ProviderError> {
        let key = self.key_source()?.map(|s| ApiKey::load(&s)).transpose()?;
        Ok(match self.kind {
            ProviderKind::Openai => {
                let base = self
                    .base_url
                    .clone()
                    .unwrap_or_else(|| "https://api.openai.com/v1".to_string());
                let mut p = OpenAiProvider::new(&self.name, base, key)?;
                if let Some(mct) = self.max_completion_tokens {
                    p = p.with_max_tokens_field(if mct {
                        MaxTokensField::MaxCompletionTokens
                    } else {
                        MaxTokensField::MaxTokens
                    });
                }
                Arc::new(p)
            }
            ProviderKind::Anthropic => {
                let key = key.ok_or_else(|| {
                    ProviderError::Config(format!(
                        "provider `{}`: Anthropic needs `api_key_env` or `api_key_file`",
                        self.name
                    ))
                })?;
                let base = self
                    .base_url
                    .clone()
                    .unwrap_or_else(|| "https://api.anthropic.com/v1".to_string());
                Arc::new(AnthropicProvider::new(&self.name, base, key)?)
            }
            ProviderKind::Fake => Arc::new(FakeProvider::new(&self.name)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> Result<ProviderSpec, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn builds_each_kind_and_refuses_bad_key_config() {
        let p =
            spec(r#"{"name": "local", "kind": "openai", "base_url": "http://127.0.0.1:8080/v1"}"#)
                .unwrap()
                .build()
                .unwrap();
        assert_eq!(p.name(), "local");
        assert_eq!(
            spec(r#"{"name": "f", "kind": "fake"}"#)
                .unwrap()
                .build()
                .unwrap()
                .name(),
            "f"
        );
        let e = spec(r#"{"name": "a", "kind": "anthropic"}"#)
            .unwrap()
            .build()
            .err()
            .unwrap();
        assert!(e.to_string().contains("api_key_env"), "{e}");
        let e = spec(
            r#"{"name": "a", "kind": "anthropic", "api_key_env": "CANDOR_SURELY_UNSET_KEY_VAR"}"#,
        )
        .unwrap()
        .build()
        .err()
        .unwrap();
        assert!(e.to_string().contains("CANDOR_SURELY_UNSET_KEY_VAR"), "{e}");
        let e =
            spec(r#"{"name": "a", "kind": "openai", "api_key_env": "X", "api_key_file": "/k"}"#)
                .unwrap()
                .build()
                .err()
                .unwrap();
        assert!(e.to_string().contains("not both"), "{e}");
        assert!(
            spec(r#"{"name": "a", "kind": "openai", "api_key": "sk-inline"}"#).is_err(),
            "inline keys are refused"
        );
    }
}
