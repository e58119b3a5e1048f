"""Annotated copy of the draft: one Word comment (批注) per finding, on exactly the matched words.

How a finding finds its runs: document offsets ``[start, end)`` -> the SourceDoc blocks they overlap ->
``Block.runs`` (RunSpan: block-text offsets -> run number) -> the XML ``w:r`` elements, numbered by
``docreview.ingest.docx.iter_body_runs`` on the python-docx document. A run that the match starts or
ends inside is SPLIT at that character (the new run gets a copy of ``w:rPr`` and the run's attributes
and stays in the same parent, so a run inside ``w:ins``/``w:hyperlink`` is split into two runs inside
the same wrapper). All splits happen before any comment is added, so run numbers stay valid.

Findings without runs to anchor on (document-level findings such as 未规定有效期, or a span that only
covers automatic-numbering label characters, which have no runs) are NOT skipped: the comment is
anchored on the first run of the nearest block that has runs (the block containing ``start``, else the
next one after it, else the previous one). So the number of comments always equals the number of
findings unless the document has no runs at all.

Everything else is preserved: text, formatting, existing comments, tracked changes. The source file is
only read; the copy goes to ``out_path`` (refused with E303 when it is the source itself).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docreview.errors import E_OUTPUT, E_USAGE, DocreviewError
from docreview.model import SEVERITY_ZH, Finding, SourceDoc

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RPR = f"{{{W_NS}}}rPr"
_T = f"{{{W_NS}}}t"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@dataclass(frozen=True, slots=True)
class Anchor:
    """Character ``lo`` of run ``first`` to character ``hi`` (exclusive) of run ``last`` (run numbers)."""

    first: int
    lo: int
    last: int
    hi: int
    exact: bool  # False for the fallback anchor (whole first run of the nearest block)


def comment_text(f: Finding) -> str:
    """Comment body: rule title, problem, basis (law + article), suggestion — one line each."""
    from docreview.opinion import basis_text

    lines = [f"【{SEVERITY_ZH.get(f.severity, f.severity)}】{f.title}（{f.rule_id}）"]
    if f.message:
        lines.append(f"问题：{f.message}")
    basis = basis_text(f)
    if basis:
        lines.append(f"依据：{basis}")
    if f.suggestion:
        lines.append(f"建议：{f.suggestion}")
    return "\n".join(lines)


def _fallback(source: SourceDoc, pos: int, lengths: Sequence[int]) -> Anchor | None:
    """Whole first run of the block nearest ``pos`` that has a run with text."""
    blocks = source.blocks
    if not blocks:
        return None
    here = source.block_at(pos)
    i = here.index if here is not None else max(0, min(len(blocks) - 1, _block_before(source, pos)))
    order = list(range(i, len(blocks))) + list(range(i - 1, -1, -1))
    for j in order:
        for rs in blocks[j].runs:
            if rs.end > rs.start and rs.run < len(lengths):
                return Anchor(rs.run, 0, rs.run, lengths[rs.run], exact=False)
    return None


def _block_before(source: SourceDoc, pos: int) -> int:
    idx = 0
    for b in source.blocks:
        if b.offset <= pos:
            idx = b.index
    return idx


def find_anchor(f: Finding, source: SourceDoc, lengths: Sequence[int]) -> Anchor | None:
    """Where the comment for ``f`` goes (run numbers + in-run character offsets)."""
    pieces: list[tuple[int, int, int]] = []  # (run, lo, hi) in document order
    if f.end > f.start:
        for b in source.blocks:
            if b.end <= f.start or b.offset >= f.end:
                continue
            s, e = f.start - b.offset, f.end - b.offset
            inner = 0
            seen: dict[int, int] = {}
            for rs in b.runs:
                inner = seen.get(rs.run, 0)
                seen[rs.run] = inner + (rs.end - rs.start)
                lo, hi = max(s, rs.start), min(e, rs.end)
                if lo < hi:
                    pieces.append((rs.run, inner + lo - rs.start, inner + hi - rs.start))
    pieces = [p for p in pieces if p[0] < len(lengths)]
    if not pieces:
        return _fallback(source, f.start, lengths)
    (first, lo, _), (last, _, hi) = pieces[0], pieces[-1]
    return Anchor(first, lo, last, hi, exact=True)


def _child_lengths(r, run_text) -> list[int]:
    """Characters each child of run ``r`` contributes (per ``run_text``, so offsets agree with ingest)."""
    out = []
    for child in r:
        if child.tag == _RPR:
            out.append(0)
            continue
        probe = r.makeelement(r.tag, {})
        probe.append(copy.deepcopy(child))
        out.append(len(run_text(probe)))
    return out


def split_run(r, at: int, run_text):
    """Split run ``r`` before character ``at``; return the new right-hand run (already in the tree).

    The left part stays in ``r``. A ``w:t`` that straddles ``at`` is cut in two; both halves keep
    ``xml:space="preserve"``. The new run copies ``r``'s attributes and ``w:rPr``.
    """
    lengths = _child_lengths(r, run_text)
    right = r.makeelement(r.tag, dict(r.attrib))
    rpr = r.find(_RPR)
    if rpr is not None:
        right.append(copy.deepcopy(rpr))
    pos = 0
    move = []
    for child, n in zip(list(r), lengths, strict=True):
        if child.tag == _RPR:
            continue
        if pos >= at:
            move.append(child)
        elif child.tag == _T and pos < at < pos + n:
            cut = at - pos
            text = child.text or ""
            tail_t = child.makeelement(_T, {})
            tail_t.text = text[cut:]
            tail_t.set(_XML_SPACE, "preserve")
            child.text = text[:cut]
            child.set(_XML_SPACE, "preserve")
            move.append(tail_t)
        pos += n
    for child in move:
        right.append(child)  # moves the element out of r
    r.addnext(right)
    return right


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and a.samefile(b))
    except OSError:
        return False


def write_annotated(
    src_path: Path,
    findings: Sequence[Finding],
    source: SourceDoc,
    out_path: Path,
    author: str = "docreview",
) -> int:
    """Copy the draft at ``src_path`` to ``out_path`` with one comment per finding; return comments written.

    ``source`` must be what ingest read from this very file (checked by sha256 when it has one).
    Errors: E301 when the draft is not a .docx; E303 when ``out_path`` is the draft itself, the draft
    changed since it was read, or a file cannot be read/written.
    """
    from docx import Document
    from docx.text.run import Run

    from docreview.ingest.docx import iter_body_runs, run_text

    src_path, out_path = Path(src_path), Path(out_path)
    if source.fmt != "docx":
        raise DocreviewError(E_USAGE, str(src_path), "只有 .docx 送审稿才能生成批注副本")
    if _same_file(src_path, out_path):
        raise DocreviewError(E_OUTPUT, str(out_path), "批注副本不能覆盖送审稿原文件，请指定新的输出路径")
    try:
        data = src_path.read_bytes()
    except OSError as exc:
        raise DocreviewError(E_OUTPUT, str(src_path), f"无法读取送审稿：{exc.strerror or exc}") from None
    if source.sha256 and hashlib.sha256(data).hexdigest() != source.sha256:
        raise DocreviewError(E_OUTPUT, str(src_path), "送审稿在审核后已被修改，请重新审核后再生成批注副本")

    import io

    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises assorted errors on odd packages (e.g. .docm types)
        raise DocreviewError(E_OUTPUT, str(src_path), f"无法以 Word 文档方式打开送审稿：{exc}") from None
    runs = list(iter_body_runs(doc.element.body))
    lengths = [len(run_text(r)) for r in runs]

    anchors = [find_anchor(f, source, lengths) for f in findings]
    # split points per run, then split every run once, right to left, keeping (start, end, element)
    cuts: dict[int, set[int]] = {}
    for a in anchors:
        if a is None:
            continue
        if 0 < a.lo < lengths[a.first]:
            cuts.setdefault(a.first, set()).add(a.lo)
        if 0 < a.hi < lengths[a.last]:
            cuts.setdefault(a.last, set()).add(a.hi)
    pieces: dict[int, list[tuple[int, int, object]]] = {}
    for idx, points in cuts.items():
        r = runs[idx]
        parts: list[tuple[int, int, object]] = []
        end = lengths[idx]
        for p in sorted(points, reverse=True):
            right = split_run(r, p, run_text)
            parts.append((p, end, right))
            end = p
        parts.append((0, end, r))
        pieces[idx] = parts[::-1]

    def element(idx: int, pos: int, *, start: bool):
        """The run element that starts (or ends) at character ``pos`` of original run ``idx``."""
        for s, e, el in pieces.get(idx, [(0, lengths[idx], runs[idx])]):
            if (start and s == pos) or (not start and e == pos):
                return el
        raise AssertionError(f"no run piece at {pos} of run {idx}")  # pragma: no cover - cut above

    written = 0
    for f, a in zip(findings, anchors, strict=True):
        if a is None:
            continue
        first = element(a.first, a.lo, start=True)
        last = element(a.last, a.hi, start=False)
        doc.add_comment([Run(first, doc), Run(last, doc)], text=comment_text(f), author=author,
                        initials="DR")
        written += 1
    try:
        doc.save(str(out_path))
    except OSError as exc:
        raise DocreviewError(E_OUTPUT, str(out_path), f"无法写出批注副本：{exc.strerror or exc}") from None
    return written
