"""The terminal report of ``docreview check`` (rich; plain text when not a TTY).

Per document: a header, findings grouped by article (label, the quoted words highlighted inside their
sentence, category, severity, basis, suggestion), a category × severity table, the conclusion and the
filing / validity block. Then unreadable inputs, one coded line each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from io import StringIO
from typing import TYPE_CHECKING

from docreview.model import (
    CONCLUSION_ILLEGAL,
    CONCLUSION_OK,
    DOC_KIND_ZH,
    DocumentResult,
    FilingReport,
    Finding,
    Statute,
)
from docreview.report.machine import (
    basis_text,
    category_totals,
    category_zh,
    finding_label,
    rel_path,
    severity_zh,
    sorted_findings,
)

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
CONCLUSION_STYLE = {CONCLUSION_OK: "bold green", CONCLUSION_ILLEGAL: "bold red"}
SENTENCE_END = "。！？；\n"
CONTEXT_MAX = 60  # characters of context kept on each side of the match

RECIPIENT_STATUS_ZH = {
    "on_time": "已按时报送",
    "late": "逾期报送",
    "pending": "待报送",
    "overdue": "已逾期未报送",
    "unknown": "无法判断",
}
VALIDITY_STATUS_ZH = {
    "valid": "有效",
    "expiring": "即将届满",
    "expired": "已届满失效",
    "missing": "未规定有效期",
    "too_long": "有效期超过上限",
    "unknown": "无法判断",
}
_ARTICLE_RE = re.compile(r"^第[〇零一二三四五六七八九十百千两\d]+条")
_ARTICLE_PREFIX_RE = re.compile(
    r"^(?:第[〇零一二三四五六七八九十百千两\d]+条|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)])"
    r"[\s\u3000]*"
)


def sentence_context(text: str, start: int, end: int, limit: int = CONTEXT_MAX) -> tuple[str, str, str]:
    """(before, match, after): the sentence around ``text[start:end]``, trimmed to ``limit`` a side."""
    if not text or not (0 <= start <= end <= len(text)):
        return "", "", ""
    left = max((text.rfind(ch, 0, start) for ch in SENTENCE_END), default=-1) + 1
    right_cands = [i for i in (text.find(ch, end) for ch in SENTENCE_END) if i != -1]
    right = min(right_cands) + 1 if right_cands else len(text)
    before, match, after = text[left:start], text[start:end], text[end:right].rstrip("\n")
    if len(before) > limit:
        before = "…" + before[-limit:]
    if len(after) > limit:
        after = after[:limit] + "…"
    return before.lstrip(), match, after


def _article_heading(f: Finding, statute: Statute) -> tuple[object, str]:
    """Grouping key and heading for a finding: the article (第十二条 · 法律责任) or the section label."""
    loc = f.location
    if loc.article is not None:
        label = next((a.label for a in statute.articles if a.number == loc.article), "")
        if not label:
            m = _ARTICLE_RE.match(loc.label)
            label = m.group(0) if m else f"第{loc.article}条"
        if loc.chapter:
            label += f"（{loc.chapter}）"
        return ("article", loc.article), label
    label = finding_label(f)
    return ("label", label), label


def _finding_text(f: Finding, doc: DocumentResult, plain: bool = False) -> list[Text]:
    """Lines of one finding; ``plain`` marks the match with 【】 since there is no colour."""
    from rich.text import Text

    sev = SEV_STYLE.get(f.severity, "")
    head = Text()
    head.append(finding_label(f), style="bold")
    head.append("  ")
    head.append(f"[{severity_zh(f.severity)}]", style=sev)
    head.append(f"  {category_zh(f.category)}  ")
    head.append(f"{f.rule_id} {f.title}", style="dim" if f.severity == "info" else "")
    lines = [head]

    before, match, after = sentence_context(doc.statute.text, f.start, f.end)
    if not match.strip():  # no usable span: show the quote alone
        before, match, after = "", f.quote, ""
    before = _ARTICLE_PREFIX_RE.sub("", before)
    if match:
        quote = Text("原文：“")
        quote.append(before)
        if plain and (before or after):
            match = f"【{match}】"
        quote.append(match, style="bold reverse" if f.severity == "error" else "bold underline")
        quote.append(after)
        quote.append("”")
        lines.append(quote)
    if f.message:
        lines.append(Text(f"问题：{f.message}"))
    basis = basis_text(f)
    if basis:
        lines.append(Text(f"依据：{basis}", style="dim"))
    if f.suggestion:
        t = Text("建议：")
        t.append(f.suggestion, style="green")
        lines.append(t)
    return lines


def _summary_table(results: Sequence[DocumentResult]):
    from rich import box
    from rich.table import Table

    table = Table(title="问题统计", box=box.SIMPLE_HEAVY, title_justify="left", show_footer=True)
    totals = category_totals(results)
    sums = {"error": 0, "warning": 0, "info": 0}
    for row in totals.values():
        for k in sums:
            sums[k] += row.get(k, 0)
    table.add_column("类别", footer="合计")
    for sev in ("error", "warning", "info"):
        table.add_column(severity_zh(sev), justify="right", footer=str(sums[sev]), style=SEV_STYLE[sev])
    table.add_column("合计", justify="right", footer=str(sum(sums.values())))
    for cat, row in totals.items():
        table.add_row(category_zh(cat), str(row["error"]), str(row["warning"]), str(row["info"]),
                      str(sum(row.values())))
    return table


def _days(n: int | None, word: str) -> str:
    return f"（{word} {n} 日）" if n is not None else ""


def filing_lines(r: FilingReport | None) -> list[tuple[int, Text]]:
    """The 备案 / 有效期 status block as (indent, line) pairs."""
    from rich.text import Text

    if r is None:
        return [(0, Text("备案与有效期：未计算", style="dim"))]
    pub = r.published.isoformat() if r.published else "未知（可用 --published 指定）"
    out = [(0, Text(f"备案（公布日期{pub}，备案配置 {r.profile}）：", style="bold"))]
    for x in r.recipients:
        status = RECIPIENT_STATUS_ZH.get(x.status, x.status)
        extra = {"late": _days(x.days, "晚"), "pending": _days(x.days, "剩"),
                 "overdue": _days(x.days, "逾期")}.get(x.status, "")
        style = {"overdue": "bold red", "late": "red", "pending": "yellow", "on_time": "green"}.get(x.status, "")
        t = Text(f"报送{x.recipient}：")
        t.append(status + extra, style=style)
        t.append(f"，截止{x.deadline.isoformat()}" if x.deadline else "，截止日期未知")
        if x.filed:
            t.append(f"，报送日期{x.filed.isoformat()}")
        out.append((2, t))
        if x.basis:
            out.append((4, Text(f"依据：{x.basis}", style="dim")))
    v = r.validity
    t = Text("有效期：", style="bold")
    vstyle = {"expired": "bold red", "missing": "yellow", "too_long": "yellow", "expiring": "yellow",
              "valid": "green"}.get(v.status, "")
    t.append(VALIDITY_STATUS_ZH.get(v.status, v.status), style=vstyle)
    if v.effective:
        t.append(f"，自{v.effective.isoformat()}施行")
    if v.expires:
        t.append(f"，至{v.expires.isoformat()}届满")
    out.append((0, t))
    if v.note and v.note != VALIDITY_STATUS_ZH.get(v.status) and v.note not in r.notes:
        out.append((2, Text(f"注：{v.note}", style="dim")))
    out.extend((2, Text(f"注：{n}", style="dim")) for n in r.notes)
    return out


def render_document(doc: DocumentResult, console: Console) -> None:
    """Print one document's report."""
    from rich.padding import Padding
    from rich.rule import Rule
    from rich.text import Text

    plain = console.color_system is None
    s = doc.statute
    console.print(Rule(Text(s.title or rel_path(doc.path), style="bold"), align="left"))
    meta = [f"文件：{rel_path(doc.path)}"]
    if s.doc_number:
        meta.append(f"文号：{s.doc_number}")
    if s.issuer:
        meta.append(f"制定机关：{s.issuer}")
    meta.append(f"类型：{DOC_KIND_ZH.get(doc.kind, doc.kind)}")
    console.print(Text("  ".join(meta), style="dim"))
    console.print()

    found = sorted_findings(doc.findings)
    if not found:
        console.print(Text("未发现问题。", style="green"))
    groups: dict[object, tuple[str, list[Finding]]] = {}
    for f in found:
        key, heading = _article_heading(f, s)
        groups.setdefault(key, (heading, []))[1].append(f)
    for heading, items in groups.values():
        console.print(Text(f"▌{heading}", style="bold magenta"))
        for f in items:
            head, *body = _finding_text(f, doc, plain)
            console.print(Padding(head, (0, 0, 0, 2), expand=False))
            for line in body:
                console.print(Padding(line, (0, 0, 0, 4), expand=False))
            console.print()

    if found:
        console.print(_summary_table([doc]))
    if doc.suppressed:
        console.print(Text(f"基线已忽略 {doc.suppressed} 处既有问题。", style="dim"))
    t = Text("审核结论：", style="bold")
    t.append(doc.conclusion, style=CONCLUSION_STYLE.get(doc.conclusion, "bold yellow"))
    console.print(t)
    for indent, line in filing_lines(doc.filing):
        console.print(Padding(line, (0, 0, 0, indent), expand=False) if indent else line)
    console.print()


def render_console(results: Iterable[DocumentResult], errors: Iterable[dict], console: Console) -> None:
    """Print the whole check report to ``console``."""
    from rich.text import Text

    results = list(results)
    errors = list(errors)
    for doc in results:
        render_document(doc, console)
    if len(results) > 1:
        console.print(_summary_table(results))
        n = sum(len(d.findings) for d in results)
        console.print(Text(f"共 {len(results)} 个文件，{n} 处问题。"))
    for e in errors:
        console.print(Text(f"{e.get('code', '')} {e.get('path', '')}: {e.get('message', '')}", style="bold red"))
    if not results and not errors:
        console.print(Text("没有审核任何文件。", style="dim"))


def render_console_text(results: Iterable[DocumentResult], errors: Iterable[dict] = (), width: int = 100) -> str:
    """The console report as plain text (no colours), e.g. for tests or ``-o report.txt``."""
    from rich.console import Console

    buf = StringIO()
    render_console(results, errors, Console(file=buf, width=width, no_color=True, force_terminal=False,
                                            color_system=None, highlight=False, emoji=False))
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines())
