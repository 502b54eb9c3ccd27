"""Fit the search's work-unit weights and measure PyVRP's speed on this machine.

    python benchmarks/calibrate.py [--seconds 3] [--only p01,p21]

The search stops after a budget of work units so that runs repeat (``routeplan.solver.lns``).
A unit is the weighted sum of what the kernels count (steps, insertion positions, per-step
scans, pattern options, local-search moves, visits of changed routes, visits removed). This
script runs the search, with the clock as the only stop and polishing off, on all 42 Cordeau
instances, the Kuiwen sample's parts and a few random scenarios; fits the weights (nanoseconds
per count) by non-negative least squares on the relative error of each run's time; and prints,
per instance, how the fitted time compares with the measured one. ``UNITS_PER_SECOND`` is then
set a little below 1e9 times the smallest ratio, so that the slowest instance still ends on
its budget. It also measures the PyVRP polishing time per call, iteration and visit.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

from routeplan.io.cordeau import read_instance
from routeplan.io.scenario import read_scenario
from routeplan.planning.formulate import formulate
from routeplan.solver import lns as L
from routeplan.solver.construct import initial_solution
from routeplan.solver.decompose import split
from routeplan.solver.objective import Objective
from routeplan.solver.routing_pyvrp import integer_scale, optimize_routes
from routeplan.synthetic import random_problem
from routeplan.planning.pvrp import cordeau_instance

ROOT = Path(__file__).resolve().parent.parent
PVRP = Path(os.environ.get("ROUTEPLAN_PVRP_DIR", ROOT.parent / "shared" / "benchmarks" / "pvrp"))
NAMES = ("steps", "positions", "scans", "patterns", "pairs", "built", "touched", "removed", "placed")


def instances(only: set[str] | None):
    names = sorted(p.stem for p in PVRP.glob("p*.txt"))
    for name in names:
        if only is None or name in only:
            yield name, cordeau_instance(read_instance(PVRP / f"{name}.txt"))
    scenarios = [("kuiwen", read_scenario(ROOT / "data" / "samples" / "kuiwen"))]
    scenarios += [(f"random{seed}", random_problem(seed, customers=size)) for seed, size in ((1, 300), (2, 1200))]
    for label, problem in scenarios:
        form = formulate(problem)
        for k, part in enumerate(split(form.instance)):
            name = f"{label}[{k}]"
            if only is None or name in only or label in only:
                yield name, part.instance


def measure_search(inst, seconds: float):
    sol = initial_solution(inst, Objective.of(inst), np.random.default_rng(0))
    run = L.LNS(inst, seed=0, params=L.SearchParams(polish_share=0.0)).run(sol, seconds)
    return run


def measure_pyvrp(inst, best):
    groups = ([[v] for v in range(inst.num_vehicles) if len(best.routes[v]) >= 4] if inst.consistent
              else [[int(v) for v in vs] for vs in best.data.day_vehicles])
    scale = integer_scale(best)
    rows = []
    for group in groups[:6]:
        size = sum(len(best.routes[v]) for v in group)
        if size == 0:
            continue
        for iterations in (50, 400):
            started = time.perf_counter()
            optimize_routes(best, group, iterations=iterations, seconds=60.0, seed=0, scale=scale)
            rows.append((1.0, iterations, iterations * size, time.perf_counter() - started))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="search seconds per instance")
    parser.add_argument("--only", default=None, help="comma-separated instance names")
    parser.add_argument("--save", default=None, help="also save the measurements to this .npz file")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    L.warm_up()
    L.UNITS_PER_SECOND = 1e15  # let the clock stop every run
    names, work, seconds, polish = [], [], [], []
    sizes = []
    for name, inst in instances(only):
        run = measure_search(inst, args.seconds)
        names.append(name)
        work.append(run.work)
        sizes.append(inst.dist.shape[0])
        seconds.append(run.seconds)
        polish += measure_pyvrp(inst, run.solution)
        print(f"# measured {name}: {run.iterations} steps in {run.seconds:.2f} s", flush=True)
    work = np.array(work)
    seconds = np.array(seconds)
    if args.save:
        np.savez(args.save, names=np.array(names), work=work, seconds=seconds, sizes=np.array(sizes))
    # Relative error per run: each row divided by its time, so every instance weighs the same.
    weights, _ = nnls(work / seconds[:, None], np.ones(len(seconds)))
    weights_ns = weights * 1e9
    print("\nWORK_WEIGHTS (ns per count):", np.array2string(weights_ns, precision=4, separator=", "))
    print("| " + " | ".join(NAMES) + " |")
    print("|" + "---:|" * len(NAMES))
    print("| " + " | ".join(f"{w:.4g}" for w in weights_ns) + " |")
    old = work @ L.WORK_WEIGHTS / seconds
    ratio = work @ weights / seconds
    print("\n| instance | steps per second | fitted / measured time | units per second (current weights) |")
    print("|---|---:|---:|---:|")
    for k, name in enumerate(names):
        print(f"| {name} | {work[k, 0] / seconds[k]:.0f} | {ratio[k]:.3f} | {old[k]:.3g} |")
    print(f"\nfitted/measured: min {ratio.min():.3f}, median {np.median(ratio):.3f}, max {ratio.max():.3f}; "
          f"current weights: units per second min {old.min():.3g}, median {np.median(old):.3g}, max {old.max():.3g}")
    if polish:
        rows = np.array(polish)
        coef, _ = nnls(rows[:, :3] / rows[:, 3:], np.ones(len(rows)))
        print(f"PyVRP: {coef[0] * 1e3:.3f} ms per call, {coef[1] * 1e6:.1f} us per iteration, "
              f"{coef[2] * 1e6:.3f} us per iteration and visit (fitted over {len(rows)} calls)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
