"""What the study's questions share: the arguments, the catalog, the image, the one BrowserBench, and the
session options it times beyond the optimization levels."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from generator.bench.native import Settings

from .runners import Native

DISABLE_QDQ = "session.disable_quant_qdq"  # onnxruntime: keep DequantizeLinear -> op -> QuantizeLinear unfused
NO_QDQ_FUSION = {"extra": {"session": {"disable_quant_qdq": "1"}}}  # the same, as onnxruntime-web session options
NO_QUICKGELU = {"extra": {"optimization": {"disable_specified_optimizers": "QuickGeluFusion"}}}  # x*sigmoid(x) unfused


@dataclass
class Study:
    """The state the four questions share; each question is a function of it (levels.py, operators.py,
    variants.py), so that each fits in a module of its own."""

    args: argparse.Namespace
    catalog: object
    image: Path
    stack: ExitStack
    tmp: Path
    log: Callable[[str], None] = print
    _bench: object = None
    _bench_stack: ExitStack = field(default_factory=ExitStack)
    results: dict = field(default_factory=dict)

    def native(self, artifact) -> Native:
        return Native(
            artifact.runtime.model_dump_json(),
            self.image,
            Settings(warmup=3, min_runs=self.args.native_runs, min_seconds=self.args.native_seconds),
        )

    def bench(self):
        """One BrowserBench on artifacts/ for the levels (started on first use; Playwright's sync API allows one
        at a time in a process, so `close_bench` ends it before the variants get their own)."""
        if self._bench is None:
            from generator.bench.browser import BrowserBench

            self._bench = self._bench_stack.enter_context(
                BrowserBench(self.args.artifacts, list(self.all_artifacts.values()), self.catalog)
            )
        return self._bench

    def close_bench(self) -> None:
        self._bench_stack.close()
        self._bench = None

    @property
    def all_artifacts(self) -> dict:
        from generator.artifacts import load_artifacts

        return {a.artifact_id: a for found in load_artifacts(self.args.artifacts).values() for a in found}

    def model(self, artifact) -> Path:
        return self.args.artifacts / artifact.artifact_id / "model.onnx"
