"""Q1 and Q2: graph optimization levels and session options, and 1 vs 2 threads, in the browser and natively."""

from __future__ import annotations

import sys

from .figures import UNSTEADY, Arm, interleaved, ratio, table
from .graphs import has_op, has_qdq
from .runners import LEVELS, NativeJob, browser_arm
from .study import DISABLE_QDQ, NO_QDQ_FUSION, NO_QUICKGELU, Study


def levels(study: Study, artifact) -> None:
    a = study.args
    native = study.native(artifact)
    model = study.model(artifact)
    arms = []
    for t in (1, 2):
        for level in LEVELS:
            arms.append(Arm(("native", t, level), lambda t=t, level=level: native.figure(NativeJob(model, t, level))))
        arms.append(
            Arm(
                ("native", t, "all, no NCHWc"),
                lambda t=t: native.figure(NativeJob(model, t, "all", disabled_optimizers=("NchwcTransformer",))),
            )
        )
    arms.append(
        Arm(
            ("native", 2, "all, spinning off"),
            lambda: native.figure(NativeJob(model, 2, "all", config=(("session.intra_op.allow_spinning", "0"),))),
        )
    )
    if has_op(model, "Sigmoid"):
        arms.append(
            Arm(
                ("native", 2, "all, QuickGeluFusion off"),
                lambda: native.figure(NativeJob(model, 2, "all", disabled_optimizers=("QuickGeluFusion",))),
            )
        )
    if has_qdq(model):
        arms.append(
            Arm(
                ("native", 2, "all, QDQ fusion off"),
                lambda: native.figure(NativeJob(model, 2, "all", config=((DISABLE_QDQ, "1"),))),
            )
        )
    bench = study.bench()
    browser = {f"{level}": {"graphOptimizationLevel": level} for level in LEVELS}
    browser["all"] = None  # the demo's own options, untouched
    browser["all + arena & mem pattern"] = {"enableCpuMemArena": True, "enableMemPattern": True}
    browser["all, spinning off"] = {"extra": {"session": {"intra_op": {"allow_spinning": "0"}}}}
    if has_op(model, "Sigmoid"):
        browser["all, QuickGeluFusion off"] = NO_QUICKGELU
    if has_qdq(model):
        browser["all, QDQ fusion off"] = NO_QDQ_FUSION
    for name, options in browser.items():
        arms.append(
            Arm(("browser", 2, name), browser_arm(bench, artifact, 2, a.browser_warmup, a.browser_runs, options))
        )
    for level in LEVELS:  # one thread: the steadiest comparison on a shared 2-core VM
        arms.append(
            Arm(
                ("browser", 1, level),
                browser_arm(
                    bench,
                    artifact,
                    1,
                    a.browser_warmup,
                    a.browser_runs,
                    None if level == "all" else {"graphOptimizationLevel": level},
                ),
            )
        )
    study.log(f"{artifact.artifact_id}: levels and threads, {len(arms)} settings x {a.rounds} rounds")
    got = interleaved(arms, a.rounds, study.log)
    study.results[(artifact.artifact_id, "levels")] = got

    rows = []
    for name in [
        *LEVELS,
        "all, no NCHWc",
        "all, spinning off",
        "all + arena & mem pattern",
        "all, QuickGeluFusion off",
        "all, QDQ fusion off",
    ]:
        cells = {
            k: got.get((side, t, name))
            for k, (side, t) in {
                "b1": ("browser", 1),
                "n1": ("native", 1),
                "b2": ("browser", 2),
                "n2": ("native", 2),
            }.items()
        }
        if not any(cells.values()):
            continue
        label = name + (" (demo and bench default)" if name == "all" else "")
        text = {k: v.text() if v else "—" for k, v in cells.items()}
        rows.append(
            [
                label,
                text["b1"],
                text["n1"],
                ratio(cells["b1"], cells["n1"]),
                text["b2"],
                text["n2"],
                ratio(cells["b2"], cells["n2"]),
                ratio(cells["b2"], got[("native", 2, "all")]),
            ]
        )
    print(
        f"\n== Q1 {artifact.artifact_id}: graph optimization level and session options, warm inference ms "
        f"(median, IQR, per-round medians; ! = rounds more than {UNSTEADY:.1f}x apart)"
    )
    print(
        table(
            [
                "setting",
                "browser 1t",
                "native 1t",
                "ratio 1t",
                "browser 2t",
                "native 2t",
                "ratio 2t",
                "ratio 2t vs native 'all'",
            ],
            rows,
        )
    )
    for t in (1, 2):
        default = got[("browser", t, "all")]
        name, best = min(
            ((k[2], v) for k, v in got.items() if k[0] == "browser" and k[1] == t), key=lambda kv: kv[1].median
        )
        beaten = sum(f.median < d.median for f, d in zip(best.figures, default.figures, strict=True))
        print(
            f"   browser {t}t: fastest setting '{name}' {best.median:.1f} ms vs the default's {default.median:.1f} ms "
            f"({best.median / default.median - 1:+.0%}; faster in {beaten} of {len(default.figures)} rounds)"
        )
    b1, b2 = got[("browser", 1, "all")], got[("browser", 2, "all")]
    n1, n2 = got[("native", 1, "all")], got[("native", 2, "all")]
    print(f"\n== Q2 {artifact.artifact_id}: threads (level 'all')")
    print(
        table(
            ["", "1 thread", "2 threads", "speed-up 1t→2t"],
            [
                ["browser (wasm)", b1.text(), b2.text(), f"{b1.median / b2.median:.2f}×"],
                ["native", n1.text(), n2.text(), f"{n1.median / n2.median:.2f}×"],
                ["browser / native", ratio(b1, n1), ratio(b2, n2), ""],
            ],
        )
    )
    sys.stdout.flush()
