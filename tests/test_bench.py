"""`versus bench`: the figures, the records, resuming a run, and the command itself (accuracy: tests/test_bench_accuracy.py; the command: tests/test_bench_command.py)."""

from __future__ import annotations

import json
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

from .catalogs import ARTIFACTS, CATALOG, ROOT
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
