"""The streaming .xlsx writer of the batch report reads back with openpyxl exactly as written."""

from __future__ import annotations

from datetime import date, datetime

from openpyxl import load_workbook

from docreview.batch.xlsx import Sheet, write_workbook


def test_values_styles_and_layout_read_back(tmp_path) -> None:
    headers = [f"列{i}" for i in range(30)]  # past column Z
    rows = [
        ["第十条　<《办法》> & \"引号\" 'x'", 3, 2.5, date(2024, 1, 10), None, "", "  前后空格  ", "行\n换行", True]
        + [f"c{i}" for i in range(21)],
        ["控制\x01字符\x0b被去掉", -7, 0, datetime(2026, 2, 28, 13, 5), "甲"] + [None] * 25,
    ]
    path = tmp_path / "r.xlsx"
    write_workbook(path, [Sheet("问题清单", headers, iter(rows), [36, 12.5], frozenset({0, 7})),
                          Sheet("汇总", ["项目", "数量"], [["问题总数", 17207]])])
    wb = load_workbook(path)
    assert wb.sheetnames == ["问题清单", "汇总"]
    ws = wb["问题清单"]
    got = [[c.value for c in r] for r in ws.iter_rows()]
    assert got[0] == headers
    assert got[1][:9] == ["第十条　<《办法》> & \"引号\" 'x'", 3, 2.5, datetime(2024, 1, 10), None, None,
                          "  前后空格  ", "行\n换行", True]
    assert got[1][29] == "c20" and ws.cell(2, 30).column_letter == "AD"
    assert got[2][:5] == ["控制字符被去掉", -7, 0, datetime(2026, 2, 28), "甲"]
    assert ws.freeze_panes == "A2"
    assert all(c.font.bold for c in ws[1]) and not ws.cell(2, 1).font.bold
    assert ws.column_dimensions["A"].width == 36 and ws.column_dimensions["B"].width == 12.5
    assert ws.cell(2, 4).number_format == "yyyy-mm-dd"
    assert ws.cell(2, 1).alignment.wrap_text and ws.cell(2, 8).alignment.wrap_text
    assert not ws.cell(2, 7).alignment.wrap_text
    assert [[c.value for c in r] for r in wb["汇总"].iter_rows()] == [["项目", "数量"], ["问题总数", 17207]]


def test_empty_sheet_has_only_the_header(tmp_path) -> None:
    path = tmp_path / "e.xlsx"
    write_workbook(path, [Sheet("失败与跳过", ["文件", "状态", "原因"], [])])
    ws = load_workbook(path)["失败与跳过"]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [["文件", "状态", "原因"]]
