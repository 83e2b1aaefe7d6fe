"""The built site's CSV downloads and measurements.json, read back from the files a visitor gets.

Oracle: the built HTML itself. Every `<table data-csv=FILE>` is parsed from the page (citation marks and the
note dagger left out, as the CSV leaves them out) and must equal FILE, read with Python's csv module from the
page's folder; every CSV the build wrote belongs to such a table and is linked from its page. measurements.json
must hold every committed record exactly as its file says.
"""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast

import pytest

from generator.loader import load_catalog
from generator.measurement import Measurement
from generator.site import build_site

from . import per_class_records
from .catalogs import ARTIFACTS, CATALOG, make_catalog

CARDS = ("mobilenet-ssd-v2", "yolo11", "yolov8", "yolov12", "deimv2")  # DEIMv2's sources disagree
SKIPPED = {("sup", "cite"), ("span", "vs-note")}  # in-page references, not data
VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source"}


class Tables(HTMLParser):
    """Tables with a data-csv attribute: their rows of cell texts (white space collapsed, colspan expanded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.links: set[str] = set()
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._span = 1
        self._stack: list[bool] = []  # per open element inside a cell: is it skipped
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").endswith(".csv") and "download" in a:
            self.links.add(a["href"])
        if tag == "table" and a.get("data-csv"):
            self._table = a["data-csv"]
            self.tables[self._table] = []
        elif self._table and tag == "tr":
            self.tables[self._table].append([])
        elif self._table and tag in ("td", "th"):
            self._cell, self._span = [], int(a.get("colspan") or 1)
        elif self._cell is not None:
            if tag == "br":
                self._cell.append(" ")
            elif tag not in VOID:
                skip = any(tag == t and c in (a.get("class") or "").split() for t, c in SKIPPED)
                self._stack.append(skip)
                self._skipping += skip

    def handle_endtag(self, tag: str) -> None:
        if self._table and tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            self.tables[self._table][-1] += [text] + [""] * (self._span - 1)
            self._cell, self._stack, self._skipping = None, [], 0
        elif tag == "table":
            self._table = None
        elif self._cell is not None and tag not in VOID and self._stack:
            self._skipping -= self._stack.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._skipping:
            self._cell.append(data)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five real cards, the fixture run with val2017 per-class accuracy on two of them, the fixture artifacts."""
    tmp = tmp_path_factory.mktemp("tables")
    root = make_catalog(tmp, *(CATALOG / "models" / f"{c}.yaml" for c in CARDS))
    per_class_records.write(root / "measurements")
    return build_site(load_catalog(root), tmp / "site", artifacts=ARTIFACTS).out


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def page_tables(site: Path) -> dict[Path, Tables]:
    out = {}
    for page in sorted(site.rglob("index.html")):
        parser = Tables()
        parser.feed(page.read_text(encoding="utf-8"))
        if parser.tables:
            out[page] = parser
    return out


def test_every_csv_equals_its_table_on_the_page(site: Path) -> None:
    pages = page_tables(site)
    seen: set[Path] = set()
    for page, parser in pages.items():
        for name, rows in parser.tables.items():
            path = page.parent / name
            assert path.is_file(), f"{page.relative_to(site)} links {name}, which the build did not write"
            assert read_csv(path) == rows, f"{path.relative_to(site)} differs from its table on the page"
            assert name in parser.links, f"{page.relative_to(site)}: no Download CSV link to {name}"
            seen.add(path)
    written = set(site.rglob("*.csv"))
    assert written == seen, f"CSV files no page table shows: {sorted(str(p) for p in written - seen)}"
    # Each kind of table is there: the catalog, claims (aligned or not), measured figures, per-class and per-size
    # AP, the chart's points.
    names = {p.relative_to(site).as_posix() for p in written}
    pair = "compare/mobilenet-ssd-v2-vs-yolo11"
    assert {"models/catalog.csv", f"{pair}/measured.csv", f"{pair}/per-class-ap.csv", f"{pair}/ap-by-size.csv"} <= names
    assert {
        "models/yolo11/per-class-ap-yolo11n-coco.csv",
        "models/yolo11/measured-yolo11n-coco.csv",
        "models/yolo11/claimed-metrics.csv",
        "models/yolo11/variants.csv",
        "models/yolo11/tasks.csv",
        "models/yolo11/licences.csv",
        "models/deimv2/sources-disagree.csv",
        "chart/chart-points.csv",
        "tasks/tasks.csv",
        f"{pair}/chart-points.csv",
        f"{pair}/properties.csv",
    } <= names
    assert any(re.fullmatch(r"compare/yolo11-vs-yolov8/aligned-\d+\.csv", n) for n in names), sorted(names)
    assert not any("per-class" in n for n in names if n.startswith("models/yolov8/")), "a train2017 record per class"


