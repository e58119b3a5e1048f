"""Chinese numerals for article numbers, without importing cn2an on the common path.

``cn2an`` takes ~95 ms to import (a third of a cold ``check`` before any document is read). Article,
clause and list numbers are almost always 0–9999 in canonical form (十一, 一百零一), which these
functions handle themselves; anything else goes to cn2an. tests/test_perf_cnnum.py checks every
number 0–9999 against cn2an, both ways.
"""

from __future__ import annotations

_DIGITS = "零一二三四五六七八九"
_VALUE = {c: i for i, c in enumerate(_DIGITS)}
_UNITS = ((1000, "千"), (100, "百"), (10, "十"))


def an2cn(n: int, mode: str = "low") -> str:
    """``cn2an.an2cn(n, mode)``: 23 → 二十三 (mode "low"); other modes and n outside 0–9999 use cn2an."""
    if mode != "low" or not 0 <= n <= 9999 or isinstance(n, bool):
        import cn2an

        return cn2an.an2cn(n, mode)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    out = []
    zero = False
    for unit, name in _UNITS:
        d, n = divmod(n, unit)
        if d:
            if zero:
                out.append("零")
                zero = False
            out.append(_DIGITS[d] + name)
        elif out:
            zero = True
    if n:
        if zero:
            out.append("零")
        out.append(_DIGITS[n])
    return "".join(out)


def _parse(s: str) -> int | None:
    total = cur = 0
    for ch in s:
        if ch in _VALUE:
            cur = _VALUE[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += cur * 100
            cur = 0
        elif ch == "千":
            total += cur * 1000
            cur = 0
        else:
            return None
    return total + cur


def cn2int(s: str) -> int:
    """``int(cn2an.cn2an(s, "smart"))`` for a numeral such as 二十三 / 一百零一 / 23."""
    s = s.strip()
    if s.isdigit():
        return int(s)
    n = _parse(s)
    if n is not None and an2cn(n) == s:  # canonical form: the round trip proves the reading
        return n
    import cn2an

    return int(cn2an.cn2an(s.replace("○", "〇"), "smart"))
