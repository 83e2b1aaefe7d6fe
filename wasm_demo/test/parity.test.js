// The one-image check before the demo trusts WebGPU or WebNN (src/parity.js), on hand-made detections.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { parity, parityNote } from '../src/parity.js';

const det = (className, score, box) => ({ className, score, box });
const wasm = [det('person', 0.9, [10, 10, 110, 210]), det('dog', 0.6, [200, 50, 300, 150])];

test('the same boxes within float noise are the same result', () => {
  const gpu = [det('dog', 0.61, [200.4, 50, 300, 150.2]), det('person', 0.899, [10, 10.5, 110, 210])];
  const r = parity(wasm, gpu, 0.25);
  assert.equal(r.verdict, 'same');
  assert.deepEqual([r.boxes, r.matched, r.missing, r.extra, r.scoreOff], [2, 2, 0, 0, 0]);
  assert.equal(parityNote('WebGPU', r), 'WebGPU gave the wasm result on the first image (2 of 2 boxes matched)');
});

test('a box moved below IoU 0.9 is missing on one side and extra on the other', () => {
  // 100x200 box shifted by 12 px: IoU = (88*200)/(2*100*200 - 88*200) = 17600/22400 = 0.786
  const gpu = [det('person', 0.9, [22, 10, 122, 210]), wasm[1]];
  const r = parity(wasm, gpu, 0.25);
  assert.equal(r.verdict, 'different');
  assert.deepEqual([r.matched, r.missing, r.extra], [1, 1, 1]);
  assert.match(parityNote('WebGPU', r), /1 of wasm's 2 boxes missing, 1 extra\)$/);
});

test('another class or a score 0.06 away is a difference', () => {
  assert.equal(parity(wasm, [wasm[0], det('cat', 0.6, wasm[1].box)], 0.25).verdict, 'different');
  const r = parity(wasm, [wasm[0], det('dog', 0.66, wasm[1].box)], 0.25);
  assert.deepEqual([r.verdict, r.scoreOff], ['different', 1]);
});

test('a box within 0.05 of the threshold may be on one side only', () => {
  const edge = det('cup', 0.27, [0, 0, 5, 5]);
  assert.equal(parity([...wasm, edge], wasm, 0.25).verdict, 'same');
  assert.equal(parity(wasm, [...wasm, edge], 0.25).verdict, 'same');
  assert.equal(parity(wasm, [...wasm, det('cup', 0.31, [0, 0, 5, 5])], 0.25).verdict, 'different');
});

test('no box on wasm proves nothing; boxes only the candidate sees are still a difference', () => {
  assert.equal(parity([], [], 0.25).verdict, 'inconclusive');
  assert.equal(parity([], [det('cup', 0.9, [0, 0, 5, 5])], 0.25).verdict, 'different');
});
