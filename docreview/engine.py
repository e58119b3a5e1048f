"""Run a :class:`~docreview.rulebook.Rulebook` over a :class:`~docreview.model.Statute`.

Matching happens on the length-preserving normalised text, so every match offset is a document
offset and every quote is exactly ``statute.text[start:end]``. An Aho-Corasick automaton over the
literal words every match must contain (derived from the regexes) picks candidate units, so only
those are matched and segmented; results are identical with ``prefilter=False``.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import time
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from itertools import pairwise
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from docreview import checks
from docreview.errors import E_TIMEOUT, DocreviewError
from docreview.model import Finding, Location, Statute, Token
from docreview.rulebook.loader import Rulebook
from docreview.rulebook.regexguard import required_literal_sets
from docreview.rulebook.schema import Rule, token_spec

DEFAULT_TIMEOUT = 10.0  # seconds of matching per document
_SENTENCE = re.compile(r"[^。！？!?\n]*[。！？!?]+|[^。！？!?\n]*[^\s。！？!?][^。！？!?\n]*")
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LABEL_RE = re.compile(r"^\s*(?:第[一二三四五六七八九十百零〇两0-9]+条|[（(][一二三四五六七八九十0-9]+[）)]|[一二三四五六七八九十]+、|\d+[.．、])\s*")


# --------------------------------------------------------------------------- normalisation


def _fallback_normalize(text: str) -> str:
    out = []
    for ch in text:
        o = ord(ch)
        if 0xFF10 <= o <= 0xFF19 or 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A:
            ch = chr(o - 0xFEE0)
        elif ch in "\u3000\u00a0\t":
            ch = " "
        else:
            ch = {"(": "（", ")": "）", ",": "，", ";": "；", ":": "：", "[": "〔", "]": "〕",
                  "［": "〔", "］": "〕", "【": "〔", "】": "〕"}.get(ch, ch)
        out.append(ch)
    return "".join(out)


def normalize(text: str) -> str:
    """Length-preserving normalisation (``docreview.nlp.normalize`` when available)."""
    try:
        from docreview.nlp import normalize as nlp_normalize
    except ImportError:
        return _fallback_normalize(text)
    out = nlp_normalize(text)
    return out if len(out) == len(text) else _fallback_normalize(text)


def split_sentences(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans in ``[start, end)``: ends at 。！？ and line breaks; blank spans dropped.

    A sentence is a run of other characters up to and with a run of 。！？!?, or one up to a line
    break or ``end`` holding a non-blank character (``\\s`` is ``str.isspace``), found by one regex.
    """
    return [m.span() for m in _SENTENCE.finditer(norm, start, end)]


# --------------------------------------------------------------------------- compiled rules


@dataclass
class _Compiled:
    patterns: list[Any]  # regex.Pattern or ("tokens", Matcher key)
    requires: list[Any]
    rule: Rule
    # per pattern: for a token pattern, a regex every sentence holding a match also matches (or None)
    token_filters: list[Any] = field(default_factory=list)
    _exceptions: list[tuple[str, Any]] | None = None

    @property
    def exceptions(self) -> list[tuple[str, Any]]:
        """The exception regexes as (area, one compiled alternation of all regexes on that area).

        A hit is suppressed when any of them matches, which is exactly when their alternation does:
        one search per area instead of one per exception. Compiled when the rule's first match is
        judged (most rules never match a given document).
        """
        if self._exceptions is None:
            import regex

            areas: dict[str, list[str]] = {}
            for e in self.rule.exceptions:
                if e.regex:
                    areas.setdefault(e.where, []).append(e.regex)
            self._exceptions = [(w, regex.compile("|".join(f"(?:{r})" for r in rs), regex.V0))
                                for w, rs in areas.items()]
        return self._exceptions


def _compile_rule(rule: Rule) -> _Compiled:
    import regex

    pats: list[Any] = []
    filters: list[Any] = []
    for i, p in enumerate(rule.patterns):
        if p.kind == "regex":
            pats.append(regex.compile(p.regex, regex.V0))
            filters.append(None)
        else:
            pats.append(("tokens", _token_key(rule.id, i)))
            rx = token_filter_regex([token_spec(t) for t in p.tokens])
            filters.append(None if rx is None else regex.compile(rx, regex.V0))
    return _Compiled(
        patterns=pats,
        requires=[regex.compile(r, regex.V0) for r in rule.requires],
        rule=rule,
        token_filters=filters,
    )


class _CompiledRules(dict):
    """Rule id → :class:`_Compiled`, compiled on first use: a document's literals rule out many
    rules, and compiling every regex of the book up front costs ~0.25 s per process."""

    def __init__(self, book: Rulebook) -> None:
        super().__init__()
        self.book = book

    def __missing__(self, rule_id: str) -> _Compiled:
        got = self[rule_id] = _compile_rule(self.book.get(rule_id))
        return got


def _compiled(book: Rulebook) -> _CompiledRules:
    comp = book._cache.get("compiled")
    if comp is None:
        comp = book._cache["compiled"] = _CompiledRules(book)
    return comp


def _pattern_literals(rule: Rule) -> list[list[frozenset[str]] | None]:
    """Per pattern of ``rule``: the literal sets every match contains one string of (None: unknown)."""
    return [required_literal_sets(p.regex) if p.kind == "regex"
            else _token_literal_sets([token_spec(t) for t in p.tokens]) or None for p in rule.patterns]


