"""The built site in a real browser: filters, sorting, charts, search, and nothing fetched off-origin."""

from __future__ import annotations

from pathlib import Path

import pytest

from .browser import browser_page, serve


@pytest.fixture(scope="module")
def site_url(built_site: Path):
    with serve(built_site) as url:
        yield url


def test_catalog_filters_and_sorts(site_url: str) -> None:
    with browser_page() as page:
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{site_url}/models/")
        rows = page.locator("#vs-catalog tbody tr")
        total = rows.count()
        assert total >= 12
        page.select_option('select[data-filter="tasks"]', "image-classification")
        visible = [r.inner_text() for r in rows.all() if r.is_visible()]
        assert any("MobileNetV2" in v for v in visible)
        assert not any(v.startswith("MobileNet SSD v2") for v in visible)
        assert page.locator("#vs-count").inner_text() == f"{len(visible)} of {total} models"
        page.select_option('select[data-filter="tasks"]', "")
        page.select_option('select[data-filter="license"]', "Apache-2.0")
        assert all("Apache-2.0" in r.inner_text() for r in rows.all() if r.is_visible())
        page.select_option('select[data-filter="license"]', "")
        header = page.locator("#vs-catalog thead th", has_text="Parameters")
        header.click()
        header.click()  # descending: the largest model first
        first = rows.first.inner_text()
        sizes = [float(r.locator("td").nth(4).get_attribute("data-sort")) for r in rows.all()]
        assert sizes == sorted(sizes, reverse=True), first
        assert errors == []
        assert all(u.startswith(site_url) for u in requests), [u for u in requests if not u.startswith(site_url)]


def test_chart_draws_one_dataset_per_context(site_url: str) -> None:
    with browser_page() as page:
        page.goto(f"{site_url}/chart/")
        page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('canvas[data-vs-chart]'))")
        labels = page.evaluate("() => Chart.getChart(document.querySelector('canvas[data-vs-chart]')).data.datasets.map(d => d.label)")
        assert len(labels) == len(set(labels)) >= 2
        # Measured series (from the fixture records) are drawn apart from claimed ones, as triangles.
        styles = page.evaluate("() => Chart.getChart(document.querySelector('canvas[data-vs-chart]')).data.datasets.map(d => [d.label, d.pointStyle])")
        measured = [style for label, style in styles if label.startswith("Measured · ")]
        claimed = [style for label, style in styles if label.startswith("Claimed · ")]
        assert measured and set(measured) == {"triangle"} and set(claimed) == {"circle"}
        assert len(measured) + len(claimed) == len(styles)


def test_pair_picker_opens_the_alphabetical_pair_page(site_url: str) -> None:
    with browser_page() as page:
        page.goto(f"{site_url}/compare/")
        page.select_option("#vs-picker select[name=a]", "yolov12")
        page.select_option("#vs-picker select[name=b]", "mobilenet-ssd-v2")
        page.click("#vs-picker button")
        page.wait_for_url("**/compare/mobilenet-ssd-v2-vs-yolov12/")
        assert "Object detection" in page.locator("#shared-tasks ~ ul").first.inner_text()


def test_search_finds_a_model_by_organization(site_url: str) -> None:
    with browser_page() as page:
        page.goto(f"{site_url}/")
        page.locator(".md-search__input").click()
        # The index loads in a worker; type once it is ready, and again if the first query raced it.
        for attempt in range(3):
            page.fill(".md-search__input", "")
            page.type(".md-search__input", "Buffalo", delay=50)
            try:
                page.wait_for_selector(".md-search-result__item", timeout=10_000)
                break
            except Exception:
                if attempt == 2:
                    raise
        results = page.locator(".md-search-result__item").all_inner_texts()
        assert any("YOLOv12" in r for r in results), results
