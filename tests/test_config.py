"""Config discovery (docreview.toml / [tool.docreview]), --config override, errors, `config show`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from docreview.cli import app
from docreview.config import Config, discover, load_config, render_config
from docreview.errors import DocreviewError

runner = CliRunner()


def test_defaults_when_nothing_found(tmp_path):
    assert discover(tmp_path) is None
    cfg = load_config(start=tmp_path)
    assert cfg == Config() and cfg.source == ""


def test_discovered_upward_from_subdirectory(tmp_path):
    (tmp_path / "docreview.toml").write_text('fail_on = "warning"\nreviewer = "某县司法局"\n', encoding="utf-8")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert discover(sub) == tmp_path / "docreview.toml"
    cfg = load_config(start=sub)
    assert cfg.fail_on == "warning" and cfg.reviewer == "某县司法局"
    assert cfg.source == str(tmp_path / "docreview.toml")


def test_pyproject_tool_table_and_precedence(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.docreview]\nkind = "rule"\ndisable = ["CP03"]\n', encoding="utf-8")
    sub = tmp_path / "pkg"
    sub.mkdir()
    # a pyproject.toml without [tool.docreview] (even a broken one) is skipped on the way up
    (sub / "pyproject.toml").write_text("[project\nname = ", encoding="utf-8")
    cfg = load_config(start=sub)
    assert cfg.kind == "rule" and cfg.disable == ["CP03"]
    # docreview.toml in the same directory wins over pyproject.toml
    (tmp_path / "docreview.toml").write_text('kind = "normative"\n', encoding="utf-8")
    assert load_config(start=sub).kind == "normative"


def test_explicit_config_overrides_discovery(tmp_path):
    (tmp_path / "docreview.toml").write_text('fail_on = "warning"\n', encoding="utf-8")
    other = tmp_path / "ci" / "strict.toml"
    other.parent.mkdir()
    other.write_text('fail_on = "info"\nrules = ["../myrules"]\nholidays = "h.yml"\n', encoding="utf-8")
    cfg = load_config(other, start=tmp_path)
    assert cfg.fail_on == "info"
    assert cfg.rules == [str((tmp_path / "myrules").resolve())]  # relative to the config file
    assert cfg.holidays == str((other.parent / "h.yml").resolve())


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("fail_on = ", "不是有效的 TOML"),
        ('fail_on = "sometimes"\n', "配置项 fail_on 无效"),
        ('colour = "red"\n', "配置项 colour 无效"),
        ('severity = { PM01 = "fatal" }\n', "配置项 severity.PM01 无效"),
    ],
)
def test_bad_config_is_e300_one_line(tmp_path, content, needle):
    p = tmp_path / "docreview.toml"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(DocreviewError) as ei:
        load_config(p)
    assert ei.value.code == "E300" and needle in str(ei.value) and "\n" not in str(ei.value)


def test_missing_explicit_config(tmp_path):
    with pytest.raises(DocreviewError, match="E300 .*配置文件不存在"):
        load_config(tmp_path / "nope.toml")


def test_render_toml_round_trips():
    cfg = Config(severity={"PM01": "warning"}, enable=['a"b', "中文"], reviewer="某市司法局",
                 holidays="/x/h.yml")
    text = render_config(cfg)
    assert tomllib.loads(text) == cfg.model_dump(exclude={"source"})
    assert "# 来源：默认值" in text
    assert 'reviewer = "某市司法局"  # 意见书落款的审核机关' in text
    assert 'kind = "normative"  # 默认' in text
    assert "# holidays" not in render_config(cfg)
    assert "# holidays = （未设置）" in render_config(Config())


def test_config_show_cli_toml_and_json(tmp_path, monkeypatch):
    (tmp_path / "docreview.toml").write_text('fail_on = "warning"\n', encoding="utf-8")
    sub = tmp_path / "drafts"
    sub.mkdir()
    monkeypatch.chdir(sub)
    r = runner.invoke(app, ["config", "show"])
    assert r.exit_code == 0, r.output
    assert f"# 来源：{tmp_path / 'docreview.toml'}" in r.output
    assert tomllib.loads(r.output)["fail_on"] == "warning"
    r = runner.invoke(app, ["config", "show", "--format", "json"])
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["source"] == str(tmp_path / "docreview.toml") and data["config"]["fail_on"] == "warning"


def test_config_show_errors_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docreview.toml").write_text("kind = [", encoding="utf-8")
    r = runner.invoke(app, ["config", "show"])
    assert r.exit_code == 2
    assert r.output.strip().startswith(f"E300 {tmp_path / 'docreview.toml'}: ")
    assert "Traceback" not in r.output
    r = runner.invoke(app, ["config", "show", "--config", str(tmp_path / "none.toml"), "-f", "json"])
    assert r.exit_code == 2 and "E300" in r.output
    (tmp_path / "docreview.toml").write_text("", encoding="utf-8")
    r = runner.invoke(app, ["config", "show", "--format", "yaml"])
    assert r.exit_code == 2 and r.output.startswith("E301 --format")


ROOT = Path(__file__).resolve().parents[1]


def test_pre_commit_hook_definition():
    import re

    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "docreview" and hook["entry"] == "docreview check"
    assert hook["language"] == "python"
    rx = re.compile(hook["files"])
    assert all(rx.search(p) for p in ("a.docx", "送审稿/办法.md", "x/y.txt"))
    assert not any(rx.search(p) for p in ("a.doc", "a.docx.bak", "a.pdf"))
    assert re.search(hook["exclude"], "送审稿/~$办法.docx") and not re.search(hook["exclude"], "送审稿/办法.docx")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["docreview"] == "docreview.cli:main"


def test_ci_doc_snippets_are_valid_and_use_real_options():
    import re

    import yaml

    from docreview.app import FORMATS

    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(yaml|toml)\n(.*?)```", text, flags=re.S)
    kinds = [k for k, _ in blocks]
    assert kinds.count("yaml") >= 2 and "toml" in kinds
    for kind, body in blocks:
        if kind == "yaml":
            assert yaml.safe_load(body)
        else:
            Config(**tomllib.loads(body))  # the sample docreview.toml is a valid config
    for fmt in re.findall(r"--format (\w+)", text):
        assert fmt in FORMATS or fmt in ("toml", "json"), fmt
    wf = yaml.safe_load(next(b for k, b in blocks if k == "yaml" and "jobs:" in b))
    steps = wf["jobs"]["review"]["steps"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
