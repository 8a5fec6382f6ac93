"""How wide a grid's number columns must be so that no number is ever cut ("1,689…"): each
value written as the grid's formatter writes it (dashboard.components.FORMATTERS), measured in
the grid's font, plus the cell's padding. Server-side, so the width holds whatever data arrives."""
from __future__ import annotations

import math
import re

import pandas as pd

from dashboard.i18n import t

# The grid's 14 px font: a digit, comma, point or sign is about 8.5 px, a CJK character 14 px.
NARROW_PX, WIDE_PX = 8.5, 14.5
# Alpine's cell padding (17 px each side), the right-aligned cell's margin and a little room.
PADDING_PX = 44


# A header's padding, its filter button and its sort arrow.
HEADER_EXTRA_PX = 66
# What a wrapped header cannot break: a run of letters, digits and signs (Chinese breaks anywhere).
UNBREAKABLE = re.compile(r"[^\s\u2e80-\uffff]+")


def header_px(header: str) -> int:
    """The width a column needs for its header to wrap between words, never inside one."""
    widest = max((text_px(word) for word in UNBREAKABLE.findall(header or "")), default=0)
    return math.ceil(max(widest, 2 * WIDE_PX) + HEADER_EXTRA_PX)


def text_px(text: str) -> float:
    if text.isascii():          # most numbers: every character narrow
        return len(text) * NARROW_PX
    # CJK, and the symbols drawn as wide (★ of the star ratings)
    return sum(WIDE_PX if ord(ch) >= 0x2E80 or 0x2600 <= ord(ch) <= 0x27BF else NARROW_PX for ch in text)


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def written(kind: str, value, row: dict, field: str) -> str:
    """The cell's text, as the grid's formatter of `kind` writes it."""
    if _blank(value):
        return "—"
    value = float(value)
    is_count = bool(row.get("is_count"))
    if kind == "int":
        return f"{value:,.0f}"
    if kind == "dec":
        return f"{value:,.1f}"
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "rate_or_count":
        return f"{value:,.0f}" if is_count else f"{value:.1%}"
    if kind.startswith("change_"):
        unit = t("unit.points", kind.removeprefix("change_"))
        return f"{value:+,.0f}" if is_count else f"{value * 100:+.1f} {unit}"
    if kind in ("scorecell", "scorecount"):
        number = f"{value:.1%}" if kind == "scorecell" else f"{value:,.0f}"
        return f"{number} {row.get(f'{field}__arrow') or ''}"
    if kind == "byrow":
        shape = row.get("kind")
        return f"{value:.1%}" if shape == "pct" else f"{value:,.1f}" if shape == "dec" else f"{value:,.0f}"
    return str(value)


def number_widths(columns, data, kinds) -> dict[str, int]:
    """The width each number column of `kinds` needs for its widest value in `data` (a DataFrame or
    the grid's rows)."""
    rows = data.to_dict("records") if isinstance(data, pd.DataFrame) else list(data or [])
    widths = {}
    for field, _, kind in columns:
        if kind not in kinds or not rows:
            continue
        # each text measured once (a national scorecard: 3,280 rows, a few hundred spellings per column)
        texts = {written(kind, row.get(field), row, field) for row in rows}
        widths[field] = math.ceil(max(map(text_px, texts)) + PADDING_PX)
    return widths


MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
# A pinned name is shown whole up to this width; a longer one ends in "…" (its tooltip has it all).
MAX_NAME_PX = 340


def name_px(field: str, data) -> int:
    """The width a pinned name column needs for its longest name in `data` (a DataFrame or the
    grid's rows): a link's text, not its address; at most MAX_NAME_PX."""
    values = data[field].tolist() if isinstance(data, pd.DataFrame) and field in data else \
        [row.get(field) for row in data] if isinstance(data, list) else []
    widest = max((text_px(MARKDOWN_LINK.sub(r"\1", str(v))) for v in values if not _blank(v)), default=0)
    return min(MAX_NAME_PX, math.ceil(widest + PADDING_PX))
