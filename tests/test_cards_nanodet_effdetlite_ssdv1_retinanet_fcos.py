"""What a reader checks first on the cards of branch cards-6: who made each model, under which licences the code and
the weights come, and one headline accuracy figure per checkpoint with its source and whose figure it is."""

from __future__ import annotations

import pytest


def _variants(card):
    return {v.id: v for v in card.variants}


def _headline(variant):
    """The first mAP50-95 record of a variant that belongs to the variant's own checkpoint."""
    return next(m for m in variant.metrics if m.metric == "map50_95" and getattr(m, "checkpoint", None) is None)


def _weights_licences(card) -> set[str]:
    return {w.license for v in card.variants for w in v.weights}


# id -> (value, source, source_kind, dataset) of the headline figure
NANODET = {
    "nanodet-plus-m-320.coco": (27.0, "nanodet-readme", "claimed", "coco-val2017"),
    "nanodet-plus-m-416.coco": (30.4, "nanodet-readme", "claimed", "coco-val2017"),
    "nanodet-plus-m-1-5x-320.coco": (29.9, "nanodet-readme", "claimed", "coco-val2017"),
    "nanodet-plus-m-1-5x-416.coco": (34.1, "nanodet-readme", "claimed", "coco-val2017"),
    "nanodet-m.coco": (20.6, "nanodet-readme", "claimed", "coco-val2017"),
    "nanodet-m-416.coco": (23.5, "nanodet-readme", "claimed", "coco-val2017"),
    "nanodet-m-1-5x.coco": (23.5, "nanodet-readme", "claimed", "coco-val2017"),
    "nanodet-m-1-5x-416.coco": (26.8, "nanodet-readme", "claimed", "coco-val2017"),
    "nanodet-m-0-5x.coco": (13.5, "nanodet-readme", "claimed", "coco-val2017"),
}
EFFDET_LITE = {
    "efficientdet-lite0.coco": (26.41, "automl-readme", "claimed", "coco-split-not-stated"),
    "efficientdet-lite1.coco": (31.50, "automl-readme", "claimed", "coco-split-not-stated"),
    "efficientdet-lite2.coco": (35.06, "automl-readme", "claimed", "coco-split-not-stated"),
    "efficientdet-lite3.coco": (38.77, "automl-readme", "claimed", "coco-split-not-stated"),
    "efficientdet-lite3x.coco": (42.64, "automl-readme", "claimed", "coco-split-not-stated"),
    "efficientdet-lite4.coco": (43.18, "automl-readme", "claimed", "coco-split-not-stated"),
}
SSD_MOBILENET_V1 = {
    "ssd-mobilenet-v1.coco": (21, "tf1-zoo", "claimed", "coco-minival2014"),
    "ssd-mobilenet-v1-0-75-depth.coco": (18, "tf1-zoo", "claimed", "coco-minival2014"),
    "ssd-mobilenet-v1.coco-quantized": (18, "tf1-zoo", "claimed", "coco-minival2014"),
    "ssd-mobilenet-v1-0-75-depth.coco-quantized": (16, "tf1-zoo", "claimed", "coco-minival2014"),
    "ssd-mobilenet-v1-ppn.coco": (20, "tf1-zoo", "claimed", "coco-minival2014"),
    "ssd-mobilenet-v1-fpn-640.coco": (32, "tf1-zoo", "claimed", "coco-minival2014"),
    "ssd-mobilenet-v1-fpn-640.coco17-tf2": (29.1, "tf2-zoo", "claimed", "coco-split-not-stated"),
}
RETINANET = {
    "retinanet-r50-fpn.d2-1x": (37.4, "d2-model-zoo", "claimed", "coco-val2017"),
    "retinanet-r50-fpn.d2-3x": (38.7, "d2-model-zoo", "claimed", "coco-val2017"),
    "retinanet-r101-fpn.d2-3x": (40.4, "d2-model-zoo", "claimed", "coco-val2017"),
    "retinanet-r50-fpn.d2-1x-2019": (36.5, "d2-model-zoo-2019", "claimed", "coco-val2017"),
    "retinanet-r50-fpn.d2-3x-2019": (37.9, "d2-model-zoo-2019", "claimed", "coco-val2017"),
    "retinanet-r101-fpn.d2-3x-2019": (39.9, "d2-model-zoo-2019", "claimed", "coco-val2017"),
    "retinanet-r50-fpn.detectron-1x": (35.7, "d1-model-zoo", "claimed", "coco-val2017"),
    "retinanet-r50-fpn.detectron-2x": (35.7, "d1-model-zoo", "claimed", "coco-val2017"),
    "retinanet-r101-fpn.detectron-1x": (37.7, "d1-model-zoo", "claimed", "coco-val2017"),
    "retinanet-r101-fpn.detectron-2x": (37.8, "d1-model-zoo", "claimed", "coco-val2017"),
    "retinanet-x101-64x4d-fpn.detectron-1x": (39.8, "d1-model-zoo", "claimed", "coco-val2017"),
    "retinanet-x101-64x4d-fpn.detectron-2x": (39.2, "d1-model-zoo", "claimed", "coco-val2017"),
    "retinanet-x101-32x8d-fpn.detectron-1x": (39.5, "d1-model-zoo", "claimed", "coco-val2017"),
    "retinanet-x101-32x8d-fpn.detectron-2x": (38.6, "d1-model-zoo", "claimed", "coco-val2017"),
}
FCOS = {
    "fcos-imprv-r50-fpn.coco-1x": (38.7, "fcos-readme", "claimed", "coco-val2017"),
    "fcos-imprv-dcnv2-r50-fpn.coco-1x": (42.3, "fcos-readme", "claimed", "coco-val2017"),
    "fcos-imprv-r101-fpn.coco-2x": (43.0, "fcos-readme", "claimed", "coco-val2017"),
    "fcos-imprv-dcnv2-r101-fpn.coco-2x": (45.6, "fcos-readme", "claimed", "coco-val2017"),
    "fcos-imprv-x101-32x8d-fpn.coco-2x": (44.0, "fcos-readme", "claimed", "coco-val2017"),
    "fcos-imprv-dcnv2-x101-32x8d-fpn.coco-2x": (46.4, "fcos-readme", "claimed", "coco-val2017"),
    "fcos-imprv-x101-64x4d-fpn.coco-2x": (44.7, "fcos-readme", "claimed", "coco-val2017"),
    "fcos-imprv-dcnv2-x101-64x4d-fpn.coco-2x": (46.6, "fcos-readme", "claimed", "coco-val2017"),
    "fcos-r50-fpn.coco-1x": (37.1, "fcos-readme", "claimed", "coco-val2017"),
    "fcos-r101-fpn.coco-2x": (41.4, "fcos-readme", "claimed", "coco-val2017"),
    "fcos-x101-32x8d-fpn.coco-2x": (42.5, "fcos-readme", "claimed", "coco-val2017"),
    "fcos-x101-64x4d-fpn.coco-2x": (43.0, "fcos-readme", "claimed", "coco-val2017"),
    "fcos-mnv2-c128-fpn.coco-1x": (30.9, "fcos-readme", "claimed", "coco-val2017"),
    "fcos-mnv2-fpn.coco-syncbn-bs32": (33.1, "fcos-readme", "claimed", "coco-val2017"),
    "fcos-mnv2-fpn.coco-bn-bs16": (31.0, "fcos-readme", "claimed", "coco-val2017"),
}

