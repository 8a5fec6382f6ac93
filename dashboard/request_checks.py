"""What a callback request may carry, checked before any callback runs (installed by
dashboard/app.py): the request names a callback of this app with its declared inputs, and every
value has the type and size its component sends. Anything else is a 400 that names the input and
the reason, never an error deep inside a callback. Whether a well-typed value means anything (an
area of the user's, a period that exists) stays the callbacks' and the warehouse's business.

A rule per component property (`RULES`); tests/test_request_checks.py checks that every input of
every callback has one and sends each rule's own bad values to every callback."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from warehouse.actions import MAX_NOTE_CHARS
from warehouse.queries.coverage import AREA_KINDS, SITE_CANDIDATES

CODE = re.compile(r"[0-9A-Za-z_.:-]*")       # area, facility, indicator and template codes, batch versions
MAX_LIST = 1000                               # selected rows, chosen areas: more than a page ever sends


@dataclass(frozen=True)
class Rule:
    """`why_not(value)` is None when the value may be sent, else the reason. `odd` are values that
    pass but mean nothing (for the fuzz test: callbacks must answer them without an error);
    `bad` are values that must be refused."""
    describe: str
    why_not: Callable[[object], str | None]
    odd: tuple = ()
    bad: tuple = field(default=(12345, 1.5, True, ["a"], {"a": 1}))


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def text(max_chars: int, pattern: re.Pattern | None = None, odd: tuple = ()) -> Rule:
    def why_not(value):
        if value is None:
            return None
        if not isinstance(value, str):
            return "not text"
        if len(value) > max_chars:
            return f"longer than {max_chars} characters"
        if pattern is not None and not pattern.fullmatch(value):
            return f"not of the form {pattern.pattern}"
        return None
    filler = "9" if pattern is not None else "字"
    if not odd:
        odd = ("", "zzz", "0", "-") if pattern is not None else ("", "<script>alert(1)</script>"[:max_chars],
                                                              "=1+1"[:max_chars])
    too_long = ()
    if max_chars <= 200_000:           # the longest allowed, and one more
        stem = odd[-1] or filler
        odd += ((stem + filler * max_chars)[:max_chars],)
        too_long = (stem + filler * max_chars,)
    return Rule(f"text ≤ {max_chars}" + (f" of the form {pattern.pattern}" if pattern is not None else ""), why_not,
                odd=odd, bad=(12345, 1.5, True, ["a"], {"a": 1}) + too_long)


def date() -> Rule:
    """A date input's value: the browser sends YYYY-MM-DD, but anything of ten characters may come."""
    return text(10, odd=("", "2026-13-45", "0000-00-00", "x"))


def path() -> Rule:
    """A browser's location: it always starts with a slash."""
    return text(500, re.compile(r"/.*", re.DOTALL), odd=("/", "/<script>", "/facility/zzz", "/nowhere/at/all", "/字"))


def code(max_chars: int = 64) -> Rule:
    return text(max_chars, CODE)


def one_of(*values) -> Rule:
    def why_not(value):
        return None if value is None or value in values else f"not one of {', '.join(map(str, values))}"
    return Rule(f"one of {values}", why_not, odd=(None,), bad=(12345, "zz", ["a"], {"a": 1}))


def whole(low: int, high: int) -> Rule:
    def why_not(value):
        if value is None:
            return None
        if not _is_int(value):
            return "not a whole number"
        return None if low <= value <= high else f"outside {low}–{high}"
    return Rule(f"whole number {low}–{high}", why_not, odd=(None, low, high),
                bad=("1", 1.5, True, [1], {"a": 1}, high + 1, low - 1))


def number(low: float, high: float) -> Rule:
    def why_not(value):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "not a number"
        return None if low <= value <= high else f"outside {low}–{high}"
    return Rule(f"number {low}–{high}", why_not, odd=(None, low, high, 0.5),
                bad=("1", True, [1], {"a": 1}, high + 1, low - 1))


