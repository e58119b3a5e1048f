"""parse_structure on the shared sample drafts in corpus/samples (built by corpus/samples/make_samples.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from docreview.ingest import read_document
from docreview.locate import locate
from docreview.structure import parse_structure

SAMPLES = Path(__file__).resolve().parent.parent / "corpus" / "samples"


def load(name: str):
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"{name} not generated yet")
    return parse_structure(read_document(path))


def test_sample_banfa():
    st = load("sample_banfa.docx")
    assert st.title == "某市城市户外广告设置管理办法（送审稿）"
    assert st.doc_number == "某府规〔2026〕3号"
    assert st.issuer == "某市人民政府"
    assert st.dates.signed == date(2026, 1, 20)
    assert st.style == "regulation"
    nums = [a.number for a in st.articles]
    assert nums == list(range(1, len(nums) + 1)) and len(nums) >= 20
    assert "法律责任" in [c.title for c in st.chapters]
    fee = next(a for a in st.articles if "缴纳相关费用" in st.text[a.start:a.end])
    table_pos = st.text.index("每处每次500元")
    loc = locate(st, table_pos)
    assert loc.article == fee.number and loc.clause == 1
    assert st.dates.effective.on == date(2026, 3, 1) and st.dates.validity.years == 5
    pen = locate(st, st.text.index("按日加收"))
    assert pen.chapter == "法律责任"


def test_sample_tongzhi():
    st = load("sample_tongzhi.docx")
    assert st.style == "notice" and st.articles == ()
    assert st.doc_number == "某府办规〔2026〕2号"
    assert st.issuer == "某市人民政府办公室"
    assert st.dates.signed == date(2026, 2, 10)
    top = [s.label for s in st.sections if len(s.path) == 1]
    assert top[:2] == ["一、", "二、"]
    assert st.dates.effective.relative_to == "印发"
    assert st.dates.effective.text.startswith("本通知自印发之日起施行")
    assert st.dates.validity.until == date(2028, 12, 31)
    loc = locate(st, st.text.index("无违法犯罪记录证明"))
    assert loc.label.endswith("2.") and loc.label.startswith("二、（")


def test_sample_xize():
    st = load("sample_xize.docx")
    assert st.provisional is True
    assert st.doc_number == "某政规〔2026〕1号"
    assert st.dates.signed == date(2026, 3, 5)
    assert st.repeals == ("《某县城区生活垃圾分类管理暂行办法》（某政发〔2019〕12号）",)
    loc = locate(st, st.text.index("按每户每月五元"))
    assert loc.label == "第七条第（三）项"
