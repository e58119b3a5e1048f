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


_W_VAL = W + "val"


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

    ``may_hide=False`` (the body contains no w:vanish/w:specVanish, see ``body_hints``) skips the
    per-run hidden test.
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


def _firsts(el) -> dict:
    """The first child of ``el`` per tag (what ``el.find(tag)`` returns), from one pass over the children."""
    out: dict = {}
    for ch in el:
        out.setdefault(ch.tag, ch)
    return out


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
        kids = _firsts(st)
        ppr = kids.get(W + "pPr")
        num_id = ilvl = jc = None
        if ppr is not None:
            pkids = _firsts(ppr)
            numpr = pkids.get(W + "numPr")
            if numpr is not None:
                nkids = _firsts(numpr)
                num_id = _val(nkids.get(W + "numId"))
                il = _val(nkids.get(W + "ilvl"))
                ilvl = int(il) if il and il.isdigit() else None
            jc = _val(pkids.get(W + "jc"))
        name = _val(kids.get(W + "name")) or sid
        by_id[sid] = _Style(name, _val(kids.get(W + "basedOn")), num_id, ilvl, jc)
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
    kids = _firsts(lvl)
    start = _val(kids.get(W + "start"))
    restart = _val(kids.get(W + "lvlRestart"))
    return Level(
        start=int(start) if start and start.lstrip("-").isdigit() else 0,
        fmt=_val(kids.get(W + "numFmt")) or "decimal",
        text=_val(kids.get(W + "lvlText")) or "",
        suff=_val(kids.get(W + "suff")) or "tab",
        restart=int(restart) if restart and restart.isdigit() else None,
        is_lgl=_on(kids.get(W + "isLgl")),
        pstyle=_val(kids.get(W + "pStyle")),
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


_PLACEHOLDERS = tuple(f"%{k + 1}" for k in range(9))
_SUFFIX = {"tab": "\t", "space": " ", "nothing": ""}


class NumberingState:
    """Counters while walking the body. Lists sharing an abstractNum continue one sequence, as in Word;
    a num with w:startOverride restarts the overridden levels the first time it is used.

    The static look-ups (abstract id, level, start value of a num and level) are memoised: they
    depend only on numbering.xml and styles.xml, which do not change during the walk.
    """

    def __init__(self, numbering: Numbering, styles: Styles) -> None:
        self.n = numbering
        self.styles = styles
        self.counters: dict[str, dict[int, int]] = {}
        self.seen: set[str] = set()
        self._aid: dict[str, str | None] = {}
        self._lvl: dict[tuple[str, int], Level | None] = {}
        self._st: dict[tuple[str, int], int] = {}

    def _abstract_id(self, num_id: str) -> str | None:
        if num_id in self._aid:
            return self._aid[num_id]
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
        self._aid[num_id] = aid
        return aid

    def level(self, num_id: str, ilvl: int) -> Level | None:
        key = (num_id, ilvl)
        if key in self._lvl:
            return self._lvl[key]
        ov = self.n.overrides.get(num_id, {}).get(ilvl)
        if ov and ov[1] is not None:
            lvl = ov[1]
        else:
            aid = self._abstract_id(num_id)
            lvl = self.n.abstract.get(aid, {}).get(ilvl) if aid is not None else None
        self._lvl[key] = lvl
        return lvl

    def label(self, num_id: str, ilvl: int) -> tuple[str, str]:
        """Advance the counter for (num, level) and return ``(label, suffix)``."""
        aid = self._abstract_id(num_id)
        lvl = self.level(num_id, ilvl)
        if aid is None or lvl is None:
            return "", ""
        counts = self.counters.get(aid)
        if counts is None:
            counts = self.counters[aid] = {}
        if num_id not in self.seen:
            self.seen.add(num_id)
            for il, (so, lv) in self.n.overrides.get(num_id, {}).items():
                if so is not None or lv is not None:
                    counts.pop(il, None)
        if ilvl in counts:
            counts[ilvl] += 1
        else:
            counts[ilvl] = self._start(num_id, ilvl)
        if len(counts) > 1:
            for deeper in [k for k in counts if k > ilvl]:
                dl = self.level(num_id, deeper)
                rv = dl.restart if dl is not None else None
                if rv is None or (rv != 0 and ilvl + 1 <= rv):
                    del counts[deeper]
        if lvl.fmt == "bullet":
            return "", ""
        text = lvl.text
        if "%" in text:
            for k, ph in enumerate(_PLACEHOLDERS):
                if ph in text:
                    kl = self.level(num_id, k) or lvl
                    value = counts.get(k, self._start(num_id, k))
                    fmt = "decimal" if (lvl.is_lgl and k != ilvl) else kl.fmt
                    text = text.replace(ph, format_number(value, fmt))
        suff = _SUFFIX.get(lvl.suff, "\t")
        return text, (suff if text else "")

    def _start(self, num_id: str, ilvl: int) -> int:
        key = (num_id, ilvl)
        if key not in self._st:
            ov = self.n.overrides.get(num_id, {}).get(ilvl)
            if ov and ov[0] is not None:
                self._st[key] = ov[0]
            else:
                lvl = self.level(num_id, ilvl)
                self._st[key] = lvl.start if lvl is not None else 0
        return self._st[key]


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


_P, _R, _T, _PPR, _RPR = W + "p", W + "r", W + "t", W + "pPr", W + "rPr"
_PSTYLE, _NUMPR, _NUMID, _ILVL, _JC_TAG = W + "pStyle", W + "numPr", W + "numId", W + "ilvl", W + "jc"
# children of a w:p that hold runs (everything _para_runs descends into)
_RUN_HOLDERS = frozenset(_INLINE_CONTAINERS | {W + "sdt", MC + "AlternateContent"})
# run children with a fixed character in run_text (w:t is read, w:sym decoded; all others give nothing)
_RUN_CHARS = {W + "tab": "\t", W + "ptab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}
_SYM = W + "sym"


def _slot_maker(cls, names: tuple[str, ...]):
    """A positional constructor for the frozen slots dataclass ``cls`` with fields ``names`` (3 or 9)
    that fills the slots directly: an object equal to ``cls(*args)`` at about half the cost of the
    generated ``__init__`` (which goes through ``object.__setattr__``). ``cls`` itself if the fields
    are not exactly ``names`` or the class has a ``__post_init__``, so a model change stays correct."""
    import dataclasses

    if tuple(f.name for f in dataclasses.fields(cls)) != names or hasattr(cls, "__post_init__"):
        return cls
    new = object.__new__
    sets = [getattr(cls, n).__set__ for n in names]
    if len(names) == 3:
        s0, s1, s2 = sets

        def make3(a, b, c):
            o = new(cls)
            s0(o, a)
            s1(o, b)
            s2(o, c)
            return o

        return make3
    s0, s1, s2, s3, s4, s5, s6, s7, s8 = sets

    def make9(a, b, c, d, e, f, g, h, i):
        o = new(cls)
        s0(o, a)
        s1(o, b)
        s2(o, c)
        s3(o, d)
        s4(o, e)
        s5(o, f)
        s6(o, g)
        s7(o, h)
        s8(o, i)
        return o

    return make9


_run_span = _slot_maker(RunSpan, ("start", "end", "run"))
_block = _slot_maker(Block, ("index", "text", "offset", "kind", "runs", "label", "style", "table", "align"))


def _fast_paragraphs(body) -> Iterator[tuple[object, tuple[int, int, int] | None]]:
    """``iter_body_paragraphs(body)`` with body-level w:p yielded directly (no per-paragraph object)."""
    counter = [0]
    for el in body:
        if el.tag == _P:
            yield el, None
        else:  # tables, content controls …: the general walk, one body child at a time
            for para in _iter_paragraphs((el,), counter):
                yield para.p, para.table


class _Heads:
    """Per-paragraph properties for ``body_blocks``: numbering label, style name, alignment.

    Numbering and style look-ups are cached per (style id, numId, ilvl) and per style id.
    """

    def __init__(self, styles: Styles, numbering: Numbering) -> None:
        self.styles = styles
        self.state = NumberingState(numbering, styles)
        self.has_styles = bool(styles.by_id)
        self.style_info: dict[str | None, tuple[str, str | None]] = {}  # style id -> (name, inherited jc)
        self.num_info: dict[tuple, tuple[str, int] | None] = {}  # (style id, numId, ilvl) -> numbering
        self.plain: tuple[str, str, str, str] | None = None  # head of a paragraph without w:pPr

    def head(self, ppr, numbered: bool) -> tuple[str, str, str, str]:
        """``(label, label + suffix, style name, align)`` of a paragraph with w:pPr ``ppr`` (or None)."""
        if ppr is None and numbered and self.plain is not None:
            return self.plain
        style_el = numpr = jc_el = None  # first w:pStyle / w:numPr / w:jc child of w:pPr
        if ppr is not None:
            for ch in ppr:
                tag = ch.tag
                if tag == _PSTYLE:
                    if style_el is None:
                        style_el = ch
                elif tag == _NUMPR:
                    if numpr is None:
                        numpr = ch
                elif tag == _JC_TAG and jc_el is None:
                    jc_el = ch
        style_id = None if style_el is None else style_el.get(_W_VAL)
        label = prefix = ""
        if numbered and (ppr is not None or self.has_styles):
            if numpr is None:
                key: tuple = (style_id, None, None)
            else:
                num_el = il_el = None
                for ch in numpr:
                    tag = ch.tag
                    if tag == _NUMID:
                        if num_el is None:
                            num_el = ch
                    elif tag == _ILVL and il_el is None:
                        il_el = ch
                key = (style_id, None if num_el is None else num_el.get(_W_VAL),
                       None if il_el is None else il_el.get(_W_VAL))
            num_info = self.num_info
            if key in num_info:
                num = num_info[key]
            else:
                num = num_info[key] = _para_numbering(style_id, numpr, self.styles, self.state)
            if num is not None:
                label, suffix = self.state.label(*num)
                prefix = label + suffix
        info = self.style_info.get(style_id)
        if info is None:
            style_name, style_jc = "", None
            for i, (_sid, st) in enumerate(self.styles.chain(style_id)):
                if i == 0:
                    style_name = st.name
                if style_jc is None and st.jc:
                    style_jc = st.jc
            info = self.style_info[style_id] = (style_name, style_jc)
        jc = None if jc_el is None else jc_el.get(_W_VAL)
        if jc is None:
            jc = info[1]
        out = label, prefix, info[0], (_JC.get(jc, jc) if jc else "")
        if ppr is None and numbered and (not self.has_styles or self.num_info[(None, None, None)] is None):
            self.plain = out  # no w:pPr and no list number: the same for every such paragraph
        return out


_HIDE_TAGS = (W + "vanish", W + "specVanish")
_HINT_TAGS = (*_HIDE_TAGS, W + "del", W + "moveFrom")


def body_hints(body) -> tuple[bool, bool]:
    """``(may_hide, may_delete)`` for ``body_blocks``: whether the body has any w:vanish/w:specVanish
    (else no run is hidden) and any w:del/w:moveFrom (else no paragraph mark is deleted).

    One C-level pass over the tree (about a microsecond for a 10,000-character draft).
    """
    may_hide = may_delete = False
    for el in body.iter(_HINT_TAGS):
        if el.tag in _HIDE_TAGS:
            may_hide = True
        else:
            may_delete = True
        if may_hide and may_delete:
            break
    return may_hide, may_delete


def body_blocks(
    body, styles: Styles | None = None, numbering: Numbering | None = None, *,
    may_hide: bool = True, may_delete: bool = True,
) -> list[Block]:
    """Blocks (with their offsets in the blocks joined by "\\n", as ``make_source`` computes them) for a w:body.

    A paragraph whose mark is a tracked deletion is merged into the next paragraph of the same
    container, as Word's final view shows it (and takes no list number); at the end of a container
    it stays a block of its own. ``may_hide`` / ``may_delete`` False (see ``body_hints``: the body
    has no w:vanish / no w:del or w:moveFrom) skip the per-run and per-paragraph-mark tests.

    One pass over each paragraph's children: ``_para_runs`` and ``run_text`` are inlined for runs that
    are direct children of the paragraph (a w:sym, or runs inside w:ins, hyperlinks, content controls
    …, take the general functions); the label is computed as soon as w:pPr is seen, so offsets count
    it at once. ``body_blocks_reference`` is the plain version (the reference for equality checks).
    """
    heads = _Heads(styles or Styles(), numbering or Numbering())
    head = heads.head
    blocks: list[Block] = []
    append_block = blocks.append
    run_no = 0
    doc_pos = 0  # document offset of the next block (blocks are joined by "\n")
    carry: list[tuple[str, int]] = []  # runs of paragraphs whose mark is deleted (merged into next)
    carry_at: tuple | None = None  # (table position, w:pPr) of the pending merge

    def add(text: str, spans: list[RunSpan], table, label: str, style: str, align: str) -> None:
        nonlocal doc_pos
        append_block(_block(len(blocks), text, doc_pos, "cell" if table is not None else "paragraph",
                           tuple(spans), label, style, table, align))
        doc_pos += len(text) + 1

    def emit(table, ppr, pieces: list[tuple[str, int]], numbered: bool) -> None:
        label, prefix, style, align = head(ppr, numbered)
        spans: list[RunSpan] = []
        pos = len(prefix)
        parts = [prefix]
        for txt, rn in pieces:
            if txt:
                spans.append(_run_span(pos, pos + len(txt), rn))
                parts.append(txt)
                pos += len(txt)
        add("".join(parts), spans, table, label, style, align)

    for p, table in _fast_paragraphs(body):
        if carry_at is not None and carry_at[0] != table:
            emit(carry_at[0], carry_at[1], carry, False)
            carry, carry_at = [], None
        ppr = None
        spans: list[RunSpan] = []  # offsets after the label once ``head_at`` is set, else from 0
        parts: list[str] = []
        pos = 0
        head_at = None  # (label, style, align) when computed before the runs
        run_start = run_no
        for ch in p:
            tag = ch.tag
            if tag == _R:
                if may_hide and _run_hidden(ch):
                    continue
                txt = ""
                for c in ch:
                    ctag = c.tag
                    if ctag == _T:
                        t = c.text
                        if t:
                            txt = txt + t if txt else t
                    elif ctag in _RUN_CHARS:
                        txt += _RUN_CHARS[ctag]
                    elif ctag == _SYM:  # the general rule (hex code, private-use range)
                        txt = run_text(ch)
                        break
                if txt:
                    end = pos + len(txt)
                    spans.append(_run_span(pos, end, run_no))
                    parts.append(txt)
                    pos = end
                run_no += 1
            elif tag == _PPR:
                if ppr is None:
                    ppr = ch
                    if run_no == run_start and carry_at is None and not (may_delete and _mark_deleted(ppr)):
                        # w:pPr before the runs (as Word writes it): offsets can count the label at once
                        label, prefix, style, align = head(ppr, True)
                        head_at = (label, style, align)
                        if prefix:
                            parts.append(prefix)
                            pos = len(prefix)
            elif tag in _RUN_HOLDERS:
                for r in _para_runs((ch,), may_hide):
                    txt = run_text(r)
                    if txt:
                        end = pos + len(txt)
                        spans.append(_run_span(pos, end, run_no))
                        parts.append(txt)
                        pos = end
                    run_no += 1
        if head_at is not None:
            add("".join(parts), spans, table, *head_at)
            continue
        if carry_at is not None or (may_delete and _mark_deleted(ppr)):
            # rare: a deleted paragraph mark, or the runs of one carried into this paragraph
            pieces = carry + [(txt, sp.run) for txt, sp in zip(parts, spans, strict=True)]
            if may_delete and _mark_deleted(ppr):
                carry, carry_at = pieces, (table, ppr)
            else:
                carry, carry_at = [], None
                emit(table, ppr, pieces, True)
            continue
        label, prefix, style, align = head(ppr, True)
        if prefix:
            n = len(prefix)
            spans = [_run_span(sp.start + n, sp.end + n, sp.run) for sp in spans]
        add(prefix + "".join(parts), spans, table, label, style, align)
    if carry_at is not None:
        emit(carry_at[0], carry_at[1], carry, False)
    return blocks


def body_blocks_reference(body, styles: Styles | None = None, numbering: Numbering | None = None) -> list[Block]:
    """``body_blocks`` written plainly: every paragraph, run and paragraph mark is walked and tested
    through ``iter_body_paragraphs`` / ``_para_runs`` / ``run_text`` (the reference for equality checks)."""
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
        for r in _para_runs(p):
            pieces.append((run_text(r), run_no))
            run_no += 1
        if _mark_deleted(_child(p, W + "pPr")):
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
    may_hide, may_delete = body_hints(body)
    blocks = body_blocks(body, parse_styles(styles_root), parse_numbering(numbering_root),
                         may_hide=may_hide, may_delete=may_delete)
    meta: dict[str, str] = {}
    core = next((t for typ, t in root_rels.values() if typ == "core-properties"), None)
    if core and zf.has(core):
        croot = parse_xml(zf.read(core), where, core)
        for el in croot:
            key = _CORE.get(el.tag)
            if key and el.text and el.text.strip():
                meta[key] = el.text.strip()
    return blocks, meta
