"""routeplan against hand-made decompositions on city-sized synthetic scenarios.

    python benchmarks/city.py --out OUT [--sizes 2000,5000] [--time-limit 120] [--seed 1] [--shape city|towns]
        [--only routeplan,strong,weak]

For each size, a synthetic scenario (seeded; written to ``OUT/scenarios``): with ``--shape city``
(the default) :func:`routeplan.synthetic.random_city`, shaped like the reference case (streets on
a rotated grid, hot spots, sparse outskirts, C managers serving medium and small shops and D
managers only small ones, part-time managers, caps, locks); with ``--shape towns`` the older
:func:`routeplan.synthetic.random_problem`. Each is planned under the same time limit, one after
the other in this process:

- ``routeplan``: :func:`routeplan.plan` (hybrid strategy, the scenario's balance tolerance);
- ``strong``: the decomposition a competent user writes with OR-Tools
  (:func:`routeplan.planning.decomposition_peer.strong_decomposition_routes`: territories filled
  to one utilisation, the customers of one role first; visit days along a sweep; each manager's
  whole cycle as one OR-Tools model from a greedy feasible start, guided local search, free to
  move visits between days within the gap rules);
- ``weak``: the first such decomposition (capacity-balanced k-means, days spread by load, each
  manager-day routed apart on fixed days);
- ``days-free``: :func:`routeplan.plan` with the day band lifted (``day_tolerance`` 1), as the
  peers plan: what keeping every day within its band costs.

Every plan is written to ``OUT/plans`` and checked by ``routeplan validate``. Printed per plan:
travel in total and per role, its ratio to the strong peer's, visits planned, the largest
utilisation CV within a group and the largest deviation of a manager from its group's mean,
managers outside the tolerance, days outside the day band, hull overlap (the largest within a
group) and mean distance to the territory centre, wall time and validity.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from routeplan import Plan, plan, read_scenario, validate_folder, write_plan, write_scenario
from routeplan.planner import checked_plan
from routeplan.planning.decomposition_peer import decomposition_routes, strong_decomposition_routes
from routeplan.planning.formulate import formulate_strategy
from routeplan.planning.warm_up import warm_up_planner
from routeplan.solver.result import EngineResult
from routeplan.synthetic import random_city, random_problem


def row(name: str, result: Plan, wall: float, valid: bool, reference: float | None) -> str:
    figures = result.manager_figures()
    roles = sorted({f.role for f in figures})
    per_role = " | ".join(f"{sum(f.travel_km for f in figures if f.role == r):.0f}" for r in roles)
    report = result.balance()
    territories = result.territories()
    ratio = f"{result.cost() / reference:.3f}" if reference else "-"
    days_out = sum(len(d.days_out) for d in report.days)
    return (f"| {name} | {result.cost():.0f} | {ratio} | {per_role} | {result.visits_planned()}/"
            f"{result.visits_required()} | {100 * result.utilisation_cv():.1f}% / "
            f"{100 * report.largest_deviation:.1f}% | {len(report.out_of_band())} | {days_out} | "
            f"{100 * territories.hull_overlap:.0f}% | {territories.mean_centre_km:.2f} | {wall:.1f} | "
            f"{'yes' if valid else 'NO'} |")


def peer(routes: Callable[..., EngineResult], problem, limit: float, seed: int) -> Plan:
    """A decomposition's plan within ``limit`` seconds, formulation included."""
    started = time.perf_counter()
    form = formulate_strategy(problem, "hybrid")
    result = routes(form, time_limit=limit - (time.perf_counter() - started), seed=seed)
    return checked_plan(form, result, seed=seed, started=started, time_limit=limit, startup=0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sizes", default="2000,5000", help="comma-separated numbers of customers")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per plan")
    parser.add_argument("--seed", type=int, default=1, help="seed of the scenarios and of the planners")
    parser.add_argument("--shape", choices=("city", "towns"), default="city")
    parser.add_argument("--only", default="routeplan,strong,weak,days-free", help="which plans, comma-separated")
    args = parser.parse_args()
    chosen = [p for p in args.only.split(",") if p]
    warm_up_planner()
    print(f"# python benchmarks/city.py --sizes {args.sizes} --time-limit {args.time_limit:g} --seed {args.seed} "
          f"--shape {args.shape} --only {args.only}")
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    failed = False
    for size in (int(x) for x in args.sizes.split(",") if x):
        folder = args.out / "scenarios" / f"{args.shape}-{size}"
        if not (folder / "scenario.toml").exists():
            make = random_city if args.shape == "city" else random_problem
            write_scenario(make(args.seed, customers=size), folder)
        problem = read_scenario(folder)
        roles = sorted({m.role for m in problem.managers})
        print(f"\n{problem.name}: {problem.num_customers} customers, {problem.num_managers} managers, "
              f"balance tolerance {problem.balance.tolerance:g} (days {problem.balance.day_tolerance:g})\n")
        print("| plan | travel km | / strong | " + " | ".join(roles) + " | visits | utilisation CV / largest "
              "deviation | managers out | days out | hull overlap | km to centre | wall s | valid |")
        print("|---|---:|---:|" + "---:|" * len(roles) + "---:|---|---:|---:|---:|---:|---:|---|")
        plans: dict[str, tuple[Plan, float]] = {}
        for name in ("strong", "routeplan", "weak", "days-free"):
            if name not in chosen:
                continue
            started = time.perf_counter()
            if name == "routeplan":
                made = plan(problem, time_limit=args.time_limit, seed=args.seed)
            elif name == "days-free":
                # Measured against the scenario's own bands, like the others.
                free = problem.with_balance(day_tolerance=1.0)
                made = replace(plan(free, time_limit=args.time_limit, seed=args.seed), problem=problem)
            else:
                routes = strong_decomposition_routes if name == "strong" else decomposition_routes
                made = peer(routes, problem, args.time_limit, args.seed)
            plans[name] = (made, time.perf_counter() - started)
        reference = plans["strong"][0].cost() if "strong" in plans else None
        for name in ("routeplan", "strong", "weak", "days-free"):
            if name not in plans:
                continue
            result_plan, wall = plans[name]
            target = args.out / "plans" / f"{args.shape}-{size}-{name}"
            write_plan(result_plan, target)
            valid = validate_folder(folder, target).ok
            failed |= not valid
            print(row(name, result_plan, wall, valid, reference), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
