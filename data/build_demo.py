"""Build the bundled demo data in ``data/`` from the real files in ../shared/data.

Run from the repository root::

    .venv/bin/python data/build_demo.py [--shared ../shared/data]

Steps (each deterministic; re-running gives byte-identical files):

1. copy the nine police.uk street-level CSVs (Jan-Sep 2017) unchanged;
2. filter the FHRS register to pubs/bars/nightclubs and takeaways, keeping
   the original header, line endings and bytes of every kept row.

Later steps (premises with synthesised licence attributes, NTE zones, calls,
staff, visit history, config) are added below as they land.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
FHRS_TYPES = ("Pub/bar/nightclub", "Takeaway/sandwich shop")


def copy_police_uk(shared: Path, out: Path) -> list[Path]:
    """Copy the monthly police.uk street CSVs unchanged into ``out/police_uk_2017``."""
    src = shared / "police_uk_street_bham_2017"
    dest = out / "police_uk_2017"
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for f in sorted(src.glob("2017-*-west-midlands-street.csv")):
        shutil.copyfile(f, dest / f.name)
        written.append(dest / f.name)
    if len(written) != 9:
        raise SystemExit(f"Expected 9 police.uk monthly files in {src}, found {len(written)}.")
    return written


def filter_fhrs(shared: Path, out: Path) -> Path:
    """Keep the header and every row whose BusinessType is a pub/bar/nightclub or takeaway.

    Rows are copied byte for byte (CRLF line endings, original quoting): the
    file is the real register, just shorter.
    """
    src = shared / "fhrs_birmingham_2017" / "FoodHygieneBham2017feb.csv"
    raw = src.read_bytes()
    eol = b"\r\n" if b"\r\n" in raw else b"\n"
    lines = raw.split(eol)
    header = next(csv.reader(io.StringIO(lines[0].decode("utf-8"))))
    col = header.index("BusinessType")
    kept = [lines[0]]
    for line in lines[1:]:
        if not line:
            continue
        row = next(csv.reader(io.StringIO(line.decode("utf-8"))))
        if row[col] in FHRS_TYPES:
            kept.append(line)
    dest = out / "fhrs_birmingham_2017_licensed.csv"
    dest.write_bytes(eol.join(kept) + eol)
    return dest


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    copy_police_uk(args.shared, args.out)
    filter_fhrs(args.shared, args.out)


if __name__ == "__main__":
    main()
