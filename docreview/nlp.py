"""Character normalisation, sentence splitting and jieba tokens with document offsets.

Nothing heavy is imported at module import time: jieba is loaded by the first ``Segmenter.tokens``
call, spaCy only when ``Segmenter.nlp`` / ``Segmenter.doc`` is first used.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import pickle
import re
import tempfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from docreview.model import Sentence, Token

if TYPE_CHECKING:  # pragma: no cover
    import spacy.language
    import spacy.tokens

# --------------------------------------------------------------------------- normalize


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # full-width digits and Latin letters -> ASCII
    for cp in range(0xFF10, 0xFF1A):
        table[cp] = chr(cp - 0xFEE0)
    for cp in list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B)):
        table[cp] = chr(cp - 0xFEE0)
    # full-width symbols that are only ever used as their ASCII twins in figures
    for ch in "％＋－／＝＜＞＃＆＊＠＿｜～":
        table[ord(ch)] = chr(ord(ch) - 0xFEE0)
    # spaces of every kind -> " " (newlines are kept: they end sentences)
    for cp in (0x3000, 0x00A0, 0x1680, 0x2007, 0x202F, 0x205F, 0xFEFF, 0x200B, 0x0009, 0x000B, 0x000C):
        table[cp] = " "
    for cp in range(0x2000, 0x200B):
        table[cp] = " "
    # ASCII punctuation -> Chinese full-width punctuation
    for a, b in zip("(),;:?!", "（），；：？！", strict=True):
        table[ord(a)] = b
    # every square/lenticular bracket -> the 文号 brackets 〔〕
    for ch in "[［【〖﹝":
        table[ord(ch)] = "〔"
    for ch in "]］】〗﹞":
        table[ord(ch)] = "〕"
    return table


_TABLE = _build_table()
# str.translate looks every character up in the dict (slow on CJK text); a C-level regex scan that
# only calls back for the few mapped characters gives the same result about 7× faster.
_CHAR_MAP = {chr(k): v for k, v in _TABLE.items()}
_MAPPED_RE = re.compile("[" + re.escape("".join(_CHAR_MAP)) + "]")
_map_char = _CHAR_MAP.__getitem__


def normalize(text: str) -> str:
    """Length-preserving character map used before matching.

    Full-width digits/Latin → ASCII; all spaces (U+3000, NBSP, tabs …) → " "; ASCII ``( ) , ; : ? !``
    → ``（ ），；：？！``; ``[]［］【】〖〗`` → ``〔〕``. ``len(normalize(s)) == len(s)`` always holds, so
    offsets found in the result are valid in ``s``.
    """
    return _MAPPED_RE.sub(lambda m: _map_char(m.group()), text)


# --------------------------------------------------------------------------- sentences

_ENDS = frozenset("。！？；!?;")
_OPEN_CLOSE = {"《": "》", "“": "”", "‘": "’", "「": "」", "『": "』", "（": "）", "(": ")"}
_CLOSERS = {v: k for k, v in _OPEN_CLOSE.items()}
_MAX_NEST = 300  # an unclosed bracket may not swallow more than this many characters


# the characters the splitter acts on: line ends, brackets and quotes, sentence ends
_SPLIT_AT = re.compile("[\n\r" + re.escape("".join([*_OPEN_CLOSE, *_CLOSERS, *_ENDS])) + "]")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Sentences of ``text[start:end]`` with absolute offsets into ``text``.

    Splits after 。！？； (and ASCII !?;) and at line ends, never inside 《》, quotes “”‘’「」『』 or
    parentheses. An opener left unclosed stops protecting at the line end or after ``_MAX_NEST``
    characters, so a stray 《 cannot merge a whole document. Surrounding whitespace is trimmed;
    empty sentences are dropped.
    """
    end = len(text) if end is None else min(end, len(text))
    out: list[Sentence] = []
    stack: list[tuple[str, int]] = []  # (opener, position)
    s = start

    def emit(a: int, b: int) -> None:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append(Sentence(start=a, end=b, text=text[a:b]))

    search = _SPLIT_AT.search
    m = search(text, start, end)
    while m is not None:
        i = m.start()
        ch = text[i]
        nxt = i + 1
        if ch == "\n" or ch == "\r":
            emit(s, i)
            s = i + 1
            stack.clear()
        elif ch in _OPEN_CLOSE:
            stack.append((ch, i))
        elif ch in _CLOSERS:
            opener = _CLOSERS[ch]
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == opener:
                    del stack[k:]
                    break
        else:  # a sentence end
            if stack and i - stack[0][1] > _MAX_NEST:
                stack.clear()
            if not stack:
                while nxt < end and text[nxt] in _ENDS:  # "？！" / "。；" runs stay together
                    nxt += 1
                emit(s, nxt)
                s = nxt
        m = search(text, nxt, end)
    emit(s, end)
    return out


# --------------------------------------------------------------------------- tokens


def legal_dict_path() -> Path:
    """The shipped legal user dictionary (``word freq tag`` per line)."""
    return Path(str(resources.files("docreview") / "data" / "legal_dict.txt"))


