//! A llama / qwen2 decoder over candle-core's quantized matmuls, shaped for candor's workload.
//!
//! Why not candle-transformers' model code: candor needs (1) rotary tables sized to the context
//! it actually uses, (2) several sequences of different lengths through one forward pass, and
//! (3) a KV cache per sequence that can start from a shared, immutable prefix cache.
//!
//! Layout: every token of every sequence in a forward call is one row of an `(N, E)` activation
//! matrix, so the weight matmuls (the cost that dominates on CPU) are shared by the whole batch
//! and nothing is padded. Attention, the only step that mixes tokens, runs per sequence over
//! that sequence's own cache in plain Rust, so a sequence's numbers do not depend on which other
//! sequences share its batch (batch output equals one-by-one output, bit for bit), and a prefix
//! cache computed once gives the same values as recomputing it.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use candle_core::quantized::{gguf_file, GgmlDType, QMatMul, QTensor};
use candle_core::{DType, Device, Module, Tensor};

use crate::LocalError;

fn ce(e: candle_core::Error) -> LocalError {
    LocalError::Model(e.to_string())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    /// Rotary embedding on adjacent pairs (llama.cpp permutes Q/K weights at conversion).
    Llama,
    /// Rotary embedding on the two halves of each head (NeoX style); Q/K/V carry biases.
    Qwen2,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub arch: Arch,
    pub n_layer: usize,
    pub n_head: usize,
    pub n_kv_head: usize,
    pub head_dim: usize,
    pub embed: usize,
    pub eps: f32,
    pub rope_base: f32,
    /// The model's trained context length.
    pub train_ctx: usize,
    /// The context candor sizes its tables and caches to (at most `train_ctx`).
    pub max_ctx: usize,
}

struct Layer {
    attn_norm: Tensor,
    wq: QMatMul,
    wk: QMatMul,
    wv: QMatMul,
    bq: Option<Tensor>,
    bk: Option<Tensor>,
    bv: Option<Tensor>,
    wo: QMatMul,
    ffn_norm: Tensor,
    gate: QMatMul,
    up: QMatMul,
    down: QMatMul,
}

pub struct Weights {
    pub cfg: Config,
    embed: Arc<QTensor>,
    layers: Vec<Layer>,
    norm: Tensor,
    output: QMatMul,
    /// `(max_ctx, head_dim / 2)` cos and sin, row-major.
    cos: Vec<f32>,
    sin: Vec<f32>,
}

/// One sequence's keys and values for every layer, `[position][kv head][dim]`.
#[derive(Clone, Debug, Default)]
pub struct KvCache {
    k: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
    len: usize,
}

impl KvCache {
    pub fn new(cfg: &Config, capacity_tokens: usize) -> Self {
        let row = cfg.n_kv_head * cfg.head_dim;
        KvCache {
            k: (0..cfg.n_layer)
                .map(|_| Vec::with_capacity(capacity_tokens * row))
                .collect(),
            v: (0..cfg.n_layer)
                .map(|_| Vec::with_capacity(capacity_tokens * row))
                .collect(),
            len: 0,
        }
    }
    /// Number of positions held.
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// A copy with room for `extra` more tokens without reallocating.
    pub fn fork(&self, extra: usize) -> Self {
        let grow = |src: &Vec<Vec<f32>>| {
            src.iter()
                .map(|l| {
                    let mut v = Vec::with_capacity(l.len() + l.len() / self.len.max(1) * extra);
                    v.extend_from_slice(l);
                    v
                })
                .collect()
        };
        KvCache {
            k: grow(&self.k),
            v: grow(&self.v),
            len: self.len,
        }
    }
}

fn md<'a>(c: &'a gguf_file::Content, key: &str) -> Result<&'a gguf_file::Value, LocalError> {
    c.metadata
        .get(key)
        .ok_or_else(|| LocalError::Model(format!("GGUF metadata has no `{key}`")))
}

impl Weights {
    /// Read the GGUF header (metadata and tensor index) only.
    pub fn read_content(path: &Path) -> Result<(gguf_file::Content, BufReader<File>), LocalError> {
        let f = File::open(path).map_err(|e| LocalError::io(path, e))?;
        let mut reader = BufReader::with_capacity(1 << 20, f);
        let content = gguf_file::Content::read(&mut reader).map_err(ce)?;
        Ok((content, reader))
    }

