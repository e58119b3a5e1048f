"""The one place the stages are chained: bytes/path → SourceDoc → Statute → Findings → DocumentResult.

A ``Checker`` holds what is expensive to load (rulebook, segmenter, calendar) so a batch worker loads
it once; each ``check_*`` call is otherwise a pure function of its inputs.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from docreview.config import Config
from docreview.model import SEVERITY_RANK, DocumentResult, Finding, SourceDoc

STAGES = ("ingest", "structure", "rules", "filing")


def collapse_overlaps(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Drop a finding whose words lie inside another finding of the same category that is at least as
    severe (e.g. 处警告 inside 处警告或者五十元以下罚款): one comment per problem, not one per rule.

    Ties (same severity) keep the longer span, then the same span's lower rule id. Order is preserved.
    Only findings of the same category are compared (one group per category).
    """
    def covers(g: Finding, f: Finding) -> bool:  # g and f have the same category
        if g is f or not (g.start <= f.start and f.end <= g.end):
            return False
        rg, rf = SEVERITY_RANK[g.severity], SEVERITY_RANK[f.severity]
        if rg != rf:
            return rg > rf
        if (g.start, g.end) != (f.start, f.end):
            return True
        return g.rule_id < f.rule_id

    by_cat: dict[str, list[Finding]] = {}
    for f in findings:
        by_cat.setdefault(f.category, []).append(f)
    return tuple(f for f in findings if not any(covers(g, f) for g in by_cat[f.category]))


class Checker:
    """Loads rules, segmenter, filing profile and holiday calendar once; checks many documents."""

    def __init__(
        self,
        config: Config | None = None,
        extra_rules: Sequence[str | Path] = (),
        kind: str | None = None,
    ) -> None:
        from docreview.filing import get_profile, load_calendar
        from docreview.nlp import Segmenter
        from docreview.rulebook import load_rulebook

        self.config = config or Config()
        self.kind = kind or self.config.kind
        self.book = load_rulebook([Path(p) for p in (*self.config.rules, *extra_rules)], self.config)
        self.segmenter = Segmenter()
        self.profile = get_profile(self.config.profile)
        self.calendar = load_calendar(self.config.holidays)
        self.timings: dict[str, float] = dict.fromkeys(STAGES, 0.0)

    @property
    def version_key(self) -> str:
        """Changes whenever a re-check is needed: tool, rule set, config."""
        from docreview import __version__

        return f"{__version__}:{self.book.version}:{self.config.model_dump_json()}:{self.kind}"

    def check_path(self, path: str | Path, **dates) -> DocumentResult:
        from docreview.ingest import read_document

        t = time.perf_counter()
        src = read_document(path)
        self.timings["ingest"] += time.perf_counter() - t
        return self.check_source(src, **dates)

    def check_bytes(self, data: bytes, name: str, **dates) -> DocumentResult:
        from docreview.ingest import read_bytes

        t = time.perf_counter()
        src = read_bytes(data, name)
        self.timings["ingest"] += time.perf_counter() - t
        return self.check_source(src, **dates)

    def check_source(
        self,
        src: SourceDoc,
        *,
        published: date | None = None,
        filed: Mapping[str, date] | None = None,
        today: date | None = None,
        prefilter: bool = True,
    ) -> DocumentResult:
        """Check one read document. Flags (published/filed/today) override what the document says."""
        from docreview.engine import run_rules
        from docreview.filing import assess
        from docreview.opinion import conclude
        from docreview.structure import draft_stage, parse_structure

        t0 = time.perf_counter()
        statute = parse_structure(src)
        t1 = time.perf_counter()
        findings = collapse_overlaps(
            run_rules(self.book, statute, self.segmenter, kind=self.kind, prefilter=prefilter)
        )
        t2 = time.perf_counter()
        dates = statute.dates
        if draft_stage(statute.title) and dates.published is not None:
            # a 送审稿 is not published yet: its 落款 date is not a publication date
            dates = replace(dates, published=None)
        filing = assess(
            dates, title=statute.title, provisional=statute.provisional, published=published,
            filed=filed, today=today or date.today(), profile=self.profile, calendar=self.calendar,
        )
        t3 = time.perf_counter()
        self.timings["structure"] += t1 - t0
        self.timings["rules"] += t2 - t1
        self.timings["filing"] += t3 - t2
        return DocumentResult(
            path=src.path, sha256=src.sha256, statute=statute, findings=findings, filing=filing,
            conclusion=conclude(findings), kind=self.kind,
        )
