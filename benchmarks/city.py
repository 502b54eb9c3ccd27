"""routeplan against a hand-made decomposition on city-sized synthetic scenarios.

    python benchmarks/city.py --out OUT [--sizes 2000,5000] [--time-limit 120] [--seed 1]

For each size, a ``routeplan.synthetic`` scenario (seeded; written to ``OUT/scenarios``) is
planned twice under the same time limit, one after the other in this process: by
``routeplan.plan`` (hybrid strategy, the scenario's balance tolerance), and by the decomposition a
competent user writes by hand (:mod:`routeplan.planning.decomposition_peer`: capacity-balanced
k-means territories, visit days spread evenly, OR-Tools on every manager's day). Both plans are
written to ``OUT/plans`` and checked by ``routeplan validate``. Printed per plan: travel in
total and per role, visits planned, the spread of utilisation (the largest coefficient of
variation within a group of interchangeable managers, and the largest deviation of a manager
from its group's mean), hull overlap, wall time and validity.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from routeplan import Plan, plan, read_scenario, validate_folder, write_plan, write_scenario
from routeplan.planner import checked_plan
from routeplan.planning.decomposition_peer import decomposition_routes
from routeplan.planning.strategies import formulate_strategy
from routeplan.solver.lns import warm_up
from routeplan.synthetic import random_problem


def row(name: str, result: Plan, wall: float, valid: bool) -> str:
    figures = result.manager_figures()
    roles = sorted({f.role for f in figures})
    per_role = " | ".join(f"{sum(f.travel_km for f in figures if f.role == r):.0f}" for r in roles)
    report = result.balance()
    return (f"| {name} | {result.cost():.0f} | {per_role} | {result.visits_planned()}/{result.visits_required()} | "
            f"{100 * result.utilisation_cv():.1f}% / {100 * report.largest_deviation:.1f}% | "
            f"{'yes' if report.within else 'no'} | {100 * result.territories().hull_overlap:.0f}% | "
            f"{wall:.1f} | {'yes' if valid else 'NO'} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sizes", default="2000,5000", help="comma-separated numbers of customers")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per plan")
    parser.add_argument("--seed", type=int, default=1, help="seed of the scenarios and of both planners")
    args = parser.parse_args()
    warm_up()
    print(f"# python benchmarks/city.py --sizes {args.sizes} --time-limit {args.time_limit:g} --seed {args.seed}")
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    failed = False
    for size in (int(x) for x in args.sizes.split(",") if x):
        folder = args.out / "scenarios" / f"synthetic-{size}"
        if not (folder / "scenario.toml").exists():
            write_scenario(random_problem(args.seed, customers=size), folder)
        problem = read_scenario(folder)
        roles = sorted({m.role for m in problem.managers})
        print(f"\n{problem.name}: {problem.num_customers} customers, {problem.num_managers} managers, "
              f"balance tolerance {problem.balance.tolerance:g}\n")
        print("| plan | travel km | " + " | ".join(roles) + " | visits | utilisation CV / largest deviation "
              "| within tolerance | hull overlap | wall s | valid |")
        print("|---|---:|" + "---:|" * len(roles) + "---:|---|---|---:|---:|---|")
        plans = {}
        started = time.perf_counter()
        plans["routeplan"] = (plan(problem, time_limit=args.time_limit, seed=args.seed),
                              time.perf_counter() - started)
        started = time.perf_counter()
        form = formulate_strategy(problem, "hybrid")
        result = decomposition_routes(form, time_limit=args.time_limit - (time.perf_counter() - started),
                                      seed=args.seed)
        plans["decomposition"] = (checked_plan(form, result, seed=args.seed, started=started,
                                               time_limit=args.time_limit, startup=0.0),
                                  time.perf_counter() - started)
        for name, (result_plan, wall) in plans.items():
            target = args.out / "plans" / f"synthetic-{size}-{name}"
            write_plan(result_plan, target)
            valid = validate_folder(folder, target).ok
            failed |= not valid
            print(row(name, result_plan, wall, valid), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
