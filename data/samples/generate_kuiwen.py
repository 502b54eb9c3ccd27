"""Generate the synthetic sample scenario ``kuiwen`` (Kuiwen District, Weifang).

Writes a complete scenario folder (``scenario.toml``, ``customers.csv``, ``managers.csv``,
``districts.geojson``) for 1,399 retail tobacco customers and 12 customer managers. The data are
invented: no real customer, shop or person is described. Run from the repository root::

    python data/samples/generate_kuiwen.py [--seed 20261129] [--out data/samples/kuiwen]

The output depends only on the seed (``numpy.random.default_rng``); two runs with the same seed
give byte-identical files. The folder is written to a temporary folder beside the target and then
moved into place, so a failed run never leaves half a folder.

Assumptions
-----------
Geography
    Only the rough shape of Kuiwen District is modelled: an irregular polygon of about
    18 km x 17 km (lon 119.09-119.30, lat 36.61-36.77). The ten sub-districts are a Voronoi
    partition of ten hand-placed seeds clipped to that outline; their placement is plausible
    (old town 东关/潍州路/广文 in the centre-west near the depot, 北苑 north-west, 大虞
    south-west, 梨园 centre, 廿里堡 north, 新城 and 北海路 east, 清池 south-east) but the
    boundaries are NOT the real administrative boundaries. Computations use a local
    equirectangular projection around the depot, which is accurate to well under 1 % here.
Streets
    A grid of straight streets about every 500 m in both directions, rotated by 6 degrees, each
    line shifted by up to 60 m and tilted by up to 0.4 degrees so that the map does not look
    machine-made. East-west streets are named ``...街``, north-south streets ``...路``. Every
    shop is snapped onto its nearest street and set back 12-30 m on either side; its address is
    the street name and a house number that grows eastwards / northwards (odd numbers on the
    north / east side, even numbers on the other).
Where customers are
    Each business type is a mixture of normal clusters around fixed centres and a "spread"
    component (anywhere in the district, thinning towards its edge); its customers are shared
    among the components in fixed proportions (see ``BUSINESS_TYPES``). Four commercial hot
    spots (old town near the depot, new city east, 梨园 centre, 北海路 east) hold most large and
    medium customers; a night-life cluster around (119.160, 36.710) holds most entertainment
    venues; hotels and restaurants sit in the hot spots and the night-life cluster; small
    customers sit in five residential areas or anywhere; gas stations are spread over the whole
    district. Large customers (all served by one manager) and night customers (all served by
    another) are deliberately kept within reach of the depot. The shares are tuned so that every
    sub-district carries a similar workload, except the old town (东关) and the new city (新城)
    with about twice as much. Any two customers are at least 30 m apart (haversine).
Customers
    Exact tier counts: 76 large, 120 night, 720 medium, 483 small (1,399). The mix of business
    types inside a tier is fixed (see ``BUSINESS_TYPES``). ``value`` is the monthly tobacco
    turnover in yuan, lognormal with a tier-specific median (large 65,000, medium 21,000, night
    16,000, small 7,500; see ``VALUE``). Visit rules come from the tiers;
    the only per-customer overrides are the time windows of hotels (11:30-19:30) and
    restaurants (14:00-17:00, between the lunch and dinner peaks); entertainment venues keep the
    tier window 14:00-20:00. No customer is locked to a manager.
Managers
    A1 (role A, large), B1 (role B, night, shift 11:30-20:00), C1-C6 (role C, medium) and
    D1-D4 (role D, small); all but B1 work 08:30-17:30 on every day of the cycle and start and
    end at the depot. Names are invented from common surnames and given names.
Current (pre-reform) assignment
    Before the reform each manager served all customers of one administrative sub-district,
    whatever their tier. A customer's workload is its visits x (service minutes + 6 minutes of
    assumed travel). The two spare managers (12 managers, 10 sub-districts) go one at a time to
    the sub-district with the highest workload per manager (D'Hondt); a sub-district with k
    managers is cut into k parts of equal workload by lines across its main axis. Manager ids
    are handed out in the order of ``DISTRICTS``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon, mapping
from shapely.geometry.polygon import orient

DEFAULT_SEED = 20261129
DEFAULT_OUT = Path(__file__).resolve().parent / "kuiwen"

DEPOT = (119.1314, 36.7090)
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON = 111.320 * math.cos(math.radians(DEPOT[1]))
MIN_SPACING_KM = 0.030

DAYS = ("Mon-1", "Tue-1", "Wed-1", "Thu-1", "Fri-1", "Mon-2", "Tue-2", "Wed-2", "Thu-2", "Fri-2")

# Irregular outline of the district (lon, lat), clockwise from the west.
OUTLINE = (
    (119.093, 36.676), (119.095, 36.702), (119.101, 36.735), (119.108, 36.762), (119.140, 36.768),
    (119.181, 36.765), (119.214, 36.761), (119.251, 36.767), (119.289, 36.757), (119.296, 36.719),
    (119.293, 36.681), (119.283, 36.641), (119.252, 36.615), (119.206, 36.619), (119.161, 36.613),
    (119.121, 36.620), (119.099, 36.645),
)

# Sub-districts: Chinese name, pinyin, Voronoi seed (lon, lat). Not the real boundaries.
DISTRICTS = (
    ("东关", "Dongguan", 119.147, 36.706),
    ("大虞", "Dayu", 119.130, 36.642),
    ("梨园", "Liyuan", 119.180, 36.697),
    ("廿里堡", "Nianlipu", 119.178, 36.748),
    ("潍州路", "Weizhoulu", 119.117, 36.721),
    ("北苑", "Beiyuan", 119.127, 36.750),
    ("广文", "Guangwen", 119.125, 36.688),
    ("新城", "Xincheng", 119.224, 36.729),
    ("清池", "Qingchi", 119.226, 36.648),
    ("北海路", "Beihailu", 119.266, 36.703),
)

# Tiers: visits per cycle, minimum gap in days, service minutes, time window, roles.
TIERS = {
    "large": dict(visits=2, min_gap=4, service_min=20, window=("08:30", "17:30"), roles=("A",)),
    "night": dict(visits=1, min_gap=0, service_min=15, window=("14:00", "20:00"), roles=("B",)),
    "medium": dict(visits=2, min_gap=4, service_min=12, window=("08:30", "17:30"), roles=("C",)),
    "small": dict(visits=2, min_gap=4, service_min=8, window=("08:30", "17:30"), roles=("D",)),
}

# Monthly tobacco turnover in yuan: lognormal (median, sigma of the log) per tier.
VALUE = {"large": (65000.0, 0.45), "night": (16000.0, 0.50), "medium": (21000.0, 0.45), "small": (7500.0, 0.55)}

# Per-customer window overrides by business type (start, end).
WINDOW_OVERRIDES = {"hotel": ("11:30", "19:30"), "restaurant": ("14:00", "17:00")}

# Where customers are drawn from: name -> (lon, lat, standard deviation in km).
HOT_SPOTS = {
    "old_town": (119.138, 36.713, 1.0),
    "new_city": (119.222, 36.719, 1.1),
    "liyuan": (119.181, 36.697, 0.8),
    "beihai": (119.261, 36.707, 0.8),
}
NIGHT_LIFE = {"night_life": (119.160, 36.710, 0.55)}
RESIDENTIAL = {
    "res_beiyuan": (119.124, 36.746, 1.3),
    "res_nianlipu": (119.180, 36.748, 1.5),
    "res_guangwen": (119.126, 36.688, 1.0),
    "res_dayu": (119.132, 36.648, 1.4),
    "res_qingchi": (119.226, 36.650, 1.5),
}
CENTRES = {**HOT_SPOTS, **NIGHT_LIFE, **RESIDENTIAL}
SPREAD = "spread"  # anywhere in the district, thinning towards the edge

# Shares inside each group, chosen so that the ten sub-districts carry similar workloads
# (the old town and the new city about twice as much, see ``assign_current_managers``).
_HOT = (("old_town", 0.436), ("new_city", 0.345), ("liyuan", 0.114), ("beihai", 0.105))
_NIGHT = (("night_life", 1.0),)
_RES = (("res_beiyuan", 0.268), ("res_nianlipu", 0.232), ("res_guangwen", 0.167), ("res_dayu", 0.191),
        ("res_qingchi", 0.142))
_SPREAD = ((SPREAD, 1.0),)


def _mix(*parts: tuple[tuple[tuple[str, float], ...], float]) -> tuple[tuple[str, float], ...]:
    """Combine weighted groups of components into one mixture of (component, weight)."""
    return tuple((name, w * share) for group, share in parts for name, w in group)


# Business types: (business_type, tier, number of customers, spatial mixture).
BUSINESS_TYPES = (
    ("supermarket", "large", 26, _mix((_HOT, 1.0))),
    ("chain_store", "large", 20, _mix((_HOT, 1.0))),
    ("tobacco_liquor_large", "large", 14, _mix((_HOT, 0.9), (_SPREAD, 0.1))),
    ("mall", "large", 8, _mix((_HOT, 1.0))),
    ("gas_station", "large", 8, _SPREAD),
    ("entertainment", "night", 66, _mix((_NIGHT, 0.85), (_HOT, 0.15))),
    ("hotel", "night", 28, _mix((_NIGHT, 0.4), (_HOT, 0.6))),
    ("restaurant", "night", 26, _mix((_NIGHT, 0.45), (_HOT, 0.55))),
    ("convenience_store", "medium", 300, _mix((_HOT, 0.55), (_RES, 0.35), (_SPREAD, 0.10))),
    ("small_supermarket", "medium", 250, _mix((_HOT, 0.45), (_RES, 0.45), (_SPREAD, 0.10))),
    ("tobacco_liquor", "medium", 170, _mix((_HOT, 0.65), (_RES, 0.25), (_SPREAD, 0.10))),
    ("grocery", "small", 280, _mix((_RES, 0.60), (_SPREAD, 0.35), (_HOT, 0.05))),
    ("part_time", "small", 130, _mix((_RES, 0.50), (_SPREAD, 0.40), (_HOT, 0.10))),
    ("newsstand", "small", 73, _mix((_RES, 0.40), (_SPREAD, 0.30), (_HOT, 0.30))),
)

# Managers: id, role, shift start, shift end.
MANAGERS = (
    ("A1", "A", "08:30", "17:30"),
    ("B1", "B", "11:30", "20:00"),
    *((f"C{i}", "C", "08:30", "17:30") for i in range(1, 7)),
    *((f"D{i}", "D", "08:30", "17:30") for i in range(1, 5)),
)
TRAVEL_ALLOWANCE_MIN = 6.0  # per visit, only to balance the pre-reform assignment

# Street grid.
STREET_SPACING_KM = 0.5
STREET_ROTATION_DEG = 6.0
STREET_SHIFT_KM = 0.06
STREET_TILT_DEG = 0.4
SETBACK_KM = (0.012, 0.030)

# Name fragments.
EW_STREETS = (
    "北宫东街", "樱前街", "福寿东街", "东风东街", "胜利东街", "健康东街", "民生东街", "卧龙东街", "玉清东街",
    "宝通东街", "金宝街", "梨园街", "安顺街", "长松街", "惠贤街", "丰华街", "北辰街", "银枫街", "潍阳街",
    "海安街", "怡园街", "华安街", "翠柳街", "荷塘街", "永康街", "和顺街", "晨光街", "泰祥街", "新安街",
    "友爱街", "广场街", "锦绣街", "春和街", "秋实街", "兴业街", "育才街", "光明街", "丽景街", "瑞祥街",
    "丰收街", "幸福街", "桃园街", "杏林街", "松园街", "竹园街", "云门街", "鹏程街", "嘉禾街", "鑫泰街",
)
NS_STREETS = (
    "潍州路", "青年路", "和平路", "四平路", "文化路", "新华路", "虞河路", "东方路", "鸢飞路", "北海路",
    "永安路", "清平路", "友谊路", "向阳路", "月河路", "金马路", "广文路", "奎文路", "潍县路", "高新路",
    "海龙路", "星河路", "华光路", "浮烟路", "银海路", "宝泉路", "崇文路", "志远路", "长安路", "福华路",
    "昌盛路", "恒安路", "曙光路", "民主路", "康乐路", "振兴路", "利民路", "泰山路", "丰源路", "凯旋路",
    "南苑路", "同心路", "建设路", "朝阳路", "富民路", "安居路", "华兴路", "汇泉路", "新城路",
)
SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "孙", "马", "郭", "于", "高", "韩", "郑",
    "曹", "徐", "宋", "邢", "谭", "丁", "袁", "魏", "崔", "秦", "田", "姜", "单",
)
GIVEN_NAMES = (
    "建国", "红梅", "志强", "海涛", "晓东", "丽娜", "俊杰", "秀英", "文博", "雪梅", "国庆", "振华", "立新",
    "春燕", "明辉", "玉兰", "宏伟", "静", "磊", "敏", "洋", "帆", "鹏", "婷婷", "雨欣", "浩然", "子涵",
)
WORDS = (
    "鑫源", "福来", "金鼎", "宏达", "永兴", "瑞丰", "顺发", "好运来", "天天", "惠民", "百姓", "万家", "康乐",
    "吉祥", "兴隆", "鸿运", "聚福", "恒通", "和顺", "家和", "佳美", "新盛", "东方", "阳光", "金星", "明珠",
    "盛世", "友谊", "如意", "旺达", "乐购", "华润", "金源", "德福", "广源", "众信", "益民", "福满多", "双喜",
    "金鑫", "润泽", "安康", "诚信", "久久", "一品", "鲁丰", "鸢都", "风筝", "白浪", "青松", "春华", "秋实",
    "恒昌", "同福", "利民", "嘉和", "宝丰", "红星", "富华", "祥和",
)
NAME_TEMPLATES = {
    "supermarket": ("华联超市({st}店)", "佳乐家超市({st}店)", "银座超市({st}店)", "利群超市({st}店)",
                    "家家悦超市({st}店)", "大润发({st}店)", "{w}购物广场"),
    "chain_store": ("统一银座便利({st}店)", "全家便利({st}店)", "罗森便利({st}店)", "鲁中连锁({st}店)",
                    "潍百连锁({st}店)", "万家福连锁({st}店)"),
    "tobacco_liquor_large": ("{w}名烟名酒", "{w}烟酒商行", "{s}氏烟酒批发部", "{w}烟酒总汇"),
    "mall": ("泰华城购物中心", "万达广场({st}店)", "新华百货({st}店)", "谷德广场", "鸢都商厦", "银座商城({st}店)",
             "中百大厦"),
    "gas_station": ("中国石化{st}加油站", "中国石油{st}加油站", "中化石油{st}加油站"),
    "entertainment": ("{w}KTV", "{w}量贩KTV", "{w}酒吧", "{w}网咖", "{w}足道", "{w}棋牌室", "{w}台球俱乐部",
                      "{w}娱乐会所"),
    "hotel": ("如家酒店({st}店)", "汉庭酒店({st}店)", "7天连锁酒店({st}店)", "锦江之星({st}店)", "{w}宾馆",
              "{w}大酒店", "{w}商务酒店"),
    "restaurant": ("{w}饭庄", "{s}记烧烤", "{w}酒楼", "{w}火锅", "{s}家菜馆", "{w}朝天锅"),
    "convenience_store": ("{w}便利店", "{w}便民店", "{w}24小时便利店", "{s}记便利店"),
    "small_supermarket": ("{w}超市", "{w}生活超市", "{s}家超市", "{w}便民超市"),
    "tobacco_liquor": ("{w}烟酒店", "{w}烟酒超市", "{s}记烟酒", "{w}烟酒行"),
    "grocery": ("{w}日杂店", "{s}记杂货铺", "{w}小卖部", "{w}副食店"),
    "part_time": ("{w}水果店", "{w}五金店", "{w}粮油店", "{w}茶叶店", "{w}彩票站", "{s}记干洗店"),
    "newsstand": ("{st}报刊亭", "{w}书报亭"),
}


@dataclass(frozen=True)
class Streets:
    """Straight street lines in the local km frame: points ``p`` with ``normal @ p == offset``.

    Attributes
    ----------
    normal : numpy.ndarray
        Unit normals, shape ``(n, 2)``.
    direction : numpy.ndarray
        Unit directions along the streets (pointing east or north), shape ``(n, 2)``.
    offset : numpy.ndarray
        Signed distances of the lines from the origin (the depot), shape ``(n,)``.
    start : numpy.ndarray
        Along-street coordinate where each street enters the district, shape ``(n,)``.
    names : tuple of str
        Street names.
    """

    normal: np.ndarray
    direction: np.ndarray
    offset: np.ndarray
    start: np.ndarray
    names: tuple[str, ...]


@dataclass(frozen=True)
class Site:
    """A placed customer location.

    Attributes
    ----------
    lon, lat : float
        WGS84 degrees, rounded to 6 decimals.
    x, y : float
        The same point in the local km frame.
    district : int
        Index into ``DISTRICTS``.
    street : int
        Index of the street the shop faces.
    number : int
        House number on that street.
    """

    lon: float
    lat: float
    x: float
    y: float
    district: int
    street: int
    number: int


def to_km(lon, lat):
    """Project WGS84 degrees to the local km frame centred on the depot.

    Parameters
    ----------
    lon, lat : float or array_like
        Degrees.

    Returns
    -------
    tuple
        ``(x, y)`` in km east and north of the depot.
    """
    return ((np.asarray(lon, dtype=float) - DEPOT[0]) * KM_PER_DEG_LON,
            (np.asarray(lat, dtype=float) - DEPOT[1]) * KM_PER_DEG_LAT)


def to_lonlat(x, y):
    """Inverse of :func:`to_km`.

    Parameters
    ----------
    x, y : float or array_like
        km east and north of the depot.

    Returns
    -------
    tuple
        ``(lon, lat)`` in degrees.
    """
    return (DEPOT[0] + np.asarray(x, dtype=float) / KM_PER_DEG_LON,
            DEPOT[1] + np.asarray(y, dtype=float) / KM_PER_DEG_LAT)


def haversine_km(lon1, lat1, lon2, lat2):
    """Great-circle distance in km (broadcasting over arrays of degrees)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def polygon_to_km(coords) -> Polygon:
    """Build a polygon in the km frame from ``(lon, lat)`` vertices."""
    lon, lat = np.asarray(coords, dtype=float).T
    return Polygon(np.column_stack(to_km(lon, lat)))


