//! candor's own quantized matrix: 8-bit weights in blocks of 32 with one f32 scale per block,
//! multiplied by a batch of activation rows so that every weight byte is read once per batch.
//!
//! Why not candle's `QMatMul`: on CPU it multiplies row by row, streaming the whole weight
//! matrix once per activation row, so eight recipients decoded together cost nearly eight
//! single decodes. Here a weight row is loaded into L1 once and dotted with every activation
//! row of the batch while it is there; the work per output value is identical whatever the batch
//! (integer sums are exact and the float accumulation order is fixed), so a sequence decoded in
//! a batch gets bit-for-bit the numbers it gets alone.
//!
//! Two kernels compute the same integer dot products:
//! - on CPUs with AVX-512 VNNI (chosen at run time), byte dot products with `vpdpbusd` over a
//!   weight layout made for it at load (see `qmm/vnni.rs`), in tiles of two weight rows by
//!   four activation rows; about 1.3-3x the portable kernel on one row and 1.5-2x on eight or
//!   more (`examples/qmm_kernel.rs`);
//! - everywhere else, `wide`'s portable SIMD types (AVX2/AVX-512 when the build targets them,
//!   SSE2 or NEON otherwise): activations widened to i16 and multiplied pairwise.
//!
//! The compiler's auto-vectorizer finds neither shape by itself.
//!
//! Weights of any GGUF format are converted at load, one row at a time (no full f32 copy of a
//! large matrix ever exists): Q8_0 is taken as is, other formats are dequantized by candle's
//! reference code and re-quantized to 8 bits, which holds every 4-, 5- or 6-bit value closely.

use candle_core::quantized::{ggml_file, GgmlDType};
use candle_core::Device;
use rayon::prelude::*;
use std::ops::Range;
use wide::{f32x8, i16x16, i8x16};

use crate::LocalError;

#[cfg(target_arch = "x86_64")]
mod vnni;

/// Elements per quantization block.
pub const QK: usize = 32;

/// A `rows x cols` weight matrix (GGUF order: `rows` outputs, each a row of `cols` inputs).
pub struct QMatrix {
    rows: usize,
    cols: usize,
    /// `rows * cols` quantized values, row-major.
    qs: Vec<i8>,
    /// One scale per block of `QK` values, `rows * cols / QK`, row-major, as f16 bits (as in
    /// GGUF's Q8_0: half the memory of f32, and exact for Q8_0 sources).
    d: Vec<u16>,
    /// The kernel `qs` is laid out for (block order for the portable one).
    kernel: Kernel,
}

/// f16 bits to f32, exact for every finite value (normal and subnormal), in a few integer and
/// float operations: the kernel converts one scale per weight block, and a general-purpose
/// conversion with its special cases costs more than the block's arithmetic. (Infinities and
/// NaNs, which no quantization scale holds, come out as large finite values.)
#[inline(always)]
fn f16_to_f32(bits: u16) -> f32 {
    let h = u32::from(bits);
    // Exponent and mantissa moved into f32 position, then rebiased by 2^(127 - 15).
    let magnitude = f32::from_bits((h & 0x7fff) << 13) * f32::from_bits(0x7780_0000);
    f32::from_bits(magnitude.to_bits() | ((h & 0x8000) << 16))
}

/// Quantize activations `x` (a multiple of `QK` long) into `qs` and `d`, symmetric 8-bit per
/// block: the largest magnitude maps to 127, values round to nearest (ties to even). Eight
/// lanes at a time: this runs on every matrix product's input.
fn quantize_into(x: &[f32], qs: &mut [i8], d: &mut [f32]) {
    for ((xb, qb), db) in x
        .as_chunks::<QK>()
        .0
        .iter()
        .zip(qs.as_chunks_mut::<QK>().0)
        .zip(d.iter_mut())
    {
        let (vs, _) = xb.as_chunks::<8>();
        let amax = vs
            .iter()
            .fold(f32x8::ZERO, |m, v| m.max(f32x8::new(*v).abs()))
            .to_array()
            .into_iter()
            .fold(0f32, f32::max);
        let scale = amax / 127.0;
        let inv = f32x8::splat(if scale > 0.0 { 1.0 / scale } else { 0.0 });
        for (v, q) in vs.iter().zip(qb.as_chunks_mut::<8>().0) {
            let ints = (f32x8::new(*v) * inv).round_int().to_array();
            for (q, i) in q.iter_mut().zip(ints) {
                // |i| <= 127 by construction.
                *q = i as i8;
            }
        }
        *db = scale;
    }
}

