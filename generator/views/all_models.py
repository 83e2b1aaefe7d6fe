"""The all-models pages: one per task with trained artifacts in this build, running the visitor's image through
every one of them (wasm_demo/src/all-models.js). The view lists the models with the facts the page shows and
filters on; the browser takes each model's file and runtime spec from the demo manifest, by artifact id."""

from __future__ import annotations

from dataclasses import dataclass

from ..export.manifest import OnnxArtifact, by_size, graph_cost, graph_label
from ..schema import NOT_STATED
from .inputs import SiteInputs
from .labels import task_name
from .pages import all_models_page, model_page
from .records import fmt_bytes

# Size classes by the graph's parameter count (millions): the page's "size" filter.
SIZE_CLASSES = ((1.0, "under 1 M parameters"), (3.0, "1–3 M parameters"), (10.0, "3–10 M parameters"))
LARGEST = "10 M parameters or more"


def size_class(parameters: int) -> str:
    millions = parameters / 1e6
    return next((label for limit, label in SIZE_CLASSES if millions < limit), LARGEST)


@dataclass(frozen=True)
class ModelTile:
    """One trained artifact in the grid: what it is, where its card is, what the filters read."""

    artifact: str
    name: str  # the variant's name
    family: str  # the card's name
    page: str  # the card's page
    license: str  # the weights' licence (the demo manifest's), "not stated" when it is not
    download: str  # the ONNX file's size, e.g. "10.8 MB"
    bytes: int
    parameters: str  # e.g. "2.62 M parameters"
    size: str  # the size class (SIZE_CLASSES)
    graphs: tuple[GraphOption, ...] = ()  # the variant's graphs, when it has several (the first runs by default)


@dataclass(frozen=True)
class GraphOption:
    """One graph of a variant on offer: its artifact and, before it loads, its size and accuracy cost."""

    artifact: str
    text: str


@dataclass(frozen=True)
class Facet:
    """A filter: the tiles' attribute it reads and the values it offers."""

    key: str  # "license", "family" or "size"
    label: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class AllModelsView:
    page: str
    task: str
    task_name: str  # as the text reads it, e.g. "object detection"
    models: tuple[ModelTile, ...]
    facets: tuple[Facet, ...]


def trained_by_task(inputs: SiteInputs) -> dict[str, list[list[OnnxArtifact]]]:
    """This build's trained artifacts per task, one list per variant (its graphs smallest first: the first is the
    default), in catalog order (cards, then variants): the demo manifest's order."""
    out: dict[str, list[list[OnnxArtifact]]] = {}
    for card in inputs.cards:
        for variant in card.variants:
            graphs = [a for a in by_size(inputs.artifacts.get(variant.id, ())) if a.trained]
            if graphs:
                out.setdefault(graphs[0].runtime.task, []).append(graphs)
    return out


def all_models_pages(inputs: SiteInputs) -> dict[str, str]:
    """Task id -> its all-models page, for every task this build can run; none when the demo is not published."""
    if not inputs.demo_ready:
        return {}
    return {task: all_models_page(task) for task in trained_by_task(inputs)}


def graph_option(artifact: OnnxArtifact) -> GraphOption:
    cost = graph_cost(artifact)
    return GraphOption(
        artifact.artifact_id,
        " · ".join([graph_label(artifact), fmt_bytes(artifact.file.bytes), *([cost] if cost else [])]),
    )


def tile(graphs: list[OnnxArtifact], inputs: SiteInputs) -> ModelTile:
    artifact = graphs[0]
    card = inputs.catalog.card(artifact.card_id)
    variant = next(v for v in card.variants if v.id == artifact.variant_id)
    return ModelTile(
        artifact.artifact_id,
        variant.name,
        card.name,
        model_page(card.id),
        "not stated" if artifact.source.license in (None, NOT_STATED) else artifact.source.license,
        fmt_bytes(artifact.file.bytes),
        artifact.file.bytes,
        f"{artifact.parameters / 1e6:.3g} M parameters",
        size_class(artifact.parameters),
        tuple(graph_option(a) for a in graphs) if len(graphs) > 1 else (),
    )


def facet(key: str, label: str, values: list[str], order: list[str] | None = None) -> Facet:
    distinct = set(values)
    ordered = [v for v in order if v in distinct] if order else sorted(distinct, key=str.casefold)
    return Facet(key, label, tuple(ordered))


def all_models_views(inputs: SiteInputs) -> list[AllModelsView]:
    """One page per task with trained artifacts, when the build publishes the demo."""
    if not inputs.demo_ready:
        return []
    views = []
    for task, artifacts in trained_by_task(inputs).items():
        tiles = tuple(tile(a, inputs) for a in artifacts)
        sizes = [label for _, label in SIZE_CLASSES] + [LARGEST]
        facets = (
            facet("license", "Licence", [t.license for t in tiles]),
            facet("family", "Family", [t.family for t in tiles]),
            facet("size", "Size", [t.size for t in tiles], sizes),
        )
        views.append(
            AllModelsView(all_models_page(task), task, task_name(task, inputs.registry).lower(), tiles, facets)
        )
    return views
