"""What two cards have in common and how their claims line up. Pure functions.

Figures are only put side by side when they were measured the same way: the
`ComparisonKey` (metric, task, dataset and split, input size, evaluation protocol,
pretraining; for latency hardware, inference engine, precision, batch and pre/post-processing)
must be equal, with unstated fields matched as `UNSTATED_RULES` says. Several sourced
values for one fact are kept apart as disagreements, never merged.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from .schema import (
    NOT_STATED,
    SOURCE_KINDS,
    DemoRuntime,
    Metric,
    MetricInfo,
    ModelCard,
    Protocol,
    Registry,
    TaskState,
    Variant,
)

# --- Pairs and tasks ------------------------------------------------------------


def pair_slug(a: str, b: str) -> str:
    """`compare/<a>-vs-<b>/` with ids in alphabetical order."""
    first, second = sorted((a, b))
    return f"{first}-vs-{second}"


def pairs(cards: Sequence[ModelCard]) -> Iterator[tuple[ModelCard, ModelCard]]:
    ordered = sorted(cards, key=lambda c: c.id)
    return itertools.combinations(ordered, 2)


@dataclass(frozen=True)
class SharedTask:
    task: str
    state_a: TaskState
    state_b: TaskState

    @property
    def both_pretrained(self) -> bool:
        return self.state_a == self.state_b == "pretrained"


def shared_tasks(a: ModelCard, b: ModelCard) -> list[SharedTask]:
    """Tasks both cards list with a state other than `none`."""
    out = []
    for task in a.tasks:
        state_b = b.task_state(task.task)
        if task.state != "none" and state_b != "none":
            out.append(SharedTask(task.task, task.state, state_b))
    return out


def runtime_of(variant: Variant) -> DemoRuntime | None:
    """The first runtime spec the variant can be run with: its own, else its weights'."""
    if variant.runtime is not None:
        return variant.runtime
    return next((w.runtime for w in variant.weights if w.runtime is not None), None)


def demo_variants(card: ModelCard, task: str) -> list[Variant]:
    """Variants of `task` with trained weights and a runtime spec, i.e. that the demo could run."""
    return [
        v for v in card.variants if v.task == task and runtime_of(v) is not None and any(w.trained for w in v.weights)
    ]


@dataclass(frozen=True)
class DemoPlan:
    """Whether a pair can share a live demo on this build, and if not fully, exactly what is missing."""

    task: str | None
    reason: str
    runs: tuple[str, ...] = ()  # ids of the cards whose trained artifacts this build exported for `task`
    cards_allow: bool = False  # both cards publish trained weights and a runtime spec for a shared task

    @property
    def possible(self) -> bool:
        return self.task is not None


def demo_plan(a: ModelCard, b: ModelCard, registry: Registry, runnable: Mapping[str, Sequence[str]]) -> DemoPlan:
    """What the pair's demo can run in this build. `runnable` maps a card id to the variant ids of the trained
    artifacts this build exported: the page says what runs, not what the cards say could."""
    shared = shared_tasks(a, b)
    if not shared:
        tasks_a = ", ".join(_task_name(t.task, registry) for t in a.tasks if t.state != "none")
        tasks_b = ", ".join(_task_name(t.task, registry) for t in b.tasks if t.state != "none")
        return DemoPlan(None, f"{a.name} and {b.name} share no task: {a.name} does {tasks_a}; {b.name} does {tasks_b}.")
    # The task the demo would run: one both publish trained weights and a runtime spec for, else the first shared
    # one; the reason names only that task, not every task the two share.
    for st in sorted(
        shared, key=lambda st: (not st.both_pretrained, not all(demo_variants(c, st.task) for c in (a, b)))
    ):
        name = _task_name(st.task, registry)
        if not st.both_pretrained:
            untrained = [c.name for c, s in ((a, st.state_a), (b, st.state_b)) if s != "pretrained"]
            return DemoPlan(
                None,
                f"No live demo for this pair: for {name.lower()}, {' and '.join(untrained)} "
                f"publish{'es' if len(untrained) == 1 else ''} no trained weights.",
            )
        lacking = [c.name for c in (a, b) if not demo_variants(c, st.task)]
        if lacking:
            return DemoPlan(
                None,
                f"No live demo for this pair: no browser runtime spec with trained weights for "
                f"{' or '.join(lacking)} ({name.lower()}).",
            )
        ids = {v.id for c in (a, b) for v in demo_variants(c, st.task)}
        runs = tuple(c.id for c in (a, b) if ids & set(runnable.get(c.id, ())))
        if len(runs) == 2:
            return DemoPlan(st.task, f"Both run {name.lower()} in your browser on this page.", runs, True)
        absent = [c for c in (a, b) if c.id not in runs]
        why = f"this build has no trained {' or '.join(c.name for c in absent)} artifact"
        if runs:
            running = a.name if runs[0] == a.id else b.name
            return DemoPlan(st.task, f"Only {running} runs here: {why}.", runs, True)
        return DemoPlan(None, f"No live demo for this pair in this build: {why}.", (), True)
    raise AssertionError("unreachable: `shared` is not empty")


