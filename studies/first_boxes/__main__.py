"""Time from opening a comparison page with an empty cache to both models' first boxes on screen.

Builds the site from the catalog and the artifacts (README: Settings) into a temporary folder, serves it on 127.0.0.1 with the
cross-origin isolation headers (as `versus serve` does), and opens the page in a fresh headless Chromium
profile each round: nothing cached, models downloaded, sessions created, the first sample run by both.
The clock stops when both panels carry a result (`data-result`, set when the boxes are drawn).

    .venv/bin/python -m studies.first_boxes [--page compare/mobilenet-ssd-v2-vs-yolo11/] [--rounds 5]

Prints every round and the median; the issue's target is under 5 seconds on localhost.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from generator import settings
from generator.bench.browser import CHROMIUM_FLAGS
from generator.loader import load_catalog
from generator.serve import make_server
from generator.site import build_site

BOTH_DRAWN = "() => document.querySelectorAll('.vs-panel[data-result]').length >= 2"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studies.first_boxes", description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="compare/mobilenet-ssd-v2-vs-yolo11/")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--artifacts", type=Path, default=None, help="artifacts folder (default: the setting, README: Settings)"
    )
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="versus-first-boxes-") as tmp:
        site = Path(tmp) / "site"
        build_site(
            load_catalog(settings.ROOT / "catalog"), site, artifacts=args.artifacts or settings.current().artifacts
        )
        server = make_server(site, port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/{args.page}"
        seconds = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_FLAGS, headless=True)
                for i in range(args.rounds):
                    context = browser.new_context()  # a fresh profile: empty HTTP cache and Cache API
                    page = context.new_page()
                    started = time.perf_counter()
                    page.goto(url)
                    page.wait_for_function(BOTH_DRAWN, timeout=60_000, polling=20)
                    elapsed = time.perf_counter() - started
                    since_navigation = page.evaluate("() => performance.now()") / 1000
                    isolated = page.evaluate("() => crossOriginIsolated")
                    seconds.append(elapsed)
                    print(
                        f"round {i + 1}: both models' first boxes {elapsed:.2f} s after opening the page "
                        f"({since_navigation:.2f} s by the page's clock; cross-origin isolated: {isolated})"
                    )
                    context.close()
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    print(f"median {statistics.median(seconds):.2f} s over {len(seconds)} rounds (target: under 5 s) for {args.page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
