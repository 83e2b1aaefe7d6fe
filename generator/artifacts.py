"""The exported artifacts the site can show: read from `artifacts/*/manifest.json`, written by `versus export`.

Reading needs only pydantic, so the site builds without the export extra installed; a build with no
artifacts simply shows none.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from pydantic import ValidationError

from .export.manifest import MANIFEST_NAME, MODEL_NAME, OnnxArtifact, read_manifest


def load_artifacts(folder: Path) -> dict[str, list[OnnxArtifact]]:
    """Artifacts by variant id, trained ones first. A manifest that does not validate is reported and skipped."""
    found: dict[str, list[OnnxArtifact]] = defaultdict(list)
    for manifest in sorted(folder.glob(f"*/{MANIFEST_NAME}")):
        if not (manifest.parent / MODEL_NAME).is_file():
            continue
        try:
            artifact = read_manifest(manifest)
        except (ValidationError, ValueError) as exc:
            print(
                f"{manifest}: not a valid artifact manifest, skipped ({exc.__class__.__name__}); re-run `versus export`",
                file=sys.stderr,
            )
            continue
        found[artifact.variant_id].append(artifact)
    return {k: sorted(v, key=lambda a: not a.trained) for k, v in found.items()}
