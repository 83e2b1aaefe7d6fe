"""`versus bench`: the figures, the records, resuming, and accuracy checked against an independent evaluator."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from generator.artifacts import load_artifacts
from generator.bench import accuracy, report
from generator.bench import run as bench_run
from generator.bench.machine import this_machine
from generator.bench.rounds import PartialRounds
from generator.bench.stats import figure
from generator.loader import load_catalog
from generator.measurement import Measurement, read_record

from .catalogs import ARTIFACTS, CATALOG, ROOT, SETTINGS, export_artifacts
from .conftest import shared_folder

# Most of this module reads the shared image sets; without them it is reported as skipped (tests/conftest.py).
pytestmark = pytest.mark.needs_shared("sample_set", "accuracy_images")
SAMPLES = shared_folder("sample_set")
VAL2017 = shared_folder("accuracy_images")
IMAGE = SAMPLES / "images" / "000000000036.jpg"


@pytest.mark.parametrize("samples", [[5.0], [3, 1, 2], [10, 1, 4, 7], list(np.random.default_rng(1).gamma(2, 10, 57))])
def test_figure_quartiles_match_numpy(samples) -> None:
    f = figure(samples)
    q1, median, q3 = np.percentile(samples, [25, 50, 75])
    assert (f.q1, f.median, f.q3) == pytest.approx((q1, median, q3))
    assert (f.min, f.max, f.runs) == (min(samples), max(samples), len(samples))


def _record(**changes) -> dict:
    base = {
        "run": "20261121T120000Z-test-box",
        "recorded_by": "versus bench",
        "started": "2026-11-21T12:00:00Z",
        "updated": "2026-11-21T12:05:00Z",
        "commit": None,
        "machine": {"name": "test-box", "cpu": "Test CPU", "cores": 2, "memory_bytes": 2**30, "os": "Linux"},
        "software": {},
        "complete": True,
        "artifact": {
            "artifact_id": "yolov12n.untrained",
            "card_id": "yolov12",
            "variant_id": "yolov12n.v1",
            "sha256": "a" * 64,
            "bytes": 10,
            "trained": False,
        },
        "skipped": {"native": "x", "browser": "y", "accuracy": "z"},
    }
    return {**base, **changes}


def test_record_rules() -> None:
    Measurement.model_validate(_record())
    with pytest.raises(ValidationError, match="complete record measures it"):
        Measurement.model_validate(_record(skipped={"native": "x"}))
    assert Measurement.model_validate(_record(skipped={}, complete=False)).pending() == [
        "native",
        "browser",
        "accuracy",
    ]
    untrained_accuracy = {
        "dataset": "coco-train2017-sample100",
        "images": 100,
        "map50_95": 0.1,
        "map50": 0.2,
        "tool": "pycocotools 2",
        "score_threshold": 0.001,
        "max_detections": 100,
    }
    with pytest.raises(ValidationError, match="untrained artifact"):
        Measurement.model_validate(_record(accuracy=untrained_accuracy, skipped={"native": "x", "browser": "y"}))
    trained = {**_record()["artifact"], "trained": True}
    bare_val2017 = {**untrained_accuracy, "dataset": "coco-val2017-person800"}
    with pytest.raises(ValidationError, match="instances, map75, interval, protocol, per_class missing"):
        Measurement.model_validate(
            _record(artifact=trained, accuracy=bare_val2017, skipped={"native": "x", "browser": "y"})
        )
    with pytest.raises(ValidationError, match="min <= q1"):
        figure_json = {"median": 1, "q1": 2, "q3": 3, "min": 0, "max": 4, "runs": 3}
        Measurement.model_validate(
            _record(
                native=[
                    {
                        "threads": 1,
                        "warmup": 0,
                        "session_ms": 1,
                        "inference": figure_json,
                        "end_to_end": figure_json,
                        "peak_rss_bytes": 1,
                    }
                ]
            )
        )


# --- accuracy (the evaluator itself: tests/test_coco_eval.py) ---------------------------------------------


@pytest.fixture(scope="module")
def sample_set():
    return accuracy.read_sample_set(SAMPLES)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """yolo11n and the untrained YOLOv12n graph, exported as `versus export` does (a cache hit after .ci/test's)."""
    out = tmp_path_factory.mktemp("bench") / "artifacts"
    export_artifacts(out, "yolo11n.coco")
    return export_artifacts(out, "--untrained", "yolov12n")


def test_accuracy_agrees_with_ultralytics_own_validator(exported: Path, sample_set, tmp_path: Path) -> None:
    """Our ONNX + reference decoding + pycocotools against Ultralytics' `val` (its own mAP code, its own
    pre- and post-processing) on the source TFLite file: two independent paths to the same figure."""
    from ultralytics import YOLO

    from generator.demo import labels_by_id

    (artifact,) = load_artifacts(exported)["yolo11n.coco"]
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
    from generator import coco_eval

    spec = accuracy.SETS["val2017"]
    listed = coco_eval.read_image_list(CATALOG / "datasets" / f"{spec.dataset}.csv")
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
        coco_eval.LabelledSetError,
        match=f"{label.name}: {listed[1].boxes + 1} boxes, the set's list says {listed[1].boxes}",
    ):
        accuracy.load_set(spec, folder, _coco80(), CATALOG)
    shutil.copyfile(VAL2017 / "labels" / label.name, label)
    changed = folder / "images" / listed[2].file
    changed.unlink()
    changed.write_bytes((VAL2017 / "images" / listed[2].file).read_bytes() + b"\0")
    with pytest.raises(coco_eval.LabelledSetError, match=f"{listed[2].file}: not the set's image"):
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

    from generator import coco_eval
    from generator.demo import labels_by_id
    from generator.measurement import IMAGE_SET

    (artifact,) = load_artifacts(exported)["yolo11n.coco"]
    whole = accuracy.load_set(accuracy.SETS["val2017"], VAL2017, _coco80(), CATALOG)
    piece = coco_eval.LabelledSet(whole.labelled.root, whole.labelled.names, whole.labelled.images[:40])
    bench_set = accuracy.BenchSet(whole.spec, piece, *coco_eval.set_digests(piece))
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


