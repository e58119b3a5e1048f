"""Token patterns run through ONE spaCy Matcher per Rulebook over Docs built from our jieba tokens."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from docreview.cli import app
from docreview.engine import run_rules
from docreview.errors import DocreviewError
from docreview.ingest import from_text
from docreview.nlp import Segmenter
from docreview.rulebook import load_rulebook
from docreview.rulebook.loader import load_rule_file
from docreview.rulebook.schema import token_spec
from docreview.structure import parse_structure

BOOK = load_rulebook()
HEAD = textwrap.dedent("""\
    id: {rid}
    title: 词元规则
    category: permit
    severity: error
    basis:
      - law: 中华人民共和国行政许可法
        article: 第十七条
        quote: 其他规范性文件一律不得设定行政许可。
    message: 词元匹配“{{quote}}”
    examples:
      fail: [须经区政府批准。]
      pass: [所需经费由区政府批准。]
    patterns:
      - tokens:
    """)


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    return Segmenter()


def statute(text: str):
    return parse_structure(from_text(text, name="draft.txt"))


def write_rule(folder: Path, rid: str, tokens: list[str]) -> Path:
    path = folder / f"{rid}.yml"
    path.write_text(HEAD.format(rid=rid) + "".join(f"          - {t}\n" for t in tokens), encoding="utf-8")
    return path


def quotes(book, text: str, seg, rid: str, **kw) -> list[str]:
    return [f.quote for f in run_rules(book, statute(text), seg, rule_ids={rid}, **kw)]


def test_matcher_is_cached_on_the_rulebook_with_the_segmenter_vocab(tmp_path: Path, seg) -> None:
    write_rule(tmp_path, "ZZ10", ['{TEXT: {IN: [须经, 需经]}}', '{TEXT: {NOT_IN: ["，", "。"]}, OP: "*"}',
                                  '{TEXT: {IN: [批准, 同意]}}'])
    book = load_rulebook([tmp_path])
    assert quotes(book, "第一条　设置摊点的，须经区城市管理局批准。", seg, "ZZ10") == ["须经区城市管理局批准"]
    cached = [v for k, v in book._cache.items() if isinstance(k, tuple) and k[0] == "token_matcher"]
    assert len(cached) == 1 and cached[0][0] is seg.nlp.vocab  # cached once, on Segmenter.nlp's vocab
    per_key = cached[0][1]  # one Matcher per token pattern, each holding just that pattern
    keys = [f"{r.id}#{i}" for r in book.rules for i, p in enumerate(r.patterns) if p.kind == "tokens"]
    assert sorted(per_key) == sorted(keys)
    assert all(len(m) == 1 and m.vocab is seg.nlp.vocab for m, _ in per_key.values())
    run_rules(book, statute("第一条　须经区政府同意。"), seg, rule_ids={"ZZ10"})
    again = [v for k, v in book._cache.items() if isinstance(k, tuple) and k[0] == "token_matcher"][0][1]
    assert all(again[k][0] is per_key[k][0] for k in keys)  # reused, not rebuilt
    # the cache (Matcher, vocab) is dropped on pickling; the copy rebuilds it and matches the same
    copy = pickle.loads(pickle.dumps(book))
    assert not copy._cache
    assert quotes(copy, "第一条　须经区政府同意。", seg, "ZZ10") == ["须经区政府同意"]


def test_token_boundaries_not_characters(seg) -> None:
    """须经 is a modal + 经; 所需/经费, 供应/经, 已经, 申请人 are not (characters would say so)."""
    text = ("第一条　经营者经市商务局审核同意后，方可开展预付卡业务。\n"
            "第二条　项目所需经费由区财政局统筹后审批。\n"
            "第三条　负责供应经市政府批准后方可调拨的储备粮。\n"
            "第四条　行政机关作出准予许可决定后，应当向申请人颁发许可证件。")
    fs = [f for f in run_rules(BOOK, statute(text), seg) if f.rule_id in ("PM01", "PM03")]
    by_art = {f.location.article: f for f in fs}
    # the quote starts at the 经 token, not at 经营者
    assert by_art[1].rule_id == "PM01" and by_art[1].quote == "经市商务局审核同意后，方可"
    assert 2 not in by_art and 4 not in by_art
    assert by_art[3].quote.startswith("经市政府批准")  # 供应/经: 经 is its own token here


def test_operators_follow_spacy(tmp_path: Path, seg) -> None:
    write_rule(tmp_path, "ZZ11", ['{TEXT: 应当}', '{OP: "!", TEXT: 依法}', '{TEXT: {REGEX: "^取得$"}}'])
    write_rule(tmp_path, "ZZ12", ['{LOWER: app}', '{TEXT: {IN: [备案, 登记]}, OP: "+"}'])
    book = load_rulebook([tmp_path])
    # "!" consumes exactly one token that is not 依法
    assert quotes(book, "第一条　企业应当先取得许可。", seg, "ZZ11") == ["应当先取得"]
    assert quotes(book, "第一条　企业应当依法取得许可。", seg, "ZZ11") == []
    assert quotes(book, "第一条　企业应当取得许可。", seg, "ZZ11") == []
    # LOWER is case-insensitive (the prefilter ignores LOWER words that have case)
    assert quotes(book, "第一条　APP备案登记。", seg, "ZZ12") == ["APP备案登记"]
    for text in ("第一条　企业应当先取得许可。", "第一条　APP备案登记。"):
        assert run_rules(book, statute(text), seg, prefilter=False) == run_rules(book, statute(text), seg)


def test_prefilter_on_off_identical_for_token_rules(seg) -> None:
    text = "\n".join([
        "某市摊点管理办法",
        "第一条　在城市道路上设置临时摊点的，须经区城市管理局批准。",
        "第二条　经营户须经市场管理办公室批准后才可以入场经营。",
        "第三条　经营场所迁址的，应当重新取得区文化旅游局的经营许可。",
        "第四条　项目所需经费由区财政局审核批准。",
        "第五条　电动自行车销售网点须经区市场监管局验收合格后，方可开业。",
        "第六条　相应当事人经调解达成协议的，方可撤回申请。",
    ])
    st = statute(text)
    on = run_rules(BOOK, st, seg)
    assert on == run_rules(BOOK, st, seg, prefilter=False)
    permit = {f.location.article for f in on if f.category == "permit"}
    assert permit == {1, 2, 3, 5}


@pytest.mark.parametrize(("tokens", "key", "problem"), [
    (['{POS: VERB}'], "patterns.0.tokens.0.POS", "不是可用的词元属性"),
    (['{TEXT: 应当, OP: "{2}"}'], "patterns.0.tokens.0.OP", "只能是"),
    (['{TEXT: 应当}', '{TEXT: {IN: 提交}}'], "patterns.0.tokens.1.TEXT.IN", "字符串列表"),
    (['{TEXT: {REGEX: "(未闭合"}}'], "patterns.0.tokens.0.TEXT.REGEX", "正则无法编译"),
    (['{TEXT: {FUZZY: 应当}}'], "patterns.0.tokens.0.TEXT.FUZZY", "不是可用的条件"),
    (['{TEXT: 应当, OP: "?"}'], "patterns.0.tokens", "至少须有一个"),
    (['应当'], "patterns.0.tokens.0", "键值映射"),
])
def test_bad_token_pattern_is_e201_naming_file_and_key(tmp_path: Path, tokens, key, problem) -> None:
    path = write_rule(tmp_path, "ZZ13", tokens)
    with pytest.raises(DocreviewError) as exc:
        load_rule_file(path)
    msg = str(exc.value)
    assert msg.startswith("E201") and "ZZ13.yml" in msg and key in msg and problem in msg, msg


def test_bad_token_pattern_through_cli(tmp_path: Path) -> None:
    write_rule(tmp_path, "ZZ14", ['{TEXT: 应当, OP: "{1,3}"}'])
    r = CliRunner().invoke(app, ["rules", "list", "--rules", str(tmp_path)])
    assert r.exit_code == 2 and "E201" in r.output and "patterns.0.tokens.0.OP" in r.output
    assert "Traceback" not in r.output


def test_shipped_token_patterns_are_valid_spacy(seg) -> None:
    """Every shipped tokens pattern is accepted by spaCy's own validating Matcher."""
    from spacy.matcher import Matcher

    m = Matcher(seg.nlp.vocab, validate=True)
    n = 0
    for r in BOOK.rules:
        for i, p in enumerate(r.patterns):
            if p.kind == "tokens":
                m.add(f"{r.id}#{i}", [[token_spec(t) for t in p.tokens]])
                n += 1
    assert n >= 8  # PM01, PM03, PM10 use token patterns
    assert {r.id for r in BOOK.rules if any(p.kind == "tokens" for p in r.patterns)} >= {"PM01", "PM03", "PM10"}


