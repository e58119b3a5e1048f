"""Shared word lists (rules/lexicons.yml, ``{{NAME}}`` in rule regexes): expansion, errors, version."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from docreview.errors import DocreviewError
from docreview.rulebook import load_rulebook
from docreview.rulebook.lexicon import expand, parse_lexicons
from docreview.rulebook.loader import shipped_dir, shipped_lexicons

RULE = textwrap.dedent("""\
    id: XX01
    title: 本地优先（测试）
    category: competition
    severity: error
    basis:
      - law: 公平竞争审查条例
        article: 第九条
        quote: 排斥、限制或者变相限制外地经营者参加本地政府采购、招标投标
    patterns:
      - regex: '(?P<m>优先)[^，。；]{0,6}?{{LOCAL}}[^，。；]{0,4}?{{BUYER}}'
    exceptions:
      - regex: '{{NONLOCAL}}'
        because: 测试
    message: 该条款规定{m}本地企业。
    examples:
      fail: [同等条件下优先选用本市企业。]
      pass: [同等条件下优先选用节能企业。]
    """)


def write(folder: Path, name: str, text: str) -> Path:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def run(book, text: str, prefilter: bool = True):
    from docreview.engine import run_rules
    from docreview.ingest import from_text
    from docreview.nlp import default_segmenter
    from docreview.structure import parse_structure

    st = parse_structure(from_text(f"第一条　{text}"))
    return run_rules(book, st, default_segmenter(), prefilter=prefilter)


def test_shipped_lexicons_are_used_by_competition_rules() -> None:
    lex = shipped_lexicons()
    assert {"LOCAL", "NONLOCAL", "ACTOR", "GOODS", "PRIVATE"} <= set(lex)
    assert "本市" in lex["LOCAL"] and "外地" in lex["NONLOCAL"]
    book = load_rulebook()
    cp01 = book.get("CP01")
    assert any("{{LOCAL}}" in p.source for p in cp01.patterns)  # shown as written
    assert all("{{" not in p.regex for p in cp01.patterns)  # matched expanded
    assert "本市" in cp01.patterns[0].regex
    assert (shipped_dir() / "lexicons.yml").is_file()
    assert book.get("lexicons") is None  # the lexicon file is not a rule


def test_user_lexicon_expands_and_matches_with_and_without_prefilter(tmp_path: Path) -> None:
    write(tmp_path, "lexicons.yml", "BUYER: [企业, 供应商]\n")
    write(tmp_path, "XX01.yml", RULE)
    book = load_rulebook([tmp_path])
    rule = book.get("XX01")
    assert rule.patterns[0].regex.endswith("(?:供应商|企业)")  # longest word first, escaped alternation
    hit = [f for f in run(book, "同等条件下优先选用本市企业。") if f.rule_id == "XX01"]
    assert hit and hit[0].quote == "优先选用本市企业"
    assert not [f for f in run(book, "同等条件下优先选用节能企业。") if f.rule_id == "XX01"]
    for text in ("同等条件下优先选用本市企业。", "优先采购本县供应商的产品，外地企业除外。"):
        assert run(book, text, prefilter=True) == run(book, text, prefilter=False)


def test_unknown_lexicon_name_is_e201_with_file_and_key(tmp_path: Path) -> None:
    write(tmp_path, "sub/XX01.yml", RULE)  # BUYER is not defined anywhere
    with pytest.raises(DocreviewError) as ei:
        load_rulebook([tmp_path])
    err = ei.value
    assert err.code == "E201"
    assert "XX01.yml" in err.where and "patterns.0.regex" in err.message and "{{BUYER}}" in err.message
    assert "\n" not in str(err)


def test_backtracking_guard_sees_the_expanded_regex(tmp_path: Path) -> None:
    write(tmp_path, "lexicons.yml", "BUYER: [企业, 企业家]\nAB: [a, ab]\n")
    write(tmp_path, "XX01.yml", RULE.replace("{{BUYER}}'", "{{BUYER}}(?:{{AB}})+c'"))
    with pytest.raises(DocreviewError) as ei:
        load_rulebook([tmp_path])
    assert ei.value.code == "E202" and "回溯" in str(ei.value)


@pytest.mark.parametrize("text, fragment", [
    ("local: [本地]\n", "词表名"),
    ("LOCAL2: 本地\n", "非空的词语列表"),
    ("LOCAL2: []\n", "非空的词语列表"),
    ("LOCAL2: [本地, '']\n", "LOCAL2.1"),
    ("- 本地\n", "映射"),
    ("LOCAL: [本地]\n", "同名词表"),  # redefines a shipped list with other words
])
def test_malformed_lexicon_file_names_the_file(tmp_path: Path, text: str, fragment: str) -> None:
    write(tmp_path, "lexicons.yml", text)
    with pytest.raises(DocreviewError) as ei:
        load_rulebook([tmp_path])
    assert ei.value.code == "E201" and "lexicons.yml" in ei.value.where and fragment in ei.value.message


def test_broken_lexicon_yaml_is_e200(tmp_path: Path) -> None:
    write(tmp_path, "lexicons.yml", "BUYER: [企业\n")
    with pytest.raises(DocreviewError) as ei:
        load_rulebook([tmp_path])
    assert ei.value.code == "E200" and "lexicons.yml" in str(ei.value)


def test_version_includes_lexicons(tmp_path: Path) -> None:
    write(tmp_path, "XX01.yml", RULE)
    write(tmp_path, "lexicons.yml", "BUYER: [企业]\n")
    v1 = load_rulebook([tmp_path]).version
    assert load_rulebook([tmp_path]).version == v1
    write(tmp_path, "lexicons.yml", "BUYER: [企业, 供应商]\n")
    assert load_rulebook([tmp_path]).version != v1


def test_expand_and_parse_helpers() -> None:
    lex = parse_lexicons("A: [x.y, x]\n", "t.yml")
    assert expand("{{A}}+z", lex, "t.yml", "k") == r"(?:x\.y|x)+z"
    assert expand("[^，]{0,3}", lex, "t.yml", "k") == "[^，]{0,3}"  # ordinary braces untouched
    with pytest.raises(DocreviewError):
        expand("{{B}}", lex, "t.yml", "k")


def test_rules_show_prints_the_reference_and_rules_test_runs(tmp_path: Path) -> None:
    from docreview.cli import app

    write(tmp_path, "lexicons.yml", "BUYER: [企业, 供应商]\n")
    write(tmp_path, "XX01.yml", RULE)
    runner = CliRunner()
    res = runner.invoke(app, ["rules", "show", "XX01", "--rules", str(tmp_path)])
    assert res.exit_code == 0 and "{{LOCAL}}" in res.output
    res = runner.invoke(app, ["rules", "test", "XX01", "--rules", str(tmp_path)])
    assert res.exit_code == 0, res.output
