"""Blank templates with an example row and an instructions sheet, one .xlsx per submission kind."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from etl.templates import templates
from warehouse.settings import Settings

TYPE_HELP = {
    "code": ("代码（按文本填写，保留前导 0）", "code (text; leading zeros kept)"),
    "text": ("文本", "text"),
    "count": ("非负整数，可带千分位", "whole number ≥ 0, thousands separators allowed"),
    "measure": ("非负整数；空白表示未上报（不是 0）", "whole number ≥ 0; blank means not reported (not zero)"),
    "number": ("数字", "number"),
    "bool": ("是/否（也可 Y/N、1/0、✓/✗）", "yes/no (是/否, Y/N, 1/0, ✓/✗)"),
    "date": ("日期，如 2024-03-15、2024/3/15、2024年3月15日", "date, e.g. 2024-03-15, 2024/3/15, 2024年3月15日"),
    "period": ("月份，如 2024-03、202403、2024年3月", "month, e.g. 2024-03, 202403, 2024年3月"),
    "choice": ("以下之一：{choices}", "one of: {choices}"),
}

EXAMPLES = {
    "admin_units": [["990102001", "解放路街道", "街道", "990102", 71234, None, None, 117.015, 36.652]],
    "facilities": [["990102001C1", "解放路社区卫生服务中心", "社区卫生服务中心", None, "990102001", "政府办", 117.0152,
                    36.6521, "WGS84", 2600, "旧城改造区", "2008-05-01", None]],
    "standardization": [["990102001C1", "2026-06-30", "是", "是", "是", None, "否", None]],
    "monthly_services": [["990102001C1", "2026-10", "2026-11-06"]],
    "staffing": [["990102001C1", "2025-12-31", 24, 9, 5, 28, 6, 70]],
    "inspections": [["990102001C1", "2026-10-12", "王建国", "常规督导", 86.5, "高血压患者随访记录不完整", "2026-11-30", None]],
}


def write_template(kind: str, path: Path, settings: Settings) -> Path:
    template = templates(settings)[kind]
    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = datetime(2026, 11, 1, 9, 0, 0)
    ws = wb.active
    ws.title = template.zh
    ws.append([c.zh for c in template.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for example in EXAMPLES[kind]:
        ws.append(example + [None] * (len(template.columns) - len(example)))
    info = wb.create_sheet("填表说明 Instructions")
    info.append(["列名", "Column", "英文表头也可", "必填 Required", "填写要求", "What to enter"])
    for cell in info[1]:
        cell.font = Font(bold=True)
    for column in template.columns:
        zh, en = TYPE_HELP[column.type]
        choices = "/".join(dict.fromkeys(k for k in (column.choices or {}) if not k.isascii()))
        info.append([column.zh, column.en, column.field, "是 yes" if column.required else "否 no",
                     zh.format(choices=choices), en.format(choices=choices)])
    wb.save(path)
    return path


def write_all_templates(folder: Path, settings: Settings) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_template(kind, folder / f"{kind}.xlsx", settings) for kind in EXAMPLES]
