"""Accuracy class by class and by object size, from the bench's val2017 records. Pure functions.

Only records on the bench's set (`IMAGE_SET`, COCO val2017) appear: the train2017 quick set holds images these
models were trained on. A pair page takes both sides from one run (the latest whose complete records of both
cards carry val2017 accuracy), like every measured comparison; a model page shows each measured artifact's
latest such record. The sentence "A is better on these classes, B on these" names only classes whose AP
differs by more than `MARGIN` and that have at least `MIN_INSTANCES` labelled boxes: below that, one box more or
less found moves a class's AP by several points.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..measurement import IMAGE_SET, Accuracy, Measurement
from ..schema import ModelCard, Registry
from . import measured
from .tables import Table, table_name

MARGIN = 0.05  # AP50-95 difference (5 points) above which a class is named as one side's
MIN_INSTANCES = 10  # labelled boxes a class needs before the sentence names it
SIZES = (("small", "ap_small"), ("medium", "ap_medium"), ("large", "ap_large"))
MISSING = "—"


def val_accuracy(record: Measurement) -> Accuracy | None:
    """The record's accuracy when it is on the bench's val2017 set; None otherwise (quick set, untrained, none)."""
    acc = record.accuracy
    return acc if acc is not None and acc.dataset == IMAGE_SET and record.artifact.trained else None


def pct(value: float | None) -> str:
    return MISSING if value is None else f"{value * 100:.1f}"


def points(diff: float | None) -> str:
    """A difference in AP points, signed: `+3.2`, `-1.0` (ASCII, so a spreadsheet reads the CSV as numbers), `0.0`."""
    if diff is None:
        return MISSING
    shown = f"{abs(diff) * 100:.1f}"
    if shown == "0.0":
        return shown
    return ("+" if diff > 0 else "-") + shown


# --- Cells -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApCell:
    """An AP in percent as shown, its bar's width (0–100) and its sort key (-1 where missing)."""

    shown: str
    width: float
    sort: float


def ap_cell(value: float | None) -> ApCell:
    if value is None:
        return ApCell(MISSING, 0.0, -1.0)
    return ApCell(pct(value), round(value * 100, 1), round(value * 100, 2))


@dataclass(frozen=True)
class DiffCell:
    """A minus B in AP points as shown, which side leads by more than the margin ("a", "b" or ""), the bar's
    width (0–100, the difference's size) and the sort key (-101 where missing, below every difference)."""

    shown: str
    leader: str
    width: float
    sort: float


def diff_cell(diff: float | None, margin: float = MARGIN) -> DiffCell:
    if diff is None:
        return DiffCell(MISSING, "", 0.0, -101.0)
    leader = "a" if diff > margin else "b" if diff < -margin else ""
    return DiffCell(points(diff), leader, round(abs(diff) * 100, 1), round(diff * 100, 2))


# --- A pair, class by class ------------------------------------------------------------------


@dataclass(frozen=True)
class ClassDiff:
    """One class in both records: AP50-95 of each (None where a record lacks the class) and A minus B."""

    name: str
    instances: int
    a: float | None
    b: float | None

    @property
    def diff(self) -> float | None:
        return None if self.a is None or self.b is None else self.a - self.b


def class_diffs(a: Accuracy, b: Accuracy) -> list[ClassDiff]:
    """Every class either record lists, in A's order then B's extra classes; labelled boxes from A where it has
    the class (both records count the same labels when they are on the same set)."""
    by_b = {c.name: c for c in b.per_class}
    rows = [
        ClassDiff(c.name, c.instances, c.ap50_95, by_b[c.name].ap50_95 if c.name in by_b else None) for c in a.per_class
    ]
    seen = {c.name for c in a.per_class}
    rows += [ClassDiff(c.name, c.instances, None, c.ap50_95) for c in b.per_class if c.name not in seen]
    return rows


def better_on(
    rows: Iterable[ClassDiff], margin: float = MARGIN, min_instances: int = MIN_INSTANCES
) -> tuple[list[str], list[str]]:
    """(classes where A leads by more than `margin`, where B does), larger lead first; classes with fewer than
    `min_instances` labelled boxes are left out."""
    counted = [r for r in rows if r.diff is not None and r.instances >= min_instances]
    a = sorted((r for r in counted if r.diff > margin), key=lambda r: (-r.diff, r.name))  # type: ignore[operator]
    b = sorted((r for r in counted if r.diff < -margin), key=lambda r: (r.diff, r.name))  # type: ignore[operator]
    return [r.name for r in a], [r.name for r in b]


def _names(classes: Sequence[str]) -> str:
    return classes[0] if len(classes) == 1 else ", ".join(classes[:-1]) + " and " + classes[-1]


def better_sentence(a_name: str, b_name: str, a: Sequence[str], b: Sequence[str], margin: float = MARGIN) -> str:
    """The per-class verdict in words, the margin stated."""
    by = f"by more than {margin * 100:.0f} AP points"
    if not a and not b:
        return f"No class with at least {MIN_INSTANCES} labelled boxes differs {by} between {a_name} and {b_name}."
    parts = []
    if a:
        parts.append(f"{a_name} is better on {_names(a)}")
    if b:
        parts.append(f"{b_name} is better on {_names(b)}")
    if not a:
        parts.append(f"{a_name} on none")
    if not b:
        parts.append(f"{b_name} on none")
    return "; ".join(parts) + f" ({by}, among classes with at least {MIN_INSTANCES} labelled boxes)."