def polygon_to_lonlat(polygon: Polygon) -> Polygon:
    """Convert a km-frame polygon to WGS84 with vertices rounded to 6 decimals, oriented CCW."""
    x, y = np.asarray(polygon.exterior.coords).T
    lon, lat = to_lonlat(x, y)
    ring = np.column_stack([np.round(lon, 6), np.round(lat, 6)])
    return orient(Polygon(ring), sign=1.0)


def build_districts(outline: Polygon) -> list[Polygon]:
    """Voronoi partition of the ``DISTRICTS`` seeds clipped to the outline.

    Parameters
    ----------
    outline : shapely.geometry.Polygon
        District outline in the km frame.

    Returns
    -------
    list of shapely.geometry.Polygon
        One WGS84 polygon per entry of ``DISTRICTS`` (same order), vertices rounded to 6 decimals.
    """
    seeds = [Point(*to_km(lon, lat)) for _, _, lon, lat in DISTRICTS]
    envelope = outline.buffer(10.0).envelope
    cells = list(shapely.voronoi_polygons(MultiPoint(seeds), extend_to=envelope).geoms)
    polygons = []
    for (zh, _, _, _), seed in zip(DISTRICTS, seeds, strict=True):
        cell = next(c for c in cells if c.contains(seed))
        part = cell.intersection(outline)
        if part.geom_type != "Polygon":
            raise RuntimeError(f"sub-district {zh} is not a single polygon")
        polygons.append(polygon_to_lonlat(part))
    return polygons


