"""The catalog page: one row per card with its filter attributes and sortable figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .. import licenses
from ..schema import NOT_STATED, Metric, ModelCard, Registry, Variant
from .cards import organizations
from .citations import Cite, cite
from .inputs import SiteInputs
from .labels import first_release, fmt_number, fmt_range, params_range, task_name
from .pages import CATALOG, model_page
from .tables import Table


@dataclass(frozen=True)
class BestFigure:
    """The best figure the authors claim for the catalog's accuracy column."""

    value: float
    variant: str
    cite: Cite


@dataclass(frozen=True)
class CatalogRow:
    name: str
    page: str
    filter_tasks: str  # task ids with a state other than none, space-separated
    filter_orgs: str  # every organization name the sources give, `|`-separated
    commercial: str  # "yes" or "no", for the free-commercial-use filter
    organizations: str
    license: str
    weights_licenses: tuple[str, ...]
    tasks: str  # `Object detection, Segmentation (architecture only)`
    params_sort: float
    params: str
    best_sort: float
    best: BestFigure | None
    first_release: str


@dataclass(frozen=True)
class CatalogView:
    page: str
    tasks: tuple[tuple[str, str], ...]  # (id, name), the task filter's options
    licenses: tuple[str, ...]
    organizations: tuple[str, ...]
    rows: tuple[CatalogRow, ...]
    table: Table  # the rows as the page shows them, for the CSV download


# The catalog table's columns, as the page heads them.
CATALOG_COLUMNS = (
    "Model",
    "Organization",
    "Licence (code)",
    "Weights licences",
    "Tasks (trained weights)",
    "Parameters (M)",
    "Best COCO val2017 mAP50-95 (claimed)",
    "First released",
)


def catalog_table(rows: Iterable[CatalogRow]) -> Table:
    """The catalog as the page shows it, one row per card (citation marks left out)."""
    return Table(
        "catalog",
        CATALOG_COLUMNS,
        tuple(
            (
                r.name,
                r.organizations,
                r.license,
                ", ".join(r.weights_licenses) or "no weights listed",
                r.tasks,
                r.params,
                f"{fmt_number(r.best.value)} ({r.best.variant})" if r.best else "no val2017 claim",
                r.first_release,
            )
            for r in rows
        ),
    )


def best_metric(card: ModelCard, metric: str, dataset: str) -> tuple[Variant, Metric] | None:
    """The best figure the authors claim (re-measurements are on the model page, not in this summary)."""
    found = [
        (v, m)
        for v in card.variants
        for m in v.metrics
        if m.metric == metric and m.dataset == dataset and m.source_kind == "claimed"
    ]
    return max(found, key=lambda vm: vm[1].value) if found else None


def card_tasks(card: ModelCard, registry: Registry) -> str:
    return ", ".join(
        task_name(t.task, registry) + ("" if t.state == "pretrained" else " (architecture only)")
        for t in card.tasks
        if t.state != "none"
    )


def menu(values: Iterable[str]) -> tuple[str, ...]:
    """A filter menu's options: one per value regardless of case (the first spelling kept), in case-insensitive
    order, so `iMoonLab` sits among the I's."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.lower(), value)
    return tuple(sorted(seen.values(), key=str.lower))


def catalog_row(card: ModelCard, registry: Registry) -> CatalogRow:
    pr = params_range(card)
    best = best_metric(card, "map50_95", "coco-val2017")
    return CatalogRow(
        name=card.name,
        page=model_page(card.id),
        filter_tasks=" ".join(t.task for t in card.tasks if t.state != "none"),
        filter_orgs="|".join(o.name for o in card.organizations),
        commercial="yes" if licenses.card_free_commercial_use(card, registry) else "no",
        organizations=organizations(card),
        license=card.license.id,
        weights_licenses=tuple("not stated" if lic == NOT_STATED else lic for lic in licenses.weights_licenses(card)),
        tasks=card_tasks(card, registry),
        params_sort=pr[0] if pr else -1,
        params=fmt_range(pr, ""),
        best_sort=best[1].value if best else -1,
        best=BestFigure(best[1].value, best[0].id, cite(card, best[1])) if best else None,
        first_release=first_release(card),
    )


def catalog_view(inputs: SiteInputs) -> CatalogView:
    cards = inputs.cards
    rows = tuple(catalog_row(c, inputs.registry) for c in cards)
    return CatalogView(
        CATALOG,
        tuple((task_id, t.name) for task_id, t in inputs.registry.tasks.items()),
        menu(c.license.id for c in cards),
        menu(o.name for c in cards for o in c.organizations),
        rows,
        catalog_table(rows),
    )
