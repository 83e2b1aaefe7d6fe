"""Labels and number formats that need the registry or the comparison rules to be written right."""

from __future__ import annotations

from .. import compare, tradeoff
from ..schema import Metric, ModelCard, Registry

KIND_LABELS = {
    "claimed": "claimed",
    "vendor-measured": "vendor re-run",
    "independent": "independent",
    "versus": "measured by Versus",
}


def fmt_number(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}g}" if abs(value) < 10**digits else f"{value:,.0f}"


def kind_label(kind: str) -> str:
    """Whose figure it is, in words: `vendor re-run` for `vendor-measured`."""
    return KIND_LABELS.get(kind, kind)


def task_name(task: str, registry: Registry) -> str:
    return registry.tasks[task].name


def metric_value(metric: Metric, registry: Registry) -> str:
    """A figure with its registry unit: `53.1%`, `2.4 ms`."""
    info = registry.metrics[metric.metric]
    return f"{fmt_number(metric.value)}%" if info.unit == "%" else f"{fmt_number(metric.value)} {info.unit}"


def _stated(token: str | None) -> bool:
    return token is not None and not compare.is_unstated(token)


def key_label(key: compare.ComparisonKey, registry: Registry) -> str:
    """A human label for everything a figure depends on. Unstated latency settings are named, since they
    keep figures apart; unstated protocol keys are left out (they follow the benchmark's convention)."""
    parts = [registry.metrics[key.metric].name]
    if key.dataset:
        parts.append(registry.datasets[compare.base_of(key.dataset)].name)
    h, w = key.input_size
    parts.append(f"{h} px input" if h == w else f"{h}×{w} input")
    if _stated(key.evaluator):
        parts.append(registry.evaluators[key.evaluator].name)  # type: ignore[index]
    if _stated(key.max_detections):
        parts.append(f"max {key.max_detections} detections")
    if _stated(key.score_threshold):
        parts.append(f"score ≥ {key.score_threshold}")
    if _stated(key.nms):
        parts.append("NMS-free" if key.nms == "none" else "with NMS")
    if key.pretraining is not None and _stated(key.pretraining):
        parts.append(_pretraining(key.pretraining, registry))
    if _stated(key.accuracy_precision):
        parts.append(f"{key.accuracy_precision.upper()} model")  # type: ignore[union-attr]
    if key.hardware:
        parts.append(registry.hardware[compare.base_of(key.hardware)].name)
    parts += _engine_parts(key, registry)
    parts.append(_pre_post_label(key.includes_pre_post, long=True))
    return " · ".join(p for p in parts if p)


def chart_context_label(ctx: tradeoff.ChartContext, registry: Registry) -> str:
    """`NVIDIA T4 · NVIDIA TensorRT · FP16 · batch 1 · model only`, then the accuracy protocol where stated."""
    parts = [registry.hardware[compare.base_of(ctx.hardware)].name if ctx.hardware else "unknown hardware"]
    parts += _engine_parts(ctx, registry)
    parts.append(_pre_post_label(ctx.includes_pre_post))
    if _stated(ctx.evaluator):
        parts.append(registry.evaluators[ctx.evaluator].name)  # type: ignore[index]
    if _stated(ctx.max_detections):
        parts.append(f"max {ctx.max_detections} detections")
    if ctx.pretraining is not None and _stated(ctx.pretraining):
        parts.append(_pretraining(ctx.pretraining, registry))
    return " · ".join(p for p in parts if p)


def _pretraining(token: str, registry: Registry) -> str:
    if token == "none":
        return "no extra pretraining"
    return "pretrained on " + ", ".join(registry.datasets[d].name for d in token.split("+"))


def _engine_parts(key: compare.ComparisonKey | tradeoff.ChartContext, registry: Registry) -> list[str]:
    parts = []
    if key.engine:
        parts.append(registry.engines[compare.base_of(key.engine)].name)
    if key.precision:
        parts.append("precision not stated" if compare.is_unstated(key.precision) else key.precision.upper())
    if key.batch is not None:
        parts.append("batch not stated" if compare.is_unstated(key.batch) else f"batch {key.batch}")
    return parts


def _pre_post_label(value: str | None, long: bool = False) -> str:
    if value is None:
        return ""
    if compare.is_unstated(value):
        return "pre/post-processing not stated"
    if value == "True":
        return "incl. pre/post-processing" if long else "incl. pre/post"
    return "model only"


# --- Card summaries ------------------------------------------------------------------------


def params_range(card: ModelCard) -> tuple[float, float] | None:
    values = [p.value for v in card.variants for p in v.params]
    return (min(values), max(values)) if values else None


def fmt_range(r: tuple[float, float] | None, unit: str) -> str:
    if r is None:
        return "not stated"
    low, high = r
    return f"{fmt_number(low)} {unit}" if low == high else f"{fmt_number(low)}–{fmt_number(high)} {unit}"


def input_sizes(card: ModelCard) -> str:
    sizes = sorted({tuple(s.value) for v in card.variants for s in v.input_size})
    return ", ".join(f"{h}" if h == w else f"{h}×{w}" for h, w in sizes)


def first_release(card: ModelCard) -> str:
    return str(min(r.date for r in card.release_date))
