"""How long an editing session takes to move customers by hand: the server side of a web editor.

    python benchmarks/editing.py [--moves 20] [--most 50] [--customers 5000] [--seed 1] [--gc-freeze]
    python benchmarks/editing.py --http [--moves 20] [--most 50] [--customers 5000] [--iterations 1000]
    python benchmarks/editing.py --optimise [--moves 5] [--repeats 3] [--limits 2 5] [--customers 5000]
    python benchmarks/editing.py --page [--page-customers 20000] [--page-iterations 200] [--loads 5]

Two plans are edited: the Kuiwen sample (``routeplan.plan(problem, stop=MaxIterations(3000),
seed=0)``, as the tests plan it) and ``routeplan.synthetic.random_problem(seed,
customers=5000)`` (planned with ``MaxIterations(--iterations)``). Each is opened in an
:class:`routeplan.EditSession` and given ``--moves`` moves, each of 1 to ``--most`` customers of one
manager (the nearest ones around a random customer of it) to the nearest other manager whose
role may serve them all. Per move the script times the move itself and the move together with
the plan's body the editor answers with (``EditSession.to_dict()``: every customer's manager and
days, every manager's figures, the unserved, the balance), in milliseconds, and reports their
medians and largest (after one move and its undo, not counted, that load the kernels' compiled
code); then undo of the last move, and the session's opening. The plan is checked
by the validator after the moves (not timed). With ``--gc-freeze`` the objects alive once the
session is open (the problem, the plan, the engine's state) are moved out of Python's garbage
collector's sight (:func:`gc.freeze`), as a long-running editor would do: its full collections,
otherwise a pause of about 0.1 s now and then, then look at the edits' objects alone.

With ``--http`` the moves go through the real editor instead: each plan is written to a
temporary folder, ``routeplan edit SCENARIO PLAN --no-browser --port 0`` is started, and each
move is a ``POST /api/edits`` (on one kept-alive connection, as a browser does); the script
times the request until its whole answer (the plan's body) is read: the server's work (the move,
the live journal's write and fsync, the body, its JSON) and the loopback's. The moves are picked
on a copy of the session in the script, given the same moves.

With ``--optimise`` the editor's "optimise affected" is timed against its time limit: for each
plan (as with ``--http``) and each limit of ``--limits``, ``--repeats`` rounds of ``--moves``
accepted moves (picked as above; after each, ``GET /api/changes``, as the page asks) then
``POST /api/edits {"op": "optimise", "managers":
"affected", "time_limit": LIMIT}``, timed until its whole answer is read. Meanwhile a second
connection asks ``GET /api/progress`` every 0.1 s: the script reports how many of those answers
carried the search's own figures (iterations above 0) and the slowest of them (the server stays
responsive while the optimise runs).

With ``--page`` the editor's page is loaded in headless Chromium (``ROUTEPLAN_CHROMIUM`` or
``/usr/bin/chromium``, through Playwright; every request to anywhere but 127.0.0.1 is refused)
at 1280x800: ``random_problem(seed, customers=--page-customers)`` is planned with
``MaxIterations(--page-iterations)`` (the plan need only be valid), served by ``routeplan edit``,
and the page loaded ``--loads`` times; each load is timed from the navigation's start to the
page's ready signal (``document.body.dataset.ready``: the customers drawn on the canvas and the
managers listed, two frames on), as the page's own clock (``performance.now()``) tells it, and
to its territories drawn (``document.body.dataset.territories``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import http.client
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

import routeplan
from routeplan import EditRefusedError, EditSession, MaxIterations, Plan, Problem
from routeplan.synthetic import random_problem

KUIWEN = Path(__file__).resolve().parent.parent / "data" / "samples" / "kuiwen"


def pick_move(problem: Problem, assignment: Mapping[str, str], rng: np.random.Generator,
              most: int) -> tuple[list[str], str] | None:
    """Up to ``most`` unlocked customers of one manager (``assignment``: customer id -> manager
    id) around a random one of them, and the nearest other manager (by its customers' centre)
    whose role may serve them all."""
    customers = {c.customer_id: c for c in problem.customers}
    by_manager: dict[str, list[str]] = {}
    for cid, manager in assignment.items():
        if customers[cid].locked_manager is None:
            by_manager.setdefault(manager, []).append(cid)
    source = str(rng.choice(sorted(by_manager)))
    mine = by_manager[source]
    seed = customers[str(rng.choice(mine))]
    size = int(rng.integers(1, most + 1))
    near = sorted(mine, key=lambda c: (customers[c].lon - seed.lon) ** 2 + (customers[c].lat - seed.lat) ** 2)[:size]
    roles = set.intersection(*(set(problem.tier(customers[c].tier).roles) for c in near))
    centre: dict[str, tuple[float, float]] = {}
    for manager, cids in by_manager.items():
        centre[manager] = (float(np.mean([customers[c].lon for c in cids])),
                           float(np.mean([customers[c].lat for c in cids])))
    def away(manager_id: str) -> float:
        return (centre[manager_id][0] - seed.lon) ** 2 + (centre[manager_id][1] - seed.lat) ** 2

    targets = sorted((m.manager_id for m in problem.managers
                      if m.manager_id != source and m.role in roles and m.manager_id in centre), key=away)
    if not targets:
        return None
    return near, targets[0]


def measure(name: str, problem: Problem, plan: Plan, *, moves: int, most: int, seed: int,
            freeze: bool = False) -> dict[str, object]:
    """Open a session on ``plan`` and time ``moves`` moves (see the module docstring)."""
    started = time.perf_counter()
    session = EditSession.open(problem, plan)
    opened = time.perf_counter() - started
    if freeze:
        gc.freeze()
    session.to_dict()
    rng = np.random.default_rng(seed)
    # One move and its undo first, not counted: the first call of each kernel in a process loads
    # its compiled code (tens of milliseconds), which a running editor has paid long before.
    warm = pick_move(problem, session.to_plan().assignment(), np.random.default_rng(seed + 1000), most)
    if warm is not None:
        try:
            session.move(*warm)
            session.undo()
        except EditRefusedError:
            pass
    move_ms, answer_ms, sizes, routes, unserved = [], [], [], [], 0
    while len(move_ms) < moves:
        picked = pick_move(problem, session.to_plan().assignment(), rng, most)
        if picked is None:
            continue
        customers, to = picked
        began = time.perf_counter()
        try:
            result = session.move(customers, to=to)
        except EditRefusedError:  # a part-time manager whose days hold none of their patterns
            continue
        moved = time.perf_counter()
        session.to_dict()
        done = time.perf_counter()
        move_ms.append(1000 * (moved - began))
        answer_ms.append(1000 * (done - began))
        sizes.append(len(customers))
        routes.append(len(result.routes))
        unserved += len(result.unserved)
    began = time.perf_counter()
    session.undo()
    undo_ms = 1000 * (time.perf_counter() - began)
    report = session.to_plan().validate()
    per_move = round(statistics.mean(sizes), 1)
    return {"scenario": name, "customers": problem.num_customers, "managers": problem.num_managers,
            "open_s": round(opened, 2), "moves": len(move_ms), "customers_per_move": per_move,
            "routes_per_move": round(statistics.mean(routes), 1),
            "median_move_ms": round(statistics.median(move_ms), 1),
            "max_move_ms": round(max(move_ms), 1), "median_with_body_ms": round(statistics.median(answer_ms), 1),
            "max_with_body_ms": round(max(answer_ms), 1), "undo_ms": round(undo_ms, 1),
            "unserved_entries": unserved, "valid": report.ok}


def measure_http(name: str, problem: Problem, plan: Plan, *, moves: int, most: int, seed: int) -> dict[str, object]:
    """Serve ``plan`` with ``routeplan edit`` and time ``moves`` moves through its API (see the
    module docstring)."""
    with served(problem, plan) as (port, token, scenario_dir, plan_dir):
        local = EditSession.open_folder(scenario_dir, plan_dir)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def post(path: str, body: object, version: int) -> tuple[int, dict[str, object]]:
            connection.request("POST", path, body=json.dumps(body),
                               headers={**headers, "If-Match": f'"{version}"'})
            response = connection.getresponse()
            return response.status, json.loads(response.read())

        rng = np.random.default_rng(seed)
        # One move and its undo first, not counted (loading the kernels' compiled code).
        warm = pick_move(local.problem, local.to_plan().assignment(), np.random.default_rng(seed + 1000), most)
        if warm is not None:
            status, _ = post("/api/edits", {"op": "move", "customers": warm[0], "to": warm[1]}, local.version)
            if status == 200:
                local.move(*warm)
                post("/api/undo", None, local.version)
                local.undo()
        ms, sizes = [], []
        while len(ms) < moves:
            picked = pick_move(local.problem, local.to_plan().assignment(), rng, most)
            if picked is None:
                continue
            customers, to = picked
            began = time.perf_counter()
            status, body = post("/api/edits", {"op": "move", "customers": customers, "to": to}, local.version)
            done = time.perf_counter()
            if status != 200:  # refused (409): not an accepted move
                continue
            local.move(customers, to=to)
            if body["customers"] != [row.to_dict() for row in local.customers()]:
                raise RuntimeError("the server's plan and the script's copy differ")
            ms.append(1000 * (done - began))
            sizes.append(len(customers))
        connection.close()
        report = routeplan.validate_folder(scenario_dir, plan_dir)  # the plan as opened: not saved
    return {"scenario": name, "customers": problem.num_customers, "managers": problem.num_managers,
            "moves": len(ms), "customers_per_move": round(statistics.mean(sizes), 1),
            "median_http_ms": round(statistics.median(ms), 1), "max_http_ms": round(max(ms), 1),
            "valid": report.ok and local.to_plan().validate().ok}


@contextlib.contextmanager
def served(problem: Problem, plan: Plan) -> Iterator[tuple[int, str, Path, Path]]:
    """``plan`` written to a temporary folder and served by ``routeplan edit``: its port, its
    token, the scenario and the plan folder. Stopped after."""
    with tempfile.TemporaryDirectory() as tmp:
        scenario_dir, plan_dir = Path(tmp) / "scenario", Path(tmp) / "plans" / "plan"
        routeplan.write_scenario(problem, scenario_dir)
        routeplan.write_plan(plan, plan_dir, maps=False)
        process = subprocess.Popen([sys.executable, "-m", "routeplan", "edit", str(scenario_dir), str(plan_dir),
                                    "--no-browser", "--port", "0"], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            match = re.fullmatch(r"routeplan edit: http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)\n", line)
            if not match:
                raise RuntimeError(f"routeplan edit did not start: {line!r}")
            yield int(match[1]), match[2], scenario_dir, plan_dir
        finally:
            process.terminate()
            process.wait(timeout=60)
            if process.stdout is not None:
                process.stdout.close()


class Client:
    """One kept-alive connection to the editor, with its token."""

    def __init__(self, port: int, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def get(self, path: str) -> dict[str, Any]:
        self.connection.request("GET", path, headers=self.headers)
        return json.loads(self.connection.getresponse().read())

    def post(self, path: str, body: object, version: int) -> tuple[int, dict[str, Any]]:
        self.connection.request("POST", path, body=json.dumps(body), headers={**self.headers,
                                                                               "If-Match": f'"{version}"'})
        response = self.connection.getresponse()
        return response.status, json.loads(response.read())


def measure_optimise(name: str, problem: Problem, plan: Plan, *, limits: list[float], repeats: int, moves: int,
                     most: int, seed: int) -> list[dict[str, object]]:
    """Time "optimise affected" through ``routeplan edit``'s API against each of ``limits``
    (see the module docstring)."""
    rows = []
    with served(problem, plan) as (port, token, scenario_dir, plan_dir):
        client = Client(port, token)
        rng = np.random.default_rng(seed)
        version = client.get("/api/plan")["version"]
        for limit in limits:
            seconds, polls, figures, slowest = [], 0, 0, 0.0
            for _ in range(repeats):
                done = 0
                while done < moves:
                    picked = pick_move(problem, assignment_now(client), rng, most)
                    if picked is None:
                        continue
                    status, body = client.post("/api/edits", {"op": "move", "customers": picked[0], "to": picked[1]},
                                               version)
                    if status == 200:
                        version, done = int(body["version"]), done + 1
                        client.get("/api/changes")  # as the page does after every change
                watching = threading.Event()
                seen: list[tuple[float, dict[str, Any]]] = []
                watcher = threading.Thread(target=watch_progress, args=(port, token, watching, seen))
                watcher.start()
                began = time.perf_counter()
                status, body = client.post("/api/edits", {"op": "optimise", "managers": "affected",
                                                          "time_limit": limit}, version)
                seconds.append(time.perf_counter() - began)
                watching.set()
                watcher.join()
                if status != 200:
                    raise RuntimeError(f"optimise refused: {status} {body}")
                version = int(body["version"])
                running = [(s, a) for s, a in seen if a.get("running")]
                polls += len(running)
                figures += sum(1 for _, a in running if a["iterations"] > 0)
                slowest = max([slowest, *(s for s, _ in running)])
            client.connection.close()
            rows.append({"scenario": name, "customers": problem.num_customers, "managers": problem.num_managers,
                         "time_limit": limit, "runs": len(seconds), "median_s": round(statistics.median(seconds), 2),
                         "max_s": round(max(seconds), 2), "progress_polls": polls, "with_figures": figures,
                         "slowest_poll_ms": round(1000 * slowest, 1)})
            print(json.dumps(rows[-1]), flush=True)
            client = Client(port, token)
        client.connection.close()
        saved = Client(port, token).post("/api/save", None, version)[0]
        report = routeplan.validate_folder(scenario_dir, plan_dir)
        for row in rows:
            row["valid"] = saved == 200 and report.ok
    return rows


def assignment_now(client: Client) -> dict[str, str]:
    """Each served customer's manager in the plan the editor holds now."""
    return {c["customer_id"]: c["manager_id"] for c in client.get("/api/plan")["customers"] if c["manager_id"]}


def watch_progress(port: int, token: str, stop: threading.Event, seen: list[tuple[float, dict[str, Any]]]) -> None:
    """Ask ``GET /api/progress`` every 0.1 s until ``stop``; each answer and how long it took."""
    poller = Client(port, token)
    while not stop.is_set():
        began = time.perf_counter()
        answer = poller.get("/api/progress")
        seen.append((time.perf_counter() - began, answer))
        stop.wait(0.1)
    poller.connection.close()


def main_optimise(args: argparse.Namespace) -> int:
    """``--optimise``: "optimise affected" through ``routeplan edit``'s API against its time limit."""
    rows = []
    kuiwen = routeplan.read_scenario(KUIWEN)
    rows += measure_optimise("kuiwen", kuiwen, routeplan.plan(kuiwen, stop=MaxIterations(3000), seed=0),
                             limits=args.limits, repeats=args.repeats, moves=args.moves, most=args.most,
                             seed=args.seed)
    synthetic = random_problem(args.seed, customers=args.customers)
    rows += measure_optimise(f"random_problem({args.seed}, customers={args.customers})", synthetic,
                             routeplan.plan(synthetic, stop=MaxIterations(args.iterations), seed=0),
                             limits=args.limits, repeats=args.repeats, moves=args.moves, most=args.most,
                             seed=args.seed)
    print()
    print(f"command: python benchmarks/editing.py --optimise --moves {args.moves} --most {args.most} --repeats "
          f"{args.repeats} --limits {' '.join(f'{x:g}' for x in args.limits)} --customers {args.customers} "
          f"--iterations {args.iterations} --seed {args.seed}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print()
    print("| scenario | customers | managers | time limit s | runs | server s (median / max) | progress answers "
          "(with the search's figures) | slowest progress answer ms | valid |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['scenario']} | {r['customers']} | {r['managers']} | {r['time_limit']:g} | {r['runs']} | "
              f"{r['median_s']} / {r['max_s']} | {r['progress_polls']} ({r['with_figures']}) | "
              f"{r['slowest_poll_ms']} | {r['valid']} |")
    return 0 if all(r["valid"] for r in rows) else 1


_READY = "() => document.body && document.body.dataset.ready !== undefined && performance.now()"
_TERRITORIES = "() => document.body && document.body.dataset.territories !== undefined && performance.now()"


def main_page(args: argparse.Namespace) -> int:
    """``--page``: the editor's page of a large plan, loaded in headless Chromium."""
    from playwright.sync_api import sync_playwright  # the test extra's; only this mode needs it

    chromium = os.environ.get("ROUTEPLAN_CHROMIUM") or "/usr/bin/chromium"
    problem = random_problem(args.seed, customers=args.page_customers)
    began = time.perf_counter()
    plan = routeplan.plan(problem, stop=MaxIterations(args.page_iterations), seed=0)
    planned = time.perf_counter() - began
    if not plan.validate().ok:
        raise RuntimeError("the plan is not valid")
    ready, territories, sizes = [], [], {}
    with served(problem, plan) as (port, token, _, _), sync_playwright() as p:
        client = Client(port, token)
        for path in ("/api/customers", "/api/plan", "/api/territories"):
            client.connection.request("GET", path, headers=client.headers)
            sizes[path] = len(client.connection.getresponse().read())
        client.connection.close()
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu",
                                                                    "--disable-background-networking",
                                                                    "--disable-component-update", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(f"http://127.0.0.1:{port}/")
                   else route.abort())
        url = f"http://127.0.0.1:{port}/?token={token}"
        for _ in range(args.loads):
            page.goto(url, wait_until="commit")
            ready.append(page.wait_for_function(_READY, timeout=120_000).json_value() / 1000)
            territories.append(page.wait_for_function(_TERRITORIES, timeout=120_000).json_value() / 1000)
            drawn = page.evaluate("markers.size")
            if drawn != problem.num_customers:
                raise RuntimeError(f"{drawn} customers drawn of {problem.num_customers}")
        version = page.evaluate("chromium => navigator.userAgent.match(/Chrome\\/[\\d.]+/)[0]", chromium)
        browser.close()
    print(json.dumps({"customers": problem.num_customers, "managers": problem.num_managers,
                      "plan_s": round(planned, 1), "ready_s": [round(x, 2) for x in ready],
                      "territories_s": [round(x, 2) for x in territories], "bytes": sizes}), flush=True)
    print()
    print(f"command: python benchmarks/editing.py --page --page-customers {args.page_customers} --page-iterations "
          f"{args.page_iterations} --loads {args.loads} --seed {args.seed}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, {version} "
          f"headless, load average {os.getloadavg()[0]:.1f}")
    print()
    print("| customers | managers | loads | ready s (median / max) | territories drawn s (median / max) | "
          "/api/customers, /api/plan, /api/territories KiB |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(f"| {problem.num_customers} | {problem.num_managers} | {len(ready)} | {statistics.median(ready):.2f} / "
          f"{max(ready):.2f} | {statistics.median(territories):.2f} / {max(territories):.2f} | "
          f"{', '.join(str(round(n / 1024)) for n in sizes.values())} |")
    return 0


def main_http(args: argparse.Namespace) -> int:
    """``--http``: the moves through ``routeplan edit``'s API."""
    rows = []
    kuiwen = routeplan.read_scenario(KUIWEN)
    rows.append(measure_http("kuiwen", kuiwen, routeplan.plan(kuiwen, stop=MaxIterations(3000), seed=0),
                             moves=args.moves, most=args.most, seed=args.seed))
    print(json.dumps(rows[-1]), flush=True)
    synthetic = random_problem(args.seed, customers=args.customers)
    rows.append(measure_http(f"random_problem({args.seed}, customers={args.customers})", synthetic,
                             routeplan.plan(synthetic, stop=MaxIterations(args.iterations), seed=0),
                             moves=args.moves, most=args.most, seed=args.seed))
    print(json.dumps(rows[-1]), flush=True)
    print()
    print(f"command: python benchmarks/editing.py --http --moves {args.moves} --most {args.most} --customers "
          f"{args.customers} --iterations {args.iterations} --seed {args.seed}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print()
    print("| scenario | customers | managers | accepted moves | customers per move | POST /api/edits ms (median / max) "
          "| valid |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['scenario']} | {r['customers']} | {r['managers']} | {r['moves']} | {r['customers_per_move']} | "
              f"{r['median_http_ms']} / {r['max_http_ms']} | {r['valid']} |")
    return 0 if all(r["valid"] for r in rows) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--most", type=int, default=50, help="most customers of one move")
    parser.add_argument("--customers", type=int, default=5000, help="customers of the synthetic problem")
    parser.add_argument("--iterations", type=int, default=3000, help="search steps planning the synthetic problem")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gc-freeze", action="store_true", help="gc.freeze() once the session is open")
    parser.add_argument("--http", action="store_true", help="the moves through routeplan edit's HTTP API")
    parser.add_argument("--optimise", action="store_true", help="optimise affected against its time limit")
    parser.add_argument("--limits", type=float, nargs="+", default=[2.0, 5.0], help="--optimise: time limits, s")
    parser.add_argument("--repeats", type=int, default=3, help="--optimise: rounds of moves then optimise per limit")
    parser.add_argument("--page", action="store_true", help="the page of a large plan in headless Chromium")
    parser.add_argument("--page-customers", type=int, default=20000, help="--page: customers of the plan")
    parser.add_argument("--page-iterations", type=int, default=200, help="--page: search steps planning it")
    parser.add_argument("--loads", type=int, default=5, help="--page: page loads")
    args = parser.parse_args()
    warnings.simplefilter("ignore", routeplan.PlanWarning)
    if args.http:
        return main_http(args)
    if args.optimise:
        return main_optimise(args)
    if args.page:
        return main_page(args)
    rows = []
    kuiwen = routeplan.read_scenario(KUIWEN)
    rows.append(measure("kuiwen", kuiwen, routeplan.plan(kuiwen, stop=MaxIterations(3000), seed=0),
                        moves=args.moves, most=args.most, seed=args.seed, freeze=args.gc_freeze))
    print(json.dumps(rows[-1]), flush=True)
    synthetic = random_problem(args.seed, customers=args.customers)
    rows.append(measure(f"random_problem({args.seed}, customers={args.customers})", synthetic,
                        routeplan.plan(synthetic, stop=MaxIterations(args.iterations), seed=0),
                        moves=args.moves, most=args.most, seed=args.seed, freeze=args.gc_freeze))
    print(json.dumps(rows[-1]), flush=True)
    print()
    freeze = " --gc-freeze" if args.gc_freeze else ""
    print(f"command: python benchmarks/editing.py --moves {args.moves} --most {args.most} --customers "
          f"{args.customers} --iterations {args.iterations} --seed {args.seed}{freeze}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print()
    print("| scenario | customers | managers | open s | customers per move | routes per move | move ms (median / max) "
          "| with the plan's body ms (median / max) | undo ms | valid |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['scenario']} | {r['customers']} | {r['managers']} | {r['open_s']} | {r['customers_per_move']} | "
              f"{r['routes_per_move']} | {r['median_move_ms']} / {r['max_move_ms']} | {r['median_with_body_ms']} / "
              f"{r['max_with_body_ms']} | {r['undo_ms']} | {r['valid']} |")
    return 0 if all(r["valid"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
