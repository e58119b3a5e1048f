"""Legal structure of a document: title, 文号, issuer, dates, 章/节/条/款/项/目 or headed sections.

``parse_structure`` is pure: it reads ``SourceDoc`` blocks and returns a frozen ``Statute``. All
matching is done on ``normalize``d text (length-preserving), so every offset is valid in
``SourceDoc.text``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from docreview.dates import _CN as _CN_DATE_CHARS
from docreview.dates import AR_DATE_RE, CN_DATE_RE, find_dates, parse_date
from docreview.errors import DocreviewError
from docreview.model import (
    Article,
    Block,
    Chapter,
    Clause,
    DocDates,
    Effective,
    Item,
    Section,
    SourceDoc,
    Span,
    Statute,
    Validity,
)
from docreview.nlp import normalize, split_sentences

# --------------------------------------------------------------------------- numerals

_CN_NUM = "零〇○一二三四五六七八九十百千两"
_NUM = rf"[0-9{_CN_NUM}]+"


@functools.lru_cache(maxsize=512)
def cn_int(s: str) -> int:
    """第二十三条 → 23: Arabic or Chinese numerals (十, 一百零一, 两) to int."""
    from docreview.cnnum import cn2int

    return cn2int(s)


@functools.lru_cache(maxsize=512)
def int_cn(n: int) -> str:
    """23 → 二十三 (labels in the form reviewers cite)."""
    from docreview.cnnum import an2cn

    return an2cn(n)


# --------------------------------------------------------------------------- patterns (normalised text)

ARTICLE_RE = re.compile(rf"第\s*({_NUM})\s*条(之[一二三四五六七八九十]+)?")
CHAPTER_RE = re.compile(rf"第\s*({_NUM})\s*(章|节)\s*(.*)$")
_STANDALONE_HEADINGS = frozenset({"总则", "附则", "分则", "法律责任", "罚则"})
ITEM_RE = re.compile(r"（\s*([一二三四五六七八九十百]+)\s*）")
SUBITEM_RE = re.compile(r"(\d{1,2})\s*[.．、](?!\d)|（\s*(\d{1,2})\s*）")
ATTACHMENT_RE = re.compile(r"附\s*件\s*\d*\s*(?:[：:]|$)")

# notice-style headings, outermost first
_NOTICE_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cn", re.compile(r"([一二三四五六七八九十百]+)\s*、")),
    ("pcn", re.compile(r"（\s*([一二三四五六七八九十百]+)\s*）")),
    ("ar", re.compile(r"(\d{1,2})\s*[.．、](?!\d)")),
    ("par", re.compile(r"（\s*(\d{1,2})\s*）")),
)

_DATE_PAT = rf"(?:{AR_DATE_RE.pattern}|{CN_DATE_RE.pattern})"
# 版记: 抄送/主题词 lines and "某办公室　2026年1月21日印发"
COLOPHON_RE = re.compile(rf"(?:抄\s*送|抄\s*报|主题词|分\s*送)\s*[：:]|.{{0,40}}{_DATE_PAT}\s*印\s*发\s*$|（此件[^）]*）$")
DOCNUM_RE = re.compile(r"([\u4e00-\u9fff]{1,14}?)\s*[〔（]\s*((?:19|20)\d{2})\s*[〕）]\s*第?\s*(\d{1,5})\s*号")
ORDER_NUM_RE = re.compile(rf"([\u4e00-\u9fff]{{2,24}}令)\s*第\s*({_NUM})\s*号")
_STAGES = "送审稿|征求意见稿|草案|修订草案|修订稿|代拟稿|讨论稿"  # drafting stages written in a title
STAGE_RE = re.compile(rf"（({_STAGES})）")
# a parenthesised title suffix on its own line: a drafting stage or 试行/暂行
DRAFT_RE = re.compile(rf"（({_STAGES}|试行|暂行)）")
DOC_TYPE_END = re.compile(
    r"(办法|规定|规则|细则|通知|意见|方案|决定|通告|公告|规划|计划|纲要|措施|制度|标准|指引|指南|目录|"
    r"清单|条例|守则|准则|批复|函|要点|实施方案|行动方案)(（[^）]{1,12}）)*$"
)
ORG_SUFFIX = re.compile(
    r"(人民政府|政府|办公厅|办公室|局|委员会|委|厅|部|署|院|中心|管委会|管理委员会|公司|会|所|站|队|处|科)$"
)
_REDHEAD_RE = re.compile(r".{2,40}(文件|文件（[^）]*）)$")
_HEADER_NOISE = re.compile(r"(特急|加急|急件|平急|机密|秘密|绝密|公开|主动公开|依申请公开|不予公开|签发人.*|.{0,6}★.*)")

EFF_DATE_RE = re.compile(rf"(?:自|从|于)\s*(?P<date>{_DATE_PAT})\s*(?:起|开始)?\s*(?:施行|实施|执行|生效)")
EFF_REL_RE = re.compile(
    rf"自\s*(?P<rel>印发|公布|发布|签发|颁布)\s*之日起\s*"
    rf"(?:(?P<days>\d+|[{_CN_NUM}]+)\s*(?:日|天|个工作日)\s*(?:后|以后)?\s*(?:起)?\s*)?"
    r"(?:施行|实施|执行|生效)"
)
VAL_YEARS_RE = re.compile(rf"有效期\s*(?:为|是)?\s*(?P<n>\d+|[{_CN_NUM}]+)\s*(?P<unit>年|个月)")
VAL_UNTIL_RE = re.compile(rf"有效期[^。；]{{0,40}}?(?:至|到|截至|截止)\s*(?P<date>{_DATE_PAT})")
SELF_REF_RE = re.compile(
    r"本(?:办法|规定|规则|细则|实施细则|通知|意见|实施意见|方案|实施方案|决定|文件|措施|制度|公告|通告|指引|政策|"
    r"条例|标准|目录|清单|指南|若干措施|规范)"
)
REPEAL_TITLE_RE = re.compile(r"《([^《》]{2,80})》(?:\s*（\s*([^（）]{2,40}?)\s*）)?")


def draft_stage(title: str) -> str:
    """The drafting stage written in a title: "送审稿", "征求意见稿", "草案" …, or ""."""
    m = STAGE_RE.search(normalize(title))
    return m[1] if m else ""


def _published_in(s: str) -> date | None:
    """The date followed (within a few characters, before any other date) by 公布/发布."""
    ds = find_dates(s)
    for idx, (_, end, d) in enumerate(ds):
        nxt = ds[idx + 1][0] if idx + 1 < len(ds) else len(s)
        if re.search(r"(公布|发布)", s[end:min(nxt, end + 14)]):
            return d
    return None


_WS_RE = re.compile(r"\s+")


def _strip_ws(s: str) -> str:
    return _WS_RE.sub("", s)


def _lead(s: str) -> int:
    """Number of leading whitespace characters."""
    return len(s) - len(s.lstrip())


def normalize_doc_number(text: str) -> str:
    """The first 文号 in ``text`` normalised to 某府规〔2026〕3号 (any bracket), or ""."""
    norm = normalize(text)
    m = DOCNUM_RE.search(norm)
    if m:
        return f"{m[1]}〔{m[2]}〕{int(m[3])}号"
    m = ORDER_NUM_RE.search(norm)
    if m:
        return f"{m[1]}第{cn_int(m[2])}号"
    return ""


# every date ends with 日/号 or a digit: a line whose text ends otherwise holds no trailing date
_DATE_TAIL = re.compile(r"[日号\d][\s（）]*$")


def _date_tail(s: str) -> bool:
    """``_DATE_TAIL.search(s) is not None`` without trying the regex at every 日/号/digit."""
    t = s.rstrip()
    while t and t[-1] in "（）":
        t = t[:-1].rstrip()
    return bool(t) and (t[-1] in "日号" or t[-1].isdecimal())


def _date_only(norm: str) -> date | None:
    """The date if the line is nothing but a date (optionally in brackets), else None."""
    if not _date_tail(norm):
        return None
    s = _strip_ws(norm).strip("（）")
    if not s or len(s) > 16:
        return None
    for a, b, d in find_dates(s):
        if a == 0 and b == len(s):
            return d
    return None


def _is_org_line(norm: str) -> bool:
    s = _strip_ws(norm)
    return (
        2 <= len(s) <= 40
        and not re.search(r"[，。；：、！？《》]", s)
        and ORG_SUFFIX.search(s) is not None
        and not ARTICLE_RE.match(s)
    )


# --------------------------------------------------------------------------- builders


class _B:
    """Mutable builder used only inside parse_structure (``extra``: per-kind data, see the users)."""

    __slots__ = ("number", "label", "start", "end", "children", "extra")

    def __init__(self, number: int, label: str, start: int, end: int, extra: object = None) -> None:
        self.number = number
        self.label = label
        self.start = start
        self.end = end
        self.children: list[_B] = []
        self.extra = extra


def _freeze_items(items: list[_B]) -> tuple[Item, ...]:
    return tuple(
        Item(i.number, i.label, i.start, i.end, _freeze_items(i.children) if i.children else ())
        for i in items
    )


# --------------------------------------------------------------------------- header


@dataclass
class _Header:
    title: str = ""
    title_blocks: tuple[int, int] | None = None
    doc_number: str = ""
    addressees: tuple[str, ...] = ()
    published: date | None = None
    body_first: int = 0  # index of the first body block


def _looks_structural(s: str) -> bool:
    return bool(
        ARTICLE_RE.match(s) or CHAPTER_RE.match(s) or any(rx.match(s) for _, rx in _NOTICE_MARKERS)
    )


def _title_continues(title: str, nxt: str, centered: bool) -> bool:
    """Whether ``nxt`` is the second line of a two-line title."""
    done = DOC_TYPE_END.search(_strip_ws(title)) is not None
    done_after = DOC_TYPE_END.search(_strip_ws(title + nxt)) is not None
    if centered:
        return not done or done_after
    return not done and done_after


def _parse_header(blocks: tuple[Block, ...], norms: list[str]) -> _Header:
    h = _Header()
    n = len(blocks)
    i = 0

    def skip_empty(k: int) -> int:
        while k < n and not norms[k].strip():
            k += 1
        return k

    # red-head lines, 文号 lines and markings before the title
    i = skip_empty(i)
    while i < n:
        s = _strip_ws(norms[i])
        if blocks[i].kind == "cell":
            i += 1
        elif len(s) <= 40 and "《" not in s and (DOCNUM_RE.search(s) or ORDER_NUM_RE.fullmatch(s)):
            h.doc_number = h.doc_number or normalize_doc_number(s)
            i += 1
        elif (
            _REDHEAD_RE.fullmatch(s) and len(s) <= 30
            or _HEADER_NOISE.fullmatch(s)
            or re.fullmatch(r"附件\d*[：:]?", s)
        ):
            i += 1
        else:
            break
        i = skip_empty(i)
    if i >= n:
        h.body_first = n
        return h

    # title (one block, or two when the first is not yet a complete title)
    s0 = norms[i].strip()
    if (
        len(s0) <= 80
        and not _looks_structural(s0)
        and not re.search(r"[。；]", s0)
        and not s0.endswith(("：", ":"))
        and _date_only(s0) is None
    ):
        first, last = i, i
        title = s0
        j = skip_empty(i + 1)
        if j < n and blocks[j].kind == "paragraph":
            s1 = norms[j].strip()
            if DRAFT_RE.fullmatch(_strip_ws(s1)):
                title, last = title + _strip_ws(s1), j
            elif (
                s1
                and len(s1) <= 50
                and not _looks_structural(s1)
                and not re.search(r"[。；：，]", s1)
                and not DOCNUM_RE.search(s1)
                and not s1.startswith("（")
                and _date_only(s1) is None
                and _strip_ws(s1) not in _STANDALONE_HEADINGS
                and _title_continues(title, s1, blocks[i].align == blocks[j].align == "center")
            ):
                title, last = title + s1, j
                k = skip_empty(j + 1)
                if k < n and DRAFT_RE.fullmatch(_strip_ws(norms[k])):
                    title, last = title + _strip_ws(norms[k]), k
        h.title = blocks[first].text.strip() if first == last else "".join(
            blocks[b].text.strip() for b in range(first, last + 1) if blocks[b].text.strip()
        )
        h.title_blocks = (first, last)
        i = skip_empty(last + 1)

    # 文号 / 题注 / addressees after the title
    while i < n:
        raw = norms[i].strip()
        s = _strip_ws(raw)
        if blocks[i].kind == "cell":
            break
        if (
            len(s) <= 40 and "《" not in s and not _looks_structural(s)
            and (DOCNUM_RE.search(s) or ORDER_NUM_RE.fullmatch(s))
        ):
            h.doc_number = h.doc_number or normalize_doc_number(s)
        elif s.startswith("（") and s.endswith("）") and len(s) <= 120 and not _looks_structural(s):
            # 题注: （2026年1月20日市人民政府第5次常务会议通过　2026年1月25日公布）
            h.doc_number = h.doc_number or normalize_doc_number(s)
            h.published = h.published or _published_in(s)
        elif (
            raw.endswith(("：", ":"))
            and len(s) <= 150
            and "。" not in s
            and not _looks_structural(s)
            and not h.addressees
            and not re.search(r"如下|现将|现就|为了|为进一步|根据|按照|依据|特此|请|下列", s)
        ):
            h.addressees = _split_addressees(s[:-1])
            i = skip_empty(i + 1)
            break
        else:
            break
        i = skip_empty(i + 1)
    h.body_first = i
    return h


def _split_top(s: str, seps: str) -> list[str]:
    """Split on any of ``seps`` outside brackets （）()《》."""
    out, depth, cur = [], 0, []
    for ch in s:
        if ch in "（(《〔":
            depth += 1
        elif ch in "）)》〕":
            depth = max(0, depth - 1)
        if ch in seps and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [p.strip() for p in out if p.strip()]


def _split_addressees(s: str) -> tuple[str, ...]:
    """各区人民政府，市政府各委、办、局 → ("各区人民政府", "市政府各委、办、局")."""
    out: list[str] = []
    for part in _split_top(s, "，,；;"):
        sub = _split_top(part, "、")
        if len(sub) > 1 and all(len(p) >= 3 for p in sub):
            out.extend(sub)
        else:
            out.append(part)
    return tuple(out)


# --------------------------------------------------------------------------- closing block (落款)


@dataclass
class _Closing:
    start_block: int | None = None
    issuer: str = ""
    signed: date | None = None
    published: date | None = None


def _parse_closing(blocks: tuple[Block, ...], norms: list[str], first: int, after: int) -> _Closing:
    """Find the 落款: issuer line(s) followed by a date-only line, at or after block ``first``.

    ``after`` is the index of the last article/section head; a bare date line without issuer is
    only accepted after it.
    """
    n = len(blocks)
    cands: list[tuple[int, date, int, str]] = []  # (date block, date, first issuer block, issuer)
    for k in range(first, n):
        # a line whose text ends otherwise than _DATE_TAIL is neither a date line nor "issuer date"
        # (stripping the line does not change that)
        if blocks[k].kind == "cell" or not _date_tail(norms[k]):
            continue
        d = _date_only(norms[k])
        issuer_start, issuers = k, []
        if d is None:
            # "某市人民政府　2026年1月20日" on one line
            s = norms[k].strip()
            ds = find_dates(s)
            if ds and ds[-1][1] == len(s) and _is_org_line(s[: ds[-1][0]]):
                issuers = [_strip_ws(s[: ds[-1][0]])]
                d = ds[-1][2]
            else:
                continue
        else:
            j = k - 1
            while j >= first and not norms[j].strip():
                j -= 1
            while j >= first and len(issuers) < 4 and blocks[j].kind == "paragraph" and _is_org_line(norms[j]):
                issuers.insert(0, " ".join(norms[j].split()))
                issuer_start = j
                j -= 1
                while j >= first and not norms[j].strip():
                    j -= 1
        cands.append((k, d, issuer_start, "、".join(x for p in issuers for x in p.split())))
    if not cands:
        return _Closing()
    with_issuer = [c for c in cands if c[3]]
    pick = with_issuer[0] if with_issuer else None
    if pick is None:
        late = [c for c in cands if c[0] > after]
        if not late:
            return _Closing()
        pick = late[-1]
    k, d, start, issuer = pick
    out = _Closing(start_block=start, issuer=issuer, signed=d)
    # "（2026年1月25日公布）" / "2026年1月25日发布" right after the 落款
    for j in range(k + 1, min(n, k + 4)):
        out.published = _published_in(norms[j])
        if out.published:
            break
    return out


# --------------------------------------------------------------------------- body: articles


def _article_head(b: Block, norm: str, expected: int, m: re.Match[str] | None = None) -> tuple[int, str, int] | None:
    """(number, label, offset in block of the text after the head) if the block starts an article.

    ``m`` is ``ARTICLE_RE.match(norm, _lead(norm))`` when the caller already has it.
    """
    if m is None:
        m = ARTICLE_RE.match(norm, _lead(norm))
        if not m:
            return None
    num = cn_int(m[1])
    rest = norm[m.end():m.end() + 1]
    if not (
        rest == "" or rest in " ：、.．" or num == expected
        or (b.label and ARTICLE_RE.match(normalize(b.label).strip()) is not None)  # Word list label 第X条
    ):
        return None  # "第十条规定的……" continuing a sentence, not a new article
    return num, f"第{int_cn(num)}条{m[2] or ''}", m.end()


_HEAD_PUNCT = re.compile(r"[。；，]")
_STANDALONE_FIRST = frozenset(h[0] for h in _STANDALONE_HEADINGS)


def _chapter_head(norm: str) -> tuple[int, str, str, int] | None:
    """(number, label, title, level) for 第X章 / 第X节 / standalone 总则、附则 headings."""
    s = norm.strip()
    if not s or len(s) > 40 or (s[0] != "第" and s[0] not in _STANDALONE_FIRST) or _HEAD_PUNCT.search(s):
        return None
    m = CHAPTER_RE.match(s)
    if m:
        level = 1 if m[2] == "章" else 2
        num = cn_int(m[1])
        return num, f"第{int_cn(num)}{m[2]}", _strip_ws(m[3]), level
    compact = _strip_ws(s)
    if compact in _STANDALONE_HEADINGS:
        return 0, compact, compact, 1
    return None


# first characters a 版记 line (COLOPHON_RE) can start with; other lines need a 印 (…印发)
_COLOPHON_STARTS = ("抄", "主题词", "分", "（此件")


def _is_colophon(norm: str, lead: int) -> bool:
    """``COLOPHON_RE.match(norm, lead)``, skipping the regex on lines that cannot match."""
    return (norm.startswith(_COLOPHON_STARTS, lead) or "印" in norm) and COLOPHON_RE.match(norm, lead) is not None


def _parse_articles(
    blocks: tuple[Block, ...], norms: list[str], leads: list[int], heads: dict[int, re.Match[str]],
    first: int, stop: int,
) -> tuple[tuple[Chapter, ...], tuple[Article, ...]]:
    """Chapters and articles of blocks ``first..stop``; ``leads[k]`` = ``_lead(norms[k])``, ``heads[k]`` =
    ``ARTICLE_RE.match(norms[k], leads[k])`` for the paragraphs where it matches."""
    chapters: list[_B] = []  # extra: (title, level)
    # articles as plain lists [number, label, start, end, clauses, chapter, section], a clause as
    # [start, end, items or None]: cheaper to build than _B nodes (an article is one block, mostly)
    articles: list[list] = []
    cur_ch: _B | None = None
    cur_sec: _B | None = None
    art: list | None = None
    expected = 1

    for k in range(first, stop):
        norm = norms[k]
        lead = leads[k]
        if lead == len(norm):  # empty or whitespace only
            continue
        b = blocks[k]
        off = b.offset
        rlen = len(norm.rstrip())
        start, end = off + lead, off + rlen
        para = b.kind == "paragraph"
        if para:
            m = heads.get(k)
            # a 第X条 head is never a 第X章/第X节 or standalone heading, and one is at most 40 characters
            ch = _chapter_head(norm) if m is None and rlen - lead <= 40 else None
            if ch is not None:
                num, label, title, level = ch
                if num == 0:  # standalone 附则 etc.: number after the previous chapter
                    num = 1 + max((c.number for c in chapters if c.extra[1] == 1), default=0)
                node = _B(num, label, start, end, (title, level))
                chapters.append(node)
                if level == 1:
                    cur_ch, cur_sec = node, None
                else:
                    cur_sec = node
                    if cur_ch is not None and cur_ch.end < end:
                        cur_ch.end = end
                art = None
                continue
            head = _article_head(b, norm, expected, m) if m is not None else None
            if head is not None:
                num, label, _ = head
                art = [num, label, start, end, [[start, end, None]],
                       cur_ch.number if cur_ch else None, cur_sec.number if cur_sec else None]
                articles.append(art)
                expected = num + 1
                if cur_ch is not None and cur_ch.end < end:
                    cur_ch.end = end
                if cur_sec is not None and cur_sec.end < end:
                    cur_sec.end = end
                continue
            if (
                (norm.startswith("附", lead) and ATTACHMENT_RE.match(norm, lead) and len(norm.strip()) <= 40)
                or _is_colophon(norm, lead)
            ):
                art = None  # attachments (forms, tables) are not part of the last article
                cur_ch = cur_sec = None
                continue
        if art is None:
            continue
        clause = art[4][-1]  # [start, end, items]; its number is its position + 1
        if art[3] < end:
            art[3] = end
        if cur_ch is not None and cur_ch.end < end:
            cur_ch.end = end
        if cur_sec is not None and cur_sec.end < end:
            cur_sec.end = end
        if b.kind == "cell":
            if clause[1] < end:
                clause[1] = end
            continue
        c0 = norm[lead]
        m_item = ITEM_RE.match(norm, lead) if c0 == "（" else None
        m_sub = SUBITEM_RE.match(norm, lead) if not m_item and (c0 == "（" or c0.isdecimal()) else None
        if m_item:
            if clause[2] is None:
                clause[2] = []
            clause[2].append(_B(cn_int(m_item[1]), f"（{m_item[1]}）", start, end))
            if clause[1] < end:
                clause[1] = end
        elif m_sub and clause[2]:
            item = clause[2][-1]
            num = int(m_sub[1] or m_sub[2])
            label = f"{num}." if m_sub[1] else f"（{num}）"
            item.children.append(_B(num, label, start, end))
            if item.end < end:
                item.end = end
            if clause[1] < end:
                clause[1] = end
        elif m_sub:
            num = int(m_sub[1] or m_sub[2])
            label = f"{num}." if m_sub[1] else f"（{num}）"
            if clause[2] is None:
                clause[2] = []
            clause[2].append(_B(num, label, start, end))
            if clause[1] < end:
                clause[1] = end
        else:
            art[4].append([start, end, None])

    frozen_ch = tuple([Chapter(c.number, c.label, c.extra[0], c.start, c.end, c.extra[1]) for c in chapters])
    frozen_art = tuple([
        Article(
            num, label, start, end,
            tuple([Clause(i, c[0], c[1], _freeze_items(c[2]) if c[2] else ()) for i, c in enumerate(clauses, 1)]),
            chap, sec,
        )
        for num, label, start, end, clauses, chap, sec in articles
    ])
    return frozen_ch, frozen_art


# --------------------------------------------------------------------------- body: notice sections


def _parse_sections(
    blocks: tuple[Block, ...], norms: list[str], leads: list[int], first: int, stop: int
) -> tuple[Section, ...]:
    done: list[_B] = []
    stack: list[_B] = []  # extra: (kind, path, heading)
    counters: dict[tuple, int] = {}
    for k in range(first, stop):
        b, norm, lead = blocks[k], norms[k], leads[k]
        if lead == len(norm):  # empty or whitespace only
            continue
        start, end = b.offset + lead, b.offset + len(norm.rstrip())
        hit = None
        if b.kind == "paragraph" and ATTACHMENT_RE.match(norm, lead):
            break  # 附件：1.… 2.… lists attachments, not sections
        if b.kind == "paragraph":
            for kind, rx in _NOTICE_MARKERS:
                m = rx.match(norm, lead)
                if m:
                    hit = (kind, m)
                    break
        if hit is not None:
            kind, m = hit
            depth = next((d for d, s in enumerate(stack) if s.extra[0] == kind), None)
            if depth is not None:
                del stack[depth:]
            parent = stack[-1] if stack else None
            ppath = parent.extra[1] if parent else ()
            num = cn_int(m[1])
            counters[ppath] = num
            marker = {"cn": f"{m[1]}、", "pcn": f"（{m[1]}）", "ar": f"{num}.", "par": f"（{num}）"}[kind]
            rest = norm[m.end():].strip()
            heading = re.split(r"[。；：！？]", rest, maxsplit=1)[0][:40]
            label = (parent.label if parent else "") + marker
            node = _B(num, label, start, end, (kind, (*ppath, num), heading))
            done.append(node)
            stack.append(node)
        for s in stack:
            if s.end < end:
                s.end = end
    return tuple(Section(s.extra[1], s.label, s.extra[2], s.start, s.end) for s in done)


# --------------------------------------------------------------------------- special clauses


def _head_len(s: str) -> int:
    """Length of a leading 第X条 head or 一、/（一）/1. marker (with following spaces), else 0."""
    m = ARTICLE_RE.match(s)
    if m and s[m.end():m.end() + 1] in (" ", "："):
        return m.end() + _lead(s[m.end():])
    for _, rx in _NOTICE_MARKERS:
        m = rx.match(s)
        if m and m.end() < len(s):
            return m.end() + _lead(s[m.end():])
    return 0


# every effective-date, validity or repeal sentence contains one of these: 有效期 (VAL_*), 废止 (repeals),
# or the 自/从/于 that starts an EFF_REL_RE (自印发之日起) or EFF_DATE_RE (自2026年3月1日起) match
_EFF_AFTER = rf"\s*(?:(?:印发|公布|发布|签发|颁布)\s*之日起|{_DATE_PAT})"
_SPECIAL_HINT = re.compile(rf"有效期|废止|[自从于](?={_EFF_AFTER})")
_EFF_AFTER_RE = re.compile(_EFF_AFTER)
# the characters an _EFF_AFTER match can start with, besides whitespace: 印发… or a date (AR_DATE_RE
# starts with 19/20, CN_DATE_RE with four of dates._CN)
_EFF_AFTER_FIRST = frozenset("印公发签颁12" + _CN_DATE_CHARS)


def _hint_starts(norm: str, start: int, end: int) -> list[int]:
    """Sorted start offsets of the ``_SPECIAL_HINT`` matches in ``norm[start:end]`` (as ``finditer`` with
    ``pos``/``endpos``; the alternatives never overlap), found with ``str.find``: an alternation makes
    the regex engine test every character, which is several times slower."""
    out: list[int] = []
    for word in ("有效期", "废止"):
        i = norm.find(word, start, end)
        while i >= 0:
            out.append(i)
            i = norm.find(word, i + len(word), end)
    after = _EFF_AFTER_RE.match
    for c in "自从于":
        i = norm.find(c, start, end)
        while i >= 0:
            if i + 1 < end and (norm[i + 1] in _EFF_AFTER_FIRST or norm[i + 1].isspace()) and after(norm, i + 1, end):
                out.append(i)
            i = norm.find(c, i + 1, end)
    out.sort()
    return out


def _special_sentences(norm: str, start: int, end: int):
    """``split_sentences(norm, start, end)`` restricted to the lines holding a ``_SPECIAL_HINT`` match.

    Sentence splitting restarts at every line break, so splitting those lines alone yields exactly
    the sentences the whole-text split yields for them.
    """
    pos = start
    for at in _hint_starts(norm, start, end):
        if at < pos:
            continue
        ls = max(start, norm.rfind("\n", start, at) + 1, norm.rfind("\r", start, at) + 1)
        ends = [k for k in (norm.find("\n", at, end), norm.find("\r", at, end)) if k >= 0]
        pos = min(ends) if ends else end
        yield from split_sentences(norm, ls, pos)


def _find_specials(
    text: str, norm: str, start: int, end: int
) -> tuple[Effective | None, Validity | None, tuple[str, ...]]:
    effective: Effective | None = None
    validity: Validity | None = None
    repeals: list[str] = []
    for sent in _special_sentences(norm, start, end):
        s = sent.text
        cut = _head_len(s)  # quote the clause itself, not "第十条　" / "（二）"
        if cut:
            s = s[cut:]
            sent = sent.__class__(start=sent.start + cut, end=sent.end, text=s)
        span = Span(sent.start, sent.end)
        quote = text[sent.start:sent.end]
        eff = None
        m = EFF_REL_RE.search(s)
        if m:
            rel = {"颁布": "公布"}.get(m["rel"], m["rel"])
            days = cn_int(m["days"]) if m["days"] else 0
            eff = Effective(relative_to=rel, days_after=days, span=span, text=quote)
        else:
            m = EFF_DATE_RE.search(s)
            if m:
                try:
                    on = parse_date(m["date"])
                except DocreviewError:
                    on = None
                eff = Effective(on=on, span=span, text=quote)
        if eff is not None:
            effective = eff  # the last effective clause wins (the operative one is at the end)
        if "有效期" in s and (SELF_REF_RE.search(s) or eff is not None or s.lstrip().startswith("有效期")):
            mu = VAL_UNTIL_RE.search(s)
            my = VAL_YEARS_RE.search(s)
            if mu:
                try:
                    validity = Validity(until=parse_date(mu["date"]), span=span, text=quote)
                except DocreviewError:
                    validity = Validity(span=span, text=quote)
            elif my:
                n = cn_int(my["n"])
                validity = Validity(
                    years=n if my["unit"] == "年" else None,
                    months=n if my["unit"] == "个月" else None,
                    span=span, text=quote,
                )
        if "废止" in s and ("《" in s or "〔" in s):
            repeals.extend(_repealed(s))
    return effective, validity, tuple(dict.fromkeys(repeals))


def _repealed(s: str) -> list[str]:
    """Titles/文号 named in the comma-part(s) of a sentence that say 废止."""
    out: list[str] = []
    parts = re.split(r"[，；]", s)
    for idx, part in enumerate(parts):
        if "废止" not in part:
            continue
        scope = part
        if not REPEAL_TITLE_RE.search(part) and not DOCNUM_RE.search(part) and idx > 0:
            scope = parts[idx - 1] + "，" + part  # "《A》（…），同时废止" split by the comma
        found = False
        for m in REPEAL_TITLE_RE.finditer(scope):
            num = normalize_doc_number(m[2]) if m[2] else ""
            out.append(f"《{m[1]}》（{num}）" if num else f"《{m[1]}》")
            found = True
        if not found:
            for m in DOCNUM_RE.finditer(scope):
                out.append(f"{m[1]}〔{m[2]}〕{int(m[3])}号")
    return out


# --------------------------------------------------------------------------- entry point


def _issuer_from_title(title: str) -> str:
    m = re.match(r"(.{2,60}?)关于", normalize(title).strip())
    if not m:
        return ""
    names = [p for p in re.split(r"[\s　、]+", m[1]) if p]
    if names and all(ORG_SUFFIX.search(p) for p in names):
        return "、".join(names)
    return ""


def _issuer_from_docnum(num: str) -> str:
    m = re.match(r"([\u4e00-\u9fff]+?)(?:规|发|函|字|令|通|告|电)?〔", num)
    return m[1] if m else ""


def parse_structure(src: SourceDoc) -> Statute:
    """The legal structure of ``src``: header, dates, 章/条/款/项/目 or notice sections, specials."""
    blocks = src.blocks
    text = src.text
    norm_text = normalize(text)
    # normalize is a per-character map, so a block's slice of the normalised text is its normalised text
    norms = [norm_text[b.offset:b.offset + len(b.text)] if text.startswith(b.text, b.offset)
             else normalize(b.text) for b in blocks]
    n = len(blocks)
    leads = [len(s) - len(s.lstrip()) for s in norms]  # _lead of every block; == len: empty

    header = _parse_header(blocks, norms)
    first = header.body_first

    # where article / section heads are
    heads: dict[int, re.Match[str]] = {}
    for k in range(first, n):
        if blocks[k].kind == "paragraph" and norms[k].startswith("第", leads[k]):
            m = ARTICLE_RE.match(norms[k], leads[k])
            if m:
                heads[k] = m
    last_head = max(heads) if heads else first
    closing = _parse_closing(blocks, norms, first, last_head)

    last_nonempty = n - 1
    while last_nonempty >= 0 and leads[last_nonempty] == len(norms[last_nonempty]):
        last_nonempty -= 1
    if closing.start_block is not None and closing.start_block > last_head:
        stop = closing.start_block
    else:
        stop = last_nonempty + 1
    body_start = blocks[first].offset + leads[first] if first < n else len(text)
    body_end = blocks[stop - 1].offset + len(norms[stop - 1].rstrip()) if stop > first else body_start
    # trim trailing empty blocks and the 版记 (抄送 …, …印发) from the body
    k = stop - 1
    while k >= first and (leads[k] == len(norms[k]) or _is_colophon(norms[k], leads[k])):
        k -= 1
    if k >= first:
        body_end = blocks[k].offset + len(norms[k].rstrip())

    chapters, articles = _parse_articles(blocks, norms, leads, heads, first, n if stop <= last_head else stop)
    sections: tuple[Section, ...] = ()
    style = "regulation"
    if not articles:
        style = "notice"
        sections = _parse_sections(blocks, norms, leads, first, stop)

    effective, validity, repeals = _find_specials(text, norm_text, body_start, len(text))

    title = header.title
    issuer = closing.issuer or _issuer_from_title(title) or _issuer_from_docnum(header.doc_number)
    signed = closing.signed
    published = header.published or closing.published or signed
    return Statute(
        text=text,
        title=title,
        doc_number=header.doc_number,
        issuer=issuer,
        addressees=header.addressees,
        dates=DocDates(signed=signed, published=published, effective=effective, validity=validity),
        style=style,
        chapters=chapters,
        articles=articles,
        sections=sections,
        repeals=repeals,
        provisional=bool(re.search(r"暂行|试行", title)),
        body=Span(body_start, max(body_start, body_end)),
    )
