"""Independent checks of a published table's disclosure control, shared by the evidence tests.

Built here with plain linear algebra, not with the library's own audit, so a test that uses them
can catch a library that hides too little.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from licvisit.core.evidence import disclosure as sdc


def relations(frame: pd.DataFrame, total_row, total_column) -> list[list[tuple[object, object, int]]]:
    """The sums a reader can check in a published table, built here independently of the library."""
    inner_rows = [r for r in frame.index if r != total_row]
    inner_cols = [c for c in frame.columns if c != total_column]
    rels = []
    if total_column is not None:
        for r in frame.index:
            rels.append([(r, c, 1) for c in inner_cols] + [(r, total_column, -1)])
    if total_row is not None:
        for c in frame.columns:
            rels.append([(r, c, 1) for r in inner_rows] + [(total_row, c, -1)])
    return rels


def determined_cells(frame: pd.DataFrame, total_row, total_column) -> list[tuple[object, object]]:
    """Hidden cells fixed by the published sums (linear algebra: e_k in the row space of A)."""
    hidden = [(r, c) for r in frame.index for c in frame.columns if pd.isna(frame.loc[r, c])]
    pos = {cell: k for k, cell in enumerate(hidden)}
    rels = relations(frame, total_row, total_column)
    if not hidden or not rels:
        return []
    a = np.zeros((len(rels), len(hidden)))
    for i, rel in enumerate(rels):
        for r, c, coef in rel:
            if (r, c) in pos:
                a[i, pos[(r, c)]] += coef
    rank = np.linalg.matrix_rank(a)
    out = []
    for cell, k in pos.items():
        e = np.zeros(len(hidden))
        e[k] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.append(cell)
    return out


def check_published(table: sdc.PublishedTable, threshold: int) -> None:
    """The disclosure rules every published table must satisfy."""
    for col in table.count_columns:
        v = pd.to_numeric(table.frame[col], errors="coerce").dropna().to_numpy(float)
        small = v[(v >= 1) & (v < threshold)]
        assert not len(small), f"{table.name}.{col} shows small counts {small}"
    if table.total_row is not None or table.total_column is not None:
        f = table.frame[table.count_columns]
        assert determined_cells(f, table.total_row, table.total_column) == [], table.name
        assert sdc.audit_table(table) == []
