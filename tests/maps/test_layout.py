"""What a person sees when a map opens, checked in headless Chromium with networking off: the
map opens on one day, no panel lies over the plan, panels fold, the overview shows territories
and customers without routes, days without a route are listed as such, a manager's figures
follow the day picked, districts are named, and compare.html's table and maps are readable.

Layout facts are read from the page (bounding boxes and the map's own projection), not from
pixels."""

import dataclasses
import re

import pytest
from test_browser import CHROMIUM, _browser_or_skip

from routeplan import plan
from routeplan.comparison import Comparison
from routeplan.maps import manager_looks, render_views, save
from routeplan.model.clock import format_hhmm

from map_expect import dealt_plan

pytestmark = pytest.mark.slow

_MAP = "window[Object.keys(window).find(k => /^map_[0-9a-f]{8}$/.test(k))]"

# The boxes of every control (zoom, day selector, figures, layers, scale, attribution) and where
# the given places fall in the map's container at the view the page opened on.
_LAYOUT = """(places) => {
    const map = MAP;
    const box = map.getContainer().getBoundingClientRect();
    const controls = Array.from(map.getContainer().querySelectorAll(".leaflet-control")).map(el => {
        const r = el.getBoundingClientRect();
        return {name: el.className, left: r.left - box.left, top: r.top - box.top, right: r.right - box.left,
                bottom: r.bottom - box.top};
    }).filter(c => c.right > c.left && c.bottom > c.top);
    const points = places.map(p => { const q = map.latLngToContainerPoint(p); return [q.x, q.y]; });
    return {width: box.width, height: box.height, controls, points, day: map.routeplanDay,
            collapsed: Array.from(document.querySelectorAll(".rp-panel.rp-collapsed")).map(d => d.className)};
}""".replace("MAP", _MAP)

# The dots of the overview (circle markers on the map) and the numbered stops shown.
_SHOWN = """() => {
    const map = MAP;
    let dots = 0;
    map.eachLayer(layer => { if (layer instanceof L.CircleMarker) { dots += 1; } });
    return {dots, stops: document.querySelectorAll(".rp-stop").length};
}""".replace("MAP", _MAP)

_STOP_RADIUS = 9  # a numbered stop is 18 px wide around its place


def _places(result, managers=None):
    """[lat, lon] of every customer a map draws and of its managers' start and end places."""
    customers = {c.customer_id: c for c in result.problem.customers}
    out = []
    for route in result.routes:
        if managers is None or route.manager_id in managers:
            out += [[customers[s.customer_id].lat, customers[s.customer_id].lon] for s in route.stops]
            manager = result.problem.manager(route.manager_id)
            out += [[manager.start.lat, manager.start.lon], [manager.end.lat, manager.end.lon]]
    return out


def _covered(layout):
    """The places that lie under a control (or outside the map) at the opening view."""
    bad = []
    for x, y in layout["points"]:
        if not (0 <= x <= layout["width"] and 0 <= y <= layout["height"]):
            bad.append((x, y, "outside"))
            continue
        for c in layout["controls"]:
            if (c["left"] - _STOP_RADIUS < x < c["right"] + _STOP_RADIUS
                    and c["top"] - _STOP_RADIUS < y < c["bottom"] + _STOP_RADIUS):
                bad.append((x, y, c["name"]))
    return bad


def _launch(p):
    return p.chromium.launch(executable_path=CHROMIUM,
                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                   "--disable-component-update", "--disable-sync", "--no-first-run"])


@pytest.fixture(scope="module")
def gappy(tiny_problem):
    """A solved tiny plan with one working day of one manager emptied: a day without a route."""
    result = plan(tiny_problem, time_limit=2, seed=7)
    a1 = [r for r in result.routes if r.manager_id == "A1"]
    dropped = a1[1]
    return dataclasses.replace(result, routes=tuple(r for r in result.routes if r is not dropped)), dropped


