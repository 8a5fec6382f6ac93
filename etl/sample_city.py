"""The sample city 临江市: a seeded generator of every submission a bureau receives.

Four districts (two old urban, one new urban, one rural county), 32 streets/towns, about 400
communities/villages, 25 CHCs, 120 CHSs, 10 THCs and 30 village clinics, with standardization
histories, monthly services 2021-01..2026-10, staffing and inspections. Written in the forms
bureaus use: the registry as .xlsx with title rows, monthly reports as CSV by year (2022 in GBK,
periods spelled differently each year). For the province-size benchmarks, `scale` repeats the
city as further blocks of four districts and `density` packs each district with more, smaller
townships and more stations (`PROVINCE` is the shape the benchmarks use). Every story the pages tell is planted here on purpose:

- 新城区 is clearly behind on standardization; 城西区 is one center short of 90% in 2026;
- 城东区's 东关街道 center loses its standardization in 2025-06 and regains it in 2026-06;
- 新城区's 科创街道 center lags on most indicators and worsens over its last 6 months;
- 会展街道's second center opens 2023-07; a station closes at the end of 2024;
- outpatient visits spike at one center in 2025-03; newborn visits exceed births at one
  station in 2026-07; a station reports more records than residents in 2024-05;
- a few reports are late or missing, and October 2026 is not in yet for some stations;
- some rectifications from inspections are past their deadline.
"""
from __future__ import annotations

import csv
import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

from etl.coordinates import from_wgs84

FIRST_MONTH = date(2021, 1, 1)
LAST_MONTH = date(2026, 10, 1)
ASSESSMENT_DATES = [date(y, m, d) for y in range(2022, 2027) for (m, d) in ((6, 30), (12, 15))
                    if date(y, m, d) <= date(2026, 6, 30)]
STAR_DATES = [date(y, 12, 15) for y in range(2022, 2026)]
EXCEL_TIMESTAMP = datetime(2026, 11, 1, 9, 0, 0)
GENERATED_ON = date(2026, 11, 20)   # the sample's "today": nothing in it is dated later

STREET_NAMES = ["解放路", "和平", "文化路", "东关", "新华", "建设路", "人民路", "胜利", "西关",
                "青年路", "光明", "朝阳", "振兴", "金桥", "高新", "滨河", "会展", "科创", "湖西",
                "双龙", "北园", "南苑", "泉城路", "大明湖", "千佛山", "舜耕", "燕山", "历山",
                "趵突泉", "洪楼", "姚家", "王舍人"]
TOWN_NAMES = ["青山", "石门", "柳林", "白马", "龙泉", "桃园", "清河", "马庄", "王集", "大石桥",
              "孙村", "埠村", "仲宫", "柳埠", "西营", "董家"]
COMMUNITY_WORDS = ["幸福", "和谐", "阳光", "锦绣", "花园", "书香", "滨河", "翠苑", "金色", "怡景",
                   "康乐", "明珠", "丽景", "紫荆", "梧桐", "枫林", "春晖", "东城", "西苑", "南湖",
                   "北辰", "新村", "泉景", "星河", "玉兰", "海棠", "荷花", "民生"]
SURNAMES = ["张", "王", "李", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱",
            "胡", "郭", "何", "高", "林", "罗", "梁", "宋", "郑", "谢", "韩", "唐"]
VILLAGE_SUFFIX = ["庄", "家村", "屯", "店", "营", "集", "洼", "湾", "家庄", "楼"]
INSPECTORS = ["王建国", "李红", "张伟", "刘洋", "陈静", "赵敏"]
FINDINGS = [
    "健康档案更新不及时，部分档案信息缺失",
    "高血压患者随访记录不完整",
    "糖尿病患者季度随访未按规范开展",
    "疫苗冷链温度记录有缺漏",
    "严重精神障碍患者面访次数不足",
    "中医药服务项目开展不足",
    "药品效期管理不规范",
    "院感消毒记录不完整",
    "家庭医生签约服务履约率偏低",
    "健康教育宣传栏内容未及时更新",
    "老年人体检报告未反馈",
    "传染病报告登记本填写不规范",
]


# How each kind of district differs from the city's trend, so that pages have gaps to show.
KIND_OFFSETS = {
    "old_town": {"elderly_managed": 0.01},
    "new_urban": {"elderly_managed": -0.07, "fd_signed": -0.07},
    "rural": {"records": -0.04, "records_electronic": -0.06, "early_preg": -0.07},
}


@dataclass
class DistrictPlan:
    suffix: str                 # last two digits of the district code
    name: str
    kind: str                   # old_town | new_urban | rural
    grid: tuple[int, int]       # townships as nx × ny cells
    bbox: tuple[float, float, float, float]
    streets: int                # how many townships are streets (the rest are towns)
    extra_chcs: int
    counted_by_year: dict[int, int]   # CHCs counted for the milestone at each year end


