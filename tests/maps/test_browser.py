"""The offline map opened in headless Chromium with networking off: lines and stops are drawn
and nothing but the background tiles fails."""

import os
import shutil

import pytest
from routeplan import write_plan

CHROMIUM = os.environ.get("ROUTEPLAN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("ROUTEPLAN_REQUIRE_BROWSER") == "1"


def _browser_or_skip():
    if not os.path.exists(CHROMIUM):
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


@pytest.mark.slow
def test_offline_map_draws_routes_and_stops(tiny_problem, tmp_path):
    sync_playwright = _browser_or_skip()
    import numpy as np
    from PIL import Image

    from routeplan import plan
    from routeplan.maps.colours import hex_to_rgb, palette

    result = plan(tiny_problem, time_limit=2, seed=7)
    write_plan(result, tmp_path / "p")
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
        page.screenshot(path=str(tmp_path / "map.png"))
        drawn = page.evaluate("document.querySelectorAll('.rp-stop').length")
        browser.close()
    # Only background tiles may fail offline; no script error at all.
    assert all("tile.openstreetmap.org" in url for url in failed), failed
    errors = [text for kind, text in messages if kind in ("error", "pageerror")
              and "Failed to load resource" not in text]
    assert errors == []
    assert drawn == result.visits_planned()
    pixels = np.asarray(Image.open(tmp_path / "map.png").convert("RGB"), dtype=int)
    colours = dict(zip([m.manager_id for m in tiny_problem.managers], palette(len(tiny_problem.managers))))
    for manager in {r.manager_id for r in result.routes}:
        target = np.array(hex_to_rgb(colours[manager]))
        close = int((np.abs(pixels - target).sum(axis=2) < 40).sum())
        assert close > 150, f"{manager}: only {close} pixels of its colour"
