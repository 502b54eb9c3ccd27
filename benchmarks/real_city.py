"""A real city's streets: Coquimbo (Chile), the OpenStreetMap network aequilibrae ships.

    pip download --no-deps aequilibrae==1.7.2 -d WHEELS
    python benchmarks/real_city.py --aequilibrae WHEELS/aequilibrae-1.7.2-*.whl --out OUT

The aequilibrae wheel on PyPI carries an example project of Coquimbo built from OpenStreetMap
(``aequilibrae/reference_files/coquimbo.zip``; map data (c) OpenStreetMap contributors, ODbL).
This script reads its links and nodes (SQLite, SpatiaLite geometry) straight from the wheel,
writes them as OpenStreetMap XML (``OUT/coquimbo.osm``: each link a way, its ``link_type`` the
``highway`` tag, its ``direction`` the ``oneway`` tag, every vertex of its geometry a node) and
then measures, on that street network:

1. **Tables.** A 3,000 x 3,000 road table (km and minutes, points on random streets) by
   ``RoadTravel.matrices`` (no disk cache), and beside it SciPy's ``csgraph.dijkstra`` on the
   same sources in chunks of 500, float32 (the issue's reference: about 5 s and 75 MB). Each in
   its own child process; peak memory is the child's, less a child that only reads the network
   and snaps the points.
2. **Straight lines on real streets.** A ``routeplan.synthetic`` scenario of 1,200 shops moved
   onto random streets of the city (depot at the street node nearest the shops' median), planned
   with straight lines x 1.3 at 25 km/h and re-timed on the streets (as ``benchmarks/roads.py``
   does for the sample), then planned on the streets and checked by ``routeplan validate``.
3. **A city's customers on roads.** The same at ``--city`` customers (default 20,000), planned
   on the streets with ``--time-limit`` seconds (``routeplan.plan(time_limit=...)``: the call,
   tables and checking included), written and validated.

Nothing is downloaded at run time: the wheel is a file you fetched once.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import resource
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from roads import retime  # noqa: E402  (the sibling benchmark's re-timing of a plan on streets)

from routeplan import (  # noqa: E402
    MaxIterations,
    plan,
    read_scenario,
    validate_folder,
    write_plan,
    write_scenario,
)
from routeplan.synthetic import random_problem  # noqa: E402

PROJECT = "aequilibrae/reference_files/coquimbo.zip"
DATABASE = "project_database.sqlite"


def _project_database(source: Path, folder: Path) -> Path:
    """project_database.sqlite of the Coquimbo example, from the wheel, the project's zip, or as is."""
    if source.suffix == ".sqlite":
        return source
    data = source.read_bytes()
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            data = wheel.read(PROJECT)
    with zipfile.ZipFile(io.BytesIO(data)) as project:
        target = folder / DATABASE
        target.write_bytes(project.read(DATABASE))
    return target


def _coordinates(blob: bytes) -> list[tuple[float, float]]:
    """The vertices of a SpatiaLite POINT or LINESTRING blob (little-endian, 2-D)."""
    if blob[1] != 1:
        raise ValueError("only little-endian SpatiaLite geometry is read")
    kind = struct.unpack_from("<i", blob, 39)[0]
    if kind == 1:
        return [struct.unpack_from("<dd", blob, 43)]
    if kind == 2:
        count = struct.unpack_from("<i", blob, 43)[0]
        return [struct.unpack_from("<dd", blob, 47 + 16 * k) for k in range(count)]
    raise ValueError(f"geometry class {kind} is neither a point nor a line")


