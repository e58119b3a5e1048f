"""The batch run: scan the archive, decide what needs checking, run it (local pool or Dask cluster),
store every result as it arrives, then write the reports from the store.

Incremental: a file is re-checked only when its content sha256, the engine version key (tool version,
Rulebook.version, config, kind) or its inputs (ledger dates used, ``today``) changed. To make a re-run
with nothing changed fast, the stored sha256 is trusted when size and mtime_ns are unchanged (the same
shortcut git and rsync use); ``rehash=True`` hashes every file again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from docreview.batch.engine import (
    REAL_ENGINE,
    EngineSpec,
    inputs_key,
    load_factory,
    refresh_record,
    same_but_today,
    version_hash,
)
from docreview.batch.ledger import Ledger, LedgerRow, join_by_name, norm_number, number_index, read_ledger
from docreview.batch.store import Encoded, Store, encode_record
from docreview.errors import E_TOO_LARGE, E_USAGE, DocreviewError

DOC_EXTS = (".docx", ".txt", ".md")
LEGACY_EXTS = (".doc", ".wps", ".wpt", ".dot")
ENGINE_ENV = "DOCREVIEW_BATCH_ENGINE"  # test hook: "module:Factory" replacing the real pipeline
SLOW_ENV = "DOCREVIEW_BATCH_SLOW"  # test hook: seconds each document sleeps (to interrupt a run)


@dataclass(frozen=True)
class BatchOptions:
    archive: Path
    out: Path
    ledger: Path | None = None
    jobs: int = 0  # 0: all cores
    timeout: float = 60.0
    today: date = field(default_factory=date.today)
    spec: EngineSpec = field(default_factory=EngineSpec)
    cluster: str | None = None
    factory: str = REAL_ENGINE
    rehash: bool = False
    retry_failed: bool = False  # re-check documents that failed last time (e.g. after a timeout)
    fork_server: bool = False  # fork workers from a warm server (one batch per process: the command line)


@dataclass(frozen=True, slots=True)
class FileEntry:
    rel: str  # POSIX path relative to the archive
    abs: str
    size: int
    mtime_ns: int
    skip: str | None = None  # reason when not a document


@dataclass
class RunStats:
    files: int = 0
    to_check: int = 0
    reused: int = 0
    refreshed: int = 0  # only today changed: filing/validity re-assessed without re-checking
    checked: int = 0
    failed: int = 0
    skipped: int = 0
    removed: int = 0
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def _skip_reason(name: str) -> str | None:
    low = name.lower()
    if name.startswith("~$"):
        return "Word 临时文件（~$ 开头），已跳过"
    if low.endswith(DOC_EXTS):
        return None
    if low.endswith(LEGACY_EXTS):
        return "旧版 Word/WPS 格式，请另存为 .docx 后再审核"
    ext = os.path.splitext(name)[1] or "无扩展名"
    return f"不支持的文件类型（{ext}），只审核 .docx、.txt、.md"


def scan(archive: Path, exclude: Path | None = None) -> list[FileEntry]:
    """All files under ``archive`` (recursively, sorted), except inside ``exclude`` (the report dir)."""
    root = archive.resolve()
    excl = exclude.resolve() if exclude is not None else None
    out: list[FileEntry] = []

    def unreadable(err: OSError) -> None:
        rel = _display(Path(err.filename).relative_to(root).as_posix()) if err.filename else "?"
        out.append(FileEntry(rel + "/", str(err.filename), 0, 0, f"无法读取目录（{err.strerror}），其中的文件未审核"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if excl is None or (here / d).resolve() != excl)
        for name in sorted(filenames):
            p = here / name
            try:
                st = p.stat()
            except OSError:
                continue
            rel = _display(p.relative_to(root).as_posix())
            out.append(FileEntry(rel, str(p), st.st_size, st.st_mtime_ns, _skip_reason(name)))
    out.sort(key=lambda f: f.rel)
    return out


def _display(rel: str) -> str:
    """A file name that is not valid UTF-8 (e.g. GBK bytes from an old zip) as readable text."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        raw = rel.encode("utf-8", "surrogateescape")
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "backslashreplace")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def row_dict(r: LedgerRow) -> dict[str, Any]:
    return {"row": r.row, "file": r.file, "doc_number": r.doc_number, "title": r.title, "issuer": r.issuer,
            **r.dates_dict(), "problems": list(r.problems)}


