"""Benchmark the whole `licvisit rank` command against a naive pipeline, and at force scale.

Generates the data (vectorised numpy, fixed seed), writes the CSVs to a temporary
folder (or ``--data``), then times, each in its own fresh Python process (so peak
memory is per pipeline), back to back in the same run, for each calls format
(``--formats``: ``bench``, the generator's own columns with night-heavy times and
a skewed category mix; ``glossary``, the glossary headers of docs/data-contracts.md
with uniform categories and timestamps):

* ``naive``: ``benchmarks/naive_rank.py`` (pandas read, geopandas ``sjoin_nearest``
  with max_distance=50 m, group-by sum of harm);
* ``licvisit`` (bench format only): pandas/pyarrow read of the same CSVs +
  ``rank_premises`` doing all the work (reference, name and nearest rules,
  near-ties, closed hours, 25/50/100 m sensitivity, harm x THRIVE, NTE split,
  recency, empirical-Bayes shrinkage, static licence risk, bands);
* ``licvisit_cli``: the whole ``licvisit rank`` command (imports, the project's
  readers with validation, ranking, and writing CSV/GeoPackage/JSON/attribution).

With ``--scale`` the whole command then runs on the 2 M-call file and on a
12 M-call file (``--scale-calls``; written in chunks, its first 2 M rows are the
2 M-call file), back to back, for the time ratio and the peak memory.

Run from the repository root::

    .venv/bin/python benchmarks/bench_rank.py [--calls 2000000] [--premises 10000] [--repeat 1] [--scale]

Results are printed and written to docs/benchmarks/rank.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TYPES = np.array(["pub", "bar", "nightclub", "late_night_refreshment", "off_licence", "restaurant", "club"])
TYPE_P = np.array([0.30, 0.15, 0.05, 0.20, 0.15, 0.12, 0.03])
HOURS = {
    "pub": ("11:00-23:00", "11:00-01:00"),
    "bar": ("12:00-00:00", "12:00-02:00"),
    "nightclub": ("closed", "22:00-03:00"),
    "late_night_refreshment": ("17:00-01:00", "17:00-03:00"),
    "off_licence": ("08:00-23:00", "08:00-23:00"),
    "restaurant": ("11:00-23:00", "11:00-00:00"),
    "club": ("18:00-23:00", "18:00-00:00"),
}
CATEGORIES = np.array(
    [
        "violence_with_injury",
        "violence_without_injury",
        "public_order",
        "drunk_and_disorderly",
        "theft",
        "criminal_damage",
        "anti_social_behaviour",
        "drugs",
        "robbery",
        "weapons",
        "sexual_offence",
        "concern_for_welfare",
        "door_staff_request",
        "refusal_report",
        "other",
    ]
)
CAT_P = np.array([0.12, 0.18, 0.10, 0.08, 0.14, 0.06, 0.12, 0.04, 0.02, 0.01, 0.01, 0.05, 0.03, 0.02, 0.02])


def _premises(rng: np.random.Generator, n_prem: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Premises in 40 town centres (first draws of ``rng``); also the town centres."""
    centres = rng.uniform([380_000, 260_000], [440_000, 320_000], size=(40, 2))
    c_of = rng.integers(0, 40, n_prem)
    px = centres[c_of, 0] + rng.normal(0, 600, n_prem)
    py = centres[c_of, 1] + rng.normal(0, 600, n_prem)
    ptype = rng.choice(TYPES, n_prem, p=TYPE_P)
    prem = pd.DataFrame(
        {
            "premises_id": [f"LIC{i:06d}" for i in range(n_prem)],
            "name": [f"Premises {i}" for i in range(n_prem)],
            "address": "1 High Street",
            "postcode": "",
            "premises_type": ptype,
            "capacity": np.where(rng.random(n_prem) < 0.7, rng.integers(40, 1500, n_prem), np.nan),
            "door_supervision": rng.random(n_prem) < 0.25,
            "door_staff": rng.integers(0, 6, n_prem),
            "intel_flags": np.where(rng.random(n_prem) < 0.03, "gang", ""),
            "x": px,
            "y": py,
        }
    )
    for j, d in enumerate(DAYS):
        late = j >= 4  # Fri, Sat, Sun sessions longer
        prem[f"hours_{d}"] = [HOURS[t][1 if late else 0] for t in ptype]
    return prem, centres


