//! A llama / qwen2 decoder over candor's own batched quantized matmul ([`crate::qmm`]), shaped
//! for candor's workload. candle-core reads the GGUF file and dequantizes its formats; the
//! forward pass is plain Rust over `Vec<f32>`.
//!
//! Why not candle-transformers' model code: candor needs (1) rotary tables sized to the context
//! it actually uses, (2) several sequences of different lengths through one forward pass whose
//! weight matmuls read every weight once for the whole batch, and (3) a KV cache per sequence
//! that can start from a shared, immutable prefix cache.
//!
//! Layout: every token of every sequence in a forward call is one row of an `(N, E)` activation
//! matrix, so the weight matmuls (the cost that dominates on CPU) are shared by the whole batch
//! and nothing is padded. Attention, the only step that mixes tokens, runs per sequence over
//! that sequence's own cache in plain Rust, so a sequence's numbers do not depend on which other
//! sequences share its batch (batch output equals one-by-one output, bit for bit), and a prefix
//! cache computed once gives the same values as recomputing it.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use candle_core::quantized::{ggml_file, gguf_file, GgmlDType};
use candle_core::Device;
use half::f16;
use half::slice::HalfFloatSliceExt;
use wide::f32x8;

use crate::qmm::QMatrix;
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
    attn_norm: Vec<f32>,
    /// Q, K and V stacked (one pass over the normed input, quantized once).
    wqkv: QMatrix,
    /// Their biases, stacked the same way (zeros for one a model lacks), if any.
    bqkv: Option<Vec<f32>>,
    wo: QMatrix,
    ffn_norm: Vec<f32>,
    /// The FFN's gate and up matrices stacked.
    gate_up: QMatrix,
    down: QMatrix,
}

/// A token embedding table kept in its GGUF format: only one row per token is ever read, so
/// converting it would cost memory (a Q5_0 table of 152k x 896 is 94 MB raw, 153 MB at 8 bits)
/// and buy nothing.
struct RawRows {
    dtype: GgmlDType,
    cols: usize,
    row_bytes: usize,
    raw: Vec<u8>,
}

impl RawRows {
    fn new(dtype: GgmlDType, dims: &[usize], raw: Vec<u8>) -> Result<Self, LocalError> {
        let [rows, cols] = *dims else {
            return Err(LocalError::Model(format!(
                "token_embd: expected a matrix, got shape {dims:?}"
            )));
        };
        let row_bytes = crate::qmm::gguf_row_bytes(dtype, rows, cols, raw.len())
            .map_err(|e| LocalError::Model(format!("token_embd: {e}")))?;
        Ok(RawRows {
            dtype,
            cols,
            row_bytes,
            raw,
        })
    }

    fn rows(&self) -> usize {
        self.raw.len() / self.row_bytes.max(1)
    }

    fn row_into(&self, r: usize, out: &mut [f32]) -> Result<(), LocalError> {
        let dev = Device::Cpu;
        let bytes = &self.raw[r * self.row_bytes..(r + 1) * self.row_bytes];
        let v = ggml_file::qtensor_from_ggml(self.dtype, bytes, vec![self.cols], &dev)
            .and_then(|t| t.dequantize(&dev))
            .and_then(|t| t.to_vec1::<f32>())
            .map_err(|e| LocalError::Model(format!("token_embd row {r}: {e}")))?;
        out.copy_from_slice(&v);
        Ok(())
    }
}

pub struct Weights {
    pub cfg: Config,
    /// The embedding table, unless it is tied to the output matrix (then rows come from there).
    embed: Option<RawRows>,
    layers: Vec<Layer>,
    norm: Vec<f32>,
    output: QMatrix,
    /// `(max_ctx, head_dim / 2)` cos and sin, row-major.
    cos: Vec<f32>,
    sin: Vec<f32>,
}

