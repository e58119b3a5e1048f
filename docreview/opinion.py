"""Findings + filing status -> the data of a 合法性审核意见书 (pure; the .docx is written by report.word)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docreview.model import (
    CATEGORIES,
    CATEGORY_ZH,
    CONCLUSION_ILLEGAL,
    CONCLUSION_OK,
    CONCLUSION_REVISE,
    DOC_KIND_ZH,
    SEVERITY_ZH,
    DocumentResult,
    FilingReport,
    Finding,
    Location,
)

# Words that mark a finding as "the issuer has no power to issue this document" (制定主体不合法).
ISSUER_MARKERS: tuple[str, ...] = (
    "制定主体", "无权制定", "无权制发", "不得制发", "内设机构", "议事协调机构", "临时机构", "领导小组",
)


def is_issuer_incompetent(f: Finding) -> bool:
    """True for an error finding saying the issuer may not issue normative documents at all.

    Matched on the procedure category plus a marker word (制定主体, 内设机构, 议事协调机构 …) in the
    rule id, title or message, so the rulebook needs no special field.
    """
    if f.severity != "error" or f.category != "procedure":
        return False
    text = f"{f.rule_id} {f.title} {f.message}"
    return "issuer" in f.rule_id.lower() or any(m in text for m in ISSUER_MARKERS)


def conclude(findings: Iterable[Finding]) -> str:
    """The 审核结论 derived from the findings (domain.md §6).

    Rule, in order:
    1. any error finding that the issuer is not competent (see ``is_issuer_incompetent``) -> 不合法
       (制定机关无权限: revising clauses cannot cure it);
    2. any other error or any warning -> 修改后可以提请审议 (individual clauses must be revised);
    3. only ``info`` findings or none -> 合法，可以提请审议.
    """
    items = list(findings)
    if any(is_issuer_incompetent(f) for f in items):
        return CONCLUSION_ILLEGAL
    if any(f.severity in ("error", "warning") for f in items):
        return CONCLUSION_REVISE
    return CONCLUSION_OK


# --------------------------------------------------------------------------- opinion data


@dataclass(frozen=True, slots=True)
class OpinionRow:
    """One row of the 审核意见 table: one finding."""

    location: str  # 第七条第二款 / 二、（三） / 全文
    original: str  # the quoted words of the draft
    problem: str
    basis: str  # 《中华人民共和国行政许可法》第十七条；…
    suggestion: str
    severity: str
    rule_id: str
    title: str


@dataclass(frozen=True, slots=True)
class OpinionGroup:
    """Rows about one article (or headed section, or the whole document)."""

    heading: str  # 第七条 / 二、 / 全文
    rows: tuple[OpinionRow, ...]


@dataclass(frozen=True, slots=True)
class BasisRef:
    """One law relied upon, with the articles cited from it (de-duplicated, in first-cited order)."""

    law: str  # with 《》
    articles: tuple[str, ...]

    @property
    def text(self) -> str:
        return self.law + "、".join(self.articles)


@dataclass(frozen=True, slots=True)
class Opinion:
    """Everything the 合法性审核意见书 says; written to .docx by ``docreview.report.word``."""

    heading: str  # 关于《…》的合法性审核意见
    doc_title: str
    doc_number: str
    kind: str  # 行政规范性文件 / 地方政府规章
    issuer: str
    reviewer: str
    review_date: date
    source_path: str
    rule_count: int
    categories: tuple[str, ...]  # Chinese category names checked
    counts: tuple[tuple[str, int], ...]  # (severity zh, n) for error/warning/info
    bases: tuple[BasisRef, ...]
    groups: tuple[OpinionGroup, ...]
    conclusion: str
    conclusion_text: str  # the sentence explaining the conclusion
    filing_lines: tuple[str, ...]  # filing deadline reminders, one per recipient
    validity_line: str
    suppressed: int = 0

    @property
    def findings_count(self) -> int:
        return sum(len(g.rows) for g in self.groups)


def _cn(n: int) -> str:
    from cn2an import an2cn  # lazy: small but not needed for --help

    return an2cn(n)


def format_law(law: str) -> str:
    """``行政许可法`` -> ``《行政许可法》``; already bracketed names are kept."""
    law = law.strip()
    if not law:
        return ""
    if law.startswith("《"):
        return law
    return f"《{law}》"


def format_article(article: str) -> str:
    """``17`` -> ``第十七条``; ``第十七条``/``第十六条第四款`` kept as written."""
    a = article.strip()
    if a.isdigit():
        return f"第{_cn(int(a))}条"
    return a


def basis_text(f: Finding) -> str:
    """All bases of a finding as one line, articles merged per law: 《甲法》第X条、第Y条；《乙法》第Z条."""
    return "；".join(ref.text for ref in collect_bases([f]))


def collect_bases(findings: Iterable[Finding], *, sort_articles: bool = False) -> tuple[BasisRef, ...]:
    """Laws cited by the findings, de-duplicated, articles merged per law, laws in first-cited order.

    Articles keep the rule's order (main prohibition first) unless ``sort_articles`` (the 审核依据 list).
    """
    order: dict[str, list[str]] = {}
    for f in findings:
        for b in f.basis:
            law = format_law(b.law)
            if not law:
                continue
            arts = order.setdefault(law, [])
            art = format_article(b.article)
            if art and art not in arts:
                arts.append(art)
    if sort_articles:
        order = {law: sorted(arts, key=_article_key) for law, arts in order.items()}
    return tuple(BasisRef(law, tuple(arts)) for law, arts in order.items())


def _article_key(article: str) -> tuple[int, str]:
    """Sort 第九条 before 第十条第四款 before 第十三条; unnumbered references last, as written."""
    import re

    from docreview.structure import cn_int

    m = re.match(r"第([零〇一二三四五六七八九十百千\d]+)条", article)
    if not m:
        return (10**6, article)
    try:
        return (cn_int(m[1]), article)
    except (ValueError, KeyError):
        return (10**6, article)


def _is_document_level(loc: Location) -> bool:
    return loc.article is None and loc.label in ("", "全文")


def _group_heading(loc: Location) -> str:
    if loc.article is not None:
        return f"第{_cn(loc.article)}条"
    if _is_document_level(loc):
        return "全文"
    # notice-style label 二、（三）1. -> group by the top-level section 二、
    label = loc.label
    i = label.find("、")
    return label[: i + 1] if i > 0 else label


def group_findings(findings: Iterable[Finding]) -> tuple[OpinionGroup, ...]:
    """Rows grouped by article/section in document order; document-level findings last (全文)."""
    items = sorted(findings, key=lambda f: (_is_document_level(f.location), f.start, f.end, f.rule_id))
    groups: dict[str, list[OpinionRow]] = {}
    for f in items:
        row = OpinionRow(
            location=f.location.label or "全文",
            original=f.quote,
            problem=f.message or f.title,
            basis=basis_text(f),
            suggestion=f.suggestion,
            severity=f.severity,
            rule_id=f.rule_id,
            title=f.title,
        )
        groups.setdefault(_group_heading(f.location), []).append(row)
    return tuple(OpinionGroup(h, tuple(rows)) for h, rows in groups.items())


def _zh_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


_RECIPIENT_STATUS_ZH = {
    "on_time": "已按期报送", "late": "逾期报送", "pending": "尚未报送",
    "overdue": "已逾期未报送", "unknown": "期限待定",
}
_VALIDITY_ZH = {
    "valid": "有效", "expiring": "即将到期", "expired": "已失效", "missing": "未规定有效期",
    "too_long": "有效期超过规定上限", "unknown": "有效期无法确定",
}


def filing_lines(filing: FilingReport | None) -> tuple[str, ...]:
    """One reminder line per filing recipient: its deadline, or 公布后15日内 when not yet known."""
    if filing is None or not filing.recipients:
        return ("本文件应当自公布之日起15日内报送备案（公布日期未知，具体截止日待定）。",)
    out = []
    for r in filing.recipients:
        when = f"{_zh_date(r.deadline)}前" if r.deadline else "公布后15日内"
        line = f"报送{r.recipient}备案：{when}"
        status = _RECIPIENT_STATUS_ZH.get(r.status, "")
        if r.status in ("late", "overdue") and r.days:
            status += f"{r.days}日"
        elif r.status == "pending" and r.days is not None:
            status += f"，距截止还有{r.days}日"
        if r.deadline is not None and status:
            line += f"（{status}）"
        if r.basis:
            line += f"；依据：{r.basis}"
        out.append(line + "。")
    return tuple(out)


def validity_line(filing: FilingReport | None) -> str:
    """Validity status in one sentence (from FilingReport.validity)."""
    if filing is None:
        return "有效期：未计算。"
    v = filing.validity
    parts = [f"有效期状态：{_VALIDITY_ZH.get(v.status, v.status)}"]
    if v.effective:
        parts.append(f"施行日期{_zh_date(v.effective)}")
    if v.expires:
        parts.append(f"有效期至{_zh_date(v.expires)}")
    if v.note:
        parts.append(v.note.strip().rstrip("。；;，,"))
    return "，".join(parts) + "。"


_CONCLUSION_TEXT = {
    CONCLUSION_OK: "经审核，未发现该文件存在合法性问题，可以提请审议。",
    CONCLUSION_REVISE: "经审核，该文件部分条款存在合法性问题，建议起草单位按照上述意见逐条修改后提请审议。",
    CONCLUSION_ILLEGAL: "经审核，该文件制定主体或主要内容不合法，建议不予制定；确需制定的，应当由有权机关依法制定。",
}


def build_opinion(
    result: DocumentResult,
    *,
    reviewer: str,
    review_date: date,
    rule_count: int = 0,
    categories: Sequence[str] = CATEGORIES,
) -> Opinion:
    """Assemble the opinion for one checked document (pure).

    ``rule_count``/``categories`` describe what was checked (the rulebook); the conclusion is
    ``conclude(result.findings)`` (recomputed, so the opinion never disagrees with its table).
    """
    st = result.statute
    title = st.title or Path(result.path).stem
    bare = title.strip("《》")
    conclusion = conclude(result.findings)
    counts = tuple(
        (SEVERITY_ZH[s], sum(1 for f in result.findings if f.severity == s))
        for s in ("error", "warning", "info")
    )
    return Opinion(
        heading=f"关于《{bare}》的合法性审核意见",
        doc_title=bare,
        doc_number=st.doc_number,
        kind=DOC_KIND_ZH.get(result.kind, result.kind),
        issuer=st.issuer,
        reviewer=reviewer,
        review_date=review_date,
        source_path=result.path,
        rule_count=rule_count,
        categories=tuple(CATEGORY_ZH.get(c, c) for c in categories),
        counts=counts,
        bases=collect_bases(sorted(result.findings, key=lambda f: (f.start, f.end)), sort_articles=True),
        groups=group_findings(result.findings),
        conclusion=conclusion,
        conclusion_text=_CONCLUSION_TEXT[conclusion],
        filing_lines=filing_lines(result.filing),
        validity_line=validity_line(result.filing),
        suppressed=result.suppressed,
    )
