"""Why streets matter, and what their tables cost.

    python benchmarks/roads.py --iterations 20000 --seed 0 --out OUT

1. The Kuiwen sample planned on straight lines (x 1.3 at 20 km/h, ``data/samples/kuiwen``) and
   re-timed on its streets (``data/samples/kuiwen-roads``): each route leaves when the plan
   says and visits its shops in the plan's order, each leg taking what the streets take
   (a visit starts at its window's opening at the earliest). Counted: legs that arrive later
   than the plan says, visits that then start after their window closes, routes that return
   after the shift ends (and by how much), and the kilometres the routes really ride. Then the
   same sample planned on its streets, checked by ``routeplan validate``.
2. Road tables over 1,000, 5,000 and 20,000 points on the sample's network (10,450 nodes):
   seconds and peak memory of this process. Up to 5,000 points the dense table the engine uses
   (one part); 20,000 points, more than a part ever holds, in blocks of 1,000 rows, each kept
   as float32 (what a cache of the whole table would hold). Beside it SciPy's
   ``csgraph.dijkstra`` on the same sources (times only, full trees).
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

import numpy as np
from scipy.sparse.csgraph import dijkstra

from routeplan import MaxIterations, plan, read_scenario, validate_folder, write_plan
from routeplan.roads.resolve import travel_model

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "samples" / "kuiwen"
ROADS = REPO / "data" / "samples" / "kuiwen-roads"


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def retime(straight, streets) -> dict[str, float]:
    """The straight-line plan's routes ridden on the streets (see the module docstring)."""
    model = travel_model(streets.travel)
    customers = {c.customer_id: c for c in streets.customers}
    managers = {m.manager_id: m for m in streets.managers}
    late_legs = late_windows = late_returns = 0
    late_window_min: list[float] = []
    late_return_min: list[float] = []
    claimed_km = real_km = 0.0
    arrivals = 0
    for route in straight.routes:
        manager = managers[route.manager_id]
        places = [(manager.start.lon, manager.start.lat)]
        places += [(customers[s.customer_id].lon, customers[s.customer_id].lat) for s in route.stops]
        places.append((manager.end.lon, manager.end.lat))
        lon, lat = np.array([p[0] for p in places]), np.array([p[1] for p in places])
        km, minutes = model.pairs(lon[:-1], lat[:-1], lon[1:], lat[1:])
        clock = route.depart
        for i, stop in enumerate(route.stops):
            arrival = clock + 60.0 * float(minutes[i])
            arrivals += 1
            if arrival > stop.arrival + 1.0:
                late_legs += 1
            customer = customers[stop.customer_id]
            start = max(arrival, customer.window[0] * 60.0)
            if start > customer.window[1] * 60.0 + 1.0:
                late_windows += 1
                late_window_min.append((start - customer.window[1] * 60.0) / 60.0)
            clock = start + customer.service_min * 60.0
        back = clock + 60.0 * float(minutes[-1])
        if back > manager.shift[1] * 60.0 + 1.0:
            late_returns += 1
            late_return_min.append((back - manager.shift[1] * 60.0) / 60.0)
        claimed_km += route.travel_km
        real_km += float(km.sum())
    return {"routes": len(straight.routes), "arrivals": arrivals, "arrivals_later_than_planned": late_legs,
            "visits_after_window": late_windows,
            "visits_after_window_max_min": round(max(late_window_min, default=0.0), 1),
            "routes_past_shift_end": late_returns,
            "routes_past_shift_end_max_min": round(max(late_return_min, default=0.0), 1),
            "claimed_km": round(claimed_km, 1), "street_km": round(real_km, 1),
            "street_over_claimed": round(real_km / claimed_km - 1.0, 4) if claimed_km else 0.0}


def tables(seed: int, sizes: list[int]) -> list[dict[str, float]]:
    streets = read_scenario(ROADS)
    travel = travel_model(streets.travel)
    network = travel.network
    rng = np.random.default_rng(seed)
    base = np.array([(c.lon, c.lat) for c in streets.customers])
    rows = []
    for n in sizes:
        picks = base[rng.integers(len(base), size=n)] + rng.normal(0.0, 0.002, size=(n, 2))
        lon, lat = picks[:, 0], picks[:, 1]
        router = travel.router()
        before = _peak_gb()
        began = time.perf_counter()
        if n <= 5000:
            os.environ["ROUTEPLAN_CACHE"] = "off"
            km, minutes = travel.matrices(lon, lat)
            assert km.shape == (n, n)
            held = km.nbytes + minutes.nbytes
        else:
            nodes, _ = travel.snap(lon, lat)
            unique = np.unique(nodes)
            held = 0
            blocks = []
            for first in range(0, len(unique), 1000):
                seconds, metres = router.shared(unique[first:first + 1000], unique)
                blocks.append((seconds.astype(np.float32), metres.astype(np.float32)))
                held += blocks[-1][0].nbytes + blocks[-1][1].nbytes
        ours = time.perf_counter() - began
        nodes, _ = travel.snap(lon, lat)
        sources = np.unique(nodes)[:1000]
        began = time.perf_counter()
        dijkstra(network.time_graph(), indices=sources)
        scipy_1000 = time.perf_counter() - began
        rows.append({"points": n, "seconds": round(ours, 2), "table_gb": round(held / 1024 ** 3, 3),
                     "peak_gb": round(_peak_gb(), 2), "peak_before_gb": round(before, 2),
                     "scipy_seconds_per_1000_sources": round(scipy_1000, 2)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    streets = read_scenario(ROADS)
    began = time.perf_counter()
    straight = plan(read_scenario(SAMPLE), stop=MaxIterations(args.iterations), seed=args.seed)
    straight_seconds = time.perf_counter() - began
    write_plan(straight, args.out / "straight", maps=False)
    retimed = retime(straight, streets)
    report = validate_folder(ROADS, args.out / "straight")
    retimed["violations_on_streets"] = len(report.violations)
    began = time.perf_counter()
    on_streets = plan(streets, stop=MaxIterations(args.iterations), seed=args.seed)
    street_seconds = time.perf_counter() - began
    write_plan(on_streets, args.out / "streets", maps=False)
    street_report = validate_folder(ROADS, args.out / "streets")
    road_plan = {"km": on_streets.summary()["total_travel_km"], "valid": street_report.ok,
                 "visits": f"{on_streets.visits_planned()}/{on_streets.visits_required()}",
                 "plan_seconds": round(street_seconds, 1), "straight_plan_seconds": round(straight_seconds, 1)}
    print(json.dumps({"straight_on_streets": retimed, "road_plan": road_plan}, indent=2), flush=True)
    rows = tables(args.seed, [int(s) for s in args.sizes.split(",")])
    result = {"command": " ".join(["python", "benchmarks/roads.py", *sys.argv[1:]]),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
              "straight_on_streets": retimed, "road_plan": road_plan, "tables": rows}
    (args.out / "roads.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if street_report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
