"""How fast this machine does the search's work, measured once and kept beside the compiled kernels.

A time limit becomes a budget of work units (see :mod:`routeplan.solver.work`), so that where
a search stops does not depend on the clock. The units are nanoseconds of the reference machine;
a machine twice as slow would spend twice the limit on that budget, and the clock, not the
budget, would end its searches (a plan that may not repeat). So the first plan on a machine
measures its rate: a fixed, seeded search is timed a few times (after the kernels are compiled)
and the fastest run, over the units it counted, says how many reference nanoseconds this machine
does per second. The factor is rounded down to a step of :data:`RATE_STEP` (so that measuring
again on the same machine gives the same budget) and written to ``work-rate.json`` beside
numba's cache of the kernels (else under ``~/.cache/routeplan``), keyed by the machine: its
processor, cores, Python, numba and the kernels' source. Another machine, or changed kernels,
measure again.

``ROUTEPLAN_WORK_RATE`` sets the factor instead (``1`` the reference machine's rate): the same
budget on every machine, for comparisons across machines; ``ROUTEPLAN_WORK_RATE=measure``
measures again (say after a first plan made while the machine was busy) and keeps the new rate.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numba
import numpy as np

from .instance import Instance, Task, Vehicle
from .kernels.anneal import run_chunk
from .lns import from_scratch, warm_up
from .stop import MaxIterations
from .work import UNITS_PER_SECOND, WEIGHTS

logger = logging.getLogger(__name__)

RATE_ENV = "ROUTEPLAN_WORK_RATE"
"""Environment variable that sets the machine's rate factor (1: the reference machine)."""
RATE_FILE = "work-rate.json"
RATE_STEP = 1.05
"""The factor is rounded down to a power of this (5% steps), so that a second measurement on the
same machine, a percent or two off the first, gives the same budget."""
MEASURE_RUNS = 5
MEASURE_ITERATIONS = 600
REFERENCE_UNITS_PER_NS = 1.45
"""Work units per nanosecond of the measuring search on the reference machine (this project's
machine, 2 cores, AMD EPYC, idle, 2026-12-07: the fastest of five runs, 1.43 to 1.47 in eight
measurements). Its work is priced by the weights fitted over
many instances, so it need not be 1: what matters is this machine against that one on the same
search."""
MIN_FACTOR, MAX_FACTOR = 0.1, 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkRate:
    """The work a second of time limit buys on this machine.

    ``factor`` is this machine's speed over the reference machine's (rounded down to a step of
    :data:`RATE_STEP`), ``units_per_second`` the budget per second of search
    (:data:`~routeplan.solver.work.UNITS_PER_SECOND` times the factor), ``source`` where it came
    from (``"measured"``, ``"cached"``, ``"environment"``), ``machine`` the key it was measured
    under and ``measured_on`` when."""

    factor: float
    units_per_second: float
    source: str
    machine: str
    measured_on: str = ""

    def to_dict(self) -> dict[str, object]:
        """The figures written to summary.json."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


class _Known:
    rate: WorkRate | None = None


def machine_rate(*, refresh: bool = False) -> WorkRate:
    """This machine's :class:`WorkRate`: from ``ROUTEPLAN_WORK_RATE``, else from the cache (once
    per process), else measured (about a second, after the kernels are compiled) and cached.
    ``refresh`` measures again."""
    override = os.environ.get(RATE_ENV, "").strip()
    if override == "measure":
        refresh = True
    elif override:
        return _from_environment(override)
    if _Known.rate is not None and not refresh:
        return _Known.rate
    key = machine_key()
    cached = None if refresh else _read_cache(key)
    if cached is not None:
        _Known.rate = cached
        return cached
    factor = _rounded(measure_factor())
    rate = WorkRate(factor=factor, units_per_second=UNITS_PER_SECOND * factor, source="measured", machine=key,
                    measured_on=time.strftime("%Y-%m-%d"))
    logger.info("this machine does the search's work at %.2f times the reference rate (measured once, kept in %s)",
                factor, _cache_file() or "memory")
    _write_cache(rate)
    _Known.rate = replace_source(rate, "cached")
    return rate


def replace_source(rate: WorkRate, source: str) -> WorkRate:
    return WorkRate(**{**asdict(rate), "source": source})


def _from_environment(value: str) -> WorkRate:
    try:
        factor = float(value)
    except ValueError:
        factor = math.nan
    if not (MIN_FACTOR <= factor <= MAX_FACTOR):
        logger.warning("%s=%r is not a rate factor between %g and %g; using 1 (the reference machine)", RATE_ENV,
                       value, MIN_FACTOR, MAX_FACTOR)
        factor = 1.0
    return WorkRate(factor=factor, units_per_second=UNITS_PER_SECOND * factor, source="environment",
                    machine=machine_key())


def _rounded(factor: float) -> float:
    """``factor`` rounded to the nearest power of :data:`RATE_STEP`, within the bounds."""
    factor = min(MAX_FACTOR, max(MIN_FACTOR, factor))
    return round(RATE_STEP ** round(math.log(factor) / math.log(RATE_STEP)), 4)


def machine_key() -> str:
    """What the rate depends on: processor, cores, Python, numba, the work weights and the
    kernels' source (a short hash of them all, with the processor's name readable)."""
    kernels = Path(__file__).parent / "kernels"
    source = hashlib.sha256()
    for path in sorted(kernels.glob("*.py")):
        with contextlib.suppress(OSError):
            source.update(path.read_bytes())
    source.update(json.dumps(asdict(WEIGHTS), sort_keys=True).encode())
    cpu = _processor()
    parts = [cpu, str(os.cpu_count()), platform.machine(), sys.version.split()[0], numba.__version__,
             source.hexdigest()]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
    return f"{cpu}, {os.cpu_count()} cores, {digest}"


def _processor() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown processor"


def measure_factor() -> float:
    """Time a fixed, seeded search :data:`MEASURE_RUNS` times (after one run that warms the
    caches) and return the fastest run's work units per nanosecond over the reference machine's
    (:data:`REFERENCE_UNITS_PER_NS`): 1 is as fast as the reference machine. The fastest run is
    the machine's own speed, the others what else it was doing."""
    warm_up()
    inst = _measuring_instance()
    best = 0.0
    for run in range(MEASURE_RUNS + 1):
        search = from_scratch(inst, seed=0)
        before = search.work
        started = time.perf_counter()
        outcome = search.run(MaxIterations(MEASURE_ITERATIONS), polish=False)
        seconds = time.perf_counter() - started
        if seconds > 0 and run > 0:
            best = max(best, (outcome.work - before) / (seconds * 1e9))
    return best / REFERENCE_UNITS_PER_NS if best > 0 else 1.0


