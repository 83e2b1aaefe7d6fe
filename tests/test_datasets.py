"""Building a listed accuracy set from COCO's official downloads, for real: an HTTP server on 127.0.0.1 serves
tiny zips at the official paths, and the weights resolver fetches them as it would from cocodataset.org."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import threading
import zipfile
from pathlib import Path

import pytest

from generator import coco_eval, datasets, labelled_set
from generator.weights import DownloadFailed, LockFile, Resolver

NAMES = ("person", "bicycle", "car")
# COCO's own category ids have gaps (no id 2 here): labels follow the names, never the ids.
CATEGORIES = [{"id": 1, "name": "person"}, {"id": 3, "name": "bicycle"}, {"id": 4, "name": "car"}]
IMAGES = {"000000000001.jpg": b"first image bytes", "000000000002.jpg": b"second image", "000000000007.jpg": b"third"}
INSTANCES = {
    "images": [
        {"id": 1, "file_name": "000000000001.jpg", "width": 200, "height": 100},
        {"id": 2, "file_name": "000000000002.jpg", "width": 50, "height": 40},
        {"id": 7, "file_name": "000000000007.jpg", "width": 10, "height": 10},
        {"id": 9, "file_name": "000000000009.jpg", "width": 10, "height": 10},
    ],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 3, "bbox": [20, 10, 40, 20], "iscrowd": 0},
        {"id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, 200, 100], "iscrowd": 1},  # crowd: left out
        {"id": 3, "image_id": 1, "category_id": 4, "bbox": [20, 10, 40, 20], "iscrowd": 0},
        {"id": 4, "image_id": 2, "category_id": 1, "bbox": [5, 4, 10, 8], "iscrowd": 0},
        {"id": 5, "image_id": 2, "category_id": 1, "bbox": [5, 4, 10, 8], "iscrowd": 0},  # the same box again: once
        {"id": 6, "image_id": 2, "category_id": 4, "bbox": [5, 4, 0, 8], "iscrowd": 0},  # no width: left out
        {"id": 7, "image_id": 9, "category_id": 1, "bbox": [1, 1, 2, 2], "iscrowd": 0},  # not a listed image
    ],
    "categories": CATEGORIES,
}
# By hand: image 1 (200x100): bicycle (class 1) and car (class 2) at centre (40, 20), size 40x20 ->
# 0.2 0.2 0.2 0.2; image 2 (50x40): person at centre (10, 8), size 10x8 -> 0.2 0.2 0.2 0.2; image 7: none.
EXPECTED = {
    "000000000001.txt": "1 0.200000 0.200000 0.200000 0.200000\n2 0.200000 0.200000 0.200000 0.200000\n",
    "000000000002.txt": "0 0.200000 0.200000 0.200000 0.200000\n",
    "000000000007.txt": "",
}


def listed(boxes=(2, 1, 0), images=IMAGES) -> tuple[labelled_set.ListedImage, ...]:
    sizes = {"000000000001.jpg": (200, 100), "000000000002.jpg": (50, 40), "000000000007.jpg": (10, 10)}
    return tuple(
        labelled_set.ListedImage(name, int(name[:-4]), *sizes[name], n, hashlib.sha256(data).hexdigest())
        for (name, data), n in zip(IMAGES.items(), boxes, strict=True)
    )


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def server():
    """Serves `files` (path -> bytes) at http://127.0.0.1:<port>; counts requests per path."""
    files: dict[str, bytes] = {}
    hits: dict[str, int] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            hits[self.path] = hits.get(self.path, 0) + 1
            if self.path not in files:
                self.send_error(404, "Not Found")
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(files[self.path])))
            self.end_headers()
            self.wfile.write(files[self.path])

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", files, hits
    httpd.shutdown()
    httpd.server_close()


def _official(files: dict, images=IMAGES, instances=INSTANCES) -> None:
    files[datasets.IMAGES_ZIP] = _zip({f"val2017/{name}": data for name, data in images.items()})
    files[datasets.ANNOTATIONS_ZIP] = _zip(
        {datasets.INSTANCES_MEMBER: json.dumps(instances).encode(), "annotations/captions_val2017.json": b"{}"}
    )


def _resolver(tmp_path: Path) -> Resolver:
    return Resolver(LockFile(tmp_path / "lock.json"), cache=tmp_path / "cache", log=lambda m: None)


