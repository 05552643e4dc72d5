"""Make text from input files safe to print on a terminal: control characters become visible escapes.

A premises name is whatever the register says, and registers are edited by
many hands (OpenStreetMap is world-editable).  Printed raw, ``ESC ] 0 ; ...
BEL`` retitles the analyst's terminal window, other escape sequences move the
cursor, recolour or hide text, and a carriage return lets a name overwrite the
start of its own line in a ranking table.  :func:`terminal_text` writes every
C0 control character except tab and newline, DEL and every C1 control
character as a visible ``\\xNN`` escape, so the line shows what the file holds
and the terminal receives no command.

The command line applies it to everything it prints (:func:`terminal_safe_output`),
so no print site can forget.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO

__all__ = ["terminal_text", "terminal_safe_output", "TerminalSafeStream"]

# C0 except \t and \n, DEL, C1.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(m: re.Match[str]) -> str:
    return f"\\x{ord(m.group(0)):02x}"


def terminal_text(text: str) -> str:
    """Return ``text`` with every terminal control character written as a visible ``\\xNN`` escape.

    Tab and newline are kept; nothing else in ``text`` changes.

    Examples
    --------
    >>> terminal_text("The Bull\\x1b]0;pwned\\x07\\rInn")
    'The Bull\\\\x1b]0;pwned\\\\x07\\\\x0dInn'
    """
    return _CONTROL.sub(_visible, text)


class TerminalSafeStream:
    """A text stream that passes every write through :func:`terminal_text` to the stream it wraps.

    It deliberately has no ``buffer``: click would otherwise write bytes
    straight to the binary stream underneath, round the filter.
    """

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: Any) -> int:
        if isinstance(text, str):
            text = terminal_text(text)
        return self._stream.write(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":
            raise AttributeError(name)
        return getattr(self._stream, name)


@contextlib.contextmanager
def terminal_safe_output() -> Iterator[None]:
    """Filter ``sys.stdout`` and ``sys.stderr`` through :func:`terminal_text` while the block runs."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = TerminalSafeStream(out)  # type: ignore[assignment]
    sys.stderr = TerminalSafeStream(err)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
