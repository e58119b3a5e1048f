"""Filing deadlines per recipient and the validity (有效期) of a document. Pure functions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from docreview.errors import E_DATE, E_FILING, DocreviewError
from docreview.filing.calendar import HolidayCalendar
from docreview.filing.periods import add_months, count_period, last_valid_day
from docreview.filing.profiles import START_ZH, Profile, RecipientRule
from docreview.model import DocDates, FilingReport, RecipientStatus, ValidityStatus

ALL = "*"  # key of parse_filed for "every recipient"
COUNTING_NOTE = (
    "期限依《民法典》第二百零一条、第二百零三条计算：{event}当日不计入，自次日起算；"
    "期限最后一日为法定休假日（含周六、周日）的，顺延至休假日结束后的第一个工作日；调休上班的周六、周日按工作日对待。"
)
STATUS_ZH = {
    "on_time": "按期报送", "late": "逾期报送", "pending": "尚未报送（未到期）",
    "overdue": "逾期未报送", "unknown": "无法判断",
}
VALIDITY_ZH = {
    "valid": "有效", "expiring": "即将届满", "expired": "已届满失效", "missing": "未规定有效期",
    "too_long": "有效期过长", "unknown": "无法判断",
}


def parse_filed(values: list[str] | tuple[str, ...] | None) -> dict[str, date]:
    """``["2026-02-01"]`` → ``{"*": date}`` (all recipients); ``["上级人民政府=2026-02-01"]`` → by name.

    Separators ``=``, ``＝``, ``:``, ``：``. A bad date raises E400; the same recipient twice raises E401.
    """
    from docreview.dates import parse_date

    out: dict[str, date] = {}
    for raw in values or ():
        s = str(raw).strip()
        name, d = ALL, s
        for sep in ("=", "＝", "：", ":"):
            left, found, right = s.partition(sep)
            if found and left.strip() and not left.strip()[0].isdigit():
                name, d = left.strip(), right.strip()
                break
        if not d:
            raise DocreviewError(E_DATE, s, "报送日期为空（格式：2026-02-01 或 上级人民政府=2026-02-01）")
        if name in out:
            raise DocreviewError(E_FILING, name, "同一接收机关的报送日期给出了两次")
        out[name] = parse_date(d)
    return out


def _resolve_filed(filed: Mapping[str, date] | None, profile: Profile) -> dict[str, date]:
    """Filing dates by canonical recipient name; unknown names → E401 listing the choices."""
    out: dict[str, date] = {}
    if not filed:
        return out
    for key, d in filed.items():
        if key == ALL:
            continue
        rule = profile.recipient(key)
        if rule is None:
            names = "、".join(r.name for r in profile.recipients)
            raise DocreviewError(E_FILING, key, f"不是备案配置 {profile.name} 中的接收机关（可选：{names}）")
        out[rule.name] = d
    if ALL in filed:
        for r in profile.recipients:
            out.setdefault(r.name, filed[ALL])
    return out


def _event_date(rule: RecipientRule, published: date | None, signed: date | None) -> date | None:
    return published if rule.start == "published" else signed


def _recipient(
    rule: RecipientRule, event: date | None, filed: date | None, today: date, cal: HolidayCalendar,
    notes: list[tuple[str, str]], unknown_years: set[int],
) -> RecipientStatus:
    if event is None:
        return RecipientStatus(rule.name, None, "unknown", None, rule.basis, filed)
    if filed is not None and filed < event:
        raise DocreviewError(
            E_FILING, rule.name,
            f"报送备案日期 {filed.isoformat()} 早于{START_ZH[rule.start]}日期 {event.isoformat()}",
        )
    p = count_period(event, rule.amount, rule.unit, cal)
    unknown_years.update(p.unknown_years)
    if p.rolled:
        notes.append(
            (rule.name, f"{rule.period_zh}，期限届满日 {cal.describe(p.nominal)}是法定休假日，"
             f"顺延至 {cal.describe(p.last)}。")
        )
    elif p.last in cal.workdays:
        notes.append((rule.name, f"期限最后一日 {cal.describe(p.last)}是调休上班日，不顺延。"))
    if filed is not None:
        if filed <= p.last:
            return RecipientStatus(rule.name, p.last, "on_time", None, rule.basis, filed)
        return RecipientStatus(rule.name, p.last, "late", (filed - p.last).days, rule.basis, filed)
    if today <= p.last:
        return RecipientStatus(rule.name, p.last, "pending", (p.last - today).days, rule.basis, None)
    return RecipientStatus(rule.name, p.last, "overdue", (today - p.last).days, rule.basis, None)


def _effective(
    dates: DocDates, published: date | None, signed: date | None, notes: list[str]
) -> date | None:
    eff = dates.effective
    if eff is None:
        return None
    if eff.on is not None:
        return eff.on
    if eff.relative_to is None:
        if eff.text:
            notes.append(f"施行日期条款“{eff.text.strip()}”中的日期无法识别（可能是无效日期），请核对。")
        return None
    rel = eff.relative_to
    if rel in ("印发", "签发", "成文"):
        base = signed or published
        if signed is None and published is not None:
            notes.append(f"施行日期自{rel}之日起算，但未找到{rel}（成文）日期，暂按公布日期 {published.isoformat()} 计算。")
    else:  # 公布 / 发布
        base = published
    if base is None:
        notes.append(f"施行日期为“自{rel}之日起”{f'{eff.days_after}日后' if eff.days_after else ''}，但缺少{rel}日期，无法确定施行日期。")
        return None
    return base + timedelta(days=eff.days_after)


def _validity(
    dates: DocDates, published: date | None, signed: date | None, provisional: bool, today: date,
    profile: Profile, notes: list[str],
) -> ValidityStatus:
    vnotes: list[str] = []
    effective = _effective(dates, published, signed, vnotes)
    val = dates.validity
    has_clause = val is not None and (val.years or val.months or val.until)
    if dates.effective is None:
        vnotes.append("文件未写明施行日期（建议写明“本办法自×年×月×日起施行”）。")
    if val is not None and not has_clause and val.text:
        vnotes.append(f"有效期条款“{val.text.strip()}”中的期限或日期无法识别（可能是无效日期），请核对。")
        notes.extend(vnotes)
        return ValidityStatus(effective, None, "unknown", "".join(vnotes))
    if not has_clause:
        vnotes.append(
            f"文件未规定有效期（一般不超过{profile.max_years}年，标注“暂行”“试行”的不超过"
            f"{profile.provisional_max_years}年），建议写明“有效期×年”或“有效期至×年×月×日”。"
        )
        notes.extend(vnotes)
        return ValidityStatus(effective, None, "missing", "".join(vnotes))
    assert val is not None
    base = effective
    if base is None and published is not None:
        base = published
        vnotes.append(f"未能确定施行日期，有效期暂按公布日期 {published.isoformat()} 起算。")
    if val.until is not None:
        expires: date | None = val.until
    elif base is not None:
        expires = last_valid_day(base, val.years or 0, val.months or 0)
        span = f"{val.years}年" if val.years else ""
        span += f"{val.months}个月" if val.months else ""
        vnotes.append(
            f"有效期{span}自 {base.isoformat()} 起算，届满日（最后一个有效日）= 起算日 + {span} − 1日 = "
            f"{expires.isoformat()}。"
        )
    else:
        vnotes.append("文件规定了有效期年限，但缺少施行日期和公布日期，无法计算届满日。")
        notes.extend(vnotes)
        return ValidityStatus(None, None, "unknown", "".join(vnotes))
    assert expires is not None
    v = validity_status(expires, today, profile=profile, effective=effective, provisional=provisional,
                        start=base, missing_start_note=val.until is not None)
    vnotes.append(v.note)
    notes.extend(n for n in vnotes if n)
    return ValidityStatus(effective, expires, v.status, "".join(vnotes))


def validity_status(
    expires: date,
    today: date,
    *,
    profile: Profile,
    effective: date | None = None,
    provisional: bool = False,
    start: date | None = None,
    missing_start_note: bool = True,
) -> ValidityStatus:
    """Status of a known last valid day: expired / too_long / expiring / valid, with a Chinese note.

    ``start`` is the first valid day used for the length check (default ``effective``). Also usable for
    ledgers that record 施行日期 / 有效期至 directly.
    """
    base = start or effective
    notes: list[str] = []
    if base is not None and expires < base:
        notes.append(f"有效期截止日 {expires.isoformat()} 早于施行日期 {base.isoformat()}，请核对。")
    limit = profile.provisional_max_years if provisional else profile.max_years
    kind = "标注“暂行”“试行”的文件" if provisional else "行政规范性文件"
    too_long = base is not None and expires > last_valid_day(base, limit)
    if base is None and missing_start_note:
        notes.append("缺少施行日期，无法判断有效期是否超过上限。")
    if today > expires:
        status = "expired"
        notes.append(f"有效期已于 {expires.isoformat()} 届满，文件自动失效，不得再作为行政管理依据。")
    elif too_long:
        status = "too_long"
    elif today >= add_months(expires, -profile.expiring_months):
        status = "expiring"
        notes.append(
            f"距有效期届满（{expires.isoformat()}）不足{profile.expiring_months}个月，"
            "应当开展评估，决定修改、废止或者确认继续实施。"
        )
    else:
        status = "valid"
    if too_long:
        notes.append(f"有效期超过{limit}年（{kind}一般不超过{limit}年），建议缩短。")
    if effective is not None and today < effective:
        notes.append(f"文件尚未施行（施行日期 {effective.isoformat()}）。")
    return ValidityStatus(effective, expires, status, "".join(notes))


def assess(
    dates: DocDates | None,
    *,
    title: str = "",
    provisional: bool = False,
    published: date | None = None,
    filed: Mapping[str, date] | None = None,
    today: date,
    profile: Profile,
    calendar: HolidayCalendar,
) -> FilingReport:
    """Filing status per recipient and validity status. ``published``/``filed`` (flags) override the
    document's own dates. Raises E401 when a filing date precedes the start event or names an unknown
    recipient."""
    have_doc = dates is not None
    dates = dates or DocDates()
    provisional = provisional or any(w in title for w in ("暂行", "试行"))
    pub = published or dates.published
    signed = dates.signed
    notes: list[str] = []
    filed_by = _resolve_filed(filed, profile)
    events = {r.start for r in profile.recipients}
    for ev in sorted(events):
        has = pub if ev == "published" else signed
        if has is None:
            hint = ""
            if ev == "published" and signed is not None:
                hint = f"文件落款（成文）日期为 {signed.isoformat()}；如当日公布，请用 --published {signed.isoformat()} 指定。"
            notes.append(
                f"缺少{START_ZH[ev]}日期，无法计算备案期限（{'可用 --published 指定' if ev == 'published' else '文件未写明印发日期'}）。{hint}"
            )
    if published and dates.published and published != dates.published:
        notes.append(
            f"公布日期按指定的 {published.isoformat()} 计算（文件中识别到的是 {dates.published.isoformat()}）。"
        )
    if pub is not None and signed is not None and pub < signed:
        notes.append(f"公布日期 {pub.isoformat()} 早于成文日期 {signed.isoformat()}，请核对。")
    unknown_years: set[int] = set()
    recips: list[RecipientStatus] = []
    rnotes: list[tuple[str, str]] = []
    for rule in profile.recipients:
        recips.append(
            _recipient(rule, _event_date(rule, pub, signed), filed_by.get(rule.name), today, calendar,
                       rnotes, unknown_years)
        )
    if any(r.deadline for r in recips):
        ev_zh = "、".join(sorted({START_ZH[r.start] for r in profile.recipients}))
        notes.append(COUNTING_NOTE.format(event=ev_zh))
    grouped: dict[str, list[str]] = {}
    for who, text in rnotes:  # one note per distinct text: "上级人民政府、本级人大常委会：…"
        grouped.setdefault(text, []).append(who)
    notes.extend(f"{'、'.join(who)}：{text}" for text, who in grouped.items())
    for f in filed_by.values():
        if f > today:
            notes.append(f"报送日期 {f.isoformat()} 晚于今天（{today.isoformat()}），请核对。")
            break
    if unknown_years:
        ys = "、".join(str(y) for y in sorted(unknown_years))
        notes.append(
            f"{ys} 年的法定节假日安排未知（已知年份：{calendar.years_range_text()}），该年只按周六、周日休息计算，"
            "未计入法定节假日和调休；请核对国务院办公厅当年的放假安排，或用 --holidays 提供节假日文件。"
        )
    if have_doc:
        validity = _validity(dates, pub, signed, provisional, today, profile, notes)
    else:
        validity = ValidityStatus(None, None, "unknown", "未读取文件正文，未判断施行日期和有效期。")
        notes.append(validity.note)
    return FilingReport(
        published=pub, profile=profile.name, recipients=tuple(recips), validity=validity,
        notes=tuple(notes),
    )


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def filing_to_dict(report: FilingReport) -> dict:
    """JSON-ready dict: ISO dates, the shape ``docreview filing --format json`` prints."""
    return {
        "published": _iso(report.published),
        "profile": report.profile,
        "recipients": [
            {
                "recipient": r.recipient, "deadline": _iso(r.deadline), "status": r.status,
                "days": r.days, "basis": r.basis, "filed": _iso(r.filed),
            }
            for r in report.recipients
        ],
        "validity": {
            "effective": _iso(report.validity.effective), "expires": _iso(report.validity.expires),
            "status": report.validity.status, "note": report.validity.note,
        },
        "notes": list(report.notes),
    }


def recipient_line(r: RecipientStatus) -> str:
    """One Chinese sentence for a recipient, e.g. ``上级人民政府：逾期报送 3 天（期限 2026-02-04，…）``."""
    dl = r.deadline.isoformat() if r.deadline else "—"
    if r.status == "on_time":
        return f"{r.recipient}：按期报送（期限 {dl}，{r.filed.isoformat() if r.filed else ''} 已报送）"
    if r.status == "late":
        return f"{r.recipient}：逾期报送，晚了 {r.days} 天（期限 {dl}，{r.filed.isoformat() if r.filed else ''} 才报送）"
    if r.status == "pending":
        left = "今天是最后一日" if r.days == 0 else f"还剩 {r.days} 天"
        return f"{r.recipient}：尚未报送，{left}（期限 {dl}）"
    if r.status == "overdue":
        return f"{r.recipient}：逾期未报送，已超过期限 {r.days} 天（期限 {dl}）"
    return f"{r.recipient}：无法计算期限（缺少起算日期，见说明）"


def render_text(
    report: FilingReport, profile: Profile | None = None, title: str = "", published_from: str = ""
) -> str:
    """Plain Chinese text for the console. ``published_from`` says where the date came from."""
    lines: list[str] = []
    if title:
        lines.append(f"文件：{title}")
    head = f"备案配置：{report.profile}"
    if profile is not None and profile.title:
        head += f"（{profile.title}）"
    lines.append(head)
    pub = report.published.isoformat() if report.published else "未知"
    lines.append(f"公布日期：{pub}{f'（{published_from}）' if report.published and published_from else ''}")
    lines.append("备案报送：")
    for r in report.recipients:
        mark = "✗" if r.status in ("late", "overdue") else ("✓" if r.status == "on_time" else "·")
        lines.append(f"  {mark} {recipient_line(r)}")
        lines.append(f"      依据：{r.basis}")
    v = report.validity
    lines.append("有效期：")
    lines.append(f"  施行日期：{v.effective.isoformat() if v.effective else '未知'}")
    lines.append(f"  届满日（最后有效日）：{v.expires.isoformat() if v.expires else '未知'}")
    lines.append(f"  状态：{VALIDITY_ZH[v.status]}")
    if report.notes:
        lines.append("说明：")
        lines.extend(f"  - {n}" for n in report.notes)
    late = [r for r in report.recipients if r.status in ("late", "overdue")]
    if late:
        lines.append("结论：" + "；".join(recipient_line(r).split("（")[0] for r in late) + "。")
    return "\n".join(lines)