fn quantize_block(xb: &[f32], qb: &mut [i8]) -> f32 {
    let amax = xb.iter().fold(0f32, |m, v| m.max(v.abs()));
    let scale = amax / 127.0;
    let inv = if scale > 0.0 { 1.0 / scale } else { 0.0 };
    for (q, &v) in qb.iter_mut().zip(xb) {
        *q = (v * inv).round() as i8;
    }
    scale
}

/// Weights: like [`quantize_into`], scales stored as f16 (GGUF Q8_0's rounding).
fn quantize_weights(x: &[f32], qs: &mut [i8], d: &mut [u16]) {
    for ((xb, qb), db) in x
        .chunks_exact(QK)
        .zip(qs.chunks_exact_mut(QK))
        .zip(d.iter_mut())
    {
        *db = half::f16::from_f32(quantize_block(xb, qb)).to_bits();
    }
}

/// Bytes per row of a `rows x cols` GGUF tensor of `dtype`, checked against the bytes read.
pub(crate) fn gguf_row_bytes(
    dtype: GgmlDType,
    rows: usize,
    cols: usize,
    len: usize,
) -> Result<usize, LocalError> {
    if !cols.is_multiple_of(dtype.block_size()) {
        return Err(LocalError::Model(format!(
            "rows of {cols} values do not split into {dtype:?} blocks"
        )));
    }
    let row_bytes = cols / dtype.block_size() * dtype.type_size();
    if len != rows * row_bytes {
        return Err(LocalError::Model(format!(
            "{dtype:?} tensor {rows}x{cols} needs {} bytes, got {len}",
            rows * row_bytes
        )));
    }
    Ok(row_bytes)
}

/// GGUF rows of `dtype` (`raw`, rows of `cols` values) as 8-bit blocks into `qs` and `d`, in
/// block order: Q8_0 taken exactly, other formats dequantized by candle's reference code a
/// chunk of rows at a time (no full f32 copy of a large matrix) and re-quantized.
fn convert_rows(
    dtype: GgmlDType,
    cols: usize,
    raw: &[u8],
    qs: &mut [i8],
    d: &mut [u16],
) -> Result<(), LocalError> {
    let rows = qs.len() / cols.max(1);
    let row_bytes = gguf_row_bytes(dtype, rows, cols, raw.len())?;
    let blocks_per_row = cols / QK;
    if dtype == GgmlDType::Q8_0 {
        // 34-byte blocks: f16 scale, then 32 signed bytes. Taken exactly.
        for (b, blk) in raw.chunks_exact(34).enumerate() {
            d[b] = u16::from_le_bytes([blk[0], blk[1]]);
            for (q, &byte) in qs[b * QK..(b + 1) * QK].iter_mut().zip(&blk[2..]) {
                *q = byte as i8;
            }
        }
        return Ok(());
    }
    let chunk_rows = (1 << 16) / cols.max(1) + 1;
    let dev = Device::Cpu;
    for r0 in (0..rows).step_by(chunk_rows) {
        let r1 = (r0 + chunk_rows).min(rows);
        let t = ggml_file::qtensor_from_ggml(
            dtype,
            &raw[r0 * row_bytes..r1 * row_bytes],
            vec![r1 - r0, cols],
            &dev,
        )
        .and_then(|t| t.dequantize(&dev))
        .and_then(|t| t.flatten_all())
        .and_then(|t| t.to_vec1::<f32>())
        .map_err(|e| LocalError::Model(e.to_string()))?;
        quantize_weights(
            &t,
            &mut qs[r0 * cols..r1 * cols],
            &mut d[r0 * blocks_per_row..r1 * blocks_per_row],
        );
    }
    Ok(())
}