def test_maps_open_on_the_first_day_with_every_panel_clear_of_the_plan(gappy, tmp_path):
    sync_playwright = _browser_or_skip()
    result, dropped = gappy
    whole, each = render_views(result, tiles=None)
    save(whole, tmp_path / "map.html")
    for manager, m in each.items():
        save(m, tmp_path / f"{manager}.html")
    first = min(r.day_index for r in result.routes)
    messages, layouts, options, shown, folded = [], {}, {}, {}, {}
    with sync_playwright() as p:
        browser = _launch(p)
        for width, height in ((1000, 800), (700, 480)):
            page = browser.new_context(viewport={"width": width, "height": height}, offline=True).new_page()
            page.on("pageerror", lambda e: messages.append(str(e)))
            for name in ["map", *each]:
                page.goto((tmp_path / f"{name}.html").as_uri())
                page.wait_for_timeout(400)
                managers = None if name == "map" else {name}
                page.screenshot(path=str(tmp_path / f"{name}-{width}.png"))
                layouts[name, width] = page.evaluate(_LAYOUT, _places(result, managers))
                if width == 1000:
                    options[name] = page.eval_on_selector_all(".rp-days option", "os => os.map(o => [o.value, o.text])")
                    shown[name, "open"] = page.evaluate(_SHOWN)
                    page.select_option(".rp-days select", "overview")
                    shown[name, "overview"] = page.evaluate(_SHOWN)
                    page.select_option(".rp-days select", "all")
                    shown[name, "all"] = page.evaluate(_SHOWN)
            # The figures fold with their button and unfold again.
            page.goto((tmp_path / "map.html").as_uri())
            page.wait_for_timeout(300)
            legend = ".rp-legend"
            if "rp-collapsed" in page.get_attribute(legend, "class"):
                page.click(f"{legend} .rp-toggle")
            before = page.eval_on_selector(f"{legend} .rp-body", "b => b.getBoundingClientRect().height")
            page.click(f"{legend} .rp-toggle")
            folded[width] = (before, page.eval_on_selector(f"{legend} .rp-body", "b => b.offsetHeight"),
                             page.get_attribute(f"{legend} .rp-toggle", "aria-expanded"))
            page.click(f"{legend} .rp-toggle")
            folded[width] += (page.eval_on_selector(f"{legend} .rp-body", "b => b.getBoundingClientRect().height"),)
        browser.close()
    assert messages == []
    for (name, width), layout in layouts.items():
        assert layout["day"] == str(first), (name, width)
        assert _covered(layout) == [], (name, width)
        assert len(layout["points"]) > 0
    # At 1000 x 800 every panel of the whole plan's map stays open.
    assert layouts["map", 1000]["collapsed"] == []
    days = result.problem.days
    a1_days = {r.day_index for r in result.routes if r.manager_id == "A1"}
    assert options["A1"] == [["overview", "overview: territories"],
                             *[[str(k), label if k in a1_days else f"{label} (no route)"]
                               for k, label in enumerate(days)],
                             ["all", "all days"]]
    assert [str(dropped.day_index), f"{dropped.day} (no route)"] in options["A1"]
    d1_days = result.problem.manager("D1").days
    assert all(text.endswith("(day off)") for value, text in options["D1"] if value.isdigit()
               and int(value) not in d1_days)
    # The map opens with the first day's stops; the overview shows each customer as a dot and no
    # numbered stop; all days shows every stop.
    assert shown["map", "open"] == {"dots": 0, "stops": sum(len(r.stops) for r in result.routes
                                                             if r.day_index == first)}
    served = {(r.manager_id, s.customer_id) for r in result.routes for s in r.stops}
    assert shown["map", "overview"] == {"dots": len(served), "stops": 0}
    assert shown["map", "all"] == {"dots": 0, "stops": result.visits_planned()}
    for manager in each:
        assert shown[manager, "overview"]["dots"] == sum(1 for m, _ in served if m == manager)
    for width, (before, after, expanded, again) in folded.items():
        assert before > 40, width
        assert after == 0, width
        assert expanded == "false", width
        assert again == before, width


def test_a_managers_figures_follow_the_day_picked(gappy, tmp_path):
    sync_playwright = _browser_or_skip()
    result, dropped = gappy
    _, each = render_views(result, tiles=None)
    save(each["A1"], tmp_path / "A1.html")
    texts = {}
    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_context(viewport={"width": 1000, "height": 800}, offline=True).new_page()
        page.goto((tmp_path / "A1.html").as_uri())
        page.wait_for_timeout(300)
        for k in range(len(result.problem.days)):
            page.select_option(".rp-days select", str(k))
            texts[k] = page.inner_text(".rp-legend .rp-body")
        page.select_option(".rp-days select", "all")
        texts["all"] = page.inner_text(".rp-legend .rp-body")
        browser.close()
    routes = {r.day_index: r for r in result.routes if r.manager_id == "A1"}
    figures = next(f for f in result.manager_figures() if f.manager_id == "A1")
    for k, text in texts.items():
        if k == "all":
            assert "the whole cycle" in text
            assert f"{figures.travel_km:.1f}" in text
            # and each day of the cycle, the emptied one as "no route"
            assert re.search(rf"{re.escape(dropped.day)}\s+no route", text), text
            for route in routes.values():
                assert re.search(rf"{re.escape(route.day)}\s+{len(route.stops)}\s+{route.travel_km:.1f}\s", text), text
            continue
        assert result.problem.days[k] in text
        route = routes.get(k)
        if route is None:
            assert re.search(r"A1\s+no route", text), text
            continue
        cells = re.search(r"A1\s+(\d+)\s+([\d.]+)\s+(\S+)\s+(\S+)", text)
        assert cells is not None, text
        assert int(cells[1]) == len(route.stops)
        assert cells[2] == f"{route.travel_km:.1f}"
        assert cells[3] == format_hhmm(route.work_min)
        assert cells[4] == f"{format_hhmm(route.depart / 60)}\u2013{format_hhmm(route.return_time / 60)}"
    assert dropped.day_index not in routes


