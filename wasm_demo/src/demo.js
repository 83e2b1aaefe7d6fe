// The side-by-side demo: page controller. Mounts into
//
//   <div class="vs-demo" data-manifest="../demo/manifest.json" data-cards="mobilenet-ssd-v2,yolo11"></div>
//
// and runs each panel's model in its own Web Worker (worker.js). Attributes (all but data-manifest optional):
//   data-manifest  URL of the demo manifest (format: wasm_demo/README.md), relative to the page
//   data-cards     one or two card ids, left and right panel (each panel picks among its card's variants)
//   data-models    instead of data-cards: one or two `card/variant` (or variant) ids to start with
//   data-ort-base  folder with the onnxruntime-web dist files (default: `ort/` beside this file)
//   data-threads   wasm threads per model (default: min(hardwareConcurrency, 4) when cross-origin isolated, else 1)
//   data-webgpu    auto (default: WebGPU when a hardware adapter works) | off | force
//   data-autorun   "false" to not run the first sample image on load
//   data-resampler auto (default) | js | canvas: how the worker resizes images (see preprocess.js)
//   data-panels    1 or 2 (default): how many panels (the bench measures one model at a time)
//   data-measure-warmup, data-measure-runs  "Measure on this device": warm-up and timed runs per model (3, 20)
//   data-commit    the project commit the page was built from, written into measurement records
//   data-session-options  BENCHMARKING KNOB, not for site pages: JSON object merged over the worker's
//                  onnxruntime-web session options (e.g. {"graphOptimizationLevel":"basic"}); used by
//                  generator/benchmarks/browser_gap.py. Unset (the default) changes nothing.
//
// Each panel element (`.vs-panel`) carries `data-state` (empty|loading|ready|busy|error), `data-error`
// (the message shown, if any) and, after every result and re-filter, `data-result`: JSON with
// {model, variant, name, trained, backend, threads, crossOriginIsolated, source, image:{width,height},
//  settings, timings, detections:[{className, classId, score, box:[x1,y1,x2,y2]}]} in original image pixels.
// After "Measure on this device": the root has `data-measure-state` (running|done|error, and
// `data-measure-error`), each measured catalog model's panel `data-measurement` (the record, measure.js).

import { normalizeManifest, entriesForCard, findEntry } from './manifest.js';
import { filterCandidates, candidateClassNames } from './decoders.js';
import { decodeImageFile, fitBitmap, ImageInputError } from './image-source.js';
import { readOnnxInfo, runtimeFromUltralytics } from './onnx-info.js';
import { asStandIn, cannotRunReason, needsStandIn, standInLabel, standInName, standInsFor } from './standin.js';
import {
  browserInfo,
  browserLatency,
  machineInfo,
  measureSettings,
  measurementRecord,
  panelMemory,
  recordFileName,
  recordProblem,
  softwareInfo,
} from './measure.js';

const CANDIDATE_FLOOR = 0.05; // lowest confidence the slider offers; workers keep candidates down to it
const MAX_MODEL_FILE_BYTES = 512 * 1024 * 1024;
const controllers = new Set();

// --- small DOM helpers ---------------------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c);
  return el;
}

function formatBytes(n) {
  if (!Number.isFinite(n) || n <= 0) return '?';
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}