impl QMatrix {
    /// Build from a GGUF tensor's raw bytes, `dims` as candle reports them (`[rows, cols]`, or
    /// `[cols]` for a single row).
    pub fn from_gguf(dtype: GgmlDType, dims: &[usize], raw: &[u8]) -> Result<Self, LocalError> {
        Self::from_gguf_stacked(&[(dtype, dims, raw)])
    }

    /// The rows of several GGUF tensors of one width, in order, as one matrix (so inputs they
    /// share are quantized once and their products run as one pass), each converted straight
    /// into its place: no per-part matrix is ever held.
    pub fn from_gguf_stacked(parts: &[(GgmlDType, &[usize], &[u8])]) -> Result<Self, LocalError> {
        let mut shapes = Vec::with_capacity(parts.len());
        for &(dtype, dims, raw) in parts {
            let (rows, cols) = match *dims {
                [r, c] => (r, c),
                [c] => (1, c),
                _ => {
                    return Err(LocalError::Model(format!(
                        "expected a matrix, got a tensor of shape {dims:?}"
                    )))
                }
            };
            if !cols.is_multiple_of(QK) {
                return Err(LocalError::Model(format!(
                    "rows of {cols} values do not split into blocks of {QK} ({dtype:?})"
                )));
            }
            gguf_row_bytes(dtype, rows, cols, raw.len())?;
            shapes.push((rows, cols));
        }
        let cols = shapes.first().map_or(0, |s| s.1);
        if shapes.iter().any(|s| s.1 != cols) {
            return Err(LocalError::Model(
                "stacked matrices have different widths".into(),
            ));
        }
        let rows: usize = shapes.iter().map(|s| s.0).sum();
        let mut qs = vec![0i8; rows * cols];
        let mut d = vec![0u16; rows * cols / QK];
        let mut r0 = 0;
        for (&(dtype, _, raw), &(n, _)) in parts.iter().zip(&shapes) {
            convert_rows(
                dtype,
                cols,
                raw,
                &mut qs[r0 * cols..(r0 + n) * cols],
                &mut d[r0 * cols / QK..(r0 + n) * cols / QK],
            )?;
            r0 += n;
        }
        Ok(QMatrix::laid_out(rows, cols, qs, d))
    }

    /// Block-ordered values and scales, laid out for the best kernel this CPU runs.
    fn laid_out(rows: usize, cols: usize, qs: Vec<i8>, d: Vec<u16>) -> QMatrix {
        QMatrix {
            rows,
            cols,
            qs,
            d,
            kernel: Kernel::Portable,
        }
        .into_kernel(Kernel::best())
    }

    /// From f32 values, `rows x cols` row-major (tests and small tensors).
    pub fn from_f32(rows: usize, cols: usize, x: &[f32]) -> Result<Self, LocalError> {
        if !cols.is_multiple_of(QK) || x.len() != rows * cols {
            return Err(LocalError::Model(format!(
                "{rows}x{cols} matrix from {} values",
                x.len()
            )));
        }
        let mut qs = vec![0i8; rows * cols];
        let mut d = vec![0u16; rows * cols / QK];
        quantize_weights(x, &mut qs, &mut d);
        Ok(QMatrix::laid_out(rows, cols, qs, d))
    }

    pub fn rows(&self) -> usize {
        self.rows
    }
    pub fn cols(&self) -> usize {
        self.cols
    }
    /// Bytes held.
    pub fn size_bytes(&self) -> usize {
        self.qs.len() + self.d.len() * 2
    }

    /// The kernel this matrix runs.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// The same matrix laid out for `kernel` (tests and the kernel benchmark compare kernels).
    pub fn into_kernel(mut self, kernel: Kernel) -> QMatrix {
        if kernel == self.kernel || self.cols == 0 {
            return self;
        }
        match self.kernel {
            Kernel::Portable => {}
            #[cfg(target_arch = "x86_64")]
            Kernel::Vnni => vnni::unpack(&mut self.qs, self.rows, self.cols),
        }
        match kernel {
            Kernel::Portable => {}
            #[cfg(target_arch = "x86_64")]
            Kernel::Vnni => vnni::pack(&mut self.qs, self.rows, self.cols),
        }
        self.kernel = kernel;
        self
    }

