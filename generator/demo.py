"""What the in-browser demo needs from a build: its manifest (wasm_demo/README.md describes the format) and
the files to publish. Pure: the site build copies the files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import compare
from .export.manifest import OnnxArtifact, by_size, graph_cost, graph_label
from .loader import Catalog
from .samples import Sample

MANIFEST = "demo/manifest.json"
SCRIPTS = "assets/versus-demo"
# onnxruntime-web's CPU build, which every visitor runs, and its WebGPU build (WebGPU and WebNN providers), which a
# worker loads only where the browser offers an accelerator (wasm_demo/src/accelerators.js) and uses only after a
# one-image check against wasm (wasm_demo/src/parity.js).
ORT_FILES = (
    "ort.wasm.min.mjs",
    "ort-wasm-simd-threaded.mjs",
    "ort-wasm-simd-threaded.wasm",
    "ort.webgpu.min.mjs",
    "ort-wasm-simd-threaded.asyncify.mjs",
    "ort-wasm-simd-threaded.asyncify.wasm",
)
# Also published gzip-compressed as `<name>.gz` (3.7 and 6.7 MB instead of 14.2 and 26.8 MB): the demo fetches those
# and inflates them with the browser's DecompressionStream, whatever the host's own compression (ort-wasm.js).
ORT_GZIPPED = tuple(name for name in ORT_FILES if name.endswith(".wasm"))


def class_names(labels: dict[int, str]) -> list[str]:
    """One name per class index from 0, for label files that index classes densely (the accuracy sets)."""
    names = labels_by_id(labels)
    gaps = [i for i, n in enumerate(names) if n is None]
    if gaps:
        raise ValueError(f"the label list has no name for class ids {gaps[:5]}; an accuracy set needs one per index")
    return [n for n in names if n is not None]


def labels_by_id(labels: dict[int, str]) -> list[str | None]:
    """A label map as the list the demo reads: index = label id, None where an id has no name (COCO-90's gaps)."""
    ids = {int(k): v for k, v in labels.items()}
    return [ids.get(i) for i in range(max(ids) + 1)]


@dataclass(frozen=True)
class DemoFiles:
    manifest: dict[str, Any]
    copies: dict[str, Path]  # site path -> source file


def sample_entry(sample: Sample) -> dict[str, Any]:
    """A shipped sample as the manifest lists it: the picture, and its credit (Flickr photo, licence, COCO image)."""
    return {
        "url": f"../samples/{sample.path.name}",
        "name": sample.title,
        "credit": sample.credit,
        "credit_url": sample.flickr_url,
        "license": sample.license,
        "license_url": sample.license_url,
        "flickr_url": sample.flickr_url,
        "coco_url": sample.coco_url,
        "coco_id": sample.coco_id,
    }


def _why_not(card, not_exported: Mapping[str, str]) -> str:
    """What `versus export` said of the card's variants it could not export, as sentences ("" when it said nothing)."""
    said = [f"{v.id}: {not_exported[v.id]}" for v in card.variants if v.id in not_exported]
    return "".join(f"`versus export` could not export {line}. " for line in said[:3])


def demo_files(
    catalog: Catalog,
    artifacts: dict[str, list[OnnxArtifact]],
    artifact_root: Path,
    samples: Sequence[Sample],
    not_exported: Mapping[str, str] | None = None,
) -> DemoFiles | None:
    """The manifest and files for every artifact this build has, or None when it has none. `samples`: the
    shipped sample images (generator/samples.py), in the order the demo offers them. `not_exported`: variant id
    -> why `versus export` could not export it (artifacts.NOT_EXPORTED), said in the panel of a card with no model."""
    not_exported = not_exported or {}
    # a variant's graphs smallest first: its first entry is the demo's default (export.manifest.by_size)
    entries = [a for card in catalog.cards for v in card.variants for a in by_size(artifacts.get(v.id, []))]
    if not entries:
        return None
    copies: dict[str, Path] = {}
    models = []
    for artifact in sorted(entries, key=lambda a: not a.trained):
        card = catalog.card(artifact.card_id)
        variant = next(v for v in card.variants if v.id == artifact.variant_id)
        site_path = f"onnx/{artifact.artifact_id}/model.onnx"
        copies[site_path] = artifact_root / artifact.artifact_id / "model.onnx"
        runtime = artifact.runtime.model_dump(mode="json", include={"input", "decoder"})
        runtime["labels"] = labels_by_id(catalog.registry.labels[artifact.runtime.labels].labels)
        models.append(
            {
                "artifact": artifact.artifact_id,
                "card": card.id,
                "card_name": card.name,
                "variant": variant.id,
                "name": variant.name if artifact.trained else f"Untrained test graph ({artifact.source.architecture})",
                "trained": artifact.trained,
                "url": f"../{site_path}",
                "bytes": artifact.file.bytes,
                "sha256": artifact.file.sha256,
                "license": artifact.source.license,
                "note": None
                if artifact.trained
                else "Random weights: tests the export and browser path only. Its boxes mean nothing.",
                "runtime": runtime,
                "graph": {"label": graph_label(artifact), "cost": graph_cost(artifact)},
            }
        )
    trained_cards = {m["card"] for m in models if m["trained"]}
    cards = {
        card.id: {
            "name": card.name,
            "reason": f"This build has no trained {card.name}.",
            "message": _why_not(card, not_exported)
            + (
                f"This build could not obtain trained weights for {card.name}, so it cannot run here. Run "
                f"`versus export {card.id}` with network access or a weights mirror, or drop an ONNX file you "
                "exported (for example with Ultralytics) onto this panel: it runs in your browser only."
            ),
        }
        for card in catalog.cards
        if card.id not in trained_cards and any(compare.runtime_of(v) for v in card.variants)
    }
    for sample in samples:
        copies[f"samples/{sample.path.name}"] = sample.path
    sample_list = [sample_entry(s) for s in samples]
    manifest = {"version": 1, "models": models, "samples": sample_list, "cards": cards}
    return DemoFiles(manifest, copies)
