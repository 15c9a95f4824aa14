//! candor's side of `bench/local`: prefill and decode tokens/s, openers per minute single-stream
//! vs batched, and peak RSS, printed as one JSON object on stdout.
//!
//! Usage: bench_local --pull MODEL_NAME   (prints the verified file's path)
//!        bench_local MODEL_NAME_OR_PATH PROMPT_FILE [--decode N] [--recipients K] [--batch B]
//! Threads: set RAYON_NUM_THREADS (the driver sets 2).

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::path::PathBuf;
use std::time::Instant;

use candor_local::registry::{self, StderrProgress};
use candor_local::{
    opener_params, opener_prompt, GenRequest, KvCache, LoadOptions, LocalModel, SampleParams,
};

fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// CPU seconds (user + system, all threads) this process has used: robust to a busy machine
/// where wall-clock rates mostly measure the other processes.
fn cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of stat; `after` starts at field 3.
    (tick(11) + tick(12)) / 100.0
}

fn argmax(v: &[f32]) -> u32 {
    let mut b = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[b] {
            b = i;
        }
    }
    b as u32
}

/// Demo-like recipients: dense and sparse fact blocks.
fn recipients(k: usize) -> Vec<String> {
    let names = ["Ana", "Li", "Sam", "Priya", "Jonas", "Maya", "Omar", "Eva"];
    let cities = ["Porto", "Leeds", "Austin", "Pune", "Graz", "Lyon"];
    let items = [
        "hiking boots",
        "rain jacket",
        "trail socks",
        "daypack",
        "camp stove",
    ];
    (0..k)
        .map(|i| match i % 3 {
            0 => format!(
                "first_name: {}\ncity: {}\nlast_purchase: {} (2026-10-{:02})\nmember_since: {}",
                names[i % names.len()],
                cities[i % cities.len()],
                items[i % items.len()],
                1 + i % 28,
                2015 + i % 10
            ),
            1 => format!("first_name: {}", names[i % names.len()]),
            _ => String::new(),
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--pull") {
        let spec = registry::find_model(args.get(2).expect("model name")).expect("known model");
        let dir = registry::default_models_dir().unwrap();
        let path = registry::ensure_model(spec, &dir, &mut StderrProgress::default()).unwrap();
        println!("{}", path.display());
        return;
    }
    let model_arg = args.get(1).expect("model name or path");
    let prompt_file = args.get(2).expect("prompt file");
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let n_decode = flag("--decode", 64);
    let n_recipients = flag("--recipients", 32);
    let batch = flag("--batch", candor_local::DEFAULT_MAX_BATCH);
    let opener_tokens = flag("--opener-tokens", 48);

    let path = if std::path::Path::new(model_arg).exists() {
        PathBuf::from(model_arg)
    } else {
        let spec = registry::find_model(model_arg).expect("known model");
        registry::ensure_model(
            spec,
            &registry::default_models_dir().unwrap(),
            &mut StderrProgress::default(),
        )
        .unwrap()
    };
    let file_bytes = std::fs::metadata(&path).unwrap().len();
    let t = Instant::now();
    let model = LocalModel::load(&path, &LoadOptions { max_context: 1024 }).unwrap();
    let load_s = t.elapsed().as_secs_f64();
    let rss_after_load = peak_rss_kb() * 1024;

    // Same prompt text as llama.cpp's side: tokenized with special tokens, no BOS added.
    let prompt = std::fs::read_to_string(prompt_file).unwrap();
    let tokens = model.tokenizer().encode(&prompt, true);
    let cfg = model.config().clone();
    let weights_forward =
        |cache: &mut KvCache, toks: &[u32]| -> Vec<f32> { model.forward_one(cache, toks).unwrap() };
    // Warm-up (first call packs weights for the fast kernels).
    {
        let mut c = KvCache::new(&cfg, 64);
        weights_forward(&mut c, &tokens[..tokens.len().min(16)]);
        weights_forward(&mut c, &[tokens[0]]);
    }
    let mut cache = KvCache::new(&cfg, tokens.len() + n_decode + 1);
    let t = Instant::now();
    let c0 = cpu_s();
    let logits = weights_forward(&mut cache, &tokens);
    let prefill_s = t.elapsed().as_secs_f64();
    let prefill_cpu = cpu_s() - c0;
    let mut next = argmax(&logits);
    let mut out = vec![next];
    let t = Instant::now();
    let c0 = cpu_s();
    for _ in 0..n_decode {
        let l = weights_forward(&mut cache, &[next]);
        next = argmax(&l);
        out.push(next);
    }
    let decode_s = t.elapsed().as_secs_f64();
    let decode_cpu = cpu_s() - c0;
    let text = model.tokenizer().decode(&out);

    // Openers: single-stream (prefix reused) vs batched.
    let reqs: Vec<GenRequest> = recipients(n_recipients)
        .iter()
        .map(|facts| {
            let parts = opener_prompt(
                "Northwind Outfitters",
                "warm, plain, no hype",
                "Spring sale: 20% off rain jackets until April 30.",
                facts,
            );
            let params = SampleParams {
                max_tokens: opener_tokens,
                ..opener_params()
            };
            model.chat_request(&parts.to_messages(), 1, params).unwrap()
        })
        .collect();
    model.generate(&reqs[0]).unwrap(); // computes the static prefix once
    let t = Instant::now();
    let mut single_out = 0;
    let mut single_prompt = 0;
    let mut single_texts = Vec::new();
    for r in &reqs {
        let g = model.generate(r).unwrap();
        single_out += g.output_tokens;
        single_prompt += g.prompt_tokens;
        single_texts.push(g.text);
    }
    let single_s = t.elapsed().as_secs_f64();
    // Batched as the provider runs it: up to `batch` in flight, a finished opener's slot
    // refilled at the next step (continuous batching).
    let t = Instant::now();
    let mut batch_out = 0;
    let mut same = true;
    let mut step_log: Vec<(bool, usize, f64)> = Vec::new();
    {
        let mut session = model.session().unwrap();
        let mut queue = reqs.iter().enumerate();
        let mut ids = std::collections::HashMap::new();
        loop {
            let mut added = false;
            while session.len() < batch {
                match queue.next() {
                    Some((i, r)) => {
                        ids.insert(session.add(r.clone()).unwrap(), i);
                        added = true;
                    }
                    None => break,
                }
            }
            if session.is_empty() {
                break;
            }
            let st = Instant::now();
            let live = session.len();
            let done = session.step().unwrap();
            step_log.push((added, live, st.elapsed().as_secs_f64()));
            for (id, g) in done {
                batch_out += g.output_tokens;
                same &= g.text == single_texts[ids[&id]];
            }
        }
    }
    let batch_s = t.elapsed().as_secs_f64();
    // Where the batched time goes: steps that took in new openers (their prompt rows) and
    // steps that only decoded, with every slot full.
    let (mut fill_steps, mut fill_s, mut full_steps, mut full_s) = (0, 0.0, 0, 0.0);
    for (added, live, secs) in &step_log {
        if *added {
            fill_steps += 1;
            fill_s += secs;
        } else if *live == batch {
            full_steps += 1;
            full_s += secs;
        }
    }

    let json = serde_json::json!({
        "engine": "candor",
        "model_file_bytes": file_bytes,
        "load_s": load_s,
        "prompt_tokens": tokens.len(),
        "prefill_tok_s": tokens.len() as f64 / prefill_s,
        "decode_tokens": n_decode,
        "decode_tok_s": n_decode as f64 / decode_s,
        "prefill_cpu_ms_per_tok": prefill_cpu * 1000.0 / tokens.len() as f64,
        "decode_cpu_ms_per_tok": decode_cpu * 1000.0 / n_decode as f64,
        "text": text,
        "openers": n_recipients,
        "batch": batch,
        "single_openers_per_min": n_recipients as f64 / single_s * 60.0,
        "single_output_tok_s": single_out as f64 / single_s,
        "batched_openers_per_min": n_recipients as f64 / batch_s * 60.0,
        "batched_output_tok_s": batch_out as f64 / batch_s,
        "batched_equals_single": same,
        "batched_s": batch_s,
        "batched_prompt_steps": fill_steps,
        "batched_prompt_steps_s": fill_s,
        "batched_full_decode_step_ms": full_s / f64::from(full_steps.max(1)) * 1e3,
        "opener_uncached_prompt_tokens": single_prompt as f64 / n_recipients as f64,
        "opener_output_tokens": single_out as f64 / n_recipients as f64,
        "sample_openers": &single_texts[..single_texts.len().min(3)],
        "peak_rss_bytes": peak_rss_kb() * 1024,
        "peak_rss_after_load_bytes": rss_after_load,
        "weights_bytes": model.weights_bytes(),
    });
    println!("{json}");
}
