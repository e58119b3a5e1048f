"""A small streaming .xlsx writer for the batch report: text, numbers and dates, a bold frozen header
row, column widths, wrapped-text columns.

Written for speed and bounded memory on archives of 100,000 documents (millions of cells): each sheet's
rows go to an anonymous temporary file in ``tmpdir`` as they come; strings of columns marked *shared*
(values that repeat: messages, legal basis, categories) go to the shared-string table, which is capped
(``SHARED_BUDGET``), everything else is written inline. The parts follow what openpyxl and XlsxWriter
write (Office default theme included, so fonts look the same); openpyxl reads the result back.
Measured on the report's ~400 cells per document: ~0.3 ms per document here, ~2.3 ms with XlsxWriter's
constant-memory mode (inline strings only), ~5 ms with openpyxl's write-only mode (+0.1 s import).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import IO, Any

MAX_CELL = 32767  # Excel's limit on characters in a cell
SHARED_MAX_LEN = 2000  # longer strings are written inline
SHARED_BUDGET = 8_000_000  # characters (+64 per entry) the shared-string table may hold; then inline
_FLUSH = 1 << 18  # characters of row XML buffered before a write to the sheet's temporary file

# characters XML 1.0 cannot carry: dropped from cell text
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EPOCH = datetime(1899, 12, 30)
STYLE_BOLD, STYLE_DATE, STYLE_WRAP = 1, 2, 3  # indexes into cellXfs below

_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"

_FONT = '<sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/>'
_STYLES = (
    f'{_DECL}<styleSheet xmlns="{_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    f'<fonts count="2"><font>{_FONT}</font><font><b/>{_FONT}</font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
)


def cell_text(v: str) -> str:
    """``v`` without the characters XML cannot carry, cut to Excel's cell limit."""
    return _ILLEGAL.sub("", v)[:MAX_CELL]


def _xml_text(v: str) -> str:
    """Escaped character data for a ``<t>`` element (``v`` already cleaned)."""
    if "&" in v:
        v = v.replace("&", "&amp;")
    if "<" in v:
        v = v.replace("<", "&lt;")
    if ">" in v:
        v = v.replace(">", "&gt;")
    if "\r" in v:
        v = v.replace("\r", "&#13;")  # a literal CR would be read back as LF
    return v


def _t(v: str) -> str:
    """A ``<t>`` element for cleaned text ``v``."""
    if v != v.strip():
        return f'<t xml:space="preserve">{_xml_text(v)}</t>'
    return f"<t>{_xml_text(v)}</t>"


def column_letter(i: int) -> str:
    """1 → A, 27 → AA."""
    s = ""
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _serial(v: date) -> str:
    """Excel's serial day number (1900 date system), with the time as a fraction for datetimes."""
    dt = v if isinstance(v, datetime) else datetime(v.year, v.month, v.day)
    delta = dt.replace(tzinfo=None) - _EPOCH
    days = delta.days - (1 if 0 < delta.days <= 60 else 0)  # Excel's phantom 1900-02-29
    return repr(days + delta.seconds / 86400) if delta.seconds else str(days)


