"""Each speed-up of ingest/structure/nlp returns exactly what the straightforward code returns."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from docreview import nlp, structure

ROOT = Path(__file__).resolve().parents[1]


def _clause_texts() -> list[str]:
    out = []
    for f in sorted((ROOT / "corpus" / "clauses").glob("*.yml")):
        for e in yaml.safe_load(f.read_text(encoding="utf-8")) or []:
            if isinstance(e, dict) and e.get("text"):
                out.append(str(e["text"]))
    return out


def _random_texts(n: int, seed: int) -> list[str]:
    mapped = "".join(chr(k) for k in nlp._TABLE)
    alphabet = mapped + "的了在是我有和就不人都一上也很到说要去你会着没看好自己这施行有效期废止本办法自年月日" \
        "abcXYZ0123 .\t\r\n%#-_&+，。、（）“”《》；！？"
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))) for _ in range(n)]


def test_normalize_equals_str_translate() -> None:
    for text in [*_random_texts(3000, 1), *_clause_texts()]:
        assert nlp.normalize(text) == text.translate(nlp._TABLE)


@pytest.fixture(scope="module")
def tokenizer():
    return nlp.Segmenter().tokenizer


def _jieba_tokens(tokenizer, text: str) -> list[tuple[str, int, int]]:
    return [(w, a, b) for w, a, b in tokenizer.tokenize(text, HMM=False) if not w.isspace()]


def _tokens(router, text: str) -> list[tuple[str, int, int]]:
    return [(t.text, t.start, t.end) for t in nlp.tokens_no_hmm(router, text, 0)]


def test_cut_equals_jieba_cut_without_hmm(tokenizer) -> None:
    router = nlp._Router(tokenizer)
    # 看看看 / 人人人人 are score ties: jieba keeps the later-ending word; jieba_fast's C route does not
    texts = ["看看看", "人人人人", "研究生命起源", "结婚的和尚未结婚的", "ABC123 abc，２０２６年", "\r\n \t", ""]
    texts += [nlp.normalize(t) for t in _clause_texts()] + _random_texts(2000, 2)
    for text in texts:
        assert _tokens(router, text) == _jieba_tokens(tokenizer, text), text


def test_cut_equals_jieba_cut_when_the_router_memo_overflows(tokenizer, monkeypatch) -> None:
    monkeypatch.setattr(nlp, "_MAX_STOPS", 5)  # the memo is emptied again and again
    router = nlp._Router(tokenizer)
    for text in [nlp.normalize(t) for t in _clause_texts()[:200]] + _random_texts(300, 7):
        assert _tokens(router, text) == _jieba_tokens(tokenizer, text), text
    assert router.stops <= 5


def test_segmenter_tokens_equal_jieba_tokenize(tokenizer) -> None:
    seg = nlp.Segmenter()
    texts = _clause_texts()[:300] + _random_texts(1000, 8) + ["ab 12\r\n看看看 x\u3000\x1c\u2028y", "a b", " "]
    for text in texts:
        want = [(w, 7 + a, 7 + b) for w, a, b in tokenizer.tokenize(nlp.normalize(text), HMM=False)
                if not w.isspace()]
        assert [(t.text, t.start, t.end) for t in seg.tokens(text, 7)] == want, text


def _find_parties_reference(tokens) -> list:
    """find_parties before its last-character prefilters: every token is classified."""
    from docreview import checks

    out, n, i = [], len(tokens), 0
    while i < n:
        found = None
        for k in (4, 3, 2, 1) if tokens[i].text in checks._LEXICON_PREFIXES else (1,):
            if i + k > n:
                continue
            word = "".join(t.text for t in tokens[i:i + k])
            if len(word) > 12 or len(word) != tokens[i + k - 1].end - tokens[i].start:
                continue
            kind = checks.classify(word, single=(k == 1))
            if kind:
                found = checks.Party(tokens[i].start, tokens[i + k - 1].end, word, kind)
                i += k
                break
        if found:
            out.append(found)
            continue
        t = tokens[i]
        prev = tokens[i - 1] if i > 0 and tokens[i - 1].end == t.start else None
        if prev is not None:
            glued = prev.text + t.text
            for m in range(min(len(glued), 6), len(t.text), -1):
                if glued[-m:] in checks._PRIVATE_TAILS:
                    out.append(checks.Party(t.end - m, t.end, glued[-m:], "private"))
                    break
        i += 1
    return out


def test_find_parties_equals_reference() -> None:
    from docreview import checks
    from docreview.model import Token

    seg = nlp.Segmenter()
    lists = [seg.tokens(t, 3) for t in _clause_texts()]
    # random token lists: party words, their pieces and suffixes, gaps and empty tokens
    words = sorted(checks.PRIVATE_WORDS | checks.GOV_WORDS | checks.NOT_GOV | checks.NOT_PARTY)
    pieces = [w[a:b] for w in words for a in range(len(w)) for b in range(a + 1, len(w) + 1)]
    pieces += [*checks.PRIVATE_SUFFIXES, *checks.GOV_SUFFIXES, "", "的", "应当", "x", "国有企业监管", "房屋出租"]
    rng = random.Random(9)
    for _ in range(3000):
        toks, pos = [], rng.randint(0, 5)
        for _ in range(rng.randint(0, 12)):
            w = rng.choice(pieces) if rng.random() < 0.8 else rng.choice(words) * rng.randint(1, 3)
            pos += rng.random() < 0.1  # a gap: not contiguous with the previous token
            toks.append(Token(w, pos, pos + len(w) + (rng.random() < 0.05)))
            pos = toks[-1].end
        lists.append(toks)
    for toks in lists:
        assert checks.find_parties(toks) == _find_parties_reference(toks), toks


def test_special_sentences_equal_filtered_whole_split() -> None:
    texts = _random_texts(3000, 3) + ["\n".join(_clause_texts()[i:i + 12]) for i in range(0, 400, 12)]
    for text in texts:
        norm = nlp.normalize(text)
        for start, end in ((0, len(norm)), (len(norm) // 3, len(norm)), (1, max(1, len(norm) - 2))):
            want = [s for s in nlp.split_sentences(norm, start, end)
                    if structure._SPECIAL_HINT.search(s.text)]
            got = [s for s in structure._special_sentences(norm, start, end)
                   if structure._SPECIAL_HINT.search(s.text)]
            assert got == want
            # and every sentence holding a hint word is found
            assert {(s.start, s.end) for s in want} <= {(s.start, s.end) for s in
                                                         structure._special_sentences(norm, start, end)}


def test_help_imports_nothing_heavy() -> None:
    code = ("import sys; from typer.testing import CliRunner; from docreview.cli import app; "
            "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0, r.output; "
            "print(' '.join(m for m in ('spacy', 'jieba', 'docx', 'openpyxl', 'lxml', 'regex', "
            "'ahocorasick', 'cn2an', 'chinese_calendar') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _structural_texts(n: int, seed: int) -> list[str]:
    """Random drafts built from the pieces structure's fast paths look at (dates, 版记, brackets …)."""
    pieces = ["自", "从", "于", "起", "施行", "之日起", "印发", "公布", "颁布", "有效期", "5年", "废止", "2026年3月1日",
              "二〇二六年三月一日", "2026-3-1", "2026.03.01", "20260", "日", "号", "（", "）", "(", ")", "《", "》", "“",
              "”", "。", "；", "！", "？", "\n", "\r", " ", "\u3000", "\t", "抄送：", "主题词：", "分送：", "（此件公开发布）",
              "某市人民政府办公室", "印发", "第一条", "１２", "٣", "附件", "本办法"]
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(n)]