def flag() -> Rule:
    def why_not(value):
        return None if value is None or isinstance(value, bool) else "not true or false"
    return Rule("true or false", why_not, odd=(None, True, False), bad=(1, "true", [True], {"a": 1}))


def list_of(item: Rule, max_items: int = MAX_LIST) -> Rule:
    def why_not(value):
        if value is None:
            return None
        if not isinstance(value, list):
            return "not a list"
        if len(value) > max_items:
            return f"more than {max_items} items"
        for position, element in enumerate(value):
            if element is None:
                return f"item {position + 1}: missing"
            reason = item.why_not(element)
            if reason:
                return f"item {position + 1}: {reason}"
        return None
    return Rule(f"list (≤ {max_items}) of {item.describe}", why_not,
                odd=(None, [], [o for o in item.odd if o is not None][:2]),
                bad=("a", 12345, {"a": 1}, [None], [item.bad[0]], [item.odd[0] if item.odd else "a"] * (max_items + 1)))


def json_value(max_bytes: int, kind: type | tuple[type, ...] | None = None) -> Rule:
    """Any JSON the component itself produces (a table's selected rows, a map's clicked point, a
    component tree), of the given Python type and at most `max_bytes` once written out."""
    def why_not(value):
        if value is None:
            return None
        if kind is not None and not isinstance(value, kind):
            return "wrong type"
        if len(json.dumps(value, ensure_ascii=False)) > max_bytes:
            return f"larger than {max_bytes} bytes"
        return None
    samples = {dict: ({}, {"points": "x"}, {"points": [None, 1, "a"]}),
               list: ([], [{}], [{"facility_code": 1, "flag_key": ["x"]}], [{"x": None}])}
    odd = (None,) + (samples.get(kind, ("", 0, [], {})) if not isinstance(kind, tuple) else ("", 0))
    bad = (("x" * (max_bytes + 10),) if kind is None else ("a", 12345, ["x" * (max_bytes + 10)] if kind is list
                                                          else {"x": "x" * (max_bytes + 10)}))
    return Rule(f"JSON ≤ {max_bytes} bytes", why_not, odd=odd, bad=bad)


def either(*rules: Rule) -> Rule:
    def why_not(value):
        reasons = [rule.why_not(value) for rule in rules]
        return None if any(r is None for r in reasons) else "; ".join(r for r in reasons if r)
    odd = tuple(v for rule in rules for v in rule.odd)
    bad = tuple(v for v in (12345, 1.5, True, {"a": 1}, [{"a": 1}]) if all(r.why_not(v) for r in rules))
    return Rule(" or ".join(r.describe for r in rules), why_not, odd=odd, bad=bad)


