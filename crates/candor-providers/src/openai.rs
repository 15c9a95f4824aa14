//! OpenAI Chat Completions client, for any OpenAI-compatible base URL (OpenAI, vLLM, llama.cpp
//! server, Ollama).
//!
//! Job: one non-streaming `POST {base}/chat/completions` per call, usage normalised; and the
//! Batch API (`POST {base}/files` with the requests as JSONL, `POST {base}/batches`, then
//! `GET {base}/batches/{id}` and `GET {base}/files/{id}/content` for the answers).
//!
//! Invariants: OpenAI counts cached tokens *inside* `prompt_tokens`
//! (`prompt_tokens_details.cached_tokens`); candor's `Usage.input_tokens` excludes them, so
//! `input = prompt_tokens - cached_tokens`, and a response claiming more cached than prompt tokens
//! is rejected rather than priced. Reasoning tokens are part of `completion_tokens` (billed as
//! output) and are kept apart only for audit. A response without usage is returned with
//! `usage_reported = false` and zero usage: the governor prices it from its own counts.

use serde::Deserialize;
use serde_json::{json, Value};

use candor_domain::{ChatRequest, Completion, FinishReason, Role, TokenCount, Usage};

use crate::batch::{BatchApi, BatchItem, BatchLimits, BatchResult, BatchState};
use crate::http;
use crate::secret::ApiKey;
use crate::{BoxFuture, Provider, ProviderError};

/// Which request field carries the output cap. OpenAI's reasoning models refuse `max_tokens`;
/// many compatible servers only know `max_tokens`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxTokensField {
    MaxTokens,
    MaxCompletionTokens,
}

/// A client for one OpenAI-compatible endpoint.
#[derive(Debug, Clone)]
pub struct OpenAiProvider {
    name: String,
    base_url: String,
    key: Option<ApiKey>,
    max_tokens_field: MaxTokensField,
    client: reqwest::Client,
}

impl OpenAiProvider {
    /// `base_url` includes the version segment, e.g. `https://api.openai.com/v1` or
    /// `http://localhost:8000/v1`; a bare host gets `/v1` added. `key` is optional because
    /// local servers often need none.
    pub fn new(
        name: impl Into<String>,
        base_url: impl Into<String>,
        key: Option<ApiKey>,
    ) -> Result<Self, ProviderError> {
        let name = name.into();
        let base_url = http::base_url(&name, &base_url.into())?;
        let max_tokens_field = if base_url.contains("api.openai.com") {
            MaxTokensField::MaxCompletionTokens
        } else {
            MaxTokensField::MaxTokens
        };
        Ok(OpenAiProvider {
            name,
            base_url,
            key,
            max_tokens_field,
            client: http::build_client()?,
        })
    }

    pub fn with_max_tokens_field(mut self, field: MaxTokensField) -> Self {
        self.max_tokens_field = field;
        self
    }

    /// The JSON body sent for `request` (public so tests and the proxy can inspect it).
    pub fn request_body(&self, request: &ChatRequest) -> Value {
        let messages: Vec<Value> = request
            .messages
            .iter()
            .map(|m| {
                json!({
                    "role": match m.role { Role::System => "system", Role::User => "user", Role::Assistant => "assistant" },
                    "content": m.content,
                })
            })
            .collect();
        let mut body = json!({
            "model": request.model,
            "messages": messages,
            "stream": false,
        });
        let field = match self.max_tokens_field {
            MaxTokensField::MaxTokens => "max_tokens",
            MaxTokensField::MaxCompletionTokens => "max_completion_tokens",
        };
        body[field] = json!(request.max_output_tokens);
        if let Some(t) = request
            .temperature
            .filter(|_| accepts_temperature(&request.model))
        {
            body["temperature"] = json!(t);
        }
        if let Some(s) = request.seed {
            body["seed"] = json!(s);
        }
        if !request.stop.is_empty() {
            body["stop"] = json!(request.stop);
        }
        body
    }

    fn authed(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.key {
            Some(k) => builder.bearer_auth(k.expose()),
            None => builder,
        }
    }

    async fn call(&self, request: &ChatRequest) -> Result<Completion, ProviderError> {
        let builder = self
            .client
            .post(http::join(&self.base_url, "chat/completions"))
            .header("content-type", "application/json")
            .body(self.request_body(request).to_string());
        let body = http::send(self.authed(builder), self.key.as_ref()).await?;
        parse_response(&body, &request.model, self.key.as_ref())
    }

