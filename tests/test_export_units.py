"""The pure parts of the export step: preprocessing, reference decoding, matching, the I/O contract,
target selection, and reading a TFLite file's quantization."""

from __future__ import annotations

import numpy as np
import pytest

from generator.decode import Detection, decode, iou
from generator.export import plan
from generator.export.agreement import Comparison, Tolerance, compare_image
from generator.export.contract import ContractError, TensorSig, check
from generator.loader import load_catalog
from generator.preprocess import Placement, letterbox, load_image, prepare
from generator.schema import DemoInput, DemoRuntime

from .catalogs import FIXTURES, SETTINGS, make_catalog

EXPORT_CARDS = sorted((FIXTURES / "cards" / "export").glob("*.yaml"))


def runtime(**decoder) -> DemoRuntime:
    spec = {
        "task": "object-detection",
        "source": "s",
        "labels": "coco-80",
        "input": {"size": [640, 640], "layout": "NCHW", "dtype": "float32", "resize": "letterbox", "scale": 1 / 255},
        "decoder": {"kind": "ultralytics", "coordinates": "pixels", "classes": 80, **decoder},
    }
    return DemoRuntime.model_validate(spec)


SSD_RUNTIME = DemoRuntime.model_validate(
    {
        "task": "object-detection",
        "source": "s",
        "labels": "coco-90",
        "input": {"size": [300, 300], "layout": "NHWC", "dtype": "uint8", "resize": "stretch"},
        "decoder": {
            "kind": "nms-in-graph",
            "box_format": "yxyx",
            "coordinates": "normalized",
            "classes": 90,
            "class_offset": 1,
            "outputs": {"boxes": 0, "classes": 1, "scores": 2, "count": 3},
            "max_detections": 20,
        },
    }
)

IDENTITY = Placement(1.0, 1.0, 0.0, 0.0, 640, 640)


def head(
    boxes_cxcywh: list[tuple[float, float, float, float]], scores: list[dict[int, float]], classes: int = 80
) -> np.ndarray:
    out = np.zeros((1, 4 + classes, len(boxes_cxcywh)), np.float32)
    for i, (box, per_class) in enumerate(zip(boxes_cxcywh, scores)):
        out[0, :4, i] = box
        for label, score in per_class.items():
            out[0, 4 + label, i] = score
    return out


# --- preprocessing -----------------------------------------------------------------------


def test_letterbox_matches_ultralytics():
    from generator.export.ultralytics_pt import offline

    offline()  # before ultralytics is first imported
    from ultralytics.data.augment import LetterBox

    image = load_image(SETTINGS.require("sample_images") / "000000000009.jpg")  # 640x480
    ours, placement = letterbox(image, (640, 640), 114)
    theirs = LetterBox((640, 640), auto=False)(image=image.copy())
    assert ours.shape == (640, 640, 3)
    np.testing.assert_array_equal(ours, theirs)
    assert (placement.pad_x, placement.pad_y) == (0, 80)


def test_prepare_follows_the_spec():
    image = np.zeros((100, 200, 3), np.uint8)
    image[..., 0] = 255  # red
    nchw = prepare(image, runtime().input)
    assert nchw.tensor.shape == (1, 3, 640, 640) and nchw.tensor.dtype == np.float32
    assert nchw.tensor[0, 0, 320, 320] == pytest.approx(1.0) and nchw.tensor[0, 2, 320, 320] == 0
    assert nchw.tensor[0, 0, 0, 0] == pytest.approx(114 / 255)  # padding
    uint8 = prepare(image, SSD_RUNTIME.input)
    assert uint8.tensor.shape == (1, 300, 300, 3) and uint8.tensor.dtype == np.uint8
    assert uint8.tensor[0, 150, 150].tolist() == [255, 0, 0]


def test_placement_maps_boxes_back_and_clips():
    placement = Placement(0.5, 0.5, 10, 20, 100, 100)
    back = placement.to_image(np.array([[10, 20, 60, 70], [0, 0, 1000, 1000]]))
    np.testing.assert_allclose(back, [[0, 0, 100, 100], [0, 0, 100, 100]])


# --- decoding ------------------------------------------------------------------------------


