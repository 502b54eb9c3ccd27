"""A plan as plain JSON-ready data and back (``routeplan.plan/1``), problem included."""

from __future__ import annotations

from typing import Any

from ..model.problem import Problem
from ..model.routes import DayRoute, Stop, Unserved
from .plan_data import PlanData
from .run_record import RunRecord

FORMAT = "routeplan.plan/1"


def plan_data(plan: PlanData) -> dict[str, Any]:
    """Plain JSON-ready data of ``plan``, including the problem."""
    return {
        "format": FORMAT,
        "problem": plan.problem.to_dict(),
        "strategy": plan.strategy, "seed": plan.seed, "solve_seconds": plan.solve_seconds,
        "time_limit": plan.time_limit, "iterations": plan.iterations, "run": plan.run.to_dict(),
        "routes": [{"manager_id": r.manager_id, "day_index": r.day_index, "day": r.day, "depart": r.depart,
                    "return": r.return_time, "travel_km": r.travel_km, "travel_min": r.travel_min,
                    "service_min": r.service_min, "wait_min": r.wait_min,
                    "stops": [[s.seq, s.customer_id, s.arrival, s.start, s.end, s.travel_km, s.level]
                              for s in r.stops],
                    **({} if r.break_start is None else {"break_start": r.break_start, "break_min": r.break_min})}
                   for r in plan.routes],
        "unserved": [[u.customer_id, u.visits_missing, u.reason, u.level] for u in plan.unserved],
    }


def plan_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of a :class:`routeplan.Plan` from :func:`plan_data`'s data."""
    routes = tuple(DayRoute(manager_id=r["manager_id"], day_index=r["day_index"], day=r["day"],
                            depart=r["depart"], return_time=r["return"], travel_km=r["travel_km"],
                            travel_min=r["travel_min"], service_min=r["service_min"], wait_min=r["wait_min"],
                            stops=tuple(Stop(seq=s[0], customer_id=s[1], arrival=s[2], start=s[3], end=s[4],
                                             travel_km=s[5], level=s[6] if len(s) > 6 else 0)
                                        for s in r["stops"]),
                            break_start=r.get("break_start"), break_min=r.get("break_min", 0.0))
                   for r in data["routes"])
    return {"problem": Problem.from_dict(data["problem"]), "routes": routes,
            "unserved": tuple(Unserved(customer_id=u[0], visits_missing=u[1], reason=u[2],
                                       level=u[3] if len(u) > 3 else 0) for u in data["unserved"]),
            "strategy": data["strategy"], "seed": data["seed"], "solve_seconds": data["solve_seconds"],
            "time_limit": data["time_limit"], "iterations": data["iterations"],
            "run": RunRecord.from_dict(data.get("run", data.get("extra", {})))}
