"""Detect and check coordinates, and turn them into British National Grid (EPSG:27700).

Whether a pair of columns holds longitude/latitude (EPSG:4326) or
easting/northing (EPSG:27700) is decided from the column names *and* the
values.  Each row is then checked to lie inside Great Britain.

Swapped coordinates: when *every* located row of a file has longitude and
latitude the other way round (or easting/northing in the longitude/latitude
columns, or the reverse), the whole file is read the right way round and one
warning says so.  When only some rows are wrong, each of those rows is listed
with its number and reason and left out; the rest are used.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pandas as pd
from pyproj import Transformer

from licvisit.io.table import normalise_name
from licvisit.io.validate import ProblemLog

# Generous boxes around Great Britain (mainland, islands, Scilly to Shetland).
LON_MIN, LON_MAX, LAT_MIN, LAT_MAX = -8.7, 1.9, 49.8, 60.95
E_MIN, E_MAX, N_MIN, N_MAX = 0.0, 700_000.0, 0.0, 1_250_000.0

_LON = ("longitude", "lon", "long", "lng", "geocode_longitude", "base_lon", "base_longitude", "x_lon")
_LAT = ("latitude", "lat", "geocode_latitude", "base_lat", "base_latitude", "y_lat")
_EAST = ("easting", "eastings", "x", "bng_e", "east", "os_x", "base_easting", "oseast1m", "grid_ref_easting")
_NORTH = (
    "northing",
    "northings",
    "y",
    "bng_n",
    "north",
    "os_y",
    "base_northing",
    "osnrth1m",
    "grid_ref_northing",
)

_TO_BNG: Transformer | None = None
_TO_WGS: Transformer | None = None


def to_bng_transformer() -> Transformer:
    global _TO_BNG
    if _TO_BNG is None:
        _TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    return _TO_BNG


def lonlat_to_bng(lon: np.ndarray, lat: np.ndarray, *, threads: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised WGS84 -> BNG [m].

    Repeated points (police.uk snap points) are transformed once; large
    arrays are split over two threads (pyproj releases the GIL; one
    Transformer per thread, as pyproj requires).  ``threads=1``: all on the
    calling thread with a Transformer of its own (for a background job that
    runs beside other work).
    """
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    n = len(lon)
    if n > 50_000:
        if _mostly_repeated(lon, lat):
            codes, uniq = pd.factorize(lon + 1j * lat)
            ux, uy = lonlat_to_bng(uniq.real, uniq.imag, threads=threads)
            return ux[codes], uy[codes]
    if threads == 1:
        x, y = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(lon, lat)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if n < 200_000:
        x, y = to_bng_transformer().transform(lon, lat)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    x = np.empty(n)
    y = np.empty(n)
    half = n // 2

    def run(sl: slice) -> None:
        t = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
        x[sl], y[sl] = t.transform(lon[sl], lat[sl])

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, [slice(0, half), slice(half, n)]))
    return x, y


def _mostly_repeated(lon: np.ndarray, lat: np.ndarray) -> bool:
    """True if the first 20,000 points hold fewer than a quarter distinct ones."""
    sample = lon[:20_000] + 1j * lat[:20_000]
    return len(np.unique(sample)) < len(sample) // 4