/// One sequence's keys and values for every layer, `[position][kv head][dim]`, in half
/// precision (as llama.cpp keeps them by default): half the memory per sequence, so twice the
/// sequences fit in a batch, and half the bytes attention reads per step.
#[derive(Clone, Debug, Default)]
pub struct KvCache {
    k: Vec<Vec<f16>>,
    v: Vec<Vec<f16>>,
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
    /// A copy of the first `len` positions (at most all), with room for `extra` more tokens.
    pub fn fork_prefix(&self, len: usize, extra: usize) -> Self {
        let len = len.min(self.len);
        let per = |l: &Vec<f16>| l.len() / self.len.max(1);
        let cut = |src: &Vec<Vec<f16>>| {
            src.iter()
                .map(|l| {
                    let mut v = Vec::with_capacity(per(l) * (len + extra));
                    v.extend_from_slice(&l[..per(l) * len]);
                    v
                })
                .collect()
        };
        KvCache {
            k: cut(&self.k),
            v: cut(&self.v),
            len,
        }
    }

    /// A copy with room for `extra` more tokens without reallocating.
    pub fn fork(&self, extra: usize) -> Self {
        let grow = |src: &Vec<Vec<f16>>| {
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

    /// Load the weights: every matrix into candor's 8-bit format ([`QMatrix::from_gguf`]),
    /// norms and biases as f32.
    pub fn load(
        content: &gguf_file::Content,
        reader: &mut BufReader<File>,
        max_ctx: usize,
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
        let matrix = |(dtype, dims, bytes): (GgmlDType, Vec<usize>, Vec<u8>), name: &str| {
            QMatrix::from_gguf(dtype, &dims, &bytes)
                .map_err(|e| LocalError::Model(format!("tensor `{name}`: {e}")))
        };
        let vector = |(dtype, dims, bytes): (GgmlDType, Vec<usize>, Vec<u8>), name: &str| {
            let dev = Device::Cpu;
            ggml_file::qtensor_from_ggml(dtype, &bytes, dims, &dev)
                .and_then(|t| t.dequantize(&dev))
                .and_then(|t| t.flatten_all())
                .and_then(|t| t.to_vec1::<f32>())
                .map_err(|e| LocalError::Model(format!("tensor `{name}`: {e}")))
        };
        let tied = !content.tensor_infos.contains_key("output.weight");
        let (embed, output) = {
            let (dtype, dims, bytes) = raw_tensor(content, reader, "token_embd.weight")?;
            if tied {
                (None, matrix((dtype, dims, bytes), "token_embd.weight")?)
            } else {
                let e = RawRows::new(dtype, &dims, bytes)?;
                let t = raw_tensor(content, reader, "output.weight")?;
                (Some(e), matrix(t, "output.weight")?)
            }
        };
        let embed_cols = embed.as_ref().map_or(output.cols(), |e| e.cols);
        let mut layers = Vec::with_capacity(n_layer);
        for i in 0..n_layer {
            let p = format!("blk.{i}");
            let mut vec = |name: String| -> Result<Vec<f32>, LocalError> {
                let t = raw_tensor(content, reader, &name)?;
                vector(t, &name)
            };
            let attn_norm = vec(format!("{p}.attn_norm.weight"))?;
            let ffn_norm = vec(format!("{p}.ffn_norm.weight"))?;
            let mut bias = |name: String| -> Result<Option<Vec<f32>>, LocalError> {
                if content.tensor_infos.contains_key(&name) {
                    vec(name).map(Some)
                } else {
                    Ok(None)
                }
            };
            let (bq, bk, bv) = (
                bias(format!("{p}.attn_q.bias"))?,
                bias(format!("{p}.attn_k.bias"))?,
                bias(format!("{p}.attn_v.bias"))?,
            );
            let mut mat = |name: String| -> Result<QMatrix, LocalError> {
                let t = raw_tensor(content, reader, &name)?;
                matrix(t, &name)
            };
            let wo = mat(format!("{p}.attn_output.weight"))?;
            let down = mat(format!("{p}.ffn_down.weight"))?;
            // Stacked matrices are converted straight into place, part by part.
            let mut stacked = |names: &[String]| -> Result<(QMatrix, Vec<usize>), LocalError> {
                let raws = names
                    .iter()
                    .map(|n| raw_tensor(content, reader, n))
                    .collect::<Result<Vec<_>, _>>()?;
                let rows = raws
                    .iter()
                    .map(|(_, dims, _)| if let [r, _] = dims[..] { r } else { 1 })
                    .collect();
                let parts: Vec<_> = raws
                    .iter()
                    .map(|(t, dims, raw)| (*t, &dims[..], &raw[..]))
                    .collect();
                let m = QMatrix::from_gguf_stacked(&parts)
                    .map_err(|e| LocalError::Model(format!("tensors {names:?}: {e}")))?;
                Ok((m, rows))
            };
            let (wqkv, qkv_rows) = stacked(&[
                format!("{p}.attn_q.weight"),
                format!("{p}.attn_k.weight"),
                format!("{p}.attn_v.weight"),
            ])?;
            let (gate_up, ffn_rows) =
                stacked(&[format!("{p}.ffn_gate.weight"), format!("{p}.ffn_up.weight")])?;
            let (hd, kvd) = (n_head * head_dim, n_kv_head * head_dim);
            let bias_ok =
                |b: &Option<Vec<f32>>, len: usize| b.as_ref().is_none_or(|b| b.len() == len);
            let shapes_ok = qkv_rows == [hd, kvd, kvd]
                && wqkv.cols() == cfg.embed
                && bias_ok(&bq, hd)
                && bias_ok(&bk, kvd)
                && bias_ok(&bv, kvd)
                && wo.cols() == hd
                && wo.rows() == cfg.embed
                && gate_up.cols() == cfg.embed
                && ffn_rows.len() == 2
                && ffn_rows[0] == ffn_rows[1]
                && down.cols() == ffn_rows[1]
                && down.rows() == cfg.embed;
            if !shapes_ok {
                return Err(LocalError::Model(format!(
                    "layer {i}: weight shapes do not match the model's metadata"
                )));
            }
            let bqkv = (bq.is_some() || bk.is_some() || bv.is_some()).then(|| {
                [(bq, hd), (bk, kvd), (bv, kvd)]
                    .into_iter()
                    .flat_map(|(b, len)| b.unwrap_or_else(|| vec![0.0; len]))
                    .collect()
            });
            layers.push(Layer {
                attn_norm,
                wqkv,
                bqkv,
                wo,
                ffn_norm,
                gate_up,
                down,
            });
        }
        let norm_t = raw_tensor(content, reader, "output_norm.weight")?;
        let norm = vector(norm_t, "output_norm.weight")?;
        if embed_cols != cfg.embed || output.cols() != cfg.embed {
            return Err(LocalError::Model(format!(
                "token_embd / output have rows of {embed_cols} / {}, the model's embedding is {}",
                output.cols(),
                cfg.embed
            )));
        }
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
            embed,
            layers,
            norm,
            output,
            cos,
            sin,
        })
    }

