"""Exports people use beside the plan folder: a schedule per manager (CSV) and a calendar per
manager (iCalendar, one event per visit, repeating with the cycle)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from ..errors import ArgumentError
from ..io.csvfile import write_table
from ..model.clock import format_hhmmss
from ..model.problem import Customer
from ..model.routes import DayRoute
from .visit_plan import Plan

SCHEDULE_COLUMNS = ("day_index", "day", "date", "seq", "customer_id", "name", "address", "tier", "business_type",
                    "lon", "lat", "arrival", "start", "end", "service_min", "travel_km")

BREAK_NAME = "break"
"""What a schedule and a calendar call the day's break."""

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_SECONDS = 24 * 3600


def first_weekday(labels: tuple[str, ...]) -> int | None:
    """The weekday (0 Monday) the cycle's first day stands for, when every day label begins with
    a weekday name (``Mon``, ``Tue-1``); None for other labels (``D1``, ...)."""
    weekdays = _label_weekdays(labels)
    return weekdays[0] if weekdays else None


def cycle_start(labels: tuple[str, ...], start: dt.date | None = None, *, argument: str = "start_date") -> dt.date:
    """The first date of the cycle: ``start``, which must fall on the weekday of the first day
    label (it is never moved silently), or by default the next such date after today (the next
    Monday for labels that name no weekday).

    Raises
    ------
    ArgumentError
        If ``start`` is another weekday than the cycle's first day (named ``argument``).
    """
    first = first_weekday(labels)
    if start is None:
        today = dt.date.today()
        weekday = 0 if first is None else first
        return today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    if first is not None and start.weekday() != first:
        before = start - dt.timedelta(days=(start.weekday() - first) % 7)
        after = before + dt.timedelta(days=7)
        name = _WEEKDAY_NAMES[first]
        raise ArgumentError(argument, f"{start.isoformat()} is a {_WEEKDAY_NAMES[start.weekday()]}, but the cycle's "
                                      f"first day '{labels[0]}' is a {name}: give a {name}, such as "
                                      f"{before.isoformat()} or {after.isoformat()}")
    return start


def cycle_dates(labels: tuple[str, ...], start: dt.date) -> tuple[list[dt.date], int]:
    """The date of each day of the first cycle, and the cycle's length in calendar days.

    Labels that begin with a weekday name (``Mon-1``, ``tuesday``, ``Fri 2``) are placed on that
    weekday, each after the one before; the first lands on or after ``start``. Other labels are
    consecutive dates from ``start``.
    """
    weekdays = _label_weekdays(labels)
    if weekdays:
        dates = []
        current = start + dt.timedelta(days=(weekdays[0] - start.weekday()) % 7)
        for i, w in enumerate(weekdays):
            if i:
                current = current + dt.timedelta(days=(w - current.weekday() - 1) % 7 + 1)
            dates.append(current)
        nxt = dates[-1] + dt.timedelta(days=(weekdays[0] - dates[-1].weekday() - 1) % 7 + 1)
        return dates, (nxt - dates[0]).days
    return [start + dt.timedelta(days=i) for i in range(len(labels))], len(labels)


def _label_weekdays(labels: tuple[str, ...]) -> list[int] | None:
    """The weekday of each label, when every label begins with a weekday name (else None)."""
    weekdays = [w for w in (_weekday(label) for label in labels) if w is not None]
    return weekdays if labels and len(weekdays) == len(labels) else None


def _weekday(label: str) -> int | None:
    match = re.match(r"\s*([A-Za-z]{3})", label)
    if match and match[1].lower() in _WEEKDAYS:
        return _WEEKDAYS.index(match[1].lower())
    return None


class _ClockTexts(dict[float, str]):
    """``format_hhmmss`` of each time, worked out once: a plan's visits share few distinct times."""

    def __missing__(self, seconds: float) -> str:
        text = self[seconds] = format_hhmmss(seconds)
        return text


def _routes_by_manager(plan: Plan) -> dict[str, list[DayRoute]]:
    """Each manager's routes in plan order (one pass over the plan, not one per manager)."""
    routes: dict[str, list[DayRoute]] = {m.manager_id: [] for m in plan.problem.managers}
    for route in plan.routes:
        routes.setdefault(route.manager_id, []).append(route)
    return routes


