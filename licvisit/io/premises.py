"""Read premises registers: FHRS food-hygiene CSV, OpenStreetMap GeoJSON, glossary or mapped files.

Every source ends as one GeoDataFrame with the ``PREMISES_COLUMNS`` of
``licvisit.domain`` first, any extra source columns after them, and a Point
geometry in EPSG:27700.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from licvisit.domain import ANALYSIS_CRS, PREMISES_COLUMNS, PREMISES_HOURS_COLUMNS, WEEKDAYS
from licvisit.errors import Problem
from licvisit.fields import PREMISES_ALIASES, PREMISES_TYPES
from licvisit.io.calls import _list, coordinates, resolve_fields, wrong_kind
from licvisit.io.hours import licence_hours_columns
from licvisit.io.parse import join_text, map_codes, parse_bools, postcode_key
from licvisit.io.postcodes import geocode, postcodes_with_summary
from licvisit.io.premises_params import PremisesParams
from licvisit.io.table import RawTable, read_table
from licvisit.io.validate import FileSummary, ProblemLog

FHRS_HEADERS = ("FHRSID", "BusinessName", "BusinessType")
TYPE_LOOKUP = {
    **{t: t for t in PREMISES_TYPES},
    "public house": "pub",
    "pub/bar/nightclub": "pub",
    "night club": "nightclub",
    "late night refreshment": "late_night_refreshment",
    "late-night refreshment": "late_night_refreshment",
    "takeaway": "late_night_refreshment",
    "fast_food": "late_night_refreshment",
    "fast food": "late_night_refreshment",
    "takeaway/sandwich shop": "late_night_refreshment",
    "off-licence": "off_licence",
    "off licence": "off_licence",
    "shop": "off_licence",
    "members club": "club",
    "club premises certificate": "club",
    "restaurant/cafe/canteen": "restaurant",
    "cafe": "restaurant",
    "hotel": "hotel",
    "hotel with bar": "hotel",
    "cinema": "venue",
    "theatre": "venue",
    "venue": "venue",
    "music venue": "venue",
}
FHRS_TYPES = {
    "Pub/bar/nightclub": "pub",
    "Takeaway/sandwich shop": "late_night_refreshment",
    "Restaurant/Cafe/Canteen": "restaurant",
    "Retailers - supermarkets/hypermarkets": "off_licence",
    "Hotel/bed & breakfast/guest house": "hotel",
}
# FHRS business types that hold no premises licence as a rule: left out of ranking and planning
# unless the name says otherwise (an off-licence among "Retailers - other", a members' club among
# "Other catering premises"); they keep the calls nearest to them.
FHRS_LEFT_OUT = {
    "School/college/university",
    "Hospitals/Childcare/Caring Premises",
    "Manufacturers/packers",
    "Distributors/Transporters",
    "Importers/Exporters",
    "Farmers/growers",
    "Mobile caterer",
    "Retailers - other",
    "Other catering premises",
}
_OFF_LICENCE = re.compile(r"\b(off[- ]?licen[cs]e|offie|wines?|liquors?|booze|beers?|spirits)\b", re.I)
_CAFE = re.compile(
    r"\b(caf[eé]s?|caff|coffee|espresso|tea ?rooms?|sandwich(?:es)?|baguettes?|bak(?:ery|ers?)|greggs|subway|"
    r"pret|costa|starbucks|nero|juice|smoothies?|deli|patisserie|cupcakes?|donuts?|doughnuts?)\b",
    re.I,
)
_CANTEEN = re.compile(
    r"\b(llp|canteen|staff|college|school|university|academy|hospital|nursery|church|"
    r"council|television|bank|trains|railways?|debenhams|primark|ikea|marks (?:and|&) spencer|john lewis)\b|"
    r"^(?:[A-Z] ){2,}[A-Z]$",
    re.I,
)
_LICENSED_WORDS = re.compile(r"\b(bar|pub|inn|tavern|wines?|cocktails?)\b", re.I)
OSM_AMENITIES = {
    "pub": "pub",
    "bar": "bar",
    "biergarten": "bar",
    "nightclub": "nightclub",
    "fast_food": "late_night_refreshment",
    "restaurant": "restaurant",
    "cafe": "restaurant",
    "cinema": "venue",
    "theatre": "venue",
    "arts_centre": "venue",
    "events_venue": "venue",
    "concert_hall": "venue",
    "casino": "venue",
    "social_club": "club",
}
OSM_SHOPS = {
    "alcohol": "off_licence",
    "wine": "off_licence",
    "beverages": "off_licence",
    "supermarket": "off_licence",
}
_MEMBERS_CLUB = re.compile(
    r"\b(social|sports?|cricket|golf|rugby|football|tennis|bowling|bowls|sailing|labour|conservative|"
    r"liberal|legion|members|old boys|services|ex[- ]?servicemen'?s?|working ?men'?s|ex-?servicemen|old \w+ians|harriers|rfc|fc)\b",
    re.I,
)
_POSTCODE_IN_TEXT = r"\b([A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2})\b"
_NIGHTCLUB = re.compile(r"\b(night ?club|nite ?club|club|disco)\b", re.I)
_BAR = re.compile(r"\b(bar|lounge|cocktails?|wine|tap ?room|brewdog)\b", re.I)

TEXT_FIELDS = ("premises_id", "name", "address", "postcode", "conditions", "dps", "lpa", "intel_flags")


def fhrs_left_out(business_type: str, name: str) -> str:
    """The reason a FHRS premises is not a licensed premises ('' if it is, or may be).

    FHRS says nothing about licences: the business type decides, and for restaurants and
    takeaways the name (a staff canteen, a café or sandwich shop rarely holds a premises licence).
    """
    bt = business_type.strip()
    if bt in ("Restaurant/Cafe/Canteen", "Takeaway/sandwich shop") and not _LICENSED_WORDS.search(name):
        if _CAFE.search(name):
            return f"FHRS {bt} (café or sandwich shop by name)"
        if bt == "Restaurant/Cafe/Canteen" and _CANTEEN.search(name):
            return f"FHRS {bt} (staff or institutional canteen by name)"
    if bt not in FHRS_LEFT_OUT:
        return ""
    if bt == "Retailers - other" and _OFF_LICENCE.search(name):
        return ""
    if bt == "Other catering premises" and _MEMBERS_CLUB.search(name) and re.search(r"\bclub\b", name, re.I):
        return ""
    return f"FHRS {bt}"


def fhrs_premises_type(business_type: str, name: str) -> str:
    """FHRS BusinessType (+ name keywords for pubs/bars/nightclubs) -> premises_type."""
    bt = business_type.strip()
    if bt == "Retailers - other" and _OFF_LICENCE.search(name):
        return "off_licence"
    if bt == "Other catering premises" and not fhrs_left_out(bt, name):
        return "club"
    t = FHRS_TYPES.get(bt, "other")
    if t == "pub":
        if _MEMBERS_CLUB.search(name):
            return "club"
        if _NIGHTCLUB.search(name):
            return "nightclub"
        if _BAR.search(name):
            return "bar"
    return t


def _left_out(
    by_source: pd.Series | None, ptype: np.ndarray, params: PremisesParams, log: ProblemLog
) -> np.ndarray:
    """Why each premises is left out of ranking and planning ('' = ranked and planned).

    By default the source's own type decides (a school or care home in the food-hygiene register
    holds no premises licence); ``[premises] types`` replaces that with a list of premises types.
    """
    n = len(ptype)
    if params.types:
        keep = set(params.types)
        out = np.array(
            ["" if t in keep else f"type {t} not in [premises] types" for t in ptype], dtype=object
        )
    elif by_source is not None:
        out = by_source.to_numpy().astype(object)
    else:
        out = np.full(n, "", dtype=object)
    if (out != "").any():
        counts = pd.Series(out[out != ""]).value_counts()
        log.note(
            f"{int((out != '').sum()):,} premises left out of ranking and planning (not licensed premises; "
            "they still absorb the calls nearest to them): "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        )
    return out


def empty_premises() -> gpd.GeoDataFrame:
    """An empty premises table with the glossary columns and an EPSG:27700 geometry.

    Returns
    -------
    GeoDataFrame
        No rows; ``PREMISES_COLUMNS`` and ``PREMISES_HOURS_COLUMNS``.
    """
    df = pd.DataFrame({c: pd.Series(dtype=object) for c in (*PREMISES_COLUMNS, *PREMISES_HOURS_COLUMNS)})
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=ANALYSIS_CRS), crs=ANALYSIS_CRS)


def read_premises(
    path: str | Path,
    mapping: Mapping[str, str] | None = None,
    *,
    postcodes: str | Path | pd.DataFrame | None = None,
    params: PremisesParams | None = None,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Read a premises register into the glossary's premises table.

    Parameters
    ----------
    path : FHRS CSV, OSM GeoJSON export, glossary-headed CSV, or any CSV /
        GeoJSON / GeoPackage / Shapefile with ``mapping``
    mapping : glossary name -> header in the file (``[mapping.premises]``)
    postcodes : a postcode lookup CSV (or the DataFrame from
        :func:`licvisit.io.postcodes.read_postcodes`) to geocode premises that
        have a postcode but no coordinates
    params : ``[premises]`` options (which hours make the visit window)

    Returns
    -------
    (GeoDataFrame: PREMISES_COLUMNS + extra columns + Point geometry in EPSG:27700, problems)
    """
    gdf, problems, _ = premises_with_summary(path, mapping, postcodes=postcodes, params=params)
    return gdf, problems