    /// Bytes of weights held in memory.
    pub fn size_bytes(&self) -> usize {
        let m = |q: &QMatrix| q.size_bytes();
        let layers: usize = self
            .layers
            .iter()
            .map(|l| m(&l.wqkv) + m(&l.wo) + m(&l.gate_up) + m(&l.down))
            .sum();
        layers + m(&self.output) + self.embed.as_ref().map_or(0, |e| e.raw.len())
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
        let e = cfg.embed;
        let vocab = self
            .embed
            .as_ref()
            .map_or(self.output.rows(), RawRows::rows);
        let mut x = vec![0f32; n * e];
        for (row, &id) in x.chunks_exact_mut(e).zip(&flat) {
            if id as usize >= vocab {
                return Err(LocalError::Model(format!(
                    "token id {id} is outside the vocabulary ({vocab})"
                )));
            }
            match &self.embed {
                Some(table) => table.row_into(id as usize, row)?,
                None => self.output.row_into(id as usize, row),
            }
        }
        let (h, kvh, d) = (cfg.n_head, cfg.n_kv_head, cfg.head_dim);
        let mut xn = vec![0f32; n * e];
        for (li, layer) in self.layers.iter().enumerate() {
            rms_norm(&x, &layer.attn_norm, cfg.eps, &mut xn);
            let (hd, kvd) = (h * d, kvh * d);
            let mut qkv = layer.wqkv.forward(&xn, n);
            if let Some(b) = &layer.bqkv {
                for row in qkv.chunks_exact_mut(b.len()) {
                    for (v, bb) in row.iter_mut().zip(b) {
                        *v += bb;
                    }
                }
            }
            let (mut q, mut k, mut v) = (
                Vec::with_capacity(n * hd),
                Vec::with_capacity(n * kvd),
                Vec::with_capacity(n * kvd),
            );
            for row in qkv.chunks_exact(hd + 2 * kvd) {
                let (qr, kv) = row.split_at(hd);
                let (kr, vr) = kv.split_at(kvd);
                q.extend_from_slice(qr);
                k.extend_from_slice(kr);
                v.extend_from_slice(vr);
            }
            for (row, &(s, t)) in row_seq.iter().enumerate() {
                let pos = caches[s].len + t;
                self.rope(&mut q[row * h * d..(row + 1) * h * d], pos);
                self.rope(&mut k[row * kvh * d..(row + 1) * kvh * d], pos);
            }
            for (s, toks) in tokens.iter().enumerate() {
                let a = starts[s] * kvh * d;
                let b = a + toks.len() * kvh * d;
                append_f16(&mut caches[s].k[li], &k[a..b]);
                append_f16(&mut caches[s].v[li], &v[a..b]);
            }
            let att = self.attention(&q, caches, li, &row_seq)?;
            add_into(&mut x, &layer.wo.forward(&att, n));
            rms_norm(&x, &layer.ffn_norm, cfg.eps, &mut xn);
            // The FFN's intermediate is 5x wider than a row: a long prefill takes it in chunks
            // of rows, so its buffers stay small (rows are independent here).
            for (xc, xnc) in x.chunks_mut(FFN_ROWS * e).zip(xn.chunks(FFN_ROWS * e)) {
                let m = xc.len() / e;
                let gu = layer.gate_up.forward(xnc, m);
                let f = layer.down.cols();
                let mut g = Vec::with_capacity(m * f);
                for row in gu.chunks_exact(2 * f) {
                    let (gr, ur) = row.split_at(f);
                    let at = g.len();
                    g.extend_from_slice(gr);
                    silu_mul(&mut g[at..], ur);
                }
                add_into(xc, &layer.down.forward(&g, m));
            }
        }
        for (s, toks) in tokens.iter().enumerate() {
            caches[s].len += toks.len();
        }
        let mut last = vec![0f32; tokens.len() * e];
        for (s, t) in tokens.iter().enumerate() {
            let r = starts[s] + t.len() - 1;
            last[s * e..(s + 1) * e].copy_from_slice(&x[r * e..(r + 1) * e]);
        }
        let mut lastn = vec![0f32; last.len()];
        rms_norm(&last, &self.norm, cfg.eps, &mut lastn);
        let logits = self.output.forward(&lastn, tokens.len());
        Ok(logits
            .chunks_exact(self.output.rows())
            .map(<[f32]>::to_vec)
            .collect())
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
        // Each sequence's cached keys and values, per key/value head, widened to f32 once for
        // all of its rows in this pass (a prompt's rows all read the same positions).
        let widen = |i: usize| {
            let (s, g) = (i / kvh, i % kvh);
            let one = |src: &[f16]| {
                let n = src.len() / (kvh * d);
                let mut out = vec![0f32; n * d];
                for (j, dst) in out.chunks_exact_mut(d).enumerate() {
                    src[(j * kvh + g) * d..(j * kvh + g + 1) * d].convert_to_f32_slice(dst);
                }
                out
            };
            (one(&caches[s].k[layer]), one(&caches[s].v[layer]))
        };
        let heads: Vec<(Vec<f32>, Vec<f32>)> = if row_seq.len() * kvh > 4 {
            (0..caches.len() * kvh).into_par_iter().map(widen).collect()
        } else {
            (0..caches.len() * kvh).map(widen).collect()
        };
        // One task per (row, key/value head): the `rep` query heads sharing that head read each
        // cached key and value once between them. Per query head the arithmetic is the same
        // as attending alone, in the same order.
        let work = |(i, o): (usize, &mut [f32])| {
            let (row, g) = (i / kvh, i % kvh);
            let (s, t) = row_seq[row];
            let past = caches[s].k[layer].len() / (kvh * d) - total_new[s];
            let visible = past + t + 1;
            let qs = &q[(row * h + g * rep) * d..(row * h + (g + 1) * rep) * d];
            let (keys, vals) = &heads[s * kvh + g];
            let head = Head {
                keys,
                vals,
                kvh: 1,
                d,
                g: 0,
            };
            attend(qs, &head, visible, scale, o);
        };
        let heavy = row_seq.len() * kvh > 4;
        if heavy {
            out.par_chunks_mut(rep * d).enumerate().for_each(work);
        } else {
            out.chunks_mut(rep * d).enumerate().for_each(work);
        }
        Ok(out)
    }
}