class Sheet:
    """One worksheet; rows are appended in order and streamed to a temporary file."""

    def __init__(self, book: StreamingWorkbook, title: str, headers: Sequence[str], widths: Sequence[float],
                 wrap: Sequence[int], shared: Sequence[int], selected: bool) -> None:
        self.title = title
        self.rows = 0
        self.shared_refs = 0  # cells referring to the shared-string table
        self._book = book
        # unnamed (O_TMPFILE): nothing is left behind, even after kill -9; closed by close()
        self._fh: IO[bytes] = tempfile.TemporaryFile(dir=book.tmpdir)  # noqa: SIM115
        self._buf: list[str] = []
        self._size = 0
        n = len(headers)
        self._refs = [column_letter(i) for i in range(1, n + 1)]
        self._style = [f' s="{STYLE_WRAP}"' if i in wrap else "" for i in range(n)]
        self._shared = [i in shared for i in range(n)]
        self._last: list[tuple[str, str]] = [("", "")] * n  # per column: last inline text and its XML
        cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                       for i, w in enumerate(widths, start=1))
        tab = ' tabSelected="1"' if selected else ""
        self._write(
            f'{_DECL}<worksheet xmlns="{_NS}" xmlns:r="{_REL}"><sheetViews><sheetView{tab} workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
        )
        self.rows = 1
        head = "".join(f'<c r="{ref}1" s="{STYLE_BOLD}" t="inlineStr"><is>{_t(cell_text(h))}</is></c>'
                       for ref, h in zip(self._refs, headers, strict=True))
        self._write(f'<row r="1">{head}</row>')

    def _write(self, s: str) -> None:
        self._buf.append(s)
        self._size += len(s)
        if self._size > _FLUSH:
            self._flush()

    def _flush(self) -> None:
        self._fh.write("".join(self._buf).encode("utf-8"))
        self._buf.clear()
        self._size = 0

    def append(self, values: Sequence[Any]) -> None:
        """One row. None and "" leave the cell empty; str, int, float, bool and date are written as such
        (dates with the yyyy-mm-dd format); anything else as its str()."""
        self.rows += 1
        r = self.rows
        out = [f'<row r="{r}">']
        index = self._book.index
        for i, v in enumerate(values):
            if v is None or v == "":
                continue
            if type(v) is not str:
                if isinstance(v, bool):
                    out.append(f'<c r="{self._refs[i]}{r}" t="b"><v>{int(v)}</v></c>')
                    continue
                if isinstance(v, int | float):
                    out.append(f'<c r="{self._refs[i]}{r}"><v>{v!r}</v></c>')
                    continue
                if isinstance(v, date):
                    out.append(f'<c r="{self._refs[i]}{r}" s="{STYLE_DATE}"><v>{_serial(v)}</v></c>')
                    continue
                v = str(v)
            if self._shared[i]:
                k = index.get(v)
                if k is None:
                    k = self._book.share(v)
                if k is not None:  # else: not shared (long text, or the table is full)
                    if k >= 0:
                        self.shared_refs += 1
                        out.append(f'<c r="{self._refs[i]}{r}"{self._style[i]} t="s"><v>{k}</v></c>')
                    continue
            last = self._last[i]
            if last[0] is v or last[0] == v:
                xml = last[1]
            else:
                text = cell_text(v)
                xml = _t(text) if text else ""
                self._last[i] = (v, xml)
            if xml:
                out.append(f'<c r="{self._refs[i]}{r}"{self._style[i]} t="inlineStr"><is>{xml}</is></c>')
        out.append("</row>")
        self._write("".join(out))

    def finish(self) -> IO[bytes]:
        """Close the XML and return the temporary file, rewound."""
        self._write('</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
                    'footer="0.5"/></worksheet>')
        self._flush()
        self._fh.seek(0)
        return self._fh

    def close(self) -> None:
        self._fh.close()


