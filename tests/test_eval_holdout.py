"""The held-out clause set corpus/holdout/: well-formed, independent of corpus/clauses, README in sync.

No accuracy thresholds here on purpose: the held-out numbers are reported, never tuned against.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from docreview import evaluate as ev
from docreview.cli import app
from docreview.model import CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = ROOT / "corpus" / "holdout"
CLAUSES = ROOT / "corpus" / "clauses"


@pytest.fixture(scope="module")
def holdout() -> tuple[ev.LabelledClause, ...]:
    return ev.load_clauses(HOLDOUT)


@pytest.fixture(scope="module")
def readme() -> str:
    return (HOLDOUT / "README.md").read_text(encoding="utf-8")


def test_holdout_size_and_balance(holdout) -> None:
    assert len(holdout) >= 200
    lawful = [c for c in holdout if not c.labels]
    assert len(lawful) / len(holdout) >= 0.40
    per_cat = Counter(label for c in holdout for label in c.labels)
    for cat in CATEGORIES:
        assert per_cat[cat] >= 15, cat


def test_holdout_is_disjoint_from_the_development_set(holdout) -> None:
    dev = ev.load_clauses(CLAUSES)
    assert all(c.id.startswith("ho-") for c in holdout)
    assert {c.id for c in holdout}.isdisjoint({c.id for c in dev})
    # loading both directories' clauses together must not trip the uniqueness check
    ev.check_unique((*dev, *holdout))
    assert {c.text for c in holdout}.isdisjoint({c.text for c in dev})


def test_verbatim_sources_differ_from_the_development_set(holdout) -> None:
    dev_readme = (CLAUSES / "README.md").read_text(encoding="utf-8")
    verbatim = [c for c in holdout if c.source.startswith("LawRefBook/Laws ")]
    assert len(verbatim) >= 80
    for c in verbatim:
        assert c.note.startswith("verbatim"), c.id
        path = c.source.split()[1]
        assert re.search(r"第[一二三四五六七八九十百零]+条", c.source), c.id
        assert path.endswith(".md") and "/" in path, c.id
        stem = path.split("/")[-1].split("(")[0].removesuffix(".md")
        assert stem not in dev_readme, (c.id, stem)  # a law file the development set did not use
        assert not re.match(r"第[一二三四五六七八九十百零]+条", c.text), c.id


def test_every_entry_has_a_source_and_lawful_ones_a_trap(holdout) -> None:
    for c in holdout:
        assert c.source.strip(), c.id
        assert c.source.startswith(("LawRefBook/Laws ", "written for docreview")), c.id
        if not c.labels:
            assert c.trap, c.id
        else:
            assert not c.trap, c.id
    docs = [c for c in holdout if c.scope == "document"]
    assert len(docs) >= 15
    assert all(c.labels <= {"procedure"} for c in docs)
    assert all(c.scope == "document" for c in holdout if "procedure" in c.labels)
    assert all("\n" in c.text for c in docs)  # whole mini-documents, not single sentences


def test_readme_counts_match(holdout, readme) -> None:
    assert f"共 {len(holdout)} 条" in readme
    lawful = sum(not c.labels for c in holdout)
    assert f"合法条款（labels: []）{lawful} 条" in readme
    assert f"| 合法（labels: []）| {lawful} |" in readme
    assert f"多标签条款 {sum(len(c.labels) > 1 for c in holdout)} 条" in readme
    verbatim = sum(c.source.startswith("LawRefBook/Laws ") for c in holdout)
    assert f"{verbatim} 条逐字照录" in readme
    assert f"`kind: rule`（地方政府规章草案）{sum(c.kind == 'rule' for c in holdout)} 条" in readme
    assert f"`scope: document`（整篇小文件）{sum(c.scope == 'document' for c in holdout)} 条" in readme
    per_cat = Counter(label for c in holdout for label in c.labels)
    for cat in CATEGORIES:
        assert f"| {cat} | {per_cat[cat]} |" in readme, cat
    for name in sorted({Path(c.file).name for c in holdout}):
        rows = [c for c in holdout if Path(c.file).name == name]
        marked = sum(bool(c.labels) for c in rows)
        assert f"| {name} | {len(rows)} | {marked} | {len(rows) - marked} |" in readme, name
    for trap, n in Counter(c.trap for c in holdout if not c.labels).items():
        assert f"| {trap} | {n} |" in readme, trap


def test_readme_states_independence(readme) -> None:
    assert "没有查看 `rules/`" in readme
    assert "不得用于调规则" in readme


def test_cli_eval_on_holdout_reports_the_counts(holdout) -> None:
    res = CliRunner().invoke(app, ["eval", str(HOLDOUT), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["clauses"] == len(holdout)
    assert data["lawful"] == sum(not c.labels for c in holdout)
    per_cat = Counter(label for c in holdout for label in c.labels)
    assert data["labels"] == {cat: per_cat[cat] for cat in CATEGORIES}
    assert data["docreview"] is not None, data["engine_note"]
    for who in ("docreview", "baseline"):
        cats = data[who]["categories"]
        for cat in CATEGORIES:
            assert cats[cat]["tp"] + cats[cat]["fn"] == per_cat[cat], (who, cat)
