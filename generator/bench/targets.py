"""Which artifacts a bench run measures: the ones named (card, variant or artifact ids), exported first
unless told not to. A card whose trained weights cannot be had here is measured through its untrained
graph instead, for latency only: that is the only figure random weights can honestly give."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from ..artifacts import load_artifacts
from ..export import int8, plan
from ..export.manifest import OnnxArtifact
from ..loader import Catalog

UNTRAINED_SUFFIX = f".{plan.UNTRAINED_TAG}"


class TargetError(Exception):
    pass


def _export(catalog: Catalog, names: Sequence[str], artifact_root: Path, catalog_dir: Path) -> None:
    from ..export.session import make_exporter, outcome_line, sample_images
    from ..export.ultralytics_pt import has_architecture

    # an int8 graph is exported with its variant
    trained_names = [n.removesuffix(int8.SUFFIX) for n in names if not n.endswith(UNTRAINED_SUFFIX)]
    try:
        targets = plan.select(catalog, trained_names) if trained_names or not names else []
        untrained = [
            plan.untrained(catalog, n.removesuffix(UNTRAINED_SUFFIX), has_architecture)
            for n in names
            if n.endswith(UNTRAINED_SUFFIX)
        ]
    except plan.UnknownTarget as exc:
        raise TargetError(str(exc)) from exc
    exporter = make_exporter(catalog_dir, artifact_root, sample_images(), dict(catalog.registry.labels))
    trained_cards = set()
    outcomes = []
    for target in targets:
        outcome = exporter.export(target)
        outcomes.append((target, outcome))
        for line in (outcome, *outcome.derived):
            print(outcome_line(line), file=sys.stderr)
        if outcome.status in ("exported", "cached"):
            trained_cards.add(target.card.id)
    for target, outcome in outcomes:
        card = target.card.id
        if outcome.status != "skipped" or card in trained_cards or any(u.card.id == card for u in untrained):
            continue
        try:
            untrained.append(plan.untrained(catalog, target.variant.id, has_architecture))
        except plan.UnknownTarget:
            continue
        print(
            f"{card}: no trained weights here; measuring the untrained {untrained[-1].artifact_id} graph for latency only",
            file=sys.stderr,
        )
    for target in untrained:
        print(outcome_line(exporter.export(target)), file=sys.stderr)


def named(artifact: OnnxArtifact, names: Sequence[str], ids: set[str]) -> bool:
    """Whether `names` ask for `artifact`: its own id, or its card's or variant's id unless that id is also an
    artifact's (`yolo11n.coco` is the float graph; its int8 graph is `yolo11n.coco.int8`; `yolo11` is both)."""
    return any(
        n == artifact.artifact_id or (n not in ids and n in (artifact.card_id, artifact.variant_id)) for n in names
    )


def select_artifacts(
    catalog: Catalog, names: Sequence[str], artifact_root: Path, *, export: bool, catalog_dir: Path
) -> list[OnnxArtifact]:
    """The artifacts to measure, in catalog order, trained before untrained."""
    if export:
        _export(catalog, names, artifact_root, catalog_dir)
    found = [a for group in load_artifacts(artifact_root).values() for a in group]
    if names:
        unmatched = [n for n in names if not any(named(a, [n], set()) for a in found)]
        if unmatched:
            raise TargetError(
                f"no artifact for {', '.join(unmatched)} in {artifact_root}/; export it with "
                f"`versus export {' '.join(unmatched)}` (or `--untrained ARCH`) or name one of: "
                f"{', '.join(sorted(a.artifact_id for a in found)) or 'none exported yet'}"
            )
        ids = {a.artifact_id for a in found}
        found = [a for a in found if named(a, names, ids)]
    if not found:
        raise TargetError(
            f"no artifacts in {artifact_root}/ to measure; run `versus export` first (or drop --no-export)"
        )
    order = {card.id: i for i, card in enumerate(catalog.cards)}
    return sorted(found, key=lambda a: (order.get(a.card_id, len(order)), not a.trained, a.artifact_id))