def write_schedules(plan: Plan, folder: Path, *, start: dt.date) -> None:
    """``folder/<manager_id>.csv``: each manager's visits in order, with dates of the first cycle."""
    folder.mkdir(parents=True, exist_ok=True)
    customers = {c.customer_id: c for c in plan.problem.customers}
    dates = [d.isoformat() for d in cycle_dates(plan.problem.days, start)[0]]
    routes = _routes_by_manager(plan)
    clock = _ClockTexts()
    levels = _level_names(plan)
    columns = SCHEDULE_COLUMNS + (("level", "level_name") if levels else ())
    for manager in plan.problem.managers:
        write_table(folder / f"{manager.manager_id}.csv", columns,
                    _schedule_rows(routes[manager.manager_id], customers, dates, clock, levels))


def _level_names(plan: Plan) -> dict[tuple[str, int], str]:
    """(tier, level) -> the level's name, for a problem with visit levels (else empty)."""
    if not plan.problem.has_levels:
        return {}
    return {(t.name, k): name for t in plan.problem.tiers
            for k, name in enumerate(["own", *(lv.name for lv in t.levels)])}


def _schedule_rows(routes: Iterable[DayRoute], customers: Mapping[str, Customer], dates: list[str],
                   clock: _ClockTexts, levels: Mapping[tuple[str, int], str]) -> Iterator[list[object]]:
    for route in routes:
        date = dates[route.day_index]
        rest = route.break_start
        for stop in route.stops:
            if rest is not None and rest < stop.arrival:  # the day's break comes before this stop
                yield _break_row(route, date, clock, levels)
                rest = None
            c = customers[stop.customer_id]
            yield [route.day_index, route.day, date, stop.seq, c.customer_id, c.name, c.address, c.tier,
                   c.business_type, c.lon, c.lat, clock[stop.arrival], clock[stop.start], clock[stop.end],
                   f"{(stop.end - stop.start) / 60:g}", f"{stop.travel_km:.4f}",
                   *([stop.level, levels[c.tier, stop.level]] if levels else [])]
        if rest is not None:
            yield _break_row(route, date, clock, levels)


def _break_row(route: DayRoute, date: str, clock: _ClockTexts,
               levels: Mapping[tuple[str, int], str]) -> list[object]:
    """A schedule row for the day's break, in its place among the stops (no customer)."""
    assert route.break_start is not None
    end = route.break_start + round(route.break_min * 60)
    return [route.day_index, route.day, date, "", "", BREAK_NAME, "", "", "", "", "", clock[route.break_start],
            clock[route.break_start], clock[end], f"{route.break_min:g}", "", *(["", ""] if levels else [])]


def write_calendars(plan: Plan, folder: Path, *, start: dt.date) -> None:
    """``folder/<manager_id>.ics``: one event per visit of the first cycle, repeating every cycle."""
    folder.mkdir(parents=True, exist_ok=True)
    calendar = _Calendar(plan, start)
    routes = _routes_by_manager(plan)
    for manager in plan.problem.managers:
        text = calendar.text(manager.manager_id, routes[manager.manager_id])
        (folder / f"{manager.manager_id}.ics").write_bytes(text.encode("utf-8"))


def calendar_text(plan: Plan, manager_id: str, *, start: dt.date) -> str:
    """The iCalendar (RFC 5545) text of one manager's visits.

    Times are local ("floating") times; every event repeats with the cycle: weekly with an
    interval when the cycle spans whole weeks, else every so many days.
    """
    return _Calendar(plan, start).text(manager_id, [r for r in plan.routes if r.manager_id == manager_id])


