"""Fit the work weights of routeplan.solver.work: what each counted kind of work costs.

    python benchmarks/calibrate.py --seconds 3 [--only p01,kuiwen] [--sizes 300,1200,2000,5000,10000]
        [--city-sizes 300,1200,2200,5000]

For each instance (the 42 PVRP instances, the parts of the Kuiwen sample, of ``random_problem``
towns and of ``random_city`` cities of the given sizes) the script builds a first solution, runs the search for
``--seconds`` of wall time with polishing off, and records the kernels' counts; then it times
PyVRP polishing calls. Non-negative least squares on each run's relative error (every instance
weighs the same) gives nanoseconds per count. It prints the weights, the fitted over measured
time per instance, and the rate a time limit should buy (``UNITS_PER_SECOND``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

from routeplan.io.cordeau import read_instance
from routeplan.io.scenario import read_scenario
from routeplan.planning.formulate import formulate
from routeplan.planning.pvrp import cordeau_instance
from routeplan.solver.arrays import freeze
from routeplan.solver.construct import initial_solution, territories
from routeplan.solver.decompose import split
from routeplan.solver.lns import COUNTED, Search, SearchParams, warm_up
from routeplan.solver.routing_pyvrp import optimize_routes
from routeplan.solver.stop import MaxRuntime
from routeplan.solver.work import WEIGHTS
from routeplan.solver.workload import task_workload
from routeplan.synthetic import random_city, random_problem

ROOT = Path(__file__).resolve().parent.parent
PVRP = Path(os.environ.get("ROUTEPLAN_PVRP_DIR", ROOT.parent / "shared" / "benchmarks" / "pvrp"))


def instances(only: set[str] | None, sizes: list[int], city_sizes: list[int]):
    for path in sorted(PVRP.glob("p*.txt")):
        if only is None or path.stem in only:
            yield path.stem, cordeau_instance(read_instance(path))
    scenarios = [("kuiwen", lambda: read_scenario(ROOT / "data" / "samples" / "kuiwen"))]
    scenarios += [(f"synthetic{size}", lambda size=size: random_problem(size, customers=size)) for size in sizes]
    scenarios += [(f"city{size}", lambda size=size: random_city(1, customers=size)) for size in city_sizes]
    for label, make in scenarios:
        if only is not None and label not in only:
            continue
        for k, part in enumerate(split(formulate(make()).instance)):
            yield f"{label}[{k}]", part.instance


def measure(inst, seconds: float) -> tuple[dict[str, float], list[tuple[float, float, float, float]]]:
    """Counts and seconds of construction and search, and PyVRP calls (1, iterations,
    iterations x visits, seconds)."""
    data = freeze(inst)
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    if inst.consistent:
        territories(inst, task_workload(inst), np.random.default_rng(0))
    territory_seconds = time.perf_counter() - started
    started = time.perf_counter()
    built = initial_solution(inst, data, rng)
    construct_seconds = time.perf_counter() - started - territory_seconds
    search = Search(inst, data, built.state, seed=0, params=SearchParams(polish_share=0.0))
    outcome = search.run(MaxRuntime(seconds), polish=False)
    row = {"tasks": inst.num_tasks, "vehicles": inst.num_vehicles, "nodes": int(inst.time.shape[0]),
           "construct_seconds": max(construct_seconds, 1e-6), "construct_positions": built.positions,
           "construct_options": built.options, "search_seconds": outcome.seconds, "steps": outcome.iterations,
           **outcome.counts}
    polish = []
    best = outcome.best
    if inst.consistent:
        groups = [[v] for v in range(inst.num_vehicles) if best.length[v] >= 4]
    else:
        groups = [[int(v) for v in data.by_day[data.day_first[k]:data.day_first[k + 1]]]
                  for k in range(inst.num_days)]
    for group in groups[:6]:
        routes = [best.route[v, :best.length[v]].tolist() for v in group]
        size = sum(len(r) for r in routes)
        if size == 0:
            continue
        for iterations in (50, 400):
            started = time.perf_counter()
            optimize_routes(data, group, routes, iterations=iterations, seed=0)
            polish.append((1.0, iterations, iterations * size, time.perf_counter() - started))
    return row, polish


def fit(matrix: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Non-negative weights (seconds per count) fitting each row's time relatively."""
    weights, _ = nnls(matrix / seconds[:, None], np.ones(len(seconds)))
    return weights


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="search seconds per instance")
    parser.add_argument("--only", default=None, help="comma-separated instance or scenario names")
    parser.add_argument("--sizes", default="300,1200,2000,5000,10000", help="synthetic scenario sizes")
    parser.add_argument("--city-sizes", default="300,1200,2200,5000", help="synthetic city sizes (random_city)")
    parser.add_argument("--save", type=Path, default=None, help="also write the measurements to this JSON file")
    parser.add_argument("--full", action="store_true",
                        help="time whole searches as a plan runs them (polishing on, the construction included) "
                             "and fit every weight at once")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    sizes = [int(s) for s in args.sizes.split(",") if s]
    city_sizes = [int(s) for s in args.city_sizes.split(",") if s]
    print(f"# python benchmarks/calibrate.py --seconds {args.seconds:g} --sizes {args.sizes} "
          f"--city-sizes {args.city_sizes}"
          + (f" --only {args.only}" if args.only else ""))
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    warm_up()
    if args.full:
        return full_runs(only, sizes, city_sizes, args.seconds, args.save)
    names, rows, polish = [], [], []
    for name, inst in instances(only, sizes, city_sizes):
        row, calls = measure(inst, args.seconds)
        names.append(name)
        rows.append(row)
        polish += calls
        print(f"# {name}: {inst.num_tasks} tasks, {row['steps']} steps in {row['search_seconds']:.2f} s, "
              f"construction {row['construct_seconds']:.3f} s", flush=True)
    if args.save:
        args.save.write_text(json.dumps({"names": names, "rows": rows, "polish": polish}), encoding="utf-8")
    search = np.array([[r[c] for c in COUNTED] for r in rows], dtype=float)
    search_seconds = np.array([r["search_seconds"] for r in rows])
    w_search = fit(search, search_seconds)
    construct = np.array([[r["construct_positions"], r["construct_options"]] for r in rows], dtype=float)
    construct_seconds = np.array([r["construct_seconds"] for r in rows])
    big = construct_seconds > 0.01  # the clock cannot time smaller constructions well
    w_construct = fit(construct[big], construct_seconds[big]) if big.any() else np.zeros(2)
    print("\nsearch weights (ns per count):")
    for name, w in zip(COUNTED, w_search * 1e9, strict=True):
        print(f"  {name} = {w:.4g}")
    print(f"construction weights (ns per count): positions = {w_construct[0] * 1e9:.4g}, "
          f"options = {w_construct[1] * 1e9:.4g}")
    ratio = search @ w_search / search_seconds
    current = np.array([sum(getattr(WEIGHTS, c) * r[c] for c in COUNTED) for r in rows]) / search_seconds
    print("\n| instance | steps per second | fitted / measured time | units per second now |")
    print("|---|---:|---:|---:|")
    for k, name in enumerate(names):
        print(f"| {name} | {rows[k]['steps'] / search_seconds[k]:.0f} | {ratio[k]:.3f} | {current[k]:.3g} |")
    print(f"\nfitted/measured: min {ratio.min():.3f}, 5th percentile {np.percentile(ratio, 5):.3f}, median "
          f"{np.median(ratio):.3f}, max {ratio.max():.3f}")
    print(f"current weights: units per second min {current.min():.3g}, median {np.median(current):.3g}, "
          f"max {current.max():.3g}")
    if polish:
        calls = np.array(polish)
        coef = fit(calls[:, :3], calls[:, 3])
        print(f"PyVRP: {coef[0] * 1e9:.4g} ns per call, {coef[1] * 1e9:.4g} ns per iteration, "
              f"{coef[2] * 1e9:.4g} ns per iteration and visit (fitted over {len(calls)} calls)")
    return 0


