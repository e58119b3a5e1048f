"""Filing deadlines (民法典 201–203) with the real chinesecalendar table, holiday files, validity."""

from __future__ import annotations

from datetime import date

import pytest

from docreview.errors import DocreviewError
from docreview.filing import (
    add_months,
    assess,
    count_period,
    filing_to_dict,
    get_profile,
    last_valid_day,
    load_calendar,
    load_profiles,
    parse_filed,
    render_text,
)
from docreview.model import DocDates, Effective, Validity

D = date


@pytest.fixture(scope="module")
def cal():
    return load_calendar()


@pytest.fixture(scope="module")
def default():
    return get_profile("default")


def _deadlines(report):
    return {r.recipient: r.deadline for r in report.recipients}


def _assess(pub, cal, profile, **kw):
    kw.setdefault("today", D(2026, 11, 25))
    return assess(kw.pop("dates", None), published=pub, filed=kw.pop("filed", None), profile=profile,
                  calendar=cal, **kw)


# --------------------------------------------------------------------------- calendar facts the tests rely on


def test_calendar_knows_2026_adjustments(cal):
    assert cal.is_rest(D(2026, 10, 5))  # Monday inside National Day
    assert cal.is_workday(D(2026, 9, 20))  # Sunday, 调休 working day
    assert cal.is_workday(D(2026, 2, 28))  # Saturday, 调休 working day
    assert cal.is_rest(D(2026, 11, 8))  # ordinary Sunday
    assert cal.known(2026) and not cal.known(2027)


# --------------------------------------------------------------------------- calendar-day deadlines


def test_deadline_inside_national_day_moves_to_first_workday(cal, default):
    r = _assess(D(2026, 9, 20), cal, default)
    # 15th day = 2026-10-05 (Mon, National Day holiday 10-01..10-07) → 2026-10-08 (Thu)
    assert set(_deadlines(r).values()) == {D(2026, 10, 8)}
    assert any("2026-10-05" in n and "国庆节" in n and "2026-10-08" in n for n in r.notes)


def test_domain_worked_example_2024_national_day_thirty_days(cal):
    r = _assess(D(2024, 9, 5), cal, get_profile("thirty"))
    assert set(_deadlines(r).values()) == {D(2024, 10, 8)}


def test_deadline_on_adjusted_working_sunday_does_not_move(cal, default):
    r = _assess(D(2026, 9, 5), cal, default)
    assert set(_deadlines(r).values()) == {D(2026, 9, 20)}  # Sunday, but a 调休 working day
    assert any("调休上班日" in n and "不顺延" in n for n in r.notes)
    # an ordinary Sunday does move
    r2 = _assess(D(2026, 10, 24), cal, default)
    assert set(_deadlines(r2).values()) == {D(2026, 11, 9)}


def test_deadline_on_working_sunday_across_new_year(cal, default):
    # 2025-12-20 + 15 = 2026-01-04, a Sunday worked in lieu of New Year's Day
    r = _assess(D(2025, 12, 20), cal, default)
    assert set(_deadlines(r).values()) == {D(2026, 1, 4)}


def test_deadline_in_holiday_block_ending_on_weekend(cal, default):
    # 2026-09-12 + 15 = 09-27 (Sunday, last day of Mid-autumn 09-25..27) → Monday 09-28
    assert set(_deadlines(_assess(D(2026, 9, 12), cal, default)).values()) == {D(2026, 9, 28)}


def test_calendar_days_at_month_end(cal, default):
    assert set(_deadlines(_assess(D(2026, 4, 15), cal, default)).values()) == {D(2026, 4, 30)}


# --------------------------------------------------------------------------- months (民法典 202)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2026, 1, 31), D(2026, 2, 28)),  # no 31 Feb → month end; a 调休 working Saturday: stays
        (D(2024, 1, 31), D(2024, 2, 29)),  # leap year
        (D(2026, 3, 31), D(2026, 4, 30)),
        (D(2025, 8, 31), D(2025, 9, 30)),
        (D(2026, 4, 3), D(2026, 5, 6)),  # 05-03 is inside Labour Day (05-01..05-05) → 05-06
    ],
)
def test_month_period_ends_on_corresponding_day_or_month_end(cal, start, expected):
    r = _assess(start, cal, get_profile("month"))
    assert set(_deadlines(r).values()) == {expected}


def test_add_months_negative_and_year_wrap():
    assert add_months(D(2026, 12, 31), 2) == D(2027, 2, 28)
    assert add_months(D(2026, 3, 31), -1) == D(2026, 2, 28)


