"""How routeplan grows with the number of customers: wall time, peak memory, coverage, balance.

    python benchmarks/scale.py --sizes 5000,10000,20000,50000 --ms-per-customer 12 --seed 1 --out OUT [--workers N]
        [--utilisation 0.6] [--shape city|towns] [--no-fixed]

For each size, a synthetic scenario is written to OUT: with ``--shape city`` (the default) a
:func:`routeplan.synthetic.random_city` (streets on a rotated grid, hot spots, sparse outskirts,
C managers serving medium and small shops and D managers only small ones, part-time managers,
caps, locks, an office per 8,000 customers), with ``--shape towns`` the older
:func:`routeplan.synthetic.random_problem` (about 110 customers per manager at 0.5). It is
planned by the command a user runs (``routeplan plan --time-limit``, the limit in proportion to
the size: 12 ms per customer gives 600 s at 50,000), and the written
plan checked by ``routeplan validate``. Peak memory is the largest resident set of the command's
process tree (``os.wait4``). Each size is also planned with ``--iterations 1`` (a first solution
and one search step): the fixed part of a run, reading, cutting into parts, travel, construction,
checking and writing. The growth exponents are the slopes of log(seconds) and log(peak memory) on
log(customers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from routeplan import write_scenario
from routeplan.synthetic import random_city, random_problem


def run(command: list[str], log: Path) -> tuple[float, float, int]:
    """Wall seconds, peak resident GB and exit code of ``command``, its messages written to ``log``."""
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as messages:
        child = subprocess.Popen(command, stdout=messages, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024 ** 2, child.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,10000,20000,50000")
    parser.add_argument("--ms-per-customer", type=float, default=12.0, help="time limit per customer")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--utilisation", type=float, default=None,
                        help="staff sized for this load (default: 0.6 for cities, 0.5 for towns)")
    parser.add_argument("--shape", choices=("city", "towns"), default="city")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--no-fixed", action="store_true", help="skip the --iterations 1 runs")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    cli = [sys.executable, "-m", "routeplan"]
    rows = []
    utilisation = args.utilisation if args.utilisation is not None else (0.6 if args.shape == "city" else 0.5)
    for n in (int(s) for s in args.sizes.split(",")):
        make = random_city if args.shape == "city" else random_problem
        problem = make(args.seed, customers=n, utilisation=utilisation)
        scenario = write_scenario(problem, args.out / f"{args.shape}-{n}")
        limit = max(10.0, n * args.ms_per_customer / 1000.0)
        plan_dir = args.out / f"plan-{n}"
        command = [*cli, "plan", str(scenario), "--out", str(plan_dir), "--time-limit", f"{limit:g}",
                   "--seed", str(args.seed), "--quiet"]
        if args.workers:
            command += ["--workers", str(args.workers)]
        wall, peak_gb, code = run(command, args.out / f"plan-{n}.log")
        if code != 0:
            print(f"{n}: plan exited {code}", file=sys.stderr)
            return 1
        _, _, valid = run([*cli, "validate", str(scenario), str(plan_dir)], args.out / f"validate-{n}.log")
        summary = json.loads((plan_dir / "summary.json").read_text(encoding="utf-8"))
        fixed_wall, fixed_gb, fixed_code = 0.0, 0.0, 1
        if not args.no_fixed:
            fixed_dir = args.out / f"plan-{n}-fixed"
            fixed_wall, fixed_gb, fixed_code = run([*cli, "plan", str(scenario), "--out", str(fixed_dir),
                                                    "--iterations", "1", "--seed", str(args.seed), "--quiet"],
                                                   args.out / f"fixed-{n}.log")
        rows.append({"customers": n, "managers": len(summary["managers"]), "limit": limit, "wall": wall,
                     "peak_gb": peak_gb, "valid": valid == 0,
                     "visits": f"{summary['visits_planned']}/{summary['visits_required']}",
                     "km": summary["total_travel_km"],
                     "customers_per_manager": round(n / len(summary["managers"]), 1),
                     "deviation": summary["balance_deviation"],
                     "within": summary["balance_within"], "parts": summary.get("parts", 1),
                     "out_of_band": sum(len(g["out_of_band"]) for g in summary["balance"]["groups"]),
                     "unserved": summary["unserved"],
                     "stopped_by": summary["stopped_by"], "fixed_wall": fixed_wall if fixed_code == 0 else None,
                     "fixed_gb": fixed_gb})
        print(json.dumps(rows[-1]), flush=True)
    print()
    print(f"command: python benchmarks/scale.py --sizes {args.sizes} --ms-per-customer {args.ms_per_customer:g} "
          f"--seed {args.seed} --utilisation {utilisation:g} --shape {args.shape}"
          + (f" --workers {args.workers}" if args.workers else ""))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print()
    print("| customers | managers | per manager | parts | limit s | wall s | peak GB | visits | unserved | km | "
          "km/customer | largest deviation | managers out | stopped by | valid | fixed part s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|")
    for r in rows:
        fixed = "failed" if r["fixed_wall"] is None else f"{r['fixed_wall']:.1f}"
        print(f"| {r['customers']:,} | {r['managers']} | {r['customers_per_manager']:g} | {r['parts']} | "
              f"{r['limit']:g} | {r['wall']:.1f} | "
              f"{r['peak_gb']:.2f} | {r['visits']} | {r['unserved']} | {r['km']:,.0f} | "
              f"{r['km'] / r['customers']:.3f} | {100 * r['deviation']:.1f}% | {r['out_of_band']} | "
              f"{r['stopped_by']} | {r['valid']} | {fixed} |")
    if len(rows) > 1:
        n = np.log([r["customers"] for r in rows])

        def slope(values: list[float]) -> float:
            return float(np.polyfit(n, np.log(values), 1)[0])

        print()
        print(f"growth exponents over customers: wall time {slope([r['wall'] for r in rows]):.2f}, peak memory "
              f"{slope([r['peak_gb'] for r in rows]):.2f}"
              + ("" if any(r["fixed_wall"] is None for r in rows)
                 else f", fixed part {slope([r['fixed_wall'] for r in rows]):.2f}"))
    return 0 if all(r["valid"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