function ms(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`;
}

function classColor(id) {
  const hue = (id * 137.508) % 360;
  return `hsl(${hue.toFixed(0)} 85% 45%)`;
}

function defaultThreads() {
  const cores = navigator.hardwareConcurrency || 1;
  return self.crossOriginIsolated ? Math.max(1, Math.min(cores, 4)) : 1;
}

function cameraMessage(err) {
  const name = err?.name ?? '';
  if (name === 'NotAllowedError' || name === 'PermissionDeniedError') {
    return 'Camera permission was denied. Allow the camera for this site in the browser settings, or use an image instead.';
  }
  if (name === 'NotFoundError' || name === 'DevicesNotFoundError' || name === 'OverconstrainedError') {
    return 'No camera was found on this device.';
  }
  if (name === 'NotReadableError' || name === 'TrackStartError') return 'The camera is in use by another application.';
  if (name === 'SecurityError' || name === 'NoMediaDevices') return 'The camera needs a secure page (https or localhost).';
  return `The camera could not be started (${err?.message ?? name ?? 'unknown error'}).`;
}

// --- a panel: one model in one worker --------------------------------------------------------------------

class Panel {
  constructor(demo, index, card) {
    this.demo = demo;
    this.index = index;
    this.card = card; // may be null: the picker then lists every model
    this.entry = null; // manifest entry or a user model {user: true, ...}
    this.worker = null;
    this.state = 'empty';
    this.ready = null; // worker's 'ready' message
    this.pending = null; // the next frame to run
    this.inFlight = null; // the frame being run
    this.shown = null; // {frame, result} drawn now
    this.frameSeq = 0;
    this.loadSeq = 0;
    this.download = null;
    this.waiter = null; // a measurement run: {resolve, reject, result}
    this.idleWaiters = [];
    this.recordUrl = null;
    this.build();
  }

  build() {
    this.title = h('h3', { class: 'vs-panel-title', text: 'Model' });
    this.picker = h('select', { class: 'vs-variant', 'aria-label': 'Model variant', onchange: () => this.onPick() });
    this.badge = h('span', { class: 'vs-badge', hidden: true });
    this.fileInput = h('input', { type: 'file', accept: '.onnx', onchange: (e) => this.onModelFile(e.target.files?.[0]) });
    const byom = h('label', { class: 'vs-byom', title: 'Run an ONNX file exported by Ultralytics (it never leaves your browser)' }, '⤓ your .onnx', this.fileInput);
    this.progress = h('progress', { max: 1, value: 0, hidden: true });
    this.statusText = h('span', { text: '' });
    this.info = h('div', { class: 'vs-info' });
    this.timings = h('div', { class: 'vs-timings' });
    this.canvas = h('canvas', { width: 640, height: 360, 'aria-label': 'Image with detections' });
    this.hint = h('div', { class: 'vs-hint', text: 'Drop an .onnx file here to run your own model' });
    this.message = h('p', { class: 'vs-message', role: 'alert', hidden: true });
    this.note = h('p', { class: 'vs-note', hidden: true });
    this.list = h('ol', { class: 'vs-detections', 'aria-label': 'Detections' });
    // a card this build cannot run: why, in one line (details on click), and the build's other detectors as stand-ins
    this.reason = h('details', { class: 'vs-reason', hidden: true });
    this.standInPicker = h('select', { 'aria-label': 'Stand-in model', onchange: () => this.onStandIn() });
    this.standInRow = h('label', { class: 'vs-standin', hidden: true }, 'Compare with a stand-in:', this.standInPicker);
    this.el = h(
      'section',
      { class: 'vs-panel', 'data-panel': this.index, 'data-state': 'empty', 'aria-live': 'polite' },
      h('div', { class: 'vs-panel-head' }, this.title, this.picker, this.badge, byom),
      this.reason,
      this.standInRow,
      h('div', { class: 'vs-status' }, this.progress, this.statusText),
      this.info,
      this.timings,
      this.message,
      this.note,
      h('div', { class: 'vs-stage' }, this.canvas, this.hint),
      this.list,
    );
    this.el.addEventListener('dragover', (e) => {
      if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
      e.preventDefault();
      this.el.classList.add('vs-dragover');
    });
    this.el.addEventListener('dragleave', () => this.el.classList.remove('vs-dragover'));
    this.el.addEventListener('drop', (e) => {
      this.el.classList.remove('vs-dragover');
      const file = e.dataTransfer?.files?.[0];
      if (!file) return;
      e.preventDefault();
      e.stopPropagation();
      if (isOnnxFile(file)) this.onModelFile(file);
      else this.demo.useFile(file);
    });
  }

  setState(state) {
    this.state = state;
    this.el.dataset.state = state;
    this.demo.updateMeasureButton();
  }

  /** A model is loaded and can take frames (now or after the one in flight). */
  isLoaded() {
    return Boolean(this.worker && this.ready && (this.state === 'ready' || this.state === 'busy'));
  }

  /** Resolves once no frame is in flight (the page sends none meanwhile while measuring). */
  whenIdle() {
    if (!this.isLoaded()) return Promise.reject(new Error(`${this.entry ? displayName(this.entry) : 'panel'}: the model is not loaded`));
    if (!this.inFlight && this.state === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => this.idleWaiters.push({ resolve, reject }));
  }

  /** Run `frame` once and resolve with the worker's result once the worker is idle again. */
  runOnce(frame) {
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject, result: null };
      this.send(frame);
    });
  }

  failWaiters(message) {
    const err = new Error(`${this.entry ? displayName(this.entry) : 'panel'}: ${message}`);
    this.waiter?.reject(err);
    this.waiter = null;
    for (const w of this.idleWaiters.splice(0)) w.reject(err);
  }

  forgetMeasurement() {
    delete this.el.dataset.measurement;
    if (this.recordUrl) URL.revokeObjectURL(this.recordUrl);
    this.recordUrl = null;
  }

  showMessage(text) {
    if (text) {
      this.message.textContent = text;
      this.message.hidden = false;
      this.el.dataset.error = text;
    } else {
      this.message.textContent = '';
      this.message.hidden = true;
      delete this.el.dataset.error;
    }
  }

  showNote(text) {
    this.note.textContent = text ?? '';
    this.note.hidden = !text;
  }

  status(text, progress = null) {
    this.statusText.textContent = text ?? '';
    if (progress === null) this.progress.hidden = true;
    else {
      this.progress.hidden = false;
      if (progress === 'indeterminate') this.progress.removeAttribute('value');
      else this.progress.value = progress;
    }
  }

  /** Fill the picker: the card's variants (trained first), untrained test graphs labelled, user model last. */
  fillPicker() {
    const manifest = this.demo.manifest;
    const entries = this.card ? entriesForCard(manifest, this.card) : manifest.models;
    this.entries = entries;
    this.picker.replaceChildren();
    if (!entries.length || !entries.some((e) => e.trained)) {
      this.picker.append(h('option', { value: '', text: entries.length ? '— choose —' : '— no weights —' }));
    }
    entries.forEach((e, i) => {
      const text = displayName(e);
      this.picker.append(h('option', { value: String(i), text }));
    });
    if (this.entry?.user) this.picker.append(h('option', { value: 'user', text: `Your file: ${this.entry.name}` }));
    this.picker.disabled = this.picker.options.length < 2 && !this.entry?.user;
  }

  /** The panel's first model: a trained entry; a card with none explains why and waits. */
  start(initialRef, avoidCards = []) {
    const manifest = this.demo.manifest;
    this.fillPicker();
    const cardInfo = this.card ? manifest.cards[this.card] : null;
    this.title.textContent = cardInfo?.name ?? this.entries[0]?.name ?? (this.card ? this.card : 'Model');
    const name = cardInfo?.name ?? this.card ?? 'this model';
    const why =
      cardInfo?.message ??
      `No trained weights of ${name} can be run on this site. Drop an ONNX file exported by Ultralytics onto this panel ` +
        `to run your own copy${this.entries.length ? ', or pick the untrained test graph to see the pipeline run' : ''}.`;
    const cannotRun = needsStandIn(manifest, this.card);
    if (cannotRun) this.offerStandIns(why);
    let entry = initialRef ? findEntry(manifest, initialRef) : null;
    if (entry && this.card && entry.card !== this.card) entry = null;
    if (!entry && !this.card) entry = this.entries.find((e) => e.trained && !avoidCards.includes(e.card)) ?? null;
    if (!entry) entry = this.entries.find((e) => e.trained) ?? null;
    if (entry) {
      this.select(entry);
      return;
    }
    this.setState('empty');
    if (!cannotRun) this.showNote(why);
    this.hint.hidden = false;
    this.status('');
  }

  /** A card this build cannot run: why, in one line (details on click), and the stand-ins on offer (standin.js). */
  offerStandIns(details) {
    const manifest = this.demo.manifest;
    const reason = cannotRunReason(manifest, this.card);
    this.reason.replaceChildren(h('summary', { text: reason, title: reason }), h('p', { text: details }));
    this.reason.hidden = false;
    this.standIns = standInsFor(manifest, this.card, { exclude: this.demo.cards.filter((c) => c !== this.card) });
    this.standInPicker.replaceChildren(
      h('option', { value: '', text: '— pick a model —' }),
      ...this.standIns.map((e, i) => h('option', { value: String(i), text: standInLabel(asStandIn(manifest, e, this.card)) })),
    );
    this.standInRow.hidden = !this.standIns.length;
  }

  onStandIn() {
    if (this.demo.measuring) return;
    const entry = this.standIns?.[Number(this.standInPicker.value)];
    if (this.standInPicker.value !== '' && entry) this.select(asStandIn(this.demo.manifest, entry, this.card));
  }

  onPick() {
    if (this.demo.measuring) return;
    const v = this.picker.value;
    if (v === '' || v === 'user') return;
    const entry = this.entries[Number(v)];
    if (entry && entry !== this.entry) this.select(entry);
  }

  select(entry) {
    this.entry = entry;
    const i = this.entries.indexOf(entry);
    this.picker.value = i >= 0 ? String(i) : '';
    if (!entry.standIn) this.standInPicker.value = '';
    this.title.textContent = displayName(entry);
    if (entry.standIn) {
      this.badge.hidden = false;
      this.badge.className = 'vs-badge vs-badge-standin';
      this.badge.textContent = 'stand-in';
      this.badge.title = `Another model of this build, run because ${entry.standIn.name} cannot run here: its boxes are not ${entry.standIn.name}'s.`;
    } else if (entry.trained) {
      this.badge.hidden = true;
    } else {
      this.badge.hidden = false;
      this.badge.className = 'vs-badge';
      this.badge.textContent = 'untrained test graph';
      this.badge.title = 'Random weights built from the architecture: not the trained model. Its boxes mean nothing.';
    }
    this.showNote(
      entry.standIn
        ? `${standInLabel(entry)}. Boxes, labels and timings here come from ${entry.name}.`
        : entry.trained
        ? entry.note
        : `Untrained test graph: random weights built from the architecture, not ${entry.cardName || 'the trained model'}. ` +
            'It shows that the pipeline runs; its boxes (if any) mean nothing.',
    );
    this.load({ model: entry, runtime: entry.runtime });
  }

  async onModelFile(file) {
    if (!file) return;
    this.fileInput.value = '';
    if (this.demo.measuring) {
      this.showMessage('Wait for the measurement to finish before loading another model.');
      return;
    }
    this.showMessage(null);
    if (!isOnnxFile(file)) {
      this.fail(`"${file.name}" is not an ONNX model (.onnx).`);
      return;
    }
    if (file.size > MAX_MODEL_FILE_BYTES) {
      this.fail(`"${file.name}" is ${formatBytes(file.size)}; the demo runs models up to ${formatBytes(MAX_MODEL_FILE_BYTES)}.`);
      return;
    }
    let buffer, runtime;
    try {
      buffer = await file.arrayBuffer();
      const info = readOnnxInfo(new Uint8Array(buffer));
      runtime = runtimeFromVersusMetadata(info) ?? runtimeFromUltralytics(info);
    } catch (err) {
      this.fail(`Cannot run "${file.name}": ${err.message}`);
      return;
    }
    this.entry = {
      user: true,
      card: 'user-file',
      variant: file.name,
      name: file.name,
      trained: true,
      bytes: buffer.byteLength,
      runtime,
    };
    this.title.textContent = file.name;
    this.badge.hidden = false;
    this.badge.className = 'vs-badge vs-badge-user';
    this.badge.textContent = 'your file';
    this.badge.title = 'A model you dropped: it runs in your browser only and is not uploaded anywhere.';
    this.showNote(`Your model, run in this browser only: ${runtime.decoder.classes} classes, input ${runtime.input.size.join('×')}.`);
    this.fillPicker();
    this.picker.value = 'user';
    this.standInPicker.value = '';
    this.load({ model: { name: file.name, bytes: buffer.byteLength }, runtime, buffer });
  }

  fail(text) {
    this.setState(this.worker && this.ready ? this.state : 'error');
    this.showMessage(text);
    this.status('');
  }

  terminate() {
    if (this.worker) {
      try {
        this.worker.postMessage({ type: 'dispose' });
      } catch {
        // already gone
      }
      this.worker.terminate();
      this.worker = null;
    }
    this.ready = null;
    this.finishInFlight();
    this.failWaiters('the model was unloaded');
  }

  finishInFlight() {
    if (this.inFlight) this.inFlight.frame.release(this.inFlight.key);
    this.inFlight = null;
  }

  releaseShown() {
    if (this.shown) this.shown.frame.release(this);
    this.shown = null;
  }

  load({ model, runtime, buffer = null }) {
    this.terminate();
    const seq = ++this.loadSeq;
    this.runtime = runtime;
    this.releaseShown();
    this.pending = this.demo.webcam ? null : this.demo.source; // the new model runs the current image when ready
    delete this.el.dataset.result;
    this.forgetMeasurement();
    this.showMessage(null);
    this.hint.hidden = true;
    this.clearCanvas();
    this.list.replaceChildren();
    this.timings.replaceChildren();
    this.info.textContent = model.bytes ? `Model ${formatBytes(model.bytes)}` : '';
    this.setState('loading');
    this.status(buffer ? 'Reading your file…' : 'Downloading…', buffer ? 'indeterminate' : 0);
    let worker;
    try {
      // one URL per panel, so the page's memory measurement can tell the panels' workers apart
      const url = new URL(this.demo.workerUrl);
      url.searchParams.set('panel', String(this.index));
      this.workerHref = url.href;
      worker = new Worker(url, { type: 'module', name: `versus-model-${this.index}` });
    } catch (err) {
      this.fail(`This browser cannot start a module worker (${err.message}).`);
      return;
    }
    this.worker = worker;
    worker.onmessage = (e) => {
      if (seq === this.loadSeq) this.onWorkerMessage(e.data);
    };
    worker.onerror = (e) => {
      if (seq !== this.loadSeq) return;
      e.preventDefault?.();
      this.fail(`The model worker failed: ${e.message || 'script error (is worker.js served?)'}`);
      this.terminate();
    };
    worker.onmessageerror = () => seq === this.loadSeq && this.fail('The model worker sent an unreadable message.');
    const msg = {
      type: 'load',
      ortBase: this.demo.ortBase,
      numThreads: this.demo.threads,
      webgpu: this.demo.webgpu,
      resampler: this.demo.resampler,
      sessionOptions: this.demo.sessionOptions,
      model: { url: model.url ?? null, bytes: model.bytes ?? null, sha256: model.sha256 ?? null, name: model.name },
      runtime,
    };
    if (buffer) {
      msg.buffer = buffer;
      worker.postMessage(msg, [buffer]);
    } else {
      worker.postMessage(msg);
    }
  }

  onWorkerMessage(m) {
    switch (m.status) {
      case 'loading':
        if (m.phase === 'download') {
          const total = m.total || this.entry?.bytes || 0;
          this.download = { loaded: m.loaded, total, fromCache: m.fromCache };
          const what = m.fromCache ? 'From cache' : 'Downloading';
          this.status(`${what} ${formatBytes(m.loaded)}${total ? ` / ${formatBytes(total)}` : ''}`, total ? Math.min(1, m.loaded / total) : 'indeterminate');
        } else {
          this.status('Starting the model…', 'indeterminate');
        }
        break;
      case 'ready':
        this.ready = m;
        this.setState('ready');
        this.status('');
        this.renderInfo();
        if (m.note) this.showNote(`${this.note.textContent ? `${this.note.textContent} ` : ''}${m.note}`);
        break;
      case 'idle':
        if (this.state === 'busy' || this.state === 'ready') this.setState('ready');
        this.finishInFlight();
        if (this.waiter?.result) {
          this.waiter.resolve(this.waiter.result);
          this.waiter = null;
        }
        if (this.state === 'ready') for (const w of this.idleWaiters.splice(0)) w.resolve();
        this.demo.pump(this);
        break;
      case 'busy':
        this.setState('busy');
        break;
      case 'backend':
        // the worker fell back from WebGPU to wasm after a failed first run
        if (this.ready) Object.assign(this.ready, { backend: m.backend, numThreads: m.numThreads });
        this.renderInfo();
        if (m.note) this.showNote(m.note);
        break;
      case 'dropped':
        if (this.waiter) this.failWaiters('the worker was busy and dropped a frame');
        break;
      case 'result':
        this.onResult(m);
        if (this.waiter && this.inFlight?.id === m.id) this.waiter.result = m;
        break;
      case 'error':
        this.failWaiters(m.message);
        if (m.phase === 'run') {
          this.showMessage(`This image could not be run: ${m.message}`);
        } else {
          // the panel has no model now: drop the failed model's description, say how to go on
          this.setState('error');
          this.status('');
          this.showNote(null);
          this.info.textContent = '';
          const next = this.entries.length || this.standIns?.length ? 'Pick a model from the menu, or drop another .onnx file.' : 'Drop another .onnx file.';
          this.showMessage(`${m.message} ${next}`);
          this.terminate();
        }
        break;
      default:
        break;
    }
  }

  renderInfo() {
    const r = this.ready;
    if (!r) return;
    const size = formatBytes(r.bytes);
    const cached = r.fromCache ? ' (from cache)' : this.entry?.user ? ' (your file)' : '';
    const threads = r.backend === 'wasm' ? `${r.numThreads} thread${r.numThreads === 1 ? '' : 's'}` : 'GPU';
    const isolation = r.crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated: single thread';
    const license = this.entry?.license ? ` · licence ${this.entry.license}` : '';
    this.info.replaceChildren(
      h('span', { text: `${size}${cached} · ` }),
      h('span', { class: 'vs-backend', text: `${r.backend}` }),
      h('span', { text: ` · ${threads} · ${isolation}${license}` }),
    );
  }

  /** Send `frame` now (the page only calls this when the worker said idle). */
  async send(frame) {
    const id = ++this.frameSeq;
    const key = { id };
    frame.retain(key); // synchronously, before any await: the frame stays open while it is in flight
    this.inFlight = { frame, id, key };
    this.setState('busy');
    let bitmap;
    try {
      bitmap = await createImageBitmap(frame.bitmap);
    } catch (err) {
      this.finishInFlight();
      this.setState('ready');
      this.showMessage(`The image could not be copied for the model (${err.message}).`);
      this.failWaiters(`the image could not be copied for the model (${err.message})`);
      return;
    }
    if (!this.worker || this.inFlight?.id !== id) {
      bitmap.close();
      return;
    }
    this.worker.postMessage(
      {
        type: 'run',
        id,
        bitmap,
        sourceSize: { width: frame.width, height: frame.height },
        options: { ...this.demo.filterOptions(this), minScore: Math.min(CANDIDATE_FLOOR, this.runtime.decoder.score_threshold ?? 1) },
      },
      [bitmap],
    );
  }

  onResult(m) {
    const frame = this.inFlight?.frame;
    if (!frame || this.inFlight.id !== m.id) return;
    frame.retain(this);
    if (this.shown && this.shown.frame !== frame) this.shown.frame.release(this);
    this.shown = { frame, result: m };
    this.showMessage(null);
    this.renderTimings(m.timings);
    this.render();
    this.demo.refreshClassFilter();
  }

  renderTimings(t) {
    this.timings.replaceChildren(
      h('span', { text: `pre ${ms(t.preprocessMs)}` }),
      h('span', { text: `inference ${ms(t.inferenceMs)}` }),
      h('span', { text: `post ${ms(t.postprocessMs)}` }),
      h('span', { text: `cold ${ms(t.coldMs)}`, title: 'session creation + first inference' }),
      h('span', { text: `warm ${ms(t.warmMs)}${t.warmRuns ? ` (median of ${t.warmRuns})` : ''}` }),
    );
  }

  clearCanvas() {
    const ctx = this.canvas.getContext('2d');
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** Re-filter the last raw result with the current settings and draw it (no model run). */
  render() {
    if (!this.shown) return;
    const { frame, result } = this.shown;
    const options = this.demo.filterOptions(this);
    const detections = filterCandidates(result.candidates, options, this.runtime.labels);
    this.draw(frame, detections);
    this.list.replaceChildren(
      ...detections.map((d) => h('li', { text: `${d.className} ${d.score.toFixed(2)} [${d.box.map((v) => Math.round(v)).join(', ')}]` })),
    );
    if (!detections.length) this.list.append(h('li', { text: 'no detections at this confidence' }));
    const entry = this.entry;
    this.list.setAttribute('aria-label', `Detections by ${displayName(entry)}`);
    const r = this.ready ?? {};
    const payload = {
      model: entry.card,
      variant: entry.variant,
      name: displayName(entry),
      trained: entry.trained,
      standInFor: entry.standIn?.card ?? null,
      backend: result.backend,
      threads: result.numThreads,
      crossOriginIsolated: r.crossOriginIsolated ?? false,
      source: frame.label,
      frame: result.id,
      image: { width: frame.width, height: frame.height },
      settings: {
        scoreThreshold: options.scoreThreshold ?? result.candidates.defaults.scoreThreshold,
        iouThreshold: result.candidates.nms === 'outside' ? (options.iouThreshold ?? result.candidates.defaults.iouThreshold) : null,
        classFilter: options.classFilter ?? null,
      },
      timings: result.timings,
      detections: detections.map((d) => ({ className: d.className, classId: d.classId, score: d.score, box: d.box })),
    };
    this.el.dataset.result = JSON.stringify(payload);
  }

  draw(frame, detections) {
    const maxWidth = 1280;
    const scale = Math.min(1, maxWidth / frame.bitmap.width);
    const cw = Math.max(1, Math.round(frame.bitmap.width * scale));
    const ch = Math.max(1, Math.round(frame.bitmap.height * scale));
    if (this.canvas.width !== cw || this.canvas.height !== ch) {
      this.canvas.width = cw;
      this.canvas.height = ch;
    }
    const ctx = this.canvas.getContext('2d');
    try {
      ctx.drawImage(frame.bitmap, 0, 0, cw, ch);
    } catch {
      ctx.clearRect(0, 0, cw, ch);
    }
    const sx = cw / frame.width;
    const sy = ch / frame.height;
    const line = Math.max(2, Math.round(cw / 320));
    const font = Math.max(11, Math.round(cw / 45));
    ctx.lineWidth = line;
    ctx.font = `600 ${font}px system-ui, sans-serif`;
    ctx.textBaseline = 'top';
    for (const d of [...detections].reverse()) {
      const [x1, y1, x2, y2] = d.box;
      const color = classColor(d.classId);
      ctx.strokeStyle = color;
      ctx.strokeRect(x1 * sx, y1 * sy, (x2 - x1) * sx, (y2 - y1) * sy);
      const label = `${d.className} ${d.score.toFixed(2)}`;
      const tw = ctx.measureText(label).width + 6;
      const ty = y1 * sy - font - 4 >= 0 ? y1 * sy - font - 4 : y1 * sy;
      ctx.fillStyle = color;
      ctx.fillRect(x1 * sx, ty, tw, font + 4);
      ctx.fillStyle = '#fff';
      ctx.fillText(label, x1 * sx + 3, ty + 2);
    }
    if (this.entry?.standIn) {
      // the image itself says whose boxes these are, also when it is shared without the page around it
      const caption = standInName(this.entry);
      const tw = ctx.measureText(caption).width + 8;
      ctx.fillStyle = 'rgba(0,0,0,.72)';
      ctx.fillRect(0, ch - font - 8, tw, font + 8);
      ctx.fillStyle = '#fff';
      ctx.fillText(caption, 4, ch - font - 4);
    }
  }
}

