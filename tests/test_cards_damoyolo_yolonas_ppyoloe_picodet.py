"""What a reader checks first on the DAMO-YOLO, YOLO-NAS, PP-YOLOE+ and PP-PicoDet cards: who made them, the
code licence, the weights licences, and one headline figure per checkpoint with its source and whose figure it is.
The values are the ones the cited READMEs state at the commits named in each card's sources."""

from __future__ import annotations

import pytest


def headline(card, variant_id: str, source: str, dataset: str = "coco-val2017", kind: str = "claimed"):
    """The first mAP50-95 figure of a variant from one source, without a metric-level checkpoint."""
    variant = next(v for v in card.variants if v.id == variant_id)
    for m in variant.metrics:
        if (
            m.metric == "map50_95"
            and m.source == source
            and m.dataset == dataset
            and m.checkpoint is None
            and m.source_kind == kind
        ):
            return m
    raise AssertionError(f"{variant_id}: no {kind} mAP50-95 on {dataset} from {source}")


def weights_licences(card) -> set[str]:
    return {w.license for v in card.variants for w in v.weights}


# --- DAMO-YOLO ---------------------------------------------------------------

DAMO = {  # variant -> claimed COCO val2017 mAP50-95 (README model zoo at 319572e; DAMO-YOLO-N: README at 7908342)
    "damo-yolo-t.coco": 42.0,
    "damo-yolo-t.coco-distill": 43.6,
    "damo-yolo-s.coco": 46.0,
    "damo-yolo-s.coco-distill": 47.7,
    "damo-yolo-m.coco": 49.2,
    "damo-yolo-m.coco-distill": 50.2,
    "damo-yolo-l.coco": 50.8,
    "damo-yolo-l.coco-distill": 51.9,
    "damo-yolo-t.legacy": 41.8,
    "damo-yolo-t.legacy-distill": 43.0,
    "damo-yolo-s.legacy": 45.6,
    "damo-yolo-s.legacy-distill": 46.8,
    "damo-yolo-m.legacy": 48.7,
    "damo-yolo-m.legacy-distill": 50.0,
    "damo-yolo-ns.coco": 32.3,
    "damo-yolo-nm.coco": 38.2,
    "damo-yolo-nl.coco": 40.5,
}


def test_damo_yolo_who_and_licences(catalog) -> None:
    card = catalog.card("damo-yolo")
    assert [o.name for o in card.organizations] == [
        "Alibaba DAMO Data Analytics and Intelligence Lab (TinyML team)",
        "Alibaba Group",
    ]
    assert card.license.id == "Apache-2.0"
    # The checkpoints live outside the repository and no source gives them a licence.
    assert weights_licences(card) == {"not-stated"}
    assert card.paper is not None and card.paper.arxiv == "2211.15444" and card.paper.venue is None


@pytest.mark.parametrize("variant_id,value", DAMO.items())
def test_damo_yolo_headline_figures(catalog, variant_id: str, value: float) -> None:
    m = headline(catalog.card("damo-yolo"), variant_id, "damo-readme")
    assert m.value == value
    assert m.protocol is not None and m.protocol.evaluator == "pycocotools" and m.protocol.nms == "included"


def test_damo_yolo_n_comes_from_the_older_readme(catalog) -> None:
    card = catalog.card("damo-yolo")
    assert headline(card, "damo-yolo-n.coco", "damo-readme-2023-03").value == 35.1
    assert "7908342039f93f001b8180354f3647e5db31561f" in str(card.sources["damo-readme-2023-03"].url)
    assert {v.id for v in card.variants} == set(DAMO) | {"damo-yolo-n.coco"}


def test_damo_yolo_latency_excludes_nms(catalog) -> None:
    card = catalog.card("damo-yolo")
    s = next(v for v in card.variants if v.id == "damo-yolo-s.coco")
    (lat,) = [m for m in s.metrics if m.metric == "latency_ms" and m.source_kind == "claimed"]
    assert (lat.value, lat.hardware, lat.engine, lat.precision, lat.batch, lat.includes_pre_post) == (
        3.83,
        "nvidia-t4",
        "tensorrt",
        "fp16",
        1,
        False,
    )
    # Ultralytics re-times it faster and says less about how; kept apart as a vendor figure.
    (vendor,) = [m for m in s.metrics if m.metric == "latency_ms" and m.source_kind == "vendor-measured"]
    assert (vendor.value, vendor.source, vendor.precision) == (3.45, "ul-compare-damo-ppyoloe", "not-stated")


