"""Scoring math, loader validation and the keyword baseline of docreview.evaluate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from docreview import evaluate as ev
from docreview.cli import app
from docreview.errors import DocreviewError


def _clause(cid: str, labels: set[str], text: str = "条文", **kw) -> ev.LabelledClause:
    return ev.LabelledClause(id=cid, text=text, labels=frozenset(labels), **kw)


# Five clauses and hand-chosen predictions; every number below was computed by hand.
TINY = [
    _clause("a", {"permit"}),
    _clause("b", {"penalty", "coercion"}),
    _clause("c", set()),
    _clause("d", {"fee"}),
    _clause("e", {"obligation"}),
]
PRED = {
    "a": {"permit"},
    "b": {"penalty"},
    "c": {"fee"},
    "d": set(),
    "e": {"obligation", "competition"},
}


def test_score_per_category_counts() -> None:
    s = ev.score(TINY, PRED)
    got = {cat: (c.tp, c.fp, c.fn) for cat, c in s.categories}
    assert got == {
        "permit": (1, 0, 0),
        "penalty": (1, 0, 0),
        "coercion": (0, 0, 1),
        "fee": (0, 1, 1),
        "obligation": (1, 0, 0),
        "competition": (0, 1, 0),
        "procedure": (0, 0, 0),
        "reference": (0, 0, 0),
    }


def test_score_rates_and_micro_overall() -> None:
    s = ev.score(TINY, PRED)
    assert s.category("permit").f1 == 1.0
    coercion = s.category("coercion")
    assert (coercion.precision, coercion.recall, coercion.f1) == (0.0, 0.0, 0.0)
    fee = s.category("fee")
    assert (fee.precision, fee.recall, fee.f1) == (0.0, 0.0, 0.0)
    comp = s.category("competition")  # a false alarm in a category with no gold positives
    assert (comp.precision, comp.recall, comp.f1) == (0.0, 1.0, 0.0)
    o = s.overall
    assert (o.tp, o.fp, o.fn) == (3, 2, 2)
    assert o.precision == pytest.approx(0.6)
    assert o.recall == pytest.approx(0.6)
    assert o.f1 == pytest.approx(0.6)
    assert s.exact == 1


def test_score_lists_misses_and_false_alarms() -> None:
    s = ev.score(TINY, PRED)
    assert [(m.id, m.expected, m.got) for m in s.misses] == [
        ("b", ("coercion", "penalty"), ("penalty",)),
        ("d", ("fee",), ()),
    ]
    assert [(m.id, m.expected, m.got) for m in s.false_alarms] == [
        ("c", (), ("fee",)),
        ("e", ("obligation",), ("competition", "obligation")),
    ]


def test_targets_use_overall_and_only_active_categories() -> None:
    met = ev.meets_targets(ev.score(TINY, PRED))
    assert met["recall"] is False and met["precision"] is False
    assert met["permit"] is True and met["fee"] is False and met["competition"] is False
    assert "procedure" not in met  # no gold positives and no predictions
    perfect = ev.score(TINY, {c.id: c.labels for c in TINY})
    assert all(ev.meets_targets(perfect).values())
    assert perfect.overall.f1 == 1.0 and not perfect.misses and not perfect.false_alarms


def test_evaluate_runs_injected_predictor() -> None:
    calls: list[str] = []

    def predictor(c: ev.LabelledClause) -> set[str]:
        calls.append(c.id)
        return PRED[c.id]

    s = ev.evaluate(TINY, predictor, name="fake")
    assert calls == ["a", "b", "c", "d", "e"]
    assert s.name == "fake" and (s.overall.tp, s.overall.fp, s.overall.fn) == (3, 2, 2)


# --------------------------------------------------------------------------- baseline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("未经市城市管理局批准，任何单位和个人不得设置户外广告设施。", {"permit", "obligation"}),
        ("对违反本规定的经营者，处五百元罚款。", {"penalty"}),
        # naive substring matching: 实施行政许可 contains 施行 (procedure), 不得收取 is a negation
        ("行政机关实施行政许可，不得收取任何费用。", {"permit", "obligation", "fee", "procedure"}),
        ("各区人民政府要加强组织领导。", set()),
        ("根据《中华人民共和国行政处罚法》第十六条制定本条。", {"penalty", "reference"}),
        ("本办法自2026年3月1日起施行，有效期5年。", {"procedure"}),
        ("政府投资项目优先选择本地企业。", {"competition"}),
        ("执法部门可以查封违法场所。", {"coercion"}),
    ],
)
def test_baseline_keywords(text: str, expected: set[str]) -> None:
    assert ev.baseline_predict(text) == expected


def test_baseline_needs_article_for_reference() -> None:
    assert "reference" not in ev.baseline_predict("依照《中华人民共和国行政处罚法》的规定处理。")


# --------------------------------------------------------------------------- loader


def _write(d: Path, name: str, body: str) -> Path:
    p = d / name
    p.write_text(body, encoding="utf-8")
    return p


GOOD = """\
- id: t-001
  text: "未经批准不得设置广告。"
  labels: [permit]
  source: "written for docreview"
- id: t-002
  text: "本办法所称广告，是指户外广告。"
  labels: []
  trap: definition
- id: t-003
  text: "某文件\\n第一条 目的。\\n某市人民政府"
  labels: [procedure]
  scope: document
  kind: rule
