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

from routeplan import Plan, plan, read_scenario, validate, write_plan
from routeplan.solver.lns import warm_up
from routeplan.solver.patterns import cyclic_gaps, enumerate_patterns
from routeplan.stop import MaxIterations

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
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
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "patterns": patterns, "plans": rows}
    (args.out / "levels.json").write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0 if all(r["valid"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
