"""Verified higher-law reference data: article texts, repealed laws, renumbered articles.

Data lives in ``corpus/laws/`` (``articles.yml``, ``status.yml``), shipped with the package through
the symlink ``docreview/data/laws``. Everything here is pure: ``load_*`` read YAML once per call and
return frozen dataclasses; callers that need speed keep the returned objects.

Typical use::

    arts = load_articles()
    art = find_article("行政处罚法", "第十六条", articles=arts)
    note = check_citation("中华人民共和国行政处罚法", "第十四条", articles=arts)
    note.status   # "renumbered"
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from docreview.errors import E_RULE_SCHEMA, E_RULE_YAML, DocreviewError

PACKAGE_DIR = Path(__file__).resolve().parent / "data" / "laws"
REPO_DIR = Path(__file__).resolve().parents[1] / "corpus" / "laws"

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = r"[0-9零〇一二两三四五六七八九十百千]+"
_REF_RE = re.compile(rf"^第(?P<art>{_NUM})条(?:第(?P<para>{_NUM})款)?(?:第[（(]?(?P<item>{_NUM})[）)]?项)?$")
_ITEM_LINE_RE = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
_ELLIPSIS_RE = re.compile(r"……|…|\.\.\.")
_NON_WORD_RE = re.compile(r"[\W_]+")

# Citation check outcomes (CitationCheck.status)
OK = "ok"  # article text verified and current
REPEALED = "repealed"  # the cited instrument has been repealed
RENUMBERED = "renumbered"  # the cited number held a different rule before a revision
NOT_FOUND = "not_found"  # the law has fewer articles than the cited number
UNVERIFIED = "unverified"  # law known, article text not in the verified table
UNKNOWN_LAW = "unknown_law"  # law not in the table at all

# Quote check outcomes (QuoteCheck.status)
QUOTE_OK = "verified"
QUOTE_MISMATCH = "mismatch"
QUOTE_UNVERIFIABLE = "unverifiable"  # only unverified passages exist for that article
QUOTE_MISSING = "missing"  # no entry at all for that law + article


@dataclass(frozen=True, slots=True)
class LawInfo:
    law: str
    short: str
    aliases: tuple[str, ...]
    version: str | None
    effective: str | None
    articles_total: int | None
    source: str


@dataclass(frozen=True, slots=True)
class Article:
    law: str
    short: str
    version: str | None
    article: str  # label as cited: 第十七条, 第十条第四款, or a heading such as （一）严禁越权发文
    number: int | None  # article number when the label is 第N条
    paragraph: int | None  # 款 number when this object holds one paragraph only
    text: str  # verbatim, one 款 per line (item lines belong to the 款 above them)
    source: str
    verified: bool = True
    verified_from: str = "primary"  # primary | web
    note: str = ""

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The 款 of this article; lines starting with （一） etc. are items of the 款 above."""
        return _paragraphs(self.text)

    @property
    def label(self) -> str:
        """Citation label including the paragraph, e.g. 《行政强制法》第十条第四款."""
        para = f"第{int_to_cn(self.paragraph)}款" if self.paragraph else ""
        return f"{_title(self.short)}{self.article}{para}"


@dataclass(frozen=True, slots=True)
class Articles:
    laws: tuple[LawInfo, ...]
    articles: tuple[Article, ...]
    # lookup tables built once: name key -> first law so called; (law, article number) -> entries in order
    _by_key: dict = field(default_factory=dict, init=False, compare=False, repr=False)
    _by_number: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        for info in self.laws:
            for name in (info.law, info.short, *info.aliases):
                self._by_key.setdefault(law_key(name), info)
        for a in self.articles:
            self._by_number.setdefault((a.law, a.number), []).append(a)

    def law_info(self, name: str) -> LawInfo | None:
        """The law called ``name`` (full name, short name or alias; 《》 and 中华人民共和国 optional)."""
        return self._by_key.get(law_key(name))

    def numbered(self, law: str, number: int) -> list[Article]:
        """The entries of ``law`` (its full name) for article ``number``, in data order."""
        return self._by_number.get((law, number), [])


@dataclass(frozen=True, slots=True)
class Repeal:
    law: str
    repealed_on: _dt.date
    replaced_by: str
    by: str
    quote: str
    source: str
    issuer: str = ""
    issued: str = ""


