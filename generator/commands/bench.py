"""`versus bench`: measure artifacts on this machine and record the figures in catalog/measurements/
(needs the `export` extra; the browser figures need Chromium). See `generator/bench/`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..loader import load_catalog
from ..measurement import BENCH_SECTIONS, MEASUREMENTS_DIR, read_record
from ..settings import ACCURACY_ENV, SAMPLE_SET_ENV
from ..settings import current as current_settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "bench",
        help="measure latency, memory and accuracy of every artifact on this machine (catalog/measurements/)",
        description="Export what is asked for (cache hits are instant), then measure each artifact: native "
        "onnxruntime latency, in-browser latency through the demo's code in headless Chromium, download size, "
        "peak memory, and COCO mAP (per class, per size, with a bootstrap interval) on 800 labelled COCO val2017 "
        "images. Each step is written to "
        f"catalog/{MEASUREMENTS_DIR}/<run>/<artifact>.json as soon as it is measured.",
    )
    parser.add_argument(
        "names", nargs="*", metavar="ID", help="card, variant or artifact ids (default: every artifact in --artifacts)"
    )
    parser.add_argument("--threads", default="1,2", help="thread settings, comma-separated (default: 1,2)")
    parser.add_argument(
        "--runs", type=int, default=30, help="native: at least this many timed runs, all rounds together (default: 30)"
    )
    parser.add_argument(
        "--min-seconds",
        type=float,
        default=3.0,
        help="native: and at least this long timing, all rounds together (default: 3)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="native: fresh processes per thread setting, spread over the run and pooled (default: 5)",
    )
    parser.add_argument(
        "--warmup", type=int, default=5, help="native: discarded runs first, in every round (default: 5)"
    )
    parser.add_argument("--browser-runs", type=int, default=20, help="browser: warm timed runs (default: 20)")
    parser.add_argument("--browser-warmup", type=int, default=3, help="browser: discarded warm runs first (default: 3)")
    parser.add_argument(
        "--cold-pages", type=int, default=3, help="browser: fresh pages timed for cold start (default: 3)"
    )
    parser.add_argument(
        "--accuracy-set",
        choices=("val2017", "sample100"),
        default="val2017",
        help="val2017: the 800 listed COCO val2017 images (default); sample100: 100 COCO train2017 "
        "images, for quick checks only (training images of most models)",
    )
    parser.add_argument(
        "--accuracy-images",
        type=Path,
        metavar="DIR",
        help=f"the accuracy set's folder (images/, labels/; default: ${ACCURACY_ENV}, else "
        f"../shared/images/coco-val2017 beside the repository; for sample100 ${SAMPLE_SET_ENV}, else "
        "../shared/images/coco-sample)",
    )
    parser.add_argument(
        "--no-download",
        action="store_true",
        help="never fetch COCO val2017 (about 1 GB) from cocodataset.org when no folder holds the set",
    )
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help="accuracy: resamples of the images for mAP50-95's 95%% interval (default: 1000)",
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=BENCH_SECTIONS,
        help="leave a section out (recorded as such; browser-accuracy, added later, is simply left out, and "
        "--skip browser leaves it out too: both run in Chromium)",
    )
    parser.add_argument(
        "--browser-accuracy-images",
        type=int,
        default=200,
        metavar="N",
        help="browser-accuracy: the first N images of the accuracy set, through the demo's code in Chromium and "
        "natively, scored alike (default: 200)",
    )
    parser.add_argument("--resume", metavar="RUN", help="continue an interrupted run: measure only what it lacks")
    parser.add_argument(
        "--machine", metavar="NAME", help="short machine name for the run id (default: from CPU, cores, memory)"
    )
    parser.add_argument("--no-export", action="store_true", help="measure only artifacts already in --artifacts")
    parser.add_argument("--compare", nargs=2, metavar="RUN", help="print how two runs' medians differ, measure nothing")
    parser.add_argument(
        "--artifacts",
        type=Path,
        default=None,
        help="artifact folder (default: $VERSUS_ARTIFACTS, else artifacts/ in the repository)",
    )
    parser.add_argument("--catalog", type=Path, default=Path("catalog"), help="catalog folder (default: catalog/)")
    parser.add_argument(
        "--records",
        type=Path,
        default=None,
        help=f"where records go (default: <catalog>/{MEASUREMENTS_DIR}/, which the site shows)",
    )
    parser.set_defaults(func=run)


def accuracy_folder(accuracy_set: str, folder: Path | None = None) -> Path | None:
    """Where the accuracy set is read from: `folder` when the user names one; else, from the settings (README:
    Settings), the labelled val2017 images (as `versus export`'s accuracy check) or, for sample100, the sample
    set. None when no folder is known (the val2017 set can then be fetched)."""
    if folder is not None:
        return folder
    found = current_settings()
    return found.sample_set if accuracy_set == "sample100" else found.accuracy_images


def accuracy_fetcher(catalog, accuracy_set: str, log):
    """What builds the listed set from COCO's official downloads into the cache, for a machine without a folder
    that holds it; None for a set that has no list."""
    from ..bench.accuracy import LISTS_DIR, SETS

    spec = SETS[accuracy_set]
    if not spec.listed:
        return None

    def fetch() -> Path:
        from .. import datasets, labelled_set
        from ..demo import class_names
        from ..weights import LockFile, Resolver

        root = current_settings().cache
        labels = catalog.registry.labels[spec.label_list].labels
        listed = labelled_set.read_image_list(catalog.root / LISTS_DIR / f"{spec.dataset}.csv")
        resolver = Resolver(LockFile(root / "datasets" / "downloads.lock.json"), cache=root, log=log)
        return datasets.prepare_listed_set(
            root / "datasets" / spec.dataset, listed, class_names(labels), resolver, log=log
        )

    return fetch


def left_out(skip: list[str]) -> set[str]:
    """The sections `--skip` leaves out: browser-accuracy goes with browser (no Chromium wanted, none started)."""
    return set(skip) | ({"browser-accuracy"} if "browser" in skip else set())


def run(args: argparse.Namespace) -> int:
    records_root = args.records or args.catalog / MEASUREMENTS_DIR
    if args.compare:
        return _compare(records_root, *args.compare)
    try:
        from ..bench import run as bench_run
        from ..bench.machine import this_machine
        from ..bench.native import Settings
        from ..bench.report import browser_vs_native, ratio_table, run_table
        from ..bench.targets import TargetError, select_artifacts
        from ..vcs import project_commit
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SystemExit(f"versus bench needs the `export` extra ({exc}); install it with `uv sync --extra export`")

    catalog = load_catalog(args.catalog)
    try:
        threads = tuple(sorted({int(t) for t in args.threads.split(",") if t.strip()}))
        if not threads or min(threads) < 1:
            raise ValueError
    except ValueError:
        print(f"versus bench: --threads {args.threads!r}: give whole numbers of at least 1, e.g. 1,2", file=sys.stderr)
        return 2
    if (
        min(args.rounds, args.runs, args.bootstrap, args.browser_accuracy_images) < 1
        or args.warmup < 0
        or args.min_seconds < 0
    ):
        print(
            "versus bench: --rounds, --runs, --bootstrap and --browser-accuracy-images must be at least 1, --warmup "
            "and --min-seconds at least 0",
            file=sys.stderr,
        )
        return 2
    from ..samples import SamplesError
    from ..samples import load as shipped_samples

    found = current_settings()
    try:
        latency_image = shipped_samples()[0].path
    except SamplesError as exc:
        print(f"versus bench: the image latency is timed on is the first shipped sample: {exc}", file=sys.stderr)
        return 2
    artifacts = args.artifacts or found.artifacts
    try:
        targets = select_artifacts(catalog, args.names, artifacts, export=not args.no_export, catalog_dir=args.catalog)
    except TargetError as exc:
        print(f"versus bench: {exc}", file=sys.stderr)
        return 2
    ctx = bench_run.Context(
        catalog=catalog,
        artifact_root=artifacts,
        records_root=records_root,
        accuracy_root=accuracy_folder(args.accuracy_set, args.accuracy_images),
        accuracy_set=args.accuracy_set,
        fetch_accuracy_set=None
        if args.accuracy_images or args.no_download
        else accuracy_fetcher(catalog, args.accuracy_set, lambda m: print(m, file=sys.stderr)),
        latency_image=latency_image,
        machine=this_machine(args.machine),
        commit=project_commit(found.root),
    )
    if not ctx.latency_image.is_file():
        print(
            f"versus bench: {ctx.latency_image}: the image latency is timed on is missing from the sample set "
            f"(README: Settings)",
            file=sys.stderr,
        )
        return 2
    plan = bench_run.Plan(
        threads=threads,
        rounds=args.rounds,
        native=Settings(warmup=args.warmup, min_runs=args.runs, min_seconds=args.min_seconds),
        browser_warmup=args.browser_warmup,
        browser_runs=args.browser_runs,
        cold_pages=args.cold_pages,
        sections=tuple(s for s in BENCH_SECTIONS if s not in left_out(args.skip)),
        bootstrap=args.bootstrap,
        browser_accuracy_images=args.browser_accuracy_images,
    )
    try:
        run_id = bench_run.start_run(ctx, args.resume)
    except bench_run.BenchError as exc:
        print(f"versus bench: {exc}", file=sys.stderr)
        return 2
    print(
        f"run {run_id[0]} on {ctx.machine.cpu} ({ctx.machine.cores} cores), {len(targets)} artifact(s): "
        + ", ".join(a.artifact_id for a in targets),
        file=sys.stderr,
    )
    bar = _ProgressBar()
    try:
        outcome = bench_run.bench(targets, ctx, plan, run_id, log=bar.write, on_step=bar.step, on_images=bar.images)
    except bench_run.BenchError as exc:
        print(f"versus bench: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        bar.close(finished=False)
        print(
            f"\ninterrupted: every step finished so far is in {records_root / run_id[0]}/; "
            f"continue with `versus bench --resume {run_id[0]}`",
            file=sys.stderr,
        )
        return 130
    bar.close()
    records = [read_record(p) for p in outcome.records]
    print(run_table(records))
    ratios = browser_vs_native(records)
    if ratios:
        print("\nwarm inference, browser (wasm) vs native onnxruntime, same threads:")
        print(ratio_table(ratios))
    print(f"\n{len(records)} record(s) in {records_root / run_id[0]}/")
    if outcome.failures:
        print(
            f"{len(outcome.failures)} step(s) failed and stay pending; fix the cause and run "
            f"`versus bench --resume {run_id[0]}`:",
            file=sys.stderr,
        )
        for failure in outcome.failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    return 0


class _ProgressBar:
    """tqdm over the whole run's steps, on stderr, and under it one over the images of an accuracy step (with
    its time estimate: 800 images take minutes); messages print above both."""

    def __init__(self):
        self._bar = None
        self._images = None

    def step(self, description: str, index: int, total: int) -> None:
        from tqdm import tqdm

        if self._bar is None:
            self._bar = tqdm(total=total, unit="step", file=sys.stderr, dynamic_ncols=True)
        self._bar.update(index - self._bar.n)
        self._bar.set_description(description)
        self._close_images()

    def images(self, done: int, total: int) -> None:
        from tqdm import tqdm

        if self._images is None:
            self._images = tqdm(
                total=total, unit="image", desc="accuracy", file=sys.stderr, dynamic_ncols=True, position=1, leave=False
            )
        self._images.update(done - self._images.n)
        if done >= total:
            self._close_images()

    def _close_images(self) -> None:
        if self._images is not None:
            self._images.close()
            self._images = None

    def write(self, message: str) -> None:
        from tqdm import tqdm

        tqdm.write(message, file=sys.stderr)

    def close(self, finished: bool = True) -> None:
        self._close_images()
        if self._bar is not None:
            if finished:
                self._bar.update(self._bar.total - self._bar.n)
            self._bar.close()


def _compare(records_root: Path, run_a: str, run_b: str) -> int:
    from ..bench.report import difference_table, differences

    runs = []
    for name in (run_a, run_b):
        files = sorted((records_root / name).glob("*.json"))
        if not files:
            print(f"versus bench: {records_root / name}: no records", file=sys.stderr)
            return 2
        runs.append([read_record(p) for p in files])
    diffs = differences(*runs)
    if not diffs:
        print(f"versus bench: {run_a} and {run_b} share no measured artifact file", file=sys.stderr)
        return 1
    print(f"medians of {run_a} vs {run_b}:")
    print(difference_table(diffs))
    return 0
