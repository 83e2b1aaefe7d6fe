"""The real catalog builds strictly into the pages a visitor needs, and a failed build changes nothing."""

from __future__ import annotations

import gzip
import json
import re
import threading
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.compare import pairs
from generator.loader import load_catalog
from generator.site import BuildError, build_site

from .catalogs import ARTIFACTS, CATALOG, FIXTURES, ROOT, machine_paths, make_catalog


def text_of(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    main = html[html.index('<article class="md-content__inner') :]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def test_every_page_exists(built_site: Path) -> None:
    catalog = load_catalog(CATALOG)
    for rel in [
        "index.html",
        "models/index.html",
        "tasks/index.html",
        "chart/index.html",
        "compare/index.html",
        "contributing/index.html",
        "catalog.json",
    ]:
        assert (built_site / rel).is_file(), rel
    for card in catalog.cards:
        assert (built_site / "models" / card.id / "index.html").is_file()
    expected = {f"{a.id}-vs-{b.id}" for a, b in pairs(catalog.cards)}
    built = {p.name for p in (built_site / "compare").iterdir() if p.is_dir() and "-vs-" in p.name}
    assert built == expected
    n = len(catalog.cards)
    assert len(expected) == n * (n - 1) // 2


def test_onnxruntime_wasm_is_published_gzipped_too(built_site: Path) -> None:
    """The demo fetches the .gz copies and inflates them (ort-wasm.js): each must inflate to the very binary npm
    installed, which is also published as is for browsers without DecompressionStream."""
    ort = built_site / "assets" / "versus-demo" / "ort"
    dist = ROOT / "wasm_demo" / "node_modules" / "onnxruntime-web" / "dist"
    for name in ("ort-wasm-simd-threaded.wasm", "ort-wasm-simd-threaded.asyncify.wasm"):  # CPU and WebGPU builds
        plain = (ort / name).read_bytes()
        packed = (ort / f"{name}.gz").read_bytes()
        assert plain == (dist / name).read_bytes()
        assert gzip.decompress(packed) == plain
        assert len(packed) < len(plain) / 3, name


def test_first_pair_page(built_site: Path) -> None:
    page = built_site / "compare" / "mobilenet-ssd-v2-vs-yolov12" / "index.html"
    text = text_of(page)
    shared = text[text.index("Shared tasks") : text.index("Claimed metrics, aligned")]
    assert "Object detection" in shared
    properties = text[text.index("Properties") : text.index("Shared tasks")]
    assert "Google" in properties
    assert "University at Buffalo" in properties and "University of Chinese Academy of Sciences" in properties
    assert "Tsinghua" not in properties and "THU-MIG" not in properties
    assert "Apache-2.0" in properties and "AGPL-3.0" in properties
    assert "Context Window" not in text and "context window" not in text
    assert "Input resolution 300 px 640 px" in properties
    demo = text[text.index("MobileNet SSD v2 vs YOLOv12") : text.index("Properties")]
    assert "No live demo for this pair" in demo, "the demo (here: why there is none) comes first on a pair page"
    assert "share no task" not in demo
    # The fixture build has a trained YOLO11n and an untrained YOLOv12n only: the page says what runs, not what
    # the cards allow.
    assert "Both run" not in demo
    assert (
        "No live demo for this pair in this build: this build has no trained MobileNet SSD v2 or YOLOv12 artifact"
        in demo
    )


def test_no_shared_task_is_said_plainly(built_site: Path) -> None:
    text = (
        text_of(built_site / "compare" / "mobilenet-ssd-v2-vs-mobilenet-v2" / "index.html")
        if (built_site / "compare" / "mobilenet-ssd-v2-vs-mobilenet-v2").exists()
        else text_of(built_site / "compare" / "mobilenet-v2-vs-mobilenet-ssd-v2" / "index.html")
    )
    assert "share no task" in text
    assert "Image classification" in text and "Object detection" in text


def test_model_page_cites_its_facts(built_site: Path) -> None:
    html = (built_site / "models" / "yolov12" / "index.html").read_text(encoding="utf-8")
    text = text_of(built_site / "models" / "yolov12" / "index.html")
    assert 'id="src-' in html and 'class="cite"' in html
    assert "Licences that bind a user" in text and "Strong copyleft" in text  # the registry's plain summary
    assert "yolov12n.turbo" in text and "yolov12n.v1" in text
    assert "sha256 not yet verified" in text


def test_pair_pages_stay_out_of_navigation(built_site: Path) -> None:
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert "-vs-" not in "".join(re.findall(r'<nav class="md-nav.*?</nav>', home, flags=re.DOTALL))


def test_catalog_json_has_every_card_with_published_field_names(built_site: Path) -> None:
    data = json.loads((built_site / "catalog.json").read_text(encoding="utf-8"))
    ids = [c["id"] for c in data["cards"]]
    assert ids == sorted(ids) and "yolov12" in ids
    card = data["cards"][ids.index("mobilenet-ssd-v2")]
    for field in [
        "id",
        "name",
        "aliases",
        "summary",
        "organizations",
        "authors",
        "release_date",
        "license",
        "paper",
        "code",
        "modality",
        "tasks",
        "variants",
        "sources",
    ]:
        assert field in card
    assert card["license"]["id"] == "Apache-2.0"
    assert "tasks" in data["registry"]


def test_search_index_covers_models(built_site: Path) -> None:
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {d["location"] for d in index["docs"]}
    assert "models/yolov12/" in locations
    assert any("University at Buffalo" in d["text"] for d in index["docs"])
    # Pair pages (one per pair, hundreds) stay out: every page loads the index, and they made it 12 MB.
    assert "compare/" in locations and not [loc for loc in locations if loc.startswith("compare/") and "-vs-" in loc]
    assert (built_site / "compare" / "mobilenet-ssd-v2-vs-yolo11" / "index.html").is_file()


def test_chart_data_keeps_contexts_apart(built_site: Path) -> None:
    html = (built_site / "chart" / "index.html").read_text(encoding="utf-8")
    data = json.loads(unescape(re.search(r'class="vs-chart-data">(.*?)</script>', html, re.DOTALL).group(1)))
    labels = [s["label"] for s in data]
    assert len(labels) == len(set(labels)) >= 2
    for context in data:
        points = [p for f in context["families"] for p in f["points"]]
        assert len(points) == context["points"] and all(p["source"] for p in points)
        for family in context["families"]:
            assert len({p["source"] for p in family["points"]}) == 1, "a family's line never joins two sources"
            xs = [p["x"] for p in family["points"]]
            assert xs == sorted(xs), "a family's line runs fastest first"
        front = context["pareto"]
        assert front and all(not (q["x"] <= p["x"] and q["y"] > p["y"]) for p in front for q in points if q is not p)


def test_catalog_table_has_filters_and_sortable_columns(built_site: Path) -> None:
    html = (built_site / "models" / "index.html").read_text(encoding="utf-8")
    for key in ("tasks", "license", "commercial", "orgs"):
        assert f'data-filter="{key}"' in html
    assert html.count('data-sort-method="number"') == 2
    assert (built_site / "assets" / "vendor" / "chart.umd.min.js").is_file()


def test_invalid_catalog_leaves_previous_site(tmp_path: Path, tiny_catalog: Path) -> None:
    out = tmp_path / "site"
    build_site(load_catalog(tiny_catalog), out)
    before = (out / "models" / "tiny-detector" / "index.html").read_text()
    with pytest.raises(BuildError):
        build_site(load_catalog(tiny_catalog), out, node_modules=tmp_path / "no-node-modules")
    assert (out / "models" / "tiny-detector" / "index.html").read_text() == before
    assert not list(tmp_path.glob(".site.build-*"))


def test_concurrent_builds_do_not_corrupt_each_other(tmp_path: Path, tiny_catalog: Path) -> None:
    catalog = load_catalog(tiny_catalog)
    out = tmp_path / "site"
    errors: list[BaseException] = []

    def run() -> None:
        try:
            build_site(catalog, out)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert (out / "models" / "tiny-detector" / "index.html").is_file()


def test_hostile_card_text_is_inert(tmp_path: Path) -> None:
    text = (FIXTURES / "cards" / "valid" / "tiny-detector.yaml").read_text()
    text = text.replace("name: Tiny Detector", 'name: "<script>alert(1)</script> | *x* [a](javascript:alert(2))"')
    text = text.replace(
        "summary: A made-up detector used by the tests.",
        'summary: "<img src=x onerror=alert(3)> </p><script>alert(4)</script>"',
    )
    card = tmp_path / "src" / "tiny-detector.yaml"
    card.parent.mkdir()
    card.write_text(text)
    out = tmp_path / "site"
    build_site(load_catalog(make_catalog(tmp_path, card)), out)
    assert_hostile_text_shown_as_text(out, "the model page still shows the hostile text, as text")


def assert_hostile_text_shown_as_text(site: Path, why: str) -> None:
    """No page of `site` has content a browser would run, and the tiny-detector page shows the hostile text."""
    for page in site.rglob("*.html"):
        found = ActiveContent()
        found.feed(page.read_text(encoding="utf-8"))
        assert found.problems == [], page
        if page.parent.name == "tiny-detector":
            assert found.saw_hostile_text, why


class ActiveContent(HTMLParser):
    """Collects what a browser would execute: inline scripts mentioning alert, on* handlers, non-http(s) links."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.saw_hostile_text = False
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        types = dict(attrs).get("type") or "text/javascript"
        self._in_script = tag == "script" and "json" not in types  # JSON data islands do not execute
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if (
                name in ("href", "src")
                and value
                and not value.startswith(("http://", "https://", "#", ".", "/"))
                and ":" in value.split("/")[0]
            ):
                self.problems.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(" in data:
            self.problems.append(f"script: {data[:60]}")
        if not self._in_script and "<script>alert(1)</script>" in data:
            self.saw_hostile_text = True


def test_symlink_in_site_src_is_refused(tmp_path: Path, tiny_catalog: Path) -> None:
    from generator.site import stage_docs

    site_src = tmp_path / "site_src"
    site_src.mkdir()
    (site_src / "leak.md").symlink_to("/etc/hostname")
    with pytest.raises(BuildError, match="symlink"):
        stage_docs(load_catalog(tiny_catalog), site_src, tmp_path / "docs", tmp_path / "node_modules")


def test_untrained_artifact_is_never_shown_as_the_model(built_site: Path) -> None:
    text = text_of(built_site / "models" / "yolov12" / "index.html")
    assert "Untrained test graph, not this model" in text
    assert "versus export yolov12" in text and "VERSUS_WEIGHTS_MIRROR" in text
    assert "Exported for the browser by this build" not in text


def test_trained_artifact_shows_its_provenance_and_verification(built_site: Path) -> None:
    from generator.export.manifest import read_manifest

    v = read_manifest(ARTIFACTS / "yolo11n.coco" / "manifest.json").verification
    text = text_of(built_site / "models" / "yolo11" / "index.html")
    exported = text[text.index("Exported for the browser by this build") :][:2000]
    assert "4ee1bf62fe1574dcb1202fc5e561dfe6d310aa9df930864b93a9b640496b003c" in exported
    assert v.status == "matched" and v.detections.confident > 100
    assert (
        f"verified: {v.detections.matched} of {v.detections.confident} confident detections matched "
        "(score 0.5 or more, on either side) against TFLite interpreter"
    ) in exported
    assert "the reference's detections come from Ultralytics' own predictor" in exported
    boxes = v.raw.groups[0]
    assert (
        f"box coordinates (cx, cy, w, h) in input pixels, anchors scoring >= 0.25 on either side: {boxes.beyond:,} of "
        f"{boxes.values:,} values beyond the limit, largest difference {boxes.max_abs_diff:.3g} px, bound |onnx - reference| "
        "<= 2 px on all but 4% of values"
    ) in exported
    assert "An export whose raw outputs break their bound fails and is not published." in exported
    assert "(taken from the mirror)" in exported and not [p for p in machine_paths() if p in text]


def artifact_paragraph(artifact) -> str:
    """The yolo11 page's artifact paragraph (page source, markup removed) with `artifact` as its artifact."""
    from generator.render import Renderer, model_page

    page = Renderer(load_catalog(CATALOG), {artifact.variant_id: [artifact]}).pages()[model_page("yolo11")]
    start = page.index('<p class="vs-artifact">')
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[start : page.index("</p>", start)])))


