"""The records committed in catalog/measurements/ (issue #14): the bench's figures come from one `versus bench` run
that measured every artifact in every section, so a record's accuracy and latency describe one file, measured on
one machine in one stretch of time, and the pages never line up figures from different runs."""

from __future__ import annotations

from generator.loader import load_catalog
from generator.measurement import BENCH_SECTIONS, section_field

from .catalogs import CATALOG


def test_the_bench_records_are_one_complete_run() -> None:
    records = [r for r in load_catalog(CATALOG).measurements if r.recorded_by == "versus bench"]
    assert records, "no bench run is committed"
    runs = sorted({r.run for r in records})
    assert len(runs) == 1, f"several bench runs are committed: {runs}; keep the latest full one"
    for record in records:
        assert record.complete, record.artifact.artifact_id
        left_out = dict(record.skipped)
        if not record.artifact.trained:
            # random weights: latency only, by design
            left_out.pop("accuracy", None)
            left_out.pop("browser-accuracy", None)
        assert left_out == {}, (record.artifact.artifact_id, left_out)
        for section in BENCH_SECTIONS:
            if record.artifact.trained or section in ("native", "browser"):
                assert getattr(record, section_field(section)), (record.artifact.artifact_id, section)
    assert {t for r in records for t in (n.threads for n in r.native)} == {1, 2}
    assert all({b.requested_threads for b in r.browser} == {1, 2} for r in records)