def premises_with_summary(
    path: str | Path,
    mapping: Mapping[str, str] | None = None,
    *,
    postcodes: str | Path | pd.DataFrame | None = None,
    params: PremisesParams | None = None,
) -> tuple[gpd.GeoDataFrame, list[Problem], list[FileSummary]]:
    """Read a premises register as :func:`read_premises` does, with a summary of each file read.

    The steps: the postcode lookup (if given as a path) → the register, read as
    a vector file (GeoJSON, GeoPackage, Shapefile) or as a CSV.

    Parameters
    ----------
    path, mapping, postcodes, params
        As for :func:`read_premises`.

    Returns
    -------
    premises : GeoDataFrame
        As for :func:`read_premises` (empty after a file error).
    problems : list of Problem
        The register's problems, then the postcode lookup's.
    summaries : list of FileSummary
        The register's summary, then the postcode lookup's (if read here).
    """
    p = Path(path)
    params = params or PremisesParams()
    log = ProblemLog(str(p), "premises")
    summaries: list[FileSummary] = []
    problems: list[Problem] = []
    lookup = None
    if isinstance(postcodes, pd.DataFrame):
        lookup = postcodes
    elif postcodes is not None:
        lookup, pc_problems, pc_summary = postcodes_with_summary(postcodes)
        problems += pc_problems
        summaries.append(pc_summary)
        if not pc_summary.usable:
            lookup = None
    gdf = None
    if not p.is_file():
        log.error(
            "no such file", "a premises register (CSV, GeoJSON, GeoPackage or Shapefile)", "check the path"
        )
    elif p.suffix.lower() in (".geojson", ".json", ".gpkg", ".shp"):
        gdf = _premises_from_vector(p, mapping, log, lookup, params)
    else:
        gdf = _premises_from_csv(p, mapping, log, lookup, params)
    summaries.insert(0, log.summary)
    problems = log.problems + problems
    return (gdf if gdf is not None else empty_premises()), problems, summaries


