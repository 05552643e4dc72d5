"""Render an EvidencePack as one self-contained HTML report, CSV tables and PNG charts.

Charts are drawn with matplotlib (Agg backend) and embedded as base64 PNGs;
the page has no scripts and loads nothing from the network, so it opens
offline and prints cleanly.  Every string from the data is escaped (jinja2
autoescape).  A PDF is made with weasyprint when it is installed.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from licvisit import __version__
from licvisit.core.evidence import EvidencePack, params_dict
from licvisit.core.evidence.disclosure import SUPPRESSED_SYMBOL, TOTAL, PublishedTable
from licvisit.errors import ConfigError
from licvisit.render.streets import StreetLines

TEMPLATE = "evidence.html.j2"
# evidence.json keys of the hearing sections (licvisit.core.evidence.hearing)
HEARING_KEYS = ("displacement", "comparison", "premises_profile", "other_evidence")
DPI = 110
# Colour-blind-safe pairs (ColorBrewer RdBu ends) for hot and cold spots.
HOT, COLD = "#b2182b", "#2166ac"


# --- charts -----------------------------------------------------------------------------


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    _plt().close(fig)
    return buf.getvalue()


def _zone_lines(ax, geom, **kw) -> None:
    polys = getattr(geom, "geoms", [geom])
    for poly in polys:
        if hasattr(poly, "exterior"):
            x, y = poly.exterior.xy
            ax.plot(x, y, **kw)
            kw.pop("label", None)


STREETS_CREDIT = "Streets © OpenStreetMap contributors"
STREET_LABELS = 8  # names on the longest named streets of a map, at most


def _streets_under(ax, streets: StreetLines | None, bounds: tuple[float, float, float, float]) -> bool:
    """Draw the streets of ``streets`` within ``bounds`` (xmin, ymin, xmax, ymax; EPSG:27700) on the map.

    Thin grey lines, major roads a little heavier, the names of a few of the
    longest named streets along them, and the OpenStreetMap credit in the
    corner.  They lie over the density shading and the area fills (which
    would hide them) but under the zone outline, the premises and the
    labels.  Returns whether any street fell within the bounds.
    """
    if streets is None:
        return False
    from matplotlib import patheffects
    from matplotlib.collections import LineCollection
    from shapely.geometry import box

    frame = box(*bounds)
    lines = streets.lines.to_crs(27700)
    lines = lines[lines.intersects(frame)]
    if not len(lines):
        return False
    geoms = lines.geometry.intersection(frame)
    labels = []
    major_lines: list[np.ndarray] = []
    minor_lines: list[np.ndarray] = []
    for geom, name, major in zip(geoms, lines["name"], lines["major"], strict=True):
        for part in getattr(geom, "geoms", [geom]):
            if part.is_empty or not hasattr(part, "xy"):
                continue
            (major_lines if major else minor_lines).append(np.column_stack(part.xy))
            if name and part.length > 0.08 * (bounds[2] - bounds[0]):
                labels.append((part.length, str(name), part))
    for segs, colour, lw in ((minor_lines, "#b5b5b5", 0.5), (major_lines, "#8c8c8c", 1.1)):
        if segs:
            ax.add_collection(LineCollection(segs, colors=colour, linewidths=lw, zorder=1.5))
    seen: set[str] = set()
    placed: list[tuple[float, float]] = []
    gap = 0.12 * (bounds[2] - bounds[0])  # labels closer than this would overlap
    for _length, name, part in sorted(labels, key=lambda t: (-t[0], t[1])):
        if name in seen or len(seen) >= STREET_LABELS:
            continue
        spots = [part.interpolate(f, normalized=True) for f in (0.5, 0.3, 0.7)]
        free = [m for m in spots if all(math.hypot(m.x - x, m.y - y) >= gap for x, y in placed)]
        if not free:
            continue
        mid = free[0]
        seen.add(name)
        placed.append((mid.x, mid.y))
        d = part.project(mid)
        a, b = part.interpolate(max(0.0, d - 5)), part.interpolate(min(part.length, d + 5))
        angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
        angle = angle - 180 if angle > 90 else angle + 180 if angle < -90 else angle
        ax.text(mid.x, mid.y, name, fontsize=6, color="#555555", rotation=angle, rotation_mode="anchor",
                ha="center", va="center", zorder=1.6, clip_on=True,
                path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])  # fmt: skip
    ax.annotate(STREETS_CREDIT, xy=(0.01, 0.005), xycoords="axes fraction", fontsize=6, color="#444444",
                ha="left", va="bottom")  # fmt: skip
    return True


def map_png(pack: EvidencePack, streets: StreetLines | None = None) -> bytes:
    """Static map: kernel density, significant Gi* cells, premises, top premises by rank, zone outline.

    With ``streets`` (an OSM extract or street lines, ``[maps] streets``) the streets are drawn underneath.
    """
    plt = _plt()
    from matplotlib.patches import Patch, Rectangle

    dens = pack.figures["density"]
    spots = pack.figures["hotspots"]
    grid = spots.grid
    fig, ax = plt.subplots(figsize=(8.0, 8.0))
    vmax = float(np.nanmax(dens.values)) if dens.values.size and np.nanmax(dens.values) > 0 else 1.0
    im = ax.imshow(
        np.ma.masked_less_equal(dens.values, vmax * 0.02),
        origin="lower",
        extent=dens.extent,
        cmap="YlOrBr",
        vmin=0,
        vmax=vmax,
        interpolation="bilinear",
        alpha=0.85,
    )
    cx, cy = grid.centres()
    h = grid.cell_m / 2
    for k in np.flatnonzero(spots.label != 0):
        colour = HOT if spots.label[k] > 0 else COLD
        ax.add_patch(
            Rectangle(
                (cx[k] - h, cy[k] - h),
                grid.cell_m,
                grid.cell_m,
                facecolor=colour,
                alpha=0.25,
                edgecolor=colour,
                lw=1.2,
            )
        )
    pxy = pack.figures.get("premises_xy")
    if pxy is not None and len(pxy):
        ax.scatter(pxy[:, 0], pxy[:, 1], s=6, c="#444444", marker="o", lw=0, label="Premises", zorder=3)
    for rank, x, y in pack.figures.get("top_premises_xy", [])[:10]:
        ax.annotate(
            rank,
            (x, y),
            fontsize=7,
            ha="center",
            va="center",
            zorder=5,
            bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": "black", "lw": 0.6},
        )
    _zone_lines(ax, pack.zone_geometry, color="black", lw=2.0, label="Zone", zorder=4)
    xmin, xmax, ymin, ymax = grid.extent
    _streets_under(ax, streets, (xmin, ymin, xmax, ymax))
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_xlabel("Easting [m] (British National Grid)")
    ax.set_ylabel("Northing [m]")
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.tick_params(labelsize=7)
    # scale bar: a round length about a fifth of the width
    span = xmax - xmin
    bar = 10 ** math.floor(math.log10(span / 5))
    bar = bar * (5 if span / 5 >= 5 * bar else 2 if span / 5 >= 2 * bar else 1)
    x0, y0 = xmin + 0.04 * span, ymin + 0.04 * (ymax - ymin)
    ax.plot([x0, x0 + bar], [y0, y0], color="black", lw=3)
    ax.text(x0 + bar / 2, y0 + 0.015 * (ymax - ymin), f"{bar:g} m", ha="center", fontsize=8)
    ax.annotate("N", xy=(0.95, 0.95), xycoords="axes fraction", ha="center", fontsize=11, weight="bold")
    ax.annotate(
        "",
        xy=(0.95, 0.94),
        xytext=(0.95, 0.86),
        xycoords="axes fraction",
        arrowprops={"arrowstyle": "->", "lw": 1.5},
    )
    handles = [
        Patch(facecolor=HOT, alpha=0.4, edgecolor=HOT, label="Hot spot (Gi*, FDR)"),
        Patch(facecolor=COLD, alpha=0.4, edgecolor=COLD, label="Cold spot (Gi*, FDR)"),
    ]
    h0, _l0 = ax.get_legend_handles_labels()
    ax.legend(handles=h0 + handles, loc="lower right", fontsize=7, framealpha=0.9)
    cb = fig.colorbar(im, ax=ax, shrink=0.6, pad=0.02)
    cb.set_label(f"Kernel density [{pack.noun} per km²]", fontsize=8)
    cb.ax.tick_params(labelsize=7)
    ax.set_title(f"{pack.zone_name}: density and hot spots", fontsize=10)
    return _png(fig)


def monthly_png(table: PublishedTable, noun: str = "calls") -> bytes:
    """Monthly counts per group from the published table (hidden months are gaps)."""
    plt = _plt()
    f = table.frame.drop(index=TOTAL, errors="ignore")
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8.0, 6.0), sharex=True, height_ratios=[1, 2])
    x = np.arange(len(f))
    tot = f[TOTAL].astype("Float64").to_numpy(dtype=float, na_value=np.nan) if TOTAL in f else None
    if tot is not None:
        ax1.plot(x, tot, marker="o", color="black")
        ax1.set_ylabel(f"All {noun}")
        ax1.set_ylim(bottom=0)
    for col in [c for c in f.columns if c != TOTAL]:
        y = f[col].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        if np.all(np.isnan(y)):
            continue
        ax2.plot(x, y, marker=".", label=str(col))
    ax2.set_ylabel(noun.capitalize())
    ax2.set_ylim(bottom=0)
    ax2.set_xticks(x, [str(i) for i in f.index], rotation=45, ha="right", fontsize=7)
    ax2.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(0, -0.25))
    ax1.set_title(
        f"{noun.capitalize()} per month (gaps: numbers hidden to protect small counts)", fontsize=10
    )
    return _png(fig)


def hour_of_week_png(table: PublishedTable) -> bytes:
    """Heat map of the published hour-of-week table; hidden cells hatched."""
    plt = _plt()
    f = table.frame.drop(index=TOTAL, errors="ignore").drop(columns=TOTAL, errors="ignore")
    v = f.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    fig, ax = plt.subplots(figsize=(9.0, 3.2))
    ax.set_facecolor("#dddddd")
    im = ax.imshow(np.ma.masked_invalid(v), aspect="auto", cmap="Reds", vmin=0)
    ax.set_yticks(range(len(f.index)), list(f.index), fontsize=8)
    ax.set_xticks(range(len(f.columns)), [c.split("-")[0] for c in f.columns], fontsize=7)
    ax.set_xlabel("Hour of the day (start)")
    for i, j in np.argwhere(np.isnan(v)):
        ax.text(j, i, SUPPRESSED_SYMBOL, ha="center", va="center", fontsize=5, color="#555555")
    cb = fig.colorbar(im, ax=ax, pad=0.01)
    cb.set_label("Calls", fontsize=8)
    ax.set_title("Calls by day and hour (grey [c]: hidden small numbers)", fontsize=10)
    return _png(fig)


def lorenz_png(pack: EvidencePack) -> bytes:
    plt = _plt()
    lx, ly = pack.figures["lorenz"]
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=1, label="Equal shares")
    ax.plot(lx, ly, color=HOT, lw=2, label="Premises (least harm first)")
    ax.set_xlabel("Cumulative share of premises")
    ax.set_ylabel("Cumulative share of linked harm")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    g = pack.stats.get("gini")
    ax.set_title(
        f"Lorenz curve (Gini {g:.2f})" if g is not None and np.isfinite(g) else "Lorenz curve", fontsize=10
    )
    ax.legend(fontsize=7, loc="upper left")
    return _png(fig)


def before_after_png(table: PublishedTable, noun: str = "calls") -> bytes:
    """Rate per 30 days before and after, one panel per area on its own scale.

    Areas differ tenfold in size (a zone against the rest of a city), so one
    shared axis dwarfs the zone's bars; each panel starts at zero on its own
    axis, and the rate is written on each bar.
    """
    plt = _plt()
    f = table.frame
    names = list(f.index)
    fig, axes = plt.subplots(1, max(1, len(names)), figsize=(3.0 * max(1, len(names)), 3.2), squeeze=False)
    for ax, name in zip(axes[0], names, strict=False):
        b = pd.to_numeric(pd.Series([f.loc[name, "per 30 days before"]]), errors="coerce").iloc[0]
        a = pd.to_numeric(pd.Series([f.loc[name, "per 30 days after"]]), errors="coerce").iloc[0]
        vals = [b, a]
        ax.bar([0, 1], [0 if pd.isna(v) else v for v in vals], 0.6, color=["#999999", COLD])
        for i, v in enumerate(vals):
            ax.text(i, 0 if pd.isna(v) else v, SUPPRESSED_SYMBOL if pd.isna(v) else f"{v:g}", ha="center",
                    va="bottom", fontsize=8)  # fmt: skip
        ax.set_xticks([0, 1], ["Before", "After"], fontsize=8)
        top = np.nanmax([v for v in vals if not pd.isna(v)] or [1.0])
        ax.set_ylim(0, 1.2 * top if top > 0 else 1)
        ax.set_title(_wrap(str(name), 28), fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0][0].set_ylabel(f"{noun.capitalize()} per 30 days", fontsize=8)
    fig.suptitle("Rate before and after, each area on its own scale ([c]: hidden)", fontsize=10)
    fig.tight_layout()
    return _png(fig)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def displacement_map_png(pack: EvidencePack, streets: StreetLines | None = None) -> bytes:
    """The zone, the ring round it and the street buffers round the zone's premises (streets under them)."""
    plt = _plt()
    from matplotlib.patches import Patch

    g = pack.figures.get("displacement_geoms", {})
    fig, ax = plt.subplots(figsize=(6.5, 6.5))
    for geom, colour, alpha in ((g.get("ring"), "#fdb863", 0.45), (g.get("buffer"), "#5e3c99", 0.35)):
        for poly in getattr(geom, "geoms", [geom]) if geom is not None else []:
            if hasattr(poly, "exterior"):
                x, y = poly.exterior.xy
                ax.fill(x, y, color=colour, alpha=alpha, lw=0)
                for hole in poly.interiors:
                    hx, hy = hole.xy
                    ax.fill(hx, hy, color="white", lw=0)
    _zone_lines(ax, pack.zone_geometry, color="black", lw=2.0, zorder=4)
    pxy = pack.figures.get("premises_xy")
    if pxy is not None and len(pxy):
        ax.scatter(pxy[:, 0], pxy[:, 1], s=5, c="#444444", lw=0, zorder=3)
    ring = g.get("ring")
    if ring is not None:
        xmin, ymin, xmax, ymax = pack.zone_geometry.buffer(pack.params.ring_m * 1.3).bounds
        _streets_under(ax, streets, (xmin, ymin, xmax, ymax))
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.tick_params(labelsize=7)
    ax.set_xlabel("Easting [m] (British National Grid)", fontsize=8)
    ax.set_ylabel("Northing [m]", fontsize=8)
    ax.legend(
        handles=[
            Patch(facecolor="white", edgecolor="black", lw=2, label="Zone"),
            Patch(facecolor="#fdb863", alpha=0.6, label=f"Ring (to {pack.params.ring_m:g} m)"),
            Patch(
                facecolor="#5e3c99",
                alpha=0.5,
                label=f"Street space ({pack.params.street_buffer_m:g} m of premises)",
            ),
        ],
        loc="lower right",
        fontsize=7,
        framealpha=0.9,
    )
    ax.set_title(f"{pack.zone_name}: zone, ring and street buffers (rest of the area beyond)", fontsize=9)
    return _png(fig)


