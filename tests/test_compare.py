"""Pure comparison logic on small hand-made cards."""

from __future__ import annotations

import datetime as dt

import pytest

from generator import compare, tradeoff
from generator.loader import load_catalog
from generator.schema import CheckContext, ModelCard

from .catalogs import CATALOG


@pytest.fixture(scope="module")
def registry():
    return load_catalog(CATALOG).registry


def card(
    card_id: str,
    tasks: dict[str, str],
    metrics: list[dict],
    params: list[float] = (1.0,),
    variant: dict | None = None,
    input_size: int = 640,
) -> ModelCard:
    """A card with one variant; metrics cite source `s` unless they name `t` (another document)."""
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
                    "input_size": {"value": input_size, **source},
                    "params": [{"value": p, **source} for p in params],
                    "metrics": [{"source_kind": "claimed", **source, **m} for m in metrics],
                    **(variant or {}),
                }
            ],
            "sources": {
                "s": {"title": "S", "url": "https://example.org/s", "accessed": "2026-01-01"},
                "t": {"title": "T", "url": "https://example.org/t", "accessed": "2026-01-01"},
            },
        },
        context={"versus": CheckContext(None, frozenset({"s", "t"}), dt.date(2026, 11, 21))},
    )


T4 = {
    "metric": "latency_ms",
    "hardware": "nvidia-t4",
    "engine": "tensorrt",
    "precision": "fp16",
    "batch": 1,
    "includes_pre_post": False,
}
MAP = {"metric": "map50_95", "dataset": "coco-val2017"}
DET = {"object-detection": "pretrained"}


def aligned_metrics(a: ModelCard, b: ModelCard, registry) -> list[str]:
    return [row.key.metric for row in compare.aligned_metrics((a, b), registry)]


def test_pair_slug_is_alphabetical() -> None:
    assert compare.pair_slug("yolov12", "mobilenet-ssd-v2") == "mobilenet-ssd-v2-vs-yolov12"
    assert compare.pair_slug("a", "b") == compare.pair_slug("b", "a")


def test_shared_tasks_ignore_none_and_keep_states() -> None:
    a = card("a", {"object-detection": "pretrained", "pose-estimation": "architecture-only"}, [])
    b = card("b", {"object-detection": "pretrained", "pose-estimation": "none"}, [])
    assert compare.shared_tasks(a, b) == [compare.SharedTask("object-detection", "pretrained", "pretrained")]


def test_metrics_align_only_in_identical_context(registry) -> None:
    a = card("a", DET, [{**MAP, "value": 40}, {**T4, "value": 2.0}])
    b = card("b", DET, [{**MAP, "value": 45}, {**T4, "value": 1.5, "precision": "fp32"}])
    aligned = compare.aligned_metrics((a, b), registry)
    assert [row.key.metric for row in aligned] == ["map50_95"]  # fp16 vs fp32 latencies are not lined up
    assert aligned[0].best.card.id == "b"
    assert [key.metric for key, _ in compare.unaligned_claims(a, aligned, registry)] == ["latency_ms"]


@pytest.mark.parametrize(
    ("change_b", "why"),
    [
        ({"input_size": 320}, "the variants run at other input sizes"),
        ({"metric_input": 800}, "the figure was measured at another size than the variant's"),
        ({"protocol": {"max_detections": 20}}, "one scores 20 detections per image, the other does not say"),
        ({"protocol": {"evaluator": "openvino-accuracy-checker"}}, "another evaluator against an unstated one"),
        ({"pretraining": ["objects365"]}, "extra pretraining against an unstated one"),
        ({"pretraining": []}, "a stated 'none' never matches 'not stated'"),
        ({"dataset": "coco-test-dev2017"}, "another split"),
    ],
)
def test_accuracy_differing_in_any_key_field_is_never_aligned(registry, change_b: dict, why: str) -> None:
    a = card("a", DET, [{**MAP, "value": 40}])
    metric = {**MAP, "value": 45}
    variant: dict = {}
    size = 640
    if "input_size" in change_b:
        size = change_b["input_size"]
    if "metric_input" in change_b:
        metric["input_size"] = change_b["metric_input"]
    if "protocol" in change_b:
        metric["protocol"] = change_b["protocol"]
    if "dataset" in change_b:
        metric["dataset"] = change_b["dataset"]
    if "pretraining" in change_b:
        variant["pretraining"] = change_b["pretraining"]
    b = card("b", DET, [metric], variant=variant, input_size=size)
    assert aligned_metrics(a, b, registry) == [], why


def test_same_protocol_and_pretraining_align(registry) -> None:
    protocol = {"evaluator": "pycocotools", "max_detections": 100}
    a = card("a", DET, [{**MAP, "value": 40, "protocol": protocol}], variant={"pretraining": ["objects365"]})
    b = card("b", DET, [{**MAP, "value": 45, "protocol": protocol}], variant={"pretraining": ["objects365"]})
    assert aligned_metrics(a, b, registry) == ["map50_95"]


