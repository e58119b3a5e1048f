"""parse_structure and locate on plain-text sources (one block per line)."""

from __future__ import annotations

from datetime import date

import pytest

from docreview.locate import locate
from docreview.model import make_source
from docreview.structure import cn_int, normalize_doc_number, parse_structure

REGULATION = """某市城市管理办法
（送审稿）
某府规〔2026〕3号
第一章　总则
第一条　为了加强城市管理，根据《中华人民共和国行政许可法》，制定本办法。
第二条　本办法适用于本市行政区域。
依照本办法第十条规定的情形除外。
第二章　管理
第三条　经营者应当遵守下列规定：
（一）不得占道经营；
（二）按规定缴纳费用：
1.清洁费；
2.管理费。
（三）其他事项。
有前款第（一）项情形的，责令改正。
第四条　收费标准如下表：
项目
金额
第十条规定的费用按月缴纳。
第五章　附则
第一百零一条　本办法自2026年3月1日起施行，有效期5年。《某市城市管理暂行办法》（某府规[2020]5号）同时废止。
某市人民政府
二〇二六年一月二十日
"""

NOTICE = """某市人民政府办公室关于进一步加强
城市管理工作的通知
某府办发（2026）12号
各区人民政府，市政府各委、办、局：
为进一步加强城市管理，现就有关事项通知如下：
一、总体要求
（一）明确职责。各部门应当按照职责分工做好工作。
（二）加强协作。
1.建立联席会议制度；
2.定期通报情况。
二、工作措施
（一）开展专项整治。
（1）整治占道经营。
三、其他
本通知自印发之日起施行，有效期至2028年12月31日。

某市人民政府办公室
2026年1月20日
（此件公开发布）
"""


def src_of(text: str, cells: tuple[str, ...] = ()) -> object:
    blocks = []
    for line in text.strip("\n").split("\n"):
        fields = {"kind": "cell", "table": (0, 0, 0)} if line in cells else {}
        blocks.append((line, fields))
    return make_source("doc.txt", "txt", blocks)


@pytest.fixture(scope="module")
def reg():
    return parse_structure(src_of(REGULATION, cells=("项目", "金额")))


@pytest.fixture(scope="module")
def notice():
    return parse_structure(src_of(NOTICE))


def at(st, needle: str, nth: int = 0) -> int:
    pos = -1
    for _ in range(nth + 1):
        pos = st.text.index(needle, pos + 1)
    return pos


# --------------------------------------------------------------------------- numerals


@pytest.mark.parametrize(("raw", "n"), [("一", 1), ("十", 10), ("二十三", 23), ("一百零一", 101), ("23", 23),
                                        ("两", 2), ("一百二十", 120)])
def test_cn_int(raw, n):
    assert cn_int(raw) == n


# --------------------------------------------------------------------------- regulation style


def test_header_of_regulation(reg):
    assert reg.title == "某市城市管理办法（送审稿）"
    assert reg.doc_number == "某府规〔2026〕3号"
    assert reg.issuer == "某市人民政府"
    assert reg.style == "regulation"
    assert reg.provisional is False
    assert reg.dates.signed == date(2026, 1, 20)  # Chinese numerals in the 落款
    assert reg.dates.published == date(2026, 1, 20)


def test_articles_numbers_labels_and_chapters(reg):
    assert [a.number for a in reg.articles] == [1, 2, 3, 4, 101]
    assert [a.label for a in reg.articles] == ["第一条", "第二条", "第三条", "第四条", "第一百零一条"]
    chapters = {c.number: c.title for c in reg.chapters}
    assert chapters == {1: "总则", 2: "管理", 5: "附则"}
    assert [a.chapter for a in reg.articles] == [1, 1, 2, 2, 5]


def test_mid_sentence_article_reference_is_not_an_article(reg):
    a2 = reg.articles[1]
    assert len(a2.clauses) == 2
    assert reg.text[a2.clauses[1].start:a2.clauses[1].end] == "依照本办法第十条规定的情形除外。"
    # "第十条规定的费用…" starts a line but is not article 10 (we are at 第四条): part of 第四条
    a4 = reg.articles[3]
    assert "第十条规定的费用按月缴纳。" in reg.text[a4.start:a4.end]
    assert len(a4.clauses) == 2


