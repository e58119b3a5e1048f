"""Machine-readable reports for CI: json, sarif, junit, github workflow commands, markdown.

Every renderer is pure: ``render_<fmt>(report: CheckReport) -> str``. ``render(fmt, results, errors)``
is the dispatcher ``app.run_check`` calls. ``errors`` are dicts ``{"path", "code", "message"}`` for
inputs that could not be read.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from urllib.parse import quote as _urlquote

from docreview import __version__
from docreview.model import (
    CATEGORIES,
    CATEGORY_ZH,
    SEVERITY_RANK,
    SEVERITY_ZH,
    DocumentResult,
    Finding,
)

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/docreview/docreview"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
FINGERPRINT_KEY = "docreviewQuote/v1"


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What one ``check`` run produced: document results plus unreadable inputs."""

    documents: tuple[DocumentResult, ...] = ()
    errors: tuple[dict, ...] = field(default_factory=tuple)  # {"path", "code", "message"}

    @classmethod
    def of(cls, results: Iterable[DocumentResult], errors: Iterable[dict] = ()) -> CheckReport:
        return cls(tuple(results), tuple(dict(e) for e in errors))


# --------------------------------------------------------------------------- helpers


def rel_path(path: str, start: str | None = None) -> str:
    """``path`` relative to ``start`` (default: cwd) in POSIX form when it lies below it."""
    p = Path(path)
    if p.is_absolute():
        with contextlib.suppress(ValueError):
            p = p.relative_to(Path(start or os.getcwd()).resolve())
    return PurePath(p).as_posix()


def finding_label(f: Finding) -> str:
    """The citation unit of a finding: 第十二条第二款, 二、（三）, or 全文."""
    return f.location.label or "全文"


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Document order, then severity (highest first), then rule id."""
    return sorted(findings, key=lambda f: (f.start, -SEVERITY_RANK.get(f.severity, 0), f.rule_id))


def category_zh(cat: str) -> str:
    return CATEGORY_ZH.get(cat, cat)


def severity_zh(sev: str) -> str:
    return SEVERITY_ZH.get(sev, sev)


def basis_text(f: Finding) -> str:
    """《行政许可法》第十七条：“…”; several bases joined by ；."""
    parts = []
    for b in f.basis:
        law = b.law if b.law.startswith("《") else f"《{b.law}》"
        s = f"{law}{b.article}"
        if b.quote:
            s += f"：“{b.quote}”"
        parts.append(s)
    return "；".join(parts)


def category_totals(results: Iterable[DocumentResult]) -> dict[str, dict[str, int]]:
    """``{category: {"error": n, "warning": n, "info": n}}`` over all documents, known order first."""
    out: dict[str, dict[str, int]] = {}
    for r in results:
        for f in r.findings:
            row = out.setdefault(f.category, {"error": 0, "warning": 0, "info": 0})
            row[f.severity] = row.get(f.severity, 0) + 1
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return dict(sorted(out.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


# --------------------------------------------------------------------------- json


def render_json(report: CheckReport) -> str:
    """The stable JSON (version 1), shape defined by ``docreview.report.serialize``."""
    from docreview.report.serialize import report_to_dict

    data = report_to_dict(list(report.documents), [dict(e) for e in report.errors])
    data["summary"]["suppressed"] = sum(r.suppressed for r in report.documents)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- sarif


def _sarif_rule(f: Finding, severity: str) -> dict:
    """Rule metadata from a finding; ``severity`` is the rule's highest seen (guards only lower it)."""
    f = replace(f, severity=severity)
    basis = basis_text(f)
    text_lines = [f"{f.title}（{category_zh(f.category)}）"]
    md_lines = [f"**{f.title}**（{category_zh(f.category)}，{severity_zh(f.severity)}）", ""]
    if basis:
        text_lines.append(f"依据：{basis}")
        md_lines += ["依据："]
        for b in f.basis:
            law = b.law if b.law.startswith("《") else f"《{b.law}》"
            md_lines.append(f"- {law}{b.article}" + (f"：“{b.quote}”" if b.quote else ""))
        md_lines.append("")
    if f.suggestion:
        text_lines.append(f"建议：{f.suggestion}")
        md_lines.append(f"建议：{f.suggestion}")
    return {
        "id": f.rule_id,
        "name": f.rule_id,
        "shortDescription": {"text": f.title},
        "fullDescription": {"text": f"{f.title}。依据：{basis}" if basis else f.title},
        "help": {"text": "\n".join(text_lines), "markdown": "\n".join(md_lines).strip()},
        "defaultConfiguration": {"level": SARIF_LEVEL.get(f.severity, "warning")},
        "properties": {
            "category": f.category,
            "categoryName": category_zh(f.category),
            "tags": [f.category, category_zh(f.category)],
        },
    }


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, max(0, min(pos, len(text)))) + 1