def _literal_ids(book: Rulebook) -> tuple[dict[str, int], dict[str, list[tuple[int, ...] | None]],
                                          list[tuple[int, ...]], list[str]]:
    """Literal → index over the whole book; per rule and pattern the ids of its required literal
    sets (None: no prefilter); per set id the indices of its literals; per literal index the literal
    without its last character (an occurrence ending at ``e`` starts ``len(head)`` before it)."""
    got = book._cache.get("literal_ids")
    if got is None:
        index: dict[str, int] = {}
        set_ids: dict[tuple[int, ...], int] = {}
        per_rule: dict[str, list[tuple[int, ...] | None]] = {}
        for rule in book.rules:
            per_rule[rule.id] = [None if sets is None else tuple(
                set_ids.setdefault(tuple(index.setdefault(lit, len(index)) for lit in sorted(lits)),
                                   len(set_ids)) for lits in sets) for sets in _pattern_literals(rule)]
        members = [ids for ids, _ in sorted(set_ids.items(), key=lambda kv: kv[1])]
        heads = [""] * len(index)
        for lit, i in index.items():
            heads[i] = lit[:-1]
        got = book._cache["literal_ids"] = (index, per_rule, members, heads)
    return got


def _literal_sets(book: Rulebook) -> dict[int, tuple[int, ...]]:
    """Literal index → the ids of the literal sets holding it (cached on the book)."""
    got = book._cache.get("literal_sets")
    if got is None:
        acc: dict[int, list[int]] = defaultdict(list)
        for sid, lits in enumerate(_literal_ids(book)[2]):
            for i in lits:
                acc[i].append(sid)
        got = book._cache["literal_sets"] = {i: tuple(sids) for i, sids in acc.items()}
    return got


# Characters of Chinese legislative text, most frequent first. pyahocorasick finds a node's child by
# a linear scan in insertion order, so the automaton is built with frequent characters first (and a
# never-completed word puts each frequent character that starts no literal among the root's first
# children): a third less scanning. The order only affects speed, never what is found.
_FREQUENT = ("，的。\n法条第行人十、政规 定市不管理和本设当依民者应业以关部门得机用处经工施对一费照可有"
             "城国公或建收事责办作中务三营单制其罚违安位二告在五证为区生共取地外主品予企府动由《》任全保"
             "自四广申六件查等八给服划；户发供华请员会场反监实所许构产分七九上通标置成他方提审款期按食各"
             "内准家执物要筑年（）向乡活道交消进并加日采督及指合车资程社项百时律防元纳强级批改局个检出购"
             "目负励组织之限水未报开性环投是据明权何下")
_PAD = "\uffff"  # second character of those never-completed words (their value: -1, never looked up)


def _automaton(book: Rulebook, rules: tuple[Rule, ...]):
    """Aho-Corasick automaton over the required literals of ``rules`` (cached per rule set).

    Each word's value is its literal index: occurrences are recorded once per literal.
    """
    key = ("ac", tuple(r.id for r in rules))
    auto = book._cache.get(key)
    if auto is None:
        import ahocorasick

        index, per_rule, members, _ = _literal_ids(book)
        words = {i for r in rules for sets in per_rule[r.id] if sets for sid in sets for i in members[sid]}
        lits = [lit for lit, i in index.items() if i in words]
        firsts = {w[0] for w in lits}
        pads = [c + _PAD for c in _FREQUENT if c not in firsts and c + _PAD not in index]
        rank = {c: k for k, c in enumerate(_FREQUENT)}
        far = len(_FREQUENT)
        auto = ahocorasick.Automaton()
        if words:
            for lit in sorted(lits + pads, key=lambda w: [rank.get(c, far) for c in w]):
                auto.add_word(lit, index.get(lit, -1))
            auto.make_automaton()
        book._cache[key] = auto = (auto, bool(words))
    return auto


# --------------------------------------------------------------------------- token patterns


def _token_key(rule_id: str, i: int) -> str:
    return f"{rule_id}#{i}"


def _token_literal_sets(specs: list[dict]) -> list[frozenset[str]]:
    """One literal set per token that must occur (no ``? * !``) and names its exact text(s).

    Every match contains one string of each set (as a token's whole text, even), so they feed the
    Aho-Corasick prefilter and the token-text check before spaCy's Matcher. LOWER values count only
    when they have no case (Chinese): no cased character lower-cases to a caseless one.
    """
    out = []
    for s in specs:
        if s.get("OP") in ("?", "*", "!"):
            continue
        for attr in ("TEXT", "ORTH", "LOWER"):
            v = s.get(attr)
            if isinstance(v, dict):
                v = v.get("IN")
            words = [v] if isinstance(v, str) else v if isinstance(v, list) else None
            if words and (attr != "LOWER" or all(w.lower() == w.upper() for w in words)):
                out.append(frozenset(words))
                break
    return out


def _alone(ch: str) -> bool:
    """Whether the segmenter always makes ``ch`` a token of its own (punctuation: not a word character
    for jieba's cut and not whitespace), so no other token's text contains it."""
    from docreview.nlp import word_char

    return len(ch) == 1 and not ch.isspace() and not word_char(ch)


