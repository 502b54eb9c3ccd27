"""Travel times and distances along a road network (the contract's ``model = "road"``).

Every point snaps to the nearest node (great circle) of the network's largest strongly connected
part; ``access(p)`` is the great-circle km from the point to its node, ridden at the scenario's
``speed_kmh``. Between two points: access, the fastest path between their nodes, access (zero
from a point to itself). Paths are found by Dijkstra's algorithm on the network's arrays
(compiled, one search per origin, stopping once every destination asked for is settled), so
that a table over the points of one part costs time in proportion to the part and memory in
proportion to the table, never to all customers. The length of a path is that of the fastest
path found (the contract accepts any of several equally fast).

:class:`RoadTravel` serves the three shapes of :class:`~routeplan.model.travel.TravelModel`:
dense ``matrices`` over one part's points (cached on disk, keyed by the network's fingerprint
and the points: plan, compare and map reuse them), ``pairs`` and ``nearest``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from ..model.travel import haversine_km, nearest_by_straight_line, unit_vectors
from .chains import build_chains
from .dijkstra import chain_own_targets, chain_point_tables, chain_tables, path
from .files import file_key, read_network
from .network import RoadNetwork

logger = logging.getLogger(__name__)

FAR_ACCESS_KM = 0.5
"""A point this far or farther from the nearest road node is reported (the plan rides that
access at ``speed_kmh``: check the point or the network)."""
CACHE_ENV = "ROUTEPLAN_CACHE"
"""Environment variable naming the folder of cached travel tables (default
``~/.cache/routeplan``; ``off`` for none)."""
TABLE_VERSION = 2
"""Part of the cache key: raised whenever the way tables are computed changes."""
CACHE_MIN_POINTS = 200
"""Tables over fewer points are computed, not cached (faster than reading them)."""


class _Router:
    """The network's arrays as the kernels read them (the fastest of parallel edges, by origin),
    the snapping tree, and work arrays reused between searches (one search at a time)."""

    def __init__(self, network: RoadNetwork):
        graph = network.time_graph()
        lengths = network.length_graph()
        self.indptr = graph.indptr.astype(np.int64)
        self.indices = graph.indices.astype(np.int64)
        self.seconds = graph.data.astype(np.float64)
        self.metres = lengths.data.astype(np.float64)
        n = network.num_nodes
        self.reached = np.zeros(n, dtype=np.int64)
        self.done = np.zeros(n, dtype=np.int64)
        self.wanted = np.zeros(n, dtype=np.int64)
        self.dist = np.zeros(n)
        self.length = np.zeros(n)
        self.previous = np.zeros(n, dtype=np.int64)
        self.heap_key = np.zeros(len(self.indices) + 3)
        self.heap_node = np.zeros(len(self.indices) + 3, dtype=np.int64)
        chains = build_chains(graph, lengths)
        # The junction graph and each node's ends, in the order the chain kernels take them.
        self.chains = (chains.indptr, chains.indices, chains.seconds, chains.metres, chains.chain_of,
                       chains.position, chains.chain_fwd, chains.chain_bwd, chains.head_in, chains.tail_in,
                       chains.exit_node, chains.exit_cost, chains.entry_node, chains.entry_cost)
        self.junctions = chains.junctions
        self.stamp = 0
        self.lock = threading.Lock()
        self.component = network.largest_strong_component()
        self.tree = cKDTree(unit_vectors(network.lon[self.component], network.lat[self.component]))
        self.lon, self.lat = network.lon, network.lat

    def _stamps(self, count: int) -> int:
        first = self.stamp + 1
        self.stamp += count + 1
        return first

    def _work(self) -> tuple[np.ndarray, ...]:
        return (self.reached, self.done, self.wanted, self.dist, self.length, self.previous, self.heap_key,
                self.heap_node)

    def shared(self, sources: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Path seconds and metres from each node of ``sources`` to each of ``targets``."""
        out_s = np.empty((len(sources), len(targets)))
        out_m = np.empty((len(sources), len(targets)))
        with self.lock:
            chain_tables(*self.chains, sources.astype(np.int64), targets.astype(np.int64), out_s, out_m,
                         self._stamps(len(sources)), *self._work())
        return out_s, out_m

    def own(self, sources: np.ndarray, first: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Path seconds and metres from node ``sources[i]`` to each of ``targets[first[i]:first[i + 1]]``."""
        out_s = np.empty(len(targets))
        out_m = np.empty(len(targets))
        with self.lock:
            chain_own_targets(*self.chains, sources.astype(np.int64), first.astype(np.int64),
                              targets.astype(np.int64), out_s, out_m, self._stamps(len(sources)), *self._work())
        return out_s, out_m

    def point_tables(self, nodes: np.ndarray, access_km: np.ndarray, speed_kmh: float) -> tuple[np.ndarray, np.ndarray]:
        """km and minutes between points at ``nodes`` with ``access_km`` to them (see
        :func:`~routeplan.roads.dijkstra.chain_point_tables`)."""
        unique, point_node = np.unique(nodes, return_inverse=True)
        members = np.argsort(point_node, kind="stable")
        first = np.searchsorted(point_node[members], np.arange(len(unique) + 1))
        km = np.empty((len(nodes), len(nodes)))
        minutes = np.empty((len(nodes), len(nodes)))
        with self.lock:
            chain_point_tables(*self.chains, unique.astype(np.int64), point_node.astype(np.int64),
                               members.astype(np.int64), first.astype(np.int64), access_km.astype(np.float64),
                               float(speed_kmh), km, minutes, self._stamps(len(unique)), *self._work())
        return km, minutes

    def path(self, source: int, target: int) -> np.ndarray:
        """The nodes of the fastest path from node ``source`` to node ``target``."""
        with self.lock:
            return np.asarray(path(self.indptr, self.indices, self.seconds, self.metres, int(source), int(target),
                                   self._stamps(1), self.reached, self.done, self.wanted, self.dist, self.length,
                                   self.previous, self.heap_key, self.heap_node))

    def snap(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each point's node (of the largest strongly connected part) and its access km."""
        lon, lat = np.asarray(lon, dtype=float).ravel(), np.asarray(lat, dtype=float).ravel()
        if not len(lon):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        _, nearest = self.tree.query(unit_vectors(lon, lat))
        nodes = self.component[np.asarray(nearest, dtype=np.int64)]
        return nodes, haversine_km(lon, lat, self.lon[nodes], self.lat[nodes])


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RoadTravel:
    """Travel along ``network`` (see the module docstring); ``speed_kmh`` rides the access legs.

    Parameters
    ----------
    network
        The road graph.
    speed_kmh
        Speed between a point and its node.
    cache_dir
        Folder of cached tables (None: ``$ROUTEPLAN_CACHE``, else ``~/.cache/routeplan``;
        the environment variable set to ``off`` turns caching off).
    """

    network: RoadNetwork
    speed_kmh: float = 20.0
    cache_dir: str | None = None
    _router: list[_Router] = field(default_factory=list, repr=False)

    @property
    def symmetric(self) -> bool:
        return False

    def router(self) -> _Router:
        if not self._router:
            self._router.append(_Router(self.network))
        return self._router[0]

    def snap(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each point's road node and its distance to it (great-circle km)."""
        return self.router().snap(lon, lat)

    def leg_lines(self, lon: np.ndarray, lat: np.ndarray) -> list[list[tuple[float, float]]]:
        """For consecutive points (a route's stops), each leg's line along the streets: the point,
        the nodes of the fastest path between their nodes, the next point."""
        nodes, _ = self.snap(lon, lat)
        router = self.router()
        lines = []
        for i in range(len(nodes) - 1):
            line = [(float(lon[i]), float(lat[i]))]
            if nodes[i] != nodes[i + 1]:
                line += [(float(router.lon[v]), float(router.lat[v])) for v in router.path(nodes[i], nodes[i + 1])]
            line.append((float(lon[i + 1]), float(lat[i + 1])))
            lines.append(line)
        return lines

    def _combine(self, path_s: np.ndarray, path_m: np.ndarray, access_a: np.ndarray,
                 access_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        km = access_a + path_m / 1000.0 + access_b
        minutes = (access_a + access_b) / self.speed_kmh * 60.0 + path_s / 60.0
        return km, minutes

    def matrices(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        cached = self._cached(lon, lat)
        if cached is not None:
            return cached
        nodes, access = self.snap(lon, lat)
        km, minutes = self.router().point_tables(nodes, access, self.speed_kmh)
        self._store(lon, lat, km, minutes)
        return km, minutes

    def pairs(self, lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray,
              lat2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        shape = np.broadcast_shapes(np.shape(lon1), np.shape(lat1), np.shape(lon2), np.shape(lat2))
        a_lon, a_lat, b_lon, b_lat = (np.broadcast_to(np.asarray(v, dtype=float), shape).ravel()
                                      for v in (lon1, lat1, lon2, lat2))
        a_node, a_access = self.snap(a_lon, a_lat)
        b_node, b_access = self.snap(b_lon, b_lat)
        order = np.argsort(a_node, kind="stable")
        sources, first = np.unique(a_node[order], return_index=True)
        path_s = np.empty(len(order))
        path_m = np.empty(len(order))
        if len(order):
            s, m = self.router().own(sources, np.append(first, len(order)), b_node[order])
            path_s[order], path_m[order] = s, m
        km, minutes = self._combine(path_s, path_m, a_access, b_access)
        same = (a_lon == b_lon) & (a_lat == b_lat)
        km[same] = 0.0
        minutes[same] = 0.0
        return km.reshape(shape), minutes.reshape(shape)

    def nearest(self, lon: np.ndarray, lat: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # Candidates by the great circle (four times as many), then the k fastest of them by road.
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        n = len(lon)
        k = min(k, n - 1)
        if k <= 0:
            return np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0)), np.zeros((n, 0))
        candidates = nearest_by_straight_line(unit_vectors(lon, lat), max(4 * k, k + 8))
        km, minutes = self.pairs(lon[:, None], lat[:, None], lon[candidates], lat[candidates])
        best = np.argsort(minutes, axis=1, kind="stable")[:, :k]
        take = np.take_along_axis
        return take(candidates, best, axis=1), take(km, best, axis=1), take(minutes, best, axis=1)

    # -- the disk cache of tables ---------------------------------------------------------------

    def _cache_path(self, lon: np.ndarray, lat: np.ndarray) -> Path | None:
        if len(lon) < CACHE_MIN_POINTS or not self.network.digest:
            return None
        folder = self.cache_dir or os.environ.get(CACHE_ENV) or str(Path.home() / ".cache" / "routeplan")
        if folder == "off":
            return None
        key = hashlib.sha256()
        key.update(f"{self.network.digest} {self.speed_kmh!r} {len(lon)} {TABLE_VERSION}".encode())
        key.update(np.ascontiguousarray(lon, dtype=np.float64).tobytes())
        key.update(np.ascontiguousarray(lat, dtype=np.float64).tobytes())
        return Path(folder) / "travel" / f"{key.hexdigest()[:40]}.npz"

    def _cached(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        path = self._cache_path(lon, lat)
        if path is None or not path.is_file():
            return None
        try:
            with np.load(path) as stored:
                km, minutes = stored["km"].astype(np.float64), stored["minutes"].astype(np.float64)
        except (OSError, ValueError, KeyError):
            logger.info("ignored an unreadable travel cache entry %s", path)
            return None
        if km.shape != (len(lon), len(lon)) or minutes.shape != km.shape:
            return None
        logger.info("travel table of %d points read from the cache", len(lon))
        return km, minutes

    def _store(self, lon: np.ndarray, lat: np.ndarray, km: np.ndarray, minutes: np.ndarray) -> None:
        path = self._cache_path(lon, lat)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.stem}.{os.getpid()}.partial.npz")
            # float64 kept: the plan's times follow these tables to the second, read back or not.
            np.savez(partial, km=km, minutes=minutes)
            partial.replace(path)
        except OSError as error:
            logger.info("could not cache a travel table (%s)", error)


_LOADED: dict[tuple[tuple[str, int, int], float], RoadTravel] = {}
_LOADING = threading.Lock()


def road_travel(path: str | Path, *, speed_kmh: float) -> RoadTravel:
    """The road travel of the network file at ``path``, read once per process (and again when
    the file changes)."""
    key = (file_key(path), float(speed_kmh))
    with _LOADING:
        if key not in _LOADED:
            _LOADED[key] = RoadTravel(network=read_network(path, speed_kmh=speed_kmh), speed_kmh=speed_kmh)
        return _LOADED[key]