def test_the_set_is_built_from_the_official_zips_and_read_by_the_evaluator(server, tmp_path: Path) -> None:
    prefix, files, hits = server
    _official(files)
    dest = tmp_path / "sets" / "tiny"
    built = datasets.prepare_listed_set(dest, listed(), NAMES, _resolver(tmp_path), prefix=prefix, log=lambda m: None)
    assert built == dest and sorted(p.name for p in (dest / "images").iterdir()) == sorted(IMAGES)
    assert {p.name: p.read_text() for p in (dest / "labels").iterdir()} == EXPECTED
    labelled = labelled_set.select_listed(labelled_set.read_labelled_set(dest, NAMES), listed())
    assert [i.size for i in labelled.images] == [(100, 200), (40, 50), (10, 10)]
    truth = coco_eval.ground_truth(labelled)
    assert [(a["category_id"], a["bbox"]) for a in truth["annotations"]] == [
        (2, pytest.approx([20, 10, 40, 20])),
        (3, pytest.approx([20, 10, 40, 20])),
        (1, pytest.approx([5, 4, 10, 8])),
    ]
    # The zips were fetched once each, over plain HTTP, and recorded; a second call finds the finished set.
    assert hits == {datasets.IMAGES_ZIP: 1, datasets.ANNOTATIONS_ZIP: 1}
    assert set(LockFile.load(tmp_path / "lock.json").entries) == {
        prefix + datasets.IMAGES_ZIP,
        prefix + datasets.ANNOTATIONS_ZIP,
    }
    datasets.prepare_listed_set(dest, listed(), NAMES, _resolver(tmp_path), prefix=prefix, log=lambda m: None)
    assert hits == {datasets.IMAGES_ZIP: 1, datasets.ANNOTATIONS_ZIP: 1}


def test_a_zip_that_is_not_the_listed_set_is_refused(server, tmp_path: Path) -> None:
    prefix, files, _ = server
    _official(files, images={**IMAGES, "000000000002.jpg": b"another photo"})
    with pytest.raises(
        labelled_set.LabelledSetError, match=r"val2017/000000000002.jpg is not the listed image \(sha256 differs\)"
    ):
        datasets.prepare_listed_set(
            tmp_path / "a", listed(), NAMES, _resolver(tmp_path), prefix=prefix, log=lambda m: None
        )
    assert not (tmp_path / "a").exists() and not (tmp_path / ".a.partial").exists(), "nothing half-built is left"
    _official(files)
    with pytest.raises(
        labelled_set.LabelledSetError, match=r"1 boxes for 000000000002.jpg after conversion, the list says 2"
    ):
        datasets.prepare_listed_set(
            tmp_path / "b",
            listed(boxes=(2, 2, 0)),
            NAMES,
            _resolver(tmp_path / "r2"),
            prefix=prefix,
            log=lambda m: None,
        )
    with pytest.raises(labelled_set.LabelledSetError, match="categories car are not in the label list"):
        datasets.yolo_labels(INSTANCES, listed(), NAMES[:2])


def test_an_unreachable_or_missing_download_is_an_error_not_a_set(server, tmp_path: Path) -> None:
    prefix, _files, _ = server
    with pytest.raises(DownloadFailed, match="404"):
        datasets.prepare_listed_set(
            tmp_path / "a", listed(), NAMES, _resolver(tmp_path), prefix=prefix, log=lambda m: None
        )
    assert not (tmp_path / "a").exists()


def test_the_bench_fetches_the_set_when_no_folder_holds_it(server, tmp_path: Path, monkeypatch) -> None:
    """The accuracy step falls back to `fetch_accuracy_set` (the download) and says so when both fail."""
    from dataclasses import replace

    from generator.artifacts import load_artifacts
    from generator.bench import accuracy
    from generator.bench import run as bench_run
    from generator.bench.machine import this_machine
    from generator.loader import load_catalog

    from .catalogs import ARTIFACTS, CATALOG, SETTINGS

    got = []

    def fake(model, runtime, names, bench_set, **kwargs):
        from generator.measurement import Accuracy

        got.append(bench_set)
        return Accuracy(
            dataset="coco-train2017-sample100",
            images=1,
            map50_95=0.5,
            map50=0.6,
            tool="pycocotools 0",
            score_threshold=0.001,
            max_detections=100,
        )

    monkeypatch.setattr(accuracy, "measure_accuracy", fake)
    fetched = []
    ctx = bench_run.Context(
        catalog=load_catalog(CATALOG),
        artifact_root=ARTIFACTS,
        records_root=tmp_path / "records",
        accuracy_root=tmp_path / "nowhere",
        accuracy_set="sample100",
        latency_image=tmp_path / "x.jpg",
        machine=this_machine("test-box"),
        commit=None,
        fetch_accuracy_set=lambda: fetched.append(1) or SETTINGS.require("sample_set"),
    )
    targets = load_artifacts(ARTIFACTS)["yolo11n.coco"]
    plan = bench_run.Plan(threads=(1,), sections=("accuracy",))
    bench_run.bench(targets, ctx, plan, bench_run.start_run(ctx))
    assert fetched == [1] and len(got[0].labelled.images) == 100

    def unreachable():
        raise DownloadFailed("http://images.cocodataset.org/zips/val2017.zip: cannot connect")

    failing = replace(ctx, records_root=tmp_path / "other", fetch_accuracy_set=unreachable)
    (path,) = bench_run.bench(targets, failing, plan, bench_run.start_run(failing)).records
    why = bench_run.read_record(path).skipped["accuracy"]
    assert (
        "nowhere" in why
        and "could not be fetched: http://images.cocodataset.org/zips/val2017.zip: cannot connect" in why
    )
