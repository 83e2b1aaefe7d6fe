import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeManifest } from '../src/manifest.js';
import { measurementRecord } from '../src/measure.js';
import { asStandIn, cannotRunReason, cardName, needsStandIn, standInLabel, standInName, standInsFor } from '../src/standin.js';

const input = { size: [640, 640], layout: 'NCHW', dtype: 'float32', color: 'RGB', resize: 'letterbox', pad_value: 114, scale: 1 / 255 };
const ultralytics = { input, decoder: { kind: 'ultralytics', coordinates: 'pixels', classes: 2 }, labels: ['a', 'b'] };
const inGraph = { input: { ...input, dtype: 'uint8' }, decoder: { kind: 'nms-in-graph', outputs: {} }, labels: ['a', 'b'] };
const BASE = 'https://example.org/site/demo/manifest.json';
const SHA = 'a'.repeat(64);

/** A manifest as `versus build` writes it for the real catalog: trained entries first, then untrained graphs. */
function manifest(extra = []) {
  return normalizeManifest(
    {
      models: [
        { artifact: 'ssd.coral', card: 'mobilenet-ssd-v2', card_name: 'MobileNet SSD v2', variant: 'ssd.coral', name: 'SSD MobileNet v2', url: 'a.onnx', sha256: SHA, bytes: 5, runtime: inGraph },
        { artifact: 'yolo11n.coco', card: 'yolo11', card_name: 'YOLO11', variant: 'yolo11n.coco', name: 'YOLO11n', url: 'b.onnx', sha256: SHA, bytes: 6, runtime: ultralytics },
        { artifact: 'yolov8n.coco', card: 'yolov8', card_name: 'YOLOv8', variant: 'yolov8n.coco', name: 'YOLOv8n', url: 'c.onnx', runtime: ultralytics },
        ...extra,
        { artifact: 'yolo12n.untrained', card: 'yolov12', card_name: 'YOLOv12', variant: 'yolo12n', name: 'Untrained test graph (YOLO12n)', trained: false, url: 'd.onnx', runtime: ultralytics },
      ],
      cards: { yolov12: { name: 'YOLOv12', reason: 'This build has no trained YOLOv12.', message: 'longer story' } },
    },
    BASE,
  );
}

test('a card with a trained entry needs no stand-in; one with none (or only an untrained graph) does', () => {
  const m = manifest();
  assert.equal(needsStandIn(m, 'yolo11'), false);
  assert.deepEqual(standInsFor(m, 'yolo11'), []);
  assert.equal(needsStandIn(m, 'yolov12'), true, 'an untrained test graph is not the model');
  assert.equal(needsStandIn(m, 'rt-detr'), true, 'a card with no entry at all');
  assert.equal(needsStandIn(m, null), false, 'a panel with no card picks among every model instead');
});

test('stand-ins: the other trained detectors, in manifest order, never the untrained graph, never the other side', () => {
  const m = manifest();
  assert.deepEqual(standInsFor(m, 'yolov12').map((e) => e.variant), ['ssd.coral', 'yolo11n.coco', 'yolov8n.coco']);
  assert.deepEqual(
    standInsFor(m, 'yolov12', { exclude: ['mobilenet-ssd-v2'] }).map((e) => e.variant),
    ['yolo11n.coco', 'yolov8n.coco'],
    'the seed pair: the SSD is the other panel',
  );
  assert.ok(standInsFor(m, 'rt-detr').every((e) => e.trained && e.card !== 'rt-detr'));
});

test('stand-ins are decided by the manifest, not by names: a renamed model or a new card is offered the same way', () => {
  const renamed = manifest([{ card: 'zz', card_name: 'YOLOv12 (not really)', variant: 'zz.1', name: 'YOLOv12 lookalike', url: 'e.onnx', runtime: ultralytics }]);
  assert.deepEqual(standInsFor(renamed, 'yolov12').map((e) => e.card), ['mobilenet-ssd-v2', 'yolo11', 'yolov8', 'zz']);
  // an entry whose boxes the demo cannot decode is not a detector it can run
  const other = manifest([{ card: 'seg', variant: 'seg.1', url: 'f.onnx', runtime: { ...ultralytics, decoder: { kind: 'segmentation-masks' } } }]);
  assert.ok(!standInsFor(other, 'yolov12').some((e) => e.card === 'seg'));
  assert.ok(other.models.some((e) => e.card === 'seg'), 'the manifest keeps it; only the stand-in list leaves it out');
});

test('labels name the stand-in by model name and variant, and say which model it is not', () => {
  const m = manifest();
  const yolo11 = standInsFor(m, 'yolov12').find((e) => e.card === 'yolo11');
  const s = asStandIn(m, yolo11, 'yolov12');
  assert.equal(standInLabel(s), 'Stand-in: YOLO11 (yolo11n.coco) — not YOLOv12');
  assert.equal(standInName(s), 'YOLO11n — stand-in, not YOLOv12');
  assert.equal(yolo11.standIn, undefined, 'the manifest entry itself is left as it is');
  assert.equal(cardName(m, 'yolov12'), 'YOLOv12');
  assert.equal(cardName(m, 'yolov8'), 'YOLOv8', 'from the entries when `cards` does not list the card');
  assert.equal(cardName(m, 'nope'), 'nope');
  const old = normalizeManifest({ models: [{ card: 'yolo11', variant: 'y', url: 'b.onnx', runtime: ultralytics }] }, BASE);
  assert.equal(standInLabel(asStandIn(old, old.models[0], 'yolov12')), 'Stand-in: yolo11 (y) — not yolov12', 'a manifest without names falls back to ids');
});

test('the reason is one line: the manifest says it, else a generic one', () => {
  const m = manifest();
  assert.equal(cannotRunReason(m, 'yolov12'), 'This build has no trained YOLOv12.');
  assert.equal(cannotRunReason(m, 'rt-detr'), 'This build has no trained rt-detr.');
  for (const card of ['yolov12', 'rt-detr']) assert.ok(!cannotRunReason(m, card).includes('\n'));
});

test("a stand-in's measurement record is the stand-in's own artifact, never the panel's model", () => {
  const m = manifest();
  const s = asStandIn(m, standInsFor(m, 'yolov12').find((e) => e.card === 'yolo11'), 'yolov12');
  const latency = { backend: 'wasm' };
  const machine = { name: 'browser-linux-2c' };
  const record = measurementRecord({ entry: s, latency, machine, software: {}, started: 0, updated: 1 });
  assert.deepEqual(record.artifact, { artifact_id: 'yolo11n.coco', card_id: 'yolo11', variant_id: 'yolo11n.coco', sha256: SHA, bytes: 6, trained: true });
  assert.ok(!JSON.stringify(record).includes('yolov12'));
});
