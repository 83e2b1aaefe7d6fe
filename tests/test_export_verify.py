"""Verification of an export, without exporting: raw output bounds, the verification status and the figures a
manifest may carry, and the TFLite reference's own decoding."""

from __future__ import annotations

import numpy as np
import pytest

from generator.decode import Detection, decode
from generator.export.agreement import Tolerance
from generator.preprocess import load_image, prepare
from generator.schema import DemoRuntime

from .catalogs import SETTINGS
from .export_specs import SSD_RUNTIME, head, runtime

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
