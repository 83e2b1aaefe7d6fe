// onnxruntime-web's wasm binary (14.2 MB), fetched once per page and handed to every model worker
// (`ort.env.wasm.wasmBinary` in worker.js), instead of once per worker. The site publishes it, and the WebGPU
// build's, gzipped too (`<file>.gz`, 3.7 MB; generator/staging.py): the demo fetches that and inflates it itself,
// so the bytes on the wire do not depend on whether the host compresses `.wasm`.

import { anyAccelerator } from './accelerators.js';

export const WASM_FILE = 'ort-wasm-simd-threaded.wasm';
export const GPU_WASM_FILE = 'ort-wasm-simd-threaded.asyncify.wasm'; // the WebGPU build's (worker.js fetches it)
export const GZIP_SUFFIX = '.gz';

const fetched = new Map(); // URL -> Promise<ArrayBuffer | null>

/** The body of a gzip response, inflated; null where the browser has no DecompressionStream or the fetch fails. */
export async function fetchGunzipped(url, fetchImpl = fetch) {
  if (typeof DecompressionStream !== 'function') return null;
  try {
    const response = await fetchImpl(url, { credentials: 'same-origin' });
    if (!response.ok || !response.body) return null;
    return await new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  } catch {
    return null; // a truncated or corrupt file: the plain one is fetched instead
  }
}

async function fetchPlain(url, fetchImpl = fetch) {
  try {
    const response = await fetchImpl(url, { credentials: 'same-origin' });
    return response.ok ? await response.arrayBuffer() : null;
  } catch {
    return null;
  }
}

/** The binary under `url`: its `.gz` copy inflated, else the plain file, else null. */
export async function fetchWasm(url, fetchImpl = fetch) {
  return (await fetchGunzipped(url + GZIP_SUFFIX, fetchImpl)) ?? (await fetchPlain(url, fetchImpl));
}

/**
 * The CPU build's wasm binary under `ortBase`, fetched on the first call and shared by later ones; null when it
 * cannot be fetched (each worker then loads it itself) or when the workers will try an accelerator (the same
 * question as worker.js asks, accelerators.js): those load another binary (the WebGPU build's, which has the WebGPU
 * and WebNN providers), so this one would only add bytes.
 */
export function sharedWasmBinary(ortBase, accelerator = 'auto') {
  const url = new URL(WASM_FILE, ortBase).href;
  if (!fetched.has(url)) {
    fetched.set(
      url,
      anyAccelerator(accelerator).then((any) => (any ? null : fetchWasm(url))),
    );
  }
  return fetched.get(url);
}