def _check_args(opts: BatchOptions) -> None:
    if not opts.archive.is_dir():
        what = "不存在" if not opts.archive.exists() else "不是目录"
        raise DocreviewError(E_USAGE, str(opts.archive), f"待清理的文件目录{what}")
    if opts.timeout <= 0:
        raise DocreviewError(E_USAGE, "--timeout", "超时秒数应大于 0")
    if opts.jobs < 0:
        raise DocreviewError(E_USAGE, "--jobs", "进程数不能为负数")
    if opts.out.exists() and not opts.out.is_dir():
        raise DocreviewError(E_USAGE, str(opts.out), "报告输出位置已存在且不是目录")


def _refresh(store: Store, items: list[tuple], factory: str, opts: BatchOptions, version: str, run_id: int,
             stats: RunStats) -> list[dict[str, Any]]:
    """Re-assess filing/validity for documents whose only changed input is ``today`` (no NLP).

    Returns the tasks that still need a full check (no refresher, or the refresh failed)."""
    fac = load_factory(factory)
    if not hasattr(fac, "refresher"):
        return [t for t, *_ in items]
    refresh = fac.refresher(opts.spec)
    again: list[dict[str, Any]] = []
    store.db.execute("BEGIN")
    try:
        for task, prev, rowd, via, sha in items:
            try:
                old = store.record(task["rel"]) or {}
                if not old.get("doc"):
                    again.append(task)
                    continue
                rec = refresh_record(refresh, old, rowd, via, opts.today)
            except Exception:  # noqa: BLE001 - fall back to a full check of this document
                again.append(task)
                continue
            store.put(task["rel"], size=task["size"], mtime_ns=task["mtime_ns"], sha256=sha, version=version,
                      inputs=rec["inputs"], status="ok", error=None, record=rec, seconds=prev.seconds,
                      run=run_id)
            stats.refreshed += 1
        store.db.execute("COMMIT")
    except BaseException:
        store.db.execute("ROLLBACK")
        raise
    return again


