// Raw model outputs -> detections, chosen by `runtime.decoder.kind` (a table, never the model's name).
//
// Decoding is split in two so that the page can re-filter without running the model again:
//   1. `extractCandidates(outputs, runtime, placement, {minScore})`: every box whose score passes
//      `minScore`, in model-input pixels, with its label id (graph class + class_offset). Plain typed
//      arrays, so it can be posted from a worker.
//   2. `filterCandidates(candidates, options, labels)`: score threshold, NMS when the graph has none,
//      max detections, class filter; boxes mapped to the original image's pixels and clipped.
// `decode` does both. The semantics follow generator/decode.py, the Python reference, step by step
// (same comparisons, the same float32 arithmetic for Ultralytics boxes, the same NMS order).
//
// `outputs` is the session's outputs in output order, each `{data, dims}` (an ort.Tensor fits).
// A detection is `{classId, className, score, box: [x1, y1, x2, y2]}` in original image pixels.

import { nms } from './nms.js';
import { toImageBox } from './preprocess.js';

const f32 = Math.fround;

function sigmoid(x) {
  return 1 / (1 + Math.exp(-x));
}

function outputAt(outputs, index, what) {
  const out = outputs[index];
  if (!out) throw new Error(`the model has no output #${index} (${what}); it has ${outputs.length}`);
  return out;
}

/**
 * Ultralytics detection head: one `[1, 4 + C, N]` tensor, cx, cy, w, h (input pixels or normalized)
 * then C class scores. NMS runs outside the graph.
 */
function ultralyticsCandidates(outputs, runtime, minScore) {
  const decoder = runtime.decoder;
  const out = outputAt(outputs, 0, 'detections');
  const dims = out.dims;
  const C = decoder.classes;
  if (dims.length !== 3 || dims[0] !== 1 || dims[1] !== 4 + C) {
    throw new Error(
      `output shape [${dims.join(', ')}] does not fit the ultralytics decoder: expected [1, ${4 + C}, N] ` +
        `(4 box values + ${C} classes)`,
    );
  }
  const N = dims[2];
  const q = decoder.output_quantization;
  // int8 outputs: (q - zero_point) * scale in float32, as numpy does
  const data = q ? Float32Array.from(out.data, (v) => f32((Number(v) - q.zero_point) * f32(q.scale))) : out.data;
  const [inputH, inputW] = runtime.input.size;
  const normalized = decoder.coordinates === 'normalized';
  const corners = decoder.box_format === 'xyxy';
  const activation = decoder.score_activation === 'sigmoid';
  const threshold = f32(minScore); // numpy compares float32 scores with the threshold cast to float32
  const boxes = [];
  const scores = [];
  const labels = [];
  for (let n = 0; n < N; n++) {
    // best class (first maximum, as numpy's argmax)
    let best = 0;
    let bestScore = data[4 * N + n];
    for (let c = 1; c < C; c++) {
      const s = data[(4 + c) * N + n];
      if (s > bestScore) {
        best = c;
        bestScore = s;
      }
    }
    const score = activation ? f32(sigmoid(bestScore)) : bestScore;
    if (!(score > threshold)) continue;
    let cx = data[n], cy = data[N + n], w = data[2 * N + n], h = data[3 * N + n];
    if (normalized) {
      cx = f32(cx * inputW);
      w = f32(w * inputW);
      cy = f32(cy * inputH);
      h = f32(h * inputH);
    }
    if (corners) {
      boxes.push(cx, cy, w, h); // x1, y1, x2, y2
    } else {
      const hw = f32(w / 2), hh = f32(h / 2);
      boxes.push(f32(cx - hw), f32(cy - hh), f32(cx + hw), f32(cy + hh));
    }
    scores.push(score);
    labels.push(best);
  }
  return { boxes, scores, labels, nms: 'outside', strict: true };
}

