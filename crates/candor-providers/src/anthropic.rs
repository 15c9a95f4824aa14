//! Anthropic Messages API client.
//!
//! Job: one `POST {base}/messages` per call, with the static prefix marked for prompt caching;
//! and Message Batches (`POST {base}/messages/batches`, `GET {base}/messages/batches/{id}`, then
//! its `results_url`).
//!
//! Invariants: the last block of the cacheable prefix (the first
//! `request.cacheable_prefix_messages` messages, which may be the system block) carries
//! `cache_control: {"type": "ephemeral"}`: one breakpoint caches everything before it, and
//! Anthropic allows at most four. Anthropic reports cache reads and writes *apart* from
//! `input_tokens`, which is already candor's normalised shape, so the counts are copied as they
//! are. A response without usage is returned with `usage_reported = false`.

use serde::Deserialize;
use serde_json::{json, Value};

use candor_domain::{ChatRequest, Completion, FinishReason, Role, TokenCount, Usage};

use crate::batch::{BatchApi, BatchItem, BatchLimits, BatchResult, BatchState};
use crate::http;
use crate::secret::ApiKey;
use crate::{BoxFuture, Provider, ProviderError};

/// The API version candor speaks.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

#[derive(Debug, Clone)]
pub struct AnthropicProvider {
    name: String,
    base_url: String,
    key: ApiKey,
    client: reqwest::Client,
}

impl AnthropicProvider {
    /// `base_url` is `https://api.anthropic.com/v1`; a bare host (`https://api.anthropic.com`,
    /// as the Anthropic SDKs take it) gets the `/v1` added.
    pub fn new(
        name: impl Into<String>,
        base_url: impl Into<String>,
        key: ApiKey,
    ) -> Result<Self, ProviderError> {
        let name = name.into();
        let base_url = http::base_url(&name, &base_url.into())?;
        Ok(AnthropicProvider {
            name,
            base_url,
            key,
            client: http::build_client()?,
        })
    }

    /// The JSON body sent for `request`.
    pub fn request_body(&self, request: &ChatRequest) -> Value {
        let prefix = request
            .cacheable_prefix_messages
            .min(request.messages.len());
        let mut system: Vec<Value> = Vec::new();
        let mut messages: Vec<Value> = Vec::new();
        for (i, m) in request.messages.iter().enumerate() {
            let mut block = json!({"type": "text", "text": m.content});
            if prefix > 0 && i == prefix - 1 {
                block["cache_control"] = json!({"type": "ephemeral"});
            }
            match m.role {
                Role::System => system.push(block),
                Role::User => messages.push(json!({"role": "user", "content": [block]})),
                Role::Assistant => messages.push(json!({"role": "assistant", "content": [block]})),
            }
        }
        let mut body = json!({
            "model": request.model,
            "max_tokens": request.max_output_tokens,
            "messages": messages,
        });
        if !system.is_empty() {
            body["system"] = Value::Array(system);
        }
        if let Some(t) = request.temperature {
            body["temperature"] = json!(t);
        }
        if !request.stop.is_empty() {
            body["stop_sequences"] = json!(request.stop);
        }
        body
    }

    async fn call(&self, request: &ChatRequest) -> Result<Completion, ProviderError> {
        let builder = self
            .client
            .post(http::join(&self.base_url, "messages"))
            .header("content-type", "application/json")
            .header("anthropic-version", ANTHROPIC_VERSION)
            .header("x-api-key", self.key.expose())
            .body(self.request_body(request).to_string());
        let body = http::send(builder, Some(&self.key)).await?;
        parse_response(&body, &request.model, Some(&self.key))
    }

    fn authed(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        builder
            .header("anthropic-version", ANTHROPIC_VERSION)
            .header("x-api-key", self.key.expose())
    }

    async fn batch_submit(&self, items: &[BatchItem]) -> Result<String, ProviderError> {
        let requests: Vec<Value> = items
            .iter()
            .map(|i| json!({"custom_id": i.custom_id, "params": self.request_body(&i.request)}))
            .collect();
        let builder = self
            .client
            .post(http::join(&self.base_url, "messages/batches"))
            .header("content-type", "application/json")
            .body(json!({ "requests": requests }).to_string());
        let body = http::send(self.authed(builder), Some(&self.key)).await?;
        let b: BatchObject = http::parse_json(&body, Some(&self.key))?;
        Ok(b.id)
    }

