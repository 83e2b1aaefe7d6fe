"""Catalog files to a validated `Catalog`: YAML cards and registry, and the JSON measurement records in
`measurements/<run>/<artifact id>.json`. Every problem is reported at once as
`path:line: field.path: message (hint: ...)`, and nothing is half-loaded."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .jsonfile import read_json
from .measurement import MEASUREMENTS_DIR, Measurement, run_id
from .problems import Problem, dotted, from_pydantic
from .schema import CheckContext, FeaturedPair, ModelCard, Registry, suggest
from .yamlfile import LineMap, Loc, YamlError, read_yaml

REGISTRY_FILES = tuple(Registry.model_fields)
PLACEHOLDER = "TODO"


class CatalogError(Exception):
    """A catalog with problems; `problems` holds all of them, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the catalog")
        self.problems = problems


@dataclass(frozen=True)
class Catalog:
    root: Path
    registry: Registry
    cards: tuple[ModelCard, ...]
    measurements: tuple[Measurement, ...] = ()  # validated records, in path order (run, then artifact)
    featured: tuple[FeaturedPair, ...] = ()  # the home page's featured pairs, in the file's order

    def card(self, card_id: str) -> ModelCard:
        for card in self.cards:
            if card.id == card_id:
                return card
        raise KeyError(card_id)


def load_catalog(root: Path, today: dt.date | None = None, measurements: Path | None = None) -> Catalog:
    """The validated catalog in `root`, or CatalogError listing every problem. Records are read from
    `measurements` (default `root/measurements/`; tests point it at fixture records)."""
    catalog, problems = check_catalog(root, today, measurements)
    if problems or catalog is None:
        raise CatalogError(problems)
    return catalog


def check_catalog(
    root: Path, today: dt.date | None = None, measurements: Path | None = None
) -> tuple[Catalog | None, list[Problem]]:
    today = today or dt.date.today()
    problems: list[Problem] = []
    if not root.is_dir():
        return None, [
            Problem(
                root,
                1,
                "",
                "catalog folder not found",
                "pass --catalog DIR pointing at a folder with models/ and registry/",
            )
        ]
    registry = _load_registry(root / "registry", problems)
    cards: list[ModelCard] = []
    paths = sorted((root / "models").glob("*.yaml"))
    if not paths:
        problems.append(Problem(root / "models", 1, "", "no cards found", "add one with `versus new <id>`"))
    for path in paths:
        card = _load_card(path, registry, today, problems)
        if card is not None:
            cards.append(card)
    problems.extend(_check_across(cards, paths))
    folder = measurements if measurements is not None else root / MEASUREMENTS_DIR
    records = _load_records(folder, registry, cards, {p.stem for p in paths}, problems)
    featured = _load_featured(root / FEATURED_FILE, cards, problems)
    if registry is None or problems:
        return None, problems
    return Catalog(root, registry, tuple(sorted(cards, key=lambda c: c.id)), tuple(records), tuple(featured)), []


FEATURED_FILE = "featured.yaml"


def _load_featured(path: Path, cards: list[ModelCard], problems: list[Problem]) -> list[FeaturedPair]:
    """The home page's featured pairs: optional; each names two cards that share a task."""
    if not path.exists():
        return []
    if _outside(path, path.parent):
        problems.append(
            Problem(path, 1, "", "featured.yaml must be a regular file, not a symlink", "copy it into catalog/")
        )
        return []
    try:
        data, lines = read_yaml(path)
    except YamlError as exc:
        problems.append(Problem(path, exc.line, "", exc.message, exc.hint))
        return []
    if not isinstance(data, list):
        problems.append(
            Problem(path, 1, "", "featured.yaml must be a list of pairs", "write `- {a: ID, b: ID, why: ...}` entries")
        )
        return []
    by_id = {c.id: c for c in cards}
    out = []
    for i, entry in enumerate(data):
        try:
            pair = FeaturedPair.model_validate(entry)
        except ValidationError as exc:
            problems.extend(from_pydantic(path, lines, (i, *e["loc"]), e, FeaturedPair) for e in exc.errors())
            continue
        line = lines.line_of((i,))
        missing = [x for x in (pair.a, pair.b) if x not in by_id]
        if missing:
            problems.append(
                Problem(
                    path,
                    line,
                    str(i),
                    f"no card with id {missing[0]!r}",
                    f"{suggest(missing[0], by_id)}; ids are the file names in catalog/models/",
                )
            )
            continue
        tasks = [{t.task for t in by_id[x].tasks if t.state != "none"} for x in (pair.a, pair.b)]
        if pair.a == pair.b or not tasks[0] & tasks[1]:
            problems.append(
                Problem(
                    path,
                    line,
                    str(i),
                    f"{pair.a} and {pair.b} share no task",
                    "feature two different models that do the same task",
                )
            )
            continue
        out.append(pair)
    return out