def build_streets(outline: Polygon, rng: np.random.Generator) -> Streets:
    """Lay a jittered, slightly rotated street grid over the district and name the streets.

    Parameters
    ----------
    outline : shapely.geometry.Polygon
        District outline in the km frame.
    rng : numpy.random.Generator
        Random source.

    Returns
    -------
    Streets
        The streets that cross the district.
    """
    reach = outline.buffer(0.1)
    half = max(abs(v) for v in outline.buffer(1.0).bounds) * 1.5
    normals, directions, offsets, starts, names = [], [], [], [], []
    for kind, pool in (("ew", EW_STREETS), ("ns", NS_STREETS)):
        base = math.radians(STREET_ROTATION_DEG) + (math.pi / 2 if kind == "ew" else 0.0)
        steps = np.arange(-half, half + STREET_SPACING_KM, STREET_SPACING_KM)
        angles = base + np.radians(rng.uniform(-STREET_TILT_DEG, STREET_TILT_DEG, steps.size))
        shifts = steps + rng.uniform(-STREET_SHIFT_KM, STREET_SHIFT_KM, steps.size)
        kept = []
        for angle, shift in zip(angles, shifts, strict=True):
            normal = np.array([math.cos(angle), math.sin(angle)])
            direction = np.array([normal[1], -normal[0]]) if kind == "ew" else np.array([-normal[1], normal[0]])
            centre = normal * shift
            segment = LineString([centre - direction * half, centre + direction * half]).intersection(reach)
            if segment.is_empty:
                continue
            along = np.asarray(shapely.get_coordinates(segment)) @ direction
            kept.append((normal, direction, shift, float(along.min())))
        if len(kept) > len(pool):
            raise RuntimeError(f"need {len(kept)} street names, have {len(pool)}")
        chosen = rng.choice(len(pool), size=len(kept), replace=False)
        for (normal, direction, shift, start), k in zip(kept, chosen, strict=True):
            normals.append(normal)
            directions.append(direction)
            offsets.append(shift)
            starts.append(start)
            names.append(pool[k])
    return Streets(np.array(normals), np.array(directions), np.array(offsets), np.array(starts), tuple(names))


