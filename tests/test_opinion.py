"""Opinion data (docreview.opinion) and the 审核意见书 .docx writer (docreview.report.word)."""

from __future__ import annotations

from datetime import date

import docx
import pytest
from docx.oxml.ns import qn

from docreview.errors import DocreviewError
from docreview.model import (
    CONCLUSION_ILLEGAL,
    CONCLUSION_OK,
    CONCLUSION_REVISE,
    Basis,
    DocumentResult,
    FilingReport,
    Finding,
    Location,
    RecipientStatus,
    Statute,
    ValidityStatus,
)
from docreview.opinion import build_opinion, collect_bases, conclude, group_findings
from docreview.report.word import write_opinion

TITLE = "某市城市户外广告设置管理办法（送审稿）"


def finding(rule_id="PM01", *, category="permit", severity="error", article=7, label="第七条第一款",
            quote="未经区城管局审批，不得设置户外广告", start=100, message="规范性文件不得设定行政许可",
            suggestion="删除该款", basis=(("中华人民共和国行政许可法", "第十七条"),), title="设定行政许可"):
    return Finding(
        rule_id=rule_id, title=title, category=category, severity=severity,
        location=Location(article=article, label=label), quote=quote, start=start,
        end=start + len(quote), message=message, suggestion=suggestion,
        basis=tuple(Basis(law, art, "") for law, art in basis), fingerprint=f"fp-{rule_id}-{start}",
    )


FINDINGS = (
    finding("FE01", category="fee", severity="warning", article=12, label="第十二条第二款",
            quote="收取设置保证金", start=400, message="规范性文件不得设定收费项目",
            suggestion="删除收取保证金的规定",
            basis=(("中华人民共和国价格法", "47"), ("中华人民共和国行政许可法", "第十七条"))),
    finding(),
    finding("PN01", category="penalty", article=7, label="第七条第二款", quote="处五千元罚款", start=150,
            message="规范性文件不得设定行政处罚", suggestion="删除罚款规定",
            basis=(("中华人民共和国行政处罚法", "第十六条"),)),
    finding("PR02", category="procedure", severity="info", article=None, label="全文", quote="", start=0,
            message="未规定有效期", suggestion="增加有效期条款", basis=()),
)

FILING = FilingReport(
    published=date(2026, 1, 20), profile="default",
    recipients=(
        RecipientStatus("上级人民政府", date(2026, 2, 4), "pending", 5, "《法规规章备案审查条例》"),
        RecipientStatus("本级人大常委会", None, "unknown", None, ""),
    ),
    validity=ValidityStatus(date(2026, 3, 1), date(2031, 2, 28), "valid"),
)


def result(findings=FINDINGS, filing=FILING) -> DocumentResult:
    st = Statute(text="", title=TITLE, doc_number="某府规〔2026〕3号", issuer="某市人民政府")
    return DocumentResult(path="draft.docx", sha256="", statute=st, findings=tuple(findings),
                          filing=filing, conclusion="")


def write(tmp_path, res, name="opinion.docx"):
    op = build_opinion(res, reviewer="某市司法局", review_date=date(2026, 1, 22), rule_count=64)
    out = tmp_path / name
    write_opinion(op, out)
    return op, docx.Document(str(out))


# --------------------------------------------------------------------------- conclude


def test_conclude_levels():
    assert conclude([]) == CONCLUSION_OK
    assert conclude([finding(severity="info")]) == CONCLUSION_OK
    assert conclude([finding(severity="warning")]) == CONCLUSION_REVISE
    assert conclude([finding(severity="error"), finding(severity="info")]) == CONCLUSION_REVISE


