"""The licvisit command line: thin click commands over the library.

Commands live in their own modules and are imported only when run, so
``licvisit --help`` stays fast and a heavy import (OR-Tools, PySAL) is paid
only by the command that needs it.
"""

from __future__ import annotations

import errno
import importlib
import importlib.util
import sys

import click

from licvisit import __version__
from licvisit.errors import LicvisitError, as_cli_options
from licvisit.textsafe import terminal_safe_output

# command name -> "module:function"
COMMANDS = {
    "validate": "licvisit.cli.validate:validate",
    "synth": "licvisit.cli.synth:synth",
    "rank": "licvisit.cli.risk:rank",
    "backtest": "licvisit.cli.risk:backtest",
    "plan": "licvisit.cli.plan:plan",
    "check": "licvisit.cli.plan:check",
    "bench-vrptw": "licvisit.cli.plan:bench_vrptw",
    "maps": "licvisit.cli.maps:maps",
    "visits": "licvisit.cli.visits:visits",
    "evidence": "licvisit.cli.evidence:evidence",
    "demo": "licvisit.cli.demo:demo",
}


class LazyGroup(click.Group):
    """A group that imports each command's module on first use and turns
    LicvisitError into a one-line ``Error: ...`` (traceback with --debug).

    Everything a command prints goes through
    :func:`~licvisit.textsafe.terminal_text`, so control characters from
    input files are shown as ``\\xNN``, never sent to the terminal.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(n for n, t in COMMANDS.items() if importlib.util.find_spec(t.split(":")[0]))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None or not importlib.util.find_spec(target.split(":")[0]):
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        # Names, addresses and messages come from input files: no control character reaches the terminal.
        with terminal_safe_output():
            return self._invoke(ctx)

    def _invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except LicvisitError as exc:
            if ctx.meta.get("licvisit.debug"):
                raise
            for line in as_cli_options(str(exc)).splitlines() or [""]:
                click.echo(f"Error: {line}", err=True)
            sys.exit(1)
        except (OSError, MemoryError) as exc:
            if ctx.meta.get("licvisit.debug"):
                raise
            click.echo(f"Error: {_os_error_text(exc)}", err=True)
            sys.exit(1)


OS_ERROR_FIXES = {
    errno.ENOENT: "check the path and spelling",
    errno.ENOTDIR: "part of the path is a file, not a folder: choose another folder",
    errno.EISDIR: "a folder has that name: remove or rename it, or choose another folder",
    errno.EACCES: "close the file if it is open in another program (e.g. Excel), "
    "or choose a folder you can write to",
    errno.EPERM: "close the file if it is open in another program (e.g. Excel), "
    "or choose a folder you can write to",
    errno.EROFS: "choose a folder on a writable drive",
    errno.ENOSPC: "free some disk space or choose another drive",
}


def _os_error_text(exc: BaseException) -> str:
    """One line for a file-system or memory error, with the fix a user can make."""
    if isinstance(exc, MemoryError):
        return (
            "not enough memory. Fix: close other programs, or run on fewer calls (e.g. a shorter date range)."
        )
    # os.replace(src, dest) names the destination second
    path = getattr(exc, "filename2", None) or getattr(exc, "filename", None)
    reason = getattr(exc, "strerror", None)
    if path and reason:
        fixes = OS_ERROR_FIXES
        fix = fixes.get(getattr(exc, "errno", None), "check the path and that you may use it")
        return f"{reason.lower()}: {path}. Fix: {fix}."
    return str(exc)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="licvisit")
@click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Plan intelligence-led licensing visits: load, rank, plan, map, evidence."""
    ctx.meta["licvisit.debug"] = debug
