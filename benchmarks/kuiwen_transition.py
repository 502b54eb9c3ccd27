"""The Kuiwen sample's move from its old district lines to the hybrid lines, under a cap on
customers moved.

    python benchmarks/kuiwen_transition.py [--iterations 20000] [--seed 0]

The sample's ``current_manager`` column is the old district assignment (each manager served
every tier of its districts). Planned: the hybrid strategy from scratch (the moves cost nothing),
then re-planned from the old assignment with ``max_reassigned`` 10%, 20%, 30% and no limit, and
the region strategy (the old way, roles ignored) with 10%. Printed per plan: customers
reassigned, how many of them the roles force to move, travel, the largest deviation from a
balance group's mean, the share of visits made by a manager of the tier's role, validity.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

from routeplan import MaxIterations, StabilitySettings, plan, read_scenario
from routeplan.planning.formulate import customer_work
from routeplan.planning.replan import stability_terms
from routeplan.planning.strategies import strategy_eligibility

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "samples" / "kuiwen"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    problem = read_scenario(SAMPLE)
    print(f"# python benchmarks/kuiwen_transition.py --iterations {args.iterations} --seed {args.seed}")
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print("| plan | cap | reassigned | forced by roles | travel km | largest deviation | in specialty | valid |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    work = customer_work(problem)
    runs = [("hybrid from scratch", "hybrid", None, False)] + [
        ("hybrid re-plan", "hybrid", cap, True) for cap in (0.10, 0.20, 0.30, None)] + [
        ("region re-plan", "region", 0.10, True)]
    for name, strategy, cap, stable in runs:
        variant = problem.with_stability(StabilitySettings(max_reassigned=cap)) if stable else problem
        terms = stability_terms(variant.with_stability(StabilitySettings()), strategy_eligibility(
            variant, strategy, work=work))
        result = plan(variant, strategy=strategy, stop=MaxIterations(args.iterations), seed=args.seed)
        s = result.summary()
        forced = f"{100 * terms.forced / terms.base:.1f}%" if terms is not None and terms.base else ""
        print(f"| {name} | {'none' if cap is None else f'{100 * cap:.0f}%'} | {s['reassigned_pct']:.1f}% | {forced} | "
              f"{s['total_travel_km']:.0f} | {100 * s['balance_deviation']:.1f}% | {100 * s['specialty_share']:.0f}% | "
              f"{'yes' if result.validate().ok else 'NO'} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
