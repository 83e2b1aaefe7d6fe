// The side-by-side demo: page controller. Mounts into
//
//   <div class="vs-demo" data-manifest="../demo/manifest.json" data-cards="mobilenet-ssd-v2,yolo11"></div>
//
// and runs each panel's model in its own Web Worker (worker.js). Attributes (all but data-manifest optional):
//   data-manifest  URL of the demo manifest (format: wasm_demo/README.md), relative to the page
//   data-cards     one or two card ids, left and right panel (each panel picks among its card's variants)
//   data-models    instead of data-cards: one or two `card/variant` (or variant) ids to start with
//   data-ort-base  folder with the onnxruntime-web dist files (default: `ort/` beside this file)
//   data-threads   wasm threads per model (default: the cores shared by the panels, 1–4, when cross-origin isolated, else 1)
//   data-accelerator  auto (default: WebGPU or WebNN on hardware that has it, after a one-image check) | off | force
//   data-autorun   "false" to not run the first sample image on load
//   data-resampler auto (default) | js | canvas: how the worker resizes images (see preprocess.js)
//   data-panels    1 or 2 (default): how many panels (the bench measures one model at a time)
//   data-measure-warmup, data-measure-runs  "Measure on this device": warm-up and timed runs per model (3, 20)
//   data-commit    the project commit the page was built from, written into measurement records
//   data-session-options  BENCHMARKING KNOB, not for site pages: JSON object merged over the worker's
//                  onnxruntime-web session options (e.g. {"graphOptimizationLevel":"basic"}); used by
//                  studies/browser_gap/. Unset (the default) changes nothing.
//
// Each panel element (`.vs-panel`) carries `data-state` (empty|loading|ready|busy|error), `data-error`
// (the message shown, if any) and, after every result and re-filter, `data-result`: JSON with
// {model, variant, name, trained, backend, threads, crossOriginIsolated, source, image:{width,height},
//  settings, timings, detections:[{className, classId, score, box:[x1,y1,x2,y2]}]} in original image pixels.
// After "Measure on this device": the root has `data-measure-state` (running|done|error, and
// `data-measure-error`), each measured catalog model's panel `data-measurement` (the record, measure.js).
//
// Modules: panel.js (a panel; panel-view.js its elements, worker-client.js its worker, draw.js its canvas,
// user-model.js dropped models), image-source.js and webcam.js (images), measure-ui.js ("Measure on this
// device"), dom.js (helpers). Styles: demo.css, which the page links beside this file.

import { normalizeManifest, findEntry } from './manifest.js';
import { candidateClassNames } from './decoders.js';
import { decodeImageFile, ImageInputError, makeFrame, sampleCredit } from './image-source.js';
import { h } from './dom.js';
import { CANDIDATE_FLOOR, Panel } from './panel.js';
import { isOnnxFile } from './user-model.js';
import { cameraMessage, videoFrame, videoReady } from './webcam.js';
import { MeasureUI } from './measure-ui.js';
import { DiffView } from './diff-view.js';
import { defaultThreads } from './threads.js';
import { sharedWasmBinary } from './ort-wasm.js';

const controllers = new Set();

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
    this.panelCount = d.panels === '1' ? 1 : 2;
    const threads = Number(d.threads);
    // the panels run at once: together they get at most the device's cores (threads.js)
    this.threads = Number.isInteger(threads) && threads > 0 ? threads : defaultThreads(this.panelCount);
    this.accelerator = ['off', 'force'].includes(d.accelerator) ? d.accelerator : 'auto';
    this.resampler = ['js', 'canvas'].includes(d.resampler) ? d.resampler : 'auto';
    this.wasmBinary = null; // onnxruntime-web's wasm, fetched once for both panels' workers (ort-wasm.js)
    this.sessionOptions = benchmarkSessionOptions(d.sessionOptions);
    this.settings = { scoreThreshold: null, iouThreshold: null, classFilter: null };
    this.source = null;
    this.webcam = null;
    this.panels = [];
    this.cards = [];
    this.rendering = false;
  }

  /** True while "Measure on this device" runs: the image and the models stay as they are. */
  get measuring() {
    return this.measurer?.running ?? false;
  }

  updateMeasureButton() {
    this.measurer?.updateButton();
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
    this.wasmBinary = sharedWasmBinary(this.ortBase, this.accelerator);
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
    if (this.panels.length === 2) this.diff = new DiffView(this.panels); // diff-view.js follows the panels' results
    root.replaceChildren(this.controlsEl, this.measurer.el, this.panelsEl, ...(this.diff ? [this.diff.el] : []), this.creditEl, this.video);
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
    this.measurer = new MeasureUI(this);
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
      this.measurer.button,
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
    this.creditEl.replaceChildren(
      ...(sample ? sampleCredit(sample) : []),
      h('span', { text: 'Your images and models stay in this browser: nothing is uploaded.' }),
    );
  }

  sourceMessage(text) {
    this.sourceMsg.textContent = text ?? '';
    this.sourceMsg.hidden = !text;
  }

  /** The visitor's slider and class settings, the same for every panel (undefined: each model's own). */
  filterOptions() {
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
    if (!videoReady(this.video)) {
      setTimeout(() => this.pump(panel), 50);
      return;
    }
    panel.capturing = true;
    try {
      const frame = await videoFrame(this.video, false);
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

  destroy() {
    for (const p of this.panels) p.forgetMeasurement();
    this.stopWebcam();
    for (const p of this.panels) p.terminate();
    this.diff?.destroy();
    document.removeEventListener('paste', this.onPaste);
    controllers.delete(this);
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

