"""Compare districting strategies on one scenario: the same managers, visit rules and time limit,
one plan per strategy, and a report with the figures, a workload chart and the maps side by side.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from .errors import ArgumentError
from .io.csvfile import write_table
from .io.staging import REPORT_MARKER, staged_folder
from .model.problem import Problem
from .notices import about, issue
from .plan_folder import write_plan
from .planner import DEFAULT_TIME_LIMIT, plan_within, replan
from .planning.fan_out import as_pool
from .planning.strategies import STRATEGIES, check_strategy
from .results.visit_plan import Plan
from .solver.search import Progress
from .solver.stop import StoppingCriterion

logger = logging.getLogger(__name__)

COMPARE_COLUMNS = ("strategy", "total_travel_km", "total_work_min", "max_day_work_min", "work_cv",
                   "visits_planned", "visits_required", "unserved", "solve_seconds", "reassigned_pct",
                   "balance_deviation", "balance_within", "hull_overlap", "mean_centre_km")
"""The contract's columns, then ours: the largest deviation of a manager's utilisation from its
group's mean and whether every group is within the balance tolerance; the territories' hull
overlap and mean distance to their centres (see :mod:`routeplan.results.territories`)."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """One plan per strategy, in the order run."""

    plans: dict[str, Plan]

    def rows(self) -> list[dict[str, object]]:
        """The rows of compare.csv (figures from each plan's summary)."""
        out = []
        for name, p in self.plans.items():
            s = p.summary()
            out.append({"strategy": name, "total_travel_km": s["total_travel_km"],
                        "total_work_min": s["total_work_min"], "max_day_work_min": s["max_day_work_min"],
                        "work_cv": s["work_cv"], "visits_planned": s["visits_planned"],
                        "visits_required": s["visits_required"], "unserved": s["unserved"],
                        "solve_seconds": s["solve_seconds"], "reassigned_pct": s["reassigned_pct"],
                        "balance_deviation": s["balance_deviation"], "balance_within": s["balance_within"],
                        "hull_overlap": s["hull_overlap"], "mean_centre_km": s["mean_centre_km"]})
        return out

    def markdown(self) -> str:
        """The comparison as a Markdown table, with the figures beyond compare.csv."""
        head = ("| strategy | travel km | work h | longest day h | work CV | largest deviation | visits | unserved | "
                "in specialty | district crossings | hull overlap | km to centre | reassigned |")
        lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for name, p in self.plans.items():
            s = p.summary()
            reassigned = "" if s["reassigned_pct"] is None else f"{s['reassigned_pct']:.0f}%"
            lines.append(f"| {name} | {s['total_travel_km']:.0f} | {s['total_work_min'] / 60:.0f} | "
                         f"{s['max_day_work_min'] / 60:.2f} | {100 * s['work_cv']:.1f}% | "
                         f"{100 * s['balance']['largest_deviation']:.1f}% | "
                         f"{s['visits_planned']}/{s['visits_required']} | {s['unserved']} | "
                         f"{100 * s['specialty_share']:.0f}% | {s['district_crossings']} | "
                         f"{100 * s['territories']['hull_overlap']:.0f}% | "
                         f"{s['territories']['mean_centre_km']:.2f} | {reassigned} |")
        return "\n".join(lines)

    def write(self, folder: str | os.PathLike[str], *, maps: bool = True) -> Path:
        """Write every plan to ``folder/<strategy>/`` and the report files beside them:
        compare.csv, compare.md, workload.png and (with maps) compare.html."""
        folder = Path(folder)
        with staged_folder(folder, marker=REPORT_MARKER) as stage:
            for name, p in self.plans.items():
                write_plan(p, stage / name, maps=maps)
            write_table(stage / "compare.csv", COMPARE_COLUMNS,
                        ([("" if row[c] is None else row[c]) for c in COMPARE_COLUMNS] for row in self.rows()))
            workload_chart(self, stage / "workload.png")
            (stage / "compare.md").write_text(self._report_markdown(), encoding="utf-8")
            if maps:
                (stage / "compare.html").write_text(self._report_html(), encoding="utf-8")
        return folder

    def _report_markdown(self) -> str:
        first = next(iter(self.plans.values()))
        problem = first.problem
        parts = [f"# Districting strategies for '{problem.name}'", "",
                 (f"{problem.num_customers} customers, {problem.num_managers} managers, {problem.num_days} days, "
                  f"{problem.visits_required()} visits per cycle; every strategy planned with the same "
                  + (f"time limit ({first.time_limit:g} s)" if first.time_limit is not None else "stopping criterion")
                  + f" and seed ({first.seed})."), "", self.markdown(), "",
                 ("- work CV: largest coefficient of variation of work minutes over interchangeable managers "
                  "(one role under hybrid, all managers otherwise)."),
                 "- in specialty: share of visits made by a manager whose role the customer's tier names.",
                 "- district crossings: over all managers, districts their customers lie in, minus one each.",
                 "", "![work per manager](workload.png)", ""]
        for name, p in self.plans.items():
            parts += [f"## {name}", "", "```", p.summary_table(), "```", "", "Work per manager and day (hours):", "",
                      _day_table(p), ""]
        return "\n".join(parts)

    def _report_html(self) -> str:
        cells = "\n".join(
            f'<figure><figcaption>{html.escape(name)}</figcaption>'
            f'<iframe src="{html.escape(name)}/map.html#compact" title="{html.escape(name)} map"></iframe></figure>'
            for name in self.plans)
        header = "".join(f'<th scope="col">{html.escape(label)}</th>' for label, _ in _HTML_COLUMNS.values())
        rows = "".join(
            f'<tr><th scope="row">{html.escape(str(row["strategy"]))}</th>'
            + "".join(f"<td>{html.escape(show(row[c]))}</td>" for c, (_, show) in _HTML_COLUMNS.items())
            + "</tr>" for row in self.rows())
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Districting strategies</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: sans-serif; margin: 1em; }}
.figures {{ max-width: 100%; overflow-x: auto; }}
table {{ border-collapse: collapse; font-size: 13px; }}
td, th {{ border: 1px solid #ccc; padding: 3px 6px; text-align: right; }}
thead th {{ background: #f3f3f3; vertical-align: bottom; max-width: 7.5em; white-space: normal; }}
tbody th {{ text-align: left; white-space: nowrap; }}
.maps {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; }}
figure {{ margin: 0; }} figcaption {{ font-weight: bold; margin: 4px 0; }}
iframe {{ width: 100%; height: 520px; border: 1px solid #999; }}
</style></head><body>
<h1>Districting strategies</h1>
<div class="figures"><table><thead><tr><th scope="col">Strategy</th>{header}</tr></thead>
<tbody>{rows}</tbody></table></div>
<p><img src="workload.png" alt="work per manager" style="max-width: 100%"></p>
<div class="maps">
{cells}
</div></body></html>
"""


def _number(digits: int, *, scale: float = 1.0) -> Callable[[object], str]:
    """A cell of a figure: rounded to ``digits`` (after ``scale``), thousands apart; empty when
    there is no figure."""
    def show(value: object) -> str:
        if value is None or value == "":
            return "\u2013"
        assert isinstance(value, int | float)
        return f"{float(value) * scale:,.{digits}f}"
    return show


def _yes_no(value: object) -> str:
    return "\u2013" if value is None else ("yes" if value else "no")


_HTML_COLUMNS: dict[str, tuple[str, Callable[[object], str]]] = {
    "total_travel_km": ("Travel (km)", _number(1)),
    "total_work_min": ("Work (h)", _number(1, scale=1 / 60)),
    "max_day_work_min": ("Longest day (h)", _number(2, scale=1 / 60)),
    "work_cv": ("Work CV (%)", _number(1, scale=100)),
    "visits_planned": ("Visits planned", _number(0)),
    "visits_required": ("Visits required", _number(0)),
    "unserved": ("Unserved customers", _number(0)),
    "solve_seconds": ("Solve time (s)", _number(0)),
    "reassigned_pct": ("Reassigned (%)", _number(1)),
    "balance_deviation": ("Largest balance deviation (%)", _number(1, scale=100)),
    "balance_within": ("Balance within band", _yes_no),
    "hull_overlap": ("Territory overlap (%)", _number(0, scale=100)),
    "mean_centre_km": ("Mean distance to centre (km)", _number(2)),
}
"""compare.html's figure columns (the columns of compare.csv after the strategy): a heading with
its unit and how a value is shown."""


def _day_table(plan: Plan) -> str:
    """Markdown table: managers down, days across, work hours in the cells."""
    days = plan.problem.days
    lines = ["| manager | " + " | ".join(days) + " |", "|---|" + "---:|" * len(days)]
    for manager, work in plan.day_work().items():
        lines.append(f"| {manager} | " + " | ".join(f"{w / 60:.1f}" if w else "" for w in work) + " |")
    return "\n".join(lines)


def workload_chart(comparison: Comparison, path: Path) -> None:
    """Grouped bars: work hours per manager under each strategy."""
    names = list(comparison.plans)
    managers = [m.manager_id for m in next(iter(comparison.plans.values())).problem.managers]
    # A bare Figure: no pyplot state and no GUI backend, so the library never touches the caller's.
    fig = Figure(figsize=(max(6.0, 0.6 * len(managers) * len(names) / 2), 3.6), dpi=110)
    ax = fig.subplots()
    width = 0.8 / max(1, len(names))
    for k, name in enumerate(names):
        work = {f.manager_id: f.work_min / 60 for f in comparison.plans[name].manager_figures()}
        xs = [i + (k - (len(names) - 1) / 2) * width for i in range(len(managers))]
        ax.bar(xs, [work[m] for m in managers], width=width, label=name)
    ax.set_xticks(range(len(managers)), managers)
    ax.set_ylabel("work per cycle (h)")
    ax.legend(ncols=len(names), fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)


def compare(problem: Problem, *, strategies: Sequence[str] = STRATEGIES, time_limit: float = DEFAULT_TIME_LIMIT,
            seed: int = 0, progress: Callable[[str, Progress], None] | None = None,
            executor: Executor | Any | None = None, stop: StoppingCriterion | None = None) -> Comparison:
    """Plan ``problem`` under each strategy with the same time limit (or ``stop`` criterion,
    see :func:`routeplan.plan`) and seed.

    ``progress`` is called with the strategy name and each
    :class:`~routeplan.solver.search.Progress` report (when the strategies are planned here).
    With an ``executor`` (a :class:`concurrent.futures.Executor` or a ``dask.distributed.Client``)
    the strategies are planned side by side on it, each within the time limit; the plans are the
    same as one after another.
    """
    for name in strategies:  # what a strategy lacks is told at once, not after the others have run
        check_strategy(problem, name)
    if stop is None and not time_limit > 0:
        raise ArgumentError("time_limit", f"{time_limit} is not a positive number of seconds")
    limit = None if stop is not None else time_limit
    pool = as_pool(executor)
    if pool is not None:
        futures = {name: pool.submit(_plan_strategy, problem, strategy=name, time_limit=limit, stop=stop, seed=seed)
                   for name in strategies}
        plans = {name: future.result() for name, future in futures.items()}
    else:
        plans = {}
        for name in strategies:
            logger.info("planning with strategy %s", name)
            report = None if progress is None else (lambda p, name=name: progress(name, p))
            plans[name] = _plan_strategy(problem, strategy=name, time_limit=limit, stop=stop, seed=seed,
                                         progress=report)
    for name, p in plans.items():
        # Each strategy's own warnings, named; the problem's were raised when it was read.
        issue([f"{name}: {w}" for w in p.warnings if w not in problem.warnings])
    return Comparison(plans=plans)


def _plan_strategy(problem: Problem, *, strategy: str, **options: Any) -> Plan:
    """The plan of one strategy, what is logged on the way naming it (also in a worker process,
    whose log the command shows)."""
    with about(strategy):
        return plan_within(problem, strategy=strategy, **options)


@dataclass(frozen=True, slots=True)
class Variants:
    """Variants of a scenario re-planned from one current plan (see :func:`try_variants`)."""

    current: Plan
    plans: dict[str, Plan]

    def rows(self) -> list[dict[str, object]]:
        """Per variant: reassigned and same-day shares, travel and its change against the current
        plan, the largest deviation from a balance group's mean, visits and unserved customers."""
        base = self.current.cost()
        out: list[dict[str, object]] = []
        for name, p in self.plans.items():
            report = p.balance()
            out.append({"variant": name, "reassigned_pct": p.reassigned_pct(), "same_days_pct": p.same_days_pct(),
                        "total_travel_km": round(p.cost(), 1),
                        "travel_change_pct": round(100 * (p.cost() / base - 1), 2) if base else None,
                        "balance_deviation": round(report.largest_deviation, 4), "balance_within": report.within,
                        "visits_planned": p.visits_planned(), "visits_required": p.visits_required(),
                        "unserved": len(p.unserved)})
        return out

    def markdown(self) -> str:
        """The variants as a Markdown table, the current plan first."""
        lines = ["| variant | reassigned | same days | travel km | change | largest deviation | visits | unserved |",
                 "|---|---:|---:|---:|---:|---:|---:|---:|"]
        base = self.current.cost()
        for name, p in {"current": self.current, **self.plans}.items():
            reassigned, same = (None, None) if p is self.current else (p.reassigned_pct(), p.same_days_pct())
            change = "" if p is self.current or not base else f"{100 * (p.cost() / base - 1):+.1f}%"
            lines.append(f"| {name} | {'' if reassigned is None else f'{reassigned:.1f}%'} | "
                         f"{'' if same is None else f'{same:.1f}%'} | {p.cost():.0f} | {change} | "
                         f"{100 * p.balance().largest_deviation:.1f}% | {p.visits_planned()}/{p.visits_required()} | "
                         f"{len(p.unserved)} |")
        return "\n".join(lines)


def try_variants(current: Plan, variants: dict[str, Problem], *, max_reassigned: float | None = None,
                 keep_days: bool | None = None, **options: Any) -> Variants:
    """Re-plan each variant of the current plan's problem from the current plan, side by side,
    the current plan untouched.

    Parameters
    ----------
    current
        The plan in force.
    variants
        Name -> the problem as it would be: ``current.problem.without_managers("C3")``,
        ``.with_customers([...])``, ``.with_tier_rules("medium", visits=3)`` and so on.
    max_reassigned, keep_days
        The re-plan's limit and day keeping (see :func:`routeplan.replan`).
    **options
        Passed to :func:`routeplan.replan` for every variant (``time_limit``, ``stop``, ``seed``).
    """
    plans = {name: replan(problem, current, max_reassigned=max_reassigned, keep_days=keep_days, **options)
             for name, problem in variants.items()}
    return Variants(current=current, plans=plans)
