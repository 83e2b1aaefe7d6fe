// A variant's graphs: the float export and, where it kept accuracy, the int8 graph `versus export` made from it
// (generator/export/int8.py). The manifest lists a variant's graphs smallest first, so the first is the default.
// Pure: tested in Node.

import { formatBytes } from './dom.js';

const sameVariant = (a, b) => a.card === b.card && a.variant === b.variant && a.trained === b.trained;

/** One entry per variant, its default graph (the first the manifest lists), in manifest order. */
export function variantEntries(entries) {
  return entries.filter((e, i) => entries.findIndex((o) => sameVariant(o, e)) === i);
}

/** The graphs of `entry`'s variant, in manifest order (smallest first). */
export function graphsOf(entries, entry) {
  return entry ? entries.filter((e) => sameVariant(e, entry)) : [];
}

/** The index in `variants` of `entry`'s variant, or -1. */
export function variantIndex(variants, entry) {
  return variants.findIndex((e) => sameVariant(e, entry));
}

/** A graph as the choice shows it before loading: which graph, its download size, its measured accuracy cost. */
export function graphLabel(entry) {
  const parts = [entry.graph?.label ?? 'graph', entry.bytes ? formatBytes(entry.bytes) : 'size not known'];
  if (entry.graph?.cost) parts.push(entry.graph.cost);
  return parts.join(' · ');
}
