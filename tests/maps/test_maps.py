"""Maps, offline HTML, schedules and calendars."""

import datetime as dt
import re
from itertools import pairwise

import pytest

from routeplan import Plan, plan, write_plan
from routeplan.maps import Layers, manager_looks, offline_html, render, save
from routeplan.maps.colours import hex_to_rgb, palette, rgb_to_lab

from map_expect import (
    arrow_count,
    day_arrays,
    dealt_plan,
    drawn_stops,
    expected_lines,
    expected_stops,
    legend_managers,
    renamed,
)


@pytest.fixture(scope="module")
def tiny_plan(tiny_problem):
    return plan(tiny_problem, time_limit=2, seed=5)


def test_palette_is_tableau_10_then_further_colours_far_apart():
    import numpy as np

    from routeplan.maps.colours import TABLEAU_10

    assert sorted(palette(10)) == sorted(TABLEAU_10)
    assert palette(4) == palette(24)[:4]  # adding managers keeps the others' colours
    assert len(set(palette(24))) == 24
    lab = rgb_to_lab(np.array([hex_to_rgb(c) for c in palette(24)[10:]]))
    closest = min(float(np.linalg.norm(a - b)) for i, a in enumerate(lab) for b in lab[i + 1:])
    assert closest > 20  # CIELAB distance: clearly different to the eye


@pytest.mark.parametrize("n", [3, 10, 11, 45, 80, 81, 250])
def test_no_two_managers_share_colour_and_style(n):
    from routeplan.maps.colours import assign

    ids = [f"M{k}" for k in range(n)]
    # Every manager touches the next two (a band of territories).
    looks = assign(ids, {ids[k]: ids[k + 1:k + 3] for k in range(n)})
    assert list(looks) == ids
    assert len({(x.colour, x.dash, x.shape) for x in looks.values()}) == n
    if n <= 10:
        assert {x.dash for x in looks.values()} == {""}  # solid lines while colours last


def test_managers_whose_territories_touch_get_colours_far_apart():
    from routeplan.maps.colours import assign, distance

    # Ten managers in a 2 x 5 grid, each touching the ones beside, above, below and diagonally.
    cells = {f"M{r}{c}": (r, c) for r in range(2) for c in range(5)}
    near = {a: [b for b, (r2, c2) in cells.items() if b != a and abs(r - r2) <= 1 and abs(c - c2) <= 1]
            for a, (r, c) in cells.items()}
    looks = assign(cells, near)
    gaps = [distance(looks[a].colour, looks[b].colour) for a in cells for b in near[a]]
    assert min(gaps) >= 30  # CIE76: clearly different colours for every pair of neighbours
    in_order = assign(cells)  # without neighbours: the palette's order
    assert [x.colour for x in in_order.values()] == palette(10)


def test_render_draws_every_manager_day_and_composes_onto_a_map(tiny_plan):
    import folium

    html = render(tiny_plan).get_root().render()
    working = sorted({r.manager_id for r in tiny_plan.routes})
    assert len(working) >= 3
    for manager in working:
        assert f"{manager} (" in html  # one layer per manager with routes in the layer control
    # Every stop of every route, at its customer, with its number and tooltip, and one array
    # per manager-day in that manager's day layer.
    assert drawn_stops(html) == expected_stops(tiny_plan)
    arrays = day_arrays(html)
    assert len(arrays) == len(tiny_plan.routes)
    assert len({layer for layer, _ in arrays}) == len(arrays)
    assert [data[3] for _, data in arrays] == [line["points"] for line in expected_lines(tiny_plan)]
    assert [data[2] for _, data in arrays] == [line["tooltip"] for line in expected_lines(tiny_plan)]
    assert sum(a is not None for _, data in arrays for a in data[4]) == arrow_count(tiny_plan)
    colours = {mid: look.colour for mid, look in manager_looks(tiny_plan).items()}
    assert all(data[0] == colours[route.manager_id] for (_, data), route in zip(arrays, tiny_plan.routes, strict=True))
    assert "all days" in html
    assert '"rp-days", "Day"' in html  # the day selector
    assert legend_managers(html) == ["A1", "B1", "D1", "D2"]
    assert "L.control.layers" in html
    without = render(tiny_plan, layers=Layers(arrows=False)).get_root().render()
    assert all(data[4] == [] for _, data in day_arrays(without))
    assert drawn_stops(without) == drawn_stops(html)
    base = folium.Map(location=[36.7, 119.1], tiles=None)
    assert render(tiny_plan, m=base, managers=iter(["A1", "B1"])) is base
    only = base.get_root().render()
    assert "A1 (" in only
    assert "B1 (" in only
    assert "D1 (" not in only
    assert {s["manager"] for s in drawn_stops(only)} == {"A1", "B1"}