def smallest_params(card: ModelCard) -> float | None:
    values = [p.value for v in card.variants for p in v.params]
    return min(values) if values else None


def closest(card: ModelCard, cards: Sequence[ModelCard], registry: Registry, n: int = 8) -> list[tuple[ModelCard, str]]:
    """The cards a reader of `card` most likely wants to compare it with, closest first: those with trained
    weights for the card's main task (its first variant's), then for another task, then sharing only an
    architecture; within each, the nearest in size (the ratio of the smallest variants' parameter counts), then
    by name. Each comes with why, in words."""
    own = smallest_params(card)
    main = card.variants[0].task
    ranked = []
    for other in cards:
        if other.id == card.id:
            continue
        shared = shared_tasks(card, other)
        if not shared:
            continue
        trained = any(s.both_pretrained for s in shared)
        theirs = smallest_params(other)
        ratio = abs(math.log(own / theirs)) if own and theirs else math.inf
        why = ", ".join(_task_name(s.task, registry).lower() for s in shared if s.both_pretrained or not trained)
        if ratio != math.inf:
            why += f"; smallest variant {theirs:g}M vs {own:g}M parameters"
        tier = 0 if any(s.both_pretrained and s.task == main for s in shared) else 1 if trained else 2
        ranked.append(((tier, ratio, other.name.lower()), other, why))
    return [(other, why) for _, other, why in sorted(ranked, key=lambda r: r[0])[:n]]


def _task_name(task: str, registry: Registry) -> str:
    info = registry.tasks.get(task)
    return info.name if info else task


# --- The comparison key ----------------------------------------------------------


# When two figures that both leave a field unstated still match. `always`: the benchmark's convention fills the
# gap and the label says "not stated"; `same-source`: only figures from one source document match, since one
# table measures its rows one way even where it does not say how; `never`: an unstated value matches nothing.
# A stated value never matches an unstated one.
UNSTATED_RULES: dict[str, tuple[str, str]] = {
    "evaluator": ("always", "COCO figures that name no evaluator follow the COCO API's protocol by convention"),
    "max_detections": ("always", "COCO's protocol keeps 100 detections per image; sources that keep fewer say so"),
    "score_threshold": ("always", "COCO scoring keeps low-confidence detections; sources that cut them say so"),
    "nms": ("always", "a detector's own post-processing is part of its claim unless the source says otherwise"),
    "pretraining": ("always", "authors announce extra detection pretraining, since it raises accuracy"),
    "accuracy_precision": ("always", "accuracy is the full-precision model's unless the source names a quantized one"),
    "precision": ("same-source", "fp16 and fp32 timings differ by up to 2x; only one table's rows share a setting"),
    "batch": ("same-source", "per-image time depends on batch size; only one table's rows share a setting"),
    "includes_pre_post": ("same-source", "NMS and resizing can outweigh a small model's inference"),
    "hardware": ("same-source", "a source that names no device still timed all its rows on one"),
    "engine": ("same-source", "a source that names no inference engine still timed all its rows with one"),
    "dataset": ("same-source", "a source that names no split still scored all its rows on one"),
}
ACCURACY_FIELDS = ("evaluator", "max_detections", "score_threshold", "nms", "pretraining", "accuracy_precision")
LATENCY_FIELDS = ("hardware", "engine", "precision", "batch", "includes_pre_post")


def _unstated(value: object) -> bool:
    """`not-stated`, or a registry id for an unnamed device or inference engine (`gpu-not-stated`)."""
    return value is None or (isinstance(value, str) and value.endswith(NOT_STATED))


