"""`versus export`: weights to verified ONNX artifacts in artifacts/<variant-id>/ (needs the `export` extra).

Exit status: 0 when every target was exported, reused from the cache, or skipped because its weights
cannot be had here (reported, with the URL and the mirror variable); 1 when anything that could be had
failed (hash mismatch, conversion, contract or verification error); 2 for names that are not in the
catalog. A missing file is a fact about this machine, a failed check is a fault in the catalog or tools.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .. import settings
from ..artifacts import NOT_PUBLISHED, record_not_exported
from ..export.session import make_exporter, outcome_line, sample_images
from ..loader import load_catalog


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "export",
        help="convert weights to verified ONNX artifacts (artifacts/<variant-id>/)",
        description="Resolve each variant's weights (cache, $VERSUS_WEIGHTS_MIRROR, network), convert them to ONNX, "
        "verify against the source framework on sample images, and write model.onnx + manifest.json.",
    )
    parser.add_argument(
        "names", nargs="*", metavar="ID", help="card ids or variant ids (default: every demo-able variant)"
    )
    parser.add_argument(
        "--untrained",
        action="append",
        default=[],
        metavar="ARCH",
        help="also build the untrained test artifact of an architecture (e.g. yolov12n) into "
        "artifacts/<arch>.untrained/: random weights, never the trained model. Alone, builds only it.",
    )
    parser.add_argument(
        "--frozen", action="store_true", help="refuse weights whose sha256 is neither pinned in the card nor locked"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"output folder (default: ${settings.ARTIFACTS_ENV}, else artifacts/ in the repository)",
    )
    parser.add_argument("--catalog", type=Path, default=Path("catalog"), help="catalog folder (default: catalog/)")
    parser.add_argument(
        "--images",
        type=Path,
        default=None,
        help=f"sample images for verification (default: the images/ of ${settings.SAMPLE_SET_ENV} when it is set, "
        "else the project's shipped samples in wasm_demo/samples/)",
    )
    parser.add_argument("--image-count", type=int, default=0, metavar="N", help="use the first N images (default: all)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from ..export import plan
        from ..weights import WeightsError
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SystemExit(f"versus export needs the `export` extra ({exc}); install it with `uv sync --extra export`")

    started = time.monotonic()
    catalog = load_catalog(args.catalog)
    try:
        targets = plan.select(catalog, args.names) if args.names or not args.untrained else []
        if args.untrained:
            from ..export.ultralytics_pt import has_architecture

            targets += [plan.untrained(catalog, name, has_architecture) for name in args.untrained]
    except plan.UnknownTarget as exc:
        print(f"versus export: {exc}", file=sys.stderr)
        return 2
    out = args.out or settings.current().artifacts
    try:
        exporter = make_exporter(
            args.catalog, out, sample_images(args.images, args.image_count), dict(catalog.registry.labels), args.frozen
        )
    except WeightsError as exc:
        print(f"versus export: {exc}", file=sys.stderr)
        return 1
    outcomes = []
    failed: dict[str, str] = {}
    exported: set[str] = set()
    not_published: dict[str, str] = {}
    for target in targets:
        outcome = exporter.export(target)
        outcomes.append(outcome)
        print(outcome_line(outcome), flush=True)
        for derived in outcome.derived:  # the int8 graph, or why there is none
            outcomes.append(derived)
            print(outcome_line(derived), flush=True)
            if derived.manifest is None:
                not_published[derived.artifact_id] = settings.redact(derived.message, settings.current())
        if target.untrained is None and outcome.status in ("skipped", "failed"):
            failed[target.variant.id] = settings.redact(outcome.message, settings.current())  # pages quote it
        elif target.untrained is None:
            exported.add(target.variant.id)
    record_not_exported(out, failed, exported)
    published = {o.artifact_id for o in outcomes if o.manifest is not None}
    record_not_exported(out, not_published, published, name=NOT_PUBLISHED)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("exported", "cached", "skipped", "failed")}
    print(
        ", ".join(f"{n} {s}" for s, n in counts.items()) + f" in {time.monotonic() - started:.1f}s; artifacts in {out}/"
    )
    if exporter.no_labelled_reason:
        print(f"accuracy check not run: {exporter.no_labelled_reason}")
    return 1 if counts["failed"] else 0
