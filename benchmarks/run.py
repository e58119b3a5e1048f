"""docreview speed and memory benchmark: prints every figure and ratio of the speed issue.

    make bench                      # or: .venv/bin/python benchmarks/run.py [--docs 1000] [--memory-docs 20000]

Measured in one run on this machine, on a generated corpus of ~10,000-character .docx drafts
(benchmarks/gen_corpus.py, deterministic):
- ``docreview --help`` wall time; single ``check`` as a new process (cold) and in-process (warm);
- ``docreview batch`` throughput with ``--jobs 1`` and ``--jobs 2``, and a re-run with nothing changed;
- peak RSS of the batch processes; RSS over a long in-process run (flat = no growth per document);
- time share of each pipeline stage;
- the naive pipeline (python-docx ``paragraph.text``, ``jieba.lcut`` of the whole text, every rule regex
  over every sentence) and the read floor (unzip + lxml parse of word/document.xml);
- an equality check: the optimised path (Aho-Corasick prefilter) returns exactly the findings of the
  straightforward evaluation (no prefilter) on the whole corpus.
Targets are printed next to the figures; the script exits 1 if results differ.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
BIN = Path(sys.executable).parent
DOCREVIEW = str(BIN / "docreview") if (BIN / "docreview").exists() else "docreview"


def wall(cmd: list[str], repeat: int = 3, **kw) -> float:
    """Median wall time of a command (seconds)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def read_floor(paths: list[Path]) -> float:
    """Docs/s for unzip + parse word/document.xml with lxml, nothing else."""
    from lxml import etree

    t = time.perf_counter()
    for p in paths:
        with zipfile.ZipFile(p) as z:
            etree.fromstring(z.read("word/document.xml"))
    return len(paths) / (time.perf_counter() - t)


def rule_regexes(book) -> list[re.Pattern]:
    """Every regex of the rule set, compiled with the standard library (for the naive pipeline)."""
    out = []
    for rule in book.rules:
        for pat in getattr(rule, "patterns", []) or []:
            rx = getattr(pat, "regex", None) if not isinstance(pat, dict) else pat.get("regex")
            if rx:
                with contextlib.suppress(re.error):
                    out.append(re.compile(rx))
    return out


def naive(paths: list[Path], regexes: list[re.Pattern]) -> float:
    """Docs/s for the obvious hand-written pipeline."""
    import docx
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    t = time.perf_counter()
    for p in paths:
        d = docx.Document(str(p))
        text = "\n".join(par.text for par in d.paragraphs)
        jieba.lcut(text)
        for sent in re.split(r"[。！？；\n]", text):
            for rx in regexes:
                rx.search(sent)
    return len(paths) / (time.perf_counter() - t)


