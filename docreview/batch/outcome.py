"""Suggested cleanup outcome (建议清理结论) for one document — a suggestion for a person, not a decision.

Rules, first match wins (the reason text is Chinese and names the facts used):

1. 有效期已届满 (validity status ``expired``)        → 宣布失效 (有效期届满自动失效，列入失效目录)
2. 制定主体不适格 (rule PR04, or any rule whose title  → 废止
   names 制定主体 / 无权制定 — not 内设机构负责解释 (PR05), which is fixed by 修改)
3. any ``error`` finding                              → 修改
4. otherwise                                          → 继续有效

Notes appended to the reason whatever the outcome: filed late or never (补报备案), validity expiring
soon (届满前评估), validity missing (建议明确有效期). A document that could not be checked → 无法审核.
"""

from __future__ import annotations

from typing import Any

from docreview.model import CATEGORY_ZH

OUTCOMES = ("宣布失效", "废止", "修改", "继续有效", "无法审核")
ISSUER_RULE_IDS = frozenset({"PR04"})
ISSUER_WORDS = ("制定主体", "无权制定", "无制定权")
FILING_BAD = {"late": "迟报", "overdue": "逾期未报送", "pending": "尚未报送（未逾期）"}


def _issuer_findings(findings: list[dict]) -> list[dict]:
    return [
        f for f in findings
        if f.get("rule_id") in ISSUER_RULE_IDS or any(w in (f.get("title") or "") for w in ISSUER_WORDS)
    ]


def _labels(findings: list[dict], limit: int = 3) -> str:
    labels = list(dict.fromkeys((f.get("location") or {}).get("label") or "全文" for f in findings))
    more = f"等{len(labels)}处" if len(labels) > limit else ""
    return "、".join(labels[:limit]) + more


def suggest(doc: dict[str, Any] | None, error: str | None = None) -> tuple[str, str]:
    """(outcome, reason) for a checked document dict as produced by ``document_to_dict``."""
    if doc is None:
        return "无法审核", f"文件未能完成审核：{error or '原因不明'}，请人工处理"
    findings = doc.get("findings") or []
    filing = doc.get("filing") or {}
    validity = filing.get("validity") or {}
    vstatus = validity.get("status")
    notes: list[str] = []
    for r in filing.get("recipients") or []:
        st = r.get("status")
        if st in ("late", "overdue"):
            days = r.get("days")
            extra = f"{days}日" if days else ""
            notes.append(f"向{r.get('recipient')}报送备案{FILING_BAD[st]}{extra}，建议补报备案")
    if vstatus == "expiring":
        notes.append(f"有效期将于{validity.get('expires')}届满，建议评估是否延续")
    elif vstatus == "missing":
        notes.append("文件未规定有效期，建议明确有效期")
    note = ("；另：" + "；".join(notes)) if notes else ""

    if vstatus == "expired":
        return "宣布失效", f"有效期已于{validity.get('expires')}届满，自动失效，建议列入失效目录{note}"
    issuer = _issuer_findings(findings)
    if issuer:
        why = (issuer[0].get("message") or issuer[0].get("title") or "").rstrip("。；;")
        return "废止", f"制定主体不适格：{why}，建议废止{note}"
    errors = [f for f in findings if f.get("severity") == "error"]
    if errors:
        cats = "、".join(dict.fromkeys(CATEGORY_ZH.get(f.get("category") or "", f.get("category") or "")
                                       for f in errors))
        return "修改", f"{len(errors)}处条款存在合法性问题（{cats}），见{_labels(errors)}，建议修改{note}"
    return "继续有效", f"未发现需要修改的合法性问题，建议继续有效{note}"
