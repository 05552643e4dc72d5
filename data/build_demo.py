"""Build the bundled demo data in ``data/`` from the real files in ../shared/data.

Run from the repository root::

    .venv/bin/python data/build_demo.py [--shared ../shared/data] [--seed 2025]

Steps (each deterministic; re-running gives byte-identical files):

1. copy the nine police.uk street-level CSVs (Jan-Sep 2017) unchanged, and the
   police.uk API extract they come from (Jan-Nov 2017: Oct-Nov are the
   backtest's held-out months) into ``police_uk_2017_api/``;
2. filter the FHRS register to pubs/bars/nightclubs and takeaways, keeping
   the original header, line endings and bytes of every kept row;
3. ``premises_birmingham.csv``: those premises plus licensed restaurants in
   B1-B5, located (FHRS lon/lat, else the postcode lookup), with licence
   attributes synthesised by :func:`licvisit.synth.synth_licence_attributes`;
4. ``nte_zones.geojson``: illustrative zones drawn around the police.uk snap
   points of named streets (convex hull + 60 m, overlaps removed);
5. ``calls_demo.csv``: one year of synthetic calls from
   :func:`licvisit.synth.synth_calls` at the premises and the police.uk snap points;
6. ``staff.csv``: an invented force licensing team and partners;
7. ``visit_history.csv``: a year of synthetic visits (:func:`licvisit.synth.synth_visits`);
8. ``licvisit.toml`` naming them.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely.geometry import MultiPoint, mapping
from shapely.ops import unary_union

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from licvisit.domain import PREMISES_COLUMNS, VISIT_COLUMNS  # noqa: E402
from licvisit.io.write import atomic_write_text, write_csv  # noqa: E402
from licvisit.synth import (  # noqa: E402
    SynthParams,
    fictitious_names,
    synth_calls,
    synth_licence_attributes,
    synth_visits,
)

SEED = 2025
CENTRE_POSTCODES = ("B1", "B2", "B3", "B4", "B5")
TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
TO_WGS = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
FHRS_TYPES = ("Pub/bar/nightclub", "Takeaway/sandwich shop")


def copy_police_uk(shared: Path, out: Path) -> list[Path]:
    """Copy the monthly police.uk street CSVs unchanged into ``out/police_uk_2017``."""
    src = shared / "police_uk_street_bham_2017"
    dest = out / "police_uk_2017"
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for f in sorted(src.glob("2017-*-west-midlands-street.csv")):
        shutil.copyfile(f, dest / f.name)
        written.append(dest / f.name)
    if len(written) != 9:
        raise SystemExit(f"Expected 9 police.uk monthly files in {src}, found {len(written)}.")
    api = shared / "police_uk_birmingham_centre_2017" / "crimeclean.csv"
    (out / "police_uk_2017_api").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(api, out / "police_uk_2017_api" / "crimeclean.csv")
    written.append(out / "police_uk_2017_api" / "crimeclean.csv")
    return written


def filter_fhrs(shared: Path, out: Path) -> Path:
    """Keep the header and every row whose BusinessType is a pub/bar/nightclub or takeaway.

    Rows are copied byte for byte (CRLF line endings, original quoting): the
    file is the real register, just shorter.
    """
    src = shared / "fhrs_birmingham_2017" / "FoodHygieneBham2017feb.csv"
    raw = src.read_bytes()
    eol = b"\r\n" if b"\r\n" in raw else b"\n"
    lines = raw.split(eol)
    header = next(csv.reader(io.StringIO(lines[0].decode("utf-8"))))
    col = header.index("BusinessType")
    kept = [lines[0]]
    for line in lines[1:]:
        if not line:
            continue
        row = next(csv.reader(io.StringIO(line.decode("utf-8"))))
        if row[col] in FHRS_TYPES:
            kept.append(line)
    dest = out / "fhrs_birmingham_2017_licensed.csv"
    dest.write_bytes(eol.join(kept) + eol)
    return dest


def _address(row: pd.Series) -> str:
    parts = [row.get(f"AddressLine{i}", "") for i in (1, 2, 3, 4)]
    out: list[str] = []
    for p in parts:
        p = str(p).strip()
        if p and p not in out:
            out.append(p)
    return ", ".join(out)


def build_premises(shared: Path, seed: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """Real FHRS premises (pubs/bars/nightclubs, takeaways, B1-B5 restaurants) with synthetic licence attributes."""
    d = pd.read_csv(
        shared / "fhrs_birmingham_2017" / "FoodHygieneBham2017feb.csv", dtype=str, keep_default_na=False
    )
    district = d["PostCode"].str.upper().str.extract(r"^([A-Z]+\d+)")[0]
    keep = d["BusinessType"].isin(FHRS_TYPES) | (
        (d["BusinessType"] == "Restaurant/Cafe/Canteen") & district.isin(CENTRE_POSTCODES)
    )
    d = d[keep].copy()
    lat = pd.to_numeric(d["Geocode - Latitude"], errors="coerce")
    lon = pd.to_numeric(d["Geocode - Longitude"], errors="coerce")
    counts = {"selected": len(d), "located_fhrs": int(lat.notna().sum())}
    # Premises without FHRS coordinates: the postcode lookup, else left out (counted in the README).
    pc = pd.read_csv(shared / "postcodes_wm_bcc_wmSpatial" / "wm_postcodes.csv", dtype={"postcode": str})
    pc["key"] = pc["postcode"].str.replace(" ", "").str.upper()
    look = pc.drop_duplicates("key").set_index("key")
    key = d["PostCode"].str.replace(" ", "").str.upper()
    miss = lat.isna()
    lat = lat.where(~miss, key.map(look["latitude"]))
    lon = lon.where(~miss, key.map(look["longitude"]))
    counts["located_postcode"] = int((miss & lat.notna()).sum())
    counts["not_located"] = int(lat.isna().sum())
    ok = lat.notna().to_numpy()
    d, lat, lon = d[ok], lat[ok], lon[ok]
    x, y = TO_BNG.transform(lon.to_numpy(), lat.to_numpy())
    prem = pd.DataFrame(
        {
            "premises_id": d["FHRSID"].to_numpy(),
            "name": d["BusinessName"].str.strip().to_numpy(),
            "address": [_address(r) for _, r in d.iterrows()],
            "postcode": d["PostCode"].to_numpy(),
            "x": np.round(x, 1),
            "y": np.round(y, 1),
            "fhrs_business_type": d["BusinessType"].to_numpy(),
        }
    )
    prem = synth_licence_attributes(prem, seed=seed)
    prem["longitude"] = np.round(lon.to_numpy(), 6)
    prem["latitude"] = np.round(lat.to_numpy(), 6)
    prem = prem.sort_values("premises_id", key=lambda s: s.astype(int), kind="stable").reset_index(drop=True)
    door_cols = [f"door_hours_{d}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]
    cols = list(PREMISES_COLUMNS) + door_cols + ["longitude", "latitude", "fhrs_business_type"]
    return prem[cols], counts


def street_points(data: Path) -> pd.DataFrame:
    """Every police.uk crime row with a location: x, y [m] and 'On or near ...' text."""
    frames = [pd.read_csv(f, dtype=str) for f in sorted((data / "police_uk_2017").glob("*.csv"))]
    s = pd.concat(frames, ignore_index=True)
    lon = pd.to_numeric(s["Longitude"], errors="coerce")
    lat = pd.to_numeric(s["Latitude"], errors="coerce")
    ok = lon.notna() & lat.notna()
    x, y = TO_BNG.transform(lon[ok].to_numpy(), lat[ok].to_numpy())
    return pd.DataFrame(
        {"x": np.round(x, 1), "y": np.round(y, 1), "location_text": s.loc[ok, "Location"].to_numpy()}
    )


# Streets (police.uk snap point names) around which each illustrative zone is drawn.
ZONE_STREETS = {
    ("broad_street", "Broad Street"): (
        "Broad Street",
        "Oozells Street",
        "Gas Street",
        "Bridge Street",
        "Granville Street",
        "Upper William Street",
        "Sheepcote Street",
        "Brunswick Square",
        "Brunswick Street",
        "Holliday Street",
        "Waterfront Walk",
        "Ridley Street",
        "Sherborne Street",
        "Grosvenor Street West",
    ),
    ("southside", "Southside / Hurst Street (Gay Village)"): (
        "Hurst Street",
        "Essex Street",
        "Lower Essex Street",
        "Bromsgrove Street",
        "Wrentham Street",
        "Claybrook Street",
        "Henstead Street",
        "Inge Street",
        "Hinckley Street",
        "Smallbrook Queensway",
        "Sherlock Street",
        "Bishop Street",
    ),
    ("digbeth", "Digbeth"): (
        "Digbeth",
        "Alcester Street",
        "Bradford Street",
        "Milk Street",
        "Lower Trinity Street",
        "Trent Street",
        "Bordesley Street",
        "Rea Street",
        "Birchall Street",
        "Moseley Street",
        "Heath Mill Lane",
        "River Street",
        "Bromley Street",
        "Hack Street",
        "Warwick Street",
        "Liverpool Street",
        "Barn Street",
        "Rea Terrace",
        "Well Lane",
    ),
    ("jewellery_quarter", "Jewellery Quarter"): (
        "Warstone Lane",
        "St Paul's Square",
        "Cox Street",
        "Hall Street",
        "Caroline Street",
        "Frederick Street",
        "Vyse Street",
        "Hockley Street",
        "Graham Street",
        "Tenby Street",
        "Legge Lane",
        "Albion Street",
        "Spencer Street",
        "Branston Street",
        "Vittoria Street",
        "Regent Place",
        "Regent Parade",
        "Northwood Street",
        "Carver Street",
        "Ludgate Hill",
        "Mary Street",
        "Kenyon Street",
        "Augusta Street",
        "Great Hampton Street",
        "Charlotte Street",
        "George Street",
        "Newhall Hill",
        "Brook Street",
    ),
    ("colmore", "Colmore / Business District"): (
        "Temple Row",
        "Temple Row West",
        "Waterloo Street",
        "Bennett's Hill",
        "Edmund Street",
        "Newhall Street",
        "Cornwall Street",
        "Church Street",
        "Barwick Street",
        "Temple Passage",
        "Temple Street",
        "Fleet Street",
        "Livery Street",
        "Snow Hill Queensway",
        "New Market Street",
    ),
}
ZONE_BUFFER_M = 60.0
ZONE_MAX_SPREAD_M = 550.0


def build_zones(points: pd.DataFrame, premises: pd.DataFrame) -> tuple[dict, dict[str, int]]:
    """Illustrative NTE zones: hull of each zone's street snap points + 60 m, earlier zones win overlaps."""
    taken = None
    features = []
    counts = {}
    px, py = premises["x"].to_numpy(), premises["y"].to_numpy()
    import shapely

    for (zid, name), streets in ZONE_STREETS.items():
        sel = points["location_text"].isin([f"On or near {s}" for s in streets])
        pts = points.loc[sel, ["x", "y"]].drop_duplicates().to_numpy()
        # A street name can have snap points far along it: keep those near the zone's middle.
        mid = np.median(pts, axis=0)
        pts = pts[np.hypot(*(pts - mid).T) <= ZONE_MAX_SPREAD_M]
        if len(pts) < 3:
            raise SystemExit(f"Zone {name}: only {len(pts)} snap points found.")
        poly = MultiPoint([tuple(p) for p in pts]).convex_hull.buffer(ZONE_BUFFER_M, quad_segs=4)
        if taken is not None:
            poly = poly.difference(taken)
        poly = poly.simplify(5.0)
        taken = poly if taken is None else unary_union([taken, poly])
        counts[name] = int(shapely.contains_xy(poly, px, py).sum())
        wgs = shapely.transform(poly, lambda c: np.column_stack(TO_WGS.transform(c[:, 0], c[:, 1])))
        geom = mapping(wgs)
        geom = json.loads(json.dumps(geom), parse_float=lambda s: round(float(s), 6))
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "zone_id": zid,
                    "name": name,
                    "note": "Illustrative, not an official boundary",
                },
                "geometry": geom,
            }
        )
    fc = {"type": "FeatureCollection", "name": "nte_zones_birmingham_illustrative", "features": features}
    return fc, counts


