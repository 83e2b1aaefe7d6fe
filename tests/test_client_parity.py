"""The comparison rules hold on the real catalog, for every pair, in both places that apply them: the static
pair pages (Python) and the client-side pair view (site_src/assets/versus.js, run in Node on catalog.json)."""

from __future__ import annotations

from pathlib import Path

from generator import compare, tradeoff

from .client_align import client_groups


def python_groups(catalog) -> dict[str, list]:
    out = {}
    for a, b in compare.pairs(catalog.cards):
        out[f"{a.id}|{b.id}"] = [
            [row.key.as_string(), [[c.card.name, c.variant.id, c.metric.value, row.is_best(c)] for c in row.claims]]
            for row in compare.aligned_metrics((a, b), catalog.registry)
        ]
    return out


def test_client_view_aligns_and_stars_exactly_as_the_pages_on_every_pair(catalog, tmp_path: Path) -> None:
    client = {
        pair: [[g["key"], [[r["name"], r["variant"], r["value"], r["best"]] for r in g["rows"]]] for g in groups]
        for pair, groups in client_groups(catalog, tmp_path).items()
    }
    expected = python_groups(catalog)
    n = len(catalog.cards)
    assert len(expected) == n * (n - 1) // 2
    assert sum(len(groups) for groups in expected.values()) > 0, "the check must cover some aligned figures"
    assert client == expected


def _effective(claim: compare.Claim, latency_kind: bool) -> dict:
    """The settings of a figure, read straight from the card (not from the key under test)."""
    m, v = claim.metric, claim.variant
    protocol = m.protocol.model_dump() if m.protocol else {}
    return {
        "metric": m.metric,
        "task": v.task,
        "dataset": m.dataset,
        "input": m.side or tuple(v.input_size[0].value),
        "protocol": {k: val for k, val in protocol.items() if val != "not-stated"},
        "pretraining": None if latency_kind else v.pretraining,
        "latency": {f: getattr(m, f) for f in compare.LATENCY_FIELDS},  # precision too: an int8 model's accuracy
    }


def test_no_pair_aligns_figures_measured_differently(catalog) -> None:
    """Independent of the key's code: every figure in one aligned table has the same metric, task, dataset,
    input size, stated protocol and pretraining, and latency settings; unstated latency settings only within
    one source."""
    checked = 0
    for a, b in compare.pairs(catalog.cards):
        for row in compare.aligned_metrics((a, b), catalog.registry):
            settings = [_effective(c, row.info.kind == "latency") for c in row.claims]
            for s in settings[1:]:
                assert s == settings[0], (a.id, b.id, row.key)
            unstated = [f for f, val in settings[0]["latency"].items() if val == "not-stated"]
            if unstated:
                assert len({c.source_url for c in row.claims}) == 1, (a.id, b.id, unstated)
            checked += len(row.claims)
    assert checked > 50


def test_seed_pair_never_lines_up_openvino_against_yolov12(catalog) -> None:
    a, b = catalog.card("mobilenet-ssd-v2"), catalog.card("yolov12")
    aligned = compare.aligned_metrics((a, b), catalog.registry)
    assert all(c.metric.source != "omz-ssd-mobilenet-v2" for row in aligned for c in row.claims)
    assert aligned == [], "300 px SSD figures and 640 px YOLOv12 figures share no setting"


def test_classifier_latency_is_never_lined_up_with_a_detector(catalog) -> None:
    a, b = catalog.card("mobilenet-v2"), catalog.card("ssdlite-mobilenet-v2")
    assert compare.aligned_metrics((a, b), catalog.registry) == []


def test_chart_points_pair_one_source_and_checkpoint_on_the_real_catalog(catalog) -> None:
    points = [p for ps in tradeoff.chart_points(catalog.cards, catalog.registry).values() for p in ps]
    assert points
    for p in points:
        assert p.accuracy.source_url == p.latency.source_url
        assert p.accuracy.checkpoint == p.latency.checkpoint and p.accuracy.variant is p.latency.variant
    yolov10n = {(p.accuracy.metric.value, p.latency.metric.value) for p in points if p.variant.id == "yolov10n.coco"}
    assert yolov10n, "the issue's example: YOLOv10-N is plotted with each source's own accuracy"
