"""Statutory rest days: the ``chinesecalendar`` table plus an optional user holiday file.

A day is a rest day when it is a statutory holiday (including weekend days inside a holiday block)
or a Saturday/Sunday that is not a 调休 working day. Years nobody knows fall back to weekends only;
callers learn that through ``HolidayCalendar.known`` and must say so.

Holiday file (YAML, ``--holidays`` or ``holidays = "…"`` in docreview.toml)::

    years:
      - year: 2027
        holidays:                                   # rest days, any weekday
          - {name: 元旦, start: 2027-01-01, end: 2027-01-03}
          - 2027-02-06~2027-02-12                   # also ``..`` or ``至``; or single dates
        workdays: [2027-02-14]                      # 调休: Saturdays/Sundays worked

A year in the file that chinesecalendar also knows is merged, the file winning on conflicts.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from docreview.errors import E_HOLIDAYS, DocreviewError

WEEKDAY_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_HOLIDAY_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """Rest days and 调休 working days for the years in ``known_years``."""

    holidays: frozenset[date] = frozenset()  # statutory rest days (any weekday)
    workdays: frozenset[date] = frozenset()  # 调休: Saturdays/Sundays that are working days
    known_years: frozenset[int] = frozenset()
    sources: tuple[str, ...] = ()
    names: tuple[tuple[date, str], ...] = field(default=(), compare=False)  # holiday names, sorted

    def name_of(self, d: date) -> str:
        """The holiday a day belongs to (元旦, 春节, …), or ``""``."""
        i = bisect.bisect_left(self.names, (d, ""))
        return self.names[i][1] if i < len(self.names) and self.names[i][0] == d else ""

    def known(self, year: int) -> bool:
        return year in self.known_years

    def is_rest(self, d: date) -> bool:
        """Statutory holiday, or a weekend day that is not a 调休 working day."""
        if d in self.holidays:
            return True
        return d.weekday() >= 5 and d not in self.workdays

    def is_workday(self, d: date) -> bool:
        return not self.is_rest(d)

    def describe(self, d: date) -> str:
        """``2026-10-05（星期一，国庆节假期）`` — how a reviewer would name the day."""
        parts = [WEEKDAY_ZH[d.weekday()]]
        if d in self.holidays:
            parts.append(f"{self.name_of(d) or '法定节假日'}假期")
        elif d in self.workdays:
            parts.append(f"{self.name_of(d)}调休上班日")
        return f"{d.isoformat()}（{'，'.join(parts)}）"

    def years_range_text(self) -> str:
        """Known years as compact ranges: ``2004–2026、2027``."""
        ys = sorted(self.known_years)
        if not ys:
            return "无"
        out, start, prev = [], ys[0], ys[0]
        for y in ys[1:] + [None]:
            if y is not None and y == prev + 1:
                prev = y
                continue
            out.append(f"{start}–{prev}" if prev != start else str(start))
            if y is not None:
                start = prev = y
        return "、".join(out)


def builtin_calendar() -> HolidayCalendar:
    """The calendar shipped by ``chinesecalendar`` (years it has data for)."""
    import chinese_calendar as cc

    hol = {d: _HOLIDAY_ZH.get(str(n), str(n)) for d, n in cc.holidays.items()}
    work = {d: _HOLIDAY_ZH.get(str(n), str(n)) for d, n in cc.workdays.items()}
    years = {d.year for d in hol} | {d.year for d in work}
    known = frozenset(range(min(years), max(years) + 1)) if years else frozenset()
    version = getattr(cc, "__version__", "")
    names = {**hol, **work}
    return HolidayCalendar(
        holidays=frozenset(hol), workdays=frozenset(d for d in work if d.weekday() >= 5),
        known_years=known,
        sources=(f"chinesecalendar {version}（{min(years)}–{max(years)} 年）".replace("  ", " "),),
        names=tuple(sorted(names.items())),
    )


# --------------------------------------------------------------------------- user holiday file


def _schema():
    """Pydantic models for the holiday file (built lazily: pydantic is only needed at this edge)."""
    from pydantic import BaseModel, ConfigDict, Field

    class Block(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str = ""
        start: date | str
        end: date | str | None = None

    class YearSpec(BaseModel):
        model_config = ConfigDict(extra="forbid", populate_by_name=True)
        year: int = Field(ge=1949, le=2200)
        holidays: list[date | str | Block] = Field(default_factory=list)
        workdays: list[date | str] = Field(default_factory=list, alias="extra_workdays")

    class HolidayFile(BaseModel):
        model_config = ConfigDict(extra="forbid")
        years: list[YearSpec]

    return HolidayFile, Block


def _expand(item: Any, block_cls: type, where: str) -> list[tuple[date, str]]:
    """One holiday entry → days. Entries: a date, ``2027-02-06~2027-02-12`` (also ``..``/``至``), or
    ``{name, start, end}``."""
    from docreview.dates import parse_date

    name = ""
    if isinstance(item, block_cls):
        name, a, b = item.name, parse_date(item.start), parse_date(item.end or item.start)
    elif isinstance(item, date):
        a = b = item
    else:
        s = str(item).strip()
        for sep in ("~", "～", "..", "至", "—", " - "):
            if sep in s:
                left, _, right = s.partition(sep)
                a, b = parse_date(left), parse_date(right)
                break
        else:
            a = b = parse_date(s)
    if b < a:
        raise DocreviewError(E_HOLIDAYS, where, f"假期区间 {a.isoformat()}~{b.isoformat()} 结束日早于开始日")
    if (b - a).days > 40:
        raise DocreviewError(E_HOLIDAYS, where, f"假期区间 {a.isoformat()}~{b.isoformat()} 超过40天，请检查")
    return [(a + timedelta(days=i), name) for i in range((b - a).days + 1)]


def parse_holiday_data(data: Any, where: str) -> HolidayCalendar:
    """Validate parsed YAML and build the user's calendar part. Raises E402 on any problem."""
    from pydantic import ValidationError

    holiday_file_cls, block_cls = _schema()
    if isinstance(data, list):
        data = {"years": data}
    elif isinstance(data, dict) and "year" in data:
        data = {"years": [data]}
    if not isinstance(data, dict):
        raise DocreviewError(E_HOLIDAYS, where, "节假日文件应为 years: 列表（每项含 year、holidays、workdays）")
    try:
        spec = holiday_file_cls.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise DocreviewError(E_HOLIDAYS, where, f"字段 {loc} 无效：{err['msg']}") from None
    hol: dict[date, str] = {}
    work: dict[date, str] = {}
    seen: set[int] = set()
    for ys in spec.years:
        if ys.year in seen:
            raise DocreviewError(E_HOLIDAYS, where, f"{ys.year} 年重复出现")
        seen.add(ys.year)
        try:
            days = [d for item in ys.holidays for d in _expand(item, block_cls, where)]
            extra = [(_one(x), "") for x in ys.workdays]
        except DocreviewError as err:
            if err.code == E_HOLIDAYS:
                raise
            raise DocreviewError(E_HOLIDAYS, where, f"{ys.year} 年：{err.where} {err.message}") from None
        for d, _name in days + extra:
            if d.year != ys.year:
                raise DocreviewError(E_HOLIDAYS, where, f"日期 {d.isoformat()} 不属于 {ys.year} 年")
        for d, name in days:
            hol[d] = name or hol.get(d, "")
        for d, _ in extra:
            if d in hol:
                raise DocreviewError(E_HOLIDAYS, where, f"{d.isoformat()} 同时列为假日和调休上班日")
            if d.weekday() < 5:
                raise DocreviewError(
                    E_HOLIDAYS, where, f"调休上班日 {d.isoformat()} 是{WEEKDAY_ZH[d.weekday()]}，应为周六或周日"
                )
            work[d] = ""
    return HolidayCalendar(
        holidays=frozenset(hol), workdays=frozenset(work), known_years=frozenset(seen),
        sources=(f"{Path(where).name}（{'、'.join(str(y) for y in sorted(seen))} 年）",),
        names=tuple(sorted((d, n) for d, n in hol.items() if n)),
    )