def _token(field: str, value: object, source_url: str, claim_id: str) -> str:
    """A key value: stated values as themselves, unstated ones as the rule table says they match."""
    if not _unstated(value):
        return str(value)
    base = NOT_STATED if value is None else str(value)
    rule = UNSTATED_RULES.get(field, ("never", ""))[0]
    if rule == "always":
        return base
    if rule == "same-source":
        return f"{base}@{source_url}"
    return f"{base}#{claim_id}"


def base_of(token: str) -> str:
    """The value a key token stands for, without the source or claim it is tied to."""
    return re.split(r"[@#]", token, maxsplit=1)[0]


def is_unstated(token: str | None) -> bool:
    return token is not None and _unstated(base_of(token))


@dataclass(frozen=True)
class ComparisonKey:
    """Everything two figures must agree on before they are lined up (same table, ★ best). Fields that do not
    apply to the metric's kind are None; unstated fields hold the tokens `_token` makes."""

    metric: str
    task: str
    dataset: str | None
    input_size: tuple[int, int]
    evaluator: str | None = None
    max_detections: str | None = None
    score_threshold: str | None = None
    nms: str | None = None
    pretraining: str | None = None
    accuracy_precision: str | None = None  # the evaluated model's precision (an int8 model scores differently)
    hardware: str | None = None
    engine: str | None = None
    precision: str | None = None
    batch: str | None = None
    includes_pre_post: str | None = None

    @classmethod
    def of(cls, card: ModelCard, variant: Variant, metric: Metric, registry: Registry) -> ComparisonKey:
        source_url = str(card.sources[metric.source].url)
        claim_id = f"{variant.id}/{metric.metric}/{variant.metrics.index(metric)}"
        values: dict[str, object] = {}
        if registry.metrics[metric.metric].kind == "latency":
            values = {f: getattr(metric, f) for f in LATENCY_FIELDS}
        else:
            protocol = metric.protocol or Protocol()
            values = {
                f: getattr(protocol, f) for f in ACCURACY_FIELDS if f not in ("pretraining", "accuracy_precision")
            }
            values["accuracy_precision"] = metric.precision
            pretraining = variant.pretraining
            values["pretraining"] = pretraining if isinstance(pretraining, str) else "+".join(pretraining) or "none"
        tokens = {f: _token(f, v, source_url, claim_id) for f, v in values.items()}
        dataset = metric.dataset
        if dataset is not None and _unstated(dataset):  # e.g. `coco-split-not-stated`
            dataset = _token("dataset", dataset, source_url, claim_id)
        return cls(metric.metric, variant.task, dataset, metric.side or variant.side, **tokens)

    def as_string(self) -> str:
        """The key as one string: what catalog.json's views carry, so the client joins on exactly this."""
        return "|".join(
            "" if v is None else (f"{v[0]}x{v[1]}" if isinstance(v, tuple) else str(v))
            for v in dataclasses.astuple(self)
        )

    def sort_key(self) -> str:
        """Keys sort as their strings, which the client view sorts the same way."""
        return self.as_string()


@dataclass(frozen=True)
class Claim:
    card: ModelCard
    variant: Variant
    metric: Metric
    key: ComparisonKey

    @property
    def checkpoint(self) -> str | None:
        """The checkpoint the figure is for: its own, else its variant's."""
        return self.metric.checkpoint or self.variant.checkpoint

    @property
    def kind(self) -> str:
        return self.metric.source_kind

    @property
    def source_url(self) -> str:
        return str(self.card.sources[self.metric.source].url)


@dataclass(frozen=True)
class AlignedMetric:
    key: ComparisonKey
    info: MetricInfo
    claims: tuple[Claim, ...]  # every card's claims in this key, best first

    @property
    def best(self) -> Claim:
        return self.claims[0]

    def is_best(self, claim: Claim) -> bool:
        """Ties share the mark."""
        return claim.metric.value == self.best.metric.value


def claims(card: ModelCard, registry: Registry) -> Iterator[Claim]:
    for variant in card.variants:
        for metric in variant.metrics:
            yield Claim(card, variant, metric, ComparisonKey.of(card, variant, metric, registry))


ClaimsOf = Callable[[ModelCard], Iterable[Claim]]


