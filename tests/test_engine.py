"""Engine behaviour on real documents: prefilter identity, quotes, fingerprints, guards, kinds."""

from __future__ import annotations

from pathlib import Path

import pytest

from docreview.engine import run_rules
from docreview.errors import DocreviewError
from docreview.ingest import from_text, read_document
from docreview.nlp import Segmenter
from docreview.rulebook import load_rulebook
from docreview.rulebook.examples import example_document, example_statute
from docreview.structure import parse_structure

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "corpus" / "samples").glob("*.docx"))
BOOK = load_rulebook()

DRAFT = """某市户外广告设置管理办法
第一条　为规范户外广告设置，制定本办法。
第二条　未经区城管局审批，不得设置户外广告。
第三条　设置户外广告的，由区城管局收取占道管理费。
第四条　违反本办法第二条规定的，由区城管局处五百元以上一千元以下罚款。
第五条　违反本办法规定的，由有关部门依法予以处理。
第六条　依照《中华人民共和国城乡规划法》第四十条的规定，在城市规划区内进行建筑物建设的，须经城乡规划主管部门核发建设工程规划许可证。
第七条　相应当事人提交申请后，区城管局应当出具受理证明。
第八条　本办法自2026年3月1日起施行。"""


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    return Segmenter()


def statute(text: str):
    return parse_structure(from_text(text, name="draft.txt"))


def by_rule(findings):
    out: dict[str, list] = {}
    for f in findings:
        out.setdefault(f.rule_id, []).append(f)
    return out


def test_draft_findings(seg) -> None:
    st = statute(DRAFT)
    fs = run_rules(BOOK, st, seg)
    got = by_rule(fs)
    assert got["PM02"][0].location.label == "第二条"
    assert got["FE01"][0].location.label == "第三条"
    assert got["PN01"][0].location.label == "第四条" and got["PN01"][0].severity == "error"
    assert "PN13" not in got  # 依法予以处理 is a referral
    assert "PR02" in got and "PR01" not in got  # validity missing, effective date present
    # the restated permit (art. 6) is only an info "verify the cited article"
    art6 = [f for f in fs if f.location.label == "第六条"]
    assert art6 and all(f.category == "reference" and f.severity == "info" for f in art6)
    assert "《中华人民共和国城乡规划法》第四十条" in art6[0].message
    # 相应当事人 does not contain the modal 应当; the duty to issue a receipt binds the agency
    assert not [f for f in fs if f.location.label == "第七条"]
    for f in fs:
        assert st.text[f.start:f.end] == f.quote
        assert f.basis and f.fingerprint
    assert [(f.start, f.end) for f in fs] == sorted((f.start, f.end) for f in fs)


def test_message_uses_named_groups(seg) -> None:
    fs = run_rules(BOOK, statute("第一条　设置户外广告的，由区城管局收取占道管理费。"), seg, rule_ids={"FE01"})
    assert len(fs) == 1 and "占道管理费" in fs[0].message and "{" not in fs[0].message


def test_prefilter_identical_on_samples_and_draft(seg) -> None:
    docs = [statute(DRAFT)] + [parse_structure(read_document(p)) for p in SAMPLES]
    assert len(docs) >= 2
    for st in docs:
        for kind in ("normative", "rule"):
            a = run_rules(BOOK, st, seg, kind=kind, prefilter=True)
            b = run_rules(BOOK, st, seg, kind=kind, prefilter=False)
            assert a == b


def test_prefilter_identical_on_all_examples(seg) -> None:
    n = 0
    for r in BOOK.rules:
        ex = r.examples
        for text in (*ex.fail, *ex.pass_, *ex.todo_fail, *ex.todo_pass):
            st = example_statute(example_document(r, text))
            assert run_rules(BOOK, st, seg, prefilter=True) == run_rules(BOOK, st, seg, prefilter=False), text
            n += 1
    assert n > 200


