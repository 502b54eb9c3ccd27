"""The ``routeplan`` command: init, plan, validate, compare, map, check, diff, edit and osm.

Exit codes (each kind of failure its own, see :mod:`routeplan.errors`):

====  =========================================================================
0     done (``validate``: the plan is valid)
1     ``validate``: the plan breaks rules; ``check``: some visits cannot be planned
2     bad input: the scenario's files (file, row and column named)
64    bad argument or option (also an output folder that must not be replaced)
65    a plan folder that cannot be read
70    internal error: a bug in routeplan, please report it
74    reading or writing a file failed (disk full, no permission, ...)
130   interrupted (Ctrl-C); nothing was written
====  =========================================================================
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import difflib
import importlib
import logging
import os
import signal
import sys
import threading
import time
import traceback
import warnings
import webbrowser
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

from .app import EditorLock, LiveJournal, serve
from .comparison import compare
from .editing import EditSession
from .errors import ArgumentError, InputIssue, InternalError, PlanFileError, PlanWarning, RouteplanError, ScenarioError
from .io.scenario import read_scenario
from .io.staging import PLAN_MARKER, REPORT_MARKER, check_replaceable, remove_leftovers
from .io.template import write_template
from .model.problem import Problem
from .notices import is_minor, subject
from .osm_scenario import DEFAULT_DAYS, check_days, parse_bbox, parse_managers, scenario_from_osm
from .phases import Size, read_seconds, write_seconds
from .plan_folder import recorded_start, write_plan, write_views
from .planner import DEFAULT_TIME_LIMIT, TimeLimit, diagnose_problem, plan, replan, stability_settings
from .planning.fan_out import Pool
from .planning.strategies import STRATEGIES
from .results.changes import diff_plans
from .results.exports import cycle_start
from .results.files import read_plan
from .results.workbook import WORKBOOK_FILE, workbook_seconds
from .solver.lns import Progress, kernels_compiled
from .solver.stop import MaxIterations
from .validation import validate, validate_folder
from .version import __version__

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_BAD_INPUT = 2
EXIT_BAD_ARGUMENT = 64
EXIT_BAD_PLAN_FILE = 65
EXIT_INTERNAL = 70
EXIT_IO = 74
EXIT_INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``) and return its exit code.

    A time limit covers the whole command: run as a program (no ``argv``), from the start of the
    process (Python's start and imports included); called from Python with ``argv``, from the
    call (a process that has run for a while has not spent the command's time).
    """
    started = _process_started() if argv is None else time.perf_counter()
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as err:
        print(f"{parser.prog}: {err}", file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    # The library only logs; the command shows its warnings (and with -v its progress notes).
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LowercaseLevel("%(levelname)s: %(message)s"))
    library = logging.getLogger("routeplan")
    library.addHandler(handler)
    library.setLevel(logging.INFO if args.verbose else logging.WARNING)
    args.log_handler = handler  # a command whose printed summary lists the balance lines hides them here
    args.started = started
    try:
        with warnings.catch_warnings():
            # The log handler above shows every warning once; the same as a Python warning would repeat it.
            warnings.simplefilter("ignore", PlanWarning)
            return int(args.run(args))
    except ScenarioError as err:
        _print_issues("cannot read the input", err.issues)
        return EXIT_BAD_INPUT
    except PlanFileError as err:
        _print_issues("cannot read the plan folder", err.issues)
        return EXIT_BAD_PLAN_FILE
    except ArgumentError as err:
        print(f"routeplan: {err}", file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    except KeyboardInterrupt:
        print("\nrouteplan: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except InternalError as err:
        print(f"routeplan: internal error (a bug, please report it): {err}", file=sys.stderr)
        return EXIT_INTERNAL
    except RouteplanError as err:  # a kind not listed above: still ours, still not the user's input
        print(f"routeplan: {err}", file=sys.stderr)
        return EXIT_INTERNAL
    except OSError as err:
        print(f"routeplan: cannot write or read {err.filename or 'a file'}: {err.strerror or err}", file=sys.stderr)
        return EXIT_IO
    except Exception:  # noqa: BLE001 - the last line of defence: say it is a bug, show where
        print("routeplan: internal error (a bug, please report it with the lines below):", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        library.removeHandler(handler)


class _UsageError(Exception):
    """argparse found a bad option (reported with exit code 64, like every bad argument)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message}\n{self.format_usage().rstrip()}")


class _LowercaseLevel(logging.Formatter):
    """``warning: message``; ``warning: hybrid: message`` for what one strategy of ``compare`` warned of."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record).replace(record.levelname, record.levelname.lower(), 1)
        name = subject()
        if name is not None and record.levelno >= logging.WARNING:
            level = f"{record.levelname.lower()}: "
            text = text.replace(level, f"{level}{name}: ", 1)
        return text


def _not_balance(record: logging.LogRecord) -> bool:
    """False for the balance lines: the printed summary table lists them (once)."""
    return not is_minor(record.getMessage())


def _print_issues(what: str, issues: list[InputIssue]) -> None:
    print(f"routeplan: {what} ({len(issues)} problem{'s' if len(issues) != 1 else ''}):", file=sys.stderr)
    for issue in issues:
        print(f"  {issue}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="routeplan", description="Plan customer managers' periodic visits.",
                     epilog="Exit codes: 0 done, 1 invalid plan, 2 bad input files, 64 bad option, "
                            "65 unreadable plan folder, 70 internal error, 74 file error, 130 interrupted.")
    parser.add_argument("--version", action="version", version=f"routeplan {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the planner does")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    scenario_help = "scenario folder (scenario.toml, customers.csv, managers.csv)"

    p = sub.add_parser("plan", help="plan a scenario and write the plan folder")
    p.add_argument("scenario", type=Path, help=scenario_help)
    p.add_argument("--out", type=Path, required=True, help="plan folder to write")
    _strategy_option(p)
    p.add_argument("--time-limit", type=_seconds, default=None,
                   help=f"seconds for the whole command, reading and writing included (default {DEFAULT_TIME_LIMIT:g})")
    p.add_argument("--iterations", type=_count, default=None,
                   help="instead of a time limit, stop the search after this many steps: the same plan for the "
                        "same seed on any machine")
    p.add_argument("--seed", type=int, default=0, help="random seed (default %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress display or summary")
    _fan_out_options(p)
    _balance_options(p)
    p.add_argument("--previous", type=Path, default=None, metavar="PLAN_DIR",
                   help="re-plan from this earlier plan folder: its managers and days are kept where they can be, "
                        "and changes.csv says what changed and why")
    p.add_argument("--max-reassigned", type=_share, default=None, metavar="SHARE",
                   help="at most this share of the customers whose manager is still present moves to another "
                        "(default: [stability] max_reassigned of scenario.toml, else no limit)")
    p.add_argument("--keep-days", action=argparse.BooleanOptionalAction, default=None,
                   help="keep each customer's weekdays where possible when re-planning (default: on)")
    _map_options(p)
    p.set_defaults(run=_plan)

    d = sub.add_parser("diff", help="what changed between two plan folders: per manager and per customer")
    d.add_argument("old", type=Path, help="the earlier plan folder")
    d.add_argument("new", type=Path, help="the later plan folder")
    d.add_argument("--scenario", type=Path, default=None,
                   help="the new plan's scenario folder: tells closed customers and managers that may no longer "
                        "serve a customer apart")
    d.add_argument("--out", type=Path, default=None,
                   help="also write changes.csv and managers.csv (one row per manager) into this folder")
    d.set_defaults(run=_diff)

    mp = sub.add_parser("map", help="redraw the maps, schedules and calendars of a plan folder")
    mp.add_argument("scenario", type=Path, help=scenario_help)
    mp.add_argument("plan", type=Path, help="plan folder written by 'routeplan plan'")
    _map_options(mp, start="the date the plan was written for (summary.json's start_date)")
    mp.add_argument("--strict", action="store_true",
                    help="refuse (exit 1, nothing redrawn) when the plan no longer passes 'routeplan validate'; "
                         "without it such a plan is redrawn with a warning that counts its violations")
    mp.set_defaults(run=_map)

    c = sub.add_parser("compare", help="plan a scenario under every districting strategy and compare")
    c.add_argument("scenario", type=Path, help=scenario_help)
    c.add_argument("--out", type=Path, required=True, help="report folder to write")
    c.add_argument("--time-limit", type=_seconds, default=DEFAULT_TIME_LIMIT,
                   help="seconds per strategy (default %(default)s)")
    c.add_argument("--seed", type=int, default=0, help="random seed (default %(default)s)")
    c.add_argument("--strategies", type=_strategy_list, default=list(STRATEGIES),
                   help=f"comma-separated strategies (default: all of {','.join(STRATEGIES)})")
    c.add_argument("--quiet", action="store_true", help="no progress display or table")
    _fan_out_options(c)
    _balance_options(c)
    c.set_defaults(run=_compare)

    k = sub.add_parser("check", help="check a scenario before planning: working time and unservable customers")
    k.add_argument("scenario", type=Path, help=scenario_help)
    _strategy_option(k)
    k.set_defaults(run=_check)

    o = sub.add_parser("osm", help="write a scenario folder from an OpenStreetMap extract: its shops, venues and "
                                   "streets (nothing is downloaded)")
    o.add_argument("extract", type=Path, help="OpenStreetMap extract (.osm.pbf), e.g. from download.geofabrik.de")
    o.add_argument("--out", type=Path, required=True, help="scenario folder to write")
    o.add_argument("--bbox", default=None, metavar="W,S,E,N",
                   help="only the shops inside this box (degrees; write --bbox=W,S,E,N when W is negative), "
                        "the streets near it (default: the whole extract)")
    o.add_argument("--managers", nargs="+", action="extend", default=None, metavar="ROLE=N",
                   help="managers per role (A large, B night, C medium, D small), e.g. --managers B=4 C=6; a role "
                        "left out gets enough for about 75%% of its shifts")
    o.add_argument("--days", type=_count, default=DEFAULT_DAYS,
                   help="working days of the cycle (default %(default)s: two weeks)")
    o.set_defaults(run=_osm)

    i = sub.add_parser("init", help="write a new scenario folder to fill in: scenario.toml with the sample's tiers "
                                    "and rules explained, customers.csv and managers.csv with example rows")
    i.add_argument("folder", type=Path, help="the new scenario folder (must not exist or be empty); its name "
                                             "becomes the scenario's")
    i.set_defaults(run=_init)

    v = sub.add_parser("validate", help="check a plan folder against its scenario")
    v.add_argument("scenario", type=Path, help=scenario_help)
    v.add_argument("plan", type=Path, help="plan folder to check")
    v.set_defaults(run=_validate)

    e = sub.add_parser("edit", help="edit a plan folder by hand in the browser (served on 127.0.0.1 only)")
    e.add_argument("scenario", type=Path, help=scenario_help)
    e.add_argument("plan", type=Path, help="plan folder to edit; saving from the page replaces it")
    e.add_argument("--port", type=_port, default=0, help="port on 127.0.0.1 (default: a free one)")
    e.add_argument("--no-browser", action="store_true", help="do not open the page in the browser")
    e.set_defaults(run=_edit)
    return parser


def _strategy_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--strategy", type=_strategy, default="hybrid",
                        help=f"{', '.join(STRATEGIES)} (default %(default)s)")


def _map_options(parser: argparse.ArgumentParser, *, start: str = "the next such date, next Monday for Mon") -> None:
    parser.add_argument("--online", action="store_true",
                        help="link Leaflet from the web instead of inlining it (smaller maps that need internet)")
    parser.add_argument("--start-date", type=_date, default=None,
                        help="first date of the cycle in calendars and schedules, YYYY-MM-DD, on the weekday of the "
                             f"first day label (default: {start})")
    parser.add_argument("--streets", action="store_true",
                        help='with travel model "road", draw the road network faintly under the routes of map.html')
    parser.add_argument("--xlsx", action="store_true",
                        help="also write plan.xlsx: a printable sheet per manager (map redraws it when it is there)")


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number; expected a share like 0.10 for 10%") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"'{text}' must be a share between 0 and 1 (0.10 for 10%)")
    return value


def _balance_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--balance-tolerance", type=_share, default=None,
                        help="how far a manager's utilisation may lie from the mean of its interchangeable "
                             "managers, as a share (default: [balance] tolerance of scenario.toml, else 0.10)")
    parser.add_argument("--day-balance-tolerance", type=_share, default=None,
                        help="how far one of a manager's days may lie from its mean day, as a share (default: "
                             "[balance] day_tolerance of scenario.toml, else 0.35)")


def _with_balance_options(problem: Problem, args: argparse.Namespace) -> Problem:
    if args.balance_tolerance is None and args.day_balance_tolerance is None:
        return problem
    return problem.with_balance(tolerance=args.balance_tolerance, day_tolerance=args.day_balance_tolerance)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be a positive number of seconds")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be a positive whole number")
    return value


