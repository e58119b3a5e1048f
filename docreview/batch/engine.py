"""What a batch worker runs for one document: the check engine and the per-task wrapper.

An *engine factory* is named by a ``"module:attribute"`` string (picklable, importable in a spawned
process or on a Dask worker) and provides ``version(spec) -> str`` (cheap: no segmenter) and
``build(spec) -> engine`` where ``engine.check(data, name, *, published, filed, today) -> dict`` returns
the check-JSON document object and raises DocreviewError for bad input. Optional: ``refresher(spec)``
(re-assess filing/validity of a stored document for a new ``today`` without NLP) and an engine attribute
``judge_validity`` (the filing profile's validity rules for ledger dates). ``RealEngine`` wraps
``docreview.pipeline.Checker``; tests inject their own factory (``tests/batch_fakes.py``).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from docreview.errors import DocreviewError

REAL_ENGINE = "docreview.batch.engine:RealEngine"
EXPIRING_DAYS = 183  # "届满前6个月" evaluation window


@dataclass(frozen=True, slots=True)
class EngineSpec:
    """How to build the checker: picklable, sent once to every worker."""

    config_json: str | None = None  # the effective Config, resolved where the command runs
    rules: tuple[str, ...] = ()
    kind: str | None = None


def spec_config(spec: EngineSpec) -> Any:
    """The Config a spec names (defaults when none was resolved)."""
    from docreview.config import Config

    return Config.model_validate_json(spec.config_json) if spec.config_json else Config()


def load_factory(ref: str) -> Any:
    mod, _, attr = ref.partition(":")
    return getattr(importlib.import_module(mod), attr)


def _profile_judge(profile: Any) -> Any:
    def judge(expires: date, effective: date | None, today: date, provisional: bool) -> tuple[str, str]:
        from docreview.filing import validity_status

        v = validity_status(expires, today, profile=profile, effective=effective, provisional=provisional)
        return v.status, v.note

    return judge


class _Real:
    def __init__(self, spec: EngineSpec) -> None:
        from docreview.pipeline import Checker

        self.checker = Checker(spec_config(spec), extra_rules=spec.rules, kind=spec.kind)
        self.judge_validity = _profile_judge(self.checker.profile)

    def check(self, data: bytes, name: str, *, published: date | None, filed: date | None,
              today: date) -> dict[str, Any]:
        from docreview.report.serialize import document_to_dict

        filed_map = _filed_map(filed)
        res = self.checker.check_bytes(data, name, published=published, filed=filed_map, today=today)
        doc = document_to_dict(res)
        doc["provisional"] = res.statute.provisional  # kept so a refresh can re-assess filing exactly
        return doc


GC_GEN0 = 5000  # young-generation threshold for a worker (Python's default 700)


def tune_gc() -> None:
    """Garbage-collector settings for a dedicated worker process that checks document after document
    (the pool calls it once, after the worker's first document, when the segmenter dictionaries and
    rule regexes are loaded; never in a process docreview does not own, such as a Dask worker).

    Those ~110k long-lived objects are moved out of the collector's generations (``gc.freeze``), so a
    full collection no longer walks them (~1 ms per document), and the young generation is collected
    after 5000 net allocations instead of 700 (a check allocates tens of thousands of short-lived
    containers; ~0.7 ms per document). Only the cost changes: nothing relies on collection timing.
    """
    import gc

    gc.collect()
    gc.freeze()
    g0, g1, g2 = gc.get_threshold()
    if g0:  # 0: automatic collection is off, leave it so
        gc.set_threshold(max(g0, GC_GEN0), g1, g2)


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
        from docreview.filing import get_profile, load_calendar

        cfg = spec_config(spec)
        self.profile = get_profile(cfg.profile)
        self.calendar = load_calendar(cfg.holidays)
        self.judge_validity = _profile_judge(self.profile)

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
        """Tool version, rule-set digest, config and kind. Parsing and validating every rule file costs
        ~0.3 s, more than a whole re-run with nothing changed, so the result is cached under the
        rule files' names, sizes and mtimes (the same trust ``batch`` gives documents), and under the
        rule loader's own source files (so a cache hit does not even import the rule schema: ~25 ms)."""
        import docreview
        from docreview import __version__

        cfg = spec_config(spec)
        kind = spec.kind or cfg.kind
        cfg_json = cfg.model_dump_json(exclude={"source"})
        pkg = Path(docreview.__file__).parent
        shipped = (pkg / "data" / "rules").resolve()  # docreview.rulebook.shipped_dir()
        stat_key = _rules_stat_key([shipped, *map(Path, cfg.rules), *map(Path, spec.rules)],
                                   f"{__version__}:{_code_key(pkg / 'rulebook')}:{cfg_json}:{kind}")
        if stat_key is not None and (hit := _version_cache(stat_key)) is not None:
            return hit
        from docreview.rulebook import load_rulebook

        book = load_rulebook(spec.rules, cfg)
        value = f"{__version__}:{book.version}:{cfg_json}:{kind}"
        if stat_key is not None:
            _version_cache(stat_key, value)
        return value

    @staticmethod
    def build(spec: EngineSpec) -> _Real:
        return _Real(spec)

    @staticmethod
    def refresher(spec: EngineSpec) -> _RealRefresher:
        return _RealRefresher(spec)


