"""Reports written from the store at the end of a run: results.jsonl, summary.json, 清理报告.xlsx.

Every file is written to a temporary name in the report directory and renamed into place, so a
reader never sees a half-written report.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docreview.batch.ledger import Ledger, LedgerRow, join_by_name, norm_number, number_index
from docreview.batch.store import DocRow, Store

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


@contextmanager
def atomic_paths(*paths: Path) -> Iterator[list[Path]]:
    """Temporary files next to ``paths``, renamed into place when the block succeeds, removed if not."""
    tmps: list[Path] = []
    try:
        for path in paths:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
            os.close(fd)
            tmps.append(Path(tmp))
        yield tmps
        for tmp, path in zip(tmps, paths, strict=True):
            os.chmod(tmp, 0o644)  # mkstemp creates 0600; reports are ordinary files
            os.replace(tmp, path)
    except BaseException:
        for tmp in tmps:
            tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path`` and rename it into place."""
    with atomic_paths(path) as (tmp,):
        write(tmp)


def result_line(d: DocRow, rec: dict[str, Any] | None = None) -> dict[str, Any]:
    """One results.jsonl object (``rec``: ``d.record`` when already decoded)."""
    rec = (d.record if rec is None else rec) or {}
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
    out = opts.out
    t_report = time.perf_counter()
    fp = report_fingerprint(store, ledger, opts)
    cached = store.meta("report_summary") if store.meta("report_fp") == fp else None
    fresh = cached is None or not all((out / n).is_file() for n in (RESULTS_NAME, EXCEL_NAME))
    summary = _write_fresh(store, ledger, opts) if fresh else json.loads(cached)  # type: ignore[arg-type]
    if fresh:
        store.set_meta("report_summary", json.dumps(summary, ensure_ascii=False))
        store.set_meta("report_fp", fp)
    summary["run"] = {
        "checked": stats.checked, "reused": stats.reused, "refreshed": stats.refreshed,
        "failed_this_run": stats.failed, "removed_this_run": stats.removed,
        "check_seconds": round(check_seconds, 3),
        "docs_per_second": round(stats.checked / check_seconds, 2) if stats.checked and check_seconds > 0
        else None,
        "reports_rewritten": fresh,
    }
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


def _ledger_keys(store: Store) -> list[tuple[str, str, str]]:
    """(path, 文号, 公布日期) of every current document, in path order, read without decoding records."""
    sql = ("SELECT path, doc_number, json_extract(CAST(record AS TEXT), '$.doc.dates.published') FROM docs "
           "WHERE status IN ('ok', 'failed') ORDER BY path")
    try:
        rows = store.db.execute(sql).fetchall()
    except sqlite3.OperationalError:  # an SQLite built without JSON functions
        rows = [(r.path, r.doc_number, (((r.record or {}).get("doc") or {}).get("dates") or {}).get("published"))
                for r in store.iter_current() if r.status in ("ok", "failed")]
    return [(p, num or "", pub if isinstance(pub, str) else "") for p, num, pub in rows]


def _write_fresh(store: Store, ledger: Ledger | None, opts: BatchOptions) -> dict[str, Any]:
    """Write results.jsonl and 清理报告.xlsx in one streaming pass over the stored rows (each record
    decoded once, not kept) and return the summary (counts and the ledger join)."""
    from docreview import __version__
    from docreview.batch.excel import ExcelReport
    from docreview.model import CATEGORIES

    match = match_ledger(_ledger_keys(store), ledger) if ledger is not None else LedgerMatch()
    by_sev: Counter[str] = Counter()
    by_cat: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    status: Counter[str] = Counter()
    with atomic_paths(opts.out / RESULTS_NAME, opts.out / EXCEL_NAME) as (jsonl, xlsx), \
            jsonl.open("w", encoding="utf-8") as fh, ExcelReport(xlsx, match, tmpdir=opts.out) as excel:
        for r in store.iter_current():
            status[r.status] += 1
            rec = r.record  # decoded once for all three reports
            fh.write(json.dumps(result_line(r, rec), ensure_ascii=False))
            fh.write("\n")
            excel.add(r, rec)
            if r.status in ("ok", "failed"):
                rec = rec or {}
                outcomes[rec.get("outcome") or "无法审核"] += 1
                for f in (rec.get("doc") or {}).get("findings", []):
                    by_sev[f.get("severity")] += 1
                    by_cat[f.get("category")] += 1
        summary = {
            "tool": {"name": "docreview", "version": __version__},
            "today": opts.today.isoformat(),
            "files": sum(status.values()),
            "documents": status.get("ok", 0) + status.get("failed", 0),
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
        }
        excel.finish(summary)
    return summary
