"""Provenance of the labelled clause set: verbatim clauses name their published source, nothing is 'modelled on'."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from docreview import evaluate as ev

CLAUSES = Path(__file__).resolve().parent.parent / "corpus" / "clauses"
_SOURCE = re.compile(r"^LawRefBook/Laws (\S+\.md) 第[一二三四五六七八九十百零]+条")


@pytest.fixture(scope="module")
def corpus() -> tuple[ev.LabelledClause, ...]:
    return ev.load_clauses(CLAUSES)


def test_no_unverified_modelled_on_sources(corpus) -> None:
    assert [c.id for c in corpus if c.source.startswith("modelled on")] == []
    assert all(c.source.startswith(("LawRefBook/Laws ", "written for docreview")) for c in corpus)


def test_verbatim_clauses_name_file_and_article(corpus) -> None:
    verbatim = [c for c in corpus if c.note.startswith("verbatim")]
    assert len(verbatim) >= 150
    for c in verbatim:
        assert _SOURCE.match(c.source), (c.id, c.source)
        assert not c.text.startswith("第"), c.id  # only the leading 第X条 may be dropped, and it must be
    # and conversely: a LawRefBook source is only used for verbatim text
    assert all(c.note.startswith("verbatim") for c in corpus if c.source.startswith("LawRefBook/Laws "))


def test_published_file_is_balanced(corpus) -> None:
    pub = [c for c in corpus if Path(c.file).name == "published.yml"]
    assert len(pub) >= 120
    assert all(c.id.startswith("pb-") and c.note.startswith("verbatim") for c in pub)
    lawful = [c for c in pub if not c.labels]
    assert 0.35 <= len(lawful) / len(pub) <= 0.65
    per_cat = Counter(label for c in pub for label in c.labels)
    for cat in ("permit", "penalty", "coercion", "fee"):
        assert per_cat[cat] >= 5, cat
    assert len({Path(_SOURCE.match(c.source).group(1)).name for c in pub}) >= 10  # many laws, not one
