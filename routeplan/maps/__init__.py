"""Folium maps of plans."""

from .render import render as render

__all__ = ["render"]