# Base stations: real Birmingham police stations / council offices, locations approximate.
BASES = {
    "Steelhouse Lane": (52.48365, -1.89465),
    "Ladywood": (52.47905, -1.92300),
    "Digbeth (Bradford Street)": (52.47300, -1.88620),
    "Stechford": (52.48420, -1.81020),
    "Sutton Coldfield": (52.56460, -1.82350),
    "Bournville Lane": (52.43050, -1.93100),
    "Council House": (52.47980, -1.90360),
}
LPA_BASE = {
    "Birmingham City Centre": "Steelhouse Lane",
    "Birmingham West": "Ladywood",
    "Birmingham East": "Stechford",
    "Birmingham North": "Sutton Coldfield",
    "Birmingham South": "Bournville Lane",
}
N = "18:00-02:00"
L = "20:00-04:00"
# officer_id, role, base, lpa, part_time, max_shifts, contracted_hours, Mon..Sun availability, preferences
STAFF = [
    (
        "LS01",
        "licensing_sergeant",
        "Steelhouse Lane",
        "Birmingham City Centre",
        False,
        5,
        40,
        ("", "17:00-01:00", "17:00-01:00", "18:00-03:00", L, L, ""),
        "",
    ),
    (
        "PC01",
        "licensing_pc",
        "Steelhouse Lane",
        "Birmingham City Centre",
        False,
        5,
        40,
        ("", "", N, L, L, L, "18:00-00:00"),
        "prefers_sun_off",
    ),
    ("PC02", "licensing_pc", "Ladywood", "Birmingham West", False, 5, 40, (N, N, N, N, L, L, ""), ""),
    (
        "PS01",
        "licensing_staff",
        "Steelhouse Lane",
        "Birmingham City Centre",
        False,
        5,
        37,
        ("", "", N, N, L, L, N),
        "",
    ),
    (
        "PS02",
        "licensing_staff",
        "Steelhouse Lane",
        "Birmingham City Centre",
        False,
        5,
        37,
        (N, N, N, N, L, L, ""),
        "prefers_fri_off",
    ),
    (
        "PS03",
        "licensing_staff",
        "Digbeth (Bradford Street)",
        "Birmingham City Centre",
        False,
        5,
        37,
        ("", N, N, L, L, L, ""),
        "",
    ),
    (
        "PS04",
        "licensing_staff",
        "Digbeth (Bradford Street)",
        "Birmingham City Centre",
        True,
        3,
        22.5,
        ("", "", "", N, L, L, ""),
        "",
    ),
    ("PS05", "licensing_staff", "Ladywood", "Birmingham West", False, 5, 37, (N, N, N, N, L, "", ""), ""),
    (
        "PS06",
        "licensing_staff",
        "Ladywood",
        "Birmingham West",
        True,
        3,
        22.5,
        ("", "", N, N, L, "", ""),
        "prefers_early_finish",
    ),
    ("PS07", "licensing_staff", "Stechford", "Birmingham East", False, 5, 37, ("", N, N, N, L, L, ""), ""),
    ("PS08", "licensing_staff", "Stechford", "Birmingham East", True, 2, 15, ("", "", "", "", L, L, ""), ""),
    (
        "PS09",
        "licensing_staff",
        "Sutton Coldfield",
        "Birmingham North",
        False,
        5,
        37,
        (N, N, N, N, N, "", ""),
        "",
    ),
    (
        "PS10",
        "licensing_staff",
        "Sutton Coldfield",
        "Birmingham North",
        True,
        3,
        22.5,
        ("", "", "", N, L, L, ""),
        "prefers_sat_off",
    ),
    (
        "PS11",
        "licensing_staff",
        "Bournville Lane",
        "Birmingham South",
        False,
        5,
        37,
        ("", N, N, N, L, L, N),
        "",
    ),
    (
        "PS12",
        "licensing_staff",
        "Bournville Lane",
        "Birmingham South",
        False,
        5,
        37,
        (N, N, "", N, L, L, ""),
        "",
    ),
    (
        "CL01",
        "council_licensing",
        "Council House",
        "Birmingham City Centre",
        False,
        4,
        37,
        ("", "", "18:00-00:00", "18:00-01:00", "19:00-02:00", "19:00-02:00", ""),
        "",
    ),
    (
        "CL02",
        "council_licensing",
        "Council House",
        "Birmingham City Centre",
        False,
        4,
        37,
        ("", "18:00-00:00", "", "18:00-01:00", "19:00-02:00", "19:00-02:00", ""),
        "",
    ),
    (
        "CL03",
        "council_licensing",
        "Council House",
        "Birmingham City Centre",
        True,
        2,
        18.5,
        ("", "", "", "", "19:00-02:00", "19:00-02:00", ""),
        "",
    ),
    (
        "CL04",
        "council_licensing",
        "Council House",
        "Birmingham City Centre",
        False,
        4,
        37,
        ("18:00-00:00", "", "18:00-00:00", "18:00-01:00", "19:00-02:00", "", ""),
        "",
    ),
    (
        "SIA01",
        "sia_enforcement",
        "Steelhouse Lane",
        "Birmingham City Centre",
        False,
        3,
        37,
        ("", "", "", "21:00-03:00", "21:00-04:00", "21:00-04:00", ""),
        "",
    ),
    (
        "SIA02",
        "sia_enforcement",
        "Steelhouse Lane",
        "Birmingham City Centre",
        False,
        3,
        37,
        ("", "", "", "21:00-03:00", "21:00-04:00", "21:00-04:00", ""),
        "",
    ),
    (
        "SIA03",
        "sia_enforcement",
        "Steelhouse Lane",
        "Birmingham City Centre",
        False,
        2,
        37,
        ("", "", "", "", "21:00-04:00", "21:00-04:00", ""),
        "",
    ),
    (
        "GS01",
        "gang_spotter",
        "Steelhouse Lane",
        "Birmingham City Centre",
        False,
        2,
        40,
        ("", "", "", "", "21:00-03:00", "21:00-03:00", ""),
        "",
    ),
    (
        "GS02",
        "gang_spotter",
        "Digbeth (Bradford Street)",
        "Birmingham City Centre",
        False,
        2,
        40,
        ("", "", "", "", "21:00-03:00", "21:00-03:00", ""),
        "",
    ),
    (
        "GS03",
        "gang_spotter",
        "Ladywood",
        "Birmingham West",
        False,
        2,
        40,
        ("", "", "", "", "21:00-03:00", "21:00-03:00", ""),
        "",
    ),
    (
        "US01",
        "uniformed_support",
        "Steelhouse Lane",
        "Birmingham City Centre",
        False,
        4,
        40,
        ("", "", "", "20:00-04:00", L, L, ""),
        "",
    ),
    (
        "US02",
        "uniformed_support",
        "Steelhouse Lane",
        "Birmingham City Centre",
        False,
        4,
        40,
        ("", "", "", "20:00-04:00", L, L, ""),
        "",
    ),
    (
        "US03",
        "uniformed_support",
        "Digbeth (Bradford Street)",
        "Birmingham City Centre",
        False,
        3,
        40,
        ("", "", "", "", L, L, ""),
        "",
    ),
    (
        "US04",
        "uniformed_support",
        "Ladywood",
        "Birmingham West",
        False,
        3,
        40,
        ("", "", "", "", L, L, ""),
        "",
    ),
]