@dataclass(frozen=True, slots=True)
class Renumbering:
    law: str
    old: str
    new: str
    old_version: str
    new_version: str
    since: _dt.date
    topic: str
    source: str
    moved: tuple[str, ...] = ()  # phrases of the moved rule (found in the text of `new`)
    current: tuple[str, ...] = ()  # phrases of the rule now at `old` (found in its current text)


@dataclass(frozen=True, slots=True)
class Status:
    repealed: tuple[Repeal, ...]
    renumbered: tuple[Renumbering, ...]


@dataclass(frozen=True, slots=True)
class CitationCheck:
    law: str
    article: str
    status: str  # OK | REPEALED | RENUMBERED | NOT_FOUND | UNVERIFIED | UNKNOWN_LAW
    message: str  # one Chinese sentence for the reviewer
    current_text: str = ""  # verified text of the cited article (or paragraph) when known
    suggestion: str = ""  # e.g. the new article number or the replacing law


@dataclass(frozen=True, slots=True)
class QuoteCheck:
    status: str  # QUOTE_OK | QUOTE_MISMATCH | QUOTE_UNVERIFIABLE | QUOTE_MISSING
    detail: str


# --------------------------------------------------------------------------- helpers


def cn_to_int(s: str) -> int:
    """Chinese or Arabic numeral to int: 十七 -> 17, 一千二百六十 -> 1260, 一百零九 -> 109, 12 -> 12."""
    s = unicodedata.normalize("NFKC", s.strip())
    if s.isdigit():
        return int(s)
    total, current = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            raise ValueError(f"not a numeral: {s!r}")
    return total + current


def int_to_cn(n: int) -> str:
    """Int to the numeral used in article numbers: 17 -> 十七, 109 -> 一百零九, 1260 -> 一千二百六十."""
    if n <= 0:
        raise ValueError(n)
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero and out:
                out += "零"
            out += digits[d] + unit
            zero = False
        elif out:
            zero = True
    return out


@functools.lru_cache(maxsize=4096)
def parse_ref(article: str) -> tuple[int, int | None, int | None] | None:
    """``第十条第四款`` -> (10, 4, None); ``第17条`` -> (17, None, None); headings -> None (memoised: pure)."""
    m = _REF_RE.match(_compact(article))
    if not m:
        return None
    para, item = m.group("para"), m.group("item")
    return (
        cn_to_int(m.group("art")),
        cn_to_int(para) if para else None,
        cn_to_int(item) if item else None,
    )


@functools.lru_cache(maxsize=4096)
def law_key(name: str) -> str:
    """Comparable form of a law name: no 《》〈〉, spaces or leading 中华人民共和国 (memoised: pure)."""
    s = unicodedata.normalize("NFKC", name)
    s = re.sub(r"[《》〈〉<>\s]", "", s)
    return s.removeprefix("中华人民共和国")


def normalize_text(s: str) -> str:
    """Letters and digits only (NFKC): whitespace and all punctuation removed, for quote comparison."""
    return _NON_WORD_RE.sub("", unicodedata.normalize("NFKC", s))


def quote_in_text(quote: str, text: str) -> bool:
    """True if ``quote`` occurs in ``text`` ignoring whitespace/punctuation; …… may skip text."""
    hay = normalize_text(text)
    pos = 0
    pieces = [normalize_text(p) for p in _ELLIPSIS_RE.split(quote)]
    pieces = [p for p in pieces if p]
    if not pieces:
        return False
    for piece in pieces:
        i = hay.find(piece, pos)
        if i < 0:
            return False
        pos = i + len(piece)
    return True


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s).replace("(", "（").replace(")", "）"))


@functools.lru_cache(maxsize=4096)
def _norm_label(s: str) -> str:
    return normalize_text(s)


@functools.lru_cache(maxsize=1024)
def _paragraphs(text: str) -> tuple[str, ...]:
    """``Article.paragraphs`` of an article text (memoised: pure)."""
    out: list[str] = []
    for line in (x.strip() for x in text.split("\n")):
        if not line:
            continue
        if out and _ITEM_LINE_RE.match(line):
            out[-1] += line
        else:
            out.append(line)
    return tuple(out)


# --------------------------------------------------------------------------- loading


def data_dir() -> Path:
    """``docreview/data/laws`` (symlink into corpus/laws); falls back to the repository folder."""
    return PACKAGE_DIR if (PACKAGE_DIR / "articles.yml").is_file() else REPO_DIR