PLANS = [
    DistrictPlan("02", "城东区", "old_town", (4, 2), (117.000, 36.640, 117.060, 36.690), 8, 1,
                 {2022: 1, 2023: 3, 2024: 5, 2025: 7, 2026: 9}),
    DistrictPlan("03", "城西区", "old_town", (3, 2), (116.940, 36.640, 117.000, 36.690), 6, 1,
                 {2022: 1, 2023: 2, 2024: 3, 2025: 5, 2026: 6}),
    DistrictPlan("04", "新城区", "new_urban", (3, 2), (116.940, 36.690, 117.060, 36.750), 6, 1,
                 {2022: 0, 2023: 1, 2024: 2, 2025: 3, 2026: 4}),
    DistrictPlan("21", "青山县", "rural", (4, 3), (116.900, 36.450, 117.200, 36.640), 2, 0,
                 {2022: 0, 2023: 1, 2024: 1, 2025: 2, 2026: 2}),
]


@dataclass
class City:
    admin: list[dict] = field(default_factory=list)
    boundaries: list[dict] = field(default_factory=list)
    facilities: list[dict] = field(default_factory=list)
    standardization: list[dict] = field(default_factory=list)
    monthly: list[dict] = field(default_factory=list)
    staffing: list[dict] = field(default_factory=list)
    inspections: list[dict] = field(default_factory=list)


def months(first: date, last: date):
    current = first
    while current <= last:
        yield current
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)


def _lerp(a, b, t):
    return a + (b - a) * t


# scale 4, density 2.5: 16 districts, 328 townships, about 3,300 facilities and 6.5 million values
PROVINCE = {"scale": 4, "density": 2.5}


