"""The int8 step of `versus export`: for a variant whose card asks for it (`int8_graph`), the verified float
artifact just placed in `artifacts/<id>/` becomes `artifacts/<id>.int8/` when the quantized graph keeps accuracy
(generator/export/int8.py says how and what the bound is). The quantized graph and both graphs' figures are cached
(`<cache>/artifacts/int8-<key>/`) by everything they depend on: the float file, the recipe and library versions,
the calibration images and the labelled images. The bound is not in the key: the gate is applied afresh each run."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..settings import ACCURACY_ENV
from ..weights import sha256_file
from . import int8
from .accuracy import LabelledImages
from .manifest import (
    MANIFEST_NAME,
    MODEL_NAME,
    CalibrationInfo,
    ConverterInfo,
    FileInfo,
    OnnxArtifact,
    QuantizationInfo,
    SourceInfo,
    ToleranceInfo,
    VerificationInfo,
    count_parameters,
    manifest_json,
    metadata_props,
)

FIGURES = "figures.json"
QUANTIZED = "quantized.onnx"


@dataclass(frozen=True)
class Calibration:
    paths: tuple[Path, ...]
    name: str  # which set, in words


@dataclass(frozen=True)
class Int8Result:
    artifact_id: str
    manifest: OnnxArtifact | None  # placed when the gate passed
    reason: str | None  # why there is no int8 graph (None: published)
    cached: bool


def calibration_set(sample_images: Path | None, shipped: tuple[Path, ...], labelled: LabelledImages) -> Calibration:
    """The sample set's train2017 images when the folder exists, else the shipped samples; never an accuracy image."""
    if sample_images is not None and sample_images.is_dir():
        found = sorted(sample_images.glob("*.jpg"))
        paths = int8.calibration_paths(found, labelled.paths)
        return Calibration(tuple(paths), f"{sample_images.parent.name} (COCO train2017 sample set)")
    paths = int8.calibration_paths(list(shipped), labelled.paths)
    return Calibration(tuple(paths), "the project's shipped samples (wasm_demo/samples)")


def derive(
    float_artifact: OnnxArtifact,
    out: Path,
    cache: Path,
    labelled: LabelledImages | None,
    no_labelled_reason: str | None,
    calibration: Calibration | None,
    keep_float: str,
    bound: float = int8.MAX_MAP_LOSS,
    log=print,
) -> Int8Result:
    """Quantize (or reuse the cached quantization), gate, and place or remove `out/<id>.int8/`."""
    artifact_id = int8.artifact_id(float_artifact.artifact_id)
    dest = out / artifact_id
    if labelled is None:
        _remove(dest)
        why = no_labelled_reason or f"no labelled images (set ${ACCURACY_ENV})"
        return Int8Result(artifact_id, None, f"no int8 graph: its accuracy cost could not be measured ({why})", False)
    if calibration is None or not calibration.paths:
        _remove(dest)
        return Int8Result(artifact_id, None, "no int8 graph: no calibration images besides the accuracy images", False)
    float_path = out / float_artifact.artifact_id / MODEL_NAME
    key = _key(float_artifact, keep_float, calibration, labelled)
    folder = cache / f"int8-{key}"
    cached = (folder / FIGURES).is_file() and (folder / QUANTIZED).is_file()
    if not cached:
        log(
            f"{artifact_id}: quantizing {float_artifact.artifact_id} to int8 (QDQ), calibrated on "
            f"{len(calibration.paths)} images of {calibration.name}"
        )
        _build(float_path, float_artifact, keep_float, calibration, labelled, folder)
    figures = json.loads((folder / FIGURES).read_text(encoding="utf-8"))
    reason = int8.refusal(figures["float"]["map50_95"], figures["int8"]["map50_95"], bound)
    if reason is not None:
        _remove(dest)
        return Int8Result(artifact_id, None, f"int8 graph not published: {reason}", cached)
    manifest = _place(folder, figures, float_artifact, bound, key, dest)
    return Int8Result(artifact_id, manifest, None, cached)


