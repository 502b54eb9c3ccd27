"""The Kuiwen sample's tiers and their visit rules, for the scenarios routeplan writes from
nothing (``routeplan init``, ``routeplan osm``): large -> A, night -> B, medium -> C, small -> D."""

from __future__ import annotations

from typing import NamedTuple


class TierRule(NamedTuple):
    """One tier's visit rules (``[tiers.NAME]`` of scenario.toml)."""

    visits: int
    min_gap: int
    service_min: float
    window: tuple[str, str]
    roles: tuple[str, ...]


SAMPLE_TIERS: dict[str, TierRule] = {
    "large": TierRule(visits=2, min_gap=4, service_min=20, window=("08:30", "17:30"), roles=("A",)),
    "night": TierRule(visits=1, min_gap=0, service_min=15, window=("14:00", "20:00"), roles=("B",)),
    "medium": TierRule(visits=2, min_gap=4, service_min=12, window=("08:30", "17:30"), roles=("C",)),
    "small": TierRule(visits=2, min_gap=4, service_min=8, window=("08:30", "17:30"), roles=("D",)),
}
"""The sample's tiers (data/samples/kuiwen/scenario.toml), by name."""
