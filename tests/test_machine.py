"""Machine formats: json, sarif (validated against the official schema), junit, github, markdown."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from docreview.report.machine import (
    CheckReport,
    gh_escape_data,
    gh_escape_property,
    render,
    render_github,
    render_json,
    render_junit,
    render_markdown,
    render_sarif,
)
from tests.machine_samples import DOC_V1, DOC_V2, make_result

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
UNREADABLE = {"path": "drafts/坏文件.docx", "code": "E104", "message": "文件已损坏或被截断"}


def _validate_sarif(doc: dict) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SCHEMA} (shared/ must sit beside the clone)")
    from jsonschema.validators import validator_for

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_sarif_validates_and_carries_locations():
    res = make_result()
    doc = json.loads(render_sarif(CheckReport.of([res])))
    _validate_sarif(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["PM01", "OB03", "PN01"]
    assert len(run["results"]) == 3
    for r in run["results"]:
        rule = rules[r["ruleIndex"]]
        assert rule["id"] == r["ruleId"]
        loc = r["locations"][0]
        region = loc["physicalLocation"]["region"]
        start, length = region["charOffset"], region["charLength"]
        assert DOC_V1[start:start + length] == region["snippet"]["text"]
        assert loc["physicalLocation"]["artifactLocation"]["uri"] == "drafts/%E5%B9%BF%E5%91%8A%E5%8A%9E%E6%B3%95.txt"
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["PM01"]["level"] == "error"
    assert by_rule["OB03"]["level"] == "warning"
    assert by_rule["PM01"]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "第二条第一款"
    assert by_rule["OB03"]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "第二条第二款"
    assert by_rule["PN01"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
    pm = rules[by_rule["PM01"]["ruleIndex"]]
    assert pm["properties"]["category"] == "permit"
    assert pm["defaultConfiguration"]["level"] == "error"
    assert "行政许可法" in pm["help"]["markdown"] and "第十七条" in pm["help"]["text"]
    assert "建议" in pm["help"]["text"]
    assert run["artifacts"][0]["hashes"]["sha-256"] == "ab" * 32
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_schema_check_is_live():
    doc = json.loads(render_sarif(CheckReport.of([make_result()])))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError, match="fatal"):
        _validate_sarif(doc)


def test_sarif_fingerprints_survive_renumbering():
    a = json.loads(render_sarif(CheckReport.of([make_result(text=DOC_V1)])))["runs"][0]["results"]
    b = json.loads(render_sarif(CheckReport.of([make_result(text=DOC_V2)])))["runs"][0]["results"]
    fa = {r["ruleId"]: r for r in a}
    fb = {r["ruleId"]: r for r in b}
    for rid in ("PM01", "PN01", "OB03"):
        assert fa[rid]["partialFingerprints"] == fb[rid]["partialFingerprints"]
        la = fa[rid]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        lb = fb[rid]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        assert la != lb  # 第二条… became 第三条…
    assert len({r["partialFingerprints"]["docreviewQuote/v1"] for r in a}) == 3


def test_sarif_unreadable_file_and_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = make_result(path=str(tmp_path / "sub" / "a b.txt"))
    doc = json.loads(render_sarif(CheckReport.of([res], [UNREADABLE])))
    _validate_sarif(doc)
    run = doc["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "sub/a%20b.txt"
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is False
    note = inv["toolExecutionNotifications"][0]
    assert note["level"] == "error" and note["descriptor"]["id"] == "E104"
    assert "文件已损坏" in note["message"]["text"]
    assert len(run["artifacts"]) == 2
    outside = json.loads(render_sarif(CheckReport.of([make_result(path="/elsewhere/稿.txt")])))
    uri = outside["runs"][0]["artifacts"][0]["location"]["uri"]
    assert uri == "file:///elsewhere/%E7%A8%BF.txt"


def test_sarif_empty_run_is_valid():
    doc = json.loads(render_sarif(CheckReport.of([make_result(phrases={})])))
    _validate_sarif(doc)
    assert doc["runs"][0]["results"] == [] and doc["runs"][0]["tool"]["driver"]["rules"] == []


def test_json_shape():
    res = replace(make_result(), suppressed=2)
    data = json.loads(render_json(CheckReport.of([res], [UNREADABLE])))
    assert data["version"] == 1 and data["tool"]["name"] == "docreview"
    d = data["documents"][0]
    assert d["path"] == "drafts/广告办法.txt" and d["doc_number"] == "某府规〔2026〕1号"
    f = d["findings"][0]
    assert set(f) >= {"rule_id", "title", "category", "severity", "location", "quote", "start", "end",
                      "message", "suggestion", "basis", "fingerprint"}
    assert f["location"]["label"] == "第二条第一款"
    assert f["basis"][0]["law"] == "中华人民共和国行政许可法"
    src = res.findings[0]  # every field of Location / Basis, in field order (as dataclasses.asdict gives)
    assert f["location"] == asdict(src.location) and list(f["location"]) == list(asdict(src.location))
    assert f["basis"] == [asdict(b) for b in src.basis]
    assert data["errors"] == [UNREADABLE]
    assert data["summary"]["findings"] == 3 and data["summary"]["suppressed"] == 2
    assert data["summary"]["by_severity"] == {"error": 2, "warning": 1, "info": 0}


def test_junit_suites_cases_and_errors():
    clean = make_result(path="drafts/clean.txt", phrases={})
    xml = render_junit(CheckReport.of([make_result(), clean], [UNREADABLE]))
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("5", "3", "1")
    s1, s2, s3 = root.findall("testsuite")
    assert s1.get("name") == "drafts/广告办法.txt"
    assert (s1.get("tests"), s1.get("failures")) == ("3", "3")
    cases = s1.findall("testcase")
    assert [c.get("classname") for c in cases] == ["PM01", "OB03", "PN01"]
    assert cases[0].get("name") == "第二条第一款 设定行政许可"
    fail = cases[0].find("failure")
    assert fail is not None and "第二条第一款" in fail.get("message")
    assert "原文：须经市城管局审批" in fail.text and "依据：《中华人民共和国行政许可法》第十七条" in fail.text
    assert (s2.get("tests"), s2.get("failures")) == ("1", "0")
    assert s2.find("testcase").find("failure") is None
    assert s3.get("errors") == "1"
    err = s3.find("testcase/error")
    assert err is not None and err.get("type") == "E104"


def test_github_commands_and_escaping():
    out = render_github(CheckReport.of([make_result()], [UNREADABLE]))
    lines = out.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("::error file=drafts/广告办法.txt,line=3,title=PM01 设定行政许可::第二条第一款 “须经市城管局审批”")
    assert lines[1].startswith("::warning file=drafts/广告办法.txt,line=4,title=OB03 增加公民义务::第二条第二款")
    assert "%0A建议：" in lines[0]  # the suggestion is on its own line, escaped
    assert lines[3] == "::error file=drafts/坏文件.docx,title=E104 无法读取::文件已损坏或被截断"
    assert gh_escape_data("50%\r\nx") == "50%25%0D%0Ax"
    assert gh_escape_property("a,b:c%") == "a%2Cb%3Ac%25"


def test_github_escapes_properties_in_paths_and_titles():
    res = make_result(path="docs/a,b:c.md")
    line = render_github(CheckReport.of([res])).splitlines()[0]
    assert line.startswith("::error file=docs/a%2Cb%3Ac.md,line=3,title=")
    # docx has no meaningful line numbers
    assert ",line=" not in render_github(CheckReport.of([make_result(path="x.docx")])).splitlines()[0]


def test_markdown_summary():
    res = make_result()
    clean = make_result(path="drafts/clean.txt", phrases={})
    md = render_markdown(CheckReport.of([res, clean], [UNREADABLE]))
    assert "### 某市户外广告设置管理办法" in md
    assert "**审核结论：修改后可以提请审议**" in md and "**审核结论：合法，可以提请审议**" in md
    rows = [ln for ln in md.splitlines() if ln.startswith("| 第")]
    assert len(rows) == 3
    assert rows[0].startswith("| 第二条第一款 | PM01 设定行政许可 | 错误 | 须经市城管局审批 |")
    assert "| 行政许可 | 1 | 0 | 0 | 1 |" in md and "| **合计** | 2 | 1 | 0 | 3 |" in md
    assert "E104" in md and "未发现问题。" in md


def test_markdown_cells_escape_pipes_and_newlines():
    res = make_result()
    f = replace(res.findings[0], quote="甲|乙\n丙", suggestion="改为<某>")
    md = render_markdown(CheckReport.of([replace(res, findings=(f,))]))
    row = next(ln for ln in md.splitlines() if ln.startswith("| 第"))
    assert "甲\\|乙 丙" in row and "&lt;某&gt;" in row
    assert row.count(" | ") == 4


def test_render_dispatch_and_unknown_format():
    from docreview.errors import DocreviewError

    assert render("json", [make_result()], []).startswith("{")
    with pytest.raises(DocreviewError) as ei:
        render("yaml", [], [])
    assert ei.value.code == "E301"


def test_sarif_rule_level_is_highest_seen_result_level_per_finding():
    res = make_result()
    pm = res.findings[0]
    downgraded = replace(pm, severity="info", quote="须经审批", start=0, end=0, fingerprint="other")
    doc = json.loads(render_sarif(CheckReport.of([replace(res, findings=(downgraded, *res.findings))])))
    run = doc["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "PM01")
    assert rule["defaultConfiguration"]["level"] == "error"
    assert sorted(r["level"] for r in run["results"] if r["ruleId"] == "PM01") == ["error", "note"]
