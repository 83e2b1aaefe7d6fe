"""Claimed vs measured, explained (generator/views/claims.py), against hand-computed cases: where a claim stands
against our interval, and each named difference present, absent or unstated."""

from __future__ import annotations

import pytest

from generator import compare
from generator.loader import load_catalog
from generator.measurement import Measurement, NmsProtocol, read_record
from generator.schema import Protocol
from generator.views import claims

from .catalogs import FIXTURES, MEASUREMENTS, make_catalog

VM_YOLO11 = MEASUREMENTS / "20260310T091500Z-ci-vm" / "yolo11n.coco.json"  # val2017, interval 35.5–38.9%
LAPTOP_YOLO11 = MEASUREMENTS / "20260402T143000Z-laptop-i7" / "yolo11n.coco.json"  # train2017 quick run


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    root = make_catalog(tmp_path_factory.mktemp("claims"), FIXTURES / "cards" / "valid" / "tiny-detector.yaml")
    catalog = load_catalog(root)
    return catalog.card("tiny-detector"), catalog.registry


def claim(tiny, **update) -> compare.Claim:
    """Tiny N's map50_95 claim (40.1 on COCO val2017, 640 px, no protocol), with fields replaced."""
    card, registry = tiny
    variant = card.variants[0]
    metric = variant.metrics[0].model_copy(update=update)
    variant = variant.model_copy(update={"metrics": [metric]})
    return compare.Claim(card, variant, metric, compare.ComparisonKey.of(card, variant, metric, registry))


def protocol(**fields) -> Protocol:
    """A claim's evaluation protocol; fields left out are `not-stated`."""
    return Protocol.model_validate(fields)


def with_accuracy(record: Measurement, **update) -> Measurement:
    assert record.accuracy is not None and record.accuracy.protocol is not None
    protocol = record.accuracy.protocol.model_copy(update=update.pop("protocol", {}))
    return record.model_copy(update={"accuracy": record.accuracy.model_copy(update={"protocol": protocol, **update})})


def by_what(found: tuple[claims.Difference, ...]) -> dict[str, bool | None]:
    return {d.what: d.differs for d in found}


# --- Where a claim stands ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "claimed, interval, expected",
    [
        (37.0, (35.5, 38.9), "inside"),
        (38.9, (35.5, 38.9), "inside"),  # the bounds belong to the interval
        (35.5, (35.5, 38.9), "inside"),
        (39.0, (35.5, 38.9), "outside"),
        (35.4, (35.5, 38.9), "outside"),
        (37.0, None, "no-interval"),
    ],
)
def test_standing(claimed: float, interval, expected: str) -> None:
    assert claims.standing(claimed, interval) == expected


def test_verdict_says_where_and_by_how_much_without_judging() -> None:
    assert (
        claims.verdict(39.5, 37.2, (35.5, 38.9), 95)
        == "outside our 95% interval (35.5–38.9%); the claim is 2.3 points above our figure"
    )
    assert (
        claims.verdict(36.5, 37.2, (35.5, 38.9), 95)
        == "inside our 95% interval (35.5–38.9%); the claim is 0.7 points below our figure"
    )
    assert claims.verdict(37.2, 37.2, (35.5, 38.9), 95).endswith("the claim is equal to our figure")
    assert claims.verdict(52.0, 52.8, None, 95) == (
        "the claim is 0.8 points below our figure (no interval recorded for this figure)"
    )


def test_the_claim_is_compared_with_the_interval_as_printed(tiny) -> None:
    """A low bound of 0.35549 prints as 35.5%, so a claim of 35.5 is inside, as the reader sees it."""
    record = read_record(VM_YOLO11)
    assert record.accuracy is not None and record.accuracy.interval is not None
    low = record.accuracy.interval.model_copy(update={"low": 0.35549})
    record = record.model_copy(update={"accuracy": record.accuracy.model_copy(update={"interval": low})})
    found = claims.beside(claim(tiny, value=35.5), record, tiny[1])
    assert found is not None and found.interval == (35.5, 38.9) and found.standing == "inside"


