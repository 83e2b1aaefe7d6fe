"""Measurement records: loading with every problem at once, and the pure selection the pages use."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.loader import check_catalog, load_catalog
from generator.measurement import Measurement
from generator.views import measured

from .catalogs import CATALOG, MEASUREMENTS

RECORDS = MEASUREMENTS
VM_RUN = "20260310T091500Z-ci-vm"
LAPTOP_RUN = "20260402T143000Z-laptop-i7"
VAL = "800 COCO val2017 images with people"  # the registry names of the two accuracy sets
QUICK = "100 COCO train2017 images"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CATALOG, measurements=RECORDS)


def fixture_record(run: str, artifact_id: str) -> dict:
    return json.loads((RECORDS / run / f"{artifact_id}.json").read_text())


def write(folder: Path, rel: str, data: dict | str) -> Path:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2) + "\n")
    return path


# --- Loading -----------------------------------------------------------------------------


def test_fixture_records_load_into_the_catalog(catalog) -> None:
    assert len(catalog.measurements) == 6
    assert {r.run for r in catalog.measurements} == {VM_RUN, LAPTOP_RUN}
    assert [r.complete for r in catalog.measurements].count(False) == 1
    untrained = [r for r in catalog.measurements if not r.artifact.trained]
    assert [r.artifact.artifact_id for r in untrained] == ["yolov12n.untrained"]
    assert untrained[0].accuracy is None and "accuracy" in untrained[0].skipped


def test_no_measurements_folder_means_no_runs(tmp_path: Path) -> None:
    catalog, problems = check_catalog(CATALOG, measurements=tmp_path / "none")
    assert problems == [] and catalog is not None and catalog.measurements == ()


def test_every_record_problem_is_reported_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "measurements"
    good = fixture_record(VM_RUN, "yolo11n.coco")
    write(folder, f"{VM_RUN}/yolo11n.coco.json", good)
    write(folder, "20260101T000000Z-ci-vm/yolov8n.coco.json", fixture_record(VM_RUN, "yolov8n.coco"))  # wrong folder
    write(folder, f"{VM_RUN}/renamed.json", fixture_record(VM_RUN, "yolov8n.coco"))
    unknown_card = fixture_record(VM_RUN, "ssd-mobilenet-v2.coral-uint8")
    unknown_card["artifact"]["card_id"] = "mobilenet-ssd-v3"
    write(folder, f"{VM_RUN}/ssd-mobilenet-v2.coral-uint8.json", unknown_card)
    unknown_variant = fixture_record(VM_RUN, "yolov12n.untrained")
    unknown_variant["artifact"]["variant_id"] = "yolov12n.v2"
    write(folder, f"{VM_RUN}/yolov12n.untrained.json", unknown_variant)
    disordered = json.loads(json.dumps(good))
    disordered["native"][0]["inference"]["q1"] = 1e6
    disordered["artifact"]["artifact_id"] = "yolo11n.disordered"
    disordered["machine"]["cpus"] = 2
    write(folder, f"{VM_RUN}/yolo11n.disordered.json", disordered)
    write(folder, f"{VM_RUN}/broken.json", '{\n  "run": "x",\n  "native": [1, 2,]\n}\n')
    write(folder, "loose.json", good)
    write(folder, f"{VM_RUN}/.yolo11n.coco.json.tmp", "half a record")  # an atomic write in progress: skipped

    catalog, problems = check_catalog(CATALOG, measurements=folder)
    assert catalog is None, "nothing is half-loaded"
    report = "\n".join(map(str, problems))
    expected = [
        (
            "20260101T000000Z-ci-vm/yolov8n.coco.json:3: run: record is in folder '20260101T000000Z-ci-vm' but its run is '20260310T091500Z-ci-vm'",
            f"move it to catalog/measurements/{VM_RUN}/",
        ),
        ("renamed.json:", "artifact.artifact_id: file name 'renamed.json' does not match artifact_id 'yolov8n.coco'"),
        (
            "ssd-mobilenet-v2.coral-uint8.json:",
            "artifact.card_id: no card 'mobilenet-ssd-v3' in the catalog (hint: did you mean 'mobilenet-ssd-v2'?",
        ),
        (
            "yolov12n.untrained.json:",
            "artifact.variant_id: card 'yolov12' has no variant 'yolov12n.v2' (hint: did you mean",
        ),
        ("yolo11n.disordered.json:", "native.0.inference: figures must satisfy min <= q1 <= median <= q3 <= max"),
        ("yolo11n.disordered.json:", "machine.cpus: unknown key 'cpus' (hint: did you mean 'cpu'?)"),
        ("broken.json:3: malformed JSON", "hint: check commas"),
        ("loose.json:1: not a run folder", "hint: records go in"),
    ]
    for where, what in expected:
        assert any(where in str(p) and what in str(p) for p in problems), f"{where} {what}\n{report}"
    assert ".tmp" not in report
    assert all(p.hint for p in problems)


def test_problem_lines_point_at_the_field(tmp_path: Path) -> None:
    record = fixture_record(VM_RUN, "yolo11n.coco")
    record["native"][1]["threads"] = 0
    path = write(tmp_path, f"{VM_RUN}/yolo11n.coco.json", record)
    _, problems = check_catalog(CATALOG, measurements=tmp_path)
    (problem,) = problems
    line = next(i for i, l in enumerate(path.read_text().splitlines(), 1) if '"threads": 0' in l)
    assert (problem.line, problem.field) == (line, "native.1.threads")


def test_run_id_must_match_start_and_machine_and_one_run_is_one_machine(tmp_path: Path) -> None:
    a = fixture_record(VM_RUN, "yolo11n.coco")
    b = fixture_record(VM_RUN, "yolov8n.coco")
    b["machine"]["cores"] = 64
    write(tmp_path, f"{VM_RUN}/yolo11n.coco.json", a)
    write(tmp_path, f"{VM_RUN}/yolov8n.coco.json", b)
    c = fixture_record(VM_RUN, "ssd-mobilenet-v2.coral-uint8")
    c["run"] = "20260310T091500Z-other-vm"
    write(tmp_path, "20260310T091500Z-other-vm/ssd-mobilenet-v2.coral-uint8.json", c)
    _, problems = check_catalog(CATALOG, measurements=tmp_path)
    report = "\n".join(map(str, problems))
    assert "yolov8n.coco.json:8: machine: machine or start differs from yolo11n.coco.json in the same run" in report
    assert (
        "run: run '20260310T091500Z-other-vm' does not match started and machine.name (hint: a run id is `<UTC start>-<machine name>`: 20260310T091500Z-ci-vm)"
        in report
    )


def test_an_untrained_record_with_accuracy_is_refused(tmp_path: Path) -> None:
    record = fixture_record(VM_RUN, "yolov12n.untrained")
    record["accuracy"] = fixture_record(VM_RUN, "yolo11n.coco")["accuracy"]
    del record["skipped"]["accuracy"]
    write(tmp_path, f"{VM_RUN}/yolov12n.untrained.json", record)
    _, problems = check_catalog(CATALOG, measurements=tmp_path)
    assert any("untrained artifact has random weights" in str(p) for p in problems), problems


def test_check_command_reports_record_problems(tmp_path: Path) -> None:
    from .test_cli import versus

    root = tmp_path / "catalog"
    shutil.copytree(CATALOG / "models", root / "models")
    shutil.copytree(CATALOG / "registry", root / "registry")
    shutil.copytree(RECORDS, root / "measurements")
    ok = versus("check", "--catalog", str(root))
    assert ok.returncode == 0 and "6 measurement records in 2 runs" in ok.stdout, ok.stderr
    (root / "measurements" / VM_RUN / "yolo11n.coco.json").rename(root / "measurements" / VM_RUN / "yolo11n.json")
    bad = versus("check", "--catalog", str(root))
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "yolo11n.json:" in bad.stderr and "rename the file to yolo11n.coco.json" in bad.stderr


# --- Selection ------------------------------------------------------------------------------


def test_runs_are_latest_first(catalog) -> None:
    assert [r.id for r in measured.runs(catalog.measurements)] == [LAPTOP_RUN, VM_RUN]
    assert measured.runs([]) == []


def test_model_history_lists_each_run_apart_latest_first(catalog) -> None:
    (history,) = measured.card_history(catalog.measurements, catalog.card("yolov8"))
    assert history.artifact_id == "yolov8n.coco"
    assert [r.run for r in history.records] == [LAPTOP_RUN, VM_RUN]
    assert measured.card_history(catalog.measurements, catalog.card("detr")) == []


def test_untrained_artifact_is_its_own_history(catalog) -> None:
    (history,) = measured.card_history(catalog.measurements, catalog.card("yolov12"))
    assert (history.artifact_id, history.variant_id, history.trained) == ("yolov12n.untrained", "yolov12n.v1", False)


def test_pair_comes_from_one_run_with_both_complete(catalog) -> None:
    # The laptop run is later but its YOLOv8n record is incomplete: the pair comes from the VM run, both sides.
    pair = measured.pair_run(catalog.measurements, "yolo11", "yolov8")
    assert pair is not None and pair.run.id == VM_RUN
    assert {r.run for r in pair.records} == {VM_RUN}
    assert [r.artifact.artifact_id for r in pair.a] == ["yolo11n.coco"]
    assert [r.artifact.artifact_id for r in pair.b] == ["yolov8n.coco"]


def test_pair_takes_the_latest_common_run(catalog) -> None:
    later = [
        r.model_copy(update={"run": "20260501T000000Z-ci-vm", "started": r.started.replace(month=5)})
        for r in catalog.measurements
        if r.run == VM_RUN
    ]
    pair = measured.pair_run([*catalog.measurements, *later], "yolo11", "mobilenet-ssd-v2")
    assert pair is not None and pair.run.id == "20260501T000000Z-ci-vm"


def test_pair_prefers_a_bench_run_to_a_later_visitor_run(catalog) -> None:
    """A visitor's browser-only record of both models, however recent, does not hide a full bench run."""
    visitor = [
        r.model_copy(
            update={
                "run": "20260601T000000Z-browser-linux-2c",
                "started": r.started.replace(month=6),
                "recorded_by": "versus demo",
            }
        )
        for r in catalog.measurements
        if r.run == VM_RUN
    ]
    pair = measured.pair_run([*catalog.measurements, *visitor], "yolo11", "mobilenet-ssd-v2")
    assert pair is not None and pair.run.id == VM_RUN
    assert measured.pair_run(visitor, "yolo11", "mobilenet-ssd-v2").run.id == "20260601T000000Z-browser-linux-2c"


