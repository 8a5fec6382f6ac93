"""Finding a sheet's header: one row, or two (a group row above the details, merged or not), and
checking that every header cell is accounted for (docs/data.md, "Forms a file may take")."""
from __future__ import annotations

from dataclasses import dataclass

from etl import normalize as n
from etl.problems import Problem
from etl.readers import Sheet
from etl.templates import Column, Template, recognize

HEADER_SEARCH_ROWS = 30


@dataclass
class RecognizedSheet:
    sheet: Sheet
    template: Template
    columns: dict[int, Column]
    header_row: int          # the last header row: data starts below it
    headers: list            # the header text of each column (two rows joined)
    first_header_row: int = 0

    @property
    def two_rows(self) -> bool:
        return self.first_header_row != self.header_row


def find_header(sheet: Sheet, all_templates: dict[str, Template]) -> RecognizedSheet | None:
    """The header among the first rows that names the most columns of a template: a single row,
    or a group row joined with the detail row under it when that names more."""
    rows = sheet.rows[:HEADER_SEARCH_ROWS + 1]
    best: tuple[int, RecognizedSheet] | None = None
    for index, (number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        candidates = [(number, list(cells))]
        if index + 1 < len(rows) and rows[index + 1][0] == number + 1:
            below_number, below = rows[index + 1]
            joined = joined_header(cells, below, number, sheet.merged)
            candidates.append((below_number, _prefer_known(joined, cells, below, all_templates)))
        for last_row, header in candidates:
            match = recognize(header, all_templates)
            if match is None:
                continue
            template, columns = match
            # Two rows win a tie when the second one cannot be data: its key cells are blank.
            two_rows = last_row != number
            under_keys_blank = two_rows and all(
                n.is_blank(below[i]) if i < len(below) else True for i, c in columns.items() if c.required)
            if best is None or len(columns) > best[0] or (len(columns) == best[0] and under_keys_blank):
                best = (len(columns), RecognizedSheet(sheet, template, columns, last_row, header, number))
        if best is not None and best[1].header_row <= number:
            break       # a header was found above; rows below it are data
    return best[1] if best else None


def joined_header(group: list, detail: list, group_row: int, merged) -> list:
    """Each column's header from a group row and the detail row under it: 高血压 over 管理人数
    becomes 高血压管理人数; a cell merged down (or alone above a blank) keeps its own text. A group
    label spans the columns of its merged range or, in a file without merges, the blank cells to
    its right that have a detail below them."""
    width = max(len(group), len(detail))
    group = list(group) + [None] * (width - len(group))
    detail = list(detail) + [None] * (width - len(detail))
    spans = _group_spans(group, detail, group_row, merged)
    header = []
    for index in range(width):
        top, below = group[index], detail[index]
        if n.is_blank(below):
            header.append(top if not n.is_blank(top) else None)
            continue
        label = spans[index]
        header.append(f"{n.clean_text(label)}{n.clean_text(below)}" if label is not None else below)
    return header


def _group_spans(group: list, detail: list, group_row: int, merged) -> list:
    """The group label over each column (None where there is none)."""
    row0 = group_row - 1
    horizontal = [(c0, c1) for (r0, c0), (r1, c1) in (merged or []) if r0 <= row0 <= r1 and c1 > c0]
    labels: list = [None if n.is_blank(g) else g for g in group]
    if sum(label is not None for label in labels) <= 1:
        return [None] * len(labels)      # a title (or one cell merged down) groups nothing
    if horizontal:
        for c0, c1 in horizontal:
            for index in range(c0 + 1, min(c1, len(labels) - 1) + 1):
                labels[index] = labels[c0]
        return labels
    current = None
    for index, cell in enumerate(group):
        if not n.is_blank(cell):
            current = cell
        elif n.is_blank(detail[index]):
            current = None
        else:
            labels[index] = current
    return labels


def _prefer_known(joined: list, group: list, detail: list, all_templates: dict[str, Template]) -> list:
    """Per column, the joined name where a template knows it; else the name above with the detail
    as its unit (a units row: 建档人数 over 人); else the detail alone where a template knows it
    (慢病 over 高血压管理人数); else the joined name, to be reported."""
    def known(cell):
        return any(t.column_for(cell) is not None for t in all_templates.values())
    header = list(joined)
    for index, cell in enumerate(joined):
        below = detail[index] if index < len(detail) else None
        top = group[index] if index < len(group) else None
        if cell is None or n.is_blank(below) or cell is below or known(cell):
            continue
        with_unit = f"{n.clean_text(top)}({n.clean_text(below)})" if not n.is_blank(top) else None
        if with_unit and known(with_unit):
            header[index] = with_unit
        elif known(below):
            header[index] = below
    return header


def _merged_across(found: RecognizedSheet, index: int) -> bool:
    row0 = found.header_row - 1
    return any(r0 <= row0 <= r1 and c0 == index and c1 > c0 for (r0, c0), (r1, c1) in found.sheet.merged or [])


def unaccounted_columns(file: str, found: RecognizedSheet, ignored: set[str]) -> list[Problem]:
    """Every non-blank header cell must be a template column or one the settings ignore: a
    column nobody maps is a column of values that would be lost without a word."""
    problems = []
    for index, cell in enumerate(found.headers):
        if index in found.columns or n.is_blank(cell) or n.header_key(n.split_unit(cell)[0]) in ignored \
                or n.header_key(cell) in ignored:
            continue
        text = n.clean_text(cell)
        where = dict(file=file, sheet=found.sheet.name, row=found.header_row, column=text, value=text)
        wrong = found.template.wrong_unit(cell)
        if wrong is not None:
            unit = n.split_unit(cell)[1]
            allowed = "、".join(wrong.units) or "—"
            problems.append(Problem("wrong_unit", detail=f"「{unit}」 ≠ {allowed}", **where))
            continue
        if not found.two_rows and _merged_across(found, index):
            # a group label over a detail row that was not recognized as part of the header
            problems.append(Problem("header_rows_hint", detail=text, **where))
            continue
        closest = found.template.closest(cell)
        if closest is not None:
            problems.append(Problem("unknown_column_suggest", detail=f"{closest.zh} / {closest.en}", **where))
        else:
            problems.append(Problem("unknown_column", **where))
    return problems