    /// Load the weights. With `requantize`, matrices in formats candle has no SIMD kernel for
    /// (Q4_1, Q5_0, Q5_1: SmolLM2's Q4_1 and most of Qwen2.5-0.5B's Q4_K_M, whose 896-wide rows
    /// cannot use K-quants), and Q6_K (see below), are re-quantized to Q8_0 once at load: 8 bits
    /// hold every 4-, 5- or 6-bit value closely, and the Q8_0 kernels are several times faster
    /// than the scalar fallbacks.
    pub fn load(
        content: &gguf_file::Content,
        reader: &mut BufReader<File>,
        max_ctx: usize,
        requantize: bool,
    ) -> Result<Self, LocalError> {
        let arch_name = md(content, "general.architecture")?
            .to_string()
            .map_err(ce)?
            .clone();
        let arch = match arch_name.as_str() {
            "llama" => Arch::Llama,
            "qwen2" => Arch::Qwen2,
            other => {
                return Err(LocalError::Model(format!(
                    "architecture `{other}` is not supported (llama, qwen2)"
                )))
            }
        };
        let key = |k: &str| format!("{arch_name}.{k}");
        let get_usize = |k: &str| -> Result<usize, LocalError> {
            let v = md(content, &key(k))?;
            v.to_u32()
                .map(|x| x as usize)
                .or_else(|_| v.to_u64().map(|x| x as usize))
                .map_err(ce)
        };
        let n_layer = get_usize("block_count")?;
        let n_head = get_usize("attention.head_count")?;
        let n_kv_head = get_usize("attention.head_count_kv").unwrap_or(n_head);
        let embed = get_usize("embedding_length")?;
        let head_dim = get_usize("rope.dimension_count").unwrap_or(embed / n_head);
        let train_ctx = get_usize("context_length").unwrap_or(4096);
        let eps = md(content, &key("attention.layer_norm_rms_epsilon"))?
            .to_f32()
            .map_err(ce)?;
        let rope_base = content
            .metadata
            .get(&key("rope.freq_base"))
            .and_then(|v| v.to_f32().ok())
            .unwrap_or(10_000.0);
        if head_dim * n_head != embed || n_head % n_kv_head != 0 || head_dim % 2 != 0 {
            return Err(LocalError::Model(format!(
                "unsupported head layout: {n_head} heads x {head_dim} over {embed}, {n_kv_head} kv heads"
            )));
        }
        let max_ctx = max_ctx.min(train_ctx);
        let cfg = Config {
            arch,
            n_layer,
            n_head,
            n_kv_head,
            head_dim,
            embed,
            eps,
            rope_base,
            train_ctx,
            max_ctx,
        };
        let dev = Device::Cpu;
        let mut qt = |name: &str| content.tensor(reader, name, &dev).map_err(ce);
        let fast = |t: QTensor| -> Result<QTensor, LocalError> {
            // Q6_K too: candle multiplies it by a one-row input with a different kernel (and
            // input quantization) than by several rows, so a sequence decoded alone would not
            // match the same sequence decoded in a batch. Q8_0 uses one kernel for both.
            let slow = matches!(
                t.dtype(),
                GgmlDType::Q4_1 | GgmlDType::Q5_0 | GgmlDType::Q5_1 | GgmlDType::Q6K
            );
            if requantize && slow {
                let f = t.dequantize(&dev).map_err(ce)?;
                QTensor::quantize(&f, GgmlDType::Q8_0).map_err(ce)
            } else {
                Ok(t)
            }
        };
        let tied = !content.tensor_infos.contains_key("output.weight");
        let embed_q = qt("token_embd.weight")?;
        // Tied embeddings are also the output matrix: make that one copy fast.
        let embed_q = Arc::new(if tied { fast(embed_q)? } else { embed_q });
        let mut layers = Vec::with_capacity(n_layer);
        for i in 0..n_layer {
            let p = format!("blk.{i}");
            let mm = |t: QTensor| QMatMul::from_qtensor(fast(t)?).map_err(ce);
            let vec = |t: QTensor| t.dequantize(&dev).map_err(ce);
            let bias = |name: String, qt: &mut dyn FnMut(&str) -> Result<QTensor, LocalError>| {
                if content.tensor_infos.contains_key(&name) {
                    qt(&name)
                        .and_then(|t| t.dequantize(&dev).map_err(ce))
                        .map(Some)
                } else {
                    Ok(None)
                }
            };
            let layer = Layer {
                attn_norm: vec(qt(&format!("{p}.attn_norm.weight"))?)?,
                wq: mm(qt(&format!("{p}.attn_q.weight"))?)?,
                wk: mm(qt(&format!("{p}.attn_k.weight"))?)?,
                wv: mm(qt(&format!("{p}.attn_v.weight"))?)?,
                bq: bias(format!("{p}.attn_q.bias"), &mut qt)?,
                bk: bias(format!("{p}.attn_k.bias"), &mut qt)?,
                bv: bias(format!("{p}.attn_v.bias"), &mut qt)?,
                wo: mm(qt(&format!("{p}.attn_output.weight"))?)?,
                ffn_norm: vec(qt(&format!("{p}.ffn_norm.weight"))?)?,
                gate: mm(qt(&format!("{p}.ffn_gate.weight"))?)?,
                up: mm(qt(&format!("{p}.ffn_up.weight"))?)?,
                down: mm(qt(&format!("{p}.ffn_down.weight"))?)?,
            };
            layers.push(layer);
        }
        let norm = qt("output_norm.weight")?.dequantize(&dev).map_err(ce)?;
        let output = if !tied {
            QMatMul::from_qtensor(fast(qt("output.weight")?)?).map_err(ce)?
        } else {
            // Tied embeddings: share the one copy.
            QMatMul::from_arc(embed_q.clone()).map_err(ce)?
        };
        let half = head_dim / 2;
        let mut cos = Vec::with_capacity(max_ctx * half);
        let mut sin = Vec::with_capacity(max_ctx * half);
        for pos in 0..max_ctx {
            for i in 0..half {
                let freq = 1.0 / (rope_base as f64).powf(2.0 * i as f64 / head_dim as f64);
                let a = pos as f64 * freq;
                cos.push(a.cos() as f32);
                sin.push(a.sin() as f32);
            }
        }
        Ok(Weights {
            cfg,
            embed: embed_q,
            layers,
            norm,
            output,
            cos,
            sin,
        })
    }

