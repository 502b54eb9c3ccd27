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
    """Nanoseconds per count, on the reference machine."""

    steps: float = 9000.0
    scanned: float = 2.0
    positions: float = 30.0
    options: float = 20.0
    pairs: float = 800.0
    built: float = 100.0
    copied: float = 1.0
    construction_positions: float = 30.0
    construction_options: float = 20.0
    pyvrp_call: float = 1.5e6  # building PyVRP's model
    pyvrp_iteration: float = 2.0e5
    pyvrp_iteration_visit: float = 3.6e3  # per iteration and visit of the routes polished

    def chunk(self, chunk: Chunk) -> float:
        """Work units of a chunk of search steps."""
        return (self.steps * chunk.steps + self.scanned * chunk.scanned + self.positions * chunk.positions
                + self.options * chunk.options + self.pairs * chunk.pairs + self.built * chunk.built
                + self.copied * chunk.copied)

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

UNITS_PER_SECOND = 8.0e8
"""Work units a time limit buys per second. A unit is a reference nanosecond, so 1e9 would
spend the whole limit on an instance the weights price exactly; the rate is lower, so that the
budget ends before the clock on all but the most unusual instances."""
