"""Run a rule's examples: each example sentence becomes a one-article document.

Shared by ``docreview rules test`` and tests/test_rules_examples.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from docreview.model import Article, Clause, Statute, make_source
from docreview.rulebook.loader import Rulebook
from docreview.rulebook.schema import Rule

_ARTICLE_HEAD = re.compile(r"^\s*第[一二三四五六七八九十百零〇两0-9]+条")
KINDS = ("fail", "pass", "todo_fail", "todo_pass")


@dataclass(frozen=True, slots=True)
class ExampleResult:
    rule_id: str
    kind: str  # fail | pass | todo_fail | todo_pass
    index: int
    text: str
    ok: bool  # the rule behaved as the example says (for todo_*: as the future should be)
    detail: str = ""

    @property
    def test_id(self) -> str:
        return f"{self.rule_id}-{self.kind}-{self.index}"


def example_document(rule: Rule, text: str) -> str:
    """A bare clause becomes article 1; document-level examples are used as written."""
    if rule.scope == "document" or rule.check == "missing_clause" or _ARTICLE_HEAD.match(text):
        return text
    return f"第一条　{text}"


def example_statute(doc_text: str) -> Statute:
    """Through ingest + structure when they exist, else a minimal one-article Statute."""
    try:
        from docreview.ingest import from_text
        from docreview.structure import parse_structure
    except ImportError:
        src = make_source("<example>", "txt", [(line, {}) for line in doc_text.split("\n")])
        text = src.text
        arts = []
        if _ARTICLE_HEAD.match(text):
            arts.append(Article(1, "第一条", 0, len(text), (Clause(1, 0, len(text)),)))
        return Statute(text=text, articles=tuple(arts))
    return parse_structure(from_text(doc_text, name="example"))


def flagged(rule: Rule, findings: Iterable[Any]) -> bool:
    """The rule reported the example in its own category (a downgraded 'verify citation' is not)."""
    return any(f.rule_id == rule.id and f.category == rule.category for f in findings)


def run_example(book: Rulebook, rule: Rule, text: str, segmenter: Any) -> tuple[bool, list]:
    from docreview.engine import run_rules

    statute = example_statute(example_document(rule, text))
    kind = rule.kinds[0]
    findings = run_rules(book, statute, segmenter, kind=kind, rule_ids={rule.id},
                         document_checks=True)
    return flagged(rule, findings), list(findings)


def check_rule(book: Rulebook, rule: Rule, segmenter: Any) -> list[ExampleResult]:
    out = []
    ex = rule.examples
    for kind, items in (("fail", ex.fail), ("pass", ex.pass_), ("todo_fail", ex.todo_fail),
                        ("todo_pass", ex.todo_pass)):
        want = kind.endswith("fail")
        for i, text in enumerate(items):
            got, findings = run_example(book, rule, text, segmenter)
            detail = ""
            if got != want:
                mine = [f for f in findings if f.rule_id == rule.id]
                detail = ("未报告" if want else "误报：" + "；".join(f"「{f.quote}」" for f in mine))
            out.append(ExampleResult(rule.id, kind, i, text, got == want, detail))
    return out
