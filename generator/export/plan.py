"""Which artifacts to build: catalog and command-line names to targets. Pure (no I/O)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..loader import Catalog
from ..schema import DemoRuntime, ModelCard, Variant, Weights
from ..weights import url_basename
from .conversion import Converter
from .converters import CONVERTERS

UNTRAINED_TAG = "untrained"
UNTRAINED_SEED = 0


class UnknownTarget(Exception):
    """A name that is neither a card id nor a demo-able variant id; the message lists the valid ones."""


@dataclass(frozen=True)
class Candidate:
    """A weights entry that can become an artifact: it has a converter and an effective runtime spec."""

    weights: Weights
    runtime: DemoRuntime
    converter: Converter


@dataclass(frozen=True)
class Untrained:
    architecture: str  # an Ultralytics model YAML, e.g. yolo12n.yaml
    seed: int


@dataclass(frozen=True)
class Target:
    artifact_id: str
    card: ModelCard
    variant: Variant
    candidates: tuple[Candidate, ...]
    untrained: Untrained | None = None


def effective_runtime(variant: Variant, weights: Weights) -> DemoRuntime | None:
    """The weights entry's own runtime spec when it has one, else the variant's."""
    return weights.runtime or variant.runtime


def demoable(variant: Variant) -> bool:
    return variant.runtime is not None or any(w.runtime is not None for w in variant.weights)


def candidates(variant: Variant) -> tuple[Candidate, ...]:
    """Entries in card order (official first): those with a converter and a runtime spec."""
    found = []
    for weights in variant.weights:
        runtime = effective_runtime(variant, weights)
        converter = CONVERTERS.get(weights.format)
        if runtime is not None and converter is not None:
            found.append(Candidate(weights, runtime, converter))
    return tuple(found)


def _demoable(catalog: Catalog) -> list[tuple[ModelCard, Variant]]:
    return [(card, v) for card in catalog.cards for v in card.variants if demoable(v)]


def select(catalog: Catalog, names: Sequence[str]) -> list[Target]:
    """Targets for card ids and variant ids; every demo-able variant when `names` is empty."""
    pairs = _demoable(catalog)
    if names:
        unknown = [n for n in names if not any(n in (card.id, v.id) for card, v in pairs)]
        if unknown:
            raise UnknownTarget(f"unknown or not demo-able: {', '.join(unknown)}. {valid_ids(catalog)}")
        pairs = [(card, v) for card, v in pairs if card.id in names or v.id in names]
    return [Target(v.id, card, v, candidates(v)) for card, v in pairs]


def valid_ids(catalog: Catalog) -> str:
    pairs = _demoable(catalog)
    cards = sorted({card.id for card, _ in pairs})
    variants = sorted(v.id for _, v in pairs)
    return f"Cards: {', '.join(cards) or 'none'}. Demo-able variants: {', '.join(variants) or 'none'}."


def architecture(variant_id: str) -> str:
    """`yolov12n.turbo` -> `yolov12n`."""
    return variant_id.split(".", 1)[0]


def untrained(catalog: Catalog, name: str, known: Callable[[str], bool], seed: int = UNTRAINED_SEED) -> Target:
    """The untrained test artifact for an architecture (`yolov12n`) or a variant id (`yolov12n.v1`).

    Its architecture file is an `ultralytics` weights entry's file name with `.yaml` for `.pt`
    (`yolo12n.pt` -> `yolo12n.yaml`): the first, in catalog order, that `known` (Ultralytics) can build.
    That entry's variant gives the card, variant id and runtime spec."""
    tried = []
    for card, variant in _demoable(catalog):
        if name not in (variant.id, architecture(variant.id)):
            continue
        for candidate in candidates(variant):
            if candidate.weights.format != "ultralytics":
                continue
            yaml = PurePosixPath(url_basename(str(candidate.weights.url))).with_suffix(".yaml").name
            if known(yaml):
                artifact_id = f"{architecture(variant.id)}.{UNTRAINED_TAG}"
                return Target(artifact_id, card, variant, (candidate,), Untrained(yaml, seed))
            tried.append(f"{yaml} ({variant.id})")
    if tried:
        raise UnknownTarget(f"no architecture file Ultralytics knows for {name!r}; tried {', '.join(tried)}")
    options = sorted(
        {
            architecture(v.id)
            for _, v in _demoable(catalog)
            if any(c.weights.format == "ultralytics" for c in candidates(v))
        }
    )
    raise UnknownTarget(
        f"no demo-able variant {name!r} with `ultralytics` weights to build an untrained artifact from; "
        f"architectures that have one: {', '.join(options) or 'none'}"
    )
