//! The AVX-512 VNNI kernel: `vpdpbusd` multiplies 32 unsigned by 32 signed bytes and adds them
//! in fours into eight i32 lanes, where the portable kernel widens to i16 and needs two
//! multiply-adds plus the widening for the same 32 products.
//!
//! Layout. Weight rows are stored for this kernel at load ([`pack_row`]): in every chunk of
//! eight blocks (256 bytes), vector `t` holds bytes `4t..4t+4` of each of the eight blocks, block
//! `k` in lane `k`. Eight `vpdpbusd` over a chunk then leave lane `k` holding block `k`'s whole
//! dot product: no horizontal sums, and one float conversion and scaling per eight blocks instead
//! of one per block. Activation rows are laid out the same way when a call prepares them. A last
//! chunk of 1, 2 or 4 blocks is interleaved the same way over fewer lanes and its lanes folded
//! once; other partial chunks stay in block order and are summed horizontally.
//!
//! Tiles. Rows are stored in pairs ([`pack`]): the pair's chunks alternate between its two
//! rows, so a tile reading both reads one stream front to back (two rows read side by side
//! from separate places cost a third of the memory bandwidth: the prefetchers follow one
//! stream best). A pair meets four activation rows at a time: eight independent sums in
//! registers, each loaded vector serving two or four products, so a prompt's many rows run at
//! several times the single-row rate. With one or two activation rows (decoding) the sums are
//! split into chains to hide `vpdpbusd`'s latency.
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
//! [`dots`], after [`available`] confirmed the CPU has them.

