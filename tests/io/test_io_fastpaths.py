"""The fast paths of the readers give exactly what the plain Arrow/pandas operations give."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from licvisit.io.parse import duplicated, parse_datetimes
from licvisit.io.table import trim_text

WHITESPACE = ["\t", "\n", " ", "\x1c", "\u00a0", "\u2003", "\u3000", "\x85"]
ALPHABET = ["a", "b", "é", "€", "1", "-", *WHITESPACE]


def _random_strings(rng: random.Random) -> list[str | None]:
    vals = [
        "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 5))) if rng.random() > 0.1 else None
        for _ in range(rng.randint(0, 60))
    ]
    if rng.random() < 0.5:
        vals = [v.strip() if v else v for v in vals]
    return vals


def test_trim_text_matches_arrow_trim():
    rng = random.Random(1)
    for _ in range(300):
        arr = pa.array(_random_strings(rng), type=rng.choice([pa.string(), pa.large_string()]))
        if len(arr) > 4 and rng.random() < 0.3:
            arr = arr.slice(2, len(arr) - 3)
        col = pa.chunked_array([arr, arr.slice(1)]) if rng.random() < 0.5 else arr
        expected = pc.utf8_trim_whitespace(pc.fill_null(col, ""))
        got = trim_text(col)
        assert got.type == expected.type
        assert got.to_pylist() == expected.to_pylist()


def _duplicated_reference(values: list[str | None]) -> list[bool]:
    seen: set[str] = set()
    out = []
    for v in values:
        v = "" if v is None else v
        out.append(v != "" and v in seen)
        seen.add(v)
    return out


def test_duplicated_matches_first_seen_rule():
    rng = random.Random(7)
    cases = [
        [f"INC{i}" for i in range(1, 200)],  # issue order: the fast path
        [f"INC{i}" for i in range(1, 200)] + ["INC5"],
        ["a", "b", "b"],
        ["", "a", "b"],
        ["b", "a"],
        ["a", None, "a", ""],
        ["x"],
        [],
    ]
    for _ in range(300):
        cases.append(
            [rng.choice(["", "a", "b", "ab", "ba", "é", None, "10", "9"]) for _ in range(rng.randint(0, 30))]
        )
    for values in cases:
        for arr in (
            pa.array(values, type=pa.string()),
            pa.chunked_array([pa.array(values, type=pa.string())]),
        ):
            assert duplicated(arr).tolist() == _duplicated_reference(values), values


def test_parse_datetimes_mixed_forms():
    values = [
        "2024-01-01 10:00:00",
        "2024-02-30 10:00:00",
        "31/02/2024 23:15",
        "03/01/2025 23:15",
        "2024-02-29 23:59:59",
        "2023-02-29 00:00:00",
        "2024-06-01 24:00:00",
        "  2024-06-01 12:00:00 ",
        "2025-01-03T23:15:00+01:00",
        "",
        None,
        "garbage",
    ] * 50
    when, known, bad = parse_datetimes(pa.chunked_array([pa.array(values, type=pa.string())]))
    got = [(str(w), bool(k), bool(b)) for w, k, b in zip(when[:12], known[:12], bad[:12], strict=True)]
    assert got == [
        ("2024-01-01T10:00:00.000000000", True, False),
        ("NaT", False, True),
        ("NaT", False, True),
        ("2025-01-03T23:15:00.000000000", True, False),
        ("2024-02-29T23:59:59.000000000", True, False),
        ("NaT", False, True),
        ("NaT", False, True),
        ("2024-06-01T12:00:00.000000000", True, False),
        ("2025-01-03T22:15:00.000000000", True, False),
        ("NaT", False, False),
        ("NaT", False, False),
        ("NaT", False, True),
    ]


def test_locate_in_background_gives_the_same_grid_references():
    from licvisit.io.geo import locate
    from licvisit.io.validate import ProblemLog

    rng = np.random.default_rng(4)
    n = 300_000
    lon = -1.9 + rng.normal(0, 0.5, n)
    lat = 52.5 + rng.normal(0, 0.5, n)
    lon[::1000] = np.nan
    lon[5::1000], lat[5::1000] = lat[5::1000], lon[5::1000]  # swapped rows
    lat[7::1000] = 40.0  # outside Great Britain
    results = []
    for pending in (None, []):
        log = ProblemLog("calls.csv", "calls", np.arange(2, n + 2))
        x, y, missing = locate(lon, lat, "lonlat", log, ("longitude", "latitude"), pending=pending)
        for job in pending or []:
            job.result()
        results.append((x, y, missing, log.keep.copy(), [str(p) for p in log.problems]))
    (x0, y0, m0, k0, p0), (x1, y1, m1, k1, p1) = results
    assert np.array_equal(x0, x1, equal_nan=True) and np.array_equal(y0, y1, equal_nan=True)
    assert np.array_equal(m0, m1) and np.array_equal(k0, k1) and p0 == p1
    assert np.isfinite(x1).sum() > n * 0.9


@pytest.mark.parametrize(
    "text",
    [
        "2300-01-01 00:00:00",
        "4880-02-30 01:00:00",
        "1850-01-01",
        "12/05/2300 10:00",
        "9999-06-01T00:00:00+00:00",
    ],
)
def test_dates_outside_plausible_years_are_bad_not_wrapped_or_crashing(text):
    """A far-future or far-past date is a bad row, never a wrapped-around datetime or a crash."""
    import pyarrow as pa

    from licvisit.io.parse import parse_datetimes

    vals, known, bad = parse_datetimes(pa.chunked_array([[text, "2025-01-03 23:15:00"]]))
    assert bad.tolist() == [True, False]
    assert str(vals[1]) == "2025-01-03T23:15:00.000000000"


def _read(path):
    from licvisit.io.table import read_table
    from licvisit.io.validate import ProblemLog

    log = ProblemLog(str(path), "calls")
    raw = read_table(path, log)
    return raw, log


def test_parse_ahead_is_taken_by_the_next_read_and_gives_the_same_table(tmp_path, monkeypatch):
    from licvisit.io import csv_parse
    from licvisit.io import table as table_mod

    path = tmp_path / "calls.csv"
    path.write_text("call_id,occurred_at,x\nA1,2025-01-03 23:15,406950\nA2,2025-01-04 01:10,406960\n")
    plain, _ = _read(path)
    calls = []
    real = csv_parse.read_arrow

    def counted(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(csv_parse, "read_arrow", counted)  # the parse ahead
    monkeypatch.setattr(table_mod, "read_arrow", counted)  # read_table's own parses
    csv_parse.parse_ahead(path)
    ahead, log = _read(path)
    assert len(calls) == 1  # parsed once, ahead; read_table took that parse
    assert ahead.table.equals(plain.table)
    assert ahead.row_numbers.tolist() == [2, 3] and not log.problems
    assert csv_parse._PARSED_AHEAD == {}  # taken and forgotten
    _read(path)
    assert len(calls) == 2  # a later read parses again


def test_a_file_changed_after_parse_ahead_is_read_as_it_is_now(tmp_path):
    from licvisit.io import csv_parse

    path = tmp_path / "calls.csv"
    path.write_text("call_id,x\nA1,1\n")
    csv_parse.parse_ahead(path)
    path.write_text("call_id;x;y\nB1;2;3\nB2;4;5\n")  # another size, delimiter and header
    raw, _ = _read(path)
    assert raw.columns == ["call_id", "x", "y"]
    assert raw.table.column("call_id").to_pylist() == ["B1", "B2"]
    csv_parse._PARSED_AHEAD.clear()  # the stale parse was never taken


def test_parse_ahead_of_an_awkward_file_gives_the_same_table_and_messages(tmp_path):
    """Rows with the wrong number of fields and Windows-1252 text: the retries run as without it."""
    from licvisit.io import csv_parse

    path = tmp_path / "calls.csv"
    path.write_bytes("call_id,name,x\nA1,Caf\xe9 \xa3,1\nA2,two,2,extra\nA3,three,3\n".encode("latin-1"))
    plain, plain_log = _read(path)
    csv_parse.parse_ahead(path)
    ahead, log = _read(path)
    assert csv_parse._PARSED_AHEAD == {}
    assert ahead.table.equals(plain.table) and ahead.encoding == plain.encoding == "cp1252"
    assert ahead.row_numbers.tolist() == plain.row_numbers.tolist()
    assert ahead.table.column("call_id").to_pylist() == ["A1", "A3"]
    assert [str(p) for p in log.problems] == [str(p) for p in plain_log.problems] != []


def test_rank_leaves_no_parse_ahead_behind_when_the_inputs_fail(tmp_path):
    """The read fails before it reaches the calls: the command fails, and the calls' parse is not kept."""
    from licvisit.app.rank import rank_command
    from licvisit.config import Config
    from licvisit.core.risk import RiskParams
    from licvisit.errors import ConfigError
    from licvisit.io import csv_parse

    calls = tmp_path / "calls.csv"
    calls.write_text("call_id,occurred_at,category,x,y\nA1,2025-01-03 23:15,theft,406950,286560\n")
    config = Config(inputs={"calls": calls, "premises": tmp_path / "premises.csv"})
    started = []

    def failing_read(cfg, kinds, required=()):
        started.append(dict(csv_parse._PARSED_AHEAD))
        raise ConfigError("The premises register is locked.")

    with pytest.raises(ConfigError, match="locked"):
        rank_command(config, RiskParams(), tmp_path / "out", read_inputs=failing_read)
    assert len(started[0]) == 1  # the calls were being parsed ahead when the read began
    assert csv_parse._PARSED_AHEAD == {}


