//! Both clients against the scripted test server on a real socket: usage normalisation, every
//! fault, and the key never leaking.

use std::time::Duration;

use candor_domain::{ChatRequest, FinishReason, PromptParts, TokenCount};
use candor_providers::{AnthropicProvider, ApiKey, OpenAiProvider, Provider, ProviderError};
use candor_testserver::{OkReply, Reply, TestServer, UsageSpec};

const KEY: &str = "sk-candor-test-KEY-0123456789abcdef";

fn request(model: &str) -> ChatRequest {
    ChatRequest::from_parts(
        model,
        &PromptParts {
            static_prefix: "You write for Acme. Never invent facts.".into(),
            segment_block: "Segment: lapsed customers.".into(),
            recipient_block: "Facts: name=Ada".into(),
        },
        120,
    )
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is the test failing"
)]
fn openai(server: &TestServer) -> OpenAiProvider {
    OpenAiProvider::new(
        "openai",
        format!("{}/v1", server.base_url()),
        Some(ApiKey::new(KEY).unwrap()),
    )
    .unwrap()
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure is the test failing"
)]
fn anthropic(server: &TestServer) -> AnthropicProvider {
    AnthropicProvider::new(
        "anthropic",
        format!("{}/v1", server.base_url()),
        ApiKey::new(KEY).unwrap(),
    )
    .unwrap()
}

fn both(server: &TestServer) -> Vec<Box<dyn Provider>> {
    vec![Box::new(openai(server)), Box::new(anthropic(server))]
}

const USAGE: UsageSpec = UsageSpec {
    input: 300,
    cached: 1_536,
    cache_write: 0,
    output: 250,
    reasoning: 40,
};

#[tokio::test]
async fn openai_wire_usage_and_request_shape() {
    let server = TestServer::start().await.unwrap();
    server.push(Reply::ok_text("Hi Ada", USAGE));
    let c = openai(&server)
        .complete(&request("gpt-4.1-mini"))
        .await
        .unwrap();
    assert_eq!(c.text, "Hi Ada");
    assert!(c.usage_reported);
    assert_eq!(
        c.usage.input_tokens,
        TokenCount(300),
        "cached tokens taken out of prompt_tokens"
    );
    assert_eq!(c.usage.cached_input_tokens, TokenCount(1_536));
    assert_eq!(c.usage.output_tokens, TokenCount(250));
    assert_eq!(c.usage.reasoning_tokens, TokenCount(40));
    assert_eq!(c.finish_reason, FinishReason::Stop);
    let req = server.last_request().unwrap();
    assert_eq!(req.path, "/v1/chat/completions");
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    let body = req.json();
    assert_eq!(body["model"], "gpt-4.1-mini");
    assert_eq!(body["max_tokens"], 120);
    assert_eq!(body["messages"][0]["role"], "system");
}

/// A bare host, as the Anthropic SDKs take it (and as candor's own example config once
/// shipped it), reaches the versioned endpoints: without the `/v1` every call is a 404.
#[tokio::test]
async fn bare_host_base_urls_reach_the_versioned_endpoints() {
    let server = TestServer::start().await.unwrap();
    server.set_default(Reply::ok_text("Hi Ada", USAGE));
    let bare = format!("{}/", server.base_url());
    let a = AnthropicProvider::new("anthropic", &bare, ApiKey::new(KEY).unwrap()).unwrap();
    a.complete(&request("claude-haiku-4-5")).await.unwrap();
    assert_eq!(server.last_request().unwrap().path, "/v1/messages");
    let o = OpenAiProvider::new("openai", &bare, None).unwrap();
    o.complete(&request("gpt-4.1-mini")).await.unwrap();
    assert_eq!(server.last_request().unwrap().path, "/v1/chat/completions");
    // A base with a path of its own (a gateway's) is used as written.
    let g =
        OpenAiProvider::new("gw", format!("{}/gateway/openai", server.base_url()), None).unwrap();
    g.complete(&request("gpt-4.1-mini")).await.unwrap();
    assert_eq!(
        server.last_request().unwrap().path,
        "/gateway/openai/chat/completions"
    );
}

