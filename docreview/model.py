"""Plain data types passed between pipeline stages.

All offsets are character offsets into ``SourceDoc.text`` (blocks joined by ``"\\n"``) unless a
field says otherwise. Everything here is frozen and free of IO so stages stay pure.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, NamedTuple

Severity = Literal["error", "warning", "info"]
Category = Literal[
    "permit", "penalty", "coercion", "fee", "obligation", "competition", "procedure", "reference"
]
CATEGORIES: tuple[str, ...] = (
    "permit", "penalty", "coercion", "fee", "obligation", "competition", "procedure", "reference",
)
CATEGORY_ZH: dict[str, str] = {
    "permit": "行政许可",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fee": "收费",
    "obligation": "增加义务·减损权利",
    "competition": "公平竞争",
    "procedure": "制定程序与形式",
    "reference": "上位法引用",
}
SEVERITY_RANK: dict[str, int] = {"info": 1, "warning": 2, "error": 3}
SEVERITY_ZH: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}

# Document kinds a rule may apply to (``--kind``): 行政规范性文件 and 地方政府规章.
DocKind = Literal["normative", "rule"]
DOC_KIND_ZH: dict[str, str] = {"normative": "行政规范性文件", "rule": "地方政府规章"}


# --------------------------------------------------------------------------- ingest


@dataclass(frozen=True, slots=True)
class RunSpan:
    """Characters ``[start, end)`` of a block's text come from run number ``run``.

    ``run`` indexes the document-wide sequence of ``w:r`` elements produced by
    ``docreview.ingest.docx.iter_body_runs`` so a writer can find the exact XML run again.
    """

    start: int
    end: int
    run: int


@dataclass(frozen=True, slots=True)
class Block:
    """A body paragraph or a table-cell paragraph, in reading order, as Word displays it."""

    index: int
    text: str
    offset: int  # start of this block in SourceDoc.text
    kind: Literal["paragraph", "cell"] = "paragraph"
    runs: tuple[RunSpan, ...] = ()
    label: str = ""  # automatic-numbering label Word displays (already the prefix of ``text``)
    style: str = ""
    table: tuple[int, int, int] | None = None  # (table index, row, column) for cells
    align: str = ""  # "center", "right", ... when known (helps find the title and 落款)

    @property
    def end(self) -> int:
        return self.offset + len(self.text)


@dataclass(frozen=True, slots=True)
class SourceDoc:
    """What ingest read: blocks in reading order plus file metadata."""

    path: str
    fmt: Literal["docx", "txt", "md"]
    blocks: tuple[Block, ...]
    sha256: str = ""
    meta: tuple[tuple[str, str], ...] = ()  # core properties / detected encoding, as pairs
    text: str = ""  # "\n".join(block.text); filled by ``make_source``

    def block_at(self, pos: int) -> Block | None:
        """The block containing document offset ``pos``."""
        starts = [b.offset for b in self.blocks]
        i = bisect.bisect_right(starts, pos) - 1
        if i < 0:
            return None
        b = self.blocks[i]
        return b if pos <= b.end else None


def make_source(
    path: str,
    fmt: Literal["docx", "txt", "md"],
    blocks: list[tuple[str, dict]] | list[Block],
    sha256: str = "",
    meta: dict[str, str] | None = None,
) -> SourceDoc:
    """Build a SourceDoc, computing block offsets and the joined text.

    ``blocks`` are either ready ``Block`` objects (offsets recomputed) or ``(text, fields)`` pairs.
    """
    out: list[Block] = []
    pos = 0
    for i, b in enumerate(blocks):
        if isinstance(b, Block) and b.index == i and b.offset == pos:  # already placed: reuse
            out.append(b)
            pos += len(b.text) + 1
            continue
        if isinstance(b, Block):
            text, fields = b.text, {
                "kind": b.kind, "runs": b.runs, "label": b.label, "style": b.style,
                "table": b.table, "align": b.align,
            }
        else:
            text, fields = b
        out.append(Block(index=i, text=text, offset=pos, **fields))
        pos += len(text) + 1
    return SourceDoc(
        path=path, fmt=fmt, blocks=tuple(out), sha256=sha256,
        meta=tuple(sorted((meta or {}).items())), text="\n".join(b.text for b in out),
    )


# --------------------------------------------------------------------------- structure


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Item:
    """项 （一）, with its 目 (1. 2.) as sub-items."""

    number: int
    label: str  # as written, e.g. "（三）"
    start: int
    end: int
    subitems: tuple[Item, ...] = ()


@dataclass(frozen=True, slots=True)
class Clause:
    """款: a paragraph of an article."""

    number: int
    start: int
    end: int
    items: tuple[Item, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """条."""

    number: int
    label: str  # "第二十三条"
    start: int
    end: int
    clauses: tuple[Clause, ...] = ()
    chapter: int | None = None
    section: int | None = None  # 节


@dataclass(frozen=True, slots=True)
class Chapter:
    """章 (or 节 when ``level == 2``)."""

    number: int
    label: str  # "第五章"
    title: str  # "法律责任"
    start: int
    end: int
    level: int = 1


@dataclass(frozen=True, slots=True)
class Section:
    """A headed section of a notice-style document: 一、 / （一） / 1. / （1）."""

    path: tuple[int, ...]  # (2, 3) for 二、（三）
    label: str  # "二、（三）"
    heading: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Validity:
    """The validity clause: 有效期N年 or 有效期至某日."""

    years: int | None = None
    months: int | None = None
    until: date | None = None
    span: Span | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class Effective:
    """The effective-date clause: a date, 自印发/公布之日起, or N days after publication."""

    on: date | None = None
    relative_to: str | None = None  # "印发" | "公布" | "发布" | "签发" when relative
    days_after: int = 0
    span: Span | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class DocDates:
    signed: date | None = None  # 落款日期 / 成文日期
    published: date | None = None
    effective: Effective | None = None
    validity: Validity | None = None


@dataclass(frozen=True, slots=True)
class Statute:
    """The legal structure of one document. ``text`` is SourceDoc.text."""

    text: str
    title: str = ""
    doc_number: str = ""  # 文号, normalised to 〔〕
    issuer: str = ""
    addressees: tuple[str, ...] = ()
    dates: DocDates = field(default_factory=DocDates)
    style: Literal["regulation", "notice"] = "regulation"
    chapters: tuple[Chapter, ...] = ()
    articles: tuple[Article, ...] = ()
    sections: tuple[Section, ...] = ()
    repeals: tuple[str, ...] = ()  # titles/numbers of documents repealed (同时废止)
    provisional: bool = False  # 暂行 / 试行 in the title
    body: Span | None = None  # where the operative text runs (after title/addressees, before 落款)

    def locate(self, pos: int) -> Location:
        """The citation unit (条/款/项 or headed section) containing offset ``pos``."""
        import docreview.locate  # small helper module, pure (a plain import: no fromlist handling per call)

        return docreview.locate.locate(self, pos)


# --------------------------------------------------------------------------- nlp


class Token(NamedTuple):
    """One jieba word with document offsets (a named tuple: building ~600 per document as frozen
    dataclasses cost ~0.3 ms; ``tuple.__new__(Token, (text, start, end))`` is the fast path)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True, slots=True)