def _strategy(text: str) -> str:
    if text in STRATEGIES:
        return text
    close = difflib.get_close_matches(text, STRATEGIES, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise argparse.ArgumentTypeError(f"unknown strategy '{text}'{hint} (expected one of {', '.join(STRATEGIES)})")


def _strategy_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("no strategy given")
    return [_strategy(name) for name in names]


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port between 0 (a free one) and 65535")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-11-30") from err


def _osm(args: argparse.Namespace) -> int:
    box = None if args.bbox is None else parse_bbox(args.bbox)
    managers = parse_managers(args.managers or [])
    check_days(args.days, argument="--days")
    problem = scenario_from_osm(args.extract, args.out, bbox=box, managers=managers, days=args.days)
    tiers = Counter(c.tier for c in problem.customers)
    roles = Counter(m.role for m in problem.managers)
    print(f"wrote {args.out}: {len(problem.customers)} customers ("
          + ", ".join(f"{tiers[t.name]} {t.name}" for t in problem.tiers) + "), "
          + f"{len(problem.managers)} managers (" + ", ".join(f"{n} {r}" for r, n in sorted(roles.items())) + "), "
          + f"depot {problem.depot.lon:.5f},{problem.depot.lat:.5f}; map data © OpenStreetMap contributors (ODbL)",
          file=sys.stderr)
    return EXIT_OK


