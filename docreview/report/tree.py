"""``docreview parse`` output: a Statute as a JSON-ready dict or as an indented Chinese tree."""

from __future__ import annotations

from datetime import date
from typing import Any

from docreview.model import Article, Item, Section, Statute
from docreview.nlp import normalize
from docreview.structure import ARTICLE_RE
from docreview.structure import int_cn as _cn


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _span(s) -> list[int] | None:
    return [s.start, s.end] if s is not None else None


def _item(st: Statute, it: Item) -> dict[str, Any]:
    return {
        "number": it.number, "label": it.label, "text": st.text[it.start:it.end],
        "span": [it.start, it.end], "subitems": [_item(st, s) for s in it.subitems],
    }


def _article(st: Statute, a: Article, chapter_titles: dict[int, str]) -> dict[str, Any]:
    return {
        "number": a.number,
        "label": a.label,
        "chapter": chapter_titles.get(a.chapter) if a.chapter is not None else None,
        "text": st.text[a.start:a.end],
        "span": [a.start, a.end],
        "clauses": [
            {"number": c.number, "text": st.text[c.start:c.end], "span": [c.start, c.end],
             "items": [_item(st, i) for i in c.items]}
            for c in a.clauses
        ],
    }


def _section(st: Statute, s: Section) -> dict[str, Any]:
    return {"path": list(s.path), "label": s.label, "heading": s.heading, "text": st.text[s.start:s.end],
            "span": [s.start, s.end]}


def statute_to_dict(st: Statute) -> dict[str, Any]:
    """JSON-ready dict (ISO dates, document offsets as [start, end])."""
    eff, val = st.dates.effective, st.dates.validity
    chapter_titles = {c.number: c.title for c in st.chapters if c.level == 1}
    return {
        "title": st.title,
        "doc_number": st.doc_number,
        "issuer": st.issuer,
        "addressees": list(st.addressees),
        "style": st.style,
        "dates": {
            "signed": _iso(st.dates.signed),
            "published": _iso(st.dates.published),
            "effective": None if eff is None else {
                "on": _iso(eff.on), "relative_to": eff.relative_to, "days_after": eff.days_after,
                "text": eff.text, "span": _span(eff.span),
            },
            "validity": None if val is None else {
                "years": val.years, "months": val.months, "until": _iso(val.until), "text": val.text,
                "span": _span(val.span),
            },
        },
        "provisional": st.provisional,
        "repeals": list(st.repeals),
        "body": _span(st.body),
        "chapters": [
            {"number": c.number, "label": c.label, "title": c.title, "level": c.level, "span": [c.start, c.end]}
            for c in st.chapters
        ],
        "articles": [_article(st, a, chapter_titles) for a in st.articles],
        "sections": [_section(st, s) for s in st.sections],
    }


def _short(s: str, n: int = 60) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def statute_to_text(st: Statute, width: int = 60) -> str:
    """An indented, human-readable tree in Chinese."""
    d = st.dates
    lines = [
        f"标题：{st.title or '（未识别）'}",
        f"文号：{st.doc_number or '（无）'}",
        f"制定机关：{st.issuer or '（未识别）'}",
    ]
    if st.addressees:
        lines.append(f"主送机关：{'；'.join(st.addressees)}")
    lines.append(f"文件体例：{'条文式' if st.style == 'regulation' else '通知式（分段标题）'}"
                 + ("；暂行/试行" if st.provisional else ""))
    lines.append(f"成文日期：{_iso(d.signed) or '（未识别）'}　公布日期：{_iso(d.published) or '（未识别）'}")
    if d.effective is not None:
        e = d.effective
        when = _iso(e.on) if e.on else (
            f"自{e.relative_to}之日起" + (f"{e.days_after}日后" if e.days_after else "") if e.relative_to else "?"
        )
        lines.append(f"施行：{when}（{_short(e.text, 40)}）")
    else:
        lines.append("施行：（未规定）")
    if d.validity is not None:
        v = d.validity
        if v.until:
            what = f"至{_iso(v.until)}"
        elif v.years:
            what = f"{v.years}年"
        elif v.months:
            what = f"{v.months}个月"
        else:
            what = "?"
        lines.append(f"有效期：{what}（{_short(v.text, 40)}）")
    else:
        lines.append("有效期：（未规定）")
    for r in st.repeals:
        lines.append(f"废止：{r}")
    lines.append("")
    if st.style == "regulation":
        by_start = sorted([("c", c.start, c) for c in st.chapters] + [("a", a.start, a) for a in st.articles],
                          key=lambda x: x[1])
        for kind, _, node in by_start:
            if kind == "c":
                indent = "" if node.level == 1 else "  "
                lines.append(f"{indent}{node.label}　{node.title}".rstrip())
                continue
            lines.append(f"  {node.label}")
            for c in node.clauses:
                body = st.text[c.start:c.end].split("\n", 1)[0]
                if c.number == 1:
                    m = ARTICLE_RE.match(normalize(body))
                    body = body[m.end():].lstrip() if m else body
                lines.append(f"    第{_cn(c.number)}款　{_short(body, width)}")
                for it in c.items:
                    lines.append(f"      {_short(st.text[it.start:it.end].split(chr(10))[0], width)}")
                    for sub in it.subitems:
                        lines.append(f"        {_short(st.text[sub.start:sub.end], width)}")
    else:
        for s in st.sections:
            indent = "  " * (len(s.path) - 1)
            lines.append(f"{indent}{s.label}　{_short(s.heading, width)}".rstrip())
    return "\n".join(lines).rstrip() + "\n"
