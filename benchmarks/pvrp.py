"""Solve the Cordeau PVRP benchmark instances and compare the costs with the best known ones.

    python benchmarks/pvrp.py --instances ../shared/benchmarks/pvrp --time-limit 60 --seed 1 --out DIR \
        [--only p01,p02] [--solver routeplan|ortools-naive|both] [--jobs N]

For each instance (p01..p32, then pr01..pr10; ``--only`` picks some) the chosen solver gets
``--time-limit`` seconds. Its routes are written to ``DIR/<instance>.res`` (Cordeau solution
format), read back, their cost recomputed from the coordinates and checked against the instance
(``routeplan.io.cordeau.check_solution``), and ``DIR/results.csv`` gets one row per instance:

    instance, bks, cost, gap_pct, seconds, feasible, visits_missing

``cost`` and ``gap_pct = 100 * (cost / bks - 1)`` come from the recomputed cost (``bks`` from
``bks.csv`` in the instance folder). A solution with missing visits costs less than a complete
one, so its gap means nothing: look at ``feasible`` and ``visits_missing`` first; the summary
lines average gaps over feasible solutions only. ``seconds`` is the wall time of the solve call.

Solvers: ``routeplan`` (default) is our engine; ``ortools-naive`` the naive OR-Tools routing
model of ``routeplan.solver.routing_ortools`` (it has no seed; the seed is ignored); ``both`` runs
ours into ``DIR/`` and the peer into ``DIR/ortools-naive/`` and writes ``DIR/comparison.csv``
plus a Markdown table on stdout.

``--jobs N`` solves N instances at a time in separate processes. Timings are wall time per
instance; parallel runs share the machine's cores (and memory bandwidth), so with more jobs than
idle cores each solver gets less CPU within the same time limit.

Progress goes to stderr, one line per solve; the summary (feasible count, mean and max gap) and
the comparison table go to stdout. The exit status is 1 when one of *our* solutions is
infeasible or incomplete (the peer's results do not change it), else 0.
"""

from __future__ import annotations

import argparse
import csv
import logging
import math
import os
import platform
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from routeplan.io.cordeau import check_solution, read_instance, read_solution, write_solution
from routeplan.planning.pvrp import cordeau_instance, cordeau_routes

sys.path.insert(0, str(Path(__file__).resolve().parent))
from instance_sets import chosen, read_bks, signed_pct

SOLVERS = ("routeplan", "ortools-naive")
RESULT_COLUMNS = ("instance", "bks", "cost", "gap_pct", "seconds", "feasible", "visits_missing")
COMPARISON_COLUMNS = ("instance", "bks", "routeplan_cost", "routeplan_gap_pct", "ortools_cost", "ortools_gap_pct",
                      "routeplan_feasible", "ortools_feasible")
_NAME = re.compile(r"^(p|pr)(\d+)$")


@dataclass(frozen=True, slots=True)
class Row:
    """One solve's results (a row of results.csv)."""

    instance: str
    bks: float
    cost: float
    seconds: float
    feasible: bool
    visits_missing: int
    problems: tuple[str, ...] = ()
    stopped_by: str = ""  # ours: "budget" (repeatable) or "clock"; shown in the log, not in results.csv

    @property
    def gap_pct(self) -> float:
        return 100.0 * (self.cost / self.bks - 1.0) if self.bks > 0 else math.nan

    def csv_row(self) -> dict[str, str]:
        return {"instance": self.instance, "bks": _num(self.bks), "cost": f"{self.cost:.2f}",
                "gap_pct": _num(self.gap_pct), "seconds": f"{self.seconds:.2f}", "feasible": str(self.feasible),
                "visits_missing": str(self.visits_missing)}


def _num(value: float) -> str:
    return "" if math.isnan(value) else f"{round(value, 2) + 0.0:.2f}"  # no "-0.00"


def find_instances(folder: Path, only: str | None) -> list[Path]:
    """The instance files of ``folder`` in benchmark order (p01..p32, pr01..pr10), maybe filtered."""
    found = {p.stem: p for p in folder.glob("*.txt") if _NAME.match(p.stem)}
    return chosen(found, only, folder=folder, order=lambda n: (_NAME.match(n)[1], int(_NAME.match(n)[2])))


def solve_one(path: Path, solver: str, time_limit: float, seed: int, out: Path, bks: float) -> Row:
    """Solve one instance with ``solver``, write ``out/<name>.res`` and check what was written."""
    cordeau = read_instance(path)
    inst = cordeau_instance(cordeau)
    if solver == "routeplan":
        from routeplan.solver.lns import warm_up

        warm_up()  # compile or load the search kernels before the clock starts
    started = time.perf_counter()
    stopped_by = ""
    if solver == "routeplan":
        from routeplan.solver.search import solve

        result = solve(inst, time_limit=time_limit, seed=seed)
        routes, stopped_by = result.sequences(inst.num_vehicles), result.stopped_by
    elif solver == "ortools-naive":
        from routeplan.solver.routing_ortools import solve_naive

        routes = solve_naive(inst, time_limit=time_limit, seed=seed)
    else:
        raise ValueError(f"unknown solver {solver!r}")
    seconds = time.perf_counter() - started
    res = out / f"{cordeau.name}.res"
    write_solution(res, cordeau, cordeau_routes(cordeau, inst, routes))
    _, written = read_solution(res)  # check the file, not the in-memory routes
    check = check_solution(cordeau, written)
    return Row(instance=cordeau.name, bks=bks, cost=check.cost, seconds=seconds, feasible=check.feasible,
               visits_missing=check.visits_missing, problems=check.problems, stopped_by=stopped_by)


