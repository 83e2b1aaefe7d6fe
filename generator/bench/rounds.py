"""Native rounds waiting for the rest of their figure, kept on disk so that an interrupted run loses none.

A pooled native figure needs the raw timings of every round, and a record holds only figures, so the rounds
measured so far live beside the run's records in `<run>/.rounds/<artifact id>.json` (ignored by git) until the
last round comes in; then the figure goes into the record and its rounds are dropped.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from .native import RoundSamples

FOLDER = ".rounds"


class RoundsError(Exception):
    """The stored rounds cannot be read; the message names the file."""


class PartialRounds:
    def __init__(self, run_folder: Path):
        self.folder = run_folder / FOLDER

    def _path(self, artifact_id: str) -> Path:
        return self.folder / f"{artifact_id}.json"

    def _read(self, artifact_id: str) -> dict[str, list[dict]]:
        path = self._path(artifact_id)
        if not path.is_file():
            return {}
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RoundsError(
                f"{path}: cannot read the rounds measured so far ({exc}); delete the file to measure them again"
            ) from exc

    def _write(self, artifact_id: str, data: dict[str, list[dict]]) -> None:
        path = self._path(artifact_id)
        if not any(data.values()):
            path.unlink(missing_ok=True)
            if self.folder.is_dir() and not any(self.folder.iterdir()):
                self.folder.rmdir()
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)

    def rounds(self, artifact_id: str, threads: int) -> list[RoundSamples]:
        try:
            return [RoundSamples(**r) for r in self._read(artifact_id).get(str(threads), [])]
        except TypeError as exc:
            raise RoundsError(
                f"{self._path(artifact_id)}: not a rounds file ({exc}); delete it to measure them again"
            ) from exc

    def counts(self, artifact_id: str) -> dict[int, int]:
        """Rounds stored per thread setting."""
        return {int(t): len(rs) for t, rs in self._read(artifact_id).items()}

    def add(self, artifact_id: str, threads: int, samples: RoundSamples) -> list[RoundSamples]:
        """Stores one more round; returns every round of that thread setting so far."""
        data = self._read(artifact_id)
        data.setdefault(str(threads), []).append(asdict(samples))
        self._write(artifact_id, data)
        return [RoundSamples(**r) for r in data[str(threads)]]

    def drop(self, artifact_id: str, threads: int) -> None:
        """Forget a thread setting whose figure is in the record now."""
        data = self._read(artifact_id)
        if data.pop(str(threads), None) is not None:
            self._write(artifact_id, data)
