"""Parameters for the route maps and the overview (``[maps]`` in licvisit.toml)."""

from __future__ import annotations

from dataclasses import dataclass, field

from licvisit.domain import DEFAULT_OPERATIONS


def _all_but_gang() -> tuple[str, ...]:
    return tuple(op.name for op in DEFAULT_OPERATIONS if op.name != "gang_op")


@dataclass(frozen=True)
class MapParams:
    """How maps are drawn and what they may show.

    Parameters
    ----------
    tiles_url : URL template of a tile server, e.g. a force's own
        ``https://tiles.example.police.uk/{z}/{x}/{y}.png``.  ``None`` (the
        default) draws no base map at all, so the page makes no request.
    tiles_attribution : attribution shown with the tiles (required by most tile licences).
    tiles_max_zoom : highest zoom the tile server provides.
    redact_intel_for : operation types whose maps must NOT show gang-intelligence
        details (flags, notes of gang operations).  Default: every operation type
        except ``gang_op``.
    gang_flag_words : an intelligence flag containing any of these words counts as
        gang intelligence.
    incident_days : recent incidents on a premises card cover this many days [d]
        before the last call in the data (or the night, if earlier).
    incident_radius_m : calls within this distance of a premises count as its
        incidents when they do not name it [m].
    last_visits : how many past visits a card lists.
    max_overview_premises : cap on premises drawn in the overview (highest risk first).
    max_heat_points : cap on distinct heat-map cells (calls are binned first).
    heat_cell_m : size of the cells calls are binned into for the heat layer [m].
    max_file_mb : a crew-night map larger than this is an error [MB].
    streets : an OpenStreetMap extract (``.osm.pbf``, ``.osm``) or street lines
        (GeoJSON, GeoPackage with ``name``) drawn under the stops, clipped to each
        map's area and embedded (see docs/maps.md).  ``None``: no streets.
    streets_margin_m : streets this far beyond a map's outermost stops are kept [m].
    """

    tiles_url: str | None = None
    tiles_attribution: str = ""
    tiles_max_zoom: int = 19
    redact_intel_for: tuple[str, ...] = field(default_factory=_all_but_gang)
    gang_flag_words: tuple[str, ...] = ("gang", "ocg", "county lines")
    incident_days: int = 90
    incident_radius_m: float = 50.0
    last_visits: int = 3
    max_overview_premises: int = 20000
    max_heat_points: int = 20000
    heat_cell_m: float = 25.0
    max_file_mb: float = 2.0
    streets: str | None = None
    streets_margin_m: float = 400.0

    def __post_init__(self) -> None:
        if self.tiles_url is not None:
            if not isinstance(self.tiles_url, str) or not self.tiles_url.strip():
                raise ValueError("Expected tiles_url as a URL template with {z}, {x} and {y}, or no setting.")
            if not all(k in self.tiles_url for k in ("{z}", "{x}", "{y}")):
                raise ValueError("Expected tiles_url to contain {z}, {x} and {y}.")
        if isinstance(self.redact_intel_for, str):
            object.__setattr__(self, "redact_intel_for", (self.redact_intel_for,))
        object.__setattr__(self, "redact_intel_for", tuple(str(s) for s in self.redact_intel_for))
        object.__setattr__(self, "gang_flag_words", tuple(str(s).lower() for s in self.gang_flag_words))
        if self.incident_days < 1:
            raise ValueError("Expected incident_days >= 1.")
        if self.incident_radius_m < 0:
            raise ValueError("Expected incident_radius_m >= 0.")
        if self.last_visits < 0:
            raise ValueError("Expected last_visits >= 0.")
        if self.max_overview_premises < 0 or self.max_heat_points < 0:
            raise ValueError("Expected max_overview_premises and max_heat_points >= 0.")
        if self.heat_cell_m <= 0:
            raise ValueError("Expected heat_cell_m > 0.")
        if not 1 <= self.tiles_max_zoom <= 24:
            raise ValueError("Expected tiles_max_zoom between 1 and 24.")
        if self.max_file_mb <= 0:
            raise ValueError("Expected max_file_mb > 0.")
        if self.streets is not None and (not isinstance(self.streets, str) or not self.streets.strip()):
            raise ValueError("Expected streets as the path of a street file, or no setting.")
        if self.streets_margin_m < 0:
            raise ValueError("Expected streets_margin_m >= 0.")

    def redacts(self, op_type: str) -> bool:
        """True if maps for crews on ``op_type`` must not show gang intelligence."""
        return op_type in self.redact_intel_for