# --------------------------------------------------------------------------- unknown year and holiday files


def test_into_unknown_year_uses_weekends_and_says_so(cal, default):
    r = _assess(D(2026, 12, 17), cal, default, today=D(2026, 12, 20))
    assert set(_deadlines(r).values()) == {D(2027, 1, 1)}  # Friday; 2027 holidays unknown
    assert all(x.status == "pending" and x.days == 12 for x in r.recipients)
    assert any("2027 年的法定节假日安排未知" in n and "周六、周日" in n for n in r.notes)


def test_into_unknown_year_with_holiday_file(tmp_path, default):
    # hypothetical 2027 arrangement written by the user (not an official schedule)
    f = tmp_path / "holidays.yml"
    f.write_text(
        "years:\n"
        "  - year: 2027\n"
        "    holidays:\n"
        "      - {name: 元旦, start: 2027-01-01, end: 2027-01-03}\n"
        "      - 2027-02-06~2027-02-12\n"
        "    workdays: [2027-01-09]\n",
        encoding="utf-8",
    )
    cal = load_calendar(str(f))
    r = _assess(D(2026, 12, 17), cal, default, today=D(2026, 12, 20))
    assert set(_deadlines(r).values()) == {D(2027, 1, 4)}
    assert not any("节假日安排未知" in n for n in r.notes)
    assert any("元旦假期" in n for n in r.notes)
    # the declared working Saturday holds the deadline; without the file it would move to Monday
    assert set(_deadlines(_assess(D(2026, 12, 25), cal, default)).values()) == {D(2027, 1, 9)}
    assert set(_deadlines(_assess(D(2026, 12, 25), load_calendar(), default)).values()) == {D(2027, 1, 11)}
    # the built-in years are still there
    assert cal.known(2026) and cal.is_rest(D(2026, 10, 5))


def test_holiday_file_can_be_a_bare_list(tmp_path):
    f = tmp_path / "h.yaml"
    f.write_text("- year: 2027\n  holidays: ['2027-10-01..2027-10-07']\n", encoding="utf-8")
    cal = load_calendar(f)
    assert cal.known(2027) and cal.is_rest(D(2027, 10, 4)) and not cal.is_rest(D(2027, 10, 8))


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("years: [\n", "YAML"),
        ("years:\n  - year: 2027\n    holidays: [2027-02-30]\n", "没有30日"),
        ("years:\n  - year: 2027\n    holidays: [2028-01-01]\n", "不属于 2027 年"),
        ("years:\n  - year: 2027\n    workdays: [2027-01-05]\n", "应为周六或周日"),
        ("years:\n  - year: 2027\n    holidays: [2027-01-09]\n    workdays: [2027-01-09]\n", "同时列为"),
        ("years:\n  - year: 2027\n    holidayz: []\n", "holidayz"),
        ("years:\n  - year: 2027\n  - year: 2027\n", "重复"),
        ("years:\n  - year: 2027\n    holidays: ['2027-02-12~2027-02-06']\n", "早于开始日"),
        ("just text\n", "years"),
    ],
)
def test_bad_holiday_file_is_e402(tmp_path, content, fragment):
    f = tmp_path / "bad.yml"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(DocreviewError) as ei:
        load_calendar(str(f))
    assert ei.value.code == "E402"
    assert fragment in str(ei.value)
    assert "\n" not in str(ei.value)


def test_missing_holiday_file_is_e402(tmp_path):
    with pytest.raises(DocreviewError) as ei:
        load_calendar(str(tmp_path / "nope.yml"))
    assert ei.value.code == "E402" and "不存在" in ei.value.message


# --------------------------------------------------------------------------- working days


def test_working_days_across_spring_festival(cal):
    # 2026-02-10 (Tue) + 15 working days: 02-11,12,13, 14(Sat 调休), [02-15..02-23 Spring Festival],
    # 24,25,26,27, 28(Sat 调休), 03-02,03,04,05,06, 09 → 2026-03-09
    r = _assess(D(2026, 2, 10), cal, get_profile("workdays"))
    dl = _deadlines(r)
    assert dl["上级人民政府"] == D(2026, 3, 9)
    assert dl["本级人大常委会"] == D(2026, 3, 12)  # 30 calendar days
    assert count_period(D(2026, 2, 10), 10, "workday", cal).last == D(2026, 3, 2)


def test_domain_worked_example_five_working_days_2024(cal):
    # Fri 2024-09-27: 09-29 (Sun, 调休) 1, 09-30 2, 10-08 3, 10-09 4, 10-10 5
    assert count_period(D(2024, 9, 27), 5, "workday", cal).last == D(2024, 10, 10)


