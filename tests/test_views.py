"""Every page type renders from hand-made views alone: no catalog, no card, no registry. The rules the views
layer keeps (templates only format, imports run down) are in test_view_rules.py."""

from __future__ import annotations

from generator.render import TEMPLATES, render_page
from generator.views.all_models import AllModelsView, Facet, ModelTile
from generator.views.cards import CodeLicense, OrgView, Sourced, TaskBadge
from generator.views.catalog import BestFigure, CatalogRow, CatalogView, menu
from generator.views.chart import ChartData, ChartGroup, ChartOption, ChartRow, ChartView
from generator.views.citations import Cite, SourceEntry
from generator.views.claims import Beside, ClaimBeside, ClaimsBeside, Difference
from generator.views.compare import ClientPairView, CompareIndexView, Link, PairList
from generator.views.figures import ClaimView, FigureCell
from generator.views.home import FeaturedView, HomeView
from generator.views.measured import AccuracySet
from generator.views.model import (
    ArtifactView,
    DetectionsView,
    DisagreeKind,
    DisagreementView,
    DisagreeValue,
    HeldView,
    HistoryView,
    LicenseRowView,
    ModelTask,
    ModelView,
    PairLink,
    PaperView,
    RawGroupView,
    RawView,
    VariantRow,
    VerificationView,
    WeightsSection,
    WeightView,
)
from generator.views.pair import (
    AlignedRow,
    AlignedTable,
    DemoView,
    PairRunView,
    PairView,
    RunsOf,
    SharedTaskView,
    SideClaims,
    SideView,
    TaskRow,
    Unaligned,
    UnalignedGroup,
)
from generator.views.records import MeasuredTable, ReadingRow, RecordColumn, RunInfo
from generator.views.tables import Table
from generator.views.tasks import AllModelsLink, TaskCell, TasksRow, TasksView

from .catalogs import ROOT

TEMPLATE_DIR = ROOT / "generator" / "templates"

# --- Hand-made views ---------------------------------------------------------------------------

HOSTILE = "Evil <script>alert(1)</script> *model*"
CITE = Cite(2, 'Paper "A" — Table 1', "models/m.md", "src-paper")  # the second source of card `m`
CITE_TAG = '<sup class="cite"><a href="{href}" title="Paper &#34;A&#34; — Table 1">[2]</a></sup>'
CELL = FigureCell("53.1%", "vendor-measured", "vendor re-run", CITE, note="<b>re-run</b>")
CLAIM = ClaimView(
    "k",
    "mAP50-95 · COCO val2017 · 640 px input",
    "mAP50-95",
    "higher",
    HOSTILE,
    "m-s",
    "v2",
    53.1,
    CELL,
    "Paper",
    "https://x.test/p",
)
DIFF = Difference("input size", "640×640, letterbox (centre)", HOSTILE, True)
BESIDE = Beside(
    37.2,
    "37.2%",
    (35.5, 38.9),
    95,
    "The interval: 1,000 resamples",
    "outside",
    15.9,
    "outside our 95% interval (35.5–38.9%); the claim is 15.9 points above our figure",
    "20260101T000000Z-box",
    "800 COCO val2017 images with people",
    (DIFF,),
    (Difference("evaluator", "pycocotools 2.0.10", "not stated", None),),
    (Difference("NMS", "after the graph", "included", False),),
)
CLAIMS = ClaimsBeside("m-s", (ClaimBeside(CLAIM, BESIDE), ClaimBeside(CLAIM, None)), False, HOSTILE)
SETS = (AccuracySet("800 COCO val2017 images with people", HOSTILE, True, "COCO boxes", "no crowd", "box area"),)
RUN = RunInfo("20260101T000000Z-box", "2026-01-01 00:00", "versus bench", None, "box: CPU X, 4 logical cores")
TABLE = MeasuredTable(
    (
        RecordColumn(
            "box, 2026-01-01",
            RUN,
            "onnxruntime 1.20",
            "m-s.coco",
            "ab" * 32,
            "ab" * 6,
            False,
            "random weights",
            False,
            "incomplete: accuracy not measured yet",
        ),
    ),
    (
        ReadingRow("onnxruntime CPU · 1 thread", "inference", True, ("46.2 ms (IQR 45.1–47.8, 30 runs)",)),
        ReadingRow("onnxruntime CPU · 1 thread", "end-to-end", False, (None,)),
    ),
    one_run=False,
    csv=Table("measured", ("", "box, 2026-01-01"), ()),
)
CHART = ChartData(
    ({"label": "ctx </script>", "measured": False, "points": 1, "models": 1, "families": [], "pareto": []},),
    (ChartGroup("Measured by Versus", ()), ChartGroup("Published", (ChartOption(0, "ctx", 1, 1),))),
    (ChartRow("ctx", "fam", "m-s", None, 2.5, 40.25, True, "claimed", "Paper"),),
    Table("chart-points", ("Context",), (("ctx",),)),
)
SIDE = SideView(
    "m",
    HOSTILE,
    "summary",
    "models/m.md",
    (OrgView("Org", "https://org.test", (CITE,)),),
    "detector",
    "image",
    (Sourced("2024-01-02 (paper)", CITE),),
    "640 px",
    "2.6–57 M",
    5,
    CodeLicense("MIT", "https://l.test", CITE, "Do anything.", None, True),
    True,
)
OTHER = SideView(
    "n",
    "Other",
    "other summary",
    "models/n.md",
    (OrgView("Org2", None, ()),),
    "detector",
    "image",
    (Sourced("2023-05-06 (code)", Cite(1, "Repo", "models/n.md", "src-repo")),),
    "320 px",
    "not stated",
    1,
    CodeLicense("AGPL-3.0", "https://a.test", Cite(1, "Repo", "models/n.md", "src-repo"), None, None, False),
    False,
)


