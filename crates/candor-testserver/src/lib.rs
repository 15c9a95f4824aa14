//! A scripted HTTP server that speaks the OpenAI Chat Completions and Anthropic Messages wire
//! formats, for tests that must exercise a real socket.
//!
//! Job: listen on `127.0.0.1:0`, answer `POST /v1/chat/completions` (OpenAI) and
//! `POST /v1/messages` (Anthropic) from a queue of scripted [`Reply`]s (falling back to a default
//! reply), and record every request so a test can assert on what was sent. It also runs
//! OpenAI's Batch API (`POST /v1/files`, `POST /v1/batches`, `GET /v1/batches/{id}`,
//! `GET /v1/files/{id}/content`) and Anthropic's Message Batches (`POST /v1/messages/batches`,
//! `GET /v1/messages/batches/{id}`, its `results_url`): each request of a batch takes the next
//! scripted reply, and a batch reports `in_progress` for [`TestServer::set_batch_polls`] polls
//! before it has ended.
//!
//! Invariants:
//! - It only ever binds the loopback interface, and every task it spawns is owned by the server:
//!   dropping the [`TestServer`] aborts the accept loop and, through its `JoinSet`, every
//!   connection (so a scripted hang never outlives the test).
//! - HTTP/1.1 is written by hand on purpose: faults such as a truncated body, a stalled body or a
//!   connection that never answers need control below what an HTTP framework exposes.
//! - Usage in a [`Reply`] is given in candor's normalised shape (the three input counts are
//!   disjoint) and rendered into each wire format's own convention, so tests can check that the
//!   providers undo each convention exactly.
//!
//! Use:
//! ```ignore
//! let server = TestServer::start().await?;
//! server.push_many([Reply::rate_limited("2"), Reply::status(503), Reply::missing_usage("Hi")]);
//! let openai = OpenAiProvider::new("openai", format!("{}/v1", server.base_url()), None)?;
//! // ... exercise the code under test ...
//! assert_eq!(server.request_count(), 3);
//! let body = server.last_request().map(|r| r.json());
//! ```

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// Token counts a scripted reply reports, in candor's normalised (disjoint) shape.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UsageSpec {
    /// Uncached, non-cache-write input tokens.
    pub input: u64,
    /// Input tokens read from the provider's prompt cache.
    pub cached: u64,
    /// Input tokens written to the provider's prompt cache (Anthropic only on the wire; OpenAI
    /// has no such field, so they are folded into `prompt_tokens`).
    pub cache_write: u64,
    /// Generated tokens, reasoning included.
    pub output: u64,
    /// The part of `output` spent on reasoning.
    pub reasoning: u64,
}

/// A successful answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OkReply {
    pub text: String,
    /// `None` sends a response without any usage object.
    pub usage: Option<UsageSpec>,
    /// `true` reports that the output was cut at the token limit.
    pub truncated_by_length: bool,
}

impl Default for OkReply {
    fn default() -> Self {
        OkReply {
            text: "Hello from the candor test server.".to_string(),
            usage: Some(UsageSpec {
                input: 100,
                cached: 0,
                cache_write: 0,
                output: 20,
                reasoning: 0,
            }),
            truncated_by_length: false,
        }
    }
}

/// What the server does with one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// 200 with a well-formed body in the request's wire format.
    Ok(OkReply),
    /// Any status with an optional `Retry-After` header value (sent verbatim, so tests can use
    /// both delta-seconds and HTTP-date forms) and a body.
    Status {
        status: u16,
        retry_after: Option<String>,
        body: String,
    },
    /// An error whose body echoes every credential header the client sent, as some providers do
    /// ("Incorrect API key provided: sk-..."): the client must redact it.
    EchoCredentials { status: u16 },
    /// Read the request and never answer.
    Hang,
    /// Send the headers at once, then the body one byte at a time with `byte_delay` between bytes.
    SlowBody {
        reply: OkReply,
        byte_delay: Duration,
    },
    /// Announce the full `Content-Length`, send half of the body, close the connection.
    Truncated(OkReply),
    /// 200 with a body that is not JSON.
    Malformed,
    /// 200 with JSON that lacks the fields a completion needs.
    WrongShape,
}