# --- the run: records written step by step, resumed after an interruption -------------------------------


def _context(tmp_path: Path, artifacts: Path) -> bench_run.Context:
    return bench_run.Context(
        catalog=load_catalog(CATALOG),
        artifact_root=artifacts,
        records_root=tmp_path / "records",
        accuracy_root=SAMPLES,
        accuracy_set="sample100",
        latency_image=IMAGE,
        machine=this_machine("test-box"),
        commit="abc",
    )


def _fake_native(calls: list):
    from generator.bench.native import RoundSamples

    def measure(model, runtime_json, image, threads, settings):
        calls.append((Path(model).parent.name, threads))
        times = [10.0 * threads + len(calls), 11.0 * threads + len(calls), 12.0 * threads + len(calls)]
        return RoundSamples(
            started="2026-11-21T12:00:00+00:00",
            session_ms=5,
            peak_rss_bytes=len(calls),
            rss_before_session_bytes=0,
            inference=times,
            end_to_end=times,
        ), {"onnxruntime": "x"}

    return measure


def test_an_interrupted_run_keeps_its_steps_and_resumes_where_it_stopped(tmp_path, monkeypatch) -> None:
    targets = sorted((a for group in load_artifacts(ARTIFACTS).values() for a in group), key=lambda a: not a.trained)
    assert [a.trained for a in targets] == [True, False]
    ctx = _context(tmp_path, ARTIFACTS)
    plan = bench_run.Plan(threads=(1, 2), rounds=3, sections=("native", "accuracy"))
    calls: list = []
    monkeypatch.setattr(bench_run, "measure_round", _fake_native(calls))

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C at the first accuracy step, which comes after the first native round

    monkeypatch.setattr(accuracy, "measure_accuracy", interrupted)
    run = bench_run.start_run(ctx)
    with pytest.raises(KeyboardInterrupt):
        bench_run.bench(targets, ctx, plan, run)
    assert len(calls) == 4, "one round of each artifact and thread setting before anything else"
    kept = {p.stem: read_record(p) for p in (ctx.records_root / run[0]).glob("*.json")}
    assert set(kept) == {a.artifact_id for a in targets} and not any(r.native or r.complete for r in kept.values())
    stored = PartialRounds(ctx.records_root / run[0])
    assert all(stored.counts(a.artifact_id) == {1: 1, 2: 1} for a in targets)

    calls.clear()
    monkeypatch.setattr(accuracy, "measure_accuracy", _fake_accuracy)
    outcome = bench_run.bench(targets, ctx, plan, bench_run.start_run(ctx, resume=run[0]))
    assert len(calls) == 8, "rounds 2 and 3 only: the stored first round is not measured again"
    records = {p.stem: read_record(p) for p in outcome.records}
    assert all(r.complete and r.run == run[0] for r in records.values())
    first = records[targets[0].artifact_id]
    assert [(n.threads, len(n.rounds), n.inference.runs) for n in first.native] == [(1, 3, 9), (2, 3, 9)]
    assert not (ctx.records_root / run[0] / ".rounds").exists(), "pooled rounds are dropped"
    untrained = next(r for r in records.values() if not r.artifact.trained)
    assert untrained.accuracy is None and "untrained" in untrained.skipped["accuracy"]
    assert first.skipped == {"browser": "not measured in this run (left out with --skip browser)"}
    assert "native 2t" in report.run_table(list(records.values()))


