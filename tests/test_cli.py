"""The `versus` command as a user runs it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .catalogs import FIXTURES, ROOT, make_catalog


def versus(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_check_passes_on_the_real_catalog() -> None:
    result = versus("check")
    assert result.returncode == 0, result.stderr
    assert "catalog OK" in result.stdout


def test_check_reports_problems_without_traceback(tmp_path: Path) -> None:
    root = make_catalog(tmp_path, *sorted((FIXTURES / "cards" / "invalid").glob("*.yaml")))
    result = versus("check", "--catalog", str(root))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [l for l in result.stderr.splitlines() if l.startswith(str(root))]
    assert len(lines) >= 20  # one or more per invalid fixture, all at once
    assert all(":" in l and "(hint: " in l for l in lines)


def test_build_refuses_an_invalid_catalog_and_keeps_the_old_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("previous site")
    root = make_catalog(tmp_path, FIXTURES / "cards" / "invalid" / "negative-params.yaml")
    result = versus("build", "--catalog", str(root), "--out", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "negative-params.yaml" in result.stderr
    assert (out / "index.html").read_text() == "previous site"


def test_new_scaffolds_a_card_that_check_explains(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    result = versus("new", "my-model", "--catalog", str(root))
    assert result.returncode == 0, result.stderr
    card = root / "models" / "my-model.yaml"
    assert card.read_text().startswith("# yaml-language-server: $schema=")
    check = versus("check", "--catalog", str(root))
    assert check.returncode == 1
    assert check.stderr.count("placeholder not filled in") >= 10
    again = versus("new", "my-model", "--catalog", str(root))
    assert again.returncode == 1 and "already exists" in again.stderr
    bad = versus("new", "Bad Id", "--catalog", str(root))
    assert bad.returncode == 2 and "not a valid id" in bad.stderr
