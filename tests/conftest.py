"""Shared fixtures: the tiny scenario and small hand-built problems."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent
# The Cordeau PVRP instances live outside the repository (../shared/benchmarks/pvrp); .ci/run
# exports ROUTEPLAN_PVRP_DIR when it finds them.
PVRP = Path(os.environ.get("ROUTEPLAN_PVRP_DIR", REPO.parent / "shared" / "benchmarks" / "pvrp"))


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A private copy of tests/data/tiny that a test may edit."""
    target = tmp_path / "tiny"
    shutil.copytree(DATA / "tiny", target)
    return target


@pytest.fixture(scope="session")
def tiny_problem():
    from routeplan import read_scenario

    return read_scenario(DATA / "tiny")
