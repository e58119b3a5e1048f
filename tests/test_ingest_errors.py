"""Every bad input is refused with its code and one Chinese line naming the file."""

from __future__ import annotations

import struct
import time
import zipfile
import zlib

import pytest

from docreview.errors import DocreviewError
from docreview.ingest import Limits, read_bytes, read_document
from tests.docxfactory import P, build_docx, docx_bytes, ole_bytes, replace_part, zip_with


def refused(path, code, limits=None):
    with pytest.raises(DocreviewError) as ei:
        read_document(path, limits) if limits else read_document(path)
    err = ei.value
    assert err.code == code, str(err)
    line = str(err)
    assert line.startswith(f"{code} {path}: ") and "\n" not in line
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.message)
    return line


def test_missing(tmp_path):
    refused(tmp_path / "nope.docx", "E100")


def test_directory(tmp_path):
    d = tmp_path / "dir.docx"
    d.mkdir()
    refused(d, "E101")


def test_not_a_zip(tmp_path):
    p = tmp_path / "fake.docx"
    p.write_text("这不是 Word 文件", encoding="utf-8")
    refused(p, "E103")


def test_truncated_zip(tmp_path):
    data = docx_bytes([P("正文")])
    p = tmp_path / "trunc.docx"
    p.write_bytes(data[: len(data) // 2])
    refused(p, "E104")


def test_corrupt_member(tmp_path):
    data = bytearray(docx_bytes([P("正文" * 200)]))
    zf = zipfile.ZipFile(__import__("io").BytesIO(bytes(data)))
    info = zf.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 5, start + 40):
        data[i] ^= 0x5A
    p = tmp_path / "crc.docx"
    p.write_bytes(bytes(data))
    refused(p, "E104")


def test_missing_document_xml(tmp_path):
    p = zip_with(tmp_path / "x.docx", {"[Content_Types].xml": "<Types/>", "word/styles.xml": "<x/>"})
    assert "word/document.xml" in refused(p, "E104")


def test_encrypted_docx_ole(tmp_path):
    p = tmp_path / "secret.docx"
    p.write_bytes(ole_bytes({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x01" * 5000}))
    assert "加密" in refused(p, "E102")


@pytest.mark.parametrize("name", ["old.doc", "renamed.docx", "kingsoft.wps"])
def test_legacy_doc(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(ole_bytes({"WordDocument": b"\xec\xa5" + b"\0" * 100}))
    assert "另存为 .docx" in refused(p, "E105")


def test_rtf_named_doc(tmp_path):
    p = tmp_path / "rtf.doc"
    p.write_bytes(b"{\\rtf1\\ansi hello}")
    refused(p, "E105")


def test_empty_document(tmp_path):
    p = build_docx(tmp_path / "empty.docx", [P(""), P("\u3000 "), P()])
    refused(p, "E106")


def test_empty_text_file(tmp_path):
    p = tmp_path / "e.txt"
    p.write_bytes(b"\n\n  \n")
    refused(p, "E106")


def test_zip_bomb_refused_from_directory(tmp_path):
    bomb = b"<w:document/>" + b" " * (30 * 1024 * 1024)
    base = build_docx(tmp_path / "base.docx", [P("正文")])
    p = replace_part(base, tmp_path / "bomb.docx", "word/document.xml", bomb)
    t = time.perf_counter()
    assert "压缩" in refused(p, "E107")
    assert time.perf_counter() - t < 2


def test_zip_too_many_members(tmp_path):
    p = zip_with(tmp_path / "many.docx", {f"f{i}.xml": "<a/>" for i in range(50)})
    refused(p, "E107", Limits(max_members=20))


def test_zip_bomb_lying_directory(tmp_path):
    """The directory claims 4 KB but the member inflates to 8 MB: capped while streaming."""
    base = build_docx(tmp_path / "base.docx", [P("正文")])
    real = b"<w:document/>" + b"\0" * (8 * 1024 * 1024)
    p = replace_part(base, tmp_path / "lie.docx", "word/document.xml", real)
    data = bytearray(p.read_bytes())
    zf = zipfile.ZipFile(p)
    info = zf.getinfo("word/document.xml")
    # patch the central directory entry of word/document.xml: uncompressed size field (offset 24)
    name = info.filename.encode()
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        nlen = struct.unpack("<H", data[pos + 28: pos + 30])[0]
        if data[pos + 46: pos + 46 + nlen] == name:
            data[pos + 24: pos + 28] = struct.pack("<I", 4096)
            break
        pos = data.find(b"PK\x01\x02", pos + 4)
    assert pos != -1
    p.write_bytes(bytes(data))
    assert zipfile.ZipFile(p).getinfo("word/document.xml").file_size == 4096
    assert "目录信息不实" in refused(p, "E107")


def test_billion_laughs(tmp_path):
    base = build_docx(tmp_path / "base.docx", [P("正文")])
    xml = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           "<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>")
    p = replace_part(base, tmp_path / "lol.docx", "word/document.xml", xml)
    refused(p, "E108")


def test_external_entity_in_styles(tmp_path):
    base = build_docx(tmp_path / "base.docx", [P("正文")])
    xml = '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><w:styles>&xxe;</w:styles>'
    p = replace_part(base, tmp_path / "xxe.docx", "word/styles.xml", xml)
    refused(p, "E108")


def test_doctype_utf16_part(tmp_path):
    base = build_docx(tmp_path / "base.docx", [P("正文")])
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    p = replace_part(base, tmp_path / "u16.docx", "word/document.xml", xml.encode("utf-16"))
    refused(p, "E108")


def test_too_large(tmp_path):
    p = tmp_path / "big.txt"
    p.write_bytes(b"a" * 2048)
    refused(p, "E109", Limits(max_file_bytes=1024))
    with pytest.raises(DocreviewError) as ei:
        read_bytes(b"a" * 2048, "big.txt", Limits(max_file_bytes=1024))
    assert ei.value.code == "E109"


def test_undecodable_text(tmp_path):
    p = tmp_path / "bin.txt"
    p.write_bytes(bytes(range(256)) * 8 + zlib.compress(b"x" * 1000))
    refused(p, "E110")


@pytest.mark.parametrize("name", ["draft.pdf", "draft", "draft.xlsx"])
def test_unsupported_extension(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(b"%PDF-1.4")
    refused(p, "E111")


def test_malformed_xml(tmp_path):
    base = build_docx(tmp_path / "base.docx", [P("正文")])
    p = replace_part(base, tmp_path / "bad.docx", "word/document.xml", "<w:document><w:body><w:p>")
    refused(p, "E112")



def test_total_declared_size_over_limit(tmp_path):
    parts = {f"word/media/f{i}.bin": bytes(range(256)) * 400 for i in range(5)}  # ~100 KB each, incompressible-ish
    base = build_docx(tmp_path / "base.docx", [P("正文")])
    p = base
    for name, data in parts.items():
        p = replace_part(p, tmp_path / f"t{len(name)}_{name[-5]}.docx", name, data)
    assert "总大小" in refused(p, "E107", Limits(max_total_bytes=300_000))


def test_zip_level_encryption_flag(tmp_path):
    data = bytearray(docx_bytes([P("正文")]))
    # set the "encrypted" general-purpose flag on every entry (local + central headers)
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.find(sig)
        while pos != -1:
            flags = struct.unpack("<H", data[pos + off: pos + off + 2])[0] | 0x1
            data[pos + off: pos + off + 2] = struct.pack("<H", flags)
            pos = data.find(sig, pos + 4)
    p = tmp_path / "zipcrypt.docx"
    p.write_bytes(bytes(data))
    refused(p, "E102")


def test_member_count_refused_before_parsing_directory(tmp_path):
    p = zip_with(tmp_path / "many2.docx", {f"f{i}": b"" for i in range(3000)})
    t = time.perf_counter()
    assert "文件数 3000" in refused(p, "E107")  # default limit 2000
    assert time.perf_counter() - t < 1
