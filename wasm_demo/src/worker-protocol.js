// The messages between the page (worker-client.js, panel.js) and a model worker (worker.js), in one place
// both sides import. The worker is a module worker: new Worker(url, {type: 'module'}).
//
// Page -> worker messages (`type`):
//   {type: LOAD, ortBase, numThreads, accelerator: 'auto'|'off'|'force' (accelerators.js), resampler: 'auto'|'js'|'canvas',
//    sessionOptions?: object (benchmarking knob: merged over the worker's session options; null = the defaults),
//    model: {url, bytes, sha256, name},
//    buffer?: ArrayBuffer (a dropped file instead of url), runtime,
//    wasmBinary?: ArrayBuffer (onnxruntime-web's CPU wasm, fetched once by the page; null: the worker loads it;
//    a worker with an accelerator to try loads the WebGPU build's own)}
//   {type: RUN, id, bitmap: ImageBitmap | pixels: {data, width, height}, sourceSize?: {width, height},
//    options: {minScore, scoreThreshold, iouThreshold, classFilter}}
//   {type: DISPOSE}
// Worker -> page messages always carry `status`:
//   LOADING  {phase: DOWNLOAD|SESSION, loaded, total, fromCache}
//   READY    {backend, numThreads, crossOriginIsolated, sessionMs, downloadMs, fromCache, bytes, inputNames, outputNames, note,
//             ortVersion (onnxruntime-web's own), gpu (the accelerator's device: WebGPU adapter, WebNN device; or null)}
//   IDLE     the worker takes a frame now
//   BUSY     {id} a frame is being processed
//   DROPPED  {id} a frame arrived while busy and was dropped
//   RESULT   {id, detections, candidates, timings, backend, numThreads, image: {width, height}}
//   BACKEND  {backend: 'wasm'|'webgpu'|'webnn', numThreads, gpu, note} after an accelerator's one-image check against
//            wasm (parity.js): it now runs, or wasm stays and `note` says why
//   ERROR    {phase: DOWNLOAD|LOAD|RUN, id?, message}
// The page sends a frame only after IDLE; one that arrives anyway is dropped, never queued.

/** Page -> worker: the message's `type`. */
export const REQUEST = Object.freeze({ LOAD: 'load', RUN: 'run', DISPOSE: 'dispose' });

/** Worker -> page: the message's `status`. */
export const STATUS = Object.freeze({
  LOADING: 'loading',
  READY: 'ready',
  IDLE: 'idle',
  BUSY: 'busy',
  DROPPED: 'dropped',
  RESULT: 'result',
  BACKEND: 'backend',
  ERROR: 'error',
});

/** Worker -> page: the `phase` of a LOADING or ERROR message. */
export const PHASE = Object.freeze({ DOWNLOAD: 'download', SESSION: 'session', LOAD: 'load', RUN: 'run' });
