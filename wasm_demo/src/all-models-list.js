// The all-models page's list logic, pure (tested in Node, test/all-models-list.test.js): which models the
// visitor's filters keep, in which order the grid shows them, and which one runs next.
//
// A model here is `{artifact, order, license, family, size}` (the page's `data-*` attributes, written by
// generator/views/all_models.py); a result `{inferenceMs, detections: [...]}` or an error, by artifact.

/** The filters the page offers, each `''` for "any". */
export const FILTER_KEYS = Object.freeze(['license', 'family', 'size']);
export const SORT_KEYS = Object.freeze(['default', 'speed', 'detections']);

/** Whether `model` passes `filters` (`{license, family, size}`; an empty or missing value lets everything through). */
export function passes(model, filters) {
  return FILTER_KEYS.every((key) => !filters?.[key] || model[key] === filters[key]);
}

/**
 * `models` in the order the grid shows them: `default` (the page's order), `speed` (fastest inference first) or
 * `detections` (most detections first). Models without a result yet (or that failed) come last, in page order.
 */
export function sortModels(models, key, results) {
  const value = (m) => {
    const r = results.get(m.artifact);
    if (!r || r.error) return null;
    if (key === 'speed') return r.inferenceMs;
    if (key === 'detections') return -r.detections.length;
    return null;
  };
  return [...models].sort((p, q) => {
    if (key !== 'default') {
      const a = value(p);
      const b = value(q);
      if (a === null && b !== null) return 1;
      if (b === null && a !== null) return -1;
      if (a !== null && b !== null && a !== b) return a - b;
    }
    return p.order - q.order;
  });
}

/** The next model to run on the frame `frameId`: the first in `ordered` that passes `filters` and has no result
 * (nor error) for that frame in `results`; null when every shown model has one. */
export function nextToRun(ordered, filters, results, frameId) {
  return ordered.find((m) => passes(m, filters) && results.get(m.artifact)?.frameId !== frameId) ?? null;
}
