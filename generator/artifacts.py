"""The exported artifacts the site can show: read from `artifacts/*/manifest.json`, written by `versus export`.

Reading needs only pydantic, so the site builds without the export extra installed; a build with no
artifacts simply shows none.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Mapping
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


# What `versus export` could not export and why, by variant id, beside the artifacts: the build says it on the pages
# (a model page, its pairs and the demo's panel), so a visitor reads why a model does not run rather than guessing.
NOT_EXPORTED = "not-exported.json"


# The int8 graphs `versus export` made and did not publish (or could not make), by artifact id, and why.
NOT_PUBLISHED = "int8-not-published.json"


def load_not_exported(folder: Path, name: str = NOT_EXPORTED) -> dict[str, str]:
    """Variant id -> why `versus export` could not export it; empty when the file is absent or unreadable."""
    path = folder / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data["variants"].items()}
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"{path}: not a list of exports that failed, ignored ({exc}); re-run `versus export`", file=sys.stderr)
        return {}


def record_not_exported(folder: Path, failed: Mapping[str, str], exported: set[str], name: str = NOT_EXPORTED) -> None:
    """Merge one export run into `folder`'s record: `failed` (variant id -> why) replaces earlier reasons, and a
    variant exported now leaves it. Variants this run did not try keep what an earlier run said. `name`:
    NOT_PUBLISHED keeps the int8 graphs' record the same way, by artifact id."""
    found = {k: v for k, v in load_not_exported(folder, name).items() if k not in exported}
    found.update(failed)
    path = folder / name
    if not found:
        path.unlink(missing_ok=True)
        return
    folder.mkdir(parents=True, exist_ok=True)
    said = "int8 graphs it did not publish" if name == NOT_PUBLISHED else "variants it could not export here"
    body = {"comment": f"written by `versus export`: {said}, and why", "variants": found}
    path.write_text(json.dumps(body, indent=1, sort_keys=True) + "\n", encoding="utf-8")
