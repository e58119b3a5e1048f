"""The labelled clause set itself, and `docreview eval` over it through the real pipeline."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from docreview import evaluate as ev
from docreview.cli import app
from docreview.model import CATEGORIES, Finding, Location

ROOT = Path(__file__).resolve().parent.parent
CLAUSES = ROOT / "corpus" / "clauses"


@pytest.fixture(scope="module")
def corpus() -> tuple[ev.LabelledClause, ...]:
    return ev.load_clauses(CLAUSES)


def test_corpus_size_and_balance(corpus) -> None:
    assert len(corpus) >= 300
    lawful = [c for c in corpus if not c.labels]
    assert len(lawful) / len(corpus) >= 0.40
    per_cat = Counter(label for c in corpus for label in c.labels)
    for cat in CATEGORIES:
        assert per_cat[cat] >= 25, cat


def test_corpus_covers_every_trap(corpus) -> None:
    traps = Counter(c.trap for c in corpus if not c.labels)
    for trap in ("agency-obligation", "restatement", "negation", "soft", "referral", "scope",
                 "definition", "purpose", "internal-sanction", "benefit", "character",
                 "order-correction", "procedure-ok", "rule-lawful-penalty"):
        assert traps[trap] >= 2, trap
    # every lawful clause says which trap it is
    assert all(c.trap for c in corpus if not c.labels)


def test_corpus_entries_are_well_formed(corpus) -> None:
    for c in corpus:
        assert c.source, c.id
        assert c.text == c.text.strip() and "  " not in c.text, c.id
        prefix = c.id.split("-")[0]
        assert all(d.id.split("-")[0] == prefix for d in corpus if d.file == c.file), c.file
    texts = Counter((c.text, c.kind) for c in corpus)
    assert [t for t, n in texts.items() if n > 1] == []  # no duplicated wording within a kind
    docs = [c for c in corpus if c.scope == "document"]
    assert docs and all(c.labels <= {"procedure"} for c in docs)
    assert all(c.scope == "document" for c in corpus if "procedure" in c.labels)
    # the same sentence means different things in a draft 规章 and in a normative document
    warn_rule = next(c for c in corpus if c.kind == "rule" and c.text == "对违反本规定的经营者，予以警告。")
    warn_doc = next(c for c in corpus if c.kind == "normative" and c.text == warn_rule.text)
    assert warn_rule.labels == frozenset() and warn_doc.labels == {"penalty"}


def test_readme_counts_match(corpus) -> None:
    readme = (CLAUSES / "README.md").read_text(encoding="utf-8")
    assert f"共 {len(corpus)} 条" in readme
    per_cat = Counter(label for c in corpus for label in c.labels)
    for cat in CATEGORIES:
        assert f"| {cat} | {per_cat[cat]} |" in readme, cat
    assert f"合法（labels: []）| {sum(not c.labels for c in corpus)} |" in readme


def test_baseline_is_fooled_by_the_traps(corpus) -> None:
    s = ev.evaluate(corpus, ev.baseline_predict, name="baseline")
    for cat in ("permit", "penalty", "fee", "obligation", "competition", "procedure", "reference"):
        assert s.category(cat).fp >= 5, cat
    assert s.overall.precision < 0.6


# --------------------------------------------------------------------------- engine adapter


def _finding(category: str, severity: str) -> Finding:
    return Finding(
        rule_id="X1", title="t", category=category, severity=severity, location=Location(),
        quote="q", start=0, end=1, message="m", suggestion="s", basis=(), fingerprint="f",
    )


def test_engine_predictor_counts_only_error_and_warning(monkeypatch) -> None:
    import docreview.engine as engine

    seen: list[dict] = []

    def fake_run_rules(book, statute, segmenter, **kw):
        seen.append({"kw": kw, "text": statute.text})
        return (_finding("permit", "error"), _finding("fee", "warning"), _finding("reference", "info"))

    monkeypatch.setattr(engine, "run_rules", fake_run_rules)
    predict = ev.engine_predictor()
    clause = ev.LabelledClause("x-1", "未经批准，不得设置。", frozenset({"permit"}), kind="rule")
    assert predict(clause) == {"permit", "fee"}
    assert seen[0]["kw"] == {"kind": "rule", "document_checks": False}
    assert seen[0]["text"].startswith("第一条")
    doc = ev.LabelledClause("x-2", "某办法\n第一条　目的。\n某市人民政府", frozenset(), scope="document")
    predict(doc)
    assert seen[1]["kw"] == {"kind": "normative", "document_checks": True}
    assert seen[1]["text"].startswith("某办法")


# --------------------------------------------------------------------------- CLI on the real corpus


def test_cli_eval_on_corpus_reports_every_category(corpus) -> None:
    res = CliRunner().invoke(app, ["eval", str(CLAUSES), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["clauses"] == len(corpus)
    assert data["docreview"] is not None, data["engine_note"]
    for who in ("docreview", "baseline"):
        cats = data[who]["categories"]
        assert set(cats) == set(CATEGORIES)
        for cat in CATEGORIES:
            c = cats[cat]
            assert c["support"] == data["labels"][cat] >= 25
            assert c["tp"] + c["fn"] == c["support"]
            assert 0.0 <= c["precision"] <= 1.0 and 0.0 <= c["recall"] <= 1.0
        o = data[who]["overall"]
        assert o["tp"] == sum(cats[c]["tp"] for c in CATEGORIES)
        assert o["fp"] == sum(cats[c]["fp"] for c in CATEGORIES)
        missed = {m["id"] for m in data[who]["misses"]}
        assert len(missed) <= sum(cats[c]["fn"] for c in CATEGORIES)
        assert (len(missed) == 0) == (o["fn"] == 0)


def test_cli_eval_text_on_corpus() -> None:
    res = CliRunner().invoke(app, ["eval", str(CLAUSES)], terminal_width=200)
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "TP/FP/FN" in out and "基线F1" in out and "合计" in out
    for cat in CATEGORIES:
        assert cat in out
    assert "目标：总体召回率 ≥ 0.95" in out
