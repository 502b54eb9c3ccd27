"""Clock times: parsing "HH:MM" text into minutes after midnight and formatting seconds back."""

from __future__ import annotations

import math
import re

_CLOCK = re.compile(
    r"^\s*(?P<h>\d{1,2})(?::(?P<m>\d{1,2}))?(?::(?P<s>\d{1,2}(?:\.\d+)?))?\s*(?P<ampm>[aApP]\.?[mM]\.?)?\s*$"
)


def parse_clock(text: str) -> float:
    """Read a clock time and return minutes after midnight.

    Accepts ``"08:30"``, ``"8:30"``, ``"08:30:15"``, ``"8:30am"``, ``"5:30 PM"`` and ``"24:00"``.

    Parameters
    ----------
    text
        The clock time.

    Returns
    -------
    float
        Minutes after midnight (``"08:30"`` gives 510.0).

    Raises
    ------
    ValueError
        If the text is not a clock time between 00:00 and 24:00.
    """
    match = _CLOCK.match(str(text))
    if match is None:
        raise ValueError(f"'{text}' is not a clock time like 08:30")
    hours = int(match["h"])
    minutes = int(match["m"] or 0)
    seconds = float(match["s"] or 0.0)
    ampm = match["ampm"]
    if ampm is not None:
        if not 1 <= hours <= 12:
            raise ValueError(f"'{text}' is not a clock time like 08:30 (hour must be 1-12 with am/pm)")
        is_pm = ampm[0] in "pP"
        hours = hours % 12 + (12 if is_pm else 0)
    if minutes >= 60 or seconds >= 60:
        raise ValueError(f"'{text}' is not a clock time like 08:30 (minutes and seconds must be below 60)")
    total = hours * 60 + minutes + seconds / 60.0
    if total > 24 * 60:
        raise ValueError(f"'{text}' is not a clock time like 08:30 (must be at most 24:00)")
    return total


def format_hhmm(minutes: float) -> str:
    """Format minutes after midnight as ``"HH:MM"`` (rounded to the minute)."""
    total = round(minutes)
    return f"{total // 60:02d}:{total % 60:02d}"


def format_hhmmss(seconds: float) -> str:
    """Format seconds after midnight as ``"HH:MM:SS"`` (whole seconds, rounded up).

    Rounding up keeps written plans conservative: an arrival written this way is never earlier
    than the true arrival.
    """
    total = math.ceil(seconds - 1e-6)
    return f"{total // 3600:02d}:{(total // 60) % 60:02d}:{total % 60:02d}"


def parse_hhmmss(text: str) -> int:
    """Read ``"HH:MM:SS"`` (or ``"HH:MM"``) as whole seconds after midnight."""
    minutes = parse_clock(text)
    return round(minutes * 60)


_RANGE_SEPARATORS = ("-", "\u2013", "~", "\u81f3", "\u5230")  # -, en dash, ~, 至, 到


def range_hint(text: str, column: str) -> str:
    """What to add to the message of ``text`` in ``column`` when it is not one clock time but a
    range of two (``"9:00-17:00"``): to split it into the column's ``_start`` and ``_end``
    (``window_start`` and ``window_end``), or to give one time; "" for anything else."""
    for separator in _RANGE_SEPARATORS:
        parts = [part.strip() for part in text.split(separator)]
        if len(parts) != 2:
            continue
        try:
            for part in parts:
                parse_clock(part)
        except ValueError:
            continue
        for suffix in ("_start", "_end"):
            if column.endswith(suffix):
                base = column.removesuffix(suffix)
                return (f"; it is a range of two times: split it into {base}_start ({parts[0]}) and {base}_end "
                        f"({parts[1]})")
        return "; it is a range of two times: give one"
    return ""
