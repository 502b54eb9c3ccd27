"""The ``routeplan`` command: plan, compare and validate.

Exit codes: 0 done; 1 a plan that does not validate; 2 bad input (with file, row and column).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from .errors import RouteplanError, ScenarioError
from .io.staging import PLAN_MARKER, REPORT_MARKER, check_replaceable
from .planning.planner import DEFAULT_TIME_LIMIT
from .planning.strategies import STRATEGIES

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # The library only logs; the command shows its warnings (and with -v its progress notes).
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    library = logging.getLogger("routeplan")
    library.addHandler(handler)
    library.setLevel(logging.INFO if args.verbose else logging.WARNING)
    try:
        return args.run(args)
    except ScenarioError as err:
        print(f"routeplan: cannot read the input ({len(err.issues)} problem"
              f"{'s' if len(err.issues) != 1 else ''}):", file=sys.stderr)
        for issue in err.issues:
            print(f"  {issue}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("\nrouteplan: interrupted; nothing was written", file=sys.stderr)
        return 130
    except RouteplanError as err:
        print(f"routeplan: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:
        print(f"routeplan: cannot write or read {err.filename or 'a file'}: {err.strerror or err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        library.removeHandler(handler)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="routeplan", description="Plan customer managers' periodic visits.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the planner does")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("plan", help="plan a scenario and write the plan folder")
    p.add_argument("scenario", type=Path, help="scenario folder (scenario.toml, customers.csv, managers.csv)")
    p.add_argument("--out", type=Path, required=True, help="plan folder to write")
    p.add_argument("--strategy", default="hybrid", help="hybrid (default), region, business-type or value")
    p.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="seconds (default %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress display or summary")
    _map_options(p)
    p.set_defaults(run=_plan)

    mp = sub.add_parser("map", help="redraw the maps, schedules and calendars of a plan folder")
    mp.add_argument("scenario", type=Path)
    mp.add_argument("plan", type=Path)
    _map_options(mp)
    mp.set_defaults(run=_map)

    c = sub.add_parser("compare", help="plan a scenario under every districting strategy and compare")
    c.add_argument("scenario", type=Path)
    c.add_argument("--out", type=Path, required=True, help="report folder to write")
    c.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT,
                   help="seconds per strategy (default %(default)s)")
    c.add_argument("--seed", type=int, default=0, help="random seed (default %(default)s)")
    c.add_argument("--strategies", default=",".join(STRATEGIES),
                   help="comma-separated strategies (default: all of %(default)s)")
    c.add_argument("--quiet", action="store_true", help="no progress display or table")
    c.set_defaults(run=_compare)

    k = sub.add_parser("check", help="check a scenario before planning: working time and unservable customers")
    k.add_argument("scenario", type=Path)
    k.add_argument("--strategy", default="hybrid", help="hybrid (default), region, business-type or value")
    k.set_defaults(run=_check)

    v = sub.add_parser("validate", help="check a plan folder against its scenario")
    v.add_argument("scenario", type=Path)
    v.add_argument("plan", type=Path)
    v.set_defaults(run=_validate)
    return parser


def _map_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--online", action="store_true",
                        help="link Leaflet from the web instead of inlining it (smaller maps that need internet)")
    parser.add_argument("--start-date", type=_date, default=None,
                        help="first day of the cycle in calendars and schedules, YYYY-MM-DD (default: next Monday)")


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-11-30") from err


def _map(args: argparse.Namespace) -> int:
    from .io.plan_files import read_plan, write_views
    from .io.scenario import read_scenario

    problem = read_scenario(args.scenario)
    plan = read_plan(problem, args.plan)
    write_views(plan, args.plan, offline=not args.online, start_date=args.start_date)
    print(f"redrew {args.plan / 'map.html'} and {args.plan / 'maps'}", file=sys.stderr)
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    from .io.scenario import read_scenario
    from .planning.planner import plan

    if args.time_limit <= 0:
        raise ScenarioError([_issue("--time-limit", "must be a positive number of seconds")])
    problem = read_scenario(args.scenario)
    check_replaceable(args.out, PLAN_MARKER)  # before solving, not after a minute of it
    show = not args.quiet
    if show:
        print(f"{problem.name}: {problem.num_customers} customers, {problem.num_managers} managers, "
              f"{problem.visits_required()} visits over {problem.num_days} days; strategy {args.strategy}, "
              f"time limit {args.time_limit:g} s, seed {args.seed}", file=sys.stderr)
        _warn_before_solving(problem, args.strategy)
    progress = _ProgressLine(args.time_limit) if show and sys.stderr.isatty() else None
    result = plan(problem, strategy=args.strategy, time_limit=args.time_limit, seed=args.seed, progress=progress)
    if progress is not None:
        progress.finish()
    result.write(args.out, offline=not args.online, start_date=args.start_date)
    if show:
        print(result.summary_table())
    missing = result.visits_required() - result.visits_planned()
    message = f"wrote {args.out}: {result.visits_planned()} of {result.visits_required()} visits planned"
    if result.unserved:
        message += (f"; {len(result.unserved)} customers unserved ({missing} visits), reasons in "
                    f"{args.out / 'unserved.csv'}")
    print(message, file=sys.stderr)
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    from .compare import compare
    from .io.scenario import read_scenario

    if args.time_limit <= 0:
        raise ScenarioError([_issue("--time-limit", "must be a positive number of seconds")])
    strategies = [name.strip() for name in args.strategies.split(",") if name.strip()]
    unknown = [name for name in strategies if name not in STRATEGIES]
    if unknown or not strategies:
        raise ScenarioError([_issue("--strategies", f"unknown strategy {', '.join(unknown) or '(none given)'}; "
                                                    f"expected some of {', '.join(STRATEGIES)}")])
    problem = read_scenario(args.scenario)
    check_replaceable(args.out, REPORT_MARKER)
    show = not args.quiet
    if show:
        print(f"{problem.name}: comparing {', '.join(strategies)} with {args.time_limit:g} s each, seed {args.seed}",
              file=sys.stderr)
    line = _ProgressLine(args.time_limit) if show and sys.stderr.isatty() else None
    progress = None if line is None else (lambda name, p: line(p, prefix=f"{name:<13}"))
    result = compare(problem, strategies=strategies, time_limit=args.time_limit, seed=args.seed, progress=progress)
    if line is not None:
        line.finish()
    result.write(args.out)
    if show:
        print(result.markdown())
    print(f"wrote {args.out}: {len(strategies)} plans, compare.csv, compare.md, compare.html", file=sys.stderr)
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from .io.scenario import read_scenario
    from .planning.diagnose import diagnose
    from .planning.strategies import formulate_strategy

    problem = read_scenario(args.scenario)
    diagnosis = diagnose(formulate_strategy(problem, args.strategy))
    print(f"{problem.name}: {problem.num_customers} customers, {problem.num_managers} managers, "
          f"{problem.visits_required()} visits over {problem.num_days} days; strategy {args.strategy}")
    print(diagnosis)
    if diagnosis.certainly_infeasible:
        print("some visits cannot be planned whatever the plan; routeplan plan would list them in unserved.csv")
        return EXIT_INVALID
    print("nothing stands in the way of a complete plan")
    return EXIT_OK


def _warn_before_solving(problem, strategy: str) -> None:
    """Tell at once what cannot work, rather than after the time limit."""
    from .planning.diagnose import diagnose
    from .planning.strategies import formulate_strategy

    diagnosis = diagnose(formulate_strategy(problem, strategy))
    for check in diagnosis.capacity:
        if check.load_with_travel > 0.95:
            print(f"warning: {check.line()}", file=sys.stderr)
    for customer_id, reason in diagnosis.unservable[:10]:
        print(f"warning: customer {customer_id} cannot be served: {reason}", file=sys.stderr)
    if len(diagnosis.unservable) > 10:
        print(f"warning: ... and {len(diagnosis.unservable) - 10} more such customers (routeplan check lists all)",
              file=sys.stderr)


def _validate(args: argparse.Namespace) -> int:
    from .validate import validate_folder

    report = validate_folder(args.scenario, args.plan)
    print(report)
    return EXIT_OK if report.ok else EXIT_INVALID


def _issue(where: str, message: str):
    from .errors import InputIssue

    return InputIssue(where, message)


class _ProgressLine:
    """One line on the terminal, rewritten about once a second."""

    def __init__(self, limit: float):
        self.limit = limit
        self.started = time.perf_counter()

    def __call__(self, progress, prefix: str = "solving") -> None:
        line = (f"\r{prefix} {progress.seconds:5.1f}/{self.limit:g} s  iterations {progress.iterations:7d}  "
                f"objective {progress.best_cost:12.1f}  missing visits {progress.missing_visits:5d}")
        print(line, end="", file=sys.stderr, flush=True)

    def finish(self) -> None:
        print(file=sys.stderr)
