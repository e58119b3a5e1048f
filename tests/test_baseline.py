"""Baselines: create, load (E302 on bad files), apply; survive renumbering of articles."""

from __future__ import annotations

import json

import pytest

from docreview.baseline import (
    DEFAULT_REASON,
    apply_baseline,
    compute_fingerprint,
    create_baseline,
    load_baseline,
    parse_baseline,
    write_baseline,
)
from docreview.errors import DocreviewError
from tests.machine_samples import DOC_V1, DOC_V2, make_result


def _roundtrip(tmp_path, results, reason=DEFAULT_REASON):
    p = tmp_path / ".docreview-baseline.json"
    write_baseline(create_baseline(results, reason), p)
    return load_baseline(p), json.loads(p.read_text(encoding="utf-8"))


def test_create_records_fingerprints_and_reason(tmp_path):
    base, raw = _roundtrip(tmp_path, [make_result()], reason="2025年清理时保留，待修订")
    assert raw["version"] == 1 and len(raw["entries"]) == 3
    e = raw["entries"][0]
    assert e["rule_id"] == "PM01" and e["label"] == "第二条第一款" and e["quote"] == "须经市城管局审批"
    assert e["reason"] == "2025年清理时保留，待修订"
    assert e["fingerprint"] == compute_fingerprint("PM01", "须经市城管局审批")
    assert e["path"] == "drafts/广告办法.txt"
    assert len(base.entries) == 3
    _, raw2 = _roundtrip(tmp_path, [make_result()])
    assert {x["reason"] for x in raw2["entries"]} == {"既有问题，待清理"}


def test_baseline_survives_new_article_before_flagged_one(tmp_path):
    base, _ = _roundtrip(tmp_path, [make_result(text=DOC_V1)])
    v2 = make_result(text=DOC_V2)
    assert [f.location.label for f in v2.findings] != [f.location.label for f in make_result().findings]
    kept, suppressed = apply_baseline(v2.findings, base, path=v2.path)
    assert kept == [] and suppressed == 3


def test_new_finding_is_reported_old_ones_suppressed(tmp_path):
    base, _ = _roundtrip(tmp_path, [make_result(text=DOC_V1)])
    # renumbered draft plus a duplicate of a known problem in a new article: only the new one is kept
    text = DOC_V2.replace("第五条 本办法", "第五条 在本市设置临时广告的，须经市城管局审批。\n第六条 本办法")
    res = make_result(text=text)
    assert len(res.findings) == 4
    kept, suppressed = apply_baseline(res.findings, base, path=res.path)
    assert suppressed == 3
    assert [(f.rule_id, f.location.label) for f in kept] == [("PM01", "第五条")]


def test_path_scoping(tmp_path):
    base, _ = _roundtrip(tmp_path, [make_result(path="drafts/a.txt")])
    other = make_result(path="drafts/b.txt")
    kept, suppressed = apply_baseline(other.findings, base, path=other.path)
    assert suppressed == 0 and len(kept) == 3
    kept, suppressed = apply_baseline(other.findings, base)  # no path: match anywhere
    assert suppressed == 3 and kept == []


def test_absolute_and_relative_paths_match(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base, raw = _roundtrip(tmp_path, [make_result(path=str(tmp_path / "drafts" / "x.txt"))])
    assert raw["entries"][0]["path"] == "drafts/x.txt"
    res = make_result(path="./drafts/x.txt")
    assert apply_baseline(res.findings, base, path=res.path)[1] == 3


def test_fingerprint_ignores_width_and_spaces():
    assert compute_fingerprint("PN01", "处５０００元 罚款") == compute_fingerprint("PN01", "处5000元罚款")
    assert compute_fingerprint("PN01", "处5000元罚款") != compute_fingerprint("PM01", "处5000元罚款")


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "不是有效的 JSON"),
        ("[]", "JSON 对象"),
        ('{"version": 9, "entries": []}', "不支持的基线版本"),
        ('{"version": 1}', "entries"),
        ('{"version": 1, "entries": [{"rule_id": "PM01"}]}', "fingerprint"),
        ('{"version": 1, "entries": [{"fingerprint": "x", "reason": 5}]}', "reason"),
    ],
)
def test_bad_baseline_is_e302(tmp_path, content, needle):
    p = tmp_path / "b.json"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(DocreviewError) as ei:
        load_baseline(p)
    msg = str(ei.value)
    assert ei.value.code == "E302" and needle in msg and "\n" not in msg
    assert msg.startswith(f"E302 {p}: ")


def test_missing_baseline_and_non_utf8(tmp_path):
    with pytest.raises(DocreviewError, match="E302 .*基线文件不存在"):
        load_baseline(tmp_path / "none.json")
    p = tmp_path / "gbk.json"
    p.write_bytes('{"version": 1, "entries": [{"fingerprint": "审"}]}'.encode("gbk"))
    with pytest.raises(DocreviewError, match="UTF-8"):
        load_baseline(p)


def test_hand_written_entry_without_path_matches_everywhere():
    fp = compute_fingerprint("PM01", "须经市城管局审批")
    base = parse_baseline({"version": 1, "entries": [{"fingerprint": fp}]})
    res = make_result(path="any/where.txt")
    kept, suppressed = apply_baseline(res.findings, base, path=res.path)
    assert suppressed == 1 and [f.rule_id for f in kept] == ["OB03", "PN01"]
    assert base.entries[0].reason == DEFAULT_REASON
