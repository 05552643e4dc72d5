"""Open a local HTML page in headless Chromium and report what happened.

One Chromium launch per page: ``--dump-dom`` gives the DOM after scripts
ran (``--virtual-time-budget`` lets them finish), ``--enable-logging=stderr``
gives console messages, ``--log-net-log`` lists every request the page
made, and ``--host-resolver-rules`` makes sure nothing could reach the
network anyway.  A screenshot needs a second launch (Chromium does one
action per run).  No Python dependency beyond the standard library; PIL
(shipped with matplotlib) counts screenshot colours.  Tests that click
through a page use Playwright instead (``playwright_or_skip``, ``watch_page``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.paths import TEST_DATA

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
    "--enable-logging=stderr",
    "--log-level=0",
]
# Console lines Chromium prints about its own canvas, not errors in our page.
BENIGN_CONSOLE = ("willReadFrequently",)
_CONSOLE = re.compile(r":INFO:CONSOLE(?:\(\d+\)|:\d+)\]\s*(.*)$")


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


def require_chromium() -> None:
    """Skip the calling test without Chromium, or fail if LICVISIT_REQUIRE_BROWSER=1."""
    if chromium_available():
        return
    if os.environ.get("LICVISIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"Chromium not found at {CHROMIUM} and LICVISIT_REQUIRE_BROWSER=1")
    pytest.skip(
        "Chromium not installed (apt-get install chromium); set LICVISIT_REQUIRE_BROWSER=1 to fail instead"
    )


@dataclass
class PageRun:
    """What one page load did."""

    dom: str
    console: list[str] = field(default_factory=list)  # every console message
    requests: list[str] = field(default_factory=list)  # URLs the page asked for (not file: / data:)
    stderr: str = ""

    @property
    def console_errors(self) -> list[str]:
        return [c for c in self.console if not any(b in c for b in BENIGN_CONSOLE)]


def _page_requests(netlog: Path) -> list[str]:
    """URLs requested by the page (not by the browser itself) from a Chromium net log."""
    try:
        d = json.loads(netlog.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        # Chromium may leave the file without the closing brackets when killed.
        text = netlog.read_text(encoding="utf-8", errors="replace").rstrip().rstrip(",")
        d = json.loads(text + "]}")
    types = {v: k for k, v in d["constants"]["logEventTypes"].items()}
    urls = []
    for e in d.get("events", []):
        if types.get(e.get("type")) != "URL_REQUEST_START_JOB":
            continue
        p = e.get("params", {})
        if "url" not in p:  # the end of a job, logged without its URL
            continue
        url = p["url"]
        # Browser housekeeping (update checks, account lookups) has no page as its origin.
        page = "file://" in str(p.get("network_isolation_key", "")) or p.get("initiator") not in (
            "not an origin",
        )
        if page and not url.startswith(("file:", "data:", "blob:", "about:", "chrome:")):
            urls.append(url)
    return urls


def load_page(path: Path, *, fragment: str = "", budget_ms: int = 5000, window: str = "1280,800") -> PageRun:
    """Load ``path`` (plus ``#fragment``) headless; return the DOM, console and requests."""
    url = Path(path).resolve().as_uri() + (f"#{fragment}" if fragment else "")
    with tempfile.TemporaryDirectory(prefix="lv-chromium-") as tmp:
        netlog = Path(tmp) / "net.json"
        cmd = [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp}/profile",
            f"--log-net-log={netlog}",
            f"--window-size={window}",
            f"--virtual-time-budget={budget_ms}",
            "--dump-dom",
            url,
        ]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
        console = [m.group(1) for line in res.stderr.splitlines() if (m := _CONSOLE.search(line))]
        requests = _page_requests(netlog) if netlog.exists() else []
    return PageRun(dom=res.stdout, console=console, requests=requests, stderr=res.stderr)


def screenshot(
    path: Path, out_png: Path, *, fragment: str = "", budget_ms: int = 5000, window: str = "1280,800"
) -> Path:
    """Save a screenshot of the page after its scripts ran."""
    url = Path(path).resolve().as_uri() + (f"#{fragment}" if fragment else "")
    with tempfile.TemporaryDirectory(prefix="lv-chromium-") as tmp:
        cmd = [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp}/profile",
            f"--window-size={window}",
            f"--virtual-time-budget={budget_ms}",
            f"--screenshot={out_png}",
            url,
        ]
        subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)
    return out_png


def print_to_pdf(path: Path, out_pdf: Path, *, budget_ms: int = 3000) -> Path:
    """Print the page as the browser would (print media, ``@page`` size) to a PDF."""
    url = Path(path).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="lv-chromium-") as tmp:
        cmd = [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp}/profile",
            f"--virtual-time-budget={budget_ms}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out_pdf}",
            url,
        ]
        subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)
    return out_pdf


def pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) [pt] of each page of a PDF Chromium wrote (uncompressed page dictionaries)."""
    data = pdf.read_bytes()
    n = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    boxes = [tuple(float(v) for v in m.split()[2:4]) for m in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data)]
    return [boxes[0] if boxes else (0.0, 0.0)] * n if len(set(boxes)) <= 1 else boxes[:n]


def distinct_colours(png: Path) -> int:
    """Number of distinct RGB colours in an image (a blank page has one or two)."""
    from PIL import Image

    with Image.open(png) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1 << 24)
    return len(colours or [])


def playwright_or_skip():
    """Playwright's ``sync_playwright``; skip without it, or fail if LICVISIT_REQUIRE_BROWSER=1."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("LICVISIT_REQUIRE_BROWSER") == "1":
            pytest.fail("playwright is not installed and LICVISIT_REQUIRE_BROWSER=1 (pip install -e .[test])")
        pytest.skip("playwright is not installed (pip install -e .[test])")
    return sync_playwright


def watch_page(page, errors: list[str], requests: list[str]) -> None:
    """Append the page's console errors and uncaught exceptions to ``errors``, and to ``requests``
    every URL it asks for that is not a local file, data or blob URL."""
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None,
    )


MAPS_DATA = TEST_DATA / "maps"


def map_inputs() -> dict:
    """The small hand-made map fixture in tests/data/maps (hostile names included), as keyword arguments.

    Seven premises around Broad Street and Hurst Street (one named
    ``<img src=x onerror=alert(1)>``, one with a JavaScript template literal,
    one that tries to close the script tag, one with no coordinates), their
    ranking, visit history, 40 calls, two NTE zones (one with a hostile name),
    and a saved plan with three crew-nights (licensing, gang operation, SIA).
    """
    import geopandas as gpd
    import pandas as pd

    from licvisit.io.plan_io import read_plan

    return {
        "plan": read_plan(MAPS_DATA / "plan"),
        "premises": pd.read_csv(MAPS_DATA / "premises.csv", dtype={"premises_id": str}),
        "ranking": pd.read_csv(MAPS_DATA / "ranking.csv", dtype={"premises_id": str}),
        "visit_history": pd.read_csv(MAPS_DATA / "visit_history.csv", dtype={"premises_id": str}),
        "calls": pd.read_csv(MAPS_DATA / "calls.csv", dtype={"premises_ref": str, "call_id": str}),
        "zones": gpd.read_file(MAPS_DATA / "zones.geojson"),
    }
