"""The machine's rate of work: measured once, kept beside the kernels, measured again on another
machine, and what a time limit's budget buys."""

import json

import pytest

from routeplan.solver import rate


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """No override, an empty cache in a temporary folder, nothing known in this process."""
    monkeypatch.delenv(rate.RATE_ENV, raising=False)
    path = tmp_path / rate.RATE_FILE
    monkeypatch.setattr(rate, "_cache_file", lambda: path)
    monkeypatch.setattr(rate._Known, "rate", None)
    return path


def test_the_rate_is_measured_once_and_then_read_from_the_cache(fresh, monkeypatch):
    calls = []
    monkeypatch.setattr(rate, "measure_factor", lambda: calls.append(1) or 0.93)
    first = rate.machine_rate()
    assert first.source == "measured"
    assert first.factor == pytest.approx(1.05 ** -1, abs=1e-4)  # rounded to the nearest 5% step
    assert first.units_per_second == pytest.approx(rate.UNITS_PER_SECOND * first.factor)
    kept = json.loads(fresh.read_text(encoding="utf-8"))
    assert kept[rate.machine_key()]["factor"] == first.factor
    monkeypatch.setattr(rate._Known, "rate", None)  # a new process reads the file
    again = rate.machine_rate()
    assert (again.source, again.factor) == ("cached", first.factor)
    assert calls == [1]


def test_another_machine_measures_again(fresh, monkeypatch):
    monkeypatch.setattr(rate, "measure_factor", lambda: 1.0)
    rate.machine_rate()
    monkeypatch.setattr(rate._Known, "rate", None)
    monkeypatch.setattr(rate, "_processor", lambda: "another processor")
    monkeypatch.setattr(rate, "measure_factor", lambda: 2.0)
    other = rate.machine_rate()
    assert other.source == "measured"
    assert other.factor == pytest.approx(1.05 ** 14, abs=1e-3)
    assert len(json.loads(fresh.read_text(encoding="utf-8"))) == 2  # both machines are kept


def test_the_environment_sets_or_refreshes_the_rate(fresh, monkeypatch):
    monkeypatch.setenv(rate.RATE_ENV, "0.5")
    set_rate = rate.machine_rate()
    assert (set_rate.source, set_rate.factor) == ("environment", 0.5)
    assert not fresh.exists()
    monkeypatch.setenv(rate.RATE_ENV, "fast")
    assert rate.machine_rate().factor == 1.0  # not a number: the reference, with a warning
    monkeypatch.setenv(rate.RATE_ENV, "measure")
    monkeypatch.setattr(rate, "measure_factor", lambda: 1.0)
    assert rate.machine_rate().source == "measured"


def test_a_broken_cache_is_measured_over(fresh, monkeypatch):
    fresh.write_text("not json", encoding="utf-8")
    monkeypatch.setattr(rate, "measure_factor", lambda: 1.0)
    assert rate.machine_rate().source == "measured"
    assert json.loads(fresh.read_text(encoding="utf-8"))[rate.machine_key()]["factor"] == 1.0


def test_measuring_gives_a_plausible_factor():
    factor = rate.measure_factor()
    assert 0.1 < factor < 10.0
