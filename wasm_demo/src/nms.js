// Intersection over union and greedy non-maximum suppression on axis-aligned boxes.
//
// Boxes are `[x1, y1, x2, y2]` (x2 > x1, y2 > y1 for a real box). The semantics follow torchvision's
// `nms` / `batched_nms`, which the Python reference decoder (generator/decode.py) uses:
//   - candidates are visited in descending score order; equal scores keep their input order (stable);
//   - a candidate is suppressed when its IoU with an already kept box is strictly greater than the
//     threshold (so IoU == threshold survives);
//   - class-aware NMS only compares boxes that have the same class.
// Pure functions, no DOM: they run in the page, in a worker and in Node's test runner.

/** IoU of two boxes given as arrays `[x1, y1, x2, y2]`. Degenerate boxes (no area) give 0. */
export function iou(a, b) {
  return iouFlat(a, 0, b, 0);
}

/** IoU of the box at `boxes[4 * i]` with the one at `other[4 * j]` (flat arrays of 4 numbers per box). */
export function iouFlat(boxes, i, other, j) {
  const a = i * 4;
  const b = j * 4;
  const ax1 = boxes[a], ay1 = boxes[a + 1], ax2 = boxes[a + 2], ay2 = boxes[a + 3];
  const bx1 = other[b], by1 = other[b + 1], bx2 = other[b + 2], by2 = other[b + 3];
  const iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const ih = Math.min(ay2, by2) - Math.max(ay1, by1);
  if (!(iw > 0) || !(ih > 0)) return 0;
  const inter = iw * ih;
  const areaA = Math.max(0, ax2 - ax1) * Math.max(0, ay2 - ay1);
  const areaB = Math.max(0, bx2 - bx1) * Math.max(0, by2 - by1);
  const union = areaA + areaB - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Indices `0..n-1` ordered by descending score; ties keep ascending index (a stable sort).
 * NaN scores are left out: they can never win a comparison.
 */
export function orderByScore(scores) {
  const order = [];
  for (let i = 0; i < scores.length; i++) if (!Number.isNaN(scores[i])) order.push(i);
  order.sort((p, q) => scores[q] - scores[p] || p - q);
  return order;
}

/**
 * Greedy NMS.
 * @param {ArrayLike<number>} boxes flat `[x1, y1, x2, y2, ...]`, 4 numbers per candidate
 * @param {ArrayLike<number>} scores one per candidate
 * @param {object} options
 * @param {number} options.iouThreshold suppress when IoU > this
 * @param {ArrayLike<number>|null} [options.classes] one class id per candidate: class-aware NMS when given
 * @param {number} [options.maxDetections] stop once this many are kept
 * @returns {number[]} kept candidate indices, best score first
 */
export function nms(boxes, scores, { iouThreshold, classes = null, maxDetections = Infinity } = {}) {
  if (!(iouThreshold >= 0)) throw new RangeError(`iouThreshold must be a number >= 0, got ${iouThreshold}`);
  if (boxes.length !== scores.length * 4) {
    throw new RangeError(`boxes has ${boxes.length} numbers for ${scores.length} scores (expected 4 per score)`);
  }
  if (classes && classes.length !== scores.length) {
    throw new RangeError(`classes has ${classes.length} entries for ${scores.length} scores`);
  }
  const limit = maxDetections > 0 ? maxDetections : 0;
  const kept = [];
  if (limit === 0) return kept;
  // A candidate survives when no kept box (of its class) overlaps it by more than the threshold:
  // the same result as suppressing forward from each kept box, and it allows stopping at `limit`.
  const keptByClass = new Map();
  for (const i of orderByScore(scores)) {
    const key = classes ? classes[i] : 0;
    let group = keptByClass.get(key);
    if (!group) {
      group = [];
      keptByClass.set(key, group);
    }
    let suppressed = false;
    for (const k of group) {
      if (iouFlat(boxes, i, boxes, k) > iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (suppressed) continue;
    group.push(i);
    kept.push(i);
    if (kept.length >= limit) break;
  }
  return kept;
}
