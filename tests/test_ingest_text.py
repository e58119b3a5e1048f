"""Text and Markdown drafts: encodings detected, not guessed; Markdown markers stripped."""

from __future__ import annotations

import codecs

import pytest

from docreview.ingest import from_text, read_document

DRAFT = "关于加强城市户外广告管理的通知\n各区人民政府：\n一、未经批准不得设置户外广告。\n（一）申请人应当提供无违法记录证明。\n"


@pytest.mark.parametrize(("encoding", "raw", "want"), [
    ("utf-8", DRAFT.encode("utf-8"), "utf-8"),
    ("utf-8-sig", codecs.BOM_UTF8 + DRAFT.encode("utf-8"), "utf-8-sig"),
    ("gbk", DRAFT.encode("gbk"), "gb18030"),
    ("gb18030", (DRAFT + "䶮").encode("gb18030"), "gb18030"),
    ("utf-16", DRAFT.encode("utf-16"), "utf-16"),
])
def test_encodings(tmp_path, encoding, raw, want):
    p = tmp_path / f"{encoding}.txt"
    p.write_bytes(raw)
    doc = read_document(p)
    assert doc.blocks[0].text == "关于加强城市户外广告管理的通知"
    assert doc.blocks[3].text == "（一）申请人应当提供无违法记录证明。"
    assert dict(doc.meta)["encoding"] == want
    assert doc.fmt == "txt"
    assert not doc.text.startswith("\ufeff")


def test_gbk_is_not_misread_as_utf8(tmp_path):
    # short GBK text that is not valid UTF-8 must come out right, not as mojibake
    p = tmp_path / "short.txt"
    p.write_bytes("第一条　本办法自印发之日起施行。".encode("gbk"))
    doc = read_document(p)
    assert doc.text == "第一条　本办法自印发之日起施行。"


def test_crlf_and_blank_lines_kept(tmp_path):
    p = tmp_path / "crlf.txt"
    p.write_bytes("标题\r\n\r\n第一条　正文\r\n".encode())
    doc = read_document(p)
    assert [b.text for b in doc.blocks] == ["标题", "", "第一条　正文"]
    assert doc.blocks[2].offset == doc.text.index("第一条")


def test_markdown_cleaned(tmp_path):
    p = tmp_path / "d.md"
    p.write_text("# 某市管理办法\n\n## 第一章 总则\n> **第一条** 为了__规范__管理。\n- （一）申请人应当提供证明\n* 2. 项目\n", encoding="utf-8")
    doc = read_document(p)
    assert doc.fmt == "md"
    assert [b.text for b in doc.blocks] == [
        "某市管理办法", "", "第一章 总则", "第一条 为了规范管理。", "（一）申请人应当提供证明", "2. 项目"]


def test_from_text():
    doc = from_text("第一条 甲\n第二条 乙")
    assert [b.text for b in doc.blocks] == ["第一条 甲", "第二条 乙"]
    assert doc.blocks[1].offset == 6 and doc.path == "<text>"
    assert doc.block_at(7).text == "第二条 乙"
