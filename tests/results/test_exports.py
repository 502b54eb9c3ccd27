"""Schedules (CSV) and calendars (iCalendar) beside the plan folder."""

import csv
import dataclasses
import datetime as dt

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from routeplan import plan, write_plan
from routeplan.model.clock import format_hhmmss
from routeplan.results.exports import _fold, _local_time, calendar_text, cycle_dates

START = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def tiny_plan(tiny_problem):
    return plan(tiny_problem, time_limit=2, seed=5)


def test_cycle_dates_follow_weekday_labels():
    labels = ("Mon-1", "Tue-1", "Wed-1", "Thu-1", "Fri-1", "Mon-2", "Tue-2", "Wed-2", "Thu-2", "Fri-2")
    dates, length = cycle_dates(labels, dt.date(2026, 11, 30))
    assert dates[0] == dt.date(2026, 11, 30)
    assert dates[5] == dt.date(2026, 12, 7)
    assert dates[9] == dt.date(2026, 12, 11)
    assert length == 14
    dates, length = cycle_dates(("D1", "D2", "D3"), dt.date(2026, 1, 1))
    assert dates == [dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 3)]
    assert length == 3


def test_calendars_parse_back_as_icalendar(tiny_plan, tmp_path):
    icalendar = pytest.importorskip("icalendar")
    write_plan(tiny_plan, tmp_path / "p", maps=False, start_date=START)
    dates, _ = cycle_dates(tiny_plan.problem.days, START)
    stops = {(r.manager_id, r.day_index, s.seq): (s, dates[r.day_index]) for r in tiny_plan.routes for s in r.stops}
    seen = set()
    for path in sorted((tmp_path / "p" / "calendars").glob("*.ics")):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        for event in calendar.walk("VEVENT"):
            assert event["RRULE"]["FREQ"] == ["WEEKLY"]
            assert event["RRULE"]["INTERVAL"] == [1]
            # UID: <scenario>-<manager>-<day index>-<seq>-<customer>@routeplan
            _, manager, day_index, seq, customer = str(event["UID"]).removesuffix("@routeplan").split("-")
            stop, day = stops[(manager, int(day_index), int(seq))]
            assert path.stem == manager
            assert customer == stop.customer_id
            midnight = dt.datetime.combine(day, dt.time())
            assert event["DTSTART"].dt == midnight + dt.timedelta(seconds=stop.start)
            assert event["DTEND"].dt == midnight + dt.timedelta(seconds=stop.end)
            seen.add((manager, int(day_index), int(seq)))
    assert seen == set(stops)


def test_calendar_text_is_the_written_calendar(tiny_plan, tmp_path):
    write_plan(tiny_plan, tmp_path / "p", maps=False, start_date=START)
    for manager in tiny_plan.problem.managers:
        written = (tmp_path / "p" / "calendars" / f"{manager.manager_id}.ics").read_bytes()
        assert calendar_text(tiny_plan, manager.manager_id, start=START).encode("utf-8") == written


def test_long_names_are_folded_at_75_octets(tiny_plan, tmp_path):
    icalendar = pytest.importorskip("icalendar")
    long_name = "华联超市" * 12 + ", 东风街;1号"  # 3 octets a character: folding must not split one
    first = tiny_plan.routes[0].stops[0].customer_id
    problem = tiny_plan.problem
    customers = tuple(dataclasses.replace(c, name=long_name, address=long_name * 2) if c.customer_id == first else c
                      for c in problem.customers)
    odd = dataclasses.replace(tiny_plan, problem=dataclasses.replace(problem, customers=customers))
    text = calendar_text(odd, odd.routes[0].manager_id, start=START)
    assert text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    assert "\r\n " in text
    calendar = icalendar.Calendar.from_ical(text)
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert f"1. {long_name}" in summaries
    assert long_name * 2 in [str(e["LOCATION"]) for e in calendar.walk("VEVENT")]


def _fold_by_character(line: str) -> str:
    """RFC 5545 folding done the slow, obvious way: a character at a time."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


@given(st.text(alphabet=st.sampled_from("abc ;,\\"), max_size=400) | st.text(alphabet=st.sampled_from("abc é华🙂"),
                                                                             max_size=400))
@example("a" * 75)
@example("a" * 76)
@example("a" * 149)
@example("a" * 150)
@example("a" * 74 + "华")
def test_folding_cuts_at_the_last_whole_character_within_75_octets(line):
    folded = _fold(line)
    assert folded == _fold_by_character(line)
    assert folded.replace("\r\n ", "") == line
    assert all(len(piece.encode("utf-8")) <= (75 if i == 0 else 74) for i, piece in enumerate(folded.split("\r\n ")))


def test_event_times_outside_the_day_roll_over_to_the_next_date():
    day = dt.date(2026, 11, 30)
    assert _local_time(day, "20261130", 8 * 3600 + 61) == "20261130T080101"
    assert _local_time(day, "20261130", 24 * 3600 + 61) == "20261201T000101"
    assert _local_time(day, "20261130", 3600.75) == "20261130T010000"  # seconds as datetime truncates them


def test_schedules_list_each_managers_visits_in_order(tiny_plan, tmp_path):
    write_plan(tiny_plan, tmp_path / "p", maps=False, start_date=START)
    dates, _ = cycle_dates(tiny_plan.problem.days, START)
    for manager in tiny_plan.problem.managers:
        with (tmp_path / "p" / "schedules" / f"{manager.manager_id}.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        expected = [(str(r.day_index), dates[r.day_index].isoformat(), str(s.seq), s.customer_id,
                     format_hhmmss(s.arrival), format_hhmmss(s.start), format_hhmmss(s.end))
                    for r in tiny_plan.routes if r.manager_id == manager.manager_id for s in r.stops]
        assert [(r["day_index"], r["date"], r["seq"], r["customer_id"], r["arrival"], r["start"], r["end"])
                for r in rows] == expected
