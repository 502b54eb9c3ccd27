"""Screenshot a plan's offline map in headless Chromium, for the README.

    python docs/screenshot.py PLAN_DIR docs/images/kuiwen-map-day.png [--view 0|overview|all]
        [--width 1200 --height 800] [--colours 128]

Opens PLAN_DIR/map.html with networking off (so the picture shows what an offline computer
shows: no background tiles) on the view it opens on (the first day with a route) or the one
picked in the day selector, and saves a PNG of at most ``--colours`` colours (small enough for
the README). Needs Debian's chromium and the playwright package (the test extras).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--view", default=None, help="a day index, overview or all (default: the opening view)")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--colours", type=int, default=128, help="colours of the PNG's palette")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_context(viewport={"width": args.width, "height": args.height}, offline=True).new_page()
        page.goto((args.plan / "map.html").resolve().as_uri())
        page.wait_for_timeout(1500)
        if args.view is not None:
            page.select_option(".rp-days select", args.view)
            page.wait_for_timeout(500)
        page.screenshot(path=str(args.out))
        browser.close()
    with Image.open(args.out) as shot:
        small = shot.convert("RGB").quantize(colors=args.colours, method=Image.Quantize.MEDIANCUT,
                                             dither=Image.Dither.NONE)
    small.save(args.out, optimize=True)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
