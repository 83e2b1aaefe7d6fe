"""Measured figures as tables: one column per record (a run, or an artifact of one run), never merged.

Which records a page shows is decided in `measured`; this module writes them out: machine, run, software,
what file was measured (from this build's manifest of the same artifact id) and every figure with its spread.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..export.manifest import OnnxArtifact
from ..measurement import Figure, Machine, Measurement, NativeLatency
from ..schema import Registry
from . import measured
from .tables import Table


@dataclass(frozen=True)
class RunInfo:
    """Where and when a record was measured, and by whom."""

    run: str
    started: str  # `2026-05-01 09:30`, UTC
    recorded_by: str
    commit: str | None
    machine: str  # machine_label


@dataclass(frozen=True)
class RecordColumn:
    heading: str
    run: RunInfo
    software: str
    artifact_id: str
    sha256: str
    sha256_short: str
    trained: bool
    provenance: str  # what the measured file is, in words
    complete: bool
    status: str


@dataclass(frozen=True)
class ReadingRow:
    setting: str
    what: str
    first_of_setting: bool  # the table starts a new setting here
    cells: tuple[str | None, ...]  # one per column, None where that record lacks the figure


@dataclass(frozen=True)
class MeasuredTable:
    columns: tuple[RecordColumn, ...]
    rows: tuple[ReadingRow, ...]
    one_run: bool  # every column is from one run: the page says the machine and run once, above the table
    csv: Table  # the table as the page shows it, for the CSV download


# --- Figures -----------------------------------------------------------------------------


def fmt_ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 1000 else f"{value / 1000:.2f} s"


def fmt_figure(figure: Figure) -> str:
    """The median with its spread, never a lone number: `46.2 ms (IQR 45.1–47.8, 30 runs)`."""
    runs = f"{figure.runs} run{'s' if figure.runs != 1 else ''}"
    return f"{fmt_ms(figure.median)} (IQR {figure.q1:.1f}–{figure.q3:.1f}, {runs})"


def fmt_rounds(latency: NativeLatency) -> str:
    """Each round's median in run order, and a warning when they drift apart more than two runs should."""
    medians = " / ".join(f"{r.inference_median:.1f}" for r in latency.rounds)
    note = (
        ""
        if latency.settled
        else (
            f": they differ by {latency.drift:.0%}, the machine's speed changed during the run, "
            "so judge the figure by its spread"
        )
    )
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
    if reading.kind == "text":
        return str(reading.value)
    return f"{float(reading.value):.1f}%"  # type: ignore[arg-type]


# --- Context ---------------------------------------------------------------------------------


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
    status = (
        "complete" if record.complete else f"incomplete: {', '.join(pending) or 'run not finished'} not measured yet"
    )
    skipped = [f"{section} skipped ({why})" for section, why in record.skipped.items()]
    return "; ".join([status, *skipped])


def run_info(record: Measurement) -> RunInfo:
    return RunInfo(
        record.run, f"{record.started:%Y-%m-%d %H:%M}", record.recorded_by, record.commit, machine_label(record.machine)
    )


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
        return (
            f"random weights built from {src.architecture} (seed {src.seed}), no checkpoint: "
            f"an untrained test graph, converted by {conv.name}"
        )
    if artifact.quantization is not None:
        q = artifact.quantization
        return (
            f"this build's int8 quantization of its own export {q.of_artifact} (not a file the authors published): "
            f"{q.quantizer}, QDQ, int8 weights and uint8 activations; float32 input"
        )
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


def record_provenance(record: Measurement, artifacts: Mapping[str, Sequence[OnnxArtifact]]) -> str:
    """Words for the file a record measured, from this build's manifest of the same artifact id."""
    for artifact in artifacts.get(record.artifact.variant_id, []):
        if artifact.artifact_id == record.artifact.artifact_id:
            same = (
                ""
                if artifact.file.sha256 == record.artifact.sha256
                else (
                    " (as this build exported it; the measured file's bytes differ, since converters are not byte-deterministic)"
                )
            )
            return provenance(artifact) + same
    return "not known to this build: export the artifact (versus export) to show its manifest here"


# --- Tables ----------------------------------------------------------------------------------


def measured_table(
    columns: Iterable[tuple[str, Measurement]],
    registry: Registry,
    artifacts: Mapping[str, Sequence[OnnxArtifact]],
    one_run: bool = False,
    name: str = "measured",
) -> MeasuredTable:
    """`columns`: (heading, record) pairs, one column each, in order; `name`: the CSV's name, unique on the page."""
    columns = list(columns)
    records = [r for _, r in columns]
    rows, previous = [], None
    for row in measured.reading_rows(records, registry):
        rows.append(
            ReadingRow(
                row.setting, row.what, row.setting != previous, tuple(fmt_reading(c) if c else None for c in row.cells)
            )
        )
        previous = row.setting
    cols = tuple(
        RecordColumn(
            heading,
            run_info(r),
            software_label(r),
            r.artifact.artifact_id,
            r.artifact.sha256,
            r.artifact.sha256[:12],
            r.artifact.trained,
            record_provenance(r, artifacts),
            r.complete,
            status_label(r),
        )
        for heading, r in columns
    )
    return MeasuredTable(cols, tuple(rows), one_run, measured_csv(name, cols, rows, one_run))


UNTRAINED = "random weights — latency only"


def run_text(run: RunInfo) -> str:
    return f"{run.run}, started {run.started} UTC, by {run.recorded_by}"


def measured_csv(name: str, columns: Sequence[RecordColumn], rows: Sequence[ReadingRow], one_run: bool) -> Table:
    """The measured table as the page lays it out: context rows, then each setting's row (its name in the first
    cell) and its figures; `—` where a record lacks a figure."""
    blank = ("",) * len(columns)
    out: list[tuple[str, ...]] = []
    if not one_run:
        out += [
            ("Machine", *(c.run.machine for c in columns)),
            ("Run", *(run_text(c.run) for c in columns)),
            ("Project commit", *(c.run.commit or "not recorded" for c in columns)),
        ]
    out += [
        ("Software", *(c.software for c in columns)),
        (
            "Artifact",
            *(f"{c.artifact_id}, sha256 {c.sha256_short}" + ("" if c.trained else f" {UNTRAINED}") for c in columns),
        ),
        ("What was measured", *(c.provenance for c in columns)),
        ("Status", *(c.status for c in columns)),
    ]
    for row in rows:
        if row.first_of_setting:
            out.append((row.setting, *blank))
        out.append((row.what, *(cell or "—" for cell in row.cells)))
    return Table(name, ("", *(c.heading for c in columns)), tuple(out))


def run_columns(records: Iterable[Measurement]) -> list[tuple[str, Measurement]]:
    """One column per run for a model page: the machine and the day name it."""
    return [(f"{r.machine.name}, {r.started:%Y-%m-%d}", r) for r in records]


def pair_columns(pair: measured.PairRun, a_name: str, b_name: str) -> list[tuple[str, Measurement]]:
    """One column per artifact for a comparison page, first model's first; all from one run."""
    return [(f"{name}: {r.artifact.artifact_id}", r) for name, rs in ((a_name, pair.a), (b_name, pair.b)) for r in rs]
