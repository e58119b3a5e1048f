"""Build .docx files for tests: python-docx for the package, raw XML where python-docx cannot.

Quick use::

    from tests.docxfactory import ARTICLE, P, Table, Ins, Del, Comment, build_docx

    path = build_docx(tmp_path / "d.docx", [
        P("某市户外广告设置管理办法", align="center"),
        P("为了加强管理，制定本办法。", num=ARTICLE),          # Word shows 第一条
        P("设置户外广告", Ins("，未经批准不得设置"), Del("旧文字"), "。", num=ARTICLE),   # 第二条
        Table([["收费项目", "标准"], ["占道费", "每平方米100元"]]),
        P("经营者", Comment("应当提供证明", "此处增加义务"), "。"),
    ])

Blocks (list items of ``build_docx``):
- ``str`` — a plain paragraph (``"\\t"`` becomes w:tab, ``"\\n"`` a soft line break w:br).
- ``P(*segments, style=None, align=None, num=None, level=0, mark_deleted=False)`` — a paragraph.
  ``style`` is a style id ("Heading1", "Title", or a ``Style`` you pass in ``styles``); ``align``
  is w:jc ("center", "right", "both", "left"); ``num`` a ``NumList`` (automatic numbering) at
  ``level``; ``mark_deleted`` makes the paragraph mark a tracked deletion (Word merges it with the
  next paragraph in the final view).
- ``Table(rows)`` — rows of cells; a cell is a ``str``, a ``P``, or a list of ``str | P | Table``.
  Set ``grid_before``/spans with ``Cell(content, span=2)``.

Segments of a ``P``:
- ``str`` / ``R(text, hidden=False, bold=False)`` — a run (``hidden`` sets w:vanish).
- ``Ins(text)`` / ``Del(text)`` — tracked insertion / deletion (author 起草人, fixed date);
  ``MoveFrom(text)`` / ``MoveTo(text)`` — tracked move.
- ``Comment(text, note, author="审核人")`` — a run carrying an existing Word comment.
- ``Link(text, url)`` — hyperlink; ``Field(instr, result)`` — complex field (only ``result`` shows);
  ``Sym(hexchar)`` — w:sym; ``Footnote(note)`` — a footnote reference (note text goes to footnotes.xml).

Numbering: ``NumList(*levels)`` with ``Lvl(text="第%1条", fmt="chineseCounting", start=1, suff="tab",
restart=None, pstyle=None)``; ``lst.restart(start=1, level=0)`` gives another list sharing the same
abstract definition with a w:startOverride. Ready lists: ``ARTICLE`` (第%1条 chineseCounting),
``CHAPTER`` (第%1章), ``ITEM`` (（%1）), ``DECIMAL`` (%1.), ``DUNHAO`` (%1、 chineseCounting).
Style-attached numbering: ``Style("TiaoWen", name="条文", num=ARTICLE)`` in ``styles=`` then
``P(..., style="TiaoWen")``.

``build_docx(path, blocks, *, styles=(), header=None, footer=None, core=None, a4=True) -> Path``
writes a byte-deterministic file (fixed zip timestamps); ``docx_bytes(blocks, **kw) -> bytes``.
``core`` is a dict of core properties (title, author, created as datetime).

Other helpers:
- ``build_simple(path, paragraphs, numbered=(), tables=())`` — plain paragraphs, then 第%1条 list
  paragraphs, then tables (rows of strings).
- ``replace_part(src, dst, "word/document.xml", xml)`` — copy a docx with one part replaced/added
  (raw XML cases: DOCTYPE, malformed XML, hand-written numbering.xml).
- ``zip_with(path, {name: content})`` — any zip (a "docx" without word/document.xml, bombs).
- ``ole_bytes({"EncryptionInfo": b"..", "EncryptedPackage": b".."})`` — an OLE compound file
  (password-protected .docx look-alike); ``ole_bytes({"WordDocument": b".."})`` — a legacy .doc.

Everything python-docx can open; the files are also valid input for ``docreview.ingest``.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NSDECL = f'xmlns:w="{W_NS}" xmlns:r="{R_NS}"'
_DATE = "2026-01-10T09:00:00Z"
_AUTHOR = "起草人"
_MARK = "{urn:docxfactory}c"

# --------------------------------------------------------------------------- spec types


@dataclass(frozen=True)
class R:
    text: str
    hidden: bool = False
    bold: bool = False


@dataclass(frozen=True)
class Ins:
    text: str
    author: str = _AUTHOR


@dataclass(frozen=True)
class Del:
    text: str
    author: str = _AUTHOR


@dataclass(frozen=True)
class MoveFrom:
    text: str


@dataclass(frozen=True)
class MoveTo:
    text: str


@dataclass(frozen=True)
class Comment:
    text: str
    note: str
    author: str = "审核人"


@dataclass(frozen=True)
class Link:
    text: str
    url: str = "https://www.gov.cn/"


@dataclass(frozen=True)
class Field:
    instr: str
    result: str


@dataclass(frozen=True)
class Sym:
    char: str  # hex, e.g. "2460"
    font: str = "SimSun"


@dataclass(frozen=True)
class Footnote:
    note: str


@dataclass(frozen=True)
class Lvl:
    text: str = "第%1条"
    fmt: str = "chineseCounting"
    start: int = 1
    suff: str = "tab"
    restart: int | None = None
    pstyle: str | None = None
    is_lgl: bool = False


@dataclass(frozen=True, eq=False)
class NumList:
    """A Word list (one w:num). ``base`` shares another list's abstractNum; ``overrides`` restart levels."""

    levels: tuple[Lvl, ...]
    base: NumList | None = None
    overrides: tuple[tuple[int, int], ...] = ()

    def __init__(self, *levels: Lvl, base: NumList | None = None, overrides=()) -> None:
        object.__setattr__(self, "levels", tuple(levels))
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "overrides", tuple(overrides))

    def restart(self, start: int = 1, level: int = 0) -> NumList:
        root = self.base or self
        return NumList(*root.levels, base=root, overrides=((level, start),))

    def continued(self) -> NumList:
        """Another w:num on the same abstractNum without overrides (Word continues the count)."""
        root = self.base or self
        return NumList(*root.levels, base=root)


