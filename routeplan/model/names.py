"""Close matches for a name the input got wrong: ``Large`` for the tier ``large``, ``lattitude``
for the column ``lat`` (through its common spelling ``latitude``)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

CUTOFF = 0.75
"""How alike (difflib's ratio, 0 to 1) a name must be to one of the known to be offered."""


def close_match(name: str, known: Iterable[str], *, aliases: Mapping[str, Iterable[str]] | None = None) -> str | None:
    """The known name closest to ``name`` (case aside), or None when none is close.

    Parameters
    ----------
    name
        The name given.
    known
        The names that would have been right.
    aliases
        Other spellings of some known names (``{"lat": ("latitude", ...)}``): a name close to an
        alias offers the known name it stands for.
    """
    spellings: dict[str, str] = {}
    for k in known:
        spellings.setdefault(k.lower(), k)
        for alias in (aliases or {}).get(k, ()):
            spellings.setdefault(alias.lower(), k)
    lowered = name.strip().lower()
    if not lowered:
        return None
    if lowered in spellings:
        return spellings[lowered]
    found = difflib.get_close_matches(lowered, list(spellings), n=1, cutoff=CUTOFF)
    return spellings[found[0]] if found else None


def did_you_mean(name: str, known: Iterable[str], *, aliases: Mapping[str, Iterable[str]] | None = None) -> str:
    """``" (did you mean 'large'?)"`` for the closest known name, "" when none is close (or
    ``name`` is itself known)."""
    known = list(known)
    match = close_match(name, known, aliases=aliases)
    return "" if match is None or match == name else f" (did you mean '{match}'?)"