def draw_raw_point(component: str, outline: Polygon, rng: np.random.Generator) -> np.ndarray:
    """Draw one unsnapped point (km frame) from a mixture component.

    Parameters
    ----------
    component : str
        A key of ``CENTRES`` (isotropic normal around the centre) or ``SPREAD`` (uniform over
        the outline, accepted with a probability that falls from 1 to 0.25 towards the edge).
    outline : shapely.geometry.Polygon
        District outline in the km frame.
    rng : numpy.random.Generator
        Random source.

    Returns
    -------
    numpy.ndarray
        ``[x, y]`` in km.
    """
    if component == SPREAD:
        xmin, ymin, xmax, ymax = outline.bounds
        while True:
            p = rng.uniform([xmin, ymin], [xmax, ymax])
            q = Point(p)
            if outline.contains(q) and rng.random() < min(1.0, 0.25 + outline.exterior.distance(q) / 3.0):
                return p
    lon, lat, sigma = CENTRES[component]
    return np.array(to_km(lon, lat)) + rng.normal(0.0, sigma, 2)


def snap_to_street(p: np.ndarray, streets: Streets, rng: np.random.Generator) -> tuple[np.ndarray, int, int]:
    """Move a point onto its nearest street, set back on a random side.

    Parameters
    ----------
    p : numpy.ndarray
        ``[x, y]`` in km.
    streets : Streets
        The street grid.
    rng : numpy.random.Generator
        Random source.

    Returns
    -------
    tuple
        The snapped point, the street index and the house number.
    """
    signed = streets.normal @ p - streets.offset
    k = int(np.argmin(np.abs(signed)))
    side = 1.0 if rng.random() < 0.5 else -1.0
    setback = rng.uniform(*SETBACK_KM)
    q = p - streets.normal[k] * (signed[k] - side * setback)
    along = float(q @ streets.direction[k]) - streets.start[k]
    # One number per 10 m; the north / east side (normals point north or east) gets the odd numbers.
    number = 2 * max(0, int(along / 0.02)) + (1 if side > 0 else 2)
    return q, k, number


