"""Which commit of this project built or measured something: written into demo manifests and bench records."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .measurement import MEASUREMENTS_DIR


def project_commit(project: Path) -> str | None:
    """HEAD, with `+dirty` when tracked files other than the measurement records differ from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", f":!catalog/{MEASUREMENTS_DIR}"],
            cwd=project,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if status else "")
