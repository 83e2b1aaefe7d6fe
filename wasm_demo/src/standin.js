// Stand-ins: when a panel's card has no trained model in this build (YOLOv12 here), the panel offers the
// build's other trained detectors instead, so the visitor can still compare on the same image. Everything is
// read from the demo manifest (which models this build runs, their cards and decoders), never from model names.
// Pure, so it is tested in Node; demo.js builds the picker from it.

import { DECODERS } from './decoders.js';
import { entriesForCard } from './manifest.js';
import { variantEntries } from './graphs.js';

/** The name of a card (the model, e.g. "YOLO11"): the manifest's `cards`, else an entry's `cardName`, else the id. */
export function cardName(manifest, card) {
  return manifest.cards?.[card]?.name ?? manifest.models.find((m) => m.card === card && m.cardName)?.cardName ?? card;
}

/** A card the demo knows but cannot run: it has no trained entry in this build. */
export function needsStandIn(manifest, card) {
  return Boolean(card) && !entriesForCard(manifest, card).some((m) => m.trained);
}

/** The one line a panel shows for a card it cannot run (the manifest's `reason`, else a generic one). */
export function cannotRunReason(manifest, card) {
  return manifest.cards?.[card]?.reason ?? `This build has no trained ${cardName(manifest, card)}.`;
}

/**
 * The stand-ins offered for `card`: every trained variant of another card whose boxes the demo can decode
 * (a detector), as its default graph (the smallest: graphs.js), in manifest order. Empty when `card` has a trained entry of its own. `exclude` lists cards
 * not to offer: the page's other side (comparing it with itself would say nothing).
 */
export function standInsFor(manifest, card, { exclude = [] } = {}) {
  if (!needsStandIn(manifest, card)) return [];
  return variantEntries(manifest.models).filter(
    (m) => m.trained && !m.user && m.card !== card && !exclude.includes(m.card) && Object.hasOwn(DECODERS, m.runtime?.decoder?.kind),
  );
}

/** A stand-in entry: the manifest entry itself (its card, variant and artifact stay its own), marked with whom it stands in for. */
export function asStandIn(manifest, entry, card) {
  return { ...entry, standIn: { card, name: cardName(manifest, card), modelName: cardName(manifest, entry.card) } };
}

/** The picker's text: "Stand-in: YOLO11 (yolo11n.coco) — not YOLOv12". */
export function standInLabel(standIn) {
  return `Stand-in: ${standIn.standIn.modelName} (${standIn.variant}) — not ${standIn.standIn.name}`;
}

/** How a stand-in is named on screen and in `data-result`: its own name, never the panel's model. */
export function standInName(standIn) {
  return `${standIn.name} — stand-in, not ${standIn.standIn.name}`;
}

/** How an entry is named on screen: an untrained graph is never named as the model itself. */
export function displayName(entry) {
  if (entry.standIn) return standInName(entry);
  // the manifest already names an untrained graph as such (generator/demo.py): wrap nothing twice
  return entry.name;
}
