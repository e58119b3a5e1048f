"""What a batch worker runs for one document: the check engine and the per-task wrapper.

An *engine factory* is named by a ``"module:attribute"`` string (picklable, importable in a spawned
process or on a Dask worker) and provides ``version(spec) -> str`` (cheap: no segmenter) and
``build(spec) -> engine`` where ``engine.check(data, name, *, published, filed, today) -> dict`` returns
the check-JSON document object and raises DocreviewError for bad input. ``RealEngine`` wraps
``docreview.pipeline.Checker``; tests inject their own factory.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from docreview.errors import DocreviewError

REAL_ENGINE = "docreview.batch.engine:RealEngine"
EXPIRING_DAYS = 183  # "届满前6个月" evaluation window


@dataclass(frozen=True, slots=True)
class EngineSpec:
    """How to build the checker: picklable, sent once to every worker."""

    config_path: str | None = None
    rules: tuple[str, ...] = ()
    kind: str | None = None


def load_factory(ref: str) -> Any:
    mod, _, attr = ref.partition(":")
    return getattr(importlib.import_module(mod), attr)


class _Real:
    def __init__(self, spec: EngineSpec) -> None:
        from docreview.config import load_config
        from docreview.pipeline import Checker

        self.checker = Checker(load_config(spec.config_path), extra_rules=spec.rules, kind=spec.kind)

    def check(self, data: bytes, name: str, *, published: date | None, filed: date | None,
              today: date) -> dict[str, Any]:
        from docreview.report.serialize import document_to_dict

        filed_map = _filed_map(filed)
        res = self.checker.check_bytes(data, name, published=published, filed=filed_map, today=today)
        doc = document_to_dict(res)
        doc["provisional"] = res.statute.provisional  # kept so a refresh can re-assess filing exactly
        return doc


def _filed_map(filed: date | None) -> dict[str, date] | None:
    if filed is None:
        return None
    from docreview.filing import parse_filed

    return parse_filed([filed.isoformat()])


def dates_from_dict(d: dict[str, Any] | None) -> Any:
    """Rebuild ``DocDates`` from the check-JSON ``dates`` object (spans are not needed by filing)."""
    from docreview.model import DocDates, Effective, Validity

    if not d:
        return DocDates()
    eff, val = d.get("effective"), d.get("validity")
    return DocDates(
        signed=_d(d.get("signed")), published=_d(d.get("published")),
        effective=None if eff is None else Effective(
            on=_d(eff.get("on")), relative_to=eff.get("relative_to"), days_after=eff.get("days_after") or 0,
            text=eff.get("text") or ""),
        validity=None if val is None else Validity(
            years=val.get("years"), months=val.get("months"), until=_d(val.get("until")),
            text=val.get("text") or ""),
    )


class _RealRefresher:
    """Re-assess filing and validity for a new ``today`` from a stored document, without NLP."""

    def __init__(self, spec: EngineSpec) -> None:
        from docreview.config import load_config
        from docreview.filing import get_profile, load_calendar

        cfg = load_config(spec.config_path)
        self.profile = get_profile(cfg.profile)
        self.calendar = load_calendar(cfg.holidays)

    def __call__(self, doc: dict[str, Any], *, published: date | None, filed: date | None,
                 today: date) -> dict[str, Any]:
        from docreview.filing import assess
        from docreview.report.serialize import filing_to_dict

        rep = assess(dates_from_dict(doc.get("dates")), title=doc.get("title") or "",
                     provisional=bool(doc.get("provisional")), published=published, filed=_filed_map(filed),
                     today=today, profile=self.profile, calendar=self.calendar)
        return {**doc, "filing": filing_to_dict(rep)}


class RealEngine:
    """Factory for the real pipeline (``docreview.pipeline.Checker``)."""

    @staticmethod
    def version(spec: EngineSpec) -> str:
        from docreview import __version__
        from docreview.config import load_config
        from docreview.rulebook import load_rulebook

        cfg = load_config(spec.config_path)
        book = load_rulebook(spec.rules, cfg)
        kind = spec.kind or cfg.kind
        return f"{__version__}:{book.version}:{cfg.model_dump_json(exclude={'source'})}:{kind}"

    @staticmethod
    def build(spec: EngineSpec) -> _Real:
        return _Real(spec)

    @staticmethod
    def refresher(spec: EngineSpec) -> _RealRefresher:
        return _RealRefresher(spec)


def version_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def inputs_key(row: dict[str, Any] | None, today: date) -> str:
    """The per-document inputs besides content: ledger dates used and ``today``."""
    r = row or {}
    return json.dumps(
        {"today": today.isoformat(), **{k: r.get(k) for k in ("published", "filed", "effective", "expires")}},
        sort_keys=True,
    )


def _d(s: str | None) -> date | None:
    return date.fromisoformat(s) if s else None


def same_but_today(a: str | None, b: str) -> bool:
    """Two ``inputs_key`` values that differ at most in ``today``."""
    if a is None:
        return False
    x, y = json.loads(a), json.loads(b)
    x.pop("today", None)
    y.pop("today", None)
    return x == y


def refresh_record(
    refresh: Any, rec: dict[str, Any], row: dict[str, Any] | None, via: str | None, today: date,
) -> dict[str, Any]:
    """A stored ok record re-assessed for a new ``today`` (filing, validity, outcome); findings kept."""
    from docreview.batch.outcome import suggest

    doc = refresh(rec["doc"], published=_d((row or {}).get("published")), filed=_d((row or {}).get("filed")),
                  today=today)
    doc = apply_ledger_validity(doc, row, today)
    outcome, reason = suggest(doc)
    return {**rec, "doc": doc, "outcome": outcome, "outcome_reason": reason, "inputs": inputs_key(row, today),
            "ledger": None if row is None else {**row, "via": via}}


def apply_ledger_validity(doc: dict[str, Any], row: dict[str, Any] | None, today: date) -> dict[str, Any]:
    """The ledger's 施行日期 / 有效期至 override the document's; validity status recomputed."""
    if not row or not (row.get("expires") or row.get("effective")):
        return doc
    filing = dict(doc.get("filing") or {})
    v = dict(filing.get("validity") or {"effective": None, "expires": None, "status": "unknown", "note": ""})
    if row.get("effective"):
        v["effective"] = row["effective"]
    if row.get("expires"):
        v["expires"] = row["expires"]
        exp = date.fromisoformat(row["expires"])
        v["status"] = ("expired" if today > exp else
                       "expiring" if exp - today <= timedelta(days=EXPIRING_DAYS) else "valid")
        v["note"] = "；".join(x for x in (v.get("note"), "有效期以台账“有效期至”为准") if x)
    filing["validity"] = v
    return {**doc, "filing": filing}


def _fail(code: str, message: str) -> dict[str, Any]:
    return {"status": "failed", "error": f"{code} {message}", "code": code}


def process(engine: Any, task: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    """Check one document; never raises. Returns the stored record (status ok|failed)."""
    from docreview.batch.ledger import norm_number
    from docreview.batch.outcome import suggest
    from docreview.errors import E_BATCH, E_MISSING

    t0 = time.perf_counter()
    data = task.get("data")
    if data is None:
        try:
            with open(task["abs"], "rb") as fh:
                data = fh.read()
        except OSError as exc:
            out = _fail(E_MISSING, f"无法读取文件：{exc.strerror}")
            out.update(sha256=None, seconds=time.perf_counter() - t0)
            return out
    sha = hashlib.sha256(data).hexdigest()
    if ctx.get("slow"):
        time.sleep(float(ctx["slow"]))
    today = date.fromisoformat(ctx["today"])
    row, via = task.get("row"), ("文件" if task.get("row") else None)
    try:
        doc = engine.check(data, task["name"], published=_d((row or {}).get("published")),
                           filed=_d((row or {}).get("filed")), today=today)
        if row is None and ctx.get("numbers") and doc.get("doc_number"):
            hit = ctx["numbers"].get(norm_number(doc["doc_number"]))
            if hit is not None:
                row, via = hit, "文号"
                if hit.get("published") or hit.get("filed"):
                    doc = engine.check(data, task["name"], published=_d(hit.get("published")),
                                       filed=_d(hit.get("filed")), today=today)
        doc = apply_ledger_validity(doc, row, today)
    except DocreviewError as err:
        out = _fail(err.code, err.message)
    except MemoryError:
        out = _fail(E_BATCH, "内存不足，无法处理该文件")
    except Exception as exc:  # a bug in a stage must not stop the batch
        out = _fail(E_BATCH, f"内部错误：{type(exc).__name__}: {exc}")
    else:
        doc["path"] = task["rel"]
        doc["sha256"] = sha
        outcome, reason = suggest(doc)
        out = {"status": "ok", "error": None, "doc": doc, "outcome": outcome, "outcome_reason": reason}
    if out["status"] == "failed":
        out["outcome"], out["outcome_reason"] = suggest(None, out["error"])
    out["sha256"] = sha
    out["ledger"] = None if row is None else {**row, "via": via}
    out["inputs"] = inputs_key(row, today)
    out["seconds"] = round(time.perf_counter() - t0, 4)
    out["pid"] = os.getpid()
    return out
