"""Reading .docx as Word shows it: order, tracked changes, numbering, runs, metadata."""

from __future__ import annotations

import pytest

from docreview.ingest import read_bytes, read_document
from docreview.ingest.docx import format_number, iter_body_runs, run_text
from tests.docxfactory import (
    ARTICLE,
    CHAPTER,
    DECIMAL,
    DUNHAO,
    ITEM,
    Cell,
    Comment,
    Del,
    Field,
    Footnote,
    Ins,
    Link,
    Lvl,
    MoveFrom,
    MoveTo,
    NumList,
    P,
    R,
    Style,
    Sym,
    Table,
    build_docx,
    docx_bytes,
    replace_part,
)


def texts(doc):
    return [b.text for b in doc.blocks]


def check_runs(path, doc):
    """Every RunSpan maps to exactly the characters run_text gives, on a python-docx tree too."""
    import docx

    runs = list(iter_body_runs(docx.Document(str(path)).element.body))
    for b in doc.blocks:
        for s in b.runs:
            assert b.text[s.start:s.end] == run_text(runs[s.run])
        if b.runs:  # spans tile the text after label + suffix
            assert b.runs[-1].end == len(b.text)
            assert all(a.end == c.start for a, c in zip(b.runs, b.runs[1:], strict=False))
            assert b.text[:b.runs[0].start] in ({b.label, b.label + "\t", b.label + " "} if b.label else {""})
    return runs


def test_articles_numbered_by_word_list(tmp_path):
    path = build_docx(tmp_path / "a.docx", [
        P("某市城市户外广告设置管理办法", align="center"),
        P("总则", num=CHAPTER),
        P("为了规范户外广告设置，制定本办法。", num=ARTICLE),
        P("本办法适用于本市行政区域。", num=ARTICLE),
        P("管理", num=CHAPTER),
        P("设置户外广告应当符合规划。", num=ARTICLE),
    ])
    doc = read_document(path)
    assert texts(doc) == [
        "某市城市户外广告设置管理办法",
        "第一章 总则",
        "第一条 为了规范户外广告设置，制定本办法。",
        "第二条 本办法适用于本市行政区域。",
        "第二章 管理",
        "第三条 设置户外广告应当符合规划。",
    ]
    assert [b.label for b in doc.blocks] == ["", "第一章", "第一条", "第二条", "第二章", "第三条"]
    assert doc.blocks[0].align == "center"
    # label characters carry no RunSpan; the first run starts after label + suffix
    assert doc.blocks[2].runs[0].start == len("第一条 ")
    check_runs(path, doc)
    assert doc.fmt == "docx" and len(doc.sha256) == 64
    assert doc.text == "\n".join(texts(doc))


@pytest.mark.parametrize(("n", "fmt", "want"), [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
    (20, "chineseCounting", "二十"), (23, "chineseCounting", "二十三"), (101, "chineseCounting", "一百零一"),
    (11, "chineseCountingThousand", "十一"), (3, "chineseLegalSimplified", "叁"),
    (3, "ideographTraditional", "丙"), (12, "decimalFullWidth", "１２"), (7, "decimal", "7"),
    (4, "lowerLetter", "d"), (4, "upperRoman", "IV"), (3, "decimalEnclosedCircle", "③"),
    (10, "ideographDigital", "一〇"),
])
def test_format_number(n, fmt, want):
    assert format_number(n, fmt) == want


def test_many_articles_chinese_counting(tmp_path):
    path = build_docx(tmp_path / "m.docx", [P(f"条文{i}", num=ARTICLE) for i in range(1, 25)])
    labels = [b.label for b in read_document(path).blocks]
    assert labels[9] == "第十条" and labels[10] == "第十一条" and labels[19] == "第二十条" and labels[22] == "第二十三条"


def test_suffix_and_other_lvl_texts(tmp_path):
    tab = NumList(Lvl("第%1条", "chineseCounting", suff="tab"))
    path = build_docx(tmp_path / "s.docx", [
        P("甲", num=tab), P("乙", num=ITEM), P("丙", num=DECIMAL), P("丁", num=DUNHAO),
        P("戊", num=NumList(Lvl("%1.", "decimalFullWidth", suff="space", start=3))),
    ])
    assert texts(read_document(path)) == ["第一条\t甲", "（一）乙", "1.丙", "一、丁", "３. 戊"]


