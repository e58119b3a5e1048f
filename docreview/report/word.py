"""Write the 合法性审核意见书 (.docx) from an ``Opinion``, in 公文 typography.

Typography (GB/T 9704 style): A4, margins 37/35/28/26 mm; title 方正小标宋简体 二号 (22pt, font table
falls back to 宋体); headings 黑体 三号; body 仿宋 三号 (16pt, font table falls back to 仿宋_GB2312 /
FangSong_GB2312); the findings table in 仿宋 小四 (12pt) so five columns fit; page number
``— N —`` (a PAGE field) centred in the footer. Every run gets ``w:rFonts/@w:eastAsia`` so Word really
uses the Chinese font for Han characters (setting only ``font.name`` changes ascii/hAnsi).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docreview.errors import E_OUTPUT, DocreviewError

if TYPE_CHECKING:
    from docreview.opinion import Opinion

BODY_FONT = "仿宋"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
FOOTER_FONT = "宋体"
# name -> (alternate name Word substitutes when the font is missing, charset, family, pitch)
FONT_FALLBACKS: dict[str, tuple[str, str, str, str]] = {
    BODY_FONT: ("仿宋_GB2312", "86", "modern", "fixed"),
    "仿宋_GB2312": ("FangSong_GB2312", "86", "modern", "fixed"),
    TITLE_FONT: ("宋体", "86", "auto", "variable"),
    HEADING_FONT: ("SimHei", "86", "modern", "fixed"),
    FOOTER_FONT: ("SimSun", "86", "auto", "variable"),
}
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
TABLE_PT = 12  # 小四
FOOTER_PT = 14  # 四号
TABLE_HEADER = ("条款", "原文", "问题", "依据", "修改建议")
TABLE_WIDTHS_MM = (22, 38, 38, 30, 28)  # sums to the 156 mm text width
SECTION_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八")


def _set_font(run, name: str, size_pt: float, *, bold: bool = False) -> None:
    """Font for all scripts, including w:eastAsia (what Word uses for Chinese)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    rpr = run._r.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    # a theme font attribute would override the explicit name
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _para(doc_or_cell, text: str = "", *, font: str = BODY_FONT, size: float = BODY_PT, bold: bool = False,
          align: str | None = None, indent: bool = False):
    """Add a paragraph with one formatted run (first-line indent of two characters if ``indent``)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc_or_cell.add_paragraph()
    if align:
        p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                       "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    if text:
        _set_font(p.add_run(text), font, size, bold=bold)
    return p


def _style_normal(doc) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt

    st = doc.styles["Normal"]
    st.font.name = BODY_FONT
    st.font.size = Pt(BODY_PT)
    fonts = st.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    pf = st.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(28)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)


def _page_setup(doc) -> None:
    from docx.shared import Mm

    for s in doc.sections:
        s.page_width, s.page_height = Mm(210), Mm(297)
        s.top_margin, s.bottom_margin = Mm(37), Mm(35)
        s.left_margin, s.right_margin = Mm(28), Mm(26)


def _add_page_number(doc) -> None:
    """Footer ``— PAGE —`` centred, as a real complex field Word updates on open."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for s in doc.sections:
        p = s.footer.paragraphs[0] if s.footer.paragraphs else s.footer.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(p.add_run("— "), FOOTER_FONT, FOOTER_PT)
        for kind, instr in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                            ("end", None)):
            r = p.add_run()
            _set_font(r, FOOTER_FONT, FOOTER_PT)
            if kind:
                fc = OxmlElement("w:fldChar")
                fc.set(qn("w:fldCharType"), kind)
                r._r.append(fc)
            elif instr == " PAGE ":
                it = OxmlElement("w:instrText")
                it.set(qn("xml:space"), "preserve")
                it.text = instr
                r._r.append(it)
            else:
                r.text = instr
        _set_font(p.add_run(" —"), FOOTER_FONT, FOOTER_PT)


