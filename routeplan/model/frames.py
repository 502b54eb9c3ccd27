"""Customers from a pandas DataFrame or a GeoDataFrame."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import InputIssue, ScenarioError

_FIELDS = ("customer_id", "lon", "lat", "tier", "business_type", "district", "value", "name", "address",
           "service_min", "window_start", "window_end", "visits", "min_gap", "locked_manager", "current_manager")


def customer_records(frame: Any) -> Iterator[tuple[dict[str, Any], tuple[str, int]]]:
    """Yield ``(values, origin)`` for each row of a customer frame.

    A GeoDataFrame with point geometries gives ``lon``/``lat`` from its geometry, reprojected to
    WGS84 when its CRS is another one. Rows are numbered from 1 in the origin.
    """
    columns = set(frame.columns)
    lonlat_from_geometry = False
    if hasattr(frame, "geometry") and getattr(frame, "_geometry_column_name", None) in columns:
        if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
            frame = frame.to_crs("EPSG:4326")
        lonlat_from_geometry = not {"lon", "lat"} <= columns
    if "customer_id" not in columns:
        raise ScenarioError(InputIssue("customers frame", "column 'customer_id' is missing", None, "customer_id"))
    if not lonlat_from_geometry and not {"lon", "lat"} <= columns:
        raise ScenarioError(InputIssue("customers frame", "need lon and lat columns or point geometries", None,
                                       "lon"))
    for number, (_, row) in enumerate(frame.iterrows(), start=1):
        values = {name: row[name] for name in _FIELDS if name in columns}
        if lonlat_from_geometry:
            geometry = row[frame._geometry_column_name]
            if geometry is None or geometry.is_empty or geometry.geom_type != "Point":
                values["lon"] = values["lat"] = None
            else:
                values["lon"], values["lat"] = geometry.x, geometry.y
        customer_id = values.pop("customer_id")
        yield {"customer_id": customer_id, **values}, ("customers frame", number)
