"""Accuracy measurement on the labelled clause set (``corpus/clauses/*.yml``).

Pure core: :func:`parse_clauses` (validation), :func:`score` (TP/FP/FN per category, micro overall),
:func:`evaluate` (run a predictor over clauses), :func:`baseline_predict` (the naive keyword scanner
docreview is compared against). IO at the edges: :func:`load_clauses` reads a directory,
:func:`engine_predictor` wires the real pipeline (ingest → structure → engine), :func:`render_text` /
:func:`to_json` format a :class:`Report`.

A clause counts as *flagged* for a category when the pipeline yields at least one finding of that
category with severity ``error`` or ``warning``; ``info`` findings do not count.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from docreview.errors import E_EVAL, DocreviewError
from docreview.model import CATEGORIES, CATEGORY_ZH

KINDS = ("normative", "rule")
SCOPES = ("clause", "document")
ALLOWED_KEYS = frozenset({"id", "text", "labels", "source", "trap", "note", "kind", "scope"})
REQUIRED_KEYS = ("id", "text", "labels")
FLAG_SEVERITIES = frozenset({"error", "warning"})

# Targets the rule set is measured against (issue text): overall recall and precision, and a floor
# for every category's F1.
TARGET_RECALL = 0.95
TARGET_PRECISION = 0.90
TARGET_CATEGORY = 0.85

_ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class LabelledClause:
    """One entry of the clause set."""

    id: str
    text: str
    labels: frozenset[str]
    source: str = ""
    trap: str = ""
    note: str = ""
    kind: str = "normative"
    scope: str = "clause"
    file: str = ""


@dataclass(frozen=True, slots=True)
class Counts:
    """Confusion counts for one category (or micro-averaged over all)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        """Number of gold positives."""
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        """tp/(tp+fp); 1.0 when nothing was predicted and nothing was expected, else 0.0 if empty."""
        if self.tp + self.fp:
            return self.tp / (self.tp + self.fp)
        return 1.0 if self.fn == 0 else 0.0

    @property
    def recall(self) -> float:
        """tp/(tp+fn); 1.0 when there are no gold positives."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True, slots=True)
class Mistake:
    """A clause whose predicted categories differ from its labels."""

    id: str
    text: str
    expected: tuple[str, ...]
    got: tuple[str, ...]
    file: str = ""
    trap: str = ""


@dataclass(frozen=True, slots=True)
class Score:
    """Result of scoring one predictor over a clause set."""

    name: str
    clauses: int
    categories: tuple[tuple[str, Counts], ...]
    misses: tuple[Mistake, ...]  # some expected category not predicted
    false_alarms: tuple[Mistake, ...]  # some predicted category not expected
    exact: int = 0  # clauses whose prediction equals the labels
    errors: tuple[tuple[str, str], ...] = ()  # (clause id, error) where the predictor raised

    def alarms_by_trap(self) -> dict[str, int]:
        """False alarms on lawful clauses, counted by trap kind (most first)."""
        counts: dict[str, int] = {}
        for m in self.false_alarms:
            if not m.expected:
                counts[m.trap or "—"] = counts.get(m.trap or "—", 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    @property
    def overall(self) -> Counts:
        total = Counts()
        for _, c in self.categories:
            total = total + c
        return total

    def category(self, name: str) -> Counts:
        return dict(self.categories)[name]


@dataclass(frozen=True, slots=True)
class Report:
    """docreview (if the engine could run) and the baseline on the same clause set."""

    directory: str
    clauses: int
    per_file: tuple[tuple[str, int], ...]
    baseline: Score
    docreview: Score | None = None
    engine_note: str = ""  # why the engine was not run, when it was not
    label_counts: tuple[tuple[str, int], ...] = field(default=())
    lawful: int = 0


# --------------------------------------------------------------------------- loading


def _fail(where: str, message: str) -> DocreviewError:
    return DocreviewError(E_EVAL, where, message)


def parse_clauses(data: Any, where: str) -> list[LabelledClause]:
    """Validate one file's parsed YAML (a list of mappings) into clauses. Raises E600 on bad data."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise _fail(where, "顶层必须是条目列表（- id: …）")
    out: list[LabelledClause] = []
    for n, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise _fail(where, f"第{n}个条目不是映射（键: 值）")
        ident = entry.get("id")
        tag = f"第{n}个条目" + (f"（{ident}）" if isinstance(ident, str) else "")
        for key in REQUIRED_KEYS:
            if key not in entry:
                raise _fail(where, f"{tag}缺少字段 {key}")
        unknown = sorted(str(k) for k in entry if k not in ALLOWED_KEYS)
        if unknown:
            raise _fail(where, f"{tag}有未知字段 {', '.join(unknown)}")
        if not isinstance(ident, str) or not _ID_RE.match(ident):
            raise _fail(where, f"{tag}的 id 无效（应为小写字母、数字和连字符，如 pm-001）")
        text = entry["text"]
        if not isinstance(text, str) or not text.strip():
            raise _fail(where, f"{tag}的 text 为空或不是字符串")
        labels = entry["labels"]
        if labels is None:
            labels = []
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise _fail(where, f"{tag}的 labels 必须是类别列表，如 [permit]")
        bad = [x for x in labels if x not in CATEGORIES]
        if bad:
            raise _fail(where, f"{tag}的 labels 含未知类别 {', '.join(bad)}（可用：{', '.join(CATEGORIES)}）")
        if len(set(labels)) != len(labels):
            raise _fail(where, f"{tag}的 labels 有重复类别")
        strs = {}
        for key in ("source", "trap", "note"):
            val = entry.get(key, "")
            if val is None:
                val = ""
            if not isinstance(val, str):
                raise _fail(where, f"{tag}的 {key} 必须是字符串")
            strs[key] = val
        kind = entry.get("kind", "normative") or "normative"
        if kind not in KINDS:
            raise _fail(where, f"{tag}的 kind 无效：{kind}（可用：normative、rule）")
        scope = entry.get("scope", "clause") or "clause"
        if scope not in SCOPES:
            raise _fail(where, f"{tag}的 scope 无效：{scope}（可用：clause、document）")
        out.append(LabelledClause(
            id=ident, text=text.strip(), labels=frozenset(labels), kind=kind, scope=scope, file=where,
            **strs,
        ))
    return out