def test_ultralytics_nms_is_class_aware():
    out = head(
        [(100, 100, 50, 50), (102, 100, 50, 50), (101, 100, 50, 50), (400, 400, 20, 20)],
        [{0: 0.9}, {0: 0.8}, {2: 0.7}, {5: 0.1}],
    )
    dets = decode([out], runtime(), IDENTITY)
    assert [(d.label, round(d.score, 2)) for d in dets] == [(0, 0.9), (2, 0.7)]  # same-class twin suppressed
    assert dets[0].box == pytest.approx((75, 75, 125, 125))
    agnostic = decode([out], runtime(class_aware_nms=False), IDENTITY)
    assert [d.label for d in agnostic] == [0]


def test_ultralytics_normalized_coordinates_and_sigmoid():
    out = head([(0.5, 0.5, 0.25, 0.25)], [{3: 2.0}])
    dets = decode([out], runtime(coordinates="normalized", score_activation="sigmoid"), IDENTITY)
    assert dets[0].box == pytest.approx((240, 240, 400, 400))
    assert dets[0].score == pytest.approx(1 / (1 + np.exp(-2.0)))


def test_ultralytics_wrong_class_count_is_an_error():
    with pytest.raises(ValueError, match="4 \\+ 80"):
        decode([np.zeros((1, 10, 5), np.float32)], runtime(), IDENTITY)


def test_nms_in_graph_reads_count_offset_and_yxyx():
    boxes = np.zeros((1, 20, 4), np.float32)
    boxes[0, 0] = [0.1, 0.2, 0.5, 0.6]  # ymin, xmin, ymax, xmax
    boxes[0, 1] = [0.0, 0.0, 1.0, 1.0]
    classes = np.zeros((1, 20), np.float32)
    classes[0, :2] = [0, 17]
    scores = np.zeros((1, 20), np.float32)
    scores[0, :3] = [0.9, 0.2, 0.8]  # the third is past the count
    placement = Placement(300 / 200, 300 / 100, 0, 0, 100, 200)
    dets = decode([boxes, classes, scores, np.array([2.0], np.float32)], SSD_RUNTIME, placement)
    assert len(dets) == 1  # 0.2 is under the 0.25 threshold
    assert dets[0].label == 1  # class 0 + offset 1 = person in coco-90
    assert dets[0].box == pytest.approx((40, 10, 120, 50))


def spec(input_: dict, decoder: dict, labels: str = "coco-80") -> DemoRuntime:
    return DemoRuntime.model_validate(
        {"task": "object-detection", "source": "s", "labels": labels, "input": input_, "decoder": decoder}
    )


def test_yolox_decodes_cells_strides_and_objectness():
    rt = spec(
        {"size": [16, 16], "layout": "NCHW", "dtype": "float32", "resize": "letterbox", "align": "top-left"},
        {"kind": "yolox", "strides": [8, 16], "classes": 80, "iou_threshold": 0.5},
    )
    out = np.zeros((1, 5, 85), np.float32)  # stride 8: 2x2 cells, stride 16: one
    out[0, 1, :5] = [0.5, 0.5, np.log(2), 0, 0.9]  # cell (1, 0): centre (12, 4), 16 x 8
    out[0, 1, 5 + 2] = 0.8  # car: 0.72
    out[0, 4, :5] = [0.5, 0.5, 0, 0, 0.5]  # stride 16: centre (8, 8), 16 x 16
    out[0, 4, 5] = 0.6  # person: 0.3
    dets = decode([out], rt, Placement(1.0, 1.0, 0.0, 0.0, 16, 16))
    assert [d.label for d in dets] == [2, 0]
    assert dets[0].score == pytest.approx(0.72) and dets[0].box == pytest.approx((4, 0, 16, 8), abs=1e-5)
    assert dets[1].box == pytest.approx((0, 0, 16, 16))


def test_gfl_distances_are_softmax_expectations_from_cell_centres():
    rt = spec(
        {"size": [8, 8], "layout": "NCHW", "dtype": "float32", "resize": "stretch"},
        {
            "kind": "gfl",
            "levels": [{"stride": 8, "scores": 0, "distances": 1}],
            "reg_max": 1,
            "cell_offset": 0.5,
            "classes": 80,
        },
    )
    scores = np.zeros((1, 1, 80), np.float32)
    scores[0, 0, 3] = 0.7
    dist = np.array([[[0, 0, 0, 0, -100, 0, 0, 0]]], np.float32)  # 4 px, 4 px, 8 px (clipped), 4 px
    (d,) = decode([scores, dist], rt, Placement(1.0, 1.0, 0.0, 0.0, 8, 8))
    assert d.label == 3 and d.box == pytest.approx((0, 0, 8, 8))