def test_latency_of_another_task_is_never_aligned(registry) -> None:
    """The classifier-vs-detector page lined up a Pixel-1 classification latency against a detector's."""
    a = card("a", {"image-classification": "pretrained"}, [{**T4, "value": 2.0}])
    b = card("b", DET, [{**T4, "value": 1.5}])
    assert aligned_metrics(a, b, registry) == []


def test_unstated_latency_settings_match_only_within_one_source(registry) -> None:
    unstated = {**T4, "precision": "not-stated", "batch": "not-stated"}
    a = card("a", DET, [{**unstated, "value": 2.0}])
    same = card("b", DET, [{**unstated, "value": 1.5}])
    other = card("c", DET, [{**unstated, "value": 1.5, "source": "t"}])
    stated = card("d", DET, [{**T4, "value": 1.5}])
    assert aligned_metrics(a, same, registry) == ["latency_ms"]
    assert aligned_metrics(a, other, registry) == []
    assert aligned_metrics(a, stated, registry) == []


def test_unstated_rules_match_the_contributor_guide() -> None:
    """The guide's table is what a contributor reads; it must say what the code does."""
    import re

    from .catalogs import ROOT

    guide = (ROOT / "site_src" / "contributing.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\w+) \| (always|same-source|never) \|", guide, flags=re.MULTILINE))
    assert rows == {field: rule for field, (rule, _) in compare.UNSTATED_RULES.items()}


def test_lower_latency_is_best(registry) -> None:
    a = card("a", DET, [{**T4, "value": 2.0}])
    b = card("b", DET, [{**T4, "value": 1.5}])
    (row,) = compare.aligned_metrics((a, b), registry)
    assert row.best.card.id == "b"


def test_disagreements_are_kept_side_by_side_grouped_by_kind(registry) -> None:
    a = card(
        "a",
        DET,
        [{**MAP, "value": 40}, {**MAP, "value": 40.4, "source": "t", "source_kind": "independent"}],
        params=[2.5, 2.6],
    )
    facts = {d.fact: d for d in compare.disagreements(a, registry)}
    assert [v for v, _, _ in facts["a.v1 parameters (M)"].values] == ["2.5", "2.6"]
    assert facts["a.v1 map50_95"].by_kind() == [("claimed", [("40", "s")]), ("independent", [("40.4", "t")])]


def test_an_accuracy_under_another_protocol_is_a_disagreement_with_its_protocol_shown(registry) -> None:
    """YOLO11-N: 39.5 claimed (protocol not stated) against a leaderboard's 38.5 scored another way."""
    other = {"evaluator": "pycocotools", "max_detections": 100}
    a = card(
        "a",
        DET,
        [
            {**MAP, "value": 39.5},
            {**MAP, "value": 38.5, "source": "t", "source_kind": "independent", "protocol": other},
        ],
    )
    (d,) = compare.disagreements(a, registry)
    assert d.by_kind() == [("claimed", [("39.5", "s")]), ("independent", [("38.5 (pycocotools, max 100)", "t")])]


def test_latencies_on_other_hardware_are_not_a_disagreement(registry) -> None:
    a = card("a", DET, [{**T4, "value": 2.0}, {**T4, "value": 9.0, "hardware": "nvidia-v100"}])
    assert compare.disagreements(a, registry) == []


def test_figures_of_different_checkpoints_are_not_a_disagreement(registry) -> None:
    a = card("a", DET, [{**MAP, "value": 40}, {**MAP, "value": 38, "checkpoint": "one-to-many head"}])
    assert compare.disagreements(a, registry) == []


def test_chart_points_pair_only_one_source_and_checkpoint(registry) -> None:
    a = card(
        "a",
        DET,
        [
            {**MAP, "value": 40},
            {**T4, "value": 2.0},
            {**T4, "value": 9.0, "hardware": "nvidia-v100"},
            {**T4, "value": 3.0, "source": "t"},  # another source's latency: never paired with s's accuracy
            {**MAP, "value": 38, "checkpoint": "one-to-many head"},  # another head: no latency of its own
        ],
    )
    points = tradeoff.chart_points([a], registry)
    assert sorted(ctx.hardware for ctx in points) == ["nvidia-t4", "nvidia-v100"]
    assert [(p.accuracy.metric.value, p.latency.metric.value) for ps in points.values() for p in ps] == [
        (40, 2.0),
        (40, 9.0),
    ]


def test_pareto_front_by_hand() -> None:
    # (latency, accuracy): the 2nd is slower and worse than the 1st; the 4th is fastest; the 5th most accurate.
    points = [(2.0, 40.0), (3.0, 39.0), (4.0, 45.0), (1.0, 30.0), (9.0, 50.0), (9.0, 49.0)]
    assert tradeoff.pareto_front(points) == [3, 0, 2, 4]


def test_demo_plan_names_what_is_missing(registry) -> None:
    a = card("a", DET, [])
    b = card("b", {"object-detection": "architecture-only"}, [])
    plan = compare.demo_plan(a, b, registry, {})
    assert not plan.possible and "B publishes no trained weights" in plan.reason
    c = card("c", DET, [])
    plan = compare.demo_plan(a, c, registry, {})
    assert not plan.possible and "no browser runtime spec with trained weights for A or C" in plan.reason