    /// Row `r` as f32 (an embedding lookup).
    pub fn row_into(&self, r: usize, out: &mut [f32]) {
        let qs = &self.qs[r * self.cols..(r + 1) * self.cols];
        let d = &self.d[r * self.cols / QK..(r + 1) * self.cols / QK];
        for (b, (ob, &s)) in out.chunks_exact_mut(QK).zip(d).enumerate() {
            let s = f16_to_f32(s);
            for (i, o) in ob.iter_mut().enumerate() {
                let q = match self.kernel {
                    Kernel::Portable => qs[b * QK + i],
                    #[cfg(target_arch = "x86_64")]
                    Kernel::Vnni => vnni::packed_value(&self.qs, self.rows, self.cols, r, b, i),
                };
                *o = s * f32::from(q);
            }
        }
    }

    /// `y = x W^T` for `n` activation rows `x` (`n x cols`, row-major): returns `n x rows`.
    ///
    /// Runs the AVX-512 VNNI kernel where the CPU has it, else the portable one; both compute
    /// the same integer dot products and differ only in the order of float rounding.
    pub fn forward(&self, x: &[f32], n: usize) -> Vec<f32> {
        let cols = self.cols;
        debug_assert_eq!(x.len(), n * cols);
        let nb = cols / QK;
        let mut xq = vec![0i8; n * cols];
        let mut xd = vec![0f32; n * nb];
        quantize_into(x, &mut xq, &mut xd);
        match self.kernel {
            #[cfg(target_arch = "x86_64")]
            Kernel::Vnni => {
                let acts = vnni::Acts::new(&xq, &xd, n, nb);
                self.tiled(n, |rows, range, outs| {
                    vnni::dots(&self.qs, &self.d, cols, rows, &acts, range, outs)
                })
            }
            Kernel::Portable => {
                // Activations widened to i16 once, not once per weight row.
                let x16: Vec<i16x16> = xq
                    .chunks_exact(16)
                    .map(|c| {
                        let mut a = [0i8; 16];
                        a.copy_from_slice(c);
                        i16x16::from_i8x16(i8x16::new(a))
                    })
                    .collect();
                let acts = Acts {
                    x16: &x16,
                    d: &xd,
                    nb,
                };
                self.tiled(n, |rows, range, outs| {
                    let mut line = vec![0f32; range.len()];
                    for (k, r) in rows.enumerate() {
                        let w = &self.qs[r * cols..(r + 1) * cols];
                        let wd = &self.d[r * nb..(r + 1) * nb];
                        row_dots(w, wd, &acts, range.clone(), &mut line);
                        for (out, v) in outs[range.clone()].iter_mut().zip(&line) {
                            out[k] = *v;
                        }
                    }
                })
            }
        }
    }

    /// Runs `dots(weight rows, activation rows, outs)` over every weight row, in parallel slabs
    /// of weight rows, and returns the `n x rows` result. `outs` holds, for every activation
    /// row, its part of the output for the slab's weight rows (weight row `r0 + k` at `k`):
    /// each task writes its own columns of the result directly, with no transposed copy.
    fn tiled<F>(&self, n: usize, dots: F) -> Vec<f32>
    where
        F: Fn(Range<usize>, Range<usize>, &mut [&mut [f32]]) + Sync,
    {
        let (rows, cols) = (self.rows, self.cols);
        // A task's weight rows, about 64 KiB (in L2), meet the activation rows a few at a time
        // (in tiles of up to 64 rows for the portable kernel); whole pairs of rows, as the VNNI
        // kernel stores them. (16 KiB, to stay in L1, measured slower at every batch size:
        // more, shorter streams from memory.)
        let tile = 64;
        let rows_per_task = (64 * 1024 / cols).clamp(8, 64) & !1;
        let mut y = vec![0f32; n * rows];
        // Per slab, the pieces of every output row that hold its columns.
        let mut slabs: Vec<Vec<&mut [f32]>> = (0..rows.div_ceil(rows_per_task))
            .map(|_| Vec::with_capacity(n))
            .collect();
        for row in y.chunks_mut(rows) {
            for (slab, piece) in slabs.iter_mut().zip(row.chunks_mut(rows_per_task)) {
                slab.push(piece);
            }
        }
        let work = |(ci, outs): (usize, &mut Vec<&mut [f32]>)| {
            let r0 = ci * rows_per_task;
            let r1 = (r0 + rows_per_task).min(rows);
            for t0 in (0..n).step_by(tile) {
                dots(r0..r1, t0..(t0 + tile).min(n), outs);
            }
        };
        if rows * cols * n >= 1 << 16 {
            slabs.par_iter_mut().enumerate().for_each(work);
        } else {
            slabs.iter_mut().enumerate().for_each(work);
        }
        drop(slabs);
        y
    }
}

