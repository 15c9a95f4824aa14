//! candor's `local` tier: a quantized GGUF instruct model run in process on CPU.
//!
//! - [`registry`]: the models candor knows, pinned by sha256, fetched into the cache directory.
//! - [`LocalModel`]: loaded once; every generation starts from a clean KV cache (or from a copy
//!   of the immutable cache of the campaign's static prefix) and never changes shared state
//!   other than that prefix cache.
//! - [`LocalModel::generate_batch`]: several prompts decoded together, sharing the weight
//!   matmuls; the engine's throughput path.
//! - [`LocalProvider`]: the same model behind candor's `Provider` trait.
//! - [`opener_prompt`]: the prompt shape that gets a short opener out of a small model.

mod chat;
pub mod model;
mod prompt;
mod provider;
pub mod qmm;
pub mod registry;
pub mod tokenizer;

/// Reproducible values in [-1, 1) for the kernels' and the model's unit tests.
#[cfg(test)]
mod test_rng {
    pub fn lcg(seed: &mut u64) -> f32 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use candor_domain::{ChatMessage, FinishReason};

pub use model::{Arch, Config, KvCache};
pub use prompt::{opener_params, opener_prompt, tidy_opener, OPENER_MAX_TOKENS};
pub use provider::{LocalProvider, DEFAULT_MAX_BATCH};

pub use registry::{ensure_model, find_model, ModelSpec, DEFAULT_MODEL, MODELS, TEST_MODEL};
pub use tokenizer::Tokenizer;

/// Why the local tier failed.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("downloading {url}: {reason}")]
    Http { url: String, reason: String },
    #[error("wheel {path}: {reason}")]
    Wheel { path: PathBuf, reason: String },
    #[error("model `{model}` failed verification: expected sha256 {expected}, got {actual}; the download was discarded")]
    HashMismatch {
        model: String,
        expected: String,
        actual: String,
    },
    #[error("could not fetch model `{model}`: {reason}")]
    Download { model: String, reason: String },
    #[error("unknown model `{0}`")]
    UnknownModel(String),
    #[error("model: {0}")]
    Model(String),
    #[error("chat template: {0}")]
    Template(String),
    #[error("prompt needs {needed} tokens of context; the local tier is sized to {max}")]
    ContextFull { needed: usize, max: usize },
    #[error("{0}")]
    Config(String),
}

impl LocalError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        LocalError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// How a model is loaded.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Context (prompt + output tokens) candor sizes rotary tables and caches to.
    pub max_context: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { max_context: 2048 }
    }
}

/// Decoding settings of one generation.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleParams {
    pub max_tokens: usize,
    /// 0 (or less) = greedy.
    pub temperature: f32,
    /// Nucleus cut-off for sampled decoding (1.0 = off).
    pub top_p: f32,
    pub seed: u64,
    /// Text that ends the generation; not included in the output.
    pub stop: Vec<String>,
}

impl Default for SampleParams {
    fn default() -> Self {
        SampleParams {
            max_tokens: 64,
            temperature: 0.0,
            top_p: 0.95,
            seed: 0,
            stop: Vec::new(),
        }
    }
}

/// One prompt to complete.
#[derive(Clone, Debug)]
pub struct GenRequest {
    /// Full prompt as token ids (chat template applied).
    pub tokens: Vec<u32>,
    /// How many leading tokens are the static prefix whose KV cache may be reused (0 = none).
    pub prefix_len: usize,
    pub params: SampleParams,
}

/// One finished generation with its exact usage.
#[derive(Clone, Debug, PartialEq)]
pub struct Generation {
    pub text: String,
    pub output_ids: Vec<u32>,
    /// Prompt tokens computed for this generation.
    pub prompt_tokens: usize,
    /// Prompt tokens served from the reused prefix KV cache.
    pub cached_prompt_tokens: usize,
    pub output_tokens: usize,
    pub finish: FinishReason,
    /// This generation's share of the wall-clock compute of the forward passes it took part
    /// in (each pass's time divided evenly among the sequences in it).
    pub compute: Duration,
}