def _calls(
    rng: np.random.Generator,
    n_calls: int,
    prem: pd.DataFrame,
    centres: np.ndarray,
    *,
    first_id: int = 0,
    glossary: bool = False,
) -> pd.DataFrame:
    """Calls clustered around ``prem`` (75 % near a premises chosen by a heavy-tailed propensity).

    ``glossary``: the glossary-format file of docs/data-contracts.md (call_id,
    occurred_at, category, thrive, premises_ref, location_text, x, y) with
    categories drawn uniformly and timestamps uniform over the year to the
    second (so about half the calls fall in closed hours); otherwise the
    benchmark's own columns, night-heavy times to the minute and a skewed
    category mix.
    """
    n_prem = len(prem)
    px, py = prem["x"].to_numpy(), prem["y"].to_numpy()
    prop = rng.gamma(0.5, 1.0, n_prem)
    prop /= prop.sum()
    near = rng.random(n_calls) < 0.75
    pick = rng.choice(n_prem, n_calls, p=prop)
    cx = np.where(
        near,
        px[pick] + rng.normal(0, 20, n_calls),
        centres[rng.integers(0, 40, n_calls), 0] + rng.normal(0, 1500, n_calls),
    )
    cy = np.where(
        near,
        py[pick] + rng.normal(0, 20, n_calls),
        centres[rng.integers(0, 40, n_calls), 1] + rng.normal(0, 1500, n_calls),
    )
    start = np.datetime64("2024-01-01T00:00")
    if glossary:
        occurred = np.datetime64("2024-01-01T00:00:00") + rng.integers(0, 365 * 86400, n_calls).astype(
            "timedelta64[s]"
        )
        cat = CATEGORIES[rng.integers(0, len(CATEGORIES), n_calls)]
    else:
        day = rng.integers(0, 365, n_calls)
        # time of day: mostly at night
        minute = np.where(
            rng.random(n_calls) < 0.8,
            (rng.normal(23.5, 2.5, n_calls) * 60) % 1440,
            rng.integers(0, 1440, n_calls),
        ).astype(np.int64)
        occurred = start + (day * 1440 + minute).astype("timedelta64[m]")
        cat = rng.choice(CATEGORIES, n_calls, p=CAT_P)
    thrive = rng.choice(np.array(["E", "P", "S", "CR", ""]), n_calls, p=[0.1, 0.3, 0.3, 0.2, 0.1])
    ref = np.where(near & (rng.random(n_calls) < 0.05), prem["premises_id"].to_numpy()[pick], "")
    named = near & (rng.random(n_calls) < 0.10)
    loc = np.where(
        named,
        np.char.add(np.char.add("outside ", prem["name"].to_numpy()[pick].astype(str)), ", High St"),
        "",
    )
    ids = np.char.add("INC", np.arange(first_id, first_id + n_calls).astype(str))
    cols = {"call_id": ids, "occurred_at": occurred}
    if not glossary:
        cols |= {"time_known": True, "category": cat, "category_raw": cat}
    else:
        cols["category"] = cat
    cols |= {"thrive": thrive, "premises_ref": ref, "location_text": loc, "x": cx.round(1), "y": cy.round(1)}
    return pd.DataFrame(cols)