def test_model_page_says_each_verification_status_in_words() -> None:
    from generator.export.manifest import VerificationInfo, read_manifest

    trained = read_manifest(ARTIFACTS / "yolo11n.coco" / "manifest.json")
    untrained = read_manifest(ARTIFACTS / "yolov12n.untrained" / "manifest.json")
    matched = artifact_paragraph(trained)
    assert "verified: " in matched and " confident detections matched" in matched

    # A trained artifact whose detections found nothing: the untrained graph's verification, raw-only.
    assert untrained.verification.status == "raw-only"
    (group,) = untrained.verification.raw.groups
    raw_only = artifact_paragraph(trained.model_copy(update={"verification": untrained.verification}))
    assert (
        "No confident detections on the samples: compared raw outputs only (max difference "
        f"{group.max_abs_diff:.3g}, bound |onnx - reference| <= 0.001 + 0.001 * |reference| on every value) "
        "against the PyTorch module (eval) on the same input tensor"
    ) in raw_only
    assert "Detections were not compared." in raw_only

    fields = untrained.verification.model_dump()
    fields.update(status="not-compared", reference=None, detections=None, raw=None)
    not_compared = artifact_paragraph(
        trained.model_copy(update={"verification": VerificationInfo.model_validate(fields)})
    )
    assert "Not compared with a source framework: the weights are already ONNX" in not_compared
    for paragraph in (raw_only, not_compared):
        assert "verified" not in paragraph.lower() and "matched" not in paragraph


