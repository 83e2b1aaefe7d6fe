// The all-models page: the visitor's image (a sample, an upload or one webcam still) through every trained
// model of a task, one model after another (run-once.js: one fresh worker at a time, so the models never
// compete for the cores), each model's boxes, timings and card link in a grid the visitor can filter and sort.
//
//   <div class="vs-demo vs-all" data-all-models="../../demo/manifest.json" data-task="object-detection">
//     <div class="vs-all-filters"> <select data-filter="license|family|size"> … <select data-sort> </div>
//     <div class="vs-all-grid"> <article class="vs-all-model" data-artifact data-order data-license data-family
//       data-size> <h3><a href=card page>name</a></h3> … </article> … </div>
//   </div>
//
// generator/templates/all_models.md.j2 writes that markup from the page's view (generator/views/all_models.py);
// this module takes each model's file and runtime spec from the demo manifest by artifact id. Models download
// when their turn comes; worker.js keeps them in the Cache API (a second visit does not download them again;
// without the Cache API they are downloaded each time). Other attributes: data-ort-base, data-threads,
// data-autorun as in demo.js. Always wasm: each model runs one image in a fresh worker, so an accelerator
// (WebGPU, WebNN), which a worker trusts only after it gave wasm's boxes on an image (parity.js), could never take over.
//
// For tests: the root has `data-run-state` (`running` | `done`) and `data-frame` (the image's label); each
// model's article `data-state` (waiting | loading | running | done | error), `data-error`, and `data-result`
// {artifact, model, variant, name, source, backend, threads, fromCache, image, timings, detections}.

import { findEntry, normalizeManifest } from './manifest.js';
import { decodeImageFile, ImageInputError, makeFrame } from './image-source.js';
import { h, formatBytes, ms } from './dom.js';
import { drawDetections } from './draw.js';
import { cameraMessage, videoFrame, videoReady } from './webcam.js';
import { nextToRun, passes, sortModels } from './all-models-list.js';
import { runOnce } from './run-once.js';
import { defaultThreads } from './threads.js';
import { sharedWasmBinary } from './ort-wasm.js';

export class AllModels {
  constructor(root) {
    this.root = root;
    const d = root.dataset;
    this.ortBase = new URL(d.ortBase ?? new URL('./ort/', import.meta.url).href, document.baseURI).href;
    this.workerUrl = new URL('./worker.js', import.meta.url);
    const threads = Number(d.threads);
    this.threads = Number.isInteger(threads) && threads > 0 ? threads : defaultThreads(1); // one model at a time
    this.filters = {};
    this.sortKey = 'default';
    this.results = new Map(); // artifact -> {frameId, inferenceMs, detections, …} or {frameId, error}
    this.frame = null;
    this.frameId = 0;
    this.running = false;
  }

  async mount() {
    const root = this.root;
    root.dataset.mounted = 'true';
    this.grid = root.querySelector('.vs-all-grid');
    this.models = [...root.querySelectorAll('.vs-all-model')].map((el) => ({
      el,
      artifact: el.dataset.artifact,
      order: Number(el.dataset.order),
      license: el.dataset.license,
      family: el.dataset.family,
      size: el.dataset.size,
    }));
    const url = new URL(root.dataset.allModels, document.baseURI);
    let json;
    try {
      const resp = await fetch(url, { credentials: 'same-origin' });
      if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
      json = await resp.json();
    } catch (err) {
      root.prepend(h('p', { class: 'vs-message', role: 'alert', text: `The page could not load its model list (${url.pathname}: ${err.message}).` }));
      return this;
    }
    this.manifest = normalizeManifest(json, url.href);
    for (const m of this.models) {
      m.entry = findEntry(this.manifest, m.artifact);
      this.buildTile(m);
      if (!m.entry || !m.entry.trained) this.setError(m, `${m.artifact} is not in this site's demo manifest.`, -1);
      m.el.querySelector('select[data-graph]')?.addEventListener('change', (e) => this.useGraph(m, e.target.value));
    }
    this.buildControls();
    for (const select of root.querySelectorAll('select[data-filter]')) {
      select.addEventListener('change', () => {
        this.filters[select.dataset.filter] = select.value;
        this.applyFilters();
      });
    }
    root.querySelector('select[data-sort]')?.addEventListener('change', (e) => {
      this.sortKey = e.target.value;
      this.applySort();
    });
    root.dataset.state = 'mounted';
    if (root.dataset.autorun !== 'false' && this.manifest.samples.length) this.useSample(0);
    return this;
  }

  buildTile(m) {
    m.status = h('div', { class: 'vs-status' });
    m.canvas = h('canvas', { width: 320, height: 240, 'aria-label': `Image with the detections of ${m.el.querySelector('h3')?.textContent ?? m.artifact}` });
    m.timings = h('div', { class: 'vs-timings' });
    m.summary = h('p', { class: 'vs-note' });
    m.el.append(m.status, h('div', { class: 'vs-stage' }, m.canvas), m.timings, m.summary);
    this.setState(m, 'waiting', 'waits for an image');
  }