/// Which dot-product kernel runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// `wide`'s portable SIMD (AVX2 / AVX-512 / SSE2 / NEON, whatever the build targets).
    Portable,
    /// AVX-512 VNNI byte dot products, chosen at run time on CPUs that have them.
    #[cfg(target_arch = "x86_64")]
    Vnni,
}

impl Kernel {
    /// The fastest kernel this CPU runs; `CANDOR_QMM=portable` forces the portable one.
    pub fn best() -> Kernel {
        static BEST: std::sync::OnceLock<Kernel> = std::sync::OnceLock::new();
        *BEST.get_or_init(|| {
            if std::env::var("CANDOR_QMM").is_ok_and(|v| v == "portable") {
                return Kernel::Portable;
            }
            #[cfg(target_arch = "x86_64")]
            if vnni::available() {
                return Kernel::Vnni;
            }
            Kernel::Portable
        })
    }
}

/// Quantized activation rows: values widened to i16 (two vectors per block), block scales.
struct Acts<'a> {
    x16: &'a [i16x16],
    d: &'a [f32],
    /// Blocks per row.
    nb: usize,
}

/// Dot products of one quantized weight row with activation rows `range`, into `out`, in
/// groups of 8, 4, 2 and 1 rows (one f32x8 accumulator per row, kept in registers).
///
/// Per block: the weight block is widened to i16 once and multiplied (pairwise, `pmaddwd`)
/// with each activation row of the group, giving eight i32 partial sums; those are scaled by
/// the two block scales into eight f32 lanes per activation row. The lanes are summed once at
/// the end. Every step for a given (weight row, activation row) is the same whatever other
/// rows share the group, so results do not depend on the batch.
fn row_dots(w: &[i8], wd: &[u16], acts: &Acts<'_>, range: Range<usize>, out: &mut [f32]) {
    let mut i = range.start;
    let mut o = 0;
    while i < range.end {
        let left = range.end - i;
        let m = if left >= 8 {
            group::<8>(w, wd, acts, i, &mut out[o..o + 8]);
            8
        } else if left >= 4 {
            group::<4>(w, wd, acts, i, &mut out[o..o + 4]);
            4
        } else if left >= 2 {
            group::<2>(w, wd, acts, i, &mut out[o..o + 2]);
            2
        } else {
            group::<1>(w, wd, acts, i, &mut out[o..o + 1]);
            1
        };
        i += m;
        o += m;
    }
}