def test_items_belong_to_preceding_clause_and_subitems_to_item(reg):
    a3 = reg.articles[2]
    assert [c.number for c in a3.clauses] == [1, 2]
    items = a3.clauses[0].items
    assert [i.label for i in items] == ["（一）", "（二）", "（三）"]
    assert [i.number for i in items] == [1, 2, 3]
    assert [s.label for s in items[1].subitems] == ["1.", "2."]
    assert reg.text[items[1].subitems[1].start:items[1].subitems[1].end] == "2.管理费。"
    assert reg.text[a3.clauses[1].start:a3.clauses[1].end] == "有前款第（一）项情形的，责令改正。"


def test_table_cells_belong_to_their_article(reg):
    a4 = reg.articles[3]
    first = a4.clauses[0]
    assert a4.start <= at(reg, "金额") < first.end
    assert locate(reg, at(reg, "金额")).label == "第四条第一款"


def test_effective_validity_repeal(reg):
    eff = reg.dates.effective
    assert eff.on == date(2026, 3, 1) and eff.relative_to is None
    assert eff.text.startswith("本办法自2026年3月1日起施行")
    assert reg.text[eff.span.start:eff.span.end] == eff.text
    assert reg.dates.validity.years == 5
    assert reg.repeals == ("《某市城市管理暂行办法》（某府规〔2020〕5号）",)


def test_body_excludes_header_and_closing(reg):
    body = reg.text[reg.body.start:reg.body.end]
    assert body.startswith("第一章")
    assert body.endswith("同时废止。")
    assert "某市人民政府" not in body.replace("某市人民政府令", "")


# --------------------------------------------------------------------------- locate


def test_locate_labels(reg):
    assert locate(reg, at(reg, "不得占道")).label == "第三条第一款第（一）项"
    loc = locate(reg, at(reg, "清洁费"))
    assert (loc.article, loc.clause, loc.item) == (3, 1, 2)
    assert loc.label == "第三条第一款第（二）项第1目"
    assert loc.chapter == "管理"
    assert locate(reg, at(reg, "责令改正")).label == "第三条第二款"
    # single-clause article: 第一款 omitted
    loc1 = locate(reg, at(reg, "为了加强"))
    assert loc1.label == "第一条" and loc1.clause == 1 and loc1.chapter == "总则"
    assert locate(reg, at(reg, "本办法自")).label == "第一百零一条"
    assert locate(reg, at(reg, "本办法自")).chapter == "附则"


def test_locate_outside_articles(reg):
    assert locate(reg, 0).label == "标题"
    assert locate(reg, at(reg, "某府规〔2026〕")).label == "标题"
    assert locate(reg, at(reg, "二〇二六年")).label == "落款"
    ch = locate(reg, at(reg, "第二章"))
    assert ch.article is None and ch.label == "第二章" and ch.chapter == "管理"


def test_statute_locate_method_delegates(reg):
    assert reg.locate(at(reg, "不得占道")) == locate(reg, at(reg, "不得占道"))


def test_locate_is_fast_on_large_document():
    lines = ["某市大型管理办法"]
    for n in range(1, 801):
        lines.append(f"第{n}条　经营者应当遵守第{n}项规定。")
        lines.append("（一）事项一；")
        lines.append("（二）事项二。")
    st = parse_structure(src_of("\n".join(lines)))
    assert len(st.articles) == 800
    import time

    positions = list(range(0, len(st.text), 7))
    t0 = time.perf_counter()
    labels = [locate(st, p).label for p in positions]
    per_call = (time.perf_counter() - t0) / len(positions)
    assert per_call < 1e-4, per_call  # bisect, not a scan
    assert locate(st, at(st, "第800条")).label == "第八百条"
    assert labels[-1].startswith("第八百条")


# --------------------------------------------------------------------------- notice style


def test_notice_header(notice):
    assert notice.style == "notice"
    assert notice.articles == ()
    assert notice.title == "某市人民政府办公室关于进一步加强城市管理工作的通知"
    assert notice.doc_number == "某府办发〔2026〕12号"
    assert notice.addressees == ("各区人民政府", "市政府各委、办、局")
    assert notice.issuer == "某市人民政府办公室"
    assert notice.dates.signed == date(2026, 1, 20)