def run_batch(
    opts: BatchOptions,
    progress: Callable[[int, int], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the batch; returns the summary dict (also written to ``summary.json``)."""
    t0 = time.perf_counter()
    _check_args(opts)
    factory = os.environ.get(ENGINE_ENV) or opts.factory
    ledger: Ledger | None = read_ledger(opts.ledger) if opts.ledger else None
    version = version_hash(load_factory(factory).version(opts.spec))
    files = scan(opts.archive, exclude=opts.out)
    docs = [f for f in files if f.skip is None]
    by_name, rows_left = join_by_name([f.rel for f in docs], ledger)
    numbers = {k: row_dict(r) for k, r in number_index(rows_left).items()}
    stats = RunStats(files=len(files))

    with Store.open(opts.out) as store:
        run_id = store.begin_run(str(opts.archive.resolve()))
        old = store.all()
        seen: set[str] = set()
        tasks: list[dict[str, Any]] = []
        refresh: list[tuple] = []
        for f in files:
            seen.add(f.rel)
            prev = old.get(f.rel)
            if f.skip is not None:
                stats.skipped += 1
                if prev is None or prev.status != "skipped" or prev.error != f.skip:
                    store.put(f.rel, size=f.size, mtime_ns=f.mtime_ns, sha256=None, version=None,
                              inputs=None, status="skipped", error=f.skip, record=None, run=run_id)
                continue
            same_stat = prev is not None and prev.size == f.size and prev.mtime_ns == f.mtime_ns
            if same_stat and prev.sha256 and not opts.rehash:  # type: ignore[union-attr]
                sha = prev.sha256  # type: ignore[union-attr]
            else:
                try:
                    sha = sha256_file(f.abs)
                except OSError:
                    sha = None
            row = by_name.get(f.rel)
            rowd, via = (row_dict(row), "文件") if row is not None else (None, None)
            if rowd is None and numbers and prev is not None and prev.doc_number:
                rowd = numbers.get(norm_number(prev.doc_number))
                via = "文号" if rowd is not None else None
            inputs = inputs_key(rowd, opts.today)
            same = (prev is not None and sha is not None and prev.sha256 == sha and prev.version == version
                    and prev.has_record)
            if opts.retry_failed and prev is not None and prev.status == "failed":
                same = False
            if same and (prev.inputs == inputs or (prev.status == "failed" and same_but_today(prev.inputs, inputs))):
                stats.reused += 1
                if not same_stat:
                    store.touch(f.rel, f.size, f.mtime_ns)
                if prev.status == "removed":
                    store.restore(f.rel, (store.record(f.rel) or {}).get("status", "ok"))
                continue
            task = {"rel": f.rel, "abs": f.abs, "name": Path(f.rel).name, "size": f.size,
                    "mtime_ns": f.mtime_ns, "row": row_dict(row) if row is not None else None}
            if same and prev.status in ("ok", "removed") and same_but_today(prev.inputs, inputs):
                refresh.append((task, prev, rowd, via, sha))
            else:
                tasks.append(task)
        if refresh:
            tasks += _refresh(store, refresh, factory, opts, version, run_id, stats)
        stats.removed = store.mark_removed(
            p for p, r in old.items() if p not in seen and r.status != "removed"
        )
        stats.to_check = len(tasks)
        if log:
            log(f"共 {len(files)} 个文件：{len(docs)} 份文档待审，{stats.skipped} 个跳过；"
                f"沿用上次结果 {stats.reused} 份，按新日期重算备案与有效期 {stats.refreshed} 份，"
                f"本次需审核 {len(tasks)} 份")

        done = 0

        def on_result(task: dict[str, Any], rec: dict[str, Any] | Encoded) -> None:
            nonlocal done
            if isinstance(rec, Encoded) and (rec.inputs is None or (rec.sha256 is None and rec.status == "failed")):
                rec = json.loads(rec.data)  # rare: completed below
            if isinstance(rec, dict):
                rec = {**rec, "path": task["rel"]}
                if rec.get("sha256") is None and rec["status"] == "failed":
                    try:
                        rec["sha256"] = sha256_file(task["abs"])
                    except OSError:
                        rec["sha256"] = None
                if rec.get("inputs") is None:
                    rec["inputs"] = inputs_key(task.get("row"), opts.today)
                rec = encode_record(rec)
            store.put(task["rel"], size=task["size"], mtime_ns=task["mtime_ns"], sha256=rec.sha256,
                      version=version, inputs=rec.inputs, status=rec.status, error=rec.error,
                      record=rec, seconds=rec.seconds, run=run_id)
            stats.checked += 1
            stats.failed += rec.status == "failed"
            done += 1
            if progress:
                progress(done, len(tasks))

        if progress:
            progress(0, len(tasks))
        tasks_run: list[dict[str, Any]] = []
        if tasks:  # (a re-run with nothing to check imports none of this)
            from docreview.batch.pool import failed_record
            from docreview.ingest.safety import DEFAULT_LIMITS

            limit = DEFAULT_LIMITS.max_file_bytes
            for t in [t for t in tasks if t["size"] > limit]:  # never ship or read a huge file
                on_result(t, failed_record(
                    E_TOO_LARGE, f"文件大小 {t['size'] // (1024 * 1024)} MB 超过上限 {limit // (1024 * 1024)} MB"))
            tasks_run = [t for t in tasks if t["size"] <= limit]
        ctx = {"today": opts.today.isoformat(), "numbers": numbers,
               "slow": float(os.environ.get(SLOW_ENV) or 0)}
        t_check = time.perf_counter()
        if tasks_run and opts.cluster:
            from docreview.batch.cluster import run_cluster

            run_cluster(opts.cluster, tasks_run, factory=factory, spec=opts.spec, ctx=ctx,
                        timeout=opts.timeout, on_result=on_result)
        elif tasks_run:
            from docreview.batch.pool import run_pool

            run_pool(tasks_run, factory=factory, spec=opts.spec, ctx=ctx,
                     jobs=opts.jobs or _cores(), timeout=opts.timeout, on_result=on_result,
                     fork_server=opts.fork_server)
        check_s = time.perf_counter() - t_check
        stats.seconds = time.perf_counter() - t0

        from docreview.batch.report import write_reports

        summary = write_reports(store, opts, ledger, stats, check_seconds=check_s)
        store.finish_run(run_id, summary["run"])
    return summary
