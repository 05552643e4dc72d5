"""Write rendered pages into output folders: render returns pages, this module writes them.

:mod:`licvisit.render` returns pages and files as data (map pages as
``{file name: HTML}``, the evidence pack as
:class:`~licvisit.render.evidence.EvidenceFiles`); the functions here read the
street file a map needs (:func:`licvisit.io.streets.read_streets`), render,
and write each file with the atomic writers of :mod:`licvisit.io.write`.
Commands call them inside :func:`licvisit.io.write.staged_folders`, so a
folder is swapped in whole or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from licvisit.domain import Officer, Plan
from licvisit.io.streets import read_streets
from licvisit.io.write import atomic_write_bytes, atomic_write_text, write_csv, write_json
from licvisit.render.map_params import MapParams
from licvisit.render.streets import StreetLines

if TYPE_CHECKING:
    from licvisit.core.evidence import EvidencePack


def street_lines(path: str | None) -> StreetLines | None:
    """The street lines of ``[maps] streets`` (a file path), or None when it is not set.

    Raises
    ------
    LicvisitError
        If the file cannot be read or holds no lines.
    """
    if not path:
        return None
    return StreetLines(read_streets(path), Path(path).name)


def write_files(files: Mapping[str, str | bytes], out_dir: str | Path) -> list[Path]:
    """Write each ``relative path -> text or bytes`` of ``files`` into ``out_dir``, in order.

    Text is written as UTF-8.  Each file is written atomically.  Returns the paths written.
    """
    out = Path(out_dir)
    return [
        atomic_write_text(out / rel, body) if isinstance(body, str) else atomic_write_bytes(out / rel, body)
        for rel, body in files.items()
    ]


def write_route_maps(
    plan: Plan,
    premises: Any,
    out_dir: str | Path,
    *,
    ranking: pd.DataFrame | None = None,
    visit_history: pd.DataFrame | None = None,
    calls: pd.DataFrame | None = None,
    zones: Any = None,
    params: MapParams | None = None,
    staff: list[Officer] | None = None,
    call_links: pd.DataFrame | None = None,
) -> list[Path]:
    """Write one map per crew-night (``<night>_<crew_id>.html``), ``overview.html`` and ``index.html``.

    Pages from :func:`licvisit.render.maps.route_map_pages`, with the streets of
    ``params.streets`` drawn under the stops.  Returns the paths written, crew
    maps first (by night, then crew), then the overview, then the index.

    Raises
    ------
    LicvisitError
        If a crew-night map would be larger than ``params.max_file_mb`` (nothing is written then),
        or the street file cannot be read.
    """
    from licvisit.render.maps import route_map_pages

    params = params or MapParams()
    pages = route_map_pages(
        plan,
        premises,
        ranking=ranking,
        visit_history=visit_history,
        calls=calls,
        zones=zones,
        params=params,
        staff=staff,
        streets=street_lines(params.streets),
        call_links=call_links,
    )
    return write_files(pages, out_dir)


def write_plan_maps(
    plan: Plan,
    inputs: Any,
    out_dir: str | Path,
    *,
    ranking: Any = None,
    params: MapParams | None = None,
    call_links: pd.DataFrame | None = None,
) -> list[Path]:
    """Write every map of ``plan`` from loaded :class:`~licvisit.domain.Inputs` (for ``plan``, ``demo``, ``maps``).

    Same files as :func:`write_route_maps`; ``ranking`` may be a ranking table
    or a ``Ranking`` result (its ``.table`` is used, and its links count each
    card's recent incidents unless ``call_links`` is given).
    """
    from licvisit.render.maps import plan_map_pages

    params = params or MapParams()
    pages = plan_map_pages(
        plan,
        inputs,
        ranking=ranking,
        params=params,
        streets=street_lines(params.streets),
        call_links=call_links,
    )
    return write_files(pages, out_dir)


def write_plan_folder(
    plan: Plan, out_dir: str | Path, premises: pd.DataFrame | None = None, staff: list[Officer] | None = None
) -> list[Path]:
    """Write ``plan`` into ``out_dir``: its tables (:func:`licvisit.io.plan_io.write_plan`), then ``roster.html``.

    Returns the files written, ``roster.html`` last.
    """
    from licvisit.io.plan_io import write_plan
    from licvisit.render.roster_html import roster_html

    written = write_plan(plan, out_dir, premises=premises, staff=staff)
    page = roster_html(plan, staff=staff, premises=premises)
    return written + write_files({"roster.html": page}, out_dir)


def write_evidence(
    pack: EvidencePack, out_dir: str | Path, pdf: bool = False, streets: str | None = None
) -> list[Path]:
    """Write report.html, the CSV tables (tables/), PNG charts (charts/), evidence.json and (``pdf``) report.pdf.

    Parameters
    ----------
    pack : EvidencePack
    out_dir : folder (created if missing)
    pdf : also write report.pdf (needs weasyprint)
    streets : street file (``[maps] streets``) drawn under the maps, or None

    Returns
    -------
    list of Path written, report.html first.

    Raises
    ------
    ConfigError
        ``pdf=True`` and weasyprint is not installed.
    """
    from licvisit.render.evidence import render_evidence_files

    files = render_evidence_files(pack, pdf=pdf, streets=street_lines(streets))
    out = Path(out_dir)
    written = [atomic_write_text(out / "report.html", files.html)]
    written += [write_csv(frame, out / "tables" / f"{name}.csv") for name, frame in files.tables.items()]
    written += write_files({f"charts/{name}": png for name, png in files.charts.items()}, out)
    written.append(write_json(files.meta, out / "evidence.json"))
    if files.pdf is not None:
        written.append(atomic_write_bytes(out / "report.pdf", files.pdf))
    return written
