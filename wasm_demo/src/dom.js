// Small DOM and formatting helpers shared by the demo's page modules (no bundler, no framework).

/**
 * An element: `h('p', {class: 'vs-note', text: 'Hi', onclick: f}, child, …)`. Attributes that are null,
 * undefined or false are left out, `true` sets an empty attribute, `on…` adds a listener.
 */
export function h(tag, attrs = {}, ...children) {
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

/** Decimal units, as the pages built in Python write sizes (generator/views/records.py): 10.8 MB. */
export function formatBytes(n) {
  if (!Number.isFinite(n) || n <= 0) return '?';
  for (const [unit, size] of [['GB', 1e9], ['MB', 1e6], ['kB', 1e3]]) if (n >= size) return `${(n / size).toFixed(1)} ${unit}`;
  return `${n} bytes`;
}

export function ms(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`;
}
