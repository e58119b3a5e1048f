"""Every rule example runs as a test (ids like PM01-fail-0; todo_* are strict xfail) + meta-tests."""

from __future__ import annotations

import pytest

from docreview.model import CATEGORIES
from docreview.nlp import default_segmenter
from docreview.rulebook import load_rulebook
from docreview.rulebook.examples import KINDS, run_example
from docreview.rulebook.loader import compile_checked
from docreview.rulebook.regexguard import backtracking_problem

BOOK = load_rulebook()


def _cases():
    for r in BOOK.rules:
        ex = r.examples
        for kind, items in zip(KINDS, (ex.fail, ex.pass_, ex.todo_fail, ex.todo_pass), strict=True):
            for i, text in enumerate(items):
                marks = [pytest.mark.xfail(strict=True, reason="todo example")] if kind.startswith("todo") else []
                yield pytest.param(r.id, kind, text, id=f"{r.id}-{kind}-{i}", marks=marks)


@pytest.fixture(scope="module")
def seg():
    return default_segmenter()


@pytest.mark.parametrize(("rule_id", "kind", "text"), list(_cases()))
def test_example(rule_id: str, kind: str, text: str, seg) -> None:
    rule = BOOK.get(rule_id)
    got, findings = run_example(BOOK, rule, text, seg)
    want = kind.endswith("fail")
    mine = [f"{f.category}/{f.severity}「{f.quote}」" for f in findings if f.rule_id == rule_id]
    assert got is want, f"{rule_id} {'未报告' if want else '误报'}：{text} {mine}"
    for f in findings:  # quotes are exact document text
        assert f.quote == f.quote.strip() or f.quote


def test_at_least_sixty_rules_covering_all_categories() -> None:
    assert len(BOOK.rules) >= 60
    assert {r.category for r in BOOK.rules} == set(CATEGORIES)


def test_unique_ids_and_file_stems() -> None:
    ids = [r.id for r in BOOK.rules]
    assert len(ids) == len(set(ids))
    for r in BOOK.rules:
        assert r.path.endswith(f"{r.category}/{r.id}.yml"), r.path


@pytest.mark.parametrize("rule", BOOK.rules, ids=lambda r: r.id)
def test_rule_conventions(rule) -> None:
    assert rule.basis, "basis required"
    for b in rule.basis:
        assert b.law.strip() and b.article.strip() and len(b.quote.strip()) >= 6
    assert rule.examples.fail, "at least one fail example"
    assert rule.examples.pass_, "at least one pass example"
    if rule.severity == "error":
        assert rule.suggestion.strip(), "error rules need a suggestion"
    for e in rule.exceptions:
        assert e.because.strip()
    for p in rule.patterns:
        if p.kind == "regex":
            assert backtracking_problem(p.regex) is None
            compile_checked(p.regex, rule.path, "pattern")
    for e in rule.exceptions:
        if e.regex:
            assert backtracking_problem(e.regex) is None


@pytest.mark.parametrize("rule", BOOK.rules, ids=lambda r: r.id)
def test_message_fields_are_filled_by_every_pattern(rule) -> None:
    """A {field} in the message or suggestion must be a group of every regex pattern (or quote):
    otherwise it is filled with nothing and the reviewer reads a broken sentence."""
    import re

    import regex

    used = set(re.findall(r"\{([A-Za-z_]\w*)\}", rule.message + rule.suggestion)) - {"quote"}
    if rule.check in ("citation", "missing_clause") or not used:
        return
    for i, p in enumerate(rule.patterns):
        groups = set(regex.compile(p.regex, regex.V0).groupindex) if p.kind == "regex" else set()
        assert used <= groups, f"{rule.id} 模式 {i} 缺少命名分组 {sorted(used - groups)}"


@pytest.mark.parametrize("rule", BOOK.rules, ids=lambda r: r.id)
def test_messages_of_fail_examples_read_whole(rule, seg) -> None:
    for text in rule.examples.fail:
        _, findings = run_example(BOOK, rule, text, seg)
        for f in findings:
            if f.rule_id == rule.id:
                assert "{" not in f.message and "“”" not in f.message and "（）" not in f.message, f.message