class BngJob:
    """WGS84 -> BNG of many points into ``x[rows]``, ``y[rows]``, started in the background.

    A background thread transforms chunk after chunk; :meth:`result` makes the
    waiting thread take the chunks still left, then waits for the last one.
    Each point is transformed on its own, so the figures are the same however
    the chunks are shared out.
    """

    CHUNK = 131_072

    def __init__(self, lon: np.ndarray, lat: np.ndarray, rows: np.ndarray, x: np.ndarray, y: np.ndarray):
        self._lon, self._lat, self._rows, self._x, self._y = lon, lat, rows, x, y
        self._chunks = -(-len(rows) // self.CHUNK)
        self._next = itertools.count()  # next() on a count is atomic: each chunk is taken once
        self._future = _in_background(self._work)

    def _work(self, transformer: Transformer | None = None) -> None:
        t = transformer or Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
        for k in iter(self._next.__next__, None):
            if k >= self._chunks:
                return
            sl = slice(k * self.CHUNK, (k + 1) * self.CHUNK)
            tx, ty = t.transform(self._lon[sl], self._lat[sl])
            r = self._rows[sl]
            self._x[r] = tx
            self._y[r] = ty

    def result(self) -> None:
        self._work(to_bng_transformer())
        self._future.result()


def _in_background(fn: Callable[[], None]) -> Future[None]:
    """Run ``fn`` on its own thread; the Future re-raises its exception on ``result()``."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="licvisit-bng")
    try:
        return pool.submit(fn)
    finally:
        pool.shutdown(wait=False)


def bng_to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    global _TO_WGS
    if _TO_WGS is None:
        _TO_WGS = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = _TO_WGS.transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)


def find_coordinate_columns(columns: list[str], prefer: tuple[str, ...] = ()) -> tuple[str, str, str] | None:
    """Find a coordinate column pair: (first, second, 'lonlat' | 'en').

    ``first`` is the longitude or easting column.  Names are compared after
    :func:`normalise_name`; ``prefer`` lists pairs' first names to try first.
    """
    keyed = {normalise_name(c): c for c in columns}

    def pick(names: tuple[str, ...]) -> str | None:
        for n in names:
            if n in keyed:
                return keyed[n]
        return None

    lon, lat = pick(_LON), pick(_LAT)
    east, north = pick(_EAST), pick(_NORTH)
    # Grid references first: they are the glossary's x/y and need no transformation.
    if east and north:
        # plain x/y may hold either degrees or metres: decided from the values alone
        return east, north, "xy" if normalise_name(east) == "x" and normalise_name(north) == "y" else "en"
    if lon and lat:
        return lon, lat, "lonlat"
    return None


def in_lonlat_box(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon >= LON_MIN) & (lon <= LON_MAX) & (lat >= LAT_MIN) & (lat <= LAT_MAX)


def in_bng_box(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # Eastings/northings below 1 km would be in the sea off the Scilly Isles;
    # requiring >= 1000 also keeps degrees from passing as metres.
    return (x >= 1000) & (x <= E_MAX) & (y >= 1000) & (y <= N_MAX)


def locate(
    a: np.ndarray,
    b: np.ndarray,
    named: str,
    log: ProblemLog,
    fields: tuple[str, str],
    *,
    pending: list[BngJob | Future] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (x, y, missing) in EPSG:27700 from a coordinate column pair.

    With ``pending`` (a list), the WGS84 -> BNG transformation of the rows
    that need it starts on a background thread (pyproj releases the GIL) and
    a job is appended to ``pending``: ``x`` and ``y`` are complete only after
    every job's ``result()`` (which lends the calling thread to the work left).
    Problems are logged before returning either way, in the same order.

    ``named`` is 'lonlat' (a = longitude, b = latitude), 'en' (a = easting,
    b = northing) or 'xy' (easting/northing or, if every value is in degrees,
    longitude/latitude, without a warning).  Rows with a coordinate outside Great Britain or the wrong
    way round are logged and excluded (x, y NaN); rows with a blank coordinate
    are only flagged in ``missing`` so the caller can geocode or log them.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    n = len(a)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    missing = np.isnan(a) | np.isnan(b)
    have = ~missing
    readings = _readings(a, b, have)
    n_have = int(have.sum())
    if n_have == 0:
        return x, y, missing
    loc = _Locating(a, b, x, y, have, n_have, fields, log, pending)
    if named == "lonlat":
        outside = _locate_lonlat(loc, *readings)
    else:
        outside = _locate_en(loc, named, *readings)
    if outside is not None:
        _log_outside(loc, outside)
    return x, y, missing


def _readings(
    a: np.ndarray, b: np.ndarray, have: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which rows read as lon/lat, lon/lat swapped, easting/northing, easting/northing swapped."""
    n = len(a)
    if n and have.all() and a.min() >= 1000 and a.max() <= E_MAX and b.min() >= 1000 and b.max() <= N_MAX:
        # every row a grid reference the right way round (degrees cannot reach 1000): no row to sort out
        none = np.zeros(n, dtype=bool)
        return none, none.copy(), np.ones(n, dtype=bool), none.copy()
    ll_ok = in_lonlat_box(a, b) & have
    # The other readings are checked only on the rows not already in degrees the right way round.
    ll_swapped = np.zeros(n, dtype=bool)
    en_ok = np.zeros(n, dtype=bool)
    en_swapped = np.zeros(n, dtype=bool)
    rest = np.flatnonzero(have & ~ll_ok)
    if len(rest):
        ra, rb = a[rest], b[rest]
        swapped = in_lonlat_box(rb, ra)
        grid = in_bng_box(ra, rb) & ~swapped
        ll_swapped[rest] = swapped
        en_ok[rest] = grid
        en_swapped[rest] = in_bng_box(rb, ra) & ~swapped & ~grid
    return ll_ok, ll_swapped, en_ok, en_swapped


class _Locating:
    """One call of :func:`locate`: the values, the output arrays and the problem log."""

    def __init__(
        self,
        a: np.ndarray,
        b: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        have: np.ndarray,
        n_have: int,
        fields: tuple[str, str],
        log: ProblemLog,
        pending: list[BngJob | Future] | None,
    ):
        self.a, self.b, self.x, self.y, self.have, self.n_have = a, b, x, y, have, n_have
        self.fa, self.fb = fields
        self.pair = f"{self.fa}/{self.fb}"
        self.log = log
        self.pending = pending

    def shown(self, i: int) -> str:
        return f"{_num(self.a[i])}, {_num(self.b[i])}"

    def to_bng(self, sel: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> None:
        x, y, pending = self.x, self.y, self.pending
        lon, lat = lon[sel], lat[sel]
        if pending is None:
            x[sel], y[sel] = lonlat_to_bng(lon, lat)
        elif len(lon) > 50_000 and _mostly_repeated(lon, lat):

            def fill() -> None:
                x[sel], y[sel] = lonlat_to_bng(lon, lat, threads=1)

            pending.append(_in_background(fill))
        else:
            pending.append(BngJob(lon, lat, np.flatnonzero(sel), x, y))


def _locate_lonlat(
    loc: _Locating, ll_ok: np.ndarray, ll_swapped: np.ndarray, en_ok: np.ndarray, en_swapped: np.ndarray
) -> np.ndarray | None:
    """Columns named longitude/latitude: fill x, y; the rows outside Great Britain, or None when done."""
    a, b, x, y, have, n_have = loc.a, loc.b, loc.x, loc.y, loc.have, loc.n_have
    fa, fb, pair, log, shown, to_bng = loc.fa, loc.fb, loc.pair, loc.log, loc.shown, loc.to_bng
    good, as_en = ll_ok, en_ok
    wrong_way = ll_swapped
    if n_have and int(as_en.sum()) == n_have:
        log.warn(
            f"eastings/northings in the longitude/latitude columns {pair} (e.g. {shown(int(np.argmax(have)))})",
            "longitude and latitude in degrees",
            "none needed: every row was read as British National Grid easting/northing; rename the columns to easting/northing",
            field=pair,
        )
        x[as_en], y[as_en] = a[as_en], b[as_en]
        return None
    if n_have and int(wrong_way.sum()) == n_have:
        log.warn(
            f"longitude and latitude swapped in every row (e.g. {shown(int(np.argmax(have)))})",
            f"{fa} about -6 to 2 and {fb} about 50 to 60 in Great Britain",
            "none needed: every row was read the other way round; swap the column headers",
            field=pair,
        )
        to_bng(wrong_way, b, a)
        return None
    ok = good
    to_bng(ok, a, b)
    log.rows(
        wrong_way,
        pair,
        shown,
        "longitude then latitude (longitude about -6 to 2, latitude about 50 to 60)",
        "swap the two values in this row",
        "longitude and latitude swapped",
    )
    log.rows(
        as_en,
        pair,
        shown,
        "longitude and latitude in degrees",
        "give this row's location in degrees, or the whole file as easting/northing",
        "easting/northing in longitude/latitude columns",
    )
    return have & ~ok & ~wrong_way & ~as_en


def _locate_en(
    loc: _Locating,
    named: str,
    ll_ok: np.ndarray,
    ll_swapped: np.ndarray,
    en_ok: np.ndarray,
    en_swapped: np.ndarray,
) -> np.ndarray | None:
    """Columns named easting/northing (or x/y): fill x, y; the rows outside Great Britain, or None when done."""
    a, b, x, y, have, n_have = loc.a, loc.b, loc.x, loc.y, loc.have, loc.n_have
    fa, fb, pair, log, shown, to_bng = loc.fa, loc.fb, loc.pair, loc.log, loc.shown, loc.to_bng
    good = en_ok
    as_ll = ll_ok
    if int(as_ll.sum()) == n_have and named == "xy":
        log.note(f"{pair} read as longitude/latitude (the values are degrees)")
        to_bng(as_ll, a, b)
        return None
    if int(as_ll.sum()) == n_have:
        log.warn(
            f"longitude/latitude in the easting/northing columns {pair} (e.g. {shown(int(np.argmax(have)))})",
            "British National Grid easting and northing in metres",
            "none needed: every row was read as longitude/latitude; rename the columns to longitude/latitude",
            field=pair,
        )
        to_bng(as_ll, a, b)
        return None
    if int(en_swapped.sum()) == n_have:
        log.warn(
            f"easting and northing swapped in every row (e.g. {shown(int(np.argmax(have)))})",
            f"{fa} (easting) 0 to 700000 and {fb} (northing) 0 to 1250000",
            "none needed: every row was read the other way round; swap the column headers",
            field=pair,
        )
        x[en_swapped], y[en_swapped] = b[en_swapped], a[en_swapped]
        return None
    ok = good
    if ok.all():
        x[:], y[:] = a, b
    else:
        x[ok], y[ok] = a[ok], b[ok]
    log.rows(
        en_swapped,
        pair,
        shown,
        "easting then northing in metres",
        "swap the two values in this row",
        "easting and northing swapped",
    )
    log.rows(
        as_ll,
        pair,
        shown,
        "British National Grid easting and northing in metres",
        "give this row's location as easting/northing",
        "longitude/latitude in easting/northing columns",
    )
    return have & ~ok & ~en_swapped & ~as_ll


def _log_outside(loc: _Locating, outside: np.ndarray) -> None:
    """Log the rows outside Great Britain: one error when that is every row."""
    have, n_have, pair, log, shown = loc.have, loc.n_have, loc.pair, loc.log, loc.shown
    if int(outside.sum()) == n_have:
        log.error(
            f"every coordinate outside Great Britain (e.g. {shown(int(np.argmax(have)))} in {pair})",
            "longitude/latitude (EPSG:4326) or easting/northing (EPSG:27700) inside Great Britain",
            "check the coordinate columns and their order; a mapping in licvisit.toml can name them",
            field=pair,
        )
        return
    log.rows(
        outside,
        pair,
        shown,
        "a location inside Great Britain",
        "correct the coordinates or delete the row",
        "location outside Great Britain",
    )


def _num(v: float) -> str:
    if np.isnan(v):
        return "blank"
    return f"{v:g}" if abs(v) < 1000 else f"{v:.0f}"
