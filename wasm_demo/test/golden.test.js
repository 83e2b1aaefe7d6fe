// Golden tests: the JS pre-processing, decoders and onnxruntime-web runs against what Python produced
// from the same inputs (wasm_demo/test/make_golden.py: generator/preprocess.py, onnxruntime, and the
// reference decoder generator/decode.py).
//
// - preprocess.json: letterbox geometry must be identical; small images resized in JS must be within one
//   pixel level of OpenCV's fixed-point resize, padding/layout/normalization exact.
// - tiny-ultralytics.onnx: the bring-your-own-model path end to end (metadata -> runtime spec ->
//   onnxruntime-web -> decode), no artifact needed.
// - <artifact>__<image>.json: the JS input tensor must hash to the Python one; the JS decoder on the
//   Python raw output must give the reference detections within 1e-4; and, when
//   artifacts/<artifact>/model.onnx is present and holds the graph the golden data came from (metadata may
//   differ), onnxruntime-web
//   run on the same tensor must match the Python raw output and the reference detections.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

import { buildTensor, geometryFor, imageInputName, letterboxGeometry, prepareFromRGBA } from '../src/preprocess.js';
import { extractCandidates, filterCandidates } from '../src/decoders.js';
import { iou } from '../src/nms.js';
import { graphRange, readOnnxInfo, runtimeFromUltralytics } from '../src/onnx-info.js';
import { settings } from './settings.js';

const HERE = dirname(fileURLToPath(import.meta.url));
// VERSUS_GOLDEN: golden data made by make_golden.py from the artifacts at hand (.ci/test does this, since
// converters are not byte-deterministic); default: the committed snapshot.
const GOLDEN = process.env.VERSUS_GOLDEN ?? join(HERE, 'golden');
const ARTIFACTS = settings.artifacts; // the project's artifacts folder (README: Settings)
const NO_ORT = existsSync(join(HERE, '..', 'node_modules', 'onnxruntime-web', 'package.json'))
  ? false
  : 'onnxruntime-web is not installed (npm ci --prefix wasm_demo): skipped';

let ortPromise = null;
function loadOrt() {
  ortPromise ??= import('onnxruntime-web').then((ort) => {
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = 'error';
    return ort;
  });
  return ortPromise;
}

function readJson(name) {
  return JSON.parse(readFileSync(join(GOLDEN, name), 'utf8'));
}

function rgbToRgba(rgb, width, height) {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    out[i * 4] = rgb[i * 3];
    out[i * 4 + 1] = rgb[i * 3 + 1];
    out[i * 4 + 2] = rgb[i * 3 + 2];
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** make_golden.py `expand`: integer bilinear upsampling by k, the same arithmetic step by step. */
export function expandFrame(rgb, width, height, k) {
  if (k === 1) return { rgb: Uint8Array.from(rgb), width, height };
  const den = 2 * k;
  const taps = (n) => {
    const i0 = new Int32Array(n * k), i1 = new Int32Array(n * k), f = new Int32Array(n * k);
    for (let o = 0; o < n * k; o++) {
      const num = 2 * o + 1 - k;
      let a = Math.floor(num / den);
      let fr = num - a * den;
      if (a < 0) [a, fr] = [0, 0];
      if (a >= n - 1) [a, fr] = [n - 1, 0];
      i0[o] = a;
      i1[o] = Math.min(a + 1, n - 1);
      f[o] = fr;
    }
    return { i0, i1, f };
  };
  const W = width * k, H = height * k;
  const xs = taps(width), ys = taps(height);
  const rows = new Int32Array(height * W * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 3; c++) {
        const a = rgb[(y * width + xs.i0[x]) * 3 + c], b = rgb[(y * width + xs.i1[x]) * 3 + c];
        rows[(y * W + x) * 3 + c] = a * (den - xs.f[x]) + b * xs.f[x];
      }
    }
  }
  const out = new Uint8Array(W * H * 3);
  const d2 = den * den;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 3; c++) {
        const a = rows[(ys.i0[y] * W + x) * 3 + c], b = rows[(ys.i1[y] * W + x) * 3 + c];
        out[(y * W + x) * 3 + c] = Math.floor((a * (den - ys.f[y]) + b * ys.f[y] + d2 / 2) / d2);
      }
    }
  }
  return { rgb: out, width: W, height: H };
}

