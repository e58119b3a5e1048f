"""Filing deadlines (备案期限) and validity (有效期), counted per 民法典 第二百零一条至第二百零三条.

Public API::

    assess(dates, *, title="", provisional=False, published, filed, today, profile, calendar) -> FilingReport
    load_profiles(path=None) -> dict[str, Profile];  get_profile(name, path=None) -> Profile
    load_calendar(holiday_file=None) -> HolidayCalendar
    parse_filed(values) -> dict[str, date];  validity_status(expires, today, *, profile, ...)
    filing_to_dict(report) -> dict;  render_text(report, ...) -> str
    count_period(start, amount, unit, calendar) -> Period;  last_valid_day(effective, years, months) -> date
"""

from __future__ import annotations

from docreview.filing.assess import (
    ALL,
    STATUS_ZH,
    VALIDITY_ZH,
    assess,
    filing_to_dict,
    parse_filed,
    recipient_line,
    render_text,
    validity_status,
)
from docreview.filing.calendar import HolidayCalendar, load_calendar, parse_holiday_data
from docreview.filing.periods import Period, add_months, count_period, last_valid_day, next_workday
from docreview.filing.profiles import Profile, RecipientRule, get_profile, load_profiles

__all__ = [
    "ALL", "STATUS_ZH", "VALIDITY_ZH", "HolidayCalendar", "Period", "Profile", "RecipientRule",
    "add_months", "assess", "count_period", "filing_to_dict", "get_profile", "last_valid_day",
    "load_calendar", "load_profiles", "next_workday", "parse_filed", "parse_holiday_data",
    "recipient_line", "render_text", "validity_status",
]