    async fn batch_submit(
        &self,
        items: &[BatchItem],
        label: &str,
    ) -> Result<String, ProviderError> {
        // JSON text never holds a raw CR (serde escapes it), so "\r\n--boundary" cannot occur
        // inside the file: any boundary works. The lines are written straight into the form.
        let n: u64 = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let boundary = format!("candor-batch-{n:016x}");
        let mut form = Vec::with_capacity(items.len() * 4096 + 400);
        form.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"candor-batch.jsonl\"\r\n\
                 Content-Type: application/jsonl\r\n\r\n"
            )
            .as_bytes(),
        );
        for item in items {
            let line = json!({
                "custom_id": item.custom_id,
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": self.request_body(&item.request),
            });
            serde_json::to_writer(&mut form, &line)
                .map_err(|e| ProviderError::Config(format!("cannot encode a batch line: {e}")))?;
            form.push(b'\n');
        }
        form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let upload = self
            .client
            .post(http::join(&self.base_url, "files"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(form);
        let body = http::send(self.authed(upload), self.key.as_ref()).await?;
        let file: IdOnly = http::parse_json(&body, self.key.as_ref())?;
        let create = json!({
            "input_file_id": file.id,
            "endpoint": "/v1/chat/completions",
            "completion_window": "24h",
            "metadata": {"candor": label},
        });
        let builder = self
            .client
            .post(http::join(&self.base_url, "batches"))
            .header("content-type", "application/json")
            .body(create.to_string());
        let body = http::send(self.authed(builder), self.key.as_ref()).await?;
        let batch: IdOnly = http::parse_json(&body, self.key.as_ref())?;
        Ok(batch.id)
    }

    /// The most recent batches (the first page of `GET /batches`, newest first) carry their
    /// metadata: a batch submitted under `label` is among them if it was made minutes ago.
    async fn batch_find(&self, label: &str) -> Result<Option<String>, ProviderError> {
        let builder = self
            .client
            .get(http::join(&self.base_url, "batches?limit=100"));
        let body = http::send(self.authed(builder), self.key.as_ref()).await?;
        let list: BatchList = http::parse_json(&body, self.key.as_ref())?;
        Ok(list
            .data
            .into_iter()
            .find(|b| {
                b.metadata
                    .as_ref()
                    .and_then(|m| m.get("candor"))
                    .and_then(Value::as_str)
                    == Some(label)
            })
            .map(|b| b.id))
    }

    async fn batch_object(&self, id: &str) -> Result<BatchObject, ProviderError> {
        let builder = self
            .client
            .get(http::join(&self.base_url, &format!("batches/{id}")));
        let body = http::send(self.authed(builder), self.key.as_ref()).await?;
        http::parse_json(&body, self.key.as_ref())
    }

    async fn batch_state(&self, id: &str) -> Result<BatchState, ProviderError> {
        let b = self.batch_object(id).await?;
        let counts = b.request_counts.unwrap_or_default();
        Ok(match b.status.as_str() {
            "completed" | "expired" | "cancelled" => BatchState::Ended,
            "failed" => BatchState::Failed(
                b.errors
                    .map(|e| http::clean(&e.to_string(), self.key.as_ref()))
                    .unwrap_or_else(|| "the provider failed the batch".to_string()),
            ),
            _ => BatchState::Running {
                done: counts.completed + counts.failed,
                total: counts.total,
            },
        })
    }

    async fn file_content(&self, id: &str) -> Result<Vec<u8>, ProviderError> {
        let builder = self
            .client
            .get(http::join(&self.base_url, &format!("files/{id}/content")));
        http::send(self.authed(builder), self.key.as_ref()).await
    }

    async fn batch_results(
        &self,
        id: &str,
        ids: &[String],
    ) -> Result<Vec<BatchResult>, ProviderError> {
        let b = self.batch_object(id).await?;
        let mut found: std::collections::HashMap<String, Result<Completion, ProviderError>> =
            std::collections::HashMap::new();
        for file in [&b.output_file_id, &b.error_file_id].into_iter().flatten() {
            let content = self.file_content(file).await?;
            for line in content.split(|&c| c == b'\n') {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let l: OutputLine = http::parse_json(line, self.key.as_ref())?;
                let outcome = self.output_outcome(&l);
                found.insert(l.custom_id, outcome);
            }
        }
        Ok(crate::batch::in_order(found, ids))
    }

    fn output_outcome(&self, l: &OutputLine) -> Result<Completion, ProviderError> {
        if let Some(e) = l.error.as_ref().filter(|e| !e.is_null()) {
            return Err(ProviderError::Refused {
                status: 0,
                message: http::clean(&e.to_string(), self.key.as_ref()),
            });
        }
        let Some(resp) = &l.response else {
            return Err(ProviderError::BadResponse(
                "batch result line has neither a response nor an error".to_string(),
            ));
        };
        let body = resp.body.to_string();
        match resp.status_code {
            200..=299 => parse_response(body.as_bytes(), "unknown", self.key.as_ref()),
            429 => Err(ProviderError::RateLimited { retry_after: None }),
            status @ 500..=599 => Err(ProviderError::Server {
                status,
                retry_after: None,
            }),
            status => Err(ProviderError::Refused {
                status,
                message: http::clean(&body, self.key.as_ref()),
            }),
        }
    }
}

