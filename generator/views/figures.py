"""Sourced figures as every page shows them: value with unit, whose figure, citation, and the label of the
setting it was measured in. One `ClaimView` serves model pages, pair pages and catalog.json's `views`, so a
figure reads the same wherever it appears."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .. import compare
from ..schema import Metric, ModelCard, Registry
from .citations import Cite, cite
from .labels import key_label, kind_label, metric_value


@dataclass(frozen=True)
class FigureCell:
    """One figure in a cell: `53.1%`, whose figure (`claimed`, `vendor re-run` …), its citation and any note."""

    shown: str
    kind: str  # the source kind, for the badge's style
    kind_label: str
    cite: Cite
    note: str | None = None


@dataclass(frozen=True)
class ClaimView:
    """A figure with everything a comparison shows of it. `key` is the comparison key as a string: two figures
    are lined up exactly when their keys are equal (catalog.json carries it, and the client view joins on it)."""

    key: str
    label: str  # the setting, in words (key_label)
    name: str  # the metric's name
    better: str  # "higher" or "lower"
    model: str  # the card's name
    variant: str
    checkpoint: str | None
    value: float
    cell: FigureCell
    source: str  # the source's title
    url: str  # the source's address


def figure_cell(card: ModelCard, metric: Metric, registry: Registry) -> FigureCell:
    return FigureCell(
        metric_value(metric, registry),
        metric.source_kind,
        kind_label(metric.source_kind),
        cite(card, metric),
        metric.note,
    )


def claim_view(claim: compare.Claim, registry: Registry) -> ClaimView:
    info = registry.metrics[claim.key.metric]
    source = claim.card.sources[claim.metric.source]
    return ClaimView(
        key=claim.key.as_string(),
        label=key_label(claim.key, registry),
        name=info.name,
        better=info.better,
        model=claim.card.name,
        variant=claim.variant.id,
        checkpoint=claim.checkpoint,
        value=claim.metric.value,
        cell=figure_cell(claim.card, claim.metric, registry),
        source=source.title,
        url=str(source.url),
    )


def claim_views(claims: Iterable[compare.Claim], registry: Registry) -> tuple[ClaimView, ...]:
    return tuple(claim_view(c, registry) for c in claims)


def claim_json(view: ClaimView) -> dict[str, Any]:
    """A figure as catalog.json's `views` carry it for the client-side pair view."""
    return {
        "key": view.key,
        "label": view.label,
        "name": view.name,
        "better": view.better,
        "variant": view.variant,
        "checkpoint": view.checkpoint,
        "value": view.value,
        "shown": view.cell.shown,
        "kind": view.cell.kind,
        "kind_label": view.cell.kind_label,
        "source": view.source,
        "url": view.url,
    }
