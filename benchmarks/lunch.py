"""What lunch costs: the Kuiwen sample planned with its lunch, with a shorter one and without.

    python benchmarks/lunch.py --iterations 20000 --seed 0

The sample's scenario.toml gives every manager a 90-minute lunch starting between 11:30 and
12:30 (``[breaks]``). This plans the same customers and managers three times, with the same
seed and the same iteration budget (repeatable: ``MaxIterations``, not the clock), changing
only the managers' break: none, 60 minutes, and the sample's 90 minutes. Each plan is checked
by ``routeplan.validate``. Prints a Markdown table: travel, unserved visits, the longest day's
work (a break on the way not counted) and its span from leaving to coming back (counted), the
latest return of the day-shift managers, and the plan's largest deviation from its group's mean
utilisation.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import time
from pathlib import Path

from routeplan import Break, MaxIterations, Problem, plan, read_scenario, validate

ROOT = Path(__file__).resolve().parent.parent


def with_break(problem: Problem, minutes: float | None) -> Problem:
    """``problem`` with every break set to ``minutes`` in the sample's window (None: no break)."""
    managers = []
    for m in problem.managers:
        rest = m.break_
        if rest is not None:
            rest = None if minutes is None else Break(earliest=rest.earliest, latest=rest.latest, minutes=minutes)
        managers.append(dataclasses.replace(m, break_=rest))
    return dataclasses.replace(problem, managers=tuple(managers))


def clock(seconds: float) -> str:
    return f"{int(seconds) // 3600:02d}:{int(seconds) // 60 % 60:02d}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "data" / "samples" / "kuiwen")
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    sample = read_scenario(args.scenario)
    print(f"command: python benchmarks/lunch.py --iterations {args.iterations} --seed {args.seed}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}")
    print()
    print("| lunch | travel km | unserved visits | longest day's work h | longest day, leave to return h | "
          "latest return (08:30-17:30 shifts) | largest deviation | valid | wall s |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|")
    ok = True
    for label, minutes in (("none", None), ("60 min", 60.0), ("90 min (the sample's)", 90.0)):
        problem = with_break(sample, minutes)
        started = time.perf_counter()
        result = plan(problem, stop=MaxIterations(args.iterations), seed=args.seed)
        wall = time.perf_counter() - started
        report = validate(problem, result)
        ok = ok and report.ok
        day_shift = {m.manager_id for m in problem.managers if m.shift == (510.0, 1050.0)}
        latest = max(r.return_time for r in result.routes if r.manager_id in day_shift)
        missing = sum(u.visits_missing for u in result.unserved)
        work = max(r.work_min for r in result.routes) / 60
        span = max(r.span_min for r in result.routes) / 60
        print(f"| {label} | {result.cost():.1f} | {missing} | {work:.2f} | {span:.2f} | "
              f"{clock(latest)} | {result.balance().largest_deviation:.1%} | {'yes' if report.ok else 'NO'} | "
              f"{wall:.0f} |")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