use core::arch::x86_64::{
    __m128i, __m256, __m256i, _mm256_add_epi32, _mm256_add_ps, _mm256_cvtepi32_ps, _mm256_cvtph_ps,
    _mm256_dpbusd_epi32, _mm256_fmadd_ps, _mm256_hadd_epi32, _mm256_hadd_ps,
    _mm256_maskz_permutexvar_ps, _mm256_mul_ps, _mm256_permute2f128_ps, _mm256_permute2x128_si256,
    _mm256_permutexvar_ps, _mm256_set1_epi32, _mm256_setr_epi32, _mm256_setzero_ps,
    _mm256_setzero_si256, _mm256_shuffle_epi32,
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

/// Where byte `i` of block `k` goes in a chunk of `p` blocks: interleaved in groups of four
/// bytes when `p` divides eight (every full chunk, and a last chunk of 1, 2 or 4 blocks), so
/// lane `L` of every vector holds block `L % p`; block order otherwise.
#[inline(always)]
fn packed_at(p: usize, k: usize, i: usize) -> usize {
    // For 1 <= p <= 8, p divides 8 exactly when it is a power of two (no division).
    if p.is_power_of_two() {
        (i / 4) * (4 * p) + k * 4 + i % 4
    } else {
        k * QK + i
    }
}

/// Blocks in chunk `c` of a row of `nb` blocks.
#[inline(always)]
fn chunk_blocks(nb: usize, c: usize) -> usize {
    (nb - c * CHUNK).min(CHUNK)
}

/// One row of signed bytes in block order, rearranged into the kernel's chunk layout in place
/// (see the module docs), signs flipped.
fn pack_row(row: &mut [i8]) {
    let mut tmp = [0i8; CHUNK_BYTES];
    for chunk in row.chunks_mut(CHUNK_BYTES) {
        let p = chunk.len() / QK;
        for k in 0..p {
            for i in 0..QK {
                tmp[packed_at(p, k, i)] = chunk[k * QK + i] ^ i8::MIN;
            }
        }
        chunk.copy_from_slice(&tmp[..chunk.len()]);
    }
}

/// The inverse of [`pack_row`].
fn unpack_row(row: &mut [i8]) {
    let mut tmp = [0i8; CHUNK_BYTES];
    for chunk in row.chunks_mut(CHUNK_BYTES) {
        let p = chunk.len() / QK;
        for k in 0..p {
            for i in 0..QK {
                tmp[k * QK + i] = chunk[packed_at(p, k, i)] ^ i8::MIN;
            }
        }
        chunk.copy_from_slice(&tmp[..chunk.len()]);
    }
}

/// The first row of the pair holding row `r`, and how many rows the pair has (a matrix with
/// an odd number of rows ends with a lone one).
#[inline(always)]
fn pair_of(rows: usize, r: usize) -> (usize, usize) {
    let r0 = r & !1;
    (r0, if r0 + 1 < rows { 2 } else { 1 })
}

/// Where, in a pair of `n` rows stored from offset 0, chunk `c` of row `a` starts (rows of
/// `nb` blocks): the pair's full chunks alternate between its rows, then come its rows' last
/// partial chunks, so a tile reading both rows reads one stream front to back.
#[inline(always)]
fn chunk_start(nb: usize, n: usize, a: usize, c: usize) -> usize {
    let full = nb / CHUNK;
    if c < full {
        (c * n + a) * CHUNK_BYTES
    } else {
        full * n * CHUNK_BYTES + a * (nb - full * CHUNK) * QK
    }
}

/// A `rows x cols` matrix of signed bytes in block order (row-major), rearranged into the
/// kernel's layout in place: each row's chunks packed ([`pack_row`]), rows stored in pairs.
pub(super) fn pack(qs: &mut [i8], rows: usize, cols: usize) {
    let nb = cols / QK;
    let mut tmp = vec![0i8; 2 * cols];
    for r0 in (0..rows).step_by(2) {
        let n = pair_of(rows, r0).1;
        let pair = &mut qs[r0 * cols..(r0 + n) * cols];
        for (a, row) in pair.chunks_mut(cols).enumerate() {
            pack_row(row);
            for (c, chunk) in row.chunks(CHUNK_BYTES).enumerate() {
                let at = chunk_start(nb, n, a, c);
                tmp[at..at + chunk.len()].copy_from_slice(chunk);
            }
        }
        pair.copy_from_slice(&tmp[..n * cols]);
    }
}

/// The inverse of [`pack`].
pub(super) fn unpack(qs: &mut [i8], rows: usize, cols: usize) {
    let nb = cols / QK;
    let mut tmp = vec![0i8; 2 * cols];
    for r0 in (0..rows).step_by(2) {
        let n = pair_of(rows, r0).1;
        let pair = &mut qs[r0 * cols..(r0 + n) * cols];
        for (a, row) in tmp[..n * cols].chunks_mut(cols).enumerate() {
            for (c, chunk) in row.chunks_mut(CHUNK_BYTES).enumerate() {
                let at = chunk_start(nb, n, a, c);
                chunk.copy_from_slice(&pair[at..at + chunk.len()]);
            }
            unpack_row(row);
        }
        pair.copy_from_slice(&tmp[..n * cols]);
    }
}

/// Value `i` of block `b` of row `r` of a `rows x cols` matrix stored by [`pack`].
pub(super) fn packed_value(
    qs: &[i8],
    rows: usize,
    cols: usize,
    r: usize,
    b: usize,
    i: usize,
) -> i8 {
    let nb = cols / QK;
    let (r0, n) = pair_of(rows, r);
    let (c, k) = (b / CHUNK, b % CHUNK);
    let at = r0 * cols + chunk_start(nb, n, r - r0, c) + packed_at(chunk_blocks(nb, c), k, i);
    qs[at] ^ i8::MIN
}

/// Quantized activation rows laid out for the kernel: every chunk like the weights' (see
/// [`packed_at`]), the last one padded with zero blocks (a zero activation block contributes
/// exactly nothing).
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
        let mut x = Vec::with_capacity(n * chunks * CHUNK);
        let mut corr = Vec::with_capacity(n * chunks);
        let mut d = Vec::with_capacity(n * chunks);
        for row in 0..n {
            let xr = &xq[row * nb * QK..(row + 1) * nb * QK];
            for c in 0..chunks {
                let p = chunk_blocks(nb, c);
                let mut sums = [0i32; CHUNK];
                let mut scales = [0f32; CHUNK];
                let mut bytes = [0i8; CHUNK_BYTES];
                for k in 0..p {
                    let b = c * CHUNK + k;
                    let blk = &xr[b * QK..(b + 1) * QK];
                    sums[k] = -128 * blk.iter().map(|&v| i32::from(v)).sum::<i32>();
                    scales[k] = xd[row * nb + b];
                    for (i, &v) in blk.iter().enumerate() {
                        bytes[packed_at(p, k, i)] = v;
                    }
                }
                let (vs, _) = bytes.as_chunks::<32>();
                x.extend(vs.iter().map(|v| bytemuck::cast::<[i8; 32], __m256i>(*v)));
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

/// Dot products of weight rows `rows` (stored by [`pack`], `cols` values each; block scales
/// `d` as f16 bits) with activation rows `range`: activation row `i`'s results go to
/// `outs[i]`, weight row `rows.start + k` at `k`.
#[expect(
    unsafe_code,
    reason = "entering code compiled for AVX-512 VNNI from code compiled without it"
)]
pub(super) fn dots(
    qs: &[i8],
    d: &[u16],
    cols: usize,
    rows: Range<usize>,
    acts: &Acts,
    range: Range<usize>,
    outs: &mut [&mut [f32]],
) {
    debug_assert!(available());
    let mat = Mat {
        qs,
        d,
        rows: qs.len() / cols,
        cols,
    };
    // SAFETY: this kernel is chosen only when `available()` found every feature `dots_tf` is
    // compiled with; the function itself is safe code (no pointers, bounds-checked slices).
    unsafe { dots_tf(mat, rows, acts, range, outs) }
}

/// The matrix a tile reads: values, scales, row width.
#[derive(Clone, Copy)]
struct Mat<'a> {
    qs: &'a [i8],
    d: &'a [u16],
    rows: usize,
    cols: usize,
}

