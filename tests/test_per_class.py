"""Per-class and per-size AP (generator/views/per_class.py) and the table-to-CSV mechanism (views/tables.py).

Oracle: the values in tests/per_class_records.py, whose differences and "better on" lists are worked out by hand
in the comments there and below."""

from __future__ import annotations

import csv
import io

import pytest

from generator.loader import Catalog, load_catalog
from generator.measurement import ClassAccuracy
from generator.site import csv_text
from generator.views import per_class
from generator.views.tables import Table, page_folder, table_files, table_name

from . import per_class_records
from .catalogs import CATALOG, make_catalog

CARDS = ("mobilenet-ssd-v2", "yolo11", "yolov8", "yolov12")  # every card the fixture run measured


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    tmp = tmp_path_factory.mktemp("per-class")
    root = make_catalog(tmp, *(CATALOG / "models" / f"{c}.yaml" for c in CARDS))
    per_class_records.write(tmp / "records")
    return load_catalog(root, measurements=tmp / "records")


def card(catalog: Catalog, card_id: str):
    return next(c for c in catalog.cards if c.id == card_id)


def test_pair_differences_and_verdict_by_hand(catalog: Catalog) -> None:
    pc = per_class.pair_per_class(
        catalog.measurements, card(catalog, "mobilenet-ssd-v2"), card(catalog, "yolo11"), catalog.registry
    )
    assert pc is not None
    assert (pc.a_artifact, pc.b_artifact, pc.run) == (
        "ssd-mobilenet-v2.coral-uint8",
        "yolo11n.coco",
        per_class_records.RUN,
    )
    got = {r.name: (r.instances, r.a.shown, r.b.shown, r.diff.shown, r.diff.leader) for r in pc.rows}
    assert got == {
        "person": (1500, "30.1", "55.2", "-25.1", "b"),
        "bicycle": (40, "15.0", "25.1", "-10.1", "b"),
        "car": (120, "18.0", "20.0", "-2.0", ""),
        "dog": (30, "42.0", "30.0", "+12.0", "a"),
        "cup": (25, "21.0", "16.0", "+5.0", ""),  # not more than 5 points
        "giraffe": (3, "70.0", "30.0", "+40.0", "a"),  # coloured, but too few boxes for the sentence
    }
    assert pc.sentence == (
        "MobileNet SSD v2 is better on dog; Ultralytics YOLO11 is better on person and bicycle "
        "(by more than 5 AP points, among classes with at least 10 labelled boxes)."
    )
    # small 5 vs 12, medium 22 vs 40, large 41 vs 60
    assert [(s.size, s.a.shown, s.b.shown, s.diff.shown) for s in pc.sizes] == [
        ("small", "5.0", "12.0", "-7.0"),
        ("medium", "22.0", "40.0", "-18.0"),
        ("large", "41.0", "60.0", "-19.0"),
    ]
    assert pc.table.rows[0] == ("person", "1500", "30.1", "55.2", "-25.1")
    assert pc.table.header[2:] == (
        "MobileNet SSD v2 AP50-95 (%)",
        "Ultralytics YOLO11 AP50-95 (%)",
        "MobileNet SSD v2 minus Ultralytics YOLO11 (AP points)",
    )


def test_only_val2017_records_appear(catalog: Catalog) -> None:
    """YOLOv8n's record is on the train2017 quick set, YOLOv12n's is untrained: neither has a per-class table."""
    assert per_class.card_per_class(catalog.measurements, card(catalog, "yolov8"), catalog.registry) == ()
    assert per_class.card_per_class(catalog.measurements, card(catalog, "yolov12"), catalog.registry) == ()
    assert (
        per_class.pair_per_class(
            catalog.measurements, card(catalog, "yolo11"), card(catalog, "yolov8"), catalog.registry
        )
        is None
    )
    (only,) = per_class.card_per_class(catalog.measurements, card(catalog, "yolo11"), catalog.registry)
    assert only.artifact_id == "yolo11n.coco"
    assert [r[:3] for r in only.table.rows][:2] == [("person", "1500", "55.2"), ("bicycle", "40", "25.1")]
    assert only.sizes_table.rows == (("small", "12.0"), ("medium", "40.0"), ("large", "60.0"))


def test_better_on_margin_and_box_floor() -> None:
    rows = [
        per_class.ClassDiff("x", 50, 0.60, 0.50),  # A by 10
        per_class.ClassDiff("y", 50, 0.50, 0.70),  # B by 20
        per_class.ClassDiff("z", 50, 0.50, 0.58),  # B by 8
        per_class.ClassDiff("w", 9, 0.90, 0.10),  # too few boxes
        per_class.ClassDiff("v", 50, None, 0.10),  # one side lacks it
    ]
    assert per_class.better_on(rows) == (["x"], ["y", "z"])  # larger lead first
    assert per_class.better_on(rows, margin=0.15) == ([], ["y"])
    assert per_class.better_on(rows, min_instances=5) == (["w", "x"], ["y", "z"])
    assert per_class.better_sentence("A", "B", [], []) == (
        "No class with at least 10 labelled boxes differs by more than 5 AP points between A and B."
    )
    assert per_class.better_sentence("A", "B", ["x"], []).startswith("A is better on x; B on none (")


def test_class_missing_on_one_side_has_no_difference() -> None:
    def acc(*classes: tuple[str, float]):
        return per_class_records.val_accuracy("yolo11n.coco").model_copy(
            update={"per_class": [ClassAccuracy(name=n, ap50_95=v, ap50=v, instances=20) for n, v in classes]}
        )

    rows = per_class.class_diffs(acc(("a", 0.5), ("b", 0.4)), acc(("b", 0.3), ("c", 0.2)))
    assert [(r.name, r.a, r.b, r.diff) for r in rows] == [
        ("a", 0.5, None, None),
        ("b", 0.4, 0.3, pytest.approx(0.1)),
        ("c", None, 0.2, None),
    ]
    assert per_class.diff_cell(None).shown == "—" and per_class.ap_cell(None).shown == "—"


def test_csv_text_round_trips_through_a_csv_reader() -> None:
    table = Table("t", ("a", "b, with comma"), (('say "hi"', "line\nbreak"), (" padded ", "x")))
    assert list(csv.reader(io.StringIO(csv_text(table)))) == [
        ["a", "b, with comma"],
        ['say "hi"', "line\nbreak"],
        ["padded", "x"],  # a page trims a cell's white space; so does the table
    ]


def test_tables_refuse_bad_names_and_ragged_rows() -> None:
    with pytest.raises(ValueError, match="file name"):
        Table("Bad Name", ("a",), ())
    with pytest.raises(ValueError, match="row 0 has 2 cells, the header 1"):
        Table("t", ("a",), (("1", "2"),))
    assert table_name("measured", "yolo11n.coco") == "measured-yolo11n-coco"


def test_csv_files_sit_in_the_page_folder_and_names_must_differ() -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class View:
        page: str
        tables: tuple[Table, ...]

    one = Table("one", ("h",), (("v",),))
    files = table_files([View("models/index.md", (one,)), View("compare/a-vs-b.md", (one,)), View("index.md", (one,))])
    assert files == {"models/one.csv": one, "compare/a-vs-b/one.csv": one, "one.csv": one}
    assert page_folder("tasks.md") == "tasks"
    with pytest.raises(ValueError, match="two tables are both named 'one'"):
        table_files([View("x.md", (one, one))])