def check_unique(clauses: Iterable[LabelledClause]) -> None:
    """Raise E600 naming the second file when an id occurs twice."""
    seen: dict[str, str] = {}
    for c in clauses:
        if c.id in seen:
            raise _fail(c.file, f"id {c.id} 重复（已见于 {seen[c.id]}）")
        seen[c.id] = c.file


def load_clauses(directory: str | Path) -> tuple[LabelledClause, ...]:
    """Read every ``*.yml``/``*.yaml`` file of ``directory`` (sorted by name), validated."""
    import yaml

    d = Path(directory)
    if not d.is_dir():
        raise _fail(str(d), "评测语料目录不存在")
    files = sorted(p for p in d.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
    if not files:
        raise _fail(str(d), "目录中没有 .yml 评测语料文件")
    clauses: list[LabelledClause] = []
    for p in files:
        where = str(p)
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise _fail(where, "文件不是 UTF-8 编码") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f"第{mark.line + 1}行" if mark is not None else ""
            raise _fail(where, f"YAML 语法错误{at}：{getattr(exc, 'problem', '') or exc}") from None
        clauses.extend(parse_clauses(data, where))
    check_unique(clauses)
    return tuple(clauses)


# --------------------------------------------------------------------------- scoring

Predictor = Callable[[LabelledClause], Iterable[str]]


def score(
    clauses: Sequence[LabelledClause],
    predictions: Mapping[str, Iterable[str]],
    name: str = "docreview",
    categories: Sequence[str] = CATEGORIES,
) -> Score:
    """Per-category TP/FP/FN of ``predictions`` (clause id -> predicted categories) against labels."""
    counts = {c: [0, 0, 0] for c in categories}
    misses: list[Mistake] = []
    alarms: list[Mistake] = []
    exact = 0
    for cl in clauses:
        got = frozenset(predictions.get(cl.id, ())) & frozenset(categories)
        want = cl.labels & frozenset(categories)
        for cat in categories:
            if cat in got and cat in want:
                counts[cat][0] += 1
            elif cat in got:
                counts[cat][1] += 1
            elif cat in want:
                counts[cat][2] += 1
        mk = Mistake(cl.id, cl.text, tuple(sorted(want)), tuple(sorted(got)), cl.file, cl.trap)
        if want - got:
            misses.append(mk)
        if got - want:
            alarms.append(mk)
        exact += got == want
    return Score(
        name=name, clauses=len(clauses),
        categories=tuple((c, Counts(*counts[c])) for c in categories),
        misses=tuple(misses), false_alarms=tuple(alarms), exact=exact,
    )


def evaluate(clauses: Sequence[LabelledClause], predictor: Predictor, name: str = "docreview") -> Score:
    """Run ``predictor`` on every clause and score it.

    A clause on which the predictor raises counts as "nothing flagged" and is listed in
    ``Score.errors``, so one broken rule cannot hide the numbers for all other clauses.
    """
    preds: dict[str, frozenset[str]] = {}
    errors: list[tuple[str, str]] = []
    for c in clauses:
        try:
            preds[c.id] = frozenset(predictor(c))
        except Exception as exc:  # reported per clause, never swallowed silently
            errors.append((c.id, f"{type(exc).__name__}: {exc}"))
    s = score(clauses, preds, name=name)
    return replace(s, errors=tuple(errors))


def meets_targets(s: Score) -> dict[str, bool]:
    """Which targets a score meets: overall recall, overall precision, each category's F1."""
    o = s.overall
    out = {"recall": o.recall >= TARGET_RECALL, "precision": o.precision >= TARGET_PRECISION}
    for cat, c in s.categories:
        if c.support or c.fp:
            out[cat] = c.f1 >= TARGET_CATEGORY
    return out


# --------------------------------------------------------------------------- baseline

BASELINE_WORDS: dict[str, tuple[str, ...]] = {
    "permit": ("审批", "批准", "许可", "核准", "备案", "登记"),
    "penalty": ("罚款", "处罚", "警告", "吊销", "黑名单"),
    "coercion": ("查封", "扣押", "冻结", "强制"),
    "fee": ("收费", "费用", "保证金", "押金"),
    "obligation": ("应当", "必须", "不得", "禁止"),
    "competition": ("本地", "指定", "优先", "独家"),
    "procedure": ("施行", "有效期"),
}
_BASELINE_REF = re.compile(r"《[^《》]{1,60}》第[一二三四五六七八九十百零〇两0-9]+条")


def baseline_predict(clause: LabelledClause | str) -> frozenset[str]:
    """Naive keyword scanner: a category is flagged when any of its trigger words occurs."""
    text = clause if isinstance(clause, str) else clause.text
    got = {cat for cat, words in BASELINE_WORDS.items() if any(w in text for w in words)}
    if _BASELINE_REF.search(text):
        got.add("reference")
    return frozenset(got)


# --------------------------------------------------------------------------- the real pipeline

_ARTICLE_HEAD = re.compile(r"^\s*第[一二三四五六七八九十百零〇两0-9]+条")


def clause_document(clause: LabelledClause) -> str:
    """The text fed to the pipeline: a bare clause becomes article 1 of a one-article document."""
    if clause.scope == "document" or _ARTICLE_HEAD.match(clause.text):
        return clause.text
    return f"第一条　{clause.text}"


def engine_predictor(rules: Sequence[Path] = ()) -> Predictor:
    """A predictor running ingest → structure → engine with the shipped rules plus ``rules`` dirs.

    Raises ImportError when the pipeline modules are not available, DocreviewError on bad rules.
    """
    from docreview.engine import run_rules
    from docreview.ingest import from_text
    from docreview.nlp import Segmenter
    from docreview.rulebook import load_rulebook
    from docreview.structure import parse_structure

    book = load_rulebook(tuple(rules))
    segmenter = Segmenter()

    def predict(clause: LabelledClause) -> frozenset[str]:
        statute = parse_structure(from_text(clause_document(clause), name=clause.id))
        findings = run_rules(
            book, statute, segmenter, kind=clause.kind, document_checks=clause.scope == "document",
        )
        return frozenset(f.category for f in findings if f.severity in FLAG_SEVERITIES)

    return predict


def build_report(
    directory: str | Path,
    clauses: Sequence[LabelledClause],
    predictor: Predictor | None,
    engine_note: str = "",
) -> Report:
    """Score the baseline and (when given) the real predictor on ``clauses``."""
    per_file: dict[str, int] = {}
    for c in clauses:
        per_file[Path(c.file).name] = per_file.get(Path(c.file).name, 0) + 1
    labels = {cat: sum(cat in c.labels for c in clauses) for cat in CATEGORIES}
    return Report(
        directory=str(directory), clauses=len(clauses), per_file=tuple(sorted(per_file.items())),
        baseline=evaluate(clauses, baseline_predict, name="baseline"),
        docreview=evaluate(clauses, predictor) if predictor is not None else None,
        engine_note=engine_note, label_counts=tuple(labels.items()),
        lawful=sum(not c.labels for c in clauses),
    )


# --------------------------------------------------------------------------- output


def _counts_json(c: Counts) -> dict[str, Any]:
    return {
        "tp": c.tp, "fp": c.fp, "fn": c.fn, "support": c.support,
        "precision": round(c.precision, 4), "recall": round(c.recall, 4), "f1": round(c.f1, 4),
    }


def _mistake_json(m: Mistake) -> dict[str, Any]:
    out = {"id": m.id, "text": m.text, "expected": list(m.expected), "got": list(m.got)}
    if m.trap:
        out["trap"] = m.trap
    return out


def score_json(s: Score) -> dict[str, Any]:
    return {
        "clauses": s.clauses,
        "exact": s.exact,
        "overall": _counts_json(s.overall),
        "categories": {cat: _counts_json(c) for cat, c in s.categories},
        "targets_met": meets_targets(s),
        "misses": [_mistake_json(m) for m in s.misses],
        "false_alarms": [_mistake_json(m) for m in s.false_alarms],
        "errors": [{"id": i, "error": e} for i, e in s.errors],
        "false_alarms_by_trap": s.alarms_by_trap(),
    }


def to_json(r: Report) -> dict[str, Any]:
    """The report as plain JSON-able data (same numbers as the text output)."""
    return {
        "directory": r.directory,
        "clauses": r.clauses,
        "lawful": r.lawful,
        "files": dict(r.per_file),
        "labels": dict(r.label_counts),
        "targets": {
            "recall": TARGET_RECALL, "precision": TARGET_PRECISION, "category_f1": TARGET_CATEGORY,
        },
        "docreview": score_json(r.docreview) if r.docreview is not None else None,
        "engine_note": r.engine_note,
        "baseline": score_json(r.baseline),
    }


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def render_text(r: Report, console: Any, show_mistakes: int = 30) -> None:
    """Print the comparison table and the first ``show_mistakes`` misses/false alarms to ``console``."""
    from rich.markup import escape
    from rich.table import Table

    console.print(
        f"评测语料：{r.directory}，共 {r.clauses} 条（其中合法条款 {r.lawful} 条），"
        f"文件 {len(r.per_file)} 个", markup=False, highlight=False, soft_wrap=True,
    )
    if r.docreview is None:
        console.print(f"[yellow]未运行 docreview 规则引擎：{escape(r.engine_note)}[/yellow]")
    table = Table(title="逐类准确率（error/warning 计为命中，info 不计；docreview 对比关键词基线）")
    table.add_column("类别")
    table.add_column("n", justify="right")
    if r.docreview is not None:
        for h in ("P", "R", "F1", "TP/FP/FN"):
            table.add_column(h, justify="right")
    for h in ("基线P", "基线R", "基线F1"):
        table.add_column(h, justify="right")
    rows: list[tuple[str, Counts | None, Counts]] = []
    for cat, base in r.baseline.categories:
        dr = r.docreview.category(cat) if r.docreview is not None else None
        rows.append((cat, dr, base))
    rows.append(("合计", r.docreview.overall if r.docreview else None, r.baseline.overall))
    met = meets_targets(r.docreview) if r.docreview is not None else {}
    for i, (label, dr, base) in enumerate(rows):
        cells = [label, str(base.support)]
        if dr is not None:
            key = CATEGORIES[i] if i < len(CATEGORIES) else None
            ok = met.get(key, True) if key else (met["recall"] and met["precision"])
            style = "green" if ok else "red"
            cells += [
                _fmt(dr.precision), _fmt(dr.recall), f"[{style}]{_fmt(dr.f1)}[/{style}]",
                f"{dr.tp}/{dr.fp}/{dr.fn}",
            ]
        cells += [_fmt(base.precision), _fmt(base.recall), _fmt(base.f1)]
        table.add_row(*cells, end_section=i == len(CATEGORIES) - 1)
    console.print(table)
    console.print(
        "类别：" + "，".join(f"{c} {CATEGORY_ZH[c]}" for c in CATEGORIES), markup=False, highlight=False,
    )
    console.print(
        f"目标：总体召回率 ≥ {TARGET_RECALL:.2f}，总体精确率 ≥ {TARGET_PRECISION:.2f}，"
        f"每类 F1 ≥ {TARGET_CATEGORY:.2f}"
    )
    if r.docreview is None:
        return
    s = r.docreview
    o = s.overall
    verdict = "达到" if all(met.values()) else "未达到"
    console.print(
        f"docreview：精确率 {_fmt(o.precision)}，召回率 {_fmt(o.recall)}，F1 {_fmt(o.f1)}，"
        f"完全一致 {s.exact}/{s.clauses} 条 —— {verdict}目标"
    )
    traps = s.alarms_by_trap()
    if traps:
        console.print(
            "合法条款误报（按陷阱类型）：" + "，".join(f"{t} {n}" for t, n in traps.items()),
            markup=False, highlight=False, soft_wrap=True,
        )
    if s.errors:
        console.print(f"[red]规则引擎在 {len(s.errors)} 条上出错（按未报出计）：[/red]")
        for cid, err in s.errors[:show_mistakes]:
            console.print(f"  {cid}  {err}", markup=False, highlight=False, soft_wrap=True)
    for title, items in (("漏报", s.misses), ("误报", s.false_alarms)):
        if not items:
            continue
        more = f"（显示前 {show_mistakes} 条）" if len(items) > show_mistakes else ""
        console.print(f"\n{title} {len(items)} 条{more}：")
        for m in items[:show_mistakes]:
            exp = ",".join(m.expected) or "—"
            got = ",".join(m.got) or "—"
            text = m.text.replace("\n", " / ")
            if len(text) > 80:
                text = text[:79] + "…"
            console.print(
                f"  {m.id}  应为[{exp}] 实为[{got}]  {text}", markup=False, highlight=False, soft_wrap=True,
            )
