"""docreview speed and memory benchmark: prints every figure and ratio of the speed issue.

    make bench                      # or: .venv/bin/python benchmarks/run.py [--docs 1000] [--memory-docs 20000]
    .venv/bin/python benchmarks/run.py --quick      # small numbers, a smoke run in well under a minute

Measured in one run on this machine, on a generated corpus of ~10,000-character .docx drafts
(benchmarks/gen_corpus.py, deterministic):
- ``docreview --help`` wall time; single ``check`` as a new process (cold) and in-process (warm);
- ``docreview batch`` throughput with ``--jobs 1`` and ``--jobs 2``, and a re-run with nothing changed;
- peak RSS of the batch processes; a long batch over a second archive (``--memory-docs``, default
  20,000): its throughput, the RSS of its largest process over time (flat = no growth per document)
  and a re-run of it with nothing changed;
- time per document of each pipeline stage (ingest, structure, rules, filing);
- the naive pipeline (python-docx ``paragraph.text``, ``jieba.lcut`` of the whole text, every rule regex
  over every sentence) and the read floor (unzip + lxml parse of word/document.xml);
- an equality check on the whole corpus: the optimised path returns exactly what the straightforward
  path returns (see ``reference_mode``: no Aho-Corasick prefilter, jieba's own ``tokenize``,
  ``str.translate`` normalisation, whole-text sentence split for effective/validity clauses, the
  plain paragraph/run walk of ingest with every run and paragraph mark tested for hidden/deleted,
  the plain regexes for 落款 dates and 版记 lines) — the SourceDoc, the Statute and the findings.
Targets are printed next to the figures; the script exits 1 if results differ.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
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


# --------------------------------------------------------------------------- equality


@contextlib.contextmanager
def reference_mode() -> Iterator[None]:
    """Swap every fast path of ingest, structure and nlp for its straightforward version.

    The engine's prefilter is switched off per call (``prefilter=False``); everything else is patched
    here for the duration of the block.
    """
    from docreview import nlp, structure
    from docreview.ingest import docx as ingest_docx
    from docreview.model import Token

    def translate_normalize(text: str) -> str:
        return text.translate(nlp._TABLE)

    def all_sentences(norm: str, start: int, end: int):
        return nlp.split_sentences(norm, start, end)

    def jieba_tokens(self, text: str, offset: int = 0) -> list:
        norm = translate_normalize(text)
        return [Token(text=w, start=offset + a, end=offset + b)
                for w, a, b in self.tokenizer.tokenize(norm, HMM=self.HMM) if not w.isspace()]

    def every_element(body, styles=None, numbering=None, **_hints):
        return ingest_docx.body_blocks_reference(body, styles, numbering)

    def date_tail(s: str) -> bool:
        return structure._DATE_TAIL.search(s) is not None

    def colophon(norm: str, lead: int) -> bool:
        return structure.COLOPHON_RE.match(norm, lead) is not None

    saved = [(nlp, "normalize", nlp.normalize), (structure, "normalize", structure.normalize),
             (structure, "_special_sentences", structure._special_sentences),
             (structure, "_date_tail", structure._date_tail), (structure, "_is_colophon", structure._is_colophon),
             (nlp.Segmenter, "tokens", nlp.Segmenter.tokens),
             (ingest_docx, "body_blocks", ingest_docx.body_blocks)]
    nlp.normalize = structure.normalize = translate_normalize
    structure._special_sentences = all_sentences
    structure._date_tail = date_tail
    structure._is_colophon = colophon
    nlp.Segmenter.tokens = jieba_tokens
    ingest_docx.body_blocks = every_element
    try:
        yield
    finally:
        for obj, name, value in saved:
            setattr(obj, name, value)


def equality(paths: list[Path], checker=None) -> tuple[int, int, list[str]]:
    """(documents that differ, findings compared, names of differing documents) on ``paths``."""
    from datetime import date

    from docreview.ingest import read_document
    from docreview.nlp import Segmenter
    from docreview.pipeline import Checker

    fast_checker = checker or Checker()
    ref_checker = copy.copy(fast_checker)  # same rule set (read once), its own segmenter
    ref_checker.segmenter = Segmenter()
    today = date(2026, 6, 1)
    bad: list[str] = []
    n_findings = 0
    for p in paths:  # one document at a time: nothing accumulates
        fs = read_document(p)
        fr = fast_checker.check_source(fs, today=today)
        with reference_mode():
            ss = read_document(p)
            sr = ref_checker.check_source(ss, today=today, prefilter=False)
        n_findings += len(fr.findings)
        if fs != ss or fr.statute != sr.statute or fr.findings != sr.findings or fr.filing != sr.filing:
            bad.append(p.name)
    return len(bad), n_findings, bad


# --------------------------------------------------------------------------- main


def stage_times(checker, paths: list[Path]) -> tuple[float, dict[str, float]]:
    """(docs/s, ms per document per stage) for ``checker.check_path`` over ``paths``, in process."""
    for k in checker.timings:
        checker.timings[k] = 0.0
    t = time.perf_counter()
    for p in paths:
        checker.check_path(p)
    rate = len(paths) / (time.perf_counter() - t)
    return rate, {k: v / len(paths) * 1000 for k, v in checker.timings.items()}


def _descendants(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def run_watched(cmd: list[str], every: float = 0.1) -> tuple[float, float, list[tuple[float, dict[int, float]]]]:
    """(wall seconds, peak RSS in MB of the largest process of the command's process tree, samples).

    Peak RSS is each process's VmHWM (reset at exec, so pages shared with this process before the
    exec are not counted); ``samples`` are (seconds since start, {pid: VmRSS MB}) every ``every`` s.
    """
    peak = 0.0
    samples: list[tuple[float, dict[int, float]]] = []
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None:
        now: dict[int, float] = {}
        for pid in _descendants(proc.pid):
            with contextlib.suppress(OSError, ValueError), open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) / 1024)
                    elif line.startswith("VmRSS:"):
                        now[pid] = int(line.split()[1]) / 1024
        samples.append((time.perf_counter() - t, now))
        time.sleep(every)
    dt = time.perf_counter() - t
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return dt, peak, samples


def link_subset(paths: list[Path], out: Path) -> Path:
    """A folder holding (hard links to) ``paths``: a smaller archive of the same documents."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for p in paths:
        try:
            os.link(p, out / p.name)
        except OSError:
            shutil.copy2(p, out / p.name)
    return out


