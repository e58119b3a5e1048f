"""Baselines: record today's findings so ``check --baseline`` reports only new ones.

Entries are keyed by the finding fingerprint (rule id + normalised quote, never the position), so
inserting or renumbering articles does not resurrect known findings. Each entry carries a ``reason``.
Matching is a multiset: two identical known findings suppress at most two current ones.

File format (JSON)::

    {"version": 1, "tool": "docreview", "created": "2026-11-25T17:00:00+00:00",
     "entries": [{"fingerprint", "rule_id", "path", "label", "quote", "reason"}]}
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from docreview.errors import E_BASELINE, DocreviewError
from docreview.model import DocumentResult, Finding

BASELINE_VERSION = 1
DEFAULT_REASON = "既有问题，待清理"


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    fingerprint: str
    rule_id: str = ""
    path: str = ""
    label: str = ""
    quote: str = ""
    reason: str = DEFAULT_REASON


@dataclass(frozen=True, slots=True)
class Baseline:
    entries: tuple[BaselineEntry, ...] = ()
    source: str = ""

    def counts(self, path: str | None = None) -> Counter[str]:
        """Fingerprint multiplicities; with ``path``, only entries for that file (or with no path)."""
        if path is None:
            return Counter(e.fingerprint for e in self.entries)
        key = norm_path(path)
        return Counter(e.fingerprint for e in self.entries if not e.path or norm_path(e.path) == key)


def norm_path(path: str) -> str:
    """A path as recorded in baselines: POSIX, relative to the current directory when below it."""
    from docreview.report.machine import rel_path

    return rel_path(path) if path else ""


def normalise_quote(quote: str) -> str:
    """NFKC (full-/half-width), no whitespace: the quote as the fingerprint sees it."""
    return "".join(unicodedata.normalize("NFKC", quote).split())


def compute_fingerprint(rule_id: str, quote: str) -> str:
    """Position-free fingerprint ``rule + normalised quote`` (used when a finding has none)."""
    h = hashlib.sha256(f"{rule_id}\x1f{normalise_quote(quote)}".encode()).hexdigest()
    return h[:32]


def fingerprint_of(f: Finding) -> str:
    return f.fingerprint or compute_fingerprint(f.rule_id, f.quote)


def create_baseline(results: Iterable[DocumentResult], reason: str = DEFAULT_REASON) -> dict:
    """The baseline document (JSON-ready dict) recording every current finding."""
    entries = []
    for r in results:
        for f in sorted(r.findings, key=lambda x: (x.start, x.rule_id)):
            entries.append({
                "fingerprint": fingerprint_of(f),
                "rule_id": f.rule_id,
                "path": norm_path(r.path),
                "label": f.location.label,
                "quote": f.quote,
                "reason": reason or DEFAULT_REASON,
            })
    return {
        "version": BASELINE_VERSION,
        "tool": "docreview",
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "entries": entries,
    }


def write_baseline(data: dict, path: str | Path) -> None:
    """Write a baseline dict as UTF-8 JSON (E303 on failure)."""
    from docreview.errors import E_OUTPUT

    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise DocreviewError(E_OUTPUT, str(p), f"无法写出基线文件：{exc.strerror}") from None


def parse_baseline(data: object, source: str = "") -> Baseline:
    """Validate a loaded baseline document (E302 on any problem)."""
    def bad(msg: str) -> DocreviewError:
        return DocreviewError(E_BASELINE, source, msg)

    if not isinstance(data, dict):
        raise bad("基线文件应为 JSON 对象")
    ver = data.get("version")
    if ver != BASELINE_VERSION:
        raise bad(f"不支持的基线版本 {ver!r}（应为 {BASELINE_VERSION}）")
    raw = data.get("entries")
    if not isinstance(raw, list):
        raise bad("缺少 entries 列表")
    entries = []
    for i, e in enumerate(raw, 1):
        if not isinstance(e, dict):
            raise bad(f"第 {i} 条记录不是对象")
        fp = e.get("fingerprint")
        if not isinstance(fp, str) or not fp:
            raise bad(f"第 {i} 条记录缺少 fingerprint")
        fields = {}
        for k in ("rule_id", "path", "label", "quote", "reason"):
            v = e.get(k, "")
            if v is None:
                v = ""
            if not isinstance(v, str):
                raise bad(f"第 {i} 条记录的 {k} 应为字符串")
            fields[k] = v
        entries.append(BaselineEntry(fingerprint=fp, **{**fields, "reason": fields["reason"] or DEFAULT_REASON}))
    return Baseline(entries=tuple(entries), source=source)


def load_baseline(path: str | Path) -> Baseline:
    """Read and validate a baseline file; any problem raises E302 with one Chinese line."""
    p = Path(path)
    if not p.exists():
        raise DocreviewError(E_BASELINE, str(p), "基线文件不存在")
    if p.is_dir():
        raise DocreviewError(E_BASELINE, str(p), "是目录，不是基线文件")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DocreviewError(E_BASELINE, str(p), "基线文件不是 UTF-8 编码") from None
    except OSError as exc:
        raise DocreviewError(E_BASELINE, str(p), f"无法读取基线文件：{exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocreviewError(E_BASELINE, str(p), f"不是有效的 JSON（第 {exc.lineno} 行）") from None
    return parse_baseline(data, str(p))


def apply_baseline(
    findings: Iterable[Finding], baseline: Baseline, path: str | None = None
) -> tuple[list[Finding], int]:
    """Split findings into (kept, suppressed count). Pass ``path`` to match only that file's entries."""
    budget = baseline.counts(path)
    kept: list[Finding] = []
    suppressed = 0
    for f in findings:
        fp = fingerprint_of(f)
        if budget[fp] > 0:
            budget[fp] -= 1
            suppressed += 1
        else:
            kept.append(f)
    return kept, suppressed


def run_baseline_create(
    paths: list[Path],
    output: Path,
    reason: str = DEFAULT_REASON,
    config: Path | None = None,
    rules: list[Path] | tuple[Path, ...] = (),
    kind: str | None = None,
) -> tuple[int, int]:
    """Check ``paths`` and write their findings as a baseline to ``output``: (entries, files).

    Any unreadable input aborts with its coded error and nothing is written, so a baseline is
    never silently incomplete.
    """
    from docreview.app import expand_inputs
    from docreview.config import load_config
    from docreview.errors import E_OUTPUT, E_USAGE
    from docreview.pipeline import Checker

    cfg = load_config(config)
    if kind is not None and kind not in ("normative", "rule"):
        raise DocreviewError(E_USAGE, "--kind", "取值应为 normative（行政规范性文件）或 rule（政府规章）")
    files = expand_inputs(paths)
    if not files:
        raise DocreviewError(E_USAGE, ", ".join(map(str, paths)), "没有找到可审核的文件（.docx/.txt/.md）")
    out = Path(output)
    if any(out.resolve() == f.resolve() for f in files):
        raise DocreviewError(E_OUTPUT, str(out), "基线文件不能覆盖送审稿本身")
    checker = Checker(cfg, extra_rules=[str(r) for r in rules], kind=kind)
    results = [checker.check_path(f) for f in files]
    data = create_baseline(results, reason)
    write_baseline(data, out)
    return len(data["entries"]), len(results)