struct PrefixCache {
    tokens: Vec<u32>,
    kv: KvCache,
}

/// Recent prompts whose KV cache is kept for reuse: a request reuses the longest run of
/// leading tokens it shares with any of them (the static prefix, and beyond it whatever else
/// the prompts share, such as a segment's copy). Two: each holds a whole prompt (about 3 MB for
/// Qwen2.5-0.5B), and recipients of one segment mostly arrive together.
const PROMPT_CACHE: usize = 2;

/// A loaded model: weights, tokenizer, chat template, and the KV caches of recent prompts.
pub struct LocalModel {
    name: String,
    weights: model::Weights,
    tokenizer: Tokenizer,
    template: chat::ChatTemplate,
    stop_ids: Vec<u32>,
    /// Recent prompts' KV caches, most recent last ([`PROMPT_CACHE`]).
    prefix: Mutex<Vec<PrefixCache>>,
    /// One generation at a time: the matmuls already use every core.
    busy: Mutex<()>,
}

impl LocalModel {
    /// Load a GGUF file.
    pub fn load(path: &Path, opts: &LoadOptions) -> Result<Self, LocalError> {
        let (content, mut reader) = model::Weights::read_content(path)?;
        let tokenizer = Tokenizer::from_gguf(&content)?;
        let template_src = content
            .metadata
            .get("tokenizer.chat_template")
            .and_then(|v| v.to_string().ok().cloned());
        let tok_text = |id: Option<u32>| {
            id.and_then(|i| tokenizer.token_text(i))
                .unwrap_or_default()
                .to_string()
        };
        let template = chat::ChatTemplate::new(
            template_src,
            tok_text(tokenizer.bos_id),
            tok_text(tokenizer.eos_id),
        )?;
        let weights = model::Weights::load(&content, &mut reader, opts.max_context)?;
        let mut stop_ids: Vec<u32> = tokenizer.eos_id.into_iter().collect();
        for t in ["<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end|>"] {
            if let Some(id) = tokenizer.token_id(t) {
                if !stop_ids.contains(&id) {
                    stop_ids.push(id);
                }
            }
        }
        let name = content
            .metadata
            .get("general.name")
            .and_then(|v| v.to_string().ok().cloned())
            .unwrap_or_else(|| path.display().to_string());
        Ok(LocalModel {
            name,
            weights,
            tokenizer,
            template,
            stop_ids,
            prefix: Mutex::new(Vec::new()),
            busy: Mutex::new(()),
        })
    }

    /// Load a registry model by name from `models_dir`, fetching it first if needed.
    pub fn load_named(
        name: &str,
        models_dir: &Path,
        opts: &LoadOptions,
        progress: &mut dyn registry::Progress,
    ) -> Result<Self, LocalError> {
        let spec = find_model(name).ok_or_else(|| LocalError::UnknownModel(name.to_string()))?;
        let path = ensure_model(spec, models_dir, progress)?;
        Self::load(&path, opts)
    }

    /// The model's own name (GGUF `general.name`).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn config(&self) -> &Config {
        &self.weights.cfg
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Exact token count of plain text with this model's vocabulary.
    pub fn count_tokens(&self, text: &str) -> usize {
        self.tokenizer.count_tokens(text)
    }

    /// Render messages with the model's chat template, generation prompt appended.
    pub fn render_chat(&self, messages: &[ChatMessage]) -> Result<String, LocalError> {
        self.template.render(messages, true)
    }

    /// Tokenize rendered prompt text (special tokens parsed, BOS added if the model wants it).
    pub fn encode_prompt(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        if self.tokenizer.add_bos {
            ids.extend(self.tokenizer.bos_id);
        }
        ids.extend(self.tokenizer.encode(text, true));
        ids
    }

