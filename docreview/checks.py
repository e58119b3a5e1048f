"""The few check kinds and builtin guards the YAML rules build on.

Pure helpers over normalised text and tokens; the engine (``docreview.engine``) owns the iteration.
Party words (private parties vs. government bodies) are matched on TOKEN boundaries so that
相应当事人 does not contain the modal 应当 and 企业家 is not 企业.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from docreview.model import Statute, Token

# --------------------------------------------------------------------------- lexicons

MODALS = (
    "应当", "必须", "须", "需", "应", "均应", "务必", "不得", "禁止", "严禁", "一律", "要求", "需要",
    "方可", "才能", "不准", "不能", "责令", "要", "需经", "须经", "还要", "还应当", "还须", "还需", "也要",
    "也应当", "均须", "均要", "须要",
)
PRIVATE_WORDS = frozenset("""
公民 个人 居民 村民 市民 群众 业主 租户 承租人 出租人 房屋所有权人 所有权人 产权人 法人 其他组织 企业 公司 经营者 经营户
个体工商户 个体户 商户 摊贩 摊主 用人单位 生产经营单位 生产经营者 建设单位 施工单位 监理单位 设计单位 勘察单位 物业服务企业
物业服务人 物业公司 开发企业 房地产开发企业 中介机构 中介服务机构 培训机构 校外培训机构 民办学校 社会组织 行业协会 从业人员 从业者
申请人 申请者 当事人 驾驶人 驾驶员 车主 机动车所有人 车辆所有人 运营者 运营企业 投资者 投资人 纳税人 缴费人 参保人 参保人员 学生
家长 监护人 外来人员 流动人员 外地人员 外来务工人员 务工人员 劳动者 职工 员工 求职者 旅客 乘客 消费者 养殖户 种植户 农户
市场主体 销售者 生产者 供应商 投标人 竞买人 承包人 承包商 使用人 经营单位 使用单位 排污单位 产生者 所有人 管理人 业户 店主
网约车 车辆 机动车 非机动车 船舶 司机 外卖骑手 快递员 商家 平台 平台经营者 电子商务平台经营者 任何单位 任何个人 单位和个人 组织和个人 个人和单位
供水单位 供电单位 供气单位 供热单位 供水企业 供电企业 供气企业 供热企业 燃气企业 燃气经营者 骑手 配送员 快递员 外卖员 网约配送员 保洁员 保安员 被征收人 被拆迁人 寄件人 收件人 养犬人 饲养人 住户 租住人 入住人 求助人 适龄儿童 儿童 父母 教师 医生 律师 新市民 外来人口 人员 申报人 报名者 考生 受助人 救助对象 承运人 托运人 寄递企业 医疗机构 民办医疗机构 养老机构 幼儿园
""".split())
GOV_WORDS = frozenset("""
人民政府 政府 管委会 管理委员会 街道办事处 街道办 街道 乡镇 乡镇人民政府 镇政府 乡政府 部门 有关部门 相关部门 主管部门 职能部门
行业主管部门 行政主管部门 执法部门 行政机关 机关 执法人员 工作人员 公职人员 国家工作人员 领导干部 执法机关 公安机关 税务机关
派出所 司法所 审批机关 登记机关 发证机关 审核机构 监管部门 各级 各区 各县 各地 各乡镇 各部门 各单位 市政府 区政府 县政府
局 厅 委 办 本机关 本部门 责任单位 牵头单位 成员单位 主管机关 监管机构 行政执法机关 行政执法人员 公务员 干部 相关单位 有关单位
""".split())
GOV_SUFFIXES = ("局", "厅", "政府", "部门", "机关", "委员会", "办公室", "管委会", "办事处", "执法队", "大队", "支队",
                "中队", "派出所", "司法所")
PRIVATE_SUFFIXES = ("企业", "公司", "经营者", "商户", "业户", "从业人员", "驾驶员", "驾驶人", "申请人", "当事人", "业主",
                    "居民", "村民", "个体户", "车辆", "车主", "户主", "家庭", "学校", "医院", "门店", "网点", "工厂")
NOT_PARTY = frozenset("布局 格局 结局 大局 全局 开局 饭局 赌局 当局 邮局 药局 书局".split())
NOT_GOV = frozenset(("业主委员会", "居民委员会", "村民委员会", "业委会", "居委会", "村委会"))

# --------------------------------------------------------------------------- guard patterns

_CITE_RE = re.compile(
    r"(?:依照|根据|按照|依据|遵照|参照)(?:[^，。；《]{0,12})?《(?P<law>[^》]{2,60})》(?P<art>(?:第[一二三四五六七八九十百零〇0-9]+条"
    r"(?:第[一二三四五六七八九十0-9]+款)?(?:第[（(][一二三四五六七八九十0-9]+[）)]项)?[、和及]?)*)"
)
_BEYOND_RE = re.compile(r"还应当|还须|还需|还应|另须|另行(?:缴纳|提交|提供|取得|办理)|此外|并须另|同时还|除[^，。；]{0,30}外[，]?还")
_SELF_REF = re.compile(r"^(?:本|此)(?:办法|规定|细则|通知|意见|方案|决定|实施细则|实施办法|条例)")
_NEG_RE = re.compile(
    r"(?:不作为|不得作为|不再作为|不列为|不得|不准|不应|不能|不再|严禁|禁止|取消|免收|免于|免予|免除|免征|减免|无需|无须|不需要|不需|不予|不另|一律不|杜绝|防止|避免|不收取|停止收取|停止征收|一律停止|"
    r"不向|未经[^，。；]{0,20}不得(?=[^，。；]{0,3}(?:收取|要求|向)))"
)
COLLECT_RE = re.compile(r"收取|计收|加收|收费|收")
AMOUNT_RE = re.compile(r"[0-9一二三四五六七八九十百千万两]+(?:元|角)|百分之|[0-9]%|每[^，。；]{0,6}?收取")
_LEAD_NEG_RE = re.compile(
    r"(?:不得|禁止|严禁|停止|取消|废止|不再|免收|免除|清理|一律停止)[^：]{0,25}?(?:下列|以下)|"
    r"(?:下列|以下)[^：]{0,25}?(?:不得|禁止|严禁|停止|取消|废止|不再|免收|免除|清理)"
)
_NEG_IN_MATCH = re.compile(r"^(?:免|减免|不再|无需|无须|不收)")
_SOFT_RE = re.compile(r"鼓励|引导|支持|倡导|提倡|自愿|可自愿|可以|可根据|可按|可结合|可自行|可选择|欢迎|推荐|宜|积极|倡议|原则上可")
_REFERRAL_RE = re.compile(
    r"依法(?:予以|给予|进行)?(?:处理|处罚|查处|追究|惩处|处置|调查处理|严肃处理)|"
    r"依照(?:有关|相关)?(?:法律|法规|规定)[^，。；]{0,20}(?:处理|处罚|查处|追究)|"
    r"(?:由|移交|移送)[^，。；]{0,25}(?:依法|依照(?!本)[^，。；]{0,25})(?:处理|处罚|查处|予以|追究|实施)|"
    r"移送[^，。；]{0,20}(?:处理|查处|追究|机关)|"
    r"依据(?:有关|相关)?(?:法律|法规)[^，。；]{0,20}(?:处理|处罚|查处)|"
    r"依照[^，。；]{0,20}?(?:法律|法规)(?:的)?(?:规定)?[^，。；]{0,6}?(?:处理|处罚|查处|追究)|"
    r"依照(?!本(?:办法|规定|细则|通知|意见|决定|方案))[^，。；]{0,25}?(?:法|条例|法律|法规)(?:的)?(?:有关)?规定[^，。；]{0,6}?(?:处理|处罚|查处|给予处罚|予以处罚)|"
    r"依照(?:本法|本条例)第[一二三四五六七八九十百零〇0-9]+条(?:第[一二三四五六七八九十0-9]+款)?(?:的)?规定[^，。；]{0,6}?(?:处理|处罚|查处)|"
    r"按照(?:有关|相关)?(?:法律|法规)(?:的)?规定(?:处理|处罚|查处)"
)
_DISCIPLINE_RE = re.compile(r"处分|问责|诫勉|约谈|效能告诫|组织处理|党纪|政务处分|责任追究|追究[^，。；]{0,10}责任|绩效考核|考核")
_SCOPE_CLAUSE_RE = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇0-9]+条)?\s*(?:本(?:市|省|区|县|州|自治区)[^，。；]{0,20}(?:行政区域|范围)内[^。]{0,60}"
    r"(?:适用本|遵守本|按照本)|本(?:办法|规定|细则)(?:所称|适用于)|为了|为进一步|为加强|为规范|为促进|为保障)"
)


def cited_basis(sentence: str) -> str | None:
    """The higher-law citation 《…》第…条 the sentence relies on, or None (vague 按规定 is no basis)."""
    parts = citation_parts(sentence)
    return parts[0] if parts else None


def citation_parts(sentence: str) -> tuple[str, str, str] | None:
    """(display 《law》第N条, law, first article or "") of the basis the sentence cites, or None."""
    for m in _CITE_RE.finditer(sentence):
        law = m.group("law")
        if _SELF_REF.match(law):
            continue
        if _BEYOND_RE.search(sentence, m.end()):
            return None  # cites a law, then adds to it (还应当…、另须…): no restatement
        arts = m.group("art") or ""
        first = re.match(r"第[一二三四五六七八九十百零〇0-9]+条(?:第[一二三四五六七八九十0-9]+款)?", arts)
        return f"《{law}》{arts}".rstrip("、和及"), law, first.group(0) if first else ""
    return None


def negated(before: str, match: str) -> bool:
    """A negation/protection cue right before the match (same segment) or at its start."""
    seg = re.split(r"[，。；：]", before)[-1]
    tail = seg[-40:]
    if _NEG_RE.search(tail) or _NEG_IN_MATCH.match(match) or re.search(r"(?:无|不|免|勿)$", seg):
        return True
    # a list whose lead-in negates every item: 采购人不得有下列行为：（一）…；对下列收费一律停止收取：
    lead = before.rsplit("：", 1)[0] if "：" in before else ""
    lead = re.split(r"[。；]", lead)[-1]
    return bool(lead and _LEAD_NEG_RE.search(lead))


def soft_wording(before: str) -> bool:
    """Non-binding wording before the match in the same comma segment (支持…，未参加的不得… stays)."""
    part = re.split(r"[，；。：]", before)[-1]
    return bool(_SOFT_RE.search(part))


def referral(before: str, match: str, after: str) -> bool:
    """The comma segment holding the match only hands the matter to the law (依法处理…)."""
    seg = re.split(r"[，。；：]", before)[-1] + match + re.split(r"[，。；：]", after)[0]
    return bool(_REFERRAL_RE.search(seg))


_CONSEQUENCE_RE = re.compile(r"责令|罚款|追究|予以(?:处罚|制止|查处)|处罚|没收|吊销|警告|处分|依法处理|依法查处|扣留|扣押|查封|暂扣|移交|移送")


def condition_clause(after: str) -> bool:
    """The match describes the prohibited conduct in a penalty clause (……的，由……责令……处……)."""
    m = re.match(r"[^，。；]*?的[，]", after)
    return bool(m and _CONSEQUENCE_RE.search(after, m.end()))


def scope_clause(sentence: str) -> bool:
    return bool(_SCOPE_CLAUSE_RE.search(sentence))


# --------------------------------------------------------------------------- parties


@dataclass(frozen=True, slots=True)
class Party:
    start: int
    end: int
    text: str
    kind: str  # "private" | "gov"


def find_parties(tokens: Sequence[Token]) -> list[Party]:
    """Party words made of 1–4 consecutive tokens (longest wins), in text order.

    A private-party word glued into a larger token (房屋出租/人 → 出租人) is found too.
    """
    out: list[Party] = []
    n = len(tokens)
    texts = [t.text for t in tokens]
    prefixes, last_chars, tail_last, tails = _LEXICON_PREFIXES, _PARTY_LAST, _TAIL_LAST, _PRIVATE_TAILS
    lexicon_kind = _LEXICON_KIND.get
    # only these tokens can start a party or end a glued one (_TAIL_LAST is part of _PARTY_LAST);
    # the others (about 4 in 5) would run through the loop below without effect
    cands = [j for j, text in enumerate(texts) if text in prefixes or text[-1:] in last_chars or not text]
    i = 0
    for c in cands:
        if c < i:
            continue  # inside a multi-token party found before
        i = c
        text = texts[i]
        last = text[-1:]
        if text in prefixes:
            # a word of 2–4 tokens is a party only if it is in a lexicon: its first token begins one
            found = None
            for k in (4, 3, 2, 1):
                if i + k > n:
                    continue
                if k > 1:
                    word = "".join(texts[i:i + k])
                    kind = lexicon_kind(word)  # = classify(word, single=False)
                else:
                    word = text
                    kind = classify(word)
                if not kind or len(word) > 12 or len(word) != tokens[i + k - 1].end - tokens[i].start:
                    continue  # no party word, too long for one, or not contiguous
                found = Party(tokens[i].start, tokens[i + k - 1].end, word, kind)
                i += k
                break
            if found:
                out.append(found)
                continue
        elif last in last_chars and len(text) <= 12:  # classify() accepts no word ending otherwise
            t = tokens[i]
            if len(text) == t.end - t.start:
                kind = classify(text)
                if kind:
                    out.append(Party(t.start, t.end, text, kind))
                    i += 1
                    continue
        # a private word glued onto the previous token: it ends like this one and is longer
        if i > 0 and len(text) < 6 and (last in tail_last or not text):
            t = tokens[i]
            if tokens[i - 1].end == t.start:
                glued = texts[i - 1] + text
                for m in range(min(len(glued), 6), len(text), -1):
                    if glued[-m:] in tails:
                        out.append(Party(t.end - m, t.end, glued[-m:], "private"))
                        break
        i += 1
    return out


_PRIVATE_TAILS = frozenset(w for w in PRIVATE_WORDS if len(w) >= 2)
_TAIL_LAST = frozenset(w[-1] for w in _PRIVATE_TAILS)
# the last characters of every word classify() can accept (lexicon words and suffixes)
_PARTY_LAST = frozenset(w[-1] for w in (*NOT_GOV, *PRIVATE_WORDS, *GOV_WORDS, *PRIVATE_SUFFIXES, *GOV_SUFFIXES))
# every proper prefix of a lexicon party word (what classify(word, single=False) can accept)
_LEXICON_PREFIXES = frozenset(w[:j] for w in NOT_GOV | PRIVATE_WORDS | GOV_WORDS for j in range(1, len(w)))


def classify(word: str, single: bool = True) -> str | None:
    if word in NOT_GOV:
        return "private"
    if word in NOT_PARTY:
        return None
    if word in PRIVATE_WORDS:
        return "private"
    if word in GOV_WORDS:
        return "gov"
    if single and len(word) >= 3 and word.endswith(PRIVATE_SUFFIXES) and not word.endswith(("国有企业监管",)):
        return "private"
    if single and len(word) >= 2 and word.endswith(GOV_SUFFIXES) and not word.endswith(("公司", "协会")):
        return "gov"
    return None


# classify(word, single=False) as one lookup: the lexicon words and their kinds (NOT_PARTY → absent)
_LEXICON_KIND = {w: k for w in NOT_GOV | NOT_PARTY | PRIVATE_WORDS | GOV_WORDS
                 if (k := classify(w, single=False)) is not None}


_OBJECT_CUE_RE = re.compile(
    r"(?:未经|报经|经过|经|由|向|对|在|到|按照|依照|根据|依据|会同|督促|指导|要求|通知|协助|配合|委托|报请|提请)[^，；。：]{0,12}$"
)


_GRANTOR_RE = re.compile(r"(?:的)?(?:批准|核准|审批|同意|许可|审核|审查|备案|登记|颁发|核发|认定|验收|检查|监督)")


def subject_of(parties: Sequence[Party], anchor: int, text: str, offset: int) -> Party | None:
    """The party nearest before ``anchor`` that is not the object of 经/由/向/对… .

    ``text`` is the sentence (starting at document offset ``offset``); party words are masked
    before looking for cue words so 经营者 does not read as 经 + 营者.
    """
    masked = list(text)
    for p in parties:
        for i in range(max(p.start - offset, 0), min(p.end - offset, len(masked))):
            masked[i] = "Ｐ"
    mtext = "".join(masked)
    for p in reversed([p for p in parties if p.end <= anchor]):
        seg = re.split(r"[，；：。]", mtext[: p.start - offset])[-1]
        if _OBJECT_CUE_RE.search(seg) or _GRANTOR_RE.match(mtext, p.end - offset):
            continue
        return p
    return None


_ACTOR_RE = re.compile(r"(?:由|经|会同|报请|提请)[^，；。：]{0,8}$")
_ACTS_RE = re.compile(r"Ｐ*(?:应当|可以|可|依法|不予|给予|予以|对其|责令|处以|有权|负责|按照|依照|根据)")


def _masked(parties: Sequence[Party], text: str, offset: int) -> str:
    masked = list(text)
    for p in parties:
        for i in range(max(p.start - offset, 0), min(p.end - offset, len(masked))):
            masked[i] = "Ｐ"
    return "".join(masked)


def target_of(parties: Sequence[Party], start: int, end: int, text: str = "", offset: int = 0) -> Party | None:
    """The party a sanction is aimed at: nearest before the match that is not its actor (由…),
    else the first after it."""
    mtext = _masked(parties, text, offset) if text else ""
    for p in reversed([p for p in parties if p.end <= start]):
        if mtext:
            seg = re.split(r"[，；：。]", mtext[: p.start - offset])[-1]
            if _ACTOR_RE.search(seg) or _ACTS_RE.match(mtext, p.end - offset):
                continue
        return p
    after = [p for p in parties if p.start >= end]
    return after[0] if after else None


def token_bounds(tokens: Sequence[Token]) -> tuple[set[int], set[int]]:
    return {t.start for t in tokens}, {t.end for t in tokens}


def modal_before(tokens: Sequence[Token], start: int, floor: int) -> Token | None:
    """The last modal token in ``[floor, start)``."""
    found = None
    for t in tokens:
        if t.start >= start:
            break
        if t.start >= floor and t.text in MODALS:
            found = t
    return found


def modal_in(tokens: Sequence[Token], start: int, end: int) -> Token | None:
    """The first modal token inside ``[start, end)`` (multi-token modals like 均/应 allowed)."""
    for i, t in enumerate(tokens):
        if t.end <= start or t.start >= end:
            continue  # a modal token may start just before the match (还要 + 提交…)
        if t.text in MODALS:
            return t
        if i + 1 < len(tokens) and t.text + tokens[i + 1].text in MODALS:
            return Token(t.text + tokens[i + 1].text, t.start, tokens[i + 1].end)
    return None


# --------------------------------------------------------------------------- missing clauses

_NUM = "一二三四五六七八九十两0123456789"
_CN = {c: i for i, c in enumerate("零一二三四五六七八九")}
_CN["两"] = 2
_EFFECTIVE_RE = re.compile(
    r"(?:自|从)[^。；\n]{0,24}?(?:起|之日起|之日)(?:施行|实施|执行|生效)|(?:自|于|从)\s*[0-9〇零一二三四五六七八九十]{2,4}年[^。；\n]{0,10}?(?:施行|实施|执行|生效)|"
    r"起(?:施行|实施|执行|生效)|(?:施行|实施|生效)日期|(?:自|从)[^。；\n]{0,24}?(?:后|以后)(?:施行|实施|执行|生效)"
)
_VALIDITY_RE = re.compile(r"有效期")
_VALID_YEARS_RE = re.compile(rf"有效期(?:为|至|限)?[^。；\n]{{0,4}}?(?P<n>[{_NUM}]{{1,3}})年")
_TITLE_PROVISIONAL = re.compile(r"暂行|试行")
_BAD_ISSUER_RE = re.compile(
    r"领导小组|指挥部|联席会议|工作专班|协调小组|推进小组|工作小组|议事协调|委员会办公室|(?:局|厅|委)[^，。；\s]{0,12}(?:处|科|室|所|中心)$|"
    r"(?:局|厅|委)[^，。；\s]{0,8}办公室$"
)


def cn_int(s: str) -> int | None:
    """Small Chinese or Arabic numerals (up to 99)."""
    if s.isdigit():
        return int(s)
    if all(c in _CN or c == "十" for c in s):
        if "十" in s:
            a, _, b = s.partition("十")
            return (_CN.get(a, 1) if a else 1) * 10 + (_CN.get(b, 0) if b else 0)
        if len(s) == 1:
            return _CN.get(s)
    return None


def title_span(statute: Statute) -> tuple[int, int]:
    """Where to anchor a document-level finding: the title, else the first non-empty line."""
    text = statute.text
    if statute.title:
        i = text.find(statute.title)
        if i >= 0:
            return i, i + len(statute.title)
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            lead = len(line) - len(line.lstrip())
            return pos + lead, pos + len(line.rstrip())
        pos += len(line) + 1
    return 0, 0


def is_provisional(statute: Statute) -> bool:
    if statute.provisional:
        return True
    s, e = title_span(statute)
    return bool(_TITLE_PROVISIONAL.search(statute.title or statute.text[s:e]))


def missing_clause(what: str, statute: Statute, norm: str) -> list[tuple[int, int, dict[str, str]]]:
    """Document-level checks. Returns (start, end, named values) anchors; empty when fine."""
    dates = statute.dates
    ts, te = title_span(statute)
    if what == "effective":
        if dates.effective is None and not _EFFECTIVE_RE.search(norm):
            return [(ts, te, {})]
        return []
    if what == "validity":
        if dates.validity is None and not _VALIDITY_RE.search(norm):
            return [(ts, te, {})]
        return []
    if what == "validity_length":
        limit = 2 if is_provisional(statute) else 5
        years: float | None = None
        span = None
        v = dates.validity
        if v is not None and (v.years or v.months):
            years = (v.years or 0) + (v.months or 0) / 12
            span = (v.span.start, v.span.end) if v.span else None
        elif v is not None and v.until is not None and dates.effective and dates.effective.on:
            years = (v.until - dates.effective.on).days / 365.25
            span = (v.span.start, v.span.end) if v.span else None
        if years is None:
            m = _VALID_YEARS_RE.search(norm)
            if m:
                years = cn_int(m.group("n"))
                span = m.span()
        if years is not None and years > limit:
            s, e = span or (ts, te)
            return [(s, e, {"years": f"{years:g}", "limit": str(limit)})]
        return []
    if what == "issuer":
        for issuer, pos in _issuers(statute):
            if _BAD_ISSUER_RE.search(issuer):
                return [(pos, pos + len(issuer), {"issuer": issuer})]
        return []
    raise ValueError(what)


_ISSUER_LINE = re.compile(r"^[^，。；：:,;（）()《》]{2,40}(?:人民政府|政府|局|厅|委员会|委|办公室|办公厅|领导小组|指挥部|处|科|中心|管委会|小组|专班|联席会议)$")


def _issuers(statute: Statute) -> list[tuple[str, int]]:
    """The parsed issuer and the signature lines (落款) near the end, with their offsets."""
    text = statute.text
    out: list[tuple[str, int]] = []
    if statute.issuer:
        i = text.rfind(statute.issuer)
        if i >= 0:
            out.append((statute.issuer, i))
    lines = text.split("\n")
    pos = len(text)
    for line in reversed(lines[-8:]):
        pos -= len(line)
        s = line.strip()
        if _ISSUER_LINE.match(s):
            out.append((s, pos + line.find(s)))
        pos -= 1
    return out
