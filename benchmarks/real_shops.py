"""Real shops and streets: plan the Reykjavík sample (``data/samples/reykjavik``) as a user would.

    python benchmarks/real_shops.py --out OUT [--scenario data/samples/reykjavik] [--time-limit 60] [--seed 1]

The sample is made by ``data/samples/generate_reykjavik.py`` with ``routeplan osm`` from the
OpenStreetMap extract of Iceland in the gostnets 1.2.1 source archive (map data © OpenStreetMap
contributors, ODbL 1.0): the capital area's real shops and venues, clustered along real streets,
a harbour and a coast, on its real driven streets. The script runs the command line in a child
process, timed as a whole (``/usr/bin/time -v``: wall time and peak memory)::

    routeplan plan SCENARIO --out OUT/plan --time-limit 60 --seed 1 --quiet
    routeplan validate SCENARIO OUT/plan

and prints one row: customers, managers, visits planned and required, travel km, unserved
customers, the largest deviation of a manager's work from its role's mean (the balance), the
search's iterations, wall seconds and the validator's verdict. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SCENARIO = HERE.parent / "data" / "samples" / "reykjavik"


def _timed(command: list[str]) -> tuple[float, float, str]:
    """Run ``command`` under ``/usr/bin/time -v``: wall seconds, peak RSS in GB and its stderr."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    peak = int(found.group(1)) / 1e6 if found else float("nan")
    return wall, peak, done.stderr


def _balance(summary: dict, roles: dict[str, str]) -> float:
    """The largest deviation of a manager's work minutes from the mean of its role (a share)."""
    by_role: dict[str, list[float]] = {}
    for manager, figures in summary["managers"].items():
        by_role.setdefault(roles[manager], []).append(float(figures["work_min"]))
    worst = 0.0
    for works in by_role.values():
        mean = sum(works) / len(works)
        if mean > 0:
            worst = max(worst, *(abs(w - mean) / mean for w in works))
    return worst


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    plan_dir = args.out / "plan"
    routeplan = [sys.executable, "-m", "routeplan"]
    wall, peak, _ = _timed([*routeplan, "plan", str(args.scenario), "--out", str(plan_dir),
                            "--time-limit", f"{args.time_limit:g}", "--seed", str(args.seed), "--quiet"])
    started = time.perf_counter()
    check = subprocess.run([*routeplan, "validate", str(args.scenario), str(plan_dir)], capture_output=True,
                           text=True, check=False)
    validate_s = time.perf_counter() - started
    summary = json.loads((plan_dir / "summary.json").read_text(encoding="utf-8"))
    roles = {}
    with (args.scenario / "managers.csv").open(encoding="utf-8") as stream:
        next(stream)
        for line in stream:
            fields = line.rstrip("\n").split(",")
            roles[fields[0]] = fields[1]
    customers = sum(1 for _ in (args.scenario / "customers.csv").open(encoding="utf-8")) - 1
    row = {
        "customers": customers, "managers": len(roles),
        "visits": f"{summary['visits_planned']} / {summary['visits_required']}",
        "travel_km": round(float(summary["total_travel_km"]), 1), "unserved": summary["unserved"],
        "balance": f"{100 * _balance(summary, roles):.1f} %", "iterations": summary.get("iterations"),
        "solve_s": summary.get("solve_seconds"), "wall_s": round(wall, 1), "peak_gb": round(peak, 2),
        "validate": (check.stdout.strip() or check.stderr.strip()) + f" ({validate_s:.1f} s)",
    }
    print(f"routeplan plan {args.scenario} --time-limit {args.time_limit:g} --seed {args.seed}; "
          f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(json.dumps(row, indent=1, ensure_ascii=False))
    if check.returncode != 0:
        raise SystemExit("the plan does not validate")


if __name__ == "__main__":
    main()