def rows_request() -> Rule:
    """What a grid's infinite row model asks for (dashboard/paging.py): a block of rows, its sort
    and the built-in text and number filters' model."""
    from dashboard.paging import MAX_BLOCK, NUMBER_TYPES, TEXT_TYPES
    sort_rule, field_rule = one_of("asc", "desc"), code()

    def condition_why_not(condition) -> str | None:
        if not isinstance(condition, dict):
            return "a filter is not an object"
        kind, types = condition.get("filterType"), {"text": TEXT_TYPES, "number": NUMBER_TYPES}
        if kind not in types or condition.get("type") not in types[kind]:
            return "a filter of a kind the grid does not send"
        for key in ("filter", "filterTo"):
            value = condition.get(key)
            if kind == "number" and value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                return f"a number filter's {key} is not a number"
            if kind == "text" and value is not None and (not isinstance(value, str) or len(value) > 200):
                return f"a text filter's {key} is not text"
        return None

    def why_not(value):
        if value is None:
            return None
        if not isinstance(value, dict) or len(json.dumps(value, ensure_ascii=False)) > 20_000:
            return "not a request for rows"
        start, end = value.get("startRow"), value.get("endRow")
        if not (_is_int(start) and _is_int(end) and 0 <= start <= end <= 10 ** 7 and end - start <= MAX_BLOCK):
            return f"startRow and endRow are not a block of at most {MAX_BLOCK} rows"
        sorts = value.get("sortModel") or []
        if not isinstance(sorts, list) or len(sorts) > 50 or any(
                not isinstance(s, dict) or field_rule.why_not(s.get("colId")) or s.get("colId") is None
                or sort_rule.why_not(s.get("sort")) or s.get("sort") is None for s in sorts):
            return "sortModel: not a list of columns and directions"
        filters = value.get("filterModel") or {}
        if not isinstance(filters, dict) or any(field_rule.why_not(column) for column in filters):
            return "filterModel: not filters by column"
        for model in filters.values():
            parts = model.get("conditions") if isinstance(model, dict) and "conditions" in model else [model]
            if not isinstance(parts, list) or not parts or len(parts) > 10:
                return "filterModel: not a list of conditions"
            if isinstance(model, dict) and "conditions" in model and model.get("operator") not in ("AND", "OR"):
                return "filterModel: conditions joined by neither AND nor OR"
            reason = next((r for r in map(condition_why_not, parts) if r), None)
            if reason:
                return f"filterModel: {reason}"
        return None
    block = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}
    return Rule("a block of rows", why_not,
                odd=(None, block, {**block, "startRow": 10 ** 7, "endRow": 10 ** 7},
                     {**block, "sortModel": [{"colId": "zzz", "sort": "desc"}]},
                     {**block, "filterModel": {"zzz": {"filterType": "number", "type": "inRange", "filter": 1}}},
                     {**block, "filterModel": {"township_name": {"filterType": "text", "operator": "OR", "conditions": [
                         {"filterType": "text", "type": "contains", "filter": "<script>"},
                         {"filterType": "text", "type": "blank"}]}}}),
                bad=("a", 12345, [block], {**block, "endRow": 100_000}, {**block, "startRow": -1},
                     {**block, "sortModel": [{"colId": "a", "sort": "up"}]},
                     {**block, "filterModel": {"a": {"filterType": "date", "type": "equals"}}},
                     {**block, "filterModel": {"a": {"filterType": "number", "type": "equals", "filter": "1"}}}))


CLICKS = whole(0, 10 ** 9)
ROWS = json_value(200_000, list)
FILE_NAME = text(255)

