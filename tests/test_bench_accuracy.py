"""`versus bench`'s accuracy step: checked against Ultralytics' own validator, the listed val2017 set, the record's figures and protocol (the evaluator itself: tests/test_coco_eval.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.artifacts import load_artifacts
from generator.bench import accuracy, report
from generator.loader import load_catalog

from .bench_fixtures import exported, sample_set  # noqa: F401 - fixtures
from .catalogs import CATALOG, SETTINGS
from .conftest import shared_folder

# Every test here reads the shared image sets; without them each is a named skip (tests/conftest.py).
pytestmark = pytest.mark.needs_shared("sample_set", "accuracy_images")
SAMPLES = shared_folder("sample_set")
VAL2017 = shared_folder("accuracy_images")
IMAGE = SAMPLES / "images" / "000000000036.jpg"


def test_accuracy_agrees_with_ultralytics_own_validator(exported: Path, sample_set, tmp_path: Path) -> None:
    """Our ONNX + reference decoding + pycocotools against Ultralytics' `val` (its own mAP code, its own
    pre- and post-processing) on the source TFLite file: two independent paths to the same figure."""
    from ultralytics import YOLO

    from generator.demo import labels_by_id

    (artifact,) = [a for a in load_artifacts(exported)["yolo11n.coco"] if a.artifact_id == "yolo11n.coco"]
    names = labels_by_id(load_catalog(CATALOG).registry.labels[artifact.runtime.labels].labels)
    ours = accuracy.measure_accuracy(
        exported / "yolo11n.coco" / "model.onnx", artifact.runtime, names, sample_set, resamples=0
    )

    data = tmp_path / "set"  # a copy: Ultralytics writes a labels cache beside the labels
    shutil.copytree(SAMPLES, data)
    config = (
        (data / "coco-sample.yaml")
        .read_text()
        .replace("path: .", f"path: {data}")
        .replace("val: images", "train: images\nval: images")
    )
    (data / "data.yaml").write_text(config)
    theirs = YOLO(str(SETTINGS.require("weights_mirror") / "yolo11n" / "yolo11n_int8.tflite"), task="detect").val(
        data=str(data / "data.yaml"), imgsz=640, batch=1, verbose=False, plots=False, project=str(tmp_path), name="val"
    )
    print(
        f"yolo11n mAP50-95 / mAP50: ours {ours.map50_95:.3f} / {ours.map50:.3f}, ultralytics {theirs.box.map:.3f} / {theirs.box.map50:.3f}"
    )
    assert ours.images == 100
    assert ours.map50_95 == pytest.approx(theirs.box.map, abs=0.03)
    assert ours.map50 == pytest.approx(theirs.box.map50, abs=0.03)


def test_the_accuracy_set_is_its_own_dataset_never_aligned_with_full_val2017(catalog) -> None:
    """compare.py lines figures up only on equal dataset ids (an id ending in `not-stated` follows its own rule)."""
    from generator import compare
    from generator.measurement import IMAGE_SET, QUICK_SET

    assert {IMAGE_SET, QUICK_SET} <= set(catalog.registry.datasets) and IMAGE_SET != "coco-val2017"
    assert not compare.is_unstated(IMAGE_SET)
    assert [s.dataset for s in accuracy.SETS.values()] == [IMAGE_SET, QUICK_SET] and accuracy.DEFAULT_SET == "val2017"


def _coco80() -> list[str]:
    labels = load_catalog(CATALOG).registry.labels["coco-80"].labels
    return [labels[i] for i in sorted(labels)]


def test_the_val2017_set_is_exactly_its_listed_images(tmp_path: Path) -> None:
    from generator import labelled_set

    spec = accuracy.SETS["val2017"]
    listed = labelled_set.read_image_list(CATALOG / "datasets" / f"{spec.dataset}.csv")
    loaded = accuracy.load_set(spec, VAL2017, _coco80(), CATALOG)
    assert len(listed) == 800 and [i.path.name for i in loaded.labelled.images] == [e.file for e in listed]
    assert [i.size for i in loaded.labelled.images[:3]] == [(e.height, e.width) for e in listed[:3]]

    # A folder holding more than the set (all of val2017, say) gives the listed images only; a changed image or
    # label file is refused, naming the file.
    folder = tmp_path / "val2017"
    (folder / "images").mkdir(parents=True)
    for path in (VAL2017 / "images").glob("*.jpg"):
        (folder / "images" / path.name).symlink_to(path)
    shutil.copytree(VAL2017 / "labels", folder / "labels")
    (folder / "images" / "000000999999.jpg").symlink_to(VAL2017 / "images" / listed[0].file)
    again = accuracy.load_set(spec, folder, _coco80(), CATALOG)
    assert len(again.labelled.images) == 800 and (again.images_sha256, again.labels_sha256) == (
        loaded.images_sha256,
        loaded.labels_sha256,
    )
    label = folder / "labels" / f"{Path(listed[1].file).stem}.txt"
    label.write_text(label.read_text() + "0 0.5 0.5 0.1 0.1\n")
    with pytest.raises(
        labelled_set.LabelledSetError,
        match=f"{label.name}: {listed[1].boxes + 1} boxes, the set's list says {listed[1].boxes}",
    ):
        accuracy.load_set(spec, folder, _coco80(), CATALOG)
    shutil.copyfile(VAL2017 / "labels" / label.name, label)
    changed = folder / "images" / listed[2].file
    changed.unlink()
    changed.write_bytes((VAL2017 / "images" / listed[2].file).read_bytes() + b"\0")
    with pytest.raises(labelled_set.LabelledSetError, match=f"{listed[2].file}: not the set's image"):
        accuracy.load_set(spec, folder, _coco80(), CATALOG)


def test_weights_precision_is_read_from_the_graph(tmp_path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper

    def model(dtype: int, dequantize: bool) -> Path:
        weight = helper.make_tensor("w", dtype, [4, 4], [1] * 16)
        nodes = (
            [helper.make_node("DequantizeLinear", ["w", "s", "z"], ["y"])]
            if dequantize
            else [helper.make_node("Identity", ["w"], ["y"])]
        )
        extra = (
            [helper.make_tensor("s", TensorProto.FLOAT, [], [0.1]), helper.make_tensor("z", dtype, [], [0])]
            if dequantize
            else []
        )
        graph = helper.make_graph(
            nodes, "g", [], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 4])], [weight, *extra]
        )
        path = tmp_path / f"{dtype}-{dequantize}.onnx"
        onnx.save(helper.make_model(graph), str(path))
        return path

    assert accuracy.weights_precision(model(TensorProto.FLOAT, False)) == "fp32"
    assert accuracy.weights_precision(model(TensorProto.FLOAT16, False)) == "fp16"
    assert accuracy.weights_precision(model(TensorProto.UINT8, True)) == "uint8 (quantized weights)"
    assert accuracy.weights_precision(model(TensorProto.INT8, True)) == "int8 (quantized weights)"
    # What the converter recorded about the source completes it: a float graph may hold 8-bit weights' values.
    assert (
        accuracy.artifact_precision(model(TensorProto.FLOAT, False), "weights", "tflite")
        == "fp32 holding the tflite source's quantized weights (dequantized on conversion)"
    )
    assert (
        accuracy.artifact_precision(model(TensorProto.UINT8, True), "activations", "tflite")
        == "uint8 (quantized weights), activations quantized too (QDQ graph of the tflite source)"
    )
    assert accuracy.artifact_precision(model(TensorProto.FLOAT, False), None, "onnx") == "fp32"


def test_accuracy_record_carries_every_figure_and_the_protocol(exported: Path) -> None:
    """yolo11n on a test-sized piece of the val2017 set (the bench measures all 800): every figure, each
    consistent with the others, and the protocol read from the artifact and its runtime spec."""
    import hashlib

    from generator import labelled_set
    from generator.demo import labels_by_id
    from generator.measurement import IMAGE_SET

    (artifact,) = [a for a in load_artifacts(exported)["yolo11n.coco"] if a.artifact_id == "yolo11n.coco"]
    whole = accuracy.load_set(accuracy.SETS["val2017"], VAL2017, _coco80(), CATALOG)
    piece = labelled_set.LabelledSet(whole.labelled.root, whole.labelled.names, whole.labelled.images[:40])
    bench_set = accuracy.BenchSet(whole.spec, piece, *labelled_set.set_digests(piece))
    seen, logged = [], []
    names = labels_by_id(load_catalog(CATALOG).registry.labels[artifact.runtime.labels].labels)
    a = accuracy.measure_accuracy(
        exported / "yolo11n.coco" / "model.onnx",
        artifact.runtime,
        names,
        bench_set,
        progress=lambda done, total: seen.append((done, total)),
        resamples=200,
        log=logged.append,
    )
    print("\n".join(report.accuracy_lines(a, classes=10)))
    assert seen == [(i, 40) for i in range(1, 41)] and "accuracy on 40 images in" in logged[0]
    assert a.dataset == IMAGE_SET and a.images == 40 and a.instances == sum(len(i.classes) for i in piece.images)
    assert sum(c.instances for c in a.per_class) == a.instances
    assert 0.3 < a.map50_95 < a.map50 < 0.9 and a.map50_95 < a.map75 < a.map50
    assert a.interval.low < a.map50_95 < a.interval.high and (a.interval.resamples, a.interval.confidence) == (
        200,
        0.95,
    )
    person = next(c for c in a.per_class if c.name == "person")
    assert person.instances == max(c.instances for c in a.per_class) and 0.3 < person.ap50_95 < person.ap50
    p = a.protocol
    decoder = artifact.runtime.decoder
    assert p.input_size == (640, 640) and p.resize == "letterbox (centre)" and p.precision == "fp32"
    assert (p.nms.where, p.nms.class_aware, p.nms.iou_threshold, p.nms.max_kept) == (
        "outside",
        decoder.class_aware_nms,
        decoder.iou_threshold,
        decoder.max_detections,
    )
    assert p.images_sha256 == hashlib.sha256("".join(f"{i.path.name}\n" for i in piece.images).encode()).hexdigest()
    assert "crowd" in p.crowd and "box area" in p.size_buckets
    assert (a.score_threshold, a.max_detections) == (0.001, 100)
