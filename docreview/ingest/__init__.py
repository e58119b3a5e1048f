"""Ingest: read a draft (.docx, .txt, .md) faithfully into a ``SourceDoc``.

``read_document(path)`` checks the file (exists, is a file, size) and calls ``read_bytes``, which
sniffs the content (zip / OLE compound file / text) and dispatches. Every bad input raises a
``DocreviewError`` with one Chinese line naming the file and the problem.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from docreview.errors import (
    E_EMPTY,
    E_ENCRYPTED,
    E_IS_DIR,
    E_LEGACY,
    E_MISSING,
    E_NOT_ZIP,
    E_TOO_LARGE,
    E_UNSUPPORTED,
    DocreviewError,
)
from docreview.ingest.safety import DEFAULT_LIMITS, Limits
from docreview.model import SourceDoc, make_source

__all__ = ["DEFAULT_LIMITS", "Limits", "from_text", "read_bytes", "read_document"]

DOCX_SUFFIXES = {".docx", ".docm", ".dotx", ".dotm"}
LEGACY_SUFFIXES = {".doc", ".dot", ".wps", ".wpt", ".rtf"}
TEXT_SUFFIXES = {".txt", ".text"}
MD_SUFFIXES = {".md", ".markdown"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_CONVERT = "请用 Word 或 WPS 另存为 .docx 后再审核"


def read_document(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> SourceDoc:
    """Read a draft from disk. The size is checked via stat before any byte is read."""
    where = str(path)
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise DocreviewError(E_MISSING, where, "文件不存在") from None
    except OSError as exc:
        raise DocreviewError(E_MISSING, where, f"无法访问文件（{exc.strerror or exc}）") from None
    if p.is_dir():
        raise DocreviewError(E_IS_DIR, where, "这是一个目录，不是文件")
    if not p.is_file():
        raise DocreviewError(E_UNSUPPORTED, where, "不是普通文件")
    _check_suffix(p.name, where)
    if st.st_size > limits.max_file_bytes:
        raise DocreviewError(
            E_TOO_LARGE, where,
            f"文件大小 {st.st_size // (1024 * 1024)} MB 超过上限 {limits.max_file_bytes // (1024 * 1024)} MB",
        )
    try:
        with p.open("rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)
    except IsADirectoryError:
        raise DocreviewError(E_IS_DIR, where, "这是一个目录，不是文件") from None
    except OSError as exc:
        raise DocreviewError(E_MISSING, where, f"无法读取文件（{exc.strerror or exc}）") from None
    return read_bytes(data, where, limits)


def _check_suffix(name: str, where: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in DOCX_SUFFIXES | LEGACY_SUFFIXES | TEXT_SUFFIXES | MD_SUFFIXES:
        shown = suffix or "（无扩展名）"
        raise DocreviewError(E_UNSUPPORTED, where, f"不支持的文件类型 {shown}，请提供 .docx、.txt 或 .md 文件")
    return suffix


def read_bytes(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> SourceDoc:
    """Read a draft from bytes; ``name`` (the path as given) chooses text vs. Word and names errors."""
    where = name
    if len(data) > limits.max_file_bytes:
        raise DocreviewError(
            E_TOO_LARGE, where,
            f"文件大小 {len(data) // (1024 * 1024)} MB 超过上限 {limits.max_file_bytes // (1024 * 1024)} MB",
        )
    suffix = _check_suffix(name, where)
    sha = hashlib.sha256(data).hexdigest()
    if data.startswith(_OLE_MAGIC):
        _refuse_ole(data, where, suffix)
    if data.startswith(_ZIP_MAGICS):
        from docreview.ingest.docx import read_docx_bytes

        blocks, meta = read_docx_bytes(data, where, limits)
        # the blocks already carry make_source's indexes and offsets: build the SourceDoc directly
        doc = SourceDoc(path=where, fmt="docx", blocks=tuple(blocks), sha256=sha,
                        meta=tuple(sorted(meta.items())), text="\n".join([b.text for b in blocks]))
        return _non_empty(doc)
    if suffix in DOCX_SUFFIXES:
        raise DocreviewError(E_NOT_ZIP, where, "不是有效的 .docx 文件（不是 zip 压缩包），文件可能已损坏或被改了扩展名")
    if suffix in LEGACY_SUFFIXES or data.lstrip()[:5] == b"{\\rtf":
        kind = "RTF" if data.lstrip()[:5] == b"{\\rtf" else suffix
        raise DocreviewError(E_LEGACY, where, f"不支持旧格式 {kind} 文件，{_CONVERT}")
    from docreview.ingest.text import decode_text

    text, encoding = decode_text(data, where)
    fmt = "md" if suffix in MD_SUFFIXES else "txt"
    doc = _from_text(text, where, fmt, sha, {"encoding": encoding})
    return _non_empty(doc)


def _refuse_ole(data: bytes, where: str, suffix: str) -> None:
    """An OLE compound file is never readable: encrypted OOXML (E102) or a legacy binary (E105)."""
    import olefile

    streams: set[str] = set()
    try:
        import io

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(s) for s in ole.listdir(streams=True, storages=True)}
    except Exception:  # noqa: BLE001 - a broken OLE header is still a legacy/encrypted container
        streams = set()
    lowered = {s.lower() for s in streams}
    if {"encryptioninfo", "encryptedpackage"} & lowered:
        raise DocreviewError(E_ENCRYPTED, where, "文件已加密（受密码保护），无法读取，请取消密码后另存为 .docx")
    if "worddocument" in lowered or suffix in (".doc", ".dot"):
        raise DocreviewError(E_LEGACY, where, f"这是旧版 Word 97-2003（.doc）格式，{_CONVERT}")
    raise DocreviewError(E_LEGACY, where, f"这是旧版二进制文档格式（如 WPS .wps），不是 .docx，{_CONVERT}")


def _non_empty(doc: SourceDoc) -> SourceDoc:
    if not doc.text.strip():
        raise DocreviewError(E_EMPTY, doc.path, "文档没有正文内容")
    return doc


def _from_text(text: str, name: str, fmt: str, sha: str, meta: dict[str, str]) -> SourceDoc:
    from docreview.ingest.text import clean_markdown_line, split_lines

    if text.startswith("\ufeff"):
        text = text[1:]
    lines = split_lines(text)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    if fmt == "md":
        lines = [clean_markdown_line(line) for line in lines]
    return make_source(name, fmt, [(line, {}) for line in lines], sha256=sha, meta=meta)


def from_text(text: str, name: str = "<text>") -> SourceDoc:
    """Plain text → SourceDoc with one block per line (no file, no checks; empty text allowed)."""
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _from_text(text, name, "txt", sha, {})