def _read_yaml(path: Path) -> dict:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DocreviewError(E_RULE_YAML, path.name, "法律参考数据文件不存在") from exc
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: e.g. an impossible date 2024-13-01
        raise DocreviewError(E_RULE_YAML, path.name, f"法律参考数据 YAML 错误：{exc}") from exc
    if not isinstance(data, dict):
        raise DocreviewError(E_RULE_SCHEMA, path.name, "法律参考数据应为映射（mapping）")
    return data


def _date(value: object, where: str) -> _dt.date:
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise DocreviewError(E_RULE_SCHEMA, where, f"日期无效：{value!r}") from exc


def load_articles(directory: Path | None = None) -> Articles:
    """Read ``articles.yml``: law metadata and verified article texts."""
    path = (directory or data_dir()) / "articles.yml"
    data = _read_yaml(path)
    laws: list[LawInfo] = []
    try:
        for row in data.get("laws") or []:
            laws.append(
                LawInfo(
                    law=str(row["law"]),
                    short=str(row.get("short") or row["law"]),
                    aliases=tuple(str(a) for a in row.get("aliases") or ()),
                    version=None if row.get("version") is None else str(row["version"]),
                    effective=None if row.get("effective") is None else str(row["effective"]),
                    articles_total=row.get("articles_total"),
                    source=str(row.get("source") or ""),
                )
            )
        bundle = Articles(laws=tuple(laws), articles=())
        arts: list[Article] = []
        for i, row in enumerate(data.get("articles") or []):
            info = bundle.law_info(str(row["law"]))
            if info is None:
                raise DocreviewError(
                    E_RULE_SCHEMA, path.name, f"第{i + 1}条记录的法律《{row['law']}》未在 laws 中登记"
                )
            label = str(row["article"])
            ref = parse_ref(label)
            text = str(row["text"]).strip()
            if not text:
                raise DocreviewError(E_RULE_SCHEMA, path.name, f"{label} 缺少原文")
            arts.append(
                Article(
                    law=info.law,
                    short=info.short,
                    version=str(row.get("version") or info.version or "") or None,
                    article=label,
                    number=ref[0] if ref else None,
                    paragraph=row.get("paragraph"),
                    text=text,
                    source=str(row.get("source") or info.source),
                    verified=bool(row.get("verified", True)),
                    verified_from=str(row.get("verified_from") or "primary"),
                    note=str(row.get("note") or ""),
                )
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise DocreviewError(E_RULE_SCHEMA, path.name, f"法律参考数据字段错误：{exc}") from exc
    return Articles(laws=tuple(laws), articles=tuple(arts))


def load_status(directory: Path | None = None) -> Status:
    """Read ``status.yml``: repealed instruments and renumbered articles."""
    path = (directory or data_dir()) / "status.yml"
    data = _read_yaml(path)
    try:
        repealed = tuple(
            Repeal(
                law=str(r["law"]),
                repealed_on=_date(r["repealed_on"], path.name),
                replaced_by=str(r.get("replaced_by") or ""),
                by=str(r.get("by") or ""),
                quote=str(r.get("quote") or ""),
                source=str(r["source"]),
                issuer=str(r.get("issuer") or ""),
                issued=str(r.get("issued") or ""),
            )
            for r in data.get("repealed") or []
        )
        renumbered = tuple(
            Renumbering(
                law=str(r["law"]),
                old=str(r["old"]),
                new=str(r["new"]),
                old_version=str(r["old_version"]),
                new_version=str(r["new_version"]),
                since=_date(r["since"], path.name),
                topic=str(r["topic"]),
                source=str(r["source"]),
                moved=tuple(str(k) for k in r.get("moved") or ()),
                current=tuple(str(k) for k in r.get("current") or ()),
            )
            for r in data.get("renumbered") or []
        )
    except (KeyError, TypeError) as exc:
        raise DocreviewError(E_RULE_SCHEMA, path.name, f"法律状态数据字段错误：{exc}") from exc
    return Status(repealed=repealed, renumbered=renumbered)


# --------------------------------------------------------------------------- lookups


def find_articles(law: str, article: str, *, articles: Articles | None = None) -> tuple[Article, ...]:
    """All entries for ``law`` + ``article`` (verified first). ``第十条第四款`` yields paragraph 4 only."""
    arts = articles or load_articles()
    info = arts.law_info(law)
    if info is None:
        return ()
    ref = parse_ref(article)
    if ref is None:
        want = _norm_label(article)
        found = [a for a in arts.articles if a.law == info.law and _norm_label(a.article) == want]
    else:
        number, para, _item = ref
        found = []
        for a in arts.numbered(info.law, number):
            if para is None or a.paragraph == para:
                found.append(a)
            elif a.paragraph is None and para <= len(a.paragraphs):
                found.append(dataclasses.replace(a, paragraph=para, text=a.paragraphs[para - 1]))
    return tuple(sorted(found, key=lambda a: not a.verified))


def find_article(law: str, article: str, *, articles: Articles | None = None) -> Article | None:
    """The verified entry for ``law`` + ``article`` (paragraph when a 款 is cited), else any entry, else None."""
    found = find_articles(law, article, articles=articles)
    return found[0] if found else None


def verify_quote(law: str, article: str, quote: str, *, articles: Articles | None = None) -> QuoteCheck:
    """Is ``quote`` (a rule's basis quote) part of the verified text of ``law`` + ``article``?"""
    found = find_articles(law, article, articles=articles)
    if not found:
        arts = articles or load_articles()
        if arts.law_info(law) is None:
            return QuoteCheck(QUOTE_MISSING, f"{_title(law)}未收录于 corpus/laws/articles.yml")
        return QuoteCheck(QUOTE_MISSING, f"{_title(law)}{article} 未收录于 corpus/laws/articles.yml")
    verified = [a for a in found if a.verified]
    if any(quote_in_text(quote, a.text) for a in verified):
        return QuoteCheck(QUOTE_OK, "")
    pending = [a for a in found if not a.verified and quote_in_text(quote, a.text)]
    if pending or not verified:
        note = (pending or found)[0].note
        return QuoteCheck(QUOTE_UNVERIFIABLE, f"{_title(law)}{article} 尚无可核对的原文：{note}")
    # maybe the quote belongs to another article of the same law: say where
    arts = articles or load_articles()
    info = arts.law_info(law)
    elsewhere = [
        a.article
        for a in arts.articles
        if info and a.law == info.law and a.verified and quote_in_text(quote, a.text)
    ]
    where = f"；该引文见于 {'、'.join(elsewhere)}" if elsewhere else ""
    return QuoteCheck(QUOTE_MISMATCH, f"引文不在{_title(law)}{article} 的原文中{where}")


def check_citation(
    law: str,
    article: str,
    *,
    on: _dt.date | None = None,
    quote: str = "",
    context: str = "",
    articles: Articles | None = None,
    status: Status | None = None,
) -> CitationCheck:
    """Status of a citation such as 《行政处罚法》第十四条, as of ``on`` (default: today).

    Order: repealed instrument > article beyond the law's length > renumbered number > verified text >
    law known but article not verified > unknown law. A number that held another rule before a revision
    is reported as RENUMBERED unless ``quote`` is part of the current text, or ``context`` (the citing
    sentence) speaks of the rule now at that number and not of the moved one.
    """
    arts = articles or load_articles()
    st = status or load_status()
    on = on or _dt.date.today()
    repealed = _repealed_check(law, article, on, st)
    if repealed is not None:
        return repealed

    info = arts.law_info(law)
    if info is None:
        return CitationCheck(
            law, article, UNKNOWN_LAW, f"{_title(law)}未收录于法律参考数据，无法自动核对该引用，请人工核对。"
        )

    ref = parse_ref(article)
    if ref and info.articles_total and ref[0] > info.articles_total:
        return CitationCheck(
            law,
            article,
            NOT_FOUND,
            f"{_title(info.short)}（{info.version}）共{int_to_cn(info.articles_total)}条，不存在{article}，请核对条文序号。",
        )

    current = find_article(law, article, articles=arts)
    current_text = "".join(current.paragraphs) if current and current.verified else ""
    if ref:
        for rn in st.renumbered:
            if law_key(rn.law) != law_key(info.law) or parse_ref(rn.old) != (ref[0], None, None):
                continue
            if on < rn.since or (quote and current_text and quote_in_text(quote, current_text)):
                continue
            ctx = normalize_text(context)
            moved = any(normalize_text(k) in ctx for k in rn.moved) if ctx else False
            if ctx and not moved and any(normalize_text(k) in ctx for k in rn.current):
                continue  # the citing sentence is about the rule now at this number
            now = f"现行{rn.old}的内容为：“{current_text}”。" if current_text else ""
            return CitationCheck(
                law,
                article,
                RENUMBERED,
                f"{_title(info.short)}{rn.new_version[:4]}年修改后条文序号已调整：修改前{rn.old}（{rn.topic}）"
                f"现为{rn.new}。若引用的是该内容，应改为{rn.new}。{now}",
                current_text=current_text,
                suggestion=rn.new,
            )

    if current_text:
        return CitationCheck(
            law,
            article,
            OK,
            f"已核对{_title(info.short)}（{info.version}）{article}原文。",
            current_text=current_text,
        )
    return CitationCheck(
        law,
        article,
        UNVERIFIED,
        f"已收录{_title(info.short)}（{info.version}），但{article}的原文未经核对收录，请人工核对。",
    )


def _repealed_check(law: str, article: str, on: _dt.date, st: Status) -> CitationCheck | None:
    """The REPEALED result of ``check_citation`` (its first test), or None when ``law`` is in force on ``on``."""
    key = law_key(law)
    for rep in st.repealed:
        if law_key(rep.law) == key and on >= rep.repealed_on:
            return CitationCheck(
                law,
                article,
                REPEALED,
                f"{_title(rep.law)}已于{_cn_date(rep.repealed_on)}废止（见{rep.by}），不能再作为依据；"
                f"请改引{_title(rep.replaced_by)}的相应条款。",
                suggestion=rep.replaced_by,
            )
    return None


_ART = rf"第{_NUM}条(?:第{_NUM}款)?(?:第[（(]?{_NUM}[）)]?项)?"
_CITE_RE = re.compile(rf"《(?P<law>[^《》\n]{{2,60}})》(?P<arts>{_ART}(?:(?:、|和|及|或者|至){_ART})*)?")
_ART_RE = re.compile(_ART)
_ART_SEP_RE = re.compile("[、和及或至]")  # the separators of _CITE_RE's list; no _ART contains one


@dataclass(frozen=True, slots=True)
class Citation:
    law: str  # as written, without 《》
    article: str  # 第十四条 / 第十条第四款; "" when only the law is cited
    start: int  # character span of the article reference (or of 《law》 when no article)
    end: int


def extract_citations(text: str) -> tuple[Citation, ...]:
    """Citations such as 《中华人民共和国广告法》第四十一条、第四十二条 in ``text``, one per article."""
    out: list[Citation] = []
    for m in _CITE_RE.finditer(text):
        law = m.group("law").strip()
        if not m.group("arts"):
            out.append(Citation(law, "", m.start(), m.end()))
            continue
        arts = m.group("arts")
        base = m.start("arts")
        if not _ART_SEP_RE.search(arts):  # one article: the group is the reference
            out.append(Citation(law, arts, base, base + len(arts)))
            continue
        for a in _ART_RE.finditer(arts):
            out.append(Citation(law, a.group(0), base + a.start(), base + a.end()))
    return tuple(out)


def check_text_citations(
    text: str,
    *,
    on: _dt.date | None = None,
    articles: Articles | None = None,
    status: Status | None = None,
) -> tuple[tuple[Citation, CitationCheck], ...]:
    """Check every 《…》第X条 citation in ``text``; a law cited without article is checked for repeal only."""
    arts = articles or load_articles()
    st = status or load_status()
    on = on or _dt.date.today()
    repealed = {law_key(r.law) for r in st.repealed}
    out = []
    for c in extract_citations(text):
        if c.article:
            ctx = _sentence_at(text, c.start, c.end)
            out.append((c, check_citation(c.law, c.article, on=on, context=ctx, articles=arts, status=st)))
        elif law_key(c.law) in repealed:
            # only a repeal is reported for a law cited without article: check_citation's first test
            chk = _repealed_check(c.law, "", on, st)
            if chk is not None:
                out.append((c, chk))
    return tuple(out)


_STOP_RE = re.compile(r"[。；！？;!?\n]")


def _sentence_at(text: str, start: int, end: int) -> str:
    """The sentence (up to 。；！？ or a line break) around ``text[start:end]`` (``0 <= start <= end``).

    The stop before ``start`` is searched in reversed windows of growing size, the one after ``end``
    with one regex search: both cost the sentence's length, not the text's.
    """
    s, lo, width = 0, start, 256
    while lo > 0:
        a = max(0, lo - width)
        m = _STOP_RE.search(text[a:lo][::-1])
        if m is not None:
            s = lo - m.start()
            break
        lo, width = a, width * 2
    m = _STOP_RE.search(text, end)
    return text[s : m.start() if m is not None else len(text)]


def _title(name: str) -> str:
    """《name》 with inner 《》 turned into 〈〉 as Chinese typesetting requires."""
    return "《" + name.strip("《》").replace("《", "〈").replace("》", "〉") + "》"


def _cn_date(d: _dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
