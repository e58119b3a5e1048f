"""The rich terminal report: grouping by article, highlighted quote, summary, conclusion, filing block."""

from __future__ import annotations

from dataclasses import replace
from io import StringIO

from rich.cells import cell_len
from rich.console import Console

from docreview.report.console import render_console, render_console_text, sentence_context
from tests.machine_samples import filing_report, make_result

ERR = {"path": "drafts/坏文件.docx", "code": "E102", "message": "文件已加密，无法读取"}


def test_plain_report_contents_in_100_columns():
    out = render_console_text([make_result(filing=filing_report())], [ERR], width=100)
    lines = out.splitlines()
    assert all(cell_len(ln) <= 100 for ln in lines)  # CJK characters are two cells wide
    assert "\x1b[" not in out  # no ANSI codes when not a terminal
    # grouped by article, in document order, each finding under its article heading
    heads = [ln for ln in lines if ln.startswith("▌")]
    assert heads == ["▌第二条", "▌第三条"]
    i2, i3 = lines.index("▌第二条"), lines.index("▌第三条")
    assert any("第二条第一款  [错误]  行政许可  PM01 设定行政许可" in ln for ln in lines[i2:i3])
    assert any("第二条第二款  [警告]  增加义务·减损权利  OB03" in ln for ln in lines[i2:i3])
    # the match is marked inside its sentence (article label stripped)
    assert "原文：“在本市设置户外广告的，【须经市城管局审批】。”" in out
    assert "依据：《中华人民共和国行政许可法》第十七条" in out
    assert "建议：删除该审批要求" in out
    # summary table, conclusion, filing block, error line
    row = next(ln for ln in lines if ln.strip().startswith("行政许可 "))
    assert row.split() == ["行政许可", "1", "0", "0", "1"]
    assert "审核结论：修改后可以提请审议" in out
    assert "  报送上级人民政府：已逾期未报送（逾期 3 日），截止2026-02-04\n    依据：自公布之日起30日内" in out
    assert "报送本级人大常委会：已按时报送，截止2026-02-04，报送日期2026-01-20" in out
    assert "有效期：未规定有效期，自2026-01-01施行\n" in out
    assert "  注：施行日期早于公布日期" in out
    assert lines[-1] == "E102 drafts/坏文件.docx: 文件已加密，无法读取"


def test_clean_document_and_baseline_note():
    res = replace(make_result(phrases={}), suppressed=2)
    out = render_console_text([res])
    assert "未发现问题。" in out and "审核结论：合法，可以提请审议" in out
    assert "基线已忽略 2 处既有问题" in out
    assert "问题统计" not in out
    assert "备案与有效期：未计算" in out


def test_multi_document_totals():
    out = render_console_text([make_result(), make_result(path="b.txt")])
    assert "共 2 个文件，6 处问题。" in out
    assert out.count("问题统计") == 3  # one per document plus the overall table


def test_terminal_output_highlights_with_style():
    buf = StringIO()
    console = Console(file=buf, width=100, force_terminal=True, color_system="truecolor")
    render_console([make_result()], [], console)
    out = buf.getvalue()
    assert "\x1b[" in out
    assert "【" not in out  # colour replaces the plain-text markers
    assert "须经市城管局审批" in out


def test_sentence_context_limits_and_bounds():
    text = "甲" * 100 + "须经审批" + "乙" * 100 + "。下一句"
    before, match, after = sentence_context(text, 100, 104, limit=10)
    assert match == "须经审批" and before == "…" + "甲" * 10 and after == "乙" * 10 + "…"
    assert sentence_context("第一句。第二句须经审批；第三句", 7, 11) == ("第二句", "须经审批", "；")
    assert sentence_context("abc", 5, 9) == ("", "", "")


def test_finding_without_span_shows_quote():
    res = make_result()
    f = replace(res.findings[0], start=0, end=0)
    out = render_console_text([replace(res, findings=(f,))])
    assert "原文：“须经市城管局审批”" in out


def test_notice_style_sections_group_by_label():
    from docreview.model import Location

    res = make_result()
    f1 = replace(res.findings[0], location=Location(label="二、（三）"))
    f2 = replace(res.findings[2], location=Location(label="二、（三）"))
    f3 = replace(res.findings[1], location=Location(label=""))
    out = render_console_text([replace(res, findings=(f1, f2, f3))])
    heads = [ln for ln in out.splitlines() if ln.startswith("▌")]
    assert heads == ["▌二、（三）", "▌全文"]
