"""Travel models: distance and time between points.

A travel model turns a list of points into a distance matrix (km) and a time matrix (minutes).
The haversine model is the default of the file contract; further models (a road network from a
networkx graph, a precomputed matrix) plug in by implementing :class:`TravelModel`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from numba import njit
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = 111.32
"""Kilometres per degree of latitude (and of longitude at the equator)."""


def local_xy_km(lon: npt.ArrayLike, lat: npt.ArrayLike) -> np.ndarray:
    """Points as ``(n, 2)`` kilometres east and north of their mean position (equirectangular
    about it: exact enough over a city, for shapes and clusters rather than travel)."""
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    lat0 = float(lat_a.mean()) if lat_a.size else 0.0
    lon0 = float(lon_a.mean()) if lon_a.size else 0.0
    return np.column_stack([(lon_a - lon0) * KM_PER_DEGREE * np.cos(np.radians(lat0)),
                            (lat_a - lat0) * KM_PER_DEGREE])


@runtime_checkable
class TravelModel(Protocol):
    """Distance (km) and time (minutes) between points, served three ways so that memory stays
    bounded whatever the number of customers: dense matrices only over the points of one
    sub-problem, the nearest neighbours of every point over the whole area, and single pairs."""

    def matrices(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(km, minutes)``, both of shape ``(n, n)``, for ``n`` points."""
        ...

    def pairs(self, lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray,
              lat2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(km, minutes)`` from each point ``(lon1[i], lat1[i])`` to ``(lon2[i], lat2[i])``."""
        ...

    def nearest(self, lon: np.ndarray, lat: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ``k`` points nearest in travel time from each point (itself excluded), as
        ``(index, km, minutes)``, each of shape ``(n, k)``, nearest first."""
        ...

    @property
    def symmetric(self) -> bool:
        """True when the way from a to b is as long as the way back."""
        ...


def unit_vectors(lon: npt.ArrayLike, lat: npt.ArrayLike) -> np.ndarray:
    """Points as ``(n, 3)`` unit vectors: straight distance between them orders points as the
    great circle does (what k-d trees of geographic points are built on)."""
    phi = np.radians(np.asarray(lat, dtype=float))
    lam = np.radians(np.asarray(lon, dtype=float))
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def nearest_by_straight_line(points: np.ndarray, k: int) -> np.ndarray:
    """Indices ``(n, k)`` of each point's ``k`` nearest others by straight distance (ties by index)."""
    n = len(points)
    k = min(k, n - 1)
    if k <= 0:
        return np.zeros((n, 0), dtype=np.int64)
    _, index = cKDTree(points).query(points, k=k + 1)
    index = np.asarray(index, dtype=np.int64).reshape(n, k + 1)
    # Drop each point itself (usually first; not always, when points coincide).
    own = index == np.arange(n)[:, None]
    own[~own.any(axis=1), -1] = True
    return index[~own].reshape(n, k)


def haversine_km(lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike) -> np.ndarray:
    """Great-circle distance in km between points given in WGS84 degrees (broadcasting; a
    0-dimensional result for single points)."""
    lam1, phi1, lam2, phi2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    dphi = phi2 - phi1
    dlam = lam2 - lam1
    a = np.sin(dphi / 2.0) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@njit(cache=True)
def _haversine_matrices(s_phi: np.ndarray, c_phi: np.ndarray, s_lam: np.ndarray, c_lam: np.ndarray,
                        cos_phi: np.ndarray, km_scale: float, minutes_per_km: float, km: np.ndarray,
                        minutes: np.ndarray) -> None:
    """Fill both matrices in one pass (they are large: every pass over them costs), using
    sin((b - a) / 2) = sin(b/2) cos(a/2) - cos(b/2) sin(a/2) with each point's half-angle sines
    and cosines computed once; the distance is symmetric, so each pair is computed once."""
    n = s_phi.shape[0]
    for i in range(n):
        km[i, i] = 0.0
        minutes[i, i] = 0.0
        for j in range(i + 1, n):
            half_dphi = s_phi[j] * c_phi[i] - c_phi[j] * s_phi[i]
            half_dlam = s_lam[j] * c_lam[i] - c_lam[j] * s_lam[i]
            a = half_dphi * half_dphi + cos_phi[i] * cos_phi[j] * half_dlam * half_dlam
            d = km_scale * np.arcsin(np.sqrt(min(max(a, 0.0), 1.0)))
            km[i, j] = d
            km[j, i] = d
            minutes[i, j] = d * minutes_per_km
            minutes[j, i] = d * minutes_per_km


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

    def km(self, lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike) -> np.ndarray:
        """Road km between points (broadcasting)."""
        return haversine_km(lon1, lat1, lon2, lat2) * self.detour_factor

    @property
    def symmetric(self) -> bool:
        return True

    def pairs(self, lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray,
              lat2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        km = self.km(lon1, lat1, lon2, lat2)
        return km, km * (60.0 / self.speed_kmh)

    def nearest(self, lon: np.ndarray, lat: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        index = nearest_by_straight_line(unit_vectors(lon, lat), k)
        lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        km, minutes = self.pairs(lon_a[:, None], lat_a[:, None], lon_a[index], lat_a[index])
        return index, km, minutes

    def matrices(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        n = len(lon)
        km = np.empty((n, n))
        minutes = np.empty((n, n))
        phi = np.radians(lat)
        lam = np.radians(lon)
        _haversine_matrices(np.sin(phi / 2.0), np.cos(phi / 2.0), np.sin(lam / 2.0), np.cos(lam / 2.0), np.cos(phi),
                            2.0 * EARTH_RADIUS_KM * self.detour_factor, 60.0 / self.speed_kmh, km, minutes)
        return km, minutes


@dataclass(frozen=True, slots=True, kw_only=True)
class EuclideanTravel:
    """Plane distance in the points' own units, travelled at ``speed`` units per minute.

    Used for the classic benchmark instances, whose coordinates are abstract.
    """

    speed: float = 1.0

    @property
    def symmetric(self) -> bool:
        return True

    def pairs(self, lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray,
              lat2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dist = np.hypot(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float),
                        np.asarray(lat2, dtype=float) - np.asarray(lat1, dtype=float))
        return dist, dist / self.speed

    def nearest(self, lon: np.ndarray, lat: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        index = nearest_by_straight_line(np.column_stack([x, y]), k)
        dist, minutes = self.pairs(x[:, None], y[:, None], x[index], y[index])
        return index, dist, minutes

    def matrices(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.asarray(lon, dtype=float)
        y = np.asarray(lat, dtype=float)
        dist = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
        return dist, dist / self.speed


TRAVEL_MODELS = ("haversine", "road", "matrix")