/// One key/value head of one layer's cache: rows of `kvh * d` values per position, head `g`.
struct Head<'a> {
    keys: &'a [f32],
    vals: &'a [f32],
    kvh: usize,
    d: usize,
    g: usize,
}

/// Attention of the query heads `qs` (rows of `d`) sharing cache head `head` over its first
/// `visible` positions, into `o` (rows of `d`, zeroed). The steps for a query row depend only
/// on it and `visible`, never on what else is in the batch.
fn attend(qs: &[f32], head: &Head<'_>, visible: usize, scale: f32, o: &mut [f32]) {
    let Head {
        keys,
        vals,
        kvh,
        d,
        g,
    } = *head;
    let rep = qs.len() / d;
    // `rep` rows of `visible` scores.
    let mut scores = vec![0f32; rep * visible];
    let key = |j: usize| &keys[(j * kvh + g) * d..(j * kvh + g + 1) * d];
    let val = |j: usize| &vals[(j * kvh + g) * d..(j * kvh + g + 1) * d];
    if d.is_multiple_of(8) {
        // Eight keys at a time, summed across lanes together (a transpose and seven
        // additions instead of a horizontal sum per key). Every key's score takes the
        // same steps whatever block it falls in, so a row's scores do not depend on
        // how many keys it sees.
        let kc = keys.as_chunks::<8>().0;
        let per = d / 8;
        for j0 in (0..visible).step_by(8) {
            let nj = (visible - j0).min(8);
            let ks: [&[[f32; 8]]; 8] = std::array::from_fn(|jj| {
                let at = ((j0 + jj.min(nj - 1)) * kvh + g) * per;
                &kc[at..at + per]
            });
            for (r, qv) in qs.chunks_exact(d).enumerate() {
                let qc = &qv.as_chunks::<8>().0[..per];
                // Past the last key, the block repeats it; those lanes are dropped.
                let mut acc = [f32x8::ZERO; 8];
                for (e, q8) in qc.iter().enumerate() {
                    let q8 = f32x8::new(*q8);
                    for (a, kj) in acc.iter_mut().zip(&ks) {
                        *a = q8.mul_add(f32x8::new(kj[e]), *a);
                    }
                }
                let sums: [f32; 8] = (lane_sums(acc) * f32x8::splat(scale)).into();
                scores[r * visible + j0..r * visible + j0 + nj].copy_from_slice(&sums[..nj]);
            }
        }
    } else {
        for j in 0..visible {
            for (r, qv) in qs.chunks_exact(d).enumerate() {
                scores[r * visible + j] = dot(qv, key(j)) * scale;
            }
        }
    }
    for row_scores in scores.chunks_exact_mut(visible) {
        softmax(row_scores);
    }
    if d.is_multiple_of(8) {
        // Four query heads by 32 output values at a time: sixteen sums in registers
        // while the values stream past (each value row read in two halves instead of
        // eight slices), the weights laid out per key for that.
        let vc = vals.as_chunks::<8>().0;
        let per = d / 8;
        for r0 in (0..rep).step_by(4) {
            let nr = (rep - r0).min(4);
            let mut pt = vec![[0f32; 4]; visible];
            for (r, row_scores) in scores.chunks_exact(visible).skip(r0).take(nr).enumerate() {
                for (p, &sc) in pt.iter_mut().zip(row_scores) {
                    p[r] = sc;
                }
            }
            for e0 in (0..per).step_by(4) {
                let ne = (per - e0).min(4);
                let base = g * per + e0;
                let mut put = |r: usize, k: usize, a: f32x8| {
                    let at = (r0 + r) * d + (e0 + k) * 8;
                    o[at..at + 8].copy_from_slice(&<[f32; 8]>::from(a));
                };
                macro_rules! tile {
                    ($nr:literal) => {
                        for (r, ar) in pv_tile::<$nr>(&pt, vc, kvh * per, base).iter().enumerate() {
                            for (k, a) in ar.iter().enumerate() {
                                put(r, k, *a);
                            }
                        }
                    };
                }
                match (nr, ne) {
                    (4, 4) => tile!(4),
                    (3, 4) => tile!(3),
                    (2, 4) => tile!(2),
                    (1, 4) => tile!(1),
                    _ => {
                        // Fewer than four value chunks left: one at a time.
                        for (r, ps) in (0..nr).map(|r| (r, pt.iter().map(move |p| p[r]))) {
                            for k in 0..ne {
                                let mut a = f32x8::ZERO;
                                for (j, p) in ps.clone().enumerate() {
                                    let v = vc[j * kvh * per + base + k];
                                    a = f32x8::splat(p).mul_add(f32x8::new(v), a);
                                }
                                put(r, k, a);
                            }
                        }
                    }
                }
            }
        }
    } else {
        for j in 0..visible {
            let vv = val(j);
            for (r, oh) in o.chunks_exact_mut(d).enumerate() {
                let p = scores[r * visible + j];
                for (oe, &ve) in oh.iter_mut().zip(vv) {
                    *oe += p * ve;
                }
            }
        }
    }
}