def test_no_common_run_is_none(catalog) -> None:
    assert measured.pair_run(catalog.measurements, "yolo11", "detr") is None
    assert measured.pair_run([], "yolo11", "yolov8") is None
    assert measured.runs_of(catalog.measurements, "yolo11") == 2
    assert measured.runs_of(catalog.measurements, "detr") == 0


def test_rows_line_up_by_setting_and_keep_each_record_apart(catalog) -> None:
    (history,) = measured.card_history(catalog.measurements, catalog.card("yolov8"))
    rows = {(row.setting, row.what): row.cells for row in measured.reading_rows(history.records, catalog.registry)}
    laptop, vm = history.records
    assert rows[("onnxruntime CPU · 1 thread", "inference")] == tuple(
        next(
            r for r in measured.readings(rec, catalog.registry) if r.key == ("onnxruntime CPU · 1 thread", "inference")
        )
        for rec in (laptop, vm)
    )
    # The incomplete laptop record has no browser or accuracy figures: its cells are empty, not borrowed.
    assert rows[(VAL, "mAP50-95")][0] is None
    assert rows[(VAL, "mAP50-95")][1].value == pytest.approx(34.8)
    assert rows[("browser · wasm · 2 threads", "inference (warm)")][0] is None
    # Accuracy comes last: the figures, then the settings that decide them (from the record's protocol).
    assert [what for setting, what in rows if setting == VAL] == [
        "mAP50-95",
        "mAP50",
        "mAP75",
        "AP small",
        "AP medium",
        "AP large",
        "mAP50-95, 95% interval",
        "input",
        "precision of the artifact",
        "NMS",
        "scored detections",
    ]
    assert list(rows)[-1] == (VAL, "scored detections")
    shown = {what: cells[1].value for (setting, what), cells in rows.items() if setting == VAL and cells[1]}
    assert shown["mAP50-95, 95% interval"] == "33.1–36.6% (1,000 bootstrap resamples of the images)"
    assert shown["NMS"] == "after the graph, class-aware, IoU 0.7, keeps 300"
    assert shown["scored detections"] == "score ≥ 0.001, at most 100 per image, pycocotools 2.0.10"


