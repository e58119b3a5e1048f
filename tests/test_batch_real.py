"""Batch over the real pipeline: real .docx/.txt inputs, real CLI, results equal to `docreview check`."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from docreview.cli import app
from tests.docxfactory import ARTICLE, P, build_docx, ole_bytes, zip_with

NOTICE = [
    P("某市人民政府关于印发某市户外广告设置管理办法的通知", align="center"),
    P("某政发〔2024〕5号", align="center"),
    P("各区人民政府，市政府各部门："),
    P("为了加强户外广告管理，制定本办法。", num=ARTICLE),
    P("设置户外广告的，应当经市城市管理部门批准；未经批准擅自设置的，处以五千元罚款。", num=ARTICLE),
    P("本办法自2024年3月1日起施行，有效期至2025年2月28日。", num=ARTICLE),
    P("某市人民政府", align="right"),
    P("2024年2月1日", align="right"),
]
TXT = ("某市人民政府办公室关于做好创业扶持工作的通知\n某政办发〔2025〕2号\n各区人民政府：\n"
       "一、鼓励高校毕业生自主创业。\n二、本通知自2025年1月1日起施行，有效期5年。\n"
       "某市人民政府办公室\n2025年1月1日\n")


def test_real_pipeline_batch_matches_check(tmp_path):
    arc = tmp_path / "arc"
    arc.mkdir()
    build_docx(arc / "广告办法.docx", NOTICE)
    (arc / "创业通知.txt").write_text(TXT, encoding="utf-8")
    (arc / "加密.docx").write_bytes(ole_bytes({"EncryptionInfo": b"x" * 64, "EncryptedPackage": b"y" * 64}))
    zip_with(arc / "残缺.docx", {"[Content_Types].xml": "<Types/>"})
    (arc / "空白.txt").write_text("  \n", encoding="utf-8")
    (arc / "照片.jpg").write_bytes(b"\xff\xd8\xff")
    wb = Workbook()
    ws = wb.active
    ws.append(["文件", "文号", "标题", "制定机关", "公布日期", "报送备案日期", "施行日期", "有效期至"])
    ws.append(["广告办法", "某政发〔2024〕5号", "", "", datetime(2024, 2, 5), datetime(2024, 2, 20), None, None])
    ws.append(["", "某政办发〔2025〕2号", "", "", "2025年1月2日", "", "2025-02-01", ""])
    ws.append(["不存在.docx", "", "", "", "", "", "", ""])
    ledger = tmp_path / "台账.xlsx"
    wb.save(ledger)
    out = tmp_path / "out"
    runner = CliRunner()
    res = runner.invoke(app, ["batch", str(arc), "--out", str(out), "--ledger", str(ledger),
                              "--today", "2026-01-15", "--jobs", "2"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    r = {d["path"]: d for d in lines}
    assert {k: v["status"] for k, v in r.items()} == {
        "广告办法.docx": "ok", "创业通知.txt": "ok", "加密.docx": "failed", "残缺.docx": "failed",
        "空白.txt": "failed", "照片.jpg": "skipped"}
    assert r["加密.docx"]["error"].startswith("E102")
    assert r["残缺.docx"]["error"].startswith("E104")
    assert r["空白.txt"]["error"].startswith("E106")
    ad = r["广告办法.docx"]
    assert ad["doc_number"] == "某政发〔2024〕5号"
    assert ad["filing"]["published"] == "2024-02-05"  # ledger overrides the 落款 date
    assert {x["filed"] for x in ad["filing"]["recipients"]} == {"2024-02-20"}
    assert ad["validity"]["expires"] == "2025-02-28" and ad["validity"]["status"] == "expired"
    assert ad["outcome"] == "宣布失效"
    startup = r["创业通知.txt"]
    assert startup["filing"]["published"] == "2025-01-02"  # joined by 文号
    assert startup["validity"]["status"] == "valid"
    # only 施行日期 in the ledger: the document's 有效期5年 counts from it
    assert startup["validity"]["effective"] == "2025-02-01" and startup["validity"]["expires"] == "2030-01-31"
    assert "台账" in startup["validity"]["note"]

    # the batch reports exactly what `docreview check` reports for the same file and dates
    for name, pub, filed in (("广告办法.docx", "2024-02-05", "2024-02-20"), ("创业通知.txt", "2025-01-02", None)):
        args = ["check", str(arc / name), "--format", "json", "--today", "2026-01-15", "--published", pub,
                "--fail-on", "never"]
        if filed:
            args += ["--filed", filed]
        chk = runner.invoke(app, args)
        assert chk.exit_code == 0, chk.output
        doc = json.loads(chk.stdout)["documents"][0]
        assert r[name]["findings"] == doc["findings"]
        assert r[name]["filing"]["recipients"] == doc["filing"]["recipients"]

    ws = load_workbook(out / "清理报告.xlsx")["台账比对"]
    kinds = {(row[0], row[2]) for row in ws.iter_rows(min_row=2, values_only=True)}
    assert ("台账有记录但未找到文件", "不存在.docx") in kinds
    assert ("按文号对应（文件名不一致）", "创业通知.txt") in kinds
    assert ("文件未在台账登记", "加密.docx") in kinds
    assert ("台账与文件不一致", "广告办法.docx") in kinds  # 公布日期 2024-02-05 vs 落款 2024-02-01

    import sqlite3

    def versions():
        with sqlite3.connect(out / "batch.sqlite") as db:
            return {v for (v,) in db.execute("SELECT version FROM docs WHERE version IS NOT NULL")}

    before = versions()
    again = runner.invoke(app, ["batch", str(arc), "--out", str(out), "--ledger", str(ledger),
                                "--today", "2026-01-15"])
    assert again.exit_code == 0
    checked = json.loads((out / "summary.json").read_text(encoding="utf-8"))["run"]["checked"]
    # nothing changed → nothing re-checked (unless another engineer edited the shared rules meanwhile)
    assert checked == 0 or versions() != before
    assert Path(out / "results.jsonl").read_text(encoding="utf-8").count("\n") == 6


def test_real_refresh_for_new_today_equals_fresh_run(tmp_path):
    arc = tmp_path / "arc"
    arc.mkdir()
    build_docx(arc / "广告办法.docx", NOTICE)
    (arc / "创业通知.txt").write_text(TXT, encoding="utf-8")
    runner = CliRunner()
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    for day, where in (("2024-02-10", out), ("2025-02-20", out), ("2025-02-20", fresh)):
        res = runner.invoke(app, ["batch", str(arc), "--out", str(where), "--today", day, "-j", "1"])
        assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["run"]["checked"] == 0 and s["run"]["refreshed"] == 2

    def lines(d):
        return (d / "results.jsonl").read_text(encoding="utf-8")

    assert lines(out) == lines(fresh)
    ad = json.loads(lines(out).splitlines()[1])
    assert ad["path"] == "广告办法.docx" and ad["validity"]["status"] == "expiring"


def test_real_pipeline_on_local_cluster_matches_local(tmp_path):
    import pytest

    distributed = pytest.importorskip("distributed")
    arc = tmp_path / "arc"
    arc.mkdir()
    build_docx(arc / "广告办法.docx", NOTICE)
    (arc / "创业通知.txt").write_text(TXT, encoding="utf-8")
    (arc / "加密.docx").write_bytes(ole_bytes({"EncryptionInfo": b"x" * 64, "EncryptedPackage": b"y" * 64}))
    runner = CliRunner()
    res = runner.invoke(app, ["batch", str(arc), "--out", str(tmp_path / "local"), "--today", "2026-01-15"])
    assert res.exit_code == 0, res.output
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        res = runner.invoke(app, ["batch", str(arc), "--out", str(tmp_path / "cl"), "--today", "2026-01-15",
                                  "--cluster", cluster.scheduler_address])
    assert res.exit_code == 0, res.output
    a = (tmp_path / "local" / "results.jsonl").read_text(encoding="utf-8")
    b = (tmp_path / "cl" / "results.jsonl").read_text(encoding="utf-8")
    assert a == b and '"E102' in b


def test_real_issuer_not_competent_suggests_repeal(tmp_path):
    from docreview.batch.run import BatchOptions, run_batch

    arc = tmp_path / "arc"
    arc.mkdir()
    (arc / "扬尘.txt").write_text(
        "关于加强建筑工地扬尘治理的通知\n一、各建筑工地应当落实围挡、覆盖措施。\n二、本通知自印发之日起施行，有效期2年。\n"
        "某市大气污染防治工作领导小组办公室\n2026年1月5日\n", encoding="utf-8")
    s = run_batch(BatchOptions(archive=arc, out=tmp_path / "out", jobs=1, today=date(2026, 2, 1)))
    line = json.loads((tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8"))
    assert "PR04" in [f["rule_id"] for f in line["findings"]]
    assert line["outcome"] == "废止" and line["outcome_reason"].startswith("制定主体不适格")
    assert s["outcomes"] == {"废止": 1}

    # a config change reaches the workers and re-checks everything
    cfg = tmp_path / "docreview.toml"
    cfg.write_text('disable = ["PR04"]\n', encoding="utf-8")
    res = CliRunner().invoke(app, ["batch", str(arc), "--out", str(tmp_path / "out"), "--today", "2026-02-01",
                                   "--config", str(cfg)])
    assert res.exit_code == 0, res.output
    s2 = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert s2["run"]["checked"] == 1 and "废止" not in s2["outcomes"]


def test_tune_gc_freezes_what_is_loaded_and_raises_the_young_threshold():
    """Run in a child process: gc settings are process-wide."""
    import subprocess
    import sys

    code = (
        "import gc\n"
        "from docreview.batch.engine import GC_GEN0, tune_gc\n"
        "assert gc.get_freeze_count() == 0 and gc.get_threshold()[0] < GC_GEN0\n"
        "tune_gc()\n"
        "assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == GC_GEN0\n"
        "gc.set_threshold(0)\n"
        "tune_gc()\n"
        "assert gc.get_threshold()[0] == 0  # collection switched off stays off\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert res.returncode == 0, res.stderr