def write_results(path: Path, rows: list[Row]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=RESULT_COLUMNS)
        writer.writeheader()
        writer.writerows(r.csv_row() for r in rows)


def write_comparison(path: Path, ours: list[Row], peer: list[Row]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COMPARISON_COLUMNS)
        writer.writeheader()
        for a, b in zip(ours, peer, strict=True):
            writer.writerow({"instance": a.instance, "bks": _num(a.bks), "routeplan_cost": f"{a.cost:.2f}",
                             "routeplan_gap_pct": _num(a.gap_pct), "ortools_cost": f"{b.cost:.2f}",
                             "ortools_gap_pct": _num(b.gap_pct), "routeplan_feasible": str(a.feasible),
                             "ortools_feasible": str(b.feasible)})


def summary(label: str, rows: list[Row]) -> str:
    """Mean and max gap over the feasible solutions, and how many are feasible."""
    gaps = [r.gap_pct for r in rows if r.feasible and not math.isnan(r.gap_pct)]
    text = f"{label}: {sum(r.feasible for r in rows)}/{len(rows)} feasible"
    if gaps:
        text += f"; over those, mean gap {sum(gaps) / len(gaps):.2f} %, max gap {max(gaps):.2f} %"
    missing = sum(r.visits_missing for r in rows)
    if missing:
        text += f"; {missing} visits missing in all"
    return text


def _cell(row: Row) -> str:
    if row.feasible:
        return f"{row.cost:.2f} | {signed_pct(row.gap_pct)}"
    if row.visits_missing:
        return f"{row.cost:.2f} | infeasible, {row.visits_missing} missing"
    return f"{row.cost:.2f} | infeasible"


def markdown_table(ours: list[Row], peer: list[Row]) -> str:
    lines = ["| instance | BKS | routeplan | gap | OR-Tools naive | gap |", "|---|---:|---:|---:|---:|---:|"]
    for a, b in zip(ours, peer, strict=True):
        lines.append(f"| {a.instance} | {_num(a.bks)} | {_cell(a)} | {_cell(b)} |")
    both = [(a, b) for a, b in zip(ours, peer, strict=True) if a.feasible and b.feasible]
    if both:
        lines.append("")
        lines.append(f"On the {len(both)} instance(s) where both are feasible: mean gap routeplan "
                     f"{sum(a.gap_pct for a, _ in both) / len(both):.2f} %, OR-Tools naive "
                     f"{sum(b.gap_pct for _, b in both) / len(both):.2f} %.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=Path, required=True, help="folder with p01.txt .. pr10.txt and bks.csv")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance and solver")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", help="comma-separated instance names, e.g. p01,p02")
    parser.add_argument("--solver", choices=(*SOLVERS, "both"), default="routeplan")
    parser.add_argument("--jobs", type=int, default=1, help="instances solved at a time (processes)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")

    paths = find_instances(args.instances, args.only)
    if not paths:
        raise SystemExit(f"no instances found in {args.instances}")
    bks = read_bks(args.instances)
    solvers = list(SOLVERS) if args.solver == "both" else [args.solver]
    outs = {"routeplan": args.out, "ortools-naive": args.out / "ortools-naive" if args.solver == "both" else args.out}
    for folder in outs.values():
        folder.mkdir(parents=True, exist_ok=True)
    print(f"# python benchmarks/pvrp.py --instances {args.instances} --time-limit {args.time_limit:g} "
          f"--seed {args.seed} --out {args.out} --solver {args.solver} --jobs {args.jobs}"
          + (f" --only {args.only}" if args.only else ""), file=sys.stderr)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
          file=sys.stderr)

    jobs = [(solver, path) for solver in solvers for path in paths]
    results: dict[tuple[str, str], Row] = {}

    def report(solver: str, row: Row) -> None:
        results[solver, row.instance] = row
        status = "feasible" if row.feasible else f"INFEASIBLE ({row.visits_missing} visits missing)"
        gap = "" if math.isnan(row.gap_pct) else f" gap {signed_pct(row.gap_pct)}"
        print(f"[{len(results)}/{len(jobs)}] {solver} {row.instance}: cost {row.cost:.2f}{gap} "
              f"{row.seconds:.1f} s {status}" + (f", stopped by the {row.stopped_by}" if row.stopped_by else ""),
              file=sys.stderr, flush=True)
        for problem in row.problems[:5]:
            print(f"    {problem}", file=sys.stderr)

    def submit_args(solver: str, path: Path) -> tuple:
        return path, solver, args.time_limit, args.seed, outs[solver], bks.get(path.stem, math.nan)

    if args.jobs <= 1:
        for solver, path in jobs:
            report(solver, solve_one(*submit_args(solver, path)))
    else:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(solve_one, *submit_args(solver, path)): solver for solver, path in jobs}
            for future in as_completed(futures):
                report(futures[future], future.result())

    rows = {solver: [results[solver, p.stem] for p in paths] for solver in solvers}
    for solver in solvers:
        write_results(outs[solver] / "results.csv", rows[solver])
        print(summary(solver, rows[solver]))
    if args.solver == "both":
        write_comparison(args.out / "comparison.csv", rows["routeplan"], rows["ortools-naive"])
        print(markdown_table(rows["routeplan"], rows["ortools-naive"]))
    ours = rows.get("routeplan", [])
    return 1 if any(not r.feasible for r in ours) else 0


if __name__ == "__main__":
    raise SystemExit(main())
