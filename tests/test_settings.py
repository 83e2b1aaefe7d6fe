"""generator/settings.py is the one place paths come from: its defaults and variables, its printer, and scans
of the repository showing that nothing else reads the variables or names a folder of this machine."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from generator import settings
from generator.settings import VARIABLES, SettingsError, resolve

from .catalogs import ROOT, machine_paths

SETTINGS_MODULE = "generator/settings.py"
# VERSUS_* variables that are not folders of the project: test switches and hand-offs (contributor guide,
# Settings), and the browser the publish smoke test drives (an executable or `bundled`, .ci/smoke.py).
TEST_VARIABLES = {"VERSUS_UPDATE_GOLDEN", "VERSUS_GOLDEN", "VERSUS_CHROMIUM", "VERSUS_TEST_URL_PREFIX"}
# The folder this project was first developed in, spelt so that this file does not name it itself.
DEVELOPMENT_FOLDER = "/".join(["", "work", ""])  # noqa: FLY002 - spelt so this file does not name it


def checkout(tmp_path: Path, *shared_folders: str) -> Path:
    """A repository folder `repo/` with, beside it, `shared/` holding `shared_folders` (none: no shared folder)."""
    root = tmp_path / "repo"
    root.mkdir()
    for folder in shared_folders:
        (tmp_path / "shared" / folder).mkdir(parents=True)
    return root


# --- resolve: defaults, variables, empty values -------------------------------------------------------------


def test_defaults_come_from_the_shared_folder_beside_the_repository(tmp_path):
    root = checkout(tmp_path, "weights", "images/coco-sample/images")
    got = resolve({}, root=root, home=tmp_path / "home")
    shared = tmp_path / "shared"
    assert got.root == root and got.shared == shared and got.weights_mirror == shared / "weights"
    assert (
        got.sample_set == shared / "images" / "coco-sample"
        and got.sample_images == shared / "images" / "coco-sample" / "images"
    )
    assert got.accuracy_images == shared / "images" / "coco-val2017"  # the path, even before it exists
    assert got.artifacts == root / "artifacts" and got.cache == tmp_path / "home" / ".cache" / "versus"


def test_without_a_shared_folder_there_is_no_mirror_and_no_image_set(tmp_path):
    got = resolve({}, root=checkout(tmp_path), home=tmp_path)
    assert (got.shared, got.weights_mirror, got.sample_set, got.sample_images, got.accuracy_images) == (None,) * 5
    assert got.artifacts == tmp_path / "repo" / "artifacts"


def test_a_shared_folder_without_weights_gives_no_mirror(tmp_path):
    got = resolve({}, root=checkout(tmp_path, "images"), home=tmp_path)
    assert got.shared == tmp_path / "shared" and got.weights_mirror is None


def test_variables_override_each_default_and_relative_values_become_absolute(tmp_path, monkeypatch):
    root = checkout(tmp_path, "weights")
    monkeypatch.chdir(tmp_path)
    env = {
        "VERSUS_SHARED": "elsewhere",
        "VERSUS_WEIGHTS_MIRROR": "m",
        "VERSUS_SAMPLE_SET": "s",
        "VERSUS_ACCURACY_IMAGES": "a",
        "VERSUS_ARTIFACTS": "out",
        "VERSUS_CACHE": "c",
    }
    got = resolve(env, root=root, home=tmp_path)
    assert (got.shared, got.weights_mirror, got.sample_set, got.accuracy_images, got.artifacts, got.cache) == tuple(
        tmp_path / name for name in ("elsewhere", "m", "s", "a", "out", "c")
    )
    assert got.sample_images == tmp_path / "s" / "images"


def test_the_image_sets_follow_a_shared_folder_set_by_variable(tmp_path):
    other = tmp_path / "data"
    (other / "weights").mkdir(parents=True)
    got = resolve({"VERSUS_SHARED": str(other)}, root=checkout(tmp_path, "weights"), home=tmp_path)
    assert got.weights_mirror == other / "weights" and got.accuracy_images == other / "images" / "coco-val2017"


def test_empty_means_none_for_folders_and_the_default_for_artifacts_and_cache(tmp_path):
    root = checkout(tmp_path, "weights")
    got = resolve({"VERSUS_WEIGHTS_MIRROR": "", "VERSUS_ARTIFACTS": "", "VERSUS_CACHE": ""}, root=root, home=tmp_path)
    assert got.shared == tmp_path / "shared" and got.weights_mirror is None
    assert got.artifacts == root / "artifacts" and got.cache == tmp_path / ".cache" / "versus"
    nothing = resolve({"VERSUS_SHARED": ""}, root=root, home=tmp_path)
    assert (nothing.shared, nothing.weights_mirror, nothing.sample_set) == (None, None, None)


def test_the_retired_sample_images_variable_is_refused_not_ignored(tmp_path):
    with pytest.raises(SettingsError, match="VERSUS_SAMPLE_IMAGES is no longer read: set VERSUS_SAMPLE_SET"):
        resolve({"VERSUS_SAMPLE_IMAGES": str(tmp_path)}, root=checkout(tmp_path), home=tmp_path)


def test_require_names_the_variable_to_set(tmp_path):
    got = resolve({"VERSUS_ACCURACY_IMAGES": str(tmp_path / "gone")}, root=checkout(tmp_path), home=tmp_path)
    with pytest.raises(
        SettingsError, match=r"no weights mirror folder: set VERSUS_WEIGHTS_MIRROR \(default: <shared>/weights"
    ):
        got.require("weights_mirror")
    with pytest.raises(SettingsError, match=r"no sample images folder: set VERSUS_SAMPLE_SET"):
        got.require("sample_images")
    with pytest.raises(
        SettingsError, match=f"accuracy images folder {tmp_path / 'gone'} does not exist: set VERSUS_ACCURACY_IMAGES"
    ):
        got.require("accuracy_images")
    (tmp_path / "repo" / "artifacts").mkdir()
    assert got.require("artifacts") == tmp_path / "repo" / "artifacts"


def test_the_printer_gives_what_the_module_resolves(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "VERSUS_SHARED": str(tmp_path / "s"),
        "VERSUS_CACHE": str(tmp_path / "c"),
    }
    (tmp_path / "s" / "weights").mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, "-m", "generator.settings", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    printed = json.loads(done.stdout)
    assert printed == settings.as_json(resolve(env, home=tmp_path))
    assert printed["weights_mirror"] == str(tmp_path / "s" / "weights") and printed["cache"] == str(tmp_path / "c")
    assert printed["root"] == str(ROOT) and printed["sample_images"] == str(
        tmp_path / "s" / "images" / "coco-sample" / "images"
    )
    refused = subprocess.run(
        [sys.executable, "-m", "generator.settings"],
        cwd=ROOT,
        env={**env, "VERSUS_SAMPLE_IMAGES": "x"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2 and "VERSUS_SAMPLE_SET" in refused.stderr


# --- nothing else reads the variables ---------------------------------------------------------------------


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [f for f in listed if (ROOT / f).is_file()]


def _is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def environment_reads(source: str) -> list[tuple[int, str | None]]:
    """(line, variable name) of every environment read in `source` (`os.environ[...]`, `.get`, `os.getenv`,
    `... in os.environ`); the name is None when it cannot be worked out from the file and generator.settings."""
    tree = ast.parse(source)
    constants: dict[str, str | None] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            constants.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("settings"):
            constants.update({a.asname or a.name: getattr(settings, a.name, None) for a in node.names})

    def name_of(key: ast.AST) -> str | None:
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
        if isinstance(key, ast.Name):
            return constants.get(key.id)
        if isinstance(key, ast.Attribute) and isinstance(key.value, ast.Name) and key.value.id == "settings":
            return getattr(settings, key.attr, None)
        return None

    reads = []
    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Call) and node.args:
            f = node.func
            if (
                isinstance(f, ast.Attribute)
                and f.attr in ("get", "pop", "setdefault")
                and _is_environ(f.value)
                or (isinstance(f, ast.Attribute) and f.attr == "getenv")
                or (isinstance(f, ast.Name) and f.id == "getenv")
            ):
                key = node.args[0]
        elif isinstance(node, ast.Subscript) and _is_environ(node.value) and isinstance(node.ctx, ast.Load):
            key = node.slice
        elif (
            isinstance(node, ast.Compare)
            and any(isinstance(o, ast.In | ast.NotIn) for o in node.ops)
            and _is_environ(node.comparators[0])
        ):
            key = node.left
        if key is not None:
            reads.append((node.lineno, name_of(key)))
    return reads


def forbidden(reads: list[tuple[int, str | None]]) -> list[tuple[int, str | None]]:
    return [
        (line, name)
        for line, name in reads
        if name is None or (name.startswith("VERSUS_") and name not in TEST_VARIABLES)
    ]


def test_the_scanner_finds_reads_in_every_spelling():
    source = """