def test_arrow_angles_are_the_compass_bearings_of_the_legs(tiny_plan):
    import math

    for (_, data), line in zip(day_arrays(render(tiny_plan).get_root().render()), expected_lines(tiny_plan),
                               strict=True):
        for angle, ((lat1, lon1), (lat2, lon2)) in zip(data[4], pairwise(line["points"]), strict=True):
            if angle is None:
                continue
            # On these short legs the bearing is close to the flat-map angle of the leg.
            flat = math.degrees(math.atan2((lon2 - lon1) * math.cos(math.radians(lat1)), lat2 - lat1)) % 360
            assert min(abs(angle - flat), 360 - abs(angle - flat)) < 1.5


def test_names_cannot_break_the_page(tiny_plan):
    first = tiny_plan.routes[0].stops[0].customer_id
    odd = renamed(tiny_plan, {first: '</script><!-- {{ x }} {% if %} "quote" \'s \u2028 & <b>'},
                  days={tiny_plan.routes[0].day: "Mon</script><!--{{ y }}"})
    html = render(odd).get_root().render()
    script = html[html.rindex("<script>"):]
    assert "</script>" not in script[:-len("</script>\n</html>\n")]
    assert "<!--" not in script
    assert drawn_stops(html) == expected_stops(odd)
    assert [d[2] for _, d in day_arrays(html)] == [line["tooltip"] for line in expected_lines(odd)]


def test_each_manager_map_shows_only_its_routes(tiny_plan, tmp_path):
    write_plan(tiny_plan, tmp_path / "p", start_date=dt.date(2026, 11, 30))
    managers = [m.manager_id for m in tiny_plan.problem.managers]
    for manager in {r.manager_id for r in tiny_plan.routes}:
        page = (tmp_path / "p" / "maps" / f"{manager}.html").read_text(encoding="utf-8")
        assert drawn_stops(page) == [s for s in expected_stops(tiny_plan) if s["manager"] == manager]
        assert [d[2] for _, d in day_arrays(page)] == [line["tooltip"] for line in expected_lines(tiny_plan)
                                                       if line["manager"] == manager]
        assert all(f"{other} (" not in page for other in managers if other != manager)  # layer control
        assert legend_managers(page) == [manager]
        # The same page as drawing that manager alone.
        save(render(tiny_plan, managers=[manager]), tmp_path / "alone.html")
        assert (tmp_path / "alone.html").read_bytes() == page.encode("utf-8")
    save(render(tiny_plan), tmp_path / "whole.html")
    assert (tmp_path / "whole.html").read_bytes() == (tmp_path / "p" / "map.html").read_bytes()


def test_the_same_plan_gives_the_same_files(tiny_plan, tmp_path):
    again = Plan.from_json(tiny_plan.to_json())
    write_plan(tiny_plan, tmp_path / "a", start_date=dt.date(2026, 11, 30))
    write_plan(again, tmp_path / "b", start_date=dt.date(2026, 11, 30))
    names = ["map.html"] + [f"maps/{p.name}" for p in sorted((tmp_path / "a" / "maps").iterdir())]
    assert len(names) == 1 + len({r.manager_id for r in tiny_plan.routes})
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


@pytest.fixture(scope="module")
def kuiwen_sized_plan():
    from routeplan import read_scenario

    from conftest import REPO

    return dealt_plan(read_scenario(REPO / "data" / "samples" / "kuiwen"))


