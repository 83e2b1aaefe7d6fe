"""What a reader checks first on the cards-2 cards (RF-DETR, LW-DETR, RT-DETRv2, RT-DETRv4): who made the model,
under which licences the code and each checkpoint come, and one headline COCO val2017 figure per checkpoint with
its source and whose figure it is. Values are the ones read in the sources the cards cite."""

from __future__ import annotations

import pytest


def variant(card, variant_id):
    return next(v for v in card.variants if v.id == variant_id)


def headline(card, variant_id, value, source, kind):
    """The variant has a COCO val2017 mAP50-95 figure with this value, source and source kind."""
    v = variant(card, variant_id)
    found = [
        (m.value, m.source, m.source_kind) for m in v.metrics if m.metric == "map50_95" and m.dataset == "coco-val2017"
    ]
    assert (value, source, kind) in found, f"{variant_id}: {found}"


# --- RF-DETR -----------------------------------------------------------------

RFDETR_HEADLINES = [
    ("rf-detr-nano.coco", 48.4, "rfdetr-readme", "claimed"),
    ("rf-detr-nano.coco", 48.0, "rfdetr-paper", "claimed"),  # the paper's abstract disagrees with the README
    ("rf-detr-small.coco", 53.0, "rfdetr-readme", "claimed"),
    ("rf-detr-medium.coco", 54.7, "rfdetr-readme", "claimed"),
    ("rf-detr-large.coco-2026", 56.5, "rfdetr-readme", "claimed"),
    ("rf-detr-large.coco-2025", 59.0, "rfdetr-readme-launch", "claimed"),
    ("rf-detr-base.coco", 53.3, "rfdetr-readme-2025-05", "claimed"),
    ("rf-detr-xlarge.coco", 58.6, "rfdetr-readme", "claimed"),
    ("rf-detr-2xlarge.coco", 60.1, "rfdetr-readme", "claimed"),
]


def test_rfdetr_who_and_licences(catalog) -> None:
    card = catalog.card("rf-detr")
    names = {o.name for o in card.organizations}
    assert names == {"Roboflow", "Carnegie Mellon University"}
    assert card.license.id == "Apache-2.0"
    assert card.paper is not None and card.paper.arxiv == "2511.09554" and card.paper.venue is None
    for vid in (
        "rf-detr-nano.coco",
        "rf-detr-small.coco",
        "rf-detr-medium.coco",
        "rf-detr-large.coco-2026",
        "rf-detr-large.coco-2025",
        "rf-detr-base.coco",
        "rf-detr-seg-xlarge.coco",
        "rf-detr-seg-2xlarge.coco",
    ):
        assert [w.license for w in variant(card, vid).weights] == ["Apache-2.0"], vid
    for vid in ("rf-detr-xlarge.coco", "rf-detr-2xlarge.coco"):
        (w,) = variant(card, vid).weights
        assert w.license == "LicenseRef-Roboflow-PML-1.0"
        assert "platform-licensed" in str(w.url) and str(w.license_url).endswith("rfdetr/platform/LICENSE.platform")
        assert "OPEN_SOURCE_MODELS" in w.note  # the code comment that contradicts the licence files is cited
    assert "LicenseRef-Roboflow-PML-1.0" in catalog.registry.licenses
    assert "paid-plan" in catalog.registry.licenses["LicenseRef-Roboflow-PML-1.0"].obligations


def test_rfdetr_two_large_checkpoints_are_different_variants(catalog) -> None:
    card = catalog.card("rf-detr")
    old, new = variant(card, "rf-detr-large.coco-2025"), variant(card, "rf-detr-large.coco-2026")
    assert (old.checkpoint, new.checkpoint) == ("2025 (560 px)", "2026 (704 px)")
    assert {tuple(s.value) for s in old.input_size} == {(560, 560)}
    assert {tuple(s.value) for s in new.input_size} == {(704, 704)}
    assert [p.value for p in new.params] == [33.9]
    assert all(not v.flops for v in card.variants)  # Roboflow publishes no FLOPs


@pytest.mark.parametrize(("variant_id", "value", "source", "kind"), RFDETR_HEADLINES)
def test_rfdetr_headline(catalog, variant_id, value, source, kind) -> None:
    headline(catalog.card("rf-detr"), variant_id, value, source, kind)


def test_rfdetr_latency_context(catalog) -> None:
    m = next(m for m in variant(catalog.card("rf-detr"), "rf-detr-nano.coco").metrics if m.metric == "latency_ms")
    assert (m.value, m.hardware, m.engine, m.precision, m.batch, m.includes_pre_post) == (
        2.3,
        "nvidia-t4",
        "tensorrt",
        "fp16",
        1,
        False,
    )


# --- LW-DETR -----------------------------------------------------------------

LWDETR = [  # size, paper mAP, re-implementation mAP, leaderboard mAP (independent), Roboflow SAB mAP (vendor)
    ("tiny", 42.6, 42.9, 42.93, 42.9),
    ("small", 48.0, 48.1, 48.06, 48.0),
    ("medium", 52.5, 52.6, 52.59, 52.6),
    ("large", 56.1, 56.1, 56.10, 56.1),
    ("xlarge", 58.3, 58.3, 58.35, 58.3),
]


