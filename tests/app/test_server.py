"""routeplan edit (the contract's section 8): the editor's JSON API over an EditSession, every
status it answers with, its atomic save, its guard (token, Host), and the real command."""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import shutil
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely
from starlette.testclient import TestClient

import routeplan
from routeplan import EditSession, MaxIterations
from routeplan.app import Editor, create_app, lockfile, save_session
from routeplan.app import saving as saving_module
from routeplan.app import server as server_module
from routeplan.cli import main
from routeplan.io import staging

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ROUTEPLAN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
PORT = 8765  # the port the test client's Host names (nothing listens on it)
TOKEN = "the-token"
PLAN_KEYS = {"version", "customers", "managers", "unserved", "balance"}
CUSTOMER_KEYS = {"customer_id", "manager_id", "days", "locked"}
MANAGER_KEYS = {"manager_id", "role", "customers", "visits", "travel_km", "work_min", "utilisation", "deviation"}


def small_problem() -> routeplan.Problem:
    """Two full-time C managers, a C manager with one visit a day and a part-time D manager;
    medium shops (C only, twice a week two days apart) and small ones (C or D, once)."""
    b = routeplan.ProblemBuilder(name="small", days=["Mon", "Tue", "Wed", "Thu", "Fri"])
    b.set_depot(119.1314, 36.7090)
    b.add_tier("medium", visits=2, min_gap=2, service_min=20, roles=["C"])
    b.add_tier("small", visits=1, service_min=10, roles=["C", "D"])
    b.add_manager("C1", role="C")
    b.add_manager("C2", role="C")
    b.add_manager("C3", role="C", max_visits=1)
    b.add_manager("D1", role="D", days="Mon Wed Fri")
    for i in range(14):
        b.add_customer(f"M{i:02d}", lon=119.10 + 0.006 * (i % 7), lat=36.69 + 0.01 * (i // 7), tier="medium")
    for i in range(10):
        b.add_customer(f"S{i:02d}", lon=119.12 + 0.005 * (i % 5), lat=36.70 + 0.012 * (i // 5), tier="small")
    return b.build()


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A scenario folder and a plan folder of it (not to be changed: tests copy it)."""
    root = tmp_path_factory.mktemp("edit")
    routeplan.write_scenario(small_problem(), root / "scenario")
    problem = routeplan.read_scenario(root / "scenario")
    plan = routeplan.plan(problem, stop=MaxIterations(400), seed=0)
    assert plan.is_complete()
    routeplan.write_plan(plan, root / "plan", maps=False)
    return root / "scenario", root / "plan"


@pytest.fixture
def scenario_dir(folders: tuple[Path, Path]) -> Path:
    return folders[0]


@pytest.fixture
def plan_dir(folders: tuple[Path, Path], tmp_path: Path) -> Path:
    target = tmp_path / "work" / "plan"
    shutil.copytree(folders[1], target)
    return target


@pytest.fixture
def editor(scenario_dir: Path, plan_dir: Path) -> Editor:
    return Editor(EditSession.open_folder(scenario_dir, plan_dir), plan_dir)


@pytest.fixture
def client(editor: Editor) -> TestClient:
    app = create_app(editor, port=PORT, token=TOKEN)
    # Server errors as responses, not raised: a 500 must show up as a failed status check.
    return TestClient(app, base_url=f"http://127.0.0.1:{PORT}", headers={"Authorization": f"Bearer {TOKEN}"},
                      raise_server_exceptions=False)


def post(client: TestClient, path: str, body: Any = None, *, version: int | str | None = 0) -> Any:
    headers = {} if version is None else {"If-Match": f'"{version}"' if isinstance(version, int) else version}
    content = None if body is None else (body if isinstance(body, (str, bytes)) else json.dumps(body))
    return client.post(path, content=content, headers=headers)


def current_version(client: TestClient) -> int:
    response = client.get("/api/plan")
    assert response.status_code == 200
    return int(response.headers["etag"].strip('"'))


def served_by(client: TestClient, manager_id: str, prefix: str) -> list[str]:
    body = client.get("/api/plan").json()
    return [c["customer_id"] for c in body["customers"]
            if c["manager_id"] == manager_id and c["customer_id"].startswith(prefix)]


def served_by_c(client: TestClient) -> tuple[str, str, str]:
    """A customer served by C1 or C2: the customer, its manager and the other of the two."""
    body = client.get("/api/plan").json()
    row = next(c for c in body["customers"] if c["manager_id"] in ("C1", "C2"))
    return row["customer_id"], row["manager_id"], "C2" if row["manager_id"] == "C1" else "C1"


def manager_of(body: dict[str, Any], customer_id: str) -> str:
    return next(c["manager_id"] for c in body["customers"] if c["customer_id"] == customer_id)


# -- reading -------------------------------------------------------------------------------------
def test_get_plan_gives_the_contracts_body_with_the_version_as_etag(client: TestClient, editor: Editor):
    response = client.get("/api/plan")
    assert response.status_code == 200
    assert response.headers["etag"] == '"0"'
    body = response.json()
    assert body.keys() >= PLAN_KEYS
    assert body["version"] == 0
    assert len(body["customers"]) == 24  # every customer of the scenario
    assert all(c.keys() >= CUSTOMER_KEYS for c in body["customers"])
    assert [m["manager_id"] for m in body["managers"]] == ["C1", "C2", "C3", "D1"]
    assert all(m.keys() >= MANAGER_KEYS for m in body["managers"])
    assert {"tolerance", "within"} <= body["balance"].keys()
    assert body == editor.session.to_dict()


def test_customers_gives_where_each_customer_is(client: TestClient):
    response = client.get("/api/customers")
    assert response.status_code == 200
    body = response.json()
    assert len(body["customers"]) == 24
    assert all(isinstance(c["lon"], float) and isinstance(c["lat"], float) for c in body["customers"])
    assert [m["manager_id"] for m in body["managers"]] == ["C1", "C2", "C3", "D1"]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", m["colour"]) for m in body["managers"])


def test_routes_gives_each_route_of_a_day_from_start_to_end(client: TestClient, editor: Editor):
    days = client.get("/api/customers").json()["days"]
    response = client.get("/api/routes", params={"day": days[0]})
    assert response.status_code == 200
    assert response.headers["etag"] == '"0"'
    body = response.json()
    plan = editor.session.to_plan()
    routes = [r for r in plan.routes if r.day == days[0]]
    assert body["day"] == days[0]
    assert [r["manager_id"] for r in body["routes"]] == [r.manager_id for r in routes]
    for given, route in zip(body["routes"], routes, strict=True):
        assert len(given["points"]) == len(route.stops) + 2  # the start place, every stop, the end place
        assert given["visits"] == len(route.stops)
        assert all(isinstance(lat, float) and isinstance(lon, float) for lat, lon in given["points"])


@pytest.mark.parametrize("query", ["", "?day=", "?day=NOPE"])
def test_routes_of_an_unknown_day_get_400(client: TestClient, query: str):
    response = client.get("/api/routes" + query)
    assert response.status_code == 400
    assert "day" in response.json()["error"]


# -- the guard -----------------------------------------------------------------------------------
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}])
def test_api_requests_without_the_token_get_401(editor: Editor, headers: dict[str, str]):
    bare = TestClient(create_app(editor, port=PORT, token=TOKEN), base_url=f"http://127.0.0.1:{PORT}",
                      headers=headers)
    for response in (bare.get("/api/plan"), bare.get("/api/plan?token=wrong"), bare.get("/api/customers"),
                     bare.post("/api/edits", content="{}", headers={"If-Match": '"0"'}), bare.post("/api/undo")):
        assert response.status_code == 401
        assert "token" in response.json()["error"]
    assert bare.get(f"/api/plan?token={TOKEN}").status_code == 200
    assert editor.session.version == 0


@pytest.mark.parametrize("host", ["evil.example", f"evil.example:{PORT}", f"127.0.0.1:{PORT + 1}", "127.0.0.1",
                                  f"localhost.evil.example:{PORT}"])
def test_a_host_other_than_this_editors_gets_403_on_every_path(client: TestClient, host: str):
    for path in ("/api/plan", "/", "/static/leaflet-1.9.4/leaflet.js", "/nowhere"):
        response = client.get(path, headers={"Host": host})
        assert response.status_code == 403
        assert "Host" in response.json()["error"]
    assert post(client, "/api/edits", {"op": "lock", "customers": ["S00"]}).status_code == 200  # not with the bad Host
    response = client.post("/api/undo", headers={"Host": host, "If-Match": '"1"'})
    assert response.status_code == 403
    assert current_version(client) == 1


def test_localhost_with_the_port_is_this_editor(client: TestClient):
    assert client.get("/api/plan", headers={"Host": f"localhost:{PORT}"}).status_code == 200


def test_territories_outline_each_managers_customers(client: TestClient, editor: Editor):
    response = client.get("/api/territories")
    assert response.status_code == 200
    assert response.headers["etag"] == '"0"'
    body = response.json()
    assert body["version"] == 0
    rows = editor.session.customers()
    serving = [m.manager_id for m in editor.session.problem.managers if any(r.manager_id == m.manager_id for r in rows)]
    assert [t["manager_id"] for t in body["territories"]] == serving
    places = {c.customer_id: (c.lon, c.lat) for c in editor.session.problem.customers}
    for territory in body["territories"]:
        mine = [r.customer_id for r in rows if r.manager_id == territory["manager_id"]]
        assert territory["customers"] == len(mine)
        outline = shapely.geometry.shape(territory["outline"])
        assert outline.geom_type == "Polygon"
        assert all(outline.contains(shapely.Point(places[c])) for c in mine)  # round every customer of its own


def test_territories_follow_a_move_drawing_again_only_the_managers_it_changed(client: TestClient,
                                                                             monkeypatch: pytest.MonkeyPatch):
    drawn: list[int] = []
    outline = server_module.territory_outline
    monkeypatch.setattr(server_module, "territory_outline",
                        lambda points, **options: drawn.append(len(points)) or outline(points, **options))
    before = {t["manager_id"]: t for t in client.get("/api/territories").json()["territories"]}
    assert len(drawn) == len(before)
    c1 = served_by(client, "C1", "")
    assert post(client, "/api/edits", {"op": "move", "customers": c1, "to": "C2"}).status_code == 200
    drawn.clear()
    response = client.get("/api/territories")
    assert response.headers["etag"] == '"1"'
    after = {t["manager_id"]: t for t in response.json()["territories"]}
    assert "C1" not in after  # no customer left: no territory
    assert after["C2"]["customers"] == before["C2"]["customers"] + len(c1)
    assert drawn == [after["C2"]["customers"]]  # only C2's outline was drawn again
    assert after["D1"] == before["D1"]


def test_territories_need_the_token(editor: Editor):
    app = create_app(editor, port=PORT, token=TOKEN)
    response = TestClient(app, base_url=f"http://127.0.0.1:{PORT}").get("/api/territories")
    assert response.status_code == 401


# -- an optimise under way -------------------------------------------------------------------------
def test_progress_without_an_optimise_says_none_runs(client: TestClient):
    response = client.get("/api/progress")
    assert response.status_code == 200
    assert response.json() == {"running": False, "version": 0}
    assert client.get("/api/progress", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_while_an_optimise_runs_reads_answer_progress_shows_and_changes_are_refused(
        client: TestClient, editor: Editor, monkeypatch: pytest.MonkeyPatch):
    # The search is held at a known point (after reporting its progress) until the test lets it go.
    reported, release = threading.Event(), threading.Event()
    apply = editor.session.apply

    def held(edit: dict[str, Any], *, progress: Any = None) -> Any:
        if edit["op"] != "optimise":
            return apply(edit, progress=progress)
        assert progress is not None
        progress(routeplan.Progress(seconds=1.25, iterations=4321, best_cost=987.654, missing_visits=2))
        reported.set()
        assert release.wait(60)
        return apply(edit, progress=progress)

    monkeypatch.setattr(editor.session, "apply", held)
    opened = client.get("/api/plan").json()
    answers: list[Any] = []
    optimise = threading.Thread(target=lambda: answers.append(post(
        client, "/api/edits", {"op": "optimise", "managers": ["C1", "C2"], "time_limit": 4})))
    optimise.start()
    try:
        assert reported.wait(60)
        progress = client.get("/api/progress").json()
        assert progress["running"] is True
        assert progress["version"] == 0
        assert progress["managers"] == ["C1", "C2"]
        assert progress["time_limit"] == 4
        assert 0 <= progress["fraction"] <= 1
        assert progress["elapsed"] >= 0
        assert (progress["iterations"], progress["best_cost"], progress["missing_visits"]) == (4321, 987.654, 2)
        assert progress["search_seconds"] == 1.25
        # Reads answer at once, from the version the optimise started from.
        assert client.get("/api/plan").json() == opened
        assert client.get("/api/changes").json()["version"] == 0
        assert client.get("/api/territories").json()["version"] == 0
        assert client.get("/api/routes", params={"day": "Mon"}).status_code == 200
        # A change now is refused at once (not queued behind the optimise), and changes nothing.
        for path, body in (("/api/edits", {"op": "lock", "customers": ["S00"]}), ("/api/undo", None),
                           ("/api/save", None)):
            refused = post(client, path, body)
            assert refused.status_code == 412, path
            assert "optimise" in refused.json()["error"]
        assert optimise.is_alive()
    finally:
        release.set()
        optimise.join(120)
    assert answers[0].status_code == 200
    assert answers[0].json()["version"] == 1
    assert client.get("/api/progress").json() == {"running": False, "version": 1}
    assert client.get("/api/changes").json()["last"]["edit"]["op"] == "optimise"
    assert post(client, "/api/edits", {"op": "lock", "customers": ["S00"]}, version=1).status_code == 200


def test_an_optimise_that_is_refused_ends_and_frees_the_editor(client: TestClient):
    response = post(client, "/api/edits", {"op": "optimise", "managers": ["NOPE"], "time_limit": 1})
    assert response.status_code == 400
    assert client.get("/api/progress").json() == {"running": False, "version": 0}
    assert post(client, "/api/edits", {"op": "lock", "customers": ["S00"]}).status_code == 200


@pytest.fixture(scope="module")
def kuiwen_editor_plan() -> tuple[routeplan.Problem, routeplan.Plan]:
    problem = routeplan.read_scenario(REPO / "data" / "samples" / "kuiwen")
    return problem, routeplan.plan(problem, stop=MaxIterations(3000), seed=0)


def test_progress_reports_the_searchs_own_figures_while_the_post_runs(
        kuiwen_editor_plan: tuple[routeplan.Problem, routeplan.Plan], tmp_path: Path):
    problem, plan = kuiwen_editor_plan
    editor = Editor(EditSession.open(problem, plan), tmp_path / "plan")
    kuiwen = TestClient(create_app(editor, port=PORT, token=TOKEN), base_url=f"http://127.0.0.1:{PORT}",
                        headers={"Authorization": f"Bearer {TOKEN}"}, raise_server_exceptions=False)
    answers: list[Any] = []
    optimise = threading.Thread(target=lambda: answers.append(post(
        kuiwen, "/api/edits", {"op": "optimise", "managers": ["D1", "D2"], "time_limit": 3})))
    optimise.start()
    seen: list[dict[str, Any]] = []
    while optimise.is_alive():
        body = kuiwen.get("/api/progress").json()
        if body["running"] and body["iterations"] > 0:
            seen.append(body)
        optimise.join(0.05)
    assert answers[0].status_code == 200
    assert seen, "no progress of the search was seen while the optimise ran"
    assert all(p["best_cost"] > 0 for p in seen)
    assert all(p["search_seconds"] >= 0.9 for p in seen)  # the search reports about once a second
    assert [p["iterations"] for p in seen] == sorted(p["iterations"] for p in seen)


# -- changes -------------------------------------------------------------------------------------
def test_an_accepted_move_raises_the_version_and_etag(client: TestClient):
    customer, _, to = served_by_c(client)
    response = post(client, "/api/edits", {"op": "move", "customers": [customer], "to": to})
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    body = response.json()
    assert body["version"] == 1
    assert manager_of(body, customer) in (to, "")  # "": no room, unserved
    assert body == client.get("/api/plan").json()
    response = post(client, "/api/edits", {"op": "lock", "customers": [customer]}, version=1)
    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'


def test_days_and_unlock_and_optimise_are_accepted(client: TestClient):
    body = client.get("/api/plan").json()
    medium = next(c for c in body["customers"] if c["customer_id"].startswith("M") and c["days"])
    other = ["Mon", "Wed"] if medium["days"] != ["Mon", "Wed"] else ["Tue", "Thu"]
    response = post(client, "/api/edits", {"op": "days", "customer": medium["customer_id"], "days": other})
    assert response.status_code == 200
    row = next(c for c in response.json()["customers"] if c["customer_id"] == medium["customer_id"])
    assert row["days"] in (other, [])
    assert post(client, "/api/edits", {"op": "unlock", "customers": ["S00"]}, version=1).status_code == 200
    response = post(client, "/api/edits", {"op": "optimise", "managers": ["C1", "C2"], "time_limit": 1}, version=2)
    assert response.status_code == 200
    assert response.json()["version"] == 3


def test_changes_gives_the_last_change_before_and_after_and_the_change_since_open(client: TestClient):
    body = client.get("/api/changes").json()
    assert body["version"] == 0
    assert body["last"] is None
    assert all(m["customers"] == 0 and m["visits"] == 0 for m in body["since_open"]["managers"])
    customer, owner, to = served_by_c(client)
    moved = post(client, "/api/edits", {"op": "move", "customers": [customer], "to": to}).json()
    assert manager_of(moved, customer) == to
    response = client.get("/api/changes")
    assert response.headers["etag"] == '"1"'
    body = response.json()
    assert body["last"]["version"] == 1
    assert body["last"]["edit"] == {"op": "move", "customers": [customer], "to": to}
    touched = {m["manager_id"]: m for m in body["last"]["managers"]}
    assert {owner, to} <= touched.keys()
    assert touched[to]["after"]["customers"] == touched[to]["before"]["customers"] + 1
    assert touched[owner]["after"]["customers"] == touched[owner]["before"]["customers"] - 1
    assert {"customers", "visits", "travel_km", "work_min", "deviation"} <= touched[to]["after"].keys()
    since = {m["manager_id"]: m for m in body["since_open"]["managers"]}
    assert since[to]["customers"] == 1
    assert since[owner]["customers"] == -1
    assert {"travel_km", "work_min", "deviation"} <= since[to].keys()
    assert body["since_open"]["customers_changed"] == 1
    assert post(client, "/api/undo", version=1).status_code == 200
    body = client.get("/api/changes").json()
    assert body["last"]["edit"] == {"op": "undo"}
    assert {m["manager_id"]: m["after"]["customers"] - m["before"]["customers"]
            for m in body["last"]["managers"]}[to] == -1
    assert all(m["customers"] == 0 for m in body["since_open"]["managers"])
    assert body["since_open"]["customers_changed"] == 0


def test_a_stale_if_match_gets_412_and_changes_nothing(client: TestClient):
    customer, _, _ = served_by_c(client)
    assert post(client, "/api/edits", {"op": "lock", "customers": [customer]}).status_code == 200
    before = client.get("/api/plan").json()
    for path, body in (("/api/edits", {"op": "unlock", "customers": [customer]}), ("/api/undo", None),
                       ("/api/redo", None), ("/api/save", None), ("/api/edits", "not json")):
        for version in (0, 7, '"x"', "*"):
            response = post(client, path, body, version=version)
            assert response.status_code == 412, (path, version)
            assert response.headers["etag"] == '"1"'
            assert "version" in response.json()["error"]
    assert client.get("/api/plan").json() == before


def test_a_change_without_if_match_gets_428(client: TestClient):
    response = post(client, "/api/edits", {"op": "lock", "customers": ["S00"]}, version=None)
    assert response.status_code == 428
    assert "If-Match" in response.json()["error"]
    assert current_version(client) == 0


@pytest.mark.parametrize(("body", "named"), [
    ("{not json", "JSON"),
    (b"\xff\xfe", "JSON"),
    ("", "JSON"),
    ("[1, 2]", "object"),
    ("[" * 100_000 + "]" * 100_000, "JSON"),
    ({"customers": ["S00"]}, "op"),
    ({"op": "teleport", "customers": ["S00"]}, "teleport"),
    ({"op": "undo"}, "undo"),
    ({"op": "move", "customers": ["NOPE1"], "to": "C2"}, "NOPE1"),
    ({"op": "move", "customers": ["S00"], "to": "Z9"}, "Z9"),
    ({"op": "move", "customers": ["S00"]}, "to"),
    ({"op": "move", "to": "C2"}, "customers"),
    ({"op": "move", "customers": [1, 2], "to": "C2"}, "customers"),
    ({"op": "move", "customers": "S00", "to": "C2"}, "customers"),
    ({"op": "days", "customer": "M00", "days": ["Sun", "Mon"]}, "Sun"),
    ({"op": "days", "customer": "M00"}, "days"),
    ({"op": "days", "customer": "NOPE2", "days": ["Mon", "Wed"]}, "NOPE2"),
    ({"op": "lock", "customers": [["S00"]]}, "customers"),
    ({"op": "unlock"}, "customers"),
    ({"op": "optimise", "managers": ["C1"]}, "time_limit"),
    ({"op": "optimise", "managers": ["C1"], "time_limit": -1}, "time_limit"),
    ({"op": "optimise", "managers": ["NOPE3"], "time_limit": 1}, "NOPE3"),
])
def test_a_bad_request_gets_400_naming_what_is_wrong_and_changes_nothing(client: TestClient, body: Any, named: str):
    response = post(client, "/api/edits", body)
    assert response.status_code == 400
    assert named in response.json()["error"]
    assert current_version(client) == 0
    assert post(client, "/api/undo").status_code == 409  # nothing was done


def test_a_role_that_may_not_serve_the_tier_gets_409_naming_the_rule(client: TestClient):
    medium = served_by(client, "C1", "M")[:2]
    response = post(client, "/api/edits", {"op": "move", "customers": medium, "to": "D1"})
    assert response.status_code == 409
    assert response.json()["error"].startswith("role:")
    assert current_version(client) == 0


def test_days_closer_than_min_gap_get_409_naming_the_rule(client: TestClient):
    medium = served_by(client, "C1", "M")[0]
    response = post(client, "/api/edits", {"op": "days", "customer": medium, "days": ["Mon", "Tue"]})
    assert response.status_code == 409
    assert response.json()["error"].startswith("min_gap:")
    assert current_version(client) == 0


def test_undo_and_redo_step_through_the_changes_each_a_new_version(client: TestClient):
    assert post(client, "/api/undo").status_code == 409
    assert post(client, "/api/redo").status_code == 409
    customer, manager, to = served_by_c(client)
    moved = post(client, "/api/edits", {"op": "move", "customers": [customer], "to": to}).json()
    undone = post(client, "/api/undo", version=1)
    assert undone.status_code == 200
    assert undone.headers["etag"] == '"2"'
    assert manager_of(undone.json(), customer) == manager
    redone = post(client, "/api/redo", version=2)
    assert redone.status_code == 200
    assert manager_of(redone.json(), customer) == manager_of(moved, customer)
    response = post(client, "/api/redo", version=3)
    assert response.status_code == 409
    assert "redo" in response.json()["error"]
    assert current_version(client) == 3


def test_two_clients_racing_for_one_version_one_gets_it_the_other_412(client: TestClient):
    customers = [c["customer_id"] for c in client.get("/api/plan").json()["customers"] if c["manager_id"]][:2]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send(customer: str) -> None:
        barrier.wait()
        statuses.append(post(client, "/api/edits", {"op": "lock", "customers": [customer]}).status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412]
    assert current_version(client) == 1


# -- saving --------------------------------------------------------------------------------------
def test_save_writes_a_valid_plan_folder_with_changes_and_edits(client: TestClient, editor: Editor,
                                                                scenario_dir: Path, plan_dir: Path):
    customer, manager, to = served_by_c(client)
    assert post(client, "/api/edits", {"op": "move", "customers": [customer], "to": to}).status_code == 200
    assert post(client, "/api/edits", {"op": "lock", "customers": [customer]}, version=1).status_code == 200
    assert post(client, "/api/edits", {"op": "unlock", "customers": [customer]}, version=2).status_code == 200
    assert post(client, "/api/undo", version=3).status_code == 200  # the unlock is not in force
    response = post(client, "/api/save", version=4)
    assert response.status_code == 200
    assert response.json() == {"version": 4, "plan_dir": str(plan_dir.absolute())}
    assert current_version(client) == 4  # saving is no change
    report = routeplan.validate_folder(scenario_dir, plan_dir)
    assert report.ok, str(report)
    assert main(["validate", str(scenario_dir), str(plan_dir)]) == 0
    for name in ("visits.csv", "routes.csv", "unserved.csv", "summary.json", "routes.geojson", "map.html"):
        assert (plan_dir / name).is_file()
    lines = (plan_dir / "edits.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [{"op": "move", "customers": [customer], "to": to},
                                                   {"op": "lock", "customers": [customer]}]
    changes = (plan_dir / "changes.csv").read_text(encoding="utf-8").splitlines()
    assert changes[0].startswith("customer_id,before_manager,after_manager")
    if manager_of(client.get("/api/plan").json(), customer) == to:
        assert any(row.startswith(f"{customer},{manager},{to},") for row in changes[1:])
    assert sorted(p.name for p in plan_dir.parent.iterdir()) == ["plan"]  # no stage or old folder left
    # Reopened, the saved plan holds the edits already: nothing is replayed.
    reopened = EditSession.open_folder(scenario_dir, plan_dir)
    assert reopened.version == 0
    assert reopened.journal() == []
    assert [c.to_dict() for c in reopened.customers()] == [
        {**c.to_dict(), "locked": False} for c in editor.session.customers()]


def test_a_save_that_fails_midway_leaves_the_old_folder_as_it_was(client: TestClient, plan_dir: Path,
                                                                  monkeypatch: pytest.MonkeyPatch):
    before = {p.relative_to(plan_dir): p.read_bytes() for p in plan_dir.rglob("*") if p.is_file()}
    assert post(client, "/api/edits", {"op": "lock", "customers": ["S00"]}).status_code == 200

    def broken(plan: Any, folder: Path, **options: Any) -> None:
        (Path(folder) / "map.html").write_text("half a map", encoding="utf-8")
        raise OSError(28, "No space left on device", str(Path(folder) / "map.html"))

    monkeypatch.setattr(saving_module, "write_views", broken)
    response = post(client, "/api/save", version=1)
    assert response.status_code == 500
    assert "No space left on device" in response.json()["error"]
    after = {p.relative_to(plan_dir): p.read_bytes() for p in plan_dir.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in plan_dir.parent.iterdir()) == ["plan"]  # no partial folder
    assert current_version(client) == 1
    monkeypatch.undo()
    assert post(client, "/api/save", version=1).status_code == 200
    assert (plan_dir / "edits.jsonl").read_text(encoding="utf-8").strip() == '{"op": "lock", "customers": ["S00"]}'


@pytest.mark.skipif(not staging.exchange_supported(), reason="no renameat2 (Linux only)")
def test_save_swaps_the_folder_in_one_exchange(editor: Editor, plan_dir: Path, monkeypatch: pytest.MonkeyPatch):
    # No rename of the plan folder: with two renames, a crash between them would leave no PLAN_DIR.
    # (Renames inside the new folder, its schedules and calendars written whole, go on.)
    rename = Path.rename

    def no_rename(self: Path, target: Any) -> Path:
        if plan_dir in (Path(self), Path(target)):
            raise AssertionError(f"renamed {self} to {target}")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", no_rename)
    editor.session.lock(["S00"])
    save_session(editor.session, plan_dir)
    assert '"S00"' in (plan_dir / "edits.jsonl").read_text(encoding="utf-8")
    assert sorted(p.name for p in plan_dir.parent.iterdir()) == ["plan"]


def test_save_where_the_file_system_cannot_exchange_renames_twice(editor: Editor, scenario_dir: Path,
                                                                   plan_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(staging, "_exchange", lambda a, b: False)
    editor.session.lock(["S00"])
    save_session(editor.session, plan_dir)
    assert '"S00"' in (plan_dir / "edits.jsonl").read_text(encoding="utf-8")
    assert sorted(p.name for p in plan_dir.parent.iterdir()) == ["plan"]
    assert routeplan.validate_folder(scenario_dir, plan_dir).ok


def test_save_session_refuses_a_folder_of_someone_elses_files(editor: Editor, tmp_path: Path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(routeplan.ArgumentError):
        save_session(editor.session, foreign)
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]


# -- the page ------------------------------------------------------------------------------------
def test_the_page_and_the_vendored_leaflet_are_served_from_here(client: TestClient):
    page = client.get("/", headers={"Authorization": ""})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "L.canvas(" in html
    assert "circleMarker" in html
    assert "If-Match" in html
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/static/"), url  # nothing from elsewhere
        assert client.get(url).status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/static/%2e%2e/%2e%2e/cli.py", "/static/..%2f..%2fcli.py", "/static/missing.js",
                                  "/static/leaflet-1.9.4", "/static//etc/passwd"])
def test_static_serves_only_files_inside_the_assets_folder(client: TestClient, path: str):
    response = client.get(path)
    assert response.status_code == 404
    assert "error" in response.json()


def test_an_unknown_path_or_method_gets_a_json_error(client: TestClient):
    assert client.get("/api/nothing").status_code == 404
    response = client.get("/api/edits")
    assert response.status_code == 405
    assert "error" in response.json()


# -- the command ---------------------------------------------------------------------------------
def test_the_command_refuses_a_bad_port(scenario_dir: Path, plan_dir: Path):
    assert main(["edit", str(scenario_dir), str(plan_dir), "--port", "70000", "--no-browser"]) == 64
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["edit", str(scenario_dir), str(plan_dir), "--port", str(port), "--no-browser"]) == 64


def first_line(process: subprocess.Popen[str], seconds: float) -> str:
    """The first line of the process's standard output (or "" if none comes in ``seconds``: far
    more than starting takes, so that a server that never answers fails the test, not hangs it)."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=seconds):
            return ""
    return process.stdout.readline()


ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}


@contextlib.contextmanager
def command(scenario_dir: Path, plan_dir: Path, *, stderr: Any = subprocess.DEVNULL,
            started: list[subprocess.Popen[str]] | None = None) -> Iterator[re.Match[str]]:
    """``routeplan edit ... --no-browser --port 0`` running; the match of its first line (the
    address, the port and the token). Stopped after (unless ``started``, given the process, has
    it killed first)."""
    process = subprocess.Popen([sys.executable, "-m", "routeplan", "edit", str(scenario_dir), str(plan_dir),
                                "--no-browser", "--port", "0"], stdout=subprocess.PIPE, stderr=stderr,
                               text=True, env=ENV)
    if started is not None:
        started.append(process)
    try:
        line = first_line(process, 600)
        match = re.fullmatch(r"routeplan edit: (http://127\.0\.0\.1:(\d+)/\?token=([\w-]+))\n", line)
        assert match, line
        yield match
    finally:
        process.terminate()
        process.wait(timeout=60)
        if process.stdout is not None:
            process.stdout.close()


def test_the_command_serves_on_localhost_and_prints_the_address_first(scenario_dir: Path, plan_dir: Path):
    with command(scenario_dir, plan_dir) as match:
        port, token = int(match[2]), match[3]
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/plan",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200
            assert response.headers["ETag"] == '"0"'
            assert json.loads(response.read())["version"] == 0
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/plan?token={token}", timeout=60) as response:
            assert response.status == 200
        for headers in ({"Authorization": f"Bearer {token}", "Host": f"attacker.example:{port}"}, {}):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/plan", headers=headers)
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=60)
            assert refused.value.code == (403 if headers else 401)
            refused.value.close()
        with urllib.request.urlopen(match[1], timeout=60) as response:
            assert response.status == 200
            assert b"leaflet" in response.read()


# -- one editor per folder -----------------------------------------------------------------------
def test_a_second_editor_of_the_folder_refuses_to_start_naming_the_first(scenario_dir: Path, plan_dir: Path):
    lock = lockfile.lock_path(plan_dir)
    started: list[subprocess.Popen[str]] = []
    with command(scenario_dir, plan_dir, started=started) as match:
        first = started[0]
        assert lockfile.read_lock(lock)["pid"] == first.pid
        second = subprocess.run([sys.executable, "-m", "routeplan", "edit", str(scenario_dir), str(plan_dir),
                                 "--no-browser", "--port", "0"], check=False, capture_output=True, text=True, env=ENV,
                                timeout=600)
        assert second.returncode == 64
        assert second.stdout == ""  # no address: it never served
        message = second.stderr.strip().splitlines()[-1]
        assert str(plan_dir.absolute()) in message
        assert f"pid {first.pid}" in message
        assert f"http://127.0.0.1:{match[2]}/" in message
        assert match[3] not in second.stderr  # the first one's token is not told
        # The first one goes on serving.
        with urllib.request.urlopen(f"http://127.0.0.1:{match[2]}/api/plan?token={match[3]}", timeout=60) as answer:
            assert answer.status == 200
    assert first.returncode is not None
    assert not lock.exists()  # released (removed) as the first one stopped


def test_the_lock_of_a_killed_editor_is_taken_over(scenario_dir: Path, plan_dir: Path, tmp_path: Path):
    started: list[subprocess.Popen[str]] = []
    with command(scenario_dir, plan_dir, started=started):
        killed = started[0]
        killed.kill()  # no clean stop: the lock file stays, naming a process that no longer runs
        killed.wait(60)
    lock = lockfile.lock_path(plan_dir)
    assert lockfile.read_lock(lock)["pid"] == killed.pid
    assert not lockfile.pid_alive(killed.pid)
    log = tmp_path / "stderr.txt"
    with log.open("w", encoding="utf-8") as stderr, command(scenario_dir, plan_dir, stderr=stderr, started=started):
        assert lockfile.read_lock(lock)["pid"] == started[1].pid
    assert f"from routeplan edit pid {killed.pid}, which no longer runs" in log.read_text(encoding="utf-8")
    assert not lock.exists()


def test_the_editor_lock_in_one_process_refuses_a_second_and_frees_on_release(plan_dir: Path):
    with lockfile.EditorLock(plan_dir) as held:
        held.update(port=4321)
        with pytest.raises(routeplan.EditorBusyError, match=rf"pid {os.getpid()} at http://127\.0\.0\.1:4321/"):
            lockfile.EditorLock(plan_dir)
        assert held.path.parent == plan_dir.parent  # beside the folder: a save swaps the folder whole
        assert not any(p.name.endswith(".lock") for p in plan_dir.rglob("*"))
    assert not held.path.exists()
    with lockfile.EditorLock(plan_dir) as again:
        assert again.taken_over is None


def test_a_missing_plan_folder_is_reported_and_nothing_is_made(scenario_dir: Path, tmp_path: Path):
    assert main(["edit", str(scenario_dir), str(tmp_path / "nope" / "plan"), "--no-browser"]) == 65
    assert not (tmp_path / "nope").exists()  # no lock file, no folder for one


# -- the leftovers of a save that died --------------------------------------------------------------
def leftovers_beside(plan_dir: Path) -> dict[str, Path]:
    """Folders and files beside ``plan_dir``: two leftovers of dead writes and things that only
    look like them."""
    parent = plan_dir.parent
    made = {name: parent / name for name in (
        f".{plan_dir.name}.ab_12cd9", f".{plan_dir.name}.old.zz0099_a",  # leftovers
        f".{plan_dir.name}.ab_12cd99", f".{plan_dir.name}.AB_12CD9", f".{plan_dir.name}.notes",  # not
        f".{plan_dir.name}x.ab_12cd9", f"{plan_dir.name}.ab_12cd9", f".{plan_dir.name}.file0000")}
    for name, path in made.items():
        if name.endswith("file0000"):
            path.write_text("a file, not a folder", encoding="utf-8")
        else:
            path.mkdir()
            (path / "visits.csv").write_text("half", encoding="utf-8")
    return made


def test_remove_leftovers_removes_only_dead_stages_of_that_folder(plan_dir: Path, tmp_path: Path):
    made = leftovers_beside(plan_dir)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep", encoding="utf-8")
    link = plan_dir.parent / f".{plan_dir.name}.lnk_0000"  # a stage's name, but a link: not followed
    link.symlink_to(precious, target_is_directory=True)
    journal = plan_dir.parent / f".{plan_dir.name}.routeplan-edit.jsonl"
    journal.write_text("{}\n", encoding="utf-8")
    removed = staging.remove_leftovers(plan_dir)
    assert sorted(p.name for p in removed) == [f".{plan_dir.name}.ab_12cd9", f".{plan_dir.name}.old.zz0099_a"]
    assert [name for name, path in made.items() if not path.exists()] == [p.name for p in removed]
    assert journal.exists()
    assert link.is_symlink()
    assert (precious / "keep.txt").read_text(encoding="utf-8") == "keep"
    assert (plan_dir / "summary.json").is_file()


def test_remove_leftovers_keeps_a_stage_a_live_write_holds(plan_dir: Path):
    with staging.staged_folder(plan_dir, marker=staging.PLAN_MARKER) as stage:
        (stage / "summary.json").write_text("{}", encoding="utf-8")
        assert staging.remove_leftovers(plan_dir) == []
        assert stage.is_dir()
    assert (plan_dir / "summary.json").read_text(encoding="utf-8") == "{}"


def test_an_old_folder_stays_while_the_plan_folder_is_missing(plan_dir: Path):
    old = plan_dir.parent / f".{plan_dir.name}.old.abcdefgh"
    plan_dir.rename(old)  # a crash between the two renames: the old folder whole, none at PLAN_DIR
    assert staging.remove_leftovers(plan_dir) == []
    assert old.is_dir()


CRASH_MIDWAY = """
import os, sys
from pathlib import Path
from routeplan.io.staging import PLAN_MARKER, staged_folder
with staged_folder(Path(sys.argv[1]), marker=PLAN_MARKER) as stage:
    (stage / "visits.csv").write_text("half a plan", encoding="utf-8")
    print(stage, flush=True)
    os._exit(9)  # the process dies midway through the save: no clean-up runs
"""


def crash_midway(plan_dir: Path) -> Path:
    """A save of ``plan_dir`` in a process that dies midway; the stage it leaves."""
    died = subprocess.run([sys.executable, "-c", CRASH_MIDWAY, str(plan_dir)], check=False, capture_output=True,
                          text=True, env=ENV, timeout=600)
    assert died.returncode == 9
    stage = Path(died.stdout.strip())
    assert stage.is_dir()
    assert staging.leftover_pattern(plan_dir).fullmatch(stage.name)
    return stage


def test_the_stage_of_a_save_that_died_is_removed_when_the_folder_is_opened(scenario_dir: Path, plan_dir: Path,
                                                                             tmp_path: Path):
    stage = crash_midway(plan_dir)
    kept = plan_dir.parent / "notes.txt"
    kept.write_text("mine", encoding="utf-8")
    log = tmp_path / "stderr.txt"
    with log.open("w", encoding="utf-8") as stderr, command(scenario_dir, plan_dir, stderr=stderr):
        assert not stage.exists()
        assert kept.read_text(encoding="utf-8") == "mine"
    assert f"removed {stage}, the temporary folder of a save that died" in log.read_text(encoding="utf-8")
    assert routeplan.validate_folder(scenario_dir, plan_dir).ok


def test_the_stage_of_a_save_that_died_is_removed_by_the_next_save(editor: Editor, plan_dir: Path):
    stage = crash_midway(plan_dir)
    editor.session.lock(["S00"])
    save_session(editor.session, plan_dir)
    assert not stage.exists()
    assert sorted(p.name for p in plan_dir.parent.iterdir()) == ["plan"]


# Every table of the side panel: its right edge and the panel's (both in page pixels).
_TABLE_EDGES = """() => {
    const side = document.getElementById("side").getBoundingClientRect();
    return {side: side.right, scroll: document.getElementById("side").scrollWidth,
            client: document.getElementById("side").clientWidth,
            tables: [...document.querySelectorAll("#side table")].map(t => ({
                id: t.parentElement.id === "side" ? "managers" : t.parentElement.id,
                right: t.getBoundingClientRect().right,
                rows: t.querySelectorAll("tbody tr").length}))};
}"""

# Managers that serve a customer in the page's plan, and the territories drawn.
_TERRITORIES = """() => ({serving: new Set(plan.customers.map(c => c.manager_id).filter(Boolean)).size,
                          drawn: territoryLayer.getLayers().length,
                          on: map.hasLayer(territoryLayer)})"""


def test_the_page_edits_through_the_api_in_a_browser(scenario_dir: Path, plan_dir: Path, tmp_path: Path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (.ci/run installs it)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    messages: list[str] = []
    requested: list[str] = []
    with command(scenario_dir, plan_dir) as match, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                    "--disable-background-networking",
                                                                    "--disable-component-update", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
        page.on("request", lambda r: requested.append(r.url))
        page.goto(match[1])
        page.wait_for_function("() => document.body.dataset.ready === '0'", timeout=60_000)
        assert page.locator("#version").inner_text() == "0"
        # Each serving manager's territory, drawn (the toggle is on at first).
        page.wait_for_function("() => document.body.dataset.territories === '0'", timeout=60_000)
        territories = page.evaluate(_TERRITORIES)
        assert territories == {"serving": territories["serving"], "drawn": territories["serving"], "on": True}
        assert territories["serving"] >= 2
        assert page.evaluate("markers.size") == 24  # every customer, on the canvas renderer
        assert page.evaluate("[...markers.values()].every(m => m.options.renderer instanceof L.Canvas)")
        assert page.locator("#managers tr").count() == 4
        # Shown only C1's customers, a rectangle over the whole map selects them all; they move to C2.
        c1 = page.evaluate("plan.customers.filter(c => c.manager_id === 'C1').length")
        assert c1 > 0
        c2_before = page.evaluate("plan.managers.find(m => m.manager_id === 'C2').customers")
        page.select_option("#fmanager", "C1")
        page.click("#rect")
        box = page.locator("#map").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 2, box["y"] + 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
        page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] - 2, steps=5)
        page.mouse.up()
        assert int(page.locator("#count").inner_text()) == c1
        page.click("#rect")
        page.select_option("#fmanager", "")
        page.select_option("#to", "C2")
        page.click("#move")
        page.wait_for_function("() => document.getElementById('version').textContent === '1'", timeout=60_000)
        c2_row = page.locator("#managers tr", has_text="C2").first.locator("td").nth(2)
        assert int(c2_row.inner_text()) == c2_before + c1
        # The last change panel: C2's figures before and after the move, and the change since opened.
        page.wait_for_function("() => document.getElementById('lastedit').textContent.startsWith('move (version 1)')",
                               timeout=60_000)
        last_c2 = page.locator("#lastrows tr", has_text="C2").first.locator("td").nth(1)
        assert last_c2.inner_text() == f"{c2_before} \u2192 {c2_before + c1}"
        since_c2 = page.locator("#sincerows tr", has_text="C2").first.locator("td").nth(1)
        assert since_c2.inner_text() == f"+{c1}"
        # Every table fits the side panel at 1280x800, the last change's included (its cells wrap).
        page.screenshot(path=str(tmp_path / "last-change.png"))
        edges = page.evaluate(_TABLE_EDGES)
        assert {t["id"] for t in edges["tables"] if t["rows"]} >= {"lastchange", "sinceopen", "managers"}
        for table in edges["tables"]:
            assert table["right"] <= edges["side"] + 0.5, table
        assert edges["scroll"] <= edges["client"]  # nothing to scroll sideways
        # The territories follow the move: C1 has no customer left, so one fewer is drawn.
        page.wait_for_function("() => document.body.dataset.territories === '1'", timeout=60_000)
        moved = page.evaluate(_TERRITORIES)
        assert moved["drawn"] == moved["serving"] == territories["serving"] - 1
        page.uncheck("#territories")
        assert page.evaluate(_TERRITORIES)["on"] is False
        page.check("#territories")
        page.wait_for_function("() => map.hasLayer(territoryLayer)", timeout=60_000)
        # The routes of a day, drawn as lines coloured by manager from GET /api/routes.
        day = page.evaluate("document.getElementById('rday').options[1].value")
        page.select_option("#rday", day)
        page.wait_for_function("() => document.getElementById('routeinfo').textContent.endsWith('version 1')",
                               timeout=60_000)
        assert page.evaluate("routeLayer.getLayers().length") > 0
        assert page.evaluate("routeLayer.getLayers().every(l => l instanceof L.Polyline)")
        # A lasso (a free polygon) around the whole map selects every shown customer.
        page.click("#clear")
        page.click("#lasso")
        page.mouse.move(box["x"] + 2, box["y"] + 2)
        page.mouse.down()
        for x, y in [(box["width"] - 2, 2), (box["width"] - 2, box["height"] - 2), (2, box["height"] - 2)]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=4)
        page.mouse.up()
        assert int(page.locator("#count").inner_text()) == page.evaluate("plan.customers.length")
        page.click("#lasso")
        page.click("#clear")
        page.click("#undo")
        page.wait_for_function("() => document.getElementById('version').textContent === '2'", timeout=60_000)
        assert int(c2_row.inner_text()) == c2_before
        page.wait_for_function("() => document.getElementById('lastedit').textContent.startsWith('undo (version 2)')",
                               timeout=60_000)
        assert last_c2.inner_text() == f"{c2_before + c1} \u2192 {c2_before}"
        assert page.locator("#sincerows tr").count() == 0
        # A click on a customer selects it alone; it is locked.
        page.evaluate("markers.get('S00').fire('click', {originalEvent: {shiftKey: false}})")
        assert page.locator("#count").inner_text() == "1"
        page.click("#lock")
        page.wait_for_function("() => document.getElementById('version').textContent === '3'", timeout=60_000)
        # Optimise shows a spinner while the request runs (recorded as it appears: no timing).
        page.evaluate("window.busyShown = []; new MutationObserver(() => window.busyShown.push("
                      "document.getElementById('busy').hidden)).observe(document.getElementById('busy'), "
                      "{attributes: true})")
        # While the optimise request is in flight (held here), the page polls GET /api/progress
        # and shows its answer as a bar and the search's figures.
        held: list[Any] = []
        page.route("**/api/edits", lambda route: held.append(route) if route.request.post_data_json.get("op")
                   == "optimise" else route.continue_())
        page.route("**/api/progress", lambda route: route.fulfill(json={
            "running": True, "version": 3, "op": "optimise", "managers": "affected", "time_limit": 5.0,
            "elapsed": 2.5, "fraction": 0.5, "search_seconds": 2.0, "iterations": 4321, "best_cost": 987.65,
            "missing_visits": 0}))
        page.click("#optimise")
        page.wait_for_function("() => document.getElementById('searchtext').textContent.includes('4,321 iterations')",
                               timeout=60_000)
        assert page.locator("#searchtext").inner_text() == "4,321 iterations, best cost 987.6"
        assert page.evaluate("document.getElementById('optprogress').value") == 0.5
        assert "2.5 of 5 s" in page.locator("#busytext").inner_text()
        assert page.locator("#move").is_disabled()
        page.unroute("**/api/progress")
        assert len(held) == 1
        held[0].continue_()
        page.unroute("**/api/edits")
        page.wait_for_function("() => document.getElementById('version').textContent === '4'", timeout=120_000)
        page.wait_for_function("() => document.getElementById('busy').hidden", timeout=60_000)
        assert page.evaluate("window.busyShown")[0] is False  # shown first, then hidden
        assert not page.locator("#save").is_disabled()
        page.click("#save")
        page.wait_for_function("() => document.getElementById('message').textContent.startsWith('saved version 4')",
                               timeout=120_000)
        browser.close()
    assert messages == []
    assert all(url.startswith(f"http://127.0.0.1:{match[2]}/") for url in requested), requested
    assert routeplan.validate_folder(scenario_dir, plan_dir).ok
    lines = (plan_dir / "edits.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [{"op": "lock", "customers": ["S00"]},  # the move was undone
                                                    {"op": "optimise", "managers": "affected", "time_limit": 5}]


def test_save_redraws_the_printed_plan_xlsx_when_the_folder_has_one(client: TestClient, editor: Editor,
                                                                    plan_dir: Path):
    openpyxl = pytest.importorskip("openpyxl")
    routeplan.write_workbook(editor.session.opened, plan_dir / "plan.xlsx")
    customer, _, to = served_by_c(client)
    assert post(client, "/api/edits", {"op": "move", "customers": [customer], "to": to}).status_code == 200
    assert post(client, "/api/save", version=1).status_code == 200
    book = openpyxl.load_workbook(plan_dir / "plan.xlsx")
    printed = {cell.value for sheet in book.worksheets if sheet.title == to for row in sheet.iter_rows()
               for cell in row}
    saved = {s.customer_id for r in routeplan.read_plan(editor.session.problem, plan_dir).routes
             if r.manager_id == to for s in r.stops}
    assert customer in saved
    assert customer in printed  # the moved customer is on its new manager's printed sheet
