"""A manager's territory as the maps draw it: the outline around its customers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import shapely
from shapely.geometry import MultiPoint, mapping

#: How far (degrees) the outline is widened around the customers: a lone customer or a row of
#: them still shows as an area.
WIDEN_DEG = 0.002


def territory_outline(points: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """The outline of the places ``points`` (``(lon, lat)``, in a fixed order): a concave hull
    (``ratio=0.4``) of four or more, the convex hull of fewer, widened by :data:`WIDEN_DEG`, as
    a GeoJSON geometry (empty without points)."""
    shape = MultiPoint(list(points))
    hull = shapely.concave_hull(shape, ratio=0.4) if len(points) >= 4 else shape.convex_hull
    return mapping(hull.buffer(WIDEN_DEG))
