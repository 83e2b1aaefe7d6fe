"""A model page's tables as data for their CSV downloads (views/tables.py): tasks, variants, claimed metrics,
each cell as the page shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .tables import Table

if TYPE_CHECKING:  # model.py imports this module: its types only for annotations
    from .cards import Sourced
    from .figures import ClaimView
    from .model import DisagreementView, LicenseRowView, ModelTask, VariantRow


STATE_LABELS = {"pretrained": "● trained weights", "architecture-only": "◐ architecture only"}  # as state_badge shows


def tasks_table(tasks: tuple[ModelTask, ...]) -> Table:
    return Table(
        "tasks", ("Task", "State", "Note"), tuple((t.name, STATE_LABELS.get(t.state, "–"), t.note) for t in tasks)
    )


def _sourced(items: tuple[Sourced, ...], missing: str = "") -> str:
    return " / ".join(i.text for i in items) or missing


def variants_table(rows: tuple[VariantRow, ...]) -> Table:
    return Table(
        "variants",
        ("Variant", "Task", "Input (px)", "Parameters (M)", "FLOPs (G)", "Browser demo"),
        tuple(
            (
                f"{v.id} {v.name}",
                v.task,
                _sourced(v.sizes),
                _sourced(v.params, "not stated"),
                _sourced(v.flops, "not stated"),
                f"runtime spec: {v.decoder}" if v.decoder else "no runtime spec",
            )
            for v in rows
        ),
    )


def claims_table(claims: tuple[ClaimView, ...]) -> Table:
    """The claimed-metrics table as shown: value with whose figure it is, and the setting."""
    return Table(
        "claimed-metrics",
        ("Variant", "Metric", "Value", "Measured on"),
        tuple(
            (
                c.variant,
                c.name,
                f"{c.cell.shown} {c.cell.kind_label}",
                c.label + (f"; checkpoint {c.checkpoint}" if c.checkpoint else ""),
            )
            for c in claims
        ),
    )


def disagreements_table(rows: tuple[DisagreementView, ...]) -> Table:
    """Each fact the sources disagree on: per kind of source, its values (citation marks left out)."""
    return Table(
        "sources-disagree",
        ("Fact", "Values, each with its source"),
        tuple(
            (d.fact, " ".join(f"{k.kind_label} " + " · ".join(v.text for v in k.values) for k in d.kinds)) for d in rows
        ),
    )


def licenses_table(rows: tuple[LicenseRowView, ...]) -> Table:
    """Variants, the licences that bind their user, and whether free commercial use is open to them."""

    def held(row: LicenseRowView) -> str:
        return " ".join(
            f"{h.role}: {h.id if h.known else 'not stated'}" + (" differs from the code" if h.differs else "")
            for h in row.held
        )

    def commercial(row: LicenseRowView) -> str:
        if row.free_commercial is None:
            return "unknown: a licence is not stated"
        return "yes, under the terms listed" if row.free_commercial else f"no: {row.blocking}"

    return Table(
        "licences",
        ("Variants", "Licences that bind a user", "Free commercial use"),
        tuple((" ".join(row.variants), held(row), commercial(row)) for row in rows),
    )
