import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entriesForCard, findEntry, normalizeManifest, runtimeProblems } from '../src/manifest.js';

const runtime = {
  input: { size: [640, 640], layout: 'NCHW', dtype: 'float32', color: 'RGB', resize: 'letterbox', pad_value: 114, scale: 1 / 255 },
  decoder: { kind: 'ultralytics', coordinates: 'pixels', classes: 2, score_threshold: 0.25, iou_threshold: 0.7, max_detections: 300 },
  labels: ['a', 'b'],
};
const BASE = 'https://example.org/site/demo/manifest.json';

test('normalizeManifest: resolves URLs against the manifest, keeps order, orders trained first per card', () => {
  const m = normalizeManifest(
    {
      models: [
        { artifact: 'yolo12n.untrained', card: 'yolov12', variant: 'yolo12n', name: 'YOLO12n', trained: false, url: '../onnx/yolo12n.untrained/model.onnx', runtime },
        { card: 'yolo11', variant: 'yolo11n.coco', name: 'YOLO11n', url: '../onnx/yolo11n.coco/model.onnx', bytes: 10, sha256: 'A'.repeat(64), runtime },
        { card: 'yolo11', variant: 'yolo11s.coco', name: 'YOLO11s', url: '/site/onnx/s/model.onnx', runtime },
      ],
      samples: [{ url: '../samples/1.jpg', name: 'one', credit: 'COCO' }],
      cards: { yolov12: { name: 'YOLOv12', message: 'no weights' } },
    },
    BASE,
  );
  assert.deepEqual(m.problems, []);
  assert.equal(m.models[1].url, 'https://example.org/site/onnx/yolo11n.coco/model.onnx');
  assert.equal(m.models[1].sha256, 'a'.repeat(64));
  assert.equal(m.models[0].trained, false);
  assert.equal(m.models[1].trained, true, 'trained defaults to true');
  assert.equal(m.samples[0].url, 'https://example.org/site/samples/1.jpg');
  assert.equal(m.cards.yolov12.message, 'no weights');
  assert.deepEqual(entriesForCard(m, 'yolo11').map((e) => e.variant), ['yolo11n.coco', 'yolo11s.coco']);
  assert.equal(findEntry(m, 'yolo11/yolo11s.coco').variant, 'yolo11s.coco');
  assert.equal(findEntry(m, 'yolo11n.coco').variant, 'yolo11n.coco');
  assert.equal(findEntry(m, 'yolo11').variant, 'yolo11n.coco', 'a card id finds its first trained variant');
  assert.equal(findEntry(m, 'yolov12'), null, 'untrained graphs are never picked for a card by default');
  assert.equal(findEntry(m, 'yolo12n').trained, false, 'but can be named explicitly');
  assert.equal(findEntry(m, 'yolo12n.untrained').variant, 'yolo12n', 'or by its artifact id');
  assert.equal(m.models[0].artifact, 'yolo12n.untrained');
  assert.equal(m.models[1].artifact, null, 'an old manifest without artifact ids still loads');
});

test('normalizeManifest: refuses other origins and broken entries, keeps the rest', () => {
  const m = normalizeManifest(
    {
      models: [
        { card: 'x', variant: 'x.1', url: 'https://cdn.example.com/m.onnx', runtime },
        { card: 'x', variant: 'x.2', url: 'ok.onnx', runtime: { ...runtime, input: { ...runtime.input, layout: 'CHW' } } },
        { card: 'x', variant: 'x.3', url: 'ok.onnx' },
        { variant: 'x.4', url: 'ok.onnx', runtime },
        { card: 'x', variant: 'x.5', url: 'ok.onnx', runtime },
        { card: 'x', variant: 'x.5', url: 'ok2.onnx', runtime },
      ],
      samples: [{ url: 'https://elsewhere.example.net/a.jpg' }, { nope: 1 }],
    },
    BASE,
  );
  assert.deepEqual(m.models.map((e) => e.variant), ['x.5']);
  assert.equal(m.samples.length, 0);
  const text = m.problems.join('\n');
  assert.match(text, /not on this site/);
  assert.match(text, /input.layout/);
  assert.match(text, /runtime: missing/);
  assert.match(text, /card missing/);
  assert.match(text, /listed twice/);
  assert.deepEqual(normalizeManifest([], BASE).problems, ['manifest is not a JSON object']);
});

test('runtimeProblems: a valid spec has none; each field is checked', () => {
  assert.deepEqual(runtimeProblems(runtime), []);
  const bad = runtimeProblems({ input: { size: [0, 2], layout: 'NCHW', dtype: 'int64', resize: 'crop', std: [1, 0, 1] }, decoder: { kind: 'ultralytics' }, labels: 'coco-80' });
  assert.equal(bad.length, 6, bad.join('\n'));
});

test("a sample's credit keeps its licence and links, and only http(s) links", () => {
  const m = normalizeManifest(
    {
      version: 1,
      models: [],
      samples: [
        {
          url: '../samples/1.jpg',
          name: 'Bus',
          license: 'CC BY 2.0',
          license_url: 'http://creativecommons.org/licenses/by/2.0/',
          flickr_url: 'http://farm8.staticflickr.com/1/2_z.jpg',
          coco_url: 'javascript:alert(1)',
        },
      ],
    },
    BASE,
  );
  const s = m.samples[0];
  assert.deepEqual([s.license, s.licenseUrl, s.flickrUrl, s.cocoUrl], [
    'CC BY 2.0',
    'http://creativecommons.org/licenses/by/2.0/',
    'http://farm8.staticflickr.com/1/2_z.jpg',
    null,
  ]);
});