"""


def test_load_good_file(tmp_path: Path) -> None:
    _write(tmp_path, "a.yml", GOOD)
    _write(tmp_path, "notes.txt", "ignored")
    cl = ev.load_clauses(tmp_path)
    assert [c.id for c in cl] == ["t-001", "t-002", "t-003"]
    assert cl[0].labels == {"permit"} and cl[0].scope == "clause" and cl[0].kind == "normative"
    assert cl[1].labels == frozenset() and cl[1].trap == "definition"
    assert cl[2].scope == "document" and cl[2].kind == "rule" and "\n第一条" in cl[2].text


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("- id: x-1\n  text: 甲\n  labels: [permits]\n", "未知类别 permits"),
        ("- id: x-1\n  labels: [permit]\n", "缺少字段 text"),
        ("- id: x-1\n  text: 甲\n  labels: [permit]\n  lable: 1\n", "未知字段 lable"),
        ("- id: X 1\n  text: 甲\n  labels: []\n", "id 无效"),
        ("- id: x-1\n  text: ''\n  labels: []\n", "text 为空"),
        ("- id: x-1\n  text: 甲\n  labels: permit\n", "labels 必须是类别列表"),
        ("- id: x-1\n  text: 甲\n  labels: [fee, fee]\n", "重复类别"),
        ("- id: x-1\n  text: 甲\n  labels: []\n  scope: chapter\n", "scope 无效"),
        ("- id: x-1\n  text: 甲\n  labels: []\n  kind: law\n", "kind 无效"),
        ("id: x-1\n", "顶层必须是条目列表"),
        ("- id: x-1\n  text: [unclosed\n", "YAML 语法错误"),
    ],
)
def test_load_rejects_bad_entries(tmp_path: Path, body: str, fragment: str) -> None:
    p = _write(tmp_path, "bad.yml", body)
    with pytest.raises(DocreviewError) as exc:
        ev.load_clauses(tmp_path)
    msg = str(exc.value)
    assert exc.value.code == "E600"
    assert msg.startswith(f"E600 {p}: ")
    assert fragment in msg and "\n" not in msg


def test_load_rejects_duplicate_ids_across_files(tmp_path: Path) -> None:
    _write(tmp_path, "a.yml", GOOD)
    b = _write(tmp_path, "b.yml", "- id: t-002\n  text: 乙\n  labels: []\n")
    with pytest.raises(DocreviewError) as exc:
        ev.load_clauses(tmp_path)
    assert str(exc.value).startswith(f"E600 {b}: id t-002 重复")


def test_load_rejects_missing_or_empty_dir(tmp_path: Path) -> None:
    with pytest.raises(DocreviewError, match="目录不存在"):
        ev.load_clauses(tmp_path / "nope")
    with pytest.raises(DocreviewError, match="没有 .yml"):
        ev.load_clauses(tmp_path)


# --------------------------------------------------------------------------- CLI (baseline only: fast)


def test_cli_baseline_only_json(tmp_path: Path) -> None:
    _write(tmp_path, "a.yml", GOOD)
    res = CliRunner().invoke(app, ["eval", str(tmp_path), "--baseline-only", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["clauses"] == 3 and data["lawful"] == 1
    assert data["docreview"] is None and "--baseline-only" in data["engine_note"]
    base = data["baseline"]["categories"]
    # t-001 has 批准 (permit) and 不得 (obligation); t-003 has no 施行/有效期 -> procedure missed
    assert base["permit"] == {
        "tp": 1, "fp": 0, "fn": 0, "support": 1, "precision": 1.0, "recall": 1.0, "f1": 1.0,
    }
    assert (base["obligation"]["fp"], base["procedure"]["fn"]) == (1, 1)
    assert data["baseline"]["overall"]["tp"] == 1


def test_cli_baseline_only_text(tmp_path: Path) -> None:
    _write(tmp_path, "a.yml", GOOD)
    res = CliRunner().invoke(app, ["eval", str(tmp_path), "--baseline-only"])
    assert res.exit_code == 0, res.output
    assert "共 3 条" in res.stdout and "基线" in res.stdout and "permit" in res.stdout


def test_cli_bad_file_exits_2_with_one_line(tmp_path: Path) -> None:
    _write(tmp_path, "a.yml", "- id: x-1\n  text: 甲\n  labels: [nope]\n")
    res = CliRunner().invoke(app, ["eval", str(tmp_path), "--baseline-only"])
    assert res.exit_code == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("E600 ") and "Traceback" not in res.output


def test_cli_bad_format_exits_2(tmp_path: Path) -> None:
    _write(tmp_path, "a.yml", GOOD)
    res = CliRunner().invoke(app, ["eval", str(tmp_path), "--format", "xml"])
    assert res.exit_code == 2 and res.stderr.startswith("E301")


def test_evaluate_records_predictor_errors_per_clause() -> None:
    def predictor(c: ev.LabelledClause) -> set[str]:
        if c.id == "b":
            raise ValueError("rule X blew up")
        return PRED[c.id]

    s = ev.evaluate(TINY, predictor)
    assert s.errors == (("b", "ValueError: rule X blew up"),)
    # b now predicts nothing: penalty becomes a miss too
    assert (s.category("penalty").tp, s.category("penalty").fn) == (0, 1)
    assert (s.overall.tp, s.overall.fp, s.overall.fn) == (2, 2, 3)
    assert ev.score_json(s)["errors"] == [{"id": "b", "error": "ValueError: rule X blew up"}]


def test_false_alarms_grouped_by_trap() -> None:
    clauses = [
        _clause("n1", set(), trap="negation"),
        _clause("n2", set(), trap="negation"),
        _clause("s1", set(), trap="soft"),
        _clause("p1", {"permit"}),
    ]
    s = ev.score(clauses, {"n1": {"fee"}, "n2": {"fee", "permit"}, "s1": set(), "p1": {"permit", "fee"}})
    # p1 is a false alarm too, but on a positive clause: not a trap
    assert s.alarms_by_trap() == {"negation": 2}
    assert ev.score_json(s)["false_alarms"][0]["trap"] == "negation"
