//! The AVX-512 VNNI kernel: `vpdpbusd` multiplies 32 unsigned by 32 signed bytes and adds them
//! in fours into eight i32 lanes, where the portable kernel widens to i16 and needs two
//! multiply-adds plus the widening for the same 32 products.
//!
//! Layout. Weight rows are stored for this kernel at load ([`pack_row`]): in every chunk of
//! eight blocks (256 bytes), vector `t` holds bytes `4t..4t+4` of each of the eight blocks, block
//! `k` in lane `k`. Eight `vpdpbusd` over a chunk then leave lane `k` holding block `k`'s whole
//! dot product: no horizontal sums, and one float conversion and scaling per eight blocks instead
//! of one per block. Activation rows are laid out the same way when a call prepares them. A last
//! chunk of fewer than eight blocks stays in block order and is summed horizontally.
//!
//! Signs. `vpdpbusd` wants one side unsigned, so weights are stored as `w + 128` (the sign bit
//! flipped). The dot product then carries an extra `128 * sum(x)` per block, which depends only
//! on the activation block: it is computed once per call and starts the accumulator negated.
//! Integer sums are exact, so this is the same dot product the portable kernel computes; for a
//! given (weight row, activation row) the operations are the same whatever the batch, so results
//! do not depend on which rows share a group.
//!
//! Every function here is safe code; the intrinsics are safe to call inside functions compiled
//! with their target features. The one `unsafe` is the entry from code compiled without them, in
//! [`row_dots`], after [`available`] confirmed the CPU has them.

use core::arch::x86_64::{
    __m128i, __m256, __m256i, _mm256_add_epi32, _mm256_cvtepi32_ps, _mm256_cvtph_ps,
    _mm256_dpbusd_epi32, _mm256_fmadd_ps, _mm256_hadd_epi32, _mm256_mul_ps,
    _mm256_permute2x128_si256, _mm256_setzero_ps, _mm256_setzero_si256,
};
use std::ops::Range;

use super::QK;

/// Blocks per chunk (one per i32 lane of a 256-bit vector).
const CHUNK: usize = 8;
/// Bytes per chunk.
const CHUNK_BYTES: usize = CHUNK * QK;

/// Whether this CPU runs the kernel (checked once by std and cached).
pub(super) fn available() -> bool {
    std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("fma")
        && std::is_x86_feature_detected!("f16c")
        && std::is_x86_feature_detected!("avx512vl")
        && std::is_x86_feature_detected!("avx512vnni")
}

/// Where byte `i` of block `k` of a full chunk goes in the kernel's layout.
#[inline(always)]
fn packed_at(k: usize, i: usize) -> usize {
    (i / 4) * 32 + k * 4 + i % 4
}

/// One row of signed bytes in block order, rearranged into the kernel's layout in place (see
/// the module docs): full chunks interleaved, signs flipped everywhere.
pub(super) fn pack_row(row: &mut [i8]) {
    let mut tmp = [0i8; CHUNK_BYTES];
    let mut chunks = row.chunks_exact_mut(CHUNK_BYTES);
    for chunk in &mut chunks {
        for k in 0..CHUNK {
            for i in 0..QK {
                tmp[packed_at(k, i)] = chunk[k * QK + i] ^ i8::MIN;
            }
        }
        chunk.copy_from_slice(&tmp);
    }
    for v in chunks.into_remainder() {
        *v ^= i8::MIN;
    }
}

/// The inverse of [`pack_row`].
pub(super) fn unpack_row(row: &mut [i8]) {
    let mut tmp = [0i8; CHUNK_BYTES];
    let mut chunks = row.chunks_exact_mut(CHUNK_BYTES);
    for chunk in &mut chunks {
        for k in 0..CHUNK {
            for i in 0..QK {
                tmp[k * QK + i] = chunk[packed_at(k, i)] ^ i8::MIN;
            }
        }
        chunk.copy_from_slice(&tmp);
    }
    for v in chunks.into_remainder() {
        *v ^= i8::MIN;
    }
}

