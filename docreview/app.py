"""Orchestration of ``docreview check``: files in, reports out, exit code back to the CLI.

Kept apart from cli.py so it can be called from tests and other front ends; it does the IO (reading
inputs, writing report files) but no terminal-specific work beyond printing the chosen report.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from docreview.errors import E_OUTPUT, E_USAGE, DocreviewError
from docreview.model import SEVERITY_RANK, DocumentResult

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")
FAIL_ON = ("error", "warning", "info", "never")
DOC_SUFFIXES = (".docx", ".txt", ".md")


def expand_inputs(paths: Sequence[Path]) -> list[Path]:
    """Files as given, plus documents found recursively in directories (sorted, Word lock files skipped)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in DOC_SUFFIXES and not f.name.startswith("~$")
            )
            out.extend(found)
        else:
            out.append(p)  # missing files are reported by ingest with their own error
    return out


def exit_code(results: Sequence[DocumentResult], errors: Sequence[dict], fail_on: str) -> int:
    """0 clean, 1 findings at or above ``fail_on``, 2 when any input could not be read."""
    if errors:
        return 2
    if fail_on == "never":
        return 0
    threshold = SEVERITY_RANK[fail_on]
    hit = any(SEVERITY_RANK[f.severity] >= threshold for r in results for f in r.findings)
    return 1 if hit else 0


def _write_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DocreviewError(E_OUTPUT, str(path), f"无法写出文件：{exc.strerror}") from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def run_check(
    *,
    paths: Sequence[Path],
    fmt: str = "text",
    output: Path | None = None,
    opinion: Path | None = None,
    annotate: Path | None = None,
    fail_on: str | None = None,
    baseline: Path | None = None,
    config: Path | None = None,
    rules: Sequence[Path] = (),
    kind: str | None = None,
    published: str | None = None,
    filed: Sequence[str] = (),
    today: str | None = None,
    reviewer: str | None = None,
    review_date: str | None = None,
    stream=None,
) -> int:
    """Run ``check`` end to end and return the exit code."""
    from docreview.config import load_config
    from docreview.dates import parse_date

    stream = stream or sys.stdout
    if fmt not in FORMATS:
        raise DocreviewError(E_USAGE, "--format", f"不支持的格式 {fmt}（可选：{'、'.join(FORMATS)}）")
    cfg = load_config(config)
    fail_on = fail_on or cfg.fail_on
    if fail_on not in FAIL_ON:
        raise DocreviewError(E_USAGE, "--fail-on", f"取值应为 {'、'.join(FAIL_ON)} 之一")
    if kind is not None and kind not in ("normative", "rule"):
        raise DocreviewError(E_USAGE, "--kind", "取值应为 normative（行政规范性文件）或 rule（政府规章）")
    files = expand_inputs(paths)
    if not files:
        raise DocreviewError(E_USAGE, ", ".join(map(str, paths)), "没有找到可审核的文件（.docx/.txt/.md）")
    if (opinion or annotate) and len(files) != 1:
        raise DocreviewError(E_USAGE, "--opinion/--annotate", "生成意见书或批注稿时只能审核一个文件")
    for out in (output, opinion, annotate):
        if out is not None and any(_same_file(out, f) for f in files):
            raise DocreviewError(E_OUTPUT, str(out), "输出文件不能覆盖送审稿本身")

    pub = parse_date(published) if published else None
    today_d = parse_date(today) if today else date.today()
    filed_map = None
    if filed:
        from docreview.filing import parse_filed

        filed_map = parse_filed(list(filed))

    from docreview.pipeline import Checker

    checker = Checker(cfg, extra_rules=[str(r) for r in rules], kind=kind)
    base = None
    if baseline is not None:
        from docreview.baseline import load_baseline

        base = load_baseline(baseline)

    results: list[DocumentResult] = []
    errors: list[dict] = []
    for f in files:
        try:
            r = checker.check_path(f, published=pub, filed=filed_map, today=today_d)
        except DocreviewError as err:
            errors.append({"path": str(f), "code": err.code, "message": err.message})
            continue
        if base is not None:
            from dataclasses import replace

            from docreview.baseline import apply_baseline
            from docreview.opinion import conclude

            kept, suppressed = apply_baseline(r.findings, base, path=r.path)
            r = replace(r, findings=tuple(kept), suppressed=suppressed, conclusion=conclude(kept))
        results.append(r)

    _emit(fmt, results, errors, output, stream)

    if results and (opinion or annotate):
        res = results[0]
        for out in (opinion, annotate):
            if out is not None:
                try:
                    out.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise DocreviewError(E_OUTPUT, str(out), f"无法创建输出目录：{exc.strerror}") from None
        if opinion:
            from docreview.opinion import build_opinion
            from docreview.report.word import write_opinion

            rd = parse_date(review_date) if review_date else today_d
            op = build_opinion(
                res, reviewer=reviewer or cfg.reviewer, review_date=rd, rule_count=len(checker.book.rules)
            )
            write_opinion(op, opinion)
            print(f"审核意见书已写入：{opinion}", file=sys.stderr)
        if annotate:
            from docreview.ingest import read_document
            from docreview.report.annotate import write_annotated

            src = read_document(files[0])
            n = write_annotated(files[0], res.findings, src, annotate)
            print(f"批注稿已写入：{annotate}（{n} 条批注）", file=sys.stderr)
    return exit_code(results, errors, fail_on)


def _emit(fmt: str, results: list[DocumentResult], errors: list[dict], output: Path | None, stream) -> None:
    """Render the report in ``fmt`` to ``output`` or the terminal."""
    if fmt == "text":
        from docreview.report.console import render_console, render_console_text

        if output is None:
            from rich.console import Console

            render_console(results, errors, Console(file=stream))
        else:
            _write_text(output, render_console_text(results, errors, width=100))
        return
    from docreview.report.machine import render

    text = render(fmt, results, errors)
    if output is None:
        stream.write(text if text.endswith("\n") else text + "\n")
    else:
        _write_text(output, text)
