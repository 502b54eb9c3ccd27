"""Maps, offline HTML, schedules and calendars."""

import csv
import datetime as dt
import re

import pytest

from routeplan import plan
from routeplan.results.exports import cycle_dates
from routeplan.maps import offline_html, render
from routeplan.maps.colours import hex_to_rgb, palette, rgb_to_lab
from routeplan import write_plan


@pytest.fixture(scope="module")
def tiny_plan(tiny_problem):
    return plan(tiny_problem, time_limit=2, seed=5)


def test_palette_keeps_twenty_four_managers_apart():
    import numpy as np

    lab = rgb_to_lab(np.array([hex_to_rgb(c) for c in palette(24)]))
    closest = min(float(np.linalg.norm(a - b)) for i, a in enumerate(lab) for b in lab[i + 1:])
    assert closest > 20  # CIELAB distance: clearly different to the eye
    assert palette(5) == palette(24)[:5]  # adding managers keeps the others' colours


def test_render_draws_every_manager_day_and_composes_onto_a_map(tiny_plan):
    import folium

    html = render(tiny_plan).get_root().render()
    for manager in ("A1", "B1", "D1", "D2"):
        assert f"{manager} (" in html  # one layer per manager in the layer control
    assert html.count("rp-stop") - 1 == tiny_plan.visits_planned()  # one numbered marker per visit (+ its CSS)
    assert "all days" in html and "rp-legend" in html and "L.control.layers" in html
    base = folium.Map(location=[36.7, 119.1], tiles=None)
    assert render(tiny_plan, m=base, managers=["A1"]) is base
    only = base.get_root().render()
    assert "A1 (" in only and "B1 (" not in only


def test_offline_map_needs_no_network(tiny_plan, tmp_path):
    write_plan(tiny_plan, tmp_path / "p", start_date=dt.date(2026, 11, 30))
    html = (tmp_path / "p" / "map.html").read_text(encoding="utf-8")
    assert not re.search(r'<script[^>]+src="https?:', html)
    assert not re.search(r'<link[^>]+href="https?:', html)
    assert "Leaflet 1.9.4" in html
    assert sorted(p.name for p in (tmp_path / "p" / "maps").iterdir()) == ["A1.html", "B1.html", "D1.html",
                                                                           "D2.html"]


def test_offline_refuses_what_it_cannot_inline():
    from routeplan import OfflineError

    with pytest.raises(OfflineError):
        offline_html('<script src="https://example.com/other.js"></script>')


def test_cycle_dates_follow_weekday_labels():
    labels = ("Mon-1", "Tue-1", "Wed-1", "Thu-1", "Fri-1", "Mon-2", "Tue-2", "Wed-2", "Thu-2", "Fri-2")
    dates, length = cycle_dates(labels, dt.date(2026, 11, 30))
    assert dates[0] == dt.date(2026, 11, 30) and dates[5] == dt.date(2026, 12, 7) and dates[9] == dt.date(2026, 12, 11)
    assert length == 14
    dates, length = cycle_dates(("D1", "D2", "D3"), dt.date(2026, 1, 1))
    assert dates == [dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 3)] and length == 3


def test_calendars_parse_back_as_icalendar(tiny_plan, tmp_path):
    icalendar = pytest.importorskip("icalendar")
    write_plan(tiny_plan, tmp_path / "p", maps=False, start_date=dt.date(2026, 11, 30))
    total = 0
    for path in sorted((tmp_path / "p" / "calendars").glob("*.ics")):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        events = list(calendar.walk("VEVENT"))
        total += len(events)
        for event in events:
            assert event["RRULE"]["FREQ"] == ["WEEKLY"] and event["RRULE"]["INTERVAL"] == [1]
            assert event["DTEND"].dt > event["DTSTART"].dt
            assert event["DTSTART"].dt.date() >= dt.date(2026, 11, 30)
    assert total == tiny_plan.visits_planned()


def test_schedules_list_each_managers_visits(tiny_plan, tmp_path):
    write_plan(tiny_plan, tmp_path / "p", maps=False, start_date=dt.date(2026, 11, 30))
    rows = []
    for path in (tmp_path / "p" / "schedules").glob("*.csv"):
        with path.open(encoding="utf-8") as handle:
            rows += list(csv.DictReader(handle))
    assert len(rows) == tiny_plan.visits_planned()
    assert {r["date"] for r in rows} <= {f"2026-12-0{d}" for d in range(1, 5)} | {"2026-11-30"}


def test_map_command_redraws_views_only(tmp_path, capsys):
    from conftest import DATA

    from routeplan.cli import main

    out = tmp_path / "p"
    assert main(["plan", str(DATA / "tiny"), "--out", str(out), "--time-limit", "2", "--quiet"]) == 0
    visits = (out / "visits.csv").read_bytes()
    (out / "map.html").unlink()
    assert main(["map", str(DATA / "tiny"), str(out), "--start-date", "2026-11-30"]) == 0
    assert (out / "map.html").exists() and (out / "visits.csv").read_bytes() == visits


def test_geodataframes(tiny_plan):
    stops = tiny_plan.stops_gdf()
    routes = tiny_plan.routes_gdf()
    assert len(stops) == tiny_plan.visits_planned() and stops.crs.to_epsg() == 4326
    assert len(routes) == len(tiny_plan.routes) and set(routes.geometry.geom_type) == {"LineString"}