def _split_char_by_char(text: str, start: int, end: int) -> list:
    """The straightforward sentence splitter: one step per character (what split_sentences jumps over)."""
    from docreview.model import Sentence

    out, stack, s = [], [], start

    def emit(a: int, b: int) -> None:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append(Sentence(start=a, end=b, text=text[a:b]))

    i = start
    while i < end:
        ch = text[i]
        if ch in "\n\r":
            emit(s, i)
            s = i + 1
            stack.clear()
        elif ch in nlp._OPEN_CLOSE:
            stack.append((ch, i))
        elif ch in nlp._CLOSERS:
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == nlp._CLOSERS[ch]:
                    del stack[k:]
                    break
        elif ch in nlp._ENDS:
            if stack and i - stack[0][1] > nlp._MAX_NEST:
                stack.clear()
            if not stack:
                j = i + 1
                while j < end and text[j] in nlp._ENDS:
                    j += 1
                emit(s, j)
                s = i = j
                continue
        i += 1
    emit(s, end)
    return out


def test_structure_fast_helpers_equal_plain_regexes() -> None:
    texts = _structural_texts(3000, 5) + _random_texts(1000, 6) + _clause_texts()[:300]
    texts.append("《" + "字" * 320 + "。")  # an unclosed bracket stops protecting after _MAX_NEST characters
    for text in texts:
        norm = nlp.normalize(text)
        for start, end in ((0, len(norm)), (len(norm) // 3, len(norm)), (1, max(1, len(norm) - 2))):
            assert nlp.split_sentences(norm, start, end) == _split_char_by_char(norm, start, end)
            assert structure._hint_starts(norm, start, end) == [
                m.start() for m in structure._SPECIAL_HINT.finditer(norm, start, end)
            ]
        for line in [norm, *norm.split("\n")]:
            lead = len(line) - len(line.lstrip())
            assert structure._date_tail(line) == (structure._DATE_TAIL.search(line) is not None)
            assert structure._is_colophon(line, lead) == (structure.COLOPHON_RE.match(line, lead) is not None)


def _random_body(rng: random.Random) -> str:
    """A w:body with the constructs ingest walks: tracked changes, hidden runs, content controls, fields,
    symbols, text boxes, list numbering, deleted paragraph marks, tables (spans, deleted rows, nesting)."""

    def run() -> str:
        kids = [rng.choice(["<w:rPr><w:b/></w:rPr>", "<w:rPr><w:vanish/></w:rPr>", '<w:rPr><w:vanish w:val="0"/></w:rPr>',
                            "<w:rPr><w:specVanish/></w:rPr>"])] if rng.random() < 0.4 else []
        for _ in range(rng.randint(0, 3)):
            kids.append(rng.choice([
                "<w:t>第一条　设置</w:t>", '<w:t xml:space="preserve"> 广告 </w:t>', "<w:t/>", "<w:t>甲<!--c-->乙</w:t>",
                "<w:tab/>", "<w:ptab/>", "<w:br/>", "<w:cr/>", "<w:noBreakHyphen/>", "<w:softHyphen/>",
                '<w:sym w:char="2460"/>', '<w:sym w:char="F06C"/>', '<w:sym w:char="zz"/>', "<w:delText>删</w:delText>",
                "<w:instrText> PAGE </w:instrText>", "<w:lastRenderedPageBreak/>", "<!--x-->",
                "<w:drawing><w:txbxContent><w:p><w:r><w:t>框</w:t></w:r></w:p></w:txbxContent></w:drawing>",
            ]))
        return "<w:r>" + "".join(kids) + "</w:r>"

    def inline(depth: int = 0) -> str:
        if rng.random() < 0.6 or depth > 1:
            return run()
        inner = "".join(inline(depth + 1) for _ in range(rng.randint(0, 2)))
        return rng.choice([
            f"<w:ins>{inner}</w:ins>", f"<w:del>{inner}</w:del>", f"<w:moveFrom>{inner}</w:moveFrom>",
            f"<w:moveTo>{inner}</w:moveTo>", f"<w:hyperlink>{inner}</w:hyperlink>", f"<w:smartTag>{inner}</w:smartTag>",
            f"<w:sdt><w:sdtContent>{inner}</w:sdtContent></w:sdt>", f"<w:sdt>{inner}</w:sdt>",
            f"<mc:AlternateContent><mc:Choice>{inner}</mc:Choice></mc:AlternateContent>",
            f"<x:unknown>{inner}</x:unknown>", '<w:bookmarkStart w:id="0"/>',
        ])

    def ppr() -> str:
        kids = [rng.choice([
            '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>', '<w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr>',
            '<w:numPr><w:numId w:val="1"/></w:numPr>', '<w:numPr><w:numId w:val="0"/></w:numPr>', '<w:pStyle w:val="TiaoWen"/>',
            '<w:pStyle w:val="Nope"/>', '<w:jc w:val="center"/>', '<w:jc w:val="both"/>', "<w:rPr><w:del/></w:rPr>",
            "<w:rPr><w:moveFrom/></w:rPr>", "<w:rPr><w:b/></w:rPr>",
        ]) for _ in range(rng.randint(0, 3))]
        return "<w:pPr>" + "".join(kids) + "</w:pPr>"

    def para() -> str:
        kids = [inline() for _ in range(rng.randint(0, 4))]
        if rng.random() < 0.7:
            kids.insert(0 if rng.random() < 0.8 else rng.randint(0, len(kids)), ppr())
        return "<w:p>" + "".join(kids) + "</w:p>"

    def table(depth: int = 0) -> str:
        rows = []
        for _ in range(rng.randint(0, 3)):
            trpr = rng.choice(["", "<w:trPr><w:del/></w:trPr>", '<w:trPr><w:gridBefore w:val="1"/></w:trPr>'])
            cells = "".join(
                "<w:tc>" + rng.choice(["", '<w:tcPr><w:gridSpan w:val="2"/></w:tcPr>'])
                + "".join(para() if depth or rng.random() < 0.8 else table(1) for _ in range(rng.randint(0, 2)))
                + "</w:tc>"
                for _ in range(rng.randint(0, 3))
            )
            rows.append(f"<w:tr>{trpr}{cells}</w:tr>")
        return "<w:tbl>" + "".join(rows) + "</w:tbl>"

    items = [para() if rng.random() < 0.75 else rng.choice([table(), f"<w:sdt><w:sdtContent>{para()}</w:sdtContent></w:sdt>",
                                                            f"<w:ins>{para()}</w:ins>", "<!--c-->"])
             for _ in range(rng.randint(1, 10))]
    return "".join(items)


def test_body_blocks_equal_reference_walk() -> None:
    from docreview.ingest import docx as ingest_docx
    from docreview.ingest.safety import parse_xml

    ns = (f'xmlns:w="{ingest_docx.W_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:x="urn:x"')
    styles = ingest_docx.parse_styles(parse_xml(
        f'<w:styles {ns}><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="TiaoWen"><w:name w:val="条文"/><w:basedOn w:val="Normal"/>'
        '<w:pPr><w:numPr><w:numId w:val="2"/></w:numPr><w:jc w:val="both"/></w:pPr></w:style></w:styles>'.encode(),
        "t", "styles"))
    numbering = ingest_docx.parse_numbering(parse_xml(
        f'<w:numbering {ns}><w:abstractNum w:abstractNumId="1">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="第%1条"/><w:suff w:val="space"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>'
        '</w:numbering>'.encode(), "t", "numbering"))
    rng = random.Random(8)
    for _ in range(400):
        xml = f"<w:document {ns}><w:body>{_random_body(rng)}<w:sectPr/></w:body></w:document>"
        body = parse_xml(xml.encode(), "t", "document").find(ingest_docx.W + "body")
        want = ingest_docx.body_blocks_reference(body, styles, numbering)
        may_hide, may_delete = ingest_docx.body_hints(body)
        assert ingest_docx.body_blocks(body, styles, numbering, may_hide=may_hide, may_delete=may_delete) == want, xml
        assert ingest_docx.body_blocks(body, styles, numbering) == want, xml


def _sentence_at_reference(text: str, start: int, end: int) -> str:
    """``lawref._sentence_at`` the straightforward way: one rfind/find per stop character."""
    stops = "。；！？;!?\n"
    s = max(text.rfind(c, 0, start) for c in stops) + 1
    ends = [i for i in (text.find(c, end) for c in stops) if i >= 0]
    return text[s : min(ends) if ends else len(text)]


def test_sentence_at_equals_reference() -> None:
    from docreview import lawref

    rng = random.Random(11)
    # long stretches without a stop make the backward search widen its window (256, 512, …)
    texts = _structural_texts(400, 12) + _clause_texts()[:200]
    texts += ["甲" * n + "；" + "乙" * m for n, m in ((0, 0), (255, 3), (256, 3), (257, 900), (1300, 40))]
    texts += ["字" * 2000, "。" * 5, ""]
    for text in texts:
        points = {0, len(text), *(rng.randint(0, len(text)) for _ in range(12))}
        for a in points:
            for b in {a, min(len(text), a + 1), min(len(text), a + 7)}:
                assert lawref._sentence_at(text, a, b) == _sentence_at_reference(text, a, b), (text, a, b)


def test_extract_and_check_text_citations_equal_reference() -> None:
    """The one-article shortcut of extract_citations and the repeal-only test of law-only citations."""
    import datetime as dt

    from docreview import lawref

    arts, status = lawref.load_articles(), lawref.load_status()
    laws = [info.law for info in arts.laws] + [r.law for r in status.repealed] + ["某某条例", "合同法"]
    refs = ["第十条", "第14条", "第十条第四款", "第十一条第（四）项", "第一百零九条", "第三百条"]
    seps = ["、", "和", "及", "或者", "至", "，", "。"]
    rng = random.Random(13)
    for _ in range(600):
        parts = []
        for _ in range(rng.randint(1, 5)):
            parts.append(f"《{rng.choice(laws)}》")
            for i in range(rng.randint(0, 3)):
                parts.append((rng.choice(seps) if i else "") + rng.choice(refs))
            parts.append(rng.choice(["规定，", "。", "；\n", "的"]))
        text = "".join(parts)
        want = []
        for m in lawref._CITE_RE.finditer(text):
            law = m.group("law").strip()
            if not m.group("arts"):
                want.append(lawref.Citation(law, "", m.start(), m.end()))
            for a in lawref._ART_RE.finditer(m.group("arts") or ""):
                s = m.start("arts") + a.start()
                want.append(lawref.Citation(law, a.group(0), s, s + len(a.group(0))))
        assert lawref.extract_citations(text) == tuple(want), text
        for on in (dt.date(2000, 1, 1), dt.date(2026, 6, 1)):
            ref = []
            for c in want:
                ctx = _sentence_at_reference(text, c.start, c.end) if c.article else ""
                chk = lawref.check_citation(c.law, c.article, on=on, context=ctx, articles=arts, status=status)
                if c.article or chk.status == lawref.REPEALED:
                    ref.append((c, chk))
            assert lawref.check_text_citations(text, on=on, articles=arts, status=status) == tuple(ref), text


def test_locate_equals_linear_reference() -> None:
    """locate's bisections (and chapter_of's walk back over 节) against a scan of every unit."""
    from docreview.ingest import from_text
    from docreview.locate import article_label, chapter_of, locate

    def chapter_ref(st, pos):
        level1 = [c for c in st.chapters if c.level == 1]
        before = [c for c in level1 if c.start <= pos]
        return before[-1] if before else None

    def inside(seq, pos):
        hits = [x for x in seq if x.start <= pos <= x.end]
        return hits[-1] if hits else None

    text = (
        "某市管理办法\n第一章　总则\n第一条　为了规范管理，制定本办法。\n第一节　一般规定\n第二条　本办法适用于本市。\n"
        "有下列情形之一的，不予登记：\n（一）材料不全；\n（二）逾期申请：\n1.超过三十日；\n2.超过六十日。\n"
        "第二节　特别规定\n第三条　申请人应当提交材料。\n第二章　附则\n第四条　本办法自2026年3月1日起施行。\n"
        "某市人民政府\n2026年1月20日"
    )
    st = structure.parse_structure(from_text(text))
    assert [c.level for c in st.chapters] == [1, 2, 2, 1]
    for pos in range(-1, len(text) + 2):
        assert chapter_of(st, pos) == chapter_ref(st, pos), pos
        art = inside(st.articles, pos)
        if art is None:
            continue
        clause = inside(art.clauses, pos) or art.clauses[0]
        item = inside(clause.items, pos)
        sub = inside(item.subitems, pos) if item is not None else None
        ch = chapter_ref(st, art.start)
        got = locate(st, pos)
        assert (got.article, got.clause, got.item) == (art.number, clause.number, item.number if item else None)
        assert got.label == article_label(art, clause.number, item, sub)
        assert got.chapter == (ch.title if ch else "")