def coquimbo_osm(source: Path, out: Path) -> dict[str, int]:
    """Write the Coquimbo street network as OpenStreetMap XML; the counts of what was written."""
    with tempfile.TemporaryDirectory() as folder:
        database = sqlite3.connect(_project_database(source, Path(folder)))
        nodes = {int(n): _coordinates(g)[0] for n, g in database.execute("select node_id, geometry from nodes")}
        links = database.execute("select link_id, a_node, b_node, direction, link_type, name, modes, geometry "
                                 "from links").fetchall()
        database.close()
    ways = []
    extra: list[tuple[float, float]] = []
    first_extra = max(nodes) + 1
    for link_id, a, b, direction, kind, name, modes, geometry in links:
        if "c" not in (modes or "") or kind == "centroid_connector":
            continue  # not driven by car, or a zone's connector (no street)
        points = _coordinates(geometry)
        inner = []
        for x, y in points[1:-1]:
            inner.append(first_extra + len(extra))
            extra.append((x, y))
        tags = {"highway": kind, "oneway": {1: "yes", -1: "-1"}.get(int(direction), "no")}
        if name:
            tags["name"] = name
        ways.append((int(link_id), [int(a), *inner, int(b)], tags))
    with out.open("w", encoding="utf-8") as stream:
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="routeplan '
                     'benchmarks/real_city.py from aequilibrae\'s Coquimbo example (c) OpenStreetMap '
                     'contributors, ODbL">\n')
        for node, (x, y) in [*nodes.items(), *((first_extra + k, p) for k, p in enumerate(extra))]:
            stream.write(f'  <node id="{node}" lon="{x:.7f}" lat="{y:.7f}"/>\n')
        for way_id, refs, tags in ways:
            stream.write(f'  <way id="{way_id}">\n')
            stream.writelines(f'    <nd ref="{r}"/>\n' for r in refs)
            stream.writelines(f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>\n" for k, v in tags.items())
            stream.write("  </way>\n")
        stream.write("</osm>\n")
    return {"nodes": len(nodes) + len(extra), "intersections": len(nodes), "ways": len(ways)}


def street_points(network_file: Path, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points on random streets: random nodes of the largest strongly connected part, a few
    metres off (shops stand beside their street)."""
    from routeplan.roads.files import read_network

    network = read_network(network_file, speed_kmh=25.0)
    part = network.largest_strong_component()
    rng = np.random.default_rng(seed)
    picks = part[rng.integers(len(part), size=count)]
    return network.lon[picks] + rng.normal(0.0, 0.0002, count), network.lat[picks] + rng.normal(0.0, 0.0002, count)


def street_scenario(network_file: Path, customers: int, seed: int, folder: Path, *, road: bool) -> Path:
    """A synthetic scenario whose shops and depot stand on the city's streets; travel straight
    (x 1.3 at 25 km/h) or on the network at 25 km/h from a shop to its street."""
    write_scenario(random_problem(seed, customers=customers), folder)
    lon, lat = street_points(network_file, customers, seed)
    depot = (float(np.median(lon)), float(np.median(lat)))
    _rewrite(folder / "customers.csv", {"lon": lon, "lat": lat})
    with (folder / "managers.csv").open(encoding="utf-8", newline="") as stream:
        count = sum(1 for _ in csv.DictReader(stream))
    _rewrite(folder / "managers.csv", {key: np.full(count, depot[k % 2])
                                       for k, key in enumerate(("start_lon", "start_lat", "end_lon", "end_lat"))})
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    settings = tomllib.loads(toml)
    old_depot = f"[depot]\nlon = {settings['depot']['lon']!r}\nlat = {settings['depot']['lat']!r}\n"
    old_travel = (f"[travel]\nmodel = \"haversine\"\nspeed_kmh = {settings['travel']['speed_kmh']!r}\n"
                  f"detour_factor = {settings['travel']['detour_factor']!r}\n")
    if old_depot not in toml or old_travel not in toml:
        raise SystemExit("the synthetic scenario's layout changed: update benchmarks/real_city.py")
    travel = (f'[travel]\nmodel = "road"\nnetwork = "{network_file.name}"\nspeed_kmh = 25.0\n' if road else
              '[travel]\nmodel = "haversine"\nspeed_kmh = 25.0\ndetour_factor = 1.3\n')
    toml = toml.replace(old_depot, f"[depot]\nlon = {depot[0]!r}\nlat = {depot[1]!r}\n").replace(old_travel, travel)
    (folder / "scenario.toml").write_text(toml, encoding="utf-8")
    if road:
        (folder / network_file.name).write_bytes(network_file.read_bytes())
    return folder


def _rewrite(path: Path, columns: dict[str, np.ndarray]) -> None:
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        header, rows = list(reader.fieldnames or []), list(reader)
    for i, row in enumerate(rows):
        for key, values in columns.items():
            row[key] = f"{float(values[i]):.7f}"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def table_child(network_file: str, points: int, seed: int, how: str) -> None:
    """One table measurement (run in a child process): prints seconds and this process's peak GB."""
    os.environ["ROUTEPLAN_CACHE"] = "off"
    from scipy.sparse.csgraph import dijkstra

    from routeplan.roads.travel import road_travel

    travel = road_travel(network_file, speed_kmh=25.0)
    lon, lat = street_points(Path(network_file), points, seed)
    nodes, _ = travel.snap(lon, lat)
    travel.router()  # compiled kernels and graph arrays ready before the clock starts
    travel.matrices(lon[:10], lat[:10])
    began = time.perf_counter()
    if how == "routeplan":
        km, minutes = travel.matrices(lon, lat)
        assert km.shape == (points, points)
        assert np.isfinite(minutes).all()
    elif how == "scipy":
        graph = travel.network.time_graph()
        unique, where = np.unique(nodes, return_inverse=True)
        table = np.empty((points, points), dtype=np.float32)
        for first in range(0, points, 500):
            rows = dijkstra(graph, indices=nodes[first:first + 500])
            table[first:first + 500] = rows[:, unique][:, where].astype(np.float32)
        assert np.isfinite(table).all()
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    print(json.dumps({"seconds": round(seconds, 2), "peak_gb": round(peak, 3)}))


def _child(network_file: Path, points: int, seed: int, how: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--table-child", how, "--network", str(network_file),
                           "--points", str(points), "--seed", str(seed)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def tables(network_file: Path, points: int, seed: int) -> dict[str, object]:
    base = _child(network_file, points, seed, "none")
    result: dict[str, object] = {"points": points, "baseline_peak_gb": base["peak_gb"]}
    for how in ("routeplan", "scipy"):
        measured = _child(network_file, points, seed, how)
        result[how] = {"seconds": measured["seconds"],
                       "extra_mb": round(1024 * (measured["peak_gb"] - base["peak_gb"]), 1)}
        print(json.dumps({how: result[how]}), flush=True)
    return result


def planned(folder: Path, out: Path, seed: int, **limit: object) -> tuple[object, dict[str, object]]:
    problem = read_scenario(folder)
    began = time.perf_counter()
    result = plan(problem, seed=seed, **limit)
    seconds = time.perf_counter() - began
    write_plan(result, out, maps=False)
    began = time.perf_counter()
    report = validate_folder(folder, out)
    checked = time.perf_counter() - began
    figures = {"customers": len(problem.customers), "managers": len(problem.managers),
               "km": round(result.summary()["total_travel_km"], 1),
               "visits": f"{result.visits_planned()}/{result.visits_required()}",
               "largest_deviation": round(result.balance().largest_deviation, 4),
               "plan_seconds": round(seconds, 1), "validate_seconds": round(checked, 1), "valid": report.ok,
               "violations": len(report.violations),
               "peak_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2, 2)}
    return result, figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aequilibrae", type=Path, help="the aequilibrae wheel, its coquimbo.zip, or the "
                        "project's project_database.sqlite")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--points", type=int, default=3000, help="points of the table measurement (0: none)")
    parser.add_argument("--shops", type=int, default=1200, help="shops of the straight-versus-streets plan (0: none)")
    parser.add_argument("--iterations", type=int, default=20000, help="search iterations of the shops' plans")
    parser.add_argument("--city", type=int, default=20000, help="customers of the city plan on roads (0: none)")
    parser.add_argument("--time-limit", type=float, default=240.0, help="seconds of the city plan")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--table-child", choices=("none", "routeplan", "scipy"), help=argparse.SUPPRESS)
    parser.add_argument("--network", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.table_child:
        table_child(args.network, args.points, args.seed, args.table_child)
        return 0
    if args.aequilibrae is None or args.out is None:
        parser.error("--aequilibrae and --out are required")
    args.out.mkdir(parents=True, exist_ok=True)
    network_file = args.out / "coquimbo.osm"
    written = coquimbo_osm(args.aequilibrae, network_file)
    from routeplan.roads.files import read_network

    network = read_network(network_file, speed_kmh=25.0)
    written |= {"graph_nodes": network.num_nodes, "graph_edges": network.num_edges,
                "strongly_connected_nodes": len(network.largest_strong_component()),
                "extent_km": [round(float(np.ptp(network.lon)) * 111.32 * np.cos(np.radians(np.mean(network.lat))), 1),
                              round(float(np.ptp(network.lat)) * 111.32, 1)]}
    print(json.dumps({"network": written}), flush=True)
    result: dict[str, object] = {"command": " ".join(["python", "benchmarks/real_city.py", *sys.argv[1:]]),
                                 "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                                            f"Python {sys.version.split()[0]}",
                                 "network": written}
    if args.points:
        result["tables"] = tables(network_file, args.points, args.seed)
    ok = True
    if args.shops:
        ok &= shops(network_file, args, result)
    if args.city:
        city_folder = street_scenario(network_file, args.city, args.seed, args.out / "city-road", road=True)
        _, city = planned(city_folder, args.out / "plan-city", args.seed, time_limit=args.time_limit)
        city["time_limit"] = args.time_limit
        ok &= bool(city["valid"])
        result["city_plan"] = city
        print(json.dumps({"city_plan": city}), flush=True)
    (args.out / "real_city.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if ok else 1


def shops(network_file: Path, args: argparse.Namespace, result: dict[str, object]) -> bool:
    """The straight-line plan of ``args.shops`` shops re-timed on the streets, and the plan on them."""
    straight_folder = street_scenario(network_file, args.shops, args.seed, args.out / "shops-straight", road=False)
    road_folder = street_scenario(network_file, args.shops, args.seed, args.out / "shops-road", road=True)
    straight, straight_figures = planned(straight_folder, args.out / "plan-straight", args.seed,
                                         stop=MaxIterations(args.iterations))
    retimed = retime(straight, read_scenario(road_folder))
    retimed["violations_on_streets"] = len(validate_folder(road_folder, args.out / "plan-straight").violations)
    _, road_figures = planned(road_folder, args.out / "plan-road", args.seed, stop=MaxIterations(args.iterations))
    result |= {"straight_plan": straight_figures, "straight_on_streets": retimed, "road_plan": road_figures}
    print(json.dumps({"straight_on_streets": retimed, "road_plan": road_figures}), flush=True)
    return bool(road_figures["valid"])


if __name__ == "__main__":
    raise SystemExit(main())
