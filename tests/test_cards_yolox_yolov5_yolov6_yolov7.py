"""The YOLOX, YOLOv5, YOLOv6 and YOLOv7 cards: what a reader checks first (who made it, under which licences,
and one headline accuracy per checkpoint with whose figure it is), plus the traps each family's sources hold."""

from __future__ import annotations

import pytest


def variant(card, variant_id):
    return next(v for v in card.variants if v.id == variant_id)


FAMILIES = {
    # card id: (organization names, code licence, weights licences, number of variants)
    "yolox": (["Megvii Inc."], "Apache-2.0", {"not-stated"}, 14),
    "yolov5": (["Ultralytics"], "AGPL-3.0-only", {"AGPL-3.0-only"}, 20),
    "yolov6": (["Meituan", "Meituan"], "GPL-3.0-only", {"not-stated"}, 28),
    "yolov7": (["WongKinYiu"], "GPL-3.0-only", {"not-stated"}, 9),
}


@pytest.mark.parametrize("card_id", sorted(FAMILIES))
def test_organizations_and_licences(catalog, card_id: str) -> None:
    orgs, code_licence, weights_licences, n_variants = FAMILIES[card_id]
    card = catalog.card(card_id)
    assert [o.name for o in card.organizations] == orgs
    assert card.license.id == code_licence
    assert {w.license for v in card.variants for w in v.weights} == weights_licences
    assert len(card.variants) == n_variants
    for v in card.variants:
        for w in v.weights:
            # never typed from memory: only the demo's third-party mirror copies carry the hash the export verified
            assert w.sha256 is None or not w.official, (v.id, str(w.url))
            if w.license == "not-stated":
                assert w.note and "licence" in w.note


