"""What a reader checks first on the yolo26, yolov13 and yolov9 cards: who made it, under which licences, and one
headline figure per checkpoint with whose figure it is. Loads the real catalog."""

from __future__ import annotations

import pytest


def variant(card, variant_id):
    (found,) = [v for v in card.variants if v.id == variant_id]
    return found


def accuracy(v, source, source_kind, checkpoint=None):
    """The one COCO val2017 mAP50-95 of `v` from `source`, of that kind, for that head/checkpoint."""
    found = [
        m
        for m in v.metrics
        if m.metric == "map50_95"
        and m.source == source
        and m.source_kind == source_kind
        and getattr(m, "checkpoint", None) == checkpoint
    ]
    assert len(found) == 1, (v.id, source, source_kind, checkpoint, found)
    (m,) = found
    assert m.dataset == "coco-val2017"
    return m


def weights_licences(card, suffix=""):
    return {w.license for v in card.variants if v.id.endswith(suffix) for w in v.weights}


# --- YOLO26 ------------------------------------------------------------------

YOLO26 = {  # size: (end-to-end head, one-to-many head), docs detection table
    "n": (40.1, 40.9),
    "s": (47.8, 48.6),
    "m": (52.5, 53.1),
    "l": (54.4, 55.0),
    "x": (56.9, 57.5),
}


def test_yolo26_who_and_licences(catalog) -> None:
    card = catalog.card("yolo26")
    assert [o.name for o in card.organizations] == ["Ultralytics"]
    assert card.license.id == "AGPL-3.0-only"
    assert weights_licences(card) == {"AGPL-3.0-only"}
    assert card.paper is None  # Ultralytics published no paper
    cpu = [m for v in card.variants for m in v.metrics if m.engine == "onnxruntime"]
    assert len(cpu) == 5 and {m.hardware for m in cpu} == {"cpu-not-stated"}  # the table names no CPU
    assert [v.id for v in card.variants] == [f"yolo26{s}.coco" for s in YOLO26]


@pytest.mark.parametrize("size", YOLO26)
def test_yolo26_two_heads_never_mixed(catalog, size: str) -> None:
    v = variant(catalog.card("yolo26"), f"yolo26{size}.coco")
    e2e, o2m = YOLO26[size]
    assert v.checkpoint == "end-to-end head"
    default = accuracy(v, "ul-yolo26-det-table", "claimed")
    assert default.value == e2e and default.protocol.nms == "none"
    other = accuracy(v, "ul-yolo26-det-table", "claimed", checkpoint="one-to-many head")
    assert other.value == o2m and other.protocol.nms == "included"
    assert other.value > default.value


def test_yolo26_params_are_not_yolo11s(catalog) -> None:
    """A vendor table copied YOLO11's parameter counts onto YOLO26: the card must not."""
    yolo11 = {v.id[len("yolo11") : -len(".coco")]: v.params[0].value for v in catalog.card("yolo11").variants}
    for v in catalog.card("yolo26").variants:
        size = v.id[len("yolo26") : -len(".coco")]
        assert v.params[0].value != yolo11[size], v.id
    assert [v.params[0].value for v in catalog.card("yolo26").variants] == [2.4, 9.5, 20.4, 24.8, 55.7]


# --- YOLOv13 -----------------------------------------------------------------

YOLOV13 = {  # size: (authors' README Table 1, roboflow/model-leaderboard)
    "n": (41.6, 40.4),
    "s": (48.0, 46.8),
    "l": (53.4, 52.3),
    "x": (54.8, 53.7),
}


def test_yolov13_who_and_licences(catalog) -> None:
    card = catalog.card("yolov13")
    assert [o.name for o in card.organizations] == ["iMoonLab"]
    assert card.license.id == "AGPL-3.0-only"
    assert weights_licences(card) == {"not-stated"}  # the README states none for the checkpoints
    assert [v.id for v in card.variants] == [f"yolov13{s}.coco" for s in YOLOV13]  # no M size


@pytest.mark.parametrize("size", YOLOV13)
def test_yolov13_claim_and_leaderboard(catalog, size: str) -> None:
    v = variant(catalog.card("yolov13"), f"yolov13{size}.coco")
    claimed, independent = YOLOV13[size]
    assert accuracy(v, "yolov13-readme", "claimed").value == claimed
    board = accuracy(v, f"leaderboard-yolov13{size}", "independent")
    assert board.value == independent
    assert board.protocol.evaluator == "supervision"
    # The README's latency column names no device: kept as text, never recorded against a guessed T4.
    assert [m for m in v.metrics if m.metric == "latency_ms"] == []
    assert "names no GPU or CPU" in v.note


# --- YOLOv9 ------------------------------------------------------------------

YOLOV9 = {  # size: (authors' README, leaderboard, Ultralytics docs for its own checkpoint)
    "t": (38.3, 31.7, 38.3),
    "s": (46.8, 40.3, 46.8),
    "m": (51.4, 44.8, 51.4),
    "c": (53.0, 45.8, 53.0),
    "e": (55.6, 48.6, 55.6),
}


def test_yolov9_who_and_licences(catalog) -> None:
    card = catalog.card("yolov9")
    assert [o.name for o in card.organizations] == ["Institute of Information Science, Academia Sinica"]
    assert card.license.id == "GPL-3.0-only"
    assert weights_licences(card) == {"not-stated"}
    assert all(not w.official for v in card.variants if v.id.endswith(".ultralytics") for w in v.weights)
    assert all(w.official for v in card.variants if v.id.endswith(".coco") for w in v.weights)


@pytest.mark.parametrize("size", YOLOV9)
def test_yolov9_each_checkpoint(catalog, size: str) -> None:
    card = catalog.card("yolov9")
    claimed, independent, ultralytics = YOLOV9[size]
    authors = variant(card, f"yolov9{size}.coco")
    assert accuracy(authors, "yolov9-readme", "claimed").value == claimed
    assert accuracy(authors, "yolov9-readme", "claimed").protocol.evaluator == "pycocotools"
    board = accuracy(authors, f"leaderboard-yolov9{size}", "independent")
    assert board.value == independent and board.protocol.score_threshold == 0.25
    vendor = variant(card, f"yolov9{size}.ultralytics")
    assert accuracy(vendor, "ul-yolov9-docs", "vendor-measured").value == ultralytics
    assert vendor.params[0].value >= authors.params[0].value  # Ultralytics' counts are not the authors' current ones
    (t4,) = [m for m in vendor.metrics if m.metric == "latency_ms"]
    assert (t4.hardware, t4.source_kind, t4.precision) == ("nvidia-t4", "vendor-measured", "not-stated")


def test_yolov9_readme_counts_changed(catalog) -> None:
    """The authors' table changed its parameter counts on 2024-02-27: both versions are kept, side by side."""
    c = variant(catalog.card("yolov9"), "yolov9c.coco")
    assert [(p.value, p.source) for p in c.params] == [(25.3, "yolov9-readme"), (25.5, "yolov9-readme-first")]
