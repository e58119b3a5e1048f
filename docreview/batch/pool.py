"""A supervised process pool: one pipe per worker, so a crash or a timeout is charged to exactly the
document that worker was processing, and the batch goes on with a fresh worker.

(concurrent.futures.ProcessPoolExecutor breaks entirely when one worker dies; multiprocessing.Pool
hangs. Here every worker gets one task at a time over its own pipe, and the parent watches the pipe,
the process sentinel and the per-document deadline.)
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from docreview.batch.warm import WARM_ENV
from docreview.errors import E_TIMEOUT, E_WORKER, DocreviewError

if TYPE_CHECKING:
    from docreview.batch.store import Encoded

MAX_INIT_DEATHS = 3
INIT_TIMEOUT = 300.0  # loading rules and the segmenter takes seconds; minutes means something is wrong


def _worker_main(conn: Connection, factory: str, spec: Any, ctx: dict[str, Any], warm_key: str | None = None,
                 ) -> None:
    """Child process: build the engine once (or take the fork server's warm one), then check one task at
    a time. The record is sent back already encoded (``Encoded``): cheaper to pickle than the dict, and
    the parent stores it as is."""
    from docreview.batch.engine import load_factory, process, tune_gc
    from docreview.batch.store import encode_record
    from docreview.batch.warm import engine_for

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    _watch_parent(os.getppid())
    try:
        engine = engine_for(warm_key)
        if engine is None:
            engine = load_factory(factory).build(spec)
    except BaseException as exc:  # report and exit: the parent stops the batch
        msg = exc.args[0] if isinstance(exc, DocreviewError) else f"{type(exc).__name__}: {exc}"
        conn.send(("init_error", str(msg)))
        return
    conn.send(("ready", os.getpid()))
    tuned = False
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        result = process(engine, task, ctx)
        result["path"] = task["rel"]
        if not tuned:  # after the first document: what stays loaded has been loaded
            tuned = True
            tune_gc()
        try:
            conn.send(("done", encode_record(result)))
        except (BrokenPipeError, OSError):  # the parent is gone (e.g. killed): nothing to report to
            return


def _watch_parent(ppid: int) -> None:
    """Exit when the parent dies (kill -9 of the batch): never leave orphan workers checking on."""
    import threading

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != ppid:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@dataclass
class _Slot:
    proc: Any
    conn: Connection
    ready: bool = False
    task: dict[str, Any] | None = None
    started: float = 0.0
    created: float = field(default_factory=time.monotonic)


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "未知原因"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        hint = "，可能是内存不足被系统终止" if -code == signal.SIGKILL else ""
        return f"被信号 {name} 终止{hint}"
    return f"退出码 {code}"


def _warm_key(factory: str, spec: Any) -> str:
    """What a warm engine must match: the factory, the spec and the environment it was built in."""
    import hashlib
    import sys

    env = sorted((k, v) for k, v in os.environ.items() if k != WARM_ENV)
    return hashlib.sha256(repr((factory, spec, env, sys.path)).encode()).hexdigest()


def _context(fork_server: bool, factory: str, spec: Any) -> tuple[Any, str | None]:
    """The multiprocessing context for the workers, and the warm-engine key (fork server only).

    ``spawn`` starts every worker from scratch (~1 s of CPU each: imports, segmenter dictionary, rules).
    With ``fork_server`` the workers are forked from a server process that built and warmed the engine
    once (``docreview.batch.warm``). The server is process-wide and keeps the environment it started
    with, so it suits a process that runs one batch (the command line); where it is unavailable, spawn.
    """
    if not fork_server or "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn"), None
    from multiprocessing import forkserver

    from docreview.batch.warm import warm_payload

    mp = multiprocessing.get_context("forkserver")
    key = _warm_key(factory, spec)
    mp.set_forkserver_preload(["docreview.batch.warm"])
    old = os.environ.get(WARM_ENV)
    os.environ[WARM_ENV] = warm_payload(factory, spec, key)  # read by the server only, as it starts
    try:
        forkserver.ensure_running()
    except OSError:
        return multiprocessing.get_context("spawn"), None
    finally:
        if old is None:
            os.environ.pop(WARM_ENV, None)
        else:
            os.environ[WARM_ENV] = old
    return mp, key


def failed_record(code: str, message: str) -> dict[str, Any]:
    from docreview.batch.outcome import suggest

    err = f"{code} {message}"
    outcome, reason = suggest(None, err)
    return {"status": "failed", "error": err, "code": code, "sha256": None, "doc": None,
            "outcome": outcome, "outcome_reason": reason, "ledger": None, "inputs": None, "seconds": None}


def run_pool(
    tasks: list[dict[str, Any]],
    *,
    factory: str,
    spec: Any,
    ctx: dict[str, Any],
    jobs: int,
    timeout: float,
    on_result: Callable[[dict[str, Any], dict[str, Any] | Encoded], None],
    fork_server: bool = False,
) -> None:
    """Run ``tasks`` on ``jobs`` worker processes; call ``on_result(task, record)`` in this process
    (``record`` is ``Encoded`` from a worker, a dict for a failure found here). ``fork_server``: fork
    the workers from a warm server process (see ``_context``) instead of spawning each from scratch."""
    if not tasks:
        return
    mp, warm_key = _context(fork_server, factory, spec)
    pending: deque[dict[str, Any]] = deque(tasks)
    slots: list[_Slot] = []
    init_deaths = 0

    def start() -> _Slot:
        parent, child = mp.Pipe()
        proc = mp.Process(target=_worker_main, args=(child, factory, spec, ctx, warm_key), daemon=True,
                          name="docreview-batch-worker")
        proc.start()
        child.close()
        return _Slot(proc, parent)

    def retire(s: _Slot, replace: bool) -> None:
        if s.proc.is_alive():
            s.proc.kill()
        s.proc.join()
        s.conn.close()
        slots.remove(s)
        if replace and pending:
            slots.append(start())

    def dispatch(s: _Slot) -> None:
        if s.ready and s.task is None and pending:
            task = pending.popleft()
            try:
                s.conn.send(task)
            except OSError:  # died while idle: not this document's fault; the sentinel retires it
                pending.appendleft(task)
                s.ready = False
                return
            s.task, s.started = task, time.monotonic()

    for _ in range(max(1, min(jobs, len(tasks)))):
        slots.append(start())
    try:
        while pending or any(s.task is not None for s in slots):
            if not slots:
                slots.append(start())
            for s in slots:
                dispatch(s)
            now = time.monotonic()
            waits = [s.started + timeout - now for s in slots if s.task is not None]
            ready = wait([s.conn for s in slots] + [s.proc.sentinel for s in slots],
                         timeout=max(0.01, min([*waits, 0.5])))
            for s in list(slots):
                if s.conn in ready:
                    try:
                        kind, payload = s.conn.recv()
                    except (EOFError, OSError):
                        kind, payload = "dead", None
                    if kind == "ready":
                        s.ready = True
                        init_deaths = 0
                        continue
                    if kind == "done":
                        task, s.task = s.task, None
                        dispatch(s)  # the worker goes on while the result is stored
                        on_result(task, payload)  # type: ignore[arg-type]
                        continue
                    if kind == "init_error":
                        raise DocreviewError(E_WORKER, "", f"工作进程初始化失败：{payload}")
                if s.proc.sentinel in ready or not s.proc.is_alive():
                    s.proc.join()
                    code = s.proc.exitcode
                    if s.task is not None:
                        task, s.task = s.task, None
                        on_result(task, failed_record(E_WORKER, f"工作进程异常退出（{_describe_exit(code)}）"))
                    elif not s.ready:
                        init_deaths += 1
                        if init_deaths > MAX_INIT_DEATHS:
                            raise DocreviewError(
                                E_WORKER, "", f"工作进程无法启动（{_describe_exit(code)}）",
                            )
                    retire(s, replace=True)
                elif not s.ready and time.monotonic() - s.created > INIT_TIMEOUT:
                    init_deaths += 1
                    if init_deaths > MAX_INIT_DEATHS:
                        raise DocreviewError(E_WORKER, "", f"工作进程 {INIT_TIMEOUT:g} 秒内未能启动")
                    retire(s, replace=True)
                elif s.task is not None and time.monotonic() - s.started > timeout:
                    task, s.task = s.task, None
                    retire(s, replace=True)
                    on_result(task, failed_record(E_TIMEOUT, f"处理超过 {timeout:g} 秒，已终止"))
    finally:
        for s in slots:
            with contextlib.suppress(OSError, ValueError):
                s.conn.send(None)
        deadline = time.monotonic() + 2
        for s in slots:
            s.proc.join(timeout=max(0.0, deadline - time.monotonic()))
            if s.proc.is_alive():
                s.proc.kill()
                s.proc.join()
            s.conn.close()
