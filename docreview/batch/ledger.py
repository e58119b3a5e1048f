"""The office's register of documents (台账): CSV (UTF-8, UTF-8 with BOM, GBK) or .xlsx.

Documented columns (header names tolerate spaces and a few common aliases; unknown columns are ignored):

    文件 文号 标题 制定机关 公布日期 报送备案日期 施行日期 有效期至

At least one join column (文件 or 文号) is required, otherwise E403. A cell that is not a valid date
flags that row with the reason (``LedgerRow.problems``) and the batch goes on without that date.
Rows are joined to archive files by file name (with or without extension, or relative path) first, then
by 文号 (normalised: brackets 〔〕, full-width digits, spaces).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from docreview.errors import E_LEDGER, DocreviewError

COLUMNS: dict[str, str] = {
    "文件": "file", "文号": "doc_number", "标题": "title", "制定机关": "issuer",
    "公布日期": "published", "报送备案日期": "filed", "施行日期": "effective", "有效期至": "expires",
}
ALIASES: dict[str, str] = {
    "文件名": "文件", "文件名称": "文件", "文件路径": "文件", "发文字号": "文号", "文件编号": "文号",
    "文件标题": "标题", "名称": "标题", "发文机关": "制定机关", "制发机关": "制定机关", "发布日期": "公布日期",
    "印发日期": "公布日期", "备案日期": "报送备案日期", "报备日期": "报送备案日期", "生效日期": "施行日期",
    "有效期": "有效期至", "有效期截止": "有效期至", "失效日期": "有效期至",
}
DATE_FIELDS = ("published", "filed", "effective", "expires")
_SPACE_RE = re.compile(r"[\s\u3000\ufeff]+")
_WEEKDAY_RE = re.compile(r"\s*[（(]?\s*(?:星期|周|礼拜)[一二三四五六日天]\s*[)）]?\s*$")


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One 台账 row. ``row`` is the 1-based row number as a spreadsheet shows it (header = 1)."""

    row: int
    file: str = ""
    doc_number: str = ""
    title: str = ""
    issuer: str = ""
    published: date | None = None
    filed: date | None = None
    effective: date | None = None
    expires: date | None = None
    problems: tuple[str, ...] = ()

    def dates_dict(self) -> dict[str, str | None]:
        return {k: (getattr(self, k).isoformat() if getattr(self, k) else None) for k in DATE_FIELDS}


@dataclass(frozen=True, slots=True)
class Ledger:
    path: str
    rows: tuple[LedgerRow, ...] = ()
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Join:
    """Result of matching archive files to ledger rows."""

    by_path: dict[str, LedgerRow] = field(default_factory=dict)  # archive rel path -> row
    how: dict[str, str] = field(default_factory=dict)  # rel path -> "文件" | "文号"
    unmatched_rows: tuple[LedgerRow, ...] = ()
    unmatched_files: tuple[str, ...] = ()


def norm_header(h: object) -> str:
    s = _SPACE_RE.sub("", unicodedata.normalize("NFKC", str(h or ""))).strip("*：:")
    return ALIASES.get(s, s)


def norm_number(s: str) -> str:
    """Normalise a 文号 for comparison: NFKC, no spaces, any bracket pair around the year → 〔〕."""
    t = _SPACE_RE.sub("", unicodedata.normalize("NFKC", s or ""))
    t = re.sub(r"[\[【〔（(［]\s*((?:19|20)\d{2})\s*[\]】〕）)］]", r"〔\1〕", t)
    return t


def norm_name(s: str) -> str:
    t = unicodedata.normalize("NFKC", (s or "").strip()).replace("\\", "/")
    return _SPACE_RE.sub("", t).lower()


def _cell_date(value: object, col: str) -> tuple[date | None, str | None]:
    from docreview.dates import parse_date

    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    shown = str(value).strip()
    if isinstance(value, str):  # what offices type into spreadsheets around the date itself
        value = _WEEKDAY_RE.sub("", value.strip().lstrip("'‘")).rstrip("。.")
    try:
        return parse_date(value), None
    except DocreviewError as err:
        return None, f"{col}“{shown}”：{err.message}"
    except (ValueError, OverflowError, TypeError):
        return None, f"{col}“{shown}”：无法识别的日期"


