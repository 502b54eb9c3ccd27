"""Travel models: distance and time between points.

A travel model turns a list of points into a distance matrix (km) and a time matrix (minutes).
The haversine model is the default of the file contract; further models (a road network from a
networkx graph, a precomputed matrix) plug in by implementing :class:`TravelModel`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

EARTH_RADIUS_KM = 6371.0088


@runtime_checkable
class TravelModel(Protocol):
    """Anything that can give distance (km) and time (minutes) matrices for a set of points."""

    def matrices(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(km, minutes)``, both of shape ``(n, n)``, for ``n`` points."""
        ...


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in km between points given in WGS84 degrees (broadcasting)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    dlat = lat2 - lat1
    dlon = lon2 - lon1
    a = np.sin(dlat / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True, slots=True, kw_only=True)
class HaversineTravel:
    """Straight-line travel: great-circle km times a detour factor, at a constant speed.

    Parameters
    ----------
    speed_kmh
        Average travel speed.
    detour_factor
        Ratio of road distance to straight-line distance.
    """

    speed_kmh: float = 20.0
    detour_factor: float = 1.3

    def km(self, lon1, lat1, lon2, lat2) -> np.ndarray:
        """Road km between points (broadcasting)."""
        return haversine_km(lon1, lat1, lon2, lat2) * self.detour_factor

    def matrices(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        km = self.km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
        minutes = km / self.speed_kmh * 60.0
        return km, minutes


@dataclass(frozen=True, slots=True, kw_only=True)
class EuclideanTravel:
    """Plane distance in the points' own units, travelled at ``speed`` units per minute.

    Used for the classic benchmark instances, whose coordinates are abstract.
    """

    speed: float = 1.0

    def matrices(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.asarray(lon, dtype=float)
        y = np.asarray(lat, dtype=float)
        dist = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
        return dist, dist / self.speed


TRAVEL_MODELS = ("haversine",)