/// Value `i` of block `b` of a row stored by [`pack_row`].
pub(super) fn packed_value(row: &[i8], b: usize, i: usize) -> i8 {
    let full = row.len() / CHUNK_BYTES * CHUNK;
    let at = if b < full {
        (b / CHUNK) * CHUNK_BYTES + packed_at(b % CHUNK, i)
    } else {
        b * QK + i
    };
    row[at] ^ i8::MIN
}

/// Quantized activation rows laid out for the kernel: full chunks interleaved like the
/// weights, the last partial chunk in block order padded with zero blocks (a zero activation
/// block contributes exactly nothing).
pub(super) struct Acts {
    /// `n * chunks * 8` vectors of 32 signed bytes.
    x: Vec<__m256i>,
    /// Per row and chunk: `-128 * sum(block)` for each of the eight blocks.
    corr: Vec<__m256i>,
    /// Per row and chunk: the eight blocks' scales (zero past the last block).
    d: Vec<__m256>,
    nb: usize,
    chunks: usize,
}

impl Acts {
    /// From `n` rows of `nb` quantized blocks (`xq`, `xd` as `quantize_into` makes them).
    pub(super) fn new(xq: &[i8], xd: &[f32], n: usize, nb: usize) -> Acts {
        let chunks = nb.div_ceil(CHUNK);
        let full = nb / CHUNK;
        let mut x = Vec::with_capacity(n * chunks * CHUNK);
        let mut corr = Vec::with_capacity(n * chunks);
        let mut d = Vec::with_capacity(n * chunks);
        for row in 0..n {
            let xr = &xq[row * nb * QK..(row + 1) * nb * QK];
            for c in 0..chunks {
                let mut sums = [0i32; CHUNK];
                let mut scales = [0f32; CHUNK];
                let mut bytes = [0i8; CHUNK_BYTES];
                for k in 0..CHUNK {
                    let b = c * CHUNK + k;
                    if b >= nb {
                        break;
                    }
                    let blk = &xr[b * QK..(b + 1) * QK];
                    sums[k] = -128 * blk.iter().map(|&v| i32::from(v)).sum::<i32>();
                    scales[k] = xd[row * nb + b];
                    for (i, &v) in blk.iter().enumerate() {
                        let at = if c < full {
                            packed_at(k, i)
                        } else {
                            k * QK + i
                        };
                        bytes[at] = v;
                    }
                }
                for v in bytes.chunks_exact(32) {
                    let mut a = [0i8; 32];
                    a.copy_from_slice(v);
                    x.push(bytemuck::cast(a));
                }
                corr.push(bytemuck::cast(sums));
                d.push(bytemuck::cast(scales));
            }
        }
        Acts {
            x,
            corr,
            d,
            nb,
            chunks,
        }
    }
}

/// Dot products of one weight row (stored by [`pack_row`]; block scales `wd` as f16 bits) with
/// activation rows `range`, into `out`, in groups of 8, 4, 2 and 1 rows.
#[expect(
    unsafe_code,
    reason = "entering code compiled for AVX-512 VNNI from code compiled without it"
)]
pub(super) fn row_dots(w: &[i8], wd: &[u16], acts: &Acts, range: Range<usize>, out: &mut [f32]) {
    debug_assert!(available());
    // SAFETY: this kernel is chosen only when `available()` found every feature `row_dots_tf`
    // is compiled with; the function itself is safe code (no pointers, bounds-checked slices).
    unsafe { row_dots_tf(w, wd, acts, range, out) }
}

