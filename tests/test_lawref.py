"""Law reference data (corpus/laws) and the rule-basis meta-test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from docreview import lawref as L
from docreview.errors import DocreviewError

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"


@pytest.fixture(scope="module")
def arts() -> L.Articles:
    return L.load_articles()


@pytest.fixture(scope="module")
def status() -> L.Status:
    return L.load_status()


# --------------------------------------------------------------------------- loading


def test_package_symlink_points_at_corpus():
    assert L.PACKAGE_DIR.is_dir()
    assert (L.PACKAGE_DIR / "articles.yml").resolve() == (ROOT / "corpus" / "laws" / "articles.yml").resolve()
    assert L.data_dir() == L.PACKAGE_DIR


def test_articles_load_and_are_consistent(arts):
    assert len(arts.laws) >= 14
    assert len(arts.articles) >= 70
    names = {info.law for info in arts.laws}
    assert len(names) == len(arts.laws), "duplicate law entries"
    seen = set()
    for a in arts.articles:
        assert a.law in names
        assert a.text and "\n\n" not in a.text
        assert not a.text.startswith("第") or a.number is None, f"{a.label}: drop the leading 第N条 from text"
        key = (a.law, a.article, a.text)
        assert key not in seen, f"duplicate entry {a.label}"
        seen.add(key)
        info = arts.law_info(a.law)
        if a.number and info.articles_total:
            assert a.number <= info.articles_total, a.label
    verified = [a for a in arts.articles if a.verified and a.verified_from == "primary"]
    assert len(verified) >= 60


def test_brief_coverage(arts):
    """The articles the rule set relies on are all present and verified."""
    wanted = {
        "行政许可法": [2, 12, 13, 14, 15, 16, 17, 27, 58, 59, 71],
        "行政处罚法": [2, 9, 10, 11, 12, 13, 14, 15, 16, 28, 34],
        "行政强制法": [2, 9, 10, 12, 13, 43, 44],
        "立法法": [91, 93, 109, 116],
        "价格法": [47],
        "优化营商环境条例": [12, 17, 25, 43, 44, 62, 64, 65],
        "公平竞争审查条例": [8, 9, 10, 11, 12],
        "民法典": [201, 202, 203],
        "地方组织法": [74, 75],
    }
    missing = []
    for law, numbers in wanted.items():
        for n in numbers:
            a = L.find_article(law, f"第{L.int_to_cn(n)}条", articles=arts)
            if a is None or not a.verified:
                missing.append(f"{law} 第{L.int_to_cn(n)}条")
    assert not missing, missing


def test_exact_texts(arts):
    assert L.find_article("行政许可法", "第十七条", articles=arts).text == (
        "除本法第十四条、第十五条规定的外，其他规范性文件一律不得设定行政许可。"
    )
    assert L.find_article("《中华人民共和国行政处罚法》", "第16条", articles=arts).text == (
        "除法律、法规、规章外，其他规范性文件不得设定行政处罚。"
    )
    a = L.find_article("地方组织法", "第七十五条", articles=arts)
    assert a.law == "中华人民共和国地方各级人民代表大会和地方各级人民政府组织法"
    assert a.text.startswith("县级以上的地方各级人民政府制定涉及个人、组织权利义务的规范性文件")


def test_paragraph_resolution(arts):
    p4 = L.find_article("中华人民共和国行政强制法", "第十条第四款", articles=arts)
    assert p4.paragraph == 4
    assert p4.text == "法律、法规以外的其他规范性文件不得设定行政强制措施。"
    assert p4.label == "《行政强制法》第十条第四款"
    # items (一)(二) of 立法法 93 belong to 第二款, so 第六款 is the 减损权利 sentence
    p6 = L.find_article("立法法", "第九十三条第六款", articles=arts)
    assert p6.text.startswith("没有法律、行政法规、地方性法规的依据，地方政府规章不得设定")
    whole = L.find_article("立法法", "第九十三条", articles=arts)
    assert len(whole.paragraphs) == 6
    assert "（一）为执行法律" in whole.paragraphs[1]
    assert len(L.find_article("行政强制法", "第九条", articles=arts).paragraphs) == 1
    assert L.find_article("行政强制法", "第十条第五款", articles=arts) is None


def test_law_names(arts):
    for name in ("行政处罚法", "《行政处罚法》", "中华人民共和国行政处罚法", " 《中华人民共和国行政处罚法》"):
        assert arts.law_info(name).short == "行政处罚法"
    assert arts.law_info("营商环境条例").law == "优化营商环境条例"
    assert arts.law_info(
        "国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知（国办发〔2018〕37号）"
    ).short == ("国办发〔2018〕37号")
    assert arts.law_info("不存在的法") is None


def test_numerals():
    for n in range(1, 1300):
        assert L.cn_to_int(L.int_to_cn(n)) == n
    assert L.int_to_cn(109) == "一百零九"
    assert L.int_to_cn(1260) == "一千二百六十"
    assert L.cn_to_int("十七") == 17
    assert L.parse_ref("第十条第四款") == (10, 4, None)
    assert L.parse_ref("第十一条第（四）项") == (11, None, 4)
    assert L.parse_ref("第 17 条") == (17, None, None)
    assert L.parse_ref("（一）严禁越权发文") is None
    with pytest.raises(ValueError):
        L.cn_to_int("十x")


def test_quote_matching():
    text = "行政强制执行由法律设定。\n法律没有规定行政机关强制执行的，作出行政决定的行政机关应当申请人民法院强制执行。"
    assert L.quote_in_text("行政强制执行由法律设定。法律没有规定行政机关强制执行的", text)
    assert L.quote_in_text("行政强制执行由法律设定 法律没有规定", text)  # punctuation/space-insensitive
    assert L.quote_in_text("行政强制执行由法律设定……申请人民法院强制执行", text)
    assert not L.quote_in_text("申请人民法院强制执行……行政强制执行由法律设定", text)  # order matters
    assert not L.quote_in_text("行政强制措施由法律设定", text)
    assert not L.quote_in_text("……", text)
    assert L.quote_in_text("（一）警告、通报批评", "(一)警告、通报批评；")  # full/half width


def test_verify_quote_outcomes(arts):
    ok = L.verify_quote(
        "中华人民共和国行政处罚法", "第十六条", "其他规范性文件不得设定行政处罚", articles=arts
    )
    assert ok.status == L.QUOTE_OK
    wrong = L.verify_quote(
        "中华人民共和国行政处罚法", "第十四条", "其他规范性文件不得设定行政处罚", articles=arts
    )
    assert wrong.status == L.QUOTE_MISMATCH
    assert "第十六条" in wrong.detail
    pending = L.verify_quote(
        "国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知",
        "（一）严禁越权发文",
        "不得违法减损公民、法人和其他组织的合法权益或者增加其义务",
        articles=arts,
    )
    assert pending.status == L.QUOTE_UNVERIFIABLE
    seen = L.verify_quote(
        "国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知",
        "（一）严禁越权发文",
        "严禁以部门内设机构名义制发行政规范性文件。",
        articles=arts,
    )
    assert seen.status == L.QUOTE_OK
    assert L.verify_quote("行政许可法", "第三十条", "公示", articles=arts).status == L.QUOTE_MISSING
    assert L.verify_quote("某某条例", "第一条", "x", articles=arts).status == L.QUOTE_MISSING


# --------------------------------------------------------------------------- status


def test_status_load(status):
    repealed = {r.law: r for r in status.repealed}
    assert repealed["法规规章备案条例"].repealed_on == dt.date(2024, 11, 1)
    assert repealed["中华人民共和国合同法"].repealed_on == dt.date(2021, 1, 1)
    assert repealed["城市房屋拆迁管理条例"].replaced_by == "国有土地上房屋征收与补偿条例"
    assert len(repealed) >= 11
    pairs = {(r.law, r.old): r.new for r in status.renumbered}
    assert pairs[("中华人民共和国行政处罚法", "第十四条")] == "第十六条"
    assert pairs[("中华人民共和国立法法", "第八十条")] == "第九十一条"
    assert pairs[("中华人民共和国立法法", "第八十二条")] == "第九十三条"
    assert pairs[("中华人民共和国立法法", "第九十八条")] == "第一百零九条"


def test_repeal_quotes_are_in_verified_articles(status, arts):
    """Each repeal is backed by the verbatim repealing clause held in articles.yml."""
    for rep in status.repealed:
        law, _, article = rep.by.partition("》")
        art = L.find_article(law.lstrip("《"), article, articles=arts)
        assert art is not None and art.verified, rep.by
        assert L.quote_in_text(rep.quote, art.text), rep.by
        assert L.quote_in_text(f"《{rep.law}》", rep.quote) or rep.law in rep.quote, rep.law


def test_renumbered_targets_hold_the_topic(arts, status):
    """Spot-check that the new number really holds the moved rule."""
    expect = {
        ("中华人民共和国行政处罚法", "第十四条"): "其他规范性文件不得设定行政处罚",
        ("中华人民共和国行政处罚法", "第二十三条"): "应当责令当事人改正或者限期改正违法行为",
        ("中华人民共和国行政处罚法", "第八条"): "行政处罚的种类",
        ("中华人民共和国立法法", "第八十条"): "部门规章不得设定减损公民、法人和其他组织权利",
        ("中华人民共和国立法法", "第九十八条"): "公布后的三十日内",
    }
    for rn in status.renumbered:
        phrase = expect.get((rn.law, rn.old))
        if phrase:
            assert L.quote_in_text(phrase, L.find_article(rn.law, rn.new, articles=arts).text), rn
    assert all(rn.since >= dt.date(2021, 1, 1) for rn in status.renumbered)


def test_check_citation(arts, status):
    def chk(law, art, **kw):
        return L.check_citation(
            law, art, articles=arts, status=status, on=kw.pop("on", dt.date(2026, 1, 1)), **kw
        )

    c = chk("行政处罚法", "第十四条")
    assert c.status == L.RENUMBERED and c.suggestion == "第十六条"
    assert "地方政府规章" in c.message  # tells what the current 第十四条 says
    # a quote that matches the current 第九条 means the citation is the new numbering
    assert chk("行政处罚法", "第九条", quote="（一）警告、通报批评；").status == L.OK
    assert chk("行政处罚法", "第九条").status == L.RENUMBERED
    # before the 2021 revision took effect the old numbering was right
    assert chk("行政处罚法", "第十四条", on=dt.date(2021, 7, 14)).status == L.OK
    assert chk("中华人民共和国行政处罚法", "第十六条").status == L.OK
    assert chk("行政处罚法", "第九十条").status == L.NOT_FOUND
    assert chk("行政许可法", "第三十条").status == L.UNVERIFIED
    assert chk("某某管理办法", "第一条").status == L.UNKNOWN_LAW

    rep = chk("《中华人民共和国合同法》", "第五十二条")
    assert rep.status == L.REPEALED and rep.suggestion == "中华人民共和国民法典"
    assert "2021年1月1日" in rep.message
    assert chk("法规规章备案条例", "第三条", on=dt.date(2024, 11, 1)).status == L.REPEALED
    assert chk("法规规章备案条例", "第三条", on=dt.date(2024, 10, 31)).status == L.UNKNOWN_LAW
    assert chk("立法法", "第八十二条").suggestion == "第九十三条"
    old_interp = chk("最高人民法院关于执行〈中华人民共和国行政诉讼法〉若干问题的解释", "第六十二条")
    assert old_interp.status == L.REPEALED
    assert (
        "《最高人民法院关于适用〈中华人民共和国行政诉讼法〉的解释》" in old_interp.message
    )  # no nested 《《


def test_sample_citations_verified(arts, status):
    """corpus/samples cite 广告法 41/42 and 城市市容条例 11; they must be real and current."""
    for law, art in (
        ("中华人民共和国广告法", "第四十一条"),
        ("中华人民共和国广告法", "第四十二条"),
        ("城市市容和环境卫生管理条例", "第十一条"),
    ):
        assert L.check_citation(law, art, articles=arts, status=status).status == L.OK
    a42 = L.find_article("广告法", "第四十二条", articles=arts)
    assert L.quote_in_text("妨碍生产或者人民生活，损害市容市貌的", a42.text)
    p2 = L.find_article("城市市容和环境卫生管理条例", "第十一条第二款", articles=arts)
    assert p2.text.startswith("大型户外广告的设置必须征得城市人民政府市容环境卫生行政主管部门同意后")


def test_loader_errors(tmp_path):
    (tmp_path / "articles.yml").write_text("laws: [\n", encoding="utf-8")
    with pytest.raises(DocreviewError) as e:
        L.load_articles(tmp_path)
    assert e.value.code == "E200"
    (tmp_path / "articles.yml").write_text(
        "laws: [{law: 甲法}]\narticles: [{law: 乙法, article: 第一条, text: x}]\n", encoding="utf-8"
    )
    with pytest.raises(DocreviewError) as e:
        L.load_articles(tmp_path)
    assert e.value.code == "E201" and "乙法" in str(e.value)
    (tmp_path / "status.yml").write_text(
        "repealed: [{law: 甲法, repealed_on: 2024-13-01, source: s}]\n", encoding="utf-8"
    )
    with pytest.raises(DocreviewError) as e:
        L.load_status(tmp_path)
    assert e.value.code == "E200"
    (tmp_path / "status.yml").write_text(
        "repealed: [{law: 甲法, repealed_on: '2024-02-30', source: s}]\n", encoding="utf-8"
    )
    with pytest.raises(DocreviewError) as e:
        L.load_status(tmp_path)
    assert e.value.code == "E201"
    (tmp_path / "status.yml").write_text("renumbered: [{law: 甲法, old: 第一条}]\n", encoding="utf-8")
    with pytest.raises(DocreviewError) as e:
        L.load_status(tmp_path)
    assert e.value.code == "E201"
    with pytest.raises(DocreviewError):
        L.load_status(tmp_path / "nope")


# --------------------------------------------------------------------------- meta-test over rules/


def _basis_entries() -> list[tuple[str, int, dict]]:
    out = []
    for path in sorted(RULES.glob("**/*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue  # reported by the rulebook tests
        if not isinstance(data, dict):
            continue
        for i, b in enumerate(data.get("basis") or []):
            if isinstance(b, dict):
                out.append((str(data.get("id") or path.stem), i, b))
    return out


BASIS = _basis_entries()


def test_meta_rules_exist():
    assert len(BASIS) >= 20


@pytest.mark.parametrize(("rule_id", "index", "basis"), BASIS, ids=[f"{r}-basis-{i}" for r, i, _ in BASIS])
def test_rule_basis_quote_is_verified(rule_id, index, basis, arts):
    """Every rule basis quote is in the verified text of its law + article, or marked unverifiable there."""
    res = L.verify_quote(str(basis["law"]), str(basis["article"]), str(basis["quote"]), articles=arts)
    assert res.status in (L.QUOTE_OK, L.QUOTE_UNVERIFIABLE), (
        f"{rule_id} basis[{index}] 《{basis['law']}》{basis['article']}: {res.detail}\n  quote: {basis['quote']}"
    )


def test_meta_test_catches_a_wrong_basis(arts):
    bad = {
        "law": "中华人民共和国行政处罚法",
        "article": "第十四条",
        "quote": "其他规范性文件不得设定行政处罚",
    }
    res = L.verify_quote(bad["law"], bad["article"], bad["quote"], articles=arts)
    assert res.status == L.QUOTE_MISMATCH


# --------------------------------------------------------------------------- citations in draft text


def test_extract_citations_spans():
    text = "依照《中华人民共和国广告法》第四十一条、第四十二条的规定；根据《行政强制法》第十条第四款和《合同法》，制定本办法。"
    cites = L.extract_citations(text)
    assert [(c.law, c.article) for c in cites] == [
        ("中华人民共和国广告法", "第四十一条"),
        ("中华人民共和国广告法", "第四十二条"),
        ("行政强制法", "第十条第四款"),
        ("合同法", ""),
    ]
    for c in cites:
        assert text[c.start : c.end] == (c.article or f"《{c.law}》")


def test_check_text_citations_on_a_draft(arts, status):
    draft = (
        "第一条 为了规范户外广告设置，根据《中华人民共和国广告法》《城市市容和环境卫生管理条例》等规定，制定本办法。\n"
        "第七条 依照《中华人民共和国广告法》第四十二条的规定，有下列情形之一的，不得设置户外广告。\n"
        "第十八条 违反本办法规定的，依照《中华人民共和国行政处罚法》第十四条处以罚款。\n"
        "第二十二条 本办法依据《中华人民共和国合同法》第五十二条制定，并按《法规规章备案条例》报送备案。"
    )
    res = L.check_text_citations(draft, articles=arts, status=status, on=dt.date(2026, 1, 20))
    got = [(c.law, c.article, chk.status) for c, chk in res]
    assert got == [
        ("中华人民共和国广告法", "第四十二条", L.OK),
        ("中华人民共和国行政处罚法", "第十四条", L.RENUMBERED),
        ("中华人民共和国合同法", "第五十二条", L.REPEALED),
        ("法规规章备案条例", "", L.REPEALED),
    ]
    c, chk = res[1]
    assert draft[c.start : c.end] == "第十四条" and chk.suggestion == "第十六条"


def test_renumbering_keywords_match_the_texts(arts, status):
    """`moved` phrases occur in the new article, `current` phrases in the article now at the old number."""
    for rn in status.renumbered:
        assert rn.moved and rn.current, f"{rn.law} {rn.old}: keywords missing"
        new = L.find_article(rn.law, rn.new, articles=arts)
        cur = L.find_article(rn.law, rn.old, articles=arts)
        assert new is not None and new.verified, f"{rn.law} {rn.new} not in articles.yml"
        assert cur is not None and cur.verified, f"{rn.law} {rn.old} not in articles.yml"
        for k in rn.moved:
            assert L.quote_in_text(k, new.text), f"{rn.law} {rn.new}: {k}"
        for k in rn.current:
            assert L.quote_in_text(k, cur.text), f"{rn.law} {rn.old}: {k}"
            assert not any(L.quote_in_text(k, m) for m in rn.moved), f"{k} is ambiguous"


def test_renumbering_uses_the_citing_sentence(arts, status):
    def chk(art, ctx, law="中华人民共和国行政处罚法"):
        return L.check_citation(law, art, context=ctx, articles=arts, status=status, on=dt.date(2026, 1, 1))

    # correct citations of the 2021 numbering are not flagged
    assert (
        chk(
            "第十四条", "依照《行政处罚法》第十四条，地方政府规章可以设定警告、通报批评或者一定数额罚款"
        ).status
        == L.OK
    )
    assert chk("第九条", "《行政处罚法》第九条规定的行政处罚种类").status == L.OK
    assert chk("第十条", "《行政处罚法》第十条规定，法律可以设定各种行政处罚").status == L.OK
    # stale citations are
    stale = chk("第十四条", "根据《行政处罚法》第十四条关于其他规范性文件不得设定行政处罚的规定")
    assert stale.status == L.RENUMBERED and stale.suggestion == "第十六条"
    assert chk("第九条", "依照《行政处罚法》第九条，法律可以设定各种行政处罚").suggestion == "第十条"
    assert chk("第八条", "《行政处罚法》第八条规定的处罚种类").suggestion == "第九条"
    # the moved rule wins when both topics are mentioned
    both = "没有法律、行政法规、地方性法规的依据，地方政府规章不得设定减损权利或者增加义务的规范"
    assert chk("第八十二条", both, law="立法法").suggestion == "第九十三条"
    assert (
        chk("第八十二条", "依照《立法法》第八十二条，地方性法规可以就下列事项作出规定", law="立法法").status
        == L.OK
    )
    # no context: a reminder
    assert chk("第十三条", "").status == L.RENUMBERED


def test_check_text_citations_reads_the_sentence(arts, status):
    text = "依照《中华人民共和国行政处罚法》第十三条，部门规章可以设定警告。依照《行政处罚法》第十三条，地方政府规章可以设定罚款。"
    res = L.check_text_citations(text, articles=arts, status=status, on=dt.date(2026, 1, 1))
    assert [chk.status for _, chk in res] == [L.OK, L.RENUMBERED]
    assert res[1][1].suggestion == "第十四条"
