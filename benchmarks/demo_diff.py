"""Show that two revisions of licvisit write the same demo outputs.

Used for the issue 11 reorganisation ("behaviour unchanged"): run the demo at
a base revision and at the working tree, then compare every output file::

    .venv/bin/python benchmarks/demo_diff.py --base 07c2988          # base revision vs working tree
    .venv/bin/python benchmarks/demo_diff.py --base 07c2988 --new HEAD
    .venv/bin/python benchmarks/demo_diff.py --compare DIR_A DIR_B    # two finished demo folders
    .venv/bin/python benchmarks/demo_diff.py --base 07c2988 --time-limit 600   # on a busy machine

The plan stops on a work limit, so it is the same on any machine, unless the
routing's wall-clock cap (``[plan] time_limit_s``, 60 s) binds first: on a
machine busy with other work it can, and the two plans then differ.
``--time-limit`` passes a larger cap to both runs so that only the work limit
stops the search.

A revision is checked out into a temporary ``git worktree`` and run with the
project's virtual environment (``PYTHONPATH`` pointing at that checkout).

Files must be byte-identical, except for what a run records about itself:

* ``plan/plan.json``: keys ending in ``_solve_s`` or ``_seconds`` (solver wall
  time) are ignored;
* GeoPackages (``*.gpkg``): compared table by table through SQLite, ignoring
  ``gpkg_contents.last_change`` (the write time);
* input file paths (``validation.json``) may differ by the checkout they were read from;
* ``manifest.json``: the file list must match; the size and SHA-256 of a file
  are compared only when the file itself had to be byte-identical.

Exit status 0 when every file matches, 1 when any differs (each listed).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
TIMING_SUFFIXES = ("_solve_s", "_seconds")


def _strip_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_timings(v) for k, v in value.items() if not str(k).endswith(TIMING_SUFFIXES)}
    if isinstance(value, list):
        return [_strip_timings(v) for v in value]
    return value


def _gpkg_tables(path: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        out = {}
        for name in names:
            if name.startswith("rtree_") or name == "sqlite_sequence":
                continue
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{name}")')]
            keep = [c for c in cols if not (name == "gpkg_contents" and c == "last_change")]
            sel = ", ".join(f'"{c}"' for c in keep)
            out[name] = sorted(con.execute(f'SELECT {sel} FROM "{name}"').fetchall(), key=repr)
        return out
    finally:
        con.close()


ROOTS: list[bytes] = []  # checkouts the runs read their inputs from (validation.json names the files)


def _unrooted(data: bytes) -> bytes:
    for root in ROOTS:
        data = data.replace(root, b"<checkout>")
    return data


def _same(rel: str, a: Path, b: Path) -> bool:
    if a.read_bytes() == b.read_bytes() or _unrooted(a.read_bytes()) == _unrooted(b.read_bytes()):
        return True
    if rel.endswith(".gpkg"):
        return _gpkg_tables(a) == _gpkg_tables(b)
    if rel.endswith("plan.json"):
        return _strip_timings(json.loads(a.read_text())) == _strip_timings(json.loads(b.read_text()))
    return False


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def compare(dir_a: Path, dir_b: Path) -> list[str]:
    """Every difference between two demo output folders, as lines; empty when they match."""
    fa, fb = _files(dir_a), _files(dir_b)
    problems = [f"only in {dir_a}: {r}" for r in sorted(fa - fb)]
    problems += [f"only in {dir_b}: {r}" for r in sorted(fb - fa)]
    loose: set[str] = set()  # equal up to recorded timings: their manifest hashes may differ
    for rel in sorted(fa & fb):
        if rel.endswith("manifest.json"):
            continue
        if (dir_a / rel).read_bytes() != (dir_b / rel).read_bytes():
            if _same(rel, dir_a / rel, dir_b / rel):
                loose.add(rel)
            else:
                problems.append(f"differs: {rel}")
    manifests = sorted((r for r in fa & fb if r.endswith("manifest.json")), key=lambda r: -r.count("/"))
    for rel in manifests:  # deepest first: a folder's manifest lists its sub-folders' manifests
        base = Path(rel).parent
        ma, mb = json.loads((dir_a / rel).read_text()), json.loads((dir_b / rel).read_text())
        ea = {e["path"]: e for e in ma.get("files", [])}
        eb = {e["path"]: e for e in mb.get("files", [])}
        if sorted(ea) != sorted(eb):
            problems.append(f"differs: {rel} (file list)")
            continue
        bad = False
        for path, entry in ea.items():
            full = (base / path).as_posix() if str(base) != "." else path
            if full not in loose and entry != eb[path]:
                problems.append(f"differs: {rel} (entry {path})")
                bad = True
        if not bad:
            loose.add(rel)
    return problems


def run_demo(rev: str | None, out: Path, work: Path, time_limit: float | None = None) -> None:
    """Run ``licvisit demo --out OUT`` at a git revision (None: the working tree)."""
    src = ROOT
    if rev is not None:
        src = work / f"src-{rev.replace('/', '_')}"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(src), rev], check=True)
    ROOTS.append(str(src).encode())
    env = dict(os.environ, PYTHONPATH=str(src))
    try:
        subprocess.run(
            [str(PYTHON), "-m", "licvisit", "demo", "--out", str(out)]
            + (["--time-limit", str(time_limit)] if time_limit else []),
            cwd=src,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    finally:
        if rev is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(src)], check=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", help="git revision to compare against")
    ap.add_argument("--new", help="git revision to compare (default: the working tree)")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("DIR_A", "DIR_B"))
    ap.add_argument("--time-limit", type=float, help="routing time limit [s] passed to both demo runs")
    args = ap.parse_args(argv)
    if args.compare:
        dir_a, dir_b = args.compare
        problems = compare(dir_a, dir_b)
    elif args.base:
        with tempfile.TemporaryDirectory(prefix="demo-diff-") as tmp:
            work = Path(tmp)
            run_demo(args.base, work / "base", work, args.time_limit)
            run_demo(args.new, work / "new", work, args.time_limit)
            dir_a, dir_b = work / "base", work / "new"
            problems = compare(dir_a, dir_b)
            n = len(_files(dir_a))
    else:
        ap.error("give --base REV or --compare DIR_A DIR_B")
    if args.compare:
        n = len(_files(dir_a))
    for line in problems:
        print(line)
    print(f"{n} files compared; {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
