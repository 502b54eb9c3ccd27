"""The offline map opened in headless Chromium with networking off: every stop of every route is
drawn at its customer with its number and tooltip, lines and arrows are drawn, the day selector
and the per-manager maps show what they should, and nothing but the background tiles fails."""

import html
import os
import re
import shutil
from pathlib import Path

import pytest

from routeplan import write_plan

from map_expect import arrow_count, expected_lines, expected_stops, renamed

CHROMIUM = os.environ.get("ROUTEPLAN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("ROUTEPLAN_REQUIRE_BROWSER") == "1"

# Every Leaflet layer of the page's map: stops (numbered markers), arrows and route lines, with
# their tooltips.
_DRAWN = """() => {
    const map = window[Object.keys(window).find(k => /^map_[0-9a-f]{8}$/.test(k))];
    const stops = [], lines = [];
    let arrows = 0;
    map.eachLayer(layer => {
        if (layer instanceof L.Marker) {
            const icon = document.createElement("div");
            icon.innerHTML = layer.options.icon.options.html;
            const cls = icon.firstChild.className;
            if (cls === "rp-stop") {
                stops.push({lat: layer.getLatLng().lat, lon: layer.getLatLng().lng, number: icon.innerText,
                            colour: icon.firstChild.style.background, tooltip: layer.getTooltip().getContent()});
            } else if (cls === "rp-arrow") {
                arrows += 1;
            }
        } else if (layer instanceof L.Polyline && !(layer instanceof L.Polygon)) {
            lines.push({points: layer.getLatLngs().map(p => [p.lat, p.lng]), tooltip: layer.getTooltip().getContent()});
        }
    });
    return {stops, lines, arrows, dom: document.querySelectorAll(".rp-stop").length};
}"""


# A customer name that HTML, scripts and templates treat specially.
ODD = '</script> <b>&"\'{{ x }}'

# The text a person reads in the tooltip of the stop of the customer called ODD.
_ODD_TEXT = """() => {
    const map = window[Object.keys(window).find(k => /^map_[0-9a-f]{8}$/.test(k))];
    let text = null;
    map.eachLayer(layer => {
        const tooltip = layer.getTooltip && layer.getTooltip();
        if (text === null && tooltip && String(tooltip.getContent()).includes("&lt;/script&gt;")) {
            layer.openTooltip(layer.getLatLng());
            text = tooltip.getElement().innerText;
        }
    });
    return text;
}"""


def _browser_or_skip():
    if not Path(CHROMIUM).exists():
        if REQUIRED:
            pytest.fail(f"Chromium not found at {CHROMIUM} but ROUTEPLAN_REQUIRE_BROWSER=1")
        pytest.skip("Chromium is not installed (.ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if REQUIRED:
            raise
        pytest.skip("playwright is not installed")
    return sync_playwright


def _text(tooltip):
    """What a person reads in a tooltip of this HTML."""
    return html.unescape(re.sub(r"<(?!br>)[^>]*>", "", tooltip).replace("<br>", "\n"))


def _key(stop):
    return (round(stop["lat"], 9), round(stop["lon"], 9), stop["tooltip"])


@pytest.mark.slow
def test_offline_map_draws_routes_and_stops(tiny_problem, tmp_path):
    sync_playwright = _browser_or_skip()
    import numpy as np
    from PIL import Image

    from routeplan import plan
    from routeplan.maps import manager_looks
    from routeplan.maps.colours import hex_to_rgb

    result = plan(tiny_problem, time_limit=2, seed=7)
    # A name that HTML and scripts treat specially still shows as written.
    result = renamed(result, {result.routes[0].stops[0].customer_id: ODD})
    write_plan(result, tmp_path / "p")
    colours = {manager: look.colour for manager, look in manager_looks(result).items()}
    managers = sorted({r.manager_id for r in result.routes})
    messages, failed = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                          "--disable-component-update", "--disable-sync", "--no-first-run"])
        context = browser.new_context(viewport={"width": 1000, "height": 800}, offline=True)
        page = context.new_page()
        page.on("console", lambda m: messages.append((m.type, m.text)))
        page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.goto((tmp_path / "p" / "map.html").as_uri())
        page.wait_for_timeout(1500)
        # The map opens on the first day with a route; "all days" draws every route.
        opened_on = page.evaluate("document.querySelector('.rp-days select').value")
        opened_stops = page.evaluate("document.querySelectorAll('.rp-stop').length")
        page.select_option(".rp-days select", "all")
        page.wait_for_timeout(300)
        page.screenshot(path=str(tmp_path / "map.png"))
        drawn = page.evaluate(_DRAWN)
        # Hovering a stop shows its tooltip.
        page.hover(".rp-stop >> nth=0", force=True)
        page.wait_for_timeout(300)
        hovered = page.evaluate("document.querySelector('.leaflet-tooltip').innerText")
        odd_text = page.evaluate(_ODD_TEXT)
        # The day selector shows every manager's stops of the chosen day only, then all again.
        per_day = {}
        for index, label in enumerate(tiny_problem.days):
            if any(r.day_index == index for r in result.routes):
                page.select_option(".rp-days select", str(index))
                per_day[label] = page.evaluate("document.querySelectorAll('.rp-stop').length")
        page.select_option(".rp-days select", "all")
        all_again = page.evaluate("document.querySelectorAll('.rp-stop').length")
        # Each manager's own map draws that manager's routes only.
        own = {}
        for manager in managers:
            page.goto((tmp_path / "p" / "maps" / f"{manager}.html").as_uri())
            page.wait_for_timeout(500)
            page.select_option(".rp-days select", "all")
            page.wait_for_timeout(200)
            page.screenshot(path=str(tmp_path / f"{manager}.png"))
            own[manager] = page.evaluate(_DRAWN)
        browser.close()
    # Only background tiles may fail offline; no script error at all.
    assert all("tile.openstreetmap.org" in url for url in failed), failed
    errors = [text for kind, text in messages if kind in ("error", "pageerror")
              and "Failed to load resource" not in text]
    assert errors == []
    # Every stop of every route, where its customer is, with its number, colour and tooltip.
    expected = expected_stops(result)
    assert drawn["dom"] == len(drawn["stops"]) == result.visits_planned() == len(expected)
    assert sorted(_key(s) for s in drawn["stops"]) == sorted(_key(dict(s, tooltip=f"<div>{s['tooltip']}</div>"))
                                                          for s in expected)
    by_tooltip = {f"<div>{s['tooltip']}</div>": s for s in expected}
    for stop in drawn["stops"]:
        want = by_tooltip[stop["tooltip"]]
        assert stop["number"] == str(want["seq"])
        assert stop["colour"] == "rgb({}, {}, {})".format(*hex_to_rgb(colours[want["manager"]]))
    assert hovered in {_text(s["tooltip"]) for s in expected}
    assert odd_text.startswith(f"1. {ODD} (")
    # Every route line through its stops, with its tooltip, and an arrow on every leg.
    assert sorted((line["points"], line["tooltip"]) for line in drawn["lines"]) == sorted(
        (line["points"], f"<div>{line['tooltip']}</div>") for line in expected_lines(result))
    assert drawn["arrows"] == arrow_count(result)
    assert per_day == {label: sum(len(r.stops) for r in result.routes if r.day == label)
                       for label in per_day}
    assert all_again == result.visits_planned()
    first = min(r.day_index for r in result.routes)
    assert opened_on == str(first)
    assert opened_stops == sum(len(r.stops) for r in result.routes if r.day_index == first)
    pixels = np.asarray(Image.open(tmp_path / "map.png").convert("RGB"), dtype=int)
    for manager in managers:
        target = np.array(hex_to_rgb(colours[manager]))
        close = int((np.abs(pixels - target).sum(axis=2) < 40).sum())
        assert close > 150, f"{manager}: only {close} pixels of its colour"
    for manager, page_drawn in own.items():
        mine = [s for s in expected if s["manager"] == manager]
        assert page_drawn["dom"] == len(mine)
        assert sorted(_key(s) for s in page_drawn["stops"]) == sorted(
            _key(dict(s, tooltip=f"<div>{s['tooltip']}</div>")) for s in mine)
        assert sorted(line["tooltip"] for line in page_drawn["lines"]) == sorted(
            f"<div>{line['tooltip']}</div>" for line in expected_lines(result) if line["manager"] == manager)
        pixels = np.asarray(Image.open(tmp_path / f"{manager}.png").convert("RGB"), dtype=int)
        for other in managers:
            close = int((np.abs(pixels - np.array(hex_to_rgb(colours[other]))).sum(axis=2) < 40).sum())
            if other == manager:
                assert close > 150, f"{manager}'s map: only {close} pixels of its colour"
            else:
                assert close < 20, f"{manager}'s map: {close} pixels of {other}'s colour"
