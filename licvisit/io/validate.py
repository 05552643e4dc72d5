"""Collect problems found while reading inputs and summarise them in one report.

Severity follows one rule everywhere: ``error`` means a whole file cannot be
used (empty, binary, the wrong kind of file, required columns missing, no
usable row); ``warning`` means a row was excluded, or something was assumed
or repaired, and the rest of the file was used.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from licvisit.errors import Problem

MAX_PROBLEMS_PER_KIND = 1000
"""Row problems listed per (file, field, reason); the rest are counted."""


@dataclass
class FileSummary:
    """What happened to one input file: rows read, used and skipped (by reason)."""

    kind: str  # calls, premises, zones, staff, visits, stop_search, postcodes
    file: str
    format: str = ""  # e.g. "police.uk street CSV"
    rows_read: int = 0
    rows_used: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows
    notes: list[str] = field(default_factory=list)  # e.g. "encoding cp1252"
    usable: bool = True

    @property
    def rows_skipped(self) -> int:
        return int(sum(self.skipped.values()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "format": self.format,
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "rows_skipped": self.rows_skipped,
            "skipped": dict(self.skipped),
            "notes": list(self.notes),
            "usable": self.usable,
        }


@dataclass
class ValidationReport:
    """Every problem found in every input, and a per-file summary."""

    files: list[FileSummary] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when no file is unusable (warnings allowed)."""
        return not self.errors

    def add(self, summary: FileSummary, problems: list[Problem]) -> None:
        self.files.append(summary)
        self.problems.extend(problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "files": [f.to_dict() for f in self.files],
            "problems": [problem_to_dict(p) for p in self.problems],
        }

    def format_text(self, max_per_kind: int | None = 20) -> str:
        """Return the report as plain text: summary table, then errors, then warnings.

        ``max_per_kind`` lists at most that many problems per (file, field,
        reason) and counts the rest; ``None`` lists everything.
        """
        lines: list[str] = []
        for f in self.files:
            fmt = f" ({f.format})" if f.format else ""
            status = "" if f.usable else "  UNUSABLE"
            lines.append(f"{f.kind}: {f.file}{fmt}{status}")
            lines.append(f"  rows read {f.rows_read:,}, used {f.rows_used:,}, skipped {f.rows_skipped:,}")
            for reason, n in sorted(f.skipped.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"    skipped {n:,}: {reason}")
            for note in f.notes:
                lines.append(f"  note: {note}")
        by_kind: dict[str, list[FileSummary]] = {}
        for f in self.files:
            by_kind.setdefault(f.kind, []).append(f)
        for kind, group in by_kind.items():
            if len(group) > 1:
                read = sum(f.rows_read for f in group)
                used = sum(f.rows_used for f in group)
                lines.append(
                    f"{kind}, all {len(group)} files: rows read {read:,}, used {used:,}, skipped {read - used:,}"
                )
        for label, items in (("Errors", self.errors), ("Warnings", self.warnings)):
            if not items:
                continue
            lines.append("")
            lines.append(f"{label} ({len(items):,}):")
            shown: Counter[tuple[str, str | None, str]] = Counter()
            hidden: Counter[tuple[str, str | None, str]] = Counter()
            for p in items:
                key = (p.file, p.field, p.expected)
                if max_per_kind is not None and p.row is not None and shown[key] >= max_per_kind:
                    hidden[key] += 1
                    continue
                shown[key] += 1
                lines.append(f"  {p}")
            for (file, fld, expected), n in hidden.items():
                where = f'{file}, field "{fld}"' if fld else file
                lines.append(
                    f"  ... {n:,} more like this in {where} (expected {expected}); see --json for all"
                )
        if not self.problems:
            lines.append("")
            lines.append("No problems found.")
        else:
            lines.append("")
            lines.append(f"{len(self.errors):,} error(s), {len(self.warnings):,} warning(s).")
        return "\n".join(lines)


def problem_to_dict(p: Problem) -> dict[str, Any]:
    return {
        "file": p.file,
        "row": p.row,
        "field": p.field,
        "found": p.found,
        "expected": p.expected,
        "fix": p.fix,
        "severity": p.severity,
        "message": str(p),
    }


