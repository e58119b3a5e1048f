"""Ingest errors through the real CLI: one Chinese line on stderr, exit code 2, no traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from docreview.cli import app
from tests.docxfactory import ole_bytes


@pytest.mark.parametrize(("name", "content", "code"), [
    ("fake.docx", b"plain text, not a zip", "E103"),
    ("old.doc", None, "E105"),
    ("draft.pdf", b"%PDF-1.4", "E111"),
    ("missing.docx", "absent", "E100"),
])
def test_parse_bad_input_exit_2(tmp_path, name, content, code):
    p = tmp_path / name
    if content is None:
        p.write_bytes(ole_bytes({"WordDocument": b"\0" * 10}))
    elif content != "absent":
        p.write_bytes(content)
    res = CliRunner().invoke(app, ["parse", str(p)])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"{code} {p}: ")
    assert "Traceback" not in res.output
