"""Catalog to page sources: Jinja templates in, `{path: text}` out. No I/O here.

Every value from a card is HTML-escaped by autoescaping; text placed where
Markdown would parse it (headings, front matter) also goes through `md` or
`yaml_str`, so a card's text can never become markup or script.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from . import compare, licenses
from .views import measured
from .export.manifest import OnnxArtifact
from .loader import Catalog
from .measurement import Figure, Machine, Measurement, NativeLatency
from .schema import Cited, Metric, ModelCard, Organization, Registry, Variant
from .views.catalog import catalog_view
from .views.chart import chart_data, chart_series, chart_view
from .views.home import home_view
from .views.model import model_view
from .views.pair import card_view, pair_view
from .views.inputs import SiteInputs
from .views.tasks import tasks_view

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


def tojson(value: Any) -> Markup:
    """JSON for a data island in a page: `</` is escaped so the data cannot close its script element."""
    return Markup(json.dumps(value, ensure_ascii=False).replace("</", "<\\/"))


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

    def metric_label(self, key: compare.ComparisonKey) -> str:
        return key_label(key, self.registry)

    def claim_label(self, card: ModelCard, variant: Variant, metric: Metric) -> str:
        return key_label(compare.ComparisonKey.of(card, variant, metric, self.registry), self.registry)

    def metric_value(self, metric: Metric) -> str:
        return self.metric_value_with(metric, self.registry)

    @staticmethod
    def metric_value_with(metric: Metric, registry: Registry) -> str:
        info = registry.metrics[metric.metric]
        return f"{fmt_number(metric.value)}%" if info.unit == "%" else f"{fmt_number(metric.value)} {info.unit}"


KIND_LABELS = {"claimed": "claimed", "vendor-measured": "vendor re-run", "independent": "independent", "versus": "measured by Versus"}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def _stated(token: str | None) -> bool:
    return token is not None and not compare.is_unstated(token)


def key_label(key: compare.ComparisonKey, registry: Registry) -> str:
    """A human label for everything a figure depends on. Unstated latency settings are named, since they
    keep figures apart; unstated protocol keys are left out (they follow the benchmark's convention)."""
    parts = [registry.metrics[key.metric].name]
    if key.dataset:
        parts.append(registry.datasets[compare.base_of(key.dataset)].name)
    h, w = key.input_size
    parts.append(f"{h} px input" if h == w else f"{h}×{w} input")
    if _stated(key.evaluator):
        parts.append(registry.evaluators[key.evaluator].name)  # type: ignore[index]
    if _stated(key.max_detections):
        parts.append(f"max {key.max_detections} detections")
    if _stated(key.score_threshold):
        parts.append(f"score ≥ {key.score_threshold}")
    if _stated(key.nms):
        parts.append("NMS-free" if key.nms == "none" else "with NMS")
    if key.pretraining is not None and _stated(key.pretraining):
        parts.append("no extra pretraining" if key.pretraining == "none" else "pretrained on " + ", ".join(
            registry.datasets[d].name for d in key.pretraining.split("+")))
    if _stated(key.accuracy_precision):
        parts.append(f"{key.accuracy_precision.upper()} model")  # type: ignore[union-attr]
    if key.hardware:
        parts.append(registry.hardware[compare.base_of(key.hardware)].name)
    parts += _engine_parts(key, registry)
    parts.append(_pre_post_label(key.includes_pre_post, long=True))
    return " · ".join(p for p in parts if p)


def _engine_parts(key: compare.ComparisonKey | compare.ChartContext, registry: Registry) -> list[str]:
    parts = []
    if key.engine:
        parts.append(registry.engines[compare.base_of(key.engine)].name)
    if key.precision:
        parts.append("precision not stated" if compare.is_unstated(key.precision) else key.precision.upper())
    if key.batch is not None:
        parts.append("batch not stated" if compare.is_unstated(key.batch) else f"batch {key.batch}")
    return parts


def _pre_post_label(value: str | None, long: bool = False) -> str:
    if value is None:
        return ""
    if compare.is_unstated(value):
        return "pre/post-processing not stated"
    if value == "True":
        return "incl. pre/post-processing" if long else "incl. pre/post"
    return "model only"


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
    """The best figure the authors claim (re-measurements are on the model page, not in this summary)."""
    found = [
        (v, m) for v in card.variants for m in v.metrics
        if m.metric == metric and m.dataset == dataset and m.source_kind == "claimed"
    ]
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




@dataclass(frozen=True)
class LicenseRow:
    """Variants bound by the same licences, with what the licences ask and whether free commercial use is open."""

    variants: tuple[str, ...]
    held: tuple[licenses.Held, ...]
    free_commercial: bool | None
    blocking: tuple[str, ...] = ()  # "LicenseRef-X: paid-plan"


def license_rows(card: ModelCard, registry: Registry) -> list[LicenseRow]:
    groups: dict[tuple[licenses.Held, ...], list[str]] = {}
    for v in card.variants:
        groups.setdefault(tuple(licenses.variant_licenses(card, v)), []).append(v.id)
    rows = []
    for held, ids in groups.items():
        rows.append(LicenseRow(tuple(ids), held, licenses.free_commercial_use(list(held), registry),
                               tuple(licenses.blocking(list(held), registry))))
    return rows


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


_QUANTIZATION_WORDS = {
    "activations": "quantized weights and activations (kept quantized in the ONNX graph)",
    "weights": "int8 weights, dequantized to float32 in the ONNX graph",
    "float": "float weights",
}


def provenance(artifact: OnnxArtifact) -> str:
    """What a measured file is, in words, from its manifest: whose weights, which format and precision, which
    converter. A third-party export is never presented as the official checkpoint."""
    src, conv = artifact.source, artifact.converter
    if not artifact.trained:
        return (f"random weights built from {src.architecture} (seed {src.seed}), no checkpoint: "
                f"an untrained test graph, converted by {conv.name}")
    name = (src.url or "").rsplit("/", 1)[-1] or "the weights file"
    whose = "the official checkpoint" if src.official else "a third-party file, not the official checkpoint"
    quantization = conv.options.get("quantization")
    precision = _QUANTIZATION_WORDS.get(str(quantization), "") if quantization else ""
    dtype = artifact.inputs[0].dtype if artifact.inputs else ""
    parts = [f"{name}: {whose}", f"{src.format} format"]
    if precision:
        parts.append(precision)
    parts.append(f"converted to ONNX by {conv.name}")
    if dtype:
        parts.append(f"{dtype} input")
    return "; ".join(parts)


def run_columns(records: Iterable[Measurement]) -> list[tuple[str, Measurement]]:
    """One column per run for a model page: the machine and the day name it."""
    return [(f"{r.machine.name}, {r.started:%Y-%m-%d}", r) for r in records]


def pair_columns(pair: measured.PairRun, a: ModelCard, b: ModelCard) -> list[tuple[str, Measurement]]:
    """One column per artifact for a comparison page, first model's first; all from one run."""
    return [(f"{card.name}: {r.artifact.artifact_id}", r) for card, rs in ((a, pair.a), (b, pair.b)) for r in rs]


# --- The site ---------------------------------------------------------------------


class Renderer:
    def __init__(
        self, catalog: Catalog, artifacts: dict[str, list[OnnxArtifact]] | None = None, demo_ready: bool = False
    ) -> None:
        self.catalog = catalog
        self.artifacts = artifacts or {}  # by variant id, trained first
        self.demo_ready = demo_ready  # the build publishes the demo (it has at least one artifact)
        self.env = Environment(
            loader=PackageLoader("generator", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(md=md, yaml_str=yaml_str, num=fmt_number, runtime_of=compare.runtime_of, reading=fmt_reading,
                                url=url_filter, asset=asset_filter, tojson=tojson)
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
            licenses=licenses,
            license_rows=license_rows,
            kind_label=kind_label,
            model_page=model_page,
            compare_page=compare_page,
            runtime_of=compare.runtime_of,
            tojson=lambda v: Markup(json.dumps(v, ensure_ascii=False).replace("</", "<\\/")),
        )

    @cached_property
    def runnable(self) -> dict[str, list[str]]:
        """Per card, the variant ids of the trained artifacts this build exported: what the demo can run."""
        out: dict[str, list[str]] = {}
        for arts in self.artifacts.values():  # keyed by variant id
            for a in arts:
                if a.trained:
                    out.setdefault(a.card_id, []).append(a.variant_id)
        return out

    @cached_property
    def cards(self) -> tuple[ModelCard, ...]:
        return self.catalog.cards

    def provenance(self, record: Measurement) -> str:
        """Words for the file a record measured, from this build's manifest of the same artifact id."""
        for artifact in self.artifacts.get(record.artifact.variant_id, []):
            if artifact.artifact_id == record.artifact.artifact_id:
                same = "" if artifact.file.sha256 == record.artifact.sha256 else (
                    " (as this build exported it; the measured file's bytes differ, since converters are not byte-deterministic)")
                return provenance(artifact) + same
        return "not known to this build: export the artifact (versus export) to show its manifest here"

    def _render(self, template: str, page: str, **values: Any) -> str:
        ctx = PageContext(page, self.catalog)
        return self.env.get_template(template).render(
            ctx=ctx,
            page=page,
            cards=self.cards,
            registry=self.catalog.registry,
            artifacts=self.artifacts,
            records=self.catalog.measurements,
            demo_ready=self.demo_ready,
            provenance=self.provenance,
            **values,
        )

    def _render_view(self, template: str, view: Any) -> str:
        return self.env.get_template(template).render(view=view, page=view.page)

    @property
    def static_pairs(self) -> bool:
        """Whether every pair gets its own page; above the budget the client-side view serves pairs."""
        n = len(self.cards)
        return n * (n - 1) // 2 <= MAX_PAIR_PAGES

    def pages(self) -> dict[str, str]:
        """Every generated page, keyed by its path under the docs folder."""
        static = self.static_pairs
        inputs = SiteInputs(self.catalog, self.artifacts, self.demo_ready, static)
        out = {
            "index.md": self._render_view("home.md.j2", home_view(inputs)),
            "models/index.md": self._render_view("catalog.md.j2", catalog_view(inputs)),
            "tasks.md": self._render_view("tasks.md.j2", tasks_view(inputs)),
            "chart.md": self._render_view("chart.md.j2", chart_view(inputs)),
            "compare/index.md": self._render("compare_index.md.j2", "compare/index.md", static_pairs=static),
            "compare/view.md": self._render("compare_view.md.j2", "compare/view.md"),
        }
        for card in self.cards:
            out[model_page(card.id)] = self._render_view("model.md.j2", model_view(card, inputs))
        if static:
            for a, b in compare.pairs(self.cards):
                page = compare_page(a.id, b.id)
                out[page] = self._render_view("compare.md.j2", pair_view(a, b, inputs))
        return out

    @cached_property
    def _claims(self) -> dict[str, list[compare.Claim]]:
        return {card.id: list(compare.claims(card, self.catalog.registry)) for card in self.cards}

    def claims_of(self, card: ModelCard) -> list[compare.Claim]:
        return self._claims[card.id]


def catalog_json(catalog: Catalog) -> str:
    """Every validated card with the published field names (each metric with its `source_kind`), the registry
    it refers to, every measurement record as committed (`measurements`, each marked `source_kind: versus`), and `views`: display-ready facts per card that the client-side
    comparison view joins without re-implementing the comparison rules (context keys and labels are
    computed here)."""
    data = {
        "cards": [card.model_dump(mode="json") for card in catalog.cards],
        "registry": catalog.registry.model_dump(mode="json"),
        "views": {card.id: card_view(card, catalog.registry) for card in catalog.cards},
        "measurements": [{**record.model_dump(mode="json"), "source_kind": "versus"} for record in catalog.measurements],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