/** How an entry is named on screen: an untrained graph is never named as the model itself. */
function displayName(entry) {
  if (entry.standIn) return standInName(entry);
  // the manifest already names an untrained graph as such (generator/demo.py): wrap nothing twice
  return entry.name;
}

function isOnnxFile(file) {
  return /\.onnx$/i.test(file?.name ?? '');
}

/** A runtime spec stored in the file by the site's own export step (`versus.runtime`, `versus.class_names`). */
function runtimeFromVersusMetadata(info) {
  const raw = info.metadata?.['versus.runtime'];
  if (!raw) return null;
  let runtime, names;
  try {
    runtime = JSON.parse(raw);
    names = JSON.parse(info.metadata['versus.class_names'] ?? 'null');
  } catch {
    return null;
  }
  if (!runtime?.input || !runtime?.decoder) return null;
  if (!Array.isArray(runtime.labels)) {
    const labels = [];
    if (names && typeof names === 'object') for (const [k, v] of Object.entries(names)) labels[Number(k)] = v;
    runtime.labels = labels;
  }
  return runtime;
}

// --- frames: a decoded image shared by the panels --------------------------------------------------------

function makeFrame({ bitmap, width, height, label, still }) {
  const holders = new Set();
  let dropped = false;
  return {
    bitmap,
    width, // original image size (the bitmap may be a downscaled copy)
    height,
    label,
    still,
    retain(holder) {
      holders.add(holder);
    },
    release(holder) {
      holders.delete(holder);
      if (dropped && !holders.size) bitmap.close();
    },
    drop() {
      dropped = true;
      if (!holders.size) bitmap.close();
    },
  };
}

