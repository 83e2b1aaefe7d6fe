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
        page.select_option('select[data-filter="commercial"]', "no")
        no = [r.inner_text() for r in rows.all() if r.is_visible()]
        assert any(v.startswith("FCOS") for v in no), "FCOS's code is non-commercial"
        assert not any(v.startswith("Ultralytics YOLO11") for v in no), "AGPL asks for source, not for money"
        page.select_option('select[data-filter="commercial"]', "")
        header = page.locator("#vs-catalog thead th", has_text="Parameters")
        header.click()
        header.click()  # descending: the largest model first
        first = rows.first.inner_text()
        column = page.locator("#vs-catalog thead th").all_inner_texts().index(header.inner_text())
        sizes = [float(r.locator("td").nth(column).get_attribute("data-sort")) for r in rows.all()]
        assert sizes == sorted(sizes, reverse=True), first
        assert errors == []
        assert all(u.startswith(site_url) for u in requests), [u for u in requests if not u.startswith(site_url)]


def test_chart_shows_one_context_at_a_time(site_url: str) -> None:
    """One context is drawn: a line per family, the Pareto front dashed; measured contexts are triangles,
    claimed ones circles, and picking another context redraws the chart with its own points only."""
    chart = "Chart.getChart(document.querySelector('canvas[data-vs-chart]'))"
    with browser_page() as page:
        page.goto(f"{site_url}/chart/")
        page.wait_for_function(f"() => window.Chart && {chart}")
        data = page.evaluate("() => JSON.parse(document.querySelector('.vs-chart-data').textContent)")
        start = max(range(len(data)), key=lambda i: (data[i]["models"], data[i]["points"]))
        assert page.locator("select.vs-chart-context").input_value() == str(start)

        def drawn() -> list:
            return page.evaluate(
                f"() => {chart}.data.datasets.map(d => [d.label, d.pointStyle, d.data.length, !!d.vsPareto])"
            )

        for index in (start, next(i for i, c in enumerate(data) if c["measured"] != data[start]["measured"])):
            page.select_option("select.vs-chart-context", str(index))
            context = data[index]
            families = [d for d in drawn() if not d[3]]
            assert [d[0] for d in families] == [f["label"] for f in context["families"]]
            assert sum(d[2] for d in families) == context["points"]
            assert {d[1] for d in families} == {"triangle" if context["measured"] else "circle"}
            pareto = [d for d in drawn() if d[3]]
            assert [d[2] for d in pareto] == ([len(context["pareto"])] if len(context["pareto"]) > 1 else [])


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
