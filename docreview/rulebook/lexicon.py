"""Named word lists shared by rules (``lexicons.yml`` at the root of a rules folder).

A lexicon file maps an upper-case name to a list of literal words::

    LOCAL: [本地, 本市, 本省]
    ENTERPRISE: [企业, 供应商, 经营者]

Any rule regex (``patterns.*.regex``, ``requires``, ``exceptions.*.regex``) may write ``{{LOCAL}}``;
at load time it becomes the escaped alternation ``(?:本地|本市|本省)`` (longest word first), so the
backtracking guard and the prefilter see the expanded regex. Words are literals, never regex. An
unknown name is E201 naming the rule file and key; a malformed lexicon file is E200/E201 naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from docreview.errors import E_RULE_SCHEMA, E_RULE_YAML, DocreviewError

LEXICON_FILES = ("lexicons.yml", "lexicons.yaml")
_NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_REF_RE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")

Lexicons = Mapping[str, tuple[str, ...]]


def lexicon_file(folder: Path) -> Path | None:
    """The lexicon file at the root of ``folder``, if any."""
    for name in LEXICON_FILES:
        p = folder / name
        if p.is_file():
            return p
    return None


def parse_lexicons(text: str, where: str) -> dict[str, tuple[str, ...]]:
    """Validate one lexicon file's text (``yaml.safe_load``)."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第{mark.line + 1}行" if mark is not None else ""
        raise DocreviewError(E_RULE_YAML, where, f"词表文件 YAML 语法错误（{line}）") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DocreviewError(E_RULE_SCHEMA, where, "词表文件应为“名称: [词, …]”的映射")
    out: dict[str, tuple[str, ...]] = {}
    for name, words in data.items():
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise DocreviewError(E_RULE_SCHEMA, where, f"词表名 {name!r} 无效：只能用大写字母、数字和下划线")
        if not isinstance(words, list) or not words:
            raise DocreviewError(E_RULE_SCHEMA, where, f"{name} 应为非空的词语列表")
        for i, w in enumerate(words):
            if not isinstance(w, str) or not w.strip():
                raise DocreviewError(E_RULE_SCHEMA, where, f"{name}.{i} 应为非空字符串")
        out[name] = tuple(dict.fromkeys(w.strip() for w in words))
    return out


def merge_lexicons(base: Lexicons, extra: Lexicons, where: str) -> dict[str, tuple[str, ...]]:
    """``base`` plus ``extra``; a name defined twice with different words is E201."""
    out = dict(base)
    for name, words in extra.items():
        if name in out and out[name] != words:
            raise DocreviewError(E_RULE_SCHEMA, where, f"{name} 与已加载的同名词表内容不同，请改名")
        out[name] = words
    return out


def alternation(words: tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=lambda s: (-len(s), s))) + ")"


def expand(pattern: str, lexicons: Lexicons, where: str, key: str) -> str:
    """Replace every ``{{NAME}}`` in ``pattern``; unknown names raise E201 naming ``where`` and ``key``."""
    if "{{" not in pattern:
        return pattern

    def sub(m: re.Match) -> str:
        name = m.group(1)
        words = lexicons.get(name)
        if words is None:
            known = "、".join(sorted(lexicons)) or "无"
            raise DocreviewError(E_RULE_SCHEMA, where,
                                 f"{key} 引用了未定义的词表 {{{{{name}}}}}（已定义：{known}）")
        return alternation(words)

    return _REF_RE.sub(sub, pattern)


def used_names(pattern: str) -> list[str]:
    """Lexicon names referenced in ``pattern`` (for ``rules show``)."""
    return list(dict.fromkeys(_REF_RE.findall(pattern)))