def test_notice_sections_nested(notice):
    labels = [s.label for s in notice.sections]
    assert labels == ["一、", "一、（一）", "一、（二）", "一、（二）1.", "一、（二）2.", "二、", "二、（一）",
                      "二、（一）（1）", "三、"]
    paths = [s.path for s in notice.sections]
    assert paths[3] == (1, 2, 1) and paths[7] == (2, 1, 1)
    assert notice.sections[1].heading == "明确职责"
    assert notice.sections[0].heading == "总体要求"


def test_notice_locate(notice):
    assert locate(notice, at(notice, "各部门应当")).label == "一、（一）"
    assert locate(notice, at(notice, "定期通报")).label == "一、（二）2."
    assert locate(notice, at(notice, "现就有关事项")).label == "正文前言"
    assert locate(notice, at(notice, "各区人民政府")).label == "标题"


def test_notice_effective_relative_and_validity_until(notice):
    eff = notice.dates.effective
    assert eff.relative_to == "印发" and eff.on is None and eff.days_after == 0
    assert notice.dates.validity.until == date(2028, 12, 31)
    assert notice.provisional is False


# --------------------------------------------------------------------------- variants


@pytest.mark.parametrize(("line", "expected"), [
    ("某府规〔2026〕3号", "某府规〔2026〕3号"),
    ("某府规[2026]3号", "某府规〔2026〕3号"),
    ("某府规［2026］3号", "某府规〔2026〕3号"),
    ("某府规(2026)3号", "某府规〔2026〕3号"),
    ("某府规（2026）第3号", "某府规〔2026〕3号"),
    ("某府规【2026】03号", "某府规〔2026〕3号"),
    ("某市人民政府令第十二号", "某市人民政府令第12号"),
])
def test_doc_number_bracket_variants(line, expected):
    assert normalize_doc_number(line) == expected
    st = parse_structure(src_of(f"某市管理办法\n{line}\n第一条　为了管理，制定本办法。"))
    assert st.doc_number == expected


def _last_article(sentence: str):
    return parse_structure(src_of(f"某市管理暂行办法\n第一条　为了管理，制定本办法。\n第二条　{sentence}"))


@pytest.mark.parametrize(("sentence", "on", "rel", "days"), [
    ("本办法自2026年3月1日起施行。", date(2026, 3, 1), None, 0),
    ("本办法自二〇二六年三月一日起施行。", date(2026, 3, 1), None, 0),
    ("本办法自印发之日起施行。", None, "印发", 0),
    ("本办法自发布之日起施行。", None, "发布", 0),
    ("本办法自公布之日起30日后施行。", None, "公布", 30),
    ("本办法自公布之日起三十日后施行。", None, "公布", 30),
])
def test_effective_variants(sentence, on, rel, days):
    st = _last_article(sentence)
    eff = st.dates.effective
    assert (eff.on, eff.relative_to, eff.days_after) == (on, rel, days)
    assert st.provisional is True  # 暂行 in the title


@pytest.mark.parametrize(("sentence", "years", "months", "until"), [
    ("本办法自2026年3月1日起施行，有效期5年。", 5, None, None),
    ("本办法有效期为五年。", 5, None, None),
    ("本办法有效期两年。", 2, None, None),
    ("本办法有效期18个月。", None, 18, None),
    ("本办法自印发之日起施行，有效期至2030年12月31日。", None, None, date(2030, 12, 31)),
])
def test_validity_variants(sentence, years, months, until):
    v = _last_article(sentence).dates.validity
    assert (v.years, v.months, v.until) == (years, months, until)


def test_validity_of_a_licence_is_not_the_documents():
    st = _last_article("许可证有效期为3年。")
    assert st.dates.validity is None
    assert st.dates.effective is None


