"""Golden tests: fixture cards in, rendered page sources out, reviewed as diffs.

After an intended change to templates, regenerate with
`VERSUS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py` and review `git diff tests/golden`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.loader import load_catalog
from generator.render import Renderer

from .catalogs import FIXTURES, make_catalog

GOLDEN = Path(__file__).resolve().parent / "golden"
PAGES = [
    "models/tiny-detector.md",
    "models/tiny-classifier.md",
    "compare/tiny-classifier-vs-tiny-detector.md",
    "models/index.md",
    "tasks.md",
    "chart.md",
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    valid = sorted((FIXTURES / "cards" / "valid").glob("*.yaml"))
    root = make_catalog(tmp_path_factory.mktemp("golden"), *valid)
    # One val2017 record of tiny-detector (tests/fixtures/make_measurements.py): claimed vs measured on its page.
    return Renderer(load_catalog(root, measurements=FIXTURES / "golden_measurements")).pages()


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden(rendered: dict[str, str], page: str) -> None:
    expected = GOLDEN / page
    if os.environ.get("VERSUS_UPDATE_GOLDEN"):
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(rendered[page], encoding="utf-8")
    assert expected.is_file(), f"no golden file {expected}; run with VERSUS_UPDATE_GOLDEN=1 to create it"
    assert rendered[page] == expected.read_text(encoding="utf-8"), (
        f"{page} changed; if intended, regenerate with VERSUS_UPDATE_GOLDEN=1 and review the diff"
    )
