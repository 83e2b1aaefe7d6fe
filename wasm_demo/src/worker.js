// One Web Worker per model: it owns one onnxruntime-web InferenceSession, created once, and runs
// pre-processing -> inference -> decoding for the page. Start it as a module worker:
//   new Worker(new URL('./worker.js', import.meta.url), {type: 'module'})
//
// The messages it takes and sends: worker-protocol.js.

import { imageInputName, prepareFromBitmap, prepareFromRGBA } from './preprocess.js';
import { extractCandidates, filterCandidates } from './decoders.js';
import { PHASE, REQUEST, STATUS } from './worker-protocol.js';
import { backendLabel, findAccelerators } from './accelerators.js';
import { GPU_WASM_FILE, WASM_FILE, fetchWasm } from './ort-wasm.js';
import { parity, parityNote } from './parity.js';

export const MODEL_CACHE = 'versus-demo-models-v1';

let ort = null;
let session = null;
let runtime = null;
let inputName = null;
let outputNames = [];
let backend = null;
let numThreads = 1;
let busy = false;
let loaded = false;
let sessionMs = 0;
let firstRun = true;
let coldMs = null;
let resampler = 'auto'; // 'auto' | 'js' | 'canvas' (see preprocess.js prepareFromBitmap)
let gpu = null; // the accelerator's description (WebGPU adapter, WebNN device) while a session runs on one
// An accelerated session on probation: {session, name, backend, device, release}. wasm runs the images until it
// gives the same boxes on one (parity.js); only then does it take over. `pending`: accelerators not tried yet,
// should this one fail; they need the model's bytes and session options again. `releaseRunning`: frees the
// accelerator the running session is on, at dispose.
let candidate = null;
let pending = [];
let releaseRunning = () => {};
let modelBytes = null;
let baseOptions = null;
const warm = [];

const post = (msg, transfer) => self.postMessage(msg, transfer ?? []);
const now = () => performance.now();

function median(values) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

class DemoError extends Error {
  constructor(message, phase) {
    super(message);
    this.phase = phase;
  }
}

async function sha256Hex(buffer) {
  const digest = await crypto.subtle.digest('SHA-256', buffer);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Model bytes: from the Cache API when a matching copy is there, else fetched with progress and stored. */
async function fetchModel(model) {
  const version = model.sha256 || (model.bytes ? `bytes:${model.bytes}` : 'any');
  let cache = null;
  try {
    if (self.caches) cache = await self.caches.open(MODEL_CACHE);
  } catch {
    cache = null; // no Cache API here (e.g. not a secure context): download every time
  }
  if (cache) {
    try {
      const hit = await cache.match(model.url);
      if (hit && hit.headers.get('x-versus-version') === version) {
        const buffer = await hit.arrayBuffer();
        post({ status: STATUS.LOADING, phase: PHASE.DOWNLOAD, loaded: buffer.byteLength, total: buffer.byteLength, fromCache: true });
        return { buffer, fromCache: true };
      }
      if (hit) await cache.delete(model.url);
    } catch {
      // a broken cache entry: fetch again
    }
  }
  let response;
  try {
    response = await fetch(model.url, { credentials: 'same-origin' });
  } catch (err) {
    throw new DemoError(`Could not download the model (${err.message}).`, PHASE.DOWNLOAD);
  }
  if (!response.ok) {
    const what = response.status === 404 ? 'The model file is missing on this site (HTTP 404)' : `The model download failed (HTTP ${response.status})`;
    throw new DemoError(`${what}: ${model.url}`, PHASE.DOWNLOAD);
  }
  const total = Number(response.headers.get('content-length')) || model.bytes || 0;
  let buffer;
  if (response.body && response.body.getReader) {
    const reader = response.body.getReader();
    const chunks = [];
    let loadedBytes = 0;
    let lastPost = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loadedBytes += value.byteLength;
      const t = now();
      if (t - lastPost > 100) {
        lastPost = t;
        post({ status: STATUS.LOADING, phase: PHASE.DOWNLOAD, loaded: loadedBytes, total, fromCache: false });
      }
    }
    const bytes = new Uint8Array(loadedBytes);
    let offset = 0;
    for (const c of chunks) {
      bytes.set(c, offset);
      offset += c.byteLength;
    }
    buffer = bytes.buffer;
  } else {
    buffer = await response.arrayBuffer();
  }
  post({ status: STATUS.LOADING, phase: PHASE.DOWNLOAD, loaded: buffer.byteLength, total: buffer.byteLength, fromCache: false });
  if (model.sha256) {
    const got = await sha256Hex(buffer);
    if (got !== model.sha256) {
      throw new DemoError(`The downloaded model does not match its published SHA-256 (got ${got.slice(0, 12)}…).`, PHASE.DOWNLOAD);
    }
  }
  if (cache) {
    try {
      await cache.put(
        model.url,
        new Response(buffer.slice(0), {
          headers: { 'content-type': 'application/octet-stream', 'x-versus-version': version },
        }),
      );
    } catch {
      // quota or private mode: the demo still works, only without the cache
    }
  }
  return { buffer, fromCache: false };
}

