// The all-models page's filters, sort orders and run order (src/all-models-list.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextToRun, passes, sortModels } from '../src/all-models-list.js';

const models = [
  { artifact: 'a', order: 0, license: 'AGPL-3.0-only', family: 'YOLO11', size: 'small' },
  { artifact: 'b', order: 1, license: 'Apache-2.0', family: 'DEIMv2', size: 'tiny' },
  { artifact: 'c', order: 2, license: 'Apache-2.0', family: 'NanoDet', size: 'tiny' },
  { artifact: 'd', order: 3, license: 'AGPL-3.0-only', family: 'YOLOv8', size: 'small' },
];
const ids = (list) => list.map((m) => m.artifact);

test('filters: empty lets everything through; each key narrows; keys combine', () => {
  assert.deepEqual(ids(models.filter((m) => passes(m, {}))), ['a', 'b', 'c', 'd']);
  assert.deepEqual(ids(models.filter((m) => passes(m, { license: '', family: '', size: '' }))), ['a', 'b', 'c', 'd']);
  assert.deepEqual(ids(models.filter((m) => passes(m, { license: 'Apache-2.0' }))), ['b', 'c']);
  assert.deepEqual(ids(models.filter((m) => passes(m, { size: 'small' }))), ['a', 'd']);
  assert.deepEqual(ids(models.filter((m) => passes(m, { license: 'Apache-2.0', family: 'NanoDet' }))), ['c']);
  assert.deepEqual(ids(models.filter((m) => passes(m, { license: 'Apache-2.0', size: 'small' }))), []);
});

test('sort by speed: fastest first, models without a result (or failed) last in page order', () => {
  const results = new Map([
    ['a', { inferenceMs: 80, detections: [1, 2] }],
    ['c', { inferenceMs: 12, detections: [] }],
    ['d', { error: 'failed' }],
  ]);
  assert.deepEqual(ids(sortModels(models, 'speed', results)), ['c', 'a', 'b', 'd']);
});

test('sort by detections: most first, ties in page order', () => {
  const results = new Map([
    ['a', { inferenceMs: 80, detections: [1] }],
    ['b', { inferenceMs: 50, detections: [1, 2, 3] }],
    ['c', { inferenceMs: 12, detections: [1] }],
  ]);
  assert.deepEqual(ids(sortModels(models, 'detections', results)), ['b', 'a', 'c', 'd']);
});

test('default order is the page order whatever the results, and the input is not changed', () => {
  const shuffled = [models[2], models[0], models[3], models[1]];
  const results = new Map([['c', { inferenceMs: 1, detections: [1, 2, 3, 4] }]]);
  assert.deepEqual(ids(sortModels(shuffled, 'default', results)), ['a', 'b', 'c', 'd']);
  assert.deepEqual(ids(shuffled), ['c', 'a', 'd', 'b']);
});

test('next to run: the first shown model without a result for this frame; none when all have one', () => {
  const results = new Map([
    ['a', { frameId: 2, inferenceMs: 1, detections: [] }],
    ['b', { frameId: 1, inferenceMs: 1, detections: [] }],
    ['c', { frameId: 2, error: 'no' }],
  ]);
  assert.equal(nextToRun(models, {}, results, 2).artifact, 'b', 'b has only an older frame');
  assert.equal(nextToRun(models, { license: 'AGPL-3.0-only' }, results, 2).artifact, 'd', 'hidden models wait');
  assert.equal(nextToRun(models, { family: 'NanoDet' }, results, 2), null, 'a failure for this frame is not retried');
});
