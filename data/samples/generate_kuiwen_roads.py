"""Generate ``kuiwen-roads``: the Kuiwen sample on a street network (OpenStreetMap XML).

Writes ``data/samples/kuiwen-roads/`` with the same customers, managers and districts as
``data/samples/kuiwen`` (generated anew with the same seed), ``roads.osm`` and a
``scenario.toml`` whose travel model is ``road``. Run from the repository root::

    python data/samples/generate_kuiwen_roads.py [--seed 20261129] [--out data/samples/kuiwen-roads]

The output depends only on the seed; two runs give byte-identical files. Invented data: the
streets are the sample generator's grid (the one its shops stand on), not the real city's.

Assumptions (what makes roads matter)
-------------------------------------
Streets
    The sample's street grid (about every 500 m, rotated 6 degrees), each street a way with a
    node every 100 m or so and at every crossing, cut where it leaves the district (600 m
    beyond its outline).
Arterials
    Every fourth street in each direction is ``highway=primary`` with ``maxspeed=40``; the rest
    ``secondary`` (every other one, 30 km/h by ``maxspeed``) or ``residential`` (20 km/h, the
    project's default speed of that type).
A river
    The 虞河 (Yu River) runs south to north about 3 km east of the depot, meandering. Streets
    stop at its banks except at three bridges (the east-west streets nearest to 4 km south of
    the depot, the depot's own, and 4 km north), so that two shops facing each other across it
    are a detour apart.
A railway
    An east-west line about 2.5 km north of the depot; north-south streets cross it only at four
    underpasses (the four streets nearest to 5 km west, 1 km west, 3 km east and 7 km east of
    the depot).
One-way pairs
    In the old town (within 2 km north and south of the depot) the two north-south streets
    nearest to the depot's west and east are one way, northbound and southbound.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import math
import sys
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
from shapely.geometry import Point

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "kuiwen-roads"
NODE_SPACING_KM = 0.1
BEYOND_KM = 0.6
RIVER_X_KM = 3.0
RAILWAY_Y_KM = 2.5
BRIDGES_Y_KM = (-4.0, 0.0, 4.0)
UNDERPASSES_X_KM = (-5.0, -1.0, 3.0, 7.0)
ONE_WAY_Y_KM = (-2.0, 2.0)


def _sample_generator():
    spec = importlib.util.spec_from_file_location("generate_kuiwen", HERE / "generate_kuiwen.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_kuiwen"] = module
    spec.loader.exec_module(module)
    return module


def river_x(y: float) -> float:
    """The river's east coordinate (km) at north coordinate ``y`` (km): a gentle meander."""
    return RIVER_X_KM + 0.4 * math.sin(y / 2.3) + 0.15 * math.sin(y / 0.9)


def _crossing(a: np.ndarray, b: np.ndarray) -> str | None:
    """What a street segment from ``a`` to ``b`` (km) crosses: "river", "railway" or None."""
    if (a[0] - river_x(a[1])) * (b[0] - river_x(b[1])) < 0:
        return "river"
    if (a[1] - RAILWAY_Y_KM) * (b[1] - RAILWAY_Y_KM) < 0:
        return "railway"
    return None


