"""Compare the districting strategies on a scenario (default: the Kuiwen sample).

    python benchmarks/strategies.py --time-limit 60 --seed 0 --out OUT [--scenario DIR]
    python benchmarks/strategies.py --synthetic 2000 --utilisation 0.75 --synthetic-seed 6 --time-limit 45 --out OUT

With ``--synthetic N``, the scenario is :func:`routeplan.synthetic.random_problem` of N customers
(written to OUT-scenario beside OUT, so that the plans can be validated against it): at a utilisation of 0.75,
its afternoon-shift managers are what a role-blind strategy must hand out with care.

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

from routeplan import compare, read_scenario, validate_folder, write_scenario
from routeplan.planning.strategies import STRATEGIES
from routeplan.synthetic import random_problem

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "data" / "samples" / "kuiwen")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per strategy")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--synthetic", type=int, default=None, metavar="N",
                        help="plan a synthetic scenario of N customers instead of --scenario")
    parser.add_argument("--utilisation", type=float, default=0.6, help="of the synthetic scenario's staff")
    parser.add_argument("--synthetic-seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    if args.synthetic is not None:
        args.scenario = write_scenario(random_problem(args.synthetic_seed, customers=args.synthetic,
                                                      utilisation=args.utilisation),
                                       args.out.with_name(args.out.name + "-scenario"))
    problem = read_scenario(args.scenario)
    started = time.perf_counter()
    result = compare(problem, strategies=args.strategies.split(","), time_limit=args.time_limit, seed=args.seed)
    wall = time.perf_counter() - started
    result.write(args.out)
    verdicts = {name: validate_folder(args.scenario, args.out / name).ok for name in result.plans}
    source = (f"--synthetic {args.synthetic} --utilisation {args.utilisation:g} --synthetic-seed {args.synthetic_seed}"
              if args.synthetic is not None else f"--scenario {args.scenario}")
    print(f"command: python benchmarks/strategies.py {source} --time-limit {args.time_limit:g} --seed {args.seed}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
          f"wall time {wall:.0f} s; valid: {', '.join(f'{k} {v}' for k, v in verdicts.items())}")
    print()
    print(result.markdown())
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