def test_lwdetr_who_and_licences(catalog) -> None:
    card = catalog.card("lw-detr")
    assert [o.name for o in card.organizations] == ["Baidu Inc."]
    assert card.license.id == "Apache-2.0"
    assert card.paper is not None and card.paper.arxiv == "2406.03459"
    for v in card.variants:
        assert [w.license for w in v.weights] == ["not-stated"]
        assert v.pretraining == ["objects365"]


@pytest.mark.parametrize(("size", "paper", "reimpl", "board", "sab"), LWDETR)
def test_lwdetr_headlines(catalog, size, paper, reimpl, board, sab) -> None:
    card = catalog.card("lw-detr")
    vid = f"lw-detr-{size}.coco"
    headline(card, vid, paper, "lwdetr-readme", "claimed")
    headline(card, vid, reimpl, "lwdetr-readme", "claimed")
    headline(card, vid, board, f"leaderboard-lwdetr-{size}", "independent")
    headline(card, vid, sab, "rfdetr-readme", "vendor-measured")


def test_lwdetr_latency_only_with_full_context(catalog) -> None:
    """The authors' README names no hardware for its latency, so every latency figure here is Roboflow's."""
    for v in catalog.card("lw-detr").variants:
        for m in v.metrics:
            if m.metric in ("latency_ms", "fps"):
                assert m.source_kind == "vendor-measured" and m.hardware == "nvidia-t4"


# --- RT-DETRv2 ---------------------------------------------------------------

RTDETRV2 = [  # variant, claimed mAP (model zoo), leaderboard mAP (independent) or None
    ("rtdetrv2-r18.coco", 48.1, 48.10),
    ("rtdetrv2-r18.coco-initial", 47.9, None),
    ("rtdetrv2-r34.coco", 49.9, 49.91),
    ("rtdetrv2-r50-m.coco", 51.9, 51.94),
    ("rtdetrv2-r50.coco", 53.4, 53.41),
    ("rtdetrv2-r101.coco", 54.3, 54.32),
    ("rtdetrv2-r18-dsp.coco", 47.4, None),
    ("rtdetrv2-r34-dsp.coco", 49.2, None),
    ("rtdetrv2-r50-m-dsp.coco", 51.4, None),
    ("rtdetrv2-r50-dsp.coco", 52.9, None),
]


def test_rtdetrv2_is_its_own_paper_and_release(catalog) -> None:
    card = catalog.card("rt-detrv2")
    assert [o.name for o in card.organizations] == ["Baidu Inc."]
    assert card.license.id == "Apache-2.0"
    assert card.paper is not None and card.paper.arxiv == "2407.17140"  # not RT-DETR v1's 2304.08069
    assert min(r.date.year for r in card.release_date) == 2024
    for v in card.variants:
        assert [w.license for w in v.weights] == ["not-stated"]
        assert v.pretraining == []
        assert "vit" not in v.name.lower()  # ResNet-vd backbones, not a ViT
    assert variant(card, "rtdetrv2-r18.coco").checkpoint != variant(card, "rtdetrv2-r18.coco-initial").checkpoint


@pytest.mark.parametrize(("variant_id", "claimed", "board"), RTDETRV2)
def test_rtdetrv2_headlines(catalog, variant_id, claimed, board) -> None:
    card = catalog.card("rt-detrv2")
    source = "rtdetrv2-zoo-2024-07" if variant_id.endswith("initial") else "rtdetrv2-zoo"
    headline(card, variant_id, claimed, source, "claimed")
    if board is not None:
        independent = [
            m for m in variant(card, variant_id).metrics if m.source_kind == "independent" and m.metric == "map50_95"
        ]
        assert [m.value for m in independent] == [board]
        assert independent[0].source.startswith("leaderboard-rtdetrv2-")


# --- RT-DETRv4 ---------------------------------------------------------------

RTDETRV4 = [("s", 49.8, 49.7), ("m", 53.7, 53.5), ("l", 55.4, None), ("x", 57.0, None)]


def test_rtdetrv4_who_and_licences(catalog) -> None:
    card = catalog.card("rt-detrv4")
    assert {o.name for o in card.organizations} == {"Peking University", "Tsinghua University"}
    assert card.license.id == "Apache-2.0"
    assert card.paper is not None and card.paper.arxiv == "2510.25257"
    for v in card.variants:
        assert [w.license for w in v.weights] == ["not-stated"]
        assert [u.id for u in v.upstream_licenses] == ["LicenseRef-DINOv3"]
        assert not v.params and not v.flops  # the README publishes neither
        latency = next(m for m in v.metrics if m.metric == "latency_ms")
        assert latency.hardware == "nvidia-t4" and latency.precision == "not-stated" and latency.batch == "not-stated"


@pytest.mark.parametrize(("size", "readme", "abstract"), RTDETRV4)
def test_rtdetrv4_headlines(catalog, size, readme, abstract) -> None:
    card = catalog.card("rt-detrv4")
    headline(card, f"rtdetrv4-{size}.coco", readme, "rtdetrv4-readme", "claimed")
    if abstract is not None:
        headline(card, f"rtdetrv4-{size}.coco", abstract, "rtdetrv4-paper", "claimed")
