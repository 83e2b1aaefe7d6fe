"""SPDX licence facts, from license-expression's bundled SPDX and ScanCode data."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .schema import ModelCard, Registry, Variant

NOT_STATED = "not-stated"  # a licence (or any other field) the source does not state

# ScanCode categories whose terms bind what a user of the model may do beyond attribution.
NEEDS_NOTE = {"Copyleft", "Copyleft Limited", "Source-available", "Proprietary Free", "Commercial", "Free Restricted"}


@dataclass(frozen=True)
class LicenseInfo:
    spdx_id: str
    category: str

    @property
    def needs_note(self) -> bool:
        return self.category in NEEDS_NOTE



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


# --- Licences per artefact ---------------------------------------------------------

BLOCKS_FREE_COMMERCIAL_USE = frozenset({"non-commercial", "paid-plan"})


@dataclass(frozen=True)
class Held:
    """One licence a user of a variant is bound by, and what it covers."""

    role: str  # "code", "weights" or "upstream: <component>"
    id: str


def variant_licenses(card: ModelCard, variant: Variant) -> list[Held]:
    """The code's licence, the official weights' licences (all weights' when none is official), and every
    upstream licence: what using this variant's published checkpoint binds a user to."""
    held = [Held("code", card.license.id)]
    official = [w for w in variant.weights if w.official and w.trained] or [w for w in variant.weights if w.trained]
    held += [Held("weights", w.license) for w in official]
    held += [Held(f"upstream: {u.component}", u.id) for u in variant.upstream_licenses]
    return held


def blocking(held: list[Held], registry: Registry) -> list[str]:
    """The licences held that rule out free commercial use, with the clause: `LicenseRef-X: paid-plan`."""
    out = []
    for h in held:
        clauses = set(registry.licenses[h.id].obligations) & BLOCKS_FREE_COMMERCIAL_USE if h.id in registry.licenses else set()
        if clauses:
            out.append(f"{h.id}: {', '.join(sorted(clauses))}")
    return out


def free_commercial_use(held: list[Held], registry: Registry) -> bool | None:
    """True when no licence held forbids commercial use or asks for a paid plan; None when a licence is not
    stated (nobody can say); False otherwise."""
    if any(h.id == NOT_STATED for h in held):
        return None
    return not blocking(held, registry)


def card_free_commercial_use(card: ModelCard, registry: Registry) -> bool:
    """Whether at least one variant with published trained weights can be used commercially without a paid plan."""
    return any(
        free_commercial_use(variant_licenses(card, v), registry) is True
        for v in card.variants
        if any(w.trained for w in v.weights)
    )


def weights_licenses(card: ModelCard) -> list[str]:
    """Every licence id of the card's trained weights and upstream parts, sorted."""
    return sorted({h.id for v in card.variants for h in variant_licenses(card, v) if h.role != "code"})


def licenses_differ(card: ModelCard) -> bool:
    """Whether any variant's weights or upstream parts are under another licence than the code."""
    return any(h.id != card.license.id for v in card.variants for h in variant_licenses(card, v))