# By property first (every button and interval alike), then by component.
BY_PROPERTY = {
    "n_clicks": CLICKS,
    "n_intervals": CLICKS,
    "disabled": flag(),
}
RULES = {
    ("shell-url-location", "pathname"): path(),
    # as long as a request line gunicorn takes (limit_request_line): the analysis page's links list areas
    ("shell-url-location", "search"): text(4094),
    ("_pages_location", "pathname"): path(),
    ("_pages_location", "search"): text(4094),
    ("shell-area-dropdown", "value"): code(),
    ("shell-period-dropdown", "value"): code(16),
    ("shell-period-kind-radio", "value"): one_of("month", "quarter", "year"),
    ("shell-lang-store", "data"): one_of("zh", "en"),
    ("shell-search-dropdown", "search_value"): text(100),
    ("shell-search-dropdown", "value"): code(),
    ("coverage-map-graph", "clickData"): json_value(20_000, dict),
    ("facility-code-store", "data"): code(),
    ("township-code-store", "data"): code(),
    ("quality-outliers-table", "selectedRows"): ROWS,
    ("quality-consistency-table", "selectedRows"): ROWS,
    ("quality-note-input", "value"): text(MAX_NOTE_CHARS),
    ("quality-version-store", "data"): either(whole(0, 10 ** 9), code()),
    ("supervision-ranking-table", "selectedRows"): ROWS,
    ("supervision-record-facility-dropdown", "value"): code(),
    ("supervision-record-facility-dropdown", "search_value"): text(100),
    ("supervision-record-date-input", "date"): date(),
    ("supervision-record-rectify-input", "date"): date(),
    ("supervision-record-kind-dropdown", "value"): text(20),
    ("supervision-record-score-input", "value"): number(-1e6, 1e6),
    # generous: the findings' own limit (a setting) is told on the page, in words
    ("supervision-record-findings-textarea", "value"): text(100_000),
    ("supervision-record-message-div", "children"): json_value(50_000),
    ("townships-initial-store", "data"): list_of(code(), 200),
    ("townships-phone-store", "data"): flag(),
    ("townships-scorecard-table", "getRowsRequest"): rows_request(),
    ("upload-files-upload", "contents"): either(text(10 ** 10), list_of(text(10 ** 10), 100)),
    ("upload-files-upload", "filename"): either(FILE_NAME, list_of(FILE_NAME, 100)),
    ("upload-job-store", "data"): one_of("check", "load"),
    ("bulletin-number-input", "value"): text(20),
    ("bulletin-made-store", "data"): code(40),
    ("bulletin-history-dropdown", "value"): code(40),
    ("bulletin-job-store", "data"): code(64),
    ("upload-token-store", "data"): code(64),
    ("upload-restore-dropdown", "value"): code(64),
    ("upload-rollback-dropdown", "value"): whole(0, 2 ** 62),
    ("users-name-input", "value"): text(64),
    ("users-display-input", "value"): text(100),
    ("users-role-dropdown", "value"): code(16),
    ("users-districts-dropdown", "value"): list_of(code(), 200),
    ("users-target-dropdown", "value"): text(64),
    ("users-audit-user-dropdown", "value"): text(64),
    ("users-audit-action-dropdown", "value"): code(),
    ("users-audit-from-input", "date"): date(),
    ("users-audit-to-input", "date"): date(),
    ("users-audit-text-input", "value"): text(100),
    ("users-message-div", "children"): json_value(50_000),
    # the page controls ({"type": "param", "name": …}): settings of a page, kept in its address
    ("param:compare", "value"): list_of(code(), 50),
    # the analysis page (dashboard/analysis_view.py clamps each to its form, the callbacks check it)
    ("param:indicators", "value"): list_of(code(), 200),
    ("param:level", "value"): code(16),
    ("param:areas", "value"): list_of(code(), MAX_LIST),
    ("param:relative", "value"): code(32),
    ("param:kind", "value"): code(16),
    ("param:periods", "value"): list_of(code(16), 500),
    ("param:rows", "value"): code(16),
    ("param:cols", "value"): code(16),
    ("param:view", "value"): code(16),
    ("analysis-initial-store", "data"): json_value(50_000, dict),
    ("analysis-favourite-name-input", "value"): text(200),
    ("analysis-favourite-dropdown", "value"): text(200),
    ("param:types", "value"): list_of(code(16), 10),
    ("param:indicator", "value"): code(),
    ("param:trend", "value"): code(),
    ("param:indicator_trend", "value"): code(),
    ("param:rank", "value"): code(),
    ("param:outcome", "value"): code(),
    ("param:resource", "value"): code(),
    ("param:metric", "value"): code(),
    ("param:per", "value"): code(),
    ("param:ranking", "value"): list_of(one_of("all"), 1),
    ("param:site_district", "value"): code(),
    ("param:radius", "value"): number(0, 100_000),
    ("param:sites", "value"): whole(0, 1000),
    ("param:site_kind", "value"): one_of(*AREA_KINDS),
    ("param:site_candidates", "value"): one_of(*SITE_CANDIDATES),
    ("param:site_file", "value"): code(16),
    # a candidate list as a data URL (the callback refuses one over etl.candidates.LIMITS, 1 MB, by
    # name; the request's own bound is the app's MAX_CONTENT_LENGTH), and its name
    ("coverage-site-file-upload", "contents"): text(10 ** 8),
    ("coverage-site-file-upload", "filename"): FILE_NAME,
}
EXPORT_BUTTON_KEYS = {"type": code(16), "table": code(), "format": one_of("xlsx", "csv")}


