"""Card facts several pages show the same way: organizations, release dates, licence and task cells."""

from __future__ import annotations

from dataclasses import dataclass

from .. import licenses
from ..schema import ModelCard, Organization, Registry
from .citations import Cite, cite, cites
from .labels import fmt_range, input_sizes, params_range


@dataclass(frozen=True)
class Sourced:
    """A fact in words with its citation: `2024-09-30 (code)[3]`."""

    text: str
    cite: Cite


@dataclass(frozen=True)
class OrgView:
    """One organization, with every source that names it (sources may spell it differently)."""

    name: str
    url: str | None
    cites: tuple[Cite, ...]


@dataclass(frozen=True)
class TaskBadge:
    """A card's state for a task, with its source when the card lists the task."""

    task: str  # the registry's name
    state: str  # "pretrained", "architecture-only" or "none"
    cite: Cite | None


@dataclass(frozen=True)
class CodeLicense:
    """The code's licence with the registry's plain summary (None when the licence is not stated), and whether
    weights or upstream parts of any variant are under another licence."""

    id: str
    url: str | None
    cite: Cite
    summary: str | None
    note: str | None
    others_differ: bool


def org_groups(card: ModelCard) -> tuple[OrgView, ...]:
    groups: dict[str, list[Organization]] = {}
    for org in card.organizations:
        groups.setdefault(str(org.url) if org.url else org.name, []).append(org)
    return tuple(
        OrgView(orgs[0].name, str(orgs[0].url) if orgs[0].url else None, cites(card, orgs)) for orgs in groups.values()
    )


def organizations(card: ModelCard) -> str:
    """The card's organizations, one name each however many sources name it."""
    return ", ".join(g.name for g in org_groups(card))


def released(card: ModelCard) -> tuple[Sourced, ...]:
    return tuple(Sourced(f"{r.date} ({r.event})", cite(card, r)) for r in card.release_date)


def input_label(card: ModelCard) -> str:
    return input_sizes(card) + " px"


def params_label(card: ModelCard) -> str:
    return fmt_range(params_range(card), "M")


def code_license(card: ModelCard, registry: Registry) -> CodeLicense:
    lic = card.license
    entry = registry.licenses.get(lic.id)
    return CodeLicense(
        lic.id,
        str(lic.url) if lic.url else None,
        cite(card, lic),
        entry.summary if entry else None,
        lic.note,
        licenses.licenses_differ(card),
    )


def task_badge(card: ModelCard, task_id: str, registry: Registry) -> TaskBadge:
    listed = next((t for t in card.tasks if t.task == task_id), None)
    return TaskBadge(registry.tasks[task_id].name, card.task_state(task_id), cite(card, listed) if listed else None)
