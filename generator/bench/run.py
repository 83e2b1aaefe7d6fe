"""One bench run: every pending measurement of every target artifact, one step at a time, each result written
to its record at once. An interrupted run keeps every step already written; `resume` continues it.

A step is one round of one thread setting of native latency, one thread setting of browser latency, the
accuracy check, or the browser accuracy check (`browser_accuracy.py`). Native rounds are spread over the whole
run, the other steps between them, so that a figure describes the run's few minutes and not whichever minute its
block fell in (see `schedule`). A step that
cannot run on this machine (no browser, an untrained artifact's accuracy) is recorded as skipped with the
reason; a step that fails stays pending, is reported, and is retried when the run is resumed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import labelled_set
from ..demo import class_names, labels_by_id
from ..export.manifest import MODEL_NAME, OnnxArtifact
from ..loader import Catalog
from ..measurement import (
    BENCH_SECTIONS,
    SECTIONS,
    ArtifactRef,
    Machine,
    Measurement,
    NativeLatency,
    Section,
    read_record,
    run_id,
    section_field,
    write_record,
)
from . import machine as machine_info
from .native import NativeFailed, Settings, measure_round, pooled
from .rounds import PartialRounds, RoundsError

if TYPE_CHECKING:
    from .accuracy import BenchSet
    from .browser import BrowserBench

Log = Callable[[str], None]


class BenchError(Exception):
    """The run cannot start or continue as asked; the message says how to fix it."""


@dataclass(frozen=True)
class Plan:
    """What to measure and how long. Two runs with the same plan on an idle machine should agree within 10%."""

    threads: tuple[int, ...] = (1, 2)
    native: Settings = field(default_factory=Settings)  # totals over all rounds
    rounds: int = 5  # fresh native processes per thread setting, spread over the run and pooled
    browser_warmup: int = 3
    browser_runs: int = 20
    cold_pages: int = 3
    sections: tuple[Section, ...] = BENCH_SECTIONS
    bootstrap: int = 1000  # resamples of the accuracy set for mAP50-95's confidence interval
    browser_accuracy_images: int = 200  # the first of the set's images (browser_accuracy.DEFAULT_IMAGES says why)


@dataclass(frozen=True)
class Context:
    """Everything outside the bench that a run reads or writes."""

    catalog: Catalog
    artifact_root: Path
    records_root: Path
    accuracy_root: Path | None  # the labelled set's folder: images/, labels/ (and images.csv or coco-sample.yaml)
    latency_image: Path  # the image every latency figure is timed on (the demo's first sample)
    machine: Machine
    commit: str | None
    accuracy_set: str = "val2017"  # a key of bench.accuracy.SETS
    fetch_accuracy_set: Callable[[], Path] | None = (
        None  # builds the set elsewhere when accuracy_root lacks it (a download)
    )


@dataclass(frozen=True)
class Step:
    section: Section
    threads: int = 0  # native and browser steps; 0: the step has no thread setting
    round: int = 0  # native steps, from 1; 0: not a native step

    def __str__(self) -> str:
        text = self.section + (f" {self.threads} thread{'s' if self.threads != 1 else ''}" if self.threads else "")
        return text + (f", round {self.round}" if self.round else "")


@dataclass
class Outcome:
    records: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def steps(plan: Plan) -> list[Step]:
    out: list[Step] = []
    for section in plan.sections:
        if section == "native":
            out += [Step(section, t, r) for r in range(1, plan.rounds + 1) for t in plan.threads]
        elif section == "browser":
            out += [Step(section, t) for t in plan.threads]
        else:
            out.append(Step(section))
    return out


def pending_steps(record: Measurement, plan: Plan, stored_rounds: Mapping[int, int] | None = None) -> list[Step]:
    """Steps of `plan` the record has neither measured nor skipped; `stored_rounds` counts the native rounds
    per thread setting already measured but not yet pooled into the record."""
    stored_rounds = stored_rounds or {}

    def done(step: Step) -> bool:
        if step.section in record.skipped:
            return True
        if step.section == "native":
            return any(n.threads == step.threads for n in record.native) or step.round <= stored_rounds.get(
                step.threads, 0
            )
        if step.section == "browser":
            return any(b.requested_threads == step.threads for b in record.browser)
        return getattr(record, section_field(step.section)) is not None

    return [s for s in steps(plan) if not done(s)]


ORDER = {"native": 0, "accuracy": 1, "browser": 2, "browser-accuracy": 3}


def schedule(todo: list[tuple[OnnxArtifact, Step]]) -> list[tuple[OnnxArtifact, Step]]:
    """Native rounds spread evenly over the run, the accuracy and browser steps filling the gaps between them
    (accuracy first). One round of every artifact and thread setting goes together, so each round of a figure
    falls in a different stretch of the run. Chromium is closed while native rounds run (see `bench`)."""
    native = [item for item in todo if item[1].section == "native"]
    others = sorted((item for item in todo if item[1].section != "native"), key=lambda item: ORDER[item[1].section])
    groups = [[item for item in native if item[1].round == r] for r in sorted({item[1].round for item in native})]
    if len(groups) < 2:
        return native + others
    out: list[tuple[OnnxArtifact, Step]] = []
    gaps = len(groups) - 1
    for i, group in enumerate(groups):
        out += group
        if i < gaps:
            out += others[len(others) * i // gaps : len(others) * (i + 1) // gaps]
    return out


def new_record(artifact: OnnxArtifact, ctx: Context, run: str, started: dt.datetime) -> Measurement:
    return Measurement(
        run=run,
        recorded_by="versus bench",
        started=started,
        updated=started,
        commit=ctx.commit,
        machine=ctx.machine,
        software={"python": machine_info.python_version()},
        complete=False,
        artifact=ArtifactRef(
            artifact_id=artifact.artifact_id,
            card_id=artifact.card_id,
            variant_id=artifact.variant_id,
            sha256=artifact.file.sha256,
            bytes=artifact.file.bytes,
            trained=artifact.trained,
        ),
    )


def updated(record: Measurement, **changes) -> Measurement:
    """A validated copy: `model_copy` would skip the checks that keep a record honest."""
    data = {**record.model_dump(), **changes, "updated": dt.datetime.now(dt.UTC)}
    return Measurement.model_validate(data)


def existing_record(ctx: Context, artifact: OnnxArtifact, run: str) -> Measurement | None:
    """The record of `artifact` in `run`, when resuming; refuses one from another machine or another file."""
    probe = ctx.records_root / run / f"{artifact.artifact_id}.json"
    if not probe.is_file():
        return None
    record = read_record(probe)
    if record.machine.name != ctx.machine.name:
        raise BenchError(
            f"{probe}: run {run} was measured on {record.machine.name}, this machine is "
            f"{ctx.machine.name}; start a new run (omit --resume) or pass --machine {record.machine.name}"
        )
    if record.artifact.sha256 != artifact.file.sha256:
        raise BenchError(
            f"{probe}: {artifact.artifact_id} was re-exported since run {run} measured it (sha256 "
            f"{record.artifact.sha256[:12]}… then, {artifact.file.sha256[:12]}… now); start a new run"
        )
    return record


def run_started(ctx: Context, run: str) -> dt.datetime:
    records = sorted((ctx.records_root / run).glob("*.json"))
    if not records:
        raise BenchError(f"{ctx.records_root / run}: no records to resume; start a new run (omit --resume)")
    return read_record(records[0]).started


def start_run(ctx: Context, resume: str | None = None) -> tuple[str, dt.datetime]:
    """A new run id, or the run to resume and when it started."""
    if resume:
        return resume, run_started(ctx, resume)
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return run_id(started, ctx.machine.name), started


def bench(
    targets: list[OnnxArtifact],
    ctx: Context,
    plan: Plan,
    run: tuple[str, dt.datetime],
    log: Log = print,
    on_step: Callable[[str, int, int], None] | None = None,
    on_images: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Measure `targets` in `run` (from `start_run`), writing each step's result as soon as it is known.
    `on_step` hears of each step before it runs, `on_images` of each image an accuracy step has done."""
    run_id, started = run
    try:
        with run_lock(ctx.records_root / run_id):
            return _bench(targets, ctx, plan, run_id, started, log, on_step, on_images)
    except RoundsError as exc:
        raise BenchError(str(exc)) from exc


