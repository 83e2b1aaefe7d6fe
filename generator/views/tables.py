"""Tables as data, for the "Download CSV" link beside every table a visitor sees.

A view that shows a table also carries it as a `Table`: a header and rows of the text the page shows in each
cell (citation marks left out: they point into the page). The site build writes each `Table` as a CSV file next
to its page (`table_files` says where; generator/site.py writes the CSV), and the template links it by its file
name. One mechanism for every table, so a CSV
never says something its page does not; tests/test_tables.py compares them cell by cell in the built site.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from typing import Any

_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclasses.dataclass(frozen=True)
class Table:
    """One table of a page: `name` is its CSV file's stem (unique on the page), `rows` the cells as shown."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        # A page collapses and trims the white space around a cell's text; the CSV holds what a reader sees.
        object.__setattr__(self, "header", tuple(h.strip() for h in self.header))
        object.__setattr__(self, "rows", tuple(tuple(c.strip() for c in row) for row in self.rows))
        if not _NAME.match(self.name):
            raise ValueError(f"table name {self.name!r}: use lower-case letters, digits and dashes (a file name)")
        for i, row in enumerate(self.rows):
            if len(row) != len(self.header):
                raise ValueError(f"table {self.name}: row {i} has {len(row)} cells, the header {len(self.header)}")

    @property
    def file(self) -> str:
        """The CSV's file name, which is also its link from the page (it sits in the page's folder)."""
        return f"{self.name}.csv"


def table_name(*parts: str) -> str:
    """A file stem from free text (an artifact id, a setting's label): lower case, runs of other characters as `-`."""
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-") or "table"


def page_folder(page: str) -> str:
    """The folder a page is served from under use_directory_urls: `a/b.md` at `a/b/`, `a/index.md` at `a/`."""
    folder, _, name = page.rpartition("/")
    return folder if name == "index.md" else page.removesuffix(".md")


def table_files(views: Iterable[Any]) -> dict[str, Table]:
    """`{path under the docs folder: table}` for every table of every page view (each view has a `page`)."""
    files: dict[str, Table] = {}
    for view in views:
        for table in tables_in(view):
            folder = page_folder(view.page)
            path = f"{folder}/{table.file}" if folder else table.file
            if path in files:
                raise ValueError(f"{view.page}: two tables are both named {table.name!r}; give each its own name")
            files[path] = table
    return files


def tables_in(value: Any) -> Iterator[Table]:
    """Every `Table` a view holds, at any depth (dataclass fields, tuples, lists), in field order."""
    if isinstance(value, Table):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from tables_in(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from tables_in(item)