# --- Claimed and measured ------------------------------------------------------------------

VM_RUN, LAPTOP_RUN = "20260310T091500Z-ci-vm", "20260402T143000Z-laptop-i7"


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def measured_tables(page: Path) -> list[str]:
    html = page.read_text(encoding="utf-8")
    return [
        unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", t)))
        for t in re.findall(r'<table class="vs-measured"[^>]*>.*?</table>', html, re.DOTALL)
    ]


def test_model_page_shows_claims_with_sources_beside_each_run(built_site: Path) -> None:
    page = built_site / "models" / "yolov8" / "index.html"
    html = page.read_text(encoding="utf-8")
    part = section(text_of(page), "Claimed and measured", "Licence")
    claimed = section(part, "Claimed for yolov8n.coco", "Measured by Versus")
    assert "mAP@[.5:.95] · COCO val2017 · 640 px input: 37.3% claimed" in claimed
    block = html[html.index('id="measured-yolov8n.coco"') :]
    assert 'class="cite"' in block[: block.index("vs-measured")], "claims carry their source links"
    (table,) = measured_tables(page)
    # Each run is its own column, latest first, with its context.
    assert table.index("laptop-i7, 2026-04-02") < table.index("ci-vm, 2026-03-10")
    for context in (
        "AMD EPYC 7B13, 2 logical cores, 24 GB memory",
        "Intel Core i7-1165G7",
        "onnxruntime 1.31.1",
        "Chromium 156",
        "started 2026-03-10 09:15 UTC",
        "49854cb",
        "sha256 043013ab2735",
    ):
        assert context in table, context
    assert re.search(r"inference \d+\.\d ms \(IQR \d+\.\d–\d+\.\d, 30 runs\)", table)
    assert "incomplete: browser, accuracy not measured yet" in table
    assert "800 COCO val2017 images with people mAP50-95" in table and "mAP50" in table
    assert "train2017" not in table, "the laptop's quick run never measured YOLOv8n's accuracy"