FULL_FEATURES = (*COUNTED, "construction_positions", "construction_options", "polish_calls", "polish_iterations",
                 "polish_iteration_visits")
WEIGHT_OF = {**{f: f for f in FULL_FEATURES}, "polish_calls": "pyvrp_call", "polish_iterations": "pyvrp_iteration",
             "polish_iteration_visits": "pyvrp_iteration_visit"}


def priced(row: dict[str, float]) -> float:
    """Seconds the weights in use give a whole run's counts."""
    return sum(getattr(WEIGHTS, WEIGHT_OF[f]) * row.get(f, 0) for f in FULL_FEATURES) / 1e9


def full_runs(only: set[str] | None, sizes: list[int], city_sizes: list[int], seconds: float,
              save: Path | None) -> int:
    """Whole searches as a plan runs them: a first solution, then the search with its polishing
    rounds for ``seconds``; one fit of every weight over the runs' total times."""
    names, rows = [], []
    for name, inst in instances(only, sizes, city_sizes):
        data = freeze(inst)
        started = time.perf_counter()
        built = initial_solution(inst, data, np.random.default_rng(0))
        search = Search(inst, data, built.state, seed=0, params=SearchParams(), clock=started)
        outcome = search.run(MaxRuntime(seconds))
        total = time.perf_counter() - started
        row = {"tasks": inst.num_tasks, "seconds": total, "steps": outcome.iterations,
               "construction_positions": built.positions, "construction_options": built.options, **outcome.counts}
        names.append(name)
        rows.append(row)
        print(f"# {name}: {inst.num_tasks} tasks, {outcome.iterations} steps in {total:.2f} s, priced now "
              f"{priced(row):.2f} s ({priced(row) / total:.3f})", flush=True)
    if save:
        save.write_text(json.dumps({"names": names, "rows": rows}), encoding="utf-8")
    matrix = np.array([[r.get(f, 0) for f in FULL_FEATURES] for r in rows], dtype=float)
    measured = np.array([r["seconds"] for r in rows])
    weights = fit(matrix, measured)
    print("\nweights fitted over whole runs (ns per count):")
    for name, w in zip(FULL_FEATURES, weights * 1e9, strict=True):
        print(f"  {name} = {w:.4g}")
    ratio = matrix @ weights / measured
    now = np.array([priced(r) for r in rows]) / measured
    print("\n| instance | steps | seconds | fitted / measured | priced now / measured |")
    print("|---|---:|---:|---:|---:|")
    for k, name in enumerate(names):
        print(f"| {name} | {rows[k]['steps']} | {measured[k]:.1f} | {ratio[k]:.3f} | {now[k]:.3f} |")
    print(f"\nfitted/measured: min {ratio.min():.3f}, 5th percentile {np.percentile(ratio, 5):.3f}, median "
          f"{np.median(ratio):.3f}, max {ratio.max():.3f}; priced now: min {now.min():.3f}, median "
          f"{np.median(now):.3f}, max {now.max():.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