def test_rank_without_a_premises_file_parses_nothing_ahead(tmp_path, monkeypatch):
    """The command fails on the missing input at once; it does not first parse the calls."""
    from licvisit.app.rank import rank_command
    from licvisit.config import Config
    from licvisit.core.risk import RiskParams
    from licvisit.errors import ConfigError
    from licvisit.io import csv_parse

    calls = tmp_path / "calls.csv"
    calls.write_text("call_id,occurred_at,category,x,y\nA1,2025-01-03 23:15,theft,406950,286560\n")
    parsed = []
    real = csv_parse.parse_ahead
    monkeypatch.setattr(csv_parse, "parse_ahead", lambda path: parsed.append(path) or real(path))
    with pytest.raises(ConfigError, match="No premises file given"):
        rank_command(Config(inputs={"calls": calls}), RiskParams(), tmp_path / "out")
    assert parsed == []


def test_a_row_with_the_wrong_number_of_fields_is_named_by_its_line(tmp_path):
    """The spreadsheet row (header = row 1) of a bad row, and of the rows after it, as a user finds them."""
    path = tmp_path / "calls.csv"
    path.write_text("call_id,name,x\nA1,one,1\nA2,two,2,extra\nA3,three,3\n")
    raw, log = _read(path)
    assert raw.table.column("call_id").to_pylist() == ["A1", "A3"]
    assert raw.row_numbers.tolist() == [2, 4]
    assert [p.row for p in log.problems] == [3]
    assert str(log.problems[0]) == (
        f'{path}, row 3: found 4 fields in "A2,two,2,extra"; expected 3 fields, as in the header. '
        "Fix: fix the quoting or the number of delimiters in this row"
    )


