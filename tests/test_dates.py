"""Dates in the forms offices write them; clear E400 errors for impossible dates."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from docreview.dates import find_dates, parse_date
from docreview.errors import DocreviewError

JAN20 = date(2026, 1, 20)


@pytest.mark.parametrize(
    "value",
    [
        "2026-01-20", "2026-1-20", "2026/1/20", "2026/01/20", "2026.1.20", "2026.01.20", "20260120",
        "2026年1月20日", "2026年01月20日", "2026 年 1 月 20 日", "2026年1月20号", "  2026-01-20  ",
        "二〇二六年一月二十日", "二○二六年一月二十日", "二零二六年一月二十日", "二〇二六年元月二十日",
        "二〇二六年元月廿日", "二〇二六年 一月 二十日", "2026年元月20日", "2026年一月二十日", "二〇二六年1月20日",
        "２０２６－０１－２０", "２０２６年１月２０日",
        "2026-01-20 09:30:00", "2026-01-20T09:30", "2026/1/20 9:30",
        datetime(2026, 1, 20, 17, 45), JAN20, 46042, 46042.75, "46042",
    ],
)
def test_parse_every_form(value):
    assert parse_date(value) == JAN20


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("二〇二六年十二月三十一日", date(2026, 12, 31)),
        ("二〇二六年十月一日", date(2026, 10, 1)),
        ("二〇二六年十一月十一日", date(2026, 11, 11)),
        ("一九九九年十二月卅一日", date(1999, 12, 31)),
        ("2024年2月29日", date(2024, 2, 29)),
        (61, date(1900, 3, 1)),
        (1, date(1900, 1, 1)),
    ],
)
def test_parse_specific_values(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2026-02-30", "2026年2月只有28天，没有30日"),
        ("2025/2/29", "2025年2月只有28天，没有29日"),
        ("2026-13-01", "月份 13 不存在"),
        ("20260431", "2026年4月只有30天，没有31日"),
        ("二〇二六年二月三十日", "没有30日"),
        ("2026年4月31日", "没有31日"),
        ("明天", "无法识别的日期格式"),
        ("", "日期为空"),
        (None, "不是日期"),
        (True, "不是日期"),
        (60, "1900年2月29日"),
        (-5, "无法识别的日期数值"),
    ],
)
def test_bad_dates_raise_one_line_e400(value, fragment):
    with pytest.raises(DocreviewError) as ei:
        parse_date(value)
    err = ei.value
    assert err.code == "E400" and fragment in err.message
    assert str(err).startswith("E400 ") and "\n" not in str(err)


def test_find_dates_in_running_text():
    text = ("本办法自2026年3月1日起施行，有效期至二〇三一年二月二十八日。"
            "印发日期：2026年元月5日。2026-02-30 不是日期，电话 2026.1.2030 也不是。")
    found = find_dates(text)
    assert [d for _, _, d in found] == [date(2026, 3, 1), date(2031, 2, 28), date(2026, 1, 5)]
    for start, end, _ in found:
        assert text[start:end] in ("2026年3月1日", "二〇三一年二月二十八日", "2026年元月5日")


def test_find_dates_signature_block():
    text = "某市人民政府\n二〇二六年一月二十日\n（此件公开发布）"
    [(s, e, d)] = find_dates(text)
    assert d == JAN20 and text[s:e] == "二〇二六年一月二十日"
