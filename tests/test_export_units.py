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
from .export_specs import IDENTITY, SSD_RUNTIME, head, runtime

EXPORT_CARDS = sorted((FIXTURES / "cards" / "export").glob("*.yaml"))


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
