"""The glossary's header aliases: for each input, the glossary fields and the headers accepted for them.

Pure data, below every reader, so that ``licvisit.config`` can check ``[mapping.<input>]``
keys without importing the readers (:mod:`licvisit.io`), and the readers share one list.
"""

from __future__ import annotations

from licvisit.domain import WEEKDAYS

# Header aliases for generic exports (glossary name -> accepted headers).
CALL_ALIASES = {
    "call_id": (
        "call_id",
        "id",
        "incident_id",
        "incident_no",
        "incident_number",
        "crime_id",
        "crime_reference",
        "urn",
        "log_number",
    ),
    "occurred_at": (
        "occurred_at",
        "datetime",
        "date_time",
        "when",
        "timestamp",
        "occurred",
        "created",
        "incident_date_time",
        "date",
    ),
    "category": (
        "category",
        "crime_type",
        "incident_type",
        "call_type",
        "type",
        "final_classification",
        "classification",
    ),
    "thrive": ("thrive", "thrive_grade", "grade", "grading", "priority"),
    "premises_ref": ("premises_ref", "premises_id", "premises"),
    "location_text": ("location_text", "location", "address", "street", "location_description"),
}

LOCATION_FIELDS = ("x", "y", "longitude", "latitude", "easting", "northing")

PREMISES_TYPES = (
    "pub",
    "bar",
    "nightclub",
    "late_night_refreshment",
    "off_licence",
    "club",
    "restaurant",
    "hotel",
    "venue",
    "other",
)

PREMISES_ALIASES = {
    "premises_id": (
        "premises_id",
        "id",
        "licence_number",
        "licence_no",
        "licence_ref",
        "reference",
        "fhrsid",
        "osm_id",
    ),
    "name": ("name", "premises_name", "trading_name", "businessname", "business_name"),
    "address": ("address", "premises_address", "full_address"),
    "postcode": ("postcode", "post_code", "addr_postcode"),
    "premises_type": ("premises_type", "type", "category", "licence_type"),
    **{f"hours_{d}": (f"hours_{d}",) for d in WEEKDAYS},
    "hours": ("hours", "opening_hours", "licensed_hours", "hours_text"),
    "alcohol_hours": ("alcohol_hours", "supply_of_alcohol", "sale_of_alcohol", "hours_alcohol"),
    "late_night_hours": ("late_night_hours", "late_night_refreshment", "hours_late_night_refreshment"),
    "hours_note": ("hours_note", "non_standard_timings"),
    "activities": ("activities", "licensable_activities"),
    **{f"door_hours_{d}": (f"door_hours_{d}",) for d in WEEKDAYS},
    "capacity": ("capacity", "licensed_capacity", "max_capacity"),
    "door_supervision": ("door_supervision", "door_supervisors_required", "sia_required"),
    "door_staff": ("door_staff", "door_supervisors", "number_of_door_staff"),
    "conditions": ("conditions", "licence_conditions"),
    "dps": ("dps", "designated_premises_supervisor"),
    "lpa": ("lpa", "local_policing_area", "npu", "sector"),
    "intel_flags": ("intel_flags", "flags", "intelligence_flags"),
    "synthetic": ("synthetic",),
}

OTHER_ALIASES = {
    "occurred_at": (*CALL_ALIASES["occurred_at"], "month", "attended_at", "reported_at", "received"),
    "category": (*CALL_ALIASES["category"], "reason", "complaint_type", "complaint", "nature", "injury"),
    "zone": ("zone", "zone_name", "nte_zone", "area", "ward"),
}

# the glossary fields ``[mapping.zones]`` may name (e.g. zone_id = "WD23CD", name = "WD23NM")
ZONE_MAPPING_FIELDS = ("zone_id", "name")

RECODE_TABLES = ("categories", "thrive")


def mapping_fields(kind: str) -> tuple[str, ...]:
    """The glossary fields that ``[mapping.<kind>]`` may name, in the readers' order."""
    if kind == "calls":
        return (*CALL_ALIASES, *(f for f in LOCATION_FIELDS if f not in CALL_ALIASES))
    if kind == "premises":
        return (*PREMISES_ALIASES, *(f for f in LOCATION_FIELDS if f not in PREMISES_ALIASES))
    if kind == "zones":
        return ZONE_MAPPING_FIELDS
    if kind == "other_evidence":
        return (*OTHER_ALIASES, *(f for f in LOCATION_FIELDS if f not in OTHER_ALIASES))
    return ()
