"""What a reader checks first on the D-FINE, DEIM and DEIMv2 cards: who made them, the code and weights
licences, and each checkpoint's headline COCO (or Objects365) figure with its source and whose figure it is."""

from __future__ import annotations

import pytest


def variant(card, variant_id):
    return next(v for v in card.variants if v.id == variant_id)


def accuracy(v, source, kind, dataset="coco-val2017"):
    return [
        m
        for m in v.metrics
        if m.metric == "map50_95" and m.source == source and m.source_kind == kind and m.dataset == dataset
    ]


# (variant, value, source, dataset) for the authors' own headline figure of every checkpoint
DFINE_HEADLINES = [
    ("d-fine-n.coco", 42.8, "dfine-readme", "coco-val2017"),
    ("d-fine-s.coco", 48.5, "dfine-readme", "coco-val2017"),
    ("d-fine-m.coco", 52.3, "dfine-readme", "coco-val2017"),
    ("d-fine-l.coco", 54.0, "dfine-readme", "coco-val2017"),
    ("d-fine-x.coco", 55.8, "dfine-readme", "coco-val2017"),
    ("d-fine-s.obj2coco", 50.7, "dfine-readme", "coco-val2017"),
    ("d-fine-m.obj2coco", 55.1, "dfine-readme", "coco-val2017"),
    ("d-fine-l.obj2coco", 57.3, "dfine-readme", "coco-val2017"),
    ("d-fine-x.obj2coco", 59.3, "dfine-readme", "coco-val2017"),
    ("d-fine-l.obj2coco-initial", 57.1, "dfine-readme-2024-10-18", "coco-val2017"),
    ("d-fine-s.obj365", 31.0, "dfine-readme", "objects365-val"),
    ("d-fine-m.obj365", 38.6, "dfine-readme", "objects365-val"),
    ("d-fine-l.obj365", 40.6, "dfine-readme", "objects365-val-first5000"),
    ("d-fine-l.obj365-e25", 44.7, "dfine-readme", "objects365-val"),
    ("d-fine-x.obj365", 49.5, "dfine-readme", "objects365-val"),
]

DEIM_HEADLINES = [
    ("deim-d-fine-n.coco", 43.0),
    ("deim-d-fine-s.coco", 49.0),
    ("deim-d-fine-m.coco", 52.7),
    ("deim-d-fine-l.coco", 54.7),
    ("deim-d-fine-x.coco", 56.5),
    ("deim-d-fine-x.obj2coco", 59.5),
    ("deim-rtdetrv2-s.coco", 49.0),
    ("deim-rtdetrv2-m.coco", 50.9),
    ("deim-rtdetrv2-m-star.coco", 53.2),
    ("deim-rtdetrv2-l.coco", 54.3),
    ("deim-rtdetrv2-x.coco", 55.5),
]

DEIMV2_HEADLINES = [
    ("deimv2-atto.coco", 23.8, 320),
    ("deimv2-femto.coco", 31.0, 416),
    ("deimv2-pico.coco", 38.5, 640),
    ("deimv2-n.coco", 43.0, 640),
    ("deimv2-s.coco", 50.9, 640),
    ("deimv2-m.coco", 53.0, 640),
    ("deimv2-l.coco", 56.0, 640),
    ("deimv2-x.coco", 57.8, 640),
]


def test_dfine_who_and_licences(catalog) -> None:
    card = catalog.card("d-fine")
    assert [o.name for o in card.organizations] == ["University of Science and Technology of China"]
    assert card.license.id == "Apache-2.0"
    assert card.paper is not None and card.paper.arxiv == "2410.13842" and card.paper.venue == "ICLR 2025"
    assert {v.id for v in card.variants} == {h[0] for h in DFINE_HEADLINES}
    for v in card.variants:
        (w,) = [w for w in v.weights if w.official]
        # the COCO-only files are Apache-2.0; Objects365-derived ones have no stated licence
        assert w.license == ("Apache-2.0" if v.id.endswith(".coco") else "not-stated"), v.id
        assert w.sha256 is None and w.url.host == "github.com"


@pytest.mark.parametrize("variant_id,value,source,dataset", DFINE_HEADLINES)
def test_dfine_headline(catalog, variant_id, value, source, dataset) -> None:
    v = variant(catalog.card("d-fine"), variant_id)
    assert [m.value for m in accuracy(v, source, "claimed", dataset)][:1] == [value]


