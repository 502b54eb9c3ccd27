"""Reading road networks: osmnx GraphML, OpenStreetMap XML (``.osm``) and PBF (``.osm.pbf``).

Every reader returns a :class:`~routeplan.roads.network.RoadNetwork` built by the contract's
rules (section 4) and this project's (:mod:`routeplan.roads.rules`):

- **GraphML** (as osmnx writes it, or any GraphML whose nodes carry ``x`` = lon and ``y`` =
  lat): each edge u->v is driven from u to v, both ways in an undirected graph (and in a
  directed graph, where an edge says ``oneway = False``, the way back is only added when the
  file has it). ``length`` is metres (else the great-circle distance of the ends);
  ``travel_time`` seconds, else ``length / speed_kph``, else the speed of the edge's
  ``maxspeed`` or ``highway`` type (:func:`~routeplan.roads.rules.way_speed_kmh`), else the
  scenario's ``speed_kmh``.
- **OpenStreetMap** extracts: driven ways by :mod:`routeplan.roads.rules`, each segment between
  consecutive nodes of a way an edge (both ways unless one way). ``.osm.pbf`` is read with
  pyosmium (``pip install "routeplan[roads]"``); ``.osm`` XML with the standard library.

A file that cannot be read, or holds no driven road, is a :class:`~routeplan.errors.ScenarioError`
naming the file and what was expected.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..errors import InputIssue, ScenarioError
from ..model.travel import haversine_km
from .network import RoadNetwork
from .rules import directions, is_driven, way_speed_kmh

logger = logging.getLogger(__name__)

SUFFIXES = (".graphml", ".osm", ".osm.pbf")
"""The road network files read (by name ending)."""
RULES_VERSION = "1"
"""Part of every network's fingerprint: change it when :mod:`routeplan.roads.rules` changes, so
that cached travel tables of the old rules are not reused."""


def file_key(path: str | Path) -> tuple[str, int, int]:
    """What tells a file's versions apart for a cache held by a process: its full path, size
    and change time (the size and time -1 for a file that cannot be read; reading it then says
    why)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def read_network(path: str | Path, *, speed_kmh: float, label: str | None = None) -> RoadNetwork:
    """Read the road network at ``path`` (by its ending, :data:`SUFFIXES`); ``speed_kmh`` is the
    speed of edges that carry none; ``label`` names the file in messages (default: its name)."""
    path = Path(path)
    label = label or path.name
    if not path.is_file():
        raise ScenarioError(InputIssue(label, f"road network file not found: {path}"))
    name = path.name.lower()
    try:
        if name.endswith(".graphml"):
            parts = _read_graphml(path, speed_kmh, label)
        elif name.endswith((".osm.pbf", ".pbf")):
            parts = _read_pbf(path, speed_kmh, label)
        elif name.endswith(".osm"):
            parts = _read_osm_xml(path, speed_kmh, label)
        else:
            raise ScenarioError(InputIssue(label, f"expected a road network file ending in {', '.join(SUFFIXES)}",
                                           column="travel.network"))
    except ET.ParseError as error:
        raise ScenarioError(InputIssue(label, f"not well-formed XML ({error})")) from error
    network = _assemble(parts, name=label, digest=_digest(path, speed_kmh))
    if network.num_edges == 0:
        raise ScenarioError(InputIssue(label, "holds no driven road (expected ways tagged highway=... or GraphML "
                                              "edges between nodes with x and y)"))
    logger.info("read %s: %d nodes, %d directed edges", label, network.num_nodes, network.num_edges)
    return network


def _digest(path: Path, speed_kmh: float) -> str:
    h = hashlib.sha256()
    h.update(f"rules {RULES_VERSION} speed {speed_kmh!r}\n".encode())
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:32]


_Parts = tuple[list[str], list[float], list[float], list[int], list[int], list[float], list[float]]
"""Node ids, lons, lats; edge tails, heads, metres, seconds."""


def _assemble(parts: _Parts, *, name: str, digest: str) -> RoadNetwork:
    """The network of the lists a reader filled (:data:`_Parts`)."""
    ids, lon, lat, tail, head, metres, seconds = parts
    return RoadNetwork(lon=np.array(lon, dtype=float), lat=np.array(lat, dtype=float),
                       tail=np.array(tail, dtype=np.int64), head=np.array(head, dtype=np.int64),
                       length_m=np.array(metres, dtype=float), seconds=np.array(seconds, dtype=float),
                       name=name, digest=digest, node_ids=tuple(ids))