def _measuring_instance() -> Instance:
    """A seeded instance like a department's part: 300 customers twice in ten days, six managers
    with shifts and windows, on straight lines."""
    rng = np.random.default_rng(2026)
    n = 300
    xy = np.vstack([[0.0, 0.0], rng.normal(0.0, 3.0, size=(n, 2))])
    km = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1]) * 1.3
    seconds = np.ceil(km / 20.0 * 3600.0)
    patterns = tuple((d, e) for d in range(10) for e in range(d + 4, min(10, d + 7)) if (d + 10 - e) >= 4)
    tasks = tuple(Task(node=i + 1, service=600.0, earliest=30600.0, latest=63000.0, patterns=patterns,
                       owners=tuple(range(6))) for i in range(n))
    vehicles = tuple(Vehicle(day=d, owner=o, start=0, end=0, earliest=30600.0, latest=63000.0)
                     for o in range(6) for d in range(10))
    return Instance(num_days=10, num_owners=6, dist=km, time=seconds, vehicles=vehicles, tasks=tasks,
                    consistent=True, distance_cost=0.0, time_cost=1.0, balance_groups=(tuple(range(6)),),
                    balance_weight=0.5, balance_tolerance=0.09, balance_floor=3240.0, day_balance_weight=0.2,
                    day_balance_tolerance=0.315, day_balance_floor=1620.0, compactness_weight=0.1)


def _cache_file() -> Path | None:
    """Beside numba's cache of the search's kernels where that folder is writable, else under
    ``~/.cache/routeplan`` (None: nowhere to write)."""
    candidates = []
    with contextlib.suppress(AttributeError, TypeError):
        candidates.append(Path(run_chunk._cache.cache_path))  # type: ignore[attr-defined]
    candidates.append(Path.home() / ".cache" / "routeplan")
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder / RATE_FILE
        except OSError:
            continue
    return None


def _read_cache(key: str) -> WorkRate | None:
    path = _cache_file()
    if path is None or not path.is_file():
        return None
    try:
        entry = json.loads(path.read_text(encoding="utf-8")).get(key)
        if not isinstance(entry, dict):
            return None
        factor = float(entry["factor"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not MIN_FACTOR <= factor <= MAX_FACTOR:
        return None
    return WorkRate(factor=factor, units_per_second=UNITS_PER_SECOND * factor, source="cached", machine=key,
                    measured_on=str(entry.get("measured_on", "")))


def _write_cache(rate: WorkRate) -> None:
    path = _cache_file()
    if path is None:
        return
    try:
        known = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        if not isinstance(known, dict):
            known = {}
    except (OSError, ValueError):
        known = {}
    known[rate.machine] = {"factor": rate.factor, "measured_on": rate.measured_on}
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(known, indent=1, sort_keys=True), encoding="utf-8")
        temporary.replace(path)  # atomic: a concurrent reader sees the old file or the new one
    except OSError as error:
        logger.info("could not keep the work rate in %s (%s): it is measured again next time", path, error)
        with contextlib.suppress(OSError):
            temporary.unlink()
