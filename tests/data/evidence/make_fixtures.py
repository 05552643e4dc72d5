"""Make the small, synthetic evidence-pack fixtures in this folder (deterministic).

Run from the repository root:  .venv/bin/python tests/data/evidence/make_fixtures.py

* ``calls.csv``: 900 calls in the licvisit glossary layout, January to
  December 2017, with times of day; two clusters inside the zone ("Test
  Quarter") and scattered calls around it; the rate inside the zone doubles
  from July.  ``location_text`` holds free text that must never be published.
* ``premises.csv``: 24 premises (glossary layout) inside and around the zone;
  DPS names are people's names and must never be published; the two busiest
  premises have hostile names (HTML injection, a spreadsheet formula).
* ``zones.geojson``: two illustrative zones (WGS84).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from licvisit.io.geo import bng_to_lonlat

HERE = Path(__file__).resolve().parent
CX, CY = 407000.0, 286600.0  # zone centre (Birmingham city centre), EPSG:27700
HALF = 300.0
CATS = [
    ("violence_with_injury", 0.15),
    ("violence_without_injury", 0.15),
    ("public_order", 0.10),
    ("drunk_and_disorderly", 0.10),
    ("anti_social_behaviour", 0.15),
    ("theft", 0.15),
    ("robbery", 0.03),
    ("drugs", 0.05),
    ("criminal_damage", 0.05),
    ("concern_for_welfare", 0.04),
    ("door_staff_request", 0.03),
]


def main() -> None:
    rng = np.random.default_rng(20170101)
    # premises: 16 inside the zone, 8 outside
    prem = []
    for i in range(24):
        inside = i < 16
        r = HALF * 0.9 if inside else HALF * 2.0
        x = CX + rng.uniform(-r, r) if inside else CX + rng.choice([-1, 1]) * rng.uniform(HALF + 50, r)
        y = CY + rng.uniform(-r, r)
        name = f"Test Venue {i + 1:02d}"
        if i == 1:  # a busy premises, so the name reaches the report
            name = "<script>alert('x')</script> Bar"
        if i == 0:
            name = '=HYPERLINK("http://example.invalid")'
        prem.append(
            {
                "premises_id": f"P{i + 1:03d}",
                "name": name,
                "address": f"{i + 1} Test Street, Birmingham",
                "postcode": "B1 1AA",
                "premises_type": ["pub", "bar", "nightclub", "late_night_refreshment"][i % 4],
                **{f"hours_{d}": "11:00-02:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
                "capacity": 200 + 10 * i,
                "door_supervision": "yes" if i % 2 else "no",
                "door_staff": 2,
                "conditions": "CCTV",
                "dps": f"Dpsperson Surname{i:02d}",
                "lpa": "Birmingham West",
                "intel_flags": "",
                "synthetic": "true",
                "x": round(x, 1),
                "y": round(y, 1),
            }
        )
    with open(HERE / "premises.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(prem[0]))
        w.writeheader()
        w.writerows(prem)

    # calls: clusters at premises 1 and 2, scattered elsewhere; more from July inside the zone
    rows = []
    cats = [c for c, _ in CATS]
    probs = np.array([p for _, p in CATS])
    probs /= probs.sum()
    n = 0
    for month in range(1, 13):
        k_zone = 30 if month < 7 else 60
        for j in range(k_zone + 20):
            inside = j < k_zone
            if inside and j % 2 == 0:
                p = prem[j % 4 // 2]
                x, y = p["x"] + rng.normal(0, 15), p["y"] + rng.normal(0, 15)
            elif inside:
                x, y = CX + rng.uniform(-HALF, HALF), CY + rng.uniform(-HALF, HALF)
            else:
                ang = rng.uniform(0, 2 * np.pi)
                rad = rng.uniform(HALF * 1.5, HALF * 3)
                x, y = CX + rad * np.cos(ang), CY + rad * np.sin(ang)
            day = int(rng.integers(1, 29))
            # mostly evenings and nights, more at weekends
            hour = int(rng.choice([20, 21, 22, 23, 0, 1, 2, 3, 14]))
            minute = int(rng.integers(0, 60))
            n += 1
            rows.append(
                {
                    "call_id": f"C{n:05d}",
                    "occurred_at": f"2017-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:00",
                    "category": str(rng.choice(cats, p=probs)),
                    "thrive": str(rng.choice(["E", "P", "S", "CR"])),
                    "premises_ref": "",
                    "location_text": f"FREETEXT-{n:05d} caller Jane Witness says",
                    "x": round(float(x), 1),
                    "y": round(float(y), 1),
                }
            )
    with open(HERE / "calls.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)

    def square(cx: float, cy: float, half: float) -> list[list[float]]:
        xs = np.array([cx - half, cx + half, cx + half, cx - half, cx - half])
        ys = np.array([cy - half, cy - half, cy + half, cy + half, cy - half])
        lon, lat = bng_to_lonlat(xs, ys)
        return [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lon, lat, strict=True)]

    zones = {
        "type": "FeatureCollection",
        "name": "evidence_test_zones",
        "features": [
            {
                "type": "Feature",
                "properties": {"zone_id": "test_quarter", "name": "Test Quarter"},
                "geometry": {"type": "Polygon", "coordinates": [square(CX, CY, HALF)]},
            },
            {
                "type": "Feature",
                "properties": {"zone_id": "far_side", "name": "Far Side"},
                "geometry": {"type": "Polygon", "coordinates": [square(CX + 2000, CY, 200)]},
            },
        ],
    }
    (HERE / "zones.geojson").write_text(json.dumps(zones, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