def _premises_from_csv(
    p: Path,
    mapping: Mapping[str, str] | None,
    log: ProblemLog,
    lookup: pd.DataFrame | None,
    params: PremisesParams,
) -> gpd.GeoDataFrame | None:
    raw = read_table(p, log)
    if raw is None:
        return None
    log.summary.notes += raw.notes
    fields: dict[str, str] | None
    if not mapping and set(FHRS_HEADERS) <= set(raw.columns):
        log.summary.format = "FHRS food hygiene register CSV"
        fields = {"premises_id": "FHRSID", "name": "BusinessName"}
        for k, h in (
            ("postcode", "PostCode"),
            ("longitude", "Geocode - Longitude"),
            ("latitude", "Geocode - Latitude"),
        ):
            if h in raw.columns:
                fields[k] = h
        lines = [
            c for c in ("AddressLine1", "AddressLine2", "AddressLine3", "AddressLine4") if c in raw.columns
        ]
        derived = {
            "address": join_text([raw.text(c) for c in lines]) if lines else None,
            "premises_type": pd.Series(
                [
                    fhrs_premises_type(t, n)
                    for t, n in zip(raw.text("BusinessType"), raw.text("BusinessName"), strict=True)
                ],
                dtype=str,
            ),
            "left_out": pd.Series(
                [
                    fhrs_left_out(t, n)
                    for t, n in zip(raw.text("BusinessType"), raw.text("BusinessName"), strict=True)
                ],
                dtype=str,
            ),
        }
        return _premises_frame(raw, fields, log, lookup, params, derived=derived, used_extra=set(lines))
    if not mapping and wrong_kind(log, raw.columns, "premises", "a premises register"):
        return None
    log.summary.format = "CSV with column mapping" if mapping else "CSV with glossary headers"
    fields = resolve_fields(raw, mapping, log, "premises", PREMISES_ALIASES, required=("premises_id", "name"))
    if fields is None:
        return None
    return _premises_frame(raw, fields, log, lookup, params)


