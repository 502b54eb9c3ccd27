"""Travel along a road network: tables, pairs, nearest neighbours, snapping, paths, the cache."""

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from routeplan.model.travel import haversine_km
from routeplan.roads.network import RoadNetwork
from routeplan.roads.travel import RoadTravel


def grid_network(seed=0, side=25, one_way_share=0.2, digest=""):
    """A jittered grid with some one-way streets and two speeds."""
    rng = np.random.default_rng(seed)
    ids = np.arange(side * side).reshape(side, side)
    lon = 119.1 + np.repeat(np.arange(side), side) * 0.002 + rng.uniform(-2e-4, 2e-4, side * side)
    lat = 36.7 + np.tile(np.arange(side), side) * 0.002 + rng.uniform(-2e-4, 2e-4, side * side)
    tail, head = [], []
    for i in range(side):
        for j in range(side):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < side and j + dj < side:
                    a, b = ids[i, j], ids[i + di, j + dj]
                    r = rng.random()
                    if r < one_way_share / 2:
                        tail.append(a)
                        head.append(b)
                    elif r < one_way_share:
                        tail.append(b)
                        head.append(a)
                    else:
                        tail += [a, b]
                        head += [b, a]
    tail, head = np.array(tail), np.array(head)
    metres = 1000 * haversine_km(lon[tail], lat[tail], lon[head], lat[head])
    seconds = metres / 1000 / rng.choice([20.0, 40.0], size=len(tail)) * 3600
    return RoadNetwork(lon=lon, lat=lat, tail=tail, head=head, length_m=metres, seconds=seconds, name="grid",
                       digest=digest)


@pytest.fixture(scope="module")
def travel():
    return RoadTravel(network=grid_network(), speed_kmh=15.0)


@pytest.fixture(scope="module")
def points():
    rng = np.random.default_rng(5)
    return 119.1 + rng.uniform(0, 0.048, 120), 36.7 + rng.uniform(0, 0.048, 120)


def reference(travel, lon, lat):
    """The contract's definition with SciPy's Dijkstra (times) over the same network."""
    network = travel.network
    nodes, access = travel.snap(lon, lat)
    path = dijkstra(network.time_graph(), indices=nodes)[:, nodes]
    minutes = (access[:, None] + access[None, :]) / travel.speed_kmh * 60 + path / 60
    np.fill_diagonal(minutes, 0.0)
    return minutes, nodes, access


def test_a_table_is_access_plus_the_fastest_path_plus_access(travel, points):
    lon, lat = points
    km, minutes = travel.matrices(lon, lat)
    expected, nodes, access = reference(travel, lon, lat)
    assert minutes == pytest.approx(expected, abs=1e-9)
    assert np.all(np.diag(km) == 0)
    assert not np.allclose(minutes, minutes.T)  # one-way streets: not symmetric
    assert not travel.symmetric
    # km follows the fastest path: at least the access legs and the straight line between nodes
    straight = haversine_km(travel.network.lon[nodes][:, None], travel.network.lat[nodes][:, None],
                            travel.network.lon[nodes][None, :], travel.network.lat[nodes][None, :])
    off = ~np.eye(len(lon), dtype=bool)
    assert np.all(km[off] >= (access[:, None] + access[None, :] + straight)[off] - 1e-9)


def test_pairs_and_nearest_agree_with_the_table(travel, points):
    lon, lat = points
    km, minutes = travel.matrices(lon, lat)
    a, b = np.arange(0, 60), np.arange(60, 120)
    pair_km, pair_minutes = travel.pairs(lon[a], lat[a], lon[b], lat[b])
    assert pair_minutes == pytest.approx(minutes[a, b], abs=1e-9)
    assert pair_km == pytest.approx(km[a, b], abs=1e-9)
    index, near_km, near_minutes = travel.nearest(lon, lat, 4)
    assert near_km == pytest.approx(np.take_along_axis(km, index, axis=1), abs=1e-9)
    truth = np.sort(np.argsort(minutes + np.eye(len(lon)) * 1e9, axis=1)[:, :4], axis=1)
    assert np.mean(np.sort(index, axis=1) == truth) > 0.95  # candidates come from the straight line
    assert near_minutes == pytest.approx(np.take_along_axis(minutes, index, axis=1), abs=1e-9)


def test_points_snap_to_the_largest_strongly_connected_part():
    base = grid_network(side=6, one_way_share=0.0)
    # An island: two nodes right beside the first points, linked only to each other.
    lon = np.append(base.lon, [119.1001, 119.1002])
    lat = np.append(base.lat, [36.7001, 36.7002])
    n = len(base.lon)
    island = RoadNetwork(lon=lon, lat=lat, tail=np.append(base.tail, [n, n + 1]),
                         head=np.append(base.head, [n + 1, n]), length_m=np.append(base.length_m, [10.0, 10.0]),
                         seconds=np.append(base.seconds, [1.0, 1.0]))
    travel = RoadTravel(network=island, speed_kmh=15.0)
    nodes, _ = travel.snap(np.array([119.10015]), np.array([36.70015]))
    assert nodes[0] < n


def test_leg_lines_follow_the_path(travel, points):
    lon, lat = points
    lines = travel.leg_lines(lon[:5], lat[:5])
    assert len(lines) == 4
    network = travel.network
    node_set = set(zip(network.lon.tolist(), network.lat.tolist(), strict=True))
    for line, (i, j) in zip(lines, [(0, 1), (1, 2), (2, 3), (3, 4)], strict=True):
        assert line[0] == (lon[i], lat[i])
        assert line[-1] == (lon[j], lat[j])
        assert len(line) > 3
        assert all(p in node_set for p in line[1:-1])


def test_tables_are_cached_on_disk_and_reused(tmp_path, points):
    network = grid_network(digest="grid-1")
    first = RoadTravel(network=network, speed_kmh=15.0, cache_dir=str(tmp_path))
    lon = np.concatenate([points[0]] * 2) + np.repeat([0.0, 1e-5], 120)
    lat = np.concatenate([points[1]] * 2)
    km, minutes = first.matrices(lon, lat)
    stored = list((tmp_path / "travel").glob("*.npz"))
    assert len(stored) == 1
    again = RoadTravel(network=grid_network(digest="grid-1"), speed_kmh=15.0, cache_dir=str(tmp_path))
    km2, minutes2 = again.matrices(lon, lat)
    assert np.array_equal(km, km2)
    assert np.array_equal(minutes, minutes2)
    assert again._router == []  # read from the cache, no search run
    # Another speed or other points are other tables.
    RoadTravel(network=network, speed_kmh=25.0, cache_dir=str(tmp_path)).matrices(lon, lat)
    assert len(list((tmp_path / "travel").glob("*.npz"))) == 2