    /// A request for chat `messages` whose first `prefix_messages` form the static prefix.
    pub fn chat_request(
        &self,
        messages: &[ChatMessage],
        prefix_messages: usize,
        params: SampleParams,
    ) -> Result<GenRequest, LocalError> {
        let tokens = self.encode_prompt(&self.render_chat(messages)?);
        let mut prefix_len = 0;
        if prefix_messages > 0 && prefix_messages < messages.len() {
            let prefix_text = self.template.render(&messages[..prefix_messages], false)?;
            let prefix = self.encode_prompt(&prefix_text);
            if tokens.starts_with(&prefix) && prefix.len() < tokens.len() {
                prefix_len = prefix.len();
            }
        }
        Ok(GenRequest {
            tokens,
            prefix_len,
            params,
        })
    }

    /// Bytes of weight matrices held in memory.
    pub fn weights_bytes(&self) -> usize {
        self.weights.size_bytes()
    }

    /// Exact prompt token count of chat `messages` (template included).
    pub fn count_chat_tokens(&self, messages: &[ChatMessage]) -> Result<usize, LocalError> {
        Ok(self.encode_prompt(&self.render_chat(messages)?).len())
    }

    /// One raw forward step of one sequence: append `tokens` to `cache` and return the logits of
    /// the last one. For benchmarks and tools; generation goes through [`Self::generate_batch`].
    pub fn forward_one(&self, cache: &mut KvCache, tokens: &[u32]) -> Result<Vec<f32>, LocalError> {
        let mut out = self.weights.forward(&mut [cache], &[tokens])?;
        out.pop()
            .ok_or_else(|| LocalError::Model("no logits".into()))
    }

    /// Generate for one request.
    pub fn generate(&self, req: &GenRequest) -> Result<Generation, LocalError> {
        let mut out = self.generate_batch(std::slice::from_ref(req))?;
        out.pop()
            .ok_or_else(|| LocalError::Model("no generation".into()))
    }