def test_districts_are_named_offline_and_neighbours_get_distinct_looks(kuiwen_dealt, tmp_path):
    sync_playwright = _browser_or_skip()
    from routeplan.maps.colours import distance

    result = kuiwen_dealt
    whole, _ = render_views(result, tiles=None)
    save(whole, tmp_path / "map.html")
    looks = manager_looks(result)
    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True).new_page()
        failed = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.goto((tmp_path / "map.html").as_uri())
        page.wait_for_timeout(600)
        labels = page.eval_on_selector_all(".rp-district span", "spans => spans.map(s => s.textContent)")
        layout = page.evaluate(_LAYOUT, _places(result))
        dashes = page.evaluate("""() => { const map = MAP, out = [];
            map.eachLayer(l => { if (l instanceof L.Polyline && !(l instanceof L.Polygon) && l.getTooltip()) {
                out.push([l.options.color, l.options.dashArray || ""]); } });
            return out; }""".replace("MAP", _MAP))
        browser.close()
    assert failed == []
    first = min(r.day_index for r in result.routes)
    assert sorted(map(tuple, dashes)) == sorted((looks[r.manager_id].colour, looks[r.manager_id].dash)
                                                for r in result.routes if r.day_index == first)
    assert sorted(labels) == sorted(d.name for d in result.problem.districts)
    assert _covered(layout) == []
    assert len({(x.colour, x.dash, x.shape) for x in looks.values()}) == len(looks)
    # Managers whose territories touch: colours clearly apart (CIE76 >= 25), or another style.
    from routeplan.maps.render import _Drawing

    near = _Drawing(result, arrows=False).neighbours()
    for a, others in near.items():
        for b in others:
            apart = distance(looks[a].colour, looks[b].colour) >= 25
            assert apart or (looks[a].dash, looks[a].shape) != (looks[b].dash, looks[b].shape), (a, b)


@pytest.fixture(scope="module")
def kuiwen_dealt():
    from routeplan import read_scenario

    from conftest import REPO

    return dealt_plan(read_scenario(REPO / "data" / "samples" / "kuiwen"))


def test_compare_html_reads_at_1280_pixels(tiny_problem, tmp_path):
    sync_playwright = _browser_or_skip()
    plans = {"hybrid": plan(tiny_problem, time_limit=1, seed=3),
             "region": plan(tiny_problem, strategy="region", time_limit=1, seed=3)}
    Comparison(plans=plans).write(tmp_path / "cmp")
    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True).new_page()
        page.goto((tmp_path / "cmp" / "compare.html").as_uri())
        page.wait_for_timeout(1500)
        page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
        headers = page.eval_on_selector_all("thead th", "ths => ths.map(t => t.innerText.replace(/\\s+/g, ' '))")
        table = page.eval_on_selector(".figures",
                                      "d => [d.getBoundingClientRect().right, d.scrollWidth, d.clientWidth]")
        page_width = page.evaluate("document.documentElement.scrollWidth")
        cells = page.eval_on_selector_all("tbody tr",
                                          "rs => rs.map(r => Array.from(r.cells).map(c => c.innerText))")
        frames = {}
        for frame in page.frames[1:]:
            name = frame.url.split("/")[-2]
            frames[name] = frame.evaluate(_LAYOUT, _places(plans[name]))
        browser.close()
    assert "Travel (km)" in headers
    assert "Work CV (%)" in headers
    assert not any("_" in h for h in headers)  # no raw column names
    assert table[0] <= 1280
    assert page_width <= 1280
    assert table[1] <= table[2]  # the table fits its box at this width, no scrolling needed
    hybrid = plans["hybrid"].summary()
    row = dict(zip(headers, cells[0], strict=True))
    assert row["Strategy"] == "hybrid"
    assert row["Travel (km)"] == f"{hybrid['total_travel_km']:,.1f}"
    assert row["Work CV (%)"] == f"{100 * hybrid['work_cv']:.1f}"
    assert sorted(frames) == ["hybrid", "region"]
    for name, layout in frames.items():
        assert len(layout["collapsed"]) == 2, name  # the day selector and the figures, folded
        assert _covered(layout) == [], name
