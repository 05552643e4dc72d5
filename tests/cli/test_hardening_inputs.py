"""Issue 10: no traceback and no silent wrong result for mistyped config, odd zone files,
unknown premises ids, impossible dates and impossible values - one table of CLI cases.

Each case writes its files into a temporary folder (run as the working folder, so the
messages name short relative paths), runs one command through click's CliRunner, and
checks the exit code and the exact lines the user sees.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from licvisit.cli import main
from tests.paths import TEST_DATA

PLAN = TEST_DATA / "plan"
LSOA = TEST_DATA / "io" / "lsoa_birmingham_bng.geojson"
PLAN_DATA = ["--calls", "calls.csv", "--premises", "premises.csv"]


def _square(x0: float, y0: float, d: float) -> list[list[float]]:
    return [[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d], [x0, y0]]


def _zones(features: list[tuple[dict, list[list[float]]]], crs: str | None = None) -> str:
    doc: dict = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": p, "geometry": {"type": "Polygon", "coordinates": [ring]}}
            for p, ring in features
        ],
    }
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc, ensure_ascii=False)


def _edit(name: str, old: str, new: str) -> Callable[[Path], None]:
    """Write ``name`` as the test week's file of that name with ``old`` replaced (once) by ``new``."""

    def write(folder: Path) -> None:
        text = (PLAN / name).read_text(encoding="utf-8")
        assert old in text, old
        (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")

    return write


def _file(name: str, text: str) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        (folder / name).write_text(text, encoding="utf-8")

    return write


def _lsoa(
    name: str, *, drop_crs: bool = False, rename: dict[str, str] | None = None
) -> Callable[[Path], None]:
    """The two real LSOA boundaries, optionally without their ``crs`` member or with renamed columns."""

    def write(folder: Path) -> None:
        doc = json.loads(LSOA.read_text(encoding="utf-8"))
        if drop_crs:
            doc.pop("crs")
        for f in doc["features"]:
            f["properties"] = {(rename or {}).get(k, k): v for k, v in f["properties"].items()}
        (folder / name).write_text(json.dumps(doc), encoding="utf-8")

    return write


def _toml(text: str) -> Callable[[Path], None]:
    return _file("c.toml", text)


PREMISES = (PLAN / "premises.csv").read_text(encoding="utf-8")
FUTURE_VISITS = (PLAN / "visits.csv").read_text(encoding="utf-8") + (
    "598445,2025-10-14T23:20:00,sia_check,compliant,a visit after the planned week\n"
)
ODD_ZONES = _zones(
    [
        ({"name": "★★★"}, _square(-1.92, 52.474, 0.005)),
        ({"name": "{{ 6*7 }}"}, _square(-1.91, 52.474, 0.005)),
        ({"name": "A-B"}, _square(-1.90, 52.474, 0.01)),
        ({"name": "A B"}, _square(-1.91, 52.48, 0.005)),
    ]
)

# id, files to write, command line, exit code, lines the output must contain (exactly)
CASES = [
    # --- TOML of the wrong type: one line naming the file, key, found, expected, fix -----------
    (
        "mapping-not-a-table",
        [_toml('mapping = "x"\n')],
        ["validate", "--config", "c.toml", *PLAN_DATA],
        1,
        [
            'Error: Config file c.toml: mapping = "x"; expected a section [mapping.calls], [mapping.premises] or '
            "[mapping.zones]. Fix: write [mapping.calls] on a line of its own, with its settings on the lines "
            "below (see docs/configuration.md)."
        ],
    ),
    (
        "input-path-a-number",
        [_toml("[inputs]\ncalls = 5\n")],
        ["validate", "--config", "c.toml"],
        1,
        [
            "Error: Config file c.toml, [inputs]: calls = 5; expected the path of one file or folder in quotes. "
            'Fix: write calls = "path/to/calls.csv".'
        ],
    ),
    (
        "input-path-a-list",
        [_toml('[inputs]\ncalls = ["a", "b"]\n')],
        ["validate", "--config", "c.toml"],
        1,
        [
            'Error: Config file c.toml, [inputs]: calls = ["a", "b"]; expected the path of one file or folder '
            'in quotes. Fix: write calls = "path/to/calls.csv".'
        ],
    ),
    (
        "section-a-number",
        [_toml("risk = 5\n")],
        ["rank", "--config", "c.toml", *PLAN_DATA, "--out", "out"],
        1,
        [
            "Error: Config file c.toml: risk = 5; expected a section [risk]. Fix: write [risk] on a line of its "
            "own, with its settings on the lines below (see docs/configuration.md)."
        ],
    ),
    (
        "setting-of-the-wrong-type",
        [_toml("[risk]\nscheme = 5\n")],
        ["rank", "--config", "c.toml", *PLAN_DATA, "--out", "out"],
        1,
        [
            'Error: Config [risk]: scheme = 5; expected text in quotes. Fix: write scheme = "cchi", or another '
            "value of that kind (see docs/configuration.md)."
        ],
    ),
    (
        "harm-table-a-number",
        [_toml("[harm]\nthrive = 5\n")],
        ["rank", "--config", "c.toml", *PLAN_DATA, "--out", "out"],
        1,
        [
            "Error: Config [harm]: thrive = 5; expected a table [harm.thrive]. Fix: write [harm.thrive] on a line "
            "of its own and one line per entry below it (e.g. [harm.thrive] then H = 1.5)."
        ],
    ),
    (
        "operation-a-number",
        [_toml("[operations]\nsia_check = 5\n")],
        ["plan", "--config", "c.toml", "--week", "2025-W41"],
        1,
        [
            "Error: Config [operations]: sia_check = 5; expected a table [operations.sia_check]. Fix: write "
            "[operations.sia_check] on a line of its own and its settings below it (e.g. service_min = 20)."
        ],
    ),
    (
        "operation-setting-of-the-wrong-type",
        [_toml('[operations.sia_check]\nservice_min = "x"\n')],
        ["plan", "--config", "c.toml", "--week", "2025-W41"],
        1,
        [
            'Error: Config [operations.sia_check]: service_min = "x"; expected a number. Fix: write '
            "service_min = ..., or another value of that kind (see docs/configuration.md)."
        ],
    ),
    (
        "list-setting-with-text-in-it",
        [_toml('[risk]\nband_shares = [0.05, "a", 0.5]\n')],
        ["rank", "--config", "c.toml", *PLAN_DATA, "--out", "out"],
        1,
        [
            'Error: Config [risk]: band_shares = [0.05, "a", 0.5]; expected a list of 3 values, each a number. '
            "Fix: write band_shares = [0.05, 0.2, 0.5], or another value of that kind (see docs/configuration.md)."
        ],
    ),
    # --- unknown sections and keys: refused by name, with the closest ---------------------------
    (
        "mapping-section-typo",
        [_toml('[mapping.call]\ncall_id = "Ref"\n')],
        ["validate", "--config", "c.toml", *PLAN_DATA],
        1,
        [
            "Error: Config file c.toml: unknown section [mapping.call]. Did you mean [mapping.calls]? Expected "
            "one of [mapping.calls], [mapping.premises], [mapping.zones], [mapping.other_evidence]. Fix: rename or "
            "remove [mapping.call]."
        ],
    ),
    (
        "mapping-field-typo",
        [_toml('[mapping.calls]\ncal_id = "Ref"\n')],
        ["validate", "--config", "c.toml", *PLAN_DATA],
        1,
        [
            "Error: Config file c.toml, [mapping.calls]: unknown field 'cal_id'. Did you mean 'call_id'? "
            "Expected one of call_id, occurred_at, category, thrive, premises_ref, location_text, x, y, "
            "longitude, latitude, easting, northing. Fix: the key is our glossary name, the value the header "
            "in your file (docs/data-contracts.md)."
        ],
    ),
    (
        "mapping-header-a-number",
        [_toml("[mapping.premises]\nname = 3\n")],
        ["validate", "--config", "c.toml", *PLAN_DATA],
        1,
        [
            "Error: Config file c.toml, [mapping.premises]: name = 3; expected the header of a column in your "
            'file, in quotes. Fix: write name = "Column Header".'
        ],
    ),
    (
        "section-typo",
        [_toml("[rsik]\nradius_m = 50\n")],
        ["validate", "--config", "c.toml", *PLAN_DATA],
        1,
        [
            "Error: Config file c.toml: unknown section [rsik]. Did you mean 'risk'? Expected one of evidence, "
            "harm, inputs, mapping, maps, operations, plan, premises, risk, synth. Fix: rename or remove [rsik]."
        ],
    ),
    (
        "harm-category-typo",
        [_toml("[harm]\nrobery = 20\n")],
        ["rank", "--config", "c.toml", *PLAN_DATA, "--out", "out"],
        1,
        [
            "Error: Config [harm]: unknown setting 'robery'. Did you mean 'robbery'? Expected a category "
            "(anti_social_behaviour, bicycle_theft, burglary, criminal_damage_arson, drugs, other_crime, "
            "other_theft, possession_of_weapons, public_order, robbery, shoplifting, theft_from_the_person, "
            "vehicle_crime, violence_and_sexual_offences, violence_with_injury, violence_without_injury, "
            "sexual_offence, weapons, drunk_and_disorderly, criminal_damage, theft, concern_for_welfare, "
            "licensing_concern, door_staff_request, refusal_report, other) or one of preventive, scheme, "
            "thrive, weights."
        ],
    ),
    # --- zones ----------------------------------------------------------------------------------
    (
        "bng-zones-without-crs-read-as-27700",
        [_lsoa("z.geojson", drop_crs=True)],
        ["validate", "--zones", "z.geojson"],
        0,
        [
            "  z.geojson: found no coordinate reference system, and coordinates in metres (e.g. 407056, 287290); "
            "expected a CRS in the file. Fix: none needed: read as British National Grid (EPSG:27700); set the "
            "CRS when exporting (QGIS: Export > Save Features As, CRS EPSG:27700)"
        ],
    ),
    (
        "zones-outside-great-britain",
        [_file("z.geojson", _zones([({"name": "Paris"}, _square(2.33, 48.85, 0.02))]))],
        ["validate", "--zones", "z.geojson"],
        1,
        [
            "  z.geojson: found every zone outside Great Britain (e.g. 2.33, 48.85 in EPSG:4326); expected zone "
            "polygons in Great Britain. Fix: check the file covers your force area and that its CRS is right "
            "(EPSG:4326 for longitude/latitude, EPSG:27700 for eastings/northings)"
        ],
    ),
    (
        "one-zone-outside-great-britain",
        [
            _file(
                "z.geojson",
                _zones(
                    [
                        ({"name": "Centre"}, _square(-1.92, 52.474, 0.015)),
                        ({"name": "Paris"}, _square(2.33, 48.85, 0.02)),
                    ]
                ),
            )
        ],
        ["validate", "--zones", "z.geojson"],
        0,
        [
            "    skipped 1: outside Great Britain",
            "  z.geojson, row 2, field \"geometry\": found a zone outside Great Britain (zone 'paris'); expected a "
            "zone inside Great Britain. Fix: check the zone's coordinates and the file's CRS in your GIS, or "
            "delete the feature",
        ],
    ),
    (
        "zones-neither-degrees-nor-grid-metres",
        [_file("z.geojson", _zones([({"name": "Sea"}, _square(5e6, 286000, 1500))]))],
        ["validate", "--zones", "z.geojson"],
        1,
        [
            "  z.geojson: found no coordinate reference system, and coordinates that are neither "
            "longitude/latitude nor British National Grid metres inside Great Britain (e.g. 5e+06, 286000); "
            "expected zone polygons in Great Britain, in EPSG:4326 or EPSG:27700. Fix: export the zones from "
            "your GIS as GeoJSON in EPSG:4326 or EPSG:27700"
        ],
    ),
    (
        "lonlat-zones-labelled-27700",
        [
            _file(
                "z.geojson",
                _zones([({"name": "Centre"}, _square(-1.92, 52.474, 0.015))], "urn:ogc:def:crs:EPSG::27700"),
            )
        ],
        ["validate", "--zones", "z.geojson"],
        1,
        [
            "  z.geojson: found longitude/latitude coordinates (e.g. -1.92, 52.474) in a file labelled EPSG:27700; "
            "expected eastings and northings in metres for EPSG:27700. Fix: set the layer's CRS to EPSG:4326 in "
            "your GIS (QGIS: Layer > Set CRS) and export again"
        ],
    ),
    (
        "bng-zones-without-crs-used",
        [_lsoa("z.geojson", drop_crs=True)],
        [
            "rank",
            *PLAN_DATA,
            "--zones",
            "z.geojson",
            "--zone",
            "Birmingham 138A",
            "--out",
            "out",
            "--top",
            "1",
        ],
        0,
        ["5 premises in zone 'Birmingham 138A' (zone rank first, then rank in the whole area):"],
    ),
    (
        "unusual-zone-names-kept",
        [_file("z.geojson", ODD_ZONES)],
        ["rank", *PLAN_DATA, "--zones", "z.geojson", "--zone", "A B", "--out", "out", "--top", "0"],
        0,
        [
            "Ranked 16 premises as of 2025-10-07 (cchi harm). Calls linked: 1 by reference, 2 by name, 28 nearest "
            "within 50 m; 369 unlinked; 7 at closed hours excluded."
        ],  # fmt: skip
    ),
    (
        "zone-name-column-mapped",
        [
            _lsoa("z.geojson", rename={"LSOA11CD": "Ward Ref", "LSOA11NM": "Ward Title"}),
            _toml('[mapping.zones]\nzone_id = "Ward Ref"\nname = "Ward Title"\n'),
        ],
        [
            "rank",
            "--config",
            "c.toml",
            *PLAN_DATA,
            "--zones",
            "z.geojson",
            "--zone",
            "Birmingham 138B",
            "--out",
            "out",
            "--top",
            "1",
        ],  # fmt: skip
        0,
        ["0 premises in zone 'Birmingham 138B' (zone rank first, then rank in the whole area):"],
    ),
    (
        "zone-mapping-names-a-missing-column",
        [_lsoa("z.geojson"), _toml('[mapping.zones]\nname = "LSOA_NM"\n')],
        ["validate", "--config", "c.toml", "--zones", "z.geojson"],
        1,
        [
            '  z.geojson, field "LSOA_NM": found no column "LSOA_NM" (named in [mapping.zones] for name); columns '
            'are LSOA11CD, LSOA11NM; expected a column "LSOA_NM". Fix: use "LSOA11NM" in [mapping.zones]'
        ],
    ),
    # --- premises ids given on the command line ---------------------------------------------------
    (
        "exclude-unknown-id",
        [],
        ["plan", "--config", str(PLAN / "licvisit.toml"), "--week", "2025-W41", "--exclude", "59844"],
        1,
        [
            "Error: Premises '59844' given to --exclude is not in the premises register (closest: 598464, "
            "598445, 598444). Fix: give a premises_id from the register, as listed in ranking.csv."
        ],
    ),
    (
        "lock-unknown-id",
        [],
        ["plan", "--config", str(PLAN / "licvisit.toml"), "--week", "2025-W41", "--lock", "NOPE@2025-10-10"],
        1,
        [
            "Error: Premises 'NOPE' given to --lock is not in the premises register. Fix: give a premises_id "
            "from the register, as listed in ranking.csv."
        ],
    ),
    # --- dates --------------------------------------------------------------------------------------
    (
        "plan-as-of-before-every-call",
        [],
        ["plan", "--config", str(PLAN / "licvisit.toml"), "--week", "2025-W41", "--as-of", "2020-01-01"],
        1,
        [
            "Error: No calls before 2020-01-01 to rank on; the first is dated 2025-09-23. Fix: give --as-of "
            "2025-09-24 or later."
        ],
    ),
    (
        "plan-week-before-every-call",
        [],
        ["plan", *PLAN_DATA, "--staff", "staff.csv", "--week", "2020-W02"],
        1,
        [
            "Error: No calls before 2020-01-06 to rank on; the first is dated 2025-09-23. Fix: give --as-of "
            "2025-09-24 or later."
        ],
    ),
    (
        "rank-long-after-the-data",
        [],
        ["rank", *PLAN_DATA, "--as-of", "2027-01-01", "--out", "out", "--top", "0"],
        0,
        [
            "Warning: Scored as at 2027-01-01, 451 days after the last call (2025-10-06): the calls may be out "
            "of date and older harm counts for less (recency decay), so the order may differ from a ranking "
            "made when the data were current. Fix: load calls up to the last few weeks."
        ],
    ),
    (
        "visits-after-the-planned-week",
        [_file("visits.csv", FUTURE_VISITS)],
        ["validate", "--premises", "premises.csv", "--visits", "visits.csv", "--week", "2025-W41"],
        0,
        [
            "    skipped 1: dated in the future",
            '  visits.csv, row 23, field "visited_at": found "2025-10-14 23:20:00"; expected a past visit, before '
            "the planned week (nights 2025-10-06 to 2025-10-12) ends. Fix: correct the date (day and month "
            "swapped?) or delete the row; a visit not yet made is not history",
        ],
    ),
    (
        "visits-after-today",
        [_file("visits.csv", FUTURE_VISITS.replace("2025-10-14T23:20:00", "2099-10-14T23:20:00"))],
        ["validate", "--premises", "premises.csv", "--visits", "visits.csv"],
        0,
        ["    skipped 1: dated in the future"],
    ),
    # --- impossible values, listed by row -----------------------------------------------------------
    (
        "capacity-infinite-or-negative",
        [_file("premises.csv", PREMISES.replace(",280.0,", ",inf,", 1).replace(",760.0,", ",-50,", 1))],
        ["validate", "--premises", "premises.csv"],
        0,
        [
            '  premises.csv, row 2, field "capacity": found "inf"; expected a number of persons (0 or more). Fix: '
            "none needed: capacity left unknown; correct it to use it",
            '  premises.csv, row 3, field "capacity": found "-50"; expected a number of persons (0 or more). Fix: '
            "none needed: capacity left unknown; correct it to use it",
        ],
    ),
    (
        "max-shifts-not-positive",
        [_edit("staff.csv", "False,5,40.0,,17:00", "False,-3,40.0,,17:00")],
        ["validate", "--staff", "staff.csv"],
        0,
        [
            "    skipped 1: max_shifts not positive",
            '  staff.csv, row 2, field "max_shifts": found "-3"; expected a whole number of shifts per week, 1 or '
            "more. Fix: correct max_shifts; for a week off leave the officer's availability blank",
        ],
    ),
    (
        "zero-length-hours",
        [_edit("premises.csv", "12:00-01:00,12:00-01:00,12:00-01:00", "22:00-22:00,12:00-01:00,12:00-01:00")],
        ["validate", "--premises", "premises.csv"],
        0,
        [
            '  premises.csv, row 2, field "hours_mon": found "22:00-22:00"; expected licensed hours HH:MM-HH:MM '
            "(may cross midnight) or 'closed'. Fix: none needed: that day's hours were left blank; correct them "
            "to use them"
        ],
    ),
]


@pytest.mark.parametrize("name, writers, args, code, lines", CASES, ids=[c[0] for c in CASES])
def test_hardening_case(tmp_path, monkeypatch, name, writers, args, code, lines):
    for f in ("calls.csv", "premises.csv", "staff.csv", "visits.csv"):
        shutil.copy(PLAN / f, tmp_path / f)
    for write in writers:
        write(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, args)
    # a one-line error exits through SystemExit; any other exception would be a traceback
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert res.exit_code == code, res.output
    shown = res.output.splitlines()
    for line in lines:
        assert line in shown, f"{line!r} not in:\n{res.output}"