def test_dfine_pretraining_separates_coco_from_objects365(catalog) -> None:
    card = catalog.card("d-fine")
    for v in card.variants:
        expected = ["objects365"] if ".obj2coco" in v.id else []
        assert list(v.pretraining) == expected, v.id
    # the paper's 57.1 belongs to the first L checkpoint, the README's 57.3 to the E25 one
    paper_l = {m.value for m in variant(card, "d-fine-l.obj2coco-initial").metrics if m.source == "dfine-iclr"}
    assert paper_l == {57.1}
    assert not [m for m in variant(card, "d-fine-l.obj2coco").metrics if m.source == "dfine-iclr"]


def test_dfine_outside_figures(catalog) -> None:
    card = catalog.card("d-fine")
    # roboflow/model-leaderboard, method published (run.py): independent, scored with supervision
    (lb,) = accuracy(variant(card, "d-fine-x.obj2coco"), "leaderboard-dfine-results", "independent")
    assert lb.value == 59.31 and lb.protocol.evaluator == "supervision"
    # the DEIM README's D-FINE-S baseline differs from D-FINE's own figure and is the DEIM authors' listing
    (deim_s,) = accuracy(variant(card, "d-fine-s.coco"), "deim-readme", "vendor-measured")
    assert deim_s.value == 48.7
    latency = [m for m in variant(card, "d-fine-l.coco").metrics if m.metric == "latency_ms"]
    assert [(m.value, m.hardware, m.precision, m.batch) for m in latency] == [(8.07, "nvidia-t4", "fp16", 1)]


def test_deim_who_and_licences(catalog) -> None:
    card = catalog.card("deim")
    assert [o.name for o in card.organizations] == [
        "Intellindust AI Lab",
        "City University of Hong Kong",
        "Great Bay University",
        "Hefei Normal University",
    ]
    assert card.license.id == "Apache-2.0"
    assert card.paper is not None and card.paper.arxiv == "2412.04234" and card.paper.venue == "CVPR 2025"
    assert {v.id for v in card.variants} == {h[0] for h in DEIM_HEADLINES}
    assert {w.license for v in card.variants for w in v.weights} == {"not-stated"}


@pytest.mark.parametrize("variant_id,value", DEIM_HEADLINES)
def test_deim_headline(catalog, variant_id, value) -> None:
    v = variant(catalog.card("deim"), variant_id)
    assert [m.value for m in accuracy(v, "deim-readme", "claimed")][:1] == [value]


def test_deim_leaderboard_nano_record_is_not_used(catalog) -> None:
    card = catalog.card("deim")
    # the leaderboard's DEIM-D-FINE-N run loaded the S checkpoint: no independent figure on N
    assert not [m for m in variant(card, "deim-d-fine-n.coco").metrics if m.source_kind == "independent"]
    (s,) = accuracy(variant(card, "deim-d-fine-s.coco"), "leaderboard-deim-results", "independent")
    assert s.value == 48.96
    assert list(variant(card, "deim-d-fine-x.obj2coco").pretraining) == ["objects365"]


def test_deimv2_who_and_licences(catalog) -> None:
    card = catalog.card("deimv2")
    names = [o.name for o in card.organizations]
    assert names[:2] == ["Intellindust AI Lab", "Xiamen University"]
    assert card.license.id == "Apache-2.0"
    assert card.paper is not None and card.paper.arxiv == "2509.20787" and card.paper.venue is None
    assert {v.id for v in card.variants} == {h[0] for h in DEIMV2_HEADLINES}
    assert {w.license for v in card.variants for w in v.weights} == {"not-stated"}
    for v in card.variants:
        upstream = [u.id for u in (v.upstream_licenses or [])]
        dinov3 = v.id.split(".")[0].split("-")[1] in {"s", "m", "l", "x"}
        assert upstream == (["LicenseRef-DINOv3"] if dinov3 else []), v.id


@pytest.mark.parametrize("variant_id,value,size", DEIMV2_HEADLINES)
def test_deimv2_headline(catalog, variant_id, value, size) -> None:
    v = variant(catalog.card("deimv2"), variant_id)
    assert [m.value for m in accuracy(v, "deimv2-readme", "claimed")] == [value]
    assert [tuple(s.value) for s in v.input_size] == [(size, size)]
    # the README names no latency hardware: never a T4 here
    assert {m.hardware for m in v.metrics if m.metric == "latency_ms"} == {"nvidia-gpu-not-stated"}