def test_pair_csv_holds_the_hand_computed_differences(site: Path) -> None:
    rows = read_csv(site / "compare/mobilenet-ssd-v2-vs-yolo11/per-class-ap.csv")
    assert rows[0] == [
        "Class",
        "Labelled boxes",
        "MobileNet SSD v2 AP50-95 (%)",
        "Ultralytics YOLO11 AP50-95 (%)",
        "MobileNet SSD v2 minus Ultralytics YOLO11 (AP points)",
    ]
    assert {r[0]: r[4] for r in rows[1:]} == {
        "person": "-25.1",
        "bicycle": "-10.1",
        "car": "-2.0",
        "dog": "+12.0",
        "cup": "+5.0",
        "giraffe": "+40.0",
    }
    page = (site / "compare/mobilenet-ssd-v2-vs-yolo11/index.html").read_text(encoding="utf-8")
    assert "MobileNet SSD v2 is better on dog; Ultralytics YOLO11 is better on person and bicycle" in page


def test_measurements_json_holds_every_record_as_committed(site: Path) -> None:
    data = json.loads((site / "measurements.json").read_text(encoding="utf-8"))
    committed = sorted((p for p in (site.parent / "catalog" / "measurements").rglob("*.json")), key=str)
    assert len(data["records"]) == len(committed) == 4
    by_id = {(r["run"], r["artifact"]["artifact_id"]): r for r in data["records"]}
    for path in committed:
        record = json.loads(path.read_text(encoding="utf-8"))
        assert by_id[(record["run"], record["artifact"]["artifact_id"])] == record, path.name
        Measurement.model_validate(record)
    schema = json.loads((site / data["schema"]).read_text(encoding="utf-8"))
    committed_schema = json.loads((CATALOG / "schema" / "measurement.schema.json").read_text(encoding="utf-8"))
    assert schema == committed_schema, "the published record schema is the committed one"


def test_per_class_columns_sort_in_the_browser(site: Path) -> None:
    """Clicking a header sorts by that column's numbers (data-sort), both ways; the page raises no error."""
    from .browser import browser_page, serve

    with serve(site) as url, browser_page() as opened:
        page = cast(Any, opened)  # a playwright Page
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/compare/mobilenet-ssd-v2-vs-yolo11/", wait_until="load")
        table = page.locator("table.vs-per-class.vs-sortable")

        def classes() -> list[str]:
            return table.locator("tbody tr td:first-child").all_inner_texts()

        assert classes() == ["person", "bicycle", "car", "dog", "cup", "giraffe"]  # the record's order
        header = table.locator("th").nth(4)  # the difference, by hand: -25.1 -10.1 -2.0 +12.0 +5.0 +40.0
        header.click()
        first = classes()
        header.click()
        second = classes()
        descending = ["giraffe", "dog", "cup", "car", "bicycle", "person"]
        assert {tuple(first), tuple(second)} == {tuple(descending), tuple(reversed(descending))}
        table.locator("th").nth(1).click()  # labelled boxes: numbers, not text ("1500" after "120" as text)
        boxes = [int(t) for t in table.locator("tbody tr td:nth-child(2)").all_inner_texts()]
        assert boxes in (sorted(boxes), sorted(boxes, reverse=True))
        assert errors == []