def test_writing_maps_draws_each_route_once(kuiwen_sized_plan, tmp_path, monkeypatch):
    """map.html and every maps/<manager>.html come from one preparation of the plan: each route's
    array and each territory is made once, not once per map (which made writing a 1,400-customer
    plan's maps take 12 s)."""
    import importlib

    drawing = importlib.import_module("routeplan.maps.render")
    counts = {"drawings": 0, "days": 0, "territories": 0}

    def counted(name, key):
        original = getattr(drawing, name)

        def wrapper(*args, **kwargs):
            counts[key] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(drawing, name, wrapper)

    counted("_Drawing", "drawings")
    counted("_day_data", "days")
    counted("_territory_shape", "territories")
    plan = kuiwen_sized_plan
    assert len(plan.problem.customers) == 1399
    assert plan.visits_planned() == plan.visits_required()
    write_plan(plan, tmp_path / "p", start_date=dt.date(2026, 11, 30))
    drawn = {r.manager_id for r in plan.routes}
    assert sorted(p.stem for p in (tmp_path / "p" / "maps").iterdir()) == sorted(drawn)
    assert counts == {"drawings": 1, "days": len(plan.routes), "territories": len(drawn)}
    page = (tmp_path / "p" / "map.html").read_text(encoding="utf-8")
    assert drawn_stops(page) == expected_stops(plan)


def test_offline_map_needs_no_network(tiny_plan, tmp_path):
    write_plan(tiny_plan, tmp_path / "p", start_date=dt.date(2026, 11, 30))
    html = (tmp_path / "p" / "map.html").read_text(encoding="utf-8")
    assert not re.search(r'<script[^>]+src="https?:', html)
    assert not re.search(r'<link[^>]+href="https?:', html)
    assert "Leaflet 1.9.4" in html
    working = sorted({r.manager_id for r in tiny_plan.routes})
    assert sorted(p.name for p in (tmp_path / "p" / "maps").iterdir()) == [f"{m}.html" for m in working]


def test_offline_refuses_what_it_cannot_inline():
    from routeplan import OfflineError

    with pytest.raises(OfflineError):
        offline_html('<script src="https://example.com/other.js"></script>')


def test_the_deprecated_layer_keywords_draw_what_layers_draws(tiny_plan, tmp_path):
    from routeplan.maps import render_views

    def page(m, name):
        return save(m, tmp_path / name, offline=False).read_text(encoding="utf-8")

    new = page(render(tiny_plan, tiles=None, layers=Layers(arrows=False, legend=False)), "new.html")
    with pytest.warns(DeprecationWarning, match=r"render\(\): arrows, legend are deprecated.*Layers") as w:
        old = render(tiny_plan, tiles=None, arrows=False, legend=False)
    assert w[0].filename == __file__  # the warning points at the caller
    assert page(old, "old.html") == new
    assert new != page(render(tiny_plan, tiles=None), "all.html")  # the layers are used
    with pytest.warns(DeprecationWarning, match=r"render_views\(\): territories is deprecated"):
        whole, each = render_views(tiny_plan, tiles=None, territories=False)
    new_whole, new_each = render_views(tiny_plan, tiles=None, layers=Layers(territories=False))
    assert page(whole, "w1.html") == page(new_whole, "w2.html")
    assert [page(m, f"{k}1.html") for k, m in each.items()] == [page(m, f"{k}2.html") for k, m in new_each.items()]


def test_layers_and_their_old_keywords_or_a_typo_are_type_errors(tiny_plan):
    with (pytest.warns(DeprecationWarning, match="arrows is deprecated"),
          pytest.raises(TypeError, match="pass only layers")):
        render(tiny_plan, layers=Layers(), arrows=False)
    with pytest.raises(TypeError, match=r"render\(\) got an unexpected keyword argument 'arrow'\. Did you mean "
                                        r"'arrows'\?"):
        render(tiny_plan, arrow=False)


def test_readme_shows_the_map_as_it_opens_in_a_small_picture():
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## What the sample plan looks like"):readme.index("## Comparing districting")]
    pictures = re.findall(r"!\[[^\]]*\]\((docs/images/[^)]+\.png)\)", section)
    assert pictures == ["docs/images/kuiwen-map-day.png"]
    assert (REPO / pictures[0]).stat().st_size < 300_000


def test_managers_past_ten_are_drawn_in_a_style_of_their_own(kuiwen_sized_plan):
    plan = kuiwen_sized_plan
    looks = manager_looks(plan)
    assert len(looks) == 12
    assert sum(look.dash == "" for look in looks.values()) == 10  # ten colours solid, then dashed
    assert len({(x.colour, x.dash, x.shape) for x in looks.values()}) == 12
    page = render(plan, tiles=None).get_root().render()
    for (_, data), route in zip(day_arrays(page), plan.routes, strict=True):
        look = looks[route.manager_id]
        assert data[0] == look.colour
        if look.dash:
            assert data[8] == [look.dash, look.shape]
        else:
            assert len(data) <= 8
