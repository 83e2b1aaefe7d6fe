"""The tasks × models page: one mark per card and registry task, each with its source."""

from __future__ import annotations

from dataclasses import dataclass

from ..schema import Task
from .all_models import all_models_pages
from .citations import Cite, cite
from .inputs import SiteInputs
from .labels import task_name
from .pages import TASKS, model_page
from .tables import Table


@dataclass(frozen=True)
class TaskCell:
    state: str  # "pretrained", "architecture-only" or "none"
    cite: Cite


@dataclass(frozen=True)
class TasksRow:
    name: str
    page: str
    cells: tuple[TaskCell | None, ...]  # one per registry task; None where the card does not list it


@dataclass(frozen=True)
class AllModelsLink:
    task: str  # the task's name as the text reads it, e.g. "object detection"
    page: str  # its all-models page


@dataclass(frozen=True)
class TasksView:
    page: str
    tasks: tuple[str, ...]  # registry task names, the columns
    rows: tuple[TasksRow, ...]
    table: Table  # the matrix as shown (its marks), for the CSV download
    all_models: tuple[AllModelsLink, ...]  # tasks whose trained models this build runs on one image


MARKS = {"pretrained": "●", "architecture-only": "◐", "none": "–"}  # the page's legend explains them


def tasks_table(tasks: tuple[str, ...], rows: tuple[TasksRow, ...]) -> Table:
    return Table(
        "tasks",
        ("Model", *tasks),
        tuple((r.name, *(MARKS[c.state] if c else MARKS["none"] for c in r.cells)) for r in rows),
    )


def tasks_view(inputs: SiteInputs) -> TasksView:
    rows = []
    for card in inputs.cards:
        listed: dict[str, Task] = {}
        for t in card.tasks:
            listed.setdefault(t.task, t)
        cells = tuple(
            TaskCell(listed[t].state, cite(card, listed[t])) if t in listed else None for t in inputs.registry.tasks
        )
        rows.append(TasksRow(card.name, model_page(card.id), cells))
    names = tuple(t.name for t in inputs.registry.tasks.values())
    links = tuple(
        AllModelsLink(task_name(task, inputs.registry).lower(), page) for task, page in all_models_pages(inputs).items()
    )
    return TasksView(TASKS, names, tuple(rows), tasks_table(names, tuple(rows)), links)
