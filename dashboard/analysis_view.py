"""The analysis page's view (数据分析): what it shows, as its URL's query string carries it. Read
from the URL, the page's controls or a saved favourite, every value is checked by its form here
(a code, a choice, a period label of the chosen kind) and anything else is left out or replaced
by the default: a malformed link opens the default view, never an error. Whether a code names an
indicator of the registry or an area of the user's is the server's question
(`dashboard.callbacks.analysis.selection`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from urllib.parse import parse_qs, urlencode

from warehouse.periods import KINDS, parse_period
from warehouse.queries.analysis import LEVELS, RELATIVE

DIMENSIONS = ("indicator", "area", "period")
CHARTS = ("table", "line", "bar", "map")
PERIOD_CHOICES = ("fixed", *RELATIVE)
CODE = re.compile(r"[0-9A-Za-z_]{1,64}")
# codes of one list a link holds: 200 areas keep the link within a request line gunicorn takes
# (4,094 characters); "all" needs none, and the cell cap decides the rest
MAX_CHOSEN = 200


@dataclass(frozen=True)
class View:
    indicators: tuple[str, ...] = ()        # empty: the registry's first
    level: str = "township"
    areas: tuple[str, ...] = ()             # empty: every area of the level in the user's districts
    relative: str = "last_4_quarters"       # or "fixed": `kind` and `periods`
    kind: str = "quarter"
    periods: tuple[str, ...] = ()           # empty (fixed): the latest complete period of the kind
    rows: str = "area"                      # the dimension down the table; the third one goes under it
    cols: str = "period"                    # the dimension across
    view: str = "table"                     # table | line | bar | map

    @property
    def row_dimensions(self) -> tuple[str, str]:
        """The table's row dimensions: the chosen one, then the one neither rows nor columns."""
        return self.rows, next(d for d in DIMENSIONS if d not in (self.rows, self.cols))


NAMES = tuple(f.name for f in fields(View))
DEFAULT = View()


def _text(value) -> str:
    """One query value: a link may repeat a key (a list); a control may send nothing."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return value if isinstance(value, str) else ""


def _codes(value) -> tuple[str, ...]:
    """Codes from "a,b" (a link) or ["a", "b"] (a control); anything else left out, each once."""
    items = value if isinstance(value, (list, tuple)) else [value]
    found = [part.strip() for item in items if isinstance(item, str) for part in item.split(",")]
    return tuple(dict.fromkeys(c for c in found if CODE.fullmatch(c)))[:MAX_CHOSEN]


def _choice(value, allowed: tuple[str, ...], default: str) -> str:
    value = _text(value)
    return value if value in allowed else default


def read_view(params) -> View:
    """The view a query's values (a mapping of name → value) describe, each clamped to its form."""
    get = params.get
    kind = _choice(get("kind"), KINDS, DEFAULT.kind)
    relative = _choice(get("relative"), PERIOD_CHOICES, DEFAULT.relative)
    # relative periods are resolved when the view is opened: chosen ones mean nothing beside them
    periods = tuple(p for p in _codes(get("periods")) if (parsed := parse_period(p)) and parsed.kind == kind) \
        if relative == "fixed" else ()
    rows = _choice(get("rows"), DIMENSIONS, DEFAULT.rows)
    cols = _choice(get("cols"), DIMENSIONS, DEFAULT.cols)
    if cols == rows:
        cols = next(d for d in DIMENSIONS if d != rows)
    return View(indicators=_codes(get("indicators")), level=_choice(get("level"), LEVELS, DEFAULT.level),
                areas=_codes(get("areas")), relative=relative,
                kind=kind, periods=periods, rows=rows, cols=cols, view=_choice(get("view"), CHARTS, DEFAULT.view))


def read_query(query: str) -> View:
    """The view of a query string ("indicators=a,b&level=township…", with or without "?")."""
    return read_view(parse_qs(str(query or "").lstrip("?")))


def query_string(view: View) -> str:
    """The view as the page's URL carries it, in one spelling (what a favourite stores); the
    language is the reader's, not the view's."""
    values = {name: ",".join(value) if isinstance(value, tuple) else value
              for name in NAMES if (value := getattr(view, name)) not in ((), "")}
    return urlencode(values, safe=",")


def href(view: View, lang: str) -> str:
    return "/analysis?" + query_string(view) + ("&lang=en" if lang == "en" else "")
