"""Preloaded by the pool's fork server: build the check engine and warm it up once, so every worker
forked from the server starts with it ready (copy-on-write) instead of importing spaCy, loading the
segmenter dictionary and compiling the rules itself (~1 s of CPU per worker).

The server learns what to build from ``WARM_ENV`` (set only while the pool starts it): a JSON object
with the factory, the engine spec and a key. ``engine_for(key)`` gives a worker the warm engine when
the key matches its own; otherwise (or if anything here failed) the worker builds its engine as usual,
so a failure is still reported per worker by the pool.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any

WARM_ENV = "DOCREVIEW_BATCH_WARM"
WARM_TEXT = (
    "某市人民政府关于印发某市收费管理办法的通知\n某府发〔2024〕1号\n各区人民政府：\n"
    "第一条 为了规范管理，根据有关法律法规，制定本办法。\n"
    "第二条 违反本办法规定的，由主管部门责令改正，处以五千元罚款。\n"
    "第三条 办理许可应当收取工本费。\n"
    "第四条 从事该项经营活动须经主管部门批准后方可开展。\n"
    "第五条 本办法自2024年1月1日起施行，有效期5年。\n某市人民政府\n2024年1月1日\n"
).encode()


def warm_docx() -> bytes:
    """``WARM_TEXT`` as a minimal .docx package (the archive's usual format has its own lazy imports)."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    paras = "".join(f"<w:p><w:r><w:t>{escape(line)}</w:t></w:r></w:p>"
                    for line in WARM_TEXT.decode().splitlines())
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
        "word/document.xml": (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}"><w:body>'
                              f"{paras}</w:body></w:document>"),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in parts.items():
            zf.writestr(name, xml)
    return buf.getvalue()


def warm_payload(factory: str, spec: Any, key: str) -> str:
    """The ``WARM_ENV`` value for an ``EngineSpec`` (or None, for test engines)."""
    fields = None if spec is None else {"config_json": spec.config_json, "rules": list(spec.rules),
                                        "kind": spec.kind}
    return json.dumps({"factory": factory, "spec": fields, "key": key})


def _build() -> tuple[str, Any] | None:
    raw = os.environ.get(WARM_ENV)
    if not raw:
        return None
    try:
        from datetime import date

        from docreview.batch.engine import EngineSpec, load_factory, tune_gc

        got = json.loads(raw)
        spec = None if got["spec"] is None else EngineSpec(
            config_json=got["spec"]["config_json"], rules=tuple(got["spec"]["rules"]), kind=got["spec"]["kind"])
        engine = load_factory(got["factory"]).build(spec)
        for data, name in ((WARM_TEXT, "warm-up.txt"), (warm_docx(), "warm-up.docx")):
            # loads what a first document loads lazily (spaCy vocab, segmenter dictionary, matchers);
            # only a warm-up, so a failure is ignored: the workers check for real
            with contextlib.suppress(Exception):
                engine.check(data, name, published=None, filed=None, today=date(2025, 1, 1))
        _precompile(engine)
        tune_gc()  # what stays loaded is loaded: frozen before the fork, so children share its pages
        return got["key"], engine
    except BaseException:  # noqa: BLE001 - never break the fork server: the workers then build their own
        return None


def _precompile(engine: Any) -> None:
    """Compile every rule's regexes now (the engine compiles a rule when a document first needs it,
    which each worker would otherwise repeat). Best effort: skipped for engines without a rule book."""
    try:
        from docreview.engine import _compiled

        book = engine.checker.book
        comp = _compiled(book)
        for rule in book.rules:
            _ = comp[rule.id].exceptions
    except Exception:  # noqa: BLE001 - an engine without these internals: nothing to precompile
        pass


_WARM = _build()  # set once, when the fork server imports this module; never changed


def engine_for(key: str | None) -> Any:
    """The warm engine built for ``key`` in this (forked) process, or None."""
    if key is not None and _WARM is not None and _WARM[0] == key:
        return _WARM[1]
    return None
