// Whether an accelerated backend (WebGPU, WebNN) gives the wasm result on one image. The worker runs the
// visitor's first image through both sessions and switches to the accelerated one only when this says so
// (worker.js). Pure; tested in Node (test/parity.test.js) against hand-computed cases.
//
// The same result: every box matched one-to-one by class and IoU >= 0.9 (diff.js's matching), scores within
// 0.05. A box only one side has is forgiven when its score is within 0.05 of the score threshold, where a
// rounding difference may put it on either side. An image where wasm finds no box proves nothing: the check
// waits for the next image.

import { matchDetections } from './diff.js';

export const PARITY = Object.freeze({ iou: 0.9, score: 0.05 });

/**
 * Compare `candidate` detections with the `reference` (wasm) ones, both `{className, score, box}` filtered at
 * `threshold`.
 * @returns {{verdict: 'same'|'different'|'inconclusive', boxes: number, matched: number, missing: number,
 *   extra: number, scoreOff: number}} `missing`: reference boxes the candidate lacks; `extra`: the reverse;
 *   `scoreOff`: matched boxes whose scores differ by more than the tolerance.
 */
export function parity(reference, candidate, threshold, tolerance = PARITY) {
  const match = matchDetections(reference, candidate, { iouThreshold: tolerance.iou });
  const borderline = (d) => d.score < threshold + tolerance.score;
  const missing = match.onlyA.filter((i) => !borderline(reference[i])).length;
  const extra = match.onlyB.filter((j) => !borderline(candidate[j])).length;
  const scoreOff = match.both.filter((p) => Math.abs(reference[p.a].score - candidate[p.b].score) > tolerance.score).length;
  const counts = { boxes: reference.length, matched: match.both.length, missing, extra, scoreOff };
  if (missing || extra || scoreOff) return { verdict: 'different', ...counts };
  return { verdict: reference.length ? 'same' : 'inconclusive', ...counts };
}

/** What the panel says after a check, why the backend runs or not (`name`: 'WebGPU', 'WebNN'); the worker adds which runs. */
export function parityNote(name, result) {
  const { boxes, matched, missing, extra, scoreOff } = result;
  if (result.verdict === 'same') {
    return `${name} gave the wasm result on the first image (${matched} of ${boxes} boxes matched)`;
  }
  const why = [
    missing && `${missing} of wasm's ${boxes} boxes missing`,
    extra && `${extra} extra`,
    scoreOff && `${scoreOff} with scores more than ${PARITY.score} apart`,
  ].filter(Boolean);
  return `${name}'s boxes differed from wasm's on the first image (${why.join(', ')})`;
}
