// The page's side of one model worker (worker.js): starts it as a module worker and sends it the
// protocol's messages (worker-protocol.js). What the worker answers goes to the `onMessage` handler the panel gives.

import { REQUEST } from './worker-protocol.js';

export class WorkerClient {
  /**
   * Start the worker at `url` for panel `index`. Handlers: `onMessage(data)`, `onError(event)`,
   * `onMessageError()`. Throws when the browser cannot start a module worker.
   */
  constructor(url, index, { onMessage, onError, onMessageError }) {
    // one URL per panel, so the page's memory measurement can tell the panels' workers apart
    const href = new URL(url);
    href.searchParams.set('panel', String(index));
    this.href = href.href;
    this.worker = new Worker(href, { type: 'module', name: `versus-model-${index}` });
    this.worker.onmessage = (e) => onMessage(e.data);
    this.worker.onerror = onError;
    this.worker.onmessageerror = onMessageError;
  }

  /**
   * Load a model: from `model.url`, or from `buffer` (a dropped file, transferred to the worker). `wasmBinary`:
   * onnxruntime-web's wasm (or a promise of it, or null), copied to the worker so it does not download it again.
   */
  async load({ ortBase, numThreads, accelerator, resampler, sessionOptions, model, runtime, buffer = null, wasmBinary = null }) {
    const binary = await wasmBinary;
    const msg = {
      type: REQUEST.LOAD,
      ortBase,
      numThreads,
      accelerator,
      resampler,
      sessionOptions,
      model: { url: model.url ?? null, bytes: model.bytes ?? null, sha256: model.sha256 ?? null, name: model.name },
      runtime,
      wasmBinary: binary ?? null,
    };
    if (buffer) {
      msg.buffer = buffer;
      this.worker.postMessage(msg, [buffer]);
    } else {
      this.worker.postMessage(msg);
    }
  }

  /** Run one frame; `bitmap` is transferred. */
  run({ id, bitmap, sourceSize, options }) {
    this.worker.postMessage({ type: REQUEST.RUN, id, bitmap, sourceSize, options }, [bitmap]);
  }

  /** Ask the worker to release its session, then stop it. */
  dispose() {
    try {
      this.worker.postMessage({ type: REQUEST.DISPOSE });
    } catch {
      // already gone
    }
    this.worker.terminate();
  }
}