def charts(pack: EvidencePack, streets: StreetLines | None = None) -> dict[str, bytes]:
    """Every chart of the report as PNG bytes, keyed by file name (``streets`` under the maps)."""
    out = {"map.png": map_png(pack, streets)}
    if "monthly_by_group" in pack.tables:
        out["monthly.png"] = monthly_png(pack.tables["monthly_by_group"], pack.noun)
    if "hour_of_week" in pack.tables:
        out["hour_of_week.png"] = hour_of_week_png(pack.tables["hour_of_week"])
    if "lorenz" in pack.figures:
        out["lorenz.png"] = lorenz_png(pack)
    if "before_after" in pack.tables:
        out["before_after.png"] = before_after_png(pack.tables["before_after"], pack.noun)
    if "displacement" in pack.tables:
        out["displacement_map.png"] = displacement_map_png(pack, streets)
        out["displacement.png"] = before_after_png(pack.tables["displacement"], pack.noun)
    return out


# --- HTML ---------------------------------------------------------------------------------


def _cell(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, float | np.floating):
        if not np.isfinite(v):
            return ""
        return f"{v:,.0f}" if float(v).is_integer() and abs(v) >= 1000 else f"{v:g}"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    return str(v)


def _table_view(t: PublishedTable, max_rows: int = 60) -> dict[str, Any]:
    f = t.display_frame()
    idx_name = f.index.name or ""
    rows = []
    for label, r in f.head(max_rows).iterrows():
        rows.append(
            {
                "label": str(label),
                "total": label == t.total_row,
                "cells": [
                    {
                        "text": _cell(v),
                        "num": isinstance(v, int | float | np.integer | np.floating)
                        or v == SUPPRESSED_SYMBOL,
                        "hidden": v == SUPPRESSED_SYMBOL,
                        "total": c == t.total_column,
                    }
                    for c, v in r.items()
                ],
            }
        )
    return {
        "name": t.name,
        "title": t.title,
        "caption": t.caption,
        "notes": t.notes,
        "index_name": idx_name,
        "columns": [str(c) for c in f.columns],
        "rows": rows,
        "more": max(0, len(f) - max_rows),
        "n_suppressed": t.n_suppressed,
    }


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _streets_source(streets: StreetLines) -> dict[str, str]:
    """The sources-table row of the streets drawn under the maps."""
    return {
        "source": "Streets (under the maps)",
        "file": streets.file_name,
        "dates": "",
        "rows": f"{len(streets.lines):,} street lines",
        "caveats": f"{STREETS_CREDIT} (ODbL). Drawn for orientation only; not used in any count.",
    }


