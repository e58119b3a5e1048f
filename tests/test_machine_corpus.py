"""The CI formats on the real sample drafts (corpus/samples/*.docx) with the shipped rules.

Asserts that every format tells the same story as the JSON (same findings, counts, labels, quotes),
that SARIF validates, that exit codes follow --fail-on, and that a baseline silences everything.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from docreview.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "corpus" / "samples").glob("*.docx"))
SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
runner = CliRunner()

pytestmark = pytest.mark.skipif(not SAMPLES, reason="corpus/samples/*.docx not present")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("samples")
    for s in SAMPLES:
        shutil.copy(s, d / s.name)
    (d / "docreview.toml").write_text("", encoding="utf-8")  # shield from any config further up
    return d


def invoke(workdir: Path, *args: str):
    import os

    old = os.getcwd()
    os.chdir(workdir)
    try:
        return runner.invoke(app, list(args))
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def reports(workdir):
    names = [s.name for s in SAMPLES]
    out = {}
    for fmt in ("json", "sarif", "junit", "github", "markdown"):
        r = invoke(workdir, "check", *names, "-f", fmt, "--fail-on", "never")
        assert r.exit_code == 0, r.output
        out[fmt] = r.output
    return out


def test_formats_agree_with_json(reports):
    docs = json.loads(reports["json"])["documents"]
    findings = [(d["path"], f) for d in docs for f in d["findings"]]
    assert findings, "the sample drafts are written to contain problems"
    # SARIF
    sarif = json.loads(reports["sarif"])["runs"][0]
    assert len(sarif["results"]) == len(findings)
    got = sorted((r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
                  r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]) for r in sarif["results"])
    want = sorted((f["rule_id"], f["location"]["label"] or "全文", f["quote"]) for _, f in findings)
    assert got == want
    rule_ids = [r["id"] for r in sarif["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids)) and set(rule_ids) == {f["rule_id"] for _, f in findings}
    # JUnit
    root = ET.fromstring(reports["junit"].encode("utf-8"))
    for d in docs:
        suite = next(s for s in root.findall("testsuite") if s.get("name") == d["path"])
        assert int(suite.get("failures")) == len(d["findings"])
    # GitHub
    lines = reports["github"].splitlines()
    assert len(lines) == len(findings)
    levels = {"error": "::error ", "warning": "::warning ", "info": "::notice "}
    assert sorted(ln.split(" ", 1)[0] + " " for ln in lines) == sorted(levels[f["severity"]] for _, f in findings)
    # Markdown: one table row per finding, a heading per document
    rows = [ln for ln in reports["markdown"].splitlines() if ln.startswith("| ") and "|---" not in ln
            and not ln.startswith(("| 位置", "| 类别"))]
    per_doc = sum(len(d["findings"]) for d in docs)
    cat_rows = len(json.loads(reports["json"])["summary"]["by_category"]) + 1
    assert len(rows) == per_doc + cat_rows
    for d in docs:
        assert f"### {d['title']}" in reports["markdown"]


def test_sarif_of_samples_validates(reports):
    if not SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SCHEMA}")
    from jsonschema.validators import validator_for

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = list(validator_for(schema)(schema).iter_errors(json.loads(reports["sarif"])))
    assert not errors, errors[0].message


def test_quotes_are_document_text(reports, workdir):
    """Offsets in SARIF point at the quote inside the document text the engine saw."""
    from docreview.ingest import read_document

    sarif = json.loads(reports["sarif"])["runs"][0]
    texts = {}
    for r in sarif["results"]:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        if uri not in texts:
            texts[uri] = read_document(workdir / uri).text
        reg = r["locations"][0]["physicalLocation"]["region"]
        assert texts[uri][reg["charOffset"]:reg["charOffset"] + reg["charLength"]] == reg["snippet"]["text"]


def test_exit_codes_on_samples(workdir, reports):
    docs = json.loads(reports["json"])["documents"]
    name = docs[0]["path"]
    sev = {f["severity"] for f in docs[0]["findings"]}
    assert invoke(workdir, "check", name, "-f", "json", "--fail-on", "never").exit_code == 0
    assert invoke(workdir, "check", name, "-f", "json", "--fail-on", "info").exit_code == (1 if sev else 0)
    assert invoke(workdir, "check", name, "-f", "json").exit_code == (1 if "error" in sev else 0)
    assert invoke(workdir, "check", name, "missing.docx", "-f", "json").exit_code == 2


def test_baseline_silences_samples(workdir):
    names = [s.name for s in SAMPLES]
    r = invoke(workdir, "baseline", "create", *names, "-o", "base.json")
    assert r.exit_code == 0, r.output
    r = invoke(workdir, "check", *names, "-f", "json", "--baseline", "base.json", "--fail-on", "info")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert all(d["findings"] == [] for d in data["documents"])
    assert data["summary"]["suppressed"] == len(json.loads((workdir / "base.json").read_text())["entries"]) > 0