def build_staff(seed: int) -> pd.DataFrame:
    """The invented licensing team and partners (names generated, never real people)."""
    ids = [s[0] for s in STAFF]
    names = fictitious_names(ids, seed, "staff")
    rows = []
    for (oid, role, base, lpa, pt, ms, ch, avail, pref), name in zip(STAFF, names, strict=True):
        lat, lon = BASES[base]
        e, n = TO_BNG.transform(lon, lat)
        row = {
            "officer_id": oid,
            "name": name,
            "role": role,
            "base": base,
            "base_easting": round(float(e), 1),
            "base_northing": round(float(n), 1),
            "lpa": lpa,
            "part_time": pt,
            "max_shifts": ms,
            "contracted_hours": ch,
        }
        for day, a in zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), avail, strict=True):
            row[f"avail_{day}"] = a
        row["preferences"] = pref
        rows.append(row)
    return pd.DataFrame(rows)


TOML = """# licvisit config for the bundled Birmingham demo (synthetic calls, real premises).
# Paths are relative to this file.  Run e.g.:  licvisit validate --config data/licvisit.toml

[inputs]
calls = "calls_demo.csv"
premises = "premises_birmingham.csv"
zones = "nte_zones.geojson"
staff = "staff.csv"
visits = "visit_history.csv"

[risk]
# Defaults live in RiskParams; override here, e.g. radius_m = 50

[plan]
# Defaults live in PlanParams; override here, e.g. time_limit_s = 30
"""


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=HERE)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    out, seed = args.out, args.seed
    copy_police_uk(args.shared, out)
    filter_fhrs(args.shared, out)
    prem, pcounts = build_premises(args.shared, seed)
    write_csv(prem, out / "premises_birmingham.csv")
    points = street_points(out)
    zones, zcounts = build_zones(points, prem)
    atomic_write_text(out / "nte_zones.geojson", json.dumps(zones, indent=1) + "\n")
    params = SynthParams()
    calls = synth_calls(prem, points, params, seed=seed)
    write_csv(calls, out / "calls_demo.csv")
    write_csv(build_staff(seed), out / "staff.csv")
    visits = synth_visits(prem, params, seed=seed)
    write_csv(visits[list(VISIT_COLUMNS)], out / "visit_history.csv")
    atomic_write_text(out / "licvisit.toml", TOML)
    print("premises:", pcounts, prem["premises_type"].value_counts().to_dict())
    print("zones (premises inside):", zcounts)
    print("calls:", len(calls), "visits:", len(visits), visits["outcome"].value_counts().to_dict())


if __name__ == "__main__":
    main()