def test_working_days_in_unknown_year_flagged(cal):
    p = count_period(D(2026, 12, 28), 5, "workday", cal)
    assert p.last == D(2027, 1, 4) and p.unknown_years == (2027,)


# --------------------------------------------------------------------------- statuses and filed dates


def test_statuses_per_recipient(cal, default):
    # published 2026-02-01 → day 15 is 02-16 (Spring Festival) → deadline 02-24
    r = _assess(D(2026, 2, 1), cal, default,
                filed=parse_filed(["上级人民政府=2026-02-24", "人大=2026-02-27"]))
    st = {x.recipient: (x.status, x.days, x.filed) for x in r.recipients}
    assert st["上级人民政府"] == ("on_time", None, D(2026, 2, 24))
    assert st["本级人大常委会"] == ("late", 3, D(2026, 2, 27))


def test_pending_and_overdue(cal, default):
    pending = _assess(D(2026, 11, 20), cal, default, today=D(2026, 11, 25))
    # day 15 = 2026-12-05 (Saturday) → Monday 12-07, 12 days after "today"
    assert [(x.deadline, x.status, x.days) for x in pending.recipients] == [(D(2026, 12, 7), "pending", 12)] * 2
    overdue = _assess(D(2026, 10, 24), cal, default, today=D(2026, 11, 25))
    assert [(x.status, x.days) for x in overdue.recipients] == [("overdue", 16)] * 2


def test_pending_due_today(cal, default):
    r = _assess(D(2026, 4, 15), cal, default, today=D(2026, 4, 30))
    assert [(x.status, x.days) for x in r.recipients] == [("pending", 0)] * 2
    assert "今天是最后一日" in render_text(r, default)


def test_one_filed_date_applies_to_all_recipients(cal, default):
    r = _assess(D(2026, 2, 1), cal, default, filed=parse_filed(["2026年2月25日"]))
    assert [(x.status, x.days) for x in r.recipients] == [("late", 1)] * 2


def test_unknown_without_publication_date_says_what_is_missing(cal, default):
    r = _assess(None, cal, default, dates=DocDates(signed=D(2026, 1, 20)))
    assert [x.status for x in r.recipients] == ["unknown", "unknown"]
    assert all(x.deadline is None for x in r.recipients)
    assert any("缺少公布日期" in n and "2026-01-20" in n for n in r.notes)


def test_flag_overrides_document_date(cal, default):
    dates = DocDates(published=D(2026, 9, 5))
    r = _assess(D(2026, 9, 20), cal, default, dates=dates)
    assert r.published == D(2026, 9, 20) and set(_deadlines(r).values()) == {D(2026, 10, 8)}
    assert any("按指定的 2026-09-20" in n and "2026-09-05" in n for n in r.notes)


def test_filed_before_publication_is_e401(cal, default):
    with pytest.raises(DocreviewError) as ei:
        _assess(D(2026, 2, 10), cal, default, filed=parse_filed(["2026-02-01"]))
    assert ei.value.code == "E401" and "早于公布日期" in ei.value.message


def test_unknown_recipient_is_e401(cal, default):
    with pytest.raises(DocreviewError) as ei:
        _assess(D(2026, 2, 10), cal, default, filed=parse_filed(["国务院=2026-02-11"]))
    assert ei.value.code == "E401" and "上级人民政府" in ei.value.message


def test_parse_filed_forms():
    assert parse_filed(["2026-02-01"]) == {"*": D(2026, 2, 1)}
    assert parse_filed(["上级人民政府：2026年2月1日", "人大=二〇二六年二月三日"]) == {
        "上级人民政府": D(2026, 2, 1), "人大": D(2026, 2, 3),
    }
    with pytest.raises(DocreviewError) as ei:
        parse_filed(["上级人民政府=2026-02-30"])
    assert ei.value.code == "E400"
    with pytest.raises(DocreviewError):
        parse_filed(["上级人民政府="])


# --------------------------------------------------------------------------- validity


PUB, TODAY = D(2026, 2, 1), D(2026, 11, 25)


def _val(cal, default, dates, pub=PUB, today=TODAY, **kw):
    return _assess(pub, cal, default, dates=dates, today=today, **kw).validity


def test_validity_years_from_effective_date(cal, default):
    v = _val(cal, default, DocDates(effective=Effective(on=D(2026, 3, 1)), validity=Validity(years=5)))
    assert (v.effective, v.expires, v.status) == (D(2026, 3, 1), D(2031, 2, 28), "valid")
    assert "− 1日" in v.note