import os
from os import environ, getenv
from generator.settings import MIRROR_ENV
from generator import settings
LOCAL = "VERSUS_CACHE"
a = os.environ.get("VERSUS_SHARED")
b = os.environ[LOCAL]
c = getenv(MIRROR_ENV)
d = settings.ARTIFACTS_ENV in os.environ
e = environ.get(some_name)
f = os.environ.get("HOME"), os.environ["VERSUS_UPDATE_GOLDEN"]
os.environ["VERSUS_CACHE"] = "written, not read"
"""
    assert forbidden(environment_reads(source)) == [
        (7, "VERSUS_SHARED"),
        (8, "VERSUS_CACHE"),
        (9, "VERSUS_WEIGHTS_MIRROR"),
        (10, "VERSUS_ARTIFACTS"),
        (11, None),
    ]


def test_only_generator_settings_reads_the_path_variables():
    offenders = {}
    for name in tracked_files():
        if name.endswith(".py") and name != SETTINGS_MODULE:
            found = forbidden(environment_reads((ROOT / name).read_text(encoding="utf-8")))
            if found:
                offenders[name] = found
    assert not offenders, f"read the paths through generator.settings instead: {offenders}"


def test_scripts_and_javascript_read_no_path_variable():
    """The JavaScript tests take paths from `python3 -m generator.settings --json`; the .ci scripts set none."""
    offenders = []
    for name in tracked_files():
        if name.endswith((".js", ".mjs")):
            pattern = r"process\.env(?:\.|\[\s*['\"`])(VERSUS_[A-Z_]+)"  # process.env.X, process.env['X']
        elif name.startswith(".ci/"):
            pattern = r"\b(VERSUS_[A-Z_]+)"  # set, read or named: the scripts rely on the defaults
        else:
            continue
        offenders += [
            (name, v) for v in re.findall(pattern, (ROOT / name).read_text(encoding="utf-8")) if v not in TEST_VARIABLES
        ]
    assert not offenders, offenders


# --- no path of this machine in the repository ------------------------------------------------------------


def test_no_tracked_file_names_a_folder_of_this_machine():
    needles = [*machine_paths(), DEVELOPMENT_FOLDER]
    assert f"{str(Path.home()).rstrip('/')}/" in needles or Path.home() == Path("/")
    offenders = []
    for name in tracked_files():
        data = (ROOT / name).read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary: ONNX files, compressed golden frames
        text = data.decode("utf-8", errors="replace")
        offenders += [(name, n) for n in needles if n in text]
    assert not offenders, offenders


# --- documentation and packaging ------------------------------------------------------------------------


@pytest.mark.parametrize("doc", ["README.md", "site_src/contributing.md"])
def test_the_settings_table_lists_every_variable_with_its_default(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `VERSUS_")]
    assert rows == [f"| `{v.name}` | {v.default} | {v.meaning} |" for v in VARIABLES]


def test_studies_stay_out_of_the_wheel():
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"]["build"]["targets"][
        "wheel"
    ]
    assert wheel["packages"] == ["generator"]
    assert not (ROOT / "generator" / "benchmarks").exists()
    assert sorted(p.parent.name for p in (ROOT / "studies").glob("*/__main__.py")) == [
        "accuracy_time",
        "browser_gap",
        "build_scale",
        "first_boxes",
    ]
    assert all((ROOT / "studies" / p / "README.md").is_file() for p in ("browser_gap", "build_scale", "first_boxes"))
