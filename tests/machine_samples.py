"""Sample documents and findings for the report/baseline tests (built from model.py, no engine).

``detect`` plays the engine's part for known phrases: it finds each phrase in the text, computes
the article/clause location from the parsed articles and a position-free fingerprint.
"""

from __future__ import annotations

import re
from datetime import date

from docreview.baseline import compute_fingerprint
from docreview.model import (
    CONCLUSION_OK,
    CONCLUSION_REVISE,
    Article,
    Basis,
    Clause,
    DocumentResult,
    FilingReport,
    Finding,
    Location,
    RecipientStatus,
    Statute,
    ValidityStatus,
)

NUM = "零一二三四五六七八九十"


def zh_num(n: int) -> str:
    if n < 10:
        return NUM[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUM[tens]) + "十" + (NUM[ones] if ones else "")


def parse_articles(text: str) -> tuple[Article, ...]:
    """Lines starting with 第X条 open an article; following lines are further 款."""
    arts: list[Article] = []
    pos = 0
    lines = text.split("\n")
    starts = []
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    cur: list[tuple[int, int]] = []
    label = ""
    for line, st in zip(lines, starts, strict=True):
        m = re.match(r"第([一二三四五六七八九十]+)条", line)
        if m:
            if cur:
                arts.append((label, cur))
            label, cur = m.group(0), [(st, st + len(line))]
        elif cur and line.strip():
            cur.append((st, st + len(line)))
    if cur:
        arts.append((label, cur))
    out = []
    for i, (lab, spans) in enumerate(arts, 1):
        clauses = tuple(Clause(number=j, start=a, end=b) for j, (a, b) in enumerate(spans, 1))
        out.append(Article(number=i, label=lab, start=spans[0][0], end=spans[-1][1], clauses=clauses))
    return tuple(out)


RULES = {
    "PM01": ("设定行政许可", "permit", "error",
             Basis("中华人民共和国行政许可法", "第十七条", "除本法第十四条、第十五条规定的外，其他规范性文件一律不得设定行政许可。"),
             "删除该审批要求；确需保留的，注明法律、法规依据。"),
    "PN01": ("设定行政处罚", "penalty", "error",
             Basis("中华人民共和国行政处罚法", "第十六条", "除法律、法规、规章外，其他规范性文件不得设定行政处罚。"),
             "删除罚款规定，或改为“依照有关法律、法规的规定处理”。"),
    "OB03": ("增加公民义务", "obligation", "warning",
             Basis("国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知", "第二条", "不得违法减损公民、法人和其他组织的合法权益或者增加其义务"),
             "建议将“必须”改为“鼓励”。"),
    "PR02": ("未规定有效期", "procedure", "info", Basis("某省行政规范性文件管理办法", "第二十条", "有效期一般不超过5年"), ""),
}


def detect(text: str, statute: Statute, phrases: dict[str, str]) -> tuple[Finding, ...]:
    """Findings for each ``rule_id -> phrase`` present in ``text`` (every occurrence)."""
    found = []
    for rule_id, phrase in phrases.items():
        title, cat, sev, basis, sugg = RULES[rule_id]
        for m in re.finditer(re.escape(phrase), text):
            art = next(a for a in statute.articles if a.start <= m.start() < a.end)
            cl = next(c for c in art.clauses if c.start <= m.start() <= c.end)
            label = art.label + (f"第{zh_num(cl.number)}款" if len(art.clauses) > 1 else "")
            found.append(Finding(
                rule_id=rule_id, title=title, category=cat, severity=sev,
                location=Location(article=art.number, clause=cl.number, label=label),
                quote=phrase, start=m.start(), end=m.end(),
                message=f"该条{title}，超出行政规范性文件的权限", suggestion=sugg, basis=(basis,),
                fingerprint=compute_fingerprint(rule_id, phrase),
            ))
    return tuple(sorted(found, key=lambda f: f.start))


DOC_V1 = "\n".join([
    "某市户外广告设置管理办法",
    "第一条 为了规范户外广告设置，根据有关规定，制定本办法。",
    "第二条 在本市设置户外广告的，须经市城管局审批。",
    "户外广告经营者必须参加市广告协会组织的培训。",
    "第三条 违反本办法第二条规定的，由市城管局处五千元以上一万元以下罚款。",
    "第四条 本办法自2026年1月1日起施行。",
])

DOC_V2 = "\n".join([  # a new article inserted before the flagged ones: everything renumbers
    "某市户外广告设置管理办法",
    "第一条 为了规范户外广告设置，根据有关规定，制定本办法。",
    "第二条 市城管局负责本市户外广告设置的监督管理工作。",
    "第三条 在本市设置户外广告的，须经市城管局审批。",
    "户外广告经营者必须参加市广告协会组织的培训。",
    "第四条 违反本办法第三条规定的，由市城管局处五千元以上一万元以下罚款。",
    "第五条 本办法自2026年1月1日起施行。",
])

PHRASES = {"PM01": "须经市城管局审批", "PN01": "处五千元以上一万元以下罚款", "OB03": "必须参加市广告协会组织的培训"}


def filing_report() -> FilingReport:
    return FilingReport(
        published=date(2026, 1, 5), profile="default",
        recipients=(
            RecipientStatus("上级人民政府", date(2026, 2, 4), "overdue", 3, "自公布之日起30日内"),
            RecipientStatus("本级人大常委会", date(2026, 2, 4), "on_time", None, "自公布之日起30日内",
                            filed=date(2026, 1, 20)),
        ),
        validity=ValidityStatus(effective=date(2026, 1, 1), expires=None, status="missing",
                                note="未规定有效期"),
        notes=("施行日期早于公布日期",),
    )


def make_result(path: str = "drafts/广告办法.txt", text: str = DOC_V1, phrases: dict | None = None,
                filing: FilingReport | None = None) -> DocumentResult:
    statute = Statute(text=text, title="某市户外广告设置管理办法", doc_number="某府规〔2026〕1号",
                      issuer="某市人民政府", articles=parse_articles(text))
    found = detect(text, statute, PHRASES if phrases is None else phrases)
    return DocumentResult(
        path=path, sha256="ab" * 32, statute=statute, findings=found, filing=filing,
        conclusion=CONCLUSION_REVISE if found else CONCLUSION_OK,
    )