def test_beside_the_fixture_record(tiny) -> None:
    found = claims.beside(claim(tiny), read_record(VM_YOLO11), tiny[1])
    assert found is not None
    assert found.shown == "37.2%" and found.interval == (35.5, 38.9)
    assert found.interval_note is not None and "1,000 resamples of the 800 images" in found.interval_note
    assert found.standing == "outside" and found.gap == pytest.approx(40.1 - 37.2)
    assert found.verdict == "outside our 95% interval (35.5–38.9%); the claim is 2.9 points above our figure"
    assert found.dataset == "800 COCO val2017 images with people" and found.run == "20260310T091500Z-ci-vm"


def test_map50_has_no_interval(tiny) -> None:
    found = claims.beside(claim(tiny, metric="map50", value=52.8), read_record(VM_YOLO11), tiny[1])
    assert found is not None and found.shown == "52.8%" and found.interval is None
    assert found.standing == "no-interval"


def test_a_latency_claim_or_a_quick_run_gets_no_figure(tiny) -> None:
    card, registry = tiny
    latency = card.variants[0].metrics[1]
    assert claims.beside(claim(tiny, **latency.model_dump()), read_record(VM_YOLO11), registry) is None
    assert claims.beside(claim(tiny), read_record(LAPTOP_YOLO11), registry) is None, "train2017 never beside a claim"


# --- What differs ----------------------------------------------------------------------------------


def test_differences_of_a_bare_claim(tiny) -> None:
    """A claim with no protocol: the set, labels and precision differ; input size is shared; the rest unstated."""
    found = claims.differences(read_record(VM_YOLO11).accuracy, claim(tiny), tiny[1])  # type: ignore[arg-type]
    assert by_what(found) == {
        "images": True,
        "labels and crowd regions": True,
        "precision of the model": True,  # the record's tflite int8 weights vs an unstated (full) precision
        "input size": False,
        "NMS": None,
        "score threshold": None,
        "detections per image": None,
        "evaluator": None,
    }
    images = found[0]
    assert images.ours == "800 COCO val2017 images with people"
    assert images.theirs == "COCO val2017: 5,000 images"
    assert "crowd regions (iscrowd=1) are not in the labels" in found[1].ours
    assert found[3].ours == "640×640, letterbox (centre)" and found[3].theirs == "640×640"


def test_differences_absent_when_the_claim_states_the_same_settings(tiny) -> None:
    same = protocol(evaluator="pycocotools", max_detections=100, score_threshold=0.001, nms="included")
    found = claims.differences(
        read_record(VM_YOLO11).accuracy,  # type: ignore[arg-type]
        claim(tiny, protocol=same, precision="int8"),
        tiny[1],
    )
    assert by_what(found) == {
        "images": True,
        "labels and crowd regions": True,
        "precision of the model": False,  # int8 weights dequantized in a float graph are still 8-bit weights
        "input size": False,
        "NMS": False,
        "score threshold": False,
        "detections per image": False,
        "evaluator": False,
    }


def test_differences_present_when_the_claim_states_other_settings(tiny) -> None:
    other = protocol(evaluator="supervision", max_detections=20, score_threshold=0.05, nms="none")
    found = claims.differences(
        read_record(VM_YOLO11).accuracy,  # type: ignore[arg-type]
        claim(tiny, protocol=other, precision="fp16", input_size=320),
        tiny[1],
    )
    assert all(d.differs for d in found), [d for d in found if not d.differs]
    shown = {d.what: d.theirs for d in found}
    assert shown["input size"] == "320×320" and shown["evaluator"] == "supervision MeanAveragePrecision (Roboflow)"
    assert shown["score threshold"] == "0.05" and shown["detections per image"] == "20"


def test_detections_count_the_decoders_cap(tiny) -> None:
    """An NMS inside the graph that keeps 20 keeps 20, whatever the evaluation's cap of 100."""
    record = with_accuracy(
        read_record(VM_YOLO11),
        protocol={"nms": NmsProtocol(where="inside", class_aware=None, iou_threshold=None, max_kept=20)},
    )
    accuracy = record.accuracy
    assert accuracy is not None
    twenty = claims.differences(accuracy, claim(tiny, protocol=protocol(max_detections=20)), tiny[1])
    hundred = claims.differences(accuracy, claim(tiny, protocol=protocol(max_detections=100)), tiny[1])
    assert by_what(twenty)["detections per image"] is False and by_what(hundred)["detections per image"] is True
    assert twenty[6].ours == "20 (the decoder keeps at most 20, fewer than the evaluation's 100)"
    assert twenty[4].ours == "inside the graph, with its own settings"