#[inline(always)]
fn group<const M: usize>(w: &[i8], wd: &[u16], acts: &Acts<'_>, first: usize, out: &mut [f32]) {
    let nb = acts.nb;
    let xs: [&[i16x16]; M] =
        std::array::from_fn(|j| &acts.x16[(first + j) * nb * 2..(first + j + 1) * nb * 2]);
    let ds: [&[f32]; M] = std::array::from_fn(|j| &acts.d[(first + j) * nb..(first + j + 1) * nb]);
    let mut acc = [f32x8::ZERO; M];
    for (b, (wb, &a)) in w.chunks_exact(QK).zip(wd).enumerate().take(nb) {
        let a = f16_to_f32(a);
        let mut lo = [0i8; 16];
        let mut hi = [0i8; 16];
        lo.copy_from_slice(&wb[..16]);
        hi.copy_from_slice(&wb[16..]);
        let w0 = i16x16::from_i8x16(i8x16::new(lo));
        let w1 = i16x16::from_i8x16(i8x16::new(hi));
        for j in 0..M {
            let x = &xs[j][2 * b..2 * b + 2];
            let s = w0.dot(x[0]) + w1.dot(x[1]);
            acc[j] = f32x8::from_i32x8(s).mul_add(f32x8::splat(a * ds[j][b]), acc[j]);
        }
    }
    for (o, a) in out.iter_mut().zip(&acc) {
        *o = a.reduce_add();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::lcg;

    fn naive(w: &[f32], x: &[f32], rows: usize, cols: usize, n: usize) -> Vec<f32> {
        let mut y = vec![0f32; n * rows];
        for i in 0..n {
            for r in 0..rows {
                y[i * rows + r] = (0..cols).map(|c| w[r * cols + c] * x[i * cols + c]).sum();
            }
        }
        y
    }

    #[test]
    fn activations_quantize_to_the_nearest_step_of_their_block() {
        let mut seed = 13;
        let mut x: Vec<f32> = (0..4 * QK).map(|_| lcg(&mut seed) * 5.0).collect();
        x[QK..2 * QK].fill(0.0); // an all-zero block: scale 0, values 0
        x[2 * QK + 3] = -7.5; // the largest magnitude maps to -127
        let mut qs = vec![0i8; x.len()];
        let mut d = vec![0f32; x.len() / QK];
        quantize_into(&x, &mut qs, &mut d);
        assert_eq!(d[1], 0.0);
        assert!(qs[QK..2 * QK].iter().all(|&q| q == 0));
        assert_eq!(qs[2 * QK + 3], -127);
        for (b, (xb, qb)) in x.chunks(QK).zip(qs.chunks(QK)).enumerate() {
            let amax = xb.iter().fold(0f32, |m, v| m.max(v.abs()));
            assert_eq!(d[b], amax / 127.0);
            for (v, q) in xb.iter().zip(qb) {
                // Within half a step (plus rounding of the step itself).
                assert!(
                    (f32::from(*q) * d[b] - v).abs() <= d[b] * 0.5001,
                    "{v} -> {q}"
                );
            }
        }
    }

    #[test]
    fn f16_conversion_is_exact_for_every_finite_value() {
        for bits in 0..=u16::MAX {
            let want = half::f16::from_bits(bits);
            if want.is_finite() {
                assert_eq!(
                    f16_to_f32(bits).to_bits(),
                    want.to_f32().to_bits(),
                    "{bits:#x}"
                );
            }
        }
    }

    #[test]
    fn matches_f32_matmul_within_quantization_error() {
        let (rows, cols, n) = (70, 256, 5);
        let mut seed = 7;
        let w: Vec<f32> = (0..rows * cols).map(|_| lcg(&mut seed)).collect();
        let x: Vec<f32> = (0..n * cols).map(|_| lcg(&mut seed)).collect();
        let q = QMatrix::from_f32(rows, cols, &w).unwrap();
        let got = q.forward(&x, n);
        let want = naive(&w, &x, rows, cols, n);
        for (g, e) in got.iter().zip(&want) {
            // Two 8-bit roundings over 256 terms of magnitude <= 1.
            assert!((g - e).abs() < 0.15, "{g} vs {e}");
        }
        let err: f32 = got
            .iter()
            .zip(&want)
            .map(|(g, e)| (g - e).abs())
            .sum::<f32>();
        assert!(
            err / (got.len() as f32) < 0.04,
            "mean error {}",
            err / got.len() as f32
        );
    }

    fn kernels() -> Vec<Kernel> {
        let mut k = vec![Kernel::Portable];
        if Kernel::best() != Kernel::Portable {
            k.push(Kernel::best());
        }
        k
    }

    #[test]
    fn batch_rows_equal_single_rows_bit_for_bit() {
        // 896 values = 28 blocks: three full chunks of eight and a partial one.
        let (rows, cols, n) = (300, 896, 19);
        let mut seed = 11;
        let w: Vec<f32> = (0..rows * cols).map(|_| lcg(&mut seed)).collect();
        let x: Vec<f32> = (0..n * cols).map(|_| lcg(&mut seed)).collect();
        for kernel in kernels() {
            let q = QMatrix::from_f32(rows, cols, &w)
                .unwrap()
                .into_kernel(kernel);
            let all = q.forward(&x, n);
            for i in 0..n {
                let one = q.forward(&x[i * cols..(i + 1) * cols], 1);
                assert_eq!(
                    one,
                    all[i * rows..(i + 1) * rows].to_vec(),
                    "{kernel:?} row {i}"
                );
            }
        }
    }

    #[test]
    fn every_layout_holds_the_same_values() {
        // 288 values = one full chunk of eight blocks and one lone block.
        let (rows, cols) = (3, 288);
        let mut seed = 3;
        let w: Vec<f32> = (0..rows * cols).map(|_| lcg(&mut seed)).collect();
        let base = QMatrix::from_f32(rows, cols, &w)
            .unwrap()
            .into_kernel(Kernel::Portable);
        let portable_qs = base.qs.clone();
        let mut want = vec![0f32; cols];
        let mut got = vec![0f32; cols];
        for kernel in kernels() {
            let q = QMatrix::from_f32(rows, cols, &w)
                .unwrap()
                .into_kernel(kernel);
            for r in 0..rows {
                base.row_into(r, &mut want);
                q.row_into(r, &mut got);
                assert_eq!(got, want, "{kernel:?} row {r}");
            }
            let back = q.into_kernel(Kernel::Portable);
            assert_eq!(back.qs, portable_qs, "{kernel:?} round trip");
        }
    }

    #[test]
    fn every_kernel_computes_the_same_integer_dot_products() {
        // Block counts 1, 7, 8, 9 and 28 cover partial and whole chunks of the VNNI kernel.
        let mut seed = 5;
        for cols in [32, 224, 256, 288, 896] {
            let (rows, n) = (37, 11);
            let w: Vec<f32> = (0..rows * cols).map(|_| lcg(&mut seed)).collect();
            let x: Vec<f32> = (0..n * cols).map(|_| lcg(&mut seed) * 3.0).collect();
            let q = QMatrix::from_f32(rows, cols, &w).unwrap();
            let want = q.into_kernel(Kernel::Portable).forward(&x, n);
            for kernel in kernels() {
                let q = QMatrix::from_f32(rows, cols, &w)
                    .unwrap()
                    .into_kernel(kernel);
                let got = q.forward(&x, n);
                for (g, e) in got.iter().zip(&want) {
                    // Same integers, same scales; only float rounding order differs.
                    assert!(
                        (g - e).abs() <= 1e-5 * (1.0 + e.abs()),
                        "{kernel:?} cols {cols}: {g} vs {e}"
                    );
                }
            }
        }
    }

    #[test]
    fn q8_0_bytes_are_taken_exactly_and_other_formats_dequantize() {
        // One Q8_0 row of 64: two blocks with scales 0.5 and 2.0.
        let mut raw = Vec::new();
        for (scale, base) in [(0.5f32, 1i8), (2.0, -3)] {
            raw.extend_from_slice(&half::f16::from_f32(scale).to_bits().to_le_bytes());
            raw.extend((0..32).map(|k| (base + k as i8) as u8));
        }
        let m = QMatrix::from_gguf(GgmlDType::Q8_0, &[1, 64], &raw).unwrap();
        let mut row = vec![0f32; 64];
        m.row_into(0, &mut row);
        assert_eq!(row[0], 0.5);
        assert_eq!(row[31], 16.0);
        assert_eq!(row[32], -6.0);
        // F32 input goes through the re-quantizing path.
        let vals: Vec<f32> = (0..64).map(|k| k as f32 / 8.0 - 4.0).collect();
        let raw: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
        let m = QMatrix::from_gguf(GgmlDType::F32, &[1, 64], &raw).unwrap();
        m.row_into(0, &mut row);
        for (a, b) in row.iter().zip(&vals) {
            assert!((a - b).abs() <= 4.0 / 127.0 / 2.0 + 1e-6, "{a} vs {b}");
        }
        // Wrong byte counts are errors, not panics.
        assert!(QMatrix::from_gguf(GgmlDType::Q8_0, &[2, 64], &raw[..10]).is_err());
    }
}
