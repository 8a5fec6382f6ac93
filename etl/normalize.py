"""Parsers for the messy forms bureaus really send: each returns a clean value or raises BadValue."""
from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, datetime, timedelta


class BadValue(ValueError):
    """The cell cannot be read as the column's type; `reason` is a message code (etl.problems)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def clean_text(value) -> str:
    """Text with full-width forms folded to half-width (NFKC) and surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    text = unicodedata.normalize("NFKC", str(value))
    return text.replace("\u3000", " ").strip()


def header_key(value) -> str:
    """How headers are compared: NFKC, lower case, no spaces or punctuation around."""
    if value.__class__ is str:
        return _text_key(value)      # the first cells of every row are compared with 合计 etc.
    return _text_key(clean_text(value))


@functools.lru_cache(maxsize=65536)
def _text_key(text: str) -> str:
    return re.sub(r"[\s_\-·:：()（）\[\]【】*＊]", "", clean_text(text).lower())


_UNIT_FORMS = (
    re.compile(r"^(?P<name>.+?)\s*[(\[【]\s*(?:单位\s*[:：]?\s*)?(?P<unit>[^()\[\]【】]{1,10}?)\s*[)\]】]$"),
    re.compile(r"^(?P<name>.+?)\s*/\s*(?P<unit>[^/]{1,6})$"),
    re.compile(r"^(?P<name>.+?)\s*[,，]?\s*单位\s*[:：]\s*(?P<unit>.{1,10})$"),
)


def split_unit(value) -> tuple[str, str | None]:
    """A header's name and the unit written after it: 建档人数（人）, 门诊人次/人次, 面积(km²),
    面积 单位：平方公里 → (name, unit); (text, None) when it carries none."""
    text = clean_text(value)
    for form in _UNIT_FORMS:
        match = form.match(text)
        if match:
            return match.group("name").strip(), match.group("unit").strip()
    return text, None


def is_blank(value) -> bool:
    if value.__class__ is str and value.isascii():
        return not value.strip()     # NFKC leaves ASCII as it is
    return clean_text(value) == ""


def parse_code(value) -> str:
    """A code is text: leading zeros stay. Excel numbers written as 370902.0 come back as 370902."""
    text = clean_text(value)
    if isinstance(value, float) and not value.is_integer():
        raise BadValue("bad_code")
    text = text.replace(" ", "")
    if _SCIENTIFIC.fullmatch(text):
        raise BadValue("code_scientific")
    if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z\-_.]*", text):
        raise BadValue("bad_code")
    return text


_SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d{1,2}")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[+-]?\.\d+$")


def parse_number(value) -> float:
    if isinstance(value, bool):
        raise BadValue("bad_number")
    if isinstance(value, (int, float)):
        if value != value:  # NaN
            raise BadValue("bad_number")
        return float(value)
    text = clean_text(value).replace("，", ",").replace(" ", "")
    if not _NUMBER.match(text):
        raise BadValue("bad_number")
    return float(text.replace(",", ""))


def parse_count(value) -> int:
    number = parse_number(value)
    if number < 0:
        raise BadValue("negative")
    if not float(number).is_integer():
        raise BadValue("not_whole")
    return int(number)


_TRUE = {"是", "y", "yes", "1", "✓", "✔", "√", "true", "t", "有", "对"}
_FALSE = {"否", "n", "no", "0", "✗", "✘", "×", "false", "f", "无", "不是"}


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = clean_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue("bad_bool")


_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        return _EXCEL_EPOCH + timedelta(days=int(value))  # an Excel serial date
    text = clean_text(value)
    text = re.sub(r"\s+00:00(:00)?$", "", text)
    match = (re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
             or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text))
    if not match:
        raise BadValue("bad_date")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise BadValue("bad_date") from None


def parse_period(value) -> date:
    """A month, returned as its first day: 2023-03, 2023/3, 202303, 2023年3月, 2023.03, a date in it."""
    if isinstance(value, (datetime, date)):
        return parse_date(value).replace(day=1)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        return parse_date(value).replace(day=1)
    text = clean_text(value)
    match = (re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?", text)
             or re.fullmatch(r"(\d{4})(\d{2})", text))
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and 1900 < year < 2200:
            return date(year, month, 1)
        raise BadValue("bad_period")
    try:
        return parse_date(value).replace(day=1)
    except BadValue:
        raise BadValue("bad_period") from None


def parse_choice(value, choices: dict[str, str]) -> str:
    """Map any accepted spelling (compared as header keys) to its canonical value."""
    key = header_key(value)
    for spelling, canonical in choices.items():
        if header_key(spelling) == key:
            return canonical
    raise BadValue("bad_choice")
