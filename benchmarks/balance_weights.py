"""Travel, balance and compactness of one plan under given objective weights and tolerances.

    python benchmarks/balance_weights.py SCENARIO [--time-limit 60] [--seed 0] [--balance-weight 0.5]
        [--day-weight 0.2] [--compactness 0.1] [--tolerance T] [--day-tolerance T] [--strategy hybrid]

The trials behind the weights in ``routeplan/planning/formulate.py`` (benchmarks/README.md,
"Balance as a tolerance"): the scenario is planned once with the weights given, and one line
reports travel (in total and per role), work CV, the largest deviation from a group's mean
utilisation, managers and days outside their bands, hull overlap and distance to the centre.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from routeplan import read_scenario
from routeplan.planner import checked_plan
from routeplan.planning.formulate import formulate_strategy
from routeplan.solver.lns import warm_up
from routeplan.solver.search import solve
from routeplan.solver.stop import time_limit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--strategy", default="hybrid")
    parser.add_argument("--balance-weight", type=float, default=0.5)
    parser.add_argument("--day-weight", type=float, default=0.2)
    parser.add_argument("--compactness", type=float, default=0.1)
    parser.add_argument("--tolerance", type=float, default=None, help="default: the scenario's")
    parser.add_argument("--day-tolerance", type=float, default=None, help="default: the scenario's")
    args = parser.parse_args()
    problem = read_scenario(args.scenario).with_balance(tolerance=args.tolerance, day_tolerance=args.day_tolerance)
    warm_up()
    started = time.perf_counter()
    form = formulate_strategy(problem, args.strategy, compactness_weight=args.compactness,
                              balance_weight=args.balance_weight, day_balance_weight=args.day_weight)
    result = solve(form.instance, time_limit(args.time_limit), seed=args.seed)
    plan = checked_plan(form, result, seed=args.seed, started=started, time_limit=args.time_limit, startup=0.0)
    s = plan.summary()
    report = plan.balance()
    roles: dict[str, float] = {}
    for f in plan.manager_figures():
        roles[f.role] = roles.get(f.role, 0.0) + f.travel_km
    out = ", ".join(f"{m.manager_id} {100 * m.deviation:+.1f}%" for m in report.out_of_band()) or "none"
    print(f"{problem.name} {args.strategy}: balance weight {args.balance_weight:g}, day weight {args.day_weight:g}, "
          f"compactness {args.compactness:g}, tolerance {problem.balance.tolerance:g}/{problem.balance.day_tolerance:g}"
          f" | {s['total_travel_km']:.1f} km ({', '.join(f'{r} {km:.0f}' for r, km in sorted(roles.items()))}) | "
          f"work CV {100 * s['work_cv']:.1f}% | largest deviation {100 * report.largest_deviation:.1f}% | "
          f"out of band: {out} | days out {sum(len(d.days_out) for d in report.days)} | "
          f"hull overlap {100 * s['hull_overlap']:.0f}% | km to centre {s['mean_centre_km']:.2f} | "
          f"visits {s['visits_planned']}/{s['visits_required']} | stopped by {s['stopped_by']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