def test_untrained_artifact_is_marked_random_weights_latency_only(built_site: Path) -> None:
    page = built_site / "models" / "yolov12" / "index.html"
    part = section(text_of(page), "Claimed and measured", "Licence")
    assert "yolov12n.untrained random weights — latency only" in part
    assert "it is not YOLOv12's trained model" in part
    assert "These claims describe the trained model, not the measured artifact" in part
    (table,) = measured_tables(page)
    assert "random weights — latency only" in table and "inference" in table
    assert "mAP" not in table, "an untrained artifact has no accuracy"
    assert "accuracy skipped (untrained artifact" in table


def test_comparison_takes_both_sides_from_one_run(built_site: Path) -> None:
    # The laptop run is later, but its YOLOv8n record is incomplete: both sides come from the VM run.
    page = built_site / "compare" / "yolo11-vs-yolov8" / "index.html"
    part = section(text_of(page), "Claimed and measured", "Accuracy vs latency")
    assert f"run {VM_RUN}" in part and LAPTOP_RUN not in part and "laptop-i7" not in part
    assert "Both models were measured in one run on one machine" in part
    assert "mAP@[.5:.95] · COCO val2017 · 640 px input: 39.5% claimed" in part
    assert "mAP@[.5:.95] · COCO val2017 · 640 px input: 37.3% claimed" in part
    (table,) = measured_tables(page)
    assert "Ultralytics YOLO11: yolo11n.coco" in table and "Ultralytics YOLOv8: yolov8n.coco" in table
    assert "800 COCO val2017 images with people" in table and "train2017" not in table
    html = page.read_text(encoding="utf-8")
    data = json.loads(unescape(re.search(r'class="vs-chart-data">(.*?)</script>', html, re.DOTALL).group(1)))
    measured = [s for s in data if s["measured"]]
    assert measured and all(VM_RUN in p["source"] for s in measured for f in s["families"] for p in f["points"])