# variant id, headline mAP50-95, dataset, source id, source kind (the first mAP50-95 figure on that dataset)
HEADLINES = [
    ("yolox", "yolox-s.coco", 40.5, "coco-val2017", "yolox-readme", "claimed"),
    ("yolox", "yolox-m.coco", 46.9, "coco-val2017", "yolox-readme", "claimed"),
    ("yolox", "yolox-l.coco", 49.7, "coco-val2017", "yolox-readme", "claimed"),
    ("yolox", "yolox-x.coco", 51.1, "coco-val2017", "yolox-readme", "claimed"),
    ("yolox", "yolox-darknet53.coco", 47.7, "coco-val2017", "yolox-readme", "claimed"),
    ("yolox", "yolox-nano.coco", 25.8, "coco-val2017", "yolox-readme", "claimed"),
    ("yolox", "yolox-tiny.coco", 32.8, "coco-val2017", "yolox-readme", "claimed"),
    ("yolox", "yolox-s.legacy", 39.6, "coco-test-dev2017", "yolox-readme", "claimed"),
    ("yolox", "yolox-m.legacy", 46.4, "coco-test-dev2017", "yolox-readme", "claimed"),
    ("yolox", "yolox-l.legacy", 50.0, "coco-test-dev2017", "yolox-readme", "claimed"),
    ("yolox", "yolox-x.legacy", 51.2, "coco-test-dev2017", "yolox-readme", "claimed"),
    ("yolox", "yolox-darknet53.legacy", 47.4, "coco-test-dev2017", "yolox-readme", "claimed"),
    ("yolox", "yolox-nano.legacy", 25.3, "coco-val2017", "yolox-readme", "claimed"),
    ("yolox", "yolox-tiny.legacy", 32.8, "coco-val2017", "yolox-readme", "claimed"),
    ("yolov5", "yolov5n.v7", 28.0, "coco-val2017", "yolov5-readme", "claimed"),
    ("yolov5", "yolov5s.v7", 37.4, "coco-val2017", "yolov5-readme", "claimed"),
    ("yolov5", "yolov5m.v7", 45.4, "coco-val2017", "yolov5-readme", "claimed"),
    ("yolov5", "yolov5l.v7", 49.0, "coco-val2017", "yolov5-readme", "claimed"),
    ("yolov5", "yolov5x.v7", 50.7, "coco-val2017", "yolov5-readme", "claimed"),
    ("yolov5", "yolov5n6.v7", 36.0, "coco-val2017", "yolov5-readme", "claimed"),
    ("yolov5", "yolov5s6.v7", 44.8, "coco-val2017", "yolov5-readme", "claimed"),
    ("yolov5", "yolov5m6.v7", 51.3, "coco-val2017", "yolov5-readme", "claimed"),
    ("yolov5", "yolov5l6.v7", 53.7, "coco-val2017", "yolov5-readme", "claimed"),
    ("yolov5", "yolov5x6.v7", 55.0, "coco-val2017", "yolov5-readme", "claimed"),
    ("yolov5", "yolov5nu.coco", 34.3, "coco-val2017", "ultralytics-yolov5-docs", "claimed"),
    ("yolov5", "yolov5su.coco", 43.0, "coco-val2017", "ultralytics-yolov5-docs", "claimed"),
    ("yolov5", "yolov5mu.coco", 49.0, "coco-val2017", "ultralytics-yolov5-docs", "claimed"),
    ("yolov5", "yolov5lu.coco", 52.2, "coco-val2017", "ultralytics-yolov5-docs", "claimed"),
    ("yolov5", "yolov5xu.coco", 53.2, "coco-val2017", "ultralytics-yolov5-docs", "claimed"),
    ("yolov5", "yolov5n6u.coco", 42.1, "coco-val2017", "ultralytics-yolov5-docs", "claimed"),
    ("yolov5", "yolov5s6u.coco", 48.6, "coco-val2017", "ultralytics-yolov5-docs", "claimed"),
    ("yolov5", "yolov5m6u.coco", 53.6, "coco-val2017", "ultralytics-yolov5-docs", "claimed"),
    ("yolov5", "yolov5l6u.coco", 55.7, "coco-val2017", "ultralytics-yolov5-docs", "claimed"),
    ("yolov5", "yolov5x6u.coco", 56.8, "coco-val2017", "ultralytics-yolov5-docs", "claimed"),
    ("yolov6", "yolov6n.v3", 37.5, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6s.v3", 45.0, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6m.v3", 50.0, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6l.v3", 52.8, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6n6.v3", 44.9, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6s6.v3", 50.3, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6m6.v3", 55.2, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6l6.v3", 57.2, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6n.legacy", 35.9, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6t.legacy", 40.3, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6s.legacy", 43.5, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6m.legacy", 49.5, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6l-relu.legacy", 51.7, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6l.legacy", 52.5, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6n-base.coco", 36.6, "coco-val2017", "yolov6-base-readme", "claimed"),
    ("yolov6", "yolov6s-base.coco", 45.3, "coco-val2017", "yolov6-base-readme", "claimed"),
    ("yolov6", "yolov6m-base.coco", 49.4, "coco-val2017", "yolov6-base-readme", "claimed"),
    ("yolov6", "yolov6l-base.coco", 51.1, "coco-val2017", "yolov6-base-readme", "claimed"),
    ("yolov6", "yolov6s-mbla.coco", 47.0, "coco-val2017", "yolov6-mbla-readme", "claimed"),
    ("yolov6", "yolov6m-mbla.coco", 50.3, "coco-val2017", "yolov6-mbla-readme", "claimed"),
    ("yolov6", "yolov6l-mbla.coco", 52.0, "coco-val2017", "yolov6-mbla-readme", "claimed"),
    ("yolov6", "yolov6x-mbla.coco", 53.5, "coco-val2017", "yolov6-mbla-readme", "claimed"),
    ("yolov6", "yolov6n-qa.coco", 37.1, "coco-val2017", "yolov6-qarepvgg-readme", "claimed"),
    ("yolov6", "yolov6s-qa.coco", 44.7, "coco-val2017", "yolov6-qarepvgg-readme", "claimed"),
    ("yolov6", "yolov6m-qa.coco", 49.7, "coco-val2017", "yolov6-qarepvgg-readme", "claimed"),
    ("yolov6", "yolov6lite-s.coco", 22.4, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6lite-m.coco", 25.1, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov6", "yolov6lite-l.coco", 28.0, "coco-val2017", "yolov6-readme", "claimed"),
    ("yolov7", "yolov7.coco", 51.206, "coco-val2017", "yolov7-readme", "claimed"),
    ("yolov7", "yolov7x.coco", 52.9, "coco-val2017", "ultralytics-yolov7-docs", "claimed"),
    ("yolov7", "yolov7-w6.coco", 54.6, "coco-val2017", "ultralytics-yolov7-docs", "claimed"),
    ("yolov7", "yolov7-e6.coco", 55.9, "coco-val2017", "ultralytics-yolov7-docs", "claimed"),
    ("yolov7", "yolov7-d6.coco", 56.3, "coco-val2017", "ultralytics-yolov7-docs", "claimed"),
    ("yolov7", "yolov7-e6e.coco", 56.8, "coco-val2017", "ultralytics-yolov7-docs", "claimed"),
    ("yolov7", "yolov7-tiny-silu.coco", 38.7, "coco-val2017", "ultralytics-yolov7-docs", "claimed"),
    ("yolov7", "yolov7-u6.coco", 52.6, "coco-val2017", "yolov7-readme", "claimed"),
]


