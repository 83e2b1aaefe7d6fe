"""Pure comparison logic on small hand-made cards."""

from __future__ import annotations

import datetime as dt

import pytest

from generator import compare
from generator.loader import load_catalog
from generator.schema import CheckContext, ModelCard

from .catalogs import CATALOG


@pytest.fixture(scope="module")
def registry():
    return load_catalog(CATALOG).registry


def card(card_id: str, tasks: dict[str, str], metrics: list[dict], params: list[float] = (1.0,)) -> ModelCard:
    source = {"source": "s"}
    return ModelCard.model_validate(
        {
            "id": card_id,
            "name": card_id.title(),
            "summary": "x",
            "category": "detector",
            "modality": "image",
            "organizations": [{"name": "Org", **source}],
            "authors": {"names": ["A"], **source},
            "release_date": [{"date": "2020-01-01", "event": "paper", **source}],
            "license": {"id": "MIT", "url": "https://example.org/l", **source},
            "tasks": [{"task": t, "state": s, **source} for t, s in tasks.items()],
            "variants": [
                {
                    "id": f"{card_id}.v1",
                    "name": "v1",
                    "task": next(iter(tasks)),
                    "input_size": {"value": 640, **source},
                    "params": [{"value": p, **source} for p in params],
                    "metrics": [{**m, **source} for m in metrics],
                }
            ],
            "sources": {"s": {"title": "S", "url": "https://example.org", "accessed": "2026-01-01"}},
        },
        context={"versus": CheckContext(None, frozenset({"s"}), dt.date(2026, 11, 21))},
    )


T4 = {"metric": "latency_ms", "hardware": "nvidia-t4", "runtime": "tensorrt", "precision": "fp16", "batch": 1, "includes_pre_post": False}
MAP = {"metric": "map50_95", "dataset": "coco-val2017"}


def test_pair_slug_is_alphabetical() -> None:
    assert compare.pair_slug("yolov12", "mobilenet-ssd-v2") == "mobilenet-ssd-v2-vs-yolov12"
    assert compare.pair_slug("a", "b") == compare.pair_slug("b", "a")


def test_shared_tasks_ignore_none_and_keep_states() -> None:
    a = card("a", {"object-detection": "pretrained", "pose-estimation": "architecture-only"}, [])
    b = card("b", {"object-detection": "pretrained", "pose-estimation": "none"}, [])
    assert compare.shared_tasks(a, b) == [compare.SharedTask("object-detection", "pretrained", "pretrained")]


def test_metrics_align_only_in_identical_context(registry) -> None:
    a = card("a", {"object-detection": "pretrained"}, [{**MAP, "value": 40}, {**T4, "value": 2.0}])
    b = card("b", {"object-detection": "pretrained"}, [{**MAP, "value": 45}, {**T4, "value": 1.5, "precision": "fp32"}])
    aligned = compare.aligned_metrics((a, b), registry)
    assert [row.context.metric for row in aligned] == ["map50_95"]  # fp16 vs fp32 latencies are not lined up
    assert aligned[0].best.card.id == "b"
    assert [c.metric for c in compare.unaligned_contexts(a, aligned)] == ["latency_ms"]


def test_lower_latency_is_best(registry) -> None:
    a = card("a", {"object-detection": "pretrained"}, [{**T4, "value": 2.0}])
    b = card("b", {"object-detection": "pretrained"}, [{**T4, "value": 1.5}])
    (row,) = compare.aligned_metrics((a, b), registry)
    assert row.best.card.id == "b"


def test_disagreements_are_kept_side_by_side() -> None:
    a = card("a", {"object-detection": "pretrained"}, [{**MAP, "value": 40}, {**MAP, "value": 40.4}], params=[2.5, 2.6])
    facts = {d.fact: [v for v, _ in d.values] for d in compare.disagreements(a)}
    assert facts == {"a.v1 parameters (M)": ["2.5", "2.6"], "a.v1 map50_95": ["40", "40.4"]}


def test_chart_series_never_mix_contexts() -> None:
    a = card("a", {"object-detection": "pretrained"}, [{**MAP, "value": 40}, {**T4, "value": 2.0}, {**T4, "value": 9.0, "hardware": "nvidia-v100"}])
    series = compare.accuracy_latency_series([a])
    assert sorted(ctx.hardware for ctx in series) == ["nvidia-t4", "nvidia-v100"]
    assert all(len(points) == 1 for points in series.values())


def test_demo_plan_names_what_is_missing(registry) -> None:
    a = card("a", {"object-detection": "pretrained"}, [])
    b = card("b", {"object-detection": "architecture-only"}, [])
    plan = compare.demo_plan(a, b, registry)
    assert not plan.possible and "B publishes no trained weights" in plan.reason
    c = card("c", {"object-detection": "pretrained"}, [])
    plan = compare.demo_plan(a, c, registry)
    assert not plan.possible and "no browser runtime spec with trained weights for A or C" in plan.reason
