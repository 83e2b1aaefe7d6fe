// How many wasm threads a model worker gets, so that the models a page runs at once never ask for more threads
// together than the device has cores (two 2-thread workers on 2 cores run slower than each alone).

/**
 * Threads per model for `models` models running at once on `cores` cores: an equal share of the cores, at least 1
 * and at most 4 (onnxruntime-web gains little beyond); 1 without cross-origin isolation (no threads then). Pure.
 */
export function threadBudget(cores, isolated, models = 1) {
  if (!isolated) return 1;
  const share = Math.floor(Math.max(1, cores || 1) / Math.max(1, models));
  return Math.max(1, Math.min(share, 4));
}

/** Threads per model in this browser for `models` models running at once. */
export function defaultThreads(models = 1) {
  return threadBudget(navigator.hardwareConcurrency || 1, self.crossOriginIsolated === true, models);
}
