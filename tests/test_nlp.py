"""normalize, split_sentences and the owned jieba Segmenter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from docreview.nlp import Segmenter, cache_dir, legal_dict_path, normalize, split_sentences

# --------------------------------------------------------------------------- normalize


def test_normalize_maps():
    assert normalize("２０２６年ＡＢｃ") == "2026年ABc"
    assert normalize("a\u3000b\u00a0c\td") == "a b c d"
    assert normalize("(一),;:?!") == "（一），；：？！"
    assert normalize("某府规[2026]3号［1］【2】") == "某府规〔2026〕3号〔1〕〔2〕"
    assert normalize("第一条　不得。\n") == "第一条 不得。\n"


@pytest.mark.parametrize("s", [
    "", "　", "（１）某府规［２０２６］３号\u00a0", "😀emoji（）", "\u200b\ufeffＡ", "e\u0301", "𠀀𠀁[x]",
    "".join(chr(c) for c in range(0x20, 0x3000, 7)),
])
def test_normalize_is_length_preserving(s):
    assert len(normalize(s)) == len(s)


def test_normalize_length_invariant_all_bmp():
    s = "".join(chr(c) for c in range(0x0, 0xD800)) + "".join(chr(c) for c in range(0xE000, 0x10000))
    out = normalize(s)
    assert len(out) == len(s)
    # newlines are kept (they end sentences)
    assert out[10] == "\n"


# --------------------------------------------------------------------------- sentences


def texts(sents):
    return [s.text for s in sents]


def test_split_basic_and_offsets():
    text = "前言。第一条　经营者应当登记；不得经营！是否可以？\n第二句没有句号\n"
    sents = split_sentences(text)
    assert texts(sents) == ["前言。", "第一条　经营者应当登记；", "不得经营！", "是否可以？", "第二句没有句号"]
    for s in sents:
        assert text[s.start:s.end] == s.text


def test_split_never_inside_book_title_or_quotes():
    text = "依照《某某办法。修订版》执行。他说：“应当登记。不得拒绝！”随后离开。「甲。乙」『丙；丁』完。"
    assert texts(split_sentences(text)) == [
        "依照《某某办法。修订版》执行。",
        "他说：“应当登记。不得拒绝！”随后离开。",
        "「甲。乙」『丙；丁』完。",
    ]


def test_split_not_inside_parentheses():
    text = "收取费用（标准另定。详见附件）。其他。"
    assert texts(split_sentences(text)) == ["收取费用（标准另定。详见附件）。", "其他。"]


def test_split_range_gives_absolute_offsets():
    text = "甲。乙丙。丁戊己。"
    sents = split_sentences(text, 2, 9)
    assert [(s.start, s.end, s.text) for s in sents] == [(2, 5, "乙丙。"), (5, 9, "丁戊己。")]


def test_unclosed_bracket_does_not_swallow_the_document():
    text = "依照《某办法执行。\n下一行。再下一句。"
    assert texts(split_sentences(text)) == ["依照《某办法执行。", "下一行。", "再下一句。"]


def test_terminator_runs_stay_together():
    assert texts(split_sentences("真的吗？！是的。")) == ["真的吗？！", "是的。"]


# --------------------------------------------------------------------------- segmenter


@pytest.fixture(scope="module")
def seg():
    return Segmenter()


def words(seg, text):
    return [t.text for t in seg.tokens(text)]


def test_legal_dictionary_is_shipped_and_large_enough():
    lines = [ln.split() for ln in legal_dict_path().read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert len(lines) >= 150
    for parts in lines:
        assert len(parts) == 3 and parts[1].isdigit()
    names = {p[0] for p in lines}
    for must in ("行政许可", "行政处罚", "行政强制", "用人单位", "生产经营单位", "监督管理部门", "人民政府",
                 "市场监督管理部门", "住房和城乡建设部门", "从业人员", "申请人", "经营者", "保证金", "滞纳金",
                 "黑名单", "联合惩戒", "不得", "应当", "须经", "方可", "责令", "罚款", "没收违法所得", "吊销",
                 "暂扣"):
        assert must in names, must


@pytest.mark.parametrize("term", [
    "行政许可", "行政处罚", "行政强制", "用人单位", "生产经营单位", "市场监督管理部门", "住房和城乡建设部门",
    "从业人员", "申请人", "经营者", "保证金", "滞纳金", "黑名单", "联合惩戒", "须经", "方可", "没收违法所得",
    "责令", "罚款", "吊销", "暂扣",
])
def test_legal_terms_kept_whole_in_context(seg, term):
    text = f"本市各有关单位对于{term}等事项应当依法办理"
    assert term in words(seg, text)


def test_tricky_boundaries(seg):
    assert words(seg, "相应当事人应当提供证明") == ["相应", "当事人", "应当", "提供", "证明"]
    assert words(seg, "须经市场监督管理部门批准后方可营业")[:2] == ["须经", "市场监督管理部门"]
    assert "不得" not in words(seg, "舍不得")


def test_tokens_offsets_and_normalisation(seg):
    text = "　经营者须经批准（２０２６年）"
    toks = seg.tokens(text, offset=100)
    assert all(not t.text.isspace() for t in toks)
    for t in toks:
        assert normalize(text[t.start - 100:t.end - 100]) == t.text
    assert "2026" in [t.text for t in toks]


def test_tokens_deterministic(seg):
    text = "用人单位应当为从业人员缴纳保证金，逾期的加收滞纳金。"
    assert seg.tokens(text) == Segmenter().tokens(text) == seg.tokens(text)


def test_spacy_doc_from_our_tokens(seg):
    toks = seg.tokens("用人单位不得收取保证金")
    doc = seg.doc(toks)
    assert [t.text for t in doc] == [t.text for t in toks]
    assert doc.vocab is seg.nlp.vocab
    from spacy.matcher import Matcher

    m = Matcher(seg.nlp.vocab)
    m.add("NEG_FEE", [[{"TEXT": "不得"}, {"TEXT": "收取"}]])
    hits = m(doc)
    assert len(hits) == 1
    _, a, b = hits[0]
    assert (toks[a].start, toks[b - 1].end) == (4, 8)


def test_cache_goes_to_user_cache_dir_not_cwd(tmp_path):
    cache = tmp_path / "xdg"
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    code = ("from docreview.nlp import Segmenter;"
            "print([t.text for t in Segmenter().tokens('用人单位不得收取保证金')])")
    out = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True,
                         timeout=120, check=True)
    assert "用人单位" in out.stdout
    assert list(work.iterdir()) == []
    assert (cache / "docreview" / "jieba.cache").is_file()
    assert len(list((cache / "docreview").glob("docreview-dict-*.pickle"))) == 1
    assert "Building prefix dict" not in out.stderr
    # second run: loaded from the merged cache, same tokens, still nothing in cwd
    again = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True,
                           timeout=120, check=True)
    assert again.stdout == out.stdout
    assert list(work.iterdir()) == []


def test_tampered_or_corrupt_cache_is_not_trusted(tmp_path, monkeypatch):
    import pickle

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    ref = Segmenter().tokens("须经市场监督管理部门批准")  # builds the caches
    (cached,) = (tmp_path / "docreview").glob("docreview-dict-*.pickle")

    class Evil:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    cached.write_bytes(pickle.dumps(Evil()))
    assert Segmenter().tokens("须经市场监督管理部门批准") == ref
    assert not (tmp_path / "pwned").exists()
    cached.write_bytes(b"\x80\x05garbage")
    assert Segmenter().tokens("须经市场监督管理部门批准") == ref


def test_cache_dir_falls_back_when_unwritable(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file: mkdir below it fails
    d = cache_dir()
    assert d.is_dir() and blocker not in d.parents and Path.cwd() != d


def test_import_is_light():
    code = ("import sys, docreview.nlp, docreview.structure, docreview.locate;"
            "print(any(m in sys.modules for m in ('jieba', 'spacy', 'docx', 'openpyxl')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"


def test_normalize_is_idempotent():
    s = "（１）某府规［２０２６］３号\u3000(a),b;c:d?e!\t【x】"
    assert normalize(normalize(s)) == normalize(s)


def test_segmenter_pickles_small_and_works_after(seg):
    import pickle

    seg.tokens("预热")
    data = pickle.dumps(seg)
    assert len(data) < 2000  # not the whole prefix dictionary
    clone = pickle.loads(data)
    assert clone.tokens("用人单位不得收取保证金") == seg.tokens("用人单位不得收取保证金")


def test_tokens_are_immutable_hashable_values(seg):
    from docreview.model import Token

    toks = seg.tokens("用人单位不得收取保证金", 5)
    t = toks[0]
    assert type(t) is Token and t == Token(text="用人单位", start=5, end=9) and t.end - t.start == len(t.text)
    assert len(set(toks + seg.tokens("用人单位不得收取保证金", 5))) == len(toks)
    with pytest.raises(AttributeError):
        t.start = 0  # type: ignore[misc]
