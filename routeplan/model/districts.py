"""Which administrative district each customer lies in."""

from __future__ import annotations

import numpy as np
from shapely.geometry import Point as ShapelyPoint

from .problem import Problem


def customer_districts(problem: Problem) -> tuple[str | None, ...]:
    """Each customer's district: its ``district`` column, else the polygon of districts.geojson
    covering it, else the district of the nearest customer that has one; all None when no
    customer has a district either way."""
    names: list[str | None] = [c.district for c in problem.customers]
    if any(n is None for n in names) and problem.districts:
        for i, c in enumerate(problem.customers):
            if names[i] is None:
                point = ShapelyPoint(c.lon, c.lat)
                names[i] = next((d.name for d in problem.districts if d.geometry.covers(point)), None)
    known = [i for i, n in enumerate(names) if n is not None]
    if known and len(known) < len(names):
        lon = np.array([c.lon for c in problem.customers])
        lat = np.array([c.lat for c in problem.customers])
        for i, n in enumerate(names):
            if n is None:
                j = known[int(np.argmin((lon[known] - lon[i]) ** 2 + (lat[known] - lat[i]) ** 2))]
                names[i] = names[j]
    return tuple(names)
