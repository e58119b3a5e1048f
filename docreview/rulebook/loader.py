"""Load rule YAML files into a frozen, picklable :class:`Rulebook`.

``yaml.safe_load`` only; nothing from YAML is executed. Every problem is a DocreviewError with one
Chinese line naming the file and the key path (E200 YAML, E201 schema, E202 regex, E203 duplicate id,
E204 unknown id in config overrides, E205 missing folder).

Shared word lists: a ``lexicons.yml`` at the root of a rules folder defines named lists that rule
regexes reference as ``{{NAME}}`` (see :mod:`docreview.rulebook.lexicon`); they are expanded before
the regex is compiled and checked, and they are part of :attr:`Rulebook.version`.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docreview.errors import (
    E_RULE_DIR,
    E_RULE_DUP,
    E_RULE_REGEX,
    E_RULE_SCHEMA,
    E_RULE_UNKNOWN,
    E_RULE_YAML,
    DocreviewError,
)
from docreview.rulebook.lexicon import (
    LEXICON_FILES,
    Lexicons,
    expand,
    lexicon_file,
    merge_lexicons,
    parse_lexicons,
)
from docreview.rulebook.regexguard import backtracking_problem
from docreview.rulebook.schema import SCHEMA_VERSION, Rule, RuleModel, to_rule, tokens_problem

if TYPE_CHECKING:
    from docreview.config import Config


def shipped_dir() -> Path:
    """The shipped rules folder (``docreview/data/rules``, a symlink to the repo's ``rules/``)."""
    import docreview

    return (Path(docreview.__file__).parent / "data" / "rules").resolve()


@dataclass(frozen=True)
class Rulebook:
    """The loaded rules. Compiled matchers are built lazily and cached on the object (not pickled)."""

    rules: tuple[Rule, ...]
    version: str
    sources: tuple[str, ...] = ()
    _cache: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    def get(self, rule_id: str) -> Rule | None:
        return self._index().get(rule_id)

    def _index(self) -> dict[str, Rule]:
        idx = self._cache.get("index")
        if idx is None:
            idx = self._cache["index"] = {r.id: r for r in self.rules}
        return idx

    def __reduce__(self):
        return (Rulebook, (self.rules, self.version, self.sources))

    def __len__(self) -> int:
        return len(self.rules)

    def subset(self, ids) -> Rulebook:
        """A rulebook with only the rules whose id is in ``ids`` (same version suffix)."""
        keep = set(ids)
        return Rulebook(tuple(r for r in self.rules if r.id in keep),
                        f"{self.version}:{','.join(sorted(keep))}", self.sources)


def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _loc(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if not (isinstance(p, str) and p.startswith("function-")))


def _schema_error(where: str, exc: Any) -> DocreviewError:
    err = exc.errors()[0]
    key = _loc(err["loc"]) or "（根）"
    typ = err["type"]
    if typ == "missing":
        msg = f"{key} 缺失"
    elif typ == "extra_forbidden":
        msg = f"{key} 不是可用的字段"
    elif typ in ("literal_error", "enum"):
        msg = f"{key} 取值无效：{err.get('input')!r}，{err['msg']}"
    else:
        text = str(err["msg"]).removeprefix("Value error, ")
        msg = f"{key} 无效：{text}"
    return DocreviewError(E_RULE_SCHEMA, where, msg)


def compile_checked(pattern: str, where: str, key: str):
    """Compile with ``regex`` after the stdlib parse and the backtracking guard (E202 on failure)."""
    import regex

    try:
        problem = backtracking_problem(pattern)  # parses with the stdlib parser: re.error if invalid
        compiled = regex.compile(pattern, regex.V0)
    except (re.error, regex.error) as exc:
        raise DocreviewError(E_RULE_REGEX, where, f"{key} 正则无法编译：{exc}") from None
    if problem:
        raise DocreviewError(E_RULE_REGEX, where, f"{key} 正则可能灾难性回溯：{problem}")
    return compiled


def load_lexicons(folder: Path) -> dict[str, tuple[str, ...]]:
    """The named word lists of ``folder/lexicons.yml`` (empty when there is none)."""
    f = lexicon_file(folder)
    if f is None:
        return {}
    where = _display(f)
    try:
        text = f.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        raise DocreviewError(E_RULE_YAML, where, "无法以 UTF-8 读取词表文件") from None
    return parse_lexicons(text, where)


def shipped_lexicons() -> dict[str, tuple[str, ...]]:
    return load_lexicons(shipped_dir())


def _expand_rule(rule: Rule, lexicons: Lexicons, where: str) -> Rule:
    """``{{NAME}}`` references in the rule's regexes replaced by the lexicon alternations."""
    pats = tuple(replace(p, regex=expand(p.regex, lexicons, where, f"patterns.{i}.regex"))
                 if p.kind == "regex" else p for i, p in enumerate(rule.patterns))
    reqs = tuple(expand(r, lexicons, where, f"requires.{i}") for i, r in enumerate(rule.requires))
    excs = tuple(replace(e, regex=expand(e.regex, lexicons, where, f"exceptions.{i}.regex"))
                 if e.regex else e for i, e in enumerate(rule.exceptions))
    return replace(rule, patterns=pats, requires=reqs, exceptions=excs)


def _SAFE_LOADER(yaml):  # noqa: N802 - reads like the class it returns
    """PyYAML's SafeLoader, its C implementation when libyaml is present (same safe subset, ~7× faster)."""
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_rule_file(path: Path, lexicons: Mapping[str, tuple[str, ...]] | None = None) -> Rule:
    """Parse, validate and check one rule file (``lexicons`` default: the shipped ones)."""
    import yaml
    from pydantic import ValidationError

    where = _display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DocreviewError(E_RULE_YAML, where, "规则文件不是 UTF-8 编码") from None
    except OSError as exc:
        raise DocreviewError(E_RULE_YAML, where, f"无法读取规则文件：{exc.strerror}") from None
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER(yaml))  # safe_load, in C when available
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第{mark.line + 1}行" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "无法解析"
        raise DocreviewError(E_RULE_YAML, where, f"YAML 语法错误（{line}）：{problem}") from None
    if not isinstance(data, dict):
        raise DocreviewError(E_RULE_SCHEMA, where, "规则文件应为键值映射（id、title、category…）")
    try:
        model = RuleModel.model_validate(data)
    except ValidationError as exc:
        raise _schema_error(where, exc) from None
    if model.id != path.stem:
        raise DocreviewError(E_RULE_SCHEMA, where, f"id {model.id} 与文件名 {path.stem} 不一致")
    for i, p in enumerate(model.patterns):
        if p.tokens is not None:
            bad = tokens_problem(p.tokens)
            if bad:
                key = f"patterns.{i}.tokens" + (f".{bad[0]}" if bad[0] else "")
                raise DocreviewError(E_RULE_SCHEMA, where, f"{key} 无效：{bad[1]}")
    rule = to_rule(model, where)
    rule = _expand_rule(rule, shipped_lexicons() if lexicons is None else lexicons, where)
    for i, p in enumerate(rule.patterns):
        if p.kind == "regex":
            compile_checked(p.regex, where, f"patterns.{i}.regex")
    for i, r in enumerate(rule.requires):
        compile_checked(r, where, f"requires.{i}")
    for i, e in enumerate(rule.exceptions):
        if e.regex:
            compile_checked(e.regex, where, f"exceptions.{i}.regex")
    return rule


