"""The browser-accuracy section without a browser: its scoring against hand-made detections, the record field
(optional, so runs made before it still load), and `--resume` of such a run adding just this section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import ValidationError

from generator.artifacts import load_artifacts
from generator.bench import accuracy, report
from generator.bench import browser_accuracy as ba
from generator.bench import run as bench_run
from generator.bench.machine import this_machine
from generator.decode import Detection
from generator.export.agreement import Tolerance
from generator.loader import load_catalog
from generator.measurement import IMAGE_SET, BrowserAccuracy, read_record, write_record

from .catalogs import ARTIFACTS, CATALOG, MEASUREMENTS, SETTINGS


def samples() -> Path:
    """The train2017 sample set's folder; missing, the calling test is a named skip (tests/conftest.py)."""
    return SETTINGS.require("sample_set")


def sample(images: int):
    """The first images of the train2017 sample, with their decoded sizes recorded (as images.csv records them)."""
    from dataclasses import replace

    labelled = ba.subset(accuracy.read_sample_set(samples()).labelled, images)
    sizes = accuracy.image_sizes(labelled)
    return replace(labelled, images=tuple(replace(i, size=s) for i, s in zip(labelled.images, sizes, strict=True)))


def perfect(labelled) -> list[list[Detection]]:
    """The labels themselves as detections (score 0.9, label id = class index of the set's names)."""
    out = []
    for item in labelled.images:
        h, w = item.size
        found = []
        for (cx, cy, bw, bh), cls in zip(item.boxes, item.classes, strict=True):
            box = ((cx - bw / 2) * w, (cy - bh / 2) * h, (cx + bw / 2) * w, (cy + bh / 2) * h)
            found.append(Detection(tuple(float(v) for v in box), 0.9, int(cls)))
        out.append(found)
    return out


def test_scoring_compares_both_sides_on_the_same_images() -> None:
    """Labels as detections score mAP 1 (pycocotools' own verdict); dropping every box of one image on the browser
    side lowers its mAP, shows as a negative difference and as one image that disagrees."""
    sized = sample(6)
    labelled = sized
    native = perfect(sized)
    browser = [list(d) for d in native]
    assert any(native), "the sample's first images have labels"
    dropped = next(k for k, d in enumerate(native) if d)
    browser[dropped] = []
    run = ba.BrowserRun(browser, "wasm", 2, 0.0, 0.0)
    names = list(labelled.names)
    result = ba.score(sized, IMAGE_SET, native, run, names, Tolerance(), resamples=50)
    assert result.native_map50_95 == pytest.approx(1.0) and result.native_map50 == pytest.approx(1.0)
    assert result.map50_95 < 1.0 and result.difference == pytest.approx(result.map50_95 - 1.0)
    low, high = result.difference_interval
    assert low <= result.difference <= high <= 0.0
    a = result.agreement
    assert (a.images, a.images_agreeing) == (6, 5)
    assert a.detections == sum(map(len, native)) + sum(map(len, browser))
    assert a.matched == 2 * sum(map(len, browser))
    same = ba.score(sized, IMAGE_SET, native, ba.BrowserRun(native, "wasm", 2, 0.0, 0.0), names, Tolerance(), 20)
    assert same.difference == 0.0 and same.difference_interval == (0.0, 0.0) and same.agreement.images_agreeing == 6
    assert "difference -" in report.browser_accuracy_line(result)
    assert result.images_sha256 == ba.names_sha256(sized) != ba.names_sha256(ba.subset(sized, 5))


def test_the_difference_must_add_up() -> None:
    good = json.loads(
        BrowserAccuracy(
            dataset=IMAGE_SET,
            images=1,
            images_sha256="0" * 64,
            backend="wasm",
            threads=2,
            map50_95=0.4,
            map50=0.6,
            native_map50_95=0.5,
            native_map50=0.6,
            difference=-0.1,
            agreement={
                "confident": 0.5,
                "min_iou": 0.85,
                "score_delta": 0.05,
                "images": 1,
                "images_agreeing": 1,
                "detections": 0,
                "matched": 0,
            },
            tool="pycocotools 2.0.11",
            score_threshold=0.001,
            max_detections=100,
        ).model_dump_json()
    )
    with pytest.raises(ValidationError, match="difference must be"):
        BrowserAccuracy.model_validate({**good, "difference": 0.1})


def test_records_made_before_the_section_still_load_and_lack_only_it() -> None:
    """The fixture runs were written before `browser_accuracy` existed (the committed run measured it)."""
    paths = sorted(MEASUREMENTS.glob("*/*.json"))
    assert paths
    plan, before = bench_run.Plan(), bench_run.Plan(sections=("native", "browser", "accuracy"))
    for path in paths:
        record = read_record(path)
        assert record.browser_accuracy is None and "browser-accuracy" not in record.skipped
        steps = [str(s) for s in bench_run.pending_steps(record, plan)]
        assert steps == [str(s) for s in bench_run.pending_steps(record, before)] + ["browser-accuracy"], path