    /// Generate for several requests in one batch: their prompts go through the model together
    /// and every decode step advances all unfinished sequences in one forward pass. The result
    /// for each request is the same as generating it alone.
    pub fn generate_batch(&self, reqs: &[GenRequest]) -> Result<Vec<Generation>, LocalError> {
        let mut session = self.session()?;
        let ids = reqs
            .iter()
            .map(|r| session.add(r.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let mut done: std::collections::HashMap<u64, Generation> =
            std::collections::HashMap::with_capacity(reqs.len());
        while !session.is_empty() {
            done.extend(session.step()?);
        }
        ids.iter()
            .map(|id| {
                done.remove(id)
                    .ok_or_else(|| LocalError::Model("a sequence was lost".into()))
            })
            .collect()
    }

    /// A batch that sequences join and leave between decode steps (continuous batching): one
    /// generation at a time per model, so the session holds the model until dropped.
    pub fn session(&self) -> Result<Session<'_>, LocalError> {
        let busy = self
            .busy
            .lock()
            .map_err(|_| LocalError::Model("model lock poisoned".into()))?;
        Ok(Session {
            model: self,
            _busy: busy,
            live: Vec::new(),
            next_id: 0,
        })
    }

    /// A cache holding the longest run of the request's leading tokens that a recent prompt
    /// shares (at least its static prefix, computed and stored if new), and its length. A
    /// request with no static prefix gets an empty cache. The cache has room for `total`
    /// positions.
    fn prefix_for(&self, r: &GenRequest, total: usize) -> Result<(KvCache, usize), LocalError> {
        let cfg = &self.weights.cfg;
        if r.prefix_len == 0 || r.prefix_len >= r.tokens.len() {
            return Ok((KvCache::new(cfg, total), 0));
        }
        let mut slots = self
            .prefix
            .lock()
            .map_err(|_| LocalError::Model("prefix cache lock poisoned".into()))?;
        // The last prompt token is always fed, for its logits.
        let usable = r.tokens.len() - 1;
        let shared = |p: &PrefixCache| {
            p.tokens
                .iter()
                .zip(&r.tokens[..usable])
                .take_while(|(a, b)| a == b)
                .count()
                .min(p.kv.len())
        };
        let best = slots.iter().enumerate().map(|(i, p)| (shared(p), i)).max();
        if let Some((len, i)) = best.filter(|&(len, _)| len >= r.prefix_len) {
            let kv = slots[i].kv.fork_prefix(len, total.saturating_sub(len));
            let hit = slots.remove(i);
            slots.push(hit);
            return Ok((kv, len));
        }
        let prefix = &r.tokens[..r.prefix_len];
        let mut kv = KvCache::new(cfg, prefix.len());
        self.weights.forward(&mut [&mut kv], &[prefix])?;
        let fork = kv.fork(total.saturating_sub(prefix.len()));
        remember(
            &mut slots,
            PrefixCache {
                tokens: prefix.to_vec(),
                kv,
            },
        );
        Ok((fork, r.prefix_len))
    }

    /// Keep a prompt's KV cache (`kv` holding exactly `tokens`) for later requests.
    fn remember_prompt(&self, tokens: &[u32], kv: &KvCache) -> Result<(), LocalError> {
        let mut slots = self
            .prefix
            .lock()
            .map_err(|_| LocalError::Model("prefix cache lock poisoned".into()))?;
        if slots.iter().any(|p| p.tokens == tokens) {
            return Ok(());
        }
        remember(
            &mut slots,
            PrefixCache {
                tokens: tokens.to_vec(),
                kv: kv.fork_prefix(tokens.len(), 0),
            },
        );
        Ok(())
    }

    /// Pick the next token; `None` when the sequence is finished.
    fn step(&self, s: &mut SeqState, p: &SampleParams, logits: &[f32]) -> Option<u32> {
        if s.finish.is_some() {
            return None;
        }
        let tok = if p.temperature <= 0.0 {
            argmax(logits)
        } else {
            sample(logits, p.temperature, p.top_p, &mut s.rng)
        };
        if self.stop_ids.contains(&tok) {
            s.finish = Some(FinishReason::Stop);
            return None;
        }
        s.ids.push(tok);
        self.tokenizer.token_bytes(tok, &mut s.bytes);
        if !p.stop.is_empty() {
            let text = String::from_utf8_lossy(&s.bytes);
            if p.stop
                .iter()
                .any(|st| !st.is_empty() && text.contains(st.as_str()))
            {
                s.finish = Some(FinishReason::Stop);
                return None;
            }
        }
        if s.ids.len() >= p.max_tokens {
            s.finish = Some(FinishReason::Length);
            return None;
        }
        Some(tok)
    }
}

/// A running batch (see [`LocalModel::session`]). A newcomer's prompt is prefilled in the same
/// forward pass that gives the others their next token; a sequence that finishes leaves at
/// once, so a short opener never waits for a long one and a free slot is refilled at the next
/// step. Every sequence's numbers are the same as generating it alone.
pub struct Session<'m> {
    model: &'m LocalModel,
    _busy: std::sync::MutexGuard<'m, ()>,
    live: Vec<Live>,
    next_id: u64,
}

struct Live {
    id: u64,
    req: GenRequest,
    cache: KvCache,
    cached: usize,
    /// Whether the whole prompt has been through the model (and offered to the prompt cache).
    prompted: bool,
    state: SeqState,
    /// Tokens the next forward pass feeds: the uncached prompt, then each sampled token.
    feed: Vec<u32>,
    /// This sequence's share of the compute of the steps it took part in.
    compute: Duration,
}