#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

#[derive(Deserialize)]
struct BatchList {
    #[serde(default)]
    data: Vec<Listed>,
}

#[derive(Deserialize)]
struct Listed {
    id: String,
    metadata: Option<Value>,
}

#[derive(Deserialize, Default)]
struct Counts {
    #[serde(default)]
    total: u64,
    #[serde(default)]
    completed: u64,
    #[serde(default)]
    failed: u64,
}

#[derive(Deserialize)]
struct BatchObject {
    status: String,
    output_file_id: Option<String>,
    error_file_id: Option<String>,
    request_counts: Option<Counts>,
    errors: Option<Value>,
}

#[derive(Deserialize)]
struct OutputLine {
    custom_id: String,
    response: Option<OutputResponse>,
    error: Option<Value>,
}

#[derive(Deserialize)]
struct OutputResponse {
    status_code: u16,
    #[serde(default)]
    body: Value,
}

impl BatchApi for OpenAiProvider {
    /// OpenAI: 50,000 requests and a 200 MB input file per batch.
    fn limits(&self) -> BatchLimits {
        BatchLimits {
            max_requests: 50_000,
            max_bytes: 190_000_000,
        }
    }

    fn submit<'a>(
        &'a self,
        items: &'a [BatchItem],
        label: &'a str,
    ) -> BoxFuture<'a, Result<String, ProviderError>> {
        Box::pin(self.batch_submit(items, label))
    }

    fn state<'a>(&'a self, batch_id: &'a str) -> BoxFuture<'a, Result<BatchState, ProviderError>> {
        Box::pin(self.batch_state(batch_id))
    }

    fn find<'a>(&'a self, label: &'a str) -> BoxFuture<'a, Result<Option<String>, ProviderError>> {
        Box::pin(self.batch_find(label))
    }

    fn results<'a>(
        &'a self,
        batch_id: &'a str,
        ids: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<BatchResult>, ProviderError>> {
        Box::pin(self.batch_results(batch_id, ids))
    }
}

/// OpenAI's reasoning models (o-series, gpt-5 family) refuse any temperature but the default
/// with HTTP 400; leaving it out is the only request they accept.
fn accepts_temperature(model: &str) -> bool {
    let m = model.rsplit('/').next().unwrap_or(model);
    !["o1", "o3", "o4", "gpt-5"].iter().any(|p| m.starts_with(p))
}

