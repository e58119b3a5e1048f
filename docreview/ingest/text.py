"""Plain-text and Markdown drafts: encoding detection and line blocks.

Detection order (never a blind guess): BOM (UTF-8, UTF-16) → strict UTF-8 → strict GB18030 with a
plausibility check → charset-normalizer → E110. GB18030 is a superset of GBK/GB2312.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from docreview.errors import E_UNDECODABLE, DocreviewError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _plausible(text: str) -> bool:
    """True when decoded text looks like a real document (few controls / private-use / rare chars)."""
    if not text:
        return True
    bad = 0
    han = 0
    for ch in text:
        if ch in "\r\n\t\f":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Co", "Cs", "Cn"):
            bad += 1
        elif "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef":
            han += 1
        elif ord(ch) > 0x2FFFF or "\u3400" <= ch <= "\u4dbf" or "\U00020000" <= ch <= "\U0002ffff":
            bad += 0.5  # CJK extension blocks are rare in official text; GB18030 garbage lands there
    n = len(text)
    return bad / n < 0.02 and (han > 0 or all(ord(c) < 0x3000 for c in text))


def decode_text(data: bytes, where: str) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``; E110 when no plausible encoding exists."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                raise DocreviewError(E_UNDECODABLE, where, f"文件带有 {enc} 字节序标记，但内容无法按该编码解码") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" not in text:
            return text, "utf-8"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text and _plausible(text):
        return text, "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        if "\x00" not in text and _plausible(text):
            return text, best.encoding
    raise DocreviewError(E_UNDECODABLE, where, "无法识别文本编码（不是 UTF-8 或 GB18030/GBK），请另存为 UTF-8 文本")


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
_MD_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_MD_BULLET = re.compile(r"^\s*[-*+]\s+")
_MD_EMPH = re.compile(r"(\*\*|__)(.+?)\1")
_MD_CLOSING_HASHES = re.compile(r"\s+#+\s*$")


def clean_markdown_line(line: str) -> str:
    """Strip heading markers, blockquote ``>``, list bullets and **/__ emphasis from one line."""
    line = _MD_QUOTE.sub("", line)
    if _MD_HEADING.match(line):
        line = _MD_CLOSING_HASHES.sub("", _MD_HEADING.sub("", line))
    line = _MD_BULLET.sub("", line)
    return _MD_EMPH.sub(r"\2", line)


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` (CRLF, CR, LF, form feed, U+2028/2029 all end a line), without the ends."""
    return re.split(r"\r\n|[\r\n\f\u2028\u2029\x0b\x1c\x1d\x1e\x85]", text)