def test_accuracy_is_labelled_with_its_image_set(catalog) -> None:
    labels = {
        (rec.run, r.setting)
        for rec in catalog.measurements
        for r in measured.readings(rec, catalog.registry)
        if r.kind == "percent"
    }
    assert labels == {(VM_RUN, VAL), (LAPTOP_RUN, QUICK)}


def test_accuracy_sets_are_named_from_the_records_bench_set_first(catalog) -> None:
    sets = measured.accuracy_sets(catalog.measurements, catalog.registry)
    assert [(s.name, s.beside_claims) for s in sets] == [(VAL, True), (QUICK, False)]
    val, quick = sets
    assert val.description == catalog.registry.datasets["coco-val2017-person800"].description
    assert "crowd regions (iscrowd=1) are not in the labels" in (val.crowd or "")
    assert quick.label_source is None, "the quick run's records carry no protocol: nothing is made up for them"
    laptop = [r for r in catalog.measurements if r.run == LAPTOP_RUN]
    assert [s.name for s in measured.accuracy_sets(laptop, catalog.registry)] == [QUICK]


def test_measured_series_one_per_run_and_setting_trained_and_complete_only(catalog) -> None:
    series = measured.measured_series(catalog.measurements)
    assert {(s.run, s.setting) for s in series} == {
        (run, setting)
        for run in (VM_RUN, LAPTOP_RUN)
        for setting in ("onnxruntime CPU · 1 thread", "onnxruntime CPU · 2 threads", "browser · wasm · 2 threads")
    }
    for key, points in series.items():
        assert {p.record.run for p in points} == {key.run}, "a series never mixes runs"
        assert all(p.record.artifact.trained and p.record.complete for p in points)
    vm = series[measured.MeasuredSeries(VM_RUN, "onnxruntime CPU · 1 thread")]
    assert sorted(p.record.artifact.artifact_id for p in vm) == [
        "ssd-mobilenet-v2.coral-uint8",
        "yolo11n.coco",
        "yolov8n.coco",
    ]
    laptop = series[measured.MeasuredSeries(LAPTOP_RUN, "onnxruntime CPU · 1 thread")]
    assert [p.record.artifact.artifact_id for p in laptop] == ["yolo11n.coco"]  # yolov8n there is incomplete


