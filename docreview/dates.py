"""Dates in the forms government offices write them.

``parse_date`` accepts 2026-01-20, 2026/1/20, 2026.1.20, 20260120, 2026年1月20日, 2026年1月20号,
二〇二六年一月二十日 (〇/○/零/0, 元月, 廿/卅), mixed forms (2026年元月20日), full-width digits, a trailing
time (2026-01-20 09:30:00, 2026-01-20T09:30), ``datetime``/``date`` objects and Excel serial numbers
(numbers or 5-digit strings). ``find_dates`` locates dates inside running text.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, timedelta

from docreview.errors import E_DATE, DocreviewError

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "o": 0, "0": 0, "一": 1, "二": 2, "三": 3,
              "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "元": 1, "两": 2}
_CN = "〇○零ＯOo0一二三四五六七八九十元廿卅两"

# Year-month-day written with Chinese characters: 二〇二六年一月二十日 / 二〇二六年元月二十日
CN_DATE_RE = re.compile(rf"([{_CN}]{{4}})\s*年\s*([{_CN}]{{1,3}})\s*月\s*([{_CN}]{{1,3}})\s*[日号]")
# Arabic: 2026年1月20日 / 2026-01-20 / 2026/1/20 / 2026.1.20
AR_DATE_RE = re.compile(
    r"((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]|[-/.](\d{1,2})[-/.](\d{1,2})(?!\d))"
)
# Mixed Arabic/Chinese parts: 2026年元月20日, 2026年一月二十日, 二〇二六年1月20日
MIX_DATE_RE = re.compile(
    rf"((?:19|20)\d{{2}}|[{_CN}]{{4}})\s*年\s*(\d{{1,2}}|[{_CN}]{{1,3}})\s*月\s*(\d{{1,2}}|[{_CN}]{{1,3}})\s*[日号]"
)
_COMPACT_RE = re.compile(r"^((?:19|20)\d{2})(\d{2})(\d{2})$")
_SERIAL_RE = re.compile(r"^\d{5}(?:\.\d+)?$")
_TIME_TAIL_RE = re.compile(r"(?:[T ]|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_EXCEL_EPOCH = date(1899, 12, 30)


def _cn_small(s: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 二十三 → 23, 廿三 → 23 (month/day numbers)."""
    if s.isdigit():
        return int(s)
    s = s.replace("廿", "二十").replace("卅", "三十")
    if "十" in s:
        tens, _, units = s.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
    if len(s) == 1:
        return _CN_DIGITS[s]
    return int("".join(str(_CN_DIGITS[c]) for c in s))


def _cn_year(s: str) -> int:
    if s.isdigit():
        return int(s)
    return int("".join(str(_CN_DIGITS[c]) for c in s))


def _make(y: int, m: int, d: int, raw: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        pass
    if not 1 <= m <= 12:
        msg = f"日期无效：月份 {m} 不存在"
    elif d < 1:
        msg = f"日期无效：日为 {d}"
    else:
        last = calendar.monthrange(y, m)[1] if 1 <= y <= 9999 else 31
        msg = f"日期无效：{y}年{m}月只有{last}天，没有{d}日"
    raise DocreviewError(E_DATE, raw, msg)


def _serial(value: float, raw: str) -> date:
    """Excel 1900 date system; serial 60 is Excel's fictitious 1900-02-29."""
    n = int(value)
    if n == 60:
        raise DocreviewError(E_DATE, raw, "日期无效：Excel 序列号 60 对应不存在的 1900年2月29日")
    if not 1 <= n < 2958466:
        raise DocreviewError(E_DATE, raw, "无法识别的日期数值")
    return (_EXCEL_EPOCH if n > 60 else _EXCEL_EPOCH + timedelta(days=1)) + timedelta(days=n)


def parse_date(value: object) -> date:
    """Parse one date value; raises DocreviewError(E400) naming the value when it is not a valid date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or value is None:
        raise DocreviewError(E_DATE, str(value) if value is not None else "(空)", "不是日期")
    if isinstance(value, int | float):
        if value != value:  # NaN from spreadsheets
            raise DocreviewError(E_DATE, "(空)", "日期为空")
        return _serial(value, str(value))
    raw = str(value).strip()
    s = unicodedata.normalize("NFKC", raw).strip()
    s = _TIME_TAIL_RE.sub("", s)
    s = re.sub(r"\s+", "", s)
    if not s:
        raise DocreviewError(E_DATE, "(空)", "日期为空")
    if m := _COMPACT_RE.match(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), raw)
    if _SERIAL_RE.match(s):
        return _serial(float(s), raw)
    if (m := AR_DATE_RE.fullmatch(s)) or (m := AR_DATE_RE.fullmatch(s.rstrip("日号") + "日")):
        y = int(m[1])
        mo, d = (m[2], m[3]) if m[2] else (m[4], m[5])
        return _make(y, int(mo), int(d), raw)
    if (m := CN_DATE_RE.fullmatch(s)) or (m := MIX_DATE_RE.fullmatch(s)):
        try:
            y, mo, d = _cn_year(m[1]), _cn_small(m[2]), _cn_small(m[3])
        except (KeyError, ValueError):
            pass
        else:
            return _make(y, mo, d, raw)
    raise DocreviewError(E_DATE, raw, "无法识别的日期格式（可用 2026-01-20、2026/1/20、2026年1月20日、二〇二六年一月二十日 等）")


def find_dates(text: str) -> list[tuple[int, int, date]]:
    """All valid dates in ``text`` as (start, end, date), in order. Invalid calendar dates are skipped."""
    out: list[tuple[int, int, date]] = []
    taken: list[tuple[int, int]] = []
    for rx in (AR_DATE_RE, CN_DATE_RE, MIX_DATE_RE):
        for m in rx.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            try:
                out.append((m.start(), m.end(), parse_date(m.group(0))))
            except DocreviewError:
                continue
            taken.append((m.start(), m.end()))
    out.sort()
    return out
