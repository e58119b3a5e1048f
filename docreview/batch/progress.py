"""Batch progress: a rich bar (documents/s, ETA) on a terminal, periodic plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


def _fmt_secs(s: float) -> str:
    s = int(s)
    if s >= 3600:
        return f"{s // 3600} 小时 {s % 3600 // 60} 分"
    if s >= 60:
        return f"{s // 60} 分 {s % 60} 秒"
    return f"{s} 秒"


class PlainProgress:
    """Log a line to ``stream`` at most every ``interval`` seconds, and at the end."""

    def __init__(self, stream: TextIO, interval: float = 10.0) -> None:
        self.stream, self.interval = stream, interval
        self.t0 = time.monotonic()
        self.last = self.t0  # first line after one interval (not during worker start-up)

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < self.interval:
            return
        if total == 0 or done == 0:
            return
        self.last = now
        el = now - self.t0
        rate = done / el if el > 0 else 0.0
        eta = f"，预计剩余 {_fmt_secs((total - done) / rate)}" if rate > 0 and done < total else ""
        print(f"[batch] 已处理 {done}/{total}（{done * 100 // total}%），{rate:.1f} 份/秒{eta}",
              file=self.stream, flush=True)

    def close(self) -> None:
        pass


class RichProgress:
    """A rich progress bar on stderr."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )

        class Rate(TextColumn):
            def render(self, task: Any) -> Any:  # documents per second
                from rich.text import Text

                speed = task.finished_speed or task.speed
                return Text(f"{speed:.1f} 份/秒" if speed else "-- 份/秒")

        self.progress = Progress(
            TextColumn("审核中"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(), Rate(""),
            TextColumn("剩余"), TimeRemainingColumn(), console=Console(file=stream), transient=False,
        )
        self.task = None
        self.progress.start()

    def __call__(self, done: int, total: int) -> None:
        if self.task is None:
            self.task = self.progress.add_task("batch", total=total)
        self.progress.update(self.task, completed=done, total=total)

    def close(self) -> None:
        self.progress.stop()


def make_progress(stream: TextIO | None = None, interval: float = 10.0) -> PlainProgress | RichProgress:
    stream = stream or sys.stderr
    if getattr(stream, "isatty", lambda: False)():
        return RichProgress(stream)
    return PlainProgress(stream, interval)