def cache_dir() -> Path:
    """Writable directory for jieba's prefix-dictionary cache; never the working directory.

    ``$XDG_CACHE_HOME/docreview`` or ``~/.cache/docreview``; falls back to a per-user temp dir.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    candidates = [Path(base) / "docreview"]
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    candidates.append(Path(tempfile.gettempdir()) / f"docreview-{uid}")
    for cand in candidates:
        try:
            cand.mkdir(parents=True, exist_ok=True)
            probe = tempfile.NamedTemporaryFile(dir=cand, prefix=".probe", delete=True)  # noqa: SIM115
            probe.close()
            return cand
        except OSError:
            continue
    return Path(tempfile.mkdtemp(prefix="docreview-"))


class _PlainUnpickler(pickle.Unpickler):
    """Refuses every global: our cache holds only dicts, strings, ints and tuples."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"unexpected global {module}.{name}")


def _load_tokenizer(user_dict: Path):  # -> jieba.Tokenizer
    """A ``jieba.Tokenizer`` with ``user_dict`` loaded.

    The merged prefix dictionary is cached in ``cache_dir()`` as a plain pickle (protocol 5 loads
    about twice as fast as jieba's own marshal cache); it is keyed by the jieba version and the user
    dictionary's content and read with an unpickler that accepts no globals. On any problem the
    tokenizer is built the normal way (jieba's cache also goes to ``cache_dir()``, never the cwd).
    """
    import logging

    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)  # silence "Building prefix dict…"
    tk = jieba.Tokenizer()
    cdir = cache_dir()
    data = user_dict.read_bytes()
    key = hashlib.sha256(jieba.__version__.encode() + b"\0" + data).hexdigest()[:16]
    cached = cdir / f"docreview-dict-{key}.pickle"
    try:
        with cached.open("rb") as fh:
            freq, total, tags = _PlainUnpickler(fh).load()
        if isinstance(freq, dict) and isinstance(total, int) and isinstance(tags, dict):
            tk.FREQ, tk.total, tk.user_word_tag_tab = freq, total, tags
            tk.initialized = True
            return tk
    except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
        pass
    tk.tmp_dir = str(cdir)
    tk.initialize()
    tk.load_userdict(io.BytesIO(data))
    try:
        fd, tmp = tempfile.mkstemp(dir=cdir, prefix=".dict-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((tk.FREQ, tk.total, tk.user_word_tag_tab), fh, protocol=5)
        os.replace(tmp, cached)
    except OSError:
        pass
    return tk


# jieba.Tokenizer.cut(HMM=False), re-implemented flat (no nested generators, one DAG pass): the
# words are exactly jieba's, see tests/test_perf_equivalence.py. (jieba_fast's C DAG breaks score
# ties differently, e.g. 看看看, so it is not used.)
_RE_HAN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)")


_STOP = object()  # memo value of a fragment that starts no dictionary word
_NEG_INF = float("-inf")
_MAX_STOPS = 50_000  # the memo is emptied when it would hold more _STOP entries (a few MB)


class _Router:
    """jieba's ``get_DAG`` + ``calc`` fused, with each word's ``log(freq) - log(total)`` memoised.

    Scores are computed with the same float operations in the same order and ties are broken as
    ``max`` over ``(score, end)`` does (the later end wins), so routes are identical to jieba's. The
    memo maps every fragment looked up to its log probability, None (a prefix of words but no word
    itself) or ``_STOP`` (starts no dictionary word): one probe of a small dict per fragment instead
    of two of the ~500k-entry ``FREQ``. Its dictionary entries never outgrow ``FREQ``; it is emptied
    before it holds more than ``_MAX_STOPS`` stops.
    """

    def __init__(self, tk) -> None:
        self.freq = tk.FREQ
        self.logtotal = math.log(tk.total)
        self.memo: dict[str, object] = {}
        self.stops = 0  # how many _STOP entries the memo holds

    def __call__(self, blk: str) -> list[int]:
        """``route[k]``: the index of the last character of the best word starting at ``k``."""
        freq, logtotal, memo = self.freq, self.logtotal, self.memo
        log, stop, neg = math.log, _STOP, _NEG_INF
        n = len(blk)
        route = [0] * n
        score = [0.0] * (n + 1)
        k = n
        for ch in reversed(blk):
            k -= 1
            best_s = neg
            frag = ch
            j = k + 1  # frag == blk[k:j]
            while True:
                try:
                    lp = memo[frag]
                except KeyError:
                    lp = self._learn(frag)
                if lp is stop:  # no dictionary word starts with frag
                    break
                if lp is not None:  # a word ending at j - 1
                    sc = lp + score[j]
                    if sc >= best_s:
                        best_s, best_x = sc, j
                if j == n:
                    break
                j += 1
                frag = blk[k:j]
            if best_s is neg:  # no dictionary word starts here: the single character
                best_s, best_x = log(freq.get(ch) or 1) - logtotal + score[k + 1], k + 1
            score[k] = best_s
            route[k] = best_x - 1
        return route

    def _learn(self, frag: str) -> object:
        """Look ``frag`` up in the dictionary and memoise the result."""
        f = self.freq.get(frag)
        if f is None:
            if self.stops >= _MAX_STOPS:
                self.memo.clear()
                self.stops = 0
            self.stops += 1
            lp: object = _STOP
        else:
            lp = (math.log(f) - self.logtotal) if f else None
        self.memo[frag] = lp
        return lp


