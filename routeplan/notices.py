"""The warnings of a run: collected from the library's log, so that a plan (and a problem)
carries what its user was warned of, and the ones that matter issued as Python warnings.

The library states a warning once, with ``logger.warning`` where it finds it; :func:`collected`
gathers those of one call (on the calling thread) and :func:`issue` turns them into
:class:`~routeplan.errors.PlanWarning` for a notebook user, who sees no log unless they set one
up. The command line shows the log and silences the Python warnings (no line twice).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import warnings
from collections.abc import Iterable, Iterator

from .errors import PlanWarning

#: Balance lines (a manager or a day outside its band) are warnings of the plan, listed with the
#: balance report, but too common to raise as Python warnings on every run.
BALANCE_PREFIX = "balance: "


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextlib.contextmanager
def collected() -> Iterator[list[str]]:
    """The warnings the library logs on this thread while the block runs, in order (the list
    fills as they come)."""
    collector = _Collector()
    library = logging.getLogger("routeplan")
    library.addHandler(collector)
    try:
        yield collector.messages
    finally:
        library.removeHandler(collector)


def unique(messages: Iterable[str]) -> tuple[str, ...]:
    """``messages`` without repeats, in order."""
    return tuple(dict.fromkeys(messages))


def is_minor(message: str) -> bool:
    """True for warnings kept on the plan but not raised as Python warnings."""
    return message.startswith(BALANCE_PREFIX)


def issue(messages: Iterable[str], *, stacklevel: int = 3) -> None:
    """Raise each warning that matters as a :class:`~routeplan.errors.PlanWarning`
    (``stacklevel`` 3: at the line that called the public function that calls this)."""
    for message in messages:
        if not is_minor(message):
            warnings.warn(message, PlanWarning, stacklevel=stacklevel)
