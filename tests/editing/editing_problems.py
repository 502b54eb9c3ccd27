"""Small problems the editing tests plan and edit."""

from __future__ import annotations

import routeplan
from routeplan import Problem


def small_problem(*, levels: bool = False) -> Problem:
    """Two full-time C managers, a C manager with one visit a day, a part-time D manager; medium
    shops (C, twice a week two days apart, with a market manager's visit on top with ``levels``)
    and small ones (C or D, once)."""
    b = routeplan.ProblemBuilder(name="small", days=["Mon", "Tue", "Wed", "Thu", "Fri"])
    b.set_depot(119.1314, 36.7090)
    more = [{"name": "market", "roles": ["M"], "visits": 1, "service_min": 15}] if levels else []
    b.add_tier("medium", visits=2, min_gap=2, service_min=20, roles=["C"], levels=more)
    b.add_tier("small", visits=1, service_min=10, roles=["C", "D"])
    b.add_manager("C1", role="C")
    b.add_manager("C2", role="C")
    b.add_manager("C3", role="C", max_visits=1)
    b.add_manager("D1", role="D", days="Mon Wed Fri")
    if levels:
        b.add_manager("M1", role="M")
    for i in range(14):
        b.add_customer(f"M{i:02d}", lon=119.10 + 0.006 * (i % 7), lat=36.69 + 0.01 * (i // 7), tier="medium")
    for i in range(10):
        b.add_customer(f"S{i:02d}", lon=119.12 + 0.005 * (i % 5), lat=36.70 + 0.012 * (i // 5), tier="small")
    return b.build()