def worker_rss(samples: list[tuple[float, dict[int, float]]]) -> tuple[float, float, float, float]:
    """For the process with the largest RSS (a worker): its RSS a tenth into its life, half-way, at its
    end, and its max (MB)."""
    series: dict[int, list[float]] = {}
    for _, snap in samples:
        for pid, mb in snap.items():
            series.setdefault(pid, []).append(mb)
    if not series:
        return 0.0, 0.0, 0.0, 0.0
    top = max(series.values(), key=max)
    return top[len(top) // 10], top[len(top) // 2], top[-1], max(top)


def main() -> int:
    ap = argparse.ArgumentParser(description="docreview benchmark")
    ap.add_argument("--docs", type=int, default=1000, help="documents in the batch corpus")
    ap.add_argument("--memory-docs", type=int, default=20000, help="documents in the long memory run")
    ap.add_argument("--naive-docs", type=int, default=60)
    ap.add_argument("--quick", action="store_true", help="small numbers: 40 docs, 400 in the memory run")
    ap.add_argument("--work", type=Path, default=HERE / "_work")
    ap.add_argument("--keep", action="store_true", help="keep the long-run corpus (it takes disk: ~16 KB a document)")
    a = ap.parse_args()
    if a.quick:
        a.docs, a.memory_docs, a.naive_docs = min(a.docs, 40), min(a.memory_docs, 400), min(a.naive_docs, 10)

    from gen_corpus import generate

    from docreview.ingest import read_document
    from docreview.pipeline import Checker

    work = a.work
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    t = time.perf_counter()
    paths = generate(corpus, a.docs, seed=7)
    gen_s = time.perf_counter() - t
    chars = [len(read_document(p).text) for p in paths[:20]]
    print(f"corpus: {len(paths)} documents, ~{statistics.mean(chars):,.0f} characters each "
          f"(generated in {gen_s:.1f} s)", flush=True)
    rows: list[tuple[str, str, str]] = []
    repeat = 1 if a.quick else 3

    # --help and single check as new processes
    help_s = wall([DOCREVIEW, "--help"], repeat=repeat + 2)
    rows.append(("docreview --help", f"{help_s:.3f} s", "≤ 0.3 s"))
    out_json = work / "one.json"
    wall([DOCREVIEW, "check", str(paths[1]), "--format", "json", "-o", str(out_json)], repeat=1)  # caches
    cold = wall([DOCREVIEW, "check", str(paths[1]), "--format", "json", "-o", str(out_json)], repeat=repeat)
    rows.append(("check, one document, new process (cold)", f"{cold:.3f} s", "≤ 1.5 s"))

    checker = Checker()
    checker.check_path(paths[0])
    t = time.perf_counter()
    checker.check_path(paths[1])
    warm = time.perf_counter() - t
    rows.append(("check, one document, in process (warm)", f"{warm * 1000:.1f} ms", ""))

    # in-process throughput and stage times (one core)
    rate1, per_stage = stage_times(checker, paths)
    rows.append(("in process, one core", f"{rate1:.1f} docs/s ({1000 / rate1:.1f} ms/doc)", "≥ 100 docs/s"))
    rows.append(("ms per document per stage",
                 ", ".join(f"{k} {v:.1f}" for k, v in per_stage.items()), "≤ 10 ms in all"))

    # equality: optimised vs straightforward on the whole corpus
    t = time.perf_counter()
    mismatched, n_findings, bad = equality(paths, checker)
    eq_s = time.perf_counter() - t
    rows.append(("optimised == straightforward evaluation",
                 "identical" if not mismatched else f"{mismatched} documents differ",
                 f"{n_findings} findings compared ({eq_s:.0f} s)"))

    # batch throughput: whole corpus (includes worker start-up and report writing) and, from a run
    # over the first quarter, the marginal rate once the workers are up
    batch_rates = {}
    peak = 0.0
    for jobs in (1, 2):
        out = work / f"report{jobs}"
        shutil.rmtree(out, ignore_errors=True)
        dt, rss, _ = run_watched([DOCREVIEW, "batch", str(corpus), "--out", str(out), "--jobs", str(jobs)])
        batch_rates[jobs] = len(paths) / dt
        peak = max(peak, rss)
        rows.append((f"batch --jobs {jobs}, {len(paths):,} documents", f"{batch_rates[jobs]:.1f} docs/s ({dt:.1f} s)",
                     "≥ 200 docs/s" if jobs == 2 else ""))
        if jobs == 2 and len(paths) >= 200:  # smaller runs: noise
            part = paths[: len(paths) // 4]
            sub = link_subset(part, work / "corpus_quarter")
            shutil.rmtree(work / "report_quarter", ignore_errors=True)
            dq, _, _ = run_watched([DOCREVIEW, "batch", str(sub), "--out", str(work / "report_quarter"),
                                    "--jobs", "2"])
            fixed = dq - (dt - dq) / (len(paths) - len(part)) * len(part)
            rows.append(("batch --jobs 2, marginal (start-up and report excluded)",
                         f"{(len(paths) - len(part)) / (dt - dq):.1f} docs/s", f"fixed cost ≈ {fixed:.1f} s per run"))
    dt, _, _ = run_watched([DOCREVIEW, "batch", str(corpus), "--out", str(work / "report2"), "--jobs", "2"])
    rerun = len(paths) / dt
    rows.append((f"batch re-run, nothing changed, {len(paths):,} documents", f"{rerun:.0f} docs/s", "≥ 2,000 docs/s"))
    rows.append(("peak RSS of a batch process", f"{peak:.0f} MB", "≤ 400 MB"))

    # naive pipeline and read floor
    naive_rate = naive(paths[: a.naive_docs], rule_regexes(checker.book))
    floor = read_floor(paths)
    rows.append(("naive pipeline (1 process)", f"{naive_rate:.1f} docs/s", ""))
    rows.append(("read floor: unzip + lxml (1 process)", f"{floor:.0f} docs/s", ""))
    rows.append(("ratio batch --jobs 2 / naive", f"{batch_rates[2] / naive_rate:.1f}×", "≥ 10×"))
    rows.append(("ratio batch --jobs 1 / naive", f"{batch_rates[1] / naive_rate:.1f}×", "per core"))
    rows.append(("ratio read floor / batch --jobs 1", f"{floor / batch_rates[1]:.1f}×", "≤ 15×"))

    # long batch run over a second, larger archive: worker memory must stay flat
    if a.memory_docs:
        long_dir = work / "corpus_long"
        if long_dir.exists():
            shutil.rmtree(long_dir)
        t = time.perf_counter()
        long_paths = generate(long_dir, a.memory_docs, seed=11)
        print(f"long corpus: {len(long_paths):,} documents (generated in {time.perf_counter() - t:.0f} s)", flush=True)
        out = work / "report_long"
        shutil.rmtree(out, ignore_errors=True)
        dt, rss, samples = run_watched([DOCREVIEW, "batch", str(long_dir), "--out", str(out), "--jobs", "2"],
                                       every=0.5)
        first, mid, last, top = worker_rss(samples)
        rows.append((f"batch --jobs 2, {len(long_paths):,} documents", f"{len(long_paths) / dt:.1f} docs/s ({dt:.0f} s)",
                     "≥ 200 docs/s"))
        rows.append((f"RSS of the largest batch process over {len(long_paths):,} documents",
                     f"{first:.0f} / {mid:.0f} / {last:.0f} MB at 10% / 50% / end (max {top:.0f})",
                     "flat; ≤ 400 MB"))
        dt, _, _ = run_watched([DOCREVIEW, "batch", str(long_dir), "--out", str(out), "--jobs", "2"])
        rows.append((f"batch re-run, nothing changed, {len(long_paths):,} documents",
                     f"{len(long_paths) / dt:.0f} docs/s", "≥ 2,000 docs/s"))
        if not a.keep:
            shutil.rmtree(long_dir, ignore_errors=True)

    w = max(len(r[0]) for r in rows)
    print()
    for name, val, target in rows:
        print(f"{name:<{w}}  {val:<40} {target}")
    if bad:
        print("differing documents:", ", ".join(bad[:20]))
    return 1 if mismatched else 0


if __name__ == "__main__":
    sys.exit(main())
