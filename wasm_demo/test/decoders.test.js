import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DECODERS, candidateClassNames, decode, decoderFor, extractCandidates, filterCandidates, labelName } from '../src/decoders.js';

const identity = (w, h) => ({ scaleX: 1, scaleY: 1, padX: 0, padY: 0, imageWidth: w, imageHeight: h });

function ultralyticsRuntime(over = {}) {
  return {
    input: { size: [100, 200], layout: 'NCHW', dtype: 'float32', resize: 'letterbox' },
    decoder: { kind: 'ultralytics', coordinates: 'pixels', classes: 3, score_threshold: 0.25, iou_threshold: 0.5, max_detections: 300, ...over },
    labels: ['cat', 'dog', 'bird'],
  };
}

/** [1, 4 + C, N] from a list of anchors {cx, cy, w, h, scores: [C]} */
function headTensor(anchors, C) {
  const N = anchors.length;
  const data = new Float32Array((4 + C) * N);
  anchors.forEach((a, n) => {
    data[n] = a.cx;
    data[N + n] = a.cy;
    data[2 * N + n] = a.w;
    data[3 * N + n] = a.h;
    a.scores.forEach((s, c) => (data[(4 + c) * N + n] = s));
  });
  return { data, dims: [1, 4 + C, N] };
}

test('decoders are a table keyed by kind', () => {
  assert.deepEqual(Object.keys(DECODERS).sort(), ['detection-rows', 'gfl', 'nms-in-graph', 'ultralytics', 'ultralytics-end2end', 'yolox']);
  assert.throws(() => decoderFor({ decoder: { kind: 'yolo-by-name' } }), /no decoder for kind/);
});

test('ultralytics: best class, threshold (strict), class-aware NMS, boxes to image pixels', () => {
  const runtime = ultralyticsRuntime();
  const out = headTensor(
    [
      { cx: 50, cy: 50, w: 20, h: 20, scores: [0.9, 0.1, 0.0] }, // cat, kept
      { cx: 51, cy: 50, w: 20, h: 20, scores: [0.8, 0.0, 0.0] }, // cat, overlaps -> suppressed
      { cx: 51, cy: 50, w: 20, h: 20, scores: [0.0, 0.7, 0.0] }, // dog, same place, other class -> kept
      { cx: 150, cy: 50, w: 10, h: 40, scores: [0.0, 0.0, 0.25] }, // bird at exactly the threshold -> dropped
      { cx: 150, cy: 50, w: 10, h: 40, scores: [0.0, 0.0, 0.3] }, // bird kept
    ],
    3,
  );
  // letterbox placement: image 400x100 scaled by 0.5 into 200x100 (no pad) -> boxes x2
  const placement = { scaleX: 0.5, scaleY: 0.5, padX: 0, padY: 25, imageWidth: 400, imageHeight: 100 };
  const dets = decode([out], runtime, placement);
  assert.deepEqual(dets.map((d) => d.className), ['cat', 'dog', 'bird']);
  assert.deepEqual(dets.map((d) => d.classId), [0, 1, 2]);
  assert.ok(Math.abs(dets[0].score - 0.9) < 1e-6);
  assert.deepEqual(dets[0].box, [80, 30, 120, 70]);
  // bird: x 145..155 -> 290..310; y 30..70 -> (30-25)/0.5=10 .. (70-25)/0.5=90
  assert.deepEqual(dets[2].box, [290, 10, 310, 90]);
});

test('ultralytics: class-agnostic NMS and max detections', () => {
  const anchors = [
    { cx: 50, cy: 50, w: 20, h: 20, scores: [0.9, 0, 0] },
    { cx: 51, cy: 50, w: 20, h: 20, scores: [0, 0.7, 0] },
    { cx: 150, cy: 50, w: 20, h: 20, scores: [0, 0, 0.6] },
  ];
  const agnostic = decode([headTensor(anchors, 3)], ultralyticsRuntime({ class_aware_nms: false }), identity(200, 100));
  assert.deepEqual(agnostic.map((d) => d.className), ['cat', 'bird']);
  const capped = decode([headTensor(anchors, 3)], ultralyticsRuntime({ max_detections: 2 }), identity(200, 100));
  assert.deepEqual(capped.map((d) => d.className), ['cat', 'dog']);
});

