"""Each invalid fixture card states the report it must produce; the valid one must pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.loader import check_catalog

from .catalogs import FIXTURES, make_catalog

INVALID = sorted((FIXTURES / "cards" / "invalid").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+): ([^:]*): (.+)$")


def test_valid_fixture_passes(tiny_catalog: Path) -> None:
    catalog, problems = check_catalog(tiny_catalog)
    assert problems == []
    assert catalog is not None and [c.id for c in catalog.cards] == ["tiny-detector"]


@pytest.mark.parametrize("card", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_reports_its_problem(card: Path, tmp_path: Path) -> None:
    line, field, message = EXPECT.match(card.read_text().splitlines()[0]).groups()
    catalog, problems = check_catalog(make_catalog(tmp_path, card))
    assert catalog is None
    matching = [p for p in problems if message in str(p)]
    assert matching, f"expected {message!r}, got:\n" + "\n".join(map(str, problems))
    problem = matching[0]
    assert (problem.line, problem.field) == (int(line), field), str(problem)
    assert problem.path.name == card.name
    assert problem.hint, "every problem carries a hint"
    assert str(problem).startswith(f"{problem.path}:{line}: ")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (FIXTURES / "cards" / "valid" / "tiny-detector.yaml").read_text()
    for old, new in [
        ("value: 2.5", "value: -2.5"),
        ("value: 40.1", "value: 140.1"),
        ("id: AGPL-3.0-only", "id: Nope-1.0"),
        ("date: 2024-01-02", "date: 2099-01-02"),
        ("  - task: object-detection", "  - task: teleportation"),
        ("modality: image", "modality: image\ncolour: blue"),
    ]:
        text = text.replace(old, new, 1)
    card = tmp_path / "src" / "tiny-detector.yaml"
    card.parent.mkdir()
    card.write_text(text)
    _, problems = check_catalog(make_catalog(tmp_path, card))
    messages = "\n".join(map(str, problems))
    for expected in [
        "greater than 0",
        "over 100",
        "Nope-1.0",
        "in the future",
        "teleportation",
        "unknown key 'colour'",
    ]:
        assert expected in messages, messages


def test_variant_ids_are_unique_across_cards(tmp_path: Path) -> None:
    first = FIXTURES / "cards" / "valid" / "tiny-detector.yaml"
    second = tmp_path / "src" / "other-detector.yaml"
    second.parent.mkdir()
    second.write_text(first.read_text().replace("id: tiny-detector", "id: other-detector"))
    _, problems = check_catalog(make_catalog(tmp_path, first, second))
    assert any("'tiny-n.v1' is also used by card" in p.message for p in problems), problems


def test_missing_catalog_folder_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    _, problems = check_catalog(tmp_path / "nowhere")
    assert problems and "not found" in problems[0].message


def test_symlinked_card_is_refused(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    secret = tmp_path / "secret.yaml"
    secret.write_text((FIXTURES / "cards" / "valid" / "tiny-detector.yaml").read_text())
    (root / "models" / "tiny-detector.yaml").symlink_to(secret)
    catalog, problems = check_catalog(root)
    assert catalog is None
    assert any("not symlinks" in p.message for p in problems), problems


def test_featured_pairs_must_name_cards_that_share_a_task(tmp_path: Path) -> None:
    root = make_catalog(tmp_path, *sorted((FIXTURES / "cards" / "valid").glob("*.yaml")))
    (root / "featured.yaml").write_text(
        "- {a: tiny-detector, b: tiny-classifier, why: x}\n- {a: tiny-detector, b: no-such-card, why: y}\n",
        encoding="utf-8",
    )
    catalog, problems = check_catalog(root)
    assert catalog is None
    messages = [str(p) for p in problems]
    assert any("featured.yaml:1:" in m and "share no task" in m for m in messages), messages
    assert any("featured.yaml:2:" in m and "no card with id 'no-such-card'" in m for m in messages), messages
