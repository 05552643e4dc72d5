"""Link calls for service to licensed premises: by reference, by name, or by nearness.

Rules, applied in this order (a call is linked by the first rule that fits):

1. ``reference``: the call names a premises in ``premises_ref`` that is in the register.
2. ``name``: the call's free-text ``location_text`` contains a premises' trading name
   ("outside The Victoria, John Bright St"), and that premises is within
   ``name_max_m`` of the call (nearest such premises if several match).  A name
   followed by a street word is the street part of an address ("3 Victoria Street",
   "VICTORIA ST / CORPORATION ST", "Crown Street car park") and is not read.  Only
   texts that look like they name a place are tried: police.uk's anonymised
   "On or near ..." snap-point labels are street names and are skipped.
3. ``nearest``: the nearest premises within ``radius_m``.  **Near-tie rule**: every
   premises whose distance is within ``tie_m`` of the nearest one shares the call
   equally (weight 1/m each, up to ``max_candidates``).  When the call's time is
   known, premises open at that time are preferred to closed ones within the radius.

**Closed hours**: when the call's time of day is known and the premises' licensed
hours are known, a call at a time the premises is closed is excluded
(``closed_hours="exclude"``: weight 0, kept in the table so it can be shown) or
down-weighted (``"downweight"``: weight x ``closed_factor``).  Month-only data
(police.uk) and premises without hours (FHRS) are never filtered: the summary
says so.
"""

from __future__ import annotations

import re
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from licvisit.core.risk.clock import call_clock, hours_arrays, open_at

if TYPE_CHECKING:  # pragma: no cover
    from licvisit.core.risk.params import RiskParams

RULES = ("reference", "name", "nearest")
SENSITIVITY_RADII = (25.0, 50.0, 100.0)

_ON_OR_NEAR = re.compile(r"^\s*on\s+or\s+near\b", re.IGNORECASE)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Names too generic to identify a premises from free text.
_GENERIC_NAMES = frozenset(
    "bar pub club nightclub inn tavern hotel cafe kitchen takeaway restaurant lounge the shop "
    "store off licence offlicence late night wine wines food".split()
)


@dataclass
class Links:
    """Calls linked to premises.

    Attributes
    ----------
    table : DataFrame
        One row per (call, premises) link: ``call`` (row position in the calls
        frame), ``premises_idx`` (row position in the premises frame),
        ``premises_id``, ``rule`` (reference/name/nearest), ``distance_m`` [m],
        ``share`` (1/m for m near-tied premises), ``open`` (True open, False
        closed, NA unknown), ``weight`` (share x closed-hours factor).
    counts : dict
        Calls linked by each rule, ``unlinked``, ``closed_excluded``,
        ``closed_downweighted``, ``tied`` (calls split between premises),
        ``time_unknown`` (calls with month-only dates), ``calls``.
    sensitivity : DataFrame
        For radius 25/50/100 m: calls within the radius of a premises, share,
        premises receiving calls, calls with two or more premises in the radius.
    clock : tuple of arrays, optional
        The linked calls' (time_known, weekday Mon=0, minute of day) from
        :func:`~licvisit.core.risk.clock.call_clock`, kept so that scoring the
        same calls does not work them out again; None when ``call`` no longer
        indexes the calls the links were made from.
    hours : tuple of arrays, optional
        The premises' licensed hours from :func:`~licvisit.core.risk.clock.hours_arrays`
        (start, end, known), kept for scoring the same premises.
    """

    table: pd.DataFrame
    counts: dict[str, int]
    sensitivity: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    clock: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)
    hours: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.table)


