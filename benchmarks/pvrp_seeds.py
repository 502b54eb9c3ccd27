"""Solve some Cordeau PVRP instances with several seeds: how much of a gap is the seed.

    python benchmarks/pvrp_seeds.py --instances ../shared/benchmarks/pvrp --only p12,p22,p23,pr08 \
        --seeds 1-10 --time-limit 60 --out DIR [--jobs N]

Each (instance, seed) is solved as ``benchmarks/pvrp.py`` solves it (same limit, a work budget with
the clock as safety net, one core per solve, the ``.res`` file written, read back and checked), into
``DIR/s<seed>/``. ``DIR/seeds.csv`` gets one row per solve (instance, seed, bks, cost, gap_pct,
seconds, feasible, stopped_by) and stdout a Markdown table per instance: mean gap, its standard
deviation over the seeds, best and worst, and how many solves stopped on their budget (the others
ended on the clock: a busy machine; their figures may not repeat).
"""

from __future__ import annotations

import argparse
import csv
import logging
import math
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from instance_sets import read_bks, signed_pct
from pvrp import Row, find_instances, solve_one

COLUMNS = ("instance", "seed", "bks", "cost", "gap_pct", "seconds", "feasible", "stopped_by")


def seed_range(text: str) -> list[int]:
    """``"1-10"`` or ``"1,4,7"`` as a list of seeds."""
    seeds: list[int] = []
    for piece in text.split(","):
        first, _, last = piece.partition("-")
        seeds.extend(range(int(first), int(last or first) + 1))
    if not seeds:
        raise argparse.ArgumentTypeError(f"no seeds in {text!r}")
    return seeds


def table(rows: list[tuple[int, Row]]) -> str:
    """Per instance: mean, spread, best and worst gap over the seeds."""
    lines = ["| instance | mean gap | sd | best | worst | seeds | on budget |", "|---|---:|---:|---:|---:|---:|---:|"]
    names = list(dict.fromkeys(r.instance for _, r in rows))
    means = []
    for name in names:
        mine = [r for _, r in rows if r.instance == name]
        gaps = [r.gap_pct for r in mine if r.feasible]
        if not gaps:
            lines.append(f"| {name} | infeasible | | | | {len(mine)} | |")
            continue
        sd = statistics.stdev(gaps) if len(gaps) > 1 else 0.0
        means.append(statistics.mean(gaps))
        gap_cells = " | ".join((signed_pct(statistics.mean(gaps)), f"{sd:.2f}", signed_pct(min(gaps)),
                                signed_pct(max(gaps))))
        lines.append(f"| {name} | {gap_cells} | {len(mine)} | {sum(r.stopped_by == 'budget' for r in mine)} |")
    if means:
        lines.append(f"| **all** | {signed_pct(statistics.mean(means))} | | | | | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=Path, required=True)
    parser.add_argument("--only", required=True, help="comma-separated instance names")
    parser.add_argument("--seeds", type=seed_range, default=seed_range("1-10"), help="e.g. 1-10 or 1,3,5")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    paths = find_instances(args.instances, args.only)
    bks = read_bks(args.instances)
    jobs = [(path, seed) for seed in args.seeds for path in paths]
    for seed in args.seeds:
        (args.out / f"s{seed}").mkdir(parents=True, exist_ok=True)

    def solve_args(path: Path, seed: int) -> tuple:
        return path, "routeplan", args.time_limit, seed, args.out / f"s{seed}", bks.get(path.stem, math.nan)

    if args.jobs <= 1:
        rows = [solve_one(*solve_args(path, seed)) for path, seed in jobs]
    else:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            rows = list(pool.map(solve_one, *zip(*(solve_args(p, s) for p, s in jobs), strict=True)))
    results = [(seed, row) for (_, seed), row in zip(jobs, rows, strict=True)]
    with (args.out / "seeds.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for seed, r in results:
            writer.writerow([r.instance, seed, f"{r.bks:g}", f"{r.cost:.2f}", f"{r.gap_pct:.3f}", f"{r.seconds:.1f}",
                             r.feasible, r.stopped_by])
    print(table(sorted(results, key=lambda x: (x[1].instance, x[0]))))
    return 1 if any(not r.feasible for _, r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
