// "Measure on this device": the button, its status line and results table, and the run itself. The figures
// and records are measure.js's (pure, tested in Node); this module drives the panels and shows the result.

import { backendLabel } from './accelerators.js';
import { h, formatBytes, ms } from './dom.js';
import { displayName } from './panel.js';
import { videoFrame, videoReady } from './webcam.js';
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

export class MeasureUI {
  constructor(demo) {
    this.demo = demo;
    this.running = false;
    this.button = h('button', { type: 'button', class: 'vs-measure-button', text: 'Measure on this device', onclick: () => this.run() });
    this.statusEl = h('p', { class: 'vs-measure-status', 'aria-live': 'polite', hidden: true });
    this.table = h('div', { class: 'vs-measure-results' });
    this.el = h('div', { class: 'vs-measure' }, this.statusEl, this.table);
  }

  updateButton() {
    const demo = this.demo;
    const loading = demo.panels.some((p) => p.state === 'loading');
    this.button.disabled = this.running || loading || !demo.panels.some((p) => p.isLoaded());
    const { warmup, runs } = measureSettings(demo.root.dataset);
    this.button.title =
      `Runs each model ${warmup} warm-up and ${runs} timed times on the current image, one model after the other, ` +
      'and offers the timings as a measurement record you can download and contribute';
  }

  status(text) {
    this.statusEl.textContent = text ?? '';
    this.statusEl.hidden = !text;
  }

  /** Controls that would change the image or a model are off while measuring. */
  lockControls(locked) {
    const demo = this.demo;
    for (const el of [demo.sampleSelect, demo.fileInput, demo.camButton, ...demo.panels.flatMap((p) => [p.picker, p.standInPicker, p.fileInput])]) {
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
  async frame() {
    const demo = this.demo;
    if (demo.webcam) {
      const still = videoReady(demo.video) ? await videoFrame(demo.video, true) : null;
      demo.stopWebcam(); // live frames would compete with the timed runs
      if (still) demo.setSource(still);
    }
    if (!demo.source && demo.manifest.samples.length) await demo.useSample(0);
    if (!demo.source) throw new Error('no image to measure on: choose a sample image or upload one first');
    return demo.source;
  }

  /**
   * Run each loaded panel `warmup` + `runs` times on the current image, one panel after the other (so they
   * do not share the cores), then build a measurement record per catalog model (measure.js).
   */
  async run() {
    const demo = this.demo;
    if (this.running) return;
    const panels = demo.panels.filter((p) => p.isLoaded());
    if (!panels.length || demo.panels.some((p) => p.state === 'loading')) return;
    const { warmup, runs } = measureSettings(demo.root.dataset); // read now: the bench and tests set them on the element
    this.running = true;
    demo.root.dataset.measureState = 'running';
    delete demo.root.dataset.measureError;
    this.updateButton();
    this.lockControls(true);
    this.table.replaceChildren();
    for (const p of demo.panels) p.forgetMeasurement();
    const key = { measuring: true };
    let frame = null;
    try {
      frame = await this.frame();
      frame.retain(key);
      const started = new Date();
      const rows = [];
      for (const p of panels) {
        await p.whenIdle();
        const name = displayName(p.entry);
        const timed = [];
        let last = null;
        for (let i = 0; i < warmup + runs; i++) {
          this.status(i < warmup ? `Measuring ${name}: warm-up ${i + 1} of ${warmup}…` : `Measuring ${name}: run ${i - warmup + 1} of ${runs}…`);
          last = await p.runOnce(frame);
          if (i >= warmup) timed.push(last.timings);
        }
        rows.push({ panel: p, entry: p.entry, ready: { ...p.ready }, last, timed });
      }
      const highEntropy = await highEntropyValues();
      const gpu = rows.find((r) => r.last.backend !== 'wasm')?.ready.gpu ?? null;
      const machine = machineInfo(navigator, { highEntropy, gpu });
      const browser = browserInfo(navigator, highEntropy);
      const latency = (row, memoryBytes) =>
        browserLatency({
          backend: row.last.backend,
          requestedThreads: demo.threads,
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
        this.render(rows, machine, { memoryPending: true });
        this.status('Measuring memory…');
        memory = await measureMemory();
      }
      const updated = new Date();
      for (const row of rows) {
        const others = demo.panels.filter((q) => q !== row.panel && q.worker).map((q) => q.workerHref);
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
          commit: demo.root.dataset.commit || demo.manifest.commit || null,
        });
        const text = `${JSON.stringify(record, null, 2)}\n`;
        row.panel.el.dataset.measurement = text;
        row.panel.recordUrl = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
        row.file = recordFileName(row.entry.artifact);
      }
      this.render(rows, machine);
      this.status(`Measured on this device: ${warmup} warm-up and ${runs} timed runs per model, one model after the other.`);
      demo.root.dataset.measureState = 'done';
    } catch (err) {
      const message = `The measurement failed: ${err.message ?? err}`;
      this.status(message);
      demo.root.dataset.measureError = message;
      demo.root.dataset.measureState = 'error';
    } finally {
      frame?.release(key);
      this.running = false;
      this.lockControls(false);
      this.updateButton();
      for (const p of demo.panels) demo.pump(p);
    }
  }

  render(rows, machine, { memoryPending = false } = {}) {
    const cell = (text, attrs = {}) => h('td', { ...attrs, text });
    const spread = (f) => `${ms(f.median)} (${ms(f.q1)}–${ms(f.q3)})`;
    const head = ['Model', 'Backend', 'Cold', 'Inference', 'Pre', 'Post', 'End to end', 'Memory', 'Record'];
    const body = rows.map((r) => {
      const l = r.latency;
      const backend = l.backend === 'wasm' ? `wasm · ${l.threads} thread${l.threads === 1 ? '' : 's'}` : backendLabel(l.backend);
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
    this.table.replaceChildren(
      h(
        'table',
        { class: 'vs-measure-table' },
        h('caption', { text: `This device (${machine.os ?? 'unknown OS'}, ${cores}), timings in ms: median (first–third quartile)` }),
        h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { text: t })))),
        h('tbody', {}, ...body),
      ),
    );
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