def test_stored_rounds_that_make_a_whole_figure_are_pooled_without_measuring_again(tmp_path, monkeypatch) -> None:
    """A run resumed with fewer --rounds than it began with: its stored rounds already make the figure."""
    calls: list = []
    measure = _fake_native(calls)
    monkeypatch.setattr(bench_run, "measure_round", measure)
    ctx = _context(tmp_path, ARTIFACTS)
    run = bench_run.start_run(ctx)
    stored = PartialRounds(ctx.records_root / run[0])
    for _ in range(2):
        stored.add("yolo11n.coco", 1, measure(ARTIFACTS / "yolo11n.coco" / "model.onnx", "{}", IMAGE, 1, None)[0])
    calls.clear()
    outcome = bench_run.bench(
        load_artifacts(ARTIFACTS)["yolo11n.coco"],
        ctx,
        bench_run.Plan(threads=(1,), rounds=2, sections=("native",)),
        run,
    )
    (record,) = [read_record(p) for p in outcome.records]
    assert calls == [] and record.complete and [len(n.rounds) for n in record.native] == [2]
    assert not (ctx.records_root / run[0] / ".rounds").exists(), "rounds pooled into the record are dropped"


def test_native_rounds_are_spread_over_the_run() -> None:
    a, b = (load_artifacts(ARTIFACTS)[k][0] for k in ("yolo11n.coco", "yolov12n.v1"))
    plan = bench_run.Plan(threads=(1, 2), rounds=3)
    todo = [(x, s) for x in (a, b) for s in bench_run.steps(plan)]
    order = [(x.artifact_id[:4], str(s)) for x, s in bench_run.schedule(todo)]
    rounds = [next(i for i, (_, s) in enumerate(order) if s.endswith(f"round {r}")) for r in (1, 2, 3)]
    assert rounds[0] == 0 and rounds[1] > 4 and rounds[2] > rounds[1] + 4, order
    assert [s for _, s in order[4:6]] == ["accuracy", "accuracy"], "accuracy right after the first round"
    assert all("round 3" in s for _, s in order[-4:]), "the last round closes the run"
    assert sorted(order) == sorted((x.artifact_id[:4], str(s)) for x, s in todo)
    one = bench_run.schedule([item for item in todo if item[1].round in (None, 3)])
    assert [s.section for _, s in one][:4] == ["native"] * 4, "one round left: native first, as before rounds"