def component_counts(mixture: tuple[tuple[str, float], ...], count: int) -> list[str]:
    """Share ``count`` customers among mixture components by largest remainder.

    Parameters
    ----------
    mixture : tuple of (str, float)
        Components and weights.
    count : int
        Number of customers.

    Returns
    -------
    list of str
        ``count`` component names, grouped by component.
    """
    weights = np.array([w for _, w in mixture], dtype=float)
    exact = weights / weights.sum() * count
    counts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - counts), kind="stable")[:count - counts.sum()]:
        counts[i] += 1
    return [name for (name, _), n in zip(mixture, counts, strict=True) for _ in range(n)]


def place_customers(districts: list[Polygon], outline: Polygon, streets: Streets,
                    rng: np.random.Generator) -> list[tuple[str, str, Site]]:
    """Place every customer of ``BUSINESS_TYPES`` on the street grid.

    The customers of a business type are shared among its mixture components in proportion to
    the weights (largest remainder), which keeps the workload per sub-district stable across
    seeds. A draw is rejected and redrawn from the same component when it falls outside every
    sub-district or closer than ``MIN_SPACING_KM`` to an already placed customer.

    Parameters
    ----------
    districts : list of shapely.geometry.Polygon
        WGS84 sub-district polygons, in ``DISTRICTS`` order.
    outline : shapely.geometry.Polygon
        District outline in the km frame.
    streets : Streets
        The street grid.
    rng : numpy.random.Generator
        Random source.

    Returns
    -------
    list of tuple
        ``(tier, business_type, site)`` in ``BUSINESS_TYPES`` order.
    """
    inner = outline.buffer(-0.05)
    total = sum(count for _, _, count, _ in BUSINESS_TYPES)
    lons = np.empty(total)
    lats = np.empty(total)
    placed: list[tuple[str, str, Site]] = []
    for business_type, tier, count, mixture in BUSINESS_TYPES:
        for component in rng.permutation(component_counts(mixture, count)):
            for _attempt in range(10000):
                raw = draw_raw_point(component, outline, rng)
                if not inner.contains(Point(raw)):
                    continue
                q, street, number = snap_to_street(raw, streets, rng)
                lon, lat = (round(float(v), 6) for v in to_lonlat(*q))
                district = next((i for i, poly in enumerate(districts) if shapely.contains_xy(poly, lon, lat)), None)
                if district is None:
                    continue
                n = len(placed)
                if n and haversine_km(lons[:n], lats[:n], lon, lat).min() < MIN_SPACING_KM:
                    continue
                break
            else:
                raise RuntimeError(f"could not place a {business_type} customer")
            x, y = (float(v) for v in to_km(lon, lat))
            lons[len(placed)], lats[len(placed)] = lon, lat
            placed.append((tier, business_type, Site(lon, lat, x, y, district, street, number)))
    return placed


