"""Reports written from the store at the end of a run: results.jsonl, summary.json, 清理报告.xlsx.

Every file is written to a temporary name in the report directory and renamed into place, so a
reader never sees a half-written report.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docreview.batch.ledger import Ledger, LedgerRow, join_by_name, norm_number, number_index
from docreview.batch.store import DocRow, Store
from docreview.model import CATEGORIES

if TYPE_CHECKING:
    from docreview.batch.run import BatchOptions, RunStats

RESULTS_NAME = "results.jsonl"
SUMMARY_NAME = "summary.json"
EXCEL_NAME = "清理报告.xlsx"
REPORT_FORMAT = "1"  # bump when the report layout changes


@dataclass
class LedgerMatch:
    """Join of current documents and ledger rows, recomputed at report time."""

    rows: dict[str, LedgerRow] = field(default_factory=dict)  # path -> row
    via: dict[str, str] = field(default_factory=dict)  # path -> 文件 | 文号
    unmatched_rows: list[LedgerRow] = field(default_factory=list)
    unmatched_files: list[str] = field(default_factory=list)
    bad_rows: list[LedgerRow] = field(default_factory=list)
    differences: list[tuple[str, LedgerRow, str]] = field(default_factory=list)  # (path, row, 说明)


def match_ledger(docs: list[tuple[str, str, str]], ledger: Ledger | None) -> LedgerMatch:
    """Join ``(path, document 文号, document 公布日期)`` to ledger rows: by file name first, then by
    文号; matched pairs whose 文号 or 公布日期 disagree are listed as differences."""
    m = LedgerMatch()
    if ledger is None:
        return m
    by_name, left = join_by_name([p for p, _, _ in docs], ledger)
    m.rows.update(by_name)
    m.via.update(dict.fromkeys(by_name, "文件"))
    numbers = number_index(left)
    used: set[int] = set()
    for path, num, pub in docs:
        row = m.rows.get(path)
        if row is None:
            row = numbers.get(norm_number(num)) if num else None
            if row is None:
                m.unmatched_files.append(path)
                continue
            m.rows[path], m.via[path] = row, "文号"
            used.add(row.row)
        diffs = []
        if row.doc_number and num and norm_number(row.doc_number) != norm_number(num):
            diffs.append(f"文号：台账为“{row.doc_number}”，文件中为“{num}”")
        if row.published and pub and row.published.isoformat() != pub:
            diffs.append(f"公布日期：台账为 {row.published.isoformat()}，文件中为 {pub}（已按台账计算）")
        if diffs:
            m.differences.append((path, row, "；".join(diffs)))
    m.unmatched_rows = [r for r in left if r.row not in used]
    m.bad_rows = [r for r in ledger.rows if r.problems]
    return m


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path`` and rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; reports are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def result_line(d: DocRow) -> dict[str, Any]:
    """One results.jsonl object."""
    rec = d.record or {}
    doc = rec.get("doc") or {}
    filing = doc.get("filing")
    return {
        "path": d.path,
        "sha256": d.sha256,
        "status": d.status,
        "error": d.error,
        "title": doc.get("title"),
        "doc_number": doc.get("doc_number"),
        "issuer": doc.get("issuer"),
        "findings": doc.get("findings", []),
        "filing": filing,
        "validity": (filing or {}).get("validity"),
        "outcome": rec.get("outcome"),
        "outcome_reason": rec.get("outcome_reason"),
    }


def write_reports(
    store: Store, opts: BatchOptions, ledger: Ledger | None, stats: RunStats, *, check_seconds: float,
) -> dict[str, Any]:
    from docreview.batch.excel import write_excel

    out = opts.out
    t_report = time.perf_counter()
    fp = report_fingerprint(store, ledger, opts)
    cached = store.meta("report_summary") if store.meta("report_fp") == fp else None
    fresh = cached is None or not all((out / n).is_file() for n in (RESULTS_NAME, EXCEL_NAME))
    summary = _summarize(store, ledger, opts) if fresh else json.loads(cached)  # type: ignore[arg-type]
    summary["run"] = {
        "checked": stats.checked, "reused": stats.reused, "refreshed": stats.refreshed,
        "failed_this_run": stats.failed, "removed_this_run": stats.removed,
        "check_seconds": round(check_seconds, 3),
        "docs_per_second": round(stats.checked / check_seconds, 2) if stats.checked and check_seconds > 0
        else None,
        "reports_rewritten": fresh,
    }
    if fresh:
        match = summary.pop("_match")

        def jsonl(tmp: Path) -> None:
            with tmp.open("w", encoding="utf-8") as fh:
                for r in store.iter_current():
                    fh.write(json.dumps(result_line(r), ensure_ascii=False) + "\n")

        atomic_write(out / RESULTS_NAME, jsonl)
        atomic_write(out / EXCEL_NAME, lambda tmp: write_excel(tmp, store.iter_current, match, summary))
        store.set_meta("report_summary", json.dumps({k: v for k, v in summary.items() if k != "run"},
                                                    ensure_ascii=False))
        store.set_meta("report_fp", fp)
    summary["run"]["seconds"] = round(stats.seconds + time.perf_counter() - t_report, 3)

    def summary_json(tmp: Path) -> None:
        tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    atomic_write(out / SUMMARY_NAME, summary_json)
    return summary


def report_fingerprint(store: Store, ledger: Ledger | None, opts: BatchOptions) -> str:
    """Changes whenever the reports would: any stored row, the ledger file, the tool version, today."""
    from docreview import __version__

    h = hashlib.sha256(f"{REPORT_FORMAT}:{__version__}:{opts.today.isoformat()}".encode())
    for row in store.db.execute("SELECT path, status, sha256, version, inputs, error, updated FROM docs "
                                "ORDER BY path"):
        h.update(repr(row).encode())
    if ledger is not None:
        h.update(ledger.path.encode())
        h.update(Path(ledger.path).read_bytes())
    return h.hexdigest()


def _summarize(store: Store, ledger: Ledger | None, opts: BatchOptions) -> dict[str, Any]:
    """Counts over the stored rows (one streaming pass) and the ledger join (under ``_match``)."""
    from docreview import __version__

    by_sev: Counter[str] = Counter()
    by_cat: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    status: Counter[str] = Counter()
    docs: list[tuple[str, str, str]] = []
    for r in store.iter_current():  # records are parsed one at a time and not kept
        status[r.status] += 1
        if r.status not in ("ok", "failed"):
            continue
        rec = r.record or {}
        doc = rec.get("doc") or {}
        docs.append((r.path, doc.get("doc_number") or "", (doc.get("dates") or {}).get("published") or ""))
        outcomes[rec.get("outcome") or "无法审核"] += 1
        for f in doc.get("findings", []):
            by_sev[f.get("severity")] += 1
            by_cat[f.get("category")] += 1
    match = match_ledger(docs, ledger)
    return {
        "tool": {"name": "docreview", "version": __version__},
        "today": opts.today.isoformat(),
        "files": sum(status.values()),
        "documents": len(docs),
        "ok": status.get("ok", 0),
        "failed": status.get("failed", 0),
        "skipped": status.get("skipped", 0),
        "removed": store.count_by_status().get("removed", 0),
        "findings": sum(by_sev.values()),
        "by_severity": {k: by_sev.get(k, 0) for k in ("error", "warning", "info")},
        "by_category": {k: by_cat.get(k, 0) for k in CATEGORIES},
        "outcomes": dict(outcomes),
        "ledger": None if ledger is None else {
            "path": ledger.path, "rows": len(ledger.rows), "matched": len(match.rows),
            "matched_by_number": sum(1 for v in match.via.values() if v == "文号"),
            "unmatched_rows": len(match.unmatched_rows), "unmatched_files": len(match.unmatched_files),
            "rows_with_problems": len(match.bad_rows), "differences": len(match.differences),
        },
        "_match": match,
    }
