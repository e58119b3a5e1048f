"""Period arithmetic per 民法典 第二百零一条至第二百零三条.

* 201: the start day is not counted; counting begins the next day.
* 202: a period in months/years ends on the corresponding day; no such day → the month's last day.
* 203: a last day that is a statutory rest day moves to the day after the rest ends (first working day).
Working-day periods skip rest days and count 调休 working weekends.
"""

from __future__ import annotations

import calendar as _pycal
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from docreview.filing.calendar import HolidayCalendar

Unit = Literal["day", "workday", "month", "year"]
UNIT_ZH = {"day": "日", "workday": "个工作日", "month": "个月", "year": "年"}


@dataclass(frozen=True, slots=True)
class Period:
    """Result of counting a period: the last day plus what happened on the way."""

    start: date  # the event day (not counted)
    nominal: date  # last day before moving off a rest day
    last: date  # the deadline (inclusive, until 24:00)
    rolled: bool  # nominal was a rest day and the deadline moved
    unknown_years: tuple[int, ...]  # years whose holidays were not known (weekends only)


def add_months(d: date, months: int) -> date:
    """Corresponding day ``months`` later; the month's last day when there is none (民法典 202)."""
    total = d.year * 12 + (d.month - 1) + months
    y, m = divmod(total, 12)
    m += 1
    return date(y, m, min(d.day, _pycal.monthrange(y, m)[1]))


def next_workday(d: date, cal: HolidayCalendar) -> date:
    """``d`` itself if it is a working day, else the first working day after it."""
    while cal.is_rest(d):
        d += timedelta(days=1)
    return d


def _unknown(cal: HolidayCalendar, a: date, b: date) -> tuple[int, ...]:
    return tuple(y for y in range(a.year, b.year + 1) if not cal.known(y))


def count_period(start: date, amount: int, unit: Unit, cal: HolidayCalendar) -> Period:
    """The last day of a period of ``amount`` ``unit`` counted from event day ``start``."""
    if amount < 0:
        raise ValueError("amount must be >= 0")
    if unit == "workday":
        d, n = start, 0
        while n < amount:
            d += timedelta(days=1)
            if cal.is_workday(d):
                n += 1
        return Period(start, d, d, False, _unknown(cal, start, d))
    if unit == "day":
        nominal = start + timedelta(days=amount)
    elif unit == "month":
        nominal = add_months(start, amount)
    elif unit == "year":
        nominal = add_months(start, 12 * amount)
    else:  # pragma: no cover - Literal guards this
        raise ValueError(f"unknown unit {unit!r}")
    last = next_workday(nominal, cal)
    # only the days whose status matters: the nominal last day and any roll
    return Period(start, nominal, last, last != nominal, _unknown(cal, nominal, last))


def last_valid_day(effective: date, years: int = 0, months: int = 0) -> date:
    """Last valid day of a validity of ``years``/``months`` starting on ``effective`` (counted as day one).

    Convention: effective + N years − 1 day, e.g. 2026-03-01 + 5 years → 2031-02-28. Starting on 29
    February, a year later there is no 29 February and the period ends on 28 February.
    """
    end = add_months(effective, 12 * years + months)
    if end.day == effective.day:
        return end - timedelta(days=1)
    return end  # no corresponding day: add_months already moved to the month end (one day short)
