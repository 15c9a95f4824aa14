// llama.cpp's side of the benchmark (node-llama-cpp 3.21.1, prebuilt CPU binaries): load the GGUF,
// prefill the prompt, decode N tokens greedily; print one JSON object.
// Usage: node llama_side.mjs MODEL.gguf PROMPT_FILE THREADS DECODE_TOKENS
import {getLlama} from "node-llama-cpp";
import {readFileSync} from "node:fs";
import {performance} from "node:perf_hooks";

const [modelPath, promptFile, threadsArg, decodeArg] = process.argv.slice(2);
const threads = Number(threadsArg ?? 2);
const nDecode = Number(decodeArg ?? 64);
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const t0 = performance.now();
const model = await llama.loadModel({modelPath, gpuLayers: 0});
const loadS = (performance.now() - t0) / 1000;
const context = await model.createContext({contextSize: 1024, batchSize: 512, threads});
const prompt = readFileSync(promptFile, "utf8");
const tokens = model.tokenize(prompt, true);

async function run(n) {
  const seq = context.getSequence();
  const out = [];
  const start = performance.now();
  const c0 = process.cpuUsage();
  let first = 0;
  let c1 = c0;
  for await (const tok of seq.evaluate(tokens, {temperature: 0})) {
    if (out.length === 0) {
      first = performance.now();
      c1 = process.cpuUsage();
    }
    out.push(tok);
    if (out.length >= n + 1) break;
  }
  const end = performance.now();
  const c2 = process.cpuUsage();
  seq.dispose();
  const cpu = (a, b) => (b.user + b.system - a.user - a.system) / 1e6;
  return {out, prefillS: (first - start) / 1000, decodeS: (end - first) / 1000,
    prefillCpu: cpu(c0, c1), decodeCpu: cpu(c1, c2)};
}

await run(2); // warm-up
const r = await run(nDecode);
console.log(JSON.stringify({
  engine: "llama.cpp",
  load_s: loadS,
  threads: context.currentThreads ?? threads,
  prompt_tokens: tokens.length,
  prefill_tok_s: tokens.length / r.prefillS,
  decode_tokens: r.out.length - 1,
  decode_tok_s: (r.out.length - 1) / r.decodeS,
  prefill_cpu_ms_per_tok: r.prefillCpu * 1000 / tokens.length,
  decode_cpu_ms_per_tok: r.decodeCpu * 1000 / (r.out.length - 1),
  text: model.detokenize(r.out),
  peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
}));
await context.dispose();
await model.dispose();
