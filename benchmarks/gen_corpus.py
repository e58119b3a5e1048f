"""Write N realistic draft documents (.docx, about 10,000 Chinese characters each) for benchmarks.

Text comes from the repository: clauses of the labelled evaluation set (corpus/clauses/*.yml, real and
modelled wording with its sources) and the paragraphs of the sample drafts (corpus/samples/*.docx).
Each document has a title, 文号, 主送机关, chapters of articles (half numbered by a Word list
``第%1条``/chineseCounting, half with literal 第X条), a fee table inside an article, an effective-date
and validity clause and a 落款. About 8% of clauses come from the violating part of the pool.
Deterministic for a given seed. Packages are assembled directly with zipfile (fast).

    python benchmarks/gen_corpus.py OUT_DIR -n 200 --seed 7
"""

from __future__ import annotations

import argparse
import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

ROOT = Path(__file__).resolve().parents[1]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""
DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>
</Relationships>"""
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:eastAsia="仿宋_GB2312" w:hAnsi="Times New Roman"/><w:sz w:val="32"/></w:rPr></w:rPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="方正小标宋简体"/><w:sz w:val="44"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/></w:rPr></w:style>
<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/></w:style>
</w:styles>"""
NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="{W}">
<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="singleLevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="第%1条"/><w:suff w:val="space"/><w:lvlJc w:val="left"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
</w:numbering>"""
CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title><dc:creator>benchmark</dc:creator></cp:coreProperties>"""

CN_NUM = "〇一二三四五六七八九"
SUBJECTS = ["城市户外广告设置", "生活垃圾分类", "住宅小区物业服务", "农贸市场", "网络预约出租汽车经营服务",
            "建筑工地扬尘防治", "餐饮服务食品安全", "公共租赁住房", "养老服务机构", "道路货物运输"]
CHAPTERS = ["总则", "规划与设置", "管理与服务", "监督检查", "法律责任", "附则"]
ISSUERS = ["某市人民政府", "某市城市管理局", "某区人民政府", "某市住房和城乡建设局"]