def _local(tag: str) -> str:
    """An XML tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_graphml(path: Path, speed_kmh: float, label: str) -> _Parts:
    keys: dict[str, str] = {}  # GraphML key id -> attribute name
    directed = True
    ids: list[str] = []
    lon: list[float] = []
    lat: list[float] = []
    index: dict[str, int] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []
    for _, element in ET.iterparse(path, events=("end",)):
        tag = _local(element.tag)
        if tag == "key":
            keys[element.get("id", "")] = element.get("attr.name", element.get("id", ""))
        elif tag == "graph":
            directed = element.get("edgedefault", "directed") == "directed"
        elif tag == "node":
            data = {keys.get(d.get("key", ""), d.get("key", "")): (d.text or "") for d in element
                    if _local(d.tag) == "data"}
            x, y = _number(data.get("x")), _number(data.get("y"))
            node = element.get("id", "")
            if x is None or y is None or not (-180 <= x <= 180 and -90 <= y <= 90):
                raise ScenarioError(InputIssue(label, f"node '{node}' needs numbers x (lon) and y (lat) in degrees"))
            index[node] = len(ids)
            ids.append(node)
            lon.append(x)
            lat.append(y)
            element.clear()
        elif tag == "edge":
            data = {keys.get(d.get("key", ""), d.get("key", "")): (d.text or "") for d in element
                    if _local(d.tag) == "data"}
            edge_directed = element.get("directed")
            if edge_directed is not None:
                data["_directed"] = edge_directed
            edges.append((element.get("source", ""), element.get("target", ""), data))
            element.clear()
    tail: list[int] = []
    head: list[int] = []
    metres: list[float] = []
    seconds: list[float] = []
    for source, target, data in edges:
        if source not in index or target not in index:
            missing = source if source not in index else target
            raise ScenarioError(InputIssue(label, f"an edge names node '{missing}', which the file does not have"))
        u, v = index[source], index[target]
        length = _number(data.get("length"))
        if length is None or length < 0:
            length = 1000.0 * float(haversine_km(lon[u], lat[u], lon[v], lat[v]))
        time = _number(data.get("travel_time"))
        if time is None or time < 0:
            speed = _number(data.get("speed_kph"))
            if speed is None or speed <= 0:
                speed = way_speed_kmh(data, speed_kmh)
            time = length / 1000.0 / speed * 3600.0
        both = not directed if "_directed" not in data else data["_directed"] == "false"
        for a, b in ((u, v), (v, u)) if both else ((u, v),):
            tail.append(a)
            head.append(b)
            metres.append(length)
            seconds.append(time)
    return ids, lon, lat, tail, head, metres, seconds


def _ways_to_edges(ways: Iterable[tuple[list[str], dict[str, str]]], position: dict[str, tuple[float, float]],
                   speed_kmh: float, label: str) -> _Parts:
    """Edges of the driven ways (node refs, tags), the nodes they use numbered in order of use."""
    ids: list[str] = []
    lon: list[float] = []
    lat: list[float] = []
    index: dict[str, int] = {}
    tail: list[int] = []
    head: list[int] = []
    metres: list[float] = []
    seconds: list[float] = []
    missing = 0
    for refs, tags in ways:
        forward, backward = directions(tags)
        speed = way_speed_kmh(tags, speed_kmh)
        known = [r for r in refs if r in position]
        missing += len(refs) - len(known)  # an extract cut at its border drops nodes of its ways
        for node in known:
            if node not in index:
                index[node] = len(ids)
                ids.append(node)
                lon.append(position[node][0])
                lat.append(position[node][1])
        for a, b in itertools.pairwise(known):
            u, v = index[a], index[b]
            if u == v:
                continue
            length = 1000.0 * float(haversine_km(lon[u], lat[u], lon[v], lat[v]))
            time = length / 1000.0 / speed * 3600.0
            for x, y, on in ((u, v, forward), (v, u, backward)):
                if on:
                    tail.append(x)
                    head.append(y)
                    metres.append(length)
                    seconds.append(time)
    if missing:
        logger.info("%s: %d way nodes lie outside the extract (dropped)", label, missing)
    return ids, lon, lat, tail, head, metres, seconds


def _read_osm_xml(path: Path, speed_kmh: float, label: str) -> _Parts:
    position: dict[str, tuple[float, float]] = {}
    ways: list[tuple[list[str], dict[str, str]]] = []
    for _, element in ET.iterparse(path, events=("end",)):
        tag = element.tag
        if tag == "node":
            x, y = _number(element.get("lon")), _number(element.get("lat"))
            if x is not None and y is not None:
                position[element.get("id", "")] = (x, y)
            element.clear()
        elif tag == "way":
            tags = {t.get("k", ""): t.get("v", "") for t in element if t.tag == "tag"}
            if is_driven(tags):
                ways.append(([n.get("ref", "") for n in element if n.tag == "nd"], tags))
            element.clear()
        elif tag == "relation":
            element.clear()
    return _ways_to_edges(ways, position, speed_kmh, label)


def _read_pbf(path: Path, speed_kmh: float, label: str) -> _Parts:
    try:
        import osmium  # noqa: PLC0415 - optional (the "roads" extra), only for .osm.pbf
    except ImportError as error:
        raise ScenarioError(InputIssue(label, 'reading .osm.pbf needs pyosmium: pip install "routeplan[roads]" '
                                              "(or convert the extract to .osm XML or GraphML)")) from error
    position: dict[str, tuple[float, float]] = {}
    ways: list[tuple[list[str], dict[str, str]]] = []

    class Collect(osmium.SimpleHandler):
        def way(self, way: object) -> None:
            tags = {t.k: t.v for t in way.tags}  # type: ignore[attr-defined]
            if not is_driven(tags):
                return
            refs = []
            for node in way.nodes:  # type: ignore[attr-defined]
                ref = str(node.ref)
                if node.location.valid():
                    position[ref] = (node.location.lon, node.location.lat)
                refs.append(ref)
            ways.append((refs, tags))

    try:
        Collect().apply_file(str(path), locations=True)
    except RuntimeError as error:
        raise ScenarioError(InputIssue(label, f"cannot read the OpenStreetMap extract ({error})")) from error
    return _ways_to_edges(ways, position, speed_kmh, label)