def show(value: Any, limit: int = 60) -> str:
    """Quote a found value for a message: '"31/02/2025"', 'a blank'."""
    if value is None or (isinstance(value, float) and value != value):
        return "a blank"
    s = str(value)
    if s.strip() == "":
        return "a blank"
    if len(s) > limit:
        s = s[: limit - 3] + "..."
    return f'"{s}"'


class ProblemLog:
    """Collect the problems of one file and decide which rows are kept.

    Rows are positions 0..n-1 of the parsed table; ``row_numbers[i]`` is the
    row number a spreadsheet shows (header = 1).  Each excluded row is counted
    once, under the first reason found for it; every problem is listed (up to
    ``cap`` per field and reason, then counted in one extra warning).
    """

    def __init__(self, file: str, kind: str, row_numbers: np.ndarray | None = None, cap: int | None = None):
        self.file = file
        self.summary = FileSummary(kind=kind, file=file)
        self.problems: list[Problem] = []
        self.row_numbers = np.asarray(row_numbers if row_numbers is not None else [], dtype=np.int64)
        self.keep = np.ones(len(self.row_numbers), dtype=bool)
        self.cap = MAX_PROBLEMS_PER_KIND if cap is None else cap

    # -- file-level --------------------------------------------------------
    def error(self, found: str, expected: str, fix: str = "", field: str | None = None) -> None:
        """Record that the whole file is unusable."""
        self.problems.append(Problem(self.file, None, field, found, expected, fix, "error"))
        self.summary.usable = False

    def warn(self, found: str, expected: str, fix: str = "", field: str | None = None) -> None:
        self.problems.append(Problem(self.file, None, field, found, expected, fix, "warning"))

    def note(self, text: str) -> None:
        self.summary.notes.append(text)

    # -- rows --------------------------------------------------------------
    def set_rows(self, row_numbers: np.ndarray) -> None:
        self.row_numbers = np.asarray(row_numbers, dtype=np.int64)
        self.keep = np.ones(len(self.row_numbers), dtype=bool)

    def rows(
        self,
        mask: np.ndarray,
        field: str | None,
        found: Any,
        expected: str,
        fix: str,
        reason: str,
        *,
        exclude: bool = True,
    ) -> int:
        """Record a problem for every row where ``mask`` is true.

        ``found`` is an array of values (one per row, shown quoted), a single
        string used for every row, or a callable ``i -> str``.  With
        ``exclude`` the rows are dropped (counted under ``reason``); without,
        they are kept and only a warning is listed.  Returns the number of rows.
        """
        mask = np.asarray(mask, dtype=bool)
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            return 0
        listed = idx[: self.cap]
        if callable(found):
            texts = [found(int(i)) for i in listed]
        elif isinstance(found, str):
            texts = [found] * len(listed)
        elif hasattr(found, "iloc"):
            texts = [show(v) for v in found.iloc[listed].tolist()]
        else:
            texts = [show(found[i]) for i in listed]
        for i, f in zip(listed, texts, strict=True):
            self.problems.append(
                Problem(self.file, int(self.row_numbers[i]), field, f, expected, fix, "warning")
            )
        rest = len(idx) - self.cap
        if rest > 0:
            where = f' field "{field}"' if field else ""
            self.problems.append(
                Problem(
                    self.file,
                    None,
                    field,
                    f"{rest:,} more rows like the {self.cap:,} listed ({reason})",
                    expected,
                    f"same fix as for the rows listed above ({where.strip() or 'this file'})",
                    "warning",
                )
            )
        if exclude:
            newly = mask & self.keep
            n = int(newly.sum())
            if n:
                self.summary.skipped[reason] = self.summary.skipped.get(reason, 0) + n
            self.keep &= ~mask
        return len(idx)

    def skip_silently_counted(self, n: int, reason: str) -> None:
        """Count rows skipped without a row problem (repeated header rows)."""
        if n:
            self.summary.skipped[reason] = self.summary.skipped.get(reason, 0) + n

    def finish(self, rows_read: int, rows_used: int) -> None:
        # file-level problems first, then rows in file order
        self.problems.sort(key=lambda p: (p.row is not None, p.row or 0))
        self.summary.rows_read = rows_read
        self.summary.rows_used = rows_used
        if rows_used == 0 and self.summary.usable and rows_read > 0:
            self.error(
                f"no usable row among {rows_read:,}",
                "at least one valid row",
                "see the row problems listed for this file",
            )

    @property
    def has_error(self) -> bool:
        return not self.summary.usable