def shop_name(business_type: str, street: str, used: set[str], rng: np.random.Generator) -> str:
    """Invent a shop name from ``NAME_TEMPLATES``, unique within the scenario.

    A name already taken gets the street as a branch, ``"...(东风东街店)"``; if that is taken
    too, a new name is drawn.

    Parameters
    ----------
    business_type : str
        Key of ``NAME_TEMPLATES``.
    street : str
        The street the shop faces.
    used : set of str
        Names already given; the new name is added.
    rng : numpy.random.Generator
        Random source.

    Returns
    -------
    str
        The name.
    """
    templates = NAME_TEMPLATES[business_type]
    for _ in range(1000):
        template = templates[rng.integers(len(templates))]
        name = template.format(w=WORDS[rng.integers(len(WORDS))], s=SURNAMES[rng.integers(len(SURNAMES))],
                               st=street)
        if name in used and "{st}" not in template:
            name = f"{name}({street}店)"
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError(f"ran out of names for {business_type}")


def monthly_value(tier: str, rng: np.random.Generator) -> int:
    """Draw a monthly tobacco turnover in yuan (lognormal, see ``VALUE``)."""
    median, sigma = VALUE[tier]
    return round(median * math.exp(sigma * rng.standard_normal()))


def assign_current_managers(xy: np.ndarray, district: np.ndarray, workload: np.ndarray) -> list[str]:
    """Pre-reform assignment: whole sub-districts to managers, the busiest split by lines.

    Parameters
    ----------
    xy : numpy.ndarray
        Customer positions in the km frame, shape ``(n, 2)``.
    district : numpy.ndarray
        Sub-district index per customer, shape ``(n,)``.
    workload : numpy.ndarray
        Minutes per cycle per customer, shape ``(n,)``.

    Returns
    -------
    list of str
        Manager id per customer.
    """
    manager_ids = [m[0] for m in MANAGERS]
    totals = np.bincount(district, weights=workload, minlength=len(DISTRICTS))
    shares = np.ones(len(DISTRICTS), dtype=int)
    for _ in range(len(manager_ids) - len(DISTRICTS)):
        shares[int(np.argmax(totals / shares))] += 1
    result = [""] * len(xy)
    ids = iter(manager_ids)
    for d in range(len(DISTRICTS)):
        members = np.flatnonzero(district == d)
        groups = [members]
        if shares[d] > 1:
            centred = xy[members] - xy[members].mean(axis=0)
            axis = np.linalg.svd(centred, full_matrices=False)[2][0]
            axis = axis if axis[0] + axis[1] >= 0 else -axis
            order = members[np.argsort(centred @ axis, kind="stable")]
            cumulative = np.cumsum(workload[order])
            cuts = [int(np.searchsorted(cumulative, cumulative[-1] * j / shares[d])) for j in range(1, shares[d])]
            groups = np.split(order, cuts)
        for group in groups:
            manager = next(ids)
            for i in group:
                result[i] = manager
    return result


