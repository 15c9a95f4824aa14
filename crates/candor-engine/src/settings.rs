//! `candor.toml`: providers, the store, price overrides. Raw serde form with
//! `deny_unknown_fields`, resolved once; errors name the key path.
//!
//! Secrets are never in this file: a provider names the environment variable (or file) that
//! holds its key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use candor_domain::{Date, Money};
use candor_pricing::{PriceOverride, PriceTable, PricingError};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    #[serde(default)]
    store: Option<String>,
    #[serde(default)]
    providers: BTreeMap<String, RawProvider>,
    #[serde(default)]
    prices: BTreeMap<String, PriceOverride>,
    #[serde(default)]
    price_file: Option<String>,
    #[serde(default)]
    price_file_effective: Option<String>,
    #[serde(default)]
    global_budget: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    kind: String,
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default)]
    api_key_env: Option<String>,
    #[serde(default)]
    api_key_file: Option<String>,
    #[serde(default)]
    models: Vec<String>,
    #[serde(default)]
    requests_per_minute: Option<u32>,
    #[serde(default)]
    tokens_per_minute: Option<u64>,
    #[serde(default)]
    timeout_secs: Option<u64>,
    #[serde(default)]
    max_retries: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderKind {
    OpenAi,
    Anthropic,
    Local,
}

/// Where a provider's API key comes from (never the key itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    Env(String),
    File(PathBuf),
    None,
}

#[derive(Clone, Debug)]
pub struct ProviderSettings {
    pub name: String,
    pub kind: ProviderKind,
    pub base_url: Option<String>,
    pub key: KeySource,
    pub models: Vec<String>,
    pub requests_per_minute: Option<u32>,
    pub tokens_per_minute: Option<u64>,
    pub timeout_secs: u64,
    pub max_retries: u32,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub store: PathBuf,
    pub providers: Vec<ProviderSettings>,
    pub prices: PriceTable,
    pub global_budget: Option<Money>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{path}: {message}")]
    Syntax { path: String, message: String },
    #[error("`{path}`: {message}")]
    Invalid { path: String, message: String },
    #[error("price file `{path}`")]
    PriceFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("price file `{path}`: {source}")]
    Prices { path: String, source: PricingError },
}

fn invalid(path: impl Into<String>, message: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        path: path.into(),
        message: message.into(),
    }
}

impl Settings {
    /// Defaults when there is no `candor.toml`: the snapshot prices, the local provider, a
    /// store beside the campaign.
    pub fn default_for(dir: &Path) -> Settings {
        Settings {
            store: dir.join("candor.sqlite"),
            providers: vec![ProviderSettings {
                name: "local".into(),
                kind: ProviderKind::Local,
                base_url: None,
                key: KeySource::None,
                models: vec![
                    "qwen2.5-coder-0.5b-instruct-q4_k_m".into(),
                    "smollm2-135m-instruct-q4_1".into(),
                ],
                requests_per_minute: None,
                tokens_per_minute: None,
                timeout_secs: 300,
                max_retries: 0,
            }],
            prices: PriceTable::snapshot(),
            global_budget: None,
        }
    }

