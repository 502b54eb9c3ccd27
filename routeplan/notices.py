"""The warnings of a run: collected from the library's log, so that a plan (and a problem)
carries what its user was warned of, and the ones that matter issued as Python warnings.

The library states a warning once, with ``logger.warning`` where it finds it; :func:`collected`
gathers those of one call (on the calling thread) and :func:`issue` turns them into
:class:`~routeplan.errors.PlanWarning` for a notebook user, who sees no log unless they set one
up. The command line shows the log and silences the Python warnings (no line twice).
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import threading
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

from .errors import PlanWarning, unexpected_keyword

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


_about = threading.local()


@contextlib.contextmanager
def about(name: str) -> Iterator[None]:
    """Within the block, the warnings logged on this thread concern ``name`` (a strategy that
    :func:`routeplan.compare` plans): a log handler that shows them (the command line's) names it
    with :func:`subject`."""
    before = getattr(_about, "name", None)
    _about.name = name
    try:
        yield
    finally:
        _about.name = before


def subject() -> str | None:
    """What the warnings logged now on this thread concern (see :func:`about`), or None."""
    name: str | None = getattr(_about, "name", None)
    return name


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


def deprecated_keywords(function: Callable[..., Any], given: Mapping[str, Any], old: Collection[str],
                        instead: str, *, stacklevel: int = 3) -> dict[str, Any]:
    """The old keyword arguments ``given`` to ``function`` (what its ``**legacy`` caught),
    checked, with one :class:`DeprecationWarning` naming them and what replaces them.

    Parameters
    ----------
    function
        The function whose old keywords these are.
    given
        The old keywords the caller passed (none: no warning).
    old
        The old keywords ``function`` still accepts.
    instead
        What to write instead, for the message (``"layout=TownLayout(...)"``).
    stacklevel
        3: the warning points at the line that called ``function``.

    Returns
    -------
    dict[str, Any]
        ``given``, as a new dict.

    Raises
    ------
    TypeError
        For a keyword ``function`` never took, as Python raises it, naming the closest of the
        old keywords and ``function``'s own parameters (``**legacy`` catches their typos too).
    """
    for name in given:
        if name not in old:
            parameters = [p.name for p in inspect.signature(function).parameters.values()
                          if p.kind is not inspect.Parameter.VAR_KEYWORD]
            raise unexpected_keyword(function.__qualname__, name, [*old, *parameters])
    if given:
        names = ", ".join(given)
        warnings.warn(f"{function.__qualname__}(): {names} {'is' if len(given) == 1 else 'are'} deprecated and "
                      f"will be removed; pass {instead} instead", DeprecationWarning, stacklevel=stacklevel)
    return dict(given)