/**
 * onnxruntime-web: the WebGPU build where an accelerator may run (it has the WebGPU and WebNN providers), else the
 * wasm one. `accelerated`: whether it is the WebGPU build.
 */
async function importOrt(base, wanted) {
  if (wanted) {
    try {
      return { ort: await import(new URL('ort.webgpu.min.mjs', base).href), accelerated: true };
    } catch {
      // not on this site: wasm only (the caller says so)
    }
  }
  try {
    return { ort: await import(new URL('ort.wasm.min.mjs', base).href), accelerated: false };
  } catch (err) {
    throw new DemoError(`Could not load onnxruntime-web from ${base}ort.wasm.min.mjs (${err.message}).`, PHASE.LOAD);
  }
}

/** Forget the accelerators not tried yet, freeing what each holds. */
function dropPending() {
  pending.forEach((a) => a.release());
  pending = [];
}

/**
 * The next accelerator that loads the model, as a session on probation, or null; why the others could not joins
 * `notes`. Called at load and again after an accelerator failed its check, while any is left to try.
 */
async function nextCandidate(notes) {
  while (pending.length) {
    const a = pending.shift();
    try {
      a.setup(ort);
      const s = await ort.InferenceSession.create(modelBytes, { ...baseOptions, executionProviders: [a.provider] });
      notes.push(`${a.name} is available: it takes over once it gives the same boxes as wasm on an image`);
      return { session: s, name: a.name, backend: a.backend, device: a.device, release: a.release };
    } catch (err) {
      a.release();
      notes.push(`${a.name} could not load this model (${err.message ?? err})`);
    }
  }
  modelBytes = null; // nothing left to try: let the bytes go
  return null;
}

async function createSession(msg, buffer) {
  const base = new URL(msg.ortBase, self.location.href).href;
  const found = await findAccelerators(msg.accelerator ?? 'auto');
  const notes = [...found.refused];
  let accelerated;
  ({ ort, accelerated } = await importOrt(base, found.usable.length > 0));
  if (found.usable.length && !accelerated) notes.push('the WebGPU build of onnxruntime-web is not on this site');
  ort.env.logLevel = 'error';
  ort.env.wasm.wasmPaths = base; // the .mjs glue comes from here; the .wasm too unless it is set below
  // the page sends the CPU build's binary, else it comes gzipped like the WebGPU build's (also its wasm session's)
  const binary = accelerated
    ? await fetchWasm(new URL(GPU_WASM_FILE, base).href)
    : msg.wasmBinary ?? (await fetchWasm(new URL(WASM_FILE, base).href));
  if (binary) ort.env.wasm.wasmBinary = new Uint8Array(binary);
  ort.env.wasm.numThreads = Math.max(1, Math.floor(msg.numThreads || 1));
  ort.env.wasm.proxy = false;
  const options = { graphOptimizationLevel: 'all', executionMode: 'sequential', logSeverityLevel: 3 };
  // Benchmarking knob (demo.html?session-options=JSON, studies/browser_gap/): other onnxruntime-web
  // session options for a study; the execution provider stays the worker's choice. Site pages never set it.
  if (msg.sessionOptions && typeof msg.sessionOptions === 'object') {
    const overrides = { ...msg.sessionOptions };
    delete overrides.executionProviders;
    Object.assign(options, overrides);
  }
  baseOptions = options;
  const bytes = new Uint8Array(buffer);
  modelBytes = bytes; // kept while an accelerator may still need a session
  pending = [...found.usable];
  if (!accelerated) dropPending();
  candidate = await nextCandidate(notes);
  let s;
  try {
    s = await ort.InferenceSession.create(bytes, { ...options, executionProviders: ['wasm'] });
  } catch (err) {
    throw new DemoError(`onnxruntime-web could not load this model: ${err.message ?? err}`, PHASE.LOAD);
  }
  return { session: s, backend: 'wasm', note: backendNote(notes, 'wasm') };
}

