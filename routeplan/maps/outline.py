"""A manager's territory as the maps draw it: the outline around its customers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import shapely
from shapely.geometry import MultiPoint, mapping
from shapely.geometry.base import BaseGeometry

#: How far (degrees) the outline is widened around the customers: a lone customer or a row of
#: them still shows as an area.
WIDEN_DEG = 0.002


def territory_hull(points: Sequence[tuple[float, float]]) -> BaseGeometry:
    """The outline of the places ``points`` (``(lon, lat)``, in a fixed order) as a shapely
    geometry: a concave hull (``ratio=0.4``) of four or more, the convex hull of fewer, widened
    by :data:`WIDEN_DEG` (empty without points)."""
    shape = MultiPoint(list(points))
    hull = shapely.concave_hull(shape, ratio=0.4) if len(points) >= 4 else shape.convex_hull
    return hull.buffer(WIDEN_DEG)


def territory_outline(points: Sequence[tuple[float, float]], *, digits: int | None = None) -> dict[str, Any]:
    """:func:`territory_hull` as a GeoJSON geometry, its coordinates rounded to ``digits``
    decimals if given (6: about 0.1 m; a third less JSON to send)."""
    geometry = mapping(territory_hull(points))
    return geometry if digits is None else _rounded(geometry, digits)


def _rounded(value: Any, digits: int) -> Any:
    """``value`` (a GeoJSON geometry or a part of one) with every number rounded."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {key: _rounded(item, digits) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(item, digits) for item in value]
    return value