def _osm_features(p: Path) -> list[dict[str, Any]] | None:
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, OSError):
        return None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        return list(data.get("features") or [])
    return None


def _premises_from_vector(
    p: Path,
    mapping: Mapping[str, str] | None,
    log: ProblemLog,
    lookup: pd.DataFrame | None,
    params: PremisesParams,
) -> gpd.GeoDataFrame | None:
    """A GeoJSON, GeoPackage or Shapefile register: read the features → an OSM export or a mapped file."""
    features = _osm_features(p) if p.suffix.lower() in (".geojson", ".json") else None
    read = _features_frame(features) if features is not None else _vector_frame(p, log)
    if read is None:
        return None
    props_df, geo = read
    is_osm = "amenity" in props_df.columns and not mapping
    if len(props_df) == 0:
        log.error("no features", "a premises register with at least one feature", "check the export")
        return None
    props_df.columns = [str(c) for c in props_df.columns]
    raw = RawTable(
        pa.Table.from_pandas(props_df.astype(str), preserve_index=False),
        list(props_df.columns),
        np.arange(1, len(props_df) + 1, dtype=np.int64),
        rows_read=len(props_df),
    )
    log.set_rows(raw.row_numbers)
    x, y = _points_27700(geo)
    derived: dict[str, Any] = {"_x": x, "_y": y}
    fields: dict[str, str] | None
    if is_osm:
        log.summary.format = "OpenStreetMap GeoJSON"
        fields = _osm_fields(raw, derived)
        return _premises_frame(
            raw,
            fields,
            log,
            lookup,
            params,
            derived=derived,
            used_extra={"amenity", "@id"},
            require_name=False,
        )
    log.summary.format = (
        f"{p.suffix.lstrip('.').upper()} with column mapping"
        if mapping
        else f"{p.suffix.lstrip('.').upper()} with glossary columns"
    )
    fields = resolve_fields(
        raw, mapping, log, "premises", PREMISES_ALIASES, required=("premises_id", "name"), location=False
    )
    if fields is None:
        return None
    return _premises_frame(raw, fields, log, lookup, params, derived=derived)


def _features_frame(features: list[dict[str, Any]]) -> tuple[pd.DataFrame, gpd.GeoSeries]:
    """GeoJSON features as text properties (OSM ``tags`` flattened, ``@id`` made) and WGS84 geometries."""
    from shapely.geometry import shape

    rows, geoms = [], []
    for f in features:
        props = dict(f.get("properties") or {})
        tags = props.pop("tags", None)
        if isinstance(tags, dict):
            props.update(tags)
        if "@id" not in props:
            fid = f.get("id") or props.get("id")
            if fid is not None:
                t = props.get("type")
                props["@id"] = (
                    f"{t}/{fid}" if t in ("node", "way", "relation") and "/" not in str(fid) else str(fid)
                )
        rows.append(
            {
                k: ("" if v is None else (json.dumps(v) if isinstance(v, dict | list) else str(v)))
                for k, v in props.items()
            }
        )
        try:
            geoms.append(shape(f["geometry"]) if f.get("geometry") else None)
        except (KeyError, TypeError, ValueError, AttributeError):
            geoms.append(None)
    return pd.DataFrame(rows).fillna(""), gpd.GeoSeries(geoms, crs="EPSG:4326")


