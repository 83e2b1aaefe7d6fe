"""SPDX licence ids, read from license-expression's bundled SPDX and ScanCode data: the catalog's schema
checks ids against it, so it sits below the schema and imports nothing from the package."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

NOT_STATED: Final = "not-stated"  # a licence (or any other field) the source does not state


@dataclass(frozen=True)
class LicenseInfo:
    spdx_id: str
    category: str


@cache
def _index() -> dict[str, tuple[str, str]]:
    """Every SPDX key, current or deprecated, to (canonical id, category)."""
    path = resources.files("license_expression") / "data" / "scancode-licensedb-index.json"
    out: dict[str, tuple[str, str]] = {}
    for entry in json.loads(path.read_text(encoding="utf-8")):
        key = entry.get("spdx_license_key")
        if not key or key.startswith("LicenseRef-") or entry.get("is_exception"):
            continue
        out[key] = (key, entry["category"])
        for other in entry.get("other_spdx_license_keys") or []:
            if not other.startswith("LicenseRef-"):
                out.setdefault(other, (key, entry["category"]))
    return out


def lookup(spdx_id: str) -> LicenseInfo | None:
    """The licence for a current SPDX id; None for unknown or deprecated ids."""
    found = _index().get(spdx_id)
    if found is None or found[0] != spdx_id:
        return None
    return LicenseInfo(*found)


def suggest(spdx_id: str) -> str:
    """A hint for an id that `lookup` refused."""
    found = _index().get(spdx_id)
    if found is not None:
        return f"{spdx_id!r} is a deprecated SPDX id; write {found[0]!r}"
    close = difflib.get_close_matches(spdx_id, list(_index()), n=3, cutoff=0.6)
    listing = ", ".join(repr(c) for c in close) if close else "see https://spdx.org/licenses/"
    return f"use an id from the SPDX licence list ({listing})"