def test_multilevel_restart_and_override(tmp_path):
    lst = NumList(Lvl("第%1条", "chineseCounting", suff="space"), Lvl("（%2）", "chineseCounting", suff="nothing"),
                  Lvl("%3.", "decimal", suff="nothing"))
    restarted = lst.restart(start=1)
    path = build_docx(tmp_path / "ml.docx", [
        P("一", num=lst), P("项", num=lst, level=1), P("目", num=lst, level=2), P("目", num=lst, level=2),
        P("项", num=lst, level=1),
        P("二", num=lst), P("项", num=lst, level=1),  # lower level restarts after a higher one
        P("续", num=lst.continued()),  # another w:num on the same abstractNum continues the count
        P("重", num=restarted), P("重", num=restarted),  # startOverride restarts at 1
    ])
    assert [b.label for b in read_document(path).blocks] == [
        "第一条", "（一）", "1.", "2.", "（二）", "第二条", "（一）", "第三条", "第一条", "第二条"]


def test_lvl_restart_zero_never_restarts(tmp_path):
    lst = NumList(Lvl("第%1章", suff="space"), Lvl("第%2条", suff="space", restart=0))
    path = build_docx(tmp_path / "r.docx", [
        P("总则", num=lst), P("a", num=lst, level=1), P("b", num=lst, level=1),
        P("附则", num=lst), P("c", num=lst, level=1),
    ])
    assert [b.label for b in read_document(path).blocks] == ["第一章", "第一条", "第二条", "第二章", "第三条"]


def test_numbering_through_paragraph_style(tmp_path):
    path = build_docx(
        tmp_path / "st.docx",
        [P("甲", style="TiaoWen"), P("乙", style="TiaoWen"), P("无编号")],
        styles=[Style("TiaoWen", name="条文", num=ARTICLE, level=None, align="both")],
    )
    doc = read_document(path)
    assert texts(doc) == ["第一条 甲", "第二条 乙", "无编号"]
    assert doc.blocks[0].style == "条文" and doc.blocks[0].align == "justify"
    assert doc.blocks[2].style == "Normal"


def test_tracked_changes_final_view(tmp_path):
    path = build_docx(tmp_path / "t.docx", [
        P("设置户外广告", Ins("，未经市城管局审批不得设置"), Del("应当符合规划"), "。", num=ARTICLE),
        P(Del("原第二条全文删除"), mark_deleted=True, num=ARTICLE),  # a whole deleted article
        P("移动", MoveFrom("旧位置"), MoveTo("新位置"), num=ARTICLE),
    ])
    doc = read_document(path)
    # python-docx's paragraph.text drops the inserted run; we must not
    import docx

    assert "未经" not in docx.Document(str(path)).paragraphs[0].text
    assert texts(doc) == ["第一条 设置户外广告，未经市城管局审批不得设置。", "第二条 移动新位置"]
    check_runs(path, doc)


def test_deleted_paragraph_mark_merges_with_next(tmp_path):
    path = build_docx(tmp_path / "pm.docx", [P("前半句", mark_deleted=True), P("后半句。")])
    assert texts(read_document(path)) == ["前半句后半句。"]


def test_table_cells_in_reading_order(tmp_path):
    path = build_docx(tmp_path / "tb.docx", [
        P("收费标准如下：", num=ARTICLE),
        Table([["收费项目", "标准"], ["广告设施占用费", "每平方米每年200元"],
               [Cell("合计另行公布", span=2)]]),
        P("其他事项。", num=ARTICLE),
    ])
    doc = read_document(path)
    assert texts(doc) == ["第一条 收费标准如下：", "收费项目", "标准", "广告设施占用费", "每平方米每年200元",
                          "合计另行公布", "第二条 其他事项。"]
    assert [b.kind for b in doc.blocks] == ["paragraph", "cell", "cell", "cell", "cell", "cell", "paragraph"]
    assert doc.blocks[4].table == (0, 1, 1) and doc.blocks[5].table == (0, 2, 0)
    check_runs(path, doc)


def test_nested_table(tmp_path):
    path = build_docx(tmp_path / "n.docx", [Table([[["外", Table([["内1", "内2"]])], "右"]])])
    doc = read_document(path)
    assert texts(doc) == ["外", "内1", "内2", "", "右"]
    assert doc.blocks[1].table == (1, 0, 0) and doc.blocks[4].table == (0, 0, 1)


def test_not_body_text_header_footer_footnote_comment_hidden(tmp_path):
    path = build_docx(
        tmp_path / "h.docx",
        [P("正文", Comment("应当提供证明", "批注内容不是正文"), Footnote("脚注不是正文"), R("隐藏", hidden=True), "。")],
        header="页眉文字", footer="页脚文字",
    )
    doc = read_document(path)
    assert doc.text == "正文应当提供证明。"
    runs = check_runs(path, doc)
    assert all("隐藏" not in run_text(r) for r in runs)