def test_fingerprints_survive_renumbering(seg) -> None:
    a = run_rules(BOOK, statute(DRAFT), seg)
    lines = DRAFT.split("\n")
    shifted = [lines[0], "第一条　为了实施本办法，制定配套措施。"] + [
        line.replace(f"第{c}条", f"第{n}条", 1)
        for line, c, n in zip(lines[1:], "一二三四五六七八", "二三四五六七八九", strict=True)
    ]
    b = run_rules(BOOK, statute("\n".join(shifted)), seg)
    fa = {(f.rule_id, f.quote): f.fingerprint for f in a}
    fb = {(f.rule_id, f.quote): f.fingerprint for f in b}
    assert fa == fb
    assert {f.location.label for f in b if f.rule_id == "PM02"} == {"第三条"}


def test_duplicate_sentences_get_distinct_fingerprints(seg) -> None:
    text = "第一条　设置摊点的，由街道收取卫生管理费。\n第二条　设置摊点的，由街道收取卫生管理费。"
    fs = [f for f in run_rules(BOOK, statute(text), seg) if f.rule_id == "FE01"]
    assert len(fs) == 2 and fs[0].fingerprint != fs[1].fingerprint


def test_kind_rule_allows_fines_but_not_confiscation(seg) -> None:
    st = statute("第一条　违反本规定的，处二百元以上二千元以下罚款，没收违法所得。")
    normative = {f.rule_id for f in run_rules(BOOK, st, seg, kind="normative")}
    rule = {f.rule_id for f in run_rules(BOOK, st, seg, kind="rule")}
    assert {"PN01", "PN02"} <= normative
    assert "PN01" not in rule and "PN02" in rule


def test_document_checks_can_be_skipped(seg) -> None:
    st = statute("某市管理办法\n第一条　为规范管理，制定本办法。")
    with_doc = {f.rule_id for f in run_rules(BOOK, st, seg)}
    without = {f.rule_id for f in run_rules(BOOK, st, seg, document_checks=False)}
    assert {"PR01", "PR02"} <= with_doc and not without & {"PR01", "PR02", "PR03", "PR04"}


def test_subject_decides_obligation(seg) -> None:
    private = run_rules(BOOK, statute("第一条　申请人应当提供无犯罪记录证明。"), seg, rule_ids={"OB01"})
    agency = run_rules(BOOK, statute("第一条　受理机关应当向申请人出具书面证明。"), seg, rule_ids={"OB01"})
    assert len(private) == 1 and agency == ()


def test_government_target_of_criticism(seg) -> None:
    private = run_rules(BOOK, statute("第一条　对未落实门前三包责任的商户，予以通报批评。"), seg, rule_ids={"PN05"})
    internal = run_rules(BOOK, statute("第一条　对工作不力的部门，予以通报批评。"), seg, rule_ids={"PN05"})
    assert len(private) == 1 and internal == ()


def test_timeout_raises_e113_naming_rule(seg) -> None:
    st = statute("第一条　" + "未经批准，不得设置户外广告。" * 2000)
    with pytest.raises(DocreviewError) as ei:
        run_rules(BOOK, st, seg, timeout=1e-9)
    assert ei.value.code == "E113" and "规则" in str(ei.value)


def test_ten_thousand_char_document_is_fast(seg) -> None:
    import time

    body = "\n".join(f"第{i}条　" + ("各区人民政府应当加强对本行政区域内停车设施建设的统筹规划和监督管理，"
                                      "市交通运输局负责组织实施。") for i in range(1, 200))
    st = statute("某市停车设施管理办法\n" + body[:10000])
    run_rules(BOOK, st, seg)  # warm caches
    t = time.perf_counter()
    for _ in range(5):
        run_rules(BOOK, st, seg)
    per_doc = (time.perf_counter() - t) / 5
    assert per_doc < 0.5, per_doc


