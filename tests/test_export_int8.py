"""The int8 graph `versus export` makes where a card asks for one (YOLO11n): a real QDQ graph, much smaller than
the float one, whose recorded accuracy equals pycocotools run here on the same images; an impossible bound
publishes nothing and says why; without labelled images there is no int8 graph, said in the output. The figures
come from the artifact cache after `.ci/test`'s `versus export` (about two minutes on a cold cache)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from types import SimpleNamespace

import onnx
import onnxruntime as ort
import pytest

from generator import cli
from generator.artifacts import NOT_PUBLISHED, load_artifacts, load_not_exported
from generator.decode import decode
from generator.export import int8, int8_step
from generator.export.manifest import read_manifest
from generator.loader import load_catalog
from generator.preprocess import image_input, load_image, prepare
from generator.render import render_page
from generator.views.inputs import SiteInputs
from generator.views.model import model_view
from generator.views.records import provenance

from .catalogs import CATALOG, SETTINGS, export_artifacts
from .test_accuracy_browser import oracle_map

pytestmark = pytest.mark.needs_shared("weights_mirror", "sample_images", "accuracy_images")  # see conftest.py
FLOAT = "yolo11n.coco"
INT8 = FLOAT + ".int8"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_artifacts(tmp_path_factory.mktemp("int8") / "artifacts", FLOAT)


def test_the_int8_graph_is_a_qdq_graph_under_40_percent_of_the_float_one(exported: Path) -> None:
    float_manifest = read_manifest(exported / FLOAT / "manifest.json")
    manifest = read_manifest(exported / INT8 / "manifest.json")
    ops = {node.op_type for node in onnx.load(str(exported / INT8 / "model.onnx")).graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    size = (exported / INT8 / "model.onnx").stat().st_size
    assert size == manifest.file.bytes
    assert size < 0.4 * (exported / FLOAT / "model.onnx").stat().st_size
    q = manifest.quantization
    assert q is not None and q.of_sha256 == float_manifest.file.sha256 and q.of_artifact == FLOAT
    assert manifest.variant_id == float_manifest.variant_id and manifest.runtime == float_manifest.runtime
    assert manifest.verification.status == "quantized" and manifest.source.url is None
    assert q.loss <= q.max_loss == int8.MAX_MAP_LOSS
    accuracy_names = {p.name for p in sorted((SETTINGS.require("accuracy_images") / "images").glob("*.jpg"))}
    assert q.calibration.images == len(q.calibration.names) > 0
    assert not set(q.calibration.names) & accuracy_names, "calibrated on images the gate scores"


def _recomputed(model: Path, manifest, count: int) -> float:
    """mAP50-95 of `model` on the first `count` accuracy images, by pycocotools on the label files (the oracle of
    tests/test_accuracy_browser.py), with onnxruntime and the reference decoder at the evaluation's settings."""
    root = SETTINGS.require("accuracy_images")
    paths = sorted((root / "images").glob("*.jpg"))[:count]
    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    name = image_input(manifest.runtime.input, [i.name for i in sess.get_inputs()])
    found = []
    for path in paths:
        prepared = prepare(load_image(path), manifest.runtime.input)
        found.append(decode(sess.run(None, prepared.feeds(name)), manifest.runtime, prepared.placement, 0.001)[:100])
    names = [manifest.class_names[i] for i in sorted(manifest.class_names)]
    labelled = SimpleNamespace(images=[SimpleNamespace(path=p) for p in paths], names=names, root=root)
    return oracle_map(labelled, found, names, root / "images.csv")


def test_recorded_figures_equal_pycocotools_on_the_same_images(exported: Path) -> None:
    manifest = read_manifest(exported / INT8 / "manifest.json")
    q = manifest.quantization
    assert q is not None and q.images == 100
    assert round(_recomputed(exported / INT8 / "model.onnx", manifest, q.images), 4) == q.map50_95
    assert round(_recomputed(exported / FLOAT / "model.onnx", manifest, q.images), 4) == q.float_map50_95


def test_an_impossible_bound_publishes_nothing_and_says_why(exported: Path, monkeypatch) -> None:
    monkeypatch.setattr(int8, "MAX_MAP_LOSS", -1.0)  # the int8 graph would have to gain a whole mAP
    out = exported.parent / "refused"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = cli.main(["export", FLOAT, "--out", str(out)])
    assert code == 0, stdout.getvalue()
    assert (out / FLOAT / "model.onnx").is_file() and not (out / INT8).exists()
    reason = load_not_exported(out, NOT_PUBLISHED)[INT8]
    assert "int8 graph not published" in reason and "more than the bound -1" in reason
    assert f"SKIPPED  {INT8}: {reason}" in stdout.getvalue()
    assert json.loads((out / NOT_PUBLISHED).read_text())["variants"] == {INT8: reason}


def test_without_labelled_images_there_is_no_int8_graph(exported: Path, tmp_path: Path) -> None:
    out = tmp_path / "artifacts"
    (out / INT8).mkdir(parents=True)  # one from an earlier run must not stay published
    float_manifest = read_manifest(exported / FLOAT / "manifest.json")
    why = "no accuracy images folder"
    result = int8_step.derive(float_manifest, out, tmp_path / "cache", None, why, None, "decode-tail")
    assert result.manifest is None and not (out / INT8).exists()
    assert result.reason == f"no int8 graph: its accuracy cost could not be measured ({why})"


def test_the_model_page_calls_it_this_builds_quantization_with_its_measured_cost(exported: Path) -> None:

    catalog = load_catalog(CATALOG)
    artifacts = load_artifacts(exported)
    page = render_page(model_view(catalog.card("yolo11"), SiteInputs(catalog, artifacts, demo_ready=True)))
    q = read_manifest(exported / INT8 / "manifest.json").quantization
    assert q is not None
    said = " ".join(page[page.index(f'data-quantized="{INT8}"') :].split("</p>")[0].split())
    assert "this build's int8 quantization of its own export" in said and "not a file the authors published" in said
    assert f"mAP50-95 {q.map50_95:.3f} against the float graph's {q.float_map50_95:.3f}" in said
    assert f"{-q.loss * 100:+.1f} points" in said and "loses more than 2 points is not published" in said
    (int8_artifact,) = [a for a in artifacts[FLOAT] if a.artifact_id == INT8]
    assert provenance(int8_artifact).startswith(f"this build's int8 quantization of its own export {FLOAT}")


def test_the_bench_names_a_graph_by_its_artifact_id_and_both_by_the_card() -> None:
    from generator.bench.targets import named

    graphs = [SimpleNamespace(artifact_id=a, card_id="yolo11", variant_id=FLOAT) for a in (FLOAT, INT8)]
    ids = {g.artifact_id for g in graphs}
    assert [g.artifact_id for g in graphs if named(g, [FLOAT], ids)] == [FLOAT]
    assert [g.artifact_id for g in graphs if named(g, [INT8], ids)] == [INT8]
    assert [g.artifact_id for g in graphs if named(g, ["yolo11"], ids)] == [FLOAT, INT8]
