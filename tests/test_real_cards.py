"""One test per real card, plus the facts other comparison sites get wrong about the first pair."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.compare import demo_plan, runtime_of, shared_tasks
from generator.loader import check_catalog, load_catalog

from .catalogs import CATALOG, make_catalog

CARDS = sorted((CATALOG / "models").glob("*.yaml"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CATALOG)


def test_catalog_has_at_least_twelve_cards(catalog) -> None:
    assert len(catalog.cards) >= 12


@pytest.mark.parametrize("card", CARDS, ids=[p.stem for p in CARDS])
def test_card_validates_on_its_own(card: Path, tmp_path: Path) -> None:
    loaded, problems = check_catalog(make_catalog(tmp_path, card))
    assert problems == [], "\n".join(map(str, problems))
    (only,) = loaded.cards
    assert card.read_text().startswith("# yaml-language-server: $schema=../schema/model-card.schema.json")
    for variant in only.variants:
        for weights in variant.weights:
            assert weights.sha256 is None or len(weights.sha256) == 64


def test_mobilenet_ssd_v2_facts(catalog) -> None:
    card = catalog.card("mobilenet-ssd-v2")
    assert [o.name for o in card.organizations] == ["Google"]
    assert card.license.id == "Apache-2.0"
    assert card.paper is not None and card.paper.arxiv == "1801.04381"
    assert {r.event for r in card.release_date} >= {"paper"}
    ssd = next(v for v in card.variants if v.id == "ssd-mobilenet-v2.coco")
    assert [p.value for p in ssd.params] == [16.818]  # the SSD head, not SSDLite's 4.3M
    assert {tuple(s.value) for s in ssd.input_size} == {(300, 300)}


def test_yolov12_facts(catalog) -> None:
    card = catalog.card("yolov12")
    orgs = " ".join(o.name for o in card.organizations)
    assert "University at Buffalo" in orgs and "University of Chinese Academy of Sciences" in orgs
    assert "Tsinghua" not in orgs
    assert card.license.id == "AGPL-3.0-only" and card.license.note
    assert card.paper is not None and card.paper.arxiv == "2502.12524"
    ids = {v.id for v in card.variants}
    for size in "nsmlx":
        assert {f"yolov12{size}.turbo", f"yolov12{size}.v1"} <= ids
    v1n = next(v for v in card.variants if v.id == "yolov12n.v1")
    assert 40.6 in {m.value for m in v1n.metrics if m.metric == "map50_95"}
    turbo_l = next(v for v in card.variants if v.id == "yolov12l.turbo")
    assert 54.0 not in {m.value for m in turbo_l.metrics}  # 54.0 is the segmentation model's box mAP
    assert card.task_state("object-detection") == "pretrained"
    assert card.task_state("pose-estimation") == "architecture-only"


def test_first_pair_shares_object_detection(catalog) -> None:
    a, b = catalog.card("mobilenet-ssd-v2"), catalog.card("yolov12")
    assert [s.task for s in shared_tasks(a, b) if s.both_pretrained] == ["object-detection"]


def test_classifier_shares_no_task_with_detectors(catalog) -> None:
    plan = demo_plan(catalog.card("mobilenet-v2"), catalog.card("mobilenet-ssd-v2"), catalog.registry, {})
    assert not plan.possible and "share no task" in plan.reason


BUILT = {"mobilenet-ssd-v2": ["ssd-mobilenet-v2.coral-uint8"], "yolo11": ["yolo11n.coco"]}


def test_ssd_and_yolo11_share_a_demo_when_the_build_has_both(catalog) -> None:
    plan = demo_plan(catalog.card("mobilenet-ssd-v2"), catalog.card("yolo11"), catalog.registry, BUILT)
    assert plan.possible and plan.task == "object-detection" and plan.runs == ("mobilenet-ssd-v2", "yolo11")
    assert plan.reason == "Both run object detection in your browser on this page."


def test_the_seed_pair_says_only_what_the_build_runs(catalog) -> None:
    """The cards say both could run; this build has no trained YOLOv12, so the page must not say both do."""
    plan = demo_plan(catalog.card("mobilenet-ssd-v2"), catalog.card("yolov12"), catalog.registry, BUILT)
    assert plan.runs == ("mobilenet-ssd-v2",)
    assert plan.reason.startswith("Only MobileNet SSD v2 runs here: this build has no trained YOLOv12 artifact")
    nothing = demo_plan(catalog.card("mobilenet-ssd-v2"), catalog.card("yolov12"), catalog.registry, {})
    assert not nothing.possible and "Both run" not in nothing.reason


def test_runtime_specs_are_internally_consistent(catalog) -> None:
    for card in catalog.cards:
        for variant in card.variants:
            spec = runtime_of(variant)
            if spec is None:
                continue
            labels = catalog.registry.labels[spec.labels].labels
            assert spec.task == variant.task
            assert spec.decoder.classes <= len(labels) + 10


def test_compare_with_puts_same_task_and_size_first(catalog) -> None:
    from generator.compare import closest

    ranked = closest(catalog.card("yolo11"), catalog.cards, catalog.registry)
    ids = [c.id for c, _ in ranked]
    assert "mobilenet-v2" not in ids, "a classifier comes after every detector of YOLO11's size"
    assert all(why.startswith("object detection") for _, why in ranked), ranked
    params = [float(why.split("smallest variant ")[1].split("M")[0]) for _, why in ranked]
    ratios = [max(p, 2.6) / min(p, 2.6) for p in params]  # YOLO11n has 2.6M
    assert ratios == sorted(ratios), "nearest in size first"


def test_featured_pairs_come_from_the_catalog(catalog) -> None:
    pairs = [(p.a, p.b) for p in catalog.featured]
    assert pairs[0] == ("mobilenet-ssd-v2", "yolov12"), "the seed pair leads"
    assert ("yolo26", "yolo11") in pairs and ("rf-detr", "d-fine") in pairs and ("yolo26", "rf-detr") in pairs
