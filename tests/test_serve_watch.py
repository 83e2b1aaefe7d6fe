"""`versus serve` rebuilds when anything a build reads changes: the watched list names the demo's code, the shipped
samples and the artifacts, and a change under a watched folder triggers one rebuild that is told what changed."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from generator.commands.serve import watched_paths
from generator.serve import describe, watch

from .catalogs import ROOT


def test_the_demo_sources_samples_and_artifacts_are_watched(tmp_path: Path) -> None:
    watched = watched_paths(Path("catalog"), tmp_path / "artifacts")
    for needed in (ROOT / "wasm_demo" / "src", ROOT / "wasm_demo" / "samples", tmp_path / "artifacts"):
        assert needed in watched
    # every project folder the build reads from is there (an unwatched one would make serve show stale pages)
    assert {ROOT / "site_src", ROOT / "generator" / "templates", Path("catalog")} <= set(watched)


def test_a_burst_of_changes_triggers_one_rebuild_that_names_them(tmp_path: Path) -> None:
    src, artifacts = tmp_path / "src", tmp_path / "artifacts"
    src.mkdir()
    artifacts.mkdir()
    calls: list[list[str]] = []
    done = threading.Event()

    def rebuild(changed: list[str]) -> None:
        calls.append(changed)
        done.set()

    observer = watch([src, artifacts], rebuild, delay=0.5)
    try:
        time.sleep(0.3)  # the observer's first scan
        (src / "demo.js").write_text("// changed")
        (artifacts / "yolo11n.coco").mkdir()
        (artifacts / "yolo11n.coco" / "manifest.json").write_text("{}")
        assert done.wait(20), "no rebuild after a change under a watched folder"
        time.sleep(1.0)  # a second rebuild would come within the debounce delay
    finally:
        observer.stop()
    assert len(calls) == 1, calls
    said = describe(calls[0], [src, artifacts], limit=10)
    assert "src/demo.js" in said and "artifacts/yolo11n.coco/manifest.json" in said, said