def rule_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*")
                  if p.suffix in (".yml", ".yaml") and p.name not in LEXICON_FILES and p.is_file())


def load_rulebook(
    extra_dirs: Sequence[Path | str] = (), config: Config | None = None, *, shipped: bool = True,
    use_cache: bool = True,
) -> Rulebook:
    """Shipped rules plus ``extra_dirs`` (and ``config.rules``), with config overrides applied.

    Validating every rule (schema, regex compilation, backtracking guard) costs ~0.4 s, so the
    validated rules are kept in the user cache directory under a digest of every input byte (rule
    files and their names, word lists, the rulebook code); any change is a miss and a full load.
    """
    dirs: list[Path] = [shipped_dir()] if shipped else []
    if config is not None:
        dirs += [Path(d) for d in config.rules]
    dirs += [Path(d) for d in extra_dirs]
    seen_dirs: list[Path] = []
    for d in dirs:
        if not d.is_dir():
            raise DocreviewError(E_RULE_DIR, _display(d), "规则目录不存在")
        if d.resolve() not in [s.resolve() for s in seen_dirs]:
            seen_dirs.append(d)
    rules: list[Rule] = []
    by_id: dict[str, str] = {}
    digest = hashlib.sha256(f"schema:{SCHEMA_VERSION}\n".encode())
    lexicons: dict[str, tuple[str, ...]] = {}
    lex_dirs = [shipped_dir()] + [d for d in seen_dirs if d.resolve() != shipped_dir()]
    for d in lex_dirs:  # the shipped word lists are available to user rules too
        lex = lexicon_file(d)
        if lex is not None:
            lexicons = merge_lexicons(lexicons, load_lexicons(d), _display(lex))
            digest.update(b"lexicons\0" + lex.read_bytes() + b"\0")
    files = [(d, f) for d in seen_dirs for f in rule_files(d)]
    for d, f in files:
        digest.update(f.relative_to(d).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    # the validated rules are a pure function of these bytes, the folders' names and our code
    key = digest.copy()
    key.update(repr([_display(f) for _, f in files]).encode() + _code_digest())
    cached = _cached_rules(key.hexdigest()) if use_cache else None
    if cached is not None:
        rules = cached
    else:
        for _, f in files:
            rule = load_rule_file(f, lexicons)
            if rule.id in by_id:
                raise DocreviewError(E_RULE_DUP, rule.path, f"规则编号 {rule.id} 与 {by_id[rule.id]} 重复")
            by_id[rule.id] = rule.path
            rules.append(rule)
        if use_cache:
            _cache_rules(key.hexdigest(), rules)
    for data in _lawref_files():  # citation checks depend on the law reference data
        digest.update(data)
    if config is not None:
        rules = _apply_config(rules, config)
        digest.update(repr((sorted(config.enable), sorted(config.disable),
                            sorted(config.severity.items()))).encode())
    rules.sort(key=lambda r: r.id)
    return Rulebook(rules=tuple(rules), version=digest.hexdigest()[:16],
                    sources=tuple(_display(d) for d in seen_dirs))


_RULE_CLASSES = {("docreview.rulebook.schema", n) for n in ("Rule", "Pattern", "RuleException", "Examples")} | {
    ("docreview.model", "Basis")}


def _code_digest() -> bytes:
    """Digest of the code that turns rule files into Rule objects (a code change invalidates the cache)."""
    import docreview

    h = hashlib.sha256(docreview.__version__.encode())
    for p in sorted(Path(__file__).parent.glob("*.py")):
        h.update(p.read_bytes())
    return h.digest()


def _rules_cache_path(key: str) -> Path:
    from docreview.nlp import cache_dir

    return cache_dir() / f"rules-{key[:32]}.pickle"


def _cached_rules(key: str) -> list[Rule] | None:
    """The validated rules stored under ``key``, or None. The unpickler accepts only rule classes."""
    import pickle

    class _RuleUnpickler(pickle.Unpickler):
        def find_class(self, module: str, name: str):
            if (module, name) not in _RULE_CLASSES:
                raise pickle.UnpicklingError(f"unexpected global {module}.{name}")
            return super().find_class(module, name)

    try:
        with _rules_cache_path(key).open("rb") as fh:
            stored_key, rules = _RuleUnpickler(fh).load()
    except (OSError, EOFError, ValueError, TypeError, AttributeError, pickle.UnpicklingError):
        return None
    if stored_key != key or not isinstance(rules, list) or not all(isinstance(r, Rule) for r in rules):
        return None
    return rules


def _cache_rules(key: str, rules: list[Rule]) -> None:
    """Store the validated rules under ``key`` (atomically; silently skipped when not writable)."""
    import pickle
    import tempfile

    path = _rules_cache_path(key)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rules-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((key, rules), fh, protocol=5)
        os.replace(tmp, path)
    except OSError:
        pass


def _lawref_files() -> list[bytes]:
    try:
        from docreview.lawref import data_dir
    except ImportError:  # pragma: no cover
        return []
    d = data_dir()
    return [p.read_bytes() for p in sorted(d.glob("*.yml"))] if d.is_dir() else []


def _apply_config(rules: list[Rule], config: Config) -> list[Rule]:
    known = {r.id for r in rules}
    src = config.source or "配置"
    for key, ids in (("enable", config.enable), ("disable", config.disable),
                     ("severity", list(config.severity))):
        for rid in ids:
            if rid not in known:
                raise DocreviewError(E_RULE_UNKNOWN, src, f"{key} 中的规则编号 {rid} 不存在")
    out = []
    for r in rules:
        if config.enable and r.id not in config.enable:
            continue
        if r.id in config.disable:
            continue
        if r.id in config.severity:
            r = replace(r, severity=config.severity[r.id])
        out.append(r)
    return out