def test_comparison_with_an_untrained_side_marks_it(built_site: Path) -> None:
    part = section(
        text_of(built_site / "compare" / "yolo11-vs-yolov12" / "index.html"),
        "Claimed and measured",
        "Accuracy vs latency",
    )
    assert "random weights — latency only" in part and "never the trained model" in part


def test_comparison_without_a_common_run_says_so(built_site: Path) -> None:
    part = section(
        text_of(built_site / "compare" / "detr-vs-yolo11" / "index.html"), "Claimed and measured", "Accuracy vs latency"
    )
    assert "No run has measured both DETR and Ultralytics YOLO11 yet" in part
    assert "DETR: not measured yet" in part and "Ultralytics YOLO11: measured in 2 runs" in part
    assert "vs-measured" not in (built_site / "compare" / "detr-vs-yolo11" / "index.html").read_text()


def test_chart_keeps_measured_series_apart_from_claimed(built_site: Path) -> None:
    html = (built_site / "chart" / "index.html").read_text(encoding="utf-8")
    data = json.loads(unescape(re.search(r'class="vs-chart-data">(.*?)</script>', html, re.DOTALL).group(1)))
    claimed = [s for s in data if not s["measured"]]
    measured = [s for s in data if s["measured"]]
    assert claimed and all(s["label"].startswith("Published · ") for s in claimed)
    assert len(measured) == 6  # two runs × (1 thread, 2 threads, browser)
    for s in measured:
        on = "800 COCO val2017 images with people" if "ci-vm" in s["label"] else "100 COCO train2017 images"
        assert s["label"].startswith("Measured · ") and s["label"].endswith(f"mAP on {on}")
        assert len({p["source"] for f in s["families"] for p in f["points"]}) == 1, "one run per context"
        assert s["y_title"] == f"mAP50-95 (%) on {on}, measured"
    assert "onnxruntime CPU · 1 thread" in measured[0]["label"]
    variants = {p["variant"] for s in measured for f in s["families"] for p in f["points"]}
    assert "yolov12n.untrained" not in variants and "yolo11n.coco" in variants
    assert all(s["y_title"].endswith("as published") for s in claimed)


def test_methodology_page_is_in_the_navigation(built_site: Path) -> None:
    text = text_of(built_site / "methodology" / "index.html")
    for phrase in (
        "Never averaged",
        "intra_op_num_threads",
        "cross-origin isolation",
        "measureUserAgentSpecificMemory",
        "pycocotools",
        "COCO train2017",
        "catalog/measurements/<run>/<artifact id>.json",
        "pull request",
    ):
        assert phrase in text, phrase
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert 'href="methodology/"' in home


def test_catalog_json_carries_the_records(built_site: Path) -> None:
    data = json.loads((built_site / "catalog.json").read_text(encoding="utf-8"))
    assert {r["run"] for r in data["measurements"]} == {VM_RUN, LAPTOP_RUN}
    assert {r["source_kind"] for r in data["measurements"]} == {"versus"}
    kinds = {m["source_kind"] for c in data["cards"] for v in c["variants"] for m in v["metrics"]}
    assert kinds <= {"claimed", "vendor-measured", "independent"} and "claimed" in kinds
    assert all(m["kind"] for view in data["views"].values() for m in view["metrics"])


