"""The whole loop on the demo data: record an outcome on a crew map, import it, next week follows it up."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from licvisit.cli import main
from tests.browser import CHROMIUM, playwright_or_skip, require_chromium, watch_page
from tests.paths import REPO_ROOT

pytestmark = pytest.mark.browser
ROOT = REPO_ROOT
INPUTS = ("calls_demo.csv", "premises_birmingham.csv", "nte_zones.geojson", "staff.csv", "visit_history.csv")


def _plan(config: Path, week: str, out: Path) -> None:
    res = CliRunner().invoke(
        main,
        ["plan", "--config", str(config), "--week", week, "--out", str(out / "plan"),
         "--maps-dir", str(out / "maps"), "--time-limit", "60"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output


def _rows(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_record_on_the_demo_map_import_and_follow_up_next_week(tmp_path):
    require_chromium()
    sync_playwright = playwright_or_skip()
    for name in INPUTS:
        shutil.copy(ROOT / "data" / name, tmp_path / name)
    config = tmp_path / "licvisit.toml"
    # [plan] is the demo config's last section: a work limit makes the plan the same on any machine
    config.write_text(
        (ROOT / "data" / "licvisit.toml").read_text(encoding="utf-8") + "\nwork_limit = 20000\n",
        encoding="utf-8",
    )
    _plan(config, "2025-W41", tmp_path / "w41")
    plan = json.loads((tmp_path / "w41" / "plan" / "plan.json").read_text(encoding="utf-8"))
    first = min(plan["visits"], key=lambda v: (v["night"], v["crew_id"], v["order"]))
    crew_map = sorted((tmp_path / "w41" / "maps").glob(f"{first['night']}_*.html"))[0]
    assert crew_map.stat().st_size <= 2_000_000

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND"]
        )
        page = browser.new_context(accept_downloads=True).new_page()
        errors, requests = [], []
        watch_page(page, errors, requests)
        page.goto(crew_map.as_uri())
        page.locator("#stop-1").get_by_role("button", name="Record outcome").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Outcome").select_option("breach_found")
        dialog.get_by_label("Notes").fill("<script>alert(1)</script> =SUM(1)")
        dialog.get_by_role("button", name="Save").click()
        page.reload()
        assert "Breach found" in page.locator("#stop-1 p.lv-outcome").first.text_content()
        page.locator("#stop-1 button.lv-go").click()  # the stop's popup shows the outcome too
        assert (
            page.locator(".leaflet-popup-content p.lv-outcome")
            .text_content()
            .startswith("Recorded: Breach found")
        )
        with page.expect_download() as dl:
            page.get_by_role("button", name="Export outcomes (1)").click()
        export = tmp_path / dl.value.suggested_filename
        dl.value.save_as(export)
        assert errors == [] and requests == []
        browser.close()

    row = _rows(export).iloc[0]
    pid = row["premises_id"]
    history = tmp_path / "visit_history.csv"
    before = _rows(history)
    n = len(before)
    # without this import the premises would not be a follow-up next week
    mine = before[before["premises_id"] == pid]
    recent = pd.to_datetime(mine["visited_at"]) >= pd.Timestamp("2025-10-13") - pd.Timedelta(days=42)
    assert not (recent & mine["outcome"].isin(["breach_found", "action_plan"])).any()
    for _ in range(2):
        res = CliRunner().invoke(main, ["visits", "import", str(export), "--into", str(history)])
        assert res.exit_code == 0, res.output
        assert len(_rows(history)) == n + 1

    _plan(config, "2025-W42", tmp_path / "w42")
    visits = _rows(tmp_path / "w42" / "plan" / "visits.csv")
    planned = visits[visits["premises_id"] == pid]
    if len(planned):
        assert planned["reason"].str.startswith("follow-up of ").any()
    else:
        bent = _rows(tmp_path / "w42" / "plan" / "bent_rules.csv")
        assert ((bent["rule"] == "breach_follow_up") & (bent["subject"] == pid)).any()
