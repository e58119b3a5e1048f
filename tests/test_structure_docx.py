"""parse_structure through docreview.ingest on .docx files built with tests/docxfactory.py."""

from __future__ import annotations

from datetime import date

import pytest

from docreview.ingest import read_document
from docreview.locate import locate
from docreview.structure import parse_structure
from tests.docxfactory import ARTICLE, CHAPTER, DECIMAL, DUNHAO, ITEM, Lvl, NumList, P, Table, build_docx


@pytest.fixture(scope="module")
def auto(tmp_path_factory):
    path = build_docx(tmp_path_factory.mktemp("d") / "auto.docx", [
        P("某市户外广告设置", align="center"),
        P("管理办法", align="center"),
        P("（征求意见稿）", align="center"),
        P("总则", num=CHAPTER, align="center"),
        P("为了加强户外广告管理，制定本办法。", num=ARTICLE),
        P("设置户外广告，应当符合下列条件：", num=ARTICLE),
        P("取得营业执照；", num=ITEM),
        P("提交下列材料：", num=ITEM),
        P("申请书；", num=DECIMAL),
        P("设计图。", num=DECIMAL),
        "违反前款规定的，由城市管理部门责令改正。",
        P("收费", num=CHAPTER, align="center"),
        P("设置人应当按照下表缴纳占道费：", num=ARTICLE),
        Table([["收费项目", "标准"], ["占道费", "每平方米100元"]]),
        "依照本办法第二条规定办理的，不再收取其他费用。",
        P("本办法自2026年3月1日起施行，有效期为五年。", num=ARTICLE),
        P("某市人民政府", align="right"),
        P("二〇二六年一月二十日", align="right"),
    ])
    return parse_structure(read_document(path))


def pos(st, needle: str) -> int:
    return st.text.index(needle)


def test_auto_numbered_articles_chapters_items(auto):
    assert auto.title == "某市户外广告设置管理办法（征求意见稿）"
    assert [a.label for a in auto.articles] == ["第一条", "第二条", "第三条", "第四条"]
    assert [(c.label, c.title) for c in auto.chapters] == [("第一章", "总则"), ("第二章", "收费")]
    a2 = auto.articles[1]
    assert len(a2.clauses) == 2
    items = a2.clauses[0].items
    assert [i.label for i in items] == ["（一）", "（二）"]
    assert [s.label for s in items[1].subitems] == ["1.", "2."]
    assert locate(auto, pos(auto, "取得营业执照")).label == "第二条第一款第（一）项"
    assert locate(auto, pos(auto, "设计图")).label == "第二条第一款第（二）项第2目"
    assert locate(auto, pos(auto, "责令改正")).label == "第二条第二款"


def test_table_inside_article_belongs_to_it(auto):
    a3 = auto.articles[2]
    loc = locate(auto, pos(auto, "每平方米100元"))
    assert (loc.article, loc.clause, loc.chapter) == (3, 1, "收费")
    assert loc.label == "第三条第一款"
    # the paragraph after the table is the second 款 of 第三条, its 第二条 reference starts nothing
    assert len(a3.clauses) == 2
    assert locate(auto, pos(auto, "不再收取")).label == "第三条第二款"


def test_closing_and_specials_from_docx(auto):
    assert auto.issuer == "某市人民政府"
    assert auto.dates.signed == date(2026, 1, 20)
    assert auto.dates.effective.on == date(2026, 3, 1)
    assert auto.dates.validity.years == 5
    assert locate(auto, pos(auto, "二〇二六年")).label == "落款"
    assert auto.text[auto.body.end - 1] == "。"


def test_notice_style_docx_with_auto_numbered_headings(tmp_path):
    sub = NumList(Lvl("（%1）", "chineseCounting", suff="nothing"))
    path = build_docx(tmp_path / "n.docx", [
        P("关于做好2026年安全生产工作的通知", align="center"),
        P("某府办发〔2026〕5号", align="center"),
        "各县（市、区）人民政府，市直各单位：",
        "现将有关事项通知如下。",
        P("总体要求", num=DUNHAO),
        P("落实企业主体责任。生产经营单位应当建立台账。", num=sub),
        P("重点任务", num=DUNHAO),
        P("开展隐患排查。", num=sub.restart()),
        P("组织专项检查。", num=sub.continued()),
        "本通知自2026年2月1日起施行。",
        P("某市人民政府办公室", align="right"),
        P("2026年1月20日", align="right"),
    ])
    st = parse_structure(read_document(path))
    assert st.style == "notice"
    assert st.doc_number == "某府办发〔2026〕5号"
    assert st.addressees == ("各县（市、区）人民政府", "市直各单位")
    assert [s.label for s in st.sections] == ["一、", "一、（一）", "二、", "二、（一）", "二、（二）"]
    assert locate(st, pos(st, "建立台账")).label == "一、（一）"
    assert locate(st, pos(st, "组织专项")).label == "二、（二）"
    assert st.issuer == "某市人民政府办公室"
    assert st.dates.effective.on == date(2026, 2, 1)
