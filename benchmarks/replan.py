"""Re-planning a quarter later: few reassignments, stable days, travel near a fresh plan.

    python benchmarks/replan.py --out OUT [--customers 2000] [--time-limit 60] [--seed 1]

1. A ``routeplan.synthetic`` scenario (``--customers``) is planned (the current plan).
2. It is perturbed (:func:`routeplan.synthetic.perturbed`): 5% new customers, 3% closed, one
   manager of the largest role gone and one new manager of that role.
3. The perturbed scenario is planned from scratch (the travel to compare with) and re-planned
   from the current plan with ``max_reassigned = 0.10``.
4. The re-plan is re-planned with no change to the scenario.

Every plan gets the same time limit and seed, is written and checked by ``routeplan validate``.
Targets (issue 13): at most 10% reassigned, at least 90% of the kept customers on their old
days, every balance group within the tolerance, every visit planned, travel within 5% of the
plan from scratch, and 0 reassignments on the second re-plan.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from routeplan import Plan, diff_plans, plan, replan, validate_folder, write_plan, write_scenario
from routeplan.solver.lns import warm_up
from routeplan.synthetic import perturbed, random_problem


def figures(name: str, result: Plan, seconds: float, valid: bool, previous: Plan | None = None) -> dict[str, object]:
    report = result.balance()
    row: dict[str, object] = {
        "plan": name, "km": round(result.cost(), 1), "visits": f"{result.visits_planned()}/{result.visits_required()}",
        "balance_within": report.within, "largest_deviation_pct": round(100 * report.largest_deviation, 1),
        "seconds": round(seconds, 1), "valid": valid}
    if previous is not None:
        difference = diff_plans(previous, result)
        kept = difference.kept_customers
        row |= {"reassigned_pct": result.reassigned_pct(), "reassigned": difference.reassigned,
                "same_days_pct_of_kept": round(100 * difference.same_days / kept, 2) if kept else None,
                "changes": difference.counts()}
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per plan")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-reassigned", type=float, default=0.10)
    args = parser.parse_args()
    warm_up()
    base = random_problem(args.seed, customers=args.customers)
    later = perturbed(base, args.seed)
    write_scenario(base, args.out / "scenario-now")
    write_scenario(later, args.out / "scenario-later")
    rows = []

    def run(name: str, scenario: str, make: Callable[[], Plan], previous: Plan | None = None) -> Plan:
        began = time.perf_counter()
        result = make()
        seconds = time.perf_counter() - began
        write_plan(result, args.out / name, maps=False)
        valid = validate_folder(args.out / scenario, args.out / name).ok
        rows.append(figures(name, result, seconds, valid, previous))
        print(json.dumps(rows[-1]), flush=True)
        return result

    limit, seed = args.time_limit, args.seed
    current = run("current", "scenario-now", lambda: plan(base, time_limit=limit, seed=seed))
    scratch = run("scratch", "scenario-later", lambda: plan(later, time_limit=limit, seed=seed))
    again = run("replan", "scenario-later", lambda: replan(later, current, max_reassigned=args.max_reassigned,
                                                           time_limit=limit, seed=seed), current)
    run("replan-again", "scenario-later", lambda: replan(later, again, max_reassigned=args.max_reassigned,
                                                         time_limit=limit, seed=seed), again)
    rows[2]["km_over_scratch_pct"] = round(100 * (again.cost() / scratch.cost() - 1), 2)
    print(json.dumps(rows[2]), flush=True)
    result = {"command": " ".join(["python", "benchmarks/replan.py", *sys.argv[1:]]),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
              "plans": rows}
    (args.out / "replan.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["valid"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