// --- the controller ----------------------------------------------------------------------------------

/** The benchmarking knob `data-session-options`: a JSON object, else null (ignored, with a console warning). */
function benchmarkSessionOptions(text) {
  if (!text) return null;
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // fall through
  }
  console.warn(`versus demo: data-session-options is not a JSON object, ignored: ${text}`);
  return null;
}

export class Demo {
  constructor(root) {
    this.root = root;
    const d = root.dataset;
    this.ortBase = new URL(d.ortBase ?? new URL('./ort/', import.meta.url).href, document.baseURI).href;
    this.workerUrl = new URL('./worker.js', import.meta.url);
    const threads = Number(d.threads);
    this.threads = Number.isInteger(threads) && threads > 0 ? threads : defaultThreads();
    this.webgpu = ['off', 'force'].includes(d.webgpu) ? d.webgpu : 'auto';
    this.resampler = ['js', 'canvas'].includes(d.resampler) ? d.resampler : 'auto';
    this.panelCount = d.panels === '1' ? 1 : 2;
    this.sessionOptions = benchmarkSessionOptions(d.sessionOptions);
    this.measuring = false;
    this.settings = { scoreThreshold: null, iouThreshold: null, classFilter: null };
    this.source = null;
    this.webcam = null;
    this.panels = [];
    this.cards = [];
    this.rendering = false;
  }