class Generator:
    def __init__(self, scale: float, seed: int, density: float = 1.0):
        self.rng = random.Random(seed)
        self.scale = scale
        self.density = density
        self.city = City()
        self.township_kind: dict[str, str] = {}
        self.township_district: dict[str, DistrictPlan] = {}
        self.communities: dict[str, list[dict]] = {}
        self.population_of: dict[str, int] = {}
        self.profile: dict[str, dict] = {}

    # --- geography ---------------------------------------------------------------------------
    def build_geography(self):
        blocks = max(1, math.ceil(self.scale))
        street_pool = iter(STREET_NAMES * blocks * math.ceil(self.density))
        town_pool = iter(TOWN_NAMES * blocks * math.ceil(self.density))
        for block in range(blocks):
            city_prefix = f"99{block + 1:02d}"
            dlon = block * 0.45
            for plan in PLANS:
                code = city_prefix + plan.suffix
                name = plan.name if block == 0 else f"{plan.name[:-1]}{block + 1}{plan.name[-1]}"
                lon0, lat0, lon1, lat1 = plan.bbox
                self.city.admin.append(dict(code=code, name=name, level="县" if plan.kind == "rural" else "区",
                                            parent_code=city_prefix + "00", population=None,
                                            area_km2=None, lon=None, lat=None))
                self._townships(code, plan, (lon0 + dlon, lat0, lon1 + dlon, lat1), street_pool, town_pool)
        district_pop: dict[str, int] = {}
        for row in self.city.admin:
            if row["level"] in ("街道", "镇", "乡"):
                district_pop[row["parent_code"]] = district_pop.get(row["parent_code"], 0) + row["population"]
        for row in self.city.admin:
            if row["level"] in ("区", "县"):
                row["population"] = district_pop[row["code"]]

    def _rows_of(self, plan) -> int:
        return max(plan.grid[1], round(plan.grid[1] * self.density))

    def _streets_of(self, plan) -> int:
        return round(plan.streets * self._rows_of(plan) / plan.grid[1])

    def _townships(self, district_code, plan, bbox, street_pool, town_pool):
        nx, ny = plan.grid[0], self._rows_of(plan)
        streets = self._streets_of(plan)
        lon0, lat0, lon1, lat1 = bbox
        rng = self.rng
        lattice = {}
        for i in range(nx + 1):
            for j in range(ny + 1):
                jitter = 0 if i in (0, nx) or j in (0, ny) else 0.22
                lattice[i, j] = (
                    _lerp(lon0, lon1, (i + rng.uniform(-jitter, jitter)) / nx),
                    _lerp(lat0, lat1, (j + rng.uniform(-jitter, jitter)) / ny))
        edge_points = {}

        def edge(a, b):
            key = (min(a, b), max(a, b))
            if key not in edge_points:
                pa, pb = lattice[key[0]], lattice[key[1]]
                border = (key[0][0] == key[1][0] and key[0][0] in (0, nx)) or \
                         (key[0][1] == key[1][1] and key[0][1] in (0, ny))
                pts = []
                for t in (1 / 3, 2 / 3):
                    x, y = _lerp(pa[0], pb[0], t), _lerp(pa[1], pb[1], t)
                    if not border:
                        nxv, nyv = -(pb[1] - pa[1]), pb[0] - pa[0]
                        wobble = rng.uniform(-0.08, 0.08)
                        x, y = x + nxv * wobble, y + nyv * wobble
                    pts.append((x, y))
                edge_points[key] = pts
            pts = edge_points[key]
            return pts if key[0] == a else pts[::-1]

        number = 0
        for j in range(ny):
            for i in range(nx):
                number += 1
                code = f"{district_code}{number:03d}"
                is_street = number <= streets
                stem = next(street_pool) if is_street else next(town_pool)
                level = "街道" if is_street else ("乡" if stem in ("桃园", "王集") else "镇")
                name = f"{stem}街道" if is_street else f"{stem}{level}"
                corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
                ring = []
                for a, b in zip(corners, corners[1:] + corners[:1]):
                    ring.append(lattice[a])
                    ring.extend(edge(a, b))
                ring.append(ring[0])
                self.city.boundaries.append(dict(code=code, ring=[[round(x, 5), round(y, 5)] for x, y in ring]))
                self.township_kind[code] = "street" if is_street else "town"
                self.township_district[code] = plan
                quad = [lattice[c] for c in corners]
                comms = self._communities(code, plan, is_street, quad)
                population = sum(c["population"] for c in comms)
                center = self._point(quad, 0.5, 0.5)
                self.city.admin.append(dict(code=code, name=name, level=level, parent_code=district_code,
                                            population=population, area_km2=None,
                                            lon=round(center[0], 6), lat=round(center[1], 6)))
                self.city.admin.extend(comms)
                self.communities[code] = comms

    @staticmethod
    def _point(quad, u, v):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad
        x = (1 - u) * (1 - v) * x0 + u * (1 - v) * x1 + u * v * x2 + (1 - u) * v * x3
        y = (1 - u) * (1 - v) * y0 + u * (1 - v) * y1 + u * v * y2 + (1 - u) * v * y3
        return x, y

    def _communities(self, township_code, plan, is_street, quad):
        rng = self.rng
        if is_street:
            count = {"old_town": 14, "new_urban": 12, "rural": 10}[plan.kind]
            words = rng.sample(COMMUNITY_WORDS, count)
        else:
            count = 11
        rows, used = [], set()
        for k in range(count):
            u, v = rng.uniform(0.08, 0.92), rng.uniform(0.08, 0.92)
            if plan.kind == "new_urban" and k >= count - 3:
                u, v = rng.uniform(0.85, 0.97), rng.uniform(0.85, 0.97)   # new estates at the edge
            lon, lat = self._point(quad, u, v)
            if is_street:
                name, level = f"{words[k]}社区", "社区"
                population = int(rng.uniform(3000, 8000) if plan.kind != "new_urban" else rng.uniform(1500, 7500))
            else:
                while True:
                    name = f"{rng.choice(SURNAMES)}{rng.choice(VILLAGE_SUFFIX)}村"
                    if name not in used:
                        break
                level = "村"
                population = int(rng.uniform(600, 2600))
            used.add(name)
            rows.append(dict(code=f"{township_code}{k + 1:03d}", name=name, level=level,
                             parent_code=township_code, population=population, area_km2=None,
                             lon=round(lon, 6), lat=round(lat, 6)))
        return rows

    # --- facilities ----------------------------------------------------------------------------
    def build_facilities(self):
        rng = self.rng
        chc_by_township: dict[str, list[dict]] = {}
        townships = [a for a in self.city.admin if a["level"] in ("街道", "镇", "乡")]
        by_district: dict[str, list[dict]] = {}
        for t in townships:
            by_district.setdefault(t["parent_code"], []).append(t)
        for district_code, tlist in by_district.items():
            plan = self.township_district[tlist[0]["code"]]
            streets = [t for t in tlist if self.township_kind[t["code"]] == "street"]
            biggest = sorted(streets, key=lambda t: -t["population"])[:plan.extra_chcs]
            for t in streets:
                for second in ([False, True] if t in biggest else [False]):
                    code = f"{t['code']}C{2 if second else 1}"
                    suffix = "第二社区卫生服务中心" if second else "社区卫生服务中心"
                    opened = date(rng.randint(2004, 2014), rng.randint(1, 12), 1)
                    if second and plan.kind == "new_urban":
                        opened = date(2023, 7, 1)
                    lon, lat = self._near(t["lon"], t["lat"], 350 if not second else 900)
                    chc = self._facility(code, f"{t['name'][:-2]}{suffix}", "CHC", None, t, plan,
                                         lon, lat, opened)
                    chc_by_township.setdefault(t["code"], []).append(chc)
            for t in tlist:
                if self.township_kind[t["code"]] == "town":
                    lon, lat = self._near(t["lon"], t["lat"], 400)
                    self._facility(f"{t['code']}T1", f"{t['name']}卫生院", "THC", None, t, plan, lon, lat,
                                   date(rng.randint(1998, 2008), rng.randint(1, 12), 1))
                    for k, village in enumerate(rng.sample(self.communities[t["code"]], 3)):
                        lon, lat = self._near(village["lon"], village["lat"], 120)
                        self._facility(f"{t['code']}V{k + 1}", f"{village['name']}卫生室", "VC", None, t,
                                       plan, lon, lat, date(rng.randint(2005, 2015), 1, 1))
        chcs = [f for f in self.city.facilities if f["type"] == "CHC"]
        private = set(rng.sample([c["facility_code"] for c in chcs if not c["facility_code"].endswith("C2")], 2))
        for chc in chcs:
            if chc["facility_code"] in private:
                chc["ownership"] = "社会办"
        self._stations(chc_by_township)

    def _stations(self, chc_by_township):
        rng = self.rng
        target = round(120 * max(1, math.ceil(self.scale)) * self.density ** 2)
        weights = {t: len(self.communities[t]) for t in chc_by_township}
        total_weight = sum(weights.values())
        quotas = {t: max(2, round(target * w / total_weight)) for t, w in weights.items()}
        while sum(quotas.values()) > target:
            quotas[max(quotas, key=quotas.get)] -= 1
        while sum(quotas.values()) < target:
            quotas[min(quotas, key=quotas.get)] += 1
        closed_done = opened_done = False
        for township_code, quota in quotas.items():
            plan = self.township_district[township_code]
            township = next(a for a in self.city.admin if a["code"] == township_code)
            comms = list(self.communities[township_code])
            if plan.kind == "new_urban":
                comms = comms[:-3]   # the new estates at the edge have no station yet
            for k, community in enumerate(rng.sample(comms, min(quota, len(comms)))):
                parents = chc_by_township[township_code]
                parent = parents[k % len(parents)]
                lon, lat = self._near(community["lon"], community["lat"], 100)
                opened = date(rng.randint(2008, 2019), rng.randint(1, 12), 1)
                closed = None
                if not opened_done and plan.kind == "old_town" and k == 1:
                    opened, opened_done = date(2022, 3, 1), True
                elif not closed_done and plan.kind == "old_town" and k == 2:
                    closed, closed_done = date(2024, 12, 31), True
                station = self._facility(f"{township_code}S{k + 1:02d}", f"{community['name']}卫生服务站",
                                         "CHS", parent["facility_code"], township, plan, lon, lat, opened)
                station["closed_on"] = closed
                if rng.random() < 0.3:
                    station["ownership"] = "社会办"

    def _near(self, lon, lat, metres):
        angle = self.rng.uniform(0, 2 * math.pi)
        dist = self.rng.uniform(0, metres)
        return (round(lon + dist * math.cos(angle) / (111320 * math.cos(math.radians(lat))), 6),
                round(lat + dist * math.sin(angle) / 110540, 6))

    def _facility(self, code, name, ftype, parent, township, plan, lon, lat, opened):
        rng = self.rng
        if ftype == "CHC":
            area = rng.uniform(1500, 3400) if plan.kind != "new_urban" else rng.uniform(1800, 4200)
            area_kind = "新建城区" if plan.kind == "new_urban" else "旧城改造区"
        elif ftype == "THC":
            area, area_kind = rng.uniform(1500, 3600), "农村"
        elif ftype == "CHS":
            area = rng.uniform(90, 420)
            area_kind = "新建城区" if plan.kind == "new_urban" else "旧城改造区"
        else:
            area, area_kind = rng.uniform(40, 120), "农村"
        row = dict(facility_code=code, name=name, type=ftype, parent_code=parent,
                   township_code=township["code"], ownership="政府办", lon=lon, lat=lat,
                   building_area_m2=round(area), area_kind=area_kind, opened_on=opened, closed_on=None)
        self.city.facilities.append(row)
        return row

    def plan_station(self, opens: date = date(2027, 6, 1), walk_m: float = 1200):
        """A station under construction: its opening date is in the future, so it is a planned
        facility (docs/domain.md section 6, coverage over time). It stands at the most populous
        community of a new-urban street that no facility reaches within the walk today, and is
        drawn after everything random, so the rest of the city is as it was without it."""
        def metres(a, b):
            dy = (a["lat"] - b["lat"]) * 110540
            dx = (a["lon"] - b["lon"]) * 111320 * math.cos(math.radians(a["lat"]))
            return math.hypot(dx, dy)
        reached = [f for f in self.city.facilities if f["closed_on"] is None]
        uncovered = [c for code, plan in sorted(self.township_district.items()) if plan.kind == "new_urban"
                     for c in self.communities[code] if all(metres(c, f) > walk_m for f in reached)]
        if not uncovered:
            return
        community = max(uncovered, key=lambda c: (c["population"], c["code"]))
        township_code = community["parent_code"]
        centers = [f for f in self.city.facilities if f["township_code"] == township_code and f["type"] == "CHC"]
        if not centers:
            return
        township = next(a for a in self.city.admin if a["code"] == township_code)
        stations = sum(f["township_code"] == township_code and f["type"] == "CHS" for f in self.city.facilities)
        station = self._facility(f"{township_code}S{stations + 1:02d}", f"{community['name']}卫生服务站", "CHS",
                                 centers[0]["facility_code"], township, self.township_district[township_code],
                                 community["lon"], community["lat"], opens)
        station["building_area_m2"] = 160

    # --- catchments and monthly services --------------------------------------------------------
    def assign_catchments(self):
        reporting = [f for f in self.city.facilities if f["type"] in ("CHC", "CHS", "THC")]
        by_township: dict[str, list[dict]] = {}
        for f in reporting:
            by_township.setdefault(f["township_code"], []).append(f)
        for township_code, comms in self.communities.items():
            facilities = by_township.get(township_code, [])
            for c in comms:
                if not facilities:
                    continue
                nearest = min(facilities, key=lambda f: (f["lon"] - c["lon"]) ** 2 + (f["lat"] - c["lat"]) ** 2)
                self.population_of[nearest["facility_code"]] = \
                    self.population_of.get(nearest["facility_code"], 0) + c["population"]
        for f in reporting:
            self.population_of.setdefault(f["facility_code"], int(self.rng.uniform(1500, 3000)))

    def build_monthly(self):
        rng = self.rng
        reporting = [f for f in self.city.facilities if f["type"] in ("CHC", "CHS", "THC")]
        chcs = [f for f in reporting if f["type"] == "CHC"]
        lagging = next((f for f in chcs if f["name"].startswith("科创")), chcs[0])
        spike = next((f for f in chcs if f["name"].startswith("和平")), chcs[1])
        stations = [f for f in reporting if f["type"] == "CHS" and f["closed_on"] is None]
        newborn_odd, records_odd = stations[5], stations[17]
        late_october = set(f["facility_code"] for f in rng.sample(stations, 6))
        for f in reporting:
            code = f["facility_code"]
            plan = self.township_district[f["township_code"]]
            quality = rng.gauss(0, 0.035) - (0.13 if f is lagging else 0)
            growth = 0.03 if plan.kind == "new_urban" else 0.004
            base_pop = self.population_of[code]
            elderly_share = {"old_town": 0.16, "new_urban": 0.10, "rural": 0.18}[plan.kind]
            first = max(FIRST_MONTH, f["opened_on"].replace(day=1))
            last = LAST_MONTH
            if f["closed_on"]:
                last = f["closed_on"].replace(day=1)
            for month in months(first, last):
                if rng.random() < 0.006 and month < date(2026, 9, 1):
                    continue   # a missing report
                if month == LAST_MONTH and code in late_october:
                    continue   # not in yet
                t = (month.year - 2021) + (month.month - 1) / 12        # 0 .. 5.8 years
                progress = min(t / 5.5, 1.0)
                worsening = 0.0
                if f is lagging and month >= date(2026, 5, 1):
                    worsening = 0.025 * ((month.year - 2026) * 12 + month.month - 4)
                q = quality - worsening
                pop = int(base_pop * (1 + growth) ** t)
                winter = 1 + 0.18 * math.cos((month.month - 1) / 12 * 2 * math.pi)
                festival = 0.78 if month.month == 2 else 1.0

                def share(lo, hi, noise=0.012, key=None):
                    offset = KIND_OFFSETS[plan.kind].get(key, 0.0)
                    return max(0.0, min(0.995, _lerp(lo, hi, progress) + q + offset + rng.gauss(0, noise)))

                def poisson(lam):
                    lam = max(lam, 0.0)
                    if lam > 40:
                        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
                    k, p, limit = 0, 1.0, math.exp(-lam)
                    while True:
                        p *= rng.random()
                        if p <= limit:
                            return k
                        k += 1

                records = int(pop * share(0.78, 0.94, 0.004, "records"))
                births = poisson(pop * 0.0075 / 12 * (1.08 if month.month in (8, 9, 10) else 0.97))
                vacc_due = poisson(pop * 0.0055)
                children = int(pop * 0.065)
                elderly = int(pop * elderly_share)
                htn = int(pop * 0.045 * _lerp(0.85, 1.0, progress))
                dm = int(pop * 0.016 * _lerp(0.85, 1.0, progress))
                smi = int(pop * 0.0042)
                tb = poisson(pop * 0.00025)
                id_reports = poisson(pop * 0.0003 * winter)
                outpatient = int(pop * 0.22 * winter * festival * rng.uniform(0.92, 1.08))
                surveyed = int(rng.uniform(30, 60)) if f["type"] != "CHS" else 0
                row = dict(
                    facility_code=code, period=month,
                    submitted_on=self._submitted(month),
                    resident_population=pop,
                    records_total=records,
                    records_electronic=int(records * share(0.86, 0.98, 0.004, "records_electronic")),
                    records_used=int(records * share(0.44, 0.66)),
                    edu_lectures=poisson(1.3 if f["type"] != "CHS" else 0.8),
                    vacc_due=vacc_due,
                    vacc_given=int(round(vacc_due * share(0.93, 0.985, 0.01))),
                    births=births,
                    early_preg_registered=int(round(births * share(0.80, 0.92, 0.05, "early_preg"))),
                    postpartum_visits=int(round(births * share(0.84, 0.95, 0.04))),
                    newborn_visits=int(round(births * share(0.85, 0.96, 0.04))),
                    children_0_6=children,
                    children_managed=int(children * share(0.86, 0.94)),
                    elderly_65=elderly,
                    elderly_managed=int(elderly * share(0.62, 0.75, key="elderly_managed")),
                    tcm_elderly=int(elderly * share(0.55, 0.69)),
                    htn_managed=htn,
                    htn_standard=int(htn * share(0.56, 0.70)),
                    htn_controlled=int(htn * share(0.54, 0.66)),
                    htn_examined=int(htn * share(0.72, 0.88)),
                    dm_managed=dm,
                    dm_standard=int(dm * share(0.56, 0.68)),
                    dm_controlled=int(dm * share(0.50, 0.61)),
                    dm_examined=int(dm * share(0.72, 0.86)),
                    fd_signed=int(pop * share(0.26, 0.40, 0.005, "fd_signed")),
                    outpatient_visits=outpatient,
                    referrals_up=poisson(outpatient * 0.012),
                    referrals_down=poisson(outpatient * 0.005),
                )
                if f["type"] != "CHS":
                    row.update(
                        smi_registered=smi,
                        smi_standard=int(smi * share(0.76, 0.90)),
                        smi_examined=int(smi * share(0.64, 0.80)),
                        tb_registered=tb,
                        tb_regular=int(round(tb * share(0.86, 0.97, 0.03))),
                        id_reports=id_reports,
                        id_reports_timely=int(round(id_reports * share(0.95, 0.995, 0.01))),
                        surveyed=surveyed,
                        satisfied=int(round(surveyed * share(0.86, 0.95, 0.02))),
                    )
                if f is spike and month == date(2025, 3, 1):
                    row["outpatient_visits"] = outpatient * 8
                if f is newborn_odd and month == date(2026, 7, 1):
                    row["births"] = max(births, 3)
                    row["newborn_visits"] = row["births"] + 4
                if f is records_odd and month == date(2024, 5, 1):
                    row["records_total"] = int(pop * 1.12)
                self.city.monthly.append(row)

    def _submitted(self, month: date) -> date:
        due = date(month.year + (month.month == 12), month.month % 12 + 1, 10)
        roll = self.rng.random()
        if roll < 0.05:
            return min(due + timedelta(days=self.rng.randint(2, 20)), GENERATED_ON)
        return due - timedelta(days=self.rng.randint(0, 8))

    # --- standardization, staffing, inspections ------------------------------------------------
    def build_standardization(self):
        rng = self.rng
        by_district: dict[str, list[dict]] = {}
        for f in self.city.facilities:
            if f["type"] == "CHC":
                by_district.setdefault(f["township_code"][:6], []).append(f)
        for district_code, chcs in by_district.items():
            plan = self.township_district[chcs[0]["township_code"]]
            order = list(chcs)
            rng.shuffle(order)
            # the center opened mid-series cannot be among the early ones
            order.sort(key=lambda f: f["opened_on"] > date(2023, 1, 1))
            counted_from: dict[str, date | None] = {f["facility_code"]: None for f in chcs}
            rank = 0
            more = self._streets_of(plan) / plan.streets
            for year in sorted(plan.counted_by_year):
                wanted = min(round(plan.counted_by_year[year] * more), len(order))
                while rank < wanted:
                    dates = [d for d in ASSESSMENT_DATES if d.year == year] or [ASSESSMENT_DATES[-1]]
                    counted_from[order[rank]["facility_code"]] = rng.choice(dates)
                    rank += 1
            for f in chcs:
                self._assess(f, counted_from[f["facility_code"]], plan)
        for f in self.city.facilities:
            if f["type"] == "THC":
                self._assess(f, rng.choice(ASSESSMENT_DATES + [None]), None)
        self._star_ratings()

    def _assess(self, f, counted_from: date | None, plan):
        rng = self.rng
        missing = rng.choice(["gov_premises", "gov_equipment", "standardized"])
        parts_from = {}
        for part in ("gov_premises", "gov_equipment", "standardized"):
            if counted_from is None:
                parts_from[part] = None if part == missing else rng.choice(ASSESSMENT_DATES[:6])
            else:
                earlier = [d for d in ASSESSMENT_DATES if d <= counted_from]
                parts_from[part] = rng.choice(earlier)
        if counted_from is not None:
            parts_from[rng.choice(list(parts_from))] = counted_from
        loses = f["name"].startswith("东关")
        demo_from = rng.choice(ASSESSMENT_DATES[3:] + [None, None]) if f["type"] == "CHC" else None
        for when in ASSESSMENT_DATES:
            if when < f["opened_on"]:
                continue
            state = {part: since is not None and when >= since for part, since in parts_from.items()}
            if loses and date(2025, 6, 30) <= when < date(2026, 6, 30):
                state["standardized"] = False
            self.city.standardization.append(dict(
                facility_code=f["facility_code"], assessed_on=when, **state, star_rating=None,
                quality_demo=demo_from is not None and when >= demo_from,
                note="复核未通过，限期整改" if loses and when == date(2025, 6, 30) else None))

    def _star_ratings(self):
        rng = self.rng
        for f in self.city.facilities:
            if f["type"] != "CHS":
                continue
            star = rng.choices([2, 3, 4, 5], weights=[8, 45, 30, 17])[0]
            for when in STAR_DATES:
                if when < f["opened_on"] or (f["closed_on"] and when > f["closed_on"]):
                    continue
                move = rng.random()
                if move < 0.15 and star < 5:
                    star += 1
                elif move > 0.93 and star > 1:
                    star -= 1   # lost a star (摘星)
                ok = star >= 3
                self.city.standardization.append(dict(
                    facility_code=f["facility_code"], assessed_on=when, gov_premises=ok or rng.random() < 0.5,
                    gov_equipment=True, standardized=ok, star_rating=star, quality_demo=None, note=None))

    def build_staffing(self):
        rng = self.rng
        for f in self.city.facilities:
            if f["type"] == "VC":
                continue
            pop = self.population_of.get(f["facility_code"], 2000)
            if f["type"] == "CHS":
                physicians, nurses = rng.choice([1, 2, 2, 3, 3, 4]), rng.choice([1, 2, 2, 3, 4])
            else:
                physicians = max(6, int(pop / 3500 * rng.uniform(0.7, 1.3)))
                nurses = int(physicians * rng.uniform(0.9, 1.4))
            tcm_share = rng.uniform(0.10, 0.30)
            for as_of in [date(y, 12, 31) for y in range(2021, 2026)] + [date(2026, 6, 30)]:
                if as_of < f["opened_on"] or (f["closed_on"] and as_of > f["closed_on"]):
                    continue
                if f["type"] != "CHS" and rng.random() < 0.4:
                    physicians += 1
                    tcm_share = min(0.35, tcm_share + 0.01)
                gps = max(1 if f["type"] == "CHS" else 2, int(physicians * rng.uniform(0.3, 0.55)))
                self.city.staffing.append(dict(
                    facility_code=f["facility_code"], as_of=as_of, physicians=physicians, gps=gps,
                    tcm_physicians=int(round(physicians * tcm_share)) if f["type"] != "CHS" else rng.choice([0, 0, 1]),
                    nurses=nurses, public_health_staff=max(1, physicians // 3),
                    total_staff=physicians + nurses + max(1, physicians // 3) + rng.randint(1, 8)))

    def build_inspections(self):
        rng = self.rng
        rounds = [date(y, m, 1) for y in range(2022, 2027) for m in (4, 10)]
        today = GENERATED_ON
        for start in rounds:
            for f in self.city.facilities:
                if f["type"] == "VC" or f["opened_on"] > start or (f["closed_on"] and f["closed_on"] < start):
                    continue
                if f["type"] == "CHS" and rng.random() > 0.3:
                    continue
                visit = start + timedelta(days=rng.randint(0, 27))
                if visit > today:
                    continue
                score = max(40, min(100, round(rng.gauss(83, 7), 1)))
                if f["name"].startswith("科创") and start.year >= 2026:
                    score = round(rng.uniform(58, 66), 1)
                issues = rng.sample(FINDINGS, 1 if score >= 85 else (2 if score >= 70 else 3))
                rectify_by = visit + timedelta(days=rng.choice([30, 45, 60])) if score < 90 else None
                rectified = None
                if rectify_by:
                    finish = visit + timedelta(days=rng.randint(10, 75))
                    # old findings are nearly all rectified by now; recent ones not always
                    if finish <= today and rng.random() < (0.99 if visit.year < 2026 else 0.8):
                        rectified = finish
                self.city.inspections.append(dict(
                    facility_code=f["facility_code"], visit_date=visit, inspector=rng.choice(INSPECTORS),
                    kind=rng.choices(["常规督导", "专项检查", "飞行检查"], weights=[7, 2, 1])[0],
                    score=score, findings="；".join(issues), rectify_by=rectify_by, rectified_on=rectified))


def build_city(scale: float = 1.0, seed: int = 42, density: float = 1.0) -> City:
    generator = Generator(scale, seed, density)
    generator.build_geography()
    generator.build_facilities()
    generator.assign_catchments()
    generator.build_standardization()
    generator.build_monthly()
    generator.build_staffing()
    generator.build_inspections()
    generator.plan_station()
    return generator.city


# --- writers ------------------------------------------------------------------------------------

def _workbook(title: str, sheet: str, headers: list[str], rows: list[list], notes: list[str] | None = None):
    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = EXCEL_TIMESTAMP
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=3):
        ws.append(row)
        for column in (1, 4, 5):          # codes stay text, so Excel keeps their leading zeros
            cell = ws.cell(number, column)
            if isinstance(cell.value, str):
                cell.number_format = "@"
    if notes:
        info = wb.create_sheet("填表说明")
        for line in notes:
            info.append([line])
    return wb


def _yes(value) -> str | None:
    return None if value is None else ("是" if value else "否")


def write_sample_city(out: Path, scale: float = 1.0, seed: int = 42, density: float = 1.0) -> list[Path]:
    city = build_city(scale, seed, density)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 1)
    written = []

    def save(wb, name):
        path = out / name
        wb.save(path)
        written.append(path)

    save(_workbook("临江市行政区划及常住人口（2025年末）", "行政区划",
                   ["区划代码", "名称", "级别", "上级代码", "常住人口", "面积", "经度", "纬度"],
                   [[a["code"], a["name"], a["level"], a["parent_code"], a["population"], a["area_km2"],
                     a["lon"], a["lat"]] for a in city.admin]), "01_行政区划.xlsx")

    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": b["code"]},
         "geometry": {"type": "Polygon", "coordinates": [b["ring"]]}} for b in city.boundaries]}
    path = out / "02_乡镇街道边界.geojson"
    path.write_text(json.dumps(geo, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    written.append(path)

    facility_rows = []
    for n, f in enumerate(city.facilities):
        crs = "WGS84"
        lon, lat = f["lon"], f["lat"]
        if n % 11 == 3:
            crs = "GCJ02"
        elif n % 17 == 5:
            crs = "BD09"
        lon, lat = from_wgs84(lon, lat, crs)
        facility_rows.append([f["facility_code"], f["name"], {"CHC": "社区卫生服务中心", "CHS": "社区卫生服务站",
                              "THC": "乡镇卫生院", "VC": "村卫生室"}[f["type"]], f["parent_code"],
                              f["township_code"], f["ownership"], round(lon, 6), round(lat, 6), crs,
                              f["building_area_m2"], f["area_kind"], f["opened_on"], f["closed_on"]])
    save(_workbook("临江市基层医疗卫生机构名录", "机构名录",
                   ["机构代码", "机构名称", "机构类型", "所属中心代码", "街道乡镇代码", "举办方式", "经度", "纬度",
                    "坐标系", "业务用房面积", "区域类型", "开业日期", "停业日期"], facility_rows,
                   ["坐标系：WGS84（GPS）、GCJ02（高德/腾讯地图）、BD09（百度地图）",
                    "社区卫生服务站须填写所属中心代码"]), "03_机构名录.xlsx")

    save(_workbook("社区卫生服务机构标准化建设评估结果", "标准化建设",
                   ["机构代码", "评估日期", "政府提供业务用房", "政府配置设备", "达到标准化建设要求", "星级",
                    "优质服务示范", "备注"],
                   [[s["facility_code"], s["assessed_on"], _yes(s["gov_premises"]), _yes(s["gov_equipment"]),
                     _yes(s["standardized"]), s["star_rating"], _yes(s["quality_demo"]), s["note"]]
                    for s in city.standardization]), "04_标准化建设评估.xlsx")

    save(_workbook("基层医疗卫生机构人员配置", "人员配置",
                   ["机构代码", "统计日期", "执业医师", "全科医生", "中医类别医师", "执业护士", "公共卫生人员",
                    "在岗职工"],
                   [[s["facility_code"], s["as_of"], s["physicians"], s["gps"], s["tcm_physicians"], s["nurses"],
                     s["public_health_staff"], s["total_staff"]] for s in city.staffing]), "05_人员配置.xlsx")

    save(_workbook("督导检查记录", "督导检查",
                   ["机构代码", "检查日期", "检查人", "检查类型", "得分", "发现问题", "整改期限", "整改完成日期"],
                   [[i["facility_code"], i["visit_date"], i["inspector"], i["kind"], i["score"], i["findings"],
                     i["rectify_by"], i["rectified_on"]] for i in city.inspections]), "06_督导检查记录.xlsx")

    measures = ["resident_population", "records_total", "records_electronic", "records_used", "edu_lectures",
                "vacc_due", "vacc_given", "births", "early_preg_registered", "postpartum_visits",
                "newborn_visits", "children_0_6", "children_managed", "elderly_65", "elderly_managed",
                "tcm_elderly", "htn_managed", "htn_standard", "htn_controlled", "htn_examined", "dm_managed",
                "dm_standard", "dm_controlled", "dm_examined", "smi_registered", "smi_standard",
                "smi_examined", "tb_registered", "tb_regular", "id_reports", "id_reports_timely", "fd_signed",
                "outpatient_visits", "referrals_up", "referrals_down", "surveyed", "satisfied"]
    from warehouse.settings import load_settings
    zh = {m.code: m.zh for m in load_settings().measures}
    period_style = {2021: "{y}-{m:02d}", 2022: "{y}年{m}月", 2023: "{y}{m:02d}", 2024: "{y}/{m}",
                    2025: "{y}-{m:02d}", 2026: "{y}.{m:02d}"}
    for year in range(FIRST_MONTH.year, LAST_MONTH.year + 1):
        rows = [r for r in city.monthly if r["period"].year == year]
        path = out / f"月度服务报表_{year}.csv"
        encoding = "gbk" if year == 2022 else ("utf-8-sig" if year % 2 else "utf-8")
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            if year in (2021, 2024):
                writer.writerow([f"临江市{year}年基本公共卫生服务月度报表"])
                writer.writerow([])
            writer.writerow(["机构代码", "统计月份", "上报日期"] + [zh[m] for m in measures])
            totals = {m: 0 for m in measures}
            for r in rows:
                period = period_style[year].format(y=year, m=r["period"].month)
                cells = []
                for m in measures:
                    value = r.get(m)
                    totals[m] += value or 0
                    if value is not None and year == 2023 and value >= 1000:
                        cells.append(f"{value:,}")
                    else:
                        cells.append("" if value is None else value)
                writer.writerow([r["facility_code"], period, r["submitted_on"].isoformat()] + cells)
                if year == 2025 and rng.random() < 0.01:
                    writer.writerow([])
            if year in (2021, 2025):
                writer.writerow(["合计", "", ""] + [totals[m] for m in measures])
        written.append(path)
    return written
