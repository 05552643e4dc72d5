"""Suppress small counts in published tables so that no one can read or work them out.

Statistical disclosure control for the evidence pack, in the way the ONS and
police forces publish small-area crime tables:

* **Primary suppression**: every count from 1 to ``threshold - 1`` (default
  5) is hidden, totals included.  Zeros are published.
* **Secondary suppression**: a row or column that shows its total must hide
  at least two cells, or the hidden one is the total minus the others; and
  the hidden cells of a row or column must add up to at least the threshold,
  or each of them is known to be small (the ONS "combined suppressed value"
  rule).  We
  then *audit* the table: a hidden cell can be worked out exactly when it is a
  "bridge" in the graph whose nodes are the table's sums and whose edges are
  the hidden cells (see ``exposed_cells``); if one is found another cell is
  hidden and the audit runs again.  ``feasible_ranges`` gives the same answer
  by linear programming (the least and greatest value each hidden cell can
  take) and is used in the tests.

Hidden cells are ``pd.NA`` in the published frames and ``[c]`` ("confidential",
the ONS symbol) in CSV files and the report.

Reference: ONS (2021) *Statistical disclosure control policy for tables
produced from administrative data sources*; Hundepool et al. (2012)
*Statistical Disclosure Control*, Wiley, chapter 4 (cell suppression,
audit by linear programming).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SUPPRESSED_SYMBOL = "[c]"
TOTAL = "Total"


@dataclass
class PublishedTable:
    """A table as it appears in the report and in its CSV file.

    Attributes
    ----------
    name : str
        File stem of the CSV (``monthly_by_group`` -> ``monthly_by_group.csv``).
    title : str
        Heading in the report.
    frame : DataFrame
        Published values: counts as nullable integers, hidden counts ``pd.NA``.
    count_columns : list of str
        Columns that hold counts (so are under disclosure control).
    total_row : str or None
        Index label of the row of column totals, if the table has one.
    total_column : str or None
        Name of the column of row totals, if the table has one.
    caption, notes : str, list of str
        Shown under the table.
    """

    name: str
    title: str
    frame: pd.DataFrame
    count_columns: list[str] = field(default_factory=list)
    total_row: str | None = None
    total_column: str | None = None
    caption: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def n_suppressed(self) -> int:
        if not self.count_columns:
            return 0
        return int(self.frame[self.count_columns].isna().to_numpy().sum())

    def display_frame(self) -> pd.DataFrame:
        """Return the frame with hidden cells as ``[c]`` (for CSV and HTML)."""
        out = self.frame.copy().astype(object)
        for col in self.frame.columns:
            mask = self.frame[col].isna().to_numpy()
            if col in self.count_columns:
                out.loc[mask, col] = SUPPRESSED_SYMBOL
            else:
                out.loc[mask, col] = ""
        return out


# --- equations --------------------------------------------------------------------


def _equations(
    n_rows: int, n_cols: int, row_totals: bool, col_totals: bool
) -> list[list[tuple[int, int, int]]]:
    """Linear relations of a table with margins: lists of (row, col, coefficient), summing to 0.

    The table has ``n_rows`` x ``n_cols`` inner cells; with ``row_totals`` the
    last column (index ``n_cols``) holds row totals, with ``col_totals`` the
    last row (index ``n_rows``) holds column totals.
    """
    eqs: list[list[tuple[int, int, int]]] = []
    rows = range(n_rows + (1 if col_totals else 0))
    cols = range(n_cols + (1 if row_totals else 0))
    if row_totals:
        for i in rows:
            eqs.append([(i, j, 1) for j in range(n_cols)] + [(i, n_cols, -1)])
    if col_totals:
        for j in cols:
            eqs.append([(i, j, 1) for i in range(n_rows)] + [(n_rows, j, -1)])
    return eqs


def table_equations(
    frame: pd.DataFrame, count_columns: list[str], total_row: str | None, total_column: str | None
) -> tuple[np.ndarray, list[list[tuple[int, int, int]]]]:
    """Return the count matrix of a published table and its margin equations.

    The matrix has the inner rows first and the total row last, the inner
    count columns first and the total column last (the order of
    ``_equations``); entries are float with NaN for hidden cells.
    """
    inner_cols = [c for c in count_columns if c != total_column]
    inner_rows = [r for r in frame.index if r != total_row]
    cols = inner_cols + ([total_column] if total_column else [])
    rows = inner_rows + ([total_row] if total_row is not None else [])
    sub = frame.loc[rows, cols]
    values = sub.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    eqs = _equations(len(inner_rows), len(inner_cols), total_column is not None, total_row is not None)
    return values, eqs


# --- audit ---------------------------------------------------------------------------


def feasible_ranges(
    values: np.ndarray, hidden: np.ndarray, eqs: list[list[tuple[int, int, int]]]
) -> tuple[np.ndarray, np.ndarray]:
    """Return (low, high) arrays: the range each hidden cell can take given the rest.

    ``values`` holds the true counts (visible ones are read, hidden ones are
    ignored); ``hidden`` is a boolean mask.  Counts are >= 0; ``high`` is
    ``inf`` when nothing bounds the cell.  Solved with scipy's HiGHS linear
    programming.
    """
    from scipy.optimize import linprog

    idx = {tuple(p): k for k, p in enumerate(np.argwhere(hidden))}
    nvar = len(idx)
    low = np.full(values.shape, np.nan)
    high = np.full(values.shape, np.nan)
    if nvar == 0:
        return low, high
    a_rows, b = [], []
    for eq in eqs:
        coef = np.zeros(nvar)
        rhs = 0.0
        touched = False
        for i, j, c in eq:
            k = idx.get((i, j))
            if k is None:
                rhs -= c * values[i, j]
            else:
                coef[k] += c
                touched = True
        if touched:
            a_rows.append(coef)
            b.append(rhs)
    a_eq = np.array(a_rows) if a_rows else None
    b_eq = np.array(b) if b else None
    for (i, j), k in idx.items():
        if a_eq is None:
            low[i, j], high[i, j] = 0.0, np.inf
            continue
        objective = np.zeros(nvar)
        objective[k] = 1.0
        lo = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        low[i, j] = lo.fun if lo.status == 0 else 0.0
        high[i, j] = -hi.fun if hi.status == 0 else np.inf
    return low, high


def exposed_cells(
    values: np.ndarray, hidden: np.ndarray, eqs: list[list[tuple[int, int, int]]], values_known: bool = True
) -> list[tuple[int, int]]:
    """Return hidden cells whose value can be worked out from the published ones.

    Works on the relations of a table with margins (``_equations``), where
    every cell is in at most two relations (its row and its column) with
    coefficients +1 / -1.  Flipping the sign of the relations of the total
    row and total column makes both coefficients of every cell equal, so the
    changes to hidden cells that keep every published total form the cycle
    space of a graph: relations are nodes, hidden cells are edges (a cell in
    one relation only joins a common "free" node).  A hidden cell can take
    another value exactly when it lies on a cycle, i.e. it is not a bridge.

    With ``values_known`` (the true counts are in ``values``), hidden cells
    that are 0 are left out of the graph: a change around a cycle may need to
    lower them below zero, so the check errs on the side of hiding more.
    Hidden zeros themselves are never reported (a zero is publishable).
    """
    incidence: dict[tuple[int, int], list[int]] = {}
    for k, eq in enumerate(eqs):
        for i, j, _c in eq:
            incidence.setdefault((i, j), []).append(k)
    free = -1
    cells = [(int(i), int(j)) for i, j in np.argwhere(hidden)]
    usable = [c for c in cells if not (values_known and values[c] == 0)]
    ends: dict[tuple[int, int], tuple[int, int]] = {}
    adj: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for c in usable:
        ks = incidence.get(c, [])
        if len(ks) > 2:
            raise ValueError("Expected each cell in at most two relations (a two-way table with margins).")
        if not ks:
            continue
        u, v = ks[0], ks[1] if len(ks) > 1 else free
        ends[c] = (u, v)
        adj.setdefault(u, []).append((v, c))
        adj.setdefault(v, []).append((u, c))
    out = []
    for c in usable:
        if c not in ends:
            continue  # in no relation: nothing constrains it
        u, v = ends[c]
        seen = {u}
        stack = [u]
        found = False
        while stack and not found:
            node = stack.pop()
            for nxt, edge in adj.get(node, ()):
                if edge == c or nxt in seen:
                    continue
                if nxt == v:
                    found = True
                    break
                seen.add(nxt)
                stack.append(nxt)
        if not found:
            out.append(c)
    return out


# --- suppression ------------------------------------------------------------------------


def _pick_secondary(
    values: np.ndarray, hidden: np.ndarray, cells: list[tuple[int, int]], totals: set
) -> tuple[int, int] | None:
    """Choose the cell to hide next among ``cells``: inner before totals, non-zero before zero, smallest first."""
    cand = [(i, j) for i, j in cells if not hidden[i, j]]
    if not cand:
        return None

    def key(p: tuple[int, int]) -> tuple[bool, bool, float, tuple[int, int]]:
        v = values[p]
        return ((p in totals), v == 0, v, p)

    return min(cand, key=key)


def suppress_matrix(
    values: np.ndarray,
    eqs: list[list[tuple[int, int, int]]],
    threshold: int,
    totals: set | None = None,
    force_hidden: set | None = None,
) -> np.ndarray:
    """Return the mask of cells to hide in a count matrix with margin equations ``eqs``.

    Parameters
    ----------
    values : 2-D array of non-negative whole counts (totals included)
    eqs : relations between cells (see ``table_equations``)
    threshold : counts 1 .. threshold-1 are hidden
    totals : positions of total cells (hidden last when a second cell is needed)
    force_hidden : positions to hide whatever their value (to protect a linked table)
    """
    totals = totals or set()
    v = np.asarray(values, dtype=float)
    hidden = (v >= 1) & (v < threshold)
    for p in force_hidden or ():
        hidden[p] = True
    if threshold <= 1:
        return hidden
    for _ in range(v.size + 1):
        changed = True
        while changed:
            changed = False
            for eq in eqs:
                cells = [(i, j) for i, j, _c in eq]
                hid = [(p, c) for p, c in zip(cells, (c for _i, _j, c in eq), strict=True) if hidden[p]]
                # One hidden cell is the total minus the rest.  Several hidden cells of one sign whose
                # values add up to less than the threshold are each known to be small: hide one more.
                mass = sum(v[p] for p, _c in hid)
                same_sign = len({c for _p, c in hid}) == 1
                if len(hid) == 1 or (len(hid) > 1 and same_sign and 0 < mass < threshold):
                    p = _pick_secondary(v, hidden, cells, totals)
                    if p is not None:
                        hidden[p] = True
                        changed = True
        exposed = exposed_cells(v, hidden, eqs)
        if not exposed:
            return hidden
        # Hide one more cell sharing a relation with the first exposed cell.
        target = exposed[0]
        pool = sorted({(i, j) for eq in eqs for i, j, _c in eq if any((a, b) == target for a, b, _ in eq)})
        p = _pick_secondary(v, hidden, pool, totals)
        if p is None:  # every related cell is hidden already: nothing left to protect with
            hidden[:] = True
            return hidden
        hidden[p] = True
    return hidden


def suppress_counts(
    counts: pd.DataFrame,
    threshold: int = 5,
    *,
    row_totals: bool = True,
    col_totals: bool = True,
    total_label: str = TOTAL,
    force_hidden: set[tuple[str, str]] | None = None,
) -> tuple[pd.DataFrame, str | None, str | None]:
    """Add totals to a table of counts and hide small and revealing cells.

    Parameters
    ----------
    counts : DataFrame of non-negative whole numbers (rows x columns, no totals)
    threshold : int
        Counts from 1 to ``threshold - 1`` are hidden (primary suppression).
    row_totals, col_totals : bool
        Publish a ``Total`` column (row totals) / a ``Total`` row (column totals).
    total_label : str
    force_hidden : set of (row label, column label)
        Cells to hide whatever their value (labels may name the totals), for
        tables linked to another table by a shared sum.

    Returns
    -------
    (frame, total_row, total_column)
        ``frame`` has nullable ``Int64`` columns, hidden cells ``pd.NA``;
        ``total_row`` / ``total_column`` name the margins (None if absent).
    """
    c = counts.copy()
    c.index = c.index.map(str)
    c.columns = [str(x) for x in c.columns]
    c = c.astype("int64")
    if row_totals:
        c[total_label] = c.sum(axis=1)
    if col_totals:
        tot = c.sum(axis=0).to_frame().T
        tot.index = [total_label]
        c = pd.concat([c, tot])
    values = c.to_numpy(dtype=float)
    n_rows = len(counts.index)
    n_cols = len(counts.columns)
    eqs = _equations(n_rows, n_cols, row_totals, col_totals)
    totals = set()
    if row_totals:
        totals |= {(i, n_cols) for i in range(values.shape[0])}
    if col_totals:
        totals |= {(n_rows, j) for j in range(values.shape[1])}
    forced = {(c.index.get_loc(str(r)), c.columns.get_loc(str(k))) for r, k in (force_hidden or ())}
    hidden = suppress_matrix(values, eqs, threshold, totals, forced)
    out = c.astype("Int64").mask(hidden)
    return out, (total_label if col_totals else None), (total_label if row_totals else None)


def publish_counts(
    name: str,
    title: str,
    counts: pd.DataFrame,
    threshold: int,
    *,
    row_totals: bool = True,
    col_totals: bool = True,
    index_name: str | None = None,
    caption: str = "",
    notes: list[str] | None = None,
    force_hidden: set[tuple[str, str]] | None = None,
) -> PublishedTable:
    """Suppress a table of counts (see ``suppress_counts``) and wrap it as a PublishedTable."""
    frame, trow, tcol = suppress_counts(
        counts, threshold, row_totals=row_totals, col_totals=col_totals, force_hidden=force_hidden
    )
    frame.index.name = index_name or counts.index.name
    return PublishedTable(
        name=name,
        title=title,
        frame=frame,
        count_columns=list(frame.columns),
        total_row=trow,
        total_column=tcol,
        caption=caption,
        notes=list(notes or []),
    )


def suppress_rows(
    frame: pd.DataFrame, count_columns: list[str], derived_columns: list[str], threshold: int
) -> pd.DataFrame:
    """Hide whole rows of a statistics table that rest on a small count.

    For tables such as before/after or weekday/weekend rates, where a rate or
    ratio shown beside the counts would give a hidden count back: if any count
    in a row is 1 .. ``threshold - 1``, every count and derived value in that
    row is hidden.
    """
    out = frame.copy()
    for col in count_columns:
        out[col] = out[col].astype("Int64")
    small = np.zeros(len(out), dtype=bool)
    for col in count_columns:
        v = out[col].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        small |= (v >= 1) & (v < threshold)
    for col in [*count_columns, *derived_columns]:
        if col in out.columns:
            if not (pd.api.types.is_float_dtype(out[col]) or str(out[col].dtype) == "Int64"):
                out[col] = out[col].astype(object)
            out.loc[small, col] = pd.NA
    return out


def audit_table(table: PublishedTable, true_counts: pd.DataFrame | None = None) -> list[str]:
    """Return disclosure problems in a published table (empty if none).

    Checks that no visible count is 1 .. threshold-1 is the caller's job (it
    knows the threshold); this checks that no hidden cell can be worked out
    from the table's totals, given the true counts in ``true_counts`` (same
    shape as ``table.frame``; needed because hidden values are unknown here).
    """
    if table.total_row is None and table.total_column is None:
        return []
    truth = true_counts if true_counts is not None else table.frame
    values, eqs = table_equations(truth, table.count_columns, table.total_row, table.total_column)
    shown, _ = table_equations(table.frame, table.count_columns, table.total_row, table.total_column)
    hidden = np.isnan(shown)
    return [
        f"{table.name}: cell {p} can be worked out from the totals"
        for p in exposed_cells(values, hidden, eqs)
    ]
