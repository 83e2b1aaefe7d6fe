// The diff of two models' detections on one image: which boxes both found, which only A and which only B.
// Pure (tested in Node, test/diff.test.js, against hand-computed cases); diff-view.js draws it.
//
// Two detections match when they name the same class (by name: two models may number classes differently,
// COCO-80 against COCO-90) and their boxes overlap with IoU >= 0.5. Matching is one-to-one and greedy by
// IoU: of all same-class pairs at or above the threshold, the highest IoU is taken first (ties: A's index,
// then B's), and a box already taken is not matched again, as COCO-style evaluation does.

import { iou } from './nms.js';

export const DIFF_IOU = 0.5;

/**
 * Match detections `a` against `b` (each `{className, score, box: [x1, y1, x2, y2]}`).
 * @returns {{both: {a: number, b: number, iou: number}[], onlyA: number[], onlyB: number[]}} indices into
 *   `a` and `b`; `both` ordered by A's index, `onlyA` and `onlyB` ascending.
 */
export function matchDetections(a, b, { iouThreshold = DIFF_IOU } = {}) {
  const pairs = [];
  a.forEach((da, i) => {
    b.forEach((db, j) => {
      if (da.className !== db.className) return;
      const overlap = iou(da.box, db.box);
      if (overlap >= iouThreshold) pairs.push({ a: i, b: j, iou: overlap });
    });
  });
  pairs.sort((p, q) => q.iou - p.iou || p.a - q.a || p.b - q.b);
  const takenA = new Set();
  const takenB = new Set();
  const both = [];
  for (const p of pairs) {
    if (takenA.has(p.a) || takenB.has(p.b)) continue;
    takenA.add(p.a);
    takenB.add(p.b);
    both.push(p);
  }
  both.sort((p, q) => p.a - q.a);
  return {
    both,
    onlyA: a.map((_, i) => i).filter((i) => !takenA.has(i)),
    onlyB: b.map((_, j) => j).filter((j) => !takenB.has(j)),
  };
}

/** The counts a diff view shows: `{both, onlyA, onlyB}`. */
export function diffCounts(match) {
  return { both: match.both.length, onlyA: match.onlyA.length, onlyB: match.onlyB.length };
}