def word_char(ch: str) -> bool:
    """Whether jieba's cut may join ``ch`` with its neighbours into one word (else it stands alone)."""
    return _RE_HAN.match(ch) is not None


_new_token = tuple.__new__  # _new_token(Token, (text, start, end)) skips NamedTuple.__new__'s wrapper
_ENG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # jieba's re_eng


def tokens_no_hmm(router: _Router, norm: str, offset: int) -> list[Token]:
    """The words of jieba's ``tk.cut(norm, HMM=False)`` (``router`` built from ``tk``) as Tokens at
    ``offset`` + index, whitespace words dropped.

    ``_RE_HAN.split`` alternates non-word runs (even indices) and word blocks (odd indices); a
    non-word run falls apart into single characters (and whitespace, which is dropped).
    """
    out: list[Token] = []
    append = out.append
    new, tok, eng = _new_token, Token, _ENG_CHARS
    pos = offset
    for idx, blk in enumerate(_RE_HAN.split(norm)):
        if not blk:
            continue
        if idx & 1:
            route = router(blk)
            x, n, buf = 0, len(blk), -1  # buf: start of a pending run of single ASCII letters/digits
            while x < n:
                y = route[x] + 1
                if y - x == 1 and blk[x] in eng:
                    if buf < 0:
                        buf = x
                else:
                    if buf >= 0:
                        append(new(tok, (blk[buf:x], pos + buf, pos + x)))
                        buf = -1
                    append(new(tok, (blk[x:y], pos + x, pos + y)))
                x = y
            if buf >= 0:
                append(new(tok, (blk[buf:n], pos + buf, pos + n)))
            pos += n
        else:
            for ch in blk:
                if not ch.isspace():
                    append(new(tok, (ch, pos, pos + 1)))
                pos += 1
    return out


class Segmenter:
    """One private ``jieba.Tokenizer`` with the legal user dictionary, plus a blank spaCy zh vocab.

    HMM is OFF: jieba's HMM guesses new words for out-of-dictionary runs and glues characters
    across real word boundaries (须经市 → 须/经市), which makes token patterns miss. Without it every
    dictionary word (including our legal terms) is kept whole, unknown runs fall apart into single
    characters that rules can still match, results are deterministic and do not depend on the HMM
    model, and loading is faster (no HMM tables).
    """

    HMM = False

    def __init__(self, user_dict: str | os.PathLike[str] | None = None) -> None:
        self._user_dict = Path(user_dict) if user_dict else legal_dict_path()
        self._tk = None
        self._router: _Router | None = None
        self._nlp = None

    def __reduce__(self):
        """Pickle as a fresh, unloaded Segmenter (batch workers load their own jieba)."""
        custom = None if self._user_dict == legal_dict_path() else str(self._user_dict)
        return (Segmenter, (custom,))

    # -- jieba

    @property
    def tokenizer(self):  # -> jieba.Tokenizer
        """The owned, initialised jieba tokenizer (loaded on first use)."""
        if self._tk is None:
            self._tk = _load_tokenizer(self._user_dict)
        return self._tk

    def tokens(self, text: str, offset: int = 0) -> list[Token]:
        """jieba tokens of ``normalize(text)`` with absolute offsets (``offset`` + index in text).

        ``Token.text`` is the normalised surface (same length as the original slice, so
        ``text[t.start - offset:t.end - offset]`` is the original). Whitespace tokens are dropped.
        """
        norm = normalize(text)
        out: list[Token] = []
        if self.HMM:
            for word, a, b in self.tokenizer.tokenize(norm, HMM=True):
                if not word.isspace():
                    out.append(Token(text=word, start=offset + a, end=offset + b))
            return out
        if self._router is None:
            self._router = _Router(self.tokenizer)
        return tokens_no_hmm(self._router, norm, offset)

    # -- spaCy

    @property
    def nlp(self) -> spacy.language.Language:
        """A blank ``spacy.blank("zh")`` pipeline; use its vocab for Matcher / PhraseMatcher."""
        if self._nlp is None:
            import spacy

            self._nlp = spacy.blank("zh")
        return self._nlp

    def doc(self, tokens: list[Token]) -> spacy.tokens.Doc:
        """A spaCy Doc whose i-th token is ``tokens[i]`` (map back with ``tokens[i].start``)."""
        from spacy.tokens import Doc

        words = [t.text for t in tokens]
        return Doc(self.nlp.vocab, words=words, spaces=[False] * len(words))


@functools.lru_cache(maxsize=1)
def default_segmenter() -> Segmenter:
    """A process-wide Segmenter, created on first call (loading jieba once per process)."""
    return Segmenter()