    async fn batch_object(&self, id: &str) -> Result<BatchObject, ProviderError> {
        let builder = self.client.get(http::join(
            &self.base_url,
            &format!("messages/batches/{id}"),
        ));
        let body = http::send(self.authed(builder), Some(&self.key)).await?;
        http::parse_json(&body, Some(&self.key))
    }

    async fn batch_state(&self, id: &str) -> Result<BatchState, ProviderError> {
        let b = self.batch_object(id).await?;
        let c = b.request_counts.unwrap_or_default();
        let done = c.succeeded + c.errored + c.canceled + c.expired;
        Ok(match b.processing_status.as_str() {
            "ended" => BatchState::Ended,
            _ => BatchState::Running {
                done,
                total: done + c.processing,
            },
        })
    }

    async fn batch_results(
        &self,
        id: &str,
        ids: &[String],
    ) -> Result<Vec<BatchResult>, ProviderError> {
        let b = self.batch_object(id).await?;
        let url = b.results_url.unwrap_or_else(|| {
            http::join(&self.base_url, &format!("messages/batches/{id}/results"))
        });
        let content = http::send(self.authed(self.client.get(url)), Some(&self.key)).await?;
        let mut found: std::collections::HashMap<String, Result<Completion, ProviderError>> =
            std::collections::HashMap::new();
        for line in content.split(|&c| c == b'\n') {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let l: ResultLine = http::parse_json(line, Some(&self.key))?;
            let outcome = match l.result.kind.as_str() {
                "succeeded" => match &l.result.message {
                    Some(m) => parse_response(m.to_string().as_bytes(), "unknown", Some(&self.key)),
                    None => Err(ProviderError::BadResponse(
                        "a succeeded batch result without its message".to_string(),
                    )),
                },
                other => Err(ProviderError::Refused {
                    status: 0,
                    message: match &l.result.error {
                        Some(e) => http::clean(&format!("{other}: {e}"), Some(&self.key)),
                        None => format!("the request was {other} in the batch"),
                    },
                }),
            };
            found.insert(l.custom_id, outcome);
        }
        Ok(crate::batch::in_order(found, ids))
    }
}

impl Provider for AnthropicProvider {
    fn name(&self) -> &str {
        &self.name
    }

    fn complete<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
        Box::pin(self.call(request))
    }

    fn batch(&self) -> Option<&dyn BatchApi> {
        Some(self)
    }
}

impl BatchApi for AnthropicProvider {
    /// Anthropic: 100,000 requests or 256 MB per batch.
    fn limits(&self) -> BatchLimits {
        BatchLimits {
            max_requests: 100_000,
            max_bytes: 240_000_000,
        }
    }

    fn submit<'a>(
        &'a self,
        items: &'a [BatchItem],
        _label: &'a str,
    ) -> BoxFuture<'a, Result<String, ProviderError>> {
        Box::pin(self.batch_submit(items))
    }

    fn state<'a>(&'a self, batch_id: &'a str) -> BoxFuture<'a, Result<BatchState, ProviderError>> {
        Box::pin(self.batch_state(batch_id))
    }

    fn results<'a>(
        &'a self,
        batch_id: &'a str,
        ids: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<BatchResult>, ProviderError>> {
        Box::pin(self.batch_results(batch_id, ids))
    }
}

#[derive(Deserialize)]
struct BatchObject {
    id: String,
    #[serde(default)]
    processing_status: String,
    request_counts: Option<BatchCounts>,
    results_url: Option<String>,
}

#[derive(Deserialize, Default)]
struct BatchCounts {
    #[serde(default)]
    processing: u64,
    #[serde(default)]
    succeeded: u64,
    #[serde(default)]
    errored: u64,
    #[serde(default)]
    canceled: u64,
    #[serde(default)]
    expired: u64,
}

#[derive(Deserialize)]
struct ResultLine {
    custom_id: String,
    result: ResultBody,
}

