"""The YAML reader refuses what could hurt before anything is constructed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.yamlfile import MAX_BYTES, YamlError, parse_yaml, read_yaml

BILLION_LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
)


def test_line_map_points_at_keys_and_items() -> None:
    data, lines = parse_yaml("a: 1\nb:\n  - x: 2\n    y: 3\n")
    assert data == {"a": 1, "b": [{"x": 2, "y": 3}]}
    assert lines.line_of(("b", 0, "y")) == 4
    assert lines.line_of(("b", 0, "missing")) == 3  # deepest existing part
    assert lines.line_of(("b", 0, 0, "y")) == 4  # steps the file lacks are skipped


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BILLION_LAUGHS, "anchors and aliases"),
        ("a: !!python/object/apply:os.system [true]\n", "is not allowed"),
        ("a: !custom 1\n", "is not allowed"),
        ("a: 1\na: 2\n", "appears twice"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys"),
        ("a: " + "[" * 200 + "]" * 200 + "\n", "nested"),
        ("a: [\n", "malformed YAML"),
        ("", "empty"),
    ],
)
def test_hostile_or_broken_yaml_is_refused_quickly(text: str, message: str) -> None:
    started = time.perf_counter()
    with pytest.raises(YamlError) as caught:
        parse_yaml(text)
    assert message in caught.value.message
    assert time.perf_counter() - started < 2


def test_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("a: " + "x" * (MAX_BYTES + 1))
    with pytest.raises(YamlError, match="over the"):
        read_yaml(path)


def test_non_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(YamlError, match="UTF-8"):
        read_yaml(path)