#[test]
fn a_base_url_that_is_not_a_url_is_a_config_error_naming_it() {
    for bad in ["api.openai.com/v1", "ftp://example.com/v1", "https://", ""] {
        let e = OpenAiProvider::new("openai", bad, None).unwrap_err();
        assert!(
            matches!(&e, ProviderError::Config(m) if m.contains("`openai`") && m.contains(&format!("`{bad}`"))),
            "{bad:?}: {e}"
        );
        let e = AnthropicProvider::new("claude", bad, ApiKey::new(KEY).unwrap()).unwrap_err();
        assert!(
            matches!(&e, ProviderError::Config(m) if m.contains("`claude`")),
            "{bad:?}: {e}"
        );
    }
}

#[tokio::test]
async fn anthropic_wire_usage_and_cache_control() {
    let server = TestServer::start().await.unwrap();
    server.push(Reply::ok_text(
        "Hi Ada",
        UsageSpec {
            cache_write: 1_536,
            cached: 0,
            ..USAGE
        },
    ));
    let c = anthropic(&server)
        .complete(&request("claude-haiku-4-5"))
        .await
        .unwrap();
    assert_eq!(c.usage.input_tokens, TokenCount(300));
    assert_eq!(c.usage.cache_write_tokens, TokenCount(1_536));
    assert_eq!(c.usage.cached_input_tokens, TokenCount(0));
    assert_eq!(c.usage.output_tokens, TokenCount(250));
    let req = server.last_request().unwrap();
    assert_eq!(req.path, "/v1/messages");
    assert_eq!(req.header("x-api-key"), Some(KEY));
    assert_eq!(req.header("anthropic-version"), Some("2023-06-01"));
    let body = req.json();
    assert_eq!(body["system"][0]["cache_control"]["type"], "ephemeral");
    assert_eq!(body["messages"][0]["role"], "user");
    assert_eq!(body["max_tokens"], 120);
}