def test_whitespace_kept_as_word_shows(tmp_path):
    path = build_docx(tmp_path / "w.docx", [P("第一行\n第二行", "\u3000\u3000全角", "\u00a0不间断\t制表")])
    doc = read_document(path)
    assert doc.text == "第一行\n第二行\u3000\u3000全角\u00a0不间断\t制表"
    assert len(doc.blocks) == 1  # a soft line break does not split the paragraph
    check_runs(path, doc)


def test_fields_links_symbols(tmp_path):
    path = build_docx(tmp_path / "f.docx", [P("见", Link("《广告法》"), "第", Field("PAGE", "3"), "页", Sym("2460"), Sym("F0B7", font="Symbol"))])
    doc = read_document(path)
    assert doc.text == "见《广告法》第3页①"
    check_runs(path, doc)


def test_core_properties_meta(tmp_path):
    from datetime import datetime

    path = build_docx(tmp_path / "c.docx", [P("正文")],
                      core={"title": "某市管理办法", "author": "市城管局", "created": datetime(2026, 1, 5, 8, 0)})
    meta = dict(read_document(path).meta)
    assert meta["title"] == "某市管理办法" and meta["creator"] == "市城管局"
    assert meta["created"].startswith("2026-01-05")


def test_read_bytes_equals_read_document(tmp_path):
    data = docx_bytes([P("甲", num=ARTICLE)])
    path = tmp_path / "b.docx"
    path.write_bytes(data)
    assert read_bytes(data, str(path)) == read_document(path)


def test_deterministic_factory():
    assert docx_bytes([P("甲", Ins("乙"), num=ARTICLE)]) == docx_bytes([P("甲", Ins("乙"), num=ARTICLE)])


def test_raw_xml_runs_in_sdt_smarttag_and_deleted_row(tmp_path):
    base = build_docx(tmp_path / "base.docx", [P("x")])
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = (
        "<w:body>"
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>控件</w:t></w:r>"
        "<w:smartTag w:uri=\"u\" w:element=\"e\"><w:r><w:t>标记</w:t></w:r></w:smartTag>"
        "<w:fldSimple w:instr=\"PAGE\"><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p></w:sdtContent></w:sdt>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>保留行</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:trPr><w:del w:id=\"9\" w:author=\"a\"/></w:trPr><w:tc><w:p><w:del w:id=\"8\" w:author=\"a\">"
        "<w:r><w:delText>删除行</w:delText></w:r></w:del></w:p></w:tc></w:tr>"
        "<w:tr><w:tc><w:p><w:r><w:t>第三行</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:p><w:r><w:t xml:space=\"preserve\">A</w:t><w:tab/><w:t>B</w:t><w:br/><w:cr/><w:noBreakHyphen/><w:softHyphen/>"
        "<w:instrText>HIDDEN</w:instrText><w:delText>X</w:delText></w:r></w:p>"
        "</w:body>"
    )
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document {w}>{body}</w:document>'
    path = replace_part(base, tmp_path / "raw.docx", "word/document.xml", xml)
    doc = read_document(path)
    assert texts(doc) == ["控件标记1", "保留行", "第三行", "A\tB\n\n-"]
    assert doc.blocks[2].table == (0, 1, 0)
    check_runs(path, doc)


def test_levels_linked_to_heading_styles(tmp_path):
    """Government templates bind 第%1章 / 第%2条 to paragraph styles through w:lvl/w:pStyle."""
    lst = NumList(Lvl("第%1章", suff="space", pstyle="Zhang"), Lvl("第%2条", suff="space", restart=0, pstyle="Tiao"))
    path = build_docx(
        tmp_path / "hs.docx",
        [P("总则", style="Zhang"), P("甲", style="Tiao"), P("附则", style="Zhang"), P("乙", style="Tiao")],
        styles=[Style("Zhang", name="章标题", num=lst, level=None), Style("Tiao", name="条标题", num=lst, level=None)],
    )
    doc = read_document(path)
    assert texts(doc) == ["第一章 总则", "第一条 甲", "第二章 附则", "第二条 乙"]
    assert [b.style for b in doc.blocks] == ["章标题", "条标题", "章标题", "条标题"]


def _numbering_xml(body: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"{body}</w:numbering>")


