"""Write ambulance_callouts.csv: synthetic ambulance call-outs for the other-evidence tests (deterministic).

Run from the repository root: ``.venv/bin/python tests/data/evidence/make_other_evidence.py``.
Nothing here is real data.
"""

from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("ambulance_callouts.csv")
rng = np.random.default_rng(16)
rows = ["Incident date,Reason for call-out,Easting,Northing,NTE zone"]
for month in range(1, 13):
    n_assault = 10 if month <= 6 else 20  # doubles from July inside the zone
    for _ in range(n_assault):
        d, h = int(rng.integers(1, 28)), int(rng.integers(0, 24))
        x, y = 407000 + rng.uniform(-250, 250), 286600 + rng.uniform(-250, 250)
        rows.append(
            f"{d:02d}/{month:02d}/2017 {h:02d}:{int(rng.integers(0, 60)):02d},Assault,{x:.1f},{y:.1f},"
        )
    for _ in range(6):  # steady, given by zone name only
        d = int(rng.integers(1, 28))
        rows.append(f"{d:02d}/{month:02d}/2017 01:30,Alcohol intoxication,,,Test Quarter")
    for _ in range(5):  # steady, outside the zone
        x, y = 407000 + rng.uniform(500, 900), 286600 + rng.uniform(-300, 300)
        rows.append(f"15/{month:02d}/2017 22:00,Fall,{x:.1f},{y:.1f},")
for month in (3, 9):  # a rare category: 1 a time, so it must be hidden
    rows.append(f"10/{month:02d}/2017 03:00,Overdose,407010.0,286610.0,")
OUT.write_text("\n".join(rows) + "\n", encoding="utf-8")
print(f"wrote {OUT} ({len(rows) - 1} rows)")
