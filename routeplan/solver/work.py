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
    61 instances, 3 s each, polishing off; fitted over measured time 0.81 to 1.11 between the
    5th and 95th percentile, 0.66 to 1.16 in all, median 0.99). ``swept`` and ``saved`` were
    counted with ``scanned`` and ``copied`` when the weights were fitted, and keep their weights
    (so that the budgets are unchanged); ``benchmarks/calibrate.py --full`` fits them apart
    (benchmarks/README.md, "The work budget and its calibration")."""

    scanned: float = 56.03
    positions: float = 31.09
    pairs: float = 367.6
    built: float = 23.05
    copied: float = 14.54
    swept: float = 56.03
    saved: float = 14.54
    construction_positions: float = 23.74
    construction_options: float = 4.565
    pyvrp_call: float = 1.00e6  # building PyVRP's model and its first solution
    pyvrp_iteration: float = 0.0
    pyvrp_iteration_visit: float = 6459.0  # per iteration and visit of the routes polished

    def chunk(self, chunk: Chunk) -> float:
        """Work units of a chunk of search steps."""
        return (self.scanned * chunk.scanned + self.positions * chunk.positions + self.pairs * chunk.pairs
                + self.built * chunk.built + self.copied * chunk.copied + self.swept * chunk.swept
                + self.saved * chunk.saved)

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

UNITS_PER_SECOND = 7.5e8
"""Work units a time limit buys per second. A unit is a reference nanosecond, so 1e9 would
spend the whole limit on an instance the weights price exactly; at 7.5e8 the budget ends before
the clock on the 59 of the 61 calibration instances that the weights price at 0.75 of their
time or more, and a run typically ends at 70 to 95% of its limit. (At 8e8 a 2,000-customer
scenario ended on the clock at 98.7% of its budget, at 30 and 60 s.)"""