@dataclass(frozen=True)
class PairClassRow:
    name: str
    instances: int
    a: ApCell
    b: ApCell
    diff: DiffCell


@dataclass(frozen=True)
class PairSizeRow:
    size: str
    a: ApCell
    b: ApCell
    diff: DiffCell


@dataclass(frozen=True)
class PairPerClass:
    """Per-class and per-size AP of one artifact of each side, from one run."""

    a_name: str
    b_name: str
    a_artifact: str
    b_artifact: str
    run: str
    dataset: str  # the registry's name of the set
    images: int
    margin: str  # `5 AP points`
    sentence: str
    rows: tuple[PairClassRow, ...]
    sizes: tuple[PairSizeRow, ...]
    table: Table
    sizes_table: Table


def pair_records(records: Iterable[Measurement], a_id: str, b_id: str) -> tuple[Measurement, Measurement] | None:
    """The latest run whose complete records of both cards carry val2017 accuracy, and its first such record of
    each card (in artifact order); None when no run has one."""
    for run in measured.runs(r for r in records if r.complete and val_accuracy(r) is not None):
        a, b = run.of_card(a_id), run.of_card(b_id)
        if a and b:
            return a[0], b[0]
    return None


def pair_per_class(
    records: Iterable[Measurement], a: ModelCard, b: ModelCard, registry: Registry
) -> PairPerClass | None:
    found = pair_records(records, a.id, b.id)
    if found is None:
        return None
    ra, rb = found
    acc_a, acc_b = val_accuracy(ra), val_accuracy(rb)
    assert acc_a is not None and acc_b is not None
    diffs = class_diffs(acc_a, acc_b)
    lead_a, lead_b = better_on(diffs)
    rows = tuple(PairClassRow(d.name, d.instances, ap_cell(d.a), ap_cell(d.b), diff_cell(d.diff)) for d in diffs)
    sizes = []
    for size, field in SIZES:
        va, vb = getattr(acc_a, field), getattr(acc_b, field)
        sizes.append(
            PairSizeRow(size, ap_cell(va), ap_cell(vb), diff_cell(None if va is None or vb is None else va - vb))
        )
    a_col, b_col = f"{a.name} AP50-95 (%)", f"{b.name} AP50-95 (%)"
    diff_col = f"{a.name} minus {b.name} (AP points)"
    return PairPerClass(
        a.name,
        b.name,
        ra.artifact.artifact_id,
        rb.artifact.artifact_id,
        ra.run,
        registry.datasets[IMAGE_SET].name,
        acc_a.images,
        f"{MARGIN * 100:.0f} AP points",
        better_sentence(a.name, b.name, lead_a, lead_b),
        rows,
        tuple(sizes),
        Table(
            "per-class-ap",
            ("Class", "Labelled boxes", a_col, b_col, diff_col),
            tuple((r.name, str(r.instances), r.a.shown, r.b.shown, r.diff.shown) for r in rows),
        ),
        Table(
            "ap-by-size",
            ("Object size", a_col, b_col, diff_col),
            tuple((s.size, s.a.shown, s.b.shown, s.diff.shown) for s in sizes),
        ),
    )


# --- One model's measured artifacts ----------------------------------------------------------


@dataclass(frozen=True)
class ClassRow:
    name: str
    instances: int
    ap50_95: ApCell
    ap50: ApCell


@dataclass(frozen=True)
class ArtifactPerClass:
    """Per-class and per-size AP of one measured artifact, from its latest val2017 record."""

    artifact_id: str
    run: str
    dataset: str
    images: int
    rows: tuple[ClassRow, ...]
    sizes: tuple[tuple[str, ApCell], ...]
    table: Table
    sizes_table: Table


def artifact_per_class(record: Measurement, registry: Registry) -> ArtifactPerClass:
    acc = val_accuracy(record)
    if acc is None:
        raise ValueError(f"{record.run}/{record.artifact.artifact_id}: no val2017 accuracy to show per class")
    rows = tuple(ClassRow(c.name, c.instances, ap_cell(c.ap50_95), ap_cell(c.ap50)) for c in acc.per_class)
    sizes = tuple((size, ap_cell(getattr(acc, field))) for size, field in SIZES)
    aid = record.artifact.artifact_id
    return ArtifactPerClass(
        aid,
        record.run,
        registry.datasets[IMAGE_SET].name,
        acc.images,
        rows,
        sizes,
        Table(
            table_name("per-class-ap", aid),
            ("Class", "Labelled boxes", "AP50-95 (%)", "AP50 (%)"),
            tuple((r.name, str(r.instances), r.ap50_95.shown, r.ap50.shown) for r in rows),
        ),
        Table(
            table_name("ap-by-size", aid),
            ("Object size", "AP50-95 (%)"),
            tuple((size, cell.shown) for size, cell in sizes),
        ),
    )


def card_per_class(records: Iterable[Measurement], card: ModelCard, registry: Registry) -> tuple[ArtifactPerClass, ...]:
    """Each measured artifact of the card with its latest complete val2017 record, in the card's variant order."""
    out = []
    for history in measured.card_history(records, card):
        latest = next((r for r in history.records if r.complete and val_accuracy(r) is not None), None)
        if latest is not None:
            out.append(artifact_per_class(latest, registry))
    return tuple(out)