#[target_feature(enable = "avx2,fma,f16c,avx512vl,avx512vnni")]
fn dots_tf(
    mat: Mat<'_>,
    rows: Range<usize>,
    acts: &Acts,
    range: Range<usize>,
    outs: &mut [&mut [f32]],
) {
    debug_assert_eq!(rows.start % 2, 0, "weight rows are taken in whole pairs");
    // Activation rows in fours, each group meeting every weight row of the task while those
    // rows (about 64 KiB) stay in cache.
    let mut i = range.start;
    while i < range.end {
        let m = (range.end - i).min(4);
        let outs = &mut outs[i..i + m];
        match m {
            4 => run::<4>(mat, rows.clone(), acts, i, outs),
            3 => run::<3>(mat, rows.clone(), acts, i, outs),
            2 => run::<2>(mat, rows.clone(), acts, i, outs),
            _ => run::<1>(mat, rows.clone(), acts, i, outs),
        }
        i += m;
    }
}

/// Activation rows `i..i + M`, split by chunk, once for every weight row they meet.
struct Group<'a, const M: usize> {
    x: [&'a [[__m256i; CHUNK]]; M],
    corr: [&'a [__m256i]; M],
    d: [&'a [__m256]; M],
}

/// Activation rows `i..i + M` against weight rows `rows`, in their stored pairs (each
/// activation vector loaded once serves both, and the pair is one stream in memory): with
/// four activation rows, 8 independent accumulators, enough to keep `vpdpbusd` busy, and with
/// their float sums, the loaded vectors and the scales, within the 32 registers.
#[target_feature(enable = "avx2,fma,f16c,avx512vl,avx512vnni")]
#[inline]
fn run<const M: usize>(
    mat: Mat<'_>,
    rows: Range<usize>,
    acts: &Acts,
    i: usize,
    outs: &mut [&mut [f32]],
) {
    let chunks = acts.chunks;
    let xrow = |b: usize| (i + b) * chunks..(i + b + 1) * chunks;
    let group = Group::<M> {
        x: std::array::from_fn(|b| {
            acts.x[xrow(b).start * CHUNK..xrow(b).end * CHUNK]
                .as_chunks()
                .0
        }),
        corr: std::array::from_fn(|b| &acts.corr[xrow(b)]),
        d: std::array::from_fn(|b| &acts.d[xrow(b)]),
    };
    let mut r = rows.start;
    while r < rows.end {
        let k = r - rows.start;
        if pair_of(mat.rows, r).1 == 2 {
            let sums = tile::<2, M>(mat, r, acts.nb, &group);
            for (out, s) in outs.iter_mut().zip(transpose(sums)) {
                out[k..k + 2].copy_from_slice(&s);
            }
            r += 2;
        } else {
            let [sums] = tile::<1, M>(mat, r, acts.nb, &group);
            for (out, s) in outs.iter_mut().zip(sums) {
                out[k] = s;
            }
            r += 1;
        }
    }
}

/// Eight f16 scales as f32.
#[target_feature(enable = "avx2,f16c")]
#[inline]
fn scales8(h: [u16; CHUNK]) -> __m256 {
    _mm256_cvtph_ps(bytemuck::cast::<[u16; CHUNK], __m128i>(h))
}

/// Vector `t` of a chunk of 256 bytes.
#[inline(always)]
fn vec_at(chunk: &[i8; CHUNK_BYTES], t: usize) -> __m256i {
    let (vs, _) = chunk.as_chunks::<32>();
    bytemuck::cast(vs[t])
}

/// Weight rows `r..r + R` (rows of `nb` blocks) against the activation rows of `group`: the
/// result for weight row `r + a` and the group's activation row `b` is at `[a][b]`.
///
/// Per full chunk, each (weight row, activation row) pair's eight block dot products build up
/// in one register, started from the activation's sign correction, then are scaled and added
/// to the pair's float sums in one multiply-add. The operations for a pair are the same for
/// every `R` and `M`, so the result does not depend on which rows share a tile.
#[target_feature(enable = "avx2,fma,f16c,avx512vl,avx512vnni")]
#[inline]
fn tile<const R: usize, const M: usize>(
    mat: Mat<'_>,
    r: usize,
    nb: usize,
    group: &Group<'_, M>,
) -> [[f32; M]; R] {
    let (chunks, cols) = (nb.div_ceil(CHUNK), mat.cols);
    let full = nb / CHUNK;
    let zero = _mm256_setzero_si256();
    // The pair's full chunks, alternating between its rows: chunk `c` of row `a` is
    // `w[c * R + a]`.
    let pair = &mat.qs[r * cols..(r + R) * cols];
    let w: &[[i8; CHUNK_BYTES]] = pair[..full * R * CHUNK_BYTES].as_chunks().0;
    let wd: [&[[u16; CHUNK]]; R] =
        std::array::from_fn(|a| mat.d[(r + a) * nb..(r + a + 1) * nb].as_chunks().0);
    let Group { x, corr, d: xd } = group;
    let mut acc = [[_mm256_setzero_ps(); M]; R];
    // Independent chains of `vpdpbusd` per pair: enough in flight to hide its latency when
    // the tile alone has few (the integer sums are exact whatever the split).
    let k = if R * M >= 6 {
        1
    } else if R * M >= 2 {
        2
    } else {
        4
    };
    for c in 0..full {
        let mut ch = [[[zero; M]; R]; 4];
        ch[0] = [std::array::from_fn(|b| corr[b][c]); R];
        for t in 0..CHUNK {
            let xv: [__m256i; M] = std::array::from_fn(|b| x[b][c][t]);
            let s = &mut ch[t % k];
            for a in 0..R {
                let wv = vec_at(&w[c * R + a], t);
                for b in 0..M {
                    s[a][b] = _mm256_dpbusd_epi32(s[a][b], wv, xv[b]);
                }
            }
        }
        let mut s = ch[0];
        for part in &ch[1..k] {
            for (sa, pa) in s.iter_mut().zip(part) {
                for (v, pv) in sa.iter_mut().zip(pa) {
                    *v = _mm256_add_epi32(*v, *pv);
                }
            }
        }
        for a in 0..R {
            let ws = scales8(wd[a][c]);
            for b in 0..M {
                let scale = _mm256_mul_ps(ws, xd[b][c]);
                acc[a][b] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s[a][b]), scale, acc[a][b]);
            }
        }
    }
    if chunks > full {
        // The last chunk, of fewer than eight blocks.
        let p = nb - full * CHUNK;
        let wt: [&[[i8; 32]]; R] = std::array::from_fn(|a| {
            let at = chunk_start(nb, R, a, full);
            pair[at..at + p * QK].as_chunks().0
        });
        let mut s: [[__m256i; M]; R] = [std::array::from_fn(|b| corr[b][full]); R];
        // `p` divides eight (1, 2 or 4; tested without a division, which costs more here
        // than the rest of the tail).
        if p.is_power_of_two() {
            // Interleaved like a full chunk, but lane `L` holds part of block `L % p`: the same
            // steps over `p` vectors, then the lanes folded.
            for t in 0..p {
                let xv: [__m256i; M] = std::array::from_fn(|b| x[b][full][t]);
                for a in 0..R {
                    let wv = bytemuck::cast(wt[a][t]);
                    for b in 0..M {
                        s[a][b] = _mm256_dpbusd_epi32(s[a][b], wv, xv[b]);
                    }
                }
            }
            for sa in &mut s {
                for v in sa.iter_mut() {
                    *v = fold(*v, p);
                }
            }
        } else {
            // Block order: one vector per block, each summed across its lanes.
            for (a, sa) in s.iter_mut().enumerate() {
                for (b, v) in sa.iter_mut().enumerate() {
                    let mut dots = [zero; CHUNK];
                    for (t, (dot, w)) in dots.iter_mut().zip(wt[a]).enumerate() {
                        *dot = _mm256_dpbusd_epi32(zero, bytemuck::cast(*w), x[b][full][t]);
                    }
                    *v = _mm256_add_epi32(reduce8(&dots), *v);
                }
            }
        }
        for a in 0..R {
            // Lanes from `p` on hold partial sums; their scales are zero.
            let ws = tail_scales(&mat.d[(r + a) * nb..(r + a + 1) * nb], p);
            for b in 0..M {
                let scale = _mm256_mul_ps(ws, xd[b][full]);
                acc[a][b] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s[a][b]), scale, acc[a][b]);
            }
        }
    }
    acc.map(|accs| match <&[__m256; 4]>::try_from(&accs[..]) {
        Ok(four) => {
            let sums = sum_lanes4(four);
            std::array::from_fn(|b| sums[b])
        }
        Err(_) => accs.map(sum_lanes),
    })
}

