"""Accuracy against latency: the points of the trade-off chart, grouped so that every point of one chart was
measured the same way (`ChartContext`), and the Pareto front. Pure functions over `compare`'s keys and claims."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .compare import Claim, ClaimsOf, ComparisonKey, claims
from .schema import (
    ModelCard,
    Registry,
    Variant,
)


@dataclass(frozen=True)
class ChartContext:
    """What every point of one chart shares: the latency setting and the accuracy protocol. Input size is not
    part of it (each model runs at its own size, shown on the point); everything else is."""

    hardware: str | None
    engine: str | None
    precision: str | None
    batch: str | None
    includes_pre_post: str | None
    dataset: str | None
    evaluator: str | None
    max_detections: str | None
    score_threshold: str | None
    nms: str | None
    pretraining: str | None

    @classmethod
    def of(cls, accuracy: ComparisonKey, latency: ComparisonKey) -> ChartContext:
        return cls(
            latency.hardware,
            latency.engine,
            latency.precision,
            latency.batch,
            latency.includes_pre_post,
            accuracy.dataset,
            accuracy.evaluator,
            accuracy.max_detections,
            accuracy.score_threshold,
            accuracy.nms,
            accuracy.pretraining,
        )

    def sort_key(self) -> tuple[str, ...]:
        return tuple("" if v is None else str(v) for v in dataclasses.astuple(self))


@dataclass(frozen=True)
class ChartPoint:
    """One accuracy claim and one latency claim from the same source for the same checkpoint and input size."""

    accuracy: Claim
    latency: Claim

    @property
    def card(self) -> ModelCard:
        return self.accuracy.card

    @property
    def variant(self) -> Variant:
        return self.accuracy.variant


def chart_points(
    cards: Sequence[ModelCard],
    registry: Registry,
    accuracy_metric: str = "map50_95",
    dataset: str = "coco-val2017",
    claims_of: ClaimsOf | None = None,
) -> dict[ChartContext, list[ChartPoint]]:
    """Claimed points per chart context. Nothing is paired across sources, checkpoints or input sizes."""
    claims_of = claims_of or (lambda card: claims(card, registry))
    out: dict[ChartContext, list[ChartPoint]] = defaultdict(list)
    for card in cards:
        by_variant: dict[str, list[Claim]] = defaultdict(list)
        for claim in claims_of(card):
            by_variant[claim.variant.id].append(claim)
        for cs in by_variant.values():
            accuracies = [c for c in cs if c.metric.metric == accuracy_metric and c.metric.dataset == dataset]
            latencies = [c for c in cs if c.metric.metric == "latency_ms"]
            for acc in accuracies:
                for lat in latencies:
                    if (acc.source_url, acc.checkpoint, acc.key.input_size) == (
                        lat.source_url,
                        lat.checkpoint,
                        lat.key.input_size,
                    ):
                        out[ChartContext.of(acc.key, lat.key)].append(ChartPoint(acc, lat))
    return dict(sorted(out.items(), key=lambda kv: kv[0].sort_key()))


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the points no other point beats on both axes (lower x, higher y), fastest first."""
    order = sorted(range(len(points)), key=lambda i: (points[i][0], -points[i][1]))
    front, best_y = [], float("-inf")
    for i in order:
        if points[i][1] > best_y:
            front.append(i)
            best_y = points[i][1]
    return front
