"""Reading an OpenStreetMap extract (``.osm.pbf``, or ``.osm`` XML) with pyosmium for
``routeplan osm``: its shops and venues (:func:`read_outlets`, the tiers by
:mod:`routeplan.io.osm_tags`) and its driven streets, cut to a box (:func:`write_streets`).

pyosmium is the optional ``roads`` extra (``pip install "routeplan[roads]"``). Nothing is
downloaded: the extract is a file the user has.

- An outlet is a node, or a way (a building or an area drawn around the shop): ``n<id>`` or
  ``w<id>``, at the node, or at the mean of the way's distinct nodes. Relations (multipolygon
  shops, rare) are not read.
- The streets are the ways :func:`routeplan.roads.rules.is_driven` drives that have a node within
  :data:`STREET_MARGIN_KM` of the box, each whole (every node, also those outside), with only the
  tags the road rules read and the name: what the ``road`` travel model needs, much smaller than
  the extract.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputIssue, ScenarioError
from ..roads.rules import is_driven
from .osm_tags import OUTLET_TIERS, TAG_KEYS, business_type, outlet_address, outlet_name

EXTRACT_SUFFIXES = (".osm.pbf", ".pbf", ".osm")
"""The extract files read (by name ending)."""
STREET_MARGIN_KM = 1.0
"""Streets with a node this far outside the box are kept too: a shop at the box's edge may be
reached by a street that leaves it."""
STREET_TAGS = ("highway", "oneway", "junction", "maxspeed", "access", "vehicle", "motor_vehicle", "motorcar",
               "area", "name")
"""The tags a street keeps in the cut: those :mod:`routeplan.roads.rules` reads, and its name."""

BBox = tuple[float, float, float, float]
"""West, south, east, north (WGS84 degrees)."""


@dataclass(frozen=True, slots=True)
class Outlet:
    """One shop or venue of the extract that maps to a tier."""

    customer_id: str
    lon: float
    lat: float
    business_type: str
    name: str
    address: str


def _osmium() -> Any:
    try:
        import osmium  # noqa: PLC0415 - optional (the "roads" extra), only for OpenStreetMap extracts
    except ImportError as error:
        raise ScenarioError(InputIssue("extract", 'reading an OpenStreetMap extract needs pyosmium: '
                                                  'pip install "routeplan[roads]"')) from error
    return osmium


def check_extract(path: Path) -> None:
    """Raise :class:`ScenarioError` naming ``path`` unless it is a file with an extract's name."""
    if not path.is_file():
        raise ScenarioError(InputIssue(path.name, f"OpenStreetMap extract not found: {path}"))
    if not path.name.lower().endswith(EXTRACT_SUFFIXES):
        raise ScenarioError(InputIssue(path.name, f"expected an OpenStreetMap extract ending in "
                                                  f"{', '.join(EXTRACT_SUFFIXES)}"))


def _elements(path: Path, *keys: str) -> Iterator[Any]:
    """The extract's nodes and ways with one of ``keys``, ways with their nodes' locations; a
    file pyosmium cannot read is a :class:`ScenarioError` naming it."""
    osmium = _osmium()
    check_extract(path)
    try:
        processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
        yield from processor.with_filter(osmium.filter.KeyFilter(*keys))
    except RuntimeError as error:
        raise ScenarioError(InputIssue(path.name, f"cannot read the OpenStreetMap extract ({error})")) from error


def _inside(lon: float, lat: float, box: BBox | None) -> bool:
    return box is None or (box[0] <= lon <= box[2] and box[1] <= lat <= box[3])


def _way_points(way: Any) -> list[tuple[float, float]]:
    """The way's distinct located nodes (a closed way's last node, its first again, counted once)."""
    points: list[tuple[float, float]] = []
    seen: set[int] = set()
    for node in way.nodes:
        if node.ref in seen or not node.location.valid():
            continue
        seen.add(node.ref)
        points.append((node.location.lon, node.location.lat))
    return points


def read_outlets(path: str | Path, *, bbox: BBox | None = None,
                 classification: Mapping[str, str] = OUTLET_TIERS) -> list[Outlet]:
    """The shops and venues of the extract whose business type ``classification`` gives a tier
    (:func:`routeplan.io.osm_tags.business_type`), inside ``bbox`` if given, in file order
    (nodes, then ways; by id within each).

    Raises
    ------
    ScenarioError
        Naming the file when it is missing, not an extract, or cannot be read.
    """
    path = Path(path)
    outlets: list[Outlet] = []
    for element in _elements(path, *TAG_KEYS):
        tags = {tag.k: tag.v for tag in element.tags}
        kind = business_type(tags, classification)
        if kind is None:
            continue
        if element.is_node():
            if not element.location.valid():
                continue
            lon, lat, prefix = element.location.lon, element.location.lat, "n"
        else:
            points = _way_points(element)
            if not points:
                continue
            lon = math.fsum(p[0] for p in points) / len(points)
            lat = math.fsum(p[1] for p in points) / len(points)
            prefix = "w"
        if _inside(lon, lat, bbox):
            outlets.append(Outlet(customer_id=f"{prefix}{element.id}", lon=round(lon, 7), lat=round(lat, 7),
                                  business_type=kind, name=outlet_name(tags), address=outlet_address(tags)))
    return outlets


def _widened(box: BBox | None, km: float) -> BBox | None:
    if box is None:
        return None
    dlat = km / 110.574
    dlon = km / (111.320 * max(0.01, math.cos(math.radians(max(abs(box[1]), abs(box[3]))))))
    return (box[0] - dlon, box[1] - dlat, box[2] + dlon, box[3] + dlat)


def write_streets(path: str | Path, target: Path, *, bbox: BBox | None = None) -> int:
    """Write the extract's driven streets near ``bbox`` (all of them without one) to ``target``
    (``.osm.pbf``): see the module's docstring. Returns the number of ways written.

    Raises
    ------
    ScenarioError
        Naming the extract when it cannot be read or holds no driven street near the box.
    """
    path = Path(path)
    osmium = _osmium()
    reach = _widened(bbox, STREET_MARGIN_KM)
    nodes: dict[int, tuple[float, float]] = {}
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    for element in _elements(path, "highway"):
        if not element.is_way():
            continue
        tags = {tag.k: tag.v for tag in element.tags}
        if not is_driven(tags):
            continue
        located = [(node.ref, node.location.lon, node.location.lat) for node in element.nodes
                   if node.location.valid()]
        if len(located) < 2 or not any(_inside(lon, lat, reach) for _, lon, lat in located):
            continue
        for ref, lon, lat in located:
            nodes[ref] = (lon, lat)
        ways.append((element.id, [ref for ref, _, _ in located], {k: tags[k] for k in STREET_TAGS if k in tags}))
    if not ways:
        where = "" if bbox is None else f" within {STREET_MARGIN_KM:g} km of the box {_box_text(bbox)}"
        raise ScenarioError(InputIssue(path.name, f"holds no driven street (highway=...){where}"))
    if target.exists():
        target.unlink()
    writer = osmium.SimpleWriter(str(target))
    try:
        for ref in sorted(nodes):
            writer.add_node(osmium.osm.mutable.Node(id=ref, location=nodes[ref]))
        for way_id, refs, tags in sorted(ways, key=lambda w: w[0]):
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=tags))
    finally:
        writer.close()
    return len(ways)


def _box_text(box: BBox) -> str:
    return ",".join(f"{v:g}" for v in box)