def test_validity_until_and_expired(cal, default):
    v = _val(cal, default, DocDates(effective=Effective(on=D(2026, 1, 1)), validity=Validity(until=D(2028, 12, 31))))
    assert (v.expires, v.status) == (D(2028, 12, 31), "valid")
    old = _val(cal, default, DocDates(effective=Effective(on=D(2020, 1, 1)), validity=Validity(years=5)),
               pub=D(2019, 12, 10))
    assert (old.expires, old.status) == (D(2024, 12, 31), "expired")


def test_validity_expiring_within_six_months(cal, default):
    dates = DocDates(effective=Effective(on=D(2022, 3, 1)), validity=Validity(years=5))
    v = _val(cal, default, dates, pub=D(2022, 2, 1), today=D(2026, 9, 1))
    assert (v.expires, v.status) == (D(2027, 2, 28), "expiring")
    assert _val(cal, default, dates, pub=D(2022, 2, 1), today=D(2026, 8, 27)).status == "valid"


def test_validity_too_long(cal, default):
    long = _val(cal, default, DocDates(effective=Effective(on=D(2026, 3, 1)), validity=Validity(years=6)))
    assert long.status == "too_long" and "超过5年" in long.note
    until = _val(cal, default, DocDates(effective=Effective(on=D(2026, 3, 1)), validity=Validity(until=D(2031, 3, 1))))
    assert until.status == "too_long"
    ok = _val(cal, default, DocDates(effective=Effective(on=D(2026, 3, 1)), validity=Validity(until=D(2031, 2, 28))))
    assert ok.status == "valid"


def test_validity_provisional_limit_two_years(cal, default):
    dates = DocDates(effective=Effective(on=D(2026, 3, 1)), validity=Validity(years=3))
    assert _val(cal, default, dates, title="某市网约车管理暂行办法").status == "too_long"
    assert _val(cal, default, dates, title="某市网约车管理办法").status == "valid"
    assert _val(cal, default, dates, provisional=True).status == "too_long"


def test_validity_relative_effective_dates(cal, default):
    after30 = DocDates(effective=Effective(relative_to="公布", days_after=30), validity=Validity(years=5))
    v = _val(cal, default, after30, pub=D(2026, 1, 20))
    assert v.effective == D(2026, 2, 19) and v.expires == D(2031, 2, 18)
    on_sign = DocDates(signed=D(2026, 1, 10), effective=Effective(relative_to="印发"), validity=Validity(years=2))
    v2 = _val(cal, default, on_sign, pub=D(2026, 1, 20))
    assert v2.effective == D(2026, 1, 10) and v2.expires == D(2028, 1, 9)


def test_validity_missing_and_unknown(cal, default):
    m = _val(cal, default, DocDates(effective=Effective(on=D(2026, 3, 1))))
    assert m.status == "missing" and m.expires is None and "未规定有效期" in m.note
    u = _assess(None, cal, default, dates=DocDates(validity=Validity(years=5))).validity
    assert u.status == "unknown" and "无法计算届满日" in u.note


def test_leap_day_validity():
    assert last_valid_day(D(2024, 2, 29), years=1) == D(2025, 2, 28)
    assert last_valid_day(D(2023, 3, 1), years=1) == D(2024, 2, 29)
    assert last_valid_day(D(2026, 3, 1), months=6) == D(2026, 8, 31)


# --------------------------------------------------------------------------- profiles and output


def test_profiles_are_data_with_basis(default):
    profiles = load_profiles()
    assert {"default", "thirty", "workdays", "month"} <= set(profiles)
    assert [(r.name, r.amount, r.unit) for r in default.recipients] == [
        ("上级人民政府", 15, "day"), ("本级人大常委会", 15, "day"),
    ]
    assert all(r.basis and " " not in r.basis for p in profiles.values() for r in p.recipients)
    with pytest.raises(DocreviewError) as ei:
        get_profile("nosuch")
    assert ei.value.code == "E301" and "default" in ei.value.message