def test_conclude_issuer_incompetent_is_illegal():
    issuer = finding("PR05", category="procedure", severity="error", article=None, label="全文", quote="",
                     title="制定主体不合法", message="领导小组办公室属于议事协调机构的办事机构，不得制发规范性文件")
    assert conclude([issuer, finding()]) == CONCLUSION_ILLEGAL
    # the same wording as a warning (uncertain) does not make the whole document unlawful
    assert conclude([finding("PR05", category="procedure", severity="warning", title="制定主体不合法")]) \
        == CONCLUSION_REVISE
    # an error in another category that mentions an office is not an issuer finding
    assert conclude([finding(message="内设机构审批")]) == CONCLUSION_REVISE


# --------------------------------------------------------------------------- opinion data


def test_groups_in_document_order_document_level_last():
    groups = group_findings(FINDINGS)
    assert [g.heading for g in groups] == ["第七条", "第十二条", "全文"]
    assert [r.location for r in groups[0].rows] == ["第七条第一款", "第七条第二款"]


def test_bases_deduplicated_with_articles():
    bases = collect_bases(sorted(FINDINGS, key=lambda f: f.start))
    assert [b.text for b in bases] == [
        "《中华人民共和国行政许可法》第十七条",
        "《中华人民共和国行政处罚法》第十六条",
        "《中华人民共和国价格法》第四十七条",
    ]


# --------------------------------------------------------------------------- .docx


def body_texts(doc):
    return [p.text for p in doc.paragraphs]


def test_opinion_docx_sections_and_table(tmp_path):
    op, doc = write(tmp_path, result())
    texts = body_texts(doc)
    assert texts[0] == f"关于《{TITLE}》的合法性审核意见"
    assert any("某府规〔2026〕3号" in t for t in texts[:3])
    headings = [t for t in texts if t[:2] in ("一、", "二、", "三、", "四、", "五、")]
    assert headings == ["一、基本情况", "二、审核依据", "三、审核意见", "四、审核结论", "五、备案与有效期提示"]
    joined = "\n".join(texts)
    assert "64条审核规则" in joined and "行政许可" in joined
    assert "共发现需要关注的问题4处（错误2处、警告1处、提示1处）" in joined
    # 二、审核依据: each cited law once, with its articles
    assert joined.count("《中华人民共和国行政许可法》第十七条") == 1
    assert "《中华人民共和国价格法》第四十七条" in joined
    # the table: header + one row per finding, grouped by article
    assert len(doc.tables) == 1
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows[0] == ["条款", "原文", "问题", "依据", "修改建议"]
    assert len(rows) == 1 + len(FINDINGS)
    assert rows[1] == ["第七条第一款", "“未经区城管局审批，不得设置户外广告”", "【错误】规范性文件不得设定行政许可",
                       "《中华人民共和国行政许可法》第十七条", "删除该款"]
    assert [r[0] for r in rows[1:]] == ["第七条第一款", "第七条第二款", "第十二条第二款", "全文"]
    assert rows[3][3] == "《中华人民共和国价格法》第四十七条；《中华人民共和国行政许可法》第十七条"
    assert rows[3][2].startswith("【警告】")
    # conclusion
    i = texts.index("四、审核结论")
    assert texts[i + 1].startswith(CONCLUSION_REVISE)
    assert op.conclusion == CONCLUSION_REVISE
    # filing reminder: a date for the known deadline, 公布后15日内 for the unknown one
    assert "报送上级人民政府备案：2026年2月4日前" in joined
    assert "报送本级人大常委会备案：公布后15日内" in joined
    assert "有效期至2031年2月28日" in joined
    # 落款
    assert texts[-2:] == ["某市司法局", "2026年1月22日"]


def test_opinion_fonts_east_asia_on_every_run(tmp_path):
    _, doc = write(tmp_path, result())
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert len(runs) > 20
    for r in runs:
        fonts = r._r.rPr.rFonts
        assert fonts is not None and fonts.get(qn("w:eastAsia")), r.text
    title = doc.paragraphs[0].runs[0]
    assert title._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert title.font.size.pt == 22
    heading = next(p for p in doc.paragraphs if p.text == "一、基本情况").runs[0]
    assert heading._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    body = next(p for p in doc.paragraphs if p.text.startswith("送审文件名称")).runs[0]
    assert body._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    assert body.font.size.pt == 16
    # the font table declares the fallbacks
    ft = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    blob = ft.blob.decode("utf-8")
    assert 'w:name="仿宋"' in blob and "仿宋_GB2312" in blob and "FangSong_GB2312" in blob