def _load_registry(folder: Path, problems: list[Problem]) -> Registry | None:
    data: dict[str, Any] = {}
    lines: dict[str, LineMap] = {}
    for name in REGISTRY_FILES:
        path = folder / f"{name}.yaml"
        if path.exists() and _outside(path, folder):
            problems.append(
                Problem(
                    path,
                    1,
                    "",
                    "registry files must be regular files, not symlinks",
                    "copy the file into catalog/registry/",
                )
            )
            continue
        if not path.is_file():
            problems.append(
                Problem(
                    path, 1, "", "registry file missing", f"catalog/registry/ needs {', '.join(REGISTRY_FILES)} (.yaml)"
                )
            )
            continue
        try:
            data[name], lines[name] = read_yaml(path)
        except YamlError as exc:
            problems.append(Problem(path, exc.line, "", exc.message, exc.hint))
    if len(data) < len(REGISTRY_FILES):
        return None
    try:
        return Registry.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            file_key, *rest = error["loc"]
            path = folder / f"{file_key}.yaml"
            problems.append(from_pydantic(path, lines[str(file_key)], tuple(rest), error))
        return None


def _outside(path: Path, root: Path) -> bool:
    """A symlink, or a path that resolves outside `root`: cards must not make the build read other files."""
    return path.is_symlink() or not path.resolve().is_relative_to(root.resolve())


def _load_card(path: Path, registry: Registry | None, today: dt.date, problems: list[Problem]) -> ModelCard | None:
    if _outside(path, path.parent):
        problems.append(
            Problem(
                path,
                1,
                "",
                "cards must be regular files inside the catalog, not symlinks",
                "copy the card into catalog/models/",
            )
        )
        return None
    try:
        data, lines = read_yaml(path)
    except YamlError as exc:
        problems.append(Problem(path, exc.line, "", exc.message, exc.hint))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(path, 1, "", "a card must be a mapping of fields", "start from `versus new <id>`"))
        return None
    found = [
        Problem(
            path,
            lines.line_of(loc),
            dotted(loc),
            "placeholder not filled in",
            f"replace {PLACEHOLDER} with the sourced value, or delete the line if the field is optional",
        )
        for loc in _placeholders(data, ())
    ]
    if data.get("id") != path.stem:
        found.append(
            Problem(
                path,
                lines.line_of(("id",)),
                "id",
                f"id {data.get('id')!r} does not match the file name",
                f"rename the file to {data.get('id')}.yaml or set `id: {path.stem}`",
            )
        )
    sources = data.get("sources")
    tasks = data.get("tasks")
    task_ids = frozenset(
        t["task"]
        for t in (tasks if isinstance(tasks, list) else [])
        if isinstance(t, dict) and isinstance(t.get("task"), str) and t.get("state") != "none"
    )
    context = CheckContext(registry, frozenset(sources) if isinstance(sources, dict) else frozenset(), today, task_ids)
    card = None
    try:
        card = ModelCard.model_validate(data, context={"versus": context})
    except ValidationError as exc:
        found += [
            from_pydantic(path, lines, e["loc"], e)
            for e in exc.errors()
            if not (isinstance(e.get("input"), str) and PLACEHOLDER in e["input"])  # already reported
        ]
    problems.extend(sorted(found, key=lambda p: p.line))
    return None if found else card


def _check_across(cards: list[ModelCard], paths: list[Path]) -> Iterator[Problem]:
    """Ids shared between cards: variant ids name artifacts, so they are global."""
    owner: dict[str, str] = {}
    by_id = {p.stem: p for p in paths}
    for card in cards:
        for variant in card.variants:
            if variant.id in owner:
                yield Problem(
                    by_id.get(card.id, Path(card.id)),
                    1,
                    "variants",
                    f"variant id {variant.id!r} is also used by card {owner[variant.id]!r}",
                    "variant ids are unique across the catalog; change the tag",
                )
            owner[variant.id] = card.id


# --- Measurement records --------------------------------------------------------

RECORD_HINT = 'records are written by `versus bench` or the demo\'s "measure on this device"; see the Methodology page'