def _code_key(folder: Path) -> str:
    """(name, size, mtime_ns) of the Python files in ``folder`` (the rule loader and schema code)."""
    try:
        return repr(sorted((p.name, st.st_size, st.st_mtime_ns) for p in folder.glob("*.py")
                           for st in [p.stat()]))
    except OSError:
        return "?"


def _rules_stat_key(dirs: list[Path], extra: str) -> str | None:
    """Digest of (path, size, mtime_ns) of every rule file in ``dirs`` plus ``extra``; None if a
    folder is missing (the real load then reports it)."""
    h = hashlib.sha256(extra.encode())
    for d in dirs:
        if not d.is_dir():
            return None
        h.update(f"\0dir:{d.resolve()}".encode())
        for p in sorted(d.rglob("*")):
            if p.suffix in (".yml", ".yaml") and p.is_file():
                st = p.stat()
                h.update(f"\0{p.relative_to(d).as_posix()}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


_VERSION_CACHE_SIZE = 16


def _version_cache(key: str, value: str | None = None) -> str | None:
    """Get (``value`` None) or put the version string cached under ``key`` (user cache dir)."""
    from docreview.nlp import cache_dir

    path = cache_dir() / "batch-rule-versions.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data if isinstance(data, list) else []
    except (OSError, ValueError):
        entries = []
    entries = [e for e in entries if isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e)]
    if value is None:
        return next((v for k, v in entries if k == key), None)
    entries = [[key, value], *[e for e in entries if e[0] != key]][:_VERSION_CACHE_SIZE]
    try:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
    return value


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
    doc = apply_ledger_validity(doc, row, today, getattr(refresh, "judge_validity", None))
    outcome, reason = suggest(doc)
    return {**rec, "doc": doc, "outcome": outcome, "outcome_reason": reason, "inputs": inputs_key(row, today),
            "ledger": None if row is None else {**row, "via": via}}


def _simple_judge(expires: date, effective: date | None, today: date, provisional: bool) -> tuple[str, str]:
    """Fallback for engines without filing rules: expired / expiring (6 months) / valid."""
    status = ("expired" if today > expires else
              "expiring" if expires - today <= timedelta(days=EXPIRING_DAYS) else "valid")
    return status, ""


def apply_ledger_validity(
    doc: dict[str, Any], row: dict[str, Any] | None, today: date, judge: Any = None,
) -> dict[str, Any]:
    """The ledger's 施行日期 / 有效期至 override the document's, and the validity status is recomputed.

    Only 施行日期 given and the document states a period (有效期N年): the period is counted from the
    ledger's 施行日期. ``judge(expires, effective, today, provisional) -> (status, note)`` applies the
    filing profile's rules; the engine provides it (``judge_validity``), else a simple fallback.
    """
    if not row or not (row.get("expires") or row.get("effective")):
        return doc
    from docreview.filing.periods import last_valid_day

    filing = dict(doc.get("filing") or {})
    v = dict(filing.get("validity") or {"effective": None, "expires": None, "status": "unknown", "note": ""})
    eff = _d(row.get("effective")) or _d(v.get("effective"))
    exp = _d(row.get("expires"))
    source = "台账“有效期至”"
    period = (doc.get("dates") or {}).get("validity") or {}
    if exp is None and row.get("effective") and (period.get("years") or period.get("months")):
        exp = last_valid_day(eff, period.get("years") or 0, period.get("months") or 0)  # type: ignore[arg-type]
        source = f"台账“施行日期”{row['effective']}起算文件规定的有效期"
    v["effective"] = eff.isoformat() if eff else None
    if exp is not None:
        provisional = bool(doc.get("provisional")) or any(w in (doc.get("title") or "") for w in ("暂行", "试行"))
        status, note = (judge or _simple_judge)(exp, eff, today, provisional)
        v["expires"], v["status"] = exp.isoformat(), status
        v["note"] = f"有效期以{source}为准。{note}"
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
    sha = None
    if ctx.get("slow"):
        time.sleep(float(ctx["slow"]))
    today = date.fromisoformat(ctx["today"])
    row, via = task.get("row"), ("文件" if task.get("row") else None)
    try:
        if data is None:
            try:
                with open(task["abs"], "rb") as fh:
                    data = fh.read()
            except OSError as exc:
                raise DocreviewError(E_MISSING, task["rel"], f"无法读取文件：{exc.strerror}") from None
        sha = hashlib.sha256(data).hexdigest()
        doc = engine.check(data, task["name"], published=_d((row or {}).get("published")),
                           filed=_d((row or {}).get("filed")), today=today)
        if row is None and ctx.get("numbers") and doc.get("doc_number"):
            hit = ctx["numbers"].get(norm_number(doc["doc_number"]))
            if hit is not None:
                row, via = hit, "文号"
                if hit.get("published") or hit.get("filed"):
                    doc = engine.check(data, task["name"], published=_d(hit.get("published")),
                                       filed=_d(hit.get("filed")), today=today)
        doc = apply_ledger_validity(doc, row, today, getattr(engine, "judge_validity", None))
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
