"""A road network as flat arrays: nodes with positions, directed edges with length and time.

A :class:`RoadNetwork` is what every reader of :mod:`routeplan.roads.files` returns and what
:class:`~routeplan.roads.travel.RoadTravel` routes on: the contract's graph (section 4), every
edge driven from ``tail`` to ``head`` (a road driven both ways is two edges). Parallel edges are
kept (the fastest wins in any path). Its :meth:`~RoadNetwork.largest_strong_component` is where
points snap to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True, eq=False, kw_only=True)
class RoadNetwork:
    """Directed road graph.

    Parameters
    ----------
    lon, lat
        Node positions (WGS84 degrees), one entry per node.
    tail, head
        Each edge's from and to node.
    length_m
        Each edge's length (metres).
    seconds
        Each edge's travel time (seconds).
    name
        Where it came from (a file name), for messages.
    digest
        A fingerprint of its content (the cache key of travel tables).
    node_ids
        Each node's id in the file it came from (OpenStreetMap node ids, GraphML node keys).
    """

    lon: np.ndarray
    lat: np.ndarray
    tail: np.ndarray
    head: np.ndarray
    length_m: np.ndarray
    seconds: np.ndarray
    name: str = ""
    digest: str = ""
    node_ids: tuple[str, ...] = ()
    _cache: dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def num_nodes(self) -> int:
        return len(self.lon)

    @property
    def num_edges(self) -> int:
        return len(self.tail)

    def time_graph(self) -> csr_matrix:
        """Travel seconds as a sparse ``(nodes, nodes)`` matrix: the fastest of parallel edges,
        zero-length edges kept as a tiny positive time (csgraph reads an explicit 0 as no edge)."""
        return self._graph("time", self.seconds)

    def length_graph(self) -> csr_matrix:
        """Lengths (metres) of the same edges as :meth:`time_graph` keeps (the fastest of
        parallel edges)."""
        return self._graph("length", self.length_m)

    def _fastest_edges(self) -> np.ndarray:
        """Indices of the edges kept: for each (tail, head) the fastest (then shortest)."""
        if "fastest" not in self._cache:
            order = np.lexsort((self.length_m, self.seconds, self.head, self.tail))
            pairs = np.stack([self.tail[order], self.head[order]], axis=1)
            first = np.ones(len(order), dtype=bool)
            first[1:] = np.any(pairs[1:] != pairs[:-1], axis=1)
            self._cache["fastest"] = order[first]
        kept = self._cache["fastest"]
        assert isinstance(kept, np.ndarray)
        return kept

    def _graph(self, key: str, values: np.ndarray) -> csr_matrix:
        if key not in self._cache:
            order = self._fastest_edges()
            n = self.num_nodes
            self._cache[key] = csr_matrix((np.maximum(values[order], 1e-6), (self.tail[order], self.head[order])),
                                          shape=(n, n))
        graph = self._cache[key]
        assert isinstance(graph, csr_matrix)
        return graph

    def largest_strong_component(self) -> np.ndarray:
        """Indices of the nodes of the largest strongly connected part (every node reaches every
        other), where points snap to."""
        if "component" not in self._cache:
            if self.num_nodes == 0:
                self._cache["component"] = np.zeros(0, dtype=np.int64)
            else:
                _, labels = connected_components(self.time_graph(), directed=True, connection="strong")
                largest = int(np.argmax(np.bincount(labels)))
                self._cache["component"] = np.flatnonzero(labels == largest)
        nodes = self._cache["component"]
        assert isinstance(nodes, np.ndarray)
        return nodes

    def __getstate__(self) -> dict[str, object]:
        # Derived graphs are rebuilt where needed (a worker), not shipped.
        return {k: getattr(self, k) for k in ("lon", "lat", "tail", "head", "length_m", "seconds", "name",
                                               "digest", "node_ids")}

    def __setstate__(self, state: dict[str, object]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        object.__setattr__(self, "_cache", {})
