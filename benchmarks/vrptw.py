"""Solve VRPTW instances (VRPLIB files) with routeplan's engine and with PyVRP, side by side.

    python benchmarks/vrptw.py --instances ../shared/benchmarks/vrptw/solomon --time-limit 10 --seed 1 \
        --out DIR [--only C101,R201] [--solver routeplan|pyvrp|both|routeplan-own|all] [--routeplan-stop limit|clock]

For each ``*.vrp`` file of the folder (``--only`` picks some), each chosen solver gets
``--time-limit`` seconds on one core, one solver after the other (never in parallel; numba is
held to one thread). The rules are DIMACS 2021's: Euclidean distances and travel times truncated
to one decimal, the objective is the total distance (not the number of vehicles first), at most
``VEHICLES`` routes of load at most ``CAPACITY``, visits start within their windows, routes are
back by the depot's due date. Both solvers get the same integer data: every quantity in tenths.

- ``routeplan``: the engine (:func:`routeplan.solver.search.solve`) on an instance of one day,
  one visit per customer and one manager per vehicle (``VEHICLES`` of them, each with the
  capacity and the depot's hours), any manager may serve any customer;
- ``routeplan-own``: the same without the engine's PyVRP polishing (``polish_share=0``: four
  times a run the engine hands each day's routes to PyVRP's local search; this variant measures
  the engine's own moves alone);
- ``pyvrp``: what a competent PyVRP user writes: ``pyvrp.read(path, round_func="dimacs")`` and
  ``pyvrp.solve(data, stop=MaxRuntime(S), seed=N)`` with PyVRP's default parameters.

``both`` runs ``routeplan`` and ``pyvrp``; ``all`` the three. routeplan stops as ``routeplan plan``
does (``--routeplan-stop limit``): on a budget of work worth the time limit on the reference
machine (repeatable), with the clock at the limit as safety net, so on an idle machine it may
stop before the limit; ``--routeplan-stop clock`` stops it on the clock alone, as PyVRP's
``MaxRuntime``.

Each solution goes to ``DIR/<solver>/<instance>.sol`` (VRPLIB solution form: ``Route #k: ...``
lines, customers numbered 1..n, then ``Cost X`` as the solver computed it), is read back and
checked by ``benchmarks/vrptw_check.py``, which shares no code with either solver: it recomputes
the distances from the instance text, every time window, load and the cost (a stated cost that
differs from the routes' makes the solution infeasible). ``DIR/results.csv`` gets one row per
instance and solver:

    instance, family, solver, time_limit, seed, cost, bks, gap_pct, vehicles, feasible, seconds

``cost`` is the checker's, ``gap_pct = 100 (cost / bks - 1)`` with ``bks`` from ``bks.csv``,
``vehicles`` the number of routes, ``seconds`` the wall time of the solve call. The family is the
name's letters and first digit (C1, C2, R1, R2, RC1, RC2 for Solomon's). Progress goes to
stderr; the per-family Markdown table (mean and worst gap over the feasible solutions, feasible
count) goes to stdout. The exit status is 1 when one of routeplan's solutions (either variant) is
infeasible.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # one core each; set before numba is imported

import argparse
import csv
import logging
import math
import platform
import re
import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import vrplib

from routeplan.solver.instance import Instance, Task, Vehicle

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vrptw_check
from instance_sets import chosen, read_bks, signed_pct

SOLVERS = ("routeplan", "pyvrp", "routeplan-own")
CHOICES = {"both": ("routeplan", "pyvrp"), "all": SOLVERS}
RESULT_COLUMNS = ("instance", "family", "solver", "time_limit", "seed", "cost", "bks", "gap_pct", "vehicles",
                  "feasible", "seconds")
SCALE = 10  # DIMACS: one decimal, so every quantity is a whole number of tenths
_FAMILY = re.compile(r"^([A-Za-z]+)(\d)")
_NUMBER = re.compile(r"(\d+)")


@dataclass(frozen=True, slots=True)
class Row:
    """One solve, checked (a row of results.csv)."""

    instance: str
    family: str
    solver: str
    time_limit: float
    seed: int
    cost: float
    bks: float
    vehicles: int
    feasible: bool
    seconds: float
    problems: tuple[str, ...] = ()

    @property
    def gap_pct(self) -> float:
        return 100.0 * (self.cost / self.bks - 1.0) if self.bks > 0 else math.nan

    def csv_row(self) -> dict[str, str]:
        return {"instance": self.instance, "family": self.family, "solver": self.solver,
                "time_limit": f"{self.time_limit:g}", "seed": str(self.seed), "cost": f"{self.cost:.1f}",
                "bks": "" if math.isnan(self.bks) else f"{self.bks:g}", "gap_pct": _num(self.gap_pct),
                "vehicles": str(self.vehicles), "feasible": str(self.feasible), "seconds": f"{self.seconds:.2f}"}


def _num(value: float) -> str:
    return "" if math.isnan(value) else f"{round(value, 2) + 0.0:.2f}"  # no "-0.00"


def family(name: str) -> str:
    """The instance's family: its letters and first digit (``RC104`` -> ``RC1``), else its name."""
    match = _FAMILY.match(name)
    return f"{match[1].upper()}{match[2]}" if match else name


