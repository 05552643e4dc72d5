"""Read VRPTW benchmark instances (Solomon text or VRPLIB format) from disk."""

from __future__ import annotations

from pathlib import Path

from licvisit.core.vrptw import VrptwInstance, parse_vrptw


def read_vrptw(path: str | Path) -> VrptwInstance:
    """Read a Solomon text file or a VRPLIB (``NODE_COORD_SECTION``) VRPTW file.

    Raises
    ------
    ValueError
        When the file is in neither format.
    """
    p = Path(path)
    return parse_vrptw(p.read_text(encoding="utf-8", errors="replace"), p.stem)