def test_a_browser_only_visitor_record_reads_without_native_figures(catalog) -> None:
    record = next(r for r in catalog.measurements if r.run == VM_RUN and r.artifact.artifact_id == "yolo11n.coco")
    data = record.model_dump(mode="json")
    data.update(
        recorded_by="versus demo",
        native=[],
        accuracy=None,
        skipped={"native": "recorded in a browser", "accuracy": "recorded in a browser"},
        machine={"name": "visitor", "cpu": None, "cores": 8, "memory_bytes": None, "os": None},
    )
    visitor = Measurement.model_validate(data)
    settings = {r.setting for r in measured.readings(visitor, catalog.registry)}
    assert settings == {"browser · wasm · 2 threads", "download"}

    # the same visitor on an accelerator: named as the demo names it, without threads
    for backend, name in (("webgpu", "WebGPU"), ("webnn", "WebNN")):
        data["browser"] = [{**b, "backend": backend, "threads": None} for b in data["browser"]]
        on = Measurement.model_validate(data)
        assert {r.setting for r in measured.readings(on, catalog.registry)} == {f"browser · {name}", "download"}


def test_rounds_are_shown_and_a_drifting_figure_says_so(catalog) -> None:
    """A figure pooled from rounds that disagree (a busy host) is flagged where it is shown; a settled one is not."""
    from generator.views.records import fmt_reading

    vm = next(r for r in catalog.measurements if r.run == VM_RUN and r.artifact.artifact_id == "yolo11n.coco")
    shown = {r.key: fmt_reading(r) for r in measured.readings(vm, catalog.registry) if r.kind == "rounds"}
    one, two = (shown[(measured.native_setting(t), "inference, each round's median")] for t in (1, 2))
    one_thread, two_threads = sorted(vm.native, key=lambda n: n.threads)
    assert one.startswith(" / ".join(f"{r.inference_median:.1f}" for r in one_thread.rounds)) and one.endswith(" ms")
    assert (
        two_threads.drift > 0.10
        and f"differ by {two_threads.drift:.0%}" in two
        and "judge the figure by its spread" in two
    )
    legacy = vm.model_copy(update={"native": [one_thread.model_copy(update={"rounds": []})]})
    assert not any(r.kind == "rounds" for r in measured.readings(legacy, catalog.registry)), (
        "one round: nothing to compare"
    )


