"""The publish workflow builds the site we test: its actions are pinned by commit, its jobs run the
repository's own scripts, and those scripts' build steps, run here on exported artifacts, give a site whose
comparison page draws boxes in headless Chromium (the workflow's smoke test, with the local browser)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from .catalogs import ROOT, export_artifacts

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


def _steps(job: str) -> list[dict]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"][job]["steps"]


def test_every_action_is_pinned_by_commit_with_its_tag_named() -> None:
    lines = [line.strip() for line in WORKFLOW.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        ref, _, comment = line.split("uses:", 1)[1].partition("#")
        assert PINNED.match(ref.strip()), f"{WORKFLOW.name}: {line!r} is not pinned by a 40-hex commit"
        assert re.fullmatch(r" v\d+\.\d+\.\d+", comment), f"{WORKFLOW.name}: {line!r} does not name its tag"


def test_jobs_export_then_build_with_site_dependencies_only() -> None:
    export_runs = [s["run"] for s in _steps("export") if "run" in s]
    build_runs = [s["run"] for s in _steps("build") if "run" in s]
    assert ".ci/publish-export" in export_runs
    assert ".ci/setup --site" in build_runs and ".ci/setup" not in build_runs
    assert any(r.startswith(".ci/publish-build --no-setup") for r in build_runs)
    upload = next(s for s in _steps("export") if s.get("uses", "").startswith("actions/upload-artifact@"))
    download = next(s for s in _steps("build") if s.get("uses", "").startswith("actions/download-artifact@"))
    assert upload["with"]["name"] == download["with"]["name"]
    pages = next(s for s in _steps("build") if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert pages["with"]["path"] == "site"
    assert (ROOT / ".ci" / "publish-export").read_text().count("versus export") >= 1


def test_the_build_steps_give_a_site_whose_demo_draws_boxes(tmp_path: Path) -> None:
    artifacts = export_artifacts(tmp_path / "artifacts", "ssd-mobilenet-v2.coral-uint8", "yolo11n.coco")
    out = tmp_path / "site"
    done = subprocess.run(
        [str(ROOT / ".ci" / "publish-build"), "--no-setup", str(out), str(artifacts)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "smoke: /compare/mobilenet-ssd-v2-vs-yolo11/: both panels drew boxes" in done.stdout


def test_the_smoke_test_fails_on_a_site_without_models(tmp_path: Path) -> None:
    """An empty demo manifest is refused with the reason, not passed."""
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "manifest.json").write_text('{"models": []}')
    done = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "smoke.py"), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "has 0 trained model(s)" in done.stderr
