"""One target to one artifact: resolve weights, look in the artifact cache, else convert, verify, write
the manifest and the ONNX metadata, store in the cache; then place `artifacts/<id>/`.

The artifact cache (`<cache>/artifacts/<key>/`; the cache folder is a setting, generator/settings.py) is keyed
by everything the artifact depends on: the weights hash (or architecture and seed), the card's entry and runtime
spec, the converter recipe, the library versions and the verification images. With nothing changed a run only hashes and copies.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from .. import settings
from ..schema import LabelSet
from ..settings import ACCURACY_ENV, MIRROR_ENV
from ..weights import HashMismatch, Resolved, Resolver, WeightsUnavailable, sha256_file
from .accuracy import LabelledImages
from .contract import ContractError
from .conversion import Conversion, ConversionError
from .manifest import (
    MANIFEST_NAME,
    MODEL_NAME,
    ConverterInfo,
    FileInfo,
    FlopsInfo,
    OnnxArtifact,
    SourceInfo,
    count_parameters,
    manifest_json,
    metadata_props,
    read_manifest,
)
from .plan import Candidate, Target
from .verify import VerificationFailed, session, tensor_infos, verify

Status = Literal["exported", "cached", "skipped", "failed"]
# Part of the cache key: bump when what the manifest (and the ONNX metadata, which carries it) records changes in a
# way no other part of the key shows, so that no cached artifact keeps the old record.
# 2: a mirror origin is the file's path inside the mirror (1 recorded this machine's absolute path).
# 3: the same, again: artifacts cached under 2 by a build that predates the fix still carried absolute paths.
RECORD_VERSION = 3


@dataclass(frozen=True)
class Outcome:
    artifact_id: str
    status: Status
    message: str
    manifest: OnnxArtifact | None = None
    derived: tuple[Outcome, ...] = ()  # the int8 graph made from this artifact, or why there is none


@dataclass(frozen=True)
class SampleImages:
    paths: tuple[Path, ...]
    name: str  # shown in manifests: which set, how many

    def digest(self) -> list[tuple[str, str]]:
        return [(p.name, sha256_file(p)) for p in self.paths]


class Exporter:
    def __init__(
        self,
        resolver: Resolver,
        out: Path,
        cache: Path,
        images: SampleImages,
        labels: dict[str, LabelSet],
        log: Callable[[str], None] = print,
        labelled: LabelledImages | None = None,
        no_labelled_reason: str | None = None,
    ) -> None:
        self.resolver = resolver
        self.out = out
        self.cache = cache / "artifacts"
        self.images = images
        self.labels = labels
        self.log = log
        self.labelled = labelled  # labelled images: the accuracy check of sources with no framework to compare with
        self.no_labelled_reason = no_labelled_reason  # why there are none, said in skips and manifests
        self.conversions = 0  # how many times a converter ran (a cache hit runs none)
        self._image_digest: list[tuple[str, str]] | None = None
        self._labelled: list[tuple[str, str]] | None = None

    # --- one target ---------------------------------------------------------------------

    def export(self, target: Target) -> Outcome:
        outcome = self._export(target)
        if target.variant.int8_graph is None or outcome.manifest is None or not outcome.manifest.trained:
            return outcome
        return replace(outcome, derived=(self._int8(target, outcome.manifest),))

    def _int8(self, target: Target, manifest: OnnxArtifact) -> Outcome:
        """The variant's int8 graph from the float artifact just placed (generator/export/int8_step.py)."""
        from . import int8, int8_step

        assert target.variant.int8_graph is not None
        calibration = None
        if self.labelled is not None:
            calibration = int8_step.calibration_set(settings.current().sample_images, _shipped(), self.labelled)
        artifact_id = int8.artifact_id(manifest.artifact_id)
        try:
            result = int8_step.derive(
                manifest,
                self.out,
                self.cache,
                self.labelled,
                self.no_labelled_reason,
                calibration,
                target.variant.int8_graph.keep_float,
                int8.MAX_MAP_LOSS,
                log=self.log,
            )
        except Exception as exc:  # noqa: BLE001 - onnxruntime's errors derive from Exception alone; the float artifact stays
            shutil.rmtree(self.out / artifact_id, ignore_errors=True)
            return Outcome(
                artifact_id, "failed", f"int8 graph of {manifest.artifact_id}: {exc.__class__.__name__}: {exc}"
            )
        if result.manifest is None:
            return Outcome(artifact_id, "skipped", result.reason or "no int8 graph")
        said = (
            f"{'cache hit' if result.cached else 'quantized'}; int8 QDQ graph of {manifest.artifact_id} kept accuracy"
        )
        return Outcome(artifact_id, "cached" if result.cached else "exported", said, result.manifest)

    def _export(self, target: Target) -> Outcome:
        if not target.candidates:
            formats: list[str] = sorted({w.format for w in target.variant.weights}) or ["none"]
            return Outcome(
                target.artifact_id,
                "skipped",
                f"no weights entry with a converter and a runtime spec (formats: {', '.join(formats)})",
            )
        if target.untrained is not None:
            return self._guarded(target, target.candidates[0], None)
        reasons = []
        for candidate in target.candidates:
            weights = candidate.weights
            if not candidate.converter.compares and self.labelled is None:
                reasons.append(
                    f"{weights.url}: {weights.format} weights have no source framework to compare with, and the "
                    f"accuracy check could not run: "
                    + (self.no_labelled_reason or f"no labelled images were found (set ${ACCURACY_ENV})")
                )
                continue
            try:
                resolved = self.resolver.resolve(str(weights.url), weights.sha256, weights.bytes)
            except WeightsUnavailable as exc:
                reasons.append(str(exc))
                continue
            except HashMismatch as exc:
                self._discard(target.artifact_id)
                return Outcome(target.artifact_id, "failed", f"{exc}; nothing exported from it")
            return self._guarded(target, candidate, resolved)
        where = self.resolver.mirror_path or "none"
        return Outcome(
            target.artifact_id,
            "skipped",
            "weights not available: "
            + " | ".join(reasons)
            + f". No copy in the cache or in ${MIRROR_ENV} (now: {where}): put one there or run with network access.",
        )

    def _guarded(self, target: Target, candidate: Candidate, resolved: Resolved | None) -> Outcome:
        try:
            return self._build(target, candidate, resolved)
        except (ContractError, VerificationFailed, ConversionError, HashMismatch) as exc:
            self._discard(target.artifact_id)
            return Outcome(target.artifact_id, "failed", str(exc))

    # --- build or reuse -----------------------------------------------------------------------

    def _source(self, target: Target, candidate: Candidate, resolved: Resolved | None) -> SourceInfo:
        weights = candidate.weights
        if target.untrained is not None:
            return SourceInfo(
                url=None,
                sha256=None,
                bytes=None,
                format=weights.format,
                license=weights.license,
                official=False,
                origin="built: random weights, no checkpoint downloaded",
                architecture=target.untrained.architecture,
                seed=target.untrained.seed,
            )
        assert resolved is not None
        return SourceInfo(
            url=str(weights.url),
            sha256=resolved.sha256,
            bytes=resolved.bytes,
            format=weights.format,
            license=weights.license,
            official=weights.official,
            origin=resolved.origin,
        )

    def cache_key(self, target: Target, candidate: Candidate, source: SourceInfo) -> str:
        if self._image_digest is None:
            self._image_digest = self.images.digest()
        converter = candidate.converter
        parts = {
            "artifact": [target.artifact_id, target.card.id, target.variant.id],
            "source": source.model_dump(mode="json", exclude={"origin"}),
            "entry": candidate.weights.model_dump(mode="json"),
            "runtime": candidate.runtime.model_dump(mode="json"),
            "labels": self.labels[candidate.runtime.labels].model_dump(mode="json"),
            "converter": [converter.format, converter.name, converter.opset, converter.recipe_version],
            "record": RECORD_VERSION,
            "versions": converter.versions(),
            "images": self._image_digest,
        }
        parts["labelled"] = self._labelled_digest()  # the accuracy check's images decide the artifact too
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def _labelled_digest(self) -> list[tuple[str, str]] | None:
        if self.labelled is None:
            return None
        if self._labelled is None:
            self._labelled = self.labelled.digest()
        return self._labelled

    def _build(self, target: Target, candidate: Candidate, resolved: Resolved | None) -> Outcome:
        source = self._source(target, candidate, resolved)
        key = self.cache_key(target, candidate, source)
        cached = self.cache / key
        if _valid(cached, key):
            manifest = self._place(cached, target.artifact_id)
            return Outcome(target.artifact_id, "cached", f"cache hit ({key[:12]})", manifest)
        self.cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".build-", dir=self.cache) as tmp:
            work = Path(tmp)
            self.log(
                f"{target.artifact_id}: converting {source.url or source.architecture} ({candidate.converter.name})"
            )
            conversion = self._convert(target, candidate, resolved, work)
            manifest = self._finish(target, candidate, source, conversion, key, work / "out")
            staged = self.cache / f".{key}.tmp"
            shutil.rmtree(staged, ignore_errors=True)
            shutil.copytree(work / "out", staged)
            shutil.rmtree(cached, ignore_errors=True)
            staged.rename(cached)
        self._place(cached, target.artifact_id)
        return Outcome(
            target.artifact_id, "exported", f"converted, verification status {manifest.verification.status}", manifest
        )

    def _convert(self, target: Target, candidate: Candidate, resolved: Resolved | None, work: Path) -> Conversion:
        self.conversions += 1
        if target.untrained is not None:
            from . import ultralytics_pt

            checkpoint = ultralytics_pt.build_untrained(target.untrained.architecture, target.untrained.seed, work)
            return ultralytics_pt.export_checkpoint(checkpoint, candidate.runtime, candidate.converter)
        assert resolved is not None
        return candidate.converter.convert(resolved, work, candidate.runtime, candidate.converter)

    def _finish(
        self, target: Target, candidate: Candidate, source: SourceInfo, conversion: Conversion, key: str, out: Path
    ) -> OnnxArtifact:
        import onnx

        runtime = candidate.runtime
        class_names = dict(self.labels[runtime.labels].labels)
        verification = verify(
            conversion.onnx_path,
            runtime,
            conversion,
            self.images.paths,
            self.images.name,
            class_names,
            labelled=self.labelled,
            no_labelled_reason=self.no_labelled_reason,
        )
        model = onnx.load(str(conversion.onnx_path))
        inputs, outputs = _signature(conversion.onnx_path)
        opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
        fields = {
            "artifact_id": target.artifact_id,
            "card_id": target.card.id,
            "variant_id": target.variant.id,
            "trained": target.untrained is None and candidate.weights.trained,
            "source": source.model_dump(mode="json"),
            "converter": ConverterInfo(
                name=candidate.converter.name, options=conversion.options, versions=candidate.converter.versions()
            ).model_dump(mode="json"),
            "opset": opset,
            "inputs": [t.model_dump(mode="json") for t in tensor_infos(inputs)],
            "outputs": [t.model_dump(mode="json") for t in tensor_infos(outputs)],
            "parameters": count_parameters(model),
            "flops": FlopsInfo(
                gflops=conversion.gflops, tool=conversion.flops_tool, reason=conversion.flops_reason
            ).model_dump(mode="json"),
            "class_names": {str(k): v for k, v in class_names.items()},
            "runtime": runtime.model_dump(mode="json"),
            "verification": verification.model_dump(mode="json"),
            "cache_key": key,
        }
        props = {p.key: p.value for p in model.metadata_props}  # keep the converter's own (names, stride, ...)
        onnx.helper.set_model_props(model, {**props, **metadata_props(fields)})
        out.mkdir(parents=True)
        model_path = out / MODEL_NAME
        onnx.save(model, str(model_path))
        if _signature(model_path) != (inputs, outputs):  # the metadata must not have changed the graph's I/O
            raise ConversionError("writing metadata changed the graph's inputs or outputs")
        fields["file"] = FileInfo(name=MODEL_NAME, bytes=model_path.stat().st_size, sha256=sha256_file(model_path))
        artifact = OnnxArtifact.model_validate(fields)
        (out / MANIFEST_NAME).write_text(manifest_json(artifact), encoding="utf-8")
        return artifact

    # --- placing into artifacts/ ----------------------------------------------------------------

    def _place(self, cached: Path, artifact_id: str) -> OnnxArtifact:
        """Copy a cached artifact to `out/<id>/` unless the same one is already there."""
        manifest = read_manifest(cached / MANIFEST_NAME)
        dest = self.out / artifact_id
        if _valid(dest, manifest.cache_key):
            return manifest
        staged = self.out / f".{artifact_id}.tmp"
        shutil.rmtree(staged, ignore_errors=True)
        self.out.mkdir(parents=True, exist_ok=True)
        shutil.copytree(cached, staged)
        shutil.rmtree(dest, ignore_errors=True)
        staged.rename(dest)
        return manifest

    def _discard(self, artifact_id: str) -> None:
        """A failed target leaves no artifact behind, not even an older one."""
        dest = self.out / artifact_id
        if dest.exists():
            shutil.rmtree(dest)
            self.log(f"{artifact_id}: removed the previous artifact in {dest}")


def _shipped() -> tuple[Path, ...]:
    """The shipped samples' paths, the int8 calibration's fallback (none when the samples file is unreadable)."""
    from ..samples import SamplesError, load

    try:
        return tuple(s.path for s in load())
    except SamplesError:
        return ()


def _signature(path: Path):
    from .contract import signature

    return signature(session(path))


def _valid(folder: Path, key: str) -> bool:
    """An artifact folder whose manifest has `key` and whose model file matches the manifest's hash."""
    try:
        manifest = read_manifest(folder / MANIFEST_NAME)
    except (OSError, ValueError):
        return False
    model = folder / manifest.file.name
    return manifest.cache_key == key and model.is_file() and sha256_file(model) == manifest.file.sha256
