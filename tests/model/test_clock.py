import pytest

from routeplan.model.clock import format_hhmm, format_hhmmss, parse_clock, parse_hhmmss


@pytest.mark.parametrize(("text", "minutes"), [
    ("08:30", 510.0), ("8:30", 510.0), ("08:30:30", 510.5), ("8:30am", 510.0), ("5:30 PM", 1050.0),
    ("12:00am", 0.0), ("12:15pm", 735.0), ("24:00", 1440.0), ("9", 540.0),
])
def test_parse_clock_accepts_common_spellings(text, minutes):
    assert parse_clock(text) == pytest.approx(minutes)


@pytest.mark.parametrize("text", ["", "8h30", "25:00", "08:61", "13:00pm", "abc", "24:01"])
def test_parse_clock_rejects_non_times(text):
    with pytest.raises(ValueError, match="not a clock time"):
        parse_clock(text)


def test_formatting_round_trips():
    assert format_hhmm(510) == "08:30"
    assert format_hhmmss(30600) == "08:30:00"
    assert format_hhmmss(30600.2) == "08:30:01"  # rounded up, never earlier than the truth
    assert parse_hhmmss("08:30:01") == 30601