@dataclass(frozen=True)
class Style:
    id: str
    name: str | None = None
    based_on: str = "Normal"
    num: NumList | None = None
    level: int | None = 0
    align: str | None = None


@dataclass(frozen=True)
class P:
    segments: tuple = ()
    style: str | None = None
    align: str | None = None
    num: NumList | None = None
    level: int = 0
    mark_deleted: bool = False

    def __init__(self, *segments, style=None, align=None, num=None, level=0, mark_deleted=False) -> None:
        object.__setattr__(self, "segments", tuple(segments))
        object.__setattr__(self, "style", style)
        object.__setattr__(self, "align", align)
        object.__setattr__(self, "num", num)
        object.__setattr__(self, "level", level)
        object.__setattr__(self, "mark_deleted", mark_deleted)


@dataclass(frozen=True)
class Cell:
    content: object
    span: int = 1


@dataclass(frozen=True)
class Table:
    rows: Sequence[Sequence[object]]
    widths: Sequence[int] = field(default_factory=tuple)  # twips per grid column


def _chinese_lists() -> tuple[NumList, ...]:
    return (
        NumList(Lvl("第%1条", "chineseCounting", suff="space")),
        NumList(Lvl("第%1章", "chineseCounting", suff="space")),
        NumList(Lvl("（%1）", "chineseCounting", suff="nothing")),
        NumList(Lvl("%1.", "decimal", suff="nothing")),
        NumList(Lvl("%1、", "chineseCounting", suff="nothing")),
    )


ARTICLE, CHAPTER, ITEM, DECIMAL, DUNHAO = _chinese_lists()

# --------------------------------------------------------------------------- XML writers


def _t(text: str) -> str:
    """Run content for text: tabs → w:tab, newlines → w:br."""
    out = []
    for piece in _split_keep(text):
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece == "\n":
            out.append("<w:br/>")
        elif piece:
            out.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    return "".join(out)


def _split_keep(text: str) -> list[str]:
    out, cur = [], []
    for ch in text:
        if ch in "\t\n":
            out.append("".join(cur))
            out.append(ch)
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