def _order(name: str) -> tuple:
    """Solomon's order: C1, C2, R1, R2, RC1, RC2, then by number."""
    return (family(name), *(int(p) if p.isdigit() else p for p in _NUMBER.split(name)))


def find_instances(folder: Path, only: str | None) -> list[Path]:
    """The ``*.vrp`` files of ``folder`` in family order, maybe filtered by ``only`` (comma-separated)."""
    return chosen({p.stem: p for p in folder.glob("*.vrp")}, only, folder=folder, order=_order)


def _per_node(value: object, n: int) -> np.ndarray:
    """A per-node array of a VRPLIB field that may be given once for all nodes (a header value)."""
    array = np.asarray(value, dtype=float)
    return np.full(n, float(array)) if array.ndim == 0 else array


def engine_instance(path: Path) -> Instance:
    """The engine instance of a VRPLIB VRPTW file, every quantity in tenths (whole numbers, so
    the engine's float sums are exact): one day, a task per customer with one visit, one owner
    and one vehicle per available vehicle (the depot's hours, the capacity), no owner
    consistency, distance as the only cost."""
    data = vrplib.read_instance(str(path), compute_edge_weights=False)
    if str(data.get("edge_weight_type", "EUC_2D")).upper() != "EUC_2D":
        raise SystemExit(f"{path}: only EUC_2D instances are supported")
    depots = np.asarray(data.get("depot", [0]))
    if list(depots) != [0]:
        raise SystemExit(f"{path}: the depot must be the first node and the only one")
    coords = np.asarray(data["node_coord"], dtype=float)
    n = len(coords)
    dist = np.floor(SCALE * np.hypot(*(coords[:, None, :] - coords[None, :, :]).transpose(2, 0, 1)))
    demand = np.floor(SCALE * _per_node(data["demand"], n))
    windows = np.floor(SCALE * np.asarray(data["time_window"], dtype=float))
    service = np.floor(SCALE * _per_node(data.get("service_time", 0), n))
    capacity = math.floor(SCALE * float(data["capacity"]))
    count = int(data.get("vehicles", n - 1))
    vehicles = tuple(Vehicle(day=0, owner=k, start=0, end=0, earliest=float(windows[0, 0]),
                             latest=float(windows[0, 1]), capacity=float(capacity)) for k in range(count))
    tasks = tuple(Task(node=i, service=float(service[i]), earliest=float(windows[i, 0]), latest=float(windows[i, 1]),
                       demand=float(demand[i]), patterns=((0,),), label=str(i)) for i in range(1, n))
    return Instance(num_days=1, num_owners=count, dist=dist, time=dist.copy(), vehicles=vehicles, tasks=tasks,
                    consistent=False, distance_cost=1.0, time_cost=0.0, name=str(data.get("name", path.stem)))


