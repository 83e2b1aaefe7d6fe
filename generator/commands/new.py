"""`versus new <id>`: scaffold a card whose TODOs `versus check` explains one by one."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from ..schema import SLUG_PATTERN

TEMPLATE = """\
# yaml-language-server: $schema=../schema/model-card.schema.json
# Fill in every TODO from a primary source (paper, official repository, official docs), then run
# `versus check`. Every fact names a source declared under `sources:` at the bottom. See the contributor
# guide on the site (Contributing) for each field.
id: {id}
name: TODO model name as its authors write it
aliases: []
summary: TODO one or two neutral sentences on what the model is and which weights this card covers.
category: TODO e.g. one-stage detector, transformer detector, classifier
modality: image
organizations:
  - name: TODO organization
    url: TODO https://...
    source: TODO-source-id
authors:
  names: [TODO first author]
  source: TODO-source-id
release_date:
  - date: TODO YYYY-MM-DD
    event: paper
    source: TODO-source-id
license:  # the code's licence; each weights entry names its own
  id: TODO SPDX id (e.g. Apache-2.0), LicenseRef-<Name>, or not-stated; listed in catalog/registry/licenses.yaml
  url: TODO https://... (the LICENSE file)
  source: TODO-source-id
code:
  url: TODO https://github.com/...
  source: TODO-source-id
tasks:
  - task: object-detection
    state: pretrained
    source: TODO-source-id
variants:
  - id: {id}.TODO
    name: TODO variant name
    task: object-detection
    input_size: {{value: 640, source: TODO-source-id}}
    params: {{value: TODO millions, source: TODO-source-id}}
    # checkpoint: which release of the weights, where there are several under one name
    # pretraining: [objects365], or [] for none; leave out when the source does not say
    # metrics: each with `source_kind` (claimed, vendor-measured or independent); accuracy with `protocol`
    # where stated, latency with hardware, runtime, precision, batch and includes_pre_post
    metrics: []
    weights: []  # each with url, format and its own `license`
sources:
  TODO-source-id:
    title: TODO title of the page or paper
    url: TODO https://...
    accessed: {today}
    kind: paper
"""


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("new", help="scaffold catalog/models/<id>.yaml for a new model")
    parser.add_argument("id", help="the model's slug, e.g. rt-detr")
    parser.add_argument("--catalog", default="catalog", type=Path, help="catalog folder (default: catalog/)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not re.match(SLUG_PATTERN, args.id):
        print(
            f"{args.id!r} is not a valid id: use lower-case letters and digits joined by '-', e.g. rt-detr",
            file=sys.stderr,
        )
        return 2
    path = args.catalog / "models" / f"{args.id}.yaml"
    if path.exists():
        print(f"{path} already exists; edit it, or pick another id", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEMPLATE.format(id=args.id, today=dt.date.today()), encoding="utf-8")
    print(f"wrote {path}; fill in the TODOs, then run `versus check --catalog {args.catalog}` until it passes")
    return 0