def _add_font_fallbacks(doc) -> None:
    """Declare the Chinese fonts in word/fontTable.xml with ``w:altName`` substitutes."""
    from lxml import etree

    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    part = next((p for p in doc.part.package.iter_parts()
                 if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    is_xml = hasattr(part, "_element")
    root = part._element if is_xml else etree.fromstring(part.blob)
    have = {f.get(f"{{{W}}}name") for f in root.findall(f"{{{W}}}font")}
    for name, (alt, charset, family, pitch) in FONT_FALLBACKS.items():
        if name in have:
            continue
        font = etree.SubElement(root, f"{{{W}}}font")
        font.set(f"{{{W}}}name", name)
        for tag, val in (("altName", alt), ("charset", charset), ("family", family), ("pitch", pitch)):
            etree.SubElement(font, f"{{{W}}}{tag}").set(f"{{{W}}}val", val)
    if not is_xml:
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _heading(doc, n: int, text: str) -> None:
    _para(doc, f"{SECTION_NUMERALS[n]}、{text}", font=HEADING_FONT, indent=True)


def _cell(cell, text: str, *, bold: bool = False, font: str = BODY_FONT) -> None:
    """Replace a table cell's content with one formatted paragraph per line of ``text``."""
    lines = text.split("\n") or [""]
    first = cell.paragraphs[0]
    _set_font(first.add_run(lines[0]), font, TABLE_PT, bold=bold)
    first.paragraph_format.line_spacing = 1.0
    for line in lines[1:]:
        p = cell.add_paragraph()
        p.paragraph_format.line_spacing = 1.0
        _set_font(p.add_run(line), font, TABLE_PT, bold=bold)


def _findings_table(doc, opinion: Opinion) -> None:
    from docx.shared import Mm

    from docreview.model import SEVERITY_ZH

    rows = [r for g in opinion.groups for r in g.rows]
    table = doc.add_table(rows=1 + len(rows), cols=len(TABLE_HEADER))
    table.style = "Table Grid"
    table.autofit = False
    for i, h in enumerate(TABLE_HEADER):
        _cell(table.rows[0].cells[i], h, bold=True, font=HEADING_FONT)
    for ri, r in enumerate(rows, start=1):
        problem = f"【{SEVERITY_ZH.get(r.severity, r.severity)}】{r.problem}"
        texts = (r.location, f"“{r.original}”" if r.original else "—", problem, r.basis or "—",
                 r.suggestion or "—")
        for ci, t in enumerate(texts):
            _cell(table.rows[ri].cells[ci], t)
    for ci, w in enumerate(TABLE_WIDTHS_MM):
        table.columns[ci].width = Mm(w)
    for row in table.rows:
        for ci, w in enumerate(TABLE_WIDTHS_MM):
            row.cells[ci].width = Mm(w)
    # the header row repeats on every page
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = table.rows[0]._tr.get_or_add_trPr()
    hdr = OxmlElement("w:tblHeader")
    hdr.set(qn("w:val"), "true")
    trpr.append(hdr)


def _zh_date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def render(opinion: Opinion):
    """Build the python-docx Document for ``opinion`` (no IO)."""
    from docx import Document

    doc = Document()
    _style_normal(doc)
    _page_setup(doc)
    _add_font_fallbacks(doc)
    # python-docx's default template starts with no paragraphs; the title is the first one
    _para(doc, opinion.heading, font=TITLE_FONT, size=TITLE_PT, align="center")
    if opinion.doc_number:
        _para(doc, f"（送审文件文号：{opinion.doc_number}）", align="center")
    _para(doc, f"审核机构：{opinion.reviewer}　　审核日期：{_zh_date(opinion.review_date)}", align="center")
    _para(doc)

    # 一、基本情况
    _heading(doc, 0, "基本情况")
    info = f"送审文件名称：《{opinion.doc_title}》；文种：{opinion.kind}"
    if opinion.issuer:
        info += f"；制定机关：{opinion.issuer}"
    if opinion.doc_number:
        info += f"；文号：{opinion.doc_number}"
    _para(doc, info + "。", indent=True)
    scope = "本次审核对照"
    scope += f"{opinion.rule_count}条审核规则，" if opinion.rule_count else "审核规则，"
    scope += "审查了" + "、".join(opinion.categories) + "等事项。" if opinion.categories else "进行了审查。"
    _para(doc, scope, indent=True)
    n = opinion.findings_count
    if n:
        counts = "、".join(f"{k}{v}处" for k, v in opinion.counts if v)
        _para(doc, f"共发现需要关注的问题{n}处（{counts}）。", indent=True)
    else:
        _para(doc, "未发现需要修改的问题。", indent=True)
    if opinion.suppressed:
        _para(doc, f"另有{opinion.suppressed}处已记入基线、本次未列出。", indent=True)

    # 二、审核依据
    _heading(doc, 1, "审核依据")
    _para(doc, "依据《国务院办公厅关于全面推行行政规范性文件合法性审核机制的指导意见》"
               "（国办发〔2018〕115号）开展审核，审核意见援引以下法律、法规和文件：", indent=True)
    if opinion.bases:
        for i, b in enumerate(opinion.bases, start=1):
            _para(doc, f"{i}. {b.text}", indent=True)
    else:
        _para(doc, "本次审核未发现需要援引上位法具体条款的问题。", indent=True)

    # 三、审核意见
    _heading(doc, 2, "审核意见")
    if n:
        where = "、".join(g.heading for g in opinion.groups)
        _para(doc, f"经逐条审查，以下条款存在问题（涉及{where}），具体意见如下：", indent=True)
        _findings_table(doc, opinion)
    else:
        _para(doc, "经逐条审查，未发现该文件存在违法设定行政许可、行政处罚、行政强制、收费，"
                   "违法增加义务或者减损权利，以及排除、限制竞争等问题。", indent=True)

    # 四、审核结论
    _heading(doc, 3, "审核结论")
    p = _para(doc, indent=True)
    _set_font(p.add_run(f"{opinion.conclusion}。"), BODY_FONT, BODY_PT, bold=True)
    _set_font(p.add_run(opinion.conclusion_text), BODY_FONT, BODY_PT)

    # 五、备案与有效期提示
    _heading(doc, 4, "备案与有效期提示")
    for line in opinion.filing_lines:
        _para(doc, line, indent=True)
    _para(doc, opinion.validity_line, indent=True)

    # 落款
    _para(doc)
    _para(doc, opinion.reviewer, align="right")
    _para(doc, _zh_date(opinion.review_date), align="right")
    _add_page_number(doc)
    return doc


def write_opinion(opinion: Opinion, path: Path) -> None:
    """Write the opinion .docx to ``path`` (E303 when it cannot be written)."""
    doc = render(opinion)
    path = Path(path)
    try:
        doc.save(str(path))
    except OSError as exc:
        raise DocreviewError(E_OUTPUT, str(path), f"无法写出审核意见书：{exc.strerror or exc}") from None
