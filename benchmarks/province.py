"""A province on a Dask cluster: plan a synthetic province through a scheduler address.

    python benchmarks/province.py --customers 300000 --time-limit 1800 --workers 2 --seed 1 --out OUT

Starts a Dask ``LocalCluster`` of ``--workers`` processes (one thread each), connects to it by its
scheduler address as a remote user would (``Client("tcp://...")``), plans the province with
``routeplan.plan(..., executor=client)``, checks the plan with the validator and writes the
plan's tables and summary.json to OUT (no maps: a province's map is a job for a tile server) with
``run.json``: wall time, the peak memory of this process and of each worker, coverage, balance.
The province is :func:`routeplan.synthetic.random_problem` with towns spread over about 100 km
and managers living in the towns.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

from routeplan import plan, write_plan
from routeplan.synthetic import TownLayout, random_problem


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=300_000)
    parser.add_argument("--towns", type=int, default=300)
    parser.add_argument("--spread-km", type=float, default=50.0)
    parser.add_argument("--utilisation", type=float, default=0.5, help="staff sized for this load (2,500 managers)")
    parser.add_argument("--time-limit", type=float, default=1800.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    distributed = __import__("dask.distributed", fromlist=["Client", "LocalCluster"])

    made = time.perf_counter()
    layout = TownLayout(towns=args.towns, spread_km=args.spread_km, homes_in_towns=True)
    problem = random_problem(args.seed, customers=args.customers, layout=layout, utilisation=args.utilisation)
    made = time.perf_counter() - made
    with (distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, memory_limit=0) as cluster,
          distributed.Client(cluster.scheduler_address) as client):
        started = time.perf_counter()
        result = plan(problem, time_limit=args.time_limit, seed=args.seed, executor=client)
        wall = time.perf_counter() - started
        workers = client.run(_peak_gb)
    checking = time.perf_counter()
    report = result.validate()
    checked = time.perf_counter() - checking
    write_plan(result, args.out, maps=False)
    summary = result.summary()
    run = {"command": " ".join(["python", "benchmarks/province.py", *sys.argv[1:]]),
           "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
           "customers": problem.num_customers, "managers": problem.num_managers, "visits": problem.visits_required(),
           "generate_seconds": round(made, 1), "plan_seconds": round(wall, 1), "validate_seconds": round(checked, 1),
           "valid": report.ok, "visits_planned": result.visits_planned(), "unserved": len(result.unserved),
           "parts": summary.get("parts", 1), "stopped_by": summary["stopped_by"],
           "total_travel_km": summary["total_travel_km"], "balance_deviation": summary["balance_deviation"],
           "balance_within": summary["balance_within"], "peak_gb_main": round(_peak_gb(), 2),
           "peak_gb_workers": {k: round(v, 2) for k, v in workers.items()}}
    (args.out / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(run, indent=2))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