def test_browser_accuracy_stands_beside_native_on_the_same_images(catalog) -> None:
    """Hand-computed: 40.12% in the browser, 40.07% native, so +0.05 points; 95% interval -0.02 to +0.10."""
    record = Measurement.model_validate(
        {
            **fixture_record(VM_RUN, "yolo11n.coco"),
            "browser_accuracy": {
                "dataset": "coco-val2017-person800",
                "images": 200,
                "images_sha256": "0" * 64,
                "backend": "wasm",
                "threads": 2,
                "map50_95": 0.4012,
                "map50": 0.55,
                "native_map50_95": 0.4007,
                "native_map50": 0.55,
                "difference": 0.4012 - 0.4007,
                "difference_interval": [-0.0002, 0.0010],
                "agreement": {
                    "confident": 0.5,
                    "min_iou": 0.85,
                    "score_delta": 0.05,
                    "images": 200,
                    "images_agreeing": 197,
                    "detections": 1210,
                    "matched": 1204,
                },
                "tool": "pycocotools 2.0.10",
                "score_threshold": 0.001,
                "max_detections": 100,
            },
        }
    )
    rows = {r.what: r for r in measured.readings(record, catalog.registry) if r.order[0] == 4}
    assert {r.setting for r in rows.values()} == {
        "in the browser (wasm): the first 200 of the 800 COCO val2017 images with people"
    }
    assert rows["mAP50-95 in the browser"].value == pytest.approx(40.12)
    assert rows["mAP50-95 native, same images"].value == pytest.approx(40.07)
    assert rows["browser minus native"].value == "+0.05 points (95% interval -0.02 to +0.10)"
    assert rows["detections, browser vs native"].value == (
        "1204 of 1210 confident detections have a twin; 197 of 200 images agree fully"
    )
    without = measured.readings(Measurement.model_validate(fixture_record(VM_RUN, "yolo11n.coco")), catalog.registry)
    assert not [r for r in without if r.order[0] == 4]