#[derive(Deserialize)]
struct ResultBody {
    #[serde(rename = "type")]
    kind: String,
    message: Option<Value>,
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Response {
    model: Option<String>,
    content: Option<Vec<Block>>,
    stop_reason: Option<String>,
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct Block {
    #[serde(rename = "type")]
    kind: String,
    text: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
}

fn parse_response(
    body: &[u8],
    fallback_model: &str,
    key: Option<&ApiKey>,
) -> Result<Completion, ProviderError> {
    let r: Response = http::parse_json(body, key)?;
    let blocks = r
        .content
        .ok_or_else(|| ProviderError::BadResponse("response has no content".to_string()))?;
    let text: String = blocks
        .iter()
        .filter(|b| b.kind == "text")
        .filter_map(|b| b.text.as_deref())
        .collect();
    let finish_reason = match r.stop_reason.as_deref() {
        Some("end_turn") | Some("stop_sequence") => FinishReason::Stop,
        Some("max_tokens") => FinishReason::Length,
        _ => FinishReason::Other,
    };
    let usage = r.usage.as_ref().and_then(|u| {
        Some(Usage {
            input_tokens: TokenCount(u.input_tokens?),
            cached_input_tokens: TokenCount(u.cache_read_input_tokens.unwrap_or(0)),
            cache_write_tokens: TokenCount(u.cache_creation_input_tokens.unwrap_or(0)),
            output_tokens: TokenCount(u.output_tokens?),
            // Anthropic does not report thinking tokens apart; they are inside output_tokens.
            reasoning_tokens: TokenCount::ZERO,
        })
    });
    Ok(Completion {
        compute_ms: None,
        text,
        usage_reported: usage.is_some(),
        usage: usage.unwrap_or_default(),
        finish_reason,
        model: r.model.unwrap_or_else(|| fallback_model.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use candor_domain::PromptParts;

    fn provider() -> AnthropicProvider {
        AnthropicProvider::new(
            "anthropic",
            "http://127.0.0.1:1/v1",
            ApiKey::new("k-123456789").unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn static_prefix_is_marked_for_caching() {
        let parts = PromptParts {
            static_prefix: "brand voice".into(),
            segment_block: "segment".into(),
            recipient_block: "facts".into(),
        };
        let req = ChatRequest::from_parts("claude-haiku-4-5", &parts, 200);
        let b = provider().request_body(&req);
        assert_eq!(b["system"][0]["text"], "brand voice");
        assert_eq!(b["system"][0]["cache_control"]["type"], "ephemeral");
        assert!(b["messages"][0]["content"][0]
            .get("cache_control")
            .is_none());
        assert_eq!(b["max_tokens"], 200);

        let mut none = req.clone();
        none.cacheable_prefix_messages = 0;
        let b = provider().request_body(&none);
        assert!(b["system"][0].get("cache_control").is_none());

        let mut two = req;
        two.cacheable_prefix_messages = 2;
        let b = provider().request_body(&two);
        assert!(b["system"][0].get("cache_control").is_none());
        assert_eq!(
            b["messages"][0]["content"][0]["cache_control"]["type"],
            "ephemeral"
        );
    }

    #[test]
    fn cache_counts_are_copied_apart_from_input() {
        let req = ChatRequest::from_parts("claude-haiku-4-5", &PromptParts::default(), 10);
        let body = br#"{"model":"claude-haiku-4-5","content":[{"type":"text","text":"Hi "},{"type":"text","text":"there"}],
            "stop_reason":"end_turn","usage":{"input_tokens":300,"cache_read_input_tokens":1500,"cache_creation_input_tokens":20,"output_tokens":250}}"#;
        let c = parse_response(body, &req.model, None).unwrap();
        assert_eq!(c.text, "Hi there");
        assert_eq!(c.usage.input_tokens, TokenCount(300));
        assert_eq!(c.usage.cached_input_tokens, TokenCount(1500));
        assert_eq!(c.usage.cache_write_tokens, TokenCount(20));
        assert_eq!(c.usage.output_tokens, TokenCount(250));
        assert!(c.usage_reported);
        let c = parse_response(
            br#"{"content":[{"type":"text","text":"x"}]}"#,
            &req.model,
            None,
        )
        .unwrap();
        assert!(!c.usage_reported);
    }
}