def solve_routeplan(path: Path, time_limit: float, seed: int, *, polish: bool = True,
                    clock: bool = False) -> tuple[list[list[int]], float, float]:
    """Routes (customer numbers), their cost by the engine's matrix (instance unit) and the
    seconds of the solve call; without ``polish`` the engine's PyVRP polishing is off. The stop
    is the engine's ``time_limit`` (a work budget, the clock as safety net), or with ``clock``
    the clock alone, as PyVRP's."""
    from routeplan.solver.lns import SearchParams, warm_up
    from routeplan.solver.search import solve
    from routeplan.solver.stop import MaxRuntime

    inst = engine_instance(path)
    warm_up()  # compile or load the search kernels before the clock starts
    params = SearchParams() if polish else SearchParams(polish_share=0.0)
    started = time.perf_counter()
    stop = MaxRuntime(time_limit) if clock else None
    result = solve(inst, stop, time_limit=time_limit, seed=seed, params=params)
    seconds = time.perf_counter() - started
    routes = [[inst.tasks[t].node for t in seq] for seq in result.sequences(inst.num_vehicles) if seq]
    cost = sum(inst.dist[a, b] for route in routes for a, b in zip([0, *route], [*route, 0], strict=True))
    return routes, float(cost) / SCALE, seconds


def solve_pyvrp(path: Path, time_limit: float, seed: int) -> tuple[list[list[int]], float, float]:
    """Routes (customer numbers), PyVRP's distance (instance unit) and the seconds of the solve call."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    data = pyvrp.read(path, round_func="dimacs")
    if data.num_depots != 1:
        raise SystemExit(f"{path}: one depot expected")
    started = time.perf_counter()
    result = pyvrp.solve(data, stop=MaxRuntime(time_limit), seed=seed, display=False)
    seconds = time.perf_counter() - started
    # A client activity's idx counts the clients from 0; the solution numbers them 1..n (node i + 1
    # of the file is customer i, the depot being node 1).
    routes = [[activity.idx + data.num_depots for activity in route if activity.is_client()]
              for route in result.best.routes()]
    routes = [route for route in routes if route]
    return routes, result.best.distance() / SCALE, seconds


def write_solution(path: Path, routes: list[list[int]], cost: float) -> None:
    """A VRPLIB solution: one ``Route #k:`` line per non-empty route, then ``Cost X``."""
    lines = [f"Route #{k}: {' '.join(str(c) for c in route)}" for k, route in enumerate(routes, start=1)]
    lines.append(f"Cost {cost:.1f}")
    path.write_text("\n".join(lines) + "\n")


def run_one(path: Path, solver: str, *, time_limit: float, seed: int, out: Path, bks: float,
            clock: bool = False) -> Row:
    """Solve one instance, write ``out/<solver>/<name>.sol`` and check the file (``clock``: the
    engine stops on the clock alone)."""
    solve = {"routeplan": partial(solve_routeplan, clock=clock), "pyvrp": solve_pyvrp,
             "routeplan-own": partial(solve_routeplan, polish=False, clock=clock)}[solver]
    routes, cost, seconds = solve(path, time_limit, seed)
    sol = out / solver / f"{path.stem}.sol"
    write_solution(sol, routes, cost)
    checked = vrptw_check.check_files(path, sol)  # the file, not the in-memory routes
    return Row(instance=path.stem, family=family(path.stem), solver=solver, time_limit=time_limit, seed=seed,
               cost=checked.cost, bks=bks, vehicles=checked.routes, feasible=checked.feasible, seconds=seconds,
               problems=tuple(checked.problems))


def write_results(path: Path, rows: list[Row]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=RESULT_COLUMNS)
        writer.writeheader()
        writer.writerows(r.csv_row() for r in rows)


def _stats(rows: list[Row]) -> str:
    """``mean | worst | feasible/all`` over the feasible rows with a known BKS."""
    gaps = [r.gap_pct for r in rows if r.feasible and not math.isnan(r.gap_pct)]
    feasible = f"{sum(r.feasible for r in rows)}/{len(rows)}"
    if not gaps:
        return f"- | - | {feasible}"
    return f"{sum(gaps) / len(gaps):.2f} % | {max(gaps):.2f} % | {feasible}"