class _Calendar:
    """What every manager's calendar of a plan shares, worked out once for all of them."""

    def __init__(self, plan: Plan, start: dt.date):
        self.name = plan.problem.name
        self.customers = {c.customer_id: c for c in plan.problem.customers}
        self.dates, cycle_days = cycle_dates(plan.problem.days, start)
        self.date_texts = [d.strftime("%Y%m%d") for d in self.dates]
        self.rule = (f"RRULE:FREQ=WEEKLY;INTERVAL={cycle_days // 7}" if cycle_days % 7 == 0
                     else f"RRULE:FREQ=DAILY;INTERVAL={cycle_days}")
        self.stamp = f"DTSTAMP:{dt.datetime.combine(start, dt.time()).strftime('%Y%m%dT%H%M%SZ')}"
        # A customer's place reads the same in every event: escaped and folded once.
        self.places: dict[str, str] = {}
        self.clock = _ClockTexts()
        self.levels = _level_names(plan)

    def text(self, manager_id: str, routes: Iterable[DayRoute]) -> str:
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//routeplan//visit plan//EN", "CALSCALE:GREGORIAN",
                 _fold(f"X-WR-CALNAME:{_escape(f'{self.name} {manager_id}')}")]
        for route in routes:
            day, day_text = self.dates[route.day_index], self.date_texts[route.day_index]
            count = len(route.stops)
            for stop in route.stops:
                c = self.customers[stop.customer_id]
                place = self.places.get(c.customer_id)
                if place is None:
                    place = self.places[c.customer_id] = (
                        _fold(f"LOCATION:{_escape(c.address or f'{c.lat:.6f}, {c.lon:.6f}')}")
                        + "\r\n" + _fold(f"GEO:{c.lat:.6f};{c.lon:.6f}"))
                title = f"{stop.seq}. {c.name or c.customer_id}"
                level = f" ({self.levels[c.tier, stop.level]} visit)" if stop.level else ""
                details = (f"customer {c.customer_id}, tier {c.tier}{level}; {route.day} visit {stop.seq} of "
                           f"{count}; arrive {self.clock[stop.arrival]}")
                lines += ["BEGIN:VEVENT",
                          _fold(f"UID:{_escape(f'{self.name}-{manager_id}-{route.day_index}-{stop.seq}-{c.customer_id}')}"
                                "@routeplan"),
                          self.stamp,
                          f"DTSTART:{_local_time(day, day_text, stop.start)}",
                          f"DTEND:{_local_time(day, day_text, stop.end)}",
                          self.rule,
                          _fold(f"SUMMARY:{_escape(title)}"),
                          place,
                          _fold(f"DESCRIPTION:{_escape(details)}"),
                          "END:VEVENT"]
            if route.break_start is not None:
                end = route.break_start + round(route.break_min * 60)
                lines += ["BEGIN:VEVENT",
                          _fold(f"UID:{_escape(f'{self.name}-{manager_id}-{route.day_index}-break')}@routeplan"),
                          self.stamp,
                          f"DTSTART:{_local_time(day, day_text, route.break_start)}",
                          f"DTEND:{_local_time(day, day_text, end)}",
                          self.rule,
                          f"SUMMARY:{BREAK_NAME.capitalize()}",
                          _fold(f"DESCRIPTION:{_escape(f'{route.day}: {route.break_min:g} min break')}"),
                          "TRANSP:TRANSPARENT",
                          "END:VEVENT"]
        lines += ["END:VCALENDAR", ""]
        # Lines of fixed form (BEGIN, DTSTART, RRULE, ...) are short ASCII: only the others are folded.
        return "\r\n".join(lines)


def _local_time(day: dt.date, day_text: str, seconds: float) -> str:
    """``YYYYMMDDTHHMMSS`` of ``seconds`` after midnight of ``day``."""
    if type(seconds) is int and 0 <= seconds < _DAY_SECONDS:  # the usual case, without datetime arithmetic
        hours, rest = divmod(seconds, 3600)
        return f"{day_text}T{hours:02d}{rest // 60:02d}{rest % 60:02d}"
    return (dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)).strftime("%Y%m%dT%H%M%S")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 section 3.1), never inside a character: the
    first piece holds up to 75 octets, each continuation (after CRLF and a space) up to 74."""
    if line.isascii():
        if len(line) <= 75:
            return line
        return "\r\n ".join([line[:75], *(line[i:i + 74] for i in range(75, len(line), 74))])
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    pieces = []
    begin, limit = 0, 75
    while len(data) - begin > limit:
        end = begin + limit
        while data[end] & 0xC0 == 0x80:  # a continuation byte: the cut would split a character
            end -= 1
        pieces.append(data[begin:end].decode("utf-8"))
        begin, limit = end, 74
    pieces.append(data[begin:].decode("utf-8"))
    return "\r\n ".join(pieces)
