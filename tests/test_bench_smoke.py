"""Benchmark smoke test: the corpus generator and the equality check (no timing assertions)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

from gen_corpus import generate  # noqa: E402
from run import equality, reference_mode  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    return generate(tmp_path_factory.mktemp("bench") / "corpus", 3, seed=7)


@pytest.fixture(scope="module")
def checker():
    from docreview.pipeline import Checker

    return Checker()


def test_generated_documents_are_real_10k_drafts(corpus: list[Path]) -> None:
    from docreview.ingest import read_document
    from docreview.structure import parse_structure

    assert [p.name for p in corpus] == ["doc00000.docx", "doc00001.docx", "doc00002.docx"]
    for p in corpus:
        st = parse_structure(read_document(p))
        assert 9_000 <= len(st.text) <= 12_000
        assert len(st.articles) > 50 and st.chapters
        assert st.dates.effective is not None and st.dates.validity is not None
    # deterministic for a seed
    again = generate(corpus[0].parent.parent / "again", 1, seed=7)
    assert read_document(again[0]).text == read_document(corpus[0]).text


def test_optimised_path_equals_straightforward_path(corpus: list[Path], checker) -> None:
    mismatched, n_findings, bad = equality(corpus, checker)
    assert (mismatched, bad) == (0, [])
    assert n_findings > 10  # the corpus carries violating clauses, so findings are compared


def test_equality_check_detects_a_broken_fast_path(corpus: list[Path], checker, monkeypatch) -> None:
    from docreview import structure

    # a fast path that silently misses the effective-date/validity sentences
    monkeypatch.setattr(structure, "_special_sentences", lambda norm, start, end: iter(()))
    mismatched, _, bad = equality(corpus, checker)
    assert mismatched == len(corpus) and len(bad) == len(corpus)


def test_reference_mode_restores_the_fast_paths() -> None:
    from docreview import nlp, structure

    before = (nlp.normalize, structure._special_sentences, nlp.Segmenter.tokens)
    with reference_mode():
        assert nlp.normalize is not before[0] and nlp.Segmenter.tokens is not before[2]
    assert (nlp.normalize, structure._special_sentences, nlp.Segmenter.tokens) == before
