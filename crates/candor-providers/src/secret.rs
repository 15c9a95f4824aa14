//! API keys that cannot be printed.
//!
//! Job: load a key from an environment variable or a file and hold it so that it never reaches a
//! log line, an error message or the ledger.
//!
//! Invariants: `Debug` and `Display` print `<redacted>`; errors name *where* a key was looked for
//! (the variable name, the path), never what was found; the raw value is only reachable inside
//! this crate, where it is put into request headers, and text coming back from a provider is
//! passed through [`ApiKey::redact`] before it becomes part of an error.

use std::fmt;
use std::path::PathBuf;

use crate::ProviderError;

/// Where to read an API key from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// The name of an environment variable (e.g. `OPENAI_API_KEY`).
    Env(String),
    /// A file whose whole content (trimmed) is the key, e.g. a mounted secret.
    File(PathBuf),
}

/// A provider API key. Cloning is cheap enough; printing is impossible.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

/// The shortest stretch of a key that [`ApiKey::redact`] treats as a leak: providers echo keys
/// partially masked (`sk-abc1****wxyz`), and a long enough fragment still identifies the key.
const FRAGMENT: usize = 8;

impl ApiKey {
    /// Wrap a key given directly (tests, a proxy forwarding its caller's key).
    pub fn new(value: impl Into<String>) -> Result<ApiKey, ProviderError> {
        let v = value.into().trim().to_string();
        if v.is_empty() {
            return Err(ProviderError::Config("the API key is empty".to_string()));
        }
        if v.chars().any(|c| c.is_control() || c == ' ') {
            return Err(ProviderError::Config(
                "the API key contains whitespace or control characters".to_string(),
            ));
        }
        Ok(ApiKey(v))
    }

    /// Read the key from its source.
    pub fn load(source: &KeySource) -> Result<ApiKey, ProviderError> {
        match source {
            KeySource::Env(name) => match std::env::var(name) {
                Ok(v) => ApiKey::new(v).map_err(|_| {
                    ProviderError::Config(format!("environment variable `{name}` holds no usable API key (empty or contains whitespace)"))
                }),
                Err(_) => Err(ProviderError::Config(format!(
                    "environment variable `{name}` is not set (it should hold the API key)"
                ))),
            },
            KeySource::File(path) => match std::fs::read_to_string(path) {
                Ok(v) => ApiKey::new(v).map_err(|_| {
                    ProviderError::Config(format!(
                        "key file `{}` holds no usable API key (empty or contains whitespace)",
                        path.display()
                    ))
                }),
                Err(e) => Err(ProviderError::Config(format!(
                    "cannot read key file `{}`: {e}",
                    path.display()
                ))),
            },
        }
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with the key, and any fragment of it of 8 or more characters, replaced by
    /// `<redacted>`. Used on every provider error body before it is kept.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.replace(&self.0, "<redacted>");
        let key: Vec<char> = self.0.chars().collect();
        if key.len() >= FRAGMENT {
            // Longest fragments first so a long match is not left half-redacted.
            for len in (FRAGMENT..key.len()).rev() {
                for start in 0..=key.len() - len {
                    let frag: String = key[start..start + len].iter().collect();
                    if out.contains(&frag) {
                        out = out.replace(&frag, "<redacted>");
                    }
                }
            }
        }
        out
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-test-0123456789abcdefSECRET";

    #[test]
    fn debug_and_display_never_show_the_key() {
        let k = ApiKey::new(KEY).unwrap();
        assert!(!format!("{k:?}").contains("0123456789"));
        assert!(!format!("{k}").contains("0123456789"));
        assert!(!format!("{:?}", Some(k.clone())).contains("SECRET"));
    }

    #[test]
    fn redact_removes_full_and_partial_echoes() {
        let k = ApiKey::new(KEY).unwrap();
        let r = k.redact(&format!("Incorrect API key provided: {KEY}."));
        assert!(!r.contains(KEY) && r.contains("<redacted>"));
        let r = k.redact("key sk-test-0123****SECRET is invalid");
        assert!(!r.contains("sk-test-0123"), "{r}");
        assert_eq!(k.redact("nothing here"), "nothing here");
    }

    #[test]
    fn load_errors_name_the_source_not_the_value() {
        let e = ApiKey::load(&KeySource::Env("CANDOR_TEST_SURELY_UNSET_VAR".into())).unwrap_err();
        assert!(e.to_string().contains("CANDOR_TEST_SURELY_UNSET_VAR"));
        let dir = std::env::temp_dir().join(format!("candor-key-{}", std::process::id()));
        std::fs::write(&dir, format!("{KEY}\n")).unwrap();
        let k = ApiKey::load(&KeySource::File(dir.clone())).unwrap();
        assert_eq!(k.expose(), KEY);
        std::fs::write(&dir, "bad key with spaces").unwrap();
        let e = ApiKey::load(&KeySource::File(dir.clone())).unwrap_err();
        assert!(!e.to_string().contains("spaces"));
        let _ = std::fs::remove_file(dir);
    }
}
