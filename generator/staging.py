"""Copying files into a docs folder before mkdocs runs: the vendored scripts and the demo (its code,
onnxruntime-web's files, the models, samples and manifest). Shared by the site build and the bench's
browser pages, which publish the same demo."""

from __future__ import annotations

import functools
import gzip
import json
import shutil
from pathlib import Path

from .demo import MANIFEST, ORT_FILES, ORT_GZIPPED, SCRIPTS, DemoFiles
from .vcs import project_commit

DEMO_SOURCE_SUFFIXES = (".js", ".css")  # what the demo's source folder publishes


class BuildError(Exception):
    """The site could not be built; the previous output is unchanged."""


def stage_demo(demo: DemoFiles, docs: Path, node_modules: Path, project: Path) -> None:
    """The demo's scripts and styles, onnxruntime-web's files, the models, samples and the manifest."""
    copies = {
        f"{SCRIPTS}/{f.name}": f
        for f in sorted((project / "wasm_demo" / "src").iterdir())
        if f.suffix in DEMO_SOURCE_SUFFIXES
    }
    copies.update({f"{SCRIPTS}/ort/{name}": node_modules / "onnxruntime-web" / "dist" / name for name in ORT_FILES})
    copies.update(demo.copies)
    copy_files(docs, copies, "run `npm ci --prefix wasm_demo` (scripts) or `versus export` (models)")
    for name in ORT_GZIPPED:
        gzip_copy(docs / SCRIPTS / "ort" / name)
    (docs / MANIFEST).parent.mkdir(parents=True, exist_ok=True)
    # the commit goes into visitors' measurement records: which demo code timed the models
    manifest = {**demo.manifest, "commit": project_commit(project)}
    (docs / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def gzip_copy(path: Path) -> Path:
    """`<path>.gz` beside `path`, byte-for-byte reproducible (no timestamp in the header)."""
    out = path.with_name(path.name + ".gz")
    out.write_bytes(_gzipped(path.read_bytes()))
    return out


@functools.lru_cache(maxsize=4)
def _gzipped(data: bytes) -> bytes:
    """Kept per process: a build (and each bench or test staging) compresses the same 41 MB of wasm, 2-3 s a time."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def copy_files(docs: Path, copies: dict[str, Path], fix: str) -> None:
    """Copy each source file to its path in the docs folder; a missing one stops the build with `fix`."""
    for dest, src in copies.items():
        if not src.is_file():
            raise BuildError(f"{src} is missing; {fix}")
        (docs / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, docs / dest)
