"""Loader, schema errors, regex guard, config overrides, version and pickling."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest

from docreview.config import Config
from docreview.errors import DocreviewError
from docreview.rulebook import load_rulebook
from docreview.rulebook.regexguard import backtracking_problem, required_literal_sets, required_literals

GOOD = textwrap.dedent("""\
    id: XX01
    title: 测试规则
    category: fee
    severity: error
    basis:
      - law: 中华人民共和国价格法
        article: 第四十七条
        quote: 国家行政机关的收费，应当依法进行
    patterns:
      - regex: '收取[^，。；]{0,10}?(?P<fee>管理费)'
    message: 收取{fee}
    suggestion: 删除
    examples:
      fail: [由街道收取卫生管理费。]
      pass: [不得收取管理费。]
    """)


def write(folder: Path, name: str, text: str) -> Path:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def load_err(folder: Path) -> DocreviewError:
    with pytest.raises(DocreviewError) as ei:
        load_rulebook([folder], shipped=False)
    return ei.value


@pytest.mark.parametrize("pattern", [
    r"(a+)+b", r"(.*)*x", r"(?:\d+)*", r"(?:a|ab)+c", r".*.*=", r"[^，]*[^。]*批准", r"(?:批准|批准书)+",
])
def test_catastrophic_patterns_are_detected(pattern: str) -> None:
    assert backtracking_problem(pattern)


@pytest.mark.parametrize("pattern", [
    r"未经[^。；]{0,30}?(?:批准|许可)[^。；]{0,8}?不得", r"(?:须|必须)经[^，。；]{0,20}批准", r"a+b+", r"罚款",
    r"(?:ab){1,3}", r".*批准", r"(?:批准|批复)+",
])
def test_safe_patterns_pass(pattern: str) -> None:
    assert backtracking_problem(pattern) is None


def test_required_literals_are_necessary() -> None:
    assert required_literals(r"(?:须|应当)经[^，。；]{0,20}(?:批准|审批|核准)") == {"批准", "审批", "核准"}
    assert required_literals(r"收取[^，。；]{0,10}费") == {"收取"}
    assert required_literals(r"[^，]{0,3}") is None
    assert required_literals(r"(?:a|[^x])b?") is None
    sets = required_literal_sets(r"(?:推行|建立)[^，]{0,9}(?:审批|许可)(?:制度|管理)")
    assert frozenset({"审批", "许可"}) in sets and frozenset({"制度", "管理"}) in sets
    text = "推行市场准入许可管理"
    assert all(any(lit in text for lit in st) for st in sets)
    assert required_literal_sets(r"(?<!加)处[^，]{0,9}罚款") == [frozenset({"处"}), frozenset({"罚款"})]


def test_catastrophic_rule_refused_with_e202(tmp_path: Path) -> None:
    write(tmp_path, "fee/XX01.yml", GOOD.replace("收取[^，。；]{0,10}?(?P<fee>管理费)", "(?P<fee>(费+)+)收"))
    err = load_err(tmp_path)
    assert err.code == "E202"
    assert "XX01.yml" in str(err) and "patterns.0.regex" in str(err) and "回溯" in str(err)
    assert "\n" not in str(err)


def test_uncompilable_regex_e202(tmp_path: Path) -> None:
    write(tmp_path, "XX01.yml", GOOD.replace("(?P<fee>管理费)", "(?P<fee>管理费"))
    err = load_err(tmp_path)
    assert err.code == "E202" and "无法编译" in str(err)


def test_broken_yaml_one_line_e200(tmp_path: Path) -> None:
    write(tmp_path, "XX01.yml", "id: XX01\ntitle: [未闭合\n  category: fee\n")
    err = load_err(tmp_path)
    assert err.code == "E200" and "XX01.yml" in str(err) and "第" in str(err)
    assert "\n" not in str(err)


def test_missing_basis_quote_names_key_path(tmp_path: Path) -> None:
    write(tmp_path, "fee/XX01.yml", GOOD.replace("    quote: 国家行政机关的收费，应当依法进行\n", ""))
    err = load_err(tmp_path)
    assert err.code == "E201"
    assert "XX01.yml: basis.0.quote 缺失" in str(err)


def test_bad_category_and_unknown_guard(tmp_path: Path) -> None:
    write(tmp_path, "XX01.yml", GOOD.replace("category: fee", "category: money"))
    assert "category" in str(load_err(tmp_path))
    write(tmp_path, "XX01.yml", GOOD + "exceptions:\n  - guard: magic\n    because: 无\n")
    err = load_err(tmp_path)
    assert err.code == "E201" and "exceptions.0.guard" in str(err) and "magic" in str(err)


def test_id_must_match_file_stem(tmp_path: Path) -> None:
    write(tmp_path, "XX02.yml", GOOD)
    assert "不一致" in str(load_err(tmp_path))


def test_duplicate_id_e203(tmp_path: Path) -> None:
    write(tmp_path, "a/XX01.yml", GOOD)
    write(tmp_path, "b/XX01.yml", GOOD)
    assert load_err(tmp_path).code == "E203"


def test_duplicate_of_shipped_rule(tmp_path: Path) -> None:
    write(tmp_path, "PM01.yml", GOOD.replace("XX01", "PM01"))
    with pytest.raises(DocreviewError) as ei:
        load_rulebook([tmp_path])
    assert ei.value.code == "E203"


def test_missing_dir_e205(tmp_path: Path) -> None:
    with pytest.raises(DocreviewError) as ei:
        load_rulebook([tmp_path / "nope"])
    assert ei.value.code == "E205"


def test_yaml_is_never_executed(tmp_path: Path) -> None:
    write(tmp_path, "XX01.yml", "!!python/object/apply:os.system ['echo hacked']\n")
    assert load_err(tmp_path).code == "E200"


def test_user_rules_added_and_config_overrides(tmp_path: Path) -> None:
    write(tmp_path, "fee/XX01.yml", GOOD)
    book = load_rulebook([tmp_path])
    assert book.get("XX01") is not None and book.get("PM01") is not None
    cfg = Config(disable=["PM01"], severity={"PM02": "info"})
    book2 = load_rulebook([tmp_path], cfg)
    assert book2.get("PM01") is None and book2.get("PM02").severity == "info"
    assert book2.version != book.version
    only = load_rulebook([], Config(enable=["PM02", "PN01"]))
    assert [r.id for r in only.rules] == ["PM02", "PN01"]
    with pytest.raises(DocreviewError) as ei:
        load_rulebook([], Config(disable=["ZZ99"]))
    assert ei.value.code == "E204"


def test_version_is_stable_and_content_sensitive(tmp_path: Path) -> None:
    assert load_rulebook().version == load_rulebook().version
    write(tmp_path, "XX01.yml", GOOD)
    v1 = load_rulebook([tmp_path]).version
    write(tmp_path, "XX01.yml", GOOD.replace("title: 测试规则", "title: 测试规则二"))
    assert load_rulebook([tmp_path]).version != v1


def test_rulebook_pickles_without_cache() -> None:
    from docreview.engine import run_rules
    from docreview.ingest import from_text
    from docreview.nlp import Segmenter
    from docreview.structure import parse_structure

    book = load_rulebook()
    st = parse_structure(from_text("第一条　未经区城管局审批，不得设置户外广告。"))
    before = run_rules(book, st, Segmenter())  # fills the compiled cache
    clone = pickle.loads(pickle.dumps(book))
    assert clone.version == book.version and clone.rules == book.rules
    assert run_rules(clone, st, Segmenter()) == before


def test_validated_rules_are_cached_in_the_user_cache_and_any_change_is_a_miss(tmp_path: Path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.chdir(tmp_path)
    rules = tmp_path / "rules"
    write(rules, "XX01.yml", GOOD)
    first = load_rulebook([rules], shipped=False)
    stored = sorted((cache / "docreview").glob("rules-*.pickle"))
    assert len(stored) == 1 and not list(tmp_path.glob("rules-*"))
    again = load_rulebook([rules], shipped=False)
    assert again.rules == first.rules and again.version == first.version
    # an edited rule file is read and validated again: its new message shows, a broken edit is refused
    write(rules, "XX01.yml", GOOD.replace("message: 收取{fee}", "message: 不得收取{fee}"))
    assert load_rulebook([rules], shipped=False).rules[0].message == "不得收取{fee}"
    write(rules, "XX01.yml", GOOD.replace("收取[^，。；]{0,10}?", "(收取+)+"))
    with pytest.raises(DocreviewError) as exc:
        load_rulebook([rules], shipped=False)
    assert str(exc.value).startswith("E202")


def test_a_corrupt_or_foreign_rules_cache_is_ignored(tmp_path: Path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    rules = tmp_path / "rules"
    write(rules, "XX01.yml", GOOD)
    want = load_rulebook([rules], shipped=False, use_cache=False)
    load_rulebook([rules], shipped=False)
    (stored,) = (cache / "docreview").glob("rules-*.pickle")
    stored.write_bytes(b"\x80\x05not a pickle")
    assert load_rulebook([rules], shipped=False).rules == want.rules
    # a pickle naming any other class is refused, not executed
    stored.write_bytes(pickle.dumps(("key", [Path("x")])))
    assert load_rulebook([rules], shipped=False).rules == want.rules