# --- YOLO-NAS ----------------------------------------------------------------


def test_yolo_nas_code_and_weights_licences_differ(catalog) -> None:
    card = catalog.card("yolo-nas")
    assert [o.name for o in card.organizations] == ["Deci", "Deci.AI, Inc."]
    assert card.license.id == "Apache-2.0"
    official = {w.license for v in card.variants for w in v.weights if w.official}
    assert official == {"LicenseRef-YOLO-NAS-Weights"}
    for v in card.variants:
        for w in v.weights:
            if w.official:
                assert str(w.license_url).endswith("/LICENSE.YOLONAS.md")
    entry = catalog.registry.licenses["LicenseRef-YOLO-NAS-Weights"]
    assert "non-commercial" in entry.obligations
    # Ultralytics' copies state no licence of their own.
    assert {w.license for v in card.variants for w in v.weights if not w.official} == {"not-stated"}
    assert card.paper is None


@pytest.mark.parametrize(
    "variant_id,value", [("yolo-nas-s.coco", 47.5), ("yolo-nas-m.coco", 51.55), ("yolo-nas-l.coco", 52.22)]
)
def test_yolo_nas_headline_figures(catalog, variant_id: str, value: float) -> None:
    card = catalog.card("yolo-nas")
    assert headline(card, variant_id, "sg-model-zoo").value == value
    assert headline(card, variant_id, "ul-yolo-nas-docs", kind="vendor-measured").value == value
    variant = next(v for v in card.variants if v.id == variant_id)
    assert variant.params == [] and variant.flops == []  # Deci publishes neither
    assert variant.pretraining == "not-stated"


def test_yolo_nas_int8_figures_are_marked_as_another_checkpoint(catalog) -> None:
    s = next(v for v in catalog.card("yolo-nas").variants if v.id == "yolo-nas-s.coco")
    int8 = {m.value for m in s.metrics if m.checkpoint == "INT8 quantized (not published)" and m.metric == "map50_95"}
    assert int8 == {47.03}


# --- PP-YOLOE+ ---------------------------------------------------------------

PPYOLOE = {  # variant -> (val2017, test-dev2017) from configs/ppyoloe/README.md at 666f597
    "pp-yoloe-plus-s.coco": (43.7, 43.9),
    "pp-yoloe-plus-m.coco": (49.8, 50.0),
    "pp-yoloe-plus-m.coco-distill": (51.0, 51.2),
    "pp-yoloe-plus-l.coco": (52.9, 53.3),
    "pp-yoloe-plus-l.coco-distill": (54.0, 54.4),
    "pp-yoloe-plus-x.coco": (54.7, 54.9),
}
PPYOLOE_TINY = {
    "pp-yoloe-plus-t-aux.coco-640": 39.9,
    "pp-yoloe-plus-t-aux-relu.coco-640": 36.4,
    "pp-yoloe-plus-t-aux.coco-320": 33.3,
    "pp-yoloe-plus-t-aux-relu.coco-320": 30.1,
}


def test_pp_yoloe_plus_who_and_licences(catalog) -> None:
    card = catalog.card("pp-yoloe-plus")
    assert [o.name for o in card.organizations] == ["Baidu PaddlePaddle", "PaddleDetection team"]
    assert card.license.id == "Apache-2.0"
    # Only .pdparams files are published, which the weights formats cannot list.
    assert weights_licences(card) == set()
    assert card.paper is not None and card.paper.arxiv == "2203.16250"


@pytest.mark.parametrize("variant_id,values", PPYOLOE.items())
def test_pp_yoloe_plus_headline_figures(catalog, variant_id: str, values: tuple[float, float]) -> None:
    card = catalog.card("pp-yoloe-plus")
    val = headline(card, variant_id, "ppyoloe-readme")
    assert val.value == values[0] and val.protocol.evaluator == "paddledetection"
    assert headline(card, variant_id, "ppyoloe-readme", dataset="coco-test-dev2017").value == values[1]
    assert next(v for v in card.variants if v.id == variant_id).pretraining == ["objects365"]