def token_filter_regex(specs: list[dict]) -> str | None:
    """A character regex that matches every sentence in which the token pattern ``specs`` matches.

    A match is consecutive tokens (whitespace tokens are dropped, hence ``\\s*`` between them) whose
    texts satisfy the specs, so exact texts become alternatives, ``NOT_IN`` of lone punctuation
    becomes a character class, and anything else any text. A sentence this regex misses is neither
    segmented nor given to spaCy's Matcher (the results are the same; it only saves the work).
    None when the pattern has no text constraint worth testing.
    """
    parts: list[str] = []
    useful = False
    for spec in specs:
        op = spec.get("OP")
        body = star = None  # regex for the text of one such token / of any number of them
        for attr in ("TEXT", "ORTH", "LOWER"):
            v = spec.get(attr)
            if v is None:
                continue
            fold = attr == "LOWER"
            if fold and any(not ch.isascii() and ch.lower() != ch.upper() for ch in str(v)):
                break  # non-ASCII case folding may differ from str.lower(): no constraint
            words = [v] if isinstance(v, str) else v.get("IN") if isinstance(v, dict) else None
            if words:
                alt = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
                body = f"(?{'i' if fold else ''}:{alt})"
            elif not fold and isinstance(v, dict) and v.get("NOT_IN") and all(map(_alone, v["NOT_IN"])):
                cls = "".join(re.escape(c) for c in sorted(set(v["NOT_IN"])))
                body, star = f"[^{cls}]+?", f"[^{cls}]*?"
            break
        if body is None or op == "!":
            piece = "[\\s\\S]*?"
        elif op == "*":
            piece = star or f"(?:{body}\\s*)*?"
        elif op == "?":
            piece = f"(?:{body})?"
        else:  # exactly one, or one or more (+)
            piece = body if op is None or star else f"(?:{body}\\s*)+?"
            useful = True
        parts.append(piece)
    return "\\s*".join(parts) if useful else None


def _token_matchers(book: Rulebook, vocab: Any) -> dict[str, tuple[Any, list[frozenset[str]]]]:
    """Per token pattern of ``book`` (by key): a spaCy ``Matcher`` on ``vocab`` holding only that
    pattern, and the token-text sets a sentence must have a token of each for it to match.

    spaCy's Matcher walks every pattern it holds over every token, and its longest-match filter works
    per key, so a matcher per pattern finds the same matches at a fraction of the cost when a sentence
    is a candidate for only one or two patterns. Cached on the book (dropped when it is pickled).
    """
    key = ("token_matcher", id(vocab))
    got = book._cache.get(key)
    if got is None or got[0] is not vocab:
        from spacy.matcher import Matcher

        per_key: dict[str, tuple[Any, list[frozenset[str]]]] = {}
        for r in book.rules:
            for i, p in enumerate(r.patterns):
                if p.kind == "tokens":
                    specs = [token_spec(t) for t in p.tokens]
                    matcher = Matcher(vocab)
                    matcher.add(_token_key(r.id, i), [specs], greedy="LONGEST")
                    per_key[_token_key(r.id, i)] = (matcher, _token_literal_sets(specs))
        got = book._cache[key] = (vocab, per_key)
    return got[1]


def _segmenter_vocab(book: Rulebook, segmenter: Any) -> Any:
    """The vocab of the segmenter's blank spaCy pipeline (docreview.nlp.Segmenter.nlp)."""
    return segmenter.nlp.vocab


# --------------------------------------------------------------------------- document context


