"""Screenshot a plan's offline map in headless Chromium, for the README.

    python docs/screenshot.py PLAN_DIR docs/img/kuiwen-map.png [--day 0] [--width 1200 --height 900]

Opens PLAN_DIR/map.html with networking off (so the picture shows what an offline computer
shows: no background tiles), optionally picks one day in the day selector, and saves a PNG.
Needs Debian's chromium and the playwright package (the test extras).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--day", type=int, default=None, help="show only this day index")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_context(viewport={"width": args.width, "height": args.height}, offline=True).new_page()
        page.goto((args.plan / "map.html").resolve().as_uri())
        if args.day is not None:
            page.select_option(".rp-days select", str(args.day))
        page.wait_for_timeout(1500)
        page.screenshot(path=str(args.out))
        browser.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
