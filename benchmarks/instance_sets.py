"""A folder of benchmark instances with a ``bks.csv``: which instances a run takes (``--only``)
and their best known costs, and how a gap to them is written. Shared by ``benchmarks/pvrp.py``,
``benchmarks/pvrp_seeds.py`` and ``benchmarks/vrptw.py``."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


def chosen(found: Mapping[str, Path], only: str | None, *, folder: Path, order: Callable[[str], Any]) -> list[Path]:
    """The files of ``found`` (by instance name) in ``order``, only those named in ``only``
    (comma-separated) when given; an unknown name stops the run naming it and ``folder``."""
    names = sorted(found, key=order)
    if only:
        wanted = [w.strip() for w in only.split(",") if w.strip()]
        unknown = [w for w in wanted if w not in found]
        if unknown:
            raise SystemExit(f"unknown instances in --only: {', '.join(unknown)} (folder {folder})")
        names = [n for n in names if n in wanted]
    return [found[n] for n in names]


def read_bks(folder: Path) -> dict[str, float]:
    """Best known costs from ``folder/bks.csv`` (columns ``instance`` and ``bks``; empty when the
    file is missing)."""
    path = folder / "bks.csv"
    if not path.exists():
        return {}
    with path.open(newline="") as f:
        return {r["instance"]: float(r["bks"]) for r in csv.DictReader(f) if r.get("bks")}


def signed_pct(gap: float) -> str:
    """A gap in per cent as the tables and logs write it: ``+0.74 %`` (never ``-0.00 %``)."""
    return f"{round(gap, 2) + 0.0:+.2f} %"
