"""Read a .docx body as Word displays it (final view of tracked changes, automatic numbering).

The walk is plain lxml so it works both on a tree parsed here and on python-docx's
``Document(...).element.body`` (whose elements are lxml elements). ``iter_body_runs`` defines the
document-wide run sequence that ``RunSpan.run`` indexes; ``run_text`` defines the characters of
one run. Both the reader and the Word-comment writer rely on them, so they must never diverge.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field

from docreview.errors import E_CORRUPT, DocreviewError
from docreview.ingest.safety import DEFAULT_LIMITS, Limits, SafeZip, parse_xml
from docreview.model import Block, RunSpan

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
RT_OFFICE_DOC = "/officeDocument"

# Containers inside a paragraph whose runs are shown; w:del / w:moveFrom are not.
_INLINE_CONTAINERS = {
    W + "ins", W + "moveTo", W + "hyperlink", W + "smartTag", W + "fldSimple", W + "customXml",
    W + "dir", W + "bdo", W + "sdtContent",
}
_INLINE_HIDDEN = {W + "del", W + "moveFrom"}
# Block-level wrappers whose children are paragraphs/tables.
_BLOCK_CONTAINERS = {W + "sdtContent", W + "customXml", W + "ins", W + "moveTo"}


def _val(el, attr: str = "val") -> str | None:
    return None if el is None else el.get(W + attr)


def _on(el) -> bool:
    """A w:ST_OnOff toggle element: present and not val=false/0/off."""
    return el is not None and _val(el) not in ("0", "false", "off")


# --------------------------------------------------------------------------- runs


def run_text(r) -> str:
    """The characters run ``r`` contributes, exactly as RunSpan offsets count them.

    w:t → its text, w:tab/w:ptab → "\\t", w:br/w:cr → "\\n", w:noBreakHyphen → "-", w:softHyphen → "",
    w:sym → its character (nothing for private-use symbol-font codes); w:delText, w:instrText,
    drawings, field characters and note/comment references contribute nothing.
    """
    out: list[str] = []
    for ch in r:
        tag = ch.tag
        if tag == W + "t":
            out.append(ch.text or "")
        elif tag in (W + "tab", W + "ptab"):
            out.append("\t")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        elif tag == W + "sym":
            code = ch.get(W + "char") or ""
            try:
                cp = int(code, 16)
            except ValueError:
                continue
            if not (0xE000 <= cp <= 0xF8FF) and 0 < cp < 0x110000:
                out.append(chr(cp))
    return "".join(out)


def _child(el, tag: str):
    """First child of ``el`` with ``tag`` (as ``el.find(tag)``, about 2.5× faster), or None."""
    return next(el.iterchildren(tag), None)


def _run_hidden(r) -> bool:
    rpr = _child(r, W + "rPr")
    return rpr is not None and (_on(_child(rpr, W + "vanish")) or _on(_child(rpr, W + "specVanish")))


def _para_runs(p, may_hide: bool = True) -> Iterator:
    """Visible w:r of one paragraph in order (not descending into runs, so text boxes are skipped).

    ``may_hide=False`` (the part contains no ``vanish`` at all) skips the per-run hidden test.
    """
    stack = [iter(p)]
    while stack:
        for el in stack[-1]:
            tag = el.tag
            if tag == W + "r":
                if not (may_hide and _run_hidden(el)):
                    yield el
            elif tag in _INLINE_CONTAINERS:
                stack.append(iter(el))
                break
            elif tag == W + "sdt":
                content = el.find(W + "sdtContent")
                if content is not None:
                    stack.append(iter(content))
                    break
            elif tag == MC + "AlternateContent":
                choice = el.find(MC + "Choice")
                if choice is None:
                    choice = el.find(MC + "Fallback")
                if choice is not None:
                    stack.append(iter(choice))
                    break
            # w:del, w:moveFrom, w:pPr, bookmarks, proofErr, oMath ...: nothing shown here
        else:
            stack.pop()


@dataclass(frozen=True, slots=True)
class _Para:
    p: object
    table: tuple[int, int, int] | None


def _row_deleted(tr) -> bool:
    trpr = tr.find(W + "trPr")
    return trpr is not None and trpr.find(W + "del") is not None


def _iter_paragraphs(container, counter: list[int], table: tuple[int, int, int] | None = None) -> Iterator[_Para]:
    """Body paragraphs and table-cell paragraphs in reading order (nested tables recursively)."""
    for el in container:
        tag = el.tag
        if tag == W + "p":
            yield _Para(el, table)
        elif tag == W + "tbl":
            tno = counter[0]
            counter[0] += 1
            yield from _iter_table(el, tno, counter)
        elif tag in _BLOCK_CONTAINERS:
            yield from _iter_paragraphs(el, counter, table)
        elif tag == W + "sdt":
            content = el.find(W + "sdtContent")
            if content is not None:
                yield from _iter_paragraphs(content, counter, table)
        elif tag == MC + "AlternateContent":
            choice = el.find(MC + "Choice")
            if choice is None:
                choice = el.find(MC + "Fallback")
            if choice is not None:
                yield from _iter_paragraphs(choice, counter, table)


def _iter_rows(tbl) -> Iterator:
    for el in tbl:
        if el.tag == W + "tr":
            yield el
        elif el.tag in (W + "sdt", W + "customXml"):
            inner = el.find(W + "sdtContent") if el.tag == W + "sdt" else el
            if inner is not None:
                yield from _iter_rows(inner)


def _iter_cells(tr) -> Iterator:
    for el in tr:
        if el.tag == W + "tc":
            yield el
        elif el.tag in (W + "sdt", W + "customXml"):
            inner = el.find(W + "sdtContent") if el.tag == W + "sdt" else el
            if inner is not None:
                yield from _iter_cells(inner)


def _iter_table(tbl, tno: int, counter: list[int]) -> Iterator[_Para]:
    row_no = 0
    for tr in _iter_rows(tbl):
        if _row_deleted(tr):
            continue
        trpr = tr.find(W + "trPr")
        before = _val(trpr.find(W + "gridBefore")) if trpr is not None else None
        col = int(before) if before and before.isdigit() else 0
        for tc in _iter_cells(tr):
            yield from _iter_paragraphs(tc, counter, (tno, row_no, col))
            tcpr = tc.find(W + "tcPr")
            span = _val(tcpr.find(W + "gridSpan")) if tcpr is not None else None
            col += int(span) if span and span.isdigit() and int(span) > 0 else 1
        row_no += 1


def iter_body_paragraphs(body) -> Iterator[tuple[object, tuple[int, int, int] | None]]:
    """``(w:p, table position or None)`` for every paragraph Word shows in the body, in reading order."""
    for para in _iter_paragraphs(body, [0]):
        yield para.p, para.table


def iter_body_runs(body) -> Iterator:
    """The document-wide sequence of visible ``w:r`` elements in reading order.

    Body paragraphs and table cells (recursively), runs inside w:ins / w:moveTo / hyperlinks /
    smartTags / content controls / simple fields included; w:del / w:moveFrom and hidden (w:vanish)
    runs excluded. ``RunSpan.run`` is an index into this sequence. Works on an lxml tree and on
    python-docx's ``Document(...).element.body``.
    """
    for p, _table in iter_body_paragraphs(body):
        yield from _para_runs(p)


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True, slots=True)
class _Style:
    name: str
    based_on: str | None
    num_id: str | None
    ilvl: int | None
    jc: str | None


@dataclass(frozen=True, slots=True)
class Styles:
    by_id: dict[str, _Style] = field(default_factory=dict)
    default_para: str | None = None

    def chain(self, style_id: str | None) -> Iterator[tuple[str, _Style]]:
        seen: set[str] = set()
        sid = style_id or self.default_para
        while sid and sid in self.by_id and sid not in seen:
            seen.add(sid)
            st = self.by_id[sid]
            yield sid, st
            sid = st.based_on


def parse_styles(root) -> Styles:
    by_id: dict[str, _Style] = {}
    default = None
    if root is None:
        return Styles()
    for st in root.iter(W + "style"):
        sid = st.get(W + "styleId")
        if not sid:
            continue
        if st.get(W + "type") == "paragraph" and _on_attr(st.get(W + "default")):
            default = sid
        ppr = st.find(W + "pPr")
        num_id = ilvl = jc = None
        if ppr is not None:
            numpr = ppr.find(W + "numPr")
            if numpr is not None:
                num_id = _val(numpr.find(W + "numId"))
                il = _val(numpr.find(W + "ilvl"))
                ilvl = int(il) if il and il.isdigit() else None
            jc = _val(ppr.find(W + "jc"))
        name = _val(st.find(W + "name")) or sid
        by_id[sid] = _Style(name, _val(st.find(W + "basedOn")), num_id, ilvl, jc)
    return Styles(by_id, default)


def _on_attr(v: str | None) -> bool:
    return v in ("1", "true", "on")


# --------------------------------------------------------------------------- numbering

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_GAN = "甲乙丙丁戊己庚辛壬癸"
_ZHI = "子丑寅卯辰巳午未申酉戌亥"
_DIGITS_ZH = "〇一二三四五六七八九"


def _roman(n: int) -> str:
    vals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = []
    for v, s in vals:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def _letters(n: int) -> str:
    # Word: a..z, aa..zz, aaa..
    if n <= 0:
        return ""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


@functools.lru_cache(maxsize=4096)
def format_number(n: int, fmt: str) -> str:
    """Format counter ``n`` in Word numFmt ``fmt`` (chineseCounting 11 → 十一, decimalFullWidth 3 → ３)."""
    from docreview.cnnum import an2cn

    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "koreanCounting", "ideographLegalTraditional") or fmt == "taiwaneseCountingThousand":
        return an2cn(n, "low") if n >= 0 else str(n)
    if fmt in ("chineseLegalSimplified", "japaneseLegal"):
        return an2cn(n, "up") if n >= 0 else str(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_DIGITS_ZH[int(d)] for d in str(n)) if n >= 0 else str(n)
    if fmt == "ideographTraditional":
        return _GAN[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return _ZHI[(n - 1) % 12] if n > 0 else str(n)
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle"):
        return _CIRCLED[n - 1] if 1 <= n <= 20 else str(n)
    if fmt == "decimalEnclosedFullstop":
        return f"{n}."
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt in ("none", "bullet"):
        return ""
    return str(n)  # decimal and anything unknown


@dataclass(frozen=True, slots=True)
class Level:
    start: int = 0
    fmt: str = "decimal"
    text: str = ""
    suff: str = "tab"
    restart: int | None = None  # w:lvlRestart (1-based level after which to restart; 0 = never)
    is_lgl: bool = False
    pstyle: str | None = None


def _parse_level(lvl) -> Level:
    start = _val(lvl.find(W + "start"))
    restart = _val(lvl.find(W + "lvlRestart"))
    return Level(
        start=int(start) if start and start.lstrip("-").isdigit() else 0,
        fmt=_val(lvl.find(W + "numFmt")) or "decimal",
        text=_val(lvl.find(W + "lvlText")) or "",
        suff=_val(lvl.find(W + "suff")) or "tab",
        restart=int(restart) if restart and restart.isdigit() else None,
        is_lgl=_on(lvl.find(W + "isLgl")),
        pstyle=_val(lvl.find(W + "pStyle")),
    )


@dataclass(frozen=True, slots=True)
class Numbering:
    """numbering.xml: abstract definitions and num instances (with level overrides)."""

    abstract: dict[str, dict[int, Level]] = field(default_factory=dict)
    abstract_style_link: dict[str, str] = field(default_factory=dict)  # abstractNumId -> numStyleLink
    nums: dict[str, str] = field(default_factory=dict)  # numId -> abstractNumId
    overrides: dict[str, dict[int, tuple[int | None, Level | None]]] = field(default_factory=dict)


def parse_numbering(root) -> Numbering:
    if root is None:
        return Numbering()
    abstract: dict[str, dict[int, Level]] = {}
    links: dict[str, str] = {}
    for an in root.iter(W + "abstractNum"):
        aid = an.get(W + "abstractNumId")
        levels = {}
        for lvl in an.findall(W + "lvl"):
            il = lvl.get(W + "ilvl")
            if il and il.isdigit():
                levels[int(il)] = _parse_level(lvl)
        abstract[aid] = levels
        link = _val(an.find(W + "numStyleLink"))
        if link:
            links[aid] = link
    nums: dict[str, str] = {}
    overrides: dict[str, dict[int, tuple[int | None, Level | None]]] = {}
    for num in root.iter(W + "num"):
        nid = num.get(W + "numId")
        aid = _val(num.find(W + "abstractNumId"))
        if nid is None or aid is None:
            continue
        nums[nid] = aid
        ov: dict[int, tuple[int | None, Level | None]] = {}
        for lo in num.findall(W + "lvlOverride"):
            il = lo.get(W + "ilvl")
            if not (il and il.isdigit()):
                continue
            so = _val(lo.find(W + "startOverride"))
            lvl = lo.find(W + "lvl")
            ov[int(il)] = (
                int(so) if so and so.lstrip("-").isdigit() else None,
                _parse_level(lvl) if lvl is not None else None,
            )
        if ov:
            overrides[nid] = ov
    return Numbering(abstract, links, nums, overrides)


class NumberingState:
    """Counters while walking the body. Lists sharing an abstractNum continue one sequence, as in Word;
    a num with w:startOverride restarts the overridden levels the first time it is used."""

    def __init__(self, numbering: Numbering, styles: Styles) -> None:
        self.n = numbering
        self.styles = styles
        self.counters: dict[str, dict[int, int]] = {}
        self.seen: set[str] = set()

    def _abstract_id(self, num_id: str) -> str | None:
        aid = self.n.nums.get(num_id)
        # numStyleLink: the abstractNum is defined through a numbering style's numPr
        for _ in range(3):
            if aid is None or aid not in self.n.abstract_style_link:
                break
            sid = self.n.abstract_style_link[aid]
            st = self.styles.by_id.get(sid)
            if st is None or not st.num_id:
                break
            aid = self.n.nums.get(st.num_id)
        return aid

    def level(self, num_id: str, ilvl: int) -> Level | None:
        ov = self.n.overrides.get(num_id, {}).get(ilvl)
        if ov and ov[1] is not None:
            return ov[1]
        aid = self._abstract_id(num_id)
        return self.n.abstract.get(aid, {}).get(ilvl) if aid is not None else None

    def label(self, num_id: str, ilvl: int) -> tuple[str, str]:
        """Advance the counter for (num, level) and return ``(label, suffix)``."""
        aid = self._abstract_id(num_id)
        lvl = self.level(num_id, ilvl)
        if aid is None or lvl is None:
            return "", ""
        counts = self.counters.setdefault(aid, {})
        overrides = self.n.overrides.get(num_id, {})
        if num_id not in self.seen:
            self.seen.add(num_id)
            for il, (so, lv) in overrides.items():
                if so is not None or lv is not None:
                    counts.pop(il, None)
        if ilvl in counts:
            counts[ilvl] += 1
        else:
            counts[ilvl] = self._start(num_id, ilvl)
        for deeper in [k for k in counts if k > ilvl]:
            dl = self.level(num_id, deeper)
            rv = dl.restart if dl is not None else None
            if rv is None or (rv != 0 and ilvl + 1 <= rv):
                del counts[deeper]
        if lvl.fmt == "bullet":
            return "", ""
        text = lvl.text
        for k in range(9):
            ph = f"%{k + 1}"
            if ph in text:
                kl = self.level(num_id, k) or lvl
                value = counts.get(k, self._start(num_id, k))
                fmt = "decimal" if (lvl.is_lgl and k != ilvl) else kl.fmt
                text = text.replace(ph, format_number(value, fmt))
        suff = {"tab": "\t", "space": " ", "nothing": ""}.get(lvl.suff, "\t")
        return text, (suff if text else "")

    def _start(self, num_id: str, ilvl: int) -> int:
        ov = self.n.overrides.get(num_id, {}).get(ilvl)
        if ov and ov[0] is not None:
            return ov[0]
        lvl = self.level(num_id, ilvl)
        return lvl.start if lvl is not None else 0


def _para_numbering(style_id: str | None, numpr, styles: Styles, state: NumberingState) -> tuple[str, int] | None:
    """(numId, ilvl) attached to a paragraph (its w:pStyle value and w:numPr) directly or via its style chain."""
    num_id = ilvl = None
    if numpr is not None:
        num_id = _val(_child(numpr, W + "numId"))
        il = _val(_child(numpr, W + "ilvl"))
        ilvl = int(il) if il and il.isdigit() else None
    if num_id is None:
        for _sid, st in styles.chain(style_id):
            if st.num_id is not None:
                num_id = st.num_id
                if ilvl is None:
                    ilvl = st.ilvl
                break
    if num_id is None or num_id == "0":
        return None
    if ilvl is None:
        # a level linked to this paragraph style (w:lvl/w:pStyle), else level 0
        ilvl = 0
        sid = style_id or styles.default_para
        aid = state._abstract_id(num_id)
        for k, lv in (state.n.abstract.get(aid, {}) if aid else {}).items():
            if lv.pstyle and lv.pstyle == sid:
                ilvl = k
                break
    return num_id, ilvl


# --------------------------------------------------------------------------- document


def _mark_deleted(ppr) -> bool:
    """Whether the paragraph mark (``ppr`` = the paragraph's w:pPr or None) is a tracked deletion."""
    rpr = _child(ppr, W + "rPr") if ppr is not None else None
    return rpr is not None and (_child(rpr, W + "del") is not None or _child(rpr, W + "moveFrom") is not None)


_JC = {"start": "left", "end": "right", "both": "justify", "distribute": "distribute"}


def body_blocks(
    body, styles: Styles | None = None, numbering: Numbering | None = None, *,
    may_hide: bool = True, may_delete: bool = True,
) -> list[Block]:
    """Blocks (with their offsets in the blocks joined by "\\n", as ``make_source`` computes them) for a w:body.

    A paragraph whose mark is a tracked deletion is merged into the next paragraph of the same
    container, as Word's final view shows it (and takes no list number); at the end of a container
    it stays a block of its own. ``may_hide`` / ``may_delete`` False (the part's bytes contain no
    ``vanish`` / no ``del``/``moveFrom``) skip the per-run and per-paragraph-mark tests.
    """
    styles = styles or Styles()
    state = NumberingState(numbering or Numbering(), styles)
    blocks: list[Block] = []
    run_no = 0
    doc_pos = 0  # document offset of the next block (blocks are joined by "\n")
    carry: list[tuple[str, int]] = []  # runs of paragraphs whose mark is deleted (merged into next)
    carry_at: tuple[object, object] | None = None  # (w:p, table position) of the pending merge
    style_info: dict[str | None, tuple[str, str | None]] = {}  # style id -> (name, inherited jc)

    def emit(p, table, pieces: list[tuple[str, int]], numbered: bool) -> None:
        nonlocal doc_pos
        label = suffix = ""
        ppr = _child(p, W + "pPr")
        props: dict = {}  # first child of w:pPr per tag (as ppr.find(tag) would return)
        if ppr is not None:
            for ch in ppr:
                props.setdefault(ch.tag, ch)
        style_id = _val(props.get(W + "pStyle"))
        num = None
        if numbered and (ppr is not None or styles.by_id):
            num = _para_numbering(style_id, props.get(W + "numPr"), styles, state)
        if num is not None:
            label, suffix = state.label(*num)
        prefix = label + suffix
        spans: list[RunSpan] = []
        pos = len(prefix)
        parts = [prefix]
        for txt, rn in pieces:
            if txt:
                spans.append(RunSpan(pos, pos + len(txt), rn))
                parts.append(txt)
                pos += len(txt)
        jc = _val(props.get(W + "jc"))
        info = style_info.get(style_id)
        if info is None:
            style_name, style_jc = "", None
            for i, (_sid, st) in enumerate(styles.chain(style_id)):
                if i == 0:
                    style_name = st.name
                if style_jc is None and st.jc:
                    style_jc = st.jc
            info = style_info[style_id] = (style_name, style_jc)
        style_name = info[0]
        if jc is None:
            jc = info[1]
        text = "".join(parts)
        blocks.append(Block(
            index=len(blocks), text=text, offset=doc_pos,
            kind="cell" if table is not None else "paragraph", runs=tuple(spans), label=label,
            style=style_name, table=table, align=_JC.get(jc, jc) if jc else "",
        ))
        doc_pos += len(text) + 1

    for p, table in iter_body_paragraphs(body):
        if carry_at is not None and carry_at[1] != table:
            emit(carry_at[0], carry_at[1], carry, False)
            carry, carry_at = [], None
        pieces = list(carry)
        for r in _para_runs(p, may_hide):
            pieces.append((run_text(r), run_no))
            run_no += 1
        if may_delete and _mark_deleted(_child(p, W + "pPr")):
            carry, carry_at = pieces, (p, table)
            continue
        carry, carry_at = [], None
        emit(p, table, pieces, True)
    if carry_at is not None:
        emit(carry_at[0], carry_at[1], carry, False)
    return blocks


def _rels(zf: SafeZip, where: str, part: str) -> dict[str, tuple[str, str]]:
    """Relationships of ``part``: id -> (type suffix, resolved target path)."""
    d, base = posixpath.split(part)
    rel_path = posixpath.join(d, "_rels", base + ".rels")
    if not zf.has(rel_path):
        return {}
    root = parse_xml(zf.read(rel_path), where, rel_path)
    out = {}
    for rel in root.iter(PKG_REL + "Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(d, target))
        rtype = rel.get("Type") or ""
        out[rel.get("Id") or ""] = (rtype.rsplit("/", 1)[-1], path)
    return out


_CORE = {
    "{http://purl.org/dc/elements/1.1/}title": "title",
    "{http://purl.org/dc/elements/1.1/}creator": "creator",
    "{http://purl.org/dc/elements/1.1/}subject": "subject",
    "{http://purl.org/dc/terms/}created": "created",
    "{http://purl.org/dc/terms/}modified": "modified",
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy": "last_modified_by",
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords": "keywords",
}


def read_docx_bytes(data: bytes, where: str, limits: Limits = DEFAULT_LIMITS) -> tuple[list[Block], dict[str, str]]:
    """Blocks and core-property meta of a .docx given as bytes (already known to be a zip)."""
    zf = SafeZip(data, where, limits)
    root_rels = _rels(zf, where, "")
    main = next((t for typ, t in root_rels.values() if typ == "officeDocument"), None)
    if main is None or not zf.has(main):
        main = "word/document.xml"
    if not zf.has(main):
        raise DocreviewError(E_CORRUPT, where, "不是 Word 文档：压缩包中缺少 word/document.xml")
    main_xml = zf.read(main)
    doc = parse_xml(main_xml, where, main)
    body = doc.find(W + "body")
    if body is None:
        raise DocreviewError(E_CORRUPT, where, f"{main} 中没有 w:body 正文元素")
    part_rels = _rels(zf, where, main)
    styles_root = numbering_root = None
    for typ, target in part_rels.values():
        if typ == "styles" and zf.has(target):
            styles_root = parse_xml(zf.read(target), where, target)
        elif typ == "numbering" and zf.has(target):
            numbering_root = parse_xml(zf.read(target), where, target)
    # byte-level hints: a part without "vanish" has no hidden run, one without "del"/"moveFrom" no
    # deleted paragraph mark (any namespace prefix), so those per-element tests can be skipped
    blocks = body_blocks(body, parse_styles(styles_root), parse_numbering(numbering_root),
                         may_hide=b"anish" in main_xml, may_delete=b"del" in main_xml or b"moveFrom" in main_xml)
    meta: dict[str, str] = {}
    core = next((t for typ, t in root_rels.values() if typ == "core-properties"), None)
    if core and zf.has(core):
        croot = parse_xml(zf.read(core), where, core)
        for el in croot:
            key = _CORE.get(el.tag)
            if key and el.text and el.text.strip():
                meta[key] = el.text.strip()
    return blocks, meta
