"""Generate ``reykjavik``: real shops, venues and streets of Reykjavík's capital area.

Writes ``data/samples/reykjavik/`` with ``routeplan osm`` (:func:`routeplan.scenario_from_osm`)
from the OpenStreetMap extract of Iceland that the gostnets 1.2.1 source archive on PyPI ships
(``docs/tutorials/tutorial_data/iceland-latest.osm.pbf``), cut to the capital area
(Höfuðborgarsvæðið: Reykjavík, Seltjarnarnes, Kópavogur, Garðabær, Hafnarfjörður, Mosfellsbær).
Fetch the archive once, then run from the repository root::

    pip download --no-deps --no-binary :all: gostnets==1.2.1 -d DOWNLOADS
    python data/samples/generate_reykjavik.py DOWNLOADS/gostnets-1.2.1.tar.gz [--out data/samples/reykjavik]

(the path of the extracted ``.osm.pbf`` works too). Nothing is downloaded by the script, and
nothing in it is drawn at random: the folder depends only on the extract and :data:`CAPITAL_AREA`
(two runs give byte-identical files; there is no seed to give). The folder is written to a
temporary folder beside the target and then moved into place, so a failed run never leaves half
a folder.

What it holds
-------------
Customers
    Every shop and venue of the box whose ``shop``, ``amenity`` or ``tourism`` value is a
    business type of ``routeplan osm`` (``routeplan/io/osm_tags.py``): supermarkets, malls and
    fuel stations (large, role A), bars, pubs, restaurants, cafes, fast food and lodging (night,
    role B), convenience, drink and food shops (medium, role C), kiosks, gift and book shops
    (small, role D); the tiers' rules are the Kuiwen sample's.
Streets
    ``roads.osm.pbf``: the extract's driven streets within 1 km of the box, with the tags the
    road rules read.
Managers
    As many per role as bring ``routeplan check`` to about 75 % of their shifts.

Map data © OpenStreetMap contributors, available under the Open Database License (ODbL) 1.0
(https://www.openstreetmap.org/copyright); the folder is a derived database under the same
licence (its README.md says so).
"""

from __future__ import annotations

import argparse
import shutil
import tarfile
import tempfile
from pathlib import Path

from routeplan import scenario_from_osm
from routeplan.io.staging import staged_folder

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "reykjavik"
MEMBER = "gostnets-1.2.1/docs/tutorials/tutorial_data/iceland-latest.osm.pbf"
CAPITAL_AREA = (-22.05, 63.98, -21.55, 64.20)
"""West, south, east, north: Reykjavík's capital area (with Seltjarnarnes, Álftanes and Mosfellsbær)."""

README = """\
# reykjavik: real shops, venues and streets of Reykjavík's capital area

A scenario made by `routeplan osm` from OpenStreetMap data by
`data/samples/generate_reykjavik.py` (regenerate rather than edit):

    pip download --no-deps --no-binary :all: gostnets==1.2.1 -d DOWNLOADS
    python data/samples/generate_reykjavik.py DOWNLOADS/gostnets-1.2.1.tar.gz

- `customers.csv`: every shop and venue inside the box W,S,E,N = {box} whose OpenStreetMap
  `shop`, `amenity` or `tourism` value is a business type of `[classification]` in
  `scenario.toml` (ids `n<id>` for nodes, `w<id>` for ways; name and address from the tags).
  The `tier` column is empty: `[classification]` decides.
- `roads.osm.pbf`: the driven streets within 1 km of the box (travel model `road`).
- `managers.csv`: managers per role sized by `routeplan check` to about 75 % of their shifts;
  tiers, roles and visit rules are those of the Kuiwen sample (an assumption: the shops are
  real, the department visiting them is not).

## Licence and attribution

Map data © OpenStreetMap contributors, available under the Open Database License (ODbL) 1.0:
<https://www.openstreetmap.org/copyright>. `customers.csv` and `roads.osm.pbf` are derived from
the extract of Iceland (`iceland-latest.osm.pbf`) that the gostnets 1.2.1 source archive on PyPI
ships, and are available under the same licence (ODbL 1.0,
<https://opendatacommons.org/licenses/odbl/1-0/>).
"""


def extract_from(source: Path, scratch: Path) -> Path:
    """The Iceland extract: ``source`` itself if it is a ``.pbf``, else taken out of the gostnets
    source archive into ``scratch``."""
    if source.name.endswith(".pbf"):
        return source
    with tarfile.open(source) as archive:
        member = archive.getmember(MEMBER)
        stream = archive.extractfile(member)
        if stream is None:
            raise SystemExit(f"{source}: {MEMBER} is not a file")
        target = scratch / "iceland-latest.osm.pbf"
        with stream, target.open("wb") as out:
            shutil.copyfileobj(stream, out)
    return target


def generate(source: Path, out: Path) -> Path:
    """Write the sample folder ``out`` (replacing it only once complete)."""
    with tempfile.TemporaryDirectory(prefix="reykjavik-") as scratch, \
            staged_folder(out, marker="scenario.toml") as stage:
        extract = extract_from(source, Path(scratch))
        scenario_from_osm(extract, stage, bbox=CAPITAL_AREA, name="reykjavik")
        box = ",".join(f"{v:g}" for v in CAPITAL_AREA)
        (stage / "README.md").write_text(README.format(box=box), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="gostnets-1.2.1.tar.gz, or the iceland-latest.osm.pbf it holds")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    out = generate(args.source, args.out)
    print(f"wrote {out} (scenario.toml, customers.csv, managers.csv, roads.osm.pbf, README.md); "
          f"map data © OpenStreetMap contributors, ODbL 1.0")


if __name__ == "__main__":
    main()