def test_detection_rows_in_image_pixels_and_nms_in_graph_without_count():
    placement = Placement(0.5, 0.25, 0.0, 0.0, 400, 200)  # a 200 x 400 image stretched to 100 x 100
    rows = spec(
        {"size": [100, 100], "layout": "NCHW", "dtype": "float32", "resize": "stretch"},
        {
            "kind": "detection-rows",
            "columns": {"label": 0, "score": 1, "box": 2},
            "coordinates": "image",
            "classes": 80,
            "score_threshold": 0.3,
        },
    )
    data = np.array([[1, 0.9, 20, 40, 100, 200], [2, 0.3, 0, 0, 10, 10]], np.float32)  # 0.3 is not > 0.3
    (d,) = decode([data], rows, placement)
    assert d.label == 1 and d.box == pytest.approx((20, 40, 100, 200))
    graph = spec(
        {"size": [100, 100], "layout": "NCHW", "dtype": "float32", "resize": "stretch"},
        {
            "kind": "nms-in-graph",
            "box_format": "xyxy",
            "coordinates": "image",
            "classes": 80,
            "outputs": {"classes": 0, "boxes": 1, "scores": 2, "count": None},
            "max_detections": 5,
        },
    )
    dets = decode(
        [np.array([[1, 0]]), np.array([[[1, 1, 5, 5], [2, 2, 8, 8]]], np.float32), np.array([[0.6, 0.7]], np.float32)],
        graph,
        placement,
    )
    assert [(d.label, d.box) for d in dets] == [(0, (2, 2, 8, 8)), (1, (1, 1, 5, 5))]


def test_ultralytics_int8_output_with_corner_boxes():
    q = {"scale": 0.01, "zero_point": -100}
    rt = runtime(box_format="xyxy", coordinates="normalized", output_quantization=q)
    real = np.zeros((1, 84, 1), np.float32)
    real[0, :4, 0] = [0.1, 0.2, 0.5, 0.6]
    real[0, 4 + 5, 0] = 0.8
    quantized = np.clip(np.rint(real / 0.01) - 100, -128, 127).astype(np.int8)
    (d,) = decode([quantized], rt, IDENTITY)
    assert d.label == 5 and d.score == pytest.approx(0.8, abs=1e-6)
    assert d.box == pytest.approx((64, 128, 320, 384), abs=1e-3)


def test_int8_input_top_left_letterbox_and_extra_inputs():
    image = np.full((50, 100, 3), 255, np.uint8)
    p = prepare(
        image,
        DemoInput(
            size=[32, 32],
            layout="NHWC",
            dtype="int8",
            resize="letterbox",
            align="top-left",
            scale=1 / 255,
            quantization={"scale": 1 / 127, "zero_point": -10},
            extra_inputs=[
                {"name": "size", "value": "image-size-wh", "dtype": "int64"},
                {"name": "sf", "value": "scale-factor-hw", "dtype": "float32"},
            ],
        ),
    )
    assert p.tensor.dtype == np.int8 and p.tensor.shape == (1, 32, 32, 3)
    assert p.tensor[0, 0, 0, 0] == 117 and p.tensor[0, 31, 0, 0] == np.rint(114 / 255 * 127) - 10  # image, then pad
    assert (p.placement.pad_x, p.placement.pad_y) == (0, 0)
    assert p.extra["size"].tolist() == [[100, 50]] and p.extra["size"].dtype == np.int64
    assert p.extra["sf"].tolist() == [[pytest.approx(0.32), pytest.approx(0.32)]]
    assert set(p.feeds("img")) == {"img", "size", "sf"}
    with pytest.raises(ValueError, match="quantization"):
        DemoInput(size=[8, 8], layout="NHWC", dtype="int8", resize="stretch")


