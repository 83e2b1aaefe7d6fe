"""Figures of the study: one setting's rounds, settings timed in alternating rounds, and the printed tables."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.measurement import Figure

UNSTEADY = 1.2  # rounds' medians further apart than this are marked "!"


@dataclass
class Rounds:
    """One setting's figures, one per round."""

    figures: list[Figure] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(f.median for f in self.figures)

    def text(self) -> str:
        if not self.figures:
            return "—"
        q1 = statistics.median(f.q1 for f in self.figures)
        q3 = statistics.median(f.q3 for f in self.figures)
        rounds = "/".join(f"{f.median:.1f}" for f in self.figures)
        medians = [f.median for f in self.figures]
        unsteady = " !" if max(medians) > UNSTEADY * min(medians) else ""
        return f"{self.median:6.1f} (IQR {q1:.1f}–{q3:.1f}; rounds {rounds}){unsteady}"


@dataclass(frozen=True)
class Arm:
    """One setting to time: `measure` returns one round's figure."""

    key: tuple
    measure: Callable[[], Figure]


def interleaved(arms: list[Arm], rounds: int, log: Callable[[str], None]) -> dict[tuple, Rounds]:
    """Every arm once per round, each round in the reverse order of the one before (A B C, C B A, ...)."""
    out = {arm.key: Rounds() for arm in arms}
    for r in range(rounds):
        for arm in arms if r % 2 == 0 else arms[::-1]:
            out[arm.key].figures.append(arm.measure())
        log(f"  round {r + 1}/{rounds} done ({load_average()})")
    return out


def ratio(a: Rounds | None, b: Rounds | None) -> str:
    if not a or not b or not a.figures or not b.figures:
        return "—"
    return f"{a.median / b.median:.2f}×"


def load_average() -> str:
    try:
        return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load ?"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])
