"""What the engine hands back: routes as task sequences with their timetables, each task's
owner and days, and how the search went. Plain data, independent of the kernels' arrays."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, kw_only=True)
class TimedRoute:
    """One vehicle's route and its times (in the instance's time unit).

    Visits start as early as their windows allow; the departure is delayed as far as that
    costs no later return (see :func:`routeplan.solver.kernels.timing.timetable`).
    """

    vehicle: int
    tasks: tuple[int, ...]
    depart: float
    arrival: tuple[float, ...]
    start: tuple[float, ...]
    end: tuple[float, ...]
    back: float
    break_start: float | None = None  # when the vehicle's break starts (None: it has none)


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineResult:
    """The best solution found, and how the search went.

    ``routes`` holds every vehicle with at least one visit, by vehicle index. ``owners[t]`` is
    task ``t``'s owner (-1 when unassigned or without owner consistency) and ``days[t]`` the
    days of its visits (empty when unassigned). ``stopped_by`` names the criterion that ended
    the search (``"budget"``, ``"iterations"``, ``"no improvement"`` repeat exactly;
    ``"clock"`` may not); ``work`` is in work units (see :mod:`routeplan.solver.work`).
    """

    routes: tuple[TimedRoute, ...]
    owners: tuple[int, ...]
    days: tuple[tuple[int, ...], ...]
    objective: float
    iterations: int = 0
    work: float = 0.0
    seconds: float = 0.0
    stopped_by: str = "budget"
    history: tuple[tuple[float, float], ...] = field(default=(), compare=False)

    def unassigned(self) -> list[int]:
        """Tasks without visits."""
        return [t for t, days in enumerate(self.days) if not days]

    def sequences(self, num_vehicles: int) -> list[list[int]]:
        """One task sequence per vehicle (empty for vehicles without a route)."""
        out: list[list[int]] = [[] for _ in range(num_vehicles)]
        for route in self.routes:
            out[route.vehicle] = list(route.tasks)
        return out
