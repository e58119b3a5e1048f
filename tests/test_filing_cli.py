"""``docreview filing``: real CLI invocations, text and JSON, documents read from disk, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from docreview.cli import app

runner = CliRunner()

NOTICE = """某市人民政府关于印发某市网络预约出租汽车管理暂行办法的通知
某府规〔2026〕3号
各区人民政府，市政府各部门：
现将《某市网络预约出租汽车管理暂行办法》印发给你们，请认真贯彻执行。
第一条 为规范网络预约出租汽车经营服务，制定本办法。
第二条 本办法自2026年3月1日起施行，有效期3年。
某市人民政府
2026年2月1日
"""


def _run(*args):
    return runner.invoke(app, ["filing", *map(str, args)])


def _json(*args):
    res = _run(*args, "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_text_national_day_overdue():
    res = _run("--published", "2026-09-20", "--today", "2026-11-25")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "上级人民政府：逾期未报送，已超过期限 48 天（期限 2026-10-08）" in out
    assert "本级人大常委会：逾期未报送" in out
    assert "国庆节假期" in out and "顺延至 2026-10-08" in out
    assert "结论：" in out
    assert "--published 指定" in out


def test_json_shape_and_statuses():
    data = _json("--published", "2026年2月1日", "--filed", "上级人民政府=2026-02-20",
                 "--filed", "人大=2026-02-27", "--today", "2026-11-25")
    assert data["published"] == "2026-02-01" and data["profile"] == "default"
    got = [(r["recipient"], r["deadline"], r["status"], r["days"], r["filed"]) for r in data["recipients"]]
    assert got == [
        ("上级人民政府", "2026-02-24", "on_time", None, "2026-02-20"),
        ("本级人大常委会", "2026-02-24", "late", 3, "2026-02-27"),
    ]
    assert all(r["basis"] for r in data["recipients"])
    assert {k: v for k, v in data["validity"].items() if k != "note"} == {"effective": None, "expires": None, "status": "unknown"}


def test_file_txt_gives_dates_validity_and_provisional(tmp_path):
    f = tmp_path / "通知.txt"
    f.write_text(NOTICE, encoding="utf-8")
    data = _json(f, "--today", "2026-11-25")
    assert data["published"] == "2026-02-01"
    assert [r["deadline"] for r in data["recipients"]] == ["2026-02-24", "2026-02-24"]
    # 暂行 with 3 years: over the 2-year limit; expiry = 2026-03-01 + 3 years − 1 day
    assert {k: v for k, v in data["validity"].items() if k != "note"} == {"effective": "2026-03-01", "expires": "2029-02-28", "status": "too_long"}
    assert any("超过2年" in n for n in data["notes"])
    text = _run(f, "--today", "2026-11-25").stdout
    assert "有效期过长" in text and "暂行办法" in text


def test_file_docx_with_chinese_numeral_date(tmp_path):
    import docx

    d = docx.Document()
    for line in NOTICE.replace("暂行", "").replace("2026年2月1日", "二〇二六年九月二十日").splitlines():
        d.add_paragraph(line)
    path = tmp_path / "notice.docx"
    d.save(path)
    data = _json(path, "--today", "2026-09-30")
    assert data["published"] == "2026-09-20"
    assert [(r["deadline"], r["status"], r["days"]) for r in data["recipients"]] == [("2026-10-08", "pending", 8)] * 2
    assert data["validity"]["status"] == "valid" and data["validity"]["expires"] == "2029-02-28"


def test_published_flag_overrides_file(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(NOTICE, encoding="utf-8")
    data = _json(f, "--published", "2026-09-05", "--today", "2026-09-10")
    assert data["published"] == "2026-09-05"
    assert {r["deadline"] for r in data["recipients"]} == {"2026-09-20"}  # 调休 working Sunday


def test_holiday_file_and_unknown_year(tmp_path):
    plain = _json("--published", "2026-12-17", "--today", "2026-12-18")
    assert {r["deadline"] for r in plain["recipients"]} == {"2027-01-01"}
    assert any("2027 年的法定节假日安排未知" in n for n in plain["notes"])
    hol = tmp_path / "h.yml"
    hol.write_text("years:\n  - year: 2027\n    holidays: ['2027-01-01~2027-01-03']\n", encoding="utf-8")
    with_file = _json("--published", "2026-12-17", "--today", "2026-12-18", "--holidays", hol)
    assert {r["deadline"] for r in with_file["recipients"]} == {"2027-01-04"}
    assert not any("未知" in n for n in with_file["notes"] if "2027" in n)


def test_profiles_from_flag_and_config(tmp_path):
    data = _json("--published", "2026-02-10", "--today", "2026-02-11", "--profile", "workdays")
    assert [r["deadline"] for r in data["recipients"]] == ["2026-03-09", "2026-03-12"]
    cfg = tmp_path / "docreview.toml"
    cfg.write_text('profile = "thirty"\n', encoding="utf-8")
    data = _json("--published", "2024-09-05", "--today", "2024-09-06", "--config", cfg)
    assert data["profile"] == "thirty" and {r["deadline"] for r in data["recipients"]} == {"2024-10-08"}


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["--published", "2026-02-30"], "E400", "没有30日"),
        (["--published", "2026-02-10", "--filed", "2026-02-01"], "E401", "早于公布日期"),
        (["--published", "2026-02-10", "--filed", "国务院=2026-02-11"], "E401", "接收机关"),
        (["--published", "2026-02-10", "--profile", "nosuch"], "E301", "未知的备案配置"),
        (["--published", "2026-02-10", "--format", "xml"], "E301", "不支持的格式"),
        ([], "E301", "--published"),
        (["/nonexistent/x.docx"], "E100", ""),
    ],
)
def test_bad_input_one_line_exit_2(args, code, fragment):
    res = _run(*args)
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert err.startswith(code) and fragment in err
    assert "\n" not in err and "Traceback" not in res.output


def test_bad_holiday_file_exit_2(tmp_path):
    hol = tmp_path / "h.yml"
    hol.write_text("years:\n  - year: 2027\n    workdays: [2027-01-05]\n", encoding="utf-8")
    res = _run("--published", "2026-12-17", "--holidays", hol)
    assert res.exit_code == 2 and res.stderr.startswith("E402 ") and "周六或周日" in res.stderr


def test_subprocess_entry_point():
    proc = subprocess.run(
        [sys.executable, "-m", "docreview", "filing", "--published", "2026-09-20", "--today", "2026-10-08",
         "-f", "json"],
        capture_output=True, text=True, encoding="utf-8", timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [(r["status"], r["days"]) for r in data["recipients"]] == [("pending", 0)] * 2


def test_local_profile_file_via_flag(tmp_path):
    f = tmp_path / "local.yml"
    f.write_text(
        "county:\n  title: 县级规定\n  recipients:\n"
        "    - {name: 县人民政府, amount: 3, unit: workday, basis: 某县规定第十三条}\n",
        encoding="utf-8",
    )
    data = _json("--published", "2026-09-24", "--today", "2026-09-25", "--profile", f)
    assert data["profile"] == "county"
    assert [(r["recipient"], r["deadline"]) for r in data["recipients"]] == [("县人民政府", "2026-09-30")]
    assert _json("--published", "2026-09-24", "--today", "2026-09-25", "--profile", f"{f}#county")["profile"] == "county"
    res = _run("--published", "2026-09-24", "--profile", f"{f}#nope")
    assert res.exit_code == 2 and "未知的备案配置 nope" in res.stderr