def test_contract_checks_extra_inputs_and_takes_symbolic_batches():
    rt = spec(
        {
            "size": [320, 320],
            "layout": "NCHW",
            "dtype": "float32",
            "resize": "stretch",
            "extra_inputs": [{"name": "orig_target_sizes", "value": "image-size-wh", "dtype": "int64"}],
        },
        {
            "kind": "nms-in-graph",
            "box_format": "xyxy",
            "coordinates": "image",
            "classes": 80,
            "outputs": {"classes": 0, "boxes": 1, "scores": 2, "count": None},
            "max_detections": 300,
        },
    )
    outputs = [
        TensorSig("labels", ["N", "K"], "int64"),
        TensorSig("boxes", ["N", "K", 4], "float32"),
        TensorSig("scores", ["N", "K"], "float32"),
    ]
    check(
        [TensorSig("images", ["N", 3, 320, 320], "float32"), TensorSig("orig_target_sizes", ["M", 2], "int64")],
        outputs,
        rt,
    )
    with pytest.raises(
        ContractError, match=r"extra input 'orig_target_sizes': expected \[1, 2\] int64, got \[\?, 2\] float32"
    ):
        check(
            [TensorSig("images", [1, 3, 320, 320], "float32"), TensorSig("orig_target_sizes", [None, 2], "float32")],
            outputs,
            rt,
        )
    with pytest.raises(ContractError, match="the graph has no such input"):
        check([TensorSig("images", [1, 3, 320, 320], "float32")], outputs, rt)


# --- matching ------------------------------------------------------------------------------


def det(x: float, score: float, label: int = 0) -> Detection:
    return Detection((x, 0.0, x + 100.0, 100.0), score, label)


def test_every_confident_detection_needs_a_twin_on_the_other_side():
    result = Comparison()
    tolerance = Tolerance()
    compare_image("a.jpg", [det(0, 0.9), det(500, 0.3)], [det(2, 0.87), det(500, 0.6)], tolerance, result)
    # 0.9 ~ 0.87 match; the reference's 0.6 has only a 0.3 on our side: a miss.
    assert (result.confident, result.matched, len(result.misses)) == (3, 2, 1)
    assert result.misses[0].side == "reference" and "score 0.300" in result.misses[0].closest
    assert not result.passes(tolerance)
    assert result.passes(Tolerance(unmatched_share=0.34))


def test_twin_needs_same_class_iou_and_score():
    tolerance = Tolerance()
    for theirs in ([det(0, 0.9, label=1)], [det(20, 0.9)], [det(0, 0.84)]):  # class, IoU 0.67, score 0.06
        result = Comparison()
        compare_image("a.jpg", [det(0, 0.9)], theirs, tolerance, result)
        assert len(result.misses) >= 1, theirs
    assert iou((0, 0, 100, 100), (20, 0, 120, 100)) == pytest.approx(80 / 120)


# --- contract ------------------------------------------------------------------------------


def test_contract_names_expected_and_actual_shapes():
    spec = runtime()
    good_in = [TensorSig("images", [1, 3, 640, 640], "float32")]
    good_out = [TensorSig("output0", [1, 84, 8400], "float32")]
    check(good_in, good_out, spec)
    with pytest.raises(ContractError) as exc:
        check(
            [TensorSig("images", [1, 640, 640, 3], "float32")], [TensorSig("output0", [1, 85, 8400], "float32")], spec
        )
    message = str(exc.value)
    assert "expected [1, 3, 640, 640] float32" in message and "got [1, 640, 640, 3] float32" in message
    assert "expected [1, 84, N] float32" in message and "got [1, 85, 8400]" in message


def test_contract_for_nms_in_graph_outputs():
    inputs = [TensorSig("x", [1, 300, 300, 3], "uint8")]
    outputs = [
        TensorSig("b", [1, 20, 4], "float32"),
        TensorSig("c", [1, 20], "float32"),
        TensorSig("s", [1, 20], "float32"),
        TensorSig("n", [1], "float32"),
    ]
    check(inputs, outputs, SSD_RUNTIME)
    with pytest.raises(ContractError, match=r"count: expected output #3 \[1\] float32, the graph has 3 outputs"):
        check(inputs, outputs[:3], SSD_RUNTIME)


# --- selection -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def export_catalog(tmp_path_factory):
    return load_catalog(make_catalog(tmp_path_factory.mktemp("plan"), *EXPORT_CARDS))


def test_select_all_demoable_variants_with_candidates_in_card_order(export_catalog):
    targets = plan.select(export_catalog, [])
    assert [t.artifact_id for t in targets] == ["t-ssd.coral-uint8", "t-yolo11n.coco", "t-yolov12n.v1"]
    yolo = targets[1]
    assert [c.weights.format for c in yolo.candidates] == ["ultralytics", "tflite"]
    # The TFLite entry brings its own runtime spec; the .pt entry uses the variant's.
    assert [c.runtime.input.layout for c in yolo.candidates] == ["NCHW", "NHWC"]


