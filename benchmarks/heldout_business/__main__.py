"""python -m benchmarks.heldout_business --rows 10000 --out DIR [--seed 0] [--format xlsx|csv]
[--analysis-date YYYY-MM-DD]"""

from __future__ import annotations

import argparse
import datetime
import time
from pathlib import Path

from . import generate


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.heldout_business", description=__doc__)
    ap.add_argument("--rows", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    ap.add_argument("--analysis-date", type=datetime.date.fromisoformat, default=datetime.date(2026, 12, 1))
    args = ap.parse_args()
    t0 = time.perf_counter()
    paths = generate(args.rows, args.out, seed=args.seed, analysis_date=args.analysis_date,
                     policy_format=args.format)
    for key, path in paths.items():
        print(f"{key:16s} {path}")
    print(f"{args.rows} rows in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
