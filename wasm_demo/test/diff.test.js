// The diff view's matching (src/diff.js) on hand-computed cases: each case's IoUs are worked out in its comment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIFF_IOU, diffCounts, matchDetections } from '../src/diff.js';

const det = (className, box, score = 0.9) => ({ className, box, score });

test('the threshold is IoU 0.5', () => {
  assert.equal(DIFF_IOU, 0.5);
});

test('nothing on either side: nothing to match', () => {
  assert.deepEqual(matchDetections([], []), { both: [], onlyA: [], onlyB: [] });
});

test('one side empty: every box is that side only', () => {
  const a = [det('person', [0, 0, 10, 10]), det('dog', [20, 20, 30, 30])];
  assert.deepEqual(matchDetections(a, []), { both: [], onlyA: [0, 1], onlyB: [] });
  assert.deepEqual(matchDetections([], a), { both: [], onlyA: [], onlyB: [0, 1] });
});

test('the same box and class is found by both (IoU 1)', () => {
  const m = matchDetections([det('person', [0, 0, 10, 10])], [det('person', [0, 0, 10, 10], 0.4)]);
  assert.deepEqual(m, { both: [{ a: 0, b: 0, iou: 1 }], onlyA: [], onlyB: [] });
});

test('the same box under another class name is not a match', () => {
  const m = matchDetections([det('person', [0, 0, 10, 10])], [det('dog', [0, 0, 10, 10])]);
  assert.deepEqual(diffCounts(m), { both: 0, onlyA: 1, onlyB: 1 });
});

test('classes match by name, not by id (COCO-80 against COCO-90 numbering)', () => {
  const a = [{ ...det('person', [0, 0, 10, 10]), classId: 0 }];
  const b = [{ ...det('person', [0, 0, 10, 10]), classId: 1 }];
  assert.deepEqual(diffCounts(matchDetections(a, b)), { both: 1, onlyA: 0, onlyB: 0 });
});

test('IoU exactly 0.5 matches; just below does not', () => {
  // [0,0,10,10] (area 100) inside [0,0,10,20] (area 200): intersection 100, union 200, IoU 0.5
  const at = matchDetections([det('cat', [0, 0, 10, 10])], [det('cat', [0, 0, 10, 20])]);
  assert.deepEqual(at, { both: [{ a: 0, b: 0, iou: 0.5 }], onlyA: [], onlyB: [] });
  // [0,0,10,20.5]: union 205, IoU 100/205 = 0.4878
  const below = matchDetections([det('cat', [0, 0, 10, 10])], [det('cat', [0, 0, 10, 20.5])]);
  assert.deepEqual(diffCounts(below), { both: 0, onlyA: 1, onlyB: 1 });
});

test('a shifted box: [0,0,10,10] against [5,0,15,10] is IoU 50/150 = 1/3, no match', () => {
  const m = matchDetections([det('car', [0, 0, 10, 10])], [det('car', [5, 0, 15, 10])]);
  assert.deepEqual(diffCounts(m), { both: 0, onlyA: 1, onlyB: 1 });
});

test('one to one: two A boxes on one B box leave the weaker overlap as A only', () => {
  // a0 = b0 exactly (IoU 1); a1 = [1,0,11,10] against b0: intersection 90, union 110, IoU 0.818
  const a = [det('person', [0, 0, 10, 10]), det('person', [1, 0, 11, 10])];
  const b = [det('person', [0, 0, 10, 10])];
  assert.deepEqual(matchDetections(a, b), { both: [{ a: 0, b: 0, iou: 1 }], onlyA: [1], onlyB: [] });
});

test('the highest IoU is taken first, whatever the list order', () => {
  // a0 = [0,0,10,10]; b0 = [1,0,11,10] (IoU 0.818), b1 = [0,0,10,10] (IoU 1): a0 pairs with b1
  const m = matchDetections([det('person', [0, 0, 10, 10])], [det('person', [1, 0, 11, 10]), det('person', [0, 0, 10, 10])]);
  assert.deepEqual(m, { both: [{ a: 0, b: 1, iou: 1 }], onlyA: [], onlyB: [0] });
});

test('greedy, not the largest matching: a box taken early is not reassigned', () => {
  // a0 = [0,0,10,10], a1 = [0,1,10,11]; b0 = [0,0,10,9], b1 = [0,0,10,6]
  // a0-b0: 90/100 = 0.9; a1-b0: intersection 10x8 = 80, union 100+90-80 = 110, 0.727;
  // a0-b1: 60/100 = 0.6;  a1-b1: intersection 10x5 = 50, union 100+60-50 = 110, 0.4545 (below 0.5)
  // greedy: a0-b0 (0.9) first; then a1-b0 (b0 taken) and a0-b1 (a0 taken) are refused: 1 both, 1 only A, 1 only B
  const a = [det('bird', [0, 0, 10, 10]), det('bird', [0, 1, 10, 11])];
  const b = [det('bird', [0, 0, 10, 9]), det('bird', [0, 0, 10, 6])];
  const m = matchDetections(a, b);
  assert.equal(m.both.length, 1);
  assert.deepEqual([m.both[0].a, m.both[0].b], [0, 0]);
  assert.ok(Math.abs(m.both[0].iou - 0.9) < 1e-12);
  assert.deepEqual([m.onlyA, m.onlyB], [[1], [1]]);
});

test('a mixed scene: counts of both, only A and only B', () => {
  // person: a0 = b1 exactly; dog: a1 vs b0 [52,50,62,60] against [50,50,60,60]: 80/120 = 0.667, a match;
  // car a2 has no car in B; cat b2 has no cat in A
  const a = [det('person', [0, 0, 10, 20]), det('dog', [50, 50, 60, 60]), det('car', [100, 100, 140, 120])];
  const b = [det('dog', [52, 50, 62, 60]), det('person', [0, 0, 10, 20]), det('cat', [200, 0, 220, 20])];
  const m = matchDetections(a, b);
  assert.deepEqual(m.both.map((p) => [p.a, p.b]), [[0, 1], [1, 0]]);
  assert.ok(Math.abs(m.both[1].iou - 80 / 120) < 1e-12);
  assert.deepEqual(diffCounts(m), { both: 2, onlyA: 1, onlyB: 1 });
  assert.deepEqual([m.onlyA, m.onlyB], [[2], [2]]);
});

test('a custom threshold', () => {
  const m = matchDetections([det('car', [0, 0, 10, 10])], [det('car', [5, 0, 15, 10])], { iouThreshold: 0.3 });
  assert.deepEqual(diffCounts(m), { both: 1, onlyA: 0, onlyB: 0 });
});