def _old_complete_run(tmp_path: Path) -> tuple[bench_run.Context, str]:
    ctx = bench_run.Context(
        catalog=load_catalog(CATALOG),
        artifact_root=ARTIFACTS,
        records_root=tmp_path / "records",
        accuracy_root=samples(),
        accuracy_set="sample100",
        latency_image=samples() / "images" / "000000000036.jpg",
        machine=this_machine("test-box"),
        commit="abc",
    )
    run, started = bench_run.start_run(ctx)
    for group in load_artifacts(ARTIFACTS).values():
        for artifact in group:
            record = bench_run.new_record(artifact, ctx, run, started)
            why = "measured before browser accuracy existed"
            write_record(
                ctx.records_root,
                bench_run.updated(record, complete=True, skipped={"native": why, "browser": why, "accuracy": why}),
            )
    return ctx, run


def test_resume_of_an_older_run_adds_just_the_browser_accuracy(tmp_path, monkeypatch) -> None:
    ctx, run = _old_complete_run(tmp_path)
    before = {p.stem: read_record(p) for p in (ctx.records_root / run).glob("*.json")}

    def refuse(*args, **kwargs):
        raise AssertionError("a section the run already has was measured again")

    monkeypatch.setattr(bench_run, "measure_round", refuse)
    monkeypatch.setattr(accuracy, "measure_accuracy", refuse)
    measured = []

    def fake_measure(bench, artifact, root, labelled, dataset, names, **kwargs):
        measured.append((artifact.artifact_id, len(labelled.images), kwargs["resamples"]))
        native = [[] for _ in labelled.images]
        return ba.score(labelled, dataset, native, ba.BrowserRun(native, "wasm", 2, 0, 0), names, Tolerance())

    class FakeBrowser:
        versions: ClassVar[dict[str, str]] = {"browser": "Chromium test", "onnxruntime-web": "1.30.0"}

    monkeypatch.setattr(ba, "measure", fake_measure)
    monkeypatch.setattr(bench_run._Measurer, "_open_browser", lambda self: FakeBrowser())
    plan = bench_run.Plan(threads=(1, 2), browser_accuracy_images=3, bootstrap=7)
    outcome = bench_run.bench(
        [a for g in load_artifacts(ARTIFACTS).values() for a in g], ctx, plan, bench_run.start_run(ctx, run)
    )
    assert not outcome.failures
    after = {p.stem: read_record(p) for p in outcome.records}
    assert measured == [("yolo11n.coco", 3, 7)], "trained artifacts only, on the first 3 images"
    trained, untrained = after["yolo11n.coco"], after["yolov12n.untrained"]
    assert trained.browser_accuracy is not None and trained.browser_accuracy.images == 3
    assert trained.software["onnxruntime-web"] == "1.30.0" and trained.software["onnxruntime"]
    assert "untrained" in untrained.skipped["browser-accuracy"] and untrained.browser_accuracy is None
    for key, record in after.items():
        old = before[key]
        assert record.complete and (record.native, record.browser, record.accuracy) == ([], [], None)
        assert {k: v for k, v in record.skipped.items() if k != "browser-accuracy"} == old.skipped
    # resuming again measures nothing: the section is there now
    again = bench_run.bench(
        [a for g in load_artifacts(ARTIFACTS).values() for a in g], ctx, plan, bench_run.start_run(ctx, run)
    )
    assert measured == [("yolo11n.coco", 3, 7)] and not again.failures


def test_leaving_the_section_out_changes_nothing_in_an_older_run(tmp_path, monkeypatch) -> None:
    ctx, run = _old_complete_run(tmp_path)
    before = {p.name: p.read_text() for p in (ctx.records_root / run).glob("*.json")}
    plan = bench_run.Plan(sections=("native", "browser", "accuracy"))
    bench_run.bench(
        [a for g in load_artifacts(ARTIFACTS).values() for a in g], ctx, plan, bench_run.start_run(ctx, run)
    )
    after = {p.name: read_record(p) for p in (ctx.records_root / run).glob("*.json")}
    assert set(after) == set(before) and all(r.browser_accuracy is None for r in after.values())
    assert all("browser-accuracy" not in r.skipped for r in after.values())


def test_skipping_the_browser_leaves_the_browser_accuracy_out_too() -> None:
    """Both run in Chromium: `--skip browser` on a machine without one must not start it for the other."""
    from generator.commands.bench import left_out

    assert left_out(["browser"]) == {"browser", "browser-accuracy"}
    assert left_out(["browser-accuracy"]) == {"browser-accuracy"}
    assert left_out(["native", "accuracy"]) == {"native", "accuracy"}