function checkModelAgainstSpec() {
  const declared = runtime.input?.name;
  if (declared && !session.inputNames.includes(declared)) {
    throw new DemoError(`The model has no input named "${declared}" (it has ${session.inputNames.join(', ')}).`, PHASE.LOAD);
  }
  inputName = imageInputName(runtime.input ?? {}, session.inputNames);
  for (const extra of runtime.input?.extra_inputs ?? []) {
    if (!session.inputNames.includes(extra.name)) {
      throw new DemoError(`The model has no input named "${extra.name}" (${extra.value}); it has ${session.inputNames.join(', ')}.`, PHASE.LOAD);
    }
  }
  if (!inputName) throw new DemoError(`The model has no image input besides its extra inputs (${session.inputNames.join(', ')}).`, PHASE.LOAD);
  outputNames = [...session.outputNames];
  const idx = runtime.decoder?.outputs;
  if (idx) {
    const max = Math.max(...Object.values(idx));
    if (max >= outputNames.length) {
      throw new DemoError(`The decoder expects output #${max} but the model has ${outputNames.length} outputs.`, PHASE.LOAD);
    }
  }
}

async function load(msg) {
  if (loaded || session) throw new DemoError('This worker already has a model; start a new worker for another.', PHASE.LOAD);
  runtime = msg.runtime;
  if (['js', 'canvas', 'auto'].includes(msg.resampler)) resampler = msg.resampler;
  const t0 = now();
  let buffer = msg.buffer;
  let fromCache = false;
  if (!buffer) ({ buffer, fromCache } = await fetchModel(msg.model));
  const downloadMs = now() - t0;
  post({ status: STATUS.LOADING, phase: PHASE.SESSION });
  const t1 = now();
  const created = await createSession(msg, buffer);
  session = created.session;
  backend = created.backend;
  sessionMs = now() - t1;
  numThreads = backend === 'wasm' ? ort.env.wasm.numThreads ?? 1 : null;
  checkModelAgainstSpec();
  loaded = true;
  post({
    status: STATUS.READY,
    backend,
    numThreads,
    requestedThreads: msg.numThreads,
    crossOriginIsolated: self.crossOriginIsolated === true,
    sessionMs,
    downloadMs,
    fromCache,
    bytes: buffer.byteLength,
    inputNames: [...session.inputNames],
    outputNames,
    note: created.note,
    ortVersion: ort.env.versions?.web ?? null,
    gpu,
  });
}

/** Candidates and filtered detections from a session's outputs, which it disposes. */
function decode(results, placement, options) {
  try {
    const outputs = outputNames.map((name) => ({ data: results[name].data, dims: results[name].dims }));
    const candidates = extractCandidates(outputs, runtime, placement, { minScore: options.minScore });
    return { candidates, detections: filterCandidates(candidates, options, runtime.labels) };
  } finally {
    for (const name of Object.keys(results)) results[name].dispose?.();
  }
}

async function run(msg) {
  const { id } = msg;
  const options = msg.options ?? {};
  const t0 = now();
  let prepared;
  try {
    if (msg.bitmap) {
      prepared = prepareFromBitmap(msg.bitmap, runtime.input, msg.sourceSize ?? null, resampler);
    } else {
      const p = msg.pixels;
      prepared = prepareFromRGBA(p.data, p.width, p.height, runtime.input);
    }
  } finally {
    msg.bitmap?.close?.();
  }
  const t1 = now();
  const tensor = new ort.Tensor(prepared.type, prepared.data, prepared.dims);
  // extra inputs (original image size, scale factor) beside the image
  const feeds = { [inputName]: tensor };
  for (const [name, t] of Object.entries(prepared.extra ?? {})) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  try {
    const results = await session.run(feeds);
    const t2 = now();
    const { candidates, detections } = decode(results, prepared.placement, options);
    const t3 = now();
    postResult(id, { candidates, detections }, prepared.placement, [t0, t1, t2, t3]);
    if (candidate) {
      const threshold = options.scoreThreshold ?? candidates.defaults.scoreThreshold;
      await checkCandidate(feeds, prepared.placement, options, detections, threshold);
    }
  } finally {
    for (const t of Object.values(feeds)) t.dispose?.();
  }
}