@dataclass
class _Doc:
    statute: Statute
    norm: str
    segmenter: Any
    deadline: float
    timeout: float
    lawref: Any = None  # (module, articles, status) or None when the law data is unavailable
    on: date | None = None
    sentences: list[tuple[int, int]] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)
    _tokens: dict = field(default_factory=dict)
    _parties: dict = field(default_factory=dict)
    book: Any = None  # the Rulebook (its spaCy Matchers for token patterns)
    _token_hits: dict = field(default_factory=dict)  # (s, e, token pattern key) -> spans
    _texts: dict = field(default_factory=dict)  # sentence -> the set of its token texts
    _spacy_docs: dict = field(default_factory=dict)  # sentence -> its spaCy Doc
    occ: dict = field(default_factory=dict)  # literal index -> end offsets (inclusive) of its occurrences
    lit_heads: list = field(default_factory=list)  # literal index -> the literal but its last character
    _scope_units: dict = field(default_factory=dict)
    _set_units: dict = field(default_factory=dict)  # scope -> (masks per set, per literal, units, inside, ...)
    set_members: list = field(default_factory=list)  # literal set id -> literal indices
    token_filter: bool = True  # test token patterns' character regex before segmenting a sentence
    _present: set[int] | None = None  # ids of the literal sets a literal of which occurs

    def present_sets(self) -> set[int]:
        """The ids of the literal sets one literal of which occurs in the document."""
        if self._present is None:
            of = _literal_sets(self.book)
            self._present = set().union(*[of[i] for i in self.occ if i in of])
        return self._present

    def units(self, scope: str) -> tuple[list[tuple[int, int]], list[int] | None, frozenset[str]]:
        """``_units(self, scope)`` and, when they are sorted, disjoint and inside the text, ``inside``
        (``inside[pos]``: the index of the unit holding offset ``pos``, -1 if none) and ``edges``, the
        characters at the offsets ``pos`` where ``inside[pos] != inside[pos + 1]``.

        A text from ``a`` to ``b`` (inclusive) lies in unit ``j`` iff ``inside[a] == inside[b] == j``;
        when none of its characters but the last is in ``edges``, iff ``inside[b] == j``.
        """
        got = self._scope_units.get(scope)
        if got is None:
            units = _units(self, scope)
            size = len(self.norm) + 1
            inside = None
            edges: frozenset[str] = frozenset()
            if all(0 <= s0 <= e0 <= s1 for (s0, e0), (s1, _) in pairwise(units)) and (
                    not units or 0 <= units[-1][0] <= units[-1][1] < size):
                inside = [-1] * size
                for j, (s0, e0) in enumerate(units):
                    inside[s0:e0] = [j] * (e0 - s0)
                norm = self.norm
                edges = frozenset([norm[s0 - 1] for s0, _ in units if s0 > 0]
                                  + [norm[e0 - 1] for _, e0 in units if e0 > 0])
            got = self._scope_units[scope] = (units, inside, edges)
        return got

    def literal_units(self, scope: str, sid: int) -> int:
        """The ``scope`` units holding entirely an occurrence of a literal of set ``sid``, as a bit
        mask (bit ``j``: unit ``j``): unions and intersections of masks are far cheaper than of sets."""
        state = self._set_units.get(scope)
        if state is None:
            units, inside, edges = self.units(scope)
            # per set id and per literal index their mask, and what computing a literal's mask needs
            # bits[j] = 1 << j, and bits[-1] = 0 for the offsets outside every unit (inside[pos] == -1)
            bits = [1 << j for j in range(len(units))] + [0]
            state = self._set_units[scope] = ({}, {}, units, inside, edges, bits)
        per_set, per_lit, units, inside, edges, bits = state
        got = per_set.get(sid)
        if got is None:
            got = 0
            occ = self.occ
            heads = self.lit_heads
            for i in self.set_members[sid]:
                one = per_lit.get(i)
                if one is None:
                    ends = occ.get(i)
                    if ends is None:
                        continue
                    head = heads[i]
                    if inside is None:
                        one = _mask(_occ_units(units, ends, len(head)), bits)
                    elif edges.isdisjoint(head):  # no occurrence crosses a unit's edge
                        one = _mask(set(itemgetter(*ends)(inside)), bits) if len(ends) > 1 else bits[inside[ends[0]]]
                    else:
                        at, n1 = inside.__getitem__, len(head)
                        one = _mask({a for a, b in zip(map(at, [e - n1 for e in ends]), map(at, ends), strict=True)
                                     if a == b}, bits)
                    per_lit[i] = one
                got |= one
            per_set[sid] = got
        return got

    def token_hits(self, s: int, e: int, key: str) -> list[tuple[int, int]]:
        """Matches of the token pattern ``key`` in sentence ``[s, e)``: document spans, by start and
        longest first.

        One spaCy Doc (built from our jieba tokens) per sentence, one Matcher call per pattern; none
        when some token text every match holds is missing from the sentence.
        """
        got = self._token_hits.get((s, e, key))
        if got is None:
            got = self._token_hits[s, e, key] = []
            toks = self.tokens(s, e)
            if toks:
                matcher, needs = _token_matchers(self.book, _segmenter_vocab(self.book, self.segmenter))[key]
                if needs:
                    texts = self._texts.get((s, e))
                    if texts is None:
                        texts = self._texts[s, e] = {t.text for t in toks}
                    if any(texts.isdisjoint(n) for n in needs):
                        return got
                for _, a, b in sorted(matcher(self.spacy_doc(s, e)), key=lambda m: (m[1], -m[2])):
                    got.append((toks[a].start, toks[b - 1].end))
        return got

    def sentence_at(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < self.sentences[i][1] + 1:
            return self.sentences[i]
        return pos, pos

    def tokens(self, s: int, e: int) -> list[Token]:
        key = (s, e)
        toks = self._tokens.get(key)
        if toks is None:
            toks = self._tokens[key] = list(self.segmenter.tokens(self.norm[s:e], s))
        return toks

    def spacy_doc(self, s: int, e: int) -> Any:
        """A spaCy Doc of sentence ``[s, e)`` whose token i is ``self.tokens(s, e)[i]`` (built once)."""
        got = self._spacy_docs.get((s, e))
        if got is None:
            toks = self.tokens(s, e)
            if getattr(self.segmenter, "nlp", None) is not None and hasattr(self.segmenter, "doc"):
                got = self.segmenter.doc(toks)  # docreview.nlp.Segmenter: Doc on its own vocab
            else:
                from spacy.tokens import Doc

                got = Doc(_segmenter_vocab(self.book, self.segmenter), words=[t.text for t in toks],
                          spaces=[False] * len(toks))
            self._spacy_docs[s, e] = got
        return got

    def parties(self, s: int, e: int) -> list[checks.Party]:
        key = (s, e)
        ps = self._parties.get(key)
        if ps is None:
            ps = self._parties[key] = checks.find_parties(self.tokens(s, e))
        return ps

    def remaining(self, rule: Rule) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DocreviewError(E_TIMEOUT, rule.path or rule.id,
                                 f"规则 {rule.id} 匹配超时（单个文件超过 {self.timeout:g} 秒）")
        return left

    def clause_span(self, pos: int) -> tuple[int, int]:
        for a in self.statute.articles:
            if a.start <= pos < a.end:
                for c in a.clauses:
                    if c.start <= pos < c.end:
                        return c.start, c.end
                return a.start, a.end
        return self.line_span(pos)

    def article_span(self, pos: int) -> tuple[int, int]:
        for a in self.statute.articles:
            if a.start <= pos < a.end:
                return a.start, a.end
        return self.line_span(pos)

    def line_span(self, pos: int) -> tuple[int, int]:
        s = self.norm.rfind("\n", 0, pos) + 1
        e = self.norm.find("\n", pos)
        return s, len(self.norm) if e < 0 else e


def _mask(js: set[int], bits: list[int]) -> int:
    """The bit mask of the unit indices ``js`` (``bits[j]``: ``1 << j``; ``bits[-1]``: 0 when ``js``
    may hold -1, no unit)."""
    if len(js) > 1:
        return sum(itemgetter(*js)(bits))
    return bits[js.pop()] if js else 0


def _occ_units(units: list[tuple[int, int]], ends: list[int], n1: int) -> set[int]:
    """Indices of ``units`` holding an occurrence ending at one of ``ends`` (inclusive) and starting
    ``n1`` characters earlier, the unit being the last one starting at or before the occurrence."""
    got = set()
    starts = [u[0] for u in units]
    for e in ends:
        j = bisect.bisect_right(starts, e - n1) - 1
        if j >= 0 and e < units[j][1]:
            got.add(j)
    return got


def _body(statute: Statute) -> tuple[int, int]:
    if statute.body is not None and statute.body.end > statute.body.start:
        return statute.body.start, statute.body.end
    return 0, len(statute.text)


def _units(doc: _Doc, scope: str) -> list[tuple[int, int]]:
    st = doc.statute
    bs, be = _body(st)
    if scope == "sentence":
        return doc.sentences
    if scope == "document":
        return [(bs, be)]
    if scope in ("clause", "article"):
        spans: list[tuple[int, int]] = []
        for a in st.articles:
            if scope == "clause" and a.clauses:
                spans += [(c.start, c.end) for c in a.clauses]
            else:
                spans.append((a.start, a.end))
        if not spans:  # notice-style document: paragraphs
            pos = bs
            for line in doc.norm[bs:be].split("\n"):
                if line.strip():
                    spans.append((pos, pos + len(line)))
                pos += len(line) + 1
        return spans
    if scope.startswith("chapter:"):
        word = scope.split(":", 1)[1]
        areas = [(c.start, c.end) for c in st.chapters if word in c.title]
        areas += [(s.start, s.end) for s in st.sections if word in s.heading]
        return [s for s in doc.sentences if any(a <= s[0] < b for a, b in areas)]
    raise ValueError(scope)


# --------------------------------------------------------------------------- public API


class _Hit(NamedTuple):
    start: int
    end: int
    match: Any = None  # the regex match (its named groups fill the message), None for token patterns
    offset: int = 0  # document offset of the text ``match`` was found in


# A Finding without its fingerprint (that needs every finding of the document): ``Finding(*p, fingerprint)``
_Pending = NamedTuple("_Pending", [(f.name, Any) for f in fields(Finding) if f.name != "fingerprint"])


def _document(book: Rulebook, statute: Statute, segmenter: Any, rules: tuple[Rule, ...], *, prefilter: bool,
              timeout: float, today: date | None) -> _Doc:
    """The matching context of ``statute``: sentences and, with ``prefilter``, where the literals of
    ``rules`` occur."""
    norm = normalize(statute.text)
    bs, be = _body(statute)
    on = statute.dates.published or statute.dates.signed or today or date.today()
    doc = _Doc(statute, norm, segmenter, time.monotonic() + timeout, timeout, _lawref(book), on, book=book,
               token_filter=prefilter)
    doc.sentences = split_sentences(norm, bs, be)
    doc._starts = [s for s, _ in doc.sentences]
    if prefilter:
        auto, nonempty = _automaton(book, rules)
        _, _, doc.set_members, doc.lit_heads = _literal_ids(book)
        if nonempty:
            occ: dict[int, list[int]] = defaultdict(list)
            for end_idx, i in auto.iter(norm):
                occ[i].append(end_idx)
            doc.occ = occ
    return doc


def run_rules(
    book: Rulebook,
    statute: Statute,
    segmenter: Any,
    *,
    kind: str = "normative",
    document_checks: bool = True,
    prefilter: bool = True,
    rule_ids: Collection[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    today: date | None = None,
) -> tuple[Finding, ...]:
    """All findings of the rules applying to ``kind``, sorted by position.

    ``rule_ids`` restricts the run to those rules (examples, ``rules test``). Raises E113 when
    matching this document takes longer than ``timeout`` seconds. ``today`` is the date citations
    are judged at (repealed/renumbered law) when the document carries no date; default: today.
    """
    rules = tuple(r for r in book.rules if kind in r.kinds and (rule_ids is None or r.id in rule_ids))
    doc = _document(book, statute, segmenter, rules, prefilter=prefilter, timeout=timeout, today=today)
    norm = doc.norm
    comp = _compiled(book)
    lit_ids = _literal_ids(book)[1]
    present = doc.present_sets() if prefilter else set()

    findings: list[_Pending] = []
    # order: ordinary rules, fallback rules (only where nothing else was reported), citation checks
    for rule in sorted(rules, key=lambda r: (r.check == "citation", r.fallback)):
        if rule.check == "citation":
            findings.extend(_citation_findings(rule, doc, findings))
            continue
        if rule.check == "missing_clause":
            if document_checks:
                for s, e, vals in checks.missing_clause(rule.missing or "", statute, norm):
                    findings.append(_finding(rule, doc, s, e, vals, None))
            continue
        # per pattern: None = always a candidate, else its required literal sets (literal indices)
        lit_hits: list = [None] * len(rule.patterns)
        if prefilter:
            # a pattern none of whose literals of some required set occurs in the document never matches
            lit_hits = [h if h is None or present.issuperset(h) else () for h in lit_ids[rule.id]]
            if all(h == () for h in lit_hits):
                continue
        c = comp[rule.id]
        # a fallback rule reports only in sentences no earlier rule reported in
        skip = {doc.sentence_at(f.start) for f in findings} if rule.fallback else set()
        try:
            findings.extend(_run_rule(rule, c, doc, lit_hits, skip))
        except TimeoutError:  # a regex (pattern, requires or exception) ran out of budget
            raise DocreviewError(E_TIMEOUT, rule.path or rule.id,
                                 f"规则 {rule.id} 匹配超时（单个文件超过 {doc.timeout:g} 秒）") from None
    findings.sort(key=attrgetter("start", "end", "rule_id"))
    return _fingerprinted(findings, norm, doc)


def _run_rule(rule: Rule, c: _Compiled, doc: _Doc, lit_hits, skip: set[tuple[int, int]]) -> list[_Pending]:
    """Findings of ``rule``; none in the sentences of ``skip``."""
    out: list[_Pending] = []
    done = set(skip)  # one finding per rule and sentence
    scope = rule.scope
    units = doc.units(scope)[0]
    per_pattern: list[int | None] = []  # per pattern: None (every unit) or a mask of candidate units
    for sets in lit_hits:
        if sets is None:
            per_pattern.append(None)
            continue
        cand = 0
        if sets:
            cand = doc.literal_units(scope, sets[0])
            for sid in sets[1:]:  # a unit must contain a literal of every required set
                if not cand:
                    break
                cand &= doc.literal_units(scope, sid)
        per_pattern.append(cand)
    if None in per_pattern:
        todo: Iterable[int] = range(len(units))
        some = list(enumerate(per_pattern))
    else:
        some = [(i, pp) for i, pp in enumerate(per_pattern) if pp]
        if not some:
            return out
        union = 0
        for _, pp in some:
            union |= pp
        todo = _bits(union)
    single = [some[0][0]] if len(some) == 1 else None
    norm = doc.norm
    requires = c.requires
    for j in todo:
        active = single or [i for i, pp in some if pp is None or pp >> j & 1]
        if not active:
            continue
        us, ue = units[j]
        sub = norm[us:ue]
        if requires and not all(_search(r, sub, doc, rule) for r in requires):
            continue
        for hit in _matches(rule, c, doc, us, ue, sub, active):
            sent = doc.sentence_at(hit.start)
            if sent in done:
                continue
            verdict = _judge(rule, c, doc, hit, sent)
            if verdict is False:
                continue
            done.add(sent)
            out.append(_finding(rule, doc, hit.start, hit.end, _values(doc, hit), verdict or None))
    return out


def _bits(mask: int) -> Iterator[int]:
    """The indices of the set bits of ``mask``, ascending."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


_SHORT = 2000  # texts up to this length are matched without a per-call regex timeout (see _search)


def _search(rx, text: str, doc: _Doc, rule: Rule):
    """``rx.search(text)`` under the document's time budget.

    A per-call ``timeout=`` costs ~2 µs per call in ``regex`` (more than matching a sentence), so
    short texts (sentences, clauses) are searched without one: the rulebook's backtracking guard
    bounds their cost, and the budget is still checked before every call. Long texts keep it.
    """
    left = doc.remaining(rule)
    return rx.search(text, timeout=left) if len(text) > _SHORT else rx.search(text)


def _matches(rule: Rule, c: _Compiled, doc: _Doc, us: int, ue: int, sub: str, active: list[int]):
    for i in active:
        pat = c.patterns[i]
        if isinstance(pat, tuple):  # token pattern: spaCy Matcher per sentence inside the unit
            key = pat[1]
            flt = c.token_filters[i] if doc.token_filter else None
            sents, starts = doc.sentences, doc._starts  # sorted by start
            for k in range(bisect.bisect_left(starts, us), bisect.bisect_left(starts, ue)):
                s, e = sents[k]
                if flt is not None and not flt.search(doc.norm, s, e):
                    continue  # no sentence of this shape can hold a match: skip segmenting it
                for a, b in doc.token_hits(s, e, key):
                    yield _Hit(a, b)
            continue
        try:
            left = doc.remaining(rule)  # raises E113 once the document's budget is spent
            it = pat.finditer(sub, timeout=left) if len(sub) > _SHORT else pat.finditer(sub)
            for m in it:
                a, b = m.span()
                if a != b:
                    yield _Hit(us + a, us + b, m, us)
        except TimeoutError:
            raise DocreviewError(E_TIMEOUT, rule.path or rule.id,
                                 f"规则 {rule.id} 匹配超时（单个文件超过 {doc.timeout:g} 秒）") from None


def _judge(rule: Rule, c: _Compiled, doc: _Doc, hit: _Hit, sent: tuple[int, int]) -> bool | str:
    """False: suppressed; "" : report as is; a citation string: downgrade to reference/info."""
    norm = doc.norm
    ss, se = sent
    sentence = norm[ss:se]
    before = norm[ss:hit.start]
    match = norm[hit.start:hit.end]

    after = norm[hit.end:se]
    # 1. guards on characters only (cheap) and exception regexes: any of them suppresses the hit
    for e in rule.exceptions:
        g = e.guard
        if g == "negated" and checks.negated(before, match):
            return False
        if g == "soft_wording" and checks.soft_wording(before):
            return False
        if g == "referral" and checks.referral(before, match, after):
            return False
        if g == "condition_clause" and checks.condition_clause(after):
            return False
        if g == "scope_clause" and checks.scope_clause(sentence):
            return False
    for where, rx in c.exceptions:
        if _search(rx, _where(doc, where, hit, sent), doc, rule):
            return False

    # 2. guards that need the sentence's tokens and parties
    if rule.check == "subject_obligation":
        toks = doc.tokens(ss, se)
        modal = checks.modal_in(toks, hit.start, hit.end)
        if modal is None:
            return False
        subj = checks.subject_of(doc.parties(ss, se), modal.start, sentence, ss)
        if subj is None:
            subj = _lead_in_subject(doc, ss)
        if subj is None:
            if rule.subject_default != "private":
                return False
        elif subj.kind != "private":
            return False

    cites = []
    for e in rule.exceptions:
        g = e.guard
        if g == "cites_basis":
            cites.append(e)
        if g == "government_subject":
            toks = doc.tokens(ss, se)
            modal = checks.modal_in(toks, hit.start, hit.end) or checks.modal_before(toks, hit.start, ss)
            anchor = modal.start if modal else hit.start
            subj = checks.subject_of(doc.parties(ss, se), anchor, sentence, ss)
            if subj is not None and subj.kind == "gov":
                return False
        if g == "private_subject":
            subj = checks.subject_of(doc.parties(ss, se), hit.start, sentence, ss)
            if subj is not None and subj.kind == "private":
                return False
        if g == "private_charge" and checks.COLLECT_RE.match(match) and not checks.AMOUNT_RE.search(sentence):
            subj = checks.subject_of(doc.parties(ss, se), hit.start, sentence, ss)
            if subj is not None and subj.kind == "private":
                return False
        if g == "government_target":
            tgt = checks.target_of(doc.parties(ss, se), hit.start, hit.end, sentence, ss)
            if tgt is not None and tgt.kind == "gov":
                return False
    # 3. nothing suppressed the hit: a cited basis downgrades it
    cite = ""
    for _ in cites:
        cite = _basis_note(doc, _part(norm, ss, se, hit)) or cite
    return cite


def _lawref(book: Rulebook) -> Any:
    """``docreview.lawref`` with its loaded data, cached on the rulebook (None when unavailable)."""
    if "lawref" not in book._cache:
        try:
            from docreview import lawref

            book._cache["lawref"] = (lawref, lawref.load_articles(), lawref.load_status())
        except (ImportError, DocreviewError):
            book._cache["lawref"] = None
    return book._cache["lawref"]


def _basis_note(doc: _Doc, part: str) -> str:
    """Downgrade note for a clause citing its basis; "" when there is no (valid) citation.

    A citation of a repealed law or of an article the law does not have is no basis at all.
    """
    parts = checks.citation_parts(part)
    if parts is None:
        return ""
    display, law, article = parts
    note = f"该条款援引{display}作为依据"
    if doc.lawref is not None and article:
        mod, arts, status = doc.lawref
        chk = mod.check_citation(law, article, on=doc.on, articles=arts, status=status)
        if chk.status in (mod.REPEALED, mod.NOT_FOUND):
            return ""
        if chk.status == mod.OK and chk.current_text:
            text = chk.current_text if len(chk.current_text) <= 120 else chk.current_text[:120] + "……"
            note += f"（现行{article}：“{text}”）"
        elif chk.status == mod.RENUMBERED:
            note += f"（{chk.message}）"
    elif doc.lawref is not None:
        mod, arts, status = doc.lawref
        if mod.check_citation(law, "", on=doc.on, articles=arts, status=status).status == mod.REPEALED:
            return ""
    return note


def _citation_findings(rule: Rule, doc: _Doc, earlier: list[_Pending]) -> list[_Pending]:
    """Citations of repealed laws, renumbered or non-existent articles (data: docreview.lawref)."""
    if doc.lawref is None:
        return []
    mod, arts, status = doc.lawref
    bs, be = _body(doc.statute)
    taken = [(f.start, f.end) for f in earlier if f.category == "reference"]
    out = []
    flagged = (mod.REPEALED, mod.RENUMBERED, mod.NOT_FOUND)
    for c, chk in mod.check_text_citations(doc.norm[bs:be], on=doc.on, articles=arts, status=status):
        if chk.status not in flagged:
            continue
        s, e = bs + c.start, bs + c.end
        sent = doc.sentence_at(s)
        if any(a < sent[1] and b > sent[0] for a, b in taken):
            continue  # a regex rule already reported this citation
        vals = {"law": c.law, "article": c.article, "detail": chk.message,
                "suggestion": chk.suggestion or ""}
        out.append(_finding(rule, doc, s, e, vals, None))
        taken.append((s, e))
    return out


def _part(norm: str, ss: int, se: int, hit: _Hit) -> str:
    """The ；-delimited part of the sentence holding the match (items of a list are separate)."""
    s = norm.rfind("；", ss, hit.start) + 1 or ss
    s = max(s, ss)
    e = norm.find("；", hit.end, se)
    return norm[s:e if e >= 0 else se]


def _lead_in_subject(doc: _Doc, ss: int) -> checks.Party | None:
    """For an item or a follow-on sentence: the subject of the article's lead-in text before it."""
    a_s, _ = doc.article_span(ss)
    prev = [s for s in doc.sentences if a_s <= s[0] < ss]
    for s, e in reversed(prev[-3:]):
        sentence = doc.norm[s:e]
        ps = doc.parties(s, e)
        p = checks.subject_of(ps, e, sentence, s)
        if p is not None:
            return p
    return None


def _where(doc: _Doc, where: str, hit: _Hit, sent: tuple[int, int]) -> str:
    n = doc.norm
    ss, se = sent
    if where == "match":
        return n[hit.start:hit.end]
    if where == "before":
        return n[ss:hit.start]
    if where == "after":
        return n[hit.end:se]
    if where == "around":  # the match and the rest of its sentence
        return n[hit.start:se]
    if where == "segment":
        s = max(n.rfind(c, ss, hit.start) for c in "，；：") + 1
        s = max(s, ss)
        ends = [i for i in (n.find(c, hit.end, se) for c in "，；：") if i >= 0]
        return n[s:min(ends) if ends else se]
    if where == "clause":
        s, e = doc.clause_span(hit.start)
        return n[s:e]
    if where == "article":
        s, e = doc.article_span(hit.start)
        return n[s:e]
    return n[ss:se]


def _values(doc: _Doc, hit: _Hit) -> dict[str, str]:
    """The text of each named group that took part in the match, and the match as ``quote``."""
    text = doc.statute.text
    vals = {}
    m = hit.match
    if m is not None:
        off = hit.offset
        for name in m.re.groupindex:
            a, b = m.span(name)
            if a >= 0:
                vals[name] = text[off + a:off + b]
    vals["quote"] = text[hit.start:hit.end]
    return vals


def _fill(template: str, vals: dict[str, str]) -> str:
    if "{" not in template:
        return template
    return _FIELD.sub(lambda m: vals.get(m.group(1), ""), template)


def _locate(statute: Statute, pos: int) -> Location:
    try:
        return statute.locate(pos)
    except ImportError:
        pass
    for a in statute.articles:
        if a.start <= pos < a.end:
            label = a.label
            cl = it = None
            for c in a.clauses:
                if c.start <= pos < c.end:
                    cl = c.number
                    if len(a.clauses) > 1:
                        label += f"第{_cn(c.number)}款"
                    for i in c.items:
                        if i.start <= pos < i.end:
                            it = i.number
                            label += f"第{i.label}项"
            return Location(article=a.number, clause=cl, item=it, label=label)
    return Location(label="全文")


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


def _finding(rule: Rule, doc: _Doc, s: int, e: int, vals: dict[str, str], cite: str | None) -> _Pending:
    text = doc.statute.text
    vals = {**vals, "quote": text[s:e]}
    if cite:
        category, severity = "reference", "info"
        message = (f"{cite}（{rule.title}）：请核对所引条款的现行文本是否确实规定了该事项，"
                   "若系照搬上位法可保留，若扩大范围、增加条件或提高标准则应修改。")
        suggestion = "核对所引上位法条款；如上位法无此规定，删除或修改该表述。"
    else:
        category, severity = rule.category, rule.severity
        message, suggestion = _fill(rule.message, vals), _fill(rule.suggestion, vals)
    return _Pending(rule.id, rule.title, category, severity, _locate(doc.statute, s), text[s:e], s, e,
                    message, suggestion, rule.basis)


def _fingerprinted(findings: list[_Pending], norm: str, doc: _Doc) -> tuple[Finding, ...]:
    """The findings with a stable hash of rule id + normalised quote + sentence context (not
    positions or numbers)."""
    seen: dict[str, int] = {}
    contexts: dict[tuple[int, int], str] = {}
    out = []
    for f in findings:
        span = doc.sentence_at(f.start) if f.end > f.start else (f.start, f.end)
        context = contexts.get(span)
        if context is None:
            context = contexts[span] = "".join(_LABEL_RE.sub("", norm[span[0]:span[1]]).split())
        key = "\0".join((f.rule_id, "".join(norm[f.start:f.end].split()), context))
        n = seen.get(key, 0)
        seen[key] = n + 1
        out.append(Finding(*f, hashlib.sha256(f"{key}\0{n}".encode()).hexdigest()[:20]))
    return tuple(out)


# --------------------------------------------------------------------------- helpers for callers
