"""The live journal of ``routeplan edit``: a crash of the editor loses no accepted change (they
are replayed when the folder is edited again), and a crash during or just after a save replays
nothing twice."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import routeplan
from routeplan import EditSession, MaxIterations
from routeplan.app import Editor, LiveJournal
from routeplan.app import journal as journal_module
from routeplan.app import saving as saving_module

REPO = Path(__file__).resolve().parents[2]


def small_problem() -> routeplan.Problem:
    """Two C managers and a D manager; medium shops (C only) and small ones (C or D)."""
    b = routeplan.ProblemBuilder(name="journal", days=["Mon", "Tue", "Wed", "Thu", "Fri"])
    b.set_depot(119.1314, 36.7090)
    b.add_tier("medium", visits=2, min_gap=2, service_min=20, roles=["C"])
    b.add_tier("small", visits=1, service_min=10, roles=["C", "D"])
    b.add_manager("C1", role="C")
    b.add_manager("C2", role="C")
    b.add_manager("D1", role="D", days="Mon Wed Fri")
    for i in range(10):
        b.add_customer(f"M{i:02d}", lon=119.10 + 0.006 * (i % 5), lat=36.69 + 0.01 * (i // 5), tier="medium")
    for i in range(8):
        b.add_customer(f"S{i:02d}", lon=119.12 + 0.005 * (i % 4), lat=36.70 + 0.012 * (i // 4), tier="small")
    return b.build()


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("journal")
    routeplan.write_scenario(small_problem(), root / "scenario")
    plan = routeplan.plan(routeplan.read_scenario(root / "scenario"), stop=MaxIterations(300), seed=0)
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


def moves(session_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """Three moves of customers between C1 and C2 (each to the other of the two)."""
    rows = [c for c in session_dict["customers"] if c["manager_id"] in ("C1", "C2")][:3]
    return [{"op": "move", "customers": [c["customer_id"]], "to": "C2" if c["manager_id"] == "C1" else "C1"}
            for c in rows]


def state(body: dict[str, Any]) -> tuple[Any, Any]:
    """What a plan body says of customers and managers."""
    return body["customers"], [(m["manager_id"], m["customers"], m["visits"]) for m in body["managers"]]


# -- a server killed with SIGKILL ------------------------------------------------------------------
@contextlib.contextmanager
def server(scenario_dir: Path, plan_dir: Path, stderr: Path) -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    """``routeplan edit ... --no-browser --port 0`` running: the process, its base address and token."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    with stderr.open("w") as err:
        process = subprocess.Popen([sys.executable, "-m", "routeplan", "edit", str(scenario_dir), str(plan_dir),
                                    "--no-browser", "--port", "0"], stdout=subprocess.PIPE, stderr=err, text=True,
                                   env=env)
    try:
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:  # far longer than starting takes: a hang fails
            selector.register(process.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=600)
        line = process.stdout.readline()
        match = re.fullmatch(r"routeplan edit: http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)\n", line)
        assert match, line
        yield process, f"http://127.0.0.1:{match[1]}", match[2]
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)
        if process.stdout is not None:
            process.stdout.close()