FAMILIES = {
    # card id: (organization names, code licence, weights licences, headline figures)
    "nanodet-plus": (["RangiLyu (individual developer)"], "Apache-2.0", {"not-stated"}, NANODET),
    "efficientdet-lite": (["Google Research"], "Apache-2.0", {"not-stated"}, EFFDET_LITE),
    # Apache-2.0: TFLite's stock example detect.tflite, the demo's third-party copy (the zoo archives state none)
    "ssd-mobilenet-v1": (["Google"], "Apache-2.0", {"not-stated", "Apache-2.0"}, SSD_MOBILENET_V1),
    "retinanet": (
        ["Facebook AI Research (FAIR)", "Facebook AI Research (FAIR)"],
        "Apache-2.0",
        {"CC-BY-SA-3.0"},
        RETINANET,
    ),
    "fcos": (["The FCOS authors (Tian, Shen, Chen, He)"], "LicenseRef-FCOS-NonCommercial", {"not-stated"}, FCOS),
}


@pytest.mark.parametrize("card_id", sorted(FAMILIES))
def test_who_and_which_licences(catalog, card_id: str) -> None:
    orgs, code_licence, weights_licences, _ = FAMILIES[card_id]
    card = catalog.card(card_id)
    assert [o.name for o in card.organizations] == orgs
    assert card.license.id == code_licence
    assert _weights_licences(card) == weights_licences


@pytest.mark.parametrize("card_id", sorted(FAMILIES))
def test_one_headline_figure_per_checkpoint(catalog, card_id: str) -> None:
    expected = FAMILIES[card_id][3]
    variants = _variants(catalog.card(card_id))
    assert set(variants) == set(expected), "every published checkpoint is a variant, and no other"
    for vid, (value, source, kind, dataset) in expected.items():
        m = _headline(variants[vid])
        assert (m.value, m.source, m.source_kind, m.dataset) == (value, source, kind, dataset), vid


def test_traps_are_recorded(catalog) -> None:
    # FCOS: the code licence forbids commercial use; no institution is invented for the authors.
    fcos = catalog.card("fcos")
    assert "non-commercial" in fcos.license.note.lower() or "commercial" in fcos.license.note
    # RetinaNet: detectron2's 2019 and 2020 checkpoints are different files with different accuracy.
    rn = _variants(catalog.card("retinanet"))
    assert _headline(rn["retinanet-r50-fpn.d2-1x"]).value != _headline(rn["retinanet-r50-fpn.d2-1x-2019"]).value
    assert {w.url for w in rn["retinanet-r50-fpn.d2-1x"].weights}.isdisjoint(
        w.url for w in rn["retinanet-r50-fpn.d2-1x-2019"].weights
    )
    # EfficientDet-Lite: the README's parameter counts changed; both values are kept with their sources.
    lite0 = _variants(catalog.card("efficientdet-lite"))["efficientdet-lite0.coco"]
    assert {(p.value, p.source) for p in lite0.params} == {(3.2, "automl-readme"), (4.3, "automl-readme-2021")}
    # The TF1 zoo's minival is its own subset: never recorded as val2017.
    ssd = _variants(catalog.card("ssd-mobilenet-v1"))
    assert all(m.dataset != "coco-val2017" for v in ssd.values() for m in v.metrics if m.metric == "map50_95")
    # Latency never guesses precision where the source is silent.
    for card_id in FAMILIES:
        for v in catalog.card(card_id).variants:
            for m in v.metrics:
                if m.metric == "latency_ms":
                    assert m.precision == "not-stated", (card_id, v.id)