function postResult(id, { candidates, detections }, placement, [t0, t1, t2, t3]) {
  const inference = t2 - t1;
  const timings = {
    preprocessMs: t1 - t0,
    inferenceMs: inference,
    postprocessMs: t3 - t2,
    totalMs: t3 - t0,
    sessionMs,
    coldMs: null,
    warmMs: null,
    warmRuns: 0,
  };
  if (firstRun) {
    firstRun = false;
    coldMs = sessionMs + inference;
  } else {
    warm.push(inference);
    if (warm.length > 25) warm.shift();
  }
  timings.coldMs = coldMs;
  timings.warmMs = median(warm);
  timings.warmRuns = warm.length;
  const transfer = [candidates.boxes.buffer, candidates.scores.buffer, candidates.labels.buffer];
  post(
    {
      status: STATUS.RESULT,
      id,
      detections,
      candidates,
      timings,
      backend,
      numThreads,
      image: { width: placement.imageWidth, height: placement.imageHeight },
    },
    transfer,
  );
}

/**
 * The accelerated session on probation runs the image wasm just ran. The same boxes (parity.js): it runs from now
 * on; other boxes or an error: wasm stays, that session goes and the next accelerator, if any, goes on probation;
 * no box on wasm: check again next image.
 */
async function checkCandidate(feeds, placement, options, reference, threshold) {
  const trial = candidate;
  let outcome;
  try {
    outcome = parity(reference, decode(await trial.session.run(feeds), placement, options).detections, threshold);
  } catch (err) {
    outcome = { error: err.message ?? String(err) };
  }
  if (outcome.verdict === 'inconclusive') return;
  candidate = null;
  const notes = [outcome.error ? `${trial.name} could not run this model (${outcome.error})` : parityNote(trial.name, outcome)];
  if (outcome.verdict === 'same') {
    const wasmSession = session;
    session = trial.session;
    backend = trial.backend;
    numThreads = null;
    gpu = trial.device;
    warm.length = 0; // the warm times so far were wasm's
    releaseRunning = trial.release;
    dropPending();
    modelBytes = null;
    await wasmSession.release?.().catch?.(() => {});
  } else {
    await trial.session.release?.().catch?.(() => {});
    trial.release();
    candidate = await nextCandidate(notes);
  }
  post({ status: STATUS.BACKEND, backend, numThreads, gpu, note: backendNote(notes, backend) });
}

/** The panel's word on the backend: what each accelerator did, then which backend runs (none while one is on probation). */
function backendNote(notes, running) {
  if (!notes.length) return null;
  return `${notes.join('; ')}${candidate ? '' : `; running on ${backendLabel(running)}`}.`;
}

self.onmessage = async (event) => {
  const msg = event.data ?? {};
  if (msg.type === REQUEST.LOAD) {
    try {
      await load(msg);
      post({ status: STATUS.IDLE });
    } catch (err) {
      post({ status: STATUS.ERROR, phase: err.phase ?? PHASE.LOAD, message: err.message ?? String(err) });
    }
  } else if (msg.type === REQUEST.RUN) {
    if (!loaded) {
      msg.bitmap?.close?.();
      post({ status: STATUS.ERROR, phase: PHASE.RUN, id: msg.id, message: 'The model is not loaded.' });
      return;
    }
    if (busy) {
      msg.bitmap?.close?.();
      post({ status: STATUS.DROPPED, id: msg.id });
      return;
    }
    busy = true;
    post({ status: STATUS.BUSY, id: msg.id });
    try {
      await run(msg);
    } catch (err) {
      post({ status: STATUS.ERROR, phase: PHASE.RUN, id: msg.id, message: err.message ?? String(err) });
    } finally {
      busy = false;
      post({ status: STATUS.IDLE });
    }
  } else if (msg.type === REQUEST.DISPOSE) {
    try {
      await session?.release?.();
    } catch {
      // closing anyway
    }
    await candidate?.session.release?.().catch?.(() => {});
    candidate?.release();
    releaseRunning();
    session = null;
    dropPending();
    modelBytes = null;
    self.close();
  }
};