  async mount() {
    const root = this.root;
    root.dataset.mounted = 'true';
    root.classList.add('vs-demo');
    root.replaceChildren(h('p', { class: 'vs-note', text: 'Loading the demo…' }));
    const manifestUrl = root.dataset.manifest;
    if (!manifestUrl) {
      root.replaceChildren(h('p', { class: 'vs-message', text: 'Demo: no data-manifest given.' }));
      return this;
    }
    let json;
    const url = new URL(manifestUrl, document.baseURI);
    try {
      const resp = await fetch(url, { credentials: 'same-origin' });
      if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
      json = await resp.json();
    } catch (err) {
      root.replaceChildren(h('p', { class: 'vs-message', role: 'alert', text: `The demo could not load its model list (${url.pathname}: ${err.message}).` }));
      root.dataset.state = 'error';
      return this;
    }
    this.manifest = normalizeManifest(json, url.href);
    if (this.manifest.problems.length) console.warn('versus demo manifest:', this.manifest.problems);
    this.buildControls();
    const cards = (root.dataset.cards ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const refs = (root.dataset.models ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    this.cards = cards;
    for (let i = 0; i < this.panelCount; i++) {
      let card = cards[i] ?? null;
      const ref = refs[i] ?? null;
      if (!card && ref) card = findEntry(this.manifest, ref)?.card ?? null;
      const panel = new Panel(this, i, card);
      this.panels.push(panel);
      this.panelsEl.append(panel.el);
    }
    root.replaceChildren(this.controlsEl, this.measureEl, this.panelsEl, this.creditEl, this.video);
    this.updateMeasureButton();
    this.panels.forEach((p, i) => p.start(refs[i] ?? null, cards.length ? cards : this.panels.slice(0, i).map((q) => q.entry?.card)));
    root.dataset.state = 'mounted';
    if (root.dataset.autorun !== 'false' && this.manifest.samples.length) this.useSample(0);
    return this;
  }

  buildControls() {
    const samples = this.manifest.samples;
    this.sampleSelect = h(
      'select',
      { 'aria-label': 'Sample image', onchange: () => !this.measuring && this.sampleSelect.value !== '' && this.useSample(Number(this.sampleSelect.value)) },
      h('option', { value: '', text: samples.length ? 'Sample images…' : 'No sample images' }),
      ...samples.map((s, i) => h('option', { value: String(i), text: s.name })),
    );
    this.fileInput = h('input', { type: 'file', accept: 'image/*', 'aria-label': 'Upload an image', onchange: (e) => {
      const f = e.target.files?.[0];
      e.target.value = '';
      if (f) this.useFile(f);
    } });
    this.camButton = h('button', { type: 'button', onclick: () => (this.webcam ? this.stopWebcam() : this.startWebcam()), text: 'Webcam' });
    this.scoreInput = h('input', { type: 'range', min: CANDIDATE_FLOOR, max: 0.95, step: 0.01, value: 0.25, 'aria-label': 'Confidence threshold' });
    this.iouInput = h('input', { type: 'range', min: 0.05, max: 0.95, step: 0.01, value: 0.7, 'aria-label': 'IoU threshold' });
    this.scoreLabel = h('output', { text: 'model default' });
    this.iouLabel = h('output', { text: 'model default' });
    this.scoreInput.addEventListener('input', () => {
      this.settings.scoreThreshold = Number(this.scoreInput.value);
      this.scoreLabel.textContent = Number(this.scoreInput.value).toFixed(2);
      this.rerender();
    });
    this.iouInput.addEventListener('input', () => {
      this.settings.iouThreshold = Number(this.iouInput.value);
      this.iouLabel.textContent = Number(this.iouInput.value).toFixed(2);
      this.rerender();
    });
    const reset = h('button', { type: 'button', text: 'Defaults', title: 'Each model’s own thresholds', onclick: () => {
      this.settings.scoreThreshold = null;
      this.settings.iouThreshold = null;
      this.scoreLabel.textContent = 'model default';
      this.iouLabel.textContent = 'model default';
      this.rerender();
    } });
    this.classSelect = h('select', { 'aria-label': 'Class filter', onchange: () => {
      this.settings.classFilter = this.classSelect.value ? [this.classSelect.value] : null;
      this.rerender();
    } }, h('option', { value: '', text: 'All classes' }));
    this.measureButton = h('button', { type: 'button', class: 'vs-measure-button', text: 'Measure on this device', onclick: () => this.measure() });
    this.measureStatusEl = h('p', { class: 'vs-measure-status', 'aria-live': 'polite', hidden: true });
    this.measureTable = h('div', { class: 'vs-measure-results' });
    this.measureEl = h('div', { class: 'vs-measure' }, this.measureStatusEl, this.measureTable);
    this.sourceMsg = h('p', { class: 'vs-source-msg', role: 'alert', hidden: true });
    this.video = h('video', { playsinline: true, muted: true });
    this.controlsEl = h(
      'div',
      { class: 'vs-controls' },
      this.sampleSelect,
      h('label', { class: 'vs-upload' }, 'Image: ', this.fileInput),
      this.camButton,
      h('label', {}, 'Confidence', this.scoreInput, this.scoreLabel),
      h('label', {}, 'IoU', this.iouInput, this.iouLabel),
      reset,
      h('label', {}, 'Show', this.classSelect),
      this.measureButton,
      this.sourceMsg,
    );
    this.panelsEl = h('div', { class: 'vs-panels' });
    this.creditEl = h('div', { class: 'vs-credit' });
    this.updateCredit(null);
    // drag and drop / paste anywhere on the demo
    this.root.addEventListener('dragover', (e) => {
      if ([...(e.dataTransfer?.types ?? [])].includes('Files')) e.preventDefault();
    });
    this.root.addEventListener('drop', (e) => {
      const file = e.dataTransfer?.files?.[0];
      if (!file) return;
      e.preventDefault();
      if (isOnnxFile(file)) this.sourceMessage('Drop an .onnx file onto the panel that should run it.');
      else this.useFile(file);
    });
    this.onPaste = (e) => {
      if (!this.root.isConnected) return;
      const demos = [...controllers].filter((c) => c.root.isConnected);
      const mine = demos.find((c) => c.root.contains(document.activeElement)) ?? demos[0];
      if (mine !== this) return;
      const item = [...(e.clipboardData?.items ?? [])].find((i) => i.kind === 'file');
      if (!item) return;
      const file = item.getAsFile();
      if (!file) return;
      e.preventDefault();
      this.useFile(file, 'pasted image');
    };
    document.addEventListener('paste', this.onPaste);
  }

  updateCredit(sample) {
    const base = 'Sample images: COCO (cocodataset.org), annotations CC BY 4.0; each photo from Flickr under its own licence.';
    this.creditEl.replaceChildren(
      h('span', { text: sample ? `${sample.name}: ${sample.credit}. ` : '' }),
      h('span', { text: `${base} Your images and models stay in this browser: nothing is uploaded.` }),
    );
  }

  sourceMessage(text) {
    this.sourceMsg.textContent = text ?? '';
    this.sourceMsg.hidden = !text;
  }

  filterOptions(panel) {
    return {
      scoreThreshold: this.settings.scoreThreshold ?? undefined,
      iouThreshold: this.settings.iouThreshold ?? undefined,
      classFilter: this.settings.classFilter ?? undefined,
    };
  }

  rerender() {
    if (this.rendering) return;
    this.rendering = true;
    requestAnimationFrame(() => {
      this.rendering = false;
      for (const p of this.panels) p.render();
      this.refreshClassFilter();
    });
  }

  refreshClassFilter() {
    const names = new Set();
    for (const p of this.panels) {
      const c = p.shown?.result?.candidates;
      if (!c) continue;
      const thr = this.settings.scoreThreshold ?? c.defaults.scoreThreshold;
      for (const n of candidateClassNames(c, thr, p.runtime.labels)) names.add(n);
    }
    const current = this.settings.classFilter?.[0] ?? '';
    if (current) names.add(current);
    const sorted = [...names].sort();
    const existing = [...this.classSelect.options].slice(1).map((o) => o.value);
    if (existing.join('\n') === sorted.join('\n')) return;
    this.classSelect.replaceChildren(h('option', { value: '', text: 'All classes' }), ...sorted.map((n) => h('option', { value: n, text: n })));
    this.classSelect.value = current;
  }

  // --- sources ---

  setSource(frame) {
    const old = this.source;
    this.source = frame;
    for (const p of this.panels) {
      p.pending = frame;
      this.pump(p);
    }
    if (old && old !== frame) old.drop();
  }

  /** Give `panel` its pending frame if its worker is idle. Webcam frames are taken fresh. None while measuring. */
  pump(panel) {
    if (this.measuring) return;
    if (panel.state !== 'ready' || panel.inFlight || !panel.worker) return;
    if (this.webcam) {
      this.captureFor(panel);
      return;
    }
    const frame = panel.pending;
    if (!frame) return;
    panel.pending = null;
    panel.send(frame);
  }

  async useSample(i) {
    const s = this.manifest.samples[i];
    if (!s) return;
    this.stopWebcam();
    this.sampleSelect.value = String(i);
    this.sourceMessage(null);
    try {
      const resp = await fetch(s.url, { credentials: 'same-origin' });
      if (!resp.ok) throw new ImageInputError(`the sample image is missing (HTTP ${resp.status})`);
      const blob = await resp.blob();
      const decoded = await decodeImageFile(new File([blob], s.name, { type: blob.type }));
      this.setSource(makeFrame({ ...decoded, label: `sample:${s.name}`, still: true }));
      this.updateCredit(s);
    } catch (err) {
      this.sourceFailed(`Sample ${s.name}: ${err.message}`);
    }
  }

  async useFile(file, label = null) {
    if (this.measuring) {
      this.sourceMessage('Wait for the measurement to finish before changing the image.');
      return;
    }
    this.stopWebcam();
    this.sourceMessage(null);
    this.sampleSelect.value = '';
    try {
      const decoded = await decodeImageFile(file);
      this.setSource(makeFrame({ ...decoded, label: `upload:${label ?? file.name ?? 'image'}`, still: true }));
      this.updateCredit(null);
      if (decoded.scaled) {
        this.sourceMessage(null);
        this.creditEl.prepend(h('span', { text: `Large image (${decoded.width}×${decoded.height}): the models see a downscaled copy; boxes are in the original's pixels. ` }));
      }
    } catch (err) {
      this.sourceFailed(err instanceof ImageInputError ? err.message : `This image could not be used (${err.message}).`);
    }
  }

  /** A bad image: say so in each panel; the models and the last result stay usable. */
  sourceFailed(text) {
    this.sourceMessage(text);
    for (const p of this.panels) p.showMessage(text);
  }

  async startWebcam() {
    if (this.measuring) return;
    this.sourceMessage(null);
    if (!navigator.mediaDevices?.getUserMedia) {
      this.sourceFailed(cameraMessage({ name: 'NoMediaDevices' }));
      return;
    }
    this.camButton.disabled = true;
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    } catch (err) {
      this.camButton.disabled = false;
      this.sourceFailed(cameraMessage(err));
      return;
    }
    this.camButton.disabled = false;
    this.video.srcObject = stream;
    try {
      await this.video.play();
    } catch (err) {
      stream.getTracks().forEach((t) => t.stop());
      this.sourceFailed(cameraMessage(err));
      return;
    }
    this.webcam = { stream };
    this.camButton.textContent = 'Stop webcam';
    this.camButton.setAttribute('aria-pressed', 'true');
    this.sampleSelect.value = '';
    for (const p of this.panels) {
      p.showMessage(null);
      p.pending = null;
      this.pump(p);
    }
  }

  stopWebcam() {
    if (!this.webcam) return;
    this.webcam.stream.getTracks().forEach((t) => t.stop());
    this.video.srcObject = null;
    this.webcam = null;
    this.camButton.textContent = 'Webcam';
    this.camButton.setAttribute('aria-pressed', 'false');
  }

  /** A fresh camera frame for an idle panel; frames are never queued, so a slow model drops them. */
  async captureFor(panel) {
    if (!this.webcam || panel.capturing) return;
    if (this.video.readyState < 2 || !this.video.videoWidth) {
      setTimeout(() => this.pump(panel), 50);
      return;
    }
    panel.capturing = true;
    try {
      const full = await createImageBitmap(this.video);
      const fitted = await fitBitmap(full, 'video');
      const frame = makeFrame({ ...fitted, label: 'webcam', still: false });
      if (panel.state === 'ready' && !panel.inFlight && this.webcam) {
        const sent = panel.send(frame); // retains the frame synchronously
        frame.drop(); // closed once no panel holds it
        await sent;
      } else {
        frame.drop();
      }
    } catch (err) {
      panel.showMessage(`Camera frame failed: ${err.message}`);
    } finally {
      panel.capturing = false;
    }
  }

  // --- "Measure on this device" ---

  updateMeasureButton() {
    if (!this.measureButton) return;
    const loading = this.panels.some((p) => p.state === 'loading');
    this.measureButton.disabled = this.measuring || loading || !this.panels.some((p) => p.isLoaded());
    const { warmup, runs } = measureSettings(this.root.dataset);
    this.measureButton.title =
      `Runs each model ${warmup} warm-up and ${runs} timed times on the current image, one model after the other, ` +
      'and offers the timings as a measurement record you can download and contribute';
  }

  measureStatus(text) {
    this.measureStatusEl.textContent = text ?? '';
    this.measureStatusEl.hidden = !text;
  }

  /** Controls that would change the image or a model are off while measuring. */
  lockControls(locked) {
    for (const el of [this.sampleSelect, this.fileInput, this.camButton, ...this.panels.flatMap((p) => [p.picker, p.standInPicker, p.fileInput])]) {
      if (locked) {
        el.dataset.wasDisabled = el.disabled ? 'true' : 'false';
        el.disabled = true;
      } else if (el.dataset.wasDisabled) {
        el.disabled = el.dataset.wasDisabled === 'true';
        delete el.dataset.wasDisabled;
      }
    }
  }

  /** The image to measure on: the current one; a still from the webcam (which stops); else the first sample. */
  async measureFrame() {
    if (this.webcam) {
      let still = null;
      if (this.video.readyState >= 2 && this.video.videoWidth) {
        const fitted = await fitBitmap(await createImageBitmap(this.video), 'video');
        still = makeFrame({ ...fitted, label: 'webcam', still: true });
      }
      this.stopWebcam(); // live frames would compete with the timed runs
      if (still) this.setSource(still);
    }
    if (!this.source && this.manifest.samples.length) await this.useSample(0);
    if (!this.source) throw new Error('no image to measure on: choose a sample image or upload one first');
    return this.source;
  }

  /**
   * Run each loaded panel `warmup` + `runs` times on the current image, one panel after the other (so they
   * do not share the cores), then build a measurement record per catalog model (measure.js).
   */
  async measure() {
    if (this.measuring) return;
    const panels = this.panels.filter((p) => p.isLoaded());
    if (!panels.length || this.panels.some((p) => p.state === 'loading')) return;
    const { warmup, runs } = measureSettings(this.root.dataset); // read now: the bench and tests set them on the element
    this.measuring = true;
    this.root.dataset.measureState = 'running';
    delete this.root.dataset.measureError;
    this.updateMeasureButton();
    this.lockControls(true);
    this.measureTable.replaceChildren();
    for (const p of this.panels) p.forgetMeasurement();
    const key = { measuring: true };
    let frame = null;
    try {
      frame = await this.measureFrame();
      frame.retain(key);
      const started = new Date();
      const rows = [];
      for (const p of panels) {
        await p.whenIdle();
        const name = displayName(p.entry);
        const timed = [];
        let last = null;
        for (let i = 0; i < warmup + runs; i++) {
          this.measureStatus(i < warmup ? `Measuring ${name}: warm-up ${i + 1} of ${warmup}…` : `Measuring ${name}: run ${i - warmup + 1} of ${runs}…`);
          last = await p.runOnce(frame);
          if (i >= warmup) timed.push(last.timings);
        }
        rows.push({ panel: p, entry: p.entry, ready: { ...p.ready }, last, timed });
      }
      const highEntropy = await highEntropyValues();
      const gpu = rows.find((r) => r.last.backend === 'webgpu')?.ready.gpu ?? null;
      const machine = machineInfo(navigator, { highEntropy, gpu });
      const browser = browserInfo(navigator, highEntropy);
      const latency = (row, memoryBytes) =>
        browserLatency({
          backend: row.last.backend,
          requestedThreads: this.threads,
          threads: row.last.numThreads,
          crossOriginIsolated: row.ready.crossOriginIsolated,
          warmup,
          coldMs: row.last.timings.coldMs,
          runs: row.timed,
          memoryBytes,
        });
      // Memory only when every model ran on one wasm thread (or WebGPU): Chromium's measurement waits for
      // every worker, and onnxruntime's idle thread pool does not answer for a minute. The figure barely
      // depends on threads, so `versus bench` takes it from its 1-thread run; here it stays null.
      const memoryMeasurable = rows.every((r) => r.last.backend !== 'wasm' || (r.last.numThreads ?? 1) <= 1);
      for (const row of rows) row.latency = latency(row, null);
      let memory = null;
      if (memoryMeasurable) {
        this.renderMeasurements(rows, machine, { memoryPending: true });
        this.measureStatus('Measuring memory…');
        memory = await measureMemory();
      }
      const updated = new Date();
      for (const row of rows) {
        const others = this.panels.filter((q) => q !== row.panel && q.worker).map((q) => q.workerHref);
        row.latency = latency(row, panelMemory(memory, others));
        row.problem = recordProblem(row.entry);
        if (row.problem) continue;
        const record = measurementRecord({
          entry: row.entry,
          latency: row.latency,
          machine,
          software: softwareInfo(browser, row.ready.ortVersion),
          started,
          updated,
          commit: this.root.dataset.commit || this.manifest.commit || null,
        });
        const text = `${JSON.stringify(record, null, 2)}\n`;
        row.panel.el.dataset.measurement = text;
        row.panel.recordUrl = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
        row.file = recordFileName(row.entry.artifact);
      }
      this.renderMeasurements(rows, machine);
      this.measureStatus(`Measured on this device: ${warmup} warm-up and ${runs} timed runs per model, one model after the other.`);
      this.root.dataset.measureState = 'done';
    } catch (err) {
      const message = `The measurement failed: ${err.message ?? err}`;
      this.measureStatus(message);
      this.root.dataset.measureError = message;
      this.root.dataset.measureState = 'error';
    } finally {
      frame?.release(key);
      this.measuring = false;
      this.lockControls(false);
      this.updateMeasureButton();
      for (const p of this.panels) this.pump(p);
    }
  }

  renderMeasurements(rows, machine, { memoryPending = false } = {}) {
    const cell = (text, attrs = {}) => h('td', { ...attrs, text });
    const spread = (f) => `${ms(f.median)} (${ms(f.q1)}–${ms(f.q3)})`;
    const head = ['Model', 'Backend', 'Cold', 'Inference', 'Pre', 'Post', 'End to end', 'Memory', 'Record'];
    const body = rows.map((r) => {
      const l = r.latency;
      const backend = l.backend === 'wasm' ? `wasm · ${l.threads} thread${l.threads === 1 ? '' : 's'}` : 'WebGPU';
      const record = memoryPending
        ? cell('…')
        : r.problem
        ? cell(`none: ${r.problem}`)
        : h('td', {}, h('a', { href: r.panel.recordUrl, download: r.file, class: 'vs-record', text: 'download' }));
      return h(
        'tr',
        { 'data-panel': r.panel.index },
        cell(displayName(r.entry)),
        cell(`${backend}${l.cross_origin_isolated ? '' : ' (not isolated)'}`),
        cell(l.cold ? ms(l.cold.median) : '–', { title: 'session creation + first inference' }),
        cell(spread(l.inference), { title: 'median (first–third quartile)' }),
        cell(ms(l.preprocess.median)),
        cell(ms(l.postprocess.median)),
        cell(spread(l.end_to_end)),
        cell(memoryPending ? 'measuring…' : l.memory_bytes === null ? '–' : formatBytes(l.memory_bytes), { title: 'the page and this model’s worker' }),
        record,
      );
    });
    const cores = `${machine.cores} core${machine.cores === 1 ? '' : 's'}`;
    this.measureTable.replaceChildren(
      h(
        'table',
        { class: 'vs-measure-table' },
        h('caption', { text: `This device (${machine.os ?? 'unknown OS'}, ${cores}), timings in ms: median (first–third quartile)` }),
        h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { text: t })))),
        h('tbody', {}, ...body),
      ),
    );
  }

  destroy() {
    for (const p of this.panels) p.forgetMeasurement();
    this.stopWebcam();
    for (const p of this.panels) p.terminate();
    document.removeEventListener('paste', this.onPaste);
    controllers.delete(this);
  }
}