impl Session<'_> {
    /// Sequences in flight.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Admit a request; its prompt is prefilled by the next [`Session::step`]. Returns its id.
    /// A request that cannot run (empty, over the context) is refused here and affects no other.
    pub fn add(&mut self, req: GenRequest) -> Result<u64, LocalError> {
        let max_ctx = self.model.weights.cfg.max_ctx;
        if req.tokens.is_empty() {
            return Err(LocalError::Model("empty prompt".into()));
        }
        let needed = req.tokens.len() + req.params.max_tokens;
        if needed > max_ctx {
            return Err(LocalError::ContextFull {
                needed,
                max: max_ctx,
            });
        }
        let (cache, cached) = self.model.prefix_for(&req, needed)?;
        let id = self.next_id;
        self.next_id += 1;
        self.live.push(Live {
            id,
            state: SeqState::new(&req.params),
            feed: req.tokens[cached..].to_vec(),
            req,
            cache,
            cached,
            prompted: false,
            compute: Duration::ZERO,
        });
        Ok(id)
    }

    /// One forward pass over every sequence in flight; returns the ones that finished.
    pub fn step(&mut self) -> Result<Vec<(u64, Generation)>, LocalError> {
        if self.live.is_empty() {
            return Ok(Vec::new());
        }
        let start = Instant::now();
        let feeds: Vec<Vec<u32>> = self
            .live
            .iter_mut()
            .map(|s| std::mem::take(&mut s.feed))
            .collect();
        let feed_refs: Vec<&[u32]> = feeds.iter().map(Vec::as_slice).collect();
        let logits = {
            let mut caches: Vec<&mut KvCache> =
                self.live.iter_mut().map(|s| &mut s.cache).collect();
            self.model.weights.forward(&mut caches, &feed_refs)?
        };
        let share = start.elapsed() / u32::try_from(self.live.len()).unwrap_or(u32::MAX);
        let model = self.model;
        let mut finished = Vec::new();
        let mut i = 0;
        // The newest prompt that went through whole in this pass is kept for later requests
        // (keeping every one would copy each and evict all but the last anyway).
        if let Some(s) = self.live.iter().rev().find(|s| !s.prompted && s.cached > 0) {
            model.remember_prompt(&s.req.tokens, &s.cache)?;
        }
        for (s, l) in self.live.iter_mut().zip(&logits) {
            s.prompted = true;
            s.compute += share;
            if let Some(tok) = model.step(&mut s.state, &s.req.params, l) {
                s.feed = vec![tok];
            }
        }
        while i < self.live.len() {
            if self.live[i].feed.is_empty() {
                let s = self.live.remove(i);
                let text = s.state.final_text(&model.tokenizer, &s.req.params.stop);
                finished.push((
                    s.id,
                    Generation {
                        text,
                        output_tokens: s.state.ids.len(),
                        output_ids: s.state.ids,
                        prompt_tokens: s.req.tokens.len() - s.cached,
                        cached_prompt_tokens: s.cached,
                        finish: s.state.finish.unwrap_or(FinishReason::Length),
                        compute: s.compute,
                    },
                ));
            } else {
                i += 1;
            }
        }
        Ok(finished)
    }
}

/// Add `entry` as the most recent of `slots`, dropping the oldest past [`PROMPT_CACHE`].
fn remember(slots: &mut Vec<PrefixCache>, entry: PrefixCache) {
    slots.retain(|p| p.tokens != entry.tokens);
    slots.push(entry);
    if slots.len() > PROMPT_CACHE {
        slots.remove(0);
    }
}

struct SeqState {
    ids: Vec<u32>,
    bytes: Vec<u8>,
    finish: Option<FinishReason>,
    rng: SplitMix64,
}

impl SeqState {
    fn new(p: &SampleParams) -> Self {
        SeqState {
            ids: Vec::new(),
            bytes: Vec::new(),
            finish: (p.max_tokens == 0).then_some(FinishReason::Length),
            rng: SplitMix64(p.seed),
        }
    }

    fn final_text(&self, _tok: &Tokenizer, stop: &[String]) -> String {
        let mut text = String::from_utf8_lossy(&self.bytes).into_owned();
        let cut = stop
            .iter()
            .filter(|s| !s.is_empty())
            .filter_map(|s| text.find(s.as_str()))
            .min();
        if let Some(c) = cut {
            text.truncate(c);
        }
        text
    }
}

/// Small, seedable PRNG: sampled decoding is reproducible for a given seed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_f32(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 40) as f32 / (1u64 << 24) as f32
    }
}

fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0usize;
    let mut best_v = f32::NEG_INFINITY;
    for (i, &v) in logits.iter().enumerate() {
        if v > best_v {
            best = i;
            best_v = v;
        }
    }
    best as u32
}

fn sample(logits: &[f32], temperature: f32, top_p: f32, rng: &mut SplitMix64) -> u32 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut probs: Vec<(u32, f32)> = logits
        .iter()
        .enumerate()
        .map(|(i, &l)| (i as u32, ((l - max) / temperature).exp()))
        .collect();
    let total: f32 = probs.iter().map(|p| p.1).sum();
    // Most likely first, ties by id: a total order, so the nucleus is well defined.
    let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    // The nucleus is almost always a few dozen tokens out of a vocabulary of 10^5: find the
    // top few in linear time and sort only those; sort everything only if they fall short.
    let mut sorted = 0;
    let mut keep = probs.len();
    if top_p < 1.0 {
        for k in [64usize, 1024] {
            if k >= probs.len() {
                break;
            }
            probs.select_nth_unstable_by(k, order);
            probs[..k].sort_by(order);
            sorted = k;
            if let Some(n) = nucleus(&probs[..k], total, top_p) {
                keep = n;
                break;
            }
        }
        if keep == probs.len() {
            probs.sort_by(order);
            sorted = probs.len();
            keep = nucleus(&probs, total, top_p).unwrap_or(probs.len());
        }
    } else {
        probs.sort_by(order);
        sorted = probs.len();
    }
    debug_assert!(keep <= sorted);
    let kept = &probs[..keep];
    let kept_total: f32 = kept.iter().map(|p| p.1).sum();
    let mut r = rng.next_f32() * kept_total;
    for p in kept {
        r -= p.1;
        if r <= 0.0 {
            return p.0;
        }
    }
    kept.last().map(|p| p.0).unwrap_or(0)
}

/// How many of the most likely tokens (sorted, most likely first) reach `top_p` of `total`.
fn nucleus(sorted: &[(u32, f32)], total: f32, top_p: f32) -> Option<usize> {
    let mut acc = 0.0;
    for (i, p) in sorted.iter().enumerate() {
        acc += p.1 / total;
        if acc >= top_p {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The straightforward nucleus sampler: sort the whole vocabulary.
    fn sample_full_sort(logits: &[f32], t: f32, top_p: f32, rng: &mut SplitMix64) -> u32 {
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut probs: Vec<(u32, f32)> = logits
            .iter()
            .enumerate()
            .map(|(i, &l)| (i as u32, ((l - max) / t).exp()))
            .collect();
        let total: f32 = probs.iter().map(|p| p.1).sum();
        probs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let keep = nucleus(&probs, total, top_p).unwrap_or(probs.len());
        let kept = &probs[..keep];
        let mut r = rng.next_f32() * kept.iter().map(|p| p.1).sum::<f32>();
        for p in kept {
            r -= p.1;
            if r <= 0.0 {
                return p.0;
            }
        }
        kept.last().map(|p| p.0).unwrap_or(0)
    }

    #[test]
    fn nucleus_sampling_picks_what_a_full_sort_picks() {
        let mut gen = SplitMix64(42);
        // Peaked (nucleus of a few), flat (nucleus of thousands) and tied logits.
        for (spread, vocab) in [(12.0f32, 5000usize), (0.5, 5000), (0.0, 300), (4.0, 100)] {
            let logits: Vec<f32> = (0..vocab).map(|_| gen.next_f32() * spread).collect();
            for seed in 0..40 {
                for (t, p) in [(0.7, 0.95), (1.0, 0.5), (0.3, 1.0)] {
                    let a = sample(&logits, t, p, &mut SplitMix64(seed));
                    let b = sample_full_sort(&logits, t, p, &mut SplitMix64(seed));
                    assert_eq!(
                        a, b,
                        "spread {spread} vocab {vocab} seed {seed} t {t} p {p}"
                    );
                }
            }
        }
    }
}