/** Ultralytics end-to-end export (`nms=True`, YOLOv10, YOLO26): `[1, N, 6]` = x1, y1, x2, y2, score, class in input pixels. */
function ultralyticsEnd2EndCandidates(outputs, runtime, minScore) {
  const out = outputAt(outputs, 0, 'detections');
  const dims = out.dims;
  if (dims.length !== 3 || dims[0] !== 1 || dims[2] < 6) {
    throw new Error(`output shape [${dims.join(', ')}] does not fit the ultralytics-end2end decoder: expected [1, N, 6]`);
  }
  const [, N, K] = dims;
  const data = out.data;
  const normalized = runtime.decoder.coordinates === 'normalized';
  const [inputH, inputW] = runtime.input.size;
  const threshold = f32(minScore);
  const boxes = [], scores = [], labels = [];
  for (let n = 0; n < N; n++) {
    const o = n * K;
    const score = data[o + 4];
    if (!(score > threshold)) continue;
    const x1 = data[o], y1 = data[o + 1], x2 = data[o + 2], y2 = data[o + 3];
    boxes.push(...inputPixels(x1, y1, x2, y2, normalized, inputW, inputH));
    scores.push(score);
    labels.push(Math.round(data[o + 5]) + (runtime.decoder.class_offset ?? 0));
  }
  return { boxes, scores, labels, nms: 'inside', strict: true };
}

/** A box in input pixels: graphs with normalized outputs give 0-1 coordinates. */
function inputPixels(x1, y1, x2, y2, normalized, inputW, inputH) {
  return normalized ? [x1 * inputW, y1 * inputH, x2 * inputW, y2 * inputH] : [x1, y1, x2, y2];
}

/** A box in input pixels from `coordinates` pixels | normalized | image (original-image pixels, mapped by the placement). */
function toInput(x1, y1, x2, y2, coordinates, runtime, placement) {
  if (coordinates === 'image') {
    const { scaleX, scaleY, padX, padY } = placement;
    return [x1 * scaleX + padX, y1 * scaleY + padY, x2 * scaleX + padX, y2 * scaleY + padY];
  }
  const [inputH, inputW] = runtime.input.size;
  return inputPixels(x1, y1, x2, y2, coordinates === 'normalized', inputW, inputH);
}

/**
 * `detection-rows`: one tensor of final detections (`[1, N, K]` or `[N, K]`), no NMS (YOLO26's end-to-end head,
 * graphs with NMS inside). `columns` says where the box (4 columns, x1 y1 x2 y2), score and label sit.
 */
function detectionRowsCandidates(outputs, runtime, minScore, placement) {
  const decoder = runtime.decoder;
  const out = outputAt(outputs, decoder.output ?? 0, 'detection rows');
  const dims = out.dims;
  const K = dims[dims.length - 1];
  const { box, score, label } = decoder.columns;
  if (!(dims.length === 2 || (dims.length === 3 && dims[0] === 1)) || K < Math.max(box + 4, score + 1, label + 1)) {
    throw new Error(`output shape [${dims.join(', ')}] does not fit the detection-rows decoder (columns ${JSON.stringify(decoder.columns)})`);
  }
  const rows = K ? out.data.length / K : 0;
  const data = out.data;
  const threshold = f32(minScore);
  const offset = decoder.class_offset ?? 0;
  const boxes = [], scores = [], labels = [];
  for (let n = 0; n < rows; n++) {
    const o = n * K;
    const s = Number(data[o + score]);
    if (!(s > threshold)) continue;
    const b = o + box;
    boxes.push(...toInput(Number(data[b]), Number(data[b + 1]), Number(data[b + 2]), Number(data[b + 3]), decoder.coordinates, runtime, placement));
    scores.push(s);
    labels.push(roundHalfEvenInt(Number(data[o + label])) + offset);
  }
  return { boxes, scores, labels, nms: 'inside', strict: true };
}

