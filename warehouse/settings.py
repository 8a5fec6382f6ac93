"""The settings file: the registry of measures, indicators, milestones and rules, as data.

A bureau edits `config/settings.toml` (or the file named by JICENG_SETTINGS); nothing else in the
code carries a target, a milestone or a label.
"""
from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from warehouse.roles import PermissionTableError, check_table

DEFAULT_SETTINGS_PATH = Path(__file__).resolve().parent.parent / "config" / "settings.toml"
MEASURE_KINDS = ("stock", "flow")
DIRECTIONS = ("higher", "lower", "watch")
CRS_NAMES = ("WGS84", "GCJ02", "BD09")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Measure:
    code: str
    zh: str
    en: str
    kind: str


@dataclass(frozen=True)
class Indicator:
    code: str
    zh: str
    en: str
    category: str
    numerator: str
    denominator: str | None
    target: float | None
    target_per: str | None
    direction: str


@dataclass(frozen=True)
class Settings:
    raw: dict
    sha256: str
    path: Path

    @property
    def measures(self) -> list[Measure]:
        return [Measure(m["code"], m["zh"], m["en"], m["kind"]) for m in self.raw["measures"]]

    @property
    def indicators(self) -> list[Indicator]:
        return [
            Indicator(
                code=i["code"], zh=i["zh"], en=i["en"], category=i["category"],
                numerator=i["numerator"], denominator=i.get("denominator"),
                target=i.get("target"), target_per=i.get("target_per"), direction=i["direction"],
            )
            for i in self.raw["indicators"]
        ]

    @property
    def categories(self) -> list[dict]:
        return list(self.raw["categories"])

    @property
    def milestones(self) -> list[tuple[int, float]]:
        return sorted((int(m["year"]), float(m["share"])) for m in self.raw["milestones"])

    def section(self, name: str) -> dict:
        return dict(self.raw.get(name, {}))

    def scalar_settings(self) -> dict[str, object]:
        """Every `section.key = value` that is not a list of tables, flattened for the `setting` table."""
        flat: dict[str, object] = {}
        for section, body in self.raw.items():
            if isinstance(body, dict):
                for key, value in body.items():
                    flat[f"{section}.{key}"] = value
        return flat


def settings_path() -> Path:
    return Path(os.environ.get("JICENG_SETTINGS") or DEFAULT_SETTINGS_PATH)


_current: dict = {}


def current_settings() -> Settings:
    """The settings file as it is now: read again whenever it changes (its time and size). For
    what is needed on every request without a warehouse query (permissions, page texts)."""
    path = settings_path()
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if _current.get("key") != key:
        _current.update(key=key, settings=load_settings(path))
    return _current["settings"]


def load_settings(path: Path | str | None = None) -> Settings:
    path = Path(path) if path else settings_path()
    data = path.read_bytes()
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: {exc}") from exc
    settings = Settings(raw=raw, sha256=hashlib.sha256(data).hexdigest(), path=path)
    _check(settings)
    return settings


def _check(settings: Settings) -> None:
    raw = settings.raw
    try:
        check_table(raw.get("permissions"))
    except PermissionTableError as mistake:
        raise SettingsError(str(mistake)) from None
    for section in ("coverage", "reporting", "coordinates", "standards", "quality"):
        if section not in raw:
            raise SettingsError(f"missing section [{section}]")
    for key in ("measures", "indicators", "milestones", "categories"):
        if not raw.get(key):
            raise SettingsError(f"missing [[{key}]] entries")
    measure_codes = set()
    for m in raw["measures"]:
        if m.get("kind") not in MEASURE_KINDS:
            raise SettingsError(f"measure {m.get('code')}: kind must be one of {MEASURE_KINDS}")
        measure_codes.add(m["code"])
    category_codes = {c["code"] for c in raw["categories"]}
    for i in raw["indicators"]:
        code = i.get("code")
        if i.get("direction") not in DIRECTIONS:
            raise SettingsError(f"indicator {code}: direction must be one of {DIRECTIONS}")
        for part in ("numerator", "denominator"):
            if i.get(part) is not None and i[part] not in measure_codes:
                raise SettingsError(f"indicator {code}: {part} {i[part]!r} is not a measure")
        if i.get("category") not in category_codes:
            raise SettingsError(f"indicator {code}: unknown category {i.get('category')!r}")
        if i["direction"] != "watch" and i.get("target") is None:
            raise SettingsError(f"indicator {code}: a target is needed unless direction is watch")
        if i.get("denominator") is None and i.get("target_per") not in (None, "month", "quarter", "year"):
            raise SettingsError(f"indicator {code}: target_per must be month, quarter or year")
    for m in raw["milestones"]:
        if not 0 <= float(m["share"]) <= 1:
            raise SettingsError(f"milestone {m['year']}: share must be between 0 and 1")
    if raw["coordinates"].get("default_crs") not in CRS_NAMES:
        raise SettingsError(f"coordinates.default_crs must be one of {CRS_NAMES}")
    if not 1 <= int(raw["reporting"]["deadline_day"]) <= 28:
        raise SettingsError("reporting.deadline_day must be between 1 and 28")