#[tokio::test]
async fn rate_limited_with_retry_after_seconds_and_date() {
    let server = TestServer::start().await.unwrap();
    for p in both(&server) {
        server.push(Reply::rate_limited("7"));
        match p.complete(&request("m")).await {
            Err(ProviderError::RateLimited { retry_after }) => {
                assert_eq!(retry_after, Some(Duration::from_secs(7)))
            }
            other => panic!("{other:?}"),
        }
        let when = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(120));
        server.push(Reply::rate_limited(when));
        match p.complete(&request("m")).await {
            Err(ProviderError::RateLimited {
                retry_after: Some(d),
            }) => {
                assert!(
                    d > Duration::from_secs(100) && d <= Duration::from_secs(120),
                    "{d:?}"
                )
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn server_errors_are_retryable_and_client_errors_are_not() {
    let server = TestServer::start().await.unwrap();
    for p in both(&server) {
        for status in [500u16, 503, 529] {
            server.push(Reply::status(status));
            let e = p.complete(&request("m")).await.unwrap_err();
            assert!(
                matches!(e, ProviderError::Server { status: s, .. } if s == status),
                "{e:?}"
            );
            assert!(e.is_retryable());
        }
        server.push(Reply::status(400));
        let e = p.complete(&request("m")).await.unwrap_err();
        assert!(
            matches!(e, ProviderError::Refused { status: 400, .. }),
            "{e:?}"
        );
        assert!(!e.is_retryable());
    }
}

#[tokio::test]
async fn malformed_truncated_and_wrong_shape_bodies_are_bad_responses() {
    let server = TestServer::start().await.unwrap();
    for p in both(&server) {
        for reply in [
            Reply::Malformed,
            Reply::Truncated(OkReply::default()),
            Reply::WrongShape,
        ] {
            server.push(reply.clone());
            let e = p.complete(&request("m")).await.unwrap_err();
            assert!(
                matches!(e, ProviderError::BadResponse(_)),
                "{reply:?}: {e:?}"
            );
            assert!(e.is_retryable());
        }
    }
}

#[tokio::test]
async fn missing_usage_is_flagged() {
    let server = TestServer::start().await.unwrap();
    for p in both(&server) {
        server.push(Reply::missing_usage("no usage here"));
        let c = p.complete(&request("m")).await.unwrap();
        assert!(!c.usage_reported);
        assert_eq!(c.text, "no usage here");
    }
}

#[tokio::test]
async fn a_hang_and_a_slow_body_are_ended_by_the_callers_timeout() {
    let server = TestServer::start().await.unwrap();
    for p in both(&server) {
        server.push(Reply::Hang);
        let r = tokio::time::timeout(Duration::from_millis(200), p.complete(&request("m"))).await;
        assert!(r.is_err(), "a hang must not complete");
        server.push(Reply::SlowBody {
            reply: OkReply::default(),
            byte_delay: Duration::from_millis(50),
        });
        let r = tokio::time::timeout(Duration::from_millis(300), p.complete(&request("m"))).await;
        assert!(
            r.is_err(),
            "a slow body must not complete within the timeout"
        );
        // A slow body that does finish in time is read completely.
        server.push(Reply::SlowBody {
            reply: OkReply {
                text: "ok".into(),
                ..OkReply::default()
            },
            byte_delay: Duration::from_micros(100),
        });
        let c = tokio::time::timeout(Duration::from_secs(10), p.complete(&request("m")))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.text, "ok");
    }
    assert_eq!(server.request_count(), 6);
}

#[tokio::test]
async fn api_key_never_appears_in_errors_or_debug_output() {
    let server = TestServer::start().await.unwrap();
    for p in both(&server) {
        for status in [401u16, 500] {
            server.push(Reply::EchoCredentials { status });
            let e = p.complete(&request("m")).await.unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains(KEY), "{shown}");
            assert!(!shown.contains("0123456789abcdef"), "{shown}");
        }
    }
    let o = openai(&server);
    assert!(!format!("{o:?}").contains("0123456789"));
    let a = anthropic(&server);
    assert!(!format!("{a:?}").contains("0123456789"));
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    // Bind then drop to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let p = OpenAiProvider::new("openai", format!("http://127.0.0.1:{port}/v1"), None).unwrap();
    let e = p.complete(&request("m")).await.unwrap_err();
    assert!(matches!(e, ProviderError::Transport(_)), "{e:?}");
}

/// OpenAI's Batch API on a real socket: the requests go up as a JSONL file, the batch is
/// created for the chat endpoint, progress is reported while it runs, and every request's
/// outcome comes back by its id (a refused one as its error, a missing one as an error too).
#[tokio::test]
async fn openai_batch_submit_poll_and_results() {
    use candor_providers::{BatchItem, BatchState};
    let server = TestServer::start().await.unwrap();
    server.set_batch_polls(1);
    server.push_many([
        Reply::ok_text("Hi Ada", USAGE),
        Reply::status(400),
        Reply::ok_text("Hi Bo", USAGE),
    ]);
    let p = openai(&server);
    let items: Vec<BatchItem> = ["a", "b", "c"]
        .iter()
        .map(|id| BatchItem {
            custom_id: id.to_string(),
            request: request("gpt-4.1-mini"),
        })
        .collect();
    let api = p.batch().unwrap();
    let id = api.submit(&items, "winter-trail r1").await.unwrap();

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "upload, then create");
    assert_eq!(reqs[0].path, "/v1/files");
    assert_eq!(
        reqs[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert!(reqs[0]
        .header("content-type")
        .unwrap()
        .starts_with("multipart/form-data; boundary="));
    let form = String::from_utf8_lossy(&reqs[0].body).to_string();
    assert!(form.contains("name=\"purpose\"\r\n\r\nbatch\r\n"), "{form}");
    let lines: Vec<serde_json::Value> = form
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["custom_id"], "b");
    assert_eq!(lines[1]["method"], "POST");
    assert_eq!(lines[1]["url"], "/v1/chat/completions");
    assert_eq!(lines[1]["body"]["model"], "gpt-4.1-mini");
    assert_eq!(lines[1]["body"]["max_tokens"], 120);
    let create = reqs[1].json();
    assert_eq!(reqs[1].path, "/v1/batches");
    assert_eq!(create["endpoint"], "/v1/chat/completions");
    assert_eq!(create["completion_window"], "24h");
    assert_eq!(create["metadata"]["candor"], "winter-trail r1");

    assert_eq!(
        api.state(&id).await.unwrap(),
        BatchState::Running { done: 0, total: 3 }
    );
    assert_eq!(api.state(&id).await.unwrap(), BatchState::Ended);
    let ids: Vec<String> = ["a", "b", "c", "zz"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let results = api.results(&id, &ids).await.unwrap();
    assert_eq!(results.len(), 4);
    let a = results[0].1.as_ref().unwrap();
    assert_eq!(a.text, "Hi Ada");
    assert_eq!(a.usage.input_tokens, TokenCount(300), "usage normalised");
    assert_eq!(a.usage.cached_input_tokens, TokenCount(1_536));
    assert!(matches!(
        results[1].1,
        Err(ProviderError::Refused { status: 400, .. })
    ));
    assert_eq!(results[2].1.as_ref().unwrap().text, "Hi Bo");
    assert!(matches!(results[3].1, Err(ProviderError::BadResponse(_))));
    assert!(matches!(
        api.state("batch-404").await,
        Err(ProviderError::Refused { status: 404, .. })
    ));
}

/// Anthropic's Message Batches on a real socket: the requests go as `params` under their ids
/// (with the cache breakpoint, as a single call has it), progress while it runs, and every
/// outcome by id from the `results_url`.
#[tokio::test]
async fn anthropic_batch_submit_poll_and_results() {
    use candor_providers::{BatchItem, BatchState};
    let server = TestServer::start().await.unwrap();
    server.set_batch_polls(1);
    server.push_many([Reply::ok_text("Hi Ada", USAGE), Reply::status(500)]);
    let p = anthropic(&server);
    let items: Vec<BatchItem> = ["a", "b"]
        .iter()
        .map(|id| BatchItem {
            custom_id: id.to_string(),
            request: request("claude-sonnet-4-5"),
        })
        .collect();
    let api = p.batch().unwrap();
    let id = api.submit(&items, "label").await.unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.path, "/v1/messages/batches");
    assert_eq!(req.header("x-api-key"), Some(KEY));
    assert!(req.header("anthropic-version").is_some());
    let body = req.json();
    assert_eq!(body["requests"][1]["custom_id"], "b");
    let params = &body["requests"][1]["params"];
    assert_eq!(params["model"], "claude-sonnet-4-5");
    assert_eq!(params["max_tokens"], 120);
    assert_eq!(
        params["system"][0]["cache_control"]["type"], "ephemeral",
        "{params}"
    );

    assert_eq!(
        api.state(&id).await.unwrap(),
        BatchState::Running { done: 0, total: 2 }
    );
    assert_eq!(api.state(&id).await.unwrap(), BatchState::Ended);
    let ids: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let results = api.results(&id, &ids).await.unwrap();
    let a = results[0].1.as_ref().unwrap();
    assert_eq!(a.text, "Hi Ada");
    assert_eq!(a.usage.cached_input_tokens, TokenCount(1_536));
    assert_eq!(a.usage.input_tokens, TokenCount(300));
    assert!(matches!(results[1].1, Err(ProviderError::Refused { .. })));
    assert!(matches!(results[2].1, Err(ProviderError::BadResponse(_))));
    assert_eq!(
        server.last_request().unwrap().path,
        format!("/v1/messages/batches/{id}/results")
    );
}
