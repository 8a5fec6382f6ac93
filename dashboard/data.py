"""The dashboard's side of the warehouse: one lazy reader per process, the caller's scope, and the
filters of a request, validated on the server."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

from warehouse.periods import Period, latest_complete, parse_period
from warehouse.queries import areas
from warehouse.queries.areas import Area, DataState
from warehouse.scope import Scope
from warehouse.store import Reader

_reader: Reader | None = None
_empty = None


def configure(db_path: str | os.PathLike | None) -> None:
    global _reader
    _reader = Reader(db_path)


def warehouse_path():
    return _reader.path if _reader is not None else Reader(None).path


def cursor():
    """A cursor on the newest published warehouse version (reconnects after a load). Before the
    first load there is no warehouse: an empty one in memory stands in, so every page renders
    and says there is no data yet instead of failing."""
    global _reader
    if _reader is None:
        _reader = Reader(None)
    try:
        return _reader.cursor()
    except FileNotFoundError:
        return _empty_warehouse().cursor()


def store_fallback():
    """Set (warehouse.store.Fallback) while the current version is damaged and an older one is read."""
    return _reader.fallback if _reader is not None else None


def _empty_warehouse():
    global _empty
    if _empty is None:
        from warehouse import schema
        from warehouse.settings import load_settings
        _empty = schema.empty_warehouse(load_settings())
    return _empty


def current_scope() -> Scope:
    """The districts the requesting user may see, from the server's session, never from the
    browser. A request without a user sees nothing; code outside any request (the command line,
    tests of query functions) sees everything."""
    import flask

    from dashboard.session import current_user
    if not flask.has_request_context():
        return Scope.everything()
    user = current_user()
    return user.scope if user is not None else Scope(frozenset())


def today() -> date:
    return date.today()


@dataclass(frozen=True)
class Filters:
    """What a request asks for, after the server checked it: unknown or forbidden areas fall back
    to the whole city, periods outside the data to the latest complete quarter."""
    area: Area
    period: Period | None
    lang: str
    state: DataState
    scope: Scope
    params: dict = field(default_factory=dict)
    area_fallback: bool = False

    @property
    def as_of(self) -> date:
        """The date registry questions are asked at: the period's end, or the latest loaded month's."""
        if self.period is None:
            return today()
        latest_end = latest_complete(self.state.latest_month, "month").end if self.state.latest_month else None
        return min(self.period.end, latest_end) if latest_end else self.period.end


def default_period(state: DataState, kind: str = "quarter") -> Period | None:
    if state.latest_month is None:
        return None
    return latest_complete(state.latest_month, kind)


def read_filters(con, area_code: str | None, period_label: str | None, lang: str | None,
                 params: dict | None = None) -> Filters:
    scope = current_scope()
    state = areas.data_state(con)
    area = areas.resolve_area(con, scope, area_code)
    fallback = area is None
    period = parse_period(period_label)
    if period is None or state.latest_month is None or period.start > state.latest_month \
            or (state.first_month and period.end < state.first_month):
        period = default_period(state, period.kind if period else "quarter")
    return Filters(area or areas.CITY, period, lang if lang in ("zh", "en") else "zh", state, scope,
                   dict(params or {}), fallback)


def current_settings():
    """The settings file as it is now (warehouse.settings.current_settings): for layouts, which
    never query the warehouse."""
    from warehouse.settings import current_settings as settings_now
    return settings_now()


def file_setting(key: str, default):
    """A setting from the settings file as it is now (not a warehouse query): what page layouts
    show and the limits both the page and the check on saving use."""
    value = current_settings().scalar_settings().get(key)
    return default if value is None else value


def max_findings_chars() -> int:
    """Longest findings text a visit recorded in the browser may carry: the form's box and the
    check on saving use this one value."""
    return int(file_setting("supervision.max_findings_chars", 2000))


def setting_or(key: str, default):
    """A setting from the warehouse (or the settings file, before the first load)."""
    value = areas.setting(cursor(), key)
    return default if value is None else value
