"""`docreview parse FILE --format json|text` through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from docreview.cli import app
from tests.docxfactory import ARTICLE, ITEM, P, Table, build_docx

runner = CliRunner()

TXT = """某市停车场管理暂行办法
某府规（2026）8号
第一条　为了规范停车场管理，制定本办法。
第二条　停车场经营者应当遵守下列规定：
（一）公示收费标准；
（二）不得超标准收费。
第三条　本办法自公布之日起30日后施行，有效期2年。《某市停车场管理办法》（某府规〔2019〕1号）同时废止。
某市人民政府
2026年1月20日
"""


def test_parse_json_txt(tmp_path):
    f = tmp_path / "draft.txt"
    f.write_text(TXT, encoding="utf-8")
    res = runner.invoke(app, ["parse", str(f), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["title"] == "某市停车场管理暂行办法"
    assert data["doc_number"] == "某府规〔2026〕8号"
    assert data["issuer"] == "某市人民政府"
    assert data["style"] == "regulation"
    assert data["provisional"] is True
    assert data["dates"]["signed"] == "2026-01-20"
    assert data["dates"]["published"] == "2026-01-20"
    assert data["dates"]["effective"]["relative_to"] == "公布"
    assert data["dates"]["effective"]["days_after"] == 30
    assert data["dates"]["validity"]["years"] == 2
    assert data["repeals"] == ["《某市停车场管理办法》（某府规〔2019〕1号）"]
    arts = data["articles"]
    assert [a["number"] for a in arts] == [1, 2, 3]
    items = arts[1]["clauses"][0]["items"]
    assert [(i["number"], i["label"], i["text"]) for i in items] == [
        (1, "（一）", "（一）公示收费标准；"), (2, "（二）", "（二）不得超标准收费。")]
    assert data["sections"] == []
    assert "某市" in res.stdout  # ensure_ascii=False


def test_parse_text_tree_docx(tmp_path):
    path = build_docx(tmp_path / "d.docx", [
        P("某市临时占道管理办法", align="center"),
        P("为了规范临时占道，制定本办法。", num=ARTICLE),
        P("占道应当缴纳费用：", num=ARTICLE),
        P("占道费；", num=ITEM),
        Table([["项目", "标准"], ["占道费", "每日10元"]]),
        P("本办法自印发之日起施行。", num=ARTICLE),
    ])
    res = runner.invoke(app, ["parse", str(path)])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "标题：某市临时占道管理办法" in out
    assert "  第二条\n    第一款　占道应当缴纳费用：\n      （一）占道费；\n" in out
    assert "施行：自印发之日起" in out
    assert "有效期：（未规定）" in out


def test_parse_bad_input_is_one_line_exit_2(tmp_path):
    res = runner.invoke(app, ["parse", str(tmp_path / "missing.docx")])
    assert res.exit_code == 2
    assert res.stderr.strip().startswith("E100 ")
    assert len(res.stderr.strip().splitlines()) == 1
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip at all")
    res = runner.invoke(app, ["parse", str(bad)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert res.stderr.strip()[:1] == "E"


def test_parse_unknown_format(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(TXT, encoding="utf-8")
    res = runner.invoke(app, ["parse", str(f), "--format", "xml"])
    assert res.exit_code == 2
    assert res.stderr.startswith("E301 --format:")


def test_parse_subprocess_entry_point(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(TXT, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "docreview", "parse", str(f), "-f", "json"],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["articles"][2]["label"] == "第三条"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]  # nothing written next to the input