def generate(
    n_calls: int, n_prem: int, seed: int = 42, *, glossary: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic premises in 40 town centres and calls clustered around them (fixed seed)."""
    rng = np.random.default_rng(seed)
    prem, centres = _premises(rng, n_prem)
    return _calls(rng, n_calls, prem, centres, glossary=glossary), prem


def write_calls_in_chunks(
    path: Path, n_calls: int, n_prem: int, seed: int = 42, *, glossary: bool = False, chunk: int = 2_000_000
) -> pd.DataFrame:
    """Write ``n_calls`` calls to ``path`` in chunks of ``chunk`` rows (memory stays flat); return the premises.

    The first chunk is exactly ``generate(chunk, n_prem, seed)``'s calls, so a
    file of ``chunk`` rows written here is the head of every larger one; later
    chunks draw from their own seeded generator around the same premises.
    Written by pandas ``to_csv`` like the default files, appended chunk by chunk.
    """
    rng = np.random.default_rng(seed)
    prem, centres = _premises(rng, n_prem)
    done = 0
    while done < n_calls:
        m = min(chunk, n_calls - done)
        r = rng if done == 0 else np.random.default_rng([seed, done // chunk])
        part = _calls(r, m, prem, centres, first_id=done, glossary=glossary)
        part.to_csv(path, index=False, header=done == 0, mode="w" if done == 0 else "a")
        done += m
        del part
    return prem


LICVISIT = """
import json, resource, sys, time
t0 = time.perf_counter()
import numpy as np, pandas as pd
from licvisit.core.risk import rank_premises
calls = pd.read_csv(sys.argv[1], engine="pyarrow", dtype_backend="numpy_nullable")
calls["occurred_at"] = pd.to_datetime(calls["occurred_at"])
for c in ("premises_ref", "location_text", "thrive"):
    calls[c] = calls[c].astype("string").fillna("")
calls["x"] = calls["x"].astype("float64"); calls["y"] = calls["y"].astype("float64")
calls["time_known"] = calls["time_known"].astype(bool)
prem = pd.read_csv(sys.argv[2], keep_default_na=False, na_values={"capacity": [""]})
t1 = time.perf_counter()
r = rank_premises(calls, prem)
t2 = time.perf_counter()
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"read_s": t1 - t0, "rank_s": t2 - t1, "total_s": t2 - t0, "cpu_s": ru.ru_utime + ru.ru_stime,
                  "peak_mb": ru.ru_maxrss / 1024,
                  "counts": r.summary["counts"], "top": r.table["premises_id"].head(5).tolist()}))
"""

NAIVE = """
import json, resource, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[3])
from naive_rank import naive_rank
r = naive_rank(sys.argv[1], sys.argv[2])
t1 = time.perf_counter()
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"total_s": t1 - t0, "cpu_s": ru.ru_utime + ru.ru_stime, "peak_mb": ru.ru_maxrss / 1024,
                  "linked_premises": int(len(r)), "top": r["premises_id"].head(5).tolist()}))
"""

CLI = """
import contextlib, io, json, re, resource, sys, time
t0 = time.perf_counter()
from licvisit.cli import main
import licvisit.cli.risk  # the rank command's module (click loads it on first use): its imports count here
t_cli = time.perf_counter()
# main() as the licvisit script runs it (no click.testing): its printed lines are kept for the stages
out, err, code = io.StringIO(), io.StringIO(), 0
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    try:
        main(["rank", "--calls", sys.argv[1], "--premises", sys.argv[2], "--out", sys.argv[3], "--top", "0"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
t1 = time.perf_counter()
output = out.getvalue() + err.getvalue()
# the command's own progress lines, "[   2.5s] reading inputs", timed from the command's start
stages = [[float(m[1]), m[2]] for m in re.finditer(r"^\\[\\s*([0-9.]+)s\\] (.*)$", output, re.M)]
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"total_s": t1 - t0, "cli_import_s": t_cli - t0, "stages": stages,
                  "cpu_s": ru.ru_utime + ru.ru_stime, "peak_mb": ru.ru_maxrss / 1024,
                  "exit_code": code, "output": output[-400:]}))
