"""`licvisit rank` writes an attribution table longer than an Excel sheet as Parquet, and says so.

The real limit (1,048,576 rows) needs about 1.5 million calls; these tests
lower ``licvisit.io.ranking_io.EXCEL_MAX_ROWS`` so the five-premises fixture
crosses it.
"""

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from licvisit.cli import main
from licvisit.io import ranking_io
from tests.paths import TEST_DATA

DATA = TEST_DATA / "risk"
INPUTS = [
    *("--calls", str(DATA / "calls.csv")),
    *("--premises", str(DATA / "premises.csv")),
    *("--visits", str(DATA / "visits.csv")),
]


def _rank(out: Path) -> str:
    res = CliRunner().invoke(main, ["rank", *INPUTS, "--out", str(out), "--top", "0"])
    assert res.exit_code == 0, res.output
    return res.output


def test_attribution_file_is_csv_up_to_a_sheet_and_parquet_beyond():
    limit = ranking_io.EXCEL_MAX_ROWS
    assert limit == 1_048_576
    assert ranking_io.attribution_file(limit - 1) == "attribution.csv"  # with its header: a full sheet
    assert ranking_io.attribution_file(limit) == "attribution.parquet"
    assert ranking_io.attribution_note(limit - 1) is None
    assert ranking_io.attribution_note(1_400_000) == (
        "The attribution table has 1,400,000 rows, more than Excel opens (1,048,576 rows a sheet), so it "
        "is written as attribution.parquet instead of attribution.csv (read it with pandas, R arrow, DuckDB "
        "or QGIS)."
    )


def test_rank_writes_a_long_attribution_table_as_parquet_with_the_same_links(tmp_path, monkeypatch):
    small = _rank(tmp_path / "csv")
    assert "attribution.parquet" not in small
    csv = pd.read_csv(tmp_path / "csv" / "attribution.csv", encoding="utf-8-sig")
    monkeypatch.setattr(ranking_io, "EXCEL_MAX_ROWS", len(csv))  # one row too many with the header
    out = tmp_path / "parquet"
    printed = _rank(out)
    assert (
        f"Note: The attribution table has {len(csv):,} rows, more than Excel opens ({len(csv):,} rows a "
        "sheet), so it is written as attribution.parquet instead of attribution.csv"
    ) in printed
    assert (
        f"Wrote {out / 'ranking.csv'}, ranking.gpkg, ranking.json, attribution.parquet, "
        "attribution_sensitivity.csv"
    ) in printed
    assert not (out / "attribution.csv").exists()
    assert (out / "attribution_sensitivity.csv").is_file()
    pq = pd.read_parquet(out / "attribution.parquet")
    assert list(pq.columns) == list(csv.columns)
    assert pq["call_id"].astype(str).tolist() == csv["call_id"].astype(str).tolist()
    assert pq["premises_id"].astype(str).tolist() == csv["premises_id"].astype(str).tolist()
    assert pq["weight"].tolist() == pytest.approx(csv["weight"].tolist(), abs=1e-12)
    assert pq["source_row"].tolist() == csv["source_row"].tolist()


def test_a_rerun_that_writes_parquet_replaces_the_previous_attribution_csv(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _rank(out)
    assert (out / "attribution.csv").is_file()
    monkeypatch.setattr(ranking_io, "EXCEL_MAX_ROWS", 10)
    _rank(out)
    names = sorted(p.name for p in out.iterdir())
    assert "attribution.parquet" in names and "attribution.csv" not in names  # no stale CSV beside it
    monkeypatch.setattr(ranking_io, "EXCEL_MAX_ROWS", 1_048_576)
    _rank(out)
    names = sorted(p.name for p in out.iterdir())
    assert "attribution.csv" in names and "attribution.parquet" not in names


def test_parquet_attribution_keeps_dictionaries_and_statistics_only_where_they_help(tmp_path, monkeypatch):
    """Distinct call ids get no page dictionary and no min/max; numbers keep their statistics."""
    import pyarrow.parquet as papq

    monkeypatch.setattr(ranking_io, "EXCEL_MAX_ROWS", 10)
    out = tmp_path / "out"
    _rank(out)
    meta = papq.ParquetFile(out / "attribution.parquet").metadata
    columns = {
        meta.row_group(0).column(i).path_in_schema: meta.row_group(0).column(i)
        for i in range(meta.num_columns)
    }
    assert "RLE_DICTIONARY" not in columns["call_id"].encodings
    assert not columns["call_id"].is_stats_set
    assert "RLE_DICTIONARY" in columns["premises_id"].encodings
    assert not columns["premises_id"].is_stats_set
    for name in ("call", "distance_m", "weight", "source_row"):
        assert columns[name].is_stats_set, name
