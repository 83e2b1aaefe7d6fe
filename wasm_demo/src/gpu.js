// Which WebGPU adapters the demo uses: hardware ones only (a software adapter takes minutes per inference).
// Shared by the worker (worker.js, which picks the backend) and the page (ort-wasm.js, which needs to know
// whether the workers will want the CPU build's wasm).

/** Whether `adapter` is a software (fallback) adapter: SwiftShader, llvmpipe or one that says so. */
export function isSoftwareAdapter(adapter) {
  const info = adapter?.info ?? {};
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`.toLowerCase();
  return Boolean(adapter?.isFallbackAdapter || info.isFallbackAdapter || /swiftshader|llvmpipe|software/.test(text));
}

/** A usable WebGPU adapter for `mode` (`auto` | `off` | `force`: force takes a software one too), or null. */
export async function webgpuAdapter(mode, gpu = self.navigator?.gpu) {
  if (mode === 'off' || !gpu) return null;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return null;
    if (isSoftwareAdapter(adapter) && mode !== 'force') return null;
    return adapter;
  } catch {
    return null;
  }
}