def manager_names(rng: np.random.Generator) -> list[str]:
    """Invent personal names for the managers (no given name used twice)."""
    given = rng.choice(len(GIVEN_NAMES), size=len(MANAGERS), replace=False)
    return [SURNAMES[rng.integers(len(SURNAMES))] + GIVEN_NAMES[g] for g in given]


def scenario_toml() -> str:
    """Text of ``scenario.toml``, with the assumptions as comments."""
    q = json.dumps
    business_types = [(bt, tier) for bt, tier, _, _ in BUSINESS_TYPES]
    comments = {
        "large": "# Large stores (supermarkets, malls, chains, big tobacco & liquor shops, gas stations):\n"
                 "# assumption: twice per two-week cycle, at least 4 days apart, 20 min, business hours.",
        "night": "# Night trade (entertainment, hotels, restaurants): assumption: once per cycle, 15 min,\n"
                 "# entertainment venues open 14:00-20:00; hotels and restaurants override the window in\n"
                 "# customers.csv (hotels 11:30-19:30, restaurants 14:00-17:00 between the meal peaks).",
        "medium": "# Medium shops (small supermarkets, convenience stores, tobacco & liquor shops):\n"
                  "# assumption: twice per cycle, at least 4 days apart, 12 min.",
        "small": "# Small shops (groceries, part-time sellers, newsstands): assumption: twice per cycle,\n"
                 "# at least 4 days apart, 8 min.",
    }
    lines = [
        "# Sample scenario: synthetic retail tobacco customers of Kuiwen District, Weifang.",
        "# Generated by data/samples/generate_kuiwen.py (seeded); regenerate rather than edit.",
        "# Shops, names and sub-district boundaries are invented, not real data.",
        f"name = {q('kuiwen')}",
        "# A two-week cycle of working days.",
        "days = [" + ", ".join(q(d) for d in DAYS) + "]",
        "consistent = true",
        "",
        "# assumption: the tobacco company's Kuiwen marketing office; every manager starts and ends here.",
        "[depot]",
        f"lon = {DEPOT[0]:.4f}",
        f"lat = {DEPOT[1]:.4f}",
        "",
        "# assumption: straight-line distance x 1.3 for the street network, 20 km/h in town traffic.",
        "[travel]",
        'model = "haversine"',
        "speed_kmh = 20.0",
        "detour_factor = 1.3",
        "",
    ]
    for name, tier in TIERS.items():
        lines += [comments[name], f"[tiers.{name}]", f"visits = {tier['visits']}", f"min_gap = {tier['min_gap']}",
                  f"service_min = {tier['service_min']}",
                  f"window = [{q(tier['window'][0])}, {q(tier['window'][1])}]",
                  "roles = [" + ", ".join(q(r) for r in tier["roles"]) + "]", ""]
    lines += ["# Business type of a customer -> tier.", "[classification]"]
    lines += [f"{q(bt)} = {q(tier)}" for bt, tier in business_types]
    return "\n".join(lines) + "\n" + LUNCH_TOML


