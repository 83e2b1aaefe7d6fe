// How many wasm threads a model worker gets.

/** Default threads per model: min(cores, 4) when the page is cross-origin isolated (threads need it), else 1. */
export function defaultThreads() {
  const cores = navigator.hardwareConcurrency || 1;
  return self.crossOriginIsolated ? Math.max(1, Math.min(cores, 4)) : 1;
}
