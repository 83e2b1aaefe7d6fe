"""The live demo's site for the browser tests: the two models exported for real and the site built around them
(`demo_site`), small helpers that read the demo's panels, and the Python reference they are checked against."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.artifacts import load_artifacts
from generator.decode import Detection, decode
from generator.demo import labels_by_id
from generator.export.agreement import Tolerance
from generator.loader import load_catalog
from generator.preprocess import image_input, load_image, prepare
from generator.site import build_site

from .catalogs import CATALOG, export_artifacts

VARIANTS = ("ssd-mobilenet-v2.coral-uint8", "yolo11n.coco")
COMPARE_PAGE = "/compare/mobilenet-ssd-v2-vs-yolo11/"


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(site, artifacts): `versus export` of VARIANTS and the real catalog built with them."""
    tmp = tmp_path_factory.mktemp("demo")
    artifacts = tmp / "artifacts"
    export_artifacts(artifacts, *VARIANTS)
    out = tmp / "site"
    build_site(load_catalog(CATALOG), out, artifacts=artifacts)
    return out, artifacts


def panels(page) -> list[dict]:
    """The `data-result` of every panel that has one, once both have."""
    page.wait_for_function(
        "() => document.querySelectorAll('.vs-panel[data-result]').length >= 2", timeout=90_000, polling=50
    )
    return [json.loads(p.get_attribute("data-result")) for p in page.query_selector_all(".vs-panel[data-result]")]


def reference(artifacts: Path, result: dict, image: Path) -> tuple[list[Detection], Tolerance, list[str]]:
    """The Python reference on `image` (generator/preprocess.py, onnxruntime, generator/decode.py) of the graph a
    panel's or tile's `result` ran (its artifact: a variant may have a float and an int8 graph), the artifact's
    verification tolerance and its label names by id."""
    import onnxruntime as ort

    (artifact,) = [a for a in load_artifacts(artifacts)[result["variant"]] if a.artifact_id == result["artifact"]]
    session = ort.InferenceSession(
        str(artifacts / artifact.artifact_id / "model.onnx"), providers=["CPUExecutionProvider"]
    )
    prepared = prepare(load_image(image), artifact.runtime.input)
    outputs = session.run(
        None, prepared.feeds(image_input(artifact.runtime.input, [i.name for i in session.get_inputs()]))
    )
    t = artifact.verification.tolerance
    tolerance = Tolerance(t.confident, t.min_iou, t.score_delta, t.unmatched_share, t.why)
    names = labels_by_id(load_catalog(CATALOG).registry.labels[artifact.runtime.labels].labels)
    return decode(outputs, artifact.runtime, prepared.placement), tolerance, names
