"""Self-contained map files: Leaflet inlined, no network needed to view a map.

Folium links Leaflet, jQuery, Bootstrap and Awesome Markers from public CDNs, so its maps show
nothing on a computer without internet access. routeplan's maps use Leaflet alone (no icon
fonts, no jQuery), so an offline map inlines the vendored Leaflet script and stylesheet (with
the layer-control images as data URIs) and drops the other CDN links. Background tiles still
need the network; offline, the map shows the lines, stops and districts on a blank ground.
"""

from __future__ import annotations

import base64
import html
import os
import re
from collections import deque
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

import folium
from branca.element import Element, Figure

from ..errors import ArgumentError, OfflineError

LEAFLET = "leaflet-1.9.4"

_SCRIPT = re.compile(r'<script\s+src="(?P<url>[^"]+)"\s*>\s*</script>')
_STYLESHEET = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>[^"]+)"\s*/?>')
_UNUSED = ("jquery", "bootstrap", "awesome-markers", "fontawesome", "glyphicons", "awesome.rotate")


@cache
def _asset(name: str) -> str:
    return (resources.files("routeplan.maps") / "assets" / LEAFLET / name).read_text(encoding="utf-8")


@cache
def _leaflet_css() -> str:
    css = _asset("leaflet.css")

    def inline(match: re.Match) -> str:
        path = resources.files("routeplan.maps") / "assets" / LEAFLET / match["path"]
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    # The layer control's icons; marker images are not used by routeplan's maps.
    return re.sub(r"url\((?P<path>images/layers(?:-2x)?\.png)\)", inline, css)


def offline_html(html: str) -> str:
    """Turn a rendered Folium page into one that needs no network for its scripts and styles.

    Raises
    ------
    OfflineError
        If the page links a script or stylesheet other than Leaflet and Folium's unused defaults.
    """

    def script(match: re.Match) -> str:
        url = match["url"]
        if re.search(r"/leaflet(@[\d.]+)?/dist/leaflet\.js$", url):
            return f"<script>{_asset('leaflet.js')}</script>"
        if any(word in url for word in _UNUSED):
            return ""
        raise OfflineError("offline", f"the map links the script {url}, which routeplan cannot inline; "
                           "save it with offline=False")

    def stylesheet(match: re.Match) -> str:
        url = match["url"]
        if re.search(r"/leaflet(@[\d.]+)?/dist/leaflet\.css$", url):
            return f"<style>{_leaflet_css()}</style>"
        if any(word in url for word in _UNUSED):
            return ""
        raise OfflineError("offline", f"the map links the stylesheet {url}, which routeplan cannot "
                           "inline; save it with offline=False")

    html = _SCRIPT.sub(script, html)
    return _STYLESHEET.sub(stylesheet, html)


def stable_ids(element: Element) -> None:
    """Replace Folium's random element ids by sequential ones, so that the same map gives the
    same file."""
    for counter, item in enumerate(_breadth_first(element)):  # breadth first, as ids were always numbered
        item._id = f"{counter:08x}"


def save(m: folium.Map, path: str | os.PathLike[str], *, offline: bool = True) -> Path:
    """Write ``m`` (any Folium map: routeplan's or your own with a plan drawn on it) as an HTML
    file, self-contained unless ``offline`` is False; the same map always gives the same bytes."""
    path = Path(path)
    path.write_text(_page(m, offline=offline), encoding="utf-8")
    return path


class PlanMap(folium.Map):
    """A :class:`folium.Map` that needs no internet: :meth:`save` writes a self-contained file
    and a notebook shows it with Leaflet inlined (background tiles still come from the web).

    :func:`routeplan.maps.render` returns one when it makes the map; a map of your own keeps
    folium's behaviour, and :func:`routeplan.maps.save` writes it self-contained.
    """

    def save(self, outfile: str | bytes | os.PathLike[str] | BinaryIO, close_file: bool = True, *,
             offline: bool = True, **kwargs: Any) -> None:
        """Write the map as one HTML file (Leaflet inlined unless ``offline`` is False; the
        same map always gives the same bytes) to a path or a binary file object."""
        if isinstance(outfile, str | bytes | os.PathLike):
            save(self, os.fsdecode(outfile), offline=offline)
            return
        outfile.write(_page(self, offline=offline).encode("utf-8"))
        if close_file:
            outfile.close()

    def _repr_html_(self, **kwargs: Any) -> str:
        """The map in a notebook cell: an iframe of the self-contained page."""
        page = html.escape(_page(self, offline=True))
        return (f'<iframe srcdoc="{page}" style="width:100%;height:600px;border:none !important;" '
                'allowfullscreen></iframe>')


class SideBySide:
    """Maps shown next to each other in a notebook cell, each self-contained (see
    :func:`side_by_side`)."""

    def __init__(self, maps: tuple[folium.Map, ...], *, height: int) -> None:
        self.maps = maps
        self.height = height

    def _repr_html_(self) -> str:
        width = 100 / len(self.maps)
        frames = "".join(f'<iframe srcdoc="{html.escape(_page(m, offline=True))}" style="width:{width:.4g}%;'
                         f'height:{self.height}px;border:none !important;" allowfullscreen></iframe>'
                         for m in self.maps)
        return f'<div style="display:flex;width:100%;">{frames}</div>'

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the maps side by side as one self-contained HTML file."""
        path = Path(path)
        path.write_text(f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body style="margin:0">'
                        f"{self._repr_html_()}</body></html>\n", encoding="utf-8")
        return path


def side_by_side(*maps: folium.Map, height: int = 500) -> SideBySide:
    """Two or more maps next to each other (as Folium's ``DualMap``, which needs the internet
    for its scripts, but each map self-contained), for a notebook cell or :meth:`SideBySide.save`.

    Raises
    ------
    ArgumentError
        If fewer than two maps are given.
    OfflineError
        When shown or saved, if a map links a script routeplan cannot inline.
    """
    if len(maps) < 2:
        raise ArgumentError("maps", f"give two or more maps to show side by side, got {len(maps)}")
    return SideBySide(maps, height=height)


def _page(m: folium.Map, *, offline: bool) -> str:
    """The whole page of ``m`` (a Folium map is always in a figure: the page's root)."""
    root = m.get_root()
    stable_ids(root)
    # Rendering adds elements to Folium's tree (each marker's icon call, each layer's add-to),
    # so a map rendered twice (saved, then shown) would repeat them: the tree is put back.
    children = _children(root)
    try:
        page = root.render()
    finally:
        for element, kept in children:
            element._children = kept
    return offline_html(page) if offline else page


def _children(root: Element) -> list[tuple[Element, Any]]:
    """Every element of the tree under ``root`` with a copy of its children as they are now."""
    return [(item, item._children.copy()) for item in _breadth_first(root, figure_parts=True)]


def _breadth_first(root: Element, *, figure_parts: bool = False) -> Iterator[Element]:
    """The elements of the tree under ``root``, breadth first; with ``figure_parts``, also a
    figure's header, body and script, which are elements of their own outside its children."""
    queue = deque([root])
    while queue:
        item = queue.popleft()
        yield item
        queue.extend(item._children.values())
        if figure_parts and isinstance(item, Figure):
            queue.extend((item.header, item.html, item.script))