LUNCH_TOML = """
# assumption: a long lunch, as Shandong offices take it (about 12:00-13:30): 90 minutes starting
# between 11:30 and 12:30, at a shop, at the office before leaving or after coming back; B1's
# 11:30-20:00 shift takes it before the evening trade.
[breaks]
earliest = "11:30"
latest = "12:30"
minutes = 90
"""
"""The sample's lunch (scenario.toml's last table); the levels and roads samples leave it out."""


def write_folder(stage: Path, rng: np.random.Generator) -> None:
    """Generate the scenario and write its four files into ``stage``.

    Parameters
    ----------
    stage : pathlib.Path
        An existing empty folder.
    rng : numpy.random.Generator
        Random source.
    """
    outline = polygon_to_km(OUTLINE)
    districts = build_districts(outline)
    streets = build_streets(outline, rng)
    placed = place_customers(districts, outline, streets, rng)

    xy = np.array([[site.x, site.y] for _, _, site in placed])
    district = np.array([site.district for _, _, site in placed])
    workload = np.array([TIERS[tier]["visits"] * (TIERS[tier]["service_min"] + TRAVEL_ALLOWANCE_MIN)
                         for tier, _, _ in placed])
    current = assign_current_managers(xy, district, workload)

    used: set[str] = set()
    customer_rows = []
    for i, ((tier, business_type, site), manager) in enumerate(zip(placed, current, strict=True), start=1):
        street = streets.names[site.street]
        window_start, window_end = WINDOW_OVERRIDES.get(business_type, ("", ""))
        customer_rows.append([
            f"KW{i:04d}", shop_name(business_type, street, used, rng), f"{street}{site.number}号",
            f"{site.lon:.6f}", f"{site.lat:.6f}", tier, business_type, DISTRICTS[site.district][0],
            monthly_value(tier, rng), "", window_start, window_end, "", "", "", manager,
        ])
    with (stage / "customers.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["customer_id", "name", "address", "lon", "lat", "tier", "business_type", "district",
                         "value", "service_min", "window_start", "window_end", "visits", "min_gap",
                         "locked_manager", "current_manager"])
        writer.writerows(customer_rows)

    with (stage / "managers.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["manager_id", "role", "name", "start_lon", "start_lat", "end_lon", "end_lat",
                         "shift_start", "shift_end", "max_visits", "days"])
        for (manager_id, role, start, end), name in zip(MANAGERS, manager_names(rng), strict=True):
            writer.writerow([manager_id, role, name, "", "", "", "", start, end, "", ""])

    features = [{"type": "Feature", "properties": {"district": zh, "name_en": en}, "geometry": mapping(polygon)}
                for (zh, en, _, _), polygon in zip(DISTRICTS, districts, strict=True)]
    geojson = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    (stage / "districts.geojson").write_text(geojson + "\n", encoding="utf-8")
    (stage / "scenario.toml").write_text(scenario_toml(), encoding="utf-8")


def generate(out: Path, seed: int = DEFAULT_SEED, write=None) -> Path:
    """Write the scenario folder ``out``, replacing any previous one only once complete.

    Parameters
    ----------
    out : pathlib.Path
        Target folder.
    seed : int
        Seed of ``numpy.random.default_rng``.
    write : callable, optional
        What writes the folder's files, ``write(stage, rng)`` (default :func:`write_folder`;
        ``generate_kuiwen_roads.py`` adds its street network).

    Returns
    -------
    pathlib.Path
        The resolved target folder.
    """
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        (write or write_folder)(stage, np.random.default_rng(seed))
        stage.chmod(0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            old.rmdir()
            out.rename(old)
            stage.rename(out)
            shutil.rmtree(old)
        else:
            stage.rename(out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return out


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output folder (default: kuiwen/ beside this script, i.e. data/samples/kuiwen)")
    args = parser.parse_args(argv)
    out = generate(args.out, args.seed)
    print(f"wrote {out} (scenario.toml, customers.csv, managers.csv, districts.geojson; seed {args.seed})")


if __name__ == "__main__":
    main()