def build(seed: int) -> tuple[list[tuple[float, float]], list[tuple[list[int], dict[str, str]]]]:
    """The nodes (lon, lat) and ways (node indices, tags) of the sample's streets."""
    g = _sample_generator()
    rng = np.random.default_rng(seed)
    outline = g.polygon_to_km(g.OUTLINE)
    g.build_districts(outline)
    streets = g.build_streets(outline, rng)  # the same draw as the sample's: the grid its shops face
    reach = outline.buffer(BEYOND_KM)
    n = len(streets.names)
    kinds = ["ew" if abs(streets.direction[k][0]) > abs(streets.direction[k][1]) else "ns" for k in range(n)]
    # Where each street crosses each other street (km), and each street's own points along it.
    along: list[list[float]] = [[] for _ in range(n)]
    crossing_key: dict[tuple[int, float], int] = {}
    points: list[tuple[float, float]] = []

    def point_on(k: int, t: float) -> np.ndarray:
        return streets.normal[k] * streets.offset[k] + streets.direction[k] * t

    for i in range(n):
        for j in range(i + 1, n):
            if kinds[i] == kinds[j]:
                continue
            system = np.array([streets.normal[i], streets.normal[j]])
            p = np.linalg.solve(system, np.array([streets.offset[i], streets.offset[j]]))
            if not reach.contains(Point(float(p[0]), float(p[1]))):
                continue
            node = len(points)
            points.append((float(p[0]), float(p[1])))
            for k in (i, j):
                t = round(float(p @ streets.direction[k]), 9)
                along[k].append(t)
                crossing_key[(k, t)] = node
    ways: list[tuple[list[int], dict[str, str]]] = []
    primary = {k for k in range(n) if (k % 4) == 0}
    secondary = {k for k in range(n) if (k % 4) == 2}
    ns_by_x = sorted((k for k in range(n) if kinds[k] == "ns"), key=lambda k: streets.offset[k])
    ew_by_y = sorted((k for k in range(n) if kinds[k] == "ew"), key=lambda k: streets.offset[k])

    def nearest(candidates: list[int], target: float, axis: int) -> int:
        return min(candidates, key=lambda k: abs(float(point_on(k, 0.0)[axis]) - target))

    bridges = {nearest(ew_by_y, y, 1) for y in BRIDGES_Y_KM}
    underpasses = {nearest(ns_by_x, x, 0) for x in UNDERPASSES_X_KM}
    west = max((k for k in ns_by_x if point_on(k, 0.0)[0] < 0), key=lambda k: point_on(k, 0.0)[0])
    east = min((k for k in ns_by_x if point_on(k, 0.0)[0] > 0), key=lambda k: point_on(k, 0.0)[0])
    one_way = {west: "north", east: "south"}
    for k in range(n):
        crossings = sorted(set(along[k]))
        if len(crossings) < 2:
            continue
        # The street's nodes: its crossings, and points between them every NODE_SPACING_KM.
        nodes: list[tuple[float, int]] = []
        for a, b in itertools.pairwise(crossings):
            nodes.append((a, crossing_key[(k, a)]))
            pieces = max(1, round((b - a) / NODE_SPACING_KM))
            for s in range(1, pieces):
                t = a + (b - a) * s / pieces
                p = point_on(k, t)
                nodes.append((t, len(points)))
                points.append((float(p[0]), float(p[1])))
        nodes.append((crossings[-1], crossing_key[(k, crossings[-1])]))
        tags = {"highway": "primary" if k in primary else "secondary" if k in secondary else "residential",
                "name": streets.names[k]}
        if k in primary:
            tags["maxspeed"] = "40"
        elif k in secondary:
            tags["maxspeed"] = "30"
        if k in bridges:
            tags["bridge_over"] = "虞河"
        # Cut the street into ways: at the river and the railway (unless it bridges or passes
        # under), and around its one-way stretch.
        current: list[int] = [nodes[0][1]]
        current_oneway: str | None = None

        def close(refs: list[int], direction: str | None, tags: dict[str, str] = tags,
                  northward: bool = bool(streets.direction[k][1] > 0)) -> None:
            if len(refs) < 2:
                return
            way_tags = dict(tags)
            if direction is not None:
                way_tags["oneway"] = "yes"
                if (direction == "north") != northward:
                    refs.reverse()  # the caller starts a new list after each way
            ways.append((refs, way_tags))

        for (t_a, a), (t_b, b) in itertools.pairwise(nodes):
            crossed = _crossing(np.array(points[a]), np.array(points[b]))
            blocked = (crossed == "river" and k not in bridges) or (crossed == "railway" and k not in underpasses)
            mid = point_on(k, 0.5 * (t_a + t_b))
            direction = one_way.get(k) if ONE_WAY_Y_KM[0] <= mid[1] <= ONE_WAY_Y_KM[1] else None
            if blocked:
                close(current, current_oneway)
                current, current_oneway = [b], None
                continue
            if direction != current_oneway:
                close(current, current_oneway)
                current, current_oneway = [a], direction
            current.append(b)
        close(current, current_oneway)
    lonlat = []
    for x, y in points:
        lon, lat = g.to_lonlat(x, y)
        lonlat.append((float(lon), float(lat)))
    return lonlat, ways


def osm_xml(nodes: list[tuple[float, float]], ways: list[tuple[list[int], dict[str, str]]]) -> str:
    """The network as OpenStreetMap XML (only the nodes that ways use)."""
    used = sorted({i for refs, _ in ways for i in refs})
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<osm version="0.6" generator="routeplan data/samples/generate_kuiwen_roads.py">']
    for i in used:
        lon, lat = nodes[i]
        lines.append(f'  <node id="{i + 1}" lat="{lat:.7f}" lon="{lon:.7f}"/>')
    for w, (refs, tags) in enumerate(ways, start=1):
        lines.append(f'  <way id="{w}">')
        lines += [f'    <nd ref="{i + 1}"/>' for i in refs]
        lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in sorted(tags.items())]
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


def generate(out: Path, seed: int) -> Path:
    """Write the scenario folder ``out`` (replacing it only once complete, as the sample's own
    generator does)."""
    g = _sample_generator()

    def write(stage: Path, rng: np.random.Generator) -> None:
        g.write_folder(stage, rng)
        # Without the sample's lunch: this sample's benchmark figures are of days without one.
        toml = (stage / "scenario.toml").read_text(encoding="utf-8").replace(g.LUNCH_TOML, "")
        haversine = 'model = "haversine"\nspeed_kmh = 20.0\ndetour_factor = 1.3\n'
        assert haversine in toml, "the sample's travel table changed: update this generator"
        toml = toml.replace(
            "# assumption: straight-line distance x 1.3 for the street network, 20 km/h in town traffic.\n",
            "# assumption: the street network of roads.osm (generate_kuiwen_roads.py: the sample's grid with a\n"
            "# river, a railway, one-way streets and faster arterials); 20 km/h from a shop to its street.\n")
        toml = toml.replace(haversine, 'model = "road"\nnetwork = "roads.osm"\nspeed_kmh = 20.0\n')
        toml = toml.replace('name = "kuiwen"', 'name = "kuiwen-roads"')
        (stage / "scenario.toml").write_text(toml, encoding="utf-8")
        nodes, ways = build(seed)
        (stage / "roads.osm").write_text(osm_xml(nodes, ways), encoding="utf-8")

    return g.generate(out, seed, write=write)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    out = generate(args.out, args.seed)
    print(f"wrote {out} (scenario.toml, customers.csv, managers.csv, districts.geojson, roads.osm; seed {args.seed})")


if __name__ == "__main__":
    main()
