"""Compare the districting strategies on a scenario (default: the Kuiwen sample).

    python benchmarks/strategies.py --time-limit 60 --seed 0 --out OUT [--scenario DIR]

Writes the comparison report (each plan, compare.csv, compare.md, compare.html, workload.png) to
OUT, validates every plan as written, and prints the table with the command and the machine,
for pasting into the README.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from routeplan import compare, read_scenario, validate_folder
from routeplan.planning.strategies import STRATEGIES

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "data" / "samples" / "kuiwen")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per strategy")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    problem = read_scenario(args.scenario)
    started = time.perf_counter()
    result = compare(problem, strategies=args.strategies.split(","), time_limit=args.time_limit, seed=args.seed)
    wall = time.perf_counter() - started
    result.write(args.out)
    verdicts = {name: validate_folder(args.scenario, args.out / name).ok for name in result.plans}
    print(f"command: python benchmarks/strategies.py --scenario {args.scenario} --time-limit {args.time_limit:g} "
          f"--seed {args.seed}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
          f"wall time {wall:.0f} s; valid: {', '.join(f'{k} {v}' for k, v in verdicts.items())}")
    print()
    print(result.markdown())
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
