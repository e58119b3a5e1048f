"""End to end through the CLI: formats, exit codes (0/1/2, --fail-on, -o), baselines, config.

The test project has its own two rules (enabled alone via docreview.toml) so the assertions do not
depend on the shipped rule set.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from docreview.cli import app

runner = CliRunner()

RULE_PERMIT = """\
id: XT901
title: 设定行政许可
category: permit
severity: error
basis:
  - law: 中华人民共和国行政许可法
    article: 第十七条
    quote: 除本法第十四条、第十五条规定的外，其他规范性文件一律不得设定行政许可。
patterns:
  - regex: 须经(?P<org>[^，。；]{1,12}?)审批
message: 规定“须经{org}审批”，属于设定行政许可
suggestion: 删除该审批要求，或注明法律、法规依据。
"""
RULE_DUTY = """\
id: XT902
title: 增加义务
category: obligation
severity: warning
basis:
  - law: 国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知
    article: 二
    quote: 不得增加公民、法人和其他组织的义务
patterns:
  - phrases: [必须参加]
message: 要求必须参加培训，增加了经营者的义务
suggestion: 将“必须”改为“鼓励”。
"""
TITLE = "某市户外广告设置管理办法"
BOTH = [TITLE, "第一条 为了规范户外广告设置，制定本办法。", "第二条 在本市设置户外广告的，须经市城管局审批。",
        "户外广告经营者必须参加市广告协会组织的培训。", "第三条 本办法自2026年1月1日起施行。"]
WARN_ONLY = [TITLE, "第一条 为了规范户外广告设置，制定本办法。", "第二条 户外广告经营者必须参加培训。",
             "第三条 本办法自2026年1月1日起施行。"]
CLEAN = [TITLE, "第一条 为了规范户外广告设置，制定本办法。", "第二条 本办法自2026年1月1日起施行。"]
SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture
def proj(tmp_path, monkeypatch):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "XT901.yml").write_text(RULE_PERMIT, encoding="utf-8")
    (tmp_path / "rules" / "XT902.yml").write_text(RULE_DUTY, encoding="utf-8")
    (tmp_path / "docreview.toml").write_text('enable = ["XT901", "XT902"]\nrules = ["rules"]\n', encoding="utf-8")
    for name, lines in (("both.txt", BOTH), ("warn.txt", WARN_ONLY), ("clean.txt", CLEAN)):
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize(
    ("file", "fail_on", "code"),
    [
        ("both.txt", None, 1),
        ("both.txt", "never", 0),
        ("warn.txt", None, 0),  # default threshold (config) is error
        ("warn.txt", "warning", 1),
        ("warn.txt", "info", 1),
        ("clean.txt", "info", 0),
    ],
)
def test_exit_codes_follow_fail_on(proj, file, fail_on, code):
    args = ["check", file, "-f", "json"] + (["--fail-on", fail_on] if fail_on else [])
    r = run(*args)
    assert r.exit_code == code, r.output
    data = json.loads(r.output)
    assert data["documents"][0]["path"] == file


def test_fail_on_from_config(proj):
    (proj / "docreview.toml").write_text('enable = ["XT901", "XT902"]\nrules = ["rules"]\nfail_on = "warning"\n',
                                         encoding="utf-8")
    assert run("check", "warn.txt", "-f", "github").exit_code == 1
    assert run("check", "warn.txt", "-f", "github", "--fail-on", "error").exit_code == 0


def test_unreadable_input_exits_2_but_reports_others(proj):
    (proj / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    r = run("check", "both.txt", "broken.docx", "-f", "junit")
    assert r.exit_code == 2
    xml = r.output[r.output.index("<?xml"):]
    root = ET.fromstring(xml.encode("utf-8"))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert suites["both.txt"].get("failures") == "2"
    err = suites["broken.docx"].find("testcase/error")
    assert err is not None and err.get("type", "").startswith("E1")


def test_output_file_does_not_change_exit_code(proj):
    r1 = run("check", "both.txt", "-f", "sarif")
    r2 = run("check", "both.txt", "-f", "sarif", "-o", "out/report.sarif")
    assert r1.exit_code == r2.exit_code == 1
    written = (proj / "out" / "report.sarif").read_text(encoding="utf-8")
    assert json.loads(written) == json.loads(r1.output)
    r3 = run("check", "clean.txt", "-f", "markdown", "-o", "summary.md")
    assert r3.exit_code == 0 and "未发现问题。" in (proj / "summary.md").read_text(encoding="utf-8")


def test_sarif_from_real_run_validates(proj):
    r = run("check", "both.txt", "warn.txt", "-f", "sarif")
    assert r.exit_code == 1
    doc = json.loads(r.output)
    if not SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SCHEMA}")
    from jsonschema.validators import validator_for

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = list(validator_for(schema)(schema).iter_errors(doc))
    assert not errors, errors[0].message
    res = doc["runs"][0]["results"]
    assert {x["ruleId"] for x in res} == {"XT901", "XT902"} and len(res) == 3
    permit = next(x for x in res if x["ruleId"] == "XT901")
    assert permit["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "第二条第一款"
    assert permit["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] == "须经市城管局审批"
    assert permit["message"]["text"].startswith("第二条第一款：规定“须经市城管局审批”")


def test_github_and_text_formats(proj):
    r = run("check", "both.txt", "-f", "github")
    lines = r.output.splitlines()
    assert lines[0].startswith("::error file=both.txt,line=3,title=XT901 设定行政许可::第二条第一款")
    assert lines[1].startswith("::warning file=both.txt,line=4,title=XT902 增加义务::第二条第二款")
    r = run("check", "both.txt")
    assert r.exit_code == 1
    assert "▌第二条" in r.output and "【须经市城管局审批】" in r.output
    assert "审核结论：修改后可以提请审议" in r.output


def test_baseline_create_then_check_after_renumbering(proj):
    r = run("baseline", "create", "both.txt", "-o", ".docreview-baseline.json", "--reason", "存量文件，待清理")
    assert r.exit_code == 0, r.output
    assert "2 条记录" in r.output
    data = json.loads((proj / ".docreview-baseline.json").read_text(encoding="utf-8"))
    assert [e["rule_id"] for e in data["entries"]] == ["XT901", "XT902"]
    assert {e["reason"] for e in data["entries"]} == {"存量文件，待清理"}
    assert data["entries"][0]["label"] == "第二条第一款"
    # insert a new article before the flagged one: all known findings move to 第三条
    moved = BOTH[:2] + ["第二条 市城管局负责户外广告的监督管理。"] + [
        BOTH[2].replace("第二条", "第三条"), BOTH[3], BOTH[4].replace("第三条", "第四条")]
    (proj / "both.txt").write_text("\n".join(moved) + "\n", encoding="utf-8")
    plain = run("check", "both.txt", "-f", "json")
    assert plain.exit_code == 1
    assert [f["location"]["label"] for f in json.loads(plain.output)["documents"][0]["findings"]] == [
        "第三条第一款", "第三条第二款"]
    r = run("check", "both.txt", "-f", "json", "--baseline", ".docreview-baseline.json", "--fail-on", "info")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)["documents"][0]
    assert doc["findings"] == [] and doc["suppressed"] == 2
    # a genuinely new problem is still reported
    moved.insert(4, "第四条 在本市设置临时广告的，须经区城管局审批。")
    (proj / "both.txt").write_text("\n".join(moved) + "\n", encoding="utf-8")
    r = run("check", "both.txt", "-f", "json", "--baseline", ".docreview-baseline.json")
    assert r.exit_code == 1
    doc = json.loads(r.output)["documents"][0]
    assert [f["quote"] for f in doc["findings"]] == ["须经区城管局审批"] and doc["suppressed"] == 2


def test_baseline_errors_are_one_line_exit_2(proj):
    (proj / "bad.json").write_text("{oops", encoding="utf-8")
    r = run("check", "both.txt", "--baseline", "bad.json")
    assert r.exit_code == 2
    assert r.output.strip() == "E302 bad.json: 不是有效的 JSON（第 1 行）"
    r = run("baseline", "create", "both.txt", "missing.txt")
    assert r.exit_code == 2 and r.output.startswith("E100 ") and "Traceback" not in r.output
    assert not (proj / ".docreview-baseline.json").exists()  # nothing written when an input is bad
    r = run("baseline", "create", "both.txt", "-o", "both.txt")
    assert r.exit_code == 2 and r.output.startswith("E303 both.txt")


def test_config_show_reports_project_config(proj):
    r = run("config", "show", "-f", "json")
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["source"] == str(proj / "docreview.toml")
    assert data["config"]["enable"] == ["XT901", "XT902"]
    assert data["config"]["rules"] == [str((proj / "rules").resolve())]


def test_docx_input_all_formats(proj):
    import docx

    d = docx.Document()
    for line in BOTH:
        d.add_paragraph(line)
    d.save(str(proj / "草案.docx"))
    r = run("check", "草案.docx", "-f", "github")
    assert r.exit_code == 1
    first = r.output.splitlines()[0]
    assert first.startswith("::error file=草案.docx,title=XT901 设定行政许可::第二条第一款")  # no line= for docx
    doc = json.loads(run("check", "草案.docx", "-f", "sarif").output)
    art = doc["runs"][0]["artifacts"][0]
    assert art["location"]["uri"] == "%E8%8D%89%E6%A1%88.docx" and len(art["hashes"]["sha-256"]) == 64
    md = run("check", "草案.docx", "-f", "markdown").output
    assert "### 某市户外广告设置管理办法" in md and "| 第二条第一款 | XT901 设定行政许可 | 错误 | 须经市城管局审批 |" in md