def cn(n: int) -> str:
    """Chinese counting for article numbers up to 999."""
    if n < 10:
        return CN_NUM[n]
    if n < 20:
        return "十" + (CN_NUM[n % 10] if n % 10 else "")
    if n < 100:
        return CN_NUM[n // 10] + "十" + (CN_NUM[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + cn(rest) if rest < 10 else (cn(rest) if rest >= 20 else "一" + cn(rest)))
    return CN_NUM[n // 100] + "百" + tail


def load_pool() -> tuple[list[str], list[str]]:
    """(lawful, violating) sentences from corpus/clauses and corpus/samples."""
    lawful: list[str] = []
    bad: list[str] = []
    for f in sorted((ROOT / "corpus" / "clauses").glob("*.yml")):
        for e in yaml.safe_load(f.read_text(encoding="utf-8")) or []:
            if not isinstance(e, dict) or e.get("scope", "clause") != "clause" or not e.get("text"):
                continue
            (bad if e.get("labels") else lawful).append(str(e["text"]).strip())
    for f in sorted((ROOT / "corpus" / "samples").glob("*.docx")):
        import docx

        for p in docx.Document(str(f)).paragraphs:
            t = p.text.strip()
            if len(t) > 25 and not t.startswith("第") and "。" in t:
                lawful.append(t)
    if not lawful or not bad:
        raise SystemExit("corpus/clauses/*.yml has no labelled clauses to build documents from")
    return lawful, bad


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(text: str, *, style: str = "", numbered: bool = False, center: bool = False, rng=None) -> str:
    ppr = ""
    if style or numbered or center:
        ppr = "<w:pPr>"
        if style:
            ppr += f'<w:pStyle w:val="{style}"/>'
        if numbered:
            ppr += '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
        if center:
            ppr += '<w:jc w:val="center"/>'
        ppr += "</w:pPr>"
    # split into 1-3 runs at random points, as Word does after edits
    runs = [text]
    if rng is not None and len(text) > 12:
        cuts = sorted(rng.sample(range(1, len(text)), k=min(2, rng.randint(0, 2))))
        runs, last = [], 0
        for c in [*cuts, len(text)]:
            runs.append(text[last:c])
            last = c
    return f"<w:p>{ppr}{''.join(run(r) for r in runs if r)}</w:p>"


def table(rows: list[list[str]]) -> str:
    out = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr>']
    for row in rows:
        out.append("<w:tr>")
        out.extend(f"<w:tc>{para(c)}</w:tc>" for c in row)
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def make_document(i: int, rng: random.Random, lawful: list[str], bad: list[str],
                  target_chars: int = 10_000, bad_share: float = 0.08) -> tuple[str, str]:
    """(title, document.xml) for document number ``i``."""
    subject = rng.choice(SUBJECTS)
    issuer = rng.choice(ISSUERS)
    kind = rng.choice(["管理办法", "实施细则", "管理规定"])
    title = f"{issuer[:2]}市{subject}{kind}"
    auto = i % 2 == 0
    body: list[str] = [
        para(title, style="Title", center=True),
        para(f"某府规〔2026〕{i + 1}号", center=True),
        para("各区人民政府，市政府各委、办、局：", rng=rng),
    ]
    size = len(title) + 30
    n_art = 0
    table_at = rng.randint(3, 8)
    for ci, chap in enumerate(CHAPTERS):
        body.append(para(f"第{cn(ci + 1)}章　{chap}", style="Heading1", center=True))
        budget = target_chars * (ci + 1) // (len(CHAPTERS) - 1)
        k = 0
        while (k < 2) if chap == "附则" else (size < budget or k < 3):
            k += 1
            n_art += 1
            if chap == "附则" and k == 2:
                sentences = [f"本{kind[-2:]}自2026年3月1日起施行，有效期5年。"]
            else:
                sentences = [rng.choice(bad) if rng.random() < bad_share else rng.choice(lawful)
                             for _ in range(rng.randint(1, 3))]
            clauses = [sentences[:1], sentences[1:]] if len(sentences) > 2 else [sentences]
            for cj, cl in enumerate(c for c in clauses if c):
                text = "".join(cl)
                if cj == 0:
                    body.append(para(text, numbered=True, rng=rng) if auto
                                else para(f"第{cn(n_art)}条　{text}", rng=rng))
                else:
                    body.append(para(text, rng=rng))
                size += len(text) + 6
            if n_art == table_at:
                body.append(para("收费项目及标准如下：", rng=rng))
                body.append(table([["收费项目", "收费标准", "依据"],
                                   ["户外广告设置审查费", "每平方米每年50元", "本办法"],
                                   ["设施检测费", "每次300元", "本办法"]]))
    body.append(para(issuer, center=True))
    body.append(para("2026年1月20日", center=True))
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}"><w:body>'
           + "".join(body)
           + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')
    return title, xml


def write_docx(path: Path, title: str, document_xml: str) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/_rels/document.xml.rels", DOC_RELS)
        z.writestr("word/styles.xml", STYLES)
        z.writestr("word/numbering.xml", NUMBERING)
        z.writestr("docProps/core.xml", CORE.format(title=escape(title)))
        z.writestr("word/document.xml", document_xml)


def generate(out: Path, n: int, seed: int = 7, target_chars: int = 10_000) -> list[Path]:
    """Write ``n`` documents into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    lawful, bad = load_pool()
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        title, xml = make_document(i, rng, lawful, bad, target_chars)
        p = out / f"doc{i:05d}.docx"
        write_docx(p, title, xml)
        paths.append(p)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--chars", type=int, default=10_000)
    a = ap.parse_args()
    paths = generate(a.out, a.n, a.seed, a.chars)
    print(f"wrote {len(paths)} documents to {a.out}")


if __name__ == "__main__":
    main()