def test_repeal_variants():
    st = _last_article("本办法自2026年3月1日起施行。2019年印发的《某市甲办法》（某府规〔2019〕2号）、"
                       "《某市乙规定》同时废止。")
    assert st.repeals == ("《某市甲办法》（某府规〔2019〕2号）", "《某市乙规定》")
    st2 = _last_article("本办法自2026年3月1日起施行，同时废止《某市丙办法》（某府发［2018］7号）。")
    assert st2.repeals == ("《某市丙办法》（某府发〔2018〕7号）",)
    st3 = _last_article("根据《中华人民共和国行政许可法》，按规定及时修改或者废止相关文件。")
    # generic 废止 with a cited law is still picked up only when the sentence names what is repealed:
    assert st3.repeals in ((), ("《中华人民共和国行政许可法》",))


def test_issuer_from_title_and_joint_closing():
    st = parse_structure(src_of("某市财政局关于规范收费管理的通知\n各区财政局：\n一、总体要求\n按规定执行。"))
    assert st.issuer == "某市财政局"
    assert st.addressees == ("各区财政局",)
    st2 = parse_structure(src_of("关于规范收费管理的通知\n一、总体要求\n按规定执行。\n某市财政局\n"
                                 "某市发展和改革委员会\n2026年2月3日"))
    assert st2.issuer == "某市财政局、某市发展和改革委员会"
    assert st2.dates.signed == date(2026, 2, 3)


def test_issuer_from_doc_number_when_nothing_else():
    st = parse_structure(src_of("加强管理的若干措施\n某府办发〔2026〕1号\n一、总体要求\n按规定执行。"))
    assert st.issuer == "某府办"


def test_published_stated_in_title_note():
    st = parse_structure(src_of("某市管理办法\n（2026年1月20日市人民政府第5次常务会议通过　2026年1月25日公布）\n"
                                "第一条　为了管理，制定本办法。\n第二条　本办法自2026年3月1日起施行。"))
    assert st.dates.published == date(2026, 1, 25)
    assert st.dates.signed is None
    assert [a.number for a in st.articles] == [1, 2]


def test_leading_indentation_and_standalone_fuze():
    st = parse_structure(src_of("某市管理办法\n　　第一条　为了管理，制定本办法。\n附　则\n　　第二条　本办法自印发之日起施行。"))
    assert [a.number for a in st.articles] == [1, 2]
    assert st.chapters[0].title == "附则"
    assert locate(st, at(st, "本办法自")).chapter == "附则"
    assert st.text[st.articles[0].start:].startswith("第一条")


def test_empty_and_title_only_documents():
    st = parse_structure(make_source("e.txt", "txt", []))
    assert st.articles == () and st.title == ""
    assert locate(st, 0).label in ("正文前言", "标题", "落款")
    st2 = parse_structure(src_of("某市管理办法"))
    assert st2.title == "某市管理办法" and st2.articles == ()


def test_issuing_notice_with_attached_regulation_and_colophon():
    text = """某市人民政府文件
某府规〔2026〕3号
某市人民政府关于印发《某市养犬管理办法》的通知
各区人民政府，市政府各部门：
现将《某市养犬管理办法》印发给你们，请认真贯彻执行。
某市人民政府
2026年1月20日
（此件公开发布）
某市养犬管理办法
第一章　总则
第一条　为了规范养犬行为，制定本办法。
第二条　养犬人应当办理登记。
第三条　本办法自2026年3月1日起施行，有效期5年。
抄送：市委各部门。
某市人民政府办公室　　　　2026年1月21日印发"""
    st = parse_structure(src_of(text))
    assert st.title == "某市人民政府关于印发《某市养犬管理办法》的通知"
    assert st.doc_number == "某府规〔2026〕3号"
    assert st.issuer == "某市人民政府" and st.dates.signed == date(2026, 1, 20)
    assert [a.number for a in st.articles] == [1, 2, 3]
    assert st.text[st.articles[-1].start:st.articles[-1].end] == "第三条　本办法自2026年3月1日起施行，有效期5年。"
    assert locate(st, at(st, "现将")).label == "正文前言"
    assert locate(st, at(st, "养犬人")).label == "第二条"
    assert locate(st, at(st, "抄送")).label == "落款"
    assert st.dates.validity.years == 5


