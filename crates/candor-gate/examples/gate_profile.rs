//! Profiling aid: check the fixtures whose id contains the argument, many times, for `perf`.
//!
//! `cargo run --release -p candor-gate --example gate_profile -- long- 20000`

#![allow(clippy::print_stdout)]

#[path = "../fixtures/load.rs"]
mod load;

use std::time::Instant;

use candor_gate::Gate;

fn main() {
    let pat = std::env::args().nth(1).unwrap_or_default();
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let gate = Gate::new();
    let cases: Vec<load::Case> = load::load()
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.id.contains(&pat))
        .collect();
    let t = Instant::now();
    let mut findings = 0;
    for _ in 0..n {
        for c in &cases {
            findings += gate
                .check(&c.email, &c.recipient, &c.context)
                .findings
                .len();
        }
    }
    let per = t.elapsed().as_secs_f64() * 1e6 / (n * cases.len()).max(1) as f64;
    println!(
        "{} cases x {n}: {per:.1} µs per email ({findings} findings)",
        cases.len()
    );
}