/** Cells of one level, row-major: [x0, y0, x1, y1, ...] as generator/decode.py `grid`. */
function gridCells(height, width, stride) {
  const rows = Math.ceil(height / stride), cols = Math.ceil(width / stride);
  const xs = new Float64Array(rows * cols), ys = new Float64Array(rows * cols);
  for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) {
    xs[y * cols + x] = x;
    ys[y * cols + x] = y;
  }
  return { xs, ys };
}

/**
 * `yolox`: `[1, N, 5 + C]` raw grid head, levels in `strides` order: (x + cell) * stride, exp(w) * stride,
 * score = objectness * class score (float64, as the Python reference). NMS outside.
 */
function yoloxCandidates(outputs, runtime, minScore) {
  const decoder = runtime.decoder;
  const out = outputAt(outputs, 0, 'yolox head');
  const dims = out.dims;
  const C = decoder.classes;
  const K = 5 + C;
  if (dims.length !== 3 || dims[0] !== 1 || dims[2] !== K) {
    throw new Error(`output shape [${dims.join(', ')}] does not fit the yolox decoder: expected [1, N, ${K}]`);
  }
  const [inputH, inputW] = runtime.input.size;
  const data = out.data;
  const threshold = f32(minScore);
  const boxes = [], scores = [], labels = [];
  let n = 0;
  for (const stride of decoder.strides) {
    const { xs, ys } = gridCells(inputH, inputW, stride);
    for (let i = 0; i < xs.length; i++, n++) {
      if (n >= dims[1]) throw new Error(`output has ${dims[1]} anchors, fewer than strides ${decoder.strides} give`);
      const o = n * K;
      const obj = data[o + 4];
      let best = 0, bestScore = data[o + 5] * obj;
      for (let c = 1; c < C; c++) {
        const v = data[o + 5 + c] * obj;
        if (v > bestScore) {
          best = c;
          bestScore = v;
        }
      }
      if (!(bestScore > threshold)) continue;
      const cx = (data[o] + xs[i]) * stride, cy = (data[o + 1] + ys[i]) * stride;
      const w = Math.exp(data[o + 2]) * stride, h = Math.exp(data[o + 3]) * stride;
      boxes.push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
      scores.push(bestScore);
      labels.push(best);
    }
  }
  if (n !== dims[1]) throw new Error(`output has ${dims[1]} anchors, strides ${decoder.strides} on ${inputW}x${inputH} give ${n}`);
  return { boxes, scores, labels, nms: 'outside', strict: true };
}

/**
 * `gfl` (NanoDet): per level, class scores `[1, N, C]` and distance distributions `[1, N, 4 * (reg_max + 1)]`;
 * distance = softmax expectation * stride from the cell centre ((x + cell_offset) * stride), clipped to the input.
 */
function gflCandidates(outputs, runtime, minScore) {
  const decoder = runtime.decoder;
  const C = decoder.classes;
  const bins = decoder.reg_max + 1;
  const [inputH, inputW] = runtime.input.size;
  const threshold = f32(minScore);
  const offset = decoder.cell_offset ?? 0;
  const boxes = [], scores = [], labels = [];
  const clip = (v, hi) => (v < 0 ? 0 : v > hi ? hi : v);
  for (const level of decoder.levels) {
    const sc = outputAt(outputs, level.scores, `stride ${level.stride} scores`).data;
    const dist = outputAt(outputs, level.distances, `stride ${level.stride} distances`).data;
    const { xs, ys } = gridCells(inputH, inputW, level.stride);
    if (sc.length !== xs.length * C || dist.length !== xs.length * 4 * bins) {
      throw new Error(`stride ${level.stride}: outputs do not fit ${xs.length} cells of a ${inputW}x${inputH} input`);
    }
    for (let i = 0; i < xs.length; i++) {
      let best = 0, bestScore = sc[i * C];
      for (let c = 1; c < C; c++) {
        const v = sc[i * C + c];
        if (v > bestScore) {
          best = c;
          bestScore = v;
        }
      }
      if (!(bestScore > threshold)) continue;
      const d = [0, 0, 0, 0];
      for (let side = 0; side < 4; side++) {
        const o = (i * 4 + side) * bins;
        let max = -Infinity;
        for (let k = 0; k < bins; k++) max = Math.max(max, dist[o + k]);
        const e = new Float64Array(bins);
        let total = 0;
        for (let k = 0; k < bins; k++) total += e[k] = Math.exp(dist[o + k] - max);
        let expect = 0;
        for (let k = 0; k < bins; k++) expect += (e[k] / total) * k;
        d[side] = expect * level.stride;
      }
      const cx = (xs[i] + offset) * level.stride, cy = (ys[i] + offset) * level.stride;
      boxes.push(clip(cx - d[0], inputW), clip(cy - d[1], inputH), clip(cx + d[2], inputW), clip(cy + d[3], inputH));
      scores.push(bestScore);
      labels.push(best);
    }
  }
  return { boxes, scores, labels, nms: 'outside', strict: true };
}

