"""Define every exception licvisit raises, all derived from LicvisitError."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


class LicvisitError(Exception):
    """Base class: the CLI shows these as one line, without a traceback."""


class ConfigError(LicvisitError):
    """A config file or option is wrong (unknown key, bad value, missing file)."""


class InfeasiblePlanError(LicvisitError):
    """No plan can be made from these inputs (nobody available, nothing open, ...)."""


class PlanCheckError(LicvisitError):
    """A plan broke a hard rule; raised by the independent checker."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    ``row`` is the 1-based line number in the file as a spreadsheet shows it
    (the header is row 1, the first data row is row 2); ``None`` for
    file-level problems.
    """

    file: str
    row: int | None
    field: str | None
    found: str
    expected: str
    fix: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f', field "{self.field}"'
        text = f"{where}: found {self.found}; expected {self.expected}."
        if self.fix:
            text += f" Fix: {self.fix}"
        return text


class DataValidationError(LicvisitError):
    """One or more input files are unusable; lists every problem at once."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        if not errors:
            errors = self.problems
        # one line per unusable file (the CLI prefixes each with "Error: ")
        super().__init__("\n".join(str(e) for e in errors) if errors else "invalid input")


# Core and app messages name a parameter in backticks (`period`); the command line shows its option.
CLI_OPTIONS = {
    "as_of": "--as-of",
    "calls": "--calls",
    "compare_from": "--compare-from",
    "compare_to": "--compare-to",
    "config": "--config",
    "from": "--from",
    "intervention": "--intervention",
    "min_history": "--min-history",
    "other_evidence": "--other-evidence",
    "period": "--period",
    "premises": "--premises",
    "to": "--to",
    "zone": "--zone",
    "zones": "--zones",
}
_PARAMETER = re.compile(r"`([a-z_]+)`")


def as_cli_options(message: str) -> str:
    """``message`` with each backticked parameter the CLI has an option for written as that option.

    >>> as_cli_options("Fix: use `period` month.")
    'Fix: use --period month.'
    """
    return _PARAMETER.sub(lambda m: CLI_OPTIONS.get(m.group(1), m.group(0)), message)