class _Builder:
    def __init__(self, styles: Sequence[Style], a4: bool) -> None:
        import docx

        self.doc = docx.Document()
        self.body = self.doc.element.body
        self.ids = itertools.count(1)
        self.nums: dict[int, int] = {}  # id(NumList) -> numId
        self.abstracts: dict[int, int] = {}  # id(root NumList) -> abstractNumId
        self.comments: list[tuple[object, Comment]] = []
        self.footnotes: list[str] = []
        self.links: dict[str, str] = {}
        self.tables = 0
        if a4:
            sect = self.doc.sections[0]
            from docx.shared import Mm

            sect.page_width, sect.page_height = Mm(210), Mm(297)
            sect.left_margin = sect.right_margin = Mm(26)
            sect.top_margin, sect.bottom_margin = Mm(37), Mm(35)
        for st in styles:
            self._add_style(st)

    # -- numbering
    def num_id(self, lst: NumList) -> int:
        if id(lst) in self.nums:
            return self.nums[id(lst)]
        from docx.oxml import parse_xml

        root = lst.base or lst
        numbering = self.doc.part.numbering_part.element
        if id(root) not in self.abstracts:
            aid = 100 + len(self.abstracts)
            self.abstracts[id(root)] = aid
            lvls = []
            for i, lv in enumerate(root.levels):
                extra = f'<w:lvlRestart w:val="{lv.restart}"/>' if lv.restart is not None else ""
                extra += f'<w:pStyle w:val="{lv.pstyle}"/>' if lv.pstyle else ""
                extra += "<w:isLgl/>" if lv.is_lgl else ""
                lvls.append(
                    f'<w:lvl w:ilvl="{i}"><w:start w:val="{lv.start}"/><w:numFmt w:val="{lv.fmt}"/>{extra}'
                    f'<w:suff w:val="{lv.suff}"/><w:lvlText w:val={quoteattr(lv.text)}/><w:lvlJc w:val="left"/>'
                    f'<w:pPr><w:ind w:firstLine="640"/></w:pPr></w:lvl>'
                )
            el = parse_xml(
                f'<w:abstractNum {_NSDECL} w:abstractNumId="{aid}"><w:multiLevelType w:val="multilevel"/>'
                + "".join(lvls) + "</w:abstractNum>"
            )
            first_num = numbering.find(f"{{{W_NS}}}num")
            if first_num is not None:
                first_num.addprevious(el)
            else:
                numbering.append(el)
        nid = 100 + len(self.nums)
        self.nums[id(lst)] = nid
        ov = "".join(
            f'<w:lvlOverride w:ilvl="{lvl}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
            for lvl, start in lst.overrides
        )
        numbering.append(parse_xml(
            f'<w:num {_NSDECL} w:numId="{nid}"><w:abstractNumId w:val="{self.abstracts[id(root)]}"/>{ov}</w:num>'
        ))
        return nid

    def _add_style(self, st: Style) -> None:
        from docx.oxml import parse_xml

        ppr = ""
        if st.num is not None:
            ilvl = f'<w:ilvl w:val="{st.level}"/>' if st.level is not None else ""
            ppr += f'<w:numPr>{ilvl}<w:numId w:val="{self.num_id(st.num)}"/></w:numPr>'
        if st.align:
            ppr += f'<w:jc w:val="{st.align}"/>'
        self.doc.styles.element.append(parse_xml(
            f'<w:style {_NSDECL} w:type="paragraph" w:customStyle="1" w:styleId="{st.id}">'
            f'<w:name w:val={quoteattr(st.name or st.id)}/><w:basedOn w:val="{st.based_on}"/><w:qFormat/>'
            f"<w:pPr>{ppr}</w:pPr></w:style>"
        ))

    # -- paragraphs
    def seg(self, s) -> str:
        if isinstance(s, str):
            return f"<w:r>{_t(s)}</w:r>"
        if isinstance(s, R):
            rpr = ("<w:b/>" if s.bold else "") + ("<w:vanish/>" if s.hidden else "")
            return f"<w:r>{'<w:rPr>' + rpr + '</w:rPr>' if rpr else ''}{_t(s.text)}</w:r>"
        if isinstance(s, Ins):
            return (f'<w:ins w:id="{next(self.ids)}" w:author="{s.author}" w:date="{_DATE}">'
                    f"<w:r>{_t(s.text)}</w:r></w:ins>")
        if isinstance(s, Del):
            return (f'<w:del w:id="{next(self.ids)}" w:author="{s.author}" w:date="{_DATE}">'
                    f'<w:r><w:delText xml:space="preserve">{escape(s.text)}</w:delText></w:r></w:del>')
        if isinstance(s, MoveFrom):
            return (f'<w:moveFrom w:id="{next(self.ids)}" w:author="{_AUTHOR}" w:date="{_DATE}">'
                    f'<w:r><w:delText xml:space="preserve">{escape(s.text)}</w:delText></w:r></w:moveFrom>')
        if isinstance(s, MoveTo):
            return (f'<w:moveTo w:id="{next(self.ids)}" w:author="{_AUTHOR}" w:date="{_DATE}">'
                    f"<w:r>{_t(s.text)}</w:r></w:moveTo>")
        if isinstance(s, Comment):
            self.comments.append((None, s))
            return f'<w:r xmlns:dfx="urn:docxfactory" dfx:c="{len(self.comments) - 1}">{_t(s.text)}</w:r>'
        if isinstance(s, Link):
            from docx.opc.constants import RELATIONSHIP_TYPE as RT

            rid = self.links.get(s.url) or self.doc.part.relate_to(s.url, RT.HYPERLINK, is_external=True)
            self.links[s.url] = rid
            return f'<w:hyperlink r:id="{rid}"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr>{_t(s.text)}</w:r></w:hyperlink>'
        if isinstance(s, Field):
            return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                    f'<w:r><w:instrText xml:space="preserve"> {escape(s.instr)} </w:instrText></w:r>'
                    f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r>{_t(s.result)}</w:r>'
                    f'<w:r><w:fldChar w:fldCharType="end"/></w:r>')
        if isinstance(s, Sym):
            return f'<w:r><w:sym w:font="{s.font}" w:char="{s.char}"/></w:r>'
        if isinstance(s, Footnote):
            self.footnotes.append(s.note)
            return (f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                    f'<w:footnoteReference w:id="{len(self.footnotes)}"/></w:r>')
        raise TypeError(f"unknown segment {s!r}")

    def para_xml(self, p: P | str) -> str:
        if isinstance(p, str):
            p = P(p)
        ppr = ""
        if p.style:
            ppr += f'<w:pStyle w:val="{p.style}"/>'
        if p.num is not None:
            ppr += f'<w:numPr><w:ilvl w:val="{p.level}"/><w:numId w:val="{self.num_id(p.num)}"/></w:numPr>'
        if p.align:
            ppr += f'<w:jc w:val="{p.align}"/>'
        if p.mark_deleted:
            ppr += f'<w:rPr><w:del w:id="{next(self.ids)}" w:author="{_AUTHOR}" w:date="{_DATE}"/></w:rPr>'
        return f"<w:p>{'<w:pPr>' + ppr + '</w:pPr>' if ppr else ''}{''.join(self.seg(s) for s in p.segments)}</w:p>"

    def table_xml(self, t: Table) -> str:
        ncols = max(sum(c.span if isinstance(c, Cell) else 1 for c in row) for row in t.rows)
        widths = list(t.widths) or [int(8300 / ncols)] * ncols
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        rows = []
        for row in t.rows:
            cells = []
            col = 0
            for c in row:
                span = c.span if isinstance(c, Cell) else 1
                content = c.content if isinstance(c, Cell) else c
                items = content if isinstance(content, list) else [content]
                inner = "".join(self.table_xml(i) if isinstance(i, Table) else self.para_xml(i) for i in items)
                if not items or isinstance(items[-1], Table):
                    inner += "<w:p/>"
                w = sum(widths[col:col + span])
                gs = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
                cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{gs}</w:tcPr>{inner}</w:tc>')
                col += span
            rows.append("<w:tr>" + "".join(cells) + "</w:tr>")
        borders = "".join(
            f'<w:{b} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
            for b in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        return (f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>{borders}</w:tblBorders>'
                f'<w:tblLook w:val="04A0"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>')

    def add(self, block) -> None:
        from docx.oxml import parse_xml

        xml = self.table_xml(block) if isinstance(block, Table) else self.para_xml(block)
        el = parse_xml(xml.replace("<w:tbl>", f"<w:tbl {_NSDECL}>", 1) if xml.startswith("<w:tbl>")
                       else xml.replace("<w:p>", f"<w:p {_NSDECL}>", 1) if xml.startswith("<w:p>")
                       else xml)
        self.body.sectPr.addprevious(el) if self.body.sectPr is not None else self.body.append(el)

    def finish_comments(self) -> None:
        from docx.text.paragraph import Paragraph
        from docx.text.run import Run

        for r in list(self.body.iter(f"{{{W_NS}}}r")):
            idx = r.get(_MARK)
            if idx is None:
                continue
            del r.attrib[_MARK]
            c = self.comments[int(idx)][1]
            p = next(a for a in r.iterancestors(f"{{{W_NS}}}p"))
            run = Run(r, Paragraph(p, self.doc._body))
            self.doc.add_comment(run, text=c.note, author=c.author, initials=c.author[:1])
        from lxml import etree

        etree.cleanup_namespaces(self.body)

    def finish_footnotes(self) -> None:
        if not self.footnotes:
            return
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part

        notes = "".join(
            f'<w:footnote w:id="{i}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {escape(n)}</w:t></w:r></w:p></w:footnote>'
            for i, n in enumerate(self.footnotes, 1)
        )
        xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {_NSDECL}>'
               '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
               '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
               f"</w:r></w:p></w:footnote>{notes}</w:footnotes>")
        ct = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
        part = Part(PackURI("/word/footnotes.xml"), ct, xml.encode("utf-8"), self.doc.part.package)
        self.doc.part.relate_to(part, RT.FOOTNOTES)