/** Graphs that already ran NMS (e.g. TFLite_Detection_PostProcess): boxes, classes, scores, count. */
function nmsInGraphCandidates(outputs, runtime, minScore, placement) {
  const decoder = runtime.decoder;
  const index = decoder.outputs ?? { boxes: 0, classes: 1, scores: 2, count: 3 };
  const boxesOut = outputAt(outputs, index.boxes, 'boxes');
  const classesOut = outputAt(outputs, index.classes, 'classes');
  const scoresOut = outputAt(outputs, index.scores, 'scores');
  const available = Math.min(boxesOut.data.length / 4, classesOut.data.length, scoresOut.data.length);
  // no count output (`count: null`): every row is a detection
  const count = index.count == null
    ? available
    : Math.max(0, Math.min(roundHalfEvenInt(Number(outputAt(outputs, index.count, 'count').data[0])), available));
  const yxyx = decoder.box_format === 'yxyx';
  const offset = decoder.class_offset ?? 0;
  const boxes = [], scores = [], labels = [];
  for (let i = 0; i < count; i++) {
    const score = Number(scoresOut.data[i]);
    if (!(score >= minScore)) continue;
    const b = boxesOut.data;
    let x1, y1, x2, y2;
    if (yxyx) [y1, x1, y2, x2] = [b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]];
    else [x1, y1, x2, y2] = [b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]];
    boxes.push(...toInput(x1, y1, x2, y2, decoder.coordinates, runtime, placement));
    scores.push(score);
    labels.push(roundHalfEvenInt(Number(classesOut.data[i])) + offset);
  }
  return { boxes, scores, labels, nms: 'inside', strict: false };
}