/// Sums for `NR` query heads by four chunks of eight output values: over every key `j`,
/// `pt[j][r]` times the value chunks at `j * stride + base ..+ 4` of `vc`.
#[inline(always)]
fn pv_tile<const NR: usize>(
    pt: &[[f32; 4]],
    vc: &[[f32; 8]],
    stride: usize,
    base: usize,
) -> [[f32x8; 4]; NR] {
    let mut acc = [[f32x8::ZERO; 4]; NR];
    for (j, pj) in pt.iter().enumerate() {
        let Some(vs) = vc[j * stride + base..].first_chunk::<4>() else {
            unreachable!("every key has the value chunks base..base + 4");
        };
        for (ar, &p) in acc.iter_mut().zip(pj) {
            let p = f32x8::splat(p);
            for (a, v) in ar.iter_mut().zip(vs) {
                *a = p.mul_add(f32x8::new(*v), *a);
            }
        }
    }
    acc
}

/// `src` rounded to half precision and appended to `dst`.
fn append_f16(dst: &mut Vec<f16>, src: &[f32]) {
    let at = dst.len();
    dst.resize(at + src.len(), f16::ZERO);
    dst[at..].convert_from_f32_slice(src);
}

/// `g[i] = silu(g[i]) * u[i]`, eight lanes at a time (`g` and `u` multiples of 8 long; a
/// tail is done one value at a time).
fn silu_mul(g: &mut [f32], u: &[f32]) {
    let (gc, gt) = g.as_chunks_mut::<8>();
    let (uc, ut) = u.as_chunks::<8>();
    for (gv, uv) in gc.iter_mut().zip(uc) {
        let x = f32x8::new(*gv);
        let y = x / (f32x8::ONE + (-x).exp()) * f32x8::new(*uv);
        *gv = y.into();
    }
    for (gv, uv) in gt.iter_mut().zip(ut) {
        *gv = *gv / (1.0 + (-*gv).exp()) * uv;
    }
}

