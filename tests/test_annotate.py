"""Annotated copy of the draft (docreview.report.annotate): comments on exactly the matched runs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from docreview.errors import DocreviewError
from docreview.ingest import read_document
from docreview.ingest.docx import iter_body_runs, run_text
from docreview.model import Basis, Finding, Location, SourceDoc
from docreview.report.annotate import split_run, write_annotated

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _p(inner: str) -> object:
    return parse_xml(f"<w:p {nsdecls('w')}>{inner}</w:p>")


def _r(text: str, rpr: str = "") -> str:
    return f'<w:r>{f"<w:rPr>{rpr}</w:rPr>" if rpr else ""}<w:t xml:space="preserve">{text}</w:t></w:r>'


def build_draft(path: Path) -> Path:
    """A draft with: split runs, bold formatting, a table, a tracked insertion/deletion, a comment."""
    d = docx.Document()
    d.add_paragraph("某市城市户外广告设置管理办法")
    body = d.element.body
    sect = body[-1]  # w:sectPr stays last
    paras = [
        # the match 未经城管部门审批 spans run boundaries: 未经城管 | 部门审批，不得设置户外广告。
        _p(_r("第五条　", "<w:b/>") + _r("未经城管") + _r("部门审批，不得设置户外广告。", '<w:color w:val="FF0000"/>')),
        # tracked insertion containing a violating phrase, plus a tracked deletion
        _p(_r("第六条　设置人应当")
           + '<w:ins w:id="91" w:author="起草人" w:date="2026-01-10T00:00:00Z">'
           + _r("缴纳五千元保证金并", "<w:i/>") + "</w:ins>"
           + '<w:del w:id="92" w:author="起草人" w:date="2026-01-10T00:00:00Z">'
           + '<w:r><w:delText>按时</w:delText></w:r></w:del>'
           + _r("办理登记。")),
        _p(_r("第七条　违反本办法规定的，由城管部门处一万元罚款。")),
    ]
    for p in paras:
        sect.addprevious(p)
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text = "收费项目"
    t.cell(0, 1).text = "标准"
    t.cell(1, 0).text = "户外广告审查费"
    t.cell(1, 1).text = "每平方米200元"
    last = d.add_paragraph("本办法自2026年3月1日起施行。")
    # an existing reviewer comment on the last paragraph
    d.add_comment(last.runs, text="请核对施行日期", author="张三", initials="ZS")
    d.save(str(path))
    return path


def finding(source: SourceDoc, quote: str, rule_id: str = "PM01", nth: int = 0) -> Finding:
    """A finding at the real offset of ``quote`` in the ingested text (as the engine would report)."""
    start = -1
    for _ in range(nth + 1):
        start = source.text.find(quote, start + 1)
    assert start >= 0, quote
    return Finding(
        rule_id=rule_id, title="设定行政许可", category="permit", severity="error",
        location=Location(article=5, label="第五条"), quote=quote, start=start, end=start + len(quote),
        message="规范性文件不得设定行政许可", suggestion="删除该规定",
        basis=(Basis("中华人民共和国行政许可法", "第十七条", ""),), fingerprint=f"fp-{rule_id}-{start}",
    )


def anchored_texts(path: Path) -> dict[str, str]:
    """comment id -> text of the visible runs between its commentRangeStart and commentRangeEnd."""
    d = docx.Document(str(path))
    body = d.element.body
    visible = {id(r): r for r in iter_body_runs(body)}
    visible_set = set(visible)
    open_ids: list[str] = []
    out: dict[str, str] = {}
    for el in body.iter():
        if el.tag == qn("w:commentRangeStart"):
            open_ids.append(el.get(qn("w:id")))
            out.setdefault(el.get(qn("w:id")), "")
        elif el.tag == qn("w:commentRangeEnd"):
            open_ids.remove(el.get(qn("w:id")))
        elif el.tag == qn("w:r") and id(el) in visible_set:
            for cid in open_ids:
                out[cid] += run_text(el)
    return out


def comments(path: Path) -> dict[str, tuple[str, str]]:
    """comment id -> (author, text)."""
    d = docx.Document(str(path))
    return {str(c.comment_id): (c.author, c.text) for c in d.comments}


@pytest.fixture
def draft(tmp_path) -> tuple[Path, SourceDoc]:
    src = build_draft(tmp_path / "draft.docx")
    return src, read_document(src)


def test_comments_on_exact_words(draft, tmp_path):
    src, source = draft
    before = src.read_bytes()
    fs = [
        finding(source, "未经城管部门审批", "PM01"),  # spans two runs
        finding(source, "缴纳五千元保证金", "FE01"),  # inside the tracked insertion
        finding(source, "户外广告审查费", "FE02"),  # table cell
        finding(source, "处一万元罚款", "PN01"),  # inside one run, both ends cut
    ]
    out = tmp_path / "annotated.docx"
    n = write_annotated(src, fs, source, out)
    assert n == len(fs)
    assert src.read_bytes() == before  # input untouched

    cs = comments(out)
    assert len(cs) == len(fs) + 1  # + the existing comment
    assert ("张三", "请核对施行日期") in cs.values()
    anchored = anchored_texts(out)
    mine = {cid: txt for cid, txt in anchored.items() if cs[cid][0] == "docreview"}
    assert sorted(mine.values()) == sorted(f.quote for f in fs)
    # the existing comment still covers its words
    existing = next(cid for cid, (a, _) in cs.items() if a == "张三")
    assert anchored[existing] == "本办法自2026年3月1日起施行。"
    # comment text: title, problem, basis, suggestion
    text = next(t for a, t in cs.values() if a == "docreview")
    assert "设定行政许可" in text and "问题：规范性文件不得设定行政许可" in text
    assert "依据：《中华人民共和国行政许可法》第十七条" in text and "建议：删除该规定" in text

    # the body text Word shows is unchanged
    after = read_document(out)
    assert after.text == source.text
    assert [b.kind for b in after.blocks] == [b.kind for b in source.blocks]


def test_split_keeps_formatting_and_tracked_changes(draft, tmp_path):
    src, source = draft
    out = tmp_path / "annotated.docx"
    write_annotated(src, [finding(source, "五千元保证金"), finding(source, "处一万元罚款")], source, out)
    body = docx.Document(str(out)).element.body
    ins = body.find(f".//{{{W}}}ins")
    # the insertion was split into 缴纳 | 五千元保证金 | 并 — all three still inside the same w:ins, italic
    runs = [r for r in ins.iter(qn("w:r")) if run_text(r)]
    assert [run_text(r) for r in runs] == ["缴纳", "五千元保证金", "并"]
    assert all(r.find(f"{qn('w:rPr')}/{qn('w:i')}") is not None for r in runs)
    assert ins.find(qn("w:commentRangeStart")) is not None
    assert ins.get(qn("w:author")) == "起草人"
    # the deletion is still there, untouched
    dels = body.findall(f".//{{{W}}}del")
    assert len(dels) == 1 and "".join(dels[0].itertext()) == "按时"
    # the red run keeps its colour after splitting 第五条 is not touched
    red = [r for r in body.iter(qn("w:r")) if r.find(f"{qn('w:rPr')}/{qn('w:color')}") is not None]
    assert [run_text(r) for r in red] == ["部门审批，不得设置户外广告。"]


def test_two_findings_in_one_run_and_nested(draft, tmp_path):
    src, source = draft
    outer = finding(source, "由城管部门处一万元罚款", "PN01")
    inner = finding(source, "一万元", "PN02")
    same = finding(source, "未经城管部门审批", "PM02")
    out = tmp_path / "a.docx"
    assert write_annotated(src, [outer, inner, same, finding(source, "未经城管部门审批", "PM03")],
                           source, out) == 4
    got = sorted(t for t in anchored_texts(out).values())
    assert got == sorted(["由城管部门处一万元罚款", "一万元", "未经城管部门审批", "未经城管部门审批",
                          "本办法自2026年3月1日起施行。"])
    assert read_document(out).text == source.text


def test_document_level_finding_anchors_on_nearest_block(draft, tmp_path):
    src, source = draft
    doc_level = Finding(
        rule_id="PR02", title="未规定有效期", category="procedure", severity="warning",
        location=Location(label="全文"), quote="", start=0, end=0, message="未规定有效期",
        suggestion="增加有效期条款", basis=(), fingerprint="fp",
    )
    out = tmp_path / "a.docx"
    assert write_annotated(src, [doc_level], source, out) == 1
    anchored = [t for cid, t in anchored_texts(out).items() if comments(out)[cid][0] == "docreview"]
    assert anchored == ["某市城市户外广告设置管理办法"]  # the first run of the first block


def test_refuses_to_overwrite_source(draft):
    src, source = draft
    before = src.read_bytes()
    with pytest.raises(DocreviewError) as ei:
        write_annotated(src, [finding(source, "未经城管")], source, src)
    assert ei.value.code == "E303"
    with pytest.raises(DocreviewError):
        write_annotated(src, [], source, src.parent / "." / src.name)
    assert src.read_bytes() == before


def test_refuses_stale_source(draft, tmp_path):
    src, source = draft
    other = build_draft(tmp_path / "other.docx")
    d = docx.Document(str(other))
    d.add_paragraph("新增一段")
    d.save(str(other))
    with pytest.raises(DocreviewError) as ei:
        write_annotated(other, [], source, tmp_path / "o.docx")
    assert ei.value.code == "E303"
    assert hashlib.sha256(src.read_bytes()).hexdigest() == source.sha256


def test_split_run_unit():
    r = parse_xml(f'<w:r {nsdecls("w")} w:rsidR="00AB"><w:rPr><w:b/></w:rPr><w:t>甲乙</w:t><w:tab/>'
                  f'<w:t>丙丁</w:t></w:r>')
    p = parse_xml(f"<w:p {nsdecls('w')}/>")
    p.append(r)
    right = split_run(r, 4, run_text)  # 甲乙\t丙 | 丁
    assert run_text(r) == "甲乙\t丙" and run_text(right) == "丁"
    mid = split_run(r, 2, run_text)  # 甲乙 | \t丙
    assert [run_text(x) for x in p] == ["甲乙", "\t丙", "丁"]
    assert all(x.find(qn("w:rPr")) is not None and x.get(qn("w:rsidR")) == "00AB" for x in p)
    assert mid.getnext() is right


NUMBERING = (
    '<w:abstractNum {ns} w:abstractNumId="90"><w:multiLevelType w:val="singleLevel"/>'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
    '<w:suff w:val="space"/><w:lvlText w:val="第%1条"/><w:lvlJc w:val="left"/></w:lvl></w:abstractNum>'
)


def build_numbered(path: Path) -> Path:
    """Articles auto-numbered 第%1条 (chineseCounting): the label characters have no runs."""
    d = docx.Document()
    numbering = d.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    absn = parse_xml(NUMBERING.format(ns=nsdecls("w")))
    (first_num.addprevious(absn) if first_num is not None else numbering.append(absn))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    d.add_paragraph("某市管理办法")
    for text in ("为了规范管理，制定本办法。", "申请人应当提供无犯罪记录证明。"):
        p = d.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>'))
    d.add_paragraph("本办法自2026年3月1日起施行。")
    d.save(str(path))
    return path


def test_label_characters_and_cross_block_spans(tmp_path):
    src = build_numbered(tmp_path / "n.docx")
    source = read_document(src)
    assert "第二条 申请人应当提供无犯罪记录证明。" in source.text  # ingest resolved the label
    label_only = finding(source, "第二条", "PR09")  # label characters only: no runs
    partly = finding(source, "第二条 申请人", "OB01")  # label + words: anchored on the words
    across = finding(source, "制定本办法。\n第二条 申请人", "OB02")  # two paragraphs
    out = tmp_path / "a.docx"
    assert write_annotated(src, [label_only, partly, across], source, out) == 3
    cs = comments(out)
    by_rule = {cs[cid][1].split("（")[1].split("）")[0]: txt for cid, txt in anchored_texts(out).items()}
    # the label-only finding falls back to the first run of its own block (the whole paragraph here)
    assert by_rule["PR09"] == "申请人应当提供无犯罪记录证明。"
    assert by_rule["OB01"] == "申请人"
    assert by_rule["OB02"] == "制定本办法。申请人"
    assert read_document(out).text == source.text


def test_every_substring_kind_across_a_rich_draft(tmp_path):
    """Many findings at once over hyperlinks, fields, moves, nested tables, numbering, comments."""
    from tests.docxfactory import (
        ARTICLE,
        Comment,
        Del,
        Field,
        Ins,
        Link,
        MoveFrom,
        MoveTo,
        P,
        R,
        Table,
        build_docx,
    )

    src = build_docx(tmp_path / "rich.docx", [
        P("某市户外广告设置管理办法", align="center"),
        P("为了加强管理，", R("制定本办法", bold=True), "。", num=ARTICLE),
        P("设置户外广告", Ins("，未经批准不得设置"), Del("旧文字"), "，详见", Link("市政府网站", "http://x.cn"),
          "。", num=ARTICLE),
        P("经营者", Comment("应当提供证明", "此处增加义务"), "，并", MoveTo("按时缴费"), MoveFrom("按时缴费"),
          "，共", Field(" PAGE ", "3"), "项。", num=ARTICLE),
        Table([["收费项目", "标准"], ["占道费", ["每平方米100元", Table([["内层表格收费", "50元"]])]]]),
        "本办法自2026年3月1日起施行。",
    ])
    source = read_document(src)
    quotes = ["制定本办法", "管理，制定", "未经批准不得设置", "广告，未经", "详见市政府网站。", "政府",
              "应当提供证明", "经营者应当", "证明，并按时缴费", "共3项", "占道费", "100", "内层表格收费",
              "每平方米100元", "2026年3月1日"]
    fs = [finding(source, q, f"R{i:02d}") for i, q in enumerate(quotes)]
    out = tmp_path / "out.docx"
    before = src.read_bytes()
    assert write_annotated(src, fs, source, out) == len(fs)
    assert src.read_bytes() == before
    cs = comments(out)
    anchored = anchored_texts(out)
    got = {cs[cid][1].split("（")[1].split("）")[0]: txt for cid, txt in anchored.items()
           if cs[cid][0] == "docreview"}
    assert got == {f.rule_id: f.quote for f in fs}
    assert ("审核人", "此处增加义务") in cs.values()
    after = read_document(out)
    assert after.text == source.text
    assert [(b.kind, b.table, b.label) for b in after.blocks] == \
        [(b.kind, b.table, b.label) for b in source.blocks]
    body = docx.Document(str(out)).element.body
    assert "".join(body.find(f".//{{{W}}}del").itertext()) == "旧文字"
    assert body.find(f".//{{{W}}}moveFrom") is not None
    assert body.find(f".//{{{W}}}hyperlink") is not None


def test_text_draft_cannot_be_annotated(tmp_path):
    txt = tmp_path / "draft.txt"
    txt.write_text("第一条 未经批准不得设置。", encoding="utf-8")
    source = read_document(txt)
    with pytest.raises(DocreviewError) as ei:
        write_annotated(txt, [finding(source, "未经批准")], source, tmp_path / "o.docx")
    assert ei.value.code == "E301"
    assert not (tmp_path / "o.docx").exists()
