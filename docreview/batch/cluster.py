"""Run the batch on an existing Dask distributed cluster (``--cluster tcp://HOST:PORT``).

Workers need docreview installed; no shared filesystem: the client reads each document and sends its
BYTES with the task, results come back to the client, which writes them into the same store. Each worker
builds the checker once and keeps it on the worker object. At most one task per worker thread is in
flight, so the time a task has been in flight is its running time: a task past ``--timeout`` is marked
failed (E113) and cancelled (Dask cannot interrupt a running Python thread; the worker finishes it and
the result is discarded). A worker that dies repeatedly on a document (KilledWorker) marks that
document failed (E501). Only this module imports ``distributed``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from docreview.errors import E_BATCH, E_TIMEOUT, E_WORKER, DocreviewError

_LOCK = threading.Lock()


def _dask_check(factory: str, spec: Any, task: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    """Runs on a Dask worker: build (once per worker) and run the engine on one document."""
    from distributed import get_worker

    from docreview.batch.engine import load_factory, process

    try:
        holder = get_worker()
    except ValueError:  # not on a worker (should not happen)
        holder = None
    with _LOCK:
        cache = getattr(holder, "_docreview_engines", None) if holder is not None else None
        if cache is None:
            cache = {}
            if holder is not None:
                holder._docreview_engines = cache  # type: ignore[attr-defined]
        key = (factory, repr(spec))
        if key not in cache:
            cache[key] = load_factory(factory).build(spec)
        engine = cache[key]
        return process(engine, task, ctx)


def run_cluster(
    address: str,
    tasks: list[dict[str, Any]],
    *,
    factory: str,
    spec: Any,
    ctx: dict[str, Any],
    timeout: float,
    on_result: Callable[[dict[str, Any], dict[str, Any]], None],
    client: Any = None,
) -> None:
    """Submit ``tasks`` to the cluster at ``address``; call ``on_result(task, record)`` as they finish."""
    try:
        from distributed import Client
    except ImportError:
        raise DocreviewError(
            E_BATCH, "--cluster", "未安装 dask distributed，请安装 docreview[cluster]",
        ) from None
    from docreview.batch.pool import failed_record

    own = client is None
    if own:
        try:
            client = Client(address, timeout="20s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise DocreviewError(E_BATCH, address, f"无法连接 Dask 集群：{exc}") from None
    try:
        threads = sum(client.nthreads().values()) or 1
        ctx_f = client.scatter([ctx], broadcast=True)[0]
        queue: list[tuple[dict[str, Any], int]] = [(t, 0) for t in reversed(tasks)]
        inflight: dict[Any, tuple[dict[str, Any], float, int]] = {}

        def submit() -> None:
            nonlocal ctx_f
            while queue and len(inflight) < threads:
                task, tries = queue.pop()
                try:
                    with open(task["abs"], "rb") as fh:
                        data = fh.read()
                except OSError as exc:
                    on_result(task, failed_record("E100", f"无法读取文件：{exc.strerror}"))
                    continue
                if ctx_f.status != "finished":  # the only copy died with a worker: send it again
                    ctx_f = client.scatter([ctx], broadcast=True)[0]
                payload = {k: v for k, v in task.items() if k != "abs"} | {"data": data}
                fut = client.submit(_dask_check, factory, spec, payload, ctx_f, pure=False,
                                    key=f"docreview-{task['rel']}-{time.monotonic_ns()}")
                inflight[fut] = (task, time.monotonic(), tries)

        submit()
        while inflight:
            done = [f for f in inflight if f.done()]
            if not done:
                time.sleep(0.02)
            for fut in done:
                task, _, tries = inflight.pop(fut)
                try:
                    rec = fut.result()
                except Exception as exc:  # KilledWorker, lost connection, lost scattered context, ...
                    name = type(exc).__name__
                    if "Cancelled" in name and tries < 2:  # collateral of another task's worker dying
                        queue.append((task, tries + 1))
                        continue
                    code = E_WORKER if name == "KilledWorker" else E_BATCH
                    rec = failed_record(code, f"集群工作进程失败（{name}）")
                on_result(task, rec)
            now = time.monotonic()
            for fut, (task, started, _) in list(inflight.items()):
                if now - started > timeout:
                    inflight.pop(fut)
                    _abandon(client, fut)
                    on_result(task, failed_record(E_TIMEOUT, f"处理超过 {timeout:g} 秒，已终止"))
            submit()
    finally:
        if own:
            client.close()



def _abandon(client: Any, fut: Any) -> None:
    """Cancel a task past its deadline and restart the worker still running it (a Python thread cannot
    be interrupted; restarting frees the worker for the next documents). Workers without a nanny
    (in-process clusters) cannot be restarted: the thread then runs on and its result is discarded."""
    holders = [w for w, keys in client.processing().items() if fut.key in keys]
    fut.cancel()
    if holders:
        with contextlib.suppress(Exception):  # best effort (no nanny, older distributed)
            client.restart_workers(holders, timeout=30)
