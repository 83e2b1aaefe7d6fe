"""One bench run: every pending measurement of every target artifact, one step at a time, each result written
to its record at once. An interrupted run keeps every step already written; `resume` continues it.

A step is one thread setting of native or browser latency, or the accuracy check. A step that cannot run on
this machine (no browser, an untrained artifact's accuracy) is recorded as skipped with the reason; a step
that fails stays pending, is reported, and is retried when the run is resumed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from ..demo import labels_by_id
from ..export.manifest import MODEL_NAME, OnnxArtifact
from ..loader import Catalog
from ..measurement import (
    SECTIONS,
    ArtifactRef,
    Machine,
    Measurement,
    Section,
    read_record,
    record_path,
    run_id,
    write_record,
)
from . import machine as machine_info
from .native import NativeFailed, Settings, measure_native

Log = Callable[[str], None]


class BenchError(Exception):
    """The run cannot start or continue as asked; the message says how to fix it."""


@dataclass(frozen=True)
class Plan:
    """What to measure and how long. Two runs with the same plan on an idle machine should agree within 10%."""

    threads: tuple[int, ...] = (1, 2)
    native: Settings = Settings()
    browser_warmup: int = 3
    browser_runs: int = 20
    cold_pages: int = 3
    sections: tuple[Section, ...] = SECTIONS


@dataclass(frozen=True)
class Context:
    """Everything outside the bench that a run reads or writes."""

    catalog: Catalog
    artifact_root: Path
    records_root: Path
    samples_root: Path  # the labelled set: coco-sample.yaml, images/, labels/
    latency_image: Path  # the image every latency figure is timed on (the demo's first sample)
    machine: Machine
    commit: str | None


@dataclass(frozen=True)
class Step:
    section: Section
    threads: int | None = None

    def __str__(self) -> str:
        return self.section + (f" {self.threads} thread{'s' if self.threads != 1 else ''}" if self.threads else "")


@dataclass
class Outcome:
    records: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def steps(plan: Plan) -> list[Step]:
    out: list[Step] = []
    for section in plan.sections:
        out += [Step(section)] if section == "accuracy" else [Step(section, t) for t in plan.threads]
    return out


def pending_steps(record: Measurement, plan: Plan) -> list[Step]:
    """Steps of `plan` the record has neither measured nor skipped."""

    def done(step: Step) -> bool:
        if step.section in record.skipped:
            return True
        if step.section == "native":
            return any(n.threads == step.threads for n in record.native)
        if step.section == "browser":
            return any(b.requested_threads == step.threads for b in record.browser)
        return record.accuracy is not None

    return [s for s in steps(plan) if not done(s)]


def new_record(artifact: OnnxArtifact, ctx: Context, run: str, started: dt.datetime) -> Measurement:
    return Measurement(
        run=run, recorded_by="versus bench", started=started, updated=started, commit=ctx.commit,
        machine=ctx.machine, software={"python": machine_info.python_version()}, complete=False,
        artifact=ArtifactRef(artifact_id=artifact.artifact_id, card_id=artifact.card_id, variant_id=artifact.variant_id,
                             sha256=artifact.file.sha256, bytes=artifact.file.bytes, trained=artifact.trained),
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
        raise BenchError(f"{probe}: run {run} was measured on {record.machine.name}, this machine is "
                         f"{ctx.machine.name}; start a new run (omit --resume) or pass --machine {record.machine.name}")
    if record.artifact.sha256 != artifact.file.sha256:
        raise BenchError(f"{probe}: {artifact.artifact_id} was re-exported since run {run} measured it (sha256 "
                         f"{record.artifact.sha256[:12]}… then, {artifact.file.sha256[:12]}… now); start a new run")
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
) -> Outcome:
    """Measure `targets` in `run` (from `start_run`), writing each step's result as soon as it is known."""
    run, started = run
    records = {a.artifact_id: existing_record(ctx, a, run) or new_record(a, ctx, run, started) for a in targets}
    not_asked = {s: f"not measured in this run (left out with --skip {s})" for s in SECTIONS if s not in plan.sections}
    for key, record in records.items():
        missing = {s: why for s, why in not_asked.items() if s in record.pending()}
        if missing:
            records[key] = updated(record, skipped={**record.skipped, **missing})
    # Section by section, browser last: Chromium stays open once started and must not share the cores
    # with native timing.
    order = {"native": 0, "accuracy": 1, "browser": 2}
    todo = sorted(((a, s) for a in targets for s in pending_steps(records[a.artifact_id], plan)),
                  key=lambda item: order[item[1].section])
    outcome = Outcome()
    measurer = _Measurer(ctx, plan, log, targets)
    with ExitStack() as stack:
        stack.callback(measurer.close)
        for index, (artifact, step) in enumerate(todo):
            record = records[artifact.artifact_id]
            if on_step:
                on_step(f"{artifact.artifact_id}: {step}", index, len(todo))
            try:
                record = measurer.apply(record, artifact, step)
            except (NativeFailed, MeasurementFailed) as exc:
                outcome.failures.append(f"{artifact.artifact_id}: {step}: {exc}")
                log(f"FAILED {artifact.artifact_id}: {step}: {exc}")
                continue
            records[artifact.artifact_id] = record
            write_record(ctx.records_root, record)
    for artifact in targets:
        record = records[artifact.artifact_id]
        if not record.complete and not record.pending() and not pending_steps(record, plan):
            record = updated(record, complete=True)
        write_record(ctx.records_root, record)
        outcome.records.append(record_path(ctx.records_root, record))
    return outcome


