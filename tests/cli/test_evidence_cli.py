"""The `licvisit evidence` command on small fixtures: files, offline HTML, size, errors."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from licvisit.cli import main
from tests.paths import TEST_DATA

DATA = TEST_DATA / "evidence"
INPUTS = [
    "--calls",
    str(DATA / "calls.csv"),
    "--premises",
    str(DATA / "premises.csv"),
    "--zones",
    str(DATA / "zones.geojson"),
]
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    """One CLI run on the fixtures: Test Quarter, April to September 2017 against January to March."""
    out = tmp_path_factory.mktemp("evidence")
    args = ["evidence", *INPUTS, "--zone", "Test Quarter", "--from", "2017-04", "--to", "2017-09"]
    args += ["--compare-from", "2017-01", "--compare-to", "2017-03", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Evidence pack for Test Quarter, 2017-04 to 2017-09" in result.output
    return out


def test_writes_report_tables_and_charts(report_dir):
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    for name in (
        "monthly_by_group",
        "trend_tests",
        "hour_of_week",
        "concentration",
        "top_premises",
        "before_after",
    ):
        assert (report_dir / "tables" / f"{name}.csv").is_file(), name
        assert f'id="t-{name}"' in html
    for name in ("map.png", "monthly.png", "hour_of_week.png", "lorenz.png"):
        assert (report_dir / "charts" / name).read_bytes().startswith(b"\x89PNG")
    assert (report_dir / "evidence.json").is_file()


def test_report_is_self_contained_and_small(report_dir):
    path = report_dir / "report.html"
    html = path.read_text(encoding="utf-8")
    assert path.stat().st_size < 5 * 1024 * 1024
    assert not EXTERNAL.findall(html)
    assert "<script" not in html.lower().replace("&lt;script", "")  # no scripts of ours
    assert html.count('src="data:image/png;base64,') >= 4


def test_hostile_names_are_escaped_and_csv_is_excel_safe(report_dir):
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Bar" in html
    csv = (report_dir / "tables" / "top_premises.csv").read_text(encoding="utf-8-sig")
    assert "<script>alert('x')</script> Bar" in csv  # CSV keeps the text as it is
    assert "'=HYPERLINK" in csv and ",=HYPERLINK" not in csv


def test_no_personal_data_in_any_output(report_dir):
    for f in report_dir.rglob("*"):
        if f.suffix in (".html", ".csv", ".json"):
            text = f.read_text(encoding="utf-8-sig")
            assert "Dpsperson" not in text and "FREETEXT" not in text and "Jane Witness" not in text, f


def test_anonymise_flag(tmp_path):
    args = [
        "evidence",
        *INPUTS,
        "--zone",
        "test_quarter",
        "--from",
        "2017-01",
        "--to",
        "2017-12",
        "--anonymise",
    ]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Test Venue" not in html and "HYPERLINK" not in html and "alert(" not in html
    assert "Premises are shown by ID" in html


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--zone", "Nowhere"],
            "Error: Zone 'Nowhere' not found; expected one of: Test Quarter, Far Side.\n",
        ),
        (
            ["--zone", "Test Quarter", "--compare-from", "2017-01"],
            "Error: Give both --compare-from and --compare-to, or neither.\n",
        ),
        (
            ["--zone", "Test Quarter", "--intervention", "2016-01"],
            "Error: Intervention month 2016-01 must fall after",
        ),
    ],
)
def test_user_errors_are_one_line(tmp_path, extra, message):
    args = ["evidence", *INPUTS, "--from", "2017-01", "--to", "2017-12", "--out", str(tmp_path), *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_pdf_without_weasyprint_says_how_to_fix(tmp_path):
    pytest.importorskip("licvisit")
    try:
        import weasyprint  # noqa: F401

        pytest.skip("weasyprint is installed")
    except ImportError:
        pass
    args = ["evidence", *INPUTS, "--zone", "Far Side", "--from", "2017-01", "--to", "2017-03", "--pdf"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "Error: PDF output needs the weasyprint package" in result.output


@pytest.mark.browser
def test_report_renders_in_headless_chromium_without_console_errors(report_dir, tmp_path):
    from tests.browser import distinct_colours, load_page, require_chromium, screenshot

    require_chromium()
    report = report_dir / "report.html"
    run = load_page(report)
    assert run.console_errors == [], run.console_errors
    assert run.requests == [], run.requests
    assert "Hotspot evidence pack: Test Quarter" in run.dom
    assert run.dom.count("<img") >= 4
    png = screenshot(report, tmp_path / "shot.png", window="1100,1600")
    assert distinct_colours(png) > 50


def test_pdf_when_weasyprint_is_installed(report_dir, tmp_path):
    """--pdf writes report.pdf beside the HTML (weasyprint is the optional [pdf] extra)."""
    pytest.importorskip("weasyprint")
    from licvisit.render.evidence import _pdf_bytes

    pdf = _pdf_bytes((report_dir / "report.html").read_text(encoding="utf-8"))
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
