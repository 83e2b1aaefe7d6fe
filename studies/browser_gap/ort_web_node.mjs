// onnxruntime-web's wasm build in Node, for studies/browser_gap/: the same
// ort-wasm-simd-threaded.wasm the demo loads in the browser, timed and (optionally) profiled per operator,
// which the browser cannot hand back (onnxruntime-web prints its profile to the console at endProfiling).
//
//   node ort_web_node.mjs < job.json
//   job: {dist, model, threads, warmup, runs, options, out, inputs: [{name, type, dims, file}]}
//     dist     folder of onnxruntime-web's dist files (wasm_demo/node_modules/onnxruntime-web/dist)
//     options  onnxruntime-web session options (executionProviders is always ['wasm'])
//     inputs   raw little-endian tensor data in `file`; type 'float32' | 'uint8' | 'int8' | 'float16'
//     out      where the result goes: {samples: [ms per run, warm-up excluded], version}
// With options.enableProfiling the profile (onnxruntime's JSON events) is printed on stdout after the runs.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const job = JSON.parse(fs.readFileSync(0, 'utf8'));
const ort = await import(pathToFileURL(path.join(job.dist, 'ort.node.min.mjs')).href);
ort.env.wasm.numThreads = job.threads;
ort.env.logLevel = 'error';
const session = await ort.InferenceSession.create(fs.readFileSync(job.model), {
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
  logSeverityLevel: 3,
  ...job.options,
  executionProviders: ['wasm'],
});
const arrays = { float32: Float32Array, uint8: Uint8Array, int8: Int8Array, float16: Uint16Array };
const feeds = {};
for (const input of job.inputs) {
  const bytes = fs.readFileSync(input.file);
  const Array_ = arrays[input.type];
  const data = new Array_(bytes.buffer, bytes.byteOffset, bytes.byteLength / Array_.BYTES_PER_ELEMENT);
  feeds[input.name] = new ort.Tensor(input.type, data, input.dims);
}
const samples = [];
for (let i = 0; i < job.warmup + job.runs; i++) {
  const t0 = performance.now();
  const results = await session.run(feeds);
  const ms = performance.now() - t0;
  for (const t of Object.values(results)) t.dispose?.();
  if (i >= job.warmup) samples.push(ms);
}
fs.writeFileSync(job.out, JSON.stringify({ samples, version: ort.env.versions?.web ?? null }));
if (job.options?.enableProfiling) session.endProfiling();
await session.release();
process.exit(0);
