// onnxruntime-web's wasm binary (13.6 MiB), fetched once per page and handed to every model worker
// (`ort.env.wasm.wasmBinary` in worker.js), instead of once per worker.

import { webgpuAdapter } from './gpu.js';

export const WASM_FILE = 'ort-wasm-simd-threaded.wasm';

const fetched = new Map(); // URL -> Promise<ArrayBuffer | null>

/**
 * The CPU build's wasm binary under `ortBase`, fetched on the first call and shared by later ones; null when it
 * cannot be fetched (each worker then loads it itself) or when the workers will run on WebGPU (the same adapter
 * test as worker.js, gpu.js): those load another binary (the asyncify build), so this one would only add bytes.
 */
export function sharedWasmBinary(ortBase, webgpu = 'auto') {
  const url = new URL(WASM_FILE, ortBase).href;
  if (!fetched.has(url)) {
    fetched.set(
      url,
      webgpuAdapter(webgpu).then((adapter) =>
        adapter
          ? null
          : fetch(url, { credentials: 'same-origin' })
              .then((r) => (r.ok ? r.arrayBuffer() : null))
              .catch(() => null),
      ),
    );
  }
  return fetched.get(url);
}