test('ultralytics: normalized coordinates, sigmoid scores, clipping', () => {
  const runtime = ultralyticsRuntime({ coordinates: 'normalized', score_activation: 'sigmoid' });
  const out = headTensor([{ cx: 0.5, cy: 0.5, w: 1.2, h: 0.2, scores: [-5, 2, 0] }], 3);
  const [d] = decode([out], runtime, identity(200, 100));
  assert.equal(d.className, 'dog');
  assert.ok(Math.abs(d.score - 1 / (1 + Math.exp(-2))) < 1e-6);
  assert.deepEqual(d.box, [0, 40, 200, 60]); // x clipped from -20..220
});

test('ultralytics: a wrong output shape is a clear error', () => {
  const out = { data: new Float32Array(85 * 2), dims: [1, 85, 2] };
  assert.throws(() => decode([out], ultralyticsRuntime(), identity(10, 10)), /expected \[1, 7, N\]/);
});

test('ultralytics: float32 arithmetic for boxes like numpy', () => {
  const out = headTensor([{ cx: 0.3, cy: 0.7, w: 0.11, h: 0.13, scores: [0.5, 0, 0] }], 3);
  const runtime = ultralyticsRuntime({ coordinates: 'normalized' });
  const [d] = decode([out], runtime, identity(200, 100));
  const f = Math.fround;
  const cx = f(f(0.3) * 200), w = f(f(0.11) * 200);
  assert.equal(d.box[0], f(cx - f(w / 2)));
});

test('re-filtering candidates: lower threshold, other IoU, class filter, without the model', () => {
  const runtime = ultralyticsRuntime();
  const out = headTensor(
    [
      { cx: 50, cy: 50, w: 20, h: 20, scores: [0.9, 0, 0] },
      { cx: 56, cy: 50, w: 20, h: 20, scores: [0.6, 0, 0] }, // IoU with first = 14*20/(800-280) = 0.538
      { cx: 150, cy: 50, w: 20, h: 20, scores: [0, 0.1, 0] },
    ],
    3,
  );
  const c = extractCandidates([out], runtime, identity(200, 100), { minScore: 0.05 });
  assert.equal(c.count, 3);
  assert.deepEqual(filterCandidates(c, {}, runtime.labels).map((d) => d.score > 0.5), [true]);
  assert.equal(filterCandidates(c, { iouThreshold: 0.6 }, runtime.labels).length, 2);
  assert.equal(filterCandidates(c, { scoreThreshold: 0.05 }, runtime.labels).length, 2);
  assert.equal(filterCandidates(c, { scoreThreshold: 0.05, iouThreshold: 0.6 }, runtime.labels).length, 3);
  assert.deepEqual(filterCandidates(c, { scoreThreshold: 0.05, classFilter: ['dog'] }, runtime.labels).map((d) => d.className), ['dog']);
  assert.deepEqual(candidateClassNames(c, 0.05, runtime.labels), ['cat', 'dog']);
  // candidates survive a structured clone (postMessage)
  const copy = structuredClone(c);
  assert.deepEqual(filterCandidates(copy, {}, runtime.labels), filterCandidates(c, {}, runtime.labels));
});

function ssdRuntime(over = {}) {
  const labels = [];
  labels[1] = 'person';
  labels[3] = 'car';
  labels[90] = 'toothbrush';
  return {
    input: { size: [300, 300], layout: 'NHWC', dtype: 'uint8', resize: 'stretch' },
    decoder: {
      kind: 'nms-in-graph', box_format: 'yxyx', coordinates: 'normalized', classes: 90, class_offset: 1,
      outputs: { boxes: 0, classes: 1, scores: 2, count: 3 }, score_threshold: 0.25, max_detections: 20, ...over,
    },
    labels,
  };
}

function ssdOutputs(dets, slots = 5) {
  const boxes = new Float32Array(slots * 4), classes = new Float32Array(slots), scores = new Float32Array(slots);
  dets.forEach((d, i) => {
    boxes.set(d.box, i * 4);
    classes[i] = d.cls;
    scores[i] = d.score;
  });
  // garbage past the count must be ignored
  for (let i = dets.length; i < slots; i++) scores[i] = 0.99;
  return [
    { data: boxes, dims: [1, slots, 4] },
    { data: classes, dims: [1, slots] },
    { data: scores, dims: [1, slots] },
    { data: new Float32Array([dets.length]), dims: [1] },
  ];
}

