"""A model page's tables as data for their CSV downloads (views/tables.py): tasks, variants, claimed metrics,
each cell as the page shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .tables import Table

if TYPE_CHECKING:  # model.py imports this module: its types only for annotations
    from .cards import Sourced
    from .figures import ClaimView
    from .model import ModelTask, VariantRow


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
