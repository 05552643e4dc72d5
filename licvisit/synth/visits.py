"""A synthetic visit history with outcomes, weighted towards the riskier premises."""

from __future__ import annotations

import numpy as np
import pandas as pd

from licvisit.synth.model import _col, _flag, _hours_table, premises_rates
from licvisit.synth.params import SynthParams

# --- visit history -------------------------------------------------------------

VISIT_NOTES = {
    "compliant": (
        "All conditions met; refusals log up to date.",
        "CCTV checked and working, 31 days kept; DPS on site.",
        "Door team licensed and logged; no issues.",
        "Challenge 25 signage displayed; staff aware of policy.",
    ),
    "advice_given": (
        "Refusals log incomplete; advice given to DPS.",
        "CCTV retention only 14 days; advised to extend to 31.",
        "Door staff signing-in sheet missing times; advised.",
        "Dispersal at closing slow; advice on staggered exit.",
    ),
    "breach_found": (
        "Door supervisor without SIA badge on display; breach of condition.",
        "No CCTV recordings available for last weekend; breach of condition.",
        "Sales after licensed hours observed; breach recorded.",
        "Glass in use after 22:00 contrary to licence; breach recorded.",
    ),
    "action_plan": (
        "Action plan agreed with DPS after repeated disorder at closing.",
        "Action plan: extra door staff Fri/Sat and search policy.",
    ),
    "review_requested": ("Persistent breaches; licence review application being prepared.",),
    "other": ("Premises closed on arrival.", "DPS not on site; follow-up booked."),
}


def synth_visits(
    premises: pd.DataFrame,
    params: SynthParams | None = None,
    seed: int = 0,
    visits_per_week: float = 22.0,
    recent_breaches: int = 3,
) -> pd.DataFrame:
    """Generate a visit history with outcomes over ``params.start`` .. ``params.end``.

    PALOs visit risky premises more often (by the hidden rate, softened) and
    at times they are open; breaches are likelier at high-rate premises.
    ``recent_breaches`` breach_found visits are placed in the last three
    weeks so the next week's plan has follow-ups.  Columns: the visit
    glossary (``premises_id, visited_at, visit_type, outcome, notes``).
    """
    p = params or SynthParams()
    rng = np.random.default_rng([int(seed), 1003])
    prem = pd.DataFrame(premises).reset_index(drop=True)
    ids = prem["premises_id"].astype(str).to_numpy(dtype=object)
    hrs = _hours_table(prem)
    open_any = (hrs[:, :, 0] >= 0).any(axis=1)
    types = _col(prem, "premises_type", "other").astype("string").fillna("other").to_numpy(dtype=object)
    licensable = open_any & (types != "other")
    rate = premises_rates(prem, p, seed)
    w = np.sqrt(rate) * licensable
    if w.sum() <= 0:
        return pd.DataFrame(
            {"premises_id": [], "visited_at": [], "visit_type": [], "outcome": [], "notes": []}
        )
    n = int(rng.poisson(visits_per_week * p.days / 7.0))
    days = np.arange(np.datetime64(p.start), np.datetime64(p.end) + 1)
    dow0 = int((days[0].astype("int64") + 3) % 7)
    dw = np.array([0.3, 0.5, 0.6, 1.0, 1.6, 1.6, 0.3])
    pick, dsel = [], []
    need = n
    while need > 0:
        cp = rng.choice(len(w), need * 2, p=w / w.sum())
        cd = rng.choice(
            len(days),
            need * 2,
            p=(dw[(dow0 + np.arange(len(days))) % 7] / dw[(dow0 + np.arange(len(days))) % 7].sum()),
        )
        ok = hrs[cp, (dow0 + cd) % 7, 0] >= 0
        pick.extend(cp[ok][:need])
        dsel.extend(cd[ok][:need])
        need = n - len(pick)
    pick_a, d_a = np.array(pick[:n], int), np.array(dsel[:n], int)
    # Force a few breaches near the end (follow-ups for the demo week).
    ranked = np.argsort(-rate * licensable, kind="stable")
    top_late = [i for i in ranked[:60] if types[i] in ("nightclub", "bar")][:recent_breaches]
    last = len(days) - 1
    rec_days = [max(0, last - k) for k in (3, 9, 16, 6, 12)[: len(top_late)]]
    for i, dd in zip(top_late, rec_days, strict=False):
        # Move to a night it is open, on or before dd.
        while hrs[i, (dow0 + dd) % 7, 0] < 0 and dd > 0:
            dd -= 1
        pick_a = np.append(pick_a, i)
        d_a = np.append(d_a, dd)
    forced = np.zeros(len(pick_a), bool)
    forced[n:] = True
    dow = (dow0 + d_a) % 7
    s = hrs[pick_a, dow, 0]
    e = hrs[pick_a, dow, 1]
    start_min = np.maximum(s, 19 * 60)
    end_min = np.maximum(np.minimum(e - 15, 26 * 60), start_min + 1)
    minute = (start_min + rng.random(len(pick_a)) * (end_min - start_min)).astype(int) // 5 * 5
    when = days[d_a].astype("datetime64[m]") + minute.astype("timedelta64[m]")
    door = _flag(_col(prem, "door_supervision", False).astype(str))
    gang = _col(prem, "intel_flags", "").astype("string").fillna("").str.contains("gang").to_numpy()
    r = rng.random(len(pick_a))
    vtype = np.where(
        gang[pick_a] & (r < 0.4),
        "gang_op",
        np.where(door[pick_a] & (r < 0.7), "sia_check", "licensing_compliance"),
    )
    # Outcome: breach probability rises with the hidden rate.
    rel = np.clip(np.log(rate[pick_a] / np.median(rate[licensable])) / 3.0, -1, 1)
    pb = np.clip(0.06 + 0.08 * rel, 0.01, 0.25)
    pa = 0.25 + 0.05 * rel
    u2 = rng.random(len(pick_a))
    outcome = np.where(
        u2 < pb,
        "breach_found",
        np.where(
            u2 < pb + 0.02,
            "action_plan",
            np.where(
                u2 < pb + 0.025,
                "review_requested",
                np.where(
                    u2 < pb + 0.045, "other", np.where(u2 < pb + 0.045 + pa, "advice_given", "compliant")
                ),
            ),
        ),
    ).astype(object)
    outcome[forced] = "breach_found"
    k = rng.integers(0, 1000, len(pick_a))
    notes = [VISIT_NOTES[o][j % len(VISIT_NOTES[o])] for o, j in zip(outcome, k, strict=False)]
    out = pd.DataFrame(
        {
            "premises_id": ids[pick_a],
            "visited_at": when.astype("datetime64[ns]"),
            "visit_type": vtype.astype(object),
            "outcome": outcome,
            "notes": notes,
        }
    )
    return out.sort_values(["visited_at", "premises_id"], kind="stable").reset_index(drop=True)
