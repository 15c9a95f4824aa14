// Print candor vs llama.cpp side by side, with ratios and the goals.
import {readFileSync} from "node:fs";
const [candorFile, llamaFile, cpu, threads] = process.argv.slice(2);
const c = JSON.parse(readFileSync(candorFile, "utf8"));
const l = JSON.parse(readFileSync(llamaFile, "utf8"));
const mb = (b) => (b / 1e6).toFixed(0) + " MB";
const f = (x) => x.toFixed(1);
console.log(`cpu: ${cpu.trim()}, threads: ${threads}, prompt: ${c.prompt_tokens} tokens (llama.cpp: ${l.prompt_tokens})`);
console.log(`${"".padEnd(22)}${"candor".padStart(12)}${"llama.cpp".padStart(12)}${"ratio".padStart(9)}`);
const row = (name, a, b, fmt = f) => console.log(`${name.padEnd(22)}${fmt(a).padStart(12)}${fmt(b).padStart(12)}${(a / b).toFixed(2).padStart(8)}x`);
row("prefill tok/s", c.prefill_tok_s, l.prefill_tok_s);
row("decode tok/s", c.decode_tok_s, l.decode_tok_s);
row("peak RSS", c.peak_rss_bytes, l.peak_rss_bytes, mb);
console.log(`model file ${mb(c.model_file_bytes)}; candor RSS over file: ${mb(c.peak_rss_bytes - c.model_file_bytes)} (goal <= 300 MB)`);
console.log(`openers/min: single-stream ${f(c.single_openers_per_min)}, batched (batch ${c.batch}) ${f(c.batched_openers_per_min)}: ${(c.batched_openers_per_min / c.single_openers_per_min).toFixed(2)}x (goal >= 3x); batched == single: ${c.batched_equals_single}`);
console.log(`goal decode >= 1.0x llama.cpp: ${(c.decode_tok_s / l.decode_tok_s).toFixed(2)}x`);
console.log(`same greedy start: ${c.text.slice(0, 60) === l.text.slice(0, 60)}`);
console.log(`  candor:    ${JSON.stringify(c.text.slice(0, 120))}`);
console.log(`  llama.cpp: ${JSON.stringify(l.text.slice(0, 120))}`);