def _doc_xml(paras: list[tuple[str, str]]) -> str:
    ps = "".join(
        f'<w:p><w:pPr><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="{nid}"/></w:numPr></w:pPr>'
        f"<w:r><w:t>{t}</w:t></w:r></w:p>" if nid else f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>"
        for t, nid, lvl in ((t, *(spec.split(":") if spec else ("", "0"))) for t, spec in paras)
    )
    return ('<?xml version="1.0" encoding="UTF-8"?><w:document '
            'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{ps}</w:body></w:document>")


def test_raw_numbering_overrides_islgl_and_missing(tmp_path):
    base = build_docx(tmp_path / "base.docx", [P("x", num=ARTICLE)])  # has a numbering part
    lvl = ('<w:lvl w:ilvl="{i}"><w:start w:val="{s}"/><w:numFmt w:val="{f}"/>{x}<w:lvlText w:val="{t}"/></w:lvl>')
    numbering = _numbering_xml(
        '<w:abstractNum w:abstractNumId="1">'
        + lvl.format(i=0, s=1, f="chineseCounting", x="", t="第%1章")
        + lvl.format(i=1, s=1, f="decimal", x="<w:isLgl/>", t="%1.%2")
        + "</w:abstractNum>"
        '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0">'
        + lvl.format(i=0, s=5, f="decimalFullWidth", x='<w:suff w:val="nothing"/>', t="（%1）")
        + "</w:lvlOverride></w:num>"
    )
    doc_xml = _doc_xml([("章", "1:0"), ("节", "1:1"), ("节", "1:1"), ("改", "2:0"), ("无", "99:0"), ("零", "0:0")])
    p = replace_part(base, tmp_path / "n1.docx", "word/numbering.xml", numbering)
    p = replace_part(p, tmp_path / "n2.docx", "word/document.xml", doc_xml)
    assert texts(read_document(p)) == ["第一章\t章", "1.1\t节", "1.2\t节", "（５）改", "无", "零"]


def test_num_style_link(tmp_path):
    """abstractNum with w:numStyleLink takes its levels from the numbering style's list."""
    base = build_docx(tmp_path / "base.docx", [P("x", num=ARTICLE)])
    numbering = _numbering_xml(
        '<w:abstractNum w:abstractNumId="1"><w:numStyleLink w:val="TiaoList"/></w:abstractNum>'
        '<w:abstractNum w:abstractNumId="2"><w:styleLink w:val="TiaoList"/><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="chineseCounting"/><w:suff w:val="space"/><w:lvlText w:val="第%1条"/></w:lvl></w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="2"/></w:num>'
    )
    styles = ('<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="http://schemas.openxmlformats.org/'
              'wordprocessingml/2006/main"><w:style w:type="paragraph" w:default="1" w:styleId="Normal">'
              '<w:name w:val="Normal"/></w:style><w:style w:type="numbering" w:styleId="TiaoList">'
              '<w:name w:val="条文列表"/><w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style></w:styles>')
    p = replace_part(base, tmp_path / "a.docx", "word/numbering.xml", numbering)
    p = replace_part(p, tmp_path / "b.docx", "word/styles.xml", styles)
    p = replace_part(p, tmp_path / "c.docx", "word/document.xml", _doc_xml([("甲", "1:0"), ("乙", "1:0")]))
    assert texts(read_document(p)) == ["第一条 甲", "第二条 乙"]


def test_utf16_document_part(tmp_path):
    base = build_docx(tmp_path / "base.docx", [P("x")])
    xml = _doc_xml([("第一条　UTF-16 编码的正文", "")]).replace('encoding="UTF-8"', 'encoding="UTF-16"')
    p = replace_part(base, tmp_path / "u.docx", "word/document.xml", xml.encode("utf-16"))
    assert texts(read_document(p)) == ["第一条　UTF-16 编码的正文"]


def test_deleted_mark_does_not_merge_across_containers(tmp_path):
    path = build_docx(tmp_path / "pmx.docx", [
        P("表前", mark_deleted=True), Table([["格"]]), P("末段", mark_deleted=True),
    ])
    doc = read_document(path)
    assert texts(doc) == ["表前", "格", "末段"]
    assert [b.kind for b in doc.blocks] == ["paragraph", "cell", "paragraph"]
    check_runs(path, doc)


def test_slot_makers_build_what_the_constructors_build():
    from dataclasses import dataclass

    from docreview.ingest.docx import _block, _run_span, _slot_maker
    from docreview.model import Block, RunSpan

    span = _run_span(3, 7, 2)
    assert span == RunSpan(3, 7, 2) and hash(span) == hash(RunSpan(3, 7, 2)) and type(span) is RunSpan
    args = (4, "第一条　x", 10, "cell", (RunSpan(0, 1, 0),), "第一条", "Normal", (0, 1, 2), "center")
    block = _block(*args)
    assert block == Block(*args) and type(block) is Block
    with pytest.raises(AttributeError):
        block.text = "y"  # still frozen

    @dataclass(frozen=True, slots=True)
    class Other:
        a: int
        b: int
        c: int = 0

    assert _slot_maker(Other, ("a", "b")) is Other  # fields differ from what the maker expects: the class itself
