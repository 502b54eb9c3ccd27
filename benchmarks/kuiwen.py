"""Plan the Kuiwen sample and report the figures the README quotes.

    python benchmarks/kuiwen.py --time-limit 60 --seed 0 --out benchmarks/results/kuiwen

Writes the plan folder to OUT and prints a Markdown table of the summary figures, with the
command, machine and time limit, for pasting into the README. ``--no-breaks`` plans the sample
without its lunch (every manager's break dropped), as it was before it had one: the figures
recorded before 2026-12-08 are of that sample (the scenario written to OUT/scenario then).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import time
from pathlib import Path

from routeplan import plan, read_scenario, validate_folder, write_plan, write_scenario

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "data" / "samples" / "kuiwen")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--strategy", default="hybrid")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--no-breaks", action="store_true", help="plan without the managers' breaks")
    args = parser.parse_args()

    problem = read_scenario(args.scenario)
    scenario = args.scenario
    if args.no_breaks:
        problem = dataclasses.replace(problem, managers=tuple(dataclasses.replace(m, break_=None)
                                                              for m in problem.managers))
        scenario = write_scenario(problem, args.out / "scenario")
    started = time.perf_counter()
    result = plan(problem, strategy=args.strategy, time_limit=args.time_limit, seed=args.seed)
    wall = time.perf_counter() - started
    write_plan(result, args.out / "plan" if args.no_breaks else args.out)
    report = validate_folder(scenario, args.out / "plan" if args.no_breaks else args.out)
    summary = result.summary()
    print(f"command: python benchmarks/kuiwen.py --time-limit {args.time_limit:g} --seed {args.seed} "
          f"--strategy {args.strategy}{' --no-breaks' if args.no_breaks else ''}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}; wall time {wall:.1f} s; validate: {'ok' if report.ok else 'FAILED'}")
    print()
    print("| manager | role | customers | visits | travel km | work h | longest day h |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for mid, f in summary["managers"].items():
        print(f"| {mid} | {f['role']} | {f['customers']} | {f['visits']} | {f['travel_km']:.1f} | "
              f"{f['work_min'] / 60:.1f} | {f['max_day_work_min'] / 60:.2f} |")
    print()
    print(json.dumps({k: v for k, v in summary.items() if k != "managers"}, ensure_ascii=False, indent=1))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