def rule_for(component, prop: str) -> Rule | None:
    """The rule for one input, by its id as sent (a string, or a dict for pattern-matched ids)."""
    if prop in BY_PROPERTY:
        return BY_PROPERTY[prop]
    if isinstance(component, dict):
        component = f"{component.get('type')}:{component.get('name')}"
    return RULES.get((component, prop)) if isinstance(component, str) else None


class BadRequest(ValueError):
    pass


def check(body, callback_map: dict) -> None:
    """Raises BadRequest (its message says which input and why) unless the body is a request the
    app's front end could have sent."""
    if not isinstance(body, dict):
        raise BadRequest("not a JSON object")
    declared = callback_map.get(body.get("output")) if isinstance(body.get("output"), str) else None
    if declared is None:
        raise BadRequest("no such callback")
    _check_outputs(body.get("outputs"), body["output"])
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or len(changed) > MAX_LIST or not all(isinstance(c, str) for c in changed):
        raise BadRequest("changedPropIds: not a list of names")
    for section in ("inputs", "state"):
        sent = body.get(section, [])
        expected = declared.get(section, [])
        if not isinstance(sent, list) or len(sent) != len(expected):
            raise BadRequest(f"{section}: {len(expected)} expected")
        for entry, spec in zip(sent, expected):
            _check_entry(entry, spec, section)


def _check_outputs(outputs, output: str) -> None:
    """One output: its {id, property}; several ("..a.b...c.d.."): a list of as many."""
    several = output.startswith("..")
    items = outputs if several and isinstance(outputs, list) else [outputs]
    if several and (not isinstance(outputs, list) or len(outputs) != len(output[2:-2].split("..."))):
        raise BadRequest("outputs: not what the callback declares")
    for item in items:
        if not (isinstance(item, dict) and isinstance(item.get("property"), str)
                and isinstance(item.get("id"), (str, dict))):
            raise BadRequest("outputs: not what the callback declares")


def _check_entry(entry, spec: dict, section: str) -> None:
    wildcard = spec["id"].startswith("{") and '["ALL"]' in spec["id"]
    if wildcard:
        pattern = json.loads(spec["id"])
        if not isinstance(entry, list) or len(entry) > MAX_LIST:
            raise BadRequest(f"{section} {spec['id']}.{spec['property']}: not a list of components")
        for item in entry:
            if not (isinstance(item, dict) and isinstance(item.get("id"), dict)
                    and item["id"].get("type") == pattern.get("type") and item.get("property") == spec["property"]):
                raise BadRequest(f"{section} {spec['id']}.{spec['property']}: not a component it matches")
            _check_value(item["id"], spec["property"], item.get("value"))
        return
    if not isinstance(entry, dict):
        raise BadRequest(f"{section} {spec['id']}.{spec['property']}: not an input")
    sent_id = entry.get("id")
    same_id = (json.dumps(sent_id, sort_keys=True, separators=(",", ":")) == spec["id"]
               if isinstance(sent_id, dict) else sent_id == spec["id"])
    if not same_id or entry.get("property") != spec["property"]:
        raise BadRequest(f"{section}: {spec['id']}.{spec['property']} expected")
    _check_value(sent_id, spec["property"], entry.get("value"))


def _check_value(component, prop: str, value) -> None:
    if isinstance(component, dict) and component.get("type") == "export":
        for key, rule in EXPORT_BUTTON_KEYS.items():
            if rule.why_not(component.get(key)) or component.get(key) is None:
                raise BadRequest(f"export button: {key} is not one of ours")
    rule = rule_for(component, prop)
    name = f"{component if isinstance(component, str) else json.dumps(component, sort_keys=True)}.{prop}"
    if rule is None:
        raise BadRequest(f"{name}: not an input of this app")
    reason = rule.why_not(value)
    if reason:
        raise BadRequest(f"{name}: {reason}")
