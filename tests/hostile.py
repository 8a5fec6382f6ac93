"""Generators of hostile submissions (docs/data.md, "Limits"): each writes its file from a few
seeded lines, so the corpus is made, never committed as opaque binaries. `CASES` maps a file name
to (generator, the one problem code its rejection must carry)."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import xlwt

HEADER = ["机构代码", "统计月份", "活产数"]


def _workbook_bytes(rows, far_cell: tuple[int, int] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    if far_cell:
        ws.cell(row=far_cell[0], column=far_cell[1], value=1)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _rewrite_sheet(data: bytes, change) -> bytes:
    """The workbook with its first sheet's XML passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(info.filename, content)
    return out.getvalue()


def dimension_attack(path: Path) -> None:
    """A few cells whose sheet declares the whole grid A1:XFD1048576 (284 KB drove openpyxl to 11 GB)."""
    data = _workbook_bytes([HEADER, ["F_CHC1", "2026-03", 1]])
    path.write_bytes(_rewrite_sheet(data, lambda xml: re.sub(rb'<dimension ref="[^"]*"/>',
                                                             b'<dimension ref="A1:XFD1048576"/>', xml)))


def far_cell(path: Path) -> None:
    """No declared dimension, one real cell at XFD1048576: a reader would build the rectangle."""
    data = _workbook_bytes([HEADER, ["F_CHC1", "2026-03", 1]], far_cell=(1_048_576, 16_384))
    path.write_bytes(_rewrite_sheet(data, lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b"", xml)))


def sparse_rectangle(path: Path) -> None:
    """Within the row and column limits, but A1 to ALL1048576 is a billion cells."""
    data = _workbook_bytes([HEADER], far_cell=(1_048_576, 1_000))
    path.write_bytes(_rewrite_sheet(data, lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b"", xml)))


def far_cell_xls(path: Path) -> None:
    """An Excel 97-2003 workbook of 5 KB with one cell at IV65536 (calamine would lay out 16.8
    million cells, a gigabyte, when it opens the file)."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("月报")
    for column, name in enumerate(HEADER):
        sheet.write(0, column, name)
    sheet.write(65_535, 255, 1)
    book.save(str(path))


def zip_bomb(path: Path) -> None:
    """A real workbook whose sheet carries 300 MB of blanks packed about 1000 : 1."""
    data = _workbook_bytes([HEADER, ["F_CHC1", "2026-03", 1]])
    source = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, content)
                continue
            head, tail = content.split(b"<sheetData>", 1)
            with target.open(info.filename, "w", force_zip64=True) as entry:
                entry.write(head + b"<sheetData>")
                blank = b" " * (1 << 20)
                for _ in range(300):
                    entry.write(blank)
                entry.write(tail)


def entity_expansion(path: Path) -> None:
    """Billion laughs in the sheet XML."""
    lols = "".join(f'<!ENTITY lol{i} "{"&lol%d;" % (i - 1) * 10}">' for i in range(1, 10))
    doctype = f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol0 "lol">{lols}]>'.encode()
    data = _workbook_bytes([HEADER, ["F_CHC1", "2026-03", "x"]])
    path.write_bytes(_rewrite_sheet(data, lambda xml: doctype + xml.replace(b">x<", b">&lol9;<")))


def broken_xml(path: Path) -> None:
    """The sheet XML cut in the middle of a tag."""
    data = _workbook_bytes([HEADER, ["F_CHC1", "2026-03", 1]])
    path.write_bytes(_rewrite_sheet(data, lambda xml: xml[: xml.index(b"<row r=\"2\"") + 7]))


def huge_field(path: Path) -> None:
    """A CSV field of 200,000 characters."""
    path.write_text(",".join(HEADER) + "\nF_CHC1,2026-03," + "9" * 200_000 + "\n", encoding="utf-8")


def single_line(path: Path) -> None:
    """50 MB on one line: 25 million fields."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(HEADER))
        chunk = "1," * (1 << 19)
        for _ in range(48):
            handle.write(chunk)


def huge_csv(path: Path) -> None:
    """A 200 MB CSV (a sparse file: it costs no disk)."""
    with path.open("wb") as handle:
        handle.write((",".join(HEADER) + "\n").encode("utf-8"))
        handle.truncate(200 * 2 ** 20)


def nested_geojson(path: Path) -> None:
    """Brackets nested 100,000 deep."""
    path.write_text('{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}",
                    encoding="utf-8")


CASES = {
    "dimension_attack.xlsx": (dimension_attack, "too_many_columns"),
    "far_cell.xlsx": (far_cell, "too_many_columns"),
    "sparse_rectangle.xlsx": (sparse_rectangle, "too_many_cells"),
    "far_cell.xls": (far_cell_xls, "too_many_cells"),
    "zip_bomb.xlsx": (zip_bomb, "zip_bomb"),
    "entity_expansion.xlsx": (entity_expansion, "xml_doctype"),
    "broken_xml.xlsx": (broken_xml, "unreadable_file"),
    "huge_field.csv": (huge_field, "field_too_large"),
    "single_line.csv": (single_line, "too_many_columns"),
    "huge.csv": (huge_csv, "file_too_large"),
    "nested.geojson": (nested_geojson, "too_deep"),
}