    /// Parse `candor.toml`; relative paths resolve against `dir` (the file's directory).
    /// Reading a `price_file` is the only I/O, and only when one is named.
    pub fn from_toml(text: &str, dir: &Path) -> Result<Settings, SettingsError> {
        let de = toml::Deserializer::new(text);
        let raw: RawSettings = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            SettingsError::Syntax {
                path,
                message: e.into_inner().message().trim().to_string(),
            }
        })?;
        let mut prices = match &raw.price_file {
            None => PriceTable::snapshot(),
            Some(p) => {
                let path = dir.join(p);
                let text =
                    std::fs::read_to_string(&path).map_err(|source| SettingsError::PriceFile {
                        path: path.clone(),
                        source,
                    })?;
                let eff = raw
                    .price_file_effective
                    .as_deref()
                    .map(|d| {
                        Date::parse(d).map_err(|e| invalid("price_file_effective", e.to_string()))
                    })
                    .transpose()?;
                PriceTable::from_litellm_json(&text, eff).map_err(|source| {
                    SettingsError::Prices {
                        path: p.clone(),
                        source,
                    }
                })?
            }
        };
        for (model, o) in &raw.prices {
            prices
                .apply_override(model, o)
                .map_err(|e| invalid(format!("prices.\"{model}\""), e.to_string()))?;
        }
        let mut providers = Vec::new();
        for (name, p) in raw.providers {
            let path = format!("providers.{name}");
            let kind = match p.kind.as_str() {
                "openai" => ProviderKind::OpenAi,
                "anthropic" => ProviderKind::Anthropic,
                "local" => ProviderKind::Local,
                other => {
                    return Err(invalid(
                        format!("{path}.kind"),
                        format!("`{other}` is not one of openai, anthropic, local"),
                    ))
                }
            };
            let key = match (p.api_key_env, p.api_key_file) {
                (Some(_), Some(_)) => {
                    return Err(invalid(
                        &path,
                        "give `api_key_env` or `api_key_file`, not both",
                    ))
                }
                (Some(e), None) => KeySource::Env(e),
                (None, Some(f)) => KeySource::File(dir.join(f)),
                (None, None) => KeySource::None,
            };
            if kind != ProviderKind::Local && key == KeySource::None {
                return Err(invalid(&path, "needs `api_key_env` (the name of the environment variable holding the key) or `api_key_file`"));
            }
            if let Some(u) = &p.base_url {
                if !(u.starts_with("http://") || u.starts_with("https://")) {
                    return Err(invalid(
                        format!("{path}.base_url"),
                        "must start with http:// or https://",
                    ));
                }
            }
            providers.push(ProviderSettings {
                name,
                kind,
                base_url: p.base_url,
                key,
                models: p.models,
                requests_per_minute: p.requests_per_minute,
                tokens_per_minute: p.tokens_per_minute,
                timeout_secs: p.timeout_secs.unwrap_or(60),
                max_retries: p.max_retries.unwrap_or(3),
            });
        }
        let global_budget = raw
            .global_budget
            .as_deref()
            .map(|s| {
                s.parse::<Money>()
                    .map_err(|e| invalid("global_budget", e.to_string()))
            })
            .transpose()?;
        Ok(Settings {
            store: dir.join(raw.store.unwrap_or_else(|| "candor.sqlite".into())),
            providers,
            prices,
            global_budget,
        })
    }

    /// The provider that serves `model`.
    pub fn provider_for(&self, model: &str) -> Option<&ProviderSettings> {
        self.providers
            .iter()
            .find(|p| p.models.iter().any(|m| m == model))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_keys() {
        let e =
            Settings::from_toml("[providers.x]\nkind = \"openai\"\n", Path::new(".")).unwrap_err();
        assert!(e.to_string().contains("providers.x"), "{e}");
        let e = Settings::from_toml(
            "[providers.x]\nkind = \"grpc\"\napi_key_env = \"K\"\n",
            Path::new("."),
        )
        .unwrap_err();
        assert!(e.to_string().contains("providers.x.kind"), "{e}");
        let e = Settings::from_toml("stor = \"x\"\n", Path::new(".")).unwrap_err();
        assert!(e.to_string().contains("stor"), "{e}");
        let e = Settings::from_toml(
            "[prices.\"m\"]\ninput_usd_per_mtok = \"0.1\"\n",
            Path::new("."),
        )
        .unwrap_err();
        assert!(e.to_string().contains("output_usd_per_mtok"), "{e}");
    }

    #[test]
    fn overrides_and_routing() {
        let s = Settings::from_toml(
            "[providers.vllm]\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:8000/v1\"\napi_key_env = \"VLLM_KEY\"\nmodels = [\"llama-8b\"]\n\
             [prices.\"llama-8b\"]\ninput_usd_per_mtok = \"0.02\"\noutput_usd_per_mtok = \"0.04\"\n",
            Path::new("/tmp"),
        )
        .unwrap();
        assert_eq!(s.provider_for("llama-8b").unwrap().name, "vllm");
        assert_eq!(
            s.prices.get("llama-8b").unwrap().input_per_mtok,
            Money::parse_dollars("0.02").unwrap()
        );
        assert_eq!(s.store, Path::new("/tmp/candor.sqlite"));
    }
}
