"""When a search stops: stopping criteria, in the manner of ``pyvrp.stop``.

A criterion is asked between chunks of search steps, with the search's :class:`Status`, and
answers whether to stop. Criteria that count work, steps or steps without improvement stop at
the same step on any machine, so the same seed gives the same plan; :class:`MaxRuntime` looks
at the clock and does not. :class:`TimeLimit`, what ``time_limit=`` means, is a work budget
with the clock as a safety net.

Examples
--------
>>> MaxIterations(20_000) | NoImprovement(5_000)   # whichever comes first
MultipleCriteria(criteria=(MaxIterations(iterations=20000), NoImprovement(iterations=5000)))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..errors import ArgumentError
from .work import UNITS_PER_SECOND

#: How far (a share of the run) the clock must be ahead of the repeatable criteria of a
#: :class:`MultipleCriteria` before it, not they, paces the search.
CLOCK_PACE_LEAD = 0.05


@dataclass(frozen=True, slots=True, kw_only=True)
class Status:
    """Where a search stands."""

    iterations: int
    work: float  # work units spent (see routeplan.solver.work)
    seconds: float  # wall time since the search started
    best_cost: float
    since_improvement: int  # steps since the best solution improved


class StoppingCriterion(Protocol):
    """What a stopping criterion offers the search."""

    def __call__(self, status: Status) -> bool:
        """True when the search should stop now."""
        ...

    def fraction(self, status: Status) -> float | None:
        """How far along the run is, 0 to 1, if the criterion can tell (the annealing
        temperature and the polishing rounds follow it)."""
        ...

    def seconds_left(self, status: Status) -> float:
        """Wall-clock seconds the criterion still allows (``inf`` when it does not look at the
        clock); bounds what the search does outside its steps."""
        ...

    def part(self, share: float, before: float) -> StoppingCriterion:
        """The criterion for one independent part of an instance carrying ``share`` of its
        visits, parts carrying ``before`` having been solved already (parts are solved one
        after another, on one clock)."""
        ...

    @property
    def repeatable(self) -> bool:
        """True when the stop does not depend on the clock."""
        ...

    @property
    def reason(self) -> str:
        """What a stop by this criterion is called (``stopped_by`` in a plan's summary)."""
        ...


class _Combinable:
    __slots__ = ()

    def __or__(self, other: StoppingCriterion) -> MultipleCriteria:
        return MultipleCriteria((self, other))  # type: ignore[arg-type]


def _positive(name: str, value: float) -> None:
    if not (value > 0 and not math.isnan(value)):
        raise ArgumentError(name, f"{value} is not a positive number")


@dataclass(frozen=True, slots=True)
class MaxWork(_Combinable):
    """Stop after ``units`` work units (reference nanoseconds, see
    :mod:`routeplan.solver.work`): repeatable on any machine."""

    units: float

    def __post_init__(self) -> None:
        _positive("units", self.units)

    def __call__(self, status: Status) -> bool:
        return status.work >= self.units

    def fraction(self, status: Status) -> float | None:
        return min(1.0, status.work / self.units)

    def seconds_left(self, status: Status) -> float:
        return math.inf

    def part(self, share: float, before: float) -> MaxWork:
        return MaxWork(max(1.0, self.units * share))

    @property
    def repeatable(self) -> bool:
        return True

    @property
    def reason(self) -> str:
        return "budget"


@dataclass(frozen=True, slots=True)
class MaxIterations(_Combinable):
    """Stop after ``iterations`` ruin-and-recreate steps: repeatable on any machine."""

    iterations: int

    def __post_init__(self) -> None:
        _positive("iterations", self.iterations)

    def __call__(self, status: Status) -> bool:
        return status.iterations >= self.iterations

    def fraction(self, status: Status) -> float | None:
        return min(1.0, status.iterations / self.iterations)

    def seconds_left(self, status: Status) -> float:
        return math.inf

    def part(self, share: float, before: float) -> MaxIterations:
        return MaxIterations(max(1, round(self.iterations * share)))

    @property
    def repeatable(self) -> bool:
        return True

    @property
    def reason(self) -> str:
        return "iterations"


@dataclass(frozen=True, slots=True)
class NoImprovement(_Combinable):
    """Stop once the best solution has not improved for ``iterations`` steps: repeatable on
    any machine. It cannot tell how far along a run is; combined with a criterion that can,
    that one sets the pace."""

    iterations: int

    def __post_init__(self) -> None:
        _positive("iterations", self.iterations)

    def __call__(self, status: Status) -> bool:
        return status.since_improvement >= self.iterations

    def fraction(self, status: Status) -> float | None:
        return None

    def seconds_left(self, status: Status) -> float:
        return math.inf

    def part(self, share: float, before: float) -> NoImprovement:
        return self

    @property
    def repeatable(self) -> bool:
        return True

    @property
    def reason(self) -> str:
        return "no improvement"


@dataclass(frozen=True, slots=True)
class MaxRuntime(_Combinable):
    """Stop after ``seconds`` of wall time (counted from ``after`` seconds into the run): depends
    on the machine and its load, so the same seed may give another plan. With ``pace`` False the
    clock only stops the search and never sets its pace (its annealing temperature and polishing
    rounds follow the other criteria): a part of a large problem, whose clock depends on how many
    workers share the run, then plans the same with one worker or many wherever its budget, not
    the clock, ends it."""

    seconds: float
    after: float = 0.0
    pace: bool = True

    def __post_init__(self) -> None:
        _positive("seconds", self.seconds)

    def __call__(self, status: Status) -> bool:
        return status.seconds >= self.after + self.seconds

    def fraction(self, status: Status) -> float | None:
        if not self.pace:
            return None
        return min(1.0, max(0.0, (status.seconds - self.after) / self.seconds))

    def seconds_left(self, status: Status) -> float:
        return max(0.0, self.after + self.seconds - status.seconds)

    def part(self, share: float, before: float) -> MaxRuntime:
        # The part's window follows the earlier parts' shares; time they left over is its to use.
        return MaxRuntime(max(1e-3, self.seconds * share), after=self.after + self.seconds * before, pace=self.pace)

    @property
    def repeatable(self) -> bool:
        return False

    @property
    def reason(self) -> str:
        return "clock"


@dataclass(frozen=True, slots=True)
class MultipleCriteria(_Combinable):
    """Stop as soon as any of ``criteria`` says so."""

    criteria: tuple[StoppingCriterion, ...]

    def __init__(self, criteria: Sequence[StoppingCriterion]):
        flat: list[StoppingCriterion] = []
        for c in criteria:
            flat.extend(c.criteria if isinstance(c, MultipleCriteria) else (c,))
        if not flat:
            raise ArgumentError("criteria", "give at least one stopping criterion")
        object.__setattr__(self, "criteria", tuple(flat))

    def __call__(self, status: Status) -> bool:
        return any(c(status) for c in self.criteria)

    def fraction(self, status: Status) -> float | None:
        # The repeatable criteria set the pace, so that a run they end is the same on any
        # machine: the clock's few milliseconds ahead at the start of a search would otherwise
        # change its temperatures and so its plan. The clock paces only a run it is well ahead
        # in (by CLOCK_PACE_LEAD: a slower or busier machine), which it will end itself.
        steady = [f for c in self.criteria if c.repeatable and (f := c.fraction(status)) is not None]
        clock = [f for c in self.criteria if not c.repeatable and (f := c.fraction(status)) is not None]
        if not steady:
            return max(clock) if clock else None
        pace = max(steady)
        return max(clock) if clock and max(clock) > pace + CLOCK_PACE_LEAD else pace

    def seconds_left(self, status: Status) -> float:
        return min(c.seconds_left(status) for c in self.criteria)

    def part(self, share: float, before: float) -> MultipleCriteria:
        return MultipleCriteria([c.part(share, before) for c in self.criteria])

    @property
    def repeatable(self) -> bool:
        return all(c.repeatable for c in self.criteria)

    @property
    def reason(self) -> str:
        return "/".join(c.reason for c in self.criteria)

    def fired(self, status: Status) -> StoppingCriterion | None:
        """The first criterion that says stop, if any."""
        return next((c for c in self.criteria if c(status)), None)


def time_limit(seconds: float, *, units_per_second: float = UNITS_PER_SECOND) -> MultipleCriteria:
    """What ``time_limit=seconds`` means: a work budget of ``seconds x units_per_second`` (the
    same plan for the same seed, on a machine as fast as the reference one or faster), with a
    clock stop at ``seconds`` as the safety net on a slower or busier one (the plan then may
    differ from run to run; ``stopped_by`` says ``"clock"``)."""
    _positive("time_limit", seconds)
    _positive("units_per_second", units_per_second)
    return MultipleCriteria([MaxWork(seconds * units_per_second), MaxRuntime(seconds)])


def stopped_by(criterion: StoppingCriterion, status: Status) -> str:
    """The reason of the criterion that stopped a search (``"budget"``, ``"iterations"``,
    ``"no improvement"`` or ``"clock"``)."""
    if isinstance(criterion, MultipleCriteria):
        fired = criterion.fired(status)
        return fired.reason if fired is not None else criterion.reason
    return criterion.reason