def test_rounds_pool_into_one_figure() -> None:
    from generator.bench.native import RoundSamples, Settings, pooled

    def round_(times, peak):
        return RoundSamples(
            started="2026-11-21T12:00:00+00:00",
            session_ms=peak / 10,
            peak_rss_bytes=peak,
            rss_before_session_bytes=peak // 2,
            inference=times,
            end_to_end=[t + 1 for t in times],
        )

    latency = pooled(2, 5, [round_([10, 11, 12], 100), round_([20, 21, 22, 23], 300), round_([15], 200)])
    assert latency.inference == figure([10, 11, 12, 20, 21, 22, 23, 15])
    assert latency.end_to_end.median == figure([11, 12, 13, 21, 22, 23, 24, 16]).median
    assert (latency.peak_rss_bytes, latency.rss_before_session_bytes, latency.session_ms) == (300, 150, 20)
    assert [r.inference_median for r in latency.rounds] == [11, 21.5, 15]
    assert latency.drift == pytest.approx((21.5 - 11) / latency.inference.median)
    assert Settings(min_runs=30, min_seconds=3.0).per_round(4) == Settings(min_runs=8, min_seconds=0.75, max_runs=250)


def test_a_failed_step_stays_pending_and_the_record_incomplete(tmp_path, monkeypatch) -> None:
    from generator.bench.native import NativeFailed

    ok = _fake_native([])

    def flaky(model, runtime_json, image, threads, settings):
        if threads == 2:
            raise NativeFailed("the measuring process died")
        return ok(model, runtime_json, image, threads, settings)

    monkeypatch.setattr(bench_run, "measure_round", flaky)
    ctx = _context(tmp_path, ARTIFACTS)
    outcome = bench_run.bench(
        load_artifacts(ARTIFACTS)["yolo11n.coco"],
        ctx,
        bench_run.Plan(threads=(1, 2), rounds=3, sections=("native",)),
        bench_run.start_run(ctx),
    )
    (record,) = [read_record(p) for p in outcome.records]
    assert not record.complete and [n.threads for n in record.native] == [1]
    assert outcome.failures == [
        f"yolo11n.coco: native 2 threads, round {r}: the measuring process died" for r in (1, 2, 3)
    ]


def test_unreadable_stored_rounds_name_their_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(bench_run, "measure_round", _fake_native([]))
    monkeypatch.setattr(accuracy, "measure_accuracy", _fake_accuracy)
    ctx = _context(tmp_path, ARTIFACTS)
    run = bench_run.start_run(ctx)
    bench_run.bench(
        load_artifacts(ARTIFACTS)["yolo11n.coco"], ctx, bench_run.Plan(threads=(1,), sections=("accuracy",)), run
    )
    broken = ctx.records_root / run[0] / ".rounds" / "yolo11n.coco.json"
    broken.parent.mkdir()
    broken.write_text('{"1": [{"started": ')
    with pytest.raises(bench_run.BenchError, match=r"yolo11n.coco.json: cannot read the rounds.*delete the file"):
        bench_run.bench(
            load_artifacts(ARTIFACTS)["yolo11n.coco"],
            ctx,
            bench_run.Plan(threads=(1,)),
            bench_run.start_run(ctx, resume=run[0]),
        )


def test_a_run_being_measured_cannot_be_resumed_at_the_same_time(tmp_path, monkeypatch) -> None:
    calls: list = []
    monkeypatch.setattr(bench_run, "measure_round", _fake_native(calls))
    ctx = _context(tmp_path, ARTIFACTS)
    targets, plan = (
        load_artifacts(ARTIFACTS)["yolo11n.coco"],
        bench_run.Plan(threads=(1,), rounds=1, sections=("native",)),
    )
    run = bench_run.start_run(ctx)
    # as another process measuring this run holds the lock
    with (
        bench_run.run_lock(ctx.records_root / run[0]),
        pytest.raises(bench_run.BenchError, match="another `versus bench` is measuring run"),
    ):
        bench_run.bench(targets, ctx, plan, run)
    assert calls == [] and not list((ctx.records_root / run[0]).glob("*.json"))
    bench_run.bench(targets, ctx, plan, run)
    assert len(calls) == 1 and not (ctx.records_root / run[0] / ".lock").exists()