def _vector_frame(p: Path, log: ProblemLog) -> tuple[pd.DataFrame, gpd.GeoSeries] | None:
    """A vector file read with GDAL: attributes as text and the geometries (no CRS: WGS84, warned)."""
    try:
        gdf_in = gpd.read_file(p)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        log.error(
            f"a file that cannot be read as GeoJSON/GeoPackage/Shapefile ({str(exc).splitlines()[0][:100]})",
            "a valid vector file",
            "open it in QGIS and save it again",
        )
        return None
    geo = gdf_in.geometry
    props_df = (
        pd.DataFrame(gdf_in.drop(columns=gdf_in.geometry.name)).astype(str).replace({"None": "", "nan": ""})
    )
    if geo.crs is None:
        log.warn(
            "no coordinate reference system",
            "a CRS in the file",
            "none needed: assumed EPSG:4326 (GeoJSON default)",
        )
        geo = geo.set_crs("EPSG:4326")
    return props_df, geo


def _osm_fields(raw: RawTable, derived: dict[str, Any]) -> dict[str, str]:
    """Map an OpenStreetMap export: type, left-out reason, id and address into ``derived``; the fields read as they are."""
    amen = raw.text("amenity")
    shop = raw.text("shop") if "shop" in raw.columns else pd.Series([""] * len(raw), dtype=str)
    derived["premises_type"] = pd.Series(
        [OSM_AMENITIES.get(a) or OSM_SHOPS.get(s, "other") for a, s in zip(amen, shop, strict=True)],
        dtype=str,
    )
    derived["left_out"] = pd.Series(
        [
            ""
            if a in OSM_AMENITIES or s in OSM_SHOPS
            else (f"OSM amenity={a}" if a else f"OSM shop={s}" if s else "OSM feature with no amenity")
            for a, s in zip(amen, shop, strict=True)
        ],
        dtype=str,
    )
    pid = (
        raw.text("@id")
        if "@id" in raw.columns
        else pd.Series([f"osm/{i}" for i in range(len(raw))], dtype=str)
    )
    derived["premises_id"] = pid
    parts = [raw.text(c) for c in ("addr:housenumber", "addr:street", "addr:city") if c in raw.columns]
    if parts:
        num_street = [
            " ".join(v for v in pair if v)
            for pair in zip(*(parts[:2] if len(parts) >= 2 else parts), strict=True)
        ]
        rest = parts[2:] if len(parts) >= 3 else []
        derived["address"] = join_text([pd.Series(num_street, dtype=str), *rest])
    fields = {}
    if "name" in raw.columns:
        fields["name"] = "name"
    else:
        derived["name"] = pd.Series([""] * len(raw), dtype=str)
    if "addr:postcode" in raw.columns:
        fields["postcode"] = "addr:postcode"
    if "opening_hours" in raw.columns:
        fields["hours"] = "opening_hours"
    return fields


