"""``docreview batch``: options → BatchOptions → run → one-paragraph Chinese summary on stderr."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from docreview.errors import E_USAGE, DocreviewError


def run_batch_command(
    *,
    archive: Path,
    out: Path,
    ledger: Path | None = None,
    jobs: int | None = None,
    timeout: float = 60.0,
    today: str | None = None,
    config: Path | None = None,
    rules: Sequence[Path] = (),
    kind: str | None = None,
    cluster: str | None = None,
    rehash: bool = False,
    retry_failed: bool = False,
    stream: TextIO | None = None,
) -> int:
    """Run the batch and return the exit code (0 when the batch completed, even with failed files)."""
    from datetime import date

    from docreview.batch.engine import EngineSpec
    from docreview.batch.progress import make_progress
    from docreview.batch.run import BatchOptions, run_batch
    from docreview.dates import parse_date

    stream = stream or sys.stderr
    if kind is not None and kind not in ("normative", "rule"):
        raise DocreviewError(E_USAGE, "--kind", "取值应为 normative（行政规范性文件）或 rule（政府规章）")
    if cluster is not None and not cluster.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise DocreviewError(E_USAGE, "--cluster", "集群地址应形如 tcp://主机:端口")
    from docreview.config import load_config

    cfg = load_config(config)  # resolved here (discovery from this directory), shipped to every worker
    opts = BatchOptions(
        archive=archive, out=out, ledger=ledger, jobs=jobs or 0, timeout=timeout,
        today=parse_date(today) if today else date.today(),
        spec=EngineSpec(config_json=cfg.model_dump_json(),
                        rules=tuple(str(Path(r).resolve()) for r in rules), kind=kind),
        cluster=cluster, rehash=rehash, retry_failed=retry_failed, fork_server=True,
    )
    bar = make_progress(stream)
    try:
        summary = run_batch(opts, progress=bar, log=lambda m: print(m, file=stream, flush=True))
    finally:
        bar.close()
    run = summary["run"]
    rate = f"，{run['docs_per_second']} 份/秒" if run.get("docs_per_second") else ""
    print(
        f"批量审核完成：文档 {summary['documents']} 份（成功 {summary['ok']}，失败 {summary['failed']}），"
        f"跳过 {summary['skipped']} 个，问题 {summary['findings']} 条；本次审核 {run['checked']} 份"
        f"{rate}，沿用 {run['reused']} 份，用时 {run['seconds']} 秒。报告：{out / '清理报告.xlsx'}",
        file=stream, flush=True,
    )
    return 0