  buildControls() {
    const samples = this.manifest.samples;
    this.sampleSelect = h(
      'select',
      { 'aria-label': 'Sample image', onchange: () => this.sampleSelect.value !== '' && this.useSample(Number(this.sampleSelect.value)) },
      h('option', { value: '', text: samples.length ? 'Sample images…' : 'No sample images' }),
      ...samples.map((s, i) => h('option', { value: String(i), text: s.name })),
    );
    const fileInput = h('input', { type: 'file', accept: 'image/*', 'aria-label': 'Upload an image', onchange: (e) => {
      const f = e.target.files?.[0];
      e.target.value = '';
      if (f) this.useFile(f);
    } });
    this.camButton = h('button', { type: 'button', text: 'Webcam still', onclick: () => this.useWebcam() });
    this.progress = h('span', { class: 'vs-all-progress', 'aria-live': 'polite' });
    this.message = h('p', { class: 'vs-source-msg', role: 'alert', hidden: true });
    this.credit = h('div', { class: 'vs-credit' });
    this.video = h('video', { playsinline: true, muted: true });
    const controls = h('div', { class: 'vs-controls' }, this.sampleSelect, h('label', { class: 'vs-upload' }, 'Image: ', fileInput), this.camButton, this.progress, this.message);
    this.root.prepend(controls);
    this.root.append(this.credit, this.video);
    this.root.addEventListener('dragover', (e) => {
      if ([...(e.dataTransfer?.types ?? [])].includes('Files')) e.preventDefault();
    });
    this.root.addEventListener('drop', (e) => {
      const file = e.dataTransfer?.files?.[0];
      if (!file) return;
      e.preventDefault();
      this.useFile(file);
    });
  }

  showMessage(text) {
    this.message.textContent = text ?? '';
    this.message.hidden = !text;
  }

  // --- images ---

  async useSample(i) {
    const s = this.manifest.samples[i];
    if (!s) return;
    this.sampleSelect.value = String(i);
    try {
      const resp = await fetch(s.url, { credentials: 'same-origin' });
      if (!resp.ok) throw new ImageInputError(`the sample image is missing (HTTP ${resp.status})`);
      const blob = await resp.blob();
      const decoded = await decodeImageFile(new File([blob], s.name, { type: blob.type }));
      this.setFrame(makeFrame({ ...decoded, label: `sample:${s.name}`, still: true }));
      this.credit.replaceChildren(
        h('span', { text: `${s.name}: ${s.credit}` }),
        s.creditUrl ? h('span', {}, ' (', h('a', { href: s.creditUrl, rel: 'nofollow noopener', text: 'source' }), ')') : null,
        h('span', { text: '. Your images stay in this browser: nothing is uploaded.' }),
      );
    } catch (err) {
      this.showMessage(`Sample ${s.name}: ${err.message}`);
    }
  }

  async useFile(file) {
    this.sampleSelect.value = '';
    try {
      const decoded = await decodeImageFile(file);
      this.setFrame(makeFrame({ ...decoded, label: `upload:${file.name || 'image'}`, still: true }));
      this.credit.textContent = 'Your image stays in this browser: nothing is uploaded.';
    } catch (err) {
      this.showMessage(err instanceof ImageInputError ? err.message : `This image could not be used (${err.message}).`);
    }
  }

