"""The stable JSON shape of check results (``--format json``, batch ``results.jsonl``).

Version 1. Dates are ISO strings; every key is always present (null when unknown).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from docreview import __version__
from docreview.model import DocDates, DocumentResult, FilingReport, Finding

JSON_VERSION = 1


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def finding_to_dict(f: Finding) -> dict[str, Any]:
    """One finding as in the check JSON (literal dicts: ``dataclasses.asdict`` costs ~4 µs a call)."""
    loc = f.location
    return {
        "rule_id": f.rule_id,
        "title": f.title,
        "category": f.category,
        "severity": f.severity,
        "location": {"article": loc.article, "clause": loc.clause, "item": loc.item, "label": loc.label,
                     "chapter": loc.chapter},
        "quote": f.quote,
        "start": f.start,
        "end": f.end,
        "message": f.message,
        "suggestion": f.suggestion,
        "basis": [{"law": b.law, "article": b.article, "quote": b.quote} for b in f.basis],
        "fingerprint": f.fingerprint,
    }


def dates_to_dict(d: DocDates) -> dict[str, Any]:
    eff, val = d.effective, d.validity
    return {
        "signed": _iso(d.signed),
        "published": _iso(d.published),
        "effective": None if eff is None else {
            "on": _iso(eff.on), "relative_to": eff.relative_to, "days_after": eff.days_after,
            "text": eff.text,
        },
        "validity": None if val is None else {
            "years": val.years, "months": val.months, "until": _iso(val.until), "text": val.text,
        },
    }


def filing_to_dict(r: FilingReport | None) -> dict[str, Any] | None:
    """The filing object (same shape as ``docreview filing --format json``)."""
    if r is None:
        return None
    v = r.validity
    return {
        "published": _iso(r.published),
        "profile": r.profile,
        "recipients": [
            {"recipient": x.recipient, "deadline": _iso(x.deadline), "status": x.status, "days": x.days,
             "basis": x.basis, "filed": _iso(x.filed)}
            for x in r.recipients
        ],
        "validity": {"effective": _iso(v.effective), "expires": _iso(v.expires), "status": v.status,
                     "note": v.note},
        "notes": list(r.notes),
    }


def document_to_dict(r: DocumentResult) -> dict[str, Any]:
    """One document of the check JSON."""
    s = r.statute
    return {
        "path": r.path,
        "sha256": r.sha256,
        "title": s.title,
        "doc_number": s.doc_number,
        "issuer": s.issuer,
        "kind": r.kind,
        "style": s.style,
        "dates": dates_to_dict(s.dates),
        "conclusion": r.conclusion,
        "filing": filing_to_dict(r.filing),
        "suppressed": r.suppressed,
        "findings": [finding_to_dict(f) for f in r.findings],
    }


def summarize(results: list[DocumentResult], errors: list[dict]) -> dict[str, Any]:
    """Counts by severity and category over all documents."""
    by_sev: dict[str, int] = {"error": 0, "warning": 0, "info": 0}
    by_cat: dict[str, int] = {}
    for r in results:
        for f in r.findings:
            by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
            by_cat[f.category] = by_cat.get(f.category, 0) + 1
    return {"documents": len(results), "errors": len(errors), "findings": sum(by_sev.values()),
            "by_severity": by_sev, "by_category": by_cat}


def report_to_dict(results: list[DocumentResult], errors: list[dict]) -> dict[str, Any]:
    """The whole check JSON: ``{"version": 1, "documents": [...], "errors": [...]}``."""
    return {
        "version": JSON_VERSION,
        "tool": {"name": "docreview", "version": __version__},
        "documents": [document_to_dict(r) for r in results],
        "errors": errors,
        "summary": summarize(results, errors),
    }
