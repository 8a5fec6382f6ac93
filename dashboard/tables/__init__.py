"""Every table a page shows, built once for the screen and for its xlsx/csv export, so both hold
the same rows for the same filters.

A table is a `Table`: the one warehouse call that answers it (`fetch`, declared beside the
page's callbacks) and a shaper (`shape`, in `dashboard/tables/<page>.py`) that takes the call's
DataFrame — never a connection — and returns (columns, frame): columns are (field, header, kind)
with kind text | whole | int | pct | dec | link | township | rate_or_count | scorecell | scorecount | byrow
(`township`: a township's name, drawn as a link to its profile from the row's township_code; `whole`:
a short text its column is as wide as, never cut). Shapers
name, translate and order; the numbers and their states come from the warehouse."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd

from dashboard.i18n import t
from dashboard.workbook import csv_bytes, xlsx_bytes

Columns = list[tuple[str, str, str]]


@dataclass(frozen=True)
class Table:
    fetch: Callable[[Any, Any], Any]                        # (con, filters) -> the warehouse's answer
    shape: Callable[[Any, Any], tuple[Columns, pd.DataFrame]]   # (answer, filters) -> (columns, frame)

    def build(self, con, filters) -> tuple[Columns, pd.DataFrame]:
        return self.shape(self.fetch(con, filters), filters)


def name_column(frame: pd.DataFrame, lang: str, stem: str = "name") -> pd.Series:
    return frame[f"{stem}_en"] if lang == "en" else frame[f"{stem}_zh"]


def facility_href(code: str, lang: str) -> str:
    """The address of a facility's profile, in the language of the page that links to it."""
    return f"/facility/{code}{'?lang=en' if lang == 'en' else ''}"


def profile_link(name: str, code: str, lang: str) -> str:
    """A markdown link to a facility's profile; brackets in names cannot break out of it."""
    label = str(name).replace("[", "(").replace("]", ")").replace("\\", "")
    return f"[{label}]({facility_href(code, lang)})"


def profile_links(frame: pd.DataFrame, lang: str) -> list[str]:
    return [profile_link(n, c, lang) for n, c in zip(frame["name"], frame["facility_code"])]


def township_href(code: str, lang: str) -> str:
    """The address of a street's or town's profile, in the language of the page that links to it."""
    return f"/township/{code}{'?lang=en' if lang == 'en' else ''}"


def indicator_link(name: str, code: str, lang: str) -> str:
    """An ⓘ opening the indicator's entry in the indicator dictionary (指标说明), then its name (the
    ⓘ first: a narrow column cuts the end of a long name off)."""
    label = str(name).replace("[", "(").replace("]", ")").replace("\\", "")
    return f"[ⓘ](/indicators?code={code}{'&lang=en' if lang == 'en' else ''}) {label}"


def indicator_links(frame: pd.DataFrame, lang: str) -> list[str]:
    return [indicator_link(n, c, lang) for n, c in zip(frame["indicator"], frame["indicator_code"])]


def with_indicator_names(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A copy of an indicator table with what its shapers show: the name, its ⓘ link, the
    category and whether it meets its target, in the page's language."""
    frame = frame.copy()
    frame["indicator"] = name_column(frame, lang)
    frame["indicator_link"] = indicator_links(frame, lang)
    frame["category_name"] = name_column(frame, lang, "category")
    frame["meets"] = yes_no(frame["meets_target"], lang)
    return frame


# What a link column holds as plain text, in exports (a link's markdown means nothing in a file).
LINK_TEXT = {"profile": "name", "indicator_link": "indicator", "metric_link": "metric"}


def yes_no(values: pd.Series, lang: str) -> pd.Series:
    return values.map({True: t("yes", lang), False: t("no", lang)})


def to_file(columns: Columns, frame: pd.DataFrame, fmt: str) -> bytes:
    """The table as the user sees it: headers in their language, raw numbers (not text); a link
    column is exported as the facility's name."""
    frame = frame.assign(**{c[0]: frame[LINK_TEXT.get(c[0], "name")] for c in columns
                            if c[2] == "link" and LINK_TEXT.get(c[0], "name") in frame})
    table = frame[[c[0] for c in columns]].rename(columns={c[0]: c[1] for c in columns})
    if fmt == "csv":
        return csv_bytes(table)
    return xlsx_bytes({"data": table})


SCORE_KINDS = ("scorecell", "scorecount")


def grid_rows(columns: Columns, frame: pd.DataFrame, helpers: tuple[str, ...] = ()) -> list[dict]:
    """Rows for AG Grid: the shown columns, plus helper fields formatters read (`x__state`, `kind`)
    and the township code a township column links with."""
    if any(c[2] == "township" for c in columns) and "township_code" in frame.columns:
        helpers = (*helpers, "township_code")
    fields = [c[0] for c in columns] + [h for h in frame.columns if h in helpers or any(
        str(h).startswith(f"{c[0]}__") for c in columns if c[2] in SCORE_KINDS)]
    table = frame[list(dict.fromkeys(fields))]
    floats = [c for c in table.columns if pd.api.types.is_float_dtype(table[c])]
    # six decimals show every figure as precisely as it is formatted and keep responses small;
    # NaN in a float column goes out as null (Dash's encoder), other columns need None
    table = table.round({c: 6 for c in floats})
    others = [c for c in table.columns if c not in floats and table[c].isna().any()]
    if others:
        table = table.assign(**{c: table[c].astype(object).where(table[c].notna(), None) for c in others})
    names = [str(c) for c in table.columns]
    return [dict(zip(names, row)) for row in zip(*(table[c].tolist() for c in table.columns))]
