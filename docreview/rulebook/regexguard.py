"""Static checks on rule regexes: catastrophic-backtracking guard and required-literal extraction.

Both work on the parse tree of the stdlib parser, so rule regexes must use the syntax common to
``re`` and the ``regex`` package (the engine matches with ``regex`` for its ``timeout=``).
"""

from __future__ import annotations

try:  # Python ≥ 3.11
    import re._constants as C  # type: ignore[import-not-found]
    import re._parser as P  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

MAXREPEAT = C.MAXREPEAT
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)}
_BIG = 10  # an outer repeat above this (or unbounded) around a variable inner repeat is refused
ANY = None  # "any character" in char-set computations


def parse(pattern: str):
    return P.parse(pattern)


# --------------------------------------------------------------------------- char sets


def _union(a, b):
    if a is ANY or b is ANY:
        return ANY
    return a | b


def _charset(items) -> frozenset | None:
    """Characters a sub-pattern can consume (ANY when unknown/large)."""
    out: frozenset | None = frozenset()
    for op, av in items:
        if op == C.LITERAL:
            out = _union(out, frozenset(chr(av)))
        elif op == C.IN:
            s: set[str] = set()
            for iop, iav in av:
                if iop == C.LITERAL:
                    s.add(chr(iav))
                elif iop == C.RANGE and iav[1] - iav[0] < 64:
                    s.update(chr(c) for c in range(iav[0], iav[1] + 1))
                else:  # NEGATE, CATEGORY, big ranges
                    return ANY
            out = _union(out, frozenset(s))
        elif op in (C.ANY, C.NOT_LITERAL, C.CATEGORY):
            return ANY
        elif op == C.SUBPATTERN:
            out = _union(out, _charset(av[-1]))
        elif op == getattr(C, "ATOMIC_GROUP", None):
            out = _union(out, _charset(av))
        elif op in _REPEATS:
            out = _union(out, _charset(av[2]))
        elif op == C.BRANCH:
            for alt in av[1]:
                out = _union(out, _charset(alt))
        elif op in (C.ASSERT, C.ASSERT_NOT, C.AT):
            continue
        else:  # GROUPREF etc.
            return ANY
        if out is ANY:
            return ANY
    return out


def _overlap(a, b) -> bool:
    if a is ANY or b is ANY:
        return True
    return bool(a & b)


def _first(items):
    """Possible first characters of a sequence (ANY when unknown)."""
    out: frozenset | None = frozenset()
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        if op in _REPEATS:
            out = _union(out, _first(av[2]))
            if av[0] == 0:
                continue
            return out
        if op == C.SUBPATTERN:
            return _union(out, _first(av[-1]))
        if op == C.BRANCH:
            for alt in av[1]:
                out = _union(out, _first(alt))
            return out
        return _union(out, _charset([(op, av)]))
    return out


def _variable(items) -> bool:
    """Whether the sub-pattern contains a repeat of variable length."""
    for op, av in items:
        if op in _REPEATS:
            if av[0] != av[1] or _variable(av[2]):
                return True
        elif (op == C.SUBPATTERN and _variable(av[-1])) or (
            op == C.BRANCH and any(_variable(a) for a in av[1])
        ):
            return True
    return False


# --------------------------------------------------------------------------- backtracking guard


def backtracking_problem(pattern: str) -> str | None:
    """A Chinese description of why ``pattern`` may backtrack catastrophically, or None."""
    return _scan(parse(pattern))


