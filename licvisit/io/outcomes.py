"""Merge outcomes exported from the route maps into the visit history, without duplicates.

An exported file (``outcomes_<night>_<crew>.csv``) has the visit-history
columns plus who recorded the visit and what they found (``EXTRA_COLUMNS``).
A visit is identified by premises, time (to the minute) and visit type:
importing the same file twice adds nothing, and a second, different record of
the same visit is reported as a conflict and never replaces the first.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from licvisit.domain import OUTCOME_EXTRA_COLUMNS, OUTCOME_HISTORY_COLUMNS
from licvisit.errors import DataValidationError, Problem
from licvisit.io.visits import visits_with_summary
from licvisit.io.write import FORMULA_PREFIXES, write_csv

BASE_COLUMNS = OUTCOME_HISTORY_COLUMNS
EXTRA_COLUMNS = OUTCOME_EXTRA_COLUMNS
# What must agree for two records of one visit to be the same record.
COMPARED = ("outcome", "notes", "breached_conditions", "door_staff_checked", "door_staff_valid")


@dataclass
class ImportResult:
    """What an import did: rows added, duplicates skipped, conflicts left out."""

    history: Path
    added: list[dict[str, str]] = field(default_factory=list)
    duplicates: int = 0
    conflicts: list[str] = field(default_factory=list)
    backup: Path | None = None
    files: list[Path] = field(default_factory=list)


def _unquote(value: str) -> str:
    """Undo the Excel-safe quote the export put before formula-like text."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def _count_problems(raw: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    for i, r in raw.iterrows():
        row = int(i) + 2
        counts = {}
        for c in ("door_staff_checked", "door_staff_valid"):
            v = str(r.get(c, "")).strip()
            if v == "":
                continue
            if not v.isdigit():
                problems.append(
                    Problem(
                        file,
                        row,
                        c,
                        f'"{v}"',
                        "a whole number of door supervisors (0 or more)",
                        "correct the number or leave it blank",
                    )
                )
            else:
                counts[c] = int(v)
        if counts.get("door_staff_valid", 0) > counts.get("door_staff_checked", 10**9):
            problems.append(
                Problem(
                    file,
                    row,
                    "door_staff_valid",
                    f"{counts['door_staff_valid']} valid of {counts['door_staff_checked']} checked",
                    "no more valid licences than door supervisors checked",
                    "correct the counts",
                )
            )
    return problems


def read_outcome_file(path: str | Path) -> pd.DataFrame:
    """Read and check one exported outcomes file; return its rows as text (``visited_at`` normalised).

    Raises
    ------
    DataValidationError
        Listing every problem by row (as ``licvisit validate`` does): a row that
        would be skipped, or a value that would be changed, blocks the import.
    """
    p = Path(path)
    df, problems, summary = visits_with_summary(p)
    problems = [replace(x, severity="error") for x in problems]
    if not problems and summary.rows_read == 0:
        problems.append(Problem(str(p), None, None, "no rows", "at least one recorded visit"))
    raw = None
    if p.is_file():
        try:
            raw = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (OSError, ValueError, UnicodeDecodeError):
            raw = None
    if raw is not None:
        problems += _count_problems(raw, str(p))
    if problems:
        raise DataValidationError(sorted(problems, key=lambda x: x.row or 0))
    assert raw is not None
    out = pd.DataFrame({c: raw[c] if c in raw.columns else "" for c in (*BASE_COLUMNS, *EXTRA_COLUMNS)})
    rows = df["source_row"].to_numpy() - 2
    out = out.iloc[rows].reset_index(drop=True)
    out["premises_id"] = df["premises_id"].to_numpy()
    out["visit_type"] = df["visit_type"].to_numpy()
    out["outcome"] = df["outcome"].to_numpy()
    out["visited_at"] = pd.DatetimeIndex(df["visited_at"]).strftime("%Y-%m-%dT%H:%M:%S")
    for c in out.columns:
        out[c] = out[c].astype(str).map(_unquote)
    return out


