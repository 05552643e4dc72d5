"""Benchmark: load and validate 2,000,000 calls from CSV against a bare pandas (pyarrow) read.

Run from the repository root::

    .venv/bin/python benchmarks/bench_load.py            # 2,000,000 rows, 3 repeats
    .venv/bin/python benchmarks/bench_load.py --rows 200000 --repeats 1   # quick look

The script generates the CSV itself (seeded) into ``benchmarks/_work/``
(git-ignored), then times, in fresh subprocesses of the same run:

* ``pandas``: ``pd.read_csv(path, engine="pyarrow")`` - merely reading;
* ``licvisit``: ``licvisit.io.load.validate_inputs`` on the same file -
  sniffing, parsing, date parsing, category and THRIVE mapping, coordinate
  detection, Great Britain checks, WGS84 -> British National Grid, duplicate
  ids, the per-file report.

Each measurement is wall time of the call alone (imports excluded) and the
peak resident memory of the whole subprocess (``ru_maxrss``).  The median of
the repeats is reported, and the figures are written to
``docs/benchmarks/load.md``.  Target: licvisit at most 5x pandas, peak < 4 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work"
RESULTS = ROOT / "docs" / "benchmarks" / "load.md"

CATEGORIES = [
    "Violence and sexual offences",
    "Anti-social behaviour",
    "Public order",
    "Other theft",
    "Shoplifting",
    "drunk_and_disorderly",
    "violence_with_injury",
    "door_staff_request",
    "concern_for_welfare",
    "Drugs",
    "Criminal damage and arson",
    "Theft from the person",
    "Robbery",
    "Possession of weapons",
]


def generate(path: Path, rows: int, seed: int = 20250106, bad_share: float = 0.0005) -> None:
    """Write a realistic calls CSV: ISO times, lon/lat around Birmingham, a few bad rows."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00:00")
    secs = rng.integers(0, 365 * 86400, rows)
    when = (start + secs.astype("timedelta64[s]")).astype(str)
    when = np.char.replace(when, "T", " ")
    lon = np.round(-1.90 + rng.normal(0, 0.02, rows), 6)
    lat = np.round(52.478 + rng.normal(0, 0.012, rows), 6)
    cat = np.array(CATEGORIES, dtype=object)[rng.integers(0, len(CATEGORIES), rows)]
    thrive = np.array(["E", "P", "S", "CR", ""], dtype=object)[rng.integers(0, 5, rows)]
    prem = np.where(rng.random(rows) < 0.2, np.char.add("P", rng.integers(1, 3000, rows).astype(str)), "")
    loc = np.array(
        ["On or near Broad Street", "Hurst Street", "outside The Victoria, John Bright St", ""], dtype=object
    )[rng.integers(0, 4, rows)]
    ids = np.char.add("INC", np.arange(1, rows + 1).astype(str))
    lon_s = lon.astype(str).astype(object)
    when = when.astype(object)
    # A few realistic faults, so the slow path for bad rows is exercised too.
    nbad = int(rows * bad_share)
    bad = rng.choice(rows, nbad * 3, replace=False)
    when[bad[:nbad]] = "31/02/2024 23:15"
    lon_s[bad[nbad : 2 * nbad]] = ""
    cat[bad[2 * nbad :]] = "Something new"
    table = pa.table(
        {
            "call_id": ids,
            "occurred_at": when,
            "category": cat,
            "thrive": thrive,
            "premises_ref": prem,
            "location_text": loc,
            "longitude": lon_s,
            "latitude": lat,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pacsv.write_csv(table, tmp)
    tmp.replace(path)


CHILD = r"""
import json, resource, sys, time
path, which = sys.argv[1], sys.argv[2]
import pandas as pd
if which == "licvisit":
    from licvisit.config import Config
    from licvisit.io.load import validate_inputs
    from licvisit.io.geo import to_bng_transformer
    to_bng_transformer()
t0 = time.perf_counter()
if which == "pandas":
    df = pd.read_csv(path, engine="pyarrow")
    n = len(df)
else:
    inputs = validate_inputs(Config(inputs={"calls": path}))
    n = len(inputs.calls)
    summary = inputs.report.files[0]
t = time.perf_counter() - t0
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = {"seconds": t, "peak_mb": peak_kb / 1024, "rows": n}
if which == "licvisit":
    out["rows_read"] = summary.rows_read
    out["skipped"] = summary.skipped
    out["problems"] = len(inputs.report.problems)
print(json.dumps(out))
"""


def measure(path: Path, which: str) -> dict:
    res = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), which], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if res.returncode != 0:
        raise SystemExit(f"{which} run failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--no-write", action="store_true", help="print only; do not update docs/benchmarks/load.md"
    )
    args = ap.parse_args()

    path = WORK / f"calls_{args.rows}.csv"
    if not path.exists():
        t = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {path} in {time.perf_counter() - t:.1f} s")
    size_mb = path.stat().st_size / 1e6
    runs: dict[str, list[dict]] = {"pandas": [], "licvisit": []}
    for _ in range(args.repeats):
        for which in ("pandas", "licvisit"):  # interleaved, so both see the same machine load
            runs[which].append(measure(path, which))
    med = {w: statistics.median(r["seconds"] for r in rs) for w, rs in runs.items()}
    peak = {w: max(r["peak_mb"] for r in rs) for w, rs in runs.items()}
    ratio = med["licvisit"] / med["pandas"]
    # Each pair ran back to back, so its ratio is robust to other work on the machine.
    pair_ratios = [
        lv["seconds"] / pd_["seconds"] for lv, pd_ in zip(runs["licvisit"], runs["pandas"], strict=True)
    ]
    pair_median = statistics.median(pair_ratios)
    lv = runs["licvisit"][-1]
    lines = [
        "# Benchmark: loading and validating calls",
        "",
        "Produced by `.venv/bin/python benchmarks/bench_load.py"
        + (f" --rows {args.rows}" if args.rows != 2_000_000 else "")
        + (f" --repeats {args.repeats}" if args.repeats != 3 else "")
        + "` (do not edit by hand).",
        "",
        f"- file: {args.rows:,} generated calls, {size_mb:.0f} MB CSV (ISO times, longitude/latitude, "
        "police.uk and generic categories, THRIVE grades, 0.05 % bad dates, 0.05 % blank coordinates, "
        "0.05 % unknown categories)",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, shared with other work; "
        f"median of {args.repeats} interleaved runs, each in a fresh process",
        "",
        "| step | time [s] | peak memory [MB] |",
        "|---|---:|---:|",
        f'| `pd.read_csv(engine="pyarrow")` (merely reading) | {med["pandas"]:.2f} | {peak["pandas"]:.0f} |',
        f"| `licvisit.io.load.validate_inputs` (read + validate + to EPSG:27700) | {med['licvisit']:.2f} | {peak['licvisit']:.0f} |",
        "",
        f"**licvisit / pandas = {ratio:.2f}x** on the medians, {pair_median:.2f}x as the median of the "
        f"back-to-back pairs ({', '.join(f'{r:.2f}' for r in pair_ratios)}) - target at most 5x; "
        f"peak memory {peak['licvisit'] / 1024:.2f} GB (target under 4 GB).",
        "",
        f"licvisit read {lv['rows_read']:,} rows, used {lv['rows']:,}, skipped "
        + ", ".join(f"{n:,} ({r})" for r, n in lv["skipped"].items())
        + f"; {lv['problems']:,} problems reported (row problems are listed up to 1,000 per kind, the rest counted).",
        "",
        "All runs [s]: pandas "
        + ", ".join(f"{r['seconds']:.2f}" for r in runs["pandas"])
        + "; licvisit "
        + ", ".join(f"{r['seconds']:.2f}" for r in runs["licvisit"])
        + ".",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        sys.path.insert(0, str(ROOT))
        from licvisit.io.write import atomic_write_text

        atomic_write_text(RESULTS, text)
        print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