def _load_records(
    folder: Path, registry: Registry | None, cards: list[ModelCard], card_files: set[str], problems: list[Problem]
) -> list[Measurement]:
    """Every `<run>/<artifact id>.json` under `folder`. No folder means no run yet, which is fine.
    Hidden entries are skipped: `write_record` writes `.<name>.tmp` before renaming it into place, and the bench
    keeps native rounds not yet pooled in `<run>/.rounds/`."""
    if not folder.exists():
        return []
    if folder.is_symlink() or not folder.is_dir():
        problems.append(
            Problem(
                folder,
                1,
                "",
                "the measurements folder must be a real folder, not a symlink or a file",
                "move the records into catalog/measurements/",
            )
        )
        return []
    by_id = {card.id: card for card in cards}
    records: list[Measurement] = []
    for entry in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if entry.is_symlink() or not entry.is_dir():
            problems.append(
                Problem(
                    entry, 1, "", "not a run folder", f"records go in {folder}/<run>/<artifact id>.json; {RECORD_HINT}"
                )
            )
            continue
        first: Measurement | None = None
        for path in sorted(p for p in entry.iterdir() if not p.name.startswith(".")):
            if path.suffix != ".json" or not path.is_file() or _outside(path, folder):
                problems.append(
                    Problem(
                        path,
                        1,
                        "",
                        "not a measurement record",
                        f"a run folder holds only regular <artifact id>.json files; {RECORD_HINT}",
                    )
                )
                continue
            record = _load_record(path, registry, by_id, card_files, first, problems)
            if record is not None:
                records.append(record)
                first = first or record
    return records


def _load_record(
    path: Path,
    registry: Registry | None,
    cards: dict[str, ModelCard],
    card_files: set[str],
    run_peer: Measurement | None,
    problems: list[Problem],
) -> Measurement | None:
    try:
        data, lines = read_json(path)
    except YamlError as exc:
        problems.append(Problem(path, exc.line, "", exc.message, exc.hint))
        return None
    try:
        record = Measurement.model_validate(data)
    except ValidationError as exc:
        problems.extend(from_pydantic(path, lines, e["loc"], e, Measurement) for e in exc.errors())
        return None
    found = [
        Problem(path, lines.line_of(loc), dotted(loc), message, hint)
        for loc, message, hint in _record_refs(path, record, registry, cards, card_files, run_peer)
    ]
    problems.extend(found)
    return None if found else record


def _record_refs(
    path: Path,
    record: Measurement,
    registry: Registry | None,
    cards: dict[str, ModelCard],
    card_files: set[str],
    run_peer: Measurement | None,
) -> Iterator[tuple[Loc, str, str]]:
    """What pydantic cannot see: the file's place, the catalog it refers to, and the run it shares."""
    artifact = record.artifact
    if path.parent.name != record.run:
        yield (
            ("run",),
            f"record is in folder {path.parent.name!r} but its run is {record.run!r}",
            f"move it to catalog/measurements/{record.run}/",
        )
    if path.stem != artifact.artifact_id:
        yield (
            ("artifact", "artifact_id"),
            f"file name {path.name!r} does not match artifact_id {artifact.artifact_id!r}",
            f"rename the file to {artifact.artifact_id}.json",
        )
    if record.started.tzinfo is None:
        yield ("started",), "time without a time zone", "write UTC with a trailing Z, e.g. 2026-03-01T10:15:00Z"
    elif record.run != run_id(record.started, record.machine.name):
        yield (
            ("run",),
            f"run {record.run!r} does not match started and machine.name",
            f"a run id is `<UTC start>-<machine name>`: {run_id(record.started, record.machine.name)}",
        )
    if run_peer is not None and (run_peer.machine, run_peer.started) != (record.machine, record.started):
        yield (
            ("machine",),
            f"machine or start differs from {run_peer.artifact.artifact_id}.json in the same run",
            "one run is one machine and one start; records of another machine or run go in their own folder",
        )
    card = cards.get(artifact.card_id)
    if card is None and artifact.card_id not in card_files:  # a card that failed to load is reported already
        yield (
            ("artifact", "card_id"),
            f"no card {artifact.card_id!r} in the catalog",
            _did_you_mean(artifact.card_id, cards, "catalog/models/"),
        )
    if card is not None and artifact.variant_id not in {v.id for v in card.variants}:
        yield (
            ("artifact", "variant_id"),
            f"card {card.id!r} has no variant {artifact.variant_id!r}",
            _did_you_mean(
                artifact.variant_id, [v.id for v in card.variants], f"the variants of catalog/models/{card.id}.yaml"
            ),
        )
    if registry is not None and record.accuracy is not None and record.accuracy.dataset not in registry.datasets:
        yield (
            ("accuracy", "dataset"),
            f"unknown dataset id {record.accuracy.dataset!r}",
            "add it to catalog/registry/datasets.yaml",
        )


def _did_you_mean(value: str, known: Iterable[str], where: str) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? ids are listed in {where}" if close else f"ids are listed in {where}"


def _placeholders(data: Any, loc: Loc) -> Iterator[Loc]:
    if isinstance(data, str) and PLACEHOLDER in data:
        yield loc
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _placeholders(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _placeholders(value, (*loc, index))