def aligned_metrics(
    cards: Sequence[ModelCard], registry: Registry, claims_of: ClaimsOf | None = None
) -> list[AlignedMetric]:
    """Keys in which every card in `cards` has at least one claim, each ranked best first. `claims_of` lets a
    caller that compares one card many times compute its claims once."""
    claims_of = claims_of or (lambda card: claims(card, registry))
    groups: dict[ComparisonKey, list[Claim]] = defaultdict(list)
    for card in cards:
        for claim in claims_of(card):
            groups[claim.key].append(claim)
    out = []
    for key, group in sorted(groups.items(), key=lambda kv: kv[0].sort_key()):
        if {c.card.id for c in group} != {c.id for c in cards}:
            continue
        info = registry.metrics[key.metric]
        ranked = sorted(group, key=lambda c: c.metric.value, reverse=info.better == "higher")
        out.append(AlignedMetric(key, info, tuple(ranked)))
    return out


def unaligned_claims(
    card: ModelCard, aligned: Iterable[AlignedMetric], registry: Registry, claims_of: ClaimsOf | None = None
) -> list[tuple[ComparisonKey, list[Claim]]]:
    """A card's claims whose key has no counterpart on the other side, grouped by key: shown, never starred."""
    seen = {a.key for a in aligned}
    groups: dict[ComparisonKey, list[Claim]] = defaultdict(list)
    for claim in (claims_of or (lambda c: claims(c, registry)))(card):
        if claim.key not in seen:
            groups[claim.key].append(claim)
    return sorted(groups.items(), key=lambda kv: kv[0].sort_key())


# --- Disagreements -----------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """One fact with several sourced values that differ: the same variant, checkpoint and comparison key."""

    fact: str
    values: tuple[tuple[str, str, str], ...]  # (shown value, source id, source kind), grouped by kind

    def by_kind(self) -> list[tuple[str, list[tuple[str, str]]]]:
        groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for shown, source, kind in self.values:
            groups[kind].append((shown, source))
        order = list(SOURCE_KINDS)
        return sorted(groups.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))


def disagreements(card: ModelCard, registry: Registry) -> list[Disagreement]:
    out = []
    by_event: dict[str, list] = defaultdict(list)
    for r in card.release_date:
        by_event[r.event].append(r)
    for event, dates in by_event.items():
        if len({d.date for d in dates}) > 1:
            out.append(
                Disagreement(f"release date ({event})", tuple((str(d.date), d.source, "claimed") for d in dates))
            )
    for v in card.variants:
        for label, facts in (("parameters (M)", v.params), ("FLOPs (G)", v.flops)):
            if len({f.value for f in facts}) > 1:
                out.append(Disagreement(f"{v.id} {label}", tuple((f"{f.value:g}", f.source, "claimed") for f in facts)))
    # One fact: the same quantity of the same checkpoint. An accuracy measured under another protocol is still a
    # value of that fact (the protocol is shown beside it, as the likely reason); a latency on other hardware is not.
    groups: dict[tuple[str, str | None, ComparisonKey], list[Claim]] = defaultdict(list)
    for claim in claims(card, registry):
        fact = claim.key
        if registry.metrics[fact.metric].kind == "accuracy":
            fact = dataclasses.replace(fact, evaluator=None, max_detections=None, score_threshold=None, nms=None)
        groups[(claim.variant.id, claim.checkpoint, fact)].append(claim)
    for (variant_id, checkpoint, fact), cs in groups.items():
        if len({c.metric.value for c in cs}) > 1:
            label = f"{variant_id}{f' ({checkpoint})' if checkpoint else ''} {fact.metric}"
            ranked = sorted(cs, key=lambda c: list(SOURCE_KINDS).index(c.kind))
            out.append(
                Disagreement(
                    label,
                    tuple((f"{c.metric.value:g}{_protocol_note(c.metric)}", c.metric.source, c.kind) for c in ranked),
                )
            )
    return out


def _protocol_note(metric: Metric) -> str:
    """The stated parts of an accuracy figure's protocol, short: ` (supervision, max 100, score ≥ 0.001, NMS)`."""
    p = metric.protocol
    if p is None:
        return ""
    parts = [p.evaluator] if p.evaluator != NOT_STATED else []
    if p.max_detections != NOT_STATED:
        parts.append(f"max {p.max_detections}")
    if p.score_threshold != NOT_STATED:
        parts.append(f"score ≥ {p.score_threshold:g}")
    if p.nms != NOT_STATED:
        parts.append("NMS" if p.nms == "included" else "no NMS")
    return f" ({', '.join(parts)})" if parts else ""
