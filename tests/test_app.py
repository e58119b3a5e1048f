"""End-to-end behaviour of `docreview check` orchestration (docreview/app.py) on the sample drafts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
from typer.testing import CliRunner

from docreview.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpus" / "samples"
runner = CliRunner()


def test_opinion_and_annotation_into_new_directory(tmp_path: Path) -> None:
    draft = tmp_path / "draft.docx"
    shutil.copy(SAMPLES / "sample_banfa.docx", draft)
    before = draft.read_bytes()
    out = tmp_path / "out" / "nested"
    res = runner.invoke(app, ["check", str(draft), "--opinion", str(out / "意见.docx"),
                              "--annotate", str(out / "批注.docx"), "--format", "json",
                              "--today", "2026-11-25"])
    assert res.exit_code == 1, res.output
    data = json.loads(res.stdout)
    n = len(data["documents"][0]["findings"])
    assert n > 0
    assert (out / "意见.docx").is_file()
    annotated = docx.Document(str(out / "批注.docx"))
    assert len(list(annotated.comments)) == n
    assert draft.read_bytes() == before


def test_output_may_not_overwrite_the_draft(tmp_path: Path) -> None:
    draft = tmp_path / "draft.docx"
    shutil.copy(SAMPLES / "sample_xize.docx", draft)
    before = draft.read_bytes()
    res = runner.invoke(app, ["check", str(draft), "--annotate", str(draft)])
    assert res.exit_code == 2
    assert "E303" in res.output and "\n" not in res.output.strip()
    assert draft.read_bytes() == before


def test_opinion_needs_exactly_one_document() -> None:
    res = runner.invoke(app, ["check", str(SAMPLES), "--opinion", "x.docx"])
    assert res.exit_code == 2
    assert "E301" in res.output


def test_directory_is_expanded_and_bad_files_do_not_stop_others(tmp_path: Path) -> None:
    for name in ("sample_banfa.docx", "sample_tongzhi.docx"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "~$lock.docx").write_bytes(b"lock file")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    res = runner.invoke(app, ["check", str(tmp_path), "--format", "json", "--fail-on", "never"])
    assert res.exit_code == 2  # an unreadable input makes the run fail, after checking the others
    data = json.loads(res.stdout)
    assert sorted(Path(d["path"]).name for d in data["documents"]) == ["sample_banfa.docx",
                                                                       "sample_tongzhi.docx"]
    assert [Path(e["path"]).name for e in data["errors"]] == ["broken.docx"]
    assert data["errors"][0]["code"].startswith("E1")


def test_draft_is_not_treated_as_published() -> None:
    res = runner.invoke(app, ["check", str(SAMPLES / "sample_banfa.docx"), "--format", "json",
                              "--today", "2026-11-25"])
    filing = json.loads(res.stdout)["documents"][0]["filing"]
    assert filing["published"] is None
    assert {r["status"] for r in filing["recipients"]} == {"unknown"}
    res = runner.invoke(app, ["check", str(SAMPLES / "sample_banfa.docx"), "--format", "json",
                              "--today", "2026-02-10", "--published", "2026-01-20"])
    filing = json.loads(res.stdout)["documents"][0]["filing"]
    assert filing["published"] == "2026-01-20"
    assert {r["deadline"] for r in filing["recipients"]} == {"2026-02-04"}
    assert {r["status"] for r in filing["recipients"]} == {"overdue"}


def test_unknown_format_is_a_usage_error() -> None:
    res = runner.invoke(app, ["check", str(SAMPLES / "sample_banfa.docx"), "--format", "pdf"])
    assert res.exit_code == 2
    assert "E301" in res.output


def test_overlapping_findings_of_one_category_collapse() -> None:
    from docreview.model import Finding, Location
    from docreview.pipeline import collapse_overlaps

    def f(rule: str, sev: str, start: int, end: int, cat: str = "penalty") -> Finding:
        return Finding(rule, rule, cat, sev, Location(), "x" * (end - start), start, end, "", "", (), rule)

    wide = f("PN01", "error", 10, 30)
    inner = f("PN05", "error", 12, 15)          # inside, same severity → dropped
    weaker = f("CP16", "warning", 40, 45, "competition")
    strong = f("CP05", "error", 40, 46, "competition")
    other_cat = f("OB01", "error", 12, 15, "obligation")  # other category → kept
    stronger_inner = f("PN09", "error", 50, 52)
    weak_outer = f("PN10", "warning", 48, 60)   # a weaker outer finding does not swallow a stronger one
    same_a, same_b = f("FE02", "error", 70, 75, "fee"), f("FE03", "error", 70, 75, "fee")
    got = collapse_overlaps([wide, inner, weaker, strong, other_cat, stronger_inner, weak_outer, same_a, same_b])
    assert [x.rule_id for x in got] == ["PN01", "CP05", "OB01", "PN09", "PN10", "FE02"]


def test_collapse_overlaps_equals_pairwise_definition() -> None:
    """Grouping by category returns exactly what comparing every pair returns."""
    import random

    from docreview.model import SEVERITY_RANK, Finding, Location
    from docreview.pipeline import collapse_overlaps

    def covers(g: Finding, f: Finding) -> bool:
        if g is f or g.category != f.category or not (g.start <= f.start and f.end <= g.end):
            return False
        rg, rf = SEVERITY_RANK[g.severity], SEVERITY_RANK[f.severity]
        if rg != rf:
            return rg > rf
        if (g.start, g.end) != (f.start, f.end):
            return True
        return g.rule_id < f.rule_id

    rng = random.Random(7)
    for _ in range(300):
        found = []
        for _ in range(rng.randint(0, 25)):
            start = rng.randint(0, 30)
            end = start + rng.randint(0, 8)
            rule = f"R{rng.randint(1, 6):02d}"
            found.append(Finding(rule, rule, rng.choice(["penalty", "fee", "competition"]),
                                 rng.choice(["error", "warning", "info"]), Location(), "", start, end, "", "", (),
                                 rule))
        want = tuple(f for f in found if not any(covers(g, f) for g in found))
        got = collapse_overlaps(found)
        assert len(got) == len(want) and all(a is b for a, b in zip(got, want, strict=True))