/** Same class, IoU >= minIou, |score| <= scoreTol, one to one, in both directions. */
function assertSameDetections(actual, expected, { minIou, scoreTol, boxTol = null, what }) {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} detections, reference has ${expected.length}`);
  const used = new Set();
  for (const e of expected) {
    let best = -1, bestIou = -1;
    actual.forEach((a, i) => {
      if (used.has(i) || a.className !== e.className) return;
      const v = iou(a.box, e.box);
      if (v > bestIou) [best, bestIou] = [i, v];
    });
    assert.ok(best >= 0, `${what}: no twin for ${e.className} ${e.score.toFixed(3)} [${e.box.map((v) => v.toFixed(1))}]`);
    used.add(best);
    const a = actual[best];
    assert.ok(bestIou >= minIou, `${what}: ${e.className} IoU ${bestIou} < ${minIou}`);
    assert.ok(Math.abs(a.score - e.score) <= scoreTol, `${what}: ${e.className} score ${a.score} vs ${e.score}`);
    if (boxTol !== null) {
      a.box.forEach((v, i) => assert.ok(Math.abs(v - e.box[i]) <= boxTol, `${what}: box ${a.box} vs ${e.box}`));
    }
  }
}

// --- pre-processing against generator/preprocess.py ----------------------------------------------------

const havePreprocess = existsSync(join(GOLDEN, 'preprocess.json'));

test('golden: letterbox geometry equals the Python reference for every size', { skip: !havePreprocess && 'no golden/preprocess.json (run make_golden.py)' }, () => {
  const { geometry } = readJson('preprocess.json');
  assert.ok(geometry.length > 50);
  for (const g of geometry) {
    const js = letterboxGeometry(g.width, g.height, g.size);
    const where = `${g.width}x${g.height} -> ${g.size}`;
    assert.deepEqual(
      [js.resizedWidth, js.resizedHeight, js.left, js.top, js.right, js.bottom],
      [g.resizedWidth, g.resizedHeight, g.left, g.top, g.right, g.bottom],
      where,
    );
    assert.deepEqual(js.placement, g.placement, where);
  }
});

test('golden: small images to tensors match the Python reference (resize within one pixel level)', { skip: !havePreprocess && 'no golden/preprocess.json' }, () => {
  const { cases } = readJson('preprocess.json');
  for (const c of cases) {
    const { width, height, rgb } = c.image;
    const where = `${width}x${height} ${JSON.stringify(c.input)}`;
    const js = prepareFromRGBA(rgbToRgba(rgb, width, height), width, height, c.input);
    assert.deepEqual(js.dims, c.dims, where);
    assert.deepEqual(js.placement, c.placement, where);
    assert.equal(js.data.length, c.tensor.length);
    // one 0-255 level, in tensor units, per channel
    const scale = c.input.dtype === 'uint8' ? 1 : c.input.scale ?? 1;
    const stds = c.input.std ?? [1, 1, 1];
    // int8: one pixel level is less than one quantization step, so at most one step apart
    const step = c.input.dtype === 'int8' ? 1 : (scale / Math.min(...stds)) * 1.0001 + 1e-7;
    let maxDiff = 0;
    let exact = 0;
    for (let i = 0; i < js.data.length; i++) {
      const d = Math.abs(js.data[i] - Math.fround(c.tensor[i]));
      if (d === 0) exact++;
      maxDiff = Math.max(maxDiff, d);
    }
    assert.ok(maxDiff <= step, `${where}: max difference ${maxDiff} > one level ${step}`);
    assert.ok(exact / js.data.length > 0.6, `${where}: only ${exact}/${js.data.length} values identical`);
    // without resampling (the Python-resized pixels fed back), the tensor must be bit-identical:
    // build it from the reference's own layout by reading pixels back out of the Python tensor
    if (c.input.dtype === 'uint8') {
      const g = geometryFor(c.input, width, height);
      const [H, W] = c.input.size;
      const nhwc = c.input.layout === 'NHWC';
      const px = new Uint8ClampedArray(g.resizedWidth * g.resizedHeight * 4);
      for (let y = 0; y < g.resizedHeight; y++) for (let x = 0; x < g.resizedWidth; x++) {
        for (let ch = 0; ch < 3; ch++) {
          const yy = y + g.top, xx = x + g.left;
          const v = nhwc ? c.tensor[(yy * W + xx) * 3 + ch] : c.tensor[ch * H * W + yy * W + xx];
          px[(y * g.resizedWidth + x) * 4 + (c.input.color === 'BGR' ? 2 - ch : ch)] = v;
        }
      }
      assert.deepEqual(Array.from(buildTensor(px, g, c.input).data), c.tensor, where);
    }
  }
});

// --- bring your own model: a tiny Ultralytics-style graph ---------------------------------------------

const haveTiny = existsSync(join(GOLDEN, 'tiny-ultralytics.onnx'));

test('golden: a dropped Ultralytics ONNX file -> runtime spec from metadata -> onnxruntime-web -> detections', { skip: (!haveTiny && 'no golden/tiny-ultralytics.onnx') || NO_ORT }, async () => {
  const ort = await loadOrt();
  const ref = readJson('tiny-ultralytics.json');
  const bytes = readFileSync(join(GOLDEN, ref.model));
  const info = readOnnxInfo(bytes);
  const runtime = runtimeFromUltralytics(info);
  assert.deepEqual(runtime.labels, ref.labels);
  assert.deepEqual(runtime.input.size, [32, 32]);
  const { width, height, value } = ref.image;
  const rgba = new Uint8ClampedArray(width * height * 4).fill(value);
  const prepared = prepareFromRGBA(rgba, width, height, runtime.input);
  assert.deepEqual(prepared.placement, ref.placement);
  const session = await ort.InferenceSession.create(bytes);
  const input = new ort.Tensor(prepared.type, prepared.data, prepared.dims);
  const result = await session.run({ [runtime.input.name]: input });
  const outputs = session.outputNames.map((n) => result[n]);
  const c = extractCandidates(outputs, runtime, prepared.placement, {});
  const dets = filterCandidates(c, {}, runtime.labels);
  assertSameDetections(dets, ref.detections, { minIou: 0.9999, scoreTol: 1e-6, boxTol: 1e-4, what: 'tiny' });
  await session.release();
});

// --- artifacts -----------------------------------------------------------------------------------------

const goldenCases = existsSync(GOLDEN)
  ? readdirSync(GOLDEN).filter((f) => f.includes('__') && f.endsWith('.json')).sort()
  : [];

if (!goldenCases.length) {
  test('golden: artifact cases', { skip: 'no <artifact>__<image>.json in golden/ (run make_golden.py once artifacts exist)' }, () => {});
}

function outputsFrom(doc) {
  const blob = readFileSync(join(GOLDEN, doc.outputs_file));
  const floats = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
  return doc.outputs.map((o) => {
    const size = o.dims.reduce((a, b) => a * b, 1);
    const stored = floats.subarray(o.offset / 4, o.offset / 4 + o.count);
    if (o.encoding === 'full') return { name: o.name, dims: o.dims, data: Float32Array.from(stored), columns: null };
    if (o.encoding === 'rows') {
      // rows of a [1, N, K] tensor: stored as [k, K]; the rest are zeros
      const K = o.dims[2];
      const data = new Float32Array(size);
      o.rows.forEach((row, k) => data.set(stored.subarray(k * K, (k + 1) * K), row * K));
      return { name: o.name, dims: o.dims, data, rows: o.rows, stored };
    }
    // columns of a [1, R, N] tensor: stored as [k, R]; the others hold `fill` (a quantized output's zero point)
    const [, R, N] = o.dims;
    const data = new Float32Array(size).fill(o.fill ?? 0);
    o.columns.forEach((col, k) => {
      for (let r = 0; r < R; r++) data[r * N + col] = stored[k * R + r];
    });
    return { name: o.name, dims: o.dims, data, columns: o.columns, stored };
  });
}

function inputTensor(doc) {
  const f = doc.frame;
  const rgb = gunzipSync(readFileSync(join(GOLDEN, f.file)));
  assert.equal(rgb.length, f.width * f.height * 3, 'frame size');
  const image = expandFrame(rgb, f.width, f.height, f.repeat);
  return prepareFromRGBA(rgbToRgba(image.rgb, image.width, image.height), image.width, image.height, doc.runtime.input);
}

for (const name of goldenCases) {
  const doc = readJson(name);
  const label = `${doc.artifact} on ${doc.image}`;

  test(`golden ${label}: JS input tensor is bit-identical to generator/preprocess.py`, () => {
    const prepared = inputTensor(doc);
    assert.deepEqual(prepared.dims, doc.input.dims);
    assert.deepEqual(prepared.placement, doc.placement);
    const bytes = new Uint8Array(prepared.data.buffer, prepared.data.byteOffset, prepared.data.byteLength);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), doc.input.sha256);
  });

  test(`golden ${label}: JS decoder on the Python raw output equals generator/decode.py (1e-4)`, () => {
    const outputs = outputsFrom(doc);
    const c = extractCandidates(outputs, doc.runtime, doc.placement, { minScore: doc.low_threshold });
    const dets = filterCandidates(c, {}, doc.runtime.labels);
    assertSameDetections(dets, doc.reference, { minIou: 0.9999, scoreTol: 1e-4, boxTol: 1e-4, what: 'spec threshold' });
    // the page's re-filter path: a lower confidence from the same candidates, no model run
    const low = filterCandidates(c, { scoreThreshold: doc.low_threshold }, doc.runtime.labels);
    assertSameDetections(low, doc.reference_low, { minIou: 0.9999, scoreTol: 1e-4, boxTol: 1e-4, what: `threshold ${doc.low_threshold}` });
  });

  const modelPath = join(ARTIFACTS, doc.artifact, 'model.onnx');
  let skip = NO_ORT;
  if (skip) {
    // nothing to compare with
  } else if (!existsSync(modelPath)) skip = `${modelPath} not present (the export step writes it): onnxruntime-web comparison skipped`;
  else {
    const bytes = readFileSync(modelPath);
    const [start, end] = graphRange(bytes) ?? [0, 0];
    const sha = createHash('sha256').update(bytes.subarray(start, end)).digest('hex');
    if (sha !== doc.graph_sha256) skip = `${modelPath} has another graph than the one the golden data came from (re-run make_golden.py): skipped`;
  }

  test(`golden ${label}: onnxruntime-web output matches onnxruntime (Python)`, { skip }, async () => {
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(readFileSync(modelPath), { graphOptimizationLevel: 'all', logSeverityLevel: 3 });
    try {
      const prepared = inputTensor(doc);
      const input = new ort.Tensor(prepared.type, prepared.data, prepared.dims);
      const inputName = imageInputName(doc.runtime.input, session.inputNames);
      const feeds = { [inputName]: input };
      for (const [name, t] of Object.entries(prepared.extra ?? {})) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const result = await session.run(feeds);
      const golden = outputsFrom(doc);
      // an int8 graph made by versus export has float I/O but integer kernels inside (doc.integer_kernels)
      const quantized = doc.runtime.input.dtype !== 'float32' || Boolean(doc.integer_kernels);
      // ordered lists of detections (NMS or an end-to-end head's top rows): float rounding reorders rows of nearly
      // equal score, so values are compared as detections below, not element by element
      const lists = ['detection-rows', 'nms-in-graph'].includes(doc.runtime.decoder.kind);
      const ours = session.outputNames.map((n, i) => {
        const t = result[n];
        assert.deepEqual(t.dims, golden[i].dims, `output ${n} dims`);
        return { data: t.data, dims: t.dims };
      });
      // raw values where they were stored
      let worst = 0;
      golden.forEach((g, i) => {
        const data = ours[i].data;
        if (quantized) {
          // quantized graphs: the two runtimes may round a value one step apart (see ENVIRONMENT.md); compared as detections
        } else if (g.columns) {
          const [, R, N] = g.dims;
          g.columns.forEach((col, k) => {
            for (let r = 0; r < R; r++) {
              const want = g.stored[k * R + r];
              worst = Math.max(worst, Math.abs(data[r * N + col] - want) / (1 + Math.abs(want)));
            }
          });
        } else if (g.rows) {
          const K = g.dims[2];
          g.rows.forEach((row, k) => {
            for (let j = 0; j < K; j++) {
              const want = g.stored[k * K + j];
              worst = Math.max(worst, Math.abs(Number(data[row * K + j]) - want) / (1 + Math.abs(want)));
            }
          });
        } else if (!lists) {
          g.data.forEach((want, j) => (worst = Math.max(worst, Math.abs(Number(data[j]) - want) / (1 + Math.abs(want)))));
        }
      });
      assert.ok(worst <= 1e-3, `raw outputs differ by up to ${worst} (relative)`);
      const c = extractCandidates(ours, doc.runtime, prepared.placement, { minScore: doc.low_threshold });
      const dets = filterCandidates(c, {}, doc.runtime.labels);
      // a uint8 graph may differ by a quantization step between the two runtimes (see ENVIRONMENT.md)
      // an int8 graph made by versus export: its manifest's tolerance (generator/export/int8.py says what was measured)
      const int8 = doc.integer_kernels;
      const tol = int8 ? { minIou: int8.min_iou, scoreTol: int8.score_delta } : quantized ? { minIou: 0.85, scoreTol: 0.1 } : { minIou: 0.99, scoreTol: 1e-3 };
      assertSameDetections(dets, doc.reference, { ...tol, what: 'onnxruntime-web' });
    } finally {
      await session.release();
    }
  });
}
