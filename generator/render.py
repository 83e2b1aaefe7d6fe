"""Catalog to page sources: Jinja templates in, `{path: text}` out. No I/O here.

Every value from a card is HTML-escaped by autoescaping; text placed where
Markdown would parse it (headings, front matter) also goes through `md` or
`yaml_str`, so a card's text can never become markup or script.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from . import compare, licenses, measured
from .export.manifest import OnnxArtifact
from .loader import Catalog
from .measurement import Figure, Machine, Measurement, NativeLatency
from .schema import Cited, Metric, ModelCard, Organization, Registry, Variant

# Above this many pairs, pair pages are not written and the client-side view serves every pair:
# at about 10 ms a page, 2,000 pages cost about 20 s; 1,000 models would mean 499,500 pages.
MAX_PAIR_PAGES = 2000

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md(text: Any) -> Markup:
    """Text that Markdown shows literally: HTML-escaped, then Markdown punctuation backslashed."""
    return Markup(_MD_SPECIAL.sub(r"\\\1", str(escape(str(text)))))


def yaml_str(text: Any) -> Markup:
    """A front-matter scalar for mkdocs, which puts titles and descriptions into pages without escaping:
    HTML-escaped (quotes too, for attributes), then quoted so it cannot break out of its YAML line."""
    return Markup(json.dumps(html.escape(str(text), quote=True)))


def fmt_number(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}g}" if abs(value) < 10**digits else f"{value:,.0f}"


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


def model_page(card_id: str) -> str:
    return f"models/{card_id}.md"


def compare_page(a: str, b: str) -> str:
    return f"compare/{compare.pair_slug(a, b)}.md"


@dataclass(frozen=True)
class PageContext:
    """Helpers a template needs to link and cite from the page it renders."""

    page: str
    catalog: Catalog

    @property
    def registry(self) -> Registry:
        return self.catalog.registry

    def link(self, to_page: str) -> str:
        return url(self.page, to_page)

    def asset(self, path: str) -> str:
        """A file at the site root, relative to this page."""
        to_root = self.link("index.md")
        return ("" if to_root == "./" else to_root) + path

    def cite(self, card: ModelCard, fact: Cited) -> Markup:
        """A numbered citation linking to the source list on the card's page."""
        keys = list(card.sources)
        number = keys.index(fact.source) + 1
        source = card.sources[fact.source]
        title = source.title + (f" — {fact.part}" if fact.part else "")
        href = self.link(model_page(card.id)) + f"#src-{fact.source}" if self.page != model_page(card.id) else f"#src-{fact.source}"
        return Markup('<sup class="cite"><a href="{}" title="{}">[{}]</a></sup>').format(href, title, number)

    def task_name(self, task: str) -> str:
        return self.registry.tasks[task].name

    def metric_label(self, ctx: compare.MetricContext) -> str:
        return context_label(ctx, self.registry)

    def metric_value(self, metric: Metric) -> str:
        return self.metric_value_with(metric, self.registry)

    @staticmethod
    def metric_value_with(metric: Metric, registry: Registry) -> str:
        info = registry.metrics[metric.metric]
        return f"{fmt_number(metric.value)}%" if info.unit == "%" else f"{fmt_number(metric.value)} {info.unit}"


def context_label(ctx: compare.MetricContext, registry: Registry) -> str:
    """A human label for everything a number depends on."""
    parts = [registry.metrics[ctx.metric].name]
    if ctx.dataset:
        parts.append(registry.datasets[ctx.dataset].name)
    if ctx.hardware:
        parts.append(registry.hardware[ctx.hardware].name)
    parts += _runtime_parts(ctx, registry)
    parts.append(_pre_post_label(ctx.includes_pre_post, long=True))
    return " · ".join(p for p in parts if p)


def _runtime_parts(ctx: compare.MetricContext, registry: Registry) -> list[str]:
    parts = []
    if ctx.runtime:
        parts.append(registry.runtimes[ctx.runtime].name)
    if ctx.precision:
        parts.append("precision not stated" if ctx.precision == "not-stated" else ctx.precision.upper())
    if ctx.batch is not None:
        parts.append("batch not stated" if ctx.batch == "not-stated" else f"batch {ctx.batch}")
    return parts


def _pre_post_label(value: bool | str | None, long: bool = False) -> str:
    if value is None:
        return ""
    if value == "not-stated":
        return "pre/post-processing not stated"
    if value:
        return "incl. pre/post-processing" if long else "incl. pre/post"
    return "model only"


