"""Options shared by every command: input files, config, output folder, seed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # imported when used: loading a command stays free of pandas (see cli/risk.py)
    from licvisit.config import Config

F = Callable[..., Any]


def stage_printer() -> Callable[[str], None]:
    """Return a function that prints timed progress messages to stderr: ``[   2.5s] message``."""
    import time

    t0 = time.perf_counter()

    def stage(msg: str) -> None:
        click.echo(f"[{time.perf_counter() - t0:6.1f}s] {msg}", err=True)

    return stage


def no_huge_page_advice() -> None:
    """Stop numpy advising the kernel to back big arrays with transparent huge pages (this process).

    numpy asks for huge pages (``madvise``) for every array of 4 MB or more.  Where
    the kernel then compacts memory to find them on the first touch (transparent huge
    pages and their defrag both in ``madvise`` mode, as on this project's machine), that
    costs more than it saves for a command that makes and drops hundreds of arrays of
    millions of rows: ``licvisit rank`` at 2 M calls used about 0.6 CPU seconds (6 %)
    less without the advice (docs/benchmarks.md).  The same as setting
    ``NUMPY_MADVISE_HUGEPAGE=0``; does nothing where numpy has no such switch.
    """
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:  # pragma: no cover - another numpy layout: leave its default
        return
    _set_madvise_hugepage(False)


def check_out_folder(
    path: Path, option: str = "--out", *, replaced: bool = True, shown: Path | None = None
) -> None:
    """Fail now, with one line naming ``option`` and the fix, if output folder ``path`` cannot be written.

    Called before any input is read or anything solved.  A folder ``replaced``
    as a whole when the command finishes may not be the current folder or one
    above it; with ``replaced=False`` files are only written into ``path``.
    ``shown`` is the path the message names (default ``path``).
    """
    import os

    from licvisit.cli import OS_ERROR_FIXES
    from licvisit.errors import ConfigError
    from licvisit.io.write import check_writable_folder

    here = Path(os.path.abspath(Path.cwd()))
    if replaced and here.is_relative_to(os.path.abspath(path)):
        raise ConfigError(
            f"{option} {path}: is the current folder or one above it, and licvisit replaces its output "
            "folder as a whole. Fix: choose a folder of its own, e.g. out/plan."
        )
    try:
        check_writable_folder(path, replaced=replaced)
    except OSError as exc:
        fix = OS_ERROR_FIXES.get(exc.errno or 0, "check the path and that you may use it")
        raise ConfigError(
            f"{option} {shown or path}: {(exc.strerror or str(exc)).lower()}. Fix: {fix}."
        ) from exc


def input_options(func: F) -> F:
    """Add --config, --calls, --premises, --zones, --staff, --visits to a command."""
    opts = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="licvisit.toml naming inputs, column mappings and parameters.",
        ),
        click.option(
            "--calls",
            type=click.Path(path_type=Path),
            help="Calls for service or crime CSV, or a folder of monthly police.uk CSVs.",
        ),
        click.option(
            "--premises",
            type=click.Path(path_type=Path),
            help="Premises register: CSV, GeoJSON or GeoPackage (FHRS and OSM read as they are).",
        ),
        click.option(
            "--zones",
            type=click.Path(path_type=Path),
            help="NTE zone polygons: GeoJSON, GeoPackage or Shapefile.",
        ),
        click.option("--staff", type=click.Path(path_type=Path), help="Staff availability CSV."),
        click.option("--visits", type=click.Path(path_type=Path), help="Past visit outcomes CSV."),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return func


def resolve_config(config_path: Path | None, **paths: Path | None) -> Config:
    """Load the config file (if any) and let CLI-given paths override it."""
    from licvisit.config import load_config

    return load_config(config_path).with_inputs(**paths)


def load_named(
    cfg: Config,
    kinds: tuple[str, ...],
    *,
    required: tuple[str, ...] = (),
    week_start: Any = None,
) -> Any:
    """Load those of ``kinds`` that the config names; a missing ``required`` one is a one-line error.

    Returns ``licvisit.domain.Inputs``; raises ``DataValidationError`` if a
    file is unusable (rows with problems are left out and reported).
    """
    from licvisit.errors import ConfigError
    from licvisit.io import load_inputs

    for kind in required:
        if kind not in cfg.inputs:
            raise ConfigError(
                f"No {kind} file given. Fix: pass --{kind} FILE or name it under [inputs] in --config."
            )
    have = tuple(k for k in kinds if k in cfg.inputs or (k == "other_evidence" and cfg.other_evidence))
    inputs = load_inputs(cfg, kinds=have, week_start=week_start)
    warn_input_problems(inputs.report)
    return inputs


def warn_input_problems(report: Any, shown: int = 3) -> None:
    """Say on stderr that rows were left out or changed, so nothing is dropped silently."""
    warnings = report.warnings
    if not warnings:
        return
    rows = sum(f.rows_skipped for f in report.files)
    click.echo(
        f"Warning: {len(warnings):,} input problem(s); {rows:,} row(s) left out, the rest read as "
        "described. List them all with `licvisit validate` and the same input options.",
        err=True,
    )
    for p in warnings[:shown]:
        click.echo(f"  {p}", err=True)
    if len(warnings) > shown:
        click.echo(f"  ... and {len(warnings) - shown:,} more", err=True)
