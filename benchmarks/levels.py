"""Three-level visits on a four-week cycle: the sample's plan per level, and what long cycles cost.

    python benchmarks/levels.py --out OUT [--iterations 20000] [--seed 0]

1. Patterns: for the visit rules of the samples and of longer, denser cycles, how many visit-day
   patterns a rule has in full (counted by brute force where that is possible), how many the
   engine keeps (:func:`routeplan.solver.patterns.enumerate_patterns`, at most 4,096, the most
   even ones) and how long that takes.
2. Plans, all with the same iterations and seed, written and checked by ``routeplan validate``:
   ``kuiwen`` (two weeks, 10 days), ``kuiwen-levels`` (four weeks with the market manager and the
   department head, data/samples/generate_kuiwen_levels.py) and ``kuiwen-levels`` with medium
   shops visited twice a week (8 visits at least 2 days apart: 825 patterns each, against 175).
   For each: km, visits, seconds of search per 1,000 iterations; for the three-level plans the
   figures of every level (visits, time on site, the routes' work and travel, the longest day).

    python benchmarks/levels.py --city 20000 --time-limit 300 --seed 1 --out OUT

3. ``--city N`` instead: three-level visits across a city (:func:`routeplan.synthetic.random_city`
   with ``levels=True``: a four-week cycle, a market manager and a head per department), planned
   in parts level by level (:mod:`routeplan.planning.levels`) by the command a user runs,
   ``routeplan plan --time-limit``, and checked by ``routeplan validate``: customers, managers,
   visits planned and required, unserved, km, the largest balance deviation (and each level
   group's), wall time, peak memory (the command's largest resident set, ``os.wait4``) and the
   figures of every level.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from itertools import combinations
from pathlib import Path

from scale import run  # benchmarks/scale.py: wall time and peak memory of a command

from routeplan import Plan, plan, read_scenario, validate, write_plan, write_scenario
from routeplan.solver.lns import warm_up
from routeplan.solver.patterns import cyclic_gaps, enumerate_patterns
from routeplan.stop import MaxIterations
from routeplan.synthetic import random_city

REPO = Path(__file__).resolve().parents[1]
RULES = ((2, 4, 10), (1, 0, 10), (4, 4, 20), (2, 7, 20), (1, 0, 20), (8, 2, 20), (4, 2, 20), (12, 1, 20),
         (4, 4, 40), (8, 2, 40), (20, 1, 40))
BRUTE_FORCE_LIMIT = 2_000_000  # combinations looked at to count a rule's patterns in full


def pattern_rows() -> list[dict[str, object]]:
    rows = []
    for visits, gap, days in RULES:
        began = time.perf_counter()
        kept = enumerate_patterns(visits, gap, days)
        seconds = time.perf_counter() - began
        total: int | None = None
        if _combinations(days, visits) <= BRUTE_FORCE_LIMIT:
            total = sum(1 for c in combinations(range(days), visits)
                        if visits < 2 or min(cyclic_gaps(c, days)) >= gap)
        spread = max((max(cyclic_gaps(p, days)) - min(cyclic_gaps(p, days)) for p in kept), default=0) \
            if visits > 1 else 0
        rows.append({"visits": visits, "min_gap": gap, "days": days, "patterns": total, "kept": len(kept),
                     "kept_max_spread_days": spread, "ms": round(1000 * seconds, 1)})
    return rows


def _combinations(n: int, k: int) -> int:
    out = 1
    for i in range(k):
        out = out * (n - i) // (i + 1)
    return out


def planned(name: str, problem, out: Path, iterations: int, seed: int) -> tuple[dict[str, object], Plan]:
    began = time.perf_counter()
    result = plan(problem, stop=MaxIterations(iterations), seed=seed)
    seconds = time.perf_counter() - began
    folder = write_plan(result, out / name, maps=False)
    valid = validate(problem, folder).ok  # the folder as written, against the scenario
    row: dict[str, object] = {"plan": name, "days": problem.num_days, "km": round(result.cost(), 1),
                              "visits": f"{result.visits_planned()}/{result.visits_required()}",
                              "largest_deviation_pct": round(100 * result.balance().largest_deviation, 1),
                              "seconds": round(seconds, 1),
                              "s_per_1000_iterations": round(1000 * result.solve_seconds / max(1, result.iterations),
                                                             3),
                              "valid": valid}
    if problem.has_levels:
        row["levels"] = result.level_figures()
    return row, result


def city(customers: int, time_limit: float, seed: int, out: Path) -> dict[str, object]:
    """Plan a city of ``customers`` with three-level visits by the command line; its figures."""
    problem = random_city(seed, customers=customers, levels=True)
    scenario = write_scenario(problem, out / f"city-{customers}-levels")
    cli = [sys.executable, "-m", "routeplan"]
    plan_dir = out / f"plan-{customers}-levels"
    wall, peak_gb, code = run([*cli, "plan", str(scenario), "--out", str(plan_dir), "--time-limit", f"{time_limit:g}",
                               "--seed", str(seed), "--quiet"], out / f"plan-{customers}-levels.log")
    if code != 0:
        raise SystemExit(f"routeplan plan exited {code}: see {out / f'plan-{customers}-levels.log'}")
    _, _, invalid = run([*cli, "validate", str(scenario), str(plan_dir)], out / f"validate-{customers}-levels.log")
    summary = json.loads((plan_dir / "summary.json").read_text(encoding="utf-8"))
    roles: dict[str, int] = {}
    for m in problem.managers:
        roles[m.role] = roles.get(m.role, 0) + 1
    groups = {g["name"]: {"mean_utilisation": g["mean_utilisation"], "largest_deviation": g["largest_deviation"],
                          "out_of_band": len(g["out_of_band"])} for g in summary["balance"]["groups"]}
    return {"customers": customers, "managers": problem.num_managers, "roles": roles,
            "visits": f"{summary['visits_planned']}/{summary['visits_required']}", "unserved": summary["unserved"],
            "km": summary["total_travel_km"], "largest_deviation": summary["balance_deviation"], "groups": groups,
            "time_limit": time_limit, "wall": round(wall, 1), "peak_gb": round(peak_gb, 2),
            "parts": summary.get("parts", 1), "stopped_by": summary["stopped_by"], "valid": invalid == 0,
            "levels": summary["levels"]}


def print_city(row: dict[str, object]) -> None:
    print({k: v for k, v in row.items() if k != "levels"}, flush=True)
    for level in row["levels"]:  # type: ignore[attr-defined]
        print("   ", {k: v for k, v in level.items() if k != "managers"}, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--city", type=int, default=None, help="plan a city of this many customers with levels")
    parser.add_argument("--time-limit", type=float, default=300.0, help="the city's time limit (with --city)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    if args.city is not None:
        row = city(args.city, args.time_limit, args.seed, args.out)
        print_city(row)
        record = {"command": " ".join(["python", *sys.argv]), "time_limit": args.time_limit, "seed": args.seed,
                  "machine": machine, "city": row}
        (args.out / "levels-city.json").write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
        return 0 if row["valid"] else 1
    warm_up()
    patterns = pattern_rows()
    for row in patterns:
        print(row, flush=True)
    two_weeks = read_scenario(REPO / "data" / "samples" / "kuiwen")
    levels = read_scenario(REPO / "data" / "samples" / "kuiwen-levels")
    # Twice-weekly medium shops at half the time each: the same hours on site, 825 patterns each.
    dense = levels.with_tier_rules("medium", visits=8, min_gap=2, service_min=6)
    rows = []
    for name, problem in (("kuiwen", two_weeks), ("kuiwen-levels", levels), ("kuiwen-levels-dense", dense)):
        row, _ = planned(name, problem, args.out, args.iterations, args.seed)
        rows.append(row)
        print({k: v for k, v in row.items() if k != "levels"}, flush=True)
        for level in row.get("levels", []):
            print("   ", level, flush=True)
    record = {"command": " ".join(["python", *sys.argv]), "iterations": args.iterations, "seed": args.seed,
              "machine": machine,
              "patterns": patterns, "plans": rows}
    (args.out / "levels.json").write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0 if all(r["valid"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
