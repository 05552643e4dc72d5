"""Generate realistic synthetic calls for service, licence attributes and visits.

A pure, seeded generator (no printing, no file I/O) behind ``licvisit synth``
and the bundled demo data.  Everything here is *synthetic* and labelled so:
it exists to exercise the product end to end, never to stand in for real
evidence.  The model, in brief (parameters in :class:`SynthParams`, full
description in ``docs/demo-data.md``):

* every premises has a hidden harm rate: a base rate for its type, scaled by
  capacity and late hours, times heavy-tailed (log-normal) noise, so that a
  "power few" of premises produce most premises-linked harm;
* each premises' rate drifts slowly (a random log-linear trend) and a few
  premises change abruptly part-way (new management, a new crowd), so the
  future is not a copy of the past;
* premises calls happen only on nights the premises is open, between opening
  and an hour after closing, weighted towards the end of the session;
  Friday and Saturday nights and December are busier;
* a separate stream of preventive calls (door staff asking for help, refusal
  reports) comes from well-run, door-supervised premises;
* background street calls happen at real police.uk snap points, not linked
  to any premises.

All public functions are deterministic for a given seed and vectorised, so
2,000,000 calls over 10,000 premises take seconds.

The package, by stage: :mod:`.params` (the model tables and
:class:`SynthParams`), :mod:`.model` (each premises' hidden harm rate and the
keyed-random helpers every generator shares), :mod:`.calls` (calls for
service), :mod:`.premises` (licence attributes for a real register, an
invented register) and :mod:`.visits` (a visit history).  Public names are
importable from ``licvisit.synth`` as before.
"""

from __future__ import annotations

from licvisit.synth.calls import synth_calls
from licvisit.synth.model import premises_rates
from licvisit.synth.params import (
    CALL_OUTPUT_COLUMNS,
    CATEGORY_LABELS,
    CATEGORY_MIX,
    STREET_MIX,
    THRIVE_MIX,
    TYPE_RATE,
    SynthParams,
)
from licvisit.synth.premises import (
    classify_premises_type,
    fictitious_names,
    synth_licence_attributes,
    synth_premises,
)
from licvisit.synth.visits import VISIT_NOTES, synth_visits

__all__ = [
    "CALL_OUTPUT_COLUMNS",
    "CATEGORY_LABELS",
    "CATEGORY_MIX",
    "STREET_MIX",
    "THRIVE_MIX",
    "TYPE_RATE",
    "VISIT_NOTES",
    "SynthParams",
    "classify_premises_type",
    "fictitious_names",
    "premises_rates",
    "synth_calls",
    "synth_licence_attributes",
    "synth_premises",
    "synth_visits",
]
