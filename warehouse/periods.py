"""Period labels of the views ('2024-03', '2024Q1', '2024') and the dates they span."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("year", "quarter", "month")


@dataclass(frozen=True)
class Period:
    kind: str
    label: str
    start: date
    end: date          # last day

    def previous(self) -> "Period":
        return period_containing(self.start - timedelta(days=1), self.kind)

    def same_last_year(self) -> "Period":
        return period_containing(self.start.replace(year=self.start.year - 1), self.kind)


def _month_end(year: int, month: int) -> date:
    return date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)


def parse_period(label: str | None) -> Period | None:
    label = (label or "").strip()
    if match := re.fullmatch(r"(\d{4})", label):
        year = int(match.group(1))
        return Period("year", label, date(year, 1, 1), date(year, 12, 31))
    if match := re.fullmatch(r"(\d{4})Q([1-4])", label):
        year, quarter = int(match.group(1)), int(match.group(2))
        return Period("quarter", label, date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter))
    if match := re.fullmatch(r"(\d{4})-(\d{2})", label):
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return Period("month", label, date(year, month, 1), _month_end(year, month))
    return None


def period_containing(day: date, kind: str) -> Period:
    if kind == "year":
        return parse_period(f"{day.year}")
    if kind == "quarter":
        return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    return parse_period(f"{day.year}-{day.month:02d}")


def periods_up_to(first_month: date, latest_month: date, kind: str) -> list[Period]:
    """Every period of a kind from the first to the latest loaded month, newest first."""
    found, period = [], period_containing(latest_month, kind)
    while period.end >= first_month:
        found.append(period)
        period = period.previous()
    return found


def latest_complete(latest_month: date, kind: str) -> Period:
    """The newest period of a kind whose last month is loaded."""
    period = period_containing(latest_month, kind)
    if period.end > _month_end(latest_month.year, latest_month.month):
        period = period.previous()
    return period


def trailing_months(latest_month: date, months: int) -> tuple[str, str]:
    """The `months` months up to the latest loaded one, as 'YYYY-MM' bounds."""
    index = latest_month.year * 12 + latest_month.month - 1 - (months - 1)
    return f"{index // 12}-{index % 12 + 1:02d}", f"{latest_month.year}-{latest_month.month:02d}"
