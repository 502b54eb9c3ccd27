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
from starlette.testclient import TestClient

import routeplan
from routeplan import EditSession, MaxIterations
from routeplan.app import Editor, create_app, save_session
from routeplan.app import saving as saving_module
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


@contextlib.contextmanager
def command(scenario_dir: Path, plan_dir: Path) -> Iterator[re.Match[str]]:
    """``routeplan edit ... --no-browser --port 0`` running; the match of its first line (the
    address, the port and the token). Stopped after."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, "-m", "routeplan", "edit", str(scenario_dir), str(plan_dir),
                                "--no-browser", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env)
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


def test_the_page_edits_through_the_api_in_a_browser(scenario_dir: Path, plan_dir: Path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (.ci/run installs it)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    messages: list[str] = []
    requested: list[str] = []
    with command(scenario_dir, plan_dir) as match, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                    "--disable-background-networking",
                                                                    "--disable-component-update", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
        page.on("request", lambda r: requested.append(r.url))
        page.goto(match[1])
        page.wait_for_function("() => document.getElementById('version').textContent === '0'", timeout=60_000)
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
        page.click("#optimise")
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
