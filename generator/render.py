"""Page views to page sources: Jinja templates in, `{path: text}` out. No I/O here.

The views (`generator/views/`) hold every value a page shows, already formatted; templates only lay them
out, with the filters below: `md` and `yaml_str` (text where Markdown or front matter would parse it),
`num` (a number), `tojson` (a data island), `url` and `asset` (links from the page being rendered). Every
value is HTML-escaped by autoescaping, so a card's text can never become markup or script.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import PurePosixPath
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from . import compare
from .export.manifest import OnnxArtifact
from .loader import Catalog
from .views.all_models import AllModelsView, all_models_views
from .views.catalog import CatalogView, catalog_view
from .views.chart import ChartView, chart_view
from .views.compare import ClientPairView, CompareIndexView, client_pair_view, compare_index_view
from .views.home import HomeView, home_view
from .views.inputs import SiteInputs
from .views.labels import fmt_number
from .views.model import ModelView, model_view
from .views.pages import model_page
from .views.pair import PairView, card_view, pair_view
from .views.tasks import TasksView, tasks_view

__all__ = [
    "FILTERS",
    "MAX_PAIR_PAGES",
    "TEMPLATES",
    "Renderer",
    "catalog_json",
    "environment",
    "model_page",
    "render_page",
]
# model_page is re-exported: the site's navigation links model pages.

# Above this many pairs, pair pages are not written and the client-side view serves every pair:
# at about 10 ms a page, 2,000 pages cost about 20 s; 1,000 models would mean 499,500 pages.
MAX_PAIR_PAGES = 2000

# The template that lays out each page view.
TEMPLATES: dict[type, str] = {
    HomeView: "home.md.j2",
    CatalogView: "catalog.md.j2",
    TasksView: "tasks.md.j2",
    ChartView: "chart.md.j2",
    CompareIndexView: "compare_index.md.j2",
    ClientPairView: "compare_view.md.j2",
    ModelView: "model.md.j2",
    PairView: "compare.md.j2",
    AllModelsView: "all_models.md.j2",
}

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md(text: Any) -> Markup:
    """Text that Markdown shows literally: HTML-escaped, then Markdown punctuation backslashed."""
    return Markup(_MD_SPECIAL.sub(r"\\\1", str(escape(str(text)))))


def yaml_str(text: Any) -> Markup:
    """A front-matter scalar for mkdocs, which puts titles and descriptions into pages without escaping:
    HTML-escaped (quotes too, for attributes), then quoted so it cannot break out of its YAML line."""
    return Markup(json.dumps(html.escape(str(text), quote=True)))


def tojson(value: Any) -> Markup:
    """JSON for a data island in a page: `</` is escaped so the data cannot close its script element."""
    return Markup(json.dumps(value, ensure_ascii=False).replace("</", "<\\/"))


def url(from_page: str, to_page: str) -> str:
    """A link between generated pages under use_directory_urls (`a/b.md` is served at `a/b/`)."""

    def directory(page: str) -> PurePosixPath:
        p = PurePosixPath(page)
        return p.parent if p.name == "index.md" else p.with_suffix("")

    src, dst = directory(from_page).parts, directory(to_page).parts
    common = 0
    while common < min(len(src), len(dst)) and src[common] == dst[common]:
        common += 1
    rel = [".."] * (len(src) - common) + list(dst[common:])
    return ("/".join(rel) + "/") if rel else "./"


@pass_context
def url_filter(context: Context, to_page: str, anchor: str | None = None) -> str:
    """`{{ "models/x.md" | url }}`: a link from the page being rendered (the template's `page`) to another page;
    with an anchor, the anchor alone when it is on this page."""
    here = context["page"]
    if anchor is None:
        return url(here, to_page)
    return f"#{anchor}" if to_page == here else url(here, to_page) + f"#{anchor}"


@pass_context
def asset_filter(context: Context, path: str) -> str:
    """`{{ "catalog.json" | asset }}`: a file at the site root, relative to the page being rendered."""
    to_root = url(context["page"], "index.md")
    return ("" if to_root == "./" else to_root) + path


FILTERS = {
    "md": md,
    "yaml_str": yaml_str,
    "num": fmt_number,
    "tojson": tojson,
    "url": url_filter,
    "asset": asset_filter,
}


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("generator", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render_page(view: Any) -> str:
    """One page's source from its view alone; the view's `page` is where the page lives (links start there)."""
    return environment().get_template(TEMPLATES[type(view)]).render(view=view, page=view.page)


class Renderer:
    def __init__(
        self,
        catalog: Catalog,
        artifacts: dict[str, list[OnnxArtifact]] | None = None,
        demo_ready: bool = False,
        not_exported: dict[str, str] | None = None,
        int8_refused: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        self.catalog = catalog
        self.not_exported = not_exported or {}  # variant id -> why `versus export` could not export it
        self.int8_refused = int8_refused or {}  # variant id -> (int8 artifact id, why it was not published)
        self.artifacts = artifacts or {}  # by variant id, trained first
        self.demo_ready = demo_ready  # the build publishes the demo (it has at least one artifact)

    @property
    def static_pairs(self) -> bool:
        """Whether every pair gets its own page; above the budget the client-side view serves pairs."""
        n = len(self.catalog.cards)
        return n * (n - 1) // 2 <= MAX_PAIR_PAGES

    def views(self) -> list[Any]:
        """Every page's view: the fixed pages, one per card, and one per pair while pairs get pages."""
        inputs = SiteInputs(
            self.catalog, self.artifacts, self.demo_ready, self.static_pairs, self.not_exported, self.int8_refused
        )
        out = [
            home_view(inputs),
            catalog_view(inputs),
            tasks_view(inputs),
            chart_view(inputs),
            compare_index_view(inputs),
            client_pair_view(inputs),
        ]
        out += all_models_views(inputs)
        out += [model_view(card, inputs) for card in inputs.cards]
        if inputs.static_pairs:
            out += [pair_view(a, b, inputs) for a, b in compare.pairs(inputs.cards)]
        return out

    def pages(self) -> dict[str, str]:
        """Every generated page, keyed by its path under the docs folder."""
        return {view.page: render_page(view) for view in self.views()}


def catalog_json(catalog: Catalog) -> str:
    """Every validated card with the published field names (each metric with its `source_kind`), the registry
    it refers to, every measurement record as committed (`measurements`, each marked `source_kind: versus`),
    and `views`: per card, the facts the client-side pair view joins, from the same view functions as the
    pair pages (views/pair.py card_view), so it never re-implements the comparison rules."""
    data = {
        "cards": [card.model_dump(mode="json") for card in catalog.cards],
        "registry": catalog.registry.model_dump(mode="json"),
        "views": {card.id: card_view(card, catalog.registry) for card in catalog.cards},
        "measurements": [
            {**record.model_dump(mode="json"), "source_kind": "versus"} for record in catalog.measurements
        ],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