"""

STAGES = ("reading inputs", "linking", "scoring premises", "writing outputs", "done")


def stage_split(r: dict) -> dict[str, float]:
    """Seconds spent per step of one whole-command run, from its progress lines.

    ``start-up`` is importing the CLI and the command's set-up before it starts
    reading (pandas among the imports); the steps after are the intervals
    between the command's progress lines; ``after`` is printing the summary.
    """
    marks: dict[str, float] = {}
    for t, msg in r.get("stages", []):
        key = next((k for k in STAGES if msg.startswith(k)), None)
        if key and key not in marks:
            marks[key] = t
    if len(marks) < len(STAGES):
        return {}
    out = {"start-up": r["cli_import_s"] + marks["reading inputs"]}
    for a, b, name in zip(STAGES, STAGES[1:], ("reading", "linking", "scoring", "writing"), strict=False):
        out[name] = marks[b] - marks[a]
    out["after"] = max(0.0, r["total_s"] - r["cli_import_s"] - marks["done"])
    return out


def run(code: str, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    if out.returncode != 0:
        return {"error": out.stderr[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


FORMATS = ("bench", "glossary")
GB = 1e9  # peak memory targets are decimal gigabytes


def _files(folder: Path, n_calls: int, n_prem: int, *, glossary: bool, chunked: bool = False) -> Path:
    """calls.csv and premises.csv in ``folder`` (written unless both exist); return ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    cpath, ppath = folder / "calls.csv", folder / "premises.csv"
    if cpath.exists() and ppath.exists():
        return folder
    t = time.perf_counter()
    if chunked:
        prem = write_calls_in_chunks(cpath, n_calls, n_prem, glossary=glossary)
    else:
        calls, prem = generate(n_calls, n_prem, glossary=glossary)
        calls.to_csv(cpath, index=False)
        del calls
    prem.to_csv(ppath, index=False)
    size = cpath.stat().st_size / 1e6
    print(f"wrote {cpath} ({n_calls:,} calls, {size:.0f} MB) in {time.perf_counter() - t:.1f} s", flush=True)
    return folder


def _one_format(fmt: str, folder: Path, out: Path, a: argparse.Namespace) -> dict[str, list[dict]]:
    """Time naive, ``rank_premises`` (bench format only) and the whole command, back to back, ``a.repeat`` times."""
    cpath, ppath = str(folder / "calls.csv"), str(folder / "premises.csv")
    res: dict[str, list[dict]] = {"naive": [], "licvisit": [], "licvisit_cli": []}
    for _ in range(a.repeat):
        res["naive"].append(run(NAIVE, cpath, ppath, str(ROOT / "benchmarks")))
        print(fmt, "naive", res["naive"][-1], flush=True)
        if fmt == "bench":  # the bare-library snippet expects the benchmark's own columns
            res["licvisit"].append(run(LICVISIT, cpath, ppath))
            print(fmt, "licvisit", res["licvisit"][-1], flush=True)
        if not a.no_cli:
            res["licvisit_cli"].append(run(CLI, cpath, ppath, str(out)))
            print(fmt, "licvisit_cli", _short(res["licvisit_cli"][-1]), flush=True)
    return res


def _short(r: dict) -> dict:
    return {k: v for k, v in r.items() if k != "output"}


def _raw(results: dict) -> dict:
    """``results`` without the commands' printed output (kept short for the report)."""
    return {
        name: {k: [_short(r) for r in v] if isinstance(v, list) else v for k, v in res.items()}
        for name, res in results.items()
    }