def main() -> int:
    ap = argparse.ArgumentParser(description="docreview benchmark")
    ap.add_argument("--docs", type=int, default=1000, help="documents in the batch corpus")
    ap.add_argument("--memory-docs", type=int, default=20000, help="documents in the long memory run")
    ap.add_argument("--naive-docs", type=int, default=60)
    ap.add_argument("--work", type=Path, default=HERE / "_work")
    a = ap.parse_args()

    from gen_corpus import generate

    from docreview.pipeline import Checker

    work = a.work
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    t = time.perf_counter()
    paths = generate(corpus, a.docs, seed=7)
    gen_s = time.perf_counter() - t
    chars = []
    from docreview.ingest import read_document

    for p in paths[:20]:
        chars.append(len(read_document(p).text))
    print(f"corpus: {len(paths)} documents, ~{statistics.mean(chars):,.0f} characters each "
          f"(generated in {gen_s:.1f} s)")
    rows: list[tuple[str, str, str]] = []

    # --help and single check as new processes
    help_s = wall([DOCREVIEW, "--help"], repeat=5)
    rows.append(("docreview --help", f"{help_s:.3f} s", "≤ 0.3 s"))
    out_json = work / "one.json"
    wall([DOCREVIEW, "check", str(paths[1]), "--format", "json", "-o", str(out_json)], repeat=1)  # caches
    cold = wall([DOCREVIEW, "check", str(paths[1]), "--format", "json", "-o", str(out_json)], repeat=3)
    rows.append(("check, one document, new process (cold)", f"{cold:.3f} s", "≤ 1.5 s"))

    checker = Checker()
    checker.check_path(paths[0])
    t = time.perf_counter()
    checker.check_path(paths[1])
    warm = time.perf_counter() - t
    rows.append(("check, one document, in process (warm)", f"{warm * 1000:.1f} ms", ""))

    # equality: optimised vs straightforward on the whole corpus; stage shares
    from docreview.ingest import read_document as rd

    for k in checker.timings:
        checker.timings[k] = 0.0
    mismatched = 0
    n_findings = 0
    t = time.perf_counter()
    for p in paths:
        src = rd(p)
        fast = checker.check_source(src).findings
        slow = checker.check_source(src, prefilter=False).findings
        n_findings += len(fast)
        if fast != slow:
            mismatched += 1
    eq_s = time.perf_counter() - t
    rows.append(("prefilter == straightforward evaluation",
                 "identical" if not mismatched else f"{mismatched} documents differ",
                 f"{n_findings} findings compared"))

    # batch throughput
    batch_rates = {}
    peak = 0.0
    for jobs in (1, 2):
        out = work / f"report{jobs}"
        shutil.rmtree(out, ignore_errors=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t = time.perf_counter()
        subprocess.run([DOCREVIEW, "batch", str(corpus), "--out", str(out), "--jobs", str(jobs)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dt = time.perf_counter() - t
        batch_rates[jobs] = len(paths) / dt
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, before / 1024)
        rows.append((f"batch --jobs {jobs}", f"{batch_rates[jobs]:.1f} docs/s ({dt:.1f} s)",
                     "≥ 200 docs/s" if jobs == 2 else ""))
    t = time.perf_counter()
    subprocess.run([DOCREVIEW, "batch", str(corpus), "--out", str(work / "report2"), "--jobs", "2"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rerun = len(paths) / (time.perf_counter() - t)
    rows.append(("batch re-run, nothing changed", f"{rerun:.0f} docs/s", "≥ 2,000 docs/s"))
    rows.append(("peak RSS of a batch process", f"{peak:.0f} MB", "≤ 400 MB"))

    # naive pipeline and read floor
    naive_rate = naive(paths[: a.naive_docs], rule_regexes(checker.book))
    floor = read_floor(paths)
    rows.append(("naive pipeline (1 process)", f"{naive_rate:.1f} docs/s", ""))
    rows.append(("read floor: unzip + lxml (1 process)", f"{floor:.0f} docs/s", ""))
    rows.append(("ratio batch --jobs 2 / naive", f"{batch_rates[2] / naive_rate:.1f}×", "≥ 10×"))
    rows.append(("ratio batch --jobs 1 / naive", f"{batch_rates[1] / naive_rate:.1f}×", "per core"))
    rows.append(("ratio read floor / batch --jobs 1", f"{floor / batch_rates[1]:.1f}×", "≤ 15×"))

    # stage shares (from the equality loop, fast path and slow path together)
    total = sum(checker.timings.values()) or 1.0
    share = ", ".join(f"{k} {v / total:.0%}" for k, v in checker.timings.items())
    rows.append(("time share per stage", share, f"({eq_s:.1f} s loop)"))

    # long in-process run: memory must stay flat
    srcs = [rd(p) for p in paths[:100]]
    samples = []
    t = time.perf_counter()
    for i in range(a.memory_docs):
        checker.check_source(srcs[i % len(srcs)])
        if i % 1000 == 0 or i == a.memory_docs - 1:
            samples.append(rss_mb())
    mem_s = time.perf_counter() - t
    rows.append((f"RSS over {a.memory_docs:,} documents in one process",
                 f"{samples[0]:.0f} → {samples[-1]:.0f} MB (max {max(samples):.0f})",
                 f"flat; {a.memory_docs / mem_s:.0f} docs/s"))

    w = max(len(r[0]) for r in rows)
    print()
    for name, val, target in rows:
        print(f"{name:<{w}}  {val:<34} {target}")
    return 1 if mismatched else 0


if __name__ == "__main__":
    sys.exit(main())