/** The page's memory with its workers, when the browser measures it (cross-origin isolated Chromium); else null. */
async function measureMemory(timeoutMs = 90_000) {
  if (!self.crossOriginIsolated || typeof performance.measureUserAgentSpecificMemory !== 'function') return null;
  let timer;
  try {
    return await Promise.race([
      performance.measureUserAgentSpecificMemory(),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
      }),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** Full browser version and architecture, when userAgentData offers them. */
async function highEntropyValues() {
  try {
    return (await navigator.userAgentData?.getHighEntropyValues?.(['fullVersionList', 'architecture', 'bitness'])) ?? null;
  } catch {
    return null;
  }
}

/** Mount one element. Returns the controller (also for elements already mounted). */
export async function mount(root) {
  for (const c of controllers) if (c.root === root) return c;
  const demo = new Demo(root);
  controllers.add(demo);
  return demo.mount();
}

/**
 * Mount every `.vs-demo[data-manifest]` not mounted yet, and stop demos whose element left the page
 * (mkdocs-material's instant navigation swaps the page content: call this from `document$.subscribe`).
 */
export function mountAll(selector = '.vs-demo[data-manifest]') {
  for (const c of [...controllers]) if (!c.root.isConnected) c.destroy();
  return Promise.all([...document.querySelectorAll(selector)].filter((el) => !el.dataset.mounted).map((el) => mount(el)));
}

if (typeof window !== 'undefined' && typeof document !== 'undefined') {
  window.versusDemo = { mount, mountAll, controllers };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => mountAll());
  else mountAll();
}