@pytest.mark.parametrize(
    ("card_id", "variant_id", "value", "dataset", "source", "kind"), HEADLINES, ids=[h[1] for h in HEADLINES]
)
def test_headline_figure(catalog, card_id, variant_id, value, dataset, source, kind) -> None:
    v = variant(catalog.card(card_id), variant_id)
    first = next(m for m in v.metrics if m.metric == "map50_95" and m.dataset == dataset)
    assert (first.value, first.source, first.source_kind) == (value, source, kind)


def test_every_checkpoint_with_figures_has_a_headline(catalog) -> None:
    listed = {h[1] for h in HEADLINES}
    for card_id in FAMILIES:
        for v in catalog.card(card_id).variants:
            has_accuracy = any(m.metric == "map50_95" for m in v.metrics)
            assert has_accuracy == (v.id in listed), v.id
    # the only variant without figures: a file the README links without any numbers
    assert not variant(catalog.card("yolov7"), "yolov7-tiny.coco").metrics


def test_yolov5_keeps_anchor_based_and_u_weights_apart(catalog) -> None:
    card = catalog.card("yolov5")
    v7 = variant(card, "yolov5n.v7")
    assert [w.url.path for w in v7.weights] == [
        "/ultralytics/yolov5/releases/download/v7.0/yolov5n.pt",
        "/ultralytics/yolov5/releases/download/v6.2/yolov5n.pt",
    ]
    u = variant(card, "yolov5nu.coco")
    official = [w for w in u.weights if w.official]
    assert [str(w.url) for w in official] == [
        "https://github.com/ultralytics/assets/releases/download/v8.2.0/yolov5nu.pt"
    ]
    assert [w.format for w in official] == ["ultralytics"]
    # the demo runs a third-party int8-weight TFLite export of that checkpoint, with its own runtime spec
    (tflite,) = [w for w in u.weights if not w.official]
    assert tflite.format == "tflite" and tflite.runtime is not None and tflite.runtime.decoder.kind == "ultralytics"
    # P6 FLOPs: the README counts at 640 px, the YOLOv7 paper's table at 1280 px; both are kept
    n6 = variant(card, "yolov5n6.v7")
    assert [(f.value, f.source) for f in n6.flops] == [(4.6, "yolov5-readme"), (18.4, "ultralytics-yolov7-docs")]
    fps = [m for m in n6.metrics if m.metric == "fps"]
    assert [(m.value, m.source_kind) for m in fps] == [(123, "vendor-measured")]


def test_yolov5_protocol_from_val_py(catalog) -> None:
    m = variant(catalog.card("yolov5"), "yolov5s.v7").metrics[0]
    assert m.protocol is not None
    assert (m.protocol.evaluator, m.protocol.score_threshold, m.protocol.nms) == ("pycocotools", 0.001, "included")
    assert m.protocol.max_detections == "not-stated"


def test_yolox_rival_speed_is_vendor_measured(catalog) -> None:
    s = variant(catalog.card("yolox"), "yolox-s.coco")
    kinds = {(m.metric, m.source, m.source_kind) for m in s.metrics}
    assert ("fps", "ultralytics-yolov7-docs", "vendor-measured") in kinds
    assert ("latency_ms", "yolox-readme", "claimed") in kinds
    assert s.pretraining == []


def test_yolov6_speed_disagreement_is_recorded(catalog) -> None:
    n = variant(catalog.card("yolov6"), "yolov6n.v3")
    b32 = sorted(
        (m.value, m.source) for m in n.metrics if m.metric == "fps" and m.batch == 32 and m.precision == "fp16"
    )
    assert b32 == [(1187, "yolov6-readme"), (1286, "yolov6-qarepvgg-readme")]
    legacy_s = variant(catalog.card("yolov6"), "yolov6s.legacy")
    epochs = {(m.value, m.checkpoint) for m in legacy_s.metrics if m.metric == "map50_95"}
    assert epochs == {(43.5, "300-epoch training"), (43.8, "400-epoch training")}


def test_yolov7_u6_values_from_both_readme_versions(catalog) -> None:
    u6 = variant(catalog.card("yolov7"), "yolov7-u6.coco")
    vals = [(m.value, m.source) for m in u6.metrics if m.metric == "map50_95"]
    assert (52.6, "yolov7-readme") in vals and (52.3, "yolov7-readme-2022-12") in vals
    card = catalog.card("yolov7")
    assert card.paper is not None and (card.paper.arxiv, card.paper.venue) == ("2207.02696", "CVPR 2023")
    v7 = variant(card, "yolov7.coco")
    assert v7.metrics[0].protocol is not None and v7.metrics[0].protocol.max_detections == 100