def render_evidence_html(
    pack: EvidencePack, chart_pngs: dict[str, bytes] | None = None, streets: StreetLines | None = None
) -> str:
    """Return the report as one self-contained HTML page (charts embedded, no scripts, no network).

    ``streets`` (``[maps] streets``) names the street file drawn under the maps: it is credited in the map
    captions and listed in the sources table.
    """
    import jinja2

    pngs = chart_pngs if chart_pngs is not None else charts(pack, streets)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("licvisit.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    tmpl = env.get_template(TEMPLATE)
    tables = {k: _table_view(t) for k, t in pack.tables.items()}
    ba = pack.before_after
    return tmpl.render(
        title=pack.title,
        pack=pack,
        zone_area=f"{pack.zone_area_km2:.2f}",
        period=f"{pack.period[0].strftime('%B %Y')} to {pack.period[1].strftime('%B %Y')}",
        generated=dt.date.today().isoformat(),
        version=__version__,
        tables=tables,
        images={k: _data_uri(v) for k, v in pngs.items()},
        params=params_dict(pack),
        threshold=pack.params.threshold,
        symbol=SUPPRESSED_SYMBOL,
        ba=ba,
        noun=pack.noun,
        checklist=pack.checklist,
        other_sources=[o["source"] for o in pack.hearing.get("other_evidence", [])],
        other_tables=[
            (k, f"{k}_trends")
            for k in pack.tables
            if k.startswith("other_evidence_") and not k.endswith(("_trends", "_before_after"))
        ],
        hotspots=pack.stats.get("hotspots", {}),
        sources=list(pack.sources) + ([_streets_source(streets)] if streets else []),
        streets_credit=STREETS_CREDIT if streets else "",
    )


@dataclass(frozen=True)
class EvidenceFiles:
    """The evidence pack's files, rendered but not written (the caller writes them, see ``licvisit.app``).

    Attributes
    ----------
    html : ``report.html``.
    tables : ``tables/<name>.csv``, name -> the frame to write as CSV.
    charts : ``charts/<name>``, file name -> PNG bytes.
    meta : ``evidence.json``.
    pdf : ``report.pdf``, or None when not asked for.
    """

    html: str
    tables: dict[str, pd.DataFrame]
    charts: dict[str, bytes]
    meta: dict[str, Any]
    pdf: bytes | None = None


def _check_pdf_possible() -> None:
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        raise ConfigError(
            "PDF output needs the weasyprint package, which is not installed. Fix: pip install weasyprint "
            "(or leave out --pdf and print report.html from a browser)."
        ) from None


def _evidence_meta(pack: EvidencePack) -> dict[str, Any]:
    """What ``evidence.json`` holds: the zone, period, parameters, headline statistics and findings."""
    return {
        "zone": pack.zone_name,
        "zone_id": pack.zone_id,
        "period": [str(pack.period[0]), str(pack.period[1])],
        "params": params_dict(pack),
        "stats": {
            k: v
            for k, v in pack.stats.items()
            if k in ("calls_in_zone_and_period", "hotspots", "gini", "n_premises")
        },
        "findings": pack.findings,
        "counted": pack.noun,
        "cia_checklist": pack.checklist,
        **{k: v for k, v in pack.hearing.items() if k in HEARING_KEYS},
        "suppressed_cells": {k: t.n_suppressed for k, t in pack.tables.items()},
    }


def render_evidence_files(
    pack: EvidencePack, pdf: bool = False, streets: StreetLines | None = None
) -> EvidenceFiles:
    """Render report.html, the CSV tables, the PNG charts, evidence.json and (``pdf``) report.pdf.

    Parameters
    ----------
    pack : EvidencePack
    pdf : also render report.pdf (needs weasyprint)
    streets : street lines (``[maps] streets``) drawn under the maps, or None

    Raises
    ------
    ConfigError
        ``pdf=True`` and weasyprint is not installed.
    """
    if pdf:
        _check_pdf_possible()
    pngs = charts(pack, streets)
    html = render_evidence_html(pack, pngs, streets)
    tables = {}
    for name, t in pack.tables.items():
        f = t.display_frame()
        tables[name] = f.reset_index() if f.index.name or not isinstance(f.index, pd.RangeIndex) else f
    return EvidenceFiles(html, tables, pngs, _evidence_meta(pack), _pdf_bytes(html) if pdf else None)


def _pdf_bytes(html: str) -> bytes:
    """The report as PDF (A4) via weasyprint; the page has no external resources to fetch."""
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its CSS notices are not ours to show
    return weasyprint.HTML(string=html).write_pdf()