def test_an_nms_free_head_matches_an_nms_free_claim(tiny) -> None:
    record = with_accuracy(
        read_record(VM_YOLO11),
        protocol={"nms": NmsProtocol(where="none", class_aware=None, iou_threshold=None, max_kept=300)},
    )
    accuracy = record.accuracy
    assert accuracy is not None
    assert by_what(claims.differences(accuracy, claim(tiny, protocol=protocol(nms="none")), tiny[1]))["NMS"] is False
    assert by_what(claims.differences(accuracy, claim(tiny, protocol=protocol(nms="included")), tiny[1]))["NMS"] is True


def test_a_claim_on_another_set_names_it(tiny) -> None:
    found = claims.differences(
        read_record(VM_YOLO11).accuracy,  # type: ignore[arg-type]
        claim(tiny, dataset="coco-minival2014"),
        tiny[1],
    )
    assert found[0].differs and found[0].theirs == "COCO 2014 minival", "no image count where the registry has none"


@pytest.mark.parametrize(
    "text, family",
    [
        ("fp32", "full"),
        ("fp32 holding the tflite source's quantized weights (dequantized on conversion)", "8-bit"),
        ("uint8 (quantized weights), activations quantized too (QDQ graph of the tflite source)", "8-bit"),
        ("int8", "8-bit"),
        ("fp16", "half"),
        ("bf16", "half"),
        ("mixed", "mixed"),
        ("not-stated", None),
        (None, None),
    ],
)
def test_precision_family(text: str | None, family: str | None) -> None:
    assert claims.precision_family(text) == family


# --- A variant's claims ------------------------------------------------------------------------------


def test_claims_beside_takes_the_latest_complete_val2017_record(tiny) -> None:
    card, registry = tiny
    val, quick = read_record(VM_YOLO11), read_record(LAPTOP_YOLO11)  # the quick run is the later one
    incomplete = val.model_copy(update={"complete": False, "run": "20260501T000000Z-ci-vm"})
    shown = claims.claims_beside(card, "tiny-n.v1", True, [quick, incomplete, val], registry)
    accuracy_claim, latency_claim = shown.claims
    assert accuracy_claim.beside is not None and accuracy_claim.beside.run == val.run
    assert latency_claim.beside is None and shown.note is None


def test_a_quick_run_alone_says_why_no_figure_is_beside_the_claims(tiny) -> None:
    card, registry = tiny
    shown = claims.claims_beside(card, "tiny-n.v1", True, [read_record(LAPTOP_YOLO11)], registry)
    assert all(c.beside is None for c in shown.claims)
    assert shown.note == (
        "Versus measured this artifact's accuracy only on 100 COCO train2017 images, not on "
        "800 COCO val2017 images with people: that figure is not set beside the claims."
    )


def test_an_untrained_artifact_gets_no_figure(tiny) -> None:
    card, registry = tiny
    shown = claims.claims_beside(card, "tiny-n.v1", False, [read_record(VM_YOLO11)], registry)
    assert all(c.beside is None for c in shown.claims) and shown.note is None and not shown.trained
    assert claims.claims_beside(card, "no-such-variant", True, [], registry).claims == ()


def test_a_variant_without_claims_names_the_variants_that_have_some(tiny) -> None:
    card, registry = tiny
    bare = card.variants[0].model_copy(update={"id": "tiny-q.v1", "metrics": []})
    card = card.model_copy(update={"variants": [card.variants[0], bare]})
    shown = claims.claims_beside(card, "tiny-q.v1", True, [read_record(VM_YOLO11)], registry)
    assert shown.claims == () and shown.others == ("tiny-n.v1",)
    quick = claims.claims_beside(card, "tiny-q.v1", True, [read_record(LAPTOP_YOLO11)], registry)
    assert quick.note is None, "no claim to explain why nothing stands beside it"
    assert claims.claims_beside(card, "tiny-n.v1", True, [], registry).others == (), "it has claims of its own"


def test_the_records_own_image_count_shows_when_it_differs_from_the_sets(tiny) -> None:
    record = with_accuracy(read_record(VM_YOLO11), images=799)
    assert record.accuracy is not None
    assert claims.differences(record.accuracy, claim(tiny), tiny[1])[0].ours == (
        "800 COCO val2017 images with people: 799 images"
    )