def _map(args: argparse.Namespace) -> int:
    problem = read_scenario(args.scenario)
    cycle_start(problem.days, args.start_date, argument="--start-date")
    result = read_plan(problem, args.plan)
    # A hand-edited plan may no longer keep the rules: redrawn as it is (the maps are how one sees
    # what went wrong), but said plainly; --strict refuses.
    report = validate(problem, args.plan)
    if not report.ok:
        count = len(report.violations)
        what = (f"{args.plan} no longer passes validation ({count} violation{'s' if count != 1 else ''}; "
                f"routeplan validate {args.scenario} {args.plan} lists them)")
        if args.strict:
            print(f"routeplan map: {what}; nothing redrawn (--strict)", file=sys.stderr)
            return EXIT_INVALID
        print(f"warning: {what}; the maps show it as it is", file=sys.stderr)
    recorded = recorded_start(result)
    if args.start_date is not None and recorded is not None and args.start_date != recorded:
        print(f"warning: schedules and calendars from {args.start_date.isoformat()}, not the plan's own "
              f"{recorded.isoformat()} (summary.json keeps it)", file=sys.stderr)
    xlsx = args.xlsx or (args.plan / WORKBOOK_FILE).is_file()
    write_views(result, args.plan, offline=not args.online, start_date=args.start_date, streets=args.streets,
                xlsx=xlsx)
    start = args.start_date or recorded
    dates = f"; dates from {start.isoformat()}" if start is not None else ""
    print(f"redrew {args.plan / 'map.html'} and {args.plan / 'maps'}"
          f"{f' and {args.plan / WORKBOOK_FILE}' if xlsx else ''}{dates}", file=sys.stderr)
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    started = args.started
    if args.iterations is not None and args.time_limit is not None:
        raise ArgumentError("--iterations", "give --time-limit or --iterations, not both")
    limit = DEFAULT_TIME_LIMIT if args.time_limit is None else args.time_limit
    problem = _with_balance_options(read_scenario(args.scenario), args)
    if args.previous is None and (args.max_reassigned is not None or args.keep_days is not None):
        problem = problem.with_stability(stability_settings(problem, max_reassigned=args.max_reassigned,
                                                            keep_days=args.keep_days))
    logger.info("read %s in %.2f s (since the command started)", args.scenario, time.perf_counter() - started)
    check_replaceable(args.out, PLAN_MARKER)  # before solving, not after a minute of it
    cycle_start(problem.days, args.start_date, argument="--start-date")
    show = not args.quiet
    handler = getattr(args, "log_handler", None)  # set by main()
    if show and handler is not None:
        handler.addFilter(_not_balance)  # the summary table below lists them
        budget = f"{args.iterations} iterations" if args.iterations else f"time limit {limit:g} s"
        print(f"{problem.name}: {problem.num_customers} customers, {problem.num_managers} managers, "
              f"{problem.visits_required()} visits over {problem.num_days} days; strategy {args.strategy}, "
              f"{budget}, seed {args.seed}", file=sys.stderr)
        _say_if_compiling()
    progress = _ProgressLine(limit) if show and sys.stderr.isatty() else None
    # The limit covers the whole command: what reading took, and an estimate of the writing.
    size = Size.of(problem)
    stop = None if args.iterations is None else MaxIterations(args.iterations)
    connecting = time.perf_counter()
    with _executor(args) as executor:
        # Importing Dask and reaching its scheduler (or starting a pool) is start-up, as loading
        # the kernels is: outside the limit, so that the search gets the same budget and clock
        # as in one process, however long the connection takes.
        connected = time.perf_counter() - connecting if executor is not None else 0.0
        write_estimate = write_seconds(size) + (workbook_seconds(size.visits) if args.xlsx else 0.0)
        whole = None if stop else TimeLimit(seconds=limit, started=started + connected, before=read_seconds(size),
                                            after=write_estimate)
        options: dict[str, Any] = {"strategy": args.strategy, "time_limit": whole, "stop": stop, "seed": args.seed,
                                   "progress": progress, "executor": executor}
        if args.previous is not None:
            result = replan(problem, args.previous, max_reassigned=args.max_reassigned, keep_days=args.keep_days,
                            **options)
        else:
            result = plan(problem, **options)
    if progress is not None:
        progress.finish()
    if executor is not None:
        result = replace(result, run=replace(result.run, executor_startup_seconds=round(connected, 2)))
    writing = time.perf_counter()
    write_plan(result, args.out, offline=not args.online, start_date=args.start_date, streets=args.streets,
               xlsx=args.xlsx)
    logger.info("wrote %s in %.2f s; %.2f s since the command started", args.out, time.perf_counter() - writing,
                time.perf_counter() - started)
    if show:
        print(result.summary_table(warnings=False))  # the warnings were printed as they came
    missing = result.visits_required() - result.visits_planned()
    message = f"wrote {args.out}: {result.visits_planned()} of {result.visits_required()} visits planned"
    if result.unserved:
        message += (f"; {len(result.unserved)} customers unserved ({missing} visits), reasons in "
                    f"{args.out / 'unserved.csv'}")
    if result.problem.stability is not None:
        reassigned, same = result.reassigned_pct(), result.same_days_pct()
        message += (f"; reassigned {'-' if reassigned is None else f'{reassigned:.1f}%'}, on the same days "
                    f"{'-' if same is None else f'{same:.1f}%'} (changes in {args.out / 'changes.csv'})")
    print(message, file=sys.stderr)
    return EXIT_OK