def latency_series_label(ctx: compare.MetricContext, registry: Registry) -> str:
    parts = [registry.hardware[ctx.hardware].name if ctx.hardware else "unknown hardware"]
    parts += _runtime_parts(ctx, registry)
    parts.append(_pre_post_label(ctx.includes_pre_post))
    return " · ".join(p for p in parts if p)


# --- Per-card display facts ------------------------------------------------------------


def params_range(card: ModelCard) -> tuple[float, float] | None:
    values = [p.value for v in card.variants for p in v.params]
    return (min(values), max(values)) if values else None


def fmt_range(r: tuple[float, float] | None, unit: str) -> str:
    if r is None:
        return "not stated"
    low, high = r
    return f"{fmt_number(low)} {unit}" if low == high else f"{fmt_number(low)}–{fmt_number(high)} {unit}"


def input_sizes(card: ModelCard) -> str:
    sizes = sorted({tuple(s.value) for v in card.variants for s in v.input_size})
    return ", ".join(f"{h}" if h == w else f"{h}×{w}" for h, w in sizes)


def best_metric(card: ModelCard, metric: str, dataset: str) -> tuple[Variant, Metric] | None:
    found = [(v, m) for v in card.variants for m in v.metrics if m.metric == metric and m.dataset == dataset]
    return max(found, key=lambda vm: vm[1].value) if found else None


def first_release(card: ModelCard) -> str:
    return str(min(r.date for r in card.release_date))


@dataclass(frozen=True)
class OrgGroup:
    """One organization, with every source that names it (sources may spell it differently)."""

    name: str
    url: str | None
    citations: tuple[Organization, ...]


def org_groups(card: ModelCard) -> list[OrgGroup]:
    groups: dict[str, list[Organization]] = {}
    for org in card.organizations:
        groups.setdefault(str(org.url) if org.url else org.name, []).append(org)
    return [OrgGroup(orgs[0].name, str(orgs[0].url) if orgs[0].url else None, tuple(orgs)) for orgs in groups.values()]


def organizations(card: ModelCard) -> str:
    return ", ".join(g.name for g in org_groups(card))


def license_info(card: ModelCard) -> licenses.LicenseInfo | None:
    return licenses.lookup(card.license.id)


# --- Measured figures ---------------------------------------------------------------------


def fmt_ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 1000 else f"{value / 1000:.2f} s"


def fmt_figure(figure: Figure) -> str:
    """The median with its spread, never a lone number: `46.2 ms (IQR 45.1–47.8, 30 runs)`."""
    runs = f"{figure.runs} run{'s' if figure.runs != 1 else ''}"
    return f"{fmt_ms(figure.median)} (IQR {figure.q1:.1f}–{figure.q3:.1f}, {runs})"


def fmt_rounds(latency: NativeLatency) -> str:
    """Each round's median in run order, and a warning when they drift apart more than two runs should."""
    medians = " / ".join(f"{r.inference_median:.1f}" for r in latency.rounds)
    note = "" if latency.settled else (f": they differ by {latency.drift:.0%}, the machine's speed changed during the run, "
                                       "so judge the figure by its spread")
    return f"{medians} ms{note}"