def test_custom_profile_file(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text(
        "county:\n  title: 3个工作日\n  recipients:\n"
        "    - {name: 县人民政府, amount: 3, unit: workday, basis: 某县规定第十三条}\n",
        encoding="utf-8",
    )
    p = get_profile("county", f)
    assert p.recipients[0].unit == "workday" and p.recipients[0].start == "published"
    f.write_text("county:\n  recipients: []\n", encoding="utf-8")
    with pytest.raises(DocreviewError) as ei:
        get_profile("county", f)
    assert ei.value.code == "E300"


def test_filing_to_dict_shape(cal, default):
    r = _assess(D(2026, 2, 1), cal, default, filed=parse_filed(["上级人民政府=2026-02-20"]),
                dates=DocDates(effective=Effective(on=D(2026, 3, 1)), validity=Validity(years=5)))
    d = filing_to_dict(r)
    assert d["published"] == "2026-02-01" and d["profile"] == "default"
    assert d["recipients"][0] == {
        "recipient": "上级人民政府", "deadline": "2026-02-24", "status": "on_time", "days": None,
        "basis": default.recipients[0].basis, "filed": "2026-02-20",
    }
    assert d["recipients"][1]["status"] == "overdue" and d["recipients"][1]["filed"] is None
    assert {k: v for k, v in d["validity"].items() if k != "note"} == {"effective": "2026-03-01", "expires": "2031-02-28", "status": "valid"}
    assert all(isinstance(n, str) for n in d["notes"])


def test_profile_counting_from_signing_date(tmp_path, cal):
    f = tmp_path / "p.yml"
    f.write_text(
        "county:\n  start: signed\n  recipients:\n"
        "    - {name: 县人民政府, amount: 3, unit: workday, basis: 某县规定（印发之日起3个工作日内）}\n",
        encoding="utf-8",
    )
    prof = get_profile("county", f)
    # signed Thu 2026-09-24; 09-25..27 Mid-autumn → 09-28 (1), 09-29 (2), 09-30 (3)
    r = assess(DocDates(signed=D(2026, 9, 24)), published=None, filed=None, today=D(2026, 9, 25),
               profile=prof, calendar=cal)
    assert [(x.deadline, x.status) for x in r.recipients] == [(D(2026, 9, 30), "pending")]
    missing = assess(DocDates(), published=D(2026, 9, 24), filed=None, today=D(2026, 9, 25), profile=prof,
                     calendar=cal)
    assert missing.recipients[0].status == "unknown"
    assert any("缺少印发日期" in n for n in missing.notes)


def test_validity_note_in_dict(cal, default):
    r = _assess(D(2026, 2, 1), cal, default, dates=DocDates())
    d = filing_to_dict(r)
    assert d["validity"]["status"] == "missing" and "未规定有效期" in d["validity"]["note"]
    assert any("未写明施行日期" in n for n in d["notes"])


def test_calendar_and_profile_pickle_for_batch_workers(cal, default):
    import pickle

    c2 = pickle.loads(pickle.dumps(cal))
    assert c2 == cal and c2.describe(D(2026, 10, 5)) == "2026-10-05（星期一，国庆节假期）"
    assert pickle.loads(pickle.dumps(default)) == default


def test_unreadable_clauses_are_unknown_not_missing(cal, default):
    dates = DocDates(effective=Effective(text="本办法自2026年2月30日起施行。"),
                     validity=Validity(text="有效期至2030年2月30日。"))
    r = _assess(D(2026, 2, 1), cal, default, dates=dates)
    assert r.validity.status == "unknown" and r.validity.effective is None
    assert any("2026年2月30日" in n and "无法识别" in n for n in r.notes)
    assert "2030年2月30日" in r.validity.note


def test_real_document_with_invalid_dates(tmp_path):
    from docreview.filing.command import read_dates

    f = tmp_path / "bad.txt"
    f.write_text("某市某办法\n第一条 本办法自2026年3月1日起施行，有效期至2030年2月30日。\n某市人民政府\n2026年2月1日\n",
                 encoding="utf-8")
    dates, _, _ = read_dates(f)
    r = _assess(None, load_calendar(), get_profile(), dates=dates)
    assert r.validity.status == "unknown" and r.validity.effective == D(2026, 3, 1)


def test_validity_status_for_ledger_dates(default):
    from docreview.filing import validity_status

    assert validity_status(D(2027, 2, 28), D(2026, 9, 1), profile=default).status == "expiring"
    assert validity_status(D(2027, 2, 28), D(2026, 8, 27), profile=default).status == "valid"
    v = validity_status(D(2026, 1, 31), D(2026, 11, 25), profile=default, effective=D(2021, 2, 1))
    assert v.status == "expired" and "自动失效" in v.note
    long = validity_status(D(2029, 2, 28), D(2026, 11, 25), profile=default, effective=D(2026, 3, 1),
                           provisional=True)
    assert long.status == "too_long" and "超过2年" in long.note
