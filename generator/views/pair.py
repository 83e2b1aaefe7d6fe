"""A pair of models side by side: the static pair page, and each card's entry in catalog.json's `views`, which
the client-side pair view (site_src/assets/versus.js) joins for pairs without a page. Both come from the same
functions here, so a figure, its setting's label and its comparison key read the same in both places."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import compare, licenses
from ..schema import ModelCard, Registry
from . import measured
from .all_models import all_models_pages
from .cards import (
    CodeLicense,
    OrgView,
    Sourced,
    TaskBadge,
    code_license,
    input_label,
    org_groups,
    params_label,
    released,
    task_badge,
)
from .chart import ChartData, chart_data, chart_series
from .claims import ClaimsBeside, claims_beside
from .figures import ClaimView, claim_json, claim_views
from .inputs import SiteInputs
from .labels import task_name
from .pages import compare_page, model_page
from .per_class import PairPerClass, pair_per_class
from .records import MeasuredTable, RunInfo, measured_table, pair_columns, run_info
from .tables import Table


@dataclass(frozen=True)
class SideView:
    """One model of the pair, as the properties table shows it."""

    id: str
    name: str
    summary: str
    page: str
    organizations: tuple[OrgView, ...]
    category: str
    modality: str
    released: tuple[Sourced, ...]
    input: str
    params: str
    variants: int
    license: CodeLicense
    free_commercial: bool  # at least one trained variant without a non-commercial licence or a paid plan


@dataclass(frozen=True)
class DemoView:
    possible: bool  # at least one side runs here
    reason: str
    partial: bool  # only one side runs here
    cards_allow: bool  # both cards publish trained weights and a runtime spec for a shared task
    all_models: str | None = None  # the page running every trained model of the demo's task, when the build has it


@dataclass(frozen=True)
class TaskRow:
    """A task either card lists, with both cards' states."""

    name: str
    a: TaskBadge
    b: TaskBadge


@dataclass(frozen=True)
class SharedTaskView:
    name: str
    state_a: str
    state_b: str


@dataclass(frozen=True)
class AlignedRow:
    claim: ClaimView
    best: bool  # ties share the ★


@dataclass(frozen=True)
class AlignedTable:
    """Figures of both cards measured the same way (one comparison key), best first."""

    label: str
    name: str
    better: str
    rows: tuple[AlignedRow, ...]
    csv: Table


@dataclass(frozen=True)
class UnalignedGroup:
    label: str
    claims: tuple[ClaimView, ...]


@dataclass(frozen=True)
class Unaligned:
    """One side's figures whose setting the other side does not report: shown, never compared."""

    name: str
    groups: tuple[UnalignedGroup, ...]


@dataclass(frozen=True)
class SideClaims:
    name: str
    variant: str
    claims: ClaimsBeside  # each claim with our val2017 figure from this run beside it, where measured


@dataclass(frozen=True)
class PairRunView:
    """The run that measured both models, its records as one table."""

    run: RunInfo
    untrained: bool  # some column is an untrained test graph
    claims: tuple[SideClaims, ...]
    table: MeasuredTable
    accuracy_sets: tuple[measured.AccuracySet, ...]  # the sets behind the table's accuracy figures


@dataclass(frozen=True)
class RunsOf:
    name: str
    page: str
    runs: int


@dataclass(frozen=True)
class PairView:
    page: str
    a: SideView
    b: SideView
    demo: DemoView
    demo_ready: bool
    tasks: tuple[TaskRow, ...]
    shared: tuple[SharedTaskView, ...]
    aligned: tuple[AlignedTable, ...]
    unaligned: tuple[Unaligned, ...]  # only sides that have such figures
    measured: PairRunView | None
    runs: tuple[RunsOf, RunsOf]  # how many runs measured each side, when no run measured both
    chart: ChartData
    per_class: PairPerClass | None  # None: no run has val2017 accuracy of both
    properties: Table  # the properties table as shown, for the CSV download
    not_exported: tuple[tuple[str, str], ...] = ()  # (variant id, why) of either side, that the export could not give


def side_view(card: ModelCard, registry: Registry) -> SideView:
    return SideView(
        card.id,
        card.name,
        card.summary,
        model_page(card.id),
        org_groups(card),
        card.category,
        card.modality,
        released(card),
        input_label(card),
        params_label(card),
        len(card.variants),
        code_license(card, registry),
        licenses.card_free_commercial_use(card, registry),
    )


def card_view(card: ModelCard, registry: Registry) -> dict[str, Any]:
    """The facts a comparison shows for one card, as catalog.json's `views` carry them for the client-side pair
    view: the pair page's side and figures, as plain JSON. `key` is the comparison key as a string: two
    figures are lined up exactly when their keys are equal (the client view joins on it)."""
    side = side_view(card, registry)
    return {
        "name": side.name,
        "summary": side.summary,
        "page": side.page.removesuffix(".md") + "/",
        "organizations": ", ".join(o.name for o in side.organizations),
        "category": side.category,
        "modality": side.modality,
        "released": [r.text for r in side.released],
        "input": side.input,
        "params": side.params,
        "license": side.license.id,
        "license_note": side.license.summary or "licence not stated",
        "weights_licenses": licenses.weights_licenses(card),
        "free_commercial_use": side.free_commercial,
        "tasks": {t.task: t.state for t in card.tasks if t.state != "none"},
        "metrics": [claim_json(v) for v in claim_views(compare.claims(card, registry), registry)],
    }


STATE_LABELS = {"pretrained": "● trained weights", "architecture-only": "◐ architecture only"}  # as state_badge