def test_no_browser_is_recorded_as_skipped_with_the_reason(tmp_path, monkeypatch) -> None:
    from generator.bench import browser

    class Missing:
        def __init__(self, *args, **kwargs):
            raise browser.BrowserUnavailable("chromium not found at /nowhere")

    monkeypatch.setattr(browser, "BrowserBench", Missing)
    monkeypatch.setattr(bench_run, "measure_round", _fake_native([]))
    targets = load_artifacts(ARTIFACTS)["yolo11n.coco"]
    ctx = _context(tmp_path, ARTIFACTS)
    outcome = bench_run.bench(
        targets, ctx, bench_run.Plan(threads=(1, 2), sections=("native", "browser")), bench_run.start_run(ctx)
    )
    (record,) = [read_record(p) for p in outcome.records]
    assert record.complete and not record.browser and not outcome.failures
    assert record.skipped["browser"] == "no browser to measure in: chromium not found at /nowhere"


def test_peak_memory_is_the_measuring_process_own(tmp_path) -> None:
    """Linux carries ru_maxrss across fork and exec: a child of a big parent must not report the parent's peak."""
    code = (
        "import subprocess, sys\n"
        "ballast = bytearray(400 * 2**20)\n"
        "for i in range(0, len(ballast), 4096): ballast[i] = 1\n"
        "child = 'from generator.bench.native import _peak_rss_bytes; print(_peak_rss_bytes())'\n"
        "print(subprocess.run([sys.executable, '-c', child], capture_output=True, text=True, check=True).stdout)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert 0 < int(out.strip()) < 200 * 2**20


def _fake_accuracy(model, runtime, names, sample, **kwargs):
    from generator.measurement import Accuracy

    return Accuracy(
        dataset="coco-train2017-sample100",
        images=1,
        map50_95=0.5,
        map50=0.6,
        tool="pycocotools 0",
        score_threshold=0.001,
        max_detections=100,
    )


def test_the_accuracy_step_reads_the_val2017_set_or_says_why_not(tmp_path, monkeypatch) -> None:
    from dataclasses import replace

    got = []

    def fake(model, runtime, names, bench_set, **kwargs):
        got.append((bench_set, kwargs))
        return _fake_accuracy(model, runtime, names, bench_set)

    monkeypatch.setattr(accuracy, "measure_accuracy", fake)
    targets = load_artifacts(ARTIFACTS)["yolo11n.coco"]
    ctx = replace(_context(tmp_path, ARTIFACTS), accuracy_root=VAL2017, accuracy_set="val2017")
    plan = bench_run.Plan(threads=(1,), sections=("accuracy",), bootstrap=50)
    bench_run.bench(targets, ctx, plan, bench_run.start_run(ctx), on_images=print)
    ((bench_set, kwargs),) = got
    assert bench_set.spec.dataset == "coco-val2017-person800" and len(bench_set.labelled.images) == 800
    assert kwargs["resamples"] == 50 and kwargs["progress"] is print

    nowhere = replace(ctx, accuracy_root=tmp_path / "nowhere", records_root=tmp_path / "other")
    (path,) = bench_run.bench(targets, nowhere, plan, bench_run.start_run(nowhere)).records
    assert read_record(path).skipped["accuracy"].startswith("no 800 COCO val2017 images with people here (")


def test_a_run_keeps_one_accuracy_set(tmp_path, monkeypatch) -> None:
    """Records of one run are lined up on comparison pages: resuming on another set would mix them."""
    from dataclasses import replace

    monkeypatch.setattr(accuracy, "measure_accuracy", _fake_accuracy)
    targets = load_artifacts(ARTIFACTS)["yolo11n.coco"]
    ctx = _context(tmp_path, ARTIFACTS)
    run = bench_run.start_run(ctx)
    bench_run.bench(targets, ctx, bench_run.Plan(threads=(1,), sections=("accuracy",)), run)
    val2017 = replace(ctx, accuracy_root=VAL2017, accuracy_set="val2017")
    with pytest.raises(
        bench_run.BenchError,
        match="measured accuracy on coco-train2017-sample100; resume it with --accuracy-set sample100",
    ):
        bench_run.bench(targets, val2017, bench_run.Plan(threads=(1,)), bench_run.start_run(val2017, resume=run[0]))


def test_resume_refuses_a_re_exported_artifact(tmp_path, monkeypatch) -> None:
    targets = load_artifacts(ARTIFACTS)["yolo11n.coco"]
    ctx = _context(tmp_path, ARTIFACTS)
    monkeypatch.setattr(bench_run, "measure_round", _fake_native([]))
    run = bench_run.start_run(ctx)
    bench_run.bench(targets, ctx, bench_run.Plan(threads=(1,), sections=("native",)), run)
    path = ctx.records_root / run[0] / "yolo11n.coco.json"
    data = json.loads(path.read_text())
    data["artifact"]["sha256"] = "0" * 64
    path.write_text(json.dumps(data))
    with pytest.raises(bench_run.BenchError, match="re-exported since run"):
        bench_run.bench(targets, ctx, bench_run.Plan(threads=(1,)), bench_run.start_run(ctx, resume=run[0]))


def test_two_runs_are_compared_median_by_median() -> None:
    def rec(ms: float) -> Measurement:
        f = figure([ms, ms, ms])
        native = [{"threads": 1, "warmup": 0, "session_ms": 1, "inference": f, "end_to_end": f, "peak_rss_bytes": 1}]
        return Measurement.model_validate(_record(native=native, skipped={"browser": "y", "accuracy": "z"}))

    diffs = report.differences([rec(100.0)], [rec(108.0)])
    assert [(d.figure, round(d.relative, 2)) for d in diffs] == [
        ("native 1t inference", 0.08),
        ("native 1t end-to-end", 0.08),
    ]
    assert "within 10%" in report.difference_table(diffs)
    assert "outside 10%" in report.difference_table(report.differences([rec(100.0)], [rec(120.0)]))


# --- the command, for real ------------------------------------------------------------------------------


def test_versus_bench_measures_and_records(exported: Path, tmp_path: Path) -> None:
    records = tmp_path / "records"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "bench",
            "yolo11n.coco",
            "yolov12n.untrained",
            "--no-export",
            "--artifacts",
            str(exported),
            "--records",
            str(records),
            "--skip",
            "browser",
            "--accuracy-set",
            "sample100",
            "--bootstrap",
            "100",
            "--threads",
            "1",
            "--rounds",
            "2",
            "--runs",
            "3",
            "--min-seconds",
            "0",
            "--warmup",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (run,) = records.iterdir()
    found = {p.stem: read_record(p) for p in run.glob("*.json")}
    assert set(found) == {"yolo11n.coco", "yolov12n.untrained"}
    trained, untrained = found["yolo11n.coco"], found["yolov12n.untrained"]
    assert trained.complete and trained.commit and trained.machine.cores == os.cpu_count()
    (native,) = trained.native
    assert native.threads == 1 and native.inference.runs >= 3 and native.inference.median > 1
    assert len(native.rounds) == 2 and sum(r.runs for r in native.rounds) == native.inference.runs
    assert not (run / ".rounds").exists()
    assert native.end_to_end.median > native.inference.min  # pre-processing and decoding are not free
    assert native.peak_rss_bytes > native.rss_before_session_bytes > 0
    assert 0.3 < trained.accuracy.map50_95 < trained.accuracy.map50 < 0.9
    assert trained.accuracy.dataset == "coco-train2017-sample100" and trained.accuracy.interval.resamples == 100
    assert (
        trained.accuracy.map75
        and trained.accuracy.per_class
        and trained.accuracy.protocol.precision
        == ("fp32 holding the tflite source's quantized weights (dequantized on conversion)")
    )
    assert trained.software["onnxruntime"] and trained.software["pycocotools"]
    assert untrained.accuracy is None and untrained.native and not untrained.artifact.trained
    assert "UNTRAINED" in done.stdout and "100 COCO train2017 images (training images: a quick check" in done.stdout
    assert "100/100" in done.stderr and "accuracy on 100 images in" in done.stderr, "image progress and the step's time"
    assert started_recently(trained.started)


def started_recently(when: dt.datetime) -> bool:
    return abs((dt.datetime.now(dt.UTC) - when).total_seconds()) < 3600


def test_versus_bench_names_what_it_cannot_find(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "bench",
            "nope",
            "--no-export",
            "--artifacts",
            str(ARTIFACTS),
            "--records",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "no artifact for nope" in done.stderr and "yolo11n.coco" in done.stderr
    assert not any(tmp_path.iterdir())
