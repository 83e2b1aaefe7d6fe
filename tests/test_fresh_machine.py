"""A fresh clone with no shared folder beside it (issue #15): `versus export` fetches weights from their official
URLs through the real download code, and where that fails the export and the built pages say what and why.

The network is a server on 127.0.0.1 that serves files at their official URL paths, reached through the
tests-only URL prefix (`VERSUS_TEST_URL_PREFIX`, generator/settings.py). What it serves for YOLOv12n is a
STAND-IN: a checkpoint built here from Ultralytics' YOLO12n architecture with random weights, not the official
file (which this machine cannot download); the test proves the path (fetch, verify, lock, artifact), not the model.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import pytest

from .catalogs import CATALOG, ROOT, make_catalog

OFFICIAL = (
    "https://github.com/sunsmarterjie/yolov12/releases/download/turbo/yolov12n.pt"  # yolov12.yaml, yolov12n.turbo
)
OFFICIAL_PATH = "/sunsmarterjie/yolov12/releases/download/turbo/yolov12n.pt"
VARIANT = "yolov12n.turbo"


class Official(http.server.BaseHTTPRequestHandler):
    """Serves `files` (official URL path -> bytes); everything else is 404, as a host without the file."""

    files: ClassVar[dict[str, bytes]] = {}
    asked: ClassVar[list[str]] = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.asked.append(self.path)
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def official_host(files: dict[str, bytes]) -> Iterator[str]:
    Official.files, Official.asked = files, []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Official)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory) -> bytes:
    """STAND-IN for the official yolov12n.pt: Ultralytics' YOLO12n architecture, random weights (seed 0)."""
    from generator.export.ultralytics_pt import build_untrained

    return build_untrained("yolo12n.yaml", 0, tmp_path_factory.mktemp("standin")).read_bytes()


def fresh_export(tmp: Path, prefix: str, catalog: Path, *names: str) -> subprocess.CompletedProcess:
    """`versus export NAMES` as on a fresh clone: no shared folder, no mirror, an empty cache; downloads go to
    `prefix` + the official path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERSUS_")}
    env.update(VERSUS_SHARED="", VERSUS_CACHE=str(tmp / "cache"), VERSUS_TEST_URL_PREFIX=prefix)
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", "export", *names, "--catalog", str(catalog), "--out", str(tmp / "art")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )


def test_yolov12n_is_fetched_from_its_official_url_verified_locked_and_exported(tmp_path, stand_in) -> None:
    real_lock = (CATALOG / "weights.lock.json").read_bytes()
    catalog = make_catalog(tmp_path, CATALOG / "models" / "yolov12.yaml")  # a temp copy: its lock file is new
    shutil.copytree(CATALOG / "datasets", catalog / "datasets")  # the COCO list the accuracy set is built from
    with official_host({OFFICIAL_PATH: stand_in}) as prefix:
        done = fresh_export(tmp_path, prefix, catalog, VARIANT)
        asked = list(Official.asked)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert OFFICIAL_PATH in asked, asked
    assert next(line for line in done.stdout.splitlines() if VARIANT in line).startswith(f"EXPORTED {VARIANT}:"), out
    sha = hashlib.sha256(stand_in).hexdigest()
    lock = json.loads((catalog / "weights.lock.json").read_text())["weights"]
    assert (lock[OFFICIAL]["sha256"], lock[OFFICIAL]["bytes"], lock[OFFICIAL]["recorded_from"]) == (
        sha,
        len(stand_in),
        "network",
    )
    manifest = json.loads((tmp_path / "art" / VARIANT / "manifest.json").read_text())
    assert (manifest["source"]["url"], manifest["source"]["sha256"], manifest["source"]["origin"]) == (
        OFFICIAL,
        sha,
        "network",
    )
    assert (tmp_path / "art" / VARIANT / "model.onnx").stat().st_size > 1_000_000
    assert manifest["verification"]["image_set"].startswith("shipped samples (")  # no shared folder here
    # COCO's downloads are not on this host either: the summary says the accuracy check did not run, and why
    assert "accuracy check not run: no labelled COCO val2017 images" in done.stdout and "HTTP 404" in done.stdout
    assert (CATALOG / "weights.lock.json").read_bytes() == real_lock, "the real lock file was written"


def test_where_yolov12n_cannot_be_fetched_the_export_and_the_pages_say_why(tmp_path) -> None:
    from generator.loader import load_catalog
    from generator.site import build_site

    catalog = make_catalog(tmp_path, CATALOG / "models" / "yolov12.yaml", CATALOG / "models" / "mobilenet-ssd-v2.yaml")
    with official_host({}) as prefix:
        done = fresh_export(tmp_path, prefix, catalog, VARIANT)
    assert done.returncode == 0, done.stdout + done.stderr
    line = next(line for line in done.stdout.splitlines() if VARIANT in line)
    assert line.startswith(f"SKIPPED  {VARIANT}: weights not available: {OFFICIAL}: HTTP 404"), line
    recorded = json.loads((tmp_path / "art" / "not-exported.json").read_text())["variants"]
    assert recorded[VARIANT].startswith(f"weights not available: {OFFICIAL}: HTTP 404")

    site = tmp_path / "site"
    build_site(load_catalog(catalog), site, artifacts=tmp_path / "art")
    for page in (
        site / "models" / "yolov12" / "index.html",
        site / "compare" / "mobilenet-ssd-v2-vs-yolov12" / "index.html",
    ):
        html = page.read_text(encoding="utf-8")
        assert (
            f"This build could not export <code>{VARIANT}</code>: weights not available: {OFFICIAL}: HTTP 404" in html
        ), page
        assert "This build exported no models" in html  # nothing at all could be had here