def docx_bytes(
    blocks: Sequence[object],
    *,
    styles: Sequence[Style] = (),
    header: str | None = None,
    footer: str | None = None,
    core: dict | None = None,
    a4: bool = True,
) -> bytes:
    """The .docx bytes for ``blocks`` (see module docstring); byte-deterministic."""
    b = _Builder(styles, a4)
    for block in blocks:
        b.add(block)
    b.finish_comments()
    b.finish_footnotes()
    if header is not None:
        b.doc.sections[0].header.paragraphs[0].text = header
    if footer is not None:
        b.doc.sections[0].footer.paragraphs[0].text = footer
    cp = b.doc.core_properties
    core = {"title": "", "author": "docreview", "created": datetime(2026, 1, 10, 9, 0, 0),
            "modified": datetime(2026, 1, 10, 9, 0, 0), "last_modified_by": "docreview",
            "revision": 1, **(core or {})}
    for k, v in core.items():
        setattr(cp, k, v)
    buf = io.BytesIO()
    b.doc.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and sorted-stable order so output is reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def build_docx(path: str | Path, blocks: Sequence[object], **kw) -> Path:
    """Write ``blocks`` to ``path`` as .docx and return the path (keyword options as ``docx_bytes``)."""
    path = Path(path)
    path.write_bytes(docx_bytes(blocks, **kw))
    return path


