"""Folium maps of plans: every manager's line, day by day, viewable offline."""

from .colours import Look as Look
from .offline import PlanMap as PlanMap
from .offline import offline_html as offline_html
from .offline import save as save
from .offline import side_by_side as side_by_side
from .render import Layers as Layers
from .render import manager_looks as manager_looks
from .render import render as render
from .render import render_views as render_views

__all__ = ["Layers", "Look", "PlanMap", "manager_looks", "offline_html", "render", "render_views", "save",
           "side_by_side"]
