"""Does ``routeplan plan --time-limit T`` end within T? The whole command, as a user runs it.

    python benchmarks/timelimit.py --out OUT [--limits 10,30] [--sizes 2000,10000] [--seed 1]

Runs the command in a fresh process on the Kuiwen sample and on ``routeplan.synthetic``
scenarios of the given sizes (written to ``OUT/scenarios`` first), once per time limit, with
``-v`` so that the phases are logged, and reports per run: the wall time of the process, the
one-time compilation it reports (``startup_seconds``, outside the limit by design), the wall time
minus that, the phases (reading, formulating, searching, checking, writing), what stopped the
search, the plan's figures and the process's peak memory. Every plan is validated with
``routeplan validate``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from routeplan import write_scenario
from routeplan.synthetic import random_problem

ROOT = Path(__file__).resolve().parent.parent
PHASES = {"read": r"read .* in ([\d.]+) s", "formulate": r"formulated and diagnosed in ([\d.]+) s",
          "search": r"searched in ([\d.]+) s", "check": r"plan built and validated in ([\d.]+) s",
          "write": r"wrote .* in ([\d.]+) s;"}


def run(scenario: Path, out: Path, limit: float, seed: int) -> dict[str, object]:
    command = [sys.executable, "-m", "routeplan", "-v", "plan", str(scenario), "--out", str(out),
               "--time-limit", f"{limit:g}", "--seed", str(seed), "--quiet"]
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, text=True)
        # wait4 reports this child's own peak memory (getrusage would give the largest of all children)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        stderr = log.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    check = subprocess.run([sys.executable, "-m", "routeplan", "validate", str(scenario), str(out)],
                           capture_output=True, text=True, check=False)
    row: dict[str, object] = {"scenario": scenario.name, "limit": limit, "wall": wall,
        "startup": summary.get("startup_seconds", 0.0), "stopped_by": summary.get("stopped_by"),
        "iterations": summary["iterations"], "km": summary["total_travel_km"],
        "visits": f"{summary['visits_planned']}/{summary['visits_required']}",
        "valid": check.returncode == 0, "peak_gb": usage.ru_maxrss / 1024**2}
    for name, pattern in PHASES.items():
        match = re.search(pattern, stderr)
        row[name] = float(match.group(1)) if match else float("nan")
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limits", default="10,30", help="comma-separated time limits (seconds)")
    parser.add_argument("--sizes", default="2000,10000", help="synthetic scenario sizes")
    parser.add_argument("--seed", type=int, default=1, help="seed of the scenarios and of the search")
    parser.add_argument("--no-sample", action="store_true", help="leave out the Kuiwen sample")
    args = parser.parse_args()
    limits = [float(x) for x in args.limits.split(",") if x]
    scenarios = [] if args.no_sample else [ROOT / "data" / "samples" / "kuiwen"]
    for size in (int(x) for x in args.sizes.split(",") if x):
        folder = args.out / "scenarios" / f"synthetic-{size}"
        if not (folder / "scenario.toml").exists():
            write_scenario(random_problem(args.seed, customers=size), folder)
        scenarios.append(folder)
    print(f"# python benchmarks/timelimit.py --limits {args.limits} --sizes {args.sizes} --seed {args.seed}")
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print("| scenario | limit s | wall s | compile s | wall - compile s | read | formulate | search | check | write "
          "| stopped by | iterations | km | visits | peak GB | valid |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|")
    for scenario in scenarios:
        for limit in limits:
            row = run(scenario, args.out / "plans" / f"{scenario.name}-{limit:g}", limit, args.seed)
            print(f"| {row['scenario']} | {limit:g} | {row['wall']:.1f} | {row['startup']:.1f} | "
                  f"{row['wall'] - row['startup']:.1f} | {row['read']:.2f} | {row['formulate']:.2f} | "
                  f"{row['search']:.2f} | {row['check']:.2f} | {row['write']:.2f} | {row['stopped_by']} | "
                  f"{row['iterations']} | {row['km']:.0f} | {row['visits']} | {row['peak_gb']:.2f} | "
                  f"{'yes' if row['valid'] else 'NO'} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