class Location:
    article: int | None = None
    clause: int | None = None
    item: int | None = None
    label: str = ""  # 第十二条第二款第（三）项, or 二、（三） for notice-style documents, or 全文
    chapter: str = ""  # chapter title when known (e.g. 法律责任)


@dataclass(frozen=True, slots=True)
class Basis:
    law: str
    article: str
    quote: str


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    title: str
    category: str
    severity: str
    location: Location
    quote: str
    start: int
    end: int
    message: str
    suggestion: str
    basis: tuple[Basis, ...]
    fingerprint: str


# --------------------------------------------------------------------------- filing


@dataclass(frozen=True, slots=True)
class RecipientStatus:
    recipient: str  # 上级人民政府 / 本级人大常委会
    deadline: date | None
    status: Literal["on_time", "late", "pending", "overdue", "unknown"]
    days: int | None  # late by / due in / overdue by N days
    basis: str
    filed: date | None = None


@dataclass(frozen=True, slots=True)
class ValidityStatus:
    effective: date | None
    expires: date | None  # last valid day
    status: Literal["valid", "expiring", "expired", "missing", "too_long", "unknown"]
    note: str = ""


@dataclass(frozen=True, slots=True)
class FilingReport:
    published: date | None
    profile: str
    recipients: tuple[RecipientStatus, ...]
    validity: ValidityStatus
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- results

CONCLUSION_OK = "合法，可以提请审议"
CONCLUSION_REVISE = "修改后可以提请审议"
CONCLUSION_ILLEGAL = "不合法"


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """Everything ``check`` knows about one document."""

    path: str
    sha256: str
    statute: Statute
    findings: tuple[Finding, ...]
    filing: FilingReport | None
    conclusion: str
    kind: str = "normative"
    suppressed: int = 0  # findings hidden by a baseline
