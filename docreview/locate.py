"""Map a document offset to the unit reviewers cite: 第十二条第二款第（三）项, or 二、（三）.

Pure and O(log n): bisects the (sorted) articles, clauses, items and chapters of a ``Statute``.
"""

from __future__ import annotations

import bisect
import functools
import operator

from docreview.model import Article, Chapter, Item, Location, Statute

TITLE_LABEL = "标题"  # title, 文号, 主送机关
PREAMBLE_LABEL = "正文前言"  # operative text before the first article / section
CLOSING_LABEL = "落款"  # issuer, date and everything after the body
BODY_LABEL = "正文"  # inside the body but outside any unit (e.g. an attachment heading)


@functools.lru_cache(maxsize=256)
def _cn(n: int) -> str:
    from docreview.cnnum import an2cn

    return an2cn(n)


_start = operator.attrgetter("start")  # bisect key (a C callable: no Python frame per probe)


def _containing(seq, pos: int):
    """The last element of ``seq`` (sorted by start) with start <= pos <= end, or None."""
    i = bisect.bisect_right(seq, pos, key=_start) - 1
    if i >= 0:
        x = seq[i]
        if pos <= x.end:
            return x
    return None


def item_label(item: Item) -> str:
    """（三） → 第（三）项; 2. → 第2项."""
    if item.label.startswith("（"):
        return f"第{item.label}项"
    return f"第{item.number}项"


def article_label(article: Article, clause: int | None = None, item: Item | None = None,
                  subitem: Item | None = None) -> str:
    """第十二条第二款第（三）项第1目; 第一款 is omitted when the article has a single 款."""
    label = article.label
    if clause is not None and len(article.clauses) > 1:
        label += f"第{_cn(clause)}款"
    if item is not None:
        label += item_label(item)
        if subitem is not None:
            label += f"第{subitem.number}目"
    return label


def chapter_of(statute: Statute, pos: int) -> Chapter | None:
    """The 章 (level 1) containing ``pos``: the last one starting at or before ``pos``.

    Chapters are sorted by start, so this is the first level-1 entry walking back from the last
    章/节 starting at or before ``pos`` (no filtered copy of the list per call).
    """
    chapters = statute.chapters
    if not chapters:
        return None
    i = bisect.bisect_right(chapters, pos, key=_start) - 1
    while i >= 0:
        ch = chapters[i]
        if ch.level == 1:
            return ch
        i -= 1
    return None


def locate(statute: Statute, pos: int) -> Location:
    """The citation unit containing document offset ``pos``."""
    art = _containing(statute.articles, pos) if statute.articles else None
    if art is not None:
        ch = chapter_of(statute, art.start)
        clause = _containing(art.clauses, pos) or (art.clauses[0] if art.clauses else None)
        item = sub = None
        if clause is not None and clause.items:
            item = _containing(clause.items, pos)
            if item is not None and item.subitems:
                sub = _containing(item.subitems, pos)
        cnum = clause.number if clause is not None else None
        # positional: Location(article, clause, item, label, chapter) (keywords cost more per call)
        return Location(
            art.number,
            cnum,
            item.number if item is not None else None,
            article_label(art, cnum, item, sub),
            ch.title if ch is not None else "",
        )
    if statute.sections:
        i = bisect.bisect_right(statute.sections, pos, key=_start) - 1
        while i >= 0:
            sec = statute.sections[i]
            if sec.start <= pos <= sec.end:
                return Location(label=sec.label)
            i -= 1
    body = statute.body
    if body is not None and pos < body.start:
        return Location(label=TITLE_LABEL)
    if body is not None and pos > body.end:
        return Location(label=CLOSING_LABEL)
    heading = _containing(statute.chapters, pos) if statute.chapters else None
    if heading is not None:  # a 章/节 heading (or text in it outside any article)
        ch = chapter_of(statute, pos)
        return Location(label=heading.label, chapter=ch.title if ch is not None else heading.title)
    first_unit = statute.articles[0].start if statute.articles else (
        statute.sections[0].start if statute.sections else None
    )
    if first_unit is None or pos < first_unit:
        return Location(label=PREAMBLE_LABEL)
    ch = chapter_of(statute, pos)
    return Location(label=BODY_LABEL, chapter=ch.title if ch is not None else "")