/// `[a][b]` to `[b][a]` for two weight rows.
fn transpose<const M: usize>(v: [[f32; M]; 2]) -> [[f32; 2]; M] {
    std::array::from_fn(|b| [v[0][b], v[1][b]])
}

/// The sum of a vector's eight lanes, in the one order every tile uses (see [`sum_lanes4`]).
#[inline(always)]
fn sum_lanes(v: __m256) -> f32 {
    let l: [f32; 8] = bytemuck::cast(v);
    ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]))
}

/// [`sum_lanes`] of four vectors at once, with the same additions in the same order.
#[target_feature(enable = "avx2,avx512vl")]
#[inline]
fn sum_lanes4(v: &[__m256; 4]) -> [f32; 4] {
    // Per vector: lanes (l0 + l4, l1 + l5, l2 + l6, l3 + l7), two vectors per register.
    let s01 = _mm256_add_ps(
        _mm256_permute2f128_ps::<0x20>(v[0], v[1]),
        _mm256_permute2f128_ps::<0x31>(v[0], v[1]),
    );
    let s23 = _mm256_add_ps(
        _mm256_permute2f128_ps::<0x20>(v[2], v[3]),
        _mm256_permute2f128_ps::<0x31>(v[2], v[3]),
    );
    // (l0 + l4) + (l1 + l5) and (l2 + l6) + (l3 + l7), then their sum: lanes r0 r2 r0 r2 |
    // r1 r3 r1 r3.
    let h = _mm256_hadd_ps(s01, s23);
    let g = _mm256_hadd_ps(h, h);
    let r = _mm256_permutexvar_ps(_mm256_setr_epi32(0, 4, 1, 5, 0, 0, 0, 0), g);
    let l: [f32; 8] = bytemuck::cast(r);
    [l[0], l[1], l[2], l[3]]
}

