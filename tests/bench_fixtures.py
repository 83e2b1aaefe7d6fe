"""Fixtures the bench test files share: the sample set and the artifacts they measure."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.bench import accuracy

from .catalogs import SETTINGS, export_artifacts


@pytest.fixture(scope="module")
def sample_set():
    return accuracy.read_sample_set(SETTINGS.require("sample_set"))  # missing: a named skip (conftest.py)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """yolo11n and the untrained YOLOv12n graph, exported as `versus export` does (a cache hit after .ci/test's)."""
    out = tmp_path_factory.mktemp("bench") / "artifacts"
    export_artifacts(out, "yolo11n.coco")
    return export_artifacts(out, "--untrained", "yolov12n")
