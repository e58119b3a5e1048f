"""`docreview rules list/show/test` through the real CLI."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from docreview.cli import app

runner = CliRunner()

USER_RULE = textwrap.dedent("""\
    id: ZZ01
    title: 收取卫生费
    category: fee
    severity: error
    basis:
      - law: 中华人民共和国价格法
        article: 第四十七条
        quote: 国家行政机关的收费，应当依法进行
    patterns:
      - regex: '收取[^，。；]{0,6}?(?P<fee>卫生费)'
    exceptions:
      - guard: negated
        because: 不得收取是保护性规定
    message: 收取{fee}
    suggestion: 删除
    examples:
      fail: [由街道收取卫生费。]
      pass: [街道不得收取卫生费。]
    """)


def test_list_text_and_json() -> None:
    r = runner.invoke(app, ["rules", "list"])
    assert r.exit_code == 0 and "PM01" in r.output and "行政许可" in r.output
    r = runner.invoke(app, ["rules", "list", "--format", "json"])
    data = json.loads(r.output)
    assert len(data["rules"]) >= 60 and data["version"]
    assert {"id", "title", "category", "severity"} <= set(data["rules"][0])


def test_show_rule() -> None:
    r = runner.invoke(app, ["rules", "show", "PM02"])
    assert r.exit_code == 0
    assert "行政许可法" in r.output and "第十七条" in r.output and "排除条件" in r.output
    assert "未经区城管局审批" in r.output
    r = runner.invoke(app, ["rules", "show", "NOPE"])
    assert r.exit_code == 2 and "E204" in r.output


def test_test_all_shipped_rules_pass() -> None:
    r = runner.invoke(app, ["rules", "test"])
    assert r.exit_code == 0, r.output
    assert "0 个失败" in r.output


def test_user_rule_folder_is_picked_up(tmp_path: Path) -> None:
    (tmp_path / "ZZ01.yml").write_text(USER_RULE, encoding="utf-8")
    r = runner.invoke(app, ["rules", "list", "--rules", str(tmp_path), "--format", "json"])
    assert "ZZ01" in [x["id"] for x in json.loads(r.output)["rules"]]
    r = runner.invoke(app, ["rules", "test", "ZZ01", "--rules", str(tmp_path)])
    assert r.exit_code == 0 and "1 条规则，2 个示例，0 个失败" in r.output


def test_failing_example_exits_1_with_one_line(tmp_path: Path) -> None:
    bad = USER_RULE.replace("pass: [街道不得收取卫生费。]", "pass: [由社区收取卫生费。]")
    (tmp_path / "ZZ01.yml").write_text(bad, encoding="utf-8")
    r = runner.invoke(app, ["rules", "test", "ZZ01", "--rules", str(tmp_path)])
    assert r.exit_code == 1
    lines = [ln for ln in r.output.splitlines() if ln.startswith("ZZ01-")]
    assert lines == [lines[0]] and "ZZ01-pass-0" in lines[0] and "由社区收取卫生费" in lines[0]


def test_bad_yaml_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "ZZ01.yml").write_text("id: ZZ01\ntitle: [坏\n", encoding="utf-8")
    r = runner.invoke(app, ["rules", "list", "--rules", str(tmp_path)])
    assert r.exit_code == 2
    out = r.output.strip()
    assert out.startswith("E200 ") and "ZZ01.yml" in out and "\n" not in out and "Traceback" not in out


def test_schema_error_names_key(tmp_path: Path) -> None:
    (tmp_path / "ZZ01.yml").write_text(USER_RULE.replace("severity: error", "severity: fatal"), encoding="utf-8")
    r = runner.invoke(app, ["rules", "test", "--rules", str(tmp_path)])
    assert r.exit_code == 2 and "E201" in r.output and "severity" in r.output


def test_missing_rules_dir(tmp_path: Path) -> None:
    r = runner.invoke(app, ["rules", "list", "--rules", str(tmp_path / "none")])
    assert r.exit_code == 2 and "E205" in r.output
