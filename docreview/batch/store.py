"""The batch results store: one SQLite file in the report directory.

WAL journal, one transaction per finished document, so a run killed at any moment (even ``kill -9``)
loses no finished document and the next run finishes the rest. ``path`` (relative POSIX path inside the
archive) is the primary key, so every file is held exactly once. A stored result is reused when the
file's content sha256, the engine version key (tool version + Rulebook.version + config + kind) and the
per-document inputs (ledger dates used, ``today``) are all unchanged.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from docreview.errors import E_BATCH, DocreviewError

STORE_NAME = "batch.sqlite"
SCHEMA_VERSION = "2"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    path     TEXT PRIMARY KEY,
    size     INTEGER,
    mtime_ns INTEGER,
    sha256   TEXT,
    version  TEXT,
    inputs   TEXT,
    status   TEXT NOT NULL,     -- ok | failed | skipped | removed
    error    TEXT,
    record   TEXT,              -- JSON: checked document, ledger row used, outcome (UTF-8 BLOB; TEXT in older stores)
    doc_number TEXT,            -- the document's 文号 (for joining ledger rows by 文号 without parsing)
    seconds  REAL,
    run      INTEGER,
    updated  REAL
);
CREATE TABLE IF NOT EXISTS runs (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    started  REAL,
    finished REAL,
    archive  TEXT,
    stats    TEXT
);
"""


@dataclass(frozen=True)
class DocRow:
    path: str
    size: int | None
    mtime_ns: int | None
    sha256: str | None
    version: str | None
    inputs: str | None
    status: str
    error: str | None
    raw: bytes | str | None  # the record as stored (JSON); None when loaded without it (``Store.all``)
    seconds: float | None
    run: int | None
    has_record: bool = False
    doc_number: str | None = None

    @cached_property
    def record(self) -> dict[str, Any] | None:
        """The stored record: checked document, ledger row used, outcome (parsed once, on demand)."""
        return json.loads(self.raw) if self.raw else None


@dataclass(frozen=True, slots=True)
class Encoded:
    """A record already serialised where it was made (a batch worker), with the few fields the parent
    needs to store it: the parent neither unpickles the whole record nor encodes it again."""

    status: str
    error: str | None
    sha256: str | None
    inputs: str | None
    seconds: float | None
    doc_number: str | None
    data: bytes  # UTF-8 JSON


def encode_record(record: dict[str, Any]) -> Encoded:
    """``record`` as stored plus the fields ``Store.put`` needs."""
    return Encoded(
        status=record["status"], error=record.get("error"), sha256=record.get("sha256"),
        inputs=record.get("inputs"), seconds=record.get("seconds"),
        doc_number=(record.get("doc") or {}).get("doc_number"),
        data=_dump(record),
    )


def _dump(record: dict[str, Any]) -> bytes:
    """A record as stored: UTF-8 JSON bound as a BLOB (older stores hold TEXT; ``json.loads`` reads
    both). Bytes pickle and bind without the two UTF-8 conversions a str costs."""
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def _lock(path: Path) -> Any:
    """An exclusive advisory lock on the report directory, so two batches never share one store."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        return None
    fh = path.open("a")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise DocreviewError(E_BATCH, str(path.parent), "另一个批处理正在使用这个报告目录，请等待其结束或换一个目录") from None
    return fh


class Store:
    """Thin wrapper over the SQLite file. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = _lock(path.with_name(".batch.lock"))
        try:
            self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL+NORMAL: durable against process death
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise DocreviewError(E_BATCH, str(path), f"结果库无法打开：{exc}") from None
        got = self.meta("schema")
        if got is None:
            self.set_meta("schema", SCHEMA_VERSION)
        elif got != SCHEMA_VERSION:
            raise DocreviewError(E_BATCH, str(path), f"结果库版本 {got} 与本程序不兼容，请换一个输出目录")

    @classmethod
    def open(cls, report_dir: Path) -> Store:
        report_dir.mkdir(parents=True, exist_ok=True)
        return cls(report_dir / STORE_NAME)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
        if self._lock is not None:
            self._lock.close()

    # ------------------------------------------------------------------ meta / runs

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def begin_run(self, archive: str) -> int:
        cur = self.db.execute("INSERT INTO runs(started, archive) VALUES (?, ?)", (time.time(), archive))
        return int(cur.lastrowid or 0)

    def finish_run(self, run: int, stats: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE runs SET finished=?, stats=? WHERE id=?",
            (time.time(), json.dumps(stats, ensure_ascii=False), run),
        )

    # ------------------------------------------------------------------ documents

    _COLS = "path, size, mtime_ns, sha256, version, inputs, status, error, record, seconds, run"
    _LIGHT = ("path, size, mtime_ns, sha256, version, inputs, status, error, NULL, seconds, run, "
              "record IS NOT NULL, doc_number")

    def all(self) -> dict[str, DocRow]:
        """Every row (including removed ones), by path, without the records (memory stays small)."""
        cur = self.db.execute(f"SELECT {self._LIGHT} FROM docs")
        return {r[0]: DocRow(*r[:11], has_record=bool(r[11]), doc_number=r[12]) for r in cur}

    def record(self, path: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT record FROM docs WHERE path=?", (path,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def iter_current(self) -> Iterator[DocRow]:
        """Rows of files present at the last scan, with records, ordered by path (streamed)."""
        cur = self.db.execute(f"SELECT {self._COLS} FROM docs WHERE status != 'removed' ORDER BY path")
        for r in cur:
            yield DocRow(*r, has_record=r[8] is not None)

    def current(self) -> list[DocRow]:
        return list(self.iter_current())

    def put(
        self, path: str, *, size: int | None, mtime_ns: int | None, sha256: str | None,
        version: str | None, inputs: str | None, status: str, error: str | None = None,
        record: dict[str, Any] | Encoded | None = None, seconds: float | None = None, run: int | None = None,
    ) -> None:
        """Insert or replace one document in its own transaction (committed on return)."""
        if isinstance(record, Encoded):
            rec, num = record.data, record.doc_number
        else:
            rec = _dump(record) if record is not None else None
            num = ((record or {}).get("doc") or {}).get("doc_number")
        self.db.execute(
            f"INSERT OR REPLACE INTO docs({self._COLS}, doc_number, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (path, size, mtime_ns, sha256, version, inputs, status, error, rec, seconds, run, num, time.time()),
        )

    def touch(self, path: str, size: int, mtime_ns: int) -> None:
        """Record a new size/mtime for a file whose content hash did not change."""
        self.db.execute("UPDATE docs SET size=?, mtime_ns=? WHERE path=?", (size, mtime_ns, path))

    def restore(self, path: str, status: str) -> None:
        self.db.execute("UPDATE docs SET status=? WHERE path=?", (status, path))

    def mark_removed(self, paths: Iterable[str]) -> int:
        """Mark files that disappeared from the archive (one transaction)."""
        paths = list(paths)
        if not paths:
            return 0
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("UPDATE docs SET status='removed', updated=? WHERE path=?",
                                [(time.time(), p) for p in paths])
        return len(paths)

    def count_by_status(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT status, COUNT(*) FROM docs GROUP BY status").fetchall())
