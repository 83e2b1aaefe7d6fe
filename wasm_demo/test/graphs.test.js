import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findEntry, normalizeManifest } from '../src/manifest.js';
import { graphLabel, graphsOf, variantEntries, variantIndex } from '../src/graphs.js';

const runtime = {
  input: { size: [640, 640], layout: 'NCHW', dtype: 'float32', color: 'RGB', resize: 'letterbox', pad_value: 114, scale: 1 / 255 },
  decoder: { kind: 'ultralytics', coordinates: 'pixels', classes: 2, score_threshold: 0.25, iou_threshold: 0.7, max_detections: 300 },
  labels: ['a', 'b'],
};
const BASE = 'https://example.org/site/demo/manifest.json';
const COST = 'mAP50-95 +0.4 points vs float (100 val2017 images)';
// as generator/demo.py writes them: a variant's graphs smallest first
const manifest = normalizeManifest(
  {
    models: [
      { artifact: 'n.int8', card: 'yolo11', variant: 'n', name: 'N', url: '../onnx/n.int8/model.onnx', bytes: 3_565_158, runtime, graph: { label: 'int8 graph', cost: COST } },
      { artifact: 'n', card: 'yolo11', variant: 'n', name: 'N', url: '../onnx/n/model.onnx', bytes: 11_324_621, runtime, graph: { label: 'float graph', cost: null } },
      { artifact: 's', card: 'yolo11', variant: 's', name: 'S', url: '../onnx/s/model.onnx', bytes: 20_000_000, runtime, graph: { label: 'float graph' } },
    ],
  },
  BASE,
);

test('two graphs of one variant are two entries, not one listed twice', () => {
  assert.deepEqual(manifest.problems, []);
  assert.deepEqual(manifest.models.map((m) => m.artifact), ['n.int8', 'n', 's']);
  assert.equal(findEntry(manifest, 'n').artifact, 'n', 'an artifact id names its graph');
  assert.equal(findEntry(manifest, 'yolo11/n').artifact, 'n.int8', 'a variant names its default: the first, smallest graph');
});

test('the picker lists each variant once, as its default graph; the graph choice lists its graphs in order', () => {
  const variants = variantEntries(manifest.models);
  assert.deepEqual(variants.map((m) => m.artifact), ['n.int8', 's']);
  assert.deepEqual(graphsOf(manifest.models, manifest.models[1]).map((m) => m.artifact), ['n.int8', 'n']);
  assert.deepEqual(graphsOf(manifest.models, variants[1]).map((m) => m.artifact), ['s']);
  assert.equal(variantIndex(variants, manifest.models[1]), 0, 'the float graph selects its variant in the picker');
});

test('each graph shows its download size and, for the int8 graph, its measured accuracy cost', () => {
  assert.equal(graphLabel(manifest.models[0]), `int8 graph · 3.6 MB · ${COST}`); // 3,565,158 bytes, decimal as the pages
  assert.equal(graphLabel(manifest.models[1]), 'float graph · 11.3 MB');
  assert.equal(graphLabel({ ...manifest.models[2], bytes: null, graph: { label: null, cost: null } }), 'graph · size not known');
});

test('a card that cannot run is offered each other variant once as a stand-in, as its default graph', async () => {
  const { standInsFor } = await import('../src/standin.js');
  const withCard = { ...manifest, cards: { yolov12: { name: 'YOLOv12' } } };
  assert.deepEqual(standInsFor(withCard, 'yolov12').map((m) => m.artifact), ['n.int8', 's']);
});