def _sarif_result(f: Finding, r: DocumentResult, uri: str, rule_index: int, art_index: int) -> dict:
    label = finding_label(f)
    text = r.statute.text
    region: dict = {
        "charOffset": max(0, f.start),
        "charLength": max(0, f.end - f.start),
        "snippet": {"text": f.quote},
    }
    if text:
        region["startLine"] = _line_of(text, f.start)
        region["endLine"] = _line_of(text, max(f.start, f.end - 1))
    logical = {
        "fullyQualifiedName": label,
        "name": label,
        "kind": "member" if f.location.article is not None or "、" in label else "module",
    }
    msg = f"{label}：{f.message}" if label else f.message
    if f.suggestion:
        msg += f"（建议：{f.suggestion}）"
    return {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": SARIF_LEVEL.get(f.severity, "warning"),
        "message": {"text": msg},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri, "index": art_index},
                "region": region,
            },
            "logicalLocations": [logical],
        }],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint or f"{f.rule_id}:{f.quote}"},
        "properties": {"category": f.category, "severity": f.severity, "label": label},
    }


def _uri(path: str) -> str:
    """A relative URI reference for files below the cwd, else a file:// URI."""
    rel = rel_path(path)
    if Path(rel).is_absolute():
        return Path(rel).as_uri()
    return _urlquote(rel, safe="/")