def properties_table(a: SideView, b: SideView, tasks: tuple[TaskRow, ...]) -> Table:
    """The properties table as the page shows it (a cell's lines joined by spaces, citation marks left out)."""

    def licence(c: SideView) -> str:
        parts = [f"code {c.license.id}"]
        if c.license.summary:
            parts.append(c.license.summary)
        if c.license.others_differ:
            parts.append("weights or upstream parts under other licences: see its page")
        return " ".join(parts)

    def free(c: SideView) -> str:
        return (
            "at least one trained variant"
            if c.free_commercial
            else "no trained variant without a non-commercial licence or a paid plan"
        )

    rows = [
        ("Organization", *("; ".join(o.name for o in c.organizations) for c in (a, b))),
        ("Category", a.category, b.category),
        ("Modality", a.modality, b.modality),
        ("Released", *(" ".join(r.text for r in c.released) for c in (a, b))),
        ("Input resolution", a.input, b.input),
        ("Parameters", *(f"{c.params} ({c.variants} variant{'s' if c.variants != 1 else ''})" for c in (a, b))),
        ("Licence", licence(a), licence(b)),
        ("Free commercial use", free(a), free(b)),
    ]
    rows += [(t.name, *(STATE_LABELS.get(s.state, "–") for s in (t.a, t.b))) for t in tasks]
    return Table("properties", ("", a.name, b.name), tuple(rows))


def aligned_csv(name: str, metric: str, better: str, rows: tuple[AlignedRow, ...]) -> Table:
    """Aligned claims as the page shows them: ★ on the best, whose figure after the value."""
    return Table(
        name,
        ("Model", "Variant", f"{metric} ({better} is better)"),
        tuple(
            (
                r.claim.model,
                r.claim.variant + (f" ({r.claim.checkpoint})" if r.claim.checkpoint else ""),
                ("★ " if r.best else "") + f"{r.claim.cell.shown} {r.claim.cell.kind_label}",
            )
            for r in rows
        ),
    )


def aligned_tables(rows: list[compare.AlignedMetric], registry: Registry) -> tuple[AlignedTable, ...]:
    out = []
    for i, row in enumerate(rows, start=1):
        views = claim_views(row.claims, registry)
        aligned = tuple(AlignedRow(v, row.is_best(c)) for v, c in zip(views, row.claims, strict=True))
        out.append(
            AlignedTable(
                views[0].label,
                row.info.name,
                row.info.better,
                aligned,
                aligned_csv(f"aligned-{i}", row.info.name, row.info.better, aligned),
            )
        )
    return tuple(out)


def unaligned_groups(
    card: ModelCard, aligned: list[compare.AlignedMetric], inputs: SiteInputs
) -> tuple[UnalignedGroup, ...]:
    groups = []
    for _, claims in compare.unaligned_claims(card, aligned, inputs.registry, inputs.claims_of):
        views = claim_views(claims, inputs.registry)
        groups.append(UnalignedGroup(views[0].label, views))
    return tuple(groups)


def pair_run_view(pair: measured.PairRun, a: ModelCard, b: ModelCard, inputs: SiteInputs) -> PairRunView:
    claims = tuple(
        SideClaims(
            card.name,
            r.artifact.variant_id,
            claims_beside(card, r.artifact.variant_id, r.artifact.trained, (r,), inputs.registry),
        )
        for card, rs in ((a, pair.a), (b, pair.b))
        for r in rs
    )
    return PairRunView(
        run_info(pair.run.first),
        any(not r.artifact.trained for r in pair.records),
        claims,
        measured_table(pair_columns(pair, a.name, b.name), inputs.registry, inputs.artifacts, one_run=True),
        measured.accuracy_sets(pair.records, inputs.registry),
    )


def pair_view(a: ModelCard, b: ModelCard, inputs: SiteInputs) -> PairView:
    registry = inputs.registry
    aligned = compare.aligned_metrics((a, b), registry, inputs.claims_of)
    plan = compare.demo_plan(a, b, registry, inputs.runnable)
    pair = measured.pair_run(inputs.catalog.measurements, a.id, b.id)
    unaligned = (Unaligned(card.name, unaligned_groups(card, aligned, inputs)) for card in (a, b))
    records = inputs.catalog.measurements
    side_a, side_b = side_view(a, registry), side_view(b, registry)
    tasks = tuple(
        TaskRow(task.name, task_badge(a, task_id, registry), task_badge(b, task_id, registry))
        for task_id, task in registry.tasks.items()
        if a.task_state(task_id) != "none" or b.task_state(task_id) != "none"
    )
    return PairView(
        page=compare_page(a.id, b.id),
        a=side_a,
        b=side_b,
        demo=DemoView(
            plan.possible,
            plan.reason,
            len(plan.runs) < 2,
            plan.cards_allow,
            all_models_pages(inputs).get(plan.task) if plan.task else None,
        ),
        demo_ready=inputs.demo_ready,
        tasks=tasks,
        not_exported=inputs.not_exported_of(a) + inputs.not_exported_of(b),
        shared=tuple(
            SharedTaskView(task_name(s.task, registry), s.state_a, s.state_b) for s in compare.shared_tasks(a, b)
        ),
        aligned=aligned_tables(aligned, registry),
        unaligned=tuple(u for u in unaligned if u.groups),
        measured=pair_run_view(pair, a, b, inputs) if pair else None,
        runs=(
            RunsOf(a.name, model_page(a.id), measured.runs_of(records, a.id)),
            RunsOf(b.name, model_page(b.id), measured.runs_of(records, b.id)),
        ),
        chart=chart_data(chart_series(inputs, (a, b), pair.records if pair else ())),
        per_class=pair_per_class(records, a, b, registry),
        properties=properties_table(side_a, side_b, tasks),
    )
