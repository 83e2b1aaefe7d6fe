"""The live demo's site for the browser tests: the two models exported for real and the site built around them
(`demo_site`), and small helpers that read the demo's panels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.loader import load_catalog
from generator.site import build_site

from .catalogs import CATALOG, export_artifacts

VARIANTS = ("ssd-mobilenet-v2.coral-uint8", "yolo11n.coco")
COMPARE_PAGE = "/compare/mobilenet-ssd-v2-vs-yolo11/"


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(site, artifacts): `versus export` of VARIANTS and the real catalog built with them."""
    tmp = tmp_path_factory.mktemp("demo")
    artifacts = tmp / "artifacts"
    export_artifacts(artifacts, *VARIANTS)
    out = tmp / "site"
    build_site(load_catalog(CATALOG), out, artifacts=artifacts)
    return out, artifacts


def panels(page) -> list[dict]:
    """The `data-result` of every panel that has one, once both have."""
    page.wait_for_function(
        "() => document.querySelectorAll('.vs-panel[data-result]').length >= 2", timeout=90_000, polling=50
    )
    return [json.loads(p.get_attribute("data-result")) for p in page.query_selector_all(".vs-panel[data-result]")]
