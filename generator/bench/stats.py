"""Timings to a `Figure`. Quartiles by linear interpolation between order statistics (numpy's default,
`statistics.quantiles(method="inclusive")`); the demo's `measure.js` computes them the same way so that a
visitor's record and the bench's agree on what "q1" means."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from ..measurement import Figure


def figure(samples_ms: Sequence[float]) -> Figure:
    if not samples_ms:
        raise ValueError("no timings to summarise")
    values = sorted(float(v) for v in samples_ms)
    if len(values) == 1:
        q1 = median = q3 = values[0]
    else:
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Figure(median=median, q1=q1, q3=q3, min=values[0], max=values[-1], runs=len(values))