def markdown_table(rows: list[Row], solvers: list[str]) -> str:
    """Per family and overall: mean gap, worst gap and feasible count of each solver."""
    head = "| family | instances | " + " | ".join(f"{s} mean gap | {s} worst gap | {s} feasible" for s in solvers)
    lines = [head + " |", "|---|---:|" + "---:|---:|---:|" * len(solvers)]
    families = sorted({r.family for r in rows}, key=_order)
    for name in [*families, "all"]:
        group = [r for r in rows if name in ("all", r.family)]
        count = len({r.instance for r in group})
        cells = " | ".join(_stats([r for r in group if r.solver == s]) for s in solvers)
        lines.append(f"| {'**all**' if name == 'all' else name} | {count} | {cells} |")
    if "pyvrp" in solvers:
        peer = {r.instance: r for r in rows if r.solver == "pyvrp" and r.feasible}
        lines.append("")
        for solver in (s for s in solvers if s != "pyvrp"):
            pairs = [(r, peer[r.instance]) for r in rows if r.solver == solver and r.feasible and r.instance in peer]
            cheaper = sum(a.cost < b.cost - 1e-9 for a, b in pairs)
            equal = sum(abs(a.cost - b.cost) <= 1e-9 for a, b in pairs)
            lines.append(f"Where {solver} and pyvrp are both feasible ({len(pairs)} instances): {solver} cheaper on "
                         f"{cheaper}, equal on {equal}, pyvrp cheaper on {len(pairs) - cheaper - equal}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=Path, required=True, help="folder of VRPLIB .vrp files and bks.csv")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance and solver")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", help="comma-separated instance names, e.g. C101,R201")
    parser.add_argument("--solver", choices=(*SOLVERS, *CHOICES), default="both")
    parser.add_argument("--routeplan-stop", choices=("limit", "clock"), default="limit",
                        help="the engine's time limit (a work budget, the clock as safety net; default) or the "
                             "clock alone, as PyVRP's MaxRuntime")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")

    paths = find_instances(args.instances, args.only)
    if not paths:
        raise SystemExit(f"no .vrp instances found in {args.instances}")
    bks = read_bks(args.instances)
    solvers = list(CHOICES.get(args.solver, (args.solver,)))
    for solver in solvers:
        (args.out / solver).mkdir(parents=True, exist_ok=True)
    print(f"# python benchmarks/vrptw.py --instances {args.instances} --time-limit {args.time_limit:g} "
          f"--seed {args.seed} --out {args.out} --solver {args.solver} --routeplan-stop {args.routeplan_stop}"
          + (f" --only {args.only}" if args.only else ""), file=sys.stderr)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}", file=sys.stderr)

    rows: list[Row] = []
    total = len(paths) * len(solvers)
    for path in paths:  # one solver after the other on each instance: both see the same load
        for solver in solvers:
            row = run_one(path, solver, time_limit=args.time_limit, seed=args.seed, out=args.out,
                          bks=bks.get(path.stem, math.nan), clock=args.routeplan_stop == "clock")
            rows.append(row)
            status = "feasible" if row.feasible else "INFEASIBLE"
            gap = "" if math.isnan(row.gap_pct) else f" gap {signed_pct(row.gap_pct)}"
            print(f"[{len(rows)}/{total}] {solver} {row.instance}: cost {row.cost:.1f}{gap}, {row.vehicles} routes, "
                  f"{row.seconds:.1f} s, {status}", file=sys.stderr, flush=True)
            for problem in row.problems[:5]:
                print(f"    {problem}", file=sys.stderr)
    write_results(args.out / "results.csv", rows)
    print(f"# load average at the end {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print(markdown_table(rows, solvers))
    return 1 if any(not r.feasible for r in rows if r.solver.startswith("routeplan")) else 0


if __name__ == "__main__":
    raise SystemExit(main())
