"""Command-line interface. The only module that knows about terminals and exit codes.

Heavy modules (spaCy, jieba, python-docx) are imported inside commands so ``--help`` stays instant.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from docreview import __version__
from docreview.errors import DocreviewError

app = typer.Typer(
    name="docreview",
    help="行政规范性文件合法性审核辅助工具：逐条检查设定许可、处罚、强制、收费、增加义务、限制竞争等问题。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
rules_app = typer.Typer(help="查看、测试审核规则。", no_args_is_help=True)
config_app = typer.Typer(help="查看生效配置。", no_args_is_help=True)
baseline_app = typer.Typer(help="基线：记录已知问题，只报告新增问题。", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(config_app, name="config")
app.add_typer(baseline_app, name="baseline")

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


def _version(value: bool) -> None:
    if value:
        typer.echo(f"docreview {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号")
    ] = False,
) -> None:
    """行政规范性文件合法性审核辅助工具。"""


def fail(err: DocreviewError) -> None:
    """Print one error line (no traceback) and exit 2."""
    typer.echo(str(err), err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


# --------------------------------------------------------------------------- shared options

ConfigOpt = Annotated[Path | None, typer.Option("--config", help="配置文件（默认向上查找 docreview.toml）")]
RulesOpt = Annotated[list[Path] | None, typer.Option("--rules", help="额外规则目录，可重复")]
KindOpt = Annotated[
    str | None, typer.Option("--kind", help="文件类型：normative（行政规范性文件，默认）或 rule（政府规章）")
]
PublishedOpt = Annotated[str | None, typer.Option("--published", help="公布日期，如 2026-01-20")]
FiledOpt = Annotated[
    list[str] | None,
    typer.Option("--filed", help="报送备案日期；可写 日期 或 接收方=日期（上级人民政府=2026-02-01），可重复"),
]
TodayOpt = Annotated[str | None, typer.Option("--today", help="以此日期为今天（便于复现）")]


# --------------------------------------------------------------------------- check


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="送审稿（.docx/.txt/.md）或目录")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="text | json | sarif | junit | github | markdown")
    ] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="把报告写入文件")] = None,
    opinion: Annotated[Path | None, typer.Option("--opinion", help="生成合法性审核意见书 .docx")] = None,
    annotate: Annotated[Path | None, typer.Option("--annotate", help="生成带批注的送审稿副本 .docx")] = None,
    fail_on: Annotated[
        str | None, typer.Option("--fail-on", help="error | warning | info | never（默认 error）")
    ] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="基线文件：只报告新增问题")] = None,
    config: ConfigOpt = None,
    rules: RulesOpt = None,
    kind: KindOpt = None,
    published: PublishedOpt = None,
    filed: FiledOpt = None,
    today: TodayOpt = None,
    reviewer: Annotated[str | None, typer.Option("--reviewer", help="审核机关名称（意见书落款）")] = None,
    review_date: Annotated[str | None, typer.Option("--review-date", help="审核日期（意见书落款）")] = None,
) -> None:
    """逐条审核文件，报告问题条款；可生成审核意见书和批注稿。"""
    from docreview.app import run_check

    try:
        code = run_check(
            paths=paths, fmt=fmt, output=output, opinion=opinion, annotate=annotate,
            fail_on=fail_on, baseline=baseline, config=config, rules=rules or [], kind=kind,
            published=published, filed=filed or [], today=today, reviewer=reviewer,
            review_date=review_date,
        )
    except DocreviewError as err:
        fail(err)
    raise typer.Exit(code)


# --------------------------------------------------------------------------- entry point


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except DocreviewError as err:  # pragma: no cover - commands already catch
        typer.echo(str(err), err=True)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        typer.echo("已中断", err=True)
        sys.exit(130)