def _say_if_compiling() -> None:
    """Tell a first run after installation why it waits before planning."""
    if not kernels_compiled():
        print("compiling the search, once after installation (about half a minute, not counted in the time "
              "limit)", file=sys.stderr)


def _diff(args: argparse.Namespace) -> int:
    problem = read_scenario(args.scenario) if args.scenario is not None else None
    difference = diff_plans(args.old, args.new, problem=problem)
    print(difference.table())
    if args.out is not None:
        difference.write(args.out)
        print(f"wrote {args.out / 'changes.csv'} and {args.out / 'managers.csv'}", file=sys.stderr)
    return EXIT_OK


def _fan_out_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=_count, default=None, metavar="N",
                        help="plan independent parts (or strategies) in N local processes; the same plan as one")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="send them to a Dask scheduler such as tcp://host:8786 (pip install 'routeplan[dask]')")


@contextlib.contextmanager
def _executor(args: argparse.Namespace) -> Iterator[Any]:
    """The executor that --workers or --scheduler ask for (None: this process), shut down after."""
    if args.workers is not None and args.scheduler is not None:
        raise ArgumentError("--scheduler", "give --workers or --scheduler, not both")
    if args.scheduler is not None:
        try:
            distributed = importlib.import_module("dask.distributed")
        except ImportError:
            raise ArgumentError("--scheduler", "needs Dask: pip install 'routeplan[dask]'") from None
        try:
            client = distributed.Client(args.scheduler, timeout=30)
        except (OSError, TimeoutError, ValueError) as err:
            raise ArgumentError("--scheduler", f"cannot reach the Dask scheduler at {args.scheduler}: {err}") from None
        try:
            yield client
        finally:
            client.close()
    elif args.workers is not None and args.workers > 1:
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            yield Pool(pool, args.workers)
    else:
        yield None