    /// Run `tokens[i]` through the model on top of `caches[i]` (appending to it), for every
    /// sequence `i` at once; returns the logits of each sequence's last new token,
    /// `[sequence][vocab]`. A sequence with no new tokens is an error.
    pub fn forward(
        &self,
        caches: &mut [&mut KvCache],
        tokens: &[&[u32]],
    ) -> Result<Vec<Vec<f32>>, LocalError> {
        let cfg = &self.cfg;
        if caches.len() != tokens.len() || tokens.iter().any(|t| t.is_empty()) {
            return Err(LocalError::Model("forward: empty sequence".into()));
        }
        // Row n of the activation matrix is token `t` of sequence `s`.
        let mut row_seq = Vec::new();
        let mut starts = Vec::with_capacity(tokens.len());
        let mut flat = Vec::new();
        for (s, toks) in tokens.iter().enumerate() {
            starts.push(flat.len());
            if caches[s].len + toks.len() > cfg.max_ctx {
                return Err(LocalError::ContextFull {
                    needed: caches[s].len + toks.len(),
                    max: cfg.max_ctx,
                });
            }
            for t in 0..toks.len() {
                row_seq.push((s, t));
            }
            flat.extend_from_slice(toks);
        }
        let n = flat.len();
        let dev = Device::Cpu;
        let ids = Tensor::from_vec(flat, n, &dev).map_err(ce)?;
        let mut x = self.embed.embedding(&ids).map_err(ce)?;
        let (h, kvh, d) = (cfg.n_head, cfg.n_kv_head, cfg.head_dim);
        for (li, layer) in self.layers.iter().enumerate() {
            let xn = candle_nn::ops::rms_norm(&x, &layer.attn_norm, cfg.eps).map_err(ce)?;
            let proj = |w: &QMatMul, b: &Option<Tensor>| -> Result<Vec<f32>, LocalError> {
                let mut y = w.forward(&xn).map_err(ce)?;
                if let Some(b) = b {
                    y = y.broadcast_add(b).map_err(ce)?;
                }
                y.flatten_all().map_err(ce)?.to_vec1::<f32>().map_err(ce)
            };
            let mut q = proj(&layer.wq, &layer.bq)?;
            let mut k = proj(&layer.wk, &layer.bk)?;
            let v = proj(&layer.wv, &layer.bv)?;
            for (row, &(s, t)) in row_seq.iter().enumerate() {
                let pos = caches[s].len + t;
                self.rope(&mut q[row * h * d..(row + 1) * h * d], pos);
                self.rope(&mut k[row * kvh * d..(row + 1) * kvh * d], pos);
            }
            for (s, toks) in tokens.iter().enumerate() {
                let a = starts[s] * kvh * d;
                let b = a + toks.len() * kvh * d;
                caches[s].k[li].extend_from_slice(&k[a..b]);
                caches[s].v[li].extend_from_slice(&v[a..b]);
            }
            let att = self.attention(&q, caches, li, &row_seq)?;
            let att = Tensor::from_vec(att, (n, h * d), &dev).map_err(ce)?;
            x = (x + layer.wo.forward(&att).map_err(ce)?).map_err(ce)?;
            let xn = candle_nn::ops::rms_norm(&x, &layer.ffn_norm, cfg.eps).map_err(ce)?;
            let g = layer.gate.forward(&xn).map_err(ce)?;
            let u = layer.up.forward(&xn).map_err(ce)?;
            let gu = (candle_nn::ops::silu(&g).map_err(ce)? * u).map_err(ce)?;
            x = (x + layer.down.forward(&gu).map_err(ce)?).map_err(ce)?;
        }
        for (s, toks) in tokens.iter().enumerate() {
            caches[s].len += toks.len();
        }
        let last: Vec<u32> = tokens
            .iter()
            .enumerate()
            .map(|(s, t)| (starts[s] + t.len() - 1) as u32)
            .collect();
        let last = Tensor::from_vec(last, tokens.len(), &dev).map_err(ce)?;
        let x = x.index_select(&last, 0).map_err(ce)?;
        let x = candle_nn::ops::rms_norm(&x, &self.norm, cfg.eps).map_err(ce)?;
        let logits = self.output.forward(&x).map_err(ce)?;
        logits
            .to_dtype(DType::F32)
            .map_err(ce)?
            .to_vec2::<f32>()
            .map_err(ce)
    }