/// `v` replaced by its softmax, eight lanes at a time (a short last chunk padded with -inf,
/// whose exponential is exactly 0).
fn softmax(v: &mut [f32]) {
    let chunk = |c: &[f32]| {
        let mut a = [f32::NEG_INFINITY; 8];
        a[..c.len()].copy_from_slice(c);
        f32x8::new(a)
    };
    let max = v
        .chunks(8)
        .fold(f32x8::splat(f32::NEG_INFINITY), |m, c| m.max(chunk(c)))
        .to_array()
        .into_iter()
        .fold(f32::NEG_INFINITY, f32::max);
    let mut sum = f32x8::ZERO;
    for c in v.chunks_mut(8) {
        let e = (chunk(c) - f32x8::splat(max)).exp();
        sum += e;
        let n = c.len();
        c.copy_from_slice(&<[f32; 8]>::from(e)[..n]);
    }
    let inv = 1.0 / sum.reduce_add();
    for x in v.iter_mut() {
        *x *= inv;
    }
}

/// Lane `j` of the result is the sum of the eight lanes of `v[j]`, in one fixed order.
#[inline(always)]
fn lane_sums(v: [f32x8; 8]) -> f32x8 {
    let t = f32x8::transpose(v);
    ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]))
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

/// Rows per chunk of the FFN in [`Weights::forward`].
const FFN_ROWS: usize = 64;