def _process_started() -> float:
    """The ``time.perf_counter()`` reading of when this process started (so that a time limit
    covers Python's start and imports too); now, where the system does not tell."""
    now = time.perf_counter()
    try:
        fields = Path("/proc/self/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text(encoding="ascii").split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
        age = uptime - int(fields[19]) / ticks
    except (OSError, ValueError, IndexError):
        return now
    return now - min(max(age, 0.0), 30.0)


def _compare(args: argparse.Namespace) -> int:
    strategies = args.strategies
    problem = _with_balance_options(read_scenario(args.scenario), args)
    check_replaceable(args.out, REPORT_MARKER)
    show = not args.quiet
    if show:
        print(f"{problem.name}: comparing {', '.join(strategies)} with {args.time_limit:g} s each, seed {args.seed}",
              file=sys.stderr)
        _say_if_compiling()
    line = _ProgressLine(args.time_limit) if show and sys.stderr.isatty() else None

    def progress(name: str, report: Progress) -> None:
        if line is not None:
            line(report, prefix=f"{name:<13}")

    with _executor(args) as executor:
        result = compare(problem, strategies=strategies, time_limit=args.time_limit, seed=args.seed,
                         progress=progress if line is not None else None, executor=executor)
    if line is not None:
        line.finish()
    result.write(args.out)
    if show:
        print(result.markdown())
    print(f"wrote {args.out}: {len(strategies)} plans, compare.csv, compare.md, compare.html", file=sys.stderr)
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    problem = read_scenario(args.scenario)
    diagnosis = diagnose_problem(problem, strategy=args.strategy)
    print(f"{problem.name}: {problem.num_customers} customers, {problem.num_managers} managers, "
          f"{problem.visits_required()} visits over {problem.num_days} days; strategy {args.strategy}")
    print(diagnosis)
    if diagnosis.certainly_infeasible:
        print("some visits cannot be planned whatever the plan; routeplan plan would list them in unserved.csv")
        return EXIT_INVALID
    print("nothing stands in the way of a complete plan")
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    folder = write_template(args.folder)
    print(f"wrote {folder}: scenario.toml, customers.csv and managers.csv with example rows; put your own "
          f"customers and managers in them, then: routeplan check {folder}", file=sys.stderr)
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    report = validate_folder(args.scenario, args.plan)
    print(report)
    return EXIT_OK if report.ok else EXIT_INVALID


def _edit(args: argparse.Namespace) -> int:
    if not args.plan.is_dir():  # nothing to lock (nor to create): the reading says what is missing
        EditSession.open_folder(args.scenario, args.plan)
    # One editor per plan folder: taken before anything is read, released however this ends.
    with EditorLock(args.plan) as lock:
        if lock.taken_over is not None:
            print(f"routeplan edit: took over {lock.path} from routeplan edit pid {lock.taken_over.get('pid')}, "
                  "which no longer runs", file=sys.stderr)
        for path in remove_leftovers(args.plan):
            print(f"routeplan edit: removed {path}, the temporary folder of a save that died", file=sys.stderr)
        session = EditSession.open_folder(args.scenario, args.plan)
        journal = LiveJournal(args.plan)
        replayed = journal.replay(session)
        if replayed:
            print(f"routeplan edit: replayed {replayed} unsaved change(s) from {journal.path} "
                  f"(now version {session.version})", file=sys.stderr)

        def ready(url: str) -> None:
            # The contract's first line of standard output, at once (also into a pipe): whoever
            # started the command waits for it to connect.
            print(f"routeplan edit: {url}", flush=True)
            if not args.no_browser:
                # In a thread: a browser that runs in the terminal would hold the server up.
                threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

        # Ctrl-C is how the editor is closed; a SIGTERM closes it the same way (uvicorn stops on
        # either, then raises it again once stopped: as KeyboardInterrupt, the journal is closed
        # and the lock released on the way out, instead of the process ending there).
        with contextlib.suppress(KeyboardInterrupt), _terminate_as_interrupt():
            serve(session, args.plan, port=args.port, ready=ready, journal=journal, lock=lock)
    print("routeplan edit: stopped (changes not saved are kept in the journal and replayed next time)",
          file=sys.stderr)
    return EXIT_OK


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt inside (in the main thread; elsewhere, nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _ProgressLine:
    """One line on the terminal, rewritten about once a second."""

    def __init__(self, limit: float):
        self.limit = limit
        self.started = time.perf_counter()

    def __call__(self, progress: Progress, prefix: str = "solving") -> None:
        elapsed = time.perf_counter() - self.started
        done = min(1.0, elapsed / self.limit) if self.limit > 0 else 0.0
        bar = "#" * round(20 * done) + "." * (20 - round(20 * done))
        parts = f"  parts {progress.parts_done}/{progress.parts}" if progress.parts > 1 else ""
        line = (f"\r{prefix} [{bar}] {max(0.0, self.limit - elapsed):5.0f} s left{parts}  "
                f"iterations {progress.iterations:7d}  best {progress.best_cost:12.1f}  "
                f"missing visits {progress.missing_visits:5d}")
        print(line, end="", file=sys.stderr, flush=True)

    def finish(self) -> None:
        print(file=sys.stderr)