def test_unknown_id_lists_the_valid_ones(export_catalog):
    with pytest.raises(plan.UnknownTarget) as exc:
        plan.select(export_catalog, ["t-ssd", "nope"])
    assert "nope" in str(exc.value) and "t-yolo11n.coco" in str(exc.value) and "t-ssd" in str(exc.value)
    assert [t.artifact_id for t in plan.select(export_catalog, ["t-ssd", "t-yolo11n.coco"])] == [
        "t-ssd.coral-uint8",
        "t-yolo11n.coco",
    ]


def test_untrained_target_takes_the_first_architecture_ultralytics_knows(export_catalog):
    target = plan.untrained(export_catalog, "t-yolov12n", known=lambda name: name == "yolo12n.yaml")
    assert target.artifact_id == "t-yolov12n.untrained"
    assert target.untrained == plan.Untrained("yolo12n.yaml", 0)
    assert target.variant.id == "t-yolov12n.v1"
    with pytest.raises(plan.UnknownTarget, match="yolov12n.yaml"):
        plan.untrained(export_catalog, "t-yolov12n", known=lambda name: False)


def test_tflite_quantization_is_read_from_the_file():
    from generator.export.tflite import quantization, tolerance

    weights = SETTINGS.require("weights_mirror")
    ssd = quantization(weights / "ssd_mobilenet_v2_coco" / "mobilenet_ssd_v2_coco_quant_postprocess.tflite")
    yolo = quantization(weights / "yolo11n" / "yolo11n_int8.tflite")
    assert ssd.kind == "activations" and ssd.logit_scale == pytest.approx(0.3312, abs=1e-4)
    assert yolo.kind == "weights"
    assert tolerance(ssd).score_delta == pytest.approx(0.0828, abs=1e-4)
    assert tolerance(yolo).score_delta == 0.05


# --- raw output bounds -----------------------------------------------------------------------


def test_every_value_bound_counts_values_beyond_atol_plus_rtol():
    from generator.export.agreement import EveryValue, RawTally

    check = EveryValue(atol=1e-3, rtol=1e-3)
    theirs = [np.array([[0.0, 100.0, 640.0]]), np.array([0.5])]
    ours = [np.array([[0.0009, 100.1, 640.0]]), np.array([0.5021])]  # limits: 0.001, 0.101, 0.641, 0.0015
    (tally,) = [RawTally(b) for b in check.bounds]
    tally.add(*check.groups(ours, theirs)[0])
    assert (tally.values, tally.beyond) == (4, 1)  # only 0.5021 is beyond 0.001 + 0.0005
    assert tally.worst == pytest.approx(0.1)
    assert not tally.held  # every value must hold
    ok = RawTally(check.bounds[0])
    ok.add(*check.groups(ours[:1], theirs[:1])[0])
    assert ok.held and ok.beyond == 0


def test_detection_head_bound_compares_boxes_in_pixels_on_drawn_anchors_and_every_score():
    from generator.export.agreement import DetectionHead, RawTally

    theirs = head([(0.5, 0.5, 0.1, 0.1), (0.2, 0.2, 0.1, 0.1), (0.8, 0.8, 0.1, 0.1)], [{0: 0.9}, {1: 0.3}, {2: 0.1}])
    ours = theirs.copy()
    ours[0, 0, 0] += 1 / 640  # anchor 0 (drawn): cx 1 px off
    ours[0, 2, 1] += 3 / 640  # anchor 1 (drawn on the reference side only: 0.3 >= 0.25): w 3 px off
    ours[0, 4 + 1, 1] = 0.1  # ... and its score 0.2 lower
    ours[0, 1, 2] += 100 / 640  # anchor 2 (0.1, never drawn): 100 px off, not compared
    check = DetectionHead(
        input_size=(640, 640),
        normalized=True,
        sigmoid=False,
        draw_threshold=0.25,
        box_px=2.0,
        box_share=0.04,
        score=0.05,
        score_share=0.0,
    )
    boxes, scores = [RawTally(b) for b in check.bounds]
    (b_ours, b_theirs), (s_ours, s_theirs) = check.groups([ours], [theirs])
    boxes.add(b_ours, b_theirs)
    scores.add(s_ours, s_theirs)
    assert (boxes.values, boxes.beyond) == (8, 1)  # 2 drawn anchors x 4 rows; the 3 px one is beyond 2 px
    assert boxes.worst == pytest.approx(3.0, abs=1e-4)
    assert not boxes.held  # 1 of 8 is more than 4%
    assert (scores.values, scores.beyond) == (240, 1) and scores.worst == pytest.approx(0.2)
    assert not scores.held
    loose = DetectionHead((640, 640), True, False, 0.25, box_px=2.0, box_share=0.2, score=0.05, score_share=0.01)
    tallies = [RawTally(b) for b in loose.bounds]
    for tally, pair in zip(tallies, loose.groups([ours], [theirs])):
        tally.add(*pair)
    assert all(t.held for t in tallies)  # 12.5% <= 20%, 1/240 <= 1%