def test_hostile_record_text_is_inert(tmp_path: Path) -> None:
    record = json.loads((FIXTURES / "measurements" / VM_RUN / "yolo11n.coco.json").read_text())
    record["artifact"].update(artifact_id="tiny-n.v1", card_id="tiny-detector", variant_id="tiny-n.v1")
    record["machine"]["cpu"] = "<script>alert(1)</script>"
    record["machine"]["os"] = '"><img src=x onerror=alert(5)>'
    record["software"]["browser"] = "<img src=x onerror=alert(6)>"
    record["skipped"] = {}
    folder = tmp_path / "records" / VM_RUN
    folder.mkdir(parents=True)
    (folder / "tiny-n.v1.json").write_text(json.dumps(record))
    catalog = load_catalog(
        make_catalog(tmp_path, FIXTURES / "cards" / "valid" / "tiny-detector.yaml"), measurements=tmp_path / "records"
    )
    out = tmp_path / "site"
    build_site(catalog, out)
    assert_hostile_text_shown_as_text(out, "the record's text is shown, as text")


def test_measured_figures_say_what_was_measured(built_site: Path) -> None:
    """yolo11n.coco is a third-party int8-weight TFLite export: the page must not pass it off as the official .pt."""
    (table,) = measured_tables(built_site / "models" / "yolo11" / "index.html")
    assert "What was measured" in table
    assert "yolo11n_int8.tflite: a third-party file, not the official checkpoint" in table
    assert "int8 weights, dequantized to float32 in the ONNX graph" in table and "tf2onnx" in table


def test_model_page_shows_licences_per_artefact(built_site: Path) -> None:
    text = text_of(built_site / "models" / "yolov12" / "index.html")
    part = section(text, "Licences", "Weights and provenance")
    assert "code: AGPL-3.0-only" in part and "weights: AGPL-3.0-only" in part
    assert "Free commercial use" in part and "yes, under the terms listed" in part


def test_every_metric_shows_whose_figure_it_is(built_site: Path) -> None:
    text = text_of(built_site / "models" / "yolov12" / "index.html")
    claimed = section(text, "Claimed metrics", "Where sources disagree")
    assert "40.6% claimed" in claimed and "40.6% vendor re-run" in claimed


def test_several_variants_left_out_are_folded_into_one_list_below_the_demo() -> None:
    """One reason is a line; several are a closed <details> naming each variant, so the facts are not pushed down."""
    from generator.render import Renderer, model_page

    catalog = load_catalog(CATALOG)
    card = next(c for c in catalog.cards if len(c.variants) >= 3)
    why = {v.id: f"weights not available: reason {i}" for i, v in enumerate(card.variants[:3])}
    page = Renderer(catalog, not_exported=why).pages()[model_page(card.id)]
    start = page.index('<details class="vs-not-exported">')
    folded = page[start : page.index("</details>", start)]
    summary = folded[: folded.index("</summary>")]
    assert f"could not export {len(why)} variants: " in summary
    for variant, reason in why.items():
        assert f"<code>{variant}</code>" in summary
        assert (
            f'data-not-exported="{variant}">This build could not export <code>{variant}</code>: {reason}</li>' in folded
        )
    assert page.count("data-not-exported=") == len(why)

    one = dict(list(why.items())[:1])
    (variant,) = one
    page = Renderer(catalog, not_exported=one).pages()[model_page(card.id)]
    assert "vs-not-exported" not in page
    assert (
        f'<p class="vs-missing" data-not-exported="{variant}">This build could not export <code>{variant}</code>'
        in page
    )


def test_an_int8_graph_not_published_is_said_on_its_model_page(tmp_path: Path, tiny_catalog: Path) -> None:
    """`versus export` records why it kept an int8 graph back (artifacts/int8-not-published.json); the model page
    says so under the variant's weights, in the export's own words."""
    from generator.artifacts import NOT_PUBLISHED, record_not_exported
    from generator.export import int8

    reason = int8.refusal(0.438, 0.408)  # 3 points lost, against a bound of 2
    assert reason is not None
    artifacts = tmp_path / "artifacts"
    record_not_exported(artifacts, {"tiny-n.v1.int8": f"int8 graph not published: {reason}"}, set(), name=NOT_PUBLISHED)
    out = tmp_path / "site"
    build_site(load_catalog(tiny_catalog), out, artifacts=artifacts)
    text = re.sub(r" ([,:])", r"\1", text_of(out / "models" / "tiny-detector" / "index.html"))  # after <code>
    assert (
        "No smaller graph: tiny-n.v1.int8, this build's int8 quantization of tiny-n.v1: int8 graph not published: the "
        "int8 graph lost 0.0300 mAP50-95 against the float graph (0.4080 vs 0.4380), more than the bound 0.02. "
        "The demo runs the float graph."
    ) in text
