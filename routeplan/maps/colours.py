"""Colours for managers that stay apart for twenty and more managers.

Colours are picked one by one from a grid of RGB values, each time the one farthest (in CIELAB,
where distance follows what the eye sees) from those already picked, skipping colours too pale
to see on a map or too dark to tell apart. The result is fixed: the same n gives the same list,
and the first k colours of a longer list are the same as a list of k.
"""

from __future__ import annotations

from functools import cache

import numpy as np

_START = (31, 119, 180)  # a clear blue first


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as an (r, g, b) tuple."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (0-255, shape (..., 3)) to CIELAB under D65."""
    c = np.asarray(rgb, dtype=float) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    matrix = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = linear @ matrix.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16.0 / 116.0)
    return np.stack([116.0 * f[..., 1] - 16.0, 500.0 * (f[..., 0] - f[..., 1]), 200.0 * (f[..., 1] - f[..., 2])],
                    axis=-1)


@cache
def _picked(n: int) -> tuple[str, ...]:
    levels = np.arange(0, 256, 51)
    grid = np.array(np.meshgrid(levels, levels, levels, indexing="ij")).reshape(3, -1).T
    lab = rgb_to_lab(grid)
    usable = (lab[:, 0] > 30) & (lab[:, 0] < 80)  # readable on light tiles, white labels readable on it
    grid, lab = grid[usable], lab[usable]
    chosen = [int(np.argmin(np.abs(grid - np.array(_START)).sum(axis=1)))]
    distance = np.linalg.norm(lab - lab[chosen[0]], axis=1)
    while len(chosen) < min(n, len(grid)):
        k = int(np.argmax(distance))
        chosen.append(k)
        distance = np.minimum(distance, np.linalg.norm(lab - lab[k], axis=1))
    colours = [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in grid[chosen]]
    while len(colours) < n:  # more managers than grid colours: repeat the list
        colours.append(colours[len(colours) % len(grid)])
    return tuple(colours)


def palette(n: int) -> list[str]:
    """``n`` colours as ``#rrggbb``, as far apart as possible from each other."""
    return list(_picked(max(n, 0)))
