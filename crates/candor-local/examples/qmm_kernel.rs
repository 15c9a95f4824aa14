//! Throughput of the local tier's quantized matmul kernels on the shapes of Qwen2.5-0.5B.
//!
//! Run: `cargo run --release -p candor-local --example qmm_kernel` (not in CI). For each kernel
//! this CPU runs and each batch size, prints billions of multiply-adds per second over all
//! threads (rayon's default: one per core), the best of five rounds. Weights are random; the
//! arithmetic does not depend on the values.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::time::Instant;

use candor_local::qmm::{Kernel, QMatrix};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut seed = 1u64;
    let mut rand = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    };
    let mut kernels = vec![Kernel::Portable];
    if Kernel::best() != Kernel::Portable {
        kernels.push(Kernel::best());
    }
    // (name, rows, cols): attention q/o, FFN up/gate, FFN down, and the output head.
    let shapes = [
        ("attn 896x896", 896, 896),
        ("ffn_up 4864x896", 4864, 896),
        ("ffn_down 896x4864", 896, 4864),
        ("lm_head 151936x896", 151_936, 896),
    ];
    println!("threads: {}", rayon::current_num_threads());
    for (name, rows, cols) in shapes {
        let w: Vec<f32> = (0..rows * cols).map(|_| rand()).collect();
        let mut q = Some(QMatrix::from_f32(rows, cols, &w)?);
        drop(w);
        for n in [1usize, 8, 16, 64] {
            let x: Vec<f32> = (0..n * cols).map(|_| rand()).collect();
            let mut line = format!("{name:<20} n={n:<3}");
            for &k in &kernels {
                let m = q.take().map(|m| m.into_kernel(k));
                let Some(m) = m else { continue };
                let macs = (rows * cols * n) as f64;
                // Five rounds of about 0.1 s each; the fastest counts (on a shared machine the
                // slower rounds measure the neighbours).
                let t = Instant::now();
                std::hint::black_box(m.forward(&x, n));
                let once = t.elapsed().as_secs_f64().max(1e-6);
                let reps = ((0.1 / once) as usize).clamp(1, 10_000);
                let mut secs = f64::INFINITY;
                for _ in 0..5 {
                    let t = Instant::now();
                    for _ in 0..reps {
                        std::hint::black_box(m.forward(&x, n));
                    }
                    secs = secs.min(t.elapsed().as_secs_f64() / reps as f64);
                }
                line += &format!("  {k:?}: {:6.1} GMAC/s", macs / secs / 1e9);
                q = Some(m);
            }
            println!("{line}");
        }
    }
    Ok(())
}
