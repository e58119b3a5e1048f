"""Each speed-up of ingest/structure/nlp returns exactly what the straightforward code returns."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from docreview import nlp, structure

ROOT = Path(__file__).resolve().parents[1]


def _clause_texts() -> list[str]:
    out = []
    for f in sorted((ROOT / "corpus" / "clauses").glob("*.yml")):
        for e in yaml.safe_load(f.read_text(encoding="utf-8")) or []:
            if isinstance(e, dict) and e.get("text"):
                out.append(str(e["text"]))
    return out


def _random_texts(n: int, seed: int) -> list[str]:
    mapped = "".join(chr(k) for k in nlp._TABLE)
    alphabet = mapped + "的了在是我有和就不人都一上也很到说要去你会着没看好自己这施行有效期废止本办法自年月日" \
        "abcXYZ0123 .\t\r\n%#-_&+，。、（）“”《》；！？"
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))) for _ in range(n)]


def test_normalize_equals_str_translate() -> None:
    for text in [*_random_texts(3000, 1), *_clause_texts()]:
        assert nlp.normalize(text) == text.translate(nlp._TABLE)


@pytest.fixture(scope="module")
def tokenizer():
    return nlp.Segmenter().tokenizer


def test_cut_equals_jieba_cut_without_hmm(tokenizer) -> None:
    router = nlp._Router(tokenizer)
    # 看看看 / 人人人人 are score ties: jieba keeps the later-ending word; jieba_fast's C route does not
    texts = ["看看看", "人人人人", "研究生命起源", "结婚的和尚未结婚的", "ABC123 abc，２０２６年", "\r\n \t", ""]
    texts += [nlp.normalize(t) for t in _clause_texts()] + _random_texts(2000, 2)
    for text in texts:
        assert nlp.cut_no_hmm(router, text) == list(tokenizer.cut(text, HMM=False)), text


def test_segmenter_tokens_equal_jieba_tokenize(tokenizer) -> None:
    seg = nlp.Segmenter()
    for text in _clause_texts()[:300]:
        want = [(w, 7 + a, 7 + b) for w, a, b in tokenizer.tokenize(nlp.normalize(text), HMM=False)
                if not w.isspace()]
        assert [(t.text, t.start, t.end) for t in seg.tokens(text, 7)] == want


def test_special_sentences_equal_filtered_whole_split() -> None:
    texts = _random_texts(3000, 3) + ["\n".join(_clause_texts()[i:i + 12]) for i in range(0, 400, 12)]
    for text in texts:
        norm = nlp.normalize(text)
        for start, end in ((0, len(norm)), (len(norm) // 3, len(norm)), (1, max(1, len(norm) - 2))):
            want = [s for s in nlp.split_sentences(norm, start, end)
                    if structure._SPECIAL_HINT.search(s.text)]
            got = [s for s in structure._special_sentences(norm, start, end)
                   if structure._SPECIAL_HINT.search(s.text)]
            assert got == want
            # and every sentence holding a hint word is found
            assert {(s.start, s.end) for s in want} <= {(s.start, s.end) for s in
                                                         structure._special_sentences(norm, start, end)}


def test_help_imports_nothing_heavy() -> None:
    code = ("import sys; from typer.testing import CliRunner; from docreview.cli import app; "
            "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0, r.output; "
            "print(' '.join(m for m in ('spacy', 'jieba', 'docx', 'openpyxl', 'lxml', 'regex', "
            "'ahocorasick', 'cn2an', 'chinese_calendar') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