def call(base: str, token: str, path: str, body: Any = None, version: int | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    data = None if body is None and version is None else json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(base + path, data=data, headers=headers, method="GET" if data is None else "POST")
    with urllib.request.urlopen(request, timeout=600) as response:
        return response.status, json.loads(response.read())


def test_a_server_killed_after_accepted_changes_loses_none_of_them(scenario_dir: Path, plan_dir: Path,
                                                                  tmp_path: Path):
    with server(scenario_dir, plan_dir, tmp_path / "first.err") as (process, base, token):
        _, body = call(base, token, "/api/plan")
        edits = moves(body)
        for version, edit in enumerate(edits):
            status, body = call(base, token, "/api/edits", edit, version=version)
            assert status == 200
        status, body = call(base, token, "/api/undo", version=len(edits))
        assert status == 200
        assert body["version"] == len(edits) + 1
        before = state(body)
        process.send_signal(signal.SIGKILL)  # answered, so journalled: nothing may be lost
        process.wait(timeout=60)
    with server(scenario_dir, plan_dir, tmp_path / "second.err") as (process, base, token):
        _, body = call(base, token, "/api/plan")
        assert body["version"] == len(edits) + 1  # the version continues
        assert state(body) == before
        status, body = call(base, token, "/api/redo", version=len(edits) + 1)  # the undone one is still there
        assert status == 200
        after_redo = state(body)
        status, _ = call(base, token, "/api/save", version=len(edits) + 2)
        assert status == 200
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    assert "replayed 4 unsaved change(s)" in (tmp_path / "second.err").read_text()
    assert routeplan.validate_folder(scenario_dir, plan_dir).ok
    with server(scenario_dir, plan_dir, tmp_path / "third.err") as (process, base, token):
        _, body = call(base, token, "/api/plan")
        assert body["version"] == 0  # saved: nothing replayed
        assert state(body) == after_redo
    assert "replayed" not in (tmp_path / "third.err").read_text()
    assert len((plan_dir / "edits.jsonl").read_text().splitlines()) == len(edits)


# -- a crash during a save (in a child process, which ends with os._exit where it is told) --------
def _crash(*args: Any, **kwargs: Any) -> None:
    os._exit(3)


def edit_then_save_and_crash(scenario_dir: Path, plan_dir: Path, expected: Path,
                             patch: Callable[[pytest.MonkeyPatch], None]) -> None:
    """In the child: edit (journalled), write the plan body expected after to ``expected``,
    then save with ``patch`` making the save crash."""
    session = EditSession.open_folder(scenario_dir, plan_dir)
    journal = LiveJournal(plan_dir)
    journal.replay(session)
    editor = Editor(session, plan_dir, journal)
    for edit in moves(session.to_dict()):
        editor.edit(session.version, edit)
    expected.write_text(json.dumps(session.to_dict()))
    with pytest.MonkeyPatch.context() as monkeypatch:
        patch(monkeypatch)
        editor.save(session.version)
    os._exit(0)  # not crashed: the test fails on the exit code


def crash_midway(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(saving_module, "write_edits", _crash)  # after some files of the new folder


def crash_after_swap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LiveJournal, "saved", _crash)  # the folder is new, the journal not yet cleared


@pytest.mark.parametrize(("patch", "replayed"), [(crash_midway, 3), (crash_after_swap, 0)])
def test_a_crash_during_a_save_leaves_a_whole_folder_and_replays_nothing_twice(
        scenario_dir: Path, plan_dir: Path, tmp_path: Path, patch: Callable[[pytest.MonkeyPatch], None],
        replayed: int):
    original = journal_module.folder_digest(plan_dir)
    expected = tmp_path / "expected.json"
    child = multiprocessing.get_context("fork").Process(target=edit_then_save_and_crash,
                                                        args=(scenario_dir, plan_dir, expected, patch))
    child.start()
    child.join(timeout=600)
    assert child.exitcode == 3
    assert routeplan.validate_folder(scenario_dir, plan_dir).ok
    assert (journal_module.folder_digest(plan_dir) == original) == (replayed > 0)  # old folder or new
    # Beside it at most the journal and the save's temporary sibling (a crash leaves it behind).
    assert all(p == plan_dir or p.name.startswith(f".{plan_dir.name}.") for p in plan_dir.parent.iterdir())
    session = EditSession.open_folder(scenario_dir, plan_dir)
    assert LiveJournal(plan_dir).replay(session) == replayed
    assert state(session.to_dict()) == state(json.loads(expected.read_text()))
    assert session.version == replayed
    again = EditSession.open_folder(scenario_dir, plan_dir)  # and again: the same, nothing twice
    assert LiveJournal(plan_dir).replay(again) == replayed
    assert state(again.to_dict()) == state(session.to_dict())


def test_a_clean_stop_after_a_save_leaves_no_journal(scenario_dir: Path, plan_dir: Path):
    session = EditSession.open_folder(scenario_dir, plan_dir)
    journal = LiveJournal(plan_dir)
    assert journal.replay(session) == 0
    editor = Editor(session, plan_dir, journal)
    editor.edit(0, moves(session.to_dict())[0])
    assert len(journal.path.read_text().splitlines()) == 2  # the header and the change
    editor.save(1)
    journal.close()
    assert not journal.path.exists()


def test_a_replayed_change_that_comes_out_differently_is_reported(scenario_dir: Path, plan_dir: Path,
                                                                   caplog: pytest.LogCaptureFixture):
    session = EditSession.open_folder(scenario_dir, plan_dir)
    journal = LiveJournal(plan_dir)
    journal.replay(session)
    editor = Editor(session, plan_dir, journal)
    for edit in moves(session.to_dict())[:2]:
        editor.edit(session.version, edit)
    lines = journal.path.read_text().splitlines()
    assert all(json.loads(line)["customers"] for line in lines[1:])  # a digest of each outcome
    changed = json.loads(lines[1])
    changed["customers"] = "0" * 16  # as an optimise planned again differently would
    journal.path.write_text("\n".join([lines[0], json.dumps(changed), lines[2]]) + "\n")
    again = EditSession.open_folder(scenario_dir, plan_dir)
    with caplog.at_level("WARNING", logger="routeplan.app.journal"):
        assert LiveJournal(plan_dir).replay(again) == 2
    assert "change 1 (" in caplog.text
    assert "came out differently" in caplog.text
    assert "change 2" not in caplog.text
    assert state(again.to_dict()) == state(session.to_dict())