def views() -> dict[type, object]:
    """One view of every page type, made by hand: no catalog, no card, no registry."""
    return {
        HomeView: HomeView(
            "index.md",
            3,
            7,
            (
                FeaturedView("A vs B", "compare/a-vs-b.md", "", "why <x>", 2, 1, "Both run here."),
                FeaturedView("C vs D", "compare/view.md", "?a=c&b=d", "why", 0, 0, "No demo."),
            ),
        ),
        CatalogView: CatalogView(
            "models/index.md",
            (("object-detection", "Object detection"),),
            ("MIT",),
            ("Org",),
            (
                CatalogRow(
                    HOSTILE,
                    "models/m.md",
                    "object-detection",
                    "Org|Org Inc",
                    "yes",
                    "Org",
                    "MIT",
                    ("not stated",),
                    "Object detection",
                    2.6,
                    "2.6–57",
                    53.1,
                    BestFigure(53.1, "m-s", CITE),
                    "2024-01-02",
                ),
            ),
            Table("catalog", ("Model",), ((HOSTILE,),)),
        ),
        TasksView: TasksView(
            "tasks.md",
            ("Object detection", "Segmentation"),
            (TasksRow(HOSTILE, "models/m.md", (TaskCell("pretrained", CITE), None)),),
            Table("tasks", ("Model", "Object detection", "Segmentation"), ((HOSTILE, "●", "–"),)),
            (AllModelsLink("object detection", "demo/object-detection.md"),),
        ),
        AllModelsView: AllModelsView(
            "demo/object-detection.md",
            "object-detection",
            "object detection",
            (
                ModelTile(
                    "m-s.coco",
                    HOSTILE,
                    "M",
                    "models/m.md",
                    "AGPL-3.0",
                    "10.8 MB",
                    10_800_000,
                    "2.62 M parameters",
                    "1–3 M parameters",
                ),
            ),
            (Facet("license", "Licence", ("AGPL-3.0", 'A "quoted" <licence>')),),
        ),
        ChartView: ChartView("chart.md", CHART),
        CompareIndexView: CompareIndexView(
            "compare/index.md",
            (("m", HOSTILE), ("n", "Other")),
            True,
            (PairList(HOSTILE, (Link("M vs N", "compare/m-vs-n.md"),)),),
            1,
        ),
        ClientPairView: ClientPairView("compare/view.md"),
        ModelView: ModelView(
            page="models/m.md",
            id="m",
            name=HOSTILE,
            summary="A <b>summary</b>.",
            organizations=SIDE.organizations,
            authors=(Sourced("Ann, Bo", CITE),),
            released=SIDE.released,
            license=SIDE.license,
            category="detector",
            modality="image",
            input="640 px",
            params="2.6–57 M",
            paper=PaperView("https://p.test", "The paper", "CVPR", "2401.00001", CITE),
            code=Sourced("https://c.test", CITE),
            aliases=("M1", "M-one"),
            tasks=(ModelTask("Object detection", "pretrained", CITE, ""),),
            tasks_csv=Table("tasks", ("Task",), (("Object detection",),)),
            variants_csv=Table("variants", ("Variant",), (("m-s",),)),
            variants=(
                VariantRow(
                    "m-s",
                    "M small",
                    "Object detection",
                    (Sourced("640", CITE),),
                    (),
                    (Sourced("8.7 MAdds", CITE),),
                    None,
                ),
            ),
            claims=(CLAIM,),
            disagreements=(
                DisagreementView(
                    "m-s parameters (M)",
                    (
                        DisagreeKind(
                            "claimed",
                            "claimed",
                            (DisagreeValue("2.6", 2, "src-paper"), DisagreeValue("2.7", 3, "src-blog")),
                        ),
                    ),
                ),
            ),
            history=(HistoryView("m-s.coco", "m-s", False, 1, CLAIMS, TABLE),),
            per_class=(),
            claims_csv=Table("claimed-metrics", ("Variant",), (("m-s",),)),
            disagreements_csv=Table("sources-disagree", ("Fact",), (("m-s parameters (M)",),)),
            license_csv=Table("licences", ("Variants",), (("m-s",),)),
            accuracy_sets=SETS,
            license_rows=(
                LicenseRowView(
                    ("m-s",),
                    (
                        HeldView("code", "MIT", True, "https://l.test", "Do anything.", False),
                        HeldView("weights", "not-stated", False, None, None, True),
                    ),
                    None,
                    "",
                ),
            ),
            weights=(
                WeightsSection(
                    "m-s",
                    (WeightView("https://w.test/m.pt", CITE, True, "pytorch", "MIT", "12,345", True, None, None),),
                    (
                        ArtifactView(
                            "m-s",
                            True,
                            None,
                            17,
                            "9,876",
                            "2,600,000",
                            "cd" * 32,
                            "ef" * 32,
                            "mirror",
                            "onnx-exporter",
                            VerificationView(
                                "matched",
                                "PyTorch",
                                4,
                                "COCO images",
                                "0.5",
                                DetectionsView(9, 10, "0.991", None, "its predictor"),
                                RawView(
                                    "the module",
                                    True,
                                    "0.01",
                                    None,
                                    (RawGroupView("boxes", "1,234", "56,789", "0.0123", " px", "<= 2 px"),),
                                    False,
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            runtime_spec=True,
            demo_ready=True,
            compare_with=(PairLink("M vs N", "compare/m-vs-n.md", "", "object detection"),),
            sources=(
                SourceEntry(1, "src-repo", "https://r.test", "Repo", "repository", "2025-01-01"),
                SourceEntry(2, "src-paper", "https://p.test", 'Paper "A"', "paper", "2025-01-01"),
            ),
        ),
        PairView: PairView(
            page="compare/m-vs-n.md",
            a=SIDE,
            b=OTHER,
            demo=DemoView(
                True,
                "Only M runs here: this build has no trained Other artifact.",
                True,
                True,
                "demo/object-detection.md",
            ),
            demo_ready=True,
            tasks=(
                TaskRow(
                    "Object detection",
                    TaskBadge("Object detection", "pretrained", CITE),
                    TaskBadge("Object detection", "architecture-only", None),
                ),
            ),
            shared=(SharedTaskView("Object detection", "pretrained", "architecture-only"),),
            aligned=(
                AlignedTable(
                    "mAP50-95 · 640 px input",
                    "mAP50-95",
                    "higher",
                    (AlignedRow(CLAIM, True), AlignedRow(CLAIM, False)),
                    Table("aligned-1", ("Model",), ()),
                ),
            ),
            unaligned=(Unaligned("Other", (UnalignedGroup("Latency · T4", (CLAIM,)),)),),
            measured=PairRunView(
                RUN,
                True,
                (SideClaims(HOSTILE, "m-s", CLAIMS),),
                MeasuredTable(TABLE.columns, TABLE.rows, True, TABLE.csv),
                SETS,
            ),
            runs=(RunsOf(HOSTILE, "models/m.md", 2), RunsOf("Other", "models/n.md", 0)),
            chart=CHART,
            per_class=None,
            properties=Table("properties", ("", HOSTILE, "Other"), ()),
        ),
    }


def text(page: str) -> str:
    return " ".join(page.split())


def test_every_page_type_renders_from_views_alone() -> None:
    pages = {kind: render_page(view) for kind, view in views().items()}
    assert set(pages) == set(TEMPLATES), "a page type without a hand-made view here, or a view without a template"
    page_templates = {p.name for p in TEMPLATE_DIR.glob("*.md.j2")}
    assert set(TEMPLATES.values()) == page_templates, "every page template is rendered from a view"

    home = pages[HomeView]
    assert "<strong>3</strong> models with\n<strong>7</strong> variants" in home
    assert '<a href="compare/a-vs-b/">A vs B</a>' in home and '<a href="compare/view/?a=c&amp;b=d">C vs D</a>' in home
    assert "2 figures measured the same way, in 1 table. Both run here." in home
    assert "No figures of the two were measured the same way" in home and "why &lt;x&gt;" in home
    assert '<a href="catalog.json">catalog.json</a>' in home

    tasks = pages[TasksView]
    assert CITE_TAG.format(href="../models/m/#src-paper") in tasks, (
        "a citation on another page links to the card's page"
    )
    assert "Evil &lt;script&gt;" in tasks and "<script>" not in tasks
    assert text(tasks).count('<td class="vs-cell">') == 2 and '<span class="vs-none">–</span>' in tasks

    assert '<a href="../demo/object-detection/">object detection</a>' in tasks

    every = pages[AllModelsView]
    assert 'data-all-models="../../demo/manifest.json" data-task="object-detection"' in every
    assert '<script type="module" src="../../assets/versus-demo/all-models.js"></script>' in every
    assert (
        '<article class="vs-all-model" data-artifact="m-s.coco" data-order="0" data-license="AGPL-3.0" data-family="M" data-size="1–3 M parameters">'
        in every
    )
    assert '<h3><a href="../../models/m/">Evil &lt;script&gt;alert(1)&lt;/script&gt; *model*</a></h3>' in every
    assert "<script>alert" not in every
    assert '<option value="A &#34;quoted&#34; &lt;licence&gt;">' in every
    assert "M · licence AGPL-3.0 · 10.8 MB · 2.62 M parameters" in every

    catalog = pages[CatalogView]
    assert 'data-orgs="Org|Org Inc"' in catalog and 'data-commercial="yes"' in catalog
    assert (
        '<td data-sort="53.1">53.1 <span class="vs-variant">(m-s)</span>' + CITE_TAG.format(href="m/#src-paper")
        in catalog
    )
    assert "<td>not stated</td>" in catalog
    assert (
        '<table id="vs-catalog" data-csv="catalog.csv">' in catalog
        and '<a href="catalog.csv" download title="catalog.csv: the table above as shown, citation marks left out">'
        in catalog
    )

    chart = pages[ChartView]
    assert '<optgroup label="Measured by Versus">\n</optgroup>' in chart
    assert '<option value="0">ctx (1 model, 1 point)</option>' in chart
    assert '"label": "ctx <\\/script>"' in chart, "the data island cannot close its script element"
    assert "<td>m-s</td><td>–</td><td>2.5</td><td>40.2</td><td>yes</td>" in chart

    index = pages[CompareIndexView]
    assert 'data-base="./" data-static="yes"' in index and '<a href="m-vs-n/">M vs N</a>' in index
    assert '<option value="n" selected>Other</option>' in index

    view = pages[ClientPairView]
    assert 'data-catalog="../../catalog.json" data-site="../../"' in view

    model = pages[ModelView]
    assert model.startswith('---\ntitle: "Evil &lt;script&gt;alert(1)&lt;/script&gt; *model*"\n')
    assert "# Evil &lt;script&gt;alert\\(1\\)&lt;/script&gt; \\*model\\*" in model
    assert CITE_TAG.format(href="#src-paper") in model, "a citation on the card's own page is the anchor alone"
    assert '53.1% <span class="vs-kind vs-kind-vendor-measured" title="whose figure">vendor re-run</span>' in model
    assert '<span class="vs-note" title="&lt;b&gt;re-run&lt;/b&gt;">†</span>' in model
    assert (
        '<sup class="cite"><a href="#src-paper">[2]</a></sup> · 2.7 <sup class="cite"><a href="#src-blog">[3]</a></sup>'
        in model
    )
    assert 'data-csv="sources-disagree.csv"' in model and 'href="licences.csv" download' in model
    assert (
        "verified: 9 of 10 confident detections matched (score 0.5 or more, on either side) against PyTorch on 4 COCO images, lowest box IoU 0.991;"
        in text(model)
    )
    assert "boxes: 1,234 of 56,789 values beyond the limit, largest difference 0.0123 px, bound &lt;= 2 px." in model
    assert '<th colspan="2">onnxruntime CPU · 1 thread</th>' in model and model.count('class="vs-setting"') == 1
    assert '<span class="vs-missing">—</span>' in model and "These claims describe the trained model" in model
    assert '<td class="vs-incomplete">incomplete: accuracy not measured yet</td>' in model
    assert 'weights: <span class="vs-missing">not stated</span> <span class="vs-differs">' in model
    assert '<span class="vs-missing">unknown: a licence is not stated</span>' in model
    assert 'data-manifest="../../demo/manifest.json" data-cards="m"' in model
    assert '<a href="../../compare/m-vs-n/">M vs N</a>' in model
    assert (
        '<li id="src-paper"><a href="https://p.test" rel="nofollow noopener">Paper &#34;A&#34;</a> (paper), read 2025-01-01.</li>'
        in model
    )

    pair = pages[PairView]
    assert '<tr class="vs-best"><td>Evil &lt;script&gt;' in pair and pair.count("★ 53.1%") == 1
    assert "<h4>mAP50-95 · 640 px input</h4>" in pair and "mAP50-95 (higher is better)" in pair
    assert CITE_TAG.format(href="../../models/m/#src-paper") in pair
    assert "<code>versus export</code> could not fetch" in pair and 'data-cards="m,n"' in pair
    assert "<li>Latency · T4: <code>m-s</code> 53.1%" in pair
    assert (
        "Machine box: CPU X, 4 logical cores; run <code>20260101T000000Z-box</code>, started 2026-01-01 00:00 UTC"
        in pair
    )
    assert '<span class="vs-missing">not recorded</span>' in pair and "<th>Machine</th>" not in pair, (
        "one run: said once, above the table"
    )
    assert '<a href="../../models/m/#licences">see its page</a>' in pair
    assert (
        '<table data-csv="aligned-1.csv">' in pair
        and '<a href="measured.csv" download title="measured.csv: the table above as shown, citation marks left out">'
        in pair
    )
    assert "No run has measured the accuracy of both Evil &lt;script&gt;" in pair
    assert "No run has measured Evil &lt;script&gt;" in model and "accuracy on the COCO val2017 set yet" in model
    assert '<a href="../../demo/object-detection/">Run the image through every trained model</a>' in pair
    assert pair.index('class="vs-demo"') < pair.index("## Properties") and "## Live demo" not in pair, (
        "the demo is the first thing under the title"
    )


def test_filter_menus_list_each_value_once_in_case_insensitive_order() -> None:
    assert menu(["Org", "iMoonLab", "org", "Baidu", "Institute"]) == ("Baidu", "iMoonLab", "Institute", "Org")