  /** One still from the camera: the camera is stopped once the picture is taken. */
  async useWebcam() {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.showMessage(cameraMessage({ name: 'NoMediaDevices' }));
      return;
    }
    this.camButton.disabled = true;
    let stream = null;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
      this.video.srcObject = stream;
      await this.video.play();
      for (let i = 0; i < 100 && !videoReady(this.video); i++) await new Promise((r) => setTimeout(r, 50));
      if (!videoReady(this.video)) throw new Error('the camera gave no picture');
      this.sampleSelect.value = '';
      this.setFrame(await videoFrame(this.video, true));
      this.credit.textContent = 'Your camera picture stays in this browser: nothing is uploaded.';
    } catch (err) {
      this.showMessage(cameraMessage(err));
    } finally {
      stream?.getTracks().forEach((t) => t.stop());
      this.video.srcObject = null;
      this.camButton.disabled = false;
    }
  }

  setFrame(frame) {
    this.showMessage(null);
    const old = this.frame;
    this.frame = frame;
    this.frameId += 1;
    this.root.dataset.frame = frame.label;
    if (old) old.drop();
    for (const m of this.models) {
      if (this.results.get(m.artifact)?.frameId === -1) continue; // not in the manifest: stays an error
      delete m.el.dataset.result;
      this.setState(m, 'waiting', 'waits for its turn');
    }
    this.pump();
  }

  /** Run another graph of the tile's variant (the select lists each with its size and accuracy cost). */
  useGraph(m, artifact) {
    const entry = findEntry(this.manifest, artifact);
    if (!entry || entry.artifact !== artifact) return this.setError(m, `${artifact} is not in this site's demo manifest.`, -1);
    this.results.delete(m.artifact);
    Object.assign(m, { artifact, entry });
    m.el.dataset.artifact = artifact;
    delete m.el.dataset.result;
    this.setState(m, 'waiting', 'waits for its turn');
    this.pump();
  }

  // --- running ---

  setState(m, state, text = '') {
    m.el.dataset.state = state;
    m.status.textContent = text;
  }

  setError(m, text, frameId) {
    this.results.set(m.artifact, { frameId, error: text });
    this.setState(m, 'error', '');
    m.el.dataset.error = text;
    m.summary.textContent = text;
    m.summary.classList.add('vs-message');
  }

  /** Run the next model that has no result for the current image, if none is running. */
  async pump() {
    if (this.running || !this.frame) return;
    const shown = sortModels(this.models, this.sortKey, this.results);
    const m = nextToRun(shown, this.filters, this.results, this.frameId);
    this.updateProgress();
    if (!m) return;
    this.running = true;
    const artifact = m.artifact;
    const frame = this.frame;
    const frameId = this.frameId;
    frame.retain(this);
    this.setState(m, 'loading', 'loading');
    delete m.el.dataset.error;
    m.summary.classList.remove('vs-message');
    const wasmBinary = sharedWasmBinary(this.ortBase, 'off'); // fetched once for every model's worker
    const settings = { ortBase: this.ortBase, numThreads: this.threads, accelerator: 'off', resampler: 'auto', wasmBinary };
    try {
      const { ready, result } = await runOnce(this.workerUrl, m.order, m.entry, frame, settings, (text, fraction) => {
        if (frameId === this.frameId) this.setState(m, text === 'running' ? 'running' : 'loading', fraction === null ? text : `${text} ${Math.round(fraction * 100)}%`);
      });
      if (m.artifact === artifact) { // else the visitor switched the tile's graph meanwhile: that one runs next
        this.results.set(artifact, { frameId, inferenceMs: result.timings.inferenceMs, detections: result.detections });
        if (frameId === this.frameId) this.show(m, frame, ready, result);
      }
    } catch (err) {
      if (m.artifact === artifact) this.setError(m, `${m.entry.name}: ${err.message}`, frameId);
    } finally {
      frame.release(this);
      this.running = false;
    }
    if (this.sortKey !== 'default') this.applySort();
    this.pump();
  }

  show(m, frame, ready, result) {
    drawDetections(m.canvas, frame, result.detections);
    const t = result.timings;
    const threads = result.backend === 'wasm' ? `${result.numThreads} thread${result.numThreads === 1 ? '' : 's'}` : 'GPU';
    m.timings.replaceChildren(
      h('span', { text: `inference ${ms(t.inferenceMs)}` }),
      h('span', { text: `pre ${ms(t.preprocessMs)}` }),
      h('span', { text: `post ${ms(t.postprocessMs)}` }),
      h('span', { text: `session ${ms(t.sessionMs)}`, title: 'creating the onnxruntime-web session' }),
      h('span', { text: `${result.backend}, ${threads}` }),
    );
    const n = result.detections.length;
    const classes = [...new Set(result.detections.map((d) => d.className))].slice(0, 6).join(', ');
    m.summary.textContent = `${n} detection${n === 1 ? '' : 's'}${n ? `: ${classes}${classes.split(', ').length === 6 ? ', …' : ''}` : ''} · model ${formatBytes(ready.bytes)}${ready.fromCache ? ' from cache' : ''}`;
    this.setState(m, 'done', '');
    m.el.dataset.result = JSON.stringify({
      artifact: m.artifact,
      model: m.entry.card,
      variant: m.entry.variant,
      graph: m.entry.graph?.label ?? null,
      name: m.entry.name,
      source: frame.label,
      backend: result.backend,
      threads: result.numThreads,
      fromCache: ready.fromCache,
      image: { width: frame.width, height: frame.height },
      timings: result.timings,
      detections: result.detections.map((d) => ({ className: d.className, classId: d.classId, score: d.score, box: d.box })),
    });
  }

  updateProgress() {
    const shown = this.models.filter((m) => passes(m, this.filters));
    const done = shown.filter((m) => this.results.get(m.artifact)?.frameId === this.frameId).length;
    const running = done < shown.length;
    this.root.dataset.runState = running ? 'running' : 'done';
    this.progress.textContent = running ? `${done} of ${shown.length} models run on this image…` : `${shown.length} models run on this image.`;
  }

  applyFilters() {
    for (const m of this.models) m.el.hidden = !passes(m, this.filters);
    this.pump();
  }

  applySort() {
    this.grid.append(...sortModels(this.models, this.sortKey, this.results).map((m) => m.el));
  }
}

/** Mount every `.vs-all[data-all-models]` element on the page not mounted yet. */
export function mountAll() {
  return Promise.all([...document.querySelectorAll('.vs-all[data-all-models]')].filter((el) => !el.dataset.mounted).map((el) => new AllModels(el).mount()));
}

if (typeof window !== 'undefined' && typeof document !== 'undefined') {
  window.versusAllModels = { mountAll };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => mountAll());
  else mountAll();
}
