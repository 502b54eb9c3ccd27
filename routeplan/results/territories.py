"""How compact a plan's territories are: the overlap of managers' territory hulls and the mean
distance of a manager's customers to its territory's centre.

A territory is the convex hull of the customers a manager serves, measured in kilometres on a
local projection (equirectangular about the customers' mean position, exact enough over a city).
Overlap is measured within each group of interchangeable managers, as the department hands out
lines within one role that should not overlap (a city-wide specialist crossing a medium-tier
territory is expected): the share of the group's territory area that lies in two or more hulls.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shapely import MultiPoint, Polygon, STRtree, unary_union

from ..model.problem import Problem
from ..model.travel import local_xy_km


@dataclass(frozen=True, slots=True, kw_only=True)
class TerritoryFigures:
    """One manager's territory: hull area (km^2) and mean distance to its centre (km)."""

    manager_id: str
    customers: int
    area_km2: float
    mean_centre_km: float


@dataclass(frozen=True, slots=True, kw_only=True)
class TerritoryReport:
    """Compactness of every manager's territory and the overlap within each group."""

    managers: tuple[TerritoryFigures, ...]
    group_overlap: tuple[tuple[tuple[str, ...], float], ...]  # (group, overlapping share of its area)

    @property
    def hull_overlap(self) -> float:
        """The largest overlapping share of a group's territory area (0: no two lines overlap)."""
        return max((share for _, share in self.group_overlap), default=0.0)

    @property
    def mean_centre_km(self) -> float:
        """Mean distance of a customer to its manager's territory centre, over all customers."""
        served = sum(m.customers for m in self.managers)
        return sum(m.mean_centre_km * m.customers for m in self.managers) / served if served else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The figures written to summary.json."""
        return {"hull_overlap": round(self.hull_overlap, 5), "mean_centre_km": round(self.mean_centre_km, 4),
                "groups": [{"managers": list(group), "hull_overlap": round(share, 5)}
                           for group, share in self.group_overlap],
                "managers": {m.manager_id: {"area_km2": round(m.area_km2, 3),
                                            "mean_centre_km": round(m.mean_centre_km, 4)} for m in self.managers}}


def territory_report(problem: Problem, assignment: Mapping[str, str],
                     groups: Sequence[Sequence[str]]) -> TerritoryReport:
    """Measure the territories of ``assignment`` (customer id -> manager id) over ``groups`` of
    interchangeable manager ids."""
    customers = [c for c in problem.customers if c.customer_id in assignment]
    if not customers:
        return TerritoryReport(managers=(), group_overlap=())
    xy = local_xy_km([c.lon for c in customers], [c.lat for c in customers])
    points: dict[str, list[tuple[float, float]]] = {}
    for c, (x, y) in zip(customers, xy, strict=True):
        points.setdefault(assignment[c.customer_id], []).append((float(x), float(y)))
    hulls: dict[str, Polygon] = {}
    figures = []
    for m in problem.managers:
        own = points.get(m.manager_id, [])
        if not own:
            continue
        cx = sum(x for x, _ in own) / len(own)
        cy = sum(y for _, y in own) / len(own)
        hull = MultiPoint(own).convex_hull
        hulls[m.manager_id] = hull if isinstance(hull, Polygon) else Polygon()
        figures.append(TerritoryFigures(manager_id=m.manager_id, customers=len(own), area_km2=float(hull.area),
                                        mean_centre_km=sum(math.hypot(x - cx, y - cy) for x, y in own) / len(own)))
    overlaps = []
    for group in groups:
        shapes = [hulls[mid] for mid in group if mid in hulls and not hulls[mid].is_empty]
        if len(shapes) < 2:
            continue
        union = unary_union(shapes).area
        covered_twice = _area_in_two_or_more(shapes)
        overlaps.append((tuple(group), covered_twice / union if union > 0 else 0.0))
    return TerritoryReport(managers=tuple(figures), group_overlap=tuple(overlaps))


def _area_in_two_or_more(shapes: Sequence[Polygon]) -> float:
    """Area covered by at least two of ``shapes``: the union of their pairwise intersections
    (pairs found through a spatial index: a province has thousands of territories)."""
    left, right = STRtree(shapes).query(shapes, predicate="intersects")
    pieces = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            piece = shapes[i].intersection(shapes[j])
            if piece.area > 0:
                pieces.append(piece)
    return float(unary_union(pieces).area) if pieces else 0.0