def build_simple(path: str | Path, paragraphs: Sequence[str], *, numbered: Sequence[str] = (),
                 tables: Sequence[Sequence[Sequence[str]]] = ()) -> Path:
    """Shortcut: plain paragraphs, then ``numbered`` paragraphs as 第%1条 list items, then tables."""
    blocks: list[object] = [P(t) for t in paragraphs]
    blocks += [P(t, num=ARTICLE) for t in numbered]
    blocks += [Table(rows) for rows in tables]
    return build_docx(path, blocks)


def zip_with(path: str | Path, parts: dict[str, bytes | str], *, compression=zipfile.ZIP_DEFLATED) -> Path:
    """Write an arbitrary zip (for malformed-docx tests): ``{member name: content}``."""
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, content in parts.items():
            zi = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            zi.compress_type = compression
            zf.writestr(zi, content.encode("utf-8") if isinstance(content, str) else content)
    return path


def replace_part(src: str | Path, dst: str | Path, name: str, content: bytes | str) -> Path:
    """Copy docx ``src`` to ``dst`` with member ``name`` replaced (or added)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    zin = zipfile.ZipFile(src)
    parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    parts[name] = data
    return zip_with(dst, parts)


def ole_bytes(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (CFB v3) holding ``streams`` at the root.

    ``{"EncryptionInfo": b"..", "EncryptedPackage": b".."}`` looks like a password-protected .docx;
    ``{"WordDocument": b".."}`` like a legacy .doc. Streams are padded to 4096 bytes so no mini
    stream is needed.
    """
    import struct

    sec = 512
    end, free, fatsect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    datas = [streams[n].ljust(4096, b"\0") for n in names]
    n_dir_entries = len(names) + 1
    dir_sectors = (n_dir_entries * 128 + sec - 1) // sec
    data_sectors = [(len(d) + sec - 1) // sec for d in datas]
    total_other = dir_sectors + sum(data_sectors)
    n_fat = 1
    while n_fat * (sec // 4) < n_fat + total_other:
        n_fat += 1
    fat: list[int] = [fatsect] * n_fat
    dir_start = len(fat)
    fat += [len(fat) + i + 1 for i in range(dir_sectors - 1)] + [end]
    starts = []
    for n in data_sectors:
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(n - 1)] + [end]
    fat += [free] * (n_fat * (sec // 4) - len(fat))

    def entry(name: str, typ: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le")
        return (raw.ljust(64, b"\0") + struct.pack("<HBB3I", len(raw), typ, 1, free, right, child)
                + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", start, size))

    entries = [entry("Root Entry", 5, 1 if names else free, free, end, 0)]
    for i, (name, data) in enumerate(zip(names, datas, strict=True)):
        right = i + 2 if i + 1 < len(names) else free
        entries.append(entry(name, 2, free, right, starts[i], len(data)))
    dirs = b"".join(entries).ljust(dir_sectors * sec, b"\0")
    difat = [*range(n_fat)] + [free] * (109 - n_fat)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, n_fat, dir_start, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", *difat))
    body = struct.pack(f"<{len(fat)}I", *fat) + dirs + b"".join(d.ljust(n * sec, b"\0") for d, n in zip(datas, data_sectors, strict=True))
    return header + body
