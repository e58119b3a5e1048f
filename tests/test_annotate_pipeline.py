"""End to end: ``docreview check sample_banfa.docx --opinion … --annotate …`` through the real pipeline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from typer.testing import CliRunner

from docreview.cli import app
from docreview.ingest import read_document
from tests.test_annotate import anchored_texts, comments

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "samples" / "sample_banfa.docx"


@pytest.mark.skipif(not SAMPLE.exists(), reason="corpus sample not generated")
def test_check_writes_opinion_and_annotated_copy(tmp_path):
    src = tmp_path / "draft.docx"
    shutil.copyfile(SAMPLE, src)
    before = src.read_bytes()
    report, opinion, annotated = tmp_path / "r.json", tmp_path / "opinion.docx", tmp_path / "annotated.docx"
    res = CliRunner().invoke(app, [
        "check", str(src), "--format", "json", "--output", str(report), "--opinion", str(opinion),
        "--annotate", str(annotated), "--published", "2026-01-20", "--today", "2026-02-01",
        "--fail-on", "never",
    ])
    assert res.exit_code == 0, res.output
    assert src.read_bytes() == before
    doc = json.loads(report.read_text(encoding="utf-8"))["documents"][0]
    findings = doc["findings"]
    assert len(findings) >= 5  # the sample is full of violations

    # annotated copy: one comment per finding, on exactly its quote; text and tracked changes kept
    cs = comments(annotated)
    mine = {cid: text for cid, (author, text) in cs.items() if author == "docreview"}
    assert len(mine) == len(findings)
    anchored = anchored_texts(annotated)
    # comments are added in findings order, so the i-th docreview comment belongs to the i-th finding
    ordered = sorted(mine, key=int)
    for cid, f in zip(ordered, findings, strict=True):
        assert f"（{f['rule_id']}）" in mine[cid]
        if f["end"] > f["start"]:
            assert anchored[cid] == f["quote"], f
    assert read_document(annotated).text == read_document(src).text
    src_body = docx.Document(str(src)).element.body
    out_body = docx.Document(str(annotated)).element.body
    for tag in ("w:ins", "w:del"):
        assert len(out_body.findall(f".//{qn(tag)}")) == len(src_body.findall(f".//{qn(tag)}")) > 0

    # opinion: one table row per finding, conclusion and filing deadline from the pipeline
    od = docx.Document(str(opinion))
    rows = od.tables[0].rows
    assert len(rows) == 1 + len(findings)
    assert {r.cells[1].text.strip("“”") for r in rows[1:]} == {f["quote"] for f in findings if f["quote"]} \
        | ({"—"} if any(not f["quote"] for f in findings) else set())
    texts = [p.text for p in od.paragraphs]
    assert texts[0] == f"关于《{doc['title']}》的合法性审核意见"
    i = texts.index("四、审核结论")
    assert texts[i + 1].startswith(doc["conclusion"])
    assert "报送上级人民政府备案：2026年2月4日前" in "\n".join(texts)