/// RMS norm of each row of `x` (rows of `w.len()`), scaled by `w`, into `out`.
fn rms_norm(x: &[f32], w: &[f32], eps: f32, out: &mut [f32]) {
    let dim = w.len();
    for (xr, or) in x.chunks_exact(dim).zip(out.chunks_exact_mut(dim)) {
        let ss: f32 = xr.iter().map(|v| v * v).sum::<f32>() / dim as f32;
        let inv = 1.0 / (ss + eps).sqrt();
        for ((o, &v), &g) in or.iter_mut().zip(xr).zip(w) {
            *o = v * inv * g;
        }
    }
}

fn add_into(x: &mut [f32], y: &[f32]) {
    for (a, b) in x.iter_mut().zip(y) {
        *a += b;
    }
}

/// A tensor's format, candle-order dims and raw bytes, read straight from the GGUF file.
fn raw_tensor(
    content: &gguf_file::Content,
    reader: &mut BufReader<File>,
    name: &str,
) -> Result<(GgmlDType, Vec<usize>, Vec<u8>), LocalError> {
    let info = content
        .tensor_infos
        .get(name)
        .ok_or_else(|| LocalError::Model(format!("GGUF has no tensor `{name}`")))?;
    let dtype = info.ggml_dtype;
    let dims = info.shape.dims().to_vec();
    let elems: usize = dims.iter().product();
    if !elems.is_multiple_of(dtype.block_size()) {
        return Err(LocalError::Model(format!(
            "tensor `{name}`: {elems} values do not fill whole {dtype:?} blocks"
        )));
    }
    let size = elems / dtype.block_size() * dtype.type_size();
    let start = content.tensor_data_offset.saturating_add(info.offset);
    let bad = |e: std::io::Error| LocalError::Model(format!("tensor `{name}`: {e}"));
    reader.seek(SeekFrom::Start(start)).map_err(bad)?;
    let mut bytes = vec![0u8; size];
    reader.read_exact(&mut bytes).map_err(bad)?;
    Ok((dtype, dims, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::lcg;

    /// Attention written out the plain way, in f64.
    fn naive(qs: &[f32], head: &Head<'_>, visible: usize, scale: f32) -> Vec<f32> {
        let (d, kvh, g) = (head.d, head.kvh, head.g);
        let at = |j: usize| (j * kvh + g) * d;
        let mut out = Vec::new();
        for q in qs.chunks_exact(d) {
            let scores: Vec<f64> = (0..visible)
                .map(|j| {
                    let k = &head.keys[at(j)..at(j) + d];
                    q.iter().zip(k).map(|(a, b)| f64::from(a * b)).sum::<f64>() * f64::from(scale)
                })
                .collect();
            let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
            let sum: f64 = e.iter().sum();
            for c in 0..d {
                let v: f64 = (0..visible)
                    .map(|j| e[j] / sum * f64::from(head.vals[at(j) + c]))
                    .sum();
                out.push(v as f32);
            }
        }
        out
    }

    #[test]
    fn attention_matches_the_plain_formula_for_every_shape() {
        let mut seed = 9;
        // Head sizes: the blocked path (64, 32), value chunks not a multiple of four (40), and
        // the scalar path (12). Query heads per cache head: 7 (Qwen2.5-0.5B), 3, 1 and 9
        // (more than one block of four). Visible positions: partial and whole blocks of 8.
        for (d, rep) in [(64, 7), (32, 3), (40, 9), (12, 1), (64, 1)] {
            for visible in [1, 7, 8, 9, 70] {
                let kvh = 2;
                let keys: Vec<f32> = (0..visible * kvh * d).map(|_| lcg(&mut seed)).collect();
                let vals: Vec<f32> = (0..visible * kvh * d).map(|_| lcg(&mut seed)).collect();
                let qs: Vec<f32> = (0..rep * d).map(|_| 3.0 * lcg(&mut seed)).collect();
                let head = Head {
                    keys: &keys,
                    vals: &vals,
                    kvh,
                    d,
                    g: 1,
                };
                let scale = 1.0 / (d as f32).sqrt();
                let mut got = vec![0f32; rep * d];
                attend(&qs, &head, visible, scale, &mut got);
                let want = naive(&qs, &head, visible, scale);
                for (i, (a, b)) in got.iter().zip(&want).enumerate() {
                    assert!(
                        (a - b).abs() < 1e-5,
                        "d {d} rep {rep} visible {visible} [{i}]: {a} vs {b}"
                    );
                }
                // A row's result does not depend on keys it cannot see.
                let mut longer_keys = keys.clone();
                let mut longer_vals = vals.clone();
                longer_keys.extend((0..3 * kvh * d).map(|_| lcg(&mut seed)));
                longer_vals.extend((0..3 * kvh * d).map(|_| lcg(&mut seed)));
                let longer = Head {
                    keys: &longer_keys,
                    vals: &longer_vals,
                    ..head
                };
                let mut again = vec![0f32; rep * d];
                attend(&qs, &longer, visible, scale, &mut again);
                assert_eq!(again, got, "d {d} rep {rep} visible {visible}");
            }
        }
    }

    #[test]
    fn softmax_and_silu_match_their_scalar_forms() {
        let mut seed = 4;
        for len in [1, 5, 8, 13, 64] {
            let x: Vec<f32> = (0..len).map(|_| 20.0 * lcg(&mut seed)).collect();
            let mut got = x.clone();
            softmax(&mut got);
            let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let sum: f64 = x.iter().map(|v| f64::from(v - max).exp()).sum();
            for (g, v) in got.iter().zip(&x) {
                let want = f64::from(v - max).exp() / sum;
                assert!((f64::from(*g) - want).abs() < 1e-6, "{g} vs {want}");
            }
            let u: Vec<f32> = (0..len).map(|_| lcg(&mut seed)).collect();
            let mut g = x.clone();
            silu_mul(&mut g, &u);
            for ((got, &a), &b) in g.iter().zip(&x).zip(&u) {
                let want = a / (1.0 + (-a).exp()) * b;
                assert!(
                    (got - want).abs() <= 1e-5 * (1.0 + want.abs()),
                    "{got} vs {want}"
                );
            }
        }
    }
}
