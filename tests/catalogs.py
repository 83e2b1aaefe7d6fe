"""Catalog helpers and fixtures for the site tests: paths, a throw-away catalog built from fixture cards,
and the real site built once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "catalog"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The weights mirror and sample images beside the repository; a checkout elsewhere (a git worktree) names
# their folder with VERSUS_SHARED.
SHARED = Path(os.environ.get("VERSUS_SHARED") or ROOT.parent / "shared")
# Manifests as `versus export` writes them (the model files are stand-ins): the site shows what they say.
ARTIFACTS = FIXTURES / "artifacts"
# Measurement records as `versus bench` writes them: two runs on two machines (see make_measurements.py).
MEASUREMENTS = FIXTURES / "measurements"


def export_artifacts(out: Path, *args: str) -> Path:
    """`versus export ARGS --out OUT` as a user runs it, weights from the shared mirror (a cache hit after the
    exports `.ci/test` runs first)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "VERSUS_WEIGHTS_MIRROR": os.environ.get("VERSUS_WEIGHTS_MIRROR", str(SHARED / "weights")),
           "VERSUS_ACCURACY_IMAGES": os.environ.get("VERSUS_ACCURACY_IMAGES", str(SHARED / "images" / "coco-val2017"))}
    done = subprocess.run([sys.executable, "-m", "generator.cli", "export", *args, "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def make_catalog(tmp_path: Path, *cards: Path, registry: Path = CATALOG / "registry") -> Path:
    """A catalog folder with the real registry and the given card files."""
    root = tmp_path / "catalog"
    (root / "models").mkdir(parents=True)
    shutil.copytree(registry, root / "registry")
    for card in cards:
        shutil.copyfile(card, root / "models" / card.name)
    return root


@pytest.fixture
def tiny_catalog(tmp_path: Path) -> Path:
    return make_catalog(tmp_path, FIXTURES / "cards" / "valid" / "tiny-detector.yaml")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real catalog built once, strictly, with the fixture artifacts and measurement records, for content tests."""
    from generator.loader import load_catalog
    from generator.site import build_site

    out = tmp_path_factory.mktemp("site") / "site"
    build_site(load_catalog(CATALOG, measurements=MEASUREMENTS), out, artifacts=ARTIFACTS)
    return out


@pytest.fixture(scope="session")
def catalog():
    """The real catalog, validated once for every test that reads it (cards, registry, committed records)."""
    from generator.loader import load_catalog

    return load_catalog(CATALOG)