def fmt_bytes(value: int) -> str:
    """Decimal units, as download sizes are usually given: 10.8 MB."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value} bytes"


def fmt_reading(reading: measured.Reading) -> str:
    if reading.kind == "figure":
        assert isinstance(reading.value, Figure)
        return fmt_figure(reading.value)
    if reading.kind == "rounds":
        assert isinstance(reading.value, NativeLatency)
        return fmt_rounds(reading.value)
    if reading.kind == "ms":
        return fmt_ms(float(reading.value))  # type: ignore[arg-type]
    if reading.kind == "bytes":
        return fmt_bytes(int(reading.value))  # type: ignore[arg-type]
    return f"{float(reading.value):.1f}%"  # type: ignore[arg-type]


def machine_label(machine: Machine) -> str:
    """Everything a reader needs to judge where a figure was measured; says what the machine did not report."""
    parts = [machine.cpu or "CPU not reported (browsers do not say)", f"{machine.cores} logical cores"]
    parts.append(f"{machine.memory_bytes / 1024**3:.0f} GB memory" if machine.memory_bytes else "memory not reported")
    parts += [p for p in (machine.gpu, machine.os) if p]
    return f"{machine.name}: " + ", ".join(parts)


# The versions that decide a figure; the rest (python, numpy …) stay in the record and in catalog.json.
SOFTWARE_SHOWN = ("onnxruntime", "onnxruntime-web", "browser", "pycocotools")


def software_label(record: Measurement) -> str:
    shown = [(k, record.software[k]) for k in SOFTWARE_SHOWN if k in record.software]
    return ", ".join(v if k == "browser" else f"{k} {v}" for k, v in shown) or "not recorded"


def status_label(record: Measurement) -> str:
    """Complete, or which sections an interrupted run never measured; and why a section was skipped."""
    pending = record.pending()
    status = "complete" if record.complete else f"incomplete: {', '.join(pending) or 'run not finished'} not measured yet"
    skipped = [f"{section} skipped ({why})" for section, why in record.skipped.items()]
    return "; ".join([status, *skipped])


def run_columns(records: Iterable[Measurement]) -> list[tuple[str, Measurement]]:
    """One column per run for a model page: the machine and the day name it."""
    return [(f"{r.machine.name}, {r.started:%Y-%m-%d}", r) for r in records]


def pair_columns(pair: measured.PairRun, a: ModelCard, b: ModelCard) -> list[tuple[str, Measurement]]:
    """One column per artifact for a comparison page, first model's first; all from one run."""
    return [(f"{card.name}: {r.artifact.artifact_id}", r) for card, rs in ((a, pair.a), (b, pair.b)) for r in rs]


def measured_series_label(series: measured.MeasuredSeries, record: Measurement, registry: Registry) -> str:
    dataset = registry.datasets[record.accuracy.dataset].name if record.accuracy else "no accuracy"
    return f"Measured · {record.machine.name}, {record.started:%Y-%m-%d} · {series.setting} · inference · mAP on {dataset}"


def claimed_series_label(ctx: compare.MetricContext, registry: Registry) -> str:
    """Claimed accuracy is always COCO val2017 here; the chart's axis title says so."""
    return f"Claimed · {latency_series_label(ctx, registry)}"


# --- The site ---------------------------------------------------------------------


