"""Rule YAML schema (pydantic, edge only) and the frozen in-memory rule types.

A YAML file is validated by :class:`RuleModel`; :func:`to_rule` turns it into a plain frozen
:class:`Rule` that the engine and the batch workers use (picklable, no pydantic inside).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from docreview.model import Basis

SCHEMA_VERSION = "1"

CHECKS = ("existence", "subject_obligation", "missing_clause", "citation")
GUARDS = (
    "cites_basis",  # clause cites 依照/根据/按照《…》: downgrade to info/reference
    "negated",  # 不得收取、免收、不再要求…: protection, not a new duty
    "soft_wording",  # 鼓励、引导、支持、可以、自愿…
    "referral",  # 依法处理、由…依照有关法律法规处罚、移送…处理
    "government_subject",  # the subject of the duty is a government body
    "private_subject",  # the actor is a private party (经营者收取服务费 is pricing, not a public fee)
    "private_charge",  # a private party charges and the clause sets no amount: market pricing, not a fee
    "government_target",  # the target of 通报批评/处分 is a government unit or its staff
    "scope_clause",  # 本市行政区域内…适用本办法 (scope/definition/purpose clauses)
    "condition_clause",  # the match only describes the conduct a penalty clause sanctions (……的，处……)
)
MISSING = ("effective", "validity", "validity_length", "issuer")
WHERE = ("sentence", "match", "before", "after", "around", "clause", "article", "segment")
_SCOPE_RE = re.compile(r"^(sentence|clause|article|document|chapter:\S+)$")
_ID_RE = re.compile(r"^[A-Z]{2}[0-9]{2,3}[A-Za-z0-9_-]*$")
_FIELD_RE = re.compile(r"\{([^{}]*)\}")
_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BasisModel(_Strict):
    law: str = Field(min_length=1)
    article: str = Field(min_length=1)
    quote: str = Field(min_length=1)


class PatternModel(_Strict):
    """Exactly one of ``regex`` (over normalised text), ``phrases`` (literal list) or ``tokens``."""

    regex: str | None = None
    phrases: list[str] | None = None
    tokens: list | None = None  # checked by ``tokens_problem`` at load time (E201 with the key)
    note: str = ""

    @model_validator(mode="after")
    def _one(self) -> PatternModel:
        given = [k for k in ("regex", "phrases", "tokens") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("须且只能给出 regex、phrases、tokens 之一")
        return self


class ExceptionModel(_Strict):
    """A reason not to report: a builtin guard and/or a regex searched in ``where``."""

    because: str = Field(min_length=1)
    guard: str | None = None
    regex: str | None = None
    where: str = "sentence"

    @field_validator("guard")
    @classmethod
    def _guard(cls, v: str | None) -> str | None:
        if v is not None and v not in GUARDS:
            raise ValueError(f"未知的内置排除条件 {v}（可用：{'、'.join(GUARDS)}）")
        return v

    @field_validator("where")
    @classmethod
    def _where(cls, v: str) -> str:
        if v not in WHERE:
            raise ValueError(f"where 只能是 {'、'.join(WHERE)}")
        return v

    @model_validator(mode="after")
    def _some(self) -> ExceptionModel:
        if not self.guard and not self.regex:
            raise ValueError("须给出 guard 或 regex")
        return self


class ExamplesModel(_Strict):
    fail: list[str] = Field(default_factory=list)
    pass_: list[str] = Field(default_factory=list, alias="pass")
    todo_fail: list[str] = Field(default_factory=list)
    todo_pass: list[str] = Field(default_factory=list)


class RuleModel(_Strict):
    id: str
    title: str = Field(min_length=1)
    category: Literal[
        "permit", "penalty", "coercion", "fee", "obligation", "competition", "procedure", "reference"
    ]
    severity: Literal["error", "warning", "info"]
    kinds: list[Literal["normative", "rule"]] = Field(default_factory=lambda: ["normative"], min_length=1)
    scope: str = "sentence"
    check: Literal["existence", "subject_obligation", "missing_clause", "citation"] = "existence"
    basis: list[BasisModel] = Field(min_length=1)
    patterns: list[PatternModel] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list, description="regexes that must all occur in the unit")
    exceptions: list[ExceptionModel] = Field(default_factory=list)
    missing: str | None = None  # missing_clause: effective | validity | validity_length | issuer
    subject_default: Literal["private", "none"] = "none"
    fallback: bool = Field(default=False, description="report only sentences no other rule reported")
    message: str = Field(min_length=1)
    suggestion: str = ""
    examples: ExamplesModel = Field(default_factory=ExamplesModel)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID_RE.match(v):
            raise ValueError("编号格式应为两个大写字母加数字，如 PM01")
        return v

    @field_validator("scope")
    @classmethod
    def _scope(cls, v: str) -> str:
        if not _SCOPE_RE.match(v):
            raise ValueError("scope 只能是 sentence、clause、article、document 或 chapter:标题词")
        return v

    @field_validator("message", "suggestion")
    @classmethod
    def _fields(cls, v: str) -> str:
        for name in _FIELD_RE.findall(v):
            if not _IDENT_RE.match(name):
                raise ValueError(f"占位符 {{{name}}} 只能是命名分组名")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> RuleModel:
        if self.check == "missing_clause":
            if self.missing not in MISSING:
                raise ValueError(f"missing_clause 规则须给出 missing（{'、'.join(MISSING)}）")
        elif self.check != "citation" and not self.patterns:
            raise ValueError(f"{self.check} 规则至少需要一个 patterns")
        return self


# --------------------------------------------------------------------------- frozen runtime types


@dataclass(frozen=True, slots=True)
class Pattern:
    kind: Literal["regex", "tokens"]
    regex: str = ""  # phrases are compiled to an escaped alternation
    tokens: tuple = ()  # token specs (tuple of frozen dict items), see engine docs
    source: str = ""  # what the YAML said (for ``rules show``)


@dataclass(frozen=True, slots=True)
class RuleException:
    because: str
    guard: str | None = None
    regex: str | None = None
    where: str = "sentence"


@dataclass(frozen=True, slots=True)
class Examples:
    fail: tuple[str, ...] = ()
    pass_: tuple[str, ...] = ()
    todo_fail: tuple[str, ...] = ()
    todo_pass: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    category: str
    severity: str
    kinds: tuple[str, ...]
    scope: str
    check: str
    basis: tuple[Basis, ...]
    patterns: tuple[Pattern, ...]
    requires: tuple[str, ...]
    exceptions: tuple[RuleException, ...]
    message: str
    suggestion: str
    examples: Examples
    missing: str | None = None
    subject_default: str = "none"
    path: str = ""  # file it came from (display form)
    fallback: bool = False

    @property
    def guards(self) -> frozenset[str]:
        return frozenset(e.guard for e in self.exceptions if e.guard)


def _freeze_token(spec: dict) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else (
        tuple(sorted((a, tuple(b) if isinstance(b, list) else b) for a, b in v.items()))
        if isinstance(v, dict) else v)) for k, v in spec.items()))


TOKEN_ATTRS = ("TEXT", "ORTH", "LOWER")  # token attributes a ``tokens`` pattern may test
TOKEN_PREDICATES = ("IN", "NOT_IN", "REGEX")
TOKEN_OPS = ("?", "*", "+", "!")


def token_spec(frozen: tuple) -> dict:
    """The spaCy Matcher token dict of a frozen token spec (inverse of ``_freeze_token``)."""
    out: dict = {}
    for k, v in frozen:
        if isinstance(v, tuple) and v and all(isinstance(x, tuple) and len(x) == 2 for x in v):
            v = {a: list(b) if isinstance(b, tuple) else b for a, b in v}
        out[k] = v
    return out


def token_problem(spec: object) -> tuple[str, str] | None:
    """(key, problem) when ``spec`` is outside the supported subset of spaCy's token syntax, else None.

    Supported: ``{TEXT|ORTH|LOWER: str}`` or ``{TEXT|ORTH|LOWER: {IN|NOT_IN: [str…]} | {REGEX: str}}``,
    plus ``OP: ? * + !``. A token without attribute matches any token.
    """
    if not isinstance(spec, dict):
        return "", "每个词元须是键值映射，如 {TEXT: 应当}"
    for k, v in spec.items():
        if k == "OP":
            if v not in TOKEN_OPS:
                return "OP", f"只能是 {' '.join(TOKEN_OPS)}，不能是 {v!r}"
            continue
        if k not in TOKEN_ATTRS:
            return str(k), f"不是可用的词元属性（可用：{'、'.join(TOKEN_ATTRS)}、OP）"
        if isinstance(v, str):
            if not v:
                return str(k), "不能为空字符串"
            continue
        if not isinstance(v, dict) or len(v) != 1:
            return str(k), "须是字符串，或只含 IN、NOT_IN、REGEX 之一的映射"
        (pk, pv), = v.items()
        if pk not in TOKEN_PREDICATES:
            return f"{k}.{pk}", f"不是可用的条件（可用：{'、'.join(TOKEN_PREDICATES)}）"
        if pk == "REGEX":
            if not isinstance(pv, str) or not pv:
                return f"{k}.REGEX", "须是非空字符串"
            try:
                re.compile(pv)
            except re.error as exc:
                return f"{k}.REGEX", f"正则无法编译：{exc}"
        elif not isinstance(pv, list) or not pv or not all(isinstance(x, str) and x for x in pv):
            return f"{k}.{pk}", "须是非空的字符串列表"
    return None


def tokens_problem(specs: object) -> tuple[str, str] | None:
    """(key, problem) for a whole ``tokens`` pattern (see :func:`token_problem`), else None."""
    if not isinstance(specs, list) or not specs:
        return "", "须是非空的词元列表"
    for j, spec in enumerate(specs):
        bad = token_problem(spec)
        if bad:
            return f"{j}.{bad[0]}".rstrip("."), bad[1]
    if all(isinstance(s, dict) and s.get("OP") in ("?", "*") for s in specs):
        return "", "至少须有一个必须出现的词元（OP 不是 ? 或 *）"
    return None


def phrases_regex(phrases: list[str]) -> str:
    """An alternation matching any of ``phrases`` (longest first)."""
    return "(?:" + "|".join(re.escape(p) for p in sorted(set(phrases), key=lambda s: (-len(s), s))) + ")"


def to_rule(m: RuleModel, path: str = "") -> Rule:
    pats = []
    for p in m.patterns:
        if p.regex:
            pats.append(Pattern("regex", regex=p.regex, source=p.regex))
        elif p.phrases:
            pats.append(Pattern("regex", regex=phrases_regex(p.phrases), source="、".join(p.phrases)))
        else:
            pats.append(Pattern("tokens", tokens=tuple(_freeze_token(t) for t in p.tokens or []),
                                source=repr(p.tokens)))
    return Rule(
        id=m.id, title=m.title, category=m.category, severity=m.severity, kinds=tuple(m.kinds),
        scope=m.scope, check=m.check,
        basis=tuple(Basis(b.law, b.article, b.quote) for b in m.basis),
        patterns=tuple(pats), requires=tuple(m.requires),
        exceptions=tuple(RuleException(e.because, e.guard, e.regex, e.where) for e in m.exceptions),
        message=m.message, suggestion=m.suggestion,
        examples=Examples(tuple(m.examples.fail), tuple(m.examples.pass_),
                          tuple(m.examples.todo_fail), tuple(m.examples.todo_pass)),
        missing=m.missing, subject_default=m.subject_default, path=path, fallback=m.fallback,
    )