def render_sarif(report: CheckReport) -> str:
    """SARIF 2.1.0: one run; rules from the findings; logical locations carry 第X条第X款."""
    rules: list[dict] = []
    rule_idx: dict[str, int] = {}
    artifacts: list[dict] = []
    art_idx: dict[str, int] = {}
    results: list[dict] = []

    def artifact(path: str, sha: str = "") -> int:
        uri = _uri(path)
        if uri not in art_idx:
            art_idx[uri] = len(artifacts)
            a: dict = {"location": {"uri": uri}}
            if sha:
                a["hashes"] = {"sha-256": sha}
            artifacts.append(a)
        return art_idx[uri]

    top: dict[str, str] = {}
    for doc in report.documents:
        for f in doc.findings:
            if SEVERITY_RANK.get(f.severity, 0) > SEVERITY_RANK.get(top.get(f.rule_id, ""), -1):
                top[f.rule_id] = f.severity
    for doc in report.documents:
        ai = artifact(doc.path, doc.sha256)
        for f in sorted_findings(doc.findings):
            if f.rule_id not in rule_idx:
                rule_idx[f.rule_id] = len(rules)
                rules.append(_sarif_rule(f, top[f.rule_id]))
            results.append(_sarif_result(f, doc, _uri(doc.path), rule_idx[f.rule_id], ai))

    notifications = []
    for e in report.errors:
        ai = artifact(str(e.get("path", "")))
        notifications.append({
            "level": "error",
            "message": {"text": f"{e.get('code', '')} {e.get('path', '')}: {e.get('message', '')}"},
            "descriptor": {"id": str(e.get("code", "E000"))},
            "locations": [{"physicalLocation": {"artifactLocation": {
                "uri": _uri(str(e.get("path", ""))), "index": ai}}}],
        })

    run: dict = {
        "tool": {"driver": {
            "name": "docreview",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": rules,
        }},
        "invocations": [{
            "executionSuccessful": not report.errors,
            "toolExecutionNotifications": notifications,
        }],
        "artifacts": artifacts,
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    doc = {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- junit


def render_junit(report: CheckReport) -> str:
    """JUnit XML: a testsuite per document, a failing testcase per finding."""
    from xml.etree import ElementTree as ET

    root = ET.Element("testsuites", name="docreview")
    tot_tests = tot_fail = tot_err = 0
    for doc in report.documents:
        path = rel_path(doc.path)
        found = sorted_findings(doc.findings)
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(max(1, len(found))),
                              failures=str(len(found)), errors="0", skipped="0")
        props = ET.SubElement(suite, "properties")
        for k, v in (("title", doc.statute.title), ("doc_number", doc.statute.doc_number),
                     ("conclusion", doc.conclusion), ("suppressed", str(doc.suppressed))):
            ET.SubElement(props, "property", name=k, value=v or "")
        if not found:
            ET.SubElement(suite, "testcase", classname="docreview", name=f"{path} 未发现问题")
        for f in found:
            label = finding_label(f)
            case = ET.SubElement(suite, "testcase", classname=f.rule_id, name=f"{label} {f.title}",
                                 file=path)
            body = [f"位置：{label}", f"类别：{category_zh(f.category)}", f"级别：{severity_zh(f.severity)}",
                    f"原文：{f.quote}", f"问题：{f.message}"]
            if f.basis:
                body.append(f"依据：{basis_text(f)}")
            if f.suggestion:
                body.append(f"建议：{f.suggestion}")
            fail = ET.SubElement(case, "failure", message=f"{label}：{f.message}", type=f.severity)
            fail.text = "\n".join(body)
        tot_tests += max(1, len(found))
        tot_fail += len(found)
    for e in report.errors:
        path = rel_path(str(e.get("path", "")))
        suite = ET.SubElement(root, "testsuite", name=path, tests="1", failures="0", errors="1",
                              skipped="0")
        case = ET.SubElement(suite, "testcase", classname="docreview", name=f"{path} 读取文件")
        err = ET.SubElement(case, "error", message=f"{e.get('code', '')} {e.get('message', '')}",
                            type=str(e.get("code", "")))
        err.text = f"{e.get('code', '')} {e.get('path', '')}: {e.get('message', '')}"
        tot_tests += 1
        tot_err += 1
    root.set("tests", str(tot_tests))
    root.set("failures", str(tot_fail))
    root.set("errors", str(tot_err))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --------------------------------------------------------------------------- github


def gh_escape_data(s: str) -> str:
    """Escape a workflow-command message (GitHub's escapeData)."""
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def gh_escape_property(s: str) -> str:
    """Escape a workflow-command property value (GitHub's escapeProperty)."""
    return gh_escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render_github(report: CheckReport) -> str:
    """GitHub Actions workflow commands: ``::error file=…,title=…::第X条第X款 …``."""
    lines: list[str] = []
    for doc in report.documents:
        path = rel_path(doc.path)
        for f in sorted_findings(doc.findings):
            props = {"file": path}
            text = doc.statute.text
            if text and doc.path.lower().endswith((".txt", ".md")):
                props["line"] = str(_line_of(text, f.start))
            props["title"] = f"{f.rule_id} {f.title}"
            msg = f"{finding_label(f)} “{f.quote}”：{f.message}"
            if f.suggestion:
                msg += f"\n建议：{f.suggestion}"
            ps = ",".join(f"{k}={gh_escape_property(v)}" for k, v in props.items())
            lines.append(f"::{GITHUB_COMMAND.get(f.severity, 'warning')} {ps}::{gh_escape_data(msg)}")
    for e in report.errors:
        path = rel_path(str(e.get("path", "")))
        ps = f"file={gh_escape_property(path)},title={gh_escape_property(str(e.get('code', '')) + ' 无法读取')}"
        lines.append(f"::error {ps}::{gh_escape_data(str(e.get('message', '')))}")
    return "\n".join(lines) + ("\n" if lines else "")


# --------------------------------------------------------------------------- markdown


def md_cell(s: str, limit: int = 0) -> str:
    """Text safe inside a Markdown table cell (no pipes or line breaks)."""
    s = " ".join(s.split())
    if limit and len(s) > limit:
        s = s[: limit - 1] + "…"
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(report: CheckReport) -> str:
    """A summary for PR comments: per document a heading, conclusion, findings table; totals."""
    out: list[str] = ["## docreview 合法性审核结果", ""]
    docs = report.documents
    n_find = sum(len(d.findings) for d in docs)
    out.append(f"共审核 {len(docs) + len(report.errors)} 个文件，发现 {n_find} 处问题"
               + (f"，{len(report.errors)} 个文件无法读取" if report.errors else "")
               + (f"，基线已忽略 {sum(d.suppressed for d in docs)} 处既有问题"
                  if any(d.suppressed for d in docs) else "") + "。")
    out.append("")
    for d in docs:
        name = d.statute.title or rel_path(d.path)
        out.append(f"### {md_cell(name)}")
        out.append("")
        meta = [f"文件：`{rel_path(d.path)}`"]
        if d.statute.doc_number:
            meta.append(f"文号：{md_cell(d.statute.doc_number)}")
        out.append("，".join(meta))
        out.append("")
        out.append(f"**审核结论：{d.conclusion}**")
        out.append("")
        found = sorted_findings(d.findings)
        if not found:
            out += ["未发现问题。", ""]
            continue
        out.append("| 位置 | 规则 | 级别 | 原文 | 建议 |")
        out.append("|---|---|---|---|---|")
        for f in found:
            out.append(
                f"| {md_cell(finding_label(f))} | {md_cell(f.rule_id)} {md_cell(f.title)} "
                f"| {severity_zh(f.severity)} | {md_cell(f.quote, 80)} | {md_cell(f.suggestion)} |"
            )
        out.append("")
    if report.errors:
        out += ["### 无法读取的文件", ""]
        for e in report.errors:
            out.append(f"- `{rel_path(str(e.get('path', '')))}`：{e.get('code', '')} {md_cell(str(e.get('message', '')))}")
        out.append("")
    totals = category_totals(docs)
    if totals:
        out += ["### 按类别统计", "", "| 类别 | 错误 | 警告 | 提示 | 合计 |", "|---|---:|---:|---:|---:|"]
        s = {"error": 0, "warning": 0, "info": 0}
        for cat, row in totals.items():
            out.append(f"| {category_zh(cat)} | {row['error']} | {row['warning']} | {row['info']} "
                       f"| {sum(row.values())} |")
            for k in s:
                s[k] += row.get(k, 0)
        out.append(f"| **合计** | {s['error']} | {s['warning']} | {s['info']} | {sum(s.values())} |")
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------- dispatch

RENDERERS = {
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
    "github": render_github,
    "markdown": render_markdown,
}


def render(fmt: str, results: Sequence[DocumentResult], errors: Sequence[dict] = ()) -> str:
    """Render ``results``/``errors`` in machine format ``fmt`` (json, sarif, junit, github, markdown)."""
    try:
        fn = RENDERERS[fmt]
    except KeyError:
        from docreview.errors import E_USAGE, DocreviewError

        raise DocreviewError(E_USAGE, "--format", f"不支持的格式 {fmt}") from None
    return fn(CheckReport.of(results, errors))