def _one(value: Any) -> date:
    from docreview.dates import parse_date

    return parse_date(value)


def merge(base: HolidayCalendar, extra: HolidayCalendar) -> HolidayCalendar:
    """``extra`` (the user's file) wins: its working days are removed from ``base`` holidays and vice versa."""
    holidays = (base.holidays - extra.workdays) | extra.holidays
    workdays = (base.workdays - extra.holidays) | extra.workdays
    names = {**dict(base.names), **dict(extra.names)}
    for d in extra.workdays | extra.holidays:  # the user's file decides what the day is
        if d not in dict(extra.names):
            names.pop(d, None)
    return HolidayCalendar(
        holidays=frozenset(holidays), workdays=frozenset(workdays),
        known_years=base.known_years | extra.known_years, sources=base.sources + extra.sources,
        names=tuple(sorted(names.items())),
    )


def _plain_dates_loader():
    """A SafeLoader that leaves 2027-02-30 as a string so parse_date can explain what is wrong."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


def load_calendar(holiday_file: str | Path | None = None) -> HolidayCalendar:
    """chinesecalendar's table, merged with ``holiday_file`` (YAML) when given. Bad file → E402."""
    cal = builtin_calendar()
    if not holiday_file:
        return cal
    import yaml

    path = Path(holiday_file)
    where = str(holiday_file)
    if not path.is_file():
        raise DocreviewError(E_HOLIDAYS, where, "节假日文件不存在")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DocreviewError(E_HOLIDAYS, where, "节假日文件不是 UTF-8 文本") from None
    except OSError as exc:
        raise DocreviewError(E_HOLIDAYS, where, f"无法读取节假日文件：{exc.strerror}") from None
    try:
        data = yaml.load(text, Loader=_plain_dates_loader())  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"第 {mark.line + 1} 行" if mark else ""
        raise DocreviewError(E_HOLIDAYS, where, f"不是有效的 YAML{at}") from None
    return merge(cal, parse_holiday_data(data, where))


def years_between(a: date, b: date) -> Iterable[int]:
    return range(min(a, b).year, max(a, b).year + 1)
