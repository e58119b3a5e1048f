"""Data behind ``docreview rules list/show/test`` (the CLI only prints it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from docreview.model import CATEGORY_ZH, SEVERITY_ZH
from docreview.rulebook.examples import ExampleResult, check_rule
from docreview.rulebook.loader import Rulebook
from docreview.rulebook.schema import Rule

_GUARD_ZH = {
    "cites_basis": "援引上位法具体条款时降为“提示”并请核对所引条款",
    "negated": "否定或保护性表述（不得收取、免收、不再要求……）",
    "soft_wording": "非强制性表述（鼓励、引导、可以、自愿……）",
    "referral": "只指引上位法处理（依法处理、由……依照有关法律法规处罚）",
    "government_subject": "义务主体是行政机关",
    "private_subject": "行为主体是经营者等私主体（市场价格行为）",
    "private_charge": "经营者等私主体收费且条款未规定数额（市场价格行为）",
    "government_target": "对象是行政机关或其工作人员（内部管理）",
    "scope_clause": "适用范围、目的、定义条款",
    "condition_clause": "只是罚则中描述的违法行为（……的，由……处……）",
}


def rule_summary(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id, "title": rule.title, "category": rule.category, "severity": rule.severity,
        "kinds": list(rule.kinds), "scope": rule.scope, "check": rule.check, "path": rule.path,
    }


def rule_detail(rule: Rule) -> dict[str, Any]:
    d = rule_summary(rule)
    d.update(
        basis=[asdict(b) for b in rule.basis],
        patterns=[p.source for p in rule.patterns],
        requires=list(rule.requires),
        exceptions=[{"guard": e.guard, "regex": e.regex, "where": e.where, "because": e.because}
                    for e in rule.exceptions],
        missing=rule.missing, fallback=rule.fallback, message=rule.message, suggestion=rule.suggestion,
        examples={"fail": list(rule.examples.fail), "pass": list(rule.examples.pass_),
                  "todo_fail": list(rule.examples.todo_fail), "todo_pass": list(rule.examples.todo_pass)},
    )
    return d


def list_table(book: Rulebook):
    from rich.table import Table

    t = Table(title=f"审核规则 {len(book.rules)} 条（版本 {book.version}）")
    for col in ("编号", "类别", "级别", "适用", "标题"):
        t.add_column(col)
    for r in book.rules:
        t.add_row(r.id, CATEGORY_ZH.get(r.category, r.category), SEVERITY_ZH.get(r.severity, r.severity),
                  "、".join({"normative": "规范性文件", "rule": "规章"}[k] for k in r.kinds), r.title)
    return t


def show_text(rule: Rule) -> str:
    lines = [
        f"{rule.id}  {rule.title}",
        f"类别：{CATEGORY_ZH.get(rule.category, rule.category)}　级别：{SEVERITY_ZH.get(rule.severity)}"
        f"　范围：{rule.scope}　检查：{rule.check}　文件：{rule.path}",
        "依据：",
    ]
    lines += [f"  《{b.law}》{b.article}：{b.quote}" if not b.law.startswith("《") else
              f"  {b.law}{b.article}：{b.quote}" for b in rule.basis]
    if rule.missing:
        lines.append(f"文件级检查：{rule.missing}")
    if rule.fallback:
        lines.append("兜底规则：只在没有其他规则报告的句子上报告")
    if rule.patterns:
        lines.append("匹配模式：")
        lines += [f"  - {p.source}" for p in rule.patterns]
    if rule.requires:
        lines.append("同一范围内还须出现：")
        lines += [f"  - {r}" for r in rule.requires]
    if rule.exceptions:
        lines.append("排除条件：")
        for e in rule.exceptions:
            what = _GUARD_ZH.get(e.guard or "", "") if e.guard else f"正则（{e.where}）{e.regex}"
            lines.append(f"  - {what} —— {e.because}")
    lines.append(f"提示语：{rule.message}")
    if rule.suggestion:
        lines.append(f"修改建议：{rule.suggestion}")
    ex = rule.examples
    for label, items in (("应报告", ex.fail), ("不应报告", ex.pass_), ("待实现（应报告）", ex.todo_fail),
                         ("待实现（不应报告）", ex.todo_pass)):
        if items:
            lines.append(f"示例（{label}）：")
            lines += [f"  - {t}".replace("\n", "\n    ") for t in items]
    return "\n".join(lines) + "\n"


def run_tests(book: Rulebook, ids: Sequence[str] = (), segmenter: Any = None) -> list[ExampleResult]:
    """Run the examples of ``ids`` (all rules when empty)."""
    from docreview.nlp import default_segmenter

    seg = segmenter or default_segmenter()
    out: list[ExampleResult] = []
    for r in book.rules:
        if ids and r.id not in ids:
            continue
        out += check_rule(book, r, seg)
    return out


def failure_line(res: ExampleResult) -> str:
    kind = {"fail": "应报告", "pass": "不应报告", "todo_fail": "待实现（应报告）已通过，请改为 fail",
            "todo_pass": "待实现（不应报告）已通过，请改为 pass"}[res.kind]
    text = res.text.replace("\n", " / ")
    if res.kind.startswith("todo"):
        return f"{res.test_id}: {kind}：{text}"
    return f"{res.test_id}: {kind}，{res.detail}：{text}"


def is_failure(res: ExampleResult) -> bool:
    """A plain example that misbehaves, or a todo example that now works (strict xfail)."""
    return not res.ok if not res.kind.startswith("todo") else res.ok


def user_dirs(paths: Sequence[Path] | None) -> list[Path]:
    return [Path(p) for p in (paths or [])]