def _key(float_artifact: OnnxArtifact, keep_float: str, calibration: Calibration, labelled: LabelledImages) -> str:
    parts = {
        "float": [float_artifact.cache_key, float_artifact.file.sha256],
        "recipe": [int8.RECIPE_VERSION, keep_float, int8.quantizer_version()],
        "calibration": [(p.name, sha256_file(p)) for p in calibration.paths],
        "labelled": labelled.digest(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _build(float_path, float_artifact, keep_float, calibration, labelled, folder: Path) -> None:
    """Quantize and score both graphs into a temporary folder, then move it to `folder`."""
    import onnx

    from . import accuracy
    from .verify import session

    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".int8-", dir=folder.parent) as tmp:
        work = Path(tmp)
        chosen = int8.settings(onnx.load(str(float_path)), keep_float)
        int8.quantize(float_path, work / QUANTIZED, float_artifact.runtime, calibration.paths, chosen)
        runtime, names = float_artifact.runtime, float_artifact.class_names
        figures = {
            "settings": chosen,
            "quantizer": int8.quantizer_version(),
            "calibration": {
                "image_set": calibration.name,
                "names": [p.name for p in calibration.paths],
                "digest": int8.image_digest(calibration.paths),
            },
            "float": accuracy.measure(session(float_path), runtime, names, labelled),
            "int8": accuracy.measure(session(work / QUANTIZED), runtime, names, labelled),
            "image_set": labelled.name,
            "images": len(labelled.paths),
        }
        (work / FIGURES).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
        staged = folder.parent / f".{folder.name}.tmp"
        shutil.rmtree(staged, ignore_errors=True)
        shutil.copytree(work, staged)
        shutil.rmtree(folder, ignore_errors=True)
        staged.rename(folder)


def _place(folder: Path, figures: dict, float_artifact: OnnxArtifact, bound: float, key: str, dest: Path):
    """Write `dest/model.onnx` (the quantized graph with the manifest in its metadata) and `dest/manifest.json`."""
    import onnx

    from . import accuracy
    from .contract import signature
    from .verify import session, tensor_infos

    model = onnx.load(str(folder / QUANTIZED))
    sig_in, sig_out = signature(session(folder / QUANTIZED))
    fields = _fields(figures, float_artifact, bound, key, model, tensor_infos(sig_in), tensor_infos(sig_out), accuracy)
    props = {p.key: p.value for p in model.metadata_props}
    onnx.helper.set_model_props(model, {**props, **metadata_props(fields)})
    staged = dest.parent / f".{dest.name}.tmp"
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    onnx.save(model, str(staged / MODEL_NAME))
    path = staged / MODEL_NAME
    fields["file"] = FileInfo(name=MODEL_NAME, bytes=path.stat().st_size, sha256=sha256_file(path))
    artifact = OnnxArtifact.model_validate(fields)
    (staged / MANIFEST_NAME).write_text(manifest_json(artifact), encoding="utf-8")
    shutil.rmtree(dest, ignore_errors=True)
    staged.rename(dest)
    return artifact


def _fields(figures, f: OnnxArtifact, bound, key, model, inputs, outputs, accuracy) -> dict:
    """The int8 artifact's manifest fields: the float artifact's identity and spec, the quantization's record."""
    ours, theirs = figures["int8"], figures["float"]
    info = QuantizationInfo(
        of_artifact=f.artifact_id,
        of_sha256=f.file.sha256,
        of_bytes=f.file.bytes,
        quantizer=figures["quantizer"],
        settings=figures["settings"],
        calibration=CalibrationInfo(
            image_set=figures["calibration"]["image_set"],
            images=len(figures["calibration"]["names"]),
            digest=figures["calibration"]["digest"],
            names=figures["calibration"]["names"],
        ),
        image_set=figures["image_set"],
        images=figures["images"],
        float_map50_95=theirs["map50_95"],
        float_map50=theirs["map50"],
        map50_95=ours["map50_95"],
        map50=ours["map50"],
        max_loss=bound,
        tool=ours["tool"],
    )
    line = (
        f"accuracy on {info.image_set}: mAP50-95 {info.map50_95:.3f} against the float graph's "
        f"{info.float_map50_95:.3f} on the same images (a loss of {info.loss:.3f}; published only within {bound:g})"
    )
    verification = VerificationInfo(
        status="quantized",
        summary=f"an int8 quantization of this build's verified artifact {f.artifact_id}, checked by its accuracy",
        compared=[line],
        not_compared=[
            "the authors' framework: this graph is this build's quantization, not a file the authors published"
        ],
        reference=None,
        images=info.images,
        image_set=info.image_set,
        detections=None,
        raw=None,
        tolerance=ToleranceInfo(
            confident=f.verification.tolerance.confident,
            min_iou=f.verification.tolerance.min_iou,
            score_delta=int8.SCORE_DELTA,
            unmatched_share=int8.UNMATCHED_SHARE,
            why=int8.TOLERANCE_WHY,
        ),
        accuracy=accuracy.info(info.image_set, info.images, ours),
    )
    opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    return {
        "artifact_id": int8.artifact_id(f.artifact_id),
        "card_id": f.card_id,
        "variant_id": f.variant_id,
        "trained": f.trained,
        "source": SourceInfo(
            url=None,
            sha256=f.file.sha256,
            bytes=f.file.bytes,
            format="onnx",
            license=f.source.license,
            official=False,
            origin=f"built: quantized from this build's artifact {f.artifact_id}",
        ).model_dump(mode="json"),
        "converter": ConverterInfo(
            name="onnxruntime quantize_static (QDQ int8)",
            options={"quantization": "activations", **figures["settings"]},
            versions={k: v for k, v in f.converter.versions.items() if k in ("versus", "onnx", "onnxruntime", "numpy")},
        ).model_dump(mode="json"),
        "opset": opset,
        "inputs": [t.model_dump(mode="json") for t in inputs],
        "outputs": [t.model_dump(mode="json") for t in outputs],
        "parameters": count_parameters(model),
        "flops": f.flops.model_dump(mode="json"),
        "class_names": {str(k): v for k, v in f.class_names.items()},
        "runtime": f.runtime.model_dump(mode="json"),
        "verification": verification.model_dump(mode="json"),
        "quantization": info.model_dump(mode="json"),
        "cache_key": key,
    }


def _remove(dest: Path) -> None:
    """No int8 graph this run: none from an earlier run may stay published."""
    if dest.exists():
        shutil.rmtree(dest)