    fn rope(&self, x: &mut [f32], pos: usize) {
        let d = self.cfg.head_dim;
        let half = d / 2;
        let cos = &self.cos[pos * half..(pos + 1) * half];
        let sin = &self.sin[pos * half..(pos + 1) * half];
        for head in x.chunks_exact_mut(d) {
            match self.cfg.arch {
                Arch::Llama => {
                    for i in 0..half {
                        let (a, b) = (head[2 * i], head[2 * i + 1]);
                        head[2 * i] = a * cos[i] - b * sin[i];
                        head[2 * i + 1] = a * sin[i] + b * cos[i];
                    }
                }
                Arch::Qwen2 => {
                    for i in 0..half {
                        let (a, b) = (head[i], head[i + half]);
                        head[i] = a * cos[i] - b * sin[i];
                        head[i + half] = a * sin[i] + b * cos[i];
                    }
                }
            }
        }
    }

    /// Causal attention of every row's query heads over its own sequence's cache.
    fn attention(
        &self,
        q: &[f32],
        caches: &[&mut KvCache],
        layer: usize,
        row_seq: &[(usize, usize)],
    ) -> Result<Vec<f32>, LocalError> {
        use rayon::prelude::*;
        let cfg = &self.cfg;
        let (h, kvh, d) = (cfg.n_head, cfg.n_kv_head, cfg.head_dim);
        let rep = h / kvh;
        let scale = 1.0 / (d as f32).sqrt();
        let mut out = vec![0f32; row_seq.len() * h * d];
        // New tokens were already appended, so a row's own position is `len_after - T + t`.
        let total_new: Vec<usize> = {
            let mut v = vec![0usize; caches.len()];
            for &(s, _) in row_seq {
                v[s] += 1;
            }
            v
        };
        let work = |(i, o): (usize, &mut [f32])| {
            let (row, head) = (i / h, i % h);
            let (s, t) = row_seq[row];
            let cache = &caches[s];
            let past = cache.k[layer].len() / (kvh * d) - total_new[s];
            let visible = past + t + 1;
            let g = head / rep;
            let qv = &q[(row * h + head) * d..(row * h + head + 1) * d];
            let keys = &cache.k[layer];
            let vals = &cache.v[layer];
            let mut scores = Vec::with_capacity(visible);
            let mut max = f32::NEG_INFINITY;
            for j in 0..visible {
                let kv = &keys[(j * kvh + g) * d..(j * kvh + g + 1) * d];
                let sc = dot(qv, kv) * scale;
                max = max.max(sc);
                scores.push(sc);
            }
            let mut sum = 0f32;
            for sc in scores.iter_mut() {
                *sc = (*sc - max).exp();
                sum += *sc;
            }
            let inv = 1.0 / sum;
            for (j, &p) in scores.iter().enumerate() {
                let vv = &vals[(j * kvh + g) * d..(j * kvh + g + 1) * d];
                let p = p * inv;
                for (oe, &ve) in o.iter_mut().zip(vv) {
                    *oe += p * ve;
                }
            }
        };
        let heavy = row_seq.len() * h > 8;
        if heavy {
            out.par_chunks_mut(d).enumerate().for_each(work);
        } else {
            out.chunks_mut(d).enumerate().for_each(work);
        }
        Ok(out)
    }
}

#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 16];
    let ca = a.chunks_exact(16);
    let cb = b.chunks_exact(16);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..16 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}