def _points_27700(geo: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Point per feature in EPSG:27700 (representative point of polygons); NaN if none."""
    n = len(geo)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    valid = geo.notna().to_numpy() & ~geo.is_empty.to_numpy()
    if not valid.any():
        return x, y
    g = geo[valid].to_crs(ANALYSIS_CRS)
    pts = g.representative_point()
    x[valid] = pts.x.to_numpy()
    y[valid] = pts.y.to_numpy()
    return x, y


def _premises_frame(
    raw: RawTable,
    fields: Mapping[str, str],
    log: ProblemLog,
    lookup: pd.DataFrame | None,
    params: PremisesParams,
    *,
    derived: Mapping[str, Any] | None = None,
    used_extra: set[str] | None = None,
    require_name: bool = True,
) -> gpd.GeoDataFrame | None:
    """Check and type one source's columns into the premises table (None after a file error).

    The steps: postcode from the address → location (coordinates, else the
    postcode lookup) → ids and names → premises types and the left-out rule →
    capacity, yes/no flags and door staff → licence hours → the frame.
    """
    derived = dict(derived or {})
    text = _text_of(raw, fields, derived)
    _postcode_from_address(text, fields, derived, log)
    located = _locate(raw, fields, derived, log, text)
    if located is None:
        return None
    x, y, missing = located
    postcode = text("postcode")
    _geocode_missing(x, y, missing, postcode, fields, lookup, log)
    cols: dict[str, Any] = {}
    pid, name = text("premises_id"), text("name")
    _check_ids_and_names(pid, name, fields, log, require_name)
    for c in TEXT_FIELDS:
        cols[c] = text(c)
    cols["premises_id"], cols["name"], cols["postcode"] = pid, name, postcode
    ptype = _premises_types(text("premises_type"), "premises_type" in derived, fields, log)
    cols["premises_type"] = ptype
    cols["left_out"] = _left_out(text("left_out") if "left_out" in derived else None, ptype, params, log)
    cols["capacity"] = _capacity(raw, fields, log)
    for c in ("door_supervision", "synthetic"):
        cols[c] = _yes_no(raw, fields, c, log)
    cols["door_staff"] = _door_staff(raw, fields, log)
    cols.update(
        licence_hours_columns(
            text,
            fields,
            log,
            premises_type=np.asarray(ptype),
            door_supervision=np.asarray(cols["door_supervision"], dtype=bool),
            params=params,
        )
    )
    cols["x"], cols["y"] = x, y
    return _frame(raw, fields, cols, log, params, used_extra)


def _text_of(
    raw: RawTable, fields: Mapping[str, str], derived: Mapping[str, Any]
) -> Callable[[str], pd.Series]:
    """A reader of one glossary field as text: the derived value, else the mapped column, else blanks.

    ``derived`` is read at each call, so a value added to it later (the postcode
    found in the address) is seen.
    """
    n = len(raw)

    def text(name: str) -> pd.Series:
        if name in derived and derived[name] is not None:
            return pd.Series(derived[name], dtype=str).reset_index(drop=True)
        if name in fields:
            return raw.text(fields[name]).reset_index(drop=True)
        return pd.Series([""] * n, dtype=str)

    return text


def _postcode_from_address(
    text: Callable[[str], pd.Series], fields: Mapping[str, str], derived: dict[str, Any], log: ProblemLog
) -> None:
    """Put the postcode found in the address into ``derived`` when there is no postcode column.

    Council registers put the postcode in the address ("..., Barking, Essex,
    IG11 7NA"); a register scraped from a PDF may run the next column on after
    it, so the last postcode is taken.
    """
    if "postcode" in fields or "postcode" in derived or "address" not in fields:
        return
    found_pc = text("address").str.findall(_POSTCODE_IN_TEXT).str[-1].fillna("").str.upper()
    if (found_pc != "").any():
        derived["postcode"] = found_pc
        log.note(f"postcode read from the address for {int((found_pc != '').sum()):,} premises")


def _locate(
    raw: RawTable,
    fields: Mapping[str, str],
    derived: Mapping[str, Any],
    log: ProblemLog,
    text: Callable[[str], pd.Series],
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Coordinates of each row in EPSG:27700 and which are missing (None after a file error).

    A vector source gives its geometry (``derived["_x"]``, ``["_y"]``), checked
    to lie in Great Britain; a table gives its coordinate columns.  A table with
    neither coordinates nor a postcode cannot be placed at all.
    """
    n = len(raw)
    if "_x" in derived:
        x, y = np.asarray(derived["_x"], float).copy(), np.asarray(derived["_y"], float).copy()
        missing = np.isnan(x) | np.isnan(y)
        outside = ~missing & ~((x > 0) & (x < 700_000) & (y > 0) & (y < 1_250_000))
        if outside.any() and outside.sum() == (~missing).sum():
            log.error(
                "every feature outside Great Britain",
                "premises in Great Britain",
                "check the file's coordinate reference system",
            )
            return None
        log.rows(
            outside,
            "geometry",
            "a location outside Great Britain",
            "a location inside Great Britain",
            "correct the geometry or delete the feature",
            "location outside Great Britain",
        )
        return x, y, missing
    xy = coordinates(raw, fields, log)
    if log.has_error:
        return None
    if xy is not None:
        return xy
    if "postcode" not in fields and "postcode" not in derived:
        log.error(
            f"no coordinate or postcode columns; columns are {_list(raw.columns)}",
            "longitude/latitude, easting/northing (x/y) or postcode columns",
            "add them, or name them in [mapping.premises] of licvisit.toml",
        )
        return None
    return np.full(n, np.nan), np.full(n, np.nan), np.ones(n, dtype=bool)


def _geocode_missing(
    x: np.ndarray,
    y: np.ndarray,
    missing: np.ndarray,
    postcode: pd.Series,
    fields: Mapping[str, str],
    lookup: pd.DataFrame | None,
    log: ProblemLog,
) -> None:
    """Place rows without coordinates by their postcode (``x``, ``y`` filled in place); report the rest."""
    if not missing.any():
        return
    pc_keys = postcode_key(postcode).to_numpy()
    has_pc = missing & (pc_keys != "")
    if lookup is not None and has_pc.any():
        gx, gy, found = geocode(pc_keys, lookup)
        hit = has_pc & found
        x[hit], y[hit] = gx[hit], gy[hit]
        log.rows(
            has_pc & ~found,
            fields.get("postcode", "postcode"),
            postcode.to_numpy(),
            "a postcode in the postcode lookup",
            "check the postcode, or add coordinates for this premises",
            "postcode not in lookup",
        )
        if hit.any():
            log.note(f"{int(hit.sum()):,} premises located from their postcode")
        missing = missing & ~hit & ~has_pc
    else:
        missing_pc = has_pc
        log.rows(
            missing_pc,
            None,
            "no coordinates (postcode only)",
            "coordinates, or a postcode lookup to place the postcode",
            "give a postcode lookup with --postcodes, or add coordinates",
            "location missing (postcode only)",
        )
        missing = missing & ~missing_pc
    log.rows(
        missing,
        None,
        "no coordinates and no postcode",
        "coordinates or a postcode",
        "add the location or delete the row",
        "location missing",
    )


def _check_ids_and_names(
    pid: pd.Series, name: pd.Series, fields: Mapping[str, str], log: ProblemLog, require_name: bool
) -> None:
    """Leave out rows with a blank or repeated premises id; report blank names (kept)."""
    pid_arr = pid.to_numpy()
    log.rows(
        pid_arr == "",
        fields.get("premises_id", "premises_id"),
        "a blank",
        "a premises id",
        "give every premises an id",
        "premises id missing",
    )
    dup = pd.Series(pid_arr).duplicated().to_numpy() & (pid_arr != "")
    log.rows(
        dup,
        fields.get("premises_id", "premises_id"),
        pid_arr,
        "a unique premises id",
        "delete the duplicate row or give it its own id",
        "duplicate premises id",
    )
    if require_name:
        log.rows(
            name.to_numpy() == "",
            fields.get("name", "name"),
            "a blank",
            "a premises name",
            "add the trading name",
            "name missing",
            exclude=False,
        )


def _premises_types(
    ptype_raw: pd.Series, is_derived: bool, fields: Mapping[str, str], log: ProblemLog
) -> np.ndarray:
    """The premises type of each row: as derived by the source, else the file's words mapped (unknown → 'other')."""
    if is_derived:
        return ptype_raw.to_numpy().astype(object)
    ptype_s, unknown = map_codes(ptype_raw, TYPE_LOOKUP, unknown_as="other", blank_as="other")
    if unknown.any():
        log.rows(
            unknown,
            fields.get("premises_type"),
            ptype_raw,
            f"a premises type ({', '.join(PREMISES_TYPES)})",
            "none needed: counted as 'other'",
            "",
            exclude=False,
        )
    return ptype_s.to_numpy().astype(object)


def _capacity(raw: RawTable, fields: Mapping[str, str], log: ProblemLog) -> np.ndarray:
    """Capacity in persons (NaN when unknown, unreadable or impossible; those reported, kept)."""
    if "capacity" not in fields:
        return np.full(len(raw), np.nan)
    cap, bad = raw.numbers(fields["capacity"])
    with np.errstate(invalid="ignore"):
        impossible = ~bad & ~np.isnan(cap) & (~np.isfinite(cap) | (cap < 0))
    cap_text = raw.text(fields["capacity"]).to_numpy()
    log.rows(
        bad | impossible,
        fields["capacity"],
        lambda i: f'"{cap_text[i] or format(cap[i], "g")}"',  # a numeric column shows inf as blank
        "a number of persons (0 or more)",
        "none needed: capacity left unknown; correct it to use it",
        "",
        exclude=False,
    )
    return np.where(impossible, np.nan, cap)


def _yes_no(raw: RawTable, fields: Mapping[str, str], name: str, log: ProblemLog) -> np.ndarray:
    """A yes/no column as booleans (no when absent; unreadable values reported and read as no)."""
    if name not in fields:
        return np.full(len(raw), False)
    vals, bad = parse_bools(raw.text(fields[name]))
    log.rows(
        bad,
        fields[name],
        raw.text(fields[name]).to_numpy(),
        "yes or no",
        "none needed: read as no",
        "",
        exclude=False,
    )
    return vals


def _door_staff(raw: RawTable, fields: Mapping[str, str], log: ProblemLog) -> np.ndarray:
    """Door staff as whole numbers (0 when absent, unreadable or impossible; those reported, kept)."""
    if "door_staff" not in fields:
        return np.zeros(len(raw), dtype=np.int64)
    ds, bad = raw.numbers(fields["door_staff"])
    with np.errstate(invalid="ignore"):
        impossible = ~bad & ~np.isnan(ds) & (~np.isfinite(ds) | (ds < 0) | (ds != np.floor(ds)))
    ds_raw, ds = ds, np.where(impossible, np.nan, ds)
    ds_text = raw.text(fields["door_staff"]).to_numpy()
    log.rows(
        bad | impossible,
        fields["door_staff"],
        lambda i: f'"{ds_text[i] or format(ds_raw[i], "g")}"',
        "a whole number (0 or more)",
        "none needed: read as 0",
        "",
        exclude=False,
    )
    return np.nan_to_num(ds, nan=0).astype(np.int64)


def _frame(
    raw: RawTable,
    fields: Mapping[str, str],
    cols: Mapping[str, Any],
    log: ProblemLog,
    params: PremisesParams,
    used_extra: set[str] | None,
) -> gpd.GeoDataFrame | None:
    """The kept rows as the premises GeoDataFrame: glossary columns typed, then the file's other columns."""
    keep = log.keep
    out_cols = (*PREMISES_COLUMNS, *PREMISES_HOURS_COLUMNS)
    df = pd.DataFrame({c: (np.asarray(cols[c])[keep]) for c in out_cols})
    for c in TEXT_FIELDS + ("premises_type",) + tuple(f"hours_{d}" for d in WEEKDAYS):
        df[c] = df[c].astype(str)
    for c in PREMISES_HOURS_COLUMNS:
        df[c] = df[c].astype(bool) if c == "hours_known" else df[c].astype(str)
    df["capacity"] = df["capacity"].astype(float)
    df["door_supervision"] = df["door_supervision"].astype(bool)
    df["synthetic"] = df["synthetic"].astype(bool)
    used = set(fields.values()) | (used_extra or set())
    for c in raw.columns:
        if c not in used and c not in df.columns:
            df[c] = raw.text(c).to_numpy()[keep]
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["x"], df["y"]), crs=ANALYSIS_CRS)
    if len(gdf):
        counts = gdf["premises_type"].value_counts()
        log.note("types: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    # read by licvisit.core.plan.candidates: plan a premises without hours inside the operation's hours, or not
    gdf.attrs["unknown_hours"] = params.unknown_hours
    log.finish(raw.rows_read, len(gdf))
    return None if log.has_error else gdf