def test_opinion_footer_page_field(tmp_path):
    _, doc = write(tmp_path, result())
    footer = doc.sections[0].footer._element
    instr = "".join(t.text or "" for t in footer.iter(qn("w:instrText")))
    assert instr.strip() == "PAGE"
    kinds = [fc.get(qn("w:fldCharType")) for fc in footer.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]


def test_clean_opinion_without_findings(tmp_path):
    op, doc = write(tmp_path, result(findings=(), filing=None))
    assert op.conclusion == CONCLUSION_OK
    assert doc.tables == []
    joined = "\n".join(body_texts(doc))
    assert "未发现需要修改的问题" in joined
    assert "未发现需要援引上位法具体条款的问题" in joined
    assert f"{CONCLUSION_OK}。" in joined
    assert "公布之日起15日内报送备案" in joined


def test_illegal_conclusion_in_docx(tmp_path):
    issuer = finding("PR05", category="procedure", severity="error", article=None, label="全文", quote="",
                     title="制定主体不合法", message="议事协调机构不得制发行政规范性文件")
    op, doc = write(tmp_path, result(findings=(issuer,)))
    texts = body_texts(doc)
    i = texts.index("四、审核结论")
    assert texts[i + 1].startswith(f"{CONCLUSION_ILLEGAL}。")
    assert "建议不予制定" in texts[i + 1]


def test_write_opinion_unwritable_path_is_e303(tmp_path):
    op = build_opinion(result(), reviewer="司法局", review_date=date(2026, 1, 22))
    with pytest.raises(DocreviewError) as ei:
        write_opinion(op, tmp_path)  # a directory
    assert ei.value.code == "E303"


def test_basis_text_merges_articles_of_one_law():
    from docreview.opinion import basis_text

    f = finding(basis=(("中华人民共和国行政强制法", "第十条第四款"), ("中华人民共和国行政强制法", "9"),
                       ("中华人民共和国行政强制法", "第十条第四款")))
    assert basis_text(f) == "《中华人民共和国行政强制法》第十条第四款、第九条"


def test_validity_line_single_full_stop():
    from docreview.opinion import validity_line

    fr = FilingReport(None, "default", (), ValidityStatus(date(2026, 3, 1), None, "missing", "未规定有效期。"))
    assert validity_line(fr) == "有效期状态：未规定有效期，施行日期2026年3月1日，未规定有效期。"


def test_notice_style_sections_group_by_top_heading():
    fs = [finding("OB01", article=None, label="二、（三）", start=50),
          finding("OB02", article=None, label="二、（一）", start=20),
          finding("FE01", article=None, label="三、", start=90)]
    groups = group_findings(fs)
    assert [(g.heading, [r.location for r in g.rows]) for g in groups] == [
        ("二、", ["二、（一）", "二、（三）"]), ("三、", ["三、"])]


def test_review_basis_list_sorts_articles_numerically() -> None:
    from docreview.model import Basis, Finding, Location
    from docreview.opinion import collect_bases

    def f(*arts: str) -> Finding:
        return Finding("CO01", "t", "coercion", "error", Location(), "q", 0, 1, "m", "s",
                       tuple(Basis("中华人民共和国行政强制法", a, "") for a in arts), "fp")

    refs = collect_bases([f("第十条第四款", "第九条"), f("第十三条"), f("第十二条")], sort_articles=True)
    assert refs[0].articles == ("第九条", "第十条第四款", "第十二条", "第十三条")
    assert collect_bases([f("第十条第四款", "第九条")])[0].articles == ("第十条第四款", "第九条")
