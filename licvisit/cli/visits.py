"""The ``licvisit visits`` commands: bring outcomes recorded on the route maps into the visit history."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group("visits")
def visits() -> None:
    """Manage the visit history: import outcomes recorded on the route maps."""


@visits.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--into",
    "history",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The visit history CSV to add the outcomes to (the file [inputs] visits names).",
)
def import_(files: tuple[Path, ...], history: Path) -> None:
    """Add outcomes exported from the route maps (Export outcomes) to the visit history.

    Checks every file first and lists every problem by row; nothing is written
    unless all files are usable.  A visit already in the history (same
    premises, time and visit type) is not added again; a different record of
    the same visit is reported as a conflict and never replaces the first
    (exit status 1).  The history is rewritten atomically and the previous
    version is kept beside it as <name>.backup-<date-time>.csv.

    \b
    Example:
      licvisit visits import outcomes_2025-10-10_FRI-LIC-1.csv --into data/visit_history.csv
    """
    from licvisit.io.outcomes import import_outcomes

    result = import_outcomes(list(files), history)
    n = len(result.added)
    click.echo(
        f"Added {n} visit{'s' * (n != 1)} to {history} from {len(files)} file{'s' * (len(files) != 1)}"
        + (f"; {result.duplicates} already in the history" if result.duplicates else "")
        + "."
    )
    for rec in result.added:
        when = str(rec["visited_at"]).replace("T", " ")[:16]
        click.echo(f"  {rec['premises_id']}  {when}  {rec['visit_type']}  {rec['outcome']}")
    if result.backup is not None:
        click.echo(f"Previous history kept as {result.backup}")
    if result.conflicts:
        click.echo(
            f"{len(result.conflicts)} conflicting record{'s' * (len(result.conflicts) != 1)} not imported:"
        )
        for c in result.conflicts:
            click.echo(f"  {c}")
        sys.exit(1)
