"""An injected check engine for batch tests (crash, hang, error on demand; no NLP).

Behaviour by content: ``CRASH`` → the worker SIGKILLs itself; ``HANG`` → sleeps forever; ``BOOM`` →
an unexpected exception; ``GCPROBE`` → a bare record with the worker's gc freeze count and threshold; empty text → E106; otherwise lines with 罚款 give a penalty error finding and
lines with 收取 a fee warning. ``文号：…``, ``发布日期：…`` and ``有效期至：…`` lines set metadata.
"""

from __future__ import annotations

import os
import re
import signal
import time
from datetime import date
from typing import Any

from docreview.errors import E_EMPTY, E_NOT_ZIP, DocreviewError


def _finding(rule: str, cat: str, sev: str, label: str, quote: str, msg: str) -> dict[str, Any]:
    return {"rule_id": rule, "title": msg, "category": cat, "severity": sev,
            "location": {"article": None, "clause": None, "item": None, "label": label, "chapter": ""},
            "quote": quote, "start": 0, "end": len(quote), "message": msg, "suggestion": "建议删除",
            "basis": [{"law": "中华人民共和国行政处罚法", "article": "第十六条", "quote": "规范性文件不得设定行政处罚"}],
            "fingerprint": f"{rule}:{quote}"}


class _Engine:
    def check(self, data: bytes, name: str, *, published: date | None, filed: date | None,
              today: date) -> dict[str, Any]:
        if name.endswith(".docx") and not data.startswith(b"PK"):
            raise DocreviewError(E_NOT_ZIP, name, "不是有效的 .docx 文件")
        text = data.decode("utf-8", errors="replace")
        if "CRASH" in text:
            os.kill(os.getpid(), signal.SIGKILL)
        if "HANG" in text:
            time.sleep(3600)
        if "BOOM" in text:
            raise RuntimeError("boom")
        if not text.strip():
            raise DocreviewError(E_EMPTY, name, "文档没有正文")
        if "GCPROBE" in text:  # report the collector's state in this worker (tests of tune_gc)
            import gc

            return {"title": "GCPROBE", "findings": [], "gc": [gc.get_freeze_count(), gc.get_threshold()[0]]}
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        meta = dict(re.findall(r"^(文号|发布日期|有效期至)：(.+)$", text, re.M))
        findings = []
        for i, ln in enumerate(lines, start=1):
            if "罚款" in ln:
                findings.append(_finding("PN01", "penalty", "error", f"第{i}条", ln, "规范性文件不得设定罚款"))
            if "收取" in ln:
                findings.append(_finding("FE01", "fee", "warning", f"第{i}条", ln, "收费须有法律依据"))
        own = date.fromisoformat(meta["发布日期"]) if "发布日期" in meta else None
        exp = date.fromisoformat(meta["有效期至"]) if "有效期至" in meta else None
        return {
            "path": name, "sha256": "", "title": lines[0], "doc_number": meta.get("文号", ""), "issuer": "某市人民政府",
            "kind": "normative", "style": "regulation",
            "dates": {"signed": None, "published": own.isoformat() if own else None, "effective": None,
                      "validity": None if exp is None else {"until": exp.isoformat()}},
            "conclusion": "", "suppressed": 0, "findings": findings,
            "filing": _filing(published or own, exp, filed, today),
        }


def _filing(pub: date | None, exp: date | None, filed: date | None, today: date) -> dict[str, Any]:
    vstatus = "missing" if exp is None else ("expired" if today > exp else "valid")
    recipients = []
    if pub is not None:
        deadline = date.fromordinal(pub.toordinal() + 30)
        st = ("on_time" if filed and filed <= deadline else "late" if filed else
              "overdue" if today > deadline else "pending")
        recipients.append({"recipient": "上级人民政府", "deadline": deadline.isoformat(), "status": st,
                           "days": None, "basis": "fake", "filed": filed.isoformat() if filed else None})
    return {"published": pub.isoformat() if pub else None, "profile": "default", "recipients": recipients,
            "validity": {"effective": None, "expires": exp.isoformat() if exp else None,
                         "status": vstatus, "note": ""},
            "notes": []}


def _refresh(doc: dict[str, Any], *, published: date | None, filed: date | None, today: date) -> dict[str, Any]:
    d = doc["dates"]
    own = date.fromisoformat(d["published"]) if d["published"] else None
    exp = date.fromisoformat(d["validity"]["until"]) if d["validity"] else None
    return {**doc, "filing": _filing(published or own, exp, filed, today)}


class FakeEngine:
    @staticmethod
    def version(spec: Any) -> str:
        return os.environ.get("BATCH_FAKE_VERSION", "fake-1")

    @staticmethod
    def build(spec: Any) -> _Engine:
        return _Engine()

    @staticmethod
    def refresher(spec: Any) -> Any:
        return _refresh