def compile_package() -> None:
    """Byte-compile licvisit into its ``__pycache__`` folders, as ``pip install`` does.

    Every run then imports the cached bytecode, as an installed command does,
    even where PYTHONDONTWRITEBYTECODE is set (it is on this project's machine,
    where compiling the 26 modules the rank command imports took ~0.15 s a run).
    """
    import compileall

    compileall.compile_dir(ROOT / "licvisit", quiet=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=2_000_000)
    ap.add_argument("--premises", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-cli", action="store_true", help="Skip timing the whole `licvisit rank` command.")
    ap.add_argument(
        "--formats",
        default=",".join(FORMATS),
        help="Comma-separated calls generators: bench (the benchmark's own columns) and/or glossary.",
    )
    ap.add_argument(
        "--scale",
        action="store_true",
        help="Also time the whole command on --scale-calls calls (the force-scale run) in the same run.",
    )
    ap.add_argument("--scale-calls", type=int, default=12_000_000)
    ap.add_argument(
        "--data", type=Path, help="Reuse the generated files from this folder (or write them there)."
    )
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "rank.md")
    a = ap.parse_args()
    formats = [f.strip() for f in a.formats.split(",") if f.strip()]
    if not formats or set(formats) - set(FORMATS):
        ap.error(f"--formats: choose from {', '.join(FORMATS)}")
    if a.scale and ("bench" not in formats or a.no_cli):
        ap.error("--scale compares with the whole command on the bench format: keep bench and the CLI run")
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        base = a.data or Path(tmp)
        results: dict[str, dict] = {}
        load_before = os.getloadavg()
        for fmt in formats:
            folder = _files(base / f"{fmt}_{a.calls}", a.calls, a.premises, glossary=fmt == "glossary")
            results[fmt] = _one_format(fmt, folder, Path(tmp) / "out", a)
            results[fmt]["size_mb"] = (folder / "calls.csv").stat().st_size / 1e6
        if a.scale:
            folder = _files(
                base / f"bench_{a.scale_calls}", a.scale_calls, a.premises, glossary=False, chunked=True
            )
            cpath, ppath = str(folder / "calls.csv"), str(folder / "premises.csv")
            results["scale"] = {
                "small": [],
                "large": [],
                "size_mb": (folder / "calls.csv").stat().st_size / 1e6,
            }
            small = base / f"bench_{a.calls}" / "calls.csv"
            small_args = (str(small), str(small.with_name("premises.csv")), str(Path(tmp) / "out"))
            # the small run right before and right after the large one, so they share the machine's load
            for which, args in (("small", small_args), ("large", (cpath, ppath, str(Path(tmp) / "out")))):
                results["scale"][which].append(run(CLI, *args))
                print("scale", which, _short(results["scale"][which][-1]), flush=True)
            results["scale"]["small"].append(run(CLI, *small_args))
            print("scale small", _short(results["scale"]["small"][-1]), flush=True)
        load_after = os.getloadavg()
    write_report(a, formats, results, (load_before, load_after))


def _best(rows: list[dict], key: str = "total_s") -> dict:
    ok = [r for r in rows if key in r]
    return min(ok, key=lambda r: r[key]) if ok else (rows[0] if rows else {})


def _f(r: dict, key: str, fmt: str = ".2f") -> str:
    return format(r[key], fmt) if key in r else "n/a"


