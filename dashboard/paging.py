"""Rows a grid asks for a block at a time (AG Grid's infinite row model), sorted and filtered on
the server as the grid would do it in the browser: a long table (every township of a province,
every facility of the country) never travels whole. The rows themselves come from a query kept
per version (warehouse/cache.py); this only picks the block.

The filter model is the one AG Grid's built-in text and number filters send; the request checks
(dashboard/request_checks.py) refuse any other shape before a callback runs."""
from __future__ import annotations

import math

DEFAULT_BLOCK = 100
MAX_BLOCK = 500          # rows in one response, whatever the request asks
TEXT_TYPES = ("contains", "notContains", "equals", "notEqual", "startsWith", "endsWith", "blank", "notBlank")
NUMBER_TYPES = ("equals", "notEqual", "greaterThan", "greaterThanOrEqual", "lessThan", "lessThanOrEqual",
                "inRange", "blank", "notBlank")


def rows_block(rows: list[dict], request: dict | None, default_sort: tuple[str, str] | None = None) -> dict:
    """`{"rowData": the rows startRow..endRow of the filtered, sorted rows, "rowCount": how many
    there are}`. Without a sort asked for, `default_sort` (field, "asc" | "desc") orders them."""
    request = request or {}
    start = max(int(request.get("startRow") or 0), 0)
    end = min(max(int(request.get("endRow") or start + DEFAULT_BLOCK), start), start + MAX_BLOCK)
    chosen = [row for row in rows if passes(row, request.get("filterModel") or {})]
    sorts = request.get("sortModel") or ([{"colId": default_sort[0], "sort": default_sort[1]}] if default_sort else [])
    for sort in reversed(sorts):      # stable sorts, last key first: the first one decides
        chosen.sort(key=lambda row, column=sort["colId"], descending=sort["sort"] == "desc":
                    _sort_key(row.get(column), descending), reverse=sort["sort"] == "desc")
    return {"rowData": chosen[start:end], "rowCount": len(chosen)}


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _sort_key(value, descending: bool):
    # blanks (no data) go last in either direction: a ranking's end is the last with a value
    if _blank(value):
        return (0 if descending else 2, 0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (1, value, "")
    return (1, 0, str(value).lower())


def passes(row: dict, filter_model: dict) -> bool:
    """Whether a row is kept by every column's filter (each a condition, or two or more joined by
    AND / OR, as AG Grid sends them)."""
    for column, model in filter_model.items():
        conditions = model.get("conditions")
        if conditions:
            results = [_condition(row.get(column), condition) for condition in conditions]
            if not (any(results) if model.get("operator") == "OR" else all(results)):
                return False
        elif not _condition(row.get(column), model):
            return False
    return True


def _condition(value, condition: dict) -> bool:
    kind = condition.get("type")
    if kind == "blank":
        return _blank(value)
    if kind == "notBlank":
        return not _blank(value)
    if condition.get("filterType") == "number":
        if _blank(value) or isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        low, high = condition.get("filter"), condition.get("filterTo")
        if low is None:
            return True          # a condition not filled in yet filters nothing, as in the browser
        return {"equals": value == low, "notEqual": value != low, "greaterThan": value > low,
                "greaterThanOrEqual": value >= low, "lessThan": value < low, "lessThanOrEqual": value <= low,
                "inRange": high is not None and low <= value <= high}[kind]
    wanted = str(condition.get("filter") or "").lower()
    if not wanted:
        return True
    text = "" if _blank(value) else str(value).lower()
    return {"contains": wanted in text, "notContains": wanted not in text, "equals": text == wanted,
            "notEqual": text != wanted, "startsWith": text.startswith(wanted), "endsWith": text.endswith(wanted)}[kind]