test('nms-in-graph: yxyx normalized, class offset, count, threshold >=, label gaps', () => {
  const outputs = ssdOutputs([
    { box: [0.1, 0.2, 0.5, 0.6], cls: 0, score: 0.8 },
    { box: [0.0, 0.0, 1.0, 1.0], cls: 2, score: 0.25 },
    { box: [0.0, 0.0, 0.1, 0.1], cls: 1, score: 0.2 },
    { box: [0.0, 0.0, 0.1, 0.1], cls: 88, score: 0.3 },
  ]);
  const placement = { scaleX: 300 / 600, scaleY: 300 / 400, padX: 0, padY: 0, imageWidth: 600, imageHeight: 400 };
  const dets = decode(outputs, ssdRuntime(), placement);
  assert.deepEqual(dets.map((d) => d.className), ['person', 'class 89', 'car']);
  assert.deepEqual(dets.map((d) => d.classId), [1, 89, 3]);
  const [p] = dets;
  // y1 0.1*300=30 -> /0.75 = 40; x1 0.2*300 = 60 -> /0.5 = 120; y2 150/0.75=200; x2 180/0.5=360
  const want = [120, 40, 360, 200];
  p.box.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-4, `${v} vs ${want[i]}`));
  assert.deepEqual(dets[2].box.map((v) => Math.round(v)), [0, 0, 600, 400]);
});

test('nms-in-graph: xyxy pixels, max detections, IoU slider has no effect', () => {
  const runtime = ssdRuntime({ box_format: 'xyxy', coordinates: 'pixels', max_detections: 1 });
  const outputs = ssdOutputs([
    { box: [10, 20, 30, 40], cls: 0, score: 0.5 },
    { box: [10, 20, 30, 40], cls: 0, score: 0.9 },
  ]);
  const dets = decode(outputs, runtime, identity(300, 300));
  assert.equal(dets.length, 1);
  assert.equal(dets[0].score, Math.fround(0.9));
  assert.deepEqual(dets[0].box, [10, 20, 30, 40]);
  const c = extractCandidates(outputs, runtime, identity(300, 300), { minScore: 0 });
  assert.equal(filterCandidates(c, { iouThreshold: 0.01, maxDetections: 5 }).length, 2);
});