#[target_feature(enable = "avx2,fma,f16c,avx512vl,avx512vnni")]
fn row_dots_tf(w: &[i8], wd: &[u16], acts: &Acts, range: Range<usize>, out: &mut [f32]) {
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

/// Lane k of the result is the sum of the eight lanes of `v[k]`.
#[target_feature(enable = "avx2")]
#[inline]
fn reduce8(v: &[__m256i; CHUNK]) -> __m256i {
    let a0 = _mm256_hadd_epi32(v[0], v[1]);
    let a1 = _mm256_hadd_epi32(v[2], v[3]);
    let a2 = _mm256_hadd_epi32(v[4], v[5]);
    let a3 = _mm256_hadd_epi32(v[6], v[7]);
    // Per 128-bit half: [v0, v1, v2, v3] (low half's lanes, then high half's) ...
    let b0 = _mm256_hadd_epi32(a0, a1);
    // ... and [v4, v5, v6, v7].
    let b1 = _mm256_hadd_epi32(a2, a3);
    let lo = _mm256_permute2x128_si256::<0x20>(b0, b1);
    let hi = _mm256_permute2x128_si256::<0x31>(b0, b1);
    _mm256_add_epi32(lo, hi)
}

/// The eight f16 scales of chunk `c` (zeros past the row's last block), as f32.
#[target_feature(enable = "avx2,f16c")]
#[inline]
fn chunk_scales(wd: &[u16], c: usize) -> __m256 {
    let b0 = c * CHUNK;
    let nblk = (wd.len() - b0).min(CHUNK);
    let mut h = [0u16; CHUNK];
    h[..nblk].copy_from_slice(&wd[b0..b0 + nblk]);
    _mm256_cvtph_ps(bytemuck::cast::<[u16; CHUNK], __m128i>(h))
}

#[target_feature(enable = "avx2,fma,f16c,avx512vl,avx512vnni")]
#[inline]
fn group<const M: usize>(w: &[i8], wd: &[u16], acts: &Acts, first: usize, out: &mut [f32]) {
    let (nb, chunks) = (acts.nb, acts.chunks);
    let full = nb / CHUNK;
    let zero = _mm256_setzero_si256();
    let mut acc = [_mm256_setzero_ps(); M];
    for c in 0..chunks {
        let wscale = chunk_scales(wd, c);
        let mut wv = [zero; CHUNK];
        let bytes = &w[c * CHUNK_BYTES..((c + 1) * CHUNK_BYTES).min(w.len())];
        for (t, v) in bytes.chunks_exact(32).enumerate() {
            let mut a = [0i8; 32];
            a.copy_from_slice(v);
            wv[t] = bytemuck::cast(a);
        }
        #[expect(
            clippy::needless_range_loop,
            reason = "keeps the accumulators in registers"
        )]
        for j in 0..M {
            let at = (first + j) * chunks + c;
            let xs: &[__m256i; CHUNK] = match acts.x[at * CHUNK..(at + 1) * CHUNK].try_into() {
                Ok(xs) => xs,
                Err(_) => unreachable!("a chunk is {CHUNK} vectors"),
            };
            let sums = if c < full {
                // Four chains, so each multiply-add waits on one from four steps back.
                let s0 = _mm256_dpbusd_epi32(acts.corr[at], wv[0], xs[0]);
                let s1 = _mm256_dpbusd_epi32(zero, wv[1], xs[1]);
                let s2 = _mm256_dpbusd_epi32(zero, wv[2], xs[2]);
                let s3 = _mm256_dpbusd_epi32(zero, wv[3], xs[3]);
                let s0 = _mm256_dpbusd_epi32(s0, wv[4], xs[4]);
                let s1 = _mm256_dpbusd_epi32(s1, wv[5], xs[5]);
                let s2 = _mm256_dpbusd_epi32(s2, wv[6], xs[6]);
                let s3 = _mm256_dpbusd_epi32(s3, wv[7], xs[7]);
                _mm256_add_epi32(_mm256_add_epi32(s0, s1), _mm256_add_epi32(s2, s3))
            } else {
                let mut dots = [zero; CHUNK];
                for t in 0..CHUNK {
                    dots[t] = _mm256_dpbusd_epi32(zero, wv[t], xs[t]);
                }
                _mm256_add_epi32(reduce8(&dots), acts.corr[at])
            };
            let scale = _mm256_mul_ps(wscale, acts.d[at]);
            acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sums), scale, acc[j]);
        }
    }
    for (o, a) in out.iter_mut().zip(&acc) {
        let l: [f32; 8] = bytemuck::cast(*a);
        *o = ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]));
    }
}