def test_token_pattern_rule_respects_token_boundaries(tmp_path: Path, seg) -> None:
    (tmp_path / "ZZ02.yml").write_text(
        "id: ZZ02\ntitle: 应当（词元）\ncategory: obligation\nseverity: warning\n"
        "basis:\n  - law: 国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知\n"
        "    article: （一）\n    quote: 不得违法减损公民、法人和其他组织的合法权益或者增加其义务\n"
        "patterns:\n  - tokens: [{TEXT: 应当}, {TEXT: {IN: [提交, 提供]}}]\n"
        "message: 词元匹配\nexamples:\n  fail: [申请人应当提交材料。]\n  pass: [相应当事人提交材料。]\n",
        encoding="utf-8",
    )
    book = load_rulebook([tmp_path])
    hit = run_rules(book, statute("第一条　申请人应当提交材料。"), seg, rule_ids={"ZZ02"})
    miss = run_rules(book, statute("第一条　相应当事人提交材料。"), seg, rule_ids={"ZZ02"})
    assert [f.quote for f in hit] == ["应当提交"] and miss == ()
    st = statute("第一条　申请人应当提交材料。")
    assert run_rules(book, st, seg, rule_ids={"ZZ02"}, prefilter=False) == hit


def test_penalty_clause_conduct_is_not_a_new_permit_or_fee(seg) -> None:
    text = "第一条　未取得燃气经营许可证从事燃气经营活动的，由燃气管理部门责令停止违法行为，处五万元以上罚款。"
    got = {f.category for f in run_rules(BOOK, statute(text), seg, document_checks=False) if f.severity != "info"}
    assert got == {"penalty"}


def test_citation_only_covers_its_own_part_of_the_sentence(seg) -> None:
    text = ("第一条　损坏环卫设施的，由城管部门处二百元罚款；应当给予治安管理处罚的，"
            "依照《中华人民共和国治安管理处罚法》第四十九条的规定处罚。")
    fs = [f for f in run_rules(BOOK, statute(text), seg) if f.rule_id == "PN01"]
    assert fs and fs[0].severity == "error" and fs[0].category == "penalty"


def test_citation_of_repealed_law_is_no_basis(seg) -> None:
    repealed = statute("第一条　依照《城市房屋拆迁管理条例》第十七条的规定，逾期不拆除的，由区政府组织强制拆除。")
    fs = run_rules(BOOK, repealed, seg, document_checks=False)
    co = [f for f in fs if f.rule_id == "CO02"]
    assert co and co[0].severity == "error" and co[0].category == "coercion"
    assert any(f.category == "reference" and f.severity == "warning" for f in fs)


def test_citation_check_flags_renumbered_and_missing_articles(seg) -> None:
    st = statute("第一条　当事人不服的，依照《中华人民共和国行政处罚法》第九十九条申请复议。")
    fs = [f for f in run_rules(BOOK, st, seg, document_checks=False) if f.rule_id == "RF09"]
    assert len(fs) == 1 and fs[0].quote == "第九十九条" and "第九十九条" in fs[0].message


def test_fallback_rule_only_reports_unexplained_sentences(seg) -> None:
    generic = statute("第一条　住宅小区的物业服务企业应当对小区内的消防设施进行维护管理。")
    assert {f.rule_id for f in run_rules(BOOK, generic, seg, document_checks=False)} == {"OB17"}
    specific = statute("第一条　申请人应当提供无犯罪记录证明。")
    assert {f.rule_id for f in run_rules(BOOK, specific, seg, document_checks=False)} == {"OB01"}


def test_literal_units_are_the_units_holding_a_literal(seg) -> None:
    """The prefilter's unit masks (each fast path included, and the plain bisect path used for
    overlapping units) equal a substring test per unit."""
    from docreview import engine

    index, per_rule, members, heads = engine._literal_ids(BOOK)
    text_of = {i: lit for lit, i in index.items()}
    rules = tuple(r for r in BOOK.rules if "normative" in r.kinds)
    sids = sorted({sid for r in rules for sets in per_rule[r.id] if sets for sid in sets})
    for st in (statute(DRAFT), parse_structure(read_document(SAMPLES[0]))):
        doc = engine._document(BOOK, st, seg, rules, prefilter=True, timeout=10, today=None)
        for scope in ("sentence", "clause", "article", "document"):
            units, inside, _ = doc.units(scope)
            assert inside is not None  # disjoint units: the fast paths
            texts = [doc.norm[s:e] for s, e in units]

            def mask(lits, texts=texts):
                return sum(1 << j for j, t in enumerate(texts) if any(lit in t for lit in lits))

            for sid in sids:
                lits = [text_of[i] for i in members[sid]]
                assert doc.literal_units(scope, sid) == mask(lits), (scope, lits)
            for i, ends in doc.occ.items():
                if i >= 0:
                    bits = [1 << j for j in range(len(units))]
                    got = engine._occ_units(units, ends, len(heads[i]))
                    assert engine._mask(got, bits) == mask([text_of[i]])