test('nms-in-graph: count larger than the tensors is clamped; missing output is an error', () => {
  const outputs = ssdOutputs([{ box: [0, 0, 1, 1], cls: 0, score: 0.9 }], 1);
  outputs[3].data[0] = 50;
  assert.equal(decode(outputs, ssdRuntime(), identity(300, 300)).length, 1);
  assert.throws(() => decode(outputs.slice(0, 3), ssdRuntime(), identity(300, 300)), /no output #3/);
});

test('ultralytics-end2end: [1, N, 6] rows, no NMS', () => {
  const runtime = { input: { size: [640, 640] }, decoder: { kind: 'ultralytics-end2end', coordinates: 'pixels', classes: 2, score_threshold: 0.25, max_detections: 300 }, labels: ['a', 'b'] };
  const data = new Float32Array([10, 10, 20, 20, 0.9, 1, 10, 10, 20, 20, 0.8, 1, 0, 0, 5, 5, 0.1, 0]);
  const dets = decode([{ data, dims: [1, 3, 6] }], runtime, identity(640, 640));
  assert.deepEqual(dets.map((d) => [d.className, d.box]), [['b', [10, 10, 20, 20]], ['b', [10, 10, 20, 20]]]);
});

test('labelName: arrays with gaps, objects, fallbacks', () => {
  assert.equal(labelName(['a', null, 'c'], 1), 'class 1');
  assert.equal(labelName({ 5: 'five' }, 5), 'five');
  assert.equal(labelName(null, 3), 'class 3');
});

test('ultralytics: xyxy boxes from an int8 output (dequantized first, as numpy)', () => {
  const runtime = ultralyticsRuntime({ box_format: 'xyxy', coordinates: 'normalized', output_quantization: { scale: 0.01, zero_point: -100 } });
  // one anchor: x1 0.1, y1 0.2, x2 0.5, y2 0.6 (normalized), class dog 0.8
  const q = (v) => Math.round(v / 0.01) - 100;
  const data = Int8Array.from([q(0.1), q(0.2), q(0.5), q(0.6), q(0), q(0.8), q(0)]);
  const dets = decode([{ data, dims: [1, 7, 1] }], runtime, identity(200, 100));
  assert.equal(dets.length, 1);
  assert.equal(dets[0].className, 'dog');
  dets[0].box.forEach((v, i) => assert.ok(Math.abs(v - [20, 20, 100, 60][i]) < 1e-3, `${v}`));
});

test('detection-rows: columns, strict threshold, original-image coordinates mapped through the placement', () => {
  const runtime = {
    input: { size: [100, 100], layout: 'NCHW', dtype: 'float32', resize: 'stretch' },
    decoder: { kind: 'detection-rows', columns: { box: 2, score: 1, label: 0 }, coordinates: 'image', classes: 3, score_threshold: 0.3, max_detections: 10 },
    labels: ['cat', 'dog', 'bird'],
  };
  // rows: label, score, x1, y1, x2, y2 in image pixels (a 200x400 image stretched to 100x100)
  const data = Float32Array.from([1, 0.9, 20, 40, 100, 200, 2, 0.3, 0, 0, 10, 10, 0, 0.5, 0, 0, 200, 400]);
  const placement = { scaleX: 0.5, scaleY: 0.25, padX: 0, padY: 0, imageWidth: 200, imageHeight: 400 };
  const dets = decode([{ data, dims: [3, 6] }], runtime, placement);
  assert.deepEqual(dets.map((d) => d.className), ['dog', 'cat']);
  assert.deepEqual(dets[0].box, [20, 40, 100, 200]);
});

test('nms-in-graph without a count output: every row', () => {
  const runtime = {
    input: { size: [10, 10], layout: 'NCHW', dtype: 'float32', resize: 'stretch' },
    decoder: { kind: 'nms-in-graph', box_format: 'xyxy', coordinates: 'pixels', classes: 2, outputs: { classes: 0, boxes: 1, scores: 2, count: null }, score_threshold: 0.5, max_detections: 5 },
    labels: ['a', 'b'],
  };
  const outputs = [
    { data: BigInt64Array.from([1n, 0n]), dims: [1, 2] },
    { data: Float32Array.from([1, 1, 5, 5, 2, 2, 8, 8]), dims: [1, 2, 4] },
    { data: Float32Array.from([0.6, 0.7]), dims: [1, 2] },
  ];
  const dets = decode(outputs, runtime, identity(10, 10));
  assert.deepEqual(dets.map((d) => [d.className, d.box]), [['a', [2, 2, 8, 8]], ['b', [1, 1, 5, 5]]]);
});

test('yolox: cell offsets and exp sizes per stride, objectness x class, NMS', () => {
  const runtime = {
    input: { size: [16, 16], layout: 'NCHW', dtype: 'float32', resize: 'letterbox', align: 'top-left' },
    decoder: { kind: 'yolox', strides: [8, 16], classes: 2, score_threshold: 0.25, iou_threshold: 0.5, max_detections: 10 },
    labels: ['a', 'b'],
  };
  // stride 8: 2x2 cells, stride 16: 1 cell -> 5 anchors of 7 values
  const rows = [
    [0, 0, 0, 0, 0.1, 0.9, 0],
    [0.5, 0.5, Math.log(2), 0, 0.9, 0.1, 0.8], // cell (1, 0) of stride 8: cx 12, cy 4, w 16, h 8 -> b 0.72
    [0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0],
    [0.5, 0.5, 0, 0, 0.5, 0.6, 0], // stride 16 cell (0, 0): cx 8, cy 8, 16x16 -> a 0.3
  ];
  const data = Float32Array.from(rows.flat());
  const dets = decode([{ data, dims: [1, 5, 7] }], runtime, identity(16, 16));
  assert.deepEqual(dets.map((d) => d.className), ['b', 'a']);
  dets[0].box.forEach((v, i) => assert.ok(Math.abs(v - [4, 0, 16, 8][i]) < 1e-6, `${v}`)); // log(2) is float32
  assert.ok(Math.abs(dets[0].score - 0.72) < 1e-6);
  assert.deepEqual(dets[1].box, [0, 0, 16, 16]);
});

test('gfl: softmax expectation of each side times the stride, from the cell centre', () => {
  const runtime = {
    input: { size: [8, 8], layout: 'NCHW', dtype: 'float32', resize: 'stretch' },
    decoder: { kind: 'gfl', levels: [{ stride: 8, scores: 0, distances: 1 }], reg_max: 1, cell_offset: 0.5, classes: 2, score_threshold: 0.3, iou_threshold: 0.6, max_detections: 10 },
    labels: ['a', 'b'],
  };
  // one cell (centre 4, 4); each side: logits [0, 0] -> expectation 0.5 bins -> 4 px; the right side [-100, 0] -> 8 px
  const scores = { data: Float32Array.from([0.2, 0.7]), dims: [1, 1, 2] };
  const dist = { data: Float32Array.from([0, 0, 0, 0, -100, 0, 0, 0]), dims: [1, 1, 8] };
  const dets = decode([scores, dist], runtime, identity(8, 8));
  assert.equal(dets.length, 1);
  assert.equal(dets[0].className, 'b');
  dets[0].box.forEach((v, i) => assert.ok(Math.abs(v - [0, 0, 8, 8][i]) < 1e-9, `${v}`)); // 4 + 8 = 12 clipped to 8
});