impl Provider for OpenAiProvider {
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

#[derive(Deserialize)]
struct Response {
    model: Option<String>,
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<Message>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
    prompt_tokens_details: Option<PromptDetails>,
    completion_tokens_details: Option<CompletionDetails>,
}

#[derive(Deserialize)]
struct PromptDetails {
    cached_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct CompletionDetails {
    reasoning_tokens: Option<u64>,
}

/// Normalise OpenAI usage. `Ok(None)` = no usable usage reported.
fn normalise(u: &WireUsage) -> Result<Option<Usage>, ProviderError> {
    let (Some(prompt), Some(completion)) = (u.prompt_tokens, u.completion_tokens) else {
        return Ok(None);
    };
    let cached = u
        .prompt_tokens_details
        .as_ref()
        .and_then(|d| d.cached_tokens)
        .unwrap_or(0);
    let reasoning = u
        .completion_tokens_details
        .as_ref()
        .and_then(|d| d.reasoning_tokens)
        .unwrap_or(0);
    let Some(input) = prompt.checked_sub(cached) else {
        return Err(ProviderError::BadResponse(format!(
            "usage reports {cached} cached tokens but only {prompt} prompt tokens"
        )));
    };
    Ok(Some(Usage {
        input_tokens: TokenCount(input),
        cached_input_tokens: TokenCount(cached),
        cache_write_tokens: TokenCount::ZERO,
        output_tokens: TokenCount(completion),
        reasoning_tokens: TokenCount(reasoning),
    }))
}

fn parse_response(
    body: &[u8],
    fallback_model: &str,
    key: Option<&ApiKey>,
) -> Result<Completion, ProviderError> {
    let r: Response = http::parse_json(body, key)?;
    let choice = r
        .choices
        .first()
        .ok_or_else(|| ProviderError::BadResponse("response has no choices".to_string()))?;
    let text = choice
        .message
        .as_ref()
        .and_then(|m| m.content.clone())
        .ok_or_else(|| {
            ProviderError::BadResponse("first choice has no text content".to_string())
        })?;
    let finish_reason = match choice.finish_reason.as_deref() {
        Some("stop") => FinishReason::Stop,
        Some("length") => FinishReason::Length,
        _ => FinishReason::Other,
    };
    let usage = match &r.usage {
        Some(u) => normalise(u)?,
        None => None,
    };
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

    fn req() -> ChatRequest {
        ChatRequest::from_parts(
            "gpt-4.1-mini",
            &candor_domain::PromptParts {
                static_prefix: "rules".into(),
                segment_block: "seg".into(),
                recipient_block: "facts".into(),
            },
            50,
        )
    }

    #[test]
    fn cached_tokens_are_taken_out_of_prompt_tokens() {
        let body = br#"{"model":"gpt-4.1-mini-2025","choices":[{"message":{"content":"hi"},"finish_reason":"length"}],
            "usage":{"prompt_tokens":1500,"completion_tokens":300,"prompt_tokens_details":{"cached_tokens":1024},
            "completion_tokens_details":{"reasoning_tokens":200}}}"#;
        let c = parse_response(body, &req().model, None).unwrap();
        assert!(c.usage_reported);
        assert_eq!(c.usage.input_tokens, TokenCount(476));
        assert_eq!(c.usage.cached_input_tokens, TokenCount(1024));
        assert_eq!(c.usage.prompt_total(), TokenCount(1500));
        assert_eq!(c.usage.output_tokens, TokenCount(300));
        assert_eq!(c.usage.reasoning_tokens, TokenCount(200));
        assert_eq!(c.finish_reason, FinishReason::Length);
        assert_eq!(c.model, "gpt-4.1-mini-2025");
    }

    #[test]
    fn missing_or_partial_usage_is_flagged_not_guessed() {
        let c = parse_response(
            br#"{"choices":[{"message":{"content":"hi"},"finish_reason":"stop"}]}"#,
            &req().model,
            None,
        )
        .unwrap();
        assert!(!c.usage_reported);
        assert_eq!(c.usage, Usage::default());
        let c = parse_response(
            br#"{"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":5}}"#,
            &req().model,
            None,
        )
        .unwrap();
        assert!(!c.usage_reported);
    }

    #[test]
    fn inconsistent_usage_is_a_bad_response() {
        let e = parse_response(br#"{"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":5,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":6}}}"#, &req().model, None).unwrap_err();
        assert!(matches!(e, ProviderError::BadResponse(_)));
    }

    #[test]
    fn body_uses_the_configured_max_tokens_field() {
        let p = OpenAiProvider::new("openai", "https://api.openai.com/v1", None).unwrap();
        assert_eq!(p.request_body(&req())["max_completion_tokens"], 50);
        let p = OpenAiProvider::new("vllm", "http://127.0.0.1:8000/v1", None).unwrap();
        let b = p.request_body(&req());
        assert_eq!(b["max_tokens"], 50);
        assert_eq!(b["messages"][0]["role"], "system");
        assert_eq!(b["temperature"], 0.0);
        let mut r = req();
        r.model = "gpt-5-nano".into();
        assert!(p.request_body(&r).get("temperature").is_none());
    }
}
