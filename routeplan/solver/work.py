"""What the search's work costs: the kernels count what they do, and these weights turn the
counts into *work units*, nanoseconds on the reference machine.

A search that stops after a number of work units stops at the same step on any machine, so
it is repeatable; a time limit becomes such a budget through :data:`UNITS_PER_SECOND`. The
weights are fitted by ``benchmarks/calibrate.py`` (non-negative least squares over many
instances of many sizes, each run's relative error weighing the same).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from .kernels.anneal import Chunk


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkWeights:
    """Nanoseconds per count on the reference machine (``benchmarks/calibrate.py``, 2026-12-02:
    61 instances, 3 s each, polishing off; fitted over measured time 0.72 to 1.24 between the
    5th and 95th percentile, median 0.93)."""

    scanned: float = 117.2
    positions: float = 1.744
    options: float = 52.65
    pairs: float = 404.8
    built: float = 26.80
    copied: float = 11.86
    construction_positions: float = 29.02
    construction_options: float = 2.779
    pyvrp_call: float = 9.07e5  # building PyVRP's model and its first solution
    pyvrp_iteration: float = 0.0
    pyvrp_iteration_visit: float = 6461.0  # per iteration and visit of the routes polished

    def chunk(self, chunk: Chunk) -> float:
        """Work units of a chunk of search steps."""
        return (self.scanned * chunk.scanned + self.positions * chunk.positions + self.options * chunk.options
                + self.pairs * chunk.pairs + self.built * chunk.built + self.copied * chunk.copied)

    def construction(self, positions: int, options: int) -> float:
        """Work units of building a first solution."""
        return self.construction_positions * positions + self.construction_options * options

    def polish(self, iterations: int, visits: int) -> float:
        """Work units of one PyVRP call of ``iterations`` on routes holding ``visits``."""
        return self.pyvrp_call + iterations * (self.pyvrp_iteration + self.pyvrp_iteration_visit * visits)

    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self))


WEIGHTS = WorkWeights()
"""The weights in use (fitted on the reference machine; see the module docstring)."""

UNITS_PER_SECOND = 7.0e8
"""Work units a time limit buys per second. A unit is a reference nanosecond, so 1e9 would
spend the whole limit on an instance the weights price exactly; at 7e8 the budget ends before
the clock on 59 of the 61 calibration instances (those the weights price at 0.7 of their time
or more), and a run typically ends at 70 to 95% of its limit."""
