import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iou, iouFlat, nms, orderByScore } from '../src/nms.js';

test('iou: identical, disjoint, touching, contained, partial', () => {
  assert.equal(iou([0, 0, 10, 10], [0, 0, 10, 10]), 1);
  assert.equal(iou([0, 0, 10, 10], [20, 20, 30, 30]), 0);
  assert.equal(iou([0, 0, 10, 10], [10, 0, 20, 10]), 0, 'sharing an edge is no overlap');
  assert.equal(iou([0, 0, 10, 10], [2, 2, 7, 7]), 25 / 100);
  // half overlap: inter 50, union 150
  assert.equal(iou([0, 0, 10, 10], [5, 0, 15, 10]), 50 / 150);
  assert.equal(iou([5, 0, 15, 10], [0, 0, 10, 10]), iou([0, 0, 10, 10], [5, 0, 15, 10]), 'symmetric');
});

test('iou: degenerate boxes give 0, never NaN', () => {
  assert.equal(iou([0, 0, 0, 0], [0, 0, 0, 0]), 0);
  assert.equal(iou([5, 5, 5, 10], [0, 0, 10, 10]), 0);
  assert.equal(iou([10, 10, 0, 0], [0, 0, 10, 10]), 0, 'inverted box');
  assert.equal(iouFlat([1, 1, 2, 2, 0, 0, 10, 10], 1, [0, 0, 10, 10], 0), 1);
});

test('orderByScore: descending, ties keep input order, NaN dropped', () => {
  assert.deepEqual(orderByScore([0.1, 0.9, 0.5, 0.9, NaN, 0.5]), [1, 3, 2, 5, 0]);
  assert.deepEqual(orderByScore([]), []);
});

test('nms: keeps the best of overlapping boxes, keeps disjoint ones', () => {
  const boxes = [0, 0, 10, 10, 1, 1, 11, 11, 50, 50, 60, 60];
  const scores = [0.8, 0.9, 0.7];
  assert.deepEqual(nms(boxes, scores, { iouThreshold: 0.5 }), [1, 2]);
});

test('nms: IoU equal to the threshold survives (strictly greater suppresses)', () => {
  const boxes = [0, 0, 10, 10, 5, 0, 15, 10]; // IoU 1/3
  assert.deepEqual(nms(boxes, [0.9, 0.8], { iouThreshold: 1 / 3 }), [0, 1]);
  assert.deepEqual(nms(boxes, [0.9, 0.8], { iouThreshold: 0.33 }), [0]);
});

test('nms: identical boxes with tied scores keep the first', () => {
  const boxes = [0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10];
  assert.deepEqual(nms(boxes, [0.5, 0.5, 0.5], { iouThreshold: 0.7 }), [0]);
  assert.deepEqual(nms(boxes, [0.5, 0.6, 0.6], { iouThreshold: 0.7 }), [1]);
});

test('nms: a suppressed box does not suppress others (greedy chain)', () => {
  // A overlaps B, B overlaps C, A does not overlap C: A kept, B suppressed, C kept
  const boxes = [0, 0, 10, 10, 6, 0, 16, 10, 12, 0, 22, 10];
  const scores = [0.9, 0.8, 0.7];
  assert.ok(iou([0, 0, 10, 10], [6, 0, 16, 10]) > 0.2);
  assert.equal(iou([0, 0, 10, 10], [12, 0, 22, 10]), 0);
  assert.deepEqual(nms(boxes, scores, { iouThreshold: 0.2 }), [0, 2]);
});

test('nms: class-aware only suppresses within a class', () => {
  const boxes = [0, 0, 10, 10, 0, 0, 10, 10, 1, 1, 10, 10];
  const scores = [0.9, 0.8, 0.7];
  const classes = [0, 1, 0];
  assert.deepEqual(nms(boxes, scores, { iouThreshold: 0.5, classes }), [0, 1]);
  assert.deepEqual(nms(boxes, scores, { iouThreshold: 0.5 }), [0], 'class-agnostic');
});

test('nms: maxDetections stops at the limit, best first', () => {
  const boxes = [];
  const scores = [];
  for (let i = 0; i < 10; i++) {
    boxes.push(i * 20, 0, i * 20 + 10, 10);
    scores.push(i / 10);
  }
  assert.deepEqual(nms(boxes, scores, { iouThreshold: 0.5, maxDetections: 3 }), [9, 8, 7]);
  assert.deepEqual(nms(boxes, scores, { iouThreshold: 0.5, maxDetections: 0 }), []);
  assert.equal(nms(boxes, scores, { iouThreshold: 0.5 }).length, 10);
});

test('nms: empty input and bad arguments', () => {
  assert.deepEqual(nms([], [], { iouThreshold: 0.5 }), []);
  assert.throws(() => nms([0, 0, 1], [1], { iouThreshold: 0.5 }), RangeError);
  assert.throws(() => nms([0, 0, 1, 1], [1], { iouThreshold: NaN }), RangeError);
  assert.throws(() => nms([0, 0, 1, 1], [1], { iouThreshold: 0.5, classes: [1, 2] }), RangeError);
});

test('nms: matches a brute-force reference on random boxes', () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let trial = 0; trial < 50; trial++) {
    const n = 1 + Math.floor(rand() * 40);
    const boxes = [], scores = [], classes = [];
    for (let i = 0; i < n; i++) {
      const x = rand() * 100, y = rand() * 100;
      boxes.push(x, y, x + 5 + rand() * 40, y + 5 + rand() * 40);
      scores.push(Math.round(rand() * 10) / 10); // many ties
      classes.push(Math.floor(rand() * 3));
    }
    const thr = 0.3 + rand() * 0.4;
    // reference: suppression formulation over the stably sorted list
    const order = [...scores.keys()].sort((a, b) => scores[b] - scores[a] || a - b);
    const removed = new Set();
    const expected = [];
    for (let p = 0; p < order.length; p++) {
      const i = order[p];
      if (removed.has(i)) continue;
      expected.push(i);
      for (let q = p + 1; q < order.length; q++) {
        const j = order[q];
        if (classes[i] === classes[j] && iouFlat(boxes, i, boxes, j) > thr) removed.add(j);
      }
    }
    assert.deepEqual(nms(boxes, scores, { iouThreshold: thr, classes }), expected);
  }
});
