"""Which OpenStreetMap shops and venues become customers, and of which tier: the one place this
mapping lives (``routeplan osm``, README "Your own city from OpenStreetMap", docs/osm.md).

An element (node or way) is an outlet when one of its tags ``shop``, ``amenity`` or ``tourism``
(looked at in that order) has a value of :data:`OUTLET_TIERS`; that value is its business type,
and the table gives its tier. The tiers are the Kuiwen sample's (``data/samples/kuiwen``): large
stores, night trade, medium shops and small shops, served by roles A, B, C and D. Every other
shop or venue (clothes, hairdressers, car repair, banks, parking ...) is not a customer of a
retail consumer-goods department and is left out.

The table is written into the scenario's ``[classification]`` and the customers' ``tier`` left
empty, so that editing ``[classification]`` moves every outlet of a business type to another tier.
"""

from __future__ import annotations

from collections.abc import Mapping

TAG_KEYS = ("shop", "amenity", "tourism")
"""The keys whose value may name a business type, in the order they are looked at."""

OUTLET_TIERS: dict[str, str] = {
    # Large stores (role A): supermarkets, malls, department stores, wholesale, fuel stations.
    "supermarket": "large", "mall": "large", "department_store": "large", "wholesale": "large",
    "fuel": "large",
    # Night trade (role B): bars, pubs, clubs, restaurants, cafes, fast food, lodging.
    "bar": "night", "pub": "night", "nightclub": "night", "biergarten": "night", "casino": "night",
    "restaurant": "night", "cafe": "night", "fast_food": "night", "food_court": "night",
    "hotel": "night", "motel": "night", "hostel": "night", "guest_house": "night",
    # Medium shops (role C): convenience stores, drink and tobacco shops, food specialists.
    "convenience": "medium", "alcohol": "medium", "beverages": "medium", "wine": "medium",
    "tobacco": "medium", "e-cigarette": "medium", "chemist": "medium", "deli": "medium",
    "bakery": "medium", "butcher": "medium", "seafood": "medium", "confectionery": "medium",
    # Small shops (role D): kiosks, newsagents, greengrocers, variety and gift shops.
    "kiosk": "small", "newsagent": "small", "greengrocer": "small", "variety_store": "small",
    "general": "small", "gift": "small", "stationery": "small", "books": "small", "farm": "small",
    "ice_cream": "small",
}
"""Business type (the tag's value) -> tier."""


def business_type(tags: Mapping[str, str], classification: Mapping[str, str] = OUTLET_TIERS) -> str | None:
    """The business type of an element with these tags: the first value of :data:`TAG_KEYS`
    that ``classification`` gives a tier, None when none does (not a customer).

    Examples
    --------
    >>> business_type({"amenity": "pub", "name": "Kaldi"})
    'pub'
    >>> business_type({"shop": "clothes"}) is None
    True
    """
    for key in TAG_KEYS:
        value = tags.get(key)
        if value is not None and value.strip() in classification:
            return value.strip()
    return None


def outlet_name(tags: Mapping[str, str]) -> str:
    """The outlet's name: ``name``, else ``brand``, else empty."""
    return (tags.get("name") or tags.get("brand") or "").strip()


def outlet_address(tags: Mapping[str, str]) -> str:
    """The outlet's address from its ``addr:*`` tags: street and house number, then postcode and
    place (``"Laugavegur 12, 101 Reykjavík"``); empty when it has none."""
    street = " ".join(t for t in ((tags.get("addr:street") or "").strip(),
                                  (tags.get("addr:housenumber") or "").strip()) if t)
    place = " ".join(t for t in ((tags.get("addr:postcode") or "").strip(),
                                 (tags.get("addr:city") or tags.get("addr:place") or "").strip()) if t)
    return ", ".join(t for t in (street, place) if t)
