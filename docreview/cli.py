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


# --------------------------------------------------------------------------- parse


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="文件（.docx/.txt/.md）")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text | json")] = "text",
) -> None:
    """显示文件结构：标题、文号、制定机关、日期、章/条/款/项/目或分段标题。"""
    import json

    from docreview.errors import E_USAGE

    if fmt not in ("text", "json"):
        fail(DocreviewError(E_USAGE, "--format", f"不支持的格式 {fmt}（可用：text、json）"))
    try:
        from docreview.ingest import read_document
        from docreview.report.tree import statute_to_dict, statute_to_text
        from docreview.structure import parse_structure

        statute = parse_structure(read_document(file))
    except DocreviewError as err:
        fail(err)
    if fmt == "json":
        typer.echo(json.dumps(statute_to_dict(statute), ensure_ascii=False, indent=2))
    else:
        typer.echo(statute_to_text(statute), nl=False)


# --------------------------------------------------------------------------- filing


@app.command()
def filing(
    file: Annotated[Path | None, typer.Argument(help="已印发的文件（.docx/.txt/.md）；给出 --published 时可省略")] = None,
    published: PublishedOpt = None,
    filed: FiledOpt = None,
    today: TodayOpt = None,
    profile: Annotated[str | None, typer.Option("--profile", help="备案配置：default、thirty、workdays、month，或本地 YAML 文件（file.yml#名称）")] = None,
    holidays: Annotated[Path | None, typer.Option("--holidays", help="节假日文件（YAML），补充未知年份")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text | json")] = "text",
    config: ConfigOpt = None,
) -> None:
    """计算备案报送期限（按民法典期间规则，含节假日顺延）和有效期状态。"""
    from docreview.filing.command import run_filing

    try:
        out = run_filing(
            file, published=published, filed=filed or [], today=today, profile=profile,
            holidays=holidays, fmt=fmt, config=config,
        )
    except DocreviewError as err:
        fail(err)
    typer.echo(out)


# --------------------------------------------------------------------------- eval


@app.command("eval")
def eval_cmd(
    directory: Annotated[Path, typer.Argument(help="标注条款目录（*.yml）")] = Path("corpus/clauses"),
    fmt: Annotated[str, typer.Option("--format", "-f", help="text | json")] = "text",
    rules: RulesOpt = None,
    baseline_only: Annotated[bool, typer.Option("--baseline-only", help="只评测关键词基线")] = False,
    show: Annotated[int, typer.Option("--show", help="文本输出中列出的漏报/误报条数")] = 30,
) -> None:
    """在标注条款集上评测规则的精确率、召回率，并与关键词基线对比。"""
    import json

    from docreview import evaluate as ev
    from docreview.errors import E_USAGE

    if fmt not in ("text", "json"):
        fail(DocreviewError(E_USAGE, "--format", f"不支持的格式 {fmt}（可用：text、json）"))
    try:
        clauses = ev.load_clauses(directory)
        predictor, note = None, "已指定 --baseline-only"
        if not baseline_only:
            try:
                predictor = ev.engine_predictor(rules or [])
                note = ""
            except ImportError as exc:
                note = f"规则引擎尚不可用（{exc}）"
        report = ev.build_report(directory, clauses, predictor, engine_note=note)
    except DocreviewError as err:
        fail(err)
    if fmt == "json":
        typer.echo(json.dumps(ev.to_json(report), ensure_ascii=False, indent=2))
    else:
        from rich.console import Console

        ev.render_text(report, Console(), show_mistakes=show)
    raise typer.Exit(EXIT_OK)


# --------------------------------------------------------------------------- config / baseline


@config_app.command("show")
def config_show(
    fmt: Annotated[str, typer.Option("--format", "-f", help="toml | json")] = "toml",
    config: ConfigOpt = None,
) -> None:
    """显示生效配置及其来源（docreview.toml、pyproject.toml 的 [tool.docreview] 或默认值）。"""
    from docreview.config import load_config, render_config

    try:
        typer.echo(render_config(load_config(config), fmt))
    except DocreviewError as err:
        fail(err)


@baseline_app.command("create")
def baseline_create(
    paths: Annotated[list[Path], typer.Argument(help="送审稿（.docx/.txt/.md）或目录")],
    output: Annotated[Path, typer.Option("--output", "-o", help="基线文件")] = Path(".docreview-baseline.json"),
    reason: Annotated[str, typer.Option("--reason", help="记录原因（写入每条记录）")] = "既有问题，待清理",
    config: ConfigOpt = None,
    rules: RulesOpt = None,
    kind: KindOpt = None,
) -> None:
    """记录当前全部问题为基线；之后 check --baseline 只报告新增问题。"""
    from docreview.baseline import run_baseline_create

    try:
        n, files = run_baseline_create(paths, output, reason, config=config, rules=rules or [], kind=kind)
    except DocreviewError as err:
        fail(err)
    typer.echo(f"基线已写入：{output}（{files} 个文件，{n} 条记录）")


# --------------------------------------------------------------------------- batch


@app.command()
def batch(
    archive: Annotated[Path, typer.Argument(help="待清理文件所在目录（递归查找 .docx/.txt/.md）")],
    out: Annotated[Path, typer.Option("--out", help="报告目录：清理报告.xlsx、results.jsonl、summary.json、结果库")],
    ledger: Annotated[Path | None, typer.Option("--ledger", help="台账 .xlsx 或 .csv")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="并行进程数（默认全部 CPU 核）")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="单个文件处理时限（秒）")] = 60.0,
    today: TodayOpt = None,
    config: ConfigOpt = None,
    rules: RulesOpt = None,
    kind: KindOpt = None,
    cluster: Annotated[
        str | None, typer.Option("--cluster", help="在 Dask 集群上运行，如 tcp://10.0.0.5:8786")
    ] = None,
    rehash: Annotated[bool, typer.Option("--rehash", help="忽略修改时间，重新计算每个文件的哈希")] = False,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="重新审核上次失败的文件（如超时、进程崩溃）")
    ] = False,
) -> None:
    """批量清理：并行审核整个目录，对照台账，生成清理报告（可中断续跑，只重审变化的文件）。"""
    from docreview.batch.command import run_batch_command

    try:
        code = run_batch_command(
            archive=archive, out=out, ledger=ledger, jobs=jobs, timeout=timeout, today=today,
            config=config, rules=rules or [], kind=kind, cluster=cluster, rehash=rehash,
            retry_failed=retry_failed,
        )
    except DocreviewError as err:
        fail(err)
    raise typer.Exit(code)


