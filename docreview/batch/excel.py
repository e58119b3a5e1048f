"""清理报告.xlsx: 文件清单, 问题清单, 失败与跳过, 台账比对, 汇总 (streamed, ``docreview.batch.xlsx``).

Header row bold and frozen, sensible column widths, dates as real Excel dates. Metadata (标题, 文号,
制定机关, 公布日期) come from the 台账 row when it has them, else from the document.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docreview.model import CATEGORIES, CATEGORY_ZH, SEVERITY_ZH

if TYPE_CHECKING:
    from docreview.batch.report import LedgerMatch
    from docreview.batch.store import DocRow

FILING_ZH = {"on_time": "按期报送", "late": "迟报", "pending": "待报送", "overdue": "逾期未报送",
             "unknown": "无法判断"}
VALIDITY_ZH = {"valid": "有效", "expiring": "即将届满", "expired": "已届满", "missing": "未规定有效期",
               "too_long": "有效期过长", "unknown": "不明"}
STATUS_ZH = {"ok": "已审核", "failed": "失败", "skipped": "跳过", "removed": "已从目录删除"}

DOC_HEADERS = ["文件", "标题", "文号", "制定机关", "公布日期", "审核状态", "备案状态", "有效期至", "有效期状态",
               *[CATEGORY_ZH[c] for c in CATEGORIES], "问题合计", "建议清理结论", "理由", "台账行号"]
FINDING_HEADERS = ["文件", "位置", "原文", "问题", "依据", "修改建议", "级别", "类别", "规则"]
FAIL_HEADERS = ["文件", "状态", "原因"]
LEDGER_HEADERS = ["类型", "台账行号", "文件", "文号", "标题", "说明"]
SUMMARY_HEADERS = ["项目", "数量"]

WIDTHS = {
    "文件": 36, "标题": 40, "文号": 20, "制定机关": 18, "公布日期": 12, "审核状态": 9, "备案状态": 30,
    "有效期至": 12, "有效期状态": 11, "问题合计": 9, "建议清理结论": 12, "理由": 60, "台账行号": 9,
    "位置": 22, "原文": 50, "问题": 45, "依据": 45, "修改建议": 45, "级别": 7, "类别": 14, "规则": 8,
    "状态": 12, "原因": 60, "类型": 22, "说明": 50, "项目": 30, "数量": 10,
}


def _date(s: Any) -> date | None:
    if isinstance(s, date):
        return s
    try:
        return date.fromisoformat(s) if s else None
    except ValueError:
        return None


def filing_text(filing: dict | None) -> str:
    """备案状态 in words, one recipient per clause."""
    if not filing:
        return ""
    parts = []
    for r in filing.get("recipients") or []:
        st = r.get("status")
        word = FILING_ZH.get(st, st or "")
        days = r.get("days")
        if days and st in ("late", "overdue"):
            word += f"{days}日"
        elif days is not None and st == "pending":
            word += f"（剩{days}日）"
        parts.append(f"{r.get('recipient')}：{word}")
    return "；".join(parts)


def doc_row(d: DocRow, match: LedgerMatch, rec: dict[str, Any] | None = None) -> list[Any]:
    rec = (d.record if rec is None else rec) or {}
    doc = rec.get("doc") or {}
    lrow = match.rows.get(d.path)
    filing = doc.get("filing") or {}
    validity = filing.get("validity") or {}
    counts = {c: 0 for c in CATEGORIES}
    for f in doc.get("findings", []):
        if f.get("category") in counts:
            counts[f["category"]] += 1
    published = (lrow.published if lrow and lrow.published else
                 _date(filing.get("published")) or _date((doc.get("dates") or {}).get("published")))
    return [
        d.path,
        (lrow.title if lrow and lrow.title else doc.get("title")) or "",
        (lrow.doc_number if lrow and lrow.doc_number else doc.get("doc_number")) or "",
        (lrow.issuer if lrow and lrow.issuer else doc.get("issuer")) or "",
        published,
        STATUS_ZH.get(d.status, d.status),
        filing_text(filing),
        _date(validity.get("expires")),
        VALIDITY_ZH.get(validity.get("status"), validity.get("status") or ""),
        *[counts[c] for c in CATEGORIES],
        sum(counts.values()),
        rec.get("outcome") or "",
        rec.get("outcome_reason") or (d.error or ""),
        lrow.row if lrow else None,
    ]


def basis_text(basis: list[dict]) -> str:
    out = []
    for b in basis or []:
        head = f"《{b.get('law', '').strip('《》')}》{b.get('article') or ''}"
        out.append(f"{head}：{b['quote']}" if b.get("quote") else head)
    return "\n".join(out)


def finding_rows(d: DocRow, rec: dict[str, Any] | None = None) -> list[list[Any]]:
    doc = ((d.record if rec is None else rec) or {}).get("doc") or {}
    return [
        [d.path, (f.get("location") or {}).get("label") or "全文", f.get("quote", ""), f.get("message", ""),
         basis_text(f.get("basis")), f.get("suggestion", ""), SEVERITY_ZH.get(f.get("severity"), ""),
         CATEGORY_ZH.get(f.get("category"), f.get("category", "")), f.get("rule_id", "")]
        for f in doc.get("findings", [])
    ]


def ledger_rows(match: LedgerMatch) -> list[list[Any]]:
    out: list[list[Any]] = []
    for r in match.unmatched_rows:
        out.append(["台账有记录但未找到文件", r.row, r.file, r.doc_number, r.title, "请核对文件是否缺失或文件名/文号是否一致"])
    for p in match.unmatched_files:
        out.append(["文件未在台账登记", None, p, "", "", "请补登台账，或核对文件名/文号"])
    for p, via in match.via.items():
        if via == "文号":
            r = match.rows[p]
            out.append(["按文号对应（文件名不一致）", r.row, p, r.doc_number, r.title, f"台账文件名为“{r.file}”" if r.file else ""])
    for p, r, why in match.differences:
        out.append(["台账与文件不一致", r.row, p, r.doc_number, r.title, why])
    for r in match.bad_rows:
        out.append(["台账数据有误", r.row, r.file, r.doc_number, r.title, "；".join(r.problems)])
    return out


def summary_rows(summary: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["文件总数", summary["files"]], ["审核文档数", summary["documents"]], ["审核成功", summary["ok"]],
        ["审核失败", summary["failed"]], ["跳过（非文档）", summary["skipped"]], ["已从目录删除", summary["removed"]],
        ["问题总数", summary["findings"]],
    ]
    rows += [[f"级别：{SEVERITY_ZH[k]}", v] for k, v in summary["by_severity"].items()]
    rows += [[f"类别：{CATEGORY_ZH[k]}", v] for k, v in summary["by_category"].items()]
    rows += [[f"建议：{k}", v] for k, v in sorted(summary["outcomes"].items())]
    led = summary.get("ledger")
    if led:
        rows += [["台账行数", led["rows"]], ["台账已对应", led["matched"]], ["其中按文号对应", led["matched_by_number"]],
                 ["台账有记录但未找到文件", led["unmatched_rows"]], ["文件未在台账登记", led["unmatched_files"]],
                 ["台账数据有误的行", led["rows_with_problems"]], ["台账与文件不一致", led.get("differences", 0)]]
    return rows


class ExcelReport:
    """清理报告.xlsx filled while the stored rows are streamed once (``add`` per row in path order), then
    ``finish`` writes 台账比对 and 汇总 and saves. Use as a context manager (temporary files go)."""

    def __init__(self, path: Path, match: LedgerMatch, *, tmpdir: Path) -> None:
        from docreview.batch.xlsx import StreamingWorkbook

        self.match = match
        self.book = StreamingWorkbook(path, tmpdir=tmpdir)

        def sheet(title: str, headers: list[str], wrap: tuple[str, ...] = (), shared: tuple[str, ...] = ()) -> Any:
            widths = [WIDTHS.get(h, 8 if i > 9 else 14) for i, h in enumerate(headers, start=1)]
            return self.book.add_sheet(title, headers, widths, wrap=[headers.index(h) for h in wrap],
                                       shared=[headers.index(h) for h in shared])

        self.docs = sheet("文件清单", DOC_HEADERS, shared=("制定机关", "审核状态", "备案状态", "有效期状态", "建议清理结论"))
        self.findings = sheet("问题清单", FINDING_HEADERS, wrap=("原文", "问题", "依据", "修改建议"),
                              shared=("位置", "问题", "依据", "修改建议", "级别", "类别", "规则"))
        self.fails = sheet("失败与跳过", FAIL_HEADERS, shared=("状态", "原因"))
        self.ledger = sheet("台账比对", LEDGER_HEADERS, shared=("类型", "说明"))
        self.summary = sheet("汇总", SUMMARY_HEADERS)

    def __enter__(self) -> ExcelReport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.book.__exit__(*exc)

    def add(self, d: DocRow, rec: dict[str, Any] | None = None) -> None:
        """One stored row (any status): its 文件清单 / 问题清单 / 失败与跳过 rows (``rec``: ``d.record``
        when already decoded)."""
        if d.status in ("ok", "failed"):
            self.docs.append(doc_row(d, self.match, rec))
            for r in finding_rows(d, rec):
                self.findings.append(r)
        if d.status in ("failed", "skipped"):
            self.fails.append([d.path, STATUS_ZH[d.status], d.error or ""])

    def finish(self, summary: dict[str, Any]) -> None:
        for r in ledger_rows(self.match):
            self.ledger.append(r)
        for r in summary_rows(summary):
            self.summary.append(r)
        self.book.save()