class Renderer:
    def __init__(
        self, catalog: Catalog, artifacts: dict[str, list[OnnxArtifact]] | None = None, demo_ready: bool = False
    ) -> None:
        self.catalog = catalog
        self.artifacts = artifacts or {}
        self.demo_ready = demo_ready  # the build publishes the demo (it has at least one artifact)
        self.env = Environment(
            loader=PackageLoader("generator", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(md=md, yaml_str=yaml_str, num=fmt_number, runtime_of=compare.runtime_of, reading=fmt_reading)
        self.env.globals.update(
            compare=compare,
            measured=measured,
            machine_label=machine_label,
            software_label=software_label,
            status_label=status_label,
            run_columns=run_columns,
            pair_columns=pair_columns,
            variant_of=lambda card, variant_id: next((v for v in card.variants if v.id == variant_id), None),
            params_range=params_range,
            fmt_range=fmt_range,
            input_sizes=input_sizes,
            best_metric=best_metric,
            first_release=first_release,
            organizations=organizations,
            org_groups=org_groups,
            license_info=license_info,
            model_page=model_page,
            compare_page=compare_page,
            runtime_of=compare.runtime_of,
            tojson=lambda v: Markup(json.dumps(v, ensure_ascii=False).replace("</", "<\\/")),
        )

    @cached_property
    def cards(self) -> tuple[ModelCard, ...]:
        return self.catalog.cards

    def _render(self, template: str, page: str, **values: Any) -> str:
        ctx = PageContext(page, self.catalog)
        return self.env.get_template(template).render(
            ctx=ctx,
            cards=self.cards,
            registry=self.catalog.registry,
            artifacts=self.artifacts,
            records=self.catalog.measurements,
            demo_ready=self.demo_ready,
            **values,
        )

    @property
    def static_pairs(self) -> bool:
        """Whether every pair gets its own page; above the budget the client-side view serves pairs."""
        n = len(self.cards)
        return n * (n - 1) // 2 <= MAX_PAIR_PAGES

    def pages(self) -> dict[str, str]:
        """Every generated page, keyed by its path under the docs folder."""
        static = self.static_pairs
        out = {
            "index.md": self._render("home.md.j2", "index.md", static_pairs=static),
            "models/index.md": self._render("catalog.md.j2", "models/index.md"),
            "tasks.md": self._render("tasks.md.j2", "tasks.md"),
            "chart.md": self._render("chart.md.j2", "chart.md", series=self.chart_data(self.cards, self.catalog.measurements)),
            "compare/index.md": self._render("compare_index.md.j2", "compare/index.md", static_pairs=static),
            "compare/view.md": self._render("compare_view.md.j2", "compare/view.md"),
        }
        for card in self.cards:
            out[model_page(card.id)] = self._render("model.md.j2", model_page(card.id), card=card)
        if static:
            for a, b in compare.pairs(self.cards):
                page = compare_page(a.id, b.id)
                out[page] = self.compare(a, b, page)
        return out

    def compare(self, a: ModelCard, b: ModelCard, page: str) -> str:
        aligned = compare.aligned_metrics((a, b), self.catalog.registry)
        pair = measured.pair_run(self.catalog.measurements, a.id, b.id)
        return self._render(
            "compare.md.j2",
            page,
            a=a,
            b=b,
            shared=compare.shared_tasks(a, b),
            plan=compare.demo_plan(a, b, self.catalog.registry),
            aligned=aligned,
            only_a=compare.unaligned_contexts(a, aligned),
            only_b=compare.unaligned_contexts(b, aligned),
            pair=pair,
            series=self.chart_data((a, b), pair.records if pair else ()),
        )

    def chart_data(self, cards: Iterable[ModelCard], records: Iterable[Measurement] = ()) -> list[dict[str, Any]]:
        """Accuracy-vs-latency points: claimed series, one per latency context, then measured series, one per
        run and setting. A series is either claimed or measured, never both, and never two contexts or runs."""
        registry = self.catalog.registry
        out = []
        for ctx, points in compare.accuracy_latency_series(list(cards)).items():
            out.append(
                {
                    "label": claimed_series_label(ctx, registry),
                    "measured": False,
                    "points": [
                        {
                            "model": p.card.name,
                            "variant": p.variant.id,
                            "x": p.latency.value,
                            "y": p.accuracy.value,
                            "source": " / ".join(
                                sorted({p.card.sources[p.latency.source].title, p.card.sources[p.accuracy.source].title})
                            ),
                        }
                        for p in points
                    ],
                }
            )
        names = {card.id: card.name for card in self.catalog.cards}
        for series, points in measured.measured_series(records).items():
            out.append(
                {
                    "label": measured_series_label(series, points[0].record, registry),
                    "measured": True,
                    "points": [
                        {
                            "model": names[p.record.artifact.card_id],
                            "variant": p.record.artifact.artifact_id,
                            "x": round(p.latency.median, 2),
                            "y": round(p.accuracy, 1),
                            "source": f"measured by Versus, run {p.record.run}",
                        }
                        for p in points
                    ],
                }
            )
        return out


def catalog_json(catalog: Catalog) -> str:
    """Every validated card with the published field names, the registry it refers to, every measurement
    record as committed (`measurements`), and `views`: display-ready facts per card that the client-side
    comparison view joins without re-implementing the comparison rules (context keys and labels are
    computed here)."""
    data = {
        "cards": [card.model_dump(mode="json") for card in catalog.cards],
        "registry": catalog.registry.model_dump(mode="json"),
        "views": {card.id: card_view(card, catalog.registry) for card in catalog.cards},
        "measurements": [record.model_dump(mode="json") for record in catalog.measurements],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def card_view(card: ModelCard, registry: Registry) -> dict[str, Any]:
    """The facts a comparison shows for one card, formatted once, in Python."""
    metrics = []
    for claim in compare.claims(card):
        ctx = compare.MetricContext.of(claim.metric)
        info = registry.metrics[ctx.metric]
        source = card.sources[claim.metric.source]
        metrics.append(
            {
                "key": "|".join(ctx.sort_key()),
                "label": context_label(ctx, registry),
                "name": info.name,
                "better": info.better,
                "variant": claim.variant.id,
                "value": claim.metric.value,
                "shown": PageContext.metric_value_with(claim.metric, registry),
                "source": source.title,
                "url": str(source.url),
            }
        )
    info = license_info(card)
    return {
        "name": card.name,
        "summary": card.summary,
        "page": model_page(card.id).removesuffix(".md") + "/",
        "organizations": organizations(card),
        "category": card.category,
        "modality": card.modality,
        "released": [f"{r.date} ({r.event})" for r in card.release_date],
        "input": input_sizes(card) + " px",
        "params": fmt_range(params_range(card), "M"),
        "license": card.license.id,
        "license_note": card.license.note or "",
        "license_category": info.category if info else "",
        "tasks": {t.task: t.state for t in card.tasks if t.state != "none"},
        "metrics": metrics,
    }
