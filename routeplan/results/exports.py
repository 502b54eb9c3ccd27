"""Exports people use beside the plan folder: a schedule per manager (CSV) and a calendar per
manager (iCalendar, one event per visit, repeating with the cycle)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..model.clock import format_hhmmss
from .visit_plan import Plan
from ..io.csvfile import write_table

SCHEDULE_COLUMNS = ("day_index", "day", "date", "seq", "customer_id", "name", "address", "tier", "business_type",
                    "lon", "lat", "arrival", "start", "end", "service_min", "travel_km")

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def next_monday(today: dt.date | None = None) -> dt.date:
    """The first Monday after ``today`` (default: the current date)."""
    today = today or dt.date.today()
    return today + dt.timedelta(days=7 - today.weekday())


def cycle_dates(labels: tuple[str, ...], start: dt.date) -> tuple[list[dt.date], int]:
    """The date of each day of the first cycle, and the cycle's length in calendar days.

    Labels that begin with a weekday name (``Mon-1``, ``tuesday``, ``Fri 2``) are placed on that
    weekday, each after the one before; the first lands on or after ``start``. Other labels are
    consecutive dates from ``start``.
    """
    weekdays = [_weekday(label) for label in labels]
    if labels and all(w is not None for w in weekdays):
        dates = []
        current = start + dt.timedelta(days=(weekdays[0] - start.weekday()) % 7)
        for i, w in enumerate(weekdays):
            if i:
                current = current + dt.timedelta(days=(w - current.weekday() - 1) % 7 + 1)
            dates.append(current)
        nxt = dates[-1] + dt.timedelta(days=(weekdays[0] - dates[-1].weekday() - 1) % 7 + 1)
        return dates, (nxt - dates[0]).days
    return [start + dt.timedelta(days=i) for i in range(len(labels))], len(labels)


def _weekday(label: str) -> int | None:
    match = re.match(r"\s*([A-Za-z]{3})", label)
    if match and match[1].lower() in _WEEKDAYS:
        return _WEEKDAYS.index(match[1].lower())
    return None


def write_schedules(plan: Plan, folder: Path, *, start: dt.date) -> None:
    """``folder/<manager_id>.csv``: each manager's visits in order, with dates of the first cycle."""
    folder.mkdir(parents=True, exist_ok=True)
    customers = {c.customer_id: c for c in plan.problem.customers}
    dates, _ = cycle_dates(plan.problem.days, start)
    for manager in plan.problem.managers:
        rows = []
        for route in (r for r in plan.routes if r.manager_id == manager.manager_id):
            for stop in route.stops:
                c = customers[stop.customer_id]
                rows.append([route.day_index, route.day, dates[route.day_index].isoformat(), stop.seq,
                             c.customer_id, c.name, c.address, c.tier, c.business_type, c.lon, c.lat,
                             format_hhmmss(stop.arrival), format_hhmmss(stop.start), format_hhmmss(stop.end),
                             f"{(stop.end - stop.start) / 60:g}", f"{stop.travel_km:.4f}"])
        write_table(folder / f"{manager.manager_id}.csv", SCHEDULE_COLUMNS, rows)


def write_calendars(plan: Plan, folder: Path, *, start: dt.date) -> None:
    """``folder/<manager_id>.ics``: one event per visit of the first cycle, repeating every cycle."""
    folder.mkdir(parents=True, exist_ok=True)
    for manager in plan.problem.managers:
        text = calendar_text(plan, manager.manager_id, start=start)
        (folder / f"{manager.manager_id}.ics").write_bytes(text.encode("utf-8"))


def calendar_text(plan: Plan, manager_id: str, *, start: dt.date) -> str:
    """The iCalendar (RFC 5545) text of one manager's visits.

    Times are local ("floating") times; every event repeats with the cycle: weekly with an
    interval when the cycle spans whole weeks, else every so many days.
    """
    customers = {c.customer_id: c for c in plan.problem.customers}
    dates, cycle_days = cycle_dates(plan.problem.days, start)
    rule = (f"FREQ=WEEKLY;INTERVAL={cycle_days // 7}" if cycle_days % 7 == 0 else f"FREQ=DAILY;INTERVAL={cycle_days}")
    stamp = dt.datetime.combine(start, dt.time()).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//routeplan//visit plan//EN", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_escape(f'{plan.problem.name} {manager_id}')}"]
    for route in (r for r in plan.routes if r.manager_id == manager_id):
        day = dates[route.day_index]
        for stop in route.stops:
            c = customers[stop.customer_id]
            begin = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=stop.start)
            end = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=stop.end)
            title = f"{stop.seq}. {c.name or c.customer_id}"
            details = (f"customer {c.customer_id}, tier {c.tier}; {route.day} visit {stop.seq} of "
                       f"{len(route.stops)}; arrive {format_hhmmss(stop.arrival)}")
            lines += ["BEGIN:VEVENT",
                      f"UID:{_escape(f'{plan.problem.name}-{manager_id}-{route.day_index}-{stop.seq}-{c.customer_id}')}"
                      "@routeplan",
                      f"DTSTAMP:{stamp}",
                      f"DTSTART:{begin.strftime('%Y%m%dT%H%M%S')}",
                      f"DTEND:{end.strftime('%Y%m%dT%H%M%S')}",
                      f"RRULE:{rule}",
                      f"SUMMARY:{_escape(title)}",
                      f"LOCATION:{_escape(c.address or f'{c.lat:.6f}, {c.lon:.6f}')}",
                      f"GEO:{c.lat:.6f};{c.lon:.6f}",
                      f"DESCRIPTION:{_escape(details)}",
                      "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 section 3.1), never inside a character."""
    out = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)
