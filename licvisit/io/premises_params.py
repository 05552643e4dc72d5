"""Options for reading a premises register: ``[premises]`` of licvisit.toml."""

from __future__ import annotations

from dataclasses import dataclass

WINDOW_HOURS = ("alcohol", "opening")
UNKNOWN_HOURS = ("assume_operation_hours", "exclude")


@dataclass(frozen=True)
class PremisesParams:
    """How licensed hours become visit windows, and what happens without them.

    Parameters
    ----------
    window_hours : "alcohol" (default): where a register gives hours per
        activity, the visit window is the hours of sale of alcohol (the hours
        of late-night refreshment for a takeaway), else the opening hours;
        "opening": always the opening hours
    unknown_hours : "assume_operation_hours" (default): a premises with no
        licensed hours in the source is planned inside the operation's hours
        and flagged "licensed hours not known: check before visiting";
        "exclude": it is not planned
    types : premises types to rank and plan (e.g. ["pub", "bar", "nightclub"]); the others are
        left out but keep the calls nearest to them. Default (empty): every licensed premises,
        judged by the source's own type (FHRS schools, care homes, other retail... are left out)
    """

    window_hours: str = "alcohol"
    unknown_hours: str = "assume_operation_hours"
    types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.window_hours not in WINDOW_HOURS:
            raise ValueError(f"Expected window_hours one of {', '.join(WINDOW_HOURS)}.")
        if self.unknown_hours not in UNKNOWN_HOURS:
            raise ValueError(f"Expected unknown_hours one of {', '.join(UNKNOWN_HOURS)}.")
        from licvisit.fields import PREMISES_TYPES

        object.__setattr__(self, "types", tuple(self.types))
        bad = [t for t in self.types if t not in PREMISES_TYPES]
        if bad:
            raise ValueError(f"Expected types among {', '.join(PREMISES_TYPES)}; '{bad[0]}' is not one.")