def _split_reference(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """The straightforward splitter: cut after each run of 。！？!? and at each line break, drop blanks."""
    out, pos, i = [], start, start
    while i < end:
        ch = norm[i]
        if ch in "。！？!?":
            while i < end and norm[i] in "。！？!?":
                i += 1
            out.append((pos, i))
            pos = i
            continue
        if ch == "\n":
            if norm[pos:i].strip():
                out.append((pos, i))
            pos = i + 1
        i += 1
    if norm[pos:end].strip():
        out.append((pos, end))
    return out


def test_split_sentences_equals_the_straightforward_splitter() -> None:
    import random

    from docreview.engine import normalize, split_sentences

    rnd = random.Random(7)
    alphabet = "ab 。！？!?\n\r\t\x0b\x1c\u2028\u3000"  # terminators, breaks and every kind of blank
    for _ in range(20000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14)))
        a = rnd.randint(0, len(text))
        b = rnd.randint(a, len(text))
        assert split_sentences(text, a, b) == _split_reference(text, a, b), (text, a, b)
    for path in SAMPLES[:3]:
        norm = normalize(read_document(path).text)
        assert split_sentences(norm, 0, len(norm)) == _split_reference(norm, 0, len(norm))


def test_present_sets_are_the_sets_with_an_occurring_literal(seg) -> None:
    from docreview import engine

    index, per_rule, members, _ = engine._literal_ids(BOOK)
    text_of = {i: lit for lit, i in index.items()}
    rules = tuple(r for r in BOOK.rules if "normative" in r.kinds)
    for st in (statute(DRAFT), parse_structure(read_document(SAMPLES[0]))):
        doc = engine._document(BOOK, st, seg, rules, prefilter=True, timeout=10, today=None)
        want = {sid for sid, lits in enumerate(members) if any(text_of[i] in doc.norm for i in lits)}
        used = {sid for r in rules for sets in per_rule[r.id] if sets for sid in sets}
        assert doc.present_sets() & used == want & used
        for r in rules:
            for sets in per_rule[r.id]:
                if sets:
                    assert doc.present_sets().issuperset(sets) == all(sid in want for sid in sets)


def test_token_hits_per_pattern_equal_one_matcher_with_every_pattern(seg) -> None:
    """A Matcher per token pattern (skipped when a required token text is missing) finds exactly the
    matches one Matcher holding every pattern finds for that pattern."""
    from spacy.matcher import Matcher

    from docreview import engine
    from docreview.rulebook.schema import token_spec

    vocab = seg.nlp.vocab
    every = Matcher(vocab)
    keys = []
    for r in BOOK.rules:
        for i, p in enumerate(r.patterns):
            if p.kind == "tokens":
                keys.append(engine._token_key(r.id, i))
                every.add(keys[-1], [[token_spec(t) for t in p.tokens]], greedy="LONGEST")
    assert keys
    rules = tuple(r for r in BOOK.rules if "normative" in r.kinds)
    found = 0
    for st in [statute(DRAFT)] + [parse_structure(read_document(p)) for p in SAMPLES[:4]]:
        doc = engine._document(BOOK, st, seg, rules, prefilter=True, timeout=10, today=None)
        for s, e in doc.sentences:
            toks = doc.tokens(s, e)
            want: dict[str, list[tuple[int, int]]] = {}
            if toks:
                for mid, a, b in sorted(every(seg.doc(toks)), key=lambda m: (m[1], -m[2])):
                    want.setdefault(vocab.strings[mid], []).append((toks[a].start, toks[b - 1].end))
            for key in keys:
                assert doc.token_hits(s, e, key) == want.get(key, []), (doc.norm[s:e], key)
                found += len(want.get(key, []))
    assert found  # the documents do hold token-pattern matches