/// Lanes of an interleaved chunk of `p` blocks (`p` dividing eight) folded so lane `k < p`
/// holds block `k`'s whole sum.
#[target_feature(enable = "avx2")]
#[inline]
fn fold(v: __m256i, p: usize) -> __m256i {
    let mut v = v;
    if p <= 4 {
        v = _mm256_add_epi32(v, _mm256_permute2x128_si256::<0x01>(v, v));
    }
    if p <= 2 {
        v = _mm256_add_epi32(v, _mm256_shuffle_epi32::<0b01_00_11_10>(v));
    }
    if p == 1 {
        v = _mm256_add_epi32(v, _mm256_shuffle_epi32::<0b10_11_00_01>(v));
    }
    v
}

/// The scales of a row's last `p` blocks (`row_d` is the row's), in lanes `0..p`, zeros after.
#[target_feature(enable = "avx2,f16c,avx512vl")]
#[inline]
fn tail_scales(row_d: &[u16], p: usize) -> __m256 {
    match row_d.last_chunk::<CHUNK>() {
        // The row's last eight scales, moved down so the last `p` start at lane 0 (no
        // narrow stores read back wide: this runs once per row and tile).
        Some(&h) => {
            let idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
            let shift = _mm256_set1_epi32((CHUNK - p) as i32);
            _mm256_maskz_permutexvar_ps(
                ((1u32 << p) - 1) as u8,
                _mm256_add_epi32(idx, shift),
                scales8(h),
            )
        }
        None => {
            let mut h = [0u16; CHUNK];
            h[..p].copy_from_slice(&row_d[row_d.len() - p..]);
            scales8(h)
        }
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