def test_the_rank_command_and_the_parser_load_without_pandas():
    """`licvisit rank` starts parsing the calls before pandas is imported: neither module may pull it in."""
    import subprocess
    import sys

    code = (
        "import sys, licvisit.cli.risk, licvisit.io.csv_parse; "
        "print(sorted(m for m in ('pandas', 'pyarrow', 'numpy', 'geopandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_rank_that_stops_before_reading_leaves_no_parse_behind(tmp_path):
    """`licvisit rank` starts parsing --calls at once; a config error stops it first, and the parse goes."""
    from click.testing import CliRunner

    from licvisit.cli import main
    from licvisit.io import csv_parse

    calls = tmp_path / "calls.csv"
    calls.write_text("call_id,occurred_at,category,x,y\nA1,2025-01-03 23:15,theft,406950,286560\n")
    premises = tmp_path / "premises.csv"
    premises.write_text("premises_id,name,x,y\nP1,The Crown,406950,286560\n")
    bad_config = tmp_path / "licvisit.toml"
    bad_config.write_text("[inputs\n")  # not TOML
    res = CliRunner().invoke(
        main, ["rank", "--config", str(bad_config), "--calls", str(calls), "--premises", str(premises)]
    )
    assert res.exit_code == 1 and "Error:" in res.output
    assert csv_parse._PARSED_AHEAD == {}
