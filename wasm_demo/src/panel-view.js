// A panel's elements and the lines of text it shows about its model and timings (panel.js fills them).

import { backendLabel } from './accelerators.js';
import { h, formatBytes, ms } from './dom.js';
import { graphLabel } from './graphs.js';
import { isOnnxFile } from './user-model.js';

/**
 * The elements of panel `index`, by name: `el` (the `.vs-panel` section) and the parts panel.js updates.
 * Handlers: `onPick()` and `onStandIn()` (the two pickers), `onModelFile(file)` (the "your .onnx" button
 * or an .onnx file dropped on the panel), `onImageFile(file)` (any other file dropped on it).
 */
export function panelElements(index, { onPick, onGraph, onStandIn, onModelFile, onImageFile }) {
  const title = h('h3', { class: 'vs-panel-title', text: 'Model' });
  const picker = h('select', { class: 'vs-variant', 'aria-label': 'Model variant', onchange: () => onPick() });
  const badge = h('span', { class: 'vs-badge', hidden: true });
  const fileInput = h('input', { type: 'file', accept: '.onnx', onchange: (e) => onModelFile(e.target.files?.[0]) });
  const byom = h('label', { class: 'vs-byom', title: 'Run an ONNX file exported by Ultralytics (it never leaves your browser)' }, '⤓ your .onnx', fileInput);
  const progress = h('progress', { max: 1, value: 0, hidden: true });
  const statusText = h('span', { text: '' });
  const info = h('div', { class: 'vs-info' });
  const timings = h('div', { class: 'vs-timings' });
  const canvas = h('canvas', { width: 640, height: 360, 'aria-label': 'Image with detections' });
  const hint = h('div', { class: 'vs-hint', text: 'Drop an .onnx file here to run your own model' });
  const message = h('p', { class: 'vs-message', role: 'alert', hidden: true });
  const note = h('p', { class: 'vs-note', hidden: true });
  const list = h('ol', { class: 'vs-detections', 'aria-label': 'Detections' });
  // a card this build cannot run: why, in one line (details on click), and the build's other detectors as stand-ins
  const reason = h('details', { class: 'vs-reason', hidden: true });
  const standInPicker = h('select', { 'aria-label': 'Stand-in model', onchange: () => onStandIn() });
  const standInRow = h('label', { class: 'vs-standin', hidden: true }, 'Compare with a stand-in:', standInPicker);
  // a variant with several graphs (float, int8): each with its download size and accuracy cost, before loading
  const graphPicker = h('select', { class: 'vs-graph', 'aria-label': 'Graph', onchange: () => onGraph() });
  const graphRow = h('label', { class: 'vs-graph-row', hidden: true }, 'Graph:', graphPicker);
  const el = h(
    'section',
    { class: 'vs-panel', 'data-panel': index, 'data-state': 'empty', 'aria-live': 'polite' },
    h('div', { class: 'vs-panel-head' }, title, picker, badge, byom),
    reason,
    standInRow,
    graphRow,
    h('div', { class: 'vs-status' }, progress, statusText),
    info,
    timings,
    message,
    note,
    h('div', { class: 'vs-stage' }, canvas, hint),
    list,
  );
  el.addEventListener('dragover', (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
    e.preventDefault();
    el.classList.add('vs-dragover');
  });
  el.addEventListener('dragleave', () => el.classList.remove('vs-dragover'));
  el.addEventListener('drop', (e) => {
    el.classList.remove('vs-dragover');
    const file = e.dataTransfer?.files?.[0];
    if (!file) return;
    e.preventDefault();
    e.stopPropagation();
    if (isOnnxFile(file)) onModelFile(file);
    else onImageFile(file);
  });
  return { el, title, picker, badge, fileInput, progress, statusText, info, timings, canvas, hint, message, note, list, reason, standInPicker, standInRow, graphPicker, graphRow };
}

/** Offer `graphs` (one variant's), `current` chosen; the row shows only when there is a choice. */
export function fillGraphPicker(picker, row, graphs, current) {
  picker.replaceChildren(...graphs.map((g, i) => h('option', { value: String(i), text: graphLabel(g) })));
  picker.value = String(Math.max(0, graphs.indexOf(current)));
  row.hidden = graphs.length < 2;
}

/** The model line under the title: which graph ran (`.vs-ran`, where there was a choice), size, cache, backend
 * (`.vs-backend`), threads, isolation, licence. */
export function infoSpans(ready, entry, graph = null) {
  const size = formatBytes(ready.bytes);
  const cached = ready.fromCache ? ' (from cache)' : entry?.user ? ' (your file)' : '';
  const threads = ready.backend === 'wasm' ? `${ready.numThreads} thread${ready.numThreads === 1 ? '' : 's'}` : ready.gpu ?? 'accelerator';
  const isolation = ready.crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated: single thread';
  const license = entry?.license ? ` · licence ${entry.license}` : '';
  return [
    ...(graph ? [h('span', { class: 'vs-ran', text: `ran the ${graph} · ` })] : []),
    h('span', { text: `${size}${cached} · ` }),
    h('span', { class: 'vs-backend', text: backendLabel(ready.backend) }),
    h('span', { text: ` · ${threads} · ${isolation}${license}` }),
  ];
}

/** The panel's note: what it said of the model, then the worker's word on the backend (which runs, and why). */
export function noteWithBackend(modelNote, backendNote) {
  return modelNote ? `${modelNote} ${backendNote}` : backendNote;
}

/** The timings line of the last result (the worker's `timings`). */
export function timingSpans(t) {
  return [
    h('span', { text: `pre ${ms(t.preprocessMs)}` }),
    h('span', { text: `inference ${ms(t.inferenceMs)}` }),
    h('span', { text: `post ${ms(t.postprocessMs)}` }),
    h('span', { text: `cold ${ms(t.coldMs)}`, title: 'session creation + first inference' }),
    h('span', { text: `warm ${ms(t.warmMs)}${t.warmRuns ? ` (median of ${t.warmRuns})` : ''}` }),
  ];
}
