"""The junction graph: searches on it give what Dijkstra on every node of the network gives."""

import itertools

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from routeplan.model.travel import haversine_km
from routeplan.roads.chains import build_chains
from routeplan.roads.network import RoadNetwork
from routeplan.roads.travel import RoadTravel


def bendy_network(seed=0, side=8, bends=3):
    """A grid whose streets bend (``bends`` nodes inside each block's side), some one way, at
    several speeds; with a dead-end spur, a loop back to its own junction and a ring without
    junctions (not connected: it must only not break the build)."""
    rng = np.random.default_rng(seed)
    lon, lat, tail, head, speed = [], [], [], [], []

    def node(x, y):
        lon.append(119.1 + x * 0.004 + rng.uniform(-3e-4, 3e-4))
        lat.append(36.7 + y * 0.004 + rng.uniform(-3e-4, 3e-4))
        return len(lon) - 1

    def street(nodes, forward=True, backward=True):
        kmh = float(rng.choice([15.0, 30.0, 50.0]))
        for a, b in itertools.pairwise(nodes):
            for u, v, on in ((a, b, forward), (b, a, backward)):
                if on:
                    tail.append(u)
                    head.append(v)
                    speed.append(kmh)

    corner = {(i, j): node(i, j) for i in range(side) for j in range(side)}
    for i in range(side):
        for j in range(side):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < side and j + dj < side:
                    inner = [node(i + di * t / (bends + 1), j + dj * t / (bends + 1)) for t in range(1, bends + 1)]
                    r = rng.random()
                    street([corner[i, j], *inner, corner[i + di, j + dj]], forward=r > 0.1, backward=r < 0.9)
    spur = [corner[0, 0], node(-0.3, -0.2), node(-0.6, -0.3), node(-0.9, -0.3)]
    street(spur)
    loop = [corner[side - 1, side - 1], node(side - 0.6, side - 0.8), node(side - 0.4, side - 0.4),
            node(side - 0.8, side - 0.6), corner[side - 1, side - 1]]
    street(loop, backward=False)
    ring = [node(side + 2 + np.cos(t), side + 2 + np.sin(t)) for t in np.linspace(0, 2 * np.pi, 7)[:-1]]
    street([*ring, ring[0]])
    lon, lat = np.array(lon), np.array(lat)
    tail, head = np.array(tail), np.array(head)
    metres = 1000 * haversine_km(lon[tail], lat[tail], lon[head], lat[head])
    seconds = metres / 1000 / np.array(speed) * 3600
    return RoadNetwork(lon=lon, lat=lat, tail=tail, head=head, length_m=metres, seconds=seconds, name="bendy")


@pytest.fixture(scope="module")
def network():
    return bendy_network()


def test_most_nodes_of_bending_streets_are_inside_chains(network):
    chains = build_chains(network.time_graph(), network.length_graph())
    assert chains.junctions < 0.35 * network.num_nodes
    assert (chains.chain_of >= 0).sum() > 0.6 * network.num_nodes
    # Every junction graph edge joins two junctions.
    tails = np.repeat(np.arange(network.num_nodes), np.diff(chains.indptr))
    assert (chains.chain_of[tails] < 0).all()
    assert (chains.chain_of[chains.indices] < 0).all()


def _fastest_paths(network, sources):
    """Seconds (SciPy's Dijkstra on every node) and the metres of the path it found."""
    seconds, previous = dijkstra(network.time_graph(), indices=sources, return_predecessors=True)
    lengths = network.length_graph()
    metres = np.full(seconds.shape, np.nan)
    for row, source in enumerate(sources):
        for target in range(network.num_nodes):
            if not np.isfinite(seconds[row, target]):
                continue
            total, node = 0.0, target
            while node != source:
                back = previous[row, node]
                total += lengths[back, node]
                node = back
            metres[row, target] = total
    return seconds, metres


@pytest.mark.slow
def test_tables_on_the_junction_graph_equal_dijkstra_on_every_node(network):
    router = RoadTravel(network=network, speed_kmh=15.0).router()
    part = network.largest_strong_component()
    assert router.junctions < network.num_nodes
    seconds, metres = router.shared(part, part)
    want_s, want_m = _fastest_paths(network, part)
    np.testing.assert_allclose(seconds, want_s[:, part], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(metres, want_m[:, part], rtol=1e-9, atol=1e-6)


def test_pairs_and_tables_agree_on_the_junction_graph(network):
    travel = RoadTravel(network=network, speed_kmh=15.0)
    part = network.largest_strong_component()
    rng = np.random.default_rng(3)
    nodes = rng.choice(part, size=60, replace=False)
    lon = network.lon[nodes] + rng.normal(0, 1e-4, 60)
    lat = network.lat[nodes] + rng.normal(0, 1e-4, 60)
    km, minutes = travel.matrices(lon, lat)
    a, b = np.meshgrid(np.arange(60), np.arange(60), indexing="ij")
    pair_km, pair_minutes = travel.pairs(lon[a], lat[a], lon[b], lat[b])
    np.testing.assert_allclose(pair_minutes, minutes, rtol=1e-12)
    np.testing.assert_allclose(pair_km, km, rtol=1e-12)
    snapped, access = travel.snap(lon, lat)
    want_s, _ = _fastest_paths(network, snapped)
    want = (access[:, None] + access[None, :]) / 15.0 * 60 + want_s[:, snapped] / 60
    np.fill_diagonal(want, 0.0)
    np.testing.assert_allclose(minutes, want, rtol=1e-9)