// numpy's rint: halves to even
function roundHalfEvenInt(x) {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Decoders by `decoder.kind`. `candidates` extracts; what it returns says whether NMS is left to us
 * (`nms: 'outside'`) or was done by the graph ('inside'), and whether the score must be > (`strict`) or >= the
 * threshold.
 */
export const DECODERS = {
  ultralytics: { candidates: ultralyticsCandidates },
  'ultralytics-end2end': { candidates: ultralyticsEnd2EndCandidates },
  'nms-in-graph': { candidates: nmsInGraphCandidates },
  'detection-rows': { candidates: detectionRowsCandidates },
  yolox: { candidates: yoloxCandidates },
  gfl: { candidates: gflCandidates },
};

export function decoderFor(runtime) {
  const kind = runtime?.decoder?.kind;
  const decoder = DECODERS[kind];
  if (!decoder) throw new Error(`no decoder for kind ${JSON.stringify(kind)} (known: ${Object.keys(DECODERS).join(', ')})`);
  return decoder;
}

/** Step 1: every candidate scoring above `minScore` (defaults to the spec's threshold). */
export function extractCandidates(outputs, runtime, placement, { minScore } = {}) {
  const decoder = decoderFor(runtime);
  const floor = minScore ?? runtime.decoder.score_threshold ?? 0.25;
  const raw = decoder.candidates(outputs, runtime, floor, placement);
  return {
    kind: runtime.decoder.kind,
    nms: raw.nms,
    strict: raw.strict,
    minScore: floor,
    count: raw.scores.length,
    boxes: Float64Array.from(raw.boxes),
    scores: Float64Array.from(raw.scores),
    labels: Int32Array.from(raw.labels),
    placement: { ...placement },
    defaults: {
      scoreThreshold: runtime.decoder.score_threshold ?? 0.25,
      iouThreshold: runtime.decoder.iou_threshold ?? null,
      maxDetections: runtime.decoder.max_detections ?? 300,
      classAware: runtime.decoder.class_aware_nms ?? true,
    },
  };
}

/** A label id's name in the manifest's label list (array indexed by id, or an object keyed by id). */
export function labelName(labels, id) {
  const name = labels ? labels[id] : undefined;
  return typeof name === 'string' && name !== '' ? name : `class ${id}`;
}

/**
 * Step 2: thresholds, NMS, limits and the class filter on the candidates of one run.
 * @param {object} c candidates from `extractCandidates`
 * @param {object} [options] `scoreThreshold`, `iouThreshold`, `maxDetections`, `classAware`
 *   (each defaults to the runtime spec's), `classFilter` (a Set or array of class names, or null for all)
 * @param {Array|object} [labels] the label list
 */
export function filterCandidates(c, options = {}, labels = null) {
  const d = c.defaults;
  const scoreThreshold = options.scoreThreshold ?? d.scoreThreshold;
  const iouThreshold = options.iouThreshold ?? d.iouThreshold ?? 0.7;
  const maxDetections = options.maxDetections ?? d.maxDetections;
  const classAware = options.classAware ?? d.classAware;
  const filter = options.classFilter ? new Set(options.classFilter) : null;
  const passes = c.strict ? (s) => s > Math.fround(scoreThreshold) : (s) => s >= scoreThreshold;
  const idx = [];
  for (let i = 0; i < c.count; i++) if (passes(c.scores[i])) idx.push(i);
  const boxes = new Float64Array(idx.length * 4);
  const scores = new Float64Array(idx.length);
  const classes = new Int32Array(idx.length);
  idx.forEach((i, k) => {
    boxes.set(c.boxes.subarray(4 * i, 4 * i + 4), 4 * k);
    scores[k] = c.scores[i];
    classes[k] = c.labels[i];
  });
  let kept;
  if (c.nms === 'outside') {
    kept = nms(boxes, scores, { iouThreshold, classes: classAware ? classes : null, maxDetections });
  } else {
    kept = [];
    for (let k = 0; k < scores.length; k++) kept.push(k);
    kept.sort((p, q) => scores[q] - scores[p] || p - q);
    kept = kept.slice(0, Math.max(0, maxDetections));
  }
  const detections = [];
  for (const k of kept) {
    const className = labelName(labels, classes[k]);
    if (filter && !filter.has(className)) continue;
    detections.push({
      classId: classes[k],
      className,
      score: scores[k],
      box: toImageBox(boxes.subarray(4 * k, 4 * k + 4), c.placement),
    });
  }
  return detections;
}

/** Both steps at the spec's settings (or `options`). */
export function decode(outputs, runtime, placement, options = {}) {
  const candidates = extractCandidates(outputs, runtime, placement, {
    minScore: options.scoreThreshold ?? runtime.decoder.score_threshold,
  });
  return filterCandidates(candidates, options, runtime.labels);
}

/** Class names present among the candidates that pass `scoreThreshold` (for a class filter list). */
export function candidateClassNames(c, scoreThreshold, labels) {
  const names = new Set();
  for (let i = 0; i < c.count; i++) {
    const s = c.scores[i];
    if (c.strict ? s > Math.fround(scoreThreshold) : s >= scoreThreshold) names.add(labelName(labels, c.labels[i]));
  }
  return [...names].sort();
}
