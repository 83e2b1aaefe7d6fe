"""Catalog helpers and fixtures for the site tests: paths, a throw-away catalog built from fixture cards,
and the real site built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import settings

# Where the weights mirror and the image sets are (README: Settings); tests that need one take it with
# `SETTINGS.require(...)`, which says which variable to set when it is missing (a git worktree, whose
# `../shared` is not the shared folder, sets VERSUS_SHARED).
SETTINGS = settings.current()
ROOT = SETTINGS.root
CATALOG = ROOT / "catalog"
FIXTURES = ROOT / "tests" / "fixtures"
# Manifests as `versus export` writes them (the model files are stand-ins): the site shows what they say.
ARTIFACTS = FIXTURES / "artifacts"
# Measurement records as `versus bench` writes them: two runs on two machines (see make_measurements.py).
MEASUREMENTS = FIXTURES / "measurements"


def export_artifacts(out: Path, *args: str) -> Path:
    """`versus export ARGS --out OUT` as a user runs it, weights from the settings' mirror (a cache hit after the
    exports `.ci/test` runs first)."""
    import subprocess
    import sys

    SETTINGS.require("weights_mirror")
    done = subprocess.run(
        [sys.executable, "-m", "generator.cli", "export", *args, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def machine_paths() -> list[str]:
    """Folders of this machine no committed file, manifest or page may name: the clone, the shared folder, the
    weights mirror, the cache and the home folder (each with a trailing slash; "/" itself left out)."""
    found = [SETTINGS.root, SETTINGS.shared, SETTINGS.weights_mirror, SETTINGS.cache, Path.home()]
    paths = {str(p.resolve()) for p in found if p is not None} | {str(p) for p in found if p is not None}
    return sorted(f"{p.rstrip('/')}/" for p in paths if p.rstrip("/"))


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
