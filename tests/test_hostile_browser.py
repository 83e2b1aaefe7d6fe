"""A card written to attack visitors, built as a user would build it, opened in Chromium: only inert text."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.loader import load_catalog
from generator.site import build_site

from .browser import browser_page, serve
from .catalogs import FIXTURES, make_catalog

HOSTILE = {
    "name: Tiny Detector": 'name: "Evil <script>alert(1)</script><img src=x onerror=alert(2)>"',
    "summary: A made-up detector used by the tests.": (
        'summary: "</p><script>alert(3)</script>[click](javascript:alert(4)) | --- | <a href=\\"javascript:alert(5)\\">x</a>"'
    ),
    "category: one-stage detector": 'category: "<iframe src=javascript:alert(6)></iframe>"',
    "  names: [Ada Example]": '  names: ["<svg onload=alert(7)>", "**bold** `code` | pipe"]',
}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    text = (FIXTURES / "cards" / "valid" / "tiny-detector.yaml").read_text()
    for old, new in HOSTILE.items():
        assert old in text
        text = text.replace(old, new, 1)
    card = tmp / "src" / "tiny-detector.yaml"
    card.parent.mkdir()
    card.write_text(text)
    other = FIXTURES / "cards" / "valid" / "tiny-classifier.yaml"
    out = tmp / "site"
    build_site(load_catalog(make_catalog(tmp, card, other)), out)
    return out


PAGES = [
    "models/tiny-detector/",
    "models/",
    "tasks/",
    "compare/",
    "compare/tiny-classifier-vs-tiny-detector/",
    "compare/view/?a=tiny-detector&b=tiny-classifier",
    "chart/",
]


def test_hostile_card_shows_only_inert_text(hostile_site: Path) -> None:
    with serve(hostile_site) as url, browser_page() as page:
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for rel in PAGES:
            page.goto(f"{url}/{rel}")
            page.wait_for_load_state("networkidle")
            # blob: only for the CSV files the client-side pair view makes itself (a[download] in p.vs-csv)
            schemes = page.evaluate(
                """() => [...document.querySelectorAll('a[href]')].map(a => [new URL(a.href).protocol,
                    a.matches('p.vs-csv > a[download]')])"""
            )
            assert {s for s, own_csv in schemes if not (s == "blob:" and own_csv)} <= {"http:", "https:"}, (
                rel,
                schemes,
            )
            assert page.evaluate("() => document.querySelectorAll('iframe, svg[onload], img[onerror]').length") == 0, (
                rel
            )
            injected = page.evaluate(
                "() => [...document.scripts].filter(s => s.textContent.includes('alert(')).map(s => s.type)"
            )
            assert all("json" in t for t in injected), (rel, injected)
        page.goto(f"{url}/models/tiny-detector/")
        body = page.locator("article").inner_text()
        assert "Evil <script>alert(1)</script>" in body  # shown as text
        assert dialogs == []


def test_real_pages_raise_no_policy_violations(built_site: Path) -> None:
    with serve(built_site) as url, browser_page() as page:
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        for rel in [
            "",
            "models/",
            "compare/mobilenet-ssd-v2-vs-yolov12/",
            "chart/",
            "compare/view/?a=yolov12&b=yolo11",
        ]:
            page.goto(f"{url}/{rel}")
            page.wait_for_load_state("networkidle")
            assert page.locator('meta[http-equiv="Content-Security-Policy"]').count() == 1
        assert violations == []