def _key(pid: str, when: str, vtype: str) -> tuple[str, str, str]:
    t = pd.to_datetime(when, errors="coerce", dayfirst=False)
    return (str(pid), "" if pd.isna(t) else f"{t:%Y-%m-%dT%H:%M}", str(vtype))


def _same(a: dict[str, str], b: dict[str, str]) -> bool:
    """Two records agree on every compared field both of them have."""
    for c in COMPARED:
        x, y = _unquote(str(a.get(c, ""))), _unquote(str(b.get(c, "")))
        if c in a and c in b and x.strip() != y.strip():
            return False
    return True


def import_outcomes(
    files: list[str | Path], history: str | Path, *, now: dt.datetime | None = None
) -> ImportResult:
    """Merge exported outcome files into the visit history CSV ``history``.

    Every file is checked first; nothing is written unless all are usable.  The
    history is rewritten atomically, and the previous version is kept beside it
    as ``<name>.backup-<YYYYmmdd-HHMMSS>.csv``.  Nothing is written when there
    is nothing new.

    Parameters
    ----------
    files : exported ``outcomes_*.csv`` files.
    history : the visit history CSV (created if missing).
    now : time stamp of the backup (default: the current time).

    Raises
    ------
    DataValidationError
        Every problem in every file, by row.
    """
    hist_path = Path(history)
    problems: list[Problem] = []
    tables = []
    for f in files:
        try:
            tables.append((Path(f), read_outcome_file(f)))
        except DataValidationError as exc:
            problems += exc.problems
    if problems:
        raise DataValidationError(problems)
    if hist_path.is_file():
        hist = pd.read_csv(hist_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        missing = [c for c in ("premises_id", "visited_at") if c not in hist.columns]
        if missing:
            found = Problem(
                str(hist_path),
                1,
                missing[0],
                "no such column",
                "a visit history with premises_id and visited_at",
                "point --into at the visit history CSV",
            )
            raise DataValidationError([found])
        for c in BASE_COLUMNS:
            if c not in hist.columns:
                hist[c] = ""
        hist["premises_id"] = hist["premises_id"].map(_unquote)
    else:
        hist = pd.DataFrame(columns=list(BASE_COLUMNS), dtype=str)
    known: dict[tuple[str, str, str], dict[str, str]] = {}
    for rec in hist.to_dict(orient="records"):
        known.setdefault(_key(rec["premises_id"], rec["visited_at"], rec.get("visit_type", "")), rec)
    result = ImportResult(hist_path, files=[p for p, _ in tables])
    for path, table in tables:
        for i, rec in enumerate(table.to_dict(orient="records")):
            k = _key(rec["premises_id"], rec["visited_at"], rec["visit_type"])
            old = known.get(k)
            if old is None:
                known[k] = rec
                result.added.append(rec)
            elif _same(old, rec):
                result.duplicates += 1
            else:
                result.conflicts.append(
                    f"{path.name}, row {i + 2}: {rec['premises_id']} at {k[1].replace('T', ' ')} "
                    f"({rec['visit_type']}) is already recorded as {old.get('outcome', '') or 'no outcome'}"
                    f" with other details; recorded here as {rec['outcome']}. Kept the first record; "
                    "correct the history by hand if this one is right"
                )
    if not result.added:
        return result
    columns = list(hist.columns) + [c for c in EXTRA_COLUMNS if c not in hist.columns]
    new = pd.DataFrame(result.added)
    # Appended after the existing rows, which keep their order.
    merged = pd.concat([hist, new], ignore_index=True)[columns].fillna("").astype(str)
    if hist_path.is_file():
        stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
        result.backup = hist_path.with_name(f"{hist_path.stem}.backup-{stamp}{hist_path.suffix}")
        shutil.copy2(hist_path, result.backup)
    write_csv(merged, hist_path)
    return result
