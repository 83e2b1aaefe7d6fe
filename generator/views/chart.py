"""Accuracy against latency, one context at a time: the chart page and each pair page's chart.

A context is what every point in it shares. Published contexts hold the sources' figures (one latency setting
and accuracy protocol each); measured ones hold one Versus run in one setting. The two never share a context.
The series are plain dicts: the page embeds them as JSON for the drawing script.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import compare, tradeoff
from ..measurement import Measurement
from ..schema import ModelCard
from . import measured
from .inputs import SiteInputs
from .labels import chart_context_label, fmt_number, kind_label
from .pages import CHART
from .tables import Table

Series = dict[str, Any]


@dataclass(frozen=True)
class ChartOption:
    """One context in the picker; `index` is its place in the series list."""

    index: int
    label: str
    models: int
    points: int


@dataclass(frozen=True)
class ChartGroup:
    label: str
    options: tuple[ChartOption, ...]


@dataclass(frozen=True)
class ChartRow:
    """One point in the chart's table form."""

    context: str
    family: str
    variant: str
    input: int | None
    x: float
    y: float
    front: bool  # on its context's Pareto front
    kind: str
    source: str


@dataclass(frozen=True)
class ChartData:
    series: tuple[Series, ...]  # the contexts as the drawing script reads them
    groups: tuple[ChartGroup, ...]  # measured contexts, then published ones
    table: tuple[ChartRow, ...]
    csv: Table | None  # the table form as shown, for the CSV download; None: no points, no table


@dataclass(frozen=True)
class ChartView:
    page: str
    chart: ChartData


GROUPS = ((True, "Measured by Versus"), (False, "Published by the sources (claims and re-measurements)"))


def chart_series(inputs: SiteInputs, cards: Iterable[ModelCard], records: Iterable[Measurement] = ()) -> list[Series]:
    """Accuracy-vs-latency contexts, one shown at a time: claimed ones (one latency setting and accuracy
    protocol each), then measured ones (one run and setting each). Claimed and measured never share one."""
    registry = inputs.registry
    out = []
    for ctx, points in tradeoff.chart_points(list(cards), registry, claims_of=inputs.claims_of).items():
        rows = [
            {
                "family": p.card.name + (f" {p.accuracy.checkpoint}" if p.accuracy.checkpoint else ""),
                "model": p.card.name,
                "variant": p.variant.id,
                "input": p.accuracy.key.input_size[0],
                "x": p.latency.metric.value,
                "y": p.accuracy.metric.value,
                "kind": kind_label(p.accuracy.kind)
                if p.accuracy.kind == p.latency.kind
                else f"{kind_label(p.accuracy.kind)} accuracy, {kind_label(p.latency.kind)} latency",
                "source": p.card.sources[p.accuracy.metric.source].title,
            }
            for p in points
        ]
        y_title = f"{registry.metrics['map50_95'].name} (%) on {registry.datasets[ctx.dataset or 'coco-val2017'].name}, as published"
        label = "Published · " + chart_context_label(ctx, registry)
        if any(compare.is_unstated(v) and "@" in v for v in dataclasses.astuple(ctx) if isinstance(v, str)):
            # unstated settings that match only within one source: the source is part of the context
            label += f" · {points[0].latency.card.sources[points[0].latency.metric.source].title}"
        out.append(chart_context_view(label, False, y_title, rows))
    names = {card.id: card.name for card in inputs.cards}
    for series, mpoints in measured.measured_series(records).items():
        record0 = mpoints[0].record
        assert record0.accuracy is not None
        rows = [
            {
                "family": names[p.record.artifact.card_id],
                "model": names[p.record.artifact.card_id],
                "variant": p.record.artifact.artifact_id,
                "input": None,
                "x": round(p.latency.median, 2),
                "y": round(p.accuracy, 1),
                "kind": kind_label("versus"),
                "source": f"run {p.record.run}",
            }
            for p in mpoints
        ]
        y_title = f"mAP50-95 (%) on {registry.datasets[record0.accuracy.dataset].name}, measured"
        out.append(chart_context_view(measured_series_label(series, record0, inputs), True, y_title, rows))
    return out


def measured_series_label(series: measured.MeasuredSeries, record: Measurement, inputs: SiteInputs) -> str:
    dataset = inputs.registry.datasets[record.accuracy.dataset].name if record.accuracy else "no accuracy"
    return (
        f"Measured · {record.machine.name}, {record.started:%Y-%m-%d} · {series.setting} · inference · mAP on {dataset}"
    )


def chart_context_view(label: str, is_measured: bool, y_title: str, rows: list[dict[str, Any]]) -> Series:
    """One chart context as the page draws it: families (a card's variants, or one checkpoint release of
    them, from one source) as lines ordered by latency, and the context's Pareto front."""
    families: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        families.setdefault((row["family"], row["source"]), []).append(row)
    sources_per_family: dict[str, int] = {}
    for family, _ in families:
        sources_per_family[family] = sources_per_family.get(family, 0) + 1
    front = tradeoff.pareto_front([(r["x"], r["y"]) for r in rows])
    return {
        "label": label,
        "measured": is_measured,
        "y_title": y_title,
        "points": len(rows),
        "models": len({r["model"] for r in rows}),
        "families": [
            {
                "label": family if sources_per_family[family] == 1 else f"{family} ({source})",
                "points": sorted(points, key=lambda r: r["x"]),
            }
            for (family, source), points in sorted(families.items())
        ],
        "pareto": [{"x": rows[i]["x"], "y": rows[i]["y"], "variant": rows[i]["variant"]} for i in front],
    }


def chart_data(series: Sequence[Series]) -> ChartData:
    """The series with the picker's groups and the table form of every point."""
    groups = tuple(
        ChartGroup(
            label,
            tuple(
                ChartOption(i, s["label"], s["models"], s["points"])
                for i, s in enumerate(series)
                if s["measured"] == is_measured
            ),
        )
        for is_measured, label in GROUPS
    )
    table = []
    for s in series:
        front = {p["variant"] for p in s["pareto"]}
        for f in s["families"]:
            for p in f["points"]:
                table.append(
                    ChartRow(
                        s["label"],
                        f["label"],
                        p["variant"],
                        p["input"],
                        p["x"],
                        p["y"],
                        p["variant"] in front,
                        p["kind"],
                        p["source"],
                    )
                )
    return ChartData(tuple(series), groups, tuple(table), chart_csv(table) if table else None)


CHART_COLUMNS = (
    "Context",
    "Family",
    "Variant",
    "Input (px)",
    "Latency (ms)",
    "mAP50-95 (%)",
    "Pareto front",
    "Whose figures",
    "Source",
)


def chart_csv(rows: Iterable[ChartRow]) -> Table:
    """The chart's points as its table form shows them."""
    return Table(
        "chart-points",
        CHART_COLUMNS,
        tuple(
            (
                r.context,
                r.family,
                r.variant,
                str(r.input) if r.input else "–",
                fmt_number(r.x),
                fmt_number(r.y),
                "yes" if r.front else "",
                r.kind,
                r.source,
            )
            for r in rows
        ),
    )


def chart_view(inputs: SiteInputs) -> ChartView:
    return ChartView(CHART, chart_data(chart_series(inputs, inputs.cards, inputs.catalog.measurements)))