def _format_lines(fmt: str, res: dict, a: argparse.Namespace) -> list[str]:
    """The table and ratios of one calls format."""
    naive, ours, cli = _best(res["naive"]), _best(res["licvisit"]), _best(res["licvisit_cli"])
    title = {
        "bench": "benchmark's own generator (night-heavy times, skewed categories, every column)",
        "glossary": "glossary-format calls file (call_id, occurred_at, category, thrive, premises_ref, "
        "location_text, x, y; uniform categories and timestamps)",
    }[fmt]
    lines = [
        f"### {fmt}: {title}",
        "",
        f"{a.calls:,} calls x {a.premises:,} premises; calls CSV {res['size_mb']:.0f} MB; best of {a.repeat}.",
        "",
        "| pipeline | what it does | wall time [s] | CPU time [s] | peak memory [MB] |",
        "|---|---|---:|---:|---:|",
        f"| naive (`benchmarks/naive_rank.py`) | pandas read, geopandas `sjoin_nearest` (50 m), group-by sum of "
        f"harm | {_f(naive, 'total_s')} | {_f(naive, 'cpu_s')} | {_f(naive, 'peak_mb', '.0f')} |",
    ]
    if ours:
        lines.append(
            f"| licvisit `rank_premises` + pyarrow CSV read | all attribution rules, near-ties, closed hours, "
            f"sensitivity, harm x THRIVE, NTE split, decay, EB shrinkage, static risk, bands "
            f"| {_f(ours, 'total_s')} (read {_f(ours, 'read_s')}, rank {_f(ours, 'rank_s')}) "
            f"| {_f(ours, 'cpu_s')} | {_f(ours, 'peak_mb', '.0f')} |"
        )
    if cli:
        lines.append(
            f"| whole `licvisit rank` command | imports, project readers with validation, ranking, writing "
            f"ranking.csv/.gpkg/.json and the attribution table | {_f(cli, 'total_s')} "
            f"| {_f(cli, 'cpu_s')} | {_f(cli, 'peak_mb', '.0f')} |"
        )
    lines.append("")
    if "total_s" in naive and "total_s" in ours:
        lines.append(
            f"Ratio `rank_premises` / naive (best of each): **{ours['total_s'] / naive['total_s']:.2f}**."
        )
    if "total_s" in naive and "total_s" in cli:
        lines.append(
            f"Ratio whole command / naive (best of each): **{cli['total_s'] / naive['total_s']:.2f}** "
            "(target <= 0.35)."
        )
    if "cpu_s" in naive and "cpu_s" in cli:
        lines.append(
            f"CPU time, whole command / naive (the same runs): **{cli['cpu_s'] / naive['cpu_s']:.2f}** "
            "(CPU seconds of all the process's threads: what the ratio tends to on a machine whose cores "
            "are all busy)."
        )
    lines += [
        "",
        "| repeat | naive [s] | whole command [s] | ratio | CPU ratio | the command's seconds per step |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    for i, nv in enumerate(res["naive"]):
        cv = res["licvisit_cli"][i] if i < len(res["licvisit_cli"]) else {}
        if "total_s" in nv and "total_s" in cv:
            cpu = f"{cv['cpu_s'] / nv['cpu_s']:.2f}" if "cpu_s" in nv and "cpu_s" in cv else "n/a"
            lines.append(
                f"| {i + 1} | {nv['total_s']:.2f} | {cv['total_s']:.2f} | {cv['total_s'] / nv['total_s']:.2f} "
                f"| {cpu} | {_split_text(cv)} |"
            )
    return lines + [""]


def _split_text(r: dict) -> str:
    sp = stage_split(r)
    return ", ".join(f"{k} {v:.1f}" for k, v in sp.items()) if sp else "n/a"


def _scale_lines(a: argparse.Namespace, sc: dict) -> list[str]:
    smalls = [r for r in sc["small"] if "total_s" in r]
    large = _best(sc["large"])
    lines = [
        f"### Force scale: {a.scale_calls:,} calls x {a.premises:,} premises (`--scale`)",
        "",
        f"The whole `licvisit rank` command on {a.calls:,} calls, then on {a.scale_calls:,} calls (calls CSV "
        f"{sc['size_mb']:.0f} MB; its first {a.calls:,} rows are the {a.calls:,}-call file), then on "
        f"{a.calls:,} calls again, back to back; the ratio is against the mean of the two small runs.",
        "",
        "| run | calls | wall time [s] | CPU time [s] | peak memory [GB] | exit | seconds per step |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    runs = [("before", a.calls, sc["small"][0] if sc["small"] else {}), ("large", a.scale_calls, large)]
    runs += [("after", a.calls, sc["small"][1])] if len(sc["small"]) > 1 else []
    for name, n, r in runs:
        peak = f"{r['peak_mb'] * 2**20 / GB:.2f}" if "peak_mb" in r else "n/a"
        lines.append(
            f"| {name} | {n:,} | {_f(r, 'total_s')} | {_f(r, 'cpu_s')} | {peak} | {r.get('exit_code', 'n/a')} "
            f"| {_split_text(r)} |"
        )
    if smalls and "total_s" in large:
        mean_small = sum(r["total_s"] for r in smalls) / len(smalls)
        lines += [
            "",
            f"Time ratio {a.scale_calls / 1e6:g} M / {a.calls / 1e6:g} M: "
            f"**{large['total_s'] / mean_small:.2f}** (target <= 7); peak memory at {a.scale_calls / 1e6:g} M: "
            f"**{large['peak_mb'] * 2**20 / GB:.2f} GB** (target < 6 GB; `ru_maxrss` of the process, "
            "decimal GB).",
        ]
    return lines + [""]


def _load_lines(formats: list[str], results: dict) -> list[str]:
    """How far the naive pipeline's wall time moved with the load in this run, for the same CPU time."""
    parts = []
    for fmt in formats:
        naive = [r for r in results[fmt]["naive"] if "total_s" in r and "cpu_s" in r]
        cli = [r for r in results[fmt]["licvisit_cli"] if "total_s" in r]
        if len(naive) > 1 and cli:
            walls = [r["total_s"] for r in naive]
            cpus = [r["cpu_s"] for r in naive]
            parts.append(
                f"{fmt}: naive {min(walls):.1f}-{max(walls):.1f} s wall for {min(cpus):.1f}-{max(cpus):.1f} "
                f"CPU seconds, whole command {min(r['total_s'] for r in cli):.1f}-"
                f"{max(r['total_s'] for r in cli):.1f} s"
            )
    if not parts:
        return []
    return [
        "The naive pipeline runs on about one core, so its wall time is close to its CPU time when the "
        "machine is quiet and grows when other jobs hold the cores; the whole command uses both cores "
        "and moves less. The best-against-best ratio therefore depends on whether the naive pipeline "
        f"met a quiet moment ({'; '.join(parts)}). The history of the changes and where the time "
        "goes: docs/benchmarks.md.",
        "",
    ]


def write_report(a: argparse.Namespace, formats: list[str], results: dict, loads: tuple = ()) -> None:
    cmd = f"`.venv/bin/python benchmarks/bench_rank.py --repeat {a.repeat}" + (
        " --scale`" if a.scale else "`"
    )
    lines = [
        "# Benchmark: `licvisit rank` versus a naive pipeline",
        "",
        f"Command: {cmd} (defaults: --calls {a.calls} --premises {a.premises} --formats {','.join(formats)}"
        + (f" --scale-calls {a.scale_calls}" if a.scale else "")
        + ")",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared), Python {platform.python_version()}; "
        "each pipeline in a fresh process; within a repeat the pipelines run back to back.",
        "",
    ]
    for fmt in formats:
        lines += _format_lines(fmt, results[fmt], a)
    if "scale" in results:
        lines += _scale_lines(a, results["scale"])
    if loads:
        lines += [
            f"Load average (1/5/15 min) before the runs: {', '.join(f'{v:.1f}' for v in loads[0])}; after: "
            f"{', '.join(f'{v:.1f}' for v in loads[1])}. The machine is shared: absolute times are inflated "
            "by other work, which is why the pipelines are timed in the same run and compared as ratios.",
            "",
        ]
    lines += _load_lines(formats, results)
    lines += [
        "What the whole command adds to `rank_premises`: Python imports, reading both files through the "
        "project's readers (type checks, date parsing, category mapping, coordinate checks: `licvisit.io`), "
        "and writing every output, the attribution table (one row per call-premises link, about 1.4 million "
        "rows at 2 M calls) among them. The steps: start-up (importing the CLI, pandas among it, and the "
        "command's set-up before it reads), reading (both files through the validating readers), linking "
        "(calls to premises), scoring, writing, after (printing the summary), from the command's own "
        "progress lines (0.1 s resolution).",
        "",
        "Raw results:",
        "",
        "```json",
        json.dumps(_raw(results), indent=1, default=str)[:8000],
        "```",
        "",
    ]
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