# --------------------------------------------------------------------------- rules


def _load_book(config: Path | None, rules: list[Path] | None):
    from docreview.config import load_config
    from docreview.rulebook import load_rulebook

    return load_rulebook(list(rules or []), load_config(config))


@rules_app.command("list")
def rules_list(
    fmt: Annotated[str, typer.Option("--format", "-f", help="text | json")] = "text",
    config: ConfigOpt = None,
    rules: RulesOpt = None,
) -> None:
    """列出全部规则：编号、类别、级别、标题。"""
    import json

    from docreview.errors import E_USAGE

    if fmt not in ("text", "json"):
        fail(DocreviewError(E_USAGE, "--format", f"不支持的格式 {fmt}（可用：text、json）"))
    try:
        book = _load_book(config, rules)
    except DocreviewError as err:
        fail(err)
    from docreview.rulebook.tooling import list_table, rule_summary

    if fmt == "json":
        data = {"version": book.version, "rules": [rule_summary(r) for r in book.rules]}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    Console(width=120).print(list_table(book))


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="规则编号，如 PM01")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text | json")] = "text",
    config: ConfigOpt = None,
    rules: RulesOpt = None,
) -> None:
    """显示一条规则的依据、匹配模式、排除条件及理由、示例。"""
    import json

    from docreview.errors import E_RULE_UNKNOWN

    try:
        book = _load_book(config, rules)
    except DocreviewError as err:
        fail(err)
    rule = book.get(rule_id)
    if rule is None:
        fail(DocreviewError(E_RULE_UNKNOWN, rule_id, "没有这条规则（docreview rules list 查看全部编号）"))
    from docreview.rulebook.tooling import rule_detail, show_text

    if fmt == "json":
        typer.echo(json.dumps(rule_detail(rule), ensure_ascii=False, indent=2))
    else:
        typer.echo(show_text(rule), nl=False)


@rules_app.command("test")
def rules_test(
    rule_ids: Annotated[list[str] | None, typer.Argument(help="规则编号（默认全部）")] = None,
    config: ConfigOpt = None,
    rules: RulesOpt = None,
) -> None:
    """运行规则示例：每个失败一行；有失败时退出码 1。"""
    from docreview.errors import E_RULE_UNKNOWN

    try:
        book = _load_book(config, rules)
        for rid in rule_ids or []:
            if book.get(rid) is None:
                raise DocreviewError(E_RULE_UNKNOWN, rid, "没有这条规则")
        from docreview.rulebook.tooling import failure_line, is_failure, run_tests

        results = run_tests(book, rule_ids or [])
    except DocreviewError as err:
        fail(err)
    bad = [r for r in results if is_failure(r)]
    for r in bad:
        typer.echo(failure_line(r))
    n_rules = len({r.rule_id for r in results})
    typer.echo(f"{n_rules} 条规则，{len(results)} 个示例，{len(bad)} 个失败")
    raise typer.Exit(EXIT_FINDINGS if bad else EXIT_OK)


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
