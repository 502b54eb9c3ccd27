"""Measure how fast this machine gets through the search's work units and PyVRP iterations.

    python benchmarks/calibrate.py [--seconds 10]

The search stops after a budget of work units (``routeplan.solver.lns.UNITS_PER_SECOND`` times
the time limit) so that runs repeat; this script measures the actual rates on a mix of
instances (Cordeau PVRP instances and the Kuiwen sample's parts), to set those constants a
little below what the slowest instance reaches.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from routeplan.io.cordeau import read_instance
from routeplan.io.scenario import read_scenario
from routeplan.planning.formulate import formulate
from routeplan.solver import lns as L
from routeplan.solver.construct import initial_solution
from routeplan.solver.decompose import split
from routeplan.solver.objective import Objective
from routeplan.solver.routing_pyvrp import integer_scale, optimize_routes

ROOT = Path(__file__).resolve().parent.parent
PVRP = Path(os.environ.get("ROUTEPLAN_PVRP_DIR", ROOT.parent / "shared" / "benchmarks" / "pvrp"))


def instances():
    for name in ("p01", "p08", "p13", "p23", "p30", "pr05", "pr10"):
        yield name, read_instance(PVRP / f"{name}.txt").to_instance()
    form = formulate(read_scenario(ROOT / "data" / "samples" / "kuiwen"))
    for k, part in enumerate(split(form.instance)):
        yield f"kuiwen[{k}]", part.instance


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    L.warm_up()
    L.UNITS_PER_SECOND = 1e15  # let the clock stop every run
    print("| instance | work units per second | PyVRP client-iterations per second | steps per second | "
          "PyVRP ms per iteration | visits per polished group |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, inst in instances():
        sol = initial_solution(inst, Objective.of(inst), np.random.default_rng(0))
        run = L.LNS(inst, seed=0, params=L.SearchParams(polish_share=0.0)).run(sol, args.seconds)
        best = run.solution
        groups = ([[v] for v in range(inst.num_vehicles) if len(best.routes[v]) >= 4] if inst.consistent
                  else [[int(v) for v in vs] for vs in best.data.day_vehicles])
        scale = integer_scale(best)
        clients = 0
        sizes = []
        started = time.perf_counter()
        for group in groups[:8]:
            size = sum(len(best.routes[v]) for v in group)
            optimize_routes(best, group, iterations=500, seconds=60.0, seed=0, scale=scale)
            clients += 500 * size
            sizes.append(size)
        spent = time.perf_counter() - started
        pyvrp_rate = clients / spent
        per_iteration_ms = 1000 * spent / (500 * len(sizes))
        print(f"| {name} | {run.units / run.seconds:.3g} | {pyvrp_rate:.3g} | {run.iterations / run.seconds:.4g} | "
              f"{per_iteration_ms:.3f} | {np.mean(sizes):.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