@contextlib.contextmanager
def run_lock(folder: Path) -> Iterator[None]:
    """One process per run: two measuring the same run at once would overwrite each other's steps."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".lock"
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BenchError(
                f"{folder}: another `versus bench` is measuring run {folder.name} right now; let it "
                f"finish, or stop it (Ctrl-C) and run `versus bench --resume {folder.name}`"
            ) from None
        try:
            yield
        finally:
            path.unlink(missing_ok=True)


def _bench(
    targets: list[OnnxArtifact],
    ctx: Context,
    plan: Plan,
    run: str,
    started: dt.datetime,
    log: Log,
    on_step: Callable[[str, int, int], None] | None,
    on_images: Callable[[int, int], None] | None,
) -> Outcome:
    records = {a.artifact_id: existing_record(ctx, a, run) or new_record(a, ctx, run, started) for a in targets}
    if "accuracy" in plan.sections:
        _same_accuracy_set(ctx, run)
    partial = PartialRounds(ctx.records_root / run)
    not_asked = {s: f"not measured in this run (left out with --skip {s})" for s in SECTIONS if s not in plan.sections}
    for key, record in records.items():
        missing = {s: why for s, why in not_asked.items() if s in record.pending()}
        if missing:
            records[key] = updated(record, skipped={**record.skipped, **missing})
        records[key] = _pool_finished(records[key], partial, plan)
    todo = schedule(
        [(a, s) for a in targets for s in pending_steps(records[a.artifact_id], plan, partial.counts(a.artifact_id))]
    )
    outcome = Outcome()
    measurer = _Measurer(ctx, plan, log, targets, partial, on_images)
    with ExitStack() as stack:
        stack.callback(measurer.close)
        for index, (artifact, step) in enumerate(todo):
            record = records[artifact.artifact_id]
            if step.section not in ("browser", "browser-accuracy"):
                measurer.close()  # Chromium must not share the cores with native timing or accuracy
            if on_step:
                on_step(f"{artifact.artifact_id}: {step}", index, len(todo))
            try:
                record = measurer.apply(record, artifact, step)
            except (NativeFailed, MeasurementFailed) as exc:
                outcome.failures.append(f"{artifact.artifact_id}: {step}: {exc}")
                log(f"FAILED {artifact.artifact_id}: {step}: {exc}")
                continue
            records[artifact.artifact_id] = record
            _save(ctx, partial, record)
    for artifact in targets:
        record = records[artifact.artifact_id]
        if (
            not record.complete
            and not record.pending()
            and not pending_steps(record, plan, partial.counts(artifact.artifact_id))
        ):
            record = updated(record, complete=True)
        outcome.records.append(_save(ctx, partial, record))
    return outcome


def _same_accuracy_set(ctx: Context, run: str) -> None:
    """One run, one accuracy set: a comparison page lines up two records of a run, so they must share it."""
    from .accuracy import SETS

    wanted = SETS[ctx.accuracy_set].dataset
    for path in sorted((ctx.records_root / run).glob("*.json")):
        accuracy = read_record(path).accuracy
        if accuracy is not None and accuracy.dataset != wanted:
            key = next(k for k, s in SETS.items() if s.dataset == accuracy.dataset)
            raise BenchError(
                f"{path}: run {run} measured accuracy on {accuracy.dataset}; resume it with "
                f"--accuracy-set {key}, or start a new run for {wanted}"
            )


def _save(ctx: Context, partial: PartialRounds, record: Measurement) -> Path:
    """Writes the record, then forgets the rounds pooled into it (in that order: a crash between keeps both)."""
    path = write_record(ctx.records_root, record)
    for n in record.native:
        partial.drop(record.artifact.artifact_id, n.threads)
    return path


def with_native(record: Measurement, latency: NativeLatency, versions: Mapping[str, str]) -> Measurement:
    native = sorted([*record.native, latency], key=lambda n: n.threads)
    return updated(record, native=native, software={**record.software, **versions})


def _pool_finished(record: Measurement, partial: PartialRounds, plan: Plan) -> Measurement:
    """Pools stored rounds that already make a whole figure (a run resumed with fewer --rounds than it began with)."""
    measured = {n.threads for n in record.native}
    for threads, count in partial.counts(record.artifact.artifact_id).items():
        if threads not in measured and count >= plan.rounds:
            record = with_native(
                record, pooled(threads, plan.native.warmup, partial.rounds(record.artifact.artifact_id, threads)), {}
            )
    return record


class MeasurementFailed(Exception):
    pass


class _Measurer:
    """Runs one step against a record; owns the browser for the whole run (started on first use)."""

    def __init__(
        self,
        ctx: Context,
        plan: Plan,
        log: Log,
        targets: list[OnnxArtifact],
        partial: PartialRounds,
        on_images: Callable[[int, int], None] | None = None,
    ):
        self.ctx, self.plan, self.log, self.partial, self.on_images = ctx, plan, log, partial, on_images
        self.targets = targets  # the browser page stages these models, and only these
        self._driver: BrowserBench | None = None
        self._browser_stack = ExitStack()
        self._browser_missing: str | None = None
        self._sample: BenchSet | None = None

    def apply(self, record: Measurement, artifact: OnnxArtifact, step: Step) -> Measurement:
        return getattr(self, f"_{section_field(step.section)}")(record, artifact, step)

    def _native(self, record: Measurement, artifact: OnnxArtifact, step: Step) -> Measurement:
        model = self.ctx.artifact_root / artifact.artifact_id / MODEL_NAME
        samples, versions = measure_round(
            model,
            artifact.runtime.model_dump_json(),
            self.ctx.latency_image,
            step.threads,
            self.plan.native.per_round(self.plan.rounds),
        )
        rounds = self.partial.add(artifact.artifact_id, step.threads, samples)
        if len(rounds) < self.plan.rounds:
            return updated(record, software={**record.software, **versions})
        return with_native(record, pooled(step.threads, self.plan.native.warmup, rounds), versions)

    def _browser(self, record: Measurement, artifact: OnnxArtifact, step: Step) -> Measurement:
        browser = self._open_browser()
        if browser is None:
            if record.browser:  # part measured earlier in this run: keep that, retry the rest on resume
                raise MeasurementFailed(self._browser_missing)
            return updated(record, skipped={**record.skipped, "browser": self._browser_missing})
        from .browser import BrowserUnavailable

        try:
            latency = browser.measure(
                artifact,
                threads=step.threads,
                warmup=self.plan.browser_warmup,
                runs=self.plan.browser_runs,
                cold_pages=self.plan.cold_pages,
            )
        except BrowserUnavailable as exc:
            raise MeasurementFailed(str(exc)) from exc
        entries = [*record.browser, latency]
        return updated(record, browser=entries, software={**record.software, **browser.versions})

    def _accuracy(self, record: Measurement, artifact: OnnxArtifact, step: Step) -> Measurement:
        if not artifact.trained:
            return updated(
                record,
                skipped={
                    **record.skipped,
                    "accuracy": "untrained artifact: random weights, so accuracy would mean nothing; latency only",
                },
            )
        from . import accuracy

        spec = accuracy.SETS[self.ctx.accuracy_set]
        registry = self.ctx.catalog.registry
        try:
            if self._sample is None:
                self._sample = self._load_set(spec)
        except labelled_set.LabelledSetError as exc:
            return updated(
                record,
                skipped={**record.skipped, "accuracy": f"no {registry.datasets[spec.dataset].name} here ({exc})"},
            )
        names = labels_by_id(registry.labels[artifact.runtime.labels].labels)
        model = self.ctx.artifact_root / artifact.artifact_id / MODEL_NAME
        try:
            result = accuracy.measure_accuracy(
                model,
                artifact.runtime,
                names,
                self._sample,
                progress=self.on_images,
                resamples=self.plan.bootstrap,
                log=self.log,
                source_quantization=artifact.converter.options.get("quantization"),
                source_format=artifact.source.format,
            )
        except labelled_set.LabelledSetError as exc:
            raise MeasurementFailed(str(exc)) from exc
        return updated(record, accuracy=result, software={**record.software, "pycocotools": result.tool.split()[-1]})

    def _browser_accuracy(self, record: Measurement, artifact: OnnxArtifact, step: Step) -> Measurement:
        from .browser import BrowserUnavailable
        from .browser_accuracy import bench_step

        try:
            return updated(record, **bench_step(self, record, artifact))
        except (BrowserUnavailable, labelled_set.LabelledSetError) as exc:
            raise MeasurementFailed(str(exc)) from exc

    def _load_set(self, spec):
        """The accuracy set from its folder, else from `fetch_accuracy_set`; LabelledSetError says why neither."""
        from ..weights import WeightsError
        from .accuracy import load_set

        names = class_names(self.ctx.catalog.registry.labels[spec.label_list].labels)
        try:
            if self.ctx.accuracy_root is None:
                raise labelled_set.LabelledSetError(f"no folder holds the {spec.dataset} set here (README: Settings)")
            return load_set(spec, self.ctx.accuracy_root, names, self.ctx.catalog.root)
        except labelled_set.LabelledSetError as exc:
            if self.ctx.fetch_accuracy_set is None:
                raise
            first = exc
        try:
            return load_set(spec, self.ctx.fetch_accuracy_set(), names, self.ctx.catalog.root)
        except (WeightsError, labelled_set.LabelledSetError, OSError) as exc:
            raise labelled_set.LabelledSetError(f"{first}; and it could not be fetched: {exc}") from exc

    def _open_browser(self):
        if self._driver is not None or self._browser_missing:
            return self._driver
        try:
            from .browser import BrowserBench, BrowserUnavailable
        except ImportError as exc:
            self._browser_missing = f"the browser driver cannot be imported ({exc})"
            return None
        try:
            self._driver = self._browser_stack.enter_context(
                BrowserBench(self.ctx.artifact_root, self.targets, self.ctx.catalog)
            )
        except BrowserUnavailable as exc:
            self._browser_missing = f"no browser to measure in: {exc}"
            self.log(f"browser latency skipped: {exc}")
        return self._driver

    def close(self) -> None:
        """Closes Chromium if it is open; the next browser step starts it again."""
        self._browser_stack.close()
        self._driver = None