@pytest.mark.parametrize("variant_id,value", PPYOLOE_TINY.items())
def test_pp_yoloe_plus_tiny_headline_figures(catalog, variant_id: str, value: float) -> None:
    card = catalog.card("pp-yoloe-plus")
    assert headline(card, variant_id, "ppyoloe-readme").value == value
    assert next(v for v in card.variants if v.id == variant_id).pretraining == "not-stated"


# --- PP-PicoDet --------------------------------------------------------------

PICODET = {  # variant -> (source, claimed COCO val2017 mAP50-95) at 666f597
    "picodet-xs.coco-320": ("picodet-readme-en", 23.5),
    "picodet-xs.coco-416": ("picodet-readme-en", 26.2),
    "picodet-s.coco-320": ("picodet-readme-en", 29.1),
    "picodet-s.coco-416": ("picodet-readme-en", 32.5),
    "picodet-m.coco-320": ("picodet-readme-en", 34.4),
    "picodet-m.coco-416": ("picodet-readme-en", 37.5),
    "picodet-l.coco-320": ("picodet-readme-en", 36.1),
    "picodet-l.coco-416": ("picodet-readme-en", 39.4),
    "picodet-l.coco-640": ("picodet-readme-en", 42.6),
    "picodet-s-npu.coco-416": ("picodet-readme-cn", 30.1),
    "picodet-s.coco-416-qat": ("picodet-readme-en", 31.5),
    "picodet-s-esnet.coco-320": ("picodet-legacy-readme", 27.1),
    "picodet-s-esnet.coco-416": ("picodet-legacy-readme", 30.7),
    "picodet-m-esnet.coco-320": ("picodet-legacy-readme", 30.9),
    "picodet-m-esnet.coco-416": ("picodet-legacy-readme", 34.8),
    "picodet-l-esnet.coco-320": ("picodet-legacy-readme", 32.9),
    "picodet-l-esnet.coco-416": ("picodet-legacy-readme", 36.6),
    "picodet-l-esnet.coco-640": ("picodet-legacy-readme", 40.9),
    "picodet-shufflenetv2-1x.coco-416": ("picodet-legacy-readme", 30.0),
    "picodet-mobilenetv3-large-1x.coco-416": ("picodet-legacy-readme", 35.6),
    "picodet-lcnet-1-5x.coco-416": ("picodet-legacy-readme", 36.3),
    "picodet-lcnet-1-5x.coco-640": ("picodet-legacy-readme", 40.6),
    "picodet-r18.coco-640": ("picodet-legacy-readme", 40.7),
}


def test_pp_picodet_who_and_licences(catalog) -> None:
    card = catalog.card("pp-picodet")
    assert [o.name for o in card.organizations] == ["PaddlePaddle (PaddleDetection team)"]
    assert card.license.id == "Apache-2.0"
    assert weights_licences(card) == {"not-stated"}  # the official ONNX exports state no licence
    assert {w.format for v in card.variants for w in v.weights} == {"onnx"}
    assert card.paper is not None and card.paper.arxiv == "2111.00902"
    assert {v.id for v in card.variants} == set(PICODET)


@pytest.mark.parametrize("variant_id,expected", PICODET.items())
def test_pp_picodet_headline_figures(catalog, variant_id: str, expected: tuple[str, float]) -> None:
    source, value = expected
    assert headline(catalog.card("pp-picodet"), variant_id, source).value == value


def test_pp_picodet_cpu_runtime_disagreement_is_kept(catalog) -> None:
    """The English README times the CPU column with Paddle Inference, the Chinese one with OpenVINO."""
    s = next(v for v in catalog.card("pp-picodet").variants if v.id == "picodet-s.coco-416")
    cpu = {(m.source, m.engine, m.value) for m in s.metrics if m.hardware == "intel-core-i7-10750h"}
    assert cpu == {("picodet-readme-en", "paddle-inference", 6.6), ("picodet-readme-cn", "openvino", 6.6)}
