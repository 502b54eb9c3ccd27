import numpy as np
import pytest

from routeplan.model.travel import EuclideanTravel, HaversineTravel, haversine_km


def test_haversine_matches_a_known_distance():
    # One degree of latitude is about 111.2 km on the contract's sphere.
    assert haversine_km(119.0, 36.0, 119.0, 37.0) == pytest.approx(111.195, abs=0.01)


def test_haversine_matrices_follow_the_contract():
    model = HaversineTravel(speed_kmh=20.0, detour_factor=1.3)
    lon = np.array([119.10, 119.12, 119.15])
    lat = np.array([36.70, 36.71, 36.69])
    km, minutes = model.matrices(lon, lat)
    assert km.shape == (3, 3)
    assert np.allclose(np.diag(km), 0.0)
    assert np.allclose(km, km.T)
    assert km[0, 1] == pytest.approx(1.3 * float(haversine_km(119.10, 36.70, 119.12, 36.71)))
    assert np.allclose(minutes, km / 20.0 * 60.0)


def test_euclidean_travel():
    km, minutes = EuclideanTravel(speed=2.0).matrices(np.array([0.0, 3.0]), np.array([0.0, 4.0]))
    assert km[0, 1] == 5.0
    assert minutes[0, 1] == 2.5
