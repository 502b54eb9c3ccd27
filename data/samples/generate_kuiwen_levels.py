"""Generate ``kuiwen-levels``: the Kuiwen sample with three-level visits (三级拜访) on a four-week cycle.

Writes ``data/samples/kuiwen-levels/`` with the customers and districts of ``data/samples/kuiwen``
(generated anew with the same seed), its twelve customer managers plus the special customer
service department's market manager and the department head, and a ``scenario.toml`` with a
20-day cycle and visit levels (file contract section 5). Run from the repository root::

    python data/samples/generate_kuiwen_levels.py [--seed 20261129] [--out data/samples/kuiwen-levels]

The output depends only on the seed; two runs give byte-identical files. Invented data.

Assumptions
-----------
Cycle
    Four working weeks (20 days, Mon-1 .. Fri-4): the department head visits monthly, which a
    two-week cycle cannot hold. The customer managers' own visits (level 0) keep the two-week
    sample's rhythm over four weeks: large, medium and small customers 4 visits at least 4 days
    apart (weekly), night customers 2 visits at least 7 days apart (fortnightly); same time on
    site and opening hours.
The special customer service department (大客户服务部)
    The large and night customers' own managers, A1 and B1, are its two customer managers; its
    market manager M1 (role M, 08:30-17:30) visits every large customer twice in four weeks
    (at least 7 days apart, 30 min) and every night customer once (20 min, 14:00-17:00: after
    lunch and before the evening trade, when hotels, restaurants and venues are all open).
The department head
    H1 (role H, 08:30-17:30, at most 6 visits a day beside the office work) visits every large
    customer once in the four weeks (30 min, 09:00-17:00).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "kuiwen-levels"
DAYS = [f"{day}-{week}" for week in (1, 2, 3, 4) for day in ("Mon", "Tue", "Wed", "Thu", "Fri")]
EXTRA_MANAGERS = (("M1", "M", "赵振华", "08:30", "17:30", ""), ("H1", "H", "钱国庆", "08:30", "17:30", "6"))
# The tiers' own rules over four weeks: (visits, min_gap) replacing the two-week sample's.
OWN_RULES = {"large": (4, 4), "night": (2, 7), "medium": (4, 4), "small": (4, 4)}
LEVELS = {
    "large": ('# Level 1: the market manager, twice in four weeks; level 2: the department head, monthly.\n'
              '[[tiers.large.levels]]\nname = "market manager"\nroles = ["M"]\nvisits = 2\nmin_gap = 7\n'
              'service_min = 30\n\n'
              '[[tiers.large.levels]]\nname = "department head"\nroles = ["H"]\nvisits = 1\nservice_min = 30\n'
              'window = ["09:00", "17:00"]\n'),
    "night": ('# Level 1: the market manager, once in four weeks, between lunch and the evening trade.\n'
              '[[tiers.night.levels]]\nname = "market manager"\nroles = ["M"]\nvisits = 1\nservice_min = 20\n'
              'window = ["14:00", "17:00"]\n'),
}


def levels_toml(toml: str) -> str:
    """The two-week sample's scenario.toml turned into the four-week three-level one."""
    two_weeks = "days = [" + ", ".join(f'"{d}-{w}"' for w in (1, 2) for d in ("Mon", "Tue", "Wed", "Thu", "Fri")) + "]"
    assert two_weeks in toml, "the sample's cycle changed: update this generator"
    toml = toml.replace(two_weeks, "days = [" + ", ".join(f'"{d}"' for d in DAYS) + "]")
    toml = toml.replace("# A two-week cycle of working days.",
                        "# A four-week cycle of working days (the head visits monthly).")
    toml = toml.replace('name = "kuiwen"', 'name = "kuiwen-levels"')
    toml = toml.replace("generate_kuiwen.py (seeded)", "generate_kuiwen_levels.py (seeded)")
    out = []
    tier = None
    for line in toml.split("\n"):
        if line.startswith("[tiers."):
            tier = line[len("[tiers."):-1]
        elif line.startswith("[") and tier is not None:
            tier = None
        new = line
        if tier is not None and line.startswith("visits = "):
            new = f"visits = {OWN_RULES[tier][0]}"
        elif tier is not None and line.startswith("min_gap = "):
            new = f"min_gap = {OWN_RULES[tier][1]}"
        elif tier is not None and line.startswith("roles = ") and tier in LEVELS:
            new = line + "\n\n" + LEVELS[tier].rstrip("\n")
        out.append(new)
    text = "\n".join(out)
    text = text.replace("assumption: twice per two-week cycle", "assumption: weekly (twice per two weeks)")
    text = text.replace("assumption: once per cycle, 15 min", "assumption: once per two weeks, 15 min")
    return text.replace("assumption: twice per cycle", "assumption: weekly (twice per two weeks)")


def generate(out: Path, seed: int) -> Path:
    """Write ``out`` (see the module docstring)."""
    sys.path.insert(0, str(HERE))  # the plain sample's generator, beside this one
    import generate_kuiwen as g  # noqa: PLC0415 - a script beside this one, not a package

    def write(stage: Path, rng: np.random.Generator) -> None:
        g.write_folder(stage, rng)
        # Without the sample's lunch: this sample's benchmark figures are of days without one.
        toml = (stage / "scenario.toml").read_text(encoding="utf-8").replace(g.LUNCH_TOML, "")
        (stage / "scenario.toml").write_text(levels_toml(toml), encoding="utf-8")
        with (stage / "managers.csv").open("a", encoding="utf-8", newline="") as handle:
            for manager_id, role, name, start, end, cap in EXTRA_MANAGERS:
                handle.write(f"{manager_id},{role},{name},,,,,{start},{end},{cap},\n")

    return g.generate(out, seed, write=write)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    out = generate(args.out, args.seed)
    print(f"wrote {out} (scenario.toml, customers.csv, managers.csv, districts.geojson; seed {args.seed})")


if __name__ == "__main__":
    main()
