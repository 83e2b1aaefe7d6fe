// A panel of the demo: one model in one worker (worker-client.js). Its picker, stand-ins (standin.js) and
// dropped model files (user-model.js); the frames it runs, the result it draws (draw.js) and exposes as
// `data-result`, and the runs "Measure on this device" asks of it (measure-ui.js).

import { entriesForCard, findEntry } from './manifest.js';
import { graphsOf, variantEntries, variantIndex } from './graphs.js';
import { filterCandidates } from './decoders.js';
import { asStandIn, cannotRunReason, displayName, needsStandIn, standInLabel, standInName, standInsFor } from './standin.js';

export { displayName }; // measure-ui.js and the tests name panels with it
import { h, formatBytes } from './dom.js';
import { clearCanvas, drawDetections } from './draw.js';
import { modelFileProblem, userModelRuntime } from './user-model.js';
import { fillGraphPicker, infoSpans, noteWithBackend, panelElements, timingSpans } from './panel-view.js';
import { WorkerClient } from './worker-client.js';
import { PHASE, STATUS } from './worker-protocol.js';

export const CANDIDATE_FLOOR = 0.05; // lowest confidence the slider offers; workers keep candidates down to it

export class Panel {
  constructor(demo, index, card) {
    this.demo = demo;
    this.index = index;
    this.card = card; // may be null: the picker then lists every model
    this.entry = null; // manifest entry or a user model {user: true, ...}
    this.worker = null;
    this.state = 'empty';
    this.ready = null; // the worker's READY message
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
    // el, title, picker, badge, fileInput, progress, statusText, info, timings, canvas, hint, message, note, list,
    // reason, standInPicker, standInRow, graphPicker, graphRow
    Object.assign(
      this,
      panelElements(this.index, {
        onPick: () => this.onPick(),
        onGraph: () => this.onGraph(),
        onStandIn: () => this.onStandIn(),
        onModelFile: (file) => this.onModelFile(file),
        onImageFile: (file) => this.demo.useFile(file),
      }),
    );
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

  /** Fill the picker: the card's variants (trained first, each as its default graph), untrained test graphs
   * labelled, user model last. */
  fillPicker() {
    const manifest = this.demo.manifest;
    this.allEntries = this.card ? entriesForCard(manifest, this.card) : manifest.models;
    const entries = variantEntries(this.allEntries);
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

  onGraph() {
    const entry = this.graphs?.[Number(this.graphPicker.value)];
    if (!this.demo.measuring && entry && entry !== this.entry) this.select(entry);
  }

  /** The choice among the variant's graphs, each with its download size and accuracy cost, before any loads. */
  fillGraphs(entry) {
    this.graphs = entry.user || entry.standIn ? [] : graphsOf(this.allEntries ?? [], entry);
    fillGraphPicker(this.graphPicker, this.graphRow, this.graphs, entry);
  }

  select(entry) {
    this.entry = entry;
    const i = variantIndex(this.entries, entry);
    this.picker.value = i >= 0 ? String(i) : '';
    this.fillGraphs(entry);
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
    const problem = modelFileProblem(file);
    if (problem) {
      this.fail(problem);
      return;
    }
    let buffer, runtime;
    try {
      buffer = await file.arrayBuffer();
      runtime = userModelRuntime(new Uint8Array(buffer));
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
    this.fillGraphs(this.entry);
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
      this.worker.dispose();
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
    clearCanvas(this.canvas);
    this.list.replaceChildren();
    this.timings.replaceChildren();
    this.info.textContent = model.bytes ? `Model ${formatBytes(model.bytes)}` : '';
    this.setState('loading');
    this.status(buffer ? 'Reading your file…' : 'Downloading…', buffer ? 'indeterminate' : 0);
    let worker;
    try {
      worker = new WorkerClient(this.demo.workerUrl, this.index, {
        onMessage: (data) => {
          if (seq === this.loadSeq) this.onWorkerMessage(data);
        },
        onError: (e) => {
          if (seq !== this.loadSeq) return;
          e.preventDefault?.();
          this.fail(`The model worker failed: ${e.message || 'script error (is worker.js served?)'}`);
          this.terminate();
        },
        onMessageError: () => seq === this.loadSeq && this.fail('The model worker sent an unreadable message.'),
      });
    } catch (err) {
      this.fail(`This browser cannot start a module worker (${err.message}).`);
      return;
    }
    this.worker = worker;
    this.workerHref = worker.href;
    const { ortBase, threads, accelerator, resampler, sessionOptions, wasmBinary } = this.demo;
    worker.load({ ortBase, numThreads: threads, accelerator, resampler, sessionOptions, model, runtime, buffer, wasmBinary });
  }

  onWorkerMessage(m) {
    switch (m.status) {
      case STATUS.LOADING:
        if (m.phase === PHASE.DOWNLOAD) {
          const total = m.total || this.entry?.bytes || 0;
          this.download = { loaded: m.loaded, total, fromCache: m.fromCache };
          const what = m.fromCache ? 'From cache' : 'Downloading';
          this.status(`${what} ${formatBytes(m.loaded)}${total ? ` / ${formatBytes(total)}` : ''}`, total ? Math.min(1, m.loaded / total) : 'indeterminate');
        } else {
          this.status('Starting the model…', 'indeterminate');
        }
        break;
      case STATUS.READY:
        this.ready = m;
        this.setState('ready');
        this.status('');
        this.renderInfo();
        this.modelNote = this.note.textContent; // what the panel said of the model, before the backend's word
        if (m.note) this.showNote(noteWithBackend(this.modelNote, m.note));
        break;
      case STATUS.IDLE:
        if (this.state === 'busy' || this.state === 'ready') this.setState('ready');
        this.finishInFlight();
        if (this.waiter?.result) {
          this.waiter.resolve(this.waiter.result);
          this.waiter = null;
        }
        if (this.state === 'ready') for (const w of this.idleWaiters.splice(0)) w.resolve();
        this.demo.pump(this);
        break;
      case STATUS.BUSY:
        this.setState('busy');
        break;
      case STATUS.BACKEND: // an accelerator's one-image check against wasm is done: it runs now, or wasm stays (note: why)
        if (this.ready) Object.assign(this.ready, { backend: m.backend, numThreads: m.numThreads, gpu: m.gpu });
        this.renderInfo();
        if (m.note) this.showNote(noteWithBackend(this.modelNote, m.note));
        break;
      case STATUS.DROPPED:
        if (this.waiter) this.failWaiters('the worker was busy and dropped a frame');
        break;
      case STATUS.RESULT:
        this.onResult(m);
        if (this.waiter && this.inFlight?.id === m.id) this.waiter.result = m;
        break;
      case STATUS.ERROR:
        this.failWaiters(m.message);
        if (m.phase === PHASE.RUN) {
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
    const graph = this.graphs?.length > 1 ? this.entry.graph?.label : null; // which graph ran, where there is a choice
    if (this.ready) this.info.replaceChildren(...infoSpans(this.ready, this.entry, graph));
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
    this.worker.run({
      id,
      bitmap,
      sourceSize: { width: frame.width, height: frame.height },
      options: { ...this.demo.filterOptions(), minScore: Math.min(CANDIDATE_FLOOR, this.runtime.decoder.score_threshold ?? 1) },
    });
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
    this.timings.replaceChildren(...timingSpans(t));
  }

  /** Re-filter the last raw result with the current settings and draw it (no model run). */
  render() {
    if (!this.shown) return;
    const { frame, result } = this.shown;
    const options = this.demo.filterOptions();
    const detections = filterCandidates(result.candidates, options, this.runtime.labels);
    drawDetections(this.canvas, frame, detections, this.entry?.standIn ? standInName(this.entry) : null);
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
      artifact: entry.artifact ?? null,
      graph: this.graphs?.length > 1 ? entry.graph?.label ?? null : null,
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
}
