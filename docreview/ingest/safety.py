"""Safety limits and hardened readers for untrusted input (zip containers and XML parts).

Every refusal is a ``DocreviewError`` with one Chinese line; nothing here inflates or parses more
than the limits allow, and zip directory sizes are checked *before* inflating anything.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from docreview.errors import (
    E_CORRUPT,
    E_ENCRYPTED,
    E_XML_INVALID,
    E_XML_UNSAFE,
    E_ZIP_BOMB,
    DocreviewError,
)

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits for one input file.

    Defaults (``DEFAULT_LIMITS``):

    - ``max_file_bytes`` 50 MB: size of the file on disk (E109). Real drafts are well under 5 MB.
    - ``max_members`` 2000: number of entries in a .docx zip directory (E107).
    - ``max_total_bytes`` 200 MB: sum of the uncompressed sizes of all entries, as declared and as
      actually inflated (E107).
    - ``max_ratio`` 200: uncompressed/compressed size of any entry larger than ``ratio_floor``
      (1 MB) (E107). Ordinary XML compresses 5–20x; bombs compress 1000x.
    - ``max_part_bytes`` 64 MB: uncompressed size of one XML part we parse (E107).
    """

    max_file_bytes: int = 50 * MB
    max_members: int = 2000
    max_total_bytes: int = 200 * MB
    max_ratio: float = 200.0
    ratio_floor: int = 1 * MB
    max_part_bytes: int = 64 * MB


DEFAULT_LIMITS = Limits()

_CHUNK = 64 * 1024


def _eocd_entries(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record, read before zipfile parses anything."""
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if pos < 0 or pos + 22 > len(data):
        return None
    (total,) = struct.unpack("<H", data[pos + 10: pos + 12])
    return None if total == 0xFFFF else total


class SafeZip:
    """A zip archive whose directory passed the limits; members are read with a streaming cap."""

    def __init__(self, data: bytes, where: str, limits: Limits = DEFAULT_LIMITS) -> None:
        self.where = where
        self.limits = limits
        self._data = data
        declared = _eocd_entries(data)
        if declared is not None and declared > limits.max_members:
            raise DocreviewError(
                E_ZIP_BOMB, where, f"压缩包内文件数 {declared} 超过上限 {limits.max_members}，拒绝解压"
            )
        try:
            self._zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
            raise DocreviewError(E_CORRUPT, where, f"压缩包已损坏或不完整，无法打开（{exc}）") from None
        if len(infos) > limits.max_members:
            raise DocreviewError(
                E_ZIP_BOMB, where, f"压缩包内文件数 {len(infos)} 超过上限 {limits.max_members}，拒绝解压"
            )
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > limits.ratio_floor and (
                info.compress_size == 0 or info.file_size / info.compress_size > limits.max_ratio
            ):
                raise DocreviewError(
                    E_ZIP_BOMB, where, f"压缩包内 {info.filename} 压缩比异常（疑似压缩炸弹），拒绝解压"
                )
        if total > limits.max_total_bytes:
            raise DocreviewError(
                E_ZIP_BOMB, where,
                f"解压后总大小 {total // MB} MB 超过上限 {limits.max_total_bytes // MB} MB，拒绝解压",
            )
        self._infos = {i.filename: i for i in infos}
        self._inflated = 0

    def names(self) -> list[str]:
        return list(self._infos)

    def has(self, name: str) -> bool:
        return name in self._infos

    def read(self, name: str) -> bytes:
        """Inflate one member, stopping as soon as it exceeds the part or total limit."""
        info = self._infos[name]
        if info.flag_bits & 0x1:
            raise DocreviewError(E_ENCRYPTED, self.where, "文件已加密，无法读取")
        lim = self.limits
        if info.file_size > lim.max_part_bytes:
            raise DocreviewError(
                E_ZIP_BOMB, self.where, f"{name} 解压后 {info.file_size // MB} MB，超过单个部件上限，拒绝解压"
            )
        cap = min(lim.max_part_bytes, lim.max_total_bytes - self._inflated)
        if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            out = self._inflate(info, cap)
        else:
            out = self._read_other(info, cap)
        self._inflated += len(out)
        return bytes(out)

    def _too_big(self, name: str) -> DocreviewError:
        return DocreviewError(E_ZIP_BOMB, self.where, f"{name} 实际解压大小超过上限（目录信息不实，疑似压缩炸弹），拒绝解压")

    def _corrupt(self, name: str, why: str) -> DocreviewError:
        return DocreviewError(E_CORRUPT, self.where, f"压缩包内 {name} 已损坏（{why}）")

    def _inflate(self, info: zipfile.ZipInfo, cap: int) -> bytes:
        """Inflate a stored/deflated member ourselves in bounded steps; the directory may lie."""
        name = info.filename
        off = info.header_offset
        head = self._data[off:off + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise self._corrupt(name, "本地文件头缺失")
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        start = off + 30 + name_len + extra_len
        raw = self._data[start:start + info.compress_size]
        if len(raw) < info.compress_size:
            raise self._corrupt(name, "数据被截断")
        limit = min(cap, info.file_size)
        if info.compress_type == zipfile.ZIP_STORED:
            out = raw
        else:
            dec = zlib.decompressobj(-15)
            parts: list[bytes] = []
            size = 0
            buf = raw
            try:
                while buf and not dec.eof:
                    chunk = dec.decompress(buf, _CHUNK)
                    buf = dec.unconsumed_tail
                    size += len(chunk)
                    if size > limit:
                        raise self._too_big(name)
                    parts.append(chunk)
                    if not chunk and not buf:
                        break
                tail = dec.flush(limit - size + 1)
            except zlib.error as exc:
                raise self._corrupt(name, str(exc)) from None
            size += len(tail)
            if size > limit:
                raise self._too_big(name)
            parts.append(tail)
            out = b"".join(parts)
        if len(out) > cap:
            raise self._too_big(name)
        if len(out) != info.file_size or (zlib.crc32(out) & 0xFFFFFFFF) != info.CRC:
            raise self._corrupt(name, "数据校验失败")
        return out

    def _read_other(self, info: zipfile.ZipInfo, cap: int) -> bytes:
        out = bytearray()
        try:
            with self._zf.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    out += chunk
                    if len(out) > cap:
                        raise self._too_big(info.filename)
        except DocreviewError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise self._corrupt(info.filename, str(exc)) from None
        return bytes(out)


_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_DTD_MARKERS_16 = tuple(m.decode().encode(enc) for m in _DTD_MARKERS for enc in ("utf-16-le", "utf-16-be"))
_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_xml(data: bytes, where: str, part: str):
    """Parse one XML part with a hardened lxml parser; refuse any DTD/entity declaration (E108)."""
    from lxml import etree

    # every marker contains the byte "!" (0x21, also in UTF-16): a part without one needs no search
    if b"!" in data and (_DTD_RE.search(data) or any(m in data for m in _DTD_MARKERS_16)):
        raise DocreviewError(E_XML_UNSAFE, where, f"{part} 含有 DOCTYPE/实体声明（可能是实体扩展攻击），拒绝解析")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
        dtd_validation=False, remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise DocreviewError(E_XML_INVALID, where, f"{part} 不是格式正确的 XML（{exc}）") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise DocreviewError(E_XML_UNSAFE, where, f"{part} 含有 DOCTYPE 声明，拒绝解析")
    return root