def test_detection_head_bound_catches_a_conversion_fault_and_passes_quantization_like_noise():
    from generator.export.agreement import DetectionHead, RawTally
    from generator.export.tflite import BOX_PX, BOX_SHARE, SCORE_DELTA, SCORE_SHARE

    rng = np.random.default_rng(0)
    n = 2000
    theirs = np.zeros((1, 84, n), np.float32)
    theirs[0, :2] = rng.uniform(0.05, 0.95, (2, n))
    theirs[0, 2:4] = rng.uniform(0.02, 0.5, (2, n))
    theirs[0, 4:] = rng.uniform(0, 0.2, (80, n))
    theirs[0, 4, : n // 2] = rng.uniform(0.3, 1.0, n // 2)  # half the anchors are drawn
    check = DetectionHead((640, 640), True, False, 0.25, BOX_PX, BOX_SHARE, SCORE_DELTA, SCORE_SHARE)

    def held(ours):
        tallies = [RawTally(b) for b in check.bounds]
        for tally, pair in zip(tallies, check.groups([ours], [theirs])):
            tally.add(*pair)
        return [t.held for t in tallies]

    noise = theirs.copy()
    noise[0, :4] += rng.normal(0, 0.5 / 640, (4, n))  # half a pixel of jitter on every box value
    noise[0, 4:] += rng.normal(0, 0.002, (80, n))
    assert held(noise) == [True, True]
    shifted = theirs.copy()
    shifted[0, 0] += 4 / 640  # half a stride-8 cell: every centre 4 px off
    assert held(shifted) == [False, True]
    swapped = theirs.copy()
    swapped[0, [4, 5]] = swapped[0, [5, 4]]  # two class rows swapped
    assert held(swapped) == [True, False]  # the boxes are untouched; the scores catch it


# --- verification status ---------------------------------------------------------------------


TINY = 64


def tiny_runtime() -> DemoRuntime:
    spec = runtime().model_dump(mode="json")
    spec["input"]["size"] = [TINY, TINY]
    return DemoRuntime.model_validate(spec)


def tiny_graph(path, output: np.ndarray):
    """An ONNX graph whose `output0` is `output` whatever the image (plus 0 x its mean, so the input is used)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes = [
        helper.make_node("ReduceMean", ["images"], ["mean"], axes=[1, 2, 3], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
        helper.make_node("Add", ["head", "nothing"], ["output0"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, TINY, TINY])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, list(output.shape))],
        [
            numpy_helper.from_array(output.astype(np.float32), "head"),
            numpy_helper.from_array(np.zeros(1, np.float32), "zero"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8  # what onnxruntime reads, whatever the onnx package writes by default
    onnx.save(model, str(path))
    return path


class FakeReference:
    name = "a fake framework"
    raw_source = "the fake's tensors"
    raw_note = "the fake has no bound"
    decoded_by = "the fake's own list"

    def __init__(self, raw: np.ndarray, detections: list[Detection], raw_check=None) -> None:
        self.raw, self.dets, self.raw_check = raw, detections, raw_check

    def run(self, tensor, output_names):
        return [self.raw]

    def detections(self, image_rgb, prepared, raw, runtime, threshold):
        return list(self.dets)


@pytest.fixture
def tiny_images(tmp_path):
    import cv2

    paths = []
    for i in range(3):
        path = tmp_path / f"img{i}.png"
        cv2.imwrite(str(path), np.full((TINY, TINY, 3), 40 * i, np.uint8))  # 64x64: letterbox is the identity
        paths.append(path)
    return paths


def run_verify(tmp_path, images, ours: np.ndarray, reference):
    from generator.export.conversion import Conversion
    from generator.export.verify import verify

    graph = tiny_graph(tmp_path / "tiny.onnx", ours)
    conversion = Conversion(graph, {}, Tolerance(), None, None, None, reference)
    return verify(graph, tiny_runtime(), conversion, images, "tiny images", {0: "person"})


def test_verified_needs_matched_confident_detections(tmp_path, tiny_images):
    from generator.export.agreement import EveryValue

    out = head([(32, 32, 16, 16)], [{0: 0.9}])
    twin = Detection((24.0, 24.0, 40.0, 40.0), 0.9, 0)  # cx 32, w 16 in a 64x64 image: by hand
    info = run_verify(tmp_path, tiny_images, out, FakeReference(out, [twin], EveryValue(1e-3, 1e-3)))
    assert info.status == "matched" and info.summary.startswith("verified: 6 of 6")
    assert (info.detections.confident, info.detections.matched, info.detections.min_iou) == (6, 6, 1.0)
    assert info.raw.held is True and info.raw.groups[0].values == 84 * 3
    assert info.detections.decoded_by == "the fake's own list" and not info.not_compared


def test_a_detection_without_twin_fails(tmp_path, tiny_images):
    from generator.export.verify import VerificationFailed

    out = head([(32, 32, 16, 16)], [{0: 0.9}])
    off = Detection((30.0, 24.0, 46.0, 40.0), 0.9, 0)  # 6 px to the right: IoU 0.45
    with pytest.raises(VerificationFailed, match="6 of 6 confident detections"):
        run_verify(tmp_path, tiny_images, out, FakeReference(out, [off]))


def test_zero_of_zero_is_raw_only_with_a_bound_that_held(tmp_path, tiny_images):
    from generator.export.agreement import EveryValue

    out = head([(32, 32, 16, 16), (10, 10, 4, 4)], [{0: 0.2}, {3: 0.1}])  # nothing confident
    info = run_verify(tmp_path, tiny_images, out, FakeReference(out + 5e-4, [], EveryValue(1e-3, 1e-3)))
    assert info.status == "raw-only"
    assert info.summary == "no confident detections on the samples: compared raw outputs only"
    assert (info.detections.confident, info.detections.matched) == (0, 0)
    (group,) = info.raw.groups
    assert (group.values, group.beyond, group.held) == (84 * 2 * 3, 0, True)
    assert group.max_abs_diff == pytest.approx(5e-4, rel=1e-3)
    assert any(line.startswith("detections: neither side found any") for line in info.not_compared)
    assert not any("verified" in line for line in [info.summary, *info.compared, *info.not_compared])


def test_zero_of_zero_without_a_raw_bound_is_refused(tmp_path, tiny_images):
    from generator.export.verify import VerificationFailed

    out = head([(32, 32, 16, 16)], [{0: 0.2}])
    with pytest.raises(VerificationFailed, match="0 of 0 is not a pass"):
        run_verify(tmp_path, tiny_images, out, FakeReference(out, [], raw_check=None))


def test_a_raw_bound_violation_fails_even_when_detections_match(tmp_path, tiny_images):
    from generator.export.agreement import EveryValue
    from generator.export.verify import VerificationFailed

    out = head([(32, 32, 16, 16)], [{0: 0.9}])
    theirs = out.copy()
    theirs[0, 10, 0] += 0.01  # one class score 0.01 off: beyond 0.001 + 0.001 * |ref|
    twin = Detection((24.0, 24.0, 40.0, 40.0), 0.9, 0)
    with pytest.raises(
        VerificationFailed, match=r"raw outputs beyond their bound: every value of every output tensor: 3 of 252"
    ):
        run_verify(tmp_path, tiny_images, out, FakeReference(theirs, [twin], EveryValue(1e-3, 1e-3)))


def test_no_reference_is_not_compared(tmp_path, tiny_images):
    out = head([(32, 32, 16, 16)], [{0: 0.9}])
    info = run_verify(tmp_path, tiny_images, out, None)
    assert info.status == "not-compared" and info.reference is None
    assert info.detections is None and info.raw is None
    assert info.summary == "not compared with a source framework: the weights are already ONNX"
    assert "3 detections at or above 0.5 (not checked against anything)" in info.compared[1]


def test_manifest_refuses_a_status_its_figures_do_not_support(tmp_path, tiny_images):
    from pydantic import ValidationError

    from generator.export.agreement import EveryValue
    from generator.export.manifest import VerificationInfo

    out = head([(32, 32, 16, 16)], [{0: 0.2}])
    raw_only = run_verify(tmp_path, tiny_images, out, FakeReference(out, [], EveryValue(1e-3, 1e-3)))
    fields = raw_only.model_dump()
    with pytest.raises(ValidationError, match="0 of 0 is not a pass"):
        VerificationInfo.model_validate({**fields, "status": "matched"})
    with pytest.raises(ValidationError, match="never written"):
        VerificationInfo.model_validate({**fields, "raw": {**fields["raw"], "held": False}})
    with pytest.raises(ValidationError, match="`raw-only` is for"):
        VerificationInfo.model_validate({**fields, "raw": {**fields["raw"], "bound": None, "held": None}})
    with pytest.raises(ValidationError, match="`not-compared` has no reference"):
        VerificationInfo.model_validate({**fields, "status": "not-compared"})
    with pytest.raises(ValidationError):
        VerificationInfo.model_validate({**fields, "status": "verified"})


def test_an_accuracy_figure_below_its_floor_is_never_written():
    from pydantic import ValidationError

    from generator.export.manifest import AccuracyInfo

    ok = {
        "image_set": "coco-val2017 (first 100 images)",
        "images": 100,
        "map50_95": 0.29,
        "map50": 0.44,
        "min_map50_95": 0.05,
        "score_threshold": 0.001,
        "max_detections": 100,
        "tool": "pycocotools",
    }
    assert AccuracyInfo.model_validate(ok).map50_95 == 0.29
    with pytest.raises(ValidationError, match="below the floor"):
        AccuracyInfo.model_validate({**ok, "map50_95": 0.01})
    with pytest.raises(ValidationError, match="0 images"):
        AccuracyInfo.model_validate({**ok, "images": 0})


# --- the TFLite reference decodes its own way ----------------------------------------------------


def bus_image():
    from importlib.resources import files

    return load_image(files("ultralytics") / "assets" / "bus.jpg")


def test_tflite_reference_reads_the_postprocess_op_by_its_own_contract():
    """The SSD's detections come from the interpreter's TFLite_Detection_PostProcess outputs, whatever the
    card's decoder spec says; the oracle is the mirror README's check on bus.jpg (person 0.98, bus 0.88,
    person 0.79, person 0.34), within 0.1 as its resize was not necessarily OpenCV's."""
    from generator.export.tflite import TfliteReference

    ssd = TfliteReference(
        SETTINGS.require("weights_mirror") / "ssd_mobilenet_v2_coco" / "mobilenet_ssd_v2_coco_quant_postprocess.tflite"
    )
    assert "TFLite_Detection_PostProcess" in ssd.decoded_by and ssd.metadata is None
    image = bus_image()  # 810 x 1080
    prepared = prepare(image, SSD_RUNTIME.input)
    raw = ssd.run(prepared.tensor, [d["name"] for d in ssd.interpreter.get_output_details()])
    dets = ssd.detections(image, prepared, raw, SSD_RUNTIME, 0.3)
    assert [d.label for d in dets] == [1, 6, 1, 1]  # coco-90: 1 person, 6 bus
    assert [d.score for d in dets] == pytest.approx([0.98, 0.88, 0.79, 0.34], abs=0.1)
    bus = dets[1].box
    assert bus[2] - bus[0] > 600 and bus[3] - bus[1] > 300  # the bus spans most of the 810-pixel width
    wrong = SSD_RUNTIME.model_copy(update={"decoder": SSD_RUNTIME.decoder.model_copy(update={"box_format": "xyxy"})})
    assert ssd.detections(image, prepared, raw, wrong, 0.3) == dets  # the spec's box format is not used
    assert decode(raw, wrong, prepared.placement, 0.3) != dets  # ... where our decoder follows it


def test_ultralytics_exports_are_known_by_their_embedded_metadata():
    from generator.export.tflite import ultralytics_metadata

    weights = SETTINGS.require("weights_mirror")
    meta = ultralytics_metadata(weights / "yolo11n" / "yolo11n_int8.tflite")
    assert meta["author"] == "Ultralytics" and meta["version"] == "8.3.227" and meta["task"] == "detect"
    assert (
        ultralytics_metadata(weights / "ssd_mobilenet_v2_coco" / "mobilenet_ssd_v2_coco_quant_postprocess.tflite")
        is None
    )
