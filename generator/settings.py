"""Where things are: the repository, the shared folder beside it, the weights mirror, the image sets, the
artifacts and the download cache. This is the only module that reads these environment variables or works out
their defaults, so a clone with `../shared` beside it needs none of them set and every tool agrees on the paths.

`python -m generator.settings` prints them (`--json` for scripts and the JavaScript tests). Standard library
only, so any Python 3.11 can run that without the project's environment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# The checkout this code runs from: the site's sources, the catalog and the demo live here. Not a setting.
ROOT = Path(__file__).resolve().parent.parent

SHARED_ENV = "VERSUS_SHARED"
MIRROR_ENV = "VERSUS_WEIGHTS_MIRROR"
SAMPLE_SET_ENV = "VERSUS_SAMPLE_SET"
ACCURACY_ENV = "VERSUS_ACCURACY_IMAGES"
ARTIFACTS_ENV = "VERSUS_ARTIFACTS"
CACHE_ENV = "VERSUS_CACHE"
# Tests only: fetch every download from this prefix + the official URL's path (a server on 127.0.0.1 that serves
# files at their official paths), so the real download code runs without the network. Never set it otherwise.
TEST_URL_PREFIX_ENV = "VERSUS_TEST_URL_PREFIX"


@dataclass(frozen=True)
class Variable:
    name: str
    field: str  # the Settings attribute it sets
    default: str  # as the README's "Settings" table says it
    meaning: str


VARIABLES = (
    Variable(
        SHARED_ENV,
        "shared",
        "`../shared` beside the repository, if it exists",
        "folder holding `weights/` and `images/`; the defaults below are inside it",
    ),
    Variable(
        MIRROR_ENV,
        "weights_mirror",
        "`<shared>/weights`, if it exists",
        "read-only folder of weights files, searched by hash and by file name before the network",
    ),
    Variable(
        SAMPLE_SET_ENV,
        "sample_set",
        "`<shared>/images/coco-sample`",
        "COCO train2017 sample set (`images/`, `labels/`): the parity tests and `--accuracy-set sample100`; "
        "set, `versus export` verifies on its images instead of the shipped samples",
    ),
    Variable(
        ACCURACY_ENV,
        "accuracy_images",
        "`<shared>/images/coco-val2017`",
        "labelled COCO val2017 images: the bench's accuracy set, and the accuracy check of exports with no source "
        "framework to compare with (none here: built once from COCO's downloads into the cache)",
    ),
    Variable(
        ARTIFACTS_ENV,
        "artifacts",
        "`artifacts/` in the repository",
        "exported models (`<id>/model.onnx` + `manifest.json`): written by `versus export`, read by the build",
    ),
    Variable(
        CACHE_ENV,
        "cache",
        "`~/.cache/versus`",
        "download and artifact cache (`weights/`, `artifacts/`, and `datasets/` the bench builds from COCO's downloads)",
    ),
)
# Names read before these settings existed; set, they would be silently ignored, so they are refused instead.
RETIRED = {
    "VERSUS_SAMPLE_IMAGES": f"set {SAMPLE_SET_ENV} to the sample set's folder (the one holding images/ and labels/)"
}


class SettingsError(Exception):
    """A setting is unusable or missing; the message names the variable to set."""


@dataclass(frozen=True)
class Settings:
    root: Path
    shared: Path | None
    weights_mirror: Path | None
    sample_set: Path | None
    accuracy_images: Path | None
    artifacts: Path
    cache: Path
    explicit: frozenset[str] = frozenset()  # the fields an environment variable set (not a default)
    test_url_prefix: str | None = None  # tests only (TEST_URL_PREFIX_ENV)

    @property
    def sample_images(self) -> Path | None:
        """The sample set's pictures (`<sample set>/images`)."""
        return self.sample_set / "images" if self.sample_set is not None else None

    def require(self, field: str) -> Path:
        """The folder `field` names, which must exist; otherwise a SettingsError saying what to set."""
        path = getattr(self, field)
        variable = VARIABLE_OF[field]
        how = f"set {variable.name} (default: {variable.default.replace('`', '')}); see README: Settings"
        if path is None:
            raise SettingsError(f"no {field.replace('_', ' ')} folder: {how}")
        if not path.is_dir():
            raise SettingsError(f"{field.replace('_', ' ')} folder {path} does not exist: {how}")
        return path


VARIABLE_OF = {v.field: v for v in VARIABLES}
VARIABLE_OF["sample_images"] = VARIABLE_OF["sample_set"]  # a subfolder of the sample set


def _path(value: str) -> Path:
    return Path(value).expanduser().absolute()


def resolve(env: Mapping[str, str], root: Path = ROOT, home: Path | None = None) -> Settings:
    """The settings for an environment. Unset: the default. Set but empty: none (no shared folder, no mirror)."""
    for name, fix in RETIRED.items():
        if name in env:
            raise SettingsError(f"{name} is no longer read: {fix} (README: Settings)")

    def pick(name: str, default: Path | None) -> Path | None:
        if name not in env:
            return default
        return _path(env[name]) if env[name] else None

    beside = root.parent / "shared"
    shared = pick(SHARED_ENV, beside if beside.is_dir() else None)
    mirror_default = shared / "weights" if shared is not None and (shared / "weights").is_dir() else None
    images = shared / "images" if shared is not None else None
    home = home if home is not None else Path.home()
    return Settings(
        root=root,
        shared=shared,
        weights_mirror=pick(MIRROR_ENV, mirror_default),
        sample_set=pick(SAMPLE_SET_ENV, images / "coco-sample" if images else None),
        accuracy_images=pick(ACCURACY_ENV, images / "coco-val2017" if images else None),
        artifacts=pick(ARTIFACTS_ENV, None) or root / "artifacts",
        cache=pick(CACHE_ENV, None) or home / ".cache" / "versus",
        explicit=frozenset(v.field for v in VARIABLES if v.name in env),
        test_url_prefix=env.get(TEST_URL_PREFIX_ENV) or None,
    )


def current() -> Settings:
    """The settings of this process's environment, read afresh on every call."""
    return resolve(os.environ)


def redact(text: str, settings: Settings, home: Path | None = None) -> str:
    """`text` with this machine's folders named by their setting instead (`$VERSUS_WEIGHTS_MIRROR`, …), for
    messages that reach a published page; the longest path first, so a folder inside another keeps its own name."""
    home = home if home is not None else Path.home()
    names = [(getattr(settings, v.field), f"${v.name}") for v in VARIABLES] + [(settings.root, "<repository>")]
    names.append((home, "~"))
    for path, name in sorted(((p, n) for p, n in names if p is not None), key=lambda pn: -len(str(pn[0]))):
        if str(path) not in ("", "/"):
            text = text.replace(str(path), name)
    return text


def as_json(settings: Settings) -> dict[str, str | None]:
    fields = ["root", *(v.field for v in VARIABLES), "sample_images"]
    return {f: (str(getattr(settings, f)) if getattr(settings, f) is not None else None) for f in fields}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator.settings", description="Print the paths Versus uses here."
    )
    parser.add_argument("--json", action="store_true", help="one JSON object, field name -> absolute path or null")
    args = parser.parse_args(argv)
    try:
        settings = current()
    except SettingsError as exc:
        print(f"settings: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(as_json(settings), indent=1))
        return 0
    print(f"{'root':16} {settings.root}  (this checkout)")
    for v in VARIABLES:
        value = getattr(settings, v.field)
        source = f"from {v.name}" if v.name in os.environ else f"default; set {v.name} to change"
        print(f"{v.field:16} {value if value is not None else '(none)'}  ({source})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
