"""Batch: pool supervision, store/incremental runs, ledger join, reports, kill/resume, cluster."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from docreview.batch.engine import EngineSpec, inputs_key, version_hash
from docreview.batch.ledger import read_ledger
from docreview.batch.outcome import suggest
from docreview.batch.run import BatchOptions, run_batch, scan, sha256_file
from docreview.batch.store import Store
from docreview.cli import app
from docreview.errors import DocreviewError

ROOT = Path(__file__).resolve().parents[1]
FAKE = "tests.batch_fakes:FakeEngine"
TODAY = date(2026, 1, 1)

GOOD_A = "关于加强市场管理的通知\n文号：某政发〔2024〕3号\n发布日期：2024-01-10\n经营者违反规定的处以罚款\n"
GOOD_B = "收费管理办法\n向企业收取管理费\n有效期至：2025-06-30\n"
GOOD_C = "关于鼓励创业的意见\n文号：某政办发〔2025〕7号\n鼓励创业\n"


def make_archive(root: Path, *, crash: bool = True) -> Path:
    arc = root / "arc"
    (arc / "sub").mkdir(parents=True)
    (arc / "a.txt").write_text(GOOD_A, encoding="utf-8")
    (arc / "sub" / "b.md").write_text(GOOD_B, encoding="utf-8")
    (arc / "c.txt").write_text(GOOD_C, encoding="utf-8")
    (arc / "empty.txt").write_bytes(b"")
    (arc / "corrupt.docx").write_bytes(b"this is not a zip")
    (arc / "scan.pdf").write_bytes(b"%PDF-1.4")
    (arc / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    if crash:
        (arc / "crash.txt").write_text("CRASH", encoding="utf-8")
        (arc / "hang.txt").write_text("HANG", encoding="utf-8")
        (arc / "boom.txt").write_text("BOOM", encoding="utf-8")
    return arc


def opts(arc: Path, out: Path, **kw) -> BatchOptions:
    base = {"jobs": 2, "timeout": 3.0, "today": TODAY, "factory": FAKE}
    return BatchOptions(archive=arc, out=out, **(base | kw))


def results(out: Path) -> dict[str, dict]:
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return {(d := json.loads(ln))["path"]: d for ln in lines}


def store_rows(out: Path) -> list[tuple]:
    with sqlite3.connect(out / "batch.sqlite") as db:
        return db.execute("SELECT path, status, run FROM docs ORDER BY path").fetchall()


# --------------------------------------------------------------------------- pool + mixed archive


def test_mixed_archive_crash_timeout_and_bad_files(tmp_path):
    arc = make_archive(tmp_path)
    out = arc / "report"  # report dir inside the archive is ignored by the walk
    t = time.monotonic()
    s = run_batch(opts(arc, out, timeout=2.0))
    assert time.monotonic() - t < 20
    r = results(out)
    assert set(r) == {"a.txt", "sub/b.md", "c.txt", "empty.txt", "corrupt.docx", "scan.pdf", "old.doc",
                      "crash.txt", "hang.txt", "boom.txt"}
    assert r["a.txt"]["status"] == "ok" and r["a.txt"]["outcome"] == "修改"
    assert [f["rule_id"] for f in r["a.txt"]["findings"]] == ["PN01"]
    assert r["sub/b.md"]["outcome"] == "宣布失效" and "2025-06-30" in r["sub/b.md"]["outcome_reason"]
    assert r["c.txt"]["outcome"] == "继续有效"
    assert r["empty.txt"]["error"].startswith("E106")
    assert r["corrupt.docx"]["error"].startswith("E103")
    assert r["crash.txt"]["status"] == "failed" and r["crash.txt"]["error"].startswith("E501")
    assert "SIGKILL" in r["crash.txt"]["error"]
    assert r["hang.txt"]["error"].startswith("E113")
    assert r["boom.txt"]["error"].startswith("E500") and "RuntimeError" in r["boom.txt"]["error"]
    assert r["scan.pdf"]["status"] == r["old.doc"]["status"] == "skipped"
    assert ".pdf" in r["scan.pdf"]["error"] and "另存为 .docx" in r["old.doc"]["error"]
    # the crash and the timeout were charged to their own documents only
    assert s["ok"] == 3 and s["failed"] == 5 and s["skipped"] == 2 and s["documents"] == 8
    assert r["a.txt"]["sha256"] and len(r["a.txt"]["sha256"]) == 64
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["outcomes"] == {"修改": 1, "宣布失效": 1, "继续有效": 1, "无法审核": 5}
    assert summary["by_category"]["penalty"] == 1 and summary["by_category"]["fee"] == 1

    (arc / "hang.txt").write_text("文件\n内容\n", encoding="utf-8")  # fixed; the other 4 fail again
    again = run_batch(opts(arc, out, timeout=2.0, retry_failed=True))["run"]
    assert again["checked"] == 5 and again["reused"] == 3
    assert results(out)["hang.txt"]["status"] == "ok"


# --------------------------------------------------------------------------- incremental


def test_rerun_rechecks_only_changes(tmp_path, monkeypatch):
    arc = make_archive(tmp_path, crash=False)
    out = tmp_path / "out"
    first = run_batch(opts(arc, out))
    assert first["run"]["checked"] == 5 and first["run"]["reused"] == 0
    before = store_rows(out)

    stamp = (out / "清理报告.xlsx").stat().st_mtime_ns
    second = run_batch(opts(arc, out))
    assert second["run"]["checked"] == 0 and second["run"]["reused"] == 5
    assert second["run"]["reports_rewritten"] is False and (out / "清理报告.xlsx").stat().st_mtime_ns == stamp
    assert {k: v for k, v in second.items() if k != "run"} == {k: v for k, v in first.items() if k != "run"}
    assert [r[:2] for r in store_rows(out)] == [r[:2] for r in before]

    (arc / "c.txt").write_text(GOOD_C + "另处以罚款\n", encoding="utf-8")
    third = run_batch(opts(arc, out))
    assert third["run"]["checked"] == 1
    latest = {p: run for p, _, run in store_rows(out)}
    assert max(latest.values()) == latest["c.txt"] and sum(v == latest["c.txt"] for v in latest.values()) == 1
    assert results(out)["c.txt"]["outcome"] == "修改"

    # same size and mtime, different content: trusted shortcut; --rehash sees it
    p = arc / "a.txt"
    st = p.stat()
    p.write_text(GOOD_A.replace("罚款", "警告"), encoding="utf-8")
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert run_batch(opts(arc, out))["run"]["checked"] == 0
    assert run_batch(opts(arc, out, rehash=True))["run"]["checked"] == 1
    assert results(out)["a.txt"]["findings"] == []

    (arc / "sub" / "b.md").unlink()
    fourth = run_batch(opts(arc, out))
    assert fourth["run"]["checked"] == 0 and fourth["removed"] == 1
    assert "sub/b.md" not in results(out)
    assert ("sub/b.md", "removed") in [r[:2] for r in store_rows(out)]

    monkeypatch.setenv("BATCH_FAKE_VERSION", "fake-2")  # a rule-set change re-checks everything
    assert run_batch(opts(arc, out))["run"]["checked"] == 4
    # a different --today only re-assesses filing/validity of the stored documents, no re-check;
    # the result equals a fresh run on that day
    later = run_batch(opts(arc, out, today=date(2024, 2, 1)))
    assert later["run"]["checked"] == 0 and later["run"]["refreshed"] == 2 and later["run"]["reused"] == 2
    fresh = tmp_path / "fresh"
    run_batch(opts(arc, fresh, today=date(2024, 2, 1)))
    assert results(out) == results(fresh)
    assert results(out)["a.txt"]["filing"]["recipients"][0]["status"] == "pending"


def test_rerun_is_fast(tmp_path):
    arc = tmp_path / "arc"
    arc.mkdir()
    n = 1500
    for i in range(n):
        (arc / f"d{i:04}.txt").write_text(f"文件{i}\n内容\n", encoding="utf-8")
    out = tmp_path / "out"
    # seed the store as a finished run would, without spending the test's time on checking
    with Store.open(out) as st:
        st.db.execute("BEGIN")
        for f in scan(arc):
            st.put(f.rel, size=f.size, mtime_ns=f.mtime_ns, sha256=sha256_file(f.abs),
                   version=version_hash("fake-1"), inputs=inputs_key(None, TODAY), status="ok",
                   record={"status": "ok", "doc": {"findings": []}, "outcome": "继续有效"})
        st.db.execute("COMMIT")
    t = time.perf_counter()
    s = run_batch(opts(arc, out))
    el = time.perf_counter() - t
    assert s["run"]["checked"] == 0 and s["run"]["reused"] == n
    assert n / el >= 2000, f"{n / el:.0f} docs/s"


# --------------------------------------------------------------------------- ledger


def _ledger_rows():
    return [
        ["文件", "文 号", "标题", "制定机关", "公布日期", "报送备案日期", "施行日期", "有效期至", "备注"],
        ["a.txt", "某政发〔2024〕3号", "关于加强市场管理的通知（台账）", "某市人民政府", "2024/1/20", "2024年2月1日",
         "", "", "x"],
        ["", "某政办发［2025］7号", "关于鼓励创业的意见", "某市人民政府办公室", "2025-03-01", "", "", "2025-12-01", ""],
        ["missing.docx", "某政发〔2023〕9号", "早已遗失的文件", "某市人民政府", "2023-05-06", "", "", "", ""],
        ["sub/b.md", "", "收费管理办法", "某市财政局", "2024-13-40", "", "", "", ""],
    ]


def test_ledger_xlsx_and_csv_mismatches_both_ways(tmp_path):
    arc = make_archive(tmp_path, crash=False)
    wb = Workbook()
    ws = wb.active
    for row in _ledger_rows():
        ws.append(row)
    ws["E2"] = datetime(2024, 1, 20)  # a real Excel date cell
    xlsx = tmp_path / "台账.xlsx"
    wb.save(xlsx)
    csv_path = tmp_path / "台账.csv"
    with csv_path.open("w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows([[c.replace("［", "[").replace("］", "]") for c in r] for r in _ledger_rows()])

    for ledger in (xlsx, csv_path):
        out = tmp_path / f"out-{ledger.suffix[1:]}"
        s = run_batch(opts(arc, out, ledger=ledger))
        r = results(out)
        assert s["ledger"] == {"path": str(ledger), "rows": 4, "matched": 3, "matched_by_number": 1,
                               "unmatched_rows": 1, "unmatched_files": 2, "rows_with_problems": 1,
                               "differences": 1}
        # ledger dates override the document's: published and filed
        filing = r["a.txt"]["filing"]
        assert filing["published"] == "2024-01-20"
        assert filing["recipients"][0]["filed"] == "2024-02-01"
        # joined by 文号 (brackets normalised): the ledger's 有效期至 applies
        assert r["c.txt"]["validity"]["expires"] == "2025-12-01"
        assert r["c.txt"]["validity"]["status"] == "expired" and r["c.txt"]["outcome"] == "宣布失效"
        # bad date cell: row flagged, document still checked with its own dates
        assert r["sub/b.md"]["status"] == "ok"
        wb2 = load_workbook(out / "清理报告.xlsx")
        cmp_rows = list(wb2["台账比对"].iter_rows(min_row=2, values_only=True))
        kinds = {(x[0], x[2]) for x in cmp_rows}
        assert ("台账有记录但未找到文件", "missing.docx") in kinds
        assert ("文件未在台账登记", "empty.txt") in kinds and ("文件未在台账登记", "corrupt.docx") in kinds
        assert ("按文号对应（文件名不一致）", "c.txt") in kinds
        diff = next(x for x in cmp_rows if x[0] == "台账与文件不一致")
        assert diff[1:3] == (2, "a.txt") and diff[5] == "公布日期：台账为 2024-01-20，文件中为 2024-01-10（已按台账计算）"
        bad = next(x for x in cmp_rows if x[0] == "台账数据有误")
        assert bad[1] == 5 and "2024-13-40" in bad[5]
        docs = {x[0]: x for x in wb2["文件清单"].iter_rows(min_row=2, values_only=True)}
        assert docs["a.txt"][1] == "关于加强市场管理的通知（台账）"
        assert docs["a.txt"][4] == datetime(2024, 1, 20)
        assert docs["c.txt"][-1] == 3  # 台账行号


def test_oversized_file_fails_without_being_read(tmp_path):
    arc = tmp_path / "arc"
    arc.mkdir()
    (arc / "a.txt").write_text(GOOD_A, encoding="utf-8")
    with (arc / "huge.txt").open("wb") as fh:
        fh.truncate(51 * 1024 * 1024)  # sparse: cheap to create
    s = run_batch(opts(arc, tmp_path / "out", jobs=1))
    r = results(tmp_path / "out")
    assert r["huge.txt"]["error"] == "E109 文件大小 51 MB 超过上限 50 MB" and len(r["huge.txt"]["sha256"]) == 64
    assert s["ok"] == 1 and s["failed"] == 1


def test_gbk_file_name(tmp_path):
    arc = tmp_path / "arc"
    arc.mkdir()
    name = "关于罚款的通知.txt".encode("gbk")  # as an old zip tool leaves it on a UTF-8 system
    with open(os.path.join(os.fsencode(arc), name), "wb") as fh:
        fh.write(GOOD_A.encode("utf-8"))
    s = run_batch(opts(arc, tmp_path / "out", jobs=1))
    r = results(tmp_path / "out")
    assert r["关于罚款的通知.txt"]["status"] == "ok" and r["关于罚款的通知.txt"]["outcome"] == "修改"
    assert s["ok"] == 1 and run_batch(opts(arc, tmp_path / "out", jobs=1))["run"]["reused"] == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any directory")
def test_unreadable_directory_is_reported(tmp_path):
    arc = tmp_path / "arc"
    (arc / "locked").mkdir(parents=True)
    (arc / "locked" / "x.txt").write_text(GOOD_C, encoding="utf-8")
    (arc / "locked").chmod(0)
    try:
        run_batch(opts(arc, tmp_path / "out", jobs=1))
    finally:
        (arc / "locked").chmod(0o755)
    r = results(tmp_path / "out")
    assert r["locked/"]["status"] == "skipped" and "无法读取目录" in r["locked/"]["error"]


def test_one_batch_per_report_dir(tmp_path):
    arc = make_archive(tmp_path, crash=False)
    out = tmp_path / "out"
    with Store.open(out), pytest.raises(DocreviewError) as e:
        run_batch(opts(arc, out))
    assert e.value.code == "E500" and "另一个批处理" in str(e.value)
    assert run_batch(opts(arc, out))["ok"] == 3


def test_ledger_errors(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("标题,公布日期\n某文件,2024-01-01\n", encoding="utf-8-sig")
    with pytest.raises(DocreviewError) as e:
        read_ledger(p)
    assert e.value.code == "E403" and "文件 或 文号" in str(e.value)
    with pytest.raises(DocreviewError) as e:
        read_ledger(tmp_path / "none.xlsx")
    assert e.value.code == "E403"
    p.write_text("说明：本表为台账\n文件名, 文号 ,公布日期,报送备案日期,备注\n"
                 "x.docx,某发〔2024〕1号,二〇二四年三月五日,2024年3月9日（星期六）,\n"
                 "y.docx,,'2024-01-20,2024.1.22.,\n"
                 ",,2024-02-30,,只有日期\n", encoding="utf-8-sig")
    led = read_ledger(p)
    assert [(r.row, r.file, r.published, r.filed) for r in led.rows] == [
        (3, "x.docx", date(2024, 3, 5), date(2024, 3, 9)), (4, "y.docx", date(2024, 1, 20), date(2024, 1, 22)),
        (5, "", None, None)]
    bad_date, no_key = led.rows[2].problems
    assert bad_date.startswith("公布日期“2024-02-30”：") and no_key == "文件 与 文号 均为空，无法与文件对应"


# --------------------------------------------------------------------------- Excel cell by cell


def test_excel_report_cell_by_cell(tmp_path):
    arc = tmp_path / "arc"
    arc.mkdir()
    (arc / "a.txt").write_text(GOOD_A, encoding="utf-8")
    (arc / "z.pdf").write_bytes(b"%PDF")
    out = tmp_path / "out"
    run_batch(opts(arc, out, jobs=1))
    wb = load_workbook(out / "清理报告.xlsx")
    assert wb.sheetnames == ["文件清单", "问题清单", "失败与跳过", "台账比对", "汇总"]
    ws = wb["文件清单"]
    head = [c.value for c in ws[1]]
    assert head[:9] == ["文件", "标题", "文号", "制定机关", "公布日期", "审核状态", "备案状态", "有效期至", "有效期状态"]
    assert head[9:17] == ["行政许可", "行政处罚", "行政强制", "收费", "增加义务·减损权利", "公平竞争", "制定程序与形式",
                          "上位法引用"]
    assert head[17:] == ["问题合计", "建议清理结论", "理由", "台账行号"]
    assert all(c.font.bold for c in ws[1]) and ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == 36
    row = [c.value for c in ws[2]]
    assert row[:4] == ["a.txt", "关于加强市场管理的通知", "某政发〔2024〕3号", "某市人民政府"]
    assert row[4] == datetime(2024, 1, 10) and ws.cell(2, 5).number_format == "yyyy-mm-dd"
    assert row[5] == "已审核" and row[6] == "上级人民政府：逾期未报送" and row[7] is None
    assert row[8] == "未规定有效期"
    assert row[9:17] == [0, 1, 0, 0, 0, 0, 0, 0] and row[17] == 1 and row[18] == "修改"
    assert "第4条" in row[19] and "建议补报备案" in row[19] and "建议明确有效期" in row[19]
    assert ws.max_row == 2
    f = [c.value for c in wb["问题清单"][2]]
    assert f == ["a.txt", "第4条", "经营者违反规定的处以罚款", "规范性文件不得设定罚款",
                 "《中华人民共和国行政处罚法》第十六条：规范性文件不得设定行政处罚", "建议删除", "错误", "行政处罚", "PN01"]
    assert [c.value for c in wb["失败与跳过"][2]] == ["z.pdf", "跳过", "不支持的文件类型（.pdf），只审核 .docx、.txt、.md"]
    assert wb["台账比对"].max_row == 1
    summ = {r[0]: r[1] for r in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summ["文件总数"] == 2 and summ["审核成功"] == 1 and summ["问题总数"] == 1 and summ["建议：修改"] == 1
    names = sorted(p.name for p in out.iterdir())  # no temporary files left behind
    assert names == [".batch.lock", "batch.sqlite", "results.jsonl", "summary.json", "清理报告.xlsx"]


def test_streaming_xlsx_writer_round_trip(tmp_path, monkeypatch):
    import zipfile

    from docreview.batch import xlsx

    monkeypatch.setattr(xlsx, "SHARED_BUDGET", 300)  # the shared-string table fills up: the rest goes inline
    texts = [" 前后空格 ", "a&b<c>d", "行1\r\n行2", "控制\x01\x0b字符", "x" * 40000, "\x01", "😀 表情", "=1+1"]
    path = tmp_path / "t.xlsx"
    with xlsx.StreamingWorkbook(path, tmpdir=tmp_path) as book:
        sheet = book.add_sheet("表一", ["文本", "共享", "数"], [20, 30, 8], wrap=[1], shared=[1])
        for i, t in enumerate(texts):
            sheet.append([t, f"{t}{i % 3}", i])
        sheet.append([None, "", 1.5])
        sheet.append([True, date(2024, 1, 10), datetime(2024, 1, 10, 12)])
        book.add_sheet("表二", ["空"], [8])
        book.save()
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]  # the sheets' temporary files are gone
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
        assert 0 < zf.read("xl/sharedStrings.xml").decode().count("<si>") < len(texts)
    assert '<c r="B2" s="3" t="s">' in xml and '<c r="B9" s="3" t="inlineStr">' in xml  # shared, then full
    wb = load_workbook(path)
    assert wb.sheetnames == ["表一", "表二"] and wb["表二"].max_row == 1
    ws = wb["表一"]
    assert ws.freeze_panes == "A2" and ws.column_dimensions["B"].width == 30
    assert [c.value for c in ws[1]] == ["文本", "共享", "数"] and all(c.font.bold for c in ws[1])
    want = [" 前后空格 ", "a&b<c>d", "行1\r\n行2", "控制字符", "x" * 32767, None, "😀 表情", "=1+1"]
    assert [c.value for c in ws["A"][1:9]] == want
    assert [c.value for c in ws["B"][1:9]] == [" 前后空格 0", "a&b<c>d1", "行1\r\n行22", "控制字符0", "x" * 32767, "2",
                                               "😀 表情0", "=1+11"]
    assert ws["B2"].alignment.wrap_text and not ws["A2"].alignment.wrap_text
    assert [c.value for c in ws["C"][1:10]] == [*range(8), 1.5]
    assert [c.value for c in ws[11]] == [True, datetime(2024, 1, 10), datetime(2024, 1, 10, 12)]
    assert ws["B11"].number_format == ws["C11"].number_format == "yyyy-mm-dd"


# --------------------------------------------------------------------------- outcome rules


def test_outcome_rules():
    doc = {"findings": [], "filing": {"recipients": [], "validity": {"status": "valid", "expires": "2030-01-01"}}}
    assert suggest(doc)[0] == "继续有效"
    issuer = {"title": "制定主体不适格", "message": "内设机构不得制发规范性文件", "severity": "error",
              "category": "procedure", "location": {"label": "全文"}}
    assert suggest({**doc, "findings": [issuer]}) == ("废止", "制定主体不适格：内设机构不得制发规范性文件，建议废止")
    interp = {"rule_id": "PR05", "title": "由内设机构负责解释", "message": "内设机构不得解释", "severity": "warning",
              "category": "procedure", "location": {"label": "第九条"}}
    assert suggest({**doc, "findings": [interp]})[0] == "继续有效"
    expired = {"findings": [issuer], "filing": {"validity": {"status": "expired", "expires": "2024-12-31"}}}
    assert suggest(expired)[0] == "宣布失效"
    late = {"findings": [], "filing": {"recipients": [{"recipient": "上级人民政府", "status": "late", "days": 3}],
                                       "validity": {"status": "valid"}}}
    out, reason = suggest(late)
    assert out == "继续有效" and "迟报3日，建议补报备案" in reason
    assert suggest(None, "E102 文件已加密")[0] == "无法审核"


# --------------------------------------------------------------------------- CLI


def test_cli_usage_errors_and_plain_progress(tmp_path, monkeypatch):
    runner = CliRunner()
    res = runner.invoke(app, ["batch", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "E301" in res.output and "Traceback" not in res.output
    arc = tmp_path / "arc"
    arc.mkdir()
    (arc / "a.txt").write_text(GOOD_A, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("标题\n某\n", encoding="utf-8")
    res = runner.invoke(app, ["batch", str(arc), "--out", str(tmp_path / "o"), "--ledger", str(bad)])
    assert res.exit_code == 2 and res.output.strip().startswith("E403")
    monkeypatch.setenv("DOCREVIEW_BATCH_ENGINE", FAKE)
    res = runner.invoke(app, ["batch", str(arc), "--out", str(tmp_path / "o"), "--today", "2026-01-01", "-j", "1"])
    assert res.exit_code == 0, res.output
    assert "[batch] 已处理 1/1（100%）" in res.output and "批量审核完成" in res.output


def test_local_path_does_not_import_dask(tmp_path):
    arc = tmp_path / "arc"
    arc.mkdir()
    (arc / "a.txt").write_text(GOOD_A, encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; from datetime import date\n"
        "from docreview.batch.run import BatchOptions, run_batch\n"
        f"s = run_batch(BatchOptions(archive=Path({str(arc)!r}), out=Path({str(tmp_path / 'o')!r}), jobs=1,"
        f" today=date(2026, 1, 1), factory={FAKE!r}))\n"
        "assert s['ok'] == 1\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


# --------------------------------------------------------------------------- kill -9 and resume


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def test_sigkill_mid_run_then_resume(tmp_path):
    arc = tmp_path / "arc"
    arc.mkdir()
    n = 24
    for i in range(n):
        (arc / f"d{i:02}.txt").write_text(f"文件{i}\n处以罚款\n" if i % 3 == 0 else f"文件{i}\n内容\n",
                                          encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "DOCREVIEW_BATCH_ENGINE": FAKE, "DOCREVIEW_BATCH_SLOW": "0.15",
           "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "docreview", "batch", str(arc), "--out", str(out), "-j", "2",
           "--today", "2026-01-01"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = out / "batch.sqlite"
    deadline = time.monotonic() + 30
    done = 0
    while time.monotonic() < deadline:
        if db.exists():
            try:
                with sqlite3.connect(db) as c:
                    done = c.execute("SELECT COUNT(*) FROM docs WHERE status='ok'").fetchone()[0]
            except sqlite3.OperationalError:
                done = 0
            if done >= 5:
                break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert 5 <= done < n
    with sqlite3.connect(db) as c:
        finished = c.execute("SELECT COUNT(*) FROM docs WHERE status='ok'").fetchone()[0]
        pids = {json.loads(r[0])["pid"] for r in c.execute("SELECT record FROM docs")}
    assert finished < n and not (out / "results.jsonl").exists()
    # the orphaned workers notice their parent is gone and exit
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(p) for p in pids):
        time.sleep(0.1)
    assert not any(_running(p) for p in pids)

    env.pop("DOCREVIEW_BATCH_SLOW")
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["run"]["reused"] == finished and summary["run"]["checked"] == n - finished
    rows = store_rows(out)
    assert [p for p, _, _ in rows] == [f"d{i:02}.txt" for i in range(n)]  # each exactly once
    assert all(s == "ok" for _, s, _ in rows)
    assert len(results(out)) == n and summary["findings"] == 8


# --------------------------------------------------------------------------- Dask cluster


def test_local_cluster_matches_local_pool(tmp_path):
    distributed = pytest.importorskip("distributed")
    arc = make_archive(tmp_path, crash=False)
    local_out, cluster_out = tmp_path / "local", tmp_path / "cluster"
    run_batch(opts(arc, local_out))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        s = run_batch(opts(arc, cluster_out, cluster=cluster.scheduler_address))
    assert s["run"]["checked"] == 5
    a, b = results(local_out), results(cluster_out)
    assert a == b
    assert run_batch(opts(arc, cluster_out, cluster="tcp://127.0.0.1:1", timeout=1))["run"]["checked"] == 0


def test_engine_spec_is_picklable():
    import pickle

    spec = EngineSpec(config_json=None, rules=("x",), kind="rule")
    assert pickle.loads(pickle.dumps(spec)) == spec


@pytest.mark.slow
def test_cluster_worker_death_and_timeout_are_charged_to_the_document(tmp_path):
    distributed = pytest.importorskip("distributed")
    import dask

    arc = tmp_path / "arc"
    arc.mkdir()
    (arc / "a.txt").write_text(GOOD_A, encoding="utf-8")
    (arc / "crash.txt").write_text("CRASH", encoding="utf-8")
    (arc / "hang.txt").write_text("HANG", encoding="utf-8")
    out = tmp_path / "out"
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as cluster:
        s = run_batch(opts(arc, out, cluster=cluster.scheduler_address, timeout=2))
    r = results(out)
    assert r["a.txt"]["status"] == "ok"
    assert r["crash.txt"]["status"] == "failed" and r["crash.txt"]["error"].startswith("E501")
    assert r["hang.txt"]["status"] == "failed" and r["hang.txt"]["error"].startswith("E113")
    assert s["ok"] == 1 and s["failed"] == 2


def _gc_probes(tmp_path: Path, n: int, **pool_kw) -> list[dict]:
    """Run ``n`` GCPROBE documents through the pool (fake engine); the decoded records, in order."""
    from docreview.batch.pool import run_pool

    tasks = []
    for i in range(n):
        p = tmp_path / f"g{i}.txt"
        p.write_text("GCPROBE", encoding="utf-8")
        tasks.append({"abs": str(p), "rel": p.name, "name": p.name})
    got: list[dict] = []
    run_pool(tasks, factory=FAKE, spec=None, ctx={"today": "2025-01-01"}, timeout=60,
             on_result=lambda task, rec: got.append(json.loads(rec.data)), **pool_kw)
    return got


def test_pool_worker_tunes_gc_after_its_first_document(tmp_path):
    """The worker's first document runs with Python's defaults; the later ones after tune_gc."""
    from docreview.batch.engine import GC_GEN0

    got = [r["doc"]["gc"] for r in _gc_probes(tmp_path, 3, jobs=1)]
    assert got[0][0] == 0 and got[0][1] < GC_GEN0
    assert all(frozen > 0 and threshold == GC_GEN0 for frozen, threshold in got[1:])


def test_pool_fork_server_gives_workers_the_warm_engine(tmp_path):
    """With ``fork_server`` the workers are forked from a server that built, warmed and froze the engine:
    even a worker's first document runs on it (collector already frozen); results as with spawn."""
    got = _gc_probes(tmp_path, 4, jobs=2, fork_server=True)
    assert len(got) == 4 and all(r["status"] == "ok" for r in got)
    assert all(r["doc"]["gc"][0] > 0 for r in got)

