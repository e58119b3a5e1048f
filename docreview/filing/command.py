"""``docreview filing``: read a document (optional), assess filing deadlines and validity, render text/JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from docreview.errors import E_USAGE, DocreviewError
from docreview.model import DocDates

FORMATS = ("text", "json")


def read_dates(path: str | Path) -> tuple[DocDates, str, bool]:
    """(dates, title, provisional) from a document via ingest → structure."""
    from docreview.ingest import read_document
    from docreview.structure import parse_structure

    st = parse_structure(read_document(path))
    return st.dates, st.title, st.provisional


def run_filing(
    file: str | Path | None = None,
    *,
    published: str | None = None,
    filed: Sequence[str] = (),
    today: str | None = None,
    profile: str | None = None,
    holidays: str | Path | None = None,
    fmt: str = "text",
    config: str | Path | None = None,
) -> str:
    """Everything the ``filing`` command prints, as one string. Bad input raises DocreviewError."""
    from docreview.config import load_config
    from docreview.dates import parse_date
    from docreview.filing import (
        assess,
        filing_to_dict,
        get_profile,
        load_calendar,
        parse_filed,
        render_text,
    )

    if fmt not in FORMATS:
        raise DocreviewError(E_USAGE, "--format", f"不支持的格式 {fmt}（可选：{'、'.join(FORMATS)}）")
    if file is None and not published:
        raise DocreviewError(E_USAGE, "filing", "请给出文件，或用 --published 指定公布日期")
    cfg = load_config(config)
    prof = get_profile(profile or cfg.profile)
    cal = load_calendar(str(holidays) if holidays else cfg.holidays)
    pub = parse_date(published) if published else None
    today_d = parse_date(today) if today else date.today()
    filed_map = parse_filed(list(filed)) if filed else None
    dates, title, provisional = (None, "", False)
    if file is not None:
        dates, title, provisional = read_dates(file)
    report = assess(
        dates, title=title, provisional=provisional, published=pub, filed=filed_map, today=today_d,
        profile=prof, calendar=cal,
    )
    if fmt == "json":
        return json.dumps(filing_to_dict(report), ensure_ascii=False, indent=2)
    source = "--published 指定" if pub else ("取自文件" if report.published else "")
    return render_text(report, prof, title=title or (Path(file).name if file else ""), published_from=source)