def _matcher_hits(seg, specs: list[dict], texts: list[str]) -> list[str]:
    """The texts in which spaCy's Matcher finds ``specs`` over our jieba tokens."""
    from spacy.matcher import Matcher

    from docreview.nlp import normalize

    matcher = Matcher(seg.nlp.vocab)
    matcher.add("P", [specs])
    return [t for t in texts if matcher(seg.doc(seg.tokens(normalize(t))))]


def _sentences() -> list[str]:
    import yaml

    root = Path(__file__).resolve().parents[1]
    out = []
    for f in sorted((root / "corpus" / "clauses").glob("*.yml")):
        out += [str(e["text"]) for e in yaml.safe_load(f.read_text(encoding="utf-8")) or [] if e.get("text")]
    for rule in BOOK.rules:
        out += [*rule.examples.fail, *rule.examples.pass_]
    return out


def test_token_filter_regex_matches_every_sentence_the_matcher_matches(seg) -> None:
    """The character regex that lets a sentence skip segmentation never skips a real match."""
    import regex

    from docreview.engine import token_filter_regex
    from docreview.nlp import normalize

    texts = _sentences()
    assert len(texts) > 1000
    checked = 0
    for rule in BOOK.rules:
        for p in rule.patterns:
            if p.kind != "tokens":
                continue
            specs = [token_spec(t) for t in p.tokens]
            rx = token_filter_regex(specs)
            assert rx is not None, rule.id
            flt = regex.compile(rx)
            hits = _matcher_hits(seg, specs, texts)
            checked += len(hits)
            assert all(flt.search(normalize(t)) for t in hits), rule.id
            # and it does filter: most sentences are skipped
            assert sum(1 for t in texts if flt.search(normalize(t))) < len(texts) / 4, rule.id
    assert checked > 80