class MeasurementFailed(Exception):
    pass


class _Measurer:
    """Runs one step against a record; owns the browser for the whole run (started on first use)."""

    def __init__(self, ctx: Context, plan: Plan, log: Log, targets: list[OnnxArtifact]):
        self.ctx, self.plan, self.log = ctx, plan, log
        self.targets = targets  # the browser page stages these models, and only these
        self._driver = None
        self._browser_stack = ExitStack()
        self._browser_missing: str | None = None
        self._sample = None

    def apply(self, record: Measurement, artifact: OnnxArtifact, step: Step) -> Measurement:
        return getattr(self, f"_{step.section}")(record, artifact, step)

    def _native(self, record: Measurement, artifact: OnnxArtifact, step: Step) -> Measurement:
        model = self.ctx.artifact_root / artifact.artifact_id / MODEL_NAME
        latency, versions = measure_native(model, artifact.runtime.model_dump_json(), self.ctx.latency_image,
                                           step.threads, self.plan.native)
        native = sorted([*record.native, latency], key=lambda n: n.threads)
        return updated(record, native=native, software={**record.software, **versions})

    def _browser(self, record: Measurement, artifact: OnnxArtifact, step: Step) -> Measurement:
        browser = self._open_browser()
        if browser is None:
            if record.browser:  # part measured earlier in this run: keep that, retry the rest on resume
                raise MeasurementFailed(self._browser_missing)
            return updated(record, skipped={**record.skipped, "browser": self._browser_missing})
        from .browser import BrowserUnavailable

        try:
            latency = browser.measure(artifact, threads=step.threads, warmup=self.plan.browser_warmup,
                                      runs=self.plan.browser_runs, cold_pages=self.plan.cold_pages)
        except BrowserUnavailable as exc:
            raise MeasurementFailed(str(exc)) from exc
        entries = [*record.browser, latency]
        return updated(record, browser=entries, software={**record.software, **browser.versions})

    def _accuracy(self, record: Measurement, artifact: OnnxArtifact, step: Step) -> Measurement:
        if not artifact.trained:
            return updated(record, skipped={**record.skipped, "accuracy": "untrained artifact: random weights, so accuracy would mean nothing; latency only"})
        from . import accuracy

        try:
            if self._sample is None:
                self._sample = accuracy.read_sample_set(self.ctx.samples_root)
        except accuracy.SampleSetError as exc:
            return updated(record, skipped={**record.skipped, "accuracy": f"no labelled sample set here ({exc})"})
        names = labels_by_id(self.ctx.catalog.registry.labels[artifact.runtime.labels].labels)
        model = self.ctx.artifact_root / artifact.artifact_id / MODEL_NAME
        result = accuracy.measure_accuracy(model, artifact.runtime, names, self._sample)
        return updated(record, accuracy=result, software={**record.software, "pycocotools": result.tool.split()[-1]})

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
                BrowserBench(self.ctx.artifact_root, self.targets, self.ctx.catalog))
        except BrowserUnavailable as exc:
            self._browser_missing = f"no browser to measure in: {exc}"
            self.log(f"browser latency skipped: {exc}")
        return self._driver

    def close(self) -> None:
        self._browser_stack.close()
