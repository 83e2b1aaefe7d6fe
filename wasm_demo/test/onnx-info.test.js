import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePythonLiteral, readOnnxInfo, runtimeFromUltralytics } from '../src/onnx-info.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const tinyPath = join(GOLDEN, 'tiny-ultralytics.onnx');

// --- a minimal protobuf writer, to build ONNX-shaped bytes by hand ---
function varint(n) {
  const out = [];
  while (n > 127) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const enc = new TextEncoder();
function field(num, value) {
  if (typeof value === 'number') return [...varint(num * 8), ...varint(value)];
  const bytes = typeof value === 'string' ? [...enc.encode(value)] : value;
  return [...varint(num * 8 + 2), ...varint(bytes.length), ...bytes];
}
function valueInfo(name, elem, dims) {
  const shape = dims.flatMap((d) => field(1, typeof d === 'number' ? field(1, d) : field(2, d)));
  return [...field(1, name), ...field(2, field(1, [...field(1, elem), ...field(2, shape)]))];
}
function model({ metadata = {}, inputs = [], outputs = [], initializers = [] }) {
  const graph = [
    ...initializers.flatMap((n) => field(5, field(8, n))),
    ...inputs.flatMap((i) => field(11, valueInfo(...i))),
    ...outputs.flatMap((o) => field(12, valueInfo(...o))),
  ];
  return Uint8Array.from([
    ...field(1, 8),
    ...field(2, 'pytorch'),
    ...field(3, '2.13'),
    ...field(7, graph),
    ...Object.entries(metadata).flatMap(([k, v]) => field(14, [...field(1, k), ...field(2, v)])),
  ]);
}

const ULTRA = { task: 'detect', imgsz: '[640, 640]', names: "{0: 'person', 1: 'bicycle', 2: \"o'clock\"}", stride: '32' };

test('readOnnxInfo: producer, metadata, inputs/outputs with symbolic dims, initializers dropped', () => {
  const bytes = model({
    metadata: { a: 'b', ...ULTRA },
    inputs: [['images', 1, [1, 3, 640, 640]], ['w', 1, [3]]],
    outputs: [['output0', 1, ['batch', 7, 8400]]],
    initializers: ['w'],
  });
  const info = readOnnxInfo(bytes);
  assert.equal(info.producerName, 'pytorch');
  assert.equal(info.metadata.a, 'b');
  assert.deepEqual(info.inputs, [{ name: 'images', type: 'float32', dims: [1, 3, 640, 640] }]);
  assert.deepEqual(info.outputs, [{ name: 'output0', type: 'float32', dims: ['batch', 7, 8400] }]);
});

test('readOnnxInfo: not an ONNX file', () => {
  assert.throws(() => readOnnxInfo(new TextEncoder().encode('hello, this is text')), /not an ONNX model/);
  assert.throws(() => readOnnxInfo(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70])), /not an ONNX model/);
  assert.throws(() => readOnnxInfo(new Uint8Array(0)), /not an ONNX model/);
  const good = model({ inputs: [['x', 1, [1]]], outputs: [['y', 1, [1]]] });
  assert.throws(() => readOnnxInfo(good.subarray(0, good.length - 3)), /not an ONNX model/);
});

test('parsePythonLiteral: dicts, lists, quotes, escapes, constants', () => {
  assert.deepEqual(parsePythonLiteral("{0: 'a', 1: \"b'c\", 2: 'd\\'e'}"), { 0: 'a', 1: "b'c", 2: "d'e" });
  assert.deepEqual(parsePythonLiteral('[640, 480]'), [640, 480]);
  assert.deepEqual(parsePythonLiteral("{'half': False, 'nms': None, 'conf': 0.25, 'x': (1, 2)}"), { half: false, nms: null, conf: 0.25, x: [1, 2] });
  assert.equal(parsePythonLiteral('640'), 640);
  assert.equal(parsePythonLiteral('{0: '), undefined);
  assert.equal(parsePythonLiteral('os.system("x")'), undefined);
});

test('runtimeFromUltralytics: detection head from metadata and shapes', () => {
  const info = readOnnxInfo(model({ metadata: ULTRA, inputs: [['images', 1, [1, 3, 640, 640]]], outputs: [['output0', 1, [1, 7, 8400]]] }));
  const rt = runtimeFromUltralytics(info);
  assert.deepEqual(rt.labels, ['person', 'bicycle', "o'clock"]);
  assert.deepEqual(rt.input.size, [640, 640]);
  assert.equal(rt.input.layout, 'NCHW');
  assert.equal(rt.input.name, 'images');
  assert.equal(rt.input.resize, 'letterbox');
  assert.equal(rt.input.pad_value, 114);
  assert.equal(rt.decoder.kind, 'ultralytics');
  assert.equal(rt.decoder.classes, 3);
  assert.equal(rt.decoder.iou_threshold, 0.7);
});

test('runtimeFromUltralytics: end-to-end exports, NHWC, fixed input size wins over imgsz', () => {
  const e2e = readOnnxInfo(model({ metadata: { ...ULTRA, end2end: 'True' }, inputs: [['images', 1, [1, 3, 320, 320]]], outputs: [['output0', 1, [1, 300, 6]]] }));
  const rt = runtimeFromUltralytics(e2e);
  assert.equal(rt.decoder.kind, 'ultralytics-end2end');
  assert.equal(rt.decoder.max_detections, 300);
  assert.deepEqual(rt.input.size, [320, 320]);
  const nhwc = readOnnxInfo(model({ metadata: ULTRA, inputs: [['images', 1, [1, 640, 640, 3]]], outputs: [['o', 1, [1, 7, 8400]]] }));
  assert.equal(runtimeFromUltralytics(nhwc).input.layout, 'NHWC');
});

test('runtimeFromUltralytics: clear refusals', () => {
  const mk = (meta, input = ['images', 1, [1, 3, 640, 640]], output = ['o', 1, [1, 7, 8400]]) =>
    readOnnxInfo(model({ metadata: meta, inputs: [input], outputs: [output] }));
  assert.throws(() => runtimeFromUltralytics(mk({})), /no Ultralytics metadata/);
  assert.throws(() => runtimeFromUltralytics(mk({ ...ULTRA, task: 'segment' })), /"segment" model/);
  assert.throws(() => runtimeFromUltralytics(mk(ULTRA, ['images', 10, [1, 3, 640, 640]])), /float16/);
  assert.throws(() => runtimeFromUltralytics(mk(ULTRA, undefined, ['o', 1, [1, 116, 8400]])), /does not fit a detection head/);
  assert.throws(() => runtimeFromUltralytics(mk({ ...ULTRA, imgsz: 'big' })), /input size/);
});

test('readOnnxInfo on the golden tiny Ultralytics file', { skip: !existsSync(tinyPath) && 'no golden/tiny-ultralytics.onnx' }, () => {
  const info = readOnnxInfo(readFileSync(tinyPath));
  assert.equal(info.metadata.task, 'detect');
  assert.deepEqual(info.inputs[0].dims, [1, 3, 32, 32]);
  assert.deepEqual(runtimeFromUltralytics(info).labels, ['apple', "o'range"]);
});
