"""Writing a ranking (licvisit.io.ranking_io): the files, their columns, Excel-safe text, tidy numbers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyogrio

from licvisit.io.ranking_io import write_attribution, write_ranking

FILES = ["ranking.csv", "ranking.gpkg", "ranking.json", "attribution.csv", "attribution_sensitivity.csv"]


def _csv(path):
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"premises_id": str})


def test_ranking_csv_has_the_tables_columns_in_rank_order_and_excel_safe_names(small_ranking, tmp_path):
    ranking, _ = small_ranking
    written = write_ranking(ranking, tmp_path)
    assert [p.name for p in written] == FILES
    raw = (tmp_path / "ranking.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as UTF-8
    df = _csv(tmp_path / "ranking.csv")
    assert list(df.columns) == [c for c in ranking.table.columns if c != "geometry"]
    assert df["rank"].tolist() == [1, 2, 3, 4, 5]
    assert df["premises_id"].tolist() == ranking.table["premises_id"].tolist()
    # a name that starts like a formula is written as text, never run by Excel
    assert df.loc[df["premises_id"] == "P2", "name"].item() == '\'=HYPERLINK("http://x")'
    np.testing.assert_allclose(df["score"], ranking.table["score"], rtol=0, atol=1e-9)


def test_numbers_are_rounded_to_nine_decimals_without_negative_zeros(small_ranking, tmp_path):
    ranking, _ = small_ranking
    table = ranking.table.copy()
    table.loc[0, "score"] = 6314.829999999998
    table.loc[0, "harm"] = -0.0
    write_ranking(ranking, tmp_path, table=table, attribution=False)
    first = (tmp_path / "ranking.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    assert ",6314.83," in first and "6314.829999" not in first
    assert "-0.0" not in first
    assert _csv(tmp_path / "ranking.csv")["harm"].iloc[0] == 0.0


def test_json_and_geopackage_hold_the_same_premises(small_ranking, tmp_path):
    ranking, _ = small_ranking
    write_ranking(ranking, tmp_path, attribution=False)
    assert not (tmp_path / "attribution.csv").exists()
    doc = json.loads((tmp_path / "ranking.json").read_text(encoding="utf-8"))
    assert list(doc)[:3] == ["as_of", "params", "harm_source"] and list(doc)[-1] == "premises"
    assert [r["premises_id"] for r in doc["premises"]] == ["P1", "P4", "P2", "P3", "P5"]
    assert doc["premises"][2]["name"] == '=HYPERLINK("http://x")'  # JSON keeps the text as it was
    assert pyogrio.list_layers(tmp_path / "ranking.gpkg")[:, 0].tolist() == ["ranking"]
    gpkg = pyogrio.read_dataframe(tmp_path / "ranking.gpkg", layer="ranking")
    assert gpkg.crs.to_epsg() == 27700
    assert gpkg["premises_id"].tolist() == ["P1", "P4", "P2", "P3", "P5"]
    assert gpkg.geometry.x.tolist() == ranking.table["x"].tolist()


def test_attribution_names_each_calls_id_and_the_file_and_row_it_came_from(small_ranking, tmp_path):
    ranking, calls = small_ranking
    write_attribution(ranking.links, tmp_path, calls)
    att = pd.read_csv(tmp_path / "attribution.csv", encoding="utf-8-sig", dtype=str)
    assert list(att.columns[:3]) == ["call", "call_id", "premises_id"]
    assert len(att) == len(ranking.links.table)
    first = att.iloc[0]
    call = calls.iloc[int(first["call"])]
    assert first["call_id"] == call["call_id"]
    assert first["source_file"] == "calls.csv"  # the file's name, not the path it was read from
    assert int(first["source_row"]) == int(call["source_row"])
    sens = pd.read_csv(tmp_path / "attribution_sensitivity.csv", encoding="utf-8-sig")
    assert len(sens) == len(ranking.links.sensitivity)
