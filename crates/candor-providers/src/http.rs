//! Shared HTTP plumbing for the remote providers.
//!
//! Job: send one JSON request and sort the outcome into a [`ProviderError`] the governor can act
//! on (wait, retry, give up).
//!
//! Invariants: no overall timeout here (the governor owns the per-call timeout and cancels the
//! future); every piece of response text that ends up in an error is redacted with the key and
//! shortened; a body that cannot be read completely is a retryable `BadResponse`.

use std::time::{Duration, SystemTime};

use crate::retry_after;
use crate::secret::ApiKey;
use crate::ProviderError;

/// Longest provider error text kept in an error (after redaction).
const MAX_ERROR_TEXT: usize = 300;

pub(crate) fn build_client() -> Result<reqwest::Client, ProviderError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| ProviderError::Config(format!("cannot build the HTTP client: {e}")))
}

/// A provider's base URL, checked and completed: it must be an `http://` or `https://` URL,
/// and a bare host gets the API's version segment (`https://api.anthropic.com` →
/// `https://api.anthropic.com/v1`), the form the providers' own SDKs take for Anthropic. A
/// base with any path of its own (`/v1`, a gateway's `/openai/…`) is kept as written.
pub(crate) fn base_url(provider: &str, base: &str) -> Result<String, ProviderError> {
    let trimmed = base.trim().trim_end_matches('/');
    let Some((scheme, rest)) = trimmed.split_once("://") else {
        return Err(ProviderError::Config(format!(
            "provider `{provider}`: base_url `{base}` is not a URL (it must start with https:// or http://)"
        )));
    };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") || rest.is_empty() {
        return Err(ProviderError::Config(format!(
            "provider `{provider}`: base_url `{base}` must start with https:// or http:// and name a host"
        )));
    }
    if rest.contains('/') {
        Ok(trimmed.to_string())
    } else {
        Ok(format!("{trimmed}/v1"))
    }
}

/// Join a base URL and a path without doubling or dropping the slash.
pub(crate) fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

fn shorten(text: &str) -> String {
    let t = text.trim();
    if t.chars().count() <= MAX_ERROR_TEXT {
        t.to_string()
    } else {
        let mut s: String = t.chars().take(MAX_ERROR_TEXT).collect();
        s.push('…');
        s
    }
}

/// Redact, then shorten: shortening first could cut a key in half and leave a fragment.
pub(crate) fn clean(text: &str, key: Option<&ApiKey>) -> String {
    match key {
        Some(k) => shorten(&k.redact(text)),
        None => shorten(text),
    }
}

fn transport_error(e: &reqwest::Error, key: Option<&ApiKey>) -> ProviderError {
    // reqwest's Display includes the URL, never headers; still redact in case a key is in a URL.
    let text = clean(&error_chain(e), key);
    if e.is_timeout() {
        ProviderError::Timeout(Duration::ZERO)
    } else if e.is_body() || e.is_decode() {
        ProviderError::BadResponse(format!(
            "response body could not be read completely: {text}"
        ))
    } else {
        ProviderError::Transport(text)
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// Send and read the whole body; non-2xx statuses are sorted into errors.
pub(crate) async fn send(
    request: reqwest::RequestBuilder,
    key: Option<&ApiKey>,
) -> Result<Vec<u8>, ProviderError> {
    let response = request.send().await.map_err(|e| transport_error(&e, key))?;
    let status = response.status().as_u16();
    let retry_after = retry_after::from_headers(response.headers(), SystemTime::now());
    let body = response
        .bytes()
        .await
        .map_err(|e| transport_error(&e, key))?;
    if (200..300).contains(&status) {
        return Ok(body.to_vec());
    }
    let text = clean(&String::from_utf8_lossy(&body), key);
    Err(match status {
        429 => ProviderError::RateLimited { retry_after },
        408 => ProviderError::Timeout(Duration::ZERO),
        // 529 is Anthropic's "overloaded": a server-side condition like 503.
        500..=599 => ProviderError::Server {
            status,
            retry_after,
        },
        _ => ProviderError::Refused {
            status,
            message: text,
        },
    })
}

/// Parse a success body, naming what was wrong without echoing a large body.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    body: &[u8],
    key: Option<&ApiKey>,
) -> Result<T, ProviderError> {
    serde_json::from_slice(body).map_err(|e| {
        ProviderError::BadResponse(format!(
            "malformed JSON ({e}); body starts: {}",
            clean(&String::from_utf8_lossy(&body[..body.len().min(120)]), key)
        ))
    })
}
