"""Small helpers the page callbacks share."""
from __future__ import annotations

import pandas as pd

from dashboard.components import indicator_info_href
from dashboard.i18n import period_name, stamp, t
from warehouse.geometry import clamp_radius
from warehouse.queries import coverage, registry


def radius_m(con, filters) -> float:
    """The radius the page asks for (its slider, in the URL), else the settings' (coverage.radius_m)."""
    return clamp_radius(filters.params.get("radius") or coverage.default_radius_m(con))


def caption(filters, as_of=None, note: str = "") -> str:
    """Under every chart and table: the data's period (or the date it is as of) and the time of
    the latest load, after a `note` on what is shown when there is one (drawn by area, left out)."""
    loaded = stamp(filters.state.loaded_at, with_time=True)
    if as_of is not None:
        text = t("caption.now", filters.lang, as_of=stamp(as_of), loaded=loaded)
    elif filters.period is None:        # nothing loaded yet: no period to name
        text = t("empty.no_data", filters.lang)
    else:
        text = t("caption", filters.lang, period=period_name(filters.period.label, filters.lang), loaded=loaded)
    return f"{note} {text}" if note else text


def indicator_choice(con, lang: str, current: str | None) -> tuple[list[dict], str | None]:
    """The registry's indicators as dropdown options, and the current choice if it is one of them."""
    frame = registry.indicators(con)
    name = "name_en" if lang == "en" else "name_zh"
    options = [{"label": row[name], "value": row["indicator_code"]} for _, row in frame.iterrows()]
    codes = [o["value"] for o in options]
    return options, current if current in codes else (codes[0] if codes else None)


def first_rows(frame, limit: int, capped_key: str, lang: str) -> tuple:
    """The first `limit` rows of a long list the grid shows (its export has them all), and the
    sentence `capped_key` saying how many there are when some were left out ("" when none were)."""
    shown = frame.head(limit)
    if len(shown) == len(frame):
        return shown, ""
    return shown, t(capped_key, lang, total=f"{len(frame):,}", shown=f"{len(shown):,}")


def indicator_section(con, lang: str, current: str | None) -> tuple[list[dict], str | None, str]:
    """A page section's indicator choice, answered with its chart in the same request: the
    options, the chosen code and its link into the indicator dictionary."""
    options, chosen = indicator_choice(con, lang, current)
    return options, chosen, indicator_info_href(chosen, lang)


def indicator_label(con, indicator: str | None, lang: str) -> tuple[str, bool] | None:
    """An indicator's name in `lang` and whether it is a count (no denominator in the registry);
    None for a code the registry does not have."""
    spec = registry.indicators(con).set_index("indicator_code")
    if indicator not in spec.index:
        return None
    denominator = spec.loc[indicator, "denominator"]
    return spec.loc[indicator, "name_en" if lang == "en" else "name_zh"], denominator is None or pd.isna(denominator)