def normalise_name(text: Any) -> str:
    """Lower-case, '&' -> 'and', drop apostrophes and punctuation, drop a leading 'the'."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = str(text).lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    s = _NON_ALNUM.sub(" ", s).strip()
    if s.startswith("the "):
        s = s[4:]
    return s


# Words that make the name before them part of an address (UK and US forms, abbreviated or not)
STREET_WORDS = frozenset(
    "street st road rd lane ln avenue ave av way place pl square sq row hill close cl drive dr "
    "terrace tce walk parade gardens gdns crescent cres grove gr boulevard blvd queensway ringway "
    "circus mews passage arcade wharf quay bridge gate yard alley court ct highway hwy".split()
)


def _named_candidates(texts: pd.Series, premises: pd.DataFrame) -> pd.DataFrame:
    """Return (text_code, premises_idx) pairs where a premises' name occurs in a text."""
    names = premises["name"] if "name" in premises.columns else pd.Series([""] * len(premises))
    lookup: dict[str, list[int]] = defaultdict(list)
    # first word of a name -> the names' lengths in words, shortest first: a text is
    # tried only at its words that begin a name, and only for those lengths
    lengths: dict[str, set[int]] = defaultdict(set)
    for i, nm in enumerate(names.to_numpy(dtype=object)):
        key = normalise_name(nm)
        if len(key) < 4 or key in _GENERIC_NAMES:
            continue
        lookup[key].append(i)
        first, *rest = key.split(" ")
        lengths[first].add(len(rest) + 1)
    spans = {w: sorted(ls) for w, ls in lengths.items()}
    rows_t: list[int] = []
    rows_p: list[int] = []
    for code, text in enumerate(texts):
        words = normalise_name(text).split()
        found: set[int] = set()
        for a, word in enumerate(words):
            for length in spans.get(word, ()):
                b = a + length
                if b > len(words):
                    break
                hit = lookup.get(" ".join(words[a:b]))
                # "3 Victoria Street", "W VINE ST", "Crown Street car park": a street, not The Victoria
                if hit and not (b < len(words) and words[b] in STREET_WORDS):
                    found.update(hit)
        for p in found:
            rows_t.append(code)
            rows_p.append(p)
    return pd.DataFrame(
        {"text_code": np.array(rows_t, dtype=np.int64), "premises_idx": np.array(rows_p, dtype=np.int64)}
    )


def _part(
    call: np.ndarray,
    premises_idx: np.ndarray,
    rule: str,
    distance_m: np.ndarray,
    share: np.ndarray | float = 1.0,
    op: np.ndarray | None = None,
) -> dict[str, Any]:
    """One rule's links as plain arrays (no DataFrame: millions of rows, joined once at the end).

    ``op``: the open flag the rule already worked out (int8), else -1 (not yet known).
    """
    n = len(call)
    return {
        "call": np.asarray(call, dtype=np.int64),
        "premises_idx": np.asarray(premises_idx, dtype=np.int64),
        "rule": np.full(n, RULES.index(rule), dtype=np.int8),
        "distance_m": np.asarray(distance_m, dtype=float),
        "share": np.broadcast_to(np.asarray(share, dtype=float), (n,)),
        "op": np.full(n, -1, np.int8) if op is None else np.asarray(op, dtype=np.int8),
    }