class StreamingWorkbook:
    """Sheets are added and filled in any interleaving; ``save()`` writes the package to ``path``.
    Use as a context manager: the temporary files are removed however the block ends."""

    def __init__(self, path: Path, *, tmpdir: Path, compresslevel: int = 3) -> None:
        self.path, self.tmpdir, self.compresslevel = path, tmpdir, compresslevel
        self.sheets: list[Sheet] = []
        self.index: dict[str, int] = {}  # shared string → its index (-1: empty once cleaned)
        self._strings: list[str] = []  # <si> elements
        self._budget = SHARED_BUDGET

    def __enter__(self) -> StreamingWorkbook:
        return self

    def __exit__(self, *exc: object) -> None:
        for s in self.sheets:
            s.close()

    def add_sheet(self, title: str, headers: Sequence[str], widths: Sequence[float], *,
                  wrap: Sequence[int] = (), shared: Sequence[int] = ()) -> Sheet:
        """A sheet with a bold, frozen header row; ``wrap`` and ``shared`` are 0-based column indexes."""
        sheet = Sheet(self, title, headers, widths, wrap, shared, selected=not self.sheets)
        self.sheets.append(sheet)
        return sheet

    def share(self, v: str) -> int | None:
        """Add ``v`` to the shared-string table and return its index (-1: empty once cleaned); None when
        ``v`` is long or the table is full (``v`` is then written inline)."""
        if len(v) > SHARED_MAX_LEN or len(v) + 64 > self._budget:
            return None
        self._budget -= len(v) + 64
        text = cell_text(v)
        k = len(self._strings) if text else -1
        if text:
            self._strings.append(f"<si>{_t(text)}</si>")
        self.index[v] = k
        return k

    def save(self) -> None:
        n = len(self.sheets)
        names = [f"xl/worksheets/sheet{i}.xml" for i in range(1, n + 1)]
        types = "".join(f'<Override PartName="/{p}" ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
                        for p in names)
        content_types = (
            f'{_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>{types}'
            f'<Override PartName="/xl/theme/theme1.xml" ContentType="{_CT}.theme+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            f'<Override PartName="/docProps/app.xml" ContentType="{_CT}.extended-properties+xml"/></Types>'
        )
        root_rels = (
            f'{_DECL}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        )
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        core = (
            f'{_DECL}<cp:coreProperties xmlns:cp="{_PKG_REL}/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>docreview</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>'
        )
        app = (f'{_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
               'extended-properties"><Application>docreview</Application></Properties>')
        sheets = "".join(f'<sheet name="{_xml_text(s.title)}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, s in enumerate(self.sheets, start=1))
        workbook = (
            f'{_DECL}<workbook xmlns="{_NS}" xmlns:r="{_REL}"><workbookPr/>'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f'<sheets>{sheets}</sheets><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
        )
        rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, n + 1))
        wb_rels = (
            f'{_DECL}<Relationships xmlns="{_PKG_REL}">{rels}'
            f'<Relationship Id="rId{n + 1}" Type="{_REL}/theme" Target="theme/theme1.xml"/>'
            f'<Relationship Id="rId{n + 2}" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{n + 3}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        )
        theme = (resources.files("docreview") / "data" / "xlsx_theme.xml").read_bytes()
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=self.compresslevel) as zf:
            zf.writestr("[Content_Types].xml", content_types)
            zf.writestr("_rels/.rels", root_rels)
            zf.writestr("docProps/core.xml", core)
            zf.writestr("docProps/app.xml", app)
            zf.writestr("xl/workbook.xml", workbook)
            zf.writestr("xl/_rels/workbook.xml.rels", wb_rels)
            zf.writestr("xl/theme/theme1.xml", theme)
            zf.writestr("xl/styles.xml", _STYLES)
            for name, sheet in zip(names, self.sheets, strict=True):
                fh = sheet.finish()
                size = fh.seek(0, 2)
                fh.seek(0)
                with zf.open(name, "w", force_zip64=size > zipfile.ZIP64_LIMIT // 2) as dst:
                    shutil.copyfileobj(fh, dst, 1 << 20)
                sheet.close()
            big = sum(map(len, self._strings)) * 3 > zipfile.ZIP64_LIMIT // 2
            with zf.open("xl/sharedStrings.xml", "w", force_zip64=big) as dst:
                dst.write(f'{_DECL}<sst xmlns="{_NS}" count="{sum(s.shared_refs for s in self.sheets)}" '
                          f'uniqueCount="{len(self._strings)}">'.encode())
                for i in range(0, len(self._strings), 4096):
                    dst.write("".join(self._strings[i:i + 4096]).encode("utf-8"))
                dst.write(b"</sst>")