@pytest.mark.parametrize(("specs", "match", "miss"), [
    ([{"TEXT": "应当"}, {"TEXT": {"IN": ["经", "报经"]}}, {"TEXT": {"NOT_IN": ["，", "。"]}, "OP": "*"},
      {"TEXT": "批准"}], "企业应当 报经区政府批准。", "企业应当经区政府，批准。"),
    ([{"LOWER": "app"}, {"TEXT": "备案", "OP": "+"}], "APP备案备案", "APP登记"),
    ([{"TEXT": "应当"}, {"TEXT": "依法", "OP": "!"}, {"TEXT": "取得"}], "应当先取得", "应当取"),
    ([{"TEXT": {"REGEX": "^须"}}, {"TEXT": "批准", "OP": "?"}, {"TEXT": "办理"}], "须经办理", "须经审核"),
])
def test_token_filter_regex_shapes(seg, specs, match, miss) -> None:
    import regex

    from docreview.engine import token_filter_regex

    rx = regex.compile(token_filter_regex(specs))
    assert _matcher_hits(seg, specs, [match]) == [match]
    assert rx.search(match) and not rx.search(miss)


def test_token_filter_regex_is_none_without_a_required_text() -> None:
    from docreview.engine import token_filter_regex

    assert token_filter_regex([{"TEXT": {"REGEX": "^须"}}, {"TEXT": "批准", "OP": "?"}]) is None
    assert token_filter_regex([{"LOWER": "ÄPP"}]) is None
