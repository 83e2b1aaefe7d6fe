// The diff view of a two-panel demo: one overlay of the image with the boxes both models found (matched by
// class and IoU >= 0.5, diff.js), those only the left model (A) found and those only the right one (B) found,
// the counts, and a list whose entries highlight their box on hover or focus. It follows the panels' results
// (their `data-result`), so it needs no call from them: demo.js only mounts it.
//
// For tests: the element (`.vs-diff`) has `data-diff`, JSON {a, b, source, both, onlyA, onlyB} (the counts),
// once both panels show a result for the same still image.

import { h } from './dom.js';
import { diffCounts, matchDetections, DIFF_IOU } from './diff.js';

const COLORS = { both: '#1b873f', onlyA: '#d9480f', onlyB: '#7048e8' };

/** The list's entries: both (in A's order), only A, only B; each with the boxes it draws. */
export function diffEntries(a, b, match) {
  return [
    ...match.both.map((p) => ({ kind: 'both', className: a[p.a].className, boxes: [a[p.a].box, b[p.b].box], scores: [a[p.a].score, b[p.b].score], iou: p.iou })),
    ...match.onlyA.map((i) => ({ kind: 'onlyA', className: a[i].className, boxes: [a[i].box], scores: [a[i].score] })),
    ...match.onlyB.map((j) => ({ kind: 'onlyB', className: b[j].className, boxes: [b[j].box], scores: [b[j].score] })),
  ];
}

export class DiffView {
  /** `panels`: the demo's two Panel objects (panel.js); their `shown.frame` is the image drawn under the boxes. */
  constructor(panels) {
    this.panels = panels;
    this.entries = [];
    this.active = -1;
    this.canvas = h('canvas', { width: 640, height: 360, 'aria-label': 'Both models’ boxes on one image' });
    this.counts = h('div', { class: 'vs-diff-counts' });
    this.list = h('ul', { class: 'vs-diff-list', 'aria-label': 'Boxes of both models' });
    this.note = h('p', { class: 'vs-note', text: 'The diff appears once both models have run on the same image.' });
    this.el = h(
      'section',
      { class: 'vs-diff', 'aria-label': 'Diff of the two models' },
      h('h3', { text: 'Diff: what each model found' }),
      this.note,
      this.counts,
      h('div', { class: 'vs-diff-body' }, h('div', { class: 'vs-stage' }, this.canvas), this.list),
    );
    this.observer = new MutationObserver(() => this.schedule());
    for (const p of panels) this.observer.observe(p.el, { attributes: true, attributeFilter: ['data-result'] });
    this.list.addEventListener('mouseleave', () => this.highlight(-1));
    this.update();
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.update();
    });
  }

  /** The two panels' current results, when both show the same still image; else null. */
  results() {
    const [pa, pb] = this.panels;
    if (!pa?.el.dataset.result || !pb?.el.dataset.result || !pa.shown) return null;
    const a = JSON.parse(pa.el.dataset.result);
    const b = JSON.parse(pb.el.dataset.result);
    if (a.source !== b.source || a.source === 'webcam' || pa.shown.frame !== pb.shown?.frame) return null;
    return { a, b, frame: pa.shown.frame };
  }

  update() {
    const r = this.results();
    this.el.classList.toggle('vs-diff-empty', !r);
    if (!r) {
      delete this.el.dataset.diff;
      this.note.hidden = false;
      this.counts.replaceChildren();
      this.list.replaceChildren();
      this.entries = [];
      this.frame = null;
      return;
    }
    this.note.hidden = true;
    const match = matchDetections(r.a.detections, r.b.detections, { iouThreshold: DIFF_IOU });
    const counts = diffCounts(match);
    this.frame = r.frame;
    this.entries = diffEntries(r.a.detections, r.b.detections, match);
    this.active = -1;
    const key = (kind, text) => h('span', {}, h('span', { class: 'vs-diff-key', style: `border-color:${COLORS[kind]}${kind === 'onlyB' ? ';border-style:dashed' : ''}` }), text);
    this.counts.replaceChildren(
      key('both', `both: ${counts.both}`),
      key('onlyA', `only A: ${counts.onlyA}`),
      key('onlyB', `only B: ${counts.onlyB}`),
      h('span', { class: 'vs-note', text: `A: ${r.a.name} (left) · B: ${r.b.name} (right) · same class, IoU ≥ ${DIFF_IOU}` }),
    );
    const label = { both: 'both', onlyA: 'only A', onlyB: 'only B' };
    this.list.replaceChildren(
      ...this.entries.map((e, i) => {
        const scores = e.kind === 'both' ? `${e.scores[0].toFixed(2)} / ${e.scores[1].toFixed(2)}, IoU ${e.iou.toFixed(2)}` : e.scores[0].toFixed(2);
        const li = h('li', { tabindex: 0, 'data-kind': e.kind, style: `border-left-color:${COLORS[e.kind]}`, text: `${e.className} ${scores} — ${label[e.kind]}` });
        li.addEventListener('mouseenter', () => this.highlight(i));
        li.addEventListener('focus', () => this.highlight(i));
        li.addEventListener('blur', () => this.highlight(-1));
        return li;
      }),
    );
    this.el.dataset.diff = JSON.stringify({ a: r.a.name, b: r.b.name, source: r.a.source, ...counts });
    this.draw();
  }

  highlight(i) {
    if (i === this.active) return;
    this.active = i;
    [...this.list.children].forEach((li, k) => li.classList.toggle('vs-active', k === i));
    this.draw();
  }

  draw() {
    const frame = this.frame;
    if (!frame) return;
    const canvas = this.canvas;
    const scale = Math.min(1, 1280 / frame.bitmap.width);
    const cw = Math.max(1, Math.round(frame.bitmap.width * scale));
    const ch = Math.max(1, Math.round(frame.bitmap.height * scale));
    if (canvas.width !== cw || canvas.height !== ch) Object.assign(canvas, { width: cw, height: ch });
    const ctx = canvas.getContext('2d');
    try {
      ctx.drawImage(frame.bitmap, 0, 0, cw, ch);
    } catch {
      ctx.clearRect(0, 0, cw, ch);
    }
    const sx = cw / frame.width;
    const sy = ch / frame.height;
    const line = Math.max(2, Math.round(cw / 320));
    this.entries.forEach((e, i) => {
      const on = this.active === i;
      ctx.globalAlpha = this.active < 0 || on ? 1 : 0.25;
      e.boxes.forEach((box, k) => {
        const dashed = e.kind === 'onlyB' || (e.kind === 'both' && k === 1);
        const [x1, y1, x2, y2] = box;
        if (on) {
          ctx.setLineDash([]);
          ctx.strokeStyle = '#fff';
          ctx.lineWidth = line * 3 + 2;
          ctx.strokeRect(x1 * sx, y1 * sy, (x2 - x1) * sx, (y2 - y1) * sy);
        }
        ctx.setLineDash(dashed ? [line * 3, line * 2] : []);
        ctx.strokeStyle = COLORS[e.kind];
        ctx.lineWidth = on ? line * 2 : line;
        ctx.strokeRect(x1 * sx, y1 * sy, (x2 - x1) * sx, (y2 - y1) * sy);
      });
    });
    ctx.globalAlpha = 1;
    ctx.setLineDash([]);
  }

  destroy() {
    this.observer.disconnect();
  }
}