def test_notice_attachment_list_is_not_a_section():
    st = parse_structure(src_of("关于开展检查的通知\n一、检查内容\n按要求检查。\n附件：1.检查表\n2.汇总表\n"
                                "某市应急管理局\n2026年3月2日"))
    assert [s.label for s in st.sections] == ["一、"]
    assert st.issuer == "某市应急管理局"


def test_sections_jie_and_article_zhiyi():
    st = parse_structure(src_of("某市管理条例\n第一章　总则\n第一条　为了管理，制定本条例。\n第二章　许可\n"
                                "第一节　申请\n第二条　申请人应当提交材料。\n第二条之一　申请材料应当真实。\n"
                                "第二节　审查\n第三条　审查机关应当审查。"))
    assert [(c.label, c.title, c.level) for c in st.chapters] == [
        ("第一章", "总则", 1), ("第二章", "许可", 1), ("第一节", "申请", 2), ("第二节", "审查", 2)]
    assert [(a.label, a.chapter, a.section) for a in st.articles] == [
        ("第一条", 1, None), ("第二条", 2, 1), ("第二条之一", 2, 1), ("第三条", 2, 2)]
    loc = locate(st, at(st, "审查机关"))
    assert loc.chapter == "许可" and loc.label == "第三条"


def test_intro_sentence_with_colon_is_not_addressees():
    st = parse_structure(src_of("关于加强管理的通知\n现就有关事项通知如下：\n一、总体要求\n按规定执行。"))
    assert st.addressees == ()
    assert locate(st, at(st, "现就")).label == "正文前言"


def test_validity_range_and_invalid_effective_date():
    st = _last_article("本办法有效期自2026年3月1日起至2031年2月28日止。")
    assert st.dates.validity.until == date(2031, 2, 28)
    st2 = _last_article("本办法自2026年2月30日起施行。")
    assert st2.dates.effective is not None and st2.dates.effective.on is None


def test_joint_issuer_from_title():
    st = parse_structure(src_of("某市发展和改革委员会　某市财政局关于规范收费的通知\n一、总体要求\n按规定执行。"))
    assert st.issuer == "某市发展和改革委员会、某市财政局"


def test_two_line_title_rules_with_alignment():
    def doc(lines):
        return parse_structure(make_source("d.docx", "docx", [(t, {"align": a}) for t, a in lines]))

    st = doc([("某市人民政府关于印发某市养犬管理办法", "center"), ("的通知", "center"), ("一、要求", "")])
    assert st.title == "某市人民政府关于印发某市养犬管理办法的通知"
    st = doc([("某市养犬管理办法", "center"), ("总则", "center"), ("第一条　为了管理。", "")])
    assert st.title == "某市养犬管理办法" and st.chapters[0].title == "总则"
    st = doc([("某市养犬管理办法", "center"), ("某市人民政府", "center"), ("第一条　为了管理。", "")])
    assert st.title == "某市养犬管理办法"
    st = doc([("某市关于加强养犬", "center"), ("管理工作", "center"), ("第一条　为了管理。", "")])
    assert st.title == "某市关于加强养犬管理工作"


def test_draft_stage_recognised_but_kept_in_title(reg):
    from docreview.structure import draft_stage

    assert reg.title.endswith("（送审稿）")
    assert draft_stage(reg.title) == "送审稿"
    assert draft_stage("某市管理办法(征求意见稿)") == "征求意见稿"
    assert draft_stage("某市管理办法（试行）") == ""


def test_attachment_marker_before_title_and_arabic_article_numbers():
    st = parse_structure(src_of("附件1\n\n某市管理办法\n\n　　第一条　为了管理，制定本办法。\n\n"
                                "　　第二条　本办法自2026年1月1日起施行。"))
    assert st.title == "某市管理办法"
    assert [a.label for a in st.articles] == ["第一条", "第二条"]
    st2 = parse_structure(src_of("某市管理办法\n第1条 为了管理。\n第2条 应当登记。\n第3条 依照第1条执行。"))
    assert [(a.number, a.label) for a in st2.articles] == [(1, "第一条"), (2, "第二条"), (3, "第三条")]
    assert locate(st2, at(st2, "依照")).label == "第三条"
