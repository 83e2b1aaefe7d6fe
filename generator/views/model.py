"""A model page: everything one card says, each fact with its source, beside what this build and Versus's
runs add (exported artifacts with their verification, measured figures)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import compare, licenses
from ..export.manifest import OnnxArtifact, VerificationInfo
from ..schema import ModelCard, Registry
from . import measured
from .cards import CodeLicense, OrgView, Sourced, code_license, input_label, org_groups, params_label, released
from .citations import Cite, SourceEntry, anchor, cite, number, sources
from .claims import ClaimsBeside, claims_beside
from .figures import ClaimView, claim_views
from .inputs import SiteInputs
from .labels import fmt_number, kind_label, task_name
from .model_tables import claims_table, disagreements_table, licenses_table, tasks_table, variants_table
from .pages import model_page, pair_target
from .per_class import ArtifactPerClass, card_per_class
from .records import MeasuredTable, measured_table, run_columns
from .tables import Table, table_name


@dataclass(frozen=True)
class PaperView:
    url: str
    title: str
    venue: str | None
    arxiv: str | None
    cite: Cite


@dataclass(frozen=True)
class ModelTask:
    name: str
    state: str
    cite: Cite
    note: str


@dataclass(frozen=True)
class VariantRow:
    id: str
    name: str
    task: str
    sizes: tuple[Sourced, ...]
    params: tuple[Sourced, ...]
    flops: tuple[Sourced, ...]
    decoder: str | None  # the runtime spec's decoder kind; None: no runtime spec, so no demo


@dataclass(frozen=True)
class DisagreeValue:
    text: str
    number: int  # the source's citation number
    anchor: str


@dataclass(frozen=True)
class DisagreeKind:
    kind: str
    kind_label: str
    values: tuple[DisagreeValue, ...]


@dataclass(frozen=True)
class DisagreementView:
    fact: str
    kinds: tuple[DisagreeKind, ...]


@dataclass(frozen=True)
class HistoryView:
    """One measured artifact of the card: its claims beside every run that measured it."""

    artifact_id: str
    variant_id: str
    trained: bool
    runs: int
    claims: ClaimsBeside  # each claim with our val2017 figure beside it, where measured
    table: MeasuredTable


@dataclass(frozen=True)
class HeldView:
    """One licence that binds a user of some variants."""

    role: str
    id: str
    known: bool  # the registry has an entry (the licence is stated)
    url: str | None
    summary: str | None
    differs: bool  # a weights or upstream licence other than the code's


@dataclass(frozen=True)
class LicenseRowView:
    """Variants bound by the same licences, and whether free commercial use is open to them."""

    variants: tuple[str, ...]
    held: tuple[HeldView, ...]
    free_commercial: bool | None  # None: a licence is not stated
    blocking: str  # `LicenseRef-X: paid-plan; …`


@dataclass(frozen=True)
class WeightView:
    url: str
    cite: Cite
    official: bool
    format: str
    license: str
    bytes: str | None  # `12,345`
    trained: bool
    sha256: str | None
    note: str | None


@dataclass(frozen=True)
class RawGroupView:
    name: str
    beyond: str
    values: str
    max_diff: str  # `0.00123`, or `none compared`
    unit: str  # ` px`, or empty for the tensors' own units
    bound: str


@dataclass(frozen=True)
class RawView:
    reference: str
    bounded: bool
    max_diff: str
    note: str | None
    groups: tuple[RawGroupView, ...]
    named: bool  # several groups: each is named


@dataclass(frozen=True)
class DetectionsView:
    matched: int
    confident: int
    min_iou: str | None
    max_score_delta: str | None
    decoded_by: str


@dataclass(frozen=True)
class VerificationView:
    status: str  # "matched", "raw-only" or "not-compared"
    reference: str | None
    images: int
    image_set: str
    confident_score: str
    detections: DetectionsView | None
    raw: RawView | None


@dataclass(frozen=True)
class QuantizedView:
    """An int8 graph this build made from its own float artifact: how, and what it cost, in words and figures."""

    of_artifact: str
    of_bytes: str
    quantizer: str
    kept_float: int  # nodes of the decode tail left in float
    calibration: str
    images: int
    image_set: str
    map50_95: str
    float_map50_95: str
    change: str  # in points, signed
    bound: str  # in points


@dataclass(frozen=True)
class ArtifactView:
    """An artifact this build exported for a variant; untrained ones are only ever shown as test graphs."""

    artifact_id: str
    trained: bool
    architecture: str | None
    opset: int
    bytes: str
    parameters: str
    sha256: str
    source_sha256: str | None
    origin: str  # cache, mirror, network or built
    converter: str
    verification: VerificationView
    quantized: QuantizedView | None = None


@dataclass(frozen=True)
class WeightsSection:
    variant: str
    weights: tuple[WeightView, ...]
    artifacts: tuple[ArtifactView, ...]
    int8_refused: tuple[str, str] | None = None  # (artifact id, why) of an int8 graph made and not published


@dataclass(frozen=True)
class PairLink:
    title: str
    target: str
    query: str
    why: str


@dataclass(frozen=True)
class ModelView:
    page: str
    id: str
    name: str
    summary: str
    organizations: tuple[OrgView, ...]
    authors: tuple[Sourced, ...]
    released: tuple[Sourced, ...]
    license: CodeLicense
    category: str
    modality: str
    input: str
    params: str
    paper: PaperView | None
    code: Sourced | None
    aliases: tuple[str, ...]
    tasks: tuple[ModelTask, ...]
    tasks_csv: Table
    variants: tuple[VariantRow, ...]
    variants_csv: Table
    claims: tuple[ClaimView, ...]
    claims_csv: Table | None  # None: no claims, no table
    disagreements: tuple[DisagreementView, ...]
    disagreements_csv: Table | None  # None: the sources agree, no table
    history: tuple[HistoryView, ...]
    per_class: tuple[ArtifactPerClass, ...]  # measured artifacts with val2017 accuracy
    accuracy_sets: tuple[measured.AccuracySet, ...]  # the sets behind the history's accuracy figures
    license_rows: tuple[LicenseRowView, ...]
    license_csv: Table
    weights: tuple[WeightsSection, ...]
    runtime_spec: bool  # some variant has a browser runtime spec
    demo_ready: bool  # this build publishes the demo
    compare_with: tuple[PairLink, ...]
    sources: tuple[SourceEntry, ...]
    not_exported: tuple[tuple[str, str], ...] = ()  # (variant id, why) the export could not give it here


def _thousands(value: int) -> str:
    return f"{value:,}"


def _g3(value: float | None) -> str:
    return "none compared" if value is None else f"{value:.3g}"


def verification_view(ver: VerificationInfo) -> VerificationView:
    d, raw = ver.detections, ver.raw
    return VerificationView(
        ver.status,
        ver.reference,
        ver.images,
        ver.image_set,
        str(ver.tolerance.confident),
        DetectionsView(
            d.matched,
            d.confident,
            None if d.min_iou is None else f"{d.min_iou:.3f}",
            None if d.max_score_delta is None else f"{d.max_score_delta:.3f}",
            d.decoded_by,
        )
        if d
        else None,
        RawView(
            raw.reference,
            bool(raw.bound),
            f"{raw.max_abs_diff:.3g}",
            raw.note,
            tuple(
                RawGroupView(
                    g.group,
                    _thousands(g.beyond),
                    _thousands(g.values),
                    _g3(g.max_abs_diff),
                    f" {g.unit}" if g.unit else "",
                    g.bound,
                )
                for g in raw.groups
            ),
            len(raw.groups) > 1,
        )
        if raw
        else None,
    )


def quantized_view(a: OnnxArtifact) -> QuantizedView | None:
    q = a.quantization
    if q is None:
        return None
    return QuantizedView(
        q.of_artifact,
        _thousands(q.of_bytes),
        q.quantizer,
        len(q.settings.get("nodes_to_exclude", [])),
        f"{q.calibration.images} images of {q.calibration.image_set}",
        q.images,
        q.image_set,
        f"{q.map50_95:.3f}",
        f"{q.float_map50_95:.3f}",
        f"{-q.loss * 100:+.1f}",
        f"{q.max_loss * 100:g}",
    )


def artifact_view(a: OnnxArtifact) -> ArtifactView:
    return ArtifactView(
        a.artifact_id,
        a.trained,
        a.source.architecture,
        a.opset,
        _thousands(a.file.bytes),
        _thousands(a.parameters),
        a.file.sha256,
        a.source.sha256,
        a.source.origin.split(":")[0],
        a.converter.name,
        verification_view(a.verification),
        quantized_view(a),
    )


def license_rows(card: ModelCard, registry: Registry) -> tuple[LicenseRowView, ...]:
    groups: dict[tuple[licenses.Held, ...], list[str]] = {}
    for v in card.variants:
        groups.setdefault(tuple(licenses.variant_licenses(card, v)), []).append(v.id)
    rows = []
    for held, ids in groups.items():
        shown = []
        for h in held:
            entry = registry.licenses.get(h.id)
            shown.append(
                HeldView(
                    h.role,
                    h.id,
                    entry is not None,
                    str(entry.url) if entry else None,
                    entry.summary if entry else None,
                    h.role != "code" and h.id != card.license.id,
                )
            )
        rows.append(
            LicenseRowView(
                tuple(ids),
                tuple(shown),
                licenses.free_commercial_use(list(held), registry),
                "; ".join(licenses.blocking(list(held), registry)),
            )
        )
    return tuple(rows)


def disagreements(card: ModelCard, registry: Registry) -> tuple[DisagreementView, ...]:
    return tuple(
        DisagreementView(
            d.fact,
            tuple(
                DisagreeKind(
                    kind,
                    kind_label(kind),
                    tuple(DisagreeValue(value, number(card, source), anchor(source)) for value, source in values),
                )
                for kind, values in d.by_kind()
            ),
        )
        for d in compare.disagreements(card, registry)
    )


def history(card: ModelCard, inputs: SiteInputs) -> tuple[HistoryView, ...]:
    return tuple(
        HistoryView(
            h.artifact_id,
            h.variant_id,
            h.trained,
            len(h.records),
            claims_beside(card, h.variant_id, h.trained, h.records, inputs.registry),
            measured_table(
                run_columns(h.records), inputs.registry, inputs.artifacts, name=table_name("measured", h.artifact_id)
            ),
        )
        for h in measured.card_history(inputs.catalog.measurements, card)
    )


def weights_sections(card: ModelCard, inputs: SiteInputs) -> tuple[WeightsSection, ...]:
    return tuple(
        WeightsSection(
            v.id,
            tuple(
                WeightView(
                    str(w.url),
                    cite(card, w),
                    w.official,
                    w.format,
                    w.license,
                    _thousands(w.bytes) if w.bytes else None,
                    w.trained,
                    w.sha256,
                    w.note,
                )
                for w in v.weights
            ),
            tuple(artifact_view(a) for a in inputs.artifacts.get(v.id, [])),
            inputs.int8_refused.get(v.id),
        )
        for v in card.variants
    )


def compare_with(card: ModelCard, inputs: SiteInputs) -> tuple[PairLink, ...]:
    """The 'compare with…' list: closest cards first, each with why."""
    return tuple(
        PairLink(f"{card.name} vs {other.name}", *pair_target(card.id, other.id, inputs.static_pairs), why)
        for other, why in compare.closest(card, inputs.cards, inputs.registry)
    )


def variant_rows(card: ModelCard, registry: Registry) -> tuple[VariantRow, ...]:
    rows = []
    for v in card.variants:
        runtime = compare.runtime_of(v)
        rows.append(
            VariantRow(
                v.id,
                v.name,
                task_name(v.task, registry),
                tuple(
                    Sourced(
                        f"{s.value[0]}" if s.value[0] == s.value[1] else f"{s.value[0]}×{s.value[1]}", cite(card, s)
                    )
                    for s in v.input_size
                ),
                tuple(Sourced(fmt_number(p.value), cite(card, p)) for p in v.params),
                tuple(
                    Sourced(fmt_number(f.value) + (" MAdds" if f.counts == "multiply-adds" else ""), cite(card, f))
                    for f in v.flops
                ),
                runtime.decoder.kind if runtime else None,
            )
        )
    return tuple(rows)


def model_view(card: ModelCard, inputs: SiteInputs) -> ModelView:
    registry = inputs.registry
    paper = card.paper
    claims = claim_views(inputs.claims_of(card), registry)
    tasks = tuple(ModelTask(task_name(t.task, registry), t.state, cite(card, t), t.note or "") for t in card.tasks)
    variants = variant_rows(card, registry)
    disagreed, licenses = disagreements(card, registry), license_rows(card, registry)
    return ModelView(
        page=model_page(card.id),
        id=card.id,
        name=card.name,
        summary=card.summary,
        organizations=org_groups(card),
        authors=tuple(Sourced(", ".join(a.names), cite(card, a)) for a in card.authors),
        released=released(card),
        license=code_license(card, registry),
        category=card.category,
        modality=card.modality,
        input=input_label(card),
        params=params_label(card),
        paper=PaperView(str(paper.url), paper.title, paper.venue, paper.arxiv, cite(card, paper)) if paper else None,
        code=Sourced(str(card.code.url), cite(card, card.code)) if card.code else None,
        aliases=tuple(card.aliases),
        tasks=tasks,
        tasks_csv=tasks_table(tasks),
        variants=variants,
        variants_csv=variants_table(variants),
        claims=claims,
        claims_csv=claims_table(claims) if claims else None,
        disagreements=disagreed,
        disagreements_csv=disagreements_table(disagreed) if disagreed else None,
        history=history(card, inputs),
        per_class=card_per_class(inputs.catalog.measurements, card, registry),
        accuracy_sets=measured.accuracy_sets(
            (r for h in measured.card_history(inputs.catalog.measurements, card) for r in h.records), registry
        ),
        license_rows=licenses,
        license_csv=licenses_table(licenses),
        weights=weights_sections(card, inputs),
        runtime_spec=any(compare.runtime_of(v) for v in card.variants),
        demo_ready=inputs.demo_ready,
        not_exported=inputs.not_exported_of(card),
        compare_with=compare_with(card, inputs),
        sources=sources(card),
    )