impl Reply {
    pub fn ok_text(text: impl Into<String>, usage: UsageSpec) -> Reply {
        Reply::Ok(OkReply {
            text: text.into(),
            usage: Some(usage),
            truncated_by_length: false,
        })
    }

    pub fn missing_usage(text: impl Into<String>) -> Reply {
        Reply::Ok(OkReply {
            text: text.into(),
            usage: None,
            truncated_by_length: false,
        })
    }

    pub fn rate_limited(retry_after: impl Into<String>) -> Reply {
        Reply::Status {
            status: 429,
            retry_after: Some(retry_after.into()),
            body: r#"{"error":{"message":"rate limited","type":"rate_limit_error"}}"#.to_string(),
        }
    }

    pub fn status(status: u16) -> Reply {
        Reply::Status {
            status,
            retry_after: None,
            body: format!(r#"{{"error":{{"message":"scripted status {status}"}}}}"#),
        }
    }
}

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON (`Value::Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

#[derive(Default)]
struct State {
    script: Mutex<VecDeque<Reply>>,
    default_reply: Mutex<Option<Reply>>,
    requests: Mutex<Vec<RecordedRequest>>,
    count: AtomicUsize,
    /// Uploaded and produced files, by id.
    files: Mutex<std::collections::HashMap<String, Vec<u8>>>,
    batches: Mutex<std::collections::HashMap<String, BatchRecord>>,
    next_id: AtomicUsize,
    /// Polls a batch answers `in_progress` before `completed`.
    batch_polls: AtomicUsize,
    /// How long a batch runs at least, in milliseconds.
    batch_ms: std::sync::atomic::AtomicU64,
    /// Answer the next batch creations with a 502 after making the batch.
    lose_creates: AtomicUsize,
}

struct BatchRecord {
    /// Anthropic's: the results as one JSONL text, served at the batch's `results_url`.
    results: Option<Vec<u8>>,
    output_file_id: Option<String>,
    error_file_id: Option<String>,
    total: usize,
    completed: usize,
    failed: usize,
    polls: usize,
    created: std::time::Instant,
    metadata: Value,
    /// Order of creation (the list is newest first).
    seq: usize,
    /// The `custom_id` of every request in the batch that succeeded: what the provider
    /// bills for (errored and expired requests are not billed).
    ids: Vec<String>,
}

impl State {
    fn next_reply(&self) -> Reply {
        let reply = lock(&self.script).pop_front();
        match reply {
            Some(r) => r,
            None => lock(&self.default_reply)
                .clone()
                .unwrap_or_else(|| Reply::Ok(OkReply::default())),
        }
    }

    fn new_id(&self, prefix: &str) -> String {
        format!(
            "{prefix}-{}",
            self.next_id.fetch_add(1, Ordering::SeqCst) + 1
        )
    }
}

/// Poisoning cannot corrupt these plain queues, so a panicked test thread must not cascade.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running server. Dropping it stops the server and every connection.
pub struct TestServer {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Bind `127.0.0.1:0` and start serving on the current tokio runtime.
    pub async fn start() -> std::io::Result<TestServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::default());
        let st = Arc::clone(&state);
        let task = tokio::spawn(async move {
            let mut conns = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => {
                            let st = Arc::clone(&st);
                            conns.spawn(async move { serve_connection(stream, st).await });
                        }
                        // A failed accept (fd exhaustion) is transient: keep serving.
                        Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
                    },
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
        });
        Ok(TestServer { addr, state, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, the base URL both clients take.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queue replies, used in order, one per request; when the queue is empty the default reply
    /// is used.
    pub fn push(&self, reply: Reply) {
        lock(&self.state.script).push_back(reply);
    }

    pub fn push_many(&self, replies: impl IntoIterator<Item = Reply>) {
        lock(&self.state.script).extend(replies);
    }

    /// The reply used when the script is empty (initially `Reply::Ok(OkReply::default())`).
    pub fn set_default(&self, reply: Reply) {
        *lock(&self.state.default_reply) = Some(reply);
    }

    /// Requests received so far (counted when the request head and body have been read).
    pub fn request_count(&self) -> usize {
        self.state.count.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.requests).clone()
    }

    pub fn last_request(&self) -> Option<RecordedRequest> {
        lock(&self.state.requests).last().cloned()
    }

    /// How many status polls a batch answers `in_progress` before `completed` (default 0).
    pub fn set_batch_polls(&self, polls: usize) {
        self.state.batch_polls.store(polls, Ordering::SeqCst);
    }

    /// How long a batch runs at least before it has ended (default 0), whatever the polls.
    pub fn set_batch_duration(&self, d: Duration) {
        self.state
            .batch_ms
            .store(d.as_millis() as u64, Ordering::SeqCst);
    }

    /// The next `n` batch creations make the batch but answer 502, as a gateway that lost the
    /// provider's answer would: the client cannot know the batch exists.
    pub fn lose_batch_creates(&self, n: usize) {
        self.state.lose_creates.store(n, Ordering::SeqCst);
    }

    /// Batches created so far.
    pub fn batch_count(&self) -> usize {
        lock(&self.state.batches).len()
    }

    /// The `custom_id`s of the requests that succeeded in every batch created so far, one
    /// list per batch: what a provider bills for. (Errored requests and an uploaded input
    /// file no batch was created from cost nothing.)
    pub fn batched_ids(&self) -> Vec<Vec<String>> {
        lock(&self.state.batches)
            .values()
            .map(|b| b.ids.clone())
            .collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Wire {
    OpenAi,
    Anthropic,
}

async fn serve_connection(mut stream: TcpStream, state: Arc<State>) {
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    loop {
        let Some(req) = read_request(&mut stream, &mut buf).await else {
            return;
        };
        state.count.fetch_add(1, Ordering::SeqCst);
        lock(&state.requests).push(req.clone());
        if let Some((status, body)) = batch_route(&req, &state) {
            if !write_response(&mut stream, status, &[], &body).await {
                return;
            }
            continue;
        }
        let wire = if req.path.ends_with("/messages") {
            Wire::Anthropic
        } else {
            Wire::OpenAi
        };
        let reply = state.next_reply();
        let model = req
            .json()
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string();
        let keep_open = match reply {
            Reply::Ok(ok) => {
                let body = success_body(wire, &model, &ok);
                write_response(&mut stream, 200, &[], body.as_bytes()).await
            }
            Reply::Status {
                status,
                retry_after,
                body,
            } => {
                let extra: Vec<(&str, String)> = retry_after
                    .map(|v| vec![("retry-after", v)])
                    .unwrap_or_default();
                write_response(&mut stream, status, &extra, body.as_bytes()).await
            }
            Reply::EchoCredentials { status } => {
                let creds: Vec<String> = ["authorization", "x-api-key", "api-key"]
                    .iter()
                    .filter_map(|h| req.header(h).map(|v| format!("{h}: {v}")))
                    .collect();
                let body = json!({"error": {"message": format!("Incorrect API key provided: {}", creds.join("; "))}})
                    .to_string();
                write_response(&mut stream, status, &[], body.as_bytes()).await
            }
            Reply::Hang => {
                // Hold the connection until the client gives up and closes it.
                let mut sink = [0u8; 1024];
                while let Ok(n) = stream.read(&mut sink).await {
                    if n == 0 {
                        break;
                    }
                }
                false
            }
            Reply::SlowBody { reply, byte_delay } => {
                let body = success_body(wire, &model, &reply);
                let head = response_head(200, &[], body.len());
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for b in body.as_bytes() {
                    tokio::time::sleep(byte_delay).await;
                    if stream.write_all(&[*b]).await.is_err() {
                        return;
                    }
                }
                true
            }
            Reply::Truncated(ok) => {
                let body = success_body(wire, &model, &ok);
                let head = response_head(200, &[], body.len());
                let half = &body.as_bytes()[..body.len() / 2];
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(half).await;
                let _ = stream.shutdown().await;
                false
            }
            Reply::Malformed => {
                write_response(&mut stream, 200, &[], b"{\"choices\": [ this is not json").await
            }
            Reply::WrongShape => {
                write_response(&mut stream, 200, &[], br#"{"unexpected": true}"#).await
            }
        };
        if !keep_open {
            return;
        }
    }
}

/// OpenAI's Batch API and Anthropic's Message Batches endpoints; `None` for any other request.
fn batch_route(req: &RecordedRequest, state: &State) -> Option<(u16, Vec<u8>)> {
    let path = req.path.split('?').next().unwrap_or("");
    if path.contains("/messages/batches") {
        return Some(anthropic_batch(req, path, state));
    }
    let not_found = |what: &str| {
        (
            404,
            json!({"error": {"message": format!("no such {what}")}})
                .to_string()
                .into_bytes(),
        )
    };
    match req.method.as_str() {
        "POST" if path.ends_with("/files") => {
            let Some(content) = multipart_file(&req.body) else {
                return Some((
                    400,
                    br#"{"error":{"message":"no file part in the form"}}"#.to_vec(),
                ));
            };
            let id = state.new_id("file");
            let bytes = content.len();
            lock(&state.files).insert(id.clone(), content);
            Some((
                200,
                json!({"id": id, "object": "file", "bytes": bytes, "purpose": "batch"})
                    .to_string()
                    .into_bytes(),
            ))
        }
        "POST" if path.ends_with("/batches") => {
            let body = req.json();
            let input = body
                .get("input_file_id")
                .and_then(Value::as_str)
                .unwrap_or("");
            let Some(content) = lock(&state.files).get(input).cloned() else {
                return Some(not_found("file"));
            };
            let (mut output, mut errors) = (String::new(), String::new());
            let (mut total, mut completed, mut failed) = (0, 0, 0);
            let mut ids = Vec::new();
            for line in String::from_utf8_lossy(&content).lines() {
                let Ok(item) = serde_json::from_str::<Value>(line) else {
                    continue;
                };
                total += 1;
                let custom_id = item.get("custom_id").cloned().unwrap_or(Value::Null);
                let model = item
                    .pointer("/body/model")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown")
                    .to_string();
                let request_id = state.new_id("batch_req");
                match state.next_reply() {
                    Reply::Ok(ok) => {
                        completed += 1;
                        ids.extend(custom_id.as_str().map(str::to_string));
                        let body: Value =
                            serde_json::from_str(&success_body(Wire::OpenAi, &model, &ok))
                                .unwrap_or(Value::Null);
                        output.push_str(&json!({"id": request_id, "custom_id": custom_id,
                            "response": {"status_code": 200, "request_id": request_id, "body": body},
                            "error": null}).to_string());
                        output.push('\n');
                    }
                    Reply::Status { status, body, .. } => {
                        failed += 1;
                        let body: Value =
                            serde_json::from_str(&body).unwrap_or(Value::String(body));
                        errors.push_str(&json!({"id": request_id, "custom_id": custom_id,
                            "response": {"status_code": status, "request_id": request_id, "body": body},
                            "error": null}).to_string());
                        errors.push('\n');
                    }
                    _ => {
                        failed += 1;
                        errors.push_str(
                            &json!({"id": request_id, "custom_id": custom_id,
                            "response": null,
                            "error": {"code": "server_error", "message": "scripted fault"}})
                            .to_string(),
                        );
                        errors.push('\n');
                    }
                }
            }
            let file = |text: String| {
                (!text.is_empty()).then(|| {
                    let id = state.new_id("file");
                    lock(&state.files).insert(id.clone(), text.into_bytes());
                    id
                })
            };
            let record = BatchRecord {
                results: None,
                output_file_id: file(output),
                error_file_id: file(errors),
                total,
                completed,
                failed,
                polls: 0,
                created: std::time::Instant::now(),
                metadata: body.get("metadata").cloned().unwrap_or(Value::Null),
                seq: state.next_id.load(Ordering::SeqCst),
                ids,
            };
            let id = state.new_id("batch");
            let lost = state
                .lose_creates
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            let reply = json!({"id": id, "object": "batch", "status": "validating",
                "input_file_id": input, "request_counts": {"total": total, "completed": 0, "failed": 0},
                "metadata": body.get("metadata").cloned().unwrap_or(Value::Null)});
            lock(&state.batches).insert(id, record);
            if lost {
                return Some((502, br#"{"error":{"message":"bad gateway"}}"#.to_vec()));
            }
            Some((200, reply.to_string().into_bytes()))
        }
        "GET" if path.ends_with("/batches") => {
            let batches = lock(&state.batches);
            let mut list: Vec<(&String, &BatchRecord)> = batches.iter().collect();
            list.sort_by_key(|(_, b)| std::cmp::Reverse(b.seq));
            let data: Vec<Value> = list
                .into_iter()
                .map(|(id, b)| json!({"id": id, "object": "batch", "metadata": b.metadata}))
                .collect();
            Some((
                200,
                json!({"object": "list", "data": data})
                    .to_string()
                    .into_bytes(),
            ))
        }
        "GET" if path.contains("/batches/") => {
            let id = path.rsplit('/').next().unwrap_or("");
            let mut batches = lock(&state.batches);
            let Some(b) = batches.get_mut(id) else {
                return Some(not_found("batch"));
            };
            b.polls += 1;
            let done = b.polls > state.batch_polls.load(Ordering::SeqCst)
                && b.created.elapsed().as_millis() as u64 >= state.batch_ms.load(Ordering::SeqCst);
            let reply = if done {
                json!({"id": id, "object": "batch", "status": "completed",
                    "output_file_id": b.output_file_id, "error_file_id": b.error_file_id,
                    "request_counts": {"total": b.total, "completed": b.completed, "failed": b.failed}})
            } else {
                json!({"id": id, "object": "batch", "status": "in_progress",
                    "output_file_id": null, "error_file_id": null,
                    "request_counts": {"total": b.total, "completed": 0, "failed": 0}})
            };
            Some((200, reply.to_string().into_bytes()))
        }
        "GET" if path.contains("/files/") && path.ends_with("/content") => {
            let id = path
                .trim_end_matches("/content")
                .rsplit('/')
                .next()
                .unwrap_or("");
            match lock(&state.files).get(id) {
                Some(content) => Some((200, content.clone())),
                None => Some(not_found("file")),
            }
        }
        _ => None,
    }
}

/// Anthropic's Message Batches: create, state, results.
fn anthropic_batch(req: &RecordedRequest, path: &str, state: &State) -> (u16, Vec<u8>) {
    let not_found = || {
        (
            404,
            br#"{"type":"error","error":{"type":"not_found_error","message":"no such batch"}}"#
                .to_vec(),
        )
    };
    if req.method == "POST" && path.ends_with("/messages/batches") {
        let body = req.json();
        let mut results = String::new();
        let mut total = 0u64;
        let mut ids = Vec::new();
        for item in body
            .get("requests")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            total += 1;
            let custom_id = item.get("custom_id").cloned().unwrap_or(Value::Null);
            let model = item
                .pointer("/params/model")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_string();
            let result = match state.next_reply() {
                Reply::Ok(ok) => {
                    ids.extend(custom_id.as_str().map(str::to_string));
                    let message: Value =
                        serde_json::from_str(&success_body(Wire::Anthropic, &model, &ok))
                            .unwrap_or(Value::Null);
                    json!({"type": "succeeded", "message": message})
                }
                Reply::Status { status, .. } => {
                    json!({"type": "errored", "error": {"type": "error",
                    "error": {"type": "api_error", "message": format!("scripted status {status}")}}})
                }
                _ => json!({"type": "expired"}),
            };
            results.push_str(&json!({"custom_id": custom_id, "result": result}).to_string());
            results.push('\n');
        }
        let id = state.new_id("msgbatch");
        lock(&state.batches).insert(
            id.clone(),
            BatchRecord {
                results: Some(results.into_bytes()),
                output_file_id: None,
                error_file_id: None,
                total: total as usize,
                completed: 0,
                failed: 0,
                polls: 0,
                created: std::time::Instant::now(),
                metadata: Value::Null,
                seq: state.next_id.load(Ordering::SeqCst),
                ids,
            },
        );
        let reply = json!({"id": id, "type": "message_batch", "processing_status": "in_progress",
            "request_counts": {"processing": total, "succeeded": 0, "errored": 0, "canceled": 0,
            "expired": 0}, "results_url": null});
        return (200, reply.to_string().into_bytes());
    }
    if req.method != "GET" {
        return not_found();
    }
    let rest = path.split("/messages/batches/").nth(1).unwrap_or("");
    let (id, results) = match rest.strip_suffix("/results") {
        Some(id) => (id, true),
        None => (rest, false),
    };
    let mut batches = lock(&state.batches);
    let Some(b) = batches.get_mut(id) else {
        return not_found();
    };
    if results {
        return (200, b.results.clone().unwrap_or_default());
    }
    b.polls += 1;
    let done = b.polls > state.batch_polls.load(Ordering::SeqCst)
        && b.created.elapsed().as_millis() as u64 >= state.batch_ms.load(Ordering::SeqCst);
    let host = req.header("host").unwrap_or("127.0.0.1");
    let base = path.split("/messages/batches/").next().unwrap_or("");
    let reply = if done {
        json!({"id": id, "type": "message_batch", "processing_status": "ended",
            "request_counts": {"processing": 0, "succeeded": b.total, "errored": 0, "canceled": 0,
            "expired": 0},
            "results_url": format!("http://{host}{base}/messages/batches/{id}/results")})
    } else {
        json!({"id": id, "type": "message_batch", "processing_status": "in_progress",
            "request_counts": {"processing": b.total, "succeeded": 0, "errored": 0, "canceled": 0,
            "expired": 0}, "results_url": null})
    };
    (200, reply.to_string().into_bytes())
}

/// The `file` part of a `multipart/form-data` body.
fn multipart_file(body: &[u8]) -> Option<Vec<u8>> {
    let at = find(body, b"name=\"file\"")?;
    let start = at + find(&body[at..], b"\r\n\r\n")? + 4;
    let end = start + find(&body[start..], b"\r\n--")?;
    Some(body[start..end].to_vec())
}

fn success_body(wire: Wire, model: &str, ok: &OkReply) -> String {
    match wire {
        Wire::OpenAi => {
            let mut v = json!({
                "id": "chatcmpl-candor-test",
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": ok.text},
                    "finish_reason": if ok.truncated_by_length { "length" } else { "stop" },
                }],
            });
            if let Some(u) = ok.usage {
                // OpenAI's convention: cached tokens are counted *inside* prompt_tokens.
                let prompt = u.input + u.cached + u.cache_write;
                v["usage"] = json!({
                    "prompt_tokens": prompt,
                    "completion_tokens": u.output,
                    "total_tokens": prompt + u.output,
                    "prompt_tokens_details": {"cached_tokens": u.cached, "audio_tokens": 0},
                    "completion_tokens_details": {"reasoning_tokens": u.reasoning, "audio_tokens": 0},
                });
            }
            v.to_string()
        }
        Wire::Anthropic => {
            let mut v = json!({
                "id": "msg_candor_test",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [{"type": "text", "text": ok.text}],
                "stop_reason": if ok.truncated_by_length { "max_tokens" } else { "end_turn" },
                "stop_sequence": null,
            });
            if let Some(u) = ok.usage {
                // Anthropic's convention: cache reads and writes are reported apart from input.
                v["usage"] = json!({
                    "input_tokens": u.input,
                    "cache_creation_input_tokens": u.cache_write,
                    "cache_read_input_tokens": u.cached,
                    "output_tokens": u.output,
                });
            }
            v.to_string()
        }
    }
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        529 => "Overloaded",
        _ => "Status",
    }
}

fn response_head(status: u16, extra: &[(&str, String)], len: usize) -> String {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n",
        reason_phrase(status)
    );
    for (k, v) in extra {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head
}

/// Returns whether the connection can serve another request.
async fn write_response(
    stream: &mut TcpStream,
    status: u16,
    extra: &[(&str, String)],
    body: &[u8],
) -> bool {
    let head = response_head(status, extra, body.len());
    let mut out = Vec::with_capacity(head.len() + body.len());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(body);
    stream.write_all(&out).await.is_ok()
}

/// Read one request (head + `Content-Length` body). `None` when the peer closed or sent junk.
async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<RecordedRequest> {
    let head_end = loop {
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split_whitespace();
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buf.len() < body_start + len {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[body_start..body_start + len].to_vec();
    buf.drain(..body_start + len);
    Some(RecordedRequest {
        method,
        path,
        headers,
        body,
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