def _join_parts(parts: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """The rules' links in one set of arrays, in the order of ``parts``."""
    keys = ("call", "premises_idx", "rule", "distance_m", "share", "op")
    dtypes = (np.int64, np.int64, np.int8, float, float, np.int8)
    if not parts:
        return {k: np.zeros(0, dt) for k, dt in zip(keys, dtypes, strict=True)}
    return {k: np.concatenate([x[k] for x in parts]) for k in keys}


def factorize_text(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes and unique strings of a text column; missing values get code len(uniques).

    Factorising first means every string operation runs once per distinct value,
    not once per call (2 million calls often have a few thousand distinct texts).
    """
    codes, uniq = pd.factorize(values, use_na_sentinel=True)
    uniq_list = [str(u) for u in np.asarray(uniq, dtype=object)]
    codes = np.asarray(codes, dtype=np.int64)
    codes[codes < 0] = len(uniq_list)
    return codes, uniq_list


@dataclass
class _LinkInputs:
    """The calls' and premises' columns the linking rules read, as plain arrays."""

    n: int
    npm: int
    cx: np.ndarray
    cy: np.ndarray
    px: np.ndarray
    py: np.ndarray
    pids: np.ndarray
    start: np.ndarray
    end: np.ndarray
    known: np.ndarray
    tk: np.ndarray
    wd: np.ndarray
    minute: np.ndarray


def link_calls_to_premises(
    calls: pd.DataFrame, premises: pd.DataFrame, params: RiskParams | None = None
) -> Links:
    """Link each call to the premises it is about (see the module docstring for the rules).

    Parameters
    ----------
    calls : DataFrame
        Columns of ``licvisit.domain.CALL_COLUMNS`` (``x``, ``y`` [m] EPSG:27700,
        ``occurred_at``, ``time_known``; ``premises_ref`` and ``location_text``
        optional).
    premises : DataFrame or GeoDataFrame
        Columns of ``PREMISES_COLUMNS`` (``premises_id``, ``name``, ``x``, ``y``,
        ``hours_mon`` .. ``hours_sun`` optional).
    params : RiskParams, optional
        ``radius_m``, ``tie_m``, ``max_candidates``, ``name_max_m``,
        ``closed_hours``, ``closed_factor``.

    Returns
    -------
    Links
    """
    if params is None:
        from licvisit.core.risk.params import RiskParams

        params = RiskParams()
    xy = _link_coordinates(calls, premises)
    cx, cy, px, py = xy
    # The k-d tree query of every call (rule 3 and the sensitivity table) needs only
    # the coordinates, and pykdtree runs it without the GIL: it runs in a second thread
    # while the clocks and rules 1 and 2 (Python string work) are worked out here, in
    # chunks of calls, so that rule 3 works on each chunk while the next is queried.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="licvisit-nearest") as pool:
        tree = _PremisesTree.of(px, py)
        chunks = [(sl, pool.submit(_nearest_two, cx[sl], cy[sl], tree, params)) for sl in _chunks(len(cx))]
        a = _link_inputs(calls, premises, xy)
        assigned = np.zeros(a.n, dtype=bool)
        parts: list[dict[str, Any]] = []
        _link_by_reference(calls, a, assigned, parts)
        _link_by_name(calls, premises, a, params, assigned, parts)
        sensitivity, valid_xy = _link_nearest(a, params, assigned, parts, chunks)
    table, c, rule_code, share, closed = _links_table(parts, a, params)
    counts = _link_counts(a, params, assigned, valid_xy, c, rule_code, share, closed)
    notes = _link_notes(premises, a, table)
    return Links(
        table=table,
        counts=counts,
        sensitivity=sensitivity,
        notes=notes,
        clock=(a.tk, a.wd, a.minute),
        hours=(a.start, a.end, a.known),
    )


def _link_coordinates(
    calls: pd.DataFrame, premises: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The calls' and premises' x and y [m] as float arrays (NaN where not a number)."""
    n, npm = len(calls), len(premises)
    cx = pd.to_numeric(calls["x"], errors="coerce").to_numpy(dtype=float) if n else np.zeros(0)
    cy = pd.to_numeric(calls["y"], errors="coerce").to_numpy(dtype=float) if n else np.zeros(0)
    px = pd.to_numeric(premises["x"], errors="coerce").to_numpy(dtype=float) if npm else np.zeros(0)
    py = pd.to_numeric(premises["y"], errors="coerce").to_numpy(dtype=float) if npm else np.zeros(0)
    return cx, cy, px, py


def _link_inputs(
    calls: pd.DataFrame, premises: pd.DataFrame, xy: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
) -> _LinkInputs:
    """Coordinates ``xy``, ids, licensed hours and call clocks as the arrays the rules read."""
    n = len(calls)
    npm = len(premises)
    cx, cy, px, py = xy
    pids = premises["premises_id"].astype(str).to_numpy() if npm else np.zeros(0, dtype=object)
    start, end, known = hours_arrays(premises)
    tk, wd, minute = call_clock(calls) if n else (np.zeros(0, bool), np.zeros(0, int), np.zeros(0, int))
    return _LinkInputs(n, npm, cx, cy, px, py, pids, start, end, known, tk, wd, minute)


def _link_by_reference(
    calls: pd.DataFrame, a: _LinkInputs, assigned: np.ndarray, parts: list[dict[str, Any]]
) -> None:
    """Rule 1: calls naming a registered premises in ``premises_ref`` (appends to ``parts``)."""
    n, npm, cx, cy, px, py, pids = a.n, a.npm, a.cx, a.cy, a.px, a.py, a.pids
    # 1. explicit reference ------------------------------------------------------
    if n and npm and "premises_ref" in calls.columns:
        codes, uniq = factorize_text(calls["premises_ref"])
        upos = pd.Index(pids).get_indexer(pd.Index(uniq).str.strip())
        upos[np.asarray([u.strip() == "" for u in uniq], dtype=bool)] = -1
        pos = np.append(upos, -1)[codes]
        idx = np.flatnonzero(pos >= 0)
        if len(idx):
            p = pos[idx]
            parts.append(_part(idx, p, "reference", np.hypot(cx[idx] - px[p], cy[idx] - py[p])))
            assigned[idx] = True


def _link_by_name(
    calls: pd.DataFrame,
    premises: pd.DataFrame,
    a: _LinkInputs,
    params: RiskParams,
    assigned: np.ndarray,
    parts: list[dict[str, Any]],
) -> None:
    """Rule 2: a premises' name in the call's ``location_text`` (appends to ``parts``)."""
    n, npm, cx, cy, px, py = a.n, a.npm, a.cx, a.cy, a.px, a.py
    # 2. name in the free-text location ------------------------------------------
    if n and npm and "location_text" in calls.columns:
        all_codes, all_uniq = factorize_text(calls["location_text"])
        names_place = np.array([bool(u.strip()) and not _ON_OR_NEAR.match(u) for u in all_uniq] + [False])
        cand = (~assigned) & names_place[all_codes]
        idx = np.flatnonzero(cand)
        if len(idx):
            codes, used = pd.factorize(all_codes[idx])
            uniq = [all_uniq[u] for u in used]
            pairs = _named_candidates(pd.Series(uniq, dtype=object), premises)
            if len(pairs):
                calls_t = pd.DataFrame({"call": idx, "text_code": codes})
                m = calls_t.merge(pairs, on="text_code")
                c, p = m["call"].to_numpy(), m["premises_idx"].to_numpy()
                d = np.hypot(cx[c] - px[p], cy[c] - py[p])
                near = np.isnan(d) | (d <= params.name_max_m)
                m = pd.DataFrame({"call": c[near], "premises_idx": p[near], "distance_m": d[near]})
                m = m.sort_values(["call", "distance_m"], na_position="last", kind="stable")
                m = m.drop_duplicates("call")
                if len(m):
                    parts.append(
                        _part(
                            m["call"].to_numpy(),
                            m["premises_idx"].to_numpy(),
                            "name",
                            m["distance_m"].to_numpy(),
                        )
                    )
                    assigned[m["call"].to_numpy()] = True


NEAREST_CHUNK = 1 << 18  # calls per k-d tree query: rule 3 works on one chunk while the next is queried


def _chunks(n: int) -> list[slice]:
    """Consecutive slices of ``n`` calls, NEAREST_CHUNK each (one empty slice when ``n`` is 0)."""
    return [slice(i, min(i + NEAREST_CHUNK, n)) for i in range(0, n, NEAREST_CHUNK)] or [slice(0, 0)]


@dataclass(frozen=True)
class _PremisesTree:
    """The k-d tree of the located premises (built once, queried by every chunk of calls)."""

    ok_idx: np.ndarray  # premises rows in the tree
    tree: Any  # pykdtree KDTree, or None without located premises
    all_located: bool  # every premises is in the tree (ok_idx is 0, 1, 2, ...)

    @staticmethod
    def of(px: np.ndarray, py: np.ndarray) -> _PremisesTree:
        # pykdtree: the same queries as scipy's cKDTree (strict upper bound, misses as the
        # tree's size), as fast, on every core and without the GIL, and it imports in a
        # millisecond where scipy.spatial takes about 0.4 s of a ranking's start-up.
        from pykdtree.kdtree import KDTree

        ok_idx = np.flatnonzero(np.isfinite(px) & np.isfinite(py))
        tree = KDTree(np.column_stack([px[ok_idx], py[ok_idx]])) if len(ok_idx) else None
        return _PremisesTree(ok_idx, tree, len(ok_idx) == len(px))

    def query(
        self, points: np.ndarray, kk: int, r: float, *, cut: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Up to ``kk`` premises within ``r`` [m] of each point, nearest first: (distances, premises rows or -1).

        Premises at the same distance (a register geocoded to postcode centroids
        puts several on one spot) come in register order, whatever order the
        k-d tree finds them in.  With ``cut``, register order also decides which
        of them are kept where more are tied than the ``kk`` places left.
        """
        kq = min(kk + 1, len(self.ok_idx)) if cut else kk
        dd, ii = self._query(points, kq, r)
        if kq > 1:
            dd, ii = self._in_register_order(points, dd, ii, r)
        return dd[:, :kk], ii[:, :kk]

    def _in_register_order(
        self, points: np.ndarray, dd: np.ndarray, ii: np.ndarray, r: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """``dd``, ``ii`` with the premises at one distance in register order (rows with a tie only)."""
        kq = dd.shape[1]
        same = (dd[:, 1:] == dd[:, :-1]) & np.isfinite(dd[:, 1:])
        tied = np.flatnonzero(same.any(axis=1))
        if not len(tied):
            return dd, ii
        # a tie reaching the last place may go on beyond it: those points are asked again, for more
        open_ = tied[same[tied, -1]]
        k_more = kq
        while len(open_) and k_more < len(self.ok_idx):
            k_more = min(2 * k_more, len(self.ok_idx))
            d2, i2 = _register_sorted(*self._query(points[open_], k_more, r))
            dd[open_], ii[open_] = d2[:, :kq], i2[:, :kq]
            open_ = open_[np.isfinite(d2[:, -1]) & (d2[:, -1] == d2[:, kq - 1])]
        dd[tied], ii[tied] = _register_sorted(dd[tied], ii[tied])
        return dd, ii

    def _query(self, points: np.ndarray, kk: int, r: float) -> tuple[np.ndarray, np.ndarray]:
        """The k-d tree's ``kk`` nearest within ``r`` as it finds them: (distances, premises rows or -1)."""
        ok_idx = self.ok_idx
        dd, ii = self.tree.query(np.ascontiguousarray(points, dtype=np.float64), k=kk, distance_upper_bound=r)
        dd = dd.reshape(len(points), kk)
        ii = ii.astype(np.int64).reshape(len(points), kk)  # pykdtree's uint32, with -1 for a miss below
        if self.all_located:  # tree rows are premises rows: only the misses (index len(ok_idx)) change
            ii[ii >= len(ok_idx)] = -1
            return dd, ii
        return dd, np.where(np.isfinite(dd), ok_idx[np.minimum(ii, len(ok_idx) - 1)], -1)


@dataclass
class _Nearest:
    """One chunk of calls' two nearest premises within the largest radius (rows of the chunk)."""

    premises: _PremisesTree
    valid_xy: np.ndarray  # calls with finite coordinates
    dist: np.ndarray  # (n, k2) [m], inf beyond the radius
    nbr: np.ndarray  # (n, k2) premises rows, -1 beyond the radius
    # calls with two or more premises within radius_m (ascending), and their max_candidates nearest
    several: np.ndarray | None = None
    several_d: np.ndarray | None = None
    several_p: np.ndarray | None = None

    def candidates(
        self, multi: np.ndarray, kk: int, r: float, cx: np.ndarray, cy: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Up to ``kk`` premises within ``r`` of the calls ``multi`` (ascending): the ones queried already."""
        if self.several is None or self.several_d is None or self.several_p is None:
            return self.premises.query(np.column_stack([cx[multi], cy[multi]]), kk, r, cut=True)
        rows = np.searchsorted(self.several, multi)  # every one of ``multi`` is in ``several``
        return self.several_d[rows], self.several_p[rows]


def _register_sorted(dd: np.ndarray, ii: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row by distance, then premises row (register order); misses (inf, -1) last."""
    order = np.lexsort((np.where(ii < 0, np.iinfo(np.int64).max, ii), dd), axis=-1)
    return np.take_along_axis(dd, order, axis=1), np.take_along_axis(ii, order, axis=1)


def _nearest_two(cx: np.ndarray, cy: np.ndarray, premises: _PremisesTree, params: RiskParams) -> _Nearest:
    """Each call's two nearest premises out to the largest radius (ruled and sensitivity radii).

    One k=2 query out to 100 m serves the sensitivity table and shows which calls
    have a single candidate; only calls with two or more premises inside the radius
    (usually a minority) are queried again for up to max_candidates neighbours.
    """
    n = len(cx)
    valid_xy = np.isfinite(cx) & np.isfinite(cy)
    ok_idx, tree = premises.ok_idx, premises.tree
    k2 = min(2, max(1, min(params.max_candidates, len(ok_idx))))
    big_r = max(params.radius_m, *SENSITIVITY_RADII)
    empty = (np.zeros((0, k2)), np.zeros((0, k2), dtype=np.int64))
    near = _Nearest(premises, valid_xy, *empty)
    q = np.flatnonzero(valid_xy)
    if n and tree is not None and len(q) == n:  # every call located: the query's arrays as they come
        near.dist, near.nbr = premises.query(np.column_stack([cx, cy]), k2, big_r)
    else:
        near.dist = np.full((n, k2), np.inf)
        near.nbr = np.full((n, k2), -1, dtype=np.int64)
        if n and tree is not None and len(q):
            near.dist[q], near.nbr[q] = premises.query(np.column_stack([cx[q], cy[q]]), k2, big_r)
    several = np.flatnonzero(near.dist[:, k2 - 1] <= params.radius_m) if k2 > 1 else np.zeros(0, np.int64)
    if tree is not None and len(several):
        # The calls with two or more premises in the radius are queried again for up to
        # max_candidates here, in this thread, not after rules 1 and 2: those they link
        # (a few per cent of these calls) are queried for nothing, the rest sooner.
        k = max(1, min(params.max_candidates, len(ok_idx)))
        near.several = several
        near.several_d, near.several_p = premises.query(
            np.column_stack([cx[several], cy[several]]), k, params.radius_m, cut=True
        )
    return near


def _link_nearest(
    a: _LinkInputs,
    params: RiskParams,
    assigned: np.ndarray,
    parts: list[dict[str, Any]],
    chunks: list[tuple[slice, Future[_Nearest]]],
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rule 3: nearest premises within the radius, with the near-tie and open-premises rules.

    ``chunks``: consecutive slices of the calls and their two nearest premises
    (:func:`_nearest_two`), each taken when its query is done.  Appends to
    ``parts`` the single-candidate links, then the near-tie ones (both in call
    order, as one query of every call would); returns the radius sensitivity
    table and which calls have a location.
    """
    valid_xy = np.zeros(a.n, dtype=bool)
    counts: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    singles: list[dict[str, Any]] = []
    ties: list[dict[str, Any]] = []
    for sl, job in chunks:
        near = job.result()
        valid_xy[sl] = near.valid_xy
        part = _sensitivity_counts(near.dist, near.nbr, a.npm)
        counts = part if counts is None else (counts[0] + part[0], counts[1] + part[1], counts[2] + part[2])
        _nearest_rule(a, params, assigned, sl, near, singles, ties)
        # the chunk's arrays freed now (its Future keeps ``near``): peak memory at 12 M calls
        near.dist = near.nbr = np.zeros((0, near.dist.shape[1]))
        near.several = near.several_d = near.several_p = None
    parts.extend(singles + ties)
    assert counts is not None  # there is always one chunk
    return _sensitivity_table(*counts, a.n), valid_xy


def _nearest_rule(
    a: _LinkInputs,
    params: RiskParams,
    assigned: np.ndarray,
    sl: slice,
    near: _Nearest,
    singles: list[dict[str, Any]],
    ties: list[dict[str, Any]],
) -> None:
    """Rule 3 on the calls ``sl`` (``near`` holds their nearest premises, by row of the chunk)."""
    start, end, known, tk, wd, minute = a.start, a.end, a.known, a.tk, a.wd, a.minute
    dist, nbr = near.dist, near.nbr
    k = max(1, min(params.max_candidates, len(near.premises.ok_idx)))
    k2 = dist.shape[1]
    local = np.flatnonzero(~assigned[sl] & (dist[:, 0] <= params.radius_m))
    if not len(local):
        return
    several = dist[local, k2 - 1] <= params.radius_m if k2 > 1 else np.zeros(len(local), bool)
    # single candidate: the nearest premises, whatever its hours (closed ones are dealt with below)
    one = local[~several]
    singles.append(_part(one + sl.start, nbr[one, 0], "nearest", dist[one, 0]))
    multi_local = local[several]
    if len(multi_local):
        d, p = near.candidates(multi_local, k, params.radius_m, a.cx[sl], a.cy[sl])
        multi = multi_local + sl.start
        inr = d <= params.radius_m
        # Prefer premises open at the call's (known) time when any candidate is open.
        op = inr.copy()
        need = inr & tk[multi][:, None] & known[np.where(p >= 0, p, 0)]
        if need.any():
            r_i, k_i = np.nonzero(need)
            op[r_i, k_i] = open_at(start, end, known, p[r_i, k_i], wd[multi[r_i]], minute[multi[r_i]])
        any_open = np.asarray(op.any(axis=1))  # numpy's stubs allow a scalar for any(axis=...)
        eligible = np.where(any_open[:, None], op, inr)
        de = np.where(eligible, d, np.inf)
        dmin = de.min(axis=1)
        chosen = eligible & (de <= dmin[:, None] + params.tie_m)
        m = chosen.sum(axis=1)
        rr, kk = np.nonzero(chosen)
        # keep each call's rows together and calls in order
        ties.append(_part(multi[rr], p[rr, kk], "nearest", d[rr, kk], 1.0 / m[rr], op[rr, kk]))
    assigned[local + sl.start] = True


def _sensitivity_counts(
    dist: np.ndarray, nbr: np.ndarray, npm: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sensitivity table's counts for some calls (their nearest two premises), to be summed.

    Each call is classed once by the smallest of SENSITIVITY_RADII its nearest
    premises is within.  Returns (calls per premises and class, calls per
    class, calls with a second premises within each radius).
    """
    k2 = dist.shape[1]
    radii = np.asarray(SENSITIVITY_RADII, dtype=float)  # ascending
    d0 = dist[:, 0]
    hit = np.flatnonzero(d0 <= radii[-1])
    cls = np.searchsorted(radii, d0[hit], side="left")  # first radius r with d0 <= r
    per = np.bincount(nbr[hit, 0] * len(radii) + cls, minlength=max(npm, 1) * len(radii))
    linked = np.bincount(cls, minlength=len(radii))
    second = (
        np.array([int((dist[:, k2 - 1] <= r).sum()) for r in SENSITIVITY_RADII])
        if k2 > 1
        else np.zeros(len(radii), np.int64)
    )
    return per, linked, second


def _sensitivity_table(per: np.ndarray, linked: np.ndarray, second: np.ndarray, n: int) -> pd.DataFrame:
    """Calls and premises within each of SENSITIVITY_RADII of each other, from summed counts."""
    k = len(SENSITIVITY_RADII)
    reached = np.cumsum(per.reshape(-1, k), axis=1) > 0  # premises with a call within radius i
    within = np.cumsum(linked)
    rows = [
        {
            "radius_m": r,
            "calls_linked": int(within[i]),
            "share_linked": float(within[i] / n) if n else 0.0,
            "premises_with_calls": int(reached[:, i].sum()),
            "calls_with_several_premises": int(second[i]),
        }
        for i, r in enumerate(SENSITIVITY_RADII)
    ]
    return pd.DataFrame(rows)


def _links_table(
    parts: list[dict[str, Any]], a: _LinkInputs, params: RiskParams
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The links table from the rules' parts, with the closed-hours weights.

    Returns the table and the arrays the counts read: ``call``, ``rule`` codes,
    ``share`` and the closed flag of each link.
    """
    npm, pids, start, end, known = a.npm, a.pids, a.start, a.end, a.known
    tk, wd, minute = a.tk, a.wd, a.minute
    joined = _join_parts(parts)
    parts.clear()
    c, p, rule_code = joined["call"], joined["premises_idx"], joined["rule"]
    distance, share, pre_op = joined["distance_m"], joined["share"], joined["op"]
    del joined
    time_ok = tk[c] & known[p]
    op = pre_op != 0
    todo = time_ok & (pre_op < 0)
    if todo.any():
        t_i = np.flatnonzero(todo)
        op[t_i] = open_at(start, end, known, p[t_i], wd[c[t_i]], minute[c[t_i]])
    closed = time_ok & ~op
    factor = 0.0 if params.closed_hours == "exclude" else params.closed_factor
    weight = share * np.where(closed, factor, 1.0)
    unique_ids = npm > 0 and pd.Index(pids).is_unique
    table = pd.DataFrame(
        {
            "call": c,
            "premises_idx": p,
            "premises_id": pd.Categorical.from_codes(p, categories=pids) if unique_ids else pids[p],
            "rule": pd.Categorical.from_codes(rule_code, categories=list(RULES)),
            "distance_m": distance,
            "share": share,
            "open": pd.arrays.BooleanArray(op & time_ok, ~time_ok),
            "weight": weight,
        }
    )
    return table, c, rule_code, share, closed


def _link_counts(
    a: _LinkInputs,
    params: RiskParams,
    assigned: np.ndarray,
    valid_xy: np.ndarray,
    c: np.ndarray,
    rule_code: np.ndarray,
    share: np.ndarray,
    closed: np.ndarray,
) -> dict[str, int]:
    """Calls linked by each rule, unlinked, tied, closed and of unknown time."""
    n, tk = a.n, a.tk
    # rows of one call are contiguous (each rule's part is ordered by call)
    first = np.r_[True, c[1:] != c[:-1]] if len(c) else np.zeros(0, bool)
    counts = {rule: int((first & (rule_code == i)).sum()) for i, rule in enumerate(RULES)}
    n_links = np.bincount(c, minlength=n)
    n_closed = np.bincount(c, weights=closed, minlength=n)
    closed_calls = int(((n_links > 0) & (n_closed == n_links)).sum())
    counts.update(
        {
            "calls": int(n),
            "unlinked": int(n - assigned.sum()),
            "no_location": int((~valid_xy).sum()) if n else 0,
            "tied": int((first & (share < 1)).sum()),
            "closed_excluded": closed_calls if params.closed_hours == "exclude" else 0,
            "closed_downweighted": closed_calls if params.closed_hours == "downweight" else 0,
            "time_unknown": int((~tk).sum()),
        }
    )
    return counts


def _link_notes(premises: pd.DataFrame, a: _LinkInputs, table: pd.DataFrame) -> list[str]:
    """Notes on month-only dates, missing hours and premises left out (adds ``premises_left_out``)."""
    n, npm, known, tk = a.n, a.npm, a.known, a.tk
    notes = []
    if n and (~tk).mean() > 0.5:
        notes.append(
            "Most calls have month-only dates (police.uk): no time-of-night or closed-hours "
            "filter could be applied to them."
        )
    if npm and (~known).mean() > 0.5:
        notes.append(
            f"{'No' if not known.any() else 'Most'} premises have licensed hours (e.g. a food-hygiene "
            "register): those without are treated as open at all times when linking calls."
        )
    if npm and "left_out" in premises.columns and len(table):
        # a shop or school keeps the calls nearest to it, so they are not handed to the pub next door;
        # it is not ranked (licvisit.core.risk.rank_premises): say so on each of its links
        # as a categorical of the premises' few distinct reasons: a text column of one string per
        # link (1.4 million at 2 M calls) took 0.4 s to build and as long again to write
        codes, reasons = pd.factorize(premises["left_out"].astype(str).to_numpy())
        link_codes = codes[table["premises_idx"].to_numpy()]
        table["premises_left_out"] = pd.Categorical.from_codes(link_codes, categories=reasons)
        blank = np.flatnonzero(reasons == "")
        n_left = int((link_codes != blank[0]).sum()) if len(blank) else len(link_codes)
        if n_left:
            notes.append(
                f"{n_left:,} links go to premises left out as not licensed (column premises_left_out): "
                "they keep those calls, so the calls are not handed to licensed premises near them."
            )
    return notes