def _scan(items) -> str | None:
    seq = list(items)
    none = object()
    prev_unbounded: object = none  # char set of the previous unbounded repeat in this sequence
    for op, av in seq:
        if op in _REPEATS:
            lo, hi, body = av
            big = hi == MAXREPEAT or hi > _BIG
            if big and _variable(body):
                return "嵌套量词（如 (a+)+、(.*)*）"
            if big and _width_varies(body):
                return "量词作用于长度可变、可能重叠的分支（如 (a|ab)+）"
            if big and _has_overlapping_branch(body):
                return "量词作用于可能重叠的分支（如 (a|ab)+）"
            if hi == MAXREPEAT:
                cs = _charset(body)
                if prev_unbounded is not none and _overlap(prev_unbounded, cs):
                    return "相邻的无界重复匹配相同字符（如 .*.*）"
                prev_unbounded = cs
            elif prev_unbounded is not none and lo == 0:
                pass  # an optional bounded repeat between two unbounded ones keeps the danger
            else:
                prev_unbounded = none
            inner = _scan(body)
            if inner:
                return inner
            continue
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            if op != C.AT:
                inner = _scan(av[1])
                if inner:
                    return inner
            continue
        prev_unbounded = none
        if op == C.SUBPATTERN:
            inner = _scan(av[-1])
        elif op == C.BRANCH:
            inner = next((r for r in (_scan(a) for a in av[1]) if r), None)
        elif op == getattr(C, "ATOMIC_GROUP", None):
            inner = _scan(av)
        else:
            inner = None
        if inner:
            return inner
    return None


def _width_varies(body) -> bool:
    try:
        lo, hi = body.getwidth()
    except AttributeError:  # pragma: no cover - plain list
        return False
    return lo != hi


def _has_overlapping_branch(items) -> bool:
    body = list(items)
    while len(body) == 1 and body[0][0] == C.SUBPATTERN:
        body = list(body[0][1][-1])
    if len(body) != 1 or body[0][0] != C.BRANCH:
        return False
    alts = body[0][1][1]
    firsts = [_first(a) for a in alts]
    if any(len(a) == 0 for a in alts):
        return True
    for i in range(len(firsts)):
        for j in range(i + 1, len(firsts)):
            if _overlap(firsts[i], firsts[j]):
                return True
    return False


# --------------------------------------------------------------------------- required literals


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings of which every match of ``pattern`` contains at least one, or None if unknown.

    Used to build the Aho-Corasick prefilter; None means the rule is always a candidate.
    """
    tree = parse(pattern)
    if tree.state.flags & (C.SRE_FLAG_IGNORECASE | getattr(C, "SRE_FLAG_VERBOSE", 0)):
        return None
    return _lits(list(tree))


def required_literal_sets(pattern: str) -> list[frozenset[str]] | None:
    """All literal sets along the top-level sequence: every match contains one string of EACH set.

    A conjunctive, stronger prefilter than :func:`required_literals`; None when nothing is certain.
    """
    tree = parse(pattern)
    if tree.state.flags & (C.SRE_FLAG_IGNORECASE | getattr(C, "SRE_FLAG_VERBOSE", 0)):
        return None
    out: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in list(tree):
        if op == C.LITERAL:
            run.append(chr(av))
            continue
        if run:
            out.append(frozenset(["".join(run)]))
            run = []
        s = _node(op, av)
        if s and all(s):
            out.append(s)
    if run:
        out.append(frozenset(["".join(run)]))
    uniq: list[frozenset[str]] = []
    for s in out:
        if s not in uniq:
            uniq.append(s)
    return uniq or None


def _quality(s: frozenset[str]) -> tuple[int, int]:
    return (min(len(x) for x in s), -len(s))


def _lits(items) -> frozenset[str] | None:
    """Best required-literal set of a sequence."""
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(cand: frozenset[str] | None) -> None:
        nonlocal best
        if cand and all(cand) and (best is None or _quality(cand) > _quality(best)):
            best = cand

    for op, av in items:
        if op == C.LITERAL:
            run.append(chr(av))
            continue
        if run:
            consider(frozenset(["".join(run)]))
            run = []
        consider(_node(op, av))
    if run:
        consider(frozenset(["".join(run)]))
    return best


def _node(op, av) -> frozenset[str] | None:
    if op == C.SUBPATTERN:
        return _lits(list(av[-1]))
    if op == getattr(C, "ATOMIC_GROUP", None):
        return _lits(list(av))
    if op in _REPEATS:
        return _lits(list(av[2])) if av[0] >= 1 else None
    if op == C.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            s = _lits(list(alt))
            if not s:
                return None
            out |= s
        return frozenset(out)
    if op == C.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop == C.LITERAL:
                chars.add(chr(iav))
            elif iop == C.RANGE and iav[1] - iav[0] < 16:
                chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
            else:
                return None
        return frozenset(chars) or None
    return None  # ANY, NOT_LITERAL, CATEGORY, AT, ASSERT*, GROUPREF: nothing certain