def _read_csv_text(path: Path) -> str:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise DocreviewError(E_LEDGER, path.name, "无法识别台账文件的文本编码")
    return str(best)


def _rows_csv(path: Path) -> list[list[object]]:
    text = _read_csv_text(path)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


def _rows_xlsx(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise DocreviewError(E_LEDGER, path.name, f"无法打开台账 Excel 文件：{type(exc).__name__}") from None
    try:
        ws = wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_ledger(path: str | Path) -> Ledger:
    """Read a 台账 file. Raises DocreviewError(E403) for a missing/unreadable file or missing columns."""
    p = Path(path)
    if not p.is_file():
        raise DocreviewError(E_LEDGER, str(p), "台账文件不存在")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _rows_xlsx(p)
    elif suffix in (".csv", ".txt", ".tsv"):
        rows = _rows_csv(p)
    else:
        raise DocreviewError(E_LEDGER, p.name, "台账应为 .xlsx 或 .csv 文件")
    # header: the first row that names at least one documented column
    header_i = next(
        (i for i, r in enumerate(rows[:20]) if any(norm_header(c) in COLUMNS for c in r if c is not None)),
        None,
    )
    if header_i is None:
        raise DocreviewError(
            E_LEDGER, p.name, f"找不到表头（应包含列：{'、'.join(COLUMNS)}）",
        )
    header = [norm_header(c) for c in rows[header_i]]
    cols = {name: i for i, name in reversed(list(enumerate(header))) if name in COLUMNS}
    if "文件" not in cols and "文号" not in cols:
        raise DocreviewError(E_LEDGER, p.name, "缺少必需的列：文件 或 文号（至少一列，用于与文件对应）")
    out: list[LedgerRow] = []
    for i, r in enumerate(rows[header_i + 1:], start=header_i + 2):
        if all(c is None or not str(c).strip() for c in r):
            continue
        vals: dict[str, object] = {}
        problems: list[str] = []
        for col, idx in cols.items():
            cell = r[idx] if idx < len(r) else None
            key = COLUMNS[col]
            if key in DATE_FIELDS:
                d, problem = _cell_date(cell, col)
                vals[key] = d
                if problem:
                    problems.append(problem)
            else:
                vals[key] = "" if cell is None else str(cell).strip()
        if not vals.get("file") and not vals.get("doc_number"):
            problems.append("文件 与 文号 均为空，无法与文件对应")
        out.append(LedgerRow(row=i, problems=tuple(problems), **vals))  # type: ignore[arg-type]
    return Ledger(path=str(p), rows=tuple(out), columns=tuple(cols))


def _name_keys(rel: str) -> list[str]:
    pp = PurePosixPath(rel.replace("\\", "/"))
    return [norm_name(rel), norm_name(pp.name), norm_name(pp.stem)]


def join_by_name(files: list[str], ledger: Ledger | None) -> tuple[dict[str, LedgerRow], list[LedgerRow]]:
    """Match archive files (relative POSIX paths) to rows by 文件 column. Returns (matches, rows left)."""
    if ledger is None:
        return {}, []
    index: dict[str, list[str]] = {}
    for f in files:
        for k in dict.fromkeys(_name_keys(f)):
            index.setdefault(k, []).append(f)
    matched: dict[str, LedgerRow] = {}
    left: list[LedgerRow] = []
    for row in ledger.rows:
        hit = None
        if row.file:
            for k in _name_keys(row.file):
                cands = [f for f in index.get(k, []) if f not in matched]
                if len(cands) >= 1:
                    hit = cands[0]
                    break
        if hit is None:
            left.append(row)
        else:
            matched[hit] = row
    return matched, left


def number_index(rows: list[LedgerRow]) -> dict[str, LedgerRow]:
    """Rows still unmatched, keyed by normalised 文号 (first row wins)."""
    out: dict[str, LedgerRow] = {}
    for r in rows:
        if r.doc_number:
            out.setdefault(norm_number(r.doc_number), r)
    return out
