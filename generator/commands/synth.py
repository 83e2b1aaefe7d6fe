"""`versus synth N --out DIR`: write a synthetic catalog for scale tests and benchmarks."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import yaml

from ..synth import synth_card

HEADER = "# yaml-language-server: $schema=../schema/model-card.schema.json\n# Synthetic card for scale tests; not a real model.\n"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("synth", help="write a synthetic catalog of N valid cards (for scale tests)")
    parser.add_argument("count", type=int, help="number of cards")
    parser.add_argument("--out", required=True, type=Path, help="catalog folder to create")
    parser.add_argument(
        "--registry", default=Path("catalog/registry"), type=Path, help="registry to copy (default: catalog/registry)"
    )
    parser.add_argument("--seed", default=0, type=int)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.count < 1:
        print("count must be at least 1", file=sys.stderr)
        return 2
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out} exists and is not empty; pick a new folder", file=sys.stderr)
        return 1
    models = args.out / "models"
    models.mkdir(parents=True)
    shutil.copytree(args.registry, args.out / "registry")
    for index in range(args.count):
        card = synth_card(index, args.seed)
        text = HEADER + yaml.safe_dump(card, sort_keys=False, allow_unicode=True)
        (models / f"{card['id']}.yaml").write_text(text, encoding="utf-8")
    print(f"wrote {args.count} synthetic cards to {models}")
    return 0
