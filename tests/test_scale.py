"""Synthetic catalogs: valid by construction; large ones switch pair pages for the client-side view."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from generator.loader import load_catalog
from generator.render import MAX_PAIR_PAGES, Renderer
from generator.site import build_site

from .browser import browser_page, serve
from .test_cli import versus


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synth") / "catalog"
    result = versus("synth", "80", "--out", str(root))
    assert result.returncode == 0, result.stderr
    return root


def test_synthetic_cards_validate_and_vary(synthetic: Path) -> None:
    catalog = load_catalog(synthetic)
    assert len(catalog.cards) == 80
    tasks = {t.task for c in catalog.cards for t in c.tasks}
    assert len(tasks) >= 4
    assert len({c.license.id for c in catalog.cards}) >= 3
    assert all("synthetic" in c.summary.lower() for c in catalog.cards)


def test_synth_refuses_a_non_empty_folder(synthetic: Path) -> None:
    result = versus("synth", "3", "--out", str(synthetic))
    assert result.returncode == 1 and "not empty" in result.stderr


def test_large_catalog_writes_no_pair_pages_but_every_pair_is_viewable(synthetic: Path, tmp_path: Path) -> None:
    catalog = load_catalog(synthetic)
    n = len(catalog.cards)
    assert n * (n - 1) // 2 > MAX_PAIR_PAGES
    pages = Renderer(catalog).pages()
    assert not [p for p in pages if "-vs-" in p]
    out = tmp_path / "site"
    build_site(catalog, out)
    views = json.loads((out / "catalog.json").read_text())["views"]
    assert set(views) == {c.id for c in catalog.cards}
    a, b = min(views), max(views)
    with serve(out) as url, browser_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/compare/")
        page.select_option("#vs-picker select[name=a]", b)
        page.select_option("#vs-picker select[name=b]", a)
        page.click("#vs-picker button")
        page.wait_for_url(f"**/compare/view/?a={a}&b={b}")
        page.wait_for_selector("#vs-compare-view table")
        text = page.locator("#vs-compare-view").inner_text()
        assert views[a]["name"] in text and views[b]["name"] in text
        assert "Shared tasks" in text and "Properties" in text
        page.goto(f"{url}/compare/view/?a={a}&b=not-a-model")
        # the view fills in once catalog.json has loaded: wait for it rather than read the placeholder
        page.wait_for_function(
            "() => !document.querySelector('#vs-compare-view').innerText.startsWith('Loading')", polling=50
        )
        assert "'not-a-model' is not a model id" in page.locator("#vs-compare-view").inner_text()
        assert errors == []


def test_view_agrees_with_the_static_page_for_the_first_pair(built_site: Path) -> None:
    with serve(built_site) as url, browser_page() as page:
        page.goto(f"{url}/compare/view/?a=yolov12&b=mobilenet-ssd-v2")
        page.wait_for_selector("#vs-compare-view table")
        text = page.locator("#vs-compare-view").inner_text()
        assert "Object detection" in text.split("Shared tasks")[1]
        assert "Google" in text and "University at Buffalo" in text
        assert "Apache-2.0" in text and "AGPL-3.0-only" in text
        # Each table the view draws has a CSV the browser makes: read back, it is the table's cells
        assert [d["name"] for d in client_csvs(page)] == ["properties.csv"]  # the seed pair lines up no figure
        page.goto(f"{url}/compare/view/?a=yolov8&b=yolo11")
        page.wait_for_selector("#vs-compare-view table")
        downloads = client_csvs(page)
        assert [d["name"] for d in downloads][:2] == ["properties.csv", "aligned-1.csv"]
        for d in downloads:
            assert list(csv.reader(io.StringIO(d["csv"], newline=""))) == d["cells"], d["name"]
        assert any("★" in cell for d in downloads[1:] for row in d["cells"] for cell in row)


def client_csvs(page) -> list[dict]:
    """Each table of the client-side pair view: its CSV name, its cells as shown, and the CSV its link gives."""
    return page.eval_on_selector_all(
        "#vs-compare-view table[data-csv]",
        """tables => Promise.all(tables.map(async t => ({
            name: t.dataset.csv,
            cells: [...t.rows].map(r => [...r.cells].map(c => c.textContent.trim())),
            csv: await (await fetch(t.nextElementSibling.querySelector('a[download]').href)).text(),
        })))""",
    )
